//! SARIF 2.1.0 output, for GitHub code scanning and every other SARIF consumer.
//!
//! One run: `tool.driver.rules` describes every rule that ran (sorted by id, so `ruleIndex`
//! is stable for a given rule set), each finding is one `result` with exactly one location,
//! and engine errors and notices are `toolExecutionNotifications` of the one invocation,
//! which is marked unsuccessful when an error made the scan fail closed.
//!
//! What GitHub needs, and why the output looks as it does:
//! - Paths are URIs relative to `%SRCROOT%` (the repository root, given absolutely in
//!   `originalUriBaseIds`): GitHub matches results to files by their path in the repository.
//!   A file outside the root keeps an absolute `file://` URI, which GitHub accepts but cannot
//!   show in the repository.
//! - `partialFingerprints["rampart/v1"]` carries rampart's own fingerprint (stable across
//!   edits elsewhere in the file), so alerts follow code that moves. GitHub's upload action
//!   adds its own `primaryLocationLineHash` from the checked-out file (it percent-decodes the
//!   URI and takes a relative one as relative to the checkout); we do not fake one.
//! - `properties["security-severity"]` on rules makes GitHub rank alerts as critical, high,
//!   medium or low instead of error, warning or note.
//! - GitHub keeps at most 25,000 results per run; beyond [`SARIF_MAX_RESULTS`] we keep the
//!   most severe ourselves, deterministically, and say so in a notification.
//!
//! Secrets: reporters run after `mask_secrets`, and snippets are cut from the (masked) text
//! the findings carry, never from disk. Suppression comments, errors and notices may point
//! into unmasked copies of a file, so their locations carry no snippet.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use rampart_model::{
    ErrorKind, Finding, Location, ParamValue, RuleId, RuleMeta, Severity, SourceFile, Span, SuppressionKind,
};
use serde::Serialize;

use crate::{Level, Report};

/// The most results one SARIF run holds: GitHub code scanning's own limit per run.
pub const SARIF_MAX_RESULTS: usize = 25_000;

/// Where the scan ran, which the output needs to turn display paths into repository URIs.
#[derive(Clone, Copy, Debug)]
pub struct SarifOptions<'a> {
    /// The repository root, absolute: results are reported relative to it (`%SRCROOT%`).
    pub src_root: &'a Path,
    /// The working directory, absolute: finding paths are relative to it, or absolute.
    pub cwd: &'a Path,
    /// `automationDetails.id`, e.g. `rampart/scan/`: GitHub keeps one set of alerts per
    /// category (everything up to the last `/`), so two scans of one repository with
    /// different categories do not close each other's alerts.
    pub automation_id: &'a str,
}

/// What the caller should tell the user about the output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SarifSummary {
    /// Results left out because of [`SARIF_MAX_RESULTS`].
    pub truncated: usize,
}

/// The schema GitHub and the SARIF tooling recognise as the final 2.1.0 schema.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The uriBaseId of the repository root.
const SRCROOT: &str = "%SRCROOT%";

/// The key of rampart's fingerprint in `partialFingerprints`; the version changes if the
/// fingerprint's recipe ever does, so old and new values are never compared.
const FINGERPRINT_KEY: &str = "rampart/v1";

/// Snippets longer than this are left out: a finding spanning a whole manifest would repeat
/// it in every result, and GitHub refuses SARIF files over 10 MB compressed.
const SNIPPET_MAX_BYTES: usize = 4096;

/// GitHub's limits on rule texts (`shortDescription` and `fullDescription`).
const DESCRIPTION_MAX_CHARS: usize = 1024;

/// Writes the report as one SARIF 2.1.0 log, pretty-printed, ending with a newline.
pub fn sarif(
    out: &mut dyn Write,
    report: &Report<'_>,
    options: &SarifOptions<'_>,
) -> io::Result<SarifSummary> {
    write_sarif(out, report, options, SARIF_MAX_RESULTS)
}

/// [`sarif`] with the result limit as a parameter, so tests can exercise truncation.
fn write_sarif(
    out: &mut dyn Write,
    report: &Report<'_>,
    options: &SarifOptions<'_>,
    limit: usize,
) -> io::Result<SarifSummary> {
    let uris = Uris::new(options);
    let rules = Rules::new(report);
    let kept = keep(report.findings, limit);
    let truncated = report.findings.len() - kept.len();
    let results = kept.iter().map(|&i| result(&report.findings[i], &rules, &uris)).collect();

    let mut notifications: Vec<Notification> = Vec::new();
    for error in report.errors {
        let descriptor = match error.kind {
            ErrorKind::Io => NotificationKind::IoError,
            ErrorKind::Parse => NotificationKind::ParseError,
            ErrorKind::Plugin => NotificationKind::PluginError,
        };
        let place = error.path.as_deref().map(|path| (path, error.location()));
        notifications.push(Notification::new(descriptor, "error", error.message.clone(), place, &uris));
    }
    for notice in report.notices {
        let place = Some((notice.path.as_str(), notice.location()));
        let kind = NotificationKind::NotEvaluated;
        notifications.push(Notification::new(kind, "note", notice.message.clone(), place, &uris));
    }
    if truncated > 0 {
        let message = format!(
            "{truncated} of {} findings were left out: a SARIF run holds at most {limit} results \
             (GitHub code scanning's limit), so the {limit} most severe were kept.",
            report.findings.len()
        );
        let kind = NotificationKind::ResultsTruncated;
        notifications.push(Notification::new(kind, "warning", message, None, &uris));
    }

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "rampart",
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: rules.descriptors,
                    notifications: NotificationKind::ALL.iter().map(|k| k.descriptor()).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: report.errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                ArtifactLocation { uri: uris.root_uri.clone(), uri_base_id: None },
            )]),
            automation_details: (!options.automation_id.is_empty())
                .then_some(AutomationDetails { id: options.automation_id }),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)?;
    Ok(SarifSummary { truncated })
}

/// The indices of the findings to report, in report order: all of them within the limit,
/// else the `limit` most severe (ties broken by report order, so the choice is
/// deterministic), as GitHub would otherwise drop results by its own rules.
fn keep(findings: &[Finding], limit: usize) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..findings.len()).collect();
    if findings.len() > limit {
        indices.sort_by_key(|&i| (std::cmp::Reverse(findings[i].severity), i));
        indices.truncate(limit);
        indices.sort_unstable();
    }
    indices
}

// ---------------------------------------------------------------------------------------
// Rules

