//! Helpers for whole-process tests of the `rampart` binary.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository exists")
}

/// A compiled-plugin cache shared by the tests that are not about the cache, so the
/// built-in plugins are compiled once per test run rather than once per test.
pub fn shared_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache")
}

/// `rampart` run from the repository root with a private or shared cache.
pub fn rampart() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rampart"));
    command.current_dir(repo()).env("RAMPART_CACHE_DIR", shared_cache()).env_remove("NO_COLOR");
    command
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }
}

pub fn run(command: &mut Command) -> Run {
    let Output { status, stdout, stderr } = command.output().expect("rampart runs");
    Run {
        code: status.code().expect("rampart exits normally, not by a signal"),
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
    }
}

/// Builds the hostile test plugins under plugins/testing once per test binary and returns
/// the component of one of them.
pub fn test_plugin(package: &str) -> PathBuf {
    static BUILT: OnceLock<Vec<rampart_plugin_build::BuiltPlugin>> = OnceLock::new();
    const PACKAGES: &[&str] =
        &["spin", "hog", "panicky", "flood", "bad-node", "sneaky", "old-contract", "marker"];
    let built = BUILT.get_or_init(|| {
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-plugins");
        rampart_plugin_build::build(&repo().join("plugins"), PACKAGES, &target)
            .unwrap_or_else(|e| panic!("could not build the test plugins: {e:#}"))
    });
    built
        .iter()
        .find(|p| p.package == package)
        .unwrap_or_else(|| panic!("no test plugin {package}"))
        .component
        .clone()
}

/// The findings of a JSON report as `(path, line, column, rule, severity)`.
pub fn finding_rows(report: &serde_json::Value) -> Vec<(String, u64, u64, String, String)> {
    let text = |v: &serde_json::Value| v.as_str().expect("a string field").to_owned();
    let number = |v: &serde_json::Value| v.as_u64().expect("a number field");
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            (
                text(&f["path"]),
                number(&f["line"]),
                number(&f["column"]),
                text(&f["rule"]),
                text(&f["severity"]),
            )
        })
        .collect()
}

/// The findings of a JSON report as `(path, line, column, rule)`.
pub fn finding_keys(report: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    finding_rows(report).into_iter().map(|(path, line, column, rule, _)| (path, line, column, rule)).collect()
}
