//! rampart's reporters: the only crate that knows miette and output formats.
//!
//! A reporter receives findings and errors that already carry their source text and
//! locations; it never re-reads files.

mod human;
mod json;
mod source;

use std::collections::HashMap;

use rampart_model::{Finding, Notice, RuleId, RuleMeta, ScanError, Severity};

pub use human::{Style, human};
pub use json::{FORMAT_VERSION, json};

/// Everything a reporter needs about one scan.
#[derive(Debug)]
pub struct Report<'a> {
    /// Sorted in report order.
    pub findings: &'a [Finding],
    /// Sorted in report order.
    pub errors: &'a [ScanError],
    /// What was deliberately not evaluated; never affects the exit code.
    pub notices: &'a [Notice],
    /// The metadata of every rule that ran.
    pub rules: HashMap<&'a RuleId, &'a RuleMeta>,
    /// How many files were scanned.
    pub files: usize,
}

impl Report<'_> {
    fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}
