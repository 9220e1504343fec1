//! The rampart plugin SDK.
//!
//! A plugin is a set of [`Rule`]s, each declared once with its metadata and a check function,
//! exported with [`plugin!`]. A check function walks the [`Document`] through [`Node`]s (no
//! indices, no ABI) and reports findings through the [`Context`]:
//!
//! ```no_run
//! use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};
//!
//! pub const RULE: Rule = Rule {
//!     id: "hygiene/no-latest-tag",
//!     title: "Base images are pinned",
//!     severity: Severity::Low,
//!     formats: &[Format::Dockerfile],
//!     rationale: "An unpinned image changes under you.",
//!     remediation: "Pin a tag or, better, a digest: `FROM alpine:3.20`.",
//!     references: &[],
//!     params: &[],
//!     check,
//! };
//!
//! fn check(doc: &Document, cx: &mut Context) {
//!     for stage in doc.root().get("stages").iter().flat_map(|s| s.children()) {
//!         if let Some(from) = stage.get("from") {
//!             if from.get("tag").and_then(|t| t.str()) == Some("latest") {
//!                 cx.report(from, "`latest` is not a version");
//!             }
//!         }
//!     }
//! }
//!
//! rampart_plugin_sdk::plugin!(description: "Example rules", rules: [RULE]);
//! ```

pub mod compose;
pub mod dockerfile;
mod document;
pub mod env;
pub mod kubernetes;
mod rule;
pub mod terraform;
#[cfg(test)]
mod test_doc;
pub mod text;

pub use document::{Document, Kind, Node, Value};
pub use rule::{Context, Param, ParamDefault, Report, Rule, mask};

/// The generated bindings of the contract (`wit/rampart-plugin.wit` in this crate). Plugin authors do not
/// need them; they are public for [`plugin!`].
#[doc(hidden)]
#[allow(clippy::all, clippy::pedantic)] // generated code
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin",
        default_bindings_module: "rampart_plugin_sdk::bindings",
    });
}

pub use bindings::rampart::plugin::types::{Format, Severity};

/// The contract version this SDK builds plugins against.
pub const CONTRACT_VERSION: &str = "0.3.0";

/// Exports a plugin: its description and its rules. The plugin's name and version are the
/// crate's.
#[macro_export]
macro_rules! plugin {
    (description: $description:expr, rules: [$($rule:path),* $(,)?] $(,)?) => {
        struct __RampartPlugin;

        static __RAMPART_RULES: &[&$crate::Rule] = &[$(&$rule),*];

        impl $crate::bindings::exports::rampart::plugin::guest::Guest for __RampartPlugin {
            fn info() -> $crate::bindings::rampart::plugin::types::PluginInfo {
                $crate::__private::info(
                    env!("CARGO_PKG_NAME"),
                    env!("CARGO_PKG_VERSION"),
                    $description,
                )
            }

            fn rules() -> ::std::vec::Vec<$crate::bindings::rampart::plugin::types::Rule> {
                $crate::__private::rules(__RAMPART_RULES)
            }

            fn check(
                doc: $crate::bindings::rampart::plugin::types::Document,
                params: ::std::vec::Vec<$crate::bindings::rampart::plugin::types::Param>,
            ) -> ::std::result::Result<
                ::std::vec::Vec<$crate::bindings::rampart::plugin::types::Finding>,
                ::std::string::String,
            > {
                $crate::__private::check(__RAMPART_RULES, doc, params)
            }
        }

        $crate::bindings::__export_plugin!(__RampartPlugin with_types_in $crate::bindings);
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::rule::{check, info, rules};
}
