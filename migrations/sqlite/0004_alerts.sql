-- Alert rules, their firings and every attempt to deliver a notification.

-- A rule's matcher, condition and channels are one JSON document (app's RuleSpec),
-- validated before it is stored: rules are few and always read whole, so columns
-- per field would only make every new condition a migration.
CREATE TABLE alert_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    spec       TEXT    NOT NULL, -- JSON RuleSpec
    paused     INTEGER NOT NULL DEFAULT 0,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL
);

-- One row per notification-worthy firing. A burst within the cooldown is folded
-- into the row that opened it (`count`), so the history shows one line with a count
-- rather than hundreds. rule_name is kept so history survives a deleted rule.
CREATE TABLE alert_events (
    id          INTEGER PRIMARY KEY,
    rule_id     INTEGER NOT NULL,
    rule_name   TEXT    NOT NULL,
    fired_ns    INTEGER NOT NULL,
    group_key   TEXT,
    count       INTEGER NOT NULL,
    observed    REAL    NOT NULL,
    threshold   REAL,
    unit        TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    trace_id    TEXT,
    span_id     TEXT,
    link        TEXT,
    delivery    TEXT    NOT NULL, -- pending | delivered | failed | no_channel
    cooldown_until_ns INTEGER NOT NULL
);
-- The history page (newest first) and a rule's open cooldowns at start-up.
CREATE INDEX alert_events_newest ON alert_events (fired_ns DESC);
CREATE INDEX alert_events_by_rule ON alert_events (rule_id, fired_ns DESC);

CREATE TABLE alert_deliveries (
    id       INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL,
    channel  INTEGER NOT NULL, -- index into the rule's channels
    attempt  INTEGER NOT NULL,
    at_ns    INTEGER NOT NULL,
    status   INTEGER,          -- the receiver's HTTP status, when it answered
    error    TEXT,
    outcome  TEXT    NOT NULL  -- delivered | retrying | failed
);
CREATE INDEX alert_deliveries_by_event ON alert_deliveries (event_id, id);

-- Window rules and rule previews read the spans that ended in a recent range.
-- end_ns grows with time, so new entries land at the index's right edge and
-- ingest pays little for it.
CREATE INDEX spans_by_end ON spans (end_ns);
