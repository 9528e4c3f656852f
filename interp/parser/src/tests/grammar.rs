//! Every grammar construct: class structure, method patterns, bodies, messages, blocks.

use super::{body, class, show_body};
use crate::syntax::MethodBody;

fn code(method: &crate::syntax::MethodDef) -> String {
    match &method.body {
        MethodBody::Code(body) => show_body(body),
        MethodBody::Primitive => "primitive".to_string(),
    }
}

#[test]
fn empty_class_without_superclass() {
    let c = class("Foo = ()");
    assert_eq!(c.name, "Foo");
    assert_eq!(c.superclass, None);
    assert!(c.instance_fields.is_empty() && c.instance_methods.is_empty());
    assert!(c.class_fields.is_empty() && c.class_methods.is_empty());
}

#[test]
fn superclass_names_and_nil() {
    assert_eq!(class("Foo = Bar ()").superclass.as_deref(), Some("Bar"));
    assert_eq!(class("Object = nil ()").superclass.as_deref(), Some("nil"));
}

#[test]
fn instance_fields_and_methods() {
    let c = class(
        "Point = Object (
            | x y |
            x = ( ^x )
            + other = ( ^Point new x: x + other x )
        )",
    );
    assert_eq!(c.instance_fields, ["x", "y"]);
    assert_eq!(c.instance_methods.len(), 2);
    assert_eq!(c.instance_methods[0].selector, "x");
    assert!(c.instance_methods[0].params.is_empty());
    assert_eq!(code(&c.instance_methods[0]), "^x");
    assert_eq!(c.instance_methods[1].selector, "+");
    assert_eq!(c.instance_methods[1].params, ["other"]);
    assert_eq!(
        code(&c.instance_methods[1]),
        "^((Point new) x: (x + (other x)))"
    );
}

#[test]
fn keyword_method_pattern() {
    let c = class("Foo = ( at: index put: value = ( ^value ) at:i=(^i) )");
    assert_eq!(c.instance_methods[0].selector, "at:put:");
    assert_eq!(c.instance_methods[0].params, ["index", "value"]);
    assert_eq!(c.instance_methods[1].selector, "at:");
    assert_eq!(c.instance_methods[1].params, ["i"]);
}

#[test]
fn primitive_methods() {
    let c = class("Foo = ( foo = primitive at: i put: v = primitive = other = primitive )");
    let selectors: Vec<&str> = c
        .instance_methods
        .iter()
        .map(|m| m.selector.as_str())
        .collect();
    assert_eq!(selectors, ["foo", "at:put:", "="]);
    assert!(c
        .instance_methods
        .iter()
        .all(|m| m.body == MethodBody::Primitive));
}

#[test]
fn primitive_is_also_an_identifier() {
    let c = class(
        "Foo = ( primitive = ( ^primitive ) primitives = ( ^self primitive ) primitive: p = ( ) )",
    );
    assert_eq!(code(&c.instance_methods[0]), "^primitive");
    assert_eq!(c.instance_methods[1].selector, "primitives");
    assert_eq!(code(&c.instance_methods[1]), "^(self primitive)");
    assert_eq!(c.instance_methods[2].selector, "primitive:");
    assert_eq!(
        body("| primitive | primitive := #primitive"),
        "|primitive| (primitive := #primitive)"
    );
}

#[test]
fn class_side_after_separator() {
    let c = class(
        "Foo = Bar (
            | a |
            a = ( ^a )
            ------------
            | count cache |
            new = ( ^super new init )
            count = primitive
        )",
    );
    assert_eq!(c.instance_fields, ["a"]);
    assert_eq!(c.instance_methods.len(), 1);
    assert_eq!(c.class_fields, ["count", "cache"]);
    assert_eq!(c.class_methods.len(), 2);
    assert_eq!(code(&c.class_methods[0]), "^((super new) init)");
    assert_eq!(c.class_methods[1].body, MethodBody::Primitive);
}

#[test]
fn class_side_only() {
    let c = class("Foo = ( ---- bar = ( ) )");
    assert!(c.instance_methods.is_empty());
    assert_eq!(c.class_methods[0].selector, "bar");
    assert_eq!(class("Foo = (----)").class_methods.len(), 0);
}

#[test]
fn bar_methods_versus_field_lists() {
    let c = class("True = Boolean ( | boolean = ( ^true ) || boolean = ( ^true ) )");
    assert!(c.instance_fields.is_empty());
    assert_eq!(c.instance_methods[0].selector, "|");
    assert_eq!(c.instance_methods[0].params, ["boolean"]);
    assert_eq!(c.instance_methods[1].selector, "||");
    let c = class("Foo = ( | | | b = ( ) )");
    assert!(c.instance_fields.is_empty());
    assert_eq!(c.instance_methods[0].selector, "|");
    let c = class("Foo = ( | a | | b = ( ) ---- | c | )");
    assert_eq!(c.instance_fields, ["a"]);
    assert_eq!(c.instance_methods[0].selector, "|");
    assert_eq!(c.class_fields, ["c"]);
    assert!(class("Foo = ( || )").instance_fields.is_empty());
}

#[test]
fn comments_wherever_whitespace_may_be() {
    let c = class(
        "\"before\" Foo \"a\"=\"b\" Bar \"c\" ( \"d\" | \"e\" a \"f\" | \"it's\"
            foo: \"g\" x \"h\" = \"i\" ( \"j\" ^ \"k\" x \"l\" + \"m\" 1 \"n\" ) \"o\" ) \"after\"",
    );
    assert_eq!(c.name, "Foo");
    assert_eq!(c.instance_fields, ["a"]);
    assert_eq!(code(&c.instance_methods[0]), "^(x + 1)");
}

