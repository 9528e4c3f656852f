//! String and Symbol primitives. Both kinds share one representation (immutable UTF-8 text)
//! and differ only by layout; lengths and indices count code points, 1-based.

use super::arguments::{binary, expect_string, ternary, unary};
use super::numbers::expect_int;
use super::Entry;
use crate::universe::Universe;
use crate::unwind::{Exec, Unwind};
use yerba_mop::object::{Gc, VmString};
use yerba_mop::Value;

pub static PRIMITIVES: &[Entry] = &[
    ("String", false, "concatenate:", concatenate),
    ("String", false, "asSymbol", as_symbol),
    ("String", false, "hashcode", hashcode),
    ("String", false, "length", length),
    ("String", false, "isWhiteSpace", is_white_space),
    ("String", false, "isLetters", is_letters),
    ("String", false, "isDigits", is_digits),
    ("String", false, "=", equals),
    ("String", false, "primSubstringFrom:to:", substring),
    ("Symbol", false, "asString", as_string),
];

/// A new String: the receiver's text followed by the argument's.
fn concatenate(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, argument) = binary(u, args)?;
    let a = expect_string(u, receiver)?;
    let b = expect_string(u, argument)?;
    let text = [a.as_str(), b.as_str()].concat();
    Ok(u.new_string(&text))
}

fn as_symbol(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let s = expect_string(u, receiver)?;
    Ok(u.symbol(s.as_str()))
}

/// Symbol>>asString: the text without `#`, as a new String.
fn as_string(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let s = expect_string(u, receiver)?;
    Ok(u.new_string(s.as_str()))
}

/// Content-based, so a String and a Symbol with equal text hash alike.
fn hashcode(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let s = expect_string(u, receiver)?;
    Ok(u.new_int(text_hash(s.as_str())))
}

fn length(u: &mut Universe, args: &[Value]) -> Exec {
    let receiver = unary(u, args)?;
    let s = expect_string(u, receiver)?;
    Ok(u.new_int(s.char_len() as i64))
}

fn is_white_space(u: &mut Universe, args: &[Value]) -> Exec {
    all_chars(u, args, char::is_whitespace)
}

/// Unicode letters (`'æ'` is one, `'¾'` is not).
fn is_letters(u: &mut Universe, args: &[Value]) -> Exec {
    all_chars(u, args, char::is_alphabetic)
}

fn is_digits(u: &mut Universe, args: &[Value]) -> Exec {
    all_chars(u, args, |c| c.is_ascii_digit())
}

/// Whether the text is non-empty and every character satisfies `test`.
fn all_chars(u: &mut Universe, args: &[Value], test: fn(char) -> bool) -> Exec {
    let receiver = unary(u, args)?;
    let s = expect_string(u, receiver)?;
    let text = s.as_str();
    Ok(Value::boolean(!text.is_empty() && text.chars().all(test)))
}

/// True iff the argument is a String or Symbol with the same text.
fn equals(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, argument) = binary(u, args)?;
    let a = expect_string(u, receiver)?;
    if !VmString::is_string(argument) {
        return Ok(Value::FALSE);
    }
    // SAFETY: kind checked just above.
    let b: Gc<VmString> = unsafe { Gc::from_value(argument) };
    Ok(Value::boolean(
        receiver == argument || a.as_str() == b.as_str(),
    ))
}

/// Code points `start` to `end`, 1-based and inclusive; empty when `end = start - 1`.
fn substring(u: &mut Universe, args: &[Value]) -> Exec {
    let (receiver, start, end) = ternary(u, args)?;
    let s = expect_string(u, receiver)?;
    // Indices that are not small integers are never within a string: `bad_substring` sorts
    // them out, so that the common case needs no `Int`.
    let range = match (start.as_small_int(), end.as_small_int()) {
        (Some(first), Some(last)) => char_range(first, last),
        _ => None,
    };
    match range.and_then(|(from, to)| s.char_range(from, to)) {
        Some(piece) => Ok(u.new_string(piece)),
        None => Err(bad_substring(u, start, end, s.char_len())),
    }
}

/// The 0-based, end-exclusive range of 1-based inclusive indices, if it is well-formed.
fn char_range(first: i64, last: i64) -> Option<(usize, usize)> {
    let from = usize::try_from(first.checked_sub(1)?).ok()?;
    let to = usize::try_from(last).ok()?;
    (from <= to).then_some((from, to))
}

/// The error for indices that are not Integers or not within the string.
#[cold]
fn bad_substring(u: &mut Universe, start: Value, end: Value, length: usize) -> Unwind {
    let start = match expect_int(u, start) {
        Ok(start) => start,
        Err(unwind) => return unwind,
    };
    let end = match expect_int(u, end) {
        Ok(end) => end,
        Err(unwind) => return unwind,
    };
    u.vm_error(format!(
        "Attempting to index string out of its bounds (start: {start} end: {end} length: {length})"
    ))
}

/// FNV-1a over the UTF-8 bytes, folded to a non-negative small integer.
fn text_hash(text: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash >> 16) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_ranges_are_one_based_and_inclusive() {
        assert_eq!(char_range(1, 3), Some((0, 3)));
        assert_eq!(char_range(2, 1), Some((1, 1)));
        assert_eq!(char_range(3, 1), None);
        assert_eq!(char_range(0, 1), None);
        assert_eq!(char_range(i64::MIN, 1), None);
        assert_eq!(char_range(1, -1), None);
    }

    #[test]
    fn text_hashes_are_non_negative_small_integers() {
        for text in ["", "a", "hello world", "❤"] {
            let hash = text_hash(text);
            assert!(hash >= 0 && yerba_mop::Value::small_int(hash).is_some());
        }
        assert_ne!(text_hash("ab"), text_hash("ba"));
    }
}
