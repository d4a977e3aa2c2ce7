//! Small trend lines for the overview tiles: no axes, the shape is the message
//! (the tile beside it carries the number).

use plotters::prelude::*;

use super::palette;

/// What a trend shows, for its colour.
#[derive(Clone, Copy, Debug)]
pub enum Tone {
    Traffic,
    Errors,
    Latency,
    Cost,
}

pub fn spark(values: &[f64], tone: Tone, width: u32, height: u32) -> String {
    let colour = match tone {
        Tone::Traffic => palette::BAR,
        Tone::Errors => palette::P99,
        Tone::Latency => palette::P95,
        Tone::Cost => palette::COST,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let top = values.iter().copied().fold(0.0, f64::max);
        let top = if top > 0.0 { top * 1.1 } else { 1.0 };
        let n = values.len().max(2) as f64 - 1.0;
        let mut chart = ChartBuilder::on(&root).margin(2).build_cartesian_2d(0f64..n, 0f64..top).expect("chart area");
        let line: Vec<(f64, f64)> = values.iter().enumerate().map(|(i, v)| (i as f64, *v)).collect();
        chart.draw_series(AreaSeries::new(line.clone(), 0.0, colour.mix(0.15))).expect("area");
        chart.draw_series(LineSeries::new(line, colour.stroke_width(2))).expect("line");
        root.present().expect("svg");
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_is_one_line_and_its_area() {
        let svg = spark(&[0.0, 2.0, 1.0, 4.0], Tone::Latency, 160, 36);
        assert!(svg.matches("<polyline").count() + svg.matches("<polygon").count() + svg.matches("<path").count() >= 2, "{svg}");
        assert!(!svg.contains("<text"), "no labels");
        // A flat or empty series still draws.
        assert!(spark(&[], Tone::Cost, 160, 36).starts_with("<svg"));
    }
}
