//! Compile-time errors (undefined assignment targets, bad literals), reported like parse errors.

use std::fmt;
use yerba_parser::syntax::Pos;

#[derive(Debug)]
pub struct CompileError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
    pub source_line: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Compile error in {}, line {}, column {}: {}",
            self.file, self.pos.line, self.pos.column, self.message
        )?;
        writeln!(f, "  {}", self.source_line)?;
        write!(
            f,
            "  {}^",
            " ".repeat(self.pos.column.saturating_sub(1) as usize)
        )
    }
}
