//! A read-only view of the document a plugin is handed.
//!
//! The host sends the document as a flat arena (see the WIT contract); [`Node`] hides the
//! indices so that a rule reads like a walk over a tree.

use crate::Format;
use crate::bindings::rampart::plugin::types as wit;

/// The document being checked: one file, or for Terraform one module directory.
pub struct Document {
    raw: wit::Document,
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Map,
    List,
    String,
    Number,
    Bool,
    Null,
    /// A value that cannot be known statically. Never report it as a violation.
    Unknown,
}

/// A node's value, for `match`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Map,
    List,
    String(&'a str),
    /// The literal as written, and its value when it parses as a number.
    Number(&'a str, Option<f64>),
    Bool(bool),
    Null,
    /// What the value depends on, e.g. "ARG USERNAME has no default value".
    Unknown(&'a str),
}

impl Document {
    pub(crate) fn new(raw: wit::Document) -> Self {
        Self { raw }
    }

    pub fn format(&self) -> Format {
        self.raw.format
    }

    /// The path as the user would type it.
    pub fn path(&self) -> &str {
        &self.raw.path
    }

    pub fn root(&self) -> Node<'_> {
        Node { doc: self, id: 0 }
    }

    pub(crate) fn len(&self) -> u32 {
        u32::try_from(self.raw.nodes.len() / NODE_WORDS).unwrap_or(u32::MAX)
    }

    /// `len` bytes of `strings` from `offset`; empty when out of range (never from the host).
    fn text(&self, offset: u32, len: u32) -> &str {
        let start = offset as usize;
        self.raw.strings.get(start..start.saturating_add(len as usize)).unwrap_or("")
    }
}

/// Numbers per node in `Document::raw.nodes`; the contract's `document.nodes` says which.
const NODE_WORDS: usize = 8;

/// One node's numbers, named.
struct RawNode<'a>(&'a [u32; NODE_WORDS]);

impl RawNode<'_> {
    fn kind(&self) -> u32 {
        self.0[0]
    }
    fn parent(&self) -> u32 {
        self.0[1]
    }
    fn children(&self) -> (u32, u32) {
        (self.0[2], self.0[3])
    }
    fn key(&self) -> (u32, u32) {
        (self.0[4], self.0[5])
    }
    fn value(&self) -> (u32, u32) {
        (self.0[6], self.0[7])
    }
}

/// A node of the document. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    doc: &'a Document,
    id: u32,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({} {:?} {:?})", self.id, self.kind(), self.value())
    }
}

impl<'a> Node<'a> {
    pub(crate) fn id(self) -> u32 {
        self.id
    }

    /// Whether two nodes are the same node of the same document.
    pub fn is(self, other: Node<'_>) -> bool {
        self.id == other.id && std::ptr::eq(self.doc, other.doc)
    }

