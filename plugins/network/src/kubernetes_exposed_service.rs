//! `network/kubernetes-exposed-service`: Services expose databases to no one outside the
//! cluster, and load balancers only to the networks that need them.
//!
//! ## What it does
//! Reads `Service` objects of type `LoadBalancer` or `NodePort`:
//!
//! - a `port` or numeric `targetPort` in `sensitive_ports` (databases, caches, SSH, RDP) is
//!   reported at that value: critical on a load balancer open to the internet, high on a
//!   NodePort or on a load balancer limited by `loadBalancerSourceRanges`;
//! - a load balancer open to the internet (no `loadBalancerSourceRanges`, nor the
//!   `service.beta.kubernetes.io/load-balancer-source-ranges` annotation, or one containing
//!   `0.0.0.0/0`/`::/0`) is reported at its `type` (or at the world range) when it serves a
//!   port outside `public_ports` (HTTP and HTTPS by default: a public web endpoint is the
//!   normal use of a load balancer).
//!
//! Internal load balancers (the AWS, Azure, GKE, OCI, OpenStack and IBM "internal"
//! annotations) are not reachable from the internet and are not reported.
//!
//! ## Why is this bad?
//! A LoadBalancer Service gets an address on the internet unless told otherwise, and a
//! NodePort opens on every node: a database behind either is reachable by every scanner,
//! and any other port opened to the world adds attack surface that a source range removes.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata: {name: postgres}
//! spec:
//!   type: LoadBalancer
//!   ports:
//!     - port: 5432
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata: {name: postgres}
//! spec:
//!   type: ClusterIP
//!   ports:
//!     - port: 5432
//! ```

use rampart_plugin_sdk::kubernetes;
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Param, ParamDefault, Rule, Severity};

use crate::util::{Ports, covered, described_port, is_world_cidr, port_param, world_cidr};

pub const RULE: Rule = Rule {
    id: "network/kubernetes-exposed-service",
    title: "Services do not expose databases or unrestricted load balancers",
    severity: Severity::High,
    formats: &[Format::Kubernetes],
    rationale: "A LoadBalancer Service gets an internet-facing address unless it is marked \
        internal, and a NodePort Service opens its port on every node. A database, cache or \
        administrative port behind either is reachable by every scanner and brute-force tool; \
        other ports opened to the whole internet add attack surface that \
        loadBalancerSourceRanges would remove.",
    remediation: "Keep databases and caches on `type: ClusterIP` and reach them from inside the \
        cluster (or through `kubectl port-forward`). For load balancers, mark internal ones \
        (`service.beta.kubernetes.io/aws-load-balancer-scheme: internal`, \
        `networking.gke.io/load-balancer-type: Internal`, ...) and limit public ones to the \
        networks that need them: `loadBalancerSourceRanges: [\"203.0.113.0/24\"]`.",
    references: &["NIST SP 800-53 SC-7", "NIST SP 800-53 CM-7"],
    params: &[
        Param {
            name: "public_ports",
            description: "Ports (or ranges, `8000-8080`) a load balancer may serve to the whole internet.",
            default: ParamDefault::Texts(&["80", "443"]),
        },
        Param {
            name: "sensitive_ports",
            description: "Ports (or ranges) that a LoadBalancer or NodePort Service must not expose: \
                remote administration, databases and caches.",
            default: ParamDefault::Texts(&[
                "22", "3389", "3306", "5432", "1433", "1521", "27017", "6379", "11211", "9200", "5439",
                "9042",
            ]),
        },
    ],
    check,
};

/// Annotations that make a load balancer internal, with the values that do (`None`: any
/// value but `false`).
const INTERNAL: &[(&str, Option<&str>)] = &[
    ("service.beta.kubernetes.io/aws-load-balancer-internal", None),
    ("service.beta.kubernetes.io/aws-load-balancer-scheme", Some("internal")),
    ("service.beta.kubernetes.io/azure-load-balancer-internal", None),
    ("networking.gke.io/load-balancer-type", Some("internal")),
    ("cloud.google.com/load-balancer-type", Some("internal")),
    ("service.beta.kubernetes.io/oci-load-balancer-internal", None),
    ("service.beta.kubernetes.io/openstack-internal-load-balancer", None),
    ("service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type", Some("private")),
];

const SOURCE_RANGES_ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";

/// Who can reach a load balancer.
enum Reach<'a> {
    /// No source ranges: the whole internet.
    World,
    /// A source range of the whole internet, here.
    WorldRange(Node<'a>),
    Restricted,
}

