//! A generic YAML reader: a (possibly multi-document) YAML stream in, one owned tree per
//! document out, every node with its byte span. Format parsers built on YAML (Kubernetes,
//! Docker Compose) read with [`read`] and lay out their own document shape, copying subtrees
//! into a [`DocumentBuilder`] with [`write`].
//!
//! Events come from `granit-parser`; this module types the scalars (YAML 1.2 core schema, and
//! optionally YAML 1.1 booleans), expands aliases and merge keys and enforces the limits that
//! make hostile input cheap to reject: a node budget for alias expansion, a nesting limit and
//! duplicate keys as errors.

mod template;

use std::collections::{HashMap, HashSet};

use granit_parser::{Event, Parser, ScalarStyle, ScanError, Tag};
use rampart_model::{DocumentBuilder, NodeId, NodeKind, SourceFile, Span};

use crate::ParseError;

pub use template::template_action;

/// Deepest nesting of collections a document may have, aliases expanded.
pub const MAX_DEPTH: usize = 512;

/// The least node budget for alias expansion; the budget grows with the stream (see
/// [`read`]).
pub const MIN_NODE_BUDGET: usize = 100_000;

/// How many nodes per parser event the alias expansion may create at most.
pub const NODES_PER_EVENT: usize = 20;

/// How to type plain scalars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Also read YAML 1.1 booleans (`yes`, `no`, `on`, `off`, `y`, `n` and their `Yes`/`YES`
    /// variants) as booleans, as go-yaml v2 does and therefore Kubernetes (sigs.k8s.io/yaml):
    /// `privileged: yes` is true there.
    pub yaml11_booleans: bool,
}

/// One node of a YAML tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Yaml {
    pub value: Value,
    /// The node's source text: a scalar as written (quotes included; a block scalar's content
    /// lines without the header and the final line break); a flow collection from its opening
    /// to its closing bracket; a block collection from its first to the end of its last entry.
    /// An empty scalar (`key:`) has an empty span where its value would be. Nodes copied from
    /// an alias keep the spans of the anchored node.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// An int or a float, as written (`0x1F`, `1e3`, `.inf`).
    Number(String),
    String(String),
    List(Vec<Yaml>),
    /// Entries in source order, merge keys applied (see [`read`]).
    Map(Vec<Entry>),
}

/// A mapping entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key's scalar text: unquoted and unescaped, and for plain scalars exactly as written
    /// (`1`, `true`, `~` stay as such).
    pub key: String,
    /// The key as written, quotes included.
    pub key_span: Span,
    pub value: Yaml,
}

/// One document of a YAML stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlDocument {
    /// 0-based position in the stream.
    pub index: usize,
    /// An empty document (`---` alone, or only comments) is a [`Value::Null`] with an empty
    /// span.
    pub root: Yaml,
    /// From the `---` (or the document's first content) to the `...` (or its last content).
    pub span: Span,
}

