//! Message lookup and method activation (MOP.md section 4): every send whose receiver carries
//! an environment, or made while a global or frame environment is in effect, comes here from
//! its site (normal and super sends, `perform:` and friends, the doesNotUnderstand path).

use super::{
    lookup_answer, malformed_answer, redefines_frame_operations, redefinition, run_handler,
    Handler, ACTIVATION, LOOKUP,
};
use crate::invokable::{activate_method_reflectively, activate_method_with, Target};
use crate::nodes::Inlined;
use crate::universe::Universe;
use crate::unwind::Exec;
use std::cell::Cell;
use yerba_mop::heap::Tracer;
use yerba_mop::object::{Array, Class, Gc, Layout};
use yerba_mop::Value;

/// Sends `selector` to `args[0]`, looking it up from the receiver's class.
pub fn send(u: &mut Universe, selector: Value, args: &[Value]) -> Exec {
    let class = u.class_of(args[0]);
    send_from_class(u, class, selector, args)
}

/// Sends `selector` to `args[0]`, looking it up from `class` (the receiver's class, or for a
/// super send the superclass of the method's holder).
pub fn send_from_class(
    u: &mut Universe,
    class: Gc<Class>,
    selector: Value,
    args: &[Value],
) -> Exec {
    let receiver = args[0];
    let environment = u.layout_of(receiver).environment();
    let target = match redefinition(u, &LOOKUP, environment) {
        Some((metaobject, handler)) => {
            let answer = run_handler(u, metaobject, handler, receiver, [selector, class.value()])?;
            lookup_answer(u, metaobject, receiver, selector, answer)?
        }
        None => class.lookup(selector).and_then(Target::of),
    };
    match target {
        Some(target) => activate(u, target, environment, args),
        None => does_not_understand(u, selector, args),
    }
}

/// `doesNotUnderstand: selector arguments: anArray`, itself a send that intercession applies to.
#[cold]
fn does_not_understand(u: &mut Universe, selector: Value, args: &[Value]) -> Exec {
    let dnu = u.symbol("doesNotUnderstand:arguments:");
    if selector == dnu {
        let text = format!(
            "Method doesNotUnderstand:arguments: not found in class {}.",
            u.class_name(u.class_of(args[0]).value())
        );
        return Err(u.vm_error(text));
    }
    let arguments = u.new_array_from(&args[1..]);
    send(u, dnu, &[args[0], selector, arguments])
}

/// Activates `target` with `args` (`args[0]` the receiver, which carries `subject_environment`
/// or nil), through the activation handler if a metaobject redefines activation.
pub fn activate(
    u: &mut Universe,
    target: Target,
    subject_environment: Value,
    args: &[Value],
) -> Exec {
    let activation = redefinition(u, &ACTIVATION, subject_environment);
    activate_through(u, target, activation, args)
}

/// Activates `target` with `args`, through `activation` (a metaobject and its handler) if given.
fn activate_through(
    u: &mut Universe,
    target: Target,
    activation: Option<(Value, Handler)>,
    args: &[Value],
) -> Exec {
    activate_deciding(u, target, activation, args, None, None)
}

/// How a callee runs, decided in advance by a send site for receivers of one layout in the
/// current environments.
#[derive(Clone, Copy)]
enum Decided {
    /// A method activation, running its body with intercession sites or not.
    Body { intercession: bool },
    /// A trivial method run without an activation, when no metaobject may redefine its
    /// operations.
    Inlined(Inlined),
}

/// [`activate_through`], with how the callee runs decided in advance (`decided`, valid for
/// receivers of `layout` in the current frame environment). A handler that can only answer its
/// activation array back gets a placeholder instead of one (docs/mop.md): answering it means
/// activating with the array as it would have been. A primitive the handler calls may ask to
/// observe the end of the activation (`ActivationEndObserver`, for the activation tracer).
#[inline(always)]
fn activate_deciding(
    u: &mut Universe,
    target: Target,
    activation: Option<(Value, Handler)>,
    args: &[Value],
    decided: Option<Decided>,
    layout: Option<Gc<Layout>>,
) -> Exec {
    let Some((metaobject, handler)) = activation else {
        return invoke(u, target, args, decided);
    };
    let array = if handler.passes_last_argument_through {
        u.reflection.unobserved_array
    } else {
        activation_array(u, args)
    };
    let answer = run_handler(u, metaobject, handler, args[0], [target.value(), array]);
    if u.reflection.end_observed() {
        return activate_observed(u, target, metaobject, args, answer, decided, layout);
    }
    let answer = answer?;
    if answer == u.reflection.unobserved_array {
        return invoke(u, target, args, decided);
    }
    activate_answered(u, target, metaobject, args, answer, decided, layout)
}

