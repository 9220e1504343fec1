use super::*;
use std::fmt::Write as _;

use rampart_model::NodeRef;

fn file(path: &str, text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile::new(path, text))
}

pub(super) fn module(files: &[(&str, &str)], inputs: &Inputs) -> Document {
    let files = files.iter().map(|(p, t)| file(p, t)).collect();
    match parse_module(files, inputs) {
        Ok(doc) => doc,
        Err(e) => panic!("parse failed: {e:?}"),
    }
}

/// The source text a node's span covers, in the node's own file.
fn slice<'d>(doc: &'d Document, node: NodeRef<'_>) -> &'d str {
    let file = &doc.files[node.node().file as usize];
    &file.text[node.span().start as usize..node.span().end as usize]
}

fn key_slice<'d>(doc: &'d Document, node: NodeRef<'_>) -> &'d str {
    let file = &doc.files[node.node().file as usize];
    let span = node.node().key_span.expect("a key span");
    &file.text[span.start as usize..span.end as usize]
}

/// Follows map keys and list indexes (`"attributes.ingress.1.from_port"`).
pub(super) fn at<'d>(node: NodeRef<'d>, path: &str) -> NodeRef<'d> {
    path.split('.').fold(node, |n, step| match step.parse::<usize>() {
        Ok(i) if n.kind() == NodeKind::List => {
            n.children().nth(i).unwrap_or_else(|| panic!("no item {step}"))
        }
        _ => n.get(step).unwrap_or_else(|| panic!("no key {step} in {path}")),
    })
}

pub(super) fn resource<'d>(doc: &'d Document, address: &str) -> NodeRef<'d> {
    doc.root()
        .get("resources")
        .and_then(|l| l.children().find(|r| r.get("address").and_then(NodeRef::as_str) == Some(address)))
        .unwrap_or_else(|| panic!("no resource {address}"))
}

/// A compact rendering of a value node: `"s"`, `1`, `true`, `null`, `[..]`, `{k=..}`, `?(reason)`.
pub(super) fn render(node: NodeRef<'_>) -> String {
    match node.kind() {
        NodeKind::String => format!("{:?}", node.value()),
        NodeKind::Number | NodeKind::Bool => node.value().to_owned(),
        NodeKind::Null => "null".to_owned(),
        NodeKind::Unknown => format!("?({})", node.value()),
        NodeKind::List => format!("[{}]", node.children().map(render).collect::<Vec<_>>().join(",")),
        NodeKind::Map => format!(
            "{{{}}}",
            node.children().map(|c| format!("{}={}", c.key(), render(c))).collect::<Vec<_>>().join(",")
        ),
    }
}

const PRELUDE: &str = r#"
variable "env" {
  default = "prod"
}
variable "unset" {}
variable "n" {
  default = 3
}
locals {
  m    = { a = 1, b = "two" }
  list = ["x", "y", "z"]
}
"#;

/// Evaluates `expr` in a module with [`PRELUDE`] and renders the result.
pub(super) fn eval(expr: &str) -> String {
    let text = format!("{PRELUDE}\nresource \"t\" \"r\" {{\n  v = {expr}\n}}\n");
    let doc = module(&[("main.tf", &text)], &Inputs::new());
    render(at(resource(&doc, "t.r"), "attributes.v"))
}

#[test]
fn attributes_blocks_and_values_have_exact_spans_across_two_files() {
    let main = "resource \"aws_security_group\" \"web\" {\n  name = \"web-${var.env}\"\n  ingress {\n    from_port = 443\n    cidr_blocks = [\"10.0.0.0/8\", local.cidr]\n  }\n  ingress {\n    from_port = 80\n  }\n}\n";
    let vars = "variable \"env\" {\n  default = \"dev\"\n}\nlocals {\n  cidr = \"192.168.0.0/16\"\n}\n";
    let doc = module(&[("main.tf", main), ("vars.tf", vars)], &Inputs::new());
    assert_eq!(doc.files.len(), 2);
    let sg = resource(&doc, "aws_security_group.web");
    assert_eq!(sg.node().file, 0);
    assert_eq!(at(sg, "type").as_str(), Some("aws_security_group"));
    assert_eq!(slice(&doc, at(sg, "type")), "\"aws_security_group\"");
    assert_eq!(at(sg, "mode").as_str(), Some("managed"));
    assert!(slice(&doc, sg).starts_with("resource") && slice(&doc, sg).ends_with('}'));
    let name = at(sg, "attributes.name");
    assert_eq!(name.as_str(), Some("web-dev"));
    assert_eq!(slice(&doc, name), "\"web-${var.env}\"");
    assert_eq!(key_slice(&doc, name), "name");
    let ingress = at(sg, "attributes.ingress");
    assert_eq!(ingress.kind(), NodeKind::List);
    assert_eq!(ingress.children().len(), 2);
    assert_eq!(key_slice(&doc, ingress), "ingress");
    assert!(slice(&doc, at(ingress, "1")).starts_with("ingress {\n    from_port = 80"));
    let port = at(ingress, "0.from_port");
    assert_eq!((port.kind(), port.value(), slice(&doc, port)), (NodeKind::Number, "443", "443"));
    let cidrs = at(ingress, "0.cidr_blocks");
    assert_eq!(slice(&doc, at(cidrs, "0")), "\"10.0.0.0/8\"");
    // A value from a local of the other file stands where it is used.
    assert_eq!(at(cidrs, "1").as_str(), Some("192.168.0.0/16"));
    assert_eq!(slice(&doc, at(cidrs, "1")), "local.cidr");
    // The variable's own entry points into the second file.
    let var = at(doc.root(), "variables.0");
    assert_eq!(var.node().file, 1);
    assert_eq!(slice(&doc, at(var, "name")), "\"env\"");
    assert_eq!(slice(&doc, at(var, "default")), "\"dev\"");
    assert_eq!(at(var, "value").node().file, 1);
    assert_eq!(at(var, "source").as_str(), Some("default"));
    let local = at(doc.root(), "locals.0");
    assert_eq!((local.node().file, slice(&doc, at(local, "value"))), (1, "\"192.168.0.0/16\""));
    assert_eq!(key_slice(&doc, at(local, "value")), "cidr");
}

#[test]
fn object_entries_keep_their_key_and_value_spans() {
    let doc = module(
        &[("main.tf", "resource \"t\" \"r\" {\n  tags = { Name = \"a\", \"Team\" = 2 }\n}\n")],
        &Inputs::new(),
    );
    let tags = at(resource(&doc, "t.r"), "attributes.tags");
    assert_eq!(slice(&doc, at(tags, "Name")), "\"a\"");
    assert_eq!(key_slice(&doc, at(tags, "Name")), "Name");
    assert_eq!(key_slice(&doc, at(tags, "Team")), "\"Team\"");
}

#[test]
fn inputs_override_defaults_in_order_and_keep_their_origin() {
    let vars = "variable \"a\" {\n  default = \"default-a\"\n}\nvariable \"b\" {\n  default = \"default-b\"\n}\nvariable \"c\" {\n  type = list(string)\n}\nresource \"t\" \"r\" {\n  a = var.a\n  b = var.b\n  c = var.c\n}\n";
    let tfvars = file("terraform.tfvars", "a = \"from-tfvars\"\nb = \"from-tfvars\"\n");
    let auto = file("x.auto.tfvars", "b = \"from-auto\"\n");
    let mut inputs = Inputs::new();
    inputs.add_tfvars(&tfvars).unwrap();
    inputs.add_tfvars(&auto).unwrap();
    inputs.add_var_arg("c=[\"x\", \"y\"]").unwrap();
    let doc = module(&[("variables.tf", vars)], &inputs);
    let r = resource(&doc, "t.r");
    assert_eq!(render(at(r, "attributes.a")), "\"from-tfvars\"");
    assert_eq!(render(at(r, "attributes.b")), "\"from-auto\"");
    assert_eq!(render(at(r, "attributes.c")), "[\"x\",\"y\"]");
    // The use keeps the span where it is used.
    assert_eq!(slice(&doc, at(r, "attributes.a")), "var.a");
    let a = at(doc.root(), "variables.0");
    assert_eq!(at(a, "source").as_str(), Some("terraform.tfvars"));
    let value = at(a, "value");
    assert_eq!(doc.files[value.node().file as usize].path, "terraform.tfvars");
    assert_eq!(slice(&doc, value), "\"from-tfvars\"");
    assert_eq!(slice(&doc, at(a, "source")), "a");
    assert_eq!(render(at(a, "default")), "\"default-a\"");
    let c = at(doc.root(), "variables.2");
    assert_eq!(at(c, "source").as_str(), Some("command line"));
    assert_eq!(at(c, "type").as_str(), Some("list(string)"));
    // --var wins over the files.
    let mut more = inputs.clone();
    more.add_var("a", "from-cli");
    let doc = module(&[("variables.tf", vars)], &more);
    assert_eq!(render(at(resource(&doc, "t.r"), "attributes.a")), "\"from-cli\"");
}

