//! Every attribute name Loupe's normalizer knows, in one place, with the conventions
//! they come from. Change a convention here and nowhere else.
//!
//! - OpenTelemetry GenAI semantic conventions (development status; old names kept):
//!   <https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/>
//! - OpenInference (Arize):
//!   <https://github.com/Arize-ai/openinference/blob/main/spec/semantic_conventions.md>
//! - OpenLLMetry (Traceloop):
//!   <https://github.com/traceloop/openllmetry/blob/main/packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py>
//! - OpenTelemetry HTTP, database and general conventions:
//!   <https://opentelemetry.io/docs/specs/semconv/http/http-spans/>,
//!   <https://opentelemetry.io/docs/specs/semconv/database/database-spans/>

use app::model::StepKind;

// --- resource ---
/// <https://opentelemetry.io/docs/specs/semconv/resource/#service>
pub const SERVICE_NAME: &str = "service.name";

/// Loupe's own, on traces it exports (`GET /api/traces/{id}/export`): the span's
/// content fingerprints (a JSON array, as `/api/traces/{id}` shows them), so another
/// Loupe imports them as fingerprints instead of hashing them as text.
pub const LOUPE_CONTENT: &str = "loupe.content";
/// `hashed` or `captured`: how the exporting Loupe kept the span's content.
pub const LOUPE_CONTENT_POLICY: &str = "loupe.content_policy";

// --- OpenTelemetry GenAI ---
pub const GEN_AI_OPERATION_NAME: &str = "gen_ai.operation.name";
pub const GEN_AI_PROVIDER_NAME: &str = "gen_ai.provider.name";
/// Deprecated in favour of `gen_ai.provider.name`, still sent by many SDKs.
pub const GEN_AI_SYSTEM: &str = "gen_ai.system";
pub const GEN_AI_REQUEST_MODEL: &str = "gen_ai.request.model";
pub const GEN_AI_RESPONSE_MODEL: &str = "gen_ai.response.model";
pub const GEN_AI_USAGE_INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
pub const GEN_AI_USAGE_OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
/// Deprecated names of the two above.
pub const GEN_AI_USAGE_PROMPT_TOKENS: &str = "gen_ai.usage.prompt_tokens";
pub const GEN_AI_USAGE_COMPLETION_TOKENS: &str = "gen_ai.usage.completion_tokens";
pub const GEN_AI_USAGE_CACHE_READ: &str = "gen_ai.usage.cache_read.input_tokens";
pub const GEN_AI_USAGE_CACHE_CREATION: &str = "gen_ai.usage.cache_creation.input_tokens";
pub const GEN_AI_USAGE_REASONING: &str = "gen_ai.usage.reasoning.output_tokens";
pub const GEN_AI_TOOL_NAME: &str = "gen_ai.tool.name";
pub const GEN_AI_CONVERSATION_ID: &str = "gen_ai.conversation.id";
pub const GEN_AI_AGENT_NAME: &str = "gen_ai.agent.name";

// --- OpenInference ---
pub const OI_SPAN_KIND: &str = "openinference.span.kind";
pub const OI_MODEL_NAME: &str = "llm.model_name";
/// Embedding and reranker spans name their model apart from `llm.model_name`:
/// <https://github.com/Arize-ai/openinference/blob/main/spec/semantic_conventions.md>
pub const OI_EMBEDDING_MODEL_NAME: &str = "embedding.model_name";
pub const OI_RERANKER_MODEL_NAME: &str = "reranker.model_name";
pub const OI_PROVIDER: &str = "llm.provider";
pub const OI_SYSTEM: &str = "llm.system";
pub const OI_TOKENS_PROMPT: &str = "llm.token_count.prompt";
pub const OI_TOKENS_COMPLETION: &str = "llm.token_count.completion";
pub const OI_TOKENS_TOTAL: &str = "llm.token_count.total";
pub const OI_TOKENS_CACHE_READ: &str = "llm.token_count.prompt_details.cache_read";
pub const OI_TOKENS_CACHE_WRITE: &str = "llm.token_count.prompt_details.cache_write";
pub const OI_TOKENS_REASONING: &str = "llm.token_count.completion_details.reasoning";
pub const OI_TOOL_NAME: &str = "tool.name";
pub const SESSION_ID: &str = "session.id";
pub const USER_ID: &str = "user.id";
/// The older general convention for the end user.
pub const ENDUSER_ID: &str = "enduser.id";

// --- OpenLLMetry ---
pub const TRACELOOP_SPAN_KIND: &str = "traceloop.span.kind";
pub const TRACELOOP_ENTITY_NAME: &str = "traceloop.entity.name";
pub const LLM_REQUEST_TYPE: &str = "llm.request.type";
pub const LLM_USAGE_TOTAL_TOKENS: &str = "llm.usage.total_tokens";

