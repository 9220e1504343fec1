//! Test plugin: reports a finding at every node keyed `marker`, in every format, so
//! whole-process tests can check where findings point (and what the host adds to them, such
//! as where a Terraform value was set) without depending on a real rule's logic.

use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

const RULE: Rule = Rule {
    id: "hygiene/test-marker",
    title: "Marks every node keyed `marker`",
    severity: Severity::Low,
    formats: &[Format::Dockerfile, Format::Env, Format::Kubernetes, Format::Terraform, Format::Compose],
    rationale: "Exercises finding locations.",
    remediation: "None: a test plugin.",
    references: &[],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    visit(doc.root(), cx);
}

fn visit(node: Node<'_>, cx: &mut Context) {
    if node.key() == Some("marker") {
        cx.report(node, format!("marker: {}", node.text()));
    }
    for child in node.children() {
        visit(child, cx);
    }
}

rampart_plugin_sdk::plugin!(description: "Marks nodes for location tests.", rules: [RULE]);
