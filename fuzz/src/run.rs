//! The fuzzing loop, in this process: seeds first as they are, then mutants, each checked by
//! the oracle, until the iteration count or the time is spent.

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::mutate::{Mutator, Rng};
use crate::oracle::{self, Outcome};
use crate::targets::{self, Target};

/// The stack a parser runs on in the CLI: rayon's worker threads get Rust's default 2 MiB
/// (the CLI's pool sets no stack size). A parser that recurses too deep for it kills rampart;
/// it must kill the fuzzer too.
pub const PARSER_STACK: usize = 2 << 20;

/// A target stops after this many distinct failures: they are usually one bug.
const MAX_FAILURES: usize = 10;

/// The corpus grows with inputs that show something new, up to this many entries.
const MAX_CORPUS: usize = 1024;

/// How long, how much, from which seed, and where failing inputs go.
#[derive(Clone, Debug)]
pub struct Config {
    pub time: Duration,
    pub iterations: u64,
    pub seed: u64,
    /// The number of the first iteration: a worker started again after a crash goes on after
    /// the input that killed its predecessor (with a fresh stream of mutations).
    pub start: u64,
    /// Where failing inputs are written.
    pub out: PathBuf,
    /// Longest input generated, in bytes.
    pub max_len: usize,
    /// How long past `time` a worker process may take before it is killed as hung: one input
    /// taking this long is a bug in itself.
    pub grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            time: Duration::from_secs(10),
            iterations: 1_000_000,
            seed: 1,
            start: 0,
            out: default_out_dir(),
            max_len: 64 << 10,
            grace: Duration::from_secs(20),
        }
    }
}

/// `target/fuzz-crashes` of the workspace (or of `$CARGO_TARGET_DIR`).
pub fn default_out_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new("."));
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), PathBuf::from);
    target.join("fuzz-crashes")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The parser panicked.
    Panic,
    /// A span outside its text or inside a character, or a broken arena.
    Invariant,
    /// Two parses of the same input differ.
    Nondeterministic,
    /// The process died (a stack overflow, an abort): seen by the supervisor.
    Crash,
    /// One input took longer than the whole run's grace period: seen by the supervisor.
    Hang,
}

impl FailureKind {
    pub const ALL: [FailureKind; 5] = [
        FailureKind::Panic,
        FailureKind::Invariant,
        FailureKind::Nondeterministic,
        FailureKind::Crash,
        FailureKind::Hang,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Panic => "panic",
            FailureKind::Invariant => "invariant",
            FailureKind::Nondeterministic => "nondeterministic",
            FailureKind::Crash => "crash",
            FailureKind::Hang => "hang",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One input the oracle rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub seed: u64,
    pub iteration: u64,
    pub message: String,
    /// The input, as written under [`Config::out`]; `None` if it could not be written.
    pub input: Option<PathBuf>,
}

/// What fuzzing one target did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub target: String,
    pub iterations: u64,
    pub elapsed: Duration,
    pub corpus: usize,
    pub failures: Vec<Failure>,
    /// The input whose check took longest: work that grows faster than the input shows here
    /// first.
    pub slowest: Slowest,
}

/// The slowest input of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slowest {
    /// Its check: two parses and the oracle.
    pub time: Duration,
    pub bytes: usize,
    pub iteration: u64,
    /// Where it was saved, when it took at least [`SLOW`].
    pub input: Option<PathBuf>,
}

/// An input whose check takes this long is saved for a look.
pub const SLOW: Duration = Duration::from_millis(20);

impl Report {
    pub fn new(target: &str) -> Self {
        Report {
            target: target.to_owned(),
            iterations: 0,
            elapsed: Duration::ZERO,
            corpus: 0,
            failures: Vec::new(),
            slowest: Slowest::default(),
        }
    }

