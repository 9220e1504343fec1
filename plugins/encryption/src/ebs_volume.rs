//! `encryption/ebs-volume`: EBS volumes are encrypted.
//!
//! ## What it does
//! Terraform: reports an `aws_ebs_volume` whose `encrypted` is `false` or not set, and the
//! block devices of `aws_instance` and `aws_launch_configuration` (`root_block_device`,
//! `ebs_block_device`) and of `aws_launch_template` (`block_device_mappings { ebs { ... } }`)
//! likewise: the provider's default for `encrypted` is `false` everywhere. An instance or
//! launch configuration without a `root_block_device` is reported too: its root volume is
//! created from the AMI's snapshot, which is unencrypted for every public AMI. A launch
//! template without block device mappings leaves the volumes to the AMI and to whatever
//! launches it, and is not reported; nor is an instance launched from a launch template
//! without its own `root_block_device`.
//!
//! Nothing is reported when the module turns on account-wide default encryption with an
//! `aws_ebs_encryption_by_default` resource (`enabled` defaults to `true`), nor for a volume
//! created from a snapshot (`snapshot_id`: it has the snapshot's encryption) or given a
//! `kms_key_id` without `encrypted` (EC2 refuses that combination).
//!
//! Kubernetes: reports a `StorageClass` of the EBS CSI driver (`ebs.csi.aws.com`) or of the
//! in-tree `kubernetes.io/aws-ebs` provisioner whose `parameters.encrypted` is not `"true"`:
//! the volumes it provisions are unencrypted unless EBS encryption by default is on in the
//! account.
//!
//! ## Why is this bad?
//! An unencrypted volume, its snapshots and the AMIs made from it hold the data in clear:
//! a snapshot shared or copied out of the account is readable by whoever gets it. EBS
//! encryption is free of charge and transparent to the instance.
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "app" {
//!   ami           = data.aws_ami.al2023.id
//!   instance_type = "t3.small"
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_instance" "app" {
//!   ami           = data.aws_ami.al2023.id
//!   instance_type = "t3.small"
//!   root_block_device {
//!     encrypted = true
//!   }
//! }
//! ```
//! or, once for the account and region, `resource "aws_ebs_encryption_by_default" "this" {
//! enabled = true }`.

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, kubernetes};

use crate::common::{is_set, text_is};

pub const RULE: Rule = Rule {
    id: "encryption/ebs-volume",
    title: "EBS volumes are encrypted",
    severity: Severity::High,
    formats: &[Format::Terraform, Format::Kubernetes],
    rationale: "An unencrypted EBS volume keeps its data, its snapshots and the AMIs made from it in \
        clear: a snapshot shared by mistake or copied out of the account is readable by whoever \
        holds it. EBS encryption costs nothing and is transparent to the instance, but an \
        existing volume can only be encrypted by copying it.",
    remediation: "Set `encrypted = true` on `aws_ebs_volume`, in every `root_block_device` and \
        `ebs_block_device`, and in launch templates' `block_device_mappings { ebs { encrypted = \
        true } }`, optionally with `kms_key_id`; or turn encryption on for the whole account and \
        region with `resource \"aws_ebs_encryption_by_default\" \"this\" { enabled = true }`. In \
        Kubernetes, give EBS StorageClasses `parameters: { encrypted: \"true\" }`.",
    references: &[
        "CIS AWS Foundations Benchmark v3.0.0 2.2.1",
        "NIST SP 800-53 SC-28",
        "NIST SP 800-53 SC-28(1)",
    ],
    params: &[],
    check,
};

const PROVISIONERS: &[&str] = &["ebs.csi.aws.com", "kubernetes.io/aws-ebs"];

fn check(doc: &Document, cx: &mut Context) {
    match doc.format() {
        Format::Terraform => terraform_volumes(doc, cx),
        Format::Kubernetes => storage_classes(doc, cx),
        _ => {}
    }
}

