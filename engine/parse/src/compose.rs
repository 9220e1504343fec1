//! The Docker Compose parser: a Compose file (`compose.yaml`, `docker-compose.yml`) in, the
//! document described in docs/document-model.md ("Docker Compose") out.
//!
//! The file is read by the generic YAML reader with YAML 1.2 scalars, as compose-go's
//! go-yaml v3 reads it. Besides the top-level mapping as written, the document lists every
//! service with the settings policies look at most (image, user, privileged, environment,
//! env files, ports) in one normalised form, whichever of Compose's syntaxes the file uses.
//!
//! Compose fills `${VAR}` references in from the shell and `.env` when it runs. Those are not
//! known when scanning, so a value holding one is unknown and its references are recorded,
//! never guessed.

use std::ops::Range;
use std::sync::Arc;

use rampart_model::{Document, DocumentBuilder, Format, NodeId, NodeKind, SourceFile, Span};

use crate::ParseError;
use crate::env::interpolate::{self, Recorded, Reference, TextBudget};
use crate::yaml::{self, Entry, Value, Yaml, shown};

/// Parses a Compose file into the shape documented in docs/document-model.md.
pub fn parse(file: Arc<SourceFile>) -> Result<Document, ParseError> {
    let documents = yaml::read(&file, yaml::Options::default())?;
    if let Some(extra) = documents.iter().skip(1).find(|d| !d.root.is_null()) {
        return Err(ParseError::new(extra.root.span, "a Compose file holds one YAML document"));
    }
    let text = Arc::clone(&file.text);
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let whole = Span::new(start as u32, text.len() as u32);
    let root = documents.first().map(|d| &d.root);
    let Some((root, entries)) = root.and_then(|r| Some((r, r.as_map()?))) else {
        let (span, what) =
            root.map_or((Span::new(whole.start, whole.start), "empty"), |r| (r.span, r.describe()));
        return Err(ParseError::new(
            span,
            format!("a Compose file is a mapping of top-level keys (`services`, ...), not {what}"),
        ));
    };
    let services: &[Entry] = match root.get("services") {
        None => &[],
        Some(node) => match &node.value {
            // An empty `services:` declares none, as in a file that only defines volumes.
            Value::Null => &[],
            Value::Map(services) => services,
            _ => {
                return Err(ParseError::new(
                    node.span,
                    format!("`services` is {}, not a mapping of service names", node.describe()),
                ));
            }
        },
    };

    let mut w = Writer {
        b: DocumentBuilder::new(Format::Compose, file, whole),
        text: &text,
        budget: TextBudget::for_text(&text),
    };
    let list_span = root.get("services").map_or(whole, |s| s.span);
    let list = w.b.list(DocumentBuilder::ROOT, "services", list_span);
    for service in services {
        w.service(list, service)?;
    }
    let document = w.b.map(DocumentBuilder::ROOT, "document", root.span);
    yaml::write_entries(&mut w.b, document, entries);
    Ok(w.b.finish())
}

/// A cheap look at the start of a file: a top-level `services:` line and no top-level
/// `apiVersion:` or `kind:` line (a Kubernetes object may have a `services` key too).
pub fn looks_like_compose(head: &str) -> bool {
    let top = |key: &str| {
        head.lines().any(|line| {
            let line = line.trim_start_matches('\u{feff}');
            line.strip_prefix(key).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '#']))
        })
    };
    top("services:") && !top("apiVersion:") && !top("kind:")
}

/// True for the file names Docker Compose looks for and their variants, case-insensitively:
/// `compose.yaml`, `compose.yml`, `docker-compose.yml`, `docker-compose.yaml`, and
/// `compose.<anything>.yaml` / `docker-compose.<anything>.yml` (`docker-compose.override.yml`,
/// `compose.prod.yaml`). Only the last path component counts.
pub fn is_compose_name(file_name: &str) -> bool {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name).to_ascii_lowercase();
    let Some(stem) = name.strip_suffix(".yml").or_else(|| name.strip_suffix(".yaml")) else {
        return false;
    };
    ["compose", "docker-compose"].iter().any(|base| {
        stem == *base
            || stem.strip_prefix(base).and_then(|r| r.strip_prefix('.')).is_some_and(|r| !r.is_empty())
    })
}

/// A scalar as Compose reads it: its text, and where that text sits in the file.
struct Scalar<'a> {
    text: std::borrow::Cow<'a, str>,
    /// The file offset of the text's first byte, when the scalar is written exactly as its text
    /// (plain, or quoted without escapes), so that parts of it have exact spans.
    base: Option<usize>,
    span: Span,
}