/// `tool.driver.rules` and the index of each rule in it.
struct Rules<'a> {
    descriptors: Vec<ReportingDescriptor<'a>>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Rules<'a> {
    /// Every rule that ran, plus any rule a finding names without metadata (which would be
    /// a bug upstream, but must still give valid SARIF), sorted by id.
    fn new(report: &Report<'a>) -> Self {
        let mut ids: BTreeMap<&'a str, Option<&'a RuleMeta>> =
            report.rules.iter().map(|(id, meta)| (id.as_str(), Some(*meta))).collect();
        for finding in report.findings {
            ids.entry(finding.rule.as_str()).or_insert(None);
        }
        let descriptors: Vec<ReportingDescriptor<'a>> = ids
            .iter()
            .map(|(&id, meta)| match meta {
                Some(meta) => ReportingDescriptor::rule(meta),
                None => ReportingDescriptor::unknown(id),
            })
            .collect();
        let index = ids.keys().enumerate().map(|(i, &id)| (id, i)).collect();
        Self { descriptors, index }
    }
}

impl<'a> ReportingDescriptor<'a> {
    fn rule(meta: &'a RuleMeta) -> Self {
        // rampart's own rules judge the scan (suppressions without a reason, expired or
        // unused), not the code's security: without the `security` tag and score GitHub
        // lists them as plain errors, warnings and notes instead of security alerts.
        let engine = meta.id.is_engine();
        let mut tags = Vec::new();
        if !engine {
            tags.push("security".to_owned());
        }
        for tag in std::iter::once(meta.id.family()).chain(meta.formats.iter().map(|f| f.as_str())) {
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        ReportingDescriptor {
            id: meta.id.as_str(),
            name: pascal_name(&meta.id),
            short_description: Text::new(capped(&meta.title, DESCRIPTION_MAX_CHARS)),
            full_description: Text::new(capped(&meta.rationale, DESCRIPTION_MAX_CHARS)),
            default_configuration: Some(Configuration { level: level(meta.severity) }),
            help: Some(help(meta)),
            properties: Some(RuleProperties {
                tags,
                precision: "high",
                security_severity: (!engine).then(|| security_severity(meta.severity)),
                severity: meta.severity.as_str(),
            }),
        }
    }

    fn unknown(id: &'a str) -> Self {
        let text = format!("rampart has no description of the rule {id}.");
        ReportingDescriptor {
            id,
            name: pascal_name_of(id),
            short_description: Text::new(id.to_owned()),
            full_description: Text::new(text.clone()),
            default_configuration: None,
            help: Some(Help { text: text.clone(), markdown: text }),
            properties: None,
        }
    }
}

/// The rule's help in plain text and in Markdown: why, how to fix, references, parameters.
fn help(meta: &RuleMeta) -> Help {
    let mut text = vec![meta.rationale.clone(), format!("Fix: {}", meta.remediation)];
    let mut markdown = vec![meta.rationale.clone(), format!("**Fix:** {}", meta.remediation)];
    if !meta.references.is_empty() {
        let list: Vec<String> = meta.references.iter().map(|r| format!("- {r}")).collect();
        text.push(format!("References:\n{}", list.join("\n")));
        markdown.push(format!("**References**\n\n{}", list.join("\n")));
    }
    if !meta.params.is_empty() {
        let (plain, marked): (Vec<String>, Vec<String>) = meta
            .params
            .iter()
            .map(|p| {
                let default = param_value(&p.default);
                (
                    format!("- {} (default {default}): {}", p.name, p.description),
                    format!("- `{}` (default `{default}`): {}", p.name, p.description),
                )
            })
            .unzip();
        text.push(format!("Parameters:\n{}", plain.join("\n")));
        markdown.push(format!("**Parameters**\n\n{}", marked.join("\n")));
    }
    Help { text: text.join("\n\n"), markdown: markdown.join("\n\n") }
}

/// A parameter's default as policy packs write it (JSON: strings quoted, lists bracketed).
fn param_value(value: &ParamValue) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// `non-root/dockerfile-user` -> `NonRootDockerfileUser`: the SARIF tooling wants a rule's
/// `name` to be a Pascal-case identifier (one capital, then lowercase letters or digits,
/// per word). A word of one letter cannot be a word of its own there, so it joins the
/// previous one in lowercase (`tls/lb-a` -> `TlsLba`).
fn pascal_name(id: &RuleId) -> String {
    pascal_name_of(id.as_str())
}

fn pascal_name_of(id: &str) -> String {
    let mut name = String::new();
    for word in id.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let word = word.to_ascii_lowercase();
        let mut chars = word.chars();
        let Some(first) = chars.next() else { continue };
        let rest = chars.as_str();
        if name.is_empty() || (first.is_ascii_alphabetic() && !rest.is_empty()) {
            name.push(first.to_ascii_uppercase());
            name.push_str(rest);
        } else {
            // Digits and one-letter words continue the previous word.
            name.push_str(&word);
        }
    }
    name
}

/// At most `max` characters; a cut text ends with an ellipsis.
fn capped(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((end, _)) if text[end..].chars().count() > 1 => format!("{}…", &text[..end]),
        _ => text.to_owned(),
    }
}

