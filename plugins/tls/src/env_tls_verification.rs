//! `tls/env-tls-verification`: no environment variable turns TLS certificate verification
//! off.
//!
//! ## What it does
//! Reads the environment variables every format sets (env files, Dockerfile `ENV` and `ARG`
//! defaults, Kubernetes container `env` and ConfigMaps, Compose `environment`, ECS container
//! definitions and Lambda functions in Terraform) and reports those that disable certificate
//! verification of a TLS client:
//! `NODE_TLS_REJECT_UNAUTHORIZED=0` (Node.js), `PYTHONHTTPSVERIFY=0` (Python, PEP 493),
//! `GIT_SSL_NO_VERIFY` (git, whatever its value), `NPM_CONFIG_STRICT_SSL=false` (npm),
//! `YARN_ENABLE_STRICT_SSL=false` (Yarn), `CONDA_SSL_VERIFY=false` (conda),
//! `BUNDLE_SSL_VERIFY_MODE=0` (Bundler), `PIP_TRUSTED_HOST` (pip) and `GOINSECURE` (Go).
//! A value that is only known at run time (`${VAR}`) is not judged.
//!
//! ## Why is this bad?
//! A TLS client that accepts any certificate encrypts to whoever answers: anyone on the path
//! (a compromised proxy, Wi-Fi, DNS) can impersonate the server, read the traffic and
//! inject responses, including packages and code fetched at build time.
//!
//! ## Example
//! ```dockerfile
//! ENV NODE_TLS_REJECT_UNAUTHORIZED=0
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! COPY corporate-ca.pem /usr/local/share/ca-certificates/corporate-ca.crt
//! RUN update-ca-certificates
//! ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/corporate-ca.crt
//! ```

use rampart_plugin_sdk::env;
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::insecure_env;

pub const RULE: Rule = Rule {
    id: "tls/env-tls-verification",
    title: "Environment variables do not disable TLS certificate verification",
    severity: Severity::High,
    formats: &[Format::Env, Format::Dockerfile, Format::Kubernetes, Format::Compose, Format::Terraform],
    rationale: "A client that skips certificate verification still encrypts, but to whoever \
        answers: anyone on the network path can impersonate the server, read credentials and \
        data, and inject responses (including packages installed at build time). Setting it \
        in the environment switches verification off for every connection of the process.",
    remediation: "Remove the variable. If a private CA is the reason, trust that CA instead: \
        `NODE_EXTRA_CA_CERTS=/path/ca.pem` (Node.js), `REQUESTS_CA_BUNDLE` / `SSL_CERT_FILE` \
        (Python), `git config http.sslCAInfo`, `npm config set cafile`, `PIP_CERT`, or add it \
        to the system store with `update-ca-certificates`.",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-23"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for variable in env::variables(doc) {
        // Numbers count as their text (`value: 0` in YAML, `value = 0` in HCL).
        let Some(value) = variable.value.scalar() else { continue };
        if let Some(why) = insecure_env(variable.name, value) {
            // An empty value has an empty span: point at the name instead.
            let at = if value.is_empty() { variable.name_node } else { variable.value };
            cx.report(at, why);
        }
    }
}
