use std::fmt::Write as _;

use rampart_model::{NodeKind, NodeRef};

use super::*;
use crate::testing::{at, has};

const COMPLEX: &str = include_str!("../../../../fixtures/compose/parser/complex.yaml");
const ECS: &str = include_str!("../../../../fixtures/seeds/000-masterx/ecs-task-definition.yaml");

fn try_parse(text: &str) -> Result<Document, ParseError> {
    parse(Arc::new(SourceFile::new("compose.yaml", text)))
}

fn doc(text: &str) -> Document {
    match try_parse(text) {
        Ok(d) => d,
        Err(e) => panic!("{e:?}\n{text}"),
    }
}

fn fail(text: &str) -> (String, String) {
    let Err(e) = try_parse(text) else { panic!("parsed: {text}") };
    (e.message.clone(), src(text, e.span).to_owned())
}

fn src(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

/// The value and the source text of a string node.
fn s<'a>(d: &'a Document, text: &'a str, path: &str) -> (&'a str, &'a str) {
    let node = at(d, path);
    assert_eq!(node.kind(), NodeKind::String, "{path}");
    (node.value(), src(text, node.span()))
}

fn unknown<'a>(d: &'a Document, text: &'a str, path: &str) -> (&'a str, &'a str) {
    let node = at(d, path);
    assert_eq!(node.kind(), NodeKind::Unknown, "{path}");
    (node.value(), src(text, node.span()))
}

fn key_src<'a>(d: &Document, text: &'a str, path: &str) -> &'a str {
    src(text, at(d, path).node().key_span.unwrap_or_else(|| panic!("no key span at {path}")))
}

/// `KEY=value` per environment entry, `KEY=?` for unknown values.
fn env(d: &Document, service: usize) -> Vec<String> {
    at(d, &format!("services.{service}.environment"))
        .children()
        .map(|e| {
            let key = e.get("key").map_or("", NodeRef::value);
            match e.get("value") {
                Some(v) if v.kind() == NodeKind::String => format!("{key}={}", v.value()),
                _ => format!("{key}=?"),
            }
        })
        .collect()
}

fn names(d: &Document, path: &str) -> Vec<String> {
    at(d, path).children().map(|r| r.get("name").map_or("", NodeRef::value).to_owned()).collect()
}

#[test]
fn list_environment_with_bare_keys_references_and_dollars() {
    let text = "services:\n  app:\n    environment:\n      - A=1\n      - B\n      - C=\n      - PRICE=$$5\n      - URL=http://${HOST:-localhost}:$PORT/x\n      - E=a=b\n";
    let d = doc(text);
    assert_eq!(env(&d, 0), ["A=1", "B=?", "C=", "PRICE=$5", "URL=?", "E=a=b"]);
    assert_eq!(s(&d, text, "services.0.environment.0.key"), ("A", "A"));
    assert_eq!(s(&d, text, "services.0.environment.0.value"), ("1", "1"));
    assert_eq!(src(text, at(&d, "services.0.environment.0").span()), "A=1");
    let (reason, span) = unknown(&d, text, "services.0.environment.1.value");
    assert_eq!((reason, span), ("B is taken from the environment where compose runs", "B"));
    assert_eq!(s(&d, text, "services.0.environment.2.value"), ("", ""));
    assert_eq!(s(&d, text, "services.0.environment.3.value"), ("$5", "$$5"));
    assert!(!has(&d, "services.0.environment.3.references"));
    let (reason, span) = unknown(&d, text, "services.0.environment.4.value");
    assert_eq!(span, "http://${HOST:-localhost}:$PORT/x");
    assert!(reason.contains("${HOST}") && reason.contains("${PORT}"), "{reason}");
    assert_eq!(names(&d, "services.0.environment.4.references"), ["HOST", "PORT"]);
    assert_eq!(s(&d, text, "services.0.environment.4.references.0.name"), ("HOST", "HOST"));
    assert_eq!(s(&d, text, "services.0.environment.4.references.0.default"), ("localhost", "localhost"));
    assert_eq!(
        s(&d, text, "services.0.environment.4.references.0.form"),
        ("${HOST:-localhost}", "${HOST:-localhost}")
    );
    assert_eq!(s(&d, text, "services.0.environment.4.references.1.form"), ("$PORT", "$PORT"));
    assert_eq!(s(&d, text, "services.0.environment.5.key"), ("E", "E"));
    assert_eq!(s(&d, text, "services.0.environment.5.value"), ("a=b", "a=b"));
}

