//! non-root: containers run as an unprivileged user (least privilege).
//!
//! One rule per module; each module declares its rule once, with its metadata.

mod dockerfile_user;

rampart_plugin_sdk::plugin!(
    description: "Least privilege: containers do not run as root.",
    rules: [dockerfile_user::RULE],
);
