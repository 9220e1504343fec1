//! `hygiene/k8s-resource-limits`: every container has CPU and memory limits.
//!
//! ## What it does
//! Reports each regular container (`containers`, not init or ephemeral containers) of every
//! pod spec that has no `resources.limits` for one of `required_limits` (default `cpu` and
//! `memory`). A limit also counts as set when the pod spec sets it for the whole pod
//! (`spec.resources.limits`, pod-level resources) or when a `LimitRange` of the same file
//! and namespace gives containers a `default` for it. The finding points at the container's
//! `name`.
//!
//! ## Why is this bad?
//! A container without a memory limit can take all of its node's memory: one leak gets its
//! neighbours OOM-killed or evicted. Without a CPU limit a busy container starves the
//! others on the node. Some teams deliberately run without CPU limits (requests alone
//! guarantee a share); they set `required_limits = ["memory"]`.
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
//!     resources:
//!       requests: {cpu: 250m, memory: 256Mi}
//!       limits: {cpu: 500m, memory: 512Mi}
//! ```

use rampart_plugin_sdk::kubernetes;
use rampart_plugin_sdk::text::join_and;
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Param, ParamDefault, Rule, Severity};

pub const RULE: Rule = Rule {
    id: "hygiene/k8s-resource-limits",
    title: "Kubernetes containers set resource limits",
    severity: Severity::Medium,
    formats: &[Format::Kubernetes],
    rationale: "A container without a memory limit can use all of its node's memory, so one \
        leak gets other workloads OOM-killed or evicted; without a CPU limit a busy container \
        starves its neighbours. Limits also let the scheduler and autoscalers plan capacity.",
    remediation: "Set limits (and requests) on every container: `resources: {requests: {cpu: \
        250m, memory: 256Mi}, limits: {cpu: 500m, memory: 512Mi}}`, sized from observed \
        usage; or give the namespace a LimitRange with `default` limits for containers.",
    references: &["CIS Docker Benchmark 5.10", "CIS Docker Benchmark 5.11", "NIST SP 800-53 SC-6"],
    params: &[Param {
        name: "required_limits",
        description: "The resources every container must have a limit for (`resources.limits` \
            keys: `cpu`, `memory`, `ephemeral-storage`...).",
        default: ParamDefault::Texts(&["cpu", "memory"]),
    }],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let required = cx.param_texts("required_limits");
    let defaults = limit_range_defaults(doc);
    for pod in kubernetes::pod_specs(doc) {
        let namespace = pod.object().and_then(namespace);
        let pod_limits = pod.spec.at(&["resources", "limits"]);
        for container in pod.containers().filter(|c| c.field == "containers") {
            let limits = container.node.at(&["resources", "limits"]);
            let missing: Vec<&str> = required
                .iter()
                .map(|r| r.trim())
                .filter(|r| !r.is_empty())
                .filter(|r| !is_set(limits, r) && !is_set(pod_limits, r))
                .filter(|r| !defaults.iter().any(|(ns, d)| *ns == namespace && is_set(Some(*d), r)))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let at = container.node.get("name").unwrap_or(container.node);
            let what = match missing.as_slice() {
                [one] => format!("{one} limit"),
                _ => format!("{} limits", join_and(&missing)),
            };
            cx.report(
                at,
                format!("{} sets no {what} (resources.limits): {}", container.describe(), why(&missing)),
            );
        }
    }
}

/// What a missing limit lets the container do.
fn why(missing: &[&str]) -> &'static str {
    let memory = missing.iter().any(|r| r.eq_ignore_ascii_case("memory"));
    let cpu = missing.iter().any(|r| r.eq_ignore_ascii_case("cpu"));
    match (memory, cpu) {
        (true, true) => "it can take all of its node's memory and CPU from its neighbours",
        (true, false) => "it can take all of its node's memory and get its neighbours OOM-killed",
        (false, true) => "it can take all of its node's CPU and starve its neighbours",
        (false, false) => "nothing bounds what it takes from its node",
    }
}

fn is_set(limits: Option<Node<'_>>, resource: &str) -> bool {
    limits
        .and_then(|l| l.get(resource))
        .is_some_and(|v| !matches!(v.kind(), Kind::Null | Kind::Map | Kind::List))
}

/// `metadata.namespace` of an object (`None`: the namespace kubectl is pointed at).
fn namespace(object: Node<'_>) -> Option<&str> {
    object.at(&["metadata", "namespace"]).and_then(Node::str)
}

/// The `default` limits maps of the file's LimitRanges for containers, with their namespace.
fn limit_range_defaults(doc: &Document) -> Vec<(Option<&str>, Node<'_>)> {
    kubernetes::objects_of(doc, &["LimitRange"])
        .flat_map(|range| {
            let ns = namespace(range);
            range
                .at(&["spec", "limits"])
                .into_iter()
                .flat_map(Node::items)
                .filter(|l| l.get("type").and_then(Node::str) == Some("Container"))
                .filter_map(|l| l.get("default").filter(|d| d.kind() == Kind::Map))
                .map(move |d| (ns, d))
        })
        .collect()
}
