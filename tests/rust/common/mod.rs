//! Shared helpers of Yerba's integration tests: running the `yerba` binary
//! with a time limit, reading the `VM:` header of expected-output programs,
//! and matching actual output against expected lines.
//!
//! Matching rules (the same as SOM's IntegrationTests, minus lower-casing):
//! lines are compared after trimming; the expected lines must occur in order
//! as a subsequence of the actual lines; a line `...` alone skips; an expected
//! line containing `...` matches an actual line that contains all the pieces
//! between the `...`s, in order.
#![allow(dead_code)]

pub mod modes;
pub mod programs;

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The `yerba` binary under test.
pub fn yerba() -> &'static str {
    env!("CARGO_BIN_EXE_yerba")
}

/// The repository root (the workspace directory holding `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the yerba package lives one level below the repository root")
        .to_path_buf()
}

/// The default time limit for one VM run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// What one run of the VM did.
#[derive(Debug)]
pub struct RunOutcome {
    /// The exit code, if the process exited normally.
    pub code: Option<i32>,
    /// The signal that killed the process, if any (Unix only).
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// True when the run exceeded its time limit and was killed.
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl RunOutcome {
    /// A readable account of the run, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "exit code: {:?}, signal: {:?}, timed out: {}, elapsed: {:.1?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code,
            self.signal,
            self.timed_out,
            self.elapsed,
            tail(&self.stdout, 8000),
            tail(&self.stderr, 8000)
        )
    }

    /// A problem that no run of the VM may ever show, whatever its input:
    /// a Rust panic, death by a signal, or a crash exit code.
    pub fn crash(&self) -> Option<String> {
        if self.stderr.contains("panicked") {
            return Some("the VM panicked".to_string());
        }
        if let Some(signal) = self.signal {
            return Some(format!("the VM was killed by signal {signal}"));
        }
        if self.code.is_none() && !self.timed_out {
            return Some("the VM ended without an exit code".to_string());
        }
        None
    }
}

/// The last `max` bytes of `text` (on a character boundary), marked if cut.
pub fn tail(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[... {} bytes cut ...]{}", start, &text[start..])
}

/// Runs `yerba` with `args` in `cwd`, killing it after `timeout`.
pub fn run_vm<S: AsRef<OsStr>>(args: &[S], cwd: &Path, timeout: Duration) -> RunOutcome {
    let start = Instant::now();
    let mut child = Command::new(yerba())
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("RUST_BACKTRACE", "0")
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", yerba()));
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() >= timeout => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().expect("wait for the killed VM");
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("cannot wait for the VM: {e}"),
        }
    };
    let elapsed = start.elapsed();
    RunOutcome {
        code: status.code(),
        signal: if timed_out { None } else { signal_of(&status) },
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        timed_out,
        elapsed,
    }
}

fn drain<R: Read + Send + 'static>(mut pipe: R) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_status: &std::process::ExitStatus) -> Option<i32> {
    None
}

/// The exit status a program expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedStatus {
    /// `success`: exit code 0.
    Success,
    /// `error`: exit code 1.
    Error,
    /// A number: that exit code.
    Code(i32),
}

impl ExpectedStatus {
    pub fn code(self) -> i32 {
        match self {
            ExpectedStatus::Success => 0,
            ExpectedStatus::Error => 1,
            ExpectedStatus::Code(c) => c,
        }
    }
}

/// The expectations of a program, from its `VM:` header comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub status: ExpectedStatus,
    pub args: Vec<String>,
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
}

/// Reads the `VM:` header at the very top of a program.
///
/// Answers `None` when the file has no such header (helper classes), and
/// `Some(Err(..))` when the header is malformed.
pub fn parse_header(source: &str) -> Option<Result<Expectation, String>> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let body = source.strip_prefix('"')?;
    let end = body.find('"')?;
    let comment = &body[..end];
    let mut lines = comment.lines().skip_while(|l| l.trim().is_empty());
    if lines.next()?.trim() != "VM:" {
        return None;
    }
    Some(parse_header_body(lines))
}

fn parse_header_body<'a>(lines: impl Iterator<Item = &'a str>) -> Result<Expectation, String> {
    let mut status = None;
    let mut args = Vec::new();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    // Which block the indented lines belong to: 1 = stdout, 2 = stderr.
    let mut block = 0;
    for line in lines {
        let indent = line.len() - line.trim_start().len();
        if line.trim().is_empty() {
            match block {
                1 => stdout.push(String::new()),
                2 => stderr.push(String::new()),
                _ => {}
            }
            continue;
        }
        if indent >= 4 && block != 0 {
            let text = line.trim().to_string();
            if block == 1 {
                stdout.push(text);
            } else {
                stderr.push(text);
            }
            continue;
        }
        let (key, value) = line
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("header line without a key: {line:?}"))?;
        let value = value.trim();
        block = 0;
        match key.trim() {
            "status" => {
                status = Some(match value {
                    "success" => ExpectedStatus::Success,
                    "error" => ExpectedStatus::Error,
                    n => ExpectedStatus::Code(n.parse().map_err(|_| format!("bad status {n:?}"))?),
                })
            }
            "args" => args = value.split_whitespace().map(str::to_string).collect(),
            "stdout" => block = 1,
            "stderr" => block = 2,
            // Keys of SOM's IntegrationTests that do not apply to Yerba.
            "custom_classpath" | "case_sensitive" => {}
            other => return Err(format!("unknown header key {other:?}")),
        }
    }
    for lines in [&mut stdout, &mut stderr] {
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
    }
    Ok(Expectation {
        status: status.ok_or("the header has no status")?,
        args,
        stdout,
        stderr,
    })
}

/// Does one actual line match one expected line?
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let expected = expected.trim();
    let actual = actual.trim();
    if !expected.contains("...") {
        return expected == actual;
    }
    let mut rest = actual;
    for piece in expected.split("...") {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Checks that `expected` occurs in order in the lines of `actual`; on a
/// mismatch names the first expected line that could not be found.
pub fn match_lines(expected: &[String], actual: &str) -> Result<(), String> {
    let actual: Vec<&str> = actual.lines().collect();
    let mut next = 0;
    for (i, want) in expected.iter().enumerate() {
        if want.trim() == "..." {
            continue;
        }
        match actual[next..]
            .iter()
            .position(|line| line_matches(want, line))
        {
            Some(offset) => next += offset + 1,
            None => {
                return Err(format!(
                    "expected line {} {:?} not found after actual line {}",
                    i + 1,
                    want,
                    next
                ))
            }
        }
    }
    Ok(())
}

/// The `.som` files directly inside `dir`, sorted.
pub fn som_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "som"))
        .collect();
    files.sort();
    files
}

/// Runs `job` on every item with a few worker threads; answers the results in
/// the order of `items`.
pub fn parallel_map<T, R, F>(items: Vec<T>, job: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    let workers = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2);
    let queue = std::sync::Mutex::new(items.into_iter().enumerate().collect::<Vec<_>>());
    let results = std::sync::Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let item = queue.lock().expect("queue").pop();
                let Some((index, item)) = item else { break };
                let result = job(item);
                results.lock().expect("results").push((index, result));
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, r)| r).collect()
}

/// A fresh, empty temporary directory for one test; `remove_dir_all` it when done.
pub fn fresh_temp_dir(label: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("yerba-test-{label}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}
