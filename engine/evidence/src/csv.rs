//! `controls.csv`: one row per control, rule and file (RFC 4180, CRLF line ends, a header).
//!
//! Every control has at least one row: a control no rule implements has one with an empty
//! rule, a rule not in force one with status `not-in-force`, a rule in force that read no
//! file one with status `not-applicable`; the `file` column is empty on those rows.

use std::fmt::Write as _;

use rampart_policy::Shown;

use crate::status::{ControlResult, Evaluation, FileResult, RuleResult};
use crate::text::csv_field;

pub(crate) const HEADER: [&str; 17] = [
    "pack",
    "framework",
    "control_id",
    "control_title",
    "control_status",
    "rule",
    "rule_title",
    "in_force",
    "severity",
    "parameters",
    "file",
    "sha256",
    "status",
    "findings",
    "waived_findings",
    "waiver_reasons",
    "messages",
];

pub(crate) fn render(evaluation: &Evaluation<'_>) -> String {
    let mut out = String::new();
    row(&mut out, &HEADER.map(str::to_owned));
    for control in &evaluation.controls {
        let mut rules = control.rules(evaluation).peekable();
        if rules.peek().is_none() {
            row(&mut out, &cells(control, None, None, "not-applicable"));
        }
        for rule in rules {
            if !rule.rule.settings.enabled {
                row(&mut out, &cells(control, Some(rule), None, "not-in-force"));
            } else if rule.files.is_empty() {
                row(&mut out, &cells(control, Some(rule), None, "not-applicable"));
            }
            for file in &rule.files {
                row(&mut out, &cells(control, Some(rule), Some(file), file.status.as_str()));
            }
        }
    }
    out
}

fn cells(
    control: &ControlResult<'_>,
    rule: Option<&RuleResult<'_>>,
    file: Option<&FileResult<'_>>,
    status: &str,
) -> [String; 17] {
    let (id, title, in_force, severity, params) = match rule {
        Some(r) => (
            r.rule.meta.id.to_string(),
            r.rule.meta.title.clone(),
            r.rule.settings.enabled.to_string(),
            r.rule.settings.severity.unwrap_or(r.rule.meta.severity).to_string(),
            parameters(r),
        ),
        None => Default::default(),
    };
    let (path, sha256, findings, waived, reasons, messages) = match file {
        Some(f) => (
            f.path.to_owned(),
            f.file.and_then(|x| x.sha256.clone()).unwrap_or_default(),
            f.findings.len().to_string(),
            f.waived().to_string(),
            f.waiver_reasons().join("; "),
            messages(f),
        ),
        None => Default::default(),
    };
    [
        control.pack.name.clone(),
        control.framework().to_owned(),
        control.control.id.clone(),
        control.control.title.clone(),
        control.status.as_str().to_owned(),
        id,
        title,
        in_force,
        severity,
        params,
        path,
        sha256,
        status.to_owned(),
        findings,
        waived,
        reasons,
        messages,
    ]
}

/// `name = value` pairs as a pack would write them, `; `-separated.
pub(crate) fn parameters(rule: &RuleResult<'_>) -> String {
    let mut out = String::new();
    for (name, value) in &rule.rule.settings.params {
        if !out.is_empty() {
            out.push_str("; ");
        }
        let _ = write!(out, "{name} = {}", Shown(value));
    }
    out
}

/// One line per finding: `line:column [severity] message`, then `(waived: reason)`.
fn messages(file: &FileResult<'_>) -> String {
    let mut lines = Vec::new();
    for f in &file.findings {
        let mut line = format!("{}:{} [{}] {}", f.location.line, f.location.column, f.severity, f.message);
        if let Some(s) = &f.suppression {
            let _ = write!(line, " (waived: {})", s.justification);
        }
        lines.push(line);
    }
    for e in &file.errors {
        lines.push(format!("error ({}): {}", e.kind.as_str(), e.message));
    }
    lines.join("\n")
}

fn row(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(cell));
    }
    out.push_str("\r\n");
}
