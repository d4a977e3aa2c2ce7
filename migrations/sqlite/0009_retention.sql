-- What retention (loupe serve --retain, --max-db-size) has deleted, for the
-- settings page: one row.
CREATE TABLE retention_stats (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    traces_deleted INTEGER NOT NULL,
    spans_deleted  INTEGER NOT NULL,
    last_run_ns    INTEGER,
    last_deleted   INTEGER NOT NULL
);
INSERT INTO retention_stats (id, traces_deleted, spans_deleted, last_run_ns, last_deleted) VALUES (1, 0, 0, NULL, 0);
