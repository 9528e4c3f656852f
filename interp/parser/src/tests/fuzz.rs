//! Randomised robustness: mangled versions of valid classes, parsed as classes and as bodies,
//! must give `Ok` or `Err`, never a panic, and every error must be displayable with a sane
//! position.

use crate::{parse_body, parse_class};

const SOURCES: [&str; 3] = [
    r#"
"A linked list, exercising most of the grammar"
LinkedList = Object (
    | first last size |

    init = ( size := 0 )
    isEmpty = ( ^size = 0 )
    add: element = (
        | node |
        node := Node new value: element.
        last isNil
            ifTrue: [ first := node ]
            ifFalse: [ last next: node ].
        last := node.
        size := size + 1.
        ^element
    )
    do: aBlock = ( | n | n := first. [ n notNil ] whileTrue: [ aBlock value: n value. n := n next ] )
    inject: acc into: aBlock = ( | r | r := acc. self do: [:e | r := aBlock value: r value: e]. ^r )
    , other = ( other do: [:e || t | t := e. self add: t ] )
    printOn: stream = primitive
    ----------------
    | count |
    new = ( count := count + 1. ^super new init )
)
"#,
    r"Numbers = (
    run = (
        | a b c |
        a := -4 abs + 3-1 - -1.
        b := #(1 -2 3.5 'str' #sym sym: #(nested) true false nil #at:put: #'x y').
        c := 9223372036854775808 + -9223372036854775808 * 1.5e.
        a := b := c.
        (a --> b) <= (c >>> 2) ~= (a ++++ b).
        'it''s \t\n\\' , #+ printString.
        x--1.
        ^[:p :q | p @ q % 3 // 2 \\ 1 & true | false ]
    )
)
",
    "Ünïcødé = nil ( | λ café | λ = ( ^café ) = other = ( ^self == other ) | b = ( ^b ) )",
];

/// Characters inserted at random: punctuation, operator characters, digits, letters, unicode,
/// control characters and the replacement character that lossy UTF-8 decoding produces.
const INSERTABLE: &[char] = &[
    '!', '?', ';', '{', '}', '$', '#', '\'', '"', ':', '=', '|', '-', '^', '[', ']', '(', ')', '.',
    '\\', '+', '<', '>', '~', '&', '*', '/', ',', '@', '%', '0', '9', 'a', 'Z', '_', ' ', '\n',
    '\t', '\r', '\0', 'é', 'λ', '❤', '\u{fffd}', '\u{200b}', '\u{2028}', '𝔘', '٣',
];

/// xorshift64: tiny, deterministic and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..bound` (`bound` > 0).
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// A random range within `0..len`.
    fn range(&mut self, len: usize) -> std::ops::Range<usize> {
        let start = self.below(len + 1);
        let end = start + self.below(len - start + 1).min(40);
        start..end
    }
}

fn mutate(rng: &mut Rng, text: &mut Vec<char>) {
    let len = text.len();
    match rng.below(6) {
        0 => text.truncate(rng.below(len + 1)),
        1 => {
            text.drain(rng.range(len));
        }
        2 => {
            let copied: Vec<char> = text[rng.range(len)].to_vec();
            let at = rng.below(len + 1);
            text.splice(at..at, copied);
        }
        3 => {
            let (a, b) = (rng.range(len), rng.range(len));
            let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
            if first.end <= second.start {
                let moved: Vec<char> = text[second.clone()].to_vec();
                let displaced: Vec<char> = text[first.clone()].to_vec();
                text.splice(second, displaced);
                text.splice(first, moved);
            }
        }
        _ => {
            for _ in 0..=rng.below(3) {
                let c = INSERTABLE[rng.below(INSERTABLE.len())];
                text.insert(rng.below(text.len() + 1), c);
            }
        }
    }
}

#[test]
fn valid_sources_parse() {
    for source in SOURCES {
        if let Err(error) = parse_class(source, "Fuzz.som") {
            panic!("{error}");
        }
    }
}

#[test]
fn mangled_sources_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut ok, mut errors) = (0, 0);
    for iteration in 0..10_000 {
        let mut text: Vec<char> = SOURCES[iteration % SOURCES.len()].chars().collect();
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut text);
        }
        let source: String = text.into_iter().collect();
        match parse_class(&source, "Fuzz.som") {
            Ok(_) => ok += 1,
            Err(error) => {
                errors += 1;
                assert!(
                    error.line >= 1 && error.column >= 1,
                    "{source:?}: {error:?}"
                );
                assert!(error.to_string().contains('^'));
            }
        }
        if let Err(error) = parse_body(&source, "fuzz") {
            assert!(
                error.line >= 1 && error.column >= 1,
                "{source:?}: {error:?}"
            );
        }
    }
    // Both outcomes occur, so the mutations neither destroy everything nor do nothing.
    assert!(ok > 100 && errors > 100, "{ok} parsed, {errors} rejected");
}
