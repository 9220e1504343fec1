//! JSON with positions: a JSON text read into [`Value`]s whose `at` spans point into the file
//! it was written in, so a JSON policy or container definition inside a heredoc is as
//! navigable, and as exactly located, as HCL.

use super::value::{At, Value, ValueKind};
use rampart_model::Span;

/// Deeper JSON is an error: no hand-written policy comes close, and recursion stays bounded.
const MAX_DEPTH: usize = 64;

/// Reads `text`, a complete JSON document written at byte `base` of document file `file`.
/// An error: the byte offset in `text` and what is wrong there.
pub(crate) type Error = (usize, String);

/// A JSON error as a parse error of the file it is in.
pub(crate) fn parse_error(text: &str, (offset, message): Error) -> crate::ParseError {
    crate::ParseError::new(Span::char_at(text, offset), format!("invalid JSON: {message}"))
}

pub(crate) fn parse(text: &str, file: u32, base: u32) -> Result<Value, Error> {
    let mut reader = Reader { text: text.as_bytes(), pos: 0, file, base };
    reader.skip_space();
    let value = reader.value(0)?;
    reader.skip_space();
    if reader.pos < reader.text.len() {
        return Err((reader.pos, "unexpected text after the JSON value".to_owned()));
    }
    Ok(value)
}

struct Reader<'t> {
    text: &'t [u8],
    pos: usize,
    file: u32,
    base: u32,
}

impl Reader<'_> {
    fn span(&self, start: usize) -> Span {
        Span::new(self.base + start as u32, self.base + self.pos as u32)
    }

    fn at(&self, start: usize) -> At {
        At { file: self.file, span: self.span(start), key_span: None }
    }

    fn skip_space(&mut self) {
        while self.text.get(self.pos).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), Error> {
        if self.text.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err((self.pos, format!("expected `{}`", byte as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        if depth > MAX_DEPTH {
            return Err((self.pos, "the JSON is nested too deeply".to_owned()));
        }
        let start = self.pos;
        let kind = match self.text.get(self.pos) {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => ValueKind::String(self.string()?),
            Some(b't') => self.word("true", ValueKind::Bool(true))?,
            Some(b'f') => self.word("false", ValueKind::Bool(false))?,
            Some(b'n') => self.word("null", ValueKind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err((self.pos, "unexpected character".to_owned())),
            None => return Err((self.pos, "the JSON ends too early".to_owned())),
        };
        let mut value = Value::new(kind);
        value.at = Some(self.at(start));
        Ok(value)
    }

    fn word(&mut self, word: &str, kind: ValueKind) -> Result<ValueKind, Error> {
        if self.text.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err((self.pos, "unexpected character".to_owned()))
        }
    }

    fn number(&mut self) -> Result<ValueKind, Error> {
        let start = self.pos;
        while self
            .text
            .get(self.pos)
            .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("");
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() && !text.starts_with('+') && !text.ends_with('.') => {
                Ok(ValueKind::Number(n))
            }
            _ => Err((start, "invalid number".to_owned())),
        }
    }

    fn string(&mut self) -> Result<String, Error> {
        let start = self.pos;
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            match self.text.get(self.pos) {
                None => return Err((start, "unterminated string".to_owned())),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    let escaped = self.text.get(self.pos + 1).copied();
                    self.pos += 2;
                    match escaped {
                        Some(b'"') => out.push(b'"'),
                        Some(b'\\') => out.push(b'\\'),
                        Some(b'/') => out.push(b'/'),
                        Some(b'b') => out.push(8),
                        Some(b'f') => out.push(12),
                        Some(b'n') => out.push(b'\n'),
                        Some(b'r') => out.push(b'\r'),
                        Some(b't') => out.push(b'\t'),
                        Some(b'u') => {
                            let c = self.unicode_escape()?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        _ => return Err((self.pos - 2, "invalid escape".to_owned())),
                    }
                }
                Some(&b) if b < 0x20 => {
                    return Err((self.pos, "control character in a string".to_owned()));
                }
                Some(&b) => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
        // The input is a &str and escapes produce whole characters: the bytes are UTF-8.
        String::from_utf8(out).map_err(|_| (start, "invalid UTF-8 in the string".to_owned()))
    }

    /// The four hex digits after `\u` (and a low surrogate escape after a high one).
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.text.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Err((self.pos, "unpaired surrogate escape".to_owned()));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err((self.pos, "unpaired surrogate escape".to_owned()));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| (self.pos, "invalid \\u escape".to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let digits = self.text.get(self.pos..self.pos + 4).and_then(|d| std::str::from_utf8(d).ok());
        let code = digits.and_then(|d| u32::from_str_radix(d, 16).ok());
        self.pos += 4;
        code.ok_or_else(|| (self.pos - 4, "invalid \\u escape".to_owned()))
    }

    fn array(&mut self, depth: usize) -> Result<ValueKind, Error> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_space();
        if self.text.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(ValueKind::List(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.text.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(ValueKind::List(items));
                }
                _ => return Err((self.pos, "expected `,` or `]`".to_owned())),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<ValueKind, Error> {
        self.expect(b'{')?;
        let mut entries: Vec<(String, Value)> = Vec::new();
        self.skip_space();
        if self.text.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(ValueKind::Object(entries));
        }
        loop {
            self.skip_space();
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = self.span(key_start);
            self.skip_space();
            self.expect(b':')?;
            self.skip_space();
            let mut value = self.value(depth + 1)?;
            if let Some(at) = &mut value.at {
                at.key_span = Some(key_span);
            }
            // As Terraform's jsondecode: a later duplicate key wins.
            super::eval::insert(&mut entries, key, value);
            self.skip_space();
            match self.text.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(ValueKind::Object(entries));
                }
                _ => return Err((self.pos, "expected `,` or `}`".to_owned())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, value: &Value) -> String {
        let span = value.at.map(|a| a.span).unwrap_or_default();
        text[(span.start - 10) as usize..(span.end - 10) as usize].to_owned()
    }

    #[test]
    fn values_keep_their_spans_and_keys_theirs() {
        let text = r#" [{"user": "root", "n": -1.5e2, "ok": true, "esc": "a\"\u00e9\ud83d\ude00"}, null] "#;
        let value = parse(text, 3, 10).expect("valid JSON");
        let ValueKind::List(items) = &value.kind else { panic!("a list") };
        assert_eq!(value.at.map(|a| a.file), Some(3));
        let first = &items[0];
        let user = first.get("user").expect("user");
        assert_eq!((user.as_str(), slice(text, user).as_str()), (Some("root"), "\"root\""));
        let key = user.at.and_then(|a| a.key_span).expect("key span");
        assert_eq!(&text[(key.start - 10) as usize..(key.end - 10) as usize], "\"user\"");
        assert!(
            matches!(first.get("n").map(|v| &v.kind), Some(ValueKind::Number(n)) if (*n + 150.0).abs() < 1e-9)
        );
        assert_eq!(first.get("esc").and_then(Value::as_str), Some("a\"é😀"));
        assert!(matches!(items[1].kind, ValueKind::Null));
    }

    #[test]
    fn malformed_json_is_an_error_not_a_panic() {
        for bad in [
            "",
            "[",
            "{\"a\" 1}",
            "[1,]",
            "\"\\u12\"",
            "\"\\ud800\"",
            "01x",
            "+1",
            "[1] 2",
            "{1: 2}",
            "\"\u{1}\"",
        ] {
            assert!(parse(bad, 0, 0).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(10_000);
        assert_eq!(parse(&deep, 0, 0).err().map(|e| e.1).as_deref(), Some("the JSON is nested too deeply"));
    }
}
