//! `secrets/dockerfile-secret-file`: no env files, private keys or credential files copied
//! into an image.
//!
//! ## What it does
//! Checks the sources of every `COPY` and `ADD` (`--from` included) against file name
//! patterns of secret files: `.env` and `.env.*` (not `.env.example`, `.env.sample`,
//! `.env.template`...), SSH private keys (`id_rsa`, `id_ed25519`...), `*.pem` (not
//! certificates like `ca.pem`, `fullchain.pem`), `*.key`, `*.p12`, `*.pfx`, `*.jks`,
//! `credentials.json`, `.netrc`, `.git-credentials`, `.pgpass`, `.htpasswd`... A wildcard
//! source is reported when what it spells out is such a file (`.env*`, `*.pem`). `COPY . .`
//! and other directory copies cannot be judged without the build context and its
//! `.dockerignore`: they are not reported. A copy into a build stage other than the final
//! one is reported at medium severity: the file stays in that stage's layers and the build
//! cache, not in the shipped image.
//!
//! ## Why is this bad?
//! Every layer of an image is readable by anyone who can pull it, and deleting the file in a
//! later layer does not remove it from the layer that added it.
//!
//! ## Example
//! ```dockerfile
//! COPY .env.production /app/.env
//! COPY id_rsa /root/.ssh/id_rsa
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # the environment is given at run time (docker run --env-file, Kubernetes Secrets)
//! RUN --mount=type=ssh git clone git@github.com:org/private.git
//! RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
//! ```

use rampart_plugin_sdk::{Context, Document, Format, Node, Param, ParamDefault, Rule, Severity, dockerfile};

pub const RULE: Rule = Rule {
    id: "secrets/dockerfile-secret-file",
    title: "Images do not contain env files, keys or credential files",
    severity: Severity::High,
    formats: &[Format::Dockerfile],
    rationale: "Anyone who can pull an image can read every file of every layer. An env file, \
        a private key or a credentials file copied in is published with the image, and \
        removing it in a later instruction does not remove it from the layer that added it.",
    remediation: "Give secrets to the build with BuildKit mounts that leave nothing in a \
        layer (`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`, `RUN \
        --mount=type=ssh git clone ...`) and to the container at run time (`docker run \
        --env-file`, Kubernetes Secrets, ECS `secrets`). List `.env*`, `*.pem`, `*.key` and \
        `id_*` in `.dockerignore` so that `COPY . .` cannot pick them up either.",
    references: &["CIS Docker Benchmark 4.10", "NIST SP 800-53 IA-5(7)", "NIST SP 800-53 SC-28"],
    params: &[
        Param {
            name: "file_patterns",
            description: "File name patterns (`*` and `?` wildcards, matched case-insensitively \
                against the last path component) of files that hold secrets.",
            default: ParamDefault::Texts(&[
                ".env",
                ".env.*",
                "*.env",
                "id_rsa",
                "id_dsa",
                "id_ecdsa",
                "id_ed25519",
                "*.pem",
                "*.key",
                "*.p12",
                "*.pfx",
                "*.jks",
                "*.keystore",
                "*.ppk",
                "credentials",
                "credentials.json",
                "client_secret*.json",
                ".netrc",
                ".git-credentials",
                ".pgpass",
                ".htpasswd",
                ".pypirc",
                "secrets.env",
            ]),
        },
        Param {
            name: "allowed_patterns",
            description: "File name patterns that match `file_patterns` but hold no secret: \
                examples and templates, certificates.",
            default: ParamDefault::Texts(&[
                "*.example",
                "*.sample",
                "*.template",
                "*.tmpl",
                "*.tpl",
                "*.dist",
                "*.defaults",
                "example.env",
                "sample.env",
                "template.env",
                "*.example.env",
                "*.sample.env",
                "*cert*.pem",
                "*chain*.pem",
                "*bundle*.pem",
                "ca.pem",
                "ca-*.pem",
                "ca_*.pem",
                "*-ca.pem",
                "*_ca.pem",
                "*.crt.pem",
                "*.pub.pem",
                "*public*.pem",
                "*public*.key",
                "*.pub.key",
            ]),
        },
    ],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let patterns = cx.param_texts("file_patterns");
    let allowed = cx.param_texts("allowed_patterns");
    let stage_count = dockerfile::stages(doc).count();
    for (index, stage) in dockerfile::stages(doc).enumerate() {
        let is_final = index + 1 == stage_count;
        for instruction in dockerfile::instructions(stage) {
            let keyword = dockerfile::keyword(instruction);
            if keyword != "COPY" && keyword != "ADD" {
                continue;
            }
            for source in instruction.get("sources").into_iter().flat_map(Node::items) {
                let Some(path) = source.str() else { continue };
                let Some(file) = secret_file(path, &patterns, &allowed) else { continue };
                let into = if is_final {
                    "into the image".to_owned()
                } else {
                    match stage.get("name").and_then(Node::str) {
                        Some(name) => format!("into build stage `{name}`"),
                        None => format!("into build stage {index}"),
                    }
                };
                let glob = path.contains(['*', '?', '[']);
                let (it, them) = if glob { ("them", "they stay") } else { ("it", "it stays") };
                let why = if is_final {
                    format!("anyone who pulls the image can read {it}, even if a later layer deletes {it}")
                } else {
                    format!("{them} in the stage's layers and the build cache")
                };
                let (one, many) = describe(&file);
                let what = if glob {
                    format!("the {many} matched by `{path}`")
                } else {
                    format!("the {one} `{path}`")
                };
                let report = cx.report(source, format!("{keyword} puts {what} {into}: {why}"));
                if !is_final {
                    report.severity(Severity::Medium);
                }
            }
        }
    }
}

