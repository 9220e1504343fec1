//! Inline suppressions: `# rampart:ignore <rule> -- <reason>` comments, governed.
//!
//! ```text
//! # rampart:ignore network/public-database expires=2027-03-31 -- read replica, see INFRA-212
//! resource "aws_db_instance" "replica" { ... }
//! ```
//!
//! A marker names one or more rules (ids or `family/*` patterns, comma-separated), may carry
//! `expires=YYYY-MM-DD`, and must give a reason after `--`. Written on a line of its own it
//! applies to the next line of code and, when a block, mapping or instruction starts there,
//! to all of it; written after code on the same line, to that line's construct. Comment
//! syntax per format: `#` in YAML, Dockerfiles and env files (a Dockerfile comment is a
//! whole line); `#`, `//` and `/* ... */` in HCL.
//!
//! Suppression is governed, not a free-for-all: a marker without a reason, with a malformed
//! expiry or naming no known rule suppresses nothing and is itself a finding; an expired one
//! stops suppressing and says so; one that matches nothing is reported as unused; and the
//! config can forbid inline suppression for chosen rules or severities. These findings are
//! rampart's own rules ([`engine_rules`]), reported like any other.

use std::sync::Arc;

use rampart_model::{
    Date, Document, Finding, Format, RuleId, RuleMeta, Severity, SourceFile, Span, Suppression,
    SuppressionKind,
};

/// The keyword a suppression comment starts with.
pub const MARKER: &str = "rampart:ignore";

/// What the config allows (`[suppressions]` in rampart.toml).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SuppressionPolicy {
    /// No inline suppression at all (`inline = false`).
    pub forbid_inline: bool,
    /// Rules (ids or patterns) whose findings may not be suppressed inline.
    pub forbid_rules: Vec<String>,
    /// Severities whose findings may not be suppressed inline.
    pub forbid_severities: Vec<Severity>,
    /// Every suppression must say when it expires.
    pub require_expiry: bool,
}

impl SuppressionPolicy {
    /// Why a finding may not be suppressed inline, if it may not.
    fn forbids(&self, finding: &Finding) -> Option<String> {
        if self.forbid_inline {
            return Some("the config forbids inline suppressions (`suppressions.inline = false`)".into());
        }
        if let Some(pattern) = self.forbid_rules.iter().find(|p| finding.rule.matches(p)) {
            return Some(format!(
                "the config forbids suppressing `{}` inline (`suppressions.forbid-rules` has `{pattern}`)",
                finding.rule
            ));
        }
        if self.forbid_severities.contains(&finding.severity) {
            return Some(format!(
                "the config forbids suppressing {} findings inline (`suppressions.forbid-severities`)",
                finding.severity
            ));
        }
        None
    }
}

/// The ids of rampart's own rules about suppressions.
pub mod rules {
    pub const MISSING_REASON: &str = "suppression-without-reason";
    pub const INVALID: &str = "suppression-invalid";
    pub const EXPIRED: &str = "suppression-expired";
    pub const UNUSED: &str = "suppression-unused";
    pub const FORBIDDEN: &str = "suppression-forbidden";
}

