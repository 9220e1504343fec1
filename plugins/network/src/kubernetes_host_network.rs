//! `network/kubernetes-host-network`: pods do not share their node's network.
//!
//! ## What it does
//! Reports `hostNetwork: true` in any pod spec (Pods, Deployments, StatefulSets, DaemonSets,
//! Jobs, CronJobs, ...), at that value.
//!
//! ## Why is this bad?
//! A pod on the host network binds its ports on the node's own interfaces, where anything
//! that reaches the node reaches them, bypasses NetworkPolicies, and can see and talk to
//! every service listening on the node's loopback (the kubelet, node agents).
//!
//! ## Example
//! ```yaml
//! spec:
//!   hostNetwork: true
//!   containers:
//!     - name: app
//!       image: app:1.4
//! ```
//!
//! ## Use instead
//! ```yaml
//! spec:
//!   containers:
//!     - name: app
//!       image: app:1.4
//!       ports:
//!         - containerPort: 8080 # exposed through a Service
//! ```

use rampart_plugin_sdk::kubernetes;
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

pub const RULE: Rule = Rule {
    id: "network/kubernetes-host-network",
    title: "Pods do not use the host network",
    severity: Severity::High,
    formats: &[Format::Kubernetes],
    rationale: "A pod with hostNetwork shares the node's network namespace: its ports open on \
        the node's interfaces, reachable by anything that reaches the node, NetworkPolicies no \
        longer apply to it, and it can reach every service bound to the node's loopback, such \
        as the kubelet and node agents.",
    remediation: "Remove `hostNetwork: true` and expose the pod through a Service (ClusterIP \
        behind an Ingress or load balancer). Only node-level networking agents (CNI plugins, \
        kube-proxy) need the host network; run them in a dedicated, locked-down namespace.",
    references: &["CIS Kubernetes Benchmark 5.2.5", "NIST SP 800-53 SC-7", "NIST SP 800-53 SC-39"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for pod in kubernetes::pod_specs(doc) {
        if let Some(value) = pod.spec.get("hostNetwork").filter(|v| v.to_bool() == Some(true)) {
            cx.report(
                value,
                format!(
                    "{} sets hostNetwork: true: its containers share the node's network, their \
                     ports open on the node's interfaces and NetworkPolicies do not apply",
                    pod.describe()
                ),
            );
        }
    }
}
