//! The fuzzer run against every parser for a bounded budget (what CI runs, in a debug build),
//! and its oracle and supervisor shown to catch what they are for: a panic, a span outside
//! its text or inside a character, a nondeterministic parse, a stack overflow, an abort and a
//! hang, each reported with the input that caused it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rampart_fuzz::oracle::{self, Outcome};
use rampart_fuzz::targets::{self, TRIGGER};
use rampart_fuzz::{Config, FailureKind, Report, Target, fuzz, supervise};
use rampart_model::{DocumentBuilder, Format, SourceFile, Span};
use rampart_parse::ParseError;

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_rampart-fuzz"))
}

/// 2,000 iterations or 5 seconds per target, whichever comes first; failing inputs go to
/// target/fuzz-crashes.
fn budget() -> Config {
    Config { time: Duration::from_secs(5), iterations: 2_000, seed: 1, ..Config::default() }
}

fn fuzz_target(name: &str) {
    let report = supervise(exe(), name, &budget());
    println!("{report}");
    assert!(report.iterations > 0, "{report}");
    assert!(report.failures.is_empty(), "{report}");
}

#[test]
fn fuzz_dockerfile() {
    fuzz_target("dockerfile");
}

#[test]
fn fuzz_env() {
    fuzz_target("env");
}

#[test]
fn fuzz_kubernetes() {
    fuzz_target("kubernetes");
}

#[test]
fn fuzz_compose() {
    fuzz_target("compose");
}

#[test]
fn fuzz_yaml() {
    fuzz_target("yaml");
}

#[test]
fn fuzz_terraform() {
    fuzz_target("terraform");
}

#[test]
fn fuzz_terraform_json() {
    fuzz_target("terraform-json");
}

#[test]
fn fuzz_tfvars() {
    fuzz_target("tfvars");
}

#[test]
fn the_same_seed_fuzzes_the_same_way() {
    let config = Config { time: Duration::from_mins(2), iterations: 300, ..budget() };
    let target = targets::find("compose").unwrap();
    let (first, second) = (fuzz(target, &config), fuzz(target, &config));
    assert_eq!((first.iterations, first.corpus), (second.iterations, second.corpus));
    assert_eq!(first.iterations, 300);
    assert!(first.corpus > targets::seeds(target).len(), "inputs that show something new join the corpus");
}

// ---------------------------------------------------------------------------------------------
// The oracle and the supervisor can fail.

/// A budget small enough for the self-test targets, which fail on iteration 2, writing
/// failing inputs to a directory of the test's own.
fn self_test_budget(out: &Path) -> Config {
    Config {
        time: Duration::from_secs(30),
        iterations: 3,
        out: out.to_owned(),
        grace: Duration::from_secs(1),
        ..Config::default()
    }
}

/// The one failure of a report, which must be on iteration 2 with the trigger as its saved
/// input.
fn only_failure(report: &Report, kind: FailureKind) -> String {
    assert_eq!(report.failures.len(), 1, "{report}");
    let failure = &report.failures[0];
    assert_eq!((failure.kind, failure.seed, failure.iteration), (kind, 1, 2), "{report}");
    let input: &PathBuf = failure.input.as_ref().expect("the input is saved");
    assert_eq!(std::fs::read_to_string(input).unwrap(), TRIGGER);
    assert!(report.to_string().contains("--replay"), "the report says how to replay it: {report}");
    failure.message.clone()
}

#[test]
fn a_panic_is_caught_silently_and_reported_with_its_input() {
    let out = tempfile::tempdir().unwrap();
    let report = fuzz(targets::find("selftest-panic").unwrap(), &self_test_budget(out.path()));
    let message = only_failure(&report, FailureKind::Panic);
    assert!(message.contains("panics on purpose") && message.contains("targets.rs"), "{message}");
    assert_eq!(report.iterations, 3, "the run goes on after a panic");
}

#[test]
fn a_stack_overflow_kills_the_worker_not_the_run_and_is_reported_with_its_input() {
    let out = tempfile::tempdir().unwrap();
    let report = supervise(exe(), "selftest-overflow", &self_test_budget(out.path()));
    let message = only_failure(&report, FailureKind::Crash);
    assert!(message.contains("overflowed its stack"), "{message}");
    assert!(!out.path().join("selftest-overflow.in-flight").exists(), "the in-flight file is cleaned up");
}

