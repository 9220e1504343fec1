//! The exec form: a JSON array of strings, scanned by hand because every element needs the
//! span of its literal. Decoding follows Go's encoding/json, which Docker uses: a lone
//! surrogate escape becomes U+FFFD rather than an error.

use std::ops::Range;

/// One decoded element and the range of its literal (quotes included) in the scanned text.
#[derive(Debug)]
pub(super) struct Lit {
    pub value: String,
    pub range: Range<usize>,
}

/// The elements when `text` is exactly a JSON array of strings (JSON whitespace allowed).
pub(super) fn string_array(text: &str) -> Option<Vec<Lit>> {
    let bytes = text.as_bytes();
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_ws(bytes, i + 1);
    let mut items = Vec::new();
    if bytes.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            let (value, end) = string(text, i)?;
            items.push(Lit { value, range: i..end });
            i = skip_ws(bytes, end);
            match bytes.get(i) {
                Some(b',') => i = skip_ws(bytes, i + 1),
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_ws(bytes, i) == bytes.len()).then_some(items)
}

/// True when `text` is a JSON array at all (whatever its elements).
pub(super) fn is_array(text: &str) -> bool {
    matches!(serde_json::from_str::<serde_json::Value>(text), Ok(serde_json::Value::Array(_)))
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// A string literal starting at `start`: its value and the offset just past it.
fn string(text: &str, start: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut value = String::new();
    let mut i = start + 1;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some((value, i + 1)),
            b'\\' => {
                let escaped = *bytes.get(i + 1)?;
                i += 2;
                value.push(match escaped {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let (c, next) = unicode_escape(bytes, i)?;
                        i = next;
                        c
                    }
                    _ => return None,
                });
            }
            b if b < 0x20 => return None,
            _ => {
                let run = bytes.get(i..)?;
                let len = run.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
                value.push_str(text.get(i..i + len)?);
                i += len;
            }
        }
    }
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    digits.iter().try_fold(0u32, |acc, &d| Some(acc * 16 + char::from(d).to_digit(16)?))
}

/// The character of a `\uXXXX` escape whose hex digits start at `at`, with a following low
/// surrogate escape if it completes a pair, and the offset after what was used.
fn unicode_escape(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let high = hex4(bytes, at)?;
    let after = at + 4;
    if (0xD800..0xDC00).contains(&high) {
        if bytes.get(after..after + 2) == Some(b"\\u")
            && let Some(low) = hex4(bytes, after + 2)
            && (0xDC00..0xE000).contains(&low)
        {
            let c = 0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            return Some((char::from_u32(c).unwrap_or('\u{fffd}'), after + 6));
        }
        return Some(('\u{fffd}', after));
    }
    Some((char::from_u32(high).unwrap_or('\u{fffd}'), after))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Option<Vec<String>> {
        string_array(text).map(|items| items.into_iter().map(|l| l.value).collect())
    }

    #[test]
    fn arrays_of_strings_decode_with_their_literal_ranges() {
        let items = string_array(r#"[ "a", "b c" ]"#).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].value.as_str(), items[0].range.clone()), ("a", 2..5));
        assert_eq!((items[1].value.as_str(), items[1].range.clone()), ("b c", 7..12));
        assert_eq!(values("[]"), Some(vec![]));
        assert_eq!(
            values(r#"["\"q\"", "\\", "\u00e9\n", "\ud83d\ude00", "\ud800x"]"#),
            Some(vec!["\"q\"".into(), "\\".into(), "é\n".into(), "😀".into(), "\u{fffd}x".into()])
        );
    }

    #[test]
    fn anything_else_is_not_a_string_array() {
        for text in [r#"["a""#, r#"["a",]"#, r#"["a"] x"#, "[a]", r#"["\x"]"#, "[\"\t\"]", "[1]"] {
            assert_eq!(values(text), None, "{text}");
        }
        assert!(is_array("[1, \"a\"]"));
        assert!(!is_array("[1,"));
    }
}
