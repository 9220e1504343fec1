//! JUnit XML output, the de-facto test-report format that Jenkins, GitLab, Azure DevOps and
//! the GitHub test-report actions read: every (rule, file) pair the rule applies to is a test
//! case that passes, fails or is skipped.
//!
//! ```text
//! <testsuites name="rampart" tests failures errors skipped time="0">
//!   <testsuite name="rampart" ...>                     engine errors and notices, when any
//!     <testcase name="parse error: app/Dockerfile" classname="rampart.error" file="app/Dockerfile">
//!       <error message="..." type="parse">app/Dockerfile:3:1: parse error: ...</error>
//!     <testcase name="not evaluated: chart/x.yaml" classname="rampart.notice" file="chart/x.yaml">
//!       <system-out>chart/x.yaml: not evaluated: ...</system-out>
//!   <testsuite name="tls/lb-listener" ...>             one per rule that ran, by rule id
//!     <testcase name="lb.tf" classname="rampart.tls.lb-listener" file="lb.tf" time="0"/>   a pass
//!     <testcase ...><failure message="2 findings: ..." type="high">lb.tf:3:5: high: ...</failure>
//!     <testcase ...><skipped message="suppressed: accepted risk">...</skipped>
//! ```
//!
//! - A rule's test cases are every scanned file whose format the rule declares, plus every
//!   file the rule has findings in (rampart's own rules declare no format: theirs are only
//!   the files they have findings in), in path order. A rule with none still has its suite.
//! - A case with unsuppressed findings has one `failure`: `message` is `<n> finding(s): ` and
//!   the first message, `type` the highest severity among them; the text lists each finding
//!   as `path:line:column: severity: message` (related locations indented below it), then
//!   the rule's id, title and remediation once. Suppressed findings in the same file are
//!   counted in a last line, not listed.
//! - A case whose findings are all suppressed is `skipped`, `message` `suppressed: ` and the
//!   justifications; the text lists the suppressed findings.
//! - `classname` is `rampart.` and the rule id with `/` made `.` (Jenkins shows
//!   `rampart.tls` as the package and `lb-listener` as the class); the suite name is the rule
//!   id as written everywhere else. `name` and `file` are the path.
//! - Engine errors fail the scan closed: each is an `error` case (type `io`, `parse` or
//!   `plugin`) in the suite `rampart`, written first. Notices never fail anything: each is a
//!   passing case there with the notice in `system-out`, so nothing passes in silence. The
//!   suite is left out when there are neither. Names repeated within a class get ` (2)`, ...
//! - Every count (`tests`, `failures`, `errors`, `skipped`) is exact on each suite and summed
//!   on `testsuites`. `time` is always `0` and there is no `timestamp` or `hostname`: the
//!   same scan gives the same bytes.
//! - The output uses only rule metadata, messages and paths, never file text (secrets are
//!   masked in messages before any reporter runs).
//!
//! Beyond Jenkins' junit-10.xsd (schemas/junit-10.xsd) are `file` on `testcase`, which
//! GitLab and the GitHub report actions use to link a case to its file, and `skipped` on
//! `testsuites`; `.ci/junit-xsd` validates the rest.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use rampart_model::{Finding, Location, RuleId, RuleMeta, Severity, SuppressionKind};

use crate::{Report, plural};

/// Writes the report as one JUnit XML document.
pub fn junit(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    let mut suites = Vec::new();
    if let Some(engine) = engine_suite(report) {
        suites.push(engine);
    }
    suites.extend(rule_suites(report));
    write_document(out, &suites)
}

/// One `testsuite`.
struct Suite<'a> {
    name: &'a str,
    cases: Vec<Case<'a>>,
}

impl Suite<'_> {
    fn count(&self, pred: fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| pred(&c.outcome)).count()
    }

    fn counts(&self) -> Counts {
        Counts {
            tests: self.cases.len(),
            failures: self.count(|o| matches!(o, Outcome::Failure { .. })),
            errors: self.count(|o| matches!(o, Outcome::Error { .. })),
            skipped: self.count(|o| matches!(o, Outcome::Skipped { .. })),
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(self, other: Counts) -> Counts {
        Counts {
            tests: self.tests + other.tests,
            failures: self.failures + other.failures,
            errors: self.errors + other.errors,
            skipped: self.skipped + other.skipped,
        }
    }
}

/// One `testcase`.
struct Case<'a> {
    name: Cow<'a, str>,
    classname: Cow<'a, str>,
    file: Option<&'a str>,
    outcome: Outcome,
}

