//! Randomized robustness tests: whatever the input, the VM must end with exit
//! code 0 or 1 (or a code the program asked for with `exit:`), must not panic
//! and must not die by a signal.
//!
//! (a) Mutated sources: the `.som` files of `tests/` and `som-lib/Smalltalk`,
//!     truncated, with ranges deleted, duplicated or swapped and random
//!     characters inserted, each run as a program under its own file name.
//! (b) Random sends: programs sending primitive selectors of the library to
//!     receivers and arguments of every kind.
//!
//! The generator is a xorshift PRNG with a fixed seed; set `YERBA_FUZZ_SEED`
//! to explore other inputs (a failure report names the seed to reproduce it).

mod common;

use common::{fresh_temp_dir, parallel_map, repo_root, run_vm, som_files, tail};
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEFAULT_SEED: u64 = 0x5EED_F00D_7E4B_A001;
const MUTATED_CASES: usize = 300;
const SEND_CASES: usize = 300;
/// Mutated programs may loop forever legitimately; such runs are cut short.
const MUTATED_TIMEOUT: Duration = Duration::from_secs(3);
/// A few sends should never take long.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Keeps runaway allocation of mutated programs bounded.
const HEAP_LIMIT: &[&str] = &["--max-heap", "256"];

/// xorshift64: small, fast and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn seed() -> u64 {
    match std::env::var("YERBA_FUZZ_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .or_else(|_| u64::from_str_radix(text.trim().trim_start_matches("0x"), 16))
            .unwrap_or_else(|_| panic!("YERBA_FUZZ_SEED must be a number, not {text:?}")),
        Err(_) => DEFAULT_SEED,
    }
}

/// One generated input: a class file to write and run.
struct Case {
    label: String,
    stem: String,
    source: Vec<u8>,
}

/// How one case ended.
enum Verdict {
    Fine,
    /// Cut short by the time limit: generated programs may legitimately loop
    /// (a mutated loop condition, a huge number to print), so only too many
    /// of these fail the test.
    TimedOut(String),
    Failed(String),
}

/// Exit codes the source asks for with `exit: <n>`, besides 0 and 1.
fn allowed_codes(source: &[u8]) -> Vec<i32> {
    let text = String::from_utf8_lossy(source);
    let mut codes = vec![0, 1];
    for (at, _) in text.match_indices("exit:") {
        let digits: String = text[at + 5..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(code) = digits.parse::<i64>() {
            codes.push((code & 0xff) as i32);
        }
    }
    codes
}

/// Runs one case in a directory of its own.
fn run_case(case: Case, seed: u64, timeout: Duration) -> Verdict {
    let dir = fresh_temp_dir("fuzz");
    let file = format!("{}.som", case.stem);
    std::fs::write(dir.join(&file), &case.source).expect("write fuzz case");
    let mut args: Vec<&str> = HEAP_LIMIT.to_vec();
    args.push(&file);
    let outcome = run_vm(&args, &dir, timeout);
    let _ = std::fs::remove_dir_all(&dir);
    let explain = |why: &str| {
        format!(
            "=== {} (seed {seed}): {why} ===\n--- source of {file} ---\n{}\n{}",
            case.label,
            tail(&String::from_utf8_lossy(&case.source), 3000),
            outcome.describe()
        )
    };
    if let Some(crash) = outcome.crash() {
        return Verdict::Failed(explain(&crash));
    }
    if outcome.timed_out {
        return Verdict::TimedOut(case.label.clone());
    }
    match outcome.code {
        Some(code) if allowed_codes(&case.source).contains(&code) => Verdict::Fine,
        other => Verdict::Failed(explain(&format!("unexpected exit code {other:?}"))),
    }
}

/// Runs all cases in parallel and fails on any crash or too many time-outs.
fn run_all(kind: &str, cases: Vec<Case>, seed: u64, timeout: Duration) {
    let total = cases.len();
    let verdicts = parallel_map(cases, |case| run_case(case, seed, timeout));
    let mut failures = Vec::new();
    let mut timeouts = Vec::new();
    for verdict in verdicts {
        match verdict {
            Verdict::Fine => {}
            Verdict::TimedOut(label) => timeouts.push(label),
            Verdict::Failed(report) => failures.push(report),
        }
    }
    if !timeouts.is_empty() {
        eprintln!(
            "{kind}: {} of {total} cases timed out: {}",
            timeouts.len(),
            timeouts.join(", ")
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {total} {kind} cases failed (seed {seed}; reproduce with YERBA_FUZZ_SEED={seed}):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        timeouts.len() * 10 <= total,
        "{} of {total} {kind} cases timed out (seed {seed}): {}",
        timeouts.len(),
        timeouts.join(", ")
    );
}

// ---------------------------------------------------------------------------
// (a) Mutated sources
// ---------------------------------------------------------------------------

/// The files to mutate; programs that end with an exit code of their own
/// choosing are left out, as a mutation could change that code.
fn corpus() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in [
        "tests/suite",
        "tests/programs",
        "tests/parse_errors",
        "som-lib/Smalltalk",
    ] {
        let dir = root.join(dir);
        if dir.is_dir() {
            files.extend(som_files(&dir));
        }
    }
    files.retain(|path| {
        let source = std::fs::read(path).unwrap_or_default();
        allowed_codes(&source).len() == 2
    });
    files
}

/// Characters worth inserting: SOM punctuation, operators, quotes, digits,
/// letters, whitespace and a few non-ASCII and control characters.
const INSERTIONS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "^",
    ".",
    ":",
    ":=",
    "|",
    "#",
    "#(",
    "'",
    "\"",
    "-",
    "--",
    "----",
    "+",
    "*",
    "/",
    "\\",
    "=",
    "<",
    ">",
    "~",
    "&",
    "@",
    "%",
    ",",
    "!",
    "$",
    "?",
    ";",
    "{",
    "}",
    "0",
    "9",
    "1.5",
    "-7",
    "99999999999999999999999",
    "x",
    "Z",
    "self",
    "super",
    "nil",
    "primitive",
    "^self",
    "[:a | a]",
    " ",
    "\n",
    "\t",
    "\r",
    "\0",
    "é",
    "❤",
    "\u{feff}",
    "\u{7f}",
];

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut text = original.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = text.len();
        match rng.below(6) {
            0 => text.truncate(rng.below(len + 1)),
            1 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(40)).min(len);
                text.drain(start..end);
            }
            2 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(60)).min(len);
                let copy = text[start..end].to_vec();
                let at = rng.below(len + 1);
                text.splice(at..at, copy);
            }
            3 if len > 2 => {
                let a = rng.below(len / 2);
                let a_end = (a + 1 + rng.below(30)).min(len / 2);
                let b = len / 2 + rng.below(len - len / 2);
                let b_end = (b + 1 + rng.below(30)).min(len);
                let mut swapped = text[..a].to_vec();
                swapped.extend_from_slice(&text[b..b_end]);
                swapped.extend_from_slice(&text[a_end..b]);
                swapped.extend_from_slice(&text[a..a_end]);
                swapped.extend_from_slice(&text[b_end..]);
                text = swapped;
            }
            4 => {
                let at = rng.below(len + 1);
                let insert = rng.pick(INSERTIONS).as_bytes().to_vec();
                text.splice(at..at, insert);
            }
            _ => {
                let at = rng.below(len + 1);
                let byte = rng.below(256) as u8;
                text.insert(at, byte);
            }
        }
    }
    text
}

