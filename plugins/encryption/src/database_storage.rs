//! `encryption/database-storage`: managed databases encrypt their storage.
//!
//! ## What it does
//! Reports RDS DB instances (`aws_db_instance`), Aurora and Multi-AZ DB clusters
//! (`aws_rds_cluster`), DocumentDB clusters (`aws_docdb_cluster`) and Neptune clusters
//! (`aws_neptune_cluster`) whose `storage_encrypted` is `false` or not set: the provider's
//! default is `false` for all of them. An Aurora Serverless v1 cluster
//! (`engine_mode = "serverless"`) is always encrypted and is not reported. Redshift clusters
//! (`aws_redshift_cluster`) are reported only for an explicit `encrypted = false`: AWS
//! encrypts every provisioned cluster created since January 2025 and refuses to create an
//! unencrypted one, so a missing `encrypted` is not a finding, while `false` keeps an older
//! cluster unencrypted.
//!
//! A database whose encryption is inherited rather than chosen is skipped: a read replica
//! (`replicate_source_db`, `replication_source_identifier`) and a restore from a snapshot
//! (`snapshot_identifier`) or to a point in time (`restore_to_point_in_time`). Their source
//! is where the encryption is decided, and is judged where it is declared. A member of a
//! global database (`global_cluster_identifier`) is only reported for an explicit `false`:
//! a secondary cluster takes the primary's encryption.
//!
//! ## Why is this bad?
//! Without storage encryption the database's volumes, automated backups, snapshots and read
//! replicas hold the data in clear: anyone who gets a copy of a snapshot (shared by mistake,
//! copied to another account) reads it. Encryption cannot be switched on later without a
//! snapshot-copy-restore migration and downtime.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine         = "postgres"
//!   instance_class = "db.t3.medium"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine            = "postgres"
//!   instance_class    = "db.t3.medium"
//!   storage_encrypted = true
//!   kms_key_id        = aws_kms_key.db.arn
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::{any_set, is_set, text_is};

pub const RULE: Rule = Rule {
    id: "encryption/database-storage",
    title: "Managed databases encrypt their storage",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "An unencrypted database leaves its volumes, automated backups, snapshots and \
        replicas in clear: a snapshot shared by mistake or copied out of the account exposes \
        every row. RDS, DocumentDB and Neptune only encrypt storage when asked to at creation, \
        and turning it on later takes a snapshot copy, a restore and downtime.",
    remediation: "Set `storage_encrypted = true` when the database is created, ideally with a \
        customer-managed key: `storage_encrypted = true` and `kms_key_id = aws_kms_key.db.arn` \
        (`encrypted = true` for `aws_redshift_cluster`). For an existing unencrypted database, \
        copy a snapshot with encryption on and restore from it.",
    references: &[
        "CIS AWS Foundations Benchmark v3.0.0 2.3.1",
        "NIST SP 800-53 SC-28",
        "NIST SP 800-53 SC-28(1)",
    ],
    params: &[],
    check,
};

/// The resource types that take `storage_encrypted` (default false), with what they are
/// called in messages and the arguments that make them inherit their encryption.
const STORAGE_ENCRYPTED: &[(&str, &str, &[&str])] = &[
    (
        "aws_db_instance",
        "DB instance",
        &["replicate_source_db", "snapshot_identifier", "restore_to_point_in_time"],
    ),
    (
        "aws_rds_cluster",
        "DB cluster",
        &["replication_source_identifier", "snapshot_identifier", "restore_to_point_in_time"],
    ),
    ("aws_docdb_cluster", "DocumentDB cluster", &["snapshot_identifier", "restore_to_point_in_time"]),
    ("aws_neptune_cluster", "Neptune cluster", &["replication_source_identifier", "snapshot_identifier"]),
];

const TYPES: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_redshift_cluster",
];

fn check(doc: &Document, cx: &mut Context) {
    for db in terraform::resources(doc, TYPES) {
        if db.kind() == "aws_redshift_cluster" {
            redshift(db, cx);
        } else if let Some(&(_, what, inherited)) = STORAGE_ENCRYPTED.iter().find(|(t, _, _)| *t == db.kind())
        {
            storage_encrypted(db, what, inherited, cx);
        }
    }
}

fn storage_encrypted(db: Resource<'_>, what: &str, inherited: &[&str], cx: &mut Context) {
    if any_set(db, inherited) {
        return;
    }
    // Aurora Serverless v1 is always encrypted; an unknown engine mode may be it.
    if db.kind() == "aws_rds_cluster" {
        let mode = db.attr("engine_mode");
        if mode.is_some_and(rampart_plugin_sdk::Node::is_unknown)
            || text_is(mode, &["serverless"]) == Some(true)
        {
            return;
        }
    }
    match db.setting(&["storage_encrypted"]).boolean() {
        Setting::Known(true, _) | Setting::Unknown => {}
        Setting::Known(false, value) => {
            cx.report(
                value,
                format!(
                    "{} sets storage_encrypted to false: the {what}'s storage, automated backups and snapshots are \
                     unencrypted",
                    db.address()
                ),
            );
        }
        Setting::Absent => {
            // A member of a global database: a secondary takes the primary's encryption.
            if is_set(db.attr("global_cluster_identifier")) {
                return;
            }
            let key_alone = if is_set(db.attr("kms_key_id")) {
                "; kms_key_id alone does not turn encryption on"
            } else {
                ""
            };
            cx.report(
                db.labels(),
                format!(
                    "{} does not set storage_encrypted (the provider's default is false): the {what}'s storage, \
                     automated backups and snapshots are unencrypted{key_alone}",
                    db.address()
                ),
            );
        }
    }
}

fn redshift(db: Resource<'_>, cx: &mut Context) {
    if any_set(db, &["snapshot_identifier"]) {
        return;
    }
    if let Setting::Known(false, value) = db.setting(&["encrypted"]).boolean() {
        cx.report(
            value,
            format!(
                "{} sets encrypted to false: the Redshift cluster's data and snapshots are unencrypted (AWS \
                 refuses to create unencrypted clusters since January 2025; this keeps an existing one unencrypted)",
                db.address()
            ),
        );
    }
}
