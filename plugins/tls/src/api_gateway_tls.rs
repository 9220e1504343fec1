//! `tls/api-gateway-tls`: API Gateway custom domains refuse TLS versions below `min_tls`.
//!
//! ## What it does
//! Reads the security policy of API Gateway custom domain names and reports one that
//! accepts an older version than `min_tls`:
//! - `aws_api_gateway_domain_name` (REST APIs): `security_policy`; without it AWS applies
//!   `TLS_1_0`;
//! - `aws_apigatewayv2_domain_name` (HTTP and WebSocket APIs):
//!   `domain_name_configuration.security_policy`;
//! - `aws_api_gateway_rest_api`: an explicit `security_policy` on the API itself.
//!
//! `TLS_1_0` accepts TLS 1.0 (and 1.1 on edge-optimized domains), `TLS_1_2` and the
//! enhanced `SecurityPolicy_TLS13_1_2_*` / `SecurityPolicy_TLS12_*` policies start at 1.2,
//! `SecurityPolicy_TLS13_1_3_*` at 1.3. Other names are reported for review (info).
//!
//! ## Why is this bad?
//! TLS 1.0 and 1.1 are deprecated (RFC 8996) and forbidden by PCI DSS and NIST SP 800-52.
//!
//! ## Example
//! ```hcl
//! resource "aws_api_gateway_domain_name" "api" {
//!   domain_name              = "api.example.com"
//!   regional_certificate_arn = aws_acm_certificate.api.arn
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_api_gateway_domain_name" "api" {
//!   domain_name              = "api.example.com"
//!   regional_certificate_arn = aws_acm_certificate.api.arn
//!   security_policy          = "TLS_1_2"
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Rule, Severity, Value};

use crate::common::{MIN_TLS, Tls, min_tls};

pub const RULE: Rule = Rule {
    id: "tls/api-gateway-tls",
    title: "API Gateway custom domains refuse TLS versions below the minimum",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "API Gateway gives a REST API custom domain without a security policy `TLS_1_0`, \
        which accepts deprecated protocol versions (RFC 8996) that PCI DSS and NIST SP 800-52 \
        forbid; clients and downgrade attacks can then use them.",
    remediation: "Set `security_policy = \"TLS_1_2\"` on `aws_api_gateway_domain_name` (or an \
        enhanced `SecurityPolicy_TLS13_*` policy) and `domain_name_configuration { \
        security_policy = \"TLS_1_2\" }` on `aws_apigatewayv2_domain_name`.",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-13", "NIST SP 800-52 Rev. 2"],
    params: &[MIN_TLS],
    check,
};

/// The oldest version an API Gateway security policy accepts (AWS API Gateway Developer
/// Guide, "Supported security policies"): the legacy `TLS_1_0` / `TLS_1_2`, and the enhanced
/// `SecurityPolicy_TLS13_1_3_...`, `SecurityPolicy_TLS13_1_2_...`, `SecurityPolicy_TLS12_...`
/// families, whose names state the minimum version.
fn policy_min(policy: &str) -> Option<Tls> {
    let upper = policy.trim().to_ascii_uppercase();
    match upper.as_str() {
        "TLS_1_0" => Some(Tls::V10),
        "TLS_1_2" => Some(Tls::V12),
        _ if upper.starts_with("SECURITYPOLICY_TLS13_1_3_") => Some(Tls::V13),
        _ if upper.starts_with("SECURITYPOLICY_TLS13_1_2_") || upper.starts_with("SECURITYPOLICY_TLS12_") => {
            Some(Tls::V12)
        }
        _ => None,
    }
}

fn check(doc: &Document, cx: &mut Context) {
    let min = min_tls(cx);
    for domain in terraform::resources(doc, &["aws_api_gateway_domain_name"]) {
        match domain.attr("security_policy").filter(|p| p.kind() != Kind::Null) {
            None => {
                if Tls::V10 < min {
                    cx.report(
                        domain.labels(),
                        format!(
                            "custom domain without security_policy gets API Gateway's default \
                             TLS_1_0, which accepts TLS 1.0; the minimum is {}",
                            min.name()
                        ),
                    );
                }
            }
            Some(policy) => judge(policy, min, cx),
        }
    }
    for domain in terraform::resources(doc, &["aws_apigatewayv2_domain_name"]) {
        for config in domain.blocks("domain_name_configuration") {
            if let Some(policy) = config.get("security_policy") {
                judge(policy, min, cx);
            }
        }
    }
    for api in terraform::resources(doc, &["aws_api_gateway_rest_api"]) {
        if let Some(policy) = api.attr("security_policy") {
            judge(policy, min, cx);
        }
    }
}

fn judge(node: Node<'_>, min: Tls, cx: &mut Context) {
    let Value::String(policy) = node.value() else { return };
    match policy_min(policy) {
        Some(lowest) if lowest < min => {
            cx.report(
                node,
                format!("security_policy {policy} accepts {}; the minimum is {}", lowest.name(), min.name()),
            );
        }
        Some(_) => {}
        None => {
            cx.report(
                node,
                format!(
                    "security_policy {policy} is not an API Gateway security policy this rule knows: \
                     check that it refuses versions below {}",
                    min.name()
                ),
            )
            .severity(Severity::Info);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_read() {
        assert_eq!(policy_min("TLS_1_0"), Some(Tls::V10));
        assert_eq!(policy_min("TLS_1_2"), Some(Tls::V12));
        assert_eq!(policy_min("SecurityPolicy_TLS13_1_3_2025_09"), Some(Tls::V13));
        assert_eq!(policy_min("SecurityPolicy_TLS13_1_2_PQ_2025_09"), Some(Tls::V12));
        assert_eq!(policy_min("SecurityPolicy_TLS12_PFS_2025_EDGE"), Some(Tls::V12));
        assert_eq!(policy_min("SecurityPolicy_Other"), None);
    }
}
