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
mod json;
mod tfjson;
mod value;

use std::collections::HashMap;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use rampart_model::{
    Document, DocumentBuilder, Format, NodeId, NodeKind, Origin as DocOrigin, SourceFile, Span,
};

use crate::ParseError;
use eval::{Evaluator, VarDecl, VarValue, to_span};
pub use value::{At, Unknown, Value, ValueKind};
use value::{INPUT_FILE, Place, number_text};

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
    /// An argument of the `module` block that calls the module: the calling file's document
    /// index and the argument's expression.
    Argument { file: u32, span: Span, module: String },
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

/// Whether Terraform loads a file of a module directory as module code: exactly `*.tf` and
/// `*.tf.json`, case-sensitively.
pub fn is_module_file(name: &str) -> bool {
    std::path::Path::new(name).extension().is_some_and(|e| e == "tf") || name.ends_with(".tf.json")
}

/// Which of a module directory's file names Terraform loads automatically as variable values,
/// in the order it applies them: `terraform.tfvars`, `terraform.tfvars.json`, then
/// `*.auto.tfvars` and `*.auto.tfvars.json` in lexical order. Returns indexes into `names`.
pub fn auto_tfvars(names: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = ["terraform.tfvars", "terraform.tfvars.json"]
        .iter()
        .filter_map(|wanted| names.iter().position(|n| n == wanted))
        .collect();
    let mut auto: Vec<usize> = (0..names.len())
        .filter(|&i| {
            names.get(i).is_some_and(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
        })
        .collect();
    auto.sort_by_key(|&i| names.get(i).copied().unwrap_or(""));
    order.extend(auto);
    order
}

/// Reads a `.tfvars` file: `name = value` attributes with literal values (a reference is
/// an error, as Terraform rejects it). Blocks are a syntax error, as in Terraform. A
/// `.tfvars.json` file is a JSON object of names to values.
pub fn read_tfvars(file: &Arc<SourceFile>) -> Result<Vec<Input>, ParseError> {
    if std::path::Path::new(&file.path).extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        return read_tfvars_json(file);
    }
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
                if let Some(unknown) = value.first_unknown().filter(|u| u.error) {
                    // Terraform refuses the file: a value here must be a literal.
                    let name = attr.key.value().as_str();
                    return Err(ParseError::new(value_span, format!("{name}: {}", unknown.reason)));
                }
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

fn read_tfvars_json(file: &Arc<SourceFile>) -> Result<Vec<Input>, ParseError> {
    let text = &file.text;
    let root = json::parse(text, INPUT_FILE, 0).map_err(|error| json::parse_error(text, error))?;
    let ValueKind::Object(entries) = root.kind else {
        let span = root.at.map_or(Span::default(), |at| at.span);
        return Err(ParseError::new(span, "a .tfvars.json file holds a JSON object of variable values"));
    };
    Ok(entries
        .into_iter()
        .map(|(name, value)| {
            let value_span = value.at.map_or(Span::default(), |at| at.span);
            let name_span = value.at.and_then(|at| at.key_span).unwrap_or(value_span);
            let origin = InputOrigin::File { file: Arc::clone(file), name_span, value_span };
            Input { name, value, origin }
        })
        .collect())
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
    parse_module_tree(files, inputs, None).map(|parsed| parsed.document)
}

/// Reads the files of a local module that a `module` block calls.
pub trait Loader: Sync {
    /// The `*.tf` files of directory `dir`, a path relative to the root module's directory
    /// (`modules/network`, `../shared/logs`), in path order; an error says why it could not be
    /// read.
    fn load(&self, dir: &str) -> Result<Vec<Arc<SourceFile>>, String>;
}

/// A root module read with the local modules it calls.
#[derive(Debug)]
pub struct Parsed {
    pub document: Document,
    /// What was deliberately not evaluated (remote module sources, module cycles).
    pub notices: Vec<FileMessage>,
    /// Local modules that could not be read or parsed; the rest of the tree is still read.
    pub errors: Vec<FileMessage>,
    /// The directories of the local modules the tree calls (loaded, or reported in `errors`),
    /// relative to the root module's.
    pub loaded: Vec<String>,
}

/// A message about a place in a file.
#[derive(Clone, Debug)]
pub struct FileMessage {
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub message: String,
}

/// How deep calls to local modules are followed.
const MAX_MODULE_DEPTH: usize = 16;

/// Parses a root module like [`parse_module_detailed`] and, with a `loader`, the local
/// modules it calls (`source = "./..."` or `"../..."`), recursively: their blocks join the
/// same document with addresses like `module.network.aws_subnet.private`, and their
/// variables take the values of the calling block's arguments.
pub fn parse_module_tree(
    files: Vec<Arc<SourceFile>>,
    inputs: &Inputs,
    loader: Option<&dyn Loader>,
) -> Result<Parsed, ModuleError> {
    let mut files = files.into_iter();
    let Some(first) = files.next() else {
        return Err(ModuleError {
            file: 0,
            error: ParseError::new(Span::default(), "a Terraform module needs at least one .tf file"),
        });
    };
    let files: Vec<Arc<SourceFile>> = std::iter::once(first).chain(files).collect();
    let mut sources = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        sources.push(ModuleSource::read(file).map_err(|error| ModuleError { file: index, error })?);
    }
    let root_span = Span::new(0, files[0].text.len() as u32);
    let mut b = DocumentBuilder::new(Format::Terraform, Arc::clone(&files[0]), root_span);
    let indexes: Vec<u32> =
        std::iter::once(0).chain(files.iter().skip(1).map(|file| b.add_file(Arc::clone(file)))).collect();
    let mut lists = HashMap::new();
    for key in ["resources", "data", "variables", "locals", "outputs", "modules", "providers", "terraform"] {
        lists.insert(key, b.list(DocumentBuilder::ROOT, key, root_span));
    }
    let mut shared = Shared {
        b,
        lists,
        input_files: HashMap::new(),
        loader,
        notices: Vec::new(),
        errors: Vec::new(),
        loaded: Vec::new(),
        json_files: Vec::new(),
    };
    let root = ModuleContext { prefix: String::new(), dir: String::new(), chain: Vec::new() };
    let written: Vec<(u32, &ModuleSource)> = indexes.iter().copied().zip(&sources).collect();
    write_module(&mut shared, &written, inputs, root);
    shared.keep_json_maps(indexes.into_iter().zip(sources));
    let Shared { mut b, mut notices, mut errors, loaded, json_files, .. } = shared;
    // Spans of `.tf.json` files so far point into their HCL rewrite: map them back.
    for (index, map) in &json_files {
        b.remap_spans(*index, |span| map.translate(span));
        let path = b.file(*index).map(|f| f.path.clone()).unwrap_or_default();
        for message in notices.iter_mut().chain(errors.iter_mut()).filter(|m| m.file.path == path) {
            message.span = map.translate(message.span);
        }
    }
    // In file order, whatever order the modules were read in.
    for messages in [&mut notices, &mut errors] {
        messages.sort_by(|a, b| (&a.file.path, a.span.start).cmp(&(&b.file.path, b.span.start)));
    }
    Ok(Parsed { document: b.finish(), notices, errors, loaded })
}

