//! Navigating a Terraform module document (see "Terraform" in docs/document-model.md).
//!
//! A module's resources, data sources, providers and `terraform` blocks, their attributes
//! and nested blocks, and the references between resources: a value that names another
//! resource (`subnet_id = aws_subnet.public.id`) is unknown, and [`references`] reads which
//! resource it names so a rule can look at that resource's own settings.
//!
//! A rule judges an argument as a [`Setting`]: absent (the provider's default applies),
//! unknown (never a violation) or known, with the node to report at:
//!
//! ```no_run
//! # use rampart_plugin_sdk::{Context, Document, terraform::{self, Setting}};
//! # fn check(doc: &Document, cx: &mut Context) {
//! # for db in terraform::resources(doc, &["aws_db_instance"]) {
//! match db.setting(&["storage_encrypted"]).boolean() {
//!     Setting::Known(false, node) => {
//!         cx.report(node, "storage_encrypted = false: the storage is not encrypted");
//!     }
//!     Setting::Absent => {
//!         cx.report(db.labels(), "storage_encrypted is not set: the storage is not encrypted");
//!     }
//!     Setting::Known(true, _) | Setting::Unknown => {}
//! }
//! # }
//! # }
//! ```

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

    /// The setting at a path of attributes and nested blocks (see [`setting`]):
    /// `resource.setting(&["versioning", "enabled"]).boolean()`.
    pub fn setting(self, path: &[&str]) -> Setting<'a> {
        setting(self.attributes(), path)
    }

    /// Every nested block of a type (`ingress`), in order; dynamic blocks included.
    pub fn blocks(self, name: &str) -> impl Iterator<Item = Node<'a>> + 'a {
        blocks(self.attributes(), name)
    }

    /// Whether this is a data source (`data "aws_s3_bucket" "logs"`), not a managed resource.
    pub fn is_data(self) -> bool {
        self.node.get("mode").and_then(Node::str) == Some("data")
    }

    /// The document this resource is in.
    pub fn document(self) -> &'a Document {
        self.node.document()
    }
}

/// What a setting holds, as far as a rule can judge it. `T` is the value as read: the node
/// itself, or a typed value read from it by [`Setting::int`], [`Setting::boolean`] or
/// [`Setting::text`].
#[derive(Clone, Copy, Debug)]
pub enum Setting<'a, T = Node<'a>> {
    /// Not written, or `null` (which Terraform treats as not written): the provider's
    /// default applies.
    Absent,
    /// Not known before apply (an unknown value, a `dynamic` block that is not expanded), or
    /// not a value of the expected type (Terraform would refuse it): never judged.
    Unknown,
    /// A known value, and the node that holds it (where to report).
    Known(T, Node<'a>),
}

impl<'a> Setting<'a> {
    /// The setting a value holds, for a node found by other means
    /// (`Setting::of(block.get("encrypted"))`, or a value of another format, such as a
    /// Kubernetes StorageClass parameter): absent when there is none or it is `null`, unknown
    /// when it is unknown or a list whose first item is (a `dynamic` block that is not
    /// expanded), known otherwise.
    pub fn of(node: Option<Node<'a>>) -> Self {
        let Some(node) = node else { return Setting::Absent };
        match node.kind() {
            Kind::Null => Setting::Absent,
            Kind::Unknown => Setting::Unknown,
            Kind::List if node.children().next().is_some_and(Node::is_unknown) => Setting::Unknown,
            _ => Setting::Known(node, node),
        }
    }

    /// Reads the known value with `read`; a value it rejects (`None`) is unknown.
    pub fn read<T>(self, read: impl FnOnce(Node<'a>) -> Option<T>) -> Setting<'a, T> {
        match self {
            Setting::Known(node, _) => read(node).map_or(Setting::Unknown, |v| Setting::Known(v, node)),
            Setting::Absent => Setting::Absent,
            Setting::Unknown => Setting::Unknown,
        }
    }

    /// A count of days, hours, backups...: a whole number, not negative (`7`, `"7"`, `7.0`).
    pub fn int(self) -> Setting<'a, i64> {
        self.read(|node| node.to_i64().filter(|&v| v >= 0))
    }

    /// A boolean (`true`, or a string `"true"`/`"false"` in any case, as Terraform converts
    /// strings for boolean arguments).
    pub fn boolean(self) -> Setting<'a, bool> {
        self.read(Node::to_bool)
    }

