//! The JSON file (`--json`): the plan, per benchmark and VM the summary and
//! all samples, and in comparison mode the ratios and their geometric mean.
//! The structs below are the format; serde_json writes them.
//!
//! # Format
//!
//! One object, members in this order, indented by two spaces:
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
//!
//! - `mode` is `single`, `comparison` (two VMs) or `smoke`; `command` is the
//!   VM's command line as one string.
//! - `ratio` (B's median over A's) and `geomean_ratio` appear only in
//!   comparison mode, and are `null` where there is nothing to divide.
//! - `results` has one entry per VM, in the order of `vms`; `error` is `null`
//!   when the benchmark verified, else why it failed (the failing run's exit
//!   status and output tail); the three `_ms` figures (floats, of the steady
//!   state) are then `null` and `steady_samples` is 0.
//! - `samples` are every iteration of the runs that verified, warm-up
//!   included (`warmup: true`); `runtime_us` is an integer.
//! - Floats are always written with a fraction or an exponent (`2.0`);
//!   integers never are.

use crate::measure::{BenchResult, Results, Sample, VmResult};
use crate::vm::Vm;
use serde::Serialize;

/// The whole document.
#[derive(Serialize)]
struct Document<'a> {
    mode: &'static str,
    iterations: u32,
    runs: u32,
    warmup: u32,
    vms: Vec<VmEntry<'a>>,
    benchmarks: Vec<Benchmark<'a>>,
    /// Only in comparison mode, where it is `null` when no ratio was measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    geomean_ratio: Option<Option<f64>>,
}

#[derive(Serialize)]
struct VmEntry<'a> {
    label: &'a str,
    command: String,
}

#[derive(Serialize)]
struct Benchmark<'a> {
    name: &'static str,
    group: &'static str,
    inner: u32,
    /// Only in comparison mode, where it is `null` unless both VMs verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    ratio: Option<Option<f64>>,
    results: Vec<Measured<'a>>,
}

/// One benchmark on one VM.
#[derive(Serialize)]
struct Measured<'a> {
    vm: &'a str,
    verified: bool,
    error: Option<&'a str>,
    median_ms: Option<f64>,
    min_ms: Option<f64>,
    max_ms: Option<f64>,
    steady_samples: usize,
    samples: &'a [Sample],
}

/// The results as JSON text, indented, ending with a line break.
pub fn write(results: &Results) -> String {
    let plan = &results.plan;
    let comparison = plan.is_comparison();
    let mode = if plan.smoke {
        "smoke"
    } else if comparison {
        "comparison"
    } else {
        "single"
    };
    let document = Document {
        mode,
        iterations: plan.iterations,
        runs: plan.runs,
        warmup: plan.warmup,
        vms: plan.vms.iter().map(vm).collect(),
        benchmarks: results
            .benchmarks
            .iter()
            .map(|b| benchmark(&plan.vms, b, comparison))
            .collect(),
        geomean_ratio: comparison.then(|| results.geomean_ratio().map(|(g, _)| g)),
    };
    // Plain data with string keys: serde_json cannot fail on it.
    let mut text = serde_json::to_string_pretty(&document).expect("results serialise as JSON");
    text.push('\n');
    text
}

fn vm(vm: &Vm) -> VmEntry<'_> {
    VmEntry {
        label: &vm.label,
        command: vm.command_line(),
    }
}

fn benchmark<'a>(vms: &'a [Vm], bench: &'a BenchResult, comparison: bool) -> Benchmark<'a> {
    Benchmark {
        name: bench.name(),
        group: bench.job.benchmark.group.name(),
        inner: bench.job.inner,
        ratio: comparison.then(|| bench.ratio()),
        results: vms
            .iter()
            .zip(&bench.per_vm)
            .map(|(vm, r)| measured(vm, r))
            .collect(),
    }
}

fn measured<'a>(vm: &'a Vm, result: &'a VmResult) -> Measured<'a> {
    let summary = result.summary();
    Measured {
        vm: &vm.label,
        verified: result.verified(),
        error: result.failure.as_deref(),
        median_ms: summary.map(|s| s.median_ms),
        min_ms: summary.map(|s| s.min_ms),
        max_ms: summary.map(|s| s.max_ms),
        steady_samples: summary.map_or(0, |s| s.count),
        samples: &result.samples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::test_support::{comparison, single};

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
