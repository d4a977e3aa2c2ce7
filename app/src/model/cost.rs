//! Model prices and token costs, as the pages and the JSON API show them.
//!
//! Prices are USD per token, as the shipped price list (Langfuse's) stores them;
//! the UI and the override API speak USD per million tokens, as providers publish
//! them ([`per_mtok`]).

use serde::{Deserialize, Serialize};

/// USD per token of each kind of usage; `None` where the entry sets no price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenPrices {
    pub input: Option<f64>,
    pub output: Option<f64>,
    /// Input tokens served from the provider's prompt cache (input price if unset).
    pub cache_read: Option<f64>,
    /// Input tokens written to the prompt cache (input price if unset).
    pub cache_write: Option<f64>,
    /// One price for all tokens (old completion and embedding models).
    pub total: Option<f64>,
}

/// A set of prices and when it applies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceTier {
    pub name: String,
    /// Applies when the call's input tokens (cached ones included) exceed this;
    /// `None` for the default tier.
    pub above_input_tokens: Option<i64>,
    pub prices: TokenPrices,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceSource {
    /// From the price list shipped with Loupe.
    Shipped,
    /// Added or changed by this installation's operator; wins over shipped entries.
    Override,
}

/// One model's prices and the pattern that recognises its names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceEntry {
    /// Stable id, recorded on each span costed with this entry.
    pub id: String,
    pub model: String,
    /// A regular expression (Rust `regex` syntax) matched against the span's model.
    pub pattern: String,
    /// The default tier first, then the tiers with conditions.
    pub tiers: Vec<PriceTier>,
    pub source: PriceSource,
}

/// An operator's price, as the override API and the form take it: USD per million
/// tokens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceOverride {
    /// The model name; also the default pattern (the name, case-insensitive, whole).
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_per_mtok: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_per_mtok: Option<f64>,
}

impl PriceOverride {
    /// The id spans costed with this override record.
    pub fn id(&self) -> String {
        format!("override:{}", self.model)
    }
}

/// The price list in force: overrides first (they win), then the shipped list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceList {
    pub overrides: Vec<PriceOverride>,
    pub shipped: Vec<PriceEntry>,
}

/// A change to the operator's prices from the costs page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PriceChange {
    /// Add or replace the override for its model.
    Put(PriceOverride),
    /// Remove the override for this model.
    Delete(String),
}

/// USD per token → USD per million tokens.
pub fn per_mtok(per_token: f64) -> f64 {
    per_token * 1e6
}

/// What a span's model call cost, as the span detail shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum SpanCost {
    /// Costed at ingest with the price entry `price_id`.
    Priced { usd: f64, price_id: String },
    /// A model call whose model no price entry matched (or that named no model).
    Unpriced,
}

/// Money and tokens of a set of model calls.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostTotals {
    pub cost_usd: f64,
    /// Model calls, priced or not.
    pub calls: i64,
    /// Model calls that no price matched: their cost is unknown, not zero.
    pub unpriced: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_read_tokens: i64,
}

impl CostTotals {
    pub fn add(&mut self, o: &CostTotals) {
        self.cost_usd += o.cost_usd;
        self.calls += o.calls;
        self.unpriced += o.unpriced;
        self.input_tokens += o.input_tokens;
        self.output_tokens += o.output_tokens;
        self.cache_read_tokens += o.cache_read_tokens;
    }
}

/// One group of a cost breakdown (a model, service, user or day).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostGroup {
    /// The model, service or user (`""` when the spans named none), or the day
    /// (`YYYY-MM-DD`, UTC).
    pub key: String,
    #[serde(flatten)]
    pub totals: CostTotals,
}

/// What a cost breakdown is grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CostGroupBy {
    Model,
    Service,
    User,
    Day,
}

impl CostGroupBy {
    pub fn parse(s: &str) -> Option<CostGroupBy> {
        match s {
            "model" => Some(CostGroupBy::Model),
            "service" => Some(CostGroupBy::Service),
            "user" => Some(CostGroupBy::User),
            "day" => Some(CostGroupBy::Day),
            _ => None,
        }
    }
}

/// `GET /api/stats/cost`: totals and one breakdown, most expensive group first
/// (days in order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostReport {
    /// The range actually covered: whole hours (the rollup's grain).
    pub since_ns: i64,
    pub until_ns: i64,
    pub group_by: CostGroupBy,
    pub total: CostTotals,
    pub groups: Vec<CostGroup>,
}

/// One hour (or day) of cost and tokens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostPoint {
    pub start_ns: i64,
    #[serde(flatten)]
    pub totals: CostTotals,
}

/// Cost per trace over the range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceCostStats {
    /// Traces that started in the range and made at least one model call.
    pub traces: i64,
    pub p50_usd: f64,
    pub p95_usd: f64,
    pub max_usd: f64,
}

/// A trace among the most expensive ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpensiveTrace {
    pub trace_id: String,
    pub root_name: String,
    pub service: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub cost_usd: f64,
    pub unpriced: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
}

/// Everything the costs page shows for one range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostOverview {
    pub since_ns: i64,
    pub until_ns: i64,
    pub total: CostTotals,
    pub by_model: Vec<CostGroup>,
    pub by_service: Vec<CostGroup>,
    pub by_user: Vec<CostGroup>,
    /// Oldest first, one point per `step_ns`: an hour (ranges up to 2 days) or a
    /// day; steps without calls are left out.
    pub series: Vec<CostPoint>,
    pub step_ns: i64,
    pub per_trace: TraceCostStats,
    pub expensive: Vec<ExpensiveTrace>,
}

/// Nearest-rank quantile of unsorted values (exact: cost per trace is read from
/// the trace summaries, not a sketch).
pub fn exact_quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let mut v = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(exact_quantile(&mut v, 0.5), 3.0);
        assert_eq!(exact_quantile(&mut v, 0.95), 5.0);
        assert_eq!(exact_quantile(&mut v, 0.0), 1.0);
        assert_eq!(exact_quantile(&mut [], 0.5), 0.0);
        let mut hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(exact_quantile(&mut hundred, 0.95), 95.0);
    }

    #[test]
    fn span_cost_json_says_its_state() {
        let priced = SpanCost::Priced { usd: 0.5, price_id: "x".into() };
        assert_eq!(serde_json::to_value(&priced).unwrap(), serde_json::json!({"state": "priced", "usd": 0.5, "price_id": "x"}));
        assert_eq!(serde_json::to_value(SpanCost::Unpriced).unwrap(), serde_json::json!({"state": "unpriced"}));
    }

    #[test]
    fn group_by_parses_its_names_only() {
        for (s, g) in
            [("model", CostGroupBy::Model), ("service", CostGroupBy::Service), ("user", CostGroupBy::User), ("day", CostGroupBy::Day)]
        {
            assert_eq!(CostGroupBy::parse(s), Some(g));
            assert_eq!(serde_json::to_value(g).unwrap(), serde_json::json!(s));
        }
        assert_eq!(CostGroupBy::parse("trace"), None);
    }
}
