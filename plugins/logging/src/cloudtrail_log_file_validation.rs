//! `logging/cloudtrail-log-file-validation`: CloudTrail log files can be checked for tampering.
//!
//! ## What it does
//! Reports an `aws_cloudtrail` whose `enable_log_file_validation` is missing (the provider
//! default is `false`) or `false`. A value not known before apply is not judged.
//!
//! ## Why is this bad?
//! Without validation CloudTrail writes no signed digest files, so nobody can prove that a log
//! file was not modified or deleted after delivery: an intruder with write access to the
//! bucket can erase their tracks unnoticed.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudtrail" "main" {
//!   name                  = "main"
//!   s3_bucket_name        = aws_s3_bucket.trail.id
//!   is_multi_region_trail = true
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_cloudtrail" "main" {
//!   name                       = "main"
//!   s3_bucket_name             = aws_s3_bucket.trail.id
//!   is_multi_region_trail      = true
//!   enable_log_file_validation = true
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::util;

pub const RULE: Rule = Rule {
    id: "logging/cloudtrail-log-file-validation",
    title: "CloudTrail log file validation is enabled",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "Log file validation makes CloudTrail deliver an hourly digest, signed with \
        SHA-256 and RSA, of every log file it wrote: without it, a log file that was altered or \
        deleted after delivery cannot be detected, so the audit trail proves nothing.",
    remediation: "Set `enable_log_file_validation = true` on the trail, and check the digests \
        with `aws cloudtrail validate-logs` when the logs are used as evidence.",
    references: &[
        "CIS AWS Foundations Benchmark v1.5.0 3.2",
        "AWS Security Hub control CloudTrail.4",
        "NIST SP 800-53 AU-9",
        "NIST SP 800-53 AU-9(3)",
    ],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for trail in terraform::resources(doc, &["aws_cloudtrail"]) {
        let name = util::display_name(trail, &["name"]);
        match trail.setting(&["enable_log_file_validation"]).boolean() {
            Setting::Absent => {
                cx.report(
                    trail.labels(),
                    format!(
                        "trail {name} does not validate its log files: enable_log_file_validation is not \
                         set and defaults to false, so tampered or deleted log files go unnoticed"
                    ),
                );
            }
            Setting::Known(false, at) => {
                cx.report(
                    at,
                    format!("trail {name} does not validate its log files, so tampered or deleted log files go unnoticed"),
                );
            }
            _ => {}
        }
    }
}
