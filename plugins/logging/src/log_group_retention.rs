//! `logging/log-group-retention`: CloudWatch log groups keep their events long enough, and not
//! forever.
//!
//! ## What it does
//! Reads `retention_in_days` of every `aws_cloudwatch_log_group` and reports:
//! - an **audit log group** kept fewer than `min_log_retention_days` days (365 by default).
//!   A log group is an audit log group when a `aws_cloudtrail` trail delivers to it
//!   (`cloud_watch_logs_group_arn`), or when its `name` (or `name_prefix`) contains one of
//!   `audit_log_name_patterns` (`audit`, `cloudtrail`; case-insensitive), as in
//!   `/masterx/production/audit` or `/aws/rds/instance/db/audit`;
//! - any **other log group** (application, access, slow-query, flow logs...) kept fewer than
//!   `min_app_log_retention_days` days (7 by default): those hold operational data whose
//!   retention the team chooses, so only a floor that leaves time to investigate an incident
//!   is enforced. VPC flow logs and WAF logs are not audit logs by default; add `flow-log` or
//!   `aws-waf-logs-` to `audit_log_name_patterns` to hold them to the audit minimum;
//! - a log group **without a retention** (no `retention_in_days`, `null`, or `0`: the
//!   provider default, 0, means the events never expire), unless `allow_unlimited_retention`
//!   is true. Logs kept forever hold personal data (IPs, user ids, request payloads) with no
//!   end date, against storage limitation, and grow without bound;
//! - a retention longer than `max_log_retention_days` when that cap is set (0, the default,
//!   sets no cap); a log group kept forever exceeds any cap.
//!
//! A retention or a name that is not known before apply is never judged: a log group whose
//! name is unknown is held to the application minimum only.
//!
//! ## Why is this bad?
//! Logs deleted too early are missing when an incident or an audit needs them; logs never
//! deleted keep personal data beyond any purpose and cost more every month.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudwatch_log_group" "worker" {
//!   name = "/ecs/worker"
//! }
//!
//! resource "aws_cloudwatch_log_group" "audit" {
//!   name              = "/app/audit"
//!   retention_in_days = 90
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_cloudwatch_log_group" "worker" {
//!   name              = "/ecs/worker"
//!   retention_in_days = 30
//! }
//!
//! resource "aws_cloudwatch_log_group" "audit" {
//!   name              = "/app/audit"
//!   retention_in_days = 365
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::text::days;
use rampart_plugin_sdk::{Context, Document, Format, Kind, Node, Param, ParamDefault, Rule, Severity};

use crate::util;

pub const RULE: Rule = Rule {
    id: "logging/log-group-retention",
    title: "CloudWatch log groups have a retention that fits what they hold",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "Audit logs deleted before the retention period an auditor or an incident \
        responder expects destroy the evidence of who did what; a log group without a retention \
        keeps every event forever (the CloudWatch default), so personal data in logs outlives \
        any purpose it was collected for and storage costs grow without bound.",
    remediation: "Set `retention_in_days` explicitly on every `aws_cloudwatch_log_group`: at \
        least the audit minimum (365 days by default) for audit trails, e.g. \
        `retention_in_days = 365`, and a bounded value for application logs, e.g. \
        `retention_in_days = 30`. CloudWatch accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, \
        180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 and 3653.",
    references: &[
        "NIST SP 800-53 AU-11",
        "NIST SP 800-53 SI-12",
        "AWS Security Hub control CloudWatch.16",
        "GDPR Art. 5(1)(e)",
    ],
    params: &[
        Param {
            name: "min_log_retention_days",
            description: "Minimum retention, in days, of audit log groups (CloudTrail \
                destinations and log groups whose name matches audit_log_name_patterns).",
            default: ParamDefault::Integer(365),
        },
        Param {
            name: "min_app_log_retention_days",
            description: "Minimum retention, in days, of every other log group.",
            default: ParamDefault::Integer(7),
        },
        Param {
            name: "audit_log_name_patterns",
            description: "Case-insensitive substrings of a log group name that make it an \
                audit log group.",
            default: ParamDefault::Texts(&["audit", "cloudtrail"]),
        },
        Param {
            name: "allow_unlimited_retention",
            description: "Accept log groups whose events never expire (no retention_in_days, \
                or 0).",
            default: ParamDefault::Bool(false),
        },
        Param {
            name: "max_log_retention_days",
            description: "Maximum retention, in days, of any log group; 0 sets no maximum.",
            default: ParamDefault::Integer(0),
        },
    ],
    check,
};

