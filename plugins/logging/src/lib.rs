//! logging: audit trails: logs exist, are retained, and cannot be silently altered.
//!
//! One rule per module; each module declares its rule once, with its metadata.

mod cloudfront_access_logs;
mod cloudtrail_coverage;
mod cloudtrail_log_file_validation;
mod lb_access_logs;
mod log_group_retention;
mod rds_log_exports;
mod s3_access_logs;
mod util;

rampart_plugin_sdk::plugin!(
    description: "Audit trails: logs exist, are retained, and cannot be silently altered.",
    rules: [
        log_group_retention::RULE,
        cloudtrail_coverage::RULE,
        cloudtrail_log_file_validation::RULE,
        lb_access_logs::RULE,
        cloudfront_access_logs::RULE,
        s3_access_logs::RULE,
        rds_log_exports::RULE,
    ],
);
