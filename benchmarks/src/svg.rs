//! The SVG chart (`--svg`), drawn with plotters' SVG backend: one horizontal
//! bar per benchmark. In comparison mode the bars are the ratios B/A (with a
//! dashed line at 1.0 and the geometric mean as the last, bold row);
//! otherwise they are the medians, with min-max whiskers.
//!
//! # Format
//!
//! An SVG document of `left + 520 + 100` by `72 + 22 * rows + 56` pixels
//! (`left` fits the longest benchmark name): a bold title (what the bars are,
//! and the VMs' labels), a subtitle (runs, iterations, warm-up), per row the
//! benchmark's name, its bar and its value as text (`0.500` for a ratio,
//! `2.50 ms`, `40.3 ms` or `1516 ms` for a median) or `failed` in red
//! italics, and a horizontal axis with grid lines, tick labels and a title.
//! Bars are blue, ratios above 1.0 red. The axis is linear from 0 to a round
//! end ([`scale`]), or, for medians spanning more than a factor of 100,
//! logarithmic from a power of ten to a power of ten ([`Axis::fit`]). Text
//! is laid out with plotters' estimate of its width (no font files are
//! read); the viewer's sans-serif font draws it.

use crate::measure::Results;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// A rough width of one character at 12px, to size the label column.
const CHAR_WIDTH: f64 = 8.0;
const PLOT_WIDTH: u32 = 520;
const ROW_HEIGHT: i32 = 22;
const BAR_HEIGHT: i32 = 14;
const TOP: i32 = 72;
const VALUE_SPACE: u32 = 100;
const BOTTOM_SPACE: u32 = 56;
/// Below the axis title, within `BOTTOM_SPACE`.
const BOTTOM_MARGIN: u32 = 12;
/// plotters writes a text's font size divided by 1.24: this gives 12px.
const TEXT_SIZE: f64 = 12.0 * 1.24;
const TITLE_SIZE: f64 = 16.0 * 1.24;
/// The axis' labels, whose size plotters rounds to whole pixels first: 12.1px.
const AXIS_TEXT_SIZE: f64 = 15.0;
const FASTER: RGBColor = RGBColor(0x4c, 0x78, 0xa8);
const SLOWER: RGBColor = RGBColor(0xe4, 0x57, 0x56);
const STRIPE: RGBColor = RGBColor(0xf3, 0xf3, 0xf3);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
const REFERENCE: RGBColor = RGBColor(0x22, 0x22, 0x22);
const FAILED: RGBColor = RGBColor(0xaa, 0x00, 0x00);
const GREY: RGBColor = RGBColor(0x55, 0x55, 0x55);

/// One row of the chart.
struct Row {
    label: String,
    /// The bar's value and its whisker range; `None` for a failed benchmark.
    value: Option<(f64, Option<(f64, f64)>)>,
    text: String,
    bold: bool,
}

/// Text of 12px in `colour`, centred vertically on its position.
fn text(colour: &'static RGBColor, style: FontStyle, h: HPos) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", TEXT_SIZE).into_font().style(style))
        .color(colour)
        .pos(Pos::new(h, VPos::Center))
}

/// What the chart shows, before it is drawn.
struct Chart {
    title: String,
    subtitle: String,
    axis_title: String,
    axis: Axis,
    rows: Vec<Row>,
    comparison: bool,
}

/// What drawing into a string could fail with (in fact never does).
type Failure = DrawingAreaErrorKind<std::io::Error>;

type Plot<'a> = ChartContext<'a, SVGBackend<'a>, Cartesian2d<Axis, RangedCoordf64>>;

pub fn write(results: &Results) -> String {
    let chart = Chart::of(results);
    let mut svg = String::new();
    // The backend writes into the string: drawing cannot fail.
    chart.draw(&mut svg).expect("the chart draws into a string");
    svg
}

