//! `backup/cloudsql-backups`: Cloud SQL instances take automated backups and can be restored
//! to a point in time.
//!
//! ## What it does
//! For every `google_sql_database_instance` that is not a replica (`master_instance_name`,
//! `instance_type = "READ_REPLICA_INSTANCE"`), reports:
//! - `settings.backup_configuration.enabled` not `true` (high): written `false`, or not set
//!   on the Enterprise edition, where it defaults to `false`;
//! - with backups on, point-in-time recovery off (medium): `point_in_time_recovery_enabled`
//!   for PostgreSQL and SQL Server, `binary_log_enabled` for MySQL, written `false` or not set on
//!   the Enterprise edition (where both default to `false`).
//!
//! The edition is `settings.edition`; when it is not set, Cloud SQL creates PostgreSQL 16+ and
//! MySQL 8.4+ as Enterprise Plus, which turns point-in-time recovery on by default, so missing
//! settings are judged only where the edition is known to be Enterprise. How long backups and
//! transaction logs are kept is `backup/db-backup-retention`'s concern. Unknown values are not
//! judged.
//!
//! ## Why is this bad?
//! Without automated backups there is nothing to restore after a bad migration, a dropped
//! table or a lost instance. Without point-in-time recovery a restore goes back to the last
//! daily backup, losing up to a day of writes.
//!
//! ## Example
//! ```hcl
//! resource "google_sql_database_instance" "main" {
//!   database_version = "POSTGRES_15"
//!   settings {
//!     tier = "db-custom-2-7680"
//!   }
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "google_sql_database_instance" "main" {
//!   database_version = "POSTGRES_15"
//!   settings {
//!     tier = "db-custom-2-7680"
//!     backup_configuration {
//!       enabled                        = true
//!       point_in_time_recovery_enabled = true
//!     }
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::{Edition, Engine, cloud_sql_replica, edition, engine};

pub const RULE: Rule = Rule {
    id: "backup/cloudsql-backups",
    title: "Cloud SQL instances take automated backups with point-in-time recovery",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "A Cloud SQL instance without automated backups has nothing to restore after a \
        faulty migration, a dropped table or the loss of the instance; without point-in-time \
        recovery (transaction logs, binary logs on MySQL) a restore goes back to the last daily \
        backup and loses up to a day of writes.",
    remediation: "In `settings`, add `backup_configuration { enabled = true \
        point_in_time_recovery_enabled = true }` (PostgreSQL, SQL Server) or `backup_configuration \
        { enabled = true binary_log_enabled = true }` (MySQL), with a `start_time` outside peak \
        hours.",
    references: &[
        "CIS Google Cloud Platform Foundation Benchmark 6.7",
        "NIST SP 800-53 CP-9",
        "NIST SP 800-53 CP-10",
    ],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for instance in terraform::resources(doc, &["google_sql_database_instance"]) {
        if !cloud_sql_replica(instance) {
            judge(instance, cx);
        }
    }
}

fn judge(instance: Resource<'_>, cx: &mut Context) {
    let Some(settings) = instance.attr("settings") else { return };
    let version = match instance.setting(&["database_version"]).text() {
        Setting::Known(version, _) => version,
        _ => "",
    };
    let enterprise = !version.is_empty() && edition(instance, version) == Edition::Enterprise;
    match terraform::setting(Some(settings), &["backup_configuration", "enabled"]).boolean() {
        Setting::Known(false, node) => {
            cx.report(
                node,
                "backup_configuration.enabled = false: Cloud SQL takes no automated backups of this instance",
            );
            return;
        }
        Setting::Absent if enterprise => {
            cx.report(
                instance.labels(),
                "backup_configuration.enabled is not set: it defaults to false, so Cloud SQL takes no \
                 automated backups of this instance",
            );
            return;
        }
        Setting::Known(true, _) => {}
        _ => return,
    }

    let Some(engine) = engine(version) else { return };
    let (name, logs) = match engine {
        Engine::Mysql => ("binary_log_enabled", "binary logs"),
        Engine::Postgres | Engine::SqlServer => ("point_in_time_recovery_enabled", "transaction logs"),
    };
    match terraform::setting(Some(settings), &["backup_configuration", name]).boolean() {
        Setting::Known(false, node) => {
            cx.report(
                node,
                format!(
                    "{name} = false: without {logs} the instance can only be restored to its last daily \
                     backup"
                ),
            )
            .severity(Severity::Medium);
        }
        Setting::Absent if enterprise => {
            cx.report(
                instance.labels(),
                format!(
                    "backup_configuration.{name} is not set: it defaults to false on the Enterprise \
                     edition, so the instance can only be restored to its last daily backup"
                ),
            )
            .severity(Severity::Medium);
        }
        _ => {}
    }
}