/// The SARIF level of a severity (see [`Level`]).
fn level(severity: Severity) -> &'static str {
    match Level::of(severity) {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

/// GitHub's severity score: over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to
/// 3.9 low; each value sits inside its band.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

// ---------------------------------------------------------------------------------------
// Results

fn result<'a>(finding: &'a Finding, rules: &Rules<'_>, uris: &Uris) -> SarifResult<'a> {
    let related_locations = finding
        .related
        .iter()
        .enumerate()
        .map(|(i, related)| {
            let mut location = uris.location(
                &related.file.path,
                related.file.location(related.span),
                Some((&related.file, related.span)),
            );
            location.id = Some(i + 1);
            location.message = Some(Text::new(related.message.clone()));
            location
        })
        .collect();
    let suppressions = finding
        .suppression
        .iter()
        .map(|s| Suppression {
            kind: match s.kind {
                SuppressionKind::Inline => "inSource",
                SuppressionKind::Baseline => "external",
            },
            status: "accepted",
            justification: (!s.justification.is_empty()).then_some(s.justification.as_str()),
            // No snippet: the comment's file may be an unmasked copy.
            location: s.at.as_ref().map(|(file, span)| uris.location(&file.path, file.location(*span), None)),
            properties: s.expires.as_deref().map(|expires| SuppressionProperties { expires }),
        })
        .collect();
    SarifResult {
        rule_id: finding.rule.as_str(),
        rule_index: rules.index.get(finding.rule.as_str()).copied().unwrap_or_default(),
        level: level(finding.severity),
        message: Text::new(finding.message.clone()),
        locations: [uris.location(&finding.file.path, finding.location, Some((&finding.file, finding.span)))],
        related_locations,
        partial_fingerprints: (!finding.fingerprint.is_empty())
            .then(|| BTreeMap::from([(FINGERPRINT_KEY, finding.fingerprint.as_str())])),
        suppressions,
        properties: ResultProperties { severity: finding.severity.as_str() },
    }
}

/// The text of `span`, snapped to character boundaries; `None` when it is not in the file.
fn text_at(file: &SourceFile, span: Span) -> Option<&str> {
    let text = &*file.text;
    let start = (span.start as usize).min(text.len());
    let end = (span.end as usize).clamp(start, text.len());
    text.get(text.floor_char_boundary(start)..text.ceil_char_boundary(end))
}

/// The region of a finding, with its snippet when the text is at hand, and the lines
/// around it (one before, one after) as the context region.
fn regions(at: Location, source: Option<(&SourceFile, Span)>) -> (Region, Option<Region>) {
    let mut region = Region {
        start_line: at.line.max(1),
        start_column: at.column.max(1),
        end_line: at.end_line.max(at.line).max(1),
        end_column: at.end_column.max(1),
        snippet: None,
    };
    if region.end_line == region.start_line {
        region.end_column = region.end_column.max(region.start_column);
    }
    let Some((file, span)) = source else { return (region, None) };
    region.snippet =
        text_at(file, span).filter(|s| s.len() <= SNIPPET_MAX_BYTES).map(|s| Text::new(s.to_owned()));
    let context = context_region(file, &region);
    (region, context)
}

/// Whole lines from the one before `region` to the one after it, when that is more than
/// the region itself (SARIF wants a context region to be a proper superset).
fn context_region(file: &SourceFile, region: &Region) -> Option<Region> {
    let text = &*file.text;
    let starts = file.line_starts();
    // A text ending in a newline has an empty last "line" after it: not worth showing.
    let mut lines = starts.len();
    if lines > 1 && starts[lines - 1] as usize == text.len() {
        lines -= 1;
    }
    // 0-based: the line before the region's first, the line after its last.
    let first = (region.start_line as usize - 1).saturating_sub(1);
    let last = (region.end_line as usize).min(lines - 1);
    if first > last {
        return None;
    }
    let from = starts[first] as usize;
    let to = starts.get(last + 1).map_or(text.len(), |&s| s as usize - 1);
    let to = if text[..to].ends_with('\r') { to - 1 } else { to };
    let snippet = text.get(from..to)?;
    if snippet.len() > SNIPPET_MAX_BYTES {
        return None;
    }
    let last_line = &text[starts[last] as usize..to];
    let mut context = Region {
        start_line: first as u32 + 1,
        start_column: 1,
        end_line: last as u32 + 1,
        end_column: last_line.chars().count() as u32 + 1,
        snippet: Some(Text::new(snippet.to_owned())),
    };
    if context.end_line == region.end_line {
        context.end_column = context.end_column.max(region.end_column);
    }
    let same = (context.start_line, context.start_column, context.end_line, context.end_column)
        == (region.start_line, region.start_column, region.end_line, region.end_column);
    (!same && context.end_line >= region.end_line).then_some(context)
}

// ---------------------------------------------------------------------------------------
// Paths and URIs

/// Turns display paths (relative to the working directory, or absolute) into artifact
/// locations: relative to `%SRCROOT%` when under the repository root, else absolute.
struct Uris {
    cwd: PathBuf,
    root: PathBuf,
    root_uri: String,
}

impl Uris {
    fn new(options: &SarifOptions<'_>) -> Self {
        let cwd = normalized(options.cwd);
        // Both should be absolute; a relative root is taken as relative to the working
        // directory rather than turned into a wrong `file://` URI.
        let root = normalized(&cwd.join(options.src_root));
        let mut root_uri = file_uri(&root);
        if !root_uri.ends_with('/') {
            root_uri.push('/');
        }
        Self { cwd, root, root_uri }
    }

    fn artifact(&self, path: &str) -> ArtifactLocation {
        let absolute = normalized(&self.cwd.join(path));
        match absolute.strip_prefix(&self.root) {
            Ok(relative) if relative.components().next().is_some() => {
                let segments: Vec<String> =
                    relative.components().map(|c| encoded(&c.as_os_str().to_string_lossy())).collect();
                ArtifactLocation { uri: segments.join("/"), uri_base_id: Some(SRCROOT) }
            }
            _ => ArtifactLocation { uri: file_uri(&absolute), uri_base_id: None },
        }
    }

    fn location(&self, path: &str, at: Location, source: Option<(&SourceFile, Span)>) -> SarifLocation {
        let (region, context_region) = regions(at, source);
        SarifLocation {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: self.artifact(path),
                region: Some(region),
                context_region,
            },
            message: None,
        }
    }

    /// A location that may have no place in the file (an unreadable file).
    fn place(&self, path: &str, at: Option<Location>) -> SarifLocation {
        SarifLocation {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: self.artifact(path),
                region: at.map(|at| regions(at, None).0),
                context_region: None,
            },
            message: None,
        }
    }
}

/// `path` without `.` and `..` components, resolved lexically: the reporter never touches
/// the file system, and a `..` in a URI is what SARIF validators reject.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// An absolute `file://` URI, each segment percent-encoded.
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    let mut segments = 0;
    for component in path.components() {
        match component {
            // A Windows drive (`C:`) stays as it is: `file:///C:/...`.
            Component::Prefix(prefix) => {
                uri.push('/');
                uri.push_str(&prefix.as_os_str().to_string_lossy().replace('\\', "/"));
            }
            Component::Normal(segment) => {
                uri.push('/');
                uri.push_str(&encoded(&segment.to_string_lossy()));
                segments += 1;
            }
            Component::RootDir | Component::CurDir | Component::ParentDir => {}
        }
    }
    if segments == 0 {
        uri.push('/');
    }
    uri
}

