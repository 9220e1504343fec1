//! `rampart plugin new`: a plugin crate that builds, tests and scans from the first minute.
//!
//! The crate gets one example rule that uses the SDK's navigation helpers and a parameter,
//! its fixtures (pass, fail, and a parameter variant), and the SDK itself: the copy of
//! `plugins/sdk` this rampart was built with, written into `vendor/` so the crate builds
//! anywhere, offline, against exactly the contract this rampart speaks. `--sdk PATH` depends
//! on a checkout instead.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::Exit;
use crate::args::NewArgs;

/// The template's files: (path in the new crate, text with `__PLACEHOLDERS__`).
const TEMPLATE: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("template/Cargo.toml.in")),
    (".gitignore", include_str!("template/gitignore.in")),
    ("README.md", include_str!("template/README.md.in")),
    ("src/lib.rs", include_str!("template/src/lib.rs.in")),
    ("src/approved_registry.rs", include_str!("template/src/approved_registry.rs.in")),
    (
        "fixtures/__FAMILY__/approved-registry/pass/deployment.yaml",
        include_str!("template/fixtures/pass/deployment.yaml.in"),
    ),
    (
        "fixtures/__FAMILY__/approved-registry/pass/Dockerfile",
        include_str!("template/fixtures/pass/Dockerfile.in"),
    ),
    (
        "fixtures/__FAMILY__/approved-registry/fail/deployment.yaml",
        include_str!("template/fixtures/fail/deployment.yaml.in"),
    ),
    (
        "fixtures/__FAMILY__/approved-registry/fail/Dockerfile",
        include_str!("template/fixtures/fail/Dockerfile.in"),
    ),
    (
        "fixtures/__FAMILY__/approved-registry/with-mirror/pack.toml",
        include_str!("template/fixtures/with-mirror/pack.toml.in"),
    ),
    (
        "fixtures/__FAMILY__/approved-registry/with-mirror/pass/deployment.yaml",
        include_str!("template/fixtures/with-mirror/pass/deployment.yaml.in"),
    ),
    (
        "fixtures/__FAMILY__/approved-registry/with-mirror/fail/deployment.yaml",
        include_str!("template/fixtures/with-mirror/fail/deployment.yaml.in"),
    ),
];

/// The SDK's sources, as built into this rampart: (path in the SDK crate, text).
const SDK_FILES: &[(&str, &str)] = &[
    ("README.md", include_str!("../../../../plugins/sdk/README.md")),
    ("wit/rampart-plugin.wit", include_str!("../../../../plugins/sdk/wit/rampart-plugin.wit")),
    ("src/lib.rs", include_str!("../../../../plugins/sdk/src/lib.rs")),
    ("src/compose.rs", include_str!("../../../../plugins/sdk/src/compose.rs")),
    ("src/dockerfile.rs", include_str!("../../../../plugins/sdk/src/dockerfile.rs")),
    ("src/document.rs", include_str!("../../../../plugins/sdk/src/document.rs")),
    ("src/env.rs", include_str!("../../../../plugins/sdk/src/env.rs")),
    ("src/kubernetes.rs", include_str!("../../../../plugins/sdk/src/kubernetes.rs")),
    ("src/rule.rs", include_str!("../../../../plugins/sdk/src/rule.rs")),
    ("src/terraform.rs", include_str!("../../../../plugins/sdk/src/terraform.rs")),
    ("src/test_doc.rs", include_str!("../../../../plugins/sdk/src/test_doc.rs")),
    ("src/text.rs", include_str!("../../../../plugins/sdk/src/text.rs")),
];

/// The SDK's version (plugins/sdk/Cargo.toml) and its one dependency as the plugins'
/// workspace pins it (plugins/Cargo.toml); a unit test keeps both in step with those files.
const SDK_VERSION: &str = "0.3.0";
const SDK_WIT_BINDGEN: &str =
    r#"{ version = "=0.63.0", default-features = false, features = ["macros", "realloc", "std"] }"#;

/// Where the SDK goes in the new crate.
const VENDORED_SDK: &str = "vendor/rampart-plugin-sdk";

