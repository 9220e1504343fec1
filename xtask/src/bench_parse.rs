//! `cargo xtask bench-parse`: parse throughput per format, on one thread and on all of them.
//!
//! The corpus is generated in memory (see [`crate::generate`]) and every file is parsed once,
//! untimed, to prove that it parses: a generator bug that made the parsers bail out early
//! would otherwise show up as speed. The timed part calls the parse library directly, with no
//! file IO, discovery or plugins: it parses every input and drops the document, as a scan does
//! once the plugins are done with it. Runs on one thread and on all threads alternate, so that
//! load from other processes falls on both alike.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rampart_model::SourceFile;
use rampart_parse::terraform::Inputs;
use rampart_parse::{ParseError, compose, dockerfile, env, kubernetes, terraform};
use rayon::prelude::*;

use crate::generate::{File, Kind};

pub struct Options {
    /// Inputs per format: files, or modules for Terraform.
    pub files: u64,
    pub runs: usize,
    pub seed: u64,
    pub kinds: Vec<Kind>,
    /// Where to write the generated corpus too, for a look or a `rampart scan`.
    pub out: Option<std::path::PathBuf>,
    /// How many of the slowest inputs per byte to list for each format (0: none).
    pub slowest: usize,
}

/// One format's corpus: the texts, shared by every run.
struct Corpus {
    kind: Kind,
    units: Vec<Vec<(String, Arc<str>)>>,
    files: usize,
    bytes: usize,
}

/// What a run parses: a file, or a Terraform module with its variable values.
enum Unit {
    File(Arc<SourceFile>),
    Module { tf: Vec<Arc<SourceFile>>, tfvars: Vec<Arc<SourceFile>> },
}

/// A file that did not parse.
struct Failure {
    file: Arc<SourceFile>,
    error: ParseError,
}

/// The throughput of one format on one thread count, over the runs.
struct Measured {
    threads: usize,
    times: Vec<Duration>,
    /// Cores busy during each run, from the CPU time of the process's threads: below the
    /// thread count when other processes took the CPU (or threads waited).
    cores: Vec<f64>,
}

pub fn run(options: &Options) -> Result<()> {
    if cfg!(debug_assertions) {
        eprintln!("warning: xtask is built without optimisations; use `cargo run --release -p xtask`");
    }
    let all = std::thread::available_parallelism().map_or(1, usize::from);
    // One thread, and all of them (once, on a one-core machine).
    let counts: Vec<usize> = if all > 1 { vec![1, all] } else { vec![1] };
    let pools = counts
        .iter()
        .map(|&n| {
            rayon::ThreadPoolBuilder::new().num_threads(n).build().context("could not start a thread pool")
        })
        .collect::<Result<Vec<_>>>()?;
    let load_before = load_average();
    let mut table = String::from(
        "| format | files | MB | threads | MB/s, median (min-max) | files/s, median (min-max) | speed-up | cores used |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for &kind in &options.kinds {
        let started = Instant::now();
        let generated = kind.generate(options.files, options.seed);
        if let Some(out) = &options.out {
            crate::corpus::write(out, generated.iter().flatten())?;
        }
        let corpus = Corpus::new(kind, generated);
        eprintln!(
            "{}: {} files, {:.1} MB, generated in {:.1?}; checking that every one parses",
            kind.name(),
            corpus.files,
            mb(corpus.bytes),
            started.elapsed()
        );
        let Some(pool) = pools.last() else { bail!("no thread pool") };
        let nodes = match pool.install(|| corpus.parse_all()) {
            Ok(nodes) => nodes,
            Err(failure) => {
                bail!(
                    "a generated {} input does not parse (a generator bug):\n{}",
                    kind.name(),
                    failure.show()
                )
            }
        };
        eprintln!(
            "  all parse, to {} document nodes ({:.0} per KB of input)",
            thousands(nodes),
            float(nodes) / (float(corpus.bytes) / 1e3)
        );
        let mut measured: Vec<Measured> = counts
            .iter()
            .map(|&threads| Measured { threads, times: Vec::new(), cores: Vec::new() })
            .collect();
        for run in 0..options.runs {
            for (pool, m) in pools.iter().zip(&mut measured) {
                let units = corpus.fresh();
                let cpu = cpu_time();
                let start = Instant::now();
                let result = pool.install(|| parse_units(kind, units));
                let elapsed = start.elapsed();
                if let (Some(before), Some(after)) = (cpu, cpu_time()) {
                    m.cores.push(after.saturating_sub(before).as_secs_f64() / elapsed.as_secs_f64());
                }
                if let Err(failure) = result {
                    bail!("{} failed to parse in run {run}:\n{}", kind.name(), failure.show());
                }
                m.times.push(elapsed);
            }
            eprint!(".");
        }
        eprintln!();
        if options.slowest > 0 {
            eprint!("{}", corpus.slowest(options.slowest));
        }
        let single = measured.first().map_or(Duration::ZERO, Measured::median);
        for m in &measured {
            table.push_str(&corpus.row(m, single));
        }
    }
    println!("\n{table}");
    println!(
        "MB = 10^6 bytes of input. Median of {} runs; rayon pools of 1 and {all} threads; cores used:\n\
         CPU time of the process / wall time (below the thread count: other processes had the CPU).\n\
         machine: {all} cores; {}; load average (1 min) {load_before} before, {} after",
        options.runs,
        crate::cpu_model(),
        load_average()
    );
    Ok(())
}

