//! Storage (SQLite through sqlx). One file per concern; nothing outside this module
//! sees sqlx. Reads go through a pool of read connections; writes go through the
//! single connection that `ingest::writer` owns (SQLite allows one writer at a time,
//! so one writer task committing batches beats many contending ones).

mod accounts;
mod alerts;
mod api_keys;
mod cost;
mod cost_read;
mod cost_traces;
mod detail;
mod filter;
mod read_trace;
mod rollup;
mod shares;
mod trace_scan;
mod latency;
mod latency_read;
mod list;
mod overview;
mod people;
mod prices;
mod values;
mod write;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

pub use api_keys::NewKey;
pub use alerts::{NewEvent, OpenEvent, RecentSpan};
pub use filter::{ListQuery, ParsedQuery, parse_range};
pub use cost_read::CostQuery;
pub use latency_read::LatencyQuery;
pub use write::{BatchReport, WriteConn};

use crate::error::{Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// Handle to the database for reads; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// One connection for the rare writes outside ingest (alert rules, firings,
    /// deliveries): one at a time, so they never contend with each other.
    admin: SqlitePool,
    options: SqliteConnectOptions,
}

impl Store {
    /// Connections of the read and admin pools: (pool, open, idle).
    pub fn pool_stats(&self) -> [(&'static str, u32, u32); 2] {
        [("read", self.pool.size(), self.pool.num_idle() as u32), ("admin", self.admin.size(), self.admin.num_idle() as u32)]
    }

    /// Opens (creating if needed) the database at `url` (`sqlite:path`) and migrates it.
    pub async fn open(url: &str) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::BadRequest(format!("bad database URL {url:?}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is fsynced before it returns, so a 200 from the ingest
            // endpoint means the spans survive a power cut, not only a crash. Batching
            // keeps this to one fsync per many spans.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-16000") // 16 MB page cache per connection
            .pragma("wal_autocheckpoint", "8000")
            .log_statements(tracing::log::LevelFilter::Trace);
        let mut migrate_conn = options.connect().await?;
        MIGRATOR.run(&mut migrate_conn).await?;
        let backfilled = latency::backfill(&mut migrate_conn).await?;
        if backfilled > 0 {
            tracing::info!(spans = backfilled, "counted earlier spans into the per-step latency rollup");
        }
        migrate_conn.close().await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.clone().pragma("query_only", "true"))
            .await?;
        let admin = SqlitePoolOptions::new().max_connections(1).min_connections(0).connect_with(options.clone()).await?;
        Ok(Store { pool, admin, options })
    }

    /// The one connection the ingest writer owns.
    pub async fn writer_connection(&self) -> Result<WriteConn> {
        let conn: SqliteConnection = self.options.connect().await?;
        Ok(WriteConn::new(conn))
    }

    /// How many traces and spans are stored.
    pub async fn stats(&self) -> Result<app::model::Stats> {
        let (traces, spans): (i64, i64) =
            sqlx::query_as("SELECT traces, spans FROM totals WHERE id = 1").fetch_one(&self.pool).await?;
        Ok(app::model::Stats { traces: traces as u64, spans: spans as u64 })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.admin.close().await;
    }
}
