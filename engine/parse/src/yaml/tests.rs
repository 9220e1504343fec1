use std::fmt::Write as _;

use super::*;
use crate::ParseErrorKind;

fn try_read(text: &str, options: Options) -> Result<Vec<YamlDocument>, ParseError> {
    read(&SourceFile::new("t.yaml", text), options)
}

fn docs(text: &str) -> Vec<YamlDocument> {
    try_read(text, Options::default()).unwrap()
}

fn one(text: &str) -> Yaml {
    docs(text).remove(0).root
}

fn error(text: &str) -> ParseError {
    try_read(text, Options::default()).unwrap_err()
}

fn src(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

fn scalar(text: &str, options: Options) -> Value {
    try_read(&format!("v: {text}\n"), options).unwrap().remove(0).root.get("v").unwrap().value.clone()
}

fn num(s: &str) -> Value {
    Value::Number(s.to_owned())
}

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

#[test]
fn plain_scalars_follow_the_core_schema() {
    let core = Options::default();
    for null in ["~", "null", "Null", "NULL", ""] {
        assert_eq!(scalar(null, core), Value::Null, "{null}");
    }
    for (text, value) in [("true", true), ("True", true), ("TRUE", true), ("false", false), ("FALSE", false)]
    {
        assert_eq!(scalar(text, core), Value::Bool(value), "{text}");
    }
    for n in ["0", "-12", "+3", "0x1F", "0o17", "1.5", "-.5", "5.", "1e3", "1.2E-4", ".inf", "-.Inf", ".NaN"]
    {
        assert_eq!(scalar(n, core), num(n), "{n}");
    }
    for s in ["yes", "No", "on", "OFF", "y", "tRue", "0x", "0o8", "1_000", "1e", ".", "1.2.3", "nULL", "abc"]
    {
        assert_eq!(scalar(s, core), string(s), "{s}");
    }
    for s in ["\"true\"", "'1'", "\"\"", "'~'"] {
        assert!(matches!(scalar(s, core), Value::String(_)), "{s}");
    }
}

#[test]
fn yaml_1_1_booleans_are_an_option() {
    let k8s = Options { yaml11_booleans: true };
    for t in ["yes", "Yes", "YES", "on", "On", "ON", "y", "Y", "true"] {
        assert_eq!(scalar(t, k8s), Value::Bool(true), "{t}");
    }
    for f in ["no", "No", "NO", "off", "Off", "OFF", "n", "N", "false"] {
        assert_eq!(scalar(f, k8s), Value::Bool(false), "{f}");
    }
    assert_eq!(scalar("\"yes\"", k8s), string("yes"));
    assert_eq!(scalar("yEs", k8s), string("yEs"));
}

#[test]
fn tags_force_types() {
    let core = Options::default();
    assert_eq!(scalar("!!str 5", core), string("5"));
    assert_eq!(scalar("!!str true", core), string("true"));
    assert_eq!(scalar("!!int \"7\"", core), num("7"));
    assert_eq!(scalar("!!float 7", core), num("7"));
    assert_eq!(scalar("!!bool \"true\"", core), Value::Bool(true));
    assert_eq!(scalar("!!null ''", core), Value::Null);
    assert_eq!(scalar("!Ref x", core), string("x"));
    assert_eq!(scalar("!!binary aGk=", core), string("aGk="));
    let e = error("v: !!int abc\n");
    assert_eq!(e.message, "`abc` is not a valid !!int");
    assert_eq!(src("v: !!int abc\n", e.span), "abc");
}

#[test]
fn block_and_flow_values_have_exact_spans() {
    let text = "a: |\n  line1\n  line2\n\nb: >-\n  folded\n  text\nc: [1, {d: \"x\"}]\n'q k': v\n";
    let root = one(text);
    let a = root.get("a").unwrap();
    assert_eq!(a.value, string("line1\nline2\n"));
    assert_eq!(src(text, a.span), "line1\n  line2");
    let b = root.get("b").unwrap();
    assert_eq!(b.value, string("folded text"));
    assert_eq!(src(text, b.span), "folded\n  text");
    let c = root.entry("c").unwrap();
    assert_eq!(src(text, c.key_span), "c");
    assert_eq!(src(text, c.value.span), "[1, {d: \"x\"}]");
    let inner = &c.value.as_list().unwrap()[1];
    assert_eq!(src(text, inner.span), "{d: \"x\"}");
    assert_eq!(src(text, inner.get("d").unwrap().span), "\"x\"");
    let quoted = root.entry("q k").unwrap();
    assert_eq!(src(text, quoted.key_span), "'q k'");
    assert_eq!(src(text, root.span), text.trim_end());
}

#[test]
fn block_collections_span_their_entries() {
    let text = "top:\n  - x: 1\n    y: [2]\n  - z\nempty:\nlast: 1\n";
    let root = one(text);
    let top = root.get("top").unwrap();
    assert_eq!(src(text, top.span), "- x: 1\n    y: [2]\n  - z");
    assert_eq!(src(text, top.as_list().unwrap()[0].span), "x: 1\n    y: [2]");
    let empty = root.get("empty").unwrap();
    assert!(empty.is_null());
    assert!(empty.span.is_empty());
    assert_eq!(empty.span.start as usize, text.find("empty:").unwrap() + "empty:".len());
}

#[test]
fn multi_document_streams() {
    let text = "a: 1\n---\n# only a comment\n---\nb: 2\n...\n---\n- c\n...\n";
    let all = docs(text);
    assert_eq!(all.len(), 4);
    assert_eq!(all.iter().map(|d| d.index).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert!(all[1].root.is_null());
    assert_eq!(src(text, all[2].root.span), "b: 2");
    assert_eq!(src(text, all[2].span), "---\nb: 2\n...");
    assert_eq!(all[3].root.as_list().unwrap().len(), 1);
    assert!(docs("").is_empty());
    assert!(docs("# nothing\n").is_empty());
}

#[test]
fn aliases_copy_the_anchored_node_and_its_spans() {
    let text = "base: &b {x: 1, y: [2]}\ncopy: *b\nkey: &k name\n*k : 3\n";
    let root = one(text);
    let copy = root.get("copy").unwrap();
    assert_eq!(copy, root.get("base").unwrap());
    assert_eq!(src(text, copy.span), "{x: 1, y: [2]}");
    assert_eq!(src(text, copy.get("x").unwrap().span), "1");
    let aliased_key = root.entry("name").unwrap();
    assert_eq!(src(text, aliased_key.key_span), "*k");
}

#[test]
fn merge_keys_apply_as_go_yaml_does() {
    let text = "\
a: &a {x: 1, y: 1}
b: &b {y: 2, z: 2}
m:
  x: 0
  <<: [*a, *b]
  w: 9
one:
  <<: *b
  z: 3
inline:
  <<: {p: 1}
";
    let root = one(text);
    let m = root.get("m").unwrap();
    let keys: Vec<_> = m.as_map().unwrap().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["x", "y", "z", "w"]);
    assert_eq!(m.get("x").unwrap().value, num("0"));
    // Earlier merged maps win over later ones.
    assert_eq!(m.get("y").unwrap().value, num("1"));
    let y = m.get("y").unwrap();
    assert_eq!(y.span.start as usize, text.find("y: 1").unwrap() + 3);
    let one_ = root.get("one").unwrap();
    assert_eq!(one_.get("z").unwrap().value, num("3"));
    assert_eq!(one_.get("y").unwrap().value, num("2"));
    assert_eq!(root.path("inline.p").unwrap().value, num("1"));
    // A quoted `<<` is an ordinary key.
    assert_eq!(one("'<<': 1\n").get("<<").unwrap().value, num("1"));
    let e = error("a: 1\nb:\n  <<: 5\n");
    assert!(e.message.contains("`<<` merges a mapping"), "{}", e.message);
}

#[test]
fn billion_laughs_is_rejected_quickly() {
    let mut text =
        String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let [prev, next] = pair else { continue };
        let refs = vec![format!("*{prev}"); 9].join(",");
        let _ = writeln!(text, "{next}: &{next} [{refs}]");
    }
    let started = std::time::Instant::now();
    let e = error(&text);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(e.message.starts_with("alias expansion exceeds 100000 nodes"), "{}", e.message);
    assert!(src(&text, e.span).starts_with('*'), "{:?}", src(&text, e.span));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let e = error(&"[".repeat(10_000));
    assert!(e.message.contains("nest") || e.message.contains("limit"), "{}", e.message);
    let e = error(&"- ".repeat(10_000));
    assert!(e.message.contains("nest") || e.message.contains("limit"), "{}", e.message);
    let mut ok = "[".repeat(MAX_DEPTH);
    ok.push_str(&"]".repeat(MAX_DEPTH));
    assert_eq!(docs(&ok).len(), 1);
    let mut deep = "[".repeat(MAX_DEPTH + 1);
    deep.push_str(&"]".repeat(MAX_DEPTH + 1));
    let _ = error(&deep);
    // Aliases cannot stack nesting past the limit either.
    let half = MAX_DEPTH / 2 + 10;
    let text = format!(
        "a: &a {}{}\nb: {}*a{}\n",
        "[".repeat(half),
        "]".repeat(half),
        "[".repeat(half),
        "]".repeat(half)
    );
    assert!(error(&text).message.contains("nesting deeper"));
}

