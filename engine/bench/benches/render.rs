//! `render/<format>/<case>`: one report of 1,000 findings written as human diagnostics
//! (miette, no colour), JSON and SARIF, into a reused in-memory buffer.
//!
//! - `1000-findings`: the files of the Terraform root module
//!   `fixtures/terraform/seeds/003-storymagic` (16 `.tf` files, 34 KB), findings on evenly
//!   spread lines of all of them, every tenth with a related location in `terraform.tfvars`;
//! - `1000-findings-one-large-file`: one generated ~2 MB Kubernetes stream (the committed
//!   `fixtures/kubernetes/parser/complex.yaml`, repeated), findings on evenly spread lines from
//!   the first to the last: what keeps the line-indexed `SourceCode` honest.
//!
//! The findings are built directly, as plugins would report them (rule, span, location,
//! message), then sorted, secret-masked and fingerprinted as the CLI does before any
//! reporter runs. Throughput is findings.

use std::collections::HashMap;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_bench::{Fixture, KUBERNETES, Module, TERRAFORM_MODULE, repo_root};
use rampart_model::{Finding, Format, Related, RuleId, RuleMeta, ScannedFile, Severity, SourceFile, Span};
use rampart_report::{Report, SarifOptions, Style};

const FINDINGS: usize = 1_000;

/// Writes a report in one output format.
type Render = fn(&mut Vec<u8>, &Report<'_>, &SarifOptions<'_>) -> std::io::Result<()>;

/// Rules with texts as long as the built-in ones' (the human output prints them per finding,
/// SARIF once per rule).
fn rules() -> Vec<RuleMeta> {
    [
        ("tls/lb-listener", Severity::High, Format::Terraform),
        ("encryption/database-storage", Severity::High, Format::Terraform),
        ("logging/log-group-retention", Severity::Medium, Format::Terraform),
        ("network/security-group-open-ingress", Severity::Critical, Format::Terraform),
        ("backup/db-backup-retention", Severity::Low, Format::Terraform),
        ("non-root/run-as-root", Severity::High, Format::Kubernetes),
        ("non-root/privileged", Severity::Critical, Format::Kubernetes),
        ("hygiene/image-latest-tag", Severity::Info, Format::Kubernetes),
    ]
    .into_iter()
    .map(|(id, severity, format)| RuleMeta {
        id: RuleId::parse(id).expect("a valid rule id"),
        title: format!("The {id} check"),
        severity,
        formats: vec![format],
        rationale: format!(
            "{id}: a setting like this one is how the incidents behind this control started; \
             an attacker who reaches the service, or a mistake that goes unnoticed, costs far \
             more than the change below."
        ),
        remediation: "Set the attribute to the secure value shown in the rule's documentation, \
                      or waive the finding with a reason and an expiry date."
            .to_owned(),
        references: vec!["CIS Benchmark 4.1".to_owned(), "NIST SP 800-53 SC-8".to_owned()],
        params: Vec::new(),
    })
    .collect()
}

/// The spans of the content of every non-blank, non-comment line of a file.
fn line_spans(file: &SourceFile) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for line in file.text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            let at = start + (line.len() - line.trim_start().len());
            spans.push(Span::new(at as u32, (at + trimmed.len()) as u32));
        }
        start += line.len();
    }
    spans
}

fn finding(rule: &RuleMeta, file: &Arc<SourceFile>, span: Span, n: usize) -> Finding {
    let text = file.text.get(span.start as usize..span.end as usize).unwrap_or("");
    let quoted: String = text.chars().take(40).collect();
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        message: format!("`{quoted}` does not meet {} (finding {n})", rule.id),
        file: Arc::clone(file),
        span,
        location: file.location(span),
        related: Vec::new(),
        plugin: rule.id.family().to_owned(),
        secret: false,
        suppression: None,
        fingerprint: String::new(),
    }
}

/// `count` findings on evenly spread lines of `files`, cycling through `rules`.
fn spread(files: &[Arc<SourceFile>], rules: &[&RuleMeta], count: usize) -> Vec<Finding> {
    let places: Vec<(&Arc<SourceFile>, Span)> =
        files.iter().flat_map(|file| line_spans(file).into_iter().map(move |span| (file, span))).collect();
    assert!(!places.is_empty(), "the files have lines to point at");
    (0..count)
        .map(|n| {
            let (file, span) = places[n * places.len() / count];
            finding(rules[n % rules.len()], file, span, n)
        })
        .collect()
}