#[test]
fn a_variable_without_default_or_value_is_unknown() {
    assert_eq!(eval("var.unset"), "?(var.unset has no default and no value was given)");
    assert_eq!(eval("\"a-${var.unset}\""), "?(var.unset has no default and no value was given)");
    let doc = module(&[("v.tf", "variable \"x\" {\n  sensitive = true\n}\n")], &Inputs::new());
    let x = at(doc.root(), "variables.0");
    assert_eq!(at(x, "value").kind(), NodeKind::Unknown);
    assert_eq!(render(at(x, "sensitive")), "true");
    assert!(x.get("default").is_none() && x.get("source").is_none());
}

#[test]
fn locals_follow_locals_and_variables_and_cycles_are_unknown() {
    let text = "variable \"env\" {\n  default = \"prod\"\n}\nlocals {\n  full = \"${local.base}-app\"\n  base = \"sm-${var.env}\"\n  a = local.b\n  b = local.a\n  c = local.a\n}\nresource \"t\" \"r\" {\n  full = local.full\n  cyc = local.c\n}\n";
    let doc = module(&[("main.tf", text)], &Inputs::new());
    let r = resource(&doc, "t.r");
    assert_eq!(render(at(r, "attributes.full")), "\"sm-prod-app\"");
    assert_eq!(at(r, "attributes.cyc").kind(), NodeKind::Unknown);
    assert!(at(r, "attributes.cyc").value().contains("cycle"), "{}", at(r, "attributes.cyc").value());
    let names: Vec<_> = at(doc.root(), "locals").children().map(|l| render(at(l, "name"))).collect();
    assert_eq!(names, ["\"full\"", "\"base\"", "\"a\"", "\"b\"", "\"c\""]);
}

#[test]
fn a_long_chain_of_locals_and_deep_expressions_do_not_overflow() {
    let mut text = String::from("locals {\n  l0 = 1\n");
    for i in 1..400 {
        writeln!(text, "  l{i} = [local.l{}]", i - 1).unwrap();
    }
    text.push_str("}\nresource \"t\" \"r\" {\n  v = local.l399\n");
    writeln!(text, "  deep = {}1{}\n}}", "[".repeat(60), "]".repeat(60)).unwrap();
    let doc = module(&[("main.tf", &text)], &Inputs::new());
    let r = resource(&doc, "t.r");
    assert!(r.get("attributes").is_some());
    let mut n = at(r, "attributes.deep");
    for _ in 0..60 {
        n = at(n, "0");
    }
    assert_eq!(n.value(), "1");
}

#[test]
fn literals_templates_and_heredocs() {
    assert_eq!(eval("null"), "null");
    assert_eq!(eval("1.5"), "1.5");
    assert_eq!(eval("[true, \"a\", { k = 1 }]"), "[true,\"a\",{k=1}]");
    assert_eq!(eval("\"${var.n}x${true}\""), "\"3xtrue\"");
    assert_eq!(eval("\"${local.list}\""), "[\"x\",\"y\",\"z\"]");
    assert_eq!(eval("\"$${literal}\""), "\"${literal}\"");
    assert_eq!(eval("<<EOT\nhello ${var.env}\nEOT"), "\"hello prod\\n\"");
    assert_eq!(eval("<<-EOT\n    a\n      b\n    EOT"), "\"a\\n  b\\n\"");
    assert!(eval("\"%{ if var.n > 1 }many%{ endif }\"").starts_with("?(template directives"));
    assert!(eval("\"a${local.list}\"").starts_with("?(a list cannot be used as a string"));
}

#[test]
fn operators_conditionals_and_indexing() {
    assert_eq!(eval("var.n * 2 + 1"), "7");
    assert_eq!(eval("10 / 4"), "2.5");
    assert_eq!(eval("7 % 3"), "1");
    assert_eq!(eval("-var.n"), "-3");
    assert_eq!(eval("!(var.n > 2)"), "false");
    assert_eq!(eval("var.n >= 3 && var.env == \"prod\""), "true");
    assert_eq!(eval("var.n < 3 || var.env != \"prod\""), "false");
    assert_eq!(eval("var.env == \"prod\" ? \"big\" : \"small\""), "\"big\"");
    assert_eq!(eval("local.list[1]"), "\"y\"");
    assert_eq!(eval("local.list.2"), "\"z\"");
    assert_eq!(eval("local.m[\"b\"]"), "\"two\"");
    assert_eq!(eval("local.m.a"), "1");
    assert_eq!(eval("[for s in local.list : upper(s) if s != \"y\"]"), "[\"X\",\"Z\"]");
    assert_eq!(eval("{ for k, v in local.m : k => v }"), "{a=1,b=\"two\"}");
    assert_eq!(eval("1 / 0"), "?(division by zero)");
    assert!(eval("local.m.missing").starts_with("?(the object has no attribute"));
    assert!(eval("local.list[5]").starts_with("?(index 5 is out of range"));
    assert!(eval("\"a\" + 1").starts_with("?(cannot convert \"a\" to a number"));
    assert!(eval("local.list[*]").starts_with("?(splat"));
}

#[test]
fn unknowns_are_contagious_and_name_what_they_depend_on() {
    assert_eq!(eval("aws_subnet.private_a.id"), "?(aws_subnet.private_a.id (known after apply))");
    assert_eq!(eval("data.aws_ami.ubuntu.id"), "?(data.aws_ami.ubuntu.id (known after apply))");
    assert!(eval("module.net.vpc_id").starts_with("?(module.net.vpc_id (an output of module net"));
    assert_eq!(eval("\"arn:${aws_s3_bucket.b.arn}/*\""), "?(aws_s3_bucket.b.arn (known after apply))");
    assert_eq!(eval("aws_instance.a.count + 1"), "?(aws_instance.a.count (known after apply))");
    assert_eq!(eval("upper(aws_instance.a.id)"), "?(aws_instance.a.id (known after apply))");
    assert_eq!(eval("aws_instance.a.public ? 1 : 2"), "?(aws_instance.a.public (known after apply))");
    // A known operand can decide a logical operator on its own.
    assert_eq!(eval("false && aws_instance.a.on"), "false");
    assert_eq!(eval("true || aws_instance.a.on"), "true");
    // Lists with an unknown element are known lists.
    assert_eq!(eval("[1, aws_instance.a.id]"), "[1,?(aws_instance.a.id (known after apply))]");
    assert_eq!(eval("length([1, aws_instance.a.id])"), "2");
    assert_eq!(eval("count.index"), "?(count.index (one value per instance))");
    assert_eq!(eval("each.value"), "?(each.value (one value per instance))");
    assert_eq!(eval("path.module"), "\".\"");
    assert!(eval("terraform.workspace").starts_with("?(terraform.workspace"));
    assert_eq!(eval("file(\"x\")"), "?(function file is not evaluated)");
}

