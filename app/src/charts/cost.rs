//! Cost charts: money and tokens over time as bars, and the costliest groups as
//! labelled horizontal bars.

use plotters::prelude::*;

use super::palette;
use crate::format::{count, usd, utc};
use crate::model::cost::CostPoint;

fn time_label(x: f64, step_ns: i64) -> String {
    let t = utc(x as i64);
    // Hourly points: "11-24 09:00"; daily: "11-24".
    if step_ns < 86_400_000_000_000 { t[5..16].to_string() } else { t[5..10].to_string() }
}

/// One bar per point: what the point's `value` is, drawn in `colour`, with the
/// y axis labelled by `label`.
/// One stacked series: the value of a point, and its colour.
type Stack<'a> = (&'a dyn Fn(&CostPoint) -> f64, RGBColor);

fn bars_over_time(
    points: &[CostPoint],
    (since_ns, until_ns): (i64, i64),
    step_ns: i64,
    (width, height): (u32, u32),
    stacks: &[Stack<'_>],
    label: &dyn Fn(f64) -> String,
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        // The whole range, so quiet steps show as gaps rather than vanish.
        let (x0, x1) = (since_ns.div_euclid(step_ns) * step_ns, until_ns.max(since_ns + step_ns));
        let (x0, x1) = (x0 as f64, x1 as f64);
        let steps = ((x1 - x0) / step_ns as f64).ceil() as usize;
        let top = points.iter().map(|p| stacks.iter().map(|(v, _)| v(p)).sum::<f64>()).fold(0.0, f64::max);
        let top = if top > 0.0 { top * 1.15 } else { 1.0 };
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(22)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, 0f64..top)
            .expect("chart area");
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_labels(4)
            .x_labels(steps.clamp(2, 7))
            .x_label_formatter(&|x| time_label(*x, step_ns))
            .y_label_formatter(&|y| label(*y))
            .axis_style(palette::AXIS)
            .light_line_style(palette::AXIS.mix(0.2))
            .label_style(("sans-serif", 11).into_font().color(&palette::AXIS))
            .draw()
            .expect("axes");
        let gap = step_ns as f64 * 0.1;
        for p in points {
            let mut base = 0.0;
            for (value, colour) in stacks {
                let v = value(p);
                let x = p.start_ns as f64;
                chart
                    .draw_series(std::iter::once(Rectangle::new([(x + gap, base), (x + step_ns as f64 - gap, base + v)], colour.filled())))
                    .expect("bar");
                base += v;
            }
        }
        root.present().expect("svg");
    }
    svg
}

/// Cost per hour or day over `range` (ns).
pub fn cost_over_time(points: &[CostPoint], range: (i64, i64), step_ns: i64, width: u32, height: u32) -> String {
    bars_over_time(points, range, step_ns, (width, height), &[(&|p| p.totals.cost_usd, palette::COST)], &usd)
}

/// Input and output tokens per hour or day over `range` (ns), stacked.
pub fn tokens_over_time(points: &[CostPoint], range: (i64, i64), step_ns: i64, width: u32, height: u32) -> String {
    bars_over_time(
        points,
        range,
        step_ns,
        (width, height),
        &[(&|p| p.totals.input_tokens as f64, palette::BAR), (&|p| p.totals.output_tokens as f64, palette::P95)],
        &|v| count(v.round() as i64),
    )
}

/// Labelled horizontal bars, largest first as given (the top `rows.len()` groups).
/// Labels are model, service or user names: plotters escapes SVG text, and they
/// are cut to 28 characters.
pub fn ranked_bars(rows: &[(String, f64)], width: u32, row_height: u32) -> String {
    let mut svg = String::new();
    let height = (rows.len().max(1) as u32) * row_height + 26;
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let top = rows.iter().map(|r| r.1).fold(0.0, f64::max);
        let top = if top > 0.0 { top * 1.25 } else { 1.0 };
        let n = rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(4)
            .x_label_area_size(20)
            .y_label_area_size(0)
            .build_cartesian_2d(0f64..top, 0f64..n)
            .expect("chart area");
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(4)
            .x_label_formatter(&|x| usd(*x))
            .axis_style(palette::AXIS)
            .light_line_style(palette::AXIS.mix(0.2))
            .label_style(("sans-serif", 11).into_font().color(&palette::AXIS))
            .draw()
            .expect("axes");
        let text = ("sans-serif", 12).into_font().color(&palette::TEXT);
        for (i, (name, value)) in rows.iter().enumerate() {
            let y = n - i as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new([(0.0, y - 0.15), (*value, y - 0.85)], palette::COST.mix(0.85).filled())))
                .expect("bar");
            let short: String = if name.chars().count() > 28 { name.chars().take(27).chain(['…']).collect() } else { name.clone() };
            let label = format!("{}  {}", if short.is_empty() { "(none)".to_string() } else { short }, usd(*value));
            chart.draw_series(std::iter::once(Text::new(label, (top * 0.01, y - 0.32), text.clone()))).expect("label");
        }
        root.present().expect("svg");
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cost::CostTotals;

    #[test]
    fn names_in_bar_labels_are_escaped() {
        let svg = ranked_bars(&[("<script>alert(1)</script>".into(), 2.0), ("gpt-4o".into(), 1.0)], 400, 24);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script"), "{svg}");
        assert!(svg.contains("gpt-4o  $1.00"));
    }

    #[test]
    fn time_charts_draw_one_bar_per_point_and_stack() {
        let p = |h: i64, usd: f64| CostPoint {
            start_ns: h * 3_600_000_000_000,
            totals: CostTotals { cost_usd: usd, input_tokens: 10, output_tokens: 5, ..Default::default() },
        };
        let points = [p(0, 0.5), p(1, 1.5), p(3, 0.25)];
        let range = (0, 4 * 3_600_000_000_000);
        let svg = cost_over_time(&points, range, 3_600_000_000_000, 600, 160);
        let bars = |svg: &str| svg.matches("<rect").count();
        assert_eq!(bars(&svg), 3, "{svg}");
        let tokens = tokens_over_time(&points, range, 3_600_000_000_000, 600, 160);
        assert_eq!(bars(&tokens), 6, "input and output per point");
    }
}
