//! The env-file parser: `.env` files and Compose `env_file`s, read as Docker Compose and
//! dotenv read them.
//!
//! Two steps: the lines are read into entries (`[export] KEY=VALUE` or a bare `KEY`; a
//! double-quoted value may run over several lines), each value decoded by [`interpolate`],
//! which also finds its references; then the entries are written as the document described in
//! docs/document-model.md ("Env files"). Nothing is substituted: the environment a reference
//! names is not known when scanning.

pub(crate) mod interpolate;

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use rampart_model::{Document, DocumentBuilder, Format, NodeId, NodeKind, SourceFile, Span};

use crate::ParseError;
use interpolate::{Decoded, Recorded, Reference, TextBudget};

/// Parses an env file into the shape documented in docs/document-model.md.
pub fn parse(file: Arc<SourceFile>) -> Result<Document, ParseError> {
    let text = Arc::clone(&file.text);
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let entries = read(&text, start)?;
    let template = is_template_name(file_name(&file.path));
    let mut emitter = Emitter {
        b: DocumentBuilder::new(Format::Env, file, span(start..text.len())),
        text: &text,
        budget: TextBudget::for_text(&text),
    };
    emitter.document(start, template, &entries);
    Ok(emitter.b.finish())
}

/// Words that, as the last part of an env file's name (`.env.example`, `prod.env.sample`,
/// `.env-dist`) or the part before a final `env` (`example.env`), make it a template:
/// placeholders for people to copy, not values anything runs with.
const TEMPLATE_WORDS: [&str; 6] = ["example", "sample", "template", "tmpl", "tpl", "dist"];

/// True when an env file's name says it is an example or template, case-insensitively:
/// `.env.example`, `.env.sample`, `.env.template`, `.env.dist`, `prod.env.example`,
/// `.env.local.example`, `.env-example`, `env.tpl`, `example.env`.
pub fn is_template_name(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(['.', '-', '_']).filter(|w| !w.is_empty()).collect();
    match words.as_slice() {
        [before @ .., last] if TEMPLATE_WORDS.contains(last) => before.contains(&"env"),
        [.., word, "env"] => TEMPLATE_WORDS.contains(word),
        _ => false,
    }
}

/// The last component of a path, with either separator (paths are as the user typed them).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn span(range: Range<usize>) -> Span {
    Span::new(range.start as u32, range.end as u32)
}

fn error(range: Range<usize>, message: impl Into<String>) -> ParseError {
    ParseError::new(span(range), message)
}

/// Input text quoted in a message, cut short: a key or a reference can be megabytes long.
fn shown(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or("")),
        None => text.to_owned(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

impl Quote {
    fn name(self) -> &'static str {
        match self {
            Quote::None => "none",
            Quote::Single => "single",
            Quote::Double => "double",
        }
    }
}

#[derive(Debug)]
enum Value {
    /// A bare `KEY`: Compose takes the value from its own environment.
    Inherited,
    Assigned {
        /// As written, quotes included.
        raw: Range<usize>,
        quote: Quote,
        decoded: Decoded,
    },
}

#[derive(Debug)]
struct Entry {
    /// From `export` (or the key) to the end of the value, the comment excluded.
    span: Range<usize>,
    export: Option<Range<usize>>,
    key: Range<usize>,
    value: Value,
}

/// Spaces as Compose's parser counts them; line breaks end statements instead.
fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c')
}

fn is_key(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-')
}

fn is_key_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

/// Reads the statements of the file, in order.
fn read(text: &str, start: usize) -> Result<Vec<Entry>, ParseError> {
    let lines = Lines { text, bytes: text.as_bytes() };
    let mut entries = Vec::new();
    let mut pos = start;
    while pos < text.len() {
        let (eol, end) = lines.line(pos);
        let first = lines.skip_blanks(pos, end);
        match lines.at(first, end) {
            None | Some(b'#') => pos = eol + 1,
            Some(_) => {
                let (entry, next) = lines.statement(first, end)?;
                entries.push(entry);
                pos = next;
            }
        }
    }
    Ok(entries)
}

struct Lines<'a> {
    text: &'a str,
    bytes: &'a [u8],
}