#[test]
fn functions_are_evaluated_as_terraform_does() {
    let cases = [
        ("lookup(local.m, \"a\")", "1"),
        ("lookup(local.m, \"zz\", \"d\")", "\"d\""),
        ("merge(local.m, { b = 2, c = 3 })", "{a=1,b=2,c=3}"),
        ("concat(local.list, [\"w\"])", "[\"x\",\"y\",\"z\",\"w\"]"),
        ("format(\"%s-%d-%v-%05.1f%%\", \"a\", 7, true, 3.14159)", "\"a-7-true-003.1%\""),
        ("format(\"%q\", \"x\")", "\"\\\"x\\\"\""),
        ("join(\",\", local.list)", "\"x,y,z\""),
        ("split(\",\", \"a,b\")", "[\"a\",\"b\"]"),
        ("tostring(12)", "\"12\""),
        ("tonumber(\"12.5\")", "12.5"),
        ("tobool(\"true\")", "true"),
        ("tolist([1, 2])", "[1,2]"),
        ("toset([\"b\", \"a\", \"b\"])", "[\"a\",\"b\"]"),
        ("coalesce(null, \"\", \"x\")", "\"x\""),
        ("try(local.m.nope, \"fallback\")", "\"fallback\""),
        ("try(local.m.a, \"fallback\")", "1"),
        ("can(local.m.nope)", "false"),
        ("can(local.m.a)", "true"),
        ("length(\"héllo\")", "5"),
        ("length(local.m)", "2"),
        ("lower(\"AbC\")", "\"abc\""),
        ("upper(\"AbC\")", "\"ABC\""),
        ("contains(local.list, \"y\")", "true"),
        ("contains(local.list, \"q\")", "false"),
        ("keys({ b = 1, a = 2 })", "[\"a\",\"b\"]"),
        ("values({ b = 1, a = 2 })", "[2,1]"),
        ("element(local.list, 4)", "\"y\""),
        ("min(3, 1, 2)", "1"),
        ("max(3, 1, 2)", "3"),
        (
            "\"=${jsonencode({ b = [1, true, null], a = \"<x>\" })}\"",
            "\"={\\\"a\\\":\\\"\\\\u003cx\\\\u003e\\\",\\\"b\\\":[1,true,null]}\"",
        ),
        ("jsondecode(\"{\\\"a\\\": [1, \\\"x\\\"]}\")", "{a=[1,\"x\"]}"),
    ];
    for (expr, expected) in cases {
        assert_eq!(eval(expr), expected, "{expr}");
    }
    // Unknown arguments: try cannot decide yet, can neither; errors are not unknown values.
    assert_eq!(eval("try(aws_x.y.z, 1)"), "?(aws_x.y.z (known after apply))");
    assert_eq!(eval("can(aws_x.y.z)"), "?(aws_x.y.z (known after apply))");
    assert_eq!(
        eval("jsonencode([aws_x.y.z])"),
        "[?(aws_x.y.z (known after apply))]",
        "shown as its structure"
    );
    assert!(eval("tonumber(\"abc\")").starts_with("?(cannot convert"));
    assert!(eval("jsondecode(\"{\")").starts_with("?(jsondecode:"));
    assert!(eval("format(\"%s\")").starts_with("?(format: not enough"));
}

#[test]
fn resources_count_for_each_data_modules_outputs_providers_and_terraform() {
    let text = r#"
terraform {
  backend "s3" {
    bucket = "state"
  }
}
provider "aws" {
  region = "eu-west-1"
}
resource "aws_instance" "web" {
  count    = 2
  ami      = data.aws_ami.ubuntu.id
  dynamic "ebs_block_device" {
    for_each = var.disks
    content {
      device_name = ebs_block_device.value
    }
  }
  lifecycle {
    prevent_destroy = true
  }
}
resource "aws_s3_bucket" "b" {
  for_each = toset(["a", "b"])
  bucket   = "x"
}
data "aws_ami" "ubuntu" {
  most_recent = true
}
module "net" {
  source = "./modules/net"
  cidr   = "10.0.0.0/16"
}
output "ip" {
  value = aws_instance.web[0].public_ip
}
"#;
    let doc = module(&[("main.tf", text)], &Inputs::new());
    let web = resource(&doc, "aws_instance.web[1]");
    assert_eq!(render(at(web, "count")), "2");
    assert!(at(web, "attributes").get("count").is_none());
    let dynamic = at(web, "attributes.ebs_block_device.0");
    assert_eq!(dynamic.kind(), NodeKind::Unknown);
    assert_eq!(dynamic.value(), "dynamic block ebs_block_device is not expanded: var.disks is not declared");
    assert_eq!(render(at(web, "attributes.lifecycle.0.prevent_destroy")), "true");
    assert_eq!(render(at(resource(&doc, "aws_s3_bucket.b[\"a\"]"), "for_each")), "[\"a\",\"b\"]");
    let ami = at(doc.root(), "data.0");
    assert_eq!(render(at(ami, "address")), "\"data.aws_ami.ubuntu\"");
    assert_eq!(render(at(ami, "mode")), "\"data\"");
    let net = at(doc.root(), "modules.0");
    assert_eq!(render(at(net, "source")), "\"./modules/net\"");
    assert_eq!(render(at(net, "arguments")), "{cidr=\"10.0.0.0/16\"}");
    let ip = at(doc.root(), "outputs.0");
    assert_eq!(render(at(ip, "attributes.value")), "?(aws_instance.web[0].public_ip (known after apply))");
    assert_eq!(render(at(doc.root(), "providers.0.attributes.region")), "\"eu-west-1\"");
    let backend = at(doc.root(), "terraform.0.attributes.backend.0");
    assert_eq!(render(at(backend, "labels")), "[\"s3\"]");
    assert_eq!(render(at(backend, "bucket")), "\"state\"");
}

