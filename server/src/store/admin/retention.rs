//! Retention's queries: which traces are past their time, deleting traces with
//! every row that hangs off them (in one short transaction per batch, so ingest
//! waits for at most one batch), the hourly rollups past their time, and how big
//! the database is.

use sqlx::QueryBuilder;

use app::model::sampling::SizeMeasure;

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::{Dialect, Sql, push_in_list, with_db};

/// Which traces an age rule covers: one service, or every service but some.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Services<'a> {
    Only(&'a str),
    AllBut(&'a [String]),
}

/// Adds `AND service …` for `services`, on column `col`.
fn push_services(q: &mut impl Sql, col: &str, services: Services<'_>) {
    match services {
        Services::Only(s) => {
            q.push(format!(" AND {col} = ")).push_bind(s.to_string());
        }
        Services::AllBut([]) => {}
        Services::AllBut(except) => {
            q.push(format!(" AND {col} NOT IN "));
            push_in_list(q, except.iter().cloned());
        }
    }
}

/// Which log records a deletion takes (beside those deleted with their traces).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogCut<'a> {
    /// The records of `services` older than `cutoff_ns`: standalone ones, and
    /// those of traces whose spans never arrived (a stored trace's go with it).
    Before { services: Services<'a>, cutoff_ns: i64 },
    /// The oldest records older than `before_ns` (the oldest trace's start)
    /// that belong to no stored trace: the size cap's share.
    OldestUntraced { before_ns: i64 },
}

/// A record (as `l`) of no stored trace: standalone, or its trace's spans never came.
const UNTRACED: &str = "NOT EXISTS (SELECT 1 FROM traces t WHERE t.trace_id = l.trace_id)";

/// What retention has done, as the settings page shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetentionStats {
    pub traces_deleted: u64,
    pub spans_deleted: u64,
    pub last_run_ns: Option<i64>,
    pub last_deleted: u64,
}

/// What a deleted trace took up.
#[derive(sqlx::FromRow)]
struct Footprint {
    span_count: i64,
    bytes: i64,
}

#[derive(sqlx::FromRow)]
struct StatsRow {
    traces_deleted: i64,
    spans_deleted: i64,
    last_run_ns: Option<i64>,
    last_deleted: i64,
}

impl Store {
    /// Up to `limit` traces of `services` that started before `cutoff_ns`, oldest first.
    pub async fn traces_started_before(&self, services: Services<'_>, cutoff_ns: i64, limit: i64) -> Result<Vec<String>> {
        with_db!(self, db => {
            let mut q = QueryBuilder::<DB>::new("SELECT trace_id FROM traces WHERE start_ns < ");
            q.push_bind(cutoff_ns);
            push_services(&mut q, "service", services);
            q.push(" ORDER BY start_ns LIMIT ").push_bind(limit);
            Ok(q.build_query_scalar::<String>().fetch_all(&db.read).await?)
        })
    }

    /// The `limit` oldest traces.
    pub async fn oldest_traces(&self, limit: i64) -> Result<Vec<String>> {
        self.traces_started_before(Services::AllBut(&[]), i64::MAX, limit).await
    }

    /// When the oldest stored trace started.
    pub async fn oldest_trace_ns(&self) -> Result<Option<i64>> {
        with_db!(self, db => {
            Ok(sqlx::query_scalar("SELECT MIN(start_ns) FROM traces").fetch_one(&db.read).await?)
        })
    }

