//! The native tier, interpreter side: counting activations, deciding what to compile, and
//! lowering specialised trees to machine code through `yerba-jit`'s [`Emitter`].
//!
//! A body is compiled once it ran `threshold` times in the interpreter (its tree has
//! specialised by then), or at its first activation with `--jit-always`. Its code replaces the
//! interpretation of its tree only: the activation around it (frame, context, returns,
//! traceback) stays the interpreter's, so native and interpreted activations mix freely.
//!
//! [`Emitter`]: yerba_jit::Emitter

mod code;
mod lower;
mod lowering;
mod policy;
mod runtime;

pub use code::NativeCode;
pub use lowering::install as install_lowering;

use crate::invokable::{CompiledBody, Frame};
use crate::nodes::{Node, ToDo, WhileLoop};
use crate::universe::installed_policy::PolicyKind;
use crate::universe::Universe;
use crate::unwind::Exec;
use lower::{Kernels, Lowering};
use runtime::unpack;
use std::time::Duration;
use yerba_jit::{Emitter, Jit, NativeExec};

/// A compiled body, and a compiled `whileTrue:` loop: `(universe, frame)`.
type BodyEntry = extern "C" fn(*mut Universe, *mut Frame) -> NativeExec;
/// A compiled `to:do:` loop, entered with its counter, limit and step as machine integers.
type CountingEntry = extern "C" fn(*mut Universe, *mut Frame, i64, i64, i64) -> NativeExec;

/// What the command line sets.
#[derive(Clone, Debug)]
pub struct TierOptions {
    /// `--no-jit` turns the tier off.
    pub enabled: bool,
    /// Interpreted activations of a body before it is compiled (`--jit-threshold`).
    pub threshold: u32,
    /// `--jit-always`: compile every body at its first activation.
    pub compile_all: bool,
    /// `--jit-log`: report each compilation on stderr, and the totals at exit.
    pub log: bool,
}

impl Default for TierOptions {
    fn default() -> TierOptions {
        TierOptions {
            enabled: true,
            threshold: 2000,
            compile_all: false,
            log: false,
        }
    }
}

/// Counters for `--jit-log` (and the JIT metaobject).
#[derive(Clone, Debug, Default)]
pub struct TierStats {
    pub compiled: u64,
    pub code_bytes: u64,
    pub compile_time: Duration,
    /// Units left to the interpreter (too big, or refused by the code generator).
    pub refused: u64,
    /// Calls from native code into the interpreter's slow paths (failed guards, overflow,
    /// unexpected receivers of inlined structures).
    pub slow_paths: u64,
    /// Units whose code was retired because the dispatch epoch changed (methods compiled or
    /// changed, shapes changed, environments written) and it tests the dispatch key, or
    /// because the JIT lowering changed.
    pub invalidations: u64,
    /// Units whose code was kept in a new dispatch epoch, as it does not test the key.
    pub renewals: u64,
    /// Compilations of units that had been compiled before.
    pub recompilations: u64,
    /// Retired units whose code was released.
    pub released: u64,
    /// Element-wise DoubleArray loops compiled as kernels, and those with vector code.
    pub kernels: u64,
    pub vector_kernels: u64,
}

pub struct Tier {
    jit: Option<Jit>,
    /// Activations of a body before compiling it; `u32::MAX` when there is no tier.
    pub threshold: u32,
    /// Iterations of a loop in one interpreted activation before compiling the loop.
    pub loop_threshold: u32,
    pub log: bool,
    pub stats: TierStats,
    /// Code taken from its unit that an activation may still be running.
    retired: Vec<code::Unit>,
    /// The bytes of retired code at which the native stack is scanned for the units that can
    /// be released (see [`RELEASE_BATCH`]).
    release_at: usize,
}

/// Retired code is looked for on the native stack once it is this many bytes, or twice as
/// many as stayed at the last look: a deep stack (of activations running retired code) is
/// scanned a logarithmic number of times.
const RELEASE_BATCH: usize = 256 * 1024;

/// Units larger than this many nodes stay interpreted: compile time grows faster than size.
const MAX_NODES: usize = 4000;
/// A loop iteration is cheaper than an activation: loops wait this many times longer.
const LOOP_THRESHOLD_FACTOR: u32 = 4;

