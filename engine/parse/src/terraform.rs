//! The Terraform reader: a module directory (all its `*.tf` files) becomes one document, with
//! every expression evaluated as far as Terraform itself could before talking to a provider.
//!
//! Files are parsed with hcl-edit, which keeps a span on every body, block, attribute and
//! expression. Values that depend on anything only known at plan or apply time (a resource's
//! attributes, a variable nobody set, a function rampart does not evaluate) are **unknown**
//! nodes whose text says why; evaluation errors Terraform would report at plan time are
//! unknown too, so that one bad expression never stops a scan. The document's shape is
//! described in docs/document-model.md ("Terraform").

mod eval;
mod functions;
mod value;

use std::collections::HashMap;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use rampart_model::{Document, DocumentBuilder, Format, NodeId, NodeKind, SourceFile, Span};

use crate::ParseError;
use eval::{Evaluator, VarDecl, VarValue, to_span};
pub use value::{At, Unknown, Value, ValueKind};
use value::{INPUT_FILE, number_text};

/// How deep nested blocks are written out; hcl-edit rejects deeper nesting anyway.
const MAX_BLOCK_DEPTH: usize = 32;
/// How deep values are written out (values are bounded by evaluation depth plus JSON depth).
const MAX_VALUE_DEPTH: usize = 160;

/// One variable value given from outside the module.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub value: Value,
    pub origin: InputOrigin,
}

/// Where an input value came from.
#[derive(Clone, Debug)]
pub enum InputOrigin {
    /// A `.tfvars` file: the name and the value as written there.
    File { file: Arc<SourceFile>, name_span: Span, value_span: Span },
    /// `--var name=value`.
    CommandLine,
}

/// Variable values from outside the module, in Terraform's precedence order: add
/// `terraform.tfvars`, then `*.auto.tfvars` in lexical order, then `--var-file`s and `--var`s
/// in command-line order. A later value for a name wins.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    values: Vec<Input>,
}

impl Inputs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a `.tfvars` file and adds its values.
    pub fn add_tfvars(&mut self, file: &Arc<SourceFile>) -> Result<(), ParseError> {
        self.values.extend(read_tfvars(file)?);
        Ok(())
    }

    /// `--var name=value`. As Terraform does for a variable of a complex type, a value that
    /// starts with `[` or `{` is read as an HCL expression (and is unknown when it is not
    /// one); anything else is a string (Terraform converts it to a number or bool where the
    /// variable's type asks for one, and rampart's operators convert the same way).
    pub fn add_var(&mut self, name: &str, raw: &str) {
        let trimmed = raw.trim_start();
        let value = if trimmed.starts_with('[') || trimmed.starts_with('{') {
            match hcl_edit::parser::parse_expr(raw) {
                Ok(expr) => {
                    let empty = Inputs::default();
                    let mut ev = Evaluator::for_input(raw, &empty);
                    let mut value = ev.eval(&expr);
                    forget_spans(&mut value, 0);
                    value
                }
                Err(e) => Value::error(format!("--var {name}: {}", e.message())),
            }
        } else {
            Value::string(raw)
        };
        self.values.push(Input { name: name.to_owned(), value, origin: InputOrigin::CommandLine });
    }

    /// `--var` argument text, `name=value`.
    pub fn add_var_arg(&mut self, arg: &str) -> Result<(), String> {
        match arg.split_once('=') {
            Some((name, raw)) if !name.trim().is_empty() => {
                self.add_var(name.trim(), raw);
                Ok(())
            }
            _ => Err(format!("--var needs name=value, got {arg:?}")),
        }
    }

    /// The value in effect for a variable (the last one given) and its index in [`Self::values`].
    pub fn lookup(&self, name: &str) -> Option<(usize, &Input)> {
        self.values.iter().enumerate().rev().find(|(_, input)| input.name == name)
    }

    pub fn values(&self) -> &[Input] {
        &self.values
    }

    /// Adds values read elsewhere (e.g. the command line's, once for every module), after
    /// the ones already here, so they win.
    pub fn extend(&mut self, other: &Inputs) {
        self.values.extend(other.values.iter().cloned());
    }
}

