//! What the scan says about each control: per rule and file a status, per control an
//! overall one. Every output of the bundle is written from this one evaluation.

use std::collections::{BTreeMap, HashMap, HashSet};

use rampart_model::{Finding, Format, Notice, ScanError, ScannedFile};
use rampart_policy::{Control, Pack};
use serde::Serialize;

use crate::{Assessment, RuleInForce, Scope};

/// The verdict on one file for one rule, on one rule, or on one control.
///
/// Combining verdicts takes the most severe: `fail`, then `error`, then `waived`, then
/// `pass`; `not-applicable` only when there is nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Nothing was assessed: no implementing rule is in force, or no file of the formats
    /// its rules read was in scope.
    NotApplicable,
    /// Assessed, and nothing found.
    Pass,
    /// Something was found, and every finding is waived (suppressed with a reason).
    Waived,
    /// Not assessed completely: a scan error concerns a file (it could not be read or
    /// parsed, or a plugin failed on it), or could not be tied to a file.
    Error,
    /// At least one finding that is not waived.
    Fail,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Fail, Status::Error, Status::Waived, Status::Pass, Status::NotApplicable];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotApplicable => "not-applicable",
            Status::Pass => "pass",
            Status::Waived => "waived",
            Status::Error => "error",
            Status::Fail => "fail",
        }
    }

    /// The status of one file for one rule: `fail` if any finding is not waived, else
    /// `error` if a scan error concerns the file, else `waived` if it has findings (all of
    /// them waived), else `pass`.
    pub fn of_file(unwaived: usize, waived: usize, errors: usize) -> Status {
        if unwaived > 0 {
            Status::Fail
        } else if errors > 0 {
            Status::Error
        } else if waived > 0 {
            Status::Waived
        } else {
            Status::Pass
        }
    }

    /// The combined status of several: the most severe, `not-applicable` for none.
    pub fn combine(statuses: impl IntoIterator<Item = Status>) -> Status {
        statuses.into_iter().max().unwrap_or(Status::NotApplicable)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One file as one rule saw it.
#[derive(Debug)]
pub(crate) struct FileResult<'a> {
    pub path: &'a str,
    /// The inventory entry; `None` for a file a finding names that the inventory lacks.
    pub file: Option<&'a ScannedFile>,
    pub status: Status,
    /// The rule's findings in the file, in report order.
    pub findings: Vec<&'a Finding>,
    pub errors: Vec<&'a ScanError>,
}

impl FileResult<'_> {
    pub fn waived(&self) -> usize {
        self.findings.iter().filter(|f| f.is_suppressed()).count()
    }

    /// The distinct waiver reasons of the file's findings, in order.
    pub fn waiver_reasons(&self) -> Vec<&str> {
        let mut reasons: Vec<&str> = Vec::new();
        for finding in &self.findings {
            if let Some(suppression) = &finding.suppression
                && !reasons.contains(&suppression.justification.as_str())
            {
                reasons.push(&suppression.justification);
            }
        }
        reasons
    }
}

/// One rule: in force or not, and when in force, every file it applies to.
#[derive(Debug)]
pub(crate) struct RuleResult<'a> {
    pub rule: &'a RuleInForce<'a>,
    /// Empty for a rule not in force.
    pub files: Vec<FileResult<'a>>,
    pub status: Status,
}

impl RuleResult<'_> {
    pub fn count(&self, status: Status) -> usize {
        self.files.iter().filter(|f| f.status == status).count()
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files.iter().flat_map(|f| f.findings.iter().copied())
    }
}

/// One control of one pack.
#[derive(Debug)]
pub(crate) struct ControlResult<'a> {
    pub pack: &'a Pack,
    pub control: &'a Control,
    /// The control id as an OSCAL token (see [`crate::text::oscal_token`]).
    pub oscal_id: String,
    /// Indices into [`Evaluation::rules`] of the rules that implement the control, in force
    /// or not.
    pub rules: Vec<usize>,
    pub status: Status,
}

impl<'a> ControlResult<'a> {
    pub fn rules<'e>(&self, evaluation: &'e Evaluation<'a>) -> impl Iterator<Item = &'e RuleResult<'a>> {
        self.rules.iter().map(move |&i| &evaluation.rules[i])
    }

    pub fn framework(&self) -> &'a str {
        self.pack.framework.as_deref().unwrap_or("")
    }
}