    #[allow(clippy::cast_precision_loss)] // a rate for people
    pub fn per_second(&self) -> f64 {
        self.iterations as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failures = match self.failures.len() {
            0 => "no failure".to_owned(),
            1 => "1 FAILURE".to_owned(),
            n => format!("{n} FAILURES"),
        };
        write!(
            f,
            "{:<11} {:>9} iterations in {:>5.1} s ({:>7.0}/s), corpus {:>4}, slowest input {:>6.1} ms ({:>5.1} KiB), {failures}",
            self.target,
            self.iterations,
            self.elapsed.as_secs_f64(),
            self.per_second(),
            self.corpus,
            self.slowest.time.as_secs_f64() * 1000.0,
            kib(self.slowest.bytes),
        )?;
        if let Some(input) = &self.slowest.input {
            write!(f, "\n  slowest input: {}", input.display())?;
        }
        for failure in &self.failures {
            write!(
                f,
                "\n  {} at seed {} iteration {}: {}",
                failure.kind.name().to_uppercase(),
                failure.seed,
                failure.iteration,
                failure.message
            )?;
            match &failure.input {
                Some(input) => write!(
                    f,
                    "\n    input:  {}\n    replay: cargo run -p rampart-fuzz -- --target {} --replay {}",
                    input.display(),
                    self.target,
                    input.display()
                )?,
                None => write!(f, "\n    (the input could not be written)")?,
            }
        }
        Ok(())
    }
}

#[allow(clippy::cast_precision_loss)] // a size for people
fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

/// Parses `input` twice and applies the oracle: no panic, no broken invariant, the same
/// outcome both times.
pub fn check(target: &Target, input: &str) -> Result<Outcome, (FailureKind, String)> {
    let first = oracle::catch(|| (target.parse)(input)).map_err(|p| (FailureKind::Panic, p.to_string()))?;
    if !first.violations.is_empty() {
        return Err((FailureKind::Invariant, first.violations.join("; ")));
    }
    let second = oracle::catch(|| (target.parse)(input))
        .map_err(|p| (FailureKind::Panic, format!("on the second parse only: {p}")))?;
    if first != second {
        let summary = |o: &Outcome| {
            let error =
                o.error.as_ref().map_or_else(|| "none".to_owned(), |(span, m)| format!("{m:?} at {span:?}"));
            format!("{} nodes, digest {:x}, error {error}", o.nodes, o.digest)
        };
        return Err((
            FailureKind::Nondeterministic,
            format!("first {}; then {}", summary(&first), summary(&second)),
        ));
    }
    Ok(first)
}

/// Runs `f` on a thread with the parser's production stack ([`PARSER_STACK`]).
pub fn on_parser_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("rampart-fuzz".to_owned())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, f)
            .map_err(|e| format!("could not start the fuzzing thread: {e}"))?;
        handle.join().map_err(|_| "the fuzzing thread panicked outside a parse".to_owned())
    })
}

/// Fuzzes `target` in this process. A panic is caught and reported; a stack overflow or an
/// abort ends the process, which is why the binary runs each target in a child process (see
/// [`crate::supervise`]).
pub fn fuzz(target: &Target, config: &Config) -> Report {
    run(target, config, None, false)
}

/// [`fuzz`], recording each input in `in_flight` before parsing it and printing failures to
/// stdout as they are found: what a worker process does for its supervisor.
pub(crate) fn run(target: &Target, config: &Config, in_flight: Option<&Path>, announce: bool) -> Report {
    let result = on_parser_stack(|| {
        let recorder = match in_flight.map(InFlight::create).transpose() {
            Ok(recorder) => recorder,
            Err(e) => {
                let mut report = Report::new(target.name);
                report.failures.push(Failure {
                    kind: FailureKind::Crash,
                    seed: config.seed,
                    iteration: 0,
                    message: format!("could not create the in-flight file: {e}"),
                    input: None,
                });
                return report;
            }
        };
        Fuzzer::new(target, config, recorder, announce).run()
    });
    result.unwrap_or_else(|message| {
        let mut report = Report::new(target.name);
        report.failures.push(Failure {
            kind: FailureKind::Panic,
            seed: config.seed,
            iteration: 0,
            message,
            input: None,
        });
        report
    })
}

