//! One logical line to one instruction: keyword, flags, exec or shell form, the words and
//! key/value pairs Docker splits the arguments into, heredoc markers, HEALTHCHECK's command
//! and ONBUILD's trigger. Everything is a range into the line, so that the emitter can give
//! every value the span of its source text.

use std::ops::Range;

use rampart_model::Span;

use super::json::{self, Lit};
use super::lex::Line;
use crate::ParseError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Keyword {
    From,
    Run,
    Cmd,
    Label,
    Maintainer,
    Expose,
    Env,
    Add,
    Copy,
    Entrypoint,
    Volume,
    User,
    Workdir,
    Arg,
    Onbuild,
    Stopsignal,
    Healthcheck,
    Shell,
}

const KEYWORDS: [(&str, Keyword); 18] = [
    ("FROM", Keyword::From),
    ("RUN", Keyword::Run),
    ("CMD", Keyword::Cmd),
    ("LABEL", Keyword::Label),
    ("MAINTAINER", Keyword::Maintainer),
    ("EXPOSE", Keyword::Expose),
    ("ENV", Keyword::Env),
    ("ADD", Keyword::Add),
    ("COPY", Keyword::Copy),
    ("ENTRYPOINT", Keyword::Entrypoint),
    ("VOLUME", Keyword::Volume),
    ("USER", Keyword::User),
    ("WORKDIR", Keyword::Workdir),
    ("ARG", Keyword::Arg),
    ("ONBUILD", Keyword::Onbuild),
    ("STOPSIGNAL", Keyword::Stopsignal),
    ("HEALTHCHECK", Keyword::Healthcheck),
    ("SHELL", Keyword::Shell),
];

impl Keyword {
    fn lookup(word: &str) -> Option<Self> {
        KEYWORDS.iter().find(|(name, _)| name.eq_ignore_ascii_case(word)).map(|&(_, k)| k)
    }

    pub(super) fn name(self) -> &'static str {
        KEYWORDS.iter().find(|&&(_, k)| k == self).map_or("", |&(name, _)| name)
    }

    fn takes_flags(self) -> bool {
        matches!(self, Self::From | Self::Run | Self::Copy | Self::Add | Self::Healthcheck)
    }

    /// The instructions whose arguments the builder runs through variable expansion.
    pub(super) fn expands(self) -> bool {
        matches!(
            self,
            Self::Add
                | Self::Copy
                | Self::Env
                | Self::Expose
                | Self::From
                | Self::Label
                | Self::Stopsignal
                | Self::User
                | Self::Volume
                | Self::Workdir
                | Self::Arg
        )
    }
}

#[derive(Debug)]
pub(super) struct Flag {
    /// Quotes and escapes removed.
    pub name: String,
    pub name_range: Range<usize>,
    /// `None` for a valueless (boolean) flag.
    pub value: Option<String>,
    pub value_range: Range<usize>,
    pub range: Range<usize>,
}

#[derive(Debug)]
pub(super) enum Form {
    Exec(Vec<Lit>),
    Shell,
}

/// `KEY=value` (or ENV/LABEL's legacy `KEY value`, or ARG's bare `NAME`), as written.
#[derive(Debug)]
pub(super) struct Pair {
    pub key: Range<usize>,
    pub value: Option<Range<usize>>,
    pub range: Range<usize>,
}

#[derive(Debug)]
pub(super) enum Health {
    /// The range of the `NONE` word.
    None(Range<usize>),
    Cmd {
        keyword: Range<usize>,
        args: Range<usize>,
        form: Form,
    },
}

#[derive(Debug)]
pub(super) struct Heredoc {
    /// The delimiter with quotes removed.
    pub name: String,
    /// `<<-"EOF"` as written.
    pub word: Range<usize>,
    /// `"EOF"` as written.
    pub name_range: Range<usize>,
    /// False when any part of the delimiter is quoted: the body is then taken literally.
    pub expand: bool,
    pub strip_tabs: bool,
    /// File span of the body lines, line terminators included; set by the lexer.
    pub body: Span,
    /// File offset of the end of the delimiter line (before its line terminator).
    pub end: u32,
}

#[derive(Debug)]
pub(super) struct Instr {
    pub keyword: Keyword,
    pub kw: Range<usize>,
    pub flags: Vec<Flag>,
    /// After the flags, surrounding whitespace trimmed.
    pub args: Range<usize>,
    /// For the instructions with an exec and a shell form.
    pub form: Option<Form>,
    /// FROM, EXPOSE and the shell forms of COPY, ADD and VOLUME: whitespace-separated words.
    pub words: Vec<Range<usize>>,
    /// ENV, LABEL and ARG.
    pub pairs: Vec<Pair>,
    pub health: Option<Health>,
    pub heredocs: Vec<Heredoc>,
    pub trigger: Option<Box<Instr>>,
}

