//! Cost figures read per trace: by user (the user a trace names), cost per trace
//! percentiles, and the most expensive traces; from one scan of the range's traces.

use std::collections::HashMap;

use sqlx::QueryBuilder;

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;
use crate::store::read::cost_query::CostQuery;
use crate::store::read::trace_scan::TraceFigures;
use app::model::cost::{CostGroup, CostTotals, ExpensiveTrace, TraceCostStats, exact_quantile};

#[derive(sqlx::FromRow)]
struct Names {
    trace_id: String,
    root_name: String,
    service: String,
}

impl Store {
    /// By the user each trace names (`user.id` on any span): model calls often carry
    /// no user themselves, their trace's root does.
    pub(super) async fn cost_by_user(&self, q: CostQuery, traces: &[TraceFigures]) -> Result<Vec<CostGroup>> {
        let user_of = self.tag_of_traces("user", q.since_ns(), q.until_ns()).await?;
        let mut by_user: HashMap<&str, CostTotals> = HashMap::new();
        for t in traces.iter().filter(|t| t.model_calls > 0) {
            let Some(user) = user_of.get(&t.trace_id) else { continue };
            by_user.entry(user).or_default().add(&CostTotals {
                cost_usd: t.cost_usd,
                calls: t.model_calls,
                unpriced: t.unpriced,
                input_tokens: t.input_tokens,
                output_tokens: t.output_tokens,
                cache_read_tokens: t.cache_read_tokens,
            });
        }
        Ok(by_user.into_iter().map(|(key, totals)| CostGroup { key: key.to_string(), totals }).collect())
    }

    /// The costliest traces, with their names.
    pub(super) async fn expensive_traces(&self, traces: &[TraceFigures], limit: usize) -> Result<Vec<ExpensiveTrace>> {
        with_db!(self, db => {
            let mut top: Vec<&TraceFigures> = traces.iter().filter(|t| t.model_calls > 0).collect();
            top.sort_by(|a, b| b.cost_usd.total_cmp(&a.cost_usd).then(b.start_ns.cmp(&a.start_ns)));
            top.truncate(limit);
            if top.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<DB>::new("SELECT trace_id, root_name, service FROM traces WHERE trace_id IN (");
            let mut ids = q.separated(", ");
            for t in &top {
                ids.push_bind(t.trace_id.clone());
            }
            q.push(")");
            let names: HashMap<String, (String, String)> =
                q.build_query_as::<Names>().fetch_all(&db.read).await?.into_iter().map(|r| (r.trace_id, (r.root_name, r.service))).collect();
            Ok(top
                .into_iter()
                .map(|t| {
                    let (root_name, service) = names.get(&t.trace_id).cloned().unwrap_or_default();
                    ExpensiveTrace {
                        trace_id: t.trace_id.clone(),
                        root_name,
                        service,
                        start_ns: t.start_ns,
                        duration_ns: t.duration_ns,
                        cost_usd: t.cost_usd,
                        unpriced: t.unpriced,
                        input_tokens: t.input_tokens,
                        output_tokens: t.output_tokens,
                    }
                })
                .collect())
        })
    }
}

/// Exact percentiles of the cost of traces that made model calls.
pub(super) fn trace_cost_stats(traces: &[TraceFigures]) -> TraceCostStats {
    let mut costs: Vec<f64> = traces.iter().filter(|t| t.model_calls > 0).map(|t| t.cost_usd).collect();
    TraceCostStats {
        traces: costs.len() as i64,
        p50_usd: exact_quantile(&mut costs, 0.5),
        p95_usd: exact_quantile(&mut costs, 0.95),
        max_usd: costs.last().copied().unwrap_or(0.0),
    }
}