impl Corpus {
    fn new(kind: Kind, generated: Vec<Vec<File>>) -> Self {
        let units: Vec<Vec<(String, Arc<str>)>> = generated
            .into_iter()
            .map(|unit| unit.into_iter().map(|f| (f.path, Arc::from(f.text))).collect())
            .collect();
        let files = units.iter().map(Vec::len).sum();
        let bytes = units.iter().flatten().map(|(_, text)| text.len()).sum();
        Self { kind, units, files, bytes }
    }

    /// New `SourceFile`s for a run (sharing the texts), so that nothing one run computes
    /// lazily on a file is already there for the next.
    fn fresh(&self) -> Vec<Unit> {
        self.units
            .iter()
            .map(|files| {
                let mut sources = files
                    .iter()
                    .map(|(path, text)| Arc::new(SourceFile::new(path.clone(), Arc::clone(text))));
                match self.kind {
                    Kind::Terraform => {
                        let (tfvars, tf) = sources.partition(|f| f.path.ends_with(".tfvars"));
                        Unit::Module { tf, tfvars }
                    }
                    _ => Unit::File(sources.next().expect("a generated unit holds a file")),
                }
            })
            .collect()
    }

    /// The `count` inputs that take longest per byte on this thread (best of three), to find
    /// the shapes a parser is slow on.
    fn slowest(&self, count: usize) -> String {
        let mut best = vec![Duration::MAX; self.units.len()];
        for _ in 0..3 {
            for (unit, best) in self.fresh().into_iter().zip(&mut best) {
                let start = Instant::now();
                let _ = parse_unit(self.kind, unit);
                *best = (*best).min(start.elapsed());
            }
        }
        let size = |i: usize| self.units[i].iter().map(|(_, text)| text.len()).sum::<usize>();
        let per_byte = |i: usize| best[i].as_secs_f64() / float(size(i).max(1));
        let mut order: Vec<usize> = (0..self.units.len()).collect();
        order.sort_by(|&a, &b| per_byte(b).total_cmp(&per_byte(a)));
        let typical = order.get(order.len() / 2).map_or(0.0, |&i| per_byte(i));
        let mut out = format!(
            "{}: slowest inputs per byte (median input: {:.1} MB/s)\n",
            self.kind.name(),
            1e-6 / typical
        );
        for &i in order.iter().take(count) {
            let path = self.units[i].first().map_or("", |(path, _)| path.as_str());
            let path = if self.kind == Kind::Terraform {
                path.rsplit_once('/').map_or(path, |(dir, _)| dir)
            } else {
                path
            };
            let _ = writeln!(
                out,
                "  {path}: {} bytes in {:.0?}, {:.1} MB/s",
                thousands(size(i)),
                best[i],
                1e-6 / per_byte(i)
            );
        }
        out
    }

    fn parse_all(&self) -> Result<usize, Failure> {
        parse_units(self.kind, self.fresh())
    }

