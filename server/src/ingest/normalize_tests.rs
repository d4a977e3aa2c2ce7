use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::*;
use crate::domain::{ContentPolicy, Resource, SpanId, SpanStatus, TraceId};
use crate::ingest::RawEvent;

fn attrs(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn raw(attributes: Value) -> RawSpan {
    RawSpan {
        trace_id: TraceId([1; 16]),
        span_id: SpanId([2; 8]),
        parent_span_id: None,
        name: "span".into(),
        otel_kind: "internal",
        start_ns: 10,
        end_ns: 20,
        status: SpanStatus::Unset,
        status_message: None,
        attributes: attrs(attributes),
        events: vec![],
        links: vec![],
        resource: Arc::new(Resource::new(attrs(json!({"service.name": "svc"})))),
        scope: None,
    }
}

fn hashed() -> Privacy {
    Privacy::new(ContentPolicy::Hashed, [3; 32])
}

#[test]
fn gen_ai_operations_map_to_kinds() {
    let cases = [
        ("chat", StepKind::Llm),
        ("generate_content", StepKind::Llm),
        ("text_completion", StepKind::Llm),
        ("embeddings", StepKind::Embedding),
        ("retrieval", StepKind::Retrieval),
        ("create_agent", StepKind::Agent),
        ("invoke_agent", StepKind::Agent),
        ("execute_tool", StepKind::Tool),
        ("invoke_workflow", StepKind::Chain),
    ];
    for (op, kind) in cases {
        assert_eq!(step_kind(&attrs(json!({"gen_ai.operation.name": op})), "internal"), kind, "{op}");
    }
}

#[test]
fn openinference_kinds_map_to_kinds() {
    let cases = [
        ("LLM", StepKind::Llm),
        ("EMBEDDING", StepKind::Embedding),
        ("CHAIN", StepKind::Chain),
        ("RETRIEVER", StepKind::Retrieval),
        ("RERANKER", StepKind::Rerank),
        ("TOOL", StepKind::Tool),
        ("AGENT", StepKind::Agent),
        ("GUARDRAIL", StepKind::Guardrail),
        ("EVALUATOR", StepKind::Guardrail),
        ("PROMPT", StepKind::Chain),
        ("UNKNOWN", StepKind::Other),
    ];
    for (oi, kind) in cases {
        assert_eq!(step_kind(&attrs(json!({"openinference.span.kind": oi})), "internal"), kind, "{oi}");
    }
}

#[test]
fn openllmetry_kinds_map_to_kinds() {
    for (tl, kind) in [("workflow", StepKind::Chain), ("task", StepKind::Chain), ("agent", StepKind::Agent), ("tool", StepKind::Tool)] {
        assert_eq!(step_kind(&attrs(json!({"traceloop.span.kind": tl})), "internal"), kind, "{tl}");
    }
    for (rt, kind) in
        [("chat", StepKind::Llm), ("completion", StepKind::Llm), ("embedding", StepKind::Embedding), ("rerank", StepKind::Rerank)]
    {
        assert_eq!(step_kind(&attrs(json!({"llm.request.type": rt})), "client"), kind, "{rt}");
    }
}

#[test]
fn http_db_and_span_kind_are_fallbacks() {
    assert_eq!(step_kind(&attrs(json!({"db.system.name": "postgresql"})), "client"), StepKind::Db);
    assert_eq!(step_kind(&attrs(json!({"db.system": "redis"})), "client"), StepKind::Db);
    assert_eq!(step_kind(&attrs(json!({"http.request.method": "GET"})), "client"), StepKind::Http);
    assert_eq!(step_kind(&attrs(json!({"http.method": "POST"})), "client"), StepKind::Http);
    assert_eq!(step_kind(&attrs(json!({"gen_ai.request.model": "gpt-4o"})), "client"), StepKind::Llm);
    assert_eq!(step_kind(&attrs(json!({})), "server"), StepKind::Http);
    assert_eq!(step_kind(&attrs(json!({})), "internal"), StepKind::Other);
    // An explicit convention wins over a fallback.
    let both = json!({"gen_ai.operation.name": "execute_tool", "http.request.method": "GET"});
    assert_eq!(step_kind(&attrs(both), "client"), StepKind::Tool);
}

#[test]
fn gen_ai_fields_accept_current_and_deprecated_names() {
    let current = normalize(
        raw(json!({
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.response.model": "gpt-4o-2024-08-06",
            "gen_ai.usage.input_tokens": 812,
            "gen_ai.usage.output_tokens": "96",
            "gen_ai.usage.cache_read.input_tokens": 512,
            "gen_ai.usage.cache_creation.input_tokens": 8,
            "gen_ai.usage.reasoning.output_tokens": 40,
            "gen_ai.conversation.id": "conv-42",
        })),
        &hashed(),
    );
    let g = &current.gen_ai;
    assert_eq!(current.kind, StepKind::Llm);
    assert_eq!(g.provider.as_deref(), Some("openai"));
    assert_eq!(current.model(), Some("gpt-4o-2024-08-06"));
    assert_eq!((g.tokens.input, g.tokens.output, g.tokens.total), (812, 96, 908));
    assert_eq!((g.tokens.cache_read, g.tokens.cache_write, g.tokens.reasoning), (512, 8, 40));
    assert_eq!(current.session_id.as_deref(), Some("conv-42"));

    let old = normalize(
        raw(json!({"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
                   "gen_ai.usage.prompt_tokens": 1020, "gen_ai.usage.completion_tokens": 210})),
        &hashed(),
    );
    assert_eq!(old.kind, StepKind::Llm);
    assert_eq!(old.gen_ai.provider.as_deref(), Some("openai"));
    assert_eq!((old.gen_ai.tokens.input, old.gen_ai.tokens.output, old.gen_ai.tokens.total), (1020, 210, 1230));
}

#[test]
fn openinference_and_openllmetry_fields() {
    let oi = normalize(
        raw(json!({"openinference.span.kind": "LLM", "llm.model_name": "claude-3-5-haiku", "llm.provider": "anthropic",
                   "llm.token_count.prompt": 640, "llm.token_count.completion": 120, "llm.token_count.total": 760,
                   "session.id": "sess-7", "user.id": "traveller-3"})),
        &hashed(),
    );
    assert_eq!(oi.model(), Some("claude-3-5-haiku"));
    assert_eq!(oi.gen_ai.provider.as_deref(), Some("anthropic"));
    assert_eq!(oi.gen_ai.tokens.total, 760);
    assert_eq!((oi.user_id.as_deref(), oi.session_id.as_deref()), (Some("traveller-3"), Some("sess-7")));

    // openinference-instrumentation-openai 0.1.66 names embedding models here.
    let emb = normalize(raw(json!({"openinference.span.kind": "EMBEDDING", "embedding.model_name": "text-embedding-3-small"})), &hashed());
    assert_eq!((emb.kind, emb.model()), (StepKind::Embedding, Some("text-embedding-3-small")));
    let rerank = normalize(raw(json!({"openinference.span.kind": "RERANKER", "reranker.model_name": "rerank-english-v3.0"})), &hashed());
    assert_eq!(rerank.model(), Some("rerank-english-v3.0"));
    let old_tl = normalize(
        raw(json!({"llm.request.type": "chat", "llm.request.model": "gpt-4o", "llm.response.model": "gpt-4o-2024-08-06"})),
        &hashed(),
    );
    assert_eq!(old_tl.model(), Some("gpt-4o-2024-08-06"));

    let tool = normalize(raw(json!({"openinference.span.kind": "TOOL", "tool.name": "get_weather"})), &hashed());
    assert_eq!(tool.gen_ai.tool_name.as_deref(), Some("get_weather"));

    let tl = normalize(raw(json!({"traceloop.span.kind": "tool", "traceloop.entity.name": "book_flight"})), &hashed());
    assert_eq!((tl.kind, tl.gen_ai.tool_name.as_deref()), (StepKind::Tool, Some("book_flight")));
    let tl_llm = normalize(raw(json!({"llm.request.type": "chat", "llm.usage.total_tokens": 340})), &hashed());
    assert_eq!(tl_llm.gen_ai.tokens.total, 340);
}

#[test]
fn exceptions_are_typed_and_scrubbed() {
    let mut span = raw(json!({"gen_ai.operation.name": "execute_tool"}));
    span.status = SpanStatus::Error;
    span.status_message = Some("failed for bob@example.com".into());
    span.events.push(RawEvent {
        time_ns: 15,
        name: "exception".into(),
        attributes: attrs(json!({"exception.type": "TimeoutError", "exception.message": "no answer from +1 415 555 0100"})),
    });
    let span = normalize(span, &hashed());
    assert!(span.is_error());
    assert_eq!(span.status_message.as_deref(), Some("failed for [email]"));
    let exception = span.events[0].exception.as_ref().unwrap();
    assert_eq!(exception.kind.as_deref(), Some("TimeoutError"));
    assert_eq!(exception.message.as_deref(), Some("no answer from [phone]"));
}

#[test]
fn content_is_fingerprinted_in_attributes_and_events() {
    let mut span = raw(json!({"input.value": "Plan a weekend in Porto for Bob Jones", "input.mime_type": "text/plain"}));
    span.events.push(RawEvent { time_ns: 12, name: "gen_ai.user.message".into(), attributes: attrs(json!({"content": "secret plan"})) });
    let span = normalize(span, &hashed());
    assert!(!span.attributes.contains_key("input.value"));
    assert!(span.attributes.contains_key("input.mime_type"));
    let keys: Vec<&str> = span.content.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["input.value", "gen_ai.user.message/content"]);
    let everything = format!("{:?}", span);
    assert!(!everything.contains("Porto") && !everything.contains("secret plan"), "{everything}");
}
