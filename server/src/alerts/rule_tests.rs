use serde_json::json;

use super::*;

fn facts(name: &'static str, kind: StepKind, ms: i64) -> Facts<'static> {
    Facts::sample(name, kind, ms)
}

fn slow_tools() -> Value {
    json!({"name": "slow tools", "match": {"kind": "tool"}, "condition": {"type": "span_duration", "threshold_ms": 2000},
           "channels": [{"type": "webhook", "url": "https://hooks.example.com/x", "format": "json"}], "cooldown_s": 300})
}

#[test]
fn the_canonical_rule_parses() {
    let spec = parse(slow_tools()).unwrap();
    assert_eq!(spec.matcher.kind, Some(StepKind::Tool));
    assert_eq!(spec.condition, Condition::SpanDuration { threshold_ms: 2000.0 });
    assert_eq!(spec.cooldown_s, 300);
    assert!(!spec.paused);
}

#[test]
fn bad_rules_name_the_field() {
    let cases = [
        (json!({"name": "x", "condition": {"type": "span_duration"}}), "condition"),
        (json!({"name": "x", "condition": {"type": "span_duration", "threshold_ms": -1}}), "condition.threshold_ms"),
        (json!({"name": "x", "condition": {"type": "span_duration", "threshold_ms": "slow"}}), "condition.threshold_ms: invalid type"),
        (
            json!({"name": "x", "condition": {"type": "window_p95", "window_min": 5, "threshold_ms": 9, "min_count": "many"}}),
            "condition.min_count",
        ),
        (json!({"name": "", "condition": {"type": "span_error"}}), "name:"),
        (json!({"name": "x", "condition": {"type": "sometimes"}}), "condition"),
        (json!({"name": "x", "match": {"kind": "toaster"}, "condition": {"type": "span_error"}}), "match.kind"),
        (json!({"name": "x", "match": {"colour": "red"}, "condition": {"type": "span_error"}}), "match"),
        (json!({"name": "x", "condition": {"type": "span_error"}, "treshold": 3}), "treshold: unknown field"),
        (json!({"name": "x", "condition": {"type": "span_error"}, "channels": [{"type": "webhook", "url": "ftp://x"}]}), "channels[0].url"),
        (
            json!({"name": "x", "condition": {"type": "span_error"}, "channels": [{"type": "webhook", "url": "not a url"}]}),
            "channels[0].url",
        ),
        (json!({"name": "x", "condition": {"type": "window_p95", "window_min": 0, "threshold_ms": 5}}), "condition.window_min"),
        (
            json!({"name": "x", "condition": {"type": "window_error_rate", "window_min": 5, "threshold_pct": 150}}),
            "condition.threshold_pct",
        ),
        (json!({"name": "x", "condition": {"type": "window_count", "window_min": 5, "threshold": 3}, "group_by": "tool"}), "group_by"),
        (json!({"name": "x", "condition": {"type": "span_error"}, "cooldown_s": "soon"}), "cooldown_s"),
        (json!(["not", "an", "object"]), "JSON object"),
    ];
    for (rule, field) in cases {
        let Err(Error::BadRequest(msg)) = parse(rule.clone()) else { panic!("accepted {rule}") };
        assert!(msg.contains(field), "{rule} → {msg:?} does not name {field:?}");
    }
}

#[test]
fn a_rule_read_back_from_the_api_parses_again() {
    let mut v = slow_tools();
    v["id"] = json!(3);
    v["created_ns"] = json!(1);
    assert!(parse(v).is_ok());
}

#[test]
fn matchers_select_spans() {
    let spec = parse(json!({"name": "x", "match": {"kind": "tool", "name": "execute_tool *"}, "condition": {"type": "span_duration", "threshold_ms": 2000}})).unwrap();
    let rule = CompiledRule::new(1, spec).unwrap();
    assert!(rule.matches(&facts("execute_tool search_hotels", StepKind::Tool, 10)));
    assert!(!rule.matches(&facts("execute_tool search_hotels", StepKind::Llm, 10)));
    assert!(!rule.matches(&facts("call execute_tool x", StepKind::Tool, 10)));
    let attrs: Map<String, Value> = serde_json::from_value(json!({"http.status_code": 503, "tenant": "acme"})).unwrap();
    let spec = parse(
        json!({"name": "x", "match": {"attribute": {"key": "http.status_code", "value": "503"}}, "condition": {"type": "span_error"}}),
    )
    .unwrap();
    let rule = CompiledRule::new(2, spec).unwrap();
    assert!(rule.needs_attributes());
    let mut f = facts("GET /", StepKind::Http, 1);
    assert!(!rule.matches(&f), "no attributes loaded: no match");
    f.attributes = Some(&attrs);
    assert!(rule.matches(&f));
}

#[test]
fn glob_is_literal_apart_from_wildcards() {
    assert!(glob("a.b(c)").unwrap().is_match("a.b(c)"));
    assert!(!glob("a.b").unwrap().is_match("axb"));
    assert!(glob("case ?").unwrap().is_match("case 7"));
}

#[test]
fn span_conditions_fire_over_the_threshold_only() {
    let rule = CompiledRule::new(1, parse(slow_tools()).unwrap()).unwrap();
    assert_eq!(rule.span_firing(&facts("execute_tool search_hotels", StepKind::Tool, 2000)), None, "not over: equal");
    let (ms, text) = rule.span_firing(&facts("execute_tool search_hotels", StepKind::Tool, 2512)).unwrap();
    assert_eq!(ms, 2512.0);
    assert_eq!(text, "execute_tool search_hotels took 2,512 ms (> 2,000 ms)");
    let errors = CompiledRule::new(2, parse(json!({"name": "e", "condition": {"type": "span_error"}})).unwrap()).unwrap();
    let mut f = facts("chat", StepKind::Llm, 5);
    assert!(errors.span_firing(&f).is_none());
    f.is_error = true;
    f.status_message = Some("rate limited");
    assert_eq!(errors.span_firing(&f).unwrap().1, "chat failed: rate limited");
}

#[test]
fn groups_follow_group_by() {
    let mut v = slow_tools();
    v["group_by"] = json!("tool");
    let rule = CompiledRule::new(1, parse(v).unwrap()).unwrap();
    assert_eq!(rule.group_key(&facts("x", StepKind::Tool, 1)).as_deref(), Some("search"));
    let ungrouped = CompiledRule::new(1, parse(slow_tools()).unwrap()).unwrap();
    assert_eq!(ungrouped.group_key(&facts("x", StepKind::Tool, 1)), None);
}
