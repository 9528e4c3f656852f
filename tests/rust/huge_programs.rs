//! Programs too large or too deep for a naive VM, generated at test time: each must load in
//! reasonable time and answer right, or stop with a clean parse error naming the position,
//! never overflow the native stack. Speed is not asserted, only a generous time limit.

mod common;

use common::{fresh_temp_dir, run_vm, RunOutcome};
use std::path::Path;
use std::time::Duration;

/// Far above what any of these programs needs on a loaded machine.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Runs the class `name` whose whole source is `source`, from a fresh directory.
fn run_class(name: &str, source: &str) -> RunOutcome {
    let dir = fresh_temp_dir(name);
    std::fs::write(dir.join(format!("{name}.som")), source).expect("write the program");
    let outcome = run_vm(&[Path::new(&format!("{name}.som"))], &dir, TIME_LIMIT);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(outcome.crash().is_none(), "{}", outcome.describe());
    assert!(!outcome.timed_out, "{}", outcome.describe());
    outcome
}

/// A class whose `run` method runs the `setup` statements, then prints the value of
/// `expression`.
fn printing(name: &str, locals: &str, setup: &str, expression: &str) -> String {
    format!("{name} = ( run = ( | {locals} | {setup} ({expression}) println ) )\n")
}

fn assert_prints(outcome: &RunOutcome, expected: &str) {
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert_eq!(outcome.stdout.trim(), expected, "{}", outcome.describe());
}

/// A parse error on line 1 (at `column` if given; where nesting stops also depends on the
/// parser's stack budget), quoting a short excerpt of the line.
fn assert_too_deep(outcome: &RunOutcome, column: Option<usize>) {
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    let position = match column {
        Some(column) => format!("line 1, column {column}: expressions nested too deeply"),
        None => "expressions nested too deeply".to_string(),
    };
    assert!(outcome.stderr.contains(&position), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("line 1, column"),
        "{}",
        outcome.describe()
    );
    assert!(outcome.stderr.len() < 1000, "{}", outcome.describe());
}

#[test]
fn parentheses_750k_deep_are_a_parse_error() {
    let name = "HugeParentheses";
    let expression = format!("{}1{}", "(".repeat(750_000), ")".repeat(750_000));
    assert_too_deep(&run_class(name, &printing(name, "", "", &expression)), None);
}

#[test]
fn a_million_sends_in_a_chain_are_a_parse_error() {
    let name = "HugeChain";
    let source = printing(name, "", "", &format!("0{}", " + 1".repeat(1_000_000)));
    // The 2000th `+` would make the tree 2001 levels tall.
    let first_plus = source.find('+').expect("a plus") + 1;
    assert_too_deep(&run_class(name, &source), Some(first_plus + 4 * 1999));
}

#[test]
fn a_chain_just_below_the_limit_compiles_and_runs() {
    let name = "TallChain";
    let source = printing(name, "x", "x := 0.", &format!("x{}", " + 1".repeat(1990)));
    assert_prints(&run_class(name, &source), "1990");
}

#[test]
fn blocks_nested_100k_deep_are_a_parse_error() {
    let name = "HugeBlocks";
    let expression = format!("{}7{}", "[ ".repeat(100_000), " ] value".repeat(100_000));
    assert_too_deep(&run_class(name, &printing(name, "", "", &expression)), None);
}

#[test]
fn inlined_blocks_nested_500_deep_run() {
    let name = "DeepIfs";
    let setup = format!(
        "x := 0. {}x{}.",
        "true ifTrue: [ x := x + 1. ".repeat(500),
        " ]".repeat(500)
    );
    assert_prints(&run_class(name, &printing(name, "x", &setup, "x")), "500");
}

#[test]
fn a_method_with_100k_locals_loads() {
    let name = "ManyLocals";
    let locals: Vec<String> = (0..100_000).map(|i| format!("v{i}")).collect();
    let assignments: Vec<String> = (0..100_000).map(|i| format!("v{i} := {i}.")).collect();
    let source = printing(
        name,
        &locals.join(" "),
        &assignments.join(" "),
        "v0 + v99999",
    );
    let outcome = run_class(name, &source);
    assert_prints(&outcome, "99999");
}

#[test]
fn a_3_million_digit_literal_loads() {
    let name = "HugeLiteral";
    let digits = format!("1{}", "0".repeat(2_999_996) + "123");
    let outcome = run_class(name, &printing(name, "", "", &format!("{digits} % 1000")));
    assert_prints(&outcome, "123");
}

#[test]
fn compiling_near_the_stack_limit_is_a_stack_overflow_error() {
    // Every 8000 levels of an endless recursion, compile a method as tall as the parser
    // accepts: one of those compilations starts close enough to the stack limit that the
    // compiler's recursion would overflow the native stack if compile: did not check for room.
    let name = "CompileAtDepth";
    let tall = format!("tall = ( ^ 0{} )", " + 1".repeat(1990));
    let source = format!(
        "{name} = (\n    run = ( self down: 0 )\n    down: n = (\n        \
         (n % 8000) = 0 ifTrue: [ {name} compile: '{tall}' ].\n        \
         ^ (self down: n + 1) + 1 )\n)\n"
    );
    let outcome = run_class(name, &source);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("Stack overflow"),
        "{}",
        outcome.describe()
    );
}
