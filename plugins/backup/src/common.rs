//! What the backup rules share: the retention parameter, arguments that make a resource a
//! replica or a copy, and Cloud SQL editions. Settings are read with the SDK's
//! [`Setting`]. Not a rule.

use rampart_plugin_sdk::terraform::{Resource, Setting};
use rampart_plugin_sdk::text::days;
use rampart_plugin_sdk::{Param, ParamDefault};

/// The parameter every rule that compares a retention declares.
pub const MIN_RETENTION_DAYS: Param = Param {
    name: "min_retention_days",
    description: "The shortest retention, in days, that backups (or the recovery window) may have.",
    default: ParamDefault::Integer(7),
};

/// Whether an optional argument that makes a resource something else (a read replica's
/// `replicate_source_db`, a Cloud SQL replica's `master_instance_name`) is, or may be, set:
/// anything but absent, `null` or `""`. An unknown value may be set, so it counts.
pub fn may_be_set(resource: Resource<'_>, name: &str) -> bool {
    match resource.setting(&[name]) {
        Setting::Absent => false,
        Setting::Unknown => true,
        Setting::Known(node, _) => node.str() != Some(""),
    }
}

/// Whether a string argument equals one of `values` (ASCII case ignored), or is unknown (so
/// it may). Absent is `false`.
pub fn may_be_one_of(resource: Resource<'_>, name: &str, values: &[&str]) -> bool {
    match resource.setting(&[name]).text() {
        Setting::Known(v, _) => values.iter().any(|x| v.eq_ignore_ascii_case(x)),
        Setting::Unknown => true,
        Setting::Absent => false,
    }
}

/// The Cloud SQL edition, which decides the defaults and limits of point-in-time recovery.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    Enterprise,
    EnterprisePlus,
    /// Unknown, or not set on a version the API may create as Enterprise Plus.
    Uncertain,
}

/// The database engine of a Cloud SQL `database_version`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    Mysql,
    SqlServer,
}

pub fn engine(version: &str) -> Option<Engine> {
    let version = version.to_ascii_uppercase();
    if version.starts_with("POSTGRES") {
        Some(Engine::Postgres)
    } else if version.starts_with("MYSQL") {
        Some(Engine::Mysql)
    } else if version.starts_with("SQLSERVER") {
        Some(Engine::SqlServer)
    } else {
        None
    }
}

/// `settings.edition`, or the default for the version: Enterprise, except that Cloud SQL
/// creates PostgreSQL 16 and later and MySQL 8.4 and later as Enterprise Plus when no edition
/// is given (so those are uncertain).
pub fn edition(resource: Resource<'_>, version: &str) -> Edition {
    match resource.setting(&["settings", "edition"]).text() {
        Setting::Known(e, _) if e.eq_ignore_ascii_case("ENTERPRISE_PLUS") => Edition::EnterprisePlus,
        Setting::Known(e, _) if e.eq_ignore_ascii_case("ENTERPRISE") => Edition::Enterprise,
        Setting::Absent if !newer_than_enterprise_default(version) => Edition::Enterprise,
        _ => Edition::Uncertain,
    }
}

/// PostgreSQL 16+ or MySQL 8.4+ (`POSTGRES_16`, `MYSQL_8_4`, `MYSQL_8_4_2`, `MYSQL_9_0`).
fn newer_than_enterprise_default(version: &str) -> bool {
    let version = version.to_ascii_uppercase();
    let numbers = |rest: &str| -> Vec<u32> { rest.split('_').map_while(|p| p.parse().ok()).collect() };
    if let Some(rest) = version.strip_prefix("POSTGRES_") {
        return numbers(rest).first().is_none_or(|&major| major >= 16);
    }
    if let Some(rest) = version.strip_prefix("MYSQL_") {
        let n = numbers(rest);
        return match (n.first(), n.get(1)) {
            (Some(&major), _) if major > 8 => true,
            (Some(8), Some(&minor)) => minor >= 4,
            (Some(_), _) => false,
            (None, _) => true,
        };
    }
    false
}

/// Whether a Cloud SQL instance is a read replica (no backups of its own).
pub fn cloud_sql_replica(resource: Resource<'_>) -> bool {
    may_be_set(resource, "master_instance_name")
        || may_be_one_of(resource, "instance_type", &["READ_REPLICA_INSTANCE", "READ_POOL_INSTANCE"])
}

/// The retention a rule requires: `min_retention_days`, capped at the longest the service
/// allows (asking for more could never be met; longer retention is AWS Backup's or a copy's
/// job); and how a message says it: `the minimum is 7 days`, `the minimum is 35 days, the
/// longest RDS allows`.
pub fn required(min: i64, longest: i64, service: &str) -> (i64, String) {
    if min > longest {
        (longest, format!("the minimum is {}, the longest {service} allows", days(longest)))
    } else {
        (min, format!("the minimum is {}", days(min)))
    }
}