fn storymagic() -> Document {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/terraform/parser/storymagic");
    let read = |name: &str| match std::fs::read_to_string(format!("{dir}/{name}")) {
        Ok(text) => file(name, &text),
        Err(e) => panic!("{name}: {e}"),
    };
    let mut inputs = Inputs::new();
    inputs.add_tfvars(&read("terraform.tfvars")).unwrap();
    let files = vec![read("main.tf"), read("network.tf"), read("variables.tf")];
    match parse_module(files, &inputs) {
        Ok(doc) => doc,
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn the_storymagic_module_resolves_what_terraform_knows() {
    let doc = storymagic();
    let paths: Vec<_> = doc.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["main.tf", "network.tf", "variables.tf", "terraform.tfvars"]);
    let logs = resource(&doc, "aws_cloudwatch_log_group.app");
    let retention = at(logs, "attributes.retention_in_days");
    assert_eq!((retention.kind(), retention.value()), (NodeKind::Number, "30"));
    assert_eq!(slice(&doc, retention), "var.log_retention_days");
    assert_eq!(render(at(logs, "attributes.name")), "\"/ecs/storymagic-production\"");
    let db = resource(&doc, "aws_db_instance.main");
    assert_eq!(render(at(db, "attributes.instance_class")), "\"db.r6g.large\"");
    assert_eq!(render(at(db, "attributes.multi_az")), "true");
    assert_eq!(render(at(db, "attributes.storage_encrypted")), "true");
    assert_eq!(
        at(db, "attributes.password").value(),
        "var.db_password has no default and no value was given"
    );
    assert_eq!(render(at(db, "attributes.tags")), "{Project=\"storymagic\",Environment=\"production\"}");
    let group = resource(&doc, "aws_db_subnet_group.main");
    assert_eq!(
        render(at(group, "attributes.subnet_ids")),
        "[?(aws_subnet.private_a.id (known after apply)),?(aws_subnet.private_b.id (known after apply))]"
    );
    let private_a = resource(&doc, "aws_subnet.private_a");
    assert_eq!(private_a.node().file, 1);
    assert_eq!(render(at(private_a, "attributes.cidr_block")), "\"10.0.11.0/24\"");
    assert_eq!(render(at(private_a, "attributes.availability_zone")), "\"us-east-1a\"");
    let public = resource(&doc, "aws_subnet.public_a");
    assert_eq!(render(at(public, "attributes.cidr_block")), "\"10.0.1.0/24\"");
    assert_eq!(
        render(at(resource(&doc, "aws_vpc.main"), "attributes.tags.Name")),
        "\"storymagic-production\""
    );
    let alb = resource(&doc, "aws_security_group.alb");
    let ingress = at(alb, "attributes.ingress");
    let ports: Vec<_> = ingress.children().map(|i| at(i, "from_port").value().to_owned()).collect();
    assert_eq!(ports, ["80", "443"]);
    let text = &doc.files[1].text;
    let second = at(ingress, "1.from_port");
    let line = text[..second.span().start as usize].lines().count();
    assert_eq!(line, 48, "the second ingress's from_port is on line 48 of network.tf");
    assert_eq!(render(at(ingress, "1.cidr_blocks")), "[\"0.0.0.0/0\"]");
    let listener = resource(&doc, "aws_lb_listener.https");
    assert_eq!(render(at(listener, "attributes.protocol")), "\"HTTPS\"");
    assert_eq!(at(listener, "attributes.certificate_arn").kind(), NodeKind::Unknown);
    assert_eq!(render(at(listener, "attributes.default_action.0.type")), "\"forward\"");
    let redis = resource(&doc, "aws_elasticache_replication_group.redis");
    assert_eq!(render(at(redis, "attributes.transit_encryption_enabled")), "true");
    assert_eq!(
        render(at(resource(&doc, "aws_s3_bucket.assets"), "attributes.bucket")),
        "\"storymagic-production-assets\""
    );
    let env = at(doc.root(), "variables.0");
    assert_eq!(render(at(env, "value")), "\"production\"");
    assert_eq!(at(env, "value").node().file, 3);
    assert_eq!(
        render(at(doc.root(), "terraform.0.attributes.backend.0.bucket")),
        "\"storymagic-terraform-state\""
    );
}

#[test]
fn syntax_errors_name_the_file_and_point_at_the_error() {
    let good = file("a.tf", "resource \"t\" \"r\" {}\n");
    let bad = file("b.tf", "resource \"t\" \"s\" {\n  x = = 1\n}\n");
    let err = parse_module_detailed(vec![Arc::clone(&good), Arc::clone(&bad)], &Inputs::new()).unwrap_err();
    assert_eq!(err.file, 1);
    assert_eq!(err.error.kind, crate::ParseErrorKind::Malformed);
    let offset = bad.text.find("= 1").unwrap() as u32;
    assert_eq!(err.error.span, Span::new(offset, offset + 1), "{}", err.error.message);
    let err = parse_module(vec![good, bad], &Inputs::new()).unwrap_err();
    assert!(err.message.starts_with("b.tf: "), "{}", err.message);
    let unclosed = file("c.tf", "locals {\n  a = 1\n");
    let err = parse_module(vec![unclosed], &Inputs::new()).unwrap_err();
    assert!(err.span.end as usize <= "locals {\n  a = 1\n".len());
    assert!(read_tfvars(&file("x.tfvars", "a = 1\nblock {}\n")).is_err());
    assert!(read_tfvars(&file("x.tfvars", "a = \n")).is_err());
    assert!(parse_module(Vec::new(), &Inputs::new()).is_err());
}

#[test]
fn tfvars_files_are_applied_in_terraform_order_and_hold_literals_only() {
    let names = ["b.auto.tfvars", "terraform.tfvars", "a.auto.tfvars", "main.tf", "prod.tfvars"];
    assert_eq!(auto_tfvars(&names), [1, 2, 0]);
    let names = ["b.auto.tfvars", "terraform.tfvars.json", "a.auto.tfvars.json", "terraform.tfvars"];
    assert_eq!(auto_tfvars(&names), [3, 1, 2, 0], "JSON files in the same order as Terraform");
    let text = "{\n  \"days\": 30,\n  \"tags\": {\"team\": \"core\"}\n}";
    let json = read_tfvars(&file("terraform.tfvars.json", text)).unwrap();
    assert_eq!(json.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["days", "tags"]);
    let InputOrigin::File { name_span, value_span, .. } = &json[0].origin else { panic!("from a file") };
    assert_eq!(
        (
            &text[name_span.start as usize..name_span.end as usize],
            &text[value_span.start as usize..value_span.end as usize]
        ),
        ("\"days\"", "30")
    );
    assert_eq!(json[1].value.get("team").and_then(Value::as_str), Some("core"));
    assert!(read_tfvars(&file("x.tfvars.json", "[1]")).is_err());
    assert!(read_tfvars(&file("x.tfvars.json", "{\"a\": ")).is_err());
    let values = read_tfvars(&file("t.tfvars", "a = [1, 2]\nb = \"x\"\n")).unwrap();
    assert_eq!(values.len(), 2);
    // As Terraform: a reference in a variables file is an error at the reference.
    let text = "a = [1, 2]\nb = var.x\n";
    let error = read_tfvars(&file("t.tfvars", text)).expect_err("a reference");
    assert_eq!(&text[error.span.start as usize..error.span.end as usize], "var.x");
    assert_eq!(error.message, "b: var.x: references are not allowed here");
    let mut inputs = Inputs::new();
    assert!(inputs.add_var_arg("novalue").is_err());
    inputs.add_var_arg("x= spaced ").unwrap();
    assert_eq!(inputs.lookup("x").and_then(|(_, i)| i.value.as_str()), Some(" spaced "));
}

#[test]
fn a_byte_order_mark_keeps_spans_at_file_offsets() {
    let doc = module(&[("main.tf", "\u{feff}resource \"t\" \"r\" {\n  a = 1\n}\n")], &Inputs::new());
    assert_eq!(slice(&doc, at(resource(&doc, "t.r"), "attributes.a")), "1");
}

#[test]
fn truncated_and_mutated_modules_never_panic_and_keep_spans_in_bounds() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/terraform/parser/storymagic");
    let main = std::fs::read_to_string(format!("{dir}/main.tf")).unwrap();
    let network = std::fs::read_to_string(format!("{dir}/network.tf")).unwrap();
    let pieces =
        ["${", "}", "\"", "{", "[", "(", "local.", "var.", " ? ", "%{", "<<EOT\n", "\n", "é", "=", "..."];
    let mut parsed = 0;
    for (round, mutated) in crate::testing::mangled(&main, 10, &pieces, 700).iter().enumerate() {
        let files = vec![file("main.tf", mutated), file("network.tf", &network)];
        match parse_module(files, &Inputs::new()) {
            Ok(doc) => {
                parsed += 1;
                for node in doc.nodes() {
                    let len = doc.files[node.file as usize].text.len() as u32;
                    assert!(node.span.start <= node.span.end && node.span.end <= len, "round {round}");
                    if let Some(key) = node.key_span {
                        assert!(key.end <= len, "round {round}");
                    }
                }
            }
            Err(e) => assert!(e.span.end as usize <= mutated.len(), "round {round}: {e:?}"),
        }
    }
    assert!(parsed > 50, "only {parsed} mutations parsed");
}

#[test]
fn locals_that_double_each_other_run_out_of_budget_instead_of_memory() {
    let mut text = String::from("locals {\n  d0 = [\"x\"]\n");
    for i in 1..64 {
        writeln!(text, "  d{i} = concat(local.d{0}, local.d{0})", i - 1).unwrap();
    }
    text.push_str("  s0 = \"ab\"\n");
    for i in 1..64 {
        writeln!(text, "  s{i} = \"${{local.s{0}}}${{local.s{0}}}\"", i - 1).unwrap();
    }
    text.push_str("}\nresource \"t\" \"r\" {\n  d = length(local.d63)\n  s = local.s63\n}\n");
    let doc = module(&[("main.tf", &text)], &Inputs::new());
    let r = resource(&doc, "t.r");
    assert_eq!(at(r, "attributes.d").kind(), NodeKind::Unknown);
    assert_eq!(at(r, "attributes.s").kind(), NodeKind::Unknown);
    assert!(doc.nodes().len() < 3_000_000, "{} nodes", doc.nodes().len());
}

/// The addresses of the resource entries, in document order.
fn addresses(doc: &Document) -> Vec<String> {
    at(doc.root(), "resources").children().map(|r| at(r, "address").value().to_owned()).collect()
}

/// The origin of a node as (file path, source text, message).
fn origin_of(doc: &Document, node: NodeRef<'_>) -> Option<(String, String, String)> {
    let origin = doc.origin(node.id())?;
    let file = &doc.files[origin.file as usize];
    let text = file.text[origin.span.start as usize..origin.span.end as usize].to_owned();
    Some((file.path.clone(), text, origin.message.clone()))
}

