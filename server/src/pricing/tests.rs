use super::*;
use app::model::Tokens;

fn book() -> PriceBook {
    PriceBook::new(vec![]).unwrap()
}

#[test]
fn every_shipped_entry_parses_and_its_pattern_compiles() {
    let entries = shipped::parse(shipped::SHIPPED_JSON).unwrap();
    assert!(entries.len() > 100, "{} entries", entries.len());
    for e in &entries {
        compile(&e.pattern).unwrap_or_else(|err| panic!("{}: {err}", e.model));
        let p = &e.tiers[0].prices;
        assert!(p.input.is_some() || p.output.is_some() || p.total.is_some(), "{} has no token price", e.model);
    }
    assert_eq!(SHIPPED.len(), entries.len(), "every shipped entry is in the book");
    let ids: std::collections::HashSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), entries.len(), "ids are unique");
}

#[test]
fn each_shipped_model_name_is_priced_by_its_own_entry() {
    let b = book();
    let mut checked = 0;
    for c in SHIPPED.iter() {
        if c.re.is_match(&c.entry.model) {
            assert_eq!(b.find(&c.entry.model).map(|e| &e.id), Some(&c.entry.id), "{} matched another entry first", c.entry.model);
            checked += 1;
        }
    }
    assert!(checked > 140, "{checked}");
}

#[test]
fn the_right_entry_wins_for_names_as_instrumentations_send_them() {
    let b = book();
    for (name, expected) in [
        ("gpt-4o", "gpt-4o"),
        ("openai/gpt-4o", "gpt-4o"),
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18"),
        ("GPT-4O-MINI", "gpt-4o-mini"),
        ("claude-3-5-sonnet-20241022", "claude-3.5-sonnet-20241022"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3.5-sonnet-20241022"),
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("text-embedding-3-small", "text-embedding-3-small"),
        ("gemini-2.5-pro", "gemini-2.5-pro"),
    ] {
        assert_eq!(b.find(name).map(|e| e.model.as_str()), Some(expected), "{name}");
    }
    assert!(b.find("my-finetune-v3").is_none());
    assert!(b.find("gpt-4o-mini-extra").is_none(), "patterns are anchored");
}

#[test]
fn shipped_prices_are_read_per_token() {
    let b = book();
    let e = b.find("gpt-4o-mini").unwrap();
    let p = e.tiers[0].prices;
    assert_eq!((p.input, p.output, p.cache_read), (Some(1.5e-7), Some(6e-7), Some(7.5e-8)));
    let sonnet = b.find("claude-sonnet-4-5").unwrap();
    assert_eq!(sonnet.tiers.len(), 2);
    assert_eq!(sonnet.tiers[1].above_input_tokens, Some(200_000));
    assert_eq!(sonnet.tiers[0].prices.cache_write, Some(3.75e-6));
}

fn over(model: &str, input: f64, output: f64) -> PriceOverride {
    PriceOverride {
        model: model.into(),
        pattern: None,
        input_per_mtok: input,
        output_per_mtok: output,
        cache_read_per_mtok: None,
        cache_write_per_mtok: None,
    }
}

#[test]
fn overrides_win_over_shipped_entries_and_match_their_name_exactly_by_default() {
    let b = PriceBook::new(vec![over("gpt-4o-mini", 1.0, 2.0), over("my-model.v1", 3.0, 4.0)]).unwrap();
    let e = b.find("GPT-4o-mini").unwrap();
    assert_eq!((e.id.as_str(), e.source), ("override:gpt-4o-mini", PriceSource::Override));
    assert_eq!(e.tiers[0].prices.input, Some(1e-6));
    assert!(b.find("my-model.v1").is_some());
    assert!(b.find("my-modelxv1").is_none(), "the dot is literal");
    assert_eq!(b.find("gpt-4o").unwrap().source, PriceSource::Shipped);
    let list = b.list();
    assert_eq!(list.overrides.len(), 2);
    assert_eq!(list.shipped.len(), SHIPPED.len());
}

#[test]
fn bad_overrides_say_what_is_wrong() {
    let msg = |o: PriceOverride| validate(&o).unwrap_err().to_string();
    assert!(msg(over("", 1.0, 1.0)).contains("model must be"));
    assert!(msg(over(" x", 1.0, 1.0)).contains("model must be"));
    assert!(msg(over("x", -1.0, 1.0)).contains("input_per_mtok"));
    assert!(msg(over("x", 1.0, f64::NAN)).contains("output_per_mtok"));
    let bad = PriceOverride { pattern: Some("(unclosed".into()), ..over("x", 1.0, 1.0) };
    assert!(msg(bad).contains("not a valid regular expression"));
    assert!(PriceBook::new(vec![over("x", -1.0, 0.0)]).is_err());
}

fn model_span(kind: StepKind, request: Option<&str>, response: Option<&str>, tokens: Tokens) -> Span {
    use crate::domain::{ContentPolicy, GenAi, Resource, SpanId, SpanStatus, TraceId};
    Span {
        trace_id: TraceId([1; 16]),
        span_id: SpanId([2; 8]),
        parent_span_id: None,
        name: "chat".into(),
        step: "chat".into(),
        kind,
        otel_kind: "client",
        start_ns: 0,
        end_ns: 1,
        status: SpanStatus::Ok,
        status_message: None,
        gen_ai: GenAi { request_model: request.map(Into::into), response_model: response.map(Into::into), tokens, ..Default::default() },
        user_id: None,
        session_id: None,
        events: vec![],
        links: vec![],
        attributes: Default::default(),
        resource: std::sync::Arc::new(Resource::new(Default::default())),
        scope: None,
        content: vec![],
        content_policy: ContentPolicy::Hashed,
        cost: Costing::NotModelCall,
    }
}

#[test]
fn spans_are_costed_by_the_served_model_then_the_requested_one() {
    let b = book();
    let t = Tokens { input: 1000, output: 500, ..Default::default() };
    let priced = b.cost(&model_span(StepKind::Llm, Some("gpt-4o"), Some("gpt-4o-mini-2024-07-18"), t));
    let Costing::Priced { usd, price_id } = priced else { panic!("{priced:?}") };
    assert!((usd - (1000.0 * 1.5e-7 + 500.0 * 6e-7)).abs() < 1e-15, "{usd}");
    assert_eq!(price_id, b.find("gpt-4o-mini-2024-07-18").unwrap().id);
    // An unknown served name falls back to the requested model.
    let fallback = b.cost(&model_span(StepKind::Llm, Some("gpt-4o"), Some("gpt-4o-custom-deploy"), t));
    assert!(matches!(fallback, Costing::Priced { ref price_id, .. } if *price_id == b.find("gpt-4o").unwrap().id));
    assert_eq!(b.cost(&model_span(StepKind::Llm, Some("my-finetune"), None, t)), Costing::Unpriced);
    assert_eq!(b.cost(&model_span(StepKind::Llm, None, None, t)), Costing::Unpriced);
    assert_eq!(b.cost(&model_span(StepKind::Agent, Some("gpt-4o"), None, t)), Costing::NotModelCall);
}
