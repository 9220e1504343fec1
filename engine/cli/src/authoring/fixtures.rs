//! Checks rules against their marked fixtures and rendered-diagnostic snapshots: the engine of
//! `rampart plugin test`, for third-party plugins and the built-in ones alike.
//!
//! Every rule has, under `<fixtures>/<rule-id>/`:
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
//! - `snapshot.txt` (optional): the human report of the rule's `fail/` cases, so a change in
//!   what a user reads shows up in review. It is compared when present; `--update-snapshots`
//!   writes it.
//!
//! Only the rule's own findings count: each rule's cases are scanned with `--rule <id>`, by
//! the same rampart binary, as separate processes (the rules are checked in parallel).

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A finding as a fixture marks it: (path, line, column, rule, severity).
pub type Row = (String, u64, u64, String, String);

/// How to run rampart for the checks.
pub struct Runner {
    pub bin: PathBuf,
    /// Where the scans run: fixture paths in reports and snapshots are relative to it.
    pub cwd: PathBuf,
    /// The fixtures directory, relative to `cwd`.
    pub fixtures: String,
    /// Arguments added to every command (`--no-builtins --plugin x.wasm`).
    pub extra: Vec<OsString>,
    /// Environment variables for every command.
    pub env: Vec<(OsString, OsString)>,
}

/// A rule to check, as `rampart rules --format json` lists it.
#[derive(Clone, Debug)]
pub struct RuleToCheck {
    pub id: String,
    pub severity: String,
}

/// What the checks of one rule found.
#[derive(Debug)]
pub struct Verdict {
    pub id: String,
    /// Cases checked, the variants' included.
    pub cases: usize,
    /// `with-*` variants checked.
    pub variants: usize,
    pub snapshot: Snapshot,
    /// Empty when the rule passes.
    pub problems: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Snapshot {
    Matched,
    Updated,
    Absent,
    Differs,
}

impl Runner {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        command.current_dir(&self.cwd).env("COLUMNS", "100").env_remove("NO_COLOR");
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

