//! Evaluating inputs. An input is a class definition (defined through the loader) or a
//! sequence of statements, compiled as the method `doIt` of the hidden class `ReplSession` and
//! run with the session object as `self`.
//!
//! Workspace variables: a statement assigning a lowercase name that nothing declares (a local,
//! a block parameter, a global) declares it for the rest of the session, as in a Pharo
//! workspace. Its value is the global of a name no program can write (`repl:x` for `x`),
//! read like any global and assigned through the session object: the compiler needs nothing
//! special, and blocks made by one input see the variables another input assigns. A name
//! read but never assigned is an unknown global, as in a program.
//!
//! Results are shown like Python's REPL: the printed form (`asString`; Strings, Symbols and
//! Arrays as literals) of what the last statement answers, except nil and an assignment; and
//! like Julia's final `;`, a final period says to show nothing.

use super::exit::{self, Failure};
use crate::compiler::{compile_method, ClassContext};
use crate::invokable::{Method, Target};
use crate::universe::{DefinitionError, Universe};
use crate::unwind::Unwind;
use crate::vm_error::SourceFile;
use std::collections::HashSet;
use std::rc::Rc;
use yerba_mop::object::{Array, Class, Gc, VmString};
use yerba_mop::Value;
use yerba_parser::syntax::{Body, ClassDef, Expr, Literal, MethodBody, MethodDef, Pos};

/// The file name of an input in error messages and tracebacks.
const INPUT_FILE: &str = "<repl>";

/// The prefix that makes a workspace variable's name a global no program can name.
const WORKSPACE_PREFIX: &str = "repl:";

/// The hidden class of the session object: it assigns workspace variables.
const SESSION_CLASS: &str = "\
ReplSession = (
    \"Assigns the workspace variable that is the global named name; answers value\"
    workspaceVariable: name put: value = ( system global: name put: value. ^ value )
)";

const ASSIGN_SELECTOR: &str = "workspaceVariable:put:";

pub struct Session {
    /// The session object, `self` in every input. It lives in the frame of the session loop,
    /// which the collector scans (conservatively, as all of the interpreter thread's stack).
    receiver: Value,
    class: Gc<Class>,
    /// The workspace variables declared so far, by their names in inputs.
    variables: HashSet<String>,
}

/// What an input is.
enum Parsed {
    Class(ClassDef),
    Statements(Body),
    Invalid(String),
}

impl Session {
    pub fn new(u: &mut Universe) -> Session {
        let file = Rc::new(SourceFile {
            path: INPUT_FILE.to_string(),
            text: SESSION_CLASS.to_string(),
        });
        let class = yerba_parser::parse_class(SESSION_CLASS, INPUT_FILE)
            .map_err(|error| error.to_string())
            .and_then(|definition| {
                u.build_class_from_text(&definition, file)
                    .map_err(|_| String::from("yerba: the REPL's session class does not compile"))
            });
        let class = class.unwrap_or_else(|message| u.fatal(&message));
        let receiver = u.new_instance(class);
        Session {
            receiver,
            class,
            variables: HashSet::new(),
        }
    }

    /// Evaluates one input and shows its result or its error; answers a status when the input
    /// asks to end the session with it.
    pub fn evaluate(&mut self, u: &mut Universe, text: &str) -> Option<u8> {
        let file = Rc::new(SourceFile {
            path: INPUT_FILE.to_string(),
            text: text.to_string(),
        });
        let result = match parse(text) {
            Parsed::Class(definition) => match u.define_class_from_text(&definition, file) {
                Ok(class) => show(u, class.value()),
                Err(DefinitionError::Invalid(message)) => {
                    u.out.print_error(&format!("{message}\n"));
                    Ok(())
                }
                Err(DefinitionError::Unwound(unwind)) => Err(unwind),
            },
            Parsed::Statements(body) => self.run_statements(u, text, body, file),
            Parsed::Invalid(message) => {
                u.out.print_error(&format!("{message}\n"));
                Ok(())
            }
        };
        match result {
            Err(Unwind::Error) => match exit::failure(u) {
                Failure::Exit(status) => Some(status),
                Failure::Reported => None,
                Failure::Error(error) => {
                    u.out.print_error(&format!("{}\n", error.render()));
                    None
                }
            },
            Ok(()) | Err(_) => None,
        }
    }

