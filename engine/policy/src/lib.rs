//! Policy packs: `policies/*.toml` files that select rules, override severities, set rule
//! parameters and map rule ids to the controls of a compliance framework.
//!
//! A pack never contains logic; rules live in plugins. Packs apply in order on top of the
//! rules' declared defaults (which is what `baseline` writes down): in each pack, the
//! pack-wide `[params]` first, then the `[rules]` entries from the least to the most
//! specific pattern (`*`, then `family/*`, then exact ids). Every mistake a pack can make (a
//! TOML error, an unknown key, a rule pattern or parameter no loaded rule has, a value of
//! the wrong type) is an error that points at its line and column.
//!
//! ```toml
//! [pack]
//! name = "production"
//! description = "Stricter thresholds for production accounts."
//!
//! [params]                        # every rule declaring the parameter takes this value
//! min_retention_days = 30
//!
//! [rules."hygiene/*"]             # severity for every rule of a family
//! severity = "medium"
//!
//! [rules."secrets/known-format"]  # one rule: severity, parameters, on/off
//! enabled = true
//! params = { min_entropy = 3.0 }
//!
//! [controls."CC6.1"]              # compliance mapping, for evidence reports
//! title = "Logical access security"
//! rules = ["non-root/*", "secrets/*"]
//! ```

pub mod suppress;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use rampart_model::{ParamSpec, ParamValue, RuleId, RuleMeta, RuleSettings, Severity, SourceFile, Span};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

/// The packs that ship with rampart, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("baseline", include_str!("../../../policies/baseline.toml")),
    ("production", include_str!("../../../policies/production.toml")),
    ("soc2", include_str!("../../../policies/soc2.toml")),
    ("gdpr", include_str!("../../../policies/gdpr.toml")),
];

/// The pack in force when neither the command line nor the config file names one.
pub const DEFAULT_PACK: &str = "baseline";

/// A mistake in a policy pack (or a pack that cannot be found or read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct PackError {
    /// The pack's file, or `builtin:<name>`.
    pub path: String,
    /// 1-based line and column, when the mistake has a place.
    pub location: Option<(u32, u32)>,
    pub message: String,
    /// The offending line, for display.
    pub line_text: Option<String>,
}

impl PackError {
    pub fn plain(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), location: None, message: message.into(), line_text: None }
    }

    /// A mistake at a place in a TOML file: rendered `path:line:column: message`, then the
    /// line and a caret under the column.
    pub fn at(source: &SourceFile, span: Span, message: impl Into<String>) -> Self {
        let location = source.location(span);
        let line_text = source.text.lines().nth(location.line as usize - 1).map(str::to_owned);
        Self {
            path: source.path.clone(),
            location: Some((location.line, location.column)),
            message: message.into(),
            line_text,
        }
    }

    fn render(&self) -> String {
        match (self.location, &self.line_text) {
            (Some((line, column)), Some(text)) => {
                let caret = " ".repeat(text.chars().take(column as usize - 1).count());
                format!("{}:{line}:{column}: {}\n  | {text}\n  | {caret}^", self.path, self.message)
            }
            (Some((line, column)), None) => format!("{}:{line}:{column}: {}", self.path, self.message),
            _ => format!("{}: {}", self.path, self.message),
        }
    }
}

/// Where a pack came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackSource {
    Builtin,
    File(PathBuf),
}

/// A parsed policy pack, not yet checked against the loaded rules.
#[derive(Debug)]
pub struct Pack {
    pub name: String,
    pub description: String,
    /// The framework its controls belong to (`SOC 2`, `GDPR`), if it maps any.
    pub framework: Option<String>,
    pub source: PackSource,
    /// sha256 of the pack's text, hex: evidence names exactly what was in force.
    pub sha256: String,
    pub controls: Vec<Control>,
    file: SourceFile,
    raw: RawPack,
}

/// A control of a framework and the rules that implement it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    pub id: String,
    pub title: String,
    /// Rule ids or patterns, as written.
    pub rules: Vec<String>,
}