#[test]
fn map_environment_with_null_numbers_and_booleans() {
    let text = "services:\n  app:\n    environment:\n      A: one\n      B:\n      C: 5432\n      D: true\n      E: \"${SECRET:?required}\"\n      F: 'x $$ y'\n      G: ~\n";
    let d = doc(text);
    assert_eq!(env(&d, 0), ["A=one", "B=?", "C=5432", "D=true", "E=?", "F=x $ y", "G=?"]);
    assert_eq!(s(&d, text, "services.0.environment.0.key"), ("A", "A"));
    assert_eq!(s(&d, text, "services.0.environment.0.value"), ("one", "one"));
    assert_eq!(src(text, at(&d, "services.0.environment.0").span()), "A: one");
    assert_eq!(key_src(&d, text, "services.0.environment.0.value"), "A");
    assert_eq!(unknown(&d, text, "services.0.environment.1.value").1, "B");
    assert_eq!(s(&d, text, "services.0.environment.2.value"), ("5432", "5432"));
    assert_eq!(s(&d, text, "services.0.environment.3.value"), ("true", "true"));
    assert_eq!(unknown(&d, text, "services.0.environment.4.value").1, "\"${SECRET:?required}\"");
    // Quoted without escapes: reference spans are exact.
    assert_eq!(s(&d, text, "services.0.environment.4.references.0.name"), ("SECRET", "SECRET"));
    assert_eq!(s(&d, text, "services.0.environment.4.references.0.error"), ("required", "required"));
    assert_eq!(s(&d, text, "services.0.environment.5.value"), ("x $ y", "'x $$ y'"));
    assert_eq!(unknown(&d, text, "services.0.environment.6.value").1, "G");
}

#[test]
fn references_in_escaped_scalars_point_at_the_whole_value() {
    let text = "services:\n  app:\n    environment:\n      A: \"\\t${X}\"\n";
    let d = doc(text);
    assert_eq!(src(text, at(&d, "services.0.environment.0.references.0.name").span()), "\"\\t${X}\"");
    assert_eq!(at(&d, "services.0.environment.0.references.0.name").value(), "X");
}

#[test]
fn image_user_and_privileged() {
    let text = "services:\n  a:\n    image: alpine:3\n    user: root\n    privileged: true\n  b:\n    user: \"0\"\n    privileged: false\n  c:\n    image: app:${TAG}\n    user: ${RUN_AS}\n    privileged: ${PRIV:-false}\n  d:\n    user: 1000\n    privileged: 'yes'\n";
    let d = doc(text);
    assert_eq!(s(&d, text, "services.0.image"), ("alpine:3", "alpine:3"));
    assert_eq!(key_src(&d, text, "services.0.image"), "image");
    assert_eq!(s(&d, text, "services.0.user"), ("root", "root"));
    let privileged = at(&d, "services.0.privileged");
    assert_eq!(
        (privileged.kind(), privileged.value(), src(text, privileged.span())),
        (NodeKind::Bool, "true", "true")
    );
    assert_eq!(s(&d, text, "services.1.user"), ("0", "\"0\""));
    assert_eq!(at(&d, "services.1.privileged").value(), "false");
    assert!(!has(&d, "services.1.image"));
    assert!(!has(&d, "services.0.references"));

    let (reason, span) = unknown(&d, text, "services.2.image");
    assert_eq!(span, "app:${TAG}");
    assert!(reason.starts_with("depends on ${TAG}"), "{reason}");
    assert_eq!(unknown(&d, text, "services.2.user").1, "${RUN_AS}");
    assert_eq!(unknown(&d, text, "services.2.privileged").1, "${PRIV:-false}");
    assert_eq!(names(&d, "services.2.references.image"), ["TAG"]);
    assert_eq!(s(&d, text, "services.2.references.image.0.form"), ("${TAG}", "${TAG}"));
    assert_eq!(names(&d, "services.2.references.user"), ["RUN_AS"]);
    assert_eq!(s(&d, text, "services.2.references.privileged.0.default"), ("false", "false"));

    assert_eq!(s(&d, text, "services.3.user"), ("1000", "1000"));
    assert_eq!(at(&d, "services.3.privileged").kind(), NodeKind::Bool);
    assert_eq!(at(&d, "services.3.privileged").value(), "true");
}

