//! Helpers shared by the tls rules: TLS versions and the `min_tls` parameter, the AWS ELB
//! security-policy table, and small readers for values written in different styles (a
//! string or a number: `Node::scalar` in the SDK).

use rampart_plugin_sdk::text::join_and;
use rampart_plugin_sdk::{Context, Node, Param, ParamDefault};

/// The `min_tls` parameter every rule that compares versions declares.
pub const MIN_TLS: Param = Param {
    name: "min_tls",
    description: "The oldest TLS version clients may negotiate: \"1.0\", \"1.1\", \"1.2\" or \"1.3\".",
    default: ParamDefault::Text("1.2"),
};

/// A protocol version, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tls {
    Ssl3,
    V10,
    V11,
    V12,
    V13,
}

const ALL: [Tls; 5] = [Tls::Ssl3, Tls::V10, Tls::V11, Tls::V12, Tls::V13];

impl Tls {
    /// `TLS 1.2`, `SSL 3.0`.
    pub fn name(self) -> &'static str {
        match self {
            Tls::Ssl3 => "SSL 3.0",
            Tls::V10 => "TLS 1.0",
            Tls::V11 => "TLS 1.1",
            Tls::V12 => "TLS 1.2",
            Tls::V13 => "TLS 1.3",
        }
    }

    /// `1.2`, `3.0`.
    pub fn number(self) -> &'static str {
        match self {
            Tls::Ssl3 => "3.0",
            Tls::V10 => "1.0",
            Tls::V11 => "1.1",
            Tls::V12 => "1.2",
            Tls::V13 => "1.3",
        }
    }
}

/// The version in force for `min_tls`. An unreadable value is a policy-pack mistake: the
/// rule stops with a message that names it rather than guessing a threshold.
pub fn min_tls(cx: &Context) -> Tls {
    let text = cx.param_text("min_tls");
    parse_min_tls(&text).unwrap_or_else(|| {
        panic!("parameter min_tls = {text:?} is not one of \"1.0\", \"1.1\", \"1.2\", \"1.3\"")
    })
}

/// `1.2`, and the spellings people write in policy packs: `TLS1.2`, `TLSv1.2`, `TLS1_2`, `1_2`.
pub fn parse_min_tls(text: &str) -> Option<Tls> {
    let lower = text.trim().to_ascii_lowercase();
    let bare = lower.trim_start_matches("tls").trim_start_matches('v').trim().replace(['_', '-'], ".");
    match bare.as_str() {
        "1" | "1.0" | "10" => Some(Tls::V10),
        "1.1" | "11" => Some(Tls::V11),
        "1.2" | "12" => Some(Tls::V12),
        "1.3" | "13" => Some(Tls::V13),
        _ => None,
    }
}

/// The versions from `lowest` up to (not including) `min`, for messages: `TLS 1.0 and 1.1`,
/// `SSL 3.0, TLS 1.0 and 1.1`.
pub fn weak_versions(lowest: Tls, min: Tls) -> String {
    let weak: Vec<Tls> = ALL.iter().copied().filter(|&v| v >= lowest && v < min).collect();
    let mut parts: Vec<String> = Vec::new();
    let mut previous: Option<Tls> = None;
    for v in &weak {
        let same_family = previous.is_some_and(|p| p != Tls::Ssl3) && *v != Tls::Ssl3;
        parts.push(if same_family { v.number().to_owned() } else { v.name().to_owned() });
        previous = Some(*v);
    }
    join_and(&parts)
}

/// The tail of a finding about a version below the minimum: `allows TLS 1.0 and 1.1; the
/// minimum is TLS 1.2`.
pub fn allows_below(lowest: Tls, min: Tls) -> String {
    format!("allows {}; the minimum is {}", weak_versions(lowest, min), min.name())
}