    /// Deletes traces with their spans, details, tags and share links, takes them
    /// off the totals and adds them to retention's, in one transaction; returns
    /// the traces and spans deleted.
    pub async fn delete_traces(&self, ids: &[String]) -> Result<(u64, u64)> {
        if ids.is_empty() {
            return Ok((0, 0));
        }
        with_db!(self, db => {
            let mut tx = db.admin.begin_with(D.begin_write()).await?;
            // On PostgreSQL the summary rows are locked first (in trace id order, as
            // the writer locks them): a late span for one of these traces then
            // waits for this deletion and starts the trace afresh, where without
            // the lock it could change the counts between this read and the
            // delete, and the totals would drift. (SQLite's IMMEDIATE lock already
            // keeps the writer out.)
            let mut q = QueryBuilder::<DB>::new("SELECT span_count, bytes FROM traces WHERE trace_id IN ");
            push_in_list(&mut q, ids.iter().cloned());
            if D == Dialect::Postgres {
                q.push(" ORDER BY trace_id FOR UPDATE");
            }
            let rows = q.build_query_as::<Footprint>().fetch_all(&mut *tx).await?;
            let traces = rows.len() as i64;
            let (spans, mut bytes) = rows.iter().fold((0i64, 0i64), |(s, b), r| (s + r.span_count, b + r.bytes));
            let mut q = QueryBuilder::<DB>::new("SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM logs WHERE trace_id IN ");
            push_in_list(&mut q, ids.iter().cloned());
            bytes += q.build_query_scalar::<i64>().fetch_one(&mut *tx).await?;
            let details = match D {
                Dialect::Sqlite => "DELETE FROM span_details WHERE id IN (SELECT id FROM spans WHERE trace_id IN ",
                Dialect::Postgres => "DELETE FROM span_details WHERE trace_id IN ",
            };
            for (start, end) in [(details, if D == Dialect::Sqlite { ")" } else { "" }),
                                 ("DELETE FROM spans WHERE trace_id IN ", ""),
                                 ("DELETE FROM trace_tags WHERE trace_id IN ", ""),
                                 ("DELETE FROM share_links WHERE trace_id IN ", ""),
                                 ("DELETE FROM logs WHERE trace_id IN ", ""),
                                 ("DELETE FROM traces WHERE trace_id IN ", "")] {
                let mut q = QueryBuilder::<DB>::new(start);
                push_in_list(&mut q, ids.iter().cloned());
                q.push(end);
                q.build().execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE totals SET traces = traces - $1, spans = spans - $2, bytes = bytes - $3 WHERE id = 1")
                .bind(traces)
                .bind(spans)
                .bind(bytes)
                .execute(&mut *tx)
                .await?;
            // In the same transaction, so a run cut short still counts what it did.
            sqlx::query("UPDATE retention_stats SET traces_deleted = traces_deleted + $1, spans_deleted = spans_deleted + $2 WHERE id = 1")
                .bind(traces)
                .bind(spans)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok((traces as u64, spans as u64))
        })
    }

    /// Deletes at most `limit` log records (`cut` says which) and takes their
    /// bytes off the size count, in one transaction; returns how many went.
    pub async fn delete_logs(&self, cut: LogCut<'_>, limit: i64) -> Result<u64> {
        with_db!(self, db => {
            let mut q = QueryBuilder::<DB>::new("DELETE FROM logs WHERE id IN (SELECT id FROM logs l WHERE ");
            match cut {
                LogCut::Before { services, cutoff_ns } => {
                    q.push("time_ns < ").push_bind(cutoff_ns);
                    push_services(&mut q, "service", services);
                }
                LogCut::OldestUntraced { before_ns } => {
                    q.push("time_ns < ").push_bind(before_ns).push(format!(" AND {UNTRACED} ORDER BY time_ns"));
                }
            }
            q.push(" LIMIT ").push_bind(limit).push(") RETURNING bytes");
            let mut tx = db.admin.begin_with(D.begin_write()).await?;
            let bytes: Vec<i64> = q.build_query_scalar().fetch_all(&mut *tx).await?;
            sqlx::query("UPDATE totals SET bytes = bytes - $1 WHERE id = 1").bind(bytes.iter().sum::<i64>()).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(bytes.len() as u64)
        })
    }

    /// When the oldest record older than `before_ns` that belongs to no stored
    /// trace was written (bounded so: records of stored traces are not scanned).
    pub async fn oldest_untraced_log_ns(&self, before_ns: i64) -> Result<Option<i64>> {
        with_db!(self, db => {
            let sql = format!("SELECT time_ns FROM logs l WHERE time_ns < $1 AND {UNTRACED} ORDER BY time_ns LIMIT 1");
            Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(before_ns).fetch_optional(&db.read).await?)
        })
    }

