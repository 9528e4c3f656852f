//! Yerba's native tier, the VM-level half: Cranelift set up for the host, a builder whose
//! vocabulary is the VM's (tagged values, layout guards, field access, runtime calls that may
//! unwind), and the code heap that owns and frees compiled code.
//!
//! The interpreter (`yerba`) lowers its specialised trees through [`Emitter`]; this crate knows
//! nothing of nodes, so the crates depend one way: interp -> jit -> mop.

mod backend;
mod emitter;

pub use backend::{CompileError, CompiledCode, Jit};
pub use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
pub use cranelift_codegen::ir::Value as IrValue;
pub use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData};
pub use cranelift_frontend::Variable;
pub use emitter::{Emitter, IntArithmetic, Label, NativeExec};

#[cfg(test)]
mod tests;