impl Lines<'_> {
    /// The byte at `i`, if it is before `end`.
    fn at(&self, i: usize, end: usize) -> Option<u8> {
        if i < end { self.bytes.get(i).copied() } else { None }
    }

    /// The line break ending the line at `pos` (or the end of the file), and the end of the
    /// line's content (before a CR of a CRLF).
    fn line(&self, pos: usize) -> (usize, usize) {
        let rest = self.bytes.get(pos..).unwrap_or_default();
        let eol = rest.iter().position(|&b| b == b'\n').map_or(self.bytes.len(), |i| pos + i);
        let end = if eol > pos && self.bytes.get(eol - 1) == Some(&b'\r') { eol - 1 } else { eol };
        (eol, end)
    }

    fn skip_blanks(&self, mut i: usize, end: usize) -> usize {
        while self.at(i, end).is_some_and(is_blank) {
            i += 1;
        }
        i
    }

    /// `end` moved back over blanks, not before `start`.
    fn trim_end(&self, start: usize, mut end: usize) -> usize {
        while end > start && self.bytes.get(end - 1).copied().is_some_and(is_blank) {
            end -= 1;
        }
        end
    }

    /// One statement starting at `first` (not blank, not `#`) on a line whose content ends
    /// at `end`; returns the entry and where the next line starts.
    fn statement(&self, first: usize, end: usize) -> Result<(Entry, usize), ParseError> {
        let (export, key_start) = self.export_prefix(first, end);
        let mut key_end = key_start;
        while self.at(key_end, end).is_some_and(is_key) {
            key_end += 1;
        }
        let after = self.skip_blanks(key_end, end);
        let key = key_start..key_end;
        match self.at(after, end) {
            Some(b'=') => {
                if key.is_empty() {
                    return Err(error(after..after + 1, "expected a key before `=`"));
                }
                self.check_key(key.clone())?;
                let (value, value_end, next) = self.value(after + 1, end)?;
                Ok((Entry { span: first..value_end, export, key, value }, next))
            }
            // A bare key, maybe followed by a comment (`#` after a blank, as for values).
            None if !key.is_empty() => self.bare(first, export, key, end),
            Some(b'#') if after > key_end && !key.is_empty() => self.bare(first, export, key, end),
            _ => {
                let line = key_start..self.trim_end(key_start, end);
                let eq = self.bytes.get(line.clone()).and_then(|l| l.iter().position(|&b| b == b'='));
                Err(match eq {
                    Some(eq) => {
                        let key = key_start..self.trim_end(key_start, key_start + eq);
                        self.invalid_key(key)
                    }
                    None => error(first..line.end, "expected KEY=VALUE"),
                })
            }
        }
    }

    fn bare(
        &self,
        first: usize,
        export: Option<Range<usize>>,
        key: Range<usize>,
        end: usize,
    ) -> Result<(Entry, usize), ParseError> {
        self.check_key(key.clone())?;
        let (eol, _) = self.line(end);
        Ok((Entry { span: first..key.end, export, key, value: Value::Inherited }, eol + 1))
    }

    /// `export` followed by blanks and a key; `export` alone, or followed by `=`, is a key.
    fn export_prefix(&self, first: usize, end: usize) -> (Option<Range<usize>>, usize) {
        const EXPORT: &[u8] = b"export";
        let word = first..first + EXPORT.len();
        if self.bytes.get(word.clone()) != Some(EXPORT) || !self.at(word.end, end).is_some_and(is_blank) {
            return (None, first);
        }
        let key_start = self.skip_blanks(word.end, end);
        match self.at(key_start, end) {
            None | Some(b'=' | b'#') => (None, first),
            Some(_) => (Some(word), key_start),
        }
    }

    fn check_key(&self, key: Range<usize>) -> Result<(), ParseError> {
        let valid = self
            .bytes
            .get(key.clone())
            .is_some_and(|k| k.first().copied().is_some_and(is_key_start) && k.iter().copied().all(is_key));
        if valid { Ok(()) } else { Err(self.invalid_key(key)) }
    }

    fn invalid_key(&self, key: Range<usize>) -> ParseError {
        let written = self.text.get(key.clone()).unwrap_or("");
        error(
            key,
            format!(
                "invalid key `{}`: a key starts with a letter or `_` and holds only letters, digits, `_`, `.` and `-`",
                shown(written)
            ),
        )
    }

    /// The value after the `=` at `from - 1`; returns it, the end of its text as written
    /// and where the next line starts.
    fn value(&self, from: usize, end: usize) -> Result<(Value, usize, usize), ParseError> {
        let start = self.skip_blanks(from, end);
        match self.at(start, end) {
            Some(b'\'') => {
                // Compose reads single-quoted values on one line, without escapes.
                let inner = start + 1;
                let close = self
                    .bytes
                    .get(inner..end)
                    .and_then(|v| v.iter().position(|&b| b == b'\''))
                    .map(|i| inner + i)
                    .ok_or_else(|| {
                        error(
                            start..self.trim_end(start, end),
                            "unterminated single-quoted value: a single-quoted value ends on its line",
                        )
                    })?;
                let text = self.text.get(inner..close).unwrap_or("").to_owned();
                let decoded = Decoded { text, references: Vec::new() };
                let value = Value::Assigned { raw: start..close + 1, quote: Quote::Single, decoded };
                let next = self.after_quote(close + 1, end)?;
                Ok((value, close + 1, next))
            }
            Some(b'"') => {
                let inner = start + 1;
                let mut i = inner;
                let close = loop {
                    match self.bytes.get(i) {
                        None => {
                            return Err(error(
                                start..self.bytes.len(),
                                "unterminated double-quoted value: no closing `\"` before the end of the file",
                            ));
                        }
                        Some(b'\\') => i += 2,
                        Some(b'"') => break i,
                        Some(_) => i += 1,
                    }
                };
                let decoded = self.interpolate(inner..close, true)?;
                let value = Value::Assigned { raw: start..close + 1, quote: Quote::Double, decoded };
                let (_, close_line_end) = self.line(close);
                let next = self.after_quote(close + 1, close_line_end)?;
                Ok((value, close + 1, next))
            }
            _ => {
                // An inline comment starts at a `#` after a blank inside the value: `a#b` is a
                // value, and so is `#b` right after the `=`, as in Compose.
                let mut value_end = end;
                let mut i = start + 1;
                while let Some(byte) = self.at(i, end) {
                    if byte == b'#' && self.bytes.get(i - 1).copied().is_some_and(is_blank) {
                        value_end = i;
                        break;
                    }
                    i += 1;
                }
                let value_end = self.trim_end(start, value_end.max(start));
                let decoded = self.interpolate(start..value_end, false)?;
                let value = Value::Assigned { raw: start..value_end, quote: Quote::None, decoded };
                let (eol, _) = self.line(end);
                Ok((value, value_end, eol + 1))
            }
        }
    }

    /// Only blanks or a comment may follow a closing quote on its line; returns where the
    /// next line starts.
    fn after_quote(&self, from: usize, end: usize) -> Result<usize, ParseError> {
        let rest = self.skip_blanks(from, end);
        match self.at(rest, end) {
            None | Some(b'#') => Ok(self.line(end).0 + 1),
            Some(_) => Err(error(
                rest..self.trim_end(rest, end),
                "unexpected text after the closing quote: only a comment may follow a quoted value",
            )),
        }
    }

    fn interpolate(&self, range: Range<usize>, double: bool) -> Result<Decoded, ParseError> {
        interpolate::interpolate(self.text, range, double).map_err(|e| error(e.span, e.message))
    }
}

