//! `backup/db-backup-retention`: managed databases keep their automated backups for at least
//! `min_retention_days`.
//!
//! ## What it does
//! Reads the automated-backup retention of every managed database it knows and reports one
//! below `min_retention_days` (default 7), or not set when the provider's default is below it:
//!
//! | resource | setting | default when not set |
//! |---|---|---|
//! | `aws_db_instance` | `backup_retention_period` | 1 day: Terraform sends nothing and the RDS API's default is 1 (0 turns backups off) |
//! | `aws_rds_cluster` (Aurora, Multi-AZ clusters) | `backup_retention_period` | 1 day |
//! | `aws_docdb_cluster`, `aws_neptune_cluster` | `backup_retention_period` | 1 day |
//! | `aws_redshift_cluster` | `automated_snapshot_retention_period` | 1 day (0 turns snapshots off) |
//! | `aws_db_instance_automated_backups_replication` (cross-region copies) | `retention_period` | 7 days |
//! | `azurerm_postgresql_flexible_server`, `azurerm_mysql_flexible_server`, `azurerm_postgresql_server`, `azurerm_mysql_server`, `azurerm_mariadb_server` | `backup_retention_days` | 7 days |
//! | `azurerm_mssql_database` | `short_term_retention_policy.retention_days` | 7 days |
//! | `azurerm_mssql_managed_database` | `short_term_retention_days` | 7 days |
//! | `azurerm_cosmosdb_account` | `backup` (periodic `retention_in_hours`, continuous `tier`) | periodic, 8 hours |
//! | `google_sql_database_instance` with backups on | `settings.backup_configuration.backup_retention_settings.retained_backups` | 7 daily backups |
//! | the same, with point-in-time recovery on | `settings.backup_configuration.transaction_log_retention_days` | 7 days (14 on Enterprise Plus); at most 7 (35 on Enterprise Plus), so the minimum is capped there |
//!
//! A retention of 0, which turns automated backups off, is reported as high severity.
//! A missing retention is not reported on an AWS database restored from a snapshot or a point in
//! time (`snapshot_identifier`, `restore_to_point_in_time`), whose settings may come from its
//! source.
//!
//! The minimum is capped at the longest retention the service allows (35 days on AWS and Azure,
//! 30 on Cosmos DB, 365 backups on Cloud SQL): a longer requirement could never be met there,
//! and is the job of AWS Backup plans or copies (`backup/backup-plan-retention`).
//!
//! Replicas are not judged: an RDS read replica (`replicate_source_db`) takes its recovery
//! from its source (and RDS ignores the retention of a PostgreSQL replica), Azure replicas
//! (`create_mode = "Replica"`, `"Secondary"`, `"OnlineSecondary"`) and Cloud SQL replicas
//! (`master_instance_name`) have no backups of their own. Cloud SQL instances with backups
//! off are `backup/cloudsql-backups`'s concern. Unknown values are not judged.
//!
//! ## Why is this bad?
//! The retention is how far back a restore can go: corruption, a bad migration or ransomware
//! noticed after the window has closed can no longer be undone. AWS's default of one day
//! leaves no margin for a weekend.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine = "postgres"
//!   # backup_retention_period not set: 1 day
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine                  = "postgres"
//!   backup_retention_period = 14
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::text::days;
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::{
    Edition, Engine, MIN_RETENTION_DAYS, cloud_sql_replica, edition, engine, may_be_one_of, may_be_set,
    required,
};