/// Values from the command line have no place in any file.
fn forget_spans(value: &mut Value, depth: usize) {
    value.at = None;
    if depth > MAX_VALUE_DEPTH {
        return;
    }
    match &mut value.kind {
        ValueKind::List(items) => items.iter_mut().for_each(|v| forget_spans(v, depth + 1)),
        ValueKind::Object(entries) => entries.iter_mut().for_each(|(_, v)| forget_spans(v, depth + 1)),
        _ => {}
    }
}

/// Which of a module directory's file names Terraform loads automatically as variable values,
/// in the order it applies them: `terraform.tfvars`, then `*.auto.tfvars` in lexical order.
/// Returns indexes into `names`. (`.tfvars.json` files are not read in this version.)
pub fn auto_tfvars(names: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = names.iter().position(|n| *n == "terraform.tfvars").into_iter().collect();
    let mut auto: Vec<usize> = (0..names.len())
        .filter(|&i| names.get(i).is_some_and(|n| n.ends_with(".auto.tfvars") && *n != "terraform.tfvars"))
        .collect();
    auto.sort_by_key(|&i| names.get(i).copied().unwrap_or(""));
    order.extend(auto);
    order
}

/// Reads a `.tfvars` file: `name = value` attributes with literal values (a reference is
/// an error value, as Terraform rejects it). Blocks are a syntax error, as in Terraform.
pub fn read_tfvars(file: &Arc<SourceFile>) -> Result<Vec<Input>, ParseError> {
    let body = parse_hcl(&file.text)?;
    let empty = Inputs::default();
    let mut ev = Evaluator::for_input(&file.text, &empty);
    let mut inputs = Vec::new();
    for structure in &body {
        match structure {
            Structure::Attribute(attr) => {
                let name_span = attr.key.span().map_or_else(Span::default, |r| to_span(&r));
                let value_span = attr.value.span().map_or(name_span, |r| to_span(&r));
                let value = ev.eval(&attr.value);
                inputs.push(Input {
                    name: attr.key.value().as_str().to_owned(),
                    value,
                    origin: InputOrigin::File { file: Arc::clone(file), name_span, value_span },
                });
            }
            Structure::Block(block) => {
                let span = block.span().map_or_else(Span::default, |r| to_span(&r));
                return Err(ParseError::new(
                    span,
                    "a variables file holds only name = value lines, not blocks",
                ));
            }
        }
    }
    Ok(inputs)
}

/// A module's syntax error, with the index of the file (in the order given) it is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleError {
    pub file: usize,
    pub error: ParseError,
}

/// Parses a module directory: its `*.tf` files in path order, as one document. A syntax error
/// names the file in its message (`network.tf: ...`); its span is in that file. Use
/// [`parse_module_detailed`] to learn the file's index instead.
pub fn parse_module(files: Vec<Arc<SourceFile>>, inputs: &Inputs) -> Result<Document, ParseError> {
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    parse_module_detailed(files, inputs).map_err(|e| {
        let path = paths.get(e.file).map_or("", String::as_str);
        ParseError { message: format!("{path}: {}", e.error.message), ..e.error }
    })
}

