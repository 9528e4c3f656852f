//! VM-level errors (bad index, division by zero, wrong argument types...) and their tracebacks.
//!
//! The traceback is collected while the error unwinds: the innermost send of each activation
//! records its position, and the activation adds a frame when the error leaves it. The fast
//! path pays nothing for this.

use std::fmt::Write as _;
use std::rc::Rc;
use yerba_parser::syntax::Pos;
use yerba_parser::Excerpt;

/// A source file as loaded, kept for tracebacks.
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn line(&self, line: u32) -> &str {
        self.text
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or("")
    }
}

pub struct TraceFrame {
    pub file: Rc<SourceFile>,
    pub pos: Pos,
    /// `Class>>#selector` of the activation.
    pub activation: String,
}

pub struct VmError {
    pub message: String,
    /// Frames from the innermost outwards.
    pub frames: Vec<TraceFrame>,
    /// Position of the failing operation in the activation the error is currently leaving.
    pub pending_pos: Option<Pos>,
}

impl VmError {
    pub fn new(message: String) -> VmError {
        VmError {
            message,
            frames: Vec::new(),
            pending_pos: None,
        }
    }

    /// The traceback as printed on stderr, outermost frame first.
    pub fn render(&self) -> String {
        let mut out = String::from("Traceback (most recent call at bottom):\n");
        for frame in self.frames.iter().rev() {
            let _ = writeln!(
                out,
                "  {}, line {}, column {}: {}",
                frame.file.path, frame.pos.line, frame.pos.column, frame.activation
            );
            let excerpt = Excerpt::of(frame.file.line(frame.pos.line), frame.pos.column);
            let _ = writeln!(out, "    {}", excerpt.text.trim());
        }
        out.push_str(&self.message);
        out
    }
}
