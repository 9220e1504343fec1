//! `encryption/sqs-queue`: SQS queues keep server-side encryption on.
//!
//! ## What it does
//! Reports an `aws_sqs_queue` that turns SQS-managed encryption off
//! (`sqs_managed_sse_enabled = false`) without a KMS key (`kms_master_key_id`). A queue that
//! says nothing is not reported: SQS has encrypted new queues with SSE-SQS by default since
//! late 2022 (the provider leaves the argument to AWS).
//!
//! ## Why is this bad?
//! Messages wait in the queue for up to 14 days; with encryption turned off they are
//! stored in clear.
//!
//! ## Example
//! ```hcl
//! resource "aws_sqs_queue" "jobs" {
//!   name                    = "jobs"
//!   sqs_managed_sse_enabled = false
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_sqs_queue" "jobs" {
//!   name              = "jobs"
//!   kms_master_key_id = aws_kms_key.jobs.arn
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::is_set;

pub const RULE: Rule = Rule {
    id: "encryption/sqs-queue",
    title: "SQS queues keep server-side encryption on",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "Messages wait in a queue for up to 14 days. SQS encrypts new queues with \
        SSE-SQS by default, and switching that off without a KMS key stores them in clear.",
    remediation: "Remove `sqs_managed_sse_enabled = false` (or set it to `true`), or encrypt with \
        KMS: `kms_master_key_id = aws_kms_key.x.arn` (or `\"alias/aws/sqs\"`).",
    references: &["NIST SP 800-53 SC-28", "NIST SP 800-53 SC-28(1)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for queue in terraform::resources(doc, &["aws_sqs_queue"]) {
        if is_set(queue.attr("kms_master_key_id")) {
            continue;
        }
        if let Setting::Known(false, value) = queue.setting(&["sqs_managed_sse_enabled"]).boolean() {
            cx.report(
                value,
                format!(
                    "{} sets sqs_managed_sse_enabled to false and no kms_master_key_id: the queue's messages are \
                     stored unencrypted",
                    queue.address()
                ),
            );
        }
    }
}
