//! Users and sessions: "it is slow only for some users". Per user, p95 latency,
//! error rate and cost of their traces; per session (conversation), its traces in
//! order. Traces carry users and sessions as the `user.id` and `session.id` any of
//! their spans names.

use serde::{Deserialize, Serialize};

/// A trace of a user or session, as the breakdowns count it.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceOf {
    /// The user or session.
    pub key: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    pub cost_usd: f64,
    pub unpriced: i64,
    /// The trace's user (for session rows).
    pub user: Option<String>,
    pub end_ns: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserStats {
    pub user: String,
    pub traces: i64,
    pub errors: i64,
    pub error_rate: f64,
    /// Exact (nearest rank) percentiles of the user's trace durations.
    pub p50_ns: i64,
    pub p95_ns: i64,
    pub cost_usd: f64,
    pub unpriced: i64,
    pub last_seen_ns: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionStats {
    pub session: String,
    pub user: Option<String>,
    pub traces: i64,
    pub errors: i64,
    pub first_ns: i64,
    /// When its last trace ended.
    pub last_ns: i64,
    pub p95_ns: i64,
    pub cost_usd: f64,
    pub unpriced: i64,
}

/// `GET /api/stats/users`: users slowest (p95) first, sessions latest first, at
/// most [`LISTED`] of each (the totals say how many there were).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeopleReport {
    pub since_ns: i64,
    pub until_ns: i64,
    pub users: Vec<UserStats>,
    pub users_total: i64,
    pub sessions: Vec<SessionStats>,
    pub sessions_total: i64,
    /// p95 of every trace that names a user, to compare each user with.
    pub all_users_p95_ns: i64,
}

/// One trace of a session, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionTrace {
    pub trace_id: String,
    pub root_name: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub span_count: i64,
    pub error_count: i64,
    pub cost_usd: f64,
    pub unpriced: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
}

/// `GET /api/sessions/{session_id}`: the session's traces, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionDetail {
    pub session: String,
    pub user: Option<String>,
    pub traces: Vec<SessionTrace>,
    pub cost_usd: f64,
    pub unpriced: i64,
}

/// Most users and sessions a report lists.
pub const LISTED: usize = 500;

fn quantile(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn group(rows: &[TraceOf]) -> Vec<(&str, Vec<&TraceOf>)> {
    let mut by: std::collections::BTreeMap<&str, Vec<&TraceOf>> = Default::default();
    for r in rows {
        by.entry(r.key.as_str()).or_default().push(r);
    }
    by.into_iter().collect()
}

fn durations(traces: &[&TraceOf]) -> Vec<i64> {
    let mut d: Vec<i64> = traces.iter().map(|t| t.duration_ns).collect();
    d.sort_unstable();
    d
}

/// Per-user figures, slowest p95 first.
pub fn users(rows: &[TraceOf]) -> Vec<UserStats> {
    let mut users: Vec<UserStats> = group(rows)
        .into_iter()
        .map(|(user, traces)| {
            let d = durations(&traces);
            let errors = traces.iter().filter(|t| t.error).count() as i64;
            UserStats {
                user: user.to_string(),
                traces: traces.len() as i64,
                errors,
                error_rate: errors as f64 / traces.len() as f64,
                p50_ns: quantile(&d, 0.5),
                p95_ns: quantile(&d, 0.95),
                cost_usd: traces.iter().map(|t| t.cost_usd).sum(),
                unpriced: traces.iter().map(|t| t.unpriced).sum(),
                last_seen_ns: traces.iter().map(|t| t.start_ns).max().unwrap_or_default(),
            }
        })
        .collect();
    users.sort_by(|a, b| b.p95_ns.cmp(&a.p95_ns).then(a.user.cmp(&b.user)));
    users
}

/// Per-session figures, latest activity first.
pub fn sessions(rows: &[TraceOf]) -> Vec<SessionStats> {
    let mut sessions: Vec<SessionStats> = group(rows)
        .into_iter()
        .map(|(session, traces)| SessionStats {
            session: session.to_string(),
            user: traces.iter().find_map(|t| t.user.clone()),
            traces: traces.len() as i64,
            errors: traces.iter().filter(|t| t.error).count() as i64,
            first_ns: traces.iter().map(|t| t.start_ns).min().unwrap_or_default(),
            last_ns: traces.iter().map(|t| t.end_ns).max().unwrap_or_default(),
            p95_ns: quantile(&durations(&traces), 0.95),
            cost_usd: traces.iter().map(|t| t.cost_usd).sum(),
            unpriced: traces.iter().map(|t| t.unpriced).sum(),
        })
        .collect();
    sessions.sort_by(|a, b| b.last_ns.cmp(&a.last_ns).then(a.session.cmp(&b.session)));
    sessions
}

/// p95 over every row.
pub fn overall_p95(rows: &[TraceOf]) -> i64 {
    let mut d: Vec<i64> = rows.iter().map(|r| r.duration_ns).collect();
    d.sort_unstable();
    quantile(&d, 0.95)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(key: &str, start: i64, ms: i64, error: bool, usd: f64) -> TraceOf {
        let d = ms * 1_000_000;
        TraceOf {
            key: key.into(),
            start_ns: start,
            duration_ns: d,
            error,
            cost_usd: usd,
            unpriced: 0,
            user: Some(format!("u-{key}")),
            end_ns: start + d,
        }
    }

    #[test]
    fn users_are_ranked_by_p95_with_error_rate_and_cost() {
        let mut rows: Vec<TraceOf> = (0..20).map(|i| t("fast", i, 100 + i, false, 0.01)).collect();
        rows.extend((0..4).map(|i| t("slow", i, 3_000, i == 0, 0.1)));
        let u = users(&rows);
        assert_eq!(u.iter().map(|u| u.user.as_str()).collect::<Vec<_>>(), ["slow", "fast"]);
        assert_eq!((u[0].traces, u[0].errors, u[0].error_rate), (4, 1, 0.25));
        assert_eq!(u[0].p95_ns, 3_000_000_000);
        assert!((u[0].cost_usd - 0.4).abs() < 1e-12);
        // Nearest rank over 100..=119 ms: p50 is the 10th (109 ms), p95 the 19th (118 ms).
        assert_eq!((u[1].p50_ns, u[1].p95_ns, u[1].last_seen_ns), (109_000_000, 118_000_000, 19));
        assert_eq!(overall_p95(&rows), 3_000_000_000);
    }

    #[test]
    fn sessions_span_their_traces_latest_first() {
        let rows = vec![t("a", 0, 1_000, false, 0.5), t("a", 5_000_000_000, 2_000, true, 0.25), t("b", 1, 10, false, 0.0)];
        let s = sessions(&rows);
        assert_eq!(s[0].session, "a");
        assert_eq!((s[0].traces, s[0].errors, s[0].first_ns, s[0].last_ns), (2, 1, 0, 7_000_000_000));
        assert_eq!(s[0].user.as_deref(), Some("u-a"));
        assert!((s[0].cost_usd - 0.75).abs() < 1e-12);
    }
}