enum Outcome {
    Pass,
    /// A pass with something to say (a notice).
    Output(String),
    Failure {
        message: String,
        kind: &'static str,
        text: String,
    },
    Skipped {
        message: String,
        text: String,
    },
    Error {
        message: String,
        kind: &'static str,
        text: String,
    },
}

/// The suite `rampart`: one case per engine error, then one per notice.
fn engine_suite<'a>(report: &Report<'a>) -> Option<Suite<'a>> {
    if report.errors.is_empty() && report.notices.is_empty() {
        return None;
    }
    let mut names = UniqueNames::default();
    let mut cases = Vec::new();
    for error in report.errors {
        let kind = error.kind.as_str();
        let name = match &error.path {
            Some(path) => format!("{kind} error: {path}"),
            None => format!("{kind} error"),
        };
        let text =
            format!("{}{kind} error: {}", place(error.path.as_deref(), error.location()), error.message);
        cases.push(Case {
            name: Cow::Owned(names.unique("rampart.error", name)),
            classname: Cow::Borrowed("rampart.error"),
            file: error.path.as_deref(),
            outcome: Outcome::Error { message: error.message.clone(), kind, text },
        });
    }
    for notice in report.notices {
        let text =
            format!("{}not evaluated: {}", place(Some(&notice.path), notice.location()), notice.message);
        cases.push(Case {
            name: Cow::Owned(names.unique("rampart.notice", format!("not evaluated: {}", notice.path))),
            classname: Cow::Borrowed("rampart.notice"),
            file: Some(&notice.path),
            outcome: Outcome::Output(text),
        });
    }
    Some(Suite { name: "rampart", cases })
}

/// `path:line:column: `, `path: ` or nothing.
fn place(path: Option<&str>, location: Option<Location>) -> String {
    match (path, location) {
        (Some(path), Some(at)) => format!("{path}:{}:{}: ", at.line, at.column),
        (Some(path), None) => format!("{path}: "),
        (None, _) => String::new(),
    }
}

/// Test case names made unique within their class, as GitLab keeps only the first of a
/// repeated (classname, name).
#[derive(Default)]
struct UniqueNames(HashMap<(&'static str, String), usize>);

impl UniqueNames {
    fn unique(&mut self, class: &'static str, name: String) -> String {
        let seen = self.0.entry((class, name.clone())).or_insert(0);
        *seen += 1;
        if *seen == 1 { name } else { format!("{name} ({seen})") }
    }
}

/// A rule's findings by the path of their file.
type ByFile<'a> = BTreeMap<&'a str, Vec<&'a Finding>>;

/// One suite per rule, by rule id: the rules that ran and any rule a finding names.
fn rule_suites<'a>(report: &Report<'a>) -> Vec<Suite<'a>> {
    let mut rules: BTreeMap<&'a RuleId, (Option<&'a RuleMeta>, ByFile<'a>)> =
        report.rules.iter().map(|(&id, &meta)| (id, (Some(meta), BTreeMap::new()))).collect();
    for finding in report.findings {
        let (_, files) = rules.entry(&finding.rule).or_default();
        files.entry(finding.file.path.as_str()).or_default().push(finding);
    }
    rules
        .into_iter()
        .map(|(id, (meta, mut files))| {
            if let Some(meta) = meta {
                for scanned in report.scanned.iter().filter(|s| meta.formats.contains(&s.format)) {
                    files.entry(scanned.path.as_str()).or_default();
                }
            }
            let classname = format!("rampart.{}", id.as_str().replace('/', "."));
            let cases = files
                .into_iter()
                .map(|(path, findings)| Case {
                    name: Cow::Borrowed(path),
                    classname: Cow::Owned(classname.clone()),
                    file: Some(path),
                    outcome: outcome(id, meta, &findings),
                })
                .collect();
            Suite { name: id.as_str(), cases }
        })
        .collect()
}

