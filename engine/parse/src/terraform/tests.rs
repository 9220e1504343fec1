use super::*;
use std::fmt::Write as _;

use rampart_model::NodeRef;

fn file(path: &str, text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile::new(path, text))
}

fn module(files: &[(&str, &str)], inputs: &Inputs) -> Document {
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
fn at<'d>(node: NodeRef<'d>, path: &str) -> NodeRef<'d> {
    path.split('.').fold(node, |n, step| match step.parse::<usize>() {
        Ok(i) if n.kind() == NodeKind::List => {
            n.children().nth(i).unwrap_or_else(|| panic!("no item {step}"))
        }
        _ => n.get(step).unwrap_or_else(|| panic!("no key {step} in {path}")),
    })
}

fn resource<'d>(doc: &'d Document, address: &str) -> NodeRef<'d> {
    doc.root()
        .get("resources")
        .and_then(|l| l.children().find(|r| r.get("address").and_then(NodeRef::as_str) == Some(address)))
        .unwrap_or_else(|| panic!("no resource {address}"))
}

/// A compact rendering of a value node: `"s"`, `1`, `true`, `null`, `[..]`, `{k=..}`, `?(reason)`.
fn render(node: NodeRef<'_>) -> String {
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
fn eval(expr: &str) -> String {
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
            "jsonencode({ b = [1, true, null], a = \"<x>\" })",
            "\"{\\\"a\\\":\\\"\\\\u003cx\\\\u003e\\\",\\\"b\\\":[1,true,null]}\"",
        ),
        ("jsondecode(\"{\\\"a\\\": [1, \\\"x\\\"]}\")", "{a=[1,\"x\"]}"),
    ];
    for (expr, expected) in cases {
        assert_eq!(eval(expr), expected, "{expr}");
    }
    // Unknown arguments: try cannot decide yet, can neither; errors are not unknown values.
    assert_eq!(eval("try(aws_x.y.z, 1)"), "?(aws_x.y.z (known after apply))");
    assert_eq!(eval("can(aws_x.y.z)"), "?(aws_x.y.z (known after apply))");
    assert_eq!(eval("jsonencode([aws_x.y.z])"), "?(aws_x.y.z (known after apply))");
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
    let web = resource(&doc, "aws_instance.web");
    assert_eq!(render(at(web, "count")), "2");
    assert!(at(web, "attributes").get("count").is_none());
    let dynamic = at(web, "attributes.ebs_block_device.0");
    assert_eq!(dynamic.kind(), NodeKind::Unknown);
    assert_eq!(dynamic.value(), "dynamic block ebs_block_device is not expanded");
    assert_eq!(render(at(web, "attributes.lifecycle.0.prevent_destroy")), "true");
    assert_eq!(render(at(resource(&doc, "aws_s3_bucket.b"), "for_each")), "[\"a\",\"b\"]");
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
    assert_eq!(at(public, "attributes.cidr_block").value(), "function cidrsubnet is not evaluated");
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
    let values = read_tfvars(&file("t.tfvars", "a = [1, 2]\nb = var.x\n")).unwrap();
    assert_eq!(values.len(), 2);
    assert!(values[1].value.as_unknown().is_some_and(|u| u.error));
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
