//! The brief as Markdown, for a model or a chat message: headings, short lists
//! and tables, every span with its id to drill into, and never more than
//! [`MAX_CHARS`] characters (about 8,000 tokens), whatever the trace.

use std::fmt::Write;

use app::format::{count, duration, usd, utc};

use super::model::{Brief, OutlineLine};

/// The most characters a rendered brief has.
pub const MAX_CHARS: usize = 30_000;

/// Longest name and message shown (longer ones end in `…`).
const NAME_CHARS: usize = 120;
const MESSAGE_CHARS: usize = 240;

/// What the closing section needs of room.
const FOOTER_ROOM: usize = 1_200;

pub fn render(b: &Brief) -> String {
    let mut out = String::with_capacity(8_192);
    header(&mut out, b);
    findings(&mut out, b);
    critical_path(&mut out, b);
    by_kind(&mut out, b);
    slowest(&mut out, b);
    failing(&mut out, b);
    logged(&mut out, b);
    outline(&mut out, b);
    footer(&mut out, b);
    if out.chars().count() > MAX_CHARS {
        // Unreachable with the section caps above; kept as the promise's last guard.
        out = out.chars().take(MAX_CHARS - 40).collect();
        out.push_str("\n\n… (brief cut at its size limit)\n");
    }
    out
}

/// Text shown inside backticks: one line, no backtick of its own, bounded.
fn code(s: &str) -> String {
    format!("`{}`", clip(&s.replace('`', "'"), NAME_CHARS))
}

fn clip(s: &str, most: usize) -> String {
    let one_line: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if one_line.chars().count() <= most {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(most - 1).collect();
    cut.push('…');
    cut
}

fn message(s: &str) -> String {
    clip(s, MESSAGE_CHARS).replace('|', "\\|")
}

fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p >= 9.95 { format!("{p:.0}%") } else { format!("{p:.1}%") }
}

fn header(out: &mut String, b: &Brief) {
    let _ = writeln!(out, "# Trace {}: {} ({})\n", b.trace_id, code(&b.root_name), clip(&b.service, NAME_CHARS));
    let _ = writeln!(out, "Open in Loupe: {}\n", b.link);
    let errors = match b.errors {
        0 => "no errors".to_string(),
        1 => "1 failed span".to_string(),
        n => format!("{} failed spans", count(n as i64)),
    };
    let _ = writeln!(out, "- **{}** from {}, {} spans, {errors}", duration(b.duration_ns), utc(b.start_ns), count(b.spans as i64));
    if b.services.len() > 1 {
        let names: Vec<String> = b.services.iter().take(8).map(|s| clip(s, 40)).collect();
        let _ = writeln!(out, "- Services: {}{}", names.join(", "), if b.services.len() > 8 { ", …" } else { "" });
    }
    if b.model_calls > 0 || !b.tokens.is_zero() {
        let t = &b.tokens;
        let mut tokens = format!("{} tokens ({} in, {} out", count(t.total), count(t.input), count(t.output));
        if t.cache_read > 0 {
            let _ = write!(tokens, ", {} cache read", count(t.cache_read));
        }
        tokens.push(')');
        let unpriced =
            if b.unpriced > 0 { format!(", {} model calls unpriced (not in the cost)", count(b.unpriced as i64)) } else { String::new() };
        let _ = writeln!(out, "- {} model calls, {tokens}, cost {}{unpriced}", count(b.model_calls as i64), usd(b.cost_usd));
    }
    if b.orphans > 0 {
        let _ = writeln!(out, "- {} spans whose parent has not arrived (shown as roots)", b.orphans);
    }
    let policy = if b.content_policy == "captured" {
        "prompts and completions are stored as sent (--capture-content); this brief quotes none"
    } else {
        "prompts and completions are stored as keyed hashes, lengths and structure only"
    };
    let _ = writeln!(out, "- Content: {policy}\n");
}

fn findings(out: &mut String, b: &Brief) {
    out.push_str("## Findings\n\n");
    if b.findings.is_empty() {
        out.push_str("Nothing stands out: no step dominates, nothing was retried or repeated.\n\n");
        return;
    }
    for (i, f) in b.findings.iter().enumerate() {
        let spans: Vec<&str> = f.span_ids.iter().take(4).map(String::as_str).collect();
        let _ = writeln!(out, "{}. {} **Fix:** {} (spans {})", i + 1, clip(&f.text, 600), clip(&f.fix, 600), spans.join(", "));
    }
    out.push('\n');
}

