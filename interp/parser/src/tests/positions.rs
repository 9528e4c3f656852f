//! Source positions recorded in the tree: 1-based lines, columns counted in characters.

use super::{body_error, class};
use crate::parse_body;
use crate::syntax::{Expr, MethodBody, Pos};

fn pos(line: u32, column: u32) -> Pos {
    Pos { line, column }
}

fn statements(source: &str) -> Vec<Expr> {
    match parse_body(source, "test") {
        Ok(body) => body.statements,
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn class_and_method_positions() {
    let c = class("\"x\"\n  Foo = (\n  bar = ( )\n  at: i put: v = primitive\n  ---- + x = ( ) )");
    assert_eq!(c.pos, pos(2, 3));
    assert_eq!(c.instance_methods[0].pos, pos(3, 3));
    assert_eq!(c.instance_methods[1].pos, pos(4, 3));
    assert_eq!(c.class_methods[0].pos, pos(5, 8));
    let MethodBody::Code(body) = &c.instance_methods[0].body else {
        panic!("bar has code");
    };
    assert_eq!(body.end, pos(3, 11));
}

#[test]
fn send_positions_are_at_the_selector() {
    let s = statements("a foo + b bar: c baz: d");
    let Expr::Send {
        pos: keyword_pos,
        receiver,
        args,
        ..
    } = &s[0]
    else {
        panic!("keyword send expected");
    };
    assert_eq!(*keyword_pos, pos(1, 11));
    assert_eq!(args[0].pos(), pos(1, 16));
    assert_eq!(args[1].pos(), pos(1, 23));
    let Expr::Send {
        pos: plus_pos,
        receiver,
        ..
    } = receiver.as_ref()
    else {
        panic!("binary send expected");
    };
    assert_eq!(*plus_pos, pos(1, 7));
    assert_eq!(receiver.pos(), pos(1, 3));
}

#[test]
fn statement_positions() {
    let s = statements("x := 1.\n\t^ -2");
    assert_eq!(s[0].pos(), pos(1, 1));
    let Expr::Assign { value, .. } = &s[0] else {
        panic!("assignment expected")
    };
    assert_eq!(value.pos(), pos(1, 6));
    assert_eq!(s[1].pos(), pos(2, 2));
    let Expr::Return { value, .. } = &s[1] else {
        panic!("return expected")
    };
    assert_eq!(value.pos(), pos(2, 4));
}

#[test]
fn block_positions() {
    let s = statements("[:a |\n a ]");
    let Expr::Block(block) = &s[0] else {
        panic!("block expected")
    };
    assert_eq!(block.pos, pos(1, 1));
    assert_eq!(block.body.end, pos(2, 4));
    assert_eq!(block.body.statements[0].pos(), pos(2, 2));
}

#[test]
fn columns_count_characters_not_bytes() {
    let s = statements("'❤❤' ñ");
    assert_eq!(s[0].pos(), pos(1, 6));
    let s = statements("\"é\ré\"\r\nx");
    assert_eq!(s[0].pos(), pos(2, 1));
}

#[test]
fn body_end_of_top_level_statements_is_end_of_input() {
    let body = parse_body("a\nbc", "t").map(|b| b.end);
    assert_eq!(body, Ok(pos(2, 3)));
}

#[test]
fn literal_positions_span_lines() {
    let s = statements("'a\nb' foo");
    assert_eq!(s[0].pos(), pos(2, 4));
    let e = body_error("'a\nb' )");
    assert_eq!((e.line, e.column), (2, 4));
}
