//! Background jobs that must run on one replica at a time (window alert rules,
//! retention). A replica runs a job only after claiming its slot: the slot row
//! says when it last ran, so N replicas run it once per interval, not N times;
//! on PostgreSQL the claim also takes the job's advisory lock for the length of
//! the run, so a run that outlasts its interval never overlaps the next.

use sqlx::pool::PoolConnection;
use sqlx::postgres::Postgres;

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::{Db, advisory_key, per_backend};

/// The job-lease statements, once per backend.
pub(in crate::store) struct JobSql<DB>(std::marker::PhantomData<DB>);

/// A claimed run; [`JobLease::release`] it when done.
pub struct JobLease {
    /// PostgreSQL: the connection holding the advisory lock.
    lock: Option<(PoolConnection<Postgres>, i64)>,
}

per_backend! {
impl JobSql {
    /// Takes the slot of `job` if it last ran `min_gap_ns` or more ago.
    async fn claim_slot(conn: &mut Conn, job: &str, min_gap_ns: i64, now: i64) -> Result<bool> {
        sqlx::query("INSERT INTO job_runs (name, last_run_ns) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING")
            .bind(job)
            .execute(&mut *conn)
            .await?;
        let done = sqlx::query("UPDATE job_runs SET last_run_ns = $1, holder = $2 WHERE name = $3 AND last_run_ns <= $4")
            .bind(now)
            .bind(holder())
            .bind(job)
            .bind(now - min_gap_ns)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
}

/// Who holds a slot, for whoever looks at `job_runs`: host and process id (read
/// once; a claim happens every interval).
fn holder() -> &'static str {
    static HOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOLDER.get_or_init(|| {
        let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
        format!("{host}:{}", std::process::id())
    })
}

impl Store {
    /// Claims this interval's run of `job`; `None` when another replica runs it
    /// now or ran it less than `min_gap_ns` ago.
    pub async fn claim_job(&self, job: &str, min_gap_ns: i64) -> Result<Option<JobLease>> {
        let now = crate::domain::now_ns();
        match &self.db {
            Db::Sqlite { pools, .. } => {
                let mut conn = pools.admin.acquire().await?;
                let claimed = JobSql::<sqlx::Sqlite>::claim_slot(&mut conn, job, min_gap_ns, now).await?;
                Ok(claimed.then_some(JobLease { lock: None }))
            }
            Db::Postgres { pools, .. } => {
                let mut conn = pools.admin.acquire().await?;
                let key = advisory_key(&format!("job:{job}"));
                let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(key).fetch_one(&mut *conn).await?;
                if !locked {
                    return Ok(None);
                }
                let mut lease = JobLease { lock: Some((conn, key)) };
                let (conn, _) = lease.lock.as_mut().expect("just set");
                match JobSql::<Postgres>::claim_slot(conn, job, min_gap_ns, now).await {
                    Ok(true) => Ok(Some(lease)),
                    other => {
                        lease.release().await;
                        other.map(|_| None)
                    }
                }
            }
        }
    }
}

impl JobLease {
    /// Ends the run: the advisory lock is given back with the connection.
    pub async fn release(mut self) {
        if let Some((mut conn, key)) = self.lock.take()
            && sqlx::query("SELECT pg_advisory_unlock($1)").bind(key).execute(&mut *conn).await.is_err()
        {
            // Closing the session releases its locks just as well.
            drop(conn.detach());
        }
    }
}

/// A lease dropped without [`JobLease::release`] (a failed run) must not return
/// a connection still holding the lock to the pool: the connection is closed.
impl Drop for JobLease {
    fn drop(&mut self) {
        if let Some((conn, _)) = self.lock.take() {
            drop(conn.detach());
        }
    }
}
