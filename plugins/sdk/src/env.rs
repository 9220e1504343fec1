//! Environment variables across every format: one policy about them ("no plaintext
//! secrets", "TLS verification stays on") reads them the same way whether they are set in
//! an env file, a Dockerfile, a Kubernetes container or ConfigMap, a Compose service, an ECS
//! container definition or a Lambda function.

use crate::{Document, Format, Kind, Node, compose, kubernetes, terraform};

/// Where a variable is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// An env file entry; `template` when the file is an example or template
    /// (`.env.example`).
    EnvFile { template: bool },
    /// A Dockerfile `ENV` pair.
    DockerfileEnv,
    /// A Dockerfile `ARG` default (global or in a stage).
    DockerfileArg,
    /// A Kubernetes container's `env[].value`.
    KubernetesEnv,
    /// A Kubernetes ConfigMap's `data` entry.
    ConfigMap,
    /// A Compose service's `environment`.
    Compose,
    /// An ECS container definition's `environment[].value` (Terraform).
    EcsEnvironment,
    /// A Lambda function's `environment.variables` (Terraform).
    LambdaEnvironment,
}

/// A variable and the value it is set to.
#[derive(Clone, Copy, Debug)]
pub struct Variable<'a> {
    pub name: &'a str,
    /// The node spanning the name (report here when the name is the problem).
    pub name_node: Node<'a>,
    /// The value: a string, or unknown when it is a reference (`${VAR}`) or not static.
    pub value: Node<'a>,
    pub source: Source,
}

/// Every variable the document sets, in document order per kind of place.
pub fn variables(doc: &Document) -> Vec<Variable<'_>> {
    let mut out = Vec::new();
    match doc.format() {
        Format::Env => env_file(doc, &mut out),
        Format::Dockerfile => dockerfile(doc, &mut out),
        Format::Kubernetes => kubernetes_vars(doc, &mut out),
        Format::Compose => compose(doc, &mut out),
        Format::Terraform => terraform_vars(doc, &mut out),
    }
    out
}

fn env_file<'a>(doc: &'a Document, out: &mut Vec<Variable<'a>>) {
    let template = doc.root().get("template").and_then(Node::as_bool).unwrap_or(false);
    for entry in doc.root().get("entries").into_iter().flat_map(Node::items) {
        push_pair(out, entry, "key", "value", Source::EnvFile { template });
    }
}

fn dockerfile<'a>(doc: &'a Document, out: &mut Vec<Variable<'a>>) {
    let root = doc.root();
    for arg in root.get("args").into_iter().flat_map(Node::items) {
        push_pair(out, arg, "name", "value", Source::DockerfileArg);
    }
    for stage in root.get("stages").into_iter().flat_map(Node::items) {
        for instruction in stage.get("instructions").into_iter().flat_map(Node::items) {
            match instruction.get("keyword").and_then(Node::str) {
                Some("ENV") => {
                    for pair in instruction.get("pairs").into_iter().flat_map(Node::items) {
                        push_pair(out, pair, "key", "value", Source::DockerfileEnv);
                    }
                }
                Some("ARG") => {
                    for arg in instruction.get("args").into_iter().flat_map(Node::items) {
                        push_pair(out, arg, "name", "value", Source::DockerfileArg);
                    }
                }
                _ => {}
            }
        }
    }
}

fn kubernetes_vars<'a>(doc: &'a Document, out: &mut Vec<Variable<'a>>) {
    for pod in kubernetes::pod_specs(doc) {
        for container in pod.containers() {
            for (name, value) in container.env_values() {
                if let Some(text) = name.str() {
                    out.push(Variable { name: text, name_node: name, value, source: Source::KubernetesEnv });
                }
            }
        }
    }
    for config_map in kubernetes::objects_of(doc, &["ConfigMap"]) {
        for (key, value) in config_map.get("data").into_iter().flat_map(Node::entries) {
            // A map entry's key span is on the value node: report at the value.
            out.push(Variable { name: key, name_node: value, value, source: Source::ConfigMap });
        }
    }
}

fn compose<'a>(doc: &'a Document, out: &mut Vec<Variable<'a>>) {
    for service in compose::services(doc) {
        for entry in service.node.get("environment").into_iter().flat_map(Node::items) {
            push_pair(out, entry, "key", "value", Source::Compose);
        }
    }
}

fn terraform_vars<'a>(doc: &'a Document, out: &mut Vec<Variable<'a>>) {
    for (_, container) in terraform::ecs_containers(doc) {
        for entry in container.get("environment").into_iter().flat_map(Node::items) {
            push_pair(out, entry, "name", "value", Source::EcsEnvironment);
        }
    }
    for function in terraform::resources(doc, &["aws_lambda_function"]) {
        for variables in
            terraform::blocks(function.attributes(), "environment").filter_map(|e| e.get("variables"))
        {
            for (key, value) in variables.entries() {
                out.push(Variable { name: key, name_node: value, value, source: Source::LambdaEnvironment });
            }
        }
    }
}

fn push_pair<'a>(out: &mut Vec<Variable<'a>>, entry: Node<'a>, key: &str, value: &str, source: Source) {
    let (Some(name_node), Some(value)) = (entry.get(key), entry.get(value)) else {
        return;
    };
    if let Some(name) = name_node.str()
        && value.kind() != Kind::Null
    {
        out.push(Variable { name, name_node, value, source });
    }
}
