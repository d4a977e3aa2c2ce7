//! Log records as the pages and the JSON API show them: OpenTelemetry log
//! records, scrubbed and fingerprinted like spans, tied to their span when they
//! were written inside one.
//! <https://opentelemetry.io/docs/specs/otel/logs/data-model/>

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ContentField, ContentPolicy, ExceptionInfo};

/// A severity band of the log data model: numbers 1–4 are TRACE, 5–8 DEBUG,
/// 9–12 INFO, 13–16 WARN, 17–20 ERROR, 21–24 FATAL; 0 is unspecified.
/// <https://opentelemetry.io/docs/specs/otel/logs/data-model/#field-severitynumber>
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unspecified,
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Severity {
    pub const ALL: [Severity; 7] =
        [Severity::Unspecified, Severity::Trace, Severity::Debug, Severity::Info, Severity::Warn, Severity::Error, Severity::Fatal];

    /// The band of a severity number (out-of-range numbers are unspecified).
    pub fn of(number: i32) -> Severity {
        match number {
            1..=4 => Severity::Trace,
            5..=8 => Severity::Debug,
            9..=12 => Severity::Info,
            13..=16 => Severity::Warn,
            17..=20 => Severity::Error,
            21..=24 => Severity::Fatal,
            _ => Severity::Unspecified,
        }
    }

    /// The smallest severity number in the band: `severity >= WARN` is
    /// `severity_number >= Severity::Warn.min_number()`.
    pub fn min_number(self) -> i32 {
        match self {
            Severity::Unspecified => 0,
            Severity::Trace => 1,
            Severity::Debug => 5,
            Severity::Info => 9,
            Severity::Warn => 13,
            Severity::Error => 17,
            Severity::Fatal => 21,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unspecified => "unspecified",
            Severity::Trace => "trace",
            Severity::Debug => "debug",
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Error => "error",
            Severity::Fatal => "fatal",
        }
    }

    /// The short upper-case label shown beside a record.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Unspecified => "LOG",
            Severity::Trace => "TRACE",
            Severity::Debug => "DEBUG",
            Severity::Info => "INFO",
            Severity::Warn => "WARN",
            Severity::Error => "ERROR",
            Severity::Fatal => "FATAL",
        }
    }

    /// From a filter's text: a band name in any case (`warn`, `WARNING`, `err`).
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "unspecified" | "any" | "" => Severity::Unspecified,
            "trace" => Severity::Trace,
            "debug" => Severity::Debug,
            "info" => Severity::Info,
            "warn" | "warning" => Severity::Warn,
            "error" | "err" => Severity::Error,
            "fatal" | "critical" => Severity::Fatal,
            _ => return None,
        })
    }

    /// Warnings and worse: what the waterfall marks and the summary counts.
    pub fn is_notable(self) -> bool {
        self >= Severity::Warn
    }
}

/// One stored log record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogView {
    /// Loupe's id of the record (insertion order): the paging key.
    pub id: i64,
    /// When the event happened (the observed time when the sender gave none).
    pub time_ns: i64,
    /// When the sending SDK or collector saw it.
    pub observed_ns: i64,
    pub severity: Severity,
    /// 0 when the sender gave none.
    pub severity_number: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_text: Option<String>,
    /// The body as sent (a string, or any JSON value), scrubbed; `null` when it
    /// was content and is kept as a fingerprint (see `content`).
    pub body: Value,
    pub attributes: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span_id: Option<String>,
    pub service: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The event name of an event record (`gen_ai.client.inference.operation.details`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionInfo>,
    /// Fingerprints of GenAI content the record carried (text only under capture).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<ContentField>,
    pub content_policy: ContentPolicy,
    /// The key of the resource (process) that sent it, as spans have one.
    #[serde(default)]
    pub resource: String,
}

impl LogView {
    /// The body as one line of text: a string as it is, anything else as JSON,
    /// a fingerprinted body by its summary.
    pub fn body_text(&self) -> String {
        match &self.body {
            Value::String(s) => s.clone(),
            Value::Null => match self.content.first() {
                Some(c) => c.text.clone().unwrap_or_else(|| format!("[{}: {}]", c.key, c.summary)),
                None => String::new(),
            },
            other => other.to_string(),
        }
    }
}

/// A page of log records, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogPage {
    pub logs: Vec<LogView>,
    /// Pass back as `cursor` to get the next (older) page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// The records of one trace, in time order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceLogs {
    pub logs: Vec<LogView>,
    /// More records than one answer carries were stored; the first ones are here.
    #[serde(default)]
    pub truncated: bool,
}

/// The Logs page's filters, as URL and API query parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFilter {
    /// Words that must all appear in the body, the exception or the event name.
    pub q: Option<String>,
    /// The least severity shown: `warn` shows WARN, ERROR and FATAL.
    pub severity: Option<String>,
    pub service: Option<String>,
    /// An age (`24h`), a UTC time or Unix ms.
    pub since: Option<String>,
    pub until: Option<String>,
    /// `yes`: only records tied to a trace; `no`: only standalone ones; a trace id: that trace's.
    pub trace: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl LogFilter {
    const KEYS: [&'static str; 7] = ["q", "severity", "service", "since", "until", "trace", "cursor"];

    fn slots(&mut self) -> [&mut Option<String>; 7] {
        [&mut self.q, &mut self.severity, &mut self.service, &mut self.since, &mut self.until, &mut self.trace, &mut self.cursor]
    }

    /// From URL query pairs (empty values are absent).
    pub fn from_pairs(get: impl Fn(&str) -> Option<String>) -> LogFilter {
        let mut f = LogFilter::default();
        for (key, slot) in Self::KEYS.iter().zip(f.slots()) {
            *slot = get(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        }
        f.limit = get("limit").and_then(|l| l.trim().parse().ok());
        f
    }

    /// As a URL query string (without `?`), absent values left out.
    pub fn to_query(&self) -> String {
        let mut me = self.clone();
        let mut pairs: Vec<String> =
            Self::KEYS.iter().zip(me.slots()).filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", super::encode(v)))).collect();
        if let Some(limit) = self.limit {
            pairs.push(format!("limit={limit}"));
        }
        pairs.join("&")
    }

    /// The newest page: the one that refreshes itself.
    pub fn is_first_page(&self) -> bool {
        self.cursor.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_bands_follow_the_data_model() {
        assert_eq!(Severity::of(0), Severity::Unspecified);
        assert_eq!(Severity::of(9), Severity::Info);
        assert_eq!(Severity::of(13), Severity::Warn);
        assert_eq!(Severity::of(17), Severity::Error);
        assert_eq!(Severity::of(24), Severity::Fatal);
        assert_eq!(Severity::of(99), Severity::Unspecified);
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
            assert_eq!(Severity::of(s.min_number()), s);
        }
        assert_eq!(Severity::parse("WARNING"), Some(Severity::Warn));
        assert_eq!(Severity::parse("loud"), None);
        assert!(Severity::Error.is_notable() && !Severity::Info.is_notable());
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let f = LogFilter { q: Some("timed out".into()), severity: Some("warn".into()), limit: Some(50), ..Default::default() };
        assert_eq!(f.to_query(), "q=timed%20out&severity=warn&limit=50");
        let pairs = [("q", "timed out"), ("severity", "warn"), ("limit", "50"), ("service", " ")];
        let back = LogFilter::from_pairs(|k| pairs.iter().find(|(p, _)| *p == k).map(|(_, v)| v.to_string()));
        assert_eq!(back, f);
    }
}
