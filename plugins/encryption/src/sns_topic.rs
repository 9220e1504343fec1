//! `encryption/sns-topic`: SNS topics are encrypted.
//!
//! ## What it does
//! Reports an `aws_sns_topic` without a `kms_master_key_id`: SNS does not encrypt topics
//! unless given a key (the AWS managed `alias/aws/sns` or a customer-managed key).
//!
//! ## Why is this bad?
//! SNS stores each message until every subscriber has received it, retrying for hours or
//! days for an unreachable endpoint. Alerts and notifications often carry hostnames, user
//! data or error details; without server-side encryption they are stored in clear.
//!
//! ## Example
//! ```hcl
//! resource "aws_sns_topic" "alerts" {
//!   name = "alerts"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_sns_topic" "alerts" {
//!   name              = "alerts"
//!   kms_master_key_id = "alias/aws/sns"
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Kind, Rule, Severity};

pub const RULE: Rule = Rule {
    id: "encryption/sns-topic",
    title: "SNS topics are encrypted",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "SNS stores each message until every subscription has received it, retrying for \
        hours or days when an endpoint is down. Topics are not encrypted unless given a KMS key, \
        so notifications (which often carry hostnames, user data or error details) sit in clear.",
    remediation: "Set `kms_master_key_id = \"alias/aws/sns\"` (the AWS managed key) or a \
        customer-managed key's ARN, whose key policy lets the services that publish to the topic \
        (CloudWatch alarms, EventBridge) use it.",
    references: &["NIST SP 800-53 SC-28", "NIST SP 800-53 SC-28(1)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for topic in terraform::resources(doc, &["aws_sns_topic"]) {
        match topic.attr("kms_master_key_id") {
            Some(key) if key.kind() == Kind::String && key.text().trim().is_empty() => {
                cx.report(
                    key,
                    format!(
                        "{} sets an empty kms_master_key_id: SNS stores the topic's messages unencrypted",
                        topic.address()
                    ),
                );
            }
            Some(key) if key.kind() != Kind::Null => {}
            _ => {
                cx.report(
                    topic.labels(),
                    format!(
                        "{} does not set kms_master_key_id: SNS stores the topic's messages unencrypted",
                        topic.address()
                    ),
                );
            }
        }
    }
}