#[test]
fn count_and_for_each_expand_into_instances_with_their_index_and_key() {
    let text = r#"
variable "azs" {
  default = ["eu-west-1a", "eu-west-1b"]
}
variable "unknown_n" {}
resource "aws_subnet" "private" {
  count             = length(var.azs)
  availability_zone = var.azs[count.index]
  cidr_block        = "10.0.${count.index + 10}.0/24"
}
resource "aws_instance" "off" {
  count = 0
}
resource "aws_instance" "maybe" {
  count = var.unknown_n
  name  = "n-${count.index}"
}
resource "aws_lb_listener" "l" {
  for_each = { web = 80, api = 8080 }
  port     = each.value
  name     = each.key
}
resource "aws_s3_bucket" "b" {
  for_each = toset(["logs", "assets"])
  bucket   = "corp-${each.key}"
}
"#;
    let doc = module(&[("main.tf", text)], &Inputs::new());
    assert_eq!(
        addresses(&doc),
        [
            "aws_subnet.private[0]",
            "aws_subnet.private[1]",
            "aws_instance.maybe",
            "aws_lb_listener.l[\"web\"]",
            "aws_lb_listener.l[\"api\"]",
            "aws_s3_bucket.b[\"assets\"]",
            "aws_s3_bucket.b[\"logs\"]",
        ],
        "count = 0 creates nothing; an unknown count is written once"
    );
    let second = resource(&doc, "aws_subnet.private[1]");
    assert_eq!(render(at(second, "index")), "1");
    assert_eq!(slice(&doc, at(second, "index")), "length(var.azs)");
    assert_eq!(render(at(second, "attributes.availability_zone")), "\"eu-west-1b\"");
    assert_eq!(render(at(second, "attributes.cidr_block")), "\"10.0.11.0/24\"");
    assert_eq!(render(at(second, "count")), "2");
    let maybe = resource(&doc, "aws_instance.maybe");
    assert!(render(at(maybe, "count")).starts_with("?(var.unknown_n has no default"));
    assert_eq!(render(at(maybe, "attributes.name")), "?(count.index (one value per instance))");
    let api = resource(&doc, "aws_lb_listener.l[\"api\"]");
    assert_eq!(render(at(api, "key")), "\"api\"");
    assert_eq!(
        (render(at(api, "attributes.port")), render(at(api, "attributes.name"))),
        ("8080".into(), "\"api\"".into())
    );
    assert_eq!(slice(&doc, at(api, "attributes.port")), "each.value");
    assert_eq!(render(at(resource(&doc, "aws_s3_bucket.b[\"logs\"]"), "attributes.bucket")), "\"corp-logs\"");
}

#[test]
fn dynamic_blocks_expand_with_their_iterator_and_keep_spans() {
    let text = r#"
variable "unset" {}
locals {
  rules = [{ port = 443, cidr = "0.0.0.0/0" }, { port = 22, cidr = "10.0.0.0/8" }]
}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = local.rules
    content {
      from_port   = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
      description = "rule ${ingress.key}"
    }
  }
  ingress {
    from_port = 80
  }
  dynamic "egress" {
    for_each = var.unset
    iterator = rule
    content {
      from_port = rule.value
    }
  }
  dynamic "setting" {
    for_each = { a = 1 }
    iterator = s
    labels   = [s.key]
    content {
      value = s.value
    }
  }
}
"#;
    let doc = module(&[("main.tf", text)], &Inputs::new());
    let sg = resource(&doc, "aws_security_group.sg");
    assert_eq!(
        render(at(sg, "attributes.ingress")),
        "[{from_port=443,cidr_blocks=[\"0.0.0.0/0\"],description=\"rule 0\"},\
         {from_port=22,cidr_blocks=[\"10.0.0.0/8\"],description=\"rule 1\"},{from_port=80}]"
    );
    assert_eq!(slice(&doc, at(sg, "attributes.ingress.1.from_port")), "ingress.value.port");
    assert_eq!(slice(&doc, at(sg, "attributes.ingress.2.from_port")), "80");
    let egress = render(at(sg, "attributes.egress"));
    assert!(
        egress.starts_with("[?(dynamic block egress is not expanded: var.unset has no default"),
        "{egress}"
    );
    assert_eq!(render(at(sg, "attributes.setting")), "[{labels=[\"a\"],value=1}]");
}

#[test]
fn values_from_variables_and_locals_remember_where_they_were_set() {
    let vars = "variable \"days\" {\n  default = 7\n}\nvariable \"tags\" {\n  default = {\n    team = \"core\"\n  }\n}\nvariable \"env\" {\n  default = \"prod\"\n}\n";
    let main = "locals {\n  bucket = \"corp-assets\"\n}\nresource \"aws_cloudwatch_log_group\" \"g\" {\n  retention_in_days = var.days\n  tags              = var.tags\n  name              = \"${var.env}-logs\"\n  bucket            = local.bucket\n  literal           = 5\n}\n";
    let tfvars = file("terraform.tfvars", "# production\ndays = 30\n");
    let mut inputs = Inputs::new();
    inputs.add_tfvars(&tfvars).unwrap();
    let doc = module(&[("main.tf", main), ("variables.tf", vars)], &inputs);
    let g = resource(&doc, "aws_cloudwatch_log_group.g");
    let days = at(g, "attributes.retention_in_days");
    assert_eq!((render(days), slice(&doc, days)), ("30".into(), "var.days"));
    assert_eq!(
        origin_of(&doc, days),
        Some(("terraform.tfvars".into(), "30".into(), "var.days is set here (terraform.tfvars)".into()))
    );
    let team = at(g, "attributes.tags.team");
    assert_eq!(slice(&doc, team), "var.tags", "a part of a variable's value is shown where it is used");
    assert_eq!(
        origin_of(&doc, team),
        Some((
            "variables.tf".into(),
            "\"core\"".into(),
            "var.tags takes this default (no value was given)".into()
        ))
    );
    let name = at(g, "attributes.name");
    assert_eq!(render(name), "\"prod-logs\"");
    assert_eq!(origin_of(&doc, name).map(|o| o.1), Some("\"prod\"".into()));
    let bucket = at(g, "attributes.bucket");
    assert_eq!(
        origin_of(&doc, bucket),
        Some(("main.tf".into(), "\"corp-assets\"".into(), "local.bucket is defined here".into()))
    );
    assert_eq!(origin_of(&doc, at(g, "attributes.literal")), None);
    // The variable's own entries are where they are written: no origin pointing at themselves.
    let days_var = at(doc.root(), "variables.0");
    assert_eq!(origin_of(&doc, at(days_var, "default")), None);
    assert_eq!(origin_of(&doc, at(days_var, "value")), None);
}

#[test]
fn json_inside_hcl_is_navigable_structure_with_spans() {
    let text = r#"
variable "user" {}
resource "aws_ecs_task_definition" "heredoc" {
  container_definitions = <<EOF
[
  {"name": "app", "user": "root", "portMappings": [{"containerPort": 80}]}
]
EOF
}
resource "aws_ecs_task_definition" "encoded" {
  container_definitions = jsonencode([
    { name = "app", user = var.user, privileged = true }
  ])
}
resource "aws_iam_policy" "escaped" {
  policy = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\"}]}"
}
resource "aws_iam_policy" "broken" {
  policy = "{\"Statement\": "
}
"#;
    let doc = module(&[("main.tf", text)], &Inputs::new());
    let heredoc = at(resource(&doc, "aws_ecs_task_definition.heredoc"), "attributes.container_definitions");
    assert_eq!(heredoc.kind(), NodeKind::List);
    let user = at(heredoc, "0.user");
    assert_eq!((user.as_str(), slice(&doc, user)), (Some("root"), "\"root\""));
    assert_eq!(key_slice(&doc, user), "\"user\"");
    assert_eq!(render(at(heredoc, "0.portMappings.0.containerPort")), "80");
    let encoded = at(resource(&doc, "aws_ecs_task_definition.encoded"), "attributes.container_definitions");
    assert_eq!(
        render(encoded),
        "[{name=\"app\",user=?(var.user has no default and no value was given),privileged=true}]",
        "an unknown part leaves the rest known"
    );
    assert_eq!(slice(&doc, at(encoded, "0.privileged")), "true");
    let escaped = at(resource(&doc, "aws_iam_policy.escaped"), "attributes.policy");
    assert_eq!(render(at(escaped, "Statement.0.Action")), "\"*\"");
    assert!(
        slice(&doc, at(escaped, "Statement.0.Action")).starts_with("\"{\\\"Statement"),
        "escaped text: the attribute"
    );
    let broken = at(resource(&doc, "aws_iam_policy.broken"), "attributes.policy");
    assert_eq!(broken.kind(), NodeKind::String, "text that is not JSON stays text");
}

