//! Recursive-descent parser from tokens to the syntax tree (grammar: SOM-REFERENCE.md §1.2).
//!
//! Besides the grammar it performs the checks that need no scope information: duplicate
//! parameter, local and field names, declaring or assigning a reserved name, and `^` being the
//! last statement. Name resolution is the compiler's job.
//!
//! Nesting (parentheses, blocks, literal arrays, chained assignments) is limited so that
//! hostile input gets an error instead of overflowing the stack: to `MAX_DEPTH` levels, and to
//! `STACK_BUDGET` bytes of stack, since a level's frames take about 1 KiB in optimised builds
//! but up to 4 KiB in unoptimised ones, and threads may have as little as 2 MiB. The trees it
//! builds are limited to `MAX_HEIGHT` levels, which also bounds chains of sends (`a + 1 + 1 ...`)
//! that the parser builds in a loop but everything after it walks recursively.
//!
//! `|` is both an operator and the delimiter of field, local and block parameter lists. The
//! lexer makes a run like `||` or `|-` one operator token, so where a delimiter is expected the
//! parser accepts any operator starting with `|` and consumes just that bar of it:
//! `[:a || t | ...]` is `[:a | | t | ...]` and `[:a|-1]` answers -1.

use rustc_hash::FxHashSet;

use crate::error::ParseError;
use crate::lexer::{tokenize, Token, TokenKind};
use crate::syntax::{Block, Body, ClassDef, Expr, Literal, MethodBody, MethodDef, Pos};

/// Deepest nesting of expressions and literal arrays accepted.
const MAX_DEPTH: usize = 1000;

/// Tallest expression tree accepted (a leaf is 1; sends, assignments, returns and blocks add
/// a level). Chains like `a + 1 + 1 ...` nest without nesting the parser, but the compiler,
/// the nodes it makes and dropping them all recurse over the tree: this keeps them on the stack.
const MAX_HEIGHT: usize = 2000;

/// Longest token text quoted in an error message.
const MAX_QUOTED: usize = 40;

/// Stack the nested parsing functions may use, measured from the outermost nesting level.
const STACK_BUDGET: usize = 1 << 20;

const RESERVED: [&str; 5] = ["self", "super", "nil", "true", "false"];

/// An expression with the height of its syntax tree (a leaf is 1).
struct Tall {
    expr: Expr,
    height: usize,
}

/// Errors are boxed to keep results, and so the recursive parsing functions' frames, small.
type PResult<T> = Result<T, Box<ParseError>>;

/// The token that ends a body.
#[derive(Clone, Copy)]
pub(crate) enum Close {
    Paren,
    Bracket,
    EndOfInput,
}

impl Close {
    fn kind(self) -> TokenKind {
        match self {
            Close::Paren => TokenKind::RParen,
            Close::Bracket => TokenKind::RBracket,
            Close::EndOfInput => TokenKind::Eof,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Close::Paren => "')'",
            Close::Bracket => "']'",
            Close::EndOfInput => "end of input",
        }
    }
}

/// The names of one declaration list (fields, parameters, locals), with a set of them so that
/// checking for duplicates keeps long lists linear.
#[derive(Default)]
struct Names<'s> {
    list: Vec<String>,
    seen: FxHashSet<&'s str>,
}

/// What a declared name is, which decides the wording of a duplicate-name error.
#[derive(Clone, Copy)]
enum Declared {
    Field,
    Variable,
}

pub(crate) struct Parser<'s> {
    source: &'s str,
    file: &'s str,
    /// Never empty; the last token is `Eof` or `Error` and is never moved past.
    tokens: Vec<Token>,
    at: usize,
    /// Current nesting level.
    depth: usize,
    /// Stack address at nesting level 0.
    stack_base: usize,
}

