//! Hostile plugins, built from source under plugins/testing/, cannot crash rampart, hang it,
//! exhaust its memory or smuggle in ambient authority. Each failure is an engine error that
//! names the plugin (exit code 3), and the built-in plugin's findings are still reported.

mod support;

use support::{Run, rampart, run, test_plugin};

const FRONTEND: &str = "fixtures/seeds/000-masterx/frontend.Dockerfile";

fn scan_with(plugin: &str, extra: &[&str]) -> Run {
    let component = test_plugin(plugin);
    let mut command = rampart();
    command.args(["scan", "fixtures/seeds", "--format", "json", "--plugin"]).arg(component).args(extra);
    run(&mut command)
}

/// The built-in rule still reports the seed's root frontend.
fn assert_builtin_finding_survives(out: &Run) {
    let report = out.json();
    let builtin: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "non-root/dockerfile-user")
        .collect();
    assert_eq!(builtin.len(), 1, "{report:#}");
    assert_eq!(builtin[0]["path"], FRONTEND);
}

fn plugin_errors(out: &Run) -> Vec<(String, String)> {
    out.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["kind"], "plugin", "{e}");
            (e["path"].as_str().unwrap_or("").to_owned(), e["message"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn an_endless_loop_times_out_and_is_switched_off_after_three_files() {
    // One worker, so that no call is already in flight when the plugin is switched off.
    let out = scan_with("spin", &["--plugin-timeout", "0.3", "--jobs", "1"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    let errors = plugin_errors(&out);
    // Four files; the plugin is switched off after its third time-out.
    assert_eq!(errors.len(), 3, "{errors:#?}");
    for (_, message) in &errors {
        assert!(message.starts_with("plugin `spin` timed out after 300ms"), "{message}");
    }
    let switched_off = errors.iter().filter(|(_, m)| m.contains("not run on the remaining files")).count();
    assert_eq!(switched_off, 1, "{errors:#?}");
    assert_builtin_finding_survives(&out);
}

#[test]
fn unbounded_allocation_hits_the_memory_cap() {
    let out = scan_with("hog", &["--plugin-memory", "16"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    let errors = plugin_errors(&out);
    assert_eq!(errors.len(), 4, "one per file: {errors:#?}");
    for (_, message) in &errors {
        assert!(message.starts_with("plugin `hog` exceeded its memory limit of 16 MiB"), "{message}");
    }
    assert_builtin_finding_survives(&out);
}

#[test]
fn a_panic_is_reported_with_its_message() {
    let out = scan_with("panicky", &[]);
    assert_eq!(out.code, 3);
    let errors = plugin_errors(&out);
    assert_eq!(errors.len(), 4, "{errors:#?}");
    for (path, message) in &errors {
        assert!(message.starts_with("plugin `panicky` panicked: "), "{message}");
        assert!(message.contains(&format!("the hostile plugin gave up on {path}")), "{message}");
    }
    assert_builtin_finding_survives(&out);
}

#[test]
fn a_flood_of_findings_is_bounded() {
    let out = scan_with("flood", &[]);
    assert_eq!(out.code, 3);
    let report = out.json();
    let flood = report["findings"].as_array().unwrap().iter().filter(|f| f["plugin"] == "flood").count();
    assert_eq!(flood, 4 * 1000, "1,000 kept per file");
    let errors = plugin_errors(&out);
    assert_eq!(errors.len(), 4);
    for (_, message) in &errors {
        assert_eq!(
            message,
            "plugin `flood` returned 100000 findings for one file; only the first 1000 are kept"
        );
    }
    assert_builtin_finding_survives(&out);
}

#[test]
fn findings_about_missing_nodes_or_undeclared_rules_are_errors() {
    let out = scan_with("bad-node", &[]);
    assert_eq!(out.code, 3);
    let report = out.json();
    let kept: Vec<_> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["plugin"] == "bad-node").collect();
    assert_eq!(kept.len(), 4, "the well-formed finding of each file is kept");
    assert!(kept.iter().all(|f| f["message"] == "a well-formed finding" && f["line"] == 1));
    let errors = plugin_errors(&out);
    assert_eq!(errors.len(), 8, "{errors:#?}");
    assert_eq!(errors.iter().filter(|(_, m)| m.contains("malformed finding: it names node")).count(), 4);
    assert_eq!(
        errors
            .iter()
            .filter(|(_, m)| m.contains("rule `hygiene/never-declared` is not one the plugin declares"))
            .count(),
        4
    );
    assert_builtin_finding_survives(&out);
}

#[test]
fn a_plugin_importing_wasi_is_refused_at_load_time() {
    let out = scan_with("sneaky", &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stdout.is_empty(), "nothing is scanned");
    assert!(out.stderr.contains("was refused: it imports `wasi:cli/environment@0.2.0`"), "{}", out.stderr);
    assert!(out.stderr.contains("no WASI and no ambient authority"), "{}", out.stderr);
}

#[test]
fn a_plugin_from_another_contract_version_is_refused_naming_both_versions() {
    let out = scan_with("old-contract", &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("built against plugin contract 0.9.0, but this rampart speaks contract 0.3.0"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_file_that_is_not_a_component_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("bogus.wasm");
    std::fs::write(&bogus, b"\0asm\x01\0\0\0garbage").unwrap();
    let out = run(rampart().args(["scan", "fixtures/seeds", "--plugin"]).arg(&bogus));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("bogus.wasm was refused: it is not a valid WebAssembly component"),
        "{}",
        out.stderr
    );
}
