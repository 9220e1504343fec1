//! Every built-in rule matches its marked fixtures and its rendered-diagnostic snapshot under
//! `fixtures/rules/<rule-id>/`, checked by `rampart plugin test --builtin` (the conventions are
//! in engine/cli/src/authoring/fixtures.rs; third-party plugins use the same command).
//!
//! `RAMPART_UPDATE_SNAPSHOTS=1` rewrites the snapshots instead of comparing them.

mod support;

use support::{rampart, repo, run};

#[test]
fn every_rule_matches_its_marked_fixtures_and_snapshot() {
    let update = std::env::var_os("RAMPART_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let mut command = rampart();
    command.args(["plugin", "test", ".", "--builtin", "--fixtures", "fixtures/rules"]);
    if update {
        command.arg("--update-snapshots");
    }
    let out = run(&mut command);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("rules pass their fixtures"), "{}", out.stdout);
    // A built-in rule's snapshot is required, not only compared when present.
    let without_snapshot: Vec<&str> =
        out.stdout.lines().filter(|l| l.starts_with("ok ") && !l.contains("snapshot")).collect();
    assert!(
        without_snapshot.is_empty(),
        "built-in rules without snapshot.txt:\n{}",
        without_snapshot.join("\n")
    );
}

/// The harness itself: a wrong marker, an unmarked finding, a fixture directory of no rule
/// and a stale snapshot each fail the run (exit 1) and are shown.
#[test]
fn mismatches_fail_the_run_and_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = dir.path().join("fixtures");
    let source = repo().join("fixtures/rules/hygiene/image-latest-tag");
    let target = fixtures.join("hygiene/image-latest-tag");
    copy_dir(&source, &target);
    // Move one marker to the wrong line: one finding is then marked but not reported, and
    // the real one is reported but not marked.
    let case = target.join("fail/latest-tag.Dockerfile");
    let marker = "# expect: hygiene/image-latest-tag @6\n";
    let text = std::fs::read_to_string(&case).unwrap();
    assert!(text.starts_with(marker), "the fixture changed: {text}");
    std::fs::write(&case, format!("{}\n{marker}FROM scratch\n", &text[marker.len()..])).unwrap();
    std::fs::write(target.join("snapshot.txt"), "stale\n").unwrap();
    std::fs::create_dir_all(fixtures.join("hygiene/renamed-rule/pass")).unwrap();

    let out = run(rampart().current_dir(dir.path()).args([
        "plugin",
        "test",
        ".",
        "--builtin",
        "--fixtures",
        "fixtures",
        "--rule",
        "hygiene/*",
    ]));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("FAILED  hygiene/image-latest-tag"), "{}", out.stdout);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("- fixtures/hygiene/image-latest-tag/fail/latest-tag.Dockerfile:")
                && l.ends_with("marked, not reported")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("+ fixtures/hygiene/image-latest-tag/fail/latest-tag.Dockerfile:1:6 ")
                && l.contains("reported, not marked: ")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("snapshot.txt differs from the rendered report"), "{}", out.stdout);
    assert!(out.stdout.contains("    - stale"), "{}", out.stdout);
    // Rules without fixtures fail; with --rule, only the selected rules are checked.
    assert!(out.stdout.contains("FAILED  hygiene/k8s-probes"), "{}", out.stdout);
    assert!(
        out.stdout.contains("no fixtures: fixtures/hygiene/k8s-probes/ does not exist"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("tls/"), "{}", out.stdout);

    // Without --rule, fixtures that belong to no rule are reported too.
    let out = run(rampart().current_dir(dir.path()).args(["plugin", "test", ".", "--builtin"]));
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains(
            "FAILED  fixtures/hygiene/renamed-rule/: fixtures of a rule the plugin does not declare"
        ),
        "{}",
        out.stdout
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}
