//! `ActivationRecordTable`: the part of the activation tracer (som-lib `ActivationTracer`,
//! docs/mop.md "Tracing activations") that runs for every activation, done by the VM so that
//! tracing an activation costs one send in Smalltalk.
//!
//! The tracer decides in Smalltalk, once per method, which record the method's activations
//! count for, if any (`key:subject:id:`), and the text of their begin events
//! (`id:beginEvent:`). Then, per activation, its activation handler sends `begin:subject:`,
//! which finds the record by the method's identity, writes the begin event with the time into
//! the trace file, and asks the VM to be told when the activation ends
//! (`ActivationEndObserver`): the end writes the end event and adds the activation's time to its
//! record, inclusive (a recursive method counts once, with its outermost activation) and
//! exclusive (without the activations it started). The Smalltalk side reads the totals at the
//! end (`countsAt:`).
//!
//! Methods are told apart by address: the collector never moves objects, and the Smalltalk side
//! keeps every method it registers alive, so an address stays that method's while the table is
//! used. A table holds no heap values, so the tables need no GC rooting.

use super::arguments::{binary, expect_class, expect_string, quaternary, ternary, unary};
use super::trace_file::{file_number, format_int, handle_slot, write_file};
use super::Entry;
use crate::invokable::{Block, Primitive};
use crate::universe::{ActivationEndObserver, Universe};
use crate::unwind::{Exec, Unwind};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use yerba_mop::object::Gc;
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    (
        "ActivationRecordTable",
        true,
        "newWriting:endEvent:tail:",
        new_writing,
    ),
    ("ActivationRecordTable", false, "begin:subject:", begin),
    (
        "ActivationRecordTable",
        false,
        "key:subject:id:",
        key_subject_id,
    ),
    (
        "ActivationRecordTable",
        false,
        "id:beginEvent:",
        id_begin_event,
    ),
    ("ActivationRecordTable", false, "countsAt:", counts_at),
    ("ActivationRecordTable", false, "endAll", end_all),
];

/// Which activations count for which record: the method's address and, for a primitive that
/// evaluates a block, the address of the block's home method (else 0).
type Key = (u64, u64);

/// The id of the activations that are not recorded.
const UNRECORDED: u32 = 0;

struct Table {
    /// The number of the TraceFile the events go to.
    file: usize,
    /// Record ids (1-based) by key; [`UNRECORDED`] for activations not recorded.
    ids: FxHashMap<Key, u32>,
    /// The records, id 1 first.
    records: Vec<Record>,
    /// The activations begun and not yet ended, innermost last.
    running: Vec<Running>,
    /// The text of end events up to their timestamp.
    end_event: Box<[u8]>,
    /// The text after the timestamp of every event.
    tail: Box<[u8]>,
    /// Set by `endAll`: nothing more is recorded.
    finished: bool,
    /// Why writing an end event failed (reported by the next send to the table).
    failure: Option<String>,
    time: Timestamp,
}

/// The text of the last timestamp written: several events often fall in one microsecond.
struct Timestamp {
    microseconds: i64,
    digits: [u8; 24],
    start: usize,
}

impl Timestamp {
    fn new() -> Timestamp {
        Timestamp {
            microseconds: -1,
            digits: [0; 24],
            start: 0,
        }
    }

    /// The decimal text of the time `nanoseconds` in microseconds.
    fn text(&mut self, nanoseconds: u64) -> &[u8] {
        let microseconds = microseconds(nanoseconds);
        if microseconds != self.microseconds {
            self.microseconds = microseconds;
            self.start = self.digits.len() - format_int(microseconds, &mut self.digits).len();
        }
        &self.digits[self.start..]
    }
}

#[derive(Default)]
struct Record {
    /// The text of its begin events up to their timestamp.
    begin_event: Box<[u8]>,
    calls: u64,
    /// Nanoseconds.
    inclusive: u64,
    exclusive: u64,
    /// How many of its activations are running (recursion).
    running: u32,
}

struct Running {
    id: u32,
    /// Nanoseconds since the VM started.
    start: u64,
    /// Nanoseconds spent in the activations it started.
    children: u64,
}

thread_local! {
    /// The tables by number; numbers are never reused within a run.
    static TABLES: RefCell<Vec<Table>> = const { RefCell::new(Vec::new()) };
}

