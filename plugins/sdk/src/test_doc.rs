//! Documents for the SDK's own unit tests: a tree written as a value, laid out as the host
//! lays out the arena (breadth-first, children contiguous), so that the navigation helpers
//! can be tested on the host without a parser.

use crate::bindings::rampart::plugin::types as wit;
use crate::{Document, Format};

/// A node of a test tree.
pub(crate) enum T {
    Map(Vec<(&'static str, T)>),
    List(Vec<T>),
    Str(&'static str),
    Num(&'static str),
    Bool(bool),
    Null,
    Unknown(&'static str),
}

/// A map of `(key, value)` entries.
pub(crate) fn map<const N: usize>(entries: [(&'static str, T); N]) -> T {
    T::Map(entries.into())
}

/// A list of items.
pub(crate) fn list<const N: usize>(items: [T; N]) -> T {
    T::List(items.into())
}

/// A document of `format` whose root is `root`.
pub(crate) fn doc(format: Format, root: &T) -> Document {
    let mut strings = String::new();
    let mut text = |s: &str| {
        let offset = u32::try_from(strings.len()).unwrap();
        strings.push_str(s);
        [offset, u32::try_from(s.len()).unwrap()]
    };
    // Breadth-first: node `i`'s children are appended when `i` is laid out, so they are
    // contiguous and come after every node laid out before them.
    let mut tree: Vec<(&T, &str, u32)> = vec![(root, "", 0)];
    let mut nodes = Vec::new();
    let mut i = 0;
    while i < tree.len() {
        let (node, key, parent) = tree[i];
        let id = u32::try_from(i).unwrap();
        let first_child = u32::try_from(tree.len()).unwrap();
        let (kind, value) = match node {
            T::Map(entries) => {
                tree.extend(entries.iter().map(|(k, v)| (v, *k, id)));
                (wit::NodeKind::Map, "")
            }
            T::List(items) => {
                tree.extend(items.iter().map(|v| (v, "", id)));
                (wit::NodeKind::List, "")
            }
            T::Str(s) => (wit::NodeKind::String, *s),
            T::Num(n) => (wit::NodeKind::Number, *n),
            T::Bool(b) => (wit::NodeKind::Boolean, if *b { "true" } else { "false" }),
            T::Null => (wit::NodeKind::Null, ""),
            T::Unknown(why) => (wit::NodeKind::Unknown, *why),
        };
        let child_count = u32::try_from(tree.len()).unwrap() - first_child;
        let ([key_offset, key_len], [value_offset, value_len]) = (text(key), text(value));
        nodes.extend([
            kind as u32,
            parent,
            first_child,
            child_count,
            key_offset,
            key_len,
            value_offset,
            value_len,
        ]);
        i += 1;
    }
    Document::new(wit::Document { format, path: "test".into(), nodes, strings })
}
