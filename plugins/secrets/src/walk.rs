//! Where values are: every string value of a document that may hold a secret, with the name
//! it is set under and words that say where it is, per format.

use std::collections::HashSet;
use std::fmt;
use std::rc::Rc;

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
    pub place: Place<'a>,
    /// The value is in an example or template file.
    pub template: bool,
}

/// Where a value is, written out only when a finding is reported: formatting it for every
/// string of every document cost more than the checks themselves.
#[derive(Clone)]
pub enum Place<'a> {
    /// A value set under `name` (may be empty) somewhere in `owner` (may be empty).
    Value { name: &'a str, owner: Rc<str> },
    /// An environment variable, a build argument, a ConfigMap key...
    Env(Source, &'a str),
    /// A Dockerfile instruction's arguments, or one of its heredocs.
    Instruction { keyword: &'a str, heredoc: bool },
    /// `name` in the default of Terraform variable `variable` (the default itself when equal).
    Default { variable: &'a str, name: &'a str },
    /// `name` in the value a `.tfvars` file sets for variable `variable`.
    Tfvars { variable: &'a str, name: &'a str, file: &'a str },
    /// Terraform local `name`'s own value.
    Local(&'a str),
    /// Anything else, written out.
    Text(String),
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Value { name, owner } => match (name.is_empty(), owner.is_empty()) {
                (true, true) => f.write_str("this value"),
                (true, false) => write!(f, "a value of {owner}"),
                (false, true) => write!(f, "`{name}`"),
                (false, false) => write!(f, "`{name}` of {owner}"),
            },
            Place::Env(source, name) => f.write_str(&env_place(*source, name)),
            Place::Instruction { keyword, heredoc: false } => write!(f, "the {keyword} instruction"),
            Place::Instruction { keyword, heredoc: true } => write!(f, "the {keyword} heredoc"),
            Place::Default { variable, name } if variable == name => {
                write!(f, "the default of variable `{variable}`")
            }
            Place::Default { variable, name } => {
                write!(f, "`{name}` in the default of variable `{variable}`")
            }
            Place::Tfvars { variable, name, file } if variable == name => {
                write!(f, "variable `{variable}` (set in {file})")
            }
            Place::Tfvars { variable, name, file } => {
                write!(f, "`{name}` of variable `{variable}` (set in {file})")
            }
            Place::Local(name) => write!(f, "local `{name}`"),
            Place::Text(text) => f.write_str(text),
        }
    }
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
                        place: Place::Instruction { keyword, heredoc: false },
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
                            place: Place::Instruction { keyword, heredoc: true },
                            template: false,
                        });
                    }
                }
            }
        }
        Format::Kubernetes => {
            for object in kubernetes::objects(doc) {
                let owner: Rc<str> = kubernetes::describe(object).into();
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
    let nobody: Rc<str> = Rc::from("");
    for (key, value) in document.entries() {
        if key == "services" && value.kind() == Kind::Map {
            for (name, service) in value.entries() {
                let skip = |node: Node<'_>| {
                    node.key() == Some("environment") && node.parent().is_some_and(|p| p.is(service))
                };
                strings("", service, &Rc::from(format!("service `{name}`")), out, 0, &skip);
            }
        } else {
            strings(key, value, &nobody, out, 0, &|_| false);
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
                    let place =
                        Place::Text(format!("the default of a reference in environment `{}`", var.name));
                    out.push(Site { node: default, text, name: var.name, place, template: false });
                }
            }
        }
        let Some(text) = var.value.str() else { continue };
        let template = matches!(var.source, Source::EnvFile { template: true });
        let place = Place::Env(var.source, var.name);
        out.push(Site { node: var.value, text, name: var.name, place, template });
    }
}

/// Collects the strings under `node`, named by the key they are set under. A map with a
/// string `name` and a `value` (Kubernetes env, ECS environment, Helm `set` blocks, SSM
/// parameters) names its `value` by that `name`.
pub fn strings<'a>(
    name: &'a str,
    node: Node<'a>,
    owner: &Rc<str>,
    out: &mut Vec<Site<'a>>,
    depth: usize,
    skip: &dyn Fn(Node<'a>) -> bool,
) {
    if depth > MAX_DEPTH || skip(node) {
        return;
    }
    match node.kind() {
        Kind::String => {
            let place = Place::Value { name, owner: Rc::clone(owner) };
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
    let nobody: Rc<str> = Rc::from("");
    for variable in root.get("variables").into_iter().flat_map(Node::items) {
        let Some(name) = variable.get("name").and_then(Node::str) else { continue };
        if let Some(default) = variable.get("default") {
            let start = out.len();
            strings(name, default, &nobody, out, 0, skip);
            for site in &mut out[start..] {
                site.place = Place::Default { variable: name, name: site.name };
            }
        }
        let source = variable.get("source").and_then(Node::str).unwrap_or("");
        let file = source.rsplit(['/', '\\']).next().unwrap_or(source);
        if (source.ends_with(".tfvars") || source.ends_with(".tfvars.json"))
            && let Some(value) = variable.get("value")
        {
            let start = out.len();
            strings(name, value, &nobody, out, 0, skip);
            for site in &mut out[start..] {
                site.place = Place::Tfvars { variable: name, name: site.name, file };
            }
        }
    }
    for local in root.get("locals").into_iter().flat_map(Node::items) {
        if let (Some(name), Some(value)) = (local.get("name").and_then(Node::str), local.get("value")) {
            let start = out.len();
            strings(name, value, &Rc::from(format!("local.{name}")), out, 0, skip);
            // The local's own value reads "local `db_password`", not "`db_password` of
            // local.db_password".
            for site in out[start..].iter_mut().filter(|s| s.name == name) {
                site.place = Place::Local(name);
            }
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
            strings("", arguments, &Rc::from(format!("module.{name}")), out, 0, skip);
        }
    }
    for provider in root.get("providers").into_iter().flat_map(Node::items) {
        let name = provider.get("name").and_then(Node::str).unwrap_or("");
        if let Some(attributes) = provider.get("attributes") {
            strings("", attributes, &Rc::from(format!("provider \"{name}\"")), out, 0, skip);
        }
    }
    let terraform_block: Rc<str> = Rc::from("the terraform block");
    for block in root.get("terraform").into_iter().flat_map(Node::items) {
        if let Some(attributes) = block.get("attributes") {
            strings("", attributes, &terraform_block, out, 0, skip);
        }
    }
    for list in ["data", "resources"] {
        for resource in root.get(list).into_iter().flat_map(Node::items) {
            let address = resource.get("address").and_then(Node::str).unwrap_or("");
            if let Some(attributes) = resource.get("attributes") {
                strings("", attributes, &Rc::from(address), out, 0, skip);
            }
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
