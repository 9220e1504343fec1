//! Baselines: `--write-baseline FILE` records the current findings by fingerprint;
//! `--baseline FILE` waives exactly those, so a gate fails only on new findings, and lists
//! the entries that no longer occur so the file can shrink as debt is paid.
//!
//! The file is JSON (`{"version": 1, "tool": ..., "findings": [{fingerprint, rule, path,
//! line, message}]}`), sorted, reviewable in a pull request. Fingerprints do not depend on
//! line numbers (see `rampart_model::fingerprint_all`), so unrelated edits keep findings
//! matched; a secret's fingerprint is taken from its masked text, so the file holds no
//! secret nor a hash of one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rampart_model::{Finding, Suppression, SuppressionKind};
use rampart_report::BaselineEntry;
use serde::{Deserialize, Serialize};

use crate::args::InputArgs;
use crate::config::Config;

const VERSION: u32 = 1;

/// What applying a baseline did.
pub struct Applied {
    /// The baseline file, as shown to the user.
    pub file: String,
    /// How many findings it waived.
    pub matched: usize,
    /// Its entries that no longer occur.
    pub resolved: Vec<BaselineEntry>,
}

/// The baseline in force: `--baseline`, else the config's `scan.baseline` (relative to the
/// config file).
pub fn configured(input: &InputArgs, config: &Config) -> Option<PathBuf> {
    input.baseline.clone().or_else(|| config.scan.baseline.as_ref().map(|p| config.dir.join(p)))
}

/// Reads a baseline file and applies it.
pub fn apply_file(path: &Path, findings: &mut [Finding]) -> Result<Applied> {
    Ok(apply(read(path)?, path, findings))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    tool: String,
    findings: Vec<BaselineEntry>,
}

/// Writes every unsuppressed finding to `path`; returns the entries written.
pub fn write(path: &Path, findings: &[Finding]) -> Result<Vec<BaselineEntry>> {
    let mut entries: Vec<BaselineEntry> = findings
        .iter()
        .filter(|f| !f.is_suppressed())
        .map(|f| BaselineEntry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.to_string(),
            path: f.file.path.clone(),
            line: f.location.line,
            message: f.message.clone(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.path, a.line, &a.rule, &a.fingerprint).cmp(&(&b.path, b.line, &b.rule, &b.fingerprint))
    });
    let file = BaselineFile {
        version: VERSION,
        tool: format!("rampart {}", env!("CARGO_PKG_VERSION")),
        findings: entries,
    };
    let mut text = serde_json::to_string_pretty(&file).context("could not serialise the baseline")?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("could not write the baseline {}", path.display()))?;
    Ok(file.findings)
}

/// Reads a baseline file; a missing or malformed file is a usage error with its location.
fn read(path: &Path) -> Result<Vec<BaselineEntry>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the baseline {}", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!("invalid baseline {}:{}:{}: {e}", path.display(), e.line(), e.column())
    })?;
    if file.version != VERSION {
        bail!(
            "the baseline {} has version {}, this rampart reads version {VERSION}; write it again with --write-baseline",
            path.display(),
            file.version
        );
    }
    Ok(file.findings)
}

/// Waives the findings the baseline `path` holds (those not already suppressed inline).
pub fn apply(entries: Vec<BaselineEntry>, path: &Path, findings: &mut [Finding]) -> Applied {
    let shown = path.display().to_string();
    let mut by_fingerprint: HashMap<String, BaselineEntry> =
        entries.into_iter().map(|e| (e.fingerprint.clone(), e)).collect();
    let mut matched = 0;
    for finding in findings.iter_mut().filter(|f| !f.is_suppressed()) {
        if by_fingerprint.remove(&finding.fingerprint).is_some() {
            matched += 1;
            finding.suppression = Some(Suppression {
                kind: SuppressionKind::Baseline,
                justification: format!("recorded in the baseline {shown}"),
                at: None,
                expires: None,
            });
        }
    }
    let mut resolved: Vec<BaselineEntry> = by_fingerprint.into_values().collect();
    resolved.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    Applied { file: shown, matched, resolved }
}
