//! From bytes to instructions: the BOM, parser directives, comments, line continuations and
//! heredoc bodies. Each instruction keeps its logical text (continuation lines joined,
//! comment lines dropped) together with the map from logical offsets back to file offsets.

use std::ops::Range;

use rampart_model::Span;

use super::instr::{self, Instr};
use crate::ParseError;

/// One logical line: its physical pieces joined, and where each piece came from.
#[derive(Debug)]
pub(super) struct Line {
    pub text: String,
    pieces: Vec<Piece>,
    /// Where the line starts in the file, for spans of an empty line.
    origin: u32,
}

#[derive(Clone, Copy, Debug)]
struct Piece {
    logical: usize,
    file: usize,
}

impl Line {
    fn new(origin: usize) -> Self {
        Self { text: String::new(), pieces: Vec::new(), origin: origin as u32 }
    }

    fn push(&mut self, file_text: &str, range: Range<usize>) {
        if let Some(piece) = file_text.get(range.clone())
            && !piece.is_empty()
        {
            self.pieces.push(Piece { logical: self.text.len(), file: range.start });
            self.text.push_str(piece);
        }
    }

    /// The file offset of the byte at `logical` (or just past the end for the line's length).
    fn file_offset(&self, logical: usize) -> u32 {
        let after = self.pieces.partition_point(|p| p.logical <= logical);
        match after.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(p) => (p.file + (logical - p.logical)) as u32,
            None => self.origin,
        }
    }

    /// The file span of a logical range. A range that crosses a continuation covers the
    /// physical bytes in between (the escape, the newline, skipped comment lines).
    pub(super) fn span(&self, range: Range<usize>) -> Span {
        let start = self.file_offset(range.start);
        if range.end <= range.start {
            return Span::new(start, start);
        }
        // The end is mapped through the last byte inside the range: mapping `range.end`
        // itself would land on the next piece when the range ends where a piece ends.
        let end = self.file_offset(range.end - 1) + 1;
        Span::new(start, end.max(start))
    }

    pub(super) fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or("")
    }
}

#[derive(Debug)]
pub(super) struct Directive {
    /// Lowercase.
    pub name: String,
    pub name_span: Span,
    pub value: String,
    pub value_span: Span,
    pub span: Span,
}

/// An instruction with the logical line it was parsed from.
#[derive(Debug)]
pub(super) struct Raw {
    pub line: Line,
    pub instr: Instr,
    pub span: Span,
}

#[derive(Debug)]
pub(super) struct Lexed {
    pub escape: u8,
    pub escape_span: Option<Span>,
    pub directives: Vec<Directive>,
    /// The instructions before the first syntax error (all of them when there is none).
    pub instrs: Vec<Raw>,
    /// Kept apart so that the emitter can still report an earlier semantic error first.
    pub error: Option<ParseError>,
}

pub(super) fn lex(text: &str, start: usize) -> Lexed {
    let mut lexed =
        Lexed { escape: b'\\', escape_span: None, directives: Vec::new(), instrs: Vec::new(), error: None };
    if let Err(error) = lex_into(text, start, &mut lexed) {
        lexed.error = Some(error);
    }
    lexed
}

