//! Pairs (`--pairs`): two benchmarks of the suite compared in one run, as the
//! ratio of their medians on each VM. This is how MOP.md section 6 wants the
//! metaobject protocol measured: an operation done plainly against the same
//! loop through a metaobject, a benchmark against itself traced, a mutable
//! list against a read-only one; and how issues 13 and 14 want the kernels
//! measured: a kernel written in Smalltalk (for the DoubleArray sums, once
//! with the scalar and once with the SIMD lowering) against the same kernel
//! done by a primitive ([`suite::PAIRS`]). With one VM the table also
//! gives the ratio of the minima: load on a shared machine only ever slows a
//! run down, so on a loaded machine that ratio is the steadier second figure.
//!
//! The runs of benchmarks that belong together alternate like the runs of two
//! VMs do (baseline, variant, baseline, ...), so that a drift of the machine
//! hits both halves of a pair alike: [`batches`] says which jobs run together.
//! This module does not run anything; [`crate::measure`] does.

use crate::measure::{BenchResult, Job, Results};
use crate::report;
use crate::stats;
use crate::suite::{self, Pair, Section};
use std::ops::Range;

/// The jobs whose runs alternate: maximal ranges of consecutive jobs in
/// which each job is paired with an earlier one of the range. The suite keeps
/// the halves of its pairs next to each other, so a selection in suite order
/// puts each pair (or each group of pairs sharing a baseline) in one range.
pub fn batches(jobs: &[Job]) -> Vec<Range<usize>> {
    let mut batches: Vec<Range<usize>> = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        let joins_previous = batches.last().is_some_and(|batch| {
            jobs[batch.clone()]
                .iter()
                .any(|earlier| paired(earlier.benchmark.name, job.benchmark.name))
        });
        match batches.last_mut() {
            Some(batch) if joins_previous => batch.end = index + 1,
            _ => batches.push(index..index + 1),
        }
    }
    batches
}

fn paired(a: &str, b: &str) -> bool {
    suite::PAIRS.iter().any(|pair| {
        (pair.baseline == a && pair.variant == b) || (pair.baseline == b && pair.variant == a)
    })
}

/// A pair whose halves were both run, with the medians of each VM.
#[derive(Debug, Clone, PartialEq)]
pub struct PairResult {
    pub pair: &'static Pair,
    /// Per VM of the plan: the baseline's and the variant's median in ms,
    /// when both verified.
    pub medians: Vec<Option<(f64, f64)>>,
    /// Per VM of the plan: the baseline's and the variant's minimum in ms.
    pub minima: Vec<Option<(f64, f64)>>,
}

impl PairResult {
    /// variant / baseline of the medians on the VM numbered `vm`.
    pub fn ratio(&self, vm: usize) -> Option<f64> {
        quotient(self.medians.get(vm).copied().flatten()?)
    }

    /// variant / baseline of the minima on the VM numbered `vm`.
    pub fn min_ratio(&self, vm: usize) -> Option<f64> {
        quotient(self.minima.get(vm).copied().flatten()?)
    }
}

fn quotient((baseline, variant): (f64, f64)) -> Option<f64> {
    (baseline > 0.0).then(|| variant / baseline)
}

/// The pairs of the suite whose halves are both in the results, in suite order.
pub fn pair_results(results: &Results) -> Vec<PairResult> {
    let find = |name: &str| results.benchmarks.iter().find(|b| b.name() == name);
    suite::PAIRS
        .iter()
        .filter_map(|pair| {
            let (baseline, variant) = (find(pair.baseline)?, find(pair.variant)?);
            Some(PairResult {
                pair,
                medians: per_vm(baseline, variant, |s| s.median_ms),
                minima: per_vm(baseline, variant, |s| s.min_ms),
            })
        })
        .collect()
}

/// One statistic of the baseline and of the variant, per VM.
fn per_vm(
    baseline: &BenchResult,
    variant: &BenchResult,
    statistic: fn(&stats::Summary) -> f64,
) -> Vec<Option<(f64, f64)>> {
    baseline
        .per_vm
        .iter()
        .zip(&variant.per_vm)
        .map(|(b, v)| Some((statistic(&b.summary()?), statistic(&v.summary()?))))
        .collect()
}

