//! The command line, following SOM's conventions: VM options come before the program (a class
//! name or a `.som` path); everything after the program is passed to it.

use crate::universe::Options;
use std::path::PathBuf;

pub const USAGE: &str = "\
Usage: yerba [options] [-cp dir1:dir2:...] <ClassName | path/File.som> [args...]

Runs a SOM program: sends `run:` (or `run`) to a new instance of the class.
The standard library is built into yerba; classpath directories are searched
first, so a library given there replaces the built-in classes.

Options (only before the program):
  -cp, --classpath <dirs>  directories to load classes from, separated by ':'
  --gc-stress              collect garbage every few allocations (for testing)
  --max-heap <MiB>         fail with an out-of-memory error beyond this heap size
  --stats                  print garbage-collection statistics to stderr at exit
  --no-mop                 compile without intercession sites and disable the
                           metaobject protocol (the baseline for measuring its cost)
  -h, --help               show this help
  -V, --version            show the version";

pub enum Command {
    Help,
    Version,
    Run {
        options: Options,
        class_name: String,
        arguments: Vec<String>,
    },
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut options = Options::default();
    let mut classpath: Vec<PathBuf> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "-cp" | "--classpath" => {
                let dirs = iter.next().ok_or("-cp needs a list of directories")?;
                classpath.extend(dirs.split(':').filter(|d| !d.is_empty()).map(PathBuf::from));
            }
            "--gc-stress" => options.gc_policy.stress_interval = Some(97),
            "--max-heap" => {
                let size = iter.next().ok_or("--max-heap needs a size in MiB")?;
                let mib: usize = size
                    .parse()
                    .map_err(|_| format!("--max-heap: '{size}' is not a number of MiB"))?;
                options.gc_policy.max_heap_bytes = mib.saturating_mul(1024 * 1024);
            }
            "--stats" => options.print_stats = true,
            "--no-mop" => options.no_mop = true,
            option if option.starts_with('-') => return Err(format!("unknown option '{option}'")),
            program => {
                let (class_name, directory) = program_class(program);
                if let Some(directory) = directory {
                    classpath.insert(0, directory);
                }
                options.classpath = classpath;
                let mut arguments = vec![class_name.clone()];
                arguments.extend(iter.cloned());
                return Ok(Command::Run {
                    options,
                    class_name,
                    arguments,
                });
            }
        }
    }
    Err(String::from("no program given"))
}

/// A `.som` path names its class by the file stem and adds its directory to the classpath.
fn program_class(program: &str) -> (String, Option<PathBuf>) {
    let path = std::path::Path::new(program);
    if program.ends_with(".som") || program.contains('/') {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(program)
            .to_string();
        let directory = path.parent().map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        });
        (stem, directory)
    } else {
        (program.to_string(), None)
    }
}
