//! `benchmarks`: runs the AWFY and micro benchmarks on Yerba; see `--help`.

use benchmarks::cli::{self, Options};
use benchmarks::measure::{self, Results};
use benchmarks::progress::Progress;
use benchmarks::{csv, json, suite, svg};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Usage errors end here, with clap's message and status 2.
    let options = Options::parse();
    if options.list {
        print!("{}", cli::list());
        return ExitCode::SUCCESS;
    }
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => usage_error(&message),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("benchmarks: {message}");
    eprintln!("Try `benchmarks --help`.");
    ExitCode::from(2)
}

/// Runs the benchmarks and writes the report; answers whether all verified.
fn run(options: &Options) -> Result<bool, String> {
    let plan = options.plan()?;
    for vm in &plan.vms {
        vm.check_program()?;
    }
    let harness = suite::harness(&plan.bench_dir);
    if !harness.is_file() {
        return Err(format!(
            "no harness {} (see --bench-dir)",
            harness.display()
        ));
    }
    let results = measure::execute(plan, &mut Progress::new(!options.quiet));
    print!("{}", benchmarks::report::render(&results));
    print!("{}", benchmarks::pairs::render(&results));
    write_files(options, &results)?;
    Ok(results.all_verified())
}

fn write_files(options: &Options, results: &Results) -> Result<(), String> {
    type Writer = fn(&Results) -> String;
    let writers: [(&Option<PathBuf>, Writer); 3] = [
        (&options.csv, csv::write),
        (&options.json, json::write),
        (&options.svg, svg::write),
    ];
    for (path, write) in writers {
        if let Some(path) = path {
            save(path, &write(results))?;
        }
    }
    Ok(())
}

fn save(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("Wrote {}", path.display());
    Ok(())
}