/// The geometric mean of the ratios of one section on one VM, and how many
/// pairs it covers.
pub fn geomean(pairs: &[PairResult], section: Section, vm: usize) -> Option<(f64, usize)> {
    let ratios: Vec<f64> = pairs
        .iter()
        .filter(|p| p.pair.section == section)
        .filter_map(|p| p.ratio(vm))
        .collect();
    stats::geomean(&ratios).map(|g| (g, ratios.len()))
}

/// The table of pairs printed after the report: with one VM the two medians,
/// their ratio and the ratio of the minima, with two the ratio of the medians
/// on each; then the geometric means (of the medians' ratios) of the sections
/// that have one. Empty when no pair was run.
pub fn render(results: &Results) -> String {
    let pairs = pair_results(results);
    if pairs.is_empty() || results.plan.smoke {
        return String::new();
    }
    let vms = &results.plan.vms;
    let mut header: Vec<String> = ["Pair", "Baseline", "Variant"].map(String::from).to_vec();
    if vms.len() == 1 {
        header.extend(
            [
                "Baseline ms",
                "Variant ms",
                "Variant/Baseline",
                "Of the minima",
            ]
            .map(String::from),
        );
    } else {
        header.extend(vms.iter().map(|vm| format!("{} ratio", vm.label)));
    }
    let shown = |r: Option<f64>| r.map_or("-".into(), |r| format!("{r:.3}"));
    let ratio = |p: &PairResult, vm: usize| shown(p.ratio(vm));
    let rows: Vec<Vec<String>> = pairs
        .iter()
        .map(|p| {
            let mut cells = vec![
                format!("{}: {}", p.pair.section.name(), p.pair.label),
                p.pair.baseline.to_string(),
                p.pair.variant.to_string(),
            ];
            if vms.len() == 1 {
                match p.medians[0] {
                    Some((b, v)) => cells.extend([format!("{b:.3}"), format!("{v:.3}")]),
                    None => cells.extend(["failed", "failed"].map(String::from)),
                }
                cells.push(ratio(p, 0));
                cells.push(shown(p.min_ratio(0)));
            } else {
                cells.extend((0..vms.len()).map(|vm| ratio(p, vm)));
            }
            cells
        })
        .collect();
    let mut out = String::from(
        "\nPairs: the ratio of the variant's median to the baseline's (and of their minima)\n\n",
    );
    out.push_str(&report::format_table(&header, &rows, 3, false));
    for section in Section::ALL.into_iter().filter(|s| s.has_geomean()) {
        for (vm_index, vm) in vms.iter().enumerate() {
            if let Some((g, count)) = geomean(&pairs, section, vm_index) {
                out.push_str(&format!(
                    "\nGeometric mean of the {} ratios on {} over {count} pair{}: {g:.3}",
                    section.name(),
                    vm.label,
                    if count == 1 { "" } else { "s" }
                ));
            }
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{test_support, Sample, VmResult};

    fn jobs(names: &[&str]) -> Vec<Job> {
        names
            .iter()
            .map(|name| {
                let benchmark = suite::find(name).unwrap();
                Job {
                    benchmark,
                    inner: benchmark.inner,
                }
            })
            .collect()
    }

    #[test]
    fn batches_join_consecutive_paired_jobs() {
        let j = jobs(&[
            "Sieve",
            "MopFieldReadPlain",
            "MopFieldReadReflective",
            "MopFieldWritePlain",
            "MopSitePlain",
            "MopSiteSingle",
            "MopSiteMonomorphic",
            "MopSiteMegamorphic",
            "MopReadOnlyReflective",
            "MopReadOnlyProxy",
        ]);
        assert_eq!(batches(&j), vec![0..1, 1..3, 3..4, 4..8, 8..10]);
        assert_eq!(batches(&[]), Vec::<Range<usize>>::new());
    }

    #[test]
    fn every_pair_of_the_mop_group_is_one_batch() {
        let all: Vec<&str> = suite::group(suite::Group::Mop).map(|b| b.name).collect();
        let j = jobs(&all);
        let batches = batches(&j);
        for pair in suite::PAIRS.iter().filter(|p| p.section != Section::Kernel) {
            let at = |name: &str| all.iter().position(|n| *n == name).unwrap();
            let (b, v) = (at(pair.baseline), at(pair.variant));
            assert!(
                batches.iter().any(|r| r.contains(&b) && r.contains(&v)),
                "{}",
                pair.label
            );
        }
        assert_eq!(batches.len(), 8 + 1 + 3 + 1);
    }

    #[test]
    fn the_kernel_group_makes_one_batch_per_kernel() {
        let all: Vec<&str> = suite::group(suite::Group::Kernels)
            .map(|b| b.name)
            .collect();
        assert_eq!(
            all,
            [
                "FillPrimitive",
                "FillSom",
                "BitBltPrimitive",
                "BitBltSom",
                "DoubleAddPrimitive",
                "DoubleAddScalar",
                "DoubleAddSimd"
            ]
        );
        assert_eq!(batches(&jobs(&all)), vec![0..2, 2..4, 4..7]);
    }

    #[test]
    fn ratios_per_vm_and_geomean_per_section() {
        let results = test_support::pairs();
        let pairs = pair_results(&results);
        let labels: Vec<&str> = pairs.iter().map(|p| p.pair.label).collect();
        assert_eq!(labels, ["field read", "field write", "message lookup"]);
        assert_eq!(pairs[0].ratio(0), Some(4.0));
        assert_eq!(pairs[0].min_ratio(0), Some(2.0));
        assert_eq!(pairs[1].ratio(0), Some(9.0));
        assert_eq!(pairs[2].ratio(0), None);
        let (g, n) = geomean(&pairs, Section::Operation, 0).unwrap();
        assert!((g - 6.0).abs() < 1e-12, "{g}");
        assert_eq!(n, 2);
        assert_eq!(geomean(&pairs, Section::Tracing, 0), None);
    }

    #[test]
    fn the_table_shows_medians_ratios_and_the_geomean() {
        let text = render(&test_support::pairs());
        let row = text
            .lines()
            .find(|l| l.starts_with("operations: field read"))
            .unwrap();
        assert_eq!(
            row.split_whitespace().collect::<Vec<_>>(),
            [
                "operations:",
                "field",
                "read",
                "MopFieldReadPlain",
                "MopFieldReadReflective",
                "1.000",
                "4.000",
                "4.000",
                "2.000"
            ]
        );
        let lookup = text
            .lines()
            .find(|l| l.starts_with("operations: message lookup"))
            .unwrap();
        assert!(lookup.contains("failed") && lookup.ends_with('-'), "{text}");
        assert!(
            text.contains("Geometric mean of the operations ratios on yerba over 2 pairs: 6.000"),
            "{text}"
        );
        assert_eq!(render(&test_support::single()), "");
    }

    #[test]
    fn the_kernel_ratios_are_smalltalk_over_primitive_with_their_geomean() {
        let mut results = test_support::pairs();
        results.benchmarks = [
            ("FillPrimitive", 1000),
            ("FillSom", 4000),
            ("BitBltPrimitive", 1000),
            ("BitBltSom", 16000),
            ("DoubleAddPrimitive", 500),
            ("DoubleAddScalar", 4000),
            ("DoubleAddSimd", 250),
        ]
        .into_iter()
        .map(|(name, micros)| {
            let sample = Sample {
                run: 1,
                iteration: 1,
                micros,
                warmup: false,
            };
            test_support::bench(
                name,
                vec![VmResult {
                    samples: vec![sample],
                    failure: None,
                }],
            )
        })
        .collect();
        let text = render(&results);
        let row = |start: &str| {
            text.lines()
                .find(|l| l.starts_with(start))
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
        };
        assert_eq!(
            row("kernels: fill").unwrap(),
            [
                "kernels:",
                "fill",
                "FillPrimitive",
                "FillSom",
                "1.000",
                "4.000",
                "4.000",
                "4.000"
            ]
        );
        assert_eq!(row("kernels: BitBlt").unwrap()[6], "16.000");
        assert_eq!(
            row("kernels: double add scalar").unwrap()[4..],
            [
                "DoubleAddPrimitive",
                "DoubleAddScalar",
                "0.500",
                "4.000",
                "8.000",
                "8.000"
            ]
        );
        assert_eq!(
            row("kernels: double add SIMD").unwrap()[4..],
            [
                "DoubleAddPrimitive",
                "DoubleAddSimd",
                "0.500",
                "0.250",
                "0.500",
                "0.500"
            ]
        );
        // (4 * 16 * 8 * 0.5) ^ (1/4)
        assert!(
            text.contains("Geometric mean of the kernels ratios on yerba over 4 pairs: 4.000"),
            "{text}"
        );
    }
}