/// Checks one saved input, on the parser's stack.
pub fn replay(target: &Target, path: &Path) -> Result<Outcome, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", path.display()))?;
    on_parser_stack(|| check(target, &text))?.map_err(|(kind, message)| format!("{}: {message}", kind.name()))
}

struct Fuzzer<'a> {
    target: &'a Target,
    config: &'a Config,
    rng: Rng,
    corpus: Vec<String>,
    /// The first entries of the corpus are the seeds, which are never replaced.
    seeds: usize,
    /// What inputs have shown so far (node counts, error messages): a new one joins the corpus.
    seen: HashSet<String>,
    /// What failures have been reported, so one bug is reported once.
    reported: HashSet<String>,
    recorder: Option<InFlight>,
    announce: bool,
    report: Report,
}

impl<'a> Fuzzer<'a> {
    fn new(target: &'a Target, config: &'a Config, recorder: Option<InFlight>, announce: bool) -> Self {
        let mut corpus = targets::seeds(target);
        if corpus.is_empty() {
            corpus.push(String::new());
        }
        // One stream per target, seed and start.
        let stream = target.name.bytes().fold(config.seed, |h, b| h.rotate_left(5) ^ u64::from(b));
        let stream = stream ^ config.start.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        Fuzzer {
            target,
            config,
            rng: Rng::new(stream),
            seeds: corpus.len(),
            corpus,
            seen: HashSet::new(),
            reported: HashSet::new(),
            recorder,
            announce,
            report: Report::new(target.name),
        }
    }

    fn run(mut self) -> Report {
        let started = Instant::now();
        let mutator =
            Mutator { tokens: self.target.tokens, nests: self.target.nests, max_len: self.config.max_len };
        let mut slowest_text = String::new();
        let end = self.config.start.saturating_add(self.config.iterations);
        let mut iteration = self.config.start;
        while iteration < end && started.elapsed() < self.config.time {
            let seed = usize::try_from(iteration).ok().filter(|&i| i < self.seeds);
            let input = if let Some(index) = seed {
                self.corpus[index].clone()
            } else {
                let base = self.rng.below(self.corpus.len());
                let other = self.rng.below(self.corpus.len());
                let (base, other) = (&self.corpus[base], &self.corpus[other]);
                mutator.mutate(&mut self.rng, base, other)
            };
            if let Some(recorder) = &mut self.recorder
                && let Err(e) = recorder.record(self.config.seed, iteration, &input)
            {
                eprintln!("rampart-fuzz: could not record the input in flight ({e}); crashes will lack it");
                self.recorder = None;
            }
            let checked = Instant::now();
            let verdict = check(self.target, &input);
            let took = checked.elapsed();
            if took > self.report.slowest.time {
                self.report.slowest = Slowest { time: took, bytes: input.len(), iteration, input: None };
                if took >= SLOW {
                    slowest_text.clone_from(&input);
                }
            }
            match verdict {
                Ok(outcome) => self.learn(input, &outcome),
                Err((kind, message)) => self.fail(kind, iteration, &input, message),
            }
            iteration += 1;
            if self.report.failures.len() >= MAX_FAILURES {
                break;
            }
        }
        if let Some(recorder) = self.recorder.take() {
            recorder.remove();
        }
        if self.report.slowest.time >= SLOW {
            let name = format!(
                "{}-seed{}-iter{}-slow.txt",
                self.target.name, self.config.seed, self.report.slowest.iteration
            );
            let path = self.config.out.join(name);
            let written =
                std::fs::create_dir_all(&self.config.out).and_then(|()| std::fs::write(&path, &slowest_text));
            self.report.slowest.input = written.ok().map(|()| path);
        }
        self.report.iterations = iteration - self.config.start;
        self.report.elapsed = started.elapsed();
        self.report.corpus = self.corpus.len();
        self.report
    }

