//! `non-root/dockerfile-user`: the final stage of a Dockerfile does not run as root.
//!
//! ## What it does
//! Follows the `USER` instructions of the final stage (and of the stages it is built
//! `FROM`), expanding variables as Docker does, and reports when the image's containers
//! start as root: no `USER` at all, or a last `USER` of `root`, `0`, `0:0`, `root:root`,
//! `${X}` with X resolving to root. Builder stages are ignored: they never run in production.
//!
//! ## Why is this bad?
//! Root in a container is root on the host kernel: a container escape or a writable host
//! mount turns any code-execution bug into a host compromise.
//!
//! ## Example
//! ```dockerfile
//! FROM nginx:alpine
//! COPY dist /usr/share/nginx/html
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM nginxinc/nginx-unprivileged:alpine
//! COPY dist /usr/share/nginx/html
//! USER 101
//! ```

use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, Value};

pub const RULE: Rule = Rule {
    id: "non-root/dockerfile-user",
    title: "Container images run as a non-root user",
    severity: Severity::High,
    formats: &[Format::Dockerfile],
    rationale: "A process running as root in a container is root on the host's kernel: a \
        container escape, a kernel bug or a writable host mount turns any code-execution flaw \
        into a compromise of the host and its other workloads.",
    remediation: "Create an unprivileged user in the final stage and switch to it before \
        CMD/ENTRYPOINT, e.g. `RUN adduser -D -u 10001 app` then `USER 10001`. Prefer a \
        numeric UID so Kubernetes `runAsNonRoot` can verify it.",
    references: &["CIS Docker Benchmark 4.1", "NIST SP 800-53 AC-6", "NIST SP 800-53 CM-7"],
    params: &[],
    check,
};

/// Who a stage ends up running as, and which USER instruction said so.
#[derive(Clone, Copy)]
enum EffectiveUser<'a> {
    /// No USER instruction in the stage or its ancestors: the base image's default, root.
    Unset,
    /// Set by this USER instruction's `user` value.
    Set { instruction: Node<'a>, user: Node<'a> },
}

fn check(doc: &Document, cx: &mut Context) {
    let Some(stages) = doc.root().get("stages") else {
        return;
    };
    let Some(last) = stages.children().last() else {
        return;
    };
    let Some(from) = last.get("from") else { return };

    match effective_user(stages, last, 0) {
        EffectiveUser::Unset => {
            let image = from.get("image").and_then(Node::str).unwrap_or("its base image");
            cx.report(
                from,
                format!("the final stage (FROM {image}) never sets USER, so its containers run as root"),
            );
        }
        EffectiveUser::Set { instruction, user: user_node } => {
            match user_node.value() {
                Value::String(name) if is_root(name) => {
                    let written = instruction.get("arguments").and_then(Node::str).unwrap_or(name);
                    let user = if written.contains('$') {
                        let expanded = instruction.get("expanded").and_then(Node::str).unwrap_or(name);
                        format!("USER {written} (which resolves to `{expanded}`)")
                    } else {
                        format!("USER {written}")
                    };
                    if instruction_in(last, instruction) {
                        cx.report(
                        user_node,
                        format!("the final stage switches to {user} and never back, so its containers run as root"),
                    );
                    } else {
                        cx.report(
                        from,
                        format!("the final stage inherits {user} from the stage it is built on, so its containers run as root"),
                    )
                    .related(user_node, "root is set here");
                    }
                }
                Value::Unknown(reason) => {
                    cx.report(user_node, format!("cannot verify that the final stage runs as non-root: USER depends on a value unknown before build time ({reason})"))
                    .severity(Severity::Info);
                }
                _ => {}
            }
        }
    }
}

/// The user a stage runs as after its last instruction. `depth` bounds a malformed chain of
/// stage references (the parser only links to earlier stages, so it is a safety net).
fn effective_user<'a>(stages: Node<'a>, stage: Node<'a>, depth: usize) -> EffectiveUser<'a> {
    let own = stage
        .get("instructions")
        .into_iter()
        .flat_map(Node::children)
        .rev()
        .filter(|i| i.get("keyword").and_then(Node::str) == Some("USER"))
        .find_map(|instruction| Some(EffectiveUser::Set { instruction, user: instruction.get("user")? }));
    if let Some(user) = own {
        return user;
    }
    let parent = stage
        .at(&["from", "stage"])
        .and_then(Node::as_i64)
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| stages.item(i));
    match parent {
        Some(parent) if depth < stages.len() && !parent.is(stage) => {
            effective_user(stages, parent, depth + 1)
        }
        _ => EffectiveUser::Unset,
    }
}

fn instruction_in(stage: Node<'_>, instruction: Node<'_>) -> bool {
    instruction.parent().and_then(Node::parent).is_some_and(|s| s.is(stage))
}

/// `root` or UID 0 (`0`, `00`, ...), with or without a group.
fn is_root(user: &str) -> bool {
    user == "root" || (!user.is_empty() && user.bytes().all(|b| b == b'0'))
}
