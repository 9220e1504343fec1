//! `network/s3-public-access-block`: every S3 bucket has all four public access blocks on.
//!
//! ## What it does
//! Reports an `aws_s3_bucket_public_access_block` (or `aws_s3_account_public_access_block`)
//! with `block_public_acls`, `block_public_policy`, `ignore_public_acls` or
//! `restrict_public_buckets` set to `false`, at that value, or left out, at the resource's
//! labels: the provider's default for each is `false`, so a block that leaves one out turns
//! that protection off. Then reports each `aws_s3_bucket` that no public access block names
//! (`bucket = aws_s3_bucket.x.id`, `.bucket`, or the bucket's literal name) at its labels,
//! unless the module manages the account-wide block. When a block names its bucket through
//! a value this plugin cannot follow, buckets are not reported as missing one.
//!
//! ## Why is this bad?
//! Without the four blocks, one ACL (`public-read`) or one bucket policy with
//! `"Principal": "*"`, written by mistake or by an attacker with limited rights, publishes
//! the bucket's objects to the whole internet. Public buckets are among the most common
//! causes of cloud data leaks.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket_public_access_block" "exports" {
//!   bucket              = aws_s3_bucket.exports.id
//!   block_public_acls   = true
//!   block_public_policy = false
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_s3_bucket_public_access_block" "exports" {
//!   bucket                  = aws_s3_bucket.exports.id
//!   block_public_acls       = true
//!   block_public_policy     = true
//!   ignore_public_acls      = true
//!   restrict_public_buckets = true
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Rule, Severity};

use crate::util::{self, is_false};

pub const RULE: Rule = Rule {
    id: "network/s3-public-access-block",
    title: "S3 buckets block public access",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "S3 Block Public Access is the safety net under every ACL and bucket policy: with \
        all four settings on, no ACL or policy can make the bucket's objects public. Without \
        them, a single `public-read` ACL or a policy granting `\"Principal\": \"*\"`, written \
        by mistake or by someone with limited rights, publishes the data to the whole \
        internet. The Terraform resource's settings default to false, so a block that leaves \
        one out turns that protection off. AWS turns the block on for buckets created since \
        April 2023, but a bucket whose block is not in code can lose it to a console change \
        or an older account without any review, hence a medium finding for a bucket without one.",
    remediation: "Give every bucket an `aws_s3_bucket_public_access_block` with all four \
        settings on: `block_public_acls = true`, `block_public_policy = true`, \
        `ignore_public_acls = true`, `restrict_public_buckets = true` (or manage the \
        account-wide `aws_s3_account_public_access_block`). Serve public content through \
        CloudFront with origin access control instead of a public bucket.",
    references: &["CIS AWS Foundations Benchmark 2.1.4", "NIST SP 800-53 AC-3", "NIST SP 800-53 AC-21"],
    params: &[],
    check,
};

/// The settings, and what is open while each is off.
const SETTINGS: [(&str, &str); 4] = [
    ("block_public_acls", "new public ACLs are accepted"),
    ("block_public_policy", "a bucket policy may grant public access"),
    ("ignore_public_acls", "public ACLs take effect"),
    ("restrict_public_buckets", "a public bucket policy gives anyone access"),
];

fn check(doc: &Document, cx: &mut Context) {
    let blocks: Vec<Resource<'_>> =
        terraform::resources(doc, &["aws_s3_bucket_public_access_block"]).collect();
    let accounts: Vec<Resource<'_>> =
        terraform::resources(doc, &["aws_s3_account_public_access_block"]).collect();
    for &block in blocks.iter().chain(&accounts) {
        settings(cx, block);
    }
    if !accounts.is_empty() {
        return;
    }

    // The buckets some block may name; with a block whose bucket cannot be told, none is
    // reported as missing one.
    let buckets: Vec<Resource<'_>> = terraform::resources(doc, &["aws_s3_bucket"]).collect();
    let mut covered: Vec<Node<'_>> = Vec::new();
    for block in &blocks {
        let Some(value) = block.attr("bucket") else { continue };
        if let Some(name) = value.str() {
            let named = buckets.iter().filter(|b| b.attr("bucket").and_then(Node::str) == Some(name));
            covered.extend(named.map(|b| b.node));
            continue;
        }
        let references = util::references(doc, *block, value);
        if references.is_empty() {
            return;
        }
        for (_, resolved) in references {
            covered.extend(resolved.resources.iter().map(|b| b.node));
        }
    }
    for bucket in buckets {
        if covered.iter().any(|c| c.is(bucket.node)) {
            continue;
        }
        cx.report(
            bucket.labels(),
            format!(
                "{} has no aws_s3_bucket_public_access_block: nothing in this configuration keeps \
                 an ACL or a bucket policy from making it public",
                bucket.address()
            ),
        )
        .severity(Severity::Medium);
    }
}

fn settings(cx: &mut Context, block: Resource<'_>) {
    let mut missing: Vec<(&str, &str)> = Vec::new();
    for (name, open) in SETTINGS {
        match block.attr(name) {
            None => missing.push((name, open)),
            Some(value) if value.kind() == Kind::Null => missing.push((name, open)),
            Some(value) if is_false(Some(value)) => {
                cx.report(value, format!("{} sets {name} = false: {open}", block.address()));
            }
            Some(_) => {}
        }
    }
    if missing.is_empty() {
        return;
    }
    let names: Vec<&str> = missing.iter().map(|(n, _)| *n).collect();
    let open: Vec<&str> = missing.iter().map(|(_, o)| *o).collect();
    let default = if missing.len() == 1 { "defaults" } else { "default" };
    cx.report(
        block.labels(),
        format!(
            "{} does not set {}, which {default} to false: {}",
            block.address(),
            names.join(", "),
            open.join("; ")
        ),
    );
}