fn critical_path(out: &mut String, b: &Brief) {
    if b.critical_path.is_empty() {
        return;
    }
    if !b.critical_steps.is_empty() {
        let steps = b.critical_path.len() as u32 + b.critical_path_more;
        let _ = writeln!(
            out,
            "## Critical path\n\nWhat the trace waited for: {} steps one after another, by step (own time summed):\n",
            count(steps as i64)
        );
        out.push_str("| share | own time | times on the path | step | kind | longest span id |\n|---:|---:|---:|---|---|---|\n");
        for g in &b.critical_steps {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                percent(g.share),
                duration(g.self_ns),
                count(g.count as i64),
                code(&g.step),
                g.kind.as_str(),
                g.longest_span_id
            );
        }
        out.push('\n');
        return;
    }
    out.push_str("## Critical path\n\nWhat the trace waited for, in order (each span's own time on the path):\n\n");
    out.push_str("| share | own time | span | kind | span id |\n|---:|---:|---|---|---|\n");
    for p in &b.critical_path {
        let _ =
            writeln!(out, "| {} | {} | {} | {} | {} |", percent(p.share), duration(p.self_ns), code(&p.name), p.kind.as_str(), p.span_id);
    }
    out.push('\n');
}

fn by_kind(out: &mut String, b: &Brief) {
    if b.by_kind.is_empty() {
        return;
    }
    out.push_str("## Time by step kind\n\n| kind | time | share | spans |\n|---|---:|---:|---:|\n");
    for k in &b.by_kind {
        let _ = writeln!(out, "| {} | {} | {} | {} |", k.kind.as_str(), duration(k.wall_ns), percent(k.share), count(k.spans as i64));
    }
    out.push('\n');
}

fn slowest(out: &mut String, b: &Brief) {
    if b.slowest.is_empty() {
        return;
    }
    out.push_str("## Slowest spans\n\n| duration | span | kind | span id | status |\n|---:|---|---|---|---|\n");
    for s in &b.slowest {
        let status = match (&s.message, s.error) {
            (Some(m), _) => format!("error: {}", message(m)),
            (None, true) => "error".to_string(),
            (None, false) => "ok".to_string(),
        };
        let _ = writeln!(out, "| {} | {} | {} | {} | {status} |", duration(s.duration_ns), code(&s.name), s.kind.as_str(), s.span_id);
    }
    out.push('\n');
}

fn failing(out: &mut String, b: &Brief) {
    if b.failing.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Failed spans ({})\n", count(b.failing_total as i64));
    let mut listed = 0;
    for f in &b.failing {
        listed += f.count;
        let times = if f.count > 1 { format!(" × {}", count(f.count as i64)) } else { String::new() };
        let longest = if f.count > 1 { "up to " } else { "" };
        let ids = if f.count as usize > f.span_ids.len() { format!("{}, …", f.span_ids.join(", ")) } else { f.span_ids.join(", ") };
        let mut line = format!("- {}{times} ({}, {longest}{}, span {ids})", code(&f.name), f.kind.as_str(), duration(f.duration_ns));
        if let Some(m) = &f.message {
            let _ = write!(line, ": {}", message(m));
        }
        if let Some(e) = &f.exception {
            let kind = e.kind.as_deref().unwrap_or("exception");
            let _ =
                write!(line, "; raised {}{}", code(kind), e.message.as_deref().map(|m| format!(": {}", message(m))).unwrap_or_default());
        }
        out.push_str(&line);
        out.push('\n');
    }
    if b.failing_total > listed {
        let _ = writeln!(out, "- … {} more: `find_spans` with `status: \"error\"` lists them", count((b.failing_total - listed) as i64));
    }
    out.push('\n');
}

