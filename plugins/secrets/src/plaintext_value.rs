//! `secrets/plaintext-value`: environment variables named like secrets hold no literal
//! secret.
//!
//! ## What it does
//! Reads every environment variable rampart knows of: env files, Dockerfile `ENV` and `ARG`
//! defaults, Kubernetes container `env[].value` and ConfigMap data, Compose `environment`
//! and `build.args`, ECS container definitions and Lambda environments in Terraform. A
//! variable whose name ends in a secret noun (`DB_PASSWORD`, `SECRET_KEY`, `CHATGPT_API_KEY`,
//! `AUTH_TOKEN`, `CLIENT_SECRET`; not `PASSWORD_MIN_LENGTH`, `TOKEN_EXPIRY`, `SECRET_ARN`,
//! `API_KEY_FILE`) and that holds a literal is reported, unless the value is a reference
//! (`${VAR}`, `$(VAR)`), a placeholder (`changeme`, `<your-key>`, `xxx`,
//! `your_api_key_here`), a switch (`true`, `required`), a path, a URL (see
//! `secrets/url-credentials`), an ARN or a secret store reference, or public key material.
//! Names that only sometimes hold secrets (`LLM_KEY`, `BASIC_AUTH`, `CREDENTIALS`) and
//! every value of example or template env files (`.env.example`) are reported only when the
//! value is random-looking: at least `min_length` characters, Shannon entropy of at least
//! `min_entropy` bits per character, and not words joined by separators. Values in a known
//! provider format are left to `secrets/known-format`. The default of a reference in an env
//! file or Compose value (`${DB_PASSWORD:-hunter2}`) is judged too, under the referenced
//! name: it is the value used whenever the variable is not set.
//!
//! ## Why is this bad?
//! An env file, a Dockerfile or a manifest is committed, copied into images and CI logs, and
//! shown by `docker inspect` and `kubectl describe`: whoever reads any of them has the
//! secret, and it stays in the history after it is removed.
//!
//! ## Example
//! ```yaml
//! env:
//!   - name: DB_PASSWORD
//!     value: "hunter2-prod"
//! ```
//!
//! ## Use instead
//! ```yaml
//! env:
//!   - name: DB_PASSWORD
//!     valueFrom:
//!       secretKeyRef: {name: db, key: password}
//! ```

use std::collections::HashSet;

use rampart_plugin_sdk::env::{self, Source};
use rampart_plugin_sdk::{
    Context, Document, Format, Kind, Node, Param, ParamDefault, Rule, Severity, compose, mask,
};

use crate::detect::{describe_value, judge_named};
use crate::walk;