/// The metadata of rampart's own rules, for `rampart rules`, SARIF and JUnit.
pub fn engine_rules() -> Vec<RuleMeta> {
    let rule = |name: &str, title: &str, rationale: &str, remediation: &str| RuleMeta {
        id: RuleId::engine(name),
        title: title.into(),
        severity: severity_of(name),
        // About suppression comments in any format rather than about a format's content:
        // no format is declared, so per-file reports (JUnit) list only the files they have
        // findings in.
        formats: Vec::new(),
        rationale: rationale.into(),
        remediation: remediation.into(),
        references: Vec::new(),
        params: Vec::new(),
    };
    vec![
        rule(
            rules::MISSING_REASON,
            "Suppression without a reason",
            "A waived finding is a decision someone must be able to review: without a reason, an \
             auditor cannot tell an accepted risk from a silenced alarm. The suppression is not applied.",
            "Add the reason after `--`: `# rampart:ignore <rule> -- <why this is acceptable>`.",
        ),
        rule(
            rules::INVALID,
            "Malformed suppression",
            "A suppression that names no loaded rule, has a malformed expiry date or lacks a required \
             expiry cannot be applied as written; ignoring it silently would hide the mistake.",
            "Write `# rampart:ignore <rule-id>[,<rule-id>] [expires=YYYY-MM-DD] -- <reason>` with ids \
             from `rampart rules`.",
        ),
        rule(
            rules::EXPIRED,
            "Expired suppression",
            "The waiver was granted until a date that has passed: the finding it covered is reported \
             again until someone reviews the decision.",
            "Fix the finding and remove the comment, or review the risk and set a new `expires=` date.",
        ),
        rule(
            rules::UNUSED,
            "Suppression that matches nothing",
            "A suppression with nothing to suppress is stale: the code changed or the finding was fixed, \
             and a stale waiver would silently cover a future finding.",
            "Remove the comment.",
        ),
        rule(
            rules::FORBIDDEN,
            "Suppression the config forbids",
            "The repository's config does not allow these findings to be waived inline (for example \
             secrets or critical findings); the finding is reported.",
            "Fix the finding. Waivers for these rules go through the baseline or a policy pack, where \
             they are reviewed.",
        ),
    ]
}

