//! `report.html`: one self-contained page for people. Inline CSS only: no script, no
//! external resource, every text HTML-escaped.

use std::fmt::Write as _;

use ed25519_dalek::VerifyingKey;
use rampart_model::{Finding, ScanError};

use crate::status::{ControlResult, Evaluation, FileResult, RuleResult, Status};
use crate::text::html as esc;
use crate::{Scope, TOOL, Times};

const STYLE: &str = "
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2328; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
h3 { font-size: 1.1rem; margin-top: 1.8rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
table.kv th { width: 11rem; }
code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
.hash { word-break: break-all; }
.st { display: inline-block; min-width: 6.5rem; text-align: center; border-radius: 1rem; padding: 0 .5rem; font-weight: 600; font-size: 12px; color: #fff; }
.st-pass { background: #1a7f37; }
.st-fail { background: #cf222e; }
.st-waived { background: #bf8700; }
.st-error { background: #8250df; }
.st-not-applicable, .st-not-in-force { background: #6e7781; }
.muted { color: #59636e; }
.control { border-left: 4px solid #d0d7de; padding-left: 1rem; margin-top: 1.5rem; }
.control.c-pass { border-color: #1a7f37; } .control.c-fail { border-color: #cf222e; }
.control.c-waived { border-color: #bf8700; } .control.c-error { border-color: #8250df; }
.message { white-space: pre-wrap; }
details > summary { cursor: pointer; color: #0969da; }
@media print { body { margin: 0; } }
";

pub(crate) fn render(
    scope: &Scope<'_>,
    evaluation: &Evaluation<'_>,
    times: &Times,
    signer: Option<VerifyingKey>,
) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let frameworks = crate::oscal::frameworks(scope);
    let title = format!("Compliance evidence: {}", frameworks.join(", "));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n\
         <p class=\"muted\">Written by {TOOL} {}. Statuses: a file <em>fails</em> a rule on any finding that is not waived, \
         is in <em>error</em> when the scan could not judge it, is <em>waived</em> when every finding is suppressed with a reason. \
         A control takes the most severe status of its rules' files, and is <em>not applicable</em> when no rule implementing it is in force \
         or no file of their formats was scanned.</p>\n",
        esc(&title),
        esc(&title),
        esc(scope.tool_version),
    );

    scope_section(&mut out, scope, evaluation, times, signer);
    summary_section(&mut out, evaluation);
    errors_section(&mut out, evaluation);
    controls_section(&mut out, evaluation);
    if !evaluation.other_findings.is_empty() {
        out.push_str(
            "<h2>Other findings</h2>\n<p class=\"muted\">Findings of rules that are not in force or implement none of the controls above.</p>\n",
        );
        findings_table(&mut out, &evaluation.other_findings, true);
    }
    inventory_section(&mut out, scope);
    let _ = write!(
        out,
        "<h2>Verifying this bundle</h2>\n<p>Every file of the bundle is listed with its SHA-256 in <code>{sums}</code>: run \
         <code>sha256sum -c {sums}</code> in the bundle directory, or <code>{TOOL} evidence verify DIR</code>. \
         A signed bundle also holds <code>{sig}</code> (Ed25519) and <code>{key}</code>; the signature shows who produced the bundle \
         only when that key is compared with one obtained elsewhere (<code>--public-key</code>).</p>\n</body>\n</html>\n",
        sums = crate::SUMS_FILE,
        sig = crate::SIGNATURE_FILE,
        key = crate::PUBLIC_KEY_FILE,
    );
    out
}

fn badge(status: &str) -> String {
    format!("<span class=\"st st-{status}\">{status}</span>")
}

fn scope_section(
    out: &mut String,
    scope: &Scope<'_>,
    evaluation: &Evaluation<'_>,
    times: &Times,
    signer: Option<VerifyingKey>,
) {
    out.push_str("<h2>Scope</h2>\n<table class=\"kv\">\n");
    let mut kv = |key: &str, value: String| {
        let _ = writeln!(out, "<tr><th>{key}</th><td>{value}</td></tr>");
    };
    kv("Tool", format!("{TOOL} {}", esc(scope.tool_version)));
    kv("Started", format!("<code>{}</code>", esc(&times.started)));
    kv("Finished", format!("<code>{}</code>", esc(&times.finished)));
    kv(
        "Git commit",
        scope.git_commit.map_or_else(
            || "<span class=\"muted\">not recorded</span>".to_owned(),
            |c| format!("<code>{}</code>", esc(c)),
        ),
    );
    let paths: Vec<String> = scope.paths.iter().map(|p| format!("<code>{}</code>", esc(p))).collect();
    kv(
        "Paths",
        if paths.is_empty() { "<span class=\"muted\">none given</span>".to_owned() } else { paths.join(" ") },
    );
    kv("Files scanned", scope.files.len().to_string());
    kv(
        "Signed by",
        signer.map_or_else(
            || "<span class=\"muted\">not signed</span>".to_owned(),
            |key| {
                format!(
                    "Ed25519 key <code>{}</code> (SHA-256 of the public key, DER)",
                    crate::key_fingerprint(&key)
                )
            },
        ),
    );
    kv(
        "Not evaluated",
        if evaluation.notices.is_empty() {
            "<span class=\"muted\">nothing</span>".to_owned()
        } else {
            let items: Vec<String> = evaluation
                .notices
                .iter()
                .map(|n| format!("<code>{}</code>: {}", esc(&n.path), esc(&n.message)))
                .collect();
            items.join("<br>")
        },
    );
    out.push_str("</table>\n<h3>Policy packs</h3>\n<table>\n<tr><th>Pack</th><th>Framework</th><th>Source</th><th>Controls</th><th>SHA-256</th></tr>\n");
    for pack in scope.packs {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"hash\">{}</td></tr>",
            esc(&pack.name),
            esc(pack.framework.as_deref().unwrap_or("")),
            esc(&crate::json::pack_source(pack)),
            pack.controls.len(),
            esc(&pack.sha256)
        );
    }
    out.push_str("</table>\n<h3>Plugins</h3>\n<table>\n<tr><th>Plugin</th><th>Version</th><th>Origin</th><th>SHA-256</th></tr>\n");
    for plugin in &scope.plugins {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td class=\"hash\">{}</td></tr>",
            esc(&plugin.name),
            esc(&plugin.version),
            esc(&plugin.origin),
            esc(&plugin.sha256)
        );
    }
    out.push_str("</table>\n");
}

fn summary_section(out: &mut String, evaluation: &Evaluation<'_>) {
    out.push_str("<h2>Summary</h2>\n<p>");
    let counts: Vec<String> =
        Status::ALL.iter().map(|&s| format!("{} {}", badge(s.as_str()), evaluation.count(s))).collect();
    out.push_str(&counts.join(" &nbsp; "));
    out.push_str(
        "</p>\n<table>\n<tr><th>Framework</th><th>Control</th><th>Title</th><th>Status</th><th>Rules in force</th><th>Files assessed</th><th>Findings (waived)</th></tr>\n",
    );
    for (index, control) in evaluation.controls.iter().enumerate() {
        let rules: Vec<&RuleResult<'_>> =
            control.rules(evaluation).filter(|r| r.rule.settings.enabled).collect();
        let files: usize = rules.iter().map(|r| r.files.len()).sum();
        let findings: usize = rules.iter().map(|r| r.findings().count()).sum();
        let waived: usize = rules.iter().map(|r| r.findings().filter(|f| f.is_suppressed()).count()).sum();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><a href=\"#control-{index}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{files}</td><td>{findings} ({waived})</td></tr>",
            esc(control.framework()),
            esc(&control.control.id),
            esc(&control.control.title),
            badge(control.status.as_str()),
            rules.len(),
        );
    }
    out.push_str("</table>\n");
}

fn errors_section(out: &mut String, evaluation: &Evaluation<'_>) {
    if evaluation.errors.is_empty() {
        return;
    }
    out.push_str("<h2>Scan errors</h2>\n<p class=\"muted\">What the scan could not judge. An error that names no scanned file leaves every control with a rule in force incompletely assessed.</p>\n");
    errors_table(out, evaluation.errors.iter());
}

fn errors_table<'a>(out: &mut String, errors: impl Iterator<Item = &'a ScanError>) {
    out.push_str("<table>\n<tr><th>Kind</th><th>Where</th><th>Message</th></tr>\n");
    for error in errors {
        let place = match (&error.path, error.location()) {
            (Some(path), Some(at)) => format!("{path}:{}:{}", at.line, at.column),
            (Some(path), None) => path.clone(),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"message\">{}</td></tr>",
            error.kind.as_str(),
            esc(&place),
            esc(&error.message)
        );
    }
    out.push_str("</table>\n");
}

fn controls_section(out: &mut String, evaluation: &Evaluation<'_>) {
    out.push_str("<h2>Controls</h2>\n");
    for (index, control) in evaluation.controls.iter().enumerate() {
        control_details(out, index, control, evaluation);
    }
}

fn control_details(out: &mut String, index: usize, control: &ControlResult<'_>, evaluation: &Evaluation<'_>) {
    let _ = write!(
        out,
        "<section class=\"control c-{status}\" id=\"control-{index}\">\n<h3>{} {} &mdash; {}</h3>\n\
         <p class=\"muted\">{} control, pack <code>{}</code>, OSCAL control id <code>{}</code>; mapped rules: <code>{}</code></p>\n",
        badge(control.status.as_str()),
        esc(&control.control.id),
        esc(&control.control.title),
        esc(control.framework()),
        esc(&control.pack.name),
        esc(&control.oscal_id),
        esc(&control.control.rules.join(", ")),
        status = control.status.as_str(),
    );
    if control.rules.is_empty() {
        out.push_str("<p>No loaded rule implements this control.</p>\n");
    }
    if control.status != Status::Fail
        && control.status != Status::Pass
        && !evaluation.unattributed_errors.is_empty()
    {
        let in_force = control.rules(evaluation).any(|r| r.rule.settings.enabled);
        if in_force {
            out.push_str("<p>Incompletely assessed: the scan had errors that name no scanned file (see <em>Scan errors</em>).</p>\n");
        }
    }
    for rule in control.rules(evaluation) {
        rule_details(out, rule);
    }
    out.push_str("</section>\n");
}

fn rule_details(out: &mut String, rule: &RuleResult<'_>) {
    let meta = rule.rule.meta;
    let settings = &rule.rule.settings;
    let status = if settings.enabled { rule.status.as_str() } else { "not-in-force" };
    let params = crate::csv::parameters(rule);
    let formats: Vec<&str> = meta.formats.iter().map(|f| f.as_str()).collect();
    let _ = writeln!(
        out,
        "<h4>{} <code>{}</code> {}</h4>\n<p class=\"muted\">plugin <code>{}</code>, severity {}, formats {}; parameters: {}</p>",
        badge(status),
        esc(meta.id.as_str()),
        esc(&meta.title),
        esc(rule.rule.plugin),
        settings.severity.unwrap_or(meta.severity),
        esc(&formats.join(", ")),
        if params.is_empty() { "none".to_owned() } else { format!("<code>{}</code>", esc(&params)) },
    );
    if !settings.enabled {
        out.push_str("<p>Disabled by the policy in force: it assessed nothing.</p>\n");
        return;
    }
    if rule.files.is_empty() {
        out.push_str("<p>No scanned file is in a format this rule reads.</p>\n");
        return;
    }
    let (passing, other): (Vec<&FileResult<'_>>, Vec<&FileResult<'_>>) =
        rule.files.iter().partition(|f| f.status == Status::Pass);
    if !other.is_empty() {
        files_table(out, &other);
    }
    if !passing.is_empty() {
        let _ = writeln!(out, "<details><summary>{} file(s) pass</summary>", passing.len());
        files_table(out, &passing);
        out.push_str("</details>\n");
    }
}

fn files_table(out: &mut String, files: &[&FileResult<'_>]) {
    out.push_str(
        "<table>\n<tr><th>File</th><th>Status</th><th>SHA-256</th><th>Findings and errors</th></tr>\n",
    );
    for file in files {
        let sha = file.file.and_then(|f| f.sha256.as_deref()).unwrap_or("not in the inventory");
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"hash\">{}</td><td>",
            esc(file.path),
            badge(file.status.as_str()),
            esc(sha)
        );
        if !file.findings.is_empty() {
            findings_table(out, &file.findings, false);
        }
        if !file.errors.is_empty() {
            errors_table(out, file.errors.iter().copied());
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n");
}

fn findings_table(out: &mut String, findings: &[&Finding], with_rule: bool) {
    out.push_str("<table>\n<tr>");
    if with_rule {
        out.push_str("<th>Rule</th>");
    }
    out.push_str("<th>Where</th><th>Severity</th><th>Message</th><th>Fingerprint</th><th>Waiver</th></tr>\n");
    for finding in findings {
        out.push_str("<tr>");
        if with_rule {
            let _ = write!(out, "<td><code>{}</code></td>", esc(finding.rule.as_str()));
        }
        let waiver = finding.suppression.as_ref().map_or_else(String::new, |s| {
            let expires = s.expires.as_deref().map(|e| format!(" (expires {})", esc(e))).unwrap_or_default();
            let kind = match s.kind {
                rampart_model::SuppressionKind::Inline => "inline",
                rampart_model::SuppressionKind::Baseline => "baseline",
            };
            format!("<strong>waived</strong> ({kind}): {}{expires}", esc(&s.justification))
        });
        let _ = writeln!(
            out,
            "<td><code>{}:{}:{}</code></td><td>{}</td><td class=\"message\">{}</td><td class=\"hash\">{}</td><td>{waiver}</td></tr>",
            esc(&finding.file.path),
            finding.location.line,
            finding.location.column,
            finding.severity,
            esc(&finding.message),
            esc(&finding.fingerprint),
        );
    }
    out.push_str("</table>\n");
}

fn inventory_section(out: &mut String, scope: &Scope<'_>) {
    let _ = writeln!(
        out,
        "<h2>File inventory</h2>\n<p class=\"muted\">{} file(s), as the scan read them.</p>\n<table>\n<tr><th>File</th><th>Format</th><th>Bytes</th><th>SHA-256</th></tr>",
        scope.files.len()
    );
    for file in scope.files {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"hash\">{}</td></tr>",
            esc(&file.path),
            file.format,
            file.bytes,
            esc(file.sha256.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</table>\n");
}
