//! How numbers, durations and times read on the pages. Pure, so the server render
//! and the hydrated page print the same text.

use time::OffsetDateTime;
use time::macros::format_description;

/// A duration with about three significant digits: `850 µs`, `12.3 ms`, `1.25 s`, `2m 03s`.
pub fn duration(ns: i64) -> String {
    let ns = ns.max(0) as f64;
    let three = |v: f64, unit: &str| {
        if v >= 100.0 {
            format!("{v:.0} {unit}")
        } else if v >= 10.0 {
            format!("{v:.1} {unit}")
        } else {
            format!("{v:.2} {unit}")
        }
    };
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        three(ns / 1e3, "µs")
    } else if ns < 1e9 {
        three(ns / 1e6, "ms")
    } else if ns < 60e9 {
        three(ns / 1e9, "s")
    } else {
        let s = (ns / 1e9).round() as i64;
        if s < 3600 { format!("{}m {:02}s", s / 60, s % 60) } else { format!("{}h {:02}m", s / 3600, (s % 3600) / 60) }
    }
}

/// A configured duration in its own round unit, as it was likely set: `500 ms`,
/// `5 s`, `2 min`, `1 h`, `30 d` (measured durations use [`duration`]).
pub fn setting(ns: i64) -> String {
    const S: i64 = 1_000_000_000;
    match ns {
        n if n >= 86_400 * S && n % (86_400 * S) == 0 => format!("{} d", n / (86_400 * S)),
        n if n >= 3600 * S && n % (3600 * S) == 0 => format!("{} h", n / (3600 * S)),
        n if n >= 60 * S && n % (60 * S) == 0 => format!("{} min", n / (60 * S)),
        n if n >= S && n % S == 0 => format!("{} s", n / S),
        n => format!("{} ms", n / 1_000_000),
    }
}

/// An integer with thousands separators: `12,345`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A threshold as a person typed it: `2,000`, `0.5`, `12.25` (no trailing zeros).
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return count(v as i64);
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Money in US dollars, as exact as a glance needs: `$1,234`, `$12.34`, `$0.123`,
/// `$0.0042` (two significant digits below a cent), `$0`.
pub fn usd(v: f64) -> String {
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    if a == 0.0 {
        "$0".into()
    } else if a >= 100.0 {
        format!("{sign}${}", count(a.round() as i64))
    } else if a >= 1.0 {
        format!("{sign}${a:.2}")
    } else if a >= 0.01 {
        format!("{sign}${a:.3}")
    } else {
        // Two significant digits: enough decimals to reach the second one.
        let decimals = (-a.log10()).floor() as usize + 2;
        format!("{sign}${a:.decimals$}")
    }
}

/// A trace's cost as lists and summaries show it: `$0.042`, `$0.042 + 3 unpriced`,
/// `3 unpriced` (no priced call), `–` (no model call).
pub fn trace_cost(usd_total: f64, unpriced: i64, any_model_call: bool) -> String {
    let calls = |n: i64| if n == 1 { "1 unpriced".to_string() } else { format!("{} unpriced", count(n)) };
    match (any_model_call || unpriced > 0, unpriced > 0, usd_total > 0.0) {
        (false, _, _) => "–".into(),
        (true, false, _) => usd(usd_total),
        (true, true, true) => format!("{} + {}", usd(usd_total), calls(unpriced)),
        (true, true, false) => calls(unpriced),
    }
}

/// A step of a trend: `1 min`, `30 min`, `4 h`, `1 day`.
pub fn step(ns: i64) -> String {
    let min = ns / 60_000_000_000;
    match min {
        m if m >= 1440 && m % 1440 == 0 => {
            if m == 1440 {
                "1 day".into()
            } else {
                format!("{} days", m / 1440)
            }
        }
        m if m >= 60 && m % 60 == 0 => format!("{} h", m / 60),
        m if m >= 1 => format!("{m} min"),
        _ => duration(ns),
    }
}

/// A Unix time as `2026-11-24 02:10:33 UTC` (UTC everywhere, so a link read in
/// another time zone during an incident shows the same moment).
pub fn utc(ns: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    OffsetDateTime::from_unix_timestamp_nanos(ns as i128).ok().and_then(|t| t.format(&fmt).ok()).unwrap_or_else(|| format!("{ns} ns"))
}