/// A module file, parsed: HCL as written, or the HCL rewrite of a `.tf.json` file.
struct ModuleSource {
    body: Body,
    /// The text the body's spans are offsets in.
    text: Arc<str>,
    /// For a `.tf.json` file: from the rewrite's spans back to the JSON.
    json: Option<tfjson::SpanMap>,
}

impl ModuleSource {
    fn read(file: &SourceFile) -> Result<Self, ParseError> {
        if !file.path.ends_with(".tf.json") {
            let body = parse_hcl(&file.text)?;
            return Ok(Self { body, text: Arc::clone(&file.text), json: None });
        }
        let converted = tfjson::convert(&file.text)?;
        match parse_hcl(&converted.hcl) {
            Ok(body) => Ok(Self { body, text: Arc::from(converted.hcl), json: Some(converted.map) }),
            // A template in a string that is not valid HCL.
            Err(e) => Err(ParseError { span: converted.map.translate(e.span), ..e }),
        }
    }
}

/// What every module of one tree writes into.
struct Shared<'l> {
    b: DocumentBuilder,
    /// The top-level lists (`resources`, `variables`, ...), shared by all modules.
    lists: HashMap<&'static str, NodeId>,
    /// Document file index of each `.tfvars` file already added, by path.
    input_files: HashMap<String, u32>,
    loader: Option<&'l dyn Loader>,
    notices: Vec<FileMessage>,
    errors: Vec<FileMessage>,
    loaded: Vec<String>,
    /// The `.tf.json` files written, by document index, with their span maps.
    json_files: Vec<(u32, tfjson::SpanMap)>,
}

impl Shared<'_> {
    fn keep_json_maps(&mut self, sources: impl Iterator<Item = (u32, ModuleSource)>) {
        self.json_files.extend(sources.filter_map(|(index, source)| source.json.map(|map| (index, map))));
    }
}

/// Which module of the tree is being written.
struct ModuleContext {
    /// `""` for the root, `module.network.` for a module it calls.
    prefix: String,
    /// The module's directory relative to the root's (`""` for the root).
    dir: String,
    /// The directories of the modules that led here, to stop cycles.
    chain: Vec<String>,
}

