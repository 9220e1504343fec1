//! `encryption/dynamodb`: DynamoDB data is encrypted with the key the policy asks for.
//!
//! ## What it does
//! Reports a DynamoDB Accelerator cluster (`aws_dax_cluster`) whose
//! `server_side_encryption.enabled` is `false` or not set: the provider's default is
//! `false`, and DAX nodes then keep their cache and logs unencrypted.
//!
//! DynamoDB tables themselves are always encrypted at rest: with an AWS owned key by
//! default, with the AWS managed key `aws/dynamodb` for `server_side_encryption { enabled =
//! true }`, and with a customer-managed key when `kms_key_arn` is also given. With
//! `dynamodb_require_cmk = true` an `aws_dynamodb_table` (and each of its `replica` blocks)
//! must use a customer-managed key; it is not required by default.
//!
//! ## Why is this bad?
//! An unencrypted DAX cluster holds copies of table items in clear. A customer-managed key
//! puts the data under a key policy of your own, with a permission separate from table
//! access, a CloudTrail record of every use and the ability to revoke access by disabling
//! the key; AWS owned keys offer none of that, which policies often require for personal or
//! regulated data.
//!
//! ## Example
//! ```hcl
//! resource "aws_dax_cluster" "cache" {
//!   cluster_name       = "cache"
//!   iam_role_arn       = aws_iam_role.dax.arn
//!   node_type          = "dax.t3.small"
//!   replication_factor = 1
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_dax_cluster" "cache" {
//!   cluster_name       = "cache"
//!   iam_role_arn       = aws_iam_role.dax.arn
//!   node_type          = "dax.t3.small"
//!   replication_factor = 1
//!   server_side_encryption {
//!     enabled = true
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Node, Param, ParamDefault, Rule, Severity};

use crate::common::is_set;

pub const RULE: Rule = Rule {
    id: "encryption/dynamodb",
    title: "DynamoDB data is encrypted with the key the policy requires",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "A DAX cluster is not encrypted at rest unless asked to, and keeps copies of table \
        items. Tables are always encrypted, but with a key AWS owns unless told otherwise; a \
        customer-managed key adds a key policy, a permission separate from table access, an \
        audit trail of every use and the ability to revoke access, which policies often require \
        for regulated data.",
    remediation: "Give `aws_dax_cluster` a `server_side_encryption { enabled = true }` block. Where a \
        customer-managed key is required, write `server_side_encryption { enabled = true \
        kms_key_arn = aws_kms_key.x.arn }` in the `aws_dynamodb_table`, and a `kms_key_arn` in each \
        `replica` block (a key of the replica's region).",
    references: &["NIST SP 800-53 SC-28", "NIST SP 800-53 SC-28(1)", "NIST SP 800-53 SC-12"],
    params: &[Param {
        name: "dynamodb_require_cmk",
        description: "Require DynamoDB tables (and their replicas) to use a customer-managed KMS key \
            (`server_side_encryption { enabled = true, kms_key_arn = ... }`).",
        default: ParamDefault::Bool(false),
    }],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for dax in terraform::resources(doc, &["aws_dax_cluster"]) {
        dax_cluster(dax, cx);
    }
    if cx.param_bool("dynamodb_require_cmk") {
        for table in terraform::resources(doc, &["aws_dynamodb_table"]) {
            table_key(table, cx);
        }
    }
}

fn dax_cluster(dax: Resource<'_>, cx: &mut Context) {
    let sse = dax.attr("server_side_encryption");
    if sse.is_some() && dax.blocks("server_side_encryption").next().is_none() {
        return; // a dynamic block not expanded
    }
    match Setting::of(dax.at(&["server_side_encryption", "enabled"])).boolean() {
        Setting::Known(true, _) | Setting::Unknown => {}
        Setting::Known(false, value) => {
            cx.report(
                value,
                format!(
                    "{} sets server_side_encryption.enabled to false: the DAX cluster's cached items are stored \
                     unencrypted",
                    dax.address()
                ),
            );
        }
        Setting::Absent => {
            cx.report(
                dax.labels(),
                format!(
                    "{} does not enable server_side_encryption (the provider's default is false): the DAX cluster's \
                     cached items are stored unencrypted",
                    dax.address()
                ),
            );
        }
    }
}

fn table_key(table: Resource<'_>, cx: &mut Context) {
    let sse = table.attr("server_side_encryption");
    if sse.is_some() && table.blocks("server_side_encryption").next().is_none() {
        return; // a dynamic block not expanded
    }
    let customer_key = match Setting::of(table.at(&["server_side_encryption", "enabled"])).boolean() {
        Setting::Unknown => return,
        Setting::Known(false, value) => {
            cx.report(
                value,
                format!(
                    "{} sets server_side_encryption.enabled to false, so the table is encrypted with an AWS owned \
                     key; this policy requires a customer-managed KMS key",
                    table.address()
                ),
            );
            false
        }
        Setting::Absent => {
            cx.report(
                table.labels(),
                format!(
                    "{} is encrypted with an AWS owned key (no server_side_encryption block); this policy requires \
                     a customer-managed KMS key",
                    table.address()
                ),
            );
            false
        }
        Setting::Known(true, _) => {
            let key = table.at(&["server_side_encryption", "kms_key_arn"]);
            if !is_set(key) {
                let at = table.at(&["server_side_encryption", "enabled"]).unwrap_or_else(|| table.labels());
                cx.report(
                    at,
                    format!(
                        "{} sets no kms_key_arn in server_side_encryption, so the table uses the AWS managed key \
                         aws/dynamodb; this policy requires a customer-managed KMS key",
                        table.address()
                    ),
                );
            }
            is_set(key)
        }
    };
    // Replicas take their own key; without one they use aws/dynamodb in their region.
    if customer_key {
        for replica in table.blocks("replica") {
            if !is_set(replica.get("kms_key_arn")) {
                let region = replica.get("region_name").and_then(Node::str).unwrap_or("another region");
                cx.report(
                    replica,
                    format!(
                        "the replica of {} in {region} sets no kms_key_arn, so it uses the AWS managed key \
                         aws/dynamodb there; this policy requires a customer-managed KMS key",
                        table.address()
                    ),
                );
            }
        }
    }
}