/// Activates `target` as the activation handler of `metaobject` answered for `args`, for an
/// activation whose end a primitive the handler called observes (`ActivationEndObserver`; if
/// the handler's answer is an unwind, the activation ends at once).
#[inline(never)]
fn activate_observed(
    u: &mut Universe,
    target: Target,
    metaobject: Value,
    args: &[Value],
    answer: Exec,
    decided: Option<Decided>,
    layout: Option<Gc<Layout>>,
) -> Exec {
    let observer = u.reflection.take_end_observer();
    let result = answer.and_then(|answer| {
        if answer == u.reflection.unobserved_array {
            return invoke(u, target, args, decided);
        }
        activate_answered(u, target, metaobject, args, answer, decided, layout)
    });
    if let Some(observer) = observer {
        (observer.ended)(u, observer.token);
    }
    result
}

/// Activates `target` as the activation handler of `metaobject` answered for `args`: with the
/// receiver, arguments, frame environment and level of the answered array.
#[inline(never)]
fn activate_answered(
    u: &mut Universe,
    target: Target,
    metaobject: Value,
    args: &[Value],
    answer: Value,
    decided: Option<Decided>,
    layout: Option<Gc<Layout>>,
) -> Exec {
    let size = args.len() + 2;
    let Some(answered) = Array::of(answer).filter(|array| array.len() == size) else {
        let expected = format!("an Array of {size} elements");
        let about = u.method_description(target.value());
        return Err(malformed_answer(
            u,
            &ACTIVATION,
            metaobject,
            args[0],
            answer,
            &about,
            &expected,
        ));
    };
    let items = answered.items();
    let (environment, level) = (items[0].get(), items[1].get());
    // A copy: a primitive must not see its arguments change if Smalltalk code it runs changes
    // the array. Up to 8 values stay on the native stack.
    let count = items.len() - 2;
    let mut buffer = [Value::NIL; 8];
    let spilled: Vec<Value>;
    let args: &[Value] = if count <= buffer.len() {
        for (value, item) in buffer.iter_mut().zip(&items[2..]) {
            *value = item.get();
        }
        &buffer[..count]
    } else {
        spilled = items[2..].iter().map(Cell::get).collect();
        &spilled
    };
    // The decision stands for a receiver of the same layout in the same frame environment.
    let same_case = environment == u.reflection.frame_environment()
        && layout.is_some_and(|layout| u.layout_of(args[0]) == layout);
    let decided = decided.filter(|_| same_case);
    u.with_frame_environment(environment, |u| {
        if level == u.reflection.base_level {
            invoke(u, target, args, decided)
        } else {
            u.at_meta_level(|u| target.invoke(u, args))
        }
    })
}

/// `{calleeEnvironment. executionLevel. receiver. arg1. ...}` for an activation with `args` at
/// base level in the current frame environment.
fn activation_array(u: &mut Universe, args: &[Value]) -> Value {
    let array = u.new_array(args.len() + 2);
    let items = array.items();
    items[0].set(u.reflection.frame_environment());
    items[1].set(u.reflection.base_level);
    for (item, arg) in items[2..].iter().zip(args) {
        item.set(*arg);
    }
    array.value()
}

/// Runs `target`: at base level, a method runs its body with intercession sites if
/// metaobjects may redefine their operations (as `decided`, or decided here if `None`).
#[inline(always)]
fn invoke(u: &mut Universe, target: Target, args: &[Value], decided: Option<Decided>) -> Exec {
    match (target, decided) {
        (_, Some(Decided::Inlined(inlined))) => inlined.run(u, Value::NIL, args),
        (Target::Method(method), Some(Decided::Body { intercession })) if u.at_base_level() => {
            activate_method_with(u, method, args, intercession)
        }
        (Target::Method(method), None) if u.at_base_level() => {
            activate_method_reflectively(u, method, args)
        }
        _ => target.invoke(u, args),
    }
}

