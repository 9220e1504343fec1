//! Telling Helm chart templates from YAML that merely contains `{{`.
//!
//! A Helm template is not YAML until Helm renders it, and what it renders to depends on values
//! given at deploy time; rampart reports it once as not evaluated rather than a storm of
//! syntax errors. But `{{ ... }}` is also legitimate text inside YAML values: Prometheus and
//! Alertmanager templates (`"{{ $labels.instance }} is down"`), Argo Workflows parameters,
//! GitHub Actions expressions (`${{ secrets.X }}`). Those files are valid YAML and must be
//! scanned, so an action counts as Helm's only when it cannot be text inside a scalar or
//! says Helm by itself.

use std::ops::Range;

/// Helm's built-in objects and the functions that only make sense in a chart.
const HELM_WORDS: [&str; 6] = [".Values", ".Release", ".Chart", ".Capabilities", ".Files", ".Template"];
const HELM_FUNCTIONS: [&str; 6] = ["include ", "toYaml ", "tpl ", "required ", "template ", "define "];
/// Go's own `template` and `define` are Alertmanager's too: they do not say Helm in a block
/// scalar, where Alertmanager templates are written.
const HELM_ONLY_FUNCTIONS: usize = 4;

/// The byte range of the first Go template action that makes `text` a Helm template, if any.
///
/// Outside YAML comments and block scalars, an action (`{{ ... }}`, not GitHub's `${{`)
/// counts when it starts a value or a line (`key: {{ .x }}`, `- {{ .x }}`, a line of
/// `{{- if .x }}`), uses a whitespace-trimming marker (`{{-`, `-}}`), names one of Helm's
/// objects (`.Values`, `.Release`, `.Chart`, `.Capabilities`, `.Files`, `.Template`) or starts
/// with `include`, `template`, `toYaml`, `tpl`, `required` or `define`. Inside a block scalar
/// (`script: |`), where Alertmanager templates live, only Helm's objects and `include`,
/// `toYaml`, `tpl` and `required` count.
pub fn template_action(text: &str) -> Option<Range<usize>> {
    if !text.contains("{{") {
        return None;
    }
    // The indentation of the line that opened the block scalar we are in.
    let mut block: Option<usize> = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let base = line_start;
        line_start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches([' ', '\t']).len();
        if let Some(parent) = block {
            if body.trim().is_empty() || indent > parent {
                if let Some(action) = find_action(text, body, base, true) {
                    return Some(action);
                }
                continue;
            }
            block = None;
        }
        let content = strip_comment(body);
        if let Some(action) = find_action(text, content, base, false) {
            return Some(action);
        }
        if opens_block_scalar(content) {
            block = Some(indent);
        }
    }
    None
}

/// The first counting action in `content`, a line (or its part before a comment) at `base`.
fn find_action(text: &str, content: &str, base: usize, helm_words_only: bool) -> Option<Range<usize>> {
    let mut from = 0;
    while let Some(found) = content.get(from..).and_then(|rest| rest.find("{{")) {
        let open = from + found;
        from = open + 2;
        let before = content.get(..open).unwrap_or("");
        if before.ends_with('$') {
            continue;
        }
        // Actions may span lines in Go templates; look in the rest of the file then.
        let (inner, end) = if let Some(close) = content.get(open + 2..).and_then(|rest| rest.find("}}")) {
            (content.get(open + 2..open + 2 + close).unwrap_or(""), base + open + 2 + close + 2)
        } else {
            let rest = text.get(base + open + 2..).unwrap_or("");
            match rest.find("}}") {
                Some(close) => (rest.get(..close).unwrap_or(""), base + open + 2),
                None => continue,
            }
        };
        let trimmed = inner.trim_start_matches('-').trim_start();
        let helm = HELM_WORDS.iter().any(|w| inner.contains(w))
            || HELM_FUNCTIONS
                .iter()
                .take(if helm_words_only { HELM_ONLY_FUNCTIONS } else { HELM_FUNCTIONS.len() })
                .any(|f| trimmed.starts_with(f));
        let counts = helm
            || !helm_words_only && {
                let before = before.trim();
                let structural =
                    before.is_empty() || before.ends_with(':') || before == "-" || before.ends_with(" -");
                structural || inner.starts_with('-') || inner.ends_with('-')
            };
        if counts {
            return Some(base + open..end);
        }
    }
    None
}

