//! Rules, their parameters, and the context a check reports through.

use std::sync::Once;

use crate::bindings::rampart::plugin::{host, types as wit};
use crate::{Document, Format, Node, Severity};

/// A rule, declared once with everything the host, the docs and the reports need.
pub struct Rule {
    /// `<family>/<name>`, e.g. `non-root/dockerfile-user`.
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub formats: &'static [Format],
    /// Why this matters.
    pub rationale: &'static str,
    /// What to write instead.
    pub remediation: &'static str,
    /// CIS, NIST 800-53, ... ids.
    pub references: &'static [&'static str],
    pub params: &'static [Param],
    pub check: fn(&Document, &mut Context),
}

/// A parameter a rule reads from the policy pack.
pub struct Param {
    pub name: &'static str,
    pub description: &'static str,
    pub default: ParamDefault,
}

/// A parameter's default value.
pub enum ParamDefault {
    Text(&'static str),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Texts(&'static [&'static str]),
}

impl ParamDefault {
    fn to_wit(&self) -> wit::ParamValue {
        match *self {
            ParamDefault::Text(t) => wit::ParamValue::Text(t.into()),
            ParamDefault::Integer(i) => wit::ParamValue::Integer(i),
            ParamDefault::Float(f) => wit::ParamValue::Float(f),
            ParamDefault::Bool(b) => wit::ParamValue::Boolean(b),
            ParamDefault::Texts(ts) => wit::ParamValue::Texts(ts.iter().map(|&t| t.into()).collect()),
        }
    }
}

/// What a check function reports through, and where it reads its parameters.
pub struct Context {
    rule: &'static Rule,
    params: Vec<wit::Param>,
    /// The declared defaults, for a host that sends no value: `(rule, name, value)`.
    defaults: Vec<(&'static str, &'static str, wit::ParamValue)>,
    findings: Vec<wit::Finding>,
}

/// A finding just reported; refine it with a severity or related locations.
pub struct Report<'c> {
    finding: &'c mut wit::Finding,
}

impl Report<'_> {
    /// Overrides the rule's default severity for this finding.
    pub fn severity(self, severity: Severity) -> Self {
        self.finding.severity = Some(severity);
        self
    }

    /// Marks the node's text as a secret: every output masks it (its first four characters
    /// at most are shown). Messages must not quote the secret either: see [`mask`].
    pub fn secret(self) -> Self {
        self.finding.secret = true;
        self
    }

    /// Narrows the finding to a byte range of the node's value (`-k` in `curl -fsSLk ...`,
    /// the password in a URL): the report points at exactly that part where the file holds
    /// the value verbatim, and at the whole node otherwise. A range outside the value, or
    /// not on character boundaries, is ignored.
    pub fn part(self, range: std::ops::Range<usize>) -> Self {
        let offset = u32::try_from(range.start).unwrap_or(u32::MAX);
        let len = u32::try_from(range.end.saturating_sub(range.start)).unwrap_or(0);
        self.finding.part = Some(wit::Text { offset, len });
        self
    }

    /// Adds a secondary location that explains the finding.
    pub fn related(self, node: Node<'_>, message: impl Into<String>) -> Self {
        self.finding.related.push(wit::Related { node: node.id(), message: message.into() });
        self
    }
}

