//! The trace list's query: parsed and validated once, with messages that say what
//! to fix, before any SQL is built.

use serde::Deserialize;

use app::model::TraceFilter;

use crate::domain::{StepKind, TraceId};
use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// `GET /api/traces` query parameters as sent: the list page's URL parameters
/// ([`TraceFilter`]: the page and the API take the same filters), plus `limit` and
/// `until`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub filter: TraceFilter,
    pub limit: Option<String>,
    /// End of the time range (with a `since` that is not `custom`).
    pub until: Option<String>,
    /// `newest` (the default: start time, keyset-paged) or `slowest` (duration, one page).
    pub order: Option<String>,
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
    /// Longest first (no paging) rather than newest first.
    pub slowest: bool,
}

impl ListQuery {
    pub fn parse(self, now_ns: i64) -> Result<ParsedQuery> {
        let ListQuery { filter: f, limit, until, order } = self;
        let bad = |m: String| Error::BadRequest(m);
        let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let limit = match nonempty(limit) {
            None => DEFAULT_LIMIT,
            Some(s) => s
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| bad(format!("limit must be a whole number from 1 to {MAX_LIMIT}, got {s:?}")))?,
        };
        let errors_only = parse_status(nonempty(f.status).as_deref())?;
        let min_duration_ns = nonempty(f.min_duration_ms)
            .map(|s| {
                s.parse::<f64>()
                    .ok()
                    .filter(|ms| ms.is_finite() && *ms >= 0.0)
                    .map(|ms| (ms * 1e6) as i64)
                    .ok_or_else(|| bad(format!("min_duration_ms must be a non-negative number, got {s:?}")))
            })
            .transpose()?;
        let kind = parse_kind(nonempty(f.kind).as_deref())?;
        let cursor = nonempty(f.cursor).map(|c| parse_cursor(&c)).transpose()?;
        let newer = nonempty(f.newer).map(|c| parse_cursor(&c)).transpose()?;
        let slowest = match nonempty(order).as_deref() {
            None | Some("newest") => false,
            Some("slowest") => true,
            Some(other) => return Err(bad(format!("order must be \"newest\" or \"slowest\", got {other:?}"))),
        };
        if slowest && (cursor.is_some() || newer.is_some()) {
            return Err(bad("order=slowest is one page (the longest traces); paging with cursor or newer is for newest first".into()));
        }
        if cursor.is_some() && newer.is_some() {
            return Err(bad("give cursor (older traces) or newer (newer traces), not both".into()));
        }
        // `since=custom` is the page's custom range: `from` and `to`.
        let (since, until) = match nonempty(f.since) {
            Some(s) if s == "custom" => (f.from, f.to),
            since => (since, until),
        };
        let since_ns = nonempty(since).map(|s| parse_time("since", &s, now_ns)).transpose()?;
        let until_ns = nonempty(until).map(|s| parse_time("until", &s, now_ns)).transpose()?;
        if let (Some(since), Some(until)) = (since_ns, until_ns)
            && until <= since
        {
            return Err(bad("until must be after since".into()));
        }
        Ok(ParsedQuery {
            cursor,
            newer,
            limit,
            service: nonempty(f.service),
            errors_only,
            min_duration_ns,
            kind,
            model: nonempty(f.model),
            user: nonempty(f.user),
            session: nonempty(f.session),
            text: nonempty(f.q),
            since_ns,
            until_ns,
            slowest,
        })
    }
}

/// `status`: `error` (failed spans only) → `Some(true)`, `ok` → `Some(false)`.
pub fn parse_status(status: Option<&str>) -> Result<Option<bool>> {
    match status {
        None => Ok(None),
        Some("error") => Ok(Some(true)),
        Some("ok") => Ok(Some(false)),
        Some(other) => Err(Error::BadRequest(format!("status must be \"error\" or \"ok\", got {other:?}"))),
    }
}

