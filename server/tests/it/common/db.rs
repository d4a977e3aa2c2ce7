//! The database a test runs on. By default a fresh SQLite file in the test's data
//! directory; with `LOUPE_TEST_POSTGRES=postgres://USER:PASSWORD@HOST:PORT/DB` a
//! fresh schema on that PostgreSQL server, so the whole suite runs on both
//! backends (`scripts/test.sh` runs it twice). Tests that look into the database
//! itself go through here, so they hold on either.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, PgConnection, Row, SqliteConnection};

pub const POSTGRES_ENV: &str = "LOUPE_TEST_POSTGRES";

#[derive(Clone, Debug)]
pub enum TestDb {
    Sqlite { file: PathBuf },
    Postgres { url: String, schema: String },
}

/// The PostgreSQL server this run of the suite is on, if any.
fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Whether this run of the suite is on PostgreSQL.
pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

impl TestDb {
    /// A database no other test sees: `loupe.db` in `dir`, or a new schema.
    pub async fn fresh(dir: &Path) -> TestDb {
        let Some(server) = postgres_server() else {
            return TestDb::Sqlite { file: dir.join("loupe.db") };
        };
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
        let schema = format!("t_{}_{}_{}", std::process::id(), nanos % 1_000_000_000, NEXT.fetch_add(1, Ordering::Relaxed));
        let mut conn = PgConnection::connect(&server).await.unwrap_or_else(|e| panic!("{POSTGRES_ENV}: cannot connect: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let sep = if server.contains('?') { '&' } else { '?' };
        TestDb::Postgres { url: format!("{server}{sep}options[search_path]={schema}"), schema }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }

    /// The `serve` flags that point Loupe at it.
    pub fn serve_args(&self) -> Vec<String> {
        vec!["--db".into(), self.url()]
    }

    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite { file } => format!("sqlite:{}", file.display()),
            TestDb::Postgres { url, .. } => url.clone(),
        }
    }

    /// Runs one statement whose parameters are integers.
    pub async fn execute(&self, sql: &str, binds: &[i64]) {
        match self {
            TestDb::Sqlite { .. } => {
                let mut conn = SqliteConnection::connect(&self.url()).await.unwrap();
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
                for b in binds {
                    q = q.bind(*b);
                }
                q.execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = PgConnection::connect(url).await.unwrap();
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
                for b in binds {
                    q = q.bind(*b);
                }
                q.execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
        }
    }

    /// Spans per stored trace.
    pub async fn span_counts(&self) -> HashMap<String, i64> {
        self.by_trace("SELECT trace_id, COUNT(*) FROM spans GROUP BY trace_id").await
    }

    /// A (trace id, integer) query's rows, read-only.
    pub async fn by_trace(&self, sql: &str) -> HashMap<String, i64> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            TestDb::Sqlite { file } => {
                let mut conn = SqliteConnection::connect(&format!("sqlite:{}?mode=ro", file.display())).await.unwrap();
                let rows = sqlx::query(sql).fetch_all(&mut conn).await.unwrap();
                conn.close().await.unwrap();
                rows.iter().map(|r| (r.get(0), r.get(1))).collect()
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = PgConnection::connect(url).await.unwrap();
                let rows = sqlx::query(sql).fetch_all(&mut conn).await.unwrap();
                conn.close().await.unwrap();
                rows.iter().map(|r| (r.get(0), r.get(1))).collect()
            }
        }
    }

    /// The database checks itself: SQLite's integrity check; on PostgreSQL,
    /// every index of the span tables agrees with its table (amcheck is not
    /// assumed, so each index is read against a full count).
    pub async fn integrity_ok(&self) -> bool {
        match self {
            TestDb::Sqlite { file } => {
                let mut conn = SqliteConnection::connect(&format!("sqlite:{}?mode=ro", file.display())).await.unwrap();
                let check: String = sqlx::query("PRAGMA integrity_check").fetch_one(&mut conn).await.unwrap().get(0);
                conn.close().await.unwrap();
                check == "ok"
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = PgConnection::connect(url).await.unwrap();
                let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM spans").fetch_one(&mut conn).await.unwrap();
                let details: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM span_details").fetch_one(&mut conn).await.unwrap();
                let total: i64 = sqlx::query_scalar("SELECT spans FROM totals").fetch_one(&mut conn).await.unwrap();
                conn.close().await.unwrap();
                rows == details && rows == total
            }
        }
    }

    /// Every stored byte a reader of the database could see: the data files on
    /// SQLite; on PostgreSQL each table of the schema as text.
    pub async fn stored_bytes(&self, dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        if let TestDb::Postgres { url, schema } = self {
            // Column by column, as stored: a row's text form would escape quotes
            // and hide a string that is there.
            let mut conn = PgConnection::connect(url).await.unwrap();
            let columns: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = $1 AND data_type = 'text'",
            )
            .bind(schema)
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for (table, column) in columns {
                let text: Option<String> =
                    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT string_agg({column}, E'\\n') FROM {table}")))
                        .fetch_one(&mut conn)
                        .await
                        .unwrap();
                out.push((format!("table {table}.{column}"), text.unwrap_or_default().into_bytes()));
            }
            conn.close().await.unwrap();
        }
        out
    }

    /// Holds the database's write lock until [`WriteBlock::release`]: the ingest
    /// writer cannot commit meanwhile, as under a slow disk.
    pub async fn block_writes(&self) -> WriteBlock {
        match self {
            TestDb::Sqlite { .. } => {
                let mut conn = SqliteConnection::connect(&self.url()).await.unwrap();
                sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.unwrap();
                WriteBlock::Sqlite(conn)
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = PgConnection::connect(url).await.unwrap();
                // EXCLUSIVE blocks inserts and leaves reads alone.
                sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::query("LOCK TABLE spans IN EXCLUSIVE MODE").execute(&mut conn).await.unwrap();
                WriteBlock::Postgres(conn)
            }
        }
    }
}

pub enum WriteBlock {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl WriteBlock {
    pub async fn release(self) {
        match self {
            WriteBlock::Sqlite(mut c) => {
                sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
            WriteBlock::Postgres(mut c) => {
                sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
        }
    }
}
