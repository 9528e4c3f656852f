//! Every kind of error, where it is reported, and how it is displayed.

use super::{body, body_error, class_error};
use crate::{parse_body, parse_class};

/// Asserts that `error` is at `line`:`column` and its message contains `fragment`.
fn assert_error(error: &crate::ParseError, line: u32, column: u32, fragment: &str) {
    assert_eq!((error.line, error.column), (line, column), "{error}");
    assert!(
        error.message.contains(fragment),
        "{:?} lacks {fragment:?}",
        error.message
    );
}

#[test]
fn display_shows_file_position_line_and_caret() {
    let error = class_error("Foo = (\n  bar = (\n  x := ) 3.\n  )\n)");
    assert_eq!(error.file, "Test.som");
    assert_eq!(error.source_line, "  x := ) 3.");
    assert_eq!(
        error.to_string(),
        "Parse error in Test.som, line 3, column 8: unexpected ')', expected an expression\n  \
         \x20 x := ) 3.\n  \x20      ^"
    );
}

#[test]
fn display_keeps_tabs_before_the_caret() {
    let error = body_error("\tx\t)");
    assert_eq!(error.to_string().lines().last(), Some("  \t \t^"));
}

#[test]
fn display_at_end_of_input() {
    let error = body_error("x foo:\n");
    assert_eq!((error.line, error.column), (2, 1));
    assert_eq!(error.source_line, "");
    assert!(error.to_string().ends_with("\n  \n  ^"));
}

#[test]
fn long_tokens_are_shortened_in_messages() {
    let error = class_error(&format!("Foo = ( bar = {} )", "z".repeat(1000)));
    assert!(error
        .message
        .contains(&format!("identifier '{}...'", "z".repeat(40))));
    let error = class_error(&format!("Foo = ( bar = {} )", "9".repeat(1000)));
    assert!(error
        .message
        .contains(&format!("number {}...,", "9".repeat(40))));
    assert!(error.message.len() < 120, "{}", error.message);
}

#[test]
fn byte_order_mark_is_ignored() {
    let error = class_error("\u{feff}Foo = ( ! )");
    assert_eq!((error.line, error.column), (1, 9));
    assert_eq!(error.source_line, "Foo = ( ! )");
    assert!(parse_class("\u{feff}Foo = ()", "Foo.som").is_ok());
}

#[test]
fn lexical_errors() {
    assert_error(&body_error("x := 'abc"), 1, 6, "unterminated string");
    assert_error(&body_error("x := 'abc\\"), 1, 6, "unterminated string");
    assert_error(&body_error("x \"abc"), 1, 3, "unterminated comment");
    assert_error(
        &body_error("'ab\\acd'"),
        1,
        4,
        "Unknown escape sequence '\\a'",
    );
    assert_error(
        &body_error("#'x\\q'"),
        1,
        4,
        "Unknown escape sequence '\\q'",
    );
    assert_error(&body_error("x ! y"), 1, 3, "unexpected character '!'");
    assert_error(&body_error("x ? y"), 1, 3, "unexpected character '?'");
    assert_error(&body_error("x foo; bar"), 1, 6, "no cascades");
    assert_error(&body_error("{1. 2}"), 1, 1, "unexpected character '{'");
    assert_error(&body_error("x $a"), 1, 3, "unexpected character '$'");
    assert_error(
        &body_error("x \u{fffd}"),
        1,
        3,
        "unexpected character '\u{fffd}'",
    );
    assert_error(&body_error("x \u{0}"), 1, 3, "unexpected character '\\0'");
    assert_error(&body_error("# foo"), 1, 1, "after '#'");
    assert_error(&body_error("#1"), 1, 1, "after '#'");
    assert_error(&body_error("x _y"), 1, 3, "unexpected character '_'");
}

#[test]
fn the_first_error_in_the_file_wins() {
    assert_error(&body_error("x := ). 'unterminated"), 1, 6, "unexpected ')'");
    assert_error(
        &body_error("x := 3 'unterminated"),
        1,
        8,
        "unterminated string",
    );
}