/// The warnings and errors logged, quoted (bodies as stored: scrubbed, fingerprints by summary).
fn logged(out: &mut String, b: &Brief) {
    if b.logged.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Warnings and errors logged ({})\n", count(b.logged_total as i64));
    for l in &b.logged {
        let place = match (&l.span_name, &l.span_id) {
            (Some(name), Some(id)) => format!(" in {} (span {id})", code(name)),
            (None, Some(id)) => format!(" in span {id}"),
            _ => String::new(),
        };
        let _ = write!(out, "- +{} {}{place}: {}", duration(l.offset_ns.max(0)), l.severity, message(&l.body));
        if let Some(x) = &l.exception {
            let _ = write!(out, "; {}", message(x));
        }
        out.push('\n');
    }
    if b.logged_total as usize > b.logged.len() {
        let _ = writeln!(
            out,
            "- … {} more: `search_logs` with `trace: \"{}\"` lists them",
            count(b.logged_total as i64 - b.logged.len() as i64),
            b.trace_id
        );
    }
    out.push('\n');
}

fn outline(out: &mut String, b: &Brief) {
    out.push_str("## Outline\n\nThe tree, with siblings of one step folded (× count, p50 and max of their durations):\n\n");
    let room = MAX_CHARS.saturating_sub(out.chars().count() + FOOTER_ROOM);
    let mut used = 0;
    for (n, line) in b.outline.iter().enumerate() {
        let text = outline_line(line);
        let chars = text.chars().count();
        if used + chars > room {
            let _ = writeln!(out, "- … {} more outline lines left out for size: `find_spans` lists any part", b.outline.len() - n);
            break;
        }
        used += chars;
        out.push_str(&text);
    }
    out.push('\n');
}

fn outline_line(line: &OutlineLine) -> String {
    match line {
        OutlineLine::Span { depth, span_id, name, kind, duration_ns, error, message: m, .. } => {
            let status = match (error, m) {
                (true, Some(m)) => format!(" · **error**: {}", message(m)),
                (true, None) => " · **error**".to_string(),
                _ => String::new(),
            };
            format!("{}- {} {} · {} · {span_id}{status}\n", indent(*depth), code(name), duration(*duration_ns), kind.as_str())
        }
        OutlineLine::Group { depth, step, kind, count: n, p50_ns, max_ns, errors, shape, slowest_span_id, first_error_span_id, .. } => {
            let steps: Vec<String> = shape.iter().map(|s| clip(&s.step, 60)).collect();
            let shape_text = if steps.is_empty() { String::new() } else { format!(": {}", steps.join(" → ")) };
            let errors = match errors {
                0 => String::new(),
                1 => " · 1 error".to_string(),
                e => format!(" · {} errors", count(*e as i64)),
            };
            let mut text = format!(
                "{}- {} × {} ({}){shape_text} · p50 {} · max {}{errors} · slowest {slowest_span_id}",
                indent(*depth),
                code(step),
                count(*n as i64),
                kind.as_str(),
                duration(*p50_ns),
                duration(*max_ns),
            );
            if let Some(e) = first_error_span_id {
                let _ = write!(text, " · first error {e}");
            }
            text.push('\n');
            if !shape.is_empty() {
                let inside: Vec<String> =
                    shape.iter().map(|s| format!("{} p50 {}, max {}", code(&s.step), duration(s.p50_ns), duration(s.max_ns))).collect();
                let _ = writeln!(text, "{}  - each: {}", indent(*depth), inside.join("; "));
            }
            text
        }
        OutlineLine::More { depth, spans, errors, under } => {
            let errors = if *errors > 0 { format!(", {} errors", count(*errors as i64)) } else { String::new() };
            format!("{}- … {} more spans under {}{errors}\n", indent(*depth), count(*spans as i64), code(under))
        }
    }
}

fn indent(depth: u32) -> String {
    "  ".repeat(depth as usize)
}

fn footer(out: &mut String, b: &Brief) {
    let _ = writeln!(
        out,
        "## Go deeper\n\n- `get_span` with `trace_id: \"{id}\"` and a `span_id` above: one span whole (timings, status, exceptions, attributes, content fingerprints).\n\
         - `find_spans` with `trace_id: \"{id}\"`: spans by name (`q`), `kind`, `status` or `min_duration_ms`, paged.\n\
         - A span in the browser: {link}?span={{span_id}}",
        id = b.trace_id,
        link = b.link,
    );
}
