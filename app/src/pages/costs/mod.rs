//! Token cost (`/costs`): what the model calls in a range cost, over time and by
//! model, service and user; cost per trace and the costliest traces; and the prices
//! in force, where the operator adds their own.

mod breakdown;
mod prices;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::components::error_page::ErrorPage;
use crate::components::range_form::{RangeForm, range_from_query};
use crate::components::stat::Stat;
use crate::error::PageError;
use crate::format;
use crate::model::RangeFilter;
use crate::model::cost::{CostOverview, PriceList};

/// The overview and its charts, drawn on the server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CostsView {
    pub overview: CostOverview,
    /// The width of one point of the series (an hour or a day).
    pub step_ns: i64,
    pub cost_svg: String,
    pub tokens_svg: String,
    pub model_svg: String,
    pub service_svg: String,
    pub user_svg: String,
    pub prices: PriceList,
}

/// Bars in the ranked charts; the tables beside them list every group.
#[cfg(feature = "ssr")]
const TOP: usize = 8;

#[server(prefix = "/rpc", endpoint = "costs", input = leptos::server_fn::codec::Json)]
pub async fn fetch_costs(filter: RangeFilter) -> Result<CostsView, PageError> {
    use crate::charts::{cost_over_time, ranked_bars, tokens_over_time};
    let data = crate::data::data()?;
    let overview = data.cost_overview(&filter).await?;
    let step_ns = overview.step_ns;
    let ranked = |groups: &[crate::model::cost::CostGroup]| {
        let rows: Vec<(String, f64)> =
            groups.iter().filter(|g| g.totals.cost_usd > 0.0).take(TOP).map(|g| (g.key.clone(), g.totals.cost_usd)).collect();
        ranked_bars(&rows, 420, 26)
    };
    Ok(CostsView {
        cost_svg: cost_over_time(&overview.series, (overview.since_ns, overview.until_ns), step_ns, 560, 180),
        tokens_svg: tokens_over_time(&overview.series, (overview.since_ns, overview.until_ns), step_ns, 560, 180),
        model_svg: ranked(&overview.by_model),
        service_svg: ranked(&overview.by_service),
        user_svg: ranked(&overview.by_user),
        step_ns,
        prices: data.prices().await?,
        overview,
    })
}

#[component]
pub fn CostsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(range_from_query));
    let prefill = Memo::new(move |_| query.with(|q| q.get("price_model")).unwrap_or_default());
    let save = ServerAction::<prices::SavePrice>::new();
    let delete = ServerAction::<prices::DeletePrice>::new();
    // A saved or deleted price changes the table of prices (and nothing stored).
    let view = Resource::new(move || (filter.get(), save.version().get(), delete.version().get()), |(f, _, _)| fetch_costs(f));
    view! {
        <section class="costs">
            <div class="page-head">
                <h1>"Cost"</h1>
                <span class="muted">"What the model calls cost: priced at ingest from each call's model and tokens."</span>
            </div>
            <RangeForm action="/costs" since=Signal::derive(move || filter.with(|f| f.since.clone())) />
            <Transition fallback=|| view! { <p class="loading">"Loading costs…"</p> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(v) => view! { <CostsBody view=v save delete prefill /> }.into_any(),
                        Err(e) => view! { <ErrorPage error=e what="cost report" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CostsBody(
    view: CostsView,
    save: ServerAction<prices::SavePrice>,
    delete: ServerAction<prices::DeletePrice>,
    prefill: Memo<String>,
) -> impl IntoView {
    let o = view.overview;
    let t = &o.total;
    let costliest = o.by_model.iter().find(|g| g.totals.cost_usd > 0.0).map(|g| (g.key.clone(), format::usd(g.totals.cost_usd)));
    let per_trace = o.per_trace;
    let range = format!("{} – {}", format::utc(o.since_ns), format::utc(o.until_ns));
    let step = if view.step_ns >= 86_400_000_000_000 { "per day" } else { "per hour" };
    view! {
        <p class="hint mono">{range}</p>
        <div class="stats" data-testid="cost-tiles">
            <Stat label="cost" value=format::usd(t.cost_usd) testid="cost-total" />
            <Stat label="model calls" value=format::count(t.calls) testid="cost-calls" />
            <Stat label="unpriced calls" value=format::count(t.unpriced) testid="cost-unpriced" alert={t.unpriced > 0} />
            <Stat label="tokens in · out" value=format!("{} · {}", format::count(t.input_tokens), format::count(t.output_tokens)) testid="cost-tokens" />
            <Stat label="cost per trace p50 · p95" value=format!("{} · {}", format::usd(per_trace.p50_usd), format::usd(per_trace.p95_usd)) testid="cost-per-trace" />
            <Stat label="costliest model" value=costliest.map(|(m, c)| format!("{m} · {c}")).unwrap_or_else(|| "–".into()) testid="costliest-model" />
        </div>
        {(t.unpriced > 0).then(|| view! {
            <p class="hint unpriced-note" data-testid="unpriced-note">
                {format!("{} model call(s) matched no price, so the totals leave them out. ", format::count(t.unpriced))}
                <a href="#prices">"Add a price"</a>
                " for their model and new calls are costed with it."
            </p>
        })}
        <div class="cost-charts">
            <div class="card chart" data-testid="cost-over-time">
                <h2>{format!("Cost {step}")}</h2>
                <div class="svg" inner_html=view.cost_svg></div>
            </div>
            <div class="card chart" data-testid="tokens-over-time">
                <h2>{format!("Tokens {step}")}</h2>
                <div class="svg" inner_html=view.tokens_svg></div>
                <p class="legend"><span class="swatch tokens-in"></span>"input " <span class="swatch tokens-out"></span>"output"</p>
            </div>
        </div>
        <div class="cost-groups">
            <breakdown::Breakdown title="By model" what="Model" groups=o.by_model.clone() svg=view.model_svg testid="by-model" price_links=true />
            <breakdown::Breakdown title="By service" what="Service" groups=o.by_service.clone() svg=view.service_svg testid="by-service" />
            <breakdown::Breakdown title="By user" what="User" groups=o.by_user.clone() svg=view.user_svg testid="by-user" />
        </div>
        <breakdown::Expensive traces=o.expensive.clone() per_trace />
        <prices::Prices list=view.prices save delete prefill />
    }
}
