//! p95 latency by hour, as a line.

use plotters::prelude::*;

use super::palette;
use crate::format::{duration, utc};
use crate::model::latency::LatencyPoint;

pub fn p95_series(points: &[LatencyPoint], width: u32, height: u32) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let (x0, x1) = match (points.first(), points.last()) {
            (Some(a), Some(b)) => (a.hour_start_ns as f64, (b.hour_start_ns as f64).max(a.hour_start_ns as f64 + 3.6e12)),
            _ => (0.0, 3.6e12),
        };
        let top = points.iter().map(|p| p.p95_ns).max().unwrap_or(1).max(1) as f64 * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(22)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, 0f64..top)
            .expect("chart area");
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_labels(4)
            .x_labels(5)
            .x_label_formatter(&|x| utc(*x as i64)[5..16].to_string())
            .y_label_formatter(&|y| duration(*y as i64))
            .axis_style(palette::AXIS)
            .light_line_style(palette::AXIS.mix(0.2))
            .label_style(("sans-serif", 11).into_font().color(&palette::AXIS))
            .draw()
            .expect("axes");
        let line: Vec<(f64, f64)> = points.iter().map(|p| (p.hour_start_ns as f64, p.p95_ns as f64)).collect();
        chart.draw_series(LineSeries::new(line.clone(), palette::P95.stroke_width(2))).expect("line");
        chart.draw_series(line.into_iter().map(|p| Circle::new(p, 3, palette::P95.filled()))).expect("points");
        root.present().expect("svg");
    }
    svg
}
