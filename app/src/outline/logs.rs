//! A trace's log records as the waterfall and the summary use them: a mark per
//! record on its span's row (bounded), and counts by severity.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Row;
use crate::model::logs::Severity;

/// Most marks drawn on one trace's waterfall; past it, warnings and worse are
/// kept first (they are what a reader looks for).
pub const MAX_MARKS: usize = 5_000;

/// One record as the waterfall needs it, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogHead {
    pub span_id: Option<String>,
    pub time_ns: i64,
    pub severity_number: i32,
    /// A warning's or error's text body, first line, at most [`QUOTE_CHARS`]
    /// characters: what a finding quotes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

/// Most characters of a record a finding quotes.
pub const QUOTE_CHARS: usize = 160;

impl LogHead {
    /// The quote of a stored body (JSON, maybe cut short by the store): its
    /// first line when it is text, nothing when it is structured.
    pub fn quote_of(stored: &str) -> Option<String> {
        let text = match serde_json::from_str::<serde_json::Value>(stored) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(_) => return None,
            // Cut inside the string: close it (an escape cut in half is dropped).
            Err(_) if stored.starts_with('"') => {
                let mut cut = stored.to_string();
                loop {
                    if cut.len() <= 1 {
                        return None;
                    }
                    if let Ok(s) = serde_json::from_str::<String>(&format!("{cut}\"")) {
                        break s;
                    }
                    cut.pop();
                }
            }
            Err(_) => return None,
        };
        let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
        let mut quote: String = line.chars().take(QUOTE_CHARS).collect();
        if line.chars().count() > QUOTE_CHARS || text.trim().lines().count() > 1 {
            quote.push('…');
        }
        Some(quote)
    }
}

/// A record on its span's row.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogMark {
    pub row: u32,
    /// From the trace's start.
    pub offset_ns: i64,
    pub severity: Severity,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogSummary {
    pub total: u32,
    pub warnings: u32,
    /// ERROR and FATAL.
    pub errors: u32,
    /// Records on a span of the trace, by row then time; at most [`MAX_MARKS`].
    pub marks: Vec<LogMark>,
}

impl LogSummary {
    /// Counts `logs` and marks each on its span's row (`rows` in outline order,
    /// offsets from `start_ns`).
    pub fn of(rows: &[Row], start_ns: i64, logs: &[LogHead]) -> LogSummary {
        let index: HashMap<&str, u32> = rows.iter().enumerate().map(|(i, r)| (r.span_id.as_str(), i as u32)).collect();
        let mut summary = LogSummary { total: logs.len() as u32, ..LogSummary::default() };
        let mut marks = Vec::new();
        for log in logs {
            let severity = Severity::of(log.severity_number);
            match severity {
                Severity::Warn => summary.warnings += 1,
                Severity::Error | Severity::Fatal => summary.errors += 1,
                _ => {}
            }
            if let Some(&row) = log.span_id.as_deref().and_then(|s| index.get(s)) {
                marks.push(LogMark { row, offset_ns: log.time_ns - start_ns, severity });
            }
        }
        if marks.len() > MAX_MARKS {
            marks.sort_by_key(|m| std::cmp::Reverse(m.severity));
            marks.truncate(MAX_MARKS);
        }
        marks.sort_by_key(|m| (m.row, m.offset_ns));
        summary.marks = marks;
        summary
    }

    /// The marks of one row (marks are sorted by row).
    pub fn marks_of(&self, row: u32) -> &[LogMark] {
        let start = self.marks.partition_point(|m| m.row < row);
        let end = self.marks.partition_point(|m| m.row <= row);
        &self.marks[start..end]
    }
}