/// The whole assessment, evaluated.
#[derive(Debug)]
pub(crate) struct Evaluation<'a> {
    /// Every rule given, sorted by id.
    pub rules: Vec<RuleResult<'a>>,
    /// Every control of every pack, in pack order, each pack's controls in id order.
    pub controls: Vec<ControlResult<'a>>,
    /// Scan errors that name no scanned file: they leave every control with a rule in
    /// force incompletely assessed.
    pub unattributed_errors: Vec<&'a ScanError>,
    /// Findings of rules that are not in force or implement no control.
    pub other_findings: Vec<&'a Finding>,
    /// Every scan error.
    pub errors: &'a [ScanError],
    /// What the scan deliberately did not evaluate.
    pub notices: &'a [Notice],
}

impl<'a> Evaluation<'a> {
    pub fn new(scope: &'a Scope<'a>, assessment: &'a Assessment<'a>) -> Self {
        let (by_file, unattributed_errors) = attribute_errors(scope.files, assessment.errors);

        let mut order: Vec<&'a RuleInForce<'a>> = assessment.rules.iter().collect();
        order.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        order.dedup_by(|a, b| a.meta.id == b.meta.id);

        let mut findings_by_rule: HashMap<&str, Vec<&'a Finding>> = HashMap::new();
        for finding in assessment.findings {
            findings_by_rule.entry(finding.rule.as_str()).or_default().push(finding);
        }

        let inventory: HashMap<&str, &'a ScannedFile> =
            scope.files.iter().map(|f| (f.path.as_str(), f)).collect();
        let rules: Vec<RuleResult<'a>> = order
            .into_iter()
            .map(|rule| {
                let findings = findings_by_rule.get(rule.meta.id.as_str()).map_or(&[][..], Vec::as_slice);
                rule_result(rule, scope.files, &inventory, findings, &by_file)
            })
            .collect();

        let mut controls = Vec::new();
        for pack in scope.packs {
            let mut used: Vec<String> = Vec::new();
            for control in &pack.controls {
                let implementing: Vec<usize> =
                    (0..rules.len()).filter(|&i| control.covers(rules[i].rule.meta)).collect();
                let in_force = implementing.iter().any(|&i| rules[i].rule.settings.enabled);
                let mut status = Status::combine(implementing.iter().map(|&i| rules[i].status));
                if in_force && !unattributed_errors.is_empty() {
                    status = status.max(Status::Error);
                }
                let oscal_id = unique(&crate::text::oscal_token(&control.id), &mut used);
                controls.push(ControlResult { pack, control, oscal_id, rules: implementing, status });
            }
        }

        // Rules in force that implement a control: their findings are in the controls.
        let mapped: HashSet<&str> = controls
            .iter()
            .flat_map(|c| c.rules.iter())
            .map(|&i| &rules[i])
            .filter(|r| r.rule.settings.enabled)
            .map(|r| r.rule.meta.id.as_str())
            .collect();
        let mut other_findings: Vec<&Finding> =
            assessment.findings.iter().filter(|f| !mapped.contains(f.rule.as_str())).collect();
        other_findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

        Evaluation {
            rules,
            controls,
            unattributed_errors,
            other_findings,
            errors: assessment.errors,
            notices: assessment.notices,
        }
    }

    pub fn count(&self, status: Status) -> usize {
        self.controls.iter().filter(|c| c.status == status).count()
    }
}

/// A control id made unique within its pack (two ids may map to the same token).
fn unique(token: &str, used: &mut Vec<String>) -> String {
    let mut candidate = token.to_owned();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{token}_{n}");
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}

fn rule_result<'a>(
    rule: &'a RuleInForce<'a>,
    files: &'a [ScannedFile],
    inventory: &HashMap<&str, &'a ScannedFile>,
    findings: &[&'a Finding],
    errors: &HashMap<&'a str, Vec<&'a ScanError>>,
) -> RuleResult<'a> {
    if !rule.settings.enabled {
        return RuleResult { rule, files: Vec::new(), status: Status::NotApplicable };
    }
    // Every file of the rule's formats, and any other file one of its findings names (a
    // finding is never dropped from the evidence, even one the inventory cannot place).
    let mut by_path: BTreeMap<&'a str, FileResult<'a>> = BTreeMap::new();
    let applies = |format: Format| rule.meta.formats.contains(&format);
    for file in files.iter().filter(|f| applies(f.format)) {
        by_path.insert(&file.path, file_result(&file.path, Some(file), errors));
    }
    for &finding in findings {
        let path = finding.file.path.as_str();
        by_path
            .entry(path)
            .or_insert_with(|| file_result(path, inventory.get(path).copied(), errors))
            .findings
            .push(finding);
    }
    let files: Vec<FileResult<'a>> = by_path
        .into_values()
        .map(|mut file| {
            file.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            let waived = file.waived();
            file.status = Status::of_file(file.findings.len() - waived, waived, file.errors.len());
            file
        })
        .collect();
    let status = Status::combine(files.iter().map(|f| f.status));
    RuleResult { rule, files, status }
}