#[test]
fn env_file_forms() {
    let text = "services:\n  a:\n    env_file: .env\n  b:\n    env_file: [one.env, two.env]\n  c:\n    env_file:\n      - path: ./c.env\n        required: false\n      - d.env\n  d:\n    image: x\n";
    let d = doc(text);
    let files = |i: usize| -> Vec<(String, String)> {
        at(&d, &format!("services.{i}.env-files"))
            .children()
            .map(|f| (f.value().to_owned(), src(text, f.span()).to_owned()))
            .collect()
    };
    let pair = |a: &str| (a.to_owned(), a.to_owned());
    assert_eq!(files(0), [pair(".env")]);
    assert_eq!(files(1), [pair("one.env"), pair("two.env")]);
    assert_eq!(files(2), [pair("./c.env"), pair("d.env")]);
    assert!(files(3).is_empty());
    assert_eq!(at(&d, "services.3.environment").children().len(), 0);
    assert_eq!(at(&d, "services.3.ports").children().len(), 0);
}

/// (published, target, protocol, host-ip) as source text of each port, `-` when absent.
fn ports(d: &Document, text: &str, service: usize) -> Vec<[String; 4]> {
    at(d, &format!("services.{service}.ports"))
        .children()
        .map(|p| {
            ["published", "target", "protocol", "host-ip"].map(|k| {
                p.get(k).map_or("-".to_owned(), |n| {
                    assert_eq!(n.kind(), NodeKind::String);
                    let written = src(text, n.span());
                    assert!(written.contains(n.value()), "{written} / {}", n.value());
                    n.value().to_owned()
                })
            })
        })
        .collect()
}

#[test]
fn every_port_syntax() {
    let text = "services:\n  a:\n    ports:\n      - \"8080:80\"\n      - 127.0.0.1:5432:5432/tcp\n      - 3000\n      - \"3000-3005\"\n      - 9090-9091:8080-8081\n      - \"[::1]:6000:6000/udp\"\n      - \"127.0.0.1::5000\"\n      - 6060:6060/sctp\n      - target: 80\n        published: \"8080\"\n        protocol: tcp\n        host_ip: 0.0.0.0\n        mode: host\n";
    let d = doc(text);
    let row = |a: &str, b: &str, c: &str, e: &str| [a, b, c, e].map(str::to_owned);
    assert_eq!(
        ports(&d, text, 0),
        [
            row("8080", "80", "-", "-"),
            row("5432", "5432", "tcp", "127.0.0.1"),
            row("-", "3000", "-", "-"),
            row("-", "3000-3005", "-", "-"),
            row("9090-9091", "8080-8081", "-", "-"),
            row("6000", "6000", "udp", "::1"),
            row("-", "5000", "-", "127.0.0.1"),
            row("6060", "6060", "sctp", "-"),
            row("8080", "80", "tcp", "0.0.0.0"),
        ]
    );
    // Exact spans inside a short syntax string.
    assert_eq!(s(&d, text, "services.0.ports.1.host-ip"), ("127.0.0.1", "127.0.0.1"));
    assert_eq!(s(&d, text, "services.0.ports.1.protocol"), ("tcp", "tcp"));
    assert_eq!(s(&d, text, "services.0.ports.0.published"), ("8080", "8080"));
    assert_eq!(src(text, at(&d, "services.0.ports.0").span()), "\"8080:80\"");
    assert_eq!(key_src(&d, text, "services.0.ports.8.host-ip"), "host_ip");

    let text = "services:\n  a:\n    ports:\n      - \"${PORT:-8080}:80\"\n";
    let d = doc(text);
    assert_eq!(at(&d, "services.0.ports.0.published").kind(), NodeKind::Unknown);
    assert_eq!(at(&d, "services.0.ports.0.target").kind(), NodeKind::Unknown);
    assert_eq!(names(&d, "services.0.ports.0.references"), ["PORT"]);
}