impl Yaml {
    /// The value of a mapping entry.
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        self.entry(key).map(|e| &e.value)
    }

    /// A mapping entry.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// The value at a dot path of map keys (`spec.template.spec`).
    pub fn path(&self, path: &str) -> Option<&Yaml> {
        path.split('.').try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Yaml]> {
        match &self.value {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.value == Value::Null
    }

    /// What the node is, for messages: `a mapping`, `a list`, `a string`...
    pub fn describe(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The number of nodes of the tree (map entries count once, with their value).
    pub fn node_count(&self) -> usize {
        1 + match &self.value {
            Value::List(items) => items.iter().map(Yaml::node_count).sum(),
            Value::Map(entries) => entries.iter().map(|e| e.value.node_count()).sum(),
            _ => 0,
        }
    }
}

/// Reads every document of a YAML stream.
///
/// - Scalars: quoted and block scalars are strings; plain scalars are typed by the YAML 1.2
///   core schema (null: `~`, `null`, `Null`, `NULL`, empty; bool: `true`, `True`, `TRUE`,
///   `false`, `False`, `FALSE`; ints, `0o` and `0x` ints, floats, `.inf` and `.nan`: numbers,
///   as written), plus the YAML 1.1 booleans with [`Options::yaml11_booleans`]. The core tags
///   `!!str`, `!!int`, `!!float`, `!!bool` and `!!null` force a type (a value that does not
///   fit is an error); other tags are ignored, which makes tagged scalars strings.
/// - Aliases are replaced by a copy of the anchored node. Merge keys (`<<: *base`,
///   `<<: [*a, *b]`, or inline maps) insert the merged entries at the `<<` key; keys written
///   in the map win over merged ones, and earlier merged maps win over later ones.
/// - Errors: YAML syntax errors (at the scanner's position), duplicate keys, collections as
///   keys, merges of anything but maps, nesting deeper than [`MAX_DEPTH`], and alias
///   expansion creating more than `max(MIN_NODE_BUDGET, NODES_PER_EVENT × events)` nodes.
/// - A file with Go template actions (a Helm chart template) is not read: see
///   [`template_action`].
pub fn read(file: &SourceFile, options: Options) -> Result<Vec<YamlDocument>, ParseError> {
    let text: &str = &file.text;
    if let Some(action) = template_action(text) {
        return Err(ParseError::not_evaluated(
            span_of(text, action),
            "a Helm/Go template: rendered at deploy time, not evaluated by rampart",
        ));
    }
    let parser_options = granit_parser::options! {
        emit_comments: false,
        flow_nesting_limit: MAX_DEPTH,
        block_nesting_limit: MAX_DEPTH,
    };
    let mut events = Vec::new();
    for event in Parser::new_from_str_with_options(text, parser_options) {
        let (event, span) = event.map_err(|e| scan_error(text, &e))?;
        let span = match span.byte_range() {
            Some(range) => span_of(text, range),
            None => Span::default(),
        };
        events.push((event, span));
    }
    let budget = MIN_NODE_BUDGET.max(events.len().saturating_mul(NODES_PER_EVENT));
    let mut reader = Reader {
        file,
        options,
        budget,
        used: 0,
        anchored: 0,
        anchors: HashMap::new(),
        stack: Vec::new(),
        root: None,
        documents: Vec::new(),
        document_start: 0,
    };
    for (event, span) in events {
        reader.event(event, span)?;
    }
    Ok(reader.documents)
}

/// Adds `node` under `parent` (with `key` when `parent` is a map, empty for a list) and
/// returns the new node's id. Map entries keep their key spans.
pub fn write(
    b: &mut DocumentBuilder,
    parent: NodeId,
    key: &str,
    key_span: Option<Span>,
    node: &Yaml,
) -> NodeId {
    let span = node.span;
    match &node.value {
        Value::Null => b.push(parent, key, key_span, NodeKind::Null, "", span),
        Value::Bool(v) => {
            b.push(parent, key, key_span, NodeKind::Bool, if *v { "true" } else { "false" }, span)
        }
        Value::Number(literal) => b.push(parent, key, key_span, NodeKind::Number, literal, span),
        Value::String(s) => b.push(parent, key, key_span, NodeKind::String, s, span),
        Value::List(items) => {
            let id = b.push(parent, key, key_span, NodeKind::List, "", span);
            for item in items {
                write(b, id, "", None, item);
            }
            id
        }
        Value::Map(entries) => {
            let id = b.push(parent, key, key_span, NodeKind::Map, "", span);
            write_entries(b, id, entries);
            id
        }
    }
}

/// Adds the entries of a mapping under the map node `parent`.
pub fn write_entries(b: &mut DocumentBuilder, parent: NodeId, entries: &[Entry]) {
    for entry in entries {
        write(b, parent, &entry.key, Some(entry.key_span), &entry.value);
    }
}

/// Input text quoted in a message, cut short: a key can be megabytes long.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or("")),
        None => text.to_owned(),
    }
}

/// A byte range as a span, clamped into the text and onto character boundaries, so that no
/// span handed out can make slicing the source panic.
fn span_of(text: &str, range: std::ops::Range<usize>) -> Span {
    let start = text.floor_char_boundary(range.start);
    let end = text.floor_char_boundary(range.end.max(start));
    Span::new(start as u32, end as u32)
}

