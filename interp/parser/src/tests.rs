//! Unit tests, grouped by concern, plus helpers that render trees compactly so that
//! expectations read like the source they come from.

mod errors;
mod fuzz;
mod grammar;
mod literals;
mod positions;

use crate::syntax::{Body, ClassDef, Expr, Literal};
use crate::{parse_body, parse_class, ParseError};

/// Renders an expression fully parenthesised: sends as `(receiver selector args...)`,
/// assignments as `(name := value)`, blocks as `[:params | |locals| statements]`.
fn show(expr: &Expr) -> String {
    match expr {
        Expr::Variable { name, .. } => name.clone(),
        Expr::Assign { name, value, .. } => format!("({name} := {})", show(value)),
        Expr::Send {
            receiver,
            selector,
            args,
            ..
        } => {
            let mut text = format!("({} {selector}", show(receiver));
            for arg in args {
                text.push(' ');
                text.push_str(&show(arg));
            }
            text.push(')');
            text
        }
        Expr::Literal { value, .. } => show_literal(value),
        Expr::Block(block) => {
            let params: Vec<String> = block.params.iter().map(|p| format!(":{p} ")).collect();
            let bar = if block.params.is_empty() { "" } else { "| " };
            format!("[{}{bar}{}]", params.concat(), show_body(&block.body))
        }
        Expr::Return { value, .. } => format!("^{}", show(value)),
    }
}

fn show_literal(literal: &Literal) -> String {
    match literal {
        Literal::Integer(i) => i.to_string(),
        Literal::BigInteger(digits) => format!("big:{digits}"),
        Literal::Double(d) => format!("{d:?}"),
        Literal::String(s) => format!("{s:?}"),
        Literal::Symbol(s) => format!("#{s}"),
        Literal::Array(elements) => {
            let elements: Vec<String> = elements.iter().map(show_literal).collect();
            format!("#({})", elements.join(" "))
        }
        Literal::Nil => "nil".to_string(),
        Literal::True => "true".to_string(),
        Literal::False => "false".to_string(),
    }
}

/// Renders a body as `|locals| statement. statement`.
fn show_body(body: &Body) -> String {
    let statements: Vec<String> = body.statements.iter().map(show).collect();
    if body.locals.is_empty() {
        statements.join(". ")
    } else {
        format!("|{}| {}", body.locals.join(" "), statements.join(". "))
    }
}

/// Parses statements that must be valid and renders them.
fn body(source: &str) -> String {
    match parse_body(source, "test") {
        Ok(body) => show_body(&body),
        Err(error) => panic!("{source:?} should parse:\n{error}"),
    }
}

/// Parses a class that must be valid.
fn class(source: &str) -> ClassDef {
    match parse_class(source, "Test.som") {
        Ok(class) => class,
        Err(error) => panic!("{source:?} should parse:\n{error}"),
    }
}

/// Parses statements that must be invalid.
fn body_error(source: &str) -> ParseError {
    match parse_body(source, "test") {
        Ok(body) => panic!("{source:?} should not parse, got {}", show_body(&body)),
        Err(error) => error,
    }
}

/// Parses a class that must be invalid.
fn class_error(source: &str) -> ParseError {
    match parse_class(source, "Test.som") {
        Ok(class) => panic!("{source:?} should not parse, got {class:?}"),
        Err(error) => error,
    }
}