impl Control {
    /// Whether the rule is one of those that implement the control.
    pub fn covers(&self, rule: &RuleMeta) -> bool {
        self.rules.iter().any(|pattern| rule.id.matches(pattern))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    pack: RawMeta,
    #[serde(default)]
    params: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<RawRule>>,
    #[serde(default)]
    controls: BTreeMap<String, Spanned<RawControl>>,
}

/// The `[params]` and `[rules]` of a config file: a pack without a name or controls. Other
/// tables are the config's own (checked by its reader), so they are ignored here.
#[derive(Debug, Deserialize)]
struct RawConfigPack {
    #[serde(default)]
    params: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: Spanned<String>,
    #[serde(default)]
    description: String,
    framework: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    enabled: Option<bool>,
    severity: Option<Spanned<String>>,
    #[serde(default)]
    params: BTreeMap<String, Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    title: String,
    rules: Vec<Spanned<String>>,
}

impl Pack {
    /// Finds a pack by name (a built-in pack) or path (a `.toml` file; relative paths are
    /// relative to `base`), and parses it.
    pub fn load(spec: &str, base: &Path) -> Result<Pack, PackError> {
        let is_toml = Path::new(spec).extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        let looks_like_path = is_toml || spec.contains('/') || spec.contains('\\');
        if !looks_like_path {
            let (name, text) = BUILTIN.iter().find(|(name, _)| *name == spec).ok_or_else(|| {
                let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                PackError::plain(
                    spec,
                    format!(
                        "no built-in policy pack is called `{spec}` (built-in: {}; a pack file is named by its path, ending in .toml)",
                        names.join(", ")
                    ),
                )
            })?;
            return Pack::parse(&format!("builtin:{name}"), text, PackSource::Builtin);
        }
        let path = base.join(spec);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            PackError::plain(path.display().to_string(), format!("could not read the policy pack: {e}"))
        })?;
        Pack::parse(&path.display().to_string(), &text, PackSource::File(path))
    }

    /// Parses a pack's text; `path` is what errors name.
    pub fn parse(path: &str, text: &str, source: PackSource) -> Result<Pack, PackError> {
        let file = SourceFile::new(path, text);
        let raw: RawPack = from_toml(&file)?;
        if raw.pack.name.get_ref().trim().is_empty() {
            return Err(PackError::at(&file, span(&raw.pack.name.span()), "a pack needs a name"));
        }
        let controls = raw
            .controls
            .iter()
            .map(|(id, control)| Control {
                id: id.clone(),
                title: control.get_ref().title.clone(),
                rules: control.get_ref().rules.iter().map(|r| r.get_ref().clone()).collect(),
            })
            .collect();
        Ok(Pack {
            name: raw.pack.name.get_ref().clone(),
            description: raw.pack.description.clone(),
            framework: raw.pack.framework.clone(),
            source,
            sha256: hex::encode(Sha256::digest(text.as_bytes())),
            controls,
            file,
            raw,
        })
    }
}

impl Pack {
    /// The `[params]` and `[rules]` tables of a config file (`rampart.toml`), as a pack
    /// applied after the named ones; `None` when the file has neither. Same syntax and
    /// checks as a pack's, with errors at their line in the config file.
    pub fn from_config(path: &Path, text: &str) -> Result<Option<Pack>, PackError> {
        let shown = path.display().to_string();
        let file = SourceFile::new(shown.clone(), text);
        let raw: RawConfigPack = from_toml(&file)?;
        if raw.params.is_empty() && raw.rules.is_empty() {
            return Ok(None);
        }
        let name = Spanned::new(0..0, shown.clone());
        Ok(Some(Pack {
            name: shown,
            description: "the [params] and [rules] of the config file".into(),
            framework: None,
            source: PackSource::File(path.to_owned()),
            sha256: hex::encode(Sha256::digest(text.as_bytes())),
            controls: Vec::new(),
            file,
            raw: RawPack {
                pack: RawMeta { name, description: String::new(), framework: None },
                params: raw.params,
                rules: raw.rules,
                controls: BTreeMap::new(),
            },
        }))
    }
}