/// What the rule reads from the policy pack.
struct Limits {
    audit_min: i64,
    app_min: i64,
    patterns: Vec<String>,
    allow_unlimited: bool,
    max: i64,
}

/// Why a log group is held to the audit minimum.
enum Audit<'a> {
    /// A CloudTrail trail delivers to it; the node is the trail's `cloud_watch_logs_group_arn`.
    Trail(Resource<'a>, Node<'a>),
    /// Its name contains this pattern.
    Name(String),
}

fn check(doc: &Document, cx: &mut Context) {
    let limits = Limits {
        audit_min: cx.param_i64("min_log_retention_days"),
        app_min: cx.param_i64("min_app_log_retention_days"),
        patterns: cx
            .param_texts("audit_log_name_patterns")
            .iter()
            .map(|p| p.trim().to_ascii_lowercase())
            .filter(|p| !p.is_empty())
            .collect(),
        allow_unlimited: cx.param_bool("allow_unlimited_retention"),
        max: cx.param_i64("max_log_retention_days"),
    };
    let trails = trail_destinations(doc);
    for group in terraform::resources(doc, &["aws_cloudwatch_log_group"]) {
        check_group(cx, &limits, &trails, group);
    }
}

/// A trail, the value naming its log group, and the log groups that value resolves to (or
/// the log group name written in a literal ARN).
struct Destination<'a> {
    trail: Resource<'a>,
    value: Node<'a>,
    groups: Vec<Resource<'a>>,
    name: Option<&'a str>,
}

fn trail_destinations(doc: &Document) -> Vec<Destination<'_>> {
    terraform::resources(doc, &["aws_cloudtrail"])
        .filter_map(|trail| {
            let value = trail.attr("cloud_watch_logs_group_arn")?;
            let groups = terraform::referenced(trail, value, &["aws_cloudwatch_log_group"]);
            let name = value.str().and_then(log_group_of_arn);
            Some(Destination { trail, value, groups, name })
        })
        .collect()
}

/// `NAME` in `arn:aws:logs:us-east-1:123456789012:log-group:NAME:*`.
fn log_group_of_arn(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":log-group:")?;
    let name = rest.split(':').next()?;
    (!name.is_empty()).then_some(name)
}

/// What is wrong with a log group's retention.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Kept forever, which the pack does not allow; the minimum to set instead.
    Unlimited { minimum: i64 },
    /// Kept forever, beyond the pack's cap.
    UnlimitedOverCap { max: i64 },
    /// Kept fewer days than the minimum.
    TooShort { minimum: i64 },
    /// Kept more days than the cap.
    TooLong { max: i64 },
}

/// Judges a retention (`None`: kept forever) against the limits.
fn verdict(limits: &Limits, is_audit: bool, kept: Option<i64>) -> Option<Verdict> {
    let minimum = if is_audit { limits.audit_min.max(limits.app_min) } else { limits.app_min };
    match kept {
        None if !limits.allow_unlimited => Some(Verdict::Unlimited { minimum }),
        None if limits.max > 0 => Some(Verdict::UnlimitedOverCap { max: limits.max }),
        Some(kept) if kept < minimum => Some(Verdict::TooShort { minimum }),
        Some(kept) if limits.max > 0 && kept > limits.max => Some(Verdict::TooLong { max: limits.max }),
        None | Some(_) => None,
    }
}