/// `kind`: one of the step kinds' names.
pub fn parse_kind(kind: Option<&str>) -> Result<Option<StepKind>> {
    kind.map(|s| {
        StepKind::parse(s).ok_or_else(|| {
            let all: Vec<&str> = StepKind::ALL.iter().map(|k| k.as_str()).collect();
            Error::BadRequest(format!("kind must be one of {}, got {s:?}", all.join(", ")))
        })
    })
    .transpose()
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

/// The range of the stats endpoints and pages: `since` (default: 24 hours ago) to
/// `until` (default: now), each as [`parse_time`] takes it; until must be later.
pub fn parse_range(since: &Option<String>, until: &Option<String>, now_ns: i64) -> Result<(i64, i64)> {
    let nonempty = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let since_ns = match nonempty(since) {
        Some(s) => parse_time("since", &s, now_ns)?,
        None => now_ns - crate::domain::DAY_NS,
    };
    let until_ns = nonempty(until).map(|s| parse_time("until", &s, now_ns)).transpose()?.unwrap_or(now_ns);
    if until_ns <= since_ns {
        return Err(Error::BadRequest("until must be after since".into()));
    }
    Ok((since_ns, until_ns))
}

/// A point in time: Unix milliseconds (`1732400000000`), a UTC date and time
/// (`2026-11-24T02:10`, as `<input type=datetime-local>` sends it, seconds optional),
/// or an age relative to now (`30s`, `15m`, `1h`, `24h`, `7d`).
pub(crate) fn parse_time(name: &str, s: &str, now_ns: i64) -> Result<i64> {
    let t = parse_instant(name, s, now_ns)?;
    // Times are stored as i64 Unix nanoseconds: 1970 to 2262.
    if t < 0 {
        return Err(Error::BadRequest(format!("{name} {s:?} is before 1970-01-01, outside the times Loupe stores (1970 to 2262)")));
    }
    Ok(t)
}

fn parse_instant(name: &str, s: &str, now_ns: i64) -> Result<i64> {
    let bad = || {
        Error::BadRequest(format!(
            "{name} must be Unix milliseconds, a UTC time like 2026-11-24T02:10, or an age like 15m, 1h, 24h, 7d; got {s:?}"
        ))
    };
    let out_of_range = || Error::BadRequest(format!("{name} {s:?} is outside the times Loupe stores (1970 to 2262)"));
    if let Ok(ms) = s.parse::<i64>() {
        return ms.checked_mul(1_000_000).ok_or_else(out_of_range);
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
    n.checked_mul(unit_ns).and_then(|age| now_ns.checked_sub(age)).ok_or_else(out_of_range)
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

    #[test]
    fn times_outside_what_is_stored_are_refused_by_name() {
        let now = 1_800_000_000_000_000_000;
        for (s, want) in
            [("-9223372036854", "outside"), ("-5", "before 1970"), ("1969-12-31T23:59", "before 1970"), ("999999999999d", "outside")]
        {
            let e = parse_range(&Some(s.into()), &None, now).unwrap_err().to_string();
            assert!(e.contains("since") && e.contains(want), "{s}: {e}");
        }
        let e = parse_range(&Some("1h".into()), &Some("2h".into()), now).unwrap_err().to_string();
        assert!(e.contains("until must be after since"), "{e}");
        let list = ListQuery {
            filter: TraceFilter { since: Some("1h".into()), ..TraceFilter::default() },
            until: Some("2h".into()),
            ..ListQuery::default()
        };
        assert!(list.parse(now).unwrap_err().to_string().contains("until must be after since"));
        assert!(parse_time("since", "9223372036854", now).is_ok());
    }

    fn q() -> ListQuery {
        ListQuery::default()
    }

    fn f() -> TraceFilter {
        TraceFilter::default()
    }

    fn with(filter: TraceFilter) -> ListQuery {
        ListQuery { filter, ..q() }
    }

    #[test]
    fn defaults_and_valid_values() {
        let p = q().parse(0).unwrap();
        assert_eq!(p.limit, DEFAULT_LIMIT);
        let p = ListQuery {
            filter: TraceFilter {
                status: Some("error".into()),
                min_duration_ms: Some("2.5".into()),
                kind: Some("tool".into()),
                since: Some("1h".into()),
                cursor: Some(make_cursor(42, "93e9f0e947fb4e71e3293eba759ef8aa")),
                ..f()
            },
            limit: Some("10".into()),
            until: Some("2024-11-24T02:10".into()),
            order: None,
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
    fn a_custom_range_uses_from_and_to_and_presets_ignore_them() {
        let custom = TraceFilter {
            since: Some("custom".into()),
            from: Some("2024-11-24T02:00".into()),
            to: Some("2024-11-24T02:10:30".into()),
            ..f()
        };
        let p = with(custom.clone()).parse(0).unwrap();
        assert_eq!(p.since_ns, Some(1_732_413_600_000_000_000));
        assert_eq!(p.until_ns, Some(1_732_414_230_000_000_000));
        let p = with(TraceFilter { since: Some("15m".into()), ..custom }).parse(1_000_000_000_000).unwrap();
        assert_eq!(p.since_ns, Some(1_000_000_000_000 - 900_000_000_000));
        assert_eq!(p.until_ns, None);
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        let cursor = |n| Some(make_cursor(n, "93e9f0e947fb4e71e3293eba759ef8aa"));
        let cases: Vec<(ListQuery, &str)> = vec![
            (ListQuery { limit: Some("0".into()), ..q() }, "limit must be"),
            (ListQuery { limit: Some("many".into()), ..q() }, "limit must be"),
            (with(TraceFilter { status: Some("broken".into()), ..f() }), "status must be"),
            (with(TraceFilter { min_duration_ms: Some("-1".into()), ..f() }), "min_duration_ms"),
            (with(TraceFilter { kind: Some("robot".into()), ..f() }), "kind must be one of agent"),
            (with(TraceFilter { since: Some("yesterday".into()), ..f() }), "since must be"),
            (with(TraceFilter { since: Some("custom".into()), from: Some("soon".into()), ..f() }), "since must be"),
            (with(TraceFilter { cursor: Some("nope".into()), ..f() }), "cursor"),
            (ListQuery { until: Some("2024-13-01T00:00".into()), ..q() }, "until must be"),
            (with(TraceFilter { cursor: cursor(1), newer: cursor(2), ..f() }), "not both"),
            (ListQuery { order: Some("oldest".into()), ..q() }, "order must be"),
            (ListQuery { order: Some("slowest".into()), filter: TraceFilter { cursor: cursor(1), ..f() }, ..q() }, "one page"),
        ];
        for (query, want) in cases {
            let err = query.parse(0).unwrap_err().to_string();
            assert!(err.contains(want), "{err:?} should contain {want:?}");
        }
    }
}
