//! Randomized robustness tests: whatever the input, the VM must end with exit
//! code 0 or 1 (or a code the program asked for with `exit:`), must not panic,
//! abort or die by a signal.
//!
//! - Generated programs (`fuzz/generator.rs`): random well-formed programs of
//!   several classes, each run twice, normally and under `--gc-stress`; the
//!   two runs must also print the same and end the same way (a difference
//!   means an object the collector freed or missed while still in use).
//! - Mutated sources (`fuzz/mutator.rs`): the project's own `.som` files,
//!   damaged, run where the originals run.
//! - Random sends (`fuzz/sends.rs`): library selectors sent to values of
//!   every kind.
//!
//! Part of the mutated and send cases run under `--gc-stress`, all under
//! `--max-heap`, each with a time limit. Every case is made from the seed,
//! its kind and its index alone. By default a fixed number of cases runs
//! (about a minute on two cores); environment variables choose others:
//! `YERBA_FUZZ_SEED=<n>` another seed, `YERBA_FUZZ_CASES=<n>` that many cases
//! of each kind, `YERBA_FUZZ_BUDGET_SECS=<s>` cases until that much time
//! has passed. A failure report names the seed and the case and keeps the
//! program on disk with the command line that runs it.

mod common;
#[path = "fuzz/generator.rs"]
mod generator;
#[path = "fuzz/mutator.rs"]
mod mutator;
#[path = "fuzz/rng.rs"]
mod rng;
#[path = "fuzz/runner.rs"]
mod runner;
#[path = "fuzz/sends.rs"]
mod sends;

use rng::Rng;
use runner::{assert_clean, run_campaign, Case, Plan, Program};
use std::time::{Duration, Instant};

const DEFAULT_SEED: u64 = 0x5EED_F00D_7E4B_A001;
/// Cases of each kind in the default run.
const GENERATED_CASES: usize = 400;
const MUTATED_CASES: usize = 300;
const SEND_CASES: usize = 300;
/// The default run stops starting cases after this long, whatever is left
/// (a safety net for a loaded machine; the counts above fit in far less).
const DEFAULT_BUDGET: Duration = Duration::from_secs(100);
/// Generated programs end by construction, so a generous limit only catches hangs.
const GENERATED_TIMEOUT: Duration = Duration::from_secs(10);
/// Mutated programs may loop forever legitimately; such runs are cut short.
const MUTATED_TIMEOUT: Duration = Duration::from_secs(3);
/// A few sends should never take long.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Streams of random numbers, one per kind of case.
const GENERATED_STREAM: u64 = 1;
const MUTATED_STREAM: u64 = 2;
const SEND_STREAM: u64 = 3;

fn seed() -> u64 {
    match std::env::var("YERBA_FUZZ_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .or_else(|_| u64::from_str_radix(text.trim().trim_start_matches("0x"), 16))
            .unwrap_or_else(|_| panic!("YERBA_FUZZ_SEED must be a number, not {text:?}")),
        Err(_) => DEFAULT_SEED,
    }
}

fn number_from_env(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {text:?}")),
    )
}

/// The default run, or the longer one the environment asks for.
fn plan(default_cases: usize) -> Plan {
    let budget = number_from_env("YERBA_FUZZ_BUDGET_SECS").map(Duration::from_secs);
    let cases = number_from_env("YERBA_FUZZ_CASES").map(|n| n as usize);
    let (cases, budget) = match (cases, budget) {
        (Some(cases), budget) => (cases, budget.unwrap_or(Duration::from_secs(365 * 86_400))),
        (None, Some(budget)) => (usize::MAX, budget),
        (None, None) => (default_cases, DEFAULT_BUDGET),
    };
    Plan {
        seed: seed(),
        cases,
        deadline: Instant::now() + budget,
    }
}