#[test]
fn grammar_errors() {
    assert_error(&body_error("x := )"), 1, 6, "expected an expression");
    assert_error(&body_error("a b: c d: )"), 1, 11, "expected an expression");
    assert_error(
        &body_error("a + "),
        1,
        5,
        "unexpected end of input, expected an expression",
    );
    assert_error(&body_error("a b c := 3"), 1, 7, "unexpected ':='");
    assert_error(&body_error("a. . b"), 1, 4, "unexpected '.'");
    assert_error(
        &body_error("x y: z ]"),
        1,
        8,
        "expected '.' or end of input",
    );
    assert_error(&body_error("(a"), 1, 3, "expected ')'");
    assert_error(&body_error("[a"), 1, 3, "expected '.' or ']'");
    assert_error(&body_error("[:a]"), 1, 4, "'|' after the block parameters");
    assert_error(&body_error("[: | a]"), 1, 4, "block parameter name");
    assert_error(
        &body_error("[:a || b]"),
        1,
        9,
        "expected a local variable name or '|'",
    );
    assert_error(&body_error("| a b"), 1, 6, "a local variable name or '|'");
    assert_error(&body_error("x ---- y"), 1, 3, "separator '----'");
    assert_error(&body_error("x : y"), 1, 3, "unexpected ':'");
    assert_error(&body_error("#(1 ]"), 1, 5, "a literal array element or ')'");
    assert_error(
        &body_error("#(1 (2))"),
        1,
        5,
        "a literal array element or ')'",
    );
}

#[test]
fn return_must_be_the_last_statement() {
    assert_error(&body_error("^1. 2"), 1, 5, "'^' statement must be the last");
    assert_error(
        &body_error("[^1 2]"),
        1,
        5,
        "'^' statement must be the last",
    );
    assert_error(
        &body_error("^1. ^2"),
        1,
        5,
        "'^' statement must be the last",
    );
    assert_eq!(body("[^1.]"), "[^1]");
}

#[test]
fn class_structure_errors() {
    assert_error(&class_error(""), 1, 1, "expected a class name");
    assert_error(&class_error("Foo"), 1, 4, "'=' after the class name");
    assert_error(
        &class_error("Foo = Bar"),
        1,
        10,
        "'(' to start the class body",
    );
    assert_error(&class_error("Foo = ( | a "), 1, 13, "a field name or '|'");
    assert_error(
        &class_error("Foo = ( bar )"),
        1,
        13,
        "'=' after the method pattern",
    );
    assert_error(
        &class_error("Foo = ( bar = baz )"),
        1,
        15,
        "'(' or 'primitive'",
    );
    assert_error(&class_error("Foo = ( + = ( ) )"), 1, 11, "a parameter name");
    assert_error(
        &class_error("Foo = ( at: = ( ) )"),
        1,
        13,
        "a parameter name",
    );
    assert_error(
        &class_error("Foo = ( bar = ( )"),
        1,
        18,
        "a method definition, '----' or ')'",
    );
    assert_error(
        &class_error("Foo = ( ---- ---- )"),
        1,
        14,
        "only one '----'",
    );
    assert_error(
        &class_error("Foo = ( ) Bar"),
        1,
        11,
        "end of input after the class",
    );
    assert_error(&class_error("Foo = ( ^1 )"), 1, 9, "a method definition");
    assert_error(
        &class_error("Foo = ( a = ( ^1 ) b = ( )"),
        1,
        27,
        "expected a method",
    );
}

#[test]
fn duplicate_names() {
    assert_error(
        &class_error("Foo = ( m: a m: a = ( ) )"),
        1,
        17,
        "Variable 'a' shadows another",
    );
    assert_error(
        &class_error("Foo = ( + a = ( | a b a | ) )"),
        1,
        23,
        "Variable 'a' shadows another",
    );
    assert_error(
        &body_error("[:x :y :x | ]"),
        1,
        9,
        "Variable 'x' shadows another",
    );
    assert_error(
        &class_error("Foo = ( | a b a | )"),
        1,
        15,
        "Field 'a' has already been defined in this class.",
    );
    assert_error(
        &class_error("Foo = ( ---- | c c | )"),
        1,
        18,
        "Field 'c' has already been defined",
    );
    // Different lists may reuse names: parameters and locals shadow outer names.
    assert!(parse_class("Foo = ( | a | ---- | a | m: a = ( [:a | | a | a ] ) )", "F").is_ok());
}

