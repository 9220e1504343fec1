//! encryption: encryption at rest for data stores, volumes, queues and state.
//!
//! One rule per module; each module declares its rule once, with its metadata.

mod common;
mod database_storage;
mod dynamodb;
mod ebs_volume;
mod efs_file_system;
mod elasticache_at_rest;
mod kinesis_stream;
mod s3_bucket;
mod search_domain;
mod sns_topic;
mod sqs_queue;
mod terraform_state;

rampart_plugin_sdk::plugin!(
    description: "Encryption at rest for data stores, volumes, queues and state.",
    rules: [
        database_storage::RULE,
        s3_bucket::RULE,
        ebs_volume::RULE,
        efs_file_system::RULE,
        elasticache_at_rest::RULE,
        dynamodb::RULE,
        sqs_queue::RULE,
        sns_topic::RULE,
        kinesis_stream::RULE,
        search_domain::RULE,
        terraform_state::RULE,
    ],
);
