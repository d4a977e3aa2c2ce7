use crate::model::{StepKind, Tokens};
use crate::outline::tests::{failed, head};
use crate::outline::{FindingKind, Outline, SpanHead};

const MS: i64 = 1_000_000;

fn kinds(o: &Outline) -> Vec<FindingKind> {
    o.findings.iter().map(|f| f.kind).collect()
}

fn tool(id: &str, start: i64, end: i64) -> SpanHead {
    let mut s = head(id, Some("root"), StepKind::Tool, start * MS, end * MS);
    s.name = "execute_tool search_hotels".into();
    s.tool = Some("search_hotels".into());
    s
}

#[test]
fn a_slow_tool_call_that_timed_out_and_was_retried_is_one_sentence() {
    use StepKind::*;
    // The demo's shape: a model call, a 10 s tool call that timed out, the retry
    // that worked, a last model call.
    let spans = vec![
        head("root", None, Agent, 0, 14_400 * MS),
        head("chat1", Some("root"), Llm, 50 * MS, 900 * MS),
        failed(tool("t1", 900, 10_900), "search_hotels timed out after 10 s"),
        tool("t2", 11_100, 11_900),
        head("chat2", Some("root"), Llm, 11_900 * MS, 14_300 * MS),
    ];
    let o = Outline::build("t".into(), spans).unwrap();
    let f = &o.findings[0];
    assert_eq!(f.kind, FindingKind::Retry);
    assert_eq!(f.text, "`execute_tool search_hotels` took 10.0 s (69% of the trace) and was retried once after a timeout.");
    assert!(f.fix.starts_with("Give `search_hotels` a timeout close to its normal latency (the attempt that worked took 800 ms, the one that failed waited 10.0 s)"), "{}", f.fix);
    assert_eq!(f.span_ids, ["t1", "t2"]);
    assert_eq!(f.numbers["attempts"], 2.0);
    assert_eq!(f.numbers["failed_ns"], 10_000.0 * MS as f64);
    assert!(!kinds(&o).contains(&FindingKind::DominantStep), "the retry sentence already names the dominant step");
    assert!(!kinds(&o).contains(&FindingKind::SequentialTools), "a retry is not an independent call");
}

#[test]
fn model_calls_dominating_the_time_and_a_repeated_prompt_are_found() {
    use StepKind::*;
    let mut c1 = head("c1", Some("root"), Llm, 0, 400 * MS);
    let mut c2 = head("c2", Some("root"), Llm, 450 * MS, 900 * MS);
    let mut c3 = head("c3", Some("root"), Llm, 900 * MS, 1_000 * MS);
    for c in [&mut c1, &mut c2, &mut c3] {
        c.name = "chat gpt-4o".into();
        c.tokens = Tokens { input: 1000, output: 100, total: 1100, ..Tokens::default() };
    }
    c1.prompt_hash = Some("blake3:aa".into());
    c2.prompt_hash = Some("blake3:aa".into());
    c3.prompt_hash = Some("blake3:bb".into());
    let spans = vec![head("root", None, Agent, 0, 1_000 * MS), c1, c2, c3];
    let o = Outline::build("t".into(), spans).unwrap();
    let share = o.findings.iter().find(|f| f.kind == FindingKind::KindShare).expect("kind share");
    assert_eq!(share.text, "3 model calls took 95% of the time (950 ms).");
    let repeat = o.findings.iter().find(|f| f.kind == FindingKind::RepeatedPrompt).expect("repeated prompt");
    assert_eq!(repeat.span_ids, ["c1", "c2"]);
    assert_eq!(repeat.text, "The same prompt went to the model 2 times (`chat gpt-4o`), 450 ms after the first.");
    assert!(repeat.fix.contains("1 call (450 ms, 1,100 tokens) could be saved"), "{}", repeat.fix);
}

#[test]
fn independent_tool_calls_in_a_row_could_run_in_parallel() {
    use StepKind::*;
    let mut a = head("a", Some("root"), Tool, 0, 300 * MS);
    a.name = "execute_tool get_weather".into();
    let mut b = head("b", Some("root"), Tool, 300 * MS, 700 * MS);
    b.name = "execute_tool search_hotels".into();
    let spans = vec![head("root", None, Agent, 0, 800 * MS), a, b, head("c", Some("root"), Llm, 700 * MS, 800 * MS)];
    let o = Outline::build("t".into(), spans).unwrap();
    let f = o.findings.iter().find(|f| f.kind == FindingKind::SequentialTools).expect("sequential tools");
    assert_eq!(f.span_ids, ["a", "b"]);
    assert_eq!(f.numbers["saving_ns"], 300.0 * MS as f64);
    assert!(f.fix.contains("about 400 ms instead of 700 ms"), "{}", f.fix);
}