/// The verdict of one rule on one file, given its findings there.
fn outcome(id: &RuleId, meta: Option<&RuleMeta>, findings: &[&Finding]) -> Outcome {
    let (suppressed, open): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().copied().partition(|f| f.is_suppressed());
    let mut lines = Vec::new();
    if let Some(first) = open.first() {
        let severity = open.iter().map(|f| f.severity).max().unwrap_or(Severity::Info);
        for finding in &open {
            finding_lines(&mut lines, finding);
        }
        lines.push(String::new());
        lines.push(match meta {
            Some(meta) => format!("{id}: {}\nfix: {}", meta.title, meta.remediation),
            None => id.to_string(),
        });
        if !suppressed.is_empty() {
            let n = plural(suppressed.len(), "suppressed finding", "suppressed findings");
            lines.push(format!("({n} not counted)"));
        }
        let message = format!("{}: {}", plural(open.len(), "finding", "findings"), first.message);
        return Outcome::Failure { message, kind: severity.as_str(), text: text_of(&lines) };
    }
    if suppressed.is_empty() {
        return Outcome::Pass;
    }
    let mut reasons: Vec<&str> = Vec::new();
    for finding in &suppressed {
        finding_lines(&mut lines, finding);
        if let Some(suppression) = &finding.suppression {
            let reason = suppression.justification.trim();
            let reason = if reason.is_empty() { "no reason given" } else { reason };
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
            let how = match suppression.kind {
                SuppressionKind::Inline => "suppressed inline",
                SuppressionKind::Baseline => "suppressed by the baseline",
            };
            lines.push(format!("  {how}: {reason}"));
        }
    }
    Outcome::Skipped { message: format!("suppressed: {}", reasons.join("; ")), text: text_of(&lines) }
}

/// `path:line:column: severity: message`, then its related locations indented.
fn finding_lines(lines: &mut Vec<String>, finding: &Finding) {
    let at = finding.location;
    let path = &finding.file.path;
    lines.push(format!("{path}:{}:{}: {}: {}", at.line, at.column, finding.severity, finding.message));
    for related in &finding.related {
        let at = related.file.location(related.span);
        lines.push(format!("  {}:{}:{}: {}", related.file.path, at.line, at.column, related.message));
    }
}

/// Lines, each ended by a line break.
fn text_of(lines: &[String]) -> String {
    lines.iter().flat_map(|line| [line.as_str(), "\n"]).collect()
}

