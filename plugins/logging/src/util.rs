//! Small helpers shared by the logging rules. Settings, references and day counts come from
//! the SDK (`terraform::Setting`, `terraform::referenced`, `text::days`).

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Kind, Node};

/// Whether `value` holds an unknown that is not a reference to a resource or data source
/// (`var.x` without a value, `each.value`, a function's unknown result): it could stand for
/// anything, so a rule must not conclude that it names nothing.
pub fn has_opaque_unknown(value: Node<'_>) -> bool {
    value.descendants().any(|n| n.is_unknown() && terraform::reference(n).is_none())
}

/// Whether a resource is one of `resources`.
pub fn contains(resources: &[Resource<'_>], resource: Resource<'_>) -> bool {
    resources.iter().any(|r| r.node.is(resource.node))
}

/// The name a user knows a resource by: the string value of the first of `attributes` that
/// is known (`name`, `identifier`, ...), else its address.
pub fn display_name(resource: Resource<'_>, attributes: &[&str]) -> String {
    attributes
        .iter()
        .find_map(|a| resource.attr(a).and_then(Node::str))
        .filter(|s| !s.is_empty())
        .map_or_else(|| resource.address().to_owned(), str::to_owned)
}

/// The nested blocks of type `name` in a block body, and whether any of them is an unknown
/// item (a `dynamic` block whose `for_each` is not known).
pub fn blocks_of<'a>(body: Option<Node<'a>>, name: &str) -> (Vec<Node<'a>>, bool) {
    let items: Vec<Node<'a>> = body.and_then(|b| b.get(name)).into_iter().flat_map(Node::items).collect();
    let unknown = items.iter().any(|b| b.kind() != Kind::Map);
    (items.into_iter().filter(|b| b.kind() == Kind::Map).collect(), unknown)
}

/// The bucket name a literal log destination names: a bucket name (`my-logs`), an S3 ARN
/// (`arn:aws:s3:::my-logs/prefix`), or a bucket domain name (`my-logs.s3.amazonaws.com`,
/// `my-logs.s3.eu-west-1.amazonaws.com`, `my-logs.s3-eu-west-1.amazonaws.com`).
pub fn bucket_name_of(destination: &str) -> Option<&str> {
    let text = destination.trim();
    let text = match text.strip_prefix("arn:") {
        Some(arn) => {
            // arn:<partition>:s3:::<bucket>[/<key>]
            let mut parts = arn.splitn(5, ':');
            let (_partition, service) = (parts.next()?, parts.next()?);
            if service != "s3" {
                return None;
            }
            let _region = parts.next()?;
            let _account = parts.next()?;
            parts.next()?
        }
        None => text,
    };
    let text = text.split('/').next().unwrap_or(text);
    let text = match text.find(".s3.").or_else(|| text.find(".s3-")) {
        Some(i) if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") => &text[..i],
        _ => text,
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_are_read_from_destinations() {
        assert_eq!(bucket_name_of("my-logs"), Some("my-logs"));
        assert_eq!(bucket_name_of("arn:aws:s3:::my-logs"), Some("my-logs"));
        assert_eq!(bucket_name_of("arn:aws-us-gov:s3:::my-logs/flow/"), Some("my-logs"));
        assert_eq!(bucket_name_of("my-logs.s3.amazonaws.com"), Some("my-logs"));
        assert_eq!(bucket_name_of("my.logs.s3.eu-west-1.amazonaws.com"), Some("my.logs"));
        assert_eq!(bucket_name_of("arn:aws:logs:eu-west-1:1:log-group:x"), None);
        assert_eq!(bucket_name_of(""), None);
    }
}
