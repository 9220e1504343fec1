//! Plugin evaluation of one document, per format:
//!
//! - `prepare/<format>`: `PreparedDocument::new`, the host-side conversion of a parsed
//!   document to the plugin contract's representation, done once per document for all plugins;
//! - `evaluate/<format>/<plugin>`: one `Plugin::check` call of a built-in plugin that has an
//!   enabled rule for the format: copying the prepared document into the sandbox, the plugin's
//!   rules, and checking and locating the findings it returns.
//!
//! The built-in plugins are compiled once (no compiled-plugin cache: a few seconds) and
//! configured with their rules' defaults before anything is timed. Throughput is bytes of the
//! document's source text (the Terraform module tree: every file of it).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_bench::{COMPOSE, DOCKERFILE, ENV, Fixture, KUBERNETES, Module, Plugins, TERRAFORM_MODULE};
use rampart_model::{Document, Format};
use rampart_runtime::PreparedDocument;

/// One parsed document per format, with the bytes it was parsed from.
fn documents() -> Vec<(Document, u64)> {
    let mut documents: Vec<(Document, u64)> = [
        (Format::Dockerfile, DOCKERFILE),
        (Format::Kubernetes, KUBERNETES),
        (Format::Compose, COMPOSE),
        (Format::Env, ENV),
    ]
    .into_iter()
    .map(|(format, path)| {
        let fixture = Fixture::read(path).expect("the fixture is committed");
        (rampart_parse::parse(format, fixture.source()).expect("the fixture parses"), fixture.bytes())
    })
    .collect();
    let module = Module::read(TERRAFORM_MODULE).expect("the Terraform module is committed and parses");
    documents.push((module.parse_tree().expect("the module tree parses"), module.tree_bytes()));
    documents
}

fn evaluate(c: &mut Criterion) {
    let documents = documents();
    let started = std::time::Instant::now();
    let plugins = Plugins::builtins().expect("the built-in plugins load");
    eprintln!("compiled {} built-in plugins in {:.1?}", plugins.plugins.len(), started.elapsed());

    let mut group = c.benchmark_group("prepare");
    for (doc, bytes) in &documents {
        group.throughput(Throughput::Bytes(*bytes));
        group.bench_function(doc.format.as_str(), |b| b.iter(|| PreparedDocument::new(black_box(doc))));
    }
    group.finish();

    let mut group = c.benchmark_group("evaluate");
    for (doc, bytes) in &documents {
        let prepared = PreparedDocument::new(doc);
        group.throughput(Throughput::Bytes(*bytes));
        for (plugin, configured) in plugins.for_format(doc.format) {
            // Untimed: instantiates the plugin (instances are reused afterwards), and shows the
            // call succeeds; a failing call would be measured as a fast one.
            let evaluation = plugin.check(doc, &prepared, configured);
            assert!(
                evaluation.errors.is_empty(),
                "{} on {}: {:?}",
                plugin.info.name,
                doc.path(),
                evaluation.errors
            );
            let id = format!("{}/{}", doc.format, plugin.info.name);
            let more = match doc.files.len() {
                0 | 1 => String::new(),
                n => format!(" and {} more files", n - 1),
            };
            eprintln!(
                "evaluate/{id}: {}{more} ({bytes} bytes, {} nodes): {} findings",
                doc.path(),
                doc.nodes().len(),
                evaluation.findings.len()
            );
            group.bench_function(id, |b| b.iter(|| plugin.check(black_box(doc), &prepared, configured)));
        }
    }
    group.finish();
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
