//! `secrets/terraform-literal`: Terraform passwords, tokens and keys are not written in the
//! code.
//!
//! ## What it does
//! Walks the module's resource, data source, provider, `terraform` block and module
//! arguments (nested blocks included), the defaults of its variables, the values its
//! `.tfvars` files set and its locals, and reports a secret-named attribute (`password`,
//! `master_password`, `auth_token`, `token`, `access_key`, `secret_key`, `private_key`,
//! `client_secret`, `api_key`, `secret_string`, a Helm `set { name = "auth.password" }`...)
//! whose value is a literal. Only values Terraform knows before the plan count: a
//! `sensitive` variable without a default, `random_password.x.result`, a
//! `data.aws_secretsmanager_secret_version` lookup or an SSM parameter are unknown and never
//! reported. `kms_key_id`, `secret_arn`, `key_name`, `public_key`, `http_tokens` and the like
//! name something else. A value used through `var.x` is reported once, at the variable's
//! default or `.tfvars` line. ECS container environments and Lambda environments are judged
//! by `secrets/plaintext-value`, known provider formats by `secrets/known-format`.
//!
//! ## Why is this bad?
//! The literal is in the repository for everyone who can read it, in every clone and in the
//! history; Terraform also copies it into the plan and the state.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   password = "Sup3r-s3cret!"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_db_instance" "main" {
//!   manage_master_user_password = true # RDS keeps it in Secrets Manager
//! }
//! ```

use std::collections::HashSet;

use rampart_plugin_sdk::{Context, Document, Format, Node, Param, ParamDefault, Rule, Severity, mask};

use crate::detect::{describe_value, judge_named};
use crate::walk;

pub const RULE: Rule = Rule {
    id: "secrets/terraform-literal",
    title: "Terraform secrets are not written in the code",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "A password or token written in Terraform is readable by everyone with access \
        to the repository, its clones and its history, and Terraform copies it into plans and \
        the state file. `sensitive = true` only hides it from the CLI output.",
    remediation: "Let the service manage it (`manage_master_user_password = true` on RDS), \
        generate it (`random_password`) and store it in Secrets Manager, read it with `data \
        \"aws_secretsmanager_secret_version\"`, or declare `variable \"db_password\" { \
        sensitive = true }` without a default and set it with `TF_VAR_db_password` in CI. \
        Rotate the value that was committed.",
    references: &["NIST SP 800-53 IA-5(7)", "NIST SP 800-53 SC-28"],
    params: &[
        Param {
            name: "min_length",
            description: "Minimum length for a value to count as random-looking (the test applied \
                to names that only sometimes hold secrets, like `*_key` or `*_auth`).",
            default: ParamDefault::Integer(crate::detect::DEFAULT_MIN_LENGTH),
        },
        Param {
            name: "min_entropy",
            description: "Minimum Shannon entropy, in bits per character, for a value to count as \
                random-looking.",
            default: ParamDefault::Float(crate::detect::DEFAULT_MIN_ENTROPY),
        },
    ],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let min_length = usize::try_from(cx.param_i64("min_length")).unwrap_or(0);
    let min_entropy = cx.param_f64("min_entropy");
    let mut sites = Vec::new();
    walk::terraform_sites(doc, &mut sites, &is_environment);
    let mut seen: HashSet<&str> = HashSet::new();
    for site in sites {
        let Some(named) = judge_named(site.name, site.text, false, min_length, min_entropy) else { continue };
        if !seen.insert(site.text) {
            continue;
        }
        let message = format!(
            "{} is a plaintext secret (`{}`, {}): it is in the code and in the Terraform state",
            site.place,
            mask(site.text.trim()),
            describe_value(&named)
        );
        cx.report(site.node, message).secret();
    }
}

/// ECS container definitions and Lambda `environment.variables`: the variables
/// `env::variables` reads, judged by secrets/plaintext-value.
fn is_environment(node: Node<'_>) -> bool {
    let resource_type = |attributes: Option<Node<'_>>| {
        attributes
            .filter(|a| a.key() == Some("attributes"))
            .and_then(Node::parent)
            .and_then(|r| r.get("type"))
            .and_then(Node::str)
            .map(str::to_owned)
    };
    match node.key() {
        Some("container_definitions") => {
            resource_type(node.parent()).as_deref() == Some("aws_ecs_task_definition")
        }
        Some("variables") => {
            let list = node.parent().and_then(Node::parent).filter(|l| l.key() == Some("environment"));
            resource_type(list.and_then(Node::parent)).as_deref() == Some("aws_lambda_function")
        }
        _ => false,
    }
}