#[test]
fn a_repeated_sequence_of_steps_is_a_loop() {
    use StepKind::*;
    let mut spans = vec![head("root", None, Agent, 0, 1_000 * MS)];
    for i in 0..4 {
        let t0 = i * 200 * MS;
        let mut think = head(&format!("think{i}"), Some("root"), Llm, t0, t0 + 100 * MS);
        think.name = "chat gpt-4o-mini".into();
        let mut act = head(&format!("act{i}"), Some("root"), Tool, t0 + 100 * MS, t0 + 200 * MS);
        act.name = "execute_tool lookup_order".into();
        spans.extend([think, act]);
    }
    let o = Outline::build("t".into(), spans).unwrap();
    let f = o.findings.iter().find(|f| f.kind == FindingKind::Loop).expect("loop");
    assert_eq!(f.text, "`chat gpt-4o-mini` → `execute_tool lookup_order` ran 4 times in a row under `agent root` (800 ms in all).");
    assert_eq!(f.span_ids.len(), 8);
    assert_eq!(f.numbers["repeats"], 4.0);
}

#[test]
fn a_root_busy_between_its_steps_is_found_and_a_quiet_trace_has_no_findings() {
    use StepKind::*;
    let spans = vec![head("root", None, Agent, 0, 1_000 * MS), head("db", Some("root"), Db, 0, 100 * MS)];
    let o = Outline::build("t".into(), spans).unwrap();
    assert_eq!(kinds(&o), [FindingKind::RootSelfTime]);
    assert_eq!(o.findings[0].text, "`agent root` spent 900 ms (90%) in its own code between steps, with no child span running.");

    let spans = vec![
        head("root", None, Agent, 0, 100 * MS),
        head("x", Some("root"), Db, 0, 25 * MS),
        head("y", Some("root"), Http, 25 * MS, 50 * MS),
        head("z", Some("root"), Other, 50 * MS, 75 * MS),
        head("w", Some("root"), Db, 75 * MS, 95 * MS),
    ];
    assert!(Outline::build("t".into(), spans).unwrap().findings.is_empty());
}

#[test]
fn a_step_several_times_its_usual_p95_is_found_only_with_enough_history() {
    use StepKind::*;
    let spans = || {
        vec![
            head("root", None, Agent, 0, 2_000 * MS),
            head("ret", Some("root"), Retrieval, 0, 1_200 * MS),
            head("llm", Some("root"), Llm, 1_200 * MS, 2_000 * MS),
        ]
    };
    let usual = |count| {
        let mut u = crate::outline::Usual::new();
        u.insert((Retrieval, "retrieval ret".to_string()), crate::outline::UsualLatency { p95_ns: 300 * MS, count });
        u.insert((Llm, "llm llm".to_string()), crate::outline::UsualLatency { p95_ns: 700 * MS, count });
        u
    };
    let o = Outline::build_with("t".into(), spans(), &usual(500)).unwrap();
    let slow: Vec<&str> = o.findings.iter().filter(|f| f.kind == FindingKind::SlowerThanUsual).map(|f| f.text.as_str()).collect();
    assert_eq!(slow, ["`retrieval ret` took 1.20 s, 4.0× its usual p95 (300 ms over 500 earlier spans)."]);
    let o = Outline::build_with("t".into(), spans(), &usual(5)).unwrap();
    assert!(o.findings.iter().all(|f| f.kind != FindingKind::SlowerThanUsual), "5 spans are no history");
}

#[test]
fn a_prompt_that_is_most_of_the_cost_is_found_with_a_trimming_fix() {
    use StepKind::*;
    let call = |id: &str, start: i64, end: i64, input: i64, output: i64, usd: f64| {
        let mut s = head(id, Some("root"), Llm, start * MS, end * MS);
        s.name = format!("chat {id}");
        s.tokens = Tokens { input, output, total: input + output, ..Tokens::default() };
        s.cost_usd = Some(usd);
        s
    };
    let spans = |big_input: i64| {
        vec![
            head("root", None, Agent, 0, 3_000 * MS),
            call("plan", 0, 500, 400, 100, 0.002),
            call("answer", 500, 3_000, big_input, 300, 0.03),
        ]
    };
    let o = Outline::build("t".into(), spans(12_000)).unwrap();
    assert!((o.cost_usd - 0.032).abs() < 1e-12);
    let f = o.findings.iter().find(|f| f.kind == FindingKind::PromptCost).expect("a prompt cost finding");
    assert_eq!(
        f.text,
        "`chat answer` cost $0.030 (94% of the trace's $0.032), and its input is most of that: 12,000 tokens in for 300 out."
    );
    assert!(f.fix.starts_with("Trim the prompt"));
    assert_eq!(f.span_ids, ["answer"]);
    assert_eq!(f.numbers["input_tokens"], 12_000.0);
    // Input only 5× the output: the output is a real part of the bill, no finding.
    let o = Outline::build("t".into(), spans(1_500)).unwrap();
    assert!(o.findings.iter().all(|f| f.kind != FindingKind::PromptCost));
    // Unpriced calls have no cost to attribute.
    let mut unpriced = spans(12_000);
    for s in unpriced.iter_mut() {
        s.unpriced = s.cost_usd.take().is_some();
    }
    let o = Outline::build("t".into(), unpriced).unwrap();
    assert_eq!((o.cost_usd, o.unpriced), (0.0, 2));
    assert!(o.findings.iter().all(|f| f.kind != FindingKind::PromptCost));
}
