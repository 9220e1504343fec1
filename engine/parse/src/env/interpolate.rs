//! Values as Compose reads them: escapes inside double quotes, `$$` for a literal `$`, and
//! `$NAME` / `${NAME...}` references. References are recorded and left in the value as
//! written: they are filled in from the environment where compose runs, which a scanner does
//! not know, and a guess would be worse than saying so.
//!
//! One pass with an explicit stack of open `${`, so that deeply nested or unterminated
//! references cost linear time and no recursion.

use std::ops::Range;

use rampart_model::{DocumentBuilder, NodeId, Span};

use super::shown;

/// One `$NAME` or `${NAME...}` in a value; ranges are file offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reference {
    pub span: Range<usize>,
    pub name: Range<usize>,
    /// The modifier and the text after it (`word` in `${NAME:-word}`), up to the closing `}`.
    pub modifier: Option<(Modifier, Range<usize>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Modifier {
    /// `:-` and `-`: used when the variable is unset (with `:`, also when it is empty).
    Default,
    /// `:?` and `?`: compose refuses to start, with this message.
    Error,
    /// `:+` and `+`: used instead of the value when the variable is set.
    Alternative,
}

impl Modifier {
    /// The field of the reference map that holds the modifier's text.
    pub(crate) fn field(self) -> &'static str {
        match self {
            Modifier::Default => "default",
            Modifier::Error => "error",
            Modifier::Alternative => "alternative",
        }
    }

    fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            b'-' => Some(Modifier::Default),
            b'?' => Some(Modifier::Error),
            b'+' => Some(Modifier::Alternative),
            _ => None,
        }
    }
}

/// A malformed reference, with its file range.
#[derive(Debug)]
pub(crate) struct Error {
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug)]
pub(crate) struct Decoded {
    /// The value after escapes and `$$`, references as written.
    pub text: String,
    /// In the order of their `$` (an enclosing reference before the ones in its modifier).
    pub references: Vec<Reference>,
}

/// Decodes the raw value `range` of `text`: the inside of the quotes for a double-quoted
/// value, the value as written for an unquoted one.
pub(crate) fn interpolate(text: &str, range: Range<usize>, double: bool) -> Result<Decoded, Error> {
    Scanner { text, end: range.end.min(text.len()), double, find: true }.run(range.start)
}

/// Only the escapes and `$$`, for the text of a modifier (its references are already known;
/// they stay as written).
pub(crate) fn unescape(text: &str, range: Range<usize>, double: bool) -> String {
    let scanner = Scanner { text, end: range.end.min(text.len()), double, find: false };
    // Without `find` nothing can fail; an empty string would only hide a bug, never input.
    scanner.run(range.start).map(|d| d.text).unwrap_or_default()
}

fn is_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_name(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// A `${NAME<modifier>` whose `}` has not been seen yet.
struct Open {
    /// Its place in the reference list, reserved when it opened.
    slot: usize,
    start: usize,
    name: Range<usize>,
    modifier: Modifier,
    word: usize,
}

struct Scanner<'a> {
    text: &'a str,
    end: usize,
    double: bool,
    find: bool,
}

