//! `encryption/efs-file-system`: EFS file systems are encrypted.
//!
//! ## What it does
//! Reports an `aws_efs_file_system` whose `encrypted` is `false` or not set: the provider's
//! default is `false` (the console ticks the box for you; the API and Terraform do not).
//!
//! ## Why is this bad?
//! An unencrypted file system stores its files, metadata and backups in clear. Encryption can
//! only be chosen when the file system is created: fixing it later means creating a new
//! file system and copying the data.
//!
//! ## Example
//! ```hcl
//! resource "aws_efs_file_system" "shared" {
//!   creation_token = "shared"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_efs_file_system" "shared" {
//!   creation_token = "shared"
//!   encrypted      = true
//!   kms_key_id     = aws_kms_key.efs.arn
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::is_set;

pub const RULE: Rule = Rule {
    id: "encryption/efs-file-system",
    title: "EFS file systems are encrypted",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "An unencrypted EFS file system keeps every file, its metadata and its backups in \
        clear. Encryption at rest can only be chosen when the file system is created: turning it \
        on later means a new file system and a full copy of the data.",
    remediation: "Set `encrypted = true` on the `aws_efs_file_system`, with `kms_key_id = \
        aws_kms_key.x.arn` for a customer-managed key (the AWS managed key `aws/elasticfilesystem` \
        is used otherwise), and migrate existing data to the new file system.",
    references: &[
        "CIS AWS Foundations Benchmark v3.0.0 2.4.1",
        "NIST SP 800-53 SC-28",
        "NIST SP 800-53 SC-28(1)",
    ],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for fs in terraform::resources(doc, &["aws_efs_file_system"]) {
        match fs.setting(&["encrypted"]).boolean() {
            Setting::Known(true, _) | Setting::Unknown => {}
            Setting::Known(false, value) => {
                cx.report(
                    value,
                    format!(
                        "{} sets encrypted to false: its files, metadata and backups are unencrypted",
                        fs.address()
                    ),
                );
            }
            Setting::Absent => {
                let key_alone = if is_set(fs.attr("kms_key_id")) {
                    "; kms_key_id alone does not turn encryption on"
                } else {
                    ""
                };
                cx.report(
                    fs.labels(),
                    format!(
                        "{} does not set encrypted (the provider's default is false): its files, metadata and \
                         backups are unencrypted{key_alone}",
                        fs.address()
                    ),
                );
            }
        }
    }
}
