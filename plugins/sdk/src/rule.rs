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
        });
        let finding = self.findings.last_mut().expect("just pushed");
        Report { finding }
    }

    fn param(&self, name: &str) -> Option<wit::ParamValue> {
        if let Some(p) = self.params.iter().find(|p| p.name == name) {
            return Some(p.value.clone());
        }
        self.rule.params.iter().find(|p| p.name == name).map(|p| p.default.to_wit())
    }

    /// A text parameter: the pack's value, else the rule's default.
    pub fn param_text(&self, name: &str) -> Option<String> {
        match self.param(name)? {
            wit::ParamValue::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn param_i64(&self, name: &str) -> Option<i64> {
        match self.param(name)? {
            wit::ParamValue::Integer(i) => Some(i),
            _ => None,
        }
    }

    pub fn param_f64(&self, name: &str) -> Option<f64> {
        match self.param(name)? {
            wit::ParamValue::Float(f) => Some(f),
            #[allow(clippy::cast_precision_loss)]
            wit::ParamValue::Integer(i) => Some(i as f64),
            _ => None,
        }
    }

    pub fn param_bool(&self, name: &str) -> Option<bool> {
        match self.param(name)? {
            wit::ParamValue::Boolean(b) => Some(b),
            _ => None,
        }
    }

    pub fn param_texts(&self, name: &str) -> Option<Vec<String>> {
        match self.param(name)? {
            wit::ParamValue::Texts(ts) => Some(ts),
            _ => None,
        }
    }
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
    let mut cx =
        Context { rule: rules.first().ok_or("the plugin declares no rules")?, params, findings: Vec::new() };
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