    /// Deletes the hourly latency and cost rollups of `services` before `cutoff_ns`.
    pub async fn delete_rollups_before(&self, services: Services<'_>, cutoff_ns: i64) -> Result<()> {
        let hour = cutoff_ns.div_euclid(3_600_000_000_000);
        with_db!(self, db => {
            for table in ["step_latency", "cost_hourly"] {
                let mut q = QueryBuilder::<DB>::new(format!("DELETE FROM {table} WHERE hour < "));
                q.push_bind(hour);
                push_services(&mut q, "service", services);
                q.build().execute(&db.admin).await?;
            }
            Ok(())
        })
    }

    /// Bytes the data takes, which the size cap holds down, and how they are
    /// measured. SQLite: the pages in use (not the free ones it reuses), exact.
    /// PostgreSQL: Loupe's own count of its span and log data (`footprint`), since its
    /// sizes include the space of deleted rows kept for reuse.
    pub async fn used_bytes(&self) -> Result<(u64, SizeMeasure)> {
        with_db!(self, db => {
            match D {
                Dialect::Sqlite => {
                    let bytes: i64 = sqlx::query_scalar(
                        "SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()",
                    )
                    .fetch_one(&db.read)
                    .await?;
                    Ok((bytes.max(0) as u64, SizeMeasure::Pages))
                }
                Dialect::Postgres => Ok((self.counted_bytes().await?, SizeMeasure::Counted)),
            }
        })
    }

    /// Loupe's count of the bytes its stored spans and log records take (`footprint`).
    pub async fn counted_bytes(&self) -> Result<u64> {
        with_db!(self, db => {
            let bytes: i64 = sqlx::query_scalar("SELECT bytes FROM totals WHERE id = 1").fetch_one(&db.read).await?;
            Ok(bytes.max(0) as u64)
        })
    }

    /// Bytes of the database's files: SQLite's file (free pages too); on
    /// PostgreSQL, Loupe's tables with their indexes and TOAST, space kept for
    /// reuse included.
    pub async fn file_bytes(&self) -> Result<u64> {
        with_db!(self, db => {
            let sql = match D {
                Dialect::Sqlite => "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                Dialect::Postgres => {
                    "SELECT CAST(COALESCE(SUM(pg_total_relation_size(relid)), 0) AS BIGINT) FROM pg_catalog.pg_statio_user_tables \
                     WHERE schemaname = current_schema()"
                }
            };
            let bytes: i64 = sqlx::query_scalar(sql).fetch_one(&db.read).await?;
            Ok(bytes.max(0) as u64)
        })
    }

    /// Notes a finished run and how many traces it deleted.
    pub async fn record_retention(&self, traces: u64, now: i64) -> Result<()> {
        with_db!(self, db => {
            sqlx::query("UPDATE retention_stats SET last_run_ns = $1, last_deleted = $2 WHERE id = 1")
                .bind(now)
                .bind(traces as i64)
                .execute(&db.admin)
                .await?;
            Ok(())
        })
    }

    pub async fn retention_stats(&self) -> Result<RetentionStats> {
        with_db!(self, db => {
            let r = sqlx::query_as::<DB, StatsRow>("SELECT traces_deleted, spans_deleted, last_run_ns, last_deleted FROM retention_stats WHERE id = 1")
                .fetch_one(&db.read)
                .await?;
            Ok(RetentionStats {
                traces_deleted: r.traces_deleted as u64,
                spans_deleted: r.spans_deleted as u64,
                last_run_ns: r.last_run_ns,
                last_deleted: r.last_deleted as u64,
            })
        })
    }
}
