//! Checks rules against their marked fixtures and rendered-diagnostic snapshots.
//!
//! Shared by `cargo xtask rule-check` (a plugin author's loop, against a plugin built from
//! source) and the `rule_fixtures` test (against the built-in plugins). Every rule has, under
//! `fixtures/rules/<rule-id>/`:
//!
//! - `pass/` and `fail/`: cases, each a file, or a directory for a Terraform module. The
//!   expected findings are marked in the fixture itself, in its comment syntax:
//!
//!   ```text
//!   # expect: <rule-id> [severity] [@column | @line:column]
//!   ```
//!
//!   A marker expects a finding of that rule on the next line that is not blank or a
//!   comment, at its first non-blank column unless `@column` says otherwise (`@line:column`
//!   names an absolute position in the same file), with the rule's default severity unless
//!   one is given. Pass cases must mark nothing and yield nothing for the rule; fail cases
//!   must yield exactly what they mark; no case may yield an error.
//! - `with-<name>/` (optional, any number): a `pack.toml` policy pack setting the rule's
//!   parameters (or severity), and `pass/` (optional) and `fail/` cases judged under it, so
//!   every parameter's effect is shown, not only its default.
//! - `snapshot.txt`: the human report of `rampart scan fixtures/rules/<rule-id>/fail --rule
//!   <rule-id>`, so a change in what a user reads shows up in review.
//!
//! Only the rule's own findings count: each rule's cases are scanned with `--rule <id>`.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// (path, line, column, rule, severity)
pub type Row = (String, u64, u64, String, String);

/// How to run rampart for the checks.
pub struct Runner {
    pub bin: PathBuf,
    /// The repository root: fixtures and paths in reports are relative to it.
    pub repo: PathBuf,
    /// Arguments added to every command (`--no-builtins --plugin x.wasm`).
    pub extra: Vec<OsString>,
    /// Environment variables for every command (the compiled-plugin cache).
    pub env: Vec<(OsString, OsString)>,
}

/// A rule to check, as `rampart rules --format json` lists it.
#[derive(Clone, Debug)]
pub struct RuleToCheck {
    pub id: String,
    pub severity: String,
}

impl Runner {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        command.current_dir(&self.repo).env("COLUMNS", "100").env_remove("NO_COLOR");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Result<(i32, String, String), String> {
        let output = self
            .command()
            .args(args)
            .args(&self.extra)
            .output()
            .map_err(|e| format!("could not run {}: {e}", self.bin.display()))?;
        let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
        Ok((output.status.code().unwrap_or(-1), text(output.stdout), text(output.stderr)))
    }

    /// The plugins' rules, optionally only those matching `filter` (`tls/*`, an id).
    /// rampart's own rules (`rampart/*`, about suppression comments) are tested in
    /// engine/policy and tests/governance.rs, not with per-rule fixtures.
    pub fn rules(&self, filter: Option<&str>) -> Result<Vec<RuleToCheck>, String> {
        let (code, stdout, stderr) = self.run(&["rules", "--format", "json"])?;
        if code != 0 {
            return Err(format!("`rampart rules` failed ({code}): {stderr}"));
        }
        let rules: serde_json::Value =
            serde_json::from_str(&stdout).map_err(|e| format!("`rampart rules` is not JSON: {e}"))?;
        let rules = rules.as_array().ok_or("`rampart rules` is not a list")?;
        let wanted = |id: &str| {
            filter.is_none_or(|pattern| rampart_model::RuleId::parse(id).is_ok_and(|id| id.matches(pattern)))
        };
        Ok(rules
            .iter()
            .filter(|r| r["plugin"] != "rampart")
            .filter_map(|r| {
                let id = r["id"].as_str()?;
                let severity = r["severity"].as_str()?;
                wanted(id).then(|| RuleToCheck { id: id.to_owned(), severity: severity.to_owned() })
            })
            .collect())
    }

