//! Message lookup and method activation (MOP.md section 4): every send whose receiver carries
//! an environment, or made while a global or frame environment is in effect, comes here from
//! its site (normal and super sends, `perform:` and friends, the doesNotUnderstand path).

use super::{lookup_answer, malformed_answer, redefinition, run_handler, ACTIVATION, LOOKUP};
use crate::invokable::{activate_method_reflectively, Target};
use crate::universe::{Universe, BASE_LEVEL};
use crate::unwind::Exec;
use smallvec::SmallVec;
use yerba_mop::object::{Array, Class, Gc};
use yerba_mop::Value;

/// Sends `selector` to `args[0]`, looking it up from the receiver's class.
pub fn send(u: &mut Universe, selector: Value, args: &[Value]) -> Exec {
    let class = u.class_of(args[0]);
    send_from_class(u, class, selector, args)
}

/// Sends `selector` to `args[0]`, looking it up from `class` (the receiver's class, or for a
/// super send the superclass of the method's holder).
pub fn send_from_class(u: &mut Universe, class: Gc<Class>, selector: Value, args: &[Value]) -> Exec {
    let receiver = args[0];
    let environment = u.layout_of(receiver).environment();
    let target = match redefinition(u, &LOOKUP, environment) {
        Some((metaobject, handler)) => {
            let answer =
                run_handler(u, metaobject, handler, receiver, &[selector, class.value()])?;
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
pub fn activate(u: &mut Universe, target: Target, subject_environment: Value, args: &[Value]) -> Exec {
    let Some((metaobject, handler)) = redefinition(u, &ACTIVATION, subject_environment) else {
        return invoke(u, target, args);
    };
    let base = u.symbol(BASE_LEVEL);
    let mut items: SmallVec<[Value; 8]> = SmallVec::new();
    items.push(u.reflection.frame_environment());
    items.push(base);
    items.extend_from_slice(args);
    let array = u.new_array_from(&items);
    let answer = run_handler(u, metaobject, handler, args[0], &[target.value(), array])?;
    let answered: Option<SmallVec<[Value; 8]>> = Array::of(answer)
        .filter(|array| array.len() == items.len())
        .map(|array| array.items().iter().map(|item| item.get()).collect());
    let Some(answered) = answered else {
        let expected = format!("an Array of {} elements", items.len());
        let about = format!("{}", u.method_description(target.value()));
        return Err(malformed_answer(
            u, &ACTIVATION, metaobject, args[0], answer, &about, &expected,
        ));
    };
    let (environment, level, args) = (answered[0], answered[1], &answered[2..]);
    u.with_frame_environment(environment, |u| {
        if level == base {
            invoke(u, target, args)
        } else {
            u.at_meta_level(|u| target.invoke(u, args))
        }
    })
}

/// Runs `target`: at base level, a method runs its body with intercession sites.
fn invoke(u: &mut Universe, target: Target, args: &[Value]) -> Exec {
    match target {
        Target::Method(method) if u.at_base_level() => activate_method_reflectively(u, method, args),
        _ => target.invoke(u, args),
    }
}
