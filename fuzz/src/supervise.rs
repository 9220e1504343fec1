//! Each target in a worker process of its own: a stack overflow or an abort (which no
//! `catch_unwind` catches) or a hang is then reported with the input that caused it, found in
//! the worker's in-flight file, instead of taking the fuzzer down with it.
//!
//! The worker is the fuzzer's own binary run with [`WORKER_FLAG`]; it prints one line per
//! failure as it finds it and a last line with its totals (see [`announce`]).

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::run::{self, Config, Failure, FailureKind, Report, Slowest};
use crate::targets::Target;

/// The hidden flag that makes the binary a worker.
pub const WORKER_FLAG: &str = "--worker";

/// Fuzzes `target` in worker processes of `exe` (the `rampart-fuzz` binary). When a worker
/// dies, the input it was parsing is reported and a new worker goes on after it, with a fresh
/// stream of mutations, while time and iterations remain; failures alike (see
/// `run::signature`) are reported once, with how often they happened.
pub fn supervise(exe: &Path, target: &str, config: &Config) -> Report {
    let started = Instant::now();
    let mut report = Report::new(target);
    let mut alike: Vec<(String, usize)> = Vec::new();
    let mut start = config.start;
    loop {
        let time = config.time.saturating_sub(started.elapsed());
        let iterations = config.iterations.saturating_sub(report.iterations);
        if time.is_zero() || iterations == 0 {
            break;
        }
        let part = Config { time, iterations, start, ..config.clone() };
        let (run, died) = worker(exe, target, &part);
        report.iterations += run.iterations;
        report.corpus = report.corpus.max(run.corpus);
        report.slowest = report.slowest.clone().max(run.slowest);
        for failure in run.failures {
            let signature = run::signature(failure.kind, &failure.message);
            if let Some((_, count)) = alike.iter_mut().find(|(s, _)| *s == signature) {
                *count += 1;
                // The first input is kept; the directory is not flooded with a thousand more.
                if let Some(input) = &failure.input {
                    let _ = std::fs::remove_file(input);
                }
            } else {
                alike.push((signature, 1));
                report.failures.push(failure);
            }
        }
        // A worker that died before its first input would die again.
        if !died || run.iterations == 0 {
            break;
        }
        start += run.iterations;
    }
    for failure in &mut report.failures {
        let signature = run::signature(failure.kind, &failure.message);
        if let Some((_, count @ 2..)) = alike.iter().find(|(s, _)| *s == signature) {
            let _ = write!(failure.message, " ({count} times; the first is kept)");
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// Fuzzes every target, `jobs` worker processes at a time; reports in the order given.
pub fn supervise_all(exe: &Path, targets: &[&Target], config: &Config, jobs: usize) -> Vec<Report> {
    let next = AtomicUsize::new(0);
    let reports: Mutex<Vec<Option<Report>>> = Mutex::new(vec![None; targets.len()]);
    thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, targets.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(target) = targets.get(index) else {
                        break;
                    };
                    let report = supervise(exe, target.name, config);
                    if let Ok(mut reports) = reports.lock() {
                        reports[index] = Some(report);
                    }
                }
            });
        }
    });
    let reports = reports.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    targets.iter().zip(reports).map(|(t, r)| r.unwrap_or_else(|| Report::new(t.name))).collect()
}

/// One worker run: its report, and whether it died (crashed or was killed as hung).
fn worker(exe: &Path, target: &str, config: &Config) -> (Report, bool) {
    let in_flight = config.out.join(format!("{target}.in-flight"));
    let mut command = Command::new(exe);
    command
        .args([WORKER_FLAG, "--target", target])
        .args(["--seconds", &config.time.as_secs_f64().to_string()])
        .args(["--iterations", &config.iterations.to_string()])
        .args(["--seed", &config.seed.to_string()])
        .args(["--start", &config.start.to_string()])
        .args(["--max-len", &config.max_len.to_string()])
        .arg("--out")
        .arg(&config.out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            let mut report = Report::new(target);
            let message = format!("could not start the worker {}: {e}", exe.display());
            report.failures.push(Failure {
                kind: FailureKind::Crash,
                seed: config.seed,
                iteration: 0,
                message,
                input: None,
            });
            return (report, false);
        }
    };
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = read(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = read(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));

    let deadline = Instant::now() + config.time + config.grace;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let (mut report, finished) = parse_lines(target, &stdout);
    if status.is_some_and(|s| s.success()) && finished {
        return (report, false);
    }
    let (kind, cause) = match status {
        None => {
            let waited = (config.time + config.grace).as_secs_f64();
            (
                FailureKind::Hang,
                format!(
                    "no result after {waited:.1} s (its time budget and {:.1} s of grace): killed",
                    config.grace.as_secs_f64()
                ),
            )
        }
        Some(status) => (FailureKind::Crash, describe(status, &stderr)),
    };
    if let Some((seed, iteration, input)) = run::read_in_flight(&in_flight) {
        let path = config.out.join(format!("{target}-seed{seed}-iter{iteration}.txt"));
        let written = std::fs::write(&path, &input).ok().map(|()| path);
        report.iterations = report.iterations.max((iteration + 1).saturating_sub(config.start));
        report.failures.push(Failure { kind, seed, iteration, message: cause, input: written });
    } else {
        let message = format!("{cause} (no input was in flight)");
        let (seed, iteration) = (config.seed, config.start + report.iterations);
        report.failures.push(Failure { kind, seed, iteration, message, input: None });
    }
    let _ = std::fs::remove_file(&in_flight);
    (report, true)
}

