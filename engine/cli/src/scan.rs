//! The scan pipeline: discover -> read and parse (in parallel) -> evaluate every applicable
//! plugin (in parallel) -> findings and errors in a deterministic order.

use std::sync::Arc;

use rampart_model::{Document, ErrorKind, Finding, ScanError, SourceFile};
use rampart_parse::NameHint;
use rampart_runtime::{Plugin, PreparedDocument};
use rayon::prelude::*;

use crate::discover::Candidate;

/// Files larger than this are reported, not read: no infrastructure file is this big, and a
/// multi-gigabyte file must not exhaust memory.
const MAX_FILE_SIZE: u64 = 16 << 20;

/// What a scan found, sorted for output.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    /// Files that were in a format rampart reads (whether or not they parsed).
    pub files: usize,
    /// Files named on the command line that are not in a format rampart reads.
    pub skipped: Vec<String>,
}

impl Outcome {
    fn merge(mut self, other: Outcome) -> Outcome {
        let Outcome { findings, errors, files, skipped } = other;
        self.findings.extend(findings);
        self.errors.extend(errors);
        self.files += files;
        self.skipped.extend(skipped);
        self
    }
}

pub fn scan(candidates: &[Candidate], plugins: &[Plugin]) -> Outcome {
    let mut outcome = candidates
        .par_iter()
        .map(|candidate| scan_file(candidate, plugins))
        .reduce(Outcome::default, Outcome::merge);
    outcome.skipped.sort();
    outcome.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
        .errors
        .sort_by(|a, b| (&a.path, a.location(), &a.message).cmp(&(&b.path, b.location(), &b.message)));
    outcome
}

fn scan_file(candidate: &Candidate, plugins: &[Plugin]) -> Outcome {
    let mut outcome = Outcome::default();
    let source = match read(candidate) {
        Ok(Some(source)) => source,
        Ok(None) => {
            if candidate.explicit {
                outcome.skipped.push(candidate.display.clone());
            }
            return outcome;
        }
        Err(error) => {
            outcome.files = 1;
            outcome.errors.push(error);
            return outcome;
        }
    };
    outcome.files = 1;
    let (format, file) = source;
    let document = match rampart_parse::parse(format, file.clone()) {
        Ok(document) => document,
        Err(err) => {
            outcome.errors.push(ScanError::at(ErrorKind::Parse, &file, err.span, err.message));
            return outcome;
        }
    };
    let evaluations = evaluate(&document, plugins);
    for evaluation in evaluations {
        outcome.findings.extend(evaluation.findings);
        outcome.errors.extend(evaluation.errors);
    }
    outcome
}

fn evaluate(document: &Document, plugins: &[Plugin]) -> Vec<rampart_runtime::Evaluation> {
    let prepared = PreparedDocument::new(document);
    plugins
        .par_iter()
        .filter(|plugin| plugin.applies_to(document.format) && !plugin.is_disabled())
        .map(|plugin| plugin.check(document, &prepared, &[]))
        .collect()
}

/// Reads a candidate; `Ok(None)` when its content shows it is not a format rampart reads.
fn read(candidate: &Candidate) -> Result<Option<(rampart_model::Format, Arc<SourceFile>)>, ScanError> {
    let named_format = match candidate.hint {
        NameHint::Format(format) => Some(format),
        NameHint::Sniff => None,
        NameHint::Skip => return Ok(None),
    };
    let io_error = |message: String| ScanError::new(ErrorKind::Io, Some(candidate.display.clone()), message);
    let size = std::fs::metadata(&candidate.path)
        .map_err(|e| io_error(format!("could not read the file: {e}")))?
        .len();
    if size > MAX_FILE_SIZE {
        return Err(io_error(format!(
            "the file is {} MiB, over the {} MiB limit; not scanned",
            size >> 20,
            MAX_FILE_SIZE >> 20
        )));
    }
    let bytes =
        std::fs::read(&candidate.path).map_err(|e| io_error(format!("could not read the file: {e}")))?;
    let sniffed = || rampart_parse::detect(&candidate.path, &bytes[..bytes.len().min(4096)]);
    let Some(format) = named_format.or_else(sniffed) else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        ScanError::new(
            ErrorKind::Parse,
            Some(candidate.display.clone()),
            format!("the file is not valid UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()),
        )
    })?;
    Ok(Some((format, Arc::new(SourceFile::new(candidate.display.clone(), text)))))
}
