//! Buffered standard output. One buffer per thread, so that every exit path (including a
//! fatal error deep inside the VM) can flush what the program printed.

use std::cell::RefCell;
use std::io::{BufWriter, Stdout, Write};

thread_local! {
    static STDOUT: RefCell<BufWriter<Stdout>> = RefCell::new(BufWriter::with_capacity(64 * 1024, std::io::stdout()));
}

/// A handle on this thread's buffered stdout.
#[derive(Default)]
pub struct Output;

impl Output {
    pub fn print(&self, text: &str) {
        STDOUT.with(|out| {
            let _ = out.borrow_mut().write_all(text.as_bytes());
        });
    }

    pub fn flush(&self) {
        flush_stdout();
    }

    /// Writes to stderr, after flushing stdout so the two streams interleave as written.
    pub fn print_error(&self, text: &str) {
        flush_stdout();
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
}

pub fn flush_stdout() {
    STDOUT.with(|out| {
        let _ = out.borrow_mut().flush();
    });
}
