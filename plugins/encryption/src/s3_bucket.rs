//! `encryption/s3-bucket`: S3 buckets declare their default encryption.
//!
//! ## What it does
//! Reports an `aws_s3_bucket` that no `aws_s3_bucket_server_side_encryption_configuration`
//! covers and that has no legacy inline `server_side_encryption_configuration` block. A
//! configuration covers a bucket through its `bucket` argument: a reference
//! (`aws_s3_bucket.logs.id`, `.bucket`, an instance of a `count`/`for_each` bucket) or the
//! bucket's name as a string. When a configuration names a bucket this rule cannot tell
//! (`bucket = var.name` without a value), or a bucket is handed to a module that is not
//! loaded (a registry module may configure its encryption), the buckets it may cover are not
//! reported.
//!
//! With `s3_require_kms = true` a bucket must also use SSE-KMS: a missing configuration, an
//! `sse_algorithm` of `AES256` (SSE-S3) or a rule without
//! `apply_server_side_encryption_by_default` is reported; `aws:kms` and `aws:kms:dsse` pass.
//!
//! ## Why is this bad?
//! Since January 2023 S3 encrypts every new object with SSE-S3 when the bucket says
//! nothing, so a bucket without a configuration is encrypted at rest; this is why the
//! finding is `low`. What is missing is the declaration: the configuration is where an
//! auditor (SOC 2, ISO 27001, PCI DSS) reads which encryption and which key protect the data,
//! and an undeclared setting can be changed outside Terraform without showing up as drift.
//! SSE-S3 keys are managed by S3 and usable by anyone with read access to the objects;
//! SSE-KMS adds a key policy, a separate permission and a CloudTrail record of every use,
//! which many policies require for sensitive data (`s3_require_kms`).
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "uploads" {
//!   bucket = "example-uploads"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_s3_bucket" "uploads" {
//!   bucket = "example-uploads"
//! }
//!
//! resource "aws_s3_bucket_server_side_encryption_configuration" "uploads" {
//!   bucket = aws_s3_bucket.uploads.id
//!   rule {
//!     apply_server_side_encryption_by_default {
//!       sse_algorithm     = "aws:kms"
//!       kms_master_key_id = aws_kms_key.uploads.arn
//!     }
//!     bucket_key_enabled = true
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Node, Param, ParamDefault, Rule, Severity};

use crate::common::text_is;

pub const RULE: Rule = Rule {
    id: "encryption/s3-bucket",
    title: "S3 buckets declare their default encryption",
    severity: Severity::Low,
    formats: &[Format::Terraform],
    rationale: "S3 has encrypted new objects with SSE-S3 by default since January 2023, so a bucket \
        without an encryption configuration is encrypted at rest; but nothing in the code states \
        it, auditors look for an explicit configuration, and a change made outside Terraform \
        goes unnoticed. SSE-KMS adds a key policy, a permission separate from object access and \
        an audit trail of every decryption, which policies often require for sensitive data.",
    remediation: "Add an `aws_s3_bucket_server_side_encryption_configuration` for the bucket: \
        `bucket = aws_s3_bucket.x.id` and `rule { apply_server_side_encryption_by_default { \
        sse_algorithm = \"aws:kms\", kms_master_key_id = aws_kms_key.x.arn } bucket_key_enabled = \
        true }` (or `sse_algorithm = \"AES256\"` where SSE-S3 is enough).",
    references: &[
        "CIS AWS Foundations Benchmark v1.4.0 2.1.1",
        "NIST SP 800-53 SC-28",
        "NIST SP 800-53 SC-28(1)",
        "NIST SP 800-53 SC-12",
    ],
    params: &[Param {
        name: "s3_require_kms",
        description: "Require SSE-KMS (`aws:kms` or `aws:kms:dsse`): buckets without an encryption \
            configuration and configurations using SSE-S3 (`AES256`) are findings.",
        default: ParamDefault::Bool(false),
    }],
    check,
};

const KMS: &[&str] = &["aws:kms", "aws:kms:dsse"];

/// Which buckets the module's encryption configurations cover.
struct Coverage<'a> {
    /// The bucket resources a configuration names.
    buckets: Vec<Node<'a>>,
    /// A configuration (or a module that is not loaded) names a bucket this rule cannot
    /// tell: every bucket may be covered.
    any: bool,
    /// A configuration names a bucket by a name no bucket of the module has: a bucket whose
    /// name is unknown may be that one.
    unmatched_name: bool,
}