/// One `rampart:ignore` comment.
#[derive(Clone, Debug)]
struct Marker {
    file: Arc<SourceFile>,
    /// The comment, from its opener to its end.
    span: Span,
    rules: Vec<String>,
    reason: String,
    expires: Option<String>,
    /// `expires` is a day before today: the marker no longer applies.
    expired: bool,
    /// What is wrong with it, when it cannot be applied.
    problem: Option<(&'static str, String)>,
    /// 1-based lines the marker covers.
    lines: (u32, u32),
}

/// Applies the inline suppressions of a document's files to the findings of that document,
/// and returns rampart's own findings about the suppressions.
///
/// `known`: whether a rule id or pattern matches a loaded rule. `ran`: whether the rules a
/// pattern matches ran to completion on this document (at least one is enabled for its
/// format, and no plugin of theirs reported an error here); a marker is unused only if all
/// its rules ran and none of them found anything in its scope.
pub fn apply(
    document: &Document,
    findings: &mut [Finding],
    policy: &SuppressionPolicy,
    today: Date,
    known: &dyn Fn(&str) -> bool,
    ran: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut markers = Vec::new();
    for (index, file) in document.files.iter().enumerate() {
        if file.text.contains(MARKER) {
            markers.extend(find_markers(document, index, file, policy, known, today));
        }
    }
    if markers.is_empty() {
        return Vec::new();
    }
    let mut used = vec![false; markers.len()];
    let mut forbidden: Vec<Option<String>> = vec![None; markers.len()];
    let mut expired_hits = vec![0usize; markers.len()];
    for finding in findings.iter_mut() {
        let line = finding.location.line;
        let matching = markers.iter().enumerate().filter(|(_, m)| {
            m.file.path == finding.file.path
                && (m.lines.0..=m.lines.1).contains(&line)
                && m.rules.iter().any(|p| finding.rule.matches(p))
        });
        for (i, marker) in matching {
            used[i] = true;
            if marker.problem.is_some() {
                continue;
            }
            if marker.expired {
                expired_hits[i] += 1;
                continue;
            }
            if let Some(why) = policy.forbids(finding) {
                forbidden[i].get_or_insert(why);
                continue;
            }
            if finding.suppression.is_none() {
                finding.suppression = Some(Suppression {
                    kind: SuppressionKind::Inline,
                    justification: marker.reason.clone(),
                    at: Some((Arc::clone(&marker.file), marker.span)),
                    expires: marker.expires.clone(),
                });
            }
        }
    }
    let mut own = Vec::new();
    for (i, marker) in markers.iter().enumerate() {
        let report = |name: &str, message: String| own_finding(marker, name, message);
        if let Some((name, message)) = &marker.problem {
            own.push(report(name, message.clone()));
        } else if let Some(expires) = marker.expires.as_deref().filter(|_| marker.expired) {
            let what = match expired_hits[i] {
                0 => "it no longer matches anything either; remove it".to_owned(),
                1 => "the finding it covered is reported again".to_owned(),
                n => format!("the {n} findings it covered are reported again"),
            };
            own.push(report(rules::EXPIRED, format!("this suppression expired on {expires}: {what}")));
        } else if let Some(why) = &forbidden[i] {
            own.push(report(rules::FORBIDDEN, format!("this suppression is not applied: {why}")));
        } else if !used[i] && marker.rules.iter().all(|pattern| ran(pattern)) {
            let rules = marker.rules.join(", ");
            own.push(report(
                rules::UNUSED,
                format!(
                    "this suppression of {rules} matches no finding on lines {}-{}; remove it",
                    marker.lines.0, marker.lines.1
                ),
            ));
        }
    }
    own
}

/// The default severity of each of rampart's own rules: a suppression that cannot be
/// applied as written is medium, a stale or expired one low.
fn severity_of(name: &str) -> Severity {
    match name {
        rules::EXPIRED | rules::UNUSED => Severity::Low,
        _ => Severity::Medium,
    }
}

fn own_finding(marker: &Marker, name: &str, message: String) -> Finding {
    Finding {
        rule: RuleId::engine(name),
        severity: severity_of(name),
        message,
        location: marker.file.location(marker.span),
        file: Arc::clone(&marker.file),
        span: marker.span,
        related: Vec::new(),
        plugin: "rampart".into(),
        secret: false,
        suppression: None,
        fingerprint: String::new(),
    }
}

/// Every marker in one file of a document.
fn find_markers(
    document: &Document,
    file_index: usize,
    file: &Arc<SourceFile>,
    policy: &SuppressionPolicy,
    known: &dyn Fn(&str) -> bool,
    today: Date,
) -> Vec<Marker> {
    let text = &*file.text;
    let lines: Vec<(usize, &str)> = line_offsets(text);
    let mut markers = Vec::new();
    for (number, &(offset, line)) in lines.iter().enumerate() {
        let Some(at) = line.find(MARKER) else { continue };
        let Some((opener, own_line)) = comment_opener(document.format, line, at) else { continue };
        // The marker opens the comment: prose that mentions it is not a suppression.
        let opener_len = if line[opener..].starts_with('#') { 1 } else { 2 };
        if !line[opener + opener_len..at].trim().is_empty() {
            continue;
        }
        let body_end = if line[opener..].starts_with("/*") {
            line[at..].find("*/").map_or(line.len(), |i| at + i)
        } else {
            line.len()
        };
        let body = &line[at + MARKER.len()..body_end];
        let comment_end = if line[opener..].starts_with("/*") {
            line[at..].find("*/").map_or(line.len(), |i| at + i + 2)
        } else {
            line.trim_end().len()
        };
        let span = Span::new((offset + opener) as u32, (offset + comment_end) as u32);
        let target = if own_line { next_code_line(document.format, &lines, number) } else { number };
        let end = block_end(document, file_index, file, target);
        let mut marker = parse_marker(body, policy, known);
        marker.expired = marker.expires.as_deref().and_then(Date::parse).is_some_and(|d| d < today);
        marker.file = Arc::clone(file);
        marker.span = span;
        marker.lines = (target as u32 + 1, end.max(target) as u32 + 1);
        markers.push(marker);
    }
    markers
}

/// `(byte offset, text without the line break)` of every line.
fn line_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n')
        .map(|line| {
            let start = offset;
            offset += line.len();
            (start, line.trim_end_matches(['\n', '\r']))
        })
        .collect()
}

/// Where the comment holding the marker at byte `at` of `line` opens, and whether the
/// comment is the whole line; `None` when the marker is not in a comment.
fn comment_opener(format: Format, line: &str, at: usize) -> Option<(usize, bool)> {
    let openers: &[&str] = if format == Format::Terraform { &["#", "//", "/*"] } else { &["#"] };
    let opener = first_comment_start(format, line, openers).filter(|&i| i < at)?;
    let own_line = line[..opener].trim().is_empty();
    // A Dockerfile comment is a whole line; `#` later on the line is an argument.
    if format == Format::Dockerfile && !own_line {
        return None;
    }
    // In YAML and env files `#` starts a comment only after whitespace.
    if matches!(format, Format::Kubernetes | Format::Compose | Format::Env)
        && !own_line
        && !line[..opener].ends_with([' ', '\t'])
    {
        return None;
    }
    Some((opener, own_line))
}

