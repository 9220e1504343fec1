//! `backup/s3-versioning`: S3 buckets keep object versions.
//!
//! ## What it does
//! Reports an `aws_s3_bucket` that no `aws_s3_bucket_versioning` resource versions and that has
//! no legacy inline `versioning { enabled = true }` block (at the bucket, or at `enabled =
//! false`), and an `aws_s3_bucket_versioning` whose `versioning_configuration.status` is
//! `Suspended` or `Disabled` (at the status).
//!
//! A versioning resource is matched to its bucket through `bucket`: a reference
//! (`aws_s3_bucket.uploads.id`, `.bucket`, with instance keys, through a module's outputs) or
//! the bucket's name. When some versioning resource's bucket cannot be worked out (an unknown
//! value that names no resource, e.g. `each.value.id`), missing versioning is not reported,
//! since that resource may version any bucket. A bucket created with S3 Object Lock
//! (`object_lock_enabled = true`) is versioned by S3 itself. Unknown values are not judged.
//!
//! Access-log buckets are not exempt: S3 accepts server access logs into a versioned bucket, and
//! logs are evidence worth protecting from deletion too.
//!
//! ## Why is this bad?
//! Without versioning, an object overwritten or deleted (by a bug, a compromised credential or
//! a careless `aws s3 rm --recursive`) is gone. With it, S3 keeps every previous version until
//! a lifecycle rule expires it.
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
//! resource "aws_s3_bucket_versioning" "uploads" {
//!   bucket = aws_s3_bucket.uploads.id
//!   versioning_configuration {
//!     status = "Enabled"
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

pub const RULE: Rule = Rule {
    id: "backup/s3-versioning",
    title: "S3 buckets keep object versions",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "In a bucket without versioning, an object that is overwritten or deleted (by an \
        application bug, a compromised credential or a mistaken `aws s3 rm --recursive`) is lost for \
        good. Versioning keeps every previous version, recoverable until a lifecycle rule expires it.",
    remediation: "Add an `aws_s3_bucket_versioning` resource for the bucket: `bucket = \
        aws_s3_bucket.NAME.id` with `versioning_configuration { status = \"Enabled\" }`, and expire \
        old versions with a `noncurrent_version_expiration` lifecycle rule to bound the cost.",
    references: &[
        "NIST SP 800-53 CP-9",
        "NIST SP 800-53 SI-7",
        "AWS Foundational Security Best Practices S3.14",
    ],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let buckets: Vec<Resource<'_>> = terraform::resources(doc, &["aws_s3_bucket"]).collect();
    let mut covered = vec![false; buckets.len()];
    let mut unresolved = false;

    for versioning in terraform::resources(doc, &["aws_s3_bucket_versioning"]) {
        if let Setting::Known(status, node) =
            versioning.setting(&["versioning_configuration", "status"]).text()
        {
            let why = match status {
                "Suspended" => {
                    Some("S3 keeps no new versions, so objects overwritten or deleted from now on")
                }
                "Disabled" => Some("the bucket keeps no versions, so objects overwritten or deleted"),
                _ => None,
            };
            if let Some(why) = why {
                cx.report(
                    node,
                    format!("versioning_configuration.status is {status}: {why} cannot be recovered"),
                );
            }
        }
        let Some(target) = versioning.attr("bucket") else { continue };
        if let Some(name) = target.str() {
            let mut found = false;
            for (i, bucket) in buckets.iter().enumerate() {
                if bucket.attr("bucket").and_then(Node::str) == Some(name) {
                    covered[i] = true;
                    found = true;
                }
            }
            // A bucket whose name is unknown may be the one.
            if !found && buckets.iter().any(|b| b.attr("bucket").is_some_and(Node::is_unknown)) {
                unresolved = true;
            }
        } else {
            // A data source may name any bucket, one of these included: unresolved.
            let named: Vec<Resource<'_>> = terraform::referenced(versioning, target, &["aws_s3_bucket"])
                .into_iter()
                .filter(|b| !b.is_data())
                .collect();
            if named.is_empty() {
                unresolved = true;
            }
            for bucket in named {
                if let Some(i) = buckets.iter().position(|b| b.node.is(bucket.node)) {
                    covered[i] = true;
                }
            }
        }
    }
    if unresolved {
        return;
    }

    for (bucket, covered) in buckets.into_iter().zip(covered) {
        if covered || object_lock(bucket) {
            continue;
        }
        match bucket.setting(&["versioning", "enabled"]).boolean() {
            Setting::Known(false, node) => {
                cx.report(
                    node,
                    "versioning.enabled = false and no aws_s3_bucket_versioning enables it: objects \
                     overwritten or deleted in this bucket cannot be recovered",
                );
            }
            Setting::Absent => {
                cx.report(
                    bucket.labels(),
                    "no aws_s3_bucket_versioning enables versioning on this bucket: objects overwritten or \
                     deleted in it cannot be recovered",
                );
            }
            Setting::Known(true, _) | Setting::Unknown => {}
        }
    }
}

/// S3 Object Lock turns versioning on and keeps it on.
fn object_lock(bucket: Resource<'_>) -> bool {
    matches!(bucket.setting(&["object_lock_enabled"]).boolean(), Setting::Known(true, _))
        || matches!(
            bucket.setting(&["object_lock_configuration", "object_lock_enabled"]).text(),
            Setting::Known("Enabled", _)
        )
}
