//! `tls/lb-listener-policy`: HTTPS and TLS listeners of AWS load balancers negotiate TLS
//! `min_tls` or newer only.
//!
//! ## What it does
//! Reads the `ssl_policy` of every `aws_lb_listener` / `aws_alb_listener` whose `protocol` is
//! `HTTPS` or `TLS`, looks the policy up in the table of AWS's predefined security policies,
//! and reports a policy that still accepts an older version than `min_tls`. A listener without
//! `ssl_policy` gets AWS's default, `ELBSecurityPolicy-2016-08`, which accepts TLS 1.0. A
//! policy name that is not in the table is reported for review (info) rather than guessed.
//!
//! ## Why is this bad?
//! TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on SHA-1 and CBC constructions with
//! known attacks, and PCI DSS, NIST SP 800-52 and most compliance regimes forbid them.
//!
//! ## Example
//! ```hcl
//! resource "aws_lb_listener" "https" {
//!   protocol   = "HTTPS"
//!   ssl_policy = "ELBSecurityPolicy-2016-08"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_lb_listener" "https" {
//!   protocol   = "HTTPS"
//!   ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, Value};

use crate::common::{ELB_DEFAULT_POLICY, MIN_TLS, allows_below, elb_policy_min, min_tls};

pub const RULE: Rule = Rule {
    id: "tls/lb-listener-policy",
    title: "Load balancer HTTPS/TLS listeners refuse TLS versions below the minimum",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996) and forbidden by PCI DSS and NIST SP \
        800-52: a listener that still negotiates them lets a downgraded or outdated client talk \
        over a protocol with known weaknesses. AWS gives listeners created without an \
        `ssl_policy` the 2016 policy, which accepts TLS 1.0.",
    remediation: "Set a TLS 1.2+ security policy on every HTTPS and TLS listener, e.g. \
        `ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\"` (TLS 1.3 and 1.2), or \
        `\"ELBSecurityPolicy-TLS13-1-3-2021-06\"` when every client speaks TLS 1.3.",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-13", "NIST SP 800-52 Rev. 2"],
    params: &[MIN_TLS],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let min = min_tls(cx);
    for listener in terraform::resources(doc, &["aws_lb_listener", "aws_alb_listener"]) {
        let Some(protocol) = listener.attr("protocol").and_then(Node::str) else {
            // No protocol is HTTP (ALB) or a required value (NLB); unknown is not judged.
            continue;
        };
        if !protocol.eq_ignore_ascii_case("HTTPS") && !protocol.eq_ignore_ascii_case("TLS") {
            continue;
        }
        judge(listener, protocol, min, cx);
    }
}

fn judge(listener: Resource<'_>, protocol: &str, min: crate::common::Tls, cx: &mut Context) {
    let protocol = protocol.to_ascii_uppercase();
    match listener.attr("ssl_policy").map(Node::value) {
        None | Some(Value::Null) => {
            if let Some(lowest) = elb_policy_min(ELB_DEFAULT_POLICY)
                && lowest < min
            {
                cx.report(
                    listener.labels(),
                    format!(
                        "{protocol} listener without ssl_policy gets AWS's default \
                         {ELB_DEFAULT_POLICY}, which {}",
                        allows_below(lowest, min)
                    ),
                );
            }
        }
        Some(Value::String(policy)) => {
            let Some(node) = listener.attr("ssl_policy") else { return };
            match elb_policy_min(policy) {
                Some(lowest) if lowest < min => {
                    cx.report(node, format!("ssl_policy {policy} {}", allows_below(lowest, min)));
                }
                Some(_) => {}
                None => {
                    cx.report(
                        node,
                        format!(
                            "ssl_policy {policy} is not a predefined AWS security policy this rule \
                             knows: check that it refuses versions below {}",
                            min.name()
                        ),
                    )
                    .severity(Severity::Info);
                }
            }
        }
        // An unknown value (a variable without a value, a reference) is never a violation.
        Some(_) => {}
    }
}