fn check(doc: &Document, cx: &mut Context) {
    let require_kms = cx.param_bool("s3_require_kms");
    let buckets: Vec<Resource<'_>> = terraform::resources(doc, &["aws_s3_bucket"]).collect();
    let configs: Vec<Resource<'_>> =
        terraform::resources(doc, &["aws_s3_bucket_server_side_encryption_configuration"]).collect();
    let coverage = coverage(doc, &buckets, &configs);

    for bucket in &buckets {
        let inline: Vec<Node<'_>> = bucket.blocks("server_side_encryption_configuration").collect();
        if require_kms {
            for config in &inline {
                check_rules(bucket.address(), *config, cx);
            }
        }
        if !inline.is_empty() || coverage.buckets.iter().any(|b| b.is(bucket.node)) {
            continue;
        }
        let name_unknown = bucket.attr("bucket").is_some_and(Node::is_unknown);
        if coverage.any || (coverage.unmatched_name && name_unknown) {
            continue;
        }
        let message = if require_kms {
            format!(
                "{} has no server-side encryption configuration, so its objects get S3's default SSE-S3 \
                 (AES256); this policy requires SSE-KMS",
                bucket.address()
            )
        } else {
            format!(
                "{} has no server-side encryption configuration: S3 applies SSE-S3 by default, but nothing here \
                 declares how its objects are encrypted",
                bucket.address()
            )
        };
        cx.report(bucket.labels(), message);
    }

    if require_kms {
        for config in &configs {
            if let Some(body) = config.attributes() {
                check_rules(config.address(), body, cx);
            }
        }
    }
}

/// The buckets each configuration (and each module that is not loaded) may apply to.
fn coverage<'a>(doc: &'a Document, buckets: &[Resource<'a>], configs: &[Resource<'a>]) -> Coverage<'a> {
    let mut coverage = Coverage { buckets: Vec::new(), any: false, unmatched_name: false };
    for config in configs {
        let Some(target) = config.attr("bucket") else { continue };
        if let Some(name) = target.str() {
            let named: Vec<Node<'a>> = buckets
                .iter()
                .filter(|b| b.attr("bucket").and_then(Node::str) == Some(name))
                .map(|b| b.node)
                .collect();
            coverage.unmatched_name |= named.is_empty();
            coverage.buckets.extend(named);
            continue;
        }
        if !target.is_unknown() {
            continue;
        }
        let (mut referenced, mut names_bucket) = (false, false);
        for reference in terraform::references(target) {
            referenced = true;
            if reference.kind == "aws_s3_bucket" && !reference.address.starts_with("data.") {
                names_bucket = true;
                coverage
                    .buckets
                    .extend(terraform::resolve(doc, Some(*config), reference).iter().map(|b| b.node));
            }
        }
        // `var.bucket` without a value, a module output: it may be any bucket. A name made
        // from another resource (`"${random_pet.x.id}-logs"`) may be a bucket's unknown name.
        coverage.any |= !referenced;
        coverage.unmatched_name |= referenced && !names_bucket;
    }
    // A module that is not loaded (a registry module) given a bucket may configure it.
    let unloaded =
        doc.root().get("modules").into_iter().flat_map(Node::items).filter(|m| m.get("directory").is_none());
    for module in unloaded {
        for reference in module.get("arguments").into_iter().flat_map(terraform::references) {
            if reference.kind == "aws_s3_bucket" && !reference.address.starts_with("data.") {
                coverage.buckets.extend(terraform::resolve(doc, None, reference).iter().map(|b| b.node));
            }
        }
    }
    coverage
}

/// With `s3_require_kms`: the rules of one configuration body that do not use SSE-KMS.
fn check_rules(owner: &str, body: Node<'_>, cx: &mut Context) {
    for rule in terraform::blocks(Some(body), "rule") {
        let defaults: Vec<Node<'_>> =
            terraform::blocks(Some(rule), "apply_server_side_encryption_by_default").collect();
        if defaults.is_empty() {
            if rule.get("apply_server_side_encryption_by_default").is_none() {
                cx.report(
                    rule,
                    format!(
                        "{owner} has a rule without apply_server_side_encryption_by_default, so objects get SSE-S3 \
                         (AES256); this policy requires SSE-KMS"
                    ),
                );
            }
            continue;
        }
        for default in defaults {
            let Some(algorithm) = default.get("sse_algorithm") else { continue };
            if text_is(Some(algorithm), KMS) != Some(false) {
                continue;
            }
            let what = if text_is(Some(algorithm), &["AES256"]) == Some(true) {
                "uses keys S3 manages (SSE-S3)"
            } else {
                "is not SSE-KMS"
            };
            cx.report(
                algorithm,
                format!(
                    "{owner} sets sse_algorithm {}, which {what}; this policy requires SSE-KMS (aws:kms or \
                     aws:kms:dsse)",
                    algorithm.text()
                ),
            );
        }
    }
}
