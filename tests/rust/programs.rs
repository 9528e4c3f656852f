//! Runs every expected-output program of `tests/programs` (the `.som` files
//! with a `VM:` header comment; the others are helper classes) in every mode
//! (interpreter only, default tiering, `--jit-always`; most also with
//! `--jit-always --gc-stress`) and checks its exit status, stdout and stderr
//! against the header, and that every mode prints exactly what the
//! interpreter prints. All mismatches are reported together.

mod common;

use common::modes::Mode;
use common::programs::{
    assert_no_failures, check_in_modes, programs_starting_with, programs_where, Program,
};

/// Programs left out of the `--jit-always --gc-stress` runs: their many
/// allocations make a collection every few of them take minutes. The
/// collector is stressed under them in `memory_policy_programs_under_gc_stress`
/// (those of the policy's guards) and not at all for the rest, which measure
/// collections and print their counts.
const TOO_SLOW_UNDER_GC_STRESS: &[&str] = &[
    "example_memory_policy",
    "memory_counts_decline_and_reentrancy",
];

/// The three modes, and the collector stressed under native code unless the
/// program is too slow for it.
fn modes_of(program: &Program) -> Vec<Mode> {
    let mut modes = Mode::EVERY.to_vec();
    if !TOO_SLOW_UNDER_GC_STRESS.contains(&program.name()) {
        modes.push(Mode::JitAlwaysGcStress);
    }
    modes
}

#[test]
fn programs_produce_the_expected_output_in_every_mode() {
    let programs = programs_where(|_| true);
    assert!(
        programs.len() >= 50,
        "only {} programs found in tests/programs",
        programs.len(),
    );
    let native = programs
        .iter()
        .filter(|p| p.name().starts_with("native_"))
        .count();
    assert!(native >= 10, "only {native} native_ programs");
    assert_no_failures(check_in_modes(&programs, modes_of, &[]), programs.len());
}

/// The programs that move objects to shapes with other numbers of fields, while the collector
/// runs every few allocations: the fields an object no longer stores in place must neither
/// keep references the collector does not see nor bring them back.
#[test]
fn shape_programs_under_gc_stress() {
    let programs = programs_starting_with(&["mop_shape_"]);
    assert!(
        programs.len() >= 4,
        "only {} mop_shape_ programs",
        programs.len()
    );
    let failures = check_in_modes(&programs, |_| Mode::EVERY.to_vec(), &["--gc-stress"]);
    assert_no_failures(failures, programs.len());
}

/// The programs of the memory policy's guards while the collector runs every few
/// allocations: the policy runs, fails and is replaced with stress collections inside it.
#[test]
fn memory_policy_programs_under_gc_stress() {
    let programs = programs_starting_with(&["memory_policy_"]);
    assert!(
        programs.len() >= 6,
        "only {} memory_policy_ programs",
        programs.len()
    );
    let failures = check_in_modes(&programs, |_| vec![Mode::Tiered], &["--gc-stress"]);
    assert_no_failures(failures, programs.len());
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

    #[test]
    fn modes_may_differ_only_in_the_frames_a_traceback_omits() {
        use crate::common::programs::comparable;
        let interpreted = "a\n  ... 4471699 frames omitted ...\nStack overflow";
        let native = "a\n  ... 5589632 frames omitted ...\nStack overflow";
        assert_eq!(comparable(interpreted), comparable(native));
        assert_ne!(comparable("a\n1\n"), comparable("a\n2\n"));
        assert_ne!(
            comparable("line 3, column 7"),
            comparable("line 3, column 8")
        );
    }
}
