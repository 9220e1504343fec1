//! `logging/rds-log-exports`: RDS databases publish their logs to CloudWatch Logs.
//!
//! ## What it does
//! Reports an `aws_db_instance` or `aws_rds_cluster` whose `enabled_cloudwatch_logs_exports`
//! is missing (the provider default exports nothing) or empty, and, with a lower severity, one
//! that exports logs but not the log that records the engine's connections and statements, as
//! `required_log_exports` lists it per engine (`engine=log|other-log`, the longest matching
//! engine prefix wins: `oracle` covers `oracle-ee`):
//!
//! | engine | expected export |
//! |---|---|
//! | `postgres`, `aurora-postgresql` | `postgresql` |
//! | `mysql`, `mariadb`, `aurora-mysql` | `audit` or `general` |
//! | `oracle-*` | `audit` |
//! | `sqlserver-*` | `error` |
//! | `db2-*` | `diag.log` |
//!
//! A read replica without `engine` takes the engine of the instance `replicate_source_db`
//! names. An engine that is not known, or not listed, is only checked for some export. RDS
//! Custom engines (`custom-*`) and Aurora Serverless v1 clusters (`engine_mode =
//! "serverless"`) cannot export logs this way and are not checked. A list that is not known
//! before apply, or holds unknown items, is not judged.
//!
//! Exporting a log is not enough on its own: the engine must write the events into it
//! (`log_connections`, `pgaudit` for PostgreSQL; the `MARIADB_AUDIT_PLUGIN` option or
//! `server_audit_logging` for MySQL and MariaDB).
//!
//! ## Why is this bad?
//! Database logs left on the instance rotate away within days, are lost with the instance and
//! cannot be searched or alarmed on: failed logins, privilege changes and unusual queries go
//! unseen.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine         = "postgres"
//!   instance_class = "db.t4g.medium"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   engine                          = "postgres"
//!   instance_class                  = "db.t4g.medium"
//!   enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Param, ParamDefault, Rule, Severity};

use crate::util;

pub const RULE: Rule = Rule {
    id: "logging/rds-log-exports",
    title: "RDS databases publish their logs to CloudWatch Logs",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "Logs kept only on a database instance rotate away within days, disappear with \
        the instance and cannot be searched, retained or alarmed on: failed logins, privilege \
        changes and unusual queries against the data go unseen and cannot be investigated.",
    remediation: "List the engine's logs in `enabled_cloudwatch_logs_exports`, e.g. \
        `enabled_cloudwatch_logs_exports = [\"postgresql\"]` for PostgreSQL or `[\"audit\", \
        \"error\", \"slowquery\"]` for MySQL and MariaDB (with the MARIADB_AUDIT_PLUGIN option, \
        or `server_audit_logging` on Aurora MySQL), and create the \
        `/aws/rds/instance/<id>/<log>` log groups with a retention before the database.",
    references: &[
        "AWS Security Hub control RDS.9",
        "NIST SP 800-53 AU-2",
        "NIST SP 800-53 AU-6",
        "NIST SP 800-53 AU-12",
    ],
    params: &[Param {
        name: "required_log_exports",
        description: "Per engine, the log exports of which at least one must be enabled, as \
            `engine=log|other-log`; an engine matches a key equal to it or followed by `-` \
            (`oracle` matches `oracle-ee`), the longest key winning.",
        default: ParamDefault::Texts(&[
            "postgres=postgresql",
            "aurora-postgresql=postgresql",
            "mysql=audit|general",
            "mariadb=audit|general",
            "aurora-mysql=audit|general",
            "aurora=audit|general",
            "oracle=audit",
            "sqlserver=error",
            "db2=diag.log",
        ]),
    }],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let required = cx.param_texts("required_log_exports");
    for db in terraform::resources(doc, &["aws_db_instance", "aws_rds_cluster"]) {
        let cluster = db.kind() == "aws_rds_cluster";
        let engine = engine_of(db);
        if engine.as_deref().is_some_and(|e| e.starts_with("custom-")) {
            continue;
        }
        if cluster
            && db
                .attr("engine_mode")
                .and_then(Node::str)
                .is_some_and(|m| m.eq_ignore_ascii_case("serverless"))
        {
            continue;
        }
        let what = if cluster {
            format!("DB cluster {}", util::display_name(db, &["cluster_identifier"]))
        } else {
            format!("DB instance {}", util::display_name(db, &["identifier"]))
        };
        let exports = db.attr("enabled_cloudwatch_logs_exports").filter(|v| v.kind() != Kind::Null);
        let Some(exports) = exports else {
            cx.report(
                db.labels(),
                format!(
                    "{what} publishes no logs to CloudWatch Logs: enabled_cloudwatch_logs_exports is not set \
                     (the default exports nothing)"
                ),
            );
            continue;
        };
        if exports.kind() != Kind::List || exports.children().any(|i| i.str().is_none()) {
            continue; // unknown, or items not known before apply
        }
        let written: Vec<&str> = exports.items().filter_map(Node::str).collect();
        if written.is_empty() {
            cx.report(
                exports,
                format!(
                    "{what} publishes no logs to CloudWatch Logs: enabled_cloudwatch_logs_exports is empty"
                ),
            );
            continue;
        }
        let Some(engine) = engine else { continue };
        let Some(expected) = expected_exports(&required, &engine) else { continue };
        if written.iter().any(|w| expected.iter().any(|e| e.eq_ignore_ascii_case(w.trim()))) {
            continue;
        }
        let expected_text = expected.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(" or ");
        let written_text = written.join(", ");
        cx.report(
            exports,
            format!(
                "{what} ({engine}) exports {written_text} but not {expected_text}, the log that records its \
                 connections and statements"
            ),
        )
        .severity(Severity::Low);
    }
}

