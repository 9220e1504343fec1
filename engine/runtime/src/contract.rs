//! The contract version check and the import allow-list, done before instantiation.

use semver::Version;
use wasmtime::component::Component;

/// The version of `plugins/sdk/wit/rampart-plugin.wit` this host implements.
pub const CONTRACT_VERSION: &str = "0.3.0";

const PACKAGE: &str = "rampart:plugin";

/// Why a component is not a plugin this host will run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ContractError {
    #[error(
        "it was built against plugin contract {plugin}, but this rampart speaks contract {host} \
         (accepted: {accepted}); rebuild the plugin with a matching rampart-plugin-sdk"
    )]
    Version { plugin: String, host: &'static str, accepted: String },
    #[error(
        "it imports `{import}`, which rampart does not provide: plugins get no WASI and no \
         ambient authority (files, network, clock, environment), only the documents they are handed"
    )]
    ForbiddenImport { import: String },
    #[error(
        "it does not export the `{PACKAGE}/guest` interface, so it is not a rampart plugin (exports: {exports})"
    )]
    NotAPlugin { exports: String },
}

fn host_version() -> Version {
    Version::parse(CONTRACT_VERSION).expect("CONTRACT_VERSION is valid semver")
}

/// Semver compatibility as cargo reads it: same major, and for 0.x the same minor.
fn compatible(version: &Version) -> bool {
    let host = host_version();
    version.major == host.major && (host.major > 0 || version.minor == host.minor)
}

fn accepted() -> String {
    let host = host_version();
    if host.major > 0 { format!("{}.x", host.major) } else { format!("0.{}.x", host.minor) }
}

/// Splits `rampart:plugin/guest@0.1.0` into the interface name and its version.
fn contract_item(name: &str) -> Option<(&str, Option<&str>)> {
    let rest = name.strip_prefix(PACKAGE)?.strip_prefix('/')?;
    Some(match rest.split_once('@') {
        Some((interface, version)) => (interface, Some(version)),
        None => (rest, None),
    })
}

fn check_version(version: Option<&str>) -> Result<(), ContractError> {
    let parsed = version.and_then(|v| Version::parse(v).ok());
    match parsed {
        Some(v) if compatible(&v) => Ok(()),
        _ => Err(ContractError::Version {
            plugin: version.unwrap_or("(unversioned)").to_owned(),
            host: CONTRACT_VERSION,
            accepted: accepted(),
        }),
    }
}

/// Checks a compiled component's imports and exports against the contract; returns the
/// contract version the plugin was built against.
pub(crate) fn check(engine: &wasmtime::Engine, component: &Component) -> Result<String, ContractError> {
    let ty = component.component_type();
    let mut guest_version = None;
    let mut export_names = Vec::new();
    for (name, _) in ty.exports(engine) {
        export_names.push(name.to_owned());
        if let Some(("guest", version)) = contract_item(name) {
            guest_version = Some(version);
        }
    }
    // The version speaks first: a plugin from another contract may import things this
    // contract does not know, and the version is the real explanation.
    let Some(version) = guest_version else {
        if let Some(version) = export_names.iter().find_map(|n| contract_item(n).map(|(_, v)| v)) {
            check_version(version)?;
        }
        return Err(ContractError::NotAPlugin { exports: list_or_none(&export_names) });
    };
    check_version(version)?;
    for (name, _) in ty.imports(engine) {
        match contract_item(name) {
            Some(("host" | "types", version)) => check_version(version)?,
            _ => {
                return Err(ContractError::ForbiddenImport { import: name.to_owned() });
            }
        }
    }
    Ok(version.unwrap_or_default().to_owned())
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_semver_compatibility() {
        assert!(check_version(Some("0.3.0")).is_ok());
        assert!(check_version(Some("0.3.7")).is_ok());
        let err = check_version(Some("0.9.0")).unwrap_err();
        assert_eq!(
            err,
            ContractError::Version {
                plugin: "0.9.0".into(),
                host: CONTRACT_VERSION,
                accepted: "0.3.x".into()
            }
        );
        assert!(err.to_string().contains("0.9.0") && err.to_string().contains(CONTRACT_VERSION));
        assert!(check_version(Some("0.1.0")).is_err(), "0.2 changed the param record");
        assert!(check_version(None).is_err());
        assert!(check_version(Some("1.1.0")).is_err());
    }

    #[test]
    fn contract_items_are_split_from_their_version() {
        assert_eq!(contract_item("rampart:plugin/guest@0.3.0"), Some(("guest", Some("0.3.0"))));
        assert_eq!(contract_item("wasi:cli/environment@0.2.0"), None);
        assert_eq!(contract_item("rampart:pluginx/guest"), None);
    }
}
