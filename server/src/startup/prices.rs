//! The price book at start-up, with the one-time costing of older model calls.

use crate::pricing;
use crate::store::Store;

/// The price book: shipped prices and the stored overrides (one that no longer
/// validates is skipped with a warning rather than stopping Loupe). Model calls
/// stored before costs existed are costed once, here.
pub(super) async fn load_prices(store: &Store) -> anyhow::Result<pricing::Pricing> {
    let overrides = store
        .price_overrides()
        .await?
        .into_iter()
        .filter(|o| match pricing::validate(o) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(model = %o.model, error = %e, "stored price override skipped");
                false
            }
        })
        .collect();
    let book = pricing::PriceBook::new(overrides)?;
    let costed = store.backfill_costs(|kind, response, request, tokens| book.cost_of(kind, response, request, tokens)).await?;
    if costed > 0 {
        tracing::info!(calls = costed, "costed model calls stored before costs existed");
    }
    Ok(pricing::Pricing::new(book))
}
