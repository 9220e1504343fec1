//! Navigating a Dockerfile (see "Dockerfile" in docs/document-model.md).

use crate::{Document, Node};

/// The build stages, in order.
pub fn stages(doc: &Document) -> impl DoubleEndedIterator<Item = Node<'_>> + '_ {
    doc.root().get("stages").into_iter().flat_map(super::document::Node::children)
}

/// The stage the image is built from: the last one.
pub fn final_stage(doc: &Document) -> Option<Node<'_>> {
    stages(doc).next_back()
}

/// A stage's instructions after its FROM.
pub fn instructions(stage: Node<'_>) -> impl Iterator<Item = Node<'_>> + '_ {
    stage.get("instructions").into_iter().flat_map(Node::items)
}

/// The uppercase keyword of an instruction map (`RUN`).
pub fn keyword(instruction: Node<'_>) -> &str {
    instruction.get("keyword").and_then(Node::str).unwrap_or("")
}

/// Every instruction of the file with this keyword, in every stage, ONBUILD triggers excluded.
pub fn all<'a>(doc: &'a Document, keyword_: &'a str) -> impl Iterator<Item = Node<'a>> + 'a {
    stages(doc).flat_map(instructions).filter(move |&i| keyword(i) == keyword_)
}

/// The shell text a RUN instruction executes: its arguments (shell form, or the exec
/// elements joined) followed by the bodies of its heredocs, with the node to report at.
pub fn run_scripts(instruction: Node<'_>) -> Vec<(Node<'_>, &str)> {
    let mut scripts = Vec::new();
    if let Some(arguments) = instruction.get("arguments") {
        scripts.push((arguments, arguments.text()));
    }
    for heredoc in instruction.get("heredocs").into_iter().flat_map(Node::items) {
        if let Some(body) = heredoc.get("body") {
            scripts.push((body, body.text()));
        }
    }
    scripts
}
