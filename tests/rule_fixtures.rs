//! Every built-in rule matches its marked fixtures and its rendered-diagnostic snapshot under
//! `fixtures/rules/<rule-id>/` (the conventions are in xtask/src/rule_fixtures.rs, shared with
//! `cargo xtask rule-check`, which runs the same checks against a plugin built from source).
//!
//! `RAMPART_UPDATE_SNAPSHOTS=1` rewrites the snapshots instead of comparing them.

mod support;

#[path = "../xtask/src/rule_fixtures.rs"]
mod rule_fixtures;

use support::{repo, shared_cache};

#[test]
fn every_rule_matches_its_marked_fixtures_and_snapshot() {
    let runner = rule_fixtures::Runner {
        bin: env!("CARGO_BIN_EXE_rampart").into(),
        repo: repo(),
        extra: Vec::new(),
        env: vec![("RAMPART_CACHE_DIR".into(), shared_cache().into())],
    };
    let rules = runner.rules(None).unwrap();
    assert!(!rules.is_empty());
    let update = std::env::var_os("RAMPART_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let failures = runner.check_all(&rules, update);
    assert!(
        failures.is_empty(),
        "{} of {} rules fail their fixtures:\n\n{}",
        failures.len(),
        rules.len(),
        failures.join("\n\n")
    );
}

#[test]
fn markers_name_their_line_and_column() {
    let text = "# expect: tls/a\n\n  value: 1\n# expect: tls/b critical @7\nx: 2\n# expect: tls/c @9:3\ny\n";
    let rows = rule_fixtures::markers("f.yaml", text, "high").unwrap();
    let rows: Vec<_> = rows.iter().map(|(_, l, c, r, s)| (*l, *c, r.as_str(), s.as_str())).collect();
    assert_eq!(rows, [(3, 3, "tls/a", "high"), (5, 7, "tls/b", "critical"), (9, 3, "tls/c", "high")]);
    assert!(rule_fixtures::markers("f.yaml", "x\n# expect: tls/a\n", "high").is_err(), "no line after it");
}