/// The first byte of `line` where a comment opens outside quotes.
fn first_comment_start(format: Format, line: &str, openers: &[&str]) -> Option<usize> {
    let quotes: &[u8] = if format == Format::Terraform { b"\"" } else { b"\"'" };
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == b'\\' && q == b'"' => i += 1,
            Some(q) if b == q => quote = None,
            None if quotes.contains(&b) && (format == Format::Terraform || starts_quoted(bytes, i)) => {
                quote = Some(b);
            }
            None if openers.iter().any(|o| line[i..].starts_with(o)) => return Some(i),
            Some(_) | None => {}
        }
        i += 1;
    }
    None
}

/// YAML and env quotes open a quoted value only at its start (`key: 'x'`, `- "x"`, `K="x"`);
/// an apostrophe inside plain text (`it's`) is just a character.
fn starts_quoted(bytes: &[u8], i: usize) -> bool {
    i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b':' | b'=' | b'-' | b'[' | b'{' | b',')
}

/// The 0-based index of the first line after `line` that holds code: not blank and not a
/// comment. The marker line itself when there is none.
fn next_code_line(format: Format, lines: &[(usize, &str)], line: usize) -> usize {
    let is_comment = |text: &str| {
        let t = text.trim_start();
        t.starts_with('#') || (format == Format::Terraform && (t.starts_with("//") || t.starts_with("/*")))
    };
    lines
        .iter()
        .enumerate()
        .skip(line + 1)
        .find(|(_, (_, text))| !text.trim().is_empty() && !is_comment(text))
        .map_or(line, |(i, _)| i)
}

/// The last 0-based line of the largest construct of the document that starts on `line` of
/// the file: a block, a mapping, a list item, an instruction; `line` itself when none does.
fn block_end(document: &Document, file_index: usize, file: &SourceFile, line: usize) -> usize {
    let starts = file.line_starts();
    let Some(&line_start) = starts.get(line) else { return line };
    let line_end = starts.get(line + 1).copied().unwrap_or(file.text.len() as u32);
    let nodes = document.nodes();
    let start_of =
        |node: &rampart_model::Node| node.key_span.map_or(node.span.start, |k| k.start.min(node.span.start));
    // A list that begins exactly where its first item does (a Dockerfile stage's
    // instructions) has no syntax of its own: the marker is above the item, not the list.
    let implicit = |node: &rampart_model::Node| {
        node.kind == rampart_model::NodeKind::List
            && node.child_count > 0
            && nodes.get(node.first_child as usize).is_some_and(|first| start_of(first) == start_of(node))
    };
    let mut end = line;
    for node in nodes {
        if node.file as usize != file_index || implicit(node) {
            continue;
        }
        let start = start_of(node);
        if (line_start..line_end).contains(&start) && !node.span.is_empty() {
            let last =
                file.location(Span::new(node.span.end.saturating_sub(1), node.span.end)).line as usize - 1;
            end = end.max(last);
        }
    }
    end
}

