//! A latency histogram on a log duration axis, with p50, p95 and p99 marked.

use plotters::prelude::*;

use super::palette;
use crate::format::duration;
use crate::model::latency::{Bucket, StepLatency, bucket_of, upper_ns};

/// A drawn histogram, and where each bucket's bar sits (as % of the SVG's width),
/// so the page can lay links over the bars.
#[derive(Clone, Debug)]
pub struct HistogramChart {
    pub svg: String,
    /// (bucket, left %, width %, count)
    pub bars: Vec<(i64, f64, f64, i64)>,
}

/// `range` is the bucket range of the x axis (shared by the rows of one table, so
/// their shapes compare); `axes` adds labelled axes (the large chart).
pub fn histogram(row: &StepLatency, range: (i64, i64), width: u32, height: u32, axes: bool) -> HistogramChart {
    let (lo, hi) = (range.0 as f64 - 0.5, range.1 as f64 + 0.5);
    let top = row.buckets.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
    let mut svg = String::new();
    let (margin_left, margin_bottom, margin) = if axes { (48u32, 24u32, 8u32) } else { (0, 0, 1) };
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let mut chart = ChartBuilder::on(&root)
            .margin(margin)
            .x_label_area_size(margin_bottom)
            .y_label_area_size(margin_left)
            .build_cartesian_2d(lo..hi, 0f64..top * 1.1)
            .expect("chart area");
        if axes {
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(8)
                .y_labels(4)
                .x_label_formatter(&|b| duration(upper_ns(b.round() as i64)))
                .y_label_formatter(&|c| format!("{c:.0}"))
                .axis_style(palette::AXIS)
                .label_style(("sans-serif", 11).into_font().color(&palette::AXIS))
                .draw()
                .expect("axes");
        }
        chart
            .draw_series(row.buckets.iter().map(|b: &Bucket| {
                let x = b.bucket as f64;
                Rectangle::new([(x - 0.45, 0.0), (x + 0.45, b.count as f64)], palette::BAR.filled())
            }))
            .expect("bars");
        for (value, colour) in [(row.p50_ns, palette::P50), (row.p95_ns, palette::P95), (row.p99_ns, palette::P99)] {
            let x = bucket_of(value) as f64;
            chart.draw_series(std::iter::once(PathElement::new(vec![(x, 0.0), (x, top * 1.1)], colour.stroke_width(2)))).expect("marker");
        }
        root.present().expect("svg");
    }
    // Bars as percentages of the whole SVG, for the links laid over them.
    let plot_left = (margin + margin_left) as f64;
    let plot_width = width as f64 - plot_left - margin as f64;
    let span = hi - lo;
    let bars = row
        .buckets
        .iter()
        .map(|b| {
            let left = plot_left + (b.bucket as f64 - 0.5 - lo) / span * plot_width;
            (b.bucket, left / width as f64 * 100.0, plot_width / span / width as f64 * 100.0, b.count)
        })
        .collect();
    HistogramChart { svg, bars }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StepKind;

    #[test]
    fn draws_bars_markers_and_labels_without_fonts() {
        let buckets = vec![Bucket::new(bucket_of(100_000_000), 90), Bucket::new(bucket_of(1_000_000_000), 10)];
        let row = StepLatency::new(StepKind::Tool, None, buckets, 0, 1_000_000_000);
        let range = (row.buckets[0].bucket, row.buckets[1].bucket);
        let small = histogram(&row, range, 240, 44, false);
        assert!(small.svg.starts_with("<svg") && small.svg.contains("<rect"));
        assert_eq!(small.bars.len(), 2);
        assert!(small.bars.iter().all(|(_, left, w, _)| *left >= 0.0 && left + w <= 100.0 + 1e-9));
        let large = histogram(&row, range, 720, 220, true);
        assert!(large.svg.contains("<text"), "axis labels");
        assert!(large.svg.contains("1.00 s") || large.svg.contains("s</text>"), "duration labels");
    }
}
