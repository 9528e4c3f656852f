//! Measuring: the plan of runs, running it, and the results.
//!
//! A run is one VM process of `iterations` outer iterations. Each benchmark
//! gets `runs` runs per VM; with two VMs the runs alternate (A, B, A, B, ...)
//! so that drifts of the machine hit both alike, and so do the runs of the
//! halves of a pair when comparing pairs ([`crate::pairs::batches`]). The first `warmup`
//! iterations of every run are kept as samples but left out of the summary.

use crate::progress::Progress;
use crate::stats::{self, Summary};
use crate::suite::Benchmark;
use crate::vm::{self, Invocation, Vm};
use std::path::PathBuf;
use std::time::Duration;

/// One benchmark to run, with the inner iterations to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub benchmark: &'static Benchmark,
    pub inner: u32,
}

/// Everything the runner is asked to do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub jobs: Vec<Job>,
    /// One VM, or two to compare (B against A).
    pub vms: Vec<Vm>,
    pub bench_dir: PathBuf,
    pub iterations: u32,
    pub runs: u32,
    pub warmup: u32,
    pub timeout: Option<Duration>,
    /// Only checking that every benchmark verifies at its smoke size.
    pub smoke: bool,
    /// Comparing pairs of benchmarks (`--pairs`): their runs alternate.
    pub pairs: bool,
}

impl Plan {
    pub fn is_comparison(&self) -> bool {
        self.vms.len() == 2
    }
}

/// One iteration's runtime (as the JSON file has it, see [`crate::json`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Sample {
    /// 1-based number of the VM process.
    pub run: u32,
    /// 1-based outer iteration within the run.
    pub iteration: u32,
    #[serde(rename = "runtime_us")]
    pub micros: u64,
    pub warmup: bool,
}

/// The runs of one benchmark on one VM.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VmResult {
    /// The samples of the runs that verified.
    pub samples: Vec<Sample>,
    /// Why a run failed; the VM's later runs of the benchmark are skipped.
    pub failure: Option<String>,
}

impl VmResult {
    pub fn verified(&self) -> bool {
        self.failure.is_none()
    }

    /// The steady-state runtimes, in microseconds.
    pub fn steady(&self) -> Vec<u64> {
        self.samples
            .iter()
            .filter(|s| !s.warmup)
            .map(|s| s.micros)
            .collect()
    }

    /// The summary of the steady state, for a benchmark that verified.
    pub fn summary(&self) -> Option<Summary> {
        if self.verified() {
            Summary::of_micros(&self.steady())
        } else {
            None
        }
    }
}

/// The results of one benchmark, one entry per VM of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchResult {
    pub job: Job,
    pub per_vm: Vec<VmResult>,
}

impl BenchResult {
    pub fn name(&self) -> &'static str {
        self.job.benchmark.name
    }

    pub fn verified(&self) -> bool {
        self.per_vm.iter().all(VmResult::verified)
    }

    /// B's median over A's, when comparing two VMs that both verified.
    pub fn ratio(&self) -> Option<f64> {
        match self.per_vm.as_slice() {
            [a, b] => {
                let (a, b) = (a.summary()?, b.summary()?);
                (a.median_ms > 0.0).then(|| b.median_ms / a.median_ms)
            }
            _ => None,
        }
    }
}

/// A plan and what came of it.
#[derive(Debug, Clone)]
pub struct Results {
    pub plan: Plan,
    pub benchmarks: Vec<BenchResult>,
}

impl Results {
    pub fn all_verified(&self) -> bool {
        self.benchmarks.iter().all(BenchResult::verified)
    }

    /// The geometric mean of the ratios B/A and how many benchmarks it covers.
    pub fn geomean_ratio(&self) -> Option<(f64, usize)> {
        let ratios: Vec<f64> = self
            .benchmarks
            .iter()
            .filter_map(BenchResult::ratio)
            .collect();
        stats::geomean(&ratios).map(|g| (g, ratios.len()))
    }
}

