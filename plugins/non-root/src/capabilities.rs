//! `non-root/capabilities`: containers do not add forbidden Linux capabilities.
//!
//! ## What it does
//! Reports every capability in `forbidden_capabilities` (default `SYS_ADMIN`, `ALL`,
//! `NET_RAW`) that a container adds: a Kubernetes container's
//! `securityContext.capabilities.add` (containers, init and ephemeral containers of every
//! pod spec), a Docker Compose service's `cap_add`, and an ECS container definition's
//! `linuxParameters.capabilities.add` (Terraform). Names compare as the runtimes compare
//! them: any case, with or without the `CAP_` prefix (`cap_sys_admin` is `SYS_ADMIN`). Pods
//! for Windows nodes (`os.name: windows`) are skipped, and so are values known only at
//! deploy time.
//!
//! ## Why is this bad?
//! Capabilities are pieces of root. `SYS_ADMIN` alone allows mounts, namespaces and BPF, the
//! usual ingredients of a container escape; `ALL` is nearly a privileged container;
//! `NET_RAW` lets a compromised container forge packets and poison ARP or DNS for its
//! neighbours on the node.
//!
//! ## Example
//! ```yaml
//! securityContext:
//!   capabilities:
//!     add: [SYS_ADMIN]
//! ```
//!
//! ## Use instead
//! ```yaml
//! securityContext:
//!   capabilities:
//!     drop: [ALL]
//!     add: [NET_BIND_SERVICE]   # only what the process needs
//! ```

use rampart_plugin_sdk::{Context, Document, Format, Node, Param, ParamDefault, Rule, Severity, compose};

use crate::common;

pub const RULE: Rule = Rule {
    id: "non-root/capabilities",
    title: "Containers do not add dangerous capabilities",
    severity: Severity::High,
    formats: &[Format::Kubernetes, Format::Compose, Format::Terraform],
    rationale: "Linux capabilities are pieces of root: SYS_ADMIN allows mounts, namespaces and \
        BPF (the usual ingredients of a container escape), ALL is close to a privileged \
        container, and NET_RAW lets a compromised container forge packets and poison ARP or \
        DNS for the other workloads on the node.",
    remediation: "Drop every capability and add back only what the process needs: Kubernetes \
        `securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}`, Compose \
        `cap_drop: [ALL]` with `cap_add: [NET_BIND_SERVICE]`, ECS `linuxParameters = \
        { capabilities = { drop = [\"ALL\"], add = [\"NET_BIND_SERVICE\"] } }`. Listen on a port \
        above 1024 or use a sysctl (`net.ipv4.ping_group_range`) instead of NET_RAW.",
    references: &[
        "CIS Kubernetes Benchmark v1.10.0 5.2.8",
        "CIS Kubernetes Benchmark v1.10.0 5.2.9",
        "CIS Docker Benchmark v1.6.0 5.4",
        "NIST SP 800-53 AC-6",
        "NIST SP 800-53 CM-7",
    ],
    params: &[Param {
        name: "forbidden_capabilities",
        description: "Capabilities a container must not add, without the `CAP_` prefix (any case); \
            `ALL` stands for adding every capability.",
        default: ParamDefault::Texts(&["SYS_ADMIN", "ALL", "NET_RAW"]),
    }],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let forbidden: Vec<String> =
        cx.param_texts("forbidden_capabilities").iter().map(|c| common::capability(c)).collect();
    if forbidden.is_empty() {
        return;
    }
    let report = |cx: &mut Context, who: String, added: Option<Node<'_>>| {
        for cap in added.into_iter().flat_map(Node::items) {
            let Some(name) = cap.str() else { continue };
            let normalised = common::capability(name);
            if forbidden.contains(&normalised) {
                let message = match grants(&normalised) {
                    Some(grants) => format!("{who} adds capability {name}, which grants {grants}"),
                    None => format!("{who} adds capability {name}, which this policy forbids"),
                };
                cx.report(cap, message);
            }
        }
    };
    match doc.format() {
        Format::Kubernetes => {
            for container in common::linux_containers(doc) {
                let added = container.security_context().and_then(|s| s.at(&["capabilities", "add"]));
                report(cx, container.describe(), added);
            }
        }
        Format::Compose => {
            for service in compose::services(doc) {
                report(cx, service.describe(), service.definition("cap_add"));
            }
        }
        Format::Terraform => {
            for container in common::ecs_containers(doc) {
                let added = container.node.at(&["linuxParameters", "capabilities", "add"]);
                report(cx, container.describe(), added);
            }
        }
        _ => {}
    }
}

/// What a capability grants, in a few words.
fn grants(capability: &str) -> Option<&'static str> {
    Some(match capability {
        "ALL" => "every capability, nearly what a privileged container can do",
        "SYS_ADMIN" => "mounts, namespaces, BPF and other administration, the usual path out of a container",
        "NET_RAW" => "raw sockets to forge packets and poison ARP or DNS on the node's network",
        "NET_ADMIN" => "control of interfaces, routes and firewall rules",
        "SYS_PTRACE" => "tracing and injecting code into other processes",
        "SYS_MODULE" => "loading kernel modules, that is code in the host's kernel",
        "SYS_RAWIO" => "raw access to I/O ports and devices",
        "DAC_READ_SEARCH" => "reading any file and opening files by handle, a known container escape",
        "DAC_OVERRIDE" => "bypassing every file permission check",
        "BPF" => "loading BPF programs into the kernel",
        "PERFMON" => "kernel performance monitoring and reads of kernel memory",
        "SYS_BOOT" => "rebooting the host and loading a new kernel",
        "SYS_TIME" => "setting the host's clock",
        "MAC_ADMIN" | "MAC_OVERRIDE" => "reconfiguring or bypassing AppArmor and SELinux",
        "SETUID" | "SETGID" => "switching to any user or group, root included",
        "SETFCAP" | "SETPCAP" => "granting capabilities to files and processes",
        "CHOWN" | "FOWNER" => "taking ownership of any file",
        "MKNOD" => "creating device files",
        _ => return None,
    })
}
