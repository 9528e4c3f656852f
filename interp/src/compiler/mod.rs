//! From syntax trees to executable nodes: resolves names to slots, fields and globals, decides
//! which activations need heap contexts, and inlines control structures with literal blocks.

mod error;
mod expressions;
mod inlining;
mod literals;
mod scope;

pub use error::CompileError;

use crate::invokable::CompiledBody;
use crate::nodes::{Node, NodeKind};
use crate::universe::Universe;
use crate::vm_error::SourceFile;
use rustc_hash::FxHashMap;
use scope::{Activation, Scopes};
use std::rc::Rc;
use yerba_mop::object::{Class, Gc};
use yerba_parser::syntax::{Body, MethodDef};

/// What a method's code may refer to besides its own variables.
pub struct ClassContext<'a> {
    /// The class holding the method (a metaclass for class-side methods).
    pub holder: Gc<Class>,
    /// The index of each field of the receiver by name (the last one for a repeated name),
    /// inherited fields first.
    fields: FxHashMap<&'a str, u32>,
    pub file: Rc<SourceFile>,
}

impl<'a> ClassContext<'a> {
    pub fn new(holder: Gc<Class>, field_names: &'a [String], file: Rc<SourceFile>) -> Self {
        let fields = (0u32..)
            .zip(field_names)
            .map(|(i, name)| (name.as_str(), i));
        ClassContext {
            holder,
            fields: fields.collect(),
            file,
        }
    }

    /// The index of the receiver's field `name`.
    pub fn field_index(&self, name: &str) -> Option<u32> {
        self.fields.get(name).copied()
    }
}

/// Compiles a method with a code body; with the MOP on, also its twin with intercession sites.
pub fn compile_method(
    u: &mut Universe,
    class: &ClassContext,
    method: &MethodDef,
    body: &Body,
) -> Result<CompiledBody, CompileError> {
    let mut code = compile_method_body(u, class, method, body, false)?;
    code.passes_last_argument_through = passes_last_parameter_through(method, body);
    if u.reflection.enabled {
        let twin = compile_method_body(u, class, method, body, true)?;
        code.twin = Some(Box::new(twin));
    }
    Ok(code)
}

/// Whether the method's last parameter occurs only in a final `^ parameter` statement.
fn passes_last_parameter_through(method: &MethodDef, body: &Body) -> bool {
    use yerba_parser::syntax::Expr;
    let Some(parameter) = method.params.last() else {
        return false;
    };
    let Some((Expr::Return { value, .. }, rest)) = body.statements.split_last() else {
        return false;
    };
    matches!(&**value, Expr::Variable { name, .. } if name == parameter)
        && !rest.iter().any(|statement| statement.mentions(parameter))
}

fn compile_method_body(
    u: &mut Universe,
    class: &ClassContext,
    method: &MethodDef,
    body: &Body,
    intercession: bool,
) -> Result<CompiledBody, CompileError> {
    let mut compiler = expressions::Compiler {
        u,
        class,
        scopes: Scopes::default(),
        intercession,
    };
    compiler.scopes.push_activation(Activation::new());
    compiler.declare_parameters(&method.params, method.pos)?;
    compiler.declare_locals(&body.locals, method.pos)?;
    let node = compiler.method_body(body)?;
    Ok(compiler.finish_activation(node, method.params.len(), method.pos))
}

impl expressions::Compiler<'_> {
    /// A method body answers the value of its final `^` statement, or `self`.
    fn method_body(&mut self, body: &Body) -> Result<Node, CompileError> {
        use yerba_parser::syntax::Expr;
        let mut statements = Vec::with_capacity(body.statements.len() + 1);
        for (i, statement) in body.statements.iter().enumerate() {
            let is_last = i + 1 == body.statements.len();
            match statement {
                Expr::Return { value, .. } if is_last => statements.push(self.expression(value)?),
                _ => statements.push(self.expression(statement)?),
            }
        }
        if !matches!(body.statements.last(), Some(Expr::Return { .. })) {
            statements.push(Node::new(NodeKind::SelfRead));
        }
        Ok(sequence(statements))
    }
}

/// One node for a list of statements.
fn sequence(mut statements: Vec<Node>) -> Node {
    match statements.len() {
        0 => Node::new(NodeKind::Literal(yerba_mop::Value::NIL)),
        1 => statements.pop().expect("length checked"),
        _ => Node::new(NodeKind::Sequence(statements.into_boxed_slice())),
    }
}

#[cfg(test)]
mod tests {
    use super::passes_last_parameter_through;
    use yerba_parser::syntax::MethodBody;

    /// Whether the one method of a class made of `method` passes its last argument through.
    fn passes(method: &str) -> bool {
        let class = yerba_parser::parse_class(&format!("C = ( {method} )"), "C.som")
            .expect("the test method parses");
        let method = &class.instance_methods[0];
        let MethodBody::Code(body) = &method.body else {
            panic!("a method with code")
        };
        passes_last_parameter_through(method, body)
    }

    #[test]
    fn only_a_final_return_of_the_last_parameter_passes_it_through() {
        assert!(passes("a: x b: y = ( ^ y )"));
        assert!(passes(
            "a: x b: y = ( count := count + x. x ifTrue: [ ^ nil ]. ^ y )"
        ));
        assert!(!passes("a: x b: y = ( ^ x )"));
        assert!(!passes("a: x b: y = ( y at: 1 put: x. ^ y )"));
        assert!(!passes("a: x b: y = ( ^ [ y ] value )"));
        assert!(!passes("a: x b: y = ( x ifTrue: [ ^ y ]. ^ y )"));
        assert!(!passes("a: x b: y = ( x do: [ :y | y ]. ^ y )"));
        assert!(!passes("a: x b: y = ( y )"));
        assert!(!passes("a = ( ^ self )"));
    }
}
