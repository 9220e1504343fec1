//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "rampart", version, about = "Policy and compliance engine for infrastructure code.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories and report policy findings.
    Scan(Box<ScanArgs>),
    /// List every rule of the loaded plugins, with its metadata.
    Rules(RulesArgs),
    /// Compliance evidence for auditors: scan, then write a signed bundle (OSCAL JSON, CSV,
    /// HTML, SHA256SUMS) per control of the policy packs; or verify or sign one.
    Evidence(Box<EvidenceArgs>),
    /// Write your own policies: create, build, test and inspect plugins (docs/plugin-guide.md).
    #[command(subcommand)]
    Plugin(PluginCommand),
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create a plugin crate: one example rule with its fixtures, and the Rust SDK.
    New(NewArgs),
    /// Build a plugin crate into a WebAssembly component and print its sha256.
    Build(BuildArgs),
    /// Check every rule of a plugin against the findings marked in its fixtures.
    Test(TestArgs),
    /// Show what a plugin file declares: name, version, contract, rules; and its sha256.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The crate's name (`acme-policies`): lowercase letters, digits and inner hyphens.
    pub name: String,

    /// Where to create it [default: ./NAME]; it must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,

    /// The family of the example rule's id, `FAMILY/approved-registry` [default: the first
    /// word of NAME].
    #[arg(long, value_name = "WORD")]
    pub family: Option<String>,

    /// Depend on the SDK at this path (a checkout's `plugins/sdk`) instead of the copy this
    /// rampart writes into the crate's `vendor/` directory.
    #[arg(long, value_name = "DIR")]
    pub sdk: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The plugin crate [default: the current directory].
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Write the component here [default: TARGET/rampart/PACKAGE.wasm, in the crate's
    /// cargo target directory].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The plugin crate, built first unless --wasm is given [default: the current directory].
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Test this component instead of building DIR.
    #[arg(long, value_name = "FILE.wasm", conflicts_with = "builtin")]
    pub wasm: Option<PathBuf>,

    /// Test the built-in plugins (rampart's own fixtures are `fixtures/rules`).
    #[arg(long)]
    pub builtin: bool,

    /// The fixtures, one directory per rule id [default: DIR/fixtures].
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,

    /// Test only the rules matching this id or pattern (`acme/*`); repeatable.
    #[arg(long = "rule", value_name = "ID|PATTERN")]
    pub rules: Vec<String>,

    /// Rewrite each rule's snapshot.txt (its human report) instead of comparing it.
    #[arg(long)]
    pub update_snapshots: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The plugin: a WebAssembly component.
    pub file: PathBuf,

    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
}

/// Options shared by every command that loads plugins.
#[derive(Debug, Args)]
pub struct PluginArgs {
    /// Load a third-party plugin (a WebAssembly component); repeatable.
    #[arg(long = "plugin", value_name = "PATH.wasm")]
    pub plugins: Vec<PathBuf>,

    /// Do not load the built-in plugins (to run only your own with --plugin).
    #[arg(long)]
    pub no_builtins: bool,

    /// A policy pack: a built-in name (baseline, production, soc2, gdpr) or a path to a
    /// `.toml` file; repeatable, applied in order [default: the config file's, else baseline].
    #[arg(long = "policy", value_name = "NAME|PATH")]
    pub policies: Vec<String>,

    /// The config file [default: rampart.toml in the current directory, if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Compile plugins afresh instead of using the compiled-plugin cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Print what the scan did (files, plugins, cache hits) on standard error.
    #[arg(long, short)]
    pub verbose: bool,
}

/// What to scan and how: shared by `scan` and `evidence`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files and directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Skip paths matching this gitignore-style pattern; repeatable.
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,

    /// A Terraform variable file, applied to every module after its own tfvars; repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,

    /// A Terraform variable, `NAME=VALUE`, applied after every --var-file; repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// Skip files larger than this many MiB, with a notice [default: 16].
    #[arg(long, value_name = "MIB")]
    pub max_file_size: Option<u64>,

    /// Worker threads [default: one per core].
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,

    /// Time limit of one plugin call, in seconds [default: 2].
    #[arg(long, value_name = "SECONDS")]
    pub plugin_timeout: Option<f64>,

    /// Memory limit of one plugin instance, in MiB [default: 64].
    #[arg(long, value_name = "MIB")]
    pub plugin_memory: Option<usize>,

    /// Run only the rules matching this id or pattern (`tls/*`, `secrets/env-file`);
    /// repeatable. Applied after the policy packs.
    #[arg(long = "rule", value_name = "ID|PATTERN")]
    pub rules: Vec<String>,

    /// Waive the findings recorded in this baseline file (see --write-baseline): only new
    /// findings count, and entries that no longer occur are listed [default: the config's
    /// `scan.baseline`].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// No progress indicator and no notes on standard error (errors still go there).
    #[arg(long, short)]
    pub quiet: bool,

    #[command(flatten)]
    pub plugin: PluginArgs,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format; repeatable for several reports in one run, each followed by its own
    /// --output (`--format sarif --output a.sarif --format human`) [default: human, or the
    /// config's `[[output]]`].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<OutputFormat>,

    /// Write the report of the --format before it to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// Exit with 1 when an unsuppressed finding is at or above this severity (`none`: never)
    /// [default: the config's `scan.fail-on`, else high].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Record every current finding in this baseline file (by fingerprint), then report as
    /// if scanning with --baseline FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,

    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EvidenceArgs {
    #[command(subcommand)]
    pub action: Option<EvidenceAction>,

    /// The directory to write the bundle to (created; must be empty if it exists).
    #[arg(long, short, value_name = "DIR", required = false)]
    pub output: Option<PathBuf>,

    /// Sign the bundle's SHA256SUMS with this Ed25519 private key (PKCS#8 PEM, as
    /// `openssl genpkey -algorithm ed25519` or `rampart evidence keygen` writes).
    #[arg(long, value_name = "PRIVATE.key")]
    pub sign_key: Option<PathBuf>,

    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceAction {
    /// Check a bundle: every file against SHA256SUMS, and its signature if it has one.
    Verify {
        /// The bundle directory.
        dir: PathBuf,
        /// Require a signature by this Ed25519 public key (PEM); without it, verification
        /// proves the bundle is intact, not who made it.
        #[arg(long, value_name = "PUBLIC.pub")]
        public_key: Option<PathBuf>,
    },
    /// Create an Ed25519 key pair for signing bundles: PREFIX.key (private, mode 0600) and
    /// PREFIX.pub (public), both PEM; existing files are never overwritten.
    Keygen {
        #[arg(long, short, value_name = "PREFIX")]
        output: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,

    #[command(flatten)]
    pub plugin: PluginArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Diagnostics with the source lines, for people.
    Human,
    /// rampart's own JSON (docs/json-output.md), versioned.
    Json,
    /// GitHub Actions workflow commands (`::error file=...,line=...::message`): annotations
    /// on the pull request.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other code-scanning platforms.
    Sarif,
    /// JUnit XML: one test case per rule and file, for CI test reports.
    Junit,
}

/// How `rampart rules` lists the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A severity threshold, or `none` to never fail on findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailOn(pub Option<rampart_model::Severity>);

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("none") {
            return Ok(FailOn(None));
        }
        s.parse().map(|s| FailOn(Some(s))).map_err(|e| format!("{e}, or none"))
    }
}
