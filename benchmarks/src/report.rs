//! The report printed at the end: a table of the results, the failures with
//! their output tails, and a closing verdict.

use crate::measure::{BenchResult, Results};

const CHECK: &str = "✓";
const CROSS: &str = "✗";

/// The whole report.
pub fn render(results: &Results) -> String {
    let mut out = table(results);
    out.push_str(&footer(results));
    out
}

fn table(results: &Results) -> String {
    let plan = &results.plan;
    let mut header: Vec<String> = vec!["Benchmark".into(), "Inner".into()];
    if plan.smoke {
        header.extend(plan.vms.iter().map(|vm| vm.label.clone()));
    } else if plan.is_comparison() {
        let (a, b) = (&plan.vms[0].label, &plan.vms[1].label);
        header.extend([
            format!("{a} median ms"),
            format!("{b} median ms"),
            format!("{b}/{a}"),
            "Verified".into(),
        ]);
    } else {
        header.extend(["Median ms", "Min ms", "Max ms", "Samples", "Verified"].map(String::from));
    }
    let rows: Vec<Vec<String>> = results.benchmarks.iter().map(|b| row(results, b)).collect();
    let mut out = format_table(&header, &rows, 1, true);
    if let (true, Some((geomean, count))) =
        (plan.is_comparison() && !plan.smoke, results.geomean_ratio())
    {
        out.push_str(&format!(
            "\nGeometric mean of {}/{} over {count} benchmark{}: {geomean:.3}\n",
            plan.vms[1].label,
            plan.vms[0].label,
            plural(count)
        ));
    }
    out
}

fn row(results: &Results, bench: &BenchResult) -> Vec<String> {
    let plan = &results.plan;
    let mut cells = vec![bench.name().to_string(), bench.job.inner.to_string()];
    let marks = || {
        bench
            .per_vm
            .iter()
            .map(|r| if r.verified() { CHECK } else { CROSS })
            .collect::<Vec<_>>()
            .join(" ")
    };
    if plan.smoke {
        cells.extend(
            bench
                .per_vm
                .iter()
                .map(|r| if r.verified() { CHECK } else { CROSS }.to_string()),
        );
    } else if plan.is_comparison() {
        for result in &bench.per_vm {
            cells.push(match result.summary() {
                Some(s) => format!("{:.3}", s.median_ms),
                None => "failed".into(),
            });
        }
        cells.push(bench.ratio().map_or("-".into(), |r| format!("{r:.3}")));
        cells.push(marks());
    } else {
        match bench.per_vm[0].summary() {
            Some(s) => cells.extend([
                format!("{:.3}", s.median_ms),
                format!("{:.3}", s.min_ms),
                format!("{:.3}", s.max_ms),
                s.count.to_string(),
            ]),
            None => cells.extend(["failed", "-", "-", "-"].map(String::from)),
        }
        cells.push(marks());
    }
    cells
}

/// Left-aligns the first `left_columns` columns (names) and right-aligns the
/// others (numbers), except the last when it holds check marks.
pub(crate) fn format_table(
    header: &[String],
    rows: &[Vec<String>],
    left_columns: usize,
    marks_last: bool,
) -> String {
    let width = |col: usize| {
        std::iter::once(header)
            .chain(rows.iter().map(Vec::as_slice))
            .filter_map(|r| r.get(col))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let last = header.len() - 1;
    let mut out = String::new();
    for cells in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let line: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(col, cell)| {
                let w = widths[col];
                if col < left_columns || (marks_last && col == last) {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn footer(results: &Results) -> String {
    let plan = &results.plan;
    let mut out = String::new();
    if !plan.smoke {
        out.push_str(&format!(
            "\nSteady state: {} run{} x {} iteration{} per benchmark and VM, the first {} of each run discarded as warm-up.\n",
            plan.runs,
            plural(plan.runs as usize),
            plan.iterations,
            plural(plan.iterations as usize),
            plan.warmup
        ));
    }
    let mut failed = Vec::new();
    for bench in &results.benchmarks {
        for (vm, result) in plan.vms.iter().zip(&bench.per_vm) {
            if let Some(failure) = &result.failure {
                failed.push(bench.name());
                out.push_str(&format!("\n{} on {} FAILED: ", bench.name(), vm.label));
                for line in failure.trim_end().lines() {
                    out.push_str(&format!("{line}\n    "));
                }
                out.truncate(out.trim_end().len());
                out.push('\n');
            }
        }
    }
    failed.dedup();
    let total = results.benchmarks.len();
    out.push('\n');
    if failed.is_empty() {
        out.push_str(&format!(
            "All {total} benchmark{} verified.\n",
            plural(total)
        ));
    } else {
        out.push_str(&format!(
            "{} of {total} benchmark{} failed: {}\n",
            failed.len(),
            plural(total),
            failed.join(", ")
        ));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::test_support::{comparison, single};

    #[test]
    fn single_mode_shows_median_min_max_and_a_check_mark() {
        let text = render(&single());
        let sieve = text.lines().find(|l| l.starts_with("Sieve")).unwrap();
        assert_eq!(
            sieve.split_whitespace().collect::<Vec<_>>(),
            ["Sieve", "100", "2.500", "2.000", "3.000", "2", CHECK]
        );
        assert!(
            text.contains("List on yerba FAILED: exit status 1"),
            "{text}"
        );
        assert!(text.contains("    ERROR: wrong"), "{text}");
        assert!(text.contains("1 of 2 benchmarks failed: List"), "{text}");
    }

    #[test]
    fn comparison_mode_shows_both_medians_the_ratio_and_the_geomean() {
        let text = render(&comparison());
        let header = text.lines().next().unwrap();
        assert!(
            header.contains("old median ms") && header.contains("new/old"),
            "{header}"
        );
        let sieve = text.lines().find(|l| l.starts_with("Sieve")).unwrap();
        assert_eq!(
            sieve.split_whitespace().collect::<Vec<_>>(),
            ["Sieve", "100", "2.000", "1.000", "0.500", CHECK, CHECK]
        );
        assert!(
            text.contains("Geometric mean of new/old over 2 benchmarks: 1.000"),
            "{text}"
        );
        assert!(text.contains("All 2 benchmarks verified."), "{text}");
    }

    #[test]
    fn numeric_columns_are_right_aligned() {
        let text = render(&comparison());
        let end_of = |line: &str, cell: &str| {
            line.rfind(cell)
                .map(|at| line[..at + cell.len()].chars().count())
        };
        let header = text.lines().next().unwrap();
        let sieve = text.lines().find(|l| l.starts_with("Sieve")).unwrap();
        let towers = text.lines().find(|l| l.starts_with("Towers")).unwrap();
        assert_eq!(end_of(header, "new/old"), end_of(sieve, "0.500"));
        assert_eq!(end_of(header, "new/old"), end_of(towers, "2.000"));
    }
}
