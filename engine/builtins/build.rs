//! Compiles the built-in plugins under plugins/ to components and lets lib.rs embed them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The plugin crates that ship inside the rampart binary.
const BUILTINS: &[&str] =
    &["non-root", "tls", "network", "secrets", "backup", "encryption", "logging", "hygiene"];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let repo = manifest_dir.join("../..");
    let plugins = repo.join("plugins");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));

    rerun_if_changed(&plugins.join("Cargo.toml"));
    rerun_if_changed(&plugins.join("Cargo.lock"));
    for dir in ["sdk"].iter().chain(BUILTINS) {
        rerun_if_changed(&plugins.join(dir));
    }

    let built = match rampart_plugin_build::build(&plugins, BUILTINS, &out_dir.join("plugins")) {
        Ok(built) => built,
        Err(err) => panic!("{err:#}"),
    };
    let mut entries = String::new();
    for plugin in &built {
        // Debug formatting of a String gives a quoted, escaped Rust string literal.
        let path = plugin.component.display().to_string();
        // Hashed here rather than on every run: hashing the embedded components took a
        // measurable part of a warm one-file scan.
        let wasm = std::fs::read(&plugin.component).expect("the plugin build wrote the component");
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&wasm));
        writeln!(
            entries,
            "    Builtin {{ name: {:?}, wasm: include_bytes!({path:?}), sha256: {sha256:?} }},",
            plugin.package
        )
        .expect("writing to a String cannot fail");
    }
    std::fs::write(out_dir.join("builtins.rs"), format!("&[\n{entries}]")).expect("OUT_DIR is writable");
}

/// Asks cargo to rerun this script when anything under `path` changes.
fn rerun_if_changed(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && path.file_name().is_some_and(|n| n != "target") {
                rerun_if_changed(&path);
            } else if path.is_file() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
}
