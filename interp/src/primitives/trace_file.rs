//! `TraceFile`: text output to a file through a large VM buffer, for tools written in Smalltalk
//! that write a lot in small pieces (the activation tracer writes two events per activation).
//!
//! A TraceFile object holds, in its first field, the number of its writer in this thread's
//! table of open files; the writers hold no heap values, so the table needs no GC rooting.
//! Appending copies text (or formats an integer) into the buffer without allocating on the
//! heap. When the program ends (normally, by `system exit:` or with an error) while files are
//! still open, [`close_at_exit`] first lets the Smalltalk side finish them (`TraceFile class>>
//! closeAllAtExit`, at meta level), then flushes and closes whatever is left.

use super::arguments::{binary, expect_class, expect_string, unary, wrong_kind};
use super::numbers::{int_of, Int};
use super::Entry;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::cell::RefCell;
use std::fs::File;
use std::io::Write;
use yerba_mop::object::{header_of, VmString};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("TraceFile", true, "newOn:", new_on),
    ("TraceFile", true, "jsonString:", json_string_of),
    ("TraceFile", false, "append:", append),
    ("TraceFile", false, "isOpen", is_open),
    ("TraceFile", false, "flushAndClose", flush_and_close),
];

/// Bytes a trace file buffers before writing them out (events are a few dozen bytes each).
const BUFFER_BYTES: usize = 1 << 20;

struct Writer {
    file: File,
    /// What was appended and not yet written out.
    buffer: Vec<u8>,
    path: String,
}

impl Writer {
    /// Appends the pieces, writing the buffer out once it holds [`BUFFER_BYTES`].
    #[inline]
    fn append(&mut self, pieces: &[&[u8]]) -> Result<(), String> {
        for piece in pieces {
            self.buffer.extend_from_slice(piece);
        }
        if self.buffer.len() < BUFFER_BYTES {
            return Ok(());
        }
        self.write_out()
    }

    fn write_out(&mut self) -> Result<(), String> {
        let written = self.file.write_all(&self.buffer);
        self.buffer.clear();
        written.map_err(|error| {
            format!(
                "Cannot write the trace file '{}': {}.",
                self.path,
                describe(&error)
            )
        })
    }
}

thread_local! {
    /// The open files by number; a closed file leaves `None` behind, so numbers are never
    /// reused within a run.
    static OPEN_FILES: RefCell<Vec<Option<Writer>>> = const { RefCell::new(Vec::new()) };
}

/// `TraceFile newOn: path`: a new instance of the receiver class writing to the file at `path`
/// (relative to the working directory), created or emptied.
fn new_on(u: &mut Universe, args: &[Value]) -> Exec {
    let (class, path) = binary(u, args)?;
    let class = expect_class(u, class)?;
    let path = expect_string(u, path)?.as_str().to_string();
    let file = File::create(&path).map_err(|error| {
        u.vm_error(format!(
            "Cannot create the trace file '{path}': {}.",
            describe(&error)
        ))
    })?;
    let instance = u.new_instance(class);
    let Some(slot) = handle_slot(instance) else {
        return Err(u.vm_error(format!(
            "{} has no field to hold its file.",
            u.class_name(class.value())
        )));
    };
    let number = OPEN_FILES.with(|files| {
        let mut files = files.borrow_mut();
        files.push(Some(Writer {
            file,
            buffer: Vec::with_capacity(BUFFER_BYTES),
            path,
        }));
        files.len() - 1
    });
    slot.set(u.new_int(number as i64));
    Ok(instance)
}

/// `append: text`: a String or Symbol as it is, an Integer in decimal; answers the receiver.
fn append(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, text) = binary(u, args)?;
    if VmString::is_string(text) {
        let text = expect_string(u, text)?;
        return write(u, receiver, &[text.as_str().as_bytes()]);
    }
    match int_of(text) {
        Some(Int::Small(n)) => {
            let mut digits = [0; 24];
            write(u, receiver, &[format_int(n, &mut digits)])
        }
        Some(Int::Big(n)) => write(u, receiver, &[n.to_string().as_bytes()]),
        None => Err(wrong_kind(u, "String", text)),
    }
}

/// `TraceFile jsonString: text`: the String or Symbol as a JSON string literal (quoted, with
/// `"`, `\` and control characters escaped), to build the text of events once.
fn json_string_of(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, text) = binary(u, args)?;
    let text = expect_string(u, text)?;
    let quoted = json_string(text.as_str());
    Ok(u.new_string(&quoted))
}

