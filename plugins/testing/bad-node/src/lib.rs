//! Test plugin: answers with a finding about a node the document does not have (and with a
//! finding of a rule it never declared). Written against the raw bindings, as a plugin in
//! another language would be, since the SDK cannot produce such findings.
#![allow(clippy::pedantic)]

use rampart_plugin_sdk::bindings::exports::rampart::plugin::guest::Guest;
use rampart_plugin_sdk::bindings::rampart::plugin::types::{
    Document, Finding, Format, Param, PluginInfo, Rule, Severity,
};

struct BadNode;

const ID: &str = "hygiene/test-bad-node";

impl Guest for BadNode {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "bad-node".into(),
            version: "0.1.0".into(),
            description: "malformed results".into(),
        }
    }

    fn rules() -> Vec<Rule> {
        vec![Rule {
            id: ID.into(),
            title: "points at a node outside the document".into(),
            severity: Severity::High,
            formats: vec![Format::Dockerfile],
            rationale: "Exercises the sandbox.".into(),
            remediation: "None: this plugin misbehaves on purpose.".into(),
            references: vec![],
            params: vec![],
        }]
    }

    fn check(doc: Document, _params: Vec<Param>) -> Result<Vec<Finding>, String> {
        let finding = |rule: &str, node: u32, message: &str| Finding {
            rule: rule.into(),
            message: message.into(),
            node,
            severity: None,
            related: vec![],
            secret: false,
            part: None,
        };
        Ok(vec![
            finding(ID, 0, "a well-formed finding"),
            finding(
                ID,
                (doc.nodes.len() / 8) as u32 + 4_000_000,
                "a finding about a node that does not exist",
            ),
            finding("hygiene/never-declared", 0, "a finding of an undeclared rule"),
        ])
    }
}

rampart_plugin_sdk::bindings::__export_plugin!(BadNode with_types_in rampart_plugin_sdk::bindings);
