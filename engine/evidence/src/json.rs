//! `evidence.json`: the evaluation in rampart's own shape, versioned by `format_version`.

use std::collections::BTreeMap;

use rampart_model::{ErrorKind, Finding, Format, Location, ParamValue, ScanError, Severity, SuppressionKind};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::status::{ControlResult, Evaluation, FileResult, RuleResult, Status};
use crate::{EvidenceError, Scope, TOOL, Times};

/// Bumped on any incompatible change to the shape of `evidence.json`.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Evidence<'a> {
    format_version: u32,
    tool: Tool<'a>,
    /// Absent only in the text the content digest is taken of.
    #[serde(skip_serializing_if = "Option::is_none")]
    started: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished: Option<&'a str>,
    git_commit: Option<&'a str>,
    paths: &'a [String],
    summary: BTreeMap<&'static str, usize>,
    packs: Vec<PackJson<'a>>,
    plugins: Vec<PluginJson<'a>>,
    files: Vec<FileJson<'a>>,
    not_evaluated: Vec<NoticeJson<'a>>,
    errors: Vec<ErrorJson<'a>>,
    controls: Vec<ControlJson<'a>>,
    /// Findings of rules that are not in force or implement no control.
    other_findings: Vec<FindingJson<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct PackJson<'a> {
    name: &'a str,
    framework: Option<&'a str>,
    source: String,
    sha256: &'a str,
    controls: usize,
}

#[derive(Serialize)]
struct PluginJson<'a> {
    name: &'a str,
    version: &'a str,
    sha256: &'a str,
    origin: &'a str,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    format: Format,
    bytes: u64,
    sha256: &'a str,
}

#[derive(Serialize)]
struct NoticeJson<'a> {
    path: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    kind: ErrorKind,
    path: Option<&'a str>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    message: &'a str,
}

#[derive(Serialize)]
struct ControlJson<'a> {
    pack: &'a str,
    framework: &'a str,
    id: &'a str,
    oscal_id: &'a str,
    title: &'a str,
    status: Status,
    rules: Vec<RuleJson<'a>>,
}

#[derive(Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    title: &'a str,
    plugin: &'a str,
    in_force: bool,
    severity: Severity,
    formats: &'a [Format],
    params: BTreeMap<&'a str, &'a ParamValue>,
    status: Status,
    files_by_status: BTreeMap<&'static str, usize>,
    files: Vec<RuleFileJson<'a>>,
}

#[derive(Serialize)]
struct RuleFileJson<'a> {
    path: &'a str,
    sha256: Option<&'a str>,
    status: Status,
    findings: Vec<FindingJson<'a>>,
    errors: Vec<ErrorJson<'a>>,
}

#[derive(Serialize)]
pub(crate) struct FindingJson<'a> {
    rule: &'a str,
    severity: Severity,
    path: &'a str,
    #[serde(flatten)]
    location: Location,
    message: &'a str,
    fingerprint: &'a str,
    plugin: &'a str,
    waived: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<WaiverJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedJson<'a>>,
}

#[derive(Serialize)]
struct WaiverJson<'a> {
    kind: SuppressionKind,
    reason: &'a str,
    expires: Option<&'a str>,
}

#[derive(Serialize)]
struct RelatedJson<'a> {
    path: &'a str,
    #[serde(flatten)]
    location: Location,
    message: &'a str,
}