impl Context {
    /// Reports a finding of the current rule at `node`.
    pub fn report(&mut self, node: Node<'_>, message: impl Into<String>) -> Report<'_> {
        self.findings.push(wit::Finding {
            rule: self.rule.id.into(),
            message: message.into(),
            node: node.id(),
            severity: None,
            related: Vec::new(),
            secret: false,
            part: None,
        });
        let finding = self.findings.last_mut().expect("just pushed");
        Report { finding }
    }

    /// The value in force: the host resolves every declared parameter from the policy
    /// packs (and sends the declared default when no pack sets it).
    fn param(&self, name: &str) -> Option<&wit::ParamValue> {
        let id = self.rule.id;
        let sent = self.params.iter().find(|p| p.rule == id && p.name == name).map(|p| &p.value);
        sent.or_else(|| {
            self.defaults.iter().find(|(rule, p, _)| *rule == id && *p == name).map(|(_, _, v)| v)
        })
    }

    /// A parameter the rule declares, typed. Reading one the rule does not declare, or
    /// with another type, is a bug in the plugin: it panics, and the host reports the
    /// plugin error with this message.
    fn typed<T>(&self, name: &str, kind: &str, read: impl FnOnce(&wit::ParamValue) -> Option<T>) -> T {
        self.param(name).and_then(read).unwrap_or_else(|| {
            panic!(
                "rule {} reads parameter `{name}` as {kind}, but declares no such {kind} parameter",
                self.rule.id
            )
        })
    }

    /// A text parameter (`min_tls = "1.2"`).
    pub fn param_text(&self, name: &str) -> String {
        self.typed(name, "text", |v| match v {
            wit::ParamValue::Text(t) => Some(t.clone()),
            _ => None,
        })
    }

    /// An integer parameter (`min_retention_days = 7`).
    pub fn param_i64(&self, name: &str) -> i64 {
        self.typed(name, "an integer", |v| match v {
            wit::ParamValue::Integer(i) => Some(*i),
            _ => None,
        })
    }

    /// A number parameter; integers are accepted.
    pub fn param_f64(&self, name: &str) -> f64 {
        self.typed(name, "a number", |v| match v {
            wit::ParamValue::Float(f) => Some(*f),
            #[allow(clippy::cast_precision_loss)]
            wit::ParamValue::Integer(i) => Some(*i as f64),
            _ => None,
        })
    }

    pub fn param_bool(&self, name: &str) -> bool {
        self.typed(name, "a boolean", |v| match v {
            wit::ParamValue::Boolean(b) => Some(*b),
            _ => None,
        })
    }

    /// A list-of-texts parameter (`database_ports = ["5432", "3306"]`).
    pub fn param_texts(&self, name: &str) -> Vec<String> {
        self.typed(name, "a list of texts", |v| match v {
            wit::ParamValue::Texts(ts) => Some(ts.clone()),
            _ => None,
        })
    }
}

/// A secret as it may appear in a message: its first four characters at most (fewer for
/// short values), then `…`. `mask("sk-live-abcdef")` is `sk-l…`.
pub fn mask(secret: &str) -> String {
    let shown = if secret.chars().count() >= 12 { 4 } else { secret.chars().count() / 3 };
    let mut masked: String = secret.chars().take(shown).collect();
    masked.push('…');
    masked
}

pub fn info(name: &str, version: &str, description: &str) -> wit::PluginInfo {
    wit::PluginInfo { name: name.into(), version: version.into(), description: description.into() }
}

pub fn rules(rules: &[&Rule]) -> Vec<wit::Rule> {
    rules
        .iter()
        .map(|r| wit::Rule {
            id: r.id.into(),
            title: r.title.into(),
            severity: r.severity,
            formats: r.formats.to_vec(),
            rationale: r.rationale.into(),
            remediation: r.remediation.into(),
            references: r.references.iter().map(|&s| s.into()).collect(),
            params: r
                .params
                .iter()
                .map(|p| wit::ParamSpec {
                    name: p.name.into(),
                    description: p.description.into(),
                    default: p.default.to_wit(),
                })
                .collect(),
        })
        .collect()
}

/// Runs every rule that applies to the document's format.
pub fn check(
    rules: &'static [&'static Rule],
    doc: wit::Document,
    params: Vec<wit::Param>,
) -> Result<Vec<wit::Finding>, String> {
    install_panic_hook();
    let doc = Document::new(doc);
    let defaults =
        rules.iter().flat_map(|r| r.params.iter().map(move |p| (r.id, p.name, p.default.to_wit()))).collect();
    let rule = rules.first().ok_or("the plugin declares no rules")?;
    let mut cx = Context { rule, params, defaults, findings: Vec::new() };
    for &rule in rules {
        if rule.formats.contains(&doc.format()) {
            cx.rule = rule;
            (rule.check)(&doc, &mut cx);
        }
    }
    Ok(cx.findings)
}

/// On wasm32-unknown-unknown a panic aborts with a bare trap; hand the message to the host
/// first so the engine error says what went wrong.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| host::panic_message(&info.to_string())));
    });
}