/// A path segment percent-encoded per RFC 3986: every byte but the unreserved characters
/// (letters, digits, `-`, `.`, `_`, `~`), so `#`, `?`, `%` and spaces can never be read as
/// URI syntax.
fn encoded(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Notifications

/// What a tool execution notification is about; each is a descriptor in
/// `tool.driver.notifications`, always all of them, so their indices are fixed.
#[derive(Clone, Copy)]
enum NotificationKind {
    IoError,
    ParseError,
    PluginError,
    NotEvaluated,
    ResultsTruncated,
}

impl NotificationKind {
    const ALL: [NotificationKind; 5] = [
        NotificationKind::IoError,
        NotificationKind::ParseError,
        NotificationKind::PluginError,
        NotificationKind::NotEvaluated,
        NotificationKind::ResultsTruncated,
    ];

    fn id(self) -> &'static str {
        match self {
            NotificationKind::IoError => "rampart/io-error",
            NotificationKind::ParseError => "rampart/parse-error",
            NotificationKind::PluginError => "rampart/plugin-error",
            NotificationKind::NotEvaluated => "rampart/not-evaluated",
            NotificationKind::ResultsTruncated => "rampart/results-truncated",
        }
    }

    /// What happened, and what to do about it (GitHub wants help on every descriptor).
    fn texts(self) -> (&'static str, &'static str) {
        match self {
            NotificationKind::IoError => (
                "A file could not be read, or was over the size limit, so no rule judged it.",
                "Make the file readable, raise the limit with --max-file-size, or leave the file out with --exclude.",
            ),
            NotificationKind::ParseError => (
                "A file could not be parsed, so no rule judged it.",
                "Fix the syntax error at the location given, or leave the file out with --exclude.",
            ),
            NotificationKind::PluginError => (
                "A plugin failed (a trap, a panic, a time-out, the memory cap or a malformed result), so its rules did not judge the file.",
                "Report it to the plugin's authors with the message; a time-out or the memory cap can also be raised.",
            ),
            NotificationKind::NotEvaluated => (
                "Something was deliberately not evaluated, such as a Helm template or a remote Terraform module.",
                "Scan what it produces instead (the rendered manifests, the module's source) to have it judged.",
            ),
            NotificationKind::ResultsTruncated => (
                "There were more findings than one SARIF run may hold, so only the most severe were kept.",
                "Fix or waive the most severe findings, or scan fewer files at a time, to see the rest.",
            ),
        }
    }

    fn descriptor(self) -> ReportingDescriptor<'static> {
        let (description, remedy) = self.texts();
        let help = format!("{description} {remedy}");
        ReportingDescriptor {
            id: self.id(),
            name: pascal_name_of(self.id().trim_start_matches("rampart/")),
            short_description: Text::new(description.to_owned()),
            full_description: Text::new(description.to_owned()),
            default_configuration: None,
            help: Some(Help { text: help.clone(), markdown: help }),
            properties: None,
        }
    }

    /// Its index in `tool.driver.notifications`, which lists [`Self::ALL`] in declaration order.
    fn index(self) -> usize {
        self as usize
    }
}

impl Notification {
    fn new(
        kind: NotificationKind,
        level: &'static str,
        message: String,
        place: Option<(&str, Option<Location>)>,
        uris: &Uris,
    ) -> Self {
        Notification {
            locations: place.map(|(path, at)| uris.place(path, at)).into_iter().collect(),
            message: Text::new(message),
            level,
            descriptor: DescriptorReference { id: kind.id(), index: kind.index() },
        }
    }
}

// ---------------------------------------------------------------------------------------
// The SARIF objects written (only the properties rampart fills in)

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<AutomationDetails<'a>>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    semantic_version: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
    notifications: Vec<ReportingDescriptor<'static>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RuleProperties>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    /// rampart's own name of the rule's default severity.
    severity: &'static str,
}

/// A `message` or a `multiformatMessageString` with plain text only.
#[derive(Serialize)]
struct Text {
    text: String,
}

impl Text {
    fn new(text: String) -> Self {
        Self { text }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    message: Text,
    level: &'static str,
    descriptor: DescriptorReference,
}

#[derive(Serialize)]
struct DescriptorReference {
    id: &'static str,
    index: usize,
}

#[derive(Serialize)]
struct AutomationDetails<'a> {
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [SarifLocation; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partial_fingerprints: Option<BTreeMap<&'static str, &'a str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context_region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// A text region; `endColumn` is exclusive, as in [`Location`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text>,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<SarifLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<SuppressionProperties<'a>>,
}

#[derive(Serialize)]
struct SuppressionProperties<'a> {
    expires: &'a str,
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{
        Format, Notice, ParamSpec, Related, ScanError, ScannedFile, Suppression as Waiver, mask_secrets,
    };
    use serde_json::Value;

    use super::*;

    const ROOT: &str = "/srv/repo";
    /// The unmasked secret of the rich report; no output may contain it.
    const SECRET: &str = "sk-live-0123456789abcdef";

    fn meta(id: &str, severity: Severity, formats: &[Format]) -> RuleMeta {
        RuleMeta {
            id: if let Some(name) = id.strip_prefix("rampart/") {
                RuleId::engine(name)
            } else {
                RuleId::parse(id).unwrap()
            },
            title: format!("Title of {id}"),
            severity,
            formats: formats.to_vec(),
            rationale: format!("Why {id} matters."),
            remediation: format!("How to fix {id}."),
            references: vec!["CIS Docker Benchmark 4.1".into(), "NIST SP 800-53 AC-6".into()],
            params: Vec::new(),
        }
    }

