//! GitHub Actions output: one workflow command per finding, error and notice
//! (`::error file=app/Dockerfile,line=11,col=1,endLine=11,endColumn=18,title=...::message`),
//! which the runner turns into annotations on the pull request's changed lines.
//!
//! Levels: `error` for high and critical findings and for every engine error (the scan
//! failed closed), `warning` for medium, `notice` for low and info findings and for what was
//! deliberately not evaluated. Values are escaped as the runner unescapes them: `%`, CR and
//! LF everywhere, and `:` and `,` in properties.

use std::io::{self, Write};

use rampart_model::Location;

use crate::{Level, Report};

/// Writes one workflow command per finding, error and notice, then a summary line.
pub fn github(out: &mut dyn Write, report: &Report<'_>) -> io::Result<()> {
    // Suppressed findings are not annotated: the summary line counts them.
    for finding in report.active() {
        let level = match Level::of(finding.severity) {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let title = format!("{} ({})", finding.rule, finding.severity);
        let mut message = finding.message.clone();
        if let Some(rule) = report.rules.get(&finding.rule) {
            message.push_str("\nfix: ");
            message.push_str(&rule.remediation);
        }
        command(out, level, Some(&finding.file.path), Some(finding.location), &title, &message)?;
    }
    for error in report.errors {
        let title = format!("rampart {} error", error.kind.as_str());
        command(out, "error", error.path.as_deref(), error.location(), &title, &error.message)?;
    }
    for notice in report.notices {
        command(
            out,
            "notice",
            Some(&notice.path),
            notice.location(),
            "rampart: not evaluated",
            &notice.message,
        )?;
    }
    writeln!(out, "{}", crate::summary(report))
}

fn command(
    out: &mut dyn Write,
    level: &str,
    path: Option<&str>,
    location: Option<Location>,
    title: &str,
    message: &str,
) -> io::Result<()> {
    let mut properties = Vec::new();
    if let Some(path) = path {
        properties.push(format!("file={}", property(path)));
        if let Some(at) = location {
            properties.push(format!("line={}", at.line));
            properties.push(format!("col={}", at.column));
            properties.push(format!("endLine={}", at.end_line));
            properties.push(format!("endColumn={}", at.end_column));
        }
    }
    properties.push(format!("title={}", property(title)));
    writeln!(out, "::{level} {}::{}", properties.join(","), data(message))
}

/// A command's message: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: also `:` and `,`, which delimit properties.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_the_runner_unescapes_them() {
        assert_eq!(data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
        let mut out = Vec::new();
        let at = Location { line: 3, column: 5, end_line: 3, end_column: 9 };
        command(&mut out, "warning", Some("dir,x/a:b.tf"), Some(at), "tls/x (medium)", "m:1,\nfix").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::warning file=dir%2Cx/a%3Ab.tf,line=3,col=5,endLine=3,endColumn=9,title=tls/x (medium)::m:1,%0Afix\n"
        );
    }
}