// --- HTTP and databases (fallbacks) ---
pub const HTTP_REQUEST_METHOD: &str = "http.request.method";
/// Deprecated name of `http.request.method`.
pub const HTTP_METHOD: &str = "http.method";
pub const URL_FULL: &str = "url.full";
pub const HTTP_ROUTE: &str = "http.route";
pub const DB_SYSTEM_NAME: &str = "db.system.name";
/// Deprecated name of `db.system.name`.
pub const DB_SYSTEM: &str = "db.system";

// --- exceptions ---
/// <https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-spans/>
pub const EXCEPTION_EVENT: &str = "exception";
/// The older place of a log record's event name (before the `event_name` field):
/// <https://opentelemetry.io/docs/specs/semconv/general/events/>
pub const EVENT_NAME: &str = "event.name";
pub const EXCEPTION_TYPE: &str = "exception.type";
pub const EXCEPTION_MESSAGE: &str = "exception.message";

/// Keys tried in order for each typed field; the first present wins.
pub const INPUT_TOKENS: &[&str] = &[GEN_AI_USAGE_INPUT_TOKENS, GEN_AI_USAGE_PROMPT_TOKENS, OI_TOKENS_PROMPT];
pub const OUTPUT_TOKENS: &[&str] = &[GEN_AI_USAGE_OUTPUT_TOKENS, GEN_AI_USAGE_COMPLETION_TOKENS, OI_TOKENS_COMPLETION];
pub const CACHE_READ_TOKENS: &[&str] = &[GEN_AI_USAGE_CACHE_READ, OI_TOKENS_CACHE_READ];
pub const CACHE_WRITE_TOKENS: &[&str] = &[GEN_AI_USAGE_CACHE_CREATION, OI_TOKENS_CACHE_WRITE];
pub const REASONING_TOKENS: &[&str] = &[GEN_AI_USAGE_REASONING, OI_TOKENS_REASONING];
pub const TOTAL_TOKENS: &[&str] = &[OI_TOKENS_TOTAL, LLM_USAGE_TOTAL_TOKENS];
/// OpenLLMetry before it moved to `gen_ai.*` (traceloop's
/// opentelemetry-semantic-conventions-ai, `SpanAttributes.LLM_REQUEST_MODEL`).
pub const LLM_REQUEST_MODEL: &str = "llm.request.model";
pub const LLM_RESPONSE_MODEL: &str = "llm.response.model";

pub const REQUEST_MODEL: &[&str] =
    &[GEN_AI_REQUEST_MODEL, OI_MODEL_NAME, OI_EMBEDDING_MODEL_NAME, OI_RERANKER_MODEL_NAME, LLM_REQUEST_MODEL];
pub const RESPONSE_MODEL: &[&str] = &[GEN_AI_RESPONSE_MODEL, LLM_RESPONSE_MODEL];
pub const PROVIDER: &[&str] = &[GEN_AI_PROVIDER_NAME, GEN_AI_SYSTEM, OI_PROVIDER, OI_SYSTEM];
pub const TOOL_NAME: &[&str] = &[GEN_AI_TOOL_NAME, OI_TOOL_NAME];
pub const USER: &[&str] = &[USER_ID, ENDUSER_ID];
pub const SESSION: &[&str] = &[SESSION_ID, GEN_AI_CONVERSATION_ID];

/// `gen_ai.operation.name` values.
pub fn kind_from_gen_ai_operation(op: &str) -> Option<StepKind> {
    Some(match op {
        "chat" | "generate_content" | "text_completion" => StepKind::Llm,
        "embeddings" => StepKind::Embedding,
        "retrieval" => StepKind::Retrieval,
        "create_agent" | "invoke_agent" => StepKind::Agent,
        "execute_tool" => StepKind::Tool,
        "invoke_workflow" => StepKind::Chain,
        _ => return None,
    })
}

/// `openinference.span.kind` values (upper case in the spec; accepted in any case).
pub fn kind_from_openinference(kind: &str) -> Option<StepKind> {
    Some(match kind.to_ascii_uppercase().as_str() {
        "LLM" => StepKind::Llm,
        "EMBEDDING" => StepKind::Embedding,
        "CHAIN" | "PROMPT" => StepKind::Chain,
        "RETRIEVER" => StepKind::Retrieval,
        "RERANKER" => StepKind::Rerank,
        "TOOL" => StepKind::Tool,
        "AGENT" => StepKind::Agent,
        // An evaluator judges output the way a guardrail does.
        "GUARDRAIL" | "EVALUATOR" => StepKind::Guardrail,
        _ => return None,
    })
}

