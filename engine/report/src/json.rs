//! JSON output: one object with `findings` and `errors`. The shape is documented in
//! docs/json-output.md and versioned by `format_version`.

use std::io::{self, Write};

use rampart_model::{Finding, Location, ScanError};
use serde::Serialize;

use crate::Report;

/// Bumped on any incompatible change to the JSON shape.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    format_version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    notices: Vec<JsonNotice<'a>>,
    summary: Summary,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
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
    findings: usize,
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
        summary: Summary {
            files: report.files,
            findings: report.findings.len(),
            errors: report.errors.len(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::other)?;
    writeln!(out)
}
