//! SOM source text to syntax trees: the lexer, the recursive-descent parser and the tree types.
//!
//! Parsing never panics: malformed input of any kind, however hostile, yields a `ParseError`.

pub mod syntax;

mod error;
mod excerpt;
mod lexer;
mod parser;

#[cfg(test)]
mod tests;

pub use error::ParseError;
pub use excerpt::Excerpt;

use parser::{Close, Parser};

/// Parses one class definition file. `file` is the name used in error messages.
///
/// # Errors
/// The first lexical, grammatical or purely syntactic error in `source`.
pub fn parse_class(source: &str, file: &str) -> Result<syntax::ClassDef, ParseError> {
    Parser::new(source, file)
        .class_def()
        .map_err(|error| *error)
}

/// Parses exactly one method definition (`pattern = ( body )` or `pattern = primitive`), as
/// `Class>>compile:` takes it. A whole class definition, fields, a class side or a second method
/// are errors naming what was found.
///
/// # Errors
/// The first lexical, grammatical or purely syntactic error in `source`, or what is not one
/// method definition.
pub fn parse_method(source: &str, file: &str) -> Result<syntax::MethodDef, ParseError> {
    Parser::new(source, file).single_method().map_err(|error| {
        // A class definition can start like a unary method (`Foo = ( ...`); name it for what
        // it is rather than report where it stops being a method.
        match parse_class(source, file) {
            Ok(class) => ParseError::new(
                source,
                file,
                class.pos,
                format!(
                    "expected one method definition, found the definition of class {}",
                    class.name
                ),
            ),
            Err(_) => *error,
        }
    })
}

/// Parses a sequence of statements (a method body without the parentheses, e.g. for a REPL or
/// tests), optionally starting with `| locals |`.
///
/// # Errors
/// The first lexical, grammatical or purely syntactic error in `source`.
pub fn parse_body(source: &str, file: &str) -> Result<syntax::Body, ParseError> {
    Parser::new(source, file)
        .body(Close::EndOfInput)
        .map_err(|error| *error)
}