pub fn run(args: &NewArgs) -> Result<Exit> {
    let name = args.name.as_str();
    if !is_crate_name(name) {
        bail!(
            "`{name}` is not a crate name for a plugin: use lowercase letters, digits and inner hyphens (`acme-policies`)"
        );
    }
    let family = match &args.family {
        Some(family) => family.clone(),
        None => name.split('-').next().unwrap_or(name).to_owned(),
    };
    let example = format!("{family}/approved-registry");
    if let Err(err) = rampart_model::RuleId::parse(&example) {
        bail!("`{family}` cannot be a rule family: {err}");
    }
    let dir = args.path.clone().unwrap_or_else(|| PathBuf::from(name));
    if std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some()) {
        bail!("{} exists and is not empty; choose another --path", dir.display());
    }

    let sdk_dependency = match &args.sdk {
        Some(sdk) => {
            let sdk = std::path::absolute(sdk).with_context(|| format!("bad path {}", sdk.display()))?;
            if !sdk.join("Cargo.toml").is_file() {
                bail!(
                    "{} is not the SDK crate (no Cargo.toml); it is `plugins/sdk` in a rampart checkout",
                    sdk.display()
                );
            }
            format!("{{ path = {}, version = \"{SDK_VERSION}\" }}", toml_string(&sdk.to_string_lossy()))
        }
        None => format!("{{ path = \"{VENDORED_SDK}\", version = \"{SDK_VERSION}\" }}"),
    };
    let sdk_note = match &args.sdk {
        Some(sdk) => format!("the Rust SDK is the one at `{}`.", sdk.display()),
        None => format!(
            "`{VENDORED_SDK}/` is the Rust SDK {SDK_VERSION}, as this rampart speaks it (plugin contract \
             {}); `cargo doc --open` documents it.",
            rampart_runtime::CONTRACT_VERSION
        ),
    };
    let lib = name.replace('-', "_");
    let fill = |text: &str| {
        text.replace("__NAME__", name)
            .replace("__LIB__", &lib)
            .replace("__FAMILY__", &family)
            .replace("__SDK__", &sdk_dependency)
            .replace("__SDK_NOTE__", &sdk_note)
            .replace("__RAMPART_VERSION__", env!("CARGO_PKG_VERSION"))
    };
    for (path, text) in TEMPLATE {
        write(&dir.join(fill(path)), &fill(text))?;
    }
    if args.sdk.is_none() {
        let sdk = dir.join(VENDORED_SDK);
        write(&sdk.join("Cargo.toml"), &sdk_manifest())?;
        for (path, text) in SDK_FILES {
            write(&sdk.join(path), text)?;
        }
    }
    println!("created {} with the rule {example}", dir.display());
    println!("next:\n    cd {}\n    rampart plugin test", dir.display());
    Ok(Exit::Clean)
}

/// The vendored SDK's manifest: the SDK's own, with what it inherits from the plugins'
/// workspace written out, since the copy stands alone.
fn sdk_manifest() -> String {
    format!(
        "# The rampart plugin SDK {SDK_VERSION}, as rampart {} wrote it with `rampart plugin new`.\n\
         [package]\n\
         name = \"rampart-plugin-sdk\"\n\
         version = \"{SDK_VERSION}\"\n\
         edition = \"2024\"\n\
         license = \"Apache-2.0\"\n\
         description = \"Write rampart policy plugins in Rust.\"\n\
         \n\
         [dependencies]\n\
         wit-bindgen = {SDK_WIT_BINDGEN}\n",
        env!("CARGO_PKG_VERSION")
    )
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("could not create {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("could not write {}", path.display()))
}

/// A package name cargo accepts and that reads well as a plugin's name.
fn is_crate_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A TOML basic string.
pub(super) fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugins_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins")
    }

    fn toml_file(path: &Path) -> toml::Table {
        let text = std::fs::read_to_string(path).unwrap();
        text.parse().unwrap()
    }

    #[test]
    fn the_vendored_sdk_is_every_file_of_the_sdk() {
        let sdk = plugins_dir().join("sdk");
        let mut on_disk = Vec::new();
        for dir in ["src", "wit"] {
            for entry in std::fs::read_dir(sdk.join(dir)).unwrap() {
                on_disk.push(format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy()));
            }
        }
        on_disk.push("README.md".to_owned());
        on_disk.sort();
        let mut embedded: Vec<String> = SDK_FILES.iter().map(|(p, _)| (*p).to_owned()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk, "SDK_FILES must list every file of plugins/sdk");
    }

    #[test]
    fn the_vendored_sdk_manifest_matches_the_sdk_and_its_workspace() {
        let sdk = toml_file(&plugins_dir().join("sdk/Cargo.toml"));
        let workspace = toml_file(&plugins_dir().join("Cargo.toml"));
        let vendored: toml::Table = sdk_manifest().parse().unwrap();
        assert_eq!(vendored["package"]["version"], sdk["package"]["version"]);
        assert_eq!(
            vendored["package"]["edition"], workspace["workspace"]["package"]["edition"],
            "the edition the workspace gives the SDK"
        );
        assert_eq!(
            vendored["dependencies"]["wit-bindgen"], workspace["workspace"]["dependencies"]["wit-bindgen"],
            "the wit-bindgen the workspace pins"
        );
        let sdk_deps: Vec<&String> = sdk["dependencies"].as_table().unwrap().keys().collect();
        assert_eq!(sdk_deps, ["wit-bindgen"], "a new SDK dependency must be written out here too");
    }

    #[test]
    fn the_sdk_version_speaks_the_host_contract() {
        let contract = |v: &str| v.rsplit_once('.').unwrap().0.to_owned();
        assert_eq!(contract(SDK_VERSION), contract(rampart_runtime::CONTRACT_VERSION));
    }

    #[test]
    fn crate_names_are_checked() {
        for good in ["acme-policies", "org2", "a"] {
            assert!(is_crate_name(good), "{good}");
        }
        for bad in ["", "Acme", "acme_policies", "2org", "acme-", "ac me", "../x"] {
            assert!(!is_crate_name(bad), "{bad}");
        }
    }
}
