-- What retention (loupe serve --retain) has deleted, for the settings page: one row.
CREATE TABLE retention_stats (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    traces_deleted BIGINT NOT NULL,
    spans_deleted  BIGINT NOT NULL,
    last_run_ns    BIGINT,
    last_deleted   BIGINT NOT NULL
);
INSERT INTO retention_stats (id, traces_deleted, spans_deleted, last_run_ns, last_deleted) VALUES (1, 0, 0, NULL, 0);
