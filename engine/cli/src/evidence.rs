//! `rampart evidence`: a scan whose result is a compliance evidence bundle (see the
//! `rampart-evidence` crate), and the commands that verify bundles and make signing keys.
//!
//! Exit codes: 0 the bundle was written and every control passed (or was waived or not
//! applicable); 1 a control failed; 3 the scan had errors (the bundle is written and marks
//! the controls it could not assess); 2 usage errors. `verify` exits 0 when the bundle
//! verifies and 1 when it does not.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use rampart_evidence::{Assessment, PluginRecord, RuleInForce, Scope, Status};
use rampart_runtime::Origin;

use crate::args::{EvidenceAction, EvidenceArgs};
use crate::config::Config;
use crate::{Exit, baseline};

pub fn run(args: &EvidenceArgs) -> Result<Exit> {
    match &args.action {
        Some(EvidenceAction::Verify { dir, public_key }) => verify(dir, public_key.as_deref()),
        Some(EvidenceAction::Keygen { output }) => keygen(output),
        None => create(args),
    }
}

fn create(args: &EvidenceArgs) -> Result<Exit> {
    let Some(dir) = &args.output else {
        bail!("`rampart evidence` needs --output DIR, the directory to write the bundle to");
    };
    let key = args
        .sign_key
        .as_deref()
        .map(|path| {
            rampart_evidence::read_signing_key(path)
                .with_context(|| format!("could not read the signing key {}", path.display()))
        })
        .transpose()?;
    let input = &args.input;
    let config = Config::discover(input.plugin.config.as_deref(), &input.paths)?;
    let mut run = crate::run_scan(input, &config, true)?;
    if let Some(path) = baseline::configured(input, &config) {
        baseline::apply_file(&path, &mut run.outcome.findings)?;
    }

    let paths: Vec<String> = input.paths.iter().map(|p| p.display().to_string()).collect();
    let commit = git_commit(input.paths.first().map_or(Path::new("."), |p| p.as_path()));
    let plugins = run
        .loaded
        .plugins
        .iter()
        .map(|p| PluginRecord {
            name: p.info.name.clone(),
            version: p.info.version.clone(),
            sha256: p.sha256.clone(),
            origin: match &p.origin {
                Origin::Builtin => "built-in".to_owned(),
                Origin::File(path) => path.display().to_string(),
            },
        })
        .collect();
    let scope = Scope {
        tool_version: env!("CARGO_PKG_VERSION"),
        started: run.started,
        finished: run.finished,
        git_commit: commit.as_deref(),
        paths: &paths,
        files: &run.outcome.scanned,
        plugins,
        packs: &run.policy.packs,
    };
    let rules = run
        .loaded
        .plugins
        .iter()
        .flat_map(|p| p.rules.iter().map(move |r| (p, r)))
        .map(|(plugin, meta)| RuleInForce {
            meta,
            plugin: &plugin.info.name,
            settings: run.resolved.settings(meta),
        })
        .collect();
    let assessment = Assessment {
        rules,
        findings: &run.outcome.findings,
        errors: &run.outcome.errors,
        notices: &run.outcome.notices,
    };
    let summary = rampart_evidence::write_bundle(dir, &scope, &assessment, key.as_ref())
        .context("could not write the evidence bundle")?;

    let width = summary.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for control in &summary.controls {
        println!(
            "{:8} {:width$}  {}  ({})",
            control.status.as_str(),
            control.id,
            control.title,
            control.pack
        );
    }
    let counts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|&s| {
            let n = summary.count(s);
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    println!(
        "evidence for {} controls ({}) over {} files written to {}{}",
        summary.controls.len(),
        counts.join(", "),
        run.outcome.scanned.len(),
        dir.display(),
        summary.signed_by.as_deref().map_or(String::new(), |k| format!("; signed by {k}"))
    );
    if !run.outcome.errors.is_empty() {
        eprintln!(
            "warning: the scan had {} errors: the controls they concern are marked as not fully assessed",
            run.outcome.errors.len()
        );
    }
    Ok(if !run.outcome.errors.is_empty() {
        Exit::EngineError
    } else if summary.count(Status::Fail) > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

fn verify(dir: &Path, public_key: Option<&Path>) -> Result<Exit> {
    let trusted = public_key
        .map(|path| {
            rampart_evidence::read_verifying_key(path)
                .with_context(|| format!("could not read the public key {}", path.display()))
        })
        .transpose()?;
    match rampart_evidence::verify(dir, trusted.as_ref()) {
        Ok(verified) => {
            let signature = match (&verified.signed_by, verified.pinned) {
                (Some(key), true) => format!("signed by the trusted key {key}"),
                (Some(key), false) => format!(
                    "signed by {key} (the bundle's own key: pass --public-key to check who signed it)"
                ),
                (None, _) => "not signed".to_owned(),
            };
            println!("OK: {} files match SHA256SUMS; {signature}", verified.files.len());
            Ok(Exit::Clean)
        }
        Err(err) => {
            println!("FAILED: {err}");
            Ok(Exit::Findings)
        }
    }
}

fn keygen(prefix: &Path) -> Result<Exit> {
    let pair = rampart_evidence::generate_key_pair(prefix).context("could not create the key pair")?;
    println!(
        "wrote the private key {} (keep it secret) and the public key {} (give it to verifiers); fingerprint {}",
        pair.private_key.display(),
        pair.public_key.display(),
        pair.fingerprint
    );
    Ok(Exit::Clean)
}

/// The commit checked out where `path` is, if it is in a git repository and git is
/// installed; evidence without it is still evidence.
fn git_commit(path: &Path) -> Option<String> {
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
    };
    let output = Command::new("git").arg("-C").arg(dir).args(["rev-parse", "HEAD"]).output().ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && commit.len() >= 40).then_some(commit)
}