pub const RULE: Rule = Rule {
    id: "backup/db-backup-retention",
    title: "Databases keep automated backups for the minimum retention",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "The backup retention bounds how far back a database can be restored: corruption, a \
        faulty migration, a deleted table or ransomware discovered after the window has closed \
        cannot be undone. AWS keeps RDS, Aurora, DocumentDB, Neptune and Redshift backups for one \
        day unless told otherwise, and a retention of 0 turns them off.",
    remediation: "Set the retention to at least the minimum (`min_retention_days`, 7 by \
        default), e.g. `backup_retention_period = 14` on `aws_db_instance`/`aws_rds_cluster`, \
        `automated_snapshot_retention_period = 14` on `aws_redshift_cluster`, \
        `backup_retention_days = 14` on Azure flexible servers, \
        `short_term_retention_policy { retention_days = 14 }` on `azurerm_mssql_database`, \
        `backup_retention_settings { retained_backups = 14 }` in Cloud SQL's `backup_configuration`.",
    references: &[
        "NIST SP 800-53 CP-9",
        "NIST SP 800-53 CP-10",
        "AWS Foundational Security Best Practices RDS.11",
    ],
    params: &[MIN_RETENTION_DAYS],
    check,
};

/// The longest automated-backup retention RDS, Aurora, DocumentDB, Neptune, Redshift and Azure
/// allow, in days.
const LONGEST_DAYS: i64 = 35;

/// A database whose retention is one number of days at one place.
struct Target {
    kind: &'static str,
    path: &'static [&'static str],
    /// What the provider applies when the setting is absent.
    default: i64,
    /// The service, for "the longest RDS allows".
    service: &'static str,
    /// Who keeps what: "RDS keeps automated backups".
    keeps: &'static str,
    /// What a retention of 0 means, when the service accepts 0.
    zero: Option<&'static str>,
    /// Whether the resource is a replica, which has no backups of its own to judge.
    replica: fn(Resource<'_>) -> bool,
}

fn never(_: Resource<'_>) -> bool {
    false
}

fn rds_replica(r: Resource<'_>) -> bool {
    may_be_set(r, "replicate_source_db")
}

fn azure_replica(r: Resource<'_>) -> bool {
    may_be_one_of(r, "create_mode", &["Replica"])
}

fn mssql_secondary(r: Resource<'_>) -> bool {
    may_be_one_of(r, "create_mode", &["Secondary", "OnlineSecondary"])
}

const AZURE_SERVER: Target = Target {
    kind: "",
    path: &["backup_retention_days"],
    default: 7,
    service: "Azure",
    keeps: "Azure keeps backups",
    zero: None,
    replica: azure_replica,
};

const TARGETS: &[Target] = &[
    Target {
        kind: "aws_db_instance",
        path: &["backup_retention_period"],
        default: 1,
        service: "RDS",
        keeps: "RDS keeps automated backups",
        zero: Some("turns automated backups and point-in-time recovery off"),
        replica: rds_replica,
    },
    Target {
        kind: "aws_rds_cluster",
        path: &["backup_retention_period"],
        default: 1,
        service: "RDS",
        keeps: "RDS keeps the cluster's automated backups",
        zero: None,
        replica: never,
    },
    Target {
        kind: "aws_docdb_cluster",
        path: &["backup_retention_period"],
        default: 1,
        service: "DocumentDB",
        keeps: "DocumentDB keeps automated backups",
        zero: None,
        replica: never,
    },
    Target {
        kind: "aws_neptune_cluster",
        path: &["backup_retention_period"],
        default: 1,
        service: "Neptune",
        keeps: "Neptune keeps automated backups",
        zero: None,
        replica: never,
    },
    Target {
        kind: "aws_redshift_cluster",
        path: &["automated_snapshot_retention_period"],
        default: 1,
        service: "Redshift",
        keeps: "Redshift keeps automated snapshots",
        zero: Some("turns automated snapshots off"),
        replica: never,
    },
    Target {
        kind: "aws_db_instance_automated_backups_replication",
        path: &["retention_period"],
        default: 7,
        service: "RDS",
        keeps: "RDS keeps the replicated automated backups",
        zero: None,
        replica: never,
    },
    Target { kind: "azurerm_postgresql_flexible_server", ..AZURE_SERVER },
    Target { kind: "azurerm_mysql_flexible_server", ..AZURE_SERVER },
    Target { kind: "azurerm_postgresql_server", ..AZURE_SERVER },
    Target { kind: "azurerm_mysql_server", ..AZURE_SERVER },
    Target { kind: "azurerm_mariadb_server", ..AZURE_SERVER },
    Target {
        kind: "azurerm_mssql_database",
        path: &["short_term_retention_policy", "retention_days"],
        default: 7,
        service: "Azure SQL",
        keeps: "Azure SQL keeps point-in-time restore backups",
        zero: None,
        replica: mssql_secondary,
    },
    Target {
        kind: "azurerm_mssql_managed_database",
        path: &["short_term_retention_days"],
        default: 7,
        service: "Azure SQL Managed Instance",
        keeps: "Azure SQL Managed Instance keeps point-in-time restore backups",
        zero: None,
        replica: never,
    },
];

