//! Charts as SVG strings, drawn on the server with plotters (feature `ssr`): the
//! browser gets finished pictures, no charting JavaScript.
//!
//! Text drawn from stored data (model, service and user names on the cost bars)
//! is escaped by plotters' SVG backend (tested in `cost`); span names and content
//! never go into a chart.

mod cost;
mod histogram;
pub(crate) mod palette;
mod series;
mod spark;

pub use cost::{cost_over_time, ranked_bars, tokens_over_time};
pub use histogram::{HistogramChart, histogram};
pub use series::p95_series;
pub use spark::{Tone, spark};