/// `ActivationRecordTable newWriting: aTraceFile endEvent: text tail: text`: a new instance of
/// the receiver class writing events to the TraceFile, end events as `text`, the timestamp and
/// the tail, begin events as their record's text, the timestamp and the tail.
fn new_writing(u: &mut Universe, args: &[Value]) -> Exec {
    let (class, file, end_event, tail) = quaternary(u, args)?;
    let class = expect_class(u, class)?;
    let Some(file) = file_number(file) else {
        return Err(u.vm_error("newWriting:endEvent:tail: needs a TraceFile."));
    };
    let end_event = bytes_of(u, end_event)?;
    let tail = bytes_of(u, tail)?;
    let instance = u.new_instance(class);
    let Some(slot) = handle_slot(instance) else {
        return Err(u.vm_error(format!(
            "{} has no field to hold its table.",
            u.class_name(class.value())
        )));
    };
    let number = TABLES.with(|tables| {
        let mut tables = tables.borrow_mut();
        tables.push(Table {
            file,
            ids: FxHashMap::default(),
            records: Vec::new(),
            running: Vec::new(),
            end_event,
            tail,
            finished: false,
            failure: None,
            time: Timestamp::new(),
        });
        tables.len() - 1
    });
    slot.set(u.new_int(number as i64));
    Ok(instance)
}

/// `begin: aMethod subject: s`, sent by an activation handler: if the table knows which record
/// the activation counts for, records its start (the begin event, and its end when it comes)
/// and answers true; answers false for the first activation of a method, which the sender
/// then registers with `key:subject:id:`. A finished table records nothing and answers true.
fn begin(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, method, subject) = ternary(u, args)?;
    let key = key_of(method, subject);
    let began = file_number(receiver).and_then(|number| {
        TABLES.with(|tables| {
            let mut tables = tables.borrow_mut();
            let table = tables.get_mut(number)?;
            Some(table.begin(u, number, key))
        })
    });
    match began {
        Some(Ok(known)) => Ok(Value::boolean(known)),
        Some(Err(message)) => Err(u.vm_error(message)),
        None => Err(not_a_table(u)),
    }
}

impl Table {
    /// `begin:subject:` for the activation keyed `key`, this table being number `number`:
    /// whether the key is known.
    fn begin(&mut self, u: &mut Universe, number: usize, key: Key) -> Result<bool, String> {
        if self.finished {
            return Ok(true);
        }
        if let Some(failure) = self.failure.take() {
            return Err(failure);
        }
        let id = match self.ids.get(&key) {
            None => return Ok(false),
            Some(&UNRECORDED) => return Ok(true),
            Some(&id) => id,
        };
        let observer = ActivationEndObserver {
            ended: activation_ended,
            token: number,
        };
        if !u.reflection.observe_activation_end(observer) {
            return Err(String::from(
                "ActivationRecordTable>>begin:subject: records an activation only when sent by its activation handler.",
            ));
        }
        let now = nanoseconds(u);
        let record = &mut self.records[id as usize - 1];
        record.calls += 1;
        record.running += 1;
        self.running.push(Running {
            id,
            start: now,
            children: 0,
        });
        let time = self.time.text(now);
        write_file(
            Some(self.file),
            &[&record.begin_event[..], time, &self.tail[..]],
        )?;
        Ok(true)
    }
}

/// The end of an activation that `begin:subject:` of table `number` recorded: its end event,
/// and its time added to its record and its caller's.
fn activation_ended(u: &mut Universe, number: usize) {
    let now = nanoseconds(u);
    TABLES.with(|tables| {
        let mut tables = tables.borrow_mut();
        let Some(table) = tables.get_mut(number).filter(|table| !table.finished) else {
            return;
        };
        if let Err(message) = table.end_innermost(now) {
            table.failure.get_or_insert(message);
        }
    });
}

impl Table {
    /// Ends the innermost running activation at `now`.
    fn end_innermost(&mut self, now: u64) -> Result<(), String> {
        let Some(ended) = self.running.pop() else {
            return Ok(());
        };
        let elapsed = now.saturating_sub(ended.start);
        let record = &mut self.records[ended.id as usize - 1];
        record.running -= 1;
        if record.running == 0 {
            record.inclusive += elapsed;
        }
        record.exclusive += elapsed.saturating_sub(ended.children);
        if let Some(caller) = self.running.last_mut() {
            caller.children += elapsed;
        }
        let time = self.time.text(now);
        write_file(
            Some(self.file),
            &[&self.end_event[..], time, &self.tail[..]],
        )
    }
}

/// `key: aMethod subject: s id: n`: the activations of aMethod with subject s (keyed as
/// `begin:subject:` keys them) count for the record with id n (from 1, given its begin event by
/// `id:beginEvent:`), or are not recorded (n = 0). Answers the receiver.
fn key_subject_id(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, method, subject, id) = quaternary(u, args)?;
    let number = table_number(u, receiver)?;
    let key = key_of(method, subject);
    let id = id.as_small_int().and_then(|id| u32::try_from(id).ok());
    let known = with_table(number, |table| match id {
        Some(id) if id as usize <= table.records.len() => {
            table.ids.insert(key, id);
            true
        }
        _ => false,
    });
    if !known {
        return Err(
            u.vm_error("key:subject:id: needs 0 or the id of a record given its begin event.")
        );
    }
    Ok(receiver)
}

