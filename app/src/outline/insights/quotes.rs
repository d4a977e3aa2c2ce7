//! Findings that quote a log: the warning or error a step logged is often the
//! why of a retry or a slow step ("HTTP 429 from the payment API, retrying in
//! 50 ms"), said by the program itself. A retry quotes what its failed attempts
//! logged, a slow step what it (or a span inside it) logged.

use std::collections::HashMap;

use super::{Finding, FindingKind};
use crate::outline::logs::LogHead;
use crate::outline::row::Row;

/// Adds to each retry, dominant-step and slower-than-usual finding the worst,
/// then first, warning or error logged inside the spans it is about.
pub fn quote_logs(findings: &mut [Finding], rows: &[Row], logs: &[LogHead]) {
    let index: HashMap<&str, usize> = rows.iter().enumerate().map(|(i, r)| (r.span_id.as_str(), i)).collect();
    // Each row's quotable records, earliest first.
    let mut by_row: HashMap<usize, Vec<&LogHead>> = HashMap::new();
    for log in logs.iter().filter(|l| l.quote.is_some()) {
        if let Some(&row) = log.span_id.as_deref().and_then(|s| index.get(s)) {
            by_row.entry(row).or_default().push(log);
        }
    }
    if by_row.is_empty() {
        return;
    }
    for list in by_row.values_mut() {
        list.sort_by_key(|l| (std::cmp::Reverse(l.severity_number), l.time_ns));
    }
    // The worst, then earliest, record on a row or under it.
    let first_in = |row: usize| -> Option<(usize, &LogHead)> {
        let last = row + rows[row].descendants as usize;
        (row..=last.min(rows.len() - 1))
            .filter_map(|r| by_row.get(&r).and_then(|l| l.first()).map(|l| (r, *l)))
            .min_by_key(|(_, l)| (std::cmp::Reverse(l.severity_number), l.time_ns))
    };
    // A record is quoted once, by the costliest finding it explains.
    let mut quoted: Vec<&LogHead> = Vec::new();
    for f in findings.iter_mut() {
        let spans: Vec<usize> = f.span_ids.iter().filter_map(|s| index.get(s.as_str()).copied()).collect();
        let (about, when) = match f.kind {
            // The attempts that failed (all but the last) logged why they did.
            FindingKind::Retry => (&spans[..spans.len().saturating_sub(1)], " before its retry"),
            FindingKind::DominantStep | FindingKind::SlowerThanUsual => (&spans[..spans.len().min(1)], ""),
            _ => continue,
        };
        let Some((row, log)) = about.iter().filter_map(|&r| first_in(r)).next() else { continue };
        if quoted.iter().any(|q| std::ptr::eq(*q, log)) {
            continue;
        }
        quoted.push(log);
        let quote = log.quote.as_deref().unwrap_or_default().replace('`', "'");
        f.text = format!("{} `{}` logged \"{quote}\"{when}.", f.text.trim_end(), rows[row].name);
    }
}

#[cfg(test)]
#[path = "quote_tests.rs"]
mod tests;
