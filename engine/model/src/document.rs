//! The document tree as a flat arena.
//!
//! Nodes are stored breadth-first, so the children of a node are one contiguous range; all
//! keys and scalar values live in one string blob. This is exactly the layout that crosses
//! the plugin boundary (see `plugins/sdk/wit/rampart-plugin.wit`), so handing a document to a plugin is a
//! copy, not a re-encoding.

use std::sync::Arc;

use crate::{Format, SourceFile, Span};

/// Index of a node in its document's arena.
pub type NodeId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Map,
    List,
    String,
    Number,
    Bool,
    Null,
    /// A value that cannot be known statically. Its text says what it depends on.
    Unknown,
}

impl NodeKind {
    pub fn is_scalar(self) -> bool {
        !matches!(self, NodeKind::Map | NodeKind::List)
    }
}

/// A byte range in the document's string blob.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TextRef {
    pub offset: u32,
    pub len: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    pub parent: NodeId,
    pub first_child: NodeId,
    pub child_count: u32,
    pub key: TextRef,
    pub value: TextRef,
    /// Which of the document's files the node comes from.
    pub file: u32,
    /// The source text of the value.
    pub span: Span,
    /// The source text of the key, for map entries that have one in the source.
    pub key_span: Option<Span>,
}

/// A parsed document: one file, or for Terraform one module directory.
#[derive(Debug)]
pub struct Document {
    pub format: Format,
    /// The files the document was read from; `Node::file` indexes this.
    pub files: Vec<Arc<SourceFile>>,
    nodes: Vec<Node>,
    strings: String,
    /// Where values written elsewhere came from, sorted by node.
    origins: Vec<(NodeId, Origin)>,
}

/// Where a node's value was written when that is not where the node is: a Terraform
/// attribute set from a variable points at the variable's default or its `.tfvars` line.
/// The engine shows it next to any finding on the node, so a user sees both places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Which of the document's files.
    pub file: u32,
    pub span: Span,
    /// What the place is, e.g. "var.retention_days is set here (terraform.tfvars)".
    pub message: String,
}

impl Document {
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn strings(&self) -> &str {
        &self.strings
    }

    pub fn text(&self, text: TextRef) -> &str {
        &self.strings[text.offset as usize..(text.offset + text.len) as usize]
    }

    /// The path to show for the document as a whole: its first file.
    pub fn path(&self) -> &str {
        self.files.first().map_or("", |f| f.path.as_str())
    }

    pub fn root(&self) -> NodeRef<'_> {
        NodeRef { doc: self, id: 0 }
    }

    pub fn get(&self, id: NodeId) -> Option<NodeRef<'_>> {
        ((id as usize) < self.nodes.len()).then_some(NodeRef { doc: self, id })
    }

    /// Where the value of node `id` was written, when that is elsewhere.
    pub fn origin(&self, id: NodeId) -> Option<&Origin> {
        let found = self.origins.binary_search_by_key(&id, |(node, _)| *node).ok()?;
        self.origins.get(found).map(|(_, origin)| origin)
    }
}

/// A node together with its document, for navigation on the host side (tests, reporters).
#[derive(Clone, Copy, Debug)]
pub struct NodeRef<'a> {
    doc: &'a Document,
    id: NodeId,
}

impl<'a> NodeRef<'a> {
    pub fn id(self) -> NodeId {
        self.id
    }

    pub fn node(self) -> &'a Node {
        &self.doc.nodes[self.id as usize]
    }

    pub fn kind(self) -> NodeKind {
        self.node().kind
    }

    pub fn span(self) -> Span {
        self.node().span
    }

    pub fn key(self) -> &'a str {
        self.doc.text(self.node().key)
    }

    /// The scalar text (see [`NodeKind`] for what it means per kind).
    pub fn value(self) -> &'a str {
        self.doc.text(self.node().value)
    }

    /// The value, if this is a string node.
    pub fn as_str(self) -> Option<&'a str> {
        (self.kind() == NodeKind::String).then(|| self.value())
    }

    pub fn children(self) -> impl ExactSizeIterator<Item = NodeRef<'a>> + 'a {
        let node = self.node();
        let doc = self.doc;
        (node.first_child..node.first_child + node.child_count).map(move |id| NodeRef { doc, id })
    }

    /// The entry of a map with this key.
    pub fn get(self, key: &str) -> Option<NodeRef<'a>> {
        if self.kind() != NodeKind::Map {
            return None;
        }
        self.children().find(|c| c.key() == key)
    }

    /// Where the node's value was written, when that is elsewhere (see [`Origin`]).
    pub fn origin(self) -> Option<&'a Origin> {
        self.doc.origin(self.id)
    }

    pub fn parent(self) -> Option<NodeRef<'a>> {
        (self.id != 0).then(|| NodeRef { doc: self.doc, id: self.node().parent })
    }
}