/// The character at the scanner's position (empty at the end of the file).
fn scan_error(text: &str, error: &ScanError) -> ParseError {
    let mut start = text.floor_char_boundary(error.marker().byte_offset().unwrap_or(text.len()));
    let message = error.info();
    if message.contains("tab") {
        // The scanner reports where the token it was reading began (the scalar before an
        // indenting tab, or just after the tab); point at the tab itself, as PyYAML and go-yaml
        // do: the first one from the start of that line through the next line.
        let line_start = text.get(..start).and_then(|t| t.rfind('\n')).map_or(0, |n| n + 1);
        let after = text.get(start..).unwrap_or("");
        let window_end = after.match_indices('\n').nth(1).map_or(text.len(), |(k, _)| start + k);
        if let Some(tab) = text.get(line_start..window_end).and_then(|w| w.find('\t')) {
            start = line_start + tab;
        }
    }
    let line_start = text.get(..start).and_then(|t| t.rfind('\n')).map_or(0, |n| n + 1);
    let mut message = message;
    if let Some((open, bracket)) = unclosed_flow(&text[..line_start]) {
        // A `[` or `{` left open on an earlier line makes the scanner stumble later, on a `:`
        // it cannot place: blame the open bracket, at the first token after it, as PyYAML does.
        let (close, what) = if bracket == '[' { (']', "sequence") } else { ('}', "mapping") };
        let line = text[..open].matches('\n').count() + 1;
        let column = text[..open].rfind('\n').map_or(open, |n| open - n - 1) + 1;
        message = format!(
            "the flow {what} opened with `{bracket}` at line {line}, column {column} is not closed: \
             expected `,` or `{close}` here"
        );
        let indent = text[line_start..].len() - text[line_start..].trim_start_matches([' ', '\t']).len();
        start = line_start + indent;
    }
    let end = text.get(start..).and_then(|rest| rest.chars().next()).map_or(start, |c| start + c.len_utf8());
    let message = if message.is_empty() { "invalid YAML".to_owned() } else { message };
    ParseError::new(Span::new(start as u32, end as u32), message)
}

/// The innermost `[` or `{` still open at the end of `text` (whole lines), skipping quoted
/// scalars, comments and block scalars: a lexical look, for error messages only.
fn unclosed_flow(text: &str) -> Option<(usize, char)> {
    let mut open: Vec<(usize, char)> = Vec::new();
    // Lines indented deeper than this belong to a block scalar (`|` or `>`).
    let mut block_scalar: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_scalar {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        let content_end = template::scan_unquoted(line, |i, c| match c {
            '[' | '{' => open.push((start + i, c)),
            ']' | '}' => {
                open.pop();
            }
            _ => {}
        });
        if open.is_empty() && template::opens_block_scalar(&line[..content_end]) {
            block_scalar = Some(indent);
        }
    }
    open.last().copied()
}

struct Anchored {
    node: Yaml,
    /// The scalar text as written, for aliases used as keys.
    raw: Option<String>,
    size: usize,
    height: usize,
}

#[derive(Debug)]
struct Key {
    text: String,
    span: Span,
    merge: bool,
}

enum Item {
    Entry(Entry),
    Merge(Yaml),
}

enum Collection {
    List(Vec<Yaml>),
    Map { items: Vec<Item>, pending: Option<Key>, seen: HashMap<String, Span> },
}

struct Frame {
    collection: Collection,
    start: u32,
    /// The end of the closing bracket of a flow collection, or of the last child so far.
    end: u32,
    anchor: usize,
    /// The height of the tallest child so far (a scalar is 1).
    height: usize,
}

struct Reader<'a> {
    file: &'a SourceFile,
    options: Options,
    budget: usize,
    used: usize,
    /// Nodes held as copies of anchored nodes, bounded by the budget too: nested anchors
    /// would otherwise keep up to [`MAX_DEPTH`] copies of the same nodes.
    anchored: usize,
    anchors: HashMap<usize, Anchored>,
    stack: Vec<Frame>,
    root: Option<(Yaml, usize)>,
    documents: Vec<YamlDocument>,
    document_start: u32,
}

impl Reader<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ParseError> {
        match event {
            Event::DocumentStart(..) => {
                self.document_start = span.start;
                self.root = None;
            }
            Event::DocumentEnd => {
                let root = match self.root.take() {
                    Some((root, _)) => root,
                    None => Yaml { value: Value::Null, span: Span::new(span.start, span.start) },
                };
                let end = span.end.max(root.span.end);
                self.documents.push(YamlDocument {
                    index: self.documents.len(),
                    span: Span::new(self.document_start.min(root.span.start), end),
                    root,
                });
                // Anchors do not carry across documents.
                self.anchors.clear();
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.charge(1, span)?;
                let awaiting_key = matches!(
                    self.stack.last(),
                    Some(Frame { collection: Collection::Map { pending: None, .. }, .. })
                );
                let tag = tag.as_deref();
                let node = self.scalar(&value, style, tag, span)?;
                if anchor != 0 {
                    self.anchor(anchor, node.clone(), Some(value.to_string()), 1)?;
                }
                if awaiting_key {
                    let merge = (style == ScalarStyle::Plain && tag.is_none() && value == "<<")
                        || tag.is_some_and(|t| t.is_yaml_core_schema_tag("merge"));
                    self.key(Key { text: value.into_owned(), span, merge });
                } else {
                    self.complete(node, 1)?;
                }
            }
            Event::SequenceStart(_, anchor, _) => self.open(Collection::List(Vec::new()), anchor, span)?,
            Event::MappingStart(_, anchor, _) => {
                let map = Collection::Map { items: Vec::new(), pending: None, seen: HashMap::new() };
                self.open(map, anchor, span)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::Alias(id) => self.alias(id, span)?,
            Event::UnresolvedAlias(name) => {
                return Err(ParseError::new(span, format!("unknown anchor `{}`", shown(&name))));
            }
            _ => {}
        }
        Ok(())
    }

