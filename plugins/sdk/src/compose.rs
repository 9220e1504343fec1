//! Navigating a Docker Compose file (see "Docker Compose" in docs/document-model.md): its
//! services, their normalised fields (`image`, `user`, `privileged`, `environment`,
//! `ports`...) and their mapping as written (`definition`).

use crate::{Document, Kind, Node};

/// A service of a Compose file.
#[derive(Clone, Copy, Debug)]
pub struct Service<'a> {
    /// The service map: `name`, `image`, `user`, `privileged`, `environment`, `ports`,
    /// `definition`, ...
    pub node: Node<'a>,
}

impl<'a> Service<'a> {
    /// The service's name (`web`).
    pub fn name(self) -> Option<&'a str> {
        self.node.get("name").and_then(Node::str)
    }

    /// A key of the service's mapping as written (`cap_add`, `security_opt`, `build`...),
    /// for what the parser does not normalise.
    pub fn definition(self, key: &str) -> Option<Node<'a>> {
        self.node.at(&["definition", key])
    }

    /// How a message names the service: ``service `web` ``.
    pub fn describe(self) -> String {
        describe(self.name())
    }
}

fn describe(name: Option<&str>) -> String {
    match name {
        Some(name) => format!("service `{name}`"),
        None => "a service".to_owned(),
    }
}

/// The services of a Compose file, in file order.
pub fn services(doc: &Document) -> impl Iterator<Item = Service<'_>> + '_ {
    doc.root()
        .get("services")
        .into_iter()
        .flat_map(Node::items)
        .filter(|s| s.kind() == Kind::Map)
        .map(|node| Service { node })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;
    use crate::test_doc::{T, doc, list, map};

    #[test]
    fn services_are_read_with_their_definition() {
        let d = doc(
            Format::Compose,
            &map([(
                "services",
                list([
                    map([
                        ("name", T::Str("web")),
                        ("image", T::Str("nginx")),
                        ("definition", map([("cap_add", list([T::Str("NET_ADMIN")]))])),
                    ]),
                    map([("name", T::Str("db"))]),
                ]),
            )]),
        );
        let services: Vec<Service<'_>> = services(&d).collect();
        assert_eq!(services.len(), 2);
        assert_eq!(services[0].name(), Some("web"));
        assert_eq!(services[0].describe(), "service `web`");
        assert_eq!(services[0].node.get("image").and_then(Node::str), Some("nginx"));
        assert_eq!(services[0].definition("cap_add").map(Node::len), Some(1));
        assert!(services[1].definition("cap_add").is_none());
        assert_eq!(describe(None), "a service");
    }

    #[test]
    fn a_file_without_services_has_none() {
        assert_eq!(services(&doc(Format::Compose, &map([]))).count(), 0);
        assert_eq!(services(&doc(Format::Compose, &map([("services", T::Null)]))).count(), 0);
    }
}
