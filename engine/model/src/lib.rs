//! rampart's document model.
//!
//! Every parser produces a [`Document`]: a tree of [`Node`]s stored as a flat arena, every
//! node carrying the byte [`Span`] of its source text. Plugins receive the same arena (minus
//! the spans) across the WebAssembly boundary and answer with findings that name a node; the
//! host maps the node back to a [`Location`]. This crate has no I/O and no dependencies on the
//! parsers, the runtime or the reporters.

mod date;
mod document;
mod finding;
mod rule;
mod source;

pub use date::Date;
pub use document::{Document, DocumentBuilder, Node, NodeId, NodeKind, NodeRef, Origin, TextRef};
pub use finding::{
    ErrorKind, Finding, Notice, Related, SECRET_SHOWN_CHARS, ScanError, ScannedFile, Suppression,
    SuppressionKind, fingerprint_all, mask_secrets,
};
pub use rule::{
    ENGINE_FAMILY, Format, ParamSpec, ParamValue, PluginInfo, RuleId, RuleIdError, RuleMeta, RuleSettings,
    Severity,
};
pub use source::{Location, SourceFile, Span};