/// The protocols of a list (nginx `ssl_protocols`, MySQL `tls_version`: each listed version
/// is enabled, the others are not) older than `min`, for messages: `enables TLS 1.0 and
/// 1.1; the minimum is TLS 1.2`. `None` when the list holds none.
pub fn enables_below<'a>(list: impl Iterator<Item = &'a str>, min: Tls) -> Option<String> {
    let mut weak: Vec<Tls> = list.filter_map(protocol_name).filter(|&v| v < min).collect();
    weak.sort();
    weak.dedup();
    if weak.is_empty() {
        return None;
    }
    let names: Vec<String> = weak.iter().map(|v| v.name().to_owned()).collect();
    Some(format!("enables {}; the minimum is {}", join_and(&names), min.name()))
}

/// The oldest version an AWS Elastic Load Balancing security policy accepts, for the
/// predefined policies of Application, Network and Classic Load Balancers.
///
/// Source: the AWS documentation "Security policies for your Application Load Balancer"
/// and "Security policies for your Network Load Balancer" (Elastic Load Balancing User
/// Guides, the "TLS protocols" rows of their policy tables), and the Classic Load Balancer
/// "Predefined SSL security policies" table for the pre-2016 names. A name that is not
/// here is not guessed from its spelling.
pub fn elb_policy_min(name: &str) -> Option<Tls> {
    const POLICIES: &[(&str, Tls)] = &[
        // The default of the API, the CLI, CloudFormation and Terraform.
        ("ELBSecurityPolicy-2016-08", Tls::V10),
        ("ELBSecurityPolicy-TLS-1-0-2015-04", Tls::V10),
        ("ELBSecurityPolicy-FS-2018-06", Tls::V10),
        ("ELBSecurityPolicy-TLS13-1-0-2021-06", Tls::V10),
        ("ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04", Tls::V10),
        // Classic Load Balancer policies (some also allow SSL 3.0; TLS 1.0 is the floor
        // this table needs).
        ("ELBSecurityPolicy-2015-05", Tls::V10),
        ("ELBSecurityPolicy-2015-03", Tls::V10),
        ("ELBSecurityPolicy-2015-02", Tls::V10),
        ("ELBSecurityPolicy-2014-10", Tls::V10),
        ("ELBSecurityPolicy-2014-01", Tls::V10),
        ("ELBSecurityPolicy-2011-08", Tls::V10),
        ("ELBSecurityPolicy-TLS-1-1-2017-01", Tls::V11),
        ("ELBSecurityPolicy-FS-1-1-2019-08", Tls::V11),
        ("ELBSecurityPolicy-TLS13-1-1-2021-06", Tls::V11),
        ("ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04", Tls::V11),
        ("ELBSecurityPolicy-TLS-1-2-2017-01", Tls::V12),
        ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", Tls::V12),
        ("ELBSecurityPolicy-FS-1-2-2019-08", Tls::V12),
        ("ELBSecurityPolicy-FS-1-2-Res-2019-08", Tls::V12),
        ("ELBSecurityPolicy-FS-1-2-Res-2020-10", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-2021-06", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Res-2021-06", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04", Tls::V12),
        // Hybrid post-quantum policies (2025-09).
        ("ELBSecurityPolicy-TLS13-1-2-PQ-2025-09", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09", Tls::V12),
        ("ELBSecurityPolicy-TLS13-1-3-2021-06", Tls::V13),
        ("ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04", Tls::V13),
        ("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09", Tls::V13),
        ("ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09", Tls::V13),
    ];
    let name = name.trim();
    POLICIES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|&(_, v)| v)
}

/// The policy AWS applies to an HTTPS or TLS listener created without one (through the API,
/// the CLI, CloudFormation or Terraform; only the console picks a newer one).
pub const ELB_DEFAULT_POLICY: &str = "ELBSecurityPolicy-2016-08";

/// The lowest version in a list of protocol names as nginx, CloudFront and OpenSSL write
/// them: `SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3` (case-insensitive).
pub fn protocol_name(word: &str) -> Option<Tls> {
    let word = word.trim().trim_matches(|c| c == '"' || c == '\'' || c == ';' || c == ',');
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "sslv3" | "ssl3" | "sslv3.0" => Some(Tls::Ssl3),
        "tlsv1" | "tlsv1.0" | "tls1" | "tls1.0" => Some(Tls::V10),
        "tlsv1.1" | "tls1.1" => Some(Tls::V11),
        "tlsv1.2" | "tls1.2" => Some(Tls::V12),
        "tlsv1.3" | "tls1.3" => Some(Tls::V13),
        _ => None,
    }
}

