//! Where values are: every string value of a document that may hold a secret, with the name
//! it is set under and words that say where it is, per format.

use std::collections::HashSet;

use rampart_plugin_sdk::env::{self, Source};
use rampart_plugin_sdk::{Document, Format, Kind, Node, dockerfile, kubernetes};

use crate::detect::judge_named;

/// A string value, with what it is set under.
pub struct Site<'a> {
    pub node: Node<'a>,
    pub text: &'a str,
    /// The name the value is set under (an env var, an attribute, a map key); empty when
    /// there is none.
    pub name: &'a str,
    /// Where it is, for messages: "`DB_PASSWORD`", "`password` of aws_db_instance.main",
    /// "the RUN instruction".
    pub place: String,
    /// The value is in an example or template file.
    pub template: bool,
}

/// Nesting deeper than this is not followed (a safety net; documents are bounded anyway).
const MAX_DEPTH: usize = 64;

/// Every string value of the document worth scanning for known formats and URLs.
pub fn sites(doc: &Document) -> Vec<Site<'_>> {
    let mut out = Vec::new();
    match doc.format() {
        Format::Env | Format::Compose => {
            env_sites(doc, &mut out);
            if doc.format() == Format::Compose {
                compose_sites(doc, &mut out);
            }
        }
        Format::Dockerfile => {
            env_sites(doc, &mut out);
            for instruction in dockerfile::stages(doc).flat_map(dockerfile::instructions) {
                let keyword = dockerfile::keyword(instruction);
                if matches!(keyword, "ENV" | "ARG") {
                    continue;
                }
                if let Some(arguments) = instruction.get("arguments")
                    && let Some(text) = arguments.str()
                {
                    out.push(Site {
                        node: arguments,
                        text,
                        name: "",
                        place: format!("the {keyword} instruction"),
                        template: false,
                    });
                }
                for body in instruction
                    .get("heredocs")
                    .into_iter()
                    .flat_map(Node::items)
                    .filter_map(|h| h.get("body"))
                {
                    if let Some(text) = body.str() {
                        out.push(Site {
                            node: body,
                            text,
                            name: "",
                            place: format!("the {keyword} heredoc"),
                            template: false,
                        });
                    }
                }
            }
        }
        Format::Kubernetes => {
            for object in kubernetes::objects(doc) {
                let owner = kubernetes::describe(object);
                let is_secret = object.get("kind").and_then(Node::str) == Some("Secret");
                let skip = |node: Node<'_>| {
                    let at_top = node.parent().is_some_and(|p| p.is(object));
                    (is_secret && at_top && matches!(node.key(), Some("data" | "stringData")))
                        || node.key() == Some("kubectl.kubernetes.io/last-applied-configuration")
                };
                strings("", object, &owner, &mut out, 0, &skip);
            }
        }
        Format::Terraform => terraform_sites(doc, &mut out, &|_| false),
    }
    out
}

/// The Compose file as written, per service (their `environment` is read through
/// env::variables, normalised), then the other top-level keys (`x-` anchors, `secrets`...).
fn compose_sites<'a>(doc: &'a Document, out: &mut Vec<Site<'a>>) {
    let Some(document) = doc.root().get("document") else { return };
    for (key, value) in document.entries() {
        if key == "services" && value.kind() == Kind::Map {
            for (name, service) in value.entries() {
                let skip = |node: Node<'_>| {
                    node.key() == Some("environment") && node.parent().is_some_and(|p| p.is(service))
                };
                strings("", service, &format!("service `{name}`"), out, 0, &skip);
            }
        } else {
            strings(key, value, "", out, 0, &|_| false);
        }
    }
}

/// How a variable is introduced in messages: "`DB_PASSWORD`", "ENV `API_TOKEN`", "env
/// `DB_PASSWORD`", "ConfigMap key `db.password`".
pub fn env_place(source: Source, name: &str) -> String {
    match source {
        Source::EnvFile { .. } => format!("`{name}`"),
        Source::DockerfileEnv => format!("ENV `{name}`"),
        Source::DockerfileArg => format!("ARG `{name}`"),
        Source::KubernetesEnv => format!("env `{name}`"),
        Source::ConfigMap => format!("ConfigMap key `{name}`"),
        Source::Compose => format!("environment `{name}`"),
        Source::EcsEnvironment => format!("container environment `{name}`"),
        Source::LambdaEnvironment => format!("Lambda environment variable `{name}`"),
    }
}

fn env_sites<'a>(doc: &'a Document, out: &mut Vec<Site<'a>>) {
    for var in env::variables(doc) {
        // Compose leaves a value with references unknown; their defaults are written here.
        if var.source == Source::Compose && var.value.is_unknown() {
            let references = var.value.parent().and_then(|entry| entry.get("references"));
            for default in references.into_iter().flat_map(Node::items).filter_map(|r| r.get("default")) {
                if let Some(text) = default.str() {
                    let place = format!("the default of a reference in environment `{}`", var.name);
                    out.push(Site { node: default, text, name: var.name, place, template: false });
                }
            }
        }
        let Some(text) = var.value.str() else { continue };
        let template = matches!(var.source, Source::EnvFile { template: true });
        let place = env_place(var.source, var.name);
        out.push(Site { node: var.value, text, name: var.name, place, template });
    }
}

