//! Navigating a Terraform module document (see "Terraform" in docs/document-model.md).
//!
//! A module's resources, data sources, providers and `terraform` blocks, their attributes
//! and nested blocks, and the references between resources: a value that names another
//! resource (`subnet_id = aws_subnet.public.id`) is unknown, and [`references`] reads which
//! resource it names so a rule can look at that resource's own settings.

use crate::{Document, Kind, Node};

/// A `resource` or `data` block (one instance of it when it has `count` or `for_each`).
#[derive(Clone, Copy, Debug)]
pub struct Resource<'a> {
    /// The entry map: `type`, `name`, `address`, `attributes`, ...
    pub node: Node<'a>,
}

impl<'a> Resource<'a> {
    /// `aws_db_instance`.
    pub fn kind(self) -> &'a str {
        self.node.get("type").and_then(Node::str).unwrap_or("")
    }

    /// `main` in `aws_db_instance.main`.
    pub fn name(self) -> &'a str {
        self.node.get("name").and_then(Node::str).unwrap_or("")
    }

    /// The address as Terraform writes it, module path and instance key included:
    /// `module.db.aws_db_instance.main["eu"]`.
    pub fn address(self) -> &'a str {
        self.node.get("address").and_then(Node::str).unwrap_or("")
    }

    /// The node to report at when the resource as a whole is at fault (an attribute is
    /// missing): its labels, `"aws_db_instance" "main"`.
    pub fn labels(self) -> Node<'a> {
        self.node.get("address").unwrap_or(self.node)
    }

    /// The calling module's address (`module.db`) for a resource of a loaded local module.
    pub fn module(self) -> Option<&'a str> {
        self.node.get("module").and_then(Node::str)
    }

    /// The attributes and nested blocks.
    pub fn attributes(self) -> Option<Node<'a>> {
        self.node.get("attributes")
    }

    /// An attribute's value: `resource.attr("storage_encrypted")`.
    pub fn attr(self, name: &str) -> Option<Node<'a>> {
        self.attributes()?.get(name)
    }

    /// Follows a path through nested blocks and attributes, taking the first block of
    /// each block type: `resource.at(&["versioning", "enabled"])`.
    pub fn at(self, path: &[&str]) -> Option<Node<'a>> {
        first_at(self.attributes()?, path)
    }

    /// Every nested block of a type (`ingress`), in order; dynamic blocks included.
    pub fn blocks(self, name: &str) -> impl Iterator<Item = Node<'a>> + 'a {
        blocks(self.attributes(), name)
    }

    /// The document this resource is in.
    pub fn document(self) -> &'a Document {
        self.node.document()
    }
}

/// Follows `path` from a block's body, taking the first block wherever a nested block
/// type (a list) is met: `first_at(body, &["server_side_encryption_configuration", "rule"])`.
pub fn first_at<'a>(body: Node<'a>, path: &[&str]) -> Option<Node<'a>> {
    path.iter().try_fold(body, |node, key| {
        let node = if node.kind() == Kind::List { node.item(0)? } else { node };
        node.get(key)
    })
}

/// Every block of type `name` in a block body (`blocks(Some(body), "rule")`).
pub fn blocks<'a>(body: Option<Node<'a>>, name: &str) -> impl Iterator<Item = Node<'a>> + 'a {
    body.and_then(|b| b.get(name)).into_iter().flat_map(Node::items).filter(|b| b.kind() == Kind::Map)
}

/// The module's managed resources of any of these types (all resources when `types` is
/// empty), local modules' resources included.
pub fn resources<'a>(doc: &'a Document, types: &'a [&'a str]) -> impl Iterator<Item = Resource<'a>> + 'a {
    entries(doc, "resources", types)
}

/// The module's data sources of any of these types.
pub fn data_sources<'a>(doc: &'a Document, types: &'a [&'a str]) -> impl Iterator<Item = Resource<'a>> + 'a {
    entries(doc, "data", types)
}

fn entries<'a>(
    doc: &'a Document,
    list: &'static str,
    types: &'a [&'a str],
) -> impl Iterator<Item = Resource<'a>> + 'a {
    doc.root()
        .get(list)
        .into_iter()
        .flat_map(Node::items)
        .map(|node| Resource { node })
        .filter(move |r| types.is_empty() || types.contains(&r.kind()))
}

/// `provider` blocks: `(name, attributes)` per block, e.g. `("aws", {region = ...})`.
pub fn providers(doc: &Document) -> impl Iterator<Item = (Node<'_>, Node<'_>)> + '_ {
    doc.root()
        .get("providers")
        .into_iter()
        .flat_map(Node::items)
        .filter_map(|p| Some((p.get("name")?, p.get("attributes")?)))
}

/// The bodies of the `terraform` blocks (`backend`, `required_providers`, ...).
pub fn terraform_blocks(doc: &Document) -> impl Iterator<Item = Node<'_>> + '_ {
    doc.root().get("terraform").into_iter().flat_map(Node::items).filter_map(|t| t.get("attributes"))
}

/// A reference to another object, read from an unknown value's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reference<'a> {
    /// `aws_subnet.public[0]` or `data.aws_subnet.x`: the object's address as written at
    /// the reference (relative to the module it is written in; an index that is itself a
    /// reference, like `[count.index]`, is kept as written).
    pub address: &'a str,
    /// `aws_subnet`.
    pub kind: &'a str,
    /// `public`.
    pub name: &'a str,
    /// What follows the address: `id`, `arn`, ... (empty when nothing does).
    pub attribute: &'a str,
}