fn file_result<'a>(
    path: &'a str,
    file: Option<&'a ScannedFile>,
    errors: &HashMap<&'a str, Vec<&'a ScanError>>,
) -> FileResult<'a> {
    let errors = errors.get(path).cloned().unwrap_or_default();
    FileResult { path, file, status: Status::Pass, findings: Vec::new(), errors }
}

/// Which scanned files each error concerns, and the errors that concern none.
///
/// An error concerns the file it names; an error naming a directory (a Terraform module
/// that could not be read) concerns every file under it, `.` every file. A Terraform
/// module is one document named after its first file, so an error naming a Terraform file
/// concerns every Terraform file of its directory. An error that names no scanned file (a
/// file that could not be read is not in the inventory) concerns none.
fn attribute_errors<'a>(
    files: &'a [ScannedFile],
    errors: &'a [ScanError],
) -> (HashMap<&'a str, Vec<&'a ScanError>>, Vec<&'a ScanError>) {
    let mut by_file: HashMap<&str, Vec<&ScanError>> = HashMap::new();
    let mut unattributed = Vec::new();
    for error in errors {
        let Some(path) = error.path.as_deref() else {
            unattributed.push(error);
            continue;
        };
        let named = files.iter().find(|f| f.path == path);
        let module_dir = named.filter(|f| f.format == Format::Terraform).map(|f| parent(&f.path));
        let concerned = files.iter().filter(|f| {
            f.path == path
                || path == "."
                || f.path.strip_prefix(path).is_some_and(|rest| rest.starts_with('/'))
                || (f.format == Format::Terraform && module_dir.is_some_and(|dir| parent(&f.path) == dir))
        });
        let mut any = false;
        for file in concerned {
            by_file.entry(&file.path).or_default().push(error);
            any = true;
        }
        if !any {
            unattributed.push(error);
        }
    }
    (by_file, unattributed)
}

/// The directory part of a path as scans display it (`""` for a file in the current one).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_fails_on_any_unwaived_finding_even_with_errors() {
        assert_eq!(Status::of_file(1, 3, 1), Status::Fail);
        assert_eq!(Status::of_file(0, 3, 1), Status::Error);
        assert_eq!(Status::of_file(0, 3, 0), Status::Waived);
        assert_eq!(Status::of_file(0, 0, 0), Status::Pass);
        assert_eq!(Status::of_file(0, 0, 2), Status::Error);
    }

    #[test]
    fn combining_takes_the_most_severe_and_nothing_is_not_applicable() {
        use Status::{Error, Fail, NotApplicable, Pass, Waived};
        assert_eq!(Status::combine([]), NotApplicable);
        assert_eq!(Status::combine([NotApplicable, NotApplicable]), NotApplicable);
        assert_eq!(Status::combine([NotApplicable, Pass]), Pass);
        assert_eq!(Status::combine([Pass, Waived, Pass]), Waived);
        assert_eq!(Status::combine([Waived, Error, Pass]), Error);
        assert_eq!(Status::combine([Error, Fail, Waived]), Fail);
    }

    #[test]
    fn errors_reach_files_directories_and_whole_terraform_modules() {
        let file = |path: &str, format| ScannedFile { path: path.into(), format, bytes: 1, sha256: None };
        let files = vec![
            file("infra/main.tf", Format::Terraform),
            file("infra/vars.tf", Format::Terraform),
            file("infra/Dockerfile", Format::Dockerfile),
            file("infra2/main.tf", Format::Terraform),
            file("app/.env", Format::Env),
        ];
        let error = |path: Option<&str>| {
            ScanError::new(rampart_model::ErrorKind::Plugin, path.map(str::to_owned), "failed")
        };
        let errors =
            vec![error(Some("infra/main.tf")), error(Some("app")), error(Some("gone.yaml")), error(None)];
        let (by_file, unattributed) = attribute_errors(&files, &errors);
        let count = |path: &str| by_file.get(path).map_or(0, Vec::len);
        assert_eq!(count("infra/main.tf"), 1);
        assert_eq!(count("infra/vars.tf"), 1, "the same module");
        assert_eq!(count("infra/Dockerfile"), 0, "not part of the module");
        assert_eq!(count("infra2/main.tf"), 0, "`infra` is not a prefix directory of `infra2`");
        assert_eq!(count("app/.env"), 1, "under the directory the error names");
        assert_eq!(unattributed.len(), 2);
    }
}
