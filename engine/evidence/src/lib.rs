//! Compliance evidence bundles: what a scan shows about each control of a framework, in
//! forms an auditor and a GRC tool can take, with checksums and an optional signature.
//!
//! `rampart evidence` runs a normal scan, then [`write_bundle`] writes a directory:
//!
//! | file | what |
//! | --- | --- |
//! | `assessment-results.json` | an OSCAL 1.1 assessment-results document (see below) |
//! | `evidence.json` | the same evaluation in rampart's own shape: scope, per control the rules, parameters, per-file statuses and findings |
//! | `controls.csv` | one row per control, rule and file, for GRC tools |
//! | `report.html` | a self-contained report for people (no scripts, no external resources) |
//! | `SHA256SUMS` | `sha256sum`-compatible checksums of every file above |
//! | `SHA256SUMS.sig` | with a key: the raw 64-byte Ed25519 signature of `SHA256SUMS` |
//! | `SHA256SUMS.pub` | with a key: the public key, PEM (SubjectPublicKeyInfo) |
//!
//! and [`verify`] checks one. The checksums and signature can be checked without rampart:
//!
//! ```text
//! sha256sum -c SHA256SUMS
//! openssl pkeyutl -verify -pubin -inkey SHA256SUMS.pub -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
//! ```
//!
//! (the second proves who signed only when `SHA256SUMS.pub` is compared with a key obtained
//! elsewhere; see [`verify`]).
//!
//! # Statuses
//!
//! For each rule in force that implements a control, every scanned file whose format the
//! rule reads gets a [`Status`]: `fail` if the rule has a finding in the file that is not
//! waived, else `error` if a scan error concerns the file, else `waived` if all the rule's
//! findings in the file are suppressed (with their reasons), else `pass`. A control's status
//! is the most severe over all its rules and files in that order (`fail`, `error`, `waived`,
//! `pass`), and `not-applicable` when no implementing rule is in force or no file of their
//! formats was scanned. A scan error that names no scanned file makes every control with a
//! rule in force at least `error`: the file that could not be read might have failed it.
//! An error concerns the file it names, every file under a directory it names, and, since a
//! Terraform module is one document named after its first file, every Terraform file of the
//! directory of a Terraform file it names. Rules the policy disables are listed as not in
//! force and assess nothing. What the scan deliberately did not evaluate (notices: files
//! over the size limit, Helm templates) is listed in the scope and changes no status, as in
//! a scan. A finding is never dropped: one in a file the inventory lacks, or outside the
//! rule's formats, still counts for its file.
//!
//! # The OSCAL document
//!
//! One `result` covers the scan; its `reviewed-controls` selects, per policy pack, the
//! controls the pack maps. Control ids become OSCAL tokens (`CC6.1` → `cc6.1`,
//! `Art. 32(1)(a)` → `art.32.1.a`), the original kept in a `control-id` prop. Every rule in
//! force that implements a control is an `observation` (method `TEST`, the files it assessed
//! as subjects, its findings and errors as relevant evidence, file counts per status as
//! props); every control is a `finding` targeting the control's objective
//! (`<control-id>_obj`), `satisfied` only for `pass` (every other status is
//! `not-satisfied`, reason `fail` or `other`; rampart's own status is the
//! `assessment-status` prop). Back-matter resources hold the SHA-256 of every scanned file,
//! plugin, policy pack and other bundle file. OSCAL requires `import-ap`, a reference to an
//! assessment plan; rampart follows none (its plan is the policy packs), so `import-ap`
//! points at a back-matter resource of the document (`#<uuid>`) that says so and names the
//! packs. rampart's props use the namespace [`OSCAL_PROP_NAMESPACE`].
//!
//! # Determinism
//!
//! Every UUID is a version-5 (name-based) UUID: those of scanned files, plugins and packs
//! from their path or name and sha256, the others from a SHA-256 digest of everything the
//! bundle records except the start and end times. Two runs over the same inputs therefore
//! write identical bundles apart from those times (and what depends on them: the
//! checksums), and objects keep their identity across runs as OSCAL asks ("assigned
//! per-subject").
//!
//! # What never enters a bundle
//!
//! File contents. The bundle holds what findings carry (rule, severity, path, line and
//! column, message, fingerprint, waiver reason) and the inventory (path, format, size,
//! sha256). Findings are expected to have had secrets masked by the caller
//! ([`rampart_model::mask_secrets`]) before they get here.

mod csv;
mod html;
mod json;
mod keys;
mod oscal;
mod status;
mod text;
mod time;
mod verify;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ed25519_dalek::{Signer as _, SigningKey};
use rampart_model::{Finding, Notice, RuleMeta, RuleSettings, ScanError, ScannedFile};
use rampart_policy::Pack;
use sha2::{Digest, Sha256};

