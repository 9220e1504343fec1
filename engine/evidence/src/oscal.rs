//! `assessment-results.json`: an OSCAL 1.1 assessment-results document.
//!
//! One `result` covers the scan. Its `reviewed-controls` has one control selection per
//! policy pack with controls. Each rule in force that implements a control is an
//! `observation` (method `TEST`; its subjects are the files it assessed, its relevant
//! evidence the findings and errors, file counts per status in props). Each control of
//! each pack is a `finding` whose target is the control's objective (`<control-id>_obj`,
//! NIST's naming) with state `satisfied` only when rampart's status is `pass`; every other
//! status (`fail`, `waived`, `error`, `not-applicable`) is `not-satisfied`, since the scan
//! does not show the objective met, with reason `fail` for failures and `other` otherwise,
//! and rampart's own status in the `assessment-status` prop. Back-matter resources carry
//! the SHA-256 of every scanned file, plugin, policy pack and other bundle file.
//!
//! OSCAL requires `import-ap`, a reference to the assessment plan. rampart follows no
//! OSCAL plan: the plan is the policy packs. `import-ap` therefore points at a back-matter
//! resource (`#<uuid>`, OSCAL's way to reference a resource of the same document) that
//! says so and names the packs.
//!
//! Control ids become OSCAL tokens (see [`crate::text::oscal_token`]: `CC6.1` → `cc6.1`,
//! `Art. 32(1)(a)` → `art.32.1.a`); the id as the pack writes it is kept in a
//! `control-id` prop. rampart's own properties use the namespace [`NAMESPACE`].

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::status::{ControlResult, Evaluation, RuleResult, Status};
use crate::text::{markdown, oscal_string, uri_path};
use crate::{EvidenceError, Scope, TOOL, Times};

/// The OSCAL version the document declares.
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of rampart's OSCAL properties.
pub const NAMESPACE: &str = "https://example.invalid/rampart/ns/oscal";

/// The namespace of every rampart UUID (version 5, RFC 4122 §4.3).
const UUID_NAMESPACE: Uuid = Uuid::from_u128(0x95b3_34a5_4103_4cd4_b977_b746_fcc6_79d8);

