use std::collections::HashMap;

use app::model::{ExceptionInfo, StepKind, Tokens};
use app::outline::{Outline, SpanHead};

use super::fold::{Budget, common_words_for_tests};
use super::{Facts, MAX_CHARS, OutlineLine, build, render};
use crate::domain::step::step_name;

const MS: i64 = 1_000_000;

fn head(id: usize, parent: Option<usize>, name: &str, kind: StepKind, start_ms: i64, end_ms: i64) -> SpanHead {
    SpanHead {
        span_id: format!("{id:016x}"),
        parent_span_id: parent.map(|p| format!("{p:016x}")),
        name: name.to_string(),
        kind,
        service: "svc".into(),
        start_ns: start_ms * MS,
        end_ns: end_ms * MS,
        error: false,
        tokens: Tokens::default(),
        model: None,
        tool: None,
        message: None,
        prompt_hash: None,
        step: step_name(name),
        cost_usd: None,
        unpriced: false,
    }
}

fn facts() -> Facts {
    Facts { public_url: "http://127.0.0.1:4318".into(), content_policy: "hashed", exceptions: HashMap::new(), logs: Vec::new() }
}

/// An evaluation run: `cases` × (retrieve → chat → judge), every 50th judge failing.
fn evaluation(cases: usize) -> Outline {
    let mut spans = vec![head(0, None, "evaluation run nightly", StepKind::Agent, 0, 10 + cases as i64 * 100)];
    for c in 0..cases {
        let (base, t) = (1 + c * 4, c as i64 * 100);
        spans.push(head(base, Some(0), &format!("case {c}"), StepKind::Chain, t, t + 90 + (c % 7) as i64));
        spans.push(head(base + 1, Some(base), "retrieve", StepKind::Retrieval, t, t + 10));
        let model = if c % 2 == 0 { "chat gpt-4o-mini" } else { "chat claude-3-5-haiku" };
        spans.push(head(base + 2, Some(base), model, StepKind::Llm, t + 10, t + 60));
        let mut judge = head(base + 3, Some(base), "judge", StepKind::Llm, t + 60, t + 90);
        if c % 50 == 7 {
            judge.error = true;
            judge.message = Some("judge score below threshold".into());
        }
        spans.push(judge);
    }
    Outline::build("ab".repeat(16), spans).unwrap()
}

#[test]
fn repeated_siblings_fold_into_one_line_with_their_shape() {
    let o = evaluation(2_500);
    let b = build(&o, facts());
    assert_eq!(b.outline.len(), 2, "{:#?}", b.outline);
    let OutlineLine::Group { step, count, errors, shape, spans, p50_ns, max_ns, first_error_span_id, .. } = &b.outline[1] else {
        panic!("{:?}", b.outline[1])
    };
    assert_eq!((step.as_str(), *count, *errors, *spans), ("case {n}", 2_500, 50, 10_000));
    let steps: Vec<&str> = shape.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["retrieve", "chat *", "judge"]);
    assert_eq!(shape[1].p50_ns, 50 * MS);
    assert_eq!((*p50_ns, *max_ns), (93 * MS, 96 * MS));
    assert_eq!(first_error_span_id.as_deref(), Some(format!("{:016x}", 1 + 7 * 4 + 3).as_str()));
    let md = render(&b);
    assert!(md.contains("`case {n}` × 2,500 (chain): retrieve → chat * → judge · p50 93.0 ms · max 96.0 ms · 50 errors"), "{md}");
    // Alike failures are one line; a long critical path is summed by step.
    assert_eq!(b.failing.len(), 1);
    assert_eq!((b.failing[0].count, b.failing[0].span_ids.len()), (50, 5));
    assert!(md.contains("- `judge` × 50 (llm, up to 30.0 ms, span "), "{md}");
    assert!(md.contains("…): judge score below threshold"), "{md}");
    assert!(!b.critical_steps.is_empty());
    assert!(md.contains("| share | own time | times on the path | step | kind | longest span id |"), "{md}");
    assert!(md.contains("each: `retrieve` p50 10.0 ms"), "{md}");
}

