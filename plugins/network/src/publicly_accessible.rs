//! `network/publicly-accessible`: databases, warehouses and brokers do not get a public
//! endpoint.
//!
//! ## What it does
//! Reports `publicly_accessible = true` (or `"true"`) on `aws_db_instance`,
//! `aws_rds_cluster_instance`, `aws_neptune_cluster_instance`, `aws_redshift_cluster`,
//! `aws_redshiftserverless_workgroup`, `aws_dms_replication_instance` and `aws_mq_broker`.
//! A missing `publicly_accessible` is judged by the AWS provider's default: `false` for all
//! of them (the provider sends `false` to the DMS API when it is not set), except
//! `aws_redshift_cluster`, whose default was `true` before AWS provider 6.0: a cluster that
//! leaves it out is reported when `required_providers` keeps the provider below 6.0.
//!
//! ## Why is this bad?
//! A publicly accessible instance gets a public DNS name and IP address: its only remaining
//! protection is a security group and a password, and one permissive rule exposes the data to
//! the whole internet.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "replica" {
//!   replicate_source_db = aws_db_instance.main.identifier
//!   publicly_accessible = true
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_db_instance" "replica" {
//!   replicate_source_db = aws_db_instance.main.identifier
//!   publicly_accessible = false
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Rule, Severity};

use crate::util::is_true;

pub const RULE: Rule = Rule {
    id: "network/publicly-accessible",
    title: "Databases, warehouses and brokers are not publicly accessible",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "A publicly accessible database, Redshift cluster, DMS replication instance or \
        message broker gets a public IP address and DNS name. Its data is then one permissive \
        security group rule or one leaked password away from the whole internet, and it is \
        exposed to credential stuffing and to every vulnerability of the engine.",
    remediation: "Set `publicly_accessible = false` and reach the instance from inside the VPC \
        (application subnets, a bastion or SSM Session Manager, a VPN or Client VPN). For \
        `aws_redshift_cluster` on AWS provider 5.x, write `publicly_accessible = false` \
        explicitly: the provider's default there is `true`.",
    references: &["CIS AWS Foundations Benchmark 2.3.3", "NIST SP 800-53 SC-7", "NIST SP 800-53 AC-3"],
    params: &[],
    check,
};

/// The resource types with a `publicly_accessible` argument, and what they are.
const TYPES: &[(&str, &str)] = &[
    ("aws_db_instance", "database instance"),
    ("aws_rds_cluster_instance", "Aurora instance"),
    ("aws_neptune_cluster_instance", "Neptune instance"),
    ("aws_redshift_cluster", "Redshift cluster"),
    ("aws_redshiftserverless_workgroup", "Redshift Serverless workgroup"),
    ("aws_dms_replication_instance", "DMS replication instance"),
    ("aws_mq_broker", "message broker"),
];

fn check(doc: &Document, cx: &mut Context) {
    let types: Vec<&str> = TYPES.iter().map(|(t, _)| *t).collect();
    let mut pin: Option<Option<(Node<'_>, &str)>> = None;
    for resource in terraform::resources(doc, &types) {
        let what = TYPES.iter().find(|(t, _)| *t == resource.kind()).map_or("instance", |(_, w)| w);
        match resource.attr("publicly_accessible") {
            Some(value) if is_true(Some(value)) => {
                cx.report(
                    value,
                    format!(
                        "{} sets publicly_accessible = true: the {what} gets a public IP address \
                         and DNS name reachable from the internet",
                        address(resource)
                    ),
                );
            }
            None if resource.kind() == "aws_redshift_cluster" => {
                let pinned = *pin.get_or_insert_with(|| provider_below_6(doc));
                if let Some((version, constraint)) = pinned {
                    cx.report(
                        resource.labels(),
                        format!(
                            "{} does not set publicly_accessible, which defaults to true in AWS \
                             provider 5.x and earlier (required_providers allows only `{constraint}`): \
                             the cluster gets a public endpoint",
                            address(resource)
                        ),
                    )
                    .related(version, "the AWS provider is kept below 6.0 here");
                }
            }
            _ => {}
        }
    }
}

fn address(resource: Resource<'_>) -> &str {
    match resource.address() {
        "" => resource.kind(),
        address => address,
    }
}

/// The `version` constraint of the `hashicorp/aws` provider when it allows only versions
/// below 6.0 (where `aws_redshift_cluster.publicly_accessible` defaults to `true`).
fn provider_below_6(doc: &Document) -> Option<(Node<'_>, &str)> {
    terraform::terraform_blocks(doc)
        .flat_map(|body| terraform::blocks(Some(body), "required_providers"))
        .filter_map(|providers| providers.get("aws"))
        .filter_map(|aws| match aws.kind() {
            // `aws = "~> 5.0"`, the legacy form.
            Kind::String => Some(aws),
            Kind::Map => {
                let source = aws.get("source").and_then(Node::str).unwrap_or("hashicorp/aws");
                let official = source.eq_ignore_ascii_case("hashicorp/aws")
                    || source.eq_ignore_ascii_case("registry.terraform.io/hashicorp/aws");
                official.then(|| aws.get("version")).flatten()
            }
            _ => None,
        })
        .find_map(|version| {
            let text = version.str()?;
            below_major(text, 6).then_some((version, text))
        })
}

/// Whether a Terraform version constraint (`~> 5.0`, `>= 5.46, < 6.0`, `5.31.0`) allows only
/// versions below `major`.0.0.
fn below_major(constraint: &str, major: u64) -> bool {
    constraint.split(',').any(|clause| {
        let clause = clause.trim();
        let (op, version) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| clause.strip_prefix(op).map(|v| (*op, v.trim())))
            .unwrap_or(("=", clause));
        let parts: Vec<Option<u64>> =
            version.split(['.', '-', '+']).take(3).map(|p| p.trim().parse().ok()).collect();
        let Some(Some(first)) = parts.first().copied() else { return false };
        let is_zero_after_major = parts.iter().skip(1).all(|p| *p == Some(0));
        match op {
            // `~> 5.0` and `~> 5.40.1` keep the major; `~> 5` alone lets it grow.
            "~>" => parts.len() >= 2 && first < major,
            "=" | "<=" => first < major,
            "<" => first < major || (first == major && is_zero_after_major),
            _ => false,
        }
    })
}
