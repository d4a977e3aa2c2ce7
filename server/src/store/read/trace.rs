//! Reading one trace: whole (the API), as waterfall rows, or one span in detail.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::domain::conventions::is_prompt_key;
use crate::domain::is_model_call;
use crate::domain::{ContentPolicy, SpanId, SpanStatus, StepKind, TraceId};
use crate::error::Result;
use crate::store::Store;
use crate::store::backend::{Dialect, with_db};
use crate::store::detail::raw;
use crate::store::read::tokens::TokenColumns;
use app::model::cost::SpanCost;
use app::model::{ContentField, SpanDetail, SpanView, TraceDetail};
use app::outline::SpanHead;

impl Store {
    /// The trace, or `None` when no span of it is stored.
    pub async fn get_trace(&self, id: TraceId) -> Result<Option<TraceDetail>> {
        with_db!(self, db => {
            let id = id.to_string();
            let rows = sqlx::query_as::<DB, SpanRow>(sqlx::AssertSqlSafe(span_view_sql(D) + " WHERE s.trace_id = $1"))
            .bind(&id)
            .fetch_all(&db.read)
            .await?;
            if rows.is_empty() {
                return Ok(None);
            }
            let mut spans: Vec<SpanView> = rows.into_iter().map(SpanView::from).collect();
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
            let rows = sqlx::query_as::<DB, HeadRow>(sqlx::AssertSqlSafe(format!(
                "SELECT s.span_id, s.parent_span_id, s.name, s.kind, s.service, s.start_ns, s.end_ns, s.status, \
                 s.input_tokens, s.output_tokens, s.cache_read_tokens, s.cache_write_tokens, s.reasoning_tokens, \
                 s.total_tokens, COALESCE(s.response_model, s.request_model) AS model, s.tool_name, s.status_message, \
                 CASE WHEN s.kind = 'llm' THEN (SELECT d.content FROM span_details d WHERE {}) END AS content, \
                 COALESCE(s.step, s.name) AS step, s.cost_usd \
                 FROM spans s WHERE s.trace_id = $1",
                D.details_on()
            )))
            .bind(id.to_string())
            .fetch_all(&db.read)
            .await?;
            Ok(rows.into_iter().map(SpanHead::from).collect())
        })
    }

    /// One span with its details and resource, or `None`.
    pub async fn span_detail(&self, trace: TraceId, span: SpanId) -> Result<Option<SpanDetail>> {
        with_db!(self, db => {
            let row = sqlx::query_as::<DB, SpanRow>(sqlx::AssertSqlSafe(span_view_sql(D) + " WHERE s.trace_id = $1 AND s.span_id = $2"))
                .bind(trace.to_string())
                .bind(span.to_string())
                .fetch_optional(&db.read)
                .await?;
            let Some(span) = row.map(SpanView::from) else { return Ok(None) };
            let resource = self.resource(&span.resource).await?;
            Ok(Some(SpanDetail { span, resource, logs: Vec::new() }))
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

/// The hashes of a model call's input fields, joined: equal for equal prompts.
fn prompt_hash(content: &str) -> Option<String> {
    let fields: Vec<ContentField> = serde_json::from_str(content).ok()?;
    let hashes: Vec<&str> = fields.iter().filter(|f| is_prompt_key(&f.key)).map(|f| f.hash.as_str()).collect();
    (!hashes.is_empty()).then(|| hashes.join("+"))
}

/// Every column of a span and its details, named as [`SpanRow`] reads them.
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

/// A span with its details, as [`span_view_sql`] selects it.
#[derive(sqlx::FromRow)]
struct SpanRow {
    span_id: String,
    parent_span_id: Option<String>,
    name: String,
    kind: String,
    otel_kind: String,
    service: String,
    start_ns: i64,
    end_ns: i64,
    status: i64,
    status_message: Option<String>,
    request_model: Option<String>,
    response_model: Option<String>,
    provider: Option<String>,
    #[sqlx(flatten)]
    tokens: TokenColumns,
    tool_name: Option<String>,
    user_id: Option<String>,
    session_id: Option<String>,
    resource_key: String,
    content_policy: String,
    scope: Option<String>,
    attributes: Option<String>,
    events: Option<String>,
    links: Option<String>,
    content: Option<String>,
    cost_usd: Option<f64>,
    price_id: Option<String>,
}

impl From<SpanRow> for SpanView {
    fn from(r: SpanRow) -> SpanView {
        let kind = StepKind::parse(&r.kind).unwrap_or(StepKind::Other);
        // Details are written in the same transaction as the span, so normally present.
        let column = |v: Option<String>, fallback: &str| raw(v.unwrap_or_else(|| fallback.to_string()), fallback);
        // A model call's cost; `None` for other spans.
        let priced = match (r.cost_usd, r.price_id) {
            (Some(usd), Some(price_id)) => SpanCost::Priced { usd, price_id },
            _ => SpanCost::Unpriced,
        };
        let cost = is_model_call(kind).then_some(priced);
        SpanView {
            span_id: r.span_id,
            parent_span_id: r.parent_span_id,
            name: r.name,
            kind,
            otel_kind: r.otel_kind,
            service: r.service,
            start_ns: r.start_ns,
            end_ns: r.end_ns,
            duration_ns: r.end_ns - r.start_ns,
            status: SpanStatus::from_i64(r.status),
            status_message: r.status_message,
            request_model: r.request_model,
            response_model: r.response_model,
            provider: r.provider,
            tokens: r.tokens.into(),
            cost,
            tool_name: r.tool_name,
            user_id: r.user_id,
            session_id: r.session_id,
            resource: r.resource_key,
            content_policy: ContentPolicy::parse(&r.content_policy).unwrap_or(ContentPolicy::Hashed),
            scope: r.scope,
            attributes: column(r.attributes, "{}"),
            events: column(r.events, "[]"),
            links: column(r.links, "[]"),
            content: column(r.content, "[]"),
        }
    }
}

/// What the waterfall reads of a span.
#[derive(sqlx::FromRow)]
struct HeadRow {
    span_id: String,
    parent_span_id: Option<String>,
    name: String,
    kind: String,
    service: String,
    start_ns: i64,
    end_ns: i64,
    status: i64,
    #[sqlx(flatten)]
    tokens: TokenColumns,
    model: Option<String>,
    tool_name: Option<String>,
    status_message: Option<String>,
    /// A model call's content fingerprints (other spans: NULL).
    content: Option<String>,
    step: String,
    cost_usd: Option<f64>,
}

impl From<HeadRow> for SpanHead {
    fn from(r: HeadRow) -> SpanHead {
        let kind = StepKind::parse(&r.kind).unwrap_or(StepKind::Other);
        SpanHead {
            span_id: r.span_id,
            parent_span_id: r.parent_span_id,
            name: r.name,
            kind,
            service: r.service,
            start_ns: r.start_ns,
            end_ns: r.end_ns,
            error: SpanStatus::from_i64(r.status) == SpanStatus::Error,
            tokens: r.tokens.into(),
            model: r.model,
            tool: r.tool_name,
            message: r.status_message,
            prompt_hash: r.content.and_then(|c| prompt_hash(&c)),
            step: r.step,
            unpriced: is_model_call(kind) && r.cost_usd.is_none(),
            cost_usd: r.cost_usd,
        }
    }
}
