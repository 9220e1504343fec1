//! Suppressions, baselines and the config file, as a user meets them: what is waived, what
//! is reported instead, and what the exit code says.

mod support;

use std::path::Path;

use support::{rampart, run};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository of its own, so config discovery stops at its root.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn scan_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = run(rampart().current_dir(dir).args(["scan", "--format", "json"]).args(args));
    let json = out.json();
    (out.code, json, out.stderr)
}

/// `(rule, line, suppression kind or "")` of every finding.
fn rows(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let kind = f["suppression"]["kind"].as_str().unwrap_or("").to_owned();
            (f["rule"].as_str().unwrap().to_owned(), f["line"].as_u64().unwrap(), kind)
        })
        .collect()
}

const ROOT_IMAGE: &str = "FROM alpine:3.20\nHEALTHCHECK CMD true\nRUN apk add curl\n";

#[test]
fn an_inline_suppression_waives_the_finding_and_keeps_it_visible() {
    let dir = repo();
    let text =
        format!("# rampart:ignore non-root/dockerfile-user -- build image, never deployed\n{ROOT_IMAGE}");
    write(dir.path(), "Dockerfile", &text);
    let (code, report, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "the only high finding is waived: {report:#}");
    assert_eq!(rows(&report), [("non-root/dockerfile-user".into(), 2, "inline".into())]);
    let waiver = &report["findings"][0]["suppression"];
    assert_eq!(waiver["justification"], "build image, never deployed");
    assert_eq!(waiver["line"], 1);
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["suppressed"], 1);

    let human = run(rampart().current_dir(dir.path()).args(["scan", "--color", "never"]));
    assert_eq!(human.code, 0);
    assert!(!human.stdout.contains("never sets USER"), "not shown to people: {}", human.stdout);
    assert!(human.stdout.contains("no findings in 1 file; 0 errors; 1 suppressed"), "{}", human.stdout);
}

#[test]
fn without_a_reason_or_after_expiry_a_suppression_waives_nothing() {
    let dir = repo();
    write(dir.path(), "a/Dockerfile", &format!("# rampart:ignore non-root/dockerfile-user\n{ROOT_IMAGE}"));
    write(
        dir.path(),
        "b/Dockerfile",
        &format!(
            "# rampart:ignore non-root/dockerfile-user expires=2001-01-01 -- until the rewrite\n{ROOT_IMAGE}"
        ),
    );
    write(
        dir.path(),
        "c/Dockerfile",
        &format!(
            "# rampart:ignore non-root/dockerfile-user expires=2999-12-31 -- until the rewrite\n{ROOT_IMAGE}"
        ),
    );
    let (code, report, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1, "the unwaived root findings fail the gate");
    let rows = rows(&report);
    assert!(rows.contains(&("rampart/suppression-without-reason".into(), 1, String::new())), "{rows:?}");
    assert!(rows.contains(&("rampart/suppression-expired".into(), 1, String::new())), "{rows:?}");
    let user: Vec<_> = rows.iter().filter(|r| r.0 == "non-root/dockerfile-user").collect();
    assert_eq!(user.len(), 3, "{rows:?}");
    assert_eq!(user.iter().filter(|r| r.2 == "inline").count(), 1, "only c's is waived: {rows:?}");
    let expired = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "rampart/suppression-expired")
        .unwrap();
    assert_eq!(expired["path"], "b/Dockerfile");
    assert!(expired["message"].as_str().unwrap().contains("expired on 2001-01-01"), "{expired}");
}

#[test]
fn a_suppression_that_matches_nothing_is_reported_as_unused() {
    let dir = repo();
    write(
        dir.path(),
        "Dockerfile",
        "FROM alpine:3.20\nHEALTHCHECK CMD true\n# rampart:ignore non-root/dockerfile-user -- was root once\nUSER 10001\n",
    );
    let (code, report, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "low severity: {report:#}");
    assert_eq!(rows(&report), [("rampart/suppression-unused".into(), 3, String::new())]);
    // Not when the rule did not run: the marker may well be needed.
    let (_, report, _) = scan_json(dir.path(), &["--rule", "hygiene/*"]);
    assert_eq!(rows(&report), []);
}

