use rampart_model::{Format, ParamSpec, ParamValue, RuleId, RuleMeta, Severity};

use super::*;

fn rule(id: &str, params: &[(&str, ParamValue)]) -> RuleMeta {
    RuleMeta {
        id: RuleId::parse(id).unwrap(),
        title: id.into(),
        severity: Severity::Medium,
        formats: vec![Format::Terraform],
        rationale: String::new(),
        remediation: String::new(),
        references: Vec::new(),
        params: params
            .iter()
            .map(|(name, default)| ParamSpec {
                name: (*name).into(),
                description: String::new(),
                default: default.clone(),
            })
            .collect(),
    }
}

fn rules() -> Vec<RuleMeta> {
    vec![
        rule("backup/rds-retention", &[("min_retention_days", ParamValue::Integer(7))]),
        rule("backup/elasticache-snapshots", &[("min_retention_days", ParamValue::Integer(7))]),
        rule("tls/lb-listener-policy", &[("min_tls", ParamValue::Text("1.2".into()))]),
        rule(
            "network/security-group-open",
            &[("public_ports", ParamValue::Texts(vec!["80".into(), "443".into()]))],
        ),
        rule("hygiene/image-latest-tag", &[]),
    ]
}

fn resolve(packs: &[&str]) -> Result<Resolved, PackError> {
    let packs = packs
        .iter()
        .enumerate()
        .map(|(i, text)| Pack::parse(&format!("pack{i}.toml"), text, PackSource::Builtin))
        .collect::<Result<Vec<_>, _>>()?;
    let rules = rules();
    let refs: Vec<&RuleMeta> = rules.iter().collect();
    Policy { packs }.resolve(&refs)
}

fn settings(resolved: &Resolved, id: &str) -> RuleSettings {
    resolved.rules[&RuleId::parse(id).unwrap()].clone()
}

