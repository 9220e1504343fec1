//! `network/data-store-public-subnet`: databases, caches, search domains, warehouses and
//! worker nodes are placed in private subnets.
//!
//! ## What it does
//! Follows the subnets of `aws_db_subnet_group`, `aws_elasticache_subnet_group`,
//! `aws_redshift_subnet_group`, `aws_docdb_subnet_group`, `aws_neptune_subnet_group`,
//! `aws_memorydb_subnet_group`, `aws_dms_replication_subnet_group`,
//! `aws_opensearch_domain`/`aws_elasticsearch_domain` (`vpc_options.subnet_ids`),
//! `aws_msk_cluster` (`broker_node_group_info.client_subnets`) and `aws_eks_node_group` to
//! their `aws_subnet` resources, and reports a subnet that is public:
//!
//! - `map_public_ip_on_launch = true`, or
//! - an `aws_route_table_association` ties it to a route table with a route (an inline
//!   `route` block or an `aws_route`) sending `0.0.0.0/0` or `::/0` to an internet gateway
//!   (`gateway_id` naming an `aws_internet_gateway`, or an `igw-` id), or
//! - no association names it and the VPC's main route table (`aws_default_route_table`,
//!   `aws_main_route_table_association`) has such a route.
//!
//! Indexes are followed exactly where Terraform fixes them (`[0]`, `["a"]`, `[count.index]`
//! and `[each.key]` seen from an expanded instance, `for_each = aws_subnet.public` with
//! `subnet_id = each.value.id`); where an index cannot be evaluated, the subnet is public only
//! when every instance it may name is. Subnets routed through a NAT gateway are private. A
//! reference that cannot be resolved (a data source, a remote module's output) gives no
//! finding.
//!
//! ## Why is this bad?
//! A public subnet is one step from the internet: a single public IP (an instance's
//! default, `publicly_accessible`, a misconfigured node) and a permissive security group rule
//! expose the data store, while a private subnet has no route from the internet at all.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_subnet_group" "main" {
//!   subnet_ids = aws_subnet.public[*].id
//! }
//! ```
//!
//! ## Use instead
//! ```hcl
//! resource "aws_db_subnet_group" "main" {
//!   subnet_ids = aws_subnet.private[*].id # routed through a NAT gateway, no public IPs
//! }
//! ```

use rampart_plugin_sdk::terraform::{self, Resource};
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::util::{self, Resolved, is_true, world_cidr};

pub const RULE: Rule = Rule {
    id: "network/data-store-public-subnet",
    title: "Data stores and worker nodes are in private subnets",
    severity: Severity::High,
    formats: &[Format::Terraform],
    rationale: "A subnet with a route to an internet gateway, or that gives its instances public \
        IP addresses, is reachable from the internet. A database, cache, search domain, broker \
        or Kubernetes worker node placed there is one public IP or one permissive security \
        group rule away from exposing its data; in a private subnet there is no inbound path \
        from the internet at all.",
    remediation: "Place data stores and worker nodes in private subnets: no \
        `map_public_ip_on_launch`, and a route table whose default route goes to a NAT \
        gateway, e.g. `subnet_ids = aws_subnet.private[*].id` with `route { cidr_block = \
        \"0.0.0.0/0\" nat_gateway_id = aws_nat_gateway.main.id }`. Keep public subnets for load \
        balancers and NAT gateways.",
    references: &["NIST SP 800-53 SC-7", "NIST SP 800-53 SC-7(5)", "NIST SP 800-53 AC-4"],
    params: &[],
    check,
};

/// Resource types that place a data store (or worker nodes) in subnets: the path to the
/// subnet list, and what they place there.
const STORES: &[(&str, &[&str], &str)] = &[
    ("aws_db_subnet_group", &["subnet_ids"], "the database"),
    ("aws_elasticache_subnet_group", &["subnet_ids"], "the cache"),
    ("aws_redshift_subnet_group", &["subnet_ids"], "the Redshift cluster"),
    ("aws_docdb_subnet_group", &["subnet_ids"], "the DocumentDB cluster"),
    ("aws_neptune_subnet_group", &["subnet_ids"], "the Neptune cluster"),
    ("aws_memorydb_subnet_group", &["subnet_ids"], "the MemoryDB cluster"),
    ("aws_dms_replication_subnet_group", &["subnet_ids"], "the DMS replication instance"),
    ("aws_opensearch_domain", &["vpc_options", "subnet_ids"], "the search domain"),
    ("aws_elasticsearch_domain", &["vpc_options", "subnet_ids"], "the search domain"),
    ("aws_msk_cluster", &["broker_node_group_info", "client_subnets"], "the Kafka brokers"),
    ("aws_eks_node_group", &["subnet_ids"], "the worker nodes"),
];

