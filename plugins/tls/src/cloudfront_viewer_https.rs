//! `tls/cloudfront-viewer-https`: CloudFront cache behaviors serve viewers over HTTPS only.
//!
//! ## What it does
//! Reports every `default_cache_behavior` and `ordered_cache_behavior` of an
//! `aws_cloudfront_distribution` whose `viewer_protocol_policy` is `allow-all`, which serves
//! the content over plain HTTP as well as HTTPS.
//!
//! ## Why is this bad?
//! Content, cookies and signed URLs requested over HTTP cross the network in clear text and
//! can be read or altered (script injection into pages, session theft).
//!
//! ## Example
//! ```hcl
//! default_cache_behavior {
//!   viewer_protocol_policy = "allow-all"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! default_cache_behavior {
//!   viewer_protocol_policy = "redirect-to-https"
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

pub const RULE: Rule = Rule {
    id: "tls/cloudfront-viewer-https",
    title: "CloudFront serves viewers over HTTPS only",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "With `viewer_protocol_policy = \"allow-all\"` CloudFront answers plain HTTP: \
        pages, cookies and tokens cross the network in clear text, and an attacker on the path \
        can read them or inject content.",
    remediation: "Set `viewer_protocol_policy = \"redirect-to-https\"` (browsers) or \
        `\"https-only\"` (APIs) in `default_cache_behavior` and every `ordered_cache_behavior`.",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-8(1)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for distribution in terraform::resources(doc, &["aws_cloudfront_distribution"]) {
        for kind in ["default_cache_behavior", "ordered_cache_behavior"] {
            for behavior in distribution.blocks(kind) {
                let Some(policy) = behavior.get("viewer_protocol_policy") else { continue };
                if policy.str().is_some_and(|p| p.trim().eq_ignore_ascii_case("allow-all")) {
                    let what = match behavior.get("path_pattern").and_then(Node::str) {
                        Some(path) => format!("ordered_cache_behavior {path}"),
                        None => kind.to_owned(),
                    };
                    cx.report(
                        policy,
                        format!(
                            "{what} has viewer_protocol_policy allow-all: CloudFront also serves it \
                             over plain HTTP"
                        ),
                    );
                }
            }
        }
    }
}
