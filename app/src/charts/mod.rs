//! Charts as SVG strings, drawn on the server with plotters (feature `ssr`): the
//! browser gets finished pictures, no charting JavaScript.
//!
//! Only numbers (durations, counts) are drawn as text; span names never go into an
//! SVG, so nothing from a span can become markup.

mod histogram;
mod series;

pub use histogram::{HistogramChart, histogram};
pub use series::p95_series;

/// Colours that read on the light and the dark page background alike.
pub(crate) mod palette {
    use plotters::style::RGBColor;
    pub const BAR: RGBColor = RGBColor(76, 110, 245);
    pub const AXIS: RGBColor = RGBColor(134, 142, 150);
    pub const P50: RGBColor = RGBColor(47, 158, 68);
    pub const P95: RGBColor = RGBColor(240, 140, 0);
    pub const P99: RGBColor = RGBColor(224, 49, 49);
}
