//! Alert rules, firings and delivery attempts, and the recent spans that window
//! rules and previews read. Written through the store's small admin pool (the
//! read pool is query-only; the ingest writer owns its own connection).

use futures::TryStreamExt;
use serde_json::{Map, Value};
use sqlx::QueryBuilder;

use crate::domain::StepKind;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::backend::with_db;
use app::model::alerts::{AlertEvent, AlertRule, DeliveryAttempt, DeliveryState, RuleSpec};

/// A firing about to be stored.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub rule_id: i64,
    pub rule_name: String,
    pub fired_ns: i64,
    pub group_key: Option<String>,
    pub observed: f64,
    pub threshold: Option<f64>,
    pub unit: String,
    pub summary: String,
    pub trace_id: Option<String>,
    pub span_id: Option<String>,
    pub link: Option<String>,
    pub delivery: DeliveryState,
    pub cooldown_until_ns: i64,
}

/// A stored span as window rules and previews see it.
#[derive(Debug, Clone)]
pub struct RecentSpan {
    pub trace_id: String,
    pub span_id: String,
    pub end_ns: i64,
    pub name: String,
    pub step: String,
    pub kind: StepKind,
    pub service: String,
    pub tool: Option<String>,
    pub model: Option<String>,
    pub duration_ns: i64,
    pub is_error: bool,
    pub status_message: Option<String>,
    pub tokens: i64,
    pub cost_usd: Option<f64>,
    pub attributes: Option<Map<String, Value>>,
}

macro_rules! rule_sql {
    () => {
        "SELECT r.id, r.spec, r.paused, r.created_ns, r.updated_ns, \
         (SELECT MAX(fired_ns) FROM alert_events e WHERE e.rule_id = r.id) AS last_fired_ns FROM alert_rules r"
    };
}

/// A rule as `rule_sql!` selects it.
#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    spec: String,
    paused: i64,
    created_ns: i64,
    updated_ns: i64,
    last_fired_ns: Option<i64>,
}

fn rule(row: RuleRow) -> Result<AlertRule> {
    let mut spec: RuleSpec =
        serde_json::from_str(&row.spec).map_err(|e| Error::Storage(format!("stored rule {} is unreadable: {e}", row.id)))?;
    spec.paused = row.paused != 0;
    Ok(AlertRule { id: row.id, spec, created_ns: row.created_ns, updated_ns: row.updated_ns, last_fired_ns: row.last_fired_ns })
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    rule_id: i64,
    rule_name: String,
    fired_ns: i64,
    group_key: Option<String>,
    count: i64,
    observed: f64,
    threshold: Option<f64>,
    unit: String,
    summary: String,
    trace_id: Option<String>,
    span_id: Option<String>,
    link: Option<String>,
    delivery: String,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    event_id: i64,
    channel: i64,
    attempt: i64,
    at_ns: i64,
    status: Option<i64>,
    error: Option<String>,
    outcome: String,
}

/// A span as `recent_spans` selects it.
#[derive(sqlx::FromRow)]
struct RecentRow {
    trace_id: String,
    span_id: String,
    end_ns: i64,
    name: String,
    step: String,
    kind: String,
    service: String,
    tool_name: Option<String>,
    model: Option<String>,
    duration_ns: i64,
    status: i64,
    status_message: Option<String>,
    total_tokens: i64,
    input_tokens: i64,
    output_tokens: i64,
    cost_usd: Option<f64>,
    attributes: Option<String>,
}

fn spec_json(spec: &RuleSpec) -> String {
    serde_json::to_string(spec).expect("rule serializes")
}

impl Store {
    pub async fn alert_rules(&self) -> Result<Vec<AlertRule>> {
        with_db!(self, db => {
            let rows = sqlx::query_as::<DB, RuleRow>(concat!(rule_sql!(), " ORDER BY r.id")).fetch_all(&db.read).await?;
            rows.into_iter().map(rule).collect()
        })
    }

