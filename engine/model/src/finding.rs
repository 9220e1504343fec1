//! What a scan produces: findings (policy verdicts) and errors (failures to judge).

use std::sync::Arc;

use crate::{Format, Location, RuleId, Severity, SourceFile, Span};

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
    /// The text at `span` is a secret: outputs show at most its first four characters.
    pub secret: bool,
    /// Why the finding is waived, when it is: it stays in every machine-readable output
    /// (SARIF `suppressions`, JSON, evidence) but no longer counts towards the exit code.
    pub suppression: Option<Suppression>,
    /// A stable identity across runs (see [`fingerprint_all`]); empty until computed.
    pub fingerprint: String,
}

impl Finding {
    /// The deterministic report order: path, line, column, rule, then message.
    pub fn sort_key(&self) -> (&str, u32, u32, &RuleId, &str) {
        (&self.file.path, self.location.line, self.location.column, &self.rule, &self.message)
    }

    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }
}

/// Where a waiver came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    /// A `rampart:ignore` comment in the source (SARIF `inSource`).
    Inline,
    /// An entry of the `--baseline` file (SARIF `external`).
    Baseline,
}

/// A waiver of one finding, with its justification.
#[derive(Clone, Debug)]
pub struct Suppression {
    pub kind: SuppressionKind,
    /// The reason written with the suppression, or which baseline file holds the finding.
    pub justification: String,
    /// The comment that waives the finding (inline suppressions).
    pub at: Option<(Arc<SourceFile>, Span)>,
    /// `expires=YYYY-MM-DD`, when given.
    pub expires: Option<String>,
}

/// Gives every finding its fingerprint: a hash of the rule, the path, the text of the line
/// the finding starts on and the text it points at (both with whitespace collapsed), and
/// which occurrence of that hash it is in report order. Line numbers are not part of it, so
/// edits elsewhere in the file leave it unchanged; re-indenting leaves it unchanged too.
/// Run after [`mask_secrets`]: a fingerprint is never a hash of a secret.
pub fn fingerprint_all(findings: &mut [Finding]) {
    use sha2::{Digest, Sha256};
    use std::collections::HashMap;

    let mut seen: HashMap<[u8; 32], u32> = HashMap::new();
    for finding in findings {
        let text = &finding.file.text;
        // The line from the file's line index (a minified one-line file must not be rescanned
        // per finding); `get` because nothing here may panic on a span.
        let starts = finding.file.line_starts();
        let line = finding.location.line as usize;
        let line_start = starts.get(line.saturating_sub(1)).map_or(0, |&s| s as usize);
        let line_end = starts.get(line).map_or(text.len(), |&s| s as usize);
        let line_text = text.get(line_start..line_end).unwrap_or("");
        let pointed = text.get(finding.span.start as usize..finding.span.end as usize).unwrap_or("");
        let mut hasher = Sha256::new();
        for part in [finding.rule.as_str(), &finding.file.path, line_text, pointed] {
            for word in part.split_whitespace() {
                hasher.update(word.as_bytes());
                hasher.update(b" ");
            }
            hasher.update(b"\0");
        }
        let hash: [u8; 32] = hasher.finalize().into();
        let occurrence = seen.entry(hash).or_insert(0);
        *occurrence += 1;
        finding.fingerprint = format!("{}:{occurrence}", hex::encode(&hash[..12]));
    }
}

/// How many characters of a secret any output may show.
pub const SECRET_SHOWN_CHARS: usize = 4;

/// A secret at least this long is also masked where a message quotes it.
const MESSAGE_MASK_MIN_CHARS: usize = 12;

/// Masks every secret the findings point at, before any reporter sees them: in each file
/// holding one, the text of every secret span keeps its first [`SECRET_SHOWN_CHARS`]
/// characters and the rest becomes `*` (line breaks kept, so offsets, lines and columns do
/// not move), and findings and related locations in that file are given the masked copy;
/// messages that quote a secret verbatim have it masked too. Snippets of other findings
/// near a secret therefore never show it either.
pub fn mask_secrets(findings: &mut [Finding]) {
    use std::collections::HashMap;

    // Per file: the original, and the secret spans in it (a secret finding's related
    // locations too: the `.tfvars` line or default that set the value holds it as well).
    let mut secret_spans: HashMap<String, (Arc<SourceFile>, Vec<Span>)> = HashMap::new();
    for finding in findings.iter().filter(|f| f.secret) {
        let places = std::iter::once((&finding.file, finding.span))
            .chain(finding.related.iter().map(|r| (&r.file, r.span)));
        for (file, span) in places {
            let entry =
                secret_spans.entry(file.path.clone()).or_insert_with(|| (Arc::clone(file), Vec::new()));
            entry.1.push(span);
        }
    }
    if secret_spans.is_empty() {
        return;
    }
    let masked_files: HashMap<String, (Arc<SourceFile>, Vec<String>)> = secret_spans
        .into_iter()
        .map(|(path, (original, spans))| {
            let mut text = original.text.to_string();
            let mut secrets = Vec::new();
            for span in spans {
                if let Some(secret) = original.text.get(span.start as usize..span.end as usize) {
                    text.replace_range(span.start as usize..span.end as usize, &masked(secret));
                    secrets.push(secret.to_owned());
                }
            }
            let file = Arc::new(SourceFile::new(path.clone(), text));
            (path, (file, secrets))
        })
        .collect();
    for finding in findings.iter_mut() {
        if let Some((file, secrets)) = masked_files.get(finding.file.path.as_str()) {
            finding.file = Arc::clone(file);
            // Defence in depth against a plugin quoting a secret in its message. Short
            // secrets are often words the message uses too ("embeds the password of user
            // `app`" for the password `password`), so only long ones are replaced.
            for secret in secrets.iter().filter(|s| s.chars().count() >= MESSAGE_MASK_MIN_CHARS) {
                if finding.message.contains(secret.as_str()) {
                    finding.message = finding.message.replace(secret.as_str(), &masked(secret));
                }
            }
        }
        for related in &mut finding.related {
            if let Some((file, _)) = masked_files.get(related.file.path.as_str()) {
                related.file = Arc::clone(file);
            }
        }
    }
}

