//! Every literal kind, and negative number literals in every position.

use super::{body, body_error};
use crate::parse_body;
use crate::syntax::{Expr, Literal};

/// The single literal a source consisting of one literal expression denotes.
fn literal(source: &str) -> Literal {
    let parsed = parse_body(source, "test");
    match parsed.as_ref().map(|b| b.statements.as_slice()) {
        Ok([Expr::Literal { value, .. }]) => value.clone(),
        other => panic!("{source:?} is not a single literal: {other:?}"),
    }
}

#[test]
fn integers() {
    assert_eq!(literal("0"), Literal::Integer(0));
    assert_eq!(literal("42"), Literal::Integer(42));
    assert_eq!(literal("007"), Literal::Integer(7));
    assert_eq!(literal("9223372036854775807"), Literal::Integer(i64::MAX));
}

#[test]
fn big_integers() {
    assert_eq!(
        literal("9223372036854775808"),
        Literal::BigInteger("9223372036854775808".into())
    );
    assert_eq!(
        literal("00018446744073709551616"),
        Literal::BigInteger("18446744073709551616".into())
    );
    let huge = "1".repeat(500);
    assert_eq!(literal(&huge), Literal::BigInteger(huge.clone()));
    assert_eq!(
        literal(&format!("-{huge}")),
        Literal::BigInteger(format!("-{huge}"))
    );
}

#[test]
fn negative_integer_limits() {
    assert_eq!(literal("-9223372036854775808"), Literal::Integer(i64::MIN));
    assert_eq!(literal("-9223372036854775807"), Literal::Integer(-i64::MAX));
    assert_eq!(
        literal("-9223372036854775809"),
        Literal::BigInteger("-9223372036854775809".into())
    );
    assert_eq!(literal("-0"), Literal::Integer(0));
}

#[test]
fn doubles() {
    assert_eq!(literal("1.5"), Literal::Double(1.5));
    assert_eq!(literal("0.0"), Literal::Double(0.0));
    assert_eq!(literal("-2.25"), Literal::Double(-2.25));
    assert_eq!(
        literal("123456789012345678901234567890.5"),
        Literal::Double(1.2345678901234568e29)
    );
    assert!(matches!(literal("-0.0"), Literal::Double(d) if d == 0.0 && d.is_sign_negative()));
    assert_eq!(
        literal(&format!("{}.0", "9".repeat(400))),
        Literal::Double(f64::INFINITY)
    );
}

#[test]
fn number_edge_cases() {
    assert_eq!(body("1."), "1");
    assert_eq!(body("1.x"), "1. x");
    assert_eq!(body("1e5"), "(1 e5)");
    assert_eq!(body("1.5.2"), "1.5. 2");
    assert_eq!(body("3 sqrt"), "(3 sqrt)");
}

#[test]
fn strings() {
    assert_eq!(literal("''"), Literal::String(String::new()));
    assert_eq!(literal("'hello'"), Literal::String("hello".into()));
    assert_eq!(
        literal(r"'\t\b\n\r\f\0\'\\'"),
        Literal::String("\t\u{8}\n\r\u{c}\0'\\".into())
    );
    assert_eq!(literal(r"'\0rest'"), Literal::String("\0rest".into()));
    assert_eq!(literal("'it''s'"), Literal::String("it's".into()));
    assert_eq!(literal("''''"), Literal::String("'".into()));
    assert_eq!(
        literal("'two\nlines'"),
        Literal::String("two\nlines".into())
    );
    assert_eq!(
        literal("'❤ \"not a comment\"'"),
        Literal::String("❤ \"not a comment\"".into())
    );
    assert_eq!(body("'a' , 'b'"), "(\"a\" , \"b\")");
}

#[test]
fn symbols() {
    assert_eq!(literal("#foo"), Literal::Symbol("foo".into()));
    assert_eq!(literal("#foo:"), Literal::Symbol("foo:".into()));
    assert_eq!(literal("#at:put:"), Literal::Symbol("at:put:".into()));
    assert_eq!(literal("#+"), Literal::Symbol("+".into()));
    assert_eq!(literal("#-->"), Literal::Symbol("-->".into()));
    assert_eq!(literal("#'any text'"), Literal::Symbol("any text".into()));
    assert_eq!(literal("#'it''s\\n'"), Literal::Symbol("it's\n".into()));
    assert_eq!(literal("#primitive"), Literal::Symbol("primitive".into()));
    assert_eq!(
        literal("#with_under1"),
        Literal::Symbol("with_under1".into())
    );
    assert_eq!(body("#foo:bar: size"), "(#foo:bar: size)");
    assert_eq!(body("x == #foo"), "(x == #foo)");
}

#[test]
fn literal_arrays() {
    assert_eq!(literal("#()"), Literal::Array(vec![]));
    assert_eq!(
        body("#(1 -2 3.5 'str' #sym sym: #(nested) true false nil)"),
        "#(1 -2 3.5 \"str\" #sym #sym: #(#nested) true false nil)"
    );
    assert_eq!(
        body("#(foo at:put: at: put: + - ||)"),
        "#(#foo #at:put: #at: #put: #+ #- #||)"
    );
    assert_eq!(body("#(#(#()) #(1))"), "#(#(#()) #(1))");
    assert_eq!(body("#(#+ #at:put: #'x y')"), "#(#+ #at:put: #x y)");
    assert_eq!(body("#(1\"comment\"2)"), "#(1 2)");
    assert_eq!(
        body("#(99999999999999999999)"),
        "#(big:99999999999999999999)"
    );
}

#[test]
fn negative_literals_in_primary_position() {
    assert_eq!(body("-4 abs"), "(-4 abs)");
    assert_eq!(body("21474 * -100000"), "(21474 * -100000)");
    assert_eq!(body("x - -1"), "(x - -1)");
    assert_eq!(body("x-1"), "(x - 1)");
    assert_eq!(body("x -1"), "(x - 1)");
    assert_eq!(body("3-1"), "(3 - 1)");
    assert_eq!(body("x--1"), "(x -- 1)");
    assert_eq!(body("a at: -1 put: -2.5"), "(a at:put: -1 -2.5)");
    assert_eq!(body("x := -5"), "(x := -5)");
    assert_eq!(body("(-5)"), "-5");
    assert_eq!(body("[-5]"), "[-5]");
    assert_eq!(body("^-5"), "^-5");
    assert_eq!(body("#(-1 -2.0)"), "#(-1 -2.0)");
    assert_eq!(body("#(1-2)"), "#(1 -2)");
    assert_eq!(body("#(- 2)"), "#(#- 2)");
    assert_eq!(body("-1-1"), "(-1 - 1)");
    assert_eq!(body("-1 - -1"), "(-1 - -1)");
}

#[test]
fn minus_not_followed_directly_by_a_number_is_not_a_literal() {
    body_error("- 4");
    body_error("x := -y");
    body_error("3 + - 4");
}
