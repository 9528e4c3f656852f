//! The JSON file: the plan, per benchmark and VM the summary and all samples,
//! and in comparison mode the ratios and their geometric mean.
//!
//! ```json
//! { "mode": "comparison", "iterations": 10, "runs": 3, "warmup": 3,
//!   "vms": [{"label": "A", "command": "..."}, ...],
//!   "benchmarks": [{"name": "Sieve", "group": "awfy", "inner": 100, "ratio": 0.93,
//!                   "results": [{"vm": "A", "verified": true, "error": null,
//!                                "median_ms": 1.2, "min_ms": 1.1, "max_ms": 1.5, "steady_samples": 21,
//!                                "samples": [{"run": 1, "iteration": 1, "runtime_us": 1800, "warmup": true}, ...]}]}],
//!   "geomean_ratio": 0.95 }
//! ```

use crate::measure::{BenchResult, Results, Sample, VmResult};
use crate::vm::Vm;

/// A JSON value; objects keep the order of their members.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn object<const N: usize>(members: [(&str, Json); N]) -> Json {
        Json::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    fn str(text: &str) -> Json {
        Json::Str(text.to_string())
    }

    fn opt(value: Option<f64>) -> Json {
        value.map_or(Json::Null, Json::Float)
    }

    /// Compact text: no spaces, no line breaks.
    pub fn compact(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None, 0);
        out
    }

    /// Indented text; arrays and objects that fit on a short line stay on one.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(2), 0);
        out.push('\n');
        out
    }

    fn write(&self, out: &mut String, indent: Option<usize>, depth: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(n) => out.push_str(&n.to_string()),
            // JSON has no NaN or infinities.
            Json::Float(x) if !x.is_finite() => out.push_str("null"),
            Json::Float(x) => out.push_str(&format!("{x:?}")),
            Json::Str(s) => escape_into(s, out),
            Json::Array(items) => {
                let parts: Vec<&Json> = items.iter().collect();
                Self::write_seq(
                    out,
                    indent,
                    depth,
                    ('[', ']'),
                    &parts,
                    |item, out, depth| item.write(out, indent, depth),
                );
            }
            Json::Object(members) => {
                let parts: Vec<&(String, Json)> = members.iter().collect();
                Self::write_seq(
                    out,
                    indent,
                    depth,
                    ('{', '}'),
                    &parts,
                    |(key, value), out, depth| {
                        escape_into(key, out);
                        out.push_str(if indent.is_some() { ": " } else { ":" });
                        value.write(out, indent, depth);
                    },
                );
            }
        }
    }

    fn write_seq<T>(
        out: &mut String,
        indent: Option<usize>,
        depth: usize,
        (open, close): (char, char),
        items: &[T],
        write_item: impl Fn(&T, &mut String, usize),
    ) {
        let one_line = |out: &mut String, separator: &str| {
            out.push(open);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                write_item(item, out, depth);
            }
            out.push(close);
        };
        let Some(step) = indent else {
            return one_line(out, ",");
        };
        let mut short = String::new();
        one_line(&mut short, ", ");
        if items.is_empty() || (short.len() <= 100 && !short[1..].contains(['{', '['])) {
            out.push_str(&short);
            return;
        }
        out.push(open);
        for (i, item) in items.iter().enumerate() {
            out.push_str(if i > 0 { ",\n" } else { "\n" });
            out.push_str(&" ".repeat(step * (depth + 1)));
            write_item(item, out, depth + 1);
        }
        out.push('\n');
        out.push_str(&" ".repeat(step * depth));
        out.push(close);
    }
}

