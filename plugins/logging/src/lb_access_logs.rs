//! `logging/lb-access-logs`: load balancers log the requests they receive.
//!
//! ## What it does
//! Reports:
//! - an application load balancer (`aws_lb` or `aws_alb` whose `load_balancer_type` is
//!   `application`, the default) without an `access_logs` block, or whose `access_logs` block
//!   does not set `enabled = true` (the provider default is `false`, even with a bucket);
//! - a network load balancer likewise, but only when an `aws_lb_listener` of this module with
//!   `protocol = "TLS"` is attached to it: NLBs write access logs for TLS listeners only;
//! - a classic load balancer (`aws_elb`) without an `access_logs` block, or with
//!   `enabled = false` (its default is `true`).
//!
//! Gateway load balancers have no access logs and are not checked. Values not known before
//! apply (a `dynamic "access_logs"` block over an unknown collection, `enabled = var.x`) are
//! not judged.
//!
//! ## Why is this bad?
//! The load balancer is the front door: without access logs there is no record of who sent
//! which request, from which address, when; probing, credential stuffing and data exfiltration
//! through the API leave no trace to investigate.
//!
//! ## Example
//! ```hcl
//! resource "aws_lb" "main" {
//!   name    = "main"
//!   subnets = var.public_subnets
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_lb" "main" {
//!   name    = "main"
//!   subnets = var.public_subnets
//!
//!   access_logs {
//!     bucket  = aws_s3_bucket.logs.id
//!     prefix  = "alb"
//!     enabled = true
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::util;

pub const RULE: Rule = Rule {
    id: "logging/lb-access-logs",
    title: "Load balancers write access logs",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "Access logs are the only record of the requests a load balancer received: \
        client address, time, path, status and TLS details. Without them, attacks against the \
        application (scanning, credential stuffing, exfiltration) cannot be detected after the \
        fact or investigated.",
    remediation: "Add an `access_logs` block that turns logging on and names an S3 bucket the \
        load balancer may write to: `access_logs { bucket = aws_s3_bucket.logs.id prefix = \
        \"alb\" enabled = true }` (for `aws_lb`, `enabled` defaults to false even when a bucket \
        is given). The bucket needs a policy that lets the regional ELB account write to it.",
    references: &["AWS Security Hub control ELB.5", "NIST SP 800-53 AU-2", "NIST SP 800-53 AU-12"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for lb in terraform::resources(doc, &["aws_lb", "aws_alb"]) {
        let kind = match lb.attr("load_balancer_type") {
            None => "application".to_owned(),
            Some(v) => match v.str() {
                Some(t) => t.trim().to_ascii_lowercase(),
                None if v.kind() == rampart_plugin_sdk::Kind::Null => "application".to_owned(),
                None => continue,
            },
        };
        let name = util::display_name(lb, &["name"]);
        match kind.as_str() {
            "application" => check_v2(cx, lb, &format!("application load balancer {name}"), None),
            "network" => {
                if let Some(listener) = tls_listener(doc, lb) {
                    check_v2(cx, lb, &format!("network load balancer {name}"), Some(listener));
                }
            }
            _ => {}
        }
    }
    for elb in terraform::resources(doc, &["aws_elb"]) {
        let name = util::display_name(elb, &["name"]);
        let (blocks, unknown) = util::blocks_of(elb.attributes(), "access_logs");
        if unknown {
            continue;
        }
        match blocks.first() {
            None => {
                cx.report(
                    elb.labels(),
                    format!(
                        "classic load balancer {name} does not log requests: it has no access_logs block \
                         (without one, ELB writes no access logs)"
                    ),
                );
            }
            Some(block) => {
                if let Setting::Known(false, at) = terraform::setting(Some(*block), &["enabled"]).boolean() {
                    cx.report(at, format!("classic load balancer {name} has its access logs turned off"));
                }
            }
        }
    }
}

/// Checks the `access_logs` block of an `aws_lb`/`aws_alb`.
fn check_v2(cx: &mut Context, lb: Resource<'_>, what: &str, tls_listener: Option<Node<'_>>) {
    let (blocks, unknown) = util::blocks_of(lb.attributes(), "access_logs");
    if unknown {
        return;
    }
    let report = match blocks.first() {
        None => cx.report(
            lb.labels(),
            format!(
                "{what} does not log requests: it has no access_logs block (the provider default is no \
                 access logs)"
            ),
        ),
        Some(block) => match terraform::setting(Some(*block), &["enabled"]).boolean() {
            Setting::Absent => cx.report(
                *block,
                format!(
                    "{what} does not log requests: its access_logs block does not set enabled = true \
                     (the provider default is false, even with a bucket)"
                ),
            ),
            Setting::Known(false, at) => cx.report(at, format!("{what} has its access logs turned off")),
            Setting::Known(true, _) | Setting::Unknown => return,
        },
    };
    if let Some(listener) = tls_listener {
        report.related(listener, "this TLS listener's connections are not logged");
    }
}

/// The `protocol` value of a TLS listener attached to a network load balancer, if any.
fn tls_listener<'a>(doc: &'a Document, lb: Resource<'a>) -> Option<Node<'a>> {
    terraform::resources(doc, &["aws_lb_listener", "aws_alb_listener"]).find_map(|listener| {
        let protocol = listener.attr("protocol")?;
        if !protocol.str()?.trim().eq_ignore_ascii_case("TLS") {
            return None;
        }
        let arn = listener.attr("load_balancer_arn")?;
        let targets = terraform::referenced(listener, arn, &["aws_lb", "aws_alb"]);
        util::contains(&targets, lb).then_some(protocol)
    })
}