fn lex_into(text: &str, start: usize, out: &mut Lexed) -> Result<(), ParseError> {
    let mut cursor = Cursor { text, pos: start };
    let mut directives_done = false;
    while let Some(physical) = cursor.next_line() {
        let content = text.get(physical.clone()).unwrap_or("");
        let trimmed = content.trim_start();
        let lead = physical.start + (content.len() - trimmed.len());
        if !directives_done {
            if let Some((name, value)) = directive(trimmed) {
                out.add_directive(text, lead, trimmed.len(), name, value)?;
                continue;
            }
            directives_done = true;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut line = Line::new(lead);
        let (cut, mut continued) = continuation(trimmed, out.escape);
        line.push(text, lead..lead + cut);
        while continued {
            let Some(next) = cursor.next_line() else {
                break;
            };
            let content = text.get(next.clone()).unwrap_or("");
            let trimmed = content.trim_start();
            // Docker drops comment lines and skips blank lines inside a continuation.
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let (cut, again) = continuation(content, out.escape);
            line.push(text, next.start..next.start + cut);
            continued = again;
        }
        if line.text.trim().is_empty() {
            continue;
        }
        let end = line.text.len();
        let mut instr = instr::parse(&line, 0..end, out.escape)?;
        read_heredoc_bodies(&mut cursor, &line, &mut instr)?;
        let span = instr.span(&line);
        out.instrs.push(Raw { line, instr, span });
    }
    Ok(())
}

impl Lexed {
    fn add_directive(
        &mut self,
        text: &str,
        lead: usize,
        len: usize,
        name: Range<usize>,
        value: Range<usize>,
    ) -> Result<(), ParseError> {
        let at = |r: &Range<usize>| Span::new((lead + r.start) as u32, (lead + r.end) as u32);
        let line = text.get(lead..lead + len).unwrap_or("");
        let lower = line.get(name.clone()).unwrap_or("").to_ascii_lowercase();
        let raw_value = line.get(value.clone()).unwrap_or("");
        let span = Span::new(lead as u32, (lead + len) as u32);
        if self.directives.iter().any(|d| d.name == lower) {
            return Err(ParseError::new(span, format!("only one `{lower}` parser directive can be used")));
        }
        if lower == "escape" {
            self.escape = match raw_value {
                "\\" => b'\\',
                "`" => b'`',
                _ => {
                    return Err(ParseError::new(
                        at(&value),
                        format!("invalid escape character `{raw_value}`: use `\\` or a backtick"),
                    ));
                }
            };
            self.escape_span = Some(at(&value));
        }
        self.directives.push(Directive {
            name: lower,
            name_span: at(&name),
            value: raw_value.to_owned(),
            value_span: at(&value),
            span,
        });
        Ok(())
    }
}

/// A parser directive (`# name = value`, name one of syntax, escape, check): the ranges of
/// its name and value within `line`, which starts with `#`.
fn directive(line: &str) -> Option<(Range<usize>, Range<usize>)> {
    // RE2's `\s` in Docker's directive pattern: no vertical tab.
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r');
    let rest = line.strip_prefix('#')?;
    let bytes = line.as_bytes();
    let name_start = line.len() - rest.trim_start().len();
    let mut i = name_start;
    if !bytes.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        i += 1;
    }
    let name = name_start..i;
    while bytes.get(i).is_some_and(|&b| space(b)) {
        i += 1;
    }
    if bytes.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while bytes.get(i).is_some_and(|&b| space(b)) {
        i += 1;
    }
    let mut end = bytes.len();
    while end > i && bytes.get(end - 1).is_some_and(|&b| space(b)) {
        end -= 1;
    }
    if end <= i {
        return None;
    }
    let word = line.get(name.clone())?;
    let known = ["syntax", "escape", "check"].iter().any(|k| k.eq_ignore_ascii_case(word));
    known.then_some((name, i..end))
}

/// Where the content of a line ends, and whether it continues on the next line: the escape
/// character followed only by spaces and tabs.
fn continuation(line: &str, escape: u8) -> (usize, bool) {
    let bytes = line.as_bytes();
    let mut end = bytes.len();
    while end > 0 && matches!(bytes.get(end - 1), Some(b' ' | b'\t')) {
        end -= 1;
    }
    if end > 0 && bytes.get(end - 1) == Some(&escape) { (end - 1, true) } else { (line.len(), false) }
}

fn read_heredoc_bodies(cursor: &mut Cursor<'_>, line: &Line, instr: &mut Instr) -> Result<(), ParseError> {
    for doc in &mut instr.heredocs {
        let body_start = cursor.pos;
        loop {
            let Some(physical) = cursor.next_line() else {
                return Err(ParseError::new(
                    line.span(doc.word.clone()),
                    format!("unterminated heredoc: no line `{}` ends it", doc.name),
                ));
            };
            let content = cursor.text.get(physical.clone()).unwrap_or("");
            let candidate = if doc.strip_tabs { content.trim_start_matches('\t') } else { content };
            if candidate == doc.name {
                doc.body = Span::new(body_start as u32, physical.start as u32);
                doc.end = physical.end as u32;
                break;
            }
        }
    }
    match &mut instr.trigger {
        Some(trigger) => read_heredoc_bodies(cursor, line, trigger),
        None => Ok(()),
    }
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    /// The next physical line, without its line terminator (`\n`, `\r\n`).
    fn next_line(&mut self) -> Option<Range<usize>> {
        let rest = self.text.get(self.pos..).filter(|r| !r.is_empty())?;
        let start = self.pos;
        let (len, next) = match rest.find('\n') {
            Some(i) => (i, start + i + 1),
            None => (rest.len(), self.text.len()),
        };
        let content = rest.get(..len).unwrap_or("").trim_end_matches('\r');
        self.pos = next;
        Some(start..start + content.len())
    }
}
