//! Running the expected-output programs of `tests/programs` in several modes:
//! every run must satisfy the program's `VM:` header, and every mode of a
//! program must print exactly what its first mode printed (the interpreter's
//! output is the reference the native tier must reproduce).

use super::modes::Mode;
use super::{
    match_lines, parallel_map, parse_header, repo_root, run_vm, som_files, Expectation, RunOutcome,
    DEFAULT_TIMEOUT,
};
use std::path::PathBuf;

/// An expected-output program: a `.som` file of `tests/programs` with a `VM:` header.
#[derive(Debug, Clone)]
pub struct Program {
    pub path: PathBuf,
    pub expectation: Expectation,
}

impl Program {
    /// The file name without `.som`, which is also the class name.
    pub fn name(&self) -> &str {
        self.path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("")
    }
}

/// Programs whose output depends on how long things take (they print times),
/// or on the mode (they print what the native tier did), so that two runs
/// never print exactly the same; their headers match around those figures.
const OUTPUT_WITH_TIMES: &[&str] = &[
    "example_memory_policy",
    "example_jit_policy",
    "example_simd_lowering",
];

/// The programs of `tests/programs` whose name `keep` accepts; fails on a
/// malformed header.
pub fn programs_where(keep: impl Fn(&str) -> bool) -> Vec<Program> {
    let mut malformed = Vec::new();
    let mut programs = Vec::new();
    for path in som_files(&repo_root().join("tests/programs")) {
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        match parse_header(&source) {
            None => {}
            Some(Ok(expectation)) => programs.push(Program { path, expectation }),
            Some(Err(e)) => malformed.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        malformed.is_empty(),
        "malformed headers:\n{}",
        malformed.join("\n")
    );
    programs.retain(|program| keep(program.name()));
    programs
}

/// The programs whose name starts with one of `prefixes`.
pub fn programs_starting_with(prefixes: &[&str]) -> Vec<Program> {
    programs_where(|name| prefixes.iter().any(|prefix| name.starts_with(prefix)))
}

/// Runs `program` after the VM options `options`.
pub fn run_program(program: &Program, options: &[String], mode: Mode) -> RunOutcome {
    let mut args: Vec<_> = options.iter().map(Into::into).collect();
    args.push(program.path.clone().into_os_string());
    args.extend(program.expectation.args.iter().map(Into::into));
    run_vm(&args, &repo_root(), mode.time_limit(DEFAULT_TIMEOUT))
}

/// What `outcome` does differently from what the header of `program` expects.
pub fn header_problems(program: &Program, outcome: &RunOutcome) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(crash) = outcome.crash() {
        problems.push(crash);
    }
    if outcome.timed_out {
        problems.push("timed out".to_string());
    }
    let want = program.expectation.status.code();
    if !outcome.timed_out && outcome.code != Some(want) {
        problems.push(format!("exit code {:?}, expected {want}", outcome.code));
    }
    if let Err(e) = match_lines(&program.expectation.stdout, &outcome.stdout) {
        problems.push(format!("stdout: {e}"));
    }
    if let Err(e) = match_lines(&program.expectation.stderr, &outcome.stderr) {
        problems.push(format!("stderr: {e}"));
    }
    problems
}

/// `output` with what may rightly differ between modes made equal: how many
/// frames a traceback after stack exhaustion leaves out (native frames are
/// not the interpreter's size, so the stack holds another number of them).
pub fn comparable(output: &str) -> String {
    output
        .lines()
        .map(|line| match line.trim().strip_prefix("... ") {
            Some(rest) if rest.ends_with(" frames omitted ...") => "  ... frames omitted ...",
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first line where `a` and `b` differ, for failure messages.
fn first_difference(a: &str, b: &str) -> String {
    let (a, b) = (comparable(a), comparable(b));
    let mut a_lines = a.lines();
    let mut b_lines = b.lines();
    for number in 1.. {
        match (a_lines.next(), b_lines.next()) {
            (Some(x), Some(y)) if x == y => {}
            (None, None) => break,
            (x, y) => return format!("line {number}: {x:?} versus {y:?}"),
        }
    }
    "no difference".to_string()
}

/// Runs every program in each of the modes `modes_of` chooses for it (with
/// the options `extra` after the mode's own), all runs in parallel; answers a
/// description of every failure: a run that does not satisfy the header, or
/// a mode whose exit code, stdout or stderr differs from the first mode's.
pub fn check_in_modes(
    programs: &[Program],
    modes_of: impl Fn(&Program) -> Vec<Mode> + Sync,
    extra: &[&str],
) -> Vec<String> {
    let runs: Vec<(usize, Mode)> = programs
        .iter()
        .enumerate()
        .flat_map(|(index, program)| modes_of(program).into_iter().map(move |m| (index, m)))
        .collect();
    let outcomes = parallel_map(runs.clone(), |(index, mode)| {
        run_program(&programs[index], &mode.options_with(extra), mode)
    });
    let mut failures = Vec::new();
    let mut reference: Option<(usize, Mode, &RunOutcome)> = None;
    for (&(index, mode), outcome) in runs.iter().zip(&outcomes) {
        let program = &programs[index];
        let what = format!(
            "{} in mode {} {}",
            program.name(),
            mode.describe(),
            extra.join(" ")
        );
        let mut problems = header_problems(program, outcome);
        match reference {
            Some((first, _, _)) if first != index => reference = Some((index, mode, outcome)),
            None => reference = Some((index, mode, outcome)),
            Some((_, first_mode, first)) if !OUTPUT_WITH_TIMES.contains(&program.name()) => {
                let versus = format!("than in mode {}", first_mode.describe());
                if outcome.code != first.code {
                    problems.push(format!("another exit code {versus}: {:?}", outcome.code));
                }
                if comparable(&outcome.stdout) != comparable(&first.stdout) {
                    let line = first_difference(&outcome.stdout, &first.stdout);
                    problems.push(format!("another stdout {versus}: {line}"));
                }
                if comparable(&outcome.stderr) != comparable(&first.stderr) {
                    let line = first_difference(&outcome.stderr, &first.stderr);
                    problems.push(format!("another stderr {versus}: {line}"));
                }
            }
            Some(_) => {}
        }
        if !problems.is_empty() {
            failures.push(format!(
                "=== {what} ===\n{}\ncommand line: {} {} {}\n{}",
                problems.join("\n"),
                super::yerba(),
                mode.options_with(extra).join(" "),
                program.path.display(),
                outcome.describe()
            ));
        }
    }
    failures
}

/// Fails with every failure `check_in_modes` found among `total` runs' programs.
pub fn assert_no_failures(failures: Vec<String>, total: usize) {
    assert!(
        failures.is_empty(),
        "{} failures among {total} programs:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
