//! The cost of one model call from its token counts and a price entry.
//!
//! Token semantics follow OpenTelemetry's GenAI conventions
//! (<https://opentelemetry.io/docs/specs/semconv/registry/attributes/gen-ai/>):
//! `gen_ai.usage.input_tokens` includes cached tokens, and the cache-read and
//! cache-creation counts say how many of them were read from or written to the
//! cache. Some instrumentations report Anthropic's raw usage instead, where input
//! excludes them; when input is smaller than the cached counts it cannot include
//! them, so it is taken as the uncached part. Reasoning tokens are part of the
//! output count and are not charged twice.

use app::model::Tokens;
use app::model::cost::{PriceTier, TokenPrices};

/// Input tokens split by how they are billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSplit {
    pub uncached: i64,
    pub cache_read: i64,
    pub cache_write: i64,
}

impl InputSplit {
    pub fn of(t: &Tokens) -> InputSplit {
        let cache_read = t.cache_read.max(0);
        let cache_write = t.cache_write.max(0);
        let input = t.input.max(0);
        let uncached = if input >= cache_read + cache_write { input - cache_read - cache_write } else { input };
        InputSplit { uncached, cache_read, cache_write }
    }

    pub fn all(&self) -> i64 {
        self.uncached + self.cache_read + self.cache_write
    }
}

/// The tier that applies: the one with the highest threshold the input exceeds,
/// else the default (first) tier.
pub fn tier_for(tiers: &[PriceTier], input_tokens: i64) -> Option<&PriceTier> {
    tiers
        .iter()
        .filter(|t| t.above_input_tokens.is_some_and(|n| input_tokens > n))
        .max_by_key(|t| t.above_input_tokens)
        .or_else(|| tiers.iter().find(|t| t.above_input_tokens.is_none()))
}

/// USD for these tokens, or `None` when the entry has no price for a kind of token
/// the call used (an unknown cost, which is not a zero cost).
pub fn cost_usd(tiers: &[PriceTier], t: &Tokens) -> Option<f64> {
    let split = InputSplit::of(t);
    let output = t.output.max(0);
    let p: &TokenPrices = &tier_for(tiers, split.all())?.prices;
    if p.input.is_none() && p.output.is_none() {
        // One price for every token (old completion and embedding models).
        return p.total.map(|total| total * (split.all() + output) as f64);
    }
    let price = |tokens: i64, price: Option<f64>| match (tokens, price) {
        (0, _) => Some(0.0),
        (n, Some(p)) => Some(n as f64 * p),
        (_, None) => None,
    };
    Some(
        price(split.uncached, p.input)?
            + price(split.cache_read, p.cache_read.or(p.input))?
            + price(split.cache_write, p.cache_write.or(p.input))?
            + price(output, p.output)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(above: Option<i64>, input: f64, output: f64) -> PriceTier {
        PriceTier {
            name: "t".into(),
            above_input_tokens: above,
            prices: TokenPrices { input: Some(input), output: Some(output), cache_read: Some(input / 10.0), ..Default::default() },
        }
    }

    fn tokens(input: i64, output: i64, cache_read: i64, cache_write: i64) -> Tokens {
        Tokens { input, output, cache_read, cache_write, ..Default::default() }
    }

    #[test]
    fn cached_tokens_inside_input_are_billed_at_the_cache_price() {
        let tiers = [tier(None, 2e-6, 8e-6)];
        // 1000 input of which 400 cached: 600 × 2e-6 + 400 × 2e-7 + 100 × 8e-6.
        let usd = cost_usd(&tiers, &tokens(1000, 100, 400, 0)).unwrap();
        assert!((usd - (600.0 * 2e-6 + 400.0 * 2e-7 + 100.0 * 8e-6)).abs() < 1e-15, "{usd}");
    }

    #[test]
    fn input_smaller_than_the_cache_counts_is_the_uncached_part() {
        assert_eq!(InputSplit::of(&tokens(50, 0, 1000, 200)), InputSplit { uncached: 50, cache_read: 1000, cache_write: 200 });
        assert_eq!(InputSplit::of(&tokens(1500, 0, 1000, 200)), InputSplit { uncached: 300, cache_read: 1000, cache_write: 200 });
    }

    #[test]
    fn cache_writes_without_their_own_price_cost_the_input_price() {
        let tiers = [tier(None, 1e-6, 0.0)];
        assert_eq!(cost_usd(&tiers, &tokens(300, 0, 0, 300)).unwrap(), 300.0 * 1e-6);
    }

    #[test]
    fn the_large_context_tier_applies_above_its_threshold() {
        let tiers = [tier(None, 1e-6, 1e-6), tier(Some(200_000), 2e-6, 2e-6)];
        assert_eq!(tier_for(&tiers, 200_000).unwrap().above_input_tokens, None);
        assert_eq!(tier_for(&tiers, 200_001).unwrap().above_input_tokens, Some(200_000));
        assert_eq!(cost_usd(&tiers, &tokens(250_000, 0, 0, 0)).unwrap(), 250_000.0 * 2e-6);
    }

    #[test]
    fn a_total_price_covers_input_and_output() {
        let tiers =
            [PriceTier { name: "t".into(), above_input_tokens: None, prices: TokenPrices { total: Some(1e-7), ..Default::default() } }];
        assert_eq!(cost_usd(&tiers, &tokens(1000, 0, 0, 0)).unwrap(), 1000.0 * 1e-7);
    }

    #[test]
    fn a_missing_price_for_used_tokens_is_unknown_not_zero() {
        let tiers =
            [PriceTier { name: "t".into(), above_input_tokens: None, prices: TokenPrices { input: Some(1e-6), ..Default::default() } }];
        assert_eq!(cost_usd(&tiers, &tokens(10, 5, 0, 0)), None);
        assert_eq!(cost_usd(&tiers, &tokens(10, 0, 0, 0)), Some(10.0 * 1e-6));
    }
}
