//! The JIT policy (docs/jit.md): the guard programs of `tests/jit_policy`, which only mean
//! something where there is a tier to ask the policy (not under `--no-jit`), and the exact
//! counts of the case studies `som-lib/Examples/JITPolicyExample.som` and
//! `SimdLoweringExample.som` under default tiering.

mod common;

use common::modes::Mode;
use common::programs::{comparable, header_problems, run_program, Program};
use common::{parse_header, repo_root, run_vm, som_files, DEFAULT_TIMEOUT};

/// The programs of `tests/jit_policy` with a `VM:` header (the others are helper classes).
fn guard_programs() -> Vec<Program> {
    som_files(&repo_root().join("tests/jit_policy"))
        .into_iter()
        .filter_map(|path| {
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let expectation = parse_header(&source)?
                .unwrap_or_else(|e| panic!("{}: malformed header: {e}", path.display()));
            Some(Program { path, expectation })
        })
        .collect()
}

fn check_guards(mode: Mode) {
    let programs = guard_programs();
    assert!(
        programs.len() >= 5,
        "only {} guard programs",
        programs.len()
    );
    let mut failures = Vec::new();
    for program in &programs {
        let options = mode.options_with(&["-cp", "tests/jit_policy"]);
        let outcome = run_program(program, &options, mode);
        let problems = header_problems(program, &outcome);
        if !problems.is_empty() {
            failures.push(format!(
                "{} ({}): {}\n{}",
                program.name(),
                mode.describe(),
                problems.join("; "),
                outcome.describe()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn guards_under_default_tiering() {
    check_guards(Mode::Tiered);
}

#[test]
fn guards_under_jit_always() {
    check_guards(Mode::JitAlways);
}

#[test]
fn guards_under_jit_always_with_gc_stress() {
    check_guards(Mode::JitAlwaysGcStress);
}

/// Default tiering and `--jit-always` ask the policy at other activations, but report alike.
#[test]
fn guards_report_alike_in_both_tier_modes() {
    for program in guard_programs() {
        let run = |mode: Mode| {
            let options = mode.options_with(&["-cp", "tests/jit_policy"]);
            run_program(&program, &options, mode)
        };
        let (tiered, always) = (run(Mode::Tiered), run(Mode::JitAlways));
        assert_eq!(tiered.code, always.code, "{}", program.name());
        assert_eq!(comparable(&tiered.stdout), comparable(&always.stdout));
        assert_eq!(comparable(&tiered.stderr), comparable(&always.stderr));
    }
}

/// The lines a case study of `som-lib/Examples` prints under default tiering; it must succeed.
fn case_study_lines(example: &str) -> Vec<String> {
    let path = format!("som-lib/Examples/{example}");
    let outcome = run_vm(&[path.as_str()], &repo_root(), DEFAULT_TIMEOUT);
    assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
    outcome.stdout.lines().map(String::from).collect()
}

/// The hot method, which inlines a send, is compiled in each of 20 rounds without a policy
/// (19 recompilations) and recompiled twice with the cap of 2; one doing arithmetic only is
/// kept across the rounds (19 renewals, no recompilation).
#[test]
fn the_case_study_caps_recompilations_at_two() {
    let lines = case_study_lines("JITPolicyExample.som");
    assert!(lines.len() >= 3, "{lines:?}");
    assert!(
        lines[0].starts_with("default policy: tick: recompiled 19 times;"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("ExampleRecompilationCap: tick: recompiled 2 times;"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("arithmetic only: tick: recompiled 0 times;")
            && lines[2].contains(" 19 renewals,"),
        "{lines:?}"
    );
}

/// `add:into:`'s loop is compiled as a kernel on its own and within its method (2 kernels),
/// installing `SimdLowering` retires both units, and both come back with vector code.
#[test]
fn the_simd_case_study_recompiles_the_kernels_with_vector_code() {
    let lines = case_study_lines("SimdLoweringExample.som");
    let expected_ends = [
        "kernels compiled: 2 (vector code: 0)",
        "JIT lowering: SimdLowering new retired 2 compiled units",
        "kernels compiled: 2 (vector code: 2)",
        "kernels compiled: 0 (vector code: 0)",
        "the same floats: true",
    ];
    assert_eq!(lines.len(), expected_ends.len(), "{lines:?}");
    for (line, end) in lines.iter().zip(expected_ends) {
        assert!(line.ends_with(end), "{line:?} should end with {end:?}");
    }
}