fn check(doc: &Document, cx: &mut Context) {
    let public = port_param(cx, "public_ports");
    let sensitive = port_param(cx, "sensitive_ports");
    for service in kubernetes::objects_of(doc, &["Service"]) {
        let Some(spec) = service.get("spec") else { continue };
        let Some(kind) = spec.get("type") else { continue };
        let load_balancer = match kind.str() {
            Some("LoadBalancer") => true,
            Some("NodePort") => false,
            _ => continue,
        };
        if load_balancer && internal(service) {
            continue;
        }
        let name = kubernetes::describe(service);
        let reach = if load_balancer { reach(service, spec) } else { Reach::Restricted };
        let open = !matches!(reach, Reach::Restricted);

        let mut exposed_other: Vec<u32> = Vec::new();
        for entry in spec.get("ports").into_iter().flat_map(Node::items) {
            let number = |key: &str| {
                let node = entry.get(key)?;
                let port = u32::try_from(node.to_i64()?).ok()?;
                Some((node, port))
            };
            let (port, target) = (number("port"), number("targetPort"));
            let hit =
                [port, target].into_iter().flatten().find(|(_, p)| sensitive.iter().any(|s| s.contains(*p)));
            if let Some((node, p)) = hit {
                let how = match (load_balancer, &reach) {
                    (false, _) => "on every node's IP address (type NodePort)",
                    (true, Reach::World) => {
                        "to the whole internet (a LoadBalancer without loadBalancerSourceRanges)"
                    }
                    (true, Reach::WorldRange(_)) => {
                        "to the whole internet (a LoadBalancer whose loadBalancerSourceRanges admit everyone)"
                    }
                    (true, Reach::Restricted) => "on a LoadBalancer (limited by loadBalancerSourceRanges)",
                };
                let report = cx.report(node, format!("{name} exposes port {} {how}", described_port(p)));
                if load_balancer && open {
                    report.severity(Severity::Critical);
                }
                continue;
            }
            if let Some((_, p)) = port
                && !covered(Ports::one(p), &public)
            {
                exposed_other.push(p);
            }
        }
        if !load_balancer || exposed_other.is_empty() {
            continue;
        }
        let ports: Vec<String> = exposed_other.iter().map(|&p| described_port(p)).collect();
        let (plural, list) = (if ports.len() == 1 { "port" } else { "ports" }, ports.join(", "));
        match reach {
            Reach::World => {
                cx.report(
                    kind,
                    format!(
                        "{name} is an internet-facing LoadBalancer without loadBalancerSourceRanges: \
                         {plural} {list} open to the whole internet"
                    ),
                );
            }
            Reach::WorldRange(range) => {
                let cidr = range
                    .str()
                    .and_then(|t| t.split(',').map(str::trim).find(|c| is_world_cidr(c)))
                    .unwrap_or("0.0.0.0/0");
                cx.report(
                    range,
                    format!(
                        "{name} admits {cidr} to its LoadBalancer: {plural} {list} open to the whole internet"
                    ),
                );
            }
            Reach::Restricted => {}
        }
    }
}

fn internal(service: Node<'_>) -> bool {
    let Some(annotations) = service.at(&["metadata", "annotations"]) else { return false };
    INTERNAL.iter().any(|(key, wanted)| {
        let Some(value) = annotations.get(key) else { return false };
        let text = match value.kind() {
            Kind::String | Kind::Bool | Kind::Number => value.text().trim(),
            _ => return false,
        };
        match wanted {
            Some(wanted) => text.eq_ignore_ascii_case(wanted),
            None => !text.eq_ignore_ascii_case("false") && !text.is_empty(),
        }
    })
}

fn reach<'a>(service: Node<'a>, spec: Node<'a>) -> Reach<'a> {
    if let Some(ranges) =
        spec.get("loadBalancerSourceRanges").filter(|r| r.kind() == Kind::List && !r.is_empty())
    {
        return match ranges.items().find(|r| world_cidr(*r).is_some()) {
            Some(range) => Reach::WorldRange(range),
            None => Reach::Restricted,
        };
    }
    let annotation = service.at(&["metadata", "annotations", SOURCE_RANGES_ANNOTATION]);
    match annotation.and_then(Node::str).filter(|t| !t.trim().is_empty()) {
        Some(text) if text.split(',').any(is_world_cidr) => {
            annotation.map_or(Reach::World, Reach::WorldRange)
        }
        Some(_) => Reach::Restricted,
        None => Reach::World,
    }
}
