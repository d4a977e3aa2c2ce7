-- What each trace's spans take, as Loupe counts it (server/src/store/footprint.rs:
-- every column's bytes plus ROW_OVERHEAD = 450 per span), and the running sum.
-- The size cap reads the sum on PostgreSQL; SQLite keeps it too, so both
-- backends hold the same columns. Traces stored before this migration are
-- counted here by the same rule (length of a BLOB cast is bytes, not characters).
ALTER TABLE traces ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE totals ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;

UPDATE traces SET bytes = COALESCE((
    SELECT SUM(450 + 88 + 32 + 16 + CASE WHEN s.parent_span_id IS NULL THEN 0 ELSE 16 END
        + length(CAST(s.name AS BLOB)) + COALESCE(length(CAST(s.step AS BLOB)), 0) + length(CAST(s.service AS BLOB))
        + length(CAST(s.resource_key AS BLOB)) + length(CAST(s.kind AS BLOB)) + length(CAST(s.otel_kind AS BLOB))
        + length(CAST(s.content_policy AS BLOB))
        + COALESCE(length(CAST(s.status_message AS BLOB)), 0) + COALESCE(length(CAST(s.request_model AS BLOB)), 0)
        + COALESCE(length(CAST(s.response_model AS BLOB)), 0) + COALESCE(length(CAST(s.provider AS BLOB)), 0)
        + COALESCE(length(CAST(s.tool_name AS BLOB)), 0) + COALESCE(length(CAST(s.user_id AS BLOB)), 0)
        + COALESCE(length(CAST(s.session_id AS BLOB)), 0) + COALESCE(length(CAST(s.scope AS BLOB)), 0)
        + COALESCE((SELECT length(CAST(d.attributes AS BLOB)) + length(CAST(d.events AS BLOB))
                         + length(CAST(d.links AS BLOB)) + length(CAST(d.content AS BLOB))
                    FROM span_details d WHERE d.id = s.id), 0))
    FROM spans s WHERE s.trace_id = traces.trace_id), 0);
UPDATE totals SET bytes = (SELECT COALESCE(SUM(bytes), 0) FROM traces) WHERE id = 1;
