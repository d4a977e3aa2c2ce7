//! The per-step latency rollup: written with each batch, and rebuilt once for spans
//! stored before it existed.

use std::collections::HashMap;

use sqlx::QueryBuilder;
use sqlx::sqlite::{Sqlite, SqliteConnection};

use crate::domain::Span;
use crate::domain::step::step_name;
use crate::error::Result;
use crate::store::backend::SMALL_ROWS_PER_STATEMENT;
use crate::store::backend::per_backend;
use app::model::latency::bucket_of;

use crate::domain::HOUR_NS;

/// A span stored before steps existed, as the backfill reads it.
#[derive(sqlx::FromRow)]
struct Unstepped {
    id: i64,
    name: String,
    kind: String,
    start_ns: i64,
    end_ns: i64,
    status: i64,
    service: String,
}

/// Rollup rows counted in memory: (hour, kind, step, service, bucket) → (count,
/// errors, max_ns).
type LatencyRows<'a> = HashMap<(i64, &'a str, &'a str, &'a str, i64), (i64, i64, i64)>;

/// The latency rollup's statements, once per backend.
pub(in crate::store) struct LatencyRollup<DB>(std::marker::PhantomData<DB>);

/// What the rollup needs of a span.
pub struct LatencySample<'a> {
    pub start_ns: i64,
    pub duration_ns: i64,
    pub kind: &'a str,
    pub step: &'a str,
    pub service: &'a str,
    pub error: bool,
}

impl<'a> LatencySample<'a> {
    pub fn of(s: &'a Span) -> Self {
        LatencySample {
            start_ns: s.start_ns,
            duration_ns: s.duration_ns(),
            kind: s.kind.as_str(),
            step: &s.step,
            service: &s.resource.service,
            error: s.is_error(),
        }
    }
}

per_backend! {
impl LatencyRollup {
    /// Adds spans to the rollup: counted in memory first, then one upsert per row.
    pub(super) async fn add_to_latency<'a>(conn: &mut Conn, samples: impl Iterator<Item = LatencySample<'a>>) -> Result<()> {
        // (hour, kind, step, service, bucket) → (count, errors, max_ns)
        let mut rows: LatencyRows<'_> = HashMap::new();
        for s in samples {
            let key = (s.start_ns.div_euclid(HOUR_NS), s.kind, s.step, s.service, bucket_of(s.duration_ns));
            let e = rows.entry(key).or_insert((0, 0, 0));
            e.0 += 1;
            e.1 += s.error as i64;
            e.2 = e.2.max(s.duration_ns);
        }
        // In key order, so replicas on PostgreSQL lock rows in one order.
        let mut rows: Vec<_> = rows.into_iter().collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for chunk in rows.chunks(SMALL_ROWS_PER_STATEMENT / 4) {
            let mut q = QueryBuilder::<DB>::new("INSERT INTO step_latency (hour, kind, step, service, bucket, count, errors, max_ns) ");
            q.push_values(chunk, |mut b, ((hour, kind, step, service, bucket), (count, errors, max))| {
                b.push_bind(hour).push_bind(*kind).push_bind(*step).push_bind(*service).push_bind(bucket).push_bind(count).push_bind(errors).push_bind(max);
            });
            q.push(format!(
                " ON CONFLICT (hour, kind, step, service, bucket) DO UPDATE SET count = step_latency.count + excluded.count, \
                 errors = step_latency.errors + excluded.errors, max_ns = {}(step_latency.max_ns, excluded.max_ns)",
                D.greatest()
            ));
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    }
}
}

/// Names the steps of spans stored before the rollup existed and counts them in,
/// in batches by rowid, once (the migration leaves a marker; the last batch removes
/// it). Returns how many spans it added.
pub async fn backfill(conn: &mut SqliteConnection) -> Result<u64> {
    let pending: Option<i64> = sqlx::query_scalar("SELECT pending FROM step_backfill LIMIT 1").fetch_optional(&mut *conn).await?;
    if pending.is_none() {
        return Ok(0);
    }
    let mut added = 0;
    let mut after = 0i64;
    loop {
        let rows = sqlx::query_as::<Sqlite, Unstepped>(
            "SELECT id, name, kind, start_ns, end_ns, status, service FROM spans \
             WHERE id > $1 AND step IS NULL ORDER BY id LIMIT 10000",
        )
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        if rows.is_empty() {
            sqlx::query("DELETE FROM step_backfill").execute(&mut *tx).await?;
            tx.commit().await?;
            return Ok(added);
        }
        let spans: Vec<(i64, String, String, i64, i64, bool, String)> = rows
            .into_iter()
            .map(|r| (r.id, step_name(&r.name), r.kind, r.start_ns, r.end_ns - r.start_ns, r.status == 2, r.service))
            .collect();
        after = spans.last().map_or(after, |s| s.0);
        for chunk in spans.chunks(SMALL_ROWS_PER_STATEMENT / 2) {
            let mut q = QueryBuilder::<Sqlite>::new("UPDATE spans SET step = v.column2 FROM (");
            q.push_values(chunk, |mut b, (id, step, ..)| {
                b.push_bind(id).push_bind(step);
            });
            q.push(") AS v WHERE spans.id = v.column1");
            q.build().execute(&mut *tx).await?;
        }
        let samples = spans.iter().map(|(_, step, kind, start_ns, duration_ns, error, service)| LatencySample {
            start_ns: *start_ns,
            duration_ns: *duration_ns,
            kind,
            step,
            service,
            error: *error,
        });
        LatencyRollup::<Sqlite>::add_to_latency(&mut tx, samples).await?;
        tx.commit().await?;
        added += spans.len() as u64;
    }
}
