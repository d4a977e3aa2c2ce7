//! The price list shipped with Loupe: Langfuse's `default-model-prices.json` (MIT,
//! notice in `server/data/model-prices/NOTICE.md`), read into [`PriceEntry`]s.
//!
//! Langfuse names one price under several usage keys (one per provider's usage
//! field); each of Loupe's token kinds takes the first key it finds, in the order
//! below. Audio and image prices are left out: OpenTelemetry's usage attributes
//! count tokens, not modalities, so the text prices are the ones that apply.

use serde::Deserialize;
use serde_json::{Map, Value};

use app::model::cost::{PriceEntry, PriceSource, PriceTier, TokenPrices};

pub const SHIPPED_JSON: &str = include_str!("../../data/model-prices/default-model-prices.json");

const INPUT: &[&str] = &["input", "input_tokens", "input_text", "input_text_tokens", "prompt_token_count", "promptTokenCount"];
const OUTPUT: &[&str] = &["output", "output_tokens", "output_text", "output_text_tokens", "candidates_token_count", "candidatesTokenCount"];
const CACHE_READ: &[&str] =
    &["input_cache_read", "input_cached_tokens", "cache_read_input_tokens", "input_cached_text_tokens", "cached_content_token_count"];
// The 5-minute cache write is the default one (Anthropic).
const CACHE_WRITE: &[&str] = &["input_cache_creation", "cache_creation_input_tokens", "input_cache_creation_5m"];
const TOTAL: &[&str] = &["total"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    model_name: String,
    match_pattern: String,
    pricing_tiers: Vec<RawTier>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTier {
    name: String,
    is_default: bool,
    priority: i64,
    conditions: Vec<RawCondition>,
    prices: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCondition {
    usage_detail_pattern: String,
    operator: String,
    value: i64,
}

/// Reads the shipped list. A tier whose condition Loupe cannot apply (anything but
/// "input tokens greater than N") is an error, so a new list that needs more is
/// noticed by the unit test, not by a wrong bill.
pub fn parse(json: &str) -> Result<Vec<PriceEntry>, String> {
    let raw: Vec<RawEntry> = serde_json::from_str(json).map_err(|e| format!("price list is not valid: {e}"))?;
    raw.into_iter().map(entry).collect()
}

fn entry(raw: RawEntry) -> Result<PriceEntry, String> {
    let mut tiers = raw.pricing_tiers;
    tiers.sort_by_key(|t| (!t.is_default, t.priority));
    let tiers = tiers
        .into_iter()
        .map(|t| {
            let above_input_tokens = match t.conditions.as_slice() {
                [] => None,
                [c] if c.operator == "gt"
                    && regex::Regex::new(&format!("(?i){}", c.usage_detail_pattern)).is_ok_and(|r| r.is_match("input")) =>
                {
                    Some(c.value)
                }
                _ => return Err(format!("{}: tier {:?} has conditions Loupe cannot apply", raw.model_name, t.name)),
            };
            Ok(PriceTier { name: t.name, above_input_tokens, prices: prices(&t.prices) })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if tiers.first().is_none_or(|t| t.above_input_tokens.is_some()) {
        return Err(format!("{}: no default tier", raw.model_name));
    }
    // Ids name the entry ("shipped:gpt-4o"), so a span's recorded price reads
    // without a lookup (Langfuse's own ids are opaque).
    Ok(PriceEntry {
        id: format!("shipped:{}", raw.model_name),
        model: raw.model_name,
        pattern: raw.match_pattern,
        tiers,
        source: PriceSource::Shipped,
    })
}

fn prices(p: &Map<String, Value>) -> TokenPrices {
    let first = |keys: &[&str]| keys.iter().find_map(|k| p.get(*k).and_then(Value::as_f64));
    TokenPrices {
        input: first(INPUT),
        output: first(OUTPUT),
        cache_read: first(CACHE_READ),
        cache_write: first(CACHE_WRITE),
        total: first(TOTAL),
    }
}
