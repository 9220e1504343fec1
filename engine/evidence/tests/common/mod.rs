//! A scan to write evidence of, built from real model types and the built-in packs.

#![allow(dead_code)] // each test crate uses part of it

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rampart_evidence::{Assessment, PluginRecord, RuleInForce, Scope};
use rampart_model::{
    ErrorKind, Finding, Format, Notice, ParamSpec, ParamValue, RuleId, RuleMeta, RuleSettings, ScanError,
    ScannedFile, Severity, SourceFile, Span, Suppression, SuppressionKind, fingerprint_all,
};
use rampart_policy::Pack;
use sha2::{Digest, Sha256};

/// A message with everything CSV and HTML must escape.
pub const NASTY_MESSAGE: &str = "image uses \"latest\", see <script>alert('x')</script>\nsecond line, too";
/// A secret that is in a scanned file's text and must never reach the bundle.
pub const SECRET: &str = "sk-live-0123456789abcdefSECRET";
pub const WAIVER: &str = "legacy clients, until 2026-09 (ticket SEC-12)";

pub fn rule(id: &str, formats: &[Format], params: &[(&str, ParamValue)]) -> RuleMeta {
    RuleMeta {
        id: RuleId::parse(id).unwrap(),
        title: format!("title of {id}"),
        severity: Severity::High,
        formats: formats.to_vec(),
        rationale: String::new(),
        remediation: String::new(),
        references: Vec::new(),
        params: params
            .iter()
            .map(|(name, default)| ParamSpec {
                name: (*name).into(),
                description: String::new(),
                default: default.clone(),
            })
            .collect(),
    }
}

pub struct Fixture {
    pub rules: Vec<RuleMeta>,
    pub disabled: Vec<&'static str>,
    pub sources: Vec<(Arc<SourceFile>, Format)>,
    pub files: Vec<ScannedFile>,
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    pub notices: Vec<Notice>,
    pub packs: Vec<Pack>,
    pub paths: Vec<String>,
    pub started: SystemTime,
    pub finished: SystemTime,
}

impl Fixture {
    /// SOC 2 with a mix of outcomes:
    /// CC6.1, CC6.3, CC6.8 fail (non-root); CC6.6, CC6.7 waived (tls); CC7.2, CC7.3, C1.1
    /// pass; CC7.5 and A1.2 not applicable (backup rules disabled).
    pub fn soc2() -> Fixture {
        Fixture::with_packs(&["soc2"])
    }