#[test]
fn reserved_names() {
    for name in ["self", "super", "nil", "true", "false"] {
        assert_error(
            &body_error(&format!("{name} := 1")),
            1,
            1,
            &format!("cannot assign to '{name}'"),
        );
        assert_error(
            &body_error(&format!("x := {name} := 1")),
            1,
            6,
            "cannot assign",
        );
        assert_error(&body_error(&format!("| {name} |")), 1, 3, "reserved");
        assert_error(&body_error(&format!("[:{name} | ]")), 1, 3, "reserved");
        assert_error(
            &class_error(&format!("Foo = ( | {name} | )")),
            1,
            11,
            "reserved",
        );
        assert_error(
            &class_error(&format!("Foo = ( m: {name} = ( ) )")),
            1,
            12,
            "reserved",
        );
    }
    assert!(parse_body("selfish := nilly := 1", "t").is_ok());
}

#[test]
fn nesting_is_limited_but_reasonable_depths_parse() {
    for (open, close) in [("(", ")"), ("[", "]"), ("#(", ")"), ("a := ", "")] {
        let fine = format!("{}1{}", open.repeat(200), close.repeat(200));
        assert!(parse_body(&fine, "t").is_ok(), "{open} 200 deep");
        for depth in [1001, 100_000] {
            let deep = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let error = body_error(&deep);
            assert!(
                error.message.contains("nested too deeply"),
                "{open} {depth}: {error}"
            );
        }
    }
    let unclosed = "[".repeat(100_000);
    assert!(body_error(&unclosed).message.contains("nested too deeply"));
}

#[test]
fn nesting_limit_is_exactly_max_depth_when_stack_allows() {
    // A thread with plenty of stack, so that only the level count limits nesting.
    let run = || {
        let at_limit = format!("{}1{}", "#(".repeat(999), ")".repeat(999));
        let over = format!("{}1{}", "#(".repeat(1000), ")".repeat(1000));
        (
            parse_body(&at_limit, "t").is_ok(),
            parse_body(&over, "t").map_err(|e| e.column),
        )
    };
    let outcome = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(run)
        .map(std::thread::JoinHandle::join);
    assert!(matches!(outcome, Ok(Ok((true, Err(1999))))), "{outcome:?}");
}

#[test]
fn a_single_method_is_all_parse_method_takes() {
    let method = crate::parse_method("at: i put: v = (\n  ^ v )", "M").expect("one method");
    assert_eq!(
        (method.selector.as_str(), method.params.len()),
        ("at:put:", 2)
    );
    let cases = [
        ("foo = ( ^ 1 ) bar = ( ^ 2 )", 1, 15, "second method"),
        ("foo = ( ^ 1 )\n----\nbar = ( ^ 2 )", 2, 1, "class side"),
        ("| a | foo = ( ^ a )", 1, 1, "fields"),
        ("----", 1, 1, "class side"),
        ("Foo = Bar ( baz = ( ^ 1 ) )", 1, 1, "class Foo"),
        ("foo = ( ^ 1 ) )", 1, 15, "end of input"),
        ("", 1, 1, "a method definition"),
        ("foo = (\n  ^ 1 +\n)", 3, 1, "an expression"),
    ];
    for (source, line, column, fragment) in cases {
        let error = crate::parse_method(source, "M").expect_err(source);
        assert_error(&error, line, column, fragment);
    }
}

#[test]
fn long_chains_of_sends_are_limited_in_height() {
    let chain = |links: usize| format!("x{}", " + 1".repeat(links));
    assert!(parse_body(&chain(1990), "T").is_ok());
    assert!(parse_body(&format!("{}. ^ y", chain(1990)), "T").is_ok());
    let error = body_error(&chain(1_000_000));
    assert_error(&error, 1, 7999, "nested too deeply");
    let error = body_error(&format!("x{}", " abs".repeat(3000)));
    assert_error(&error, 1, 7999, "nested too deeply");
}

#[test]
fn a_long_line_is_quoted_around_the_column() {
    let error = body_error(&format!("{}x ]{}", "(".repeat(500), ")".repeat(500)));
    let text = error.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].len() < 100, "{text}");
    assert!(
        lines[1].starts_with("  ...(") && lines[1].ends_with("..."),
        "{text}"
    );
    let caret = lines[2].len() - 1;
    assert_eq!(&lines[1][caret..caret + 1], "]", "{text}");
}