#[test]
fn unicode_identifiers() {
    assert_eq!(body("café := λx_1 ñandú"), "(café := (λx_1 ñandú))");
    assert_eq!(body("x_y__z"), "x_y__z");
}

#[test]
fn precedence_unary_binary_keyword() {
    assert_eq!(body("2 + 3 * 4"), "((2 + 3) * 4)");
    assert_eq!(body("a b c"), "((a b) c)");
    assert_eq!(body("a b + c d * e"), "(((a b) + (c d)) * e)");
    assert_eq!(
        body("a at: b c + d put: e f"),
        "(a at:put: ((b c) + d) (e f))"
    );
    assert_eq!(body("a foo: (b bar: c)"), "(a foo: (b bar: c))");
    assert_eq!(body("(a foo: b) bar: c"), "((a foo: b) bar: c)");
    assert_eq!(body("((a))"), "a");
}

#[test]
fn operator_runs_are_single_selectors() {
    for op in [
        "-->", "<=", ">>>", "~=", "++++", "==", "<>", "//", "&&", "||", ",", "@", "%", "\\", "|",
        "=", "-", "~", "&",
    ] {
        assert_eq!(
            body(&format!("a {op} b")),
            format!("(a {op} b)"),
            "operator {op}"
        );
    }
    assert_eq!(body("a<=b"), "(a <= b)");
    assert_eq!(body("a ----> b"), "(a ----> b)");
}

#[test]
fn statements_and_periods() {
    assert_eq!(body(""), "");
    assert_eq!(body("a. b. c"), "a. b. c");
    assert_eq!(body("a. b."), "a. b");
    assert_eq!(body("^a"), "^a");
    assert_eq!(body("a. ^b."), "a. ^b");
}

#[test]
fn locals() {
    assert_eq!(body("| a b | a := b"), "|a b| (a := b)");
    assert_eq!(body("| | a"), "a");
    assert_eq!(body("|| a"), "a");
    assert_eq!(body("|a|a"), "|a| a");
    assert_eq!(body("|a|-1"), "|a| -1");
}

#[test]
fn assignments() {
    assert_eq!(body("a := 3"), "(a := 3)");
    assert_eq!(body("a := b := c + 1"), "(a := (b := (c + 1)))");
    assert_eq!(body("a:=3"), "(a := 3)");
    assert_eq!(body("a:= b:=3"), "(a := (b := 3))");
    assert_eq!(body("x foo: (y := 2)"), "(x foo: (y := 2))");
}

#[test]
fn super_sends() {
    assert_eq!(body("super foo: 1"), "(super foo: 1)");
    assert_eq!(body("super + 1"), "(super + 1)");
}

#[test]
fn blocks() {
    assert_eq!(body("[]"), "[]");
    assert_eq!(body("[:a | ]"), "[:a | ]");
    assert_eq!(body("[:a :b | a + b]"), "[:a :b | (a + b)]");
    assert_eq!(body("[ :a : b| a]"), "[:a :b | a]");
    assert_eq!(body("[| t | t := 1. t]"), "[|t| (t := 1). t]");
    assert_eq!(body("[:a | | t | t]"), "[:a | |t| t]");
    assert_eq!(body("[:a || t | t]"), "[:a | |t| t]");
    assert_eq!(body("[:a ||| t]"), "[:a | t]");
    assert_eq!(body("[:a | a || b]"), "[:a | (a || b)]");
    assert_eq!(body("[:a|-1]"), "[:a | -1]");
    assert_eq!(body("[:a|a]"), "[:a | a]");
    assert_eq!(body("[ ^1 ]"), "[^1]");
    assert_eq!(body("[ [ :x | [ x ] ] ]"), "[[:x | [x]]]");
    assert_eq!(
        body("1 to: 3 do: [:i | i print]"),
        "(1 to:do: 3 [:i | (i print)])"
    );
}

#[test]
fn class_with_everything() {
    let c = class(
        "\"A class exercising all constructs\"
        Everything = Object (
            | a b |
            init = ( a := 0. b := #(1 #% 2) )
            run: n = (
                | sum |
                sum := 0.
                1 to: n do: [:i | sum := sum + i].
                (sum > 10) ifTrue: [ ^'big' ].
                ^sum
            )
            ----
            | instances |
            new = ( instances := instances + 1. ^super new init )
        )",
    );
    assert_eq!(c.name, "Everything");
    assert_eq!(code(&c.instance_methods[0]), "(a := 0). (b := #(1 #% 2))");
    assert_eq!(
        code(&c.instance_methods[1]),
        "|sum| (sum := 0). (1 to:do: n [:i | (sum := (sum + i))]). ((sum > 10) ifTrue: [^\"big\"]). ^sum"
    );
    assert_eq!(c.class_fields, ["instances"]);
}

#[test]
fn mentions_finds_a_name_anywhere_in_an_expression() {
    let source = "a foo: [ :x | x + b ]. c := 3. #e. 'f'. ^ [ | d | d ] value";
    let body = crate::parse_body(source, "t").expect("parses");
    let mentioned = |name: &str| body.statements.iter().any(|s| s.mentions(name));
    for name in ["a", "x", "b", "c", "d"] {
        assert!(mentioned(name), "{name}");
    }
    for name in ["foo:", "e", "f", "value"] {
        assert!(!mentioned(name), "{name}");
    }
}