/// Whether a value is known to be false (`false`, `"false"`).
pub fn is_false(node: Node<'_>) -> bool {
    node.to_bool() == Some(false)
}

/// Whether a value is known to be true.
pub fn is_true(node: Node<'_>) -> bool {
    node.to_bool() == Some(true)
}

/// Why an environment variable turns TLS certificate verification off, when it does:
/// variables read by Node.js, Python, git, npm, Yarn, pip, Go, conda and Bundler.
pub fn insecure_env(name: &str, value: &str) -> Option<String> {
    let value = value.trim();
    let falsy = || ["false", "0", "no", "off"].iter().any(|f| value.eq_ignore_ascii_case(f));
    let upper = name.to_ascii_uppercase();
    let why = match upper.as_str() {
        "NODE_TLS_REJECT_UNAUTHORIZED" if value == "0" => {
            "NODE_TLS_REJECT_UNAUTHORIZED=0 makes Node.js accept any TLS certificate".to_owned()
        }
        "PYTHONHTTPSVERIFY" if value == "0" => {
            "PYTHONHTTPSVERIFY=0 turns off certificate verification of Python's HTTPS clients (PEP 493)"
                .to_owned()
        }
        "GIT_SSL_NO_VERIFY" => {
            let set = if value.is_empty() { "set (empty)".to_owned() } else { format!("set to `{value}`") };
            format!(
                "GIT_SSL_NO_VERIFY is {set}: git skips certificate verification whenever the variable \
                 exists, whatever its value"
            )
        }
        "NPM_CONFIG_STRICT_SSL" if falsy() => {
            format!("{name}={value} makes npm accept any registry certificate")
        }
        "YARN_ENABLE_STRICT_SSL" if falsy() => {
            format!("{name}={value} makes Yarn accept any registry certificate")
        }
        "CONDA_SSL_VERIFY" if falsy() => format!("{name}={value} makes conda accept any certificate"),
        "BUNDLE_SSL_VERIFY_MODE" if value == "0" => {
            "BUNDLE_SSL_VERIFY_MODE=0 (VERIFY_NONE) makes Bundler accept any certificate".to_owned()
        }
        "PIP_TRUSTED_HOST" if !value.is_empty() => format!(
            "PIP_TRUSTED_HOST={value} lets pip fetch packages from that host over plain HTTP or \
             without verifying its certificate"
        ),
        "GOINSECURE" if !value.is_empty() => format!(
            "GOINSECURE={value} lets the go command fetch matching modules over plain HTTP or without \
             verifying certificates"
        ),
        _ => return None,
    };
    Some(why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_and_print() {
        assert_eq!(parse_min_tls("1.2"), Some(Tls::V12));
        assert_eq!(parse_min_tls("TLSv1.3"), Some(Tls::V13));
        assert_eq!(parse_min_tls("TLS1_0"), Some(Tls::V10));
        assert_eq!(parse_min_tls("2"), None);
        assert_eq!(weak_versions(Tls::V10, Tls::V12), "TLS 1.0 and 1.1");
        assert_eq!(weak_versions(Tls::Ssl3, Tls::V12), "SSL 3.0, TLS 1.0 and 1.1");
        assert_eq!(weak_versions(Tls::V11, Tls::V12), "TLS 1.1");
        assert_eq!(weak_versions(Tls::V10, Tls::V13), "TLS 1.0, 1.1 and 1.2");
        assert_eq!(elb_policy_min("ELBSecurityPolicy-2016-08"), Some(Tls::V10));
        assert_eq!(elb_policy_min("ELBSecurityPolicy-TLS13-1-2-2021-06"), Some(Tls::V12));
        assert_eq!(elb_policy_min("ELBSecurityPolicy-Custom"), None);
    }
}
