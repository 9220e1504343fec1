//! `hygiene/k8s-probes`: long-running containers have liveness and readiness probes.
//!
//! ## What it does
//! Reports each regular container (`containers`, not init or ephemeral containers) of a
//! long-running pod spec that lacks one of `required_probes` (default `livenessProbe` and
//! `readinessProbe`). A probe counts when it has a handler (`httpGet`, `tcpSocket`, `exec`
//! or `grpc`). Pods that run to completion are skipped: Jobs, CronJobs, and any pod spec
//! with `restartPolicy: Never` or `OnFailure`. Bare Pods are checked like the pods of a
//! Deployment (they too receive Service traffic). The finding points at the container's
//! `name`.
//!
//! ## Why is this bad?
//! Without a readiness probe a Service sends requests to a pod as soon as its process
//! starts, and keeps sending them while it is overloaded or cut off from its database;
//! rolling updates cannot tell a broken release from a working one. Without a liveness
//! probe a deadlocked process is never restarted.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: web
//!     image: web:2.4.1
//! ```
//!
//! ## Use instead
//! ```yaml
//! containers:
//!   - name: web
//!     image: web:2.4.1
//!     readinessProbe:
//!       httpGet: {path: /ready, port: 8080}
//!     livenessProbe:
//!       httpGet: {path: /health, port: 8080}
//!       initialDelaySeconds: 10
//! ```

use rampart_plugin_sdk::{
    Context, Document, Format, Kind, Node, Param, ParamDefault, Rule, Severity, kubernetes,
};

pub const RULE: Rule = Rule {
    id: "hygiene/k8s-probes",
    title: "Kubernetes containers have liveness and readiness probes",
    severity: Severity::Low,
    formats: &[Format::Kubernetes],
    rationale: "Without a readiness probe a Service routes requests to a pod as soon as its \
        process starts and while it cannot serve, and a rolling update cannot tell a broken \
        release from a working one; without a liveness probe a deadlocked process is never \
        restarted.",
    remediation: "Give every long-running container a readinessProbe (is it able to serve \
        now?) and a livenessProbe (is it stuck for good?), e.g. `readinessProbe: {httpGet: \
        {path: /ready, port: 8080}}` and `livenessProbe: {httpGet: {path: /health, port: \
        8080}, initialDelaySeconds: 10}`; a slow starter also gets a startupProbe.",
    references: &["NIST SP 800-53 SI-4", "NIST SP 800-53 SC-5"],
    params: &[Param {
        name: "required_probes",
        description: "The probes every container of a long-running pod must have \
            (`livenessProbe`, `readinessProbe`, `startupProbe`).",
        default: ParamDefault::Texts(&["livenessProbe", "readinessProbe"]),
    }],
    check,
};

/// Kinds whose pods run to completion.
const RUN_TO_COMPLETION: [&str; 2] = ["Job", "CronJob"];

/// The probe handlers; a probe without one is rejected by the API server.
const HANDLERS: [&str; 4] = ["httpGet", "tcpSocket", "exec", "grpc"];

fn check(doc: &Document, cx: &mut Context) {
    let required = cx.param_texts("required_probes");
    for pod in kubernetes::pod_specs(doc) {
        let kind = pod.entry.get("kind").and_then(Node::str).unwrap_or("");
        let restart = pod.spec.get("restartPolicy").and_then(Node::str).unwrap_or("Always");
        if RUN_TO_COMPLETION.contains(&kind) || restart == "Never" || restart == "OnFailure" {
            continue;
        }
        for container in pod.containers().filter(|c| c.field == "containers") {
            let missing: Vec<&str> = required
                .iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty() && !has_probe(container.node, p))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let at = container.node.get("name").unwrap_or(container.node);
            let why: Vec<&str> = missing.iter().map(|p| consequence(p)).collect();
            let written =
                missing.iter().any(|p| container.node.get(p).is_some_and(|v| v.kind() != Kind::Null));
            let note =
                if written { " (a probe needs an httpGet, tcpSocket, exec or grpc handler)" } else { "" };
            cx.report(
                at,
                format!(
                    "{} has no {}{note}: {}",
                    container.describe(),
                    missing.join(" or "),
                    why.join(", and ")
                ),
            );
        }
    }
}

fn has_probe(container: Node<'_>, probe: &str) -> bool {
    container
        .get(probe)
        .filter(|p| p.kind() == Kind::Map)
        .is_some_and(|p| HANDLERS.iter().any(|h| p.get(h).is_some_and(|v| v.kind() != Kind::Null)))
}

fn consequence(probe: &str) -> &'static str {
    match probe {
        "readinessProbe" => "traffic reaches it before it can serve",
        "livenessProbe" => "a hung process is never restarted",
        "startupProbe" => "a slow start is not told apart from a hang",
        _ => "Kubernetes cannot tell whether it works",
    }
}
