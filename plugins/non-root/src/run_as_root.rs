//! `non-root/run-as-root`: containers are not set to run as root.
//!
//! ## What it does
//! One policy for every place a container's user is decided at deploy time:
//!
//! - **Kubernetes** (`containers`, `initContainers` and `ephemeralContainers` of every pod
//!   spec): reports a container unless `runAsNonRoot: true` or a non-zero `runAsUser` is in
//!   effect, the container's `securityContext` winning over the pod's. `runAsUser: 0` is
//!   reported even next to `runAsNonRoot: true` (the kubelet then refuses to start the
//!   container), and an explicit `runAsNonRoot: false` (which also cancels a pod-level
//!   `true`) is reported at that value. Pods for Windows nodes (`os.name: windows`) are
//!   skipped: these fields do not apply there.
//! - **Docker Compose**: a service whose `user` is `root` or UID 0 (`0`, `0:0`,
//!   `root:staff`).
//! - **Terraform**: an `aws_ecs_task_definition` container definition whose `user` is root
//!   or UID 0.
//!
//! A Compose service or ECS container without `user` runs as its image's `USER`, which this
//! file cannot see (`non-root/dockerfile-user` judges the Dockerfile): it is not reported.
//! Nor is a value known only at deploy time (`user: ${UID}`, `user = var.user`).
//!
//! ## Why is this bad?
//! Root in a container is root on the host's kernel: a container escape, a kernel bug or a
//! writable host mount turns any code-execution flaw into a compromise of the node.
//! Without `runAsNonRoot: true` or a UID, Kubernetes runs whatever user the image declares,
//! and most base images declare root.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: web
//!     image: registry.example.com/web:1.4.2
//! ```
//!
//! ## Use instead
//! ```yaml
//! securityContext:
//!   runAsNonRoot: true
//!   runAsUser: 10001
//! containers:
//!   - name: web
//!     image: registry.example.com/web:1.4.2
//! ```

use rampart_plugin_sdk::kubernetes::Container;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, compose};

use crate::common::{self, container_anchor, own_setting};

pub const RULE: Rule = Rule {
    id: "non-root/run-as-root",
    title: "Containers do not run as root",
    severity: Severity::High,
    formats: &[Format::Kubernetes, Format::Compose, Format::Terraform],
    rationale: "A process running as root in a container is root on the host's kernel: a \
        container escape, a kernel bug or a writable host mount turns any code-execution flaw \
        into a compromise of the node and its other workloads. When a Kubernetes pod does not \
        require a non-root user, the image decides, and most base images run as root.",
    remediation: "Kubernetes: set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod's \
        `securityContext` (e.g. `securityContext: {runAsNonRoot: true, runAsUser: 10001}`), and \
        do not override them with `runAsUser: 0` or `runAsNonRoot: false` in a container. \
        Compose: `user: \"10001:10001\"`. ECS: `user = \"10001:10001\"` in the container \
        definition. The image must work as that user (files it writes owned by it).",
    references: &[
        "CIS Kubernetes Benchmark v1.10.0 5.2.7",
        "CIS Docker Benchmark 4.1",
        "NIST SP 800-53 AC-6",
        "NIST SP 800-53 CM-7",
    ],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    match doc.format() {
        Format::Kubernetes => {
            for container in common::linux_containers(doc) {
                kubernetes(container, cx);
            }
        }
        Format::Compose => {
            for service in compose::services(doc) {
                if let Some((user, text)) = root_user(service.node.get("user")) {
                    cx.report(user, format!("{} runs as root: its user is `{text}`", service.describe()));
                }
            }
        }
        Format::Terraform => {
            for container in common::ecs_containers(doc) {
                if let Some((user, text)) = root_user(container.node.get("user")) {
                    cx.report(user, format!("{} runs as root: its user is `{text}`", container.describe()));
                }
            }
        }
        _ => {}
    }
}

/// A `user` value that is root, with its text.
fn root_user(user: Option<Node<'_>>) -> Option<(Node<'_>, &str)> {
    let user = user?;
    let text = user.scalar()?;
    common::is_root_user(text).then_some((user, text))
}

/// How a Kubernetes container without a non-root requirement ends up running.
const IMAGE_DECIDES: &str =
    "so it runs as whatever user its image declares: root unless the image says otherwise";

fn kubernetes(container: Container<'_>, cx: &mut Context) {
    let who = container.describe();
    // Whether a setting in effect is written in the container's own securityContext.
    let own = |field: &str, node: Node<'_>| own_setting(container, field).is_some_and(|n| n.is(node));

    if let Some(user) = container.effective("runAsUser") {
        if user.is_unknown() {
            return;
        }
        match user.to_i64() {
            Some(0) => {
                let whose = if own("runAsUser", user) { "its" } else { "the pod's" };
                let requires = container.effective("runAsNonRoot").and_then(Node::to_bool) == Some(true);
                let kubelet = if requires {
                    " (runAsNonRoot: true does not change the UID: the kubelet refuses to start the container)"
                } else {
                    ""
                };
                cx.report(
                    user,
                    format!("{who} runs as root: {whose} securityContext sets runAsUser: 0{kubelet}"),
                );
                return;
            }
            Some(uid) if uid > 0 => return,
            // Malformed (negative, not a number): as if absent; the API server rejects it anyway.
            _ => {}
        }
    }

    if let Some(non_root) = container.effective("runAsNonRoot") {
        if non_root.is_unknown() {
            return;
        }
        match non_root.to_bool() {
            Some(true) => return,
            Some(false) => {
                let sets = if own("runAsNonRoot", non_root) {
                    "sets runAsNonRoot: false"
                } else {
                    "inherits runAsNonRoot: false from the pod's securityContext"
                };
                cx.report(non_root, format!("{who} {sets} and has no non-zero runAsUser, {IMAGE_DECIDES}"));
                return;
            }
            None => {}
        }
    }

    cx.report(
        container_anchor(container),
        format!(
            "{who} sets neither runAsNonRoot: true nor a non-zero runAsUser (nor does its pod), {IMAGE_DECIDES}"
        ),
    );
}