impl<'a> Scalar<'a> {
    /// Strings, numbers (as written) and booleans: Compose turns the latter two into their text.
    fn of(node: &'a Yaml, source: &str) -> Option<Self> {
        let text: std::borrow::Cow<'a, str> = match &node.value {
            Value::String(s) | Value::Number(s) => s.as_str().into(),
            Value::Bool(b) => if *b { "true" } else { "false" }.into(),
            _ => return None,
        };
        let raw = source.get(node.span.start as usize..node.span.end as usize).unwrap_or("");
        let base = if raw == text {
            Some(node.span.start as usize)
        } else {
            let quoted = raw.len() == text.len() + 2
                && (raw.starts_with('"') || raw.starts_with('\''))
                && raw.get(1..raw.len() - 1) == Some(&*text);
            quoted.then_some(node.span.start as usize + 1)
        };
        Some(Self { text, base, span: node.span })
    }

    /// The span of a part of the text: exact when the scalar is written as its text, else the
    /// whole scalar (escapes and folding make offsets in the text meaningless in the file).
    fn span_of(&self, range: Range<usize>) -> Span {
        match self.base {
            Some(base) => Span::new((base + range.start) as u32, (base + range.end) as u32),
            None => self.span,
        }
    }

    fn get(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or("")
    }
}

/// The decoded part of a text: the value, or the references it depends on.
enum Decoded {
    Known(String),
    Unknown(String, Vec<Recorded>),
}

/// How many variables an unknown's reason names: a value may hold thousands of references.
const NAMED: usize = 5;

struct Writer<'a> {
    b: DocumentBuilder,
    text: &'a str,
    budget: TextBudget,
}

