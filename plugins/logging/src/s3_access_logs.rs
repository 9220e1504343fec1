//! `logging/s3-access-logs`: S3 buckets record who reads and writes their objects.
//!
//! ## What it does
//! Reports an `aws_s3_bucket` whose requests nobody logs. A bucket is logged when:
//! - an `aws_s3_bucket_logging` resource names it in `bucket` (a reference such as
//!   `aws_s3_bucket.data.id`, or the bucket's literal name), or the bucket has a legacy inline
//!   `logging` block;
//! - or an `aws_cloudtrail` records S3 data events for it (`event_selector` with a
//!   `data_resource` of type `AWS::S3::Object` naming the bucket or all buckets, or an
//!   `advanced_event_selector` selecting `resources.type` `AWS::S3::Object`).
//!
//! Buckets that **receive** logs are not reported: logging a log bucket into another bucket
//! never ends. A bucket is a log destination when it is the `target_bucket` of an
//! `aws_s3_bucket_logging` (or of an inline `logging` block), the `s3_bucket_name` of a
//! trail, or is named anywhere under an argument or block of a logging resource
//! (`access_logs.bucket` of a load balancer, `logging_config.bucket` of a CloudFront
//! distribution, `log_destination` of a flow log, ...: any argument path or resource type
//! containing `log`).
//!
//! When some logs go to a bucket named by a value that is not known (`target_bucket =
//! var.log_bucket`, `access_logs { bucket = var.log_bucket }`), buckets whose Terraform name
//! or bucket name contains `log` are given the benefit of the doubt.
//!
//! An `aws_s3_bucket_logging` with `for_each = aws_s3_bucket.x` and `bucket = each.value.id`
//! logs every instance of `aws_s3_bucket.x`. When one names its bucket through any other
//! value that is not known and is no reference (`var.bucket`), it could log any bucket, so
//! nothing is reported.
//!
//! ## Why is this bad?
//! Without server access logs (or CloudTrail data events), nobody can tell which principal
//! read, overwrote or deleted which object, from where: a leak of the bucket's data cannot be
//! scoped or investigated.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "uploads" {
//!   bucket = "acme-uploads"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_s3_bucket" "uploads" {
//!   bucket = "acme-uploads"
//! }
//!
//! resource "aws_s3_bucket_logging" "uploads" {
//!   bucket        = aws_s3_bucket.uploads.id
//!   target_bucket = aws_s3_bucket.logs.id
//!   target_prefix = "s3/acme-uploads/"
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::util;

pub const RULE: Rule = Rule {
    id: "logging/s3-access-logs",
    title: "S3 buckets log the requests made to them",
    severity: Severity::Low,
    formats: &[Format::Terraform],
    rationale: "Server access logs (or CloudTrail S3 data events) are the record of who read, \
        wrote or deleted each object and from where. Without them a data leak or a destructive \
        change cannot be attributed, scoped or investigated.",
    remediation: "Add an `aws_s3_bucket_logging` resource that sends the bucket's access logs to \
        a dedicated log bucket: `resource \"aws_s3_bucket_logging\" \"data\" { bucket = \
        aws_s3_bucket.data.id target_bucket = aws_s3_bucket.logs.id target_prefix = \"s3/data/\" \
        }`, or record S3 data events for it in a CloudTrail trail.",
    references: &["AWS Security Hub control S3.9", "NIST SP 800-53 AU-2", "NIST SP 800-53 AU-12"],
    params: &[],
    check,
};

/// What the module says about which buckets are logged or receive logs.
#[derive(Default)]
struct Facts<'a> {
    /// Buckets whose requests are logged (access logging or CloudTrail data events).
    logged: Vec<Resource<'a>>,
    /// Buckets that receive logs.
    destinations: Vec<Resource<'a>>,
    /// Literal bucket names of either kind.
    names: Vec<&'a str>,
    /// Something may log any bucket: a trail's S3 data events for all buckets, or a logging
    /// resource whose bucket is not known.
    everything: bool,
    /// Some logs go to a bucket named by a value that is not known (`var.log_bucket`).
    unknown_destination: bool,
}

