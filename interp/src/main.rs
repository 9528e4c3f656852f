//! The `yerba` command.

use yerba::cli::{self, Command, USAGE};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (options, arguments) = match cli::parse(&args) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return;
        }
        Ok(Command::Version) => {
            println!("yerba {}", env!("CARGO_PKG_VERSION"));
            return;
        }
        Ok(Command::Run {
            options, arguments, ..
        }) => (options, arguments),
        Err(message) => {
            eprintln!("yerba: {message}\n\n{USAGE}");
            std::process::exit(1);
        }
    };
    let interpreter = std::thread::Builder::new()
        .name(String::from("yerba"))
        .stack_size(yerba::INTERPRETER_STACK_BYTES)
        .spawn(move || yerba::run_program(options, arguments));
    let status = match interpreter.map(|thread| thread.join()) {
        Ok(Ok(status)) => status,
        Ok(Err(_)) => 101,
        Err(error) => {
            eprintln!("yerba: cannot start the interpreter thread: {error}");
            1
        }
    };
    std::process::exit(status);
}