impl Writer<'_> {
    /// Decodes `range` of a text as Compose interpolates it: `$$` is `$`, and references make
    /// the value unknown.
    fn decode(&mut self, t: &Scalar<'_>, range: Range<usize>) -> Result<Decoded, ParseError> {
        let decoded = interpolate::interpolate(&t.text, range, false)
            .map_err(|e| ParseError::new(t.span_of(e.span), e.message))?;
        if decoded.references.is_empty() {
            return Ok(Decoded::Known(decoded.text));
        }
        let mut seen = std::collections::HashSet::new();
        let mut names: Vec<String> = Vec::new();
        for reference in &decoded.references {
            let name = t.get(reference.name.clone());
            if seen.insert(name) && names.len() < NAMED {
                names.push(format!("${{{}}}", shown(name)));
            }
        }
        let more =
            if seen.len() > NAMED { format!(" and {} more", seen.len() - NAMED) } else { String::new() };
        let reason = format!("depends on {}{more}: interpolated by compose when it runs", names.join(", "));
        let recorded = decoded.references.iter().map(|r| self.record(t, r)).collect();
        Ok(Decoded::Unknown(reason, recorded))
    }

    fn record(&mut self, t: &Scalar<'_>, reference: &Reference) -> Recorded {
        let modifier = reference.modifier.as_ref().map(|(modifier, word)| {
            let text =
                self.budget.charge(word.len()).then(|| interpolate::unescape(&t.text, word.clone(), false));
            (modifier.field(), text, t.span_of(word.clone()))
        });
        let form = self.budget.charge(reference.span.len()).then(|| t.get(reference.span.clone()).to_owned());
        Recorded {
            span: t.span_of(reference.span.clone()),
            name: t.get(reference.name.clone()).to_owned(),
            name_span: t.span_of(reference.name.clone()),
            modifier,
            form,
        }
    }

    /// Writes a decoded value as `key` of `parent`: a string, or an unknown whose references
    /// are appended to `references`.
    fn put(
        &mut self,
        parent: NodeId,
        key: &str,
        key_span: Option<Span>,
        decoded: Decoded,
        span: Span,
        references: &mut Vec<Recorded>,
    ) {
        match decoded {
            Decoded::Known(value) => self.b.push(parent, key, key_span, NodeKind::String, &value, span),
            Decoded::Unknown(reason, found) => {
                references.extend(found);
                self.b.push(parent, key, key_span, NodeKind::Unknown, &reason, span)
            }
        };
    }

    fn references(&mut self, parent: NodeId, key: &str, references: &[Recorded]) {
        interpolate::write_references(&mut self.b, parent, key, references);
    }

    fn service(&mut self, list: NodeId, service: &Entry) -> Result<(), ParseError> {
        let name = &service.key;
        let node = &service.value;
        let Some(settings) = node.as_map() else {
            return Err(ParseError::new(
                node.span,
                format!("service `{}` is {}, not a mapping", shown(name), node.describe()),
            ));
        };
        let m = self.b.map(list, "", service.key_span.to(node.span));
        self.b.push(m, "name", Some(service.key_span), NodeKind::String, name, service.key_span);
        let mut by_field: Vec<(&str, Vec<Recorded>)> = Vec::new();
        for field in ["image", "user"] {
            let Some(entry) = node.entry(field) else {
                continue;
            };
            if entry.value.is_null() {
                continue;
            }
            let Some(t) = Scalar::of(&entry.value, self.text) else {
                return Err(not_a(&entry.value, field, name, "a string"));
            };
            let decoded = self.decode(&t, 0..t.text.len())?;
            let mut found = Vec::new();
            self.put(m, field, Some(entry.key_span), decoded, entry.value.span, &mut found);
            by_field.push((field, found));
        }
        if let Some(entry) = node.entry("privileged") {
            let mut found = Vec::new();
            self.privileged(m, entry, name, &mut found)?;
            by_field.push(("privileged", found));
        }
        let empty = Span::new(node.span.start, node.span.start);

        let environment = node.entry("environment");
        let env_span = environment.map_or(empty, |e| e.value.span);
        let env_list = self.b.list(m, "environment", env_span);
        if let Some(entry) = environment {
            self.environment(env_list, &entry.value, name)?;
        }

        let env_files = node.entry("env_file");
        let files = self.b.list(m, "env-files", env_files.map_or(empty, |e| e.value.span));
        if let Some(entry) = env_files {
            self.env_files(files, &entry.value, name)?;
        }

        let ports = node.entry("ports");
        let port_list = self.b.list(m, "ports", ports.map_or(empty, |e| e.value.span));
        if let Some(entry) = ports {
            self.ports(port_list, &entry.value, name)?;
        }

        if by_field.iter().any(|(_, found)| !found.is_empty()) {
            let all = self.b.map(m, "references", node.span);
            for (field, found) in &by_field {
                self.references(all, field, found);
            }
        }
        let definition = self.b.push(m, "definition", Some(service.key_span), NodeKind::Map, "", node.span);
        yaml::write_entries(&mut self.b, definition, settings);
        Ok(())
    }

    fn privileged(
        &mut self,
        m: NodeId,
        entry: &Entry,
        service: &str,
        found: &mut Vec<Recorded>,
    ) -> Result<(), ParseError> {
        let value = &entry.value;
        let key_span = Some(entry.key_span);
        match &value.value {
            Value::Null => {}
            Value::Bool(b) => {
                self.b.push(
                    m,
                    "privileged",
                    key_span,
                    NodeKind::Bool,
                    if *b { "true" } else { "false" },
                    value.span,
                );
            }
            Value::String(_) => {
                let t = Scalar::of(value, self.text)
                    .ok_or_else(|| not_a(value, "privileged", service, "a boolean"))?;
                match self.decode(&t, 0..t.text.len())? {
                    unknown @ Decoded::Unknown(..) => {
                        self.put(m, "privileged", key_span, unknown, value.span, found);
                    }
                    Decoded::Known(text) => {
                        // After interpolation compose-go reads booleans as its `toBoolean` does.
                        let b = match text.to_ascii_lowercase().as_str() {
                            "y" | "yes" | "true" | "on" => true,
                            "n" | "no" | "false" | "off" => false,
                            _ => return Err(not_a(value, "privileged", service, "a boolean")),
                        };
                        self.b.push(
                            m,
                            "privileged",
                            key_span,
                            NodeKind::Bool,
                            if b { "true" } else { "false" },
                            value.span,
                        );
                    }
                }
            }
            _ => return Err(not_a(value, "privileged", service, "a boolean")),
        }
        Ok(())
    }

    fn environment(&mut self, list: NodeId, node: &Yaml, service: &str) -> Result<(), ParseError> {
        match &node.value {
            Value::Null => {}
            Value::List(items) => {
                for item in items {
                    let t = match &item.value {
                        Value::String(_) => Scalar::of(item, self.text),
                        _ => None,
                    };
                    let Some(t) = t else {
                        return Err(ParseError::new(
                            item.span,
                            format!(
                                "an environment entry of service `{}` is {}, not `KEY=value` or `KEY`",
                                shown(service),
                                item.describe()
                            ),
                        ));
                    };
                    let (key_range, value_range) = match t.text.find('=') {
                        Some(eq) => (0..eq, Some(eq + 1..t.text.len())),
                        None => (0..t.text.len(), None),
                    };
                    let key = t.get(key_range.clone()).to_owned();
                    let key_span = t.span_of(key_range);
                    if key.is_empty() {
                        return Err(ParseError::new(
                            item.span,
                            "an environment entry without a variable name",
                        ));
                    }
                    let decoded = match value_range {
                        Some(range) => Some((t.span_of(range.clone()), self.decode(&t, range)?)),
                        None => None,
                    };
                    self.env_entry(list, item.span, &key, key_span, decoded);
                }
            }
            Value::Map(entries) => {
                for entry in entries {
                    let value = &entry.value;
                    let decoded = if value.is_null() {
                        None
                    } else {
                        let Some(t) = Scalar::of(value, self.text) else {
                            return Err(ParseError::new(
                                value.span,
                                format!(
                                    "environment variable `{}` of service `{}` is {}, not a scalar",
                                    shown(&entry.key),
                                    shown(service),
                                    value.describe()
                                ),
                            ));
                        };
                        Some((value.span, self.decode(&t, 0..t.text.len())?))
                    };
                    self.env_entry(list, entry.key_span.to(value.span), &entry.key, entry.key_span, decoded);
                }
            }
            _ => return Err(not_a(node, "environment", service, "a list or a mapping")),
        }
        Ok(())
    }

    fn env_entry(
        &mut self,
        list: NodeId,
        span: Span,
        key: &str,
        key_span: Span,
        value: Option<(Span, Decoded)>,
    ) {
        let m = self.b.map(list, "", span);
        self.b.string(m, "key", key, key_span);
        let mut found = Vec::new();
        match value {
            None => {
                let reason = format!("{} is taken from the environment where compose runs", shown(key));
                self.b.push(m, "value", Some(key_span), NodeKind::Unknown, &reason, key_span);
            }
            Some((span, decoded)) => self.put(m, "value", Some(key_span), decoded, span, &mut found),
        }
        self.references(m, "references", &found);
    }

    fn env_files(&mut self, list: NodeId, node: &Yaml, service: &str) -> Result<(), ParseError> {
        let items = match &node.value {
            Value::Null => return Ok(()),
            Value::List(items) => items.as_slice(),
            _ => std::slice::from_ref(node),
        };
        for item in items {
            let path = match item.as_map() {
                Some(_) => item.get("path"),
                None => Some(item),
            };
            let t = path.filter(|p| p.as_str().is_some()).and_then(|p| Scalar::of(p, self.text));
            let Some(t) = t else {
                return Err(not_a(item, "env_file", service, "a path or a `{path, required}` mapping"));
            };
            let decoded = self.decode(&t, 0..t.text.len())?;
            self.put(list, "", None, decoded, t.span, &mut Vec::new());
        }
        Ok(())
    }

    fn ports(&mut self, list: NodeId, node: &Yaml, service: &str) -> Result<(), ParseError> {
        let Some(items) = node.as_list() else {
            if node.is_null() {
                return Ok(());
            }
            return Err(not_a(node, "ports", service, "a list"));
        };
        for item in items {
            let m = self.b.map(list, "", item.span);
            let mut found = Vec::new();
            if let Some(entries) = item.as_map() {
                for (field, out) in [
                    ("published", "published"),
                    ("target", "target"),
                    ("protocol", "protocol"),
                    ("host_ip", "host-ip"),
                ] {
                    let Some(entry) = entries.iter().find(|e| e.key == field) else {
                        continue;
                    };
                    if entry.value.is_null() {
                        continue;
                    }
                    let Some(t) = Scalar::of(&entry.value, self.text) else {
                        return Err(not_a(&entry.value, field, service, "a scalar"));
                    };
                    let decoded = self.decode(&t, 0..t.text.len())?;
                    self.put(m, out, Some(entry.key_span), decoded, entry.value.span, &mut found);
                }
            } else {
                let Some(t) = Scalar::of(item, self.text).filter(|_| !matches!(item.value, Value::Bool(_)))
                else {
                    return Err(not_a(item, "a port", service, "`[HOST:]CONTAINER[/PROTOCOL]` or a mapping"));
                };
                match self.decode(&t, 0..t.text.len())? {
                    Decoded::Unknown(reason, refs) => {
                        // Which part a reference fills is only known once it is substituted.
                        self.b.unknown(m, "published", &reason, item.span);
                        self.b.unknown(m, "target", &reason, item.span);
                        found = refs;
                    }
                    Decoded::Known(text) => {
                        let port = short_port(&text).map_err(|why| {
                            ParseError::new(
                                item.span,
                                format!(
                                    "invalid port `{}` of service `{}`: {why}; expected \
                                     [[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]",
                                    shown(&text),
                                    shown(service)
                                ),
                            )
                        })?;
                        // `$$` changes offsets; spans of parts are exact only without it.
                        let exact = text == t.text;
                        let span = |r: &Range<usize>| if exact { t.span_of(r.clone()) } else { item.span };
                        let slice = |r: &Range<usize>| text.get(r.clone()).unwrap_or("");
                        if let Some(r) = &port.published {
                            self.b.string(m, "published", slice(r), span(r));
                        }
                        self.b.string(m, "target", slice(&port.target), span(&port.target));
                        if let Some(r) = &port.protocol {
                            self.b.string(m, "protocol", slice(r), span(r));
                        }
                        if let Some(r) = &port.host_ip {
                            self.b.string(m, "host-ip", slice(r), span(r));
                        }
                    }
                }
            }
            self.references(m, "references", &found);
        }
        Ok(())
    }
}