    fn row(&self, m: &Measured, single: Duration) -> String {
        let per_second = |amount: f64, time: Duration| amount / time.as_secs_f64();
        let (median, fastest, slowest) = (m.median(), m.fastest(), m.slowest());
        let megabytes = mb(self.bytes);
        let files = float(self.files);
        let inputs = match self.kind {
            Kind::Terraform => format!("{} ({} modules)", thousands(self.files), thousands(self.units.len())),
            _ => thousands(self.files),
        };
        let speed_up = if m.threads == 1 {
            "1.00x".to_owned()
        } else {
            format!("{:.2}x", single.as_secs_f64() / median.as_secs_f64())
        };
        let cores = middle(m.cores.clone()).map_or_else(|| "n/a".to_owned(), |c| format!("{c:.2}"));
        let mut row = String::new();
        let _ = writeln!(
            row,
            "| {} | {inputs} | {megabytes:.1} | {} | **{:.1}** ({:.1}-{:.1}) | **{}** ({}-{}) | {speed_up} | {cores} |",
            self.kind.name(),
            m.threads,
            per_second(megabytes, median),
            per_second(megabytes, slowest),
            per_second(megabytes, fastest),
            whole(per_second(files, median)),
            whole(per_second(files, slowest)),
            whole(per_second(files, fastest)),
        );
        row
    }
}

/// Parses every unit on the current rayon pool; the number of document nodes, so that the
/// work cannot be optimised away, or the first failure.
fn parse_units(kind: Kind, units: Vec<Unit>) -> Result<usize, Failure> {
    units.into_par_iter().map(|unit| parse_unit(kind, unit)).try_reduce(|| 0, |a, b| Ok(a + b))
}

fn parse_unit(kind: Kind, unit: Unit) -> Result<usize, Failure> {
    let document = match unit {
        Unit::File(file) => {
            let parsed = match kind {
                Kind::Dockerfile => dockerfile::parse(Arc::clone(&file)),
                Kind::Env => env::parse(Arc::clone(&file)),
                Kind::Kubernetes => kubernetes::parse(Arc::clone(&file)),
                Kind::Compose => compose::parse(Arc::clone(&file)),
                Kind::Terraform => unreachable!("a Terraform input is a module"),
            };
            parsed.map_err(|error| Failure { file, error })?
        }
        Unit::Module { tf, tfvars } => {
            let mut inputs = Inputs::new();
            for file in tfvars {
                inputs.add_tfvars(&file).map_err(|error| Failure { file: Arc::clone(&file), error })?;
            }
            // A module's error message starts with the path of the file it is in.
            let failed = |error: ParseError| {
                let file = tf.iter().find(|f| error.message.starts_with(&format!("{}: ", f.path)));
                Failure { file: Arc::clone(file.or(tf.first()).expect("a module has files")), error }
            };
            terraform::parse_module(tf.clone(), &inputs).map_err(failed)?
        }
    };
    Ok(document.nodes().len())
}

impl Failure {
    /// Where and why, with the line in question, as `path:line:column: message`.
    fn show(&self) -> String {
        let at = self.file.location(self.error.span);
        let line = self.file.text.lines().nth(at.line as usize - 1).unwrap_or("");
        format!("{}:{}:{}: {}\n    {line}", self.file.path, at.line, at.column, self.error.message)
    }
}

impl Measured {
    fn sorted(&self) -> Vec<Duration> {
        let mut times = self.times.clone();
        times.sort();
        times
    }

    fn median(&self) -> Duration {
        let times = self.sorted();
        match times.len() {
            0 => Duration::ZERO,
            n if n % 2 == 1 => times[n / 2],
            n => (times[n / 2 - 1] + times[n / 2]) / 2,
        }
    }

    fn fastest(&self) -> Duration {
        self.sorted().first().copied().unwrap_or_default()
    }

    fn slowest(&self) -> Duration {
        self.sorted().last().copied().unwrap_or_default()
    }
}

fn mb(bytes: usize) -> f64 {
    float(bytes) / 1e6
}

#[allow(clippy::cast_precision_loss)] // counts and sizes here are far below 2^52
pub(crate) fn float(n: usize) -> f64 {
    n as f64
}

/// `12345` as `12,345`.
pub(crate) fn thousands(n: usize) -> String {
    group(&n.to_string())
}

/// A rate, rounded to a whole number, as `12,345`.
fn whole(rate: f64) -> String {
    group(&format!("{rate:.0}"))
}

fn group(digits: &str) -> String {
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The middle value (the mean of the two middle ones for an even count).
fn middle(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => values.get(n / 2).copied(),
        _ => Some(f64::midpoint(values[n / 2 - 1], values[n / 2])),
    }
}

/// The CPU time of all the process's threads so far (Linux: the first field of each thread's
/// `schedstat`, in nanoseconds); `None` where that is not available.
fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// The one-minute load average, to tell a quiet machine from a busy one.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}
