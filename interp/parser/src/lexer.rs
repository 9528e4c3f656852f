//! The lexer: splits SOM source text into tokens, all at once, before parsing.
//!
//! Every token records its byte range (the parser slices identifier, operator and number text
//! out of the source) and its 1-based line and column, counted in characters. Lexing stops at
//! the first malformed token, which becomes an `Error` token: the parser reports it when it
//! reaches it, so the first error in the file is the one reported.
//!
//! The lexer does not know about negative numbers (`-` is always an operator character) nor
//! about `primitive` (always an identifier); the parser decides both from context.

use crate::syntax::Pos;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Ident,
    /// An identifier directly followed by `:`, like `at:`.
    Keyword,
    /// A run of operator characters: `+`, `<=`, `|`, `||`, `-->`.
    Operator,
    /// A run of four or more `-` alone, between the instance side and the class side.
    Separator,
    Integer,
    Double,
    /// A string literal; `Token::value` holds its text with escapes resolved.
    Str,
    /// `#foo`, `#at:put:`, `#+`, `#'text'`; `Token::value` holds the symbol's name.
    Symbol,
    /// `#(`
    ArrayStart,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Caret,
    Period,
    Colon,
    /// `:=`
    Assign,
    /// A malformed token, with the message to report in `Token::value`; always the last token.
    Error,
    /// Always the last token of well-formed input.
    Eof,
}

#[derive(Debug)]
pub(crate) struct Token {
    pub kind: TokenKind,
    /// Start of the token's bytes in the source.
    pub start: usize,
    /// End (exclusive) of the token's bytes in the source.
    pub end: usize,
    pub pos: Pos,
    /// The text of a `Str` or `Symbol`, the message of an `Error`; empty otherwise.
    pub value: String,
}