/// Writes `text` as a JSON string literal.
fn escape_into(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The results as a JSON document.
pub fn to_json(results: &Results) -> Json {
    let plan = &results.plan;
    let mode = if plan.smoke {
        "smoke"
    } else if plan.is_comparison() {
        "comparison"
    } else {
        "single"
    };
    let mut members = vec![
        ("mode".to_string(), Json::str(mode)),
        ("iterations".to_string(), Json::Int(plan.iterations.into())),
        ("runs".to_string(), Json::Int(plan.runs.into())),
        ("warmup".to_string(), Json::Int(plan.warmup.into())),
        (
            "vms".to_string(),
            Json::Array(plan.vms.iter().map(vm).collect()),
        ),
        (
            "benchmarks".to_string(),
            Json::Array(
                results
                    .benchmarks
                    .iter()
                    .map(|b| benchmark(&plan.vms, b, plan.is_comparison()))
                    .collect(),
            ),
        ),
    ];
    if plan.is_comparison() {
        members.push((
            "geomean_ratio".to_string(),
            Json::opt(results.geomean_ratio().map(|(g, _)| g)),
        ));
    }
    Json::Object(members)
}

pub fn write(results: &Results) -> String {
    to_json(results).pretty()
}

fn vm(vm: &Vm) -> Json {
    Json::object([
        ("label", Json::str(&vm.label)),
        ("command", Json::str(&vm.command_line())),
    ])
}

fn benchmark(vms: &[Vm], bench: &BenchResult, comparison: bool) -> Json {
    let mut members = vec![
        ("name".to_string(), Json::str(bench.name())),
        (
            "group".to_string(),
            Json::str(bench.job.benchmark.group.name()),
        ),
        ("inner".to_string(), Json::Int(bench.job.inner.into())),
    ];
    if comparison {
        members.push(("ratio".to_string(), Json::opt(bench.ratio())));
    }
    let results = vms
        .iter()
        .zip(&bench.per_vm)
        .map(|(vm, r)| vm_result(vm, r));
    members.push(("results".to_string(), Json::Array(results.collect())));
    Json::Object(members)
}

fn vm_result(vm: &Vm, result: &VmResult) -> Json {
    let summary = result.summary();
    Json::object([
        ("vm", Json::str(&vm.label)),
        ("verified", Json::Bool(result.verified())),
        (
            "error",
            result.failure.as_deref().map_or(Json::Null, Json::str),
        ),
        ("median_ms", Json::opt(summary.map(|s| s.median_ms))),
        ("min_ms", Json::opt(summary.map(|s| s.min_ms))),
        ("max_ms", Json::opt(summary.map(|s| s.max_ms))),
        (
            "steady_samples",
            Json::Int(summary.map_or(0, |s| s.count as i64)),
        ),
        (
            "samples",
            Json::Array(result.samples.iter().map(sample).collect()),
        ),
    ])
}

fn sample(s: &Sample) -> Json {
    Json::object([
        ("run", Json::Int(s.run.into())),
        ("iteration", Json::Int(s.iteration.into())),
        ("runtime_us", Json::Int(s.micros as i64)),
        ("warmup", Json::Bool(s.warmup)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::test_support::{comparison, single};

    #[test]
    fn strings_are_escaped() {
        assert_eq!(
            Json::str("a\"b\\c\nd\u{1}é").compact(),
            r#""a\"b\\c\nd\u0001é""#
        );
    }

    #[test]
    fn numbers_and_non_finite_floats() {
        assert_eq!(Json::Float(2.5).compact(), "2.5");
        assert_eq!(Json::Float(2.0).compact(), "2.0");
        assert_eq!(Json::Float(f64::NAN).compact(), "null");
        assert_eq!(Json::Int(-3).compact(), "-3");
    }

    #[test]
    fn compact_and_pretty_forms() {
        let value = Json::object([
            ("a", Json::Array(vec![Json::Int(1), Json::Int(2)])),
            ("b", Json::object([("c", Json::Null)])),
            ("e", Json::Array(vec![])),
        ]);
        assert_eq!(value.compact(), r#"{"a":[1,2],"b":{"c":null},"e":[]}"#);
        assert_eq!(
            value.pretty(),
            "{\n  \"a\": [1, 2],\n  \"b\": {\"c\": null},\n  \"e\": []\n}\n"
        );
    }

    #[test]
    fn single_mode_document() {
        let text = write(&single()).replace([' ', '\n'], "");
        assert!(text.starts_with(r#"{"mode":"single","iterations":3,"runs":1,"warmup":1,"vms":[{"label":"yerba","command":"/opt/yerba/yerba"}]"#), "{text}");
        assert!(text.contains(r#""name":"Sieve","group":"awfy","inner":100,"results":[{"vm":"yerba","verified":true,"error":null,"median_ms":2.5,"min_ms":2.0,"max_ms":3.0,"steady_samples":2,"samples":[{"run":1,"iteration":1,"runtime_us":9000,"warmup":true},"#), "{text}");
        assert!(text.contains(r#""verified":false,"error":"exitstatus1\n---stdout(lastlines)---\nERROR:wrong","median_ms":null"#), "{text}");
        assert!(!text.contains("geomean_ratio"));
    }

    #[test]
    fn comparison_mode_document_has_ratios_and_the_geomean() {
        let text = write(&comparison()).replace([' ', '\n'], "");
        assert!(
            text.contains(r#""name":"Sieve","group":"awfy","inner":100,"ratio":0.5,"#),
            "{text}"
        );
        assert!(text.ends_with(r#""geomean_ratio":1.0}"#), "{text}");
    }
}