/// Writes one module's blocks (its files numbered as in the document) into the shared lists.
/// Returns the module's outputs, as an object, for the module that calls it.
fn write_module(
    shared: &mut Shared<'_>,
    files: &[(u32, &ModuleSource)],
    inputs: &Inputs,
    context: ModuleContext,
) -> Value {
    let texts: Vec<(u32, &str)> = files.iter().map(|(index, source)| (*index, &*source.text)).collect();
    let mut ev = Evaluator::new(texts, inputs);
    for (file, source) in files {
        let body = &source.body;
        for block in body.blocks() {
            match (block.ident.value().as_str(), block.labels.as_slice()) {
                ("variable", [name]) => {
                    let default = block.body.get_attribute("default").map(|a| &a.value);
                    ev.declare_variable(name.as_str(), VarDecl { file: *file, default });
                }
                ("locals", []) => {
                    for attr in block.body.attributes() {
                        ev.declare_local(attr.key.value().as_str(), *file, &attr.value);
                    }
                }
                _ => {}
            }
        }
    }
    let lists = shared.lists.clone();
    let mut writer = Writer { s: shared, ev, module: context, called: HashMap::new() };
    // Local modules first, so that `module.NAME.OUTPUT` is known wherever it is used.
    for (file, source) in files {
        for block in source.body.blocks() {
            if let ("module", [name]) = (block.ident.value().as_str(), block.labels.as_slice()) {
                writer.preload(*file, block, name.as_str());
            }
        }
    }
    for (file, source) in files {
        let (file, body) = (*file, &source.body);
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
                    let attributes = writer.s.b.map(entry, "attributes", span);
                    writer.body(attributes, file, &block.body, &[], 0);
                }
                (
                    kind @ ("resource" | "data" | "variable" | "output" | "provider" | "module" | "locals"
                    | "terraform"),
                    labels,
                ) => {
                    // Terraform refuses such a block ("Missing name for resource"); skipping
                    // it silently would hide it from every rule.
                    let wanted = match kind {
                        "resource" | "data" => 2,
                        "locals" | "terraform" => 0,
                        _ => 1,
                    };
                    // At the `{` after the labels, where Terraform points.
                    let after = block.labels.last().map_or_else(
                        || block.ident.span().map_or_else(|| block_span(block), |r| to_span(&r)),
                        label_span,
                    );
                    let text = writer.ev.source(file).unwrap_or("");
                    let span = text
                        .get(after.end as usize..)
                        .and_then(|rest| rest.find('{'))
                        .map_or(after, |k| Span::new(after.end + k as u32, after.end + k as u32 + 1));
                    let message = format!(
                        "a {kind} block needs {wanted} label{}, not {}: it is not read",
                        if wanted == 1 { "" } else { "s" },
                        labels.len()
                    );
                    writer.error(file, span, message);
                }
                // check, import, moved, removed and anything unknown: not read in this version.
                _ => {}
            }
        }
    }
    writer.outputs(files)
}

/// `dir` joined with a relative module source, with `.` and `..` resolved lexically (a
/// `..` above an absolute `dir`'s root is dropped).
pub fn join_dir(dir: &str, source: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if dir.starts_with('/') { format!("/{joined}") } else { joined }
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
        // The parser may report an offset inside a character: step back to its start.
        let offset = text.floor_char_boundary(e.location().offset());
        // The parser notices a missing quote or `}` only later; point where Terraform does.
        let lexical = scan_lexically(text);
        if let Some(newline) = lexical.broken_string.filter(|&n| n <= offset) {
            let message = "this quoted string is not closed on its line (a quoted string cannot span \
                           lines; use a heredoc for text on several lines)";
            return ParseError::new(Span::new(newline as u32, newline as u32), message);
        }
        if text.get(offset..).is_some_and(|rest| rest.trim().is_empty())
            && let Some(open) = lexical.unclosed_brace
        {
            let message =
                "this block is never closed: there is no `}` for this `{` before the end of the file";
            return ParseError::new(Span::new(open as u32, open as u32 + 1), message);
        }
        ParseError::new(Span::char_at(text, offset), e.message().to_owned())
    })
}

/// What a lexical look at HCL text finds, for error messages only.
struct Lexical {
    /// The outermost `{` with no matching `}`.
    unclosed_brace: Option<usize>,
    /// The first line end inside a quoted string.
    broken_string: Option<usize>,
}

