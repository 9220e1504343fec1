//! `network/compose-database-port`: Compose publishes database ports only on loopback.
//!
//! ## What it does
//! Reports a `ports` entry of a Compose service whose container port (or range) reaches one
//! of `sensitive_ports` (databases, caches, SSH, RDP) and that is published on all host
//! interfaces: no host IP (`"5432:5432"`, or `"5432"`, which publishes on a random host
//! port), or `0.0.0.0`/`::`. The finding is at the host IP when it is written, else at the
//! published port, else at the container port. Entries with values interpolated at run time
//! are not judged.
//!
//! ## Why is this bad?
//! Docker publishes ports on every interface of the host by default, and its iptables rules
//! bypass host firewalls such as ufw: a database published this way is reachable by anyone
//! who can reach the host, often the whole internet.
//!
//! ## Example
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16
//!     ports:
//!       - "5432:5432"
//! ```
//!
//! ## Use instead
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16
//!     ports:
//!       - "127.0.0.1:5432:5432" # or no ports at all: services reach it as db:5432
//! ```

use rampart_plugin_sdk::{Context, Document, Format, Node, Param, ParamDefault, Rule, Severity, compose};

use crate::util::{Ports, described_ports, overlap, port_param};

pub const RULE: Rule = Rule {
    id: "network/compose-database-port",
    title: "Compose publishes database ports only on loopback",
    severity: Severity::High,
    formats: &[Format::Compose],
    rationale: "Docker publishes a port on every interface of the host unless a host IP is \
        given, and its iptables rules take precedence over host firewalls such as ufw. A \
        database, cache or administrative port published this way is reachable by anyone \
        who can reach the host, often the whole internet, and exposed databases are found and \
        attacked by scanners within hours.",
    remediation: "Do not publish the port: other services of the same project reach it by \
        service name on the Compose network (`db:5432`). If the host itself needs it, bind it \
        to loopback: `\"127.0.0.1:5432:5432\"`.",
    references: &["NIST SP 800-53 SC-7", "NIST SP 800-53 CM-7"],
    params: &[Param {
        name: "sensitive_ports",
        description: "Container ports (or ranges, `8000-8080`) that must not be published on all \
            host interfaces: remote administration, databases and caches.",
        default: ParamDefault::Texts(&[
            "22", "3389", "3306", "5432", "1433", "1521", "27017", "6379", "11211", "9200", "5439", "9042",
        ]),
    }],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let sensitive = port_param(cx, "sensitive_ports");
    for service in compose::services(doc) {
        for port in service.node.get("ports").into_iter().flat_map(Node::items) {
            let Some(target) = port.get("target") else { continue };
            let Some(range) = target.str().and_then(Ports::parse) else { continue };
            let hits = overlap(range, &sensitive);
            if hits.is_empty() {
                continue;
            }
            let host_ip = port.get("host-ip");
            let all_interfaces = match host_ip {
                None => true,
                Some(ip) => ip.str().is_some_and(|ip| matches!(ip.trim(), "" | "0.0.0.0" | "::" | "[::]")),
            };
            if !all_interfaces {
                continue;
            }
            let published = port.get("published");
            let on = match published.and_then(Node::str) {
                Some(host) => format!("host port {}", host.trim()),
                None => "a random host port".to_owned(),
            };
            let interfaces = match host_ip.and_then(Node::str) {
                Some(ip) if !ip.trim().is_empty() => format!("all host interfaces ({})", ip.trim()),
                _ => "all host interfaces".to_owned(),
            };
            let at = host_ip
                .filter(|ip| ip.str().is_some_and(|t| !t.trim().is_empty()))
                .or(published)
                .unwrap_or(target);
            cx.report(
                at,
                format!(
                    "{} publishes container port {} as {on} on {interfaces}: anyone who can reach the \
                     host can connect",
                    service.describe(),
                    described_ports(&hits, 4)
                ),
            );
        }
    }
}
