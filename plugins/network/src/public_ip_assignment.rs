//! `network/public-ip-assignment`: instances and tasks do not get public IP addresses.
//!
//! ## What it does
//! Reports an explicit public IP address assignment: `assign_public_ip = true` in an
//! `aws_ecs_service`'s `network_configuration`, `associate_public_ip_address = true` on
//! `aws_instance`, `aws_spot_instance_request` and `aws_launch_configuration`, and in the
//! `network_interfaces` of an `aws_launch_template` (strings `"true"` included). All of
//! them default to no public address (or the subnet's `map_public_ip_on_launch`, which
//! `network/data-store-public-subnet` follows).
//!
//! ## Why is this bad?
//! A public IP address puts the instance or task on the internet: its security groups
//! become its only protection, and one permissive rule exposes whatever runs there.
//! Workloads behind a load balancer need no public address, and outbound traffic goes
//! through a NAT gateway.
//!
//! ## Example
//! ```hcl
//! resource "aws_ecs_service" "api" {
//!   network_configuration {
//!     subnets          = aws_subnet.public[*].id
//!     assign_public_ip = true
//!   }
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_ecs_service" "api" {
//!   network_configuration {
//!     subnets          = aws_subnet.private[*].id # outbound through a NAT gateway
//!     assign_public_ip = false
//!   }
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::util::is_true;

pub const RULE: Rule = Rule {
    id: "network/public-ip-assignment",
    title: "Instances and tasks do not get public IP addresses",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "An instance or task with a public IP address is directly reachable from the \
        internet: its security groups are its only protection, and a single permissive rule \
        exposes every service it runs. Workloads behind a load balancer need no public \
        address; their outbound traffic can leave through a NAT gateway or VPC endpoints.",
    remediation: "Run the workload in a private subnet without a public address: \
        `assign_public_ip = false` in the ECS service's `network_configuration`, \
        `associate_public_ip_address = false` on instances and launch templates, and put a \
        load balancer in front of what must be reachable. Reach hosts through SSM Session \
        Manager instead of SSH to a public IP.",
    references: &["NIST SP 800-53 SC-7", "NIST SP 800-53 SC-7(3)"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for service in terraform::resources(doc, &["aws_ecs_service"]) {
        for block in service.blocks("network_configuration") {
            if let Some(value) = block.get("assign_public_ip").filter(|v| is_true(Some(*v))) {
                cx.report(
                    value,
                    format!(
                        "{} sets assign_public_ip = true: every task gets a public IP address \
                         reachable from the internet",
                        service.address()
                    ),
                );
            }
        }
    }
    let instances = ["aws_instance", "aws_spot_instance_request", "aws_launch_configuration"];
    for instance in terraform::resources(doc, &instances) {
        report(cx, instance, instance.attr("associate_public_ip_address"), "the instance gets");
    }
    for template in terraform::resources(doc, &["aws_launch_template"]) {
        for interface in template.blocks("network_interfaces") {
            report(
                cx,
                template,
                interface.get("associate_public_ip_address"),
                "every instance launched from it gets",
            );
        }
    }
}

fn report(cx: &mut Context, resource: Resource<'_>, value: Option<Node<'_>>, who: &str) {
    if let Some(value) = value.filter(|v| is_true(Some(*v))) {
        cx.report(
            value,
            format!(
                "{} sets associate_public_ip_address = true: {who} a public IP address reachable \
                 from the internet",
                resource.address()
            ),
        );
    }
}
