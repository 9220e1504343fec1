//! Navigating Kubernetes manifests (see "Kubernetes manifests" in docs/document-model.md):
//! objects by kind, every pod spec wherever it is nested, and every container of a pod
//! spec with the security settings that apply to it.

use crate::{Document, Kind, Node};

/// The objects of the file, in order.
pub fn objects(doc: &Document) -> impl Iterator<Item = Node<'_>> + '_ {
    doc.root().get("objects").into_iter().flat_map(Node::items).filter(|o| o.kind() == Kind::Map)
}

/// The objects of one of these kinds (`&["Service"]`).
pub fn objects_of<'a>(doc: &'a Document, kinds: &'a [&'a str]) -> impl Iterator<Item = Node<'a>> + 'a {
    objects(doc).filter(move |o| o.get("kind").and_then(Node::str).is_some_and(|k| kinds.contains(&k)))
}

/// `kind/name` of an object, for messages: `Deployment/web`.
pub fn describe(object: Node<'_>) -> String {
    let kind = object.get("kind").and_then(Node::str).unwrap_or("object");
    match object.at(&["metadata", "name"]).and_then(Node::str) {
        Some(name) => format!("{kind}/{name}"),
        None => kind.to_owned(),
    }
}

/// A pod spec, wherever it is nested (a Pod's `spec`, a Deployment's template, a
/// CronJob's job template...).
#[derive(Clone, Copy, Debug)]
pub struct PodSpec<'a> {
    /// The `pod-specs` entry: `object`, `kind`, `name`, `path`, `spec`.
    pub entry: Node<'a>,
    /// The pod spec itself (`containers`, `securityContext`, `hostNetwork`, ...).
    pub spec: Node<'a>,
}

impl<'a> PodSpec<'a> {
    /// The object the pod spec belongs to.
    pub fn object(self) -> Option<Node<'a>> {
        let index = usize::try_from(self.entry.get("object")?.as_i64()?).ok()?;
        self.entry.document().root().get("objects")?.item(index)
    }

    /// `Deployment/web`.
    pub fn describe(self) -> String {
        let kind = self.entry.get("kind").and_then(Node::str).unwrap_or("Pod");
        match self.entry.get("name").and_then(Node::str) {
            Some(name) => format!("{kind}/{name}"),
            None => kind.to_owned(),
        }
    }

    /// The pod-level `securityContext`.
    pub fn security_context(self) -> Option<Node<'a>> {
        self.spec.get("securityContext").filter(|s| s.kind() == Kind::Map)
    }

    /// Every container: `containers`, `initContainers` and `ephemeralContainers`.
    pub fn containers(self) -> impl Iterator<Item = Container<'a>> + 'a {
        CONTAINER_FIELDS.iter().flat_map(move |&field| {
            self.spec
                .get(field)
                .into_iter()
                .flat_map(Node::items)
                .filter(|c| c.kind() == Kind::Map)
                .map(move |node| Container { pod: self, node, field })
        })
    }
}

const CONTAINER_FIELDS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// Every pod spec of the file.
pub fn pod_specs(doc: &Document) -> impl Iterator<Item = PodSpec<'_>> + '_ {
    doc.root().get("pod-specs").into_iter().flat_map(Node::items).filter_map(|entry| {
        Some(PodSpec { entry, spec: entry.get("spec").filter(|s| s.kind() == Kind::Map)? })
    })
}

/// A container of a pod spec.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub pod: PodSpec<'a>,
    /// The container's map (`name`, `image`, `securityContext`, `env`, ...).
    pub node: Node<'a>,
    /// `containers`, `initContainers` or `ephemeralContainers`.
    pub field: &'static str,
}

impl<'a> Container<'a> {
    pub fn name(self) -> Option<&'a str> {
        self.node.get("name").and_then(Node::str)
    }

    /// `container web of Deployment/api` (`init container` for init containers).
    pub fn describe(self) -> String {
        let what = match self.field {
            "initContainers" => "init container",
            "ephemeralContainers" => "ephemeral container",
            _ => "container",
        };
        match self.name() {
            Some(name) => format!("{what} `{name}` of {}", self.pod.describe()),
            None => format!("a {what} of {}", self.pod.describe()),
        }
    }

    /// The container's own `securityContext`.
    pub fn security_context(self) -> Option<Node<'a>> {
        self.node.get("securityContext").filter(|s| s.kind() == Kind::Map)
    }

    /// A security setting as Kubernetes applies it: the container's `securityContext`
    /// wins over the pod's (for the fields both have: `runAsUser`, `runAsGroup`,
    /// `runAsNonRoot`, `seLinuxOptions`, `seccompProfile`, ...).
    pub fn effective(self, field: &str) -> Option<Node<'a>> {
        self.security_context()
            .and_then(|s| s.get(field))
            .filter(|v| v.kind() != Kind::Null)
            .or_else(|| self.pod.security_context()?.get(field).filter(|v| v.kind() != Kind::Null))
    }

    /// The `env` entries with a literal `value` (not `valueFrom`): `(name node, value node)`.
    pub fn env_values(self) -> impl Iterator<Item = (Node<'a>, Node<'a>)> + 'a {
        self.node
            .get("env")
            .into_iter()
            .flat_map(Node::items)
            .filter_map(|e| Some((e.get("name")?, e.get("value")?)))
    }
}
