//! `tls/azure-https-only`: Azure services do not accept plaintext connections.
//!
//! ## What it does
//! Reports the settings that open a plaintext endpoint on Azure resources:
//! - storage accounts with `https_traffic_only_enabled = false` (azurerm 4.x) or
//!   `enable_https_traffic_only = false` (3.x);
//! - Redis caches with `non_ssl_port_enabled = true` / `enable_non_ssl_port = true`
//!   (port 6379 in clear);
//! - PostgreSQL, MySQL and MariaDB single servers with `ssl_enforcement_enabled = false`,
//!   and flexible-server parameters `require_secure_transport = OFF`;
//! - web and function apps (and their slots) without `https_only = true` (the provider's
//!   default is false: the app answers plain HTTP), and `site_config.ftps_state =
//!   "AllAllowed"` (plain FTP deployments).
//!
//! ## Why is this bad?
//! Whatever crosses a plaintext endpoint (data, keys, passwords, deployment credentials)
//! can be read and altered on the network, whatever TLS the other endpoint offers.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_linux_web_app" "api" {
//!   name = "api"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "azurerm_linux_web_app" "api" {
//!   name       = "api"
//!   https_only = true
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Rule, Severity};

use crate::common::{is_false, is_true};

pub const RULE: Rule = Rule {
    id: "tls/azure-https-only",
    title: "Azure services accept encrypted connections only",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "A storage account, cache, database or web app that also listens in plaintext \
        lets data, keys and credentials cross the network unencrypted; clients that forget TLS \
        (or are downgraded) keep working, so nobody notices.",
    remediation: "Keep `https_traffic_only_enabled = true` on storage accounts, \
        `non_ssl_port_enabled = false` on Redis, `ssl_enforcement_enabled = true` on database \
        servers (`require_secure_transport = ON` on flexible servers), and set `https_only = \
        true` with `site_config { ftps_state = \"FtpsOnly\" }` (or `\"Disabled\"`) on web and \
        function apps.",
    references: &[
        "CIS Microsoft Azure Foundations Benchmark v2.0.0 3.1",
        "CIS Microsoft Azure Foundations Benchmark v2.0.0 9.2",
        "NIST SP 800-53 SC-8",
    ],
    params: &[],
    check,
};

const APPS: &[&str] = &[
    "azurerm_linux_web_app",
    "azurerm_windows_web_app",
    "azurerm_linux_web_app_slot",
    "azurerm_windows_web_app_slot",
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
    "azurerm_linux_function_app_slot",
    "azurerm_windows_function_app_slot",
    "azurerm_app_service",
    "azurerm_app_service_slot",
    "azurerm_function_app",
    "azurerm_function_app_slot",
];

fn check(doc: &Document, cx: &mut Context) {
    for account in terraform::resources(doc, &["azurerm_storage_account"]) {
        for key in ["https_traffic_only_enabled", "enable_https_traffic_only"] {
            if let Some(node) = account.attr(key)
                && is_false(node)
            {
                cx.report(node, format!("{key} = false: the storage account also accepts plain HTTP"));
            }
        }
    }
    for cache in terraform::resources(doc, &["azurerm_redis_cache"]) {
        for key in ["non_ssl_port_enabled", "enable_non_ssl_port"] {
            if let Some(node) = cache.attr(key)
                && is_true(node)
            {
                cx.report(node, format!("{key} = true opens the Redis port 6379 without TLS"));
            }
        }
    }
    for server in terraform::resources(
        doc,
        &["azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server"],
    ) {
        if let Some(node) = server.attr("ssl_enforcement_enabled")
            && is_false(node)
        {
            cx.report(node, "ssl_enforcement_enabled = false: the server accepts unencrypted connections");
        }
    }
    for parameter in terraform::resources(
        doc,
        &["azurerm_postgresql_flexible_server_configuration", "azurerm_mysql_flexible_server_configuration"],
    ) {
        if parameter
            .attr("name")
            .and_then(Node::str)
            .is_some_and(|n| n.eq_ignore_ascii_case("require_secure_transport"))
            && let Some(value) = parameter.attr("value")
            && value
                .str()
                .is_some_and(|v| v.eq_ignore_ascii_case("off") || v == "0" || v.eq_ignore_ascii_case("false"))
        {
            cx.report(value, "require_secure_transport = OFF: the server accepts unencrypted connections");
        }
    }
    for app in terraform::resources(doc, APPS) {
        judge_app(app, cx);
    }
}

fn judge_app(app: Resource<'_>, cx: &mut Context) {
    match app.attr("https_only") {
        None => {
            cx.report(
                app.labels(),
                "https_only is not set: the default is false, so the app also answers plain HTTP",
            );
        }
        Some(node) if node.kind() == Kind::Null => {
            cx.report(
                app.labels(),
                "https_only is null: the default is false, so the app also answers plain HTTP",
            );
        }
        Some(node) if is_false(node) => {
            cx.report(node, "https_only = false: the app also answers plain HTTP");
        }
        Some(_) => {}
    }
    for config in app.blocks("site_config") {
        if let Some(state) = config.get("ftps_state")
            && state.str().is_some_and(|s| s.eq_ignore_ascii_case("AllAllowed"))
        {
            cx.report(
                state,
                "ftps_state = \"AllAllowed\" accepts plain FTP deployments, credentials included",
            );
        }
    }
}
