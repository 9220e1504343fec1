//! The Dockerfile parser.
//!
//! Three steps: [`lex`] turns physical lines into instructions (directives, comments, line
//! continuations, heredoc bodies), [`instr`] parses each instruction's own syntax, and the
//! emitter here walks the stages in order, expanding variables the way the builder would and
//! writing the document described in docs/document-model.md. Logical lines keep a map back to
//! file offsets, so every node spans its exact source text even across continuations.

mod expand;
mod instr;
mod json;
mod lex;

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use rampart_model::{Document, DocumentBuilder, Format, NodeId, NodeKind, SourceFile, Span};

use crate::ParseError;
use expand::{Env, Lookup, Val};
use instr::{Flag, Form, Health, Instr, Keyword};
use json::Lit;
use lex::{Lexed, Line, Raw};

/// Parses a Dockerfile into the shape documented in docs/document-model.md.
pub fn parse(file: Arc<SourceFile>) -> Result<Document, ParseError> {
    let text = Arc::clone(&file.text);
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let lexed = lex::lex(&text, start);
    let whole = Span::new(start as u32, text.len() as u32);
    let mut emitter = Emitter {
        b: DocumentBuilder::new(Format::Dockerfile, file, whole),
        text: &text,
        escape: lexed.escape,
        whole,
        budget: Cell::new(text.len().saturating_mul(16).saturating_add(1 << 20)),
    };
    emitter.document(lexed)?;
    Ok(emitter.b.finish())
}

/// Platform ARGs the builder defines in the global scope.
const PLATFORM_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Predefined ARGs, passed with `--build-arg` without being declared.
const PROXY_ARGS: [&str; 10] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The PATH of a stage built `FROM scratch`, which the builder sets.
const SCRATCH_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn builder_set(name: &str) -> bool {
    PLATFORM_ARGS.contains(&name) || PROXY_ARGS.contains(&name)
}

/// The value of an ARG declared without a default (and not imported from a global one).
fn no_default(name: &str) -> Val {
    if builder_set(name) {
        Val::Unknown(format!("{name} is set by the builder"))
    } else {
        Val::Unknown(format!("ARG {name} has no default value"))
    }
}

/// What a name that no ARG or ENV of this Dockerfile declared expands to.
#[derive(Clone, Debug)]
enum Base {
    /// FROM lines: only global ARGs exist; anything else is empty.
    Global,
    /// A stage whose ancestry starts `FROM scratch`: empty but for PATH.
    Scratch,
    /// A stage on an image: its ENV is unknown here.
    Image(String),
}

#[derive(Debug)]
struct Var {
    /// Shared: a stage's ENV is copied into every stage built `FROM` it.
    val: Rc<Val>,
    /// ENV wins over an ARG of the same name declared later.
    env: bool,
}

#[derive(Debug)]
struct Scope {
    vars: HashMap<String, Var>,
    base: Base,
    /// The global ARGs, which `ARG NAME` without a default imports into a stage.
    globals: Rc<HashMap<String, Val>>,
}

impl Scope {
    fn new(base: Base, globals: Rc<HashMap<String, Val>>) -> Self {
        Self { vars: HashMap::new(), base, globals }
    }

    fn set_arg(&mut self, name: &str, val: Val) {
        if self.vars.get(name).is_some_and(|v| v.env) {
            return;
        }
        let val = Rc::new(val);
        self.vars.insert(name.to_owned(), Var { val, env: false });
    }

    fn set_env(&mut self, name: String, val: Rc<Val>) {
        self.vars.insert(name, Var { val, env: true });
    }

    fn imported(&self, name: &str) -> Val {
        self.globals.get(name).cloned().unwrap_or_else(|| no_default(name))
    }
}

impl Env for Scope {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        if let Some(var) = self.vars.get(name) {
            return match var.val.as_ref() {
                Val::Str(value) => Lookup::Set(Cow::Borrowed(value)),
                Val::Unknown(reason) => Lookup::Unknown(Cow::Borrowed(reason)),
            };
        }
        if builder_set(name) {
            return Lookup::Unknown(Cow::Owned(format!("{name} is set by the builder")));
        }
        match &self.base {
            Base::Scratch if name == "PATH" => Lookup::Set(Cow::Borrowed(SCRATCH_PATH)),
            Base::Global | Base::Scratch => Lookup::Unset,
            Base::Image(image) => Lookup::Unknown(Cow::Owned(format!(
                "{name} is not set in this Dockerfile and may come from the base image {image}"
            ))),
        }
    }
}

/// What a later `FROM <stage>` inherits.
#[derive(Debug)]
struct StageInfo {
    env: Vec<(String, Rc<Val>)>,
    base: Base,
}

#[derive(Debug, Default)]
struct Stages {
    infos: Vec<StageInfo>,
    /// Lowercase names (stage names are case-insensitive) to indexes.
    by_name: HashMap<String, usize>,
}

struct Emitter<'a> {
    b: DocumentBuilder,
    text: &'a str,
    escape: u8,
    whole: Span,
    /// Bytes of expanded text still allowed (see [`Emitter::charge`]).
    budget: Cell<usize>,
}

fn cover(spans: impl Iterator<Item = Span>, empty: Span) -> Span {
    spans.reduce(Span::to).unwrap_or(empty)
}

