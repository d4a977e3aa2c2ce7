//! Users and sessions: the traces of a range joined (in memory) with the users and
//! sessions their spans named.

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;
use crate::store::read::trace_scan::TraceFigures;
use app::model::people::{LISTED, PeopleReport, SessionDetail, SessionTrace, TraceOf, overall_p95, sessions, users};

/// Most traces a session page lists.
const SESSION_TRACES: i64 = 1_000;

fn trace_of(key: &str, t: &TraceFigures, user: Option<&String>) -> TraceOf {
    TraceOf {
        key: key.to_string(),
        start_ns: t.start_ns,
        duration_ns: t.duration_ns,
        error: t.errors > 0,
        cost_usd: t.cost_usd,
        unpriced: t.unpriced,
        user: user.cloned(),
        end_ns: t.start_ns + t.duration_ns,
    }
}

/// A trace of a session, with the user it names.
#[derive(sqlx::FromRow)]
struct SessionRow {
    trace_id: String,
    root_name: String,
    start_ns: i64,
    duration_ns: i64,
    span_count: i64,
    error_count: i64,
    cost_usd: f64,
    unpriced: i64,
    input_tokens: i64,
    output_tokens: i64,
    user_id: Option<String>,
}

impl Store {
    /// Per-user and per-session figures over traces that started in the range.
    pub async fn people(&self, since_ns: i64, until_ns: i64) -> Result<PeopleReport> {
        let (traces, _) = self.traces_in_range(since_ns, until_ns).await?;
        let user_of = self.tag_of_traces("user", since_ns, until_ns).await?;
        let session_of = self.tag_of_traces("session", since_ns, until_ns).await?;
        let by_user: Vec<TraceOf> = traces.iter().filter_map(|t| user_of.get(&t.trace_id).map(|u| trace_of(u, t, Some(u)))).collect();
        let by_session: Vec<TraceOf> =
            traces.iter().filter_map(|t| session_of.get(&t.trace_id).map(|s| trace_of(s, t, user_of.get(&t.trace_id)))).collect();
        let (mut users, mut sessions) = (users(&by_user), sessions(&by_session));
        let (users_total, sessions_total) = (users.len() as i64, sessions.len() as i64);
        users.truncate(LISTED);
        sessions.truncate(LISTED);
        Ok(PeopleReport { since_ns, until_ns, all_users_p95_ns: overall_p95(&by_user), users, users_total, sessions, sessions_total })
    }

    /// A session's traces, oldest first; `None` when no trace names it.
    pub async fn session(&self, id: &str) -> Result<Option<SessionDetail>> {
        with_db!(self, db => {
            let rows = sqlx::query_as::<DB, SessionRow>(
                "SELECT t.trace_id, t.root_name, t.start_ns, t.duration_ns, t.span_count, t.error_count, t.cost_usd, \
                 t.unpriced, t.input_tokens, t.output_tokens, \
                 (SELECT u.value FROM trace_tags u WHERE u.trace_id = g.trace_id AND u.tag = 'user' LIMIT 1) AS user_id \
                 FROM trace_tags g JOIN traces t ON t.trace_id = g.trace_id \
                 WHERE g.tag = 'session' AND g.value = $1 ORDER BY g.start_ns, g.trace_id LIMIT $2",
            )
            .bind(id)
            .bind(SESSION_TRACES)
            .fetch_all(&db.read)
            .await?;
            if rows.is_empty() {
                return Ok(None);
            }
            let user = rows.iter().find_map(|r| r.user_id.clone());
            let traces: Vec<SessionTrace> = rows
                .into_iter()
                .map(|r| SessionTrace {
                    trace_id: r.trace_id,
                    root_name: r.root_name,
                    start_ns: r.start_ns,
                    duration_ns: r.duration_ns,
                    span_count: r.span_count,
                    error_count: r.error_count,
                    cost_usd: r.cost_usd,
                    unpriced: r.unpriced,
                    input_tokens: r.input_tokens,
                    output_tokens: r.output_tokens,
                })
                .collect();
            Ok(Some(SessionDetail {
                session: id.to_string(),
                user,
                cost_usd: traces.iter().map(|t| t.cost_usd).sum(),
                unpriced: traces.iter().map(|t| t.unpriced).sum(),
                traces,
            }))
        })
    }
}
