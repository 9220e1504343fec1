//! Loading the plugins a command runs: the built-in ones, then those named in the config
//! file and with `--plugin`.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use rampart_model::RuleId;
use rampart_runtime::{Limits, Origin, Plugin, Runtime};
use rayon::prelude::*;

use crate::args::PluginArgs;
use crate::config::Config;

/// The runtime and every plugin it loaded.
pub struct Loaded {
    pub runtime: Runtime,
    pub plugins: Vec<Plugin>,
}

impl Loaded {
    pub fn load(args: &PluginArgs, config: &Config, limits: Limits) -> Result<Loaded> {
        let cache = if args.no_cache { None } else { cache_dir() };
        let runtime = Runtime::new(limits, cache).context("could not start the WebAssembly runtime")?;
        if let Some(notice) = runtime.cache_notice() {
            eprintln!("warning: {notice}");
        }
        let external: Vec<(PathBuf, Option<&str>)> =
            config.plugin_paths().chain(args.plugins.iter().map(|p| (p.clone(), None))).collect();
        let builtins: &[rampart_builtins::Builtin] =
            if args.no_builtins { &[] } else { rampart_builtins::BUILTINS };
        let builtins = builtins.par_iter().map(|builtin| {
            runtime
                .load_hashed(builtin.wasm, builtin.sha256.to_owned(), Origin::Builtin)
                .with_context(|| format!("the built-in plugin `{}` could not be loaded", builtin.name))
        });
        let mut plugins: Vec<Plugin> = builtins.collect::<Result<_>>()?;
        let external: Vec<Plugin> = external
            .par_iter()
            .map(|(path, pin)| {
                let wasm = std::fs::read(path)
                    .with_context(|| format!("could not read the plugin {}", path.display()))?;
                let actual = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&wasm));
                if let Some(expected) = pin
                    && !actual.eq_ignore_ascii_case(expected.trim())
                {
                    bail!(
                        "the plugin {} was refused: its sha256 is {actual}, but the config pins {expected}",
                        path.display()
                    );
                }
                runtime
                    .load_hashed(&wasm, actual, Origin::File(path.clone()))
                    .map_err(|err| anyhow::anyhow!("the plugin {} was refused: {err}", path.display()))
            })
            .collect::<Result<_>>()?;
        plugins.extend(external);
        check_unique_rules(&plugins)?;
        if let Some(notice) = runtime.cache_notice() {
            eprintln!("warning: {notice}");
        }
        Ok(Loaded { runtime, plugins })
    }
}

fn check_unique_rules(plugins: &[Plugin]) -> Result<()> {
    let mut owners: HashMap<&RuleId, &Plugin> = HashMap::new();
    for plugin in plugins {
        for rule in &plugin.rules {
            if let Some(other) = owners.insert(&rule.id, plugin) {
                bail!(
                    "rule `{}` is declared by two plugins, `{}` and `{}`; rule ids must be unique",
                    rule.id,
                    other.info.name,
                    plugin.info.name
                );
            }
        }
    }
    Ok(())
}

/// `$RAMPART_CACHE_DIR`, else `$XDG_CACHE_HOME/rampart`, else `~/.cache/rampart`.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("RAMPART_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").filter(|p| p.is_absolute()).map(|p| p.join("rampart")))
        .or_else(|| var("HOME").map(|home| home.join(".cache").join("rampart")))
}
