-- Per-step latency, rolled up at ingest so the latency page and
-- GET /api/stats/latency never scan spans.
--
-- A step is a span's kind and its name with per-call parts folded ("case {n}",
-- "GET /orders/{n}"; see server/src/ingest/step.rs), kept on the span so a
-- histogram bucket can list its spans.
ALTER TABLE spans ADD COLUMN step TEXT; -- NULL only for spans stored before this migration (backfilled at start)

-- One row per hour, step, service and log-duration bucket (γ = 1.1 from 1 µs; see
-- app/src/model/latency.rs). Hour first: every query reads a time range. Bucket
-- last: a step's histogram is one contiguous range of rows.
CREATE TABLE step_latency (
    hour     INTEGER NOT NULL, -- start_ns / 3,600,000,000,000
    kind     TEXT    NOT NULL,
    step     TEXT    NOT NULL,
    service  TEXT    NOT NULL,
    bucket   INTEGER NOT NULL,
    count    INTEGER NOT NULL,
    errors   INTEGER NOT NULL,
    max_ns   INTEGER NOT NULL,
    PRIMARY KEY (hour, kind, step, service, bucket)
) WITHOUT ROWID;

-- Present until the spans stored before this migration have their steps named and
-- are counted into step_latency (done at start, in batches; see store/latency.rs).
CREATE TABLE step_backfill (pending INTEGER NOT NULL);
INSERT INTO step_backfill (pending) VALUES (1);
