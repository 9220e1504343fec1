//! `logging/cloudtrail-coverage`: CloudTrail trails record management events in every region.
//!
//! ## What it does
//! Reports an `aws_cloudtrail` that:
//! - is not multi-region: `is_multi_region_trail` missing (the provider default is `false`)
//!   or `false`; the trail then records only the region it is created in;
//! - sets `include_global_service_events = false` (default `true`): IAM, STS and CloudFront
//!   calls, which are global, are not recorded;
//! - is created stopped: `enable_logging = false` (default `true`);
//! - records no management events: every `event_selector` sets
//!   `include_management_events = false`, or no `advanced_event_selector` selects the
//!   `Management` event category; or records only one side of them (every management
//!   `event_selector` has `read_write_type` `ReadOnly` or `WriteOnly`; the default is `All`).
//!
//! Values not known before apply are not judged.
//!
//! ## Why is this bad?
//! An attacker works where nobody looks: API calls in a region the trail does not cover, or
//! global IAM changes a trail does not include, leave no record.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudtrail" "main" {
//!   name           = "main"
//!   s3_bucket_name = aws_s3_bucket.trail.id
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_cloudtrail" "main" {
//!   name                          = "main"
//!   s3_bucket_name                = aws_s3_bucket.trail.id
//!   is_multi_region_trail         = true
//!   include_global_service_events = true
//!   enable_log_file_validation    = true
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource, Setting};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::util;

pub const RULE: Rule = Rule {
    id: "logging/cloudtrail-coverage",
    title: "CloudTrail trails record management events in every region",
    severity: Severity::Medium,
    formats: &[Format::Terraform],
    rationale: "A trail that covers one region, leaves out global services or skips management \
        events leaves API calls unrecorded: an intruder who creates access keys or instances in \
        an unwatched region, or changes IAM, leaves no audit trail to detect or investigate.",
    remediation: "Record every region and the global services: `is_multi_region_trail = true`, \
        keep `include_global_service_events = true` and `enable_logging = true`, and keep \
        management events (`include_management_events = true` and `read_write_type = \"All\"` \
        in `event_selector` blocks, or an `advanced_event_selector` with `field_selector { \
        field = \"eventCategory\" equals = [\"Management\"] }`).",
    references: &[
        "CIS AWS Foundations Benchmark v1.5.0 3.1",
        "AWS Security Hub control CloudTrail.1",
        "NIST SP 800-53 AU-2",
        "NIST SP 800-53 AU-12",
    ],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for trail in terraform::resources(doc, &["aws_cloudtrail"]) {
        let name = util::display_name(trail, &["name"]);
        match trail.setting(&["is_multi_region_trail"]).boolean() {
            Setting::Absent => {
                cx.report(
                    trail.labels(),
                    format!(
                        "trail {name} records only the region it is created in: is_multi_region_trail \
                         is not set and defaults to false"
                    ),
                );
            }
            Setting::Known(false, at) => {
                cx.report(at, format!("trail {name} records only the region it is created in"));
            }
            _ => {}
        }
        if let Setting::Known(false, at) = trail.setting(&["include_global_service_events"]).boolean() {
            cx.report(
                at,
                format!(
                    "trail {name} leaves out the events of global services such as IAM, STS and CloudFront"
                ),
            );
        }
        if let Setting::Known(false, at) = trail.setting(&["enable_logging"]).boolean() {
            cx.report(at, format!("trail {name} is created with logging stopped, so it records nothing"))
                .severity(Severity::High);
        }
        management_events(cx, trail, &name);
    }
}

/// Reports a trail whose event selectors leave out management events, or half of them.
fn management_events(cx: &mut Context, trail: Resource<'_>, name: &str) {
    let body = trail.attributes();
    let (basic, basic_unknown) = util::blocks_of(body, "event_selector");
    let (advanced, advanced_unknown) = util::blocks_of(body, "advanced_event_selector");
    if basic_unknown || advanced_unknown {
        return;
    }
    if !basic.is_empty() {
        // Selectors that record management events, and the node that says they do not.
        let mut recording = Vec::new();
        let mut excluded = None;
        for selector in &basic {
            match terraform::setting(Some(*selector), &["include_management_events"]).boolean() {
                Setting::Absent | Setting::Known(true, _) => recording.push(*selector),
                Setting::Known(false, at) => excluded = excluded.or(Some(at)),
                Setting::Unknown => return,
            }
        }
        if recording.is_empty() {
            if let Some(at) = excluded {
                cx.report(
                    at,
                    format!(
                        "trail {name} records no management events (API calls that change resources or IAM)"
                    ),
                );
            }
            return;
        }
        let mut partial = None;
        for selector in recording {
            match selector.get("read_write_type") {
                None => return,
                Some(v) => match v.str() {
                    Some(t) if t.eq_ignore_ascii_case("All") => return,
                    Some(t) => partial = partial.or(Some((v, t))),
                    None => return, // null (the default, All) or unknown
                },
            }
        }
        if let Some((at, kind)) = partial {
            cx.report(
                at,
                format!("trail {name} records only {kind} management events; CIS and most audits expect All"),
            );
        }
        return;
    }
    if !advanced.is_empty() {
        let mut undecided = false;
        let selects_management = advanced.iter().any(|selector| {
            let (fields, unknown) = util::blocks_of(Some(*selector), "field_selector");
            undecided |= unknown;
            fields.iter().any(|f| {
                let field = f.get("field");
                undecided |= field.is_some_and(Node::is_unknown);
                field.and_then(Node::str) == Some("eventCategory")
                    && f.get("equals").is_some_and(|e| {
                        undecided |= util::has_opaque_unknown(e);
                        e.items().any(|i| i.str() == Some("Management")) || e.str() == Some("Management")
                    })
            })
        });
        if !selects_management && !undecided {
            let at = advanced.first().copied().unwrap_or_else(|| trail.labels());
            cx.report(
                at,
                format!(
                    "trail {name} records no management events: no advanced_event_selector selects \
                     eventCategory Management"
                ),
            );
        }
    }
}
