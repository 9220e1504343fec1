//! `backup/db-deletion-protection`: databases refuse to be deleted until protection is lifted.
//!
//! ## What it does
//! Reports `aws_db_instance`, `aws_rds_cluster`, `aws_docdb_cluster` and `aws_neptune_cluster`
//! whose `deletion_protection` is not `true` (the default is `false`): at the value when it is
//! written, at the resource when it is missing. Reports a `google_sql_database_instance` with
//! `deletion_protection = false` (Terraform's guard, `true` by default) unless the API-level
//! `settings.deletion_protection_enabled` is `true`.
//!
//! RDS read replicas (`replicate_source_db`) are not judged: deleting one loses no data.
//! Unknown values are not judged.
//!
//! ## Why is this bad?
//! Without deletion protection a `terraform destroy`, a change that forces replacement, a
//! script or a console click deletes the database at once. Protection makes deletion a
//! two-step change that a review can catch.
//!
//! ## Example
//! ```hcl
//! resource "aws_rds_cluster" "main" {
//!   engine = "aurora-postgresql"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_rds_cluster" "main" {
//!   engine              = "aurora-postgresql"
//!   deletion_protection = true
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::may_be_set;

pub const RULE: Rule = Rule {
    id: "backup/db-deletion-protection",
    title: "Databases have deletion protection",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "Without deletion protection, a `terraform destroy`, a change that forces the \
        database to be replaced, an automation bug or a console click deletes the database \
        immediately. With it, deletion takes a separate, reviewable change to lift the protection \
        first.",
    remediation: "Set `deletion_protection = true` on `aws_db_instance`, `aws_rds_cluster`, \
        `aws_docdb_cluster` and `aws_neptune_cluster` (e.g. `deletion_protection = \
        var.environment == \"production\"` if other environments must be disposable), and leave \
        `deletion_protection` at its default `true` on `google_sql_database_instance` (or set \
        `settings { deletion_protection_enabled = true }`).",
    references: &[
        "NIST SP 800-53 CP-9",
        "AWS Foundational Security Best Practices RDS.7",
        "AWS Foundational Security Best Practices RDS.8",
    ],
    params: &[],
    check,
};

const KINDS: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "google_sql_database_instance",
];

fn check(doc: &Document, cx: &mut Context) {
    for resource in terraform::resources(doc, KINDS) {
        match resource.kind() {
            "google_sql_database_instance" => cloud_sql(resource, cx),
            "aws_db_instance" if may_be_set(resource, "replicate_source_db") => {}
            "aws_db_instance" => aws(resource, "instance", cx),
            _ => aws(resource, "cluster", cx),
        }
    }
}

fn aws(resource: Resource<'_>, noun: &str, cx: &mut Context) {
    match resource.setting(&["deletion_protection"]).boolean() {
        Setting::Known(false, node) => {
            cx.report(
                node,
                format!("deletion_protection = false: anything that deletes this {noun} succeeds at once"),
            );
        }
        Setting::Absent => {
            cx.report(
                resource.labels(),
                format!(
                    "deletion_protection is not set: it defaults to false, so anything that deletes this \
                     {noun} succeeds at once"
                ),
            );
        }
        _ => {}
    }
}

fn cloud_sql(resource: Resource<'_>, cx: &mut Context) {
    let Setting::Known(false, node) = resource.setting(&["deletion_protection"]).boolean() else {
        return;
    };
    if matches!(
        resource.setting(&["settings", "deletion_protection_enabled"]).boolean(),
        Setting::Known(true, _) | Setting::Unknown
    ) {
        return;
    }
    cx.report(
        node,
        "deletion_protection = false and settings.deletion_protection_enabled is not true: Terraform and \
         the Cloud SQL API both delete this instance when asked",
    );
}