pub const RULE: Rule = Rule {
    id: "secrets/plaintext-value",
    title: "Secret-named variables hold no plaintext secret",
    severity: Severity::High,
    formats: &[Format::Env, Format::Dockerfile, Format::Kubernetes, Format::Compose, Format::Terraform],
    rationale: "Env files, Dockerfiles and manifests are committed, copied into images and CI \
        logs, and printed by `docker inspect`, `docker history` and `kubectl describe`. A \
        password or key written in them is readable by everyone who can read any of those, \
        and stays in the repository history after it is removed.",
    remediation: "Rotate the secret, then inject it at run time instead: Kubernetes \
        `valueFrom: {secretKeyRef: {name: db, key: password}}`, ECS `secrets: [{name = \
        \"DB_PASSWORD\", valueFrom = aws_secretsmanager_secret.db.arn}]`, Compose `secrets:` \
        or `DB_PASSWORD: ${DB_PASSWORD}` from the deploy environment, `RUN \
        --mount=type=secret,id=npm_token` instead of ARG/ENV in a Dockerfile, and an empty \
        `SECRET_KEY=` in committed env files (`.env` itself stays out of version control).",
    references: &["NIST SP 800-53 IA-5(7)", "NIST SP 800-53 SC-28", "CIS Docker Benchmark 4.10"],
    params: &[
        Param {
            name: "min_length",
            description: "Minimum length for a value to count as random-looking (the test applied \
                to weakly secret-ish names and to example/template env files).",
            default: ParamDefault::Integer(crate::detect::DEFAULT_MIN_LENGTH),
        },
        Param {
            name: "min_entropy",
            description: "Minimum Shannon entropy, in bits per character, for a value to count as \
                random-looking.",
            default: ParamDefault::Float(crate::detect::DEFAULT_MIN_ENTROPY),
        },
    ],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let min_length = usize::try_from(cx.param_i64("min_length")).unwrap_or(0);
    let min_entropy = cx.param_f64("min_entropy");
    // Copies of one value (a YAML anchor merged into several services, an ARG expanded into
    // an ENV) are reported once; env file entries are each a line of their own.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut vars: Vec<Var<'_>> = env::variables(doc)
        .into_iter()
        .filter_map(|v| {
            let (template, dedupe) = match v.source {
                Source::EnvFile { template } => (template, false),
                _ => (false, true),
            };
            Some(Var {
                name: v.name,
                node: v.value,
                text: v.value.str()?,
                lead: walk::env_place(v.source, v.name),
                template,
                dedupe,
                fallback: false,
            })
        })
        .collect();
    reference_defaults(doc, &mut vars);
    if doc.format() == Format::Compose {
        compose_build_args(doc, &mut vars);
    }
    // A Terraform variable's literal put into an environment through `var.x` is reported at
    // the variable, by secrets/terraform-literal.
    let defined = walk::terraform_secret_definitions(doc, min_length, min_entropy);
    for Var { name, node, text, lead, template, dedupe, fallback } in vars {
        let Some(named) = judge_named(name, text, template, min_length, min_entropy) else { continue };
        if defined.contains(text.trim()) {
            continue;
        }
        if dedupe && !seen.insert(text) {
            continue;
        }
        let secret = mask(text.trim());
        let detail = describe_value(&named);
        let message = match lead.as_str() {
            _ if fallback => {
                format!(
                    "{lead} falls back to a plaintext secret (`{secret}`, {detail}) when `{name}` is not set"
                )
            }
            _ if template => {
                format!("{lead} holds a real-looking secret (`{secret}`, {detail}) in an example file")
            }
            l if l.starts_with("ENV") => {
                format!(
                    "{lead} bakes a plaintext secret into the image (`{secret}`, {detail}): `docker inspect` shows it"
                )
            }
            l if l.starts_with("ARG") => format!(
                "{lead} defaults to a plaintext secret (`{secret}`, {detail}): build arguments are kept in the image history"
            ),
            _ => format!("{lead} holds a plaintext secret (`{secret}`, {detail})"),
        };
        cx.report(node, message).secret();
    }
}

/// A variable to judge.
struct Var<'a> {
    name: &'a str,
    /// Where to report (the value, or the whole `NAME=value` item of a list).
    node: Node<'a>,
    text: &'a str,
    /// "ENV `NAME`", for messages.
    lead: String,
    template: bool,
    /// Whether a repeated value is reported once.
    dedupe: bool,
    /// The default of a reference (`${DB_PASSWORD:-hunter2}`), named by the reference.
    fallback: bool,
}

/// The defaults of references in env file and Compose values: `${DB_PASSWORD:-hunter2}`
/// writes the secret down as the value used when the variable is not set. Each is judged
/// under the name of the variable it stands for.
fn reference_defaults<'a>(doc: &'a Document, out: &mut Vec<Var<'a>>) {
    for var in env::variables(doc) {
        let template = match var.source {
            Source::EnvFile { template } => template,
            Source::Compose => false,
            _ => continue,
        };
        let references = var.value.parent().and_then(|entry| entry.get("references"));
        for reference in references.into_iter().flat_map(Node::items) {
            let (Some(name), Some(node)) =
                (reference.get("name").and_then(Node::str), reference.get("default"))
            else {
                continue;
            };
            let Some(text) = node.str() else { continue };
            let lead = walk::env_place(var.source, var.name);
            out.push(Var { name, node, text, lead, template, dedupe: true, fallback: true });
        }
    }
}

/// Compose `build.args`, map or list form, as written (with `${VAR}` references in the
/// text, which the judge treats as references).
fn compose_build_args<'a>(doc: &'a Document, out: &mut Vec<Var<'a>>) {
    for service in compose::services(doc) {
        let Some(args) = service.definition("build").and_then(|b| b.get("args")) else { continue };
        match args.kind() {
            Kind::Map => {
                for (name, node) in args.entries() {
                    if let Some(text) = node.str() {
                        let lead = format!("build arg `{name}`");
                        out.push(Var {
                            name,
                            node,
                            text,
                            lead,
                            template: false,
                            dedupe: true,
                            fallback: false,
                        });
                    }
                }
            }
            Kind::List => {
                for item in args.children() {
                    let Some((name, text)) = item.str().and_then(|s| s.split_once('=')) else { continue };
                    let lead = format!("build arg `{name}`");
                    out.push(Var {
                        name,
                        node: item,
                        text,
                        lead,
                        template: false,
                        dedupe: true,
                        fallback: false,
                    });
                }
            }
            _ => {}
        }
    }
}
