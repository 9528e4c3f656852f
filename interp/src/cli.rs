//! The command line, following SOM's conventions: VM options come before the program (a class
//! name or a `.som` path); everything after the program is passed to it untouched. Without a
//! program (or with `--repl`), yerba starts an interactive session.
//!
//! The options are one clap struct, [`CommandLine`]; an option is added there and carried into
//! [`Options`] by [`CommandLine::options`]. clap has no multi-letter short options, so SOM's
//! `-cp` is spelled `--classpath` before clap reads the options (see [`spell_classpath`]).

use crate::universe::Options;
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

pub const USAGE: &str = "\
Usage: yerba [options] [-cp dir1:dir2:...] <ClassName | path/File.som> [args...]
       yerba [options] [-cp dir1:dir2:...] [--repl]

Runs a SOM program: sends `run:` (or `run`) to a new instance of the class.
The standard library is built into yerba; classpath directories are searched
first, so a library given there replaces the built-in classes.
Without a program, starts an interactive session (docs/repl.md).

Options (only before the program):
  -cp, --classpath <dirs>  directories to load classes from, separated by ':'
  --repl                   start an interactive session (the default without a program)
  --gc-stress              collect garbage every few allocations (for testing)
  --max-heap <MiB>         fail with an out-of-memory error beyond this heap size
  --stats                  print garbage-collection statistics to stderr at exit
  --no-mop                 compile without intercession sites and disable the
                           metaobject protocol (the baseline for measuring its cost)
  --no-jit                 run everything in the interpreter (no native code)
  --jit-threshold <n>      compile a method or block to native code after <n>
                           activations (default 2000)
  --jit-always             compile every method and block at its first activation
  --jit-log                report each compilation, and the totals at exit, on stderr
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
    Repl {
        options: Options,
    },
}

/// Every option of `yerba`, as clap reads them. Help and version are plain flags: the help text
/// is [`USAGE`], written by hand.
#[derive(Parser, Debug)]
#[command(
    name = "yerba",
    disable_help_flag = true,
    disable_version_flag = true,
    override_usage = "yerba [options] [-cp dir1:dir2:...] [<ClassName | path/File.som> [args...]]"
)]
struct CommandLine {
    #[arg(short = 'h', long)]
    help: bool,
    #[arg(short = 'V', long)]
    version: bool,
    /// Directories separated by ':'; repeated, the lists are searched in order.
    #[arg(long, value_name = "dirs", action = ArgAction::Append, allow_hyphen_values = true)]
    classpath: Vec<OsString>,
    #[arg(long)]
    repl: bool,
    #[arg(long)]
    gc_stress: bool,
    /// Checked by [`heap_size`], whose message names the option and the value.
    #[arg(long, value_name = "MiB", allow_hyphen_values = true)]
    max_heap: Option<OsString>,
    #[arg(long)]
    stats: bool,
    #[arg(long)]
    no_mop: bool,
    #[arg(long)]
    no_jit: bool,
    /// Checked by [`jit_threshold`], whose message names the option and the value.
    #[arg(long, value_name = "n", allow_hyphen_values = true)]
    jit_threshold: Option<OsString>,
    #[arg(long)]
    jit_always: bool,
    #[arg(long)]
    jit_log: bool,
    /// The trace file; its name must be text, as Smalltalk opens it.
    #[arg(long, value_name = "file", allow_hyphen_values = true)]
    trace_activations: Option<OsString>,
    /// The program (a class name or a `.som` path) and its arguments, whatever they look like:
    /// one list, so that clap reads no option after the program.
    #[arg(value_name = "program", trailing_var_arg = true)]
    program_and_arguments: Vec<OsString>,
}

impl CommandLine {
    /// The VM options the command line sets (the classpath without the program's directory).
    fn options(&self) -> Result<Options, String> {
        let mut options = Options {
            classpath: self
                .classpath
                .iter()
                .flat_map(std::env::split_paths)
                .filter(|d| !d.as_os_str().is_empty())
                .collect(),
            print_stats: self.stats,
            no_mop: self.no_mop,
            ..Options::default()
        };
        if self.gc_stress {
            options.gc_policy.stress_interval = Some(97);
        }
        options.tier.enabled = !self.no_jit;
        options.tier.compile_all = self.jit_always;
        options.tier.log = self.jit_log;
        if let Some(threshold) = &self.jit_threshold {
            options.tier.threshold = jit_threshold(threshold)?;
        }
        if let Some(size) = &self.max_heap {
            options.gc_policy.max_heap_bytes = heap_size(size)?;
        }
        if let Some(file) = &self.trace_activations {
            let file = file
                .to_str()
                .ok_or("--trace-activations: the file name is not valid UTF-8")?;
            if self.no_mop {
                return Err(String::from(
                    "--trace-activations works through the metaobject protocol, which --no-mop disables",
                ));
            }
            options.trace_activations = Some(file.to_string());
        }
        Ok(options)
    }
}

