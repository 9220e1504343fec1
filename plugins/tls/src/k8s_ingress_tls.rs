//! `tls/k8s-ingress-tls`: Kubernetes Ingresses terminate TLS for every host they route.
//!
//! ## What it does
//! For every `Ingress`:
//! - no `spec.tls` (or an empty one) is reported, unless an annotation says a cloud load
//!   balancer terminates TLS in front of it (AWS Load Balancer Controller
//!   `alb.ingress.kubernetes.io/certificate-arn`, GKE `networking.gke.io/managed-certificates`
//!   or `ingress.gcp.kubernetes.io/pre-shared-cert`, Azure Application Gateway
//!   `appgw.ingress.kubernetes.io/appgw-ssl-certificate`, Traefik
//!   `traefik.ingress.kubernetes.io/router.tls: "true"`);
//! - a `rules[].host` that no `spec.tls[].hosts` entry covers (wildcards included) is
//!   reported: that host has no certificate and is served over HTTP only;
//! - `nginx.ingress.kubernetes.io/ssl-redirect: "false"` on an Ingress with TLS is reported
//!   (medium): ingress-nginx then serves the TLS hosts over plain HTTP as well.
//!
//! ## Why is this bad?
//! Without TLS, everything the Ingress routes (logins, cookies, API tokens, personal data)
//! crosses the network in clear text.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata: {name: web}
//! spec:
//!   rules:
//!     - host: app.example.com
//! ```
//!
//! ## Use instead
//! ```yaml
//! spec:
//!   tls:
//!     - hosts: [app.example.com]
//!       secretName: app-example-com-tls
//!   rules:
//!     - host: app.example.com
//! ```

use rampart_plugin_sdk::kubernetes;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

pub const RULE: Rule = Rule {
    id: "tls/k8s-ingress-tls",
    title: "Kubernetes Ingresses serve their hosts over TLS",
    severity: Severity::High,
    formats: &[Format::Kubernetes],
    rationale: "An Ingress without a TLS section, or a host left out of it, is served over plain \
        HTTP: credentials, cookies and personal data cross the network in clear text and can be \
        read or modified on the way.",
    remediation: "Add `spec.tls` with every host of `spec.rules` and the Secret holding its \
        certificate (cert-manager can issue it: `cert-manager.io/cluster-issuer`), and keep \
        ingress-nginx's default `ssl-redirect` so HTTP requests are redirected to HTTPS.",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-8(1)"],
    params: &[],
    check,
};

/// Annotations saying TLS is terminated by a cloud load balancer in front of the Ingress.
const TERMINATED_ELSEWHERE: &[&str] = &[
    "alb.ingress.kubernetes.io/certificate-arn",
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
];

fn check(doc: &Document, cx: &mut Context) {
    for ingress in kubernetes::objects_of(doc, &["Ingress"]) {
        let annotations = ingress.at(&["metadata", "annotations"]);
        let annotation = |key: &str| annotations.and_then(|a| a.get(key));
        let elsewhere = TERMINATED_ELSEWHERE.iter().any(|k| annotation(k).is_some())
            || annotation("traefik.ingress.kubernetes.io/router.tls").and_then(Node::to_bool) == Some(true);
        let tls: Vec<Node<'_>> = ingress.at(&["spec", "tls"]).into_iter().flat_map(Node::items).collect();
        let name = kubernetes::describe(ingress);
        if tls.is_empty() {
            if !elsewhere {
                let at = ingress.at(&["metadata", "name"]).or_else(|| ingress.get("kind")).unwrap_or(ingress);
                cx.report(at, format!("{name} has no spec.tls: its hosts are served over plain HTTP only"));
            }
            continue;
        }
        judge_hosts(ingress, &tls, &name, cx);
        if let Some(redirect) = annotation("nginx.ingress.kubernetes.io/ssl-redirect")
            && redirect.to_bool() == Some(false)
            && annotation("nginx.ingress.kubernetes.io/force-ssl-redirect").and_then(Node::to_bool)
                != Some(true)
        {
            cx.report(
                redirect,
                format!("{name} sets ssl-redirect \"false\": ingress-nginx also serves its TLS hosts over plain HTTP"),
            )
            .severity(Severity::Medium);
        }
    }
}

/// Reports the rule hosts that no TLS entry covers. A TLS entry without `hosts` covers
/// every host (the controller's default certificate).
fn judge_hosts(ingress: Node<'_>, tls: &[Node<'_>], name: &str, cx: &mut Context) {
    let mut covered: Vec<&str> = Vec::new();
    for entry in tls {
        let hosts: Vec<&str> =
            entry.get("hosts").into_iter().flat_map(Node::items).filter_map(Node::str).collect();
        if hosts.is_empty() {
            return;
        }
        covered.extend(hosts);
    }
    for rule in ingress.at(&["spec", "rules"]).into_iter().flat_map(Node::items) {
        let Some(host_node) = rule.get("host") else { continue };
        let Some(host) = host_node.str() else { continue };
        if !covered.iter().any(|pattern| host_matches(pattern, host)) {
            cx.report(
                host_node,
                format!("host {host} of {name} is not in spec.tls: it is served over plain HTTP only"),
            );
        }
    }
}

/// `app.example.com` matches itself; `*.example.com` matches one more label.
fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((_, rest))) => rest.eq_ignore_ascii_case(suffix),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::host_matches;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(host_matches("app.example.com", "APP.example.com"));
        assert!(host_matches("*.example.com", "www.example.com"));
        assert!(!host_matches("*.example.com", "a.b.example.com"));
        assert!(!host_matches("*.example.com", "example.com"));
    }
}
