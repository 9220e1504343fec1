//! Every built-in rule has pass and fail fixtures under `fixtures/rules/<rule-id>/`, with the
//! expected findings marked in the fixture itself:
//!
//! ```text
//! # expect: <rule-id> [severity] [@column | @line:column]
//! ```
//!
//! The marker expects a finding of that rule on the next line that is not a comment or blank
//! (at its first non-blank column unless `@column` says otherwise; `@line:column` names an
//! absolute position), with the rule's default severity unless one is given. Pass fixtures
//! must yield no finding of their rule; fail fixtures exactly the marked ones; none may yield
//! an error.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use support::{finding_rows, rampart, repo, run};

/// (path, line, column, rule, severity)
type Expected = (String, u64, u64, String, String);

fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn markers(path: &str, text: &str, default_severity: &str) -> Vec<Expected> {
    let lines: Vec<&str> = text.lines().collect();
    let mut expected = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(spec) = line.trim_start().strip_prefix("# expect:") else {
            continue;
        };
        let mut words = spec.split_whitespace();
        let rule = words.next().expect("a marker names a rule").to_owned();
        let mut severity = default_severity.to_owned();
        let mut position = None;
        for word in words {
            match word.strip_prefix('@') {
                Some(at) => position = Some(at.to_owned()),
                None => word.clone_into(&mut severity),
            }
        }
        let target = (index + 1..lines.len())
            .find(|&i| !lines[i].trim().is_empty() && !lines[i].trim_start().starts_with('#'))
            .unwrap_or_else(|| panic!("{path}:{}: marker with no line after it", index + 1));
        let first_column = lines[target].len() - lines[target].trim_start().len() + 1;
        let (line, column) = match position.as_deref().map(|p| p.split_once(':')) {
            None => (target + 1, first_column),
            Some(None) => (target + 1, position.unwrap().parse().expect("@column is a number")),
            Some(Some((l, c))) => (l.parse().expect("@line:column"), c.parse().expect("@line:column")),
        };
        expected.push((path.to_owned(), line as u64, column as u64, rule, severity));
    }
    expected
}

#[test]
fn every_rule_matches_its_marked_fixtures() {
    let rules = run(rampart().args(["rules", "--format", "json"])).json();
    let rules = rules.as_array().unwrap();
    assert!(!rules.is_empty());

    let out = run(rampart().args(["scan", "fixtures/rules", "--format", "json", "--fail-on", "none"]));
    assert_eq!(out.code, 0, "fixtures yield no errors: {}", out.stdout);
    let report = out.json();
    let actual: BTreeSet<Expected> = finding_rows(&report).into_iter().collect();

    let mut expected = BTreeSet::new();
    let mut checked_files = 0;
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let dir = repo().join("fixtures/rules").join(id);
        let pass = fixtures(&dir.join("pass"));
        let fail = fixtures(&dir.join("fail"));
        assert!(!pass.is_empty(), "rule {id} has no pass fixtures in {}", dir.join("pass").display());
        assert!(!fail.is_empty(), "rule {id} has no fail fixtures in {}", dir.join("fail").display());
        for file in pass.iter().chain(&fail) {
            let display = file.strip_prefix(repo()).unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(file).unwrap();
            let marked = markers(&display, &text, rule["severity"].as_str().unwrap());
            if pass.contains(file) {
                assert!(marked.is_empty(), "{display}: a pass fixture must not expect findings");
            } else {
                assert!(!marked.is_empty(), "{display}: a fail fixture must mark its findings");
            }
            expected.extend(marked);
            checked_files += 1;
        }
    }
    assert!(checked_files >= 2 * rules.len());
    let missing: Vec<_> = expected.difference(&actual).collect();
    let unexpected: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "fixture findings differ\nmarked but not reported:\n{missing:#?}\nreported but not marked:\n{unexpected:#?}"
    );
}
