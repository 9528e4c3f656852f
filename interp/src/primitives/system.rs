//! System primitives (the `system` global): globals, class loading, output, exiting, clocks
//! and the garbage collector. Printing goes through the VM's buffered stdout; stderr output
//! flushes it first so that the two streams interleave as written.

use super::arguments::{binary, expect_string, expect_symbol, ternary, unary};
use super::numbers::{expect_int, Int};
use super::Entry;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use std::io::Read;
use std::time::Duration;
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("System", false, "global:", global),
    ("System", false, "global:put:", global_put),
    ("System", false, "hasGlobal:", has_global),
    ("System", false, "load:", load),
    ("System", false, "loadFile:", load_file),
    ("System", false, "exit:", exit),
    ("System", false, "printString:", print_string),
    ("System", false, "printNewline", print_newline),
    ("System", false, "errorPrint:", error_print),
    ("System", false, "errorPrintln:", error_println),
    ("System", false, "printStackTrace", print_stack_trace),
    ("System", false, "time", time),
    ("System", false, "ticks", ticks),
    ("System", false, "fullGC", full_gc),
    ("System", false, "gcStats", gc_stats),
    (
        "System",
        false,
        "totalCompilationTime",
        total_compilation_time,
    ),
];

// ---- globals and loading -----------------------------------------------------------------

/// The value of the global, or nil; never loads a class.
fn global(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, name) = binary(u, args)?;
    let name = expect_symbol(u, name)?;
    Ok(u.globals.get(name).unwrap_or(Value::NIL))
}

/// Defines or overwrites the global; answers the receiver.
fn global_put(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, name, value) = ternary(u, args)?;
    let name = expect_symbol(u, name)?;
    u.globals.put(name, value);
    Ok(receiver)
}

fn has_global(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, name) = binary(u, args)?;
    let name = expect_symbol(u, name)?;
    Ok(Value::boolean(u.globals.get(name).is_some()))
}

/// The class loaded from the classpath (or an existing global of that name), nil without file.
fn load(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, name) = binary(u, args)?;
    let name = expect_symbol(u, name)?;
    Ok(u.load_class(name)?.unwrap_or(Value::NIL))
}

/// The most `loadFile:` reads (less if the heap limit is lower): the text becomes one String.
const LOAD_FILE_LIMIT: usize = 1 << 30;

/// The content of the file at the path (relative to the working directory), or nil when it
/// cannot be read: it is missing, not UTF-8, or not a regular file (reading a directory fails,
/// reading a pipe or a device could wait or never end). A file larger than the limit is an
/// error.
fn load_file(u: &mut Universe, args: &[Value]) -> Exec {
    let (_, path) = binary(u, args)?;
    let path = expect_string(u, path)?;
    let limit = LOAD_FILE_LIMIT.min(u.heap.policy().max_heap_bytes);
    match read_regular_file(path.as_str(), limit) {
        Ok(Some(text)) => Ok(u.new_string(&text)),
        Ok(None) => Ok(Value::NIL),
        Err(FileTooLarge) => {
            let message = format!(
                "system loadFile: '{}' is larger than the limit of {} MiB.",
                path.as_str(),
                limit >> 20
            );
            Err(u.vm_error(message))
        }
    }
}

struct FileTooLarge;

/// The text of the regular file at `path` if it can be read, unless it has more than `limit`
/// bytes.
fn read_regular_file(path: &str, limit: usize) -> Result<Option<String>, FileTooLarge> {
    // Looked at before opening: opening a pipe waits for a writer.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(None);
    };
    match file.metadata() {
        Ok(metadata) if metadata.is_file() => {
            if metadata.len() > limit as u64 {
                return Err(FileTooLarge);
            }
        }
        _ => return Ok(None),
    }
    // Some regular files (under /proc) report no size or grow while read: read one byte past
    // the limit to tell.
    let mut bytes = Vec::new();
    if file.take(limit as u64 + 1).read_to_end(&mut bytes).is_err() {
        return Ok(None);
    }
    if bytes.len() > limit {
        return Err(FileTooLarge);
    }
    Ok(String::from_utf8(bytes).ok())
}

/// Ends the program at once with the status (after flushing stdout).
fn exit(u: &mut Universe, args: &[Value]) -> Exec {
    let status = exit_status(u, args)?;
    if let Some(refusal) = super::refuse_exit_while_answering(u, status) {
        return Err(refusal);
    }
    u.exit(i32::from(status))
}

/// The status of `system exit: status`. A process reports only the low 8 bits of its status,
/// so a status outside 0..255 (which could read as success) is an error instead.
pub fn exit_status(u: &mut Universe, args: &[Value]) -> Result<u8, Unwind> {
    let (_, status) = binary(u, args)?;
    let status = match expect_int(u, status)? {
        Int::Small(s) => u8::try_from(s).ok(),
        Int::Big(_) => None,
    };
    status.ok_or_else(|| u.vm_error("system exit: expects a status between 0 and 255."))
}

// ---- output ------------------------------------------------------------------------------

/// Writes the text to stdout without a newline; answers the receiver.
fn print_string(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, text) = binary(u, args)?;
    let text = expect_string(u, text)?;
    print(u, text.as_str())?;
    Ok(receiver)
}

fn print_newline(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    print(u, "\n")?;
    Ok(receiver)
}

/// Writes to stdout; output that cannot be written stops the program with a VM error.
fn print(u: &mut Universe, text: &str) -> Result<(), Unwind> {
    u.out.print(text).map_err(|message| u.vm_error(message))
}

fn error_print(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, text) = binary(u, args)?;
    let text = expect_string(u, text)?;
    u.out.print_error(text.as_str());
    Ok(receiver)
}

fn error_println(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, text) = binary(u, args)?;
    let text = expect_string(u, text)?;
    u.out.print_error(&format!("{}\n", text.as_str()));
    Ok(receiver)
}

/// The VM keeps no walkable record of the active frames outside of error unwinding (the
/// traceback of a VM error is collected as it unwinds), so this can only say so.
fn print_stack_trace(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    u.out
        .print_error("printStackTrace: stack traces are only printed for VM errors.\n");
    Ok(receiver)
}

// ---- clocks and memory -------------------------------------------------------------------

/// Milliseconds since the VM started.
fn time(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    let elapsed = u.start_time.elapsed();
    Ok(u.new_int(millis(elapsed)))
}

/// Microseconds since the VM started; always positive and never decreasing.
fn ticks(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    Ok(u.new_int(ticks_now(u)))
}

/// What `system ticks` answers now.
pub fn ticks_now(u: &Universe) -> i64 {
    let micros = i64::try_from(u.start_time.elapsed().as_micros()).unwrap_or(i64::MAX);
    micros.max(1)
}

/// Collects now; answers true.
fn full_gc(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    u.collect_garbage();
    Ok(Value::TRUE)
}

/// An Array of the number of collections, the milliseconds spent collecting and the bytes
/// allocated so far.
fn gc_stats(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    let stats = u.heap.stats();
    let collections = u.new_int(i64::try_from(stats.collections).unwrap_or(i64::MAX));
    let gc_time = u.new_int(millis(stats.total_time));
    let allocated = u.new_int(i64::try_from(stats.bytes_allocated).unwrap_or(i64::MAX));
    Ok(u.new_array_from(&[collections, gc_time, allocated]))
}

/// Milliseconds spent loading and compiling classes.
fn total_compilation_time(u: &mut Universe, args: &[Value]) -> Exec {
    unary(u, args)?;
    let compilation = u.compilation_time;
    Ok(u.new_int(millis(compilation)))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
