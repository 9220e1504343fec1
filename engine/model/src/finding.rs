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
    /// The text at `span` is a secret: outputs show at most its first four characters.
    pub secret: bool,
}

impl Finding {
    /// The deterministic report order: path, line, column, rule, then message.
    pub fn sort_key(&self) -> (&str, u32, u32, &RuleId, &str) {
        (&self.file.path, self.location.line, self.location.column, &self.rule, &self.message)
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
    fn files_without_secrets_are_left_alone() {
        let file = Arc::new(SourceFile::new("a.env", "A=secret-but-not-marked\n"));
        let mut findings = vec![finding(&file, Span::new(2, 23), false, "m")];
        mask_secrets(&mut findings);
        assert!(Arc::ptr_eq(&findings[0].file, &file));
    }
}
