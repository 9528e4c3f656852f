//! Runs every expected-output program of `tests/programs` (the `.som` files
//! with a `VM:` header comment; the others are helper classes) and checks its
//! exit status, stdout and stderr against the header. All mismatches are
//! reported together.

mod common;

use common::{
    match_lines, parallel_map, parse_header, repo_root, run_vm, som_files, Expectation,
    DEFAULT_TIMEOUT,
};
use std::path::PathBuf;

/// Runs one program after the VM options `options`; answers a description of what went wrong,
/// if anything.
fn check_program(path: PathBuf, expectation: Expectation, options: &[&str]) -> Option<String> {
    let mut args: Vec<_> = options.iter().map(Into::into).collect();
    args.push(path.clone().into_os_string());
    args.extend(expectation.args.iter().map(Into::into));
    let outcome = run_vm(&args, &repo_root(), DEFAULT_TIMEOUT);
    let mut problems = Vec::new();
    if let Some(crash) = outcome.crash() {
        problems.push(crash);
    }
    if outcome.timed_out {
        problems.push("timed out".to_string());
    }
    let want = expectation.status.code();
    if !outcome.timed_out && outcome.code != Some(want) {
        problems.push(format!("exit code {:?}, expected {want}", outcome.code));
    }
    if let Err(e) = match_lines(&expectation.stdout, &outcome.stdout) {
        problems.push(format!("stdout: {e}"));
    }
    if let Err(e) = match_lines(&expectation.stderr, &outcome.stderr) {
        problems.push(format!("stderr: {e}"));
    }
    if problems.is_empty() {
        return None;
    }
    Some(format!(
        "=== {} ===\n{}\n{}",
        path.display(),
        problems.join("\n"),
        outcome.describe()
    ))
}

/// The programs of `tests/programs` (with their expectations) whose file name starts with
/// `prefix`.
fn programs(prefix: &str) -> Vec<(PathBuf, Expectation)> {
    let dir = repo_root().join("tests/programs");
    let mut malformed = Vec::new();
    let mut programs = Vec::new();
    for path in som_files(&dir) {
        if !path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with(prefix))
        {
            continue;
        }
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        match parse_header(&source) {
            None => {}
            Some(Ok(expectation)) => programs.push((path, expectation)),
            Some(Err(e)) => malformed.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        malformed.is_empty(),
        "malformed headers:\n{}",
        malformed.join("\n")
    );
    programs
}

/// Runs `programs` with the VM options `options`; fails with every mismatch.
fn check_programs(programs: Vec<(PathBuf, Expectation)>, options: &[&str]) {
    let total = programs.len();
    let failures: Vec<String> = parallel_map(programs, |(path, e)| check_program(path, e, options))
        .into_iter()
        .flatten()
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {total} programs failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn programs_produce_the_expected_output() {
    let programs = programs("");
    assert!(
        programs.len() >= 50,
        "only {} programs found in tests/programs",
        programs.len(),
    );
    check_programs(programs, &[]);
}

/// The programs that move objects to shapes with other numbers of fields, while the collector
/// runs every few allocations: the fields an object no longer stores in place must neither
/// keep references the collector does not see nor bring them back.
#[test]
fn shape_programs_under_gc_stress() {
    let programs = programs("mop_shape_");
    assert!(
        programs.len() >= 4,
        "only {} mop_shape_ programs",
        programs.len()
    );
    check_programs(programs, &["--gc-stress"]);
}

/// The programs of the memory policy's guards while the collector runs every few
/// allocations: the policy runs, fails and is replaced with stress collections inside it.
#[test]
fn memory_policy_programs_under_gc_stress() {
    let programs = programs("memory_policy_");
    assert!(
        programs.len() >= 6,
        "only {} memory_policy_ programs",
        programs.len()
    );
    check_programs(programs, &["--gc-stress"]);
}

/// The matching helpers themselves.
mod matching_tests {
    use crate::common::*;

    #[test]
    fn pieces_match_in_order() {
        assert!(line_matches(
            "Traceback...",
            "Traceback (most recent call at bottom):"
        ));
        assert!(line_matches(
            "...a.som, line 3, column...",
            "  /x/a.som, line 3, column 7:"
        ));
        assert!(!line_matches("...line 3...column", "column 7 line 3"));
        assert!(line_matches("  exact  ", "exact"));
        assert!(!line_matches("exact", "exactly"));
    }

    #[test]
    fn expected_lines_form_a_subsequence() {
        let expected = vec![
            "a".to_string(),
            "...".to_string(),
            "".to_string(),
            "c".to_string(),
        ];
        assert!(match_lines(&expected, "a\nb\n\nc\n").is_ok());
        assert!(match_lines(&expected, "a\nb\nc\n").is_err());
        assert!(match_lines(&["c".to_string(), "a".to_string()], "a\nc\n").is_err());
    }

    #[test]
    fn headers_are_parsed() {
        let source = "\"\nVM:\n  status: error\n  args: 1 two\n  stdout:\n    x\n\n    ERROR: y\n  stderr:\n    z\n\"\nfoo = ()\n";
        let e = parse_header(source)
            .expect("has a header")
            .expect("well formed");
        assert_eq!(e.status, ExpectedStatus::Error);
        assert_eq!(e.args, vec!["1", "two"]);
        assert_eq!(e.stdout, vec!["x", "", "ERROR: y"]);
        assert_eq!(e.stderr, vec!["z"]);
        assert!(parse_header("\"a helper\"\nfoo = ()").is_none());
        assert!(parse_header("foo = ()").is_none());
        let e = parse_header("\"\nVM:\n  status: 42\n\"")
            .expect("header")
            .expect("ok");
        assert_eq!(e.status, ExpectedStatus::Code(42));
    }
}
