-- OpenTelemetry log records, beside the spans they were written in.
--
-- A rowid table, so new records append. `key` is a hash of the record as sent:
-- an exporter's retry of the same records is stored once. A trace's records are
-- found by (trace_id, time_ns); the Logs page reads newest first by id.
CREATE TABLE logs (
    id              INTEGER PRIMARY KEY, -- insertion order
    key             TEXT    NOT NULL,
    time_ns         INTEGER NOT NULL,
    observed_ns     INTEGER NOT NULL,
    trace_id        TEXT,                -- NULL: a standalone record
    span_id         TEXT,                -- NULL: tied to the trace only, or standalone
    severity_number INTEGER NOT NULL,    -- 0 unspecified, 1-24 (TRACE … FATAL4)
    severity_text   TEXT,
    service         TEXT    NOT NULL,
    resource_key    TEXT    NOT NULL,    -- resources.key
    scope           TEXT,
    event_name      TEXT,
    body            TEXT    NOT NULL,    -- JSON value (a string, any value, or null when fingerprinted)
    attributes      TEXT    NOT NULL,    -- JSON object
    exception       TEXT,                -- JSON {type, message}
    content         TEXT    NOT NULL,    -- JSON array of content fingerprints
    content_policy  TEXT    NOT NULL,
    flags           INTEGER NOT NULL
);
CREATE UNIQUE INDEX logs_key ON logs (key);
CREATE INDEX logs_trace ON logs (trace_id, time_ns) WHERE trace_id IS NOT NULL;
CREATE INDEX logs_time ON logs (time_ns);
-- Warnings and worse, newest first: the filtered Logs page and the alert rules.
CREATE INDEX logs_notable ON logs (severity_number, id) WHERE severity_number >= 13;
