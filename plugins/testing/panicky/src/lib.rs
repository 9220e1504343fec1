//! Test plugin: panics
#![allow(clippy::pedantic)]

use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

const RULE: Rule = Rule {
    id: "hygiene/test-panic",
    title: "panics",
    severity: Severity::High,
    formats: &[Format::Dockerfile],
    rationale: "Exercises the sandbox.",
    remediation: "None: this plugin misbehaves on purpose.",
    references: &[],
    params: &[],
    check,
};

rampart_plugin_sdk::plugin!(description: "panics", rules: [RULE]);

fn check(doc: &Document, cx: &mut Context) {
    let stages = doc.root().len();
    if stages < usize::MAX {
        panic!("the hostile plugin gave up on {}", doc.path());
    }
    cx.report(doc.root(), "unreachable");
}