#[test]
fn malformed_ports_are_errors() {
    for port in
        ["\"80:abc\"", "\"70000\"", "\"8080:80/xyz\"", "\"\"", "\"[::1:80\"", "\"a:b:c:80\"", "true", "[1]"]
    {
        let text = format!("services:\n  a:\n    ports:\n      - {port}\n");
        let (message, span) = fail(&text);
        assert_eq!(span, port, "{message}");
    }
    let (message, _) = fail("services:\n  a:\n    ports:\n      - \"80:abc\"\n");
    assert!(message.starts_with("invalid port `80:abc` of service `a`"), "{message}");
}

#[test]
fn spans_of_services_and_definitions() {
    let d = doc(COMPLEX);
    let services: Vec<_> =
        at(&d, "services").children().map(|s| s.get("name").map_or("", NodeRef::value)).collect();
    assert_eq!(services, ["web", "worker", "db"]);
    assert_eq!(s(&d, COMPLEX, "services.1.name"), ("worker", "worker"));
    assert_eq!(key_src(&d, COMPLEX, "services.1.definition"), "worker");
    assert_eq!(s(&d, COMPLEX, "services.1.definition.user"), ("0", "\"0\""));
    assert_eq!(key_src(&d, COMPLEX, "services.1.definition.user"), "user");
    // Merged keys stay in the definition, with the anchored spans; the merged environment
    // is read too.
    assert_eq!(s(&d, COMPLEX, "services.0.definition.restart"), ("unless-stopped", "unless-stopped"));
    assert_eq!(env(&d, 0), ["LOG_LEVEL=info"]);
    assert_eq!(env(&d, 1), ["DEBUG=true", "API_KEY=?", "PRICE=$5", "DB_URL=?"]);
    assert_eq!(names(&d, "services.1.environment.3.references"), ["DB_USER", "DB_PASSWORD"]);
    assert_eq!(env(&d, 2), ["POSTGRES_PASSWORD=?", "POSTGRES_DB=app", "PORT=5432"]);
    assert_eq!(at(&d, "services.0.env-files").children().len(), 2);
    assert_eq!(at(&d, "services.0.ports").children().len(), 6);
    assert_eq!(at(&d, "services.2.privileged").kind(), NodeKind::Unknown);
    assert_eq!(s(&d, COMPLEX, "document.name"), ("shop", "shop"));
    assert_eq!(s(&d, COMPLEX, "document.networks.default.driver"), ("bridge", "bridge"));
    assert_eq!(key_src(&d, COMPLEX, "document.volumes"), "volumes");
    assert_eq!(at(&d, "document.services.web.image").value(), "nginx:${NGINX_TAG:-1.27}");
}