impl Instr {
    /// Keyword through the last argument byte, heredoc bodies and trigger included.
    pub(super) fn span(&self, line: &Line) -> Span {
        let mut span = line.span(self.kw.clone());
        if !self.args.is_empty() {
            span = span.to(line.span(self.args.clone()));
        }
        for doc in &self.heredocs {
            span.end = span.end.max(doc.end);
        }
        if let Some(trigger) = &self.trigger {
            span = span.to(trigger.span(line));
        }
        span
    }
}

/// Docker splits keywords and plain word lists on these (`[\t\v\f\r ]`).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c')
}

fn skip_space(text: &str, mut i: usize, end: usize) -> usize {
    while i < end && text.as_bytes().get(i).is_some_and(|&b| is_space(b)) {
        i += 1;
    }
    i
}

fn find_space(text: &str, mut i: usize, end: usize) -> usize {
    while i < end && text.as_bytes().get(i).is_some_and(|&b| !is_space(b)) {
        i += 1;
    }
    i
}

fn trim_space_end(text: &str, start: usize, mut end: usize) -> usize {
    while end > start && text.as_bytes().get(end - 1).is_some_and(|&b| is_space(b)) {
        end -= 1;
    }
    end
}

fn split_space(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut i = skip_space(text, range.start, range.end);
    while i < range.end {
        let end = find_space(text, i, range.end);
        words.push(i..end);
        i = skip_space(text, end, range.end);
    }
    words
}

fn error(line: &Line, range: Range<usize>, message: impl Into<String>) -> ParseError {
    ParseError::new(line.span(range), message)
}

