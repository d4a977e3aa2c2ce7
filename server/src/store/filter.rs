//! The trace list's query: parsed and validated once, with messages that say what
//! to fix, before any SQL is built.

use serde::Deserialize;

use crate::domain::{StepKind, TraceId};
use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// `GET /api/traces` query parameters as sent.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    pub cursor: Option<String>,
    /// Page towards newer traces: those newer than this cursor.
    pub newer: Option<String>,
    pub limit: Option<String>,
    pub service: Option<String>,
    pub status: Option<String>,
    pub min_duration_ms: Option<String>,
    pub kind: Option<String>,
    pub model: Option<String>,
    pub user: Option<String>,
    pub session: Option<String>,
    pub q: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

/// A validated list query.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ParsedQuery {
    /// Traces strictly older than this (start_ns, trace_id).
    pub cursor: Option<(i64, String)>,
    /// Traces strictly newer than this (start_ns, trace_id).
    pub newer: Option<(i64, String)>,
    pub limit: u32,
    pub service: Option<String>,
    pub errors_only: Option<bool>,
    pub min_duration_ns: Option<i64>,
    pub kind: Option<StepKind>,
    pub model: Option<String>,
    pub user: Option<String>,
    pub session: Option<String>,
    pub text: Option<String>,
    pub since_ns: Option<i64>,
    pub until_ns: Option<i64>,
}

impl ListQuery {
    pub fn parse(self, now_ns: i64) -> Result<ParsedQuery> {
        let bad = |m: String| Error::BadRequest(m);
        let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let limit = match nonempty(self.limit) {
            None => DEFAULT_LIMIT,
            Some(s) => s
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| bad(format!("limit must be a whole number from 1 to {MAX_LIMIT}, got {s:?}")))?,
        };
        let errors_only = match nonempty(self.status).as_deref() {
            None => None,
            Some("error") => Some(true),
            Some("ok") => Some(false),
            Some(other) => return Err(bad(format!("status must be \"error\" or \"ok\", got {other:?}"))),
        };
        let min_duration_ns = nonempty(self.min_duration_ms)
            .map(|s| {
                s.parse::<f64>()
                    .ok()
                    .filter(|ms| ms.is_finite() && *ms >= 0.0)
                    .map(|ms| (ms * 1e6) as i64)
                    .ok_or_else(|| bad(format!("min_duration_ms must be a non-negative number, got {s:?}")))
            })
            .transpose()?;
        let kind = nonempty(self.kind)
            .map(|s| {
                StepKind::parse(&s).ok_or_else(|| {
                    let all: Vec<&str> = StepKind::ALL.iter().map(|k| k.as_str()).collect();
                    bad(format!("kind must be one of {}, got {s:?}", all.join(", ")))
                })
            })
            .transpose()?;
        let cursor = nonempty(self.cursor).map(|c| parse_cursor(&c)).transpose()?;
        let newer = nonempty(self.newer).map(|c| parse_cursor(&c)).transpose()?;
        if cursor.is_some() && newer.is_some() {
            return Err(bad("give cursor (older traces) or newer (newer traces), not both".into()));
        }
        let since_ns = nonempty(self.since).map(|s| parse_time("since", &s, now_ns)).transpose()?;
        let until_ns = nonempty(self.until).map(|s| parse_time("until", &s, now_ns)).transpose()?;
        Ok(ParsedQuery {
            cursor,
            newer,
            limit,
            service: nonempty(self.service),
            errors_only,
            min_duration_ns,
            kind,
            model: nonempty(self.model),
            user: nonempty(self.user),
            session: nonempty(self.session),
            text: nonempty(self.q),
            since_ns,
            until_ns,
        })
    }
}

/// Cursors are `{start_ns}-{trace_id}` of the last trace on a page.
pub fn make_cursor(start_ns: i64, trace_id: &str) -> String {
    format!("{start_ns}-{trace_id}")
}

fn parse_cursor(c: &str) -> Result<(i64, String)> {
    let bad = || Error::BadRequest(format!("cursor {c:?} is not one Loupe gave out; start again without it"));
    let (start, id) = c.rsplit_once('-').ok_or_else(bad)?;
    let start = start.parse::<i64>().map_err(|_| bad())?;
    let id = TraceId::parse(id).map_err(|_| bad())?;
    Ok((start, id.to_string()))
}

