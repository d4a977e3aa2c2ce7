//! Changing prices: validate, store, then swap the book ingest uses, one change at
//! a time (the API and the costs page's form both come here).

use std::sync::LazyLock;

use tokio::sync::Mutex;

use super::{PriceBook, Pricing, validate};
use crate::error::{Error, Result};
use crate::store::Store;
use app::model::cost::{PriceList, PriceOverride};

/// Serializes edits so the stored overrides and the book in force never disagree.
static EDIT: LazyLock<Mutex<()>> = LazyLock::new(|| Mutex::new(()));

/// A change to the operator's prices.
pub enum Change {
    /// Replace every override (`PUT /api/prices`).
    ReplaceAll(Vec<PriceOverride>),
    /// Add or replace one.
    Put(PriceOverride),
    /// Remove one (by model name).
    Delete(String),
}

/// Applies `change`; bad input is refused before anything is stored.
pub async fn apply(store: &Store, pricing: &Pricing, change: Change) -> Result<PriceList> {
    let _edit = EDIT.lock().await;
    let mut overrides = store.price_overrides().await?;
    match &change {
        Change::ReplaceAll(all) => {
            let mut seen = std::collections::HashSet::new();
            if let Some(dup) = all.iter().find(|o| !seen.insert(o.model.as_str())) {
                return Err(Error::BadRequest(format!("model {:?} is listed twice", dup.model)));
            }
            overrides = all.clone();
        }
        Change::Put(o) => {
            overrides.retain(|x| x.model != o.model);
            overrides.push(o.clone());
        }
        Change::Delete(model) => {
            let before = overrides.len();
            overrides.retain(|x| &x.model != model);
            if overrides.len() == before {
                return Err(Error::NotFound(format!("no price override for model {model:?}")));
            }
        }
    }
    for o in &overrides {
        validate(o)?;
    }
    overrides.sort_by(|a, b| a.model.cmp(&b.model));
    let book = PriceBook::new(overrides)?;
    match change {
        Change::ReplaceAll(all) => store.replace_price_overrides(&all).await?,
        Change::Put(o) => store.put_price_override(&o).await?,
        Change::Delete(model) => {
            store.delete_price_override(&model).await?;
        }
    }
    let list = book.list();
    pricing.replace(book);
    tracing::info!(overrides = list.overrides.len(), "model prices changed; new model calls are costed with them");
    Ok(list)
}