#[test]
fn an_abort_is_reported_with_its_input() {
    let out = tempfile::tempdir().unwrap();
    let report = supervise(exe(), "selftest-abort", &self_test_budget(out.path()));
    let message = only_failure(&report, FailureKind::Crash);
    assert!(message.contains("died of signal") || message.contains("exit"), "{message}");
}

#[test]
fn a_hang_is_killed_and_reported_with_its_input() {
    let out = tempfile::tempdir().unwrap();
    let config = Config { time: Duration::from_secs(1), ..self_test_budget(out.path()) };
    let report = supervise(exe(), "selftest-hang", &config);
    let message = only_failure(&report, FailureKind::Hang);
    assert!(message.contains("killed"), "{message}");
}

#[test]
fn a_worker_restarts_after_the_input_that_killed_it() {
    let out = tempfile::tempdir().unwrap();
    let config = Config { iterations: 50, ..self_test_budget(out.path()) };
    let report = supervise(exe(), "selftest-overflow", &config);
    assert_eq!(report.iterations, 50, "{report}");
    assert_eq!(report.failures[0].iteration, 2, "{report}");
}

fn file(text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile::new("x", text))
}

#[test]
fn spans_outside_the_text_or_inside_a_character_are_violations() {
    let text = "é: 1\n";
    let broken = |span: Span, key_span: Option<Span>| {
        let mut b = DocumentBuilder::new(Format::Kubernetes, file(text), Span::new(0, 5));
        b.push(DocumentBuilder::ROOT, "é", key_span, rampart_model::NodeKind::Number, "1", span);
        oracle::document(text, Ok(b.finish())).violations
    };
    assert!(broken(Span::new(4, 5), Some(Span::new(0, 2))).is_empty(), "a correct document passes");
    let past = broken(Span::new(4, 9), Some(Span::new(0, 2)));
    assert!(past[0].contains("ends past the text"), "{past:?}");
    let split = broken(Span::new(4, 5), Some(Span::new(0, 1)));
    assert!(split[0].contains("key span") && split[0].contains("splits a character"), "{split:?}");
    let reversed = broken(Span::new(5, 4), None);
    assert!(reversed[0].contains("reversed"), "{reversed:?}");

    let error = oracle::rejected(text, &ParseError::new(Span::new(1, 3), "bad"));
    assert!(error.violations[0].contains("the error `bad`"), "{:?}", error.violations);
    assert!(oracle::rejected(text, &ParseError::new(Span::new(0, 2), "bad")).violations.is_empty());
}

#[test]
fn a_parser_whose_document_points_outside_its_text_fails_the_run() {
    let out = tempfile::tempdir().unwrap();
    let target = Target {
        name: "out-of-bounds",
        seeds: |_, _| false,
        snippets: &["FROM alpine\n"],
        tokens: &[],
        nests: &[],
        parse: |text| {
            let end = text.len() as u32;
            let mut b = DocumentBuilder::new(Format::Dockerfile, file(text), Span::new(0, end));
            b.string(DocumentBuilder::ROOT, "past", "x", Span::new(end, end + 1));
            oracle::document(text, Ok(b.finish()))
        },
    };
    let report = fuzz(&target, &Config { iterations: 5, ..self_test_budget(out.path()) });
    assert_eq!(report.failures.len(), 1, "reported once: {report}");
    assert_eq!((report.failures[0].kind, report.failures[0].iteration), (FailureKind::Invariant, 0));
    assert!(report.failures[0].message.contains("`past`"), "{report}");
}

#[test]
fn a_parser_that_answers_differently_twice_fails_the_run() {
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let out = tempfile::tempdir().unwrap();
    let target = Target {
        name: "nondeterministic",
        seeds: |_, _| false,
        snippets: &["A=1\n"],
        tokens: &[],
        nests: &[],
        parse: |_| Outcome { nodes: CALLS.fetch_add(1, Ordering::Relaxed) as usize, ..Outcome::default() },
    };
    let report = fuzz(&target, &Config { iterations: 1, ..self_test_budget(out.path()) });
    assert_eq!(report.failures.len(), 1, "{report}");
    assert_eq!(report.failures[0].kind, FailureKind::Nondeterministic);
}
