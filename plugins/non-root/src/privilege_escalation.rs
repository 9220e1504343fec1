//! `non-root/privilege-escalation`: Kubernetes containers cannot gain privileges.
//!
//! ## What it does
//! Reports every Kubernetes container (containers, init and ephemeral containers of every
//! pod spec) whose `securityContext` does not set `allowPrivilegeEscalation: false`: absent,
//! Kubernetes allows escalation. A container that is `privileged: true` or adds
//! `SYS_ADMIN` (or `ALL`) escalates whatever `allowPrivilegeEscalation` says, so
//! `allowPrivilegeEscalation: false` next to those is reported at the setting that defeats
//! it. Pods for Windows nodes (`os.name: windows`) are skipped: the field does not apply
//! there.
//!
//! ## Why is this bad?
//! Without `no_new_privs` (what `allowPrivilegeEscalation: false` sets), a setuid-root binary
//! or a file capability in the image gives its caller privileges the container's process did
//! not start with: a foothold as an unprivileged user becomes root in the container, one
//! step from the host.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: web
//!     image: registry.example.com/web:1.4.2
//!     securityContext:
//!       runAsNonRoot: true
//! ```
//!
//! ## Use instead
//! ```yaml
//! containers:
//!   - name: web
//!     image: registry.example.com/web:1.4.2
//!     securityContext:
//!       runAsNonRoot: true
//!       allowPrivilegeEscalation: false
//! ```

use rampart_plugin_sdk::kubernetes::Container;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::common::{self, container_anchor, own_setting};

pub const RULE: Rule = Rule {
    id: "non-root/privilege-escalation",
    title: "Containers cannot escalate privileges",
    severity: Severity::Medium,
    formats: &[Format::Kubernetes],
    rationale: "Kubernetes allows privilege escalation unless a container sets \
        `allowPrivilegeEscalation: false`: a setuid binary or a file capability in the image \
        then lets a process gain privileges it did not start with, turning a foothold as an \
        unprivileged user into root in the container. A privileged container, or one with \
        CAP_SYS_ADMIN, can always escalate.",
    remediation: "Set `allowPrivilegeEscalation: false` in every container's `securityContext` \
        (e.g. `securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}`), \
        and do not make the container privileged or add SYS_ADMIN.",
    references: &["CIS Kubernetes Benchmark v1.10.0 5.2.6", "NIST SP 800-53 AC-6", "NIST SP 800-53 AC-6(10)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for container in common::linux_containers(doc) {
        judge(container, cx);
    }
}

fn judge(container: Container<'_>, cx: &mut Context) {
    let who = container.describe();
    let Some(setting) = own_setting(container, "allowPrivilegeEscalation") else {
        cx.report(
            container_anchor(container),
            format!(
                "{who} does not set allowPrivilegeEscalation: false, and Kubernetes allows escalation \
                 by default: setuid binaries and file capabilities can raise its privileges"
            ),
        );
        return;
    };
    match setting.to_bool() {
        _ if setting.is_unknown() => {}
        Some(true) => {
            cx.report(
                setting,
                format!(
                    "{who} sets allowPrivilegeEscalation: true: setuid binaries and file capabilities \
                     can raise its privileges"
                ),
            );
        }
        Some(false) => {
            if let Some((defeat, what, consequence)) = escalates_anyway(container) {
                cx.report(
                    defeat,
                    format!("{who} {what}, which always allows privilege escalation: {consequence}"),
                )
                .related(setting, "allowPrivilegeEscalation: false is set here");
            }
        }
        None => {
            cx.report(
                setting,
                format!(
                    "{who} sets allowPrivilegeEscalation to `{}`, which is not the boolean false \
                     that turns escalation off",
                    setting.text()
                ),
            );
        }
    }
}

/// A setting that makes escalation possible whatever `allowPrivilegeEscalation` says:
/// `privileged: true`, or SYS_ADMIN (or ALL) among the added capabilities.
/// Returns the node, what it does and what that means for `allowPrivilegeEscalation: false`.
fn escalates_anyway(container: Container<'_>) -> Option<(Node<'_>, String, &'static str)> {
    if let Some(privileged) = own_setting(container, "privileged").filter(|p| p.to_bool() == Some(true)) {
        let consequence = "allowPrivilegeEscalation: false cannot hold (the API server rejects the pair)";
        return Some((privileged, "runs privileged".to_owned(), consequence));
    }
    common::added_capabilities(container).find_map(|cap| {
        let name = cap.str()?;
        let consequence = "its allowPrivilegeEscalation: false does not protect it";
        matches!(common::capability(name).as_str(), "SYS_ADMIN" | "ALL")
            .then(|| (cap, format!("adds capability {name}"), consequence))
    })
}
