//! `encryption/kinesis-stream`: Kinesis data streams are encrypted.
//!
//! ## What it does
//! Reports an `aws_kinesis_stream` whose `encryption_type` is `NONE` or not set (the
//! provider's default is `NONE`).
//!
//! ## Why is this bad?
//! A stream keeps every record for its retention period (24 hours to a year); without
//! server-side encryption those records are stored in clear.
//!
//! ## Example
//! ```hcl
//! resource "aws_kinesis_stream" "events" {
//!   name        = "events"
//!   shard_count = 1
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_kinesis_stream" "events" {
//!   name            = "events"
//!   shard_count     = 1
//!   encryption_type = "KMS"
//!   kms_key_id      = "alias/aws/kinesis"
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Kind, Rule, Severity};

use crate::common::text_is;

pub const RULE: Rule = Rule {
    id: "encryption/kinesis-stream",
    title: "Kinesis data streams are encrypted",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "A Kinesis stream keeps every record for its whole retention period, from a day up \
        to a year. Without server-side encryption the records are stored in clear.",
    remediation: "Set `encryption_type = \"KMS\"` with `kms_key_id = \"alias/aws/kinesis\"` (the AWS \
        managed key) or a customer-managed key's ARN. Encryption can be turned on for an existing \
        stream without downtime.",
    references: &["NIST SP 800-53 SC-28", "NIST SP 800-53 SC-28(1)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for stream in terraform::resources(doc, &["aws_kinesis_stream"]) {
        match stream.attr("encryption_type") {
            None => {
                report_absent(stream, cx);
            }
            Some(value) if value.kind() == Kind::Null => report_absent(stream, cx),
            Some(value) => {
                if text_is(Some(value), &["NONE"]) == Some(true) {
                    cx.report(
                        value,
                        format!(
                            "{} sets encryption_type to NONE: the stream's records are stored unencrypted",
                            stream.address()
                        ),
                    );
                }
            }
        }
    }
}

fn report_absent(stream: rampart_plugin_sdk::terraform::Resource<'_>, cx: &mut Context) {
    cx.report(
        stream.labels(),
        format!(
            "{} does not set encryption_type (the provider's default is NONE): the stream's records are stored \
             unencrypted",
            stream.address()
        ),
    );
}
