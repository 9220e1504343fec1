//! `encryption/terraform-state`: the S3 backend asks for the state to be encrypted.
//!
//! ## What it does
//! Reports a `backend "s3"` block whose `encrypt` is `false` or not set (the backend's
//! default is `false`). A block without `bucket` is a partial configuration completed by
//! `terraform init -backend-config=...`, which may set `encrypt`: it is not reported. A
//! backend using a customer-provided key (`sse_customer_key`) is encrypted that way.
//!
//! ## Why is this bad?
//! The state holds every attribute of every resource in clear, database passwords and
//! private keys included. Without `encrypt = true` Terraform writes it without asking for
//! server-side encryption and leaves it to the bucket's default (SSE-S3 for every bucket
//! since January 2023), so nothing in the configuration shows that the state is encrypted,
//! nor with which key (`kms_key_id` is only used with `encrypt = true`).
//!
//! ## Example
//! ```hcl
//! terraform {
//!   backend "s3" {
//!     bucket = "example-terraform-state"
//!     key    = "prod/terraform.tfstate"
//!     region = "eu-west-1"
//!   }
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! terraform {
//!   backend "s3" {
//!     bucket     = "example-terraform-state"
//!     key        = "prod/terraform.tfstate"
//!     region     = "eu-west-1"
//!     encrypt    = true
//!     kms_key_id = "alias/terraform-state"
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

use crate::common::is_set;

pub const RULE: Rule = Rule {
    id: "encryption/terraform-state",
    title: "Terraform state in S3 is written encrypted",
    severity: Severity::Low,
    formats: &[Format::Terraform],
    rationale: "Terraform state holds every resource attribute in clear, database passwords and \
        private keys included. Without `encrypt = true` the S3 backend does not ask for \
        server-side encryption and relies on the bucket's default (SSE-S3 since January 2023, \
        hence `low`), so the configuration neither shows nor enforces how the state is \
        encrypted, and a `kms_key_id` is ignored.",
    remediation: "Set `encrypt = true` in the `backend \"s3\"` block, with `kms_key_id = \
        \"alias/terraform-state\"` (or a key ARN) to encrypt the state with a customer-managed \
        key whose policy limits who can read it.",
    references: &["NIST SP 800-53 SC-28", "NIST SP 800-53 SC-28(1)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for body in terraform::terraform_blocks(doc) {
        for backend in terraform::blocks(Some(body), "backend") {
            let Some(label) = backend.get("labels").and_then(|l| l.item(0)) else { continue };
            if label.str() != Some("s3") {
                continue;
            }
            match Setting::of(backend.get("encrypt")).boolean() {
                Setting::Known(true, _) | Setting::Unknown => {}
                Setting::Known(false, value) => {
                    cx.report(
                        value,
                        "backend \"s3\" sets encrypt to false: Terraform writes the state (secrets included) \
                         without asking S3 to encrypt it",
                    );
                }
                Setting::Absent => {
                    if !is_set(backend.get("bucket")) || is_set(backend.get("sse_customer_key")) {
                        continue;
                    }
                    let key_ignored = if is_set(backend.get("kms_key_id")) {
                        ", and its kms_key_id is ignored"
                    } else {
                        ""
                    };
                    cx.report(
                        label,
                        format!(
                            "backend \"s3\" does not set encrypt (the default is false): Terraform writes the state \
                             (secrets included) without asking S3 to encrypt it{key_ignored}"
                        ),
                    );
                }
            }
        }
    }
}
