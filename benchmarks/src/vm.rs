//! Running one VM process on the Harness and collecting what it did.

use crate::{harness, suite};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// A VM to benchmark: a label for reports and a command line (the program
/// and its options, before the Harness arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vm {
    pub label: String,
    pub command: Vec<String>,
}

impl Vm {
    /// A VM from a command line, split on whitespace.
    pub fn parse(label: impl Into<String>, command_line: &str) -> Result<Vm, String> {
        let command: Vec<String> = command_line
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if command.is_empty() {
            return Err("the VM command line is empty".to_string());
        }
        Ok(Vm {
            label: label.into(),
            command,
        })
    }

    /// The workspace's release build, `target/release/yerba`.
    pub fn default_yerba() -> Vm {
        let program = suite::workspace_root().join("target/release/yerba");
        Vm {
            label: "yerba".to_string(),
            command: vec![program.display().to_string()],
        }
    }

    pub fn program(&self) -> &str {
        &self.command[0]
    }

    /// The command line as one string, for reports.
    pub fn command_line(&self) -> String {
        self.command.join(" ")
    }

    /// Checks that the program exists when it is given as a path, for an early
    /// and clear error instead of one failure per benchmark.
    pub fn check_program(&self) -> Result<(), String> {
        let program = Path::new(self.program());
        if program.components().count() > 1 && !program.is_file() {
            return Err(format!(
                "the VM {} does not exist{}",
                program.display(),
                if self.program().ends_with("target/release/yerba") {
                    " (build it with `cargo build --release -p yerba`, or give --vm)"
                } else {
                    ""
                }
            ));
        }
        Ok(())
    }
}

/// What to run: a benchmark of a benchmarks directory with its iterations.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub bench_dir: PathBuf,
    pub benchmark: String,
    /// Outer iterations: each one prints a runtime line.
    pub iterations: u32,
    /// Inner iterations: the problem size.
    pub inner: u32,
}

impl Invocation {
    /// The VM arguments: `-cp <class path> <dir>/Harness.som <Bench> <outer> <inner>`.
    pub fn args(&self) -> Vec<String> {
        vec![
            "-cp".to_string(),
            suite::class_path(&self.bench_dir),
            suite::harness(&self.bench_dir).display().to_string(),
            self.benchmark.clone(),
            self.iterations.to_string(),
            self.inner.to_string(),
        ]
    }
}

/// What one VM process did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The exit code, if the process exited normally.
    pub code: Option<i32>,
    /// The signal that ended it, if any.
    pub signal: Option<i32>,
    /// True when the runner killed it at its time limit.
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Outcome {
    /// The runtimes of a run that verified: exit status 0 and the complete
    /// Harness output; otherwise what went wrong, with the output's tails.
    pub fn verify(&self, benchmark: &str, iterations: u32) -> Result<Vec<u64>, String> {
        let problem = if self.timed_out {
            Some(format!("timed out after {:.1?}", self.elapsed))
        } else if let Some(signal) = self.signal {
            Some(format!("killed by signal {signal}"))
        } else if self.code != Some(0) {
            Some(match self.code {
                Some(code) => format!("exit status {code}"),
                None => "no exit status".to_string(),
            })
        } else {
            None
        };
        let result = match problem {
            Some(problem) => Err(problem),
            None => harness::check(&self.stdout, benchmark, iterations),
        };
        result.map_err(|problem| format!("{problem}\n{}", self.tails()))
    }

    /// The ends of stdout (where `ERROR: ...` of a failed verification goes)
    /// and stderr (tracebacks, panics).
    pub fn tails(&self) -> String {
        let mut text = String::new();
        for (name, output, lines) in [("stdout", &self.stdout, 5), ("stderr", &self.stderr, 15)] {
            let tail = harness::tail(output, lines);
            if !tail.is_empty() {
                text.push_str(&format!("--- {name} (last lines) ---\n{tail}\n"));
            }
        }
        text
    }
}

/// Runs `vm` on `invocation`, killing it after `timeout` if given; calls
/// `on_stdout_line` with each line of its stdout as it appears.
pub fn run(
    vm: &Vm,
    invocation: &Invocation,
    timeout: Option<Duration>,
    mut on_stdout_line: impl FnMut(&str),
) -> io::Result<Outcome> {
    let start = Instant::now();
    let mut child = Command::new(vm.program())
        .args(&vm.command[1..])
        .args(invocation.args())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot start {}: {e}", vm.program())))?;
    let lines = read_lines(child.stdout.take().expect("stdout is piped"));
    let stderr = read_all(child.stderr.take().expect("stderr is piped"));
    let over_time = |start: Instant| timeout.is_some_and(|limit| start.elapsed() >= limit);

    let mut stdout = String::new();
    let mut timed_out = false;
    loop {
        match lines.recv_timeout(Duration::from_millis(20)) {
            Ok(line) => {
                on_stdout_line(&line);
                stdout.push_str(&line);
                stdout.push('\n');
            }
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {}
        }
        if over_time(start) {
            timed_out = true;
            break;
        }
    }
    let status = wait(&mut child, || {
        timed_out = timed_out || over_time(start);
        timed_out
    })?;
    let elapsed = start.elapsed();
    Ok(Outcome {
        code: status.code(),
        signal: if timed_out { None } else { signal_of(&status) },
        timed_out,
        stdout,
        stderr: stderr.join().unwrap_or_default(),
        elapsed,
    })
}