/// Builds a [`Document`] in creation order and lays it out breadth-first on `finish`.
///
/// Ids returned while building are only valid for further building calls.
#[derive(Debug)]
pub struct DocumentBuilder {
    format: Format,
    files: Vec<Arc<SourceFile>>,
    nodes: Vec<Node>,
    strings: String,
    origins: Vec<(NodeId, Origin)>,
}

impl DocumentBuilder {
    /// Starts a document whose root is a map spanning `root_span` of file 0.
    pub fn new(format: Format, file: Arc<SourceFile>, root_span: Span) -> Self {
        let mut builder = Self {
            format,
            files: vec![file],
            nodes: Vec::new(),
            strings: String::new(),
            origins: Vec::new(),
        };
        builder.nodes.push(Node {
            kind: NodeKind::Map,
            parent: 0,
            first_child: 0,
            child_count: 0,
            key: TextRef::default(),
            value: TextRef::default(),
            file: 0,
            span: root_span,
            key_span: None,
        });
        builder
    }

    pub const ROOT: NodeId = 0;

    /// Adds a further source file (Terraform modules span several) and returns its index.
    pub fn add_file(&mut self, file: Arc<SourceFile>) -> u32 {
        self.files.push(file);
        self.files.len() as u32 - 1
    }

    fn intern(&mut self, text: &str) -> TextRef {
        if text.is_empty() {
            return TextRef::default();
        }
        let offset = self.strings.len() as u32;
        self.strings.push_str(text);
        TextRef { offset, len: text.len() as u32 }
    }

    /// Adds a node under `parent`. `key` is the entry key when `parent` is a map (empty for
    /// list items); `value` is the scalar text.
    pub fn push(
        &mut self,
        parent: NodeId,
        key: &str,
        key_span: Option<Span>,
        kind: NodeKind,
        value: &str,
        span: Span,
    ) -> NodeId {
        let key = self.intern(key);
        let value = self.intern(value);
        let file = self.nodes[parent as usize].file;
        self.nodes.push(Node {
            kind,
            parent,
            first_child: 0,
            child_count: 0,
            key,
            value,
            file,
            span,
            key_span,
        });
        self.nodes[parent as usize].child_count += 1;
        self.nodes.len() as u32 - 1
    }

    /// Rewrites the spans (and key spans and origins) of every node of file `file` but the
    /// root: for a file read through a rewrite of it (Terraform's JSON syntax).
    pub fn remap_spans(&mut self, file: u32, map: impl Fn(Span) -> Span) {
        for node in self.nodes.iter_mut().skip(1).filter(|n| n.file == file) {
            node.span = map(node.span);
            node.key_span = node.key_span.map(&map);
        }
        for (_, origin) in self.origins.iter_mut().filter(|(_, o)| o.file == file) {
            origin.span = map(origin.span);
        }
    }

    /// The document's file with this index.
    pub fn file(&self, index: u32) -> Option<&Arc<SourceFile>> {
        self.files.get(index as usize)
    }

    /// The file of a node created by `push`.
    pub fn file_of(&self, node: NodeId) -> u32 {
        self.nodes.get(node as usize).map_or(0, |n| n.file)
    }

    /// Sets the file of a node created by `push` (children inherit their parent's file).
    pub fn set_file(&mut self, node: NodeId, file: u32) {
        self.nodes[node as usize].file = file;
    }

    /// Records where the value of `node` was written (see [`Origin`]); the last call wins.
    pub fn set_origin(&mut self, node: NodeId, origin: Origin) {
        self.origins.push((node, origin));
    }

    pub fn map(&mut self, parent: NodeId, key: &str, span: Span) -> NodeId {
        self.push(parent, key, None, NodeKind::Map, "", span)
    }

    pub fn list(&mut self, parent: NodeId, key: &str, span: Span) -> NodeId {
        self.push(parent, key, None, NodeKind::List, "", span)
    }

    pub fn string(&mut self, parent: NodeId, key: &str, value: &str, span: Span) -> NodeId {
        self.push(parent, key, None, NodeKind::String, value, span)
    }

    pub fn number(&mut self, parent: NodeId, key: &str, literal: &str, span: Span) -> NodeId {
        self.push(parent, key, None, NodeKind::Number, literal, span)
    }

    pub fn boolean(&mut self, parent: NodeId, key: &str, value: bool, span: Span) -> NodeId {
        self.push(parent, key, None, NodeKind::Bool, if value { "true" } else { "false" }, span)
    }

    pub fn unknown(&mut self, parent: NodeId, key: &str, depends_on: &str, span: Span) -> NodeId {
        self.push(parent, key, None, NodeKind::Unknown, depends_on, span)
    }

