//! `network/kubernetes-host-port`: containers do not bind ports on their node.
//!
//! ## What it does
//! Reports every `ports[].hostPort` (other than 0) of every container, init container and
//! ephemeral container of any pod spec, at that value; high when the host port or the
//! container port is one of `sensitive_ports` (databases, caches, remote administration),
//! medium otherwise.
//!
//! ## Why is this bad?
//! A host port opens on the node's own interfaces: anything that can reach the node, often
//! a whole VPC or the internet through a node's public IP, reaches the container directly,
//! around Services, Ingress controllers and NetworkPolicies. It also pins the pod to nodes
//! where the port is free.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: redis
//!     image: redis:7.2
//!     ports:
//!       - containerPort: 6379
//!         hostPort: 6379
//! ```
//!
//! ## Use instead
//! ```yaml
//! containers:
//!   - name: redis
//!     image: redis:7.2
//!     ports:
//!       - containerPort: 6379 # reached through a ClusterIP Service
//! ```

use rampart_plugin_sdk::kubernetes;
use rampart_plugin_sdk::{Context, Document, Format, Node, Param, ParamDefault, Rule, Severity};

use crate::util::{Ports, described_port, port_param};

pub const RULE: Rule = Rule {
    id: "network/kubernetes-host-port",
    title: "Containers do not bind ports on their node",
    severity: Severity::Medium,
    formats: &[Format::Kubernetes],
    rationale: "A hostPort opens the container's port on the node's own interfaces, where \
        anything that can reach the node reaches the container directly, around Services, \
        Ingress controllers and NetworkPolicies; a node with a public IP puts it on the \
        internet. It also ties the pod to nodes where that port is free.",
    remediation: "Remove `hostPort` and expose the container through a Service: ClusterIP for \
        traffic inside the cluster, an Ingress or a LoadBalancer Service (with \
        `loadBalancerSourceRanges`) for traffic from outside.",
    references: &["CIS Kubernetes Benchmark 5.2.13", "NIST SP 800-53 SC-7", "NIST SP 800-53 CM-7"],
    params: &[Param {
        name: "sensitive_ports",
        description: "Ports (or ranges, `8000-8080`) whose exposure is high severity: remote \
            administration, databases and caches.",
        default: ParamDefault::Texts(&[
            "22", "3389", "3306", "5432", "1433", "1521", "27017", "6379", "11211", "9200", "5439", "9042",
        ]),
    }],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let sensitive = port_param(cx, "sensitive_ports");
    for pod in kubernetes::pod_specs(doc) {
        for container in pod.containers() {
            for port in container.node.get("ports").into_iter().flat_map(Node::items) {
                let Some(host_node) = port.get("hostPort") else { continue };
                let Some(host) = host_node.to_i64().and_then(|p| u32::try_from(p).ok()).filter(|&p| p > 0)
                else {
                    continue;
                };
                let target =
                    port.get("containerPort").and_then(Node::to_i64).and_then(|p| u32::try_from(p).ok());
                let critical = [Some(host), target]
                    .into_iter()
                    .flatten()
                    .find(|&p| sensitive.iter().any(|s: &Ports| s.contains(p)));
                let on = match target {
                    Some(target) if target != host => {
                        format!("host port {host} on its node for container port {}", described_port(target))
                    }
                    _ => format!("host port {} on its node", described_port(host)),
                };
                let report = cx.report(
                    host_node,
                    format!(
                        "{} opens {on}: reachable by anything that reaches the node, around Services \
                         and NetworkPolicies",
                        container.describe()
                    ),
                );
                if critical.is_some() {
                    report.severity(Severity::High);
                }
            }
        }
    }
}
