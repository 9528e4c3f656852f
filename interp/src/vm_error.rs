//! VM-level errors (bad index, division by zero, wrong argument types...) and their tracebacks.
//!
//! The traceback is collected while the error unwinds: the innermost send of each activation
//! records its position, and the activation adds a frame when the error leaves it. The fast
//! path pays nothing for this.
//!
//! A traceback keeps only the frames it will print: the innermost and the outermost
//! [`KEPT_FRAMES`] each, plus a count of those between. Stack exhaustion unwinds millions of
//! activations, so collecting them must take constant memory and constant time per frame.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::rc::Rc;
use yerba_mop::Value;
use yerba_parser::syntax::Pos;
use yerba_parser::Excerpt;

/// How many frames a traceback shows at each end of the stack.
pub const KEPT_FRAMES: usize = 20;

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
    pub activation: Rc<str>,
}

pub struct VmError {
    pub message: String,
    /// Position of the failing operation in the activation the error is currently leaving.
    pub pending_pos: Option<Pos>,
    /// The innermost frames, innermost first.
    innermost: Vec<TraceFrame>,
    /// The outermost frames seen so far, innermost first: when full, each new frame pushes
    /// out the oldest, which joins the omitted ones.
    outermost: VecDeque<TraceFrame>,
    omitted: usize,
    /// The method of the last frame added and its description: a deep recursion adds the same
    /// method again and again. No code runs while an error unwinds, so nothing is allocated
    /// (or collected) between two frames and the method value identifies the method.
    last_activation: Option<(Value, Rc<str>)>,
}

impl VmError {
    pub fn new(message: String) -> VmError {
        VmError {
            message,
            pending_pos: None,
            innermost: Vec::new(),
            outermost: VecDeque::new(),
            omitted: 0,
            last_activation: None,
        }
    }

    /// Adds the frame of an activation of `method` (described by `describe` when needed) the
    /// error is leaving, at the pending position or else at `default_pos`.
    pub fn add_frame(
        &mut self,
        file: &Rc<SourceFile>,
        default_pos: Pos,
        method: Value,
        describe: impl FnOnce(Value) -> String,
    ) {
        let pos = self.pending_pos.take().unwrap_or(default_pos);
        let activation = match &self.last_activation {
            Some((last, description)) if *last == method => description.clone(),
            _ => {
                let description: Rc<str> = Rc::from(describe(method));
                self.last_activation = Some((method, description.clone()));
                description
            }
        };
        let frame = TraceFrame {
            file: file.clone(),
            pos,
            activation,
        };
        if self.innermost.len() < KEPT_FRAMES {
            self.innermost.push(frame);
            return;
        }
        if self.outermost.len() == KEPT_FRAMES {
            self.outermost.pop_front();
            self.omitted += 1;
        }
        self.outermost.push_back(frame);
    }

    /// `Class>>#selector` of the innermost activation the error has left so far.
    pub fn innermost_activation(&self) -> Option<&str> {
        self.innermost.first().map(|frame| &*frame.activation)
    }

    /// The traceback as printed on stderr, outermost frame first.
    pub fn render(&self) -> String {
        let mut out = String::from("Traceback (most recent call at bottom):\n");
        for frame in self.outermost.iter().rev() {
            render_frame(&mut out, frame);
        }
        if self.omitted > 0 {
            let _ = writeln!(out, "  ... {} frames omitted ...", self.omitted);
        }
        for frame in self.innermost.iter().rev() {
            render_frame(&mut out, frame);
        }
        out.push_str(&self.message);
        out
    }
}

fn render_frame(out: &mut String, frame: &TraceFrame) {
    let _ = writeln!(
        out,
        "  {}, line {}, column {}: {}",
        frame.file.path, frame.pos.line, frame.pos.column, frame.activation
    );
    let excerpt = Excerpt::of(frame.file.line(frame.pos.line), frame.pos.column);
    let _ = writeln!(out, "    {}", excerpt.text.trim());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Rc<SourceFile> {
        Rc::new(SourceFile {
            path: String::from("Deep.som"),
            text: String::from("Deep = (\n  f = ( ^ self f )\n)\n"),
        })
    }

    fn error_with_frames(count: usize) -> VmError {
        let file = file();
        let mut error = VmError::new(String::from("Stack overflow."));
        for line in 0..count {
            let pos = Pos {
                line: line as u32 + 1,
                column: 1,
            };
            error.add_frame(&file, pos, Value::NIL, |_| String::from("Deep>>#f"));
        }
        error
    }

    #[test]
    fn a_short_traceback_shows_every_frame() {
        let error = error_with_frames(2 * KEPT_FRAMES);
        let text = error.render();
        assert_eq!(text.matches("Deep>>#f").count(), 2 * KEPT_FRAMES);
        assert!(!text.contains("omitted"));
    }

    #[test]
    fn a_long_traceback_shows_both_ends_and_counts_the_rest() {
        let error = error_with_frames(2 * KEPT_FRAMES + 7);
        let text = error.render();
        assert_eq!(text.matches("Deep>>#f").count(), 2 * KEPT_FRAMES);
        assert!(text.contains("  ... 7 frames omitted ..."), "{text}");
        // Outermost first: the last frame added (line 47) opens, the first (line 1) closes.
        let first = text.find("line 47,").expect("outermost frame");
        let gap = text.find("omitted").expect("gap line");
        let last = text.find("line 1,").expect("innermost frame");
        assert!(first < gap && gap < last, "{text}");
        assert!(!text.contains("line 21,") && !text.contains("line 27,"));
        assert!(text.contains("line 20,") && text.contains("line 28,"));
    }
}
