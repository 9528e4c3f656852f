//! Activation tracing (docs/mop.md, "Tracing activations"): `yerba --trace-activations file`
//! and `aBlock traceActivationsTo: file` write every method and block activation as Chrome
//! trace events. The files are parsed with serde_json and checked for their form (begin and
//! end events nest properly), their exact activation counts, and the summary on stderr; the
//! main ones in every mode (interpreter only, default tiering, `--jit-always`), as native code
//! must report its activations like the interpreter.

mod common;

use common::modes::Mode;
use common::{fresh_temp_dir, repo_root, run_vm, RunOutcome, DEFAULT_TIMEOUT};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

fn run(args: &[&str]) -> RunOutcome {
    run_in(Mode::Tiered, args)
}

/// Runs the VM in `mode` with `args` after the mode's options.
fn run_in(mode: Mode, args: &[&str]) -> RunOutcome {
    let mut all = mode.options().to_vec();
    all.extend(args);
    let outcome = run_vm(&all, &repo_root(), mode.time_limit(DEFAULT_TIMEOUT));
    assert!(outcome.crash().is_none(), "{}", outcome.describe());
    assert!(!outcome.timed_out, "{}", outcome.describe());
    outcome
}

/// One begin event, with the names of the activations it is nested in, innermost last.
struct Activation {
    name: String,
    category: String,
    callers: Vec<String>,
}

/// The activations of a trace file, in the order they started, after checking its form: an
/// object with a `traceEvents` array of metadata (M), begin (B) and end (E) events of process
/// 1, thread 1, with integer timestamps that never decrease, where every end event ends the
/// innermost activation that has not ended and every activation ends.
fn activations(path: &Path) -> Vec<Activation> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let trace: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let events = trace["traceEvents"]
        .as_array()
        .expect("a traceEvents array");
    let mut open: Vec<String> = Vec::new();
    let mut started = Vec::new();
    let mut last_time = 0;
    for event in events {
        assert_eq!(event["pid"], 1, "{event}");
        assert_eq!(event["tid"], 1, "{event}");
        let phase = event["ph"].as_str().expect("a phase");
        if phase == "M" {
            continue;
        }
        let time = event["ts"].as_u64().expect("an integer timestamp");
        assert!(time >= last_time, "time goes back at {event}");
        last_time = time;
        match phase {
            "B" => {
                let name = event["name"].as_str().expect("a name").to_string();
                let category = event["cat"].as_str().expect("a category").to_string();
                assert!(category == "method" || category == "block", "{event}");
                started.push(Activation {
                    name: name.clone(),
                    category,
                    callers: open.clone(),
                });
                open.push(name);
            }
            "E" => {
                assert!(
                    open.pop().is_some(),
                    "an end event without a begin: {event}"
                );
            }
            other => panic!("unexpected phase {other} in {event}"),
        }
    }
    assert!(open.is_empty(), "activations never ended: {open:?}");
    started
}

fn counts(activations: &[Activation]) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for activation in activations {
        *counts.entry(activation.name.as_str()).or_default() += 1;
    }
    counts
}

/// The summary row of `selector` of `class`, split into columns.
fn summary_row<'a>(stderr: &'a str, selector: &str, class: &str) -> Vec<&'a str> {
    stderr
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|columns| columns.len() == 5 && columns[3] == selector && columns[4] == class)
        .unwrap_or_else(|| panic!("no summary row for {class}>>{selector} in:\n{stderr}"))
}

fn every_activation_of_a_program_is_traced_exactly_once(mode: Mode) {
    let dir = fresh_temp_dir("trace-fibonacci");
    let file = dir.join("fib.json");
    let program = "tests/programs/trace_fibonacci.som";
    let traced = run_in(
        mode,
        &["--trace-activations", file.to_str().unwrap(), program],
    );
    let plain = run_in(mode, &[program]);
    assert_eq!(traced.code, Some(0), "{}", traced.describe());
    assert_eq!(traced.stdout, plain.stdout, "tracing changed the output");

    let activations = activations(&file);
    let counts = counts(&activations);
    assert_eq!(counts["trace_fibonacci>>fib:"], 1973);
    assert_eq!(counts["trace_fibonacci>>run"], 1);
    assert_eq!(counts["trace_fibonacci>>sum:"], 1);
    assert_eq!(counts["[] in trace_fibonacci>>sum:"], 3);
    assert_eq!(counts["trace_fibonacci>>find:in:"], 1);
    // The second evaluation returns from find:in:, through Array>>do:.
    assert_eq!(counts["[] in trace_fibonacci>>find:in:"], 2);
    // Primitives (+, <, at:, ...) are not activations of Smalltalk code.
    assert!(!counts.contains_key("Integer>>+"));

    assert_eq!(activations[0].name, "System>>initialize:");
    for activation in &activations {
        let caller = activation.callers.last().map(String::as_str);
        match activation.name.as_str() {
            "trace_fibonacci>>fib:" => assert!(
                matches!(
                    caller,
                    Some("trace_fibonacci>>run" | "trace_fibonacci>>fib:")
                ),
                "fib: called from {caller:?}"
            ),
            "[] in trace_fibonacci>>sum:" | "[] in trace_fibonacci>>find:in:" => {
                assert_eq!(activation.category, "block");
                assert_eq!(caller, Some("Array>>do:"));
            }
            _ => {}
        }
    }
    // What runs after find:in: returned through its block is not nested in it.
    let after_find = activations
        .iter()
        .rposition(|a| a.name == "[] in trace_fibonacci>>find:in:")
        .expect("find:in:'s block")
        + 1;
    assert!(activations[after_find..].iter().all(|a| !a
        .callers
        .iter()
        .any(|c| c.contains("find:in:") || c == "Array>>do:")));

    let row = summary_row(&traced.stderr, "fib:", "trace_fibonacci");
    assert_eq!(row[0], "1973");
    let (inclusive, exclusive): (u64, u64) = (row[1].parse().unwrap(), row[2].parse().unwrap());
    assert!(exclusive <= inclusive, "{row:?}");
    let total = traced
        .stderr
        .lines()
        .find(|line| line.contains("(total)"))
        .expect("a total row");
    assert_eq!(
        total.split_whitespace().next(),
        Some(activations.len().to_string().as_str())
    );
    let _ = std::fs::remove_dir_all(dir);
}

