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
    /// The baseline in force, if any: its file and the entries that no longer occur.
    pub baseline: Option<BaselineOutcome<'a>>,
}

/// A finding recorded in a baseline file (`--write-baseline`), by fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    /// Where it was when recorded; informational (the fingerprint does not depend on it).
    pub line: u32,
    pub message: String,
}

/// What applying a baseline did.
#[derive(Clone, Copy, Debug)]
pub struct BaselineOutcome<'a> {
    /// The baseline file, as given.
    pub file: &'a str,
    /// How many findings it waived.
    pub matched: usize,
    /// Its entries that no longer occur: fixed, or changed beyond recognition.
    pub resolved: &'a [BaselineEntry],
}

impl Report<'_> {
    /// Unsuppressed findings of a severity.
    fn count(&self, severity: Severity) -> usize {
        self.active().filter(|f| f.severity == severity).count()
    }

    /// The findings that are not suppressed: those the exit code and text reports are about.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_suppressed())
    }
}

/// How loudly code-scanning formats (SARIF, GitHub annotations) report a severity: high and
/// critical findings block (error), medium ones should be fixed (warning), low and info ones
/// are worth knowing (SARIF `note`, GitHub `notice`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub(crate) fn of(severity: Severity) -> Level {
        match severity {
            Severity::Critical | Severity::High => Level::Error,
            Severity::Medium => Level::Warning,
            Severity::Low | Severity::Info => Level::Note,
        }
    }
}

/// The one-line summary every text report ends with: `3 findings (1 high, 2 low) in 4 files; 0 errors`.
pub(crate) fn summary(report: &Report<'_>) -> String {
    let files = plural(report.files, "file", "files");
    let mut errors = plural(report.errors.len(), "error", "errors");
    if !report.notices.is_empty() {
        errors = format!("{errors}; {}", plural(report.notices.len(), "notice", "notices"));
    }
    let suppressed = report.findings.iter().filter(|f| f.is_suppressed()).count();
    if suppressed > 0 {
        errors = format!("{errors}; {suppressed} suppressed");
    }
    if let Some(baseline) = &report.baseline
        && !baseline.resolved.is_empty()
    {
        let gone = match baseline.resolved.len() {
            1 => "1 baseline entry no longer occurs".to_owned(),
            n => format!("{n} baseline entries no longer occur"),
        };
        errors = format!("{errors}; {gone}");
    }
    let active = report.active().count();
    if active == 0 {
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
    format!("{} ({}) in {files}; {errors}", plural(active, "finding", "findings"), by_severity.join(", "))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
