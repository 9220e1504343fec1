//! Human output: one miette diagnostic per finding and per error, then a summary.

use std::fmt;
use std::io::{self, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use rampart_model::{Finding, Notice, ScanError, Severity};

use crate::Report;
use crate::source::IndexedSource;

/// How to draw.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: IndexedSource<'a>,
    code: String,
    help: Option<String>,
    /// Related locations in other files (a `.tfvars` line that set the value), shown under
    /// the finding with their own snippets; those in the finding's file are labels.
    elsewhere: Vec<PlainDiagnostic<'a>>,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(finding: &'a Finding, code: String, help: Option<String>) -> Self {
        let elsewhere = finding
            .related
            .iter()
            .filter(|r| !std::sync::Arc::ptr_eq(&r.file, &finding.file))
            .map(|r| PlainDiagnostic {
                code: "related",
                severity: miette::Severity::Advice,
                path: Some(&r.file.path),
                message: &r.message,
                source: Some((IndexedSource(&r.file), r.span)),
            })
            .collect();
        Self { finding, source: IndexedSource(&finding.file), code, help, elsewhere }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Critical | Severity::High => miette::Severity::Error,
            Severity::Medium | Severity::Low => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.finding.span;
        // The message above already says what is wrong; the underline says where.
        let primary = LabeledSpan::new_primary_with_span(None, snapped(&self.finding.file, span));
        let related = self
            .finding
            .related
            .iter()
            .filter(|r| std::sync::Arc::ptr_eq(&r.file, &self.finding.file))
            .map(|r| LabeledSpan::new_with_span(Some(r.message.clone()), snapped(&r.file, r.span)));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(self.elsewhere.iter().map(|d| d as &dyn Diagnostic)))
    }
}

/// An error or a notice: a message, maybe a place in a file.
struct PlainDiagnostic<'a> {
    code: &'static str,
    severity: miette::Severity,
    path: Option<&'a str>,
    message: &'a str,
    source: Option<(IndexedSource<'a>, rampart_model::Span)>,
}

impl<'a> PlainDiagnostic<'a> {
    fn error(error: &'a ScanError) -> Self {
        let code = match error.kind {
            rampart_model::ErrorKind::Io => "error/io",
            rampart_model::ErrorKind::Parse => "error/parse",
            rampart_model::ErrorKind::Plugin => "error/plugin",
        };
        Self {
            code,
            severity: miette::Severity::Error,
            path: error.path.as_deref(),
            message: &error.message,
            source: error.span.as_ref().map(|(file, span)| (IndexedSource(file), *span)),
        }
    }

    fn notice(notice: &'a Notice) -> Self {
        Self {
            code: "notice/not-evaluated",
            severity: miette::Severity::Advice,
            path: Some(&notice.path),
            message: &notice.message,
            source: notice.span.as_ref().map(|(file, span)| (IndexedSource(file), *span)),
        }
    }
}

impl fmt::Debug for PlainDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl fmt::Display for PlainDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.path, &self.source) {
            // With a source, miette prints the path itself.
            (Some(path), None) => write!(f, "{path}: {}", self.message),
            _ => f.write_str(self.message),
        }
    }
}

impl std::error::Error for PlainDiagnostic<'_> {}

impl Diagnostic for PlainDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|(source, _)| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (source, span) = self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            Some("here".to_owned()),
            snapped(source.0, *span),
        ))))
    }
}

/// A span as (offset, length) within the file and on character boundaries, whatever a parser
/// or plugin said: a report must never fail to render.
fn snapped(file: &rampart_model::SourceFile, span: rampart_model::Span) -> (usize, usize) {
    let text = &*file.text;
    let start = text.floor_char_boundary(span.start as usize);
    let end = text.ceil_char_boundary((span.end as usize).max(start));
    (start, end - start)
}

/// Renders every unsuppressed finding and every error, the baseline entries that no longer
/// occur, then a one-line summary (which counts the suppressed findings; machine-readable
/// formats list them).
pub fn human(out: &mut dyn Write, report: &Report<'_>, style: Style) -> io::Result<()> {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1).with_width(100);
    let mut buffer = String::new();
    for finding in report.active() {
        let meta = report.rules.get(&finding.rule);
        let diagnostic = FindingDiagnostic::new(
            finding,
            format!("{} ({})", finding.rule, finding.severity),
            meta.map(|m| format!("why: {}\nfix: {}", m.rationale, m.remediation)),
        );
        render(&handler, &diagnostic, &mut buffer, out)?;
    }
    for error in report.errors {
        render(&handler, &PlainDiagnostic::error(error), &mut buffer, out)?;
    }
    for notice in report.notices {
        render(&handler, &PlainDiagnostic::notice(notice), &mut buffer, out)?;
    }
    if let Some(baseline) = &report.baseline
        && !baseline.resolved.is_empty()
    {
        writeln!(out, "no longer found (in the baseline {}; rewrite it to drop them):", baseline.file)?;
        for entry in baseline.resolved {
            writeln!(out, "  {} {}:{}: {}", entry.rule, entry.path, entry.line, entry.message)?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", crate::summary(report))
}

fn render(
    handler: &GraphicalReportHandler,
    diagnostic: &dyn Diagnostic,
    buffer: &mut String,
    out: &mut dyn Write,
) -> io::Result<()> {
    buffer.clear();
    handler
        .render_report(buffer, diagnostic)
        .map_err(|_| io::Error::other("could not render a diagnostic"))?;
    out.write_all(buffer.as_bytes())?;
    writeln!(out)
}
