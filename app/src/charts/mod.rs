//! Charts as SVG strings, drawn on the server with plotters (feature `ssr`): the
//! browser gets finished pictures, no charting JavaScript.
//!
//! Text drawn from stored data (model, service and user names on the cost bars)
//! is escaped by plotters' SVG backend (tested in `cost`); span names and content
//! never go into a chart.

mod cost;
mod histogram;
mod series;
mod spark;

pub use cost::{cost_over_time, ranked_bars, tokens_over_time};
pub use histogram::{HistogramChart, histogram};
pub use series::p95_series;
pub use spark::{Tone, spark};

/// Colours that read on the light and the dark page background alike.
pub(crate) mod palette {
    use plotters::style::RGBColor;
    pub const BAR: RGBColor = RGBColor(76, 110, 245);
    pub const AXIS: RGBColor = RGBColor(134, 142, 150);
    pub const P50: RGBColor = RGBColor(47, 158, 68);
    pub const P95: RGBColor = RGBColor(240, 140, 0);
    pub const P99: RGBColor = RGBColor(224, 49, 49);
    pub const COST: RGBColor = RGBColor(18, 184, 134);
    pub const TEXT: RGBColor = RGBColor(73, 80, 87);
}