/// The engine, lowercased: the resource's own `engine`, or for a read replica the engine of
/// the instance `replicate_source_db` names.
fn engine_of(db: Resource<'_>) -> Option<String> {
    if let Some(engine) = db.attr("engine") {
        return engine.str().map(|e| e.trim().to_ascii_lowercase());
    }
    let source = db.attr("replicate_source_db")?;
    let sources = terraform::referenced(db, source, &["aws_db_instance"]);
    let engines: Vec<&str> = sources.iter().filter_map(|s| s.attr("engine").and_then(Node::str)).collect();
    // Every instance the reference may name must agree.
    let first = *engines.first()?;
    (engines.len() == sources.len() && engines.iter().all(|e| e.eq_ignore_ascii_case(first)))
        .then(|| first.trim().to_ascii_lowercase())
}

/// The exports `required` expects for `engine`: the entry with the longest key equal to the
/// engine or followed by `-` in it.
fn expected_exports(required: &[String], engine: &str) -> Option<Vec<String>> {
    required
        .iter()
        .filter_map(|entry| {
            let (key, logs) = entry.split_once('=')?;
            let key = key.trim().to_ascii_lowercase();
            let matches =
                engine == key || engine.strip_prefix(key.as_str()).is_some_and(|rest| rest.starts_with('-'));
            matches.then_some((key.len(), logs))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, logs)| logs.split('|').map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect())
        .filter(|logs: &Vec<String>| !logs.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_matching_engine_key_wins() {
        let required: Vec<String> =
            ["aurora=audit", "aurora-postgresql=postgresql", "oracle=audit", "mysql=audit|general", "bad"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
        assert_eq!(expected_exports(&required, "aurora-postgresql"), Some(vec!["postgresql".to_owned()]));
        assert_eq!(expected_exports(&required, "aurora"), Some(vec!["audit".to_owned()]));
        assert_eq!(expected_exports(&required, "oracle-se2"), Some(vec!["audit".to_owned()]));
        assert_eq!(
            expected_exports(&required, "mysql"),
            Some(vec!["audit".to_owned(), "general".to_owned()])
        );
        assert_eq!(expected_exports(&required, "mysqlx"), None);
        assert_eq!(expected_exports(&required, "postgres"), None);
    }
}