#[test]
fn the_ecs_seed_reads_like_compose() {
    let d = doc(ECS);
    assert_eq!(at(&d, "services").children().len(), 1);
    assert_eq!(s(&d, ECS, "services.0.name"), ("backend", "backend"));
    assert_eq!(s(&d, ECS, "services.0.image"), ("masterx/backend:latest", "masterx/backend:latest"));
    let keys: Vec<_> = at(&d, "services.0.environment")
        .children()
        .map(|e| e.get("key").map_or("", NodeRef::value))
        .collect();
    assert_eq!(keys, ["MONGODB_URL", "REDIS_URL", "GROQ_API_KEY", "GEMINI_API_KEY", "EMERGENT_LLM_KEY"]);
    for (i, entry) in at(&d, "services.0.environment").children().enumerate() {
        let value = entry.get("value").unwrap_or_else(|| panic!("entry {i}"));
        assert_eq!(value.kind(), NodeKind::Unknown, "entry {i}");
        assert_eq!(names(&d, &format!("services.0.environment.{i}.references")), [keys[i]]);
        assert_eq!(src(ECS, entry.get("key").map_or(Span::default(), NodeRef::span)), keys[i]);
    }
    assert_eq!(
        s(&d, ECS, "services.0.environment.0.references.0.form"),
        ("${MONGODB_URL}", "${MONGODB_URL}")
    );
    assert_eq!(at(&d, "services.0.ports").children().len(), 0);
    assert_eq!(at(&d, "services.0.definition.port_mappings.0.container_port").value(), "8000");
    assert_eq!(at(&d, "document.version").value(), "3");
}

#[test]
fn errors_point_at_the_offending_text() {
    let cases: [(&str, &str, &str); 13] = [
        ("- a\n- b\n", "- a\n- b", "not a list"),
        ("", "", "not empty"),
        ("services: [web]\n", "[web]", "`services` is a list"),
        ("services:\n  web:\n", "", "service `web` is null"),
        ("services:\n  web: nginx\n", "nginx", "service `web` is a string"),
        (
            "services:\n  web:\n    environment:\n      - [a]\n",
            "[a]",
            "an environment entry of service `web` is a list",
        ),
        ("services:\n  web:\n    environment:\n      - 5\n", "5", "is a number"),
        ("services:\n  web:\n    environment:\n      A: {b: 1}\n", "{b: 1}", "environment variable `A`"),
        ("services:\n  web:\n    environment: x\n", "x", "`environment` of service `web` is a string"),
        ("services:\n  web:\n    image: [a]\n", "[a]", "`image` of service `web` is a list"),
        ("services:\n  web:\n    privileged: maybe\n", "maybe", "not a boolean"),
        ("services:\n  web:\n    image: ${A\n", "${A", "unterminated reference"),
        ("services: {}\n---\nservices: {}\n", "services: {}", "one YAML document"),
    ];
    for (text, span, message) in cases {
        let (got, got_span) = fail(text);
        assert!(got.contains(message), "{text:?}: {got}");
        assert_eq!(got_span, span, "{text:?}: {got}");
    }
    // A trailing empty document is not a second Compose file.
    assert!(try_parse("services: {}\n---\n").is_ok());
    assert!(try_parse("services:\nvolumes: {}\n").is_ok());
}

#[test]
fn names_and_sniffing() {
    for name in [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yml",
        "docker-compose.yaml",
        "Docker-Compose.YML",
        "docker-compose.override.yml",
        "compose.prod.yaml",
        "deploy/docker-compose.dev.yml",
        "C:\\app\\compose.yaml",
    ] {
        assert!(is_compose_name(name), "{name}");
    }
    for name in [
        "compose.json",
        "my-compose.yml",
        "compose..yml",
        "docker-compose",
        "compose.yaml.bak",
        "composer.yml",
    ] {
        assert!(!is_compose_name(name), "{name}");
    }
    assert!(looks_like_compose("version: '3'\nservices:\n  web:\n"));
    assert!(looks_like_compose("\u{feff}services: # all\n"));
    assert!(!looks_like_compose("apiVersion: v1\nkind: List\nservices:\n"));
    assert!(!looks_like_compose("x:\n  services:\n"));
    assert!(!looks_like_compose("servicesx: 1\n"));
}

