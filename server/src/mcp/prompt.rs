//! The `explain_bottleneck` prompt: the trace's brief with the question users ask
//! most ("explain the bottleneck and propose three fixes"), so the answer is
//! grounded in Loupe's figures rather than guesses.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{GetPromptResult, PromptMessage, Role};
use rmcp::{ErrorData, prompt, prompt_router};

use super::args::TraceArg;
use super::server::LoupeMcp;

const ASK: &str = "Below is Loupe's brief of one trace of our LLM app: its findings, critical path, time by step kind, slowest and failed spans, and an outline of the span tree.\n\n\
Using only these figures (call get_span or find_spans on this trace if you need a detail):\n\
1. Explain where the time went: which steps the request waited for, and why they took that long.\n\
2. Explain where the money went: tokens and cost by model call, if any.\n\
3. Propose three fixes, most effective first, each with the span it is about and the time or cost it would save.";

#[prompt_router(router = "prompts", vis = "pub(super)")]
impl LoupeMcp {
    #[prompt(
        name = "explain_bottleneck",
        description = "Explain where a trace's time and money went and propose three fixes, grounded in Loupe's brief of the trace."
    )]
    async fn explain_bottleneck(&self, Parameters(a): Parameters<TraceArg>) -> Result<GetPromptResult, ErrorData> {
        let brief = self.state.read().brief(&a.trace_id).await.map_err(|e| {
            if e.is_client_error() {
                ErrorData::invalid_params(e.to_string(), None)
            } else {
                ErrorData::internal_error("Loupe could not read the trace", None)
            }
        })?;
        let text = format!("{ASK}\n\n---\n\n{}", crate::brief::render(&brief));
        Ok(GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).with_description(format!(
            "Why trace {} took {}",
            brief.trace_id,
            app::format::duration(brief.duration_ns)
        )))
    }
}
