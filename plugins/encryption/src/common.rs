//! Small readers shared by the rules of this plugin (candidates for the SDK).

use rampart_plugin_sdk::terraform::Resource;
use rampart_plugin_sdk::{Kind, Node};

/// A boolean setting as written: what a rule judges an `encrypted`-style argument by.
#[derive(Clone, Copy, Debug)]
pub enum Flag<'a> {
    /// `true` or `"true"` (any case).
    True,
    /// `false` or `"false"`: the node to report at.
    False(Node<'a>),
    /// Not known before apply (or not a boolean at all): never a violation.
    Unknown,
    /// Not written, or `null` (which Terraform treats as not written): the provider's
    /// default applies.
    Absent,
}

/// Reads a boolean argument.
pub fn flag(node: Option<Node<'_>>) -> Flag<'_> {
    match node {
        None => Flag::Absent,
        Some(n) if n.kind() == Kind::Null => Flag::Absent,
        Some(n) => match n.to_bool() {
            Some(true) => Flag::True,
            Some(false) => Flag::False(n),
            None => Flag::Unknown,
        },
    }
}

/// Whether an argument is given a value: present, not `null` and not the empty string.
/// An unknown value counts as given (it will be something at apply time).
pub fn is_set(node: Option<Node<'_>>) -> bool {
    node.is_some_and(|n| match n.kind() {
        Kind::Null => false,
        Kind::String => !n.text().trim().is_empty(),
        _ => true,
    })
}

/// A string argument compared without regard to case: `Some(true)` when it is one of
/// `values`, `Some(false)` when it is a known other value, `None` when it is absent, null or
/// unknown.
pub fn text_is(node: Option<Node<'_>>, values: &[&str]) -> Option<bool> {
    let text = node?.str()?.trim();
    Some(values.iter().any(|v| text.eq_ignore_ascii_case(v)))
}

/// Whether any of these arguments is given a value (see [`is_set`]).
pub fn any_set(resource: Resource<'_>, names: &[&str]) -> bool {
    names.iter().any(|&name| is_set(resource.attr(name)))
}