/// Local modules from memory: directory -> files.
struct MemoryLoader(Vec<(&'static str, &'static str, &'static str)>);

impl Loader for MemoryLoader {
    fn load(&self, dir: &str) -> Result<Vec<Arc<SourceFile>>, String> {
        let files: Vec<_> = self
            .0
            .iter()
            .filter(|(d, ..)| *d == dir)
            .map(|(d, name, text)| file(&format!("{d}/{name}"), text))
            .collect();
        if files.is_empty() { Err("no such directory".to_owned()) } else { Ok(files) }
    }
}

#[test]
fn local_modules_are_loaded_with_their_arguments_and_remote_ones_noticed() {
    let root = r#"variable "env" {
  default = "prod"
}
resource "aws_flow_log" "f" {
  cidr   = module.network.cidr
  vpc_id = module.network.vpc_id
  name   = module.network.name
  tags   = module.network.nothing
}
module "network" {
  source = "./modules/network"
  cidr   = "10.0.0.0/16"
  name   = "${var.env}-vpc"
}
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
}
module "loop" {
  source = "./modules/loop"
}
module "missing" {
  source = "./nope"
}
"#;
    let loader = MemoryLoader(vec![
        (
            "modules/network",
            "main.tf",
            "variable \"cidr\" {}\nvariable \"name\" {}\nvariable \"azs\" {\n  default = [\"a\", \"b\"]\n}\nresource \"aws_vpc\" \"this\" {\n  cidr_block = var.cidr\n  tags = {\n    Name = var.name\n  }\n}\nresource \"aws_subnet\" \"private\" {\n  count      = length(var.azs)\n  vpc_id     = aws_vpc.this.id\n  cidr_block = cidrsubnet(var.cidr, 8, count.index)\n}\noutput \"cidr\" {\n  value = var.cidr\n}\noutput \"vpc_id\" {\n  value = aws_vpc.this.id\n}\noutput \"name\" {\n  value = upper(var.name)\n}\n",
        ),
        ("modules/loop", "main.tf", "module \"again\" {\n  source = \"../loop\"\n}\n"),
    ]);
    let parsed = parse_module_tree(vec![file("main.tf", root)], &Inputs::new(), Some(&loader)).unwrap();
    let doc = &parsed.document;
    assert_eq!(
        addresses(doc),
        [
            "module.network.aws_vpc.this",
            "module.network.aws_subnet.private[0]",
            "module.network.aws_subnet.private[1]",
            "aws_flow_log.f"
        ]
    );
    // The module's outputs are known where they can be, before or after the module block.
    let flow = resource(doc, "aws_flow_log.f");
    let cidr = at(flow, "attributes.cidr");
    assert_eq!((render(cidr), slice(doc, cidr)), ("\"10.0.0.0/16\"".into(), "module.network.cidr"));
    let passed_on = origin_of(doc, cidr).map(|o| o.2);
    assert_eq!(passed_on, Some("module network sets var.cidr here".into()), "passed through");
    assert_eq!(render(at(flow, "attributes.vpc_id")), "?(aws_vpc.this.id (known after apply))");
    let name = at(flow, "attributes.name");
    assert_eq!(render(name), "\"PROD-VPC\"");
    let (path, text, message) = origin_of(doc, name).expect("an origin");
    assert_eq!(
        (path.as_str(), text.as_str(), message.as_str()),
        ("modules/network/main.tf", "upper(var.name)", "output name of module.network is computed here")
    );
    assert!(render(at(flow, "attributes.tags")).contains("no attribute \"nothing\""));
    let vpc = resource(doc, "module.network.aws_vpc.this");
    assert_eq!(render(at(vpc, "module")), "\"module.network\"");
    let cidr = at(vpc, "attributes.cidr_block");
    assert_eq!(
        (render(cidr), doc.files[cidr.node().file as usize].path.as_str()),
        ("\"10.0.0.0/16\"".into(), "modules/network/main.tf")
    );
    assert_eq!(slice(doc, cidr), "var.cidr");
    assert_eq!(
        origin_of(doc, cidr),
        Some(("main.tf".into(), "\"10.0.0.0/16\"".into(), "module network sets var.cidr here".into()))
    );
    let name = at(vpc, "attributes.tags.Name");
    assert_eq!(render(name), "\"prod-vpc\"");
    assert_eq!(
        origin_of(doc, name).map(|o| (o.0, o.1)),
        Some(("main.tf".into(), "\"prod\"".into())),
        "passed on: where it was set"
    );
    let network_call = at(doc.root(), "modules")
        .children()
        .find(|m| at(*m, "name").as_str() == Some("network"))
        .expect("the network call");
    assert_eq!(render(at(network_call, "directory")), "\"modules/network\"");
    let cidr_var = at(doc.root(), "variables")
        .children()
        .find(|v| at(*v, "name").as_str() == Some("cidr"))
        .expect("the module's variable is listed");
    assert_eq!(render(at(cidr_var, "source")), "\"module network\"");
    assert_eq!(render(at(cidr_var, "module")), "\"module.network\"");
    assert_eq!(parsed.loaded, ["modules/network", "modules/loop", "nope"]);
    let notices: Vec<&str> = parsed.notices.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert!(
        notices[0].starts_with("module vpc: the source \"terraform-aws-modules/vpc/aws\" is not fetched")
    );
    assert!(notices[1].starts_with("module again: ../loop calls a module that is already being read"));
    assert_eq!(parsed.errors.len(), 1);
    let missing = &parsed.errors[0];
    assert_eq!(
        (missing.file.path.as_str(), missing.message.as_str()),
        ("main.tf", "module missing: could not read ./nope: no such directory")
    );
    assert_eq!(&root[missing.span.start as usize..missing.span.end as usize], "\"./nope\"");
}

#[test]
fn module_directories_join_lexically() {
    assert_eq!(join_dir("", "./modules/net"), "modules/net");
    assert_eq!(join_dir("modules/net", "../shared/./logs"), "modules/shared/logs");
    assert_eq!(join_dir("", "../up"), "../up");
    assert_eq!(join_dir("a", "../../b"), "../b");
    assert_eq!(join_dir("/srv/live", "../modules/net"), "/srv/modules/net");
}

/// The seed fixtures, read from disk as `rampart scan` reads them.
struct Seeds {
    root: std::path::PathBuf,
}

impl Seeds {
    fn new() -> Self {
        Self { root: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/terraform/seeds") }
    }

    fn files(&self, dir: &str, pick: impl Fn(&str) -> bool) -> Vec<Arc<SourceFile>> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| pick(n))
            .collect();
        names.sort();
        names
            .iter()
            .map(|n| {
                file(&format!("{dir}/{n}"), &std::fs::read_to_string(self.root.join(dir).join(n)).unwrap())
            })
            .collect()
    }

    /// A root module with its `terraform.tfvars`, `*.auto.tfvars` and any extra var files.
    fn module(&self, dir: &str, var_files: &[&str]) -> Parsed {
        let tf = self.files(dir, |n| has_extension(n, "tf"));
        let tfvars = self.files(dir, |n| has_extension(n, "tfvars"));
        let names: Vec<&str> = tfvars.iter().map(|f| f.path.rsplit('/').next().unwrap()).collect();
        let mut inputs = Inputs::new();
        let extra = var_files.iter().filter_map(|v| names.iter().position(|n| n == v));
        for index in auto_tfvars(&names).into_iter().chain(extra) {
            inputs.add_tfvars(&tfvars[index]).unwrap();
        }
        let loader = SeedLoader { seeds: self, dir: dir.to_owned() };
        let parsed = parse_module_tree(tf, &inputs, Some(&loader)).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        parsed
    }
}

