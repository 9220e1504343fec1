//! `encryption/search-domain`: OpenSearch and Elasticsearch domains are encrypted at rest.
//!
//! ## What it does
//! Reports an `aws_opensearch_domain` or `aws_elasticsearch_domain` without an
//! `encrypt_at_rest` block (the provider's default is then `false`) or whose
//! `encrypt_at_rest.enabled` is `false`.
//!
//! ## Why is this bad?
//! An unencrypted domain stores its indices, logs, swap and automated snapshots in clear;
//! search indices are often full copies of application data. Fine-grained access control
//! requires encryption at rest, and turning it on for an existing domain replaces the domain.
//!
//! ## Example
//! ```hcl
//! resource "aws_opensearch_domain" "search" {
//!   domain_name    = "search"
//!   engine_version = "OpenSearch_2.13"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_opensearch_domain" "search" {
//!   domain_name    = "search"
//!   engine_version = "OpenSearch_2.13"
//!   encrypt_at_rest {
//!     enabled    = true
//!     kms_key_id = aws_kms_key.search.arn
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

pub const RULE: Rule = Rule {
    id: "encryption/search-domain",
    title: "OpenSearch domains are encrypted at rest",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "Search indices are often full copies of application data. Without encryption at \
        rest an OpenSearch or Elasticsearch domain keeps its indices, logs, swap and automated \
        snapshots in clear, and enabling it afterwards replaces the domain.",
    remediation: "Add `encrypt_at_rest { enabled = true }` to the domain, optionally with \
        `kms_key_id = aws_kms_key.x.arn` (the AWS managed key `aws/es` is used otherwise).",
    references: &["NIST SP 800-53 SC-28", "NIST SP 800-53 SC-28(1)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for domain in terraform::resources(doc, &["aws_opensearch_domain", "aws_elasticsearch_domain"]) {
        let Some(block) = domain.attr("encrypt_at_rest") else {
            cx.report(
                domain.labels(),
                format!(
                    "{} has no encrypt_at_rest block (the provider's default is disabled): its indices, logs and \
                     snapshots are stored unencrypted",
                    domain.address()
                ),
            );
            continue;
        };
        // A dynamic block with an unknown for_each is an unknown item: not judged.
        for settings in block.items().filter(|b| b.kind() == rampart_plugin_sdk::Kind::Map) {
            if let Setting::Known(false, value) = Setting::of(settings.get("enabled")).boolean() {
                cx.report(
                    value,
                    format!(
                        "{} sets encrypt_at_rest.enabled to false: its indices, logs and snapshots are stored \
                         unencrypted",
                        domain.address()
                    ),
                );
            }
        }
    }
}