/// Parses a module directory like [`parse_module`], reporting which file a syntax error is in.
pub fn parse_module_detailed(files: Vec<Arc<SourceFile>>, inputs: &Inputs) -> Result<Document, ModuleError> {
    let mut files = files.into_iter();
    let Some(first) = files.next() else {
        return Err(ModuleError {
            file: 0,
            error: ParseError::new(Span::default(), "a Terraform module needs at least one .tf file"),
        });
    };
    let rest: Vec<Arc<SourceFile>> = files.collect();
    let all = || std::iter::once(&first).chain(rest.iter());
    let mut bodies = Vec::with_capacity(rest.len() + 1);
    for (index, file) in all().enumerate() {
        bodies.push(parse_hcl(&file.text).map_err(|error| ModuleError { file: index, error })?);
    }
    // The evaluator borrows the texts while the files move into the document.
    let owned: Vec<Arc<str>> = all().map(|f| Arc::clone(&f.text)).collect();
    let texts: Vec<(u32, &str)> = owned.iter().enumerate().map(|(i, t)| (i as u32, &**t)).collect();
    let mut ev = Evaluator::new(texts, inputs);
    for (index, body) in bodies.iter().enumerate() {
        let file = index as u32;
        for block in body.blocks() {
            match (block.ident.value().as_str(), block.labels.as_slice()) {
                ("variable", [name]) => {
                    let default = block.body.get_attribute("default").map(|a| &a.value);
                    ev.declare_variable(name.as_str(), VarDecl { file, default });
                }
                ("locals", []) => {
                    for attr in block.body.attributes() {
                        ev.declare_local(attr.key.value().as_str(), file, &attr.value);
                    }
                }
                _ => {}
            }
        }
    }

    let root_span = Span::new(0, first.text.len() as u32);
    let mut b = DocumentBuilder::new(Format::Terraform, first, root_span);
    for file in rest {
        b.add_file(file);
    }
    let mut lists = HashMap::new();
    for key in ["resources", "data", "variables", "locals", "outputs", "modules", "providers", "terraform"] {
        lists.insert(key, b.list(DocumentBuilder::ROOT, key, root_span));
    }
    let mut writer = Writer { b, ev, input_files: HashMap::new() };
    for (index, body) in bodies.iter().enumerate() {
        let file = index as u32;
        writer.ev.file = file;
        for block in body.blocks() {
            let list = |key: &str| lists.get(key).copied().unwrap_or(DocumentBuilder::ROOT);
            match (block.ident.value().as_str(), block.labels.as_slice()) {
                ("resource", [kind, name]) => {
                    writer.resource(list("resources"), file, block, kind, name, false);
                }
                ("data", [kind, name]) => writer.resource(list("data"), file, block, kind, name, true),
                ("variable", [name]) => writer.variable(list("variables"), file, block, name),
                ("locals", []) => writer.locals(list("locals"), file, block),
                ("output", [name]) => writer.named(list("outputs"), file, block, name),
                ("provider", [name]) => writer.named(list("providers"), file, block, name),
                ("module", [name]) => writer.module(list("modules"), file, block, name),
                ("terraform", []) => {
                    let entry = writer.entry(list("terraform"), file, block);
                    let span = block_span(block);
                    let attributes = writer.b.map(entry, "attributes", span);
                    writer.body(attributes, file, &block.body, &[], 0);
                }
                // check, import, moved, removed and anything unknown: not read in this version.
                _ => {}
            }
        }
    }
    Ok(writer.b.finish())
}

/// Parses HCL text; a leading byte-order mark is blanked out so spans stay file offsets.
fn parse_hcl(text: &str) -> Result<Body, ParseError> {
    let blanked;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            // The mark is three bytes; three spaces keep every later offset unchanged.
            blanked = format!("   {rest}");
            blanked.as_str()
        }
        None => text,
    };
    hcl_edit::parser::parse_body(text).map_err(|e| {
        let offset = e.location().offset().min(text.len());
        let end =
            text.get(offset..).and_then(|rest| rest.chars().next()).map_or(offset, |c| offset + c.len_utf8());
        let end = if text.get(offset..end).is_some_and(|s| s == "\n") { offset } else { end };
        ParseError::new(Span::new(offset as u32, end as u32), e.message().to_owned())
    })
}

fn block_span(block: &Block) -> Span {
    block.span().map_or_else(Span::default, |r| to_span(&r))
}

fn label_span(label: &BlockLabel) -> Span {
    let range = match label {
        BlockLabel::Ident(ident) => ident.span(),
        BlockLabel::String(string) => string.span(),
    };
    range.map_or_else(Span::default, |r| to_span(&r))
}

