//! The SVG chart: one horizontal bar per benchmark. In comparison mode the
//! bars are the ratios B/A (with a line at 1.0 and the geometric mean as the
//! last bar); otherwise they are the medians, with min-max whiskers.

use crate::measure::Results;
use std::fmt::Write;

const FONT: &str = "font-family=\"sans-serif\" font-size=\"12\"";
/// A rough width of one character at 12px, to size the label column.
const CHAR_WIDTH: f64 = 7.5;
const PLOT_WIDTH: f64 = 520.0;
const ROW_HEIGHT: f64 = 22.0;
const BAR_HEIGHT: f64 = 14.0;
const TOP: f64 = 72.0;
const VALUE_SPACE: f64 = 100.0;
/// A white outline behind value labels, which may cross the 1.0 line.
const HALO: &str = " stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\"";
const FASTER: &str = "#4c78a8";
const SLOWER: &str = "#e45756";

/// One row of the chart.
struct Row {
    label: String,
    /// The bar's value and its whisker range; `None` for a failed benchmark.
    value: Option<(f64, Option<(f64, f64)>)>,
    text: String,
    bold: bool,
}

pub fn write(results: &Results) -> String {
    let plan = &results.plan;
    let comparison = plan.is_comparison();
    let mut rows: Vec<Row> = results
        .benchmarks
        .iter()
        .map(|bench| {
            let value = if comparison {
                bench.ratio().map(|r| (r, None))
            } else {
                bench.per_vm[0]
                    .summary()
                    .map(|s| (s.median_ms, Some((s.min_ms, s.max_ms))))
            };
            Row {
                label: bench.name().to_string(),
                text: value.map_or("failed".into(), |(v, _)| value_text(v, comparison)),
                value,
                bold: false,
            }
        })
        .collect();
    if let (true, Some((geomean, _))) = (comparison, results.geomean_ratio()) {
        rows.push(Row {
            label: "geometric mean".into(),
            value: Some((geomean, None)),
            text: value_text(geomean, true),
            bold: true,
        });
    }

    let (title, axis_title) = if comparison {
        let (a, b) = (&plan.vms[0].label, &plan.vms[1].label);
        (
            format!("{b} / {a}: ratio of median runtimes per benchmark"),
            format!("median runtime of {b} / median runtime of {a} (below 1.0: {b} is faster)"),
        )
    } else {
        (
            format!("Median runtime per iteration on {}", plan.vms[0].label),
            "milliseconds per iteration (bar: median of the steady state; whisker: min to max)"
                .to_string(),
        )
    };
    let subtitle = format!(
        "{} run{} x {} iterations per benchmark and VM, first {} of each run discarded as warm-up",
        plan.runs,
        if plan.runs == 1 { "" } else { "s" },
        plan.iterations,
        plan.warmup
    );

    let label_width = rows
        .iter()
        .map(|r| r.label.chars().count() as f64 * CHAR_WIDTH)
        .fold(80.0, f64::max)
        + 16.0;
    let left = label_width;
    let plot_height = rows.len() as f64 * ROW_HEIGHT;
    let bottom = TOP + plot_height;
    let width = left + PLOT_WIDTH + VALUE_SPACE;
    let height = bottom + 56.0;

    let values: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.value)
        .flat_map(|(v, whisker)| [Some(v), whisker.map(|w| w.0), whisker.map(|w| w.1)])
        .flatten()
        .collect();
    let axis = Axis::fit(&values, comparison);
    let x = |v: f64| left + axis.fraction(v) * PLOT_WIDTH;
    let axis_title = if axis.is_log() {
        format!("{axis_title}, log scale")
    } else {
        axis_title
    };

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" {FONT}>"
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(&title));
    let _ = writeln!(svg, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{}</text>",
        8.0,
        escape(&title)
    );
    let _ = writeln!(
        svg,
        "<text x=\"8\" y=\"40\" fill=\"#555\">{}</text>",
        escape(&subtitle)
    );

    // Row stripes, grid lines and tick labels first, bars on top.
    for (i, _) in rows.iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        let y = TOP + i as f64 * ROW_HEIGHT;
        let _ = writeln!(
            svg,
            "<rect x=\"0\" y=\"{y:.1}\" width=\"{width:.0}\" height=\"{ROW_HEIGHT}\" fill=\"#f3f3f3\"/>"
        );
    }
    for (v, label) in axis.ticks() {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{bottom:.1}\" stroke=\"#ddd\"/>",
            x(v)
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(v),
            bottom + 16.0,
            label
        );
    }
    let _ = writeln!(
        svg,
        "<line x1=\"{left:.1}\" y1=\"{bottom:.1}\" x2=\"{:.1}\" y2=\"{bottom:.1}\" stroke=\"#333\"/>",
        left + PLOT_WIDTH
    );
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        left + PLOT_WIDTH / 2.0,
        bottom + 38.0,
        escape(&axis_title)
    );

    for (i, row) in rows.iter().enumerate() {
        let y = TOP + i as f64 * ROW_HEIGHT;
        let middle = y + ROW_HEIGHT / 2.0;
        let weight = if row.bold {
            " font-weight=\"bold\""
        } else {
            ""
        };
        if row.bold {
            let _ = writeln!(
                svg,
                "<line x1=\"0\" y1=\"{y:.1}\" x2=\"{width:.0}\" y2=\"{y:.1}\" stroke=\"#999\"/>"
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"{weight}>{}</text>",
            left - 8.0,
            middle + 4.0,
            escape(&row.label)
        );
        let Some((value, whisker)) = row.value else {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#a00\" font-style=\"italic\">failed</text>",
                left + 4.0,
                middle + 4.0
            );
            continue;
        };
        let colour = if comparison && value > 1.0 {
            SLOWER
        } else {
            FASTER
        };
        let _ = writeln!(
            svg,
            "<rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{BAR_HEIGHT}\" fill=\"{colour}\"><title>{}: {}</title></rect>",
            middle - BAR_HEIGHT / 2.0,
            x(value) - left,
            escape(&row.label),
            escape(&row.text)
        );
        let mut text_x = x(value);
        if let Some((low, high)) = whisker {
            let _ = writeln!(
                svg,
                "<path d=\"M{0:.1},{1:.1}V{2:.1}M{0:.1},{3:.1}H{4:.1}M{4:.1},{1:.1}V{2:.1}\" stroke=\"#333\" fill=\"none\"/>",
                x(low),
                middle - 4.0,
                middle + 4.0,
                middle,
                x(high)
            );
            text_x = text_x.max(x(high));
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\"{weight}{HALO}>{}</text>",
            text_x + 5.0,
            middle + 4.0,
            escape(&row.text)
        );
    }

    if comparison {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{bottom:.1}\" stroke=\"#222\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"/>",
            x(1.0),
            TOP - 6.0
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\">1.0</text>",
            x(1.0),
            TOP - 9.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The horizontal axis: where values go and where the ticks are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Axis {
    /// From 0 to `end`, a tick every `step`.
    Linear { end: f64, step: f64 },
    /// From 10^`low` to 10^`high`, a tick at each power of ten.
    Log { low: i32, high: i32 },
}

impl Axis {
    /// Linear for ratios (which need 1.0 on the axis); for runtimes, a log
    /// scale when they span more than two orders of magnitude, so that short
    /// benchmarks do not vanish next to long ones.
    pub fn fit(values: &[f64], ratios: bool) -> Axis {
        let positive = values.iter().copied().filter(|v| v.is_finite() && *v > 0.0);
        let largest = positive
            .clone()
            .fold(if ratios { 1.0 } else { 0.0 }, f64::max);
        let smallest = positive.fold(f64::INFINITY, f64::min);
        if !ratios && smallest.is_finite() && largest / smallest > 100.0 {
            return Axis::Log {
                low: smallest.log10().floor() as i32,
                high: largest.log10().ceil() as i32,
            };
        }
        let (end, step) = scale(largest);
        Axis::Linear { end, step }
    }

    pub fn is_log(&self) -> bool {
        matches!(self, Axis::Log { .. })
    }

    /// Where `value` goes, as a fraction of the plot width.
    pub fn fraction(&self, value: f64) -> f64 {
        let f = match *self {
            Axis::Linear { end, .. } => value / end,
            Axis::Log { low, high } if value > 0.0 => {
                (value.log10() - f64::from(low)) / f64::from(high - low)
            }
            Axis::Log { .. } => 0.0,
        };
        f.clamp(0.0, 1.0)
    }

    /// The ticks: values and their labels.
    pub fn ticks(&self) -> Vec<(f64, String)> {
        match *self {
            Axis::Linear { end, step } => {
                let count = (end / step).round() as usize;
                (0..=count)
                    .map(|k| {
                        let v = k as f64 * step;
                        (v, tick_text(v, step))
                    })
                    .collect()
            }
            Axis::Log { low, high } => (low..=high)
                .map(|k| {
                    let v = 10f64.powi(k);
                    (v, tick_text(v, v))
                })
                .collect(),
        }
    }
}

/// The axis end and tick step for values up to `largest`: a step of 1, 2 or
/// 5 times a power of ten, giving at most six intervals.
pub fn scale(largest: f64) -> (f64, f64) {
    if !(largest.is_finite() && largest > 0.0) {
        return (1.0, 0.2);
    }
    let rough = largest / 6.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = match rough / power {
        f if f <= 1.0 => 1.0,
        f if f <= 2.0 => 2.0,
        f if f <= 5.0 => 5.0,
        _ => 10.0,
    } * power;
    ((largest / step).ceil().max(1.0) * step, step)
}

fn tick_text(value: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil() as usize
    };
    format!("{value:.decimals$}")
}

