//! The command line (clap): options, benchmark selection, and the plan they
//! make. The help text is the doc comments below; `--help` shows it in full,
//! `-h` in short.

use crate::measure::{Job, Plan};
use crate::stats;
use crate::suite::{self, Benchmark, Group};
use crate::vm::Vm;
use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

/// Runs the Are-We-Fast-Yet (AWFY) benchmarks, the SOM micro-benchmarks, the
/// benchmarks of the metaobject protocol (MOP) and the kernels on Yerba, or on
/// any SOM VM, and reports or compares their runtimes.
#[derive(Parser, Debug, Clone, Default, PartialEq)]
#[command(
    name = "benchmarks",
    override_usage = "benchmarks [options] (--all | --awfy | --micro | --mop | --kernels | <Benchmark>...)
       benchmarks --pairs [options] [--mop | --kernels | <Benchmark>...]
       benchmarks --smoke [options] [--awfy | --micro | --mop | --kernels | <Benchmark>...]
       cargo run --release -p benchmarks -- <same arguments>",
    long_about = "Runs the Are-We-Fast-Yet (AWFY) benchmarks, the SOM micro-benchmarks, the
benchmarks of the metaobject protocol (MOP) and the kernels on Yerba, or on any
SOM VM, and reports or compares their runtimes.

Each run is one VM process:
  <vm> -cp <dir>:<dir>/Core:<dir>/CD:<dir>/DeltaBlue:<dir>/Havlak:<dir>/Json:
       <dir>/NBody:<dir>/Richards:<dir>/Micro:<dir>/Mop:<dir>/Kernels
       <dir>/Harness.som <Benchmark> <iterations> <inner>
The runner reads the Harness lines `<Benchmark>: iterations=1 runtime: <N>us`,
leaves out the warm-up iterations of each run, and prints per benchmark the
median, min and max of the remaining (steady-state) iterations in ms, and a
check mark when every run verified: exit status 0 and the complete Harness
output. A failing benchmark is reported with the end of its output; the other
benchmarks still run, and the runner exits with status 1. The table goes to
stdout, progress to stderr.",
    after_long_help = "Examples:
  benchmarks --all
  benchmarks Sieve Bounce -i 20 --json sieve.json
  benchmarks --smoke
  benchmarks --awfy --vm /tmp/old/yerba --name old --vm target/release/yerba --name new --svg ratios.svg
  benchmarks --pairs
  benchmarks --pairs --kernels
  benchmarks --pairs --kernels --vm \"target/release/yerba --no-jit\"
  benchmarks --awfy --vm \"target/release/yerba --no-mop\" --name no-mop --vm target/release/yerba --name mop"
)]
pub struct Options {
    /// Run every benchmark (AWFY, micro, MOP, then the kernels)
    #[arg(long, help_heading = "Selecting benchmarks")]
    pub all: bool,
    /// Run the AWFY group: Bounce CD DeltaBlue Havlak Json List Mandelbrot
    /// NBody Permute Queens Richards Sieve Storage Towers
    #[arg(long, help_heading = "Selecting benchmarks")]
    pub awfy: bool,
    /// Run the micro group: BubbleSort Dispatch Fannkuch Fibonacci FieldLoop
    /// IntegerLoop Loop QuickSort Recurse Sum TreeSort WhileLoop
    #[arg(long, help_heading = "Selecting benchmarks")]
    pub micro: bool,
    /// Run the MOP group (benchmarks/Mop/, MOP.md section 6)
    ///
    /// Each operation plain and through a metaobject (MopFieldReadPlain,
    /// MopFieldReadReflective, ...), one field-read site over 20 objects
    /// (MopSite...), DeltaBlue, NBody and Json untraced and with every
    /// activation counted (MopTrace...), a list traversal mutable, through
    /// readOnly and through a proxy (MopReadOnly...); `yerba --no-mop` refuses
    /// the MOP, so only the Plain ones run there.
    #[arg(long, help_heading = "Selecting benchmarks")]
    pub mop: bool,
    /// Run the kernels (benchmarks/Kernels/, issues 13 and 14): FillSom
    /// FillPrimitive BitBltSom BitBltPrimitive DoubleAddScalar DoubleAddSimd
    /// DoubleAddPrimitive
    ///
    /// A fill of an Array, a BitBlt-like copy of rectangles between arrays of
    /// rows and the element-wise sum of two DoubleArrays, each once written in
    /// Smalltalk (...Som; the sum as DoubleArray>>#add:into: compiled with the
    /// default scalar lowering, ...Scalar, and with a SimdLowering installed,
    /// ...Simd) and once done by a primitive of the library class Kernels
    /// (...Primitive); the table of pairs gives the ratio Smalltalk /
    /// primitive.
    #[arg(long, help_heading = "Selecting benchmarks")]
    pub kernels: bool,
    /// Run these (names ignore case); combines with the groups
    #[arg(value_name = "Benchmark", help_heading = "Selecting benchmarks")]
    pub names: Vec<String>,
    /// List the benchmarks with their sizes and the pairs, and exit
    #[arg(long, help_heading = "Selecting benchmarks")]
    pub list: bool,

