//! Buffered standard output. One buffer per thread, so that every exit path (including a
//! fatal error deep inside the VM) can flush what the program printed.
//!
//! Output that cannot be written (a full disk, a closed pipe) is never lost silently: the print
//! that meets the failure answers it (the primitives make it a VM error), and a failure met
//! only by a later flush is reported when the program ends, whose exit status it makes
//! non-zero. After the first failure further output is dropped. Writing to stderr is best
//! effort: there is nowhere left to report its failures.

use std::cell::RefCell;
use std::io::{BufWriter, Stdout, Write};

struct Buffered {
    writer: BufWriter<Stdout>,
    /// The first write failure, as reported to the user.
    failure: Option<String>,
    /// Whether `failure` has been reported (answered by a print, or at exit).
    reported: bool,
}

thread_local! {
    static STDOUT: RefCell<Buffered> = RefCell::new(Buffered {
        writer: BufWriter::with_capacity(64 * 1024, std::io::stdout()),
        failure: None,
        reported: false,
    });
}

/// A handle on this thread's buffered stdout.
#[derive(Default)]
pub struct Output;

impl Output {
    /// Writes the text to stdout, or answers the message for the failure that stops it.
    pub fn print(&self, text: &str) -> Result<(), String> {
        STDOUT.with(|out| {
            let mut out = out.borrow_mut();
            if out.failure.is_none() {
                if let Err(error) = out.writer.write_all(text.as_bytes()) {
                    out.failure = Some(failure_message(&error));
                }
            }
            match &out.failure {
                Some(message) => {
                    let message = message.clone();
                    out.reported = true;
                    Err(message)
                }
                None => Ok(()),
            }
        })
    }

    /// Writes out what stdout holds (before a prompt, say); a failure is reported at exit.
    pub fn flush(&self) {
        flush_stdout();
    }

    /// Writes to stderr, after flushing stdout so the two streams interleave as written.
    pub fn print_error(&self, text: &str) {
        flush_stdout();
        write_stderr(text);
    }

    /// Flushes stdout before the program ends with `status`; answers the status to exit with,
    /// which is 1 instead of 0 when some output could not be written.
    pub fn finish(&self, status: i32) -> i32 {
        flush_stdout();
        let unreported = STDOUT.with(|out| {
            let mut out = out.borrow_mut();
            let unreported = out.failure.clone().filter(|_| !out.reported);
            out.reported = true;
            unreported
        });
        match unreported {
            Some(message) => {
                write_stderr(&format!("yerba: {message}\n"));
                if status == 0 {
                    1
                } else {
                    status
                }
            }
            None => status,
        }
    }
}

/// Writes out what stdout holds; a failure is kept for [`Output::finish`] to report.
pub fn flush_stdout() {
    STDOUT.with(|out| {
        let mut out = out.borrow_mut();
        if out.failure.is_none() {
            if let Err(error) = out.writer.flush() {
                out.failure = Some(failure_message(&error));
            }
        }
    });
}

/// Writes `text` to stderr, ignoring failures.
pub fn write_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

fn failure_message(error: &std::io::Error) -> String {
    format!("Cannot write to stdout: {error}.")
}
