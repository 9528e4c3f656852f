//! Reading whole inputs. On a terminal, lines are edited with rustyline, with a prompt, and
//! kept in a history file (`~/.yerba_history`; failing to read or write it is not an error).
//! From a pipe or a file, lines are read as they are, without prompts. An input goes on over
//! further lines (with a continuation prompt) while a parenthesis, bracket, string or comment
//! is open.

use crate::universe::Output;
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

const PROMPT: &str = "yerba> ";
const CONTINUATION_PROMPT: &str = "  ...> ";

/// Where inputs come from.
pub struct Input {
    source: Source,
}

enum Source {
    Terminal {
        editor: Box<DefaultEditor>,
        history: Option<PathBuf>,
    },
    Stream(std::io::StdinLock<'static>),
}

/// One line read, or why there is none.
enum Line {
    Text(String),
    /// Ctrl-C: the input being typed is dropped.
    Interrupted,
    End,
}

impl Input {
    /// Reads the terminal with line editing if stdin and stdout are one, else stdin as it is.
    pub fn open() -> Input {
        let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let editor = if terminal {
            DefaultEditor::new().ok()
        } else {
            None
        };
        let source = match editor {
            Some(mut editor) => {
                let history = std::env::var_os("HOME").map(|home| {
                    let mut path = PathBuf::from(home);
                    path.push(".yerba_history");
                    path
                });
                if let Some(path) = &history {
                    let _ = editor.load_history(path);
                }
                Source::Terminal {
                    editor: Box::new(editor),
                    history,
                }
            }
            None => Source::Stream(std::io::stdin().lock()),
        };
        Input { source }
    }

    /// The next whole input, or `None` when the input has ended. What `out` holds is written
    /// out before each prompt. Blank inputs are skipped; an input still open when the input
    /// ends is answered as it is, for the parser to report.
    pub fn read(&mut self, out: &Output) -> Option<String> {
        let mut text = String::new();
        loop {
            out.flush();
            let prompt = if text.is_empty() {
                PROMPT
            } else {
                CONTINUATION_PROMPT
            };
            match self.line(prompt) {
                Line::Text(line) => {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&line);
                    if text.trim().is_empty() {
                        text.clear();
                    } else if is_complete(&text) {
                        self.remember(&text);
                        return Some(text);
                    }
                }
                Line::Interrupted => text.clear(),
                Line::End if text.trim().is_empty() => return None,
                Line::End => {
                    self.remember(&text);
                    return Some(text);
                }
            }
        }
    }

    fn line(&mut self, prompt: &str) -> Line {
        match &mut self.source {
            Source::Terminal { editor, .. } => match editor.readline(prompt) {
                Ok(line) => Line::Text(line),
                Err(ReadlineError::Interrupted) => Line::Interrupted,
                Err(_) => Line::End,
            },
            Source::Stream(stdin) => {
                let mut bytes = Vec::new();
                match stdin.read_until(b'\n', &mut bytes) {
                    Ok(0) | Err(_) => Line::End,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&bytes);
                        Line::Text(line.trim_end_matches(['\n', '\r']).to_string())
                    }
                }
            }
        }
    }

    /// Adds a whole input to the history, and the history file, on a terminal.
    fn remember(&mut self, text: &str) {
        if let Source::Terminal { editor, history } = &mut self.source {
            let _ = editor.add_history_entry(text);
            if let Some(path) = history {
                let _ = editor.append_history(path);
            }
        }
    }
}

/// Whether `text` opens no parenthesis, bracket, string or comment that it does not close.
/// Too many closings count as complete: the parser reports them.
pub fn is_complete(text: &str) -> bool {
    let mut depth: i64 = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            '\'' => loop {
                match chars.next() {
                    None => return false,
                    Some('\\') => {
                        chars.next();
                    }
                    Some('\'') => break,
                    Some(_) => {}
                }
            },
            '"' if !chars.any(|c| c == '"') => return false,
            _ => {}
        }
    }
    depth <= 0
}

#[cfg(test)]
mod tests {
    use super::is_complete;

    #[test]
    fn open_brackets_strings_and_comments_continue_the_input() {
        for open in [
            "Foo = (",
            "#(1 2",
            "[ :x | x",
            "'abc",
            "'it\\'s",
            "\"a comment",
            "(3 + [ 4 ]",
            "Foo = ( bar = ( ^ ']' ",
        ] {
            assert!(!is_complete(open), "{open}");
        }
        for whole in [
            "3 + 4",
            "Foo = ( )",
            "'(' size",
            "\"(\" 3",
            "#(1 2) size. [ 3 ] value",
            "'it\\'s' size",
            "3 )",
        ] {
            assert!(is_complete(whole), "{whole}");
        }
    }
}
