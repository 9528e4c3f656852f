//! The part of a source line an error message quotes, with a caret under the error's column.
//!
//! A line can be megabytes long (generated code, one-line programs): quoting it whole would
//! bury the message, so a long line is cut to a window around the column, marked with "...".

/// Characters of a long source line quoted around the error's column.
const WINDOW: usize = 80;

const CUT: &str = "...";

pub struct Excerpt {
    /// The quoted text: the whole line if short, else a window of it.
    pub text: String,
    /// What precedes the caret so that it sits under the column: a space per character of
    /// `text` before it, except tabs, which are kept so the caret lines up.
    pub caret_indent: String,
}

impl Excerpt {
    /// The excerpt of `line` for the 1-based `column` (counted in characters).
    pub fn of(line: &str, column: u32) -> Excerpt {
        let length = line.chars().count();
        let at = usize::try_from(column.saturating_sub(1))
            .unwrap_or(usize::MAX)
            .min(length);
        let (start, end) = if length <= WINDOW {
            (0, length)
        } else {
            let start = at.saturating_sub(WINDOW / 2).min(length - WINDOW);
            (start, start + WINDOW)
        };
        let mut text = String::new();
        if start > 0 {
            text.push_str(CUT);
        }
        text.extend(line.chars().skip(start).take(end - start));
        if end < length {
            text.push_str(CUT);
        }
        let before_caret = at - start + if start > 0 { CUT.len() } else { 0 };
        let caret_indent = text
            .chars()
            .chain(std::iter::repeat(' '))
            .take(before_caret)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        Excerpt { text, caret_indent }
    }
}
