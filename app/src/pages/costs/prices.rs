//! The prices in force: the operator's overrides (a form to add or replace one, a
//! button to remove one) and the shipped list they win over.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::error::PageError;
#[cfg(feature = "ssr")]
use crate::model::cost::{PriceChange, PriceOverride};
use crate::model::cost::{PriceEntry, PriceList, per_mtok};

/// A number of USD per million tokens from a form field; `what` names the field.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
fn parse_price(what: &str, v: &str) -> Result<f64, PageError> {
    v.trim().parse::<f64>().map_err(|_| PageError::BadRequest(format!("{what} must be a number of USD per million tokens, got {v:?}")))
}

/// Adds or replaces the operator's price for a model (USD per million tokens).
#[server(prefix = "/rpc", endpoint = "save_price")]
pub async fn save_price(
    model: String,
    pattern: Option<String>,
    input: String,
    output: String,
    cache_read: Option<String>,
    cache_write: Option<String>,
) -> Result<String, PageError> {
    let optional = |what: &str, v: Option<String>| v.filter(|v| !v.trim().is_empty()).map(|v| parse_price(what, &v)).transpose();
    let saved = async {
        let o = PriceOverride {
            model: model.trim().to_string(),
            pattern: pattern.filter(|p| !p.trim().is_empty()),
            input_per_mtok: parse_price("Input", &input)?,
            output_per_mtok: parse_price("Output", &output)?,
            cache_read_per_mtok: optional("Cache read", cache_read)?,
            cache_write_per_mtok: optional("Cache write", cache_write)?,
        };
        let model = o.model.clone();
        crate::data::data()?.change_price(PriceChange::Put(o)).await?;
        Ok(model)
    };
    PageError::answer(saved.await)
}

#[server(prefix = "/rpc", endpoint = "delete_price")]
pub async fn delete_price(model: String) -> Result<String, PageError> {
    let deleted = async {
        crate::data::data()?.change_price(PriceChange::Delete(model.clone())).await?;
        Ok(model)
    };
    PageError::answer(deleted.await)
}

fn per_m(v: Option<f64>) -> String {
    v.map(|v| format!("${:.4}", per_mtok(v)).trim_end_matches('0').trim_end_matches('.').to_string()).unwrap_or_else(|| "–".into())
}

#[component]
pub fn Prices(list: PriceList, save: ServerAction<SavePrice>, delete: ServerAction<DeletePrice>, prefill: Memo<String>) -> impl IntoView {
    let overrides = list
        .overrides
        .into_iter()
        .map(|o| {
            let m = |v: f64| per_m(Some(v / 1e6));
            let (model, row_model, form_model) = (o.model.clone(), o.model.clone(), o.model.clone());
            view! {
                <tr data-testid="override-row" data-model=row_model>
                    <td class="mono">{model}</td>
                    <td class="mono muted">{o.pattern.clone().unwrap_or_else(|| "name, any case".into())}</td>
                    <td class="num mono">{m(o.input_per_mtok)}</td>
                    <td class="num mono">{m(o.output_per_mtok)}</td>
                    <td class="num mono">{o.cache_read_per_mtok.map(m).unwrap_or_else(|| "input price".into())}</td>
                    <td class="num mono">{o.cache_write_per_mtok.map(m).unwrap_or_else(|| "input price".into())}</td>
                    <td>
                        <ActionForm action=delete>
                            <input type="hidden" name="model" value=form_model />
                            <button class="button" type="submit" data-testid="delete-price">"Remove"</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let shipped_count = list.shipped.len();
    let shipped = list.shipped.into_iter().map(|e| view! { <ShippedRow e /> }).collect_view();
    let outcome = move || {
        let saved = save.value().get().map(|r| r.map(|m| format!("Saved the price of {m}: model calls from now on are costed with it.")));
        let deleted = delete.value().get().map(|r| r.map(|m| format!("Removed the price of {m}.")));
        match saved.or(deleted) {
            Some(Ok(msg)) => view! { <p class="saved" data-testid="price-saved">{msg}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="form-error" data-testid="price-error">{e.to_string()}</p> }.into_any(),
            None => ().into_any(),
        }
    };
    view! {
        <div class="card prices" id="prices" data-testid="prices">
            <h2>"Prices"</h2>
            <p class="hint">
                "Each model call is costed when it arrives, with the first price whose pattern matches its model (the served model, else the requested one). "
                "Your prices win over the shipped list. A price change applies to calls that arrive after it; each call keeps the price it was costed with. Prices are USD per million tokens."
            </p>
            <ActionForm action=save attr:class="filters price-form" attr:data-testid="price-form">
                <label class="grow">"Model" <input name="model" required placeholder="acme-judge-8b" value=move || prefill.get() /></label>
                <label class="grow">"Pattern (optional regex)" <input name="pattern" placeholder="(?i)^acme-judge-8b$" /></label>
                <label class="narrow">"Input $/1M" <input name="input" required inputmode="decimal" placeholder="0.20" /></label>
                <label class="narrow">"Output $/1M" <input name="output" required inputmode="decimal" placeholder="0.60" /></label>
                <label class="narrow">"Cache read $/1M" <input name="cache_read" inputmode="decimal" placeholder="input" /></label>
                <label class="narrow">"Cache write $/1M" <input name="cache_write" inputmode="decimal" placeholder="input" /></label>
                <span class="filter-actions"><button class="button primary" type="submit" data-testid="save-price">"Save price"</button></span>
            </ActionForm>
            {outcome}
            <table class="cost-table" data-testid="overrides">
                <thead>
                    <tr>
                        <th>"Your prices"</th>
                        <th>"Pattern"</th>
                        <th class="num">"Input"</th>
                        <th class="num">"Output"</th>
                        <th class="num">"Cache read"</th>
                        <th class="num">"Cache write"</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>{overrides}</tbody>
            </table>
            <details class="shipped">
                <summary>{format!("Shipped prices: {shipped_count} models (Langfuse's price list, MIT licence)")}</summary>
                <table class="cost-table">
                    <thead>
                        <tr>
                            <th>"Model"</th>
                            <th class="num">"Input"</th>
                            <th class="num">"Output"</th>
                            <th class="num">"Cache read"</th>
                            <th class="num">"Cache write"</th>
                            <th>"Tiers"</th>
                        </tr>
                    </thead>
                    <tbody>{shipped}</tbody>
                </table>
            </details>
        </div>
    }
}

#[component]
fn ShippedRow(e: PriceEntry) -> impl IntoView {
    let p = e.tiers.first().map(|t| t.prices).unwrap_or_default();
    let (input, output) = if p.input.is_none() && p.output.is_none() { (p.total, p.total) } else { (p.input, p.output) };
    let tiers: Vec<String> = e
        .tiers
        .iter()
        .filter_map(|t| t.above_input_tokens.map(|n| format!("{} above {} input tokens", t.name, crate::format::count(n))))
        .collect();
    view! {
        <tr>
            <td class="mono" title=e.pattern>{e.model}</td>
            <td class="num mono">{per_m(input)}</td>
            <td class="num mono">{per_m(output)}</td>
            <td class="num mono">{per_m(p.cache_read)}</td>
            <td class="num mono">{per_m(p.cache_write)}</td>
            <td class="muted">{tiers.join("; ")}</td>
        </tr>
    }
}