pub use json::FORMAT_VERSION;
pub use keys::{KeyError, KeyPair, generate_key_pair, key_fingerprint, read_signing_key, read_verifying_key};
pub use oscal::{NAMESPACE as OSCAL_PROP_NAMESPACE, OSCAL_VERSION};
pub use status::Status;
pub use time::{TimeError, rfc3339};
pub use verify::{FileProblem, Problem, Verified, VerifyError, verify};

/// The OSCAL assessment-results document.
pub const OSCAL_FILE: &str = "assessment-results.json";
/// The evaluation in rampart's own JSON shape.
pub const EVIDENCE_FILE: &str = "evidence.json";
/// One row per control, rule and file.
pub const CSV_FILE: &str = "controls.csv";
/// The report for people.
pub const HTML_FILE: &str = "report.html";
/// `sha256sum`-compatible checksums of every other file.
pub const SUMS_FILE: &str = "SHA256SUMS";
/// The Ed25519 signature of [`SUMS_FILE`], 64 raw bytes.
pub const SIGNATURE_FILE: &str = "SHA256SUMS.sig";
/// The public key that signed, PEM.
pub const PUBLIC_KEY_FILE: &str = "SHA256SUMS.pub";

/// The tool named in every output.
pub const TOOL: &str = "rampart";

/// A plugin that ran, as evidence names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginRecord {
    pub name: String,
    pub version: String,
    /// sha256 of the component, hex.
    pub sha256: String,
    /// `built-in`, or the path it was loaded from.
    pub origin: String,
}

/// What was scanned, with what, and when.
#[derive(Clone, Debug)]
pub struct Scope<'a> {
    /// rampart's version.
    pub tool_version: &'a str,
    pub started: SystemTime,
    pub finished: SystemTime,
    /// The commit of the scanned repository, when known.
    pub git_commit: Option<&'a str>,
    /// The paths named on the command line, as given.
    pub paths: &'a [String],
    /// Every file the scan read; `sha256` must be set on every one.
    pub files: &'a [ScannedFile],
    pub plugins: Vec<PluginRecord>,
    /// The policy packs in force, in order; their `controls` are what the bundle reports on.
    pub packs: &'a [Pack],
}

/// A rule the scan knew, and what the policy made of it.
#[derive(Clone, Debug)]
pub struct RuleInForce<'a> {
    pub meta: &'a RuleMeta,
    /// The plugin that declares it.
    pub plugin: &'a str,
    /// Enabled or not, severity override, parameter values.
    pub settings: RuleSettings,
}

/// What the scan found.
#[derive(Clone, Debug)]
pub struct Assessment<'a> {
    /// Every loaded rule (in force or not).
    pub rules: Vec<RuleInForce<'a>>,
    /// Every finding, waived ones included (their `suppression` says why), secrets masked.
    pub findings: &'a [Finding],
    pub errors: &'a [ScanError],
    /// What the scan deliberately did not evaluate (files over the size limit, Helm
    /// templates): listed in the bundle, not counted as errors.
    pub notices: &'a [Notice],
}

/// One control's outcome, for the command line to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlSummary {
    pub pack: String,
    pub framework: String,
    pub id: String,
    pub title: String,
    pub status: Status,
}

/// What [`write_bundle`] wrote.
#[derive(Clone, Debug)]
pub struct BundleSummary {
    pub dir: PathBuf,
    /// Every file written, relative to `dir`, sorted.
    pub files: Vec<String>,
    pub controls: Vec<ControlSummary>,
    /// The fingerprint ([`key_fingerprint`]) of the key that signed, if one did.
    pub signed_by: Option<String>,
}

