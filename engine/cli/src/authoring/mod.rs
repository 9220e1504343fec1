//! `rampart plugin`: what a policy author needs to write, build, test and ship a plugin.

mod fixtures;
mod new;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rampart_runtime::{Limits, Origin, Runtime};

use crate::Exit;
use crate::args::{BuildArgs, InspectArgs, PluginCommand, RulesFormat, TestArgs};

pub fn run(command: &PluginCommand) -> Result<Exit> {
    match command {
        PluginCommand::New(args) => new::run(args),
        PluginCommand::Build(args) => build(args),
        PluginCommand::Test(args) => test(args),
        PluginCommand::Inspect(args) => inspect(args),
    }
}

/// A component built from a crate, written where `rampart plugin build` puts it.
struct Built {
    path: PathBuf,
    sha256: String,
}

/// Builds the crate at `dir` and writes its component to `output`, or to
/// `<target>/rampart/<name>.wasm` beside cargo's own output.
fn build_component(dir: &Path, output: Option<&Path>) -> Result<Built> {
    let built = rampart_plugin_build::build_crate(dir)?;
    let path = match output {
        Some(path) => path.to_owned(),
        // <target>/wasm32-unknown-unknown/release/<name>.wasm
        None => match built.module.ancestors().nth(3) {
            Some(target) => target.join("rampart").join(format!("{}.wasm", built.name)),
            None => bail!("cargo wrote the module to an unexpected place: {}", built.module.display()),
        },
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("could not create {}", parent.display()))?;
    }
    std::fs::write(&path, &built.component).with_context(|| format!("could not write {}", path.display()))?;
    Ok(Built { path, sha256: sha256_hex(&built.component) })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

fn build(args: &BuildArgs) -> Result<Exit> {
    let built = build_component(&args.dir, args.output.as_deref())?;
    println!("{}", built.path.display());
    eprintln!("rampart: built {} (sha256 {})", built.path.display(), built.sha256);
    Ok(Exit::Clean)
}

fn test(args: &TestArgs) -> Result<Exit> {
    let bin = std::env::current_exe().context("could not find the rampart executable")?;
    let cwd = std::fs::canonicalize(&args.dir)
        .with_context(|| format!("no plugin crate at {}", args.dir.display()))?;
    let (extra, what): (Vec<std::ffi::OsString>, String) = if args.builtin {
        (Vec::new(), "the built-in plugins".to_owned())
    } else {
        let wasm = match &args.wasm {
            Some(wasm) => {
                std::path::absolute(wasm).with_context(|| format!("bad path {}", wasm.display()))?
            }
            None => build_component(&cwd, None)?.path,
        };
        if !wasm.is_file() {
            bail!("{} does not exist", wasm.display());
        }
        let what = wasm.display().to_string();
        (vec!["--no-builtins".into(), "--plugin".into(), wasm.into_os_string()], what)
    };
    let fixtures = match &args.fixtures {
        Some(dir) => dir.to_string_lossy().into_owned(),
        None => "fixtures".to_owned(),
    };
    if !cwd.join(&fixtures).is_dir() {
        bail!("no fixtures directory {} in {}", fixtures, cwd.display());
    }
    let runner = fixtures::Runner { bin, cwd, fixtures, extra, env: Vec::new() };
    let rules = runner.rules(&args.rules).map_err(anyhow::Error::msg)?;
    if rules.is_empty() {
        bail!("{what} declares no rule matching {}", args.rules.join(", "));
    }
    println!("testing {} of {what} against {}/", count(rules.len(), "rule"), runner.fixtures);
    let verdicts = runner.check_all(&rules, args.update_snapshots);
    let orphans = if args.rules.is_empty() { runner.orphans(&rules) } else { Vec::new() };

    let mut out = std::io::stdout().lock();
    let width = verdicts.iter().map(|v| v.id.len()).max().unwrap_or(0);
    let mut failed = 0;
    for verdict in &verdicts {
        let snapshot = match verdict.snapshot {
            fixtures::Snapshot::Matched => ", snapshot matches",
            fixtures::Snapshot::Updated => ", snapshot written",
            fixtures::Snapshot::Absent | fixtures::Snapshot::Differs => "",
        };
        let variants = match verdict.variants {
            0 => String::new(),
            1 => ", 1 parameter variant".to_owned(),
            n => format!(", {n} parameter variants"),
        };
        let status = if verdict.problems.is_empty() { "ok" } else { "FAILED" };
        writeln!(out, "{status:6}  {:width$}  {} cases{variants}{snapshot}", verdict.id, verdict.cases)?;
        if !verdict.problems.is_empty() {
            failed += 1;
            for problem in &verdict.problems {
                writeln!(out, "        {}", problem.replace('\n', "\n        "))?;
            }
        }
    }
    for orphan in &orphans {
        writeln!(out, "FAILED  {orphan}/: fixtures of a rule the plugin does not declare")?;
    }
    let total = verdicts.len() + orphans.len();
    let failed = failed + orphans.len();
    if failed == 0 {
        let all = if total == 1 {
            "the rule passes its fixtures".to_owned()
        } else {
            format!("all {total} rules pass their fixtures")
        };
        writeln!(out, "{all}")?;
        Ok(Exit::Clean)
    } else {
        writeln!(out, "{failed} of {total} failed")?;
        Ok(Exit::Findings)
    }
}