/// `id: n beginEvent: text`: the text of the begin events of record n up to their timestamp.
/// Ids are given in order from 1 (or again, to change a record's text). Answers the receiver.
fn id_begin_event(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, id, text) = ternary(u, args)?;
    let number = table_number(u, receiver)?;
    let text = bytes_of(u, text)?;
    let id = id.as_small_int().and_then(|id| usize::try_from(id).ok());
    let given = with_table(number, |table| match id {
        Some(id) if id >= 1 && id <= table.records.len() + 1 => {
            if id > table.records.len() {
                table.records.push(Record::default());
            }
            table.records[id - 1].begin_event = text;
            true
        }
        _ => false,
    });
    if !given {
        return Err(u.vm_error("id:beginEvent: needs the id of a record, or the next one."));
    }
    Ok(receiver)
}

/// `countsAt: n`: `{calls. inclusive. exclusive}` of record n, the times in microseconds.
fn counts_at(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, id) = binary(u, args)?;
    let number = table_number(u, receiver)?;
    let id = id.as_small_int().and_then(|id| usize::try_from(id).ok());
    let counts = with_table(number, |table| {
        let record = table.records.get(id?.checked_sub(1)?)?;
        Some([
            record.calls,
            record.inclusive / 1000,
            record.exclusive / 1000,
        ])
    });
    let Some(counts) = counts else {
        return Err(u.vm_error("countsAt: needs the id of a record."));
    };
    let array = u.new_array(counts.len());
    for (item, count) in array.items().iter().zip(counts) {
        item.set(u.new_int(i64::try_from(count).unwrap_or(i64::MAX)));
    }
    Ok(array.value())
}

/// `endAll`: ends the activations still running, now (the program ends while they run), and
/// stops recording: later activations are not recorded, and the ends of those still running
/// are not recorded again. Answers the receiver.
fn end_all(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let number = table_number(u, receiver)?;
    let now = nanoseconds(u);
    let outcome = with_table(number, |table| {
        let mut outcome = table.failure.take().map_or(Ok(()), Err);
        while !table.running.is_empty() {
            let ended = table.end_innermost(now);
            outcome = outcome.and(ended);
        }
        table.finished = true;
        table.ids = FxHashMap::default();
        table.running = Vec::new();
        outcome
    });
    match outcome {
        Ok(()) => Ok(receiver),
        Err(message) => Err(u.vm_error(message)),
    }
}

/// How `begin:subject:` and `key:subject:id:` tell activations apart: by the method, and for a
/// primitive evaluating a block (`value`, ...), also by the block's home method, so that the
/// blocks of each method can have a record of their own.
fn key_of(method: Value, subject: Value) -> Key {
    let home = if Primitive::is_primitive(method) && Block::is_block(subject) {
        // SAFETY: kind checked just above.
        let block: Gc<Block> = unsafe { Gc::from_value(subject) };
        block.home_method().bits()
    } else {
        0
    };
    (method.bits(), home)
}

fn table_number(u: &mut Universe, receiver: Value) -> Result<usize, Unwind> {
    let exists = |number: &usize| TABLES.with(|tables| *number < tables.borrow().len());
    match file_number(receiver).filter(exists) {
        Some(number) => Ok(number),
        None => Err(not_a_table(u)),
    }
}

#[cold]
fn not_a_table(u: &mut Universe) -> Unwind {
    u.vm_error("The ActivationRecordTable was not made by newWriting:endEvent:tail:.")
}

/// Runs `f` on table `number`, which [`table_number`] checked.
fn with_table<R>(number: usize, f: impl FnOnce(&mut Table) -> R) -> R {
    TABLES.with(|tables| f(&mut tables.borrow_mut()[number]))
}

fn bytes_of(u: &mut Universe, text: Value) -> Result<Box<[u8]>, Unwind> {
    let text = expect_string(u, text)?;
    Ok(text.as_str().as_bytes().into())
}

/// Nanoseconds since the VM started.
fn nanoseconds(u: &Universe) -> u64 {
    u64::try_from(u.start_time.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// What `system ticks` answers at `nanoseconds` (microseconds since the VM started, at least 1).
fn microseconds(nanoseconds: u64) -> i64 {
    i64::try_from(nanoseconds / 1000).unwrap_or(i64::MAX).max(1)
}
