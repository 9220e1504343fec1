//! `network/cloudsql-open-network`: Cloud SQL instances do not authorize the whole internet.
//!
//! ## What it does
//! Reports an `authorized_networks` entry of a `google_sql_database_instance`
//! (`settings.ip_configuration.authorized_networks`, dynamic blocks included once expanded)
//! whose `value` is `0.0.0.0/0` or `::/0` (any CIDR with prefix length 0), unless the
//! instance has no public IP (`ipv4_enabled = false`).
//!
//! ## Why is this bad?
//! An authorized network of `0.0.0.0/0` lets anyone on the internet connect to the
//! database's public IP: only the database password stands between its data and every
//! scanner, brute-force tool and engine vulnerability.
//!
//! ## Example
//! ```hcl
//! resource "google_sql_database_instance" "main" {
//!   settings {
//!     ip_configuration {
//!       authorized_networks {
//!         name  = "anywhere"
//!         value = "0.0.0.0/0"
//!       }
//!     }
//!   }
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "google_sql_database_instance" "main" {
//!   settings {
//!     ip_configuration {
//!       ipv4_enabled    = false
//!       private_network = google_compute_network.main.id
//!     }
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::util::{is_false, world_cidr};

pub const RULE: Rule = Rule {
    id: "network/cloudsql-open-network",
    title: "Cloud SQL instances do not authorize the whole internet",
    severity: Severity::Critical,
    formats: &[Format::Terraform],
    rationale: "An authorized network of 0.0.0.0/0 lets anyone on the internet connect to the \
        database's public IP address: the database password becomes the only protection of \
        its data against scanners, brute force and engine vulnerabilities.",
    remediation: "Use private IP (`ipv4_enabled = false` with `private_network`) and connect \
        through the Cloud SQL Auth Proxy or from inside the VPC; if a public IP is required, \
        authorize only the specific networks that need it (`value = \"203.0.113.0/24\"`).",
    references: &[
        "CIS Google Cloud Platform Foundation Benchmark 6.5",
        "NIST SP 800-53 SC-7",
        "NIST SP 800-53 AC-3",
    ],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for instance in terraform::resources(doc, &["google_sql_database_instance"]) {
        for settings in instance.blocks("settings") {
            for ip in terraform::blocks(Some(settings), "ip_configuration") {
                if is_false(ip.get("ipv4_enabled")) {
                    continue;
                }
                for network in terraform::blocks(Some(ip), "authorized_networks") {
                    let Some(value) = network.get("value").filter(|v| world_cidr(*v).is_some()) else {
                        continue;
                    };
                    let cidr = value.str().unwrap_or("").trim();
                    let name = network
                        .get("name")
                        .and_then(Node::str)
                        .map(|n| format!(" (network `{n}`)"))
                        .unwrap_or_default();
                    cx.report(
                        value,
                        format!(
                            "{} authorizes {cidr}{name}: anyone on the internet can connect to the \
                             database's public IP",
                            instance.address()
                        ),
                    );
                }
            }
        }
    }
}