    fn file(path: &str, text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile::new(path, text))
    }

    /// The span of the first occurrence of `needle` in the file.
    fn span_of(file: &SourceFile, needle: &str) -> Span {
        let start = file.text.find(needle).unwrap_or_else(|| panic!("{needle} not in {}", file.path)) as u32;
        Span::new(start, start + needle.len() as u32)
    }

    fn finding(
        rule: &RuleMeta,
        severity: Severity,
        file: &Arc<SourceFile>,
        span: Span,
        message: &str,
    ) -> Finding {
        Finding {
            rule: rule.id.clone(),
            severity,
            message: message.into(),
            file: Arc::clone(file),
            span,
            location: file.location(span),
            related: Vec::new(),
            plugin: rule.id.family().into(),
            secret: false,
            suppression: None,
            fingerprint: String::new(),
        }
    }

    /// Everything a report can hold, as the CLI hands it over: findings sorted, secrets
    /// masked, fingerprints computed.
    struct Rich {
        rules: Vec<RuleMeta>,
        findings: Vec<Finding>,
        errors: Vec<ScanError>,
        notices: Vec<Notice>,
        scanned: Vec<ScannedFile>,
    }

    impl Rich {
        fn new() -> Self {
            let mut secret_rule =
                meta("secrets/hardcoded-key", Severity::Critical, &[Format::Env, Format::Terraform]);
            secret_rule.params = vec![
                ParamSpec {
                    name: "min_length".into(),
                    description: "Shorter values are not reported.".into(),
                    default: ParamValue::Integer(12),
                },
                ParamSpec {
                    name: "allow".into(),
                    description: "Names never reported.".into(),
                    default: ParamValue::Texts(vec!["EXAMPLE_KEY".into()]),
                },
            ];
            let tls = meta("tls/lb-listener", Severity::High, &[Format::Terraform]);
            let user = meta("non-root/dockerfile-user", Severity::Medium, &[Format::Dockerfile]);
            let health = meta("hygiene/dockerfile-healthcheck", Severity::Low, &[Format::Dockerfile]);
            let logging = meta("logging/lb-access-logs", Severity::Info, &[Format::Terraform]);
            let engine = meta("rampart/suppression-without-reason", Severity::Low, &[]);

            let main_tf = file(
                "main.tf",
                "resource \"aws_lb_listener\" \"web\" {\n  port     = 80\n  protocol = \"HTTP\"\n}\n",
            );
            let tfvars = file("terraform.tfvars", "listener_port = 80\n");
            let spaced = file(
                "dir with space/a#b.tf",
                "# rampart:ignore tls/lb-listener reason=\"internal only\" expires=2030-01-01\nresource \"aws_lb_listener\" \"internal\" { protocol = \"HTTP\" }\n",
            );
            let dockerfile =
                file("app/Dockerfile", "FROM node:20\nCOPY . /app\nCMD [\"node\", \"/app/server.js\"]\n");
            let env = file(
                ".env",
                &format!(
                    "DB_HOST=db\n# rampart:ignore logging/lb-access-logs reason=\"dev only\"\nAPI_KEY={SECRET}\n"
                ),
            );
            let outside = file("../outside/x.tf", "resource \"aws_lb\" \"x\" {}\n");
            let absolute = file("/etc/rampart/y.tf", "resource \"aws_lb\" \"y\" {}");

            let mut multi_line = finding(
                &tls,
                Severity::High,
                &main_tf,
                Span::new(0, main_tf.text.len() as u32 - 1),
                "the listener accepts plain HTTP",
            );
            multi_line.related.push(Related {
                file: Arc::clone(&tfvars),
                span: span_of(&tfvars, "80"),
                message: "the port is set here".into(),
            });
            multi_line.related.push(Related {
                file: Arc::clone(&main_tf),
                span: span_of(&main_tf, "\"HTTP\""),
                message: "the protocol is set here".into(),
            });

            let mut inline = finding(
                &tls,
                Severity::High,
                &spaced,
                span_of(&spaced, "protocol = \"HTTP\""),
                "the internal listener accepts plain HTTP",
            );
            inline.suppression = Some(Waiver {
                kind: SuppressionKind::Inline,
                justification: "internal only".into(),
                at: Some((Arc::clone(&spaced), span_of(&spaced, "# rampart:ignore tls/lb-listener"))),
                expires: Some("2030-01-01".into()),
            });
            let mut baseline = finding(
                &health,
                Severity::Low,
                &dockerfile,
                span_of(&dockerfile, "FROM node:20"),
                "the final stage (FROM node:20) declares no HEALTHCHECK",
            );
            baseline.suppression = Some(Waiver {
                kind: SuppressionKind::Baseline,
                justification: "listed in .rampart-baseline.json".into(),
                at: None,
                expires: None,
            });
            let mut secret = finding(
                &secret_rule,
                Severity::Critical,
                &env,
                span_of(&env, SECRET),
                &format!("API_KEY holds {SECRET}"),
            );
            secret.secret = true;
            let mut near_secret = finding(
                &logging,
                Severity::Info,
                &env,
                span_of(&env, "DB_HOST"),
                "DB_HOST is set in a committed file",
            );
            // The waiver's comment points into the file as read, next to the secret: masking
            // leaves it alone, so its location must never carry a snippet or context lines.
            near_secret.suppression = Some(Waiver {
                kind: SuppressionKind::Inline,
                justification: "dev only".into(),
                at: Some((Arc::clone(&env), span_of(&env, "# rampart:ignore"))),
                expires: None,
            });

            let mut findings = vec![
                multi_line,
                inline,
                baseline,
                finding(
                    &user,
                    Severity::Medium,
                    &dockerfile,
                    span_of(&dockerfile, "CMD"),
                    "the image runs as root",
                ),
                // An empty span: a point between two characters.
                finding(&user, Severity::Medium, &dockerfile, Span::new(5, 5), "an empty span"),
                secret,
                near_secret,
                finding(
                    &tls,
                    Severity::High,
                    &outside,
                    span_of(&outside, "aws_lb"),
                    "outside the repository",
                ),
                finding(
                    &logging,
                    Severity::Info,
                    &absolute,
                    span_of(&absolute, "aws_lb"),
                    "an absolute path outside",
                ),
                finding(
                    &engine,
                    Severity::Low,
                    &dockerfile,
                    span_of(&dockerfile, "COPY"),
                    "a suppression without a reason",
                ),
            ];
            findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            mask_secrets(&mut findings);
            rampart_model::fingerprint_all(&mut findings);

            let broken = file("broken.yaml", "a: [1, 2\n");
            let errors = vec![
                ScanError::at(
                    ErrorKind::Parse,
                    &broken,
                    Span::new(8, 8),
                    "expected `]` before the end of the file",
                ),
                ScanError::new(ErrorKind::Io, Some("huge.tf".into()), "over the 8 MiB size limit"),
                ScanError::new(ErrorKind::Plugin, None, "plugin `tls` ran out of fuel"),
            ];
            let chart = file("chart/templates/deploy.yaml", "{{ .Values.x }}\n");
            let notices = vec![
                Notice {
                    path: chart.path.clone(),
                    span: Some((Arc::clone(&chart), Span::new(0, 15))),
                    message: "a Helm template is not evaluated".into(),
                },
                Notice {
                    path: "modules.tf".into(),
                    span: None,
                    message: "the remote module is not evaluated".into(),
                },
            ];
            Rich {
                rules: vec![secret_rule, tls, user, health, logging, engine],
                findings,
                errors,
                notices,
                scanned: Vec::new(),
            }
        }

        fn report(&self) -> Report<'_> {
            Report {
                findings: &self.findings,
                errors: &self.errors,
                notices: &self.notices,
                rules: self.rules.iter().map(|r| (&r.id, r)).collect(),
                files: 8,
                scanned: &self.scanned,
                baseline: None,
            }
        }
    }

    fn options() -> SarifOptions<'static> {
        SarifOptions { src_root: Path::new(ROOT), cwd: Path::new(ROOT), automation_id: "rampart/scan/" }
    }

    fn render(report: &Report<'_>, limit: usize) -> (String, SarifSummary) {
        let mut out = Vec::new();
        let summary = write_sarif(&mut out, report, &options(), limit).unwrap();
        (String::from_utf8(out).unwrap(), summary)
    }

    fn rich_json() -> Value {
        let rich = Rich::new();
        let (text, _) = render(&rich.report(), SARIF_MAX_RESULTS);
        serde_json::from_str(&text).unwrap()
    }

    fn schema_errors(log: &Value) -> Vec<String> {
        let schema: Value =
            serde_json::from_str(include_str!("../../../schemas/sarif-schema-2.1.0.json")).unwrap();
        let validator = jsonschema::draft4::options().should_validate_formats(true).build(&schema).unwrap();
        validator.iter_errors(log).map(|e| format!("{}: {e}", e.instance_path())).collect()
    }

    #[test]
    fn the_rich_report_is_valid_against_the_oasis_schema() {
        let log = rich_json();
        assert_eq!(schema_errors(&log), Vec::<String>::new());
        // The validator does reject what the schema forbids.
        let mut broken = log.clone();
        broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
        broken["runs"][0]["results"][0]["level"] = "fatal".into();
        // Formats are checked too (`uri`; draft 4 has no `uri-reference`, which artifact
        // locations use: see every_uri_is_a_valid_uri_reference).
        broken["runs"][0]["tool"]["driver"]["informationUri"] = "no uri".into();
        assert_eq!(schema_errors(&broken).len(), 3, "{:?}", schema_errors(&broken));
    }

    /// Every `uri` property in the log, with the JSON path to it.
    fn uris(value: &Value, path: &str, found: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    if key == "uri" {
                        found.push((path.to_owned(), value.as_str().unwrap().to_owned()));
                    }
                    uris(value, &format!("{path}/{key}"), found);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    uris(item, &format!("{path}/{i}"), found);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_uri_is_a_valid_uri_reference() {
        let mut found = Vec::new();
        uris(&rich_json(), "", &mut found);
        assert!(found.len() > 15, "{found:?}");
        for (path, uri) in &found {
            // Percent-encoded segments: unreserved characters, `/` and `%XX` only, after the
            // scheme and empty authority of an absolute file URI.
            let rest = uri.strip_prefix("file://").unwrap_or(uri);
            assert!(!rest.is_empty(), "{path}: {uri}");
            let mut bytes = rest.bytes();
            while let Some(b) = bytes.next() {
                let ok = if b == b'%' {
                    bytes.next().is_some_and(|h| h.is_ascii_hexdigit())
                        && bytes.next().is_some_and(|h| h.is_ascii_hexdigit())
                } else {
                    b.is_ascii_alphanumeric() || b"-._~/".contains(&b)
                };
                assert!(ok, "{path}: {uri} has {:?} unencoded", char::from(b));
            }
            assert!(!rest.split('/').any(|s| s == ".." || s == "."), "{path}: {uri}");
        }
    }

    #[test]
    fn an_empty_report_is_valid_and_still_has_results() {
        let report = Report {
            findings: &[],
            errors: &[],
            notices: &[],
            rules: HashMap::new(),
            files: 0,
            scanned: &[],
            baseline: None,
        };
        let (text, summary) = render(&report, SARIF_MAX_RESULTS);
        assert!(text.ends_with("}\n"));
        assert_eq!(summary, SarifSummary { truncated: 0 });
        let log: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(schema_errors(&log), Vec::<String>::new());
        assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()), "GitHub requires the array");
        assert_eq!(log["runs"][0]["invocations"][0]["executionSuccessful"], true);
    }

    #[test]
    fn the_log_has_what_github_requires() {
        let rich = Rich::new();
        let log = rich_json();
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["$schema"], SCHEMA);
        let runs = log["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(run["automationDetails"]["id"], "rampart/scan/");
        assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///srv/repo/");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "rampart");
        assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));

        // Rules: every rule that ran, sorted, complete.
        let rules = driver["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let mut sorted: Vec<&str> = rich.rules.iter().map(|r| r.id.as_str()).collect();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
        for rule in rules {
            let id = rule["id"].as_str().unwrap();
            for field in ["shortDescription", "fullDescription"] {
                assert!(!rule[field]["text"].as_str().unwrap().is_empty(), "{id}: {field}");
            }
            assert!(rule["help"]["text"].as_str().unwrap().contains("How to fix"), "{id}");
            assert!(rule["help"]["markdown"].as_str().unwrap().contains("**Fix:**"), "{id}");
            let name = rule["name"].as_str().unwrap();
            assert!(
                name.chars().next().unwrap().is_ascii_uppercase()
                    && name.chars().all(|c| c.is_ascii_alphanumeric()),
                "{name}"
            );
            let tags: Vec<&str> =
                rule["properties"]["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
            let engine = id.starts_with("rampart/");
            assert_eq!(tags.contains(&"security"), !engine, "{id}: {tags:?}");
            assert!(tags.contains(&id.split('/').next().unwrap()), "{id}: {tags:?}");
            match rule["properties"]["security-severity"].as_str() {
                Some(score) => {
                    let score: f64 = score.parse().unwrap();
                    assert!(score > 0.0 && score <= 10.0, "{id}: {score}");
                }
                None => assert!(engine, "{id} has no security-severity"),
            }
        }
        let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
        assert_eq!(rule("secrets/hardcoded-key")["properties"]["security-severity"], "9.5");
        assert_eq!(rule("secrets/hardcoded-key")["defaultConfiguration"]["level"], "error");
        assert_eq!(rule("tls/lb-listener")["properties"]["security-severity"], "8.0");
        assert_eq!(rule("non-root/dockerfile-user")["properties"]["security-severity"], "5.5");
        assert_eq!(rule("non-root/dockerfile-user")["defaultConfiguration"]["level"], "warning");
        assert_eq!(rule("hygiene/dockerfile-healthcheck")["properties"]["security-severity"], "3.0");
        assert_eq!(rule("logging/lb-access-logs")["properties"]["security-severity"], "1.0");
        assert_eq!(rule("logging/lb-access-logs")["defaultConfiguration"]["level"], "note");
        assert_eq!(rule("non-root/dockerfile-user")["name"], "NonRootDockerfileUser");
        let help = rule("secrets/hardcoded-key")["help"]["markdown"].as_str().unwrap();
        assert!(help.contains("- CIS Docker Benchmark 4.1"), "{help}");
        assert!(help.contains("- `min_length` (default `12`): Shorter values are not reported."), "{help}");
        assert!(help.contains("- `allow` (default `[\"EXAMPLE_KEY\"]`)"), "{help}");

        // Results: one per finding, in report order.
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), rich.findings.len());
        for (result, finding) in results.iter().zip(&rich.findings) {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
            assert_eq!(result["ruleId"], finding.rule.as_str());
            let expected = match finding.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "note",
            };
            assert_eq!(result["level"], expected, "{}", finding.message);
            assert_eq!(result["properties"]["severity"], finding.severity.as_str());
            assert_eq!(result["message"]["text"], finding.message.as_str());
            assert!(!finding.fingerprint.is_empty());
            assert_eq!(result["partialFingerprints"]["rampart/v1"], finding.fingerprint.as_str());
            assert!(result["partialFingerprints"].get("primaryLocationLineHash").is_none());
            let locations = result["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1);
            let physical = &locations[0]["physicalLocation"];
            let region = &physical["region"];
            let at = finding.location;
            assert_eq!(
                [&region["startLine"], &region["startColumn"], &region["endLine"], &region["endColumn"]],
                [&at.line.into(), &at.column.into(), &at.end_line.into(), &at.end_column.into()]
                    as [&Value; 4],
                "{}",
                finding.message
            );
            assert!(region["endColumn"].as_u64().unwrap() >= 1);
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            if finding.message.contains("outside") {
                assert!(
                    uri.starts_with("file:///") && physical["artifactLocation"].get("uriBaseId").is_none(),
                    "{uri}"
                );
            } else {
                assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%", "{uri}");
                assert!(!uri.contains(':') && !uri.starts_with('/'), "{uri}");
            }
        }
    }

    #[test]
    fn regions_carry_snippets_and_context_lines() {
        let log = rich_json();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let by_message = |m: &str| results.iter().find(|r| r["message"]["text"] == m).unwrap();

        let multi = &by_message("the listener accepts plain HTTP")["locations"][0]["physicalLocation"];
        assert_eq!(multi["region"]["startLine"], 1);
        assert_eq!(multi["region"]["endLine"], 4);
        assert!(
            multi["region"]["snippet"]["text"].as_str().unwrap().starts_with("resource \"aws_lb_listener\"")
        );
        assert!(multi.get("contextRegion").is_none(), "the whole file is no proper superset");

        let from = &by_message("the final stage (FROM node:20) declares no HEALTHCHECK")["locations"][0];
        let context = &from["physicalLocation"]["contextRegion"];
        assert_eq!(
            (&context["startLine"], &context["endLine"]),
            (&1.into(), &2.into()),
            "no line before the first"
        );
        assert_eq!(context["endColumn"], 12);
        assert_eq!(context["snippet"]["text"], "FROM node:20\nCOPY . /app");

        let cmd = &by_message("the image runs as root")["locations"][0]["physicalLocation"];
        assert_eq!(cmd["region"]["snippet"]["text"], "CMD");
        assert_eq!(cmd["contextRegion"]["startLine"], 2);
        assert_eq!(cmd["contextRegion"]["endLine"], 3);
        assert_eq!(
            cmd["contextRegion"]["snippet"]["text"],
            "COPY . /app\nCMD [\"node\", \"/app/server.js\"]"
        );

        let empty = &by_message("an empty span")["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (&empty["startColumn"], &empty["endColumn"]),
            (&6.into(), &6.into()),
            "an insertion point"
        );
        assert_eq!(empty["snippet"]["text"], "");

        let related = by_message("the listener accepts plain HTTP")["relatedLocations"].as_array().unwrap();
        assert_eq!(related.len(), 2);
        assert_eq!(related[0]["id"], 1);
        assert_eq!(related[0]["message"]["text"], "the port is set here");
        assert_eq!(related[0]["physicalLocation"]["artifactLocation"]["uri"], "terraform.tfvars");
        assert_eq!(related[0]["physicalLocation"]["region"]["snippet"]["text"], "80");
        assert_eq!(related[1]["id"], 2);
        assert_eq!(related[1]["physicalLocation"]["region"]["startLine"], 3);
    }

    #[test]
    fn paths_become_uris_relative_to_the_repository_root() {
        let at_root = Uris::new(&options());
        let uri = |uris: &Uris, path: &str| {
            let a = uris.artifact(path);
            (a.uri, a.uri_base_id)
        };
        let root = Some(SRCROOT);
        assert_eq!(uri(&at_root, "main.tf"), ("main.tf".into(), root));
        assert_eq!(uri(&at_root, "./app/../app/Dockerfile"), ("app/Dockerfile".into(), root));
        assert_eq!(uri(&at_root, "dir with space/a#b.tf"), ("dir%20with%20space/a%23b.tf".into(), root));
        assert_eq!(uri(&at_root, "50%/é?.tf"), ("50%25/%C3%A9%3F.tf".into(), root));
        assert_eq!(uri(&at_root, "/srv/repo/k8s/x.yaml"), ("k8s/x.yaml".into(), root));
        assert_eq!(uri(&at_root, "../outside/x.tf"), ("file:///srv/outside/x.tf".into(), None));
        assert_eq!(
            uri(&at_root, "/srv/repository/x.tf"),
            ("file:///srv/repository/x.tf".into(), None),
            "a prefix is not a parent"
        );
        assert_eq!(uri(&at_root, "/etc/a b.tf"), ("file:///etc/a%20b.tf".into(), None));

        // Run from a subdirectory: display paths are relative to it.
        let sub = Uris::new(&SarifOptions { cwd: Path::new("/srv/repo/infra/prod"), ..options() });
        assert_eq!(uri(&sub, "main.tf"), ("infra/prod/main.tf".into(), root));
        assert_eq!(uri(&sub, "../../app/Dockerfile"), ("app/Dockerfile".into(), root));
        assert_eq!(uri(&sub, "../../../elsewhere.tf"), ("file:///srv/elsewhere.tf".into(), None));

        let odd_root = Uris::new(&SarifOptions { src_root: Path::new("/srv/my repo/./"), ..options() });
        assert_eq!(odd_root.root_uri, "file:///srv/my%20repo/");
        assert_eq!(Uris::new(&SarifOptions { src_root: Path::new("/"), ..options() }).root_uri, "file:///");
    }

    #[test]
    fn suppressed_findings_stay_with_their_waiver() {
        let log = rich_json();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let suppressed: Vec<&Value> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
        assert_eq!(suppressed.len(), 3);
        let inline =
            suppressed.iter().find(|r| r["suppressions"][0]["justification"] == "internal only").unwrap();
        assert_eq!(inline["suppressions"][0]["kind"], "inSource");
        let waiver = &inline["suppressions"][0];
        assert_eq!(waiver["status"], "accepted");
        assert_eq!(waiver["justification"], "internal only");
        assert_eq!(waiver["properties"]["expires"], "2030-01-01");
        let at = &waiver["location"]["physicalLocation"];
        assert_eq!(at["artifactLocation"]["uri"], "dir%20with%20space/a%23b.tf");
        assert_eq!(at["region"]["startLine"], 1);
        assert!(at["region"].get("snippet").is_none());
        let baseline = suppressed.iter().find(|r| r["suppressions"][0]["kind"] == "external").unwrap();
        assert_eq!(baseline["suppressions"][0]["justification"], "listed in .rampart-baseline.json");
        assert!(baseline["suppressions"][0].get("location").is_none());
    }

    #[test]
    fn errors_and_notices_are_notifications_of_the_invocation() {
        let log = rich_json();
        let driver = &log["runs"][0]["tool"]["driver"];
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false, "an engine error fails the scan closed");
        let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
        let summary: Vec<(&str, &str, bool)> = notifications
            .iter()
            .map(|n| {
                let index = n["descriptor"]["index"].as_u64().unwrap() as usize;
                assert_eq!(driver["notifications"][index]["id"], n["descriptor"]["id"]);
                (
                    n["level"].as_str().unwrap(),
                    n["descriptor"]["id"].as_str().unwrap(),
                    n.get("locations").is_some(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("error", "rampart/parse-error", true),
                ("error", "rampart/io-error", true),
                ("error", "rampart/plugin-error", false),
                ("note", "rampart/not-evaluated", true),
                ("note", "rampart/not-evaluated", true),
            ]
        );
        let parse = &notifications[0]["locations"][0]["physicalLocation"];
        assert_eq!(parse["artifactLocation"]["uri"], "broken.yaml");
        assert_eq!(parse["region"]["startLine"], 1);
        assert_eq!(parse["region"]["startColumn"], 9);
        assert!(notifications[1]["locations"][0]["physicalLocation"].get("region").is_none());
        assert_eq!(notifications[2]["message"]["text"], "plugin `tls` ran out of fuel");

        let rich = Rich::new();
        let clean = Report { errors: &[], ..rich.report() };
        let (text, _) = render(&clean, SARIF_MAX_RESULTS);
        let log: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"], true,
            "notices do not fail a scan"
        );
    }

    #[test]
    fn over_the_limit_the_most_severe_are_kept_in_report_order() {
        let rich = Rich::new();
        let report = rich.report();
        let (text, summary) = render(&report, 4);
        assert_eq!(summary.truncated, rich.findings.len() - 4);
        let log: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(schema_errors(&log), Vec::<String>::new());
        let kept: Vec<(&str, &str)> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["properties"]["severity"].as_str().unwrap(),
                    r["partialFingerprints"]["rampart/v1"].as_str().unwrap(),
                )
            })
            .collect();
        // One critical and three highs, in report order.
        let mut expected: Vec<(usize, &Finding)> = rich.findings.iter().enumerate().collect();
        expected.retain(|(_, f)| f.severity >= Severity::High);
        assert_eq!(expected.len(), 4);
        let expected: Vec<(&str, &str)> =
            expected.iter().map(|(_, f)| (f.severity.as_str(), f.fingerprint.as_str())).collect();
        assert_eq!(kept, expected);

        // Ties at the cut are broken by report order: the first medium is kept.
        let (text, summary) = render(&report, 5);
        assert_eq!(summary.truncated, rich.findings.len() - 5);
        let log: Value = serde_json::from_str(&text).unwrap();
        let first_medium = rich.findings.iter().find(|f| f.severity == Severity::Medium).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(
            results
                .iter()
                .any(|r| r["partialFingerprints"]["rampart/v1"] == first_medium.fingerprint.as_str())
        );
        assert_eq!(text, render(&report, 5).0, "deterministic");

        let notifications =
            log["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
        let warning = notifications.last().unwrap();
        assert_eq!(warning["level"], "warning");
        assert_eq!(warning["descriptor"]["id"], "rampart/results-truncated");
        let message = warning["message"]["text"].as_str().unwrap();
        assert!(
            message.starts_with(&format!(
                "{} of {} findings were left out",
                summary.truncated,
                rich.findings.len()
            )),
            "{message}"
        );

        let (_, summary) = render(&report, rich.findings.len());
        assert_eq!(summary.truncated, 0);
    }

    #[test]
    fn a_masked_secret_never_reaches_the_output() {
        let rich = Rich::new();
        let secret = rich.findings.iter().find(|f| f.secret).unwrap();
        assert!(!secret.message.contains(SECRET), "mask_secrets ran");
        let (text, _) = render(&rich.report(), SARIF_MAX_RESULTS);
        assert!(!text.contains(SECRET), "the secret is in the SARIF output");
        assert!(!text.contains("0123456789abcdef"), "part of the secret is in the SARIF output");
        // The snippets and context lines that show its line show it masked.
        assert!(text.contains("API_KEY=sk-l********************"), "{text}");
    }

    #[test]
    fn a_finding_of_an_unknown_rule_gets_a_descriptor() {
        let rich = Rich::new();
        let mut report = rich.report();
        report.rules.retain(|id, _| id.as_str() != "tls/lb-listener");
        let (text, _) = render(&report, SARIF_MAX_RESULTS);
        let log: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(schema_errors(&log), Vec::<String>::new());
        let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), rich.rules.len());
        for result in log["runs"][0]["results"].as_array().unwrap() {
            assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], result["ruleId"]);
        }
    }

    #[test]
    fn rule_names_are_pascal_case_identifiers() {
        for (id, name) in [
            ("non-root/dockerfile-user", "NonRootDockerfileUser"),
            ("tls/lb-a", "TlsLba"),
            ("tls/tls12-only", "TlsTls12Only"),
            ("encryption/s3-2fa", "EncryptionS32fa"),
            ("rampart/suppression-without-reason", "RampartSuppressionWithoutReason"),
        ] {
            assert_eq!(pascal_name_of(id), name);
        }
    }

    #[test]
    fn long_descriptions_are_capped() {
        assert_eq!(capped("abc", 3), "abc");
        assert_eq!(capped("abcd", 3), "ab…");
        assert_eq!(capped("ééééé", 4).chars().count(), 4);
        assert_eq!(capped("", 3), "");
    }

    /// Writes SARIF files for `.ci/sarif-multitool` into the directory `$RAMPART_SARIF_OUT`:
    /// the rich report, the same truncated, and an empty report.
    /// `RAMPART_SARIF_OUT=/tmp/sarif cargo test -p rampart-report -- --ignored sarif_files`, then
    /// `.ci/sarif-multitool /tmp/sarif/*.sarif`.
    #[test]
    #[ignore = "writes files for the SARIF Multitool"]
    fn sarif_files_for_the_multitool() {
        let dir =
            PathBuf::from(std::env::var_os("RAMPART_SARIF_OUT").expect("RAMPART_SARIF_OUT: a directory"));
        std::fs::create_dir_all(&dir).unwrap();
        let rich = Rich::new();
        let empty = Report {
            findings: &[],
            errors: &[],
            notices: &[],
            rules: HashMap::new(),
            files: 0,
            scanned: &[],
            baseline: None,
        };
        for (name, report, limit) in [
            ("rich", rich.report(), SARIF_MAX_RESULTS),
            ("truncated", rich.report(), 4),
            ("empty", empty, SARIF_MAX_RESULTS),
        ] {
            std::fs::write(dir.join(format!("{name}.sarif")), render(&report, limit).0).unwrap();
        }
    }
}
