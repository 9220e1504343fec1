//! rampart's parsers: bytes in, [`Document`]s with spans out.
//!
//! One module per format. A parser never knows about plugins or reports; it turns a file into
//! the documented shape for its format (docs/document-model.md) or a [`ParseError`] with a span.

use std::path::Path;
use std::sync::Arc;

use rampart_model::{Document, Format, SourceFile, Span};

pub mod compose;
pub mod dockerfile;
pub mod env;
pub mod kubernetes;
pub mod terraform;
pub mod yaml;

#[cfg(test)]
mod testing;

/// Why a file could not be parsed, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
    pub kind: ParseErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The file is malformed: an error, and the scan fails closed.
    Malformed,
    /// The file is well-formed input for another tool that rampart deliberately does not
    /// evaluate (a Helm template): reported once as a notice, not as an error.
    NotEvaluated,
}

impl ParseError {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self { span, message: message.into(), kind: ParseErrorKind::Malformed }
    }

    pub fn not_evaluated(span: Span, message: impl Into<String>) -> Self {
        Self { span, message: message.into(), kind: ParseErrorKind::NotEvaluated }
    }
}

/// Parses one file of a known format.
pub fn parse(format: Format, file: Arc<SourceFile>) -> Result<Document, ParseError> {
    match format {
        Format::Dockerfile => dockerfile::parse(file),
        Format::Env => env::parse(file),
        Format::Kubernetes => kubernetes::parse(file),
        // A Terraform module is a directory, not a file: see `terraform::parse_module`.
        Format::Terraform => Err(ParseError::new(
            Span::default(),
            "a Terraform file is read as part of its module directory, not alone",
        )),
        Format::Compose => compose::parse(file),
    }
}

/// What a file's name says about its format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameHint {
    /// The name settles it.
    Format(Format),
    /// The name says nothing (no extension): look at the content with [`detect`].
    Sniff,
    /// A YAML file whose content says what it is (Kubernetes manifests are named freely).
    Yaml,
    /// Not a format rampart reads.
    Skip,
}

/// Classifies a file by name alone, so discovery reads only files that may be scanned.
pub fn hint(path: &Path) -> NameHint {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return NameHint::Skip;
    };
    let lower = name.to_ascii_lowercase();
    let is_dockerfile_name = lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile");
    if is_dockerfile_name {
        return NameHint::Format(Format::Dockerfile);
    }
    // As Docker Compose and dotenv name them: `.env`, `.env.production`, `db.env`. Not
    // `.envrc` (direnv's shell script).
    if lower == ".env"
        || lower.starts_with(".env.")
        || Path::new(&lower).extension().is_some_and(|e| e == "env")
    {
        return NameHint::Format(Format::Env);
    }
    let extension = Path::new(&lower).extension().and_then(|e| e.to_str()).unwrap_or("");
    if extension == "yaml" || extension == "yml" {
        return if compose::is_compose_name(&lower) {
            NameHint::Format(Format::Compose)
        } else {
            NameHint::Yaml
        };
    }
    // A variable file belongs to the module in its directory: naming one (a pre-commit hook
    // passing a staged `terraform.tfvars`) scans that module with it.
    if extension == "tf" || [".tf.json", ".tfvars", ".tfvars.json"].iter().any(|e| lower.ends_with(e)) {
        return NameHint::Format(Format::Terraform);
    }
    if Path::new(&lower).extension().is_none() && !lower.starts_with('.') {
        NameHint::Sniff
    } else {
        NameHint::Skip
    }
}

/// The format of a file, judged by its name first and, for names that say nothing, by the
/// start of its content. `None`: not a format rampart reads.
pub fn detect(path: &Path, head: &[u8]) -> Option<Format> {
    match hint(path) {
        NameHint::Format(format) => Some(format),
        NameHint::Sniff => looks_like_dockerfile(head).then_some(Format::Dockerfile),
        NameHint::Yaml => {
            let text = std::str::from_utf8(head).or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]));
            match text {
                Ok(text) if kubernetes::sniff(text) => Some(Format::Kubernetes),
                Ok(text) if compose::looks_like_compose(text) => Some(Format::Compose),
                _ => None,
            }
        }
        NameHint::Skip => None,
    }
}

/// True when the first instruction (after comments, directives and blank lines) is `FROM`
/// or `ARG`s followed by `FROM`: enough for extension-less names like `web.build`.
fn looks_like_dockerfile(head: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(head).or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]))
    else {
        return false;
    };
    for line in text.lines() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let word = line.split_whitespace().next().unwrap_or("");
        if word.eq_ignore_ascii_case("FROM") {
            return true;
        }
        if word.eq_ignore_ascii_case("ARG") {
            continue;
        }
        return false;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfiles_are_recognised_by_name_and_by_content() {
        for name in ["Dockerfile", "dockerfile", "Dockerfile.prod", "web.Dockerfile", "Containerfile"] {
            assert_eq!(detect(Path::new(name), b""), Some(Format::Dockerfile), "{name}");
        }
        assert_eq!(detect(Path::new("build"), b"# comment\nARG X\nFROM alpine\n"), Some(Format::Dockerfile));
        assert_eq!(detect(Path::new("build"), b"echo hello\n"), None);
        assert_eq!(detect(Path::new("notes.txt"), b"FROM alpine\n"), None);
        assert_eq!(hint(Path::new("README.md")), NameHint::Skip);
        for name in [".env", ".env.production", ".env.example", "db.env", "prod.ENV"] {
            assert_eq!(hint(Path::new(name)), NameHint::Format(Format::Env), "{name}");
        }
        assert_eq!(hint(Path::new(".envrc")), NameHint::Skip);
        assert_eq!(hint(Path::new("main.tf")), NameHint::Format(Format::Terraform));
        assert_eq!(hint(Path::new("cdk.tf.json")), NameHint::Format(Format::Terraform));
        assert_eq!(hint(Path::new("terraform.tfvars.json")), NameHint::Format(Format::Terraform));
        assert_eq!(hint(Path::new("prod.tfvars")), NameHint::Format(Format::Terraform));
        assert_eq!(hint(Path::new("environment.yaml")), NameHint::Yaml);
        let deployment = b"# app\napiVersion: apps/v1\nkind: Deployment\n";
        assert_eq!(detect(Path::new("app.yaml"), deployment), Some(Format::Kubernetes));
        assert_eq!(detect(Path::new("ci.yml"), b"name: CI\non: push\n"), None);
        assert_eq!(hint(Path::new("docker-compose.prod.yml")), NameHint::Format(Format::Compose));
        let ecs = b"version: '3'\nservices:\n  backend:\n    image: x\n";
        assert_eq!(detect(Path::new("ecs-task.yaml"), ecs), Some(Format::Compose));
        assert_eq!(hint(Path::new("LICENSE")), NameHint::Sniff);
    }
}