/// Deserialises a TOML file; a syntax or shape error points at its place in the file.
pub fn from_toml<T: serde::de::DeserializeOwned>(file: &SourceFile) -> Result<T, PackError> {
    toml::from_str(&file.text).map_err(|e| {
        let message = e.message().trim_end().to_owned();
        match e.span() {
            Some(range) => PackError::at(file, span(&range), message),
            None => PackError::plain(&file.path, message),
        }
    })
}

fn span(range: &std::ops::Range<usize>) -> Span {
    Span::new(range.start as u32, range.end as u32)
}

/// The packs in force, in order.
#[derive(Debug)]
pub struct Policy {
    pub packs: Vec<Pack>,
}

/// What the packs say about every loaded rule.
#[derive(Debug)]
pub struct Resolved {
    pub rules: HashMap<RuleId, RuleSettings>,
}

impl Resolved {
    /// The settings of a rule (its defaults if the rule was not known when resolving).
    pub fn settings(&self, rule: &RuleMeta) -> RuleSettings {
        self.rules.get(&rule.id).cloned().unwrap_or_else(|| RuleSettings::defaults(rule))
    }
}

impl Policy {
    /// Loads the named packs. With none, every rule runs with its declared defaults, which
    /// is exactly what the default pack ([`DEFAULT_PACK`]) writes out; it is not applied, so
    /// that a scan with only third-party plugins (`--no-builtins`) needs no pack of its own.
    pub fn load(specs: &[String], base: &Path) -> Result<Policy, PackError> {
        let packs = specs.iter().map(|spec| Pack::load(spec, base)).collect::<Result<_, _>>()?;
        Ok(Policy { packs })
    }

    /// The names of the packs in force, for reports: the default pack when none was named.
    pub fn names(&self) -> Vec<&str> {
        if self.packs.is_empty() {
            vec![DEFAULT_PACK]
        } else {
            self.packs.iter().map(|p| p.name.as_str()).collect()
        }
    }

    /// Checks every pack against the loaded rules and computes each rule's settings.
    pub fn resolve(&self, rules: &[&RuleMeta]) -> Result<Resolved, PackError> {
        let mut settings: HashMap<RuleId, RuleSettings> =
            rules.iter().map(|r| (r.id.clone(), RuleSettings::defaults(r))).collect();
        for pack in &self.packs {
            pack.apply(rules, &mut settings)?;
        }
        Ok(Resolved { rules: settings })
    }
}

