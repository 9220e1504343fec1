//! The `rampart` command.
//!
//! `rampart scan` reads like the pipeline it runs: discover files, load plugins, parse and
//! evaluate in parallel, report. Exit codes are a contract (see the README):
//! 0 nothing at or above the threshold, 1 findings at or above it, 2 usage or configuration
//! error, 3 an engine, parse or plugin error (fail closed; findings are still reported).

mod args;
mod authoring;
mod baseline;
mod config;
mod discover;
mod evidence;
mod plugins;
mod progress;
mod scan;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, FromArgMatches};
use rampart_model::Severity;
use rampart_parse::terraform;
use rampart_report::{Report, Style};
use rampart_runtime::Limits;

use rampart_model::RuleMeta;
use rampart_policy::{Policy, Resolved};
use rampart_runtime::Configured;

use rampart_model::Date;
use rampart_policy::suppress;

use crate::args::{
    Cli, ColorChoice, Command, FailOn, InputArgs, OutputFormat, PluginArgs, RulesArgs, RulesFormat, ScanArgs,
};
use crate::config::Config;
use crate::plugins::Loaded;

/// The documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    Clean = 0,
    Findings = 1,
    Usage = 2,
    EngineError = 3,
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        Command::Scan(args) => {
            let order = matches.subcommand_matches("scan").map(output_order).unwrap_or_default();
            scan(&args, &order)
        }
        Command::Rules(args) => rules(&args),
        Command::Evidence(args) => evidence::run(&args),
        Command::Plugin(command) => authoring::run(&command),
    };
    let exit = result.unwrap_or_else(|err| {
        eprintln!("error: {err:#}");
        Exit::Usage
    });
    ExitCode::from(exit as u8)
}

/// One scan, with what it ran and under which settings.
pub(crate) struct ScanRun {
    pub outcome: scan::Outcome,
    pub loaded: Loaded,
    pub policy: Policy,
    pub resolved: Resolved,
    /// The rules that ran, as the policy set them: the enabled rules of the loaded plugins
    /// with the severity in force, then rampart's own rules (about suppressions).
    pub in_force: Vec<RuleMeta>,
    pub started: SystemTime,
    pub finished: SystemTime,
}

impl ScanRun {
    /// Every rule that ran, by id (see [`ScanRun::in_force`]).
    pub fn rules_ran(&self) -> std::collections::HashMap<&rampart_model::RuleId, &RuleMeta> {
        self.in_force.iter().map(|r| (&r.id, r)).collect()
    }
}

/// Discovers, loads, parses and evaluates; suppressions applied, secrets masked and
/// fingerprints computed, so every reporter gets the same findings.
pub(crate) fn run_scan(input: &InputArgs, config: &Config, hash_files: bool) -> Result<ScanRun> {
    let started = SystemTime::now();
    let limits = limits(input, config)?;
    let excludes: Vec<String> = config.scan.exclude.iter().chain(&input.excludes).cloned().collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(input.jobs.unwrap_or(0))
        .build()
        .context("could not start the worker threads")?;

    let terraform_inputs = terraform_inputs(input)?;
    let candidates = discover::discover(&input.paths, &excludes)?;
    let loaded = pool.install(|| Loaded::load(&input.plugin, config, limits))?;
    let (policy, resolved) = policy(&input.plugin, config, &loaded)?;
    let configured = configure(&loaded, &resolved, &input.rules)?;
    config
        .check_rule_patterns(|p| loaded.plugins.iter().flat_map(|pl| &pl.rules).any(|r| r.id.matches(p)))?;
    let max_file_mib =
        input.max_file_size.or(config.scan.max_file_size_mib).unwrap_or(scan::DEFAULT_MAX_FILE_MIB);
    let suppressions = config.suppression_policy();
    let progress =
        progress::Progress::start(candidates.len(), !input.quiet && std::io::stderr().is_terminal());
    let settings = scan::Settings {
        plugins: &loaded.plugins,
        configured: &configured,
        terraform: &terraform_inputs,
        max_file_size: max_file_mib.saturating_mul(1 << 20),
        hash_files,
        suppressions: &suppressions,
        today: Date::today(),
        progress: progress.counter(),
    };
    let mut outcome = pool.install(|| scan::scan(&candidates, settings));
    progress.finish();
    // Before any reporter sees them: no output may show a secret, and fingerprints are
    // taken from the masked text so that no baseline holds a hash of a secret.
    rampart_model::mask_secrets(&mut outcome.findings);
    rampart_model::fingerprint_all(&mut outcome.findings);
    if !input.quiet {
        for path in &outcome.skipped {
            eprintln!("note: {path} is not in a format rampart reads; skipped");
        }
    }
    Ok(ScanRun {
        in_force: in_force(&loaded, &resolved),
        outcome,
        loaded,
        policy,
        resolved,
        started,
        finished: SystemTime::now(),
    })
}

