-- Background jobs that must run once per interval however many Loupe processes
-- share the database (window alert rules, retention): a process runs a job only
-- after moving its last_run_ns forward (store/jobs.rs).
CREATE TABLE job_runs (
    name        TEXT    NOT NULL PRIMARY KEY,
    last_run_ns INTEGER NOT NULL,
    holder      TEXT -- host:pid of the last process to run it
) WITHOUT ROWID;
