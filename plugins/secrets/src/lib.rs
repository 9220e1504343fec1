//! secrets: no plaintext secrets in infrastructure code or images.
//!
//! One rule per module; each module declares its rule once, with its metadata. `detect`
//! recognises secrets in names and values, `walk` finds the values of each format; a value
//! is reported by one rule only: a known provider format by `known-format`, a password in a
//! URL by `url-credentials`, the rest by name (`plaintext-value` for environment variables,
//! `terraform-literal` for Terraform arguments).

mod detect;
mod dockerfile_secret_file;
mod known_format;
mod kubernetes_secret_manifest;
mod plaintext_value;
mod terraform_literal;
mod url_credentials;
mod walk;

rampart_plugin_sdk::plugin!(
    description: "No plaintext secrets in infrastructure code or images.",
    rules: [
        known_format::RULE,
        url_credentials::RULE,
        plaintext_value::RULE,
        terraform_literal::RULE,
        kubernetes_secret_manifest::RULE,
        dockerfile_secret_file::RULE,
    ],
);