fn check(doc: &Document, cx: &mut Context) {
    let mut facts = Facts::default();
    for resource in terraform::resources(doc, &[]) {
        match resource.kind() {
            "aws_s3_bucket_logging" => {
                if let Some(bucket) = resource.attr("bucket") {
                    let per_bucket = for_each_buckets(resource, bucket);
                    if per_bucket.is_empty() {
                        collect(&mut facts.logged, &mut facts.names, &mut facts.everything, resource, bucket);
                    } else {
                        facts.logged.extend(per_bucket);
                    }
                }
                if let Some(target) = resource.attr("target_bucket") {
                    collect(
                        &mut facts.destinations,
                        &mut facts.names,
                        &mut facts.unknown_destination,
                        resource,
                        target,
                    );
                }
            }
            "aws_s3_bucket" => {
                for block in resource.blocks("logging") {
                    if let Some(target) = block.get("target_bucket") {
                        collect(
                            &mut facts.destinations,
                            &mut facts.names,
                            &mut facts.unknown_destination,
                            resource,
                            target,
                        );
                    }
                }
            }
            "aws_cloudtrail" => {
                if let Some(target) = resource.attr("s3_bucket_name") {
                    collect(
                        &mut facts.destinations,
                        &mut facts.names,
                        &mut facts.unknown_destination,
                        resource,
                        target,
                    );
                }
                trail_data_events(&mut facts, resource);
            }
            kind if kind.starts_with("aws_s3_") => {}
            _ => log_destinations(&mut facts, resource),
        }
    }

    let buckets: Vec<Resource<'_>> = terraform::resources(doc, &["aws_s3_bucket"]).collect();
    let known_names: Vec<&str> = buckets.iter().filter_map(|b| bucket_name(*b)).collect();
    // A literal name that matches no bucket of the module could be one whose name is unknown.
    let stray_names = facts.names.iter().any(|n| !known_names.contains(n));
    if facts.everything {
        return;
    }
    for bucket in buckets {
        let (inline, unknown) = util::blocks_of(bucket.attributes(), "logging");
        if unknown || !inline.is_empty() {
            continue;
        }
        if util::contains(&facts.logged, bucket) || util::contains(&facts.destinations, bucket) {
            continue;
        }
        match bucket_name(bucket) {
            Some(name) if facts.names.contains(&name) => continue,
            None if stray_names => continue,
            _ => {}
        }
        if facts.unknown_destination && looks_like_log_bucket(bucket) {
            continue;
        }
        let name = bucket_name(bucket).map_or_else(|| bucket.address().to_owned(), str::to_owned);
        cx.report(
            bucket.labels(),
            format!(
                "S3 bucket {name} does not log requests: no aws_s3_bucket_logging resource names it and no \
                 trail records its data events (the default is no access logs)"
            ),
        );
    }
}

/// `aws_s3_bucket.logs`, or a bucket named `acme-access-logs`.
fn looks_like_log_bucket(bucket: Resource<'_>) -> bool {
    let mentions_log = |s: &str| s.to_ascii_lowercase().contains("log");
    mentions_log(bucket.name()) || bucket_name(bucket).is_some_and(mentions_log)
}

fn bucket_name(bucket: Resource<'_>) -> Option<&str> {
    bucket.attr("bucket").and_then(Node::str).filter(|s| !s.is_empty())
}

/// Adds the buckets a value names: references to `into`, literal names to `names`; an
/// unknown value that names no resource sets `opaque`.
fn collect<'a>(
    into: &mut Vec<Resource<'a>>,
    names: &mut Vec<&'a str>,
    opaque: &mut bool,
    from: Resource<'a>,
    value: Node<'a>,
) {
    into.extend(terraform::referenced(from, value, &["aws_s3_bucket"]));
    *opaque |= util::has_opaque_unknown(value);
    for node in value.descendants() {
        if let Some(name) = node.str().and_then(util::bucket_name_of) {
            names.push(name);
        }
    }
}

/// `for_each = aws_s3_bucket.tenant` with `bucket = each.value.id` (or `each.key`): the
/// buckets the `for_each` iterates over.
fn for_each_buckets<'a>(resource: Resource<'a>, bucket: Node<'a>) -> Vec<Resource<'a>> {
    if !(bucket.is_unknown() && bucket.text().starts_with("each.")) {
        return Vec::new();
    }
    let Some(for_each) = resource.node.get("for_each") else { return Vec::new() };
    terraform::referenced(resource, for_each, &["aws_s3_bucket"])
}