    /// Outer iterations per run [default: 10]
    #[arg(short, long, value_name = "N", help_heading = "Measuring")]
    pub iterations: Option<u32>,
    /// Runs (VM processes) per benchmark and VM [default: 1; 3 when comparing
    /// two VMs or pairs]
    #[arg(short, long, value_name = "N", help_heading = "Measuring")]
    pub runs: Option<u32>,
    /// Iterations discarded at the start of every run [default: the first
    /// third, at least 1 from 2 iterations on]
    #[arg(short, long, value_name = "N", help_heading = "Measuring")]
    pub warmup: Option<u32>,
    /// Inner iterations (problem size) for every selected benchmark, instead
    /// of each one's default
    ///
    /// AWFY's: Bounce 50, CD 10, DeltaBlue 2000, Havlak 1, Json 10, List 50,
    /// Mandelbrot 500, NBody 250000, Permute 20, Queens 40, Richards 2,
    /// Sieve 100, Storage 50, Towers 20; for the micro-benchmarks see --list;
    /// Fannkuch's inner iterations are its size.
    #[arg(long, value_name = "N", help_heading = "Measuring")]
    pub inner: Option<u32>,
    /// Kill a VM process after S seconds and count it as failed [default: no
    /// limit]
    #[arg(long, value_name = "S", value_parser = seconds, help_heading = "Measuring")]
    pub timeout: Option<f64>,
    /// Compare paired benchmarks in one run (without a selection, the MOP group)
    ///
    /// The runs of the halves of a pair alternate (3 runs each by default).
    /// The pairs are the MOP's (reflective against plain, ...) and the
    /// kernels' (Smalltalk, scalar or SIMD, against primitive; see --list);
    /// whenever both halves of a pair run, a table after the report shows the
    /// ratio variant/baseline of their medians (on each VM; with one VM also
    /// of their minima, steadier on a loaded machine), with the geometric mean
    /// over the operations, over the traced benchmarks and over the kernels.
    #[arg(long, help_heading = "Measuring")]
    pub pairs: bool,
    /// Run each benchmark once (1 iteration) at its smallest verified size and
    /// only check that it verifies; without a selection, run all
    ///
    /// Cannot be combined with --iterations, --runs, --warmup or --inner.
    #[arg(long, help_heading = "Measuring")]
    pub smoke: bool,

