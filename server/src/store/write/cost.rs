//! The cost rollup: written with each batch, and the one-time costing of model
//! calls stored before costs existed.

use std::collections::HashMap;

use sqlx::sqlite::{Sqlite, SqliteConnection};
use sqlx::{Connection, QueryBuilder};

use crate::domain::Costing;
use crate::domain::HOUR_NS;
use crate::domain::{Span, StepKind, Tokens};
use crate::error::Result;
use crate::store::Store;
use crate::store::backend::SMALL_ROWS_PER_STATEMENT;
use crate::store::backend::{Db, per_backend};

/// A model call stored before costs existed, as the backfill reads it.
#[derive(sqlx::FromRow)]
struct Uncosted {
    id: i64,
    trace_id: String,
    kind: String,
    start_ns: i64,
    response_model: Option<String>,
    request_model: Option<String>,
    service: String,
    input_tokens: i64,
    output_tokens: i64,
    cache_read_tokens: i64,
    cache_write_tokens: i64,
}

/// Rollup rows summed in memory: (hour, model, service) → (calls, unpriced,
/// input, output, cache read, usd).
type CostRows<'a> = HashMap<(i64, &'a str, &'a str), (i64, i64, i64, i64, i64, f64)>;

/// The cost rollup's statements, once per backend.
pub(in crate::store) struct CostRollup<DB>(std::marker::PhantomData<DB>);

/// What the rollup needs of a model call.
pub struct CostSample<'a> {
    pub start_ns: i64,
    pub model: &'a str,
    pub service: &'a str,
    /// `None`: unpriced.
    pub cost_usd: Option<f64>,
    pub tokens: Tokens,
}

impl<'a> CostSample<'a> {
    /// `None` for spans that are not model calls.
    pub fn of(s: &'a Span) -> Option<Self> {
        let cost_usd = match &s.cost {
            Costing::NotModelCall => return None,
            Costing::Unpriced => None,
            Costing::Priced { usd, .. } => Some(*usd),
        };
        Some(CostSample {
            start_ns: s.start_ns,
            model: s.model().unwrap_or(""),
            service: &s.resource.service,
            cost_usd,
            tokens: s.gen_ai.tokens,
        })
    }
}

per_backend! {
impl CostRollup {
    /// Adds model calls to the hourly rollup: summed in memory, then one upsert per row.
    pub(super) async fn add_to_cost<'a>(conn: &mut Conn, samples: impl Iterator<Item = CostSample<'a>>) -> Result<()> {
        // (hour, model, service) → (calls, unpriced, input, output, cache read, usd)
        let mut rows: CostRows<'_> = HashMap::new();
        for s in samples {
            let e = rows.entry((s.start_ns.div_euclid(HOUR_NS), s.model, s.service)).or_default();
            e.0 += 1;
            e.1 += s.cost_usd.is_none() as i64;
            e.2 += s.tokens.input;
            e.3 += s.tokens.output;
            e.4 += s.tokens.cache_read;
            e.5 += s.cost_usd.unwrap_or(0.0);
        }
        // In key order, so replicas on PostgreSQL lock rows in one order.
        let mut rows: Vec<_> = rows.into_iter().collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for chunk in rows.chunks(SMALL_ROWS_PER_STATEMENT / 9) {
            let mut q = QueryBuilder::<DB>::new(
                "INSERT INTO cost_hourly (hour, model, service, calls, unpriced, input_tokens, output_tokens, cache_read_tokens, cost_usd) ",
            );
            q.push_values(chunk, |mut b, ((hour, model, service), (calls, unpriced, input, output, cache_read, usd))| {
                b.push_bind(hour).push_bind(*model).push_bind(*service).push_bind(calls).push_bind(unpriced);
                b.push_bind(input).push_bind(output).push_bind(cache_read).push_bind(usd);
            });
            q.push(
                " ON CONFLICT (hour, model, service) DO UPDATE SET calls = cost_hourly.calls + excluded.calls, \
                 unpriced = cost_hourly.unpriced + excluded.unpriced, \
                 input_tokens = cost_hourly.input_tokens + excluded.input_tokens, \
                 output_tokens = cost_hourly.output_tokens + excluded.output_tokens, \
                 cache_read_tokens = cost_hourly.cache_read_tokens + excluded.cache_read_tokens, \
                 cost_usd = cost_hourly.cost_usd + excluded.cost_usd",
            );
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    }
}
}

/// A stored model call being costed after the fact.
struct Stored {
    id: i64,
    trace_id: String,
    start_ns: i64,
    model: String,
    service: String,
    tokens: Tokens,
    costing: Costing,
}

