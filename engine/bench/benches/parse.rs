//! `parse/<format>`: each parser on one committed file, and the Terraform module
//! `fixtures/terraform/seeds/003-storymagic` with its tfvars, alone
//! (`parse/terraform-module`) and with the local module it calls
//! (`parse/terraform-module-tree`, read from memory). Throughput is bytes of input.
//!
//! Each iteration makes a new `SourceFile` (sharing the text), parses it and drops the
//! document, as a scan does; there is no file IO in the timed part.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_bench::{COMPOSE, DOCKERFILE, ENV, Fixture, KUBERNETES, Module, TERRAFORM_MODULE};
use rampart_model::Format;

fn parsers(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (format, path) in [
        (Format::Dockerfile, DOCKERFILE),
        (Format::Env, ENV),
        (Format::Kubernetes, KUBERNETES),
        (Format::Compose, COMPOSE),
    ] {
        let fixture = Fixture::read(path).expect("the fixture is committed");
        // A parser that bailed out early would look fast: check it parses first.
        let nodes = rampart_parse::parse(format, fixture.source()).expect("the fixture parses").nodes().len();
        eprintln!("parse/{format}: {path}, {} bytes, {nodes} nodes", fixture.bytes());
        group.throughput(Throughput::Bytes(fixture.bytes()));
        group.bench_function(format.as_str(), |b| {
            b.iter(|| rampart_parse::parse(format, black_box(fixture.source())));
        });
    }

    let module = Module::read(TERRAFORM_MODULE).expect("the Terraform module is committed and parses");
    let root = module.parse().expect("the root module parses").nodes().len();
    let tree = module.parse_tree().expect("the module tree parses").nodes().len();
    eprintln!(
        "parse/terraform-module: {TERRAFORM_MODULE}, {} .tf and {} tfvars files, {} bytes, {root} nodes",
        module.files.len(),
        module.tfvars.len(),
        module.root_bytes(),
    );
    eprintln!(
        "parse/terraform-module-tree: with {:?}, {} bytes, {tree} nodes",
        module.called.keys().collect::<Vec<_>>(),
        module.tree_bytes(),
    );
    group.throughput(Throughput::Bytes(module.root_bytes()));
    group.bench_function("terraform-module", |b| b.iter(|| black_box(&module).parse()));
    group.throughput(Throughput::Bytes(module.tree_bytes()));
    group.bench_function("terraform-module-tree", |b| b.iter(|| black_box(&module).parse_tree()));
    group.finish();
}

criterion_group!(benches, parsers);
criterion_main!(benches);