struct SeedLoader<'s> {
    seeds: &'s Seeds,
    dir: String,
}

impl Loader for SeedLoader<'_> {
    fn load(&self, dir: &str) -> Result<Vec<Arc<SourceFile>>, String> {
        Ok(self.seeds.files(&join_dir(&self.dir, dir), |n| has_extension(n, "tf")))
    }
}

fn value_at(doc: &Document, address: &str, path: &str) -> String {
    render(at(resource(doc, address), path))
}

#[test]
fn the_storymagic_seed_resolves_through_tfvars_locals_jsonencode_and_its_network_module() {
    let parsed = Seeds::new().module("003-storymagic", &[]);
    let doc = &parsed.document;
    let api_logs = at(resource(doc, "aws_cloudwatch_log_group.api"), "attributes.retention_in_days");
    assert_eq!(render(api_logs), "30");
    let (path, text, _) = origin_of(doc, api_logs).expect("an origin");
    assert_eq!((path.as_str(), text.as_str()), ("003-storymagic/terraform.tfvars", "30"));
    assert_eq!(value_at(doc, "aws_cloudwatch_log_group.api", "attributes.name"), "\"/ecs/storymagic-api\"");
    let db = "aws_db_instance.main";
    assert_eq!(value_at(doc, db, "attributes.storage_encrypted"), "true");
    assert_eq!(value_at(doc, db, "attributes.publicly_accessible"), "false");
    assert_eq!(
        value_at(doc, db, "attributes.multi_az"),
        "true",
        "environment = production in terraform.tfvars"
    );
    assert_eq!(value_at(doc, db, "attributes.backup_retention_period"), "7");
    assert!(value_at(doc, db, "attributes.password").starts_with("?(var.db_password has no default"));
    assert_eq!(
        value_at(doc, "aws_lb_listener.https", "attributes.ssl_policy"),
        "\"ELBSecurityPolicy-TLS13-1-2-2021-06\""
    );
    assert_eq!(
        value_at(
            doc,
            "aws_cloudfront_distribution.main",
            "attributes.viewer_certificate.0.minimum_protocol_version"
        ),
        "\"TLSv1.2_2021\""
    );
    // jsonencode([...]) is navigable, and release.auto.tfvars beats terraform.tfvars.
    let container = at(resource(doc, "aws_ecs_task_definition.api"), "attributes.container_definitions.0");
    assert_eq!(render(at(container, "user")), "\"1000:1000\"");
    assert_eq!(slice(doc, at(container, "user")), "\"1000:1000\"");
    assert!(render(at(container, "image")).ends_with(":9f3c2e17\""), "{}", render(at(container, "image")));
    // The local network module, with the subnets it is given, one instance per zone.
    let private: Vec<String> =
        addresses(doc).into_iter().filter(|a| a.starts_with("module.network.aws_subnet.private")).collect();
    assert_eq!(
        private,
        [
            "module.network.aws_subnet.private[\"eu-central-1a\"]",
            "module.network.aws_subnet.private[\"eu-central-1b\"]"
        ]
    );
    let subnet = "module.network.aws_subnet.private[\"eu-central-1b\"]";
    assert_eq!(value_at(doc, subnet, "attributes.cidr_block"), "\"10.0.3.0/24\"");
    assert_eq!(parsed.loaded, ["modules/network"]);
    assert_eq!(parsed.notices.len(), 1, "the remote vpc-endpoints module");
}

#[test]
fn the_masterx_seed_reads_heredoc_json_and_passes_arguments_into_its_redis_module() {
    let parsed = Seeds::new().module("000-masterx", &[]);
    let doc = &parsed.document;
    let backend = at(resource(doc, "aws_ecs_task_definition.backend"), "attributes.container_definitions.0");
    assert_eq!(render(at(backend, "essential")), "true");
    assert!(
        render(at(backend, "image")).ends_with("masterx-backend:2.4.1\""),
        "{}",
        render(at(backend, "image"))
    );
    let worker = at(resource(doc, "aws_ecs_task_definition.worker"), "attributes.container_definitions.0");
    assert_eq!(render(at(worker, "user")), "\"appuser\"", "an indented <<-EOT heredoc is read too");
    let redis = "module.cache.aws_elasticache_replication_group.this";
    let transit = at(resource(doc, redis), "attributes.transit_encryption_enabled");
    assert_eq!(render(transit), "false", "the caller's argument, not the module's default");
    let (path, text, message) = origin_of(doc, transit).expect("an origin");
    assert_eq!((path.as_str(), text.as_str()), ("000-masterx/cache.tf", "false"));
    assert_eq!(message, "module cache sets var.transit_encryption_enabled here");
    assert_eq!(
        value_at(doc, "aws_lb_listener.https", "attributes.ssl_policy"),
        "\"ELBSecurityPolicy-2016-08\""
    );
}

#[test]
fn the_mingus_seed_follows_a_conditional_local_and_a_staging_var_file() {
    let seeds = Seeds::new();
    let production = seeds.module("004-mingus", &[]);
    let retention = "attributes.backup_retention_period";
    assert_eq!(value_at(&production.document, "aws_db_instance.primary", retention), "30");
    assert_eq!(value_at(&production.document, "aws_db_instance.replica", retention), "0");
    let staging = seeds.module("004-mingus", &["staging.tfvars"]);
    assert_eq!(value_at(&staging.document, "aws_db_instance.primary", retention), "7");
    assert_eq!(value_at(&staging.document, "aws_db_instance.primary", "attributes.multi_az"), "false");
}

#[test]
fn the_ai_community_seed_reads_its_postgres_module_and_release_tfvars() {
    let parsed = Seeds::new().module("002-ai-community", &[]);
    let doc = &parsed.document;
    let db = "module.database.aws_db_instance.this";
    assert_eq!(value_at(doc, db, "attributes.backup_retention_period"), "7", "the spec's 7-day retention");
    assert_eq!(value_at(doc, db, "attributes.multi_az"), "true");
    assert_eq!(
        value_at(doc, "module.database.aws_db_parameter_group.this", "attributes.family"),
        "\"postgres16\""
    );
    let app_logs = at(resource(doc, "aws_cloudwatch_log_group.app"), "attributes.retention_in_days");
    assert_eq!(render(app_logs), "30");
    assert_eq!(origin_of(doc, app_logs).map(|o| o.0), Some("002-ai-community/terraform.tfvars".into()));
    let container = at(resource(doc, "aws_ecs_task_definition.app"), "attributes.container_definitions.0");
    assert_eq!(render(at(container, "user")), "\"1001:1001\"");
    assert!(
        render(at(container, "image")).ends_with("/ai-community/app:7d3f9a2c\""),
        "release.auto.tfvars wins"
    );
    assert_eq!(
        value_at(doc, "aws_subnet.private[\"us-east-1b\"]", "attributes.cidr_block"),
        "\"10.20.11.0/24\""
    );
    let migrate = at(resource(doc, "aws_cloudwatch_log_group.migrate"), "attributes");
    assert!(migrate.get("retention_in_days").is_none(), "the deliberately non-compliant log group");
}

#[test]
fn meta_arguments_name_objects_instead_of_reading_them() {
    let text = "resource \"aws_ecs_service\" \"s\" {\n  provider   = aws.west\n  depends_on = [aws_iam_role.task, module.net]\n  lifecycle {\n    ignore_changes = [desired_count]\n  }\n}\n";
    let doc = module(&[("main.tf", text)], &Inputs::new());
    let s = resource(&doc, "aws_ecs_service.s");
    assert_eq!(render(at(s, "attributes.provider")), "\"aws.west\"");
    assert_eq!(render(at(s, "attributes.depends_on")), "[\"aws_iam_role.task\",\"module.net\"]");
    assert_eq!(slice(&doc, at(s, "attributes.depends_on.1")), "module.net");
    assert_eq!(render(at(s, "attributes.lifecycle.0.ignore_changes")), "[\"desired_count\"]");
}