impl Tier {
    pub fn new(options: &TierOptions) -> Tier {
        // Compiling everything is for testing: the IR verifier checks each unit too.
        let jit = if options.enabled {
            Jit::for_host(options.compile_all)
        } else {
            None
        };
        let threshold = match (&jit, options.compile_all) {
            (None, _) => u32::MAX,
            (Some(_), true) => 0,
            (Some(_), false) => options.threshold.max(1),
        };
        Tier {
            jit,
            threshold,
            loop_threshold: threshold.saturating_mul(LOOP_THRESHOLD_FACTOR),
            log: options.log,
            stats: TierStats::default(),
            retired: Vec::new(),
            release_at: RELEASE_BATCH,
        }
    }

    /// Whether there is a native tier (not `--no-jit`, and a supported host).
    pub fn enabled(&self) -> bool {
        self.jit.is_some()
    }

    /// Whether every unit compiles at its first activation (`--jit-always`).
    pub fn compiles_all(&self) -> bool {
        self.enabled() && self.threshold == 0
    }

    /// Sets the activations after which a unit compiles (`JIT threshold:`), loops' in
    /// proportion. The command line's `--no-jit` and `--jit-always` keep theirs.
    pub fn set_threshold(&mut self, threshold: u32) {
        if self.enabled() && !self.compiles_all() {
            self.threshold = threshold.max(1);
            self.loop_threshold = self.threshold.saturating_mul(LOOP_THRESHOLD_FACTOR);
        }
    }

    /// Reports the heap objects retired code refers to.
    pub fn trace(&self, tracer: &mut yerba_mop::heap::Tracer) {
        self.retired.iter().for_each(|unit| unit.trace(tracer));
    }

    /// Releases the retired code that no word of the native stack points into: no activation
    /// runs it (a running one has a return address into it on the stack).
    /// `running[i]` says whether retired unit `i` may be running.
    fn release_unused(&mut self, running: &[bool]) {
        let before = self.retired.len();
        let mut index = 0;
        self.retired.retain(|_| {
            index += 1;
            running[index - 1]
        });
        self.stats.released += (before - self.retired.len()) as u64;
        self.release_at = RELEASE_BATCH.max(2 * self.retired_bytes());
    }

    fn retired_bytes(&self) -> usize {
        self.retired.iter().map(|unit| unit.code.size).sum()
    }

    /// The totals, for `--jit-log`.
    pub fn summary(&self) -> String {
        let s = &self.stats;
        format!(
            "jit: {} units compiled, {} bytes of code, {:.1} ms compiling, {} refused, {} slow-path calls, {} invalidations, {} renewals, {} recompilations, {} released",
            s.compiled,
            s.code_bytes,
            s.compile_time.as_secs_f64() * 1000.0,
            s.refused,
            s.slow_paths,
            s.invalidations,
            s.renewals,
            s.recompilations,
            s.released
        )
    }
}

/// Runs `code` (a plain body) for `frame`: its native code once compiled, else its tree,
/// counting the activation.
#[inline(always)]
pub fn execute_body(u: &mut Universe, code: &CompiledBody, frame: &mut Frame) -> Exec {
    let mut entry = code.native.entry();
    if code.native.stale(u.dispatch_epoch) {
        entry = renew_or_invalidate(u, &code.native);
    }
    if entry.is_null() {
        if !code.native.due(u.tier.threshold) {
            return code.body.execute(u, frame);
        }
        entry = compile_body(u, code, frame);
        if entry.is_null() {
            return code.body.execute(u, frame);
        }
    }
    // SAFETY: a body's unit is compiled with the signature of `BodyEntry`.
    let entry: BodyEntry = unsafe { std::mem::transmute(entry) };
    unpack(entry(u, frame))
}

