//! Rule metadata, as declared by plugins through `rules()`.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// How serious a finding is. Ordered: `Info < Low < ... < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (expected info, low, medium, high or critical)"))
    }
}

/// The input formats rampart reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Dockerfile,
    Terraform,
    Kubernetes,
    Compose,
    Env,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Dockerfile => "dockerfile",
            Format::Terraform => "terraform",
            Format::Kubernetes => "kubernetes",
            Format::Compose => "compose",
            Format::Env => "env",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The family of rampart's own rules (see [`RuleId::engine`]); no plugin may declare one.
pub const ENGINE_FAMILY: &str = "rampart";

/// A rule id of the form `<family>/<name>`, e.g. `non-root/dockerfile-user`: both parts
/// lowercase letters, digits and inner hyphens. A third-party plugin may use the built-in
/// families or its own (`acme/required-labels`); only [`ENGINE_FAMILY`] is reserved.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RuleId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid rule id `{id}`: {reason}")]
pub struct RuleIdError {
    pub id: String,
    pub reason: &'static str,
}

impl RuleId {
    pub fn parse(id: &str) -> Result<Self, RuleIdError> {
        let err = |reason| Err(RuleIdError { id: id.to_owned(), reason });
        let Some((family, name)) = id.split_once('/') else {
            return err("expected `<family>/<name>`");
        };
        if family == ENGINE_FAMILY {
            return err("the `rampart` family is reserved for rampart's own rules");
        }
        if !is_word(family) {
            return err("the family must be lowercase letters, digits and inner hyphens");
        }
        if !is_word(name) {
            return err("the name must be lowercase letters, digits and inner hyphens");
        }
        Ok(Self(id.to_owned()))
    }

    /// A rule of rampart itself (`rampart/<name>`), about the scan rather than the code:
    /// suppressions without a reason, expired or unused. No plugin can declare one, since
    /// [`RuleId::parse`] accepts only the plugin families.
    pub fn engine(name: &str) -> Self {
        Self(format!("{ENGINE_FAMILY}/{name}"))
    }

    /// Whether this is one of rampart's own rules (see [`RuleId::engine`]).
    pub fn is_engine(&self) -> bool {
        self.family() == ENGINE_FAMILY
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn family(&self) -> &str {
        self.0.split_once('/').map_or("", |(family, _)| family)
    }

    /// Whether a rule pattern names this rule: the exact id, `<family>/*`, or `*`.
    pub fn matches(&self, pattern: &str) -> bool {
        pattern == "*"
            || pattern == self.0
            || pattern.strip_suffix("/*").is_some_and(|family| family == self.family())
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parameter value set by a policy pack, or a parameter's default.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Texts(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamSpec {
    pub name: String,
    pub description: String,
    pub default: ParamValue,
}

/// Everything a rule declares about itself, once, in its plugin.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleMeta {
    pub id: RuleId,
    pub title: String,
    pub severity: Severity,
    pub formats: Vec<Format>,
    pub rationale: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub params: Vec<ParamSpec>,
}

/// What the policy packs in force say about one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSettings {
    pub enabled: bool,
    /// Replaces the rule's default severity (a finding for which the rule chose its own
    /// severity keeps it).
    pub severity: Option<Severity>,
    /// A value for every parameter the rule declares.
    pub params: Vec<(String, ParamValue)>,
}

impl RuleSettings {
    /// The rule as its plugin declares it: enabled, default severity, default parameters.
    pub fn defaults(rule: &RuleMeta) -> Self {
        let params = rule.params.iter().map(|p| (p.name.clone(), p.default.clone())).collect();
        Self { enabled: true, severity: None, params }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub description: String,
}

/// Lowercase letters, digits and inner hyphens: the parts of a rule id.
fn is_word(part: &str) -> bool {
    !part.is_empty()
        && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !part.starts_with('-')
        && !part.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_two_clean_words_outside_the_reserved_family() {
        assert_eq!(RuleId::parse("non-root/dockerfile-user").unwrap().family(), "non-root");
        assert_eq!(RuleId::parse("acme-corp/required-labels2").unwrap().family(), "acme-corp");
        let reserved = RuleId::parse("rampart/suppression-unused").unwrap_err();
        assert!(reserved.reason.contains("reserved"), "{reserved}");
        for bad in [
            "dockerfile-user",
            "tls/",
            "/x",
            "Acme/x",
            "ac_me/x",
            "-acme/x",
            "tls/Upper",
            "tls/a_b",
            "tls/-a",
            "tls/a/b",
        ] {
            assert!(RuleId::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn patterns_name_a_rule_a_family_or_everything() {
        let id = RuleId::parse("tls/lb-listener").unwrap();
        for yes in ["*", "tls/*", "tls/lb-listener"] {
            assert!(id.matches(yes), "{yes}");
        }
        for no in ["tls", "tls/lb", "tls/lb-listener-x", "network/*", "tl*", "*/lb-listener", ""] {
            assert!(!id.matches(no), "{no}");
        }
    }

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
    }
}
