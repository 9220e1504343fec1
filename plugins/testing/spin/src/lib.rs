//! Test plugin: loops forever
#![allow(clippy::pedantic)]

use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

const RULE: Rule = Rule {
    id: "hygiene/test-spin",
    title: "loops forever",
    severity: Severity::High,
    formats: &[Format::Dockerfile],
    rationale: "Exercises the sandbox.",
    remediation: "None: this plugin misbehaves on purpose.",
    references: &[],
    params: &[],
    check,
};

rampart_plugin_sdk::plugin!(description: "loops forever", rules: [RULE]);

fn check(doc: &Document, cx: &mut Context) {
    let mut n: u64 = 0;
    while doc.root().len() < usize::MAX {
        n = n.wrapping_add(1);
        std::hint::black_box(n);
    }
    cx.report(doc.root(), "unreachable");
}
