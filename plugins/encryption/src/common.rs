//! Small readers shared by the rules of this plugin. Boolean settings are read with the
//! SDK's `Setting` (`resource.setting(&["encrypted"]).boolean()`).

use rampart_plugin_sdk::terraform::Resource;
use rampart_plugin_sdk::{Kind, Node};

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