struct Writer<'a> {
    b: DocumentBuilder,
    ev: Evaluator<'a>,
    /// Document file index of each `.tfvars` file already added, by path.
    input_files: HashMap<String, u32>,
}

impl Writer<'_> {
    /// A map in a top-level list for a block of file `file`.
    fn entry(&mut self, list: NodeId, file: u32, block: &Block) -> NodeId {
        let entry = self.b.map(list, "", block_span(block));
        self.b.set_file(entry, file);
        entry
    }

    fn string(&mut self, parent: NodeId, key: &str, value: &str, span: Span) -> NodeId {
        self.b.string(parent, key, value, span)
    }

    fn resource(
        &mut self,
        list: NodeId,
        file: u32,
        block: &Block,
        kind: &BlockLabel,
        name: &BlockLabel,
        data: bool,
    ) {
        let entry = self.entry(list, file, block);
        let (kind_span, name_span) = (label_span(kind), label_span(name));
        self.string(entry, "type", kind.as_str(), kind_span);
        self.string(entry, "name", name.as_str(), name_span);
        let prefix = if data { "data." } else { "" };
        let address = format!("{prefix}{}.{}", kind.as_str(), name.as_str());
        self.string(entry, "address", &address, kind_span.to(name_span));
        let keyword = block.ident.span().map_or(block_span(block), |r| to_span(&r));
        self.string(entry, "mode", if data { "data" } else { "managed" }, keyword);
        for meta in ["count", "for_each"] {
            if let Some(attr) = block.body.get_attribute(meta) {
                self.attribute(entry, file, attr);
            }
        }
        let attributes = self.b.map(entry, "attributes", block_span(block));
        self.body(attributes, file, &block.body, &["count", "for_each"], 0);
    }

    fn named(&mut self, list: NodeId, file: u32, block: &Block, name: &BlockLabel) {
        let entry = self.entry(list, file, block);
        self.string(entry, "name", name.as_str(), label_span(name));
        let attributes = self.b.map(entry, "attributes", block_span(block));
        self.body(attributes, file, &block.body, &[], 0);
    }

    fn module(&mut self, list: NodeId, file: u32, block: &Block, name: &BlockLabel) {
        let entry = self.entry(list, file, block);
        self.string(entry, "name", name.as_str(), label_span(name));
        if let Some(source) = block.body.get_attribute("source") {
            self.attribute(entry, file, source);
        }
        let arguments = self.b.map(entry, "arguments", block_span(block));
        self.body(arguments, file, &block.body, &["source"], 0);
    }

    fn locals(&mut self, list: NodeId, file: u32, block: &Block) {
        for attr in block.body.attributes() {
            let span = attr.span().map_or(block_span(block), |r| to_span(&r));
            let entry = self.b.map(list, "", span);
            self.b.set_file(entry, file);
            let name = attr.key.value().as_str();
            let key_span = attr.key.span().map_or(span, |r| to_span(&r));
            self.string(entry, "name", name, key_span);
            let value = self.ev.local(name);
            let expr_span = expr_span(&attr.value, span);
            self.value(
                entry,
                "value",
                Some(key_span),
                &value,
                Home { file, bound: expr_span },
                expr_span,
                None,
            );
        }
    }

    fn variable(&mut self, list: NodeId, file: u32, block: &Block, name: &BlockLabel) {
        let entry = self.entry(list, file, block);
        let name_span = label_span(name);
        self.string(entry, "name", name.as_str(), name_span);
        for attr in block.body.attributes() {
            let key = attr.key.value().as_str();
            let span = expr_span(&attr.value, block_span(block));
            let key_span = attr.key.span().map(|r| to_span(&r));
            match key {
                "type" => {
                    let text = attr.value.span().and_then(|r| self.text(file, r)).unwrap_or_default();
                    self.b.push(entry, "type", key_span, NodeKind::String, &text, span);
                }
                "default" => {
                    let value = match self.ev.variable(name.as_str()) {
                        VarValue::Default(v) => v,
                        _ => self.ev.eval_literal(file, &attr.value),
                    };
                    self.value(entry, "default", key_span, &value, Home { file, bound: span }, span, None);
                }
                "description" | "sensitive" | "nullable" | "ephemeral" => self.attribute(entry, file, attr),
                _ => {}
            }
        }
        match self.ev.variable(name.as_str()) {
            VarValue::Input(index, value) => {
                if let Some((path, input_file, name_span_there, value_span)) = self.ev_inputs_origin(index) {
                    let doc_file = self.input_file(&path, input_file);
                    let home = Home { file: INPUT_FILE, bound: value_span };
                    self.value(entry, "value", None, &value, home, value_span, Some(doc_file));
                    let source = self.string(entry, "source", &path, name_span_there);
                    self.b.set_file(source, doc_file);
                } else {
                    let home = Home { file: INPUT_FILE, bound: Span::default() };
                    self.value(entry, "value", None, &value, home, name_span, None);
                    self.string(entry, "source", "command line", name_span);
                }
            }
            VarValue::Default(value) => {
                let span = value.at.map_or(name_span, |a| a.span);
                self.value(entry, "value", None, &value, Home { file, bound: span }, span, None);
                self.string(entry, "source", "default", span);
            }
            VarValue::Missing(value) => {
                self.value(entry, "value", None, &value, Home { file, bound: name_span }, name_span, None);
            }
        }
    }

    fn ev_inputs_origin(&self, index: usize) -> Option<(String, Arc<SourceFile>, Span, Span)> {
        match &self.ev.inputs().values().get(index)?.origin {
            InputOrigin::File { file, name_span, value_span } => {
                Some((file.path.clone(), Arc::clone(file), *name_span, *value_span))
            }
            InputOrigin::CommandLine => None,
        }
    }

    /// The document's index for an input file, adding the file on first use.
    fn input_file(&mut self, path: &str, file: Arc<SourceFile>) -> u32 {
        if let Some(&index) = self.input_files.get(path) {
            return index;
        }
        let index = self.b.add_file(file);
        self.input_files.insert(path.to_owned(), index);
        index
    }

    fn text(&self, file: u32, range: std::ops::Range<usize>) -> Option<String> {
        self.ev.source(file).and_then(|t| t.get(range)).map(str::to_owned)
    }

    /// Writes a body's attributes (minus `skip`) and its nested blocks, each block type as a
    /// list at the position of its first block.
    fn body(&mut self, map: NodeId, file: u32, body: &Body, skip: &[&str], depth: usize) {
        let mut lists: HashMap<String, NodeId> = HashMap::new();
        for structure in body {
            match structure {
                Structure::Attribute(attr) => {
                    if !skip.contains(&attr.key.value().as_str()) {
                        self.attribute(map, file, attr);
                    }
                }
                Structure::Block(block) => {
                    let dynamic = block.ident.value().as_str() == "dynamic";
                    let (key, key_span) = match (dynamic, block.labels.first()) {
                        (true, Some(label)) => (label.as_str().to_owned(), label_span(label)),
                        _ => (
                            block.ident.value().as_str().to_owned(),
                            block.ident.span().map_or(block_span(block), |r| to_span(&r)),
                        ),
                    };
                    let span = block_span(block);
                    let list = if let Some(&list) = lists.get(&key) {
                        list
                    } else {
                        let list = self.b.push(map, &key, Some(key_span), NodeKind::List, "", span);
                        lists.insert(key.clone(), list);
                        list
                    };
                    if dynamic {
                        let reason = format!("dynamic block {key} is not expanded");
                        self.b.unknown(list, "", &reason, span);
                    } else if depth >= MAX_BLOCK_DEPTH {
                        self.b.unknown(list, "", "blocks nested too deeply to read", span);
                    } else {
                        let item = self.b.map(list, "", span);
                        if !block.labels.is_empty() {
                            let labels = self.b.list(item, "labels", span);
                            for label in &block.labels {
                                self.b.string(labels, "", label.as_str(), label_span(label));
                            }
                        }
                        self.body(item, file, &block.body, &[], depth + 1);
                    }
                }
            }
        }
    }

    /// An attribute as a map entry: the evaluated value, spanning the expression, keyed by the
    /// name as written.
    fn attribute(&mut self, parent: NodeId, file: u32, attr: &Attribute) {
        let whole = attr.span().map_or_else(Span::default, |r| to_span(&r));
        let span = expr_span(&attr.value, whole);
        let key_span = attr.key.span().map(|r| to_span(&r));
        self.ev.file = file;
        let value = self.ev.eval(&attr.value);
        self.value(
            parent,
            attr.key.value().as_str(),
            key_span,
            &value,
            Home { file, bound: span },
            span,
            None,
        );
    }

    /// Writes a value. A nested value keeps its own span when it is written inside `home`'s
    /// expression; otherwise (it came from a variable, a local or a function) it takes the
    /// span of the nearest enclosing node that is. `set_file`: for a value whose node belongs
    /// to another file than its parent's (a `.tfvars` file).
    #[allow(clippy::too_many_arguments)]
    fn value(
        &mut self,
        parent: NodeId,
        key: &str,
        key_span: Option<Span>,
        value: &Value,
        home: Home,
        fallback: Span,
        set_file: Option<u32>,
    ) -> NodeId {
        self.value_at(parent, key, key_span, value, home, fallback, set_file, 0)
    }

    #[allow(clippy::too_many_arguments)]
    fn value_at(
        &mut self,
        parent: NodeId,
        key: &str,
        key_span: Option<Span>,
        value: &Value,
        home: Home,
        fallback: Span,
        set_file: Option<u32>,
        depth: usize,
    ) -> NodeId {
        let own = value.at.filter(|at| home.contains(at));
        let span = own.map_or(fallback, |at| at.span);
        let (kind, text) = match &value.kind {
            ValueKind::Null => (NodeKind::Null, String::new()),
            ValueKind::Bool(b) => (NodeKind::Bool, b.to_string()),
            ValueKind::Number(n) => (NodeKind::Number, number_text(*n)),
            ValueKind::String(s) => (NodeKind::String, s.clone()),
            ValueKind::List(_) | ValueKind::Object(_) if depth >= MAX_VALUE_DEPTH => {
                (NodeKind::Unknown, "value nested too deeply to write".to_owned())
            }
            ValueKind::List(_) => (NodeKind::List, String::new()),
            ValueKind::Object(_) => (NodeKind::Map, String::new()),
            ValueKind::Unknown(u) => (NodeKind::Unknown, u.reason.clone()),
        };
        let node = self.b.push(parent, key, key_span, kind, &text, span);
        if let Some(file) = set_file {
            self.b.set_file(node, file);
        }
        if depth >= MAX_VALUE_DEPTH {
            return node;
        }
        match &value.kind {
            ValueKind::List(items) => {
                for item in items {
                    self.value_at(node, "", None, item, home, span, None, depth + 1);
                }
            }
            ValueKind::Object(entries) => {
                for (k, v) in entries {
                    let key_span = v.at.filter(|at| home.contains(at)).and_then(|at| at.key_span);
                    self.value_at(node, k, key_span, v, home, span, None, depth + 1);
                }
            }
            _ => {}
        }
        node
    }
}

/// The expression a value is written for: nested values inside it keep their own spans.
#[derive(Clone, Copy)]
struct Home {
    file: u32,
    bound: Span,
}

impl Home {
    fn contains(&self, at: &At) -> bool {
        at.file == self.file && self.bound.start <= at.span.start && at.span.end <= self.bound.end
    }
}

fn expr_span(expr: &Expression, fallback: Span) -> Span {
    expr.span().map_or(fallback, |r| to_span(&r))
}

#[cfg(test)]
mod tests;