/// Waits for `child`, killing it as soon as `kill_now` says so.
fn wait(child: &mut Child, mut kill_now: impl FnMut() -> bool) -> io::Result<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if kill_now() {
            let _ = child.kill();
            return child.wait();
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// The lines of `pipe`, sent one by one from a reader thread.
fn read_lines<R: Read + Send + 'static>(pipe: R) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut bytes = Vec::new();
        loop {
            bytes.clear();
            match reader.read_until(b'\n', &mut bytes) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&bytes);
                    let line = line.trim_end_matches(['\n', '\r']).to_string();
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    receiver
}

/// All of `pipe`, read on a thread.
fn read_all<R: Read + Send + 'static>(mut pipe: R) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[cfg(unix)]
fn signal_of(status: &ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_status: &ExitStatus) -> Option<i32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(code: Option<i32>, stdout: &str) -> Outcome {
        Outcome {
            code,
            signal: None,
            timed_out: false,
            stdout: stdout.to_string(),
            stderr: String::new(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn a_command_line_splits_on_whitespace() {
        let vm = Vm::parse("A", "  target/release/yerba   --gc-stress ").unwrap();
        assert_eq!(vm.command, ["target/release/yerba", "--gc-stress"]);
        assert_eq!(vm.program(), "target/release/yerba");
        assert!(Vm::parse("A", "   ").is_err());
    }

    #[test]
    fn invocation_arguments_follow_the_standard_command_line() {
        let invocation = Invocation {
            bench_dir: PathBuf::from("b"),
            benchmark: "Sieve".to_string(),
            iterations: 10,
            inner: 100,
        };
        let args = invocation.args();
        assert_eq!(args[0], "-cp");
        assert!(args[1].starts_with("b:b/Core:"), "{}", args[1]);
        assert_eq!(&args[2..], ["b/Harness.som", "Sieve", "10", "100"]);
    }

    #[test]
    fn a_failing_exit_status_is_reported_with_the_output_tail() {
        let failed = outcome(
            Some(1),
            "Starting Sieve benchmark ...\nERROR: Benchmark failed with incorrect result\n",
        );
        let err = failed.verify("Sieve", 1).unwrap_err();
        assert!(err.starts_with("exit status 1"), "{err}");
        assert!(err.contains("ERROR: Benchmark failed"), "{err}");
    }

    #[test]
    fn a_clean_exit_still_needs_the_harness_lines() {
        let err = outcome(Some(0), "").verify("Sieve", 1).unwrap_err();
        assert!(err.contains("Starting Sieve benchmark"), "{err}");
        let ok = "Starting Sieve benchmark ... \nSieve: iterations=1 runtime: 42us\n\
                  Sieve: iterations=1 average: 42us total: 42us\nTotal Runtime: 42us\n";
        assert_eq!(outcome(Some(0), ok).verify("Sieve", 1), Ok(vec![42]));
    }

    #[cfg(unix)]
    #[test]
    fn runs_a_process_and_streams_its_lines() {
        // `sh -c <script> <$0> ...`: the script ignores the Harness arguments.
        let vm = Vm {
            label: "sh".to_string(),
            command: vec![
                "sh".into(),
                "-c".into(),
                "echo one; echo two; echo oops >&2; exit 3".into(),
            ],
        };
        let invocation = Invocation {
            bench_dir: PathBuf::from("."),
            benchmark: "X".to_string(),
            iterations: 1,
            inner: 1,
        };
        let mut seen = Vec::new();
        let outcome = run(&vm, &invocation, None, |l| seen.push(l.to_string())).unwrap();
        assert_eq!(seen, ["one", "two"]);
        assert_eq!(outcome.code, Some(3));
        assert_eq!(outcome.stderr, "oops\n");
        assert!(!outcome.timed_out);
    }

    #[cfg(unix)]
    #[test]
    fn vm_options_come_before_the_class_path() {
        // `sh -c <script> <$0> <$1> ...`: $0 stands for the program, the
        // script prints the arguments the VM gets, one per line.
        let vm = Vm {
            label: "A".to_string(),
            command: vec![
                "sh".into(),
                "-c".into(),
                "for a in \"$@\"; do echo \"$a\"; done".into(),
                "yerba".into(),
                "--no-mop".into(),
            ],
        };
        let invocation = Invocation {
            bench_dir: PathBuf::from("b"),
            benchmark: "Sieve".to_string(),
            iterations: 2,
            inner: 3,
        };
        let mut seen = Vec::new();
        run(&vm, &invocation, None, |l| seen.push(l.to_string())).unwrap();
        assert_eq!(seen[0], "--no-mop");
        assert_eq!(seen[1], "-cp");
        assert_eq!(&seen[3..], ["b/Harness.som", "Sieve", "2", "3"]);
    }

    #[cfg(unix)]
    #[test]
    fn kills_a_process_at_its_time_limit() {
        let vm = Vm {
            label: "sh".to_string(),
            command: vec!["sh".into(), "-c".into(), "exec sleep 5".into()],
        };
        let invocation = Invocation {
            bench_dir: PathBuf::from("."),
            benchmark: "X".to_string(),
            iterations: 1,
            inner: 1,
        };
        let outcome = run(&vm, &invocation, Some(Duration::from_millis(100)), |_| {}).unwrap();
        assert!(outcome.timed_out);
        assert!(outcome.elapsed < Duration::from_secs(4));
        assert!(outcome.verify("X", 1).unwrap_err().starts_with("timed out"));
    }
}
