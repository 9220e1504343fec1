use rampart_model::{NodeKind, NodeRef};

use super::*;
use crate::ParseErrorKind;
use crate::testing::at;

const COMPLEX: &str = include_str!("../../../../fixtures/kubernetes/parser/complex.yaml");
const FRONTEND: &str = include_str!("../../../../fixtures/kubernetes/parser/frontend-deployment.yaml");

fn try_parse(text: &str) -> Result<Document, ParseError> {
    parse(Arc::new(SourceFile::new("k8s.yaml", text)))
}

fn doc(text: &str) -> Document {
    try_parse(text).unwrap()
}

fn src(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

/// The value and the source text of a node.
fn show<'a>(d: &'a Document, text: &'a str, path: &str) -> (&'a str, &'a str) {
    let node = at(d, path);
    (node.value(), src(text, node.span()))
}

fn pod_specs(d: &Document) -> Vec<(String, String, String)> {
    at(d, "pod-specs")
        .children()
        .map(|s| {
            let name = s.get("name").map_or("-", NodeRef::value);
            (
                s.get("kind").unwrap().value().to_owned(),
                name.to_owned(),
                s.get("path").unwrap().value().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_workload_kind_has_its_pod_spec() {
    let d = doc(COMPLEX);
    assert_eq!(at(&d, "objects").children().len(), 10);
    let kinds: Vec<_> =
        at(&d, "objects").children().map(|o| o.get("kind").map_or("", NodeRef::value)).collect();
    let expected = [
        "Pod",
        "Deployment",
        "CronJob",
        "StatefulSet",
        "Service",
        "",
        "PodTemplate",
        "Job",
        "ReplicaSet",
        "ReplicationController",
    ];
    assert_eq!(kinds, expected);
    let expected = [
        ("Pod", "debug", "spec"),
        ("Deployment", "web", "spec.template.spec"),
        ("CronJob", "backup", "spec.jobTemplate.spec.template.spec"),
        ("StatefulSet", "db", "spec.template.spec"),
        ("DaemonSet", "agent", "spec.template.spec"),
        ("PodTemplate", "tmpl", "template.spec"),
        ("Job", "migrate", "spec.template.spec"),
        ("ReplicaSet", "rs", "spec.template.spec"),
        ("ReplicationController", "rc", "spec.template.spec"),
    ];
    let expected: Vec<_> =
        expected.iter().map(|(k, n, p)| ((*k).to_owned(), (*n).to_owned(), (*p).to_owned())).collect();
    assert_eq!(pod_specs(&d), expected);
    // `object` indexes `objects`; `document` is the YAML document (the List's items share one).
    let objects: Vec<_> = at(&d, "pod-specs").children().map(|s| s.get("object").unwrap().value()).collect();
    assert_eq!(objects, ["0", "1", "2", "3", "5", "6", "7", "8", "9"]);
    let documents: Vec<_> =
        at(&d, "objects").children().map(|o| o.get("document").unwrap().value()).collect();
    assert_eq!(documents, ["0", "1", "2", "4", "4", "5", "6", "7", "8", "9"]);
}

#[test]
fn objects_and_pod_specs_have_exact_spans() {
    let d = doc(COMPLEX);
    let text = COMPLEX;
    // Navigable as written, YAML 1.1 booleans read as Kubernetes reads them.
    let privileged = at(&d, "objects.0.spec.containers.0.securityContext.privileged");
    assert_eq!((privileged.kind(), privileged.value()), (NodeKind::Bool, "true"));
    assert_eq!(src(text, privileged.node().key_span.unwrap()), "privileged");
    let quoted = at(&d, "objects.1.spec.template.spec.containers.0.securityContext.privileged");
    assert_eq!(
        (quoted.kind(), quoted.value(), src(text, quoted.span())),
        (NodeKind::String, "yes", "\"yes\"")
    );
    // Merged from the anchor: the span is the anchored text.
    let run_as = at(&d, "objects.1.spec.template.spec.containers.0.securityContext.runAsUser");
    assert_eq!((run_as.kind(), run_as.value()), (NodeKind::Number, "0"));
    let anchored = text.find("runAsUser: 0").unwrap() + "runAsUser: ".len();
    assert_eq!(
        src(text, at(&d, "objects.1.spec.template.spec.initContainers.0.securityContext").span()),
        "{privileged: yes, runAsUser: 0}"
    );
    assert_eq!(run_as.span().start as usize, anchored);
    assert_eq!(at(&d, "objects.5.spec.template.spec.containers.0.image").value(), "agent:2");
    assert_eq!(show(&d, text, "objects.1.metadata.name"), ("web", "web"));
    assert_eq!(show(&d, text, "objects.1.spec.template.spec.containers.0.args.1"), ("8080", "\"8080\""));
    let script = show(&d, text, "objects.1.spec.template.spec.containers.0.command.2");
    assert_eq!(script, ("echo starting\nexec web\n", "echo starting\n              exec web"));
    assert_eq!(
        show(&d, text, "objects.2.spec.jobTemplate.spec.template.spec.containers.0.env.0.value"),
        ("hunter2", "hunter2")
    );
    let loc = d.files[0].location(at(&d, "objects.2.spec.schedule").span());
    assert_eq!((loc.line, loc.column, loc.end_column), (45, 13, 24));
    // The pod spec entry: a copy of the subtree with the same spans.
    let spec = at(&d, "pod-specs.1.spec");
    assert_eq!(src(text, spec.node().key_span.unwrap()), "spec");
    let original = at(&d, "objects.1.spec.template.spec");
    assert_eq!(spec.span(), original.span());
    assert!(src(text, spec.span()).starts_with("securityContext:\n        runAsNonRoot: true"));
    assert_eq!(at(&d, "pod-specs.1.spec.securityContext.runAsNonRoot").value(), "true");
    assert_eq!(show(&d, text, "pod-specs.1.kind"), ("Deployment", "Deployment"));
    assert_eq!(show(&d, text, "pod-specs.4.kind"), ("DaemonSet", "DaemonSetList"));
    let host_pid = at(&d, "pod-specs.4.spec.hostPID");
    assert_eq!((host_pid.kind(), src(text, host_pid.span())), (NodeKind::Bool, "on"));
    let object = at(&d, "objects.1");
    assert!(src(text, object.span()).starts_with("apiVersion: apps/v1\nkind: Deployment"));
    assert!(src(text, object.span()).ends_with("exec web"));
}

#[test]
fn the_seed_deployment_parses() {
    let d = doc(FRONTEND);
    assert_eq!(at(&d, "objects").children().len(), 1);
    assert_eq!(
        pod_specs(&d),
        [("Deployment".to_owned(), "frontend".to_owned(), "spec.template.spec".to_owned())]
    );
    assert_eq!(show(&d, FRONTEND, "objects.0.spec.replicas"), ("4", "4"));
    let env = at(&d, "pod-specs.0.spec.containers.0.env.1.value");
    assert_eq!(
        (env.value(), src(FRONTEND, env.span())),
        ("https://api.coursecompanionfte.com", "\"https://api.coursecompanionfte.com\"")
    );
    let loc = d.files[0].location(env.span());
    assert_eq!((loc.line, loc.column), (25, 18));
    let port = at(&d, "pod-specs.0.spec.containers.0.readinessProbe.httpGet.port");
    assert_eq!(d.files[0].location(port.span()).line, 42);
    assert_eq!(port.kind(), NodeKind::Number);
}

#[test]
fn the_seed_infrastructure_notes_are_not_kubernetes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/kubernetes/parser/seed-003");
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    assert_eq!(entries.len(), 16);
    let mut read = 0;
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = SourceFile::new("x.yaml", text.as_str());
        if let Ok(documents) = yaml::read(&file, YAML_OPTIONS) {
            read += 1;
            assert!(!looks_like_kubernetes(&documents), "{}", path.display());
        }
        assert!(!sniff(&text));
        let e = try_parse(&text).unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Malformed, "{}: {}", path.display(), e.message);
        assert!(e.span.end as usize <= text.len());
    }
    // All but the notes with `Threshold: > 80%` (a folded scalar header followed by text) and
    // the like are valid YAML; GitHub Actions' `${{ }}` is not taken for Helm.
    assert!(read >= 12, "{read}");
    let e = try_parse(include_str!("../../../../fixtures/kubernetes/parser/seed-003/11.yaml")).unwrap_err();
    assert_eq!(e.message, "document 1 is not a Kubernetes object: no `apiVersion`");
}

#[test]
fn detection() {
    assert!(sniff(COMPLEX));
    assert!(sniff(FRONTEND));
    assert!(!sniff("kind: Pod\n"));
    let file = SourceFile::new("x", COMPLEX);
    assert!(looks_like_kubernetes(&yaml::read(&file, YAML_OPTIONS).unwrap()));
    let file = SourceFile::new("x", "apiVersion: 1\nkind: Pod\n");
    assert!(!looks_like_kubernetes(&yaml::read(&file, YAML_OPTIONS).unwrap()));
}

#[test]
fn non_objects_are_errors() {
    let e = try_parse("apiVersion: v1\nkind: Pod\n---\n- a\n").unwrap_err();
    assert_eq!(e.message, "document 2 is not a Kubernetes object: a list, not a mapping");
    let e = try_parse("apiVersion: v1\nmetadata: {}\n").unwrap_err();
    assert_eq!(e.message, "document 1 is not a Kubernetes object: no `kind`");
    let e = try_parse("apiVersion: v1\nkind: [Pod]\n").unwrap_err();
    assert_eq!(e.message, "`kind` of document 1 is a list, not a string");
    let e = try_parse("apiVersion: v1\nkind: List\nitems:\n  - a: 1\n").unwrap_err();
    assert_eq!(e.message, "item 1 of the List in document 1 is not a Kubernetes object: no `apiVersion`");
    // Empty streams and empty documents are fine.
    for empty in ["", "# nothing\n", "---\n---\n...\n"] {
        let d = doc(empty);
        assert_eq!(at(&d, "objects").children().len(), 0);
        assert_eq!(at(&d, "pod-specs").children().len(), 0);
    }
}

#[test]
fn bad_input_fails_closed() {
    let e = try_parse("apiVersion: v1\nkind: Pod\nspec: {a: 1, a: 2}\n").unwrap_err();
    assert_eq!(e.message, "duplicate key `a`, first at line 3");
    let helm = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n";
    let e = try_parse(helm).unwrap_err();
    assert_eq!((e.kind, src(helm, e.span)), (ParseErrorKind::NotEvaluated, "{{ .Release.Name }}"));
    let laughs = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n\
                  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n";
    assert!(try_parse(laughs).unwrap_err().message.contains("billion laughs"));
    assert!(try_parse(&"- ".repeat(10_000)).is_err());
    assert!(try_parse(&"[".repeat(10_000)).is_err());
}

/// Checks the invariants any parse result must hold.
fn check(text: &str) {
    crate::testing::assert_spans_within(text, &try_parse(text));
}

#[test]
fn truncations_and_mutations_never_panic() {
    const NOISE: [&str; 14] =
        ["{", "}", "[", "]", ":", "- ", "&a ", "*a", "<<: *a\n", "\"", "'", "|", "\n  ", "\t"];
    let base = format!("{COMPLEX}\n# é ü 日本 ✓\nextra: \"ä\"\n");
    let inputs = crate::testing::mangled(&base, 7, &NOISE, 1_700);
    assert!(inputs.len() >= 2_000, "{}", inputs.len());
    for text in &inputs {
        check(text);
    }
}

#[test]
fn the_documented_example_parses_as_documented() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: web:1\n          securityContext: {privileged: yes}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n";
    let d = doc(text);
    assert_eq!(
        show(&d, text, "objects.0.spec.template.spec.containers.0.securityContext.privileged"),
        ("true", "yes")
    );
    assert_eq!(
        show(&d, text, "objects.1.document"),
        ("1", "apiVersion: v1\nkind: Service\nmetadata: {name: web}")
    );
    assert_eq!(show(&d, text, "pod-specs.0.kind"), ("Deployment", "Deployment"));
    assert_eq!(show(&d, text, "pod-specs.0.name"), ("web", "web"));
    assert_eq!(at(&d, "pod-specs.0.spec").span(), at(&d, "pod-specs.0").span());
    assert_eq!(at(&d, "pod-specs").children().len(), 1);
}