#[test]
fn blocks_with_the_wrong_number_of_labels_are_errors_not_silently_dropped() {
    let text = "resource \"aws_s3_bucket\" {\n  bucket = \"x\"\n}\nvariable {\n}\n";
    let parsed = parse_module_tree(vec![file("main.tf", text)], &Inputs::new(), None).unwrap();
    let errors: Vec<(String, &str)> = parsed
        .errors
        .iter()
        .map(|e| (e.message.clone(), &text[e.span.start as usize..e.span.end as usize]))
        .collect();
    assert_eq!(
        errors,
        [
            ("a resource block needs 2 labels, not 1: it is not read".to_owned(), "{"),
            ("a variable block needs 1 label, not 0: it is not read".to_owned(), "{"),
        ]
    );
}

fn has_extension(name: &str, extension: &str) -> bool {
    std::path::Path::new(name).extension().is_some_and(|e| e == extension)
}

#[test]
fn a_missing_brace_or_quote_is_reported_where_terraform_reports_it() {
    let error = |text: &str| {
        let error = parse_module(vec![file("main.tf", text)], &Inputs::new()).expect_err("a syntax error");
        let at = file("main.tf", text).location(error.span);
        (at.line, at.column, error.message)
    };
    let unclosed =
        "resource \"a\" \"b\" {\n  tags = { x = \"}\" } # }\n  c = <<EOT\n}\nEOT\n\nvariable \"v\" {\n}\n";
    let (line, column, message) = error(unclosed);
    assert_eq!((line, column), (1, 18));
    assert!(
        message
            .ends_with("this block is never closed: there is no `}` for this `{` before the end of the file")
    );
    let (line, column, message) = error("locals {\n  a = \"open\n  b = \"x\"\n}\n");
    assert_eq!((line, column), (2, 12));
    assert!(message.contains("this quoted string is not closed on its line"), "{message}");
    // Interpolations and escapes do not confuse the look.
    let (line, ..) = error("locals {\n  a = \"${join(\"}\", [\"\\\"\"])}\"\n  b = = 1\n}\n");
    assert_eq!(line, 3);
}

#[test]
fn json_syntax_files_join_the_module_with_spans_in_the_json() {
    let json = r#"{
  "variable": { "days": { "default": 7, "type": "number" } },
  "locals": { "prefix": "corp" },
  "resource": {
    "aws_s3_bucket": {
      "logs": {
        "bucket": "${local.prefix}-logs",
        "tags": { "Team": "core" },
        "versioning": { "enabled": true },
        "literal": "$${not_a_template}"
      }
    },
    "aws_subnet": { "p": { "count": 2, "cidr_block": "10.0.${count.index}.0/24" } }
  },
  "module": { "vpc": { "source": "terraform-aws-modules/vpc/aws" } }
}"#;
    let hcl = "resource \"aws_cloudwatch_log_group\" \"app\" {\n  retention_in_days = var.days\n  depends_on        = [aws_s3_bucket.logs]\n}\n";
    let files = vec![file("main.tf", hcl), file("main.tf.json", json)];
    let parsed = parse_module_tree(files, &Inputs::new(), None).unwrap();
    let doc = &parsed.document;
    let logs = resource(doc, "aws_s3_bucket.logs");
    assert_eq!(doc.files[logs.node().file as usize].path, "main.tf.json");
    let bucket = at(logs, "attributes.bucket");
    assert_eq!((render(bucket), slice(doc, bucket)), ("\"corp-logs\"".into(), "\"${local.prefix}-logs\""));
    assert_eq!(key_slice(doc, bucket), "\"bucket\"");
    assert_eq!(render(at(logs, "attributes.tags")), "{Team=\"core\"}", "a map attribute stays a map");
    let enabled = at(logs, "attributes.versioning.0.enabled");
    assert_eq!(
        (render(enabled), slice(doc, enabled)),
        ("true".into(), "true"),
        "an object is a nested block"
    );
    assert_eq!(render(at(logs, "attributes.literal")), "\"${not_a_template}\"");
    assert_eq!(slice(doc, at(logs, "type")), "\"aws_s3_bucket\"");
    assert_eq!(
        addresses(doc),
        ["aws_cloudwatch_log_group.app", "aws_s3_bucket.logs", "aws_subnet.p[0]", "aws_subnet.p[1]"]
    );
    assert_eq!(render(at(resource(doc, "aws_subnet.p[1]"), "attributes.cidr_block")), "\"10.0.1.0/24\"");
    // A variable declared in JSON, used in HCL: its origin points into the JSON.
    let days = at(resource(doc, "aws_cloudwatch_log_group.app"), "attributes.retention_in_days");
    assert_eq!(render(days), "7");
    assert_eq!(origin_of(doc, days).map(|o| (o.0, o.1)), Some(("main.tf.json".into(), "7".into())));
    assert_eq!(render(at(doc.root(), "variables.0.type")), "\"number\"");
    let notice = &parsed.notices[0];
    assert_eq!(
        &json[notice.span.start as usize..notice.span.end as usize],
        "\"terraform-aws-modules/vpc/aws\""
    );
}

#[test]
fn malformed_json_syntax_is_an_error_in_the_json_file() {
    let error = |json: &str| {
        let err = parse_module(vec![file("main.tf.json", json)], &Inputs::new()).expect_err("an error");
        (json[err.span.start as usize..err.span.end as usize].to_owned(), err.message)
    };
    assert_eq!(
        error("{\"resource\": [1,]}"),
        ("]".to_owned(), "main.tf.json: invalid JSON: unexpected character".to_owned())
    );
    assert_eq!(error("[1]").1, "main.tf.json: a .tf.json file holds a JSON object");
    let (text, message) = error("{\"resource\": {\"aws_s3_bucket\": {\"b\": {\"bucket\": \"${var.}\"}}}}");
    assert_eq!(text, "\"${var.}\"", "{message}");
    let (text, _) = error("{\"resource\": {\"aws_s3_bucket\": {\"b\": {\"bad name\": 1}}}}");
    assert_eq!(text, "\"bad name\"");
}

#[test]
fn a_cdktf_style_json_module_reads_like_its_hcl_equivalent() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/terraform/parser/json/main.tf.json");
    let text = std::fs::read_to_string(path).unwrap();
    let doc = module(&[("main.tf.json", &text)], &Inputs::new());
    assert_eq!(
        addresses(&doc),
        [
            "aws_s3_bucket.logs",
            "aws_s3_bucket_server_side_encryption_configuration.logs",
            "aws_cloudwatch_log_group.app[0]",
            "aws_security_group.web"
        ]
    );
    assert_eq!(value_at(&doc, "aws_s3_bucket.logs", "attributes.bucket"), "\"corp-production-logs\"");
    assert_eq!(
        value_at(&doc, "aws_s3_bucket.logs", "attributes.tags"),
        "{Environment=\"production\",ManagedBy=\"cdktf\"}"
    );
    let sse = "aws_s3_bucket_server_side_encryption_configuration.logs";
    let algorithm =
        at(resource(&doc, sse), "attributes.rule.0.apply_server_side_encryption_by_default.0.sse_algorithm");
    assert_eq!((render(algorithm), slice(&doc, algorithm)), ("\"aws:kms\"".into(), "\"aws:kms\""));
    let group = resource(&doc, "aws_cloudwatch_log_group.app[0]");
    assert_eq!(render(at(group, "attributes.retention_in_days")), "30");
    assert_eq!(render(at(group, "attributes.depends_on")), "[\"aws_s3_bucket.logs\"]");
    assert_eq!(render(at(group, "attributes.lifecycle.0.ignore_changes")), "[\"tags\"]");
    let ingress = at(resource(&doc, "aws_security_group.web"), "attributes.ingress");
    assert_eq!(ingress.children().map(|i| render(at(i, "from_port"))).collect::<Vec<_>>(), ["443", "80"]);
    assert_eq!(render(at(doc.root(), "terraform.0.attributes.backend.0.labels")), "[\"s3\"]");
}
