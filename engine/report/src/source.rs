//! A miette `SourceCode` that answers from a line index.
//!
//! miette's own implementation for `str` scans from byte 0 for every label: rendering a
//! thousand findings in a large file becomes quadratic. This one binary-searches the line
//! starts that `SourceFile` computes once.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use rampart_model::SourceFile;

pub(crate) struct IndexedSource<'a>(pub(crate) &'a SourceFile);

impl std::fmt::Debug for IndexedSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IndexedSource({})", self.0.path)
    }
}

impl SourceCode for IndexedSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = &*self.0.text;
        let starts = self.0.line_starts();
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let line_of = |offset: usize| starts.partition_point(|&s| s as usize <= offset) - 1;
        let first_line = line_of(start);
        let last_line = line_of(end.saturating_sub(1).max(start));
        let context_first = first_line.saturating_sub(context_lines_before);
        let context_last = (last_line + context_lines_after).min(starts.len() - 1);
        // With no context before, miette expects the contents to start at the span itself.
        let (data_start, column) = if context_lines_before == 0 {
            let line_start = starts[first_line] as usize;
            (start, text.get(line_start..start).map_or(0, |s| s.chars().count()))
        } else {
            (starts[context_first] as usize, 0)
        };
        let data_end = starts.get(context_last + 1).map_or(text.len(), |&s| s as usize);
        let data = text.get(data_start..data_end).ok_or(MietteError::OutOfBounds)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.path.clone(),
            data.as_bytes(),
            (data_start, data_end - data_start).into(),
            if context_lines_before == 0 { first_line } else { context_first },
            column,
            context_last - context_first + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_span_with_its_context_lines() {
        let file = SourceFile::new("f", "one\ntwo\nthree\nfour\n");
        let source = IndexedSource(&file);
        let contents = source.read_span(&(8, 5).into(), 1, 1).unwrap();
        assert_eq!(std::str::from_utf8(contents.data()).unwrap(), "two\nthree\nfour\n");
        assert_eq!((contents.line(), contents.column()), (1, 0));
        let bare = source.read_span(&(10, 3).into(), 0, 0).unwrap();
        assert_eq!((bare.line(), bare.column()), (2, 2));
        assert!(source.read_span(&(18, 5).into(), 0, 0).is_err());
    }
}
