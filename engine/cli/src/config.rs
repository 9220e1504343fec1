//! `rampart.toml`: settings a repository keeps next to its code.
//!
//! Found with `--config`, else by walking up from the (first) scanned path to the
//! repository root (the first directory holding `.git`), else not at all. Precedence:
//! command-line flags, then this file, then the defaults. Unknown keys are errors (a typo
//! must not silently disable a check), and every error points at its line and column.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rampart_model::{Severity, SourceFile, Span};
use rampart_policy::PackError;
use rampart_policy::suppress::SuppressionPolicy;
use serde::Deserialize;
use toml::Spanned;

use crate::args::OutputFormat;

pub const DEFAULT_FILE: &str = "rampart.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub scan: ScanConfig,
    #[serde(default)]
    pub plugins: PluginsConfig,
    #[serde(default)]
    pub sandbox: SandboxConfig,
    #[serde(default)]
    pub policy: PolicyConfig,
    #[serde(default)]
    pub suppressions: SuppressionsConfig,
    /// Reports to write, each a format and optionally a file (`[[output]]`).
    #[serde(default)]
    pub output: Vec<OutputConfig>,
    /// Pack-wide parameters, as in a policy pack; read by `Pack::from_config`.
    #[serde(default)]
    params: Option<toml::Table>,
    /// Per-rule settings, as in a policy pack; read by `Pack::from_config`.
    #[serde(default)]
    rules: Option<toml::Table>,
    /// The directory the file is in: relative paths in it are relative to this.
    #[serde(skip)]
    pub dir: PathBuf,
    /// The file, when there is one.
    #[serde(skip)]
    pub path: Option<PathBuf>,
    #[serde(skip)]
    text: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScanConfig {
    #[serde(default)]
    pub exclude: Vec<String>,
    pub fail_on: Option<String>,
    pub max_file_size_mib: Option<u64>,
    /// A baseline file (see `--baseline`), relative to the config file.
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PluginsConfig {
    /// Third-party plugin components to load, relative to the config file: a path, or
    /// `{ path = "...", sha256 = "..." }` to refuse any other build of it.
    #[serde(default)]
    pub load: Vec<PluginEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum PluginEntry {
    Path(PathBuf),
    Pinned(PinnedPlugin),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinnedPlugin {
    pub path: PathBuf,
    pub sha256: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyConfig {
    /// Policy packs, applied in order: built-in names or `.toml` paths relative to the
    /// config file. `--policy` on the command line replaces them.
    #[serde(default)]
    pub packs: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SandboxConfig {
    pub timeout_seconds: Option<f64>,
    pub memory_mib: Option<usize>,
}

/// What inline suppressions are allowed (`[suppressions]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SuppressionsConfig {
    /// `false`: no `rampart:ignore` comment is honoured.
    pub inline: Option<bool>,
    /// Rules (ids or `family/*`) whose findings may not be suppressed inline.
    #[serde(default)]
    pub forbid_rules: Vec<Spanned<String>>,
    /// Severities whose findings may not be suppressed inline.
    #[serde(default)]
    pub forbid_severities: Vec<Spanned<String>>,
    /// Every suppression must carry `expires=YYYY-MM-DD`.
    #[serde(default)]
    pub require_expiry: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    pub format: OutputFormat,
    /// Relative to the config file; standard output when absent.
    pub file: Option<PathBuf>,
}

impl Config {
    /// `explicit`, else the `rampart.toml` nearest above the first of `paths` (up to the
    /// repository root), else none. Scanned paths under different config files must be
    /// scanned separately (or given one `--config`), so no path is judged by another's.
    pub fn discover(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<Config> {
        if let Some(path) = explicit {
            return Config::read(path);
        }
        let mut found: Option<(PathBuf, &Path)> = None;
        for scanned in paths {
            let config = nearest(scanned);
            match (&found, config) {
                (None, Some(config)) => found = Some((config, scanned)),
                (Some((first, by)), config) if config.as_ref() != Some(first) => bail!(
                    "{} and {} are under different config files ({} and {}); scan them separately or pass --config",
                    by.display(),
                    scanned.display(),
                    first.display(),
                    config.map_or_else(|| "none".to_owned(), |c| c.display().to_string())
                ),
                _ => {}
            }
        }
        match found {
            Some((path, _)) => Config::read(&path),
            None => Ok(Config::default()),
        }
    }

    /// Reads and checks one config file.
    pub fn read(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the config file {}", path.display()))?;
        let source = SourceFile::new(path.display().to_string(), text.as_str());
        let mut config: Config = rampart_policy::from_toml(&source).map_err(|e| invalid(&e))?;
        for severity in &config.suppressions.forbid_severities {
            if let Err(message) = severity.get_ref().parse::<Severity>() {
                return Err(invalid(&PackError::at(&source, span(severity), message)));
            }
        }
        config.dir = path.parent().map(Path::to_owned).unwrap_or_default();
        config.path = Some(path.to_owned());
        config.text = text;
        Ok(config)
    }

    /// The third-party plugins to load, with their pins.
    pub fn plugin_paths(&self) -> impl Iterator<Item = (PathBuf, Option<&str>)> + '_ {
        self.plugins.load.iter().map(|entry| match entry {
            PluginEntry::Path(path) => (self.dir.join(path), None),
            PluginEntry::Pinned(pinned) => (self.dir.join(&pinned.path), pinned.sha256.as_deref()),
        })
    }

    /// The `[params]` and `[rules]` of the file, as a pack applied after the named ones.
    pub fn pack(&self) -> Result<Option<rampart_policy::Pack>> {
        let (Some(path), true) = (&self.path, self.params.is_some() || self.rules.is_some()) else {
            return Ok(None);
        };
        rampart_policy::Pack::from_config(path, &self.text).map_err(|e| invalid(&e))
    }

    pub fn suppression_policy(&self) -> SuppressionPolicy {
        let s = &self.suppressions;
        SuppressionPolicy {
            forbid_inline: s.inline == Some(false),
            forbid_rules: s.forbid_rules.iter().map(|r| r.get_ref().clone()).collect(),
            forbid_severities: s.forbid_severities.iter().filter_map(|r| r.get_ref().parse().ok()).collect(),
            require_expiry: s.require_expiry,
        }
    }

    /// The `forbid-rules` entries, with their place in the file, to check against the
    /// loaded rules once they are known.
    pub fn check_rule_patterns(&self, known: impl Fn(&str) -> bool) -> Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        for pattern in &self.suppressions.forbid_rules {
            if !known(pattern.get_ref()) {
                let source = SourceFile::new(path.display().to_string(), self.text.as_str());
                let message = format!("no loaded rule matches `{}` (see `rampart rules`)", pattern.get_ref());
                return Err(invalid(&PackError::at(&source, span(pattern), message)));
            }
        }
        Ok(())
    }
}

/// The config file that applies to a scanned path: the nearest `rampart.toml` in its
/// directory or above, not above the repository root.
fn nearest(scanned: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(scanned).ok()?;
    let mut dir = if absolute.is_dir() { Some(absolute.as_path()) } else { absolute.parent() };
    while let Some(current) = dir {
        let candidate = current.join(DEFAULT_FILE);
        if candidate.is_file() {
            // Shown as the user would type it when it is under the working directory.
            let shown = std::env::current_dir()
                .ok()
                .and_then(|cwd| candidate.strip_prefix(&cwd).ok().map(Path::to_owned))
                .unwrap_or(candidate);
            return Some(shown);
        }
        if current.join(".git").exists() {
            return None;
        }
        dir = current.parent();
    }
    None
}

/// A config error, rendered like a policy pack's: `path:line:column: message`, the line and
/// a caret.
fn invalid(error: &PackError) -> anyhow::Error {
    anyhow::anyhow!("invalid config file {error}")
}

fn span<T>(value: &Spanned<T>) -> Span {
    let range = value.span();
    Span::new(range.start as u32, range.end as u32)
}