    /// Compiles the statements as `doIt`, runs it and shows what it answers.
    fn run_statements(
        &mut self,
        u: &mut Universe,
        text: &str,
        mut body: Body,
        file: Rc<SourceFile>,
    ) -> Result<(), Unwind> {
        let silent = text.trim_end().ends_with('.')
            || matches!(body.statements.last(), None | Some(Expr::Assign { .. }));
        let mut declared = Vec::new();
        Workspace {
            u,
            variables: &self.variables,
            declared: &mut declared,
            scopes: Vec::new(),
        }
        .body(&mut body);
        if let Some(last) = body.statements.pop() {
            let last = match last {
                Expr::Return { .. } => last,
                value => Expr::Return {
                    pos: value.pos(),
                    value: Box::new(value),
                },
            };
            body.statements.push(last);
        }
        let method = MethodDef {
            selector: String::from("doIt"),
            params: Vec::new(),
            body: MethodBody::Code(body),
            pos: Pos { line: 1, column: 1 },
        };
        let MethodBody::Code(body) = &method.body else {
            return Ok(());
        };
        let class = self.class;
        let compiled = u.without_collections(|u| {
            let context = ClassContext::new(class, &[], file);
            compile_method(u, &context, &method, body).map(|code| {
                let signature = u.symbol(&method.selector);
                let layout = u.layouts.method;
                let compiled = Method::allocate(u, layout, signature, code);
                compiled.set_holder(class.value());
                compiled.value()
            })
        });
        let method = match compiled {
            Ok(method) => method,
            Err(error) => {
                u.out.print_error(&format!("{error}\n"));
                return Ok(());
            }
        };
        for name in declared {
            let global = u.symbol(&format!("{WORKSPACE_PREFIX}{name}"));
            u.globals.put(global, Value::NIL);
            self.variables.insert(name);
        }
        let Some(target) = Target::of(method) else {
            return Ok(());
        };
        let result = target.invoke(u, &[self.receiver])?;
        if silent || result.is_nil() {
            return Ok(());
        }
        show(u, result)
    }
}

/// The input as a class definition if it is one, else as statements. When it is neither, the
/// error of the reading that went further is the one that says what is wrong.
fn parse(text: &str) -> Parsed {
    let class_error = match yerba_parser::parse_class(text, INPUT_FILE) {
        Ok(definition) => return Parsed::Class(definition),
        Err(error) => error,
    };
    match yerba_parser::parse_body(text, INPUT_FILE) {
        Ok(body) => Parsed::Statements(body),
        Err(body_error) => {
            let further =
                (class_error.line, class_error.column) > (body_error.line, body_error.column);
            let error = if further { class_error } else { body_error };
            Parsed::Invalid(error.to_string())
        }
    }
}

/// Prints `value` on a line of its own, as [`printed`] shows it.
fn show(u: &mut Universe, value: Value) -> Result<(), Unwind> {
    let mut text = String::new();
    printed(u, value, SHOWN_ARRAY_DEPTH, &mut text)?;
    text.push('\n');
    u.out.print(&text).map_err(|message| u.vm_error(message))
}

/// How deeply nested Arrays are shown (an Array may hold itself).
const SHOWN_ARRAY_DEPTH: usize = 4;

/// How many elements of an Array are shown.
const SHOWN_ARRAY_ELEMENTS: usize = 100;

/// Appends `value` as the prompt shows it: a String or a Symbol as a literal, an Array as
/// `#(...)` of its elements shown alike (up to `depth` levels), anything else as `asString`
/// answers it.
fn printed(u: &mut Universe, value: Value, depth: usize, text: &mut String) -> Result<(), Unwind> {
    let layout = u.layout_of(value);
    if layout == u.layouts.string {
        text.push_str(&string_literal(u.text_of(value)));
    } else if layout == u.layouts.symbol {
        text.push_str(&symbol_literal(u.text_of(value)));
    } else if let Some(array) = Array::of(value).filter(|_| layout == u.layouts.array) {
        if depth == 0 {
            text.push_str("#(...)");
            return Ok(());
        }
        text.push_str("#(");
        for (i, element) in array.items().iter().enumerate() {
            if i == SHOWN_ARRAY_ELEMENTS {
                text.push_str(" ...");
                break;
            }
            if i > 0 {
                text.push(' ');
            }
            printed(u, element.get(), depth - 1, text)?;
        }
        text.push(')');
    } else {
        let shown = u.send_named("asString", &[value])?;
        if VmString::is_string(shown) {
            text.push_str(u.text_of(shown));
        } else {
            text.push_str(&format!("instance of {}", u.class_name(layout.class())));
        }
    }
    Ok(())
}

