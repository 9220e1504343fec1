//! `rampart-fuzz`: fuzzes rampart's parsers for a bounded time (see the library's docs).
//!
//! ```text
//! cargo run --release -p rampart-fuzz -- --target all --seconds 60
//! ```
//!
//! Through xtask: `cargo xtask fuzz [ARGS...]` runs `cargo run --release -p rampart-fuzz --
//! ARGS...`. Exit code 0: no failure; 1: failures (each with its input and the command that
//! replays it); 2: bad arguments.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use rampart_fuzz::supervise::{self, WORKER_FLAG};
use rampart_fuzz::{Config, Report, TARGETS, Target, targets};

const USAGE: &str = "usage:
  rampart-fuzz [--target NAME|all] [--seconds N] [--iterations N] [--seed S] [--jobs N]
               [--out DIR] [--max-len BYTES] [--in-process]
      fuzzes each target until N seconds or N iterations (default 10 s, 1000000), whichever
      comes first, each in a worker process (--in-process: in this one, where a stack overflow
      ends the run); failing inputs go to DIR (default target/fuzz-crashes)
  rampart-fuzz --target NAME --replay FILE
      checks one input
targets: dockerfile env kubernetes compose yaml terraform tfvars (default: all)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args) {
        Ok(options) => run(&options),
        Err(message) => {
            eprintln!("rampart-fuzz: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

struct Options {
    targets: Vec<&'static Target>,
    config: Config,
    jobs: usize,
    replay: Option<PathBuf>,
    in_process: bool,
    worker: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        targets: TARGETS.iter().collect(),
        config: Config::default(),
        jobs: std::thread::available_parallelism().map_or(1, usize::from),
        replay: None,
        in_process: false,
        worker: false,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--in-process" => options.in_process = true,
            WORKER_FLAG => options.worker = true,
            "-h" | "--help" => return Err("help".to_owned()),
            _ => {
                let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
                let number = |what: &str| {
                    value.parse::<u64>().map_err(|_| format!("{flag} takes {what}, not {value:?}"))
                };
                let size = |what: &str| number(what).map(|n| usize::try_from(n).unwrap_or(usize::MAX));
                match flag.as_str() {
                    "--target" if value == "all" => options.targets = TARGETS.iter().collect(),
                    "--target" => {
                        let target = targets::find(value).ok_or_else(|| format!("no target {value:?}"))?;
                        options.targets = vec![target];
                    }
                    "--seconds" => {
                        let seconds = value.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0);
                        let seconds =
                            seconds.ok_or_else(|| format!("--seconds takes a number, not {value:?}"))?;
                        options.config.time = Duration::from_secs_f64(seconds);
                    }
                    "--iterations" => options.config.iterations = number("a count")?,
                    "--seed" => options.config.seed = number("a number")?,
                    "--start" => options.config.start = number("an iteration")?,
                    "--jobs" => options.jobs = size("a count")?.max(1),
                    "--max-len" => options.config.max_len = size("a size in bytes")?,
                    "--out" => options.config.out = PathBuf::from(value),
                    "--replay" => options.replay = Some(PathBuf::from(value)),
                    _ => return Err(format!("unknown argument {flag:?}")),
                }
            }
        }
    }
    Ok(options)
}

fn run(options: &Options) -> ExitCode {
    let config = &options.config;
    if options.worker {
        for target in &options.targets {
            supervise::work(target, config);
        }
        return ExitCode::SUCCESS;
    }
    if let Some(file) = &options.replay {
        let [target] = options.targets.as_slice() else {
            eprintln!("rampart-fuzz: --replay needs one --target");
            return ExitCode::from(2);
        };
        return match rampart_fuzz::replay(target, file) {
            Ok(outcome) => {
                let result =
                    outcome.error.map_or_else(|| "accepted".to_owned(), |(_, m)| format!("rejected: {m}"));
                println!("{}: passes the oracle ({} nodes; {result})", target.name, outcome.nodes);
                ExitCode::SUCCESS
            }
            Err(failure) => {
                println!("{}: {failure}", target.name);
                ExitCode::FAILURE
            }
        };
    }

    println!(
        "fuzzing {} target(s) for {:.1} s or {} iterations each, seed {}, {}",
        options.targets.len(),
        config.time.as_secs_f64(),
        config.iterations,
        config.seed,
        if options.in_process {
            "in this process".to_owned()
        } else {
            format!("{} worker(s) at a time", options.jobs)
        }
    );
    let reports: Vec<Report> = if options.in_process {
        options.targets.iter().map(|t| rampart_fuzz::fuzz(t, config)).collect()
    } else {
        match std::env::current_exe() {
            Ok(exe) => supervise::supervise_all(&exe, &options.targets, config, options.jobs),
            Err(e) => {
                eprintln!("rampart-fuzz: cannot find its own binary to start workers: {e}");
                return ExitCode::from(2);
            }
        }
    };
    for report in &reports {
        println!("{report}");
    }
    if reports.iter().all(|r| r.failures.is_empty()) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