impl Pack {
    fn apply(
        &self,
        rules: &[&RuleMeta],
        settings: &mut HashMap<RuleId, RuleSettings>,
    ) -> Result<(), PackError> {
        let at =
            |range: &std::ops::Range<usize>, message: String| PackError::at(&self.file, span(range), message);

        for (name, value) in &self.raw.params {
            let declaring: Vec<&&RuleMeta> =
                rules.iter().filter(|r| r.params.iter().any(|p| &p.name == name)).collect();
            if declaring.is_empty() {
                return Err(at(&value.span(), format!("no loaded rule has a parameter `{name}`")));
            }
            for rule in declaring {
                let checked = typed(rule, name, value.get_ref()).map_err(|m| at(&value.span(), m))?;
                set_param(settings, rule, name, checked);
            }
        }

        let mut entries: Vec<(&String, &Spanned<RawRule>)> = self.raw.rules.iter().collect();
        entries.sort_by_key(|(pattern, _)| specificity(pattern));
        for (pattern, entry) in entries {
            let matched: Vec<&&RuleMeta> = rules.iter().filter(|r| r.id.matches(pattern)).collect();
            if matched.is_empty() {
                return Err(at(
                    &entry.span(),
                    format!("no loaded rule matches `{pattern}` (see `rampart rules`)"),
                ));
            }
            let raw = entry.get_ref();
            let severity = match &raw.severity {
                Some(s) => Some(s.get_ref().parse::<Severity>().map_err(|m| at(&s.span(), m))?),
                None => None,
            };
            for (name, value) in &raw.params {
                if !matched.iter().any(|r| r.params.iter().any(|p| &p.name == name)) {
                    return Err(at(
                        &value.span(),
                        format!("no rule matching `{pattern}` has a parameter `{name}`"),
                    ));
                }
            }
            for rule in matched {
                let mut params = Vec::new();
                for (name, value) in &raw.params {
                    if rule.params.iter().any(|p| &p.name == name) {
                        params.push((
                            name,
                            typed(rule, name, value.get_ref()).map_err(|m| at(&value.span(), m))?,
                        ));
                    }
                }
                for (name, value) in params {
                    set_param(settings, rule, name, value);
                }
                let current = settings.entry(rule.id.clone()).or_insert_with(|| RuleSettings::defaults(rule));
                if let Some(enabled) = raw.enabled {
                    current.enabled = enabled;
                }
                if severity.is_some() {
                    current.severity = severity;
                }
            }
        }

        for (id, control) in &self.raw.controls {
            for pattern in &control.get_ref().rules {
                if !rules.iter().any(|r| r.id.matches(pattern.get_ref())) {
                    return Err(at(
                        &pattern.span(),
                        format!("control {id}: no loaded rule matches `{}`", pattern.get_ref()),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `*` before `family/*` before exact ids, so the most specific entry wins.
fn specificity(pattern: &str) -> u8 {
    if pattern == "*" {
        0
    } else if pattern.ends_with("/*") {
        1
    } else {
        2
    }
}

fn set_param(settings: &mut HashMap<RuleId, RuleSettings>, rule: &RuleMeta, name: &str, value: ParamValue) {
    let current = settings.entry(rule.id.clone()).or_insert_with(|| RuleSettings::defaults(rule));
    match current.params.iter_mut().find(|(n, _)| n == name) {
        Some((_, v)) => *v = value,
        None => current.params.push((name.to_owned(), value)),
    }
}

/// A TOML value as the parameter's declared type, or why it is not one.
fn typed(rule: &RuleMeta, name: &str, value: &toml::Value) -> Result<ParamValue, String> {
    let spec: &ParamSpec = rule
        .params
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| format!("rule {} has no parameter `{name}`", rule.id))?;
    let converted = match (&spec.default, value) {
        (ParamValue::Text(_), toml::Value::String(s)) => Some(ParamValue::Text(s.clone())),
        (ParamValue::Integer(_), toml::Value::Integer(i)) => Some(ParamValue::Integer(*i)),
        (ParamValue::Float(_), toml::Value::Float(f)) => Some(ParamValue::Float(*f)),
        #[allow(clippy::cast_precision_loss)]
        (ParamValue::Float(_), toml::Value::Integer(i)) => Some(ParamValue::Float(*i as f64)),
        (ParamValue::Bool(_), toml::Value::Boolean(b)) => Some(ParamValue::Bool(*b)),
        (ParamValue::Texts(_), toml::Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(ParamValue::Texts),
        _ => None,
    };
    converted.ok_or_else(|| {
        format!(
            "parameter `{name}` of rule {} takes {}, not {} (default: {})",
            rule.id,
            type_name(&spec.default),
            toml_type_name(value),
            Shown(&spec.default)
        )
    })
}

fn type_name(value: &ParamValue) -> &'static str {
    match value {
        ParamValue::Text(_) => "a string",
        ParamValue::Integer(_) => "an integer",
        ParamValue::Float(_) => "a number",
        ParamValue::Bool(_) => "a boolean",
        ParamValue::Texts(_) => "a list of strings",
    }
}

fn toml_type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(items) if items.iter().all(toml::Value::is_str) => "a list of strings",
        toml::Value::Array(_) => "a list with an item that is not a string",
        toml::Value::Table(_) => "a table",
    }
}

/// A parameter value as a pack would write it.
pub struct Shown<'a>(pub &'a ParamValue);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ParamValue::Text(t) => write!(f, "{t:?}"),
            ParamValue::Integer(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x:?}"),
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Texts(ts) => {
                let items: Vec<String> = ts.iter().map(|t| format!("{t:?}")).collect();
                write!(f, "[{}]", items.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests;
