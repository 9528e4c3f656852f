//! The runner's outputs on fixed result sets (`fixtures/`) against the files
//! in `expected/`, which the hand-written writers of commit "Benchmarks: the
//! outputs on fixed result sets" produced before the runner moved to
//! serde_json, csv and plotters. They compare what a reader of each format
//! sees, not the bytes where a crate lays the bytes out otherwise:
//!
//! - the table (stdout): the same text;
//! - CSV: the same rows and cells, numbers compared as numbers (`2` = `2.0`);
//! - JSON: the same document (members, their order aside; numbers stay
//!   integers or floats);
//! - SVG: the same texts (title, labels, values, ticks, axis title), the same
//!   bars (colour, length relative to the longest), whiskers and line at 1.0
//!   (the hand-written chart drew whiskers as paths and the line at 1.0 with
//!   a dash array; plotters draws polylines, in the colours of the writer).

use benchmarks::{csv as csv_file, json, measure, pairs, report, suite, svg, vm};
use std::path::PathBuf;

mod fixtures;

use measure::Results;

fn expected(name: &str, extension: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(format!("{name}.{extension}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

type Fixture = fn() -> Results;

const FIXTURES: [(&str, Fixture); 6] = [
    ("single", fixtures::single),
    ("comparison", fixtures::comparison),
    ("pairs", fixtures::pairs),
    ("spread", fixtures::spread),
    ("labelled", fixtures::labelled),
    ("smoke", fixtures::smoke),
];

#[test]
fn the_table_is_unchanged() {
    for (name, results) in FIXTURES {
        let results = results();
        let table = report::render(&results) + &pairs::render(&results);
        assert_eq!(table, expected(name, "txt"), "{name}");
    }
}

#[test]
fn the_csv_has_the_same_cells() {
    for (name, results) in FIXTURES {
        let actual = csv_cells(&csv_file::write(&results()));
        let wanted = csv_cells(&expected(name, "csv"));
        assert_eq!(actual.len(), wanted.len(), "{name}: rows");
        for (row, (a, w)) in actual.iter().zip(&wanted).enumerate() {
            assert_eq!(a.len(), w.len(), "{name} row {row}: {a:?} / {w:?}");
            for (a_cell, w_cell) in a.iter().zip(w) {
                let same = a_cell == w_cell
                    || matches!((a_cell.parse::<f64>(), w_cell.parse::<f64>()), (Ok(x), Ok(y)) if x == y);
                assert!(same, "{name} row {row}: {a:?} / {w:?}");
            }
        }
    }
}

fn csv_cells(text: &str) -> Vec<Vec<String>> {
    assert!(text.ends_with('\n'));
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_json_is_the_same_document() {
    for (name, results) in FIXTURES {
        let text = json::write(&results());
        assert!(text.ends_with("}\n"), "{name}");
        let actual: serde_json::Value = serde_json::from_str(&text).unwrap();
        let wanted: serde_json::Value = serde_json::from_str(&expected(name, "json")).unwrap();
        assert_eq!(actual, wanted, "{name}");
    }
}

#[test]
fn the_chart_shows_the_same() {
    for (name, results) in FIXTURES {
        let text = svg::write(&results());
        assert!(text.starts_with("<svg"), "{name}");
        let actual = Chart::of(&text);
        let wanted = Chart::of(&expected(name, "svg"));
        assert!(
            actual.matches(&wanted),
            "{name}:\n{actual:#?}\nwanted\n{wanted:#?}"
        );
    }
}

/// What an SVG chart shows: x positions are relative to the start of the bars
/// and in units of the longest bar.
#[derive(Debug)]
struct Chart {
    /// Every `<text>`, sorted.
    texts: Vec<String>,
    /// Top to bottom: the fill colour and the end of each bar.
    bars: Vec<(String, f64)>,
    /// Top to bottom: the low and high end of each min-max whisker.
    whiskers: Vec<(f64, f64)>,
    /// Where the dashed line at 1.0 is, if there is one.
    reference: Option<f64>,
}

impl Chart {
    fn of(svg: &str) -> Chart {
        let elements = elements(svg);
        let mut texts: Vec<String> = elements
            .iter()
            .filter(|e| e.name == "text")
            .map(|e| unescape(e.content.trim()))
            .collect();
        texts.sort();
        let bars: Vec<(String, f64, f64)> = elements
            .iter()
            .filter(|e| e.name == "rect")
            .filter_map(|e| {
                let fill = e.attribute("fill")?.to_lowercase();
                ["#4c78a8", "#e45756"]
                    .contains(&fill.as_str())
                    .then(|| (fill, e.number("x"), e.number("width")))
            })
            .collect();
        let origin = bars.iter().map(|b| b.1).fold(f64::INFINITY, f64::min);
        let unit = bars.iter().map(|b| b.2).fold(0.0, f64::max);
        let at = |x: f64| (x - origin) / unit;
        let whiskers = elements
            .iter()
            .filter_map(|e| match e.name.as_str() {
                "path" => Some(path_xs(e.attribute("d")?)),
                "polyline" if e.attribute("stroke") == Some("#333333") => {
                    let xs = polyline_xs(e.attribute("points")?);
                    (xs.len() > 2).then_some(xs)
                }
                _ => None,
            })
            .map(|xs| {
                let low = xs.iter().copied().fold(f64::INFINITY, f64::min);
                let high = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (at(low), at(high))
            })
            .collect();
        let reference = elements
            .iter()
            .find_map(|e| match e.name.as_str() {
                "line" if e.attribute("stroke-dasharray").is_some() => Some(e.number("x1")),
                "polyline" if e.attribute("stroke") == Some("#222222") => {
                    Some(polyline_xs(e.attribute("points")?)[0])
                }
                _ => None,
            })
            .map(at);
        Chart {
            texts,
            bars: bars
                .into_iter()
                .map(|(fill, x, width)| (fill, at(x + width)))
                .collect(),
            whiskers,
            reference,
        }
    }

    /// The same texts, and positions within 1% of the longest bar.
    fn matches(&self, other: &Chart) -> bool {
        let near = |a: f64, b: f64| (a - b).abs() < 0.01;
        self.texts == other.texts
            && self.bars.len() == other.bars.len()
            && self
                .bars
                .iter()
                .zip(&other.bars)
                .all(|(a, b)| a.0 == b.0 && near(a.1, b.1))
            && self.whiskers.len() == other.whiskers.len()
            && self
                .whiskers
                .iter()
                .zip(&other.whiskers)
                .all(|(a, b)| near(a.0, b.0) && near(a.1, b.1))
            && match (self.reference, other.reference) {
                (Some(a), Some(b)) => near(a, b),
                (a, b) => a.is_none() && b.is_none(),
            }
    }
}

/// The x coordinates of the points of an SVG polyline.
fn polyline_xs(points: &str) -> Vec<f64> {
    points
        .split_whitespace()
        .map(|point| point.split(',').next().unwrap().parse().unwrap())
        .collect()
}

/// The x coordinates of the points of an SVG path of `M`, `L`, `H` and `V`
/// commands with absolute coordinates.
fn path_xs(d: &str) -> Vec<f64> {
    let mut xs = Vec::new();
    let mut rest = d.trim();
    while let Some(command) = rest.chars().next() {
        let end = rest[1..]
            .find(|c: char| c.is_ascii_alphabetic())
            .map_or(rest.len(), |at| at + 1);
        let numbers: Vec<f64> = rest[1..end]
            .split([',', ' '])
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        match command {
            'M' | 'L' => xs.extend(numbers.iter().step_by(2)),
            'H' => xs.extend(&numbers),
            'V' => {}
            other => panic!("path command {other} in {d}"),
        }
        rest = &rest[end..];
    }
    xs
}

/// One element of an SVG document: its name, attributes and the text up to
/// its first child or end.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    content: String,
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn number(&self, name: &str) -> f64 {
        let value = self
            .attribute(name)
            .unwrap_or_else(|| panic!("no {name} in {self:?}"));
        value.parse().unwrap()
    }
}

/// The start tags of a document, in order.
fn elements(svg: &str) -> Vec<Element> {
    let mut out = Vec::new();
    for piece in svg.split('<').skip(1) {
        if piece.starts_with(['/', '?', '!']) {
            continue;
        }
        let (tag, content) = piece.split_once('>').unwrap();
        let tag = tag.trim_end_matches('/');
        let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let mut attributes = Vec::new();
        let mut rest = &tag[name_end..];
        while let Some((name, after)) = rest.split_once("=\"") {
            let (value, after) = after.split_once('"').unwrap();
            attributes.push((name.trim().to_string(), unescape(value)));
            rest = after;
        }
        out.push(Element {
            name: tag[..name_end].to_string(),
            attributes,
            content: content.to_string(),
        });
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