tests_in_modes!(every_activation_of_a_program_is_traced_exactly_once);

fn the_trace_is_complete_however_the_program_ends(mode: Mode) {
    let dir = fresh_temp_dir("trace-ending");
    let program = "tests/programs/trace_ending.som";
    for (how, status) in [("exit", 3), ("error", 1), ("vm", 1), ("return", 0)] {
        let file = dir.join(format!("{how}.json"));
        let traced = run_in(
            mode,
            &["--trace-activations", file.to_str().unwrap(), program, how],
        );
        let plain = run_in(mode, &[program, how]);
        assert_eq!(traced.code, Some(status), "{how}: {}", traced.describe());
        assert_eq!(
            traced.stdout, plain.stdout,
            "{how}: tracing changed the output"
        );
        assert!(
            traced.stderr.starts_with(&plain.stderr),
            "{how}: tracing changed the error report:\n{}",
            traced.describe()
        );
        let activations = activations(&file);
        assert_eq!(
            counts(&activations)["trace_ending>>down:ending:"],
            4,
            "{how}"
        );
        summary_row(&traced.stderr, "down:ending:", "trace_ending");
    }
    let _ = std::fs::remove_dir_all(dir);
}

tests_in_modes!(the_trace_is_complete_however_the_program_ends);

fn a_block_traces_only_its_own_activations(mode: Mode) {
    let dir = fresh_temp_dir("trace-block");
    let file = dir.join("block.json");
    let outcome = run_in(
        mode,
        &["tests/programs/trace_one_block.som", file.to_str().unwrap()],
    );
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert_eq!(outcome.stdout.trim(), "fib: 10 = 55");
    let activations = activations(&file);
    assert_eq!(activations.len(), 177);
    assert!(activations
        .iter()
        .all(|a| a.name == "trace_one_block>>fib:"));
    assert_eq!(
        summary_row(&outcome.stderr, "fib:", "trace_one_block")[0],
        "177"
    );
    let _ = std::fs::remove_dir_all(dir);
}

tests_in_modes!(a_block_traces_only_its_own_activations);

#[test]
fn the_trace_survives_collections() {
    let dir = fresh_temp_dir("trace-gc-stress");
    let file = dir.join("fib.json");
    let program = "tests/programs/trace_fibonacci.som";
    let traced = run(&[
        "--gc-stress",
        "--trace-activations",
        file.to_str().unwrap(),
        program,
    ]);
    assert_eq!(traced.code, Some(0), "{}", traced.describe());
    let activations = activations(&file);
    let counts = counts(&activations);
    assert_eq!(counts["trace_fibonacci>>fib:"], 1973);
    assert_eq!(counts["[] in trace_fibonacci>>sum:"], 3);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_traced_block_inside_a_traced_program_has_a_trace_of_its_own() {
    let dir = fresh_temp_dir("trace-nested");
    let outer = dir.join("outer.json");
    let inner = dir.join("inner.json");
    let outcome = run(&[
        "--trace-activations",
        outer.to_str().unwrap(),
        "tests/programs/trace_one_block.som",
        inner.to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    // fib: 5 before and after the traced block, 15 activations each.
    assert_eq!(counts(&activations(&outer))["trace_one_block>>fib:"], 30);
    assert_eq!(counts(&activations(&inner))["trace_one_block>>fib:"], 177);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_copied_tracer_chooses_what_it_records() {
    let dir = fresh_temp_dir("trace-custom");
    let file = dir.join("custom.json");
    let outcome = run(&[
        "-cp",
        "tests/programs",
        "tests/programs/trace_custom.som",
        file.to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    assert_eq!(outcome.stdout.trim(), "total = 8");
    let activations = activations(&file);
    let names: Vec<&str> = activations.iter().map(|a| a.name.as_str()).collect();
    // No blocks, and not Integer>>timesRepeat:.
    assert_eq!(
        names,
        ["trace_custom>>sum:", "Array>>inject:into:", "Array>>do:"]
    );
    assert_eq!(summary_row(&outcome.stderr, "do:", "Array")[0], "1");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tracing_needs_a_file_and_the_mop() {
    let outcome = run(&["--trace-activations"]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome
            .stderr
            .contains("a value is required for '--trace-activations <file>'"),
        "{}",
        outcome.describe()
    );
    let outcome = run(&[
        "--no-mop",
        "--trace-activations",
        "unused.json",
        "tests/programs/hello_world.som",
    ]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains("--no-mop"),
        "{}",
        outcome.describe()
    );
    assert!(!repo_root().join("unused.json").exists());
}

#[test]
fn a_trace_file_that_cannot_be_created_is_an_error() {
    let outcome = run(&[
        "--trace-activations",
        "/nonexistent-directory/trace.json",
        "tests/programs/hello_world.som",
    ]);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome
            .stderr
            .contains("Cannot create the trace file '/nonexistent-directory/trace.json'"),
        "{}",
        outcome.describe()
    );
}