const KINDS: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_redshift_cluster",
    "aws_db_instance_automated_backups_replication",
    "azurerm_postgresql_flexible_server",
    "azurerm_mysql_flexible_server",
    "azurerm_postgresql_server",
    "azurerm_mysql_server",
    "azurerm_mariadb_server",
    "azurerm_mssql_database",
    "azurerm_mssql_managed_database",
    "azurerm_cosmosdb_account",
    "google_sql_database_instance",
];

fn check(doc: &Document, cx: &mut Context) {
    let min = cx.param_i64("min_retention_days");
    for resource in terraform::resources(doc, KINDS) {
        match resource.kind() {
            "azurerm_cosmosdb_account" => cosmos(resource, min, cx),
            "google_sql_database_instance" => cloud_sql(resource, min, cx),
            kind => {
                if let Some(target) = TARGETS.iter().find(|t| t.kind == kind) {
                    retention(resource, target, min, cx);
                }
            }
        }
    }
}

fn retention(resource: Resource<'_>, target: &Target, min: i64, cx: &mut Context) {
    if (target.replica)(resource) {
        return;
    }
    let name = target.path.join(".");
    let (min, minimum) = required(min, LONGEST_DAYS, target.service);
    match resource.setting(target.path).int() {
        Setting::Known(0, node) if min > 0 && target.zero.is_some() => {
            let zero = target.zero.unwrap_or_default();
            cx.report(node, format!("{name} = 0 {zero}; {minimum}")).severity(Severity::High);
        }
        Setting::Known(value, node) if value < min => {
            cx.report(node, format!("{name} is {value}: {} for {}; {minimum}", target.keeps, days(value)));
        }
        Setting::Absent if target.default < min && !restored(resource) => {
            cx.report(
                resource.labels(),
                format!("{name} is not set: {} for {}; {minimum}", target.keeps, days(target.default)),
            );
        }
        _ => {}
    }
}

/// An AWS database created from a snapshot or a point in time takes settings from its source,
/// so a missing retention may not mean the API default.
fn restored(resource: Resource<'_>) -> bool {
    may_be_set(resource, "snapshot_identifier")
        || !matches!(resource.setting(&["restore_to_point_in_time"]), Setting::Absent)
}

/// Cosmos DB: periodic backups (the default) keep `retention_in_hours` (8 by default, 720 at
/// most); continuous backups restore to any point of the last 7 or 30 days (`tier`, 30 by
/// default).
fn cosmos(resource: Resource<'_>, min: i64, cx: &mut Context) {
    let (min, minimum) = required(min, 30, "Cosmos DB");
    let backup = resource.attr("backup");
    match terraform::setting(backup, &["type"]).text() {
        Setting::Known(kind, _) if kind.eq_ignore_ascii_case("Continuous") => {
            let (window, node) = match terraform::setting(backup, &["tier"]).text() {
                Setting::Known(tier, node) if tier.eq_ignore_ascii_case("Continuous7Days") => (7, Some(node)),
                Setting::Known(tier, node) if tier.eq_ignore_ascii_case("Continuous30Days") => {
                    (30, Some(node))
                }
                Setting::Absent => (30, None),
                _ => return,
            };
            if window >= min {
                return;
            }
            let (node, what) = match node {
                Some(node) => (node, format!("backup.tier is {}", node.text())),
                None => (resource.labels(), "backup.tier is not set".to_owned()),
            };
            cx.report(
                node,
                format!("{what}: Cosmos DB restores to any point of the last {}; {minimum}", days(window)),
            );
        }
        Setting::Known(kind, _) if !kind.eq_ignore_ascii_case("Periodic") => {}
        Setting::Unknown => {}
        _ => match terraform::setting(backup, &["retention_in_hours"]).int() {
            Setting::Known(hours, node) if hours < min.saturating_mul(24) => {
                cx.report(
                    node,
                    format!(
                        "backup.retention_in_hours is {hours}: Cosmos DB keeps periodic backups for {hours} \
                         hours; {minimum}"
                    ),
                );
            }
            Setting::Absent if 8 < min.saturating_mul(24) => {
                let what = if backup.is_some() { "backup.retention_in_hours" } else { "backup" };
                cx.report(
                    resource.labels(),
                    format!("{what} is not set: Cosmos DB keeps periodic backups for 8 hours; {minimum}"),
                );
            }
            _ => {}
        },
    }
}

