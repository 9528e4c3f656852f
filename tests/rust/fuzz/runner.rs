//! Running fuzz cases against the binary: each case in a directory of its
//! own, a few at a time across all fuzz tests, until the planned number of
//! cases or the time budget is spent; judging how each run ended; and
//! reports that name the seed and the case and keep the failing program on
//! disk so it can be run by hand.

use crate::common::{fresh_temp_dir, run_vm, tail, yerba, RunOutcome};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Bounds the memory of every run (mutated and generated programs may
/// allocate without end).
const HEAP_LIMIT_MIB: &str = "256";

/// One program to run: its files and the command line after the VM options,
/// relative to the directory the files are written to.
pub struct Program {
    pub files: Vec<(String, Vec<u8>)>,
    pub arguments: Vec<String>,
}

/// How one case is run and judged.
pub struct Case {
    pub index: usize,
    /// What the case is, for reports ("mutation of Vector.som").
    pub label: String,
    pub program: Program,
    /// Run under `--gc-stress` (alone, or as the second run of a differential case).
    pub gc_stress: bool,
    /// Run twice, normally and under `--gc-stress`; both must print the same
    /// stdout and end with the same status when both finish in time.
    pub differential: bool,
    /// Exit codes the program may end with (0 and 1, plus any it asks for).
    pub allowed_codes: Vec<i32>,
    pub timeout: Duration,
}

/// How many cases to run, and until when.
pub struct Plan {
    pub seed: u64,
    pub cases: usize,
    pub deadline: Instant,
}

/// What a campaign of one kind of case found.
#[derive(Default)]
pub struct Summary {
    pub ran: usize,
    pub exit_codes: std::collections::BTreeMap<i32, usize>,
    pub compared: usize,
    pub timeouts: Vec<String>,
    pub failures: Vec<String>,
}

impl Summary {
    pub fn describe(&self, kind: &str, seed: u64) -> String {
        let codes: Vec<String> = self
            .exit_codes
            .iter()
            .map(|(code, n)| format!("exit {code}: {n}"))
            .collect();
        format!(
            "{kind} (seed {seed}): {} cases run ({}), {} compared with --gc-stress, {} timed out, {} failed",
            self.ran,
            codes.join(", "),
            self.compared,
            self.timeouts.len(),
            self.failures.len()
        )
    }
}

/// Runs case `0`, `1`, ... made by `make` on a few worker threads, until the
/// plan's number of cases or its deadline is reached.
pub fn run_campaign<F>(kind: &str, plan: &Plan, make: F) -> Summary
where
    F: Fn(usize) -> Case + Sync,
{
    let next = AtomicUsize::new(0);
    let summary = Mutex::new(Summary::default());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= plan.cases || Instant::now() >= plan.deadline {
                    break;
                }
                let case = make(index);
                let judged = judge(kind, &case, plan.seed);
                let mut summary = summary.lock().expect("summary");
                summary.ran += 1;
                for code in judged.codes {
                    *summary.exit_codes.entry(code).or_default() += 1;
                }
                summary.compared += usize::from(judged.compared);
                if judged.timed_out {
                    summary
                        .timeouts
                        .push(format!("{} ({})", case.index, case.label));
                }
                summary.failures.extend(judged.failure);
            });
        }
    });
    summary.into_inner().expect("summary")
}

/// Fails the test on any failure, or when more than a tenth of the cases
/// timed out (a sign that the budget is too small for the machine, or of a
/// VM that hangs).
pub fn assert_clean(kind: &str, seed: u64, summary: &Summary) {
    eprintln!("{}", summary.describe(kind, seed));
    if !summary.timeouts.is_empty() {
        eprintln!("{kind}: timed out: {}", summary.timeouts.join(", "));
    }
    assert!(
        summary.failures.is_empty(),
        "{}\n\n{}",
        summary.describe(kind, seed),
        summary.failures.join("\n\n")
    );
    assert!(
        summary.timeouts.len() * 10 <= summary.ran.max(10),
        "{}: too many time-outs: {}",
        summary.describe(kind, seed),
        summary.timeouts.join(", ")
    );
}

/// The verdict on one case.
struct Judged {
    codes: Vec<i32>,
    compared: bool,
    timed_out: bool,
    failure: Option<String>,
}