/// How long ago `ns` was at `now_ns`: `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`.
pub fn ago(ns: i64, now_ns: i64) -> String {
    let s = (now_ns - ns) / 1_000_000_000;
    match s {
        i64::MIN..=4 => "just now".into(),
        5..=59 => format!("{s} s ago"),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        _ => format!("{} d ago", s / 86_400),
    }
}

/// Evenly spaced ticks for a time axis of `span_ns`: a 1, 2 or 5 × 10ⁿ step giving
/// at most `max_ticks` intervals. Returns the tick offsets, starting at 0.
pub fn ticks(span_ns: i64, max_ticks: u32) -> Vec<i64> {
    if span_ns <= 0 || max_ticks == 0 {
        return vec![0];
    }
    let rough = span_ns as f64 / max_ticks as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|s| *s >= rough).unwrap_or(10.0 * magnitude);
    let step = (step as i64).max(1);
    (0..).map(|k| k * step).take_while(|t| *t <= span_ns).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number(2000.0), "2,000");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(12.25), "12.25");
        assert_eq!(number(0.00001), "0");
    }

    #[test]
    fn dollars_read_naturally() {
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(1234.4), "$1,234");
        assert_eq!(usd(12.345), "$12.35");
        assert_eq!(usd(0.1234), "$0.123");
        assert_eq!(usd(0.0042), "$0.0042");
        assert_eq!(usd(0.000_012_34), "$0.000012");
        assert_eq!(usd(-0.5), "-$0.500");
    }

    #[test]
    fn trend_steps_read_as_units() {
        let min = 60_000_000_000;
        assert_eq!(step(min), "1 min");
        assert_eq!(step(30 * min), "30 min");
        assert_eq!(step(240 * min), "4 h");
        assert_eq!(step(1440 * min), "1 day");
    }

    #[test]
    fn trace_costs_say_what_is_unpriced() {
        assert_eq!(trace_cost(0.0, 0, false), "–");
        assert_eq!(trace_cost(0.0, 0, true), "$0");
        assert_eq!(trace_cost(0.042, 0, true), "$0.042");
        assert_eq!(trace_cost(0.042, 3, true), "$0.042 + 3 unpriced");
        assert_eq!(trace_cost(0.0, 1, true), "1 unpriced");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(850), "850 ns");
        assert_eq!(duration(850_000), "850 µs");
        assert_eq!(duration(12_340_000), "12.3 ms");
        assert_eq!(duration(1_254_000_000), "1.25 s");
        assert_eq!(duration(10_000_000_000), "10.0 s");
        assert_eq!(duration(123_000_000_000), "2m 03s");
        assert_eq!(duration(-5), "0 ns");
    }

    #[test]
    fn settings_read_in_their_round_unit() {
        assert_eq!(setting(500_000_000), "500 ms");
        assert_eq!(setting(5_000_000_000), "5 s");
        assert_eq!(setting(120_000_000_000), "2 min");
        assert_eq!(setting(90_000_000_000), "90 s");
        assert_eq!(setting(3_600_000_000_000), "1 h");
        assert_eq!(setting(30 * 86_400_000_000_000), "30 d");
        assert_eq!(setting(36 * 3_600_000_000_000), "36 h");
        assert_eq!(setting(1_500_000_000), "1500 ms");
    }

    #[test]
    fn counts_and_times() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(-1234), "-1,234");
        assert_eq!(utc(1_732_414_233_000_000_000), "2024-11-24 02:10:33 UTC");
        let now = 1_000_000_000_000;
        assert_eq!(ago(now - 2_000_000_000, now), "just now");
        assert_eq!(ago(now - 300_000_000_000, now), "5 min ago");
        assert_eq!(ago(now - 7_200_000_000_000, now), "2 h ago");
    }

    #[test]
    fn ticks_use_round_steps_and_stay_inside_the_axis() {
        assert_eq!(ticks(1_000, 5), vec![0, 200, 400, 600, 800, 1000]);
        assert_eq!(ticks(10_000_000_000, 6), (0..=5).map(|k| k * 2_000_000_000).collect::<Vec<_>>());
        let t = ticks(7_300_000, 8);
        assert!(t.len() <= 9 && t.len() >= 4, "{t:?}");
        assert!(t.windows(2).all(|w| w[1] - w[0] == 1_000_000));
        assert_eq!(ticks(0, 5), vec![0]);
    }
}