/// The part of a line before its comment.
fn strip_comment(line: &str) -> &str {
    line.get(..scan_unquoted(line, |_, _| {})).unwrap_or(line)
}

/// Calls `visit` with each character of a line (and its offset) outside quoted scalars, up to
/// the line's comment, and returns where the comment starts (the line's length without one).
/// A `#` starts a comment at the start of the line or after a blank, outside quoted scalars; a
/// quote opens a scalar only where a value can start.
pub(super) fn scan_unquoted(line: &str, mut visit: impl FnMut(usize, char)) -> usize {
    let mut quote: Option<char> = None;
    let mut previous: Option<char> = None;
    let mut last_significant: Option<char> = None;
    let mut chars = line.char_indices();
    while let Some((at, c)) = chars.next() {
        match quote {
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '#' if previous.is_none_or(|p| p == ' ' || p == '\t') => return at,
                '"' | '\''
                    if last_significant.is_none_or(|p| matches!(p, ':' | '-' | '[' | '{' | ',' | '?')) =>
                {
                    quote = Some(c);
                }
                _ => visit(at, c),
            },
        }
        if !c.is_whitespace() {
            last_significant = Some(c);
        }
        previous = Some(c);
    }
    line.len()
}

/// True when a line ends with a block scalar header (`key: |`, `- >-`, `run: |2`).
pub(super) fn opens_block_scalar(content: &str) -> bool {
    let content = content.trim_end();
    let token = content.rsplit([' ', '\t']).next().unwrap_or("");
    let indicator = token.starts_with(['|', '>'])
        && token.get(1..).is_some_and(|rest| rest.bytes().all(|b| matches!(b, b'-' | b'+' | b'0'..=b'9')));
    if !indicator {
        return false;
    }
    let before = content.get(..content.len() - token.len()).unwrap_or("").trim_end();
    before.ends_with(':') || before == "-" || before.ends_with(" -") || before.ends_with("---")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(text: &str) -> Option<&str> {
        template_action(text).and_then(|r| text.get(r))
    }

    #[test]
    fn helm_templates_are_recognised() {
        assert_eq!(action("image: {{ .Values.image }}\n"), Some("{{ .Values.image }}"));
        assert_eq!(action("a: 1\n{{- if .Values.x }}\nb: 2\n{{- end }}\n"), Some("{{- if .Values.x }}"));
        assert_eq!(
            action("image: \"{{ .Values.repo }}:{{ .Chart.AppVersion }}\"\n"),
            Some("{{ .Values.repo }}")
        );
        assert_eq!(
            action("labels:\n  {{- include \"x.labels\" . | nindent 4 }}\n"),
            Some("{{- include \"x.labels\" . | nindent 4 }}")
        );
        assert_eq!(action("name: {{ template \"fullname\" . }}\n"), Some("{{ template \"fullname\" . }}"));
        assert_eq!(action("- {{ $x }}\n"), Some("{{ $x }}"));
        assert_eq!(action("script: |\n  echo {{ .Values.x }}\n"), Some("{{ .Values.x }}"));
    }

    #[test]
    fn braces_in_values_and_comments_are_not_templates() {
        // Prometheus annotations, GitHub Actions expressions, comments, Alertmanager templates.
        assert_eq!(action("summary: \"Instance {{ $labels.instance }} down\"\n"), None);
        assert_eq!(action("summary: Instance {{ $labels.instance }} down\n"), None);
        assert_eq!(action("key: ${{ secrets.TOKEN }}\n"), None);
        assert_eq!(action("# image: {{ .Values.image }}\na: 1\n"), None);
        assert_eq!(action("a: b # {{ .Values.image }}\n"), None);
        assert_eq!(action("a: it's # {{ .Values.image }}\n"), None);
        assert_eq!(action("tmpl: |\n  {{ define \"slack\" }}\n  {{- range .Alerts }}x{{ end }}\n"), None);
        assert_eq!(action("a: \"# {{ .Values.x }}\"\n"), Some("{{ .Values.x }}"));
        assert_eq!(action("a: {{\n"), None);
        assert_eq!(action("é: {{ é"), None);
    }
}