fn generated_case(seed: u64, index: usize) -> Case {
    let mut rng = Rng::for_case(seed, GENERATED_STREAM, index);
    let generated = generator::generate(&mut rng);
    Case {
        index,
        label: "generated program".to_string(),
        program: Program {
            files: generated
                .files
                .into_iter()
                .map(|(name, source)| (name, source.into_bytes()))
                .collect(),
            arguments: vec![format!("{}.som", generator::MAIN_CLASS)],
        },
        gc_stress: true,
        differential: true,
        allowed_codes: vec![0, 1],
        timeout: GENERATED_TIMEOUT,
    }
}

#[test]
fn generated_programs_never_crash_the_vm_and_ignore_gc_stress() {
    let plan = plan(GENERATED_CASES);
    let summary = run_campaign("generated", &plan, |index| generated_case(plan.seed, index));
    assert_clean("generated", plan.seed, &summary);
}

#[test]
fn mutated_sources_never_crash_the_vm() {
    let plan = plan(MUTATED_CASES);
    let originals = mutator::corpus();
    assert!(!originals.is_empty(), "no .som files to mutate");
    let tests = mutator::suite_tests();
    let summary = run_campaign("mutated", &plan, |index| {
        let mut rng = Rng::for_case(plan.seed, MUTATED_STREAM, index);
        let original = rng.pick(&originals);
        let program = mutator::mutated_program(&mut rng, original, &tests);
        let allowed_codes = mutator::allowed_codes(&program.files[0].1);
        Case {
            index,
            label: format!("mutation of {}", original.name()),
            program,
            gc_stress: index % 4 == 3,
            differential: false,
            allowed_codes,
            timeout: MUTATED_TIMEOUT,
        }
    });
    assert_clean("mutated", plan.seed, &summary);
}

#[test]
fn random_sends_never_crash_the_vm() {
    let plan = plan(SEND_CASES);
    let summary = run_campaign("sends", &plan, |index| {
        let mut rng = Rng::for_case(plan.seed, SEND_STREAM, index);
        let sends = if index % 2 == 0 { 1 } else { 2 + rng.below(8) };
        Case {
            index,
            label: "random sends".to_string(),
            program: Program {
                files: vec![(
                    "FuzzSend.som".to_string(),
                    sends::send_program(&mut rng, sends).into_bytes(),
                )],
                arguments: vec!["FuzzSend.som".to_string()],
            },
            gc_stress: index % 4 == 3,
            differential: false,
            allowed_codes: vec![0, 1],
            timeout: SEND_TIMEOUT,
        }
    });
    assert_clean("sends", plan.seed, &summary);
}

#[test]
fn the_generators_are_deterministic() {
    let seed = 42;
    let source = |index| generated_case(seed, index).program.files;
    assert_eq!(source(7), source(7));
    assert_ne!(source(7), source(8));
    let mut a = Rng::new(seed);
    let mut b = Rng::new(seed);
    assert_eq!(
        sends::send_program(&mut a, 5),
        sends::send_program(&mut b, 5)
    );
    assert_eq!(
        mutator::mutate(&mut a, b"Foo = ( run = ( 1 println ) )"),
        mutator::mutate(&mut b, b"Foo = ( run = ( 1 println ) )")
    );
}

/// By hand: `YERBA_FUZZ_CASE=<i> cargo test --release --test fuzz -- --ignored
/// --nocapture write_generated_program` writes generated case `i` (of
/// `YERBA_FUZZ_SEED`) to a directory and prints where.
#[test]
#[ignore]
fn write_generated_program() {
    let index = number_from_env("YERBA_FUZZ_CASE").unwrap_or(0) as usize;
    let case = generated_case(seed(), index);
    let dir = std::env::temp_dir().join(format!("yerba-fuzz-generated-{}-{index}", seed()));
    std::fs::create_dir_all(&dir).expect("create the directory");
    for (name, source) in &case.program.files {
        std::fs::write(dir.join(name), source).expect("write the program");
    }
    println!(
        "generated case {index} of seed {}: {}/{}",
        seed(),
        dir.display(),
        generator::MAIN_CLASS
    );
}