fn check_group(cx: &mut Context, limits: &Limits, trails: &[Destination<'_>], group: Resource<'_>) {
    let name_node = group.attr("name").or_else(|| group.attr("name_prefix"));
    let name = name_node.and_then(Node::str);
    let shown = name.map_or_else(|| group.address().to_owned(), str::to_owned);
    let audit = audit_reason(limits, trails, group, name);

    let retention = group.attr("retention_in_days").filter(|v| v.kind() != Kind::Null);
    let kept = match retention {
        None => None,
        Some(v) if v.is_unknown() => return,
        Some(v) => match v.to_i64() {
            Some(0) => None,
            Some(n) if n > 0 => Some(n),
            _ => return, // negative or not a number: the provider rejects it at plan time
        },
    };
    let Some(verdict) = verdict(limits, audit.is_some(), kept) else { return };
    let at = retention.unwrap_or_else(|| group.labels());
    let forever = if retention.is_some() {
        format!("retention_in_days = 0 means the events of log group {shown} are never deleted")
    } else {
        format!(
            "log group {shown} has no retention_in_days, so its events are never deleted (the provider \
             default, 0, means never expire)"
        )
    };
    let kept_days = days(kept.unwrap_or_default());
    match verdict {
        Verdict::Unlimited { minimum } => {
            let kind = if audit.is_some() { " for these audit logs" } else { "" };
            cx.report(at, format!("{forever}; set a retention of at least {}{kind}", days(minimum)))
                .severity(Severity::Low);
        }
        Verdict::UnlimitedOverCap { max } => {
            cx.report(at, format!("{forever}, longer than the maximum of {}", days(max)))
                .severity(Severity::Low);
        }
        Verdict::TooShort { minimum } => match &audit {
            Some(reason) => {
                let why = match reason {
                    Audit::Trail(trail, _) => format!("{} delivers to it", trail.address()),
                    Audit::Name(pattern) => format!("its name contains `{pattern}`"),
                };
                let report = cx.report(
                    at,
                    format!(
                        "log group {shown} holds audit logs ({why}) but keeps them {kept_days}; audit logs \
                         must be kept at least {}",
                        days(minimum)
                    ),
                );
                if let Audit::Trail(_, destination) = reason {
                    report.related(*destination, "the trail delivers its events to this log group here");
                }
            }
            None => {
                cx.report(
                    at,
                    format!(
                        "log group {shown} keeps its events {kept_days}, less than the minimum of {}",
                        days(minimum)
                    ),
                )
                .severity(Severity::Low);
            }
        },
        Verdict::TooLong { max } => {
            cx.report(
                at,
                format!(
                    "log group {shown} keeps its events {kept_days}, more than the maximum of {}",
                    days(max)
                ),
            )
            .severity(Severity::Low);
        }
    }
}

fn audit_reason<'a>(
    limits: &Limits,
    trails: &[Destination<'a>],
    group: Resource<'a>,
    name: Option<&str>,
) -> Option<Audit<'a>> {
    let by_trail =
        trails.iter().find(|d| util::contains(&d.groups, group) || (d.name.is_some() && d.name == name));
    if let Some(d) = by_trail {
        return Some(Audit::Trail(d.trail, d.value));
    }
    let lower = name?.to_ascii_lowercase();
    limits.patterns.iter().find(|p| lower.contains(p.as_str())).map(|p| Audit::Name(p.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(allow_unlimited: bool, max: i64) -> Limits {
        Limits { audit_min: 365, app_min: 7, patterns: vec!["audit".into()], allow_unlimited, max }
    }

    #[test]
    fn retentions_are_judged_against_the_applicable_minimum() {
        let l = limits(false, 0);
        assert_eq!(verdict(&l, false, Some(7)), None);
        assert_eq!(verdict(&l, false, Some(30)), None);
        assert_eq!(verdict(&l, false, Some(3)), Some(Verdict::TooShort { minimum: 7 }));
        assert_eq!(verdict(&l, true, Some(30)), Some(Verdict::TooShort { minimum: 365 }));
        assert_eq!(verdict(&l, true, Some(2557)), None);
        assert_eq!(verdict(&l, false, None), Some(Verdict::Unlimited { minimum: 7 }));
        assert_eq!(verdict(&l, true, None), Some(Verdict::Unlimited { minimum: 365 }));
    }

    #[test]
    fn unlimited_retention_and_caps_follow_the_pack() {
        assert_eq!(verdict(&limits(true, 0), false, None), None);
        assert_eq!(verdict(&limits(true, 400), true, None), Some(Verdict::UnlimitedOverCap { max: 400 }));
        assert_eq!(verdict(&limits(false, 400), true, Some(2557)), Some(Verdict::TooLong { max: 400 }));
        assert_eq!(verdict(&limits(false, 400), true, Some(365)), None);
    }

    #[test]
    fn log_group_names_are_read_from_arns() {
        assert_eq!(
            log_group_of_arn("arn:aws:logs:eu-west-1:123456789012:log-group:/org/trail:*"),
            Some("/org/trail")
        );
        assert_eq!(log_group_of_arn("arn:aws:logs:eu-west-1:123456789012:log-group:trail"), Some("trail"));
        assert_eq!(log_group_of_arn("/org/trail"), None);
    }
}