/// Matches braces and quotes, skipping strings (and their interpolations), comments and
/// heredocs.
fn scan_lexically(text: &str) -> Lexical {
    #[derive(Clone, Copy, PartialEq)]
    enum Open {
        Brace(usize),
        /// `${` or `%{` inside a string: its `}` returns to the string.
        Template,
        String,
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut broken_string = None;
    let mut i = 0;
    while i < bytes.len() {
        let in_string = stack.last() == Some(&Open::String);
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(Open::Template);
                    i += 1;
                }
                // An unterminated string ends at the line's end, as HCL's scanner does.
                b'\n' => {
                    stack.pop();
                    broken_string.get_or_insert(i);
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => stack.push(Open::String),
            b'{' => stack.push(Open::Brace(i)),
            b'}' => {
                stack.pop();
            }
            b'#' => i = text[i..].find('\n').map_or(bytes.len(), |k| i + k),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |k| i + k);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(bytes.len(), |k| i + 2 + k + 1);
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                let start = i + 2 + usize::from(bytes.get(i + 2) == Some(&b'-'));
                let marker: String =
                    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !marker.is_empty() {
                    // Skip to the line that is the marker alone.
                    let mut pos = text[start..].find('\n').map_or(bytes.len(), |k| start + k + 1);
                    while pos < bytes.len() {
                        let line_end = text[pos..].find('\n').map_or(bytes.len(), |k| pos + k);
                        if text[pos..line_end].trim() == marker {
                            break;
                        }
                        pos = line_end + 1;
                    }
                    i = pos;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let unclosed_brace = stack.iter().find_map(|open| match open {
        Open::Brace(at) => Some(*at),
        _ => None,
    });
    Lexical { unclosed_brace, broken_string }
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

struct Writer<'a, 's, 'l> {
    s: &'s mut Shared<'l>,
    ev: Evaluator<'a>,
    module: ModuleContext,
    /// The local modules this module calls that were loaded: name -> directory.
    called: HashMap<String, String>,
}

impl Writer<'_, '_, '_> {
    /// A map in a top-level list for a block of file `file`.
    fn entry(&mut self, list: NodeId, file: u32, block: &Block) -> NodeId {
        let entry = self.s.b.map(list, "", block_span(block));
        self.s.b.set_file(entry, file);
        self.tag_module(entry, block_span(block));
        entry
    }

    /// Marks an entry of a called module with the module's address (`module.network`).
    fn tag_module(&mut self, entry: NodeId, span: Span) {
        if let Some(address) = self.module.prefix.strip_suffix('.') {
            let address = address.to_owned();
            self.s.b.string(entry, "module", &address, span);
        }
    }

    fn string(&mut self, parent: NodeId, key: &str, value: &str, span: Span) -> NodeId {
        self.s.b.string(parent, key, value, span)
    }

    #[allow(clippy::too_many_arguments)]
    fn resource(
        &mut self,
        list: NodeId,
        file: u32,
        block: &Block,
        kind: &BlockLabel,
        name: &BlockLabel,
        data: bool,
    ) {
        let prefix = if data { "data." } else { "" };
        let address = format!("{}{prefix}{}.{}", self.module.prefix, kind.as_str(), name.as_str());
        let labels = ResourceLabels { kind, name, data, address: &address };
        self.ev.file = file;
        match self.instances(block) {
            Instances::One => self.resource_entry(list, file, block, &labels, None),
            Instances::Each { binding, instances } => {
                for instance in instances {
                    self.ev.bind(binding, instance.bound.clone());
                    self.resource_entry(list, file, block, &labels, Some(&instance));
                    self.ev.unbind();
                }
            }
        }
    }

    /// One resource entry: the block itself, or one of its `count`/`for_each` instances.
    fn resource_entry(
        &mut self,
        list: NodeId,
        file: u32,
        block: &Block,
        labels: &ResourceLabels<'_>,
        instance: Option<&Instance>,
    ) {
        let entry = self.entry(list, file, block);
        let (kind_span, name_span) = (label_span(labels.kind), label_span(labels.name));
        self.string(entry, "type", labels.kind.as_str(), kind_span);
        self.string(entry, "name", labels.name.as_str(), name_span);
        let suffix = instance.map_or("", |i| i.suffix.as_str());
        self.string(entry, "address", &format!("{}{suffix}", labels.address), kind_span.to(name_span));
        let keyword = block.ident.span().map_or(block_span(block), |r| to_span(&r));
        self.string(entry, "mode", if labels.data { "data" } else { "managed" }, keyword);
        for meta in ["count", "for_each"] {
            if let Some(attr) = block.body.get_attribute(meta) {
                self.attribute(entry, file, attr);
            }
        }
        if let Some(instance) = instance {
            match &instance.key.kind {
                ValueKind::Number(n) => self.s.b.number(entry, "index", &number_text(*n), instance.span),
                _ => self.string(entry, "key", instance.key.as_str().unwrap_or(""), instance.span),
            };
        }
        let attributes = self.s.b.map(entry, "attributes", block_span(block));
        self.body(attributes, file, &block.body, &["count", "for_each"], 0);
    }

    /// The instances of a resource: one per `count` index or `for_each` element when those
    /// are known, else the block once (with `count.index` and `each.*` unknown).
    fn instances(&mut self, block: &Block) -> Instances {
        let (attr, binding) = match (block.body.get_attribute("count"), block.body.get_attribute("for_each"))
        {
            (Some(count), None) => (count, "count"),
            (None, Some(for_each)) => (for_each, "each"),
            _ => return Instances::One,
        };
        let span = expr_span(&attr.value, block_span(block));
        let value = self.ev.eval(&attr.value);
        let instances = if binding == "count" {
            match value.kind {
                ValueKind::Number(n) if functions::to_index(n).is_some_and(|n| n <= MAX_INSTANCES) => (0
                    ..functions::to_index(n).unwrap_or(0))
                    .map(|i| {
                        let index = Value::new(ValueKind::Number(eval::whole(i as u64)));
                        let bound = Value::new(ValueKind::Object(vec![("index".to_owned(), index.clone())]));
                        Instance { suffix: format!("[{i}]"), key: index, bound, span }
                    })
                    .collect(),
                _ => return Instances::One,
            }
        } else {
            // Terraform's for_each takes a map or a set of strings, not a list.
            let Some(pairs) = each_pairs(value, false) else { return Instances::One };
            pairs
                .into_iter()
                .map(|(key, value)| {
                    let text = key.as_str().unwrap_or("").to_owned();
                    let suffix = format!("[{}]", serde_json::to_string(&text).unwrap_or_default());
                    let bound = Value::new(ValueKind::Object(vec![
                        ("key".to_owned(), key.clone()),
                        ("value".to_owned(), value),
                    ]));
                    Instance { suffix, key, bound, span }
                })
                .collect()
        };
        Instances::Each { binding, instances }
    }

    fn named(&mut self, list: NodeId, file: u32, block: &Block, name: &BlockLabel) {
        let entry = self.entry(list, file, block);
        self.string(entry, "name", name.as_str(), label_span(name));
        let attributes = self.s.b.map(entry, "attributes", block_span(block));
        self.body(attributes, file, &block.body, &[], 0);
    }

    fn module(&mut self, list: NodeId, file: u32, block: &Block, name: &BlockLabel) {
        let entry = self.entry(list, file, block);
        self.string(entry, "name", name.as_str(), label_span(name));
        if let Some(source) = block.body.get_attribute("source") {
            self.attribute(entry, file, source);
        }
        let arguments = self.s.b.map(entry, "arguments", block_span(block));
        self.body(arguments, file, &block.body, &["source"], 0);
        if let (Some(dir), Some(source)) =
            (self.called.get(name.as_str()), block.body.get_attribute("source"))
        {
            let dir = dir.clone();
            self.s.b.string(entry, "directory", &dir, expr_span(&source.value, block_span(block)));
        }
    }

    fn notice(&mut self, file: u32, span: Span, message: String) {
        if let Some(file) = self.s.b.file(file).cloned() {
            self.s.notices.push(FileMessage { file, span, message });
        }
    }

    /// Loads the local module a `module` block calls and makes its outputs known to this
    /// module's expressions; a remote source is a notice.
    fn preload(&mut self, file: u32, block: &Block, name: &str) {
        let Some(source) = block.body.get_attribute("source") else { return };
        self.ev.file = file;
        let span = expr_span(&source.value, block_span(block));
        // Terraform requires a literal source; `terraform init` reports anything else.
        let Some(path) = self.ev.eval(&source.value).as_str().map(str::to_owned) else { return };
        if !(path.starts_with("./") || path.starts_with("../")) {
            let message = format!(
                "module {name}: the source {path:?} is not fetched (rampart never uses the network), \
                 so the resources of that module are not evaluated"
            );
            return self.notice(file, span, message);
        }
        if let Some((dir, outputs)) = self.call(file, block, name, &path, span) {
            // With count or for_each, `module.NAME` is a list or map of instances.
            if !block.body.has_attribute("count") && !block.body.has_attribute("for_each") {
                self.ev.set_module_outputs(name, outputs);
            }
            self.called.insert(name.to_owned(), dir);
        }
    }

    /// This module's outputs, evaluated, each remembering where it is computed.
    fn outputs(&mut self, files: &[(u32, &ModuleSource)]) -> Value {
        let mut outputs = Vec::new();
        for (file, source) in files {
            for block in source.body.blocks() {
                let ("output", [name]) = (block.ident.value().as_str(), block.labels.as_slice()) else {
                    continue;
                };
                let Some(attr) = block.body.get_attribute("value") else { continue };
                self.ev.file = *file;
                let mut value = self.ev.eval(&attr.value);
                if value.origin.is_none()
                    && let Some(range) = attr.value.span()
                {
                    let what = format!("output {} of {} is computed here", name.as_str(), self.describe());
                    let origin = value::Origin { place: Place::Module(*file), span: to_span(&range), what };
                    value.origin = Some(Box::new(origin));
                }
                eval::insert(&mut outputs, name.as_str().to_owned(), value);
            }
        }
        Value::new(ValueKind::Object(outputs))
    }

    /// `module.network` for a called module, `the root module` for the root.
    fn describe(&self) -> String {
        self.module.prefix.strip_suffix('.').map_or_else(|| "the root module".to_owned(), str::to_owned)
    }

    /// Loads a local module and writes its blocks with its variables bound to the calling
    /// block's arguments; its directory and outputs.
    fn call(
        &mut self,
        file: u32,
        block: &Block,
        name: &str,
        source: &str,
        span: Span,
    ) -> Option<(String, Value)> {
        let loader = self.s.loader?;
        let dir = join_dir(&self.module.dir, source);
        if self.module.chain.contains(&dir) || dir.is_empty() && !self.module.dir.is_empty() {
            let message = format!(
                "module {name}: {source} calls a module that is already being read (a cycle); not loaded"
            );
            self.notice(file, span, message);
            return None;
        }
        if self.module.chain.len() >= MAX_MODULE_DEPTH {
            let message =
                format!("module {name}: modules nested more than {MAX_MODULE_DEPTH} deep are not loaded");
            self.notice(file, span, message);
            return None;
        }
        // Listed even when it fails to load: its errors are reported here, not again on its own.
        self.s.loaded.push(dir.clone());
        let files = match loader.load(&dir) {
            Ok(files) if !files.is_empty() => files,
            Ok(_) => {
                let message = format!("module {name}: the directory {source} has no .tf files");
                self.error(file, span, message);
                return None;
            }
            Err(why) => {
                let message = format!("module {name}: could not read {source}: {why}");
                self.error(file, span, message);
                return None;
            }
        };
        let mut sources = Vec::with_capacity(files.len());
        for child in &files {
            match ModuleSource::read(child) {
                Ok(source) => sources.push(source),
                Err(e) => {
                    let child = Arc::clone(child);
                    self.s.errors.push(FileMessage { file: child, span: e.span, message: e.message });
                    return None;
                }
            }
        }
        let indexes: Vec<u32> = files.into_iter().map(|f| self.s.b.add_file(f)).collect();
        let mut inputs = Inputs::new();
        self.ev.file = file;
        for attr in block.body.attributes() {
            let key = attr.key.value().as_str();
            if matches!(key, "source" | "version" | "count" | "for_each" | "providers" | "depends_on") {
                continue;
            }
            let mut value = self.ev.eval(&attr.value);
            self.settle(&mut value, 0);
            let span = expr_span(&attr.value, block_span(block));
            let origin = InputOrigin::Argument { file, span, module: name.to_owned() };
            inputs.values.push(Input { name: key.to_owned(), value, origin });
        }
        let mut chain = self.module.chain.clone();
        chain.push(dir.clone());
        let prefix = format!("{}module.{name}.", self.module.prefix);
        let context = ModuleContext { prefix, dir: dir.clone(), chain };
        let numbered: Vec<(u32, &ModuleSource)> = indexes.iter().copied().zip(&sources).collect();
        let outputs = write_module(self.s, &numbered, &inputs, context);
        self.s.keep_json_maps(indexes.into_iter().zip(sources));
        Some((dir, outputs))
    }

    fn error(&mut self, file: u32, span: Span, message: String) {
        if let Some(file) = self.s.b.file(file).cloned() {
            self.s.errors.push(FileMessage { file, span, message });
        }
    }

    /// Makes a value passed to another module independent of this module's inputs: origins in
    /// a `.tfvars` file become places in the document's copy of that file.
    fn settle(&mut self, value: &mut Value, depth: usize) {
        if depth > MAX_VALUE_DEPTH {
            return;
        }
        if let Some(origin) = value.origin.as_deref_mut()
            && let Place::Input(index) = origin.place
        {
            match self.ev_inputs_origin(index) {
                Some((path, input, ..)) => {
                    let doc_file = self.input_file(&path, input);
                    origin.place = Place::Module(doc_file);
                    restamp(value, doc_file, 0);
                }
                None => value.origin = None,
            }
        }
        match &mut value.kind {
            ValueKind::List(items) => items.iter_mut().for_each(|v| self.settle(v, depth + 1)),
            ValueKind::Object(entries) => entries.iter_mut().for_each(|(_, v)| self.settle(v, depth + 1)),
            _ => {}
        }
        if let Some(decoded) = value.decoded.as_deref_mut() {
            self.settle(decoded, depth + 1);
        }
    }

    fn locals(&mut self, list: NodeId, file: u32, block: &Block) {
        for attr in block.body.attributes() {
            let span = attr.span().map_or(block_span(block), |r| to_span(&r));
            let entry = self.s.b.map(list, "", span);
            self.s.b.set_file(entry, file);
            self.tag_module(entry, span);
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
                    self.s.b.push(entry, "type", key_span, NodeKind::String, &text, span);
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
                    self.s.b.set_file(source, doc_file);
                } else if let Some(InputOrigin::Argument { file, span, module }) =
                    self.ev.inputs().values().get(index).map(|input| input.origin.clone())
                {
                    // The calling block's argument: shown there, in the caller's file.
                    self.value(entry, "value", None, &value, Home { file, bound: span }, span, Some(file));
                    let source = self.string(entry, "source", &format!("module {module}"), span);
                    self.s.b.set_file(source, file);
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
            InputOrigin::CommandLine | InputOrigin::Argument { .. } => None,
        }
    }

    /// The document's index for an input file, adding the file on first use.
    fn input_file(&mut self, path: &str, file: Arc<SourceFile>) -> u32 {
        if let Some(&index) = self.s.input_files.get(path) {
            return index;
        }
        let index = self.s.b.add_file(file);
        self.s.input_files.insert(path.to_owned(), index);
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
                    let key = attr.key.value().as_str();
                    if skip.contains(&key) {
                        continue;
                    }
                    // Meta-arguments name objects rather than read values: `depends_on =
                    // [aws_iam_role.x]` is the address, not the role's (unknown) value.
                    let names_objects =
                        matches!(key, "depends_on" | "ignore_changes" | "replace_triggered_by")
                            || key == "provider" && depth == 0;
                    if names_objects {
                        self.addresses(map, file, attr);
                    } else {
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
                        let list = self.s.b.push(map, &key, Some(key_span), NodeKind::List, "", span);
                        lists.insert(key.clone(), list);
                        list
                    };
                    if depth >= MAX_BLOCK_DEPTH {
                        self.s.b.unknown(list, "", "blocks nested too deeply to read", span);
                    } else if dynamic {
                        self.dynamic(list, file, block, &key, depth);
                    } else {
                        let item = self.s.b.map(list, "", span);
                        if !block.labels.is_empty() {
                            let labels = self.s.b.list(item, "labels", span);
                            for label in &block.labels {
                                self.s.b.string(labels, "", label.as_str(), label_span(label));
                            }
                        }
                        self.body(item, file, &block.body, &[], depth + 1);
                    }
                }
            }
        }
    }

    /// A meta-argument that names objects: a string of each address as written (a list of
    /// them for a list).
    fn addresses(&mut self, parent: NodeId, file: u32, attr: &Attribute) {
        let whole = attr.span().map_or_else(Span::default, |r| to_span(&r));
        let key_span = attr.key.span().map(|r| to_span(&r));
        let key = attr.key.value().as_str();
        let text_of = |expr: &Expression| {
            let span = expr_span(expr, whole);
            let text = self.ev.source(file).and_then(|t| t.get(span.start as usize..span.end as usize));
            (text.unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" "), span)
        };
        match &attr.value {
            Expression::Array(items) => {
                let written: Vec<(String, Span)> = items.iter().map(text_of).collect();
                let span = expr_span(&attr.value, whole);
                let list = self.s.b.push(parent, key, key_span, NodeKind::List, "", span);
                for (text, span) in written {
                    self.s.b.string(list, "", &text, span);
                }
            }
            other => {
                let (text, span) = text_of(other);
                self.s.b.push(parent, key, key_span, NodeKind::String, &text, span);
            }
        }
    }

    /// A `dynamic` block: one block per element of its `for_each`, written from its `content`
    /// with the iterator (`<label>.key`, `<label>.value`, or the `iterator` name) bound.
    fn dynamic(&mut self, list: NodeId, file: u32, block: &Block, label: &str, depth: usize) {
        let span = block_span(block);
        let Some(content) = block.body.get_blocks("content").next() else {
            self.s.b.unknown(list, "", &format!("dynamic block {label} has no content block"), span);
            return;
        };
        let iterator = match block.body.get_attribute("iterator").map(|a| &a.value) {
            Some(Expression::Variable(name)) => name.value().as_str().to_owned(),
            _ => label.to_owned(),
        };
        self.ev.file = file;
        let for_each = block.body.get_attribute("for_each").map(|a| self.ev.eval(&a.value));
        let reason = match for_each.map(|v| (v.as_unknown().map(|u| u.reason.clone()), each_pairs(v, true))) {
            Some((_, Some(pairs))) if pairs.len() <= MAX_INSTANCES => {
                let content_span = block_span(content);
                for (key, value) in pairs {
                    let bound = Value::new(ValueKind::Object(vec![
                        ("key".to_owned(), key),
                        ("value".to_owned(), value),
                    ]));
                    self.ev.bind(&iterator, bound);
                    let item = self.s.b.map(list, "", content_span);
                    if let Some(labels) = block.body.get_attribute("labels") {
                        self.attribute(item, file, labels);
                    }
                    self.body(item, file, &content.body, &[], depth + 1);
                    self.ev.unbind();
                }
                return;
            }
            Some((_, Some(_))) => format!("more than {MAX_INSTANCES} elements"),
            Some((Some(reason), None)) => reason,
            Some((None, None)) => "for_each is not a collection".to_owned(),
            None => "no for_each".to_owned(),
        };
        self.s.b.unknown(list, "", &format!("dynamic block {label} is not expanded: {reason}"), span);
    }

    /// An attribute as a map entry: the evaluated value, spanning the expression, keyed by the
    /// name as written.
    fn attribute(&mut self, parent: NodeId, file: u32, attr: &Attribute) {
        let whole = attr.span().map_or_else(Span::default, |r| to_span(&r));
        let span = expr_span(&attr.value, whole);
        let key_span = attr.key.span().map(|r| to_span(&r));
        self.ev.file = file;
        let mut value = self.ev.eval(&attr.value);
        self.decode_json_text(file, span, &mut value);
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

    /// A string attribute written as a JSON object or array (a heredoc policy, a
    /// `container_definitions` document) gets its structure, located in the file where the
    /// text appears verbatim (a heredoc, a string without escapes), else at the attribute.
    fn decode_json_text(&mut self, file: u32, span: Span, value: &mut Value) {
        let Some(text) = value.as_str() else { return };
        let trimmed = text.trim_start();
        if value.decoded.is_some() || !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
            return;
        }
        let written = self.ev.source(file).and_then(|t| t.get(span.start as usize..span.end as usize));
        let base = written.and_then(|w| w.find(text)).map(|offset| span.start + offset as u32);
        let decoded = match base {
            Some(base) if value.origin.is_none() => json::parse(text, file, base),
            _ => json::parse(text, file, 0).map(|mut v| {
                forget_spans(&mut v, 0);
                v
            }),
        };
        if let Ok(decoded) = decoded
            && self.ev.charge_value(&decoded)
        {
            value.decoded = Some(Box::new(decoded));
        }
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
        let at = Placing { key, key_span, home, fallback, set_file };
        self.value_at(parent, &at, value, None, 0)
    }

    /// Writes `value` under `parent`. `provenance`: the origin of the enclosing value read
    /// through a reference, which its parts written elsewhere share.
    fn value_at(
        &mut self,
        parent: NodeId,
        placing: &Placing<'_>,
        value: &Value,
        provenance: Option<Provenance<'_>>,
        depth: usize,
    ) -> NodeId {
        let Placing { key, key_span, home, fallback, set_file } = *placing;
        let own = value.at.filter(|at| home.contains(at));
        let span = own.map_or(fallback, |at| at.span);
        // A JSON string is shown as its structure, where this value stands.
        if let Some(decoded) = &value.decoded
            && depth < MAX_VALUE_DEPTH
        {
            let provenance = self.origin_of(value).or(provenance);
            let inner = Placing { fallback: span, ..*placing };
            return self.value_at(parent, &inner, decoded, provenance, depth + 1);
        }
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
        let node = self.s.b.push(parent, key, key_span, kind, &text, span);
        if let Some(file) = set_file {
            self.s.b.set_file(node, file);
        }
        // Where the value was set, when that is not where it is used: its own origin, or for a
        // part of a value read through a reference, where that part was written.
        let mine = self.origin_of(value);
        let origin_here = match (mine, value.at, provenance) {
            (Some(p), ..) => Some((p.file, p.span, p.what)),
            (None, Some(at), Some(p)) if own.is_none() => {
                let file = if at.file == INPUT_FILE { p.input_file } else { Some(at.file) };
                Some((file, at.span, p.what))
            }
            _ => None,
        };
        let provenance = mine.or(if own.is_none() { provenance } else { None });
        if let Some((Some(file), origin_span, what)) = origin_here
            && (file, origin_span) != (self.s.b.file_of(node), span)
        {
            self.s.b.set_origin(node, DocOrigin { file, span: origin_span, message: what.to_owned() });
        }
        if depth >= MAX_VALUE_DEPTH {
            return node;
        }
        match &value.kind {
            ValueKind::List(items) => {
                for item in items {
                    let inner = Placing { key: "", key_span: None, home, fallback: span, set_file: None };
                    self.value_at(node, &inner, item, provenance, depth + 1);
                }
            }
            ValueKind::Object(entries) => {
                for (k, v) in entries {
                    let key_span = v.at.filter(|at| home.contains(at)).and_then(|at| at.key_span);
                    let inner = Placing { key: k, key_span, home, fallback: span, set_file: None };
                    self.value_at(node, &inner, v, provenance, depth + 1);
                }
            }
            _ => {}
        }
        node
    }

    /// The place a value read through a reference was set, as a document file and span.
    fn origin_of<'v>(&mut self, value: &'v Value) -> Option<Provenance<'v>> {
        let origin = value.origin.as_deref()?;
        let file = match origin.place {
            Place::Module(file) => Some(file),
            Place::Input(index) => {
                let (path, file, ..) = self.ev_inputs_origin(index)?;
                Some(self.input_file(&path, file))
            }
        };
        let input_file = if matches!(origin.place, Place::Input(_)) { file } else { None };
        Some(Provenance { file, input_file, span: origin.span, what: &origin.what })
    }
}

