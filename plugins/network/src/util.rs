//! Helpers shared by the network rules: port ranges, CIDRs, and following Terraform
//! references to the exact instances they name. Generic enough for the SDK; private here.

use rampart_plugin_sdk::terraform::{self, Reference, Resource};
use rampart_plugin_sdk::{Context, Document, Kind, Node};

/// An inclusive range of ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ports {
    pub from: u32,
    pub to: u32,
}

impl Ports {
    pub const ALL: Ports = Ports { from: 0, to: 65535 };

    pub fn one(port: u32) -> Self {
        Ports { from: port, to: port }
    }

    /// `22`, `8000-8080` (blanks allowed around the parts).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (from, to) = text.split_once('-').unwrap_or((text, text));
        let (from, to) = (port_number(from)?, port_number(to)?);
        (from <= to).then_some(Ports { from, to })
    }

    /// Whether `port` is in the range.
    pub fn contains(self, port: u32) -> bool {
        self.from <= port && port <= self.to
    }

    /// The range as a user reads it: `22`, `1000-2000`, `all ports`.
    pub fn describe(self) -> String {
        if self == Ports::ALL {
            "all ports".to_owned()
        } else if self.from == self.to {
            format!("port {}", described_port(self.from))
        } else {
            format!("ports {}-{}", self.from, self.to)
        }
    }
}

fn port_number(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|&p| p <= 65535)
}

/// A list-of-texts parameter of ports and ranges (`["80", "8000-8080"]`); entries that are not
/// ports are ignored.
pub fn port_param(cx: &Context, name: &str) -> Vec<Ports> {
    cx.param_texts(name).iter().filter_map(|t| Ports::parse(t)).collect()
}

/// Whether every port of `range` is in one of `allowed`.
pub fn covered(range: Ports, allowed: &[Ports]) -> bool {
    let mut next = range.from;
    loop {
        // The allowed range that covers `next` and reaches furthest.
        let Some(reach) = allowed.iter().filter(|a| a.contains(next)).map(|a| a.to).max() else {
            return false;
        };
        if reach >= range.to {
            return true;
        }
        next = reach + 1;
    }
}

/// The ports of `set` that `range` reaches (each entry of `set` contributes its first port
/// in the range), in order, without repeats.
pub fn overlap(range: Ports, set: &[Ports]) -> Vec<u32> {
    let mut ports: Vec<u32> = set
        .iter()
        .filter(|s| s.from <= range.to && range.from <= s.to)
        .map(|s| s.from.max(range.from))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// What usually listens on a well-known port, for messages.
pub fn port_service(port: u32) -> Option<&'static str> {
    Some(match port {
        21 => "FTP",
        22 => "SSH",
        23 => "Telnet",
        445 => "SMB",
        1433 => "SQL Server",
        1521 => "Oracle",
        2375 | 2376 => "Docker API",
        2379 => "etcd",
        3306 => "MySQL",
        3389 => "RDP",
        5432 => "PostgreSQL",
        5439 => "Redshift",
        5672 => "AMQP",
        5984 => "CouchDB",
        6379 => "Redis",
        7687 => "Neo4j",
        8086 => "InfluxDB",
        9042 => "Cassandra",
        9092 => "Kafka",
        9200 | 9300 => "Elasticsearch",
        11211 => "Memcached",
        27017 => "MongoDB",
        _ => return None,
    })
}

/// `22 (SSH)`, or `8080`.
pub fn described_port(port: u32) -> String {
    match port_service(port) {
        Some(service) => format!("{port} ({service})"),
        None => port.to_string(),
    }
}

/// `22 (SSH), 3389 (RDP)`, at most `max` of them, then `and N more`.
pub fn described_ports(ports: &[u32], max: usize) -> String {
    let mut text: Vec<String> = ports.iter().take(max).map(|&p| described_port(p)).collect();
    if ports.len() > max {
        text.push(format!("and {} more", ports.len() - max));
    }
    text.join(", ")
}

/// Whether a CIDR is the whole address space of its family (a prefix length of 0:
/// `0.0.0.0/0`, `::/0`).
pub fn is_world_cidr(cidr: &str) -> bool {
    cidr.trim().rsplit_once('/').is_some_and(|(address, length)| {
        let address = address.trim();
        length.trim() == "0" && !address.is_empty() && (address.contains('.') || address.contains(':'))
    })
}

/// A CIDR node that is the whole internet.
pub fn world_cidr(node: Node<'_>) -> Option<&str> {
    node.str().filter(|c| is_world_cidr(c))
}