    /// Lays the nodes out breadth-first (children contiguous, in creation order).
    pub fn finish(self) -> Document {
        let Self { format, files, nodes, strings, origins } = self;
        let count = nodes.len();
        // Children of each node, in creation order, via a counting sort on the parent.
        let mut starts = vec![0u32; count + 1];
        for node in &nodes[1..] {
            starts[node.parent as usize + 1] += 1;
        }
        for i in 0..count {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut children = vec![0u32; count.saturating_sub(1)];
        for (id, node) in nodes.iter().enumerate().skip(1) {
            let slot = &mut fill[node.parent as usize];
            children[*slot as usize] = id as u32;
            *slot += 1;
        }
        // Breadth-first order: old id -> new id.
        let mut order = Vec::with_capacity(count);
        let mut new_id = vec![0u32; count];
        order.push(0u32);
        let mut head = 0;
        while head < order.len() {
            let old = order[head] as usize;
            head += 1;
            for &child in &children[starts[old] as usize..starts[old + 1] as usize] {
                new_id[child as usize] = order.len() as u32;
                order.push(child);
            }
        }
        let mut laid_out: Vec<Node> = Vec::with_capacity(count);
        let mut next_child = 1u32;
        for &old in &order {
            let mut node = nodes[old as usize].clone();
            node.parent = new_id[node.parent as usize];
            node.first_child = next_child;
            next_child += node.child_count;
            laid_out.push(node);
        }
        let mut origins: Vec<(NodeId, Origin)> =
            origins.into_iter().rev().map(|(old, origin)| (new_id[old as usize], origin)).collect();
        // Stable: of several origins for one node, the last recorded (first after `rev`) stays.
        origins.sort_by_key(|(node, _)| *node);
        origins.dedup_by_key(|(node, _)| *node);
        Document { format, files, nodes: laid_out, strings, origins }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Arc<SourceFile> {
        Arc::new(SourceFile::new("x", "0123456789"))
    }

    #[test]
    fn children_are_contiguous_and_in_creation_order() {
        let mut b = DocumentBuilder::new(Format::Dockerfile, file(), Span::new(0, 10));
        let stages = b.list(DocumentBuilder::ROOT, "stages", Span::new(0, 10));
        let first = b.map(stages, "", Span::new(0, 5));
        b.string(DocumentBuilder::ROOT, "name", "n", Span::new(0, 1));
        b.string(first, "image", "alpine", Span::new(1, 2));
        let second = b.map(stages, "", Span::new(5, 10));
        b.boolean(second, "ok", true, Span::new(6, 7));
        let doc = b.finish();

        let root = doc.root();
        let keys: Vec<_> = root.children().map(NodeRef::key).collect();
        assert_eq!(keys, ["stages", "name"]);
        let stages = root.get("stages").unwrap();
        let items: Vec<_> = stages.children().collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].get("image").unwrap().as_str(), Some("alpine"));
        assert_eq!(items[1].get("ok").unwrap().value(), "true");
        assert_eq!(items[1].get("ok").unwrap().kind(), NodeKind::Bool);
        assert_eq!(items[1].parent().unwrap().id(), stages.id());
        assert_eq!(items[0].get("image").unwrap().span(), Span::new(1, 2));
        assert_eq!(doc.origin(items[1].get("ok").unwrap().id()), None);
        // Every non-root node is inside its parent's child range.
        for (id, node) in doc.nodes().iter().enumerate().skip(1) {
            let parent = &doc.nodes()[node.parent as usize];
            let range = parent.first_child..parent.first_child + parent.child_count;
            assert!(range.contains(&(id as u32)), "node {id} outside its parent's range");
        }
    }

    #[test]
    fn origins_follow_their_nodes_through_the_layout() {
        let mut b = DocumentBuilder::new(Format::Terraform, file(), Span::new(0, 10));
        let deep = b.map(DocumentBuilder::ROOT, "a", Span::new(0, 5));
        let value = b.number(deep, "days", "30", Span::new(1, 3));
        b.string(DocumentBuilder::ROOT, "b", "x", Span::new(6, 7));
        let origin = |message: &str| Origin { file: 0, span: Span::new(8, 10), message: message.to_owned() };
        b.set_origin(value, origin("first"));
        b.set_origin(value, origin("second"));
        let doc = b.finish();
        let days = doc.root().get("a").and_then(|a| a.get("days")).unwrap();
        // Creation order put `days` second; breadth-first puts it last.
        assert_eq!(days.id(), 3);
        assert_eq!(doc.origin(days.id()).map(|o| o.message.as_str()), Some("second"));
        assert_eq!(doc.origin(doc.root().get("b").unwrap().id()), None);
    }

    #[test]
    fn a_lone_root_has_no_children() {
        let doc = DocumentBuilder::new(Format::Env, file(), Span::new(0, 0)).finish();
        assert_eq!(doc.root().children().len(), 0);
        assert!(doc.get(1).is_none());
    }
}
