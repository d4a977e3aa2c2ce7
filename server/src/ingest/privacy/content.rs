//! Structural summaries of content: what it looks like, without any of its text.

use serde_json::Value;

/// E.g. "3 messages: system 412 chars, user 88, assistant 1,024", "user message, 31 chars",
/// "JSON object with 2 keys: city, nights", "text, 1,024 chars, 3 lines".
pub fn summarize(text: &str, role: Option<&str>) -> String {
    let trimmed = text.trim_start();
    if (trimmed.starts_with('[') || trimmed.starts_with('{'))
        && let Ok(value) = serde_json::from_str::<Value>(text)
    {
        return summarize_json(&value);
    }
    let chars = thousands(text.chars().count() as u64);
    match role {
        Some(role) => format!("{} message, {chars} chars", safe_label(role)),
        None => {
            let lines = text.lines().count().max(1);
            if lines > 1 { format!("text, {chars} chars, {lines} lines") } else { format!("text, {chars} chars") }
        }
    }
}

fn summarize_json(value: &Value) -> String {
    match value {
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.get("role").is_some()) => {
            let parts: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let role = m.get("role").and_then(Value::as_str).map(safe_label).unwrap_or("?");
                    let chars = thousands(text_chars(m));
                    if i == 0 { format!("{role} {chars} chars") } else { format!("{role} {chars}") }
                })
                .collect();
            let n = items.len();
            format!("{n} message{}: {}", if n == 1 { "" } else { "s" }, parts.join(", "))
        }
        Value::Array(items) => format!("JSON array of {} items", items.len()),
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().take(6).map(|k| safe_label(k)).collect();
            let more = if map.len() > keys.len() { ", …" } else { "" };
            format!("JSON object with {} keys: {}{more}", map.len(), keys.join(", "))
        }
        other => format!("JSON {}", other.to_string().chars().count()),
    }
}

/// Characters of text inside a message, wherever the convention put it
/// (`content` as a string, `parts[].content`, `content[].text`).
fn text_chars(value: &Value) -> u64 {
    match value {
        Value::String(s) => s.chars().count() as u64,
        Value::Array(items) => items.iter().map(text_chars).sum(),
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| matches!(k.as_str(), "content" | "parts" | "text" | "arguments" | "result"))
            .map(|(_, v)| text_chars(v))
            .sum(),
        _ => 0,
    }
}

/// Roles and keys are structure, but a sender could put anything there: keep short
/// identifier-like labels only.
fn safe_label(label: &str) -> &str {
    let ok = label.len() <= 32 && label.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if ok { label } else { "…" }
}

/// 1024 → "1,024".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarizes_genai_messages_without_text() {
        let text = r#"[{"role":"system","parts":[{"type":"text","content":"You plan trips."}]},
                       {"role":"user","parts":[{"type":"text","content":"Find me a hotel in Lisbon"}]}]"#;
        let summary = summarize(text, None);
        assert_eq!(summary, "2 messages: system 15 chars, user 25");
        assert!(!summary.contains("Lisbon"));
    }

    #[test]
    fn summarizes_objects_plain_text_and_roles() {
        assert_eq!(summarize(r#"{"city":"Porto"}"#, None), "JSON object with 1 keys: city");
        assert_eq!(summarize("line one\nline two", None), "text, 17 chars, 2 lines");
        assert_eq!(summarize("hello", Some("assistant")), "assistant message, 5 chars");
        assert_eq!(summarize("hello", Some("Alice Smith <a@b.c>")), "… message, 5 chars");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1024), "1,024");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
