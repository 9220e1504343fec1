//! `tls/azure-min-tls`: Azure services refuse TLS versions below `min_tls`.
//!
//! ## What it does
//! Reads the minimum-TLS settings of `azurerm_*` resources, wherever they are nested
//! (`site_config`, `ssl_policy`, `tls`, `user_managed_https`, ...): `min_tls_version`,
//! `minimum_tls_version`, `minimal_tls_version`, `scm_minimum_tls_version`,
//! `ssl_minimal_tls_version_enforced`, `min_protocol_version` and `tls_version`, in every
//! spelling the provider uses (`"1.0"`, `TLS1_0`, `TLS10`, `Tls`, `Tls11`, `TLSv1_1`...);
//! `Disabled` / `TLSEnforcementDisabled` enforce no minimum at all. Application Gateway
//! `ssl_policy.policy_name` predefined policies are judged by their minimum version, and
//! the `tls_version` / `ssl_min_protocol_version` server parameters of MySQL and PostgreSQL
//! flexible servers.
//!
//! A missing attribute is judged by the provider's default. This rule follows azurerm 3.x
//! and 4.x, whose defaults are TLS 1.2 (storage accounts defaulted to `TLS1_0` before
//! azurerm 3.0): a missing setting only fails when `min_tls` is 1.3.
//!
//! ## Why is this bad?
//! TLS 1.0 and 1.1 are deprecated (RFC 8996) and Microsoft is retiring them across Azure;
//! a service that still accepts them lets clients and downgrade attacks use them.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_storage_account" "data" {
//!   min_tls_version = "TLS1_0"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "azurerm_storage_account" "data" {
//!   min_tls_version = "TLS1_2"
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Rule, Severity};

use crate::common::{MIN_TLS, Tls, allows_below, enables_below, min_tls, protocol_name};

pub const RULE: Rule = Rule {
    id: "tls/azure-min-tls",
    title: "Azure services refuse TLS versions below the minimum",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996) and being retired across Azure; a \
        storage account, database, cache, namespace or web app that still accepts them lets \
        outdated clients and downgrade attacks use protocols with known weaknesses.",
    remediation: "Set the resource's minimum to TLS 1.2 or newer: `min_tls_version = \"TLS1_2\"` \
        (storage), `minimum_tls_version = \"1.2\"` (SQL, Redis, Event Hubs, Service Bus, \
        `site_config` of web and function apps), `minimal_tls_version = \"Tls12\"` (Cosmos DB), \
        `ssl_minimal_tls_version_enforced = \"TLS1_2\"` (PostgreSQL/MySQL single server).",
    references: &[
        "CIS Microsoft Azure Foundations Benchmark v2.0.0 3.15",
        "CIS Microsoft Azure Foundations Benchmark v2.0.0 9.3",
        "NIST SP 800-53 SC-8",
        "NIST SP 800-52 Rev. 2",
    ],
    params: &[MIN_TLS],
    check,
};

/// Keys that hold a minimum TLS version in azurerm resources.
const KEYS: &[&str] = &[
    "min_tls_version",
    "minimum_tls_version",
    "minimal_tls_version",
    "scm_minimum_tls_version",
    "ssl_minimal_tls_version_enforced",
    "min_protocol_version",
    "tls_version",
];