/// Parses the instruction in `range` of `line`.
pub(super) fn parse(line: &Line, range: Range<usize>, escape: u8) -> Result<Instr, ParseError> {
    let text = line.text.as_str();
    let start = skip_space(text, range.start, range.end);
    let kw = start..find_space(text, start, range.end);
    let word = line.slice(kw.clone());
    let Some(keyword) = Keyword::lookup(word) else {
        return Err(error(line, kw, format!("unknown instruction `{word}`")));
    };
    let end = trim_space_end(text, kw.end, range.end);
    let mut pos = skip_space(text, kw.end, end);
    let flags = if keyword.takes_flags() { flags(line, &mut pos, end)? } else { Vec::new() };
    let args = skip_space(text, pos, end)..end;
    let mut ins = Instr {
        keyword,
        kw,
        flags,
        args: args.clone(),
        form: None,
        words: Vec::new(),
        pairs: Vec::new(),
        health: None,
        heredocs: Vec::new(),
        trigger: None,
    };
    let name = keyword.name();
    // Errors about a missing argument point at the keyword: there is nothing else.
    let missing = |message: String| Err(error(line, ins.kw.clone(), message));
    match keyword {
        Keyword::From => {
            let words = split_space(text, args.clone());
            match words.as_slice() {
                [] => return missing("FROM requires an image: `FROM image [AS name]`".into()),
                [_] => {}
                [_, as_kw, alias] if line.slice(as_kw.clone()).eq_ignore_ascii_case("as") => {
                    let alias_text = line.slice(alias.clone());
                    if !valid_stage_name(alias_text) {
                        return Err(error(
                            line,
                            alias.clone(),
                            format!(
                                "invalid stage name `{alias_text}`: it must start with a letter \
                                 and contain only letters, digits, `-`, `_` and `.`"
                            ),
                        ));
                    }
                }
                _ => {
                    return Err(error(
                        line,
                        args,
                        "FROM takes an image and an optional `AS name`: `FROM image [AS name]`",
                    ));
                }
            }
            ins.words = words;
        }
        Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Shell => {
            let form = form(line, args.clone())?;
            if keyword == Keyword::Shell {
                match &form {
                    Form::Exec(items) if !items.is_empty() => {}
                    Form::Exec(_) => return Err(error(line, args, "SHELL requires a command")),
                    Form::Shell if args.is_empty() => {
                        return missing("SHELL requires a command in exec form".into());
                    }
                    Form::Shell => {
                        return Err(error(
                            line,
                            args,
                            "SHELL requires the exec (JSON array) form, e.g. \
                             `SHELL [\"/bin/sh\", \"-c\"]`",
                        ));
                    }
                }
            }
            if keyword == Keyword::Run {
                ins.heredocs = heredocs(line, args.clone());
            }
            ins.form = Some(form);
        }
        Keyword::Copy | Keyword::Add => {
            let form = form(line, args.clone())?;
            ins.heredocs = heredocs(line, args.clone());
            let destination = match &form {
                Form::Exec(items) => items.last().map(|l| l.value.clone()),
                Form::Shell => {
                    ins.words = split_space(text, args.clone());
                    ins.words.last().map(|w| line.slice(w.clone()).to_owned())
                }
            };
            let count = match &form {
                Form::Exec(items) => items.len(),
                Form::Shell => ins.words.len(),
            };
            if count < 2 {
                let message = format!("{name} requires at least one source and a destination");
                return if args.is_empty() { missing(message) } else { Err(error(line, args, message)) };
            }
            if destination.as_deref().is_some_and(|d| heredoc_marker(d).is_some()) {
                return Err(error(line, args, format!("{name} cannot take a heredoc as its destination")));
            }
            ins.form = Some(form);
        }
        Keyword::Volume => {
            let form = form(line, args.clone())?;
            match &form {
                Form::Exec(items) => {
                    if let Some(empty) = items.iter().find(|l| l.value.trim().is_empty()) {
                        return Err(error(line, empty.range.clone(), "a VOLUME path can not be empty"));
                    }
                    if items.is_empty() {
                        return Err(error(line, args, "VOLUME requires at least one path"));
                    }
                }
                Form::Shell => ins.words = split_space(text, args.clone()),
            }
            if args.is_empty() {
                return missing("VOLUME requires at least one path".into());
            }
            ins.form = Some(form);
        }
        Keyword::Expose => {
            ins.words = split_space(text, args.clone());
            if ins.words.is_empty() {
                return missing("EXPOSE requires at least one port".into());
            }
        }
        Keyword::Env | Keyword::Label => {
            if args.is_empty() {
                return missing(format!("{name} requires at least one KEY=value pair"));
            }
            ins.pairs = key_values(line, args, escape, name)?;
        }
        Keyword::Arg => {
            if args.is_empty() {
                return missing("ARG requires a name: `ARG NAME[=default]`".into());
            }
            ins.pairs = arg_names(line, args, escape)?;
        }
        Keyword::User | Keyword::Workdir | Keyword::Stopsignal | Keyword::Maintainer => {
            if args.is_empty() {
                return missing(format!("{name} requires an argument"));
            }
        }
        Keyword::Onbuild => {
            if args.is_empty() {
                return missing("ONBUILD requires an instruction to run in child builds".into());
            }
            let trigger = parse(line, args, escape)?;
            match trigger.keyword {
                Keyword::Onbuild => {
                    return Err(error(
                        line,
                        trigger.kw,
                        "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                    ));
                }
                Keyword::From | Keyword::Maintainer => {
                    let trigger_name = trigger.keyword.name();
                    return Err(error(
                        line,
                        trigger.kw,
                        format!("{trigger_name} isn't allowed as an ONBUILD trigger"),
                    ));
                }
                _ => ins.trigger = Some(Box::new(trigger)),
            }
        }
        Keyword::Healthcheck => {
            if args.is_empty() {
                return missing("HEALTHCHECK requires `CMD <command>` or `NONE`".into());
            }
            ins.health = Some(health(line, args)?);
        }
    }
    Ok(ins)
}

fn valid_stage_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The `--name[=value]` words at `*pos`; leaves `*pos` after the last one (or after a `--`
/// that ends the flags). Quotes and backslash escapes inside a flag word are removed, as
/// Docker does; which flags exist is the builder's business, not the parser's.
fn flags(line: &Line, pos: &mut usize, end: usize) -> Result<Vec<Flag>, ParseError> {
    let text = line.text.as_str();
    let mut flags = Vec::new();
    loop {
        let start = skip_space(text, *pos, end);
        if !text.get(start..end).is_some_and(|s| s.starts_with("--")) {
            *pos = start;
            return Ok(flags);
        }
        let mut word = String::new();
        // The first `=`: its raw offset and its index in `word`.
        let mut eq: Option<(usize, usize)> = None;
        let mut quote: Option<char> = None;
        let mut i = start;
        while let Some(c) = text.get(i..end).and_then(|s| s.chars().next()) {
            if quote.is_none() && c.is_ascii() && is_space(c as u8) {
                break;
            }
            let at = i;
            i += c.len_utf8();
            let literal = match (quote, c) {
                (None, '\'' | '"') => {
                    quote = Some(c);
                    None
                }
                (Some(q), _) if c == q => {
                    quote = None;
                    None
                }
                (_, '\\') => {
                    let next = text.get(i..end).and_then(|s| s.chars().next());
                    if let Some(n) = next {
                        i += n.len_utf8();
                    }
                    next.map(|n| (n, i - n.len_utf8()))
                }
                _ => Some((c, at)),
            };
            if let Some((c, raw)) = literal {
                if c == '=' && eq.is_none() {
                    eq = Some((raw, word.len()));
                }
                word.push(c);
            }
        }
        let range = start..i;
        if quote.is_some() {
            return Err(error(line, range, "unterminated quote in flag"));
        }
        *pos = i;
        if word == "--" {
            return Ok(flags);
        }
        let (name, name_range, value, value_range) = match eq {
            Some((raw, index)) => (
                word.get(2..index).unwrap_or(""),
                start + 2..raw,
                Some(word.get(index + 1..).unwrap_or("").to_owned()),
                raw + 1..i,
            ),
            None => (word.get(2..).unwrap_or(""), start + 2..i, None, i..i),
        };
        let well_formed = name.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            let raw = line.slice(range.clone());
            return Err(error(
                line,
                range,
                format!("malformed flag `{raw}`: expected `--name` or `--name=value`"),
            ));
        }
        flags.push(Flag { name: name.to_owned(), name_range, value, value_range, range });
    }
}

/// Exec form when the arguments are a JSON array of strings, shell form otherwise; a JSON
/// array with other elements is an error, as in Docker.
fn form(line: &Line, args: Range<usize>) -> Result<Form, ParseError> {
    let text = line.slice(args.clone());
    if !text.starts_with('[') {
        return Ok(Form::Shell);
    }
    if let Some(items) = json::string_array(text) {
        let shifted = items
            .into_iter()
            .map(|l| Lit { value: l.value, range: args.start + l.range.start..args.start + l.range.end })
            .collect();
        return Ok(Form::Exec(shifted));
    }
    if json::is_array(text) {
        return Err(error(line, args, "the exec form must be a JSON array of strings"));
    }
    Ok(Form::Shell)
}

fn health(line: &Line, args: Range<usize>) -> Result<Health, ParseError> {
    let text = line.text.as_str();
    let kind = args.start..find_space(text, args.start, args.end);
    let rest = skip_space(text, kind.end, args.end)..args.end;
    let word = line.slice(kind.clone());
    if word.eq_ignore_ascii_case("none") {
        if !rest.is_empty() {
            return Err(error(line, rest, "HEALTHCHECK NONE takes no arguments"));
        }
        return Ok(Health::None(kind));
    }
    if !word.eq_ignore_ascii_case("cmd") {
        return Err(error(line, kind, format!("unknown HEALTHCHECK type `{word}`: expected CMD or NONE")));
    }
    let form = form(line, rest.clone())?;
    let empty = match &form {
        Form::Exec(items) => items.is_empty(),
        Form::Shell => rest.is_empty(),
    };
    if empty {
        return Err(error(line, kind, "HEALTHCHECK CMD requires a command"));
    }
    Ok(Health::Cmd { keyword: kind, args: rest, form })
}

/// Docker's word splitting for ENV, LABEL and ARG: whitespace outside quotes separates
/// words; quotes and escapes stay in the words (expansion removes them later).
fn shell_words(text: &str, range: Range<usize>, escape: u8) -> Vec<Range<usize>> {
    let escape = char::from(escape);
    let mut words = Vec::new();
    let mut chars = text.get(range.clone()).unwrap_or("").char_indices().peekable();
    while let Some(&(offset, first)) = chars.peek() {
        if first.is_whitespace() {
            chars.next();
            continue;
        }
        let start = range.start + offset;
        let mut end = range.end;
        let mut quote: Option<char> = None;
        while let Some(&(offset, c)) = chars.peek() {
            if quote.is_none() && c.is_whitespace() {
                end = range.start + offset;
                break;
            }
            chars.next();
            match quote {
                None if c == '\'' || c == '"' => quote = Some(c),
                Some(q) if c == q => quote = None,
                _ if c == escape && quote != Some('\'') => {
                    chars.next();
                }
                _ => {}
            }
        }
        words.push(start..end);
    }
    words
}

/// ENV and LABEL: `KEY=value ...`, or the legacy `KEY value` when the first word has no `=`.
fn key_values(line: &Line, args: Range<usize>, escape: u8, name: &str) -> Result<Vec<Pair>, ParseError> {
    let text = line.text.as_str();
    let words = shell_words(text, args.clone(), escape);
    let first_has_eq = words.first().is_some_and(|w| line.slice(w.clone()).contains('='));
    if !first_has_eq {
        let key = args.start..find_space(text, args.start, args.end);
        let value = skip_space(text, key.end, args.end)..args.end;
        if value.is_empty() {
            let key_text = line.slice(key.clone());
            return Err(error(
                line,
                args,
                format!("{name} {key_text} has no value: write `{name} {key_text}=value`"),
            ));
        }
        return Ok(vec![Pair { key, value: Some(value), range: args }]);
    }
    words
        .into_iter()
        .map(|w| {
            let word = line.slice(w.clone());
            let Some(eq) = word.find('=') else {
                return Err(error(
                    line,
                    w,
                    format!("can't find `=` in `{word}`: {name} expects KEY=value pairs"),
                ));
            };
            if eq == 0 {
                return Err(error(line, w, format!("{name} names can not be blank")));
            }
            let eq = w.start + eq;
            Ok(Pair { key: w.start..eq, value: Some(eq + 1..w.end), range: w })
        })
        .collect()
}

/// ARG: `NAME` or `NAME=default`, one or more.
fn arg_names(line: &Line, args: Range<usize>, escape: u8) -> Result<Vec<Pair>, ParseError> {
    shell_words(&line.text, args, escape)
        .into_iter()
        .map(|w| {
            let word = line.slice(w.clone());
            match word.find('=') {
                Some(0) => Err(error(line, w, "ARG names can not be blank")),
                Some(eq) => {
                    let eq = w.start + eq;
                    Ok(Pair { key: w.start..eq, value: Some(eq + 1..w.end), range: w })
                }
                None => Ok(Pair { key: w.clone(), value: None, range: w }),
            }
        })
        .collect()
}

/// A heredoc marker word (`<<EOF`, `<<-EOF`, `2<<"EOF"`): whether tabs are stripped, and
/// the delimiter part as written.
fn heredoc_marker(word: &str) -> Option<(bool, &str)> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = word.get(digits..)?.strip_prefix("<<")?;
    let (strip_tabs, name) = match rest.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, rest),
    };
    (!name.is_empty() && !name.contains('<')).then_some((strip_tabs, name))
}

