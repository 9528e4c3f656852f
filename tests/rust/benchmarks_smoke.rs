//! Every benchmark of `benchmarks/` (AWFY, micro and MOP) runs once at its
//! smoke size through the `yerba` binary, in every mode (interpreter only,
//! default tiering, `--jit-always`), and verifies: exit status 0 and the
//! complete Harness output. Nothing here is timed. The reflective MOP
//! benchmarks also check at that size that their operation really goes
//! through a metaobject, and the traced ones their exact activation count.
//!
//! The suite, the VM command line and the output checks are the benchmark
//! runner's (the `benchmarks` crate), so this test and
//! `cargo run --release -p benchmarks -- --smoke` check the same thing.

mod common;

use benchmarks::suite::{Benchmark, SUITE};
use benchmarks::vm::{self, Invocation, Vm};
use common::modes::Mode;
use common::{parallel_map, repo_root, yerba};
use std::time::Duration;

/// Generous: the slowest smoke size (Havlak) takes seconds in a release build.
const TIMEOUT: Duration = Duration::from_secs(600);

/// Runs one benchmark at its smoke size in `mode`; answers what went wrong, if anything.
fn smoke(benchmark: &Benchmark, mode: Mode) -> Option<String> {
    let mut command = vec![yerba().to_string()];
    command.extend(mode.options_with(&[]));
    let vm = Vm {
        label: "yerba".to_string(),
        command,
    };
    let invocation = Invocation {
        bench_dir: repo_root().join("benchmarks"),
        benchmark: benchmark.name.to_string(),
        iterations: 1,
        inner: benchmark.smoke_inner,
    };
    let problem = match vm::run(&vm, &invocation, Some(TIMEOUT), |_| {}) {
        Err(e) => e.to_string(),
        Ok(outcome) => match outcome.verify(benchmark.name, 1) {
            Ok(runtimes) if runtimes.len() == 1 => return None,
            Ok(runtimes) => format!("{} runtime lines", runtimes.len()),
            Err(problem) => problem,
        },
    };
    Some(format!(
        "{} {} (inner {}): {problem}\ncommand line: {} {}",
        benchmark.name,
        benchmark.group.name(),
        benchmark.smoke_inner,
        vm.command_line(),
        invocation.args().join(" ")
    ))
}

fn every_benchmark_verifies_at_its_smoke_size(mode: Mode) {
    let failures: Vec<String> = parallel_map(SUITE.iter().collect(), |b| smoke(b, mode))
        .into_iter()
        .flatten()
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} benchmarks failed in mode {}:\n\n{}",
        failures.len(),
        SUITE.len(),
        mode.describe(),
        failures.join("\n\n")
    );
}

tests_in_modes!(every_benchmark_verifies_at_its_smoke_size);
