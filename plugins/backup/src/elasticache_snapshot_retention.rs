//! `backup/elasticache-snapshot-retention`: Redis and Valkey data in ElastiCache is
//! snapshotted daily and the snapshots kept for at least `min_retention_days`.
//!
//! ## What it does
//! Reports an `aws_elasticache_replication_group`, or a stand-alone `aws_elasticache_cluster`
//! with engine `redis` or `valkey`, whose `snapshot_retention_limit` is below
//! `min_retention_days` (default 7), or not set (the default, 0, takes no snapshots at all).
//!
//! Not judged: Memcached (it has no persistence or snapshots); a cluster that belongs to a
//! replication group (`replication_group_id`: the group's settings apply); a secondary of a
//! global datastore (`global_replication_group_id`: it follows the primary); and a pure cache,
//! whose parameter group sets `maxmemory-policy` to an `allkeys-*` policy: Redis itself may
//! evict any key at any time, so it holds nothing that must be restored. The parameter group is
//! followed from `parameter_group_name` (a reference to an `aws_elasticache_parameter_group`,
//! or the `name` of one in the same module). A default group (`default.redis7`: `volatile-lru`,
//! which evicts only keys with a TTL), a group managed elsewhere or an unknown one does not show
//! a pure cache, so the data is judged. Unknown retention values are not judged.
//!
//! The minimum is capped at 35 days, the longest ElastiCache keeps automatic snapshots.
//!
//! ## Why is this bad?
//! Redis holding sessions, queues (Sidekiq, BullMQ, Celery) or application state loses it all
//! when a node is replaced without a replica, a `FLUSHALL` runs, or the group is deleted; a
//! snapshot is the only way back.
//!
//! ## Example
//! ```hcl
//! resource "aws_elasticache_replication_group" "queue" {
//!   engine = "redis"
//!   # snapshot_retention_limit not set: no snapshots
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_elasticache_replication_group" "queue" {
//!   engine                   = "redis"
//!   snapshot_retention_limit = 7
//!   snapshot_window          = "03:00-04:00"
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::text::days;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::common::{MIN_RETENTION_DAYS, may_be_set, required};

pub const RULE: Rule = Rule {
    id: "backup/elasticache-snapshot-retention",
    title: "ElastiCache Redis and Valkey data is snapshotted for the minimum retention",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "ElastiCache takes no automatic snapshots unless `snapshot_retention_limit` is set. \
        Redis holding sessions, job queues or application state loses it when a node fails without \
        a replica, a `FLUSHALL` or a bad deploy wipes keys, or the group is deleted; only a snapshot \
        within the retention brings it back.",
    remediation: "Set `snapshot_retention_limit` to at least the minimum (7 days by default) and pick \
        a `snapshot_window` outside peak hours. A pure cache can say so instead with \
        `maxmemory-policy = allkeys-lru` (or `allkeys-lfu`) in its parameter group.",
    references: &[
        "NIST SP 800-53 CP-9",
        "NIST SP 800-53 CP-10",
        "AWS Foundational Security Best Practices ElastiCache.1",
    ],
    params: &[MIN_RETENTION_DAYS],
    check,
};

const KINDS: &[&str] = &["aws_elasticache_replication_group", "aws_elasticache_cluster"];

fn check(doc: &Document, cx: &mut Context) {
    let (min, minimum) = required(cx.param_i64("min_retention_days"), 35, "ElastiCache");
    for resource in terraform::resources(doc, KINDS) {
        let engine = match (resource.kind(), resource.setting(&["engine"]).text()) {
            (_, Setting::Known(engine, _)) => engine,
            ("aws_elasticache_replication_group", Setting::Absent) => "redis",
            _ => continue,
        };
        let Some(engine) = ["redis", "valkey"].into_iter().find(|e| engine.eq_ignore_ascii_case(e)) else {
            continue;
        };
        let member =
            resource.kind() == "aws_elasticache_cluster" && may_be_set(resource, "replication_group_id");
        if member || may_be_set(resource, "global_replication_group_id") {
            continue;
        }
        let engine = if engine == "redis" { "Redis" } else { "Valkey" };
        let finding = match resource.setting(&["snapshot_retention_limit"]).int() {
            Setting::Known(0, node) if min > 0 => Some((
                node,
                format!(
                    "snapshot_retention_limit = 0 turns automatic snapshots of this {engine} data off; {minimum}"
                ),
            )),
            Setting::Known(limit, node) if limit < min => Some((
                node,
                format!(
                    "snapshot_retention_limit is {limit}: ElastiCache keeps daily snapshots for {}; {minimum}",
                    days(limit)
                ),
            )),
            Setting::Absent if min > 0 => Some((
                resource.labels(),
                format!(
                    "snapshot_retention_limit is not set: it defaults to 0, so ElastiCache takes no \
                     automatic snapshots of this {engine} data; {minimum}"
                ),
            )),
            _ => None,
        };
        if let Some((node, message)) = finding
            && !is_cache(resource)
        {
            cx.report(node, message);
        }
    }
}

/// Whether the module shows the data to be a pure cache: every parameter group the resource
/// names (by reference, or by the `name` of a group in the same module) sets
/// `maxmemory-policy` to an `allkeys-*` policy. Anything else (a default group, whose policy is
/// `volatile-lru`; a group managed elsewhere; an unknown name) is judged.
fn is_cache(resource: Resource<'_>) -> bool {
    let Some(value) = resource.attr("parameter_group_name") else { return false };
    let groups: Vec<Resource<'_>> = match value.str() {
        Some(name) => terraform::resources(resource.document(), &["aws_elasticache_parameter_group"])
            .filter(|g| g.module() == resource.module() && g.attr("name").and_then(Node::str) == Some(name))
            .collect(),
        None => terraform::referenced(resource, value, &["aws_elasticache_parameter_group"])
            .into_iter()
            .filter(|g| !g.is_data())
            .collect(),
    };
    !groups.is_empty() && groups.iter().all(|&g| evicts_any_key(g))
}

/// Whether a parameter group's `maxmemory-policy` is `allkeys-lru`, `allkeys-lfu` or
/// `allkeys-random`.
fn evicts_any_key(group: Resource<'_>) -> bool {
    group
        .blocks("parameter")
        .filter(|p| {
            p.get("name").and_then(Node::str).is_some_and(|n| n.eq_ignore_ascii_case("maxmemory-policy"))
        })
        .last()
        .and_then(|p| p.get("value"))
        .and_then(Node::str)
        .is_some_and(|v| v.get(..8).is_some_and(|prefix| prefix.eq_ignore_ascii_case("allkeys-")))
}