/// Where a value node goes: its key, the expression it is written for, the span to use when
/// the value was written elsewhere, and a file override (see [`Writer::value`]).
#[derive(Clone, Copy)]
struct Placing<'k> {
    key: &'k str,
    key_span: Option<Span>,
    home: Home,
    fallback: Span,
    set_file: Option<u32>,
}

/// The origin of a value read through a reference, resolved to the document's files.
#[derive(Clone, Copy)]
struct Provenance<'v> {
    file: Option<u32>,
    /// The document file of the input (`.tfvars`) the value came from, for its parts.
    input_file: Option<u32>,
    span: Span,
    what: &'v str,
}

/// Points the places of a value read from an input file at the document's copy of it.
fn restamp(value: &mut Value, file: u32, depth: usize) {
    if let Some(at) = &mut value.at
        && at.file == INPUT_FILE
    {
        at.file = file;
    }
    if depth > MAX_VALUE_DEPTH {
        return;
    }
    match &mut value.kind {
        ValueKind::List(items) => items.iter_mut().for_each(|v| restamp(v, file, depth + 1)),
        ValueKind::Object(entries) => entries.iter_mut().for_each(|(_, v)| restamp(v, file, depth + 1)),
        _ => {}
    }
}

/// More `count` or `for_each` instances than this are not expanded (the block is written once).
const MAX_INSTANCES: usize = 1000;

