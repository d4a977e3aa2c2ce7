-- Log records of traces waiting for a tail-sampling decision: held here, like
-- their spans in pending_spans, and moved to `logs` or deleted with them.
-- `body` is the normalized record as JSON; `key` is the record's key in `logs`.
CREATE TABLE pending_logs (
    key         TEXT   PRIMARY KEY,
    trace_id    TEXT   NOT NULL,
    received_ns BIGINT NOT NULL,
    is_error    BIGINT NOT NULL, -- ERROR or worse: the trace is kept as one with an error
    alert_match BIGINT NOT NULL, -- a log alert rule would fire on it
    body        TEXT   NOT NULL
);
CREATE INDEX pending_logs_trace ON pending_logs (trace_id);

-- What each stored record counts for in the size cap's measure (`footprint`),
-- so deleting it takes exactly that off `totals.bytes`.
ALTER TABLE logs ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;
