//! The Kubernetes manifest parser: a YAML stream of Kubernetes objects (what `kubectl apply -f`
//! reads) in, the document described in docs/document-model.md ("Kubernetes manifests") out.
//!
//! Scalars are typed as Kubernetes types them: sigs.k8s.io/yaml decodes with go-yaml v2, which
//! reads YAML 1.1 booleans, so `privileged: yes` is `true` here too. Besides the objects as
//! written, the document lists every pod spec with where it sits in its object, so that
//! plugins checking containers need not know each workload kind's layout.

use std::sync::Arc;

use rampart_model::{Document, DocumentBuilder, Format, SourceFile, Span};

use crate::ParseError;
use crate::yaml::{self, Yaml, YamlDocument};

/// How Kubernetes reads YAML.
pub const YAML_OPTIONS: yaml::Options = yaml::Options { yaml11_booleans: true };

/// Where each workload kind keeps its pod spec.
const POD_SPEC_PATHS: [(&str, &str); 9] = [
    ("Pod", "spec"),
    ("Deployment", "spec.template.spec"),
    ("StatefulSet", "spec.template.spec"),
    ("DaemonSet", "spec.template.spec"),
    ("ReplicaSet", "spec.template.spec"),
    ("ReplicationController", "spec.template.spec"),
    ("Job", "spec.template.spec"),
    ("CronJob", "spec.jobTemplate.spec.template.spec"),
    ("PodTemplate", "template.spec"),
];

/// The dot path of the pod spec inside an object of this kind, for kinds that have one.
pub fn pod_spec_path(kind: &str) -> Option<&'static str> {
    POD_SPEC_PATHS.iter().find(|(k, _)| *k == kind).map(|(_, path)| *path)
}

/// Parses a Kubernetes manifest stream into the shape documented in docs/document-model.md.
pub fn parse(file: Arc<SourceFile>) -> Result<Document, ParseError> {
    let documents = yaml::read(&file, YAML_OPTIONS)?;
    let objects = objects(&documents)?;
    let text = Arc::clone(&file.text);
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let whole = Span::new(start as u32, text.len() as u32);
    let mut b = DocumentBuilder::new(Format::Kubernetes, file, whole);

    let list = b.list(DocumentBuilder::ROOT, "objects", whole);
    for object in &objects {
        let id = b.map(list, "", object.node.span);
        yaml::write_entries(&mut b, id, object.node.as_map().unwrap_or_default());
        // An object's own top-level `document` key (a custom resource's) is kept as written.
        if object.node.entry("document").is_none() {
            b.number(id, "document", &object.document.to_string(), object.node.span);
        }
    }

    let specs = b.list(DocumentBuilder::ROOT, "pod-specs", whole);
    for (index, object) in objects.iter().enumerate() {
        let Some(path) = pod_spec_path(&object.kind) else {
            continue;
        };
        let Some(entry) = entry_at(object.node, path) else {
            continue;
        };
        if entry.value.as_map().is_none() {
            continue;
        }
        let spec = &entry.value;
        let id = b.map(specs, "", spec.span);
        b.number(id, "object", &index.to_string(), object.node.span);
        b.string(id, "kind", &object.kind, object.kind_span);
        if let Some(name) = object.node.path("metadata.name").filter(|n| n.as_str().is_some()) {
            yaml::write(&mut b, id, "name", None, name);
        }
        b.string(id, "path", path, spec.span);
        yaml::write(&mut b, id, "spec", Some(entry.key_span), spec);
    }
    Ok(b.finish())
}

/// True when the stream holds at least one Kubernetes object: a mapping with a string
/// `apiVersion` and a string `kind`.
pub fn looks_like_kubernetes(documents: &[YamlDocument]) -> bool {
    documents.iter().any(|d| {
        d.root.get("apiVersion").and_then(Yaml::as_str).is_some()
            && d.root.get("kind").and_then(Yaml::as_str).is_some()
    })
}

/// A cheap look at the start of a file: a top-level `apiVersion:` line and a top-level
/// `kind:` line, as manifests are written, or `apiVersion:` with `metadata:` (a manifest that
/// lost its `kind`, which must be reported, not skipped). For names that leave open whether a
/// `.yaml` file is a manifest; [`looks_like_kubernetes`] decides on the parsed stream.
pub fn sniff(head: &str) -> bool {
    let top = |key: &str| {
        head.lines().any(|l| l.strip_prefix(key).is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t'])))
    };
    top("apiVersion:") && (top("kind:") || top("metadata:"))
}

struct Object<'a> {
    /// The index of the YAML document the object comes from.
    document: usize,
    node: &'a Yaml,
    /// The object's kind; for the items of a typed list without their own `kind`, the list's
    /// kind without `List`.
    kind: String,
    kind_span: Span,
}

/// The objects of the stream, in order, with List kinds replaced by their items.
fn objects(documents: &[YamlDocument]) -> Result<Vec<Object<'_>>, ParseError> {
    let mut objects = Vec::new();
    for document in documents {
        let root = &document.root;
        if root.is_null() {
            continue;
        }
        let what = format!("document {}", document.index + 1);
        let (kind, kind_span) = identify(root, &what)?;
        let items = root.get("items").and_then(Yaml::as_list);
        let Some(items) = items.filter(|_| kind.ends_with("List")) else {
            objects.push(Object { document: document.index, node: root, kind: kind.to_owned(), kind_span });
            continue;
        };
        let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
        for (position, item) in items.iter().enumerate() {
            let what = format!("item {} of the {kind} in document {}", position + 1, document.index + 1);
            let implied = item_kind.filter(|_| item.as_map().is_some() && item.get("kind").is_none());
            // The API server leaves `kind` out of a typed list's items.
            let (kind, kind_span) = if let Some(implied) = implied {
                (implied.to_owned(), kind_span)
            } else {
                let (kind, span) = identify(item, &what)?;
                (kind.to_owned(), span)
            };
            objects.push(Object { document: document.index, node: item, kind, kind_span });
        }
    }
    Ok(objects)
}

/// The kind of a Kubernetes object, or why `node` is not one.
fn identify<'a>(node: &'a Yaml, what: &str) -> Result<(&'a str, Span), ParseError> {
    if node.as_map().is_none() {
        return Err(ParseError::new(
            node.span,
            format!("{what} is not a Kubernetes object: {}, not a mapping", node.describe()),
        ));
    }
    for key in ["apiVersion", "kind"] {
        match node.entry(key) {
            None => {
                let at = Span::new(node.span.start, node.span.start);
                return Err(ParseError::new(at, format!("{what} is not a Kubernetes object: no `{key}`")));
            }
            Some(entry) if entry.value.as_str().is_none() => {
                return Err(ParseError::new(
                    entry.value.span,
                    format!("`{key}` of {what} is {}, not a string", entry.value.describe()),
                ));
            }
            Some(_) => {}
        }
    }
    match node.get("kind") {
        Some(kind @ Yaml { value: yaml::Value::String(name), .. }) => Ok((name, kind.span)),
        _ => Err(ParseError::new(node.span, format!("{what} is not a Kubernetes object: no `kind`"))),
    }
}

/// The entry at a dot path of map keys.
fn entry_at<'a>(node: &'a Yaml, path: &str) -> Option<&'a yaml::Entry> {
    let (parent, last) = match path.rsplit_once('.') {
        Some((parent, last)) => (node.path(parent)?, last),
        None => (node, path),
    };
    parent.entry(last)
}

#[cfg(test)]
mod tests;
