//! `tls/cloudfront-origin-tls`: CloudFront reaches custom origins over TLS `min_tls` or newer.
//!
//! ## What it does
//! Reads the `custom_origin_config` of every `origin` of an `aws_cloudfront_distribution`:
//! `origin_protocol_policy = "http-only"` (CloudFront fetches from the origin in clear
//! text) is reported, and otherwise every protocol of `origin_ssl_protocols` older than
//! `min_tls` (`SSLv3`, `TLSv1`, `TLSv1.1`). S3 origins (`s3_origin_config`, origin access
//! control) are always reached over HTTPS and are not concerned.
//!
//! ## Why is this bad?
//! HTTPS between viewers and CloudFront protects nothing if CloudFront then forwards the
//! request, cookies and credentials to the origin over plain HTTP across the internet, or
//! over a deprecated TLS version an attacker on the path can force.
//!
//! ## Example
//! ```hcl
//! custom_origin_config {
//!   http_port              = 80
//!   https_port             = 443
//!   origin_protocol_policy = "http-only"
//!   origin_ssl_protocols   = ["TLSv1", "TLSv1.1", "TLSv1.2"]
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! custom_origin_config {
//!   http_port              = 80
//!   https_port             = 443
//!   origin_protocol_policy = "https-only"
//!   origin_ssl_protocols   = ["TLSv1.2"]
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::common::{MIN_TLS, min_tls, protocol_name};

pub const RULE: Rule = Rule {
    id: "tls/cloudfront-origin-tls",
    title: "CloudFront reaches custom origins over current TLS",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "CloudFront forwards viewers' requests, cookies and authorization headers to the \
        origin. With `http-only` that hop crosses the internet in clear text; with SSLv3, TLS 1.0 \
        or 1.1 allowed, it can be downgraded to deprecated protocols (RFC 8996).",
    remediation: "Terminate TLS on the origin and set `origin_protocol_policy = \"https-only\"` \
        with `origin_ssl_protocols = [\"TLSv1.2\"]` in `custom_origin_config`.",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-8(1)", "NIST SP 800-52 Rev. 2"],
    params: &[MIN_TLS],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let min = min_tls(cx);
    for distribution in terraform::resources(doc, &["aws_cloudfront_distribution"]) {
        for origin in distribution.blocks("origin") {
            let Some(config) = terraform::blocks(Some(origin), "custom_origin_config").next() else {
                continue;
            };
            let name =
                origin.get("origin_id").and_then(Node::str).map_or_else(String::new, |id| format!(" {id}"));
            let policy = config.get("origin_protocol_policy");
            match policy.and_then(Node::str) {
                Some(p) if p.trim().eq_ignore_ascii_case("http-only") => {
                    if let Some(node) = policy {
                        cx.report(
                            node,
                            format!(
                                "origin{name} has origin_protocol_policy http-only: CloudFront forwards \
                                 requests to it in clear text"
                            ),
                        );
                    }
                    continue;
                }
                Some(_) | None => {}
            }
            for item in config.get("origin_ssl_protocols").into_iter().flat_map(Node::items) {
                let Some(written) = item.str() else { continue };
                if let Some(version) = protocol_name(written)
                    && version < min
                {
                    cx.report(
                        item,
                        format!(
                            "origin{name} lists {written} ({}) in origin_ssl_protocols; the minimum is {}",
                            version.name(),
                            min.name()
                        ),
                    );
                }
            }
        }
    }
}
