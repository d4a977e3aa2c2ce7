use std::collections::HashSet;

use super::*;

pub(crate) fn head(id: &str, parent: Option<&str>, kind: StepKind, start: i64, end: i64) -> SpanHead {
    SpanHead {
        span_id: id.into(),
        parent_span_id: parent.map(Into::into),
        name: format!("{} {id}", kind.as_str()),
        kind,
        service: "svc".into(),
        start_ns: start,
        end_ns: end,
        error: false,
        tokens: Tokens::default(),
        model: None,
        tool: None,
        message: None,
        prompt_hash: None,
        step: format!("{} {id}", kind.as_str()),
        cost_usd: None,
        unpriced: false,
    }
}

/// A failed span with a status message.
pub(crate) fn failed(mut s: SpanHead, message: &str) -> SpanHead {
    s.error = true;
    s.message = Some(message.into());
    s
}

fn critical(o: &Outline) -> Vec<(&str, i64)> {
    o.critical_path.iter().map(|s| (o.rows[s.row as usize].span_id.as_str(), s.self_ns)).collect()
}

#[test]
fn the_critical_path_skips_siblings_that_ran_in_parallel() {
    use StepKind::*;
    // fast and slow run in parallel from 10; slow ends last, so the root waited for
    // slow; fast overlapped it and is not on the path, although it ended after
    // slow started (Jaeger would put it on the path).
    let spans = vec![
        head("root", None, Agent, 0, 100),
        head("first", Some("root"), Llm, 0, 10),
        head("fast", Some("root"), Tool, 10, 40),
        head("slow", Some("root"), Tool, 12, 90),
    ];
    let o = Outline::build("t".into(), spans).unwrap();
    assert_eq!(critical(&o), [("root", 10 + 2), ("first", 10), ("slow", 78)]);
    let root = &o.critical_path[0];
    assert_eq!(root.segments, [(10, 12), (90, 100)]);
}

#[test]
fn the_critical_path_goes_deep_and_ignores_children_that_outlive_their_parent() {
    use StepKind::*;
    let spans = vec![
        head("root", None, Agent, 0, 100),
        head("chain", Some("root"), Chain, 5, 95),
        head("llm", Some("chain"), Llm, 10, 60),
        head("tool", Some("chain"), Tool, 60, 90),
        // Fire-and-forget: starts inside chain and ends after the root.
        head("async", Some("chain"), Http, 80, 150),
    ];
    let o = Outline::build("t".into(), spans).unwrap();
    assert_eq!(critical(&o), [("root", 10), ("chain", 5 + 5), ("llm", 50), ("tool", 30)]);
    let total: i64 = o.critical_path.iter().map(|s| s.self_ns).sum();
    assert_eq!(total, 100, "the path covers the root's whole duration once");
}

#[test]
fn the_critical_path_survives_missing_parents_and_empty_traces() {
    use StepKind::*;
    let spans = vec![head("a", Some("gone"), Tool, 0, 50), head("b", None, Llm, 10, 80)];
    let o = Outline::build("t".into(), spans).unwrap();
    assert_eq!(critical(&o), [("b", 70)], "the top-level span that ended last");
}

fn ids(o: &Outline) -> Vec<&str> {
    o.rows.iter().map(|r| r.span_id.as_str()).collect()
}

#[test]
fn rows_come_in_tree_order_whatever_the_arrival_order() {
    use StepKind::*;
    let spans = vec![
        head("c2", Some("root"), Tool, 50, 60),
        head("g1", Some("c1"), Llm, 15, 20),
        head("root", None, Agent, 0, 100),
        head("c1", Some("root"), Chain, 10, 40),
    ];
    let o = Outline::build("t".into(), spans).unwrap();
    assert_eq!(ids(&o), ["root", "c1", "g1", "c2"]);
    let depth: Vec<u32> = o.rows.iter().map(|r| r.depth).collect();
    assert_eq!(depth, [0, 1, 2, 1]);
    let parents: Vec<Option<u32>> = o.rows.iter().map(|r| r.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(1), Some(0)]);
    let desc: Vec<u32> = o.rows.iter().map(|r| r.descendants).collect();
    assert_eq!(desc, [3, 1, 0, 0]);
    assert_eq!((o.start_ns, o.duration_ns, o.orphans), (0, 100, 0));
    assert_eq!(o.ancestors(2), vec![1, 0]);
    assert_eq!(o.index()["c2"], 3);
}