const ROUTE_TABLES: &[&str] = &["aws_route_table", "aws_default_route_table"];

/// Why something is public, and where that is written.
#[derive(Clone)]
struct Why<'a> {
    /// For the finding's message: "its route table ... sends 0.0.0.0/0 to ...".
    reason: String,
    /// Where it is written, with the related message.
    node: Node<'a>,
    note: String,
}

/// The public route tables and subnets of a module.
struct Network<'a> {
    tables: Vec<(Node<'a>, Why<'a>)>,
    subnets: Vec<(Node<'a>, Why<'a>)>,
}

impl<'a> Network<'a> {
    fn table(&self, table: Resource<'a>) -> Option<Why<'a>> {
        self.tables.iter().find(|(t, _)| t.is(table.node)).map(|(_, w)| w.clone())
    }

    fn subnet(&self, subnet: Resource<'a>) -> Option<Why<'a>> {
        self.subnets.iter().find(|(s, _)| s.is(subnet.node)).map(|(_, w)| w.clone())
    }
}

fn check(doc: &Document, cx: &mut Context) {
    let store_types: Vec<&str> = STORES.iter().map(|(t, _, _)| *t).collect();
    let stores: Vec<Resource<'_>> = terraform::resources(doc, &store_types).collect();
    if stores.is_empty() {
        return;
    }
    let network = network(doc);
    if network.subnets.is_empty() {
        return;
    }
    for store in stores {
        let Some((_, path, what)) = STORES.iter().find(|(t, _, _)| *t == store.kind()) else { continue };
        let Some(value) = store.at(path) else { continue };
        // Values passed through a module output or a local share their text and span: one
        // finding for them.
        let mut seen: Vec<&str> = Vec::new();
        for (node, resolved) in util::references(doc, store, value) {
            if seen.contains(&node.text()) {
                continue;
            }
            seen.push(node.text());
            let found =
                resolved.certainly(|s| if s.kind() == "aws_subnet" { network.subnet(s) } else { None });
            let Some((subnet, why)) = found else { continue };
            cx.report(
                node,
                format!(
                    "{} places {what} in {}, a public subnet: {}",
                    store.address(),
                    subnet.address(),
                    why.reason
                ),
            )
            .related(why.node, why.note);
        }
    }
}

fn network(doc: &Document) -> Network<'_> {
    let mut network = Network { tables: Vec::new(), subnets: Vec::new() };
    for table in terraform::resources(doc, ROUTE_TABLES) {
        let route = terraform::blocks(table.attributes(), "route")
            .find_map(|route| internet_route(table, route, &["cidr_block", "ipv6_cidr_block"]));
        if let Some(route) = route {
            network.tables.push((table.node, route.why(table)));
        }
    }
    for resource in terraform::resources(doc, &["aws_route"]) {
        let Some(route) = resource.attributes().and_then(|body| {
            internet_route(resource, body, &["destination_cidr_block", "destination_ipv6_cidr_block"])
        }) else {
            continue;
        };
        let value = resource.attr("route_table_id");
        for (_, resolved) in value.map(|v| util::references(doc, resource, v)).unwrap_or_default() {
            for &table in resolved.certain().iter().filter(|t| ROUTE_TABLES.contains(&t.kind())) {
                network.tables.push((table.node, route.why(table)));
            }
        }
    }

    for subnet in terraform::resources(doc, &["aws_subnet"]) {
        if let Some(flag) = subnet.attr("map_public_ip_on_launch").filter(|v| is_true(Some(*v))) {
            let why = Why {
                reason: "instances launched there get a public IP address (map_public_ip_on_launch = true)"
                    .to_owned(),
                node: flag,
                note: format!("map_public_ip_on_launch = true makes {} public", subnet.address()),
            };
            network.subnets.push((subnet.node, why));
        }
    }

    // The subnets any association may name, and whether an association names subnets this
    // plugin cannot tell.
    let mut associated: Vec<Node<'_>> = Vec::new();
    let mut unresolved = false;
    let mut routed: Vec<(Node<'_>, Why<'_>)> = Vec::new();
    for association in terraform::resources(doc, &["aws_route_table_association"]) {
        let Some(subnet_id) = association.attr("subnet_id") else { continue };
        let subnets = util::references(doc, association, subnet_id);
        if subnets.is_empty() && subnet_id.is_unknown() {
            unresolved = true;
        }
        for (_, resolved) in &subnets {
            associated.extend(resolved.resources.iter().map(|s| s.node));
        }
        let table = association.attr("route_table_id").and_then(|value| {
            util::references(doc, association, value)
                .into_iter()
                .find_map(|(_, resolved)| resolved.certainly(|t| network.table(t)))
        });
        let Some((_, why)) = table else { continue };
        for subnet in subnets.iter().flat_map(|(_, resolved)| resolved.certain()) {
            if subnet.kind() == "aws_subnet" {
                let reason = format!("its route table {}", why.reason);
                routed.push((subnet.node, Why { reason, ..why.clone() }));
            }
        }
    }
    network.subnets.extend(routed);

    if !unresolved {
        let mains = main_tables(doc, &network);
        if !mains.is_empty() {
            for subnet in terraform::resources(doc, &["aws_subnet"]) {
                if associated.iter().any(|a| a.is(subnet.node)) {
                    continue;
                }
                let main = subnet.attr("vpc_id").and_then(|value| {
                    util::references(doc, subnet, value).into_iter().find_map(|(_, vpcs)| {
                        vpcs.certainly(|v| mains.iter().find(|(m, _)| m.is(v.node)).map(|(_, w)| w.clone()))
                    })
                });
                if let Some((_, why)) = main {
                    network.subnets.push((subnet.node, why));
                }
            }
        }
    }
    network
}

/// VPCs whose main route table routes to an internet gateway.
fn main_tables<'a>(doc: &'a Document, network: &Network<'a>) -> Vec<(Node<'a>, Why<'a>)> {
    let mut mains = Vec::new();
    let mut add = |vpcs: &Resolved<'a>, why: &Why<'a>| {
        for vpc in vpcs.certain().iter().filter(|v| v.kind() == "aws_vpc") {
            let reason = format!(
                "no route table is associated with it, so its VPC's main route table applies, and {}",
                why.reason
            );
            mains.push((vpc.node, Why { reason, ..why.clone() }));
        }
    };
    for table in terraform::resources(doc, &["aws_default_route_table"]) {
        let Some(why) = network.table(table) else { continue };
        let value = table.attr("default_route_table_id");
        for (_, vpcs) in value.map(|v| util::references(doc, table, v)).unwrap_or_default() {
            add(&vpcs, &why);
        }
    }
    for main in terraform::resources(doc, &["aws_main_route_table_association"]) {
        let why = main.attr("route_table_id").and_then(|value| {
            util::references(doc, main, value)
                .into_iter()
                .find_map(|(_, r)| r.certainly(|t| network.table(t)))
        });
        let Some((_, why)) = why else { continue };
        for (_, vpcs) in main.attr("vpc_id").map(|v| util::references(doc, main, v)).unwrap_or_default() {
            add(&vpcs, &why);
        }
    }
    mains
}

