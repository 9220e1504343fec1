//! Helpers shared by the parsers' unit tests: navigate a document by dotted path and compare
//! nodes with the exact source text their spans cover.

use rampart_model::{Document, NodeKind, NodeRef, Span};

use crate::ParseError;

/// A file of these lines, each ended by a newline.
pub fn lines(lines: &[&str]) -> String {
    lines.iter().flat_map(|l| [*l, "\n"]).collect()
}

/// The document of a parse that must succeed.
pub fn expect_doc(result: Result<Document, ParseError>, text: &str) -> Document {
    result.unwrap_or_else(|e| {
        let at = text.get(e.span.start as usize..e.span.end as usize);
        panic!("unexpected error {:?} at {at:?}", e.message)
    })
}

/// The error of a parse that must fail, and the source text its span covers.
pub fn expect_error(result: Result<Document, ParseError>, text: &str) -> (String, String) {
    match result {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => {
            let at = text
                .get(e.span.start as usize..e.span.end as usize)
                .unwrap_or_else(|| panic!("error span {:?} outside the file", e.span));
            (e.message, at.to_owned())
        }
    }
}

/// The node at a dotted path, if any; a number indexes a list (and is a key of a map).
pub fn find<'a>(d: &'a Document, path: &str) -> Option<NodeRef<'a>> {
    path.split('.').try_fold(d.root(), |node, step| match step.parse::<usize>() {
        Ok(i) if node.kind() == NodeKind::List => node.children().nth(i),
        _ => node.get(step),
    })
}

/// The node at a dotted path, which must exist.
pub fn at<'a>(d: &'a Document, path: &str) -> NodeRef<'a> {
    find(d, path).unwrap_or_else(|| panic!("no node at `{path}`"))
}

pub fn has(d: &Document, path: &str) -> bool {
    find(d, path).is_some()
}

/// The source text of a node (in the document's first file).
pub fn src<'a>(d: &'a Document, node: NodeRef<'_>) -> &'a str {
    let span = node.span();
    &d.files[0].text[span.start as usize..span.end as usize]
}

fn of_kind<'a>(d: &'a Document, path: &str, kind: NodeKind) -> (&'a str, &'a str) {
    let node = at(d, path);
    assert_eq!(node.kind(), kind, "{path} is {:?}: {}", node.kind(), node.value());
    (d.text(node.node().value), src(d, node))
}

/// A string node's value and its source text.
pub fn s<'a>(d: &'a Document, path: &str) -> (&'a str, &'a str) {
    of_kind(d, path, NodeKind::String)
}

/// An unknown node's reason and its source text.
pub fn u<'a>(d: &'a Document, path: &str) -> (&'a str, &'a str) {
    of_kind(d, path, NodeKind::Unknown)
}

/// A bool node's value and its source text.
pub fn flag<'a>(d: &'a Document, path: &str) -> (bool, &'a str) {
    let (value, text) = of_kind(d, path, NodeKind::Bool);
    (value == "true", text)
}

/// The values of a list's items.
pub fn values<'a>(d: &'a Document, path: &str) -> Vec<&'a str> {
    at(d, path).children().map(|c| d.text(c.node().value)).collect()
}

/// The source text of an entry's key.
pub fn key_src<'a>(d: &'a Document, path: &str) -> &'a str {
    let span = at(d, path).node().key_span.expect("a key span");
    &d.files[0].text[span.start as usize..span.end as usize]
}

/// Asserts that every node, key and error span of a parse lies inside `text`, on character
/// boundaries: what the robustness tests check on mutated input.
pub fn assert_spans_within(text: &str, result: &Result<Document, ParseError>) {
    let within = |span: Span| {
        span.start <= span.end
            && (span.end as usize) <= text.len()
            && text.is_char_boundary(span.start as usize)
            && text.is_char_boundary(span.end as usize)
    };
    match result {
        Ok(d) => {
            for node in d.nodes() {
                assert!(within(node.span), "node span {:?} in {text:?}", node.span);
                if let Some(key) = node.key_span {
                    assert!(within(key), "key span {key:?} in {text:?}");
                }
            }
        }
        Err(e) => assert!(within(e.span), "error span {:?} in {text:?}", e.span),
    }
}

/// Deterministic robustness inputs: `base` cut at every `step`-th character boundary, then
/// `mutations` copies of it with one to four short ranges (aligned on characters) replaced by a
/// piece of `noise` or deleted. Fixed seed, so a failure reproduces.
pub fn mangled(base: &str, step: usize, noise: &[&str], mutations: usize) -> Vec<String> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % bound.max(1)
    };
    let boundaries: Vec<usize> = base.char_indices().map(|(i, _)| i).chain([base.len()]).collect();
    let mut inputs: Vec<String> =
        boundaries.iter().step_by(step.max(1)).map(|&cut| base[..cut].to_owned()).collect();
    for _ in 0..mutations {
        let mut text = base.to_owned();
        for _ in 0..=next(4) {
            let pos = (0..=next(text.len() + 1).min(text.len()))
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let end = (pos + next(3)).min(text.len());
            let end = (end..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
            // One time in five, delete instead of replacing.
            let piece = if next(5) == 0 { "" } else { noise[next(noise.len())] };
            text.replace_range(pos..end, piece);
        }
        inputs.push(text);
    }
    inputs
}

#[test]
fn mangled_inputs_are_deterministic_and_really_mutated() {
    let base = "FROM alpine\nUSER é\n";
    let inputs = mangled(base, 1, &["$", "{"], 200);
    assert_eq!(inputs, mangled(base, 1, &["$", "{"], 200), "the same seed gives the same inputs");
    let cuts = base.chars().count() + 1;
    assert_eq!(inputs.len(), cuts + 200);
    assert_eq!((inputs[0].as_str(), inputs[cuts - 1].as_str()), ("", base), "every prefix, then the whole");
    let mutations = &inputs[cuts..];
    assert!(mutations.iter().filter(|m| *m != base).count() > 180, "mutations change the text");
    assert!(mutations.iter().any(|m| m.contains('$')) && mutations.iter().any(|m| m.len() < base.len()));
}
