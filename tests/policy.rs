//! Policy packs, `--policy`, `--rule` and `--no-builtins`, end to end.

mod support;

use std::path::Path;

use support::{finding_rows, rampart, run};

const DOCKERFILE_CASES: &str = "fixtures/rules/non-root/dockerfile-user/fail";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn severities(args: &[&str]) -> Vec<String> {
    let out =
        run(rampart().args(["scan", DOCKERFILE_CASES, "--format", "json", "--fail-on", "none"]).args(args));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut severities: Vec<String> = finding_rows(&out.json())
        .into_iter()
        .filter(|r| r.3 == "non-root/dockerfile-user")
        .map(|r| r.4)
        .collect();
    severities.sort();
    severities.dedup();
    severities
}

#[test]
fn a_pack_overrides_severities_but_keeps_a_rules_own_judgement() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write(
        dir.path(),
        "strict.toml",
        "[pack]\nname = \"strict\"\n[rules.\"non-root/*\"]\nseverity = \"critical\"\n",
    );
    assert_eq!(severities(&[]), ["high", "info"]);
    // The rule's `info` for a USER it cannot verify stays info.
    assert_eq!(severities(&["--policy", &pack]), ["critical", "info"]);
}

#[test]
fn a_pack_can_disable_a_rule_and_the_rule_filter_narrows_further() {
    let dir = tempfile::tempdir().unwrap();
    let off = write(
        dir.path(),
        "off.toml",
        "[pack]\nname = \"off\"\n[rules.\"non-root/dockerfile-user\"]\nenabled = false\n",
    );
    assert!(severities(&["--policy", &off]).is_empty());
    assert_eq!(severities(&["--rule", "non-root/*"]), ["high", "info"]);
    let other = run(rampart().args(["scan", DOCKERFILE_CASES, "--rule", "tls/nothing-like-this"]));
    assert_eq!(other.code, 2, "an unknown --rule is a usage error");
    assert!(
        other.stderr.contains("--rule tls/nothing-like-this: no loaded rule matches"),
        "{}",
        other.stderr
    );
}

#[test]
fn a_mistake_in_a_pack_is_a_configuration_error_pointing_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "[pack]\nname = \"x\"\n[rules.\"non-root/nope\"]\nseverity = \"high\"\n",
            ":3:1: no loaded rule matches `non-root/nope`",
        ),
        (
            "[pack]\nname = \"x\"\n[rules.\"non-root/*\"]\nseverity = \"loud\"\n",
            ":4:12: unknown severity `loud`",
        ),
        (
            "[pack]\nname = \"x\"\n[params]\nno_such_param = 1\n",
            ":4:17: no loaded rule has a parameter `no_such_param`",
        ),
        ("[pack]\nname = \"x\"\nrule = 1\n", ":3:1: unknown field `rule`"),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let pack = write(dir.path(), &format!("p{i}.toml"), text);
        let out = run(rampart().args(["scan", DOCKERFILE_CASES, "--policy", &pack]));
        assert_eq!(out.code, 2, "{text}");
        assert!(out.stderr.contains(&format!("{pack}{expected}")), "{text}\n{}", out.stderr);
    }
    let unknown = run(rampart().args(["scan", DOCKERFILE_CASES, "--policy", "strictest"]));
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("no built-in policy pack is called `strictest`"), "{}", unknown.stderr);
}

#[test]
fn the_config_file_names_packs_relative_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "off.toml", "[pack]\nname = \"off\"\n[rules.\"non-root/*\"]\nenabled = false\n");
    let config = write(dir.path(), "rampart.toml", "[policy]\npacks = [\"off.toml\"]\n");
    assert!(severities(&["--config", &config]).is_empty());
    // --policy replaces the config file's packs.
    assert_eq!(severities(&["--config", &config, "--policy", "baseline"]), ["high", "info"]);
}

#[test]
fn without_builtins_only_the_named_plugins_run() {
    let out = run(rampart().args(["rules", "--no-builtins", "--format", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plugins: Vec<String> =
        out.json().as_array().unwrap().iter().map(|r| r["plugin"].as_str().unwrap().to_owned()).collect();
    assert!(plugins.iter().all(|p| p == "rampart"), "only rampart's own rules: {plugins:?}");
    assert_eq!(plugins.len(), 5, "{plugins:?}");
}

#[test]
fn every_builtin_pack_loads_against_the_builtin_rules() {
    for pack in ["baseline", "production", "soc2", "gdpr"] {
        let out = run(rampart().args(["rules", "--policy", pack, "--format", "json"]));
        assert_eq!(out.code, 0, "{pack}: {}", out.stderr);
    }
}

#[test]
fn baseline_writes_out_exactly_the_rules_declared_defaults() {
    let text = std::fs::read_to_string(support::repo().join("policies/baseline.toml")).unwrap();
    let pack: toml::Table = toml::from_str(&text).unwrap();
    let written = pack["params"].as_table().unwrap();
    assert!(!pack.contains_key("rules"), "baseline changes no rule");
    let out = run(rampart().args(["rules", "--format", "json", "--policy", "baseline"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rules = out.json();
    let mut declared = std::collections::BTreeSet::new();
    for rule in rules.as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        assert_eq!(rule["in_force"]["enabled"], true, "{id}");
        assert_eq!(rule["in_force"]["severity"], rule["severity"], "{id}");
        for param in rule["params"].as_array().unwrap() {
            let name = param["name"].as_str().unwrap();
            declared.insert(name.to_owned());
            let value =
                written.get(name).unwrap_or_else(|| panic!("baseline does not write out {name} ({id})"));
            let value = serde_json::to_value(value).unwrap();
            assert_eq!(value, param["default"], "baseline's {name} differs from {id}'s default");
            assert_eq!(rule["in_force"]["params"][name], param["default"], "{id}: {name}");
        }
    }
    let extra: Vec<&String> = written.keys().filter(|k| !declared.contains(*k)).collect();
    assert!(extra.is_empty(), "baseline sets parameters no rule declares: {extra:?}");
}

#[test]
fn the_framework_packs_map_every_rule_to_a_control() {
    for pack in ["soc2", "gdpr"] {
        let out = run(rampart().args(["rules", "--format", "json", "--policy", pack]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        // rampart's own rules judge suppression comments, not infrastructure: no control.
        for rule in out.json().as_array().unwrap().iter().filter(|r| r["plugin"] != "rampart") {
            let controls = rule["controls"].as_array().unwrap();
            assert!(!controls.is_empty(), "{pack} maps no control to {}", rule["id"]);
            assert!(controls.iter().all(|c| c["pack"] == pack && c["framework"].is_string()));
        }
    }
}