/// A point in time: Unix milliseconds (`1732400000000`), a UTC date and time
/// (`2026-11-24T02:10`, as `<input type=datetime-local>` sends it, seconds optional),
/// or an age relative to now (`30s`, `15m`, `1h`, `24h`, `7d`).
fn parse_time(name: &str, s: &str, now_ns: i64) -> Result<i64> {
    let bad = || {
        Error::BadRequest(format!(
            "{name} must be Unix milliseconds, a UTC time like 2026-11-24T02:10, or an age like 15m, 1h, 24h, 7d; got {s:?}"
        ))
    };
    if let Ok(ms) = s.parse::<i64>() {
        return ms.checked_mul(1_000_000).ok_or_else(bad);
    }
    if s.contains('T') {
        return parse_utc(s).ok_or_else(bad);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let unit_ns: i64 = match unit {
        "s" => 1_000_000_000,
        "m" => 60 * 1_000_000_000,
        "h" => 3600 * 1_000_000_000,
        "d" => 86_400 * 1_000_000_000,
        _ => return Err(bad()),
    };
    Ok(now_ns - n.checked_mul(unit_ns).ok_or_else(bad)?)
}

fn parse_utc(s: &str) -> Option<i64> {
    use time::macros::format_description;
    let with_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let t = time::PrimitiveDateTime::parse(s, with_seconds).or_else(|_| time::PrimitiveDateTime::parse(s, minutes)).ok()?;
    i64::try_from(t.assume_utc().unix_timestamp_nanos()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q() -> ListQuery {
        ListQuery::default()
    }

    #[test]
    fn defaults_and_valid_values() {
        let p = q().parse(0).unwrap();
        assert_eq!(p.limit, DEFAULT_LIMIT);
        let p = ListQuery {
            limit: Some("10".into()),
            status: Some("error".into()),
            min_duration_ms: Some("2.5".into()),
            kind: Some("tool".into()),
            since: Some("1h".into()),
            until: Some("2024-11-24T02:10".into()),
            cursor: Some(make_cursor(42, "93e9f0e947fb4e71e3293eba759ef8aa")),
            ..q()
        }
        .parse(10_000_000_000_000)
        .unwrap();
        assert_eq!(p.limit, 10);
        assert_eq!(p.errors_only, Some(true));
        assert_eq!(p.min_duration_ns, Some(2_500_000));
        assert_eq!(p.kind, Some(StepKind::Tool));
        assert_eq!(p.since_ns, Some(10_000_000_000_000 - 3_600_000_000_000));
        assert_eq!(p.until_ns, Some(1_732_414_200_000_000_000));
        assert_eq!(p.cursor, Some((42, "93e9f0e947fb4e71e3293eba759ef8aa".into())));
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        let cases: Vec<(ListQuery, &str)> = vec![
            (ListQuery { limit: Some("0".into()), ..q() }, "limit must be"),
            (ListQuery { limit: Some("many".into()), ..q() }, "limit must be"),
            (ListQuery { status: Some("broken".into()), ..q() }, "status must be"),
            (ListQuery { min_duration_ms: Some("-1".into()), ..q() }, "min_duration_ms"),
            (ListQuery { kind: Some("robot".into()), ..q() }, "kind must be one of agent"),
            (ListQuery { since: Some("yesterday".into()), ..q() }, "since must be"),
            (ListQuery { cursor: Some("nope".into()), ..q() }, "cursor"),
            (ListQuery { until: Some("2024-13-01T00:00".into()), ..q() }, "until must be"),
            (
                ListQuery {
                    cursor: Some(make_cursor(1, "93e9f0e947fb4e71e3293eba759ef8aa")),
                    newer: Some(make_cursor(2, "93e9f0e947fb4e71e3293eba759ef8aa")),
                    ..q()
                },
                "not both",
            ),
        ];
        for (query, want) in cases {
            let err = query.parse(0).unwrap_err().to_string();
            assert!(err.contains(want), "{err:?} should contain {want:?}");
        }
    }
}
