//! The oracle: what must hold for every input, whatever a parser makes of it.
//!
//! A parse must not panic; every span it hands out (node and key spans of a document, spans of
//! YAML trees and `.tfvars` values, the span of an error) must lie within its file's text and
//! on character boundaries, since reporters slice the text with them; a document's arena must
//! be well linked, since plugins walk it by index; and parsing the same input twice must give
//! the same result, since rampart promises the same report on every run.

use std::cell::{Cell, RefCell};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

use rampart_model::{Document, Span, TextRef};
use rampart_parse::ParseError;
use rampart_parse::terraform::{Input, InputOrigin, Value, ValueKind};
use rampart_parse::yaml::{self, Yaml, YamlDocument};

/// At most this many broken invariants are listed per input: one is enough to fail it.
const MAX_VIOLATIONS: usize = 8;

/// What one parse produced, reduced to what two parses of the same input must agree on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Nodes of the document (YAML nodes, `.tfvars` values) produced; 0 for an error.
    pub nodes: usize,
    /// A hash of everything produced, spans included.
    pub digest: u64,
    /// The error when the input was rejected: its span and message.
    pub error: Option<(Span, String)>,
    /// Broken invariants, described for people.
    pub violations: Vec<String>,
}

impl Outcome {
    fn violation(&mut self, text: impl FnOnce() -> String) {
        if self.violations.len() < MAX_VIOLATIONS {
            self.violations.push(text());
        }
    }

    fn check_span(&mut self, text: &str, span: Span, what: impl FnOnce() -> String) {
        if let Some(problem) = span_problem(text, span) {
            self.violation(|| format!("{}: {problem}", what()));
        }
    }
}

/// Why `span` cannot be used to slice `text`, if it cannot.
pub fn span_problem(text: &str, span: Span) -> Option<String> {
    let (start, end) = (span.start as usize, span.end as usize);
    if start > end {
        Some(format!("span {start}..{end} is reversed"))
    } else if end > text.len() {
        Some(format!("span {start}..{end} ends past the text ({} bytes)", text.len()))
    } else if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        Some(format!("span {start}..{end} splits a character"))
    } else {
        None
    }
}

/// The outcome of a parse into a [`Document`]: one file's, whose text is `text`.
pub fn document(text: &str, result: Result<Document, ParseError>) -> Outcome {
    match result {
        Ok(document) => check_document(text, &document),
        Err(error) => rejected(text, &error),
    }
}

/// The outcome of an input rejected with `error`, whose span is in `text`.
pub fn rejected(text: &str, error: &ParseError) -> Outcome {
    let mut outcome = Outcome { error: Some((error.span, error.message.clone())), ..Outcome::default() };
    let mut hasher = DefaultHasher::new();
    (error.span, &error.message, format!("{:?}", error.kind)).hash(&mut hasher);
    outcome.digest = hasher.finish();
    outcome.check_span(text, error.span, || format!("the error `{}`", shown(&error.message)));
    if error.message.trim().is_empty() {
        outcome.violation(|| "an error without a message".to_owned());
    }
    outcome
}

/// Checks a document: every node's file exists, its span and key span lie in that file's text
/// on character boundaries, its key and value lie in the string blob, and its links stay in
/// the arena.
pub fn check_document(text: &str, document: &Document) -> Outcome {
    let nodes = document.nodes();
    let strings = document.strings();
    let mut outcome = Outcome { nodes: nodes.len(), ..Outcome::default() };
    let mut hasher = DefaultHasher::new();
    strings.hash(&mut hasher);
    if document.files.first().is_none_or(|file| &*file.text != text) {
        outcome.violation(|| "the document's first file is not the parsed text".to_owned());
    }
    let in_blob = |r: TextRef| {
        let (start, end) = (r.offset as usize, r.offset as usize + r.len as usize);
        end <= strings.len() && strings.is_char_boundary(start) && strings.is_char_boundary(end)
    };
    for (id, node) in nodes.iter().enumerate() {
        (node.kind, node.parent, node.first_child, node.child_count).hash(&mut hasher);
        (node.key, node.value, node.file, node.span, node.key_span).hash(&mut hasher);
        if !in_blob(node.key) || !in_blob(node.value) {
            outcome.violation(|| {
                format!("node {id}: key {:?} or value {:?} outside the strings", node.key, node.value)
            });
            continue;
        }
        let key = document.text(node.key);
        let name = || format!("node {id} ({:?} `{}`)", node.kind, shown(key));
        let Some(file) = document.files.get(node.file as usize) else {
            outcome.violation(|| format!("{}: file {} of {}", name(), node.file, document.files.len()));
            continue;
        };
        outcome.check_span(&file.text, node.span, || format!("{} span", name()));
        if let Some(key_span) = node.key_span {
            outcome.check_span(&file.text, key_span, || format!("{} key span", name()));
        }
        let children_end = node.first_child as usize + node.child_count as usize;
        let links_ok =
            (node.parent as usize) < nodes.len() && (node.child_count == 0 || children_end <= nodes.len());
        if !links_ok {
            outcome.violation(|| format!("{}: parent or children outside the {} nodes", name(), nodes.len()));
        }
    }
    outcome.digest = hasher.finish();
    outcome
}