    /// Keeps an input that shows something not seen before: a document of a new size, or a
    /// new kind of error (its message up to the first quoted input text).
    fn learn(&mut self, input: String, outcome: &Outcome) {
        let key = match &outcome.error {
            None => format!("ok {}", outcome.nodes),
            Some((_, message)) => format!("error {}", message.split(['`', '\'', '"']).next().unwrap_or("")),
        };
        if !self.seen.insert(key) {
            return;
        }
        if self.corpus.len() < MAX_CORPUS {
            self.corpus.push(input);
        } else if self.corpus.len() > self.seeds {
            let slot = self.seeds + self.rng.below(self.corpus.len() - self.seeds);
            self.corpus[slot] = input;
        }
    }

    fn fail(&mut self, kind: FailureKind, iteration: u64, input: &str, message: String) {
        if !self.reported.insert(signature(kind, &message)) {
            return;
        }
        let path = self
            .config
            .out
            .join(format!("{}-seed{}-iter{iteration}.txt", self.target.name, self.config.seed));
        let written = std::fs::create_dir_all(&self.config.out).and_then(|()| std::fs::write(&path, input));
        let failure =
            Failure { kind, seed: self.config.seed, iteration, message, input: written.ok().map(|()| path) };
        if self.announce {
            crate::supervise::announce(&failure);
        }
        self.report.failures.push(failure);
    }
}

/// What makes two failures one bug: the same panic site; otherwise the same message but for
/// the quoted input text and the numbers (`the error ``: span .. splits a character`).
pub(crate) fn signature(kind: FailureKind, message: &str) -> String {
    let key: String = if kind == FailureKind::Panic {
        message.split(": ").next().unwrap_or("").to_owned()
    } else {
        let unquoted = match (message.find('`'), message.rfind('`')) {
            (Some(first), Some(last)) => [&message[..first], &message[last..]].concat(),
            _ => message.to_owned(),
        };
        unquoted.chars().filter(|c| !c.is_ascii_digit()).take(80).collect()
    };
    format!("{} {key}", kind.name())
}

/// The input being parsed, kept in a file so that a supervisor can tell which input killed
/// its worker: a header line (`seed=S iteration=N`), then the input.
pub(crate) struct InFlight {
    path: PathBuf,
    file: File,
    buffer: Vec<u8>,
}

const IN_FLIGHT_HEADER: &str = "rampart-fuzz in flight:";

impl InFlight {
    fn create(path: &Path) -> io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(InFlight { path: path.to_owned(), file: File::create(path)?, buffer: Vec::new() })
    }

    fn record(&mut self, seed: u64, iteration: u64, input: &str) -> io::Result<()> {
        self.buffer.clear();
        writeln!(self.buffer, "{IN_FLIGHT_HEADER} seed={seed} iteration={iteration}")?;
        self.buffer.extend_from_slice(input.as_bytes());
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(&self.buffer)?;
        self.file.set_len(self.buffer.len() as u64)
    }

    fn remove(self) {
        drop(self.file);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The seed, iteration and input recorded in an in-flight file.
pub(crate) fn read_in_flight(path: &Path) -> Option<(u64, u64, Vec<u8>)> {
    let bytes = std::fs::read(path).ok()?;
    let newline = bytes.iter().position(|b| *b == b'\n')?;
    let header = std::str::from_utf8(&bytes[..newline]).ok()?.strip_prefix(IN_FLIGHT_HEADER)?;
    let field = |name: &str| {
        header.split_whitespace().find_map(|w| w.strip_prefix(name)?.strip_prefix('=')?.parse::<u64>().ok())
    };
    Some((field("seed")?, field("iteration")?, bytes[newline + 1..].to_vec()))
}