fn write_document(out: &mut dyn Write, suites: &[Suite<'_>]) -> io::Result<()> {
    let total = suites.iter().map(Suite::counts).fold(Counts::default(), Counts::add);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="rampart" tests="{}" failures="{}" errors="{}" skipped="{}" time="0">"#,
        total.tests, total.failures, total.errors, total.skipped
    )?;
    for suite in suites {
        let counts = suite.counts();
        write!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}" time="0""#,
            attribute(suite.name),
            counts.tests,
            counts.failures,
            counts.errors,
            counts.skipped
        )?;
        if suite.cases.is_empty() {
            writeln!(out, "/>")?;
            continue;
        }
        writeln!(out, ">")?;
        for case in &suite.cases {
            write_case(out, case)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn write_case(out: &mut dyn Write, case: &Case<'_>) -> io::Result<()> {
    write!(
        out,
        r#"    <testcase name="{}" classname="{}""#,
        attribute(&case.name),
        attribute(&case.classname)
    )?;
    if let Some(file) = case.file {
        write!(out, r#" file="{}""#, attribute(file))?;
    }
    write!(out, r#" time="0""#)?;
    let (element, message, kind, body) = match &case.outcome {
        Outcome::Pass => return writeln!(out, "/>"),
        Outcome::Output(text) => ("system-out", None, None, text),
        Outcome::Failure { message, kind, text } => ("failure", Some(message), Some(*kind), text),
        Outcome::Skipped { message, text } => ("skipped", Some(message), None, text),
        Outcome::Error { message, kind, text } => ("error", Some(message), Some(*kind), text),
    };
    write!(out, ">\n      <{element}")?;
    if let Some(message) = message {
        write!(out, r#" message="{}""#, attribute(message))?;
    }
    if let Some(kind) = kind {
        write!(out, r#" type="{}""#, attribute(kind))?;
    }
    writeln!(out, ">{}</{element}>\n    </testcase>", text(body))
}

/// An attribute value: also quotes, and tabs and line breaks as character references, which
/// a parser would otherwise normalise to spaces.
fn attribute(raw: &str) -> Cow<'_, str> {
    escape(raw, true)
}

/// Element text.
fn text(raw: &str) -> Cow<'_, str> {
    escape(raw, false)
}

/// Our own escaper rather than quick-xml's writer: the output is a handful of fixed,
/// flat elements, and quick-xml escapes markup characters but passes through the control
/// characters XML 1.0 forbids, which plugin messages and paths may hold; we would need this
/// pass anyway. Forbidden characters (C0 controls other than tab, LF and CR, U+FFFE and
/// U+FFFF) become U+FFFD. `]]>` needs nothing special, as `>` is always escaped and no
/// CDATA section is written.
fn escape(raw: &str, in_attribute: bool) -> Cow<'_, str> {
    let plain = |c: char| match c {
        '&' | '<' | '>' | '\r' => false,
        '"' | '\'' | '\t' | '\n' => !in_attribute,
        c => allowed_in_xml(c),
    };
    if raw.chars().all(plain) {
        return Cow::Borrowed(raw);
    }
    let mut escaped = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\r' => escaped.push_str("&#13;"),
            '"' if in_attribute => escaped.push_str("&quot;"),
            '\'' if in_attribute => escaped.push_str("&apos;"),
            '\t' if in_attribute => escaped.push_str("&#9;"),
            '\n' if in_attribute => escaped.push_str("&#10;"),
            c if allowed_in_xml(c) => escaped.push(c),
            _ => escaped.push('\u{FFFD}'),
        }
    }
    Cow::Owned(escaped)
}

