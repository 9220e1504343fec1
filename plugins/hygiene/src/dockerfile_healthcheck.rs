//! `hygiene/dockerfile-healthcheck`: the image declares how to check that it is healthy.
//!
//! ## What it does
//! Looks for a `HEALTHCHECK CMD ...` in the final stage of a Dockerfile, or, when the final
//! stage has none, in the stages it is built `FROM` (Docker inherits it). Reports at the
//! final stage's `FROM` when there is none, and at `NONE` when the check in force is
//! `HEALTHCHECK NONE`, which switches off one the base image may have. A health check the
//! base image itself declares cannot be seen from the Dockerfile: declare it here, where
//! it is reviewed with the code it checks. Builder stages are ignored.
//!
//! ## Why is this bad?
//! Without a health check Docker, Compose and ECS only know whether the process exists: a
//! deadlocked or wedged service keeps receiving traffic and is never restarted.
//!
//! ## Example
//! ```dockerfile
//! FROM node:20-alpine
//! COPY . /app
//! CMD ["node", "/app/server.js"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:20-alpine
//! COPY . /app
//! HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
//!   CMD wget -q -O /dev/null http://localhost:3000/health || exit 1
//! CMD ["node", "/app/server.js"]
//! ```

use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, dockerfile};

pub const RULE: Rule = Rule {
    id: "hygiene/dockerfile-healthcheck",
    title: "Container images declare a HEALTHCHECK",
    severity: Severity::Low,
    formats: &[Format::Dockerfile],
    rationale: "Without a health check the runtime only knows whether the process exists: a \
        deadlocked, wedged or misconfigured service keeps receiving traffic and is never \
        restarted, and a rollout cannot tell a broken release from a healthy one.",
    remediation: "Add a HEALTHCHECK to the final stage that exercises the service, e.g. \
        `HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD curl -fsS \
        http://localhost:8080/health || exit 1` (use a binary the image has: `wget -q -O /dev/null` \
        on Alpine, or the application's own `--healthcheck` command on distroless images). \
        Remove `HEALTHCHECK NONE`.",
    references: &["CIS Docker Benchmark 4.6", "NIST SP 800-53 SI-4"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let stages: Vec<Node<'_>> = dockerfile::stages(doc).collect();
    let Some(&last) = stages.last() else { return };
    let Some(from) = last.get("from") else { return };
    let image = from.get("image").and_then(Node::str).unwrap_or("its base image");

    match healthcheck_in_force(&stages, stages.len() - 1) {
        None => {
            cx.report(
                from,
                format!(
                    "the final stage (FROM {image}) declares no HEALTHCHECK: nothing tells the runtime \
                     when the service stops working"
                ),
            );
        }
        Some(instruction) => {
            let Some(none) = instruction.get("none") else { return };
            if instruction_in(last, instruction) {
                cx.report(none, "HEALTHCHECK NONE switches health checking off: nothing tells the runtime when the service stops working");
            } else {
                cx.report(
                    from,
                    format!(
                        "the final stage (FROM {image}) inherits HEALTHCHECK NONE from the stage it is \
                         built on: nothing tells the runtime when the service stops working"
                    ),
                )
                .related(none, "health checking is switched off here");
            }
        }
    }
}

/// The last HEALTHCHECK instruction of a stage or, when it has none, of the stage it is built
/// FROM, and so on. Bounded by the number of stages (a malformed chain cannot loop).
fn healthcheck_in_force<'a>(stages: &[Node<'a>], index: usize) -> Option<Node<'a>> {
    let mut current = Some(index);
    for _ in 0..stages.len() {
        let stage = *stages.get(current?)?;
        let own = dockerfile::instructions(stage).filter(|&i| dockerfile::keyword(i) == "HEALTHCHECK").last();
        if own.is_some() {
            return own;
        }
        current = stage.at(&["from", "stage"]).and_then(Node::as_i64).and_then(|i| usize::try_from(i).ok());
    }
    None
}

fn instruction_in(stage: Node<'_>, instruction: Node<'_>) -> bool {
    instruction.parent().and_then(Node::parent).is_some_and(|s| s.is(stage))
}
