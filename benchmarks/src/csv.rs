//! The CSV file (`--csv`): one table in long form, written by the csv crate.
//!
//! # Format
//!
//! A header line, then one line per record, comma-separated, a field quoted
//! (`"`, doubled inside) only when it holds a comma, a quote or a line break.
//! The columns, in this order, are the fields of [`Row`]: `record`,
//! `benchmark`, `group`, `inner`, `vm`, `run`, `iteration`, `runtime_us`,
//! `warmup`, `verified`, `median_ms`, `min_ms`, `max_ms`, `samples`, `ratio`.
//! The `record` column tells the rows apart; a row fills only its own cells:
//!
//! - `sample`: one iteration (`run`, `iteration`, `runtime_us`, `warmup`);
//! - `summary`: one benchmark on one VM (`verified`, and when it verified
//!   `median_ms`, `min_ms`, `max_ms` and `samples` = steady-state sample count);
//! - `ratio`: B/A of one benchmark (comparison mode; `vm` is `B/A`);
//! - `geomean`: the geometric mean of the ratios (comparison mode; `vm` is
//!   `B/A`, `samples` the number of ratios, the other benchmark cells empty).
//!
//! Booleans are `true`/`false`; integers have no fraction; the `_ms` figures
//! and ratios are floats written with a fraction (`2.0`, `0.5`).

use crate::measure::{BenchResult, Results};
use serde::Serialize;

/// One line of the file; `None` is an empty cell.
#[derive(Serialize, Default)]
struct Row<'a> {
    record: &'static str,
    benchmark: Option<&'static str>,
    group: Option<&'static str>,
    inner: Option<u32>,
    vm: Option<&'a str>,
    run: Option<u32>,
    iteration: Option<u32>,
    runtime_us: Option<u64>,
    warmup: Option<bool>,
    verified: Option<bool>,
    median_ms: Option<f64>,
    min_ms: Option<f64>,
    max_ms: Option<f64>,
    samples: Option<usize>,
    ratio: Option<f64>,
}

impl Row<'_> {
    /// A row of `record` about `bench`, its other cells empty.
    fn of(record: &'static str, bench: &BenchResult) -> Row<'static> {
        Row {
            record,
            benchmark: Some(bench.name()),
            group: Some(bench.job.benchmark.group.name()),
            inner: Some(bench.job.inner),
            ..Row::default()
        }
    }
}

pub fn write(results: &Results) -> String {
    let plan = &results.plan;
    let ratio_label = plan
        .is_comparison()
        .then(|| format!("{}/{}", plan.vms[1].label, plan.vms[0].label));
    let mut rows: Vec<Row> = Vec::new();
    for bench in &results.benchmarks {
        for (vm, result) in plan.vms.iter().zip(&bench.per_vm) {
            let vm = Some(vm.label.as_str());
            rows.extend(result.samples.iter().map(|s| Row {
                vm,
                run: Some(s.run),
                iteration: Some(s.iteration),
                runtime_us: Some(s.micros),
                warmup: Some(s.warmup),
                ..Row::of("sample", bench)
            }));
            let summary = result.summary();
            rows.push(Row {
                vm,
                verified: Some(result.verified()),
                median_ms: summary.map(|s| s.median_ms),
                min_ms: summary.map(|s| s.min_ms),
                max_ms: summary.map(|s| s.max_ms),
                samples: summary.map(|s| s.count),
                ..Row::of("summary", bench)
            });
        }
        if let Some(ratio) = bench.ratio() {
            rows.push(Row {
                vm: ratio_label.as_deref(),
                ratio: Some(ratio),
                ..Row::of("ratio", bench)
            });
        }
    }
    if let Some((geomean, count)) = results.geomean_ratio() {
        rows.push(Row {
            record: "geomean",
            vm: ratio_label.as_deref(),
            samples: Some(count),
            ratio: Some(geomean),
            ..Row::default()
        });
    }
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    // Flat rows of plain cells into memory: the csv crate cannot fail on them.
    for row in &rows {
        writer.serialize(row).expect("a row serialises as CSV");
    }
    let bytes = writer.into_inner().expect("CSV written to memory");
    String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::test_support::{comparison, labelled, single};

    const HEADER: &str = "record,benchmark,group,inner,vm,run,iteration,runtime_us,warmup,verified,median_ms,min_ms,max_ms,samples,ratio";

    #[test]
    fn single_mode_has_samples_and_summaries() {
        let text = write(&single());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], HEADER);
        assert_eq!(lines[1], "sample,Sieve,awfy,100,yerba,1,1,9000,true,,,,,,");
        assert_eq!(lines[3], "sample,Sieve,awfy,100,yerba,1,3,3000,false,,,,,,");
        assert_eq!(
            lines[4],
            "summary,Sieve,awfy,100,yerba,,,,,true,2.5,2.0,3.0,2,"
        );
        assert_eq!(lines[5], "summary,List,awfy,50,yerba,,,,,false,,,,,");
        assert_eq!(lines.len(), 6);
        assert!(lines.iter().all(|l| l.split(',').count() == 15));
    }

    #[test]
    fn comparison_mode_adds_ratios_and_the_geomean() {
        let text = write(&comparison());
        assert!(
            text.contains("\nratio,Sieve,awfy,100,new/old,,,,,,,,,,0.5\n"),
            "{text}"
        );
        assert!(
            text.contains("\nratio,Towers,awfy,20,new/old,,,,,,,,,,2.0\n"),
            "{text}"
        );
        assert!(
            text.ends_with("geomean,,,,new/old,,,,,,,,,2,1.0\n"),
            "{text}"
        );
    }

    #[test]
    fn labels_are_quoted_only_when_needed() {
        let text = write(&labelled());
        assert!(
            text.contains("\nsample,Bounce,awfy,50,\"stable, \"\"old\"\"\",1,1,100000,true,"),
            "{text}"
        );
        assert!(
            text.contains("\nsample,Bounce,awfy,50,new <&>,1,1,80000,true,"),
            "{text}"
        );
    }
}
