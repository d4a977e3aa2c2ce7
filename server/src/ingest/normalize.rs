//! Raw span → domain span: step kind, typed LLM fields, content fingerprints,
//! scrubbed strings. Pure functions; the attribute names come from `conventions`.

use serde_json::{Map, Value};

use super::privacy::Privacy;
use super::{RawEvent, RawSpan};
use crate::domain::conventions as c;
use crate::domain::{ExceptionInfo, GenAi, Span, SpanEvent, SpanLink, StepKind, Tokens};

/// Normalizes one span under the installation's privacy settings.
pub fn normalize(raw: RawSpan, privacy: &Privacy) -> Span {
    let kind = step_kind(&raw.attributes, raw.otel_kind);
    let gen_ai = gen_ai(&raw.attributes, kind);
    let user_id = first_str(&raw.attributes, c::USER).map(|s| privacy.scrub(&s).into_owned());
    let session_id = first_str(&raw.attributes, c::SESSION).map(|s| privacy.scrub(&s).into_owned());

    let mut raw_attributes = raw.attributes;
    let (imported, hashed_elsewhere) = privacy.imported_content(&mut raw_attributes);
    let (mut attributes, mut content) = privacy.split_content(raw_attributes);
    content.extend(imported);
    privacy.scrub_map(&mut attributes);
    let events = raw
        .events
        .into_iter()
        .map(|e| {
            let (event, event_content) = event(e, privacy);
            content.extend(event_content);
            event
        })
        .collect();
    let links = raw
        .links
        .into_iter()
        .map(|l| {
            let mut attributes = l.attributes;
            privacy.scrub_map(&mut attributes);
            SpanLink { trace_id: l.trace_id.to_string(), span_id: l.span_id.to_string(), attributes }
        })
        .collect();

    let name = privacy.scrub(&raw.name).into_owned();
    Span {
        trace_id: raw.trace_id,
        span_id: raw.span_id,
        parent_span_id: raw.parent_span_id,
        step: crate::domain::step::step_name(&name),
        name,
        kind,
        otel_kind: raw.otel_kind,
        start_ns: raw.start_ns,
        end_ns: raw.end_ns,
        status: raw.status,
        status_message: raw.status_message.map(|m| privacy.scrub(&m).into_owned()),
        gen_ai,
        user_id,
        session_id,
        events,
        links,
        attributes,
        resource: raw.resource,
        scope: raw.scope,
        content,
        content_policy: if hashed_elsewhere { crate::domain::ContentPolicy::Hashed } else { privacy.policy() },
        cost: Default::default(),
    }
}

/// The step kind: explicit LLM conventions first (GenAI, OpenInference, OpenLLMetry),
/// then what HTTP/DB attributes and the OTel span kind imply.
pub fn step_kind(attrs: &Map<String, Value>, otel_kind: &str) -> StepKind {
    let get = |k: &str| attrs.get(k).and_then(Value::as_str);
    let explicit = get(c::GEN_AI_OPERATION_NAME)
        .and_then(c::kind_from_gen_ai_operation)
        .or_else(|| get(c::OI_SPAN_KIND).and_then(c::kind_from_openinference))
        .or_else(|| get(c::TRACELOOP_SPAN_KIND).and_then(c::kind_from_traceloop))
        .or_else(|| get(c::LLM_REQUEST_TYPE).and_then(c::kind_from_llm_request_type));
    if let Some(kind) = explicit {
        return kind;
    }
    if get(c::DB_SYSTEM_NAME).or_else(|| get(c::DB_SYSTEM)).is_some() {
        return StepKind::Db;
    }
    let has = |k: &str| attrs.contains_key(k);
    if has(c::HTTP_REQUEST_METHOD) || has(c::HTTP_METHOD) || has(c::URL_FULL) || has(c::HTTP_ROUTE) {
        return StepKind::Http;
    }
    // A model call from an instrumentation that names no operation.
    if has(c::GEN_AI_REQUEST_MODEL) || has(c::OI_MODEL_NAME) {
        return StepKind::Llm;
    }
    match otel_kind {
        // A server span with no other hint is the entry point of a request.
        "server" => StepKind::Http,
        _ => StepKind::Other,
    }
}

fn gen_ai(attrs: &Map<String, Value>, kind: StepKind) -> GenAi {
    let int = |keys: &[&str]| first_int(attrs, keys).unwrap_or(0);
    let input = int(c::INPUT_TOKENS);
    let output = int(c::OUTPUT_TOKENS);
    let tokens = Tokens {
        input,
        output,
        cache_read: int(c::CACHE_READ_TOKENS),
        cache_write: int(c::CACHE_WRITE_TOKENS),
        reasoning: int(c::REASONING_TOKENS),
        total: first_int(attrs, c::TOTAL_TOKENS).unwrap_or(input + output),
    };
    let mut tool_name = first_str(attrs, c::TOOL_NAME);
    if tool_name.is_none() && kind == StepKind::Tool {
        // OpenLLMetry names the tool only as the entity.
        tool_name = first_str(attrs, &[c::TRACELOOP_ENTITY_NAME]);
    }
    GenAi {
        request_model: first_str(attrs, c::REQUEST_MODEL),
        response_model: first_str(attrs, c::RESPONSE_MODEL),
        provider: first_str(attrs, c::PROVIDER),
        tokens,
        tool_name,
    }
}

fn event(raw: RawEvent, privacy: &Privacy) -> (SpanEvent, Vec<crate::domain::ContentField>) {
    let (mut attributes, content) = privacy.split_event_content(&raw.name, raw.attributes);
    privacy.scrub_map(&mut attributes);
    let exception = (raw.name == c::EXCEPTION_EVENT).then(|| ExceptionInfo {
        kind: attributes.get(c::EXCEPTION_TYPE).and_then(Value::as_str).map(str::to_string),
        message: attributes.get(c::EXCEPTION_MESSAGE).and_then(Value::as_str).map(str::to_string),
    });
    let event = SpanEvent { time_ns: raw.time_ns, name: privacy.scrub(&raw.name).into_owned(), attributes, exception };
    (event, content)
}

fn first_str(attrs: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match attrs.get(*k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Token counts arrive as ints, as strings (OTLP JSON int64) or as doubles.
fn first_int(attrs: &Map<String, Value>, keys: &[&str]) -> Option<i64> {
    keys.iter().find_map(|k| match attrs.get(*k)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