    /// Checks every rule (on all cores); returns one message per failing rule.
    pub fn check_all(&self, rules: &[RuleToCheck], update_snapshots: bool) -> Vec<String> {
        let next = AtomicUsize::new(0);
        let failures = Mutex::new(Vec::new());
        let workers = std::thread::available_parallelism().map_or(2, usize::from).max(2);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    while let Some(rule) = rules.get(next.fetch_add(1, Ordering::Relaxed)) {
                        if let Err(message) = self.check(rule, update_snapshots) {
                            failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(message);
                        }
                    }
                });
            }
        });
        let mut failures = failures.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.sort();
        failures
    }

    /// Checks one rule's cases (with the default parameters, then each `with-*` variant
    /// with its pack) and its snapshot.
    pub fn check(&self, rule: &RuleToCheck, update_snapshot: bool) -> Result<(), String> {
        let id = &rule.id;
        let dir_rel = format!("fixtures/rules/{id}");
        let dir = self.repo.join(&dir_rel);
        let mut problems = Vec::new();
        self.check_cases(rule, &dir_rel, None, &mut problems)?;
        for variant in cases(&dir).into_iter().filter(|p| is_variant(p)) {
            let variant_rel = relative(&self.repo, &variant);
            let pack = format!("{variant_rel}/pack.toml");
            if !self.repo.join(&pack).is_file() {
                problems.push(format!("{variant_rel} has no pack.toml setting its parameters"));
                continue;
            }
            self.check_cases(rule, &variant_rel, Some(&pack), &mut problems)?;
        }

        let fail_rel = format!("{dir_rel}/fail");
        let (_, rendered, stderr) =
            self.run(&["scan", &fail_rel, "--rule", id, "--color", "never", "--fail-on", "none"])?;
        if rendered.is_empty() {
            problems.push(format!("the human report of {fail_rel} is empty; stderr:\n{stderr}"));
        }
        let snapshot = dir.join("snapshot.txt");
        let recorded = std::fs::read_to_string(&snapshot).unwrap_or_default();
        if recorded != rendered {
            if update_snapshot {
                std::fs::write(&snapshot, &rendered).map_err(|e| format!("{}: {e}", snapshot.display()))?;
            } else {
                problems.push(format!(
                    "{dir_rel}/snapshot.txt differs from the rendered report (RAMPART_UPDATE_SNAPSHOTS=1 \
                     or `cargo xtask rule-check --update` rewrites it):\n{}",
                    diff(&recorded, &rendered)
                ));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(format!("{id}:\n  {}", problems.join("\n  "))) }
    }

    /// The `pass/` and `fail/` cases under `dir_rel`, scanned with `pack` when given: what
    /// is marked must be exactly what the rule reports, and nothing may be an error.
    fn check_cases(
        &self,
        rule: &RuleToCheck,
        dir_rel: &str,
        pack: Option<&str>,
        problems: &mut Vec<String>,
    ) -> Result<(), String> {
        let id = &rule.id;
        let dir = self.repo.join(dir_rel);
        let pass = cases(&dir.join("pass"));
        let fail = cases(&dir.join("fail"));
        if pass.is_empty() && pack.is_none() {
            problems.push(format!("no pass cases in {dir_rel}/pass"));
        }
        if fail.is_empty() {
            problems.push(format!("no fail cases in {dir_rel}/fail"));
        }
        let mut expected = BTreeSet::new();
        for (case, is_pass) in pass.iter().map(|c| (c, true)).chain(fail.iter().map(|c| (c, false))) {
            let mut marked = Vec::new();
            for file in files(case) {
                let display = relative(&self.repo, &file);
                let text = std::fs::read_to_string(&file).map_err(|e| format!("{display}: {e}"))?;
                marked.extend(markers(&display, &text, &rule.severity)?);
            }
            let display = relative(&self.repo, case);
            if is_pass && !marked.is_empty() {
                problems.push(format!("{display}: a pass case must not mark findings"));
            }
            if !is_pass && !marked.iter().any(|m| &m.3 == id) {
                problems.push(format!("{display}: a fail case must mark at least one finding of {id}"));
            }
            expected.extend(marked);
        }

        let mut args: Vec<String> = ["scan", "--rule", id, "--format", "json", "--fail-on", "none"]
            .iter()
            .map(|&a| a.to_owned())
            .collect();
        if let Some(pack) = pack {
            args.extend(["--policy".to_owned(), pack.to_owned()]);
        }
        for (cases, sub) in [(&pass, "pass"), (&fail, "fail")] {
            if !cases.is_empty() {
                args.push(format!("{dir_rel}/{sub}"));
            }
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = self.run(&args)?;
        let report: serde_json::Value = serde_json::from_str(&stdout)
            .map_err(|e| format!("{id}: the scan's output is not JSON ({e}); stderr:\n{stderr}"))?;
        if code != 0 {
            problems.push(format!("the scan of {dir_rel} exited with {code} (errors: {})", report["errors"]));
        }
        let actual: BTreeSet<Row> = rows(&report).into_iter().collect();
        let missing: Vec<_> = expected.difference(&actual).collect();
        let unexpected: Vec<_> = actual.difference(&expected).collect();
        if !missing.is_empty() {
            problems.push(format!("{dir_rel}: marked but not reported:\n{}", list(&missing)));
        }
        if !unexpected.is_empty() {
            problems.push(format!("{dir_rel}: reported but not marked:\n{}", list(&unexpected)));
        }
        Ok(())
    }
}

/// `with-<name>/`: cases judged under the parameters its `pack.toml` sets.
fn is_variant(path: &Path) -> bool {
    path.is_dir() && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("with-"))
}