    pub fn with_packs(packs: &[&str]) -> Fixture {
        let rules = vec![
            rule(
                "secrets/known-format",
                &[Format::Env, Format::Terraform],
                &[("min_entropy", ParamValue::Float(3.0))],
            ),
            rule("non-root/dockerfile-user", &[Format::Dockerfile], &[]),
            rule(
                "tls/lb-listener-policy",
                &[Format::Terraform],
                &[("min_tls", ParamValue::Text("1.2".into()))],
            ),
            rule(
                "backup/rds-retention",
                &[Format::Terraform],
                &[("min_retention_days", ParamValue::Integer(7))],
            ),
            rule("logging/log-group-retention", &[Format::Terraform], &[]),
            rule("encryption/s3-bucket", &[Format::Terraform], &[]),
            rule(
                "network/security-group-open",
                &[Format::Terraform],
                &[("public_ports", ParamValue::Texts(vec!["80".into(), "443".into()]))],
            ),
            rule("hygiene/image-latest-tag", &[Format::Dockerfile, Format::Compose], &[]),
        ];
        let sources = vec![
            (Arc::new(SourceFile::new("Dockerfile", "FROM alpine:latest\nRUN true\n")), Format::Dockerfile),
            (
                Arc::new(SourceFile::new(
                    "infra/main.tf",
                    "resource \"aws_lb_listener\" \"x\" {\n  ssl_policy = \"old\"\n}\n",
                )),
                Format::Terraform,
            ),
            (Arc::new(SourceFile::new("app/.env", format!("API_KEY={SECRET}\n"))), Format::Env),
            (Arc::new(SourceFile::new("my dir/compose.yaml", "services: {}\n")), Format::Compose),
        ];
        let files = sources
            .iter()
            .map(|(file, format)| ScannedFile {
                path: file.path.clone(),
                format: *format,
                bytes: file.text.len() as u64,
                sha256: Some(hex::encode(Sha256::digest(file.text.as_bytes()))),
            })
            .collect();
        let mut fixture = Fixture {
            rules,
            disabled: vec!["backup/rds-retention"],
            sources,
            files,
            findings: Vec::new(),
            errors: Vec::new(),
            notices: Vec::new(),
            packs: packs.iter().map(|p| Pack::load(p, Path::new(".")).unwrap()).collect(),
            paths: vec![".".into()],
            started: UNIX_EPOCH + Duration::from_hours(490_896), // 2026-01-01T00:00:00Z
            finished: UNIX_EPOCH + Duration::from_hours(490_896) + Duration::from_secs(42),
        };
        fixture.add_finding("non-root/dockerfile-user", "Dockerfile", Span::new(0, 18), "runs as root", None);
        fixture.add_finding("hygiene/image-latest-tag", "Dockerfile", Span::new(5, 18), NASTY_MESSAGE, None);
        fixture.add_finding(
            "tls/lb-listener-policy",
            "infra/main.tf",
            Span::new(35, 53),
            "the listener allows TLS 1.0",
            Some(WAIVER),
        );
        fixture
    }

    pub fn source(&self, path: &str) -> Arc<SourceFile> {
        Arc::clone(&self.sources.iter().find(|(f, _)| f.path == path).unwrap().0)
    }

    pub fn add_finding(&mut self, rule: &str, path: &str, span: Span, message: &str, waiver: Option<&str>) {
        let file = self.source(path);
        self.findings.push(Finding {
            rule: RuleId::parse(rule).unwrap(),
            severity: Severity::High,
            message: message.into(),
            location: file.location(span),
            file,
            span,
            related: Vec::new(),
            plugin: rule.split('/').next().unwrap().into(),
            secret: false,
            suppression: waiver.map(|reason| Suppression {
                kind: SuppressionKind::Inline,
                justification: reason.into(),
                at: None,
                expires: Some("2026-09-30".into()),
            }),
            fingerprint: String::new(),
        });
        self.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        fingerprint_all(&mut self.findings);
    }

    pub fn add_error(&mut self, kind: ErrorKind, path: Option<&str>, message: &str) {
        self.errors.push(ScanError::new(kind, path.map(str::to_owned), message));
    }

    pub fn scope(&self) -> Scope<'_> {
        Scope {
            tool_version: "0.1.0",
            started: self.started,
            finished: self.finished,
            git_commit: Some("0123456789abcdef0123456789abcdef01234567"),
            paths: &self.paths,
            files: &self.files,
            plugins: ["secrets", "non-root", "tls", "backup", "logging", "encryption", "network", "hygiene"]
                .iter()
                .map(|name| PluginRecord {
                    name: (*name).into(),
                    version: "0.1.0".into(),
                    sha256: hex::encode(Sha256::digest(name.as_bytes())),
                    origin: "built-in".into(),
                })
                .collect(),
            packs: &self.packs,
        }
    }

    pub fn assessment(&self) -> Assessment<'_> {
        Assessment {
            rules: self
                .rules
                .iter()
                .map(|meta| {
                    let mut settings = RuleSettings::defaults(meta);
                    settings.enabled = !self.disabled.contains(&meta.id.as_str());
                    RuleInForce { meta, plugin: meta.id.family(), settings }
                })
                .collect(),
            findings: &self.findings,
            errors: &self.errors,
            notices: &self.notices,
        }
    }
}

/// Every file of a bundle directory, by name.
pub fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

pub fn json(dir: &Path, name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
}

pub fn has_binary(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}