#[test]
fn mutated_sources_never_crash_the_vm() {
    let seed = seed();
    let mut rng = Rng::new(seed);
    let files = corpus();
    assert!(!files.is_empty(), "no .som files to mutate");
    let sources: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| (stem_of(p), std::fs::read(p).expect("read corpus file")))
        .collect();
    let cases: Vec<Case> = (0..MUTATED_CASES)
        .map(|i| {
            let (stem, source) = rng.pick(&sources);
            Case {
                label: format!("mutation {i} of {stem}.som"),
                stem: stem.clone(),
                source: mutate(&mut rng, source),
            }
        })
        .collect();
    run_all("mutated source", cases, seed, MUTATED_TIMEOUT);
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("Fuzz")
        .to_string()
}

// ---------------------------------------------------------------------------
// (b) Random sends of primitive selectors
// ---------------------------------------------------------------------------

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
];

fn random_value(rng: &mut Rng) -> String {
    rng.pick(VALUES).to_string()
}

fn random_send(rng: &mut Rng) -> String {
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

fn send_program(rng: &mut Rng, sends: usize) -> String {
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

#[test]
fn random_sends_never_crash_the_vm() {
    let seed = seed();
    let mut rng = Rng::new(seed ^ 0x9E37_79B9_7F4A_7C15);
    let cases: Vec<Case> = (0..SEND_CASES)
        .map(|i| {
            let sends = if i % 2 == 0 { 1 } else { 2 + rng.below(8) };
            Case {
                label: format!("send program {i}"),
                stem: "FuzzSend".to_string(),
                source: send_program(&mut rng, sends).into_bytes(),
            }
        })
        .collect();
    run_all("random send", cases, seed, SEND_TIMEOUT);
}

#[test]
fn the_generators_are_deterministic() {
    let mut a = Rng::new(42);
    let mut b = Rng::new(42);
    assert_eq!(send_program(&mut a, 5), send_program(&mut b, 5));
    assert_eq!(
        mutate(&mut a, b"Foo = ( run = ( 1 println ) )"),
        mutate(&mut b, b"Foo = ( run = ( 1 println ) )")
    );
}
