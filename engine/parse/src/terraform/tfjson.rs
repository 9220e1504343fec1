//! Terraform's JSON syntax (`*.tf.json`), read by rewriting it as the equivalent HCL and
//! mapping every span of that HCL back to the JSON it came from.
//!
//! The rewrite follows Terraform's JSON syntax specification: the top level holds block types
//! (`resource`, `variable`, ...) whose nested objects carry the block labels; in an expression
//! position a string is a template (`"${var.x}-logs"`), except where Terraform reads a literal
//! (a variable's `default`, a module's `source`) or a bare expression (`type`, `depends_on`,
//! `provider`, `ignore_changes`). Without a provider schema, a property of a body is a nested
//! block when its value is an object or an array of objects, unless it is one of the
//! attributes that commonly hold maps (`tags`, `environment`, ...): the same shape the HCL
//! reader gives.

use std::fmt::Write as _;

use rampart_model::Span;

use super::json;
use super::value::{Value, ValueKind};
use crate::ParseError;

/// Attributes that hold maps, not nested blocks, in the common providers.
const MAP_ATTRIBUTES: &[&str] = &[
    "tags",
    "tags_all",
    "default_tags",
    "labels",
    "annotations",
    "environment",
    "environment_variables",
    "variables",
    "parameters",
    "metadata",
    "triggers",
    "options",
    "settings",
    "values",
    "policy",
    "assume_role_policy",
];

/// The HCL equivalent of a `.tf.json` file and the way back to its spans.
pub(crate) struct Converted {
    pub hcl: String,
    pub map: SpanMap,
}

/// Pairs of (HCL range, JSON range), for every value, key and object written.
#[derive(Default)]
pub(crate) struct SpanMap {
    ranges: Vec<(Span, Span)>,
}

impl SpanMap {
    /// The JSON span for an HCL span: the JSON of the innermost written piece containing it.
    pub fn translate(&self, span: Span) -> Span {
        self.ranges
            .iter()
            .filter(|(hcl, _)| hcl.start <= span.start && span.end <= hcl.end)
            .min_by_key(|(hcl, _)| hcl.end - hcl.start)
            .map_or(Span::new(0, 0), |(_, json)| *json)
    }
}

/// Rewrites a `.tf.json` file's text as HCL.
pub(crate) fn convert(text: &str) -> Result<Converted, ParseError> {
    let root = json::parse(text, 0, 0).map_err(|error| json::parse_error(text, error))?;
    let mut out = Writer { hcl: String::new(), map: SpanMap::default() };
    let ValueKind::Object(entries) = &root.kind else {
        return Err(ParseError::new(span_of(&root), "a .tf.json file holds a JSON object"));
    };
    for (kind, value) in entries {
        out.top_level(kind, value)?;
    }
    Ok(Converted { hcl: out.hcl, map: out.map })
}

fn span_of(value: &Value) -> Span {
    value.at.map_or(Span::new(0, 0), |at| at.span)
}

fn key_span_of(value: &Value) -> Span {
    value.at.and_then(|at| at.key_span).unwrap_or_else(|| span_of(value))
}

/// How a JSON value in an attribute position is read.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Strings are templates.
    Expression,
    /// Strings are literal text (a variable's default).
    Literal,
    /// Strings are bare expressions (`type`, `depends_on`).
    Bare,
}

struct Writer {
    hcl: String,
    map: SpanMap,
}

impl Writer {
    fn pos(&self) -> u32 {
        self.hcl.len() as u32
    }

    fn record(&mut self, start: u32, json: Span) {
        let hcl = Span::new(start, self.pos());
        self.map.ranges.push((hcl, json));
    }

    fn top_level(&mut self, kind: &str, value: &Value) -> Result<(), ParseError> {
        let labels = match kind {
            "resource" | "data" => 2,
            "variable" | "output" | "module" | "provider" => 1,
            "locals" | "terraform" => 0,
            // check, import, moved, removed, ...: not read, as in HCL files.
            _ => return Ok(()),
        };
        self.labelled(kind, key_span_of(value), value, labels, &mut Vec::new())
    }

    /// A block type whose value nests `labels` levels of objects keyed by label before the
    /// body (or an array of bodies).
    fn labelled(
        &mut self,
        kind: &str,
        kind_span: Span,
        value: &Value,
        labels: usize,
        outer: &mut Vec<(String, Span)>,
    ) -> Result<(), ParseError> {
        if labels == 0 {
            return match &value.kind {
                ValueKind::List(bodies) => {
                    bodies.iter().try_for_each(|body| self.block(kind, kind_span, outer, body))
                }
                _ => self.block(kind, kind_span, outer, value),
            };
        }
        let ValueKind::Object(entries) = &value.kind else {
            let message = format!("`{kind}` expects an object keyed by its {} label", ordinal(outer.len()));
            return Err(ParseError::new(span_of(value), message));
        };
        for (label, inner) in entries {
            outer.push((label.clone(), key_span_of(inner)));
            self.labelled(kind, kind_span, inner, labels - 1, outer)?;
            outer.pop();
        }
        Ok(())
    }

    fn block(
        &mut self,
        kind: &str,
        kind_span: Span,
        labels: &[(String, Span)],
        body: &Value,
    ) -> Result<(), ParseError> {
        let start = self.pos();
        let keyword = self.pos();
        self.hcl.push_str(kind);
        self.record(keyword, kind_span);
        for (label, span) in labels {
            self.hcl.push(' ');
            let at = self.pos();
            self.quoted(label, false);
            self.record(at, *span);
        }
        self.hcl.push_str(" {\n");
        self.body(kind, body)?;
        self.hcl.push_str("}\n");
        self.record(start, span_of(body));
        Ok(())
    }