    /// The VM's command line, split on whitespace, e.g. --vm "target/release/yerba
    /// --gc-stress"; twice to compare two VMs
    ///
    /// Default: target/release/yerba of this workspace, which `cargo run -p
    /// benchmarks` does not build: run `cargo build --release -p yerba` first.
    /// With --vm A --vm B (comparison mode) the runs alternate A, B, A, B, ...;
    /// the report shows both medians per benchmark, the ratio B/A and the
    /// geometric mean of the ratios.
    #[arg(long = "vm", value_name = "COMMAND LINE", help_heading = "The VM")]
    pub vms: Vec<String>,
    /// A label for the first, then the second --vm [default: yerba for one VM,
    /// A and B for two]
    #[arg(long = "name", value_name = "LABEL", help_heading = "The VM")]
    pub labels: Vec<String>,
    /// The benchmarks directory [default: the one holding this runner,
    /// benchmarks/ of the workspace]
    #[arg(long, value_name = "D", help_heading = "The VM")]
    pub bench_dir: Option<PathBuf>,

    /// Write every per-iteration sample and the summaries as CSV (a `record`
    /// column tells samples, summaries and ratios apart)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub csv: Option<PathBuf>,
    /// Write the same as JSON
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub json: Option<PathBuf>,
    /// Draw a bar chart: the ratios B/A per benchmark with a line at 1.0
    /// (comparison), or the medians with min-max whiskers, on a log scale when
    /// they span more than a factor of 100
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub svg: Option<PathBuf>,
    /// No progress on stderr
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,
}

/// A `--timeout`: a positive, finite number of seconds.
fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s.is_finite() => Ok(s),
        _ => Err("needs a positive number of seconds".to_string()),
    }
}

impl Options {
    /// The groups chosen by `--awfy`, `--micro`, `--mop` and `--kernels`.
    fn groups(&self) -> Vec<Group> {
        [
            (self.awfy, Group::Awfy),
            (self.micro, Group::Micro),
            (self.mop, Group::Mop),
            (self.kernels, Group::Kernels),
        ]
        .into_iter()
        .filter_map(|(chosen, group)| chosen.then_some(group))
        .collect()
    }

    /// The benchmarks chosen, in suite order, each once.
    pub fn selection(&self) -> Result<Vec<&'static Benchmark>, String> {
        let mut chosen: Vec<&'static Benchmark> = Vec::new();
        for name in &self.names {
            let benchmark = suite::find(name).ok_or_else(|| {
                let known: Vec<&str> = suite::SUITE.iter().map(|b| b.name).collect();
                format!("unknown benchmark {name:?}; known: {}", known.join(" "))
            })?;
            chosen.push(benchmark);
        }
        let groups = self.groups();
        let nothing_chosen = chosen.is_empty() && groups.is_empty();
        let everything = self.all || (self.smoke && nothing_chosen);
        let mop = self.pairs && nothing_chosen;
        if nothing_chosen && !everything && !mop {
            return Err(
                "choose benchmarks: --all, --awfy, --micro, --mop, --kernels or their names (see --help)"
                    .into(),
            );
        }
        Ok(suite::SUITE
            .iter()
            .filter(|b| {
                everything
                    || (mop && b.group == Group::Mop)
                    || groups.contains(&b.group)
                    || chosen.contains(b)
            })
            .collect())
    }

    /// The plan: the selection, the VMs and the measuring options with their
    /// defaults applied, checked for consistency.
    pub fn plan(&self) -> Result<Plan, String> {
        let benchmarks = self.selection()?;
        if self.vms.len() > 2 {
            return Err("--vm can be given at most twice (one VM, or two to compare)".into());
        }
        let comparison = self.vms.len() == 2;
        let max_labels = self.vms.len().max(1);
        if self.labels.len() > max_labels {
            return Err(format!(
                "{} --name labels for {max_labels} VM(s)",
                self.labels.len()
            ));
        }
        let vms = if self.vms.is_empty() {
            vec![Vm::default_yerba()]
        } else {
            let labels: &[&str] = if comparison { &["A", "B"] } else { &[""] };
            let mut vms = self
                .vms
                .iter()
                .zip(labels)
                .map(|(command, label)| Vm::parse(*label, command))
                .collect::<Result<Vec<_>, _>>()?;
            if !comparison {
                vms[0].label = program_name(vms[0].program());
            }
            vms
        };
        let vms: Vec<Vm> = vms
            .into_iter()
            .enumerate()
            .map(|(i, vm)| Vm {
                label: self.labels.get(i).cloned().unwrap_or(vm.label),
                ..vm
            })
            .collect();
        if comparison && vms[0].label == vms[1].label {
            return Err(format!(
                "both VMs are labelled {:?}; give two different --name",
                vms[0].label
            ));
        }

        let (iterations, runs, warmup) = if self.smoke {
            if self.iterations.is_some()
                || self.runs.is_some()
                || self.warmup.is_some()
                || self.inner.is_some()
            {
                return Err("--smoke fixes the sizes: it cannot be combined with --iterations, --runs, --warmup or --inner".into());
            }
            (1, 1, 0)
        } else {
            let iterations = self.iterations.unwrap_or(10);
            let runs = self
                .runs
                .unwrap_or(if comparison || self.pairs { 3 } else { 1 });
            let warmup = self
                .warmup
                .unwrap_or_else(|| stats::default_warmup(iterations));
            if iterations == 0 || runs == 0 {
                return Err("--iterations and --runs must be at least 1".into());
            }
            if warmup >= iterations {
                return Err(format!(
                    "--warmup {warmup} leaves no steady-state iteration of {iterations}"
                ));
            }
            (iterations, runs, warmup)
        };
        let jobs = benchmarks
            .into_iter()
            .map(|benchmark| Job {
                benchmark,
                inner: if self.smoke {
                    benchmark.smoke_inner
                } else {
                    self.inner.unwrap_or(benchmark.inner)
                },
            })
            .collect();
        Ok(Plan {
            jobs,
            vms,
            bench_dir: self.bench_dir.clone().unwrap_or_else(suite::default_dir),
            iterations,
            runs,
            warmup,
            timeout: self.timeout.map(Duration::from_secs_f64),
            smoke: self.smoke,
            pairs: self.pairs,
        })
    }
}

