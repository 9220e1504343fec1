//! Broken input of every format (fixtures/invalid/) is reported as an error at the place the
//! format's own tool would point to, with a useful message, as listed in
//! fixtures/invalid/expected.toml; and the Terraform written after the seed specifications
//! (fixtures/terraform/seeds/) parses without any error.
//!
//! An entry of expected.toml marked `known_wrong` records the correct expectation for a case
//! rampart gets wrong today: it is skipped with a note (and whatever rampart reports for that
//! fixture is tolerated) until the engine is fixed.

mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;
use support::{rampart, repo, run};

const INVALID: &str = "fixtures/invalid";
const FORMATS: &[&str] = &["compose", "dockerfile", "env", "kubernetes", "terraform"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectations {
    error: Vec<Expected>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    path: String,
    line: u64,
    column: u64,
    /// A fragment of the message.
    message: String,
    /// What the format's own tool says.
    tool: Option<String>,
    known_wrong: Option<String>,
    rampart_reports: Option<String>,
}

impl Expected {
    fn matches(&self, error: &Reported) -> bool {
        error.path == self.path
            && error.line == Some(self.line)
            && error.column == Some(self.column)
            && error.message.contains(&self.message)
    }

    fn describe(&self) -> String {
        format!("{}:{}:{} …{}…", self.path, self.line, self.column, self.message)
    }
}

/// One error of a JSON report.
#[derive(Debug)]
struct Reported {
    kind: String,
    path: String,
    line: Option<u64>,
    column: Option<u64>,
    message: String,
}

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |n: Option<u64>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
        write!(f, "{}:{}:{} [{}] {}", self.path, at(self.line), at(self.column), self.kind, self.message)
    }
}

