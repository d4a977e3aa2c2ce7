//! [`Store`]: the handle on the database, opening (and migrating) it, its pools,
//! and what start-up and health checks ask of it.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

use super::backend::{Db, Pools, with_db};
use crate::error::{Error, Result};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Connections per process on PostgreSQL: reads, the rare admin writes and the
/// ingest writer's own connection come out of one server's `max_connections`
/// (100 by default), so a few replicas fit comfortably.
const PG_POOL_SIZE: u32 = 8;

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(super) db: Db,
}

impl Store {
    /// Connections per pool: (pool, open, idle).
    pub fn pool_stats(&self) -> Vec<(&'static str, u32, u32)> {
        fn stats<DB: sqlx::Database>(name: &'static str, p: &sqlx::Pool<DB>) -> (&'static str, u32, u32) {
            (name, p.size(), p.num_idle() as u32)
        }
        match &self.db {
            Db::Sqlite { pools, .. } => vec![stats("read", &pools.read), stats("admin", &pools.admin)],
            // One pool serves reads and admin writes.
            Db::Postgres { pools, .. } => vec![stats("postgres", &pools.read)],
        }
    }

    /// Whether other Loupe processes may share this database (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        matches!(self.db, Db::Postgres { .. })
    }

    /// Which database this is, for start-up messages: `SQLite /path` or
    /// `PostgreSQL host:port/db` (never the password).
    pub fn describe(&self) -> String {
        match &self.db {
            Db::Sqlite { options, .. } => format!("SQLite {}", options.get_filename().display()),
            Db::Postgres { options, .. } => format!(
                "PostgreSQL {}:{}/{}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or("(default database)")
            ),
        }
    }

    /// Opens the database at `url` and migrates it: `sqlite:path` (created if
    /// missing) or `postgres://user:password@host:port/database`.
    pub async fn open(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_postgres(url).await
        } else if url.starts_with("sqlite:") {
            Self::open_sqlite(url).await
        } else {
            Err(Error::BadRequest(format!(
                "database URL {:?} is neither sqlite:PATH nor postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                redact_url(url)
            )))
        }
    }

    async fn open_sqlite(url: &str) -> Result<Store> {
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
        SQLITE_MIGRATOR.run(&mut migrate_conn).await?;
        let backfilled = super::write::latency::backfill(&mut migrate_conn).await?;
        if backfilled > 0 {
            tracing::info!(spans = backfilled, "counted earlier spans into the per-step latency rollup");
        }
        migrate_conn.close().await?;
        // One connection for the rare writes outside ingest (alert rules, firings,
        // deliveries): one at a time, so they never contend with each other.
        let read = no_reaper(SqlitePoolOptions::new())
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.clone().pragma("query_only", "true"))
            .await?;
        let admin = no_reaper(SqlitePoolOptions::new()).max_connections(1).min_connections(0).connect_with(options.clone()).await?;
        Ok(Store { db: Db::Sqlite { pools: Pools { read, admin }, options } })
    }

    async fn open_postgres(url: &str) -> Result<Store> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| Error::BadRequest(format!("bad database URL {:?}: {e}", redact_url(url))))?
            .application_name("loupe")
            .log_statements(tracing::log::LevelFilter::Trace);
        // The migrator takes an advisory lock, so replicas starting together
        // migrate once and the others wait for it.
        let mut migrate_conn = options.connect().await?;
        POSTGRES_MIGRATOR.run(&mut migrate_conn).await?;
        migrate_conn.close().await?;
        let pool = no_reaper(PgPoolOptions::new())
            .max_connections(PG_POOL_SIZE)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.clone())
            .await?;
        Ok(Store { db: Db::Postgres { pools: Pools { read: pool.clone(), admin: pool }, options } })
    }

    /// How many traces and spans are stored.
    pub async fn stats(&self) -> Result<app::model::Stats> {
        with_db!(self, db => {
            let (traces, spans): (i64, i64) =
                sqlx::query_as("SELECT traces, spans FROM totals WHERE id = 1").fetch_one(&db.read).await?;
            Ok(app::model::Stats { traces: traces as u64, spans: spans as u64 })
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        with_db!(self, db => {
            sqlx::query("SELECT 1").execute(&db.read).await?;
            Ok(())
        })
    }

    pub async fn close(&self) {
        with_db!(self, db => {
            db.read.close().await;
            db.admin.close().await;
        })
    }
}

/// A pool without sqlx's idle/lifetime reaper. In sqlx 0.9.0 a returned
/// connection is published before the idle count is raised, so a concurrent
/// acquire can wrap the count to `usize::MAX`; a reaper sweep that reads it
/// then spins without yielding and wedges its runtime thread
/// (launchbadge/sqlx#3645, fixed upstream by #4289 after 0.9.0). Reaping buys
/// nothing here anyway: SQLite connections are files, and every pool checks a
/// PostgreSQL connection before handing it out (`test_before_acquire`).
fn no_reaper<DB: sqlx::Database>(options: sqlx::pool::PoolOptions<DB>) -> sqlx::pool::PoolOptions<DB> {
    options.idle_timeout(None).max_lifetime(None)
}

/// `url` with any password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}
