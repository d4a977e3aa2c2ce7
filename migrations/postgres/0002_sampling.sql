-- Tail sampling (loupe serve --sample): spans wait here until their trace is
-- decided, then move to `spans` or are deleted (sampling/mod.rs). The body is
-- the normalized span as JSON, after redaction: nothing here that the spans
-- table would not hold. The flags are copied out so a decision needs no parsing.
CREATE TABLE pending_spans (
    trace_id    TEXT   NOT NULL,
    span_id     TEXT   NOT NULL,
    received_ns BIGINT NOT NULL,
    is_root     BIGINT NOT NULL,
    is_error    BIGINT NOT NULL,
    alert_match BIGINT NOT NULL,
    body        TEXT   NOT NULL,
    PRIMARY KEY (trace_id, span_id)
);

-- Traces and spans kept or dropped, per reason, since the database began
-- ('decided_at_cap' counts the traces decided early because too many spans waited).
CREATE TABLE sampling_counts (
    reason TEXT   NOT NULL PRIMARY KEY,
    traces BIGINT NOT NULL DEFAULT 0,
    spans  BIGINT NOT NULL DEFAULT 0
);
