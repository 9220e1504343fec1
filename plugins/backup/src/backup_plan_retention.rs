//! `backup/backup-plan-retention`: AWS Backup plans keep recovery points for at least
//! `min_retention_days`.
//!
//! ## What it does
//! Reports every `rule` of an `aws_backup_plan` whose `lifecycle.delete_after` is below
//! `min_retention_days` (default 7), and every `copy_action` whose own `lifecycle.delete_after`
//! is (the copy in another vault or region is the disaster-recovery copy). A rule or copy without
//! `delete_after` keeps its recovery points until they are deleted by hand, which is not
//! reported. Unknown values are not judged.
//!
//! ## Why is this bad?
//! A recovery point deleted after a day or two is gone before most incidents are noticed:
//! corruption or ransomware found on Monday is already in every backup that is left.
//!
//! ## Example
//! ```hcl
//! resource "aws_backup_plan" "daily" {
//!   name = "daily"
//!   rule {
//!     rule_name         = "daily"
//!     target_vault_name = aws_backup_vault.main.name
//!     schedule          = "cron(0 3 * * ? *)"
//!     lifecycle {
//!       delete_after = 3
//!     }
//!   }
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//!     lifecycle {
//!       delete_after = 35
//!     }
//! ```

use rampart_plugin_sdk::terraform::{self, Setting};
use rampart_plugin_sdk::text::days;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::common::MIN_RETENTION_DAYS;

pub const RULE: Rule = Rule {
    id: "backup/backup-plan-retention",
    title: "AWS Backup plans keep recovery points for the minimum retention",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "A backup plan that deletes its recovery points after a few days leaves nothing to \
        restore from once an incident (corruption, a faulty migration, ransomware) has gone unnoticed \
        that long; its copies to another vault or region are the last line of defence and must \
        live as long.",
    remediation: "Raise `lifecycle { delete_after = N }` in each `rule` (and in each \
        `copy_action`) to at least the minimum (`min_retention_days`, 7 by default), or \
        remove `delete_after` to keep recovery points until they are deleted on purpose.",
    references: &["NIST SP 800-53 CP-9", "NIST SP 800-53 SI-12"],
    params: &[MIN_RETENTION_DAYS],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    let min = cx.param_i64("min_retention_days");
    for plan in terraform::resources(doc, &["aws_backup_plan"]) {
        for rule in plan.blocks("rule") {
            let name = rule.get("rule_name").and_then(Node::str).map(|n| format!("rule {n}"));
            let name = name.as_deref().unwrap_or("this rule");
            if let Setting::Known(after, node) =
                terraform::setting(Some(rule), &["lifecycle", "delete_after"]).int()
                && after < min
            {
                cx.report(
                    node,
                    format!(
                        "{name} deletes its recovery points after {} (lifecycle.delete_after); the minimum is {}",
                        days(after),
                        days(min)
                    ),
                );
            }
            for copy in terraform::blocks(Some(rule), "copy_action") {
                if let Setting::Known(after, node) =
                    terraform::setting(Some(copy), &["lifecycle", "delete_after"]).int()
                    && after < min
                {
                    cx.report(
                        node,
                        format!(
                            "{name} deletes the copies of its recovery points after {} \
                             (copy_action.lifecycle.delete_after); the minimum is {}",
                            days(after),
                            days(min)
                        ),
                    );
                }
            }
        }
    }
}