impl BundleSummary {
    pub fn count(&self, status: Status) -> usize {
        self.controls.iter().filter(|c| c.status == status).count()
    }
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "the evidence directory {} is not empty: write each bundle to a new or empty directory (an extra file would fail verification)",
        .0.display()
    )]
    NotEmpty(PathBuf),
    #[error("{} exists and is not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error(
        "no policy pack in force maps any control, so there is nothing to give evidence for: name a pack with controls (built-in: soc2, gdpr)"
    )]
    NoControls,
    #[error("the scanned file {0} has no sha256: evidence needs the scan to hash every file it reads")]
    MissingHash(String),
    #[error("the scan's {which} time cannot be recorded: {source}")]
    Time { which: &'static str, source: TimeError },
    #[error("could not write {file}: {source}")]
    Json { file: &'static str, source: serde_json::Error },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> EvidenceError + '_ {
    move |source| EvidenceError::Io { path: path.to_owned(), source }
}

/// Writes an evidence bundle into `dir`, which must not exist or be empty, and signs it
/// with `key` if one is given. See the crate documentation for the files and statuses.
pub fn write_bundle(
    dir: &Path,
    scope: &Scope<'_>,
    assessment: &Assessment<'_>,
    key: Option<&SigningKey>,
) -> Result<BundleSummary, EvidenceError> {
    if scope.packs.iter().all(|p| p.controls.is_empty()) {
        return Err(EvidenceError::NoControls);
    }
    if let Some(file) = scope.files.iter().find(|f| f.sha256.is_none()) {
        return Err(EvidenceError::MissingHash(file.path.clone()));
    }
    let times = Times {
        started: rfc3339(scope.started).map_err(|source| EvidenceError::Time { which: "start", source })?,
        finished: rfc3339(scope.finished).map_err(|source| EvidenceError::Time { which: "end", source })?,
    };

    let evaluation = status::Evaluation::new(scope, assessment);
    let (evidence_json, digest) = json::render(scope, &evaluation, &times)?;
    let csv = csv::render(&evaluation).into_bytes();
    let html = html::render(scope, &evaluation, &times, key.map(SigningKey::verifying_key)).into_bytes();
    let siblings = [
        oscal::Sibling {
            name: EVIDENCE_FILE,
            media_type: "application/json",
            sha256: oscal::hash_hex(&evidence_json),
            description: "The evaluation in rampart's own JSON shape: scope, and per control the rules, their parameters, the status of every file and the findings.",
        },
        oscal::Sibling {
            name: CSV_FILE,
            media_type: "text/csv",
            sha256: oscal::hash_hex(&csv),
            description: "One row per control, rule and file, for GRC tools.",
        },
        oscal::Sibling {
            name: HTML_FILE,
            media_type: "text/html",
            sha256: oscal::hash_hex(&html),
            description: "The report for people.",
        },
    ];
    let oscal_json = oscal::render(scope, &evaluation, &times, &digest, &siblings)?;
    let outputs: [(&str, &[u8]); 4] =
        [(OSCAL_FILE, &oscal_json), (CSV_FILE, &csv), (EVIDENCE_FILE, &evidence_json), (HTML_FILE, &html)];

    prepare_dir(dir)?;
    let mut sums = String::new();
    for (name, bytes) in &outputs {
        write_new(&dir.join(name), bytes)?;
        let _ = writeln!(sums, "{}  {name}", hex::encode(Sha256::digest(bytes)));
    }
    write_new(&dir.join(SUMS_FILE), sums.as_bytes())?;
    let mut files: Vec<String> = outputs.iter().map(|(name, _)| (*name).to_owned()).collect();
    files.push(SUMS_FILE.to_owned());

    let mut signed_by = None;
    if let Some(key) = key {
        let signature = key.sign(sums.as_bytes());
        write_new(&dir.join(SIGNATURE_FILE), &signature.to_bytes())?;
        let public = keys::public_key_pem(&key.verifying_key());
        write_new(&dir.join(PUBLIC_KEY_FILE), public.as_bytes())?;
        files.push(SIGNATURE_FILE.to_owned());
        files.push(PUBLIC_KEY_FILE.to_owned());
        signed_by = Some(key_fingerprint(&key.verifying_key()));
    }
    files.sort();

    let controls = evaluation
        .controls
        .iter()
        .map(|c| ControlSummary {
            pack: c.pack.name.clone(),
            framework: c.framework().to_owned(),
            id: c.control.id.clone(),
            title: c.control.title.clone(),
            status: c.status,
        })
        .collect();
    Ok(BundleSummary { dir: dir.to_owned(), files, controls, signed_by })
}

/// The scan's start and end, RFC 3339.
#[derive(Debug)]
pub(crate) struct Times {
    pub started: String,
    pub finished: String,
}

fn prepare_dir(dir: &Path) -> Result<(), EvidenceError> {
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => Err(EvidenceError::NotADirectory(dir.to_owned())),
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir).map_err(io_error(dir))?;
            if entries.next().is_some() {
                return Err(EvidenceError::NotEmpty(dir.to_owned()));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(io_error(dir))
        }
        Err(e) => Err(io_error(dir)(e)),
    }
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), EvidenceError> {
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(io_error(path))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(io_error(path))
}

/// Whether a program can be run (tests that compare with `sha256sum` and `openssl` skip,
/// saying so, where it cannot).
#[cfg(test)]
pub(crate) fn has_binary(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}
