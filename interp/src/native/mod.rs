//! The native tier, interpreter side: counting activations, deciding what to compile, and
//! lowering specialised trees to machine code through `yerba-jit`'s [`Emitter`].
//!
//! A body is compiled once it ran `threshold` times in the interpreter (its tree has
//! specialised by then), or at its first activation with `--jit-always`. Its code replaces the
//! interpretation of its tree only: the activation around it (frame, context, returns,
//! traceback) stays the interpreter's, so native and interpreted activations mix freely.
//!
//! [`Emitter`]: yerba_jit::Emitter

mod body;
mod lower;
mod runtime;

pub use body::NativeBody;
pub use runtime::{enter, NativeEntry};

use crate::invokable::{CompiledBody, Frame};
use crate::nodes::Node;
use crate::universe::Universe;
use lower::Lowering;
use std::time::Duration;
use yerba_jit::Jit;

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
            threshold: 500,
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
    /// Bodies left to the interpreter (too big, or refused by the code generator).
    pub refused: u64,
    /// Calls from native code into the interpreter's slow paths (failed guards, overflow,
    /// unexpected receivers of inlined structures).
    pub slow_paths: u64,
}

pub struct Tier {
    jit: Option<Jit>,
    /// Activations before compiling; `u32::MAX` when there is no tier.
    pub threshold: u32,
    pub log: bool,
    pub stats: TierStats,
}

/// Bodies larger than this many nodes stay interpreted: compile time grows faster than size.
const MAX_NODES: usize = 4000;

impl Tier {
    pub fn new(options: &TierOptions) -> Tier {
        let jit = if options.enabled {
            Jit::for_host()
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
            log: options.log,
            stats: TierStats::default(),
        }
    }

    /// The totals, for `--jit-log`.
    pub fn summary(&self) -> String {
        let s = &self.stats;
        format!(
            "jit: {} bodies compiled, {} bytes of code, {:.1} ms compiling, {} refused, {} slow-path calls",
            s.compiled,
            s.code_bytes,
            s.compile_time.as_secs_f64() * 1000.0,
            s.refused,
            s.slow_paths
        )
    }
}

/// Compiles `code` (a plain body that `frame` runs): its entry, or `None` if it stays
/// interpreted.
#[cold]
#[inline(never)]
pub fn compile_body(u: &mut Universe, code: &CompiledBody, frame: &Frame) -> Option<NativeEntry> {
    let name = if u.tier.log {
        u.method_description(frame.method)
    } else {
        String::new()
    };
    let Some(jit) = u.tier.jit.as_mut() else {
        code.native.give_up();
        return None;
    };
    let nodes = node_count(&code.body);
    if nodes > MAX_NODES {
        code.native.give_up();
        u.tier.stats.refused += 1;
        if u.tier.log {
            eprintln!("jit: {} stays interpreted: {nodes} nodes", name);
        }
        return None;
    }
    let mut keep_alive = Vec::new();
    let compiled = jit.compile(2, |e| {
        let mut lowering = Lowering::new(e, code);
        let answer = lowering.lower(&code.body);
        keep_alive = std::mem::take(&mut lowering.keep_alive);
        e.answer(answer);
    });
    match compiled {
        Ok(compiled) => {
            let stats = &mut u.tier.stats;
            stats.compiled += 1;
            stats.code_bytes += compiled.size as u64;
            stats.compile_time += compiled.compile_time;
            if u.tier.log {
                eprintln!(
                    "jit: compiled {} ({nodes} nodes, {} bytes, {} us)",
                    name,
                    compiled.size,
                    compiled.compile_time.as_micros()
                );
            }
            Some(code.native.install(compiled, keep_alive))
        }
        Err(error) => {
            code.native.give_up();
            u.tier.stats.refused += 1;
            if u.tier.log {
                eprintln!("jit: {} stays interpreted: {error}", name);
            }
            None
        }
    }
}

/// Nodes of a tree, for the size budget.
fn node_count(node: &Node) -> usize {
    let mut count = 0;
    node.visit(&mut |_| count += 1);
    count
}
