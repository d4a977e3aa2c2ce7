//! A span's cost as ingest decided it from the price book in force, and which
//! spans are model calls that bill tokens.

use app::model::StepKind;

/// What ingest decided about a span's cost.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Costing {
    /// Not a model call: no cost to speak of.
    #[default]
    NotModelCall,
    /// A model call no entry prices (unknown model, or no model named).
    Unpriced,
    Priced {
        usd: f64,
        price_id: String,
    },
}

/// Model calls are the spans that bill tokens: chat/completion and embedding
/// calls. Agent and chain spans may repeat their children's usage totals; pricing
/// them too would count the money twice.
pub fn is_model_call(kind: StepKind) -> bool {
    matches!(kind, StepKind::Llm | StepKind::Embedding)
}

/// All tokens of a span: the reported total, else input plus output.
pub fn span_tokens(total: i64, input: i64, output: i64) -> i64 {
    if total > 0 { total } else { input + output }
}