/// The outcome of reading a YAML stream: every document, node and key span in the text.
pub fn yaml(text: &str, result: Result<Vec<YamlDocument>, ParseError>) -> Outcome {
    let documents = match result {
        Ok(documents) => documents,
        Err(error) => return rejected(text, &error),
    };
    let mut outcome = Outcome::default();
    let mut hasher = DefaultHasher::new();
    // A stack, not recursion: the tree may be as deep as the reader allows.
    let mut stack: Vec<&Yaml> = Vec::new();
    for document in &documents {
        (document.index, document.span).hash(&mut hasher);
        outcome.check_span(text, document.span, || format!("document {} span", document.index));
        stack.push(&document.root);
        while let Some(node) = stack.pop() {
            outcome.nodes += 1;
            node.span.hash(&mut hasher);
            outcome.check_span(text, node.span, || format!("a YAML {} span", node.describe()));
            match &node.value {
                yaml::Value::Null => 0u8.hash(&mut hasher),
                yaml::Value::Bool(b) => (1u8, b).hash(&mut hasher),
                yaml::Value::Number(n) => (2u8, n).hash(&mut hasher),
                yaml::Value::String(s) => (3u8, s).hash(&mut hasher),
                yaml::Value::List(items) => {
                    (4u8, items.len()).hash(&mut hasher);
                    stack.extend(items.iter().rev());
                }
                yaml::Value::Map(entries) => {
                    (5u8, entries.len()).hash(&mut hasher);
                    for entry in entries {
                        (&entry.key, entry.key_span).hash(&mut hasher);
                        outcome
                            .check_span(text, entry.key_span, || format!("key `{}` span", shown(&entry.key)));
                    }
                    stack.extend(entries.iter().rev().map(|e| &e.value));
                }
            }
        }
    }
    outcome.digest = hasher.finish();
    outcome
}

/// The outcome of reading a `.tfvars` file: every name, value and key span in the text.
pub fn inputs(text: &str, result: Result<Vec<Input>, ParseError>) -> Outcome {
    let inputs = match result {
        Ok(inputs) => inputs,
        Err(error) => return rejected(text, &error),
    };
    let mut outcome = Outcome::default();
    let mut hasher = DefaultHasher::new();
    let mut stack: Vec<&Value> = Vec::new();
    for input in &inputs {
        input.name.hash(&mut hasher);
        if let InputOrigin::File { file, name_span, value_span } = &input.origin {
            (name_span, value_span).hash(&mut hasher);
            if &*file.text != text {
                outcome.violation(|| format!("`{}` is said to come from another file", shown(&input.name)));
            }
            outcome.check_span(text, *name_span, || format!("`{}` name span", shown(&input.name)));
            outcome.check_span(text, *value_span, || format!("`{}` value span", shown(&input.name)));
        } else {
            outcome.violation(|| {
                format!("`{}`, read from a file, is said to come from elsewhere", shown(&input.name))
            });
        }
        stack.push(&input.value);
        while let Some(value) = stack.pop() {
            outcome.nodes += 1;
            if let Some(at) = value.at {
                (at.span, at.key_span).hash(&mut hasher);
                outcome.check_span(text, at.span, || format!("a {} value's span", value.type_name()));
                if let Some(key_span) = at.key_span {
                    outcome.check_span(text, key_span, || "an object key's span".to_owned());
                }
            }
            match &value.kind {
                ValueKind::Null => 0u8.hash(&mut hasher),
                ValueKind::Bool(b) => (1u8, b).hash(&mut hasher),
                ValueKind::Number(n) => (2u8, n.to_bits()).hash(&mut hasher),
                ValueKind::String(s) => (3u8, s).hash(&mut hasher),
                ValueKind::List(items) => {
                    (4u8, items.len()).hash(&mut hasher);
                    stack.extend(items.iter().rev());
                }
                ValueKind::Object(entries) => {
                    (5u8, entries.len()).hash(&mut hasher);
                    for (key, _) in entries {
                        key.hash(&mut hasher);
                    }
                    stack.extend(entries.iter().rev().map(|(_, v)| v));
                }
                ValueKind::Unknown(unknown) => (6u8, &unknown.reason, unknown.error).hash(&mut hasher),
            }
        }
    }
    outcome.digest = hasher.finish();
    outcome
}

/// Input text quoted in a message, cut short.
fn shown(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A panic caught while parsing: its message and where in the source it was raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panic {
    pub message: String,
    /// `file:line:column`, when known.
    pub location: Option<String>,
}

impl std::fmt::Display for Panic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(location) => write!(f, "panicked at {location}: {}", self.message),
            None => write!(f, "panicked: {}", self.message),
        }
    }
}

thread_local! {
    /// True while this thread runs a parse under [`catch`]: its panics are recorded, not printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static CAUGHT: RefCell<Option<Panic>> = const { RefCell::new(None) };
}

/// Installs, once per process, a panic hook that stays silent on threads running [`catch`]
/// and defers to the previous hook everywhere else (so a test harness still prints its own
/// failures).
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if QUIET.with(Cell::get) {
                let caught = Panic {
                    message: info.payload_as_str().unwrap_or("(a non-string payload)").to_owned(),
                    location: info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())),
                };
                CAUGHT.with(|c| *c.borrow_mut() = Some(caught));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into a [`Panic`] without printing anything.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    install_hook();
    QUIET.with(|q| q.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|_| {
        CAUGHT
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| Panic { message: "(the panic hook saw nothing)".to_owned(), location: None })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_must_fit_the_text_and_its_characters() {
        let text = "é=1";
        assert_eq!(span_problem(text, Span::new(0, 2)), None);
        assert!(span_problem(text, Span::new(0, 1)).unwrap().contains("splits a character"));
        assert!(span_problem(text, Span::new(2, 9)).unwrap().contains("past the text"));
        assert!(span_problem(text, Span::new(3, 2)).unwrap().contains("reversed"));
    }

    #[test]
    fn a_panic_is_caught_with_its_message_and_location() {
        let caught = catch(|| -> u8 { panic!("boom {}", 42) }).unwrap_err();
        assert_eq!(caught.message, "boom 42");
        assert!(caught.location.unwrap().contains("oracle.rs"));
        assert_eq!(catch(|| 7), Ok(7));
    }
}