/// The buckets a trail records S3 data events for.
fn trail_data_events<'a>(facts: &mut Facts<'a>, trail: Resource<'a>) {
    for selector in trail.blocks("event_selector") {
        for data in terraform::blocks(Some(selector), "data_resource") {
            if data.get("type").and_then(Node::str) != Some("AWS::S3::Object") {
                continue;
            }
            let Some(values) = data.get("values") else { continue };
            for value in values.items() {
                if value.str().is_some_and(covers_all_buckets) {
                    facts.everything = true;
                } else {
                    collect(&mut facts.logged, &mut facts.names, &mut facts.everything, trail, value);
                }
            }
        }
    }
    for selector in trail.blocks("advanced_event_selector") {
        let fields: Vec<Node<'a>> = terraform::blocks(Some(selector), "field_selector").collect();
        let field = |name: &'static str| {
            fields.iter().copied().filter(move |f| f.get("field").and_then(Node::str) == Some(name))
        };
        let is_s3 = field("resources.type")
            .any(|f| f.get("equals").is_some_and(|e| e.items().any(|i| i.str() == Some("AWS::S3::Object"))));
        if !is_s3 {
            continue;
        }
        let mut restricted = false;
        for arn_field in field("resources.ARN") {
            for key in ["equals", "starts_with"] {
                if let Some(values) = arn_field.get(key) {
                    restricted = true;
                    for value in values.items() {
                        if value.str().is_some_and(covers_all_buckets) {
                            facts.everything = true;
                        } else {
                            collect(&mut facts.logged, &mut facts.names, &mut facts.everything, trail, value);
                        }
                    }
                }
            }
        }
        if !restricted {
            facts.everything = true;
        }
    }
}

/// `arn:aws:s3` or `arn:aws:s3:::` (any partition): every bucket.
fn covers_all_buckets(arn: &str) -> bool {
    let arn = arn.trim();
    let Some(rest) = arn.strip_prefix("arn:") else { return false };
    let Some((_partition, service)) = rest.split_once(':') else { return false };
    service == "s3" || service == "s3:::"
}

/// Buckets named under a logging argument of any other resource: `access_logs.bucket`,
/// `logging_config.bucket`, `log_destination`, ...
fn log_destinations<'a>(facts: &mut Facts<'a>, resource: Resource<'a>) {
    let Some(attributes) = resource.attributes() else { return };
    let loggy_type = resource.kind().contains("log");
    for node in attributes.descendants().skip(1) {
        let reference = terraform::reference(node).filter(|r| r.kind == "aws_s3_bucket");
        let literal = node.str().filter(|_| literal_position(node)).and_then(util::bucket_name_of);
        let opaque = node.is_unknown() && terraform::reference(node).is_none() && literal_position(node);
        if reference.is_none() && literal.is_none() && !opaque {
            continue;
        }
        if !(loggy_type || under_logging_key(node, attributes)) {
            continue;
        }
        facts.unknown_destination |= opaque;
        if let Some(reference) = reference {
            facts.destinations.extend(terraform::resolve(resource.document(), Some(resource), reference));
        }
        if let Some(name) = literal {
            facts.names.push(name);
        }
    }
}

/// Whether a key on the path from the resource's attributes down to `node` mentions logs.
fn under_logging_key(node: Node<'_>, attributes: Node<'_>) -> bool {
    let mut current = Some(node);
    while let Some(n) = current {
        if n.is(attributes) {
            return false;
        }
        if n.key().is_some_and(|k| k.to_ascii_lowercase().contains("log")) {
            return true;
        }
        current = n.parent();
    }
    false
}

/// Whether a literal string sits where a bucket is named (`bucket`, `target_bucket`,
/// `log_destination`, ...), directly or as an item of such a list.
fn literal_position(node: Node<'_>) -> bool {
    let key = node.key().or_else(|| node.parent().and_then(Node::key));
    key.is_some_and(|k| {
        matches!(
            k,
            "bucket"
                | "bucket_name"
                | "bucket_arn"
                | "target_bucket"
                | "s3_bucket"
                | "s3_bucket_name"
                | "s3_bucket_arn"
                | "log_destination"
                | "log_destination_configs"
                | "destination_resource_arn"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_bucket_arns_are_recognised() {
        assert!(covers_all_buckets("arn:aws:s3"));
        assert!(covers_all_buckets("arn:aws:s3:::"));
        assert!(covers_all_buckets("arn:aws-cn:s3:::"));
        assert!(!covers_all_buckets("arn:aws:s3:::bucket/"));
        assert!(!covers_all_buckets("arn:aws:lambda"));
    }
}