/// XML 1.0's `Char` production (Rust `char`s are never surrogates).
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{
        ErrorKind, Format, Notice, Related, ScanError, ScannedFile, SourceFile, Span, Suppression,
    };

    use super::*;

    const NASTY_PATH: &str = "weird/a<&\"'b]]>\u{1}.tf";
    const NASTY_MESSAGE: &str = "listener <port 80> & \"plain\" 'http' ]]> \u{1}end\nsecond line";
    const SECRET: &str = "sk-live-0123456789abcdef";

    struct Fixture {
        files: HashMap<&'static str, Arc<SourceFile>>,
        metas: Vec<RuleMeta>,
        findings: Vec<Finding>,
        errors: Vec<ScanError>,
        notices: Vec<Notice>,
        scanned: Vec<ScannedFile>,
    }

    fn meta(id: &str, severity: Severity, formats: &[Format]) -> RuleMeta {
        RuleMeta {
            id: RuleId::parse(id).unwrap(),
            title: format!("title of {id}"),
            severity,
            formats: formats.to_vec(),
            rationale: String::new(),
            remediation: format!("remediation of {id}"),
            references: Vec::new(),
            params: Vec::new(),
        }
    }

    fn finding(
        file: &Arc<SourceFile>,
        rule: RuleId,
        severity: Severity,
        span: Span,
        message: &str,
    ) -> Finding {
        Finding {
            rule,
            severity,
            message: message.into(),
            location: file.location(span),
            file: Arc::clone(file),
            span,
            related: Vec::new(),
            plugin: "test".into(),
            secret: false,
            suppression: None,
            fingerprint: String::new(),
        }
    }

    /// Three rules with findings over files of four formats, a rule with no applicable
    /// file, an engine rule no plugin declares, a suppressed finding, a masked secret,
    /// errors of every kind, a notice, and markup and a control character everywhere.
    fn fixture() -> Fixture {
        let texts: [(&'static str, Format, &str); 7] = [
            ("app/Dockerfile", Format::Dockerfile, "FROM alpine\nUSER root\n"),
            ("infra/lb.tf", Format::Terraform, "resource \"x\" \"y\" {\n  a = 1\n  port = 80\n}\n"),
            ("infra/main.tf", Format::Terraform, "# rampart:ignore tls/lb-listener\nport = 80\n"),
            (NASTY_PATH, Format::Terraform, "port = 80\n"),
            ("k8s/deploy.yaml", Format::Kubernetes, "kind: Deployment\n"),
            ("prod.env", Format::Env, "A=1\nKEY=sk-live-0123456789abcdef\n"),
            ("rampart.toml", Format::Env, "[suppress]\n"),
        ];
        let files: HashMap<&'static str, Arc<SourceFile>> =
            texts.iter().map(|&(path, _, text)| (path, Arc::new(SourceFile::new(path, text)))).collect();
        let scanned = texts[..6]
            .iter()
            .map(|&(path, format, text)| ScannedFile {
                path: path.into(),
                format,
                bytes: text.len() as u64,
                sha256: None,
            })
            .collect();
        let metas = vec![
            meta("non-root/dockerfile-user", Severity::High, &[Format::Dockerfile]),
            meta("tls/lb-listener", Severity::High, &[Format::Terraform]),
            meta("secrets/plaintext", Severity::Critical, &[Format::Env, Format::Kubernetes]),
            meta("hygiene/compose-latest", Severity::Low, &[Format::Compose]),
        ];
        let id = |s: &str| RuleId::parse(s).unwrap();
        let f = |path: &str| &files[path];
        let tls = id("tls/lb-listener");
        let mut lb_related =
            finding(f("infra/lb.tf"), tls.clone(), Severity::High, Span::new(29, 38), "port 80");
        lb_related.related.push(Related {
            file: Arc::clone(f("infra/main.tf")),
            span: Span::new(33, 42),
            message: "also set here".into(),
        });
        let mut suppressed =
            finding(f("infra/main.tf"), tls.clone(), Severity::High, Span::new(33, 42), "port 80 in main");
        suppressed.suppression = Some(Suppression {
            kind: SuppressionKind::Inline,
            justification: "accepted until the migration".into(),
            at: None,
            expires: None,
        });
        let mut secret = finding(
            f("prod.env"),
            id("secrets/plaintext"),
            Severity::Critical,
            Span::new(8, 32),
            &format!("KEY holds {SECRET}"),
        );
        secret.secret = true;
        let mut findings = vec![
            finding(
                f("app/Dockerfile"),
                id("non-root/dockerfile-user"),
                Severity::High,
                Span::new(12, 21),
                "runs as root",
            ),
            lb_related,
            finding(f("infra/lb.tf"), tls.clone(), Severity::Medium, Span::new(21, 26), "a is odd"),
            suppressed,
            finding(f(NASTY_PATH), tls, Severity::Medium, Span::new(0, 9), NASTY_MESSAGE),
            secret,
            finding(
                f("rampart.toml"),
                RuleId::engine("unused-suppression"),
                Severity::Low,
                Span::new(0, 10),
                "unused",
            ),
        ];
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        rampart_model::mask_secrets(&mut findings);
        let broken = Arc::new(SourceFile::new("broken.tf", "resource {\n  = \n"));
        let errors = vec![
            ScanError::at(ErrorKind::Parse, &broken, Span::new(13, 14), "expected an identifier <here>"),
            ScanError::new(ErrorKind::Io, Some("gone.tf".into()), "permission denied"),
            ScanError::new(ErrorKind::Io, Some("gone.tf".into()), "still denied"),
            ScanError::new(ErrorKind::Plugin, None, "plugin `x` trapped: \u{1b}[31mboom & \"bust\""),
        ];
        let notices = vec![Notice {
            path: "chart/templates/a.yaml".into(),
            span: None,
            message: "a Helm template is not evaluated".into(),
        }];
        Fixture { files, metas, findings, errors, notices, scanned }
    }

    fn render(fixture: &Fixture) -> String {
        let report = Report {
            findings: &fixture.findings,
            errors: &fixture.errors,
            notices: &fixture.notices,
            rules: fixture.metas.iter().map(|m| (&m.id, m)).collect(),
            files: fixture.scanned.len(),
            scanned: &fixture.scanned,
            baseline: None,
        };
        let mut out = Vec::new();
        junit(&mut out, &report).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
        node.attribute(name).unwrap_or_else(|| panic!("no {name} on {node:?}"))
    }

    fn count_attr(node: roxmltree::Node<'_, '_>, name: &str) -> usize {
        attr(node, name).parse().unwrap()
    }

    fn children<'a, 'i>(node: roxmltree::Node<'a, 'i>, tag: &'static str) -> Vec<roxmltree::Node<'a, 'i>> {
        node.children().filter(|c| c.has_tag_name(tag)).collect()
    }

    fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, tag: &'static str) -> Option<roxmltree::Node<'a, 'i>> {
        let mut found = children(node, tag);
        assert!(found.len() <= 1, "more than one {tag} in {node:?}");
        found.pop()
    }

    fn suite<'a, 'i>(root: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
        children(root, "testsuite").into_iter().find(|s| attr(*s, "name") == name).unwrap()
    }

    fn case<'a, 'i>(suite: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
        children(suite, "testcase")
            .into_iter()
            .find(|c| attr(*c, "name") == name)
            .unwrap_or_else(|| panic!("no test case {name:?} in {}", attr(suite, "name")))
    }

    #[test]
    fn counts_on_every_suite_and_the_root_match_the_elements() {
        let xml = render(&fixture());
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert!(root.has_tag_name("testsuites"));
        assert_eq!(attr(root, "name"), "rampart");
        let mut total = [0; 4];
        for suite in children(root, "testsuite") {
            let cases = children(suite, "testcase");
            let with = |tag| cases.iter().filter(|c| child(**c, tag).is_some()).count();
            let counts = [cases.len(), with("failure"), with("error"), with("skipped")];
            for (i, name) in ["tests", "failures", "errors", "skipped"].into_iter().enumerate() {
                assert_eq!(count_attr(suite, name), counts[i], "{name} of {}", attr(suite, "name"));
                total[i] += counts[i];
            }
            for case in cases {
                let verdicts = ["failure", "error", "skipped"].iter().filter(|t| child(case, t).is_some());
                assert!(verdicts.count() <= 1, "one verdict per case: {case:?}");
            }
        }
        for (i, name) in ["tests", "failures", "errors", "skipped"].into_iter().enumerate() {
            assert_eq!(count_attr(root, name), total[i], "{name} of testsuites");
        }
        assert_eq!(total, [12, 5, 4, 1]);
    }

    #[test]
    fn one_case_per_rule_and_applicable_file() {
        let xml = render(&fixture());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        let names: Vec<&str> = children(root, "testsuite").into_iter().map(|s| attr(s, "name")).collect();
        assert_eq!(
            names,
            [
                "rampart",
                "hygiene/compose-latest",
                "non-root/dockerfile-user",
                "rampart/unused-suppression",
                "secrets/plaintext",
                "tls/lb-listener"
            ]
        );
        let nasty = NASTY_PATH.replace('\u{1}', "\u{FFFD}");
        let expected: [(&str, Vec<&str>); 5] = [
            ("hygiene/compose-latest", vec![]),
            ("non-root/dockerfile-user", vec!["app/Dockerfile"]),
            ("rampart/unused-suppression", vec!["rampart.toml"]),
            ("secrets/plaintext", vec!["k8s/deploy.yaml", "prod.env"]),
            ("tls/lb-listener", vec!["infra/lb.tf", "infra/main.tf", &nasty]),
        ];
        for (rule, files) in expected {
            let suite = suite(root, rule);
            let cases = children(suite, "testcase");
            let got: Vec<&str> = cases.iter().map(|c| attr(*c, "name")).collect();
            assert_eq!(got, files, "{rule}");
            for case in cases {
                assert_eq!(attr(case, "file"), attr(case, "name"));
                assert_eq!(attr(case, "classname"), format!("rampart.{}", rule.replace('/', ".")));
                assert_eq!(attr(case, "time"), "0");
            }
        }
        let k8s = case(suite(root, "secrets/plaintext"), "k8s/deploy.yaml");
        assert!(k8s.children().all(|c| !c.is_element()), "a pass is an empty test case");
    }

    #[test]
    fn a_failure_lists_every_finding_and_the_remediation_once() {
        let xml = render(&fixture());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let tls = suite(doc.root_element(), "tls/lb-listener");
        let failure = child(case(tls, "infra/lb.tf"), "failure").unwrap();
        assert_eq!(attr(failure, "message"), "2 findings: a is odd");
        assert_eq!(attr(failure, "type"), "high", "the highest severity of the file's findings");
        let text = failure.text().unwrap();
        assert_eq!(
            text,
            "infra/lb.tf:2:3: medium: a is odd\n\
             infra/lb.tf:3:3: high: port 80\n  infra/main.tf:2:1: also set here\n\n\
             tls/lb-listener: title of tls/lb-listener\nfix: remediation of tls/lb-listener\n"
        );

        let docker = suite(doc.root_element(), "non-root/dockerfile-user");
        let failure = child(case(docker, "app/Dockerfile"), "failure").unwrap();
        assert_eq!(attr(failure, "message"), "1 finding: runs as root");
        assert!(failure.text().unwrap().starts_with("app/Dockerfile:2:1: high: runs as root\n"));

        let engine = suite(doc.root_element(), "rampart/unused-suppression");
        let failure = child(case(engine, "rampart.toml"), "failure").unwrap();
        assert_eq!(attr(failure, "type"), "low");
        assert_eq!(failure.text().unwrap(), "rampart.toml:1:1: low: unused\n\nrampart/unused-suppression\n");
    }

    #[test]
    fn a_file_whose_findings_are_all_suppressed_is_skipped() {
        let xml = render(&fixture());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let main = case(suite(doc.root_element(), "tls/lb-listener"), "infra/main.tf");
        assert!(child(main, "failure").is_none());
        let skipped = child(main, "skipped").unwrap();
        assert_eq!(attr(skipped, "message"), "suppressed: accepted until the migration");
        assert_eq!(
            skipped.text().unwrap(),
            "infra/main.tf:2:1: high: port 80 in main\n  suppressed inline: accepted until the migration\n"
        );
    }

    #[test]
    fn suppressed_findings_beside_open_ones_fail_the_file_and_are_counted() {
        let mut fixture = fixture();
        let main = Arc::clone(&fixture.files["infra/main.tf"]);
        let tls = RuleId::parse("tls/lb-listener").unwrap();
        fixture.findings.push(finding(&main, tls, Severity::Critical, Span::new(0, 1), "open"));
        fixture.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let xml = render(&fixture);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let main = case(suite(doc.root_element(), "tls/lb-listener"), "infra/main.tf");
        assert!(child(main, "skipped").is_none());
        let failure = child(main, "failure").unwrap();
        assert_eq!(attr(failure, "message"), "1 finding: open");
        assert_eq!(attr(failure, "type"), "critical");
        assert!(failure.text().unwrap().ends_with("(1 suppressed finding not counted)\n"));
        assert!(!failure.text().unwrap().contains("port 80 in main"));
    }

    #[test]
    fn engine_errors_and_notices_are_the_rampart_suite() {
        let xml = render(&fixture());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let engine = suite(doc.root_element(), "rampart");
        let cases = children(engine, "testcase");
        let names: Vec<&str> = cases.iter().map(|c| attr(*c, "name")).collect();
        assert_eq!(
            names,
            [
                "parse error: broken.tf",
                "io error: gone.tf",
                "io error: gone.tf (2)",
                "plugin error",
                "not evaluated: chart/templates/a.yaml"
            ]
        );
        let parse = child(cases[0], "error").unwrap();
        assert_eq!(attr(parse, "type"), "parse");
        assert_eq!(attr(parse, "message"), "expected an identifier <here>");
        assert_eq!(parse.text().unwrap(), "broken.tf:2:3: parse error: expected an identifier <here>");
        assert_eq!(attr(cases[0], "classname"), "rampart.error");
        assert_eq!(attr(cases[0], "file"), "broken.tf");
        assert_eq!(child(cases[1], "error").unwrap().text().unwrap(), "gone.tf: io error: permission denied");
        let plugin = child(cases[3], "error").unwrap();
        assert_eq!(attr(plugin, "type"), "plugin");
        assert_eq!(attr(plugin, "message"), "plugin `x` trapped: \u{FFFD}[31mboom & \"bust\"");
        assert!(cases[3].attribute("file").is_none());

        let notice = cases[4];
        assert_eq!(attr(notice, "classname"), "rampart.notice");
        assert!(child(notice, "failure").is_none() && child(notice, "error").is_none());
        assert_eq!(
            child(notice, "system-out").unwrap().text().unwrap(),
            "chart/templates/a.yaml: not evaluated: a Helm template is not evaluated"
        );
        assert_eq!((count_attr(engine, "errors"), count_attr(engine, "failures")), (4, 0));
    }

    #[test]
    fn no_rampart_suite_without_errors_or_notices() {
        let mut fixture = fixture();
        fixture.errors.clear();
        fixture.notices.clear();
        let xml = render(&fixture);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert!(children(doc.root_element(), "testsuite").iter().all(|s| attr(*s, "name") != "rampart"));
        assert_eq!(count_attr(doc.root_element(), "errors"), 0);
    }

    #[test]
    fn markup_and_control_characters_survive_as_text() {
        let xml = render(&fixture());
        assert!(!xml.contains('\u{1}') && !xml.contains('\u{1b}'), "forbidden characters are replaced");
        assert!(!xml.contains("]]>"), "`>` is always escaped");
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let tls = suite(doc.root_element(), "tls/lb-listener");
        let nasty_path = NASTY_PATH.replace('\u{1}', "\u{FFFD}");
        let nasty_message = NASTY_MESSAGE.replace('\u{1}', "\u{FFFD}");
        let nasty = case(tls, &nasty_path);
        assert_eq!(attr(nasty, "file"), nasty_path);
        let failure = child(nasty, "failure").unwrap();
        assert_eq!(attr(failure, "message"), format!("1 finding: {nasty_message}"), "line breaks kept");
        assert!(failure.text().unwrap().starts_with(&format!("{nasty_path}:1:1: medium: {nasty_message}\n")));
    }

    #[test]
    fn the_escaper() {
        assert_eq!(attribute("plain path/x.tf"), Cow::Borrowed("plain path/x.tf"));
        assert_eq!(attribute("a&b<c>d\"e'f\tg\nh\ri"), "a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i");
        assert_eq!(text("a&b<c>]]>\"'\t\n\r"), "a&amp;b&lt;c&gt;]]&gt;\"'\t\n&#13;");
        assert_eq!(
            text("\u{0}\u{8}\u{b}\u{c}\u{1f}\u{7f}é\u{fffe}\u{ffff}😀"),
            "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{7f}é\u{FFFD}\u{FFFD}😀"
        );
    }

    #[test]
    fn a_masked_secret_never_appears() {
        let fixture = fixture();
        let xml = render(&fixture);
        assert!(!xml.contains(SECRET));
        assert!(!xml.contains("0123456789"));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let env = case(suite(doc.root_element(), "secrets/plaintext"), "prod.env");
        let failure = child(env, "failure").unwrap();
        assert_eq!(attr(failure, "message"), "1 finding: KEY holds sk-l********************");
        assert_eq!(attr(failure, "type"), "critical");
    }

    #[test]
    fn the_same_scan_gives_the_same_bytes() {
        // Each render collects the rules into a fresh HashMap, with its own iteration order.
        let fixture = fixture();
        let first = render(&fixture);
        for _ in 0..8 {
            assert_eq!(render(&fixture), first);
        }
        assert!(
            first.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rampart\" ")
        );
        assert!(!first.contains("timestamp") && !first.contains("hostname"));
    }

    #[test]
    fn an_empty_scan_is_an_empty_document() {
        let report = Report {
            findings: &[],
            errors: &[],
            notices: &[],
            rules: HashMap::new(),
            files: 0,
            scanned: &[],
            baseline: None,
        };
        let mut out = Vec::new();
        junit(&mut out, &report).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"rampart\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\">\n\
             </testsuites>\n"
        );
    }

    /// Writes the rich report to `$RAMPART_JUNIT_SAMPLE`, for `.ci/junit-xsd --self-test`
    /// to validate against the JUnit schema.
    #[test]
    #[ignore = "writes a file for .ci/junit-xsd"]
    fn write_sample() {
        let path =
            std::env::var_os("RAMPART_JUNIT_SAMPLE").expect("RAMPART_JUNIT_SAMPLE names the output file");
        std::fs::write(&path, render(&fixture())).unwrap();
    }
}