/// The file name of a program, as the label of a single VM.
fn program_name(program: &str) -> String {
    std::path::Path::new(program)
        .file_name()
        .map_or_else(|| program.to_string(), |n| n.to_string_lossy().into_owned())
}

/// The `--list` text: the groups, then the pairs.
pub fn list() -> String {
    let mut out = String::new();
    for group in Group::ALL {
        out.push_str(&format!("{}:\n", group.name()));
        let width = suite::group(group)
            .map(|b| b.name.len())
            .fold(12, usize::max);
        for b in suite::group(group) {
            out.push_str(&format!(
                "  {:<width$} inner {:>6}   smoke {}\n",
                b.name, b.inner, b.smoke_inner
            ));
        }
    }
    out.push_str("pairs (--pairs; ratio variant/baseline):\n");
    for pair in suite::PAIRS {
        out.push_str(&format!(
            "  {:<40} {} / {}\n",
            format!("{}: {}", pair.section.name(), pair.label),
            pair.variant,
            pair.baseline
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn parse_args(args: &[&str]) -> Result<Options, clap::Error> {
        Options::try_parse_from(std::iter::once("benchmarks").chain(args.iter().copied()))
    }

    /// The plan of a command line, or the message of its error.
    fn plan(args: &[&str]) -> Result<Plan, String> {
        parse_args(args).map_err(|e| e.to_string())?.plan()
    }

    fn error_kind(args: &[&str]) -> Option<ErrorKind> {
        parse_args(args).err().map(|e| e.kind())
    }

    fn names(plan: &Plan) -> Vec<&'static str> {
        plan.jobs.iter().map(|j| j.benchmark.name).collect()
    }

    #[test]
    fn the_options_are_consistent() {
        use clap::CommandFactory;
        Options::command().debug_assert();
    }

    #[test]
    fn the_readme_commands_make_plans() {
        assert_eq!(plan(&["--all"]).unwrap().jobs.len(), suite::SUITE.len());
        let p = plan(&["Richards", "DeltaBlue", "-i", "20"]).unwrap();
        assert_eq!(
            (names(&p), p.iterations),
            (vec!["DeltaBlue", "Richards"], 20)
        );
        let args = [
            "--awfy",
            "--vm",
            "old/yerba",
            "--vm",
            "target/release/yerba",
            "--svg",
            "ratios.svg",
            "--csv",
            "results.csv",
        ];
        let options = parse_args(&args).unwrap();
        assert_eq!(options.svg, Some(PathBuf::from("ratios.svg")));
        assert_eq!(options.csv, Some(PathBuf::from("results.csv")));
        assert!(options.plan().unwrap().is_comparison());
        assert!(plan(&["--pairs"]).unwrap().pairs);
    }

    #[test]
    fn help_and_list() {
        assert_eq!(
            error_kind(&["--all", "--help"]),
            Some(ErrorKind::DisplayHelp)
        );
        assert_eq!(error_kind(&["-h"]), Some(ErrorKind::DisplayHelp));
        assert!(parse_args(&["--list"]).unwrap().list);
        assert!(list().contains("NBody        inner 250000   smoke 1"));
        assert!(list().contains("MopFieldReadReflective"));
        assert!(list().contains("operations: field read"));
        assert!(list().contains("kernels: fill"));
        assert!(list().contains("FillSom / FillPrimitive"));
        assert!(list().contains("kernels: double add SIMD"));
        assert!(list().contains("DoubleAddSimd / DoubleAddPrimitive"));
    }

    #[test]
    fn selection_by_group_and_name_in_suite_order() {
        let p = plan(&["towers", "Sieve", "Sieve"]).unwrap();
        assert_eq!(names(&p), ["Sieve", "Towers"]);
        assert_eq!(plan(&["--awfy"]).unwrap().jobs.len(), 14);
        let p = plan(&["--micro", "Bounce"]).unwrap();
        assert_eq!(p.jobs.len(), 13);
        assert_eq!(p.jobs[0].benchmark.name, "Bounce");
        assert_eq!(plan(&["--all"]).unwrap().jobs.len(), suite::SUITE.len());
        assert!(plan(&[]).unwrap_err().contains("choose benchmarks"));
        let p = plan(&["--mop"]).unwrap();
        assert_eq!(p.jobs.len(), suite::group(Group::Mop).count());
        assert_eq!(p.jobs[0].benchmark.name, "MopFieldReadPlain");
        assert!(plan(&["Nope"]).unwrap_err().contains("unknown benchmark"));
    }

    #[test]
    fn defaults_of_a_single_vm_run() {
        let p = plan(&["Sieve"]).unwrap();
        assert_eq!((p.iterations, p.runs, p.warmup), (10, 1, 3));
        assert_eq!(p.jobs[0].inner, 100);
        assert_eq!(p.vms.len(), 1);
        assert_eq!(p.vms[0].label, "yerba");
        assert!(p.vms[0].program().ends_with("target/release/yerba"));
        assert!(p.bench_dir.ends_with("benchmarks"));
        assert!(!p.is_comparison());
    }

    #[test]
    fn measuring_options() {
        let p = plan(&[
            "Sieve",
            "-i",
            "6",
            "--runs=2",
            "--inner",
            "7",
            "--timeout",
            "2.5",
        ])
        .unwrap();
        assert_eq!((p.iterations, p.runs, p.warmup), (6, 2, 2));
        assert_eq!(p.jobs[0].inner, 7);
        assert_eq!(p.timeout, Some(Duration::from_millis(2500)));
        assert_eq!(plan(&["Sieve", "-i", "1"]).unwrap().warmup, 0);
        assert_eq!(plan(&["Sieve", "-i", "2"]).unwrap().warmup, 1);
        assert!(plan(&["Sieve", "-i", "3", "-w", "3"]).is_err());
        assert_eq!(
            error_kind(&["Sieve", "-i", "x"]),
            Some(ErrorKind::ValueValidation)
        );
        assert_eq!(error_kind(&["Sieve", "-i"]), Some(ErrorKind::InvalidValue));
        assert_eq!(
            error_kind(&["Sieve", "--frobnicate"]),
            Some(ErrorKind::UnknownArgument)
        );
        for bad in ["0", "-1", "inf", "NaN", "soon"] {
            assert!(
                plan(&["Sieve", &format!("--timeout={bad}")])
                    .unwrap_err()
                    .contains("positive number of seconds"),
                "{bad}"
            );
        }
    }

    #[test]
    fn comparison_mode_labels_and_runs() {
        let p = plan(&["Sieve", "--vm", "a/yerba --gc-stress", "--vm", "b/yerba"]).unwrap();
        assert!(p.is_comparison());
        assert_eq!(p.vms[0].label, "A");
        assert_eq!(p.vms[0].command, ["a/yerba", "--gc-stress"]);
        assert_eq!(p.vms[1].label, "B");
        assert_eq!(p.runs, 3);
        let p = plan(&[
            "Sieve", "--vm", "x", "--name", "old", "--vm", "y", "--name", "new",
        ])
        .unwrap();
        assert_eq!(
            (p.vms[0].label.as_str(), p.vms[1].label.as_str()),
            ("old", "new")
        );
        assert!(plan(&["Sieve", "--vm", "x", "--vm", "y", "--vm", "z"]).is_err());
        assert!(plan(&["Sieve", "--vm", "x", "--vm", "y", "--name", "s", "--name", "s"]).is_err());
        assert!(plan(&["Sieve", "--vm", "x", "--name", "a", "--name", "b"]).is_err());
        let single = plan(&["Sieve", "--vm", "/tmp/stable/yerba --gc-stress"]).unwrap();
        assert_eq!(single.vms[0].label, "yerba");
        assert_eq!(single.runs, 1);
    }

    #[test]
    fn pairs_mode_runs_the_mop_group_by_default_three_times() {
        let p = plan(&["--pairs"]).unwrap();
        assert!(p.pairs);
        assert_eq!(p.jobs.len(), suite::group(Group::Mop).count());
        assert_eq!(p.runs, 3);
        let p = plan(&["--pairs", "MopReturnReflective", "MopReturnPlain"]).unwrap();
        assert_eq!(names(&p), ["MopReturnPlain", "MopReturnReflective"]);
        assert!(!plan(&["--mop"]).unwrap().pairs);
        assert_eq!(plan(&["--mop"]).unwrap().runs, 1);
        let p = plan(&["--pairs", "--kernels"]).unwrap();
        let kernels: Vec<&str> = suite::group(Group::Kernels).map(|b| b.name).collect();
        assert_eq!(names(&p), kernels);
        assert_eq!(p.runs, 3);
    }

    #[test]
    fn vm_options_stay_before_the_harness_arguments() {
        let p = plan(&[
            "--awfy",
            "--vm",
            "target/release/yerba --no-mop",
            "--name",
            "no-mop",
            "--vm",
            "target/release/yerba",
            "--name",
            "mop",
        ])
        .unwrap();
        assert_eq!(p.vms[0].command, ["target/release/yerba", "--no-mop"]);
        assert_eq!(p.vms[1].command, ["target/release/yerba"]);
        assert_eq!(
            (p.vms[0].label.as_str(), p.vms[1].label.as_str()),
            ("no-mop", "mop")
        );
    }

    #[test]
    fn smoke_runs_everything_once_at_smoke_size() {
        let p = plan(&["--smoke"]).unwrap();
        assert_eq!(p.jobs.len(), suite::SUITE.len());
        assert_eq!((p.iterations, p.runs, p.warmup), (1, 1, 0));
        let cd = p.jobs.iter().find(|j| j.benchmark.name == "CD").unwrap();
        assert_eq!(cd.inner, 2);
        assert_eq!(names(&plan(&["--smoke", "NBody"]).unwrap()), ["NBody"]);
        assert!(plan(&["--smoke", "-i", "3"]).is_err());
    }
}
