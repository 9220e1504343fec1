//! `tls/gcp-ssl-policy`: Google Cloud load balancers refuse TLS versions below `min_tls`.
//!
//! ## What it does
//! - `google_compute_ssl_policy` / `google_compute_region_ssl_policy`: `min_tls_version`
//!   older than `min_tls` is reported; without it Google applies `TLS_1_0`.
//! - `google_compute_target_https_proxy`, `google_compute_region_target_https_proxy` and
//!   `google_compute_target_ssl_proxy` without `ssl_policy` use Google's default SSL policy
//!   (profile `COMPATIBLE`, minimum TLS 1.0). A proxy whose `ssl_policy` names a policy is
//!   fine here: that policy is judged on its own.
//!
//! ## Why is this bad?
//! TLS 1.0 and 1.1 are deprecated (RFC 8996) and forbidden by PCI DSS and NIST SP 800-52.
//!
//! ## Example
//! ```hcl
//! resource "google_compute_ssl_policy" "web" {
//!   name    = "web"
//!   profile = "MODERN"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "google_compute_ssl_policy" "web" {
//!   name            = "web"
//!   profile         = "MODERN"
//!   min_tls_version = "TLS_1_2"
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Kind, Rule, Severity, Value};

use crate::common::{MIN_TLS, Tls, allows_below, min_tls};

pub const RULE: Rule = Rule {
    id: "tls/gcp-ssl-policy",
    title: "Google Cloud load balancers refuse TLS versions below the minimum",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "Google Cloud SSL policies default to a minimum of TLS 1.0, and an HTTPS or SSL \
        proxy without an SSL policy uses Google's default policy (COMPATIBLE, TLS 1.0): \
        deprecated protocol versions (RFC 8996) stay available to clients and downgrade attacks.",
    remediation: "Create `google_compute_ssl_policy` with `min_tls_version = \"TLS_1_2\"` and \
        `profile = \"MODERN\"` (or `\"RESTRICTED\"`), and attach it to every target HTTPS/SSL \
        proxy with `ssl_policy = google_compute_ssl_policy.web.id`.",
    references: &[
        "CIS Google Cloud Platform Foundation Benchmark v2.0.0 3.9",
        "NIST SP 800-53 SC-8",
        "NIST SP 800-52 Rev. 2",
    ],
    params: &[MIN_TLS],
    check,
};

fn version(value: &str) -> Option<Tls> {
    match value.trim().to_ascii_uppercase().as_str() {
        "TLS_1_0" => Some(Tls::V10),
        "TLS_1_1" => Some(Tls::V11),
        "TLS_1_2" => Some(Tls::V12),
        "TLS_1_3" => Some(Tls::V13),
        _ => None,
    }
}

fn check(doc: &Document, cx: &mut Context) {
    let min = min_tls(cx);
    for policy in
        terraform::resources(doc, &["google_compute_ssl_policy", "google_compute_region_ssl_policy"])
    {
        match policy.attr("min_tls_version").filter(|v| v.kind() != Kind::Null) {
            None => {
                if Tls::V10 < min {
                    cx.report(
                        policy.labels(),
                        format!(
                            "SSL policy without min_tls_version gets Google's default TLS_1_0, which {}",
                            allows_below(Tls::V10, min)
                        ),
                    );
                }
            }
            Some(node) => {
                if let Value::String(written) = node.value()
                    && let Some(lowest) = version(written)
                    && lowest < min
                {
                    cx.report(node, format!("min_tls_version {written} {}", allows_below(lowest, min)));
                }
            }
        }
    }
    if Tls::V10 >= min {
        return;
    }
    for proxy in terraform::resources(
        doc,
        &[
            "google_compute_target_https_proxy",
            "google_compute_region_target_https_proxy",
            "google_compute_target_ssl_proxy",
        ],
    ) {
        if proxy.attr("ssl_policy").is_none_or(|p| p.kind() == Kind::Null) {
            cx.report(
                proxy.labels(),
                format!(
                    "proxy without ssl_policy uses Google's default SSL policy (COMPATIBLE, minimum \
                     TLS 1.0), which {}",
                    allows_below(Tls::V10, min)
                ),
            );
        }
    }
}
