//! A policy author's whole loop, outside this repository: `rampart plugin new` scaffolds a
//! crate in a temporary directory, `plugin test` builds it and checks its fixtures, `plugin
//! build` and `plugin inspect` make and describe the component, and `scan --plugin` runs it
//! next to the built-in plugins. Offline: cargo resolves the scaffold's dependencies from
//! the local registry cache that building rampart's own plugins filled.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{rampart, repo, run};

/// `rampart` in `dir`, with cargo kept offline and the scaffold's build output in a target
/// directory the test runs share (the crate's dependencies compile once).
fn rampart_in(dir: &Path) -> Command {
    let mut command = rampart();
    command
        .current_dir(dir)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("scaffold-target"))
        // The test's own build settings are for the host, not for the plugin.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET");
    command
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn scaffold_build_test_inspect_and_scan_from_outside_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(!tmp.path().starts_with(repo()), "the crate must live outside the repository");
    let krate = tmp.path().join("acme-policies");

    let out = run(rampart_in(tmp.path()).args(["plugin", "new", "acme-policies"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("with the rule acme/approved-registry"), "{}", out.stdout);
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "src/approved_registry.rs",
        "fixtures/acme/approved-registry/fail/deployment.yaml",
        "fixtures/acme/approved-registry/with-mirror/pack.toml",
        "vendor/rampart-plugin-sdk/Cargo.toml",
        "vendor/rampart-plugin-sdk/wit/rampart-plugin.wit",
    ] {
        assert!(krate.join(file).is_file(), "{file} was not written");
    }

    // Build and check every rule against its fixtures: the default parameters and the
    // `with-mirror` variant.
    let out = run(rampart_in(&krate).args(["plugin", "test"]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("ok      acme/approved-registry  6 cases, 1 parameter variant"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("the rule passes its fixtures"), "{}", out.stdout);

    // `plugin build` prints where the component is; its sha256 is the file's.
    let out = run(rampart_in(&krate).args(["plugin", "build"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let component = PathBuf::from(out.stdout.trim());
    let wasm = std::fs::read(&component).unwrap();
    let sha256 = sha256_hex(&wasm);
    assert!(out.stderr.contains(&format!("(sha256 {sha256})")), "{}", out.stderr);

    let out = run(rampart_in(&krate).args(["plugin", "inspect"]).arg(&component));
    assert_eq!(out.code, 0, "{}", out.stderr);
    for expected in [
        "acme-policies 0.1.0: Our organisation's infrastructure policies.",
        &format!("sha256    {sha256}"),
        "contract  0.3.0 (this rampart speaks 0.3.0)",
        "acme/approved-registry  medium    dockerfile,kubernetes",
        "registries = [\"registry.example.com/\"]",
        &format!("sha256 = \"{sha256}\""),
    ] {
        assert!(out.stdout.contains(expected), "missing {expected:?} in:\n{}", out.stdout);
    }
    let out = run(rampart_in(&krate).args(["plugin", "inspect", "--format", "json"]).arg(&component));
    let json = out.json();
    assert_eq!(json["name"], "acme-policies");
    assert_eq!(json["contract"], "0.3.0");
    assert_eq!(json["rules"][0]["id"], "acme/approved-registry");

    // The plugin scans next to the built-in plugins, from anywhere.
    let out = run(rampart_in(&krate)
        .args(["scan", "fixtures/acme/approved-registry/fail", "--format", "json", "--fail-on", "medium"])
        .arg("--plugin")
        .arg(&component));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let mine: Vec<(String, u64, u64)> = support::finding_rows(&out.json())
        .into_iter()
        .filter(|row| row.3 == "acme/approved-registry")
        .map(|(path, line, column, ..)| (path, line, column))
        .collect();
    let fail = "fixtures/acme/approved-registry/fail";
    assert_eq!(
        mine,
        [
            (format!("{fail}/Dockerfile"), 2, 6),
            (format!("{fail}/deployment.yaml"), 11, 18),
            (format!("{fail}/deployment.yaml"), 15, 18),
        ]
    );

    // A finding the fixtures do not mark fails the test, and the diff says where.
    let case = krate.join("fixtures/acme/approved-registry/fail/deployment.yaml");
    let text = std::fs::read_to_string(&case).unwrap();
    std::fs::write(&case, text.replacen("          # expect: acme/approved-registry @18\n", "", 1)).unwrap();
    let out = run(rampart_in(&krate).args(["plugin", "test", "--wasm"]).arg(&component));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(
            "+ fixtures/acme/approved-registry/fail/deployment.yaml:10:18 acme/approved-registry medium   \
             reported, not marked: init container `migrate` of Deployment/web runs `docker.io/library/postgres:16`"
        ),
        "{}",
        out.stdout
    );

    std::fs::write(&case, text).unwrap();

    // Plain `cargo build` makes a core module; rampart says what to do with it.
    let core = component.parent().unwrap().join("../wasm32-unknown-unknown/release/acme_policies.wasm");
    let out = run(rampart_in(&krate).args(["scan", "fixtures", "--plugin"]).arg(&core));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is a core WebAssembly module, not a component"), "{}", out.stderr);
    assert!(out.stderr.contains("rampart plugin build"), "{}", out.stderr);

    // docs/plugin-guide.md, section 6: its second rule, written as the guide says, passes
    // its fixtures next to the first.
    for (path, text) in guide_files() {
        let file = krate.join(&path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
    }
    let out = run(rampart_in(&krate).args(["plugin", "test"]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("ok      acme/owner-tag          4 cases, 1 parameter variant"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("all 2 rules pass their fixtures"), "{}", out.stdout);
}

/// The code blocks of docs/plugin-guide.md that name a file (```rust file=src/owner_tag.rs).
fn guide_files() -> Vec<(String, String)> {
    let guide = std::fs::read_to_string(repo().join("docs/plugin-guide.md")).unwrap();
    let mut files = Vec::new();
    let mut lines = guide.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line.strip_prefix("```").and_then(|info| info.split_once(" file=")).map(|(_, p)| p)
        else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        files.push((path.to_owned(), body.join("\n") + "\n"));
    }
    assert!(files.len() >= 6, "the guide's files: {files:?}");
    files
}

#[test]
fn new_refuses_bad_names_and_occupied_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(rampart_in(tmp.path()).args(["plugin", "new", "Acme_Policies"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is not a crate name"), "{}", out.stderr);

    let out = run(rampart_in(tmp.path()).args(["plugin", "new", "acme", "--family", "rampart"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("reserved"), "{}", out.stderr);

    std::fs::create_dir(tmp.path().join("taken")).unwrap();
    std::fs::write(tmp.path().join("taken/keep.txt"), "mine").unwrap();
    let out = run(rampart_in(tmp.path()).args(["plugin", "new", "acme", "--path", "taken"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("exists and is not empty"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(tmp.path().join("taken/keep.txt")).unwrap(), "mine");
}

/// `--sdk` depends on a checkout of the SDK instead of writing a copy.
#[test]
fn new_with_sdk_depends_on_the_checkout() {
    let tmp = tempfile::tempdir().unwrap();
    let sdk = repo().join("plugins/sdk");
    let out = run(rampart_in(tmp.path()).args(["plugin", "new", "org-rules", "--sdk"]).arg(&sdk));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let manifest: toml::Table =
        std::fs::read_to_string(tmp.path().join("org-rules/Cargo.toml")).unwrap().parse().unwrap();
    let dependency = &manifest["dependencies"]["rampart-plugin-sdk"];
    assert_eq!(dependency["path"].as_str(), Some(sdk.to_str().unwrap()));
    assert!(!tmp.path().join("org-rules/vendor").exists());
    assert!(tmp.path().join("org-rules/fixtures/org/approved-registry/pass/Dockerfile").is_file());
}