/// Sorted, masked and fingerprinted, as the CLI hands findings to a reporter.
fn finish(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    rampart_model::mask_secrets(&mut findings);
    rampart_model::fingerprint_all(&mut findings);
    findings
}

/// A scan's worth of findings and the files they are in.
struct Case {
    name: &'static str,
    findings: Vec<Finding>,
    scanned: Vec<ScannedFile>,
}

impl Case {
    fn new(name: &'static str, findings: Vec<Finding>, files: &[Arc<SourceFile>], format: Format) -> Self {
        let scanned = files
            .iter()
            .map(|f| ScannedFile { path: f.path.clone(), format, bytes: f.text.len() as u64, sha256: None })
            .collect();
        Self { name, findings: finish(findings), scanned }
    }

    fn report<'a>(&'a self, rules: &'a [RuleMeta]) -> Report<'a> {
        Report {
            findings: &self.findings,
            errors: &[],
            notices: &[],
            rules: rules.iter().map(|r| (&r.id, r)).collect::<HashMap<_, _>>(),
            files: self.scanned.len(),
            scanned: &self.scanned,
            baseline: None,
        }
    }
}

/// 1,000 findings over the files of a Terraform root module, some with a related location.
fn module_case(rules: &[RuleMeta]) -> Case {
    let module = Module::read(TERRAFORM_MODULE).expect("the Terraform module is committed");
    let files = module.sources();
    let tfvars = module
        .tfvars
        .iter()
        .find(|f| f.path.ends_with("/terraform.tfvars"))
        .expect("the module has a terraform.tfvars")
        .source();
    let value_lines = line_spans(&tfvars);
    let terraform: Vec<&RuleMeta> = rules.iter().filter(|r| r.formats == [Format::Terraform]).collect();
    let mut findings = spread(&files, &terraform, FINDINGS);
    for (n, finding) in findings.iter_mut().enumerate().step_by(10) {
        finding.related.push(Related {
            file: Arc::clone(&tfvars),
            span: value_lines[n % value_lines.len()],
            message: "the value is set here".to_owned(),
        });
    }
    let mut all = files;
    all.push(tfvars);
    Case::new("1000-findings", findings, &all, Format::Terraform)
}

/// 1,000 findings spread over one ~2 MB file.
fn large_file_case(rules: &[RuleMeta]) -> Case {
    let fixture = Fixture::read(KUBERNETES).expect("the fixture is committed");
    let copies = (2 << 20) / fixture.text.len() + 1;
    let text = vec![&*fixture.text; copies].join("---\n");
    let file = Arc::new(SourceFile::new("generated/all-in-one.yaml", text));
    let kubernetes: Vec<&RuleMeta> = rules.iter().filter(|r| r.formats == [Format::Kubernetes]).collect();
    let findings = spread(std::slice::from_ref(&file), &kubernetes, FINDINGS);
    eprintln!(
        "render: {} bytes, {} lines, {} findings in one file",
        file.text.len(),
        file.line_starts().len(),
        findings.len()
    );
    Case::new("1000-findings-one-large-file", findings, &[file], Format::Kubernetes)
}

fn render(c: &mut Criterion) {
    let rules = rules();
    let cases = [module_case(&rules), large_file_case(&rules)];
    let root = repo_root().canonicalize().expect("the repository root exists");
    let options = SarifOptions { src_root: &root, cwd: &root, automation_id: "rampart/bench/" };
    let mut out: Vec<u8> = Vec::with_capacity(16 << 20);
    let formats: [(&str, Render); 3] = [
        ("human", |out, report, _| rampart_report::human(out, report, Style { color: false })),
        ("json", |out, report, _| rampart_report::json(out, report)),
        ("sarif", |out, report, options| rampart_report::sarif(out, report, options).map(|_| ())),
    ];
    for (format, write) in formats {
        let mut group = c.benchmark_group(format!("render/{format}"));
        // One iteration renders a thousand findings (milliseconds): fewer, longer samples.
        group.sample_size(20);
        for case in &cases {
            let report = case.report(&rules);
            out.clear();
            write(&mut out, &report, &options).expect("the report renders");
            eprintln!("render/{format}/{}: {} bytes of output", case.name, out.len());
            group.throughput(Throughput::Elements(case.findings.len() as u64));
            group.bench_function(case.name, |b| {
                b.iter(|| {
                    out.clear();
                    write(&mut out, &report, &options)
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, render);
criterion_main!(benches);
