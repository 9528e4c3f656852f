//! Parse errors: what went wrong and where, with the offending source line for display (quoted
//! as an excerpt around the column).
//!
//! Lexical, grammatical and purely syntactic compile-time errors (duplicate names, assignment to
//! a reserved name) all become a `ParseError`; the parser stops at the first one.

use std::fmt;

use crate::excerpt::Excerpt;
use crate::syntax::Pos;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The file name given to the parser.
    pub file: String,
    /// 1-based line of the error.
    pub line: u32,
    /// 1-based column of the error, counted in characters.
    pub column: u32,
    pub message: String,
    /// The whole source line at `line`, without its line terminator.
    pub source_line: String,
}

impl ParseError {
    pub(crate) fn new(source: &str, file: &str, pos: Pos, message: String) -> ParseError {
        let index = usize::try_from(pos.line.saturating_sub(1)).unwrap_or(usize::MAX);
        ParseError {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            message,
            source_line: text_lines(source).nth(index).unwrap_or("").to_string(),
        }
    }
}

/// The lines of `source` as the lexer counts them: without a leading byte order mark.
fn text_lines(source: &str) -> std::str::Lines<'_> {
    source.strip_prefix('\u{feff}').unwrap_or(source).lines()
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let excerpt = Excerpt::of(&self.source_line, self.column);
        write!(
            f,
            "Parse error in {}, line {}, column {}: {}\n  {}\n  {}^",
            self.file, self.line, self.column, self.message, excerpt.text, excerpt.caret_indent
        )
    }
}

impl std::error::Error for ParseError {}