/// `evidence.json`, and the SHA-256 digest of its content without the start and end times
/// (what the OSCAL document's UUIDs derive from).
pub(crate) fn render(
    scope: &Scope<'_>,
    evaluation: &Evaluation<'_>,
    times: &Times,
) -> Result<(Vec<u8>, [u8; 32]), EvidenceError> {
    let json_error = |source| EvidenceError::Json { file: crate::EVIDENCE_FILE, source };
    let mut doc = Evidence {
        format_version: FORMAT_VERSION,
        tool: Tool { name: TOOL, version: scope.tool_version },
        started: None,
        finished: None,
        git_commit: scope.git_commit,
        paths: scope.paths,
        summary: Status::ALL.iter().map(|&s| (s.as_str(), evaluation.count(s))).collect(),
        packs: scope
            .packs
            .iter()
            .map(|p| PackJson {
                name: &p.name,
                framework: p.framework.as_deref(),
                source: pack_source(p),
                sha256: &p.sha256,
                controls: p.controls.len(),
            })
            .collect(),
        plugins: scope
            .plugins
            .iter()
            .map(|p| PluginJson { name: &p.name, version: &p.version, sha256: &p.sha256, origin: &p.origin })
            .collect(),
        files: scope
            .files
            .iter()
            .map(|f| FileJson {
                path: &f.path,
                format: f.format,
                bytes: f.bytes,
                sha256: f.sha256.as_deref().unwrap_or(""),
            })
            .collect(),
        not_evaluated: evaluation
            .notices
            .iter()
            .map(|n| NoticeJson { path: &n.path, message: &n.message })
            .collect(),
        errors: evaluation.errors.iter().map(error).collect(),
        controls: evaluation.controls.iter().map(|c| control(c, evaluation)).collect(),
        other_findings: evaluation.other_findings.iter().map(|f| finding(f)).collect(),
    };
    let digest: [u8; 32] = Sha256::digest(serde_json::to_vec(&doc).map_err(json_error)?).into();
    doc.started = Some(&times.started);
    doc.finished = Some(&times.finished);
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(json_error)?;
    bytes.push(b'\n');
    Ok((bytes, digest))
}

/// `builtin:<name>` or the pack's path.
pub(crate) fn pack_source(pack: &rampart_policy::Pack) -> String {
    match &pack.source {
        rampart_policy::PackSource::Builtin => format!("builtin:{}", pack.name),
        rampart_policy::PackSource::File(path) => path.display().to_string(),
    }
}

fn control<'a>(c: &'a ControlResult<'a>, evaluation: &'a Evaluation<'a>) -> ControlJson<'a> {
    ControlJson {
        pack: &c.pack.name,
        framework: c.framework(),
        id: &c.control.id,
        oscal_id: &c.oscal_id,
        title: &c.control.title,
        status: c.status,
        rules: c.rules(evaluation).map(rule).collect(),
    }
}

fn rule<'a>(r: &'a RuleResult<'a>) -> RuleJson<'a> {
    let meta = r.rule.meta;
    RuleJson {
        id: meta.id.as_str(),
        title: &meta.title,
        plugin: r.rule.plugin,
        in_force: r.rule.settings.enabled,
        severity: r.rule.settings.severity.unwrap_or(meta.severity),
        formats: &meta.formats,
        params: r.rule.settings.params.iter().map(|(name, value)| (name.as_str(), value)).collect(),
        status: r.status,
        files_by_status: [Status::Fail, Status::Error, Status::Waived, Status::Pass]
            .iter()
            .map(|&s| (s.as_str(), r.count(s)))
            .collect(),
        files: r.files.iter().map(file).collect(),
    }
}

fn file<'a>(f: &'a FileResult<'a>) -> RuleFileJson<'a> {
    RuleFileJson {
        path: f.path,
        sha256: f.file.and_then(|file| file.sha256.as_deref()),
        status: f.status,
        findings: f.findings.iter().map(|x| finding(x)).collect(),
        errors: f.errors.iter().map(|e| error(e)).collect(),
    }
}

pub(crate) fn finding(f: &Finding) -> FindingJson<'_> {
    FindingJson {
        rule: f.rule.as_str(),
        severity: f.severity,
        path: &f.file.path,
        location: f.location,
        message: &f.message,
        fingerprint: &f.fingerprint,
        plugin: &f.plugin,
        waived: f.is_suppressed(),
        waiver: f.suppression.as_ref().map(|s| WaiverJson {
            kind: s.kind,
            reason: &s.justification,
            expires: s.expires.as_deref(),
        }),
        related: f
            .related
            .iter()
            .map(|r| RelatedJson {
                path: &r.file.path,
                location: r.file.location(r.span),
                message: &r.message,
            })
            .collect(),
    }
}

fn error(e: &ScanError) -> ErrorJson<'_> {
    ErrorJson { kind: e.kind, path: e.path.as_deref(), location: e.location(), message: &e.message }
}