fn terraform_volumes(doc: &Document, cx: &mut Context) {
    // Account-wide default encryption (`enabled` defaults to true; unknown may be true).
    if terraform::resources(doc, &["aws_ebs_encryption_by_default"])
        .any(|r| !matches!(r.setting(&["enabled"]).boolean(), Setting::Known(false, _)))
    {
        return;
    }
    for resource in terraform::resources(
        doc,
        &["aws_ebs_volume", "aws_instance", "aws_launch_configuration", "aws_launch_template"],
    ) {
        match resource.kind() {
            "aws_ebs_volume" => {
                if let Some(body) = resource.attributes() {
                    device(resource, body, resource.labels(), "the volume", cx);
                }
            }
            "aws_launch_template" => {
                for mapping in resource.blocks("block_device_mappings") {
                    let what = named(mapping, "the block device mapping");
                    for ebs in terraform::blocks(Some(mapping), "ebs") {
                        device(resource, ebs, ebs, &what, cx);
                    }
                }
            }
            _ => instance(resource, cx),
        }
    }
}

/// `aws_instance` and `aws_launch_configuration`.
fn instance(resource: Resource<'_>, cx: &mut Context) {
    let mut roots = resource.blocks("root_block_device").peekable();
    if roots.peek().is_none() {
        let from_template = resource.kind() == "aws_instance" && is_set(resource.attr("launch_template"));
        let dynamic = resource.attr("root_block_device").is_some();
        if !from_template && !dynamic {
            cx.report(
                resource.labels(),
                format!(
                    "{} has no root_block_device: its root volume takes the encryption of the AMI's snapshot, \
                     which no public AMI has, so it is unencrypted unless EBS encryption by default is on in the \
                     account",
                    resource.address()
                ),
            );
        }
    }
    for root in roots {
        device(resource, root, root, "the root volume", cx);
    }
    for ebs in resource.blocks("ebs_block_device") {
        device(resource, ebs, ebs, &named(ebs, "the ebs_block_device"), cx);
    }
}

/// `the ebs_block_device /dev/sdf` when the block has a known `device_name`.
fn named(block: Node<'_>, what: &str) -> String {
    match block.get("device_name").and_then(Node::str) {
        Some(name) => format!("{what} {name}"),
        None => what.to_owned(),
    }
}

/// One volume's settings: `encrypted`, `snapshot_id`, `kms_key_id`. A missing `encrypted` is
/// reported at `absent_at`.
fn device(resource: Resource<'_>, body: Node<'_>, absent_at: Node<'_>, what: &str, cx: &mut Context) {
    let address = resource.address();
    match Setting::of(body.get("encrypted")).boolean() {
        Setting::Known(true, _) | Setting::Unknown => {}
        Setting::Known(false, value) => {
            cx.report(
                value,
                format!("{address} sets encrypted to false: {what} and its snapshots are stored unencrypted"),
            );
        }
        Setting::Absent => {
            // A volume made from a snapshot has the snapshot's encryption; a key without
            // `encrypted` is refused by EC2.
            if is_set(body.get("snapshot_id")) || is_set(body.get("kms_key_id")) {
                return;
            }
            let target = if absent_at.is(resource.labels()) { String::new() } else { format!(" for {what}") };
            cx.report(
                absent_at,
                format!(
                    "{address} does not set encrypted{target} (the provider's default is false): the volume and \
                     its snapshots are unencrypted unless EBS encryption by default is on in the account"
                ),
            );
        }
    }
}

fn storage_classes(doc: &Document, cx: &mut Context) {
    for class in kubernetes::objects_of(doc, &["StorageClass"]) {
        let provisioner = class.get("provisioner");
        if text_is(provisioner, PROVISIONERS) != Some(true) {
            continue;
        }
        let parameters = class.get("parameters");
        let encrypted = parameters
            .into_iter()
            .flat_map(Node::entries)
            .find(|(key, _)| key.eq_ignore_ascii_case("encrypted"))
            .map(|(_, value)| value);
        let name = kubernetes::describe(class);
        match Setting::of(encrypted).boolean() {
            Setting::Known(true, _) | Setting::Unknown => {}
            Setting::Known(false, value) => {
                cx.report(
                    value,
                    format!("{name} sets encrypted to false: the EBS volumes it provisions are unencrypted"),
                );
            }
            Setting::Absent => {
                let at = class.at(&["metadata", "name"]).or(provisioner).unwrap_or(class);
                cx.report(
                    at,
                    format!(
                        "{name} does not set parameters.encrypted (the driver's default is false): the EBS volumes \
                         it provisions are unencrypted unless EBS encryption by default is on in the account"
                    ),
                );
            }
        }
    }
}