impl Store {
    /// Costs the model calls stored before this version existed, with `book`, once
    /// (the migration leaves a marker with the last rowid to cost; the last batch
    /// removes it). `price` is the price book's answer for one call (kind,
    /// response model, request model, tokens). Returns how many calls it costed.
    pub async fn backfill_costs(&self, price: impl Fn(StepKind, Option<&str>, Option<&str>, &Tokens) -> Costing) -> Result<u64> {
        // PostgreSQL databases start with costs (there is no earlier schema).
        let Db::Sqlite { options, .. } = &self.db else { return Ok(0) };
        let mut conn = sqlx::ConnectOptions::connect(options).await?;
        let up_to: Option<i64> = sqlx::query_scalar("SELECT up_to FROM cost_backfill LIMIT 1").fetch_optional(&mut conn).await?;
        let Some(up_to) = up_to else { return Ok(0) };
        let (mut after, mut costed) = (0i64, 0u64);
        loop {
            let rows = sqlx::query_as::<Sqlite, Uncosted>(
                "SELECT id, trace_id, kind, start_ns, response_model, request_model, service, \
                 input_tokens, output_tokens, cache_read_tokens, cache_write_tokens \
                 FROM spans WHERE id > $1 AND id <= $2 AND kind IN ('llm', 'embedding') ORDER BY id LIMIT 5000",
            )
            .bind(after)
            .bind(up_to)
            .fetch_all(&mut conn)
            .await?;
            let mut tx = conn.begin().await?;
            if rows.is_empty() {
                sqlx::query("DELETE FROM cost_backfill").execute(&mut *tx).await?;
                tx.commit().await?;
                return Ok(costed);
            }
            let calls: Vec<Stored> = rows
                .into_iter()
                .map(|r| {
                    let tokens = Tokens {
                        input: r.input_tokens,
                        output: r.output_tokens,
                        cache_read: r.cache_read_tokens,
                        cache_write: r.cache_write_tokens,
                        ..Default::default()
                    };
                    let kind = StepKind::parse(&r.kind).unwrap_or(StepKind::Other);
                    let costing = price(kind, r.response_model.as_deref(), r.request_model.as_deref(), &tokens);
                    let model = r.response_model.or(r.request_model).unwrap_or_default();
                    Stored { id: r.id, trace_id: r.trace_id, start_ns: r.start_ns, model, service: r.service, tokens, costing }
                })
                .collect();
            after = calls.last().map_or(after, |c| c.id);
            write_backfill(&mut tx, &calls).await?;
            tx.commit().await?;
            costed += calls.len() as u64;
        }
    }
}

async fn write_backfill(tx: &mut SqliteConnection, calls: &[Stored]) -> Result<()> {
    let priced = |c: &Stored| match &c.costing {
        Costing::Priced { usd, price_id } => (Some(*usd), Some(price_id.clone())),
        _ => (None, None),
    };
    for chunk in calls.chunks(SMALL_ROWS_PER_STATEMENT / 3) {
        let mut q = QueryBuilder::<Sqlite>::new("UPDATE spans SET cost_usd = v.column2, price_id = v.column3 FROM (");
        q.push_values(chunk, |mut b, c| {
            let (usd, price) = priced(c);
            b.push_bind(c.id).push_bind(usd).push_bind(price);
        });
        q.push(") AS v WHERE spans.id = v.column1");
        q.build().execute(&mut *tx).await?;
    }
    // trace id → (usd, calls, unpriced)
    let mut traces: HashMap<&str, (f64, i64, i64)> = HashMap::new();
    for c in calls {
        let t = traces.entry(&c.trace_id).or_default();
        t.0 += priced(c).0.unwrap_or(0.0);
        t.1 += 1;
        t.2 += matches!(c.costing, Costing::Unpriced) as i64;
    }
    let traces: Vec<_> = traces.into_iter().collect();
    for chunk in traces.chunks(SMALL_ROWS_PER_STATEMENT / 4) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "UPDATE traces SET cost_usd = traces.cost_usd + v.column2, model_calls = traces.model_calls + v.column3, \
             unpriced = traces.unpriced + v.column4 FROM (",
        );
        q.push_values(chunk, |mut b, (id, (usd, calls, unpriced))| {
            b.push_bind(*id).push_bind(usd).push_bind(calls).push_bind(unpriced);
        });
        q.push(") AS v WHERE traces.trace_id = v.column1");
        q.build().execute(&mut *tx).await?;
    }
    let samples = calls.iter().map(|c| CostSample {
        start_ns: c.start_ns,
        model: &c.model,
        service: &c.service,
        cost_usd: priced(c).0,
        tokens: c.tokens,
    });
    CostRollup::<Sqlite>::add_to_cost(tx, samples).await
}