#[derive(Serialize)]
struct Document {
    #[serde(rename = "assessment-results")]
    assessment_results: AssessmentResults,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResults {
    uuid: Uuid,
    metadata: Metadata,
    import_ap: ImportAp,
    results: Vec<AssessmentResult>,
    back_matter: BackMatter,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    title: String,
    last_modified: String,
    version: String,
    oscal_version: &'static str,
    props: Vec<Prop>,
}

#[derive(Serialize)]
struct Prop {
    name: &'static str,
    ns: &'static str,
    value: String,
}

fn prop(name: &'static str, value: impl AsRef<str>) -> Prop {
    Prop { name, ns: NAMESPACE, value: oscal_string(value.as_ref()) }
}

#[derive(Serialize)]
struct ImportAp {
    href: String,
    remarks: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResult {
    uuid: Uuid,
    title: String,
    description: String,
    start: String,
    end: String,
    props: Vec<Prop>,
    local_definitions: LocalDefinitions,
    reviewed_controls: ReviewedControls,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observations: Vec<Observation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<Finding>,
}

#[derive(Serialize)]
struct LocalDefinitions {
    components: Vec<Component>,
}

#[derive(Serialize)]
struct Component {
    uuid: Uuid,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    description: String,
    props: Vec<Prop>,
    status: ComponentStatus,
}

#[derive(Serialize)]
struct ComponentStatus {
    state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ReviewedControls {
    control_selections: Vec<ControlSelection>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlSelection {
    description: String,
    props: Vec<Prop>,
    include_controls: Vec<SelectControl>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct SelectControl {
    control_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Observation {
    uuid: Uuid,
    title: String,
    description: String,
    props: Vec<Prop>,
    methods: Vec<&'static str>,
    types: Vec<&'static str>,
    origins: Vec<Origin>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<Subject>,
    relevant_evidence: Vec<RelevantEvidence>,
    collected: String,
}

#[derive(Serialize)]
struct Origin {
    actors: Vec<Actor>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Actor {
    #[serde(rename = "type")]
    kind: &'static str,
    actor_uuid: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(clippy::struct_field_names)] // OSCAL's names
struct Subject {
    subject_uuid: Uuid,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    props: Vec<Prop>,
}

#[derive(Serialize)]
struct RelevantEvidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<String>,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Finding {
    uuid: Uuid,
    title: String,
    description: String,
    props: Vec<Prop>,
    origins: Vec<Origin>,
    target: Target,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<RelatedObservation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(clippy::struct_field_names)] // OSCAL's names
struct Target {
    #[serde(rename = "type")]
    kind: &'static str,
    target_id: String,
    title: String,
    status: ObjectiveStatus,
}

#[derive(Serialize)]
struct ObjectiveStatus {
    state: &'static str,
    reason: &'static str,
    remarks: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedObservation {
    observation_uuid: Uuid,
}

#[derive(Serialize)]
struct BackMatter {
    resources: Vec<Resource>,
}

#[derive(Serialize)]
struct Resource {
    uuid: Uuid,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rlinks: Vec<Rlink>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Rlink {
    href: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
}

#[derive(Serialize)]
struct Hash {
    algorithm: &'static str,
    value: String,
}

fn sha256(value: &str) -> Vec<Hash> {
    vec![Hash { algorithm: "SHA-256", value: value.to_owned() }]
}

/// UUIDs: those of inputs (files, plugins, packs, the tool) from what identifies them, the
/// others from the content digest of the run.
struct Ids {
    run: Uuid,
}

impl Ids {
    /// `kind`, then each part, NUL-separated: no two lists of parts give the same name.
    fn name(kind: &str, parts: &[&str]) -> String {
        let mut name = kind.to_owned();
        for part in parts {
            name.push('\0');
            name.push_str(part);
        }
        name
    }

    fn stable(kind: &str, parts: &[&str]) -> Uuid {
        Uuid::new_v5(&UUID_NAMESPACE, Ids::name(kind, parts).as_bytes())
    }

    fn of(&self, kind: &str, parts: &[&str]) -> Uuid {
        Uuid::new_v5(&self.run, Ids::name(kind, parts).as_bytes())
    }

    fn file(path: &str, sha256: &str) -> Uuid {
        Ids::stable("file", &[path, sha256])
    }
}

/// A file of the bundle other than this document: its name, media type and SHA-256.
pub(crate) struct Sibling {
    pub name: &'static str,
    pub media_type: &'static str,
    pub sha256: String,
    pub description: &'static str,
}

pub(crate) fn render(
    scope: &Scope<'_>,
    evaluation: &Evaluation<'_>,
    times: &Times,
    digest: &[u8; 32],
    siblings: &[Sibling],
) -> Result<Vec<u8>, EvidenceError> {
    let ids = Ids { run: Uuid::new_v5(&UUID_NAMESPACE, digest) };
    let tool = Ids::stable("tool", &[TOOL, scope.tool_version]);
    let origins = || vec![Origin { actors: vec![Actor { kind: "tool", actor_uuid: tool }] }];
    let plan = ids.of("assessment-plan", &[]);
    let evidence_json = ids.of("bundle-file", &[crate::EVIDENCE_FILE]);

    let frameworks = frameworks(scope);
    let pack_names: Vec<&str> = scope.packs.iter().map(|p| p.name.as_str()).collect();

    // Rules in force that implement a control, in rule order: one observation each.
    let observed: Vec<usize> = (0..evaluation.rules.len())
        .filter(|&i| {
            evaluation.rules[i].rule.settings.enabled
                && evaluation.controls.iter().any(|c| c.rules.contains(&i))
        })
        .collect();
    let observation_id = |i: usize| ids.of("observation", &[evaluation.rules[i].rule.meta.id.as_str()]);
    let observations = observed
        .iter()
        .map(|&i| observation(&evaluation.rules[i], observation_id(i), evidence_json, origins(), times))
        .collect();
    let findings = evaluation
        .controls
        .iter()
        .map(|c| {
            let uuid = ids.of("finding", &[&c.pack.name, &c.control.id]);
            let related = c
                .rules
                .iter()
                .filter(|i| observed.contains(i))
                .map(|&i| RelatedObservation { observation_uuid: observation_id(i) })
                .collect();
            finding(c, evaluation, uuid, related, origins())
        })
        .collect();

    let selections = scope
        .packs
        .iter()
        .filter(|p| !p.controls.is_empty())
        .map(|pack| ControlSelection {
            description: format!(
                "The {} controls that policy pack {} maps to rampart rules.",
                markdown(pack.framework.as_deref().unwrap_or("framework")),
                markdown(&pack.name)
            ),
            props: vec![prop("policy-pack", &pack.name)],
            include_controls: evaluation
                .controls
                .iter()
                .filter(|c| std::ptr::eq(c.pack, pack))
                .map(|c| SelectControl { control_id: c.oscal_id.clone() })
                .collect(),
        })
        .collect();

    let mut result_props = vec![prop("tool-version", scope.tool_version)];
    if let Some(commit) = scope.git_commit {
        result_props.push(prop("git-commit", commit));
    }
    result_props.extend(scope.paths.iter().map(|p| prop("scanned-path", p)));
    result_props.push(prop("files-scanned", scope.files.len().to_string()));
    for status in Status::ALL {
        result_props.push(prop(controls_prop(status), evaluation.count(status).to_string()));
    }
    if !evaluation.errors.is_empty() {
        result_props.push(prop("scan-errors", evaluation.errors.len().to_string()));
    }

    let result = AssessmentResult {
        uuid: ids.of("result", &[]),
        title: markdown(&format!("Automated assessment of infrastructure code: {}", frameworks.join(", "))),
        description: format!(
            "{TOOL} {} scanned {} file(s) with the rules of {} plugin(s) under policy pack(s) {}, and assessed each control those packs map by the rules implementing it.",
            markdown(scope.tool_version),
            scope.files.len(),
            scope.plugins.len(),
            markdown(&pack_names.join(", ")),
        ),
        start: times.started.clone(),
        end: times.finished.clone(),
        props: result_props,
        local_definitions: LocalDefinitions {
            components: vec![Component {
                uuid: tool,
                kind: "software",
                title: TOOL.to_owned(),
                description: format!(
                    "{TOOL}, a policy and compliance engine for infrastructure code, version {}.",
                    markdown(scope.tool_version)
                ),
                props: vec![prop("version", scope.tool_version)],
                status: ComponentStatus { state: "operational" },
            }],
        },
        reviewed_controls: ReviewedControls { control_selections: selections },
        observations,
        findings,
    };

    let resources = back_matter(scope, evaluation, &ids, plan, evidence_json, siblings);
    let document = Document {
        assessment_results: AssessmentResults {
            uuid: ids.of("document", &[]),
            metadata: Metadata {
                title: markdown(&format!("Compliance evidence: {}", frameworks.join(", "))),
                last_modified: times.finished.clone(),
                version: hex::encode(&digest[..8]),
                oscal_version: OSCAL_VERSION,
                props: vec![prop("tool", TOOL), prop("tool-version", scope.tool_version)],
            },
            import_ap: ImportAp {
                href: format!("#{plan}"),
                remarks: format!(
                    "{TOOL} assesses automatically against policy packs, not an OSCAL assessment plan. This reference is to a back-matter resource of this document that describes the plan that was followed."
                ),
            },
            results: vec![result],
            back_matter: BackMatter { resources },
        },
    };
    let mut bytes = serde_json::to_vec_pretty(&document)
        .map_err(|source| EvidenceError::Json { file: crate::OSCAL_FILE, source })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The frameworks whose controls the bundle reports on (pack names for packs without one).
pub(crate) fn frameworks<'a>(scope: &Scope<'a>) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for pack in scope.packs.iter().filter(|p| !p.controls.is_empty()) {
        let name = pack.framework.as_deref().unwrap_or(&pack.name);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn controls_prop(status: Status) -> &'static str {
    match status {
        Status::Fail => "controls-fail",
        Status::Error => "controls-error",
        Status::Waived => "controls-waived",
        Status::Pass => "controls-pass",
        Status::NotApplicable => "controls-not-applicable",
    }
}

fn observation(
    rule: &RuleResult<'_>,
    uuid: Uuid,
    evidence_json: Uuid,
    origins: Vec<Origin>,
    times: &Times,
) -> Observation {
    let meta = rule.rule.meta;
    let severity = rule.rule.settings.severity.unwrap_or(meta.severity);
    let formats: Vec<&str> = meta.formats.iter().map(|f| f.as_str()).collect();
    let mut props = vec![
        prop("rule-id", meta.id.as_str()),
        prop("plugin", rule.rule.plugin),
        prop("severity", severity.as_str()),
        prop("assessment-status", rule.status.as_str()),
    ];
    for (name, value) in &rule.rule.settings.params {
        props.push(prop("parameter", format!("{name} = {}", rampart_policy::Shown(value))));
    }
    for status in [Status::Pass, Status::Fail, Status::Waived, Status::Error] {
        let name = match status {
            Status::Pass => "files-pass",
            Status::Fail => "files-fail",
            Status::Waived => "files-waived",
            _ => "files-error",
        };
        props.push(prop(name, rule.count(status).to_string()));
    }
    let findings: Vec<_> = rule.findings().collect();
    props.push(prop("findings", findings.len().to_string()));
    props.push(prop("waived-findings", findings.iter().filter(|f| f.is_suppressed()).count().to_string()));

    let mut types = vec!["control-objective"];
    if !findings.is_empty() {
        types.push("finding");
    }
    let subjects = rule
        .files
        .iter()
        .map(|f| Subject {
            subject_uuid: Ids::file(f.path, f.file.and_then(|x| x.sha256.as_deref()).unwrap_or("")),
            kind: "resource",
            title: markdown(f.path),
            props: vec![prop("assessment-status", f.status.as_str())],
        })
        .collect();

    let mut evidence = vec![RelevantEvidence {
        href: Some(format!("#{evidence_json}")),
        description: format!(
            "The status of every file this rule assessed, with its findings: {} (and {}, {}) in this bundle.",
            crate::EVIDENCE_FILE,
            crate::CSV_FILE,
            crate::HTML_FILE
        ),
        props: Vec::new(),
    }];
    for file in &rule.files {
        for f in &file.findings {
            let mut description = format!(
                "`{}:{}:{}` [{}] {}",
                f.file.path.replace('`', "'"),
                f.location.line,
                f.location.column,
                f.severity,
                markdown(&f.message)
            );
            let mut props = vec![
                prop("path", &f.file.path),
                prop("line", f.location.line.to_string()),
                prop("column", f.location.column.to_string()),
                prop("severity", f.severity.as_str()),
                prop("fingerprint", &f.fingerprint),
                prop("assessment-status", if f.is_suppressed() { "waived" } else { "fail" }),
            ];
            if let Some(s) = &f.suppression {
                let _ = write!(description, " Waived: {}", markdown(&s.justification));
                props.push(prop("waiver-reason", &s.justification));
                if let Some(expires) = &s.expires {
                    props.push(prop("waiver-expires", expires));
                }
            }
            evidence.push(RelevantEvidence { href: None, description, props });
        }
        for e in &file.errors {
            evidence.push(RelevantEvidence {
                href: None,
                description: format!(
                    "Scan error ({}) concerning `{}`: {}",
                    e.kind.as_str(),
                    file.path.replace('`', "'"),
                    markdown(&e.message)
                ),
                props: vec![prop("path", file.path), prop("assessment-status", "error")],
            });
        }
    }

    Observation {
        uuid,
        title: markdown(&format!("{}: {}", meta.id, meta.title)),
        description: format!(
            "{TOOL} rule {} (plugin {}) tested every scanned file in the formats {} with the parameters in force. Result: {}.",
            markdown(meta.id.as_str()),
            markdown(rule.rule.plugin),
            markdown(&formats.join(", ")),
            rule.status
        ),
        props,
        methods: vec!["TEST"],
        types,
        origins,
        subjects,
        relevant_evidence: evidence,
        collected: times.finished.clone(),
    }
}

fn finding(
    control: &ControlResult<'_>,
    evaluation: &Evaluation<'_>,
    uuid: Uuid,
    related_observations: Vec<RelatedObservation>,
    origins: Vec<Origin>,
) -> Finding {
    let rules: Vec<&RuleResult<'_>> = control.rules(evaluation).collect();
    let in_force: Vec<&str> =
        rules.iter().filter(|r| r.rule.settings.enabled).map(|r| r.rule.meta.id.as_str()).collect();
    let not_in_force: Vec<&str> =
        rules.iter().filter(|r| !r.rule.settings.enabled).map(|r| r.rule.meta.id.as_str()).collect();
    let files: usize = rules.iter().map(|r| r.files.len()).sum();
    let count = |status: Status| -> usize { rules.iter().map(|r| r.count(status)).sum() };

    let (state, reason) = match control.status {
        Status::Pass => ("satisfied", "pass"),
        Status::Fail => ("not-satisfied", "fail"),
        Status::Waived | Status::Error | Status::NotApplicable => ("not-satisfied", "other"),
    };
    let explanation = match control.status {
        Status::Pass => "Every file the implementing rules assessed passed.".to_owned(),
        Status::Fail => format!("{} file assessment(s) failed.", count(Status::Fail)),
        Status::Waived => format!(
            "Findings were made and every one is waived: {} file assessment(s) passed only by waiver.",
            count(Status::Waived)
        ),
        Status::Error => {
            if evaluation.unattributed_errors.is_empty() {
                format!("Not assessed completely: scan errors concern {} file assessment(s).", count(Status::Error))
            } else {
                "Not assessed completely: the scan had errors, some concerning files it could not read.".to_owned()
            }
        }
        Status::NotApplicable if in_force.is_empty() => {
            "Not applicable: no rule implementing this control is in force, so the scan gives no evidence for it."
                .to_owned()
        }
        Status::NotApplicable => {
            "Not applicable: no scanned file is in a format the implementing rules read, so the scan gives no evidence for it."
                .to_owned()
        }
    };

    let mut props = vec![
        prop("control-id", &control.control.id),
        prop("policy-pack", &control.pack.name),
        prop("assessment-status", control.status.as_str()),
        prop("files-assessed", files.to_string()),
    ];
    if let Some(framework) = &control.pack.framework {
        props.push(prop("framework", framework));
    }
    props.extend(in_force.iter().map(|id| prop("rule-in-force", id)));
    props.extend(not_in_force.iter().map(|id| prop("rule-not-in-force", id)));

    let waivers: Vec<String> = {
        let mut reasons: Vec<&str> = Vec::new();
        for rule in &rules {
            for f in rule.findings() {
                if let Some(s) = &f.suppression
                    && !reasons.contains(&s.justification.as_str())
                {
                    reasons.push(&s.justification);
                }
            }
        }
        reasons.iter().map(|r| format!("* {}", markdown(r))).collect()
    };
    let remarks = (!waivers.is_empty()).then(|| format!("Waiver reasons:\n\n{}", waivers.join("\n")));

    Finding {
        uuid,
        title: markdown(&format!(
            "{} {}: {}",
            control.framework(),
            control.control.id,
            control.control.title
        )),
        description: format!(
            "Status {}. {} Rules in force implementing the control: {}.{}",
            control.status,
            explanation,
            if in_force.is_empty() { "none".to_owned() } else { markdown(&in_force.join(", ")) },
            if not_in_force.is_empty() {
                String::new()
            } else {
                format!(" Not in force: {}.", markdown(&not_in_force.join(", ")))
            }
        ),
        props,
        origins,
        target: Target {
            kind: "objective-id",
            target_id: format!("{}_obj", control.oscal_id),
            title: markdown(&format!("Objective of {} {}", control.framework(), control.control.id)),
            status: ObjectiveStatus {
                state,
                reason,
                remarks: format!("{TOOL} status: {}. {explanation}", control.status),
            },
        },
        related_observations,
        remarks,
    }
}

fn back_matter(
    scope: &Scope<'_>,
    evaluation: &Evaluation<'_>,
    ids: &Ids,
    plan: Uuid,
    evidence_json: Uuid,
    siblings: &[Sibling],
) -> Vec<Resource> {
    let packs: Vec<String> =
        scope.packs.iter().map(|p| format!("{} (SHA-256 {})", markdown(&p.name), p.sha256)).collect();
    let mut resources = vec![Resource {
        uuid: plan,
        title: "Assessment plan: automated assessment by policy packs".to_owned(),
        description: format!(
            "No OSCAL assessment plan was imported. The plan followed: run every rule that the policy pack(s) {} enable over the scanned paths, and assess each control a pack maps by the rules it names. The packs are resources of this document, with their SHA-256.",
            packs.join(", ")
        ),
        props: scope.packs.iter().map(|p| prop("policy-pack", &p.name)).collect(),
        rlinks: Vec::new(),
    }];
    for sibling in siblings {
        let uuid = if sibling.name == crate::EVIDENCE_FILE {
            evidence_json
        } else {
            ids.of("bundle-file", &[sibling.name])
        };
        resources.push(Resource {
            uuid,
            title: sibling.name.to_owned(),
            description: sibling.description.to_owned(),
            props: vec![prop("bundle-file", sibling.name)],
            rlinks: vec![Rlink {
                href: sibling.name.to_owned(),
                media_type: Some(sibling.media_type),
                hashes: sha256(&sibling.sha256),
            }],
        });
    }
    for pack in scope.packs {
        let source = crate::json::pack_source(pack);
        let href = match &pack.source {
            rampart_policy::PackSource::Builtin => source.clone(),
            rampart_policy::PackSource::File(_) => uri_path(&source),
        };
        resources.push(Resource {
            uuid: Ids::stable("policy-pack", &[&pack.name, &pack.sha256]),
            title: markdown(&format!("Policy pack {}", pack.name)),
            description: if pack.description.trim().is_empty() {
                "A rampart policy pack.".to_owned()
            } else {
                markdown(&pack.description)
            },
            props: std::iter::once(prop("policy-pack", &pack.name))
                .chain(pack.framework.iter().map(|f| prop("framework", f)))
                .chain(std::iter::once(prop("source", &source)))
                .collect(),
            rlinks: vec![Rlink { href, media_type: Some("application/toml"), hashes: sha256(&pack.sha256) }],
        });
    }
    for plugin in &scope.plugins {
        let href = if plugin.origin == "built-in" {
            format!("builtin:{}", uri_path(&plugin.name))
        } else {
            uri_path(&plugin.origin)
        };
        resources.push(Resource {
            uuid: Ids::stable("plugin", &[&plugin.name, &plugin.sha256]),
            title: markdown(&format!("Plugin {} {}", plugin.name, plugin.version)),
            description: format!(
                "A {TOOL} policy plugin (WebAssembly component) that ran in this assessment."
            ),
            props: vec![
                prop("plugin", &plugin.name),
                prop("version", &plugin.version),
                prop("origin", &plugin.origin),
            ],
            rlinks: vec![Rlink {
                href,
                media_type: Some("application/wasm"),
                hashes: sha256(&plugin.sha256),
            }],
        });
    }
    let mut seen: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    let inventory = scope.files.iter().map(|f| (f.path.as_str(), f.sha256.as_deref(), Some(f)));
    let extra = evaluation
        .rules
        .iter()
        .flat_map(|r| r.files.iter())
        .filter(|f| f.file.is_none())
        .map(|f| (f.path, None, None));
    for (path, hash, file) in inventory.chain(extra) {
        let uuid = Ids::file(path, hash.unwrap_or(""));
        if !seen.insert(uuid) {
            continue;
        }
        let mut props = vec![prop("path", path)];
        if let Some(file) = file {
            props.push(prop("format", file.format.as_str()));
            props.push(prop("bytes", file.bytes.to_string()));
        }
        resources.push(Resource {
            uuid,
            title: markdown(path),
            description: if file.is_some() {
                "A scanned file; the path is as the scan displayed it, relative to the directory it ran in."
                    .to_owned()
            } else {
                "A file a finding names that is not in the scan's inventory.".to_owned()
            },
            props,
            rlinks: vec![Rlink {
                href: uri_path(path),
                media_type: None,
                hashes: hash.map(sha256).unwrap_or_default(),
            }],
        });
    }
    resources
}

/// The SHA-256 of bytes, hex.
pub(crate) fn hash_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