#[test]
fn missing_parents_and_cycles_become_roots_not_losses() {
    use StepKind::*;
    let spans = vec![
        head("a", Some("b"), Tool, 0, 10),
        head("b", Some("a"), Tool, 1, 5),
        head("lost", Some("never-arrived"), Llm, 2, 3),
        head("self", Some("self"), Db, 4, 6),
    ];
    let o = Outline::build("t".into(), spans).unwrap();
    assert_eq!(o.rows.len(), 4);
    let mut seen = ids(&o);
    seen.sort();
    assert_eq!(seen, ["a", "b", "lost", "self"]);
    assert_eq!(o.orphans, 3, "the never-arrived parent, the self-parent, and one break in the a/b cycle");
    assert!(o.rows.iter().all(|r| r.depth <= 1));
}

#[test]
fn collapsing_hides_exactly_the_subtree() {
    use StepKind::*;
    let spans = vec![
        head("root", None, Agent, 0, 100),
        head("c1", Some("root"), Chain, 10, 40),
        head("g1", Some("c1"), Llm, 15, 20),
        head("g2", Some("c1"), Llm, 21, 30),
        head("c2", Some("root"), Tool, 50, 60),
    ];
    let o = Outline::build("t".into(), spans).unwrap();
    assert_eq!(o.visible(&HashSet::new()), vec![0, 1, 2, 3, 4]);
    assert_eq!(o.visible(&HashSet::from([1])), vec![0, 1, 4]);
    assert_eq!(o.visible(&HashSet::from([0, 1])), vec![0]);
}

#[test]
fn time_by_kind_counts_parallel_work_once_and_waiting_parents_not_at_all() {
    use StepKind::*;
    // The agent runs 0..100: a model call, two overlapping tool calls, a model call,
    // and 5 ns of its own work at the end.
    let spans = vec![
        head("agent", None, Agent, 0, 100),
        head("llm1", Some("agent"), Llm, 0, 30),
        head("tool1", Some("agent"), Tool, 30, 80),
        head("tool2", Some("agent"), Tool, 40, 90),
        head("llm2", Some("agent"), Llm, 90, 95),
    ];
    let o = Outline::build("t".into(), spans).unwrap();
    let got: Vec<(StepKind, i64, u32)> = o.by_kind.iter().map(|k| (k.kind, k.wall_ns, k.spans)).collect();
    assert_eq!(got, [(Tool, 60, 2), (Llm, 35, 2), (Agent, 5, 1)]);
    let slowest_tool = &o.rows[o.by_kind[0].slowest as usize];
    assert_eq!(slowest_tool.span_id, "tool1");
}

#[test]
fn summary_counts_errors_tokens_and_services() {
    use StepKind::*;
    let mut a = head("a", None, Agent, 0, 10);
    a.service = "api".into();
    let mut b = head("b", Some("a"), Llm, 1, 9);
    b.error = true;
    b.tokens = Tokens { input: 10, output: 5, total: 15, ..Tokens::default() };
    b.service = "llm-proxy".into();
    let o = Outline::build("t".into(), vec![a, b]).unwrap();
    assert_eq!(o.errors, 1);
    assert_eq!(o.tokens.total, 15);
    assert_eq!(o.services, ["api", "llm-proxy"]);
    assert_eq!(o.rows[1].service, 1);
    assert!(Outline::build("t".into(), vec![]).is_none());
}

#[test]
fn log_records_are_counted_and_marked_on_their_rows() {
    use crate::model::logs::Severity;
    let mut o = Outline::build("t".into(), vec![head("a", None, StepKind::Tool, 100, 200), head("b", Some("a"), StepKind::Tool, 120, 180)])
        .unwrap();
    let log =
        |span: Option<&str>, t: i64, n: i32| LogHead { span_id: span.map(str::to_string), time_ns: t, severity_number: n, quote: None };
    o.attach_logs(&[log(Some("b"), 150, 13), log(Some("b"), 130, 9), log(Some("a"), 110, 17), log(None, 190, 21), log(Some("gone"), 1, 1)]);
    assert_eq!((o.logs.total, o.logs.warnings, o.logs.errors), (5, 1, 2));
    let b = o.index()["b"];
    let marks: Vec<(i64, Severity)> = o.logs.marks_of(b).iter().map(|m| (m.offset_ns, m.severity)).collect();
    assert_eq!(marks, [(30, Severity::Info), (50, Severity::Warn)]);
    assert_eq!(o.logs.marks_of(o.index()["a"]).len(), 1);
}