/// The enabled rules with the severity the policy gives them (what SARIF's
/// `defaultConfiguration` and `security-severity` must say), then rampart's own rules.
fn in_force(loaded: &Loaded, resolved: &Resolved) -> Vec<RuleMeta> {
    let enabled = loaded.plugins.iter().flat_map(|p| &p.rules).filter_map(|rule| {
        let settings = resolved.settings(rule);
        settings
            .enabled
            .then(|| RuleMeta { severity: settings.severity.unwrap_or(rule.severity), ..rule.clone() })
    });
    enabled.chain(suppress::engine_rules()).collect()
}

fn scan(args: &ScanArgs, order: &[Order]) -> Result<Exit> {
    let config = Config::discover(args.input.plugin.config.as_deref(), &args.input.paths)?;
    let fail_on = fail_on(args, &config)?;
    let outputs = outputs(args, order, &config)?;
    let mut run = run_scan(&args.input, &config, false)?;

    // Writing a baseline accepts every current finding: the run then reports as if with it.
    let baseline = match &args.write_baseline {
        Some(path) => {
            let entries = baseline::write(path, &run.outcome.findings)?;
            if !args.input.quiet {
                eprintln!("rampart: wrote {} findings to the baseline {}", entries.len(), path.display());
            }
            Some(baseline::apply(entries, path, &mut run.outcome.findings))
        }
        None => baseline::configured(&args.input, &config)
            .map(|path| baseline::apply_file(&path, &mut run.outcome.findings))
            .transpose()?,
    };

    let outcome = &run.outcome;
    let report = Report {
        findings: &outcome.findings,
        errors: &outcome.errors,
        notices: &outcome.notices,
        rules: run.rules_ran(),
        files: outcome.files,
        scanned: &outcome.scanned,
        baseline: baseline.as_ref().map(|b| rampart_report::BaselineOutcome {
            file: &b.file,
            matched: b.matched,
            resolved: &b.resolved,
        }),
    };
    let cwd = std::env::current_dir().context("could not read the current directory")?;
    let root = repository_root(&cwd);
    for (format, path) in &outputs {
        let color = *format == OutputFormat::Human && path.is_none() && use_color(args);
        write_output(path.as_deref(), |out| match format {
            OutputFormat::Human => rampart_report::human(out, &report, Style { color }),
            OutputFormat::Json => rampart_report::json(out, &report),
            OutputFormat::Github => rampart_report::github(out, &report),
            OutputFormat::Junit => rampart_report::junit(out, &report),
            OutputFormat::Sarif => {
                let options = rampart_report::SarifOptions {
                    src_root: &root,
                    cwd: &cwd,
                    automation_id: "rampart/scan/",
                };
                let summary = rampart_report::sarif(out, &report, &options)?;
                if summary.truncated > 0 {
                    eprintln!(
                        "warning: SARIF holds at most {} results (GitHub's limit): {} lower-severity findings were left out of it",
                        rampart_report::SARIF_MAX_RESULTS,
                        summary.truncated
                    );
                }
                Ok(())
            }
        })?;
    }
    if args.input.plugin.verbose {
        let stats = run.loaded.runtime.cache_stats();
        eprintln!(
            "rampart: {} plugins ({} rules); plugin cache: {} hits, {} compiled, {} corrupt entries rebuilt",
            run.loaded.plugins.len(),
            report.rules.len(),
            stats.hits,
            stats.compiled,
            stats.corrupt
        );
        let elapsed = run.finished.duration_since(run.started).unwrap_or_default();
        eprintln!("rampart: {} files scanned in {:.1} ms", outcome.files, elapsed.as_secs_f64() * 1000.0);
    }

    Ok(if !outcome.errors.is_empty() {
        Exit::EngineError
    } else if fail_on.is_some_and(|threshold| report.active().any(|f| f.severity >= threshold)) {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// Where `--format` and `--output` stood on the command line, to pair each output with the
/// format before it.
#[derive(Clone, Copy, Debug)]
enum Order {
    Format(usize),
    Output(usize),
}

fn output_order(matches: &clap::ArgMatches) -> Vec<Order> {
    let mut order: Vec<(usize, Order)> = Vec::new();
    if let Some(indices) = matches.indices_of("format") {
        order.extend(indices.enumerate().map(|(n, at)| (at, Order::Format(n))));
    }
    if let Some(indices) = matches.indices_of("output") {
        order.extend(indices.enumerate().map(|(n, at)| (at, Order::Output(n))));
    }
    order.sort_by_key(|(at, _)| *at);
    order.into_iter().map(|(_, o)| o).collect()
}

/// The reports to write: each `--format` with the `--output` that follows it (an `--output`
/// before any `--format` belongs to the first); else the config's `[[output]]`; else human
/// output on standard output (or to the one `--output`).
fn outputs(
    args: &ScanArgs,
    order: &[Order],
    config: &Config,
) -> Result<Vec<(OutputFormat, Option<PathBuf>)>> {
    if args.format.is_empty() {
        if args.output.len() > 1 {
            bail!("several --output files but no --format: write `--format F --output FILE` for each report");
        }
        if args.output.is_empty() && !config.output.is_empty() {
            return Ok(config
                .output
                .iter()
                .map(|o| (o.format, o.file.as_ref().map(|f| config.dir.join(f))))
                .collect());
        }
        return Ok(vec![(OutputFormat::Human, args.output.first().cloned())]);
    }
    let mut outputs: Vec<(OutputFormat, Option<PathBuf>)> = args.format.iter().map(|f| (*f, None)).collect();
    let mut current = 0;
    for item in order {
        match *item {
            Order::Format(n) => current = n,
            Order::Output(n) => {
                let (format, file) = &mut outputs[current];
                if let Some(previous) = file {
                    bail!(
                        "two --output files for --format {format:?} ({} and {}): give each report its own --format",
                        previous.display(),
                        args.output[n].display()
                    );
                }
                *file = Some(args.output[n].clone());
            }
        }
    }
    let to_stdout = outputs.iter().filter(|(_, file)| file.is_none()).count();
    if to_stdout > 1 {
        bail!("only one report can go to standard output; give the others an --output FILE");
    }
    Ok(outputs)
}

/// The repository root (the nearest directory holding `.git`), else `dir`: SARIF paths are
/// relative to it, as code-scanning platforms expect.
fn repository_root(dir: &std::path::Path) -> PathBuf {
    dir.ancestors().find(|d| d.join(".git").exists()).unwrap_or(dir).to_owned()
}

/// `rampart rules`: every loaded rule with its metadata, as the policy packs in force set
/// it (enabled, severity, parameters) and the controls the packs map it to.
fn rules(args: &RulesArgs) -> Result<Exit> {
    let config = Config::discover(args.plugin.config.as_deref(), &[PathBuf::from(".")])?;
    let loaded = Loaded::load(&args.plugin, &config, Limits::default())?;
    let (policy, resolved) = policy(&args.plugin, &config, &loaded)?;
    let engine_rules = suppress::engine_rules();
    let version = env!("CARGO_PKG_VERSION");
    // (plugin, its version, rule): rampart's own rules are listed as the plugin `rampart`.
    let mut rules: Vec<(&str, &str, &RuleMeta)> = loaded
        .plugins
        .iter()
        .flat_map(|p| p.rules.iter().map(move |r| (p.info.name.as_str(), p.info.version.as_str(), r)))
        .chain(engine_rules.iter().map(|r| ("rampart", version, r)))
        .collect();
    rules.sort_by(|a, b| a.2.id.cmp(&b.2.id));
    let controls_of = |rule: &RuleMeta| -> Vec<ControlRef> {
        policy
            .packs
            .iter()
            .flat_map(|pack| {
                pack.controls.iter().filter(|c| c.covers(rule)).map(|c| ControlRef {
                    pack: &pack.name,
                    framework: pack.framework.as_deref(),
                    control: &c.id,
                    title: &c.title,
                })
            })
            .collect()
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        RulesFormat::Json => {
            #[derive(serde::Serialize)]
            struct InForce {
                enabled: bool,
                severity: rampart_model::Severity,
                params: serde_json::Map<String, serde_json::Value>,
            }
            #[derive(serde::Serialize)]
            struct Entry<'a> {
                #[serde(flatten)]
                rule: &'a RuleMeta,
                plugin: &'a str,
                plugin_version: &'a str,
                in_force: InForce,
                controls: Vec<ControlRef<'a>>,
            }
            let entries: Vec<Entry> = rules
                .iter()
                .map(|&(plugin, plugin_version, r)| {
                    let settings = resolved.settings(r);
                    let params = settings
                        .params
                        .iter()
                        .map(|(name, value)| Ok((name.clone(), serde_json::to_value(value)?)))
                        .collect::<serde_json::Result<_>>()?;
                    let in_force = InForce {
                        enabled: settings.enabled,
                        severity: settings.severity.unwrap_or(r.severity),
                        params,
                    };
                    Ok(Entry { rule: r, plugin, plugin_version, in_force, controls: controls_of(r) })
                })
                .collect::<serde_json::Result<_>>()?;
            serde_json::to_writer_pretty(&mut out, &entries)?;
            writeln!(out)?;
        }
        RulesFormat::Human => {
            let width = rules.iter().map(|(_, _, r)| r.id.as_str().len()).max().unwrap_or(0);
            for &(plugin, _, rule) in &rules {
                let settings = resolved.settings(rule);
                let formats: Vec<&str> = rule.formats.iter().map(|f| f.as_str()).collect();
                let severity = if settings.enabled {
                    settings.severity.unwrap_or(rule.severity).as_str()
                } else {
                    "disabled"
                };
                let params: Vec<String> = settings
                    .params
                    .iter()
                    .map(|(name, value)| format!("{name}={}", rampart_policy::Shown(value)))
                    .collect();
                let controls: Vec<String> = controls_of(rule).iter().map(|c| c.control.to_owned()).collect();
                let mut line = format!(
                    "{:width$}  {severity:8}  {:32}  {}  [{}]",
                    rule.id.as_str(),
                    formats.join(","),
                    rule.title,
                    plugin
                );
                if !params.is_empty() {
                    line.extend(["  ", &params.join(" ")]);
                }
                if !controls.is_empty() {
                    line.extend(["  controls: ", &controls.join(", ")]);
                }
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(Exit::Clean)
}

/// A control of a pack that a rule implements.
#[derive(serde::Serialize)]
struct ControlRef<'a> {
    pack: &'a str,
    framework: Option<&'a str>,
    control: &'a str,
    title: &'a str,
}

/// The policy packs in force: `--policy`, else the config file's, else the default pack;
/// checked against the loaded rules.
fn policy(args: &PluginArgs, config: &Config, loaded: &Loaded) -> Result<(Policy, Resolved)> {
    let (specs, base) = if args.policies.is_empty() {
        (config.policy.packs.clone(), config.dir.clone())
    } else {
        (args.policies.clone(), std::path::PathBuf::new())
    };
    let mut policy = Policy::load(&specs, &base)?;
    // The config file's own [params] and [rules] apply after the packs.
    policy.packs.extend(config.pack()?);
    let rules: Vec<&RuleMeta> = loaded.plugins.iter().flat_map(|p| &p.rules).collect();
    let resolved = policy.resolve(&rules).map_err(|e| anyhow::anyhow!("invalid policy pack {e}"))?;
    Ok((policy, resolved))
}

/// Each plugin's rule settings from the policy packs, narrowed to the `--rule` patterns when
/// there are any. A pattern that names no loaded rule is a usage error.
fn configure(loaded: &Loaded, resolved: &Resolved, patterns: &[String]) -> Result<Vec<Configured>> {
    for pattern in patterns {
        if !loaded.plugins.iter().flat_map(|p| &p.rules).any(|r| r.id.matches(pattern)) {
            bail!("--rule {pattern}: no loaded rule matches (see `rampart rules`)");
        }
    }
    let selected = |rule: &RuleMeta| patterns.is_empty() || patterns.iter().any(|p| rule.id.matches(p));
    Ok(loaded
        .plugins
        .iter()
        .map(|plugin| {
            plugin.configure(|rule| {
                let mut settings = resolved.settings(rule);
                settings.enabled &= selected(rule);
                settings
            })
        })
        .collect())
}

/// `--var-file`s then `--var`s, read once and checked before anything is scanned: a typo in
/// a variable is a usage error, not something to discover per module.
fn terraform_inputs(args: &InputArgs) -> Result<terraform::Inputs> {
    let mut inputs = terraform::Inputs::new();
    for path in &args.var_files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the variable file {}", path.display()))?;
        let file = std::sync::Arc::new(rampart_model::SourceFile::new(path.display().to_string(), text));
        inputs.add_tfvars(&file).map_err(|e| {
            let at = file.location(e.span);
            anyhow::anyhow!("invalid variable file {}:{}:{}: {}", file.path, at.line, at.column, e.message)
        })?;
    }
    for var in &args.vars {
        inputs.add_var_arg(var).map_err(anyhow::Error::msg)?;
    }
    Ok(inputs)
}

fn fail_on(args: &ScanArgs, config: &Config) -> Result<Option<Severity>> {
    if let Some(FailOn(threshold)) = args.fail_on {
        return Ok(threshold);
    }
    match &config.scan.fail_on {
        Some(value) => value
            .parse::<FailOn>()
            .map(|f| f.0)
            .map_err(|e| anyhow::anyhow!("invalid `scan.fail-on` in the config file: {e}")),
        None => Ok(Some(Severity::High)),
    }
}

fn limits(args: &InputArgs, config: &Config) -> Result<Limits> {
    let mut limits = Limits::default();
    if let Some(seconds) = args.plugin_timeout.or(config.sandbox.timeout_seconds) {
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
            bail!("the plugin time limit must be between 0 and 3600 seconds, not {seconds}");
        }
        limits.timeout = Duration::from_secs_f64(seconds);
    }
    if let Some(mib) = args.plugin_memory.or(config.sandbox.memory_mib) {
        if !(1..=4096).contains(&mib) {
            bail!("the plugin memory limit must be between 1 and 4096 MiB, not {mib}");
        }
        limits.memory_bytes = mib << 20;
    }
    Ok(limits)
}

fn use_color(args: &ScanArgs) -> bool {
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    }
}

fn write_output(
    path: Option<&std::path::Path>,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let Some(path) = path else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        return match render(&mut out).and_then(|()| out.flush()) {
            // A closed pipe (`rampart scan | head`) is not an error worth a message.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("could not write the report"),
        };
    };
    let file = std::fs::File::create(path)
        .with_context(|| format!("could not create the output file {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    render(&mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("could not write the output file {}", path.display()))
}