fn value_text(value: f64, ratio: bool) -> String {
    if ratio {
        format!("{value:.3}")
    } else if value >= 100.0 {
        format!("{value:.0} ms")
    } else if value >= 10.0 {
        format!("{value:.1} ms")
    } else {
        format!("{value:.2} ms")
    }
}

/// Escapes text for XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::test_support::{comparison, single};

    #[test]
    fn scale_ends_on_a_round_tick() {
        let near = |(end, step): (f64, f64), (want_end, want_step): (f64, f64)| {
            (end - want_end).abs() < 1e-9 && (step - want_step).abs() < 1e-9
        };
        for (largest, want) in [
            (1.0, (1.0, 0.2)),
            (0.93, (1.0, 0.2)),
            (1.028, (1.2, 0.2)),
            (2.0, (2.0, 0.5)),
            (3.0, (3.0, 0.5)),
            (900.0, (1000.0, 200.0)),
            (1234.0, (1500.0, 500.0)),
            (4898.0, (5000.0, 1000.0)),
            (0.0, (1.0, 0.2)),
        ] {
            assert!(
                near(scale(largest), want),
                "{largest}: {:?}",
                scale(largest)
            );
        }
    }

    #[test]
    fn runtimes_spanning_two_orders_of_magnitude_get_a_log_axis() {
        assert_eq!(
            Axis::fit(&[2.0, 90.0], false),
            Axis::Linear {
                end: 100.0,
                step: 20.0
            }
        );
        let log = Axis::fit(&[0.002, 6224.0, 40.0], false);
        assert_eq!(log, Axis::Log { low: -3, high: 4 });
        let labels: Vec<String> = log.ticks().into_iter().map(|(_, l)| l).collect();
        assert_eq!(
            labels,
            ["0.001", "0.01", "0.1", "1", "10", "100", "1000", "10000"]
        );
        assert!((log.fraction(1.0) - 3.0 / 7.0).abs() < 1e-12);
        assert_eq!(log.fraction(0.0), 0.0);
        // Ratios stay linear, whatever their spread.
        assert!(!Axis::fit(&[0.01, 5.0], true).is_log());
    }

    #[test]
    fn tick_labels_have_as_many_decimals_as_the_step_needs() {
        assert_eq!(tick_text(0.4, 0.2), "0.4");
        assert_eq!(tick_text(0.05, 0.05), "0.05");
        assert_eq!(tick_text(400.0, 200.0), "400");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn comparison_chart_has_ratio_bars_a_one_line_and_the_geomean() {
        let svg = write(&comparison());
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>\n"));
        assert!(svg.contains("new / old: ratio of median runtimes"), "{svg}");
        assert!(svg.contains(">Sieve</text>") && svg.contains(">Towers</text>"));
        assert!(svg.contains(">0.500</text>") && svg.contains(">2.000</text>"));
        assert!(svg.contains(">geometric mean</text>"));
        assert!(svg.contains(">1.0</text>") && svg.contains("stroke-dasharray"));
        assert!(svg.contains(FASTER) && svg.contains(SLOWER));
        // Scale 0..2: the Towers bar (2.0) is the whole plot, Sieve (0.5) a quarter.
        assert!(svg.contains(&format!(
            "width=\"{PLOT_WIDTH:.1}\" height=\"{BAR_HEIGHT}\""
        )));
        assert!(svg.contains(&format!(
            "width=\"{:.1}\" height=\"{BAR_HEIGHT}\"",
            PLOT_WIDTH / 4.0
        )));
    }

    #[test]
    fn single_chart_has_medians_whiskers_and_failures() {
        let svg = write(&single());
        assert!(svg.contains("Median runtime per iteration on yerba"));
        assert!(svg.contains(">2.50 ms</text>"), "{svg}");
        assert!(svg.contains("<path d=\"M"), "{svg}");
        assert!(svg.contains(">failed</text>"));
        assert!(!svg.contains("stroke-dasharray"));
    }

    #[test]
    fn tags_are_balanced() {
        for svg in [write(&single()), write(&comparison())] {
            for tag in ["svg", "text", "title", "rect"] {
                let opened = svg.matches(&format!("<{tag}>")).count()
                    + svg.matches(&format!("<{tag} ")).count();
                let self_closed = svg
                    .split(&format!("<{tag} "))
                    .skip(1)
                    .filter(|rest| rest.split('>').next().is_some_and(|t| t.ends_with('/')))
                    .count();
                let closed = svg.matches(&format!("</{tag}>")).count();
                assert_eq!(opened, closed + self_closed, "<{tag}> in {svg}");
            }
        }
    }
}
