//! The command line, following SOM's conventions: VM options come before the program (a class
//! name or a `.som` path); everything after the program is passed to it.

use crate::universe::Options;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

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
  --trace-activations <file>
                           record every method and block activation into <file>
                           (Chrome trace event format) and print a summary of the
                           time per method to stderr at the end
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

/// Parses the command line (without the command's name). Arguments need not be UTF-8:
/// classpath directories and the program's directory are paths and taken as they are, the
/// program's arguments become Strings with undecodable bytes replaced (U+FFFD); only the
/// class name must be text.
pub fn parse(args: &[OsString]) -> Result<Command, String> {
    let mut options = Options::default();
    let mut classpath: Vec<PathBuf> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_encoded_bytes() {
            b"-h" | b"--help" => return Ok(Command::Help),
            b"-V" | b"--version" => return Ok(Command::Version),
            b"-cp" | b"--classpath" => {
                let dirs = iter.next().ok_or("-cp needs a list of directories")?;
                classpath.extend(std::env::split_paths(dirs).filter(|d| !d.as_os_str().is_empty()));
            }
            b"--gc-stress" => options.gc_policy.stress_interval = Some(97),
            b"--max-heap" => {
                let size = iter.next().ok_or("--max-heap needs a size in MiB")?;
                options.gc_policy.max_heap_bytes = heap_size(size)?;
            }
            b"--stats" => options.print_stats = true,
            b"--no-mop" => options.no_mop = true,
            b"--trace-activations" => {
                let file = iter
                    .next()
                    .ok_or("--trace-activations needs a file to write the trace to")?;
                let file = file
                    .to_str()
                    .ok_or("--trace-activations: the file name is not valid UTF-8")?;
                options.trace_activations = Some(file.to_string());
            }
            [b'-', ..] => {
                return Err(format!("unknown option '{}'", arg.to_string_lossy()));
            }
            _ => {
                let (class_name, directory) = program_class(Path::new(arg))?;
                if let Some(directory) = directory {
                    classpath.insert(0, directory);
                }
                if options.no_mop && options.trace_activations.is_some() {
                    return Err(String::from(
                        "--trace-activations works through the metaobject protocol, which --no-mop disables",
                    ));
                }
                options.classpath = classpath;
                let mut arguments = vec![class_name.clone()];
                arguments.extend(iter.map(|a| a.to_string_lossy().into_owned()));
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

/// The bytes of `--max-heap <MiB>`: a positive whole number of MiB.
fn heap_size(size: &OsStr) -> Result<usize, String> {
    let text = size.to_string_lossy();
    match text.parse::<usize>() {
        Ok(mib) if mib > 0 => Ok(mib.saturating_mul(1024 * 1024)),
        _ => Err(format!(
            "--max-heap: '{text}' is not a positive whole number of MiB"
        )),
    }
}

/// A `.som` path names its class by the file stem and adds its directory to the classpath.
fn program_class(program: &Path) -> Result<(String, Option<PathBuf>), String> {
    let bytes = program.as_os_str().as_encoded_bytes();
    if !(bytes.ends_with(b".som") || bytes.contains(&b'/')) {
        return Ok((class_name(program.as_os_str())?, None));
    }
    let stem = program
        .file_stem()
        .ok_or_else(|| format!("'{}' does not name a class file", program.display()))?;
    let directory = program.parent().map(|p| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    });
    Ok((class_name(stem)?, directory))
}

fn class_name(name: &OsStr) -> Result<String, String> {
    name.to_str().map(String::from).ok_or_else(|| {
        format!(
            "the class name '{}' is not valid UTF-8",
            name.to_string_lossy()
        )
    })
}