    fn body(&mut self, kind: &str, body: &Value) -> Result<(), ParseError> {
        let ValueKind::Object(entries) = &body.kind else {
            return Err(ParseError::new(
                span_of(body),
                format!("the body of a `{kind}` block must be an object"),
            ));
        };
        for (name, value) in entries {
            if name == "//" {
                continue; // Terraform's JSON comment property.
            }
            if kind == "locals" {
                self.attribute(name, value, Mode::Expression)?;
                continue;
            }
            let nested = match name.as_str() {
                "dynamic" => {
                    self.dynamic(value)?;
                    continue;
                }
                "validation" | "precondition" | "postcondition" => true,
                _ if MAP_ATTRIBUTES.contains(&name.as_str()) => false,
                _ if kind == "variable" || kind == "output" => false,
                "lifecycle" | "provisioner" | "connection" | "content" | "backend" | "required_providers" => {
                    true
                }
                _ => match &value.kind {
                    ValueKind::Object(_) => true,
                    ValueKind::List(items) => {
                        !items.is_empty() && items.iter().all(|i| matches!(i.kind, ValueKind::Object(_)))
                    }
                    _ => false,
                },
            };
            if nested {
                let labels = usize::from(matches!(name.as_str(), "provisioner" | "backend"));
                self.labelled(name, key_span_of(value), value, labels, &mut Vec::new())?;
                continue;
            }
            let mode = match (kind, name.as_str()) {
                ("variable", "default") | ("module", "source" | "version") => Mode::Literal,
                ("variable", "type")
                | (_, "depends_on" | "ignore_changes" | "replace_triggered_by")
                | ("resource" | "data" | "module", "provider" | "providers") => Mode::Bare,
                _ => Mode::Expression,
            };
            self.attribute(name, value, mode)?;
        }
        Ok(())
    }

    /// `"dynamic": {"ingress": {"for_each": ..., "content": {...}}}`.
    fn dynamic(&mut self, value: &Value) -> Result<(), ParseError> {
        let ValueKind::Object(entries) = &value.kind else {
            return Err(ParseError::new(span_of(value), "`dynamic` expects an object keyed by block type"));
        };
        for (label, body) in entries {
            let kind_span = key_span_of(value);
            self.labelled("dynamic", kind_span, body, 0, &mut vec![(label.clone(), key_span_of(body))])?;
        }
        Ok(())
    }

    fn attribute(&mut self, name: &str, value: &Value, mode: Mode) -> Result<(), ParseError> {
        let valid = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(ParseError::new(
                key_span_of(value),
                format!("`{name}` is not a valid attribute name"),
            ));
        }
        let start = self.pos();
        self.hcl.push_str(name);
        self.record(start, key_span_of(value));
        self.hcl.push_str(" = ");
        self.value(value, mode)?;
        self.hcl.push('\n');
        Ok(())
    }

    fn value(&mut self, value: &Value, mode: Mode) -> Result<(), ParseError> {
        let start = self.pos();
        match &value.kind {
            // The JSON reader makes no unknowns.
            ValueKind::Null | ValueKind::Unknown(_) => self.hcl.push_str("null"),
            ValueKind::Bool(b) => self.hcl.push_str(if *b { "true" } else { "false" }),
            ValueKind::Number(n) => self.hcl.push_str(&super::value::number_text(*n)),
            ValueKind::String(text) if mode == Mode::Bare => {
                if text.contains(['\n', '#']) || text.trim().is_empty() {
                    return Err(ParseError::new(span_of(value), "expected an expression"));
                }
                self.hcl.push_str(text);
            }
            ValueKind::String(text) => self.quoted(text, mode == Mode::Expression),
            ValueKind::List(items) => {
                self.hcl.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.hcl.push_str(", ");
                    }
                    self.value(item, mode)?;
                }
                self.hcl.push(']');
            }
            ValueKind::Object(entries) => {
                self.hcl.push_str("{\n");
                for (key, item) in entries {
                    let key_start = self.pos();
                    self.quoted(key, false);
                    self.record(key_start, key_span_of(item));
                    self.hcl.push_str(" = ");
                    self.value(item, mode)?;
                    self.hcl.push('\n');
                }
                self.hcl.push('}');
            }
        }
        self.record(start, span_of(value));
        Ok(())
    }

    /// An HCL quoted string: a template keeps its `${...}` and `%{...}` sequences as written;
    /// literal text has them escaped.
    fn quoted(&mut self, text: &str, template: bool) {
        self.hcl.push('"');
        let mut depth = 0usize;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if depth > 0 {
                // Inside an interpolation: an expression, copied as written.
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                self.hcl.push(c);
                continue;
            }
            match c {
                // `$${` is a literal `${` in both syntaxes.
                '$' | '%' if template && chars.peek() == Some(&c) => {
                    self.hcl.push(c);
                    self.hcl.push(c);
                    chars.next();
                }
                '$' | '%' if chars.peek() == Some(&'{') => {
                    if template {
                        depth = 1;
                        self.hcl.push(c);
                        self.hcl.push('{');
                        chars.next();
                    } else {
                        self.hcl.push(c);
                        self.hcl.push(c);
                    }
                }
                '"' => self.hcl.push_str("\\\""),
                '\\' => self.hcl.push_str("\\\\"),
                '\n' => self.hcl.push_str("\\n"),
                '\r' => self.hcl.push_str("\\r"),
                '\t' => self.hcl.push_str("\\t"),
                c if c.is_control() => {
                    let _ = write!(self.hcl, "\\u{:04x}", c as u32);
                }
                c => self.hcl.push(c),
            }
        }
        self.hcl.push('"');
    }
}

fn ordinal(n: usize) -> &'static str {
    if n == 0 { "first" } else { "second" }
}
