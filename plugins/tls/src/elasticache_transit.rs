//! `tls/elasticache-transit-encryption`: ElastiCache and MemoryDB encrypt connections in
//! transit.
//!
//! ## What it does
//! - `aws_elasticache_replication_group` (Redis OSS, Valkey): `transit_encryption_enabled`
//!   must be true (the provider's default is false), and `transit_encryption_mode` must
//!   not be `preferred` (which still accepts unencrypted clients).
//! - `aws_elasticache_cluster`: a Memcached cluster must set `transit_encryption_enabled =
//!   true`; a standalone Redis/Valkey cluster (not a member of a replication group) cannot
//!   encrypt in transit at all.
//! - `aws_memorydb_cluster`: `tls_enabled = false` is reported (the default is true).
//!
//! The value is judged where it is set: when a module passes `transit_encryption_enabled =
//! false` to a local module, the finding is on the resource inside the module, with the
//! module argument as the place to change.
//!
//! ## Why is this bad?
//! Caches hold sessions, tokens and copies of database rows; without TLS, anyone who can
//! reach the subnet's traffic reads them, and the AUTH token crosses the network in clear.
//!
//! ## Example
//! ```hcl
//! resource "aws_elasticache_replication_group" "cache" {
//!   replication_group_id = "app"
//!   engine               = "redis"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_elasticache_replication_group" "cache" {
//!   replication_group_id       = "app"
//!   engine                     = "redis"
//!   transit_encryption_enabled = true
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, Value};

use crate::common::is_false;

pub const RULE: Rule = Rule {
    id: "tls/elasticache-transit-encryption",
    title: "ElastiCache and MemoryDB encrypt connections in transit",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "ElastiCache replication groups are created without in-transit encryption \
        unless asked: sessions, tokens, cached personal data and the Redis AUTH token then \
        cross the VPC in clear text, readable by anything that can observe the traffic.",
    remediation: "Set `transit_encryption_enabled = true` (and leave `transit_encryption_mode` \
        at `required`), then connect with TLS (`rediss://`). For a standalone Redis cluster, \
        use an `aws_elasticache_replication_group` instead.",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-8(1)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for group in terraform::resources(doc, &["aws_elasticache_replication_group"]) {
        judge_enabled(group, "replication group", cx);
        if let Some(mode) = group.attr("transit_encryption_mode")
            && mode.str().is_some_and(|m| m.trim().eq_ignore_ascii_case("preferred"))
            && !group.attr("transit_encryption_enabled").is_some_and(is_false)
        {
            cx.report(
                mode,
                "transit_encryption_mode = \"preferred\" still accepts unencrypted connections; use \
                 \"required\"",
            )
            .severity(Severity::Medium);
        }
    }
    for cluster in terraform::resources(doc, &["aws_elasticache_cluster"]) {
        if cluster.attr("replication_group_id").is_some() {
            // A member of a replication group: the group is judged.
            continue;
        }
        match cluster.attr("engine").map(Node::value) {
            Some(Value::String(engine)) if engine.eq_ignore_ascii_case("memcached") => {
                judge_enabled(cluster, "Memcached cluster", cx);
            }
            Some(Value::String(engine))
                if engine.eq_ignore_ascii_case("redis") || engine.eq_ignore_ascii_case("valkey") =>
            {
                if let Some(engine_node) = cluster.attr("engine") {
                    cx.report(
                        engine_node,
                        format!(
                            "a standalone {engine} aws_elasticache_cluster cannot encrypt in transit; \
                             create an aws_elasticache_replication_group with \
                             transit_encryption_enabled = true"
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    for cluster in terraform::resources(doc, &["aws_memorydb_cluster"]) {
        if let Some(tls) = cluster.attr("tls_enabled")
            && is_false(tls)
        {
            cx.report(tls, "tls_enabled = false: clients connect to the MemoryDB cluster in clear text");
        }
    }
}

fn judge_enabled(resource: Resource<'_>, what: &str, cx: &mut Context) {
    match resource.attr("transit_encryption_enabled") {
        None => {
            cx.report(
                resource.labels(),
                format!(
                    "{what} without transit_encryption_enabled: the default is false, so clients \
                     connect in clear text"
                ),
            );
        }
        Some(node) if node.kind() == rampart_plugin_sdk::Kind::Null => {
            cx.report(
                resource.labels(),
                format!("{what} has transit_encryption_enabled = null: the default is false, so clients connect in clear text"),
            );
        }
        Some(node) if is_false(node) => {
            cx.report(
                node,
                format!("transit_encryption_enabled = false: clients connect to the {what} in clear text"),
            );
        }
        Some(_) => {}
    }
}