/// `native`'s code was compiled in an earlier dispatch epoch. Code that depends on the epoch
/// (its inlined chains' guards now fail, or its send sites could be inlined anew) is retired,
/// to be compiled again once it runs hot again; other code (arithmetic, control structures,
/// variables and fields, which its own guards check) is kept, as current. Answers the entry
/// then.
#[cold]
#[inline(never)]
fn renew_or_invalidate(u: &mut Universe, native: &NativeCode) -> *const u8 {
    if native.epoch_bound() {
        invalidate(u, native);
    } else {
        native.renew(u.dispatch_epoch);
        u.tier.stats.renewals += 1;
    }
    native.entry()
}

/// Retires `native`'s code: it is compiled again once it runs hot again.
fn invalidate(u: &mut Universe, native: &NativeCode) {
    if let Some(unit) = native.retire() {
        u.tier.retired.push(unit);
        u.tier.stats.invalidations += 1;
    }
    if u.tier.retired_bytes() < u.tier.release_at {
        return;
    }
    let mut running = vec![false; u.tier.retired.len()];
    // The units' code ranges by address, to find the one a word points into by bisection.
    let mut ranges: Vec<(usize, usize, usize)> = u
        .tier
        .retired
        .iter()
        .enumerate()
        .map(|(index, unit)| {
            let start = unit.code.entry() as usize;
            (start, start + unit.code.size, index)
        })
        .collect();
    ranges.sort_unstable();
    u.for_each_native_stack_word(|word| {
        let after = ranges.partition_point(|(start, _, _)| *start <= word);
        if let Some((_, end, index)) = after.checked_sub(1).map(|i| ranges[i]) {
            if word < end {
                running[index] = true;
            }
        }
    });
    u.tier.release_unused(&running);
}

#[cold]
#[inline(never)]
fn compile_body(u: &mut Universe, code: &CompiledBody, frame: &Frame) -> *const u8 {
    compile(
        u,
        &code.native,
        frame,
        "",
        2,
        &[&code.body],
        None,
        |lowering| lowering.lower(&code.body),
    )
}

/// The interpreter ran another iteration of `node` in `frame`: if the loop is hot, the rest
/// of it runs natively and this is its answer.
#[inline(always)]
pub fn while_loop_iterated(u: &mut Universe, node: &WhileLoop, frame: &mut Frame) -> Option<Exec> {
    if !node.native.due(u.tier.loop_threshold) {
        return None;
    }
    let entry = compile_while_loop(u, node, frame);
    if entry.is_null() {
        return None;
    }
    // SAFETY: compiled with the signature of `BodyEntry`: the loop from its condition.
    let entry: BodyEntry = unsafe { std::mem::transmute(entry) };
    Some(unpack(entry(u, frame)))
}

#[cold]
#[inline(never)]
fn compile_while_loop(u: &mut Universe, node: &WhileLoop, frame: &Frame) -> *const u8 {
    if node.native.stale(u.dispatch_epoch) {
        renew_or_invalidate(u, &node.native);
    }
    let entry = node.native.entry();
    if !entry.is_null() {
        return entry;
    }
    let trees = [&node.condition, &node.body];
    compile(
        u,
        &node.native,
        frame,
        "a loop in ",
        2,
        &trees,
        None,
        |lowering| lowering.while_loop(node),
    )
}

/// The interpreter is about to run iteration `i` of `node` in `frame`: if the loop is hot,
/// the rest of it runs natively and this is its answer (nil).
#[inline(always)]
pub fn counting_loop_iterated(
    u: &mut Universe,
    node: &ToDo,
    frame: &mut Frame,
    i: i64,
    to: i64,
    by: i64,
) -> Option<Exec> {
    if !node.native.due(u.tier.loop_threshold) {
        return None;
    }
    let entry = compile_counting_loop(u, node, frame);
    if entry.is_null() {
        return None;
    }
    // SAFETY: compiled with the signature of `CountingEntry`.
    let entry: CountingEntry = unsafe { std::mem::transmute(entry) };
    Some(unpack(entry(u, frame, i, to, by)))
}

