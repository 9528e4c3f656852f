//! Compile-time errors (undefined assignment targets, bad literals), reported like parse errors.

use std::fmt;
use yerba_parser::syntax::Pos;
use yerba_parser::Excerpt;

#[derive(Debug)]
pub struct CompileError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
    pub source_line: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let excerpt = Excerpt::of(&self.source_line, self.pos.column);
        write!(
            f,
            "Compile error in {}, line {}, column {}: {}\n  {}\n  {}^",
            self.file,
            self.pos.line,
            self.pos.column,
            self.message,
            excerpt.text,
            excerpt.caret_indent
        )
    }
}
