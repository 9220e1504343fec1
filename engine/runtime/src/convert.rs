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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{Format, SourceFile};

    /// The worked example of docs/plugin-contract.md ("A worked example"): this is exactly
    /// the arena a plugin receives for that file. If this test fails, update the page.
    #[test]
    fn the_documented_example_arena_is_what_a_plugin_receives() {
        let text =
            "apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: yes\n  containers:\n    - image: nginx\n";
        let file = Arc::new(SourceFile::new("pod.yaml", text));
        let doc = rampart_parse::parse(Format::Kubernetes, Arc::clone(&file)).unwrap();
        let wit = super::document(&doc);
        assert_eq!(wit.path, "pod.yaml");
        assert_eq!(
            wit.strings,
            "objectsapiVersionv1kindPodspechostNetworktruecontainersimagenginxdocument0\
             pod-specsobject0kindPodpathspecspechostNetworktruecontainersimagenginx"
        );
        #[rustfmt::skip]
        let table: [[u32; 8]; 21] = [
            // kind parent first count key.off key.len value.off value.len
            [0,  0,  1, 2,   0,  0,   0, 0], //  0 root
            [1,  0,  3, 1,   0,  7,   0, 0], //  1 objects
            [1,  0,  4, 1,  74,  9,   0, 0], //  2 pod-specs
            [0,  1,  5, 4,   0,  0,   0, 0], //  3 objects[0]
            [0,  2,  9, 4,   0,  0,   0, 0], //  4 pod-specs[0]
            [2,  3, 13, 0,   7, 10,  17, 2], //  5 apiVersion: v1
            [2,  3, 13, 0,  19,  4,  23, 3], //  6 kind: Pod
            [0,  3, 13, 2,  26,  4,   0, 0], //  7 spec
            [3,  3, 15, 0,  65,  8,  73, 1], //  8 document: 0
            [3,  4, 15, 0,  83,  6,  89, 1], //  9 object: 0
            [2,  4, 15, 0,  90,  4,  94, 3], // 10 kind: Pod
            [2,  4, 15, 0,  97,  4, 101, 4], // 11 path: spec
            [0,  4, 15, 2, 105,  4,   0, 0], // 12 spec
            [4,  7, 17, 0,  30, 11,  41, 4], // 13 hostNetwork: true
            [1,  7, 17, 1,  45, 10,   0, 0], // 14 containers
            [4, 12, 18, 0, 109, 11, 120, 4], // 15 hostNetwork: true
            [1, 12, 18, 1, 124, 10,   0, 0], // 16 containers
            [0, 14, 19, 1,   0,  0,   0, 0], // 17 containers[0]
            [0, 16, 20, 1,   0,  0,   0, 0], // 18 containers[0]
            [2, 17, 21, 0,  55,  5,  60, 5], // 19 image: nginx
            [2, 18, 21, 0, 134,  5, 139, 5], // 20 image: nginx
        ];
        assert_eq!(wit.nodes, table.concat());
        // Where a finding on each node points (spans stay on the host): line, column, end
        // line, end column.
        let located: Vec<[u32; 4]> = doc
            .nodes()
            .iter()
            .map(|n| file.location(n.span))
            .map(|l| [l.line, l.column, l.end_line, l.end_column])
            .collect();
        #[rustfmt::skip]
        let expected: [[u32; 4]; 21] = [
            [1, 1, 7, 1], [1, 1, 7, 1], [1, 1, 7, 1], [1, 1, 6, 19], [4, 3, 6, 19],
            [1, 13, 1, 15], [2, 7, 2, 10], [4, 3, 6, 19], [1, 1, 6, 19], [1, 1, 6, 19],
            [2, 7, 2, 10], [4, 3, 6, 19], [4, 3, 6, 19], [4, 16, 4, 19], [6, 5, 6, 19],
            [4, 16, 4, 19], [6, 5, 6, 19], [6, 7, 6, 19], [6, 7, 6, 19], [6, 14, 6, 19],
            [6, 14, 6, 19],
        ];
        assert_eq!(located, expected);
    }
}