/// Collects the strings under `node`, named by the key they are set under. A map with a
/// string `name` and a `value` (Kubernetes env, ECS environment, Helm `set` blocks, SSM
/// parameters) names its `value` by that `name`.
pub fn strings<'a>(
    name: &'a str,
    node: Node<'a>,
    owner: &str,
    out: &mut Vec<Site<'a>>,
    depth: usize,
    skip: &dyn Fn(Node<'a>) -> bool,
) {
    if depth > MAX_DEPTH || skip(node) {
        return;
    }
    match node.kind() {
        Kind::String => {
            let place = match (name.is_empty(), owner.is_empty()) {
                (true, true) => "this value".to_owned(),
                (true, false) => format!("a value of {owner}"),
                (false, true) => format!("`{name}`"),
                (false, false) => format!("`{name}` of {owner}"),
            };
            out.push(Site { node, text: node.text(), name, place, template: false });
        }
        Kind::List => {
            for item in node.children() {
                strings(name, item, owner, out, depth + 1, skip);
            }
        }
        Kind::Map => {
            let pair_name = node.get("name").and_then(Node::str).filter(|_| node.get("value").is_some());
            // CodeBuild-style `{name, value, type}` whose value names a parameter or a secret.
            let reference = node.get("type").and_then(Node::str).is_some_and(|t| {
                t.eq_ignore_ascii_case("PARAMETER_STORE") || t.eq_ignore_ascii_case("SECRETS_MANAGER")
            });
            for (key, value) in node.entries() {
                if reference && key == "value" {
                    continue;
                }
                let key = if key == "value" { pair_name.unwrap_or(key) } else { key };
                strings(key, value, owner, out, depth + 1, skip);
            }
        }
        _ => {}
    }
}

/// The values a Terraform module defines for use elsewhere (`var.x`, `local.x`): variable
/// defaults, `.tfvars` values and locals.
pub fn terraform_definitions<'a>(
    doc: &'a Document,
    out: &mut Vec<Site<'a>>,
    skip: &dyn Fn(Node<'a>) -> bool,
) {
    let root = doc.root();
    for variable in root.get("variables").into_iter().flat_map(Node::items) {
        let Some(name) = variable.get("name").and_then(Node::str) else { continue };
        if let Some(default) = variable.get("default") {
            let mut found = Vec::new();
            strings(name, default, "", &mut found, 0, skip);
            for mut site in found {
                site.place = if site.name == name {
                    format!("the default of variable `{name}`")
                } else {
                    format!("`{}` in the default of variable `{name}`", site.name)
                };
                out.push(site);
            }
        }
        let source = variable.get("source").and_then(Node::str).unwrap_or("");
        let file = source.rsplit(['/', '\\']).next().unwrap_or(source);
        if (source.ends_with(".tfvars") || source.ends_with(".tfvars.json"))
            && let Some(value) = variable.get("value")
        {
            let mut found = Vec::new();
            strings(name, value, "", &mut found, 0, skip);
            for mut site in found {
                site.place = if site.name == name {
                    format!("variable `{name}` (set in {file})")
                } else {
                    format!("`{}` of variable `{name}` (set in {file})", site.name)
                };
                out.push(site);
            }
        }
    }
    for local in root.get("locals").into_iter().flat_map(Node::items) {
        if let (Some(name), Some(value)) = (local.get("name").and_then(Node::str), local.get("value")) {
            strings(name, value, &format!("local.{name}"), out, 0, skip);
            rename_top(out, name, &format!("local `{name}`"));
        }
    }
}

/// The Terraform module's values, where they are written: variable defaults and `.tfvars`
/// values first (a value used through `var.x` is reported where it is set), then locals,
/// module arguments, providers, `terraform` blocks, data sources and resources.
pub fn terraform_sites<'a>(doc: &'a Document, out: &mut Vec<Site<'a>>, skip: &dyn Fn(Node<'a>) -> bool) {
    terraform_definitions(doc, out, skip);
    let root = doc.root();
    for module in root.get("modules").into_iter().flat_map(Node::items) {
        let name = module.get("name").and_then(Node::str).unwrap_or("");
        if let Some(arguments) = module.get("arguments") {
            strings("", arguments, &format!("module.{name}"), out, 0, skip);
        }
    }
    for provider in root.get("providers").into_iter().flat_map(Node::items) {
        let name = provider.get("name").and_then(Node::str).unwrap_or("");
        if let Some(attributes) = provider.get("attributes") {
            strings("", attributes, &format!("provider \"{name}\""), out, 0, skip);
        }
    }
    for block in root.get("terraform").into_iter().flat_map(Node::items) {
        if let Some(attributes) = block.get("attributes") {
            strings("", attributes, "the terraform block", out, 0, skip);
        }
    }
    for list in ["data", "resources"] {
        for resource in root.get(list).into_iter().flat_map(Node::items) {
            let address = resource.get("address").and_then(Node::str).unwrap_or("");
            if let Some(attributes) = resource.get("attributes") {
                strings("", attributes, address, out, 0, skip);
            }
        }
    }
}

/// Rewrites the place of the sites just collected for a local's own value (`local
/// `db_password``, rather than "`db_password` of local.db_password").
fn rename_top(out: &mut [Site<'_>], name: &str, place: &str) {
    let owner_suffix = format!("of local.{name}");
    for site in out.iter_mut().rev() {
        if !site.place.ends_with(&owner_suffix) {
            break;
        }
        if site.name == name {
            place.clone_into(&mut site.place);
        }
    }
}

/// The literals that Terraform variables and locals with secret names define, which
/// secrets/terraform-literal reports where they are written: other rules leave alone the
/// copies that `var.x` and `local.x` put into URLs and environments.
pub fn terraform_secret_definitions(doc: &Document, min_length: usize, min_entropy: f64) -> HashSet<&str> {
    let mut sites = Vec::new();
    if doc.format() == Format::Terraform {
        terraform_definitions(doc, &mut sites, &|_| false);
    }
    sites
        .into_iter()
        .filter(|s| judge_named(s.name, s.text, false, min_length, min_entropy).is_some())
        .map(|s| s.text.trim())
        .collect()
}
