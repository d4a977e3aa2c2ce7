-- What each trace's spans take, as Loupe counts it (server/src/store/footprint.rs:
-- every column's bytes plus ROW_OVERHEAD = 450 per span), and the running sum,
-- which the size cap (--max-db-size) reads. Traces stored before this migration
-- are counted here by the same rule.
ALTER TABLE traces ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE totals ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;

UPDATE traces t SET bytes = c.bytes FROM (
    SELECT s.trace_id, SUM(450 + 88 + 32 + 16 + CASE WHEN s.parent_span_id IS NULL THEN 0 ELSE 16 END
        + octet_length(s.name) + octet_length(s.step) + octet_length(s.service) + octet_length(s.resource_key)
        + octet_length(s.kind) + octet_length(s.otel_kind) + octet_length(s.content_policy)
        + COALESCE(octet_length(s.status_message), 0) + COALESCE(octet_length(s.request_model), 0)
        + COALESCE(octet_length(s.response_model), 0) + COALESCE(octet_length(s.provider), 0)
        + COALESCE(octet_length(s.tool_name), 0) + COALESCE(octet_length(s.user_id), 0)
        + COALESCE(octet_length(s.session_id), 0) + COALESCE(octet_length(s.scope), 0)
        + COALESCE(octet_length(d.attributes) + octet_length(d.events) + octet_length(d.links) + octet_length(d.content), 0)) AS bytes
    FROM spans s LEFT JOIN span_details d ON d.trace_id = s.trace_id AND d.id = s.id
    GROUP BY s.trace_id
) c WHERE c.trace_id = t.trace_id;
UPDATE totals SET bytes = (SELECT COALESCE(SUM(bytes), 0) FROM traces) WHERE id = 1;