impl Chart {
    fn of(results: &Results) -> Chart {
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
        let values: Vec<f64> = rows
            .iter()
            .filter_map(|r| r.value)
            .flat_map(|(v, whisker)| [Some(v), whisker.map(|w| w.0), whisker.map(|w| w.1)])
            .flatten()
            .collect();
        let axis = Axis::fit(&values, comparison);
        let axis_title = if axis.is_log() {
            format!("{axis_title}, log scale")
        } else {
            axis_title
        };
        Chart {
            title,
            subtitle,
            axis_title,
            axis,
            rows,
            comparison,
        }
    }

    fn draw(&self, svg: &mut String) -> Result<(), Failure> {
        let label_width = self
            .rows
            .iter()
            .map(|r| r.label.chars().count() as f64 * CHAR_WIDTH)
            .fold(80.0, f64::max) as u32
            + 16;
        let bottom = TOP + self.rows.len() as i32 * ROW_HEIGHT;
        let width = label_width + PLOT_WIDTH + VALUE_SPACE;
        let height = bottom as u32 + BOTTOM_SPACE;
        let root = SVGBackend::with_string(svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let plain = text(&BLACK, FontStyle::Normal, HPos::Left);
        let bold = text(&BLACK, FontStyle::Bold, HPos::Left);
        let title = TextStyle::from(
            ("sans-serif", TITLE_SIZE)
                .into_font()
                .style(FontStyle::Bold),
        );
        root.draw(&Text::new(self.title.as_str(), (8, 8), title))?;
        root.draw(&Text::new(
            self.subtitle.as_str(),
            (8, 36),
            text(&GREY, FontStyle::Normal, HPos::Left),
        ))?;

        // Row stripes under the grid, bars on top.
        for i in (1..self.rows.len() as i32).step_by(2) {
            let y = TOP + i * ROW_HEIGHT;
            root.draw(&Rectangle::new(
                [(0, y), (width as i32, y + ROW_HEIGHT)],
                STRIPE.filled(),
            ))?;
        }
        let chart = self.axes(&root, label_width)?;
        let x = |value: f64| chart.backend_coord(&(value, 0.0)).0;
        let left = x(0.0);

        for (i, row) in self.rows.iter().enumerate() {
            let y = TOP + i as i32 * ROW_HEIGHT;
            let middle = y + ROW_HEIGHT / 2;
            let style = if row.bold { &bold } else { &plain };
            if row.bold {
                root.draw(&PathElement::new([(0, y), (width as i32, y)], INK.mix(0.5)))?;
            }
            root.draw(&Text::new(
                row.label.as_str(),
                (label_width as i32 - 8, middle),
                style.pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            let Some((value, whisker)) = row.value else {
                root.draw(&Text::new(
                    "failed",
                    (label_width as i32 + 4, middle),
                    text(&FAILED, FontStyle::Italic, HPos::Left),
                ))?;
                continue;
            };
            let colour = if self.comparison && value > 1.0 {
                SLOWER
            } else {
                FASTER
            };
            root.draw(&Rectangle::new(
                [
                    (left, middle - BAR_HEIGHT / 2),
                    (x(value), middle + BAR_HEIGHT / 2),
                ],
                colour.filled(),
            ))?;
            let mut text_x = x(value);
            if let Some((low, high)) = whisker {
                let (low, high) = (x(low), x(high));
                root.draw(&PathElement::new(
                    [
                        (low, middle - 4),
                        (low, middle + 4),
                        (low, middle),
                        (high, middle),
                        (high, middle - 4),
                        (high, middle + 4),
                    ],
                    INK,
                ))?;
                text_x = text_x.max(high);
            }
            root.draw(&Text::new(
                row.text.as_str(),
                (text_x + 5, middle),
                style.clone(),
            ))?;
        }

        if self.comparison {
            let one = x(1.0);
            root.draw(&DashedPathElement::new(
                [(one, TOP - 6), (one, bottom)],
                5,
                3,
                REFERENCE.stroke_width(2),
            ))?;
            root.draw(&Text::new(
                "1.0",
                (one, TOP - 14),
                text(&BLACK, FontStyle::Bold, HPos::Center),
            ))?;
        }
        root.present()
    }

    /// The plot area and its horizontal axis, with grid lines and labels at
    /// the ticks.
    fn axes<'a>(
        &self,
        root: &DrawingArea<SVGBackend<'a>, Shift>,
        label_width: u32,
    ) -> Result<Plot<'a>, Failure> {
        let mut chart = ChartBuilder::on(root)
            .margin_top(TOP as u32)
            .margin_right(VALUE_SPACE)
            .margin_bottom(BOTTOM_MARGIN)
            .x_label_area_size(BOTTOM_SPACE - BOTTOM_MARGIN)
            .y_label_area_size(label_width)
            .build_cartesian_2d(self.axis, 0f64..self.rows.len() as f64)?;
        let ticks = self.axis.ticks();
        let tick_label = |value: &f64| {
            ticks
                .iter()
                .find(|(tick, _)| tick == value)
                .map_or_else(String::new, |(_, label)| label.clone())
        };
        let font = ("sans-serif", AXIS_TEXT_SIZE);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .x_label_formatter(&tick_label)
            .label_style(font)
            .x_desc(self.axis_title.as_str())
            .axis_desc_style(font)
            .draw()?;
        Ok(chart)
    }
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

/// The axis as plotters' coordinate: values go where [`Axis::fraction`]
/// says, the grid lines and labels are at [`Axis::ticks`].
impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, (start, end): (i32, i32)) -> i32 {
        start + (self.fraction(*value) * f64::from(end - start)).round() as i32
    }