/// The resource or data source a value refers to, when it is an unknown value computed from
/// one (`aws_subnet.public.id (known after apply)`).
pub fn reference(node: Node<'_>) -> Option<Reference<'_>> {
    if node.kind() != Kind::Unknown {
        return None;
    }
    parse_reference(node.text())
}

fn parse_reference(text: &str) -> Option<Reference<'_>> {
    let written = text.strip_suffix(" (known after apply)")?;
    let (mode_len, rest) = match written.strip_prefix("data.") {
        Some(rest) => (5, rest),
        None => (0, written),
    };
    let (kind, after_kind) = rest.split_once('.')?;
    let name_len = after_kind.find(['.', '[']).unwrap_or(after_kind.len());
    let name = &after_kind[..name_len];
    if !is_identifier(kind) || !is_identifier(name) || !kind.contains('_') {
        return None;
    }
    let mut end = mode_len + kind.len() + 1 + name_len;
    // An instance key: `[0]`, `["a"]`, `[count.index]`.
    if written[end..].starts_with('[') {
        let close = written[end..].find(']')?;
        end += close + 1;
    }
    let attribute = written[end..].strip_prefix('.').unwrap_or("");
    Some(Reference { address: &written[..end], kind, name, attribute })
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !s.as_bytes()[0].is_ascii_digit()
}

/// Every reference in a value: the value itself, or the items of a list or map of values
/// (`subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]`).
pub fn references(node: Node<'_>) -> impl Iterator<Item = Reference<'_>> {
    node.descendants().filter_map(reference)
}

/// The resources a reference names, seen from `from` (the resource the reference is written
/// in): in `from`'s module first, then anywhere in the document (a module output handing a
/// resource's id to its caller keeps the address relative to that module). An address
/// without an index, or with one that is a reference (`[count.index]`), names every instance.
pub fn resolve<'a>(
    doc: &'a Document,
    from: Option<Resource<'a>>,
    reference: Reference<'_>,
) -> Vec<Resource<'a>> {
    let list = if reference.address.starts_with("data.") { "data" } else { "resources" };
    let candidates: Vec<Resource<'a>> = entries(doc, list, &[])
        .filter(|r| r.kind() == reference.kind && r.name() == reference.name)
        .collect();
    let module = from.and_then(Resource::module);
    let in_module: Vec<Resource<'a>> = candidates.iter().copied().filter(|r| r.module() == module).collect();
    let scope = if in_module.is_empty() { candidates } else { in_module };
    match reference.address.find('[').map(|i| &reference.address[i..]) {
        Some(index) if is_literal_index(index) => {
            scope.into_iter().filter(|r| r.address().ends_with(index)).collect()
        }
        _ => scope,
    }
}

/// `[0]` or `["key"]`: an index naming one instance. `[count.index]`, `[*]`, `[var.i]` and
/// the like name any of them.
fn is_literal_index(index: &str) -> bool {
    let Some(inner) = index.strip_prefix('[').and_then(|i| i.strip_suffix(']')) else {
        return false;
    };
    (!inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()))
        || (inner.len() >= 2 && inner.starts_with('"') && inner.ends_with('"'))
}

/// The container definitions of `aws_ecs_task_definition` resources, wherever the JSON is
/// known (a `jsonencode(...)` or a JSON string): `(task definition, container map)`.
pub fn ecs_containers(doc: &Document) -> impl Iterator<Item = (Resource<'_>, Node<'_>)> + '_ {
    resources(doc, &["aws_ecs_task_definition"]).flat_map(|task| {
        task.attr("container_definitions")
            .into_iter()
            .flat_map(Node::items)
            .filter(|c| c.kind() == Kind::Map)
            .map(move |c| (task, c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_from_unknown_text() {
        let r = parse_reference("aws_subnet.public.id (known after apply)").unwrap();
        assert_eq!(
            (r.address, r.kind, r.name, r.attribute),
            ("aws_subnet.public", "aws_subnet", "public", "id")
        );
        let r = parse_reference("aws_subnet.private[0].id (known after apply)").unwrap();
        assert_eq!((r.address, r.attribute), ("aws_subnet.private[0]", "id"));
        let r = parse_reference("aws_subnet.p[\"a.b\"].id (known after apply)").unwrap();
        assert_eq!(r.address, "aws_subnet.p[\"a.b\"]");
        let r = parse_reference("data.aws_vpc.main (known after apply)").unwrap();
        assert_eq!((r.address, r.kind, r.attribute), ("data.aws_vpc.main", "aws_vpc", ""));
        assert_eq!(parse_reference("var.x has no default and no value was given"), None);
        assert_eq!(parse_reference("self (known after apply)"), None);
        assert_eq!(parse_reference("foo.bar (known after apply)"), None, "not a resource type");
    }

    #[test]
    fn only_a_literal_index_names_one_instance() {
        for one in ["[0]", "[12]", "[\"eu-central-1a\"]"] {
            assert!(is_literal_index(one), "{one}");
        }
        for any in ["[count.index]", "[each.key]", "[*]", "[var.i]", "[az]", "[]", "[\"]", "0"] {
            assert!(!is_literal_index(any), "{any}");
        }
    }
}
