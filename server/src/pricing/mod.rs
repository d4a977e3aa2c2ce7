//! Model prices: the shipped list plus the operator's overrides, compiled once per
//! change, and what each model call costs. Ingest costs spans with the book in force
//! when they arrive and records the entry used, so a later price change does not
//! rewrite history (as in Langfuse); the span says which price it was costed with.

pub mod admin;
mod cost;
pub mod shipped;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, RwLock};

use regex::{Regex, RegexBuilder};

use crate::domain::{Costing, is_model_call};
use crate::domain::{Span, StepKind, Tokens};
use crate::error::{Error, Result};
use app::model::cost::{PriceEntry, PriceList, PriceOverride, PriceSource, PriceTier, TokenPrices};
pub use cost::{InputSplit, cost_usd};

struct Compiled {
    entry: PriceEntry,
    re: Regex,
}

fn compile(pattern: &str) -> std::result::Result<Regex, regex::Error> {
    // Bounded: an operator's pattern runs on every model call at ingest.
    RegexBuilder::new(pattern).size_limit(1 << 20).build()
}

static SHIPPED: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
    shipped::parse(shipped::SHIPPED_JSON)
        .expect("the shipped price list parses (unit-tested)")
        .into_iter()
        .filter_map(|entry| match compile(&entry.pattern) {
            Ok(re) => Some(Compiled { entry, re }),
            Err(e) => {
                tracing::warn!(model = %entry.model, error = %e, "shipped price pattern does not compile; entry skipped");
                None
            }
        })
        .collect()
});

/// The prices in force: overrides, then the shipped list; the first match wins.
pub struct PriceBook {
    overrides: Vec<(PriceOverride, Compiled)>,
    /// Model name → its first matching override and shipped entry: the patterns run
    /// once per distinct name, not on every model call at ingest.
    matches: Mutex<HashMap<String, Matches>>,
}

/// Indexes into the overrides and the shipped list.
type Matches = (Option<usize>, Option<usize>);

/// Distinct model names remembered; past it, names are matched every time.
const REMEMBERED: usize = 10_000;

impl PriceBook {
    /// The shipped list with `overrides` on top; each override must be valid
    /// ([`validate`]).
    pub fn new(overrides: Vec<PriceOverride>) -> Result<PriceBook> {
        let overrides = overrides
            .into_iter()
            .map(|o| {
                let entry = override_entry(&o)?;
                let re = compile(&entry.pattern).map_err(|e| Error::BadRequest(format!("pattern of {:?}: {e}", o.model)))?;
                Ok((o, Compiled { entry, re }))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(PriceBook { overrides, matches: Mutex::new(HashMap::new()) })
    }

    /// The entry that prices `model`: its first matching override, else its first
    /// matching shipped entry.
    pub fn find(&self, model: &str) -> Option<&PriceEntry> {
        let (over, shipped) = self.matches(model);
        over.map(|i| &self.overrides[i].1.entry).or_else(|| shipped.map(|i| &SHIPPED[i].entry))
    }

    /// The cost of a span, if it is a model call.
    pub fn cost(&self, span: &Span) -> Costing {
        let g = &span.gen_ai;
        self.cost_of(span.kind, g.response_model.as_deref(), g.request_model.as_deref(), &g.tokens)
    }

    /// The cost of a call of `kind` to these models with these tokens.
    pub fn cost_of(&self, kind: StepKind, response_model: Option<&str>, request_model: Option<&str>, tokens: &Tokens) -> Costing {
        if !is_model_call(kind) {
            return Costing::NotModelCall;
        }
        // The operator's prices first, for either name (an override of "gpt-4o-mini"
        // means every call to it, whatever dated version served it); then the
        // shipped list, the served model first (often a dated version with its own
        // price), then the requested one.
        let names: Vec<Matches> = [response_model, request_model].into_iter().flatten().map(|m| self.matches(m)).collect();
        let overrides = names.iter().filter_map(|m| m.0).map(|i| &self.overrides[i].1.entry);
        let shipped = names.iter().filter_map(|m| m.1).map(|i| &SHIPPED[i].entry);
        for entry in overrides.chain(shipped) {
            if let Some(usd) = cost_usd(&entry.tiers, tokens) {
                return Costing::Priced { usd, price_id: entry.id.clone() };
            }
        }
        Costing::Unpriced
    }

    fn matches(&self, model: &str) -> Matches {
        let mut memo = self.matches.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = memo.get(model) {
            return *m;
        }
        let m = (self.overrides.iter().position(|(_, c)| c.re.is_match(model)), SHIPPED.iter().position(|c| c.re.is_match(model)));
        if memo.len() < REMEMBERED {
            memo.insert(model.to_string(), m);
        }
        m
    }

    /// Every entry, for `GET /api/prices` and the prices table.
    pub fn list(&self) -> PriceList {
        PriceList {
            overrides: self.overrides.iter().map(|(o, _)| o.clone()).collect(),
            shipped: SHIPPED.iter().map(|c| c.entry.clone()).collect(),
        }
    }
}

/// Checks an operator's price and says what is wrong with it.
pub fn validate(o: &PriceOverride) -> Result<()> {
    let model = o.model.trim();
    if model.is_empty() || model.len() > 200 || model != o.model {
        return Err(Error::BadRequest("model must be 1 to 200 characters, without leading or trailing spaces".into()));
    }
    let prices = [
        ("input_per_mtok", Some(o.input_per_mtok)),
        ("output_per_mtok", Some(o.output_per_mtok)),
        ("cache_read_per_mtok", o.cache_read_per_mtok),
        ("cache_write_per_mtok", o.cache_write_per_mtok),
    ];
    for (name, value) in prices {
        if let Some(v) = value
            && !(v.is_finite() && (0.0..=1e6).contains(&v))
        {
            return Err(Error::BadRequest(format!(
                "{name} of {model:?} must be a number of USD per million tokens, 0 to 1,000,000; got {v}"
            )));
        }
    }
    let pattern = override_pattern(o);
    compile(&pattern).map_err(|e| Error::BadRequest(format!("pattern of {model:?} is not a valid regular expression: {e}")))?;
    Ok(())
}

fn override_pattern(o: &PriceOverride) -> String {
    match o.pattern.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => p.to_string(),
        None => format!("(?i)^{}$", regex::escape(&o.model)),
    }
}

fn override_entry(o: &PriceOverride) -> Result<PriceEntry> {
    validate(o)?;
    let per_token = |v: f64| v / 1e6;
    Ok(PriceEntry {
        id: o.id(),
        model: o.model.clone(),
        pattern: override_pattern(o),
        tiers: vec![PriceTier {
            name: "Override".into(),
            above_input_tokens: None,
            prices: TokenPrices {
                input: Some(per_token(o.input_per_mtok)),
                output: Some(per_token(o.output_per_mtok)),
                cache_read: o.cache_read_per_mtok.map(per_token),
                cache_write: o.cache_write_per_mtok.map(per_token),
                total: None,
            },
        }],
        source: PriceSource::Override,
    })
}

/// The book in force, swapped whole when the operator changes a price; ingest
/// takes a snapshot per request.
#[derive(Clone)]
pub struct Pricing(Arc<RwLock<Arc<PriceBook>>>);

impl Pricing {
    pub fn new(book: PriceBook) -> Pricing {
        Pricing(Arc::new(RwLock::new(Arc::new(book))))
    }

    pub fn current(&self) -> Arc<PriceBook> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn replace(&self, book: PriceBook) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(book);
    }
}
