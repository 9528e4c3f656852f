//! Progress on stderr: which benchmark, which VM, which run, and (on a
//! terminal) an indicatif bar of the run's iterations with the last one's
//! runtime. Every run ends with one line saying how it went, so that a log
//! (stderr not a terminal, where indicatif draws nothing) has the same story.

use crate::measure::{Job, Plan};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

pub struct Progress {
    enabled: bool,
    /// Draw a bar while a run goes (stderr is a terminal).
    live: bool,
    /// What runs: `[ 3/14] Sieve (inner 100) on yerba, run 2/3`.
    line: String,
    bar: Option<ProgressBar>,
    done: u32,
    started: Instant,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            live: enabled && std::io::stderr().is_terminal(),
            line: String::new(),
            bar: None,
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
        self.done = 0;
        self.started = Instant::now();
        if self.live {
            let style = ProgressStyle::with_template(
                "{prefix}: [{bar:24}] {pos}/{len} iterations, {elapsed} {msg}",
            )
            .expect("a valid progress template")
            .progress_chars("=> ");
            let bar = ProgressBar::with_draw_target(
                Some(plan.iterations.into()),
                ProgressDrawTarget::stderr(),
            )
            .with_style(style)
            .with_prefix(self.line.clone());
            // The elapsed time moves on even while a VM that buffers its
            // output when piped reports no iteration.
            bar.enable_steady_tick(Duration::from_millis(250));
            self.bar = Some(bar);
        } else if self.enabled {
            eprint!("{} ...", self.line);
        }
    }

    /// An iteration of the running process reported its runtime.
    pub fn iteration(&mut self, micros: u64) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.set_message(format!("(last {:.1} ms)", micros as f64 / 1000.0));
            bar.inc(1);
        }
    }

    /// The process ended.
    pub fn finish_run(&mut self, result: &Result<Vec<u64>, String>) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            eprint!("{}", self.line);
        }
        if !self.enabled {
            return;
        }
        let seconds = self.started.elapsed().as_secs_f64();
        match result {
            Ok(_) => eprintln!(
                ": ok, {} iteration{} in {seconds:.1} s",
                self.done,
                if self.done == 1 { "" } else { "s" }
            ),
            Err(failure) => eprintln!(
                ": FAILED ({})",
                failure.lines().next().unwrap_or("no reason given")
            ),
        }
    }
}