    /// The ticks are bold key points; there are no light ones.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks().into_iter().map(|(value, _)| value).collect()
        }
    }

    fn range(&self) -> Range<f64> {
        match *self {
            Axis::Linear { end, .. } => 0.0..end,
            Axis::Log { low, high } => 10f64.powi(low)..10f64.powi(high),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::test_support::{comparison, labelled, single};

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
    fn the_axis_places_values_for_plotters() {
        let linear = Axis::Linear {
            end: 2.0,
            step: 0.5,
        };
        assert_eq!(linear.map(&0.5, (100, 620)), 230);
        assert_eq!(linear.map(&3.0, (100, 620)), 620);
        assert_eq!(linear.range(), 0.0..2.0);
        let log = Axis::Log { low: -1, high: 3 };
        assert_eq!(log.map(&10.0, (0, 400)), 200);
        assert_eq!(log.range(), 0.1..1000.0);
    }

    /// The texts of a chart, in order.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text ")
            .skip(1)
            .map(|t| {
                t.split_once('>')
                    .unwrap()
                    .1
                    .split('<')
                    .next()
                    .unwrap()
                    .trim()
            })
            .collect()
    }

    #[test]
    fn comparison_chart_has_ratio_bars_a_one_line_and_the_geomean() {
        let svg = write(&comparison());
        assert!(svg.starts_with("<svg "), "{svg}");
        let texts = texts(&svg);
        assert_eq!(
            texts[0],
            "new / old: ratio of median runtimes per benchmark"
        );
        for text in ["Sieve", "0.500", "Towers", "2.000", "geometric mean", "1.0"] {
            assert!(texts.contains(&text), "{text} in {texts:?}");
        }
        assert!(svg.contains("fill=\"#4C78A8\"") && svg.contains("fill=\"#E45756\""));
        assert!(svg.contains("stroke=\"#222222\""), "the dashed line at 1.0");
        assert!(svg.contains("font-weight=\"bold\""));
    }

    #[test]
    fn single_chart_has_medians_whiskers_and_failures() {
        let svg = write(&single());
        let texts = texts(&svg);
        assert_eq!(texts[0], "Median runtime per iteration on yerba");
        assert!(texts.contains(&"2.50 ms") && texts.contains(&"failed"));
        assert!(svg.contains("font-style=\"italic\""));
        assert!(!svg.contains("#222222"));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = write(&labelled());
        let title =
            "new &lt;&amp;&gt; / stable, &quot;old&quot;: ratio of median runtimes per benchmark";
        assert_eq!(texts(&svg)[0], title);
    }
}
