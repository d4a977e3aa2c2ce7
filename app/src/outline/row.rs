//! [`Row`]: one line of the waterfall.

use serde::{Deserialize, Serialize};

use crate::model::{StepKind, Tokens};

/// One waterfall row, in tree (pre-)order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub span_id: String,
    pub name: String,
    pub kind: StepKind,
    /// Index into [`super::Outline::services`].
    pub service: u16,
    pub depth: u32,
    /// Row index of the parent; `None` for roots and for spans whose parent has not arrived.
    pub parent: Option<u32>,
    /// How many rows follow this one inside its subtree (they are contiguous).
    pub descendants: u32,
    /// Start, as nanoseconds after the trace's start.
    pub offset_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    #[serde(default, skip_serializing_if = "Tokens::is_zero")]
    pub tokens: Tokens,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What a priced model call cost, in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// A model call no price matched.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unpriced: bool,
}