/// Where a resource type keeps its minimum TLS version, and the azurerm 3.x/4.x default.
const DEFAULTS: &[(&str, &[&str], Tls)] = &[
    ("azurerm_storage_account", &["min_tls_version"], Tls::V12),
    ("azurerm_mssql_server", &["minimum_tls_version"], Tls::V12),
    ("azurerm_mssql_managed_instance", &["minimum_tls_version"], Tls::V12),
    ("azurerm_redis_cache", &["minimum_tls_version"], Tls::V12),
    ("azurerm_eventhub_namespace", &["minimum_tls_version"], Tls::V12),
    ("azurerm_servicebus_namespace", &["minimum_tls_version"], Tls::V12),
    ("azurerm_cosmosdb_account", &["minimal_tls_version"], Tls::V12),
    ("azurerm_postgresql_server", &["ssl_minimal_tls_version_enforced"], Tls::V12),
    ("azurerm_mysql_server", &["ssl_minimal_tls_version_enforced"], Tls::V12),
    ("azurerm_linux_web_app", &["site_config", "minimum_tls_version"], Tls::V12),
    ("azurerm_windows_web_app", &["site_config", "minimum_tls_version"], Tls::V12),
    ("azurerm_linux_web_app_slot", &["site_config", "minimum_tls_version"], Tls::V12),
    ("azurerm_windows_web_app_slot", &["site_config", "minimum_tls_version"], Tls::V12),
    ("azurerm_linux_function_app", &["site_config", "minimum_tls_version"], Tls::V12),
    ("azurerm_windows_function_app", &["site_config", "minimum_tls_version"], Tls::V12),
    ("azurerm_linux_function_app_slot", &["site_config", "minimum_tls_version"], Tls::V12),
    ("azurerm_windows_function_app_slot", &["site_config", "minimum_tls_version"], Tls::V12),
    ("azurerm_app_service", &["site_config", "min_tls_version"], Tls::V12),
    ("azurerm_function_app", &["site_config", "min_tls_version"], Tls::V12),
];

/// What a minimum-TLS value means.
enum Minimum {
    Version(Tls),
    /// `Disabled`, `TLSEnforcementDisabled`: no minimum.
    Disabled,
}

/// Reads every spelling azurerm uses for a minimum version. `None` for anything else
/// (including the CDN's `None`, whose meaning depends on the service).
fn read_minimum(value: &str) -> Option<Minimum> {
    let lower = value.trim().to_ascii_lowercase();
    if lower == "disabled" || lower == "tlsenforcementdisabled" {
        return Some(Minimum::Disabled);
    }
    let version = match lower.as_str() {
        "1.0" | "1" | "tls1_0" | "tls10" | "tls" | "tlsv1_0" | "tls1.0" | "tlsv1" | "tlsv1.0" => Tls::V10,
        "1.1" | "tls1_1" | "tls11" | "tlsv1_1" | "tls1.1" | "tlsv1.1" => Tls::V11,
        "1.2" | "tls1_2" | "tls12" | "tlsv1_2" | "tls1.2" | "tlsv1.2" => Tls::V12,
        "1.3" | "tls1_3" | "tls13" | "tlsv1_3" | "tls1.3" | "tlsv1.3" => Tls::V13,
        _ => return None,
    };
    Some(Minimum::Version(version))
}

/// Application Gateway predefined SSL policies (Azure Application Gateway documentation,
/// "Application Gateway TLS policy overview").
fn app_gateway_policy_min(name: &str) -> Option<Tls> {
    const POLICIES: &[(&str, Tls)] = &[
        ("AppGwSslPolicy20150501", Tls::V10),
        ("AppGwSslPolicy20170401", Tls::V11),
        ("AppGwSslPolicy20170401S", Tls::V12),
        ("AppGwSslPolicy20220101", Tls::V12),
        ("AppGwSslPolicy20220101S", Tls::V12),
    ];
    POLICIES.iter().find(|(p, _)| p.eq_ignore_ascii_case(name.trim())).map(|&(_, v)| v)
}

fn check(doc: &Document, cx: &mut Context) {
    let min = min_tls(cx);
    for resource in terraform::resources(doc, &[]) {
        let kind = resource.kind();
        if !kind.starts_with("azurerm_") {
            continue;
        }
        if kind == "azurerm_mysql_flexible_server_configuration"
            || kind == "azurerm_postgresql_flexible_server_configuration"
        {
            judge_server_parameter(resource, min, cx);
            continue;
        }
        let Some(attributes) = resource.attributes() else { continue };
        for node in attributes.descendants() {
            let Some(key) = node.key() else { continue };
            if KEYS.contains(&key) {
                judge_value(node, key, min, cx);
            } else if key == "policy_name"
                && kind == "azurerm_application_gateway"
                && let Some(name) = node.str()
                && let Some(lowest) = app_gateway_policy_min(name)
                && lowest < min
            {
                cx.report(node, format!("ssl_policy {name} {}", allows_below(lowest, min)));
            }
        }
        judge_default(resource, min, cx);
    }
}

