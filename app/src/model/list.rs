//! The trace list's filters, as they appear in the page URL, and what the list page
//! shows.

use serde::{Deserialize, Serialize};

use super::{ContentPolicy, Stats, TracePage};

/// The list's filters and paging, one field per URL query parameter, kept as the
/// user typed them: the server validates them and says what is wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceFilter {
    pub service: Option<String>,
    /// `error` or `ok`.
    pub status: Option<String>,
    pub min_duration_ms: Option<String>,
    pub kind: Option<String>,
    pub model: Option<String>,
    pub user: Option<String>,
    pub session: Option<String>,
    /// Text in span names.
    pub q: Option<String>,
    /// An age (`15m`, `1h`, `24h`, `7d`) or `custom` (then `from` and `to` apply).
    pub since: Option<String>,
    /// Custom range start, `YYYY-MM-DDTHH:MM` in UTC (what `<input type=datetime-local>` sends).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Older than this page cursor.
    pub cursor: Option<String>,
    /// Newer than this page cursor.
    pub newer: Option<String>,
}

/// Parameter names in URL order.
const KEYS: [&str; 13] =
    ["service", "status", "min_duration_ms", "kind", "model", "user", "session", "q", "since", "from", "to", "cursor", "newer"];

impl TraceFilter {
    fn slots(&mut self) -> [&mut Option<String>; 13] {
        [
            &mut self.service,
            &mut self.status,
            &mut self.min_duration_ms,
            &mut self.kind,
            &mut self.model,
            &mut self.user,
            &mut self.session,
            &mut self.q,
            &mut self.since,
            &mut self.from,
            &mut self.to,
            &mut self.cursor,
            &mut self.newer,
        ]
    }

    /// From URL query pairs; empty values count as absent.
    pub fn from_pairs(get: impl Fn(&str) -> Option<String>) -> TraceFilter {
        let mut f = TraceFilter::default();
        for (key, slot) in KEYS.iter().zip(f.slots()) {
            *slot = get(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        }
        f
    }

    /// As a URL query string (without `?`), absent values left out.
    pub fn to_query(&self) -> String {
        let mut me = self.clone();
        let pairs: Vec<String> =
            KEYS.iter().zip(me.slots()).filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode(v)))).collect();
        pairs.join("&")
    }

    /// The same filters on another page of results.
    pub fn paged(&self, cursor: Option<String>, newer: Option<String>) -> TraceFilter {
        TraceFilter { cursor, newer, ..self.clone() }
    }

    /// Whether any filter (not paging) is set.
    pub fn is_filtered(&self) -> bool {
        self.paged(None, None) != TraceFilter::default()
    }

    /// Whether this is the newest page (where live updates apply).
    pub fn is_first_page(&self) -> bool {
        self.cursor.is_none() && self.newer.is_none()
    }
}

/// Percent-encoding for query values and path segments (RFC 3986 unreserved
/// characters pass); every page that builds a link from a name uses it.
pub fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Everything the list page shows, fetched in one round trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListView {
    pub page: TracePage,
    pub stats: Stats,
    /// The server's clock, so "5 min ago" reads the same before and after hydration.
    pub now_ns: i64,
    pub content_policy: ContentPolicy,
    pub otlp_endpoint: String,
    /// Known values, offered as suggestions in the filters.
    pub services: Vec<String>,
    pub models: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_round_trip_and_encode() {
        let f = TraceFilter {
            service: Some("travel agent".into()),
            q: Some("a&b=c".into()),
            cursor: Some("12-ab".into()),
            ..TraceFilter::default()
        };
        assert_eq!(f.to_query(), "service=travel%20agent&q=a%26b%3Dc&cursor=12-ab");
        assert!(f.is_filtered());
        assert!(!f.is_first_page());
        assert!(!TraceFilter { cursor: Some("x".into()), ..TraceFilter::default() }.is_filtered());
        let back = TraceFilter::from_pairs(|k| match k {
            "service" => Some("travel agent".into()),
            "q" => Some(" a&b=c ".into()),
            "user" => Some("".into()),
            "cursor" => Some("12-ab".into()),
            _ => None,
        });
        assert_eq!(back, f);
    }
}
