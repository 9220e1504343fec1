//! What a scan produces: findings (policy verdicts) and errors (failures to judge).

use std::sync::Arc;

use crate::{Location, RuleId, Severity, SourceFile, Span};

/// A secondary location explaining a finding.
#[derive(Clone, Debug)]
pub struct Related {
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub message: String,
}

/// A rule violation at a place in a file.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub message: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub location: Location,
    pub related: Vec<Related>,
    /// The name of the plugin that reported it.
    pub plugin: String,
}

impl Finding {
    /// The deterministic report order: path, line, column, rule, then message.
    pub fn sort_key(&self) -> (&str, u32, u32, &RuleId, &str) {
        (&self.file.path, self.location.line, self.location.column, &self.rule, &self.message)
    }
}

/// What kind of failure an error is; all of them fail the scan closed (exit code 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The file could not be parsed.
    Parse,
    /// A plugin failed: trap, panic, time-out, memory cap, malformed result.
    Plugin,
}

/// A failure to judge something. Never turned into a policy verdict.
#[derive(Clone, Debug)]
pub struct ScanError {
    pub kind: ErrorKind,
    pub path: Option<String>,
    /// Where in the file, when the failure has a place (parse errors do).
    pub span: Option<(Arc<SourceFile>, Span)>,
    pub message: String,
}

impl ScanError {
    pub fn new(kind: ErrorKind, path: Option<String>, message: impl Into<String>) -> Self {
        Self { kind, path, span: None, message: message.into() }
    }

    pub fn at(kind: ErrorKind, file: &Arc<SourceFile>, span: Span, message: impl Into<String>) -> Self {
        Self {
            kind,
            path: Some(file.path.clone()),
            span: Some((file.clone(), span)),
            message: message.into(),
        }
    }

    pub fn location(&self) -> Option<Location> {
        self.span.as_ref().map(|(file, span)| file.location(*span))
    }
}

/// Something the scan deliberately did not evaluate (a Helm template, a remote Terraform
/// module): said once, so nothing passes in silence, but not an error.
#[derive(Clone, Debug)]
pub struct Notice {
    pub path: String,
    /// Where in the file, when there is a place to show.
    pub span: Option<(Arc<SourceFile>, Span)>,
    pub message: String,
}

impl Notice {
    pub fn location(&self) -> Option<Location> {
        self.span.as_ref().map(|(file, span)| file.location(*span))
    }
}