/// `1 rule`, `2 rules`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn inspect(args: &InspectArgs) -> Result<Exit> {
    let wasm =
        std::fs::read(&args.file).with_context(|| format!("could not read {}", args.file.display()))?;
    let sha256 = sha256_hex(&wasm);
    let runtime = Runtime::new(Limits::default(), crate::plugins::cache_dir())
        .context("could not start the WebAssembly runtime")?;
    let plugin = runtime
        .load_hashed(&wasm, sha256.clone(), Origin::File(args.file.clone()))
        .map_err(|err| anyhow::anyhow!("{} is not a plugin this rampart runs: {err}", args.file.display()))?;
    let mut out = std::io::stdout().lock();
    match args.format {
        RulesFormat::Json => {
            let value = serde_json::json!({
                "file": args.file,
                "size": wasm.len(),
                "sha256": sha256,
                "name": plugin.info.name,
                "version": plugin.info.version,
                "description": plugin.info.description,
                "contract": plugin.contract,
                "host_contract": rampart_runtime::CONTRACT_VERSION,
                "rules": plugin.rules,
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        RulesFormat::Human => {
            let info = &plugin.info;
            writeln!(out, "{} {}: {}", info.name, info.version, info.description)?;
            writeln!(out, "  file      {} ({} KiB)", args.file.display(), wasm.len().div_ceil(1024))?;
            writeln!(out, "  sha256    {sha256}")?;
            writeln!(
                out,
                "  contract  {} (this rampart speaks {})",
                plugin.contract,
                rampart_runtime::CONTRACT_VERSION
            )?;
            writeln!(out, "  rules     {}", plugin.rules.len())?;
            let width = plugin.rules.iter().map(|r| r.id.as_str().len()).max().unwrap_or(0);
            for rule in &plugin.rules {
                let formats: Vec<&str> = rule.formats.iter().map(|f| f.as_str()).collect();
                writeln!(
                    out,
                    "    {:width$}  {:8}  {:24}  {}",
                    rule.id.as_str(),
                    rule.severity.as_str(),
                    formats.join(","),
                    rule.title
                )?;
                for param in &rule.params {
                    writeln!(
                        out,
                        "    {:width$}    {} = {}: {}",
                        "",
                        param.name,
                        rampart_policy::Shown(&param.default),
                        param.description
                    )?;
                }
            }
            writeln!(out, "\nTo pin this build, in rampart.toml:\n")?;
            let path = new::toml_string(&args.file.to_string_lossy());
            writeln!(out, "    [[plugins.load]]\n    path = {path}\n    sha256 = \"{sha256}\"")?;
        }
    }
    Ok(Exit::Clean)
}
