//! Builds rampart plugin crates into WebAssembly components.
//!
//! Plugins are ordinary Rust `cdylib` crates compiled for `wasm32-unknown-unknown`; the
//! component wrapper is added here with `wit-component`, from the component-type section that
//! `wit-bindgen` embeds. Used by `engine/builtins/build.rs` (the embedded plugins) and by the
//! test suite (the hostile plugins), so both are built the same way.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

pub const TARGET: &str = "wasm32-unknown-unknown";

/// A plugin crate built into a component.
#[derive(Debug)]
pub struct BuiltPlugin {
    /// The package name, e.g. `non-root`.
    pub package: String,
    /// Where the component was written.
    pub component: PathBuf,
}

/// Builds `packages` of the cargo workspace at `workspace` in release mode into `target_dir`
/// and writes `<target_dir>/components/<package>.wasm` for each.
///
/// `target_dir` must not be the caller's own target directory: cargo holds a lock on that
/// one while a build script runs.
pub fn build(workspace: &Path, packages: &[&str], target_dir: &Path) -> Result<Vec<BuiltPlugin>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--release", "--quiet", "--target", TARGET, "--target-dir"])
        .arg(target_dir)
        // The outer build's flags are for the host, not for wasm32.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_MAKEFLAGS")
        // `cargo clippy` runs build scripts with clippy-driver as the workspace wrapper; the
        // plugins are linted on their own (see .ci/run).
        .env_remove("RUSTC_WORKSPACE_WRAPPER");
    for package in packages {
        command.args(["--package", package]);
    }
    let status = command
        .status()
        .with_context(|| format!("could not run cargo to build the plugins in {}", workspace.display()))?;
    if !status.success() {
        bail!(
            "building the plugins in {} failed ({status}); is the wasm32-unknown-unknown target \
             installed? (`rustup target add wasm32-unknown-unknown`)",
            workspace.display()
        );
    }
    let modules = target_dir.join(TARGET).join("release");
    let components = target_dir.join("components");
    std::fs::create_dir_all(&components)
        .with_context(|| format!("could not create {}", components.display()))?;
    packages
        .iter()
        .map(|&package| {
            let module_path = modules.join(format!("{}.wasm", package.replace('-', "_")));
            let module = std::fs::read(&module_path)
                .with_context(|| format!("could not read {}", module_path.display()))?;
            let component = componentize(&module)
                .with_context(|| format!("could not turn {package} into a component"))?;
            let out = components.join(format!("{package}.wasm"));
            write_if_changed(&out, &component)?;
            Ok(BuiltPlugin { package: package.to_owned(), component: out })
        })
        .collect()
}

/// A plugin crate built on its own by `rampart plugin build`.
#[derive(Debug)]
pub struct BuiltCrate {
    /// The library's name, e.g. `acme_policies` for the package `acme-policies`.
    pub name: String,
    /// The core module cargo wrote.
    pub module: PathBuf,
    /// The component: the module with its component wrapper.
    pub component: Vec<u8>,
}

/// Builds the plugin crate at `dir` (its `Cargo.toml` names a `cdylib`) for
/// `wasm32-unknown-unknown` in release mode, with cargo's own output on the terminal, and
/// turns its module into a component. Any cargo settings of the crate and the environment
/// apply (target directory, `--offline` through `CARGO_NET_OFFLINE`, ...).
pub fn build_crate(dir: &Path) -> Result<BuiltCrate> {
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        bail!("{} has no Cargo.toml: is it a plugin crate?", dir.display());
    }
    let manifest =
        manifest.canonicalize().with_context(|| format!("could not resolve {}", manifest.display()))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--release", "--target", TARGET, "--message-format", "json-render-diagnostics"])
        .arg("--manifest-path")
        .arg(&manifest)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("could not run cargo (is the Rust toolchain installed?)")?;
    if !output.status.success() {
        bail!(
            "cargo could not build {} ({}); is the wasm32-unknown-unknown target installed? \
             (`rustup target add wasm32-unknown-unknown`)",
            dir.display(),
            output.status
        );
    }
    let (name, module) = cdylib_artifact(&output.stdout, &manifest)?;
    let bytes = std::fs::read(&module).with_context(|| format!("could not read {}", module.display()))?;
    let component = componentize(&bytes).with_context(|| {
        format!(
            "could not turn {} into a component (does the crate export a plugin with the SDK's `plugin!`?)",
            module.display()
        )
    })?;
    Ok(BuiltCrate { name, module, component })
}

/// The library name and `.wasm` file of the `cdylib` that cargo built for `manifest`, read
/// from cargo's JSON messages.
fn cdylib_artifact(messages: &[u8], manifest: &Path) -> Result<(String, PathBuf)> {
    let mut found = None;
    for line in messages.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let Ok(message) = serde_json::from_slice::<serde_json::Value>(line) else { continue };
        if message["reason"] != "compiler-artifact"
            || message["manifest_path"].as_str().map(Path::new) != Some(manifest)
        {
            continue;
        }
        let kinds = message["target"]["kind"].as_array().map(Vec::as_slice).unwrap_or_default();
        if !kinds.iter().any(|k| k == "cdylib") {
            continue;
        }
        let wasm = message["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .find(|f| Path::new(f).extension().is_some_and(|e| e == "wasm"));
        let name = message["target"]["name"].as_str().unwrap_or_default();
        if let Some(wasm) = wasm {
            found = Some((name.to_owned(), PathBuf::from(wasm)));
        }
    }
    found.with_context(|| {
        format!(
            "cargo built no WebAssembly library for {}: a plugin crate needs `[lib] crate-type = [\"cdylib\"]`",
            manifest.display()
        )
    })
}

/// Wraps a core module built with `wit-bindgen` into a component. No WASI adapter is added:
/// a plugin for `wasm32-unknown-unknown` imports nothing but the contract.
pub fn componentize(module: &[u8]) -> Result<Vec<u8>> {
    wit_component::ComponentEncoder::default().module(module)?.validate(true).encode()
}

/// Leaves the file (and its modification time) alone when the bytes are the same, so that
/// dependants are not rebuilt for nothing.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    std::fs::write(path, bytes).with_context(|| format!("could not write {}", path.display()))
}
