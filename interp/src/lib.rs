//! Yerba: a self-optimizing AST interpreter for SOM Smalltalk.
//!
//! Source files are parsed (`yerba-parser`), compiled to node trees (`compiler`), and run by the
//! nodes themselves (`nodes`) over the object model of `yerba-mop`. The `universe` holds the VM
//! state; `primitives` implement the library's `primitive` methods.

pub mod cli;
pub mod compiler;
pub mod intercession;
pub mod invokable;
pub mod native;
pub mod nodes;
pub mod primitives;
pub mod repl;
pub mod universe;
pub mod unwind;
pub mod vm_error;

use universe::{Options, Universe};
use unwind::{Exec, Unwind};
use yerba_mop::Value;

/// Size of the interpreter thread's stack: SOM programs may recurse tens of thousands deep.
pub const INTERPRETER_STACK_BYTES: usize = 1 << 30;

/// Boots a universe on the current thread (which must have `INTERPRETER_STACK_BYTES` of
/// stack) and runs the program; answers the exit status.
pub fn run_program(options: Options, arguments: Vec<String>) -> i32 {
    let trace_activations = options.trace_activations.clone();
    with_universe(options, |u| u.run(&arguments, trace_activations.as_deref()))
}

/// Boots a universe on the current thread (as [`run_program`]) and runs an interactive session
/// on it, which ends the process.
pub fn run_session(options: Options) -> i32 {
    with_universe(options, |u| repl::run(u))
}

/// Boots a universe whose native stack starts at this frame and runs `f` on it.
fn with_universe(options: Options, f: impl FnOnce(&mut Universe) -> i32) -> i32 {
    let stack_marker = 0usize;
    let stack_base = &stack_marker as *const usize as usize;
    let mut u = Universe::new(options, stack_base, INTERPRETER_STACK_BYTES);
    let status = f(&mut u);
    std::hint::black_box(&stack_marker);
    // The process ends with the status: returning the heap's memory piece by piece would only
    // delay it (output and trace files are finished by then).
    std::mem::forget(u);
    status
}

impl Universe {
    /// Sends `initialize:` with the program arguments to `system`, as SOM programs expect; with
    /// `trace_activations`, has the activation tracer (som-lib `ActivationTracer`) do it while
    /// it traces into that file.
    fn run(&mut self, arguments: &[String], trace_activations: Option<&str>) -> i32 {
        let array = self.new_array(arguments.len());
        for (slot, argument) in array.items().iter().zip(arguments) {
            slot.set(self.new_string(argument));
        }
        let system = self.system_object;
        let result = match trace_activations {
            None => self.send_named("initialize:", &[system, array.value()]),
            Some(path) => self.run_traced(system, array.value(), path),
        };
        let status = match result {
            Err(Unwind::Error) => {
                let text = self.error.take().map(|e| e.render()).unwrap_or_default();
                self.out.print_error(&format!("{text}\n"));
                1
            }
            _ => 0,
        };
        primitives::close_at_exit(self);
        let status = self.out.finish(status);
        self.report_statistics();
        status
    }

    /// `system initialize: arguments` in the frame environment of a new `ActivationTracer`
    /// writing to `path`, then `finish` to the tracer. Wrapped here rather than in Smalltalk
    /// so that tracebacks show the program's frames only; if the program ends otherwise, the
    /// tracer's trace file finishes it (`TraceFile>>atExit:`).
    fn run_traced(&mut self, system: Value, arguments: Value, path: &str) -> Exec {
        let name = self.symbol("ActivationTracer");
        let Some(tracer_class) = self.load_class(name)? else {
            return Err(self.vm_error(
                "The class ActivationTracer, needed by --trace-activations, is missing.",
            ));
        };
        let path = self.new_string(path);
        let tracer = self.send_named("to:", &[tracer_class, path])?;
        let environment = self.send_named("environment", &[tracer])?;
        self.with_frame_environment(environment, |u| {
            u.send_named("initialize:", &[system, arguments])
        })?;
        self.send_named("finish", &[tracer])
    }
}