fn cloud_sql(resource: Resource<'_>, min: i64, cx: &mut Context) {
    if cloud_sql_replica(resource) {
        return;
    }
    let settings = resource.attr("settings");
    let backups = |path: &[&str]| -> Setting<'_> {
        let mut full = vec!["backup_configuration"];
        full.extend_from_slice(path);
        terraform::setting(settings, &full)
    };
    // With backups off, nothing is retained: backup/cloudsql-backups says so.
    if !matches!(backups(&["enabled"]).boolean(), Setting::Known(true, _)) {
        return;
    }
    let (required_backups, minimum) = required(min, 365, "Cloud SQL");
    match backups(&["backup_retention_settings", "retained_backups"]).int() {
        Setting::Known(count, node) if count < required_backups => {
            cx.report(
                node,
                format!(
                    "retained_backups is {count}: Cloud SQL keeps the last {count} daily backups; {minimum}"
                ),
            );
        }
        Setting::Absent if 7 < required_backups => {
            cx.report(
                resource.labels(),
                format!(
                    "backup_retention_settings.retained_backups is not set: Cloud SQL keeps the last 7 \
                     daily backups; {minimum}"
                ),
            );
        }
        _ => {}
    }

    // The transaction logs bound point-in-time recovery, when it is on.
    let Setting::Known(version, _) = resource.setting(&["database_version"]).text() else {
        return;
    };
    let Some(engine) = engine(version) else { return };
    let edition = edition(resource, version);
    let pitr = if engine == Engine::Mysql { "binary_log_enabled" } else { "point_in_time_recovery_enabled" };
    let pitr_on = match backups(&[pitr]).boolean() {
        Setting::Known(on, _) => on,
        Setting::Absent => edition == Edition::EnterprisePlus && engine != Engine::Mysql,
        Setting::Unknown => false,
    };
    if !pitr_on {
        return;
    }
    let (longest, default, service) = match edition {
        Edition::EnterprisePlus => (35, Some(14), "Cloud SQL Enterprise Plus"),
        Edition::Enterprise => (7, Some(7), "Cloud SQL Enterprise"),
        Edition::Uncertain => (7, None, "Cloud SQL Enterprise"),
    };
    let (needed, minimum) = required(min, longest, service);
    match backups(&["transaction_log_retention_days"]).int() {
        Setting::Known(value, node) if value < needed => {
            cx.report(
                node,
                format!(
                    "transaction_log_retention_days is {value}: point-in-time recovery reaches back {}; \
                     {minimum}",
                    days(value)
                ),
            );
        }
        Setting::Absent => {
            if let Some(default) = default.filter(|&d| d < needed) {
                cx.report(
                    resource.labels(),
                    format!(
                        "transaction_log_retention_days is not set: point-in-time recovery reaches back {} \
                         (the Enterprise Plus default); {minimum}",
                        days(default)
                    ),
                );
            }
        }
        _ => {}
    }
}