/// Parses the command line (without the command's name). Arguments need not be UTF-8:
/// classpath directories and the program's directory are paths and taken as they are, the
/// program's arguments become Strings with undecodable bytes replaced (U+FFFD); only the
/// class name must be text.
pub fn parse(args: &[OsString]) -> Result<Command, String> {
    let command = CommandLine::command();
    let spelled = spell_classpath(&command, args);
    let line = command
        .try_get_matches_from(std::iter::once(OsString::from("yerba")).chain(spelled))
        .and_then(|matches| CommandLine::from_arg_matches(&matches))
        .map_err(|error| clap_message(&error))?;
    if line.help {
        return Ok(Command::Help);
    }
    if line.version {
        return Ok(Command::Version);
    }
    let mut options = line.options()?;
    let Some((program, program_arguments)) = line.program_and_arguments.split_first() else {
        if options.trace_activations.is_some() {
            return Err(String::from("--trace-activations needs a program to trace"));
        }
        return Ok(Command::Repl { options });
    };
    if line.repl {
        return Err(String::from("--repl takes no program"));
    }
    let (class_name, directory) = program_class(Path::new(program))?;
    if let Some(directory) = directory {
        options.classpath.insert(0, directory);
    }
    let mut arguments = vec![class_name.clone()];
    arguments.extend(
        program_arguments
            .iter()
            .map(|a| a.to_string_lossy().into_owned()),
    );
    Ok(Command::Run {
        options,
        class_name,
        arguments,
    })
}

/// The arguments with each `-cp` among the options spelled `--classpath`, the program and its
/// arguments untouched. clap says which options take a value, so the scan skips values.
fn spell_classpath(command: &clap::Command, args: &[OsString]) -> Vec<OsString> {
    let takes_value = |arg: &OsStr| {
        let text = arg.to_string_lossy();
        let Some(long) = text.strip_prefix("--") else {
            return false;
        };
        command
            .get_arguments()
            .any(|option| option.get_long() == Some(long) && option.get_action().takes_values())
    };
    let mut spelled = Vec::with_capacity(args.len());
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "-cp" {
            spelled.push(OsString::from("--classpath"));
            spelled.extend(rest.next().cloned());
        } else if takes_value(arg) {
            spelled.push(arg.clone());
            spelled.extend(rest.next().cloned());
        } else if arg.as_encoded_bytes().starts_with(b"-") {
            spelled.push(arg.clone());
        } else {
            spelled.push(arg.clone());
            spelled.extend(rest.cloned());
            break;
        }
    }
    spelled
}

/// clap's message without its own usage lines and hints: the caller shows [`USAGE`].
fn clap_message(error: &clap::Error) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first).to_string()
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

/// `--jit-threshold`'s value: a whole number of activations, at least 1.
fn jit_threshold(count: &OsStr) -> Result<u32, String> {
    let text = count.to_string_lossy();
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "--jit-threshold: '{text}' is not a whole number of activations between 1 and {}",
            u32::MAX
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

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn only_options_spell_cp_as_classpath() {
        let spelled = spell_classpath(
            &CommandLine::command(),
            &words(&["-cp", "a", "--max-heap", "-cp", "Main", "-cp", "b"]),
        );
        assert_eq!(
            spelled,
            words(&["--classpath", "a", "--max-heap", "-cp", "Main", "-cp", "b"])
        );
    }

    #[test]
    fn the_program_and_its_arguments_are_left_alone() {
        let Ok(Command::Run {
            options,
            class_name,
            arguments,
        }) = parse(&words(&[
            "-cp", "x:y", "--stats", "Main", "--repl", "-cp", "z",
        ]))
        else {
            panic!("a program to run");
        };
        assert_eq!(class_name, "Main");
        assert_eq!(arguments, ["Main", "--repl", "-cp", "z"]);
        assert_eq!(options.classpath, [PathBuf::from("x"), PathBuf::from("y")]);
        assert!(options.print_stats);
    }

    #[test]
    fn no_program_or_repl_starts_a_session() {
        assert!(matches!(parse(&[]), Ok(Command::Repl { .. })));
        assert!(matches!(
            parse(&words(&["--repl", "-cp", "lib"])),
            Ok(Command::Repl { options }) if options.classpath == [PathBuf::from("lib")]
        ));
        assert!(parse(&words(&["--repl", "Main"])).is_err());
    }
}