/// Every string of a value that is a CIDR of the whole internet: the value itself or the
/// items of a list (`cidr_blocks = ["0.0.0.0/0"]`).
pub fn world_cidrs(value: Option<Node<'_>>) -> impl Iterator<Item = Node<'_>> {
    value
        .into_iter()
        .flat_map(|v| if v.kind() == Kind::List { v.children().collect() } else { vec![v] })
        .filter(|n| world_cidr(*n).is_some())
}

/// Whether a boolean argument is `true` (a bool, or a string Terraform converts).
pub fn is_true(node: Option<Node<'_>>) -> bool {
    node.and_then(Node::to_bool) == Some(true)
}

/// Whether a boolean argument is `false`.
pub fn is_false(node: Option<Node<'_>>) -> bool {
    node.and_then(Node::to_bool) == Some(false)
}

/// The resources a reference names, and whether every one of them is named (the reference
/// has no index, a splat, or an index that the referring instance fixes), or only one of them,
/// which one depending on an index this plugin cannot evaluate.
pub struct Resolved<'a> {
    pub resources: Vec<Resource<'a>>,
    pub every: bool,
}

impl<'a> Resolved<'a> {
    /// A resource that certainly is among those referenced and satisfies `test`, with what
    /// `test` found: any of them when every one is referenced, otherwise only when all of
    /// them satisfy it (whichever the index picks).
    pub fn certainly<T>(&self, mut test: impl FnMut(Resource<'a>) -> Option<T>) -> Option<(Resource<'a>, T)> {
        if self.every {
            return self.resources.iter().find_map(|&r| Some((r, test(r)?)));
        }
        let mut first = None;
        for &r in &self.resources {
            let found = test(r)?;
            if first.is_none() {
                first = Some((r, found));
            }
        }
        first
    }

    /// The resources certainly referenced: all of them, or the only candidate.
    pub fn certain(&self) -> &[Resource<'a>] {
        if self.every || self.resources.len() == 1 { &self.resources } else { &[] }
    }
}

/// Resolves a reference written in `from` to the instances it names. Unlike
/// [`terraform::resolve`], `[count.index]` and `[each.key]` name the one instance with the
/// referring instance's own index or key when the referring resource is expanded, and a
/// splat (`[*]`) names every instance.
pub fn resolve<'a>(doc: &'a Document, from: Resource<'a>, reference: Reference<'_>) -> Resolved<'a> {
    let base_len = reference.address.find('[').unwrap_or(reference.address.len());
    let base = &reference.address[..base_len];
    let index = reference.address[base_len..].trim_start_matches('[').trim_end_matches(']').trim();
    if index.is_empty() || index == "*" {
        let resources = terraform::resolve(doc, Some(from), at(reference, base));
        return Resolved { resources, every: true };
    }
    let own_index = from.node.get("index").and_then(Node::as_i64);
    let own_key = from.node.get("key").and_then(Node::str);
    let exact = match (index, own_index, own_key) {
        ("count.index", Some(i), _) => Some(format!("{base}[{i}]")),
        ("each.key", _, Some(k)) => Some(format!("{base}[\"{k}\"]")),
        _ => None,
    };
    if let Some(address) = exact {
        let resources = terraform::resolve(doc, Some(from), at(reference, &address));
        return Resolved { resources, every: true };
    }
    if index.parse::<u64>().is_ok() || (index.starts_with('"') && index.ends_with('"')) {
        // A literal index names exactly its instance.
        return Resolved { resources: terraform::resolve(doc, Some(from), reference), every: true };
    }
    // Any other index (`[var.i]`, `[az]` in a `for`) names one of all the instances.
    Resolved { resources: terraform::resolve(doc, Some(from), at(reference, base)), every: false }
}

/// The reference with another address (another instance of the same resource).
fn at<'s>(reference: Reference<'s>, address: &'s str) -> Reference<'s> {
    Reference { address, ..reference }
}

/// The references in an attribute of `resource`, each with the instances it names. A value
/// `each.value...` of a resource whose `for_each` is another resource (`for_each =
/// aws_subnet.public`, `subnet_id = each.value.id`) names every instance of that resource.
pub fn references<'a>(
    doc: &'a Document,
    resource: Resource<'a>,
    value: Node<'a>,
) -> Vec<(Node<'a>, Resolved<'a>)> {
    value
        .descendants()
        .filter(|n| n.kind() == Kind::Unknown)
        .filter_map(|node| {
            if let Some(reference) = terraform::reference(node) {
                return Some((node, resolve(doc, resource, reference)));
            }
            if !node.text().starts_with("each.value") {
                return None;
            }
            let over = terraform::reference(resource.node.get("for_each")?)?;
            let mut resolved = resolve(doc, resource, over);
            resolved.every = true;
            Some((node, resolved))
        })
        .collect()
}