#[test]
fn short_ports_parse_into_parts() {
    let p = short_port("127.0.0.1:5432:5432/tcp");
    assert_eq!(
        p,
        Ok(ShortPort {
            host_ip: Some(0..9),
            published: Some(10..14),
            target: 15..19,
            protocol: Some(20..23)
        })
    );
    assert!(short_port("::1:6000:6000").is_ok_and(|p| p.host_ip == Some(0..3)));
    assert!(short_port("[::1]:80").is_err());
    assert!(short_port("80-").is_err());
    assert!(short_port("65535").is_ok());
    assert!(short_port("65536").is_err());
    assert_eq!(
        short_port("5432:5432:5432").err().as_deref(),
        Some("`5432` is not an IP address to publish on")
    );
    assert!(short_port("localhost:80:80").is_err());
    assert!(short_port("[::1]:80:80").is_ok_and(|p| p.host_ip == Some(1..4)));
}

fn check(text: &str) {
    let Ok(d) = try_parse(text) else { return };
    for node in d.nodes() {
        for span in [Some(node.span), node.key_span].into_iter().flatten() {
            assert!(span.start <= span.end && span.end as usize <= text.len(), "{span:?} in {text:?}");
            assert!(text.get(span.start as usize..span.end as usize).is_some(), "{span:?} in {text:?}");
        }
    }
}

#[test]
fn truncated_and_mutated_inputs_never_panic() {
    let specials = ["$", "{", "}", ":", "=", "\"", "'", "[", "]", "-", "/", "\n", "é", "$$", "${", " "];
    let inputs: Vec<String> =
        [COMPLEX, ECS].iter().flat_map(|seed| crate::testing::mangled(seed, 3, &specials, 300)).collect();
    assert!(inputs.len() >= 1000, "{}", inputs.len());
    for text in &inputs {
        check(text);
    }
}

#[test]
fn pathological_inputs_stay_fast() {
    let started = std::time::Instant::now();
    let many = (0..50_000).fold(String::new(), |mut out, i| {
        let _ = write!(out, "$V{i} ");
        out
    });
    let text = format!("services:\n  a:\n    environment:\n      A: \"{many}\"\n");
    let d = doc(&text);
    let reason = at(&d, "services.0.environment.0.value").value();
    assert!(reason.starts_with("depends on ${V0}, ${V1}") && reason.contains("and 49995 more"), "{reason}");
    let nested = format!("{}x{}", "${A:-".repeat(5_000), "}".repeat(5_000));
    let text = format!("services:\n  a:\n    image: \"{nested}\"\n");
    let d = doc(&text);
    assert_eq!(at(&d, "services.0.references.image").children().len(), 5_000);
    let ports = (0..20_000).fold(String::new(), |mut out, i| {
        let _ = writeln!(out, "      - \"{i}:80\"");
        out
    });
    let d = doc(&format!("services:\n  a:\n    ports:\n{ports}"));
    assert_eq!(at(&d, "services.0.ports").children().len(), 20_000);
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

#[test]
fn the_example_of_the_documentation() {
    let text = "services:\n  web:\n    image: \"nginx:${TAG:-1.27}\"\n    user: \"0\"\n    ports: [\"127.0.0.1:8080:80/tcp\"]\n    environment:\n      - API_KEY\n      - PRICE=$$5\n";
    let d = doc(text);
    assert_eq!(s(&d, text, "services.0.name"), ("web", "web"));
    let (reason, span) = unknown(&d, text, "services.0.image");
    assert_eq!(reason, "depends on ${TAG}: interpolated by compose when it runs");
    assert_eq!(span, "\"nginx:${TAG:-1.27}\"");
    assert_eq!(s(&d, text, "services.0.user"), ("0", "\"0\""));
    assert_eq!(env(&d, 0), ["API_KEY=?", "PRICE=$5"]);
    assert_eq!(s(&d, text, "services.0.environment.1.value"), ("$5", "$$5"));
    assert_eq!(ports(&d, text, 0), [["8080", "80", "tcp", "127.0.0.1"].map(str::to_owned)]);
    assert_eq!(s(&d, text, "services.0.references.image.0.default"), ("1.27", "1.27"));
    assert_eq!(s(&d, text, "services.0.references.image.0.form"), ("${TAG:-1.27}", "${TAG:-1.27}"));
    assert_eq!(at(&d, "services.0.env-files").children().len(), 0);
    assert_eq!(at(&d, "document.services.web.user").value(), "0");
}
