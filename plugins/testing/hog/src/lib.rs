//! Test plugin: allocates without bound
#![allow(clippy::pedantic)]

use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

const RULE: Rule = Rule {
    id: "hygiene/test-hog",
    title: "allocates without bound",
    severity: Severity::High,
    formats: &[Format::Dockerfile],
    rationale: "Exercises the sandbox.",
    remediation: "None: this plugin misbehaves on purpose.",
    references: &[],
    params: &[],
    check,
};

rampart_plugin_sdk::plugin!(description: "allocates without bound", rules: [RULE]);

fn check(doc: &Document, cx: &mut Context) {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![1; 1 << 20]);
        std::hint::black_box(&hoard);
        if hoard.len() == usize::MAX {
            cx.report(doc.root(), "unreachable");
        }
    }
}
