//! `backup/db-final-snapshot`: deleting a database leaves a backup to restore from.
//!
//! ## What it does
//! Reports `skip_final_snapshot = true` on `aws_db_instance`, `aws_rds_cluster`,
//! `aws_docdb_cluster`, `aws_neptune_cluster` and `aws_redshift_cluster` (the default is
//! `false` on all of them). It is high severity when nothing else survives the deletion: RDS
//! deletes an instance's or cluster's automated backups with it unless
//! `delete_automated_backups = false` (the default is `true`), and DocumentDB, Neptune and
//! Redshift always do; medium when retained automated backups remain.
//!
//! `delete_automated_backups = true` written explicitly with a final snapshot is reported at low
//! severity: the final snapshot keeps the data, but point-in-time recovery to before the deletion
//! is gone. Left at its default it is not reported on its own, or nearly every RDS instance
//! would be, and the final snapshot is the backup that matters.
//!
//! RDS read replicas (`replicate_source_db`) are not judged: RDS takes no final snapshot of a
//! replica, whose data lives on in its source. Unknown values are not judged.
//!
//! ## Why is this bad?
//! A `terraform destroy`, a change that forces replacement (a new identifier, engine or
//! subnet group) or a mistaken console click deletes the database; without a final snapshot the
//! data is gone with it.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   skip_final_snapshot = true
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   skip_final_snapshot       = false
//!   final_snapshot_identifier = "main-final"
//!   delete_automated_backups  = false
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::may_be_set;

pub const RULE: Rule = Rule {
    id: "backup/db-final-snapshot",
    title: "Deleting a database keeps a final snapshot",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "A `terraform destroy`, a change that forces the database to be replaced, or a \
        mistaken deletion removes the database; with `skip_final_snapshot = true` no snapshot is \
        taken first, and RDS also deletes the automated backups unless told to keep them, so \
        nothing is left to restore.",
    remediation: "Take a final snapshot: `skip_final_snapshot = false` with a \
        `final_snapshot_identifier = \"<name>-final\"`; on RDS also keep the automated backups after \
        deletion with `delete_automated_backups = false`.",
    references: &["NIST SP 800-53 CP-9", "NIST SP 800-53 CP-10"],
    params: &[],
    check,
};

/// What happens to a resource's automated backups when it is deleted.
#[derive(Clone, Copy)]
enum AutomatedBackups {
    /// `delete_automated_backups`, which defaults to `true` (RDS).
    Setting,
    /// The service deletes them with the cluster.
    Deleted(&'static str),
}

const TARGETS: &[(&str, &str, AutomatedBackups)] = &[
    ("aws_db_instance", "instance", AutomatedBackups::Setting),
    ("aws_rds_cluster", "cluster", AutomatedBackups::Setting),
    ("aws_docdb_cluster", "cluster", AutomatedBackups::Deleted("DocumentDB")),
    ("aws_neptune_cluster", "cluster", AutomatedBackups::Deleted("Neptune")),
    ("aws_redshift_cluster", "cluster", AutomatedBackups::Deleted("Redshift")),
];

const KINDS: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_redshift_cluster",
];

fn check(doc: &Document, cx: &mut Context) {
    for resource in terraform::resources(doc, KINDS) {
        let Some(&(_, noun, backups)) = TARGETS.iter().find(|t| t.0 == resource.kind()) else {
            continue;
        };
        if resource.kind() == "aws_db_instance" && may_be_set(resource, "replicate_source_db") {
            continue;
        }
        judge(resource, noun, backups, cx);
    }
}

fn judge(resource: Resource<'_>, noun: &str, backups: AutomatedBackups, cx: &mut Context) {
    let delete_automated = match backups {
        AutomatedBackups::Setting => Some(resource.setting(&["delete_automated_backups"]).boolean()),
        AutomatedBackups::Deleted(_) => None,
    };
    match resource.setting(&["skip_final_snapshot"]).boolean() {
        Setting::Known(true, node) => {
            let lost = format!(
                "deleting this {noun} takes no final snapshot and deletes its automated backups, so nothing \
                 is left to restore"
            );
            let message = match (backups, delete_automated) {
                (AutomatedBackups::Deleted(service), _) => Some(format!(
                    "skip_final_snapshot = true: deleting this {noun} takes no final snapshot, and {service} \
                     deletes its automated backups with it, so nothing is left to restore"
                )),
                (_, Some(Setting::Absent)) => Some(format!(
                    "skip_final_snapshot = true and delete_automated_backups defaults to true: {lost}"
                )),
                (_, Some(Setting::Known(true, _))) => {
                    Some(format!("skip_final_snapshot = true and delete_automated_backups = true: {lost}"))
                }
                _ => None,
            };
            if let Some(message) = message {
                let report = cx.report(node, message);
                if let Some(Setting::Known(true, dab)) = delete_automated {
                    report.related(dab, "the automated backups are deleted with the database here");
                }
            } else {
                let kept = if matches!(delete_automated, Some(Setting::Known(false, _))) {
                    "; only the retained automated backups remain, until their retention period ends"
                } else {
                    ""
                };
                cx.report(
                    node,
                    format!("skip_final_snapshot = true: deleting this {noun} takes no final snapshot{kept}"),
                )
                .severity(Severity::Medium);
            }
        }
        _ => {
            if let Some(Setting::Known(true, node)) = delete_automated {
                cx.report(
                    node,
                    format!(
                        "delete_automated_backups = true: the automated backups, and point-in-time recovery, \
                         are deleted with the {noun}; only the final snapshot remains"
                    ),
                )
                .severity(Severity::Low);
            }
        }
    }
}
