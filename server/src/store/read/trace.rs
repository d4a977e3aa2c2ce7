//! Reading one trace: whole (the API), as waterfall rows, or one span in detail.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::domain::conventions::is_prompt_key;
use crate::domain::is_model_call;
use crate::domain::{ContentPolicy, SpanId, SpanStatus, StepKind, Tokens, TraceId};
use crate::error::Result;
use crate::store::Store;
use crate::store::backend::{Cols, Dialect, with_db};
use crate::store::detail::raw;
use app::model::cost::SpanCost;
use app::model::{ContentField, SpanDetail, SpanView, TraceDetail};
use app::outline::SpanHead;

impl Store {
    /// The trace, or `None` when no span of it is stored.
    pub async fn get_trace(&self, id: TraceId) -> Result<Option<TraceDetail>> {
        with_db!(self, db => {
            let id = id.to_string();
            let rows = sqlx::query(sqlx::AssertSqlSafe(span_view_sql(D) + " WHERE s.trace_id = $1"))
            .bind(&id)
            .fetch_all(&db.read)
            .await?;
            if rows.is_empty() {
                return Ok(None);
            }
            let mut spans: Vec<SpanView> = rows.iter().map(span_view).collect();
            // Sorted here rather than in SQL, where sorting would copy every wide row.
            spans.sort_unstable_by(|a, b| (a.start_ns, &a.span_id).cmp(&(b.start_ns, &b.span_id)));

            let mut resources = BTreeMap::new();
            let keys: BTreeSet<&str> = spans.iter().map(|s| s.resource.as_str()).collect();
            for key in keys {
                resources.insert(key.to_string(), self.resource(key).await?);
            }
            Ok(Some(TraceDetail { trace_id: id, spans, resources }))
        })
    }

    /// What the waterfall needs of each span (hot columns only, no detail JSON).
    pub async fn trace_heads(&self, id: TraceId) -> Result<Vec<SpanHead>> {
        with_db!(self, db => {
            // Details are read for model calls only: their content fingerprints
            // give the prompt hash (the same prompt sent twice is a finding).
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT s.span_id, s.parent_span_id, s.name, s.kind, s.service, s.start_ns, s.end_ns, s.status, \
                 s.input_tokens, s.output_tokens, s.cache_read_tokens, s.cache_write_tokens, s.reasoning_tokens, \
                 s.total_tokens, COALESCE(s.response_model, s.request_model), s.tool_name, s.status_message, \
                 CASE WHEN s.kind = 'llm' THEN (SELECT d.content FROM span_details d WHERE {}) END, \
                 COALESCE(s.step, s.name), s.cost_usd \
                 FROM spans s WHERE s.trace_id = $1",
                D.details_on()
            )))
            .bind(id.to_string())
            .fetch_all(&db.read)
            .await?;
            Ok(rows
                .iter()
                .map(|r| SpanHead {
                    span_id: r.get(0),
                    parent_span_id: r.get(1),
                    name: r.get(2),
                    kind: StepKind::parse(r.str(3)).unwrap_or(StepKind::Other),
                    service: r.get(4),
                    start_ns: r.get(5),
                    end_ns: r.get(6),
                    error: SpanStatus::from_i64(r.get(7)) == SpanStatus::Error,
                    tokens: Tokens {
                        input: r.get(8),
                        output: r.get(9),
                        cache_read: r.get(10),
                        cache_write: r.get(11),
                        reasoning: r.get(12),
                        total: r.get(13),
                    },
                    model: r.get(14),
                    tool: r.get(15),
                    message: r.get(16),
                    prompt_hash: r.get::<Option<String>>(17).and_then(|c| prompt_hash(&c)),
                    step: r.get(18),
                    cost_usd: r.get(19),
                    unpriced: is_model_call(StepKind::parse(r.str(3)).unwrap_or(StepKind::Other)) && r.get::<Option<f64>>(19).is_none(),
                })
                .collect())
        })
    }

    /// One span with its details and resource, or `None`.
    pub async fn span_detail(&self, trace: TraceId, span: SpanId) -> Result<Option<SpanDetail>> {
        with_db!(self, db => {
            let row = sqlx::query(sqlx::AssertSqlSafe(span_view_sql(D) + " WHERE s.trace_id = $1 AND s.span_id = $2"))
                .bind(trace.to_string())
                .bind(span.to_string())
                .fetch_optional(&db.read)
                .await?;
            let Some(span) = row.as_ref().map(span_view) else { return Ok(None) };
            let resource = self.resource(&span.resource).await?;
            Ok(Some(SpanDetail { span, resource }))
        })
    }

    async fn resource(&self, key: &str) -> Result<Map<String, Value>> {
        with_db!(self, db => {
            let attrs: Option<String> = sqlx::query_scalar("SELECT attributes FROM resources WHERE key = $1")
                .bind(key)
                .fetch_optional(&db.read)
                .await?;
            Ok(attrs.and_then(|a| serde_json::from_str(&a).ok()).unwrap_or_default())
        })
    }
}