/// How a send site last resolved a send through intercession: valid while the receiver's
/// layout, the global and frame environments and the dispatch epoch are the same (a write to
/// an installed environment's slots bumps the epoch).
#[derive(Clone, Copy)]
struct Resolution {
    layout: Gc<Layout>,
    ambient: [Value; 2],
    epoch: u64,
    target: Option<Target>,
    activation: Option<(Value, Handler)>,
    decided: Decided,
}

/// A send site's cache of its last send through intercession (MOP.md section 5): a hit runs
/// the cached lookup answer through the cached activation handler without asking the
/// metaobjects again.
#[derive(Default)]
pub struct SendCache(Cell<Option<Resolution>>);

impl SendCache {
    /// Sends `selector` to `args[0]`, of `layout`, through intercession.
    #[inline(never)]
    pub fn send(
        &self,
        u: &mut Universe,
        selector: Value,
        layout: Gc<Layout>,
        args: &[Value],
    ) -> Exec {
        // Sends are only intercepted at base level.
        debug_assert!(u.at_base_level());
        let ambient = u.reflection.ambient_environments();
        // SAFETY: nothing changes the cache while it is compared (a reference, as a copy of the
        // resolution would cost more than the comparison).
        let cached = unsafe { &*self.0.as_ptr() };
        let resolution = match cached {
            Some(r)
                if r.layout == layout && r.ambient == ambient && r.epoch == u.dispatch_epoch =>
            {
                (r.target, r.activation, r.decided)
            }
            _ => {
                let resolution = self.resolve(u, selector, layout, args[0])?;
                (resolution.target, resolution.activation, resolution.decided)
            }
        };
        match resolution {
            (Some(target), activation, decided) => {
                activate_deciding(u, target, activation, args, Some(decided), Some(layout))
            }
            (None, _, _) => does_not_understand(u, selector, args),
        }
    }

    /// Asks the metaobjects how a send to `receiver` (of `layout`) resolves, and remembers it.
    #[cold]
    #[inline(never)]
    fn resolve(
        &self,
        u: &mut Universe,
        selector: Value,
        layout: Gc<Layout>,
        receiver: Value,
    ) -> Result<Resolution, crate::unwind::Unwind> {
        let target = resolve_lookup(u, selector, layout, receiver)?;
        let intercession = redefines_frame_operations(u, layout.environment());
        let inlined = target
            .filter(|_| !intercession)
            .and_then(|target| Inlined::of(u, layout, target));
        let resolution = Resolution {
            layout,
            ambient: u.reflection.ambient_environments(),
            epoch: u.dispatch_epoch,
            target,
            activation: redefinition(u, &ACTIVATION, layout.environment()),
            decided: match inlined {
                Some(inlined) => Decided::Inlined(inlined),
                None => Decided::Body { intercession },
            },
        };
        self.0.set(Some(resolution));
        Ok(resolution)
    }

    pub fn trace(&self, tracer: &mut Tracer) {
        if let Some(r) = self.0.get() {
            tracer.mark_value(r.layout.value());
            r.ambient.iter().for_each(|v| tracer.mark_value(*v));
            if let Some(target) = r.target {
                tracer.mark_value(target.value());
            }
            if let Some((metaobject, handler)) = r.activation {
                tracer.mark_value(metaobject);
                tracer.mark_value(handler.target.value());
            }
            if let Decided::Inlined(inlined) = r.decided {
                inlined.trace(tracer);
            }
        }
    }
}

/// The method `receiver` (of `layout`) runs for `selector`, as its lookup metaobject or the
/// standard lookup answers it.
#[inline(never)]
fn resolve_lookup(
    u: &mut Universe,
    selector: Value,
    layout: Gc<Layout>,
    receiver: Value,
) -> Result<Option<Target>, crate::unwind::Unwind> {
    match redefinition(u, &LOOKUP, layout.environment()) {
        Some((metaobject, handler)) => {
            let class = layout.class();
            let answer = run_handler(u, metaobject, handler, receiver, [selector, class])?;
            lookup_answer(u, metaobject, receiver, selector, answer)
        }
        None => Ok(u.lookup(layout, selector)),
    }
}
