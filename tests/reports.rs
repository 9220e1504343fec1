//! The machine-readable reports of a real scan of every fixture, checked as their consumers
//! would: SARIF against the official 2.1.0 schema and GitHub's requirements, JUnit with an
//! XML parser. (.ci/run also runs the Microsoft SARIF Multitool and xmllint against the
//! JUnit XSD on the same scan.)

mod support;

use std::collections::{BTreeMap, BTreeSet};

use support::{rampart, repo, run};

struct Scan {
    sarif: serde_json::Value,
    junit: String,
    json: serde_json::Value,
}

fn scan_fixtures() -> Scan {
    let dir = tempfile::tempdir().unwrap();
    let (sarif, junit) = (dir.path().join("r.sarif"), dir.path().join("r.xml"));
    let out = run(rampart()
        .args(["scan", "fixtures", "--fail-on", "none", "--format", "sarif", "--output"])
        .arg(&sarif)
        .args(["--format", "junit", "--output"])
        .arg(&junit)
        .args(["--format", "json"]));
    assert_eq!(out.code, 3, "fixtures/invalid holds broken files: {}", out.stderr);
    Scan {
        sarif: serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap(),
        junit: std::fs::read_to_string(&junit).unwrap(),
        json: out.json(),
    }
}

#[test]
fn sarif_of_the_fixtures_is_valid_and_has_what_github_needs() {
    let scan = scan_fixtures();
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo().join("schemas/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&scan.sarif).take(5).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &scan.sarif["runs"][0];
    assert!(run["automationDetails"]["id"].as_str().is_some_and(|id| !id.is_empty()));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(run["tool"]["driver"]["semanticVersion"].is_string());
    for rule in rules {
        for field in ["id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration"] {
            assert!(!rule[field].is_null(), "{} has no {field}", rule["id"]);
        }
        assert!(rule["help"]["markdown"].is_string());
        if !rule["id"].as_str().unwrap().starts_with("rampart/") {
            let severity: f64 = rule["properties"]["security-severity"].as_str().unwrap().parse().unwrap();
            assert!((0.1..=10.0).contains(&severity), "{}", rule["id"]);
        }
    }
    let results = run["results"].as_array().unwrap();
    let findings = scan.json["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len(), "every finding, suppressed ones too");
    let mut fingerprints = BTreeSet::new();
    for (result, finding) in results.iter().zip(findings) {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], finding["rule"], "same order as the JSON report");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("fixtures/") && !uri.contains('\\'), "repository-relative: {uri}");
        for field in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(location["region"][field].as_u64().is_some_and(|n| n >= 1), "{field} of {uri}");
        }
        assert_eq!(location["region"]["startLine"], finding["line"]);
        let fingerprint = result["partialFingerprints"]["rampart/v1"].as_str().unwrap();
        assert_eq!(fingerprint, finding["fingerprint"].as_str().unwrap());
        assert!(fingerprints.insert(format!("{uri} {fingerprint}")), "fingerprints are unique per file");
        let suppressed = !finding["suppression"].is_null();
        assert_eq!(result["suppressions"].is_array(), suppressed);
        if suppressed {
            let suppression = &result["suppressions"][0];
            assert_eq!(suppression["kind"], "inSource");
            assert_eq!(suppression["justification"], finding["suppression"]["justification"]);
        }
    }
    assert!(
        results.iter().any(|r| r["suppressions"].is_array()),
        "fixtures/suppressions has waived findings"
    );
    // Engine errors (fixtures/invalid) are execution notifications: the run failed closed.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(!invocation["toolExecutionNotifications"].as_array().unwrap().is_empty());

    // No secret of the seeds reaches the SARIF file, snippets included.
    let text = serde_json::to_string(&scan.sarif).unwrap();
    let env =
        std::fs::read_to_string(repo().join("fixtures/seeds/001-course-companion/.env.production")).unwrap();
    let secret = env.lines().find_map(|l| l.strip_prefix("SECRET_KEY=")).expect("the seed has one");
    let secret = secret.trim_matches('"');
    assert!(secret.len() >= 12 && !text.contains(secret), "the seed's SECRET_KEY is masked");
}

#[test]
fn fingerprints_are_the_same_from_run_to_run() {
    let first = scan_fixtures().json;
    let second = scan_fixtures().json;
    let prints = |r: &serde_json::Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(prints(&first), prints(&second));
    assert!(prints(&first).iter().all(|p| p.len() > 20));
}

#[test]
fn junit_of_the_fixtures_has_a_case_per_rule_and_file() {
    let scan = scan_fixtures();
    let doc = roxmltree::Document::parse(&scan.junit).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let count =
        |node: roxmltree::Node, name: &str| -> usize { node.attribute(name).unwrap().parse().unwrap() };
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    let total_failures: usize = suites.iter().map(|s| count(*s, "failures")).sum();
    assert_eq!(count(root, "failures"), total_failures);

    // Per rule, the files with unsuppressed findings are exactly the failing cases.
    let mut failing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for finding in scan.json["findings"].as_array().unwrap().iter().filter(|f| f["suppression"].is_null()) {
        failing
            .entry(finding["rule"].as_str().unwrap().to_owned())
            .or_default()
            .insert(finding["path"].as_str().unwrap().to_owned());
    }
    for suite in suites.iter().filter(|s| s.attribute("name") != Some("rampart")) {
        let rule = suite.attribute("name").unwrap();
        let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        assert_eq!(count(*suite, "tests"), cases.len(), "{rule}");
        let failed: BTreeSet<String> = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .map(|c| c.attribute("name").unwrap().to_owned())
            .collect();
        assert_eq!(failed, failing.remove(rule).unwrap_or_default(), "{rule}");
        let names: BTreeSet<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
        assert_eq!(names.len(), cases.len(), "{rule}: one case per file");
        if rule.starts_with("rampart/") {
            // rampart's own rules judge suppression comments, not a format: only the files
            // they have findings in are their cases.
            let with_findings: BTreeSet<&str> = scan.json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == rule)
                .map(|f| f["path"].as_str().unwrap())
                .collect();
            assert_eq!(names, with_findings, "{rule}");
        }
    }
    assert!(failing.is_empty(), "rules with findings but no suite: {failing:?}");
    let engine = suites.iter().find(|s| s.attribute("name") == Some("rampart")).expect("the errors' suite");
    assert!(count(*engine, "errors") > 0, "fixtures/invalid's parse errors");
    let skipped = suites.iter().map(|s| count(*s, "skipped")).sum::<usize>();
    assert!(skipped > 0, "the waived findings of fixtures/suppressions are skipped cases");
}
