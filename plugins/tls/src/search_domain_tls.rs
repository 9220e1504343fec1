//! `tls/search-domain-tls`: OpenSearch / Elasticsearch domains require HTTPS with TLS
//! `min_tls` or newer.
//!
//! ## What it does
//! Reads `domain_endpoint_options` of every `aws_opensearch_domain` and
//! `aws_elasticsearch_domain`:
//! - `enforce_https = false` is reported (the domain also answers plain HTTP); without the
//!   block at all, AWS does not enforce HTTPS either;
//! - `tls_security_policy` older than `min_tls` is reported; without it AWS applies
//!   `Policy-Min-TLS-1-0-2019-07`, which accepts TLS 1.0. `Policy-Min-TLS-1-2-2019-07` and
//!   `Policy-Min-TLS-1-2-PFS-2023-10` start at TLS 1.2; other names are reported for review
//!   (info).
//!
//! ## Why is this bad?
//! Search clusters hold application data and logs; queries and results sent over HTTP or
//! deprecated TLS versions can be read and altered on the network.
//!
//! ## Example
//! ```hcl
//! resource "aws_opensearch_domain" "logs" {
//!   domain_name = "logs"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_opensearch_domain" "logs" {
//!   domain_name = "logs"
//!   domain_endpoint_options {
//!     enforce_https       = true
//!     tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, Value};

use crate::common::{MIN_TLS, Tls, allows_below, is_false, min_tls};

pub const RULE: Rule = Rule {
    id: "tls/search-domain-tls",
    title: "OpenSearch domains require HTTPS with a current TLS version",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "An OpenSearch/Elasticsearch domain without `enforce_https` answers plain HTTP, \
        and its default TLS policy accepts TLS 1.0: queries, indexed documents and credentials \
        can be read or modified on the network.",
    remediation: "Add `domain_endpoint_options { enforce_https = true tls_security_policy = \
        \"Policy-Min-TLS-1-2-PFS-2023-10\" }` (or `Policy-Min-TLS-1-2-2019-07`).",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-8(1)", "NIST SP 800-52 Rev. 2"],
    params: &[MIN_TLS],
    check,
};

const DEFAULT_POLICY: &str = "Policy-Min-TLS-1-0-2019-07";

/// The OpenSearch Service TLS security policies (AWS OpenSearch Service API reference,
/// `DomainEndpointOptions.TLSSecurityPolicy`).
fn policy_min(policy: &str) -> Option<Tls> {
    const POLICIES: &[(&str, Tls)] = &[
        ("Policy-Min-TLS-1-0-2019-07", Tls::V10),
        ("Policy-Min-TLS-1-2-2019-07", Tls::V12),
        ("Policy-Min-TLS-1-2-PFS-2023-10", Tls::V12),
    ];
    POLICIES.iter().find(|(p, _)| p.eq_ignore_ascii_case(policy.trim())).map(|&(_, v)| v)
}

fn check(doc: &Document, cx: &mut Context) {
    let min = min_tls(cx);
    for domain in terraform::resources(doc, &["aws_opensearch_domain", "aws_elasticsearch_domain"]) {
        let Some(options) = domain.blocks("domain_endpoint_options").next() else {
            let tls = if Tls::V10 < min {
                format!(
                    ", and the TLS policy defaults to {DEFAULT_POLICY}, which {}",
                    allows_below(Tls::V10, min)
                )
            } else {
                String::new()
            };
            cx.report(
                domain.labels(),
                format!("domain without domain_endpoint_options: AWS does not enforce HTTPS{tls}"),
            );
            continue;
        };
        if let Some(enforce) = options.get("enforce_https")
            && is_false(enforce)
        {
            cx.report(enforce, "enforce_https = false: the domain also answers plain HTTP");
        }
        let policy = options.get("tls_security_policy");
        match policy.map(Node::value) {
            None | Some(Value::Null) => {
                if Tls::V10 < min {
                    cx.report(
                        options,
                        format!(
                            "domain_endpoint_options has no tls_security_policy, so AWS applies \
                             {DEFAULT_POLICY}, which {}",
                            allows_below(Tls::V10, min)
                        ),
                    );
                }
            }
            Some(Value::String(name)) => {
                let Some(node) = policy else { continue };
                match policy_min(name) {
                    Some(lowest) if lowest < min => {
                        cx.report(node, format!("tls_security_policy {name} {}", allows_below(lowest, min)));
                    }
                    Some(_) => {}
                    None => {
                        cx.report(
                            node,
                            format!(
                                "tls_security_policy {name} is not a policy this rule knows: check \
                                 that it refuses versions below {}",
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
}
