//! Cranelift for the host machine, and compiled code with its lifetime.
//!
//! Each compiled unit gets a module of its own (CRANELIFT-NOTES, pattern A), so that its
//! memory can be released on its own when the VM knows that no activation can still run it;
//! runtime functions are called through constant addresses, so nothing needs linking.

use crate::emitter::Emitter;
use cranelift_codegen::ir::{types, AbiParam, Signature, UserFuncName};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Module};
use std::fmt;
use std::time::{Duration, Instant};

/// The code generator, set up once per process for the host.
pub struct Jit {
    isa: OwnedTargetIsa,
    context: Context,
    builder_context: FunctionBuilderContext,
}

/// Why a unit was not compiled: the VM goes on interpreting it.
#[derive(Debug)]
pub struct CompileError(pub String);

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Machine code of one compiled unit. Dropping it releases the code: its owner drops it only
/// once no activation can be running it.
pub struct CompiledCode {
    module: Option<JITModule>,
    entry: *const u8,
    /// Bytes of machine code.
    pub size: usize,
    /// Time spent generating it.
    pub compile_time: Duration,
}

impl CompiledCode {
    /// The entry point; its signature is the one given to [`Jit::compile`].
    pub fn entry(&self) -> *const u8 {
        self.entry
    }

    /// Whether `address` lies in this unit's code (a return address into it, for instance).
    pub fn contains(&self, address: usize) -> bool {
        let start = self.entry as usize;
        (start..start + self.size).contains(&address)
    }
}

impl Drop for CompiledCode {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: the owner drops compiled code only when no activation runs it and no
            // pointer to its entry is kept (see the tier's invariants in ARCHITECTURE.md).
            unsafe { module.free_memory() };
        }
    }
}

impl Jit {
    /// Cranelift for the host, or `None` where Cranelift cannot generate code for it (the VM
    /// then only interprets). `verify`: check every function's IR before compiling it.
    pub fn for_host(verify: bool) -> Option<Jit> {
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").ok()?;
        flags.set("is_pic", "false").ok()?;
        flags.set("use_colocated_libcalls", "false").ok()?;
        // The verifier nearly doubles compile time: on for testing only.
        let verifier = if verify || cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        flags.set("enable_verifier", verifier).ok()?;
        let isa_builder = cranelift_native::builder_with_options(true).ok()?;
        let isa = isa_builder.finish(settings::Flags::new(flags)).ok()?;
        Some(Jit {
            isa,
            context: Context::new(),
            builder_context: FunctionBuilderContext::new(),
        })
    }

    /// Compiles one function of `params` word parameters answering a [`NativeExec`] pair
    /// (`extern "C" fn(u64, ...) -> NativeExec`), whose body `build` emits.
    ///
    /// [`NativeExec`]: crate::NativeExec
    pub fn compile(
        &mut self,
        params: usize,
        build: impl FnOnce(&mut Emitter),
    ) -> Result<CompiledCode, CompileError> {
        let started = Instant::now();
        let failed = |e: &dyn fmt::Display| CompileError(e.to_string());
        let mut module = JITModule::new(JITBuilder::with_isa(
            self.isa.clone(),
            default_libcall_names(),
        ));
        let signature = exec_signature(params, self.isa.default_call_conv());
        let id = module
            .declare_anonymous_function(&signature)
            .map_err(|e| failed(&e))?;
        self.context.func.signature = signature;
        self.context.func.name = UserFuncName::user(0, id.as_u32());
        {
            let mut emitter = Emitter::new(
                &mut self.context.func,
                &mut self.builder_context,
                params,
                self.isa.default_call_conv(),
                self.isa.frontend_config(),
            );
            build(&mut emitter);
            emitter.finish();
        }
        let defined = module.define_function(id, &mut self.context);
        let size = self
            .context
            .compiled_code()
            .map_or(0, |code| code.code_buffer().len());
        module.clear_context(&mut self.context);
        defined.map_err(|e| failed(&format!("{e:?}")))?;
        module.finalize_definitions().map_err(|e| failed(&e))?;
        let entry = module.get_finalized_function(id);
        Ok(CompiledCode {
            module: Some(module),
            entry,
            size,
            compile_time: started.elapsed(),
        })
    }
}

/// `(u64 × params) -> (u64, u64)`: the value and the unwind tag of a [`crate::NativeExec`].
pub(crate) fn exec_signature(params: usize, call_conv: CallConv) -> Signature {
    let mut signature = Signature::new(call_conv);
    signature
        .params
        .extend((0..params).map(|_| AbiParam::new(types::I64)));
    signature.returns.push(AbiParam::new(types::I64));
    signature.returns.push(AbiParam::new(types::I64));
    signature
}