fn list(rows: &[&Row]) -> String {
    rows.iter().map(|(p, l, c, r, s)| format!("    {p}:{l}:{c} {r} {s}")).collect::<Vec<_>>().join("\n")
}

/// A line diff good enough to see what changed: lines only in one of the two, in order.
fn diff(old: &str, new: &str) -> String {
    let old_lines: BTreeSet<&str> = old.lines().collect();
    let new_lines: BTreeSet<&str> = new.lines().collect();
    let mut out = String::new();
    for line in old.lines().filter(|l| !new_lines.contains(l)) {
        out.extend(["    - ", line, "\n"]);
    }
    for line in new.lines().filter(|l| !old_lines.contains(l)) {
        out.extend(["    + ", line, "\n"]);
    }
    out
}

/// The cases of a `pass/` or `fail/` directory: its files and its directories.
fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    cases.sort();
    cases
}

/// The files of a case, recursively.
fn files(case: &Path) -> Vec<PathBuf> {
    if case.is_file() {
        return vec![case.to_owned()];
    }
    let mut out = Vec::new();
    for entry in cases(case) {
        out.extend(files(&entry));
    }
    out
}

fn relative(repo: &Path, path: &Path) -> String {
    path.strip_prefix(repo).unwrap_or(path).to_string_lossy().into_owned()
}

/// The findings a file's `# expect:` markers ask for.
pub fn markers(path: &str, text: &str, default_severity: &str) -> Result<Vec<Row>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut expected = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(spec) = line.trim_start().strip_prefix("# expect:") else {
            continue;
        };
        let here = || format!("{path}:{}", index + 1);
        let mut words = spec.split_whitespace();
        let rule = words.next().ok_or_else(|| format!("{}: a marker names a rule", here()))?.to_owned();
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
            .ok_or_else(|| format!("{}: marker with no line after it", here()))?;
        let first_column = lines[target].len() - lines[target].trim_start().len() + 1;
        let number = |s: &str| s.parse::<u64>().map_err(|_| format!("{}: `@{s}` is not a position", here()));
        let (line, column) = match position.as_deref() {
            None => (target as u64 + 1, first_column as u64),
            Some(at) => match at.split_once(':') {
                None => (target as u64 + 1, number(at)?),
                Some((l, c)) => (number(l)?, number(c)?),
            },
        };
        expected.push((path.to_owned(), line, column, rule, severity));
    }
    Ok(expected)
}

/// The findings of a JSON report.
pub fn rows(report: &serde_json::Value) -> Vec<Row> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    report["findings"]
        .as_array()
        .map(|findings| {
            findings
                .iter()
                .map(|f| {
                    let n = |k: &str| f[k].as_u64().unwrap_or_default();
                    (text(&f["path"]), n("line"), n("column"), text(&f["rule"]), text(&f["severity"]))
                })
                .collect()
        })
        .unwrap_or_default()
}
