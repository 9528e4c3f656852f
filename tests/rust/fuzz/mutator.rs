//! Mutated programs: the project's own `.som` files (tests/programs,
//! tests/suite, tests/parse_errors and the embedded library's sources)
//! truncated, with ranges deleted, duplicated or swapped and random
//! characters inserted.
//!
//! A mutated class runs where the original would: a program with its helper
//! classes on the class path, a suite class or a library class under the
//! project's TestHarness (the mutated file shadows the original, so a mutated
//! `Vector.som` replaces the embedded Vector).

use crate::common::{repo_root, som_files};
use crate::rng::Rng;
use crate::runner::Program;
use std::path::Path;

/// One file of the corpus and how to run a mutation of it.
pub struct Original {
    stem: String,
    source: Vec<u8>,
    home: Home,
}

#[derive(Clone, Copy, PartialEq)]
enum Home {
    /// Run as the program, with its directory on the class path.
    Program,
    /// Loaded by the suite's TestHarness in place of the original.
    Suite,
    /// Shadows the embedded library class; the suite's TestHarness runs.
    Library,
}

impl Original {
    pub fn name(&self) -> String {
        format!("{}.som", self.stem)
    }
}

/// The corpus: every `.som` file of the project's tests and library that
/// asks for no exit code besides 0 and 1.
pub fn corpus() -> Vec<Original> {
    let root = repo_root();
    let mut files = Vec::new();
    for (dir, home) in [
        ("tests/programs", Home::Program),
        ("tests/parse_errors", Home::Program),
        ("tests/suite", Home::Suite),
        ("som-lib/Smalltalk", Home::Library),
    ] {
        for path in som_files(&root.join(dir)) {
            let source = std::fs::read(&path).expect("read corpus file");
            if allowed_codes(&source).iter().all(|code| *code <= 1) {
                files.push(Original {
                    stem: stem_of(&path),
                    source,
                    home,
                });
            }
        }
    }
    files
}

/// The test classes of the suite, one of which a mutated library class runs under.
pub fn suite_tests() -> Vec<String> {
    som_files(&repo_root().join("tests/suite"))
        .iter()
        .map(|path| stem_of(path))
        .filter(|stem| stem.ends_with("Test"))
        .collect()
}

/// A mutation of `original`, ready to run.
pub fn mutated_program(rng: &mut Rng, original: &Original, tests: &[String]) -> Program {
    let root = repo_root();
    let mutated = mutate(rng, &original.source);
    let file = original.name();
    let harness =
        || std::fs::read(root.join("tests/suite/TestHarness.som")).expect("read the TestHarness");
    let own_test = format!("{}Test", original.stem);
    let test = if tests.contains(&own_test) {
        own_test
    } else if tests.contains(&original.stem) {
        original.stem.clone()
    } else {
        rng.pick(tests).clone()
    };
    let suite = root.join("tests/suite").display().to_string();
    match original.home {
        Home::Program => Program {
            arguments: vec![
                "-cp".to_string(),
                root.join("tests/programs").display().to_string(),
                file.clone(),
            ],
            files: vec![(file, mutated)],
        },
        Home::Suite | Home::Library if original.stem == "TestHarness" => Program {
            arguments: vec!["-cp".to_string(), suite, file.clone(), test],
            files: vec![(file, mutated)],
        },
        Home::Suite | Home::Library => Program {
            arguments: vec![
                "-cp".to_string(),
                suite,
                "TestHarness.som".to_string(),
                test,
            ],
            files: vec![(file, mutated), ("TestHarness.som".to_string(), harness())],
        },
    }
}

/// Exit codes a source asks for with `exit: <n>`, besides 0 and 1.
pub fn allowed_codes(source: &[u8]) -> Vec<i32> {
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

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("Fuzz")
        .to_string()
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
    "[:a :b :c | c]",
    " value: 1",
    " new",
    " class",
    " superclass",
    " fullGC",
    " ifTrue: [ ^ 3 ]",
    " printString",
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

pub fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
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