    /// The plugins' rules, only those matching one of `patterns` when there are any.
    /// rampart's own rules (`rampart/*`, about suppression comments) are tested in
    /// engine/policy and tests/governance.rs, not with per-rule fixtures.
    pub fn rules(&self, patterns: &[String]) -> Result<Vec<RuleToCheck>, String> {
        let (code, stdout, stderr) = self.run(&["rules", "--format", "json"])?;
        if code != 0 {
            return Err(format!("`rampart rules` failed ({code}): {}", stderr.trim_end()));
        }
        let rules: serde_json::Value =
            serde_json::from_str(&stdout).map_err(|e| format!("`rampart rules` is not JSON: {e}"))?;
        let rules = rules.as_array().ok_or("`rampart rules` is not a list")?;
        let wanted = |id: &str| {
            patterns.is_empty()
                || rampart_model::RuleId::parse(id).is_ok_and(|id| patterns.iter().any(|p| id.matches(p)))
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

    /// Fixture directories (`<family>/<name>/`) that no rule of `rules` owns: left over from
    /// a renamed or removed rule, they would otherwise never be checked.
    pub fn orphans(&self, rules: &[RuleToCheck]) -> Vec<String> {
        let owned: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let root = self.cwd.join(&self.fixtures);
        let mut orphans = Vec::new();
        for family in entries(&root).into_iter().filter(|p| p.is_dir()) {
            for rule in entries(&family).into_iter().filter(|p| p.is_dir()) {
                let id = format!("{}/{}", file_name(&family), file_name(&rule));
                if !owned.contains(id.as_str()) {
                    orphans.push(format!("{}/{id}", self.fixtures));
                }
            }
        }
        orphans
    }

    /// Checks every rule, on all cores; the verdicts come back in the order of `rules`.
    pub fn check_all(&self, rules: &[RuleToCheck], update_snapshots: bool) -> Vec<Verdict> {
        let next = AtomicUsize::new(0);
        let verdicts = Mutex::new(Vec::new());
        let workers = std::thread::available_parallelism().map_or(2, usize::from).max(2);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(rule) = rules.get(index) else { break };
                        let verdict = self.check(rule, update_snapshots);
                        verdicts
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push((index, verdict));
                    }
                });
            }
        });
        let mut verdicts = verdicts.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        verdicts.sort_by_key(|(index, _)| *index);
        verdicts.into_iter().map(|(_, verdict)| verdict).collect()
    }

    /// Checks one rule's cases (with the default parameters, then each `with-*` variant
    /// with its pack) and its snapshot.
    pub fn check(&self, rule: &RuleToCheck, update_snapshot: bool) -> Verdict {
        let mut verdict = Verdict {
            id: rule.id.clone(),
            cases: 0,
            variants: 0,
            snapshot: Snapshot::Absent,
            problems: Vec::new(),
        };
        if let Err(problem) = self.check_rule(rule, update_snapshot, &mut verdict) {
            verdict.problems.push(problem);
        }
        verdict
    }

    fn check_rule(
        &self,
        rule: &RuleToCheck,
        update_snapshot: bool,
        verdict: &mut Verdict,
    ) -> Result<(), String> {
        let id = &rule.id;
        let dir_rel = format!("{}/{id}", self.fixtures);
        let dir = self.cwd.join(&dir_rel);
        if !dir.is_dir() {
            return Err(format!("no fixtures: {dir_rel}/ does not exist (it needs pass/ and fail/ cases)"));
        }
        self.check_cases(rule, &dir_rel, None, verdict)?;
        for variant in entries(&dir).into_iter().filter(|p| is_variant(p)) {
            let variant_rel = format!("{dir_rel}/{}", file_name(&variant));
            let pack = format!("{variant_rel}/pack.toml");
            verdict.variants += 1;
            if !self.cwd.join(&pack).is_file() {
                verdict.problems.push(format!("{variant_rel} has no pack.toml setting its parameters"));
                continue;
            }
            self.check_cases(rule, &variant_rel, Some(&pack), verdict)?;
        }

        let snapshot = dir.join("snapshot.txt");
        let recorded = std::fs::read_to_string(&snapshot).ok();
        if recorded.is_none() && !update_snapshot {
            return Ok(());
        }
        let fail_rel = format!("{dir_rel}/fail");
        let (_, rendered, stderr) =
            self.run(&["scan", &fail_rel, "--rule", id, "--color", "never", "--fail-on", "none"])?;
        if rendered.is_empty() {
            verdict.problems.push(format!("the human report of {fail_rel} is empty; stderr:\n{stderr}"));
        }
        verdict.snapshot = match recorded {
            Some(recorded) if recorded == rendered => Snapshot::Matched,
            _ if update_snapshot => {
                std::fs::write(&snapshot, &rendered).map_err(|e| format!("{}: {e}", snapshot.display()))?;
                Snapshot::Updated
            }
            recorded => {
                verdict.problems.push(format!(
                    "{dir_rel}/snapshot.txt differs from the rendered report (`--update-snapshots` rewrites \
                     it):\n{}",
                    diff(recorded.as_deref().unwrap_or_default(), &rendered)
                ));
                Snapshot::Differs
            }
        };
        Ok(())
    }

    /// The `pass/` and `fail/` cases under `dir_rel`, scanned with `pack` when given: what
    /// is marked must be exactly what the rule reports, and nothing may be an error.
    fn check_cases(
        &self,
        rule: &RuleToCheck,
        dir_rel: &str,
        pack: Option<&str>,
        verdict: &mut Verdict,
    ) -> Result<(), String> {
        let id = &rule.id;
        let dir = self.cwd.join(dir_rel);
        let pass = entries(&dir.join("pass"));
        let fail = entries(&dir.join("fail"));
        if pass.is_empty() && pack.is_none() {
            verdict.problems.push(format!("no pass cases in {dir_rel}/pass"));
        }
        if fail.is_empty() {
            verdict.problems.push(format!("no fail cases in {dir_rel}/fail"));
        }
        verdict.cases += pass.len() + fail.len();
        let mut expected = BTreeSet::new();
        for (case, is_pass) in pass.iter().map(|c| (c, true)).chain(fail.iter().map(|c| (c, false))) {
            let mut marked = Vec::new();
            for file in files(case) {
                let display = relative(&self.cwd, &file);
                let text = std::fs::read_to_string(&file).map_err(|e| format!("{display}: {e}"))?;
                marked.extend(markers(&display, &text, &rule.severity)?);
            }
            let display = relative(&self.cwd, case);
            if is_pass && !marked.is_empty() {
                verdict.problems.push(format!("{display}: a pass case must not mark findings"));
            }
            if !is_pass && !marked.iter().any(|m| &m.3 == id) {
                verdict
                    .problems
                    .push(format!("{display}: a fail case must mark at least one finding of {id}"));
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
            .map_err(|e| format!("the scan of {dir_rel} did not report ({e}):\n{}", stderr.trim_end()))?;
        if code != 0 {
            verdict.problems.push(format!(
                "the scan of {dir_rel} exited with {code}; its errors: {}",
                errors(&report).join("; ")
            ));
        }
        let reported = rows(&report);
        let actual: BTreeSet<&Row> = reported.keys().collect();
        let missing: Vec<&Row> = expected.iter().filter(|row| !actual.contains(row)).collect();
        let unexpected: Vec<&Row> = actual.iter().copied().filter(|row| !expected.contains(*row)).collect();
        if !missing.is_empty() || !unexpected.is_empty() {
            let under = pack.map_or_else(|| "default parameters".to_owned(), |p| format!("the pack {p}"));
            let mut text = format!("{dir_rel} (under {under}):");
            for row in missing {
                let _ = write!(text, "\n    - {}   marked, not reported", show(row));
            }
            for row in unexpected {
                let message = reported.get(row).map_or("", String::as_str);
                let _ = write!(text, "\n    + {}   reported, not marked: {message}", show(row));
            }
            verdict.problems.push(text);
        }
        Ok(())
    }
}

fn show((path, line, column, rule, severity): &Row) -> String {
    format!("{path}:{line}:{column} {rule} {severity}")
}

/// `with-<name>/`: cases judged under the parameters its `pack.toml` sets.
fn is_variant(path: &Path) -> bool {
    path.is_dir() && file_name(path).starts_with("with-")
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
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

/// The entries of a directory, sorted: the cases of a `pass/` or `fail/` directory, the
/// variants of a rule.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

/// The files of a case, recursively.
fn files(case: &Path) -> Vec<PathBuf> {
    if case.is_file() {
        return vec![case.to_owned()];
    }
    entries(case).iter().flat_map(|entry| files(entry)).collect()
}

fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().into_owned()
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

/// The findings of a JSON report, with their messages.
fn rows(report: &serde_json::Value) -> BTreeMap<Row, String> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let findings = report["findings"].as_array().map(Vec::as_slice).unwrap_or_default();
    findings
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().unwrap_or_default();
            let row = (text(&f["path"]), n("line"), n("column"), text(&f["rule"]), text(&f["severity"]));
            (row, text(&f["message"]))
        })
        .collect()
}