impl<'s> Parser<'s> {
    pub(crate) fn new(source: &'s str, file: &'s str) -> Parser<'s> {
        Parser {
            source,
            file,
            tokens: tokenize(source),
            at: 0,
            depth: 0,
            stack_base: 0,
        }
    }

    // Token access.

    fn tok(&self) -> &Token {
        &self.tokens[self.at]
    }

    fn peek(&self, ahead: usize) -> &Token {
        &self.tokens[(self.at + ahead).min(self.tokens.len() - 1)]
    }

    fn kind(&self) -> TokenKind {
        self.tok().kind
    }

    fn text(&self) -> &'s str {
        self.text_of(self.tok())
    }

    fn text_of(&self, tok: &Token) -> &'s str {
        &self.source[tok.start..tok.end]
    }

    /// Moves the current token's value out; each token is consumed once.
    fn take_value(&mut self) -> String {
        std::mem::take(&mut self.tokens[self.at].value)
    }

    fn advance(&mut self) {
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
    }

    fn is_operator(&self, text: &str) -> bool {
        self.kind() == TokenKind::Operator && self.text() == text
    }

    /// Whether the current token can serve as a `|` delimiter.
    fn at_bar(&self) -> bool {
        self.kind() == TokenKind::Operator && self.text().starts_with('|')
    }

    /// Consumes the `|` starting the current operator, leaving the rest as the current token.
    fn take_bar(&mut self) {
        let tok = &mut self.tokens[self.at];
        if tok.end - tok.start > 1 {
            tok.start += 1;
            tok.pos.column = tok.pos.column.saturating_add(1);
        } else {
            self.advance();
        }
    }

    fn expect_bar(&mut self, expected: &str) -> PResult<()> {
        if !self.at_bar() {
            return Err(self.unexpected(expected));
        }
        self.take_bar();
        Ok(())
    }

    fn expect(&mut self, kind: TokenKind, expected: &str) -> PResult<()> {
        if self.kind() != kind {
            return Err(self.unexpected(expected));
        }
        self.advance();
        Ok(())
    }

    // Errors.

    #[cold]
    fn error_at(&self, pos: Pos, message: String) -> Box<ParseError> {
        Box::new(ParseError::new(self.source, self.file, pos, message))
    }

    /// The error for a current token that does not fit; a lexical error is reported as such.
    #[cold]
    fn unexpected(&self, expected: &str) -> Box<ParseError> {
        let tok = self.tok();
        let text = quoted(self.text());
        let found = match tok.kind {
            TokenKind::Error => return self.error_at(tok.pos, tok.value.clone()),
            TokenKind::Ident => format!("identifier '{text}'"),
            TokenKind::Keyword => format!("keyword '{text}'"),
            TokenKind::Operator => format!("operator '{text}'"),
            TokenKind::Separator => format!("separator '{text}'"),
            TokenKind::Integer | TokenKind::Double => format!("number {text}"),
            TokenKind::Str => "string literal".to_string(),
            TokenKind::Symbol => format!("symbol #{}", quoted(&tok.value)),
            TokenKind::ArrayStart => "'#('".to_string(),
            TokenKind::LParen => "'('".to_string(),
            TokenKind::RParen => "')'".to_string(),
            TokenKind::LBracket => "'['".to_string(),
            TokenKind::RBracket => "']'".to_string(),
            TokenKind::Caret => "'^'".to_string(),
            TokenKind::Period => "'.'".to_string(),
            TokenKind::Colon => "':'".to_string(),
            TokenKind::Assign => "':='".to_string(),
            TokenKind::Eof => "end of input".to_string(),
        };
        self.error_at(tok.pos, format!("unexpected {found}, expected {expected}"))
    }

    /// Goes one nesting level deeper, at the current token. The caller leaves the level by
    /// decrementing `depth` when it succeeds; after an error parsing stops, so it need not.
    fn enter(&mut self) -> PResult<()> {
        let here = stack_address();
        if self.depth == 0 {
            self.stack_base = here;
        }
        if self.depth >= MAX_DEPTH || here.abs_diff(self.stack_base) > STACK_BUDGET {
            return Err(self.too_deep());
        }
        self.depth += 1;
        Ok(())
    }

    #[cold]
    fn too_deep(&self) -> Box<ParseError> {
        self.too_deep_at(self.tok().pos)
    }

    #[cold]
    fn too_deep_at(&self, pos: Pos) -> Box<ParseError> {
        self.error_at(pos, "expressions nested too deeply".to_string())
    }

    /// Consumes the current identifier as a new name in `names`, rejecting reserved names and
    /// names already in the list.
    fn declare(&mut self, names: &mut Names<'s>, declared: Declared) -> PResult<()> {
        let name = self.text();
        let pos = self.tok().pos;
        if RESERVED.contains(&name) {
            return Err(self.error_at(pos, format!("'{name}' is reserved and cannot be declared")));
        }
        if !names.seen.insert(name) {
            let message = match declared {
                Declared::Field => {
                    format!("Field '{name}' has already been defined in this class.")
                }
                Declared::Variable => format!("Variable '{name}' shadows another of the same name"),
            };
            return Err(self.error_at(pos, message));
        }
        names.list.push(name.to_string());
        self.advance();
        Ok(())
    }

    // Classes and methods.

    pub(crate) fn class_def(&mut self) -> PResult<ClassDef> {
        let pos = self.tok().pos;
        if self.kind() != TokenKind::Ident {
            return Err(self.unexpected("a class name"));
        }
        let name = self.text().to_string();
        self.advance();
        if !self.is_operator("=") {
            return Err(self.unexpected("'=' after the class name"));
        }
        self.advance();
        let superclass = if self.kind() == TokenKind::Ident {
            let superclass = self.text().to_string();
            self.advance();
            Some(superclass)
        } else {
            None
        };
        self.expect(TokenKind::LParen, "'(' to start the class body")?;
        let instance_fields = self.fields()?;
        let instance_methods = self.methods()?;
        let (class_fields, class_methods) = if self.kind() == TokenKind::Separator {
            self.advance();
            (self.fields()?, self.methods()?)
        } else {
            (Vec::new(), Vec::new())
        };
        let expected = if self.kind() == TokenKind::Separator {
            "a method definition or ')' (only one '----' is allowed)"
        } else {
            "a method definition, '----' or ')'"
        };
        self.expect(TokenKind::RParen, expected)?;
        self.expect(TokenKind::Eof, "end of input after the class definition")?;
        Ok(ClassDef {
            name,
            superclass,
            instance_fields,
            instance_methods,
            class_fields,
            class_methods,
            pos,
        })
    }

    /// Exactly one method definition and nothing else: what `Class>>compile:` takes. Fields,
    /// a class side or a second method are errors at their position, not silently dropped.
    pub(crate) fn single_method(&mut self) -> PResult<MethodDef> {
        if self.at_field_list() {
            return Err(self.error_at(
                self.tok().pos,
                "fields cannot be declared here: expected one method definition".to_string(),
            ));
        }
        if !self.at_method() {
            return Err(self.unexpected_outside_method("a method definition"));
        }
        let method = self.method()?;
        if self.at_method() {
            return Err(self.error_at(
                self.tok().pos,
                "a second method definition starts here: expected only one".to_string(),
            ));
        }
        if self.kind() != TokenKind::Eof {
            return Err(self.unexpected_outside_method("end of input after the method definition"));
        }
        Ok(method)
    }

    /// The error for a token where a method or the end of input is expected; a class side
    /// separator gets a message of its own.
    #[cold]
    fn unexpected_outside_method(&self, expected: &str) -> Box<ParseError> {
        if self.kind() == TokenKind::Separator {
            return self.error_at(
                self.tok().pos,
                "a class side ('----') cannot be given here: expected one method definition"
                    .to_string(),
            );
        }
        self.unexpected(expected)
    }

    /// Whether the current token starts a method pattern.
    fn at_method(&self) -> bool {
        matches!(
            self.kind(),
            TokenKind::Ident | TokenKind::Keyword | TokenKind::Operator
        )
    }

    /// Whether a `| a b |` field list starts here. `| other = (...)` is instead the binary
    /// method `|`.
    fn at_field_list(&self) -> bool {
        let binary_method = self.peek(1).kind == TokenKind::Ident
            && self.peek(2).kind == TokenKind::Operator
            && self.text_of(self.peek(2)) == "=";
        self.at_bar() && !binary_method
    }

    /// An optional `| a b |` at the start of a class side.
    fn fields(&mut self) -> PResult<Vec<String>> {
        let mut fields = Names::default();
        if !self.at_field_list() {
            return Ok(fields.list);
        }
        self.take_bar();
        while self.kind() == TokenKind::Ident {
            self.declare(&mut fields, Declared::Field)?;
        }
        self.expect_bar("a field name or '|'")?;
        Ok(fields.list)
    }

    fn methods(&mut self) -> PResult<Vec<MethodDef>> {
        let mut methods = Vec::new();
        while self.at_method() {
            methods.push(self.method()?);
        }
        Ok(methods)
    }

    /// `pattern = primitive` or `pattern = ( body )`.
    fn method(&mut self) -> PResult<MethodDef> {
        let pos = self.tok().pos;
        let mut params = Names::default();
        let selector = match self.kind() {
            TokenKind::Keyword => {
                let mut selector = String::new();
                while self.kind() == TokenKind::Keyword {
                    selector.push_str(self.text());
                    self.advance();
                    self.parameter(&mut params)?;
                }
                selector
            }
            unary_or_binary => {
                let selector = self.text().to_string();
                self.advance();
                if unary_or_binary == TokenKind::Operator {
                    self.parameter(&mut params)?;
                }
                selector
            }
        };
        if !self.is_operator("=") {
            return Err(self.unexpected("'=' after the method pattern"));
        }
        self.advance();
        let body = if self.kind() == TokenKind::Ident && self.text() == "primitive" {
            self.advance();
            MethodBody::Primitive
        } else {
            self.expect(TokenKind::LParen, "'(' or 'primitive' after '='")?;
            MethodBody::Code(self.body(Close::Paren)?)
        };
        Ok(MethodDef {
            selector,
            params: params.list,
            body,
            pos,
        })
    }

    fn parameter(&mut self, params: &mut Names<'s>) -> PResult<()> {
        if self.kind() != TokenKind::Ident {
            return Err(self.unexpected("a parameter name"));
        }
        self.declare(params, Declared::Variable)
    }

    /// Optional locals and statements up to and including the `close` token.
    pub(crate) fn body(&mut self, close: Close) -> PResult<Body> {
        self.body_with_height(close).map(|(body, _)| body)
    }

    /// A body and the height of its tree: one more than its tallest statement.
    fn body_with_height(&mut self, close: Close) -> PResult<(Body, usize)> {
        let closing = close.kind();
        let locals = self.locals()?;
        let mut statements = Vec::new();
        let mut height = 0;
        while self.kind() != closing {
            let statement = if self.kind() == TokenKind::Caret {
                self.return_statement()?
            } else {
                self.expression()?
            };
            height = height.max(statement.height);
            let returns = matches!(statement.expr, Expr::Return { .. });
            statements.push(statement.expr);
            let terminated = self.kind() == TokenKind::Period;
            if terminated {
                self.advance();
            }
            if self.kind() != closing {
                if returns {
                    return Err(self.statement_after_return(close));
                }
                if !terminated {
                    return Err(self.unexpected_after_statement(close));
                }
            }
        }
        let end = self.tok().pos;
        self.advance();
        let body = Body {
            locals,
            statements,
            end,
        };
        Ok((body, height + 1))
    }

    /// An optional `| a b |` at the start of a body.
    fn locals(&mut self) -> PResult<Vec<String>> {
        let mut locals = Names::default();
        if self.at_bar() {
            self.take_bar();
            while self.kind() == TokenKind::Ident {
                self.declare(&mut locals, Declared::Variable)?;
            }
            self.expect_bar("a local variable name or '|'")?;
        }
        Ok(locals.list)
    }

    /// `^ expression`.
    fn return_statement(&mut self) -> PResult<Tall> {
        let pos = self.tok().pos;
        self.advance();
        let value = self.expression()?;
        self.node(
            value.height,
            pos,
            |value| Expr::Return { value, pos },
            value.expr,
        )
    }

    #[cold]
    fn statement_after_return(&self, close: Close) -> Box<ParseError> {
        self.unexpected(&format!(
            "{}: a '^' statement must be the last one",
            close.name()
        ))
    }

    #[cold]
    fn unexpected_after_statement(&self, close: Close) -> Box<ParseError> {
        self.unexpected(&format!("'.' or {}", close.name()))
    }

    /// A node over a child of height `child_height`, refused when the tree grows taller than
    /// `MAX_HEIGHT`.
    fn node(
        &self,
        child_height: usize,
        pos: Pos,
        make: impl FnOnce(Box<Expr>) -> Expr,
        child: Expr,
    ) -> PResult<Tall> {
        let height = self.checked_height(child_height + 1, pos)?;
        Ok(Tall {
            expr: make(Box::new(child)),
            height,
        })
    }

    fn checked_height(&self, height: usize, pos: Pos) -> PResult<usize> {
        if height > MAX_HEIGHT {
            return Err(self.too_deep_at(pos));
        }
        Ok(height)
    }

    // Expressions.

    /// `( IDENT ':=' )* primary messages`.
    fn expression(&mut self) -> PResult<Tall> {
        self.enter()?;
        let expr = if self.kind() == TokenKind::Ident && self.peek(1).kind == TokenKind::Assign {
            self.assignment()?
        } else {
            let receiver = self.primary()?;
            let receiver = self.unary_sends(receiver)?;
            let receiver = self.binary_sends(receiver)?;
            if self.kind() == TokenKind::Keyword {
                self.keyword_send(receiver)?
            } else {
                receiver
            }
        };
        self.depth -= 1;
        Ok(expr)
    }

    /// `name := expression`.
    fn assignment(&mut self) -> PResult<Tall> {
        let pos = self.tok().pos;
        let name = self.text().to_string();
        if RESERVED.contains(&name.as_str()) {
            return Err(self.error_at(pos, format!("cannot assign to '{name}'")));
        }
        self.advance();
        self.advance();
        let value = self.expression()?;
        self.node(
            value.height,
            pos,
            |value| Expr::Assign { name, value, pos },
            value.expr,
        )
    }

    fn primary(&mut self) -> PResult<Tall> {
        let pos = self.tok().pos;
        let leaf = |expr| Tall { expr, height: 1 };
        match self.kind() {
            TokenKind::Ident => {
                let name = self.text().to_string();
                self.advance();
                Ok(leaf(Expr::Variable { name, pos }))
            }
            TokenKind::LParen => {
                self.advance();
                let inner = self.expression()?;
                self.expect(TokenKind::RParen, "')'")?;
                Ok(inner)
            }
            TokenKind::LBracket => self.block(),
            _ => match self.literal()? {
                Some(value) => Ok(leaf(Expr::Literal { value, pos })),
                None => Err(self.unexpected("an expression")),
            },
        }
    }

    /// A send of `selector` to `receiver` with `args`, one level above the tallest of them.
    fn send(&self, receiver: Tall, selector: String, args: Vec<Tall>, pos: Pos) -> PResult<Tall> {
        let tallest = args
            .iter()
            .map(|a| a.height)
            .fold(receiver.height, usize::max);
        let args = args.into_iter().map(|a| a.expr).collect();
        self.node(
            tallest,
            pos,
            |receiver| Expr::Send {
                receiver,
                selector,
                args,
                pos,
            },
            receiver.expr,
        )
    }

    fn unary_sends(&mut self, mut receiver: Tall) -> PResult<Tall> {
        while self.kind() == TokenKind::Ident {
            let pos = self.tok().pos;
            let selector = self.text().to_string();
            self.advance();
            receiver = self.send(receiver, selector, Vec::new(), pos)?;
        }
        Ok(receiver)
    }

    fn binary_sends(&mut self, mut receiver: Tall) -> PResult<Tall> {
        while self.kind() == TokenKind::Operator {
            let pos = self.tok().pos;
            let selector = self.text().to_string();
            self.advance();
            let arg = self.primary()?;
            let arg = self.unary_sends(arg)?;
            receiver = self.send(receiver, selector, vec![arg], pos)?;
        }
        Ok(receiver)
    }

    fn keyword_send(&mut self, receiver: Tall) -> PResult<Tall> {
        let pos = self.tok().pos;
        let mut selector = String::new();
        let mut args = Vec::new();
        while self.kind() == TokenKind::Keyword {
            selector.push_str(self.text());
            self.advance();
            let arg = self.primary()?;
            let arg = self.unary_sends(arg)?;
            args.push(self.binary_sends(arg)?);
        }
        self.send(receiver, selector, args, pos)
    }

    /// `[ :a :b | body ]`.
    fn block(&mut self) -> PResult<Tall> {
        let pos = self.tok().pos;
        self.advance();
        let mut params = Names::default();
        while self.kind() == TokenKind::Colon {
            self.advance();
            if self.kind() != TokenKind::Ident {
                return Err(self.unexpected("a block parameter name after ':'"));
            }
            self.declare(&mut params, Declared::Variable)?;
        }
        if !params.list.is_empty() {
            self.expect_bar("'|' after the block parameters")?;
        }
        let params = params.list;
        let (body, height) = self.body_with_height(Close::Bracket)?;
        Ok(Tall {
            expr: Expr::Block(Box::new(Block { params, body, pos })),
            height: self.checked_height(height + 1, pos)?,
        })
    }

    // Literals.

    /// A number (possibly negative), string, symbol or literal array; `None` if the current
    /// token starts none of these.
    fn literal(&mut self) -> PResult<Option<Literal>> {
        let literal = match self.kind() {
            TokenKind::Str => Literal::String(self.take_value()),
            TokenKind::Symbol => Literal::Symbol(self.take_value()),
            TokenKind::Integer => integer(self.text(), false),
            TokenKind::Double => double(self.text(), false),
            TokenKind::Operator if self.at_negative_number() => {
                self.advance();
                match self.kind() {
                    TokenKind::Double => double(self.text(), true),
                    _ => integer(self.text(), true),
                }
            }
            TokenKind::ArrayStart => return self.literal_array().map(Some),
            _ => return Ok(None),
        };
        self.advance();
        Ok(Some(literal))
    }

    /// A `-` directly followed by a number; only called in primary position.
    fn at_negative_number(&self) -> bool {
        let next = self.peek(1);
        self.is_operator("-")
            && matches!(next.kind, TokenKind::Integer | TokenKind::Double)
            && next.start == self.tok().end
    }

    /// `#( element* )`. Bare `true`, `false` and `nil` are those objects; other bare names,
    /// keywords and operators are symbols.
    fn literal_array(&mut self) -> PResult<Literal> {
        self.enter()?;
        self.advance();
        let mut elements = Vec::new();
        loop {
            if let Some(element) = self.literal()? {
                elements.push(element);
                continue;
            }
            let element = match self.kind() {
                TokenKind::RParen => break,
                TokenKind::Ident => match self.text() {
                    "true" => Literal::True,
                    "false" => Literal::False,
                    "nil" => Literal::Nil,
                    name => Literal::Symbol(name.to_string()),
                },
                TokenKind::Keyword => Literal::Symbol(self.keyword_sequence()),
                TokenKind::Operator => Literal::Symbol(self.text().to_string()),
                _ => return Err(self.unexpected("a literal array element or ')'")),
            };
            self.advance();
            elements.push(element);
        }
        self.advance();
        self.depth -= 1;
        Ok(Literal::Array(elements))
    }

    /// Directly adjacent keywords (`at:put:`) as one name; leaves the last keyword current.
    fn keyword_sequence(&mut self) -> String {
        let mut name = self.text().to_string();
        while self.peek(1).kind == TokenKind::Keyword && self.peek(1).start == self.tok().end {
            self.advance();
            name.push_str(self.text());
        }
        name
    }
}

/// Token text as quoted in an error message: shortened if very long.
fn quoted(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

/// Approximately the current stack pointer: the address of a local.
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(std::ptr::from_ref(&marker)).addr()
}

/// An integer literal from its decimal digits; beyond i64 it stays as text for the VM's
/// big integers.
fn integer(digits: &str, negative: bool) -> Literal {
    let magnitude = digits.bytes().try_fold(0u64, |value, digit| {
        value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    });
    let value = magnitude.and_then(|m| {
        if negative {
            0i64.checked_sub_unsigned(m)
        } else {
            i64::try_from(m).ok()
        }
    });
    match value {
        Some(value) => Literal::Integer(value),
        None => {
            let significant = digits.trim_start_matches('0');
            Literal::BigInteger(format!("{}{significant}", if negative { "-" } else { "" }))
        }
    }
}

/// A double literal from its `digits.digits` text, which always parses.
fn double(text: &str, negative: bool) -> Literal {
    let value = text.parse::<f64>().unwrap_or(f64::NAN);
    Literal::Double(if negative { -value } else { value })
}
