//! `hygiene/image-latest-tag`: images are named by a fixed version, not `latest` or no tag.
//!
//! ## What it does
//! Reads every place an image is named and reports a reference without a digest whose tag
//! is `latest` (or another tag of `floating_tags`), or that has no tag at all, which means
//! `latest`:
//! - Dockerfile: the `FROM` of every stage (after ARG expansion) and `COPY --from=<image>`.
//!   Images of the final stage and of the stages it is built `FROM` are reported at the
//!   rule's severity; those of builder stages, which only shape the build, at low. `FROM
//!   scratch`, `FROM <earlier stage>` and references that depend on a build argument
//!   without a default are not judged;
//! - Kubernetes: the `image` of every container, init container and ephemeral container of
//!   every pod spec;
//! - Compose: each service's `image`, unless the service has a `build` section (the image
//!   then names what the build produces; its base is judged in the Dockerfile) or the value
//!   is interpolated when compose runs;
//! - Terraform: the `image` of ECS container definitions and of Batch job definitions,
//!   `aws_lambda_function.image_uri` and App Runner's `image_identifier`, as evaluated
//!   (a variable overridden by a `*.auto.tfvars` file is judged with its final value).
//!
//! A digest (`app@sha256:...`, also `app:latest@sha256:...`) pins the image: no finding.
//! A registry port is not a tag: `localhost:5000/app` has no tag.
//!
//! ## Why is this bad?
//! `latest` is whatever was pushed last: two deployments of the same manifest can run
//! different code, a rollback redeploys the broken image, and a compromised or broken push
//! reaches production without any change under review.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: web
//!     image: registry.example.com/web:latest
//! ```
//!
//! ## Use instead
//! ```yaml
//! containers:
//!   - name: web
//!     image: registry.example.com/web:2.4.1@sha256:3f1c...
//! ```

use rampart_plugin_sdk::{
    Context, Document, Format, Kind, Node, Param, ParamDefault, Rule, Severity, Value, dockerfile, kubernetes,
};
use rampart_plugin_sdk::{compose, terraform};

use crate::image_ref;

pub const RULE: Rule = Rule {
    id: "hygiene/image-latest-tag",
    title: "Images are pinned to a version, not `latest`",
    severity: Severity::Medium,
    formats: &[Format::Dockerfile, Format::Kubernetes, Format::Compose, Format::Terraform],
    rationale: "`latest` (and a reference without a tag, which means `latest`) names whatever \
        was pushed last: the same manifest deploys different code on different days, a \
        rollback redeploys the image that broke, and a bad or malicious push reaches \
        production without any change going through review.",
    remediation: "Name an immutable version, ideally with its digest: `FROM node:20.11-alpine`, \
        `image: registry.example.com/web:2.4.1@sha256:<digest>` (`docker buildx imagetools \
        inspect <image>` prints the digest). Have CI write the tag of the image it built \
        (a version or the commit SHA) and make the registry's tags immutable.",
    references: &["NIST SP 800-53 CM-2", "NIST SP 800-53 CM-3", "NIST SP 800-53 SI-7"],
    params: &[Param {
        name: "floating_tags",
        description: "Tags that move from image to image (compared case-insensitively); a \
            reference without a tag counts as `latest`. Add e.g. `stable`, `edge` or `main`.",
        default: ParamDefault::Texts(&["latest"]),
    }],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let floating_tags = cx.param_texts("floating_tags");
    match doc.format() {
        Format::Dockerfile => check_dockerfile(doc, cx, &floating_tags),
        Format::Kubernetes => check_kubernetes(doc, cx, &floating_tags),
        Format::Compose => check_compose(doc, cx, &floating_tags),
        Format::Terraform => check_terraform(doc, cx, &floating_tags),
        Format::Env => {}
    }
}

fn check_dockerfile(doc: &Document, cx: &mut Context, floating_tags: &[String]) {
    let stages: Vec<Node<'_>> = dockerfile::stages(doc).collect();
    let runtime = runtime_stages(&stages);
    for (index, &stage) in stages.iter().enumerate() {
        let is_runtime = runtime.get(index).copied().unwrap_or(false);
        let severity = if is_runtime { Severity::Medium } else { Severity::Low };
        let place = describe_stage(stage, index, stages.len(), is_runtime);

        if let Some(from) = stage.get("from").filter(|f| f.get("stage").is_none()) {
            let written = from.get("image");
            if let (Some(written), Some(Value::String(expanded))) =
                (written, from.get("expanded").map(Node::value))
                && !expanded.trim().eq_ignore_ascii_case("scratch")
                && let Some(why) = image_ref::judge(expanded, floating_tags)
            {
                let shown = shown_reference(written.text(), expanded);
                cx.report(written, format!("{place} is built FROM {shown}: {why}")).severity(severity);
            }
        }

        for copy in dockerfile::instructions(stage).filter(|i| dockerfile::keyword(*i) == "COPY") {
            let Some(source) = copy.at(&["flags", "from"]) else { continue };
            let Some(image) = source.str() else { continue };
            if names_a_stage(&stages, image) {
                continue;
            }
            if let Some(why) = image_ref::judge(image, floating_tags) {
                cx.report(source, format!("{place} copies files from image {image}: {why}"))
                    .severity(severity);
            }
        }
    }
}

