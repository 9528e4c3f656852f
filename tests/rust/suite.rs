//! Runs Yerba's own SOM test suite (`tests/suite`, entry point
//! `TestHarness.som`) and checks that every test passes in every mode
//! (interpreter only, default tiering, `--jit-always`, `--jit-always
//! --gc-stress`), and with the collector stressed under default tiering.

mod common;

use common::modes::Mode;
use common::{repo_root, run_vm, RunOutcome};
use std::time::Duration;

/// The totals the harness prints at the end of a run.
#[derive(Debug, PartialEq, Eq)]
struct Totals {
    tests: u64,
    passed: u64,
    assertions: u64,
}

fn total(stdout: &str, label: &str) -> Option<u64> {
    stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .and_then(|rest| rest.trim().parse().ok())
}

fn totals(stdout: &str) -> Option<Totals> {
    Some(Totals {
        tests: total(stdout, "Total number of tests:")?,
        passed: total(stdout, "Number of successful tests:")?,
        assertions: total(stdout, "Number of assertions tested:")?,
    })
}

fn run_suite(options: &[&str], class: Option<&str>, timeout: Duration) -> RunOutcome {
    let mut args: Vec<&str> = options.to_vec();
    args.extend(["-cp", "tests/suite", "tests/suite/TestHarness.som"]);
    args.extend(class);
    run_vm(&args, &repo_root(), timeout)
}

fn assert_all_pass(outcome: &RunOutcome, what: &str, min_tests: u64, min_assertions: u64) {
    let failure = |why: &str| -> ! { panic!("{what}: {why}\n{}", outcome.describe()) };
    if let Some(crash) = outcome.crash() {
        failure(&crash);
    }
    if outcome.timed_out {
        failure("timed out");
    }
    let Some(t) = totals(&outcome.stdout) else {
        failure("the harness did not print its totals");
    };
    if t.passed != t.tests {
        failure(&format!(
            "{} of {} tests failed",
            t.tests - t.passed,
            t.tests
        ));
    }
    if t.tests < min_tests || t.assertions < min_assertions {
        failure(&format!(
            "too few tests or assertions ran: {t:?}, expected at least {min_tests} tests and {min_assertions} assertions"
        ));
    }
    if outcome.code != Some(0) {
        failure("the harness did not exit with 0");
    }
}

fn suite_passes(mode: Mode) {
    let timeout = mode.time_limit(Duration::from_secs(300));
    let outcome = run_suite(mode.options(), None, timeout);
    let what = format!("TestHarness in mode {}", mode.describe());
    assert_all_pass(&outcome, &what, 600, 2900);
}

tests_in_modes!(suite_passes + gc_stress);

#[test]
fn suite_passes_under_gc_stress() {
    let outcome = run_suite(&["--gc-stress"], None, Duration::from_secs(1200));
    assert_all_pass(&outcome, "TestHarness --gc-stress", 600, 2900);
}

#[test]
fn one_test_class_can_be_run_alone() {
    let outcome = run_suite(&[], Some("IntegerTest"), Duration::from_secs(120));
    assert_all_pass(&outcome, "TestHarness IntegerTest", 20, 200);
    assert!(
        outcome.stdout.contains("testAroundTwoToThe63"),
        "a single class runs verbosely, naming each test\n{}",
        outcome.describe()
    );
    assert!(
        !outcome.stdout.contains("StringTest"),
        "only the named class runs\n{}",
        outcome.describe()
    );
}

#[test]
fn a_class_can_be_named_without_the_test_suffix() {
    let outcome = run_suite(&[], Some("Pair"), Duration::from_secs(120));
    assert_all_pass(&outcome, "TestHarness Pair", 1, 1);
    assert!(
        outcome.stdout.contains("PairTest"),
        "{}",
        outcome.describe()
    );
}

#[test]
fn an_unknown_test_class_is_an_error() {
    let outcome = run_suite(&[], Some("NoSuchThingTest"), Duration::from_secs(120));
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(outcome.crash().is_none(), "{}", outcome.describe());
}