fn is_open(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let open = file_number(receiver).is_some_and(|n| {
        OPEN_FILES.with(|files| files.borrow().get(n).is_some_and(Option::is_some))
    });
    Ok(Value::boolean(open))
}

/// Writes out the buffer and closes the file; answers the receiver. Closing a closed file does
/// nothing.
fn flush_and_close(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let writer = file_number(receiver).and_then(|n| {
        OPEN_FILES.with(|files| files.borrow_mut().get_mut(n).and_then(Option::take))
    });
    match writer.map(close) {
        Some(Err(message)) => Err(u.vm_error(message)),
        _ => Ok(receiver),
    }
}

/// When the program ends with trace files open: sends `closeAllAtExit` to the class
/// `TraceFile` at meta level (so that the Smalltalk side can write the ends of its traces),
/// then flushes and closes the files still open, reporting failures on stderr.
pub fn close_at_exit(u: &mut Universe) {
    let any_open = OPEN_FILES.with(|files| files.borrow().iter().any(Option::is_some));
    if !any_open {
        return;
    }
    let name = u.symbol("TraceFile");
    if let Some(class) = u.globals.get(name) {
        let selector = u.symbol("closeAllAtExit");
        if let Err(Unwind::Error) = u.at_meta_level(|u| u.send(selector, &[class])) {
            let text = u.error.take().map(|e| e.render()).unwrap_or_default();
            u.out.print_error(&format!("{text}\n"));
        }
    }
    let left: Vec<Writer> = OPEN_FILES.with(|files| {
        files
            .borrow_mut()
            .iter_mut()
            .filter_map(Option::take)
            .collect()
    });
    for writer in left {
        if let Err(message) = close(writer) {
            u.out.print_error(&format!("yerba: {message}\n"));
        }
    }
}

/// Appends the pieces to the receiver's file; answers the receiver.
fn write(u: &mut Universe, receiver: Value, pieces: &[&[u8]]) -> Exec {
    match write_file(file_number(receiver), pieces) {
        Ok(()) => Ok(receiver),
        Err(message) => Err(u.vm_error(message)),
    }
}

/// Appends the pieces to the open file numbered `number`, or says why it cannot.
pub(super) fn write_file(number: Option<usize>, pieces: &[&[u8]]) -> Result<(), String> {
    OPEN_FILES.with(|files| {
        let mut files = files.borrow_mut();
        match number
            .and_then(|n| files.get_mut(n))
            .and_then(Option::as_mut)
        {
            Some(writer) => writer.append(pieces),
            None => Err(String::from("The trace file is closed.")),
        }
    })
}

fn close(mut writer: Writer) -> Result<(), String> {
    writer.write_out()
}

/// The first field of an object the VM keeps a table entry for (a TraceFile, an
/// ActivationRecordTable), which holds the entry's number.
pub(super) fn handle_slot(object: Value) -> Option<&'static std::cell::Cell<Value>> {
    let layout = header_of(object)?.layout();
    // SAFETY: `object` has this layout, and the layout has at least one field.
    (layout.field_count() > 0).then(|| unsafe { layout.field_slot(object, 0) })
}

/// The number in the first field of `object` (see [`handle_slot`]).
pub(super) fn file_number(object: Value) -> Option<usize> {
    let number = handle_slot(object)?.get().as_small_int()?;
    usize::try_from(number).ok()
}

fn describe(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}

/// "00", "01", ..., "99": formatting two digits at a time halves the divisions.
const DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

/// The decimal text of `n`, formatted at the end of `buffer` (room for any i64) without
/// allocating: timestamps are formatted twice per traced activation.
pub(super) fn format_int(n: i64, buffer: &mut [u8; 24]) -> &[u8] {
    let mut position = buffer.len();
    let mut rest = n.unsigned_abs();
    while rest >= 10 {
        let pair = (rest % 100) as usize * 2;
        position -= 2;
        buffer[position..position + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        rest /= 100;
    }
    if rest > 0 || position == buffer.len() {
        position -= 1;
        buffer[position] = b'0' + rest as u8;
    }
    if n < 0 {
        position -= 1;
        buffer[position] = b'-';
    }
    &buffer[position..]
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if (c as u32) < 0x20 => quoted.push_str(&format!("\\u{:04x}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_format_in_decimal() {
        let mut buffer = [0; 24];
        for n in [
            0,
            7,
            10,
            99,
            100,
            1234567,
            12345678,
            -42,
            -5,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(format_int(n, &mut buffer), n.to_string().as_bytes());
        }
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("Foo>>bar:"), "\"Foo>>bar:\"");
        assert_eq!(json_string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}
