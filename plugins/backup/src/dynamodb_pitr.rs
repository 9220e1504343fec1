//! `backup/dynamodb-point-in-time-recovery`: DynamoDB tables have point-in-time recovery.
//!
//! ## What it does
//! Reports an `aws_dynamodb_table` without `point_in_time_recovery { enabled = true }` (it is
//! off by default), and one whose `recovery_period_in_days` (35 by default) is below
//! `min_retention_days` (default 7; capped at 35, the longest DynamoDB allows). Unknown values
//! are not judged.
//!
//! ## Why is this bad?
//! Without point-in-time recovery a table has no backup unless someone takes one: a bad deploy
//! that overwrites items, a `DeleteItem` loop or a dropped table cannot be undone. With it,
//! DynamoDB restores the table to any second of the recovery period.
//!
//! ## Example
//! ```hcl
//! resource "aws_dynamodb_table" "orders" {
//!   name     = "orders"
//!   hash_key = "id"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_dynamodb_table" "orders" {
//!   name     = "orders"
//!   hash_key = "id"
//!
//!   point_in_time_recovery {
//!     enabled = true
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Setting};
use rampart_plugin_sdk::text::days;
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::{MIN_RETENTION_DAYS, required};

pub const RULE: Rule = Rule {
    id: "backup/dynamodb-point-in-time-recovery",
    title: "DynamoDB tables have point-in-time recovery",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "A DynamoDB table without point-in-time recovery has no backup unless one is taken \
        by hand or by AWS Backup: items overwritten by a faulty deploy, a runaway delete or a \
        dropped table are lost. Point-in-time recovery restores the table to any second of its \
        recovery period (35 days by default).",
    remediation: "Add `point_in_time_recovery { enabled = true }` to the table, and leave \
        `recovery_period_in_days` at its default of 35 or at least at the minimum.",
    references: &[
        "NIST SP 800-53 CP-9",
        "NIST SP 800-53 CP-10",
        "AWS Foundational Security Best Practices DynamoDB.2",
    ],
    params: &[MIN_RETENTION_DAYS],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let (min, minimum) = required(cx.param_i64("min_retention_days"), 35, "DynamoDB");
    for table in terraform::resources(doc, &["aws_dynamodb_table"]) {
        match table.setting(&["point_in_time_recovery", "enabled"]).boolean() {
            Setting::Known(false, node) => {
                cx.report(
                    node,
                    "point_in_time_recovery.enabled = false: the table has no continuous backups to restore from",
                );
            }
            Setting::Absent => {
                cx.report(
                    table.labels(),
                    "point_in_time_recovery is not set: it is off by default, so DynamoDB keeps no \
                     continuous backups of this table",
                );
            }
            Setting::Known(true, _) => {
                if let Setting::Known(period, node) =
                    table.setting(&["point_in_time_recovery", "recovery_period_in_days"]).int()
                    && period < min
                {
                    cx.report(
                        node,
                        format!(
                            "recovery_period_in_days is {period}: the table can be restored to the last {} \
                             only; {minimum}",
                            days(period)
                        ),
                    );
                }
            }
            Setting::Unknown => {}
        }
    }
}
