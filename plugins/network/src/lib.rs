//! network: private networks: nothing data-bearing is reachable from the internet.
//!
//! One rule per module; each module declares its rule once, with its metadata. `util` holds
//! the helpers they share (port ranges, CIDRs, exact reference resolution).

mod cloudsql_open_network;
mod compose_database_port;
mod data_store_public_subnet;
mod eks_public_endpoint;
mod kubernetes_exposed_service;
mod kubernetes_host_network;
mod kubernetes_host_port;
mod public_ip_assignment;
mod publicly_accessible;
mod s3_public_access_block;
mod security_group_open_ingress;
mod util;

rampart_plugin_sdk::plugin!(
    description: "Private networks: nothing data-bearing is reachable from the internet.",
    rules: [
        publicly_accessible::RULE,
        data_store_public_subnet::RULE,
        security_group_open_ingress::RULE,
        public_ip_assignment::RULE,
        s3_public_access_block::RULE,
        eks_public_endpoint::RULE,
        cloudsql_open_network::RULE,
        kubernetes_host_network::RULE,
        kubernetes_host_port::RULE,
        kubernetes_exposed_service::RULE,
        compose_database_port::RULE,
    ],
);