struct ResourceLabels<'a> {
    kind: &'a BlockLabel,
    name: &'a BlockLabel,
    data: bool,
    address: &'a str,
}

enum Instances {
    /// The block once: no `count`/`for_each`, or one whose value is not known.
    One,
    /// `binding` (`count` or `each`) is bound to each instance's `bound` value in turn.
    Each { binding: &'static str, instances: Vec<Instance> },
}

struct Instance {
    /// `[0]`, `["a"]`: appended to the address.
    suffix: String,
    /// `count.index` or `each.key`.
    key: Value,
    bound: Value,
    /// The `count`/`for_each` expression.
    span: Span,
}

/// The (key, value) pairs a `for_each` iterates: a map's entries, a set of strings' elements
/// (key and value alike), and with `lists` a list's (index, element). `None` when the value is
/// not a known collection of that kind.
fn each_pairs(value: Value, lists: bool) -> Option<Vec<(Value, Value)>> {
    match value.kind {
        ValueKind::Object(entries) => Some(entries.into_iter().map(|(k, v)| (Value::string(k), v)).collect()),
        ValueKind::List(items) if lists => Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::new(ValueKind::Number(eval::whole(i as u64))), v))
                .collect(),
        ),
        ValueKind::List(items) if items.iter().all(|v| v.as_str().is_some()) => {
            Some(items.into_iter().map(|v| (Value::string(v.as_str().unwrap_or("")), v)).collect())
        }
        _ => None,
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