    fn charge(&mut self, nodes: usize, span: Span) -> Result<(), ParseError> {
        self.used = self.used.saturating_add(nodes);
        if self.used > self.budget {
            return Err(ParseError::new(
                span,
                format!("alias expansion exceeds {} nodes: a \"billion laughs\" document?", self.budget),
            ));
        }
        Ok(())
    }

    fn open(&mut self, collection: Collection, anchor: usize, span: Span) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError::new(span, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.charge(1, span)?;
        self.stack.push(Frame { collection, start: span.start, end: span.end, anchor, height: 0 });
        Ok(())
    }

    fn close(&mut self, span: Span) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let flow = !span.is_empty();
        let end = if flow { span.end.max(frame.end) } else { frame.end };
        let node_span = Span::new(frame.start, end.max(frame.start));
        let value = match frame.collection {
            Collection::List(items) => Value::List(items),
            Collection::Map { items, pending, seen } => {
                if let Some(key) = pending {
                    // Granit always pairs keys with values; kept as a null rather than lost.
                    let value = Yaml { value: Value::Null, span: Span::new(key.span.end, key.span.end) };
                    let mut items = items;
                    items.push(Item::Entry(Entry { key: key.text, key_span: key.span, value }));
                    Value::Map(merge(items, &seen))
                } else {
                    Value::Map(merge(items, &seen))
                }
            }
        };
        let node = Yaml { value, span: node_span };
        let height = frame.height + 1;
        if frame.anchor != 0 {
            self.anchor(frame.anchor, node.clone(), None, height)?;
        }
        self.complete(node, height)
    }

    fn anchor(
        &mut self,
        id: usize,
        node: Yaml,
        raw: Option<String>,
        height: usize,
    ) -> Result<(), ParseError> {
        let size = node.node_count();
        self.anchored = self.anchored.saturating_add(size);
        if self.anchored > self.budget {
            return Err(ParseError::new(
                node.span,
                format!("anchored nodes exceed {} nodes in all: a \"billion laughs\" document?", self.budget),
            ));
        }
        self.anchors.insert(id, Anchored { node, raw, size, height });
        Ok(())
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), ParseError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(ParseError::new(span, "alias to a node that contains it (a recursive alias)"));
        };
        let awaiting_key = matches!(
            self.stack.last(),
            Some(Frame { collection: Collection::Map { pending: None, .. }, .. })
        );
        if awaiting_key {
            let Some(raw) = anchored.raw.clone() else {
                return Err(ParseError::new(span, "a collection as a mapping key is not supported"));
            };
            self.key(Key { text: raw, span, merge: false });
            return Ok(());
        }
        if self.stack.len() + anchored.height > MAX_DEPTH {
            return Err(ParseError::new(span, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let (size, height) = (anchored.size, anchored.height);
        self.charge(size, span)?;
        let node = self.anchors.get(&id).map(|a| a.node.clone());
        match node {
            Some(node) => self.complete(node, height),
            None => Ok(()),
        }
    }

    fn key(&mut self, key: Key) {
        if let Some(Frame { collection: Collection::Map { pending, .. }, .. }) = self.stack.last_mut() {
            *pending = Some(key);
        }
    }

    /// Hands a finished node to the collection it belongs to, or makes it the document root.
    fn complete(&mut self, node: Yaml, height: usize) -> Result<(), ParseError> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some((node, height));
            return Ok(());
        };
        frame.end = frame.end.max(node.span.end);
        frame.height = frame.height.max(height);
        match &mut frame.collection {
            Collection::List(items) => items.push(node),
            Collection::Map { items, pending, seen } => {
                let Some(key) = pending.take() else {
                    return Err(ParseError::new(node.span, "a collection as a mapping key is not supported"));
                };
                frame.end = frame.end.max(key.span.end);
                if key.merge {
                    check_merge(&node)?;
                    items.push(Item::Merge(node));
                    return Ok(());
                }
                if let Some(first) = seen.get(&key.text) {
                    let line = self.file.location(*first).line;
                    return Err(ParseError::new(
                        key.span,
                        format!("duplicate key `{}`, first at line {line}", shown(&key.text)),
                    ));
                }
                seen.insert(key.text.clone(), key.span);
                items.push(Item::Entry(Entry { key: key.text, key_span: key.span, value: node }));
            }
        }
        Ok(())
    }

    fn scalar(
        &self,
        value: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<Yaml, ParseError> {
        let span = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let text = self.file.text.get(span.start as usize..span.end as usize).unwrap_or("");
                let trimmed = text.trim_end_matches(['\n', '\r']);
                Span::new(span.start, span.start + trimmed.len() as u32)
            }
            // Granit puts an empty value (`key:`, `-`) on its indicator; it belongs after it.
            ScalarStyle::Plain if span.is_empty() => {
                let at = span.start as usize;
                match self.file.text.get(at..at + 1) {
                    Some(":" | "-") => Span::new(span.start + 1, span.start + 1),
                    _ => span,
                }
            }
            _ => span,
        };
        let plain = style == ScalarStyle::Plain;
        let value = match tag.and_then(Tag::core_suffix) {
            None if plain && tag.is_none() => self.plain(value, span.is_empty()),
            Some(suffix @ ("null" | "bool" | "int" | "float")) => {
                let typed = self.plain(value, value.is_empty());
                let fits = match (&typed, suffix) {
                    (Value::Null, "null") | (Value::Bool(_), "bool") | (Value::Number(_), "float") => true,
                    (Value::Number(n), "int") => is_int(n),
                    _ => false,
                };
                if !fits {
                    return Err(ParseError::new(
                        span,
                        format!("`{}` is not a valid !!{suffix}", shown(value)),
                    ));
                }
                typed
            }
            Some(suffix @ ("map" | "seq")) => {
                return Err(ParseError::new(span, format!("a scalar tagged !!{suffix}")));
            }
            // Quoted and block scalars, `!!str`, and tags rampart does not know.
            _ => Value::String(value.to_owned()),
        };
        Ok(Yaml { value, span })
    }

    /// Types a plain scalar. `empty`: nothing was written (`key:`), which granit reports as `~`.
    fn plain(&self, text: &str, empty: bool) -> Value {
        if empty {
            return Value::Null;
        }
        match text {
            "" | "~" | "null" | "Null" | "NULL" => Value::Null,
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" if self.options.yaml11_booleans => {
                Value::Bool(true)
            }
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" if self.options.yaml11_booleans => {
                Value::Bool(false)
            }
            _ if is_int(text) || is_float(text) => Value::Number(text.to_owned()),
            _ => Value::String(text.to_owned()),
        }
    }
}