fn judge_value(node: Node<'_>, key: &str, min: Tls, cx: &mut Context) {
    let Some(written) = node.scalar() else { return };
    match read_minimum(written) {
        Some(Minimum::Version(lowest)) if lowest < min => {
            // A number is shown as the version it stands for (`1.0` evaluates to `1`).
            let shown = if node.kind() == Kind::Number { lowest.number() } else { written };
            cx.report(node, format!("{key} {shown} {}", allows_below(lowest, min)));
        }
        Some(Minimum::Disabled) if Tls::V10 < min => {
            cx.report(
                node,
                format!("{key} {written} enforces no minimum, so it {}", allows_below(Tls::V10, min)),
            );
        }
        _ => {}
    }
}

/// A missing setting takes the provider's default.
fn judge_default(resource: Resource<'_>, min: Tls, cx: &mut Context) {
    let Some(&(_, path, default)) = DEFAULTS.iter().find(|(kind, _, _)| *kind == resource.kind()) else {
        return;
    };
    if default >= min {
        return;
    }
    let Some((attribute, blocks)) = path.split_last() else { return };
    // The block that should hold the setting, when the path goes through one.
    let (holder, report_at) = if blocks.is_empty() {
        (resource.attributes(), resource.labels())
    } else {
        let block =
            resource.at(blocks).map(|b| if b.kind() == Kind::List { b.item(0).unwrap_or(b) } else { b });
        match block {
            Some(block) if block.kind() == Kind::Map => (Some(block), block),
            // Without the block the resource is malformed or the block is dynamic: not judged.
            _ => return,
        }
    };
    if holder.and_then(|h| h.get(attribute)).is_none() {
        cx.report(
            report_at,
            format!(
                "{attribute} is not set: the provider's default {} is below {}",
                default.name(),
                min.name()
            ),
        );
    }
}

/// `azurerm_mysql_flexible_server_configuration` `tls_version` (a comma-separated list of
/// the versions the server accepts) and `azurerm_postgresql_flexible_server_configuration`
/// `ssl_min_protocol_version`.
fn judge_server_parameter(resource: Resource<'_>, min: Tls, cx: &mut Context) {
    let Some(name) = resource.attr("name").and_then(Node::str) else { return };
    let Some(value_node) = resource.attr("value") else { return };
    let Some(value) = value_node.str() else { return };
    let message = match name.to_ascii_lowercase().as_str() {
        "tls_version" => enables_below(value.split(','), min),
        "ssl_min_protocol_version" => protocol_name(value).filter(|&v| v < min).map(|v| allows_below(v, min)),
        _ => return,
    };
    if let Some(message) = message {
        cx.report(value_node, format!("server parameter {name} = {value} {message}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(value: &str) -> Option<Tls> {
        match read_minimum(value)? {
            Minimum::Version(v) => Some(v),
            Minimum::Disabled => None,
        }
    }

    #[test]
    fn every_spelling_is_read() {
        for (value, expected) in [
            ("TLS1_0", Tls::V10),
            ("1.0", Tls::V10),
            ("Tls", Tls::V10),
            ("TLS10", Tls::V10),
            ("TLSv1_1", Tls::V11),
            ("Tls11", Tls::V11),
            ("1.2", Tls::V12),
            ("TLS1_2", Tls::V12),
            ("Tls12", Tls::V12),
            ("TLS12", Tls::V12),
            ("1.3", Tls::V13),
            ("TLS1_3", Tls::V13),
        ] {
            assert_eq!(version(value), Some(expected), "{value}");
        }
        assert!(matches!(read_minimum("TLSEnforcementDisabled"), Some(Minimum::Disabled)));
        assert!(read_minimum("None").is_none());
    }
}
