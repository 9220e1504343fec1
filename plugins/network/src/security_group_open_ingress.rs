//! `network/security-group-open-ingress`: security groups admit the whole internet only on
//! public ports.
//!
//! ## What it does
//! Reads every ingress rule of every AWS style: inline `ingress` blocks of
//! `aws_security_group` and `aws_default_security_group` (dynamic blocks included, once
//! expanded), `aws_security_group_rule` with `type = "ingress"`, and
//! `aws_vpc_security_group_ingress_rule` (`cidr_ipv4`/`cidr_ipv6`, `ip_protocol`). A rule
//! from `0.0.0.0/0` or `::/0` (any CIDR with prefix length 0) is reported at that CIDR when
//! its port range (`from_port`..`to_port`; protocol `-1`/`all` is every port) reaches a port
//! outside `public_ports`. It is critical when the range reaches one of `sensitive_ports`
//! (SSH, RDP, databases, caches), high otherwise. ICMP and other protocols without ports,
//! and rules with unknown ports or CIDRs, are not judged.
//!
//! ## Why is this bad?
//! Anything listening on such a port is reachable by every scanner on the internet: SSH and
//! RDP get brute-forced within minutes, and databases and caches (often without
//! authentication, like Redis or Memcached) leak or lose their data.
//!
//! ## Example
//! ```hcl
//! resource "aws_security_group" "bastion" {
//!   ingress {
//!     from_port   = 22
//!     to_port     = 22
//!     protocol    = "tcp"
//!     cidr_blocks = ["0.0.0.0/0"]
//!   }
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_security_group" "bastion" {
//!   ingress {
//!     from_port   = 22
//!     to_port     = 22
//!     protocol    = "tcp"
//!     cidr_blocks = ["203.0.113.0/24"] # the office VPN; better: SSM Session Manager
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Node, Param, ParamDefault, Rule, Severity};

use crate::util::{Ports, described_ports, overlap, port_param, world_cidrs};

pub const RULE: Rule = Rule {
    id: "network/security-group-open-ingress",
    title: "Security groups admit the internet only on public ports",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "An ingress rule from 0.0.0.0/0 or ::/0 makes every service on its ports \
        reachable by anyone on the internet. Administrative ports (SSH, RDP) are brute-forced \
        and exploited within minutes of exposure, and databases and caches, some without \
        authentication by default, leak or lose their data. Only the ports a public endpoint \
        serves (HTTP and HTTPS on a load balancer) belong open to the world.",
    remediation: "Restrict the source to the networks that need access (`cidr_blocks = \
        [\"203.0.113.0/24\"]`), or to another security group (`security_groups = \
        [aws_security_group.alb.id]`, `referenced_security_group_id` on \
        `aws_vpc_security_group_ingress_rule`). Reach instances through SSM Session Manager or \
        a VPN instead of opening SSH or RDP, and keep databases private.",
    references: &[
        "CIS AWS Foundations Benchmark 5.2",
        "CIS AWS Foundations Benchmark 5.3",
        "NIST SP 800-53 SC-7",
        "NIST SP 800-53 CM-7",
    ],
    params: &[
        Param {
            name: "public_ports",
            description: "Ports (or ranges, `8000-8080`) that may be open to the whole internet.",
            default: ParamDefault::Texts(&["80", "443"]),
        },
        Param {
            name: "sensitive_ports",
            description: "Ports (or ranges) whose exposure to the whole internet is critical: remote \
                administration, databases and caches.",
            default: ParamDefault::Texts(&[
                "22", "3389", "3306", "5432", "1433", "1521", "27017", "6379", "11211", "9200", "5439",
                "9042",
            ]),
        },
    ],
    check,
};

struct Policy<'c> {
    public: &'c [Ports],
    sensitive: &'c [Ports],
}

fn check(doc: &Document, cx: &mut Context) {
    let public = port_param(cx, "public_ports");
    let sensitive = port_param(cx, "sensitive_ports");
    let ports = Policy { public: &public, sensitive: &sensitive };

    for group in terraform::resources(doc, &["aws_security_group", "aws_default_security_group"]) {
        for block in group.blocks("ingress") {
            let cidrs =
                world_cidrs(block.get("cidr_blocks")).chain(world_cidrs(block.get("ipv6_cidr_blocks")));
            let range = port_range(block.get("protocol"), block.get("from_port"), block.get("to_port"));
            judge(cx, &ports, group, range, cidrs);
        }
    }
    for rule in terraform::resources(doc, &["aws_security_group_rule"]) {
        if rule.attr("type").and_then(Node::str) != Some("ingress") {
            continue;
        }
        let cidrs = world_cidrs(rule.attr("cidr_blocks")).chain(world_cidrs(rule.attr("ipv6_cidr_blocks")));
        let range = port_range(rule.attr("protocol"), rule.attr("from_port"), rule.attr("to_port"));
        judge(cx, &ports, rule, range, cidrs);
    }
    for rule in terraform::resources(doc, &["aws_vpc_security_group_ingress_rule"]) {
        let cidrs = world_cidrs(rule.attr("cidr_ipv4")).chain(world_cidrs(rule.attr("cidr_ipv6")));
        let range = port_range(rule.attr("ip_protocol"), rule.attr("from_port"), rule.attr("to_port"));
        judge(cx, &ports, rule, range, cidrs);
    }
}

/// The ports a rule opens, and whether it is every protocol; `None` for protocols without
/// ports (ICMP, ESP, ...) and for values that are not known.
fn port_range(
    protocol: Option<Node<'_>>,
    from: Option<Node<'_>>,
    to: Option<Node<'_>>,
) -> Option<(Ports, bool)> {
    let protocol = protocol?.scalar()?.trim().to_ascii_lowercase();
    match protocol.as_str() {
        "-1" | "all" => Some((Ports::ALL, true)),
        "tcp" | "6" | "udp" | "17" | "sctp" | "132" => {
            let from = u32::try_from(from?.to_i64()?).ok()?;
            let to = u32::try_from(to?.to_i64()?).ok()?.min(65535);
            (from <= to).then_some((Ports { from, to }, false))
        }
        _ => None,
    }
}

fn judge<'a>(
    cx: &mut Context,
    ports: &Policy<'_>,
    resource: Resource<'a>,
    range: Option<(Ports, bool)>,
    cidrs: impl Iterator<Item = Node<'a>>,
) {
    let Some((range, every_protocol)) = range else { return };
    if crate::util::covered(range, ports.public) {
        return;
    }
    let hits = overlap(range, ports.sensitive);
    let what = if every_protocol { "all traffic (protocol -1)".to_owned() } else { range.describe() };
    for cidr in cidrs {
        let source = cidr.str().unwrap_or("").trim();
        let mut message = format!("{} allows {what} from {source}, the whole internet", resource.address());
        if hits.is_empty() {
            message.push_str("; only ");
            message.push_str(&allowed(ports.public));
            message.push_str(" may be open to it");
        } else if range.from != range.to {
            message.push_str(", including ");
            message.push_str(&described_ports(&hits, 4));
        }
        let report = cx.report(cidr, message);
        if !hits.is_empty() {
            report.severity(Severity::Critical);
        }
    }
}

/// `ports 80, 443`, `port 443`, `no port`.
fn allowed(public: &[Ports]) -> String {
    let list: Vec<String> = public
        .iter()
        .map(|p| if p.from == p.to { p.from.to_string() } else { format!("{}-{}", p.from, p.to) })
        .collect();
    match list.as_slice() {
        [] => "no port".to_owned(),
        [one] if !one.contains('-') => format!("port {one}"),
        _ => format!("ports {}", list.join(", ")),
    }
}
