//! The seed deployment specifications' Dockerfiles (fixtures/seeds/) are judged as their
//! authors would expect: only the nginx frontend of 000 runs as root.

mod support;

use support::{rampart, run};

#[test]
fn only_the_nginx_frontend_runs_as_root() {
    let out = run(rampart().args(["scan", "fixtures/seeds", "--format", "json"]));
    assert_eq!(out.code, 1, "a high finding fails the scan\n{}", out.stderr);
    let report = out.json();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    let f = &findings[0];
    assert_eq!(f["rule"], "non-root/dockerfile-user");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["path"], "fixtures/seeds/000-masterx/frontend.Dockerfile");
    // `FROM nginx:alpine` is line 11 of the file.
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(11), Some(1)));
    assert_eq!((f["end_line"].as_u64(), f["end_column"].as_u64()), (Some(11), Some(18)));
    assert_eq!(f["plugin"], "non-root");
    assert!(f["message"].as_str().unwrap().contains("nginx:alpine"));
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    // Four Dockerfiles, the two env files and the Kubernetes deployment of 001, and the
    // Compose-style ECS task definition of 000 (CI workflows and architecture notes are not
    // infrastructure formats).
    assert_eq!(report["summary"]["files"], 8);
}

#[test]
fn the_backend_images_pass() {
    for path in [
        "fixtures/seeds/000-masterx/backend.Dockerfile",
        "fixtures/seeds/001-course-companion/backend.Dockerfile",
        "fixtures/seeds/001-course-companion/frontend.Dockerfile",
    ] {
        let out = run(rampart().args(["scan", path, "--format", "json"]));
        assert_eq!(out.code, 0, "{path}: {}", out.stdout);
        assert_eq!(out.json()["findings"].as_array().unwrap().len(), 0, "{path}");
        assert_eq!(out.json()["summary"]["files"], 1, "{path}");
    }
}

#[test]
fn human_output_shows_the_snippet_rule_severity_and_fix() {
    let out =
        run(rampart().args(["scan", "fixtures/seeds/000-masterx/frontend.Dockerfile", "--color", "never"]));
    assert_eq!(out.code, 1);
    for expected in [
        "non-root/dockerfile-user (high)",
        "[fixtures/seeds/000-masterx/frontend.Dockerfile:11:1]",
        "11 │ FROM nginx:alpine",
        "─────────────────",
        "fix: Create an unprivileged user",
        "why: A process running as root",
        "1 finding (1 high) in 1 file; 0 errors",
    ] {
        assert!(out.stdout.contains(expected), "missing {expected:?} in:\n{}", out.stdout);
    }
}
