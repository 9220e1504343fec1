//! The five seed deployment specifications (fixtures/seeds/, and their Terraform in
//! fixtures/terraform/seeds/) are judged as a careful reviewer would: exactly the findings
//! written down, with their reasons, in fixtures/seeds/expected-<pack>.txt, under the
//! baseline and the production pack; and the two scans differ only in rules whose settings
//! the production pack changes.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use support::{rampart, repo, run};

/// (place `path:line:column`, rule, severity)
type Row = (String, String, String);

const SEEDS: [&str; 2] = ["fixtures/seeds", "fixtures/terraform/seeds"];

fn scan(pack: &str) -> (Vec<Row>, serde_json::Value) {
    let out =
        run(rampart().args(["scan", "--format", "json", "--fail-on", "none", "--policy", pack]).args(SEEDS));
    assert_eq!(out.code, 0, "no errors on the seeds under {pack}: {}", out.stdout);
    let report = out.json();
    let mut rows: Vec<Row> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let place = format!("{}:{}:{}", f["path"].as_str().unwrap(), f["line"], f["column"]);
            (place, f["rule"].as_str().unwrap().to_owned(), f["severity"].as_str().unwrap().to_owned())
        })
        .collect();
    rows.sort();
    (rows, report)
}

fn expected(pack: &str) -> Vec<Row> {
    let path = repo().join(format!("fixtures/seeds/expected-{pack}.txt"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut rows: Vec<Row> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (fields, why) = line.split_once('#').unwrap_or_else(|| panic!("no reason given: {line}"));
            assert!(!why.trim().is_empty(), "no reason given: {line}");
            let fields: Vec<&str> = fields.split_whitespace().collect();
            let [place, rule, severity] = fields[..] else {
                panic!("expected `place rule severity # why`: {line}")
            };
            (place.to_owned(), rule.to_owned(), severity.to_owned())
        })
        .collect();
    rows.sort();
    rows
}

fn assert_same(pack: &str, actual: &[Row], expected: &[Row]) {
    let missing: Vec<&Row> = expected.iter().filter(|r| !actual.contains(r)).collect();
    let unexpected: Vec<&Row> = actual.iter().filter(|r| !expected.contains(r)).collect();
    assert!(
        actual == expected,
        "under {pack}:\nexpected but not reported: {missing:#?}\nreported but not expected: {unexpected:#?}"
    );
}

#[test]
fn the_seeds_get_exactly_the_expected_findings_under_baseline_and_production() {
    for pack in ["baseline", "production"] {
        let (actual, report) = scan(pack);
        assert_same(pack, &actual, &expected(pack));
        // The seeds' secrets never appear in full in any message.
        let text = report.to_string();
        for secret in ["super_secret_production_key_here", "sk-production-key-here", "user:password@"] {
            assert!(!text.contains(secret), "{secret} shown in the {pack} report");
        }
    }
}

/// Every rule's settings (enabled, severity, parameters) under a pack.
fn settings(pack: &str) -> BTreeMap<String, String> {
    let out = run(rampart().args(["rules", "--format", "json", "--policy", pack]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["in_force"].to_string()))
        .collect()
}

#[test]
fn production_differs_from_baseline_only_where_its_settings_differ() {
    let (baseline, _) = scan("baseline");
    let (production, _) = scan("production");
    let (before, after) = (settings("baseline"), settings("production"));
    let changed: BTreeSet<&String> = before.keys().filter(|id| before[*id] != after[*id]).collect();
    assert!(changed.iter().any(|id| id.starts_with("backup/")), "production sets min_retention_days");

    let only_in =
        |a: &[Row], b: &[Row]| -> Vec<Row> { a.iter().filter(|r| !b.contains(r)).cloned().collect() };
    let differences: Vec<Row> =
        only_in(&baseline, &production).into_iter().chain(only_in(&production, &baseline)).collect();
    assert!(!differences.is_empty());
    for (place, rule, severity) in &differences {
        assert!(
            changed.contains(rule),
            "{place} {rule} {severity} differs, but production does not change {rule}"
        );
    }
    // The seed 003 RDS keeps backups 7 days: enough for baseline, not for production.
    let rds = |rows: &[Row]| {
        rows.iter().any(|(place, rule, _)| {
            place == "fixtures/terraform/seeds/003-storymagic/database.tf:59:31"
                && rule == "backup/db-backup-retention"
        })
    };
    assert!(!rds(&baseline) && rds(&production));
}

#[test]
fn a_single_dockerfile_scan_reports_only_its_own_findings() {
    for (path, expected) in [
        ("fixtures/seeds/000-masterx/backend.Dockerfile", 0),
        ("fixtures/seeds/001-course-companion/backend.Dockerfile", 1),
        ("fixtures/seeds/001-course-companion/frontend.Dockerfile", 1),
    ] {
        let out = run(rampart().args(["scan", path, "--format", "json"]));
        assert_eq!(out.code, 0, "{path}: only a low finding (no HEALTHCHECK) at most: {}", out.stdout);
        let report = out.json();
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(findings.len(), expected, "{path}: {report:#}");
        assert!(findings.iter().all(|f| f["rule"] == "hygiene/dockerfile-healthcheck"), "{path}");
        assert_eq!(report["summary"]["files"], 1, "{path}");
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
        "2 findings (1 high, 1 low) in 1 file; 0 errors",
    ] {
        assert!(out.stdout.contains(expected), "missing {expected:?} in:\n{}", out.stdout);
    }
}

#[test]
fn secrets_are_masked_in_human_output_too() {
    let out = run(rampart().args([
        "scan",
        "fixtures/seeds/001-course-companion/.env.production",
        "--color",
        "never",
        "--rule",
        "secrets/*",
    ]));
    assert_eq!(out.code, 1);
    let env =
        std::fs::read_to_string(repo().join("fixtures/seeds/001-course-companion/.env.production")).unwrap();
    let secret_line = env.lines().find(|l| l.starts_with("SECRET_KEY=")).unwrap();
    let secret = &secret_line["SECRET_KEY=".len()..];
    assert!(secret.len() > 8);
    assert!(!out.stdout.contains(secret), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("SECRET_KEY={}****", &secret[..4])), "{}", out.stdout);
}
