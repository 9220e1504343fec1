//! `tls/cloudfront-viewer-tls`: CloudFront distributions refuse viewer TLS versions below
//! `min_tls`.
//!
//! ## What it does
//! Reads `viewer_certificate` of every `aws_cloudfront_distribution`:
//! `minimum_protocol_version` older than `min_tls` (`SSLv3`, `TLSv1`, `TLSv1_2016`,
//! `TLSv1.1_2016`) is reported, and so is a custom certificate without
//! `minimum_protocol_version` (the provider's default is `TLSv1`).
//! `cloudfront_default_certificate = true` is reported as well: with the `*.cloudfront.net`
//! certificate CloudFront always accepts TLSv1, whatever `minimum_protocol_version` says.
//!
//! ## Why is this bad?
//! TLS 1.0 and 1.1 are deprecated (RFC 8996); a distribution that accepts them lets clients
//! and downgrade attacks use protocols with known weaknesses.
//!
//! ## Example
//! ```hcl
//! viewer_certificate {
//!   acm_certificate_arn      = var.certificate_arn
//!   ssl_support_method       = "sni-only"
//!   minimum_protocol_version = "TLSv1"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! viewer_certificate {
//!   acm_certificate_arn      = var.certificate_arn
//!   ssl_support_method       = "sni-only"
//!   minimum_protocol_version = "TLSv1.2_2021"
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, Value};

use crate::common::{MIN_TLS, Tls, allows_below, is_true, min_tls};

pub const RULE: Rule = Rule {
    id: "tls/cloudfront-viewer-tls",
    title: "CloudFront distributions refuse viewer TLS versions below the minimum",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996) and forbidden by PCI DSS and NIST SP \
        800-52. CloudFront's `minimum_protocol_version` defaults to TLSv1, and the default \
        `*.cloudfront.net` certificate always accepts TLSv1.",
    remediation: "Serve the distribution with your own ACM certificate and a current security \
        policy: `viewer_certificate { acm_certificate_arn = aws_acm_certificate.cdn.arn \
        ssl_support_method = \"sni-only\" minimum_protocol_version = \"TLSv1.2_2021\" }`.",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-13", "NIST SP 800-52 Rev. 2"],
    params: &[MIN_TLS],
    check,
};

/// CloudFront's security policies and the oldest viewer protocol each accepts (AWS
/// CloudFront Developer Guide, "Supported protocols and ciphers between viewers and
/// CloudFront").
pub fn viewer_policy_min(policy: &str) -> Option<Tls> {
    const POLICIES: &[(&str, Tls)] = &[
        ("SSLv3", Tls::Ssl3),
        ("TLSv1", Tls::V10),
        ("TLSv1_2016", Tls::V10),
        ("TLSv1.1_2016", Tls::V11),
        ("TLSv1.2_2018", Tls::V12),
        ("TLSv1.2_2019", Tls::V12),
        ("TLSv1.2_2021", Tls::V12),
        ("TLSv1.2_2025", Tls::V12),
        ("TLSv1.3_2025", Tls::V13),
    ];
    POLICIES.iter().find(|(p, _)| p.eq_ignore_ascii_case(policy.trim())).map(|&(_, v)| v)
}

fn check(doc: &Document, cx: &mut Context) {
    let min = min_tls(cx);
    for distribution in terraform::resources(doc, &["aws_cloudfront_distribution"]) {
        let Some(certificate) = distribution.blocks("viewer_certificate").next() else { continue };
        if let Some(default) = certificate.get("cloudfront_default_certificate") {
            if is_true(default) {
                if Tls::V10 < min {
                    cx.report(
                        default,
                        format!(
                            "cloudfront_default_certificate = true serves the *.cloudfront.net \
                             certificate, with which CloudFront always accepts TLSv1: it {}",
                            allows_below(Tls::V10, min)
                        ),
                    );
                }
                continue;
            }
            if default.is_unknown() {
                continue;
            }
        }
        judge_version(certificate, min, cx);
    }
}

fn judge_version(certificate: Node<'_>, min: Tls, cx: &mut Context) {
    let version = certificate.get("minimum_protocol_version");
    match version.map(Node::value) {
        None | Some(Value::Null) => {
            if Tls::V10 < min {
                cx.report(
                    certificate,
                    format!(
                        "viewer_certificate has no minimum_protocol_version, so CloudFront uses \
                         its default TLSv1, which {}",
                        allows_below(Tls::V10, min)
                    ),
                );
            }
        }
        Some(Value::String(policy)) => {
            let Some(node) = version else { return };
            match viewer_policy_min(policy) {
                Some(lowest) if lowest < min => {
                    cx.report(
                        node,
                        format!("minimum_protocol_version {policy} {}", allows_below(lowest, min)),
                    );
                }
                Some(_) => {}
                None => {
                    cx.report(
                        node,
                        format!(
                            "minimum_protocol_version {policy} is not a CloudFront security policy \
                             this rule knows: check that it refuses versions below {}",
                            min.name()
                        ),
                    )
                    .severity(Severity::Info);
                }
            }
        }
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_policies_are_read() {
        assert_eq!(viewer_policy_min("TLSv1"), Some(Tls::V10));
        assert_eq!(viewer_policy_min("TLSv1_2016"), Some(Tls::V10));
        assert_eq!(viewer_policy_min("TLSv1.1_2016"), Some(Tls::V11));
        assert_eq!(viewer_policy_min("TLSv1.2_2021"), Some(Tls::V12));
        assert_eq!(viewer_policy_min("TLSv1.3_2025"), Some(Tls::V13));
        assert_eq!(viewer_policy_min("TLSv1.2_2030"), None);
    }
}
