//! `rampart.toml`: settings a repository keeps next to its code.
//!
//! Unknown keys are errors (a typo must not silently disable a check), and every error
//! points at its line and column in the file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

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
    /// The directory the file is in: relative paths in it are relative to this.
    #[serde(skip)]
    pub dir: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScanConfig {
    #[serde(default)]
    pub exclude: Vec<String>,
    pub fail_on: Option<String>,
    pub max_file_size_mib: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PluginsConfig {
    /// Third-party plugin components to load, relative to the config file.
    #[serde(default)]
    pub load: Vec<PathBuf>,
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

impl Config {
    /// Reads `explicit`, else `rampart.toml` in the current directory if there is one.
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let path = match explicit {
            Some(path) => path.to_owned(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read the config file {}", path.display()))?;
        let mut config: Config = toml::from_str(&text)
            .map_err(|err| anyhow::anyhow!("invalid config file {}:\n{err}", path.display()))?;
        config.dir = path.parent().map(Path::to_owned).unwrap_or_default();
        Ok(config)
    }

    pub fn plugin_paths(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.plugins.load.iter().map(|p| self.dir.join(p))
    }
}
