//! Random sends: programs sending the library's primitive selectors (and a
//! few more) to receivers and arguments of every kind, most of them wrong.

use crate::rng::Rng;

/// Selectors the library implements as primitives (and a few more), with
/// their number of arguments. Left out on purpose: `exit:` (ends the program
/// with any code), `halt` (may wait for a debugger), `restart` (re-runs the
/// calling method forever), loops and `raisedTo:` (may run for ages with a
/// big receiver or argument).
const SELECTORS: &[(&str, usize)] = &[
    // Object
    ("class", 0),
    ("objectSize", 0),
    ("==", 1),
    ("=", 1),
    ("hashcode", 0),
    ("inspect", 0),
    ("asString", 0),
    ("println", 0),
    ("value", 0),
    ("respondsTo:", 1),
    ("perform:", 1),
    ("perform:withArguments:", 2),
    ("perform:inSuperclass:", 2),
    ("perform:withArguments:inSuperclass:", 3),
    ("instVarAt:", 1),
    ("instVarAt:put:", 2),
    ("instVarNamed:", 1),
    ("doesNotUnderstand:arguments:", 2),
    ("ifNil:ifNotNil:", 2),
    // Class
    ("name", 0),
    ("new", 0),
    ("superclass", 0),
    ("fields", 0),
    ("methods", 0),
    ("selectors", 0),
    ("hasMethod:", 1),
    // Integer and Double
    ("+", 1),
    ("-", 1),
    ("*", 1),
    ("/", 1),
    ("//", 1),
    ("%", 1),
    ("rem:", 1),
    ("&", 1),
    ("<<", 1),
    (">>>", 1),
    ("bitXor:", 1),
    ("sqrt", 0),
    ("atRandom", 0),
    ("<", 1),
    ("<=", 1),
    ("max:", 1),
    ("between:and:", 2),
    ("as32BitSignedValue", 0),
    ("as32BitUnsignedValue", 0),
    ("asDouble", 0),
    ("asInteger", 0),
    ("fromString:", 1),
    ("round", 0),
    ("cos", 0),
    ("sin", 0),
    ("negated", 0),
    ("abs", 0),
    ("PositiveInfinity", 0),
    // String and Symbol
    ("concatenate:", 1),
    ("asSymbol", 0),
    ("length", 0),
    ("isWhiteSpace", 0),
    ("isLetters", 0),
    ("isDigits", 0),
    ("primSubstringFrom:to:", 2),
    ("substringFrom:to:", 2),
    ("charAt:", 1),
    ("indexOf:", 1),
    ("split:", 1),
    // Array and Vector
    ("at:", 1),
    ("at:put:", 2),
    ("new:", 1),
    ("new:withAll:", 2),
    ("copyFrom:to:", 2),
    ("collect:", 1),
    ("append:", 1),
    ("remove", 0),
    ("removeFirst", 0),
    // Blocks
    ("value:", 1),
    ("value:with:", 2),
    ("whileTrue:", 1),
    // Methods
    ("signature", 0),
    ("holder", 0),
    ("invokeOn:with:", 2),
    // System
    ("global:", 1),
    ("global:put:", 2),
    ("hasGlobal:", 1),
    ("load:", 1),
    ("loadFile:", 1),
    ("printString:", 1),
    ("printNewline", 0),
    ("errorPrint:", 1),
    ("errorPrintln:", 1),
    ("printStackTrace", 0),
    ("time", 0),
    ("ticks", 0),
    ("fullGC", 0),
    ("gcStats", 0),
];

/// Expressions for values of every kind, as receivers and arguments.
const VALUES: &[&str] = &[
    "nil",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "7",
    "65",
    "281474976710655",
    "-281474976710656",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "(1 << 100) negated",
    "123456789012345678901234567890",
    "0.0",
    "-1.5",
    // a Double followed by the unary send `e`: an error inside an argument
    "1.0e",
    "(0.0 - Double PositiveInfinity)",
    "(Double PositiveInfinity - Double PositiveInfinity)",
    "''",
    "'abc'",
    "'❤ é'",
    "'123'",
    "#foo",
    "#+",
    "#at:put:",
    "#value",
    "#class",
    "#()",
    "#(1 2 3)",
    "#(#a 'b' 2.5 #(1))",
    "(Array new: 2)",
    "(Vector new)",
    "(1, 2)",
    "[ 1 ]",
    "[:x | x ]",
    "[:x :y | y ]",
    "Integer",
    "Object",
    "Array",
    "String",
    "System",
    "Vector",
    "Object class",
    "Metaclass",
    "(Object methods at: 1)",
    "(Integer methods at: 1)",
    "system",
    "Object new",
    // Classes whose instances the VM represents natively, made with `new`.
    "(Block2 new)",
    "(Block new)",
    "(Method new)",
    "(Primitive new)",
    "(String new)",
    "(Symbol new)",
    "(Integer new)",
    "(Double new)",
    "(Class new)",
    "(Metaclass new)",
    "(Array new)",
];

pub fn random_value(rng: &mut Rng) -> String {
    rng.pick(VALUES).to_string()
}

pub fn random_send(rng: &mut Rng) -> String {
    let (selector, arity) = *rng.pick(SELECTORS);
    let receiver = random_value(rng);
    if arity == 0 {
        return format!("({receiver}) {selector}");
    }
    if !selector.contains(':') {
        return format!("({receiver}) {selector} ({})", random_value(rng));
    }
    let parts: Vec<&str> = selector.split_inclusive(':').collect();
    let mut send = format!("({receiver})");
    for part in parts {
        send.push_str(&format!(" {part} ({})", random_value(rng)));
    }
    send
}

pub fn send_program(rng: &mut Rng, sends: usize) -> String {
    let mut body = String::new();
    for _ in 0..sends {
        let send = random_send(rng);
        if rng.chance(50) {
            body.push_str(&format!("        ({send}) println.\n"));
        } else {
            body.push_str(&format!("        {send}.\n"));
        }
    }
    format!("FuzzSend = (\n    run = (\n{body}        'end' println\n    )\n)\n")
}