impl Scanner<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        if i < self.end { self.text.as_bytes().get(i).copied() } else { None }
    }

    fn name_end(&self, from: usize) -> usize {
        if !self.at(from).is_some_and(is_name_start) {
            return from;
        }
        let mut i = from + 1;
        while self.at(i).is_some_and(is_name) {
            i += 1;
        }
        i
    }

    /// The end of the character at `i` (for error spans that include it).
    fn char_end(&self, i: usize) -> usize {
        i + self.text.get(i..self.end).and_then(|s| s.chars().next()).map_or(0, char::len_utf8)
    }

    fn error(&self, span: Range<usize>, what: &str) -> Error {
        let written = self.text.get(span.clone()).unwrap_or("");
        Error { message: format!("invalid reference `{}`: {what}", shown(written)), span }
    }

    fn run(&self, start: usize) -> Result<Decoded, Error> {
        let mut out = String::with_capacity(self.end.saturating_sub(start));
        // Text is copied in runs between the bytes that change it; every run starts and ends
        // next to an ASCII byte, so on a char boundary.
        let mut copied = start;
        let flush = |out: &mut String, from: usize, to: usize| {
            out.push_str(self.text.get(from..to).unwrap_or(""));
        };
        let mut slots: Vec<Option<Reference>> = Vec::new();
        let mut open: Vec<Open> = Vec::new();
        let mut i = start;
        while let Some(byte) = self.at(i) {
            match byte {
                b'\\' if self.double => {
                    let decoded = match self.at(i + 1) {
                        Some(b'n') => Some('\n'),
                        Some(b'r') => Some('\r'),
                        Some(b't') => Some('\t'),
                        Some(b'\\') => Some('\\'),
                        Some(b'"') => Some('"'),
                        Some(b'$') => Some('$'),
                        _ => None,
                    };
                    if let Some(c) = decoded {
                        flush(&mut out, copied, i);
                        out.push(c);
                        i += 2;
                        copied = i;
                    } else {
                        // Other escapes are kept as written, as Compose does.
                        i += 1;
                    }
                }
                // A line break inside double quotes is a line break of the file, not content:
                // CRLF files give the same value as LF ones.
                b'\r' if self.double && self.at(i + 1) == Some(b'\n') => {
                    flush(&mut out, copied, i);
                    i += 1;
                    copied = i;
                }
                b'$' => match self.at(i + 1) {
                    Some(b'$') => {
                        flush(&mut out, copied, i + 1);
                        i += 2;
                        copied = i;
                    }
                    Some(next) if self.find && is_name_start(next) => {
                        let name_end = self.name_end(i + 1);
                        slots.push(Some(Reference {
                            span: i..name_end,
                            name: i + 1..name_end,
                            modifier: None,
                        }));
                        i = name_end;
                    }
                    Some(b'{') if self.find => {
                        let name_start = i + 2;
                        let name_end = self.name_end(name_start);
                        let Some(after) = self.at(name_end) else {
                            return Err(unterminated(i..self.end));
                        };
                        if name_end == name_start {
                            let span = i..self.char_end(name_start);
                            return Err(self.error(span, "expected a variable name after `${`"));
                        }
                        if after == b'}' {
                            let span = i..name_end + 1;
                            slots.push(Some(Reference { span, name: name_start..name_end, modifier: None }));
                            i = name_end + 1;
                            continue;
                        }
                        let op = if after == b':' { name_end + 1 } else { name_end };
                        let Some(modifier) = self.at(op).and_then(Modifier::from_byte) else {
                            if self.at(op).is_none() {
                                return Err(unterminated(i..self.end));
                            }
                            return Err(self.error(
                                i..self.char_end(op),
                                "expected `}` or a modifier (`:-`, `-`, `:?`, `?`, `:+` or `+`) after the name",
                            ));
                        };
                        open.push(Open {
                            slot: slots.len(),
                            start: i,
                            name: name_start..name_end,
                            modifier,
                            word: op + 1,
                        });
                        slots.push(None);
                        i = op + 1;
                    }
                    // `$` before anything else (`$5`, `$ `, a trailing `$`) is a literal `$`.
                    _ => i += 1,
                },
                b'}' if !open.is_empty() => {
                    if let Some(o) = open.pop()
                        && let Some(slot) = slots.get_mut(o.slot)
                    {
                        let modifier = Some((o.modifier, o.word..i));
                        *slot = Some(Reference { span: o.start..i + 1, name: o.name, modifier });
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        if let Some(outermost) = open.first() {
            return Err(unterminated(outermost.start..self.end));
        }
        flush(&mut out, copied, self.end);
        Ok(Decoded { text: out, references: slots.into_iter().flatten().collect() })
    }
}

fn unterminated(span: Range<usize>) -> Error {
    Error { span, message: "unterminated reference: no `}` closes this `${`".into() }
}
/// What an over-budget reference field holds instead of its text.
pub(crate) const OVER_BUDGET: &str = "not recorded: nested references exceed the text budget";

/// Bytes of reference text a file may record: nested references repeat the text of the ones
/// inside them, so `${A:-${A:-...}}` would otherwise be recorded in the square of its size.
pub(crate) struct TextBudget(usize);

impl TextBudget {
    pub(crate) fn for_text(text: &str) -> Self {
        Self(text.len().saturating_mul(2).saturating_add(1 << 20))
    }

    /// Takes `len` bytes from the budget; false (and nothing taken) when they are not there.
    pub(crate) fn charge(&mut self, len: usize) -> bool {
        match self.0.checked_sub(len) {
            Some(left) => {
                self.0 = left;
                true
            }
            None => false,
        }
    }
}

/// A reference as the document records it (env files and Compose share the shape).
pub(crate) struct Recorded {
    /// The whole `${...}` text.
    pub(crate) span: Span,
    pub(crate) name: String,
    pub(crate) name_span: Span,
    /// The modifier's field (`default`, `error`, `alternative`), its decoded text (`None`
    /// when over budget) and its span.
    pub(crate) modifier: Option<(&'static str, Option<String>, Span)>,
    /// The reference as written (`None` when over budget).
    pub(crate) form: Option<String>,
}

/// Writes `references` as the list `key` of `parent`; nothing when there are none.
pub(crate) fn write_references(b: &mut DocumentBuilder, parent: NodeId, key: &str, references: &[Recorded]) {
    let Some(first) = references.first() else {
        return;
    };
    // An enclosing reference comes first and ends after the ones nested in it.
    let span = references.iter().fold(first.span, |all, r| all.to(r.span));
    let list = b.list(parent, key, span);
    for r in references {
        let m = b.map(list, "", r.span);
        b.string(m, "name", &r.name, r.name_span);
        if let Some((field, word, span)) = &r.modifier {
            match word {
                Some(word) => b.string(m, field, word, *span),
                None => b.unknown(m, field, OVER_BUDGET, *span),
            };
        }
        match &r.form {
            Some(form) => b.string(m, "form", form, r.span),
            None => b.unknown(m, "form", OVER_BUDGET, r.span),
        };
    }
}