/// How a worker died, with the last words it wrote to stderr.
fn describe(status: ExitStatus, stderr: &str) -> String {
    let last: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let last = last[last.len().saturating_sub(2)..].join(" / ");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                4 => " (SIGILL)",
                6 => " (SIGABRT)",
                7 => " (SIGBUS)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                _ => "",
            };
            return format!("the worker died of signal {signal}{name}: {last}");
        }
    }
    format!("the worker {status}: {last}")
}

/// Prints a failure for the supervisor, at once (the worker may die right after).
pub(crate) fn announce(failure: &Failure) {
    let input = failure.input.as_ref().map_or_else(|| "-".to_owned(), |p| p.display().to_string());
    let line = format!(
        "failure\t{}\t{}\t{}\t{}\t{}\n",
        failure.kind.name(),
        failure.seed,
        failure.iteration,
        one_line(&input),
        one_line(&failure.message)
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(line.as_bytes());
    let _ = stdout.flush();
}

fn one_line(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

/// The worker's side: fuzzes `target`, recording inputs in flight, and prints its totals.
pub fn work(target: &Target, config: &Config) {
    let in_flight = config.out.join(format!("{}.in-flight", target.name));
    let report = run::run(target, config, Some(&in_flight), true);
    let slow_input =
        report.slowest.input.as_ref().map_or_else(|| "-".to_owned(), |p| p.display().to_string());
    println!(
        "done\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        report.iterations,
        report.elapsed.as_millis(),
        report.corpus,
        report.slowest.time.as_micros(),
        report.slowest.bytes,
        report.slowest.iteration,
        one_line(&slow_input)
    );
}

/// A worker's report from its output, and whether it got to the end.
fn parse_lines(target: &str, stdout: &str) -> (Report, bool) {
    let mut report = Report::new(target);
    let mut finished = false;
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["failure", kind, seed, iteration, input, message] => {
                let (Some(kind), Ok(seed), Ok(iteration)) =
                    (FailureKind::from_name(kind), seed.parse(), iteration.parse())
                else {
                    continue;
                };
                let input = (*input != "-").then(|| input.into());
                report.failures.push(Failure {
                    kind,
                    seed,
                    iteration,
                    message: (*message).to_owned(),
                    input,
                });
            }
            ["done", iterations, millis, corpus, micros, bytes, iteration, input] => {
                report.iterations = iterations.parse().unwrap_or(0);
                report.elapsed = Duration::from_millis(millis.parse().unwrap_or(0));
                report.corpus = corpus.parse().unwrap_or(0);
                report.slowest = Slowest {
                    time: Duration::from_micros(micros.parse().unwrap_or(0)),
                    bytes: bytes.parse().unwrap_or(0),
                    iteration: iteration.parse().unwrap_or(0),
                    input: (*input != "-").then(|| input.into()),
                };
                finished = true;
            }
            _ => {}
        }
    }
    (report, finished)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workers_lines_make_its_report() {
        let out = "noise\nfailure\tpanic\t3\t17\t/tmp/x.txt\tpanicked at a.rs:1:2: boom\ndone\t100\t2500\t12\t1500\t64\t9\t-\n";
        let (report, finished) = parse_lines("env", out);
        assert!(finished);
        assert_eq!((report.iterations, report.corpus, report.elapsed.as_millis()), (100, 12, 2500));
        let slowest = Slowest { time: Duration::from_micros(1500), bytes: 64, iteration: 9, input: None };
        assert_eq!(report.slowest, slowest);
        assert_eq!(report.failures.len(), 1);
        let failure = &report.failures[0];
        assert_eq!((failure.kind, failure.seed, failure.iteration), (FailureKind::Panic, 3, 17));
        assert_eq!(failure.input.as_deref(), Some(Path::new("/tmp/x.txt")));
        assert!(!parse_lines("env", "failure\tpanic\t3\t17\t-\tboom\n").1, "no totals: it died");
    }
}
