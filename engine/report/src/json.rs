//! JSON output: one object with `findings` (suppressed ones too, marked), `errors`,
//! `notices`, the baseline's outcome and a summary. The shape is documented in
//! docs/json-output.md and versioned by `format_version`.

use std::io::{self, Write};

use rampart_model::{Finding, Location, ScanError};
use serde::Serialize;

use crate::Report;

/// Bumped on any incompatible change to the JSON shape.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Serialize)]
struct JsonReport<'a> {
    format_version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    notices: Vec<JsonNotice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonBaseline<'a> {
    file: &'a str,
    matched: usize,
    resolved: &'a [crate::BaselineEntry],
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: rampart_model::SuppressionKind,
    justification: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: rampart_model::Severity,
    message: &'a str,
    path: &'a str,
    #[serde(flatten)]
    location: Location,
    plugin: &'a str,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<JsonSuppression<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    path: &'a str,
    #[serde(flatten)]
    location: Location,
}

#[derive(Serialize)]
struct JsonError<'a> {
    kind: rampart_model::ErrorKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonNotice<'a> {
    path: &'a str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    /// Unsuppressed findings.
    findings: usize,
    suppressed: usize,
    errors: usize,
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: f.rule.as_str(),
        severity: f.severity,
        message: &f.message,
        path: &f.file.path,
        location: f.location,
        plugin: &f.plugin,
        fingerprint: &f.fingerprint,
        suppression: f.suppression.as_ref().map(|s| JsonSuppression {
            kind: s.kind,
            justification: &s.justification,
            expires: s.expires.as_deref(),
            path: s.at.as_ref().map(|(file, _)| file.path.as_str()),
            line: s.at.as_ref().map(|(file, span)| file.location(*span).line),
        }),
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                message: &r.message,
                path: &r.file.path,
                location: r.file.location(r.span),
            })
            .collect(),
    }
}

fn error(e: &ScanError) -> JsonError<'_> {
    JsonError { kind: e.kind, path: e.path.as_deref(), location: e.location(), message: &e.message }
}

/// Writes the report as one pretty-printed JSON object.
pub fn json(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    let value = JsonReport {
        format_version: FORMAT_VERSION,
        tool: Tool { name: "rampart", version: env!("CARGO_PKG_VERSION") },
        findings: report.findings.iter().map(finding).collect(),
        errors: report.errors.iter().map(error).collect(),
        notices: report
            .notices
            .iter()
            .map(|n| JsonNotice { path: &n.path, location: n.location(), message: &n.message })
            .collect(),
        baseline: report.baseline.map(|b| JsonBaseline {
            file: b.file,
            matched: b.matched,
            resolved: b.resolved,
        }),
        summary: Summary {
            files: report.files,
            findings: report.active().count(),
            suppressed: report.findings.len() - report.active().count(),
            errors: report.errors.len(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::other)?;
    writeln!(out)
}
