//! rampart's reporters: the only crate that knows miette and output formats.
//!
//! A reporter receives findings and errors that already carry their source text and
//! locations; it never re-reads files.

mod github;
mod human;
mod json;
mod junit;
mod sarif;
mod source;

use std::collections::HashMap;

use rampart_model::{Finding, Notice, RuleId, RuleMeta, ScanError, ScannedFile, Severity};

pub use github::github;
pub use human::{Style, human};
pub use json::{FORMAT_VERSION, json};
pub use junit::junit;
pub use sarif::{SARIF_MAX_RESULTS, SarifOptions, SarifSummary, sarif};

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
    /// Every file read, in path order, with its format.
    pub scanned: &'a [ScannedFile],
}

impl Report<'_> {
    fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

/// The one-line summary every text report ends with: `3 findings (1 high, 2 low) in 4 files; 0 errors`.
pub(crate) fn summary(report: &Report<'_>) -> String {
    let files = plural(report.files, "file", "files");
    let mut errors = plural(report.errors.len(), "error", "errors");
    if !report.notices.is_empty() {
        errors = format!("{errors}; {}", plural(report.notices.len(), "notice", "notices"));
    }
    if report.findings.is_empty() {
        return format!("no findings in {files}; {errors}");
    }
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|&s| {
            let n = report.count(s);
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    format!(
        "{} ({}) in {files}; {errors}",
        plural(report.findings.len(), "finding", "findings"),
        by_severity.join(", ")
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