/// The heredocs a RUN, COPY or ADD line opens, in order. Like Docker, the line is split into
/// words with quotes kept and a backslash escaping the next character; a line with an
/// unterminated quote opens none.
fn heredocs(line: &Line, args: Range<usize>) -> Vec<Heredoc> {
    let text = line.slice(args.clone());
    let Some(words) = raw_words(text) else {
        return Vec::new();
    };
    let mut docs = Vec::new();
    for w in words {
        let Some((strip_tabs, delimiter)) = text.get(w.clone()).and_then(heredoc_marker) else {
            continue;
        };
        let name = unquote(delimiter);
        if name.is_empty() {
            continue;
        }
        let quotes = |s: &str| s.bytes().filter(|&b| b == b'\'' || b == b'"').count();
        let expand = quotes(&name) == quotes(delimiter);
        let word = args.start + w.start..args.start + w.end;
        let name_range = word.end - delimiter.len()..word.end;
        docs.push(Heredoc { name, word, name_range, expand, strip_tabs, body: Span::default(), end: 0 });
    }
    docs
}

fn raw_words(text: &str) -> Option<Vec<Range<usize>>> {
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, first)) = chars.peek() {
        if first.is_whitespace() {
            chars.next();
            continue;
        }
        let mut end = text.len();
        let mut quote: Option<char> = None;
        while let Some(&(offset, c)) = chars.peek() {
            if quote.is_none() && c.is_whitespace() {
                end = offset;
                break;
            }
            chars.next();
            match quote {
                None if c == '\'' || c == '"' => quote = Some(c),
                Some(q) if c == q => quote = None,
                Some('\'') => {}
                _ if c == '\\' => {
                    chars.next();
                }
                _ => {}
            }
        }
        if quote.is_some() {
            return None;
        }
        words.push(start..end);
    }
    Some(words)
}

/// Quote removal for a heredoc delimiter (the escape is always a backslash here, as in
/// Docker).
fn unquote(word: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (Some('\''), _) => out.push(c),
            (Some(_), '\\') => match chars.peek() {
                Some(&n) if matches!(n, '"' | '$' | '\\') => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push(c),
            },
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
    }
    out
}
