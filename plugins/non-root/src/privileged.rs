//! `non-root/privileged`: containers do not run privileged.
//!
//! ## What it does
//! Reports `privileged: true` wherever a container is declared: a Kubernetes container's
//! `securityContext` (containers, init and ephemeral containers of every pod spec), a Docker
//! Compose service, and an ECS container definition of an `aws_ecs_task_definition`
//! (Terraform). The string `"true"` counts as true; a value known only at deploy time
//! (`privileged: ${PRIVILEGED}`) is not reported.
//!
//! ## Why is this bad?
//! A privileged container has every capability, every host device and no seccomp, AppArmor
//! or SELinux confinement: it can load kernel modules, mount the host's disks and escape to
//! the node with a few commands. Whoever compromises the process owns the host.
//!
//! ## Example
//! ```yaml
//! services:
//!   agent:
//!     image: registry.example.com/agent:2.1
//!     privileged: true
//! ```
//!
//! ## Use instead
//! ```yaml
//! services:
//!   agent:
//!     image: registry.example.com/agent:2.1
//!     cap_add: [NET_BIND_SERVICE]   # only the capability the process needs
//!     devices: ["/dev/fuse"]        # only the device it needs
//! ```

use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, compose};

use crate::common::{self, own_setting};

pub const RULE: Rule = Rule {
    id: "non-root/privileged",
    title: "Containers do not run privileged",
    severity: Severity::Critical,
    formats: &[Format::Kubernetes, Format::Compose, Format::Terraform],
    rationale: "A privileged container gets every Linux capability and every host device, and \
        runs without seccomp, AppArmor or SELinux confinement: it can mount the host's disks, \
        load kernel modules and take over the node. Any code-execution flaw in it is a host \
        compromise.",
    remediation: "Remove `privileged: true` (Kubernetes `securityContext.privileged`, Compose \
        `privileged`, ECS `privileged`) and grant only what the process needs: a single \
        capability (`capabilities: {add: [NET_ADMIN]}`, Compose `cap_add`), a single device \
        (Compose `devices`), or a node-level agent (a DaemonSet with a narrow role) for host \
        management.",
    references: &[
        "CIS Kubernetes Benchmark v1.10.0 5.2.2",
        "CIS Docker Benchmark v1.6.0 5.5",
        "NIST SP 800-53 AC-6",
        "NIST SP 800-53 CM-7",
    ],
    params: &[],
    check,
};

const WHY: &str = "it gets every capability and host device, with no seccomp or AppArmor confinement";

fn check(doc: &Document, cx: &mut Context) {
    match doc.format() {
        Format::Kubernetes => {
            for container in common::linux_containers(doc) {
                if let Some(privileged) = own_setting(container, "privileged").filter(|p| is_true(*p)) {
                    cx.report(privileged, format!("{} runs privileged: {WHY}", container.describe()));
                }
            }
        }
        Format::Compose => {
            for service in compose::services(doc) {
                if let Some(privileged) = service.node.get("privileged").filter(|p| is_true(*p)) {
                    cx.report(privileged, format!("{} runs privileged: {WHY}", service.describe()));
                }
            }
        }
        Format::Terraform => {
            for container in common::ecs_containers(doc) {
                if let Some(privileged) = container.node.get("privileged").filter(|p| is_true(*p)) {
                    cx.report(privileged, format!("{} runs privileged: {WHY}", container.describe()));
                }
            }
        }
        _ => {}
    }
}

fn is_true(node: Node<'_>) -> bool {
    node.to_bool() == Some(true)
}