/// Runs the plan, reporting progress as it goes. A failing benchmark does
/// not stop the others.
pub fn execute(plan: Plan, progress: &mut Progress) -> Results {
    let mut benchmarks: Vec<BenchResult> = plan
        .jobs
        .iter()
        .map(|job| BenchResult {
            job: *job,
            per_vm: vec![VmResult::default(); plan.vms.len()],
        })
        .collect();
    let batches = if plan.pairs {
        crate::pairs::batches(&plan.jobs)
    } else {
        (0..plan.jobs.len()).map(|i| i..i + 1).collect()
    };
    for batch in batches {
        for run in 1..=plan.runs {
            for index in batch.clone() {
                let job = &plan.jobs[index];
                for (vm, result) in plan.vms.iter().zip(benchmarks[index].per_vm.iter_mut()) {
                    if !result.verified() {
                        continue;
                    }
                    progress.start_run(index, plan.jobs.len(), job, &vm.label, run, &plan);
                    match run_once(&plan, job, vm, progress) {
                        Ok(micros) => {
                            result
                                .samples
                                .extend(micros.iter().enumerate().map(|(i, &micros)| Sample {
                                    run,
                                    iteration: i as u32 + 1,
                                    micros,
                                    warmup: (i as u32) < plan.warmup,
                                }))
                        }
                        Err(failure) => result.failure = Some(failure),
                    }
                }
            }
        }
    }
    Results { plan, benchmarks }
}

/// One VM process: its runtimes if it verified, else what went wrong.
fn run_once(plan: &Plan, job: &Job, vm: &Vm, progress: &mut Progress) -> Result<Vec<u64>, String> {
    let invocation = Invocation {
        bench_dir: plan.bench_dir.clone(),
        benchmark: job.benchmark.name.to_string(),
        iterations: plan.iterations,
        inner: job.inner,
    };
    let name = job.benchmark.name;
    let outcome = vm::run(vm, &invocation, plan.timeout, |line| {
        if let Some(micros) = crate::harness::runtime_of_line(line, name) {
            progress.iteration(micros);
        }
    });
    let result = outcome
        .map_err(|e| e.to_string())
        .and_then(|outcome| outcome.verify(name, plan.iterations));
    progress.finish_run(&result);
    result
}

/// Small fixed result sets for the tests of the report and the writers; the
/// file is shared with the output comparison test of `benchmarks/tests/`.
#[cfg(test)]
#[path = "../tests/fixtures/mod.rs"]
pub mod test_support;

#[cfg(test)]
mod tests {
    use super::test_support::bench;
    use super::*;

    fn result(samples: &[(u32, u64, bool)], failure: Option<&str>) -> VmResult {
        VmResult {
            samples: samples
                .iter()
                .enumerate()
                .map(|(i, &(run, micros, warmup))| Sample {
                    run,
                    iteration: i as u32 + 1,
                    micros,
                    warmup,
                })
                .collect(),
            failure: failure.map(str::to_string),
        }
    }

    #[test]
    fn the_summary_leaves_out_warmup() {
        let r = result(&[(1, 9000, true), (1, 2000, false), (1, 4000, false)], None);
        assert_eq!(r.steady(), vec![2000, 4000]);
        assert_eq!(r.summary().unwrap().median_ms, 3.0);
    }

    #[test]
    fn a_failure_has_no_summary_and_no_ratio() {
        let failed = result(&[(1, 2000, false)], Some("exit status 1"));
        assert!(failed.summary().is_none());
        let b = bench("Sieve", vec![result(&[(1, 2000, false)], None), failed]);
        assert!(!b.verified());
        assert_eq!(b.ratio(), None);
    }

    #[test]
    fn ratio_is_b_over_a_and_geomean_covers_the_verified() {
        let a = result(&[(1, 2000, false)], None);
        let b = result(&[(2, 1000, false)], None);
        let sieve = bench("Sieve", vec![a.clone(), b.clone()]);
        assert_eq!(sieve.ratio(), Some(0.5));
        let towers = bench("Towers", vec![b, a]);
        assert_eq!(towers.ratio(), Some(2.0));
        let broken = bench("List", vec![result(&[], Some("boom")), result(&[], None)]);
        let plan = Plan {
            jobs: vec![],
            vms: vec![],
            bench_dir: PathBuf::new(),
            iterations: 1,
            runs: 1,
            warmup: 0,
            timeout: None,
            smoke: false,
            pairs: false,
        };
        let results = Results {
            plan,
            benchmarks: vec![sieve, towers, broken],
        };
        let (g, n) = results.geomean_ratio().unwrap();
        assert!((g - 1.0).abs() < 1e-12);
        assert_eq!(n, 2);
        assert!(!results.all_verified());
    }
}
