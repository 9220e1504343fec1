//! non-root: containers run as an unprivileged user (least privilege).
//!
//! One rule per module; each module declares its rule once, with its metadata. `common`
//! holds what several rules share (who is root, capability names, containers of every
//! format).

mod capabilities;
mod common;
mod dockerfile_user;
mod privilege_escalation;
mod privileged;
mod run_as_root;

rampart_plugin_sdk::plugin!(
    description: "Least privilege: containers run as non-root, unprivileged, without privilege escalation or dangerous capabilities.",
    rules: [
        dockerfile_user::RULE,
        run_as_root::RULE,
        privileged::RULE,
        privilege_escalation::RULE,
        capabilities::RULE,
    ],
);