/// `traceloop.span.kind` values.
pub fn kind_from_traceloop(kind: &str) -> Option<StepKind> {
    Some(match kind {
        "workflow" | "task" => StepKind::Chain,
        "agent" => StepKind::Agent,
        "tool" => StepKind::Tool,
        _ => return None,
    })
}

/// OpenLLMetry's `llm.request.type` values.
pub fn kind_from_llm_request_type(kind: &str) -> Option<StepKind> {
    Some(match kind {
        "chat" | "completion" => StepKind::Llm,
        "embedding" => StepKind::Embedding,
        "rerank" => StepKind::Rerank,
        _ => return None,
    })
}

// --- content (prompts, completions, documents): stored hashed unless captured ---

/// Attributes whose whole value is content.
pub const CONTENT_KEYS: &[&str] = &[
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
    "gen_ai.prompt",
    "gen_ai.completion",
    "gen_ai.tool.definitions",
    "input.value",
    "output.value",
    "tool.parameters",
    "llm.prompts",
    "llm.prompt_template.template",
    "llm.prompt_template.variables",
    "traceloop.entity.input",
    "traceloop.entity.output",
];

/// Prefixes of flattened content (`gen_ai.prompt.0.content`,
/// `llm.input_messages.0.message.content`, …): everything below them is content
/// except the structural leaves in [`CONTENT_STRUCTURE_SUFFIXES`].
pub const CONTENT_PREFIXES: &[&str] = &[
    "gen_ai.prompt.",
    "gen_ai.completion.",
    "llm.input_messages.",
    "llm.output_messages.",
    "llm.prompts.",
    "retrieval.documents.",
    "reranker.input_documents.",
    "reranker.output_documents.",
    "embedding.embeddings.",
];

/// Leaves under a content prefix that describe structure, not content.
pub const CONTENT_STRUCTURE_SUFFIXES: &[&str] =
    &[".role", ".message.role", ".document.id", ".document.score", ".finish_reason", ".tool_call.id"];

/// Events whose string attributes are message content (the older GenAI event form):
/// <https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-events/>
pub const CONTENT_EVENT_PREFIX: &str = "gen_ai.";
/// Attributes of such events that are structure.
pub const CONTENT_EVENT_STRUCTURE_KEYS: &[&str] =
    &["gen_ai.system", "gen_ai.provider.name", "event.name", "role", "index", "finish_reason", "id"];

/// Content keys that make up a model call's input (messages, system instructions,
/// prompts), whichever convention sent them: two calls whose input hashes are equal
/// were sent the same prompt.
pub fn is_prompt_key(key: &str) -> bool {
    matches!(
        key,
        "gen_ai.input.messages" | "gen_ai.system_instructions" | "gen_ai.prompt" | "llm.prompts" | "input.value" | "traceloop.entity.input"
    ) || ["gen_ai.prompt.", "llm.input_messages.", "llm.prompts."].iter().any(|p| key.starts_with(p))
}

/// Whether an attribute key holds prompt/completion content.
pub fn is_content_key(key: &str) -> bool {
    if CONTENT_KEYS.contains(&key) {
        return true;
    }
    CONTENT_PREFIXES.iter().any(|p| key.starts_with(p)) && !CONTENT_STRUCTURE_SUFFIXES.iter().any(|s| key.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_keys_are_model_inputs_not_outputs() {
        for key in [
            "gen_ai.input.messages",
            "gen_ai.system_instructions",
            "gen_ai.prompt.0.content",
            "llm.input_messages.0.message.content",
            "input.value",
        ] {
            assert!(is_prompt_key(key) && is_content_key(key), "{key}");
        }
        for key in [
            "gen_ai.output.messages",
            "gen_ai.completion.0.content",
            "llm.output_messages.0.message.content",
            "output.value",
            "gen_ai.tool.call.arguments",
        ] {
            assert!(!is_prompt_key(key), "{key}");
        }
    }

    #[test]
    fn content_keys_cover_each_convention_and_spare_structure() {
        for key in [
            "gen_ai.input.messages",
            "gen_ai.prompt.0.content",
            "gen_ai.completion.0.content",
            "llm.input_messages.0.message.content",
            "llm.output_messages.1.message.contents.0.message_content.text",
            "retrieval.documents.3.document.content",
            "input.value",
            "tool.parameters",
        ] {
            assert!(is_content_key(key), "{key} should be content");
        }
        for key in [
            "gen_ai.prompt.0.role",
            "llm.input_messages.0.message.role",
            "retrieval.documents.0.document.score",
            "input.mime_type",
            "gen_ai.request.model",
            "gen_ai.usage.input_tokens",
        ] {
            assert!(!is_content_key(key), "{key} should not be content");
        }
    }
}