    pub async fn alert_rule(&self, id: i64) -> Result<Option<AlertRule>> {
        with_db!(self, db => {
            let row = sqlx::query_as::<DB, RuleRow>(concat!(rule_sql!(), " WHERE r.id = $1")).bind(id).fetch_optional(&db.read).await?;
            row.map(rule).transpose()
        })
    }

    pub async fn insert_alert_rule(&self, spec: &RuleSpec) -> Result<i64> {
        with_db!(self, db => {
            let now = crate::domain::now_ns();
            let id: i64 = sqlx::query_scalar("INSERT INTO alert_rules (name, spec, paused, created_ns, updated_ns) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(spec.name.trim())
                .bind(spec_json(spec))
                .bind(spec.paused as i64)
                .bind(now)
                .bind(now)
                .fetch_one(&db.admin)
                .await?;
            Ok(id)
        })
    }

    /// Replaces a rule; false when there is none with this id.
    pub async fn update_alert_rule(&self, id: i64, spec: &RuleSpec) -> Result<bool> {
        with_db!(self, db => {
            let done = sqlx::query("UPDATE alert_rules SET name = $1, spec = $2, paused = $3, updated_ns = $4 WHERE id = $5")
                .bind(spec.name.trim())
                .bind(spec_json(spec))
                .bind(spec.paused as i64)
                .bind(crate::domain::now_ns())
                .bind(id)
                .execute(&db.admin)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Removes a rule (its history stays); false when there is none with this id.
    pub async fn delete_alert_rule(&self, id: i64) -> Result<bool> {
        with_db!(self, db => {
            let done = sqlx::query("DELETE FROM alert_rules WHERE id = $1").bind(id).execute(&db.admin).await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn set_alert_delivery(&self, id: i64, state: DeliveryState) -> Result<()> {
        with_db!(self, db => {
            sqlx::query("UPDATE alert_events SET delivery = $1 WHERE id = $2").bind(state.as_str()).bind(id).execute(&db.admin).await?;
            Ok(())
        })
    }

    pub async fn insert_delivery_attempt(&self, event_id: i64, a: &DeliveryAttempt) -> Result<()> {
        with_db!(self, db => {
            sqlx::query("INSERT INTO alert_deliveries (event_id, channel, attempt, at_ns, status, error, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(event_id)
                .bind(a.channel as i64)
                .bind(a.attempt as i64)
                .bind(a.at_ns)
                .bind(a.status.map(i64::from))
                .bind(&a.error)
                .bind(&a.outcome)
                .execute(&db.admin)
                .await?;
            Ok(())
        })
    }

    /// Firings newest first (of one rule, when given), each with its attempts.
    pub async fn alert_events(&self, rule_id: Option<i64>, limit: u32) -> Result<Vec<AlertEvent>> {
        self.events(rule_id.map(|id| ("rule_id", id)), limit).await
    }

    pub async fn alert_event(&self, id: i64) -> Result<Option<AlertEvent>> {
        Ok(self.events(Some(("id", id)), 1).await?.pop())
    }

    /// `filter`: a column of this module's choosing (`id`, `rule_id`) and its value.
    async fn events(&self, filter: Option<(&'static str, i64)>, limit: u32) -> Result<Vec<AlertEvent>> {
        with_db!(self, db => {
            let mut q = QueryBuilder::<DB>::new(
                "SELECT id, rule_id, rule_name, fired_ns, group_key, count, observed, threshold, unit, summary, trace_id, span_id, \
                 link, delivery FROM alert_events",
            );
            if let Some((column, id)) = filter {
                q.push(" WHERE ").push(column).push(" = ").push_bind(id);
            }
            q.push(" ORDER BY fired_ns DESC, id DESC LIMIT ").push_bind(limit as i64);
            let rows = q.build_query_as::<EventRow>().fetch_all(&db.read).await?;
            let mut events: Vec<AlertEvent> = rows
                .into_iter()
                .map(|r| AlertEvent {
                    id: r.id,
                    rule_id: r.rule_id,
                    rule_name: r.rule_name,
                    fired_ns: r.fired_ns,
                    group_key: r.group_key,
                    count: r.count as u64,
                    observed: r.observed,
                    threshold: r.threshold,
                    unit: r.unit,
                    summary: r.summary,
                    trace_id: r.trace_id,
                    span_id: r.span_id,
                    link: r.link,
                    delivery: DeliveryState::parse(&r.delivery),
                    attempts: Vec::new(),
                })
                .collect();
            if let (Some(min), Some(max)) = (events.iter().map(|e| e.id).min(), events.iter().map(|e| e.id).max()) {
                let rows = sqlx::query_as::<DB, AttemptRow>(
                    "SELECT event_id, channel, attempt, at_ns, status, error, outcome FROM alert_deliveries \
                     WHERE event_id BETWEEN $1 AND $2 ORDER BY id",
                )
                .bind(min)
                .bind(max)
                .fetch_all(&db.read)
                .await?;
                let by_id: std::collections::HashMap<i64, usize> = events.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
                for r in rows {
                    if let Some(&i) = by_id.get(&r.event_id) {
                        events[i].attempts.push(DeliveryAttempt {
                            channel: r.channel as usize,
                            attempt: r.attempt as u32,
                            at_ns: r.at_ns,
                            status: r.status.map(|s| s as u16),
                            error: r.error,
                            outcome: r.outcome,
                        });
                    }
                }
            }
            Ok(events)
        })
    }

    /// Spans that ended in `[since_ns, until_ns]`, newest first, of one kind when
    /// given, at most `limit` (true when there were more).
    pub async fn recent_spans(
        &self,
        since_ns: i64,
        until_ns: i64,
        kind: Option<StepKind>,
        with_attributes: bool,
        limit: usize,
    ) -> Result<(Vec<RecentSpan>, bool)> {
        with_db!(self, db => {
            let mut q = QueryBuilder::<DB>::new(
                "SELECT s.trace_id, s.span_id, s.end_ns, s.name, s.step, s.kind, s.service, s.tool_name, \
                 COALESCE(s.response_model, s.request_model) AS model, s.end_ns - s.start_ns AS duration_ns, s.status, s.status_message, \
                 s.total_tokens, s.input_tokens, s.output_tokens, s.cost_usd",
            );
            if with_attributes {
                q.push(format!(", d.attributes FROM spans s JOIN span_details d ON {}", D.details_on()));
            } else {
                q.push(", NULL AS attributes FROM spans s");
            }
            q.push(" WHERE s.end_ns >= ").push_bind(since_ns).push(" AND s.end_ns <= ").push_bind(until_ns);
            if let Some(k) = kind {
                q.push(" AND s.kind = ").push_bind(k.as_str());
            }
            q.push(" ORDER BY s.end_ns DESC LIMIT ").push_bind(limit as i64 + 1);
            let query = q.build_query_as::<RecentRow>();
            let mut rows = query.fetch(&db.read);
            let mut out = Vec::new();
            while let Some(r) = rows.try_next().await? {
                if out.len() == limit {
                    return Ok((out, true));
                }
                out.push(RecentSpan {
                    trace_id: r.trace_id,
                    span_id: r.span_id,
                    end_ns: r.end_ns,
                    name: r.name,
                    step: r.step,
                    kind: StepKind::parse(&r.kind).unwrap_or(StepKind::Other),
                    service: r.service,
                    tool: r.tool_name,
                    model: r.model,
                    duration_ns: r.duration_ns,
                    is_error: r.status == crate::domain::SpanStatus::Error.as_i64(),
                    status_message: r.status_message,
                    tokens: crate::domain::cost::span_tokens(r.total_tokens, r.input_tokens, r.output_tokens),
                    cost_usd: r.cost_usd,
                    attributes: r.attributes.and_then(|a| serde_json::from_str(&a).ok()),
                });
            }
            Ok((out, false))
        })
    }
}