fn judge(kind: &str, case: &Case, seed: u64) -> Judged {
    let first = run(case, case.gc_stress && !case.differential);
    let mut judged = Judged {
        codes: first.code.into_iter().collect(),
        compared: false,
        timed_out: first.timed_out,
        failure: None,
    };
    let fail = |why: String, outcome: &RunOutcome, stress: bool| {
        Some(report(kind, case, seed, &why, outcome, stress))
    };
    if let Some(why) = problem(case, &first) {
        judged.failure = fail(why, &first, case.gc_stress && !case.differential);
        return judged;
    }
    if !case.differential {
        return judged;
    }
    let stressed = run(case, true);
    if let Some(why) = problem(case, &stressed) {
        judged.failure = fail(format!("under --gc-stress: {why}"), &stressed, true);
        return judged;
    }
    if first.timed_out || stressed.timed_out {
        return judged;
    }
    judged.compared = true;
    if first.stdout != stressed.stdout || first.code != stressed.code {
        let why = format!(
            "--gc-stress changes the result: without it exit code {:?} and stdout\n{}\n--- end of stdout without --gc-stress ---",
            first.code,
            tail(&first.stdout, 4000)
        );
        judged.failure = fail(why, &stressed, true);
    }
    judged
}

/// What is wrong with one run, if anything (a time-out is not wrong here).
fn problem(case: &Case, outcome: &RunOutcome) -> Option<String> {
    if let Some(crash) = outcome.crash() {
        return Some(crash);
    }
    match outcome.code {
        Some(code) if !case.allowed_codes.contains(&code) => {
            Some(format!("unexpected exit code {code}"))
        }
        _ => None,
    }
}

fn options(stress: bool) -> Vec<String> {
    let mut options = vec!["--max-heap".to_string(), HEAP_LIMIT_MIB.to_string()];
    if stress {
        options.push("--gc-stress".to_string());
    }
    options
}

fn run(case: &Case, stress: bool) -> RunOutcome {
    let dir = fresh_temp_dir("fuzz");
    write_files(&dir, &case.program);
    let mut args = options(stress);
    args.extend(case.program.arguments.iter().cloned());
    let outcome = with_vm_slot(|| run_vm(&args, &dir, case.timeout));
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

fn write_files(dir: &Path, program: &Program) {
    for (name, source) in &program.files {
        std::fs::write(dir.join(name), source)
            .unwrap_or_else(|e| panic!("cannot write fuzz case {name}: {e}"));
    }
}

/// Keeps the failing program in a directory that outlives the test and says
/// how to run it again.
fn report(
    kind: &str,
    case: &Case,
    seed: u64,
    why: &str,
    outcome: &RunOutcome,
    stress: bool,
) -> String {
    let dir = failure_dir(kind, seed, case.index);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    write_files(&dir, &case.program);
    let mut command = vec![yerba().to_string()];
    command.extend(options(stress));
    command.extend(case.program.arguments.iter().cloned());
    let command = format!("cd {} && {}", dir.display(), command.join(" "));
    let _ = std::fs::write(dir.join("command.txt"), format!("{command}\n"));
    let main = case
        .program
        .files
        .first()
        .map(|(_, source)| String::from_utf8_lossy(source).into_owned())
        .unwrap_or_default();
    format!(
        "=== {kind} case {} of seed {seed} ({}): {why} ===\nprogram kept in {}\nrerun: {command}\n--- {} ---\n{}\n{}",
        case.index,
        case.label,
        dir.display(),
        case.program.files.first().map_or("", |(name, _)| name),
        tail(&main, 3000),
        outcome.describe()
    )
}

fn failure_dir(kind: &str, seed: u64, index: usize) -> PathBuf {
    let kind: String = kind
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    std::env::temp_dir()
        .join("yerba-fuzz-failures")
        .join(format!("{kind}-seed{seed}-case{index}"))
}

/// The fuzz tests run side by side; this keeps the number of VM processes
/// at the number of cores, whichever tests they belong to.
fn with_vm_slot<R>(job: impl FnOnce() -> R) -> R {
    static BUSY: Mutex<usize> = Mutex::new(0);
    static FREED: Condvar = Condvar::new();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut busy = BUSY.lock().expect("VM slots");
    while *busy >= cores {
        busy = FREED.wait(busy).expect("VM slots");
    }
    *busy += 1;
    drop(busy);
    let result = job();
    *BUSY.lock().expect("VM slots") -= 1;
    FREED.notify_one();
    result
}
