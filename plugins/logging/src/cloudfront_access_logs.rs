//! `logging/cloudfront-access-logs`: CloudFront distributions log viewer requests.
//!
//! ## What it does
//! Reports an `aws_cloudfront_distribution` with no `logging_config` block (standard logs to
//! S3; the provider default is no logs), unless an `aws_cloudwatch_log_delivery_source` of
//! the module names the distribution in its `resource_arn` (standard logging v2, delivered to
//! CloudWatch Logs, S3 or Firehose). A `dynamic "logging_config"` block over an unknown
//! collection, or a delivery source whose `resource_arn` is not known and names no resource,
//! is given the benefit of the doubt.
//!
//! ## Why is this bad?
//! The distribution is where users and attackers reach the application first: without
//! request logs, scraping, enumeration of paths and abuse of cached content leave no record.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudfront_distribution" "site" {
//!   enabled = true
//!   # origin, default_cache_behavior, restrictions, viewer_certificate ...
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_cloudfront_distribution" "site" {
//!   enabled = true
//!   # origin, default_cache_behavior, restrictions, viewer_certificate ...
//!
//!   logging_config {
//!     bucket          = aws_s3_bucket.logs.bucket_domain_name
//!     prefix          = "cloudfront/"
//!     include_cookies = false
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::util;

pub const RULE: Rule = Rule {
    id: "logging/cloudfront-access-logs",
    title: "CloudFront distributions write access logs",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "CloudFront standard logs are the record of every viewer request (client address, \
        path, status, edge location): without them, abuse of the distribution and of the \
        origins behind it cannot be detected after the fact or investigated.",
    remediation: "Add a `logging_config` block naming a log bucket that accepts ACL writes: \
        `logging_config { bucket = aws_s3_bucket.logs.bucket_domain_name prefix = \
        \"cloudfront/\" include_cookies = false }`, or deliver standard logs v2 with an \
        `aws_cloudwatch_log_delivery_source` (`log_type = \"ACCESS_LOGS\"`, `resource_arn` the \
        distribution's ARN) and its delivery.",
    references: &["AWS Security Hub control CloudFront.5", "NIST SP 800-53 AU-2", "NIST SP 800-53 AU-12"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let sources: Vec<Resource<'_>> =
        terraform::resources(doc, &["aws_cloudwatch_log_delivery_source"]).collect();
    // A delivery source whose resource could be any distribution.
    let opaque = sources.iter().any(|s| {
        s.attr("resource_arn").is_some_and(|arn| {
            util::has_opaque_unknown(arn) || (arn.str().is_some_and(|a| a.contains(":cloudfront:")))
        })
    });
    let delivered: Vec<Resource<'_>> = sources
        .iter()
        .filter_map(|s| {
            Some(terraform::referenced(*s, s.attr("resource_arn")?, &["aws_cloudfront_distribution"]))
        })
        .flatten()
        .collect();

    for distribution in terraform::resources(doc, &["aws_cloudfront_distribution"]) {
        let (blocks, unknown) = util::blocks_of(distribution.attributes(), "logging_config");
        if unknown || !blocks.is_empty() || opaque || util::contains(&delivered, distribution) {
            continue;
        }
        let name = distribution.address();
        cx.report(
            distribution.labels(),
            format!(
                "{name} does not log viewer requests: it has no logging_config \
                 block and no log delivery source (the provider default is no access logs)"
            ),
        );
    }
}