fn param(resolved: &Resolved, id: &str, name: &str) -> ParamValue {
    settings(resolved, id).params.into_iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn without_settings_every_rule_runs_with_its_defaults() {
    let resolved = resolve(&["[pack]\nname = \"empty\"\n"]).unwrap();
    let s = settings(&resolved, "backup/rds-retention");
    assert!(s.enabled);
    assert_eq!(s.severity, None);
    assert_eq!(s.params, [("min_retention_days".to_owned(), ParamValue::Integer(7))]);
}

#[test]
fn pack_params_reach_every_rule_that_declares_them_and_rule_entries_win() {
    let pack = r#"
[pack]
name = "production"

[params]
min_retention_days = 30
min_tls = "1.3"

[rules."backup/elasticache-snapshots"]
params = { min_retention_days = 14 }

[rules."backup/*"]
severity = "high"

[rules."hygiene/image-latest-tag"]
severity = "low"
enabled = false
"#;
    let resolved = resolve(&[pack]).unwrap();
    assert_eq!(param(&resolved, "backup/rds-retention", "min_retention_days"), ParamValue::Integer(30));
    assert_eq!(
        param(&resolved, "backup/elasticache-snapshots", "min_retention_days"),
        ParamValue::Integer(14)
    );
    assert_eq!(param(&resolved, "tls/lb-listener-policy", "min_tls"), ParamValue::Text("1.3".into()));
    assert_eq!(settings(&resolved, "backup/rds-retention").severity, Some(Severity::High));
    let latest = settings(&resolved, "hygiene/image-latest-tag");
    assert!(!latest.enabled);
    assert_eq!(latest.severity, Some(Severity::Low));
    assert_eq!(settings(&resolved, "tls/lb-listener-policy").severity, None, "untouched");
}

#[test]
fn the_most_specific_pattern_wins_whatever_the_order() {
    let pack = r#"
[pack]
name = "p"
[rules."backup/rds-retention"]
severity = "critical"
[rules."*"]
severity = "info"
[rules."backup/*"]
severity = "low"
"#;
    let resolved = resolve(&[pack]).unwrap();
    assert_eq!(settings(&resolved, "backup/rds-retention").severity, Some(Severity::Critical));
    assert_eq!(settings(&resolved, "backup/elasticache-snapshots").severity, Some(Severity::Low));
    assert_eq!(settings(&resolved, "tls/lb-listener-policy").severity, Some(Severity::Info));
}

#[test]
fn later_packs_override_earlier_ones() {
    let first = "[pack]\nname = \"a\"\n[params]\nmin_retention_days = 30\n";
    let second =
        "[pack]\nname = \"b\"\n[rules.\"backup/rds-retention\"]\nparams = { min_retention_days = 35 }\n";
    let resolved = resolve(&[first, second]).unwrap();
    assert_eq!(param(&resolved, "backup/rds-retention", "min_retention_days"), ParamValue::Integer(35));
    assert_eq!(
        param(&resolved, "backup/elasticache-snapshots", "min_retention_days"),
        ParamValue::Integer(30)
    );
}

#[test]
fn lists_of_texts_and_their_type_errors() {
    let ok = "[pack]\nname = \"a\"\n[params]\npublic_ports = [\"443\"]\n";
    let resolved = resolve(&[ok]).unwrap();
    assert_eq!(
        param(&resolved, "network/security-group-open", "public_ports"),
        ParamValue::Texts(vec!["443".into()])
    );
    let bad = "[pack]\nname = \"a\"\n[params]\npublic_ports = [443]\n";
    let err = resolve(&[bad]).unwrap_err();
    assert_eq!(err.location, Some((4, 16)));
    assert!(
        err.message.contains("takes a list of strings, not a list with an item that is not a string"),
        "{err}"
    );
}

/// (pack text, line, column, part of the message)
const MISTAKES: &[(&str, u32, u32, &str)] = &[
    (
        "[pack]\nname = \"a\"\n[params]\nmin_retention_days = \"30\"\n",
        4,
        22,
        "takes an integer, not a string",
    ),
    (
        "[pack]\nname = \"a\"\n[params]\nmin_retention = 30\n",
        4,
        17,
        "no loaded rule has a parameter `min_retention`",
    ),
    (
        "[pack]\nname = \"a\"\n[rules.\"tls/nope\"]\nseverity = \"high\"\n",
        3,
        1,
        "no loaded rule matches `tls/nope`",
    ),
    ("[pack]\nname = \"a\"\n[rules.\"tls/*\"]\nseverity = \"severe\"\n", 4, 12, "unknown severity `severe`"),
    (
        "[pack]\nname = \"a\"\n[rules.\"tls/*\"]\nparams = { min_retention_days = 3 }\n",
        4,
        33,
        "no rule matching `tls/*` has a parameter `min_retention_days`",
    ),
    (
        "[pack]\nname = \"a\"\n[rules.\"tls/*\"]\nseverity = \"high\"\nenable = true\n",
        5,
        1,
        "unknown field `enable`",
    ),
    (
        "[pack]\nname = \"a\"\n[controls.\"CC6.1\"]\ntitle = \"x\"\nrules = [\"tls/*\", \"nope/*\"]\n",
        5,
        19,
        "no loaded rule matches `nope/*`",
    ),
    ("[pack]\nname = \"a\"\nbogus = 1\n", 3, 1, "unknown field `bogus`"),
    ("[pack]\nname = \"\"\n", 2, 8, "a pack needs a name"),
    ("[pack]\nname = \"a\n", 2, 10, ""),
    ("name = \"a\"\n", 1, 1, "unknown field `name`, expected one of `pack`"),
    ("[params]\n", 1, 1, "missing field `pack`"),
];

#[test]
fn every_mistake_points_at_its_line_and_column() {
    for (text, line, column, message) in MISTAKES {
        let err = resolve(&[text]).expect_err(text);
        assert_eq!(err.location, Some((*line, *column)), "{text}\n{err}");
        assert!(err.message.contains(message), "{text}\n{err}");
        assert!(err.to_string().starts_with(&format!("pack0.toml:{line}:{column}: ")), "{err}");
    }
}

#[test]
fn packs_are_found_by_name_or_path() {
    let dir = std::env::temp_dir().join(format!("rampart-policy-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.toml"), "[pack]\nname = \"mine\"\n").unwrap();
    assert_eq!(Pack::load("mine.toml", &dir).unwrap().name, "mine");
    assert_eq!(Pack::load("./mine.toml", &dir).unwrap().source, PackSource::File(dir.join("./mine.toml")));
    let missing = Pack::load("other.toml", &dir).unwrap_err();
    assert!(missing.message.starts_with("could not read the policy pack"), "{missing}");
    let unknown = Pack::load("strict", &dir).unwrap_err();
    assert!(unknown.message.contains("built-in: baseline, production, soc2, gdpr"), "{unknown}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_control_covers_the_rules_its_patterns_name() {
    let pack = "[pack]\nname = \"f\"\n[controls.\"CC6.7\"]\ntitle = \"t\"\nrules = [\"tls/*\", \"backup/rds-retention\"]\n";
    let pack = Pack::parse("f.toml", pack, PackSource::Builtin).unwrap();
    let control = &pack.controls[0];
    let rules = rules();
    let covered: Vec<&str> = rules.iter().filter(|r| control.covers(r)).map(|r| r.id.as_str()).collect();
    assert_eq!(covered, ["backup/rds-retention", "tls/lb-listener-policy"]);
}

#[test]
fn every_builtin_pack_parses() {
    for (name, text) in BUILTIN {
        let pack = Pack::parse(name, text, PackSource::Builtin).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&pack.name, name);
    }
}

#[test]
fn with_no_pack_named_nothing_is_applied_and_baseline_is_the_name() {
    let policy = Policy::load(&[], Path::new(".")).unwrap();
    assert!(policy.packs.is_empty());
    assert_eq!(policy.names(), [DEFAULT_PACK]);
    // Even a rule set that baseline knows nothing about resolves.
    let rules = [rule("tls/third-party-rule", &[("depth", ParamValue::Integer(3))])];
    let refs: Vec<&RuleMeta> = rules.iter().collect();
    let resolved = policy.resolve(&refs).unwrap();
    assert_eq!(resolved.settings(&rules[0]).params, [("depth".to_owned(), ParamValue::Integer(3))]);
}
