//! `encryption/elasticache-at-rest`: ElastiCache data is encrypted at rest.
//!
//! ## What it does
//! Reports an `aws_elasticache_replication_group` whose `at_rest_encryption_enabled` is
//! `false`, or not set while the engine is Redis OSS (the provider's default is `false` for
//! `redis`, the default engine, and `true` for `valkey`). A secondary group of a global
//! datastore (`global_replication_group_id`) takes the primary's setting and is judged
//! there. It also reports an `aws_elasticache_cluster` running Redis on its own (no
//! `replication_group_id`): such a cluster cannot be encrypted at rest at all. Serverless
//! caches are always encrypted.
//!
//! ## Why is this bad?
//! Without at-rest encryption the cache's swap, backups and snapshots (taken daily when
//! `snapshot_retention_limit` is set) are stored in clear, and caches often hold sessions,
//! tokens and copies of database rows. It can only be chosen when the group is created.
//!
//! ## Example
//! ```hcl
//! resource "aws_elasticache_replication_group" "sessions" {
//!   replication_group_id = "sessions"
//!   description          = "sessions"
//!   engine               = "redis"
//!   node_type            = "cache.t4g.small"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_elasticache_replication_group" "sessions" {
//!   replication_group_id       = "sessions"
//!   description                = "sessions"
//!   engine                     = "redis"
//!   node_type                  = "cache.t4g.small"
//!   at_rest_encryption_enabled = true
//!   kms_key_id                 = aws_kms_key.cache.arn
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::{is_set, text_is};

pub const RULE: Rule = Rule {
    id: "encryption/elasticache-at-rest",
    title: "ElastiCache data is encrypted at rest",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "Caches hold sessions, tokens and copies of database rows. Without at-rest \
        encryption ElastiCache writes them in clear to disk during synchronisation and swap, \
        and to the backups and snapshots it keeps. The setting can only be chosen when the \
        replication group is created.",
    remediation: "Set `at_rest_encryption_enabled = true` on the `aws_elasticache_replication_group` \
        (optionally with `kms_key_id = aws_kms_key.x.arn`), and replace standalone Redis \
        `aws_elasticache_cluster` resources with a replication group. Existing groups must be \
        recreated from a backup.",
    references: &["NIST SP 800-53 SC-28", "NIST SP 800-53 SC-28(1)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for resource in
        terraform::resources(doc, &["aws_elasticache_replication_group", "aws_elasticache_cluster"])
    {
        if resource.kind() == "aws_elasticache_cluster" {
            standalone(resource, cx);
        } else {
            replication_group(resource, cx);
        }
    }
}

fn replication_group(group: Resource<'_>, cx: &mut Context) {
    match group.setting(&["at_rest_encryption_enabled"]).boolean() {
        Setting::Known(true, _) | Setting::Unknown => {}
        Setting::Known(false, value) => {
            cx.report(
                value,
                format!(
                    "{} sets at_rest_encryption_enabled to false: the cache's backups, snapshots and swap are stored \
                     unencrypted",
                    group.address()
                ),
            );
        }
        Setting::Absent => {
            if is_set(group.attr("global_replication_group_id")) {
                return;
            }
            // The default engine is redis; valkey defaults to encrypted; unknown may be either.
            let engine = group.attr("engine");
            let redis = match engine {
                None => true,
                Some(e) if e.kind() == rampart_plugin_sdk::Kind::Null => true,
                Some(_) => text_is(engine, &["redis"]) == Some(true),
            };
            if redis {
                cx.report(
                    group.labels(),
                    format!(
                        "{} does not set at_rest_encryption_enabled (the provider's default is false for Redis): \
                         the cache's backups, snapshots and swap are stored unencrypted",
                        group.address()
                    ),
                );
            }
        }
    }
}

fn standalone(cluster: Resource<'_>, cx: &mut Context) {
    if is_set(cluster.attr("replication_group_id")) {
        return;
    }
    let Some(engine) = cluster.attr("engine") else { return };
    if text_is(Some(engine), &["redis"]) == Some(true) {
        cx.report(
            engine,
            format!(
                "{} runs Redis as a standalone cache cluster, which cannot be encrypted at rest: what it writes to \
                 disk (swap, backups, snapshots) is unencrypted",
                cluster.address()
            ),
        );
    }
}