#[test]
fn two_attempts_of_a_step_stay_two_lines() {
    let spans = vec![
        head(0, None, "POST /refund", StepKind::Http, 0, 2_300),
        {
            let mut t = head(1, Some(0), "execute_tool lookup_order", StepKind::Tool, 400, 1_700);
            t.error = true;
            t.message = Some("lookup_order timed out after 1.3 s".into());
            t
        },
        head(2, Some(0), "execute_tool lookup_order", StepKind::Tool, 1_750, 2_000),
    ];
    let o = Outline::build("cd".repeat(16), spans).unwrap();
    let mut f = facts();
    f.exceptions.insert(format!("{:016x}", 1), ExceptionInfo { kind: Some("TimeoutError".into()), message: Some("timed out".into()) });
    let b = build(&o, f);
    assert_eq!(b.outline.len(), 3);
    assert!(b.outline.iter().all(|l| matches!(l, OutlineLine::Span { .. })));
    let md = render(&b);
    assert!(md.contains("## Findings\n\n1. `execute_tool lookup_order` took 1.30 s"), "{md}");
    assert!(md.contains("**Fix:**"), "{md}");
    assert!(md.contains("raised `TimeoutError`: timed out"), "{md}");
    assert!(md.contains("| 57% | 1.30 s | `execute_tool lookup_order` | tool | 0000000000000001 |"), "{md}");
    assert!(md.contains("Open in Loupe: http://127.0.0.1:4318/traces/cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"), "{md}");
}

#[test]
fn any_trace_fits_the_bound() {
    // 100,000 siblings with names that do not fold, and a chain 3,000 deep with long names.
    let mut spans = vec![head(0, None, "root", StepKind::Agent, 0, 1_000_000)];
    let word = |mut n: usize| {
        let mut s = String::new();
        loop {
            s.push((b'a' + (n % 26) as u8) as char);
            n /= 26;
            if n == 0 {
                break s;
            }
        }
    };
    for i in 1..=100_000 {
        let mut s = head(i, Some(0), &format!("step {} {}", word(i), "x".repeat(300)), StepKind::Tool, i as i64, i as i64 + 5);
        s.error = i % 3 == 0;
        s.message = s.error.then(|| "m".repeat(1_000));
        spans.push(s);
    }
    let mut parent = 0;
    for d in 0..3_000 {
        let id = 200_000 + d;
        spans.push(head(id, Some(parent), &format!("level {} {}", word(d), "y".repeat(200)), StepKind::Chain, 10, 999_000 - d as i64));
        parent = id;
    }
    let o = Outline::build("ef".repeat(16), spans).unwrap();
    let b = build(&o, facts());
    let md = render(&b);
    assert!(md.chars().count() <= MAX_CHARS, "{} chars", md.chars().count());
    assert!(md.contains("more spans under `root`"), "the siblings left out are counted");
    assert!(md.contains("## Go deeper"), "the footer survives the cut");
    let more: u32 = b.outline.iter().map(|l| if let OutlineLine::More { spans, .. } = l { *spans } else { 0 }).sum();
    let shown = b.outline.iter().filter(|l| matches!(l, OutlineLine::Span { .. })).count() as u32;
    assert_eq!(more + shown, o.rows.len() as u32, "every span is shown or counted");
}

#[test]
fn a_smaller_budget_still_counts_everything() {
    let o = evaluation(40);
    let b = super::build::build_within(&o, facts(), Budget { lines: 5, groups_per_parent: 2, depth: 2 });
    assert!(b.outline.len() <= 5 + 2 * 2, "{:#?}", b.outline);
}

#[test]
fn names_at_a_position_read_as_their_common_words() {
    assert_eq!(common_words_for_tests(&["judge"]), "judge");
    assert_eq!(common_words_for_tests(&["chat claude-3-5-haiku", "chat gpt-4o-mini"]), "chat *");
    assert_eq!(common_words_for_tests(&["retrieve", "search"]), "retrieve | …");
}

#[test]
fn markdown_keeps_names_on_one_line_and_out_of_the_code_span() {
    let spans = vec![head(0, None, "evil `name`\n# heading", StepKind::Agent, 0, 10)];
    let o = Outline::build("01".repeat(16), spans).unwrap();
    let md = render(&build(&o, facts()));
    assert!(md.contains("`evil 'name' # heading`"), "{md}");
    assert!(!md.contains("\n# heading"), "{md}");
}