/// The errors of a JSON report, one line each.
fn errors(report: &serde_json::Value) -> Vec<String> {
    let errors = report["errors"].as_array().map(Vec::as_slice).unwrap_or_default();
    errors
        .iter()
        .map(|e| {
            let mut at = e["path"].as_str().unwrap_or("(no file)").to_owned();
            if let Some(line) = e["line"].as_u64() {
                at = format!("{at}:{line}");
            }
            format!("{at}: {}", e["message"].as_str().unwrap_or_default())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_name_their_line_and_column() {
        let text =
            "# expect: tls/a\n\n  value: 1\n# expect: tls/b critical @7\nx: 2\n# expect: tls/c @9:3\ny\n";
        let rows = markers("f.yaml", text, "high").unwrap();
        let rows: Vec<_> = rows.iter().map(|(_, l, c, r, s)| (*l, *c, r.as_str(), s.as_str())).collect();
        assert_eq!(rows, [(3, 3, "tls/a", "high"), (5, 7, "tls/b", "critical"), (9, 3, "tls/c", "high")]);
        assert!(markers("f.yaml", "x\n# expect: tls/a\n", "high").is_err(), "no line after it");
        assert!(markers("f.yaml", "# expect: tls/a @x\ny\n", "high").is_err(), "not a position");
    }

    #[test]
    fn snapshot_diffs_show_the_lines_that_changed() {
        assert_eq!(diff("a\nb\nc\n", "a\nc\nd\n"), "    - b\n    + d\n");
    }
}
