//! Chores: `cargo xtask gen-corpus`, `cargo xtask bench` and `cargo xtask bench-parse`.
//!
//! Benchmarks are commands, never timed assertions in tests; their results are recorded in
//! BENCHMARKS.md with the command that reproduces them.

mod bench;
mod bench_parse;
mod corpus;
mod generate;
mod rng;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage:
  cargo xtask gen-corpus [--files N] [--seed S] [--out DIR] [--format F]
      writes about N files (default 3334, seed 1) to DIR (default target/corpus) in the mix of
      public infrastructure repositories (Dockerfiles, Kubernetes manifests, Terraform modules,
      Compose and env files); with F (dockerfile, kubernetes, terraform, compose or env), N files
      of that format alone
  cargo xtask bench [--files N] [--runs R] [--seed S] [--peers] [--scaling]
      builds rampart in release mode and measures with hyperfine (median, min, max of R runs,
      default 10) and GNU time (peak RSS): one changed file of each kind with a warm and a cold
      compiled-plugin cache, and the generated corpus of N files (default 3334) parsed alone and
      scanned with all built-in plugins, on 2 threads and on 1. --scaling: also corpora 2x and
      4x as large. --peers: also Checkov, hadolint and detect-secrets on the same files (from
      PATH, or the directory $RAMPART_PEERS_BIN), with the ratios
  cargo xtask bench-parse [--files N] [--runs R] [--seed S] [--formats LIST] [--out DIR]
                          [--slowest K]
      parse throughput (MB/s, files/s) per format, on 1 thread and on all threads, calling the
      parsers directly on a corpus generated in memory: N inputs per format (default 2000;
      Terraform: N module directories), R runs each (default 5; median, min-max), seed S
      (default 1). LIST: comma-separated of dockerfile,env,kubernetes,compose,terraform
      (default all). DIR: also write the corpus there. K: also list the K inputs of each
      format that parse slowest per byte. Prints a Markdown table. (Re-runs itself in release
      mode: `cargo xtask` builds in debug.)
  cargo xtask fuzz [--target NAME|all] [--seconds N] [--iterations N] [--seed S] [--replay FILE]
      fuzzes the parsers (rampart-fuzz, release mode); failing inputs go to target/fuzz-crashes
  cargo xtask rule-check CRATE[/RULE] [--update]
      builds the plugin crate plugins/CRATE from source and checks its rules (or one rule)
      against their marked fixtures and snapshots under fixtures/rules/ with `rampart plugin
      test --wasm` ($RAMPART_BIN, default target/debug/rampart); --update rewrites the
      snapshots. The crate is named after its family (`tls` for tls/* rules)";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        bail!("{USAGE}");
    };
    let flag = |name: &str| -> Option<&str> {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
    };
    let number = |name: &str, default: u64| -> Result<u64> {
        flag(name).map_or(Ok(default), |v| v.parse().with_context(|| format!("{name} takes a number")))
    };
    match command.as_str() {
        "gen-corpus" => {
            let out = flag("--out").map_or_else(|| repo().join("target/corpus"), PathBuf::from);
            let only = flag("--format").map(kind).transpose()?;
            let written = corpus::generate(&out, number("--files", 3334)?, number("--seed", 1)?, only)?;
            for (kind, files, bytes) in &written.per_format {
                println!("{:<11} {files:>7} files {:>8.1} MB", kind.name(), bench_parse::float(*bytes) / 1e6);
            }
            println!(
                "wrote {} files ({:.1} MB) to {}",
                written.files(),
                bench_parse::float(written.bytes()) / 1e6,
                out.display()
            );
            Ok(())
        }
        "bench" => bench::run(&bench::Options {
            files: number("--files", 3334)?,
            runs: number("--runs", 10)?.max(1),
            seed: number("--seed", 1)?,
            peers: args.iter().any(|a| a == "--peers"),
            scaling: args.iter().any(|a| a == "--scaling"),
        }),
        // Timing a debug build would measure the wrong thing.
        "bench-parse" if cfg!(debug_assertions) => run(Command::new("cargo")
            .current_dir(repo())
            .args(["run", "--release", "--locked", "-p", "xtask", "--"])
            .args(&args)),
        "fuzz" => run(Command::new("cargo")
            .current_dir(repo())
            .args(["run", "--release", "--locked", "-p", "rampart-fuzz", "--"])
            .args(&args[1..])),
        "bench-parse" => {
            let kinds = match flag("--formats") {
                None => generate::Kind::ALL.to_vec(),
                Some(list) => list.split(',').map(kind).collect::<Result<_>>()?,
            };
            let runs = number("--runs", 5)?;
            if runs == 0 {
                bail!("--runs takes a number of at least 1");
            }
            bench_parse::run(&bench_parse::Options {
                files: number("--files", 2000)?,
                runs: runs as usize,
                seed: number("--seed", 1)?,
                kinds,
                out: flag("--out").map(PathBuf::from),
                slowest: number("--slowest", 0)? as usize,
            })
        }
        "rule-check" => {
            let target = args.get(1).filter(|a| !a.starts_with("--")).context(USAGE)?;
            rule_check(target, args.iter().any(|a| a == "--update"))
        }
        _ => bail!("unknown command `{command}`\n{USAGE}"),
    }
}

/// Builds one plugin crate and checks its rules against their fixtures.
fn rule_check(target: &str, update: bool) -> Result<()> {
    let repo = repo().canonicalize()?;
    let (krate, filter) = match target.split_once('/') {
        Some((krate, _)) => (krate, target.to_owned()),
        None => (target, format!("{target}/*")),
    };
    let work = repo.join("target/rule-check");
    let built = rampart_plugin_build::build(&repo.join("plugins"), &[krate], &work.join("plugins"))?;
    let component = &built.first().context("the plugin build produced nothing")?.component;
    let bin =
        std::env::var_os("RAMPART_BIN").map_or_else(|| repo.join("target/debug/rampart"), PathBuf::from);
    if !bin.is_file() {
        bail!(
            "{} does not exist: build it with `cargo build -p rampart` (or set RAMPART_BIN)",
            bin.display()
        );
    }
    let mut command = Command::new(bin);
    command
        .current_dir(&repo)
        .args(["plugin", "test", "."])
        .arg("--wasm")
        .arg(component)
        .args(["--fixtures", "fixtures/rules", "--rule", &filter])
        .env("RAMPART_CACHE_DIR", work.join("cache"));
    if update {
        command.arg("--update-snapshots");
    }
    run(&mut command)
}

/// A format by its name on the command line.
fn kind(name: &str) -> Result<generate::Kind> {
    generate::Kind::ALL
        .into_iter()
        .find(|k| k.name() == name.trim())
        .with_context(|| format!("unknown format `{name}`\n{USAGE}"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(str::trim)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn run(command: &mut Command) -> Result<()> {
    let status = command.status().with_context(|| format!("could not run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}
