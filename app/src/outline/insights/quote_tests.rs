//! Findings quoting logs: see `quotes.rs`.
use crate::model::StepKind;
use crate::outline::tests::{failed, head};
use crate::outline::{FindingKind, LogHead, Outline, SpanHead};

const MS: i64 = 1_000_000;

fn log(span: &str, ms: i64, n: i32, quote: &str) -> LogHead {
    LogHead { span_id: Some(span.into()), time_ns: ms * MS, severity_number: n, quote: Some(quote.into()) }
}

fn tool(id: &str, parent: &str, start: i64, end: i64) -> SpanHead {
    let mut s = head(id, Some(parent), StepKind::Tool, start * MS, end * MS);
    s.name = "charge_card".into();
    s.tool = Some("charge_card".into());
    s
}

/// A checkout whose `charge_card` failed once (its HTTP call logged why) and worked the second time.
fn checkout() -> Outline {
    let spans = vec![
        head("root", None, StepKind::Agent, 0, 3_000 * MS),
        failed(tool("a", "root", 10, 1_500), "HTTP 429"),
        head("h", Some("a"), StepKind::Http, 20 * MS, 1_400 * MS),
        tool("b", "root", 1_600, 2_900),
    ];
    Outline::build("t".into(), spans).unwrap()
}

#[test]
fn a_retry_quotes_what_its_failed_attempt_logged() {
    let mut o = checkout();
    o.attach_logs(&[
        log("b", 2_000, 13, "succeeded on the second try"),
        log("h", 1_300, 13, "HTTP 429 from the payment API, retrying in 50 ms"),
        LogHead { span_id: Some("a".into()), time_ns: 100 * MS, severity_number: 9, quote: None },
    ]);
    let retry = o.findings.iter().find(|f| f.kind == FindingKind::Retry).expect("a retry finding");
    assert!(
        retry.text.ends_with(" `http h` logged \"HTTP 429 from the payment API, retrying in 50 ms\" before its retry."),
        "{}",
        retry.text
    );
    let others: Vec<&str> = o.findings.iter().filter(|f| f.kind != FindingKind::Retry).map(|f| f.text.as_str()).collect();
    assert!(others.iter().all(|t| !t.contains("logged")), "{others:?}");
}

#[test]
fn an_error_outranks_an_earlier_warning_and_nothing_is_added_without_logs() {
    let mut o = checkout();
    let before: Vec<String> = o.findings.iter().map(|f| f.text.clone()).collect();
    o.attach_logs(&[]);
    assert_eq!(o.findings.iter().map(|f| f.text.clone()).collect::<Vec<_>>(), before);
    let mut o = checkout();
    o.attach_logs(&[log("a", 100, 13, "card issuer slow"), log("h", 1_200, 17, "payment API `v2` answered 429")]);
    let retry = o.findings.iter().find(|f| f.kind == FindingKind::Retry).unwrap();
    assert!(retry.text.ends_with(" `http h` logged \"payment API 'v2' answered 429\" before its retry."), "{}", retry.text);
}

#[test]
fn quotes_come_from_text_bodies_cut_short() {
    assert_eq!(LogHead::quote_of("\"HTTP 429\\nretry\"").as_deref(), Some("HTTP 429…"));
    assert_eq!(LogHead::quote_of("\"timed out after 1.3 s\"").as_deref(), Some("timed out after 1.3 s"));
    // Cut by the store inside an escape: the broken escape is dropped.
    assert_eq!(LogHead::quote_of("\"caf\\u00e9 down \\u00").as_deref(), Some("café down"));
    assert_eq!(LogHead::quote_of("{\"fingerprint\": \"ab\"}"), None, "structured bodies are not quoted");
    assert_eq!(LogHead::quote_of(&format!("\"{}\"", "x".repeat(300))).unwrap().chars().count(), 161);
}