impl Emitter<'_> {
    fn document(&mut self, lexed: Lexed) -> Result<(), ParseError> {
        const ROOT: NodeId = DocumentBuilder::ROOT;
        let here = Span::new(self.whole.start, self.whole.start);
        let escape = if lexed.escape == b'`' { "`" } else { "\\" };
        self.b.string(ROOT, "escape", escape, lexed.escape_span.unwrap_or(here));
        let directives = self.b.map(ROOT, "directives", cover(lexed.directives.iter().map(|d| d.span), here));
        for d in &lexed.directives {
            self.b.push(directives, &d.name, Some(d.name_span), NodeKind::String, &d.value, d.value_span);
        }

        let first_from = lexed.instrs.iter().position(|r| r.instr.keyword == Keyword::From);
        let (globals, in_stages) = lexed.instrs.split_at(first_from.unwrap_or(lexed.instrs.len()));
        if let Some(raw) = globals.iter().find(|r| r.instr.keyword != Keyword::Arg) {
            let name = raw.instr.keyword.name();
            return Err(ParseError::new(
                raw.line.span(raw.instr.kw.clone()),
                format!("{name} before the first FROM: only ARG may come before FROM"),
            ));
        }
        let args = self.b.list(ROOT, "args", cover(globals.iter().map(|r| r.span), here));
        let mut global = Scope::new(Base::Global, Rc::default());
        for raw in globals {
            self.global_arg(args, raw, &mut global)?;
        }
        let globals: Rc<HashMap<String, Val>> =
            Rc::new(global.vars.iter().map(|(k, v)| (k.clone(), Val::clone(&v.val))).collect());

        if in_stages.is_empty() {
            return Err(lexed.error.unwrap_or_else(|| ParseError::new(self.whole, "no FROM instruction")));
        }
        let stage_list = self.b.list(ROOT, "stages", cover(in_stages.iter().map(|r| r.span), here));
        let mut stages = Stages::default();
        let mut rest = in_stages;
        while let Some((from, after)) = rest.split_first() {
            let len = after.iter().position(|r| r.instr.keyword == Keyword::From).unwrap_or(after.len());
            let (body, next) = after.split_at(len);
            self.stage(stage_list, from, body, &global, &globals, &mut stages)?;
            rest = next;
        }
        lexed.error.map_or(Ok(()), Err)
    }

    fn global_arg(&mut self, list: NodeId, raw: &Raw, global: &mut Scope) -> Result<(), ParseError> {
        let line = &raw.line;
        for pair in &raw.instr.pairs {
            let item = self.b.map(list, "", line.span(pair.range.clone()));
            let name = line.slice(pair.key.clone());
            let name_span = line.span(pair.key.clone());
            self.b.string(item, "name", name, name_span);
            // Global ARGs see the ones declared before them, one at a time.
            let val = match &pair.value {
                Some(value) => {
                    let val = self.expand(line, value.clone(), global)?;
                    self.val(item, "value", Some(name_span), &val, line.span(value.clone()));
                    val
                }
                None => no_default(name),
            };
            global.set_arg(name, val);
        }
        Ok(())
    }

    fn stage(
        &mut self,
        list: NodeId,
        from: &Raw,
        body: &[Raw],
        global: &Scope,
        globals: &Rc<HashMap<String, Val>>,
        stages: &mut Stages,
    ) -> Result<(), ParseError> {
        let line = &from.line;
        let ins = &from.instr;
        let image = ins.words.first().cloned().unwrap_or_else(|| ins.args.clone());
        let alias = ins.words.get(2).cloned();
        let alias_lower = alias.as_ref().map(|a| line.slice(a.clone()).to_ascii_lowercase());
        if let (Some(a), Some(lower)) = (&alias, &alias_lower)
            && stages.by_name.contains_key(lower)
        {
            let written = line.slice(a.clone());
            return Err(ParseError::new(line.span(a.clone()), format!("duplicate stage name `{written}`")));
        }

        let span = Span::new(from.span.start, body.last().map_or(from.span.end, |r| r.span.end));
        let stage = self.b.map(list, "", span);
        let kw_span = line.span(ins.kw.clone());
        self.b.number(stage, "index", &stages.infos.len().to_string(), kw_span);
        if let Some(a) = &alias {
            self.b.string(stage, "name", line.slice(a.clone()), line.span(a.clone()));
        }

        let fm = self.common(stage, "from", line, ins);
        let image_span = line.span(image.clone());
        let written = line.slice(image.clone());
        self.b.string(fm, "image", written, image_span);
        let expanded = self.expand(line, image.clone(), global)?;
        self.val(fm, "expanded", None, &expanded, image_span);
        let parent = match &expanded {
            Val::Str(reference) => stages.by_name.get(&reference.to_ascii_lowercase()).copied(),
            Val::Unknown(_) => None,
        };
        if let (None, Val::Str(reference)) = (parent, &expanded) {
            self.reference(fm, line, image.clone(), reference);
        }
        if let Some(platform) = ins.flags.iter().find(|f| f.name == "platform")
            && let Some(value) = &platform.value
        {
            self.b.string(fm, "platform", value, line.span(platform.value_range.clone()));
        }
        if let Some(index) = parent {
            self.b.number(fm, "stage", &index.to_string(), image_span);
        }

        let mut scope = if let Some(info) = parent.and_then(|p| stages.infos.get(p)) {
            let mut scope = Scope::new(info.base.clone(), Rc::clone(globals));
            for (name, val) in &info.env {
                scope.set_env(name.clone(), Rc::clone(val));
            }
            scope
        } else {
            let base = match &expanded {
                Val::Str(reference) if reference == "scratch" => Base::Scratch,
                Val::Str(reference) => Base::Image(reference.clone()),
                Val::Unknown(_) => Base::Image(written.to_owned()),
            };
            Scope::new(base, Rc::clone(globals))
        };

        let here = Span::new(from.span.end, from.span.end);
        let instructions = self.b.list(stage, "instructions", cover(body.iter().map(|r| r.span), here));
        for raw in body {
            self.instruction(instructions, "", &raw.line, &raw.instr, Some(&mut scope))?;
        }
        let env = scope.vars.into_iter().filter(|(_, v)| v.env).map(|(k, v)| (k, v.val)).collect();
        if let Some(name) = alias_lower {
            stages.by_name.insert(name, stages.infos.len());
        }
        stages.infos.push(StageInfo { env, base: scope.base });
        Ok(())
    }

    /// `tag` and `digest` of a known image reference; exact spans when it was written
    /// without variables.
    fn reference(&mut self, fm: NodeId, line: &Line, image: Range<usize>, reference: &str) {
        let verbatim = line.slice(image.clone()) == reference;
        let span_of = |part: Range<usize>| {
            if verbatim {
                line.span(image.start + part.start..image.start + part.end)
            } else {
                line.span(image.clone())
            }
        };
        let name_end = reference.find('@').unwrap_or(reference.len());
        let last_part = reference.get(..name_end).and_then(|n| n.rfind('/')).map_or(0, |i| i + 1);
        let tag_start = reference.get(last_part..name_end).and_then(|p| p.find(':'));
        if let Some(colon) = tag_start {
            let tag = last_part + colon + 1..name_end;
            if let Some(text) = reference.get(tag.clone()).filter(|t| !t.is_empty()) {
                self.b.string(fm, "tag", text, span_of(tag));
            }
        }
        let digest = name_end + 1..reference.len();
        if let Some(text) = reference.get(digest.clone()).filter(|d| !d.is_empty()) {
            self.b.string(fm, "digest", text, span_of(digest));
        }
    }

    /// The fields every instruction map has: `keyword`, `arguments`, `flags`.
    fn common(&mut self, parent: NodeId, key: &str, line: &Line, ins: &Instr) -> NodeId {
        let m = self.b.map(parent, key, ins.span(line));
        self.b.string(m, "keyword", ins.keyword.name(), line.span(ins.kw.clone()));
        self.b.string(m, "arguments", line.slice(ins.args.clone()), line.span(ins.args.clone()));
        if !ins.flags.is_empty() {
            self.flags(m, line, &ins.flags);
        }
        m
    }

    fn instruction(
        &mut self,
        parent: NodeId,
        key: &str,
        line: &Line,
        ins: &Instr,
        scope: Option<&mut Scope>,
    ) -> Result<NodeId, ParseError> {
        let m = self.common(parent, key, line, ins);
        let args_span = line.span(ins.args.clone());
        if let Some(form) = &ins.form {
            self.form(m, line, ins.args.clone(), form);
        }
        if ins.keyword.expands()
            && let Some(scope) = scope.as_deref()
        {
            let expanded = match &ins.form {
                Some(Form::Exec(items)) => self.expand_items(line, items, scope)?,
                _ => self.expand(line, ins.args.clone(), scope)?,
            };
            self.val(m, "expanded", None, &expanded, args_span);
        }
        if !ins.heredocs.is_empty() {
            self.heredocs(m, line, ins);
        }
        match ins.keyword {
            Keyword::User => self.user(m, line, ins.args.clone(), scope.as_deref())?,
            Keyword::Env | Keyword::Label => self.pairs(m, line, ins, scope)?,
            Keyword::Arg => self.arg(m, line, ins, scope)?,
            Keyword::Expose => {
                let ports = self.b.list(m, "ports", args_span);
                for word in &ins.words {
                    let val = self.value(line, word.clone(), scope.as_deref())?;
                    self.val(ports, "", None, &val, line.span(word.clone()));
                }
            }
            Keyword::Copy | Keyword::Add => self.copy(m, line, ins, scope.as_deref())?,
            Keyword::Onbuild => {
                if let Some(trigger) = &ins.trigger {
                    // The trigger runs, and is expanded, in the child build.
                    self.instruction(m, "trigger", line, trigger, None)?;
                }
            }
            Keyword::Healthcheck => match &ins.health {
                Some(Health::None(word)) => {
                    self.b.boolean(m, "none", true, line.span(word.clone()));
                }
                Some(Health::Cmd { keyword, args, form }) => {
                    let end = if args.is_empty() { keyword.end } else { args.end };
                    let cmd = self.b.map(m, "cmd", line.span(keyword.start..end));
                    self.b.string(cmd, "keyword", "CMD", line.span(keyword.clone()));
                    self.b.string(cmd, "arguments", line.slice(args.clone()), line.span(args.clone()));
                    self.form(cmd, line, args.clone(), form);
                }
                None => {}
            },
            _ => {}
        }
        Ok(m)
    }

    fn flags(&mut self, m: NodeId, line: &Line, flags: &[Flag]) {
        let all = cover(flags.iter().map(|f| line.span(f.range.clone())), Span::default());
        let map = self.b.map(m, "flags", all);
        let mut order: Vec<&str> = Vec::new();
        let mut by_name: HashMap<&str, Vec<&Flag>> = HashMap::new();
        for flag in flags {
            let same = by_name.entry(&flag.name).or_default();
            if same.is_empty() {
                order.push(&flag.name);
            }
            same.push(flag);
        }
        for name in order {
            let same = by_name.remove(name).unwrap_or_default();
            let Some(flag) = same.first() else { continue };
            let name_span = Some(line.span(flag.name_range.clone()));
            if let [only] = same.as_slice() {
                self.flag_value(map, &only.name, name_span, line, only);
            } else {
                // Repeatable flags (RUN --mount) keep every occurrence, in order.
                let span = cover(same.iter().map(|f| line.span(f.range.clone())), Span::default());
                let list = self.b.push(map, &flag.name, name_span, NodeKind::List, "", span);
                for f in same {
                    self.flag_value(list, "", None, line, f);
                }
            }
        }
    }

    fn flag_value(&mut self, parent: NodeId, key: &str, key_span: Option<Span>, line: &Line, flag: &Flag) {
        if let Some(value) = &flag.value {
            let span = line.span(flag.value_range.clone());
            self.b.push(parent, key, key_span, NodeKind::String, value, span);
        } else {
            let span = line.span(flag.range.clone());
            self.b.push(parent, key, key_span, NodeKind::Bool, "true", span);
        }
    }

    fn form(&mut self, m: NodeId, line: &Line, args: Range<usize>, form: &Form) {
        let span = line.span(args);
        match form {
            Form::Shell => {
                self.b.string(m, "form", "shell", span);
            }
            Form::Exec(items) => {
                self.b.string(m, "form", "exec", span);
                let list = self.b.list(m, "exec", span);
                for item in items {
                    self.b.string(list, "", &item.value, line.span(item.range.clone()));
                }
            }
        }
    }

    fn heredocs(&mut self, m: NodeId, line: &Line, ins: &Instr) {
        let spans = ins.heredocs.iter().map(|h| Span::new(line.span(h.word.clone()).start, h.end));
        let list = self.b.list(m, "heredocs", cover(spans, Span::default()));
        for doc in &ins.heredocs {
            let item = self.b.map(list, "", Span::new(line.span(doc.word.clone()).start, doc.end));
            let name_span = line.span(doc.name_range.clone());
            self.b.string(item, "delimiter", &doc.name, name_span);
            let body = self.text.get(doc.body.start as usize..doc.body.end as usize).unwrap_or("");
            let body: Cow<'_, str> = if doc.strip_tabs {
                Cow::Owned(body.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect())
            } else {
                Cow::Borrowed(body)
            };
            self.b.string(item, "body", &body, doc.body);
            self.b.boolean(item, "expand", doc.expand, name_span);
            self.b.boolean(item, "strip-tabs", doc.strip_tabs, line.span(doc.word.clone()));
        }
    }

    /// USER `user[:group]`, split after expansion (a variable may hold the colon).
    fn user(
        &mut self,
        m: NodeId,
        line: &Line,
        args: Range<usize>,
        scope: Option<&Scope>,
    ) -> Result<(), ParseError> {
        let colon = top_level_colon(line.slice(args.clone()), self.escape).map(|c| args.start + c);
        let (user_range, group_range) = match colon {
            Some(c) => (args.start..c, c + 1..args.end),
            None => (args.clone(), args.clone()),
        };
        match self.value(line, args.clone(), scope)? {
            Val::Str(whole) => {
                let (user, group) = match whole.split_once(':') {
                    Some((user, group)) => (user, Some(group)),
                    None => (whole.as_str(), None),
                };
                self.b.string(m, "user", user, line.span(user_range));
                if let Some(group) = group {
                    self.b.string(m, "group", group, line.span(group_range));
                }
            }
            Val::Unknown(reason) => {
                if colon.is_some() {
                    let user = self.value(line, user_range.clone(), scope)?;
                    let group = self.value(line, group_range.clone(), scope)?;
                    self.val(m, "user", None, &user, line.span(user_range));
                    self.val(m, "group", None, &group, line.span(group_range));
                } else {
                    // The unknown value may or may not contain a group.
                    let span = line.span(args);
                    self.b.unknown(m, "user", &reason, span);
                    self.b.unknown(m, "group", &reason, span);
                }
            }
        }
        Ok(())
    }

    fn pairs(
        &mut self,
        m: NodeId,
        line: &Line,
        ins: &Instr,
        scope: Option<&mut Scope>,
    ) -> Result<(), ParseError> {
        let list = self.b.list(m, "pairs", line.span(ins.args.clone()));
        let mut updates = Vec::new();
        // Every pair sees the variables as they were before the instruction, as in Docker.
        for pair in &ins.pairs {
            let item = self.b.map(list, "", line.span(pair.range.clone()));
            let key_span = line.span(pair.key.clone());
            let key = self.value(line, pair.key.clone(), scope.as_deref())?;
            self.val(item, "key", None, &key, key_span);
            let value_range = pair.value.clone().unwrap_or(pair.range.end..pair.range.end);
            let value = self.value(line, value_range.clone(), scope.as_deref())?;
            self.val(item, "value", Some(key_span), &value, line.span(value_range));
            if let Val::Str(key) = key {
                updates.push((key, value));
            }
        }
        if ins.keyword == Keyword::Env
            && let Some(scope) = scope
        {
            for (key, value) in updates {
                scope.set_env(key, Rc::new(value));
            }
        }
        Ok(())
    }

    fn arg(
        &mut self,
        m: NodeId,
        line: &Line,
        ins: &Instr,
        scope: Option<&mut Scope>,
    ) -> Result<(), ParseError> {
        let mut defaults = Vec::with_capacity(ins.pairs.len());
        for pair in &ins.pairs {
            defaults.push(match &pair.value {
                Some(value) => Some(self.value(line, value.clone(), scope.as_deref())?),
                None => None,
            });
        }
        let declared = ins.pairs.iter().zip(&defaults);
        if let Some((pair, default)) = declared.clone().next() {
            self.arg_fields(m, line, pair, default.as_ref());
        }
        let list = self.b.list(m, "args", line.span(ins.args.clone()));
        for (pair, default) in declared.clone() {
            let item = self.b.map(list, "", line.span(pair.range.clone()));
            self.arg_fields(item, line, pair, default.as_ref());
        }
        if let Some(scope) = scope {
            for (pair, default) in declared {
                let name = line.slice(pair.key.clone());
                let val = default.clone().unwrap_or_else(|| scope.imported(name));
                scope.set_arg(name, val);
            }
        }
        Ok(())
    }

    fn arg_fields(&mut self, m: NodeId, line: &Line, pair: &instr::Pair, default: Option<&Val>) {
        let name_span = line.span(pair.key.clone());
        self.b.string(m, "name", line.slice(pair.key.clone()), name_span);
        if let (Some(value), Some(range)) = (default, &pair.value) {
            self.val(m, "value", Some(name_span), value, line.span(range.clone()));
        }
    }

    fn copy(&mut self, m: NodeId, line: &Line, ins: &Instr, scope: Option<&Scope>) -> Result<(), ParseError> {
        let mut items = Vec::new();
        match &ins.form {
            Some(Form::Exec(lits)) => {
                for lit in lits {
                    items.push((self.lit(line, lit, scope)?, line.span(lit.range.clone())));
                }
            }
            _ => {
                for word in &ins.words {
                    items.push((self.value(line, word.clone(), scope)?, line.span(word.clone())));
                }
            }
        }
        let Some(((destination, destination_span), sources)) = items.split_last() else {
            return Ok(());
        };
        let here = Span::new(destination_span.start, destination_span.start);
        let list = self.b.list(m, "sources", cover(sources.iter().map(|(_, s)| *s), here));
        for (val, span) in sources {
            self.val(list, "", None, val, *span);
        }
        self.val(m, "destination", None, destination, *destination_span);
        Ok(())
    }

    fn val(&mut self, parent: NodeId, key: &str, key_span: Option<Span>, val: &Val, span: Span) -> NodeId {
        match val {
            Val::Str(text) => self.b.push(parent, key, key_span, NodeKind::String, text, span),
            Val::Unknown(reason) => self.b.push(parent, key, key_span, NodeKind::Unknown, reason, span),
        }
    }

    fn expand(&self, line: &Line, range: Range<usize>, scope: &Scope) -> Result<Val, ParseError> {
        let val = expand::expand(line.slice(range.clone()), self.escape, scope)
            .map_err(|e| ParseError::new(line.span(range.start + e.start..range.start + e.end), e.message))?;
        Ok(self.charge(val))
    }

    /// Counts an expanded value against the file's budget: variables can make a small file
    /// expand to far more text than it holds, and a scanner must not be made to hold it.
    fn charge(&self, val: Val) -> Val {
        let Val::Str(text) = &val else { return val };
        match self.budget.get().checked_sub(text.len()) {
            Some(left) => {
                self.budget.set(left);
                val
            }
            None => {
                Val::Unknown("not evaluated: the expansions of this file exceed its expansion budget".into())
            }
        }
    }

    /// Expanded when a scope is given, as written otherwise (ONBUILD triggers).
    fn value(&self, line: &Line, range: Range<usize>, scope: Option<&Scope>) -> Result<Val, ParseError> {
        match scope {
            Some(scope) => self.expand(line, range, scope),
            None => Ok(Val::Str(line.slice(range).to_owned())),
        }
    }

    fn lit(&self, line: &Line, lit: &Lit, scope: Option<&Scope>) -> Result<Val, ParseError> {
        match scope {
            Some(scope) => expand::expand(&lit.value, self.escape, scope)
                .map(|val| self.charge(val))
                .map_err(|e| ParseError::new(line.span(lit.range.clone()), e.message)),
            None => Ok(Val::Str(lit.value.clone())),
        }
    }

    /// The exec-form elements expanded one by one and joined with spaces.
    fn expand_items(&self, line: &Line, items: &[Lit], scope: &Scope) -> Result<Val, ParseError> {
        let mut joined = String::new();
        for (i, item) in items.iter().enumerate() {
            match self.lit(line, item, Some(scope))? {
                Val::Str(text) => {
                    if i > 0 {
                        joined.push(' ');
                    }
                    joined.push_str(&text);
                }
                unknown @ Val::Unknown(_) => return Ok(unknown),
            }
        }
        Ok(self.charge(Val::Str(joined)))
    }
}

