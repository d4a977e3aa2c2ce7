-- Token costs: each model call is costed at ingest with the prices in force (the
-- shipped list, then operator overrides), and the entry used is recorded, so a
-- later price change never silently rewrites what a past call cost.

-- NULL cost on a model call (kind llm or embedding) means unpriced: no entry
-- matched its model. NULL on other spans means not a model call.
ALTER TABLE spans ADD COLUMN cost_usd REAL;
ALTER TABLE spans ADD COLUMN price_id TEXT; -- PriceEntry id, e.g. "override:my-model"

-- A trace's cost is the sum of its priced calls; unpriced calls are counted apart
-- so the list can say "+2 unpriced" instead of showing a low total as complete.
ALTER TABLE traces ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
ALTER TABLE traces ADD COLUMN model_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE traces ADD COLUMN unpriced INTEGER NOT NULL DEFAULT 0;

-- Cost and tokens by hour, model and calling service, rolled up at ingest so the
-- costs page and GET /api/stats/cost never scan spans. Model '' = none named.
CREATE TABLE cost_hourly (
    hour              INTEGER NOT NULL, -- start_ns / 3,600,000,000,000
    model             TEXT    NOT NULL,
    service           TEXT    NOT NULL,
    calls             INTEGER NOT NULL,
    unpriced          INTEGER NOT NULL,
    input_tokens      INTEGER NOT NULL,
    output_tokens     INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cost_usd          REAL    NOT NULL,
    PRIMARY KEY (hour, model, service)
) WITHOUT ROWID;

-- Operator prices (USD per million tokens); they win over the shipped list.
CREATE TABLE price_overrides (
    model                TEXT NOT NULL PRIMARY KEY,
    pattern              TEXT, -- NULL: the model name, case-insensitive, whole
    input_per_mtok       REAL NOT NULL,
    output_per_mtok      REAL NOT NULL,
    cache_read_per_mtok  REAL,
    cache_write_per_mtok REAL,
    updated_ns           INTEGER NOT NULL
) WITHOUT ROWID;

-- Model calls stored before this migration (rowid up to `up_to`) are costed once at
-- start with the shipped prices (store/cost.rs); the marker goes when that is done.
CREATE TABLE cost_backfill (up_to INTEGER NOT NULL);
INSERT INTO cost_backfill (up_to) SELECT id FROM spans ORDER BY id DESC LIMIT 1; -- no row: nothing to cost

-- The overview, cost per trace, and per-user and per-session figures read every
-- trace of a time range: this index holds all they need, so a week of traces is
-- one sequential index scan instead of a table lookup per trace. (The columns
-- change as spans arrive; the writer rewrites a trace's entry once per batch.)
CREATE INDEX traces_by_start_stats ON traces (
    start_ns, duration_ns, error_count, cost_usd, unpriced, model_calls, input_tokens, output_tokens, cache_read_tokens
);
