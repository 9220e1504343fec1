//! backup: backups and recovery: retention, point-in-time recovery, deletion protection.
//!
//! One rule per module; each module declares its rule once, with its metadata. `common` holds
//! the helpers they share (reading settings as absent / unknown / known, Cloud SQL editions).

mod backup_plan_retention;
mod cloudsql_backups;
mod common;
mod db_backup_retention;
mod db_deletion_protection;
mod db_final_snapshot;
mod dynamodb_pitr;
mod elasticache_snapshot_retention;
mod s3_versioning;

rampart_plugin_sdk::plugin!(
    description: "Backups and recovery: retention, point-in-time recovery, deletion protection.",
    rules: [
        db_backup_retention::RULE,
        db_final_snapshot::RULE,
        db_deletion_protection::RULE,
        dynamodb_pitr::RULE,
        elasticache_snapshot_retention::RULE,
        s3_versioning::RULE,
        backup_plan_retention::RULE,
        cloudsql_backups::RULE,
    ],
);