/// The file name a source copies when it is a secret file (`None` otherwise). A wildcard
/// source is judged by what it spells out with its wildcards removed (`.env*` is `.env`,
/// `*.pem` is `.pem`): `*` and `*.json` copy many things and are not judged.
fn secret_file(path: &str, patterns: &[String], allowed: &[String]) -> Option<String> {
    if path.starts_with("<<") {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path).trim_end_matches('/');
    let name = path.rsplit('/').next().unwrap_or(path);
    let spelled: String = name.chars().filter(|c| !matches!(c, '*' | '?' | '[' | ']')).collect();
    if spelled.is_empty() || spelled == "." || spelled == ".." {
        return None;
    }
    let lower = spelled.to_ascii_lowercase();
    // Allowed patterns also see the directories: `certs/*.pem` copies certificates.
    let whole: String =
        path.chars().filter(|c| !matches!(c, '*' | '?' | '[' | ']')).collect::<String>().to_ascii_lowercase();
    let secret = patterns.iter().any(|p| glob(&p.to_ascii_lowercase(), &lower));
    let harmless = allowed.iter().any(|p| {
        let p = p.to_ascii_lowercase();
        glob(&p, &lower) || glob(&p, &whole)
    });
    (secret && !harmless).then(|| name.to_owned())
}

/// What kind of secret file a name is, for messages: singular and plural.
#[allow(clippy::case_sensitive_file_extension_comparisons)] // compared lowercased
fn describe(name: &str) -> (&'static str, &'static str) {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with(".env") || lower.ends_with(".env") {
        ("env file", "env files")
    } else if lower.starts_with("id_") {
        ("SSH private key", "SSH private keys")
    } else if [".pem", ".key", ".ppk"].iter().any(|e| lower.ends_with(e)) {
        ("private key", "private keys")
    } else if [".p12", ".pfx", ".jks", ".keystore"].iter().any(|e| lower.ends_with(e)) {
        ("keystore", "keystores")
    } else {
        ("credentials file", "credentials files")
    }
}

/// Glob matching of one path component: `*` (any run), `?` (one character).
fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob(".env.*", ".env.production"));
        assert!(glob("*.pem", "key.pem"));
        assert!(glob("*.pem", ".pem"));
        assert!(!glob(".env.*", ".env"));
        assert!(glob("*cert*.pem", "server-cert.pem"));
        assert!(!glob("*.key", "key.pem"));
    }
}