fn not_a(node: &Yaml, field: &str, service: &str, expected: &str) -> ParseError {
    ParseError::new(
        node.span,
        format!("`{field}` of service `{}` is {}, not {expected}", shown(service), node.describe()),
    )
}

/// The parts of a short port syntax, as ranges of its text.
#[derive(Debug, PartialEq, Eq)]
struct ShortPort {
    host_ip: Option<Range<usize>>,
    published: Option<Range<usize>>,
    target: Range<usize>,
    protocol: Option<Range<usize>>,
}

/// Reads `[[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]`; ports may be ranges (`9090-9091`), an IPv6
/// host address may be bracketed (`[::1]:80:80`), and an empty published port
/// (`127.0.0.1::80`) lets Docker pick one.
fn short_port(text: &str) -> Result<ShortPort, String> {
    let (main, protocol) = match text.rfind('/') {
        Some(slash) => (0..slash, Some(slash + 1..text.len())),
        None => (0..text.len(), None),
    };
    if let Some(p) = &protocol {
        let name = text.get(p.clone()).unwrap_or("");
        if !["tcp", "udp", "sctp"].contains(&name) {
            return Err(format!("unknown protocol `{}`", shown(name)));
        }
    }
    let body = text.get(main.clone()).unwrap_or("");
    let (host_ip, rest) = if body.starts_with('[') {
        let close = body.find("]:").ok_or("unclosed `[` of an IPv6 address")?;
        (Some(1..close), close + 2..main.end)
    } else {
        (None, main)
    };
    let rest_text = text.get(rest.clone()).unwrap_or("");
    let (host_ip, published, target) = match rest_text.rfind(':') {
        None => {
            if host_ip.is_some() {
                return Err("a host address needs a published and a target port".into());
            }
            (None, None, rest)
        }
        Some(colon) => {
            let target = rest.start + colon + 1..rest.end;
            let head = rest.start..rest.start + colon;
            let head_text = text.get(head.clone()).unwrap_or("");
            match (host_ip, head_text.rfind(':')) {
                (Some(_), Some(_)) => return Err("too many `:` after the IPv6 address".into()),
                (ip @ Some(_), None) => (ip, Some(head), target),
                (None, None) => (None, Some(head), target),
                (None, Some(k)) => {
                    (Some(head.start..head.start + k), Some(head.start + k + 1..head.end), target)
                }
            }
        }
    };
    let range_ok = |r: &Range<usize>| port_range(text.get(r.clone()).unwrap_or(""));
    if !range_ok(&target) {
        return Err("the target port is not a port number or range".into());
    }
    let published = published.filter(|r| !r.is_empty());
    if let Some(p) = &published
        && !range_ok(p)
    {
        return Err("the published port is not a port number or range".into());
    }
    let host_ip = host_ip.filter(|r| !r.is_empty());
    // As Docker's port-spec parser: the host part is an IP address, never a port or a name.
    if let Some(ip) = &host_ip
        && text.get(ip.clone()).unwrap_or("").parse::<std::net::IpAddr>().is_err()
    {
        return Err(format!(
            "`{}` is not an IP address to publish on",
            shown(text.get(ip.clone()).unwrap_or(""))
        ));
    }
    Ok(ShortPort { host_ip, published, target, protocol })
}

/// `80` or `8000-8010`.
fn port_range(text: &str) -> bool {
    let port = |p: &str| {
        !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65_535)
    };
    match text.split_once('-') {
        Some((low, high)) => port(low) && port(high),
        None => port(text),
    }
}

#[cfg(test)]
mod tests;
