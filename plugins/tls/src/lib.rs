//! tls: TLS 1.2 or newer in transit: listeners, CDNs, gateways, caches, ingresses, clients.
//!
//! One rule per module; each module declares its rule once, with its metadata. `common`
//! holds what several rules share: TLS versions and the `min_tls` parameter, the AWS ELB
//! security-policy table, and the environment variables that turn verification off.

mod api_gateway_tls;
mod azure_https_only;
mod azure_min_tls;
mod cloudfront_origin_tls;
mod cloudfront_viewer_https;
mod cloudfront_viewer_tls;
mod common;
mod database_tls;
mod dockerfile_insecure_fetch;
mod elasticache_transit;
mod env_tls_verification;
mod gcp_ssl_policy;
mod k8s_ingress_tls;
mod k8s_tls_protocols;
mod lb_http_redirect;
mod lb_listener_policy;
mod search_domain_tls;

rampart_plugin_sdk::plugin!(
    description: "TLS 1.2 or newer in transit: listeners, CDNs, gateways, caches, ingresses, clients.",
    rules: [
        lb_listener_policy::RULE,
        lb_http_redirect::RULE,
        cloudfront_viewer_tls::RULE,
        cloudfront_viewer_https::RULE,
        cloudfront_origin_tls::RULE,
        api_gateway_tls::RULE,
        search_domain_tls::RULE,
        elasticache_transit::RULE,
        azure_min_tls::RULE,
        azure_https_only::RULE,
        gcp_ssl_policy::RULE,
        k8s_ingress_tls::RULE,
        k8s_tls_protocols::RULE,
        env_tls_verification::RULE,
        database_tls::RULE,
        dockerfile_insecure_fetch::RULE,
    ],
);
