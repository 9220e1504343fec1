//! Escaping and identifiers: HTML, CSV, OSCAL tokens, strings and Markdown, URI references.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Text for HTML element content and attribute values.
pub(crate) fn html(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes
/// doubled. A field that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) is prefixed with `'`, as OWASP advises for CSV files
/// that hold text from untrusted sources: finding messages quote the scanned code.
pub(crate) fn csv_field(text: &str) -> Cow<'_, str> {
    let guarded: Cow<'_, str> = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    };
    if !guarded.contains([',', '"', '\n', '\r']) {
        return guarded;
    }
    Cow::Owned(format!("\"{}\"", guarded.replace('"', "\"\"")))
}

/// An OSCAL token for a control id: lowercase ASCII letters and digits, every run of other
/// characters one `.` (`CC6.1` → `cc6.1`, `Art. 32(1)(a)` → `art.32.1.a`), `_` before a
/// leading digit. OSCAL catalogs write control ids that way (`ac-2.1`); the original id
/// is kept next to it wherever the token appears.
pub(crate) fn oscal_token(id: &str) -> String {
    let mut token = String::new();
    let mut pending_separator = false;
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_separator && !token.is_empty() {
                token.push('.');
            }
            pending_separator = false;
            token.push(c.to_ascii_lowercase());
        } else {
            pending_separator = true;
        }
    }
    if token.is_empty() {
        // Nothing ASCII to keep: name it by a hash of the id, still stable across runs.
        use sha2::{Digest, Sha256};
        return format!("control-{}", hex::encode(&Sha256::digest(id.as_bytes())[..4]));
    }
    if token.starts_with(|c: char| c.is_ascii_digit()) {
        token.insert(0, '_');
    }
    token
}

/// An OSCAL `string` (and so a `prop` value): no line breaks, no leading or trailing
/// whitespace, never empty. Runs of whitespace become one space; empty text becomes `-`.
pub(crate) fn oscal_string(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() { "-".to_owned() } else { collapsed }
}

/// Text for an OSCAL `markup-line` or one paragraph of `markup-multiline`, which OSCAL
/// reads as Markdown: one line (as [`oscal_string`]), every character Markdown or HTML
/// could read as syntax backslash-escaped, so a finding message cannot inject markup into
/// a GRC tool that renders it.
pub(crate) fn markdown(text: &str) -> String {
    let line = oscal_string(text);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '&' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A path as a URI reference (RFC 3986): letters, digits, `-._~/` kept, every other byte
/// percent-encoded, so `my dir/a.tf` is `my%20dir/a.tf` and `C:\x` cannot read as a scheme.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    if out.is_empty() { "#".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_become_oscal_tokens() {
        assert_eq!(oscal_token("CC6.1"), "cc6.1");
        assert_eq!(oscal_token("A1.2"), "a1.2");
        assert_eq!(oscal_token("Art. 32(1)(a)"), "art.32.1.a");
        assert_eq!(oscal_token("Art. 5(2)"), "art.5.2");
        assert_eq!(oscal_token("Art.32"), "art.32");
        assert_eq!(oscal_token("AC-2 (1)"), "ac.2.1");
        assert_eq!(oscal_token("164.312(a)(1)"), "_164.312.a.1");
        assert!(oscal_token("第五条").starts_with("control-"));
        assert_eq!(oscal_token("第五条"), oscal_token("第五条"));
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html("<script>alert('x&y')</script>\""),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;"
        );
        assert!(matches!(html("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn oscal_strings_are_one_trimmed_nonempty_line() {
        assert_eq!(oscal_string("  a \n\t b  "), "a b");
        assert_eq!(oscal_string(" \n "), "-");
        assert_eq!(markdown("use `*` <b>"), "use \\`\\*\\` \\<b\\>");
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_path("infra/main.tf"), "infra/main.tf");
        assert_eq!(uri_path("my dir/a#b.tf"), "my%20dir/a%23b.tf");
        assert_eq!(uri_path("C:\\x"), "C%3A%5Cx");
        assert_eq!(uri_path("é"), "%C3%A9");
    }
}
