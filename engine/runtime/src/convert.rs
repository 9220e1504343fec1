//! Conversions between the model's types and the contract's generated types.

use rampart_model::{self as model, Document, NodeKind};

use crate::sandbox::rampart::plugin::types as wit;

/// The document as the contract lays it out: eight numbers per node (see `document.nodes`
/// in the WIT package).
pub(crate) fn document(doc: &Document) -> wit::Document {
    let mut nodes = Vec::with_capacity(doc.nodes().len() * 8);
    for n in doc.nodes() {
        let kind = match n.kind {
            NodeKind::Map => wit::NodeKind::Map,
            NodeKind::List => wit::NodeKind::List,
            NodeKind::String => wit::NodeKind::String,
            NodeKind::Number => wit::NodeKind::Number,
            NodeKind::Bool => wit::NodeKind::Boolean,
            NodeKind::Null => wit::NodeKind::Null,
            NodeKind::Unknown => wit::NodeKind::Unknown,
        };
        nodes.extend([
            kind as u32,
            n.parent,
            n.first_child,
            n.child_count,
            n.key.offset,
            n.key.len,
            n.value.offset,
            n.value.len,
        ]);
    }
    wit::Document {
        format: format_to_wit(doc.format),
        path: doc.path().to_owned(),
        nodes,
        strings: doc.strings().to_owned(),
    }
}

pub(crate) fn format_to_wit(format: model::Format) -> wit::Format {
    match format {
        model::Format::Dockerfile => wit::Format::Dockerfile,
        model::Format::Terraform => wit::Format::Terraform,
        model::Format::Kubernetes => wit::Format::Kubernetes,
        model::Format::Compose => wit::Format::Compose,
        model::Format::Env => wit::Format::Env,
    }
}

pub(crate) fn format_from_wit(format: wit::Format) -> model::Format {
    match format {
        wit::Format::Dockerfile => model::Format::Dockerfile,
        wit::Format::Terraform => model::Format::Terraform,
        wit::Format::Kubernetes => model::Format::Kubernetes,
        wit::Format::Compose => model::Format::Compose,
        wit::Format::Env => model::Format::Env,
    }
}

pub(crate) fn severity(severity: wit::Severity) -> model::Severity {
    match severity {
        wit::Severity::Info => model::Severity::Info,
        wit::Severity::Low => model::Severity::Low,
        wit::Severity::Medium => model::Severity::Medium,
        wit::Severity::High => model::Severity::High,
        wit::Severity::Critical => model::Severity::Critical,
    }
}

pub(crate) fn param_value_to_wit(value: &model::ParamValue) -> wit::ParamValue {
    match value {
        model::ParamValue::Text(t) => wit::ParamValue::Text(t.clone()),
        model::ParamValue::Integer(i) => wit::ParamValue::Integer(*i),
        model::ParamValue::Float(f) => wit::ParamValue::Float(*f),
        model::ParamValue::Bool(b) => wit::ParamValue::Boolean(*b),
        model::ParamValue::Texts(ts) => wit::ParamValue::Texts(ts.clone()),
    }
}

fn param_value_from_wit(value: wit::ParamValue) -> model::ParamValue {
    match value {
        wit::ParamValue::Text(t) => model::ParamValue::Text(t),
        wit::ParamValue::Integer(i) => model::ParamValue::Integer(i),
        wit::ParamValue::Float(f) => model::ParamValue::Float(f),
        wit::ParamValue::Boolean(b) => model::ParamValue::Bool(b),
        wit::ParamValue::Texts(ts) => model::ParamValue::Texts(ts),
    }
}

pub(crate) fn rule(rule: wit::Rule) -> Result<model::RuleMeta, model::RuleIdError> {
    Ok(model::RuleMeta {
        id: model::RuleId::parse(&rule.id)?,
        title: rule.title,
        severity: severity(rule.severity),
        formats: rule.formats.into_iter().map(format_from_wit).collect(),
        rationale: rule.rationale,
        remediation: rule.remediation,
        references: rule.references,
        params: rule
            .params
            .into_iter()
            .map(|p| model::ParamSpec {
                name: p.name,
                description: p.description,
                default: param_value_from_wit(p.default),
            })
            .collect(),
    })
}
