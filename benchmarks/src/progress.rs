//! Progress on stderr: which benchmark, which VM, which run, and (on a
//! terminal) which iteration.

use crate::measure::{Job, Plan};
use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    enabled: bool,
    /// Rewrites the current line as iterations finish (stderr is a terminal).
    live: bool,
    line: String,
    iterations: u32,
    done: u32,
    started: Instant,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            live: enabled && std::io::stderr().is_terminal(),
            line: String::new(),
            iterations: 0,
            done: 0,
            started: Instant::now(),
        }
    }

    /// A VM process is about to start.
    pub fn start_run(
        &mut self,
        index: usize,
        count: usize,
        job: &Job,
        vm: &str,
        run: u32,
        plan: &Plan,
    ) {
        let width = count.to_string().len();
        self.line = format!(
            "[{:>width$}/{count}] {} (inner {}) on {vm}",
            index + 1,
            job.benchmark.name,
            job.inner
        );
        if plan.runs > 1 {
            self.line.push_str(&format!(", run {run}/{}", plan.runs));
        }
        self.iterations = plan.iterations;
        self.done = 0;
        self.started = Instant::now();
        self.show(": starting");
    }

    /// An iteration of the running process reported its runtime.
    pub fn iteration(&mut self, micros: u64) {
        self.done += 1;
        if self.live {
            let text = format!(
                ": iteration {}/{} took {:.1} ms",
                self.done,
                self.iterations,
                micros as f64 / 1000.0
            );
            self.show(&text);
        }
    }

    /// The process ended.
    pub fn finish_run(&mut self, result: &Result<Vec<u64>, String>) {
        let seconds = self.started.elapsed().as_secs_f64();
        let text = match result {
            Ok(_) => format!(
                ": ok, {} iteration{} in {seconds:.1} s",
                self.done,
                if self.done == 1 { "" } else { "s" }
            ),
            Err(failure) => format!(
                ": FAILED ({})",
                failure.lines().next().unwrap_or("no reason given")
            ),
        };
        self.show(&text);
        if self.enabled {
            eprintln!();
        }
    }

    fn show(&self, status: &str) {
        if !self.enabled {
            return;
        }
        let mut err = std::io::stderr().lock();
        if self.live {
            // Back to the start of the line, and clear its end.
            let _ = write!(err, "\r{}{status}\x1b[K", self.line);
        } else if status == ": starting" {
            let _ = write!(err, "{} ...", self.line);
        } else {
            let _ = write!(err, "{status}");
        }
        let _ = err.flush();
    }
}
