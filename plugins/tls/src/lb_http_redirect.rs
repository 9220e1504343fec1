//! `tls/lb-http-redirect`: plain-HTTP load balancer listeners only redirect to HTTPS.
//!
//! ## What it does
//! Finds the HTTP listeners of AWS load balancers (`aws_lb_listener` / `aws_alb_listener`
//! with `protocol = "HTTP"`, or without a protocol on an Application Load Balancer, whose
//! default is HTTP; port 80 when the load balancer cannot be looked up) and reports those
//! whose `default_action` serves the application instead of redirecting to HTTPS: a
//! `forward` (or `authenticate-*` then `forward`) action, or a `redirect` whose `protocol`
//! is not `HTTPS` (the default `#{protocol}` keeps HTTP). Listener rules
//! (`aws_lb_listener_rule`) attached to an HTTP listener that forward are reported too.
//! A `fixed-response` serves no application data and is not reported.
//!
//! ## Why is this bad?
//! Everything sent to an HTTP listener (session cookies, credentials, API tokens, personal
//! data) crosses the network in clear text and can be read or altered on the way.
//!
//! ## Example
//! ```hcl
//! resource "aws_lb_listener" "http" {
//!   port     = 80
//!   protocol = "HTTP"
//!   default_action {
//!     type             = "forward"
//!     target_group_arn = aws_lb_target_group.app.arn
//!   }
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_lb_listener" "http" {
//!   port     = 80
//!   protocol = "HTTP"
//!   default_action {
//!     type = "redirect"
//!     redirect {
//!       port        = "443"
//!       protocol    = "HTTPS"
//!       status_code = "HTTP_301"
//!     }
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, Value};

pub const RULE: Rule = Rule {
    id: "tls/lb-http-redirect",
    title: "HTTP load balancer listeners redirect to HTTPS",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "A load balancer listener that forwards plain HTTP to the application carries \
        cookies, credentials and personal data in clear text, readable and modifiable by anyone \
        on the path. Port 80 should only answer with a redirect to HTTPS.",
    remediation: "Make the HTTP listener's default action a redirect: `default_action { type = \
        \"redirect\" redirect { port = \"443\" protocol = \"HTTPS\" status_code = \"HTTP_301\" } }`, \
        and serve the application from an HTTPS listener.",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-8(1)"],
    params: &[],
    check,
};

const LISTENERS: &[&str] = &["aws_lb_listener", "aws_alb_listener"];

fn check(doc: &Document, cx: &mut Context) {
    for listener in terraform::resources(doc, LISTENERS) {
        if let Some(port) = http_port(doc, listener) {
            for action in listener.blocks("default_action") {
                judge_action(action, &port, "default_action", cx);
            }
        }
    }
    for rule in terraform::resources(doc, &["aws_lb_listener_rule", "aws_alb_listener_rule"]) {
        let Some(arn) = rule.attr("listener_arn") else { continue };
        let http = terraform::references(arn)
            .flat_map(|r| terraform::resolve(doc, Some(rule), r))
            .filter(|l| LISTENERS.contains(&l.kind()))
            .find_map(|l| http_port(doc, l));
        if let Some(port) = http {
            for action in rule.blocks("action") {
                judge_action(action, &port, "listener rule action", cx);
            }
        }
    }
}

/// `Some("port 80")` when the listener speaks plain HTTP (the text names the port for
/// messages); `None` for HTTPS, TCP, ... and whatever cannot be known.
fn http_port(doc: &Document, listener: Resource<'_>) -> Option<String> {
    let port = listener.attr("port").and_then(Node::to_i64);
    let described = port.map_or_else(|| "HTTP listener".to_owned(), |p| format!("HTTP listener on port {p}"));
    match listener.attr("protocol").map(Node::value) {
        Some(Value::String(p)) => p.eq_ignore_ascii_case("HTTP").then_some(described),
        None | Some(Value::Null) => {
            // The provider's default is HTTP for an Application Load Balancer; a Network or
            // Gateway Load Balancer listener has no HTTP.
            match balancer_type(doc, listener) {
                Some(kind) if kind.eq_ignore_ascii_case("application") => Some(described),
                Some(_) => None,
                None => (port == Some(80)).then_some(described),
            }
        }
        Some(_) => None,
    }
}

/// The `load_balancer_type` of the load balancer the listener belongs to (`application`
/// when the resource does not set it), when `load_balancer_arn` names a resource.
fn balancer_type<'a>(doc: &'a Document, listener: Resource<'a>) -> Option<&'a str> {
    let arn = listener.attr("load_balancer_arn")?;
    let balancer = terraform::references(arn)
        .flat_map(|r| terraform::resolve(doc, Some(listener), r))
        .find(|b| b.kind() == "aws_lb" || b.kind() == "aws_alb")?;
    match balancer.attr("load_balancer_type").map(Node::value) {
        None | Some(Value::Null) => Some("application"),
        Some(Value::String(kind)) => Some(kind),
        Some(_) => None,
    }
}

fn judge_action(action: Node<'_>, listener: &str, what: &str, cx: &mut Context) {
    let Some(kind_node) = action.get("type") else { return };
    let Some(kind) = kind_node.str() else { return };
    match kind.to_ascii_lowercase().as_str() {
        "forward" => {
            cx.report(
                kind_node,
                format!(
                    "{listener} forwards requests to the application ({what} `forward`) instead of \
                     redirecting to HTTPS, so they travel in clear text"
                ),
            );
        }
        "redirect" => {
            let redirect = terraform::blocks(Some(action), "redirect").next();
            let protocol = redirect.and_then(|r| r.get("protocol"));
            match protocol.map(Node::value) {
                Some(Value::String(p)) if p.eq_ignore_ascii_case("HTTPS") => {}
                Some(Value::String(p)) => {
                    if let Some(node) = protocol {
                        cx.report(
                            node,
                            format!(
                                "{listener} redirects with protocol `{p}`, which keeps plain HTTP; \
                                 redirect to HTTPS"
                            ),
                        );
                    }
                }
                None | Some(Value::Null) => {
                    cx.report(
                        redirect.unwrap_or(kind_node),
                        format!(
                            "{listener} redirects without a protocol, so the default `#{{protocol}}` \
                             keeps plain HTTP; set `protocol = \"HTTPS\"`"
                        ),
                    );
                }
                Some(_) => {}
            }
        }
        // fixed-response serves no application data; authenticate-* actions come before the
        // action that serves the request, which is judged on its own.
        _ => {}
    }
}