/// Which stages end up in the image: the final stage and the stages it is built `FROM`.
fn runtime_stages(stages: &[Node<'_>]) -> Vec<bool> {
    let mut runtime = vec![false; stages.len()];
    let mut current = stages.len().checked_sub(1);
    while let Some(index) = current {
        match runtime.get_mut(index) {
            Some(seen) if !*seen => *seen = true,
            _ => break, // out of range, or a cycle in a malformed document
        }
        current = stages
            .get(index)
            .and_then(|s| s.at(&["from", "stage"]))
            .and_then(Node::as_i64)
            .and_then(|i| usize::try_from(i).ok());
    }
    runtime
}

fn describe_stage(stage: Node<'_>, index: usize, count: usize, is_runtime: bool) -> String {
    let name = match stage.get("name").and_then(Node::str) {
        Some(name) => format!("stage `{name}`"),
        None => format!("stage {index}"),
    };
    if index + 1 == count {
        if count == 1 { "the image" } else { "the final stage" }.to_owned()
    } else if is_runtime {
        format!("{name}, which the final stage is built on,")
    } else {
        format!("builder {name}")
    }
}

/// Whether `COPY --from=<value>` names a stage (by name, case-insensitively, or by index)
/// rather than an image. A value with a variable is not judged either.
fn names_a_stage(stages: &[Node<'_>], value: &str) -> bool {
    value.contains('$')
        || value.parse::<usize>().is_ok()
        || stages
            .iter()
            .any(|s| s.get("name").and_then(Node::str).is_some_and(|n| n.eq_ignore_ascii_case(value)))
}

/// `node:${V}` as written, with what it resolves to when that differs.
fn shown_reference(written: &str, expanded: &str) -> String {
    if written == expanded {
        written.to_owned()
    } else {
        format!("{written} (which resolves to `{expanded}`)")
    }
}

fn check_kubernetes(doc: &Document, cx: &mut Context, floating_tags: &[String]) {
    for pod in kubernetes::pod_specs(doc) {
        for container in pod.containers() {
            let Some(image) = container.node.get("image") else { continue };
            let Some(text) = image.str() else { continue };
            if let Some(why) = image_ref::judge(text, floating_tags) {
                cx.report(image, format!("{} runs image {text}: {why}", container.describe()));
            }
        }
    }
}

fn check_compose(doc: &Document, cx: &mut Context, floating_tags: &[String]) {
    for service in compose::services(doc) {
        if service.definition("build").is_some_and(|b| b.kind() != Kind::Null) {
            continue;
        }
        let Some(image) = service.node.get("image") else { continue };
        let Some(text) = image.str() else { continue };
        if let Some(why) = image_ref::judge(text, floating_tags) {
            cx.report(image, format!("{} runs image {text}: {why}", service.describe()));
        }
    }
}

fn check_terraform(doc: &Document, cx: &mut Context, floating_tags: &[String]) {
    for (task, container) in terraform::ecs_containers(doc) {
        let name = container.get("name").and_then(Node::str).map_or_else(String::new, |n| format!(" `{n}`"));
        let whose = format!("container{name} of {}", task.address());
        report_terraform_image(cx, container.get("image"), &whose, "runs", floating_tags);
    }
    for job in terraform::resources(doc, &["aws_batch_job_definition"]) {
        let image = job.attr("container_properties").and_then(|p| p.get("image"));
        report_terraform_image(cx, image, job.address(), "runs", floating_tags);
    }
    for function in terraform::resources(doc, &["aws_lambda_function"]) {
        report_terraform_image(cx, function.attr("image_uri"), function.address(), "deploys", floating_tags);
    }
    for service in terraform::resources(doc, &["aws_apprunner_service"]) {
        let image = service.at(&["source_configuration", "image_repository", "image_identifier"]);
        report_terraform_image(cx, image, service.address(), "deploys", floating_tags);
    }
}

fn report_terraform_image(
    cx: &mut Context,
    image: Option<Node<'_>>,
    whose: &str,
    verb: &str,
    floating_tags: &[String],
) {
    let Some(image) = image else { return };
    let Some(text) = image.str() else { return };
    if let Some(why) = image_ref::judge(text, floating_tags) {
        cx.report(image, format!("{whose} {verb} image {text}: {why}"));
    }
}