    fn raw(self) -> Option<RawNode<'a>> {
        let start = (self.id as usize).checked_mul(NODE_WORDS)?;
        let words = self.doc.raw.nodes.get(start..start.checked_add(NODE_WORDS)?)?;
        words.try_into().ok().map(RawNode)
    }

    pub fn kind(self) -> Kind {
        // Numbered as the contract's `node-kind`.
        match self.raw().map(|n| n.kind()) {
            Some(0) => Kind::Map,
            Some(1) => Kind::List,
            Some(2) => Kind::String,
            Some(3) => Kind::Number,
            Some(4) => Kind::Bool,
            Some(6) => Kind::Unknown,
            _ => Kind::Null,
        }
    }

    pub fn value(self) -> Value<'a> {
        let text = self.text();
        match self.kind() {
            Kind::Map => Value::Map,
            Kind::List => Value::List,
            Kind::String => Value::String(text),
            Kind::Number => Value::Number(text, text.parse().ok()),
            Kind::Bool => Value::Bool(text == "true"),
            Kind::Null => Value::Null,
            Kind::Unknown => Value::Unknown(text),
        }
    }

    /// The raw scalar text: a string's value, a number's literal, "true"/"false", or what
    /// an unknown value depends on. Empty for maps, lists and null.
    pub fn text(self) -> &'a str {
        self.raw().map_or("", |n| {
            let (offset, len) = n.value();
            self.doc.text(offset, len)
        })
    }

    /// The key of this entry when the parent is a map.
    pub fn key(self) -> Option<&'a str> {
        let parent = self.parent()?;
        (parent.kind() == Kind::Map).then(|| {
            self.raw().map_or("", |n| {
                let (offset, len) = n.key();
                self.doc.text(offset, len)
            })
        })
    }

    /// The value, if this is a string.
    pub fn str(self) -> Option<&'a str> {
        (self.kind() == Kind::String).then(|| self.text())
    }

    /// A string's value or a number's literal as written, for settings written either way
    /// (`user: 0` and `user: "0"`, `min_tls_version = 1.2`): `None` for bools, null, unknown
    /// values, maps and lists. Not trimmed.
    pub fn scalar(self) -> Option<&'a str> {
        matches!(self.kind(), Kind::String | Kind::Number).then(|| self.text())
    }

    pub fn as_bool(self) -> Option<bool> {
        (self.kind() == Kind::Bool).then(|| self.text() == "true")
    }

    pub fn as_f64(self) -> Option<f64> {
        (self.kind() == Kind::Number).then(|| self.text().parse().ok()).flatten()
    }

    pub fn as_i64(self) -> Option<i64> {
        (self.kind() == Kind::Number).then(|| self.text().parse().ok()).flatten()
    }

    pub fn is_unknown(self) -> bool {
        self.kind() == Kind::Unknown
    }

    /// A bool, or the string `"true"`/`"false"` (any case), as Terraform converts strings
    /// for boolean arguments and as Kubernetes annotations write them.
    pub fn to_bool(self) -> Option<bool> {
        match self.value() {
            Value::Bool(b) => Some(b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// A whole number, or a string holding one (`"7"`), as Terraform converts strings for
    /// number arguments.
    pub fn to_i64(self) -> Option<i64> {
        match self.value() {
            Value::Number(text, _) | Value::String(text) => {
                let text = text.trim();
                text.parse::<i64>().ok().or_else(|| {
                    // `7.0` is 7; `7.5` is not a whole number.
                    let f: f64 = text.parse().ok()?;
                    #[allow(clippy::cast_possible_truncation)]
                    (f.fract() == 0.0 && f.abs() < 9e15).then_some(f as i64)
                })
            }
            _ => None,
        }
    }

    /// The byte range of `part` within this node's [`text`](Self::text), when `part` is a
    /// slice of it (a word found in a RUN line, the password of a URL): what
    /// [`Report::part`](crate::Report::part) takes. `None` for text from anywhere else.
    pub fn range_of(self, part: &str) -> Option<std::ops::Range<usize>> {
        let text = self.text();
        let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
        let end = start.checked_add(part.len())?;
        (end <= text.len()).then_some(start..end)
    }

    /// The document this node belongs to.
    pub fn document(self) -> &'a Document {
        self.doc
    }

    /// The items of a list; nothing for anything else. Handy where a value should be a list
    /// but a malformed file may hold something else.
    pub fn items(self) -> impl Iterator<Item = Node<'a>> + 'a {
        let is_list = self.kind() == Kind::List;
        self.children().filter(move |_| is_list)
    }

    /// This node and all its descendants, depth first, in document order.
    pub fn descendants(self) -> impl Iterator<Item = Node<'a>> + 'a {
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            let node = stack.pop()?;
            stack.extend(node.children().rev());
            Some(node)
        })
    }

    pub fn parent(self) -> Option<Node<'a>> {
        let parent = self.raw()?.parent();
        (self.id != 0).then_some(Node { doc: self.doc, id: parent })
    }

    /// The children of a map (its entries' values) or of a list (its items), in order.
    pub fn children(self) -> impl ExactSizeIterator<Item = Node<'a>> + DoubleEndedIterator + 'a {
        let doc = self.doc;
        let (first, count) = self.raw().map_or((0, 0), |n| n.children());
        let end = first.saturating_add(count).min(doc.len());
        (first.min(end)..end).map(move |id| Node { doc, id })
    }

    /// A map's entries as `(key, value)` pairs.
    pub fn entries(self) -> impl Iterator<Item = (&'a str, Node<'a>)> + 'a {
        let is_map = self.kind() == Kind::Map;
        self.children().filter(move |_| is_map).map(|c| (c.key().unwrap_or(""), c))
    }

    /// The value of a map entry.
    pub fn get(self, key: &str) -> Option<Node<'a>> {
        if self.kind() != Kind::Map {
            return None;
        }
        // Compares bytes, without going through `key()` (which looks the parent up again and
        // checks character boundaries): rules call this for almost every node they visit.
        let strings = self.doc.raw.strings.as_bytes();
        self.children().find(|child| {
            child.raw().is_some_and(|n| {
                let (offset, len) = n.key();
                let start = offset as usize;
                strings.get(start..start.saturating_add(len as usize)).unwrap_or_default() == key.as_bytes()
            })
        })
    }

    /// Follows a path of map keys: `node.at(&["from", "image"])`.
    pub fn at(self, path: &[&str]) -> Option<Node<'a>> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A list's item by position.
    pub fn item(self, index: usize) -> Option<Node<'a>> {
        if self.kind() != Kind::List {
            return None;
        }
        self.children().nth(index)
    }

    /// The number of children.
    pub fn len(self) -> usize {
        self.children().len()
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use crate::Format;
    use crate::test_doc::{T, doc, list, map};

    #[test]
    fn scalars_are_strings_and_numbers_as_written() {
        let d = doc(
            Format::Compose,
            &map([
                ("s", T::Str(" 0 ")),
                ("n", T::Num("1.20")),
                ("b", T::Bool(true)),
                ("z", T::Null),
                ("u", T::Unknown("var.x")),
                ("l", list([T::Str("a")])),
            ]),
        );
        let root = d.root();
        let scalar = |key| root.get(key).and_then(super::Node::scalar);
        assert_eq!(scalar("s"), Some(" 0 "));
        assert_eq!(scalar("n"), Some("1.20"));
        for other in ["b", "z", "u", "l", "missing"] {
            assert_eq!(scalar(other), None, "{other}");
        }
    }

    #[test]
    fn the_test_tree_reads_back() {
        let d = doc(
            Format::Terraform,
            &map([("a", list([map([("b", T::Num("7"))]), T::Null])), ("c", T::Str("x"))]),
        );
        let root = d.root();
        assert_eq!(root.at(&["a"]).map(super::Node::len), Some(2));
        assert_eq!(
            root.get("a").and_then(|a| a.item(0)).and_then(|m| m.get("b")).and_then(super::Node::as_i64),
            Some(7)
        );
        assert_eq!(root.get("c").and_then(super::Node::str), Some("x"));
        assert_eq!(root.get("c").and_then(super::Node::key), Some("c"));
        assert!(root.get("c").and_then(super::Node::parent).is_some_and(|p| p.is(root)));
    }
}
