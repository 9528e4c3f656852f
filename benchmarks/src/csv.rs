//! The CSV file: one table in long form, whose `record` column tells the rows
//! apart:
//!
//! - `sample`: one iteration (`run`, `iteration`, `runtime_us`, `warmup`);
//! - `summary`: one benchmark on one VM (`verified`, `median_ms`, `min_ms`,
//!   `max_ms`, `samples` = steady-state sample count);
//! - `ratio`: B/A of one benchmark (comparison mode; `vm` is `B/A`);
//! - `geomean`: the geometric mean of the ratios (comparison mode).

use crate::measure::Results;

const HEADER: &[&str] = &[
    "record",
    "benchmark",
    "group",
    "inner",
    "vm",
    "run",
    "iteration",
    "runtime_us",
    "warmup",
    "verified",
    "median_ms",
    "min_ms",
    "max_ms",
    "samples",
    "ratio",
];

/// A row under construction: named cells, the others empty.
struct Row(Vec<String>);

impl Row {
    fn new(record: &str) -> Row {
        let mut cells = vec![String::new(); HEADER.len()];
        cells[0] = record.to_string();
        Row(cells)
    }

    fn set(mut self, column: &str, value: impl ToString) -> Row {
        let at = HEADER
            .iter()
            .position(|c| *c == column)
            .expect("a CSV column of HEADER");
        self.0[at] = value.to_string();
        self
    }

    fn line(&self) -> String {
        let cells: Vec<String> = self.0.iter().map(|c| escape(c)).collect();
        cells.join(",") + "\n"
    }
}

/// Quotes a field when it holds a comma, a quote or a line break.
pub fn escape(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

pub fn write(results: &Results) -> String {
    let plan = &results.plan;
    let mut out = HEADER.join(",") + "\n";
    for bench in &results.benchmarks {
        let base = |record: &str| {
            Row::new(record)
                .set("benchmark", bench.name())
                .set("group", bench.job.benchmark.group.name())
                .set("inner", bench.job.inner)
        };
        for (vm, result) in plan.vms.iter().zip(&bench.per_vm) {
            for s in &result.samples {
                let row = base("sample")
                    .set("vm", &vm.label)
                    .set("run", s.run)
                    .set("iteration", s.iteration)
                    .set("runtime_us", s.micros)
                    .set("warmup", s.warmup);
                out.push_str(&row.line());
            }
            let mut row = base("summary")
                .set("vm", &vm.label)
                .set("verified", result.verified());
            if let Some(s) = result.summary() {
                row = row
                    .set("median_ms", s.median_ms)
                    .set("min_ms", s.min_ms)
                    .set("max_ms", s.max_ms)
                    .set("samples", s.count);
            }
            out.push_str(&row.line());
        }
        if let Some(ratio) = bench.ratio() {
            let label = format!("{}/{}", plan.vms[1].label, plan.vms[0].label);
            out.push_str(&base("ratio").set("vm", label).set("ratio", ratio).line());
        }
    }
    if let Some((geomean, count)) = results.geomean_ratio() {
        let label = format!("{}/{}", plan.vms[1].label, plan.vms[0].label);
        let row = Row::new("geomean")
            .set("vm", label)
            .set("samples", count)
            .set("ratio", geomean);
        out.push_str(&row.line());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::test_support::{comparison, single};

    #[test]
    fn escapes_only_when_needed() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a,b"), "\"a,b\"");
        assert_eq!(escape("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn single_mode_has_samples_and_summaries() {
        let text = write(&single());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], HEADER.join(","));
        assert_eq!(lines[1], "sample,Sieve,awfy,100,yerba,1,1,9000,true,,,,,,");
        assert_eq!(lines[3], "sample,Sieve,awfy,100,yerba,1,3,3000,false,,,,,,");
        assert_eq!(lines[4], "summary,Sieve,awfy,100,yerba,,,,,true,2.5,2,3,2,");
        assert_eq!(lines[5], "summary,List,awfy,50,yerba,,,,,false,,,,,");
        assert_eq!(lines.len(), 6);
        assert!(lines.iter().all(|l| l.split(',').count() == HEADER.len()));
    }

    #[test]
    fn comparison_mode_adds_ratios_and_the_geomean() {
        let text = write(&comparison());
        assert!(
            text.contains("\nratio,Sieve,awfy,100,new/old,,,,,,,,,,0.5\n"),
            "{text}"
        );
        assert!(
            text.contains("\nratio,Towers,awfy,20,new/old,,,,,,,,,,2\n"),
            "{text}"
        );
        assert!(text.ends_with("geomean,,,,new/old,,,,,,,,,2,1\n"), "{text}");
    }
}