/// The text after `rampart:ignore`: `RULES [expires=DATE] -- REASON`.
fn parse_marker(body: &str, policy: &SuppressionPolicy, known: &dyn Fn(&str) -> bool) -> Marker {
    let (head, reason) = match body.split_once("--") {
        Some((head, reason)) => (head, Some(reason.trim())),
        None => (body, None),
    };
    let mut rules = Vec::new();
    let mut expires = None;
    let mut problem = None;
    let mut reason = reason.unwrap_or("").to_owned();
    // `expires=` may also close the reason: `-- migrating expires=2027-01-01`.
    if let Some(i) = reason.rfind("expires=") {
        let date = reason[i + "expires=".len()..].trim();
        if !date.contains(char::is_whitespace) {
            expires = Some(date.to_owned());
            reason = reason[..i].trim().to_owned();
        }
    }
    for token in head.split([',', ' ', '\t']).map(str::trim).filter(|t| !t.is_empty()) {
        if let Some(date) = token.strip_prefix("expires=") {
            expires = Some(date.to_owned());
        } else {
            rules.push(token.to_owned());
        }
    }
    let mut fail = |name: &'static str, message: String| {
        problem.get_or_insert((name, message));
    };
    if rules.is_empty() {
        fail(
            rules::INVALID,
            "this suppression names no rule: write `rampart:ignore <rule-id> -- <reason>`".into(),
        );
    }
    for rule in &rules {
        if !known(rule) {
            fail(
                rules::INVALID,
                format!(
                    "this suppression names `{rule}`, which no loaded rule matches (see `rampart rules`)"
                ),
            );
        }
    }
    match expires.as_deref() {
        Some(date) if Date::parse(date).is_none() => {
            fail(rules::INVALID, format!("`expires={date}` is not a date of the form YYYY-MM-DD"));
        }
        None if policy.require_expiry => {
            fail(rules::INVALID, "the config requires every suppression to have `expires=YYYY-MM-DD` (`suppressions.require-expiry`)".into());
        }
        _ => {}
    }
    if reason.is_empty() {
        fail(
            rules::MISSING_REASON,
            "this suppression gives no reason, so it is not applied: add `-- <why this is acceptable>`"
                .into(),
        );
    }
    Marker {
        file: Arc::new(SourceFile::new("", "")),
        span: Span::default(),
        rules,
        reason,
        expires,
        expired: false,
        problem,
        lines: (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_model::Severity;

    const TODAY: Date = Date { year: 2026, month: 11, day: 22 };

    fn parse(format: Format, path: &str, text: &str) -> Document {
        let file = Arc::new(SourceFile::new(path, text));
        if format == Format::Terraform {
            rampart_parse::terraform::parse_module(vec![file], &rampart_parse::terraform::Inputs::new())
                .expect("parses")
        } else {
            rampart_parse::parse(format, file).expect("parses")
        }
    }

    /// A finding of `rule` on 1-based `line` of the document's first file.
    fn finding(doc: &Document, rule: &str, line: usize, severity: Severity) -> Finding {
        let file = Arc::clone(&doc.files[0]);
        let start = file.line_starts()[line - 1];
        let end = file.line_starts().get(line).map_or(file.text.len() as u32, |e| e - 1);
        Finding {
            rule: RuleId::parse(rule).expect("valid id"),
            severity,
            message: "m".into(),
            location: file.location(Span::new(start, end)),
            span: Span::new(start, end),
            file,
            related: Vec::new(),
            plugin: "p".into(),
            secret: false,
            suppression: None,
            fingerprint: String::new(),
        }
    }

    fn run(doc: &Document, findings: &mut [Finding], policy: &SuppressionPolicy) -> Vec<Finding> {
        let known = |p: &str| ["tls/a", "tls/b", "secrets/x", "tls/*", "secrets/*"].contains(&p);
        apply(doc, findings, policy, TODAY, &known, &|_| true)
    }

    fn own(found: &[Finding]) -> Vec<(String, u32)> {
        found.iter().map(|f| (f.rule.as_str().to_owned(), f.location.line)).collect()
    }

    #[test]
    fn a_marker_above_a_resource_covers_the_whole_block() {
        let text = "\
# rampart:ignore tls/a -- legacy clients, see INFRA-12
resource \"aws_lb_listener\" \"l\" {
  port = 443

  ssl_policy = \"old\"
}

resource \"aws_lb_listener\" \"m\" {
  ssl_policy = \"old\"
}
";
        let doc = parse(Format::Terraform, "main.tf", text);
        let mut findings =
            vec![finding(&doc, "tls/a", 5, Severity::High), finding(&doc, "tls/a", 9, Severity::High)];
        let own_findings = run(&doc, &mut findings, &SuppressionPolicy::default());
        let waiver = findings[0].suppression.as_ref().expect("inside the block: suppressed");
        assert_eq!(waiver.justification, "legacy clients, see INFRA-12");
        assert_eq!(waiver.kind, SuppressionKind::Inline);
        assert!(findings[1].suppression.is_none(), "the next resource is not covered");
        assert!(own_findings.is_empty(), "{own_findings:?}");
    }

    #[test]
    fn hcl_slash_comments_and_trailing_markers_work() {
        let text = "\
resource \"x\" \"y\" {
  a = 1 // rampart:ignore tls/a -- fine here
  b = 2 /* rampart:ignore tls/b -- also fine */
  c = \"# rampart:ignore tls/a -- inside a string\"
  # see the rampart:ignore docs -- prose, not a marker
}
";
        let doc = parse(Format::Terraform, "main.tf", text);
        let mut findings = vec![
            finding(&doc, "tls/a", 2, Severity::High),
            finding(&doc, "tls/b", 3, Severity::High),
            finding(&doc, "tls/a", 4, Severity::High),
        ];
        let own_findings = run(&doc, &mut findings, &SuppressionPolicy::default());
        assert!(findings[0].is_suppressed() && findings[1].is_suppressed());
        assert!(!findings[2].is_suppressed(), "a marker inside a string is not a comment");
        assert!(own_findings.is_empty(), "{own_findings:?}");
    }

    #[test]
    fn a_marker_above_a_yaml_key_covers_its_mapping() {
        let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    # rampart:ignore tls/a, tls/b expires=2027-01-31 -- sidecar proxy, reviewed
    - name: proxy
      image: envoy
      securityContext:
        runAsUser: 0
    - name: app
      image: app
";
        let doc = parse(Format::Kubernetes, "pod.yaml", text);
        let mut findings =
            vec![finding(&doc, "tls/b", 11, Severity::High), finding(&doc, "tls/a", 12, Severity::High)];
        let own_findings = run(&doc, &mut findings, &SuppressionPolicy::default());
        let waiver = findings[0].suppression.as_ref().expect("inside the list item");
        assert_eq!(waiver.expires.as_deref(), Some("2027-01-31"));
        assert!(!findings[1].is_suppressed(), "the next container is not covered");
        assert!(own_findings.is_empty(), "{own_findings:?}");
    }

    #[test]
    fn dockerfile_markers_are_whole_line_comments_over_the_next_instruction() {
        let text = "\
FROM alpine:3.20
# rampart:ignore tls/a -- internal mirror without TLS
RUN curl -k https://mirror/x \\
    && echo done
RUN echo '# rampart:ignore tls/a -- not a comment'
";
        let doc = parse(Format::Dockerfile, "Dockerfile", text);
        let mut findings =
            vec![finding(&doc, "tls/a", 4, Severity::High), finding(&doc, "tls/a", 5, Severity::High)];
        let own_findings = run(&doc, &mut findings, &SuppressionPolicy::default());
        assert!(findings[0].is_suppressed(), "the continuation line belongs to the instruction");
        assert!(!findings[1].is_suppressed());
        assert!(own_findings.is_empty(), "{own_findings:?}");
    }

    #[test]
    fn a_marker_without_reason_suppresses_nothing_and_is_a_finding() {
        let doc = parse(
            Format::Env,
            ".env",
            "# rampart:ignore secrets/x\nTOKEN=abc\n# rampart:ignore secrets/x --   \nK=v\n",
        );
        let mut findings = vec![
            finding(&doc, "secrets/x", 2, Severity::High),
            finding(&doc, "secrets/x", 4, Severity::High),
        ];
        let own_findings = run(&doc, &mut findings, &SuppressionPolicy::default());
        assert!(!findings[0].is_suppressed() && !findings[1].is_suppressed());
        assert_eq!(
            own(&own_findings),
            [
                ("rampart/suppression-without-reason".into(), 1),
                ("rampart/suppression-without-reason".into(), 3)
            ]
        );
    }

    #[test]
    fn an_expired_marker_stops_suppressing_and_says_so() {
        let doc = parse(
            Format::Env,
            ".env",
            "# rampart:ignore secrets/x expires=2026-11-21 -- rotated soon\nTOKEN=abc\n\
             # rampart:ignore secrets/x -- until the vault lands expires=2026-11-22\nK=v\n",
        );
        let mut findings = vec![
            finding(&doc, "secrets/x", 2, Severity::High),
            finding(&doc, "secrets/x", 4, Severity::High),
        ];
        let own_findings = run(&doc, &mut findings, &SuppressionPolicy::default());
        assert!(!findings[0].is_suppressed(), "expired yesterday");
        assert!(findings[1].is_suppressed(), "expires today: still valid today");
        assert_eq!(findings[1].suppression.as_ref().unwrap().justification, "until the vault lands");
        assert_eq!(own(&own_findings), [("rampart/suppression-expired".into(), 1)]);
        assert!(own_findings[0].message.contains("2026-11-21"), "{}", own_findings[0].message);
    }

    #[test]
    fn a_marker_that_matches_nothing_is_reported_unless_its_rules_did_not_run() {
        let doc = parse(Format::Env, ".env", "# rampart:ignore tls/a -- old\nA=1\n");
        let mut findings = vec![finding(&doc, "secrets/x", 2, Severity::High)];
        let own_findings = run(&doc, &mut findings, &SuppressionPolicy::default());
        assert!(!findings[0].is_suppressed(), "another rule's finding");
        assert_eq!(own(&own_findings), [("rampart/suppression-unused".into(), 1)]);
        let known = |_: &str| true;
        let quiet = apply(&doc, &mut findings, &SuppressionPolicy::default(), TODAY, &known, &|_| false);
        assert!(quiet.is_empty(), "a rule that did not run cannot show the marker is stale");
    }

    #[test]
    fn malformed_markers_are_findings() {
        let doc = parse(
            Format::Env,
            ".env",
            "# rampart:ignore tls/nope -- typo\nA=1\n# rampart:ignore tls/a expires=2026-02-30 -- x\nB=1\n# rampart:ignore -- x\nC=1\n",
        );
        let mut findings = vec![finding(&doc, "tls/a", 4, Severity::High)];
        let own_findings = run(&doc, &mut findings, &SuppressionPolicy::default());
        assert!(!findings[0].is_suppressed(), "an invalid date suppresses nothing");
        let rules: Vec<_> = own(&own_findings);
        assert_eq!(
            rules,
            [
                ("rampart/suppression-invalid".into(), 1),
                ("rampart/suppression-invalid".into(), 3),
                ("rampart/suppression-invalid".into(), 5)
            ]
        );
        assert!(own_findings[0].message.contains("tls/nope"));
        assert!(own_findings[1].message.contains("2026-02-30"));
    }

    #[test]
    fn the_config_can_forbid_suppressing_rules_and_severities() {
        let doc = parse(
            Format::Env,
            ".env",
            "# rampart:ignore secrets/x -- test key\nTOKEN=abc\n# rampart:ignore tls/a -- ok\nA=1\n# rampart:ignore tls/b -- ok\nB=1\n",
        );
        let policy = SuppressionPolicy {
            forbid_rules: vec!["secrets/*".into()],
            forbid_severities: vec![Severity::Critical],
            ..SuppressionPolicy::default()
        };
        let mut findings = vec![
            finding(&doc, "secrets/x", 2, Severity::High),
            finding(&doc, "tls/a", 4, Severity::Critical),
            finding(&doc, "tls/b", 6, Severity::High),
        ];
        let own_findings = run(&doc, &mut findings, &policy);
        assert!(!findings[0].is_suppressed() && !findings[1].is_suppressed());
        assert!(findings[2].is_suppressed());
        assert_eq!(
            own(&own_findings),
            [("rampart/suppression-forbidden".into(), 1), ("rampart/suppression-forbidden".into(), 3)]
        );
        assert!(own_findings[0].message.contains("secrets/*"));

        let mut findings = vec![finding(&doc, "tls/b", 6, Severity::High)];
        let none = SuppressionPolicy { forbid_inline: true, ..SuppressionPolicy::default() };
        let own_findings = run(&doc, &mut findings, &none);
        assert!(!findings[0].is_suppressed());
        assert!(own(&own_findings).contains(&("rampart/suppression-forbidden".into(), 5)));
    }

    #[test]
    fn required_expiry_is_enforced() {
        let doc = parse(Format::Env, ".env", "# rampart:ignore tls/a -- ok\nA=1\n");
        let mut findings = vec![finding(&doc, "tls/a", 2, Severity::High)];
        let policy = SuppressionPolicy { require_expiry: true, ..SuppressionPolicy::default() };
        let own_findings = run(&doc, &mut findings, &policy);
        assert!(!findings[0].is_suppressed());
        assert_eq!(own(&own_findings), [("rampart/suppression-invalid".into(), 1)]);
    }
}
