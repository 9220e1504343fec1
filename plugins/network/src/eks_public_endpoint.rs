//! `network/eks-public-endpoint`: an EKS cluster's API server is not open to the whole
//! internet.
//!
//! ## What it does
//! Reports an `aws_eks_cluster` whose `vpc_config` leaves the public endpoint on
//! (`endpoint_public_access = true`, or left out: the default is `true`) while
//! `public_access_cidrs` is left out (the default is `["0.0.0.0/0"]`) or contains
//! `0.0.0.0/0`/`::/0`. The finding is at the world CIDR, or at `endpoint_public_access`
//! when the CIDRs are left out, or at the cluster's labels when both are.
//!
//! ## Why is this bad?
//! The Kubernetes API server controls every workload and secret of the cluster. Open to the
//! internet it is a target for credential stuffing, leaked kubeconfigs and API server
//! vulnerabilities from anywhere.
//!
//! ## Example
//! ```hcl
//! resource "aws_eks_cluster" "main" {
//!   vpc_config {
//!     subnet_ids = aws_subnet.private[*].id
//!   }
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_eks_cluster" "main" {
//!   vpc_config {
//!     subnet_ids              = aws_subnet.private[*].id
//!     endpoint_private_access = true
//!     endpoint_public_access  = false
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Rule, Severity};

use crate::util::world_cidrs;

pub const RULE: Rule = Rule {
    id: "network/eks-public-endpoint",
    title: "EKS API servers are not open to the whole internet",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "The Kubernetes API server controls every workload and secret of the cluster. \
        EKS makes it public and open to 0.0.0.0/0 unless told otherwise, so a leaked \
        kubeconfig or token, or an API server vulnerability, can be used from anywhere on \
        the internet.",
    remediation: "Turn the public endpoint off and reach the API through the private one \
        (`endpoint_private_access = true`, `endpoint_public_access = false`) from a VPN or \
        bastion, or restrict it to known networks: `public_access_cidrs = \
        [\"203.0.113.0/24\"]`.",
    references: &["CIS Amazon EKS Benchmark 5.4.2", "NIST SP 800-53 SC-7", "NIST SP 800-53 AC-17"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for cluster in terraform::resources(doc, &["aws_eks_cluster"]) {
        for vpc in cluster.blocks("vpc_config") {
            let public = match vpc.get("endpoint_public_access").filter(|v| v.kind() != Kind::Null) {
                None => None,
                Some(value) if value.to_bool() == Some(true) => Some(value),
                // false, or unknown.
                Some(_) => continue,
            };
            let address = cluster.address();
            if let Some(cidrs) = vpc.get("public_access_cidrs").filter(|v| v.kind() != Kind::Null) {
                for cidr in world_cidrs(Some(cidrs)) {
                    let source = cidr.str().unwrap_or("").trim();
                    cx.report(
                        cidr,
                        format!("{address} opens its public Kubernetes API endpoint to {source}, the whole internet"),
                    );
                }
            } else {
                let (node, how) = match public {
                    Some(value) => (value, "endpoint_public_access = true"),
                    None => (cluster.labels(), "endpoint_public_access defaults to true"),
                };
                report_open(cx, node, address, how);
            }
        }
    }
}

fn report_open(cx: &mut Context, node: Node<'_>, address: &str, how: &str) {
    cx.report(
        node,
        format!(
            "{address} has a public Kubernetes API endpoint ({how}) and no public_access_cidrs, \
             so it accepts connections from 0.0.0.0/0"
        ),
    );
}
