//! The `yerba` command.

use std::io::Write;
use yerba::cli::{self, Command, USAGE};

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let run: Box<dyn FnOnce() -> i32 + Send> = match cli::parse(&args) {
        Ok(Command::Help) => print_and_exit(USAGE),
        Ok(Command::Version) => print_and_exit(&format!("yerba {}", env!("CARGO_PKG_VERSION"))),
        Ok(Command::Run {
            options, arguments, ..
        }) => Box::new(move || yerba::run_program(options, arguments)),
        Ok(Command::Repl { options }) => Box::new(move || yerba::run_session(options)),
        Err(message) => {
            report(&format!("yerba: {message}\n\n{USAGE}"));
            std::process::exit(1);
        }
    };
    let interpreter = std::thread::Builder::new()
        .name(String::from("yerba"))
        .stack_size(yerba::INTERPRETER_STACK_BYTES)
        .spawn(run);
    let status = match interpreter.map(|thread| thread.join()) {
        Ok(Ok(status)) => status,
        Ok(Err(_)) => 101,
        Err(error) => {
            report(&format!(
                "yerba: cannot start the interpreter thread: {error}"
            ));
            1
        }
    };
    std::process::exit(status);
}

/// Prints `text` on stdout and exits, with 1 if it could not be written.
fn print_and_exit(text: &str) -> ! {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => std::process::exit(0),
        Err(error) => {
            report(&format!("yerba: cannot write to stdout: {error}"));
            std::process::exit(1)
        }
    }
}

/// Writes a line to stderr, ignoring failures: there is nowhere left to report them.
fn report(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