/// The offset of the first `:` outside quotes and `${...}`, not escaped.
fn top_level_colon(text: &str, escape: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == escape && quote != Some(b'\'') {
            i += 2;
            continue;
        }
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    depth += 1;
                    i += 1;
                }
                b'}' if depth > 0 => depth -= 1,
                b':' if depth == 0 => return Some(i),
                _ => {}
            },
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use rampart_model::NodeRef;

    use super::*;

    use crate::testing::{at, expect_doc, expect_error, has, key_src, lines, s, src, u, values};

    fn file(text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile::new("Dockerfile", text))
    }

    fn doc(text: impl AsRef<str>) -> Document {
        expect_doc(parse(file(text.as_ref())), text.as_ref())
    }

    /// The error and the source text its span covers.
    fn fail(text: impl AsRef<str>) -> (String, String) {
        expect_error(parse(file(text.as_ref())), text.as_ref())
    }

    #[test]
    fn directives_are_read_until_the_first_other_line() {
        let d = doc(lines(&[
            "# syntax=docker/dockerfile:1.7",
            "#  ESCAPE = \\  ",
            "# Check = skip=all",
            "",
            "# escape=`",
            "FROM alpine",
        ]));
        assert_eq!(s(&d, "directives.syntax"), ("docker/dockerfile:1.7", "docker/dockerfile:1.7"));
        assert_eq!(key_src(&d, "directives.escape"), "ESCAPE");
        assert_eq!(s(&d, "directives.check"), ("skip=all", "skip=all"));
        assert_eq!(at(&d, "directives").children().len(), 3);
        assert_eq!(s(&d, "escape"), ("\\", "\\"));
        assert_eq!(
            src(&d, at(&d, "directives")),
            "# syntax=docker/dockerfile:1.7\n#  ESCAPE = \\  \n# Check = skip=all"
        );

        // After a comment (or an unknown directive) a directive is just a comment.
        for text in ["# hello\n# escape=`\nFROM alpine\n", "# foo=bar\n# escape=`\nFROM alpine\n"] {
            let d = doc(text);
            assert_eq!(at(&d, "directives").children().len(), 0, "{text}");
            assert_eq!(s(&d, "escape").0, "\\");
        }
        let d = doc("FROM alpine\n# escape=`\nRUN a \\\n  b\n");
        assert_eq!(s(&d, "stages.0.instructions.0.arguments").0, "a   b");

        assert_eq!(
            fail("# escape=\\\n# ESCAPE=`\nFROM a\n"),
            ("only one `escape` parser directive can be used".into(), "# ESCAPE=`".into())
        );
        let (message, place) = fail("# escape=x\nFROM a\n");
        assert!(message.starts_with("invalid escape character `x`"), "{message}");
        assert_eq!(place, "x");
    }

    #[test]
    fn backtick_escape() {
        let text = lines(&[
            "# escape=`",
            "FROM mcr.microsoft.com/windows/servercore",
            "RUN dir c:\\ `",
            "    && echo `$done",
            "WORKDIR c:\\app\\`$X",
            "COPY a\\ `",
            "  b\\",
        ]);
        let d = doc(text);
        assert_eq!(s(&d, "escape"), ("`", "`"));
        let run = "stages.0.instructions.0";
        assert_eq!(
            s(&d, &format!("{run}.arguments")),
            ("dir c:\\     && echo `$done", "dir c:\\ `\n    && echo `$done")
        );
        assert_eq!(src(&d, at(&d, run)), "RUN dir c:\\ `\n    && echo `$done");
        assert_eq!(s(&d, "stages.0.instructions.1.expanded"), ("c:\\app\\$X", "c:\\app\\`$X"));
        assert_eq!(values(&d, "stages.0.instructions.2.sources"), ["a\\"]);
        assert_eq!(s(&d, "stages.0.instructions.2.destination"), ("b\\", "b\\"));
    }

    #[test]
    fn continuations_skip_comment_and_blank_lines() {
        let text = lines(&[
            "FROM alpine",
            "RUN apk add \\",
            "    # the compiler",
            "    gcc \\",
            "",
            "   \t",
            "    musl-dev",
            "USER app",
        ]);
        let d = doc(text);
        let run = "stages.0.instructions.0";
        assert_eq!(
            s(&d, &format!("{run}.arguments")),
            (
                "apk add     gcc     musl-dev",
                "apk add \\\n    # the compiler\n    gcc \\\n\n   \t\n    musl-dev"
            )
        );
        assert_eq!(
            src(&d, at(&d, run)),
            "RUN apk add \\\n    # the compiler\n    gcc \\\n\n   \t\n    musl-dev"
        );
        assert_eq!(s(&d, "stages.0.instructions.1.user"), ("app", "app"));
        // A continuation at the end of the file just ends the instruction.
        let d = doc("FROM alpine\nRUN echo \\   \t");
        assert_eq!(s(&d, "stages.0.instructions.0.arguments"), ("echo", "echo"));
    }

    #[test]
    fn crlf_line_endings() {
        let d = doc("FROM alpine\r\nRUN echo a \\\r\n  b\r\n\r\nUSER app:staff\r\n");
        assert_eq!(s(&d, "stages.0.from.image"), ("alpine", "alpine"));
        assert_eq!(s(&d, "stages.0.instructions.0.arguments"), ("echo a   b", "echo a \\\r\n  b"));
        assert_eq!(s(&d, "stages.0.instructions.1.user"), ("app", "app"));
        assert_eq!(s(&d, "stages.0.instructions.1.group"), ("staff", "staff"));
        assert_eq!(src(&d, at(&d, "stages.0.instructions.1")), "USER app:staff");
    }

    #[test]
    fn a_bom_is_skipped_and_spans_stay_file_offsets() {
        let d = doc("\u{feff}# escape=`\nFROM alpine\n");
        assert_eq!(d.root().span(), Span::new(3, 26));
        assert_eq!(at(&d, "directives.escape").span(), Span::new(12, 13));
        assert_eq!(at(&d, "stages.0.from.keyword").span(), Span::new(14, 18));
        assert_eq!(s(&d, "stages.0.from.image"), ("alpine", "alpine"));
    }

    #[test]
    fn heredocs() {
        let text = lines(&[
            "FROM alpine",
            "RUN <<EOF",
            "echo hi",
            "EOF",
            "RUN <<-\"END\" cat > /x",
            "\techo $HOME",
            "\tEND",
            "COPY <<A <<'B' /dest/",
            "a",
            "A",
            "b",
            "B",
            "RUN 2<<E\"O\"F echo done",
            "EOF",
            "USER app",
        ]);
        let d = doc(text);
        let first = "stages.0.instructions.0";
        assert_eq!(src(&d, at(&d, first)), "RUN <<EOF\necho hi\nEOF");
        assert_eq!(s(&d, &format!("{first}.arguments")), ("<<EOF", "<<EOF"));
        assert_eq!(s(&d, &format!("{first}.heredocs.0.delimiter")), ("EOF", "EOF"));
        assert_eq!(s(&d, &format!("{first}.heredocs.0.body")), ("echo hi\n", "echo hi\n"));
        assert_eq!(at(&d, &format!("{first}.heredocs.0.expand")).value(), "true");
        assert_eq!(at(&d, &format!("{first}.heredocs.0.strip-tabs")).value(), "false");
        assert_eq!(src(&d, at(&d, &format!("{first}.heredocs.0"))), "<<EOF\necho hi\nEOF");

        let second = "stages.0.instructions.1";
        assert_eq!(s(&d, &format!("{second}.heredocs.0.delimiter")), ("END", "\"END\""));
        assert_eq!(s(&d, &format!("{second}.heredocs.0.body")), ("echo $HOME\n", "\techo $HOME\n"));
        assert_eq!(at(&d, &format!("{second}.heredocs.0.expand")).value(), "false");
        assert_eq!(at(&d, &format!("{second}.heredocs.0.strip-tabs")).value(), "true");
        assert_eq!(s(&d, &format!("{second}.arguments")).0, "<<-\"END\" cat > /x");

        let copy = "stages.0.instructions.2";
        assert_eq!(src(&d, at(&d, copy)), "COPY <<A <<'B' /dest/\na\nA\nb\nB");
        assert_eq!(values(&d, &format!("{copy}.heredocs")).len(), 2);
        assert_eq!(s(&d, &format!("{copy}.heredocs.0.body")), ("a\n", "a\n"));
        assert_eq!(s(&d, &format!("{copy}.heredocs.1.delimiter")), ("B", "'B'"));
        assert_eq!(s(&d, &format!("{copy}.heredocs.1.body")), ("b\n", "b\n"));
        assert_eq!(at(&d, &format!("{copy}.heredocs.1.expand")).value(), "false");
        assert_eq!(values(&d, &format!("{copy}.sources")), ["<<A", "<<B"]);
        assert_eq!(s(&d, &format!("{copy}.destination")), ("/dest/", "/dest/"));

        // Partly quoted: no expansion; the file descriptor prefix is allowed.
        let partly = "stages.0.instructions.3";
        assert_eq!(s(&d, &format!("{partly}.heredocs.0.delimiter")), ("EOF", "E\"O\"F"));
        assert_eq!(at(&d, &format!("{partly}.heredocs.0.expand")).value(), "false");
        assert_eq!(s(&d, &format!("{partly}.heredocs.0.body")), ("", ""));
        assert_eq!(s(&d, "stages.0.instructions.4.user").0, "app");

        // Not heredocs: quoted, spaced, or on an instruction without heredocs.
        let d = doc("FROM alpine\nRUN echo \"<<EOF\" << EOF\nWORKDIR <<EOF\n");
        assert!(!has(&d, "stages.0.instructions.0.heredocs"));
        assert!(!has(&d, "stages.0.instructions.1.heredocs"));

        let (message, place) = fail("FROM alpine\nRUN cat <<EOF\nnever\nended\n");
        assert_eq!(
            (message.as_str(), place.as_str()),
            ("unterminated heredoc: no line `EOF` ends it", "<<EOF")
        );
        let (message, _) = fail("FROM alpine\nCOPY a <<EOF\nx\nEOF\n");
        assert!(message.contains("destination"), "{message}");
    }

    #[test]
    fn exec_and_shell_forms() {
        let text = lines(&[
            "FROM alpine",
            "CMD [ \"nginx\", \"-g\", \"daemon off;\" ]",
            "ENTRYPOINT [\"/bin/sh\", \"-c\"] extra",
            "RUN [not json",
            "RUN echo \"a b\"",
            "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
            "CMD [\"a\\\"b\\u00e9\"]",
            "VOLUME [\"/data\"]",
            "VOLUME /a /b",
        ]);
        let d = doc(text);
        let cmd = "stages.0.instructions.0";
        assert_eq!(s(&d, &format!("{cmd}.form")).0, "exec");
        assert_eq!(values(&d, &format!("{cmd}.exec")), ["nginx", "-g", "daemon off;"]);
        assert_eq!(s(&d, &format!("{cmd}.exec.2")), ("daemon off;", "\"daemon off;\""));
        assert_eq!(s(&d, "stages.0.instructions.1.form").0, "shell");
        assert!(!has(&d, "stages.0.instructions.1.exec"));
        assert_eq!(s(&d, "stages.0.instructions.2.form"), ("shell", "[not json"));
        assert_eq!(s(&d, "stages.0.instructions.3.form").0, "shell");
        assert_eq!(values(&d, "stages.0.instructions.4.exec"), ["/bin/bash", "-o", "pipefail", "-c"]);
        assert_eq!(s(&d, "stages.0.instructions.5.exec.0"), ("a\"bé", "\"a\\\"b\\u00e9\""));
        assert_eq!(s(&d, "stages.0.instructions.6.expanded").0, "/data");
        assert_eq!(s(&d, "stages.0.instructions.7.form").0, "shell");
        // Exec form continued over lines.
        let d = doc("FROM alpine\nCMD [\"a\", \\\n     \"b\"]\n");
        assert_eq!(s(&d, "stages.0.instructions.0.exec.1"), ("b", "\"b\""));
        assert_eq!(
            s(&d, "stages.0.instructions.0.arguments"),
            ("[\"a\",      \"b\"]", "[\"a\", \\\n     \"b\"]")
        );

        let (message, place) = fail("FROM alpine\nRUN [\"a\", 1]\n");
        assert_eq!(
            (message.as_str(), place.as_str()),
            ("the exec form must be a JSON array of strings", "[\"a\", 1]")
        );
        let (message, place) = fail("FROM alpine\nSHELL /bin/bash -c\n");
        assert!(message.contains("exec (JSON array) form"), "{message}");
        assert_eq!(place, "/bin/bash -c");
    }

    #[test]
    fn flags() {
        let text = lines(&[
            "FROM --platform=$BUILDPLATFORM golang:1.22 AS build",
            "RUN --mount=type=cache,target=/root/.cache \\",
            "    --mount=type=secret,id=npm --network=none go build",
            "COPY --from=build --chown=\"app:app\" --link /out /app",
            "RUN -- --not-a-flag",
            "CMD --help",
        ]);
        let d = doc(text);
        assert_eq!(s(&d, "stages.0.from.flags.platform"), ("$BUILDPLATFORM", "$BUILDPLATFORM"));
        assert_eq!(key_src(&d, "stages.0.from.flags.platform"), "platform");
        assert_eq!(s(&d, "stages.0.from.platform").0, "$BUILDPLATFORM");
        assert_eq!(s(&d, "stages.0.from.arguments"), ("golang:1.22 AS build", "golang:1.22 AS build"));
        let run = "stages.0.instructions.0";
        assert_eq!(at(&d, &format!("{run}.flags.mount")).kind(), NodeKind::List);
        assert_eq!(
            values(&d, &format!("{run}.flags.mount")),
            ["type=cache,target=/root/.cache", "type=secret,id=npm"]
        );
        assert_eq!(s(&d, &format!("{run}.flags.network")), ("none", "none"));
        assert_eq!(s(&d, &format!("{run}.arguments")), ("go build", "go build"));
        let copy = "stages.0.instructions.1";
        assert_eq!(s(&d, &format!("{copy}.flags.from")), ("build", "build"));
        assert_eq!(s(&d, &format!("{copy}.flags.chown")), ("app:app", "\"app:app\""));
        let link = at(&d, &format!("{copy}.flags.link"));
        assert_eq!((link.kind(), link.value(), src(&d, link)), (NodeKind::Bool, "true", "--link"));
        assert_eq!(src(&d, at(&d, &format!("{copy}.flags"))), "--from=build --chown=\"app:app\" --link");
        assert_eq!(values(&d, &format!("{copy}.sources")), ["/out"]);
        assert_eq!(s(&d, "stages.0.instructions.2.arguments").0, "--not-a-flag");
        assert!(!has(&d, "stages.0.instructions.2.flags"));
        assert_eq!(s(&d, "stages.0.instructions.3.arguments").0, "--help");

        let (message, place) = fail("FROM alpine\nRUN --=x echo\n");
        assert!(message.starts_with("malformed flag `--=x`"), "{message}");
        assert_eq!(place, "--=x");
        assert_eq!(fail("FROM alpine\nRUN --a!b echo\n").1, "--a!b");
        let (message, place) = fail("FROM alpine\nCOPY --chown=\"a /x /y\n");
        assert_eq!((message.as_str(), place.as_str()), ("unterminated quote in flag", "--chown=\"a /x /y"));
    }

    #[test]
    fn stages_global_args_and_stage_references() {
        let text = lines(&[
            "ARG GO=1.22",
            "ARG BASE=golang:${GO}-alpine",
            "FROM ${BASE} AS Build",
            "ENV CGO_ENABLED=0 GOFLAGS=-trimpath",
            "ARG GO",
            "RUN go build",
            "FROM build AS test",
            "WORKDIR /src/$CGO_ENABLED/$GO",
            "FROM scratch",
            "COPY --from=BUILD /out /app",
            "FROM nginx:1.25@sha256:abc AS web",
        ]);
        let d = doc(text);
        assert_eq!(s(&d, "args.0.name"), ("GO", "GO"));
        assert_eq!(s(&d, "args.0.value"), ("1.22", "1.22"));
        assert_eq!(key_src(&d, "args.0.value"), "GO");
        assert_eq!(s(&d, "args.1.value"), ("golang:1.22-alpine", "golang:${GO}-alpine"));
        assert_eq!(src(&d, at(&d, "args")), "ARG GO=1.22\nARG BASE=golang:${GO}-alpine");

        assert_eq!(at(&d, "stages").children().len(), 4);
        assert_eq!(at(&d, "stages.0.index").value(), "0");
        assert_eq!(s(&d, "stages.0.name"), ("Build", "Build"));
        assert_eq!(s(&d, "stages.0.from.image"), ("${BASE}", "${BASE}"));
        assert_eq!(s(&d, "stages.0.from.expanded"), ("golang:1.22-alpine", "${BASE}"));
        assert_eq!(s(&d, "stages.0.from.tag").0, "1.22-alpine");
        assert!(!has(&d, "stages.0.from.stage"));
        assert_eq!(
            src(&d, at(&d, "stages.0")),
            "FROM ${BASE} AS Build\nENV CGO_ENABLED=0 GOFLAGS=-trimpath\nARG GO\nRUN go build"
        );
        assert_eq!(src(&d, at(&d, "stages.0.from")), "FROM ${BASE} AS Build");
        assert_eq!(s(&d, "stages.0.instructions.1.name").0, "GO");
        assert!(!has(&d, "stages.0.instructions.1.value"));

        // FROM by stage name (case-insensitive); ENV is inherited, ARG is not.
        assert_eq!(at(&d, "stages.1.from.stage").value(), "0");
        assert_eq!(at(&d, "stages.1.from.stage").kind(), NodeKind::Number);
        assert!(!has(&d, "stages.1.from.tag"));
        assert_eq!(
            u(&d, "stages.1.instructions.0.expanded").0,
            "GO is not set in this Dockerfile and may come from the base image golang:1.22-alpine"
        );

        assert_eq!(s(&d, "stages.2.from.expanded").0, "scratch");
        assert_eq!(s(&d, "stages.2.instructions.0.flags.from").0, "BUILD");
        assert_eq!(s(&d, "stages.3.from.tag"), ("1.25", "1.25"));
        assert_eq!(s(&d, "stages.3.from.digest"), ("sha256:abc", "sha256:abc"));

        let d = doc("FROM alpine AS base\nENV APP=/srv/app\nFROM base\nWORKDIR $APP\n");
        assert_eq!(s(&d, "stages.1.instructions.0.expanded"), ("/srv/app", "$APP"));

        assert_eq!(fail("FROM a AS x\nFROM b as X\n"), ("duplicate stage name `X`".into(), "X".into()));
        assert_eq!(fail("FROM a AS 1x\n").1, "1x");
        assert_eq!(fail("FROM a b\n").1, "a b");
        let d = doc("FROM alpine:$TARGETARCH\n");
        assert_eq!(
            u(&d, "stages.0.from.expanded"),
            ("TARGETARCH is set by the builder", "alpine:$TARGETARCH")
        );
        assert!(!has(&d, "stages.0.from.tag"));
    }

    #[test]
    fn args_without_a_value_are_unknown() {
        let d = doc(lines(&[
            "ARG USERNAME",
            "FROM alpine",
            "ARG USERNAME",
            "USER $USERNAME",
            "ARG HOME_DIR",
            "WORKDIR /home/${HOME_DIR}",
            "ARG TARGETARCH",
            "LABEL arch=$TARGETARCH",
        ]));
        assert!(!has(&d, "args.0.value"));
        assert_eq!(u(&d, "stages.0.instructions.1.user"), ("ARG USERNAME has no default value", "$USERNAME"));
        assert_eq!(u(&d, "stages.0.instructions.1.group").0, "ARG USERNAME has no default value");
        assert_eq!(u(&d, "stages.0.instructions.1.expanded").0, "ARG USERNAME has no default value");
        assert_eq!(
            u(&d, "stages.0.instructions.3.expanded"),
            ("ARG HOME_DIR has no default value", "/home/${HOME_DIR}")
        );
        assert_eq!(
            u(&d, "stages.0.instructions.5.pairs.0.value"),
            ("TARGETARCH is set by the builder", "$TARGETARCH")
        );

        // A stage ARG imports the global default; a known part of USER stays known.
        let d = doc("ARG U=app\nARG G\nFROM alpine\nARG U\nARG G\nUSER $U:${G}\n");
        assert_eq!(s(&d, "stages.0.instructions.2.user"), ("app", "$U"));
        assert_eq!(u(&d, "stages.0.instructions.2.group"), ("ARG G has no default value", "${G}"));
    }

    #[test]
    fn defaults_escapes_and_env() {
        let d = doc(lines(&[
            "FROM alpine",
            "ARG X=",
            "USER ${X:-root}",
            "ENV A=1",
            "LABEL price=\\$5 a=$A \"the key\"=\"v w\" b=${A:+set}",
            "ENV A=2 B=$A",
            "WORKDIR /$B",
        ]));
        assert_eq!(s(&d, "stages.0.instructions.0.value"), ("", ""));
        assert_eq!(s(&d, "stages.0.instructions.1.user"), ("root", "${X:-root}"));
        let label = "stages.0.instructions.3.pairs";
        assert_eq!(s(&d, &format!("{label}.0.value")), ("$5", "\\$5"));
        assert_eq!(key_src(&d, &format!("{label}.0.value")), "price");
        assert_eq!(s(&d, &format!("{label}.1.value")), ("1", "$A"));
        assert_eq!(s(&d, &format!("{label}.2.key")), ("the key", "\"the key\""));
        assert_eq!(s(&d, &format!("{label}.2.value")), ("v w", "\"v w\""));
        assert_eq!(s(&d, &format!("{label}.3.value")).0, "set");
        // Pairs on one ENV line see the values from before the line.
        assert_eq!(s(&d, "stages.0.instructions.4.pairs.1.value").0, "1");
        assert_eq!(s(&d, "stages.0.instructions.5.expanded").0, "/1");

        // Undeclared variables: empty on scratch, unknown on an image (its ENV may set them).
        let d = doc("FROM scratch\nUSER ${X:-nobody}\nENV PATH /app/bin:$PATH\n");
        assert_eq!(s(&d, "stages.0.instructions.0.user").0, "nobody");
        assert_eq!(
            s(&d, "stages.0.instructions.1.pairs.0.value"),
            ("/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "/app/bin:$PATH")
        );
        let d = doc("FROM node:20\nENV PATH=/app/bin:$PATH\n");
        assert_eq!(
            u(&d, "stages.0.instructions.0.pairs.0.value").0,
            "PATH is not set in this Dockerfile and may come from the base image node:20"
        );

        let (message, place) = fail("FROM alpine\nWORKDIR /a/${B\n");
        assert_eq!((message.as_str(), place.as_str()), ("missing `}` in variable substitution", "${B"));
        assert_eq!(fail("FROM alpine\nENV A=1 B\n").1, "B");
        assert_eq!(fail("FROM alpine\nENV A\n").1, "A");
    }

    #[test]
    fn env_legacy_form_and_expose() {
        let d = doc("FROM alpine\nENV MY_NAME John Doe\nARG PORT=8080\nEXPOSE ${PORT}/tcp 443\n");
        assert_eq!(s(&d, "stages.0.instructions.0.pairs.0.key"), ("MY_NAME", "MY_NAME"));
        assert_eq!(s(&d, "stages.0.instructions.0.pairs.0.value"), ("John Doe", "John Doe"));
        assert_eq!(s(&d, "stages.0.instructions.2.ports.0"), ("8080/tcp", "${PORT}/tcp"));
        assert_eq!(values(&d, "stages.0.instructions.2.ports"), ["8080/tcp", "443"]);
    }

    #[test]
    fn onbuild_and_healthcheck_nest_instructions() {
        let text = lines(&[
            "FROM alpine",
            "ONBUILD RUN echo $HOME",
            "onbuild copy --chown=app . /app/$X",
            "HEALTHCHECK --interval=30s CMD [\"curl\", \"-f\", \"http://localhost\"]",
            "HEALTHCHECK NONE",
        ]);
        let d = doc(text);
        let on = "stages.0.instructions.0";
        assert_eq!(s(&d, &format!("{on}.keyword")), ("ONBUILD", "ONBUILD"));
        assert_eq!(s(&d, &format!("{on}.trigger.keyword")), ("RUN", "RUN"));
        assert_eq!(s(&d, &format!("{on}.trigger.arguments")).0, "echo $HOME");
        assert_eq!(s(&d, &format!("{on}.trigger.form")).0, "shell");
        assert_eq!(src(&d, at(&d, &format!("{on}.trigger"))), "RUN echo $HOME");
        let copy = "stages.0.instructions.1.trigger";
        assert_eq!(s(&d, &format!("{copy}.keyword")), ("COPY", "copy"));
        assert_eq!(s(&d, &format!("{copy}.flags.chown")).0, "app");
        assert!(!has(&d, &format!("{copy}.expanded")), "triggers are expanded in the child build");
        assert_eq!(s(&d, &format!("{copy}.destination")).0, "/app/$X");
        assert!(!has(&d, "stages.0.instructions.1.expanded"));

        let health = "stages.0.instructions.2";
        assert_eq!(s(&d, &format!("{health}.flags.interval")).0, "30s");
        assert_eq!(s(&d, &format!("{health}.cmd.keyword")), ("CMD", "CMD"));
        assert_eq!(s(&d, &format!("{health}.cmd.form")).0, "exec");
        assert_eq!(values(&d, &format!("{health}.cmd.exec")), ["curl", "-f", "http://localhost"]);
        assert_eq!(src(&d, at(&d, &format!("{health}.cmd"))), "CMD [\"curl\", \"-f\", \"http://localhost\"]");
        let none = at(&d, "stages.0.instructions.3.none");
        assert_eq!((none.kind(), src(&d, none)), (NodeKind::Bool, "NONE"));

        let d = doc("FROM alpine\nONBUILD RUN <<EOF\necho hi\nEOF\nUSER app\n");
        assert_eq!(s(&d, "stages.0.instructions.0.trigger.heredocs.0.body").0, "echo hi\n");
        assert_eq!(src(&d, at(&d, "stages.0.instructions.0")), "ONBUILD RUN <<EOF\necho hi\nEOF");

        assert_eq!(fail("FROM a\nONBUILD ONBUILD RUN x\n").1, "ONBUILD");
        let (message, place) = fail("FROM a\nONBUILD from b\n");
        assert_eq!((message.as_str(), place.as_str()), ("FROM isn't allowed as an ONBUILD trigger", "from"));
        assert_eq!(fail("FROM a\nONBUILD MAINTAINER me\n").1, "MAINTAINER");
        assert_eq!(fail("FROM a\nONBUILD FORM b\n").0, "unknown instruction `FORM`");
        assert_eq!(fail("FROM a\nHEALTHCHECK CMD\n").1, "CMD");
        assert_eq!(fail("FROM a\nHEALTHCHECK NONE x\n").1, "x");
        assert_eq!(fail("FROM a\nHEALTHCHECK curl\n").1, "curl");
    }

    #[test]
    fn instruction_errors() {
        assert_eq!(fail("FROM alpine\n  FORM x\n"), ("unknown instruction `FORM`".into(), "FORM".into()));
        for text in ["", "\n\n", "# just a comment\n", "\u{feff}", "ARG X=1\n"] {
            assert_eq!(fail(text).0, "no FROM instruction", "{text:?}");
        }
        let (message, place) = fail("ARG A\nRUN echo\nFROM alpine\n");
        assert_eq!(
            (message.as_str(), place.as_str()),
            ("RUN before the first FROM: only ARG may come before FROM", "RUN")
        );
        for (text, keyword) in [
            ("FROM\n", "FROM"),
            ("FROM a\nUSER\n", "USER"),
            ("FROM a\nWORKDIR   \n", "WORKDIR"),
            ("FROM a\nSTOPSIGNAL\n", "STOPSIGNAL"),
            ("FROM a\nENV\n", "ENV"),
            ("FROM a\nARG\n", "ARG"),
            ("FROM a\nEXPOSE\n", "EXPOSE"),
            ("FROM a\nONBUILD\n", "ONBUILD"),
            ("FROM a\nCOPY\n", "COPY"),
        ] {
            assert_eq!(fail(text).1, keyword, "{text:?}");
        }
        assert_eq!(fail("FROM a\nCOPY onlyone\n").1, "onlyone");
        // The first error in the file wins, whichever step finds it.
        assert_eq!(fail("RUN x\nFROM a\nFORM b\n").1, "RUN");
        assert_eq!(fail("FROM a AS x\nFROM b AS x\nFORM b\n").0, "duplicate stage name `x`");
        // RUN, CMD and ENTRYPOINT may be empty.
        let d = doc("FROM a\nCMD\n");
        assert_eq!(s(&d, "stages.0.instructions.0.arguments").0, "");
        assert_eq!(at(&d, "stages.0.instructions.0.arguments").span(), Span::new(10, 10));
    }

    #[test]
    fn user_forms() {
        for (user, name, group) in [
            ("root", "root", None),
            ("0", "0", None),
            ("0:0", "0", Some("0")),
            ("root:root", "root", Some("root")),
            ("app", "app", None),
            ("${U}", "root", None),
            ("$U:${U}", "root", Some("root")),
            ("\"app\"", "app", None),
        ] {
            let d = doc(format!("FROM alpine\nARG U=root\nUSER {user}\n"));
            let path = "stages.0.instructions.1";
            let (value, source) = s(&d, &format!("{path}.user"));
            assert_eq!(value, name, "{user}");
            assert_eq!(source, user.split(':').next().unwrap_or(user), "{user}");
            match group {
                Some(g) => {
                    let (value, source) = s(&d, &format!("{path}.group"));
                    assert_eq!(value, g, "{user}");
                    assert_eq!(source, user.split_once(':').map_or("", |(_, g)| g), "{user}");
                }
                None => assert!(!has(&d, &format!("{path}.group")), "{user}"),
            }
            assert_eq!(s(&d, &format!("{path}.expanded")).1, user);
        }
    }

    #[test]
    fn spans_of_the_document_shape() {
        let text = lines(&[
            "# syntax=docker/dockerfile:1",
            "ARG V=3.19",
            "FROM alpine:${V} AS base",
            "RUN apk add curl",
        ]);
        let d = doc(text);
        assert_eq!(s(&d, "escape").1, "");
        assert_eq!(at(&d, "escape").span(), Span::new(0, 0));
        assert_eq!(src(&d, at(&d, "stages")), "FROM alpine:${V} AS base\nRUN apk add curl");
        assert_eq!(src(&d, at(&d, "stages.0.instructions")), "RUN apk add curl");
        assert_eq!(s(&d, "stages.0.from.keyword"), ("FROM", "FROM"));
        assert_eq!(s(&d, "stages.0.from.tag"), ("3.19", "alpine:${V}"));
        assert_eq!(s(&d, "stages.0.instructions.0.keyword"), ("RUN", "RUN"));
        assert!(!has(&d, "stages.0.instructions.0.expanded"), "RUN is not expanded");
        let keys: Vec<_> = d.root().children().map(NodeRef::key).collect();
        assert_eq!(keys, ["escape", "directives", "args", "stages"]);
    }

    /// Every span of the document (or the error) is a slice of the file on char boundaries.
    fn check_spans(text: &str) {
        crate::testing::assert_spans_within(text, &parse(file(text)));
    }

    /// Every feature at once; the BOM is added here so that editors cannot strip it.
    fn complex() -> String {
        format!("\u{feff}{}", include_str!("../../../fixtures/dockerfile/parser/complex.Dockerfile"))
    }

    #[test]
    fn the_complex_example_parses() {
        let text = complex();
        let d = doc(&text);
        assert_eq!(at(&d, "stages").children().len(), 3);
        assert_eq!(s(&d, "args.1.name"), ("GOPROXY", "GOPROXY"));
        assert!(!has(&d, "args.1.value"));
        assert_eq!(u(&d, "stages.0.instructions.0.expanded").0, "TARGETARCH is set by the builder");
        assert_eq!(s(&d, "stages.2.instructions.2.user"), ("65532", "65532"));
        check_spans(&text);
    }

    #[test]
    fn garbage_and_truncated_inputs_never_panic() {
        let noise: &[&str] = &[
            "\\", "`", "\"", "'", "$", "{", "}", "${", "[", "]", "\n", "\r\n", "#", "<<", "<<-", "-", "--",
            "=", " ", "\t", ":", "@", "/", "é", "\u{feff}", "FROM", "ONBUILD", "AS", "*", "%",
        ];
        let complex = complex();
        let inputs = crate::testing::mangled(&complex, 1, noise, 2_400 - complex.chars().count().min(2_400));
        for text in &inputs {
            check_spans(text);
        }
    }

    #[test]
    fn expansion_cannot_amplify_a_small_file() {
        let mut text = String::from("FROM scratch\nENV A=aaaaaaaaaaaaaaaa\n");
        for _ in 0..40 {
            text.push_str("ENV A=$A$A$A$A\n");
        }
        for _ in 0..2_000 {
            text.push_str("LABEL a=$A b=$A\n");
        }
        let d = doc(&text);
        assert!(d.strings().len() < 40 * text.len(), "{} bytes", d.strings().len());
        assert_eq!(u(&d, "stages.0.instructions.40.pairs.0.value").1, "$A$A$A$A");
    }

    #[test]
    fn large_files_parse_in_linear_time() {
        let mut text = String::from("FROM alpine\n");
        for i in 0..20_000usize {
            let previous = i.saturating_sub(1);
            let _ = write!(text, "ENV V{i}=${{V{previous}:-x}} \\\n  W=\"$PATH\"\n");
            let _ = write!(text, "RUN echo {i} \\\n  # c\n  done\n");
        }
        let d = doc(&text);
        assert_eq!(at(&d, "stages.0.instructions").children().len(), 40_000);
    }
}