/// A model call's cost (29: cost, 30: price entry); `None` for other spans.
fn span_cost(r: &impl Cols) -> Option<SpanCost> {
    if !is_model_call(StepKind::parse(r.str(3)).unwrap_or(StepKind::Other)) {
        return None;
    }
    Some(match (r.get::<Option<f64>>(29), r.get::<Option<String>>(30)) {
        (Some(usd), Some(price_id)) => SpanCost::Priced { usd, price_id },
        _ => SpanCost::Unpriced,
    })
}

/// The hashes of a model call's input fields, joined: equal for equal prompts.
fn prompt_hash(content: &str) -> Option<String> {
    let fields: Vec<ContentField> = serde_json::from_str(content).ok()?;
    let hashes: Vec<&str> = fields.iter().filter(|f| is_prompt_key(&f.key)).map(|f| f.hash.as_str()).collect();
    (!hashes.is_empty()).then(|| hashes.join("+"))
}

/// Every column of a span and its details, in [`span_view`]'s order (a macro so
/// `concat!` keeps the statements static strings).
fn span_view_sql(d: Dialect) -> String {
    format!(
        "SELECT s.span_id, s.parent_span_id, s.name, s.kind, s.otel_kind, s.service, s.start_ns, s.end_ns, \
         s.status, s.status_message, s.request_model, s.response_model, s.provider, s.input_tokens, \
         s.output_tokens, s.cache_read_tokens, s.cache_write_tokens, s.reasoning_tokens, s.total_tokens, \
         s.tool_name, s.user_id, s.session_id, s.resource_key, s.content_policy, s.scope, \
         d.attributes, d.events, d.links, d.content, s.cost_usd, s.price_id \
         FROM spans s LEFT JOIN span_details d ON {}",
        d.details_on()
    )
}

fn span_view(r: &impl Cols) -> SpanView {
    let start_ns: i64 = r.get(6);
    let end_ns: i64 = r.get(7);
    // Details are written in the same transaction as the span, so normally present.
    let column = |i: usize, fallback: &str| raw(r.get::<Option<String>>(i).unwrap_or_else(|| fallback.to_string()), fallback);
    SpanView {
        span_id: r.get(0),
        parent_span_id: r.get(1),
        name: r.get(2),
        kind: StepKind::parse(r.str(3)).unwrap_or(StepKind::Other),
        otel_kind: r.get(4),
        service: r.get(5),
        start_ns,
        end_ns,
        duration_ns: end_ns - start_ns,
        status: SpanStatus::from_i64(r.get(8)),
        status_message: r.get(9),
        request_model: r.get(10),
        response_model: r.get(11),
        provider: r.get(12),
        tokens: Tokens {
            input: r.get(13),
            output: r.get(14),
            cache_read: r.get(15),
            cache_write: r.get(16),
            reasoning: r.get(17),
            total: r.get(18),
        },
        cost: span_cost(r),
        tool_name: r.get(19),
        user_id: r.get(20),
        session_id: r.get(21),
        resource: r.get(22),
        content_policy: ContentPolicy::parse(r.str(23)).unwrap_or(ContentPolicy::Hashed),
        scope: r.get(24),
        attributes: column(25, "{}"),
        events: column(26, "[]"),
        links: column(27, "[]"),
        content: column(28, "[]"),
    }
}