/// Merge values must be maps or lists of maps (aliases are expanded by now).
fn check_merge(node: &Yaml) -> Result<(), ParseError> {
    let ok = match &node.value {
        Value::Map(_) => true,
        Value::List(items) => items.iter().all(|i| matches!(i.value, Value::Map(_))),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ParseError::new(
            node.span,
            format!("`<<` merges a mapping or a list of mappings, not {}", node.describe()),
        ))
    }
}

/// Applies the merge keys of a map: merged entries go where the `<<` key is, unless the map
/// writes the key itself or an earlier merged map has it (go-yaml v3's rule).
fn merge(items: Vec<Item>, explicit: &HashMap<String, Span>) -> Vec<Entry> {
    let mut entries = Vec::with_capacity(items.len());
    let mut merged: HashSet<String> = HashSet::new();
    for item in items {
        match item {
            Item::Entry(entry) => entries.push(entry),
            Item::Merge(node) => {
                let sources = match node.value {
                    Value::Map(source) => vec![source],
                    Value::List(items) => items
                        .into_iter()
                        .filter_map(|i| match i.value {
                            Value::Map(source) => Some(source),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                for source in sources {
                    for entry in source {
                        if !explicit.contains_key(&entry.key) && merged.insert(entry.key.clone()) {
                            entries.push(entry);
                        }
                    }
                }
            }
        }
    }
    entries
}

/// YAML 1.2 core schema ints: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`.
fn is_int(text: &str) -> bool {
    if let Some(octal) = text.strip_prefix("0o") {
        return !octal.is_empty() && octal.bytes().all(|b| matches!(b, b'0'..=b'7'));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// YAML 1.2 core schema floats:
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.(inf|Inf|INF)`,
/// `\.(nan|NaN|NAN)`.
fn is_float(text: &str) -> bool {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        // `.5`: the fraction must have digits; `5.`: the whole part must.
        Some(fraction) if whole.is_empty() => !fraction.is_empty() && digits(fraction),
        Some(fraction) => digits(whole) && digits(fraction),
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests;
