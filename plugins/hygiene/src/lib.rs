//! hygiene: operational hygiene: pinned images, health checks, resource limits and probes.
//!
//! One rule per module; each module declares its rule once, with its metadata.

mod dockerfile_healthcheck;
mod image_latest_tag;
mod image_ref;
mod k8s_probes;
mod k8s_resource_limits;

rampart_plugin_sdk::plugin!(
    description: "Operational hygiene: pinned images, health checks, resource limits and probes.",
    rules: [
        image_latest_tag::RULE,
        dockerfile_healthcheck::RULE,
        k8s_resource_limits::RULE,
        k8s_probes::RULE,
    ],
);
