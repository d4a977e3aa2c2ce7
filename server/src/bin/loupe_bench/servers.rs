//! The Loupe processes under test: one on a fresh SQLite data directory, or one
//! or more replicas sharing a fresh schema of a PostgreSQL database.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sqlx::Connection;

pub struct Servers {
    children: Vec<Child>,
    pub bases: Vec<String>,
    data_dirs: Vec<tempfile::TempDir>,
    /// PostgreSQL: the server URL and the schema made for this run.
    postgres: Option<(String, String)>,
}

/// A name no earlier run used.
fn schema_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("bench_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

impl Servers {
    /// Starts `replicas` servers: on SQLite when `postgres` is `None` (one only),
    /// else on a new schema of that database.
    pub async fn start(postgres: Option<&str>, replicas: usize, extra: &[String]) -> anyhow::Result<Servers> {
        anyhow::ensure!(replicas >= 1, "--replicas must be at least 1");
        anyhow::ensure!(
            replicas == 1 || postgres.is_some(),
            "several replicas need --db postgres://…: a SQLite file belongs to one process"
        );
        let exe: PathBuf = std::env::current_exe()?.with_file_name("loupe");
        anyhow::ensure!(exe.exists(), "{} not found: build it with `cargo build --release -p loupe --bins`", exe.display());
        let postgres = match postgres {
            Some(url) => {
                let schema = schema_name();
                let mut conn = sqlx::PgConnection::connect(url).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut conn).await?;
                conn.close().await?;
                Some((url.to_string(), schema))
            }
            None => None,
        };
        let mut servers = Servers { children: Vec::new(), bases: Vec::new(), data_dirs: Vec::new(), postgres };
        for _ in 0..replicas {
            let data_dir = tempfile::tempdir()?;
            let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let mut cmd = Command::new(&exe);
            cmd.args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--data-dir"]).arg(data_dir.path()).args(extra);
            if !extra.iter().any(|a| a.starts_with("--grpc-addr")) {
                cmd.args(["--grpc-addr", "off"]);
            }
            if let Some((url, schema)) = &servers.postgres {
                let sep = if url.contains('?') { '&' } else { '?' };
                cmd.args(["--db", &format!("{url}{sep}options[search_path]={schema}")]);
                cmd.args(["--content-key", &"42".repeat(32)]);
            }
            let child = cmd.env("LOUPE_LOG", "error").stdout(Stdio::null()).stderr(Stdio::inherit()).spawn()?;
            servers.children.push(child);
            servers.data_dirs.push(data_dir);
            servers.bases.push(format!("http://127.0.0.1:{port}"));
        }
        for base in &servers.bases {
            let mut up = false;
            for _ in 0..200 {
                if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
                    up = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            anyhow::ensure!(up, "loupe on {base} did not start");
        }
        Ok(servers)
    }

    pub fn base(&self) -> &str {
        &self.bases[0]
    }

    pub fn backend(&self) -> String {
        match (&self.postgres, self.bases.len()) {
            (None, _) => "SQLite".into(),
            (Some(_), 1) => "PostgreSQL".into(),
            (Some(_), n) => format!("PostgreSQL, {n} replicas"),
        }
    }

    /// The largest peak RSS among the servers.
    pub fn peak_rss_mib(&self) -> f64 {
        self.children
            .iter()
            .map(|c| {
                let status = std::fs::read_to_string(format!("/proc/{}/status", c.id())).unwrap_or_default();
                status
                    .lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
                    .map(|kb| kb / 1024.0)
                    .unwrap_or(f64::NAN)
            })
            .fold(0.0, f64::max)
    }

    /// Bytes the data takes: the SQLite files, or the schema's tables, indexes
    /// and TOAST on PostgreSQL (its WAL is shared by the whole server, so left out).
    pub async fn disk_bytes(&self) -> anyhow::Result<u64> {
        match &self.postgres {
            None => Ok(std::fs::read_dir(self.data_dirs[0].path())?.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum()),
            Some((url, schema)) => {
                let mut conn = sqlx::PgConnection::connect(url).await?;
                let bytes: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS BIGINT) FROM pg_class c \
                     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
                )
                .bind(schema)
                .fetch_one(&mut conn)
                .await?;
                conn.close().await?;
                Ok(bytes as u64)
            }
        }
    }

    /// SIGTERM (a clean shutdown, like an operator's), then drops the schema.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        for c in &mut self.children {
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
        if let Some((url, schema)) = &self.postgres {
            let mut conn = sqlx::PgConnection::connect(url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&mut conn).await?;
            conn.close().await?;
        }
        Ok(())
    }
}

/// A failed run must not leave servers behind.
impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
