//! `secrets/known-format`: no provider key, token or private key in a recognisable format,
//! anywhere in a value.
//!
//! ## What it does
//! Scans every value rampart reads (env files, Dockerfile ENV/ARG/RUN/LABEL..., every string
//! of Kubernetes objects but Secret data, Compose files, Terraform attributes, variable
//! defaults, `.tfvars` values and locals) for credentials whose format gives them away:
//! AWS access key IDs (`AKIA`/`ASIA`), PEM private keys, OpenAI (`sk-`, `sk-proj-`),
//! Anthropic (`sk-ant-`), GitHub (`ghp_`, `gho_`, `github_pat_`...), Slack (`xoxb-`...,
//! webhook URLs), Stripe live keys (`sk_live_`, `rk_live_`), Google (`AIza`), GitLab
//! (`glpat-`), Groq (`gsk_`), npm, PyPI, Hugging Face, SendGrid, DigitalOcean and Azure
//! storage keys, and JWTs. Stand-ins (`ghp_xxxx…`, `AKIAIOSFODNN7EXAMPLE`, bodies without
//! the character mix of a real key) are not reported. Example and template env files are
//! scanned too: a real key is no less leaked for sitting in `.env.example`. A value is
//! reported once per document, where it is first written.
//!
//! ## Why is this bad?
//! A key in a repository is readable by everyone with access to the code, its forks, its CI
//! logs and every image built from it, and stays in the history after it is deleted. These
//! formats are what attackers' scanners look for first.
//!
//! ## Example
//! ```env
//! OPENAI_API_KEY=sk-proj-Q2x9...
//! ```
//!
//! ## Use instead
//! ```env
//! # set at deploy time from the secret store
//! OPENAI_API_KEY=
//! ```

use std::collections::HashSet;

use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity, mask};

use crate::detect::known_formats;
use crate::walk;

pub const RULE: Rule = Rule {
    id: "secrets/known-format",
    title: "No provider keys, tokens or private keys in code",
    severity: Severity::Critical,
    formats: &[Format::Env, Format::Dockerfile, Format::Kubernetes, Format::Compose, Format::Terraform],
    rationale: "A credential in a recognisable format (an AWS access key, a GitHub or OpenAI \
        token, a private key) is found within minutes by the scanners that crawl public \
        repositories, images and CI logs, and stays readable in the history after it is \
        deleted. Anyone who can read the code can act as its owner.",
    remediation: "Revoke and rotate the credential first: it is compromised. Then load it at \
        run time from a secret store instead of writing it down: Kubernetes \
        `valueFrom.secretKeyRef`, ECS `secrets` with `valueFrom` (Secrets Manager or SSM), a \
        Terraform `data \"aws_secretsmanager_secret_version\"` or a `sensitive` variable \
        without a default, Compose `secrets:`, `RUN --mount=type=secret` in a Dockerfile, \
        and an empty value in env files kept out of version control.",
    references: &["NIST SP 800-53 IA-5(7)", "NIST SP 800-53 SC-28", "CIS Docker Benchmark 4.10"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let mut seen: HashSet<&str> = HashSet::new();
    for site in walk::sites(doc) {
        let found: Vec<_> = known_formats(site.text).into_iter().filter(|k| seen.insert(k.text)).collect();
        if found.is_empty() {
            continue;
        }
        let what: Vec<String> =
            found
                .iter()
                .map(|k| {
                    if k.private_key { k.what.to_owned() } else { format!("{} (`{}`)", k.what, mask(k.text)) }
                })
                .collect();
        let mut message = format!("{} holds {}", site.place, join(&what));
        if site.template {
            message.push_str(", in an example file: it looks real, not like a placeholder");
        }
        let report = cx.report(site.node, message);
        // One secret in the value: point at (and mask) exactly it.
        match found.as_slice() {
            [only] => match site.node.range_of(only.text) {
                Some(range) => report.part(range).secret(),
                None => report.secret(),
            },
            _ => report.secret(),
        };
    }
}

/// "a, b and c".
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
