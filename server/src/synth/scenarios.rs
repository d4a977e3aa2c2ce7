//! Agent-shaped traces in the three conventions Loupe normalizes: a GenAI travel
//! agent, an OpenInference support bot and an OpenLLMetry RAG API behind HTTP.

use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Client, Internal, Server};

use super::{MS, Rng, TraceBuilder, f, i, s};

/// Knobs for one travel-agent run.
#[derive(Default, Clone, Copy)]
pub struct TravelOptions {
    /// The first hotel search times out and is retried.
    pub tool_timeout: bool,
    /// The final model call is rate-limited and the run fails.
    pub fails: bool,
}

const USERS: &[&str] = &["traveller-9", "traveller-14", "traveller-23", "traveller-31", "traveller-40"];
const CITIES: &[&str] = &["Lisbon", "Porto", "Kyoto", "Oaxaca", "Tallinn", "Hobart"];

/// OpenTelemetry GenAI conventions: invoke_agent → embeddings, retrieval, chat,
/// execute_tool (maybe timing out and retried), chat.
pub fn travel_agent(rng: &mut Rng, t0: u64, opts: TravelOptions) -> TraceBuilder {
    let mut t = TraceBuilder::new(rng);
    let user = *rng.pick(USERS);
    let city = *rng.pick(CITIES);
    let conversation = format!("conv-{}", rng.range(100, 999));
    let mut at = t0 + rng.range(1, 5) * MS;

    let embed_end = at + rng.range(25, 90) * MS;
    let retr_end = embed_end + rng.range(20, 160) * MS;
    let chat1_end = retr_end + rng.range(500, 2600) * MS;
    // The root's end is set once its last child is placed.
    let root = t.span(
        None,
        "invoke_agent planner",
        Internal,
        t0,
        chat1_end,
        vec![
            s("gen_ai.operation.name", "invoke_agent"),
            s("gen_ai.agent.name", "planner"),
            s("gen_ai.conversation.id", &conversation),
            s("user.id", user),
        ],
    );
    t.span(
        Some(root),
        "embeddings text-embedding-3-small",
        Client,
        at,
        embed_end,
        vec![
            s("gen_ai.operation.name", "embeddings"),
            s("gen_ai.provider.name", "openai"),
            s("gen_ai.request.model", "text-embedding-3-small"),
            i("gen_ai.usage.input_tokens", rng.range(8, 40) as i64),
        ],
    );
    t.span(
        Some(root),
        "retrieval hotels-index",
        Internal,
        embed_end,
        retr_end,
        vec![s("gen_ai.operation.name", "retrieval"), s("gen_ai.data_source.id", "hotels-index")],
    );
    let input = rng.range(600, 2400) as i64;
    t.span(Some(root), "chat gpt-4o", Client, retr_end, chat1_end, vec![
        s("gen_ai.operation.name", "chat"),
        s("gen_ai.provider.name", "openai"),
        s("gen_ai.request.model", "gpt-4o"),
        s("gen_ai.response.model", "gpt-4o-2024-08-06"),
        i("gen_ai.usage.input_tokens", input),
        i("gen_ai.usage.output_tokens", rng.range(40, 200) as i64),
        i("gen_ai.usage.cache_read.input_tokens", input / 2),
        s("gen_ai.input.messages", &format!(
            r#"[{{"role":"system","parts":[{{"type":"text","content":"You plan trips."}}]}},{{"role":"user","parts":[{{"type":"text","content":"Find me a hotel in {city} for {user}, {user}@example.com"}}]}}]"#
        )),
    ]);
    at = chat1_end;
    if opts.tool_timeout {
        let end = at + 10_000 * MS;
        t.span(
            Some(root),
            "execute_tool search_hotels",
            Internal,
            at,
            end,
            vec![
                s("gen_ai.operation.name", "execute_tool"),
                s("gen_ai.tool.name", "search_hotels"),
                s("gen_ai.tool.call.id", "call_1"),
                s("gen_ai.tool.call.arguments", &format!(r#"{{"city":"{city}","nights":3}}"#)),
            ],
        );
        t.fail_last("TimeoutError", "search_hotels timed out after 10 s");
        at = end + rng.range(50, 300) * MS;
    }
    let tool_end = at + rng.range(200, 1400) * MS;
    t.span(
        Some(root),
        "execute_tool search_hotels",
        Internal,
        at,
        tool_end,
        vec![
            s("gen_ai.operation.name", "execute_tool"),
            s("gen_ai.tool.name", "search_hotels"),
            s("gen_ai.tool.call.id", "call_2"),
            s("gen_ai.tool.call.arguments", &format!(r#"{{"city":"{city}","nights":3}}"#)),
        ],
    );
    let model = *rng.pick(&["gpt-4o-mini", "gpt-4o"]);
    let chat2_end = tool_end + rng.range(600, 3200) * MS;
    t.span(
        Some(root),
        &format!("chat {model}"),
        Client,
        tool_end,
        chat2_end,
        vec![
            s("gen_ai.operation.name", "chat"),
            s("gen_ai.system", "openai"),
            s("gen_ai.request.model", model),
            i("gen_ai.usage.prompt_tokens", rng.range(900, 3000) as i64),
            i("gen_ai.usage.completion_tokens", rng.range(80, 400) as i64),
        ],
    );
    if opts.fails {
        t.fail_last("RateLimitError", "Error code: 429 - rate limit reached for requests");
    }
    // The root ends with its last child (the root was added first: it is a parent).
    let root_span = &mut t.spans[0];
    root_span.end_time_unix_nano = chat2_end + rng.range(1, 10) * MS;
    if opts.fails {
        root_span.status =
            Some(opentelemetry_proto::tonic::trace::v1::Status { code: 2, message: "planner failed: model call rate-limited".into() });
    }
    t
}

/// OpenInference conventions: AGENT → RETRIEVER, RERANKER, LLM, TOOL, LLM, GUARDRAIL;
/// one turn of a support conversation.
pub fn support_bot(rng: &mut Rng, t0: u64, session: &str, user: &str, turn: u32) -> TraceBuilder {
    let mut t = TraceBuilder::new(rng);
    let mut at = t0 + 2 * MS;
    let root = t.span(
        None,
        "support_agent",
        Internal,
        t0,
        t0 + 1,
        vec![
            s("openinference.span.kind", "AGENT"),
            s("session.id", session),
            s("user.id", user),
            s("input.value", &format!("Turn {turn}: where is my order #{}?", rng.range(10_000, 99_999))),
        ],
    );
    let mut step = |t: &mut TraceBuilder, rng: &mut Rng, name: &str, ms: (u64, u64), attrs| {
        let end = at + rng.range(ms.0, ms.1) * MS;
        t.span(Some(root), name, Internal, at, end, attrs);
        at = end + rng.range(1, 8) * MS;
    };
    step(
        &mut t,
        rng,
        "retrieve",
        (40, 220),
        vec![
            s("openinference.span.kind", "RETRIEVER"),
            s("retrieval.documents.0.document.id", "kb-112"),
            s("retrieval.documents.0.document.content", "Orders ship within 2 business days."),
            f("retrieval.documents.0.document.score", 0.82),
        ],
    );
    step(&mut t, rng, "rerank", (30, 120), vec![s("openinference.span.kind", "RERANKER")]);
    let prompt = rng.range(900, 4000) as i64;
    let completion = rng.range(60, 300) as i64;
    step(
        &mut t,
        rng,
        "ChatAnthropic",
        (700, 3500),
        vec![
            s("openinference.span.kind", "LLM"),
            s("llm.model_name", "claude-3-5-sonnet-20241022"),
            s("llm.provider", "anthropic"),
            i("llm.token_count.prompt", prompt),
            i("llm.token_count.completion", completion),
            i("llm.token_count.total", prompt + completion),
            s("llm.input_messages.0.message.role", "user"),
            s("llm.input_messages.0.message.content", "Where is my order? Call me at +1 415 555 0100"),
        ],
    );
    step(
        &mut t,
        rng,
        "lookup_order",
        (80, 900),
        vec![s("openinference.span.kind", "TOOL"), s("tool.name", "lookup_order"), s("tool.parameters", r#"{"order_id":"A-1042"}"#)],
    );
    let (prompt, completion) = (rng.range(400, 1500) as i64, rng.range(40, 200) as i64);
    step(
        &mut t,
        rng,
        "ChatAnthropic",
        (400, 1800),
        vec![
            s("openinference.span.kind", "LLM"),
            s("llm.model_name", "claude-3-5-haiku-20241022"),
            s("llm.provider", "anthropic"),
            i("llm.token_count.prompt", prompt),
            i("llm.token_count.completion", completion),
        ],
    );
    step(&mut t, rng, "guardrail pii", (5, 40), vec![s("openinference.span.kind", "GUARDRAIL")]);
    t.spans[0].end_time_unix_nano = at;
    t
}

/// OpenLLMetry conventions behind an HTTP endpoint with a database query.
pub fn rag_api(rng: &mut Rng, t0: u64, fails: bool) -> TraceBuilder {
    let mut t = TraceBuilder::new(rng);
    let root = t.span(
        None,
        "POST /v1/answer",
        Server,
        t0,
        t0 + 1,
        vec![
            s("http.request.method", "POST"),
            s("http.route", "/v1/answer"),
            i("http.response.status_code", if fails { 500 } else { 200 }),
        ],
    );
    let wf_start = t0 + rng.range(1, 4) * MS;
    let workflow = t.span(
        Some(root),
        "answer.workflow",
        Internal,
        wf_start,
        wf_start + 1,
        vec![s("traceloop.span.kind", "workflow"), s("traceloop.entity.name", "answer")],
    );
    let retrieve_end = wf_start + rng.range(30, 200) * MS;
    let task = t.span(
        Some(workflow),
        "retrieve.task",
        Internal,
        wf_start,
        retrieve_end,
        vec![s("traceloop.span.kind", "task"), s("traceloop.entity.name", "retrieve")],
    );
    t.span(
        Some(task),
        "SELECT documents",
        Client,
        wf_start + MS,
        retrieve_end - MS,
        vec![s("db.system.name", "postgresql"), s("db.operation.name", "SELECT"), s("db.collection.name", "documents")],
    );
    let chat_end = retrieve_end + rng.range(400, 2200) * MS;
    let prompt = rng.range(200, 1200) as i64;
    let completion = rng.range(20, 300) as i64;
    t.span(
        Some(workflow),
        "openai.chat",
        Client,
        retrieve_end,
        chat_end,
        vec![
            s("llm.request.type", "chat"),
            s("gen_ai.system", "openai"),
            s("gen_ai.request.model", "gpt-4o-mini"),
            s("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
            i("gen_ai.usage.prompt_tokens", prompt),
            i("gen_ai.usage.completion_tokens", completion),
            i("llm.usage.total_tokens", prompt + completion),
            s("gen_ai.prompt.0.role", "user"),
            s("gen_ai.prompt.0.content", "Summarize the refund policy for Carol White"),
            s("gen_ai.completion.0.role", "assistant"),
            s("gen_ai.completion.0.content", "Refunds are issued within 14 days."),
        ],
    );
    if fails {
        t.fail_last("APIConnectionError", "Connection error: upstream closed the connection");
    }
    let end = chat_end + rng.range(5, 60) * MS;
    t.spans[1].end_time_unix_nano = end;
    t.spans[0].end_time_unix_nano = end + MS;
    if fails {
        t.spans[0].status = Some(opentelemetry_proto::tonic::trace::v1::Status { code: 2, message: "500 Internal Server Error".into() });
    }
    t
}

/// A batch evaluation run: one workflow with many cases, each retrieval → chat →
/// judge, run eight at a time; `spans` in all.
pub fn evaluation_run(rng: &mut Rng, t0: u64, spans: usize) -> TraceBuilder {
    let mut t = TraceBuilder::new(rng);
    let root = t.span(None, "evaluation run nightly-regression", Internal, t0, t0 + 1, vec![s("gen_ai.operation.name", "invoke_workflow")]);
    let cases = spans.saturating_sub(1) / 4;
    let mut lanes = [t0 + MS; 8];
    for case in 0..cases {
        let lane = case % lanes.len();
        let start = lanes[lane];
        let r_end = start + rng.range(10, 80) * MS;
        let c_end = r_end + rng.range(150, 900) * MS;
        let j_end = c_end + rng.range(100, 500) * MS;
        let case_id = t.span(Some(root), &format!("case {case}"), Internal, start, j_end, vec![s("openinference.span.kind", "CHAIN")]);
        t.span(Some(case_id), "retrieve", Internal, start, r_end, vec![s("openinference.span.kind", "RETRIEVER")]);
        let model = *rng.pick(&["gpt-4o-mini", "claude-3-5-haiku-20241022"]);
        t.span(
            Some(case_id),
            &format!("chat {model}"),
            Client,
            r_end,
            c_end,
            vec![
                s("gen_ai.operation.name", "chat"),
                s("gen_ai.request.model", model),
                i("gen_ai.usage.input_tokens", rng.range(300, 1200) as i64),
                i("gen_ai.usage.output_tokens", rng.range(20, 200) as i64),
            ],
        );
        // The judge is a self-hosted model no price list knows: its calls are unpriced.
        t.span(
            Some(case_id),
            "judge",
            Internal,
            c_end,
            j_end,
            vec![
                s("openinference.span.kind", "LLM"),
                s("llm.model_name", "acme-judge-8b"),
                i("llm.token_count.prompt", rng.range(400, 900) as i64),
                i("llm.token_count.completion", rng.range(5, 40) as i64),
            ],
        );
        if rng.chance(0.01) {
            t.fail_last("AssertionError", "judge score below threshold");
        }
        lanes[lane] = j_end + rng.range(1, 20) * MS;
    }
    let end = lanes.iter().copied().max().unwrap_or(t0 + MS);
    // Round up to exactly `spans` with summary steps at the end.
    for n in 0..spans.saturating_sub(1 + 4 * cases) {
        t.span(Some(root), &format!("aggregate scores {n}"), Internal, end, end + 5 * MS, vec![]);
    }
    t.spans[0].end_time_unix_nano = end + 10 * MS;
    t
}