/// A Symbol as a literal: `#name`, `#at:put:`, `#+`, or else `#'text'`.
fn symbol_literal(text: &str) -> String {
    let word = text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    let operator = !text.is_empty() && text.chars().all(|c| "~&|*/\\+=><,@%-".contains(c));
    if word || operator {
        format!("#{text}")
    } else {
        format!("#{}", string_literal(text))
    }
}

/// `text` as a SOM string literal.
fn string_literal(text: &str) -> String {
    let mut literal = String::with_capacity(text.len() + 2);
    literal.push('\'');
    for c in text.chars() {
        match c {
            '\'' => literal.push_str("\\'"),
            '\\' => literal.push_str("\\\\"),
            '\n' => literal.push_str("\\n"),
            '\r' => literal.push_str("\\r"),
            '\t' => literal.push_str("\\t"),
            _ => literal.push(c),
        }
    }
    literal.push('\'');
    literal
}

/// Rewrites the statements of an input so that free workspace variables are their globals,
/// and declares those the input assigns first.
struct Workspace<'a> {
    u: &'a Universe,
    variables: &'a HashSet<String>,
    /// Variables this input declares, in order.
    declared: &'a mut Vec<String>,
    /// The names the input and its blocks declare, innermost last.
    scopes: Vec<Vec<String>>,
}

impl Workspace<'_> {
    fn body(&mut self, body: &mut Body) {
        self.scopes.push(body.locals.clone());
        for statement in &mut body.statements {
            self.expression(statement);
        }
        self.scopes.pop();
    }

    fn expression(&mut self, expression: &mut Expr) {
        match expression {
            Expr::Variable { name, .. } => {
                if self.is_workspace_variable(name) {
                    *name = format!("{WORKSPACE_PREFIX}{name}");
                }
            }
            Expr::Assign { name, value, pos } => {
                self.expression(value);
                if !self.is_workspace_variable(name) && !self.declares(name) {
                    return;
                }
                let hidden = format!("{WORKSPACE_PREFIX}{name}");
                let pos = *pos;
                let value = std::mem::replace(
                    value,
                    Box::new(Expr::Literal {
                        value: Literal::Nil,
                        pos,
                    }),
                );
                *expression = Expr::Send {
                    receiver: Box::new(Expr::Variable {
                        name: String::from("self"),
                        pos,
                    }),
                    selector: String::from(ASSIGN_SELECTOR),
                    args: vec![
                        Expr::Literal {
                            value: Literal::Symbol(hidden),
                            pos,
                        },
                        *value,
                    ],
                    pos,
                };
            }
            Expr::Send { receiver, args, .. } => {
                self.expression(receiver);
                args.iter_mut().for_each(|arg| self.expression(arg));
            }
            Expr::Literal { .. } => {}
            Expr::Block(block) => {
                self.scopes.push(block.params.clone());
                self.body(&mut block.body);
                self.scopes.pop();
            }
            Expr::Return { value, .. } => self.expression(value),
        }
    }

    /// Whether `name` here is a workspace variable (declared before or by this input, and not
    /// shadowed by a local or a block parameter).
    fn is_workspace_variable(&self, name: &str) -> bool {
        (self.variables.contains(name) || self.declared.iter().any(|d| d == name))
            && !self.scopes.iter().flatten().any(|local| local == name)
    }

    /// Declares `name`, assigned here, as a workspace variable if nothing else declares it:
    /// it starts with a lowercase letter and names no local, parameter, reserved word or
    /// global.
    fn declares(&mut self, name: &str) -> bool {
        let free = name.starts_with(|c: char| c.is_ascii_lowercase())
            && !["self", "super", "nil", "true", "false"].contains(&name)
            && !self.scopes.iter().flatten().any(|local| local == name)
            && self
                .u
                .symbols
                .get(name)
                .is_none_or(|symbol| self.u.globals.get(symbol).is_none());
        if free {
            self.declared.push(name.to_string());
        }
        free
    }
}

#[cfg(test)]
mod tests {
    use super::{string_literal, symbol_literal};

    #[test]
    fn strings_are_shown_as_literals() {
        assert_eq!(string_literal("abc"), "'abc'");
        assert_eq!(string_literal("it's a \\ \n"), "'it\\'s a \\\\ \\n'");
    }

    #[test]
    fn symbols_are_shown_as_literals() {
        assert_eq!(symbol_literal("at:put:"), "#at:put:");
        assert_eq!(symbol_literal("+"), "#+");
        assert_eq!(symbol_literal("two words"), "#'two words'");
    }
}
