-- Loupe's SQLite schema.
--
-- Ids are lowercase hex text and times integer Unix nanoseconds, so SQLite and
-- PostgreSQL can share most SQL. Span data is keyed by (trace_id, span_id) so that
-- the same schema can later be distributed by trace id on a PostgreSQL cluster.

-- The hot span row: everything the waterfall and the filters read, nothing large.
-- A rowid table, so new spans append (ingest dirties few pages per commit, where a
-- table clustered by random trace ids would touch a page per trace), and the spans
-- of a trace that arrive together sit together. The unique key (trace_id, span_id)
-- finds a trace's spans, drops client retries, and is the key a PostgreSQL cluster
-- can later distribute by.
CREATE TABLE spans (
    id                 INTEGER PRIMARY KEY, -- insertion order
    trace_id           TEXT    NOT NULL,
    span_id            TEXT    NOT NULL,
    parent_span_id     TEXT,
    name               TEXT    NOT NULL,
    service            TEXT    NOT NULL,
    kind               TEXT    NOT NULL, -- step kind: agent, chain, retrieval, llm, tool, …
    otel_kind          TEXT    NOT NULL, -- OpenTelemetry span kind
    start_ns           INTEGER NOT NULL,
    end_ns             INTEGER NOT NULL,
    status             INTEGER NOT NULL, -- 0 unset, 1 ok, 2 error
    status_message     TEXT,
    request_model      TEXT,
    response_model     TEXT,
    provider           TEXT,
    input_tokens       INTEGER NOT NULL DEFAULT 0,
    output_tokens      INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
    total_tokens       INTEGER NOT NULL DEFAULT 0,
    tool_name          TEXT,
    user_id            TEXT,
    session_id         TEXT,
    resource_key       TEXT    NOT NULL, -- resources.key
    content_policy     TEXT    NOT NULL, -- hashed | captured
    scope              TEXT              -- instrumentation scope name and version
);
CREATE UNIQUE INDEX spans_key ON spans (trace_id, span_id);

-- Attributes, events, links, content fingerprints: large and read only when a trace
-- is opened, so kept out of the hot row. Keyed by the span's rowid, so it appends
-- too and needs no index of its own. Each column is JSON, sent to API clients as it
-- is stored (no parse and re-encode per request).
CREATE TABLE span_details (
    id         INTEGER PRIMARY KEY, -- spans.id
    attributes TEXT NOT NULL,       -- JSON object
    events     TEXT NOT NULL,       -- JSON array
    links      TEXT NOT NULL,       -- JSON array
    content    TEXT NOT NULL        -- JSON array of content fingerprints
);

-- Resource attributes are shared by every span of a process: stored once, keyed by
-- a hash of their content.
CREATE TABLE resources (
    key        TEXT NOT NULL PRIMARY KEY,
    service    TEXT NOT NULL,
    attributes TEXT NOT NULL -- JSON
) WITHOUT ROWID;

-- One row per trace, maintained at ingest, so the trace list never scans spans.
-- Spans arrive in any order and in several requests: the writer adds each new span's
-- contribution (counts, tokens, time range, kinds bitmask); the root span's name and
-- service replace the provisional ones (the earliest span's) when the root arrives.
CREATE TABLE traces (
    trace_id           TEXT    NOT NULL PRIMARY KEY,
    start_ns           INTEGER NOT NULL,
    end_ns             INTEGER NOT NULL,
    duration_ns        INTEGER NOT NULL,
    root_span_id       TEXT,
    root_name          TEXT    NOT NULL,
    service            TEXT    NOT NULL,
    span_count         INTEGER NOT NULL,
    error_count        INTEGER NOT NULL,
    input_tokens       INTEGER NOT NULL,
    output_tokens      INTEGER NOT NULL,
    cache_read_tokens  INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    reasoning_tokens   INTEGER NOT NULL,
    total_tokens       INTEGER NOT NULL,
    kinds              INTEGER NOT NULL -- bit per step kind (StepKind::bit)
) WITHOUT ROWID;

-- Newest-first listing with keyset pagination: (start_ns, trace_id) < cursor,
-- walked in index order, stops after `limit` rows. Also serves since/until.
CREATE INDEX traces_newest ON traces (start_ns DESC, trace_id DESC);

-- What a trace contains, for the filters that match any of its spans (service,
-- model, user, session). Keyed so that one (tag, value) is an index range already in
-- newest-first order: a filtered list walks it backwards from the cursor and stops
-- after `limit` traces, whether the value is rare (a session) or common (a service).
-- start_ns mirrors traces.start_ns; the writer moves it when an earlier span arrives.
CREATE TABLE trace_tags (
    tag      TEXT    NOT NULL, -- service | model | user | session
    value    TEXT    NOT NULL,
    start_ns INTEGER NOT NULL,
    trace_id TEXT    NOT NULL,
    PRIMARY KEY (tag, value, start_ns, trace_id)
) WITHOUT ROWID;

-- One row per (trace, tag, value); also finds a page's models and a trace's tags
-- when its start moves.
CREATE UNIQUE INDEX trace_tags_by_trace ON trace_tags (trace_id, tag, value);

-- Running totals for headers and /api/stats/summary, updated in the writer's
-- transactions, so counting never scans.
CREATE TABLE totals (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    traces INTEGER NOT NULL,
    spans  INTEGER NOT NULL
);
INSERT INTO totals (id, traces, spans) VALUES (1, 0, 0);
