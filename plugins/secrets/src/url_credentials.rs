//! `secrets/url-credentials`: no passwords inside URLs.
//!
//! ## What it does
//! Finds URLs whose user info carries a password, `scheme://user:password@host`, in every
//! value rampart reads (connection strings in env files, Compose and Kubernetes environment,
//! ConfigMaps, Dockerfile ENV/ARG/RUN, Terraform attributes and variable defaults). A
//! password that is a reference (`${DB_PASSWORD}`, `$(DB_PASSWORD)`) or a placeholder
//! (`<password>`, `changeme`, `***`) is not reported, nor is one for a service on the
//! machine itself (`localhost`, `127.0.0.1`: a developer's local database); in example and template env files only
//! a random-looking password is. A password in a known provider format is left to
//! `secrets/known-format`; in Terraform, a password that comes from a secret-named variable
//! or local with a literal value (`var.db_password`) is reported there, by
//! `secrets/terraform-literal`, rather than in every URL built from it.
//!
//! ## Why is this bad?
//! A connection string is copied everywhere whole: into logs, error messages, crash
//! reports, process listings and the environment of every process. The password in it is a
//! plaintext secret in the repository and in all of those places.
//!
//! ## Example
//! ```env
//! DATABASE_URL=postgresql://app:s3cret@db:5432/app
//! ```
//!
//! ## Use instead
//! ```env
//! DATABASE_URL=postgresql://app@db:5432/app
//! # the password comes from the secret store at run time, e.g. PGPASSWORD
//! ```

use std::collections::HashSet;

use rampart_plugin_sdk::{Context, Document, Format, Param, ParamDefault, Rule, Severity};

use crate::detect::{is_placeholder, known_formats, looks_random, url_credentials};
use crate::walk;

pub const RULE: Rule = Rule {
    id: "secrets/url-credentials",
    title: "URLs do not embed passwords",
    severity: Severity::High,
    formats: &[Format::Env, Format::Dockerfile, Format::Kubernetes, Format::Compose, Format::Terraform],
    rationale: "A password inside a connection string is a plaintext secret in the repository, \
        and the URL carrying it is logged, printed in error messages and passed around whole, \
        so the password leaks with it.",
    remediation: "Keep the URL without its password (`postgresql://app@db:5432/app`) and give \
        the password separately from a secret store: `PGPASSWORD`/`DB_PASSWORD` from a \
        Kubernetes Secret (`valueFrom.secretKeyRef`), ECS `secrets`, Compose `secrets:`, or \
        the whole URL from a secret store entry. Rotate the password that was committed.",
    references: &["NIST SP 800-53 IA-5(7)", "NIST SP 800-53 SC-28"],
    params: &[
        Param {
            name: "min_length",
            description: "In example and template env files, a URL password is reported only when \
                it is at least this many characters long and random-looking.",
            default: ParamDefault::Integer(crate::detect::DEFAULT_MIN_LENGTH),
        },
        Param {
            name: "min_entropy",
            description: "In example and template env files, the Shannon entropy (bits per \
                character) from which a URL password counts as random-looking.",
            default: ParamDefault::Float(crate::detect::DEFAULT_MIN_ENTROPY),
        },
    ],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let min_length = usize::try_from(cx.param_i64("min_length")).unwrap_or(0);
    let min_entropy = cx.param_f64("min_entropy");
    let mut seen: HashSet<(&str, &str, &str)> = HashSet::new();
    let sites = walk::sites(doc);
    // In Terraform a URL built from `var.db_password` holds the variable's value: the
    // literal is reported where it is written, by secrets/terraform-literal.
    let defined = walk::terraform_secret_definitions(doc, min_length, min_entropy);
    for site in &sites {
        for url in url_credentials(site.text) {
            if !known_formats(url.password).is_empty()
                || is_placeholder(url.password)
                || defined.contains(url.password)
                || url.is_loopback()
            {
                continue;
            }
            if site.template && !looks_random(url.password, min_length, min_entropy) {
                continue;
            }
            if !seen.insert((url.scheme, url.user, url.password)) {
                continue;
            }
            // The user name is printed unless it could be a secret itself (a token as user).
            let printable = !url.user.is_empty()
                && url.user.len() <= 32
                && known_formats(url.user).is_empty()
                && !looks_random(url.user, min_length, min_entropy);
            let whose = if printable {
                format!("the password of user `{}`", url.user)
            } else {
                "a password".to_owned()
            };
            let report = cx.report(site.node, format!("{} in {} embeds {whose}", url.what(), site.place));
            // Point at (and mask) the password itself when the value is written as it is.
            match site.node.range_of(url.password) {
                Some(range) => report.part(range).secret(),
                None => report.secret(),
            };
        }
    }
}