/// Lexes the whole source; the result always ends with an `Eof` or `Error` token.
pub(crate) fn tokenize(source: &str) -> Vec<Token> {
    // A byte order mark some editors write is not part of the text.
    let start = if source.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut lexer = Lexer {
        src: source,
        at: start,
        pos: Pos { line: 1, column: 1 },
    };
    let mut tokens = Vec::new();
    loop {
        let token = lexer.next_token();
        let last = matches!(token.kind, TokenKind::Eof | TokenKind::Error);
        tokens.push(token);
        if last {
            return tokens;
        }
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_operator_char(c: char) -> bool {
    matches!(
        c,
        '~' | '&' | '|' | '*' | '/' | '\\' | '+' | '=' | '>' | '<' | ',' | '@' | '%' | '-'
    )
}

/// A lexical error: where it is and what to say.
type LexError = (Pos, String);

struct Lexer<'s> {
    src: &'s str,
    /// Byte offset of the next character.
    at: usize,
    /// Position of the next character.
    pos: Pos,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        // SOM source is almost all ASCII, which needs no decoding.
        match self.src.as_bytes().get(self.at) {
            Some(&byte) if byte.is_ascii() => Some(char::from(byte)),
            Some(_) => self.src[self.at..].chars().next(),
            None => None,
        }
    }

    fn peek_second(&self) -> Option<char> {
        self.src[self.at..].chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        if c == '\n' {
            self.pos.line = self.pos.line.saturating_add(1);
            self.pos.column = 1;
        } else {
            self.pos.column = self.pos.column.saturating_add(1);
        }
        Some(c)
    }

    fn bump_while(&mut self, accept: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&accept) {
            self.bump();
        }
    }

    fn next_token(&mut self) -> Token {
        let result = self.skip_trivia().and_then(|()| {
            let (start, pos) = (self.at, self.pos);
            let (kind, value) = self.token_kind(start)?;
            Ok(Token {
                kind,
                start,
                end: self.at,
                pos,
                value,
            })
        });
        result.unwrap_or_else(|(pos, message)| Token {
            kind: TokenKind::Error,
            start: self.at,
            end: self.at,
            pos,
            value: message,
        })
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) -> Result<(), LexError> {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some('"') => {
                    let open = self.pos;
                    self.bump();
                    loop {
                        match self.bump() {
                            Some('"') => break,
                            Some(_) => {}
                            None => return Err((open, "unterminated comment".to_string())),
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Lexes one token starting at byte `start`, after trivia: its kind and value.
    fn token_kind(&mut self, start: usize) -> Result<(TokenKind, String), LexError> {
        let pos = self.pos;
        let Some(c) = self.bump() else {
            return Ok((TokenKind::Eof, String::new()));
        };
        let kind = match c {
            '(' => TokenKind::LParen,
            ')' => TokenKind::RParen,
            '[' => TokenKind::LBracket,
            ']' => TokenKind::RBracket,
            '^' => TokenKind::Caret,
            '.' => TokenKind::Period,
            ':' if self.peek() == Some('=') => {
                self.bump();
                TokenKind::Assign
            }
            ':' => TokenKind::Colon,
            '#' => return self.symbol(pos),
            '\'' => return Ok((TokenKind::Str, self.string_body(pos)?)),
            c if c.is_ascii_digit() => self.number(),
            c if is_ident_start(c) => self.ident_or_keyword(),
            c if is_operator_char(c) => {
                self.bump_while(is_operator_char);
                let run = &self.src[start..self.at];
                if run.len() >= 4 && run.bytes().all(|b| b == b'-') {
                    TokenKind::Separator
                } else {
                    TokenKind::Operator
                }
            }
            ';' => {
                return Err((
                    pos,
                    "unexpected character ';' (SOM has no cascades)".to_string(),
                ))
            }
            c => return Err((pos, format!("unexpected character '{}'", c.escape_debug()))),
        };
        Ok((kind, String::new()))
    }

    /// After the first character of an identifier. `x:=` is `x` followed by `:=`.
    fn ident_or_keyword(&mut self) -> TokenKind {
        self.bump_while(is_ident_char);
        if self.peek() == Some(':') && self.peek_second() != Some('=') {
            self.bump();
            TokenKind::Keyword
        } else {
            TokenKind::Ident
        }
    }

    /// After the first digit. A double needs a digit after the dot: `1.` is `1` then a period.
    fn number(&mut self) -> TokenKind {
        self.bump_while(|c| c.is_ascii_digit());
        if self.peek() == Some('.') && self.peek_second().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
            self.bump_while(|c| c.is_ascii_digit());
            TokenKind::Double
        } else {
            TokenKind::Integer
        }
    }

    /// After the opening quote (at `open`); consumes the closing quote.
    fn string_body(&mut self, open: Pos) -> Result<String, LexError> {
        let unterminated = || (open, "unterminated string literal".to_string());
        let mut text = String::new();
        loop {
            let pos = self.pos;
            match self.bump() {
                None => return Err(unterminated()),
                Some('\'') if self.peek() == Some('\'') => {
                    self.bump();
                    text.push('\'');
                }
                Some('\'') => return Ok(text),
                Some('\\') => text.push(match self.bump() {
                    Some('t') => '\t',
                    Some('b') => '\u{8}',
                    Some('n') => '\n',
                    Some('r') => '\r',
                    Some('f') => '\u{c}',
                    Some('0') => '\0',
                    Some('\'') => '\'',
                    Some('\\') => '\\',
                    Some(other) => {
                        let message =
                            format!("Unknown escape sequence '\\{}'", other.escape_debug());
                        return Err((pos, message));
                    }
                    None => return Err(unterminated()),
                }),
                Some(c) => text.push(c),
            }
        }
    }

    /// After `#` (at `hash`): a literal array start or a symbol.
    fn symbol(&mut self, hash: Pos) -> Result<(TokenKind, String), LexError> {
        let start = self.at;
        match self.peek() {
            Some('(') => {
                self.bump();
                Ok((TokenKind::ArrayStart, String::new()))
            }
            Some('\'') => {
                let open = self.pos;
                self.bump();
                Ok((TokenKind::Symbol, self.string_body(open)?))
            }
            Some(c) if is_ident_start(c) => {
                // A keyword sequence such as `at:put:` is one symbol.
                loop {
                    self.bump_while(is_ident_char);
                    if self.peek() != Some(':') {
                        break;
                    }
                    self.bump();
                    if !self.peek().is_some_and(is_ident_start) {
                        break;
                    }
                }
                Ok((TokenKind::Symbol, self.src[start..self.at].to_string()))
            }
            Some(c) if is_operator_char(c) => {
                self.bump_while(is_operator_char);
                Ok((TokenKind::Symbol, self.src[start..self.at].to_string()))
            }
            _ => Err((
                hash,
                "expected a name, operator, string or '(' after '#'".to_string(),
            )),
        }
    }
}
