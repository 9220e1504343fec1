//! Test plugin: returns 100,000 findings
#![allow(clippy::pedantic)]

use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

const RULE: Rule = Rule {
    id: "hygiene/test-flood",
    title: "returns 100,000 findings",
    severity: Severity::High,
    formats: &[Format::Dockerfile],
    rationale: "Exercises the sandbox.",
    remediation: "None: this plugin misbehaves on purpose.",
    references: &[],
    params: &[],
    check,
};

rampart_plugin_sdk::plugin!(description: "returns 100,000 findings", rules: [RULE]);

fn check(doc: &Document, cx: &mut Context) {
    for i in 0..100_000 {
        cx.report(doc.root(), format!("finding {i}"));
    }
}
