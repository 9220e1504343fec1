//! `tls/k8s-tls-protocols`: Kubernetes ingress controllers and load balancers refuse TLS
//! versions below `min_tls`.
//!
//! ## What it does
//! Reads the TLS settings written as annotations and controller configuration:
//! - ingress-nginx: the `ssl-protocols` key of a ConfigMap (the controller's
//!   configuration) and the `nginx.ingress.kubernetes.io/ssl-protocols` annotation, and
//!   `ssl_protocols` directives inside `server-snippet` / `configuration-snippet` /
//!   `http-snippet` texts: any listed protocol older than `min_tls` (`SSLv3`, `TLSv1`,
//!   `TLSv1.1`) is reported;
//! - AWS Load Balancer Controller: `alb.ingress.kubernetes.io/ssl-policy` on an Ingress and
//!   `service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy` on a Service,
//!   judged with the table of AWS ELB security policies (an unknown name is reported for
//!   review, info).
//!
//! Settings that are not written are not judged here (the controllers' defaults change
//! between versions).
//!
//! ## Why is this bad?
//! TLS 1.0 and 1.1 are deprecated (RFC 8996) and forbidden by PCI DSS and NIST SP 800-52.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/ssl-protocols: "TLSv1 TLSv1.1 TLSv1.2"
//! ```
//!
//! ## Use instead
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/ssl-protocols: "TLSv1.2 TLSv1.3"
//! ```

use rampart_plugin_sdk::kubernetes;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::common::{MIN_TLS, Tls, allows_below, elb_policy_min, enables_below, min_tls};

pub const RULE: Rule = Rule {
    id: "tls/k8s-tls-protocols",
    title: "Ingress controllers and load balancers refuse TLS versions below the minimum",
    severity: Severity::High,
    formats: &[Format::Kubernetes],
    rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996) and forbidden by PCI DSS and NIST SP \
        800-52: an ingress controller or load balancer configured to accept them lets outdated \
        clients and downgrade attacks use protocols with known weaknesses.",
    remediation: "List only current protocols (`ssl-protocols: \"TLSv1.2 TLSv1.3\"` for \
        ingress-nginx) and choose a TLS 1.2+ AWS policy \
        (`alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06`).",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-13", "NIST SP 800-52 Rev. 2"],
    params: &[MIN_TLS],
    check,
};

const SNIPPETS: &[&str] = &["server-snippet", "configuration-snippet", "http-snippet"];

fn check(doc: &Document, cx: &mut Context) {
    let min = min_tls(cx);
    for object in kubernetes::objects(doc) {
        let kind = object.get("kind").and_then(Node::str).unwrap_or("");
        let annotations = object.at(&["metadata", "annotations"]).into_iter().flat_map(Node::entries);
        for (key, value) in annotations {
            match key {
                "nginx.ingress.kubernetes.io/ssl-protocols" => judge_protocols(value, key, min, cx),
                "alb.ingress.kubernetes.io/ssl-policy"
                | "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy" => {
                    judge_elb_policy(value, key, min, cx);
                }
                _ => {
                    if let Some(snippet) = key.strip_prefix("nginx.ingress.kubernetes.io/")
                        && SNIPPETS.contains(&snippet)
                    {
                        judge_snippet(value, key, min, cx);
                    }
                }
            }
        }
        if kind == "ConfigMap" {
            for (key, value) in object.get("data").into_iter().flat_map(Node::entries) {
                if key == "ssl-protocols" {
                    judge_protocols(value, key, min, cx);
                } else if SNIPPETS.contains(&key) {
                    judge_snippet(value, key, min, cx);
                }
            }
        }
    }
}

fn judge_protocols(value: Node<'_>, key: &str, min: Tls, cx: &mut Context) {
    let Some(list) = value.str() else { return };
    if let Some(weak) = enables_below(list.split_whitespace(), min) {
        cx.report(value, format!("{key} \"{}\" {weak}", list.trim()));
    }
}

fn judge_snippet(value: Node<'_>, key: &str, min: Tls, cx: &mut Context) {
    let Some(text) = value.str() else { return };
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("ssl_protocols") else { continue };
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        let list = rest.split(';').next().unwrap_or("").trim();
        if let Some(weak) = enables_below(list.split_whitespace(), min) {
            cx.report(value, format!("{key} sets `ssl_protocols {list}`, which {weak}"));
        }
    }
}

fn judge_elb_policy(value: Node<'_>, key: &str, min: Tls, cx: &mut Context) {
    let Some(policy) = value.str() else { return };
    match elb_policy_min(policy) {
        Some(version) if version < min => {
            cx.report(value, format!("{key} {} {}", policy.trim(), allows_below(version, min)));
        }
        Some(_) => {}
        None => {
            cx.report(
                value,
                format!(
                    "{key} {} is not a predefined AWS security policy this rule knows: check that it \
                     refuses versions below {}",
                    policy.trim(),
                    min.name()
                ),
            )
            .severity(Severity::Info);
        }
    }
}