struct Emitter<'a> {
    b: DocumentBuilder,
    text: &'a str,
    budget: TextBudget,
}

impl<'a> Emitter<'a> {
    fn document(&mut self, start: usize, template: bool, entries: &[Entry]) {
        const ROOT: NodeId = DocumentBuilder::ROOT;
        let here = span(start..start);
        self.b.boolean(ROOT, "template", template, here);
        let all = match (entries.first(), entries.last()) {
            (Some(first), Some(last)) => span(first.span.start..last.span.end),
            _ => here,
        };
        let list = self.b.list(ROOT, "entries", all);
        let mut seen: HashSet<&str> = HashSet::new();
        for entry in entries {
            self.entry(list, entry, &mut seen);
        }
    }

    fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or("")
    }

    fn entry(&mut self, list: NodeId, entry: &Entry, seen: &mut HashSet<&'a str>) {
        let text = self.text;
        let m = self.b.map(list, "", span(entry.span.clone()));
        let key = text.get(entry.key.clone()).unwrap_or("");
        let key_span = span(entry.key.clone());
        self.b.string(m, "key", key, key_span);
        let references = match &entry.value {
            Value::Inherited => {
                let reason = format!("{key} is taken from the environment where compose runs");
                self.b.push(m, "value", Some(key_span), NodeKind::Unknown, &reason, key_span);
                self.b.string(m, "quote", Quote::None.name(), key_span);
                None
            }
            Value::Assigned { raw, quote, decoded } => {
                let raw = span(raw.clone());
                self.b.push(m, "value", Some(key_span), NodeKind::String, &decoded.text, raw);
                self.b.string(m, "quote", quote.name(), raw);
                Some((*quote == Quote::Double, &decoded.references))
            }
        };
        let export = entry.export.clone().unwrap_or(entry.key.start..entry.key.start);
        self.b.boolean(m, "export", entry.export.is_some(), span(export));
        if let Some((double, references)) = references {
            let recorded: Vec<Recorded> = references.iter().map(|r| self.record(r, double)).collect();
            interpolate::write_references(&mut self.b, m, "references", &recorded);
        }
        if !seen.insert(key) {
            self.b.boolean(m, "duplicate", true, key_span);
        }
    }

    /// A reference as the document records it; its texts count against the file's budget.
    fn record(&mut self, reference: &Reference, double: bool) -> Recorded {
        let modifier = reference.modifier.as_ref().map(|(modifier, word)| {
            let text = self
                .budget
                .charge(word.len())
                .then(|| interpolate::unescape(self.text, word.clone(), double));
            (modifier.field(), text, span(word.clone()))
        });
        let form =
            self.budget.charge(reference.span.len()).then(|| self.slice(reference.span.clone()).to_owned());
        Recorded {
            span: span(reference.span.clone()),
            name: self.slice(reference.name.clone()).to_owned(),
            name_span: span(reference.name.clone()),
            modifier,
            form,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use rampart_model::NodeRef;

    use super::*;

    use crate::testing::{at, expect_doc, expect_error, flag, has, key_src, lines, s, src};

    fn parse_at(path: &str, text: &str) -> Result<Document, ParseError> {
        parse(Arc::new(SourceFile::new(path, text)))
    }

    fn doc(text: impl AsRef<str>) -> Document {
        expect_doc(parse_at(".env", text.as_ref()), text.as_ref())
    }

    /// The error and the source text its span covers.
    fn fail(text: impl AsRef<str>) -> (String, String) {
        expect_error(parse_at(".env", text.as_ref()), text.as_ref())
    }

    /// `key=value` for every entry, to compare whole files at a glance.
    fn pairs(d: &Document) -> Vec<String> {
        at(d, "entries")
            .children()
            .map(|e| {
                let value = e.get("value").map_or("<none>", NodeRef::value);
                format!("{}={value}", e.get("key").map_or("", NodeRef::value))
            })
            .collect()
    }

    #[test]
    fn every_quoting_form() {
        let d = doc(lines(&[
            "A=plain value",
            r"B='single $X \n # not a comment'",
            r#"C="double \n\r\t\\\"\$ \q \é""#,
            "D=",
            "E=''",
            "F=\"\"",
        ]));
        assert_eq!(s(&d, "entries.0.value"), ("plain value", "plain value"));
        assert_eq!(s(&d, "entries.0.quote"), ("none", "plain value"));
        assert_eq!(s(&d, "entries.0.key"), ("A", "A"));
        assert_eq!(key_src(&d, "entries.0.value"), "A");
        assert_eq!(src(&d, at(&d, "entries.0")), "A=plain value");

        assert_eq!(
            s(&d, "entries.1.value"),
            (r"single $X \n # not a comment", r"'single $X \n # not a comment'")
        );
        assert_eq!(s(&d, "entries.1.quote").0, "single");
        assert!(!has(&d, "entries.1.references"), "single quotes hold no references");
        assert_eq!(src(&d, at(&d, "entries.1")), r"B='single $X \n # not a comment'");

        assert_eq!(
            s(&d, "entries.2.value"),
            ("double \n\r\t\\\"$ \\q \\é", r#""double \n\r\t\\\"\$ \q \é""#)
        );
        assert_eq!(s(&d, "entries.2.quote").0, "double");
        assert!(!has(&d, "entries.2.references"), "an escaped `$` starts no reference");

        assert_eq!(s(&d, "entries.3.value"), ("", ""));
        let empty = at(&d, "entries.3.value").span();
        assert_eq!((empty.start, empty.is_empty()), (d.files[0].text.find("D=").unwrap() as u32 + 2, true));
        assert_eq!(s(&d, "entries.4.value"), ("", "''"));
        assert_eq!(s(&d, "entries.4.quote").0, "single");
        assert_eq!(s(&d, "entries.5.value"), ("", "\"\""));
        assert_eq!(at(&d, "entries").children().len(), 6);
        let keys: Vec<_> = at(&d, "entries.0").children().map(NodeRef::key).collect();
        assert_eq!(keys, ["key", "value", "quote", "export",]);
    }

    #[test]
    fn export_prefix_and_whitespace() {
        let d = doc(lines(&[
            "export A=1",
            "export \t B = 2 ",
            "export=3",
            "exportFOO=4",
            "  \tC\t=\t x y \t",
            "export D",
            "export",
            "export  # the key is `export`",
        ]));
        assert_eq!(s(&d, "entries.0.key"), ("A", "A"));
        assert_eq!(flag(&d, "entries.0.export"), (true, "export"));
        assert_eq!(src(&d, at(&d, "entries.0")), "export A=1");
        assert_eq!(s(&d, "entries.1.key"), ("B", "B"));
        assert_eq!(s(&d, "entries.1.value"), ("2", "2"));
        assert_eq!(src(&d, at(&d, "entries.1")), "export \t B = 2");
        assert_eq!(s(&d, "entries.2.key"), ("export", "export"));
        assert_eq!(flag(&d, "entries.2.export"), (false, ""));
        assert_eq!(at(&d, "entries.2.export").span().start, at(&d, "entries.2.key").span().start);
        assert_eq!(s(&d, "entries.3.key"), ("exportFOO", "exportFOO"));
        assert!(!flag(&d, "entries.3.export").0);
        assert_eq!(s(&d, "entries.4.key"), ("C", "C"));
        assert_eq!(s(&d, "entries.4.value"), ("x y", "x y"));
        assert_eq!(src(&d, at(&d, "entries.4")), "C\t=\t x y");
        assert_eq!(s(&d, "entries.5.key"), ("D", "D"));
        assert_eq!(flag(&d, "entries.5.export"), (true, "export"));
        assert_eq!(at(&d, "entries.5.value").kind(), NodeKind::Unknown);
        assert_eq!(src(&d, at(&d, "entries.5")), "export D");
        for i in [6, 7] {
            assert_eq!(s(&d, &format!("entries.{i}.key")), ("export", "export"));
            assert_eq!(at(&d, &format!("entries.{i}.value")).kind(), NodeKind::Unknown);
            assert!(!flag(&d, &format!("entries.{i}.export")).0);
        }
    }

    #[test]
    fn keys_may_hold_dots_and_dashes() {
        let d = doc("spring.datasource.url=jdbc:x\nmy-key=1\n_private=2\nK9=3\n");
        assert_eq!(pairs(&d), ["spring.datasource.url=jdbc:x", "my-key=1", "_private=2", "K9=3"]);
    }

    #[test]
    fn inline_comments_need_a_blank_before_them() {
        let d = doc(lines(&[
            "# a full-line comment",
            "   # an indented one",
            "A=b #c",
            "B=b#c",
            "C=b\t# c",
            r#"D="x # y" # z"#,
            "E='#'#c",
            "F= #c",
            "G=a # b # c",
            r#"H="q"   "#,
            "I # inherited, with a comment",
            "J=http://host/#anchor",
        ]));
        assert_eq!(
            pairs(&d),
            [
                "A=b",
                "B=b#c",
                "C=b",
                "D=x # y",
                "E=#",
                "F=#c",
                "G=a",
                "H=q",
                "I=I is taken from the environment where compose runs",
                "J=http://host/#anchor",
            ]
        );
        assert_eq!(src(&d, at(&d, "entries.0")), "A=b");
        assert_eq!(s(&d, "entries.1.value"), ("b#c", "b#c"));
        assert_eq!(s(&d, "entries.2.value"), ("b", "b"));
        assert_eq!(s(&d, "entries.3.value"), ("x # y", r#""x # y""#));
        assert_eq!(src(&d, at(&d, "entries.3")), r#"D="x # y""#);
        assert_eq!(s(&d, "entries.4.value"), ("#", "'#'"));
        // Compose reads `#c` right after the `=` as the value, not as a comment.
        assert_eq!(s(&d, "entries.5.value"), ("#c", "#c"));
        assert_eq!(src(&d, at(&d, "entries.6")), "G=a");
        assert_eq!(src(&d, at(&d, "entries.7")), r#"H="q""#);
        assert_eq!(src(&d, at(&d, "entries.8")), "I");
    }

    #[test]
    fn double_quoted_values_span_lines() {
        let text = "KEY=\"-----BEGIN-----\nabc\n-----END-----\"  # c\nNEXT=1\n";
        let d = doc(text);
        assert_eq!(
            s(&d, "entries.0.value"),
            ("-----BEGIN-----\nabc\n-----END-----", "\"-----BEGIN-----\nabc\n-----END-----\"")
        );
        assert_eq!(src(&d, at(&d, "entries.0")), "KEY=\"-----BEGIN-----\nabc\n-----END-----\"");
        assert_eq!(s(&d, "entries.1.key"), ("NEXT", "NEXT"));
        assert_eq!(s(&d, "entries.1.value"), ("1", "1"));
        let next = text.find("NEXT").unwrap() as u32;
        assert_eq!(at(&d, "entries.1.key").span(), Span::new(next, next + 4));

        // CRLF line breaks inside the quotes become `\n`; the span keeps the bytes.
        let d = doc("K=\"a\r\nb\"\r\nN=2\r\n");
        assert_eq!(s(&d, "entries.0.value"), ("a\nb", "\"a\r\nb\""));
        assert_eq!(s(&d, "entries.1.value"), ("2", "2"));

        // An escaped quote does not end the value, even across lines.
        let d = doc("K=\"say \\\"hi\\\"\nmore\\\\\"\nL='x'\n");
        assert_eq!(s(&d, "entries.0.value"), ("say \"hi\"\nmore\\", "\"say \\\"hi\\\"\nmore\\\\\""));
        assert_eq!(s(&d, "entries.1.value"), ("x", "'x'"));
        // A `#` line inside the quotes is content, not a comment.
        let d = doc("K=\"a\n# not a comment\nb\"\n");
        assert_eq!(s(&d, "entries.0.value").0, "a\n# not a comment\nb");
    }

    #[test]
    fn backslashes_outside_double_quotes_are_literal() {
        let d = doc(lines(&[r"A=C:\path\n\$X", r"B='\$X'", r#"C="\\$REAL \$NOT \x""#]));
        assert_eq!(s(&d, "entries.0.value"), (r"C:\path\n\$X", r"C:\path\n\$X"));
        // Unquoted, the backslash does not protect the `$`.
        assert_eq!(s(&d, "entries.0.references.0.name"), ("X", "X"));
        assert_eq!(src(&d, at(&d, "entries.0.references.0")), "$X");
        assert_eq!(s(&d, "entries.1.value"), (r"\$X", r"'\$X'"));
        assert_eq!(s(&d, "entries.2.value").0, r"\$REAL $NOT \x");
        assert_eq!(at(&d, "entries.2.references").children().len(), 1);
        assert_eq!(s(&d, "entries.2.references.0.form"), ("$REAL", "$REAL"));
    }

    #[test]
    fn references_are_recorded_not_substituted() {
        let d = doc(lines(&[
            "URL=postgres://${USER:-app}:${PASS:?need a password}@$HOST/db",
            r#"B="${A-x} ${A:+on} ${A+y} ${A?e} ${A} $$ $$HOME $5 $""#,
            "C='${NOT} $A'",
            "D=${OUTER:-${INNER:-deep} and $X}",
            r#"E="${P:-a\"b$$c}""#,
            "F=${EMPTY:-}",
        ]));
        let url = "entries.0";
        assert_eq!(
            s(&d, &format!("{url}.value")).0,
            "postgres://${USER:-app}:${PASS:?need a password}@$HOST/db"
        );
        assert_eq!(
            src(&d, at(&d, &format!("{url}.references"))),
            "${USER:-app}:${PASS:?need a password}@$HOST"
        );
        assert_eq!(at(&d, &format!("{url}.references")).children().len(), 3);
        let user = format!("{url}.references.0");
        assert_eq!(src(&d, at(&d, &user)), "${USER:-app}");
        assert_eq!(s(&d, &format!("{user}.name")), ("USER", "USER"));
        assert_eq!(s(&d, &format!("{user}.default")), ("app", "app"));
        assert_eq!(s(&d, &format!("{user}.form")), ("${USER:-app}", "${USER:-app}"));
        let keys: Vec<_> = at(&d, &user).children().map(NodeRef::key).collect();
        assert_eq!(keys, ["name", "default", "form"]);
        let pass = format!("{url}.references.1");
        assert_eq!(s(&d, &format!("{pass}.error")), ("need a password", "need a password"));
        assert!(!has(&d, &format!("{pass}.default")));
        let host = format!("{url}.references.2");
        assert_eq!(s(&d, &format!("{host}.form")), ("$HOST", "$HOST"));
        assert_eq!(at(&d, &host).children().len(), 2);

        let b = "entries.1";
        assert_eq!(s(&d, &format!("{b}.value")).0, "${A-x} ${A:+on} ${A+y} ${A?e} ${A} $ $HOME $5 $");
        let forms: Vec<_> =
            at(&d, &format!("{b}.references")).children().map(|r| r.get("form").unwrap().value()).collect();
        assert_eq!(forms, ["${A-x}", "${A:+on}", "${A+y}", "${A?e}", "${A}"]);
        assert_eq!(s(&d, &format!("{b}.references.0.default")), ("x", "x"));
        assert_eq!(s(&d, &format!("{b}.references.1.alternative")), ("on", "on"));
        assert_eq!(s(&d, &format!("{b}.references.2.alternative")).0, "y");
        assert_eq!(s(&d, &format!("{b}.references.3.error")).0, "e");
        assert_eq!(at(&d, &format!("{b}.references.4")).children().len(), 2);

        assert!(!has(&d, "entries.2.references"));
        assert_eq!(s(&d, "entries.2.value").0, "${NOT} $A");

        // Nested: the enclosing reference first, then those in its modifier.
        let nested: Vec<_> = at(&d, "entries.3.references").children().map(|r| src(&d, r)).collect();
        assert_eq!(nested, ["${OUTER:-${INNER:-deep} and $X}", "${INNER:-deep}", "$X"]);
        assert_eq!(src(&d, at(&d, "entries.3.references")), "${OUTER:-${INNER:-deep} and $X}");
        assert_eq!(
            s(&d, "entries.3.references.0.default"),
            ("${INNER:-deep} and $X", "${INNER:-deep} and $X")
        );
        assert_eq!(s(&d, "entries.3.references.1.default").0, "deep");

        // A modifier's text is decoded like the value; its span is the text as written.
        assert_eq!(s(&d, "entries.4.references.0.default"), ("a\"b$c", r#"a\"b$$c"#));
        assert_eq!(s(&d, "entries.4.value").0, "${P:-a\"b$c}");
        assert_eq!(s(&d, "entries.5.references.0.default"), ("", ""));
    }

    #[test]
    fn bare_keys_are_taken_from_the_environment() {
        let d = doc("INHERITED\nexport ALSO # from the shell\n");
        let value = at(&d, "entries.0.value");
        assert_eq!(value.kind(), NodeKind::Unknown);
        assert_eq!(value.value(), "INHERITED is taken from the environment where compose runs");
        assert_eq!(src(&d, value), "INHERITED");
        assert_eq!(key_src(&d, "entries.0.value"), "INHERITED");
        assert_eq!(s(&d, "entries.0.quote"), ("none", "INHERITED"));
        assert!(!has(&d, "entries.0.references"));
        assert_eq!(
            at(&d, "entries.1.value").value(),
            "ALSO is taken from the environment where compose runs"
        );
        assert_eq!(src(&d, at(&d, "entries.1")), "export ALSO");
    }

    #[test]
    fn later_duplicates_are_marked() {
        let d = doc("A=1\nB=2\nA=3\n A\na=4\n");
        assert_eq!(
            pairs(&d),
            ["A=1", "B=2", "A=3", "A=A is taken from the environment where compose runs", "a=4"]
        );
        for i in [0, 1, 4] {
            assert!(!has(&d, &format!("entries.{i}.duplicate")), "entry {i}");
        }
        assert_eq!(flag(&d, "entries.2.duplicate"), (true, "A"));
        assert_eq!(at(&d, "entries.2.duplicate").span(), Span::new(8, 9));
        assert_eq!(flag(&d, "entries.3.duplicate"), (true, "A"));
    }

    #[test]
    fn a_bom_is_skipped_and_spans_stay_file_offsets() {
        let d = doc("\u{feff}A=1\nB=\"x\"\n");
        assert_eq!(d.root().span(), Span::new(3, 13));
        assert_eq!(at(&d, "template").span(), Span::new(3, 3));
        assert_eq!(at(&d, "entries.0.key").span(), Span::new(3, 4));
        assert_eq!(s(&d, "entries.0.key"), ("A", "A"));
        assert_eq!(at(&d, "entries.1.value").span(), Span::new(9, 12));
        // Only a leading BOM is skipped.
        let (message, place) = fail("A=1\n\u{feff}B=2\n");
        assert!(message.starts_with("invalid key `\u{feff}B`"), "{message}");
        assert_eq!(place, "\u{feff}B");
    }

    #[test]
    fn crlf_line_endings() {
        let d = doc("A=1\r\nB='x'  \r\n\r\n# c\r\nC=\"y\" # z\r\nD\r\nE=v w \r\nF=${G:-h}\r\n");
        assert_eq!(pairs(&d)[..3], ["A=1", "B=x", "C=y"]);
        assert_eq!(s(&d, "entries.0.value"), ("1", "1"));
        assert_eq!(src(&d, at(&d, "entries.1")), "B='x'");
        assert_eq!(src(&d, at(&d, "entries.3")), "D");
        assert_eq!(at(&d, "entries.3.value").kind(), NodeKind::Unknown);
        assert_eq!(s(&d, "entries.4.value"), ("v w", "v w"));
        assert_eq!(s(&d, "entries.5.references.0.default"), ("h", "h"));
    }

    #[test]
    fn template_names() {
        for name in [
            ".env.example",
            ".ENV.Example",
            ".env.sample",
            ".env.template",
            ".env.dist",
            "prod.env.example",
            ".env.local.example",
            ".env-example",
            ".env_sample",
            "env.tpl",
            "app.env.tmpl",
            "example.env",
            "Sample.ENV",
        ] {
            assert!(is_template_name(name), "{name}");
        }
        for name in [
            ".env",
            ".env.local",
            ".env.production",
            ".env.defaults",
            "prod.env",
            "sample_app.env",
            "example",
            "config.example",
            "environment.example",
            ".envrc",
            "",
        ] {
            assert!(!is_template_name(name), "{name}");
        }
        let flag_of =
            |path: &str| parse_at(path, "A=1\n").unwrap().root().get("template").unwrap().value() == "true";
        assert!(flag_of("deploy/.env.example"));
        assert!(flag_of(r"C:\app\.env.sample"));
        assert!(!flag_of("deploy/.env"));
        assert!(!flag_of("example.d/.env"), "only the file name counts");
        let d = doc("");
        assert_eq!(flag(&d, "template"), (false, ""));
        assert_eq!(at(&d, "entries").children().len(), 0);
        assert_eq!(at(&d, "entries").span(), Span::new(0, 0));
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        for (text, message, place) in [
            ("1A=b\n", "invalid key `1A`", "1A"),
            ("OK=1\nA B=c\n", "invalid key `A B`", "A B"),
            ("  FOO:bar = 1\n", "invalid key `FOO:bar`", "FOO:bar"),
            ("export 9=x\n", "invalid key `9`", "9"),
            ("\"QUOTED\"=x\n", "invalid key `\"QUOTED\"`", "\"QUOTED\""),
            ("é=1\n", "invalid key `é`", "é"),
            ("=value\n", "expected a key before `=`", "="),
            ("just some words  \n", "expected KEY=VALUE", "just some words"),
            ("KEY: value\n", "expected KEY=VALUE", "KEY: value"),
            ("export A B\n", "expected KEY=VALUE", "export A B"),
            ("9LIVES\n", "invalid key `9LIVES`", "9LIVES"),
            ("A='abc  \nB=1\n", "unterminated single-quoted value", "'abc"),
            ("A=\"abc\nB=1\n", "unterminated double-quoted value", "\"abc\nB=1\n"),
            ("A=\"abc\\\"\n", "unterminated double-quoted value", "\"abc\\\"\n"),
            ("A=\"abc\\", "unterminated double-quoted value", "\"abc\\"),
            ("A=\"abc\" def # c\n", "unexpected text after the closing quote", "def # c"),
            ("A='x'y\n", "unexpected text after the closing quote", "y"),
            ("A=\"x\n\"y\n", "unexpected text after the closing quote", "y"),
            ("A=${}\n", "invalid reference `${}`: expected a variable name", "${}"),
            ("A=${1X}\n", "invalid reference `${1`", "${1"),
            ("A=${é}\n", "invalid reference `${é`", "${é"),
            ("A=\"${A B}\"\n", "invalid reference `${A `", "${A "),
            ("A=${A:x}\n", "invalid reference `${A:x`", "${A:x"),
            ("A=${A.b}\n", "invalid reference `${A.`", "${A."),
            ("A=pre ${A:-x # c\n", "unterminated reference", "${A:-x"),
            ("A=\"${A:-${B}\"\n", "unterminated reference", "${A:-${B}"),
            ("A=${A\n", "unterminated reference", "${A"),
            ("A=${A:", "unterminated reference", "${A:"),
            ("A=${", "unterminated reference", "${"),
        ] {
            let (got, at) = fail(text);
            assert!(got.starts_with(message), "{text:?}: {got}");
            assert_eq!(at, place, "{text:?}: {got}");
        }
        // The first problem in the file wins, whichever kind it is.
        assert_eq!(fail("A=${\nB C\n").1, "${");
        // Messages quote long input cut short.
        let long = format!("1{}=x", "k".repeat(10_000));
        let (message, place) = fail(&long);
        assert!(message.len() < 200 && message.contains('…'), "{message}");
        assert_eq!(place.len(), 10_001);
    }

    /// The ```env blocks of `shared/seeds/001_bd101ea92a87f478.txt`, as committed among the
    /// seed fixtures.
    const PRODUCTION: &str = include_str!("../../../fixtures/seeds/001-course-companion/.env.production");
    const STAGING: &str = include_str!("../../../fixtures/seeds/001-course-companion/.env.staging");

    #[test]
    fn the_seed_env_blocks() {
        let d = doc(PRODUCTION);
        assert_eq!(at(&d, "entries").children().len(), 17);
        let url = "postgresql://user:password@prod-db.cluster.region.rds.amazonaws.com:5432/course_companion";
        assert_eq!(s(&d, "entries.0.key"), ("DATABASE_URL", "DATABASE_URL"));
        assert_eq!(s(&d, "entries.0.value"), (url, url));
        assert_eq!(s(&d, "entries.0.quote").0, "none");
        assert_eq!(src(&d, at(&d, "entries.0")), format!("DATABASE_URL={url}"));
        assert_eq!(at(&d, "entries.0.key").span().start as usize, PRODUCTION.find("DATABASE_URL").unwrap());
        assert_eq!(s(&d, "entries.3.key").0, "SECRET_KEY");
        assert_eq!(
            s(&d, "entries.3.value"),
            ("super_secret_production_key_here", "super_secret_production_key_here")
        );
        assert_eq!(s(&d, "entries.8.value").0, "sk-production-key-here");
        assert_eq!(
            s(&d, "entries.13.value").0,
            "https://coursecompanionfte.com,https://www.coursecompanionfte.com"
        );
        assert!(!flag(&d, "template").0);
        for entry in at(&d, "entries").children() {
            assert!(entry.get("references").is_none() && entry.get("duplicate").is_none());
            assert_eq!(entry.get("export").unwrap().value(), "false");
        }

        let d = doc(STAGING);
        assert_eq!(at(&d, "entries").children().len(), 16);
        assert_eq!(s(&d, "entries.3.value").0, "staging_secret_key_here");

        // Both blocks in one file: every staging key repeats a production one.
        let both = format!("{PRODUCTION}\n{STAGING}");
        let d = doc(&both);
        let entries = at(&d, "entries");
        assert_eq!(entries.children().len(), 33);
        let duplicates = entries.children().filter(|e| e.get("duplicate").is_some()).count();
        assert_eq!(duplicates, 16);
        assert_eq!(s(&d, "entries.17.value").0, url.replace("prod-db", "staging-db"));
        assert_eq!(flag(&d, "entries.17.duplicate"), (true, "DATABASE_URL"));
    }

    #[test]
    fn the_example_of_the_documentation() {
        let text = lines(&[
            "# Read by compose for the web service",
            "export APP_ENV=production",
            "DATABASE_URL=postgres://${DB_USER:-app}:${DB_PASSWORD:?set it}@db/app   # the shell sets these",
            r#"GREETING="Hello,\n  world""#,
            "PRICE='$5'",
            "API_TOKEN",
            "APP_ENV=staging",
        ]);
        let d = doc(&text);
        assert_eq!(flag(&d, "template"), (false, ""));
        assert_eq!(at(&d, "template").span(), Span::new(0, 0));
        assert_eq!(s(&d, "entries.0.value"), ("production", "production"));
        assert_eq!(key_src(&d, "entries.0.value"), "APP_ENV");
        assert_eq!(flag(&d, "entries.0.export"), (true, "export"));
        assert_eq!(src(&d, at(&d, "entries.0")), "export APP_ENV=production");
        let url = "postgres://${DB_USER:-app}:${DB_PASSWORD:?set it}@db/app";
        assert_eq!(s(&d, "entries.1.value"), (url, url));
        assert_eq!(src(&d, at(&d, "entries.1.references")), "${DB_USER:-app}:${DB_PASSWORD:?set it}");
        assert_eq!(s(&d, "entries.1.references.0.default"), ("app", "app"));
        assert_eq!(s(&d, "entries.1.references.1.error"), ("set it", "set it"));
        assert_eq!(s(&d, "entries.1.references.1.form").0, "${DB_PASSWORD:?set it}");
        assert_eq!(s(&d, "entries.2.value"), ("Hello,\n  world", r#""Hello,\n  world""#));
        assert_eq!(s(&d, "entries.3.value"), ("$5", "'$5'"));
        assert_eq!(
            at(&d, "entries.4.value").value(),
            "API_TOKEN is taken from the environment where compose runs"
        );
        assert_eq!(flag(&d, "entries.5.duplicate"), (true, "APP_ENV"));
        let keys: Vec<_> = at(&d, "entries.5").children().map(NodeRef::key).collect();
        assert_eq!(keys, ["key", "value", "quote", "export", "duplicate"]);
    }

    /// Every feature at once; the BOM is added here so that editors cannot strip it.
    fn complex() -> String {
        format!("\u{feff}{}", include_str!("../../../fixtures/env/parser/complex.env"))
    }

    #[test]
    fn the_complex_example_parses() {
        let text = complex();
        let d = doc(&text);
        assert_eq!(
            pairs(&d),
            [
                "COMPOSE_PROJECT_NAME=shop",
                "AWS_REGION=eu-west-1",
                "DB.HOST-NAME=db.internal",
                "DATABASE_URL=postgresql://${DB_USER:-app}:${DB_PASSWORD:?set DB_PASSWORD}@db:5432/shop",
                r"LITERAL=no $EXPANSION or \n escapes # here",
                "GREETING=Hello,\t\"world\"\n${NAME-stranger} costs $5 or $6",
                "PRIVATE_KEY=-----BEGIN KEY-----\nline one\nline two \\ end\n-----END KEY-----",
                "HASH=abc#not-a-comment",
                "EMPTY=",
                "QUOTED_EMPTY=",
                "FEATURE=${FLAG:+enabled}",
                "NESTED=${OUTER:-${INNER:-deep}}",
                "PLAIN_REF=$HOME/.cache",
                "PRICE=$5.00 and a $",
                "UNICODE=héllo wörld",
                "INHERITED=INHERITED is taken from the environment where compose runs",
                "ALSO_INHERITED=ALSO_INHERITED is taken from the environment where compose runs",
                "COMPOSE_PROJECT_NAME=shop-dev",
            ]
        );
        assert_eq!(s(&d, "entries.3.references.1.error").0, "set DB_PASSWORD");
        assert_eq!(flag(&d, "entries.17.duplicate"), (true, "COMPOSE_PROJECT_NAME"));
        check_spans(&text);
        // The same file with CRLF line endings reads the same.
        let crlf = doc(text.replace('\n', "\r\n"));
        assert_eq!(pairs(&crlf), pairs(&d));
    }

    /// Every span of the document (or the error) is a slice of the file on char boundaries.
    fn check_spans(text: &str) {
        crate::testing::assert_spans_within(text, &parse_at(".env", text));
    }

    #[test]
    fn garbage_and_truncated_inputs_never_panic() {
        let noise: &[&str] = &[
            "\\", "\"", "'", "$", "$$", "{", "}", "${", ":-", ":?", "+", "=", "#", " #", "\n", "\r\n", "\r",
            " ", "\t", "export ", "-", ".", "é", "\u{feff}", "\\\"", "\"\"\"", "1", "A",
        ];
        let inputs = crate::testing::mangled(&complex(), 1, noise, 2_000);
        let mut parsed = 0;
        for text in &inputs {
            check_spans(text);
            parsed += usize::from(parse_at(".env", text).is_ok());
        }
        // The mutations must not all be rejected outright, or the test proves little.
        assert!(parsed > inputs.len() / 4, "{parsed} of {} parsed", inputs.len());
    }

    #[test]
    fn pathological_inputs_stay_linear() {
        // 10,000 `${` openings: the first one is already malformed.
        let text = format!("A={}", "${".repeat(10_000));
        assert_eq!(
            fail(&text),
            ("invalid reference `${$`: expected a variable name after `${`".into(), "${$".into())
        );
        // 10,000 nested references never closed: one error spanning them all.
        let text = format!("A={}", "${A:-".repeat(10_000));
        let (message, place) = fail(&text);
        assert!(message.starts_with("unterminated reference"), "{message}");
        assert_eq!(place.len(), text.len() - 2);

        // 10,000 nested references, closed: the text they repeat is capped, not squared
        // (which would be some 500 MB here).
        let text = format!("A={}x{}\n", "${A:-".repeat(10_000), "}".repeat(10_000));
        let d = doc(&text);
        assert_eq!(at(&d, "entries.0.references").children().len(), 10_000);
        // Linear: each reference holds a few short strings (field names, the budget's reason).
        assert!(d.strings().len() < 48 * text.len(), "{} bytes", d.strings().len());
        assert_eq!(s(&d, "entries.0.references.9999.default"), ("x", "x"));
        // The budget goes to the references in file order; past it, texts are unknown.
        let outer = at(&d, "entries.0.references.0.form");
        assert_eq!(outer.kind(), NodeKind::String);
        assert_eq!((outer.value().len(), src(&d, outer).len()), (text.len() - 3, text.len() - 3));
        let middle = at(&d, "entries.0.references.5000.form");
        assert_eq!((middle.kind(), middle.value()), (NodeKind::Unknown, interpolate::OVER_BUDGET));
        assert_eq!(src(&d, middle).len(), text.len() - 3 - 5000 * 6);

        // A long line, and a long unterminated quote.
        let mut text = String::from("A=");
        let mut chunks = 0;
        while text.len() < 4 << 20 {
            text.push_str("ab$$c#d \\\"é ${X} ");
            chunks += 1;
        }
        let d = doc(&text);
        assert_eq!(at(&d, "entries.0.references").children().len(), chunks);
        assert_eq!(s(&d, "entries.0.value").0.len(), text.len() - 2 - chunks - 1);
        let text = format!("A=\"{}", "\\x".repeat(2 << 20));
        assert!(fail(&text).0.starts_with("unterminated double-quoted value"));

        // Many lines, many duplicates.
        let mut text = String::new();
        for i in 0..100_000usize {
            let _ = writeln!(text, "K{}=v{i} # c", i % 1000);
        }
        let d = doc(&text);
        let entries = at(&d, "entries");
        assert_eq!(entries.children().len(), 100_000);
        assert_eq!(entries.children().filter(|e| e.get("duplicate").is_some()).count(), 99_000);
    }
}
