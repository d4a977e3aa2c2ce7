//! Opening and folding alert events, so that replicas sharing one database send
//! one notification per burst: the decision "a new event, or a count on the open
//! one" is made in the database, one replica at a time per (rule, group).

use crate::error::Result;
use crate::store::Store;
use crate::store::admin::alerts::NewEvent;
use crate::store::backend::{Dialect, advisory_key, with_db};

/// A firing whose cooldown has not ended (restored at start so a restart does not
/// notify again for the same burst).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenEvent {
    pub event_id: i64,
    pub rule_id: i64,
    pub group_key: Option<String>,
    pub cooldown_until_ns: i64,
}

/// What became of a firing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Firing {
    /// A new event: this replica notifies.
    Opened(i64),
    /// Counted on an event still in its cooldown, opened here or by another
    /// replica: nobody notifies again.
    Folded { event_id: i64, cooldown_until_ns: i64 },
}

impl Store {
    /// Stores a firing: folded into the rule's open event for its group when
    /// there is one in its cooldown, else opened as a new event.
    pub async fn fire_alert(&self, e: &NewEvent) -> Result<Firing> {
        with_db!(self, db => {
            let mut tx = db.admin.begin_with(D.begin_write()).await?;
            if D == Dialect::Postgres {
                // Held to the end of the transaction: two replicas firing the same
                // rule at once decide one after the other. (SQLite's single admin
                // connection already serialises this.)
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(advisory_key(&format!("alert:{}:{}", e.rule_id, e.group_key.as_deref().unwrap_or("")))).execute(&mut *tx).await?;
            }
            let open: Option<(i64, i64)> = sqlx::query_as(
                "SELECT id, cooldown_until_ns FROM alert_events WHERE rule_id = $1 AND COALESCE(group_key, '') = COALESCE($2, '') \
                 AND cooldown_until_ns > $3 ORDER BY fired_ns DESC LIMIT 1",
            )
            .bind(e.rule_id)
            .bind(&e.group_key)
            .bind(e.fired_ns)
            .fetch_optional(&mut *tx)
            .await?;
            let firing = if let Some((event_id, cooldown_until_ns)) = open {
                sqlx::query("UPDATE alert_events SET count = count + 1 WHERE id = $1").bind(event_id).execute(&mut *tx).await?;
                Firing::Folded { event_id, cooldown_until_ns }
            } else {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO alert_events (rule_id, rule_name, fired_ns, group_key, count, observed, threshold, unit, summary, \
                     trace_id, span_id, link, delivery, cooldown_until_ns) \
                     VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                )
                .bind(e.rule_id)
                .bind(&e.rule_name)
                .bind(e.fired_ns)
                .bind(&e.group_key)
                .bind(e.observed)
                .bind(e.threshold)
                .bind(&e.unit)
                .bind(&e.summary)
                .bind(&e.trace_id)
                .bind(&e.span_id)
                .bind(&e.link)
                .bind(e.delivery.as_str())
                .bind(e.cooldown_until_ns)
                .fetch_one(&mut *tx)
                .await?;
                Firing::Opened(id)
            };
            tx.commit().await?;
            Ok(firing)
        })
    }

    /// Adds firings folded in memory to an event's count (an increment, so
    /// replicas folding into one event never overwrite each other).
    pub async fn add_alert_event_count(&self, id: i64, more: u64) -> Result<()> {
        with_db!(self, db => {
            sqlx::query("UPDATE alert_events SET count = count + $1 WHERE id = $2").bind(more as i64).bind(id).execute(&db.admin).await?;
            Ok(())
        })
    }

    /// Firings still in their cooldown at `now_ns`.
    pub async fn open_alert_events(&self, now_ns: i64) -> Result<Vec<OpenEvent>> {
        with_db!(self, db => {
            let rows = sqlx::query_as::<DB, OpenEvent>(
                "SELECT id AS event_id, rule_id, group_key, cooldown_until_ns FROM alert_events WHERE cooldown_until_ns > $1",
            )
                .bind(now_ns)
                .fetch_all(&db.read)
                .await?;
            Ok(rows)
        })
    }

    /// A fingerprint of the stored rules (how many, last change), so a replica
    /// notices rules added, edited or removed through another one.
    pub async fn alert_rules_version(&self) -> Result<(i64, i64)> {
        with_db!(self, db => {
            Ok(sqlx::query_as("SELECT COUNT(*), COALESCE(MAX(updated_ns), 0) FROM alert_rules").fetch_one(&db.read).await?)
        })
    }
}