#[test]
fn the_config_can_forbid_suppressing_chosen_rules_and_severities() {
    let dir = repo();
    write(
        dir.path(),
        "Dockerfile",
        &format!("# rampart:ignore non-root/dockerfile-user -- trust me\n{ROOT_IMAGE}"),
    );
    write(dir.path(), "rampart.toml", "[suppressions]\nforbid-rules = [\"non-root/*\"]\n");
    let (code, report, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1, "the finding stands: {report:#}");
    let rows = rows(&report);
    assert!(rows.contains(&("non-root/dockerfile-user".into(), 2, String::new())), "{rows:?}");
    assert!(rows.contains(&("rampart/suppression-forbidden".into(), 1, String::new())), "{rows:?}");

    write(dir.path(), "rampart.toml", "[suppressions]\nforbid-severities = [\"high\"]\n");
    let (code, _, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    write(dir.path(), "rampart.toml", "[suppressions]\nforbid-severities = [\"medium\"]\n");
    let (code, _, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "a high finding may still be waived");

    write(dir.path(), "rampart.toml", "[suppressions]\nforbid-rules = [\"non-root/nope\"]\n");
    let out = run(rampart().current_dir(dir.path()).args(["scan"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("rampart.toml:2:17: no loaded rule matches `non-root/nope`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_baseline_reports_only_new_findings_and_lists_what_went_away() {
    let dir = repo();
    write(dir.path(), "api/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "web/Dockerfile", ROOT_IMAGE);
    let baseline = dir.path().join("baseline.json");
    let out = run(rampart()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--write-baseline"])
        .arg(&baseline));
    assert_eq!(out.code, 0, "everything current is accepted: {}", out.stderr);
    let recorded: serde_json::Value = serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    assert_eq!(recorded["findings"].as_array().unwrap().len(), 2);

    // Unrelated edits keep the old findings matched; a new file brings a new finding; a
    // fixed file leaves an entry that no longer occurs.
    write(dir.path(), "api/Dockerfile", &format!("# the API image\n\n{ROOT_IMAGE}"));
    write(dir.path(), "web/Dockerfile", "FROM alpine:3.20\nHEALTHCHECK CMD true\nUSER 10001\n");
    write(dir.path(), "worker/Dockerfile", ROOT_IMAGE);
    let (code, report, _) = scan_json(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 1, "the worker's finding is new: {report:#}");
    let active: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppression"].is_null())
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(active, ["worker/Dockerfile"]);
    let waived =
        report["findings"].as_array().unwrap().iter().find(|f| f["path"] == "api/Dockerfile").unwrap();
    assert_eq!(waived["suppression"]["kind"], "baseline");
    assert_eq!(report["baseline"]["matched"], 1);
    let resolved = report["baseline"]["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0]["path"], "web/Dockerfile");

    let human = run(rampart().current_dir(dir.path()).args([
        "scan",
        "--color",
        "never",
        "--baseline",
        "baseline.json",
    ]));
    assert!(human.stdout.contains("no longer found (in the baseline baseline.json"), "{}", human.stdout);
    assert!(human.stdout.contains("  non-root/dockerfile-user web/Dockerfile:1:"), "{}", human.stdout);

    std::fs::write(&baseline, "{\"version\": 1, \"tool\": \"x\", \"findings\": [{}]}").unwrap();
    let out = run(rampart().current_dir(dir.path()).args(["scan", "--baseline", "baseline.json"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid baseline baseline.json:1:"), "{}", out.stderr);
}

#[test]
fn the_config_is_found_from_the_scanned_path_upwards_and_flags_win() {
    let dir = repo();
    write(dir.path(), "svc/Dockerfile", ROOT_IMAGE);
    write(
        dir.path(),
        "rampart.toml",
        "[scan]\nfail-on = \"none\"\n\n[rules.\"non-root/dockerfile-user\"]\nseverity = \"critical\"\n",
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let path = dir.path().join("svc");
    let out = run(rampart().current_dir(elsewhere.path()).args(["scan", "--format", "json"]).arg(&path));
    assert_eq!(out.code, 0, "fail-on none from the repository's config: {}", out.stderr);
    assert_eq!(out.json()["findings"][0]["severity"], "critical", "the config's [rules] apply");
    let out = run(rampart().current_dir(elsewhere.path()).args(["scan", "--fail-on", "high"]).arg(&path));
    assert_eq!(out.code, 1, "the flag wins over the config");

    // A repository boundary stops the search.
    let inner = dir.path().join("vendor/lib");
    write(&inner, "Dockerfile", ROOT_IMAGE);
    std::fs::create_dir(dir.path().join("vendor/.git")).unwrap();
    let out = run(rampart().current_dir(elsewhere.path()).args(["scan"]).arg(&inner));
    assert_eq!(out.code, 1, "the outer repository's config does not apply: {}", out.stderr);

    write(dir.path(), "rampart.toml", "[rules.\"non-root/dockerfile-user\"]\nseverity = \"severe\"\n");
    let out = run(rampart().current_dir(elsewhere.path()).args(["scan"]).arg(&path));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("rampart.toml:2:12"), "{}", out.stderr);
}

#[test]
fn a_plugin_pinned_by_sha256_is_refused_when_it_differs() {
    let dir = repo();
    write(dir.path(), "Dockerfile", ROOT_IMAGE);
    let plugin = support::test_plugin("marker");
    let actual = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(&plugin).unwrap()))
    };
    let config =
        |sha: &str| format!("[[plugins.load]]\npath = {:?}\nsha256 = \"{sha}\"\n", plugin.to_str().unwrap());
    write(dir.path(), "rampart.toml", &config(&actual));
    let out = run(rampart().current_dir(dir.path()).args(["scan", "--format", "json"]));
    assert!(out.code == 0 || out.code == 1, "the pinned build loads: {}", out.stderr);
    write(dir.path(), "rampart.toml", &config(&"0".repeat(64)));
    let out = run(rampart().current_dir(dir.path()).args(["scan"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!("its sha256 is {actual}, but the config pins 0000")),
        "{}",
        out.stderr
    );
}

#[test]
fn several_reports_in_one_run_each_to_its_own_place() {
    let dir = repo();
    write(dir.path(), "Dockerfile", ROOT_IMAGE);
    let out = run(rampart().current_dir(dir.path()).args([
        "scan",
        "--format",
        "json",
        "--output",
        "report.json",
        "--format",
        "github",
        "--format",
        "human",
        "--output",
        "report.txt",
        "--color",
        "always",
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("::error file=Dockerfile,line=1"),
        "github goes to stdout: {}",
        out.stdout
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(json["findings"][0]["rule"], "non-root/dockerfile-user");
    let text = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(text.contains("never sets USER") && !text.contains('\u{1b}'), "no colour in a file: {text}");

    let out = run(rampart().current_dir(dir.path()).args(["scan", "--format", "json", "--format", "human"]));
    assert_eq!(out.code, 2, "two reports cannot share stdout");
    assert!(out.stderr.contains("only one report can go to standard output"), "{}", out.stderr);

    write(dir.path(), "rampart.toml", "[[output]]\nformat = \"json\"\nfile = \"from-config.json\"\n");
    let out = run(rampart().current_dir(dir.path()).args(["scan"]));
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty() && dir.path().join("from-config.json").is_file());
}

#[test]
fn a_named_tf_or_tfvars_file_scans_its_module_even_at_the_root() {
    // What a pre-commit hook passes: bare names relative to the repository root.
    let dir = repo();
    write(
        dir.path(),
        "main.tf",
        "resource \"aws_db_instance\" \"orders\" {\n  engine = \"postgres\"\n  publicly_accessible = var.public\n}\n",
    );
    write(dir.path(), "variables.tf", "variable \"public\" {\n  type = bool\n}\n");
    write(dir.path(), "terraform.tfvars", "public = true\n");
    for named in ["main.tf", "terraform.tfvars"] {
        let (code, report, stderr) = scan_json(dir.path(), &["--rule", "network/*", named]);
        assert_eq!(code, 1, "{named}: {stderr}\n{report:#}");
        let rows = rows(&report);
        assert!(rows.iter().any(|r| r.0.starts_with("network/") && r.1 == 3), "{named}: {rows:?}");
        assert!(!stderr.contains("skipped"), "{named}: {stderr}");
    }
}

#[test]
fn progress_is_shown_on_a_terminal_only_and_not_with_quiet() {
    // `script` (util-linux) runs the command on a pseudo-terminal and copies what it writes.
    // Scanning every fixture takes well over the 400 ms before progress appears.
    let out = tempfile::tempdir().unwrap();
    let in_terminal = |extra: &str| {
        let command = format!(
            "{} scan fixtures --fail-on none --format json --output {} {extra}",
            env!("CARGO_BIN_EXE_rampart"),
            out.path().join("r.json").display()
        );
        let output = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(support::repo())
            .env("RAMPART_CACHE_DIR", support::shared_cache())
            .output()
            .expect("`script` (util-linux) runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let shown = in_terminal("");
    assert!(shown.contains("scanning: ") && shown.contains(" files"), "{shown:?}");
    assert!(shown.ends_with("\r\u{1b}[2K"), "the line is cleared before the report: {shown:?}");
    assert_eq!(in_terminal("--quiet"), "");
    let piped = run(rampart().args(["scan", "fixtures", "--fail-on", "none", "--format", "json"]));
    assert!(!piped.stderr.contains("scanning"), "{}", piped.stderr);
}

#[test]
fn sarif_rules_carry_the_severity_the_policy_gives_them_and_rampart_rules_are_listed() {
    let dir = repo();
    write(dir.path(), "Dockerfile", "FROM nginx:latest\nUSER nginx\n");
    let sarif_rule = |policy: &str| {
        let out =
            run(rampart().current_dir(dir.path()).args(["scan", "--policy", policy, "--format", "sarif"]));
        let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().clone();
        let rule = rules.iter().find(|r| r["id"] == "hygiene/image-latest-tag").expect("it ran").clone();
        (rule["defaultConfiguration"]["level"].clone(), rule["properties"]["security-severity"].clone())
    };
    let (baseline_level, baseline_score) = sarif_rule("baseline");
    let (production_level, production_score) = sarif_rule("production");
    assert_eq!(baseline_level, "warning", "medium by default");
    assert_eq!(production_level, "error", "production raises it to high");
    assert_ne!(baseline_score, production_score);

    let rules = run(rampart().args(["rules", "--format", "json"])).json();
    let own: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["plugin"] == "rampart")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(own.contains(&"rampart/suppression-without-reason") && own.len() == 5, "{own:?}");
}