fn reported_errors(report: &serde_json::Value) -> Vec<Reported> {
    report["errors"]
        .as_array()
        .expect("errors is an array")
        .iter()
        .map(|e| Reported {
            kind: e["kind"].as_str().unwrap_or_default().to_owned(),
            path: e["path"].as_str().unwrap_or_default().to_owned(),
            line: e["line"].as_u64(),
            column: e["column"].as_u64(),
            message: e["message"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

fn expectations() -> Vec<Expected> {
    let path = repo().join(INVALID).join("expected.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed: Expectations = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parsed.error
}

/// The fixture a path belongs to: the file itself, or for Terraform its module directory.
fn fixture_of(path: &str) -> String {
    let terraform = format!("{INVALID}/terraform/");
    match path.strip_prefix(&terraform) {
        Some(rest) => format!("{terraform}{}", rest.split('/').next().unwrap_or_default()),
        None => path.to_owned(),
    }
}

/// The broken inputs on disk: every file of the four file formats' directories, and every
/// module directory under terraform/.
fn fixtures_on_disk() -> BTreeSet<String> {
    let root = repo().join(INVALID);
    let mut top: Vec<String> = std::fs::read_dir(&root)
        .expect("fixtures/invalid exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    let mut wanted: Vec<String> = FORMATS.iter().map(|f| (*f).to_owned()).collect();
    wanted.push("expected.toml".to_owned());
    wanted.sort();
    assert_eq!(top, wanted, "fixtures/invalid holds one directory per format and expected.toml");

    let mut fixtures = BTreeSet::new();
    for format in FORMATS {
        for entry in std::fs::read_dir(root.join(format)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().unwrap().is_dir();
            assert_eq!(
                is_dir,
                *format == "terraform",
                "{INVALID}/{format}/{name}: Terraform fixtures are module directories, the others files"
            );
            fixtures.insert(format!("{INVALID}/{format}/{name}"));
        }
    }
    let per_format = |format: &str| fixtures.iter().filter(|f| f.contains(&format!("/{format}/"))).count();
    for format in FORMATS {
        let count = per_format(format);
        assert!((4..=8).contains(&count), "{format}: {count} fixtures, expected 4 to 8");
    }
    fixtures
}

#[test]
fn broken_inputs_are_reported_where_their_own_tools_would_point() {
    let expected = expectations();
    let fixtures = fixtures_on_disk();

    // expected.toml and the directory agree: every fixture has an expectation, and every
    // expectation names a file that exists.
    for e in &expected {
        assert!(repo().join(&e.path).is_file(), "expected.toml names a missing file: {}", e.path);
        assert!(e.line > 0 && e.column > 0, "{}: positions are 1-based", e.path);
        assert!(!e.message.is_empty(), "{}: empty message fragment", e.path);
        if let Some(why) = &e.known_wrong {
            assert!(!why.trim().is_empty(), "{}: known_wrong must say what is wrong", e.path);
        }
    }
    let covered: BTreeSet<String> = expected.iter().map(|e| fixture_of(&e.path)).collect();
    let unlisted: Vec<&String> = fixtures.difference(&covered).collect();
    assert!(unlisted.is_empty(), "fixtures without an entry in expected.toml: {unlisted:?}");

    let out = run(rampart().args(["scan", INVALID, "--format", "json"]));
    assert_eq!(out.code, 3, "a parse error makes the exit code 3\n{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    let errors = reported_errors(&report);
    assert_eq!(report["summary"]["errors"].as_u64(), Some(errors.len() as u64), "{report:#}");

    let mut used = vec![false; errors.len()];
    let mut problems = String::new();
    let mut notes = String::new();

    // Known-wrong fixtures: the correct expectation is skipped, and whatever rampart reports
    // for them today is tolerated (and shown).
    let known_wrong: BTreeSet<String> =
        expected.iter().filter(|e| e.known_wrong.is_some()).map(|e| fixture_of(&e.path)).collect();
    for e in expected.iter().filter(|e| e.known_wrong.is_some()) {
        let fixture = fixture_of(&e.path);
        let today: Vec<String> = errors
            .iter()
            .enumerate()
            .filter(|(_, r)| fixture_of(&r.path) == fixture)
            .map(|(i, r)| {
                used[i] = true;
                r.to_string()
            })
            .collect();
        let fixed = errors.iter().any(|r| e.matches(r));
        let _ = writeln!(
            notes,
            "note: skipped known-wrong case {}\n      wrong: {}\n      expected from the format's tool: {}\n      \
             recorded: {}; reported now: {}{}",
            e.describe(),
            e.known_wrong.as_deref().unwrap_or_default(),
            e.tool.as_deref().unwrap_or("-"),
            e.rampart_reports.as_deref().unwrap_or("-"),
            if today.is_empty() { "nothing".to_owned() } else { today.join(" | ") },
            if fixed { "\n      it now matches: remove known_wrong from expected.toml" } else { "" },
        );
    }

    for e in expected.iter().filter(|e| e.known_wrong.is_none()) {
        if let Some(i) = errors.iter().enumerate().position(|(i, r)| !used[i] && e.matches(r)) {
            used[i] = true;
            continue;
        }
        let fixture = fixture_of(&e.path);
        let same: Vec<String> =
            errors.iter().filter(|r| fixture_of(&r.path) == fixture).map(ToString::to_string).collect();
        let _ = writeln!(
            problems,
            "missing: {}\n    (the format's tool: {})\n    rampart reported for this fixture: {}",
            e.describe(),
            e.tool.as_deref().unwrap_or("-"),
            if same.is_empty() { "nothing".to_owned() } else { same.join(" | ") },
        );
    }
    for (error, _) in errors.iter().zip(&used).filter(|(_, used)| !**used) {
        let _ = writeln!(problems, "unexpected error: {error}");
    }
    for error in &errors {
        if error.kind != "parse" {
            let _ = writeln!(problems, "not a parse error: {error}");
        }
    }

    // Every fixture whose expectation holds today is mentioned in the report.
    let mentioned: BTreeSet<String> = errors.iter().map(|r| fixture_of(&r.path)).collect();
    for fixture in fixtures.iter().filter(|f| !known_wrong.contains(*f)) {
        if !mentioned.contains(fixture) {
            let _ = writeln!(problems, "not mentioned in the report: {fixture}");
        }
    }

    print!("{notes}");
    assert!(problems.is_empty(), "{problems}\nfull report:\n{report:#}");
}

#[test]
fn each_format_directory_gives_the_same_errors_on_its_own() {
    // A fixture's error does not depend on its neighbours: scanning one format's directory
    // reports exactly that directory's share of the whole scan.
    let whole = reported_errors(&run(rampart().args(["scan", INVALID, "--format", "json"])).json());
    for format in FORMATS {
        let dir = format!("{INVALID}/{format}");
        let out = run(rampart().args(["scan", &dir, "--format", "json"]));
        assert_eq!(out.code, 3, "{dir}: {}", out.stderr);
        let alone: Vec<String> = reported_errors(&out.json()).iter().map(ToString::to_string).collect();
        let share: Vec<String> = whole
            .iter()
            .filter(|r| r.path.starts_with(&format!("{dir}/")))
            .map(ToString::to_string)
            .collect();
        assert_eq!(alone, share, "{dir}");
    }
}

#[test]
fn the_seed_terraform_parses_without_errors() {
    let dir = "fixtures/terraform/seeds";
    let out = run(rampart().args(["scan", dir, "--format", "json"]));
    let report = out.json();
    assert!(matches!(out.code, 0 | 1), "exit code {}: {}\n{report:#}", out.code, out.stderr);
    let errors: Vec<String> = reported_errors(&report).iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "the seed Terraform must parse:\n{}", errors.join("\n"));

    // Every `.tf` file under the seeds is read (as part of its module).
    let mut tf_files = 0;
    let mut stack = vec![repo().join(dir)];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let entry = entry.unwrap().path();
            if entry.is_dir() {
                stack.push(entry);
            } else if entry.extension().is_some_and(|e| e == "tf") {
                tf_files += 1;
            }
        }
    }
    assert!(tf_files > 0);
    let files = report["summary"]["files"].as_u64().unwrap_or_default();
    assert!(files >= tf_files, "{files} files scanned, {tf_files} .tf files under {dir}");

    // Whatever rampart deliberately leaves out (remote registry modules) is a notice in the
    // seeds, never an error.
    for notice in report["notices"].as_array().expect("notices is an array") {
        let path = notice["path"].as_str().unwrap_or_default();
        assert!(Path::new(path).starts_with(dir), "{notice}");
    }
}