    /// A string.
    pub fn text(self) -> Setting<'a, &'a str> {
        self.read(Node::str)
    }
}

/// The setting at `path` from a block's body (a resource's `attributes`), following
/// attributes and nested blocks and taking the first block of each nested block type:
/// `setting(resource.attributes(), &["versioning", "enabled"])`. Missing or `null` anywhere
/// on the way is absent; a `dynamic` block that is not expanded, or any other unknown or
/// non-map value on the way, makes the setting unknown. Unlike [`first_at`], which finds a
/// node, this says why there is none.
pub fn setting<'a>(body: Option<Node<'a>>, path: &[&str]) -> Setting<'a> {
    let Some(mut node) = body else { return Setting::Absent };
    for key in path {
        if node.kind() == Kind::List {
            match node.children().next() {
                Some(first) => node = first,
                None => return Setting::Absent,
            }
        }
        match node.kind() {
            Kind::Map => match node.get(key) {
                Some(value) => node = value,
                None => return Setting::Absent,
            },
            Kind::Null => return Setting::Absent,
            _ => return Setting::Unknown,
        }
    }
    Setting::of(Some(node))
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

/// The resources of one of `types` that the references in `value` name
/// (`aws_s3_bucket.logs.id`, `[aws_lb.a.arn, aws_lb.b.arn]`), seen from `from` (the resource
/// `value` is written in), each reference resolved as [`resolve`] does. Data sources of
/// those types count too (`data.aws_s3_bucket.logs.id` names that data source's entry; see
/// [`Resource::is_data`]). A value that names no such resource yields nothing.
pub fn referenced<'a>(from: Resource<'a>, value: Node<'a>, types: &[&str]) -> Vec<Resource<'a>> {
    let doc = from.document();
    references(value).filter(|r| types.contains(&r.kind)).flat_map(|r| resolve(doc, Some(from), r)).collect()
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
    use crate::Format;
    use crate::test_doc::{T, doc, list, map};

    fn entry(
        mode: &'static str,
        kind: &'static str,
        name: &'static str,
        address: &'static str,
        attributes: T,
    ) -> T {
        map([
            ("type", T::Str(kind)),
            ("name", T::Str(name)),
            ("address", T::Str(address)),
            ("mode", T::Str(mode)),
            ("attributes", attributes),
        ])
    }

    /// A bucket with settings of every kind, a versioning resource that names it, and a
    /// data source of the same type.
    fn module() -> Document {
        let bucket = entry(
            "managed",
            "aws_s3_bucket",
            "logs",
            "aws_s3_bucket.logs",
            map([
                ("bucket", T::Str("my-logs")),
                ("force_destroy", T::Null),
                ("object_lock_enabled", T::Str("TRUE")),
                ("days", T::Num("7")),
                ("text_days", T::Str("30")),
                ("negative", T::Num("-1")),
                ("name", T::Unknown("var.name has no default and no value was given")),
                ("versioning", list([map([("enabled", T::Bool(false))])])),
                ("logging", list([T::Unknown("dynamic block logging is not expanded: var.logs")])),
                ("lifecycle_rule", list([])),
                ("website", T::Null),
                ("policy", T::Str("{}")),
            ]),
        );
        let versioning = entry(
            "managed",
            "aws_s3_bucket_versioning",
            "logs",
            "aws_s3_bucket_versioning.logs",
            map([
                ("bucket", T::Unknown("aws_s3_bucket.logs.id (known after apply)")),
                (
                    "both",
                    list([
                        T::Unknown("aws_s3_bucket.logs.id (known after apply)"),
                        T::Unknown("data.aws_s3_bucket.shared.id (known after apply)"),
                        T::Unknown("aws_kms_key.k.arn (known after apply)"),
                    ]),
                ),
            ]),
        );
        let shared = entry("data", "aws_s3_bucket", "shared", "data.aws_s3_bucket.shared", map([]));
        doc(Format::Terraform, &map([("resources", list([bucket, versioning])), ("data", list([shared]))]))
    }

    fn bucket(doc: &Document) -> Resource<'_> {
        resources(doc, &["aws_s3_bucket"]).next().unwrap()
    }

    #[test]
    fn settings_are_absent_unknown_or_known() {
        let doc = module();
        let bucket = bucket(&doc);
        let absent = |path: &[&str]| matches!(bucket.setting(path), Setting::Absent);
        let unknown = |path: &[&str]| matches!(bucket.setting(path), Setting::Unknown);
        assert!(absent(&["missing"]));
        assert!(absent(&["force_destroy"]), "null is not written");
        assert!(absent(&["lifecycle_rule", "expiration"]), "no block");
        assert!(absent(&["website", "index_document"]), "a null block");
        assert!(absent(&["versioning", "mfa_delete"]));
        assert!(unknown(&["name"]));
        assert!(unknown(&["logging"]), "a dynamic block that is not expanded");
        assert!(unknown(&["logging", "target_bucket"]));
        assert!(unknown(&["name", "anything"]), "through an unknown");
        assert!(unknown(&["policy", "Statement"]), "through a string");
        let Setting::Known(node, at) = bucket.setting(&["bucket"]) else { panic!("bucket is known") };
        assert_eq!((node.str(), at.str()), (Some("my-logs"), Some("my-logs")));
        assert!(matches!(setting(None, &["x"]), Setting::Absent));
        assert!(matches!(Setting::of(None), Setting::Absent));
        assert!(matches!(Setting::of(bucket.attr("name")), Setting::Unknown));
        assert!(matches!(Setting::of(bucket.attr("logging")), Setting::Unknown));
    }

    #[test]
    fn settings_are_read_typed() {
        let doc = module();
        let bucket = bucket(&doc);
        let s = |path: &[&str]| bucket.setting(path);
        assert!(
            matches!(s(&["versioning", "enabled"]).boolean(), Setting::Known(false, n) if n.as_bool() == Some(false))
        );
        assert!(matches!(s(&["object_lock_enabled"]).boolean(), Setting::Known(true, _)));
        assert!(matches!(s(&["days"]).boolean(), Setting::Unknown), "not a boolean");
        assert!(matches!(s(&["missing"]).boolean(), Setting::Absent));
        assert!(matches!(s(&["name"]).boolean(), Setting::Unknown));
        assert!(matches!(s(&["days"]).int(), Setting::Known(7, _)));
        assert!(matches!(s(&["text_days"]).int(), Setting::Known(30, _)));
        assert!(matches!(s(&["negative"]).int(), Setting::Unknown), "not a count");
        assert!(matches!(s(&["bucket"]).int(), Setting::Unknown));
        assert!(matches!(s(&["force_destroy"]).int(), Setting::Absent));
        assert!(matches!(s(&["bucket"]).text(), Setting::Known("my-logs", _)));
        assert!(matches!(s(&["days"]).text(), Setting::Unknown), "a number is not a string");
        assert!(matches!(s(&["bucket"]).read(|n| n.str().map(str::len)), Setting::Known(7, _)));
    }

    #[test]
    fn referenced_resources_are_resolved() {
        let doc = module();
        let versioning = resources(&doc, &["aws_s3_bucket_versioning"]).next().unwrap();
        let addresses = |value: &str, types: &[&str]| -> Vec<(String, bool)> {
            referenced(versioning, versioning.attr(value).unwrap(), types)
                .into_iter()
                .map(|r| (r.address().to_owned(), r.is_data()))
                .collect()
        };
        assert_eq!(addresses("bucket", &["aws_s3_bucket"]), [("aws_s3_bucket.logs".to_owned(), false)]);
        assert_eq!(
            addresses("both", &["aws_s3_bucket"]),
            [("aws_s3_bucket.logs".to_owned(), false), ("data.aws_s3_bucket.shared".to_owned(), true)]
        );
        assert!(addresses("both", &["aws_kms_key"]).is_empty(), "named, but not in the module");
        assert!(addresses("bucket", &["aws_lb"]).is_empty());
        assert!(!bucket(&doc).is_data());
    }

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
