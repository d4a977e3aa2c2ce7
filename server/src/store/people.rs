//! Users and sessions, from the trace summaries and the tags their spans named.

use sqlx::Row;
use sqlx::sqlite::{Sqlite, SqliteRow};

use super::Store;
use crate::error::Result;
use app::model::people::{LISTED, PeopleReport, SessionDetail, SessionTrace, TraceOf, overall_p95, sessions, users};

/// Most (trace, user) and (trace, session) pairs one report reads.
const PAIRS_CAP: i64 = 200_000;
/// Most traces a session page lists.
const SESSION_TRACES: i64 = 1_000;

fn trace_of(r: &SqliteRow) -> TraceOf {
    let start_ns: i64 = r.get(1);
    let duration_ns: i64 = r.get(2);
    TraceOf {
        key: r.get(0),
        start_ns,
        duration_ns,
        error: r.get(3),
        cost_usd: r.get(4),
        unpriced: r.get(5),
        user: r.get(6),
        end_ns: start_ns + duration_ns,
    }
}

impl Store {
    /// Per-user and per-session figures over traces that started in the range.
    pub async fn people(&self, since_ns: i64, until_ns: i64) -> Result<PeopleReport> {
        let pairs = |tag: &'static str| {
            sqlx::query::<Sqlite>(
                // The session's user: any user tag of the same trace (index on
                // trace_tags_by_trace).
                "SELECT g.value, t.start_ns, t.duration_ns, t.error_count > 0, t.cost_usd, t.unpriced, \
                 (SELECT u.value FROM trace_tags u WHERE u.trace_id = g.trace_id AND u.tag = 'user' LIMIT 1) \
                 FROM trace_tags g JOIN traces t ON t.trace_id = g.trace_id \
                 WHERE g.tag = ? AND g.start_ns >= ? AND g.start_ns < ? LIMIT ?",
            )
            .bind(tag)
            .bind(since_ns)
            .bind(until_ns)
            .bind(PAIRS_CAP)
        };
        let by_user: Vec<TraceOf> = pairs("user").fetch_all(&self.pool).await?.iter().map(trace_of).collect();
        let by_session: Vec<TraceOf> = pairs("session").fetch_all(&self.pool).await?.iter().map(trace_of).collect();
        let (mut users, mut sessions) = (users(&by_user), sessions(&by_session));
        let (users_total, sessions_total) = (users.len() as i64, sessions.len() as i64);
        users.truncate(LISTED);
        sessions.truncate(LISTED);
        Ok(PeopleReport { since_ns, until_ns, all_users_p95_ns: overall_p95(&by_user), users, users_total, sessions, sessions_total })
    }

    /// A session's traces, oldest first; `None` when no trace names it.
    pub async fn session(&self, id: &str) -> Result<Option<SessionDetail>> {
        let rows = sqlx::query(
            "SELECT t.trace_id, t.root_name, t.start_ns, t.duration_ns, t.span_count, t.error_count, t.cost_usd, \
             t.unpriced, t.input_tokens, t.output_tokens, \
             (SELECT u.value FROM trace_tags u WHERE u.trace_id = g.trace_id AND u.tag = 'user' LIMIT 1) \
             FROM trace_tags g JOIN traces t ON t.trace_id = g.trace_id \
             WHERE g.tag = 'session' AND g.value = ? ORDER BY g.start_ns, g.trace_id LIMIT ?",
        )
        .bind(id)
        .bind(SESSION_TRACES)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let user = rows.iter().find_map(|r| r.get::<Option<String>, _>(10));
        let traces: Vec<SessionTrace> = rows
            .iter()
            .map(|r| SessionTrace {
                trace_id: r.get(0),
                root_name: r.get(1),
                start_ns: r.get(2),
                duration_ns: r.get(3),
                span_count: r.get(4),
                error_count: r.get(5),
                cost_usd: r.get(6),
                unpriced: r.get(7),
                input_tokens: r.get(8),
                output_tokens: r.get(9),
            })
            .collect();
        Ok(Some(SessionDetail {
            session: id.to_string(),
            user,
            cost_usd: traces.iter().map(|t| t.cost_usd).sum(),
            unpriced: traces.iter().map(|t| t.unpriced).sum(),
            traces,
        }))
    }
}
