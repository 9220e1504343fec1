//! Helpers shared by the rules of this family: who counts as root, capability names, and
//! the containers of Kubernetes pod specs and ECS container definitions with the words a
//! message names them by (Compose services come from the SDK's `compose` module).

use rampart_plugin_sdk::kubernetes::{Container, PodSpec};
use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Document, Kind, Node};

/// A `user` value (Compose `user`, ECS `user`) that runs the process as root: `root` or UID 0
/// (`0`, `00`), with or without a group (`0:0`, `root:staff`, `0:1000`).
pub fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("").trim();
    name == "root" || (!name.is_empty() && name.bytes().all(|b| b == b'0'))
}

/// A capability as the runtimes compare them: upper case, without the `CAP_` prefix
/// (`cap_sys_admin`, `CAP_SYS_ADMIN` and `sys_admin` are all `SYS_ADMIN`).
pub fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_owned(),
        None => upper,
    }
}

/// Whether a pod spec is for Windows nodes (`spec.os.name: windows`), where the Linux
/// security settings (`runAsUser`, `privileged`, capabilities, `allowPrivilegeEscalation`)
/// do not apply and the API server forbids them.
pub fn is_windows(pod: PodSpec<'_>) -> bool {
    pod.spec.at(&["os", "name"]).and_then(Node::str).is_some_and(|os| os.eq_ignore_ascii_case("windows"))
}

/// Every container of the Kubernetes file that runs on Linux nodes.
pub fn linux_containers(doc: &Document) -> impl Iterator<Item = Container<'_>> + '_ {
    rampart_plugin_sdk::kubernetes::pod_specs(doc)
        .filter(|pod| !is_windows(*pod))
        .flat_map(PodSpec::containers)
}

/// Where to report a container's missing setting: its `name` value, else the container map.
pub fn container_anchor(container: Container<'_>) -> Node<'_> {
    container.node.get("name").unwrap_or(container.node)
}

/// A field of a container's own `securityContext` (not the pod's), null treated as absent.
pub fn own_setting<'a>(container: Container<'a>, field: &str) -> Option<Node<'a>> {
    container.security_context()?.get(field).filter(|v| v.kind() != Kind::Null)
}

/// The items of a container's `securityContext.capabilities.add`.
pub fn added_capabilities(container: Container<'_>) -> impl Iterator<Item = Node<'_>> + '_ {
    container
        .security_context()
        .and_then(|s| s.at(&["capabilities", "add"]))
        .into_iter()
        .flat_map(Node::items)
}

/// An ECS container definition of an `aws_ecs_task_definition` (Terraform).
#[derive(Clone, Copy, Debug)]
pub struct EcsContainer<'a> {
    pub task: Resource<'a>,
    pub node: Node<'a>,
}

impl EcsContainer<'_> {
    /// `container `api` of aws_ecs_task_definition.app`.
    pub fn describe(self) -> String {
        match self.node.get("name").and_then(Node::str) {
            Some(name) => format!("container `{name}` of {}", self.task.address()),
            None => format!("a container of {}", self.task.address()),
        }
    }
}

/// Every known container definition of the module's ECS task definitions.
pub fn ecs_containers(doc: &Document) -> impl Iterator<Item = EcsContainer<'_>> + '_ {
    terraform::ecs_containers(doc).map(|(task, node)| EcsContainer { task, node })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_users() {
        for user in ["root", "0", "00", "0:0", "root:root", "root:staff", "0:1000", " root "] {
            assert!(is_root_user(user), "{user}");
        }
        for user in ["", "1000", "1001:1001", "app", "rooty", "ROOT", ":0", "10", "app:root", "1000:0"] {
            assert!(!is_root_user(user), "{user}");
        }
    }

    #[test]
    fn capabilities_are_normalised() {
        assert_eq!(capability("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(capability(" NET_RAW"), "NET_RAW");
        assert_eq!(capability("all"), "ALL");
    }
}