#[test]
fn duplicate_and_complex_keys_are_errors() {
    let text = "x: 1\ny: 2\nx: 3\n";
    let e = error(text);
    assert_eq!(e.message, "duplicate key `x`, first at line 1");
    assert_eq!(e.span.start, 10);
    assert_eq!(error("{a: 1, a: 2}").message, "duplicate key `a`, first at line 1");
    let e = error("? [a]\n: b\n");
    assert_eq!(e.message, "a collection as a mapping key is not supported");
    assert_eq!(
        one("1: a\ntrue: b\n~: c\n").as_map().unwrap().iter().map(|e| &e.key).collect::<Vec<_>>(),
        ["1", "true", "~"]
    );
}

#[test]
fn syntax_errors_carry_the_scanner_position() {
    let text = "a: b\n  c: d\n";
    let e = error(text);
    assert_eq!(e.kind, ParseErrorKind::Malformed);
    assert_eq!(e.span, Span::new(8, 9));
    let e = error("a: *missing\n");
    assert_eq!(e.span.start, 3);
    let e = error("a: \"unterminated é");
    assert!(e.span.end as usize <= "a: \"unterminated é".len());
}

#[test]
fn helm_templates_are_not_evaluated_once() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n  labels: {{ include \"x\" . }}\n";
    let e = error(text);
    assert_eq!(e.kind, ParseErrorKind::NotEvaluated);
    assert_eq!(src(text, e.span), "{{ .Release.Name }}");
}

#[test]
fn trees_are_written_into_documents() {
    let text = "a: [1, true, ~, x]\nb: {c: d}\n";
    let file = std::sync::Arc::new(SourceFile::new("t.yaml", text));
    let root = one(text);
    let mut b = DocumentBuilder::new(rampart_model::Format::Compose, file, root.span);
    write_entries(&mut b, DocumentBuilder::ROOT, root.as_map().unwrap());
    let d = b.finish();
    let a = d.root().get("a").unwrap();
    let kinds: Vec<_> = a.children().map(|c| (c.kind(), c.value())).collect();
    assert_eq!(
        kinds,
        [(NodeKind::Number, "1"), (NodeKind::Bool, "true"), (NodeKind::Null, ""), (NodeKind::String, "x")]
    );
    let c = d.root().get("b").unwrap().get("c").unwrap();
    assert_eq!(c.node().key_span.map(|s| src(text, s)), Some("c"));
    assert_eq!(src(text, c.span()), "d");
}

#[test]
fn an_unclosed_flow_collection_is_blamed_where_it_opens_and_a_tab_where_it_is() {
    let text = "a: 1\nports: [\"3000:3000\"\nenvironment:\n  X: 1\n";
    let e = error(text);
    assert_eq!(src(text, e.span), "e", "at the first token after the open `[`");
    assert_eq!(
        e.message,
        "the flow sequence opened with `[` at line 2, column 8 is not closed: expected `,` or `]` here"
    );
    // Brackets in quotes, comments and block scalars are not flow collections.
    assert_eq!(unclosed_flow("a: \"[\" # [\nb: |\n  {[\nc: '{'\nd: [1, {e: 2}]\n"), None);
    assert_eq!(unclosed_flow("a: [1,\n  {b: 2}\n"), Some((3, '[')));
    let tabbed = "a:\n  b: 1\n\tc: 2\n";
    assert_eq!(src(tabbed, error(tabbed).span), "\t");
}
