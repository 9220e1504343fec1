//! Source files, byte spans and the line/column locations computed from them.

use std::sync::{Arc, OnceLock};

/// A half-open byte range `start..end` in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The character of `text` at byte `offset` (moved back to the start of the character it
    /// falls in), or an empty span at the end of the text or at a line end: what a parse error
    /// points at.
    pub fn char_at(text: &str, offset: usize) -> Span {
        let start = text.floor_char_boundary(offset);
        let end = match text[start..].chars().next() {
            Some('\n') | None => start,
            Some(c) => start + c.len_utf8(),
        };
        Span::new(start as u32, end as u32)
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A position for people: 1-based lines and columns, columns counted in Unicode scalar
/// values. `end_column` is exclusive (the column just past the last character), as in SARIF
/// and LSP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// The text of one input file, shared between the document, the findings that point into it
/// and the reporters (which never re-read files).
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user would type it (relative to the working directory when possible).
    pub path: String,
    pub text: Arc<str>,
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Self { path: path.into(), text: text.into(), line_starts: OnceLock::new() }
    }

    /// Byte offsets at which each line starts; computed on first use, since most files
    /// produce no finding and never need it.
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(
                self.text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i as u32 + 1),
            );
            starts
        })
    }

    /// 0-based line index and 1-based character column of a byte offset.
    fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.text.len() as u32);
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset) - 1;
        let line_start = starts[line] as usize;
        let end = self.text.floor_char_boundary(offset as usize);
        let column = self.text[line_start..end].chars().count() as u32 + 1;
        (line as u32, column)
    }

    /// The location of a span; offsets past the end are clamped to the end of the file.
    pub fn location(&self, span: Span) -> Location {
        let (line, column) = self.line_col(span.start);
        let (end_line, end_column) = self.line_col(span.end.max(span.start));
        Location { line: line + 1, column, end_line: end_line + 1, end_column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_and_count_characters() {
        let file = SourceFile::new("Dockerfile", "FROM a\nUSER é root\n");
        // "root" starts after "USER é " (7 chars, 8 bytes) on line 2.
        let start = "FROM a\nUSER é ".len() as u32;
        let loc = file.location(Span::new(start, start + 4));
        assert_eq!(loc, Location { line: 2, column: 8, end_line: 2, end_column: 12 });
    }

    #[test]
    fn a_character_span_never_splits_a_character() {
        let text = "aé\nb";
        assert_eq!(Span::char_at(text, 0), Span::new(0, 1));
        assert_eq!(Span::char_at(text, 2), Span::new(1, 3), "inside `é`: the whole of it");
        assert_eq!(Span::char_at(text, 3), Span::new(3, 3), "a line end is empty");
        assert_eq!(Span::char_at(text, 99), Span::new(5, 5), "past the end: empty at the end");
    }

    #[test]
    fn spans_past_the_end_are_clamped() {
        let file = SourceFile::new("x", "ab");
        let loc = file.location(Span::new(1, 99));
        assert_eq!((loc.line, loc.column, loc.end_line, loc.end_column), (1, 2, 1, 3));
    }

    #[test]
    fn a_span_across_lines_ends_on_its_last_line() {
        let file = SourceFile::new("x", "RUN a \\\n  b\n");
        let loc = file.location(Span::new(0, 11));
        assert_eq!((loc.line, loc.end_line, loc.end_column), (1, 2, 4));
    }
}