/// A route to the whole internet through an internet gateway.
struct InternetRoute<'a> {
    destination: &'a str,
    gateway: Node<'a>,
    name: String,
}

impl<'a> InternetRoute<'a> {
    fn why(&self, table: Resource<'a>) -> Why<'a> {
        let (table, destination, name) = (table.address(), self.destination, &self.name);
        Why {
            reason: format!("{table} sends {destination} to the internet gateway {name}"),
            node: self.gateway,
            note: format!("{table} routes {destination} to the internet gateway here"),
        }
    }
}

/// A route (an inline `route` block or an `aws_route`'s body) to the whole internet through an
/// internet gateway.
fn internet_route<'a>(
    owner: Resource<'a>,
    route: Node<'a>,
    destinations: &[&str],
) -> Option<InternetRoute<'a>> {
    let destination = destinations.iter().find_map(|d| route.get(d).and_then(world_cidr))?;
    let gateway = route.get("gateway_id")?;
    let name = internet_gateway(gateway)?;
    // A reference is relative to the module it is written in.
    let name = match owner.module() {
        Some(module) if !name.starts_with("igw-") => format!("{module}.{name}"),
        _ => name,
    };
    Some(InternetRoute { destination, gateway, name })
}

/// The internet gateway a `gateway_id` names: a reference to an `aws_internet_gateway` (not
/// an egress-only one, a NAT or a VPN gateway), or an `igw-` id.
fn internet_gateway(gateway: Node<'_>) -> Option<String> {
    if let Some(id) = gateway.str() {
        return id.trim().starts_with("igw-").then(|| id.trim().to_owned());
    }
    terraform::references(gateway).find(|r| r.kind == "aws_internet_gateway").map(|r| r.address.to_owned())
}