#[cold]
#[inline(never)]
fn compile_counting_loop(u: &mut Universe, node: &ToDo, frame: &Frame) -> *const u8 {
    if node.native.stale(u.dispatch_epoch) {
        renew_or_invalidate(u, &node.native);
    }
    let entry = node.native.entry();
    if !entry.is_null() {
        return entry;
    }
    compile(
        u,
        &node.native,
        frame,
        "a loop in ",
        5,
        &[&node.body],
        Some(node),
        |lowering| {
            let (from, to, by) = (
                lowering.e.param(2),
                lowering.e.param(3),
                lowering.e.param(4),
            );
            lowering.count(node, from, to, by);
            lowering.e.word(yerba_mop::Value::NIL.bits())
        },
    )
}

/// Compiles one unit of `params` parameters (the universe, the frame, then its own) whose
/// trees are `trees` (with `counting_loop` for the unit of a `to:do:` loop), emitted by
/// `build`, into `native`: its entry, or null if it stays interpreted.
#[allow(clippy::too_many_arguments)]
fn compile(
    u: &mut Universe,
    native: &NativeCode,
    frame: &Frame,
    what: &str,
    params: usize,
    trees: &[&Node],
    counting_loop: Option<&ToDo>,
    build: impl FnOnce(&mut Lowering) -> yerba_jit::IrValue,
) -> *const u8 {
    let name = if u.tier.log {
        format!("{what}{}", u.method_description(frame.method))
    } else {
        String::new()
    };
    if !u.tier.enabled() {
        native.give_up();
        return std::ptr::null();
    }
    let nodes: usize = trees.iter().copied().map(node_count).sum();
    if nodes > MAX_NODES {
        native.give_up();
        u.tier.stats.refused += 1;
        if u.tier.log {
            eprintln!("jit: {name} stays interpreted: {nodes} nodes");
        }
        return std::ptr::null();
    }
    if u.policies.is_installed(PolicyKind::Jit) {
        if !policy::permits(u, native, frame.method) {
            native.postpone();
            if u.tier.log {
                eprintln!("jit: {name} stays interpreted for now: the policy said so");
            }
            return std::ptr::null();
        }
        // The policy's own run may have compiled the unit, or refused it, meanwhile.
        if !native.entry().is_null() || native.given_up() {
            return native.entry();
        }
    }
    let kernels = Kernels::find(u, trees, counting_loop);
    let lowered = !kernels.is_empty();
    let shape = if lowered {
        let shape = lowering::shape_for(u, frame.method);
        // The lowering's own run may have compiled the unit meanwhile.
        if !native.entry().is_null() || native.given_up() {
            return native.entry();
        }
        shape
    } else {
        lowering::VectorShape::SCALAR
    };
    let kernel_count = kernels.len() as u64;
    let layouts = &u.layouts;
    let Some(jit) = u.tier.jit.as_mut() else {
        return std::ptr::null();
    };
    let mut keep_alive = Vec::new();
    let mut epoch_bound = false;
    let compiled = jit.compile(params, |e: &mut Emitter| {
        let mut lowering = Lowering::new(e, layouts, kernels, shape);
        let answer = build(&mut lowering);
        keep_alive = std::mem::take(&mut lowering.keep_alive);
        epoch_bound = lowering.epoch_bound;
        e.answer(answer);
    });
    match compiled {
        Ok(compiled) => {
            let stats = &mut u.tier.stats;
            stats.compiled += 1;
            if native.compilations() > 0 {
                stats.recompilations += 1;
            }
            stats.code_bytes += compiled.size as u64;
            stats.kernels += kernel_count;
            if shape.lanes > 1 {
                stats.vector_kernels += kernel_count;
            }
            stats.compile_time += compiled.compile_time;
            if u.tier.log {
                eprintln!(
                    "jit: compiled {name} ({nodes} nodes, {} bytes, {} us)",
                    compiled.size,
                    compiled.compile_time.as_micros()
                );
            }
            native.install(compiled, keep_alive, u.dispatch_epoch, lowered, epoch_bound)
        }
        Err(error) => {
            native.give_up();
            u.tier.stats.refused += 1;
            if u.tier.log {
                eprintln!("jit: {name} stays interpreted: {error}");
            }
            std::ptr::null()
        }
    }
}

/// Nodes of a tree, for the size budget.
fn node_count(node: &Node) -> usize {
    let mut count = 0;
    node.visit(&mut |_| count += 1);
    count
}