/// The same number of bytes, the first characters kept, the rest `*` except line breaks.
fn masked(secret: &str) -> String {
    secret
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < SECRET_SHOWN_CHARS || c == '\n' || c == '\r' {
                c.to_string()
            } else {
                "*".repeat(c.len_utf8())
            }
        })
        .collect()
}

/// A file a scan read: the inventory JUnit reports per rule and evidence records.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScannedFile {
    pub path: String,
    pub format: Format,
    pub bytes: u64,
    /// sha256 of the file's bytes, hex; computed when the command needs it (evidence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
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

impl ErrorKind {
    /// `io`, `parse` or `plugin`, as JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Parse => "parse",
            ErrorKind::Plugin => "plugin",
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(file: &Arc<SourceFile>, span: Span, secret: bool, message: &str) -> Finding {
        Finding {
            rule: RuleId::parse("secrets/x").unwrap(),
            severity: Severity::High,
            message: message.into(),
            location: file.location(span),
            file: Arc::clone(file),
            span,
            related: Vec::new(),
            plugin: "secrets".into(),
            secret,
            suppression: None,
            fingerprint: String::new(),
        }
    }

    #[test]
    fn secrets_are_masked_in_the_text_every_finding_of_the_file_shows() {
        let text = "A=1\nKEY=sk-live-0123456789\nPEM=\"-----BEGIN\nabcé\"\n";
        let file = Arc::new(SourceFile::new("prod.env", text));
        let key = Span::new(8, 26);
        let pem = Span::new(31, 48);
        let mut findings = vec![
            finding(&file, Span::new(0, 3), false, "A is odd"),
            finding(&file, key, true, "KEY holds sk-live-0123456789"),
            finding(&file, pem, true, "PEM holds a private key"),
        ];
        mask_secrets(&mut findings);
        let masked = &*findings[0].file.text;
        assert_eq!(masked, "A=1\nKEY=sk-l**************\nPEM=\"---*******\n*****\"\n");
        assert_eq!(masked.len(), text.len(), "offsets do not move");
        assert!(findings.iter().all(|f| Arc::ptr_eq(&f.file, &findings[0].file)));
        assert_eq!(findings[1].message, "KEY holds sk-l**************");
        assert!(!findings.iter().any(|f| f.file.text.contains("0123456789")));
    }

    #[test]
    fn where_a_secret_was_set_is_masked_too() {
        let main = Arc::new(SourceFile::new("main.tf", "password = var.p\n"));
        let vars = Arc::new(SourceFile::new("terraform.tfvars", "p = \"hunter2hunter2\"\n"));
        let mut secret = finding(&main, Span::new(11, 16), true, "plaintext password");
        secret.related.push(Related {
            file: Arc::clone(&vars),
            span: Span::new(4, 20),
            message: "set here".into(),
        });
        let mut findings = vec![secret];
        mask_secrets(&mut findings);
        assert_eq!(&*findings[0].related[0].file.text, "p = \"hun************\n");
    }

    #[test]
    fn a_short_secret_that_is_also_a_word_of_the_message_leaves_the_message_alone() {
        let file = Arc::new(SourceFile::new(".env", "URL=postgres://app:password@db/x\n"));
        let mut findings =
            vec![finding(&file, Span::new(19, 27), true, "the URL embeds the password of user `app`")];
        mask_secrets(&mut findings);
        assert_eq!(findings[0].message, "the URL embeds the password of user `app`");
        assert_eq!(&*findings[0].file.text, "URL=postgres://app:pass****@db/x\n");
    }

    #[test]
    fn fingerprints_ignore_unrelated_edits_and_count_repeats() {
        let before = Arc::new(SourceFile::new("a.env", "A=1\nPASSWORD=x\nPASSWORD=x\n"));
        let after = Arc::new(SourceFile::new("a.env", "# new comment\n\nA=2\n  PASSWORD=x\nPASSWORD=x\n"));
        let at = |file: &Arc<SourceFile>, line: usize| {
            let start = file.text.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>() as u32;
            let end = start + file.text[start as usize..].find('\n').unwrap() as u32;
            finding(file, Span::new(start, end), false, "m")
        };
        let mut old = vec![at(&before, 2), at(&before, 3)];
        let mut new = vec![at(&after, 4), at(&after, 5)];
        fingerprint_all(&mut old);
        fingerprint_all(&mut new);
        assert_eq!(old[0].fingerprint, new[0].fingerprint, "moved and re-indented: same finding");
        assert_eq!(old[1].fingerprint, new[1].fingerprint);
        assert_ne!(old[0].fingerprint, old[1].fingerprint, "the second occurrence is another finding");
        assert!(old[0].fingerprint.ends_with(":1") && old[1].fingerprint.ends_with(":2"));
        let mut other_rule = vec![at(&before, 2)];
        other_rule[0].rule = RuleId::parse("secrets/y").unwrap();
        fingerprint_all(&mut other_rule);
        assert_ne!(other_rule[0].fingerprint, old[0].fingerprint);
    }

    #[test]
    fn files_without_secrets_are_left_alone() {
        let file = Arc::new(SourceFile::new("a.env", "A=secret-but-not-marked\n"));
        let mut findings = vec![finding(&file, Span::new(2, 23), false, "m")];
        mask_secrets(&mut findings);
        assert!(Arc::ptr_eq(&findings[0].file, &file));
    }
}
