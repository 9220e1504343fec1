//! The scan pipeline: discover -> read and parse (in parallel; a Terraform module directory is
//! one document) -> evaluate every applicable plugin (in parallel) -> findings and errors in a
//! deterministic order.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rampart_model::{Date, Document, ErrorKind, Finding, Format, Notice, ScanError, ScannedFile, SourceFile};
use rampart_parse::{NameHint, ParseErrorKind, terraform};
use rampart_policy::suppress::{self, SuppressionPolicy};
use rampart_runtime::{Configured, Plugin, PreparedDocument};
use rayon::prelude::*;

use crate::discover::Candidate;

/// Files larger than this many MiB are skipped with a notice unless configured otherwise: no
/// hand-written infrastructure file is this big, and a multi-gigabyte file must not exhaust
/// memory.
pub const DEFAULT_MAX_FILE_MIB: u64 = 16;

/// What every file of a scan is judged with.
#[derive(Clone, Copy)]
pub struct Settings<'a> {
    pub plugins: &'a [Plugin],
    /// Each plugin's rule settings from the policy packs, parallel to `plugins`.
    pub configured: &'a [Configured],
    /// `--var-file` and `--var` values, applied to every Terraform module after its own tfvars.
    pub terraform: &'a terraform::Inputs,
    /// In bytes.
    pub max_file_size: u64,
    /// Record each scanned file's sha256 in [`Outcome::scanned`] (for evidence).
    pub hash_files: bool,
    /// What inline suppressions the config allows.
    pub suppressions: &'a SuppressionPolicy,
    /// The day expiries are judged against.
    pub today: Date,
    /// Counts the files done, for the progress line.
    pub progress: &'a std::sync::atomic::AtomicUsize,
}

/// Why a file was not read: a failure (an error) or a size over the cap (a notice).
enum Unread {
    Failed(ScanError),
    TooLarge(Notice),
}

/// What a scan found, sorted for output.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    /// Files that were in a format rampart reads (whether or not they parsed).
    pub files: usize,
    /// Files named on the command line that are not in a format rampart reads.
    pub skipped: Vec<String>,
    /// What was deliberately not evaluated (Helm templates).
    pub notices: Vec<Notice>,
    /// Every file that was read, in path order.
    pub scanned: Vec<ScannedFile>,
}

impl Outcome {
    fn unread(&mut self, unread: Unread) {
        match unread {
            Unread::Failed(error) => self.errors.push(error),
            Unread::TooLarge(notice) => self.notices.push(notice),
        }
    }

    fn merge(mut self, other: Outcome) -> Outcome {
        let Outcome { findings, errors, files, skipped, notices, scanned } = other;
        self.findings.extend(findings);
        self.errors.extend(errors);
        self.files += files;
        self.skipped.extend(skipped);
        self.notices.extend(notices);
        self.scanned.extend(scanned);
        self
    }

    fn read(&mut self, format: Format, file: &SourceFile, hash: bool) {
        use sha2::{Digest, Sha256};
        let sha256 = hash.then(|| hex::encode(Sha256::digest(file.text.as_bytes())));
        let bytes = file.text.len() as u64;
        self.scanned.push(ScannedFile { path: file.path.clone(), format, bytes, sha256 });
    }
}

pub fn scan(candidates: &[Candidate], settings: Settings<'_>) -> Outcome {
    let is_terraform = |c: &&Candidate| c.hint == NameHint::Format(Format::Terraform);
    let (terraform_files, files): (Vec<&Candidate>, Vec<&Candidate>) =
        candidates.iter().partition(is_terraform);
    let mut modules: Vec<(PathBuf, String)> = terraform_files
        .iter()
        .map(|c| {
            // `main.tf` named on its own has the parent "", which is the current directory.
            let dir = c
                .path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_owned);
            let display =
                Path::new(&c.display).parent().map_or(String::new(), |p| p.to_string_lossy().into_owned());
            (dir, if display.is_empty() { ".".to_owned() } else { display })
        })
        .collect();
    modules.sort_by(|a, b| a.1.cmp(&b.1));
    modules.dedup_by(|a, b| a.1 == b.1);

    let per_file = files.par_iter().map(|candidate| scan_file(candidate, settings));
    let per_module: Vec<ModuleScan> =
        modules.par_iter().map(|(dir, display)| scan_module(dir, display, settings)).collect();
    let mut outcome = per_file.reduce(Outcome::default, Outcome::merge);
    for module in called_on_their_own(per_module) {
        outcome = outcome.merge(module.outcome);
    }
    outcome.skipped.sort();
    outcome.scanned.sort_by(|a, b| a.path.cmp(&b.path));
    outcome.scanned.dedup_by(|a, b| a.path == b.path);
    outcome.notices.sort_by(|a, b| (&a.path, a.location()).cmp(&(&b.path, b.location())));
    outcome.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
        .errors
        .sort_by(|a, b| (&a.path, a.location(), &a.message).cmp(&(&b.path, b.location(), &b.message)));
    outcome
}

fn scan_file(candidate: &Candidate, settings: Settings<'_>) -> Outcome {
    settings.progress.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut outcome = Outcome::default();
    let (format, file) = match read(candidate, settings.max_file_size) {
        Ok(Some(source)) => source,
        Ok(None) => {
            if candidate.explicit {
                outcome.skipped.push(candidate.display.clone());
            }
            return outcome;
        }
        Err(unread) => {
            outcome.files = 1;
            outcome.unread(unread);
            return outcome;
        }
    };
    outcome.files = 1;
    outcome.read(format, &file, settings.hash_files);
    let document = match rampart_parse::parse(format, file.clone()) {
        Ok(document) => document,
        Err(err) if err.kind == ParseErrorKind::NotEvaluated => {
            let span = Some((file.clone(), err.span));
            outcome.notices.push(Notice { path: file.path.clone(), span, message: err.message });
            return outcome;
        }
        Err(err) => {
            outcome.errors.push(ScanError::at(ErrorKind::Parse, &file, err.span, err.message));
            return outcome;
        }
    };
    evaluate(&document, settings, &mut outcome);
    outcome
}

/// Runs every plugin that reads the document's format and collects what they say.
fn evaluate(document: &Document, settings: Settings<'_>, outcome: &mut Outcome) {
    let applicable: Vec<(&Plugin, &Configured)> = settings
        .plugins
        .iter()
        .zip(settings.configured)
        .filter(|(p, c)| c.applies_to(document.format) && !p.is_disabled())
        .collect();
    // Converting the document for the plugins copies every node: skip it when nobody reads it.
    if applicable.is_empty() {
        return;
    }
    let prepared = PreparedDocument::new(document);
    let evaluations: Vec<_> = applicable.par_iter().map(|(p, c)| p.check(document, &prepared, c)).collect();
    let mut findings = Vec::new();
    let mut failed = Vec::new();
    for (evaluation, (plugin, _)) in evaluations.into_iter().zip(&applicable) {
        if !evaluation.errors.is_empty() {
            failed.push(plugin.info.name.as_str());
        }
        findings.extend(evaluation.findings);
        outcome.errors.extend(evaluation.errors);
    }
    let known = |pattern: &str| settings.plugins.iter().flat_map(|p| &p.rules).any(|r| r.id.matches(pattern));
    // The rules a pattern names ran here when at least one of them is enabled for this
    // format and none of their plugins failed on this document.
    let ran = |pattern: &str| {
        let mut matched =
            settings.plugins.iter().zip(settings.configured).flat_map(|(plugin, configured)| {
                plugin
                    .rules
                    .iter()
                    .enumerate()
                    .filter(move |(i, rule)| {
                        rule.id.matches(pattern)
                            && configured.is_enabled(*i)
                            && rule.formats.contains(&document.format)
                    })
                    .map(move |_| plugin)
            });
        let mut any = false;
        matched.all(|plugin| {
            any = true;
            !failed.contains(&plugin.info.name.as_str())
        }) && any
    };
    let own = suppress::apply(document, &mut findings, settings.suppressions, settings.today, &known, &ran);
    outcome.findings.extend(findings);
    outcome.findings.extend(own);
}

/// Reads a candidate; `Ok(None)` when its content shows it is not a format rampart reads.
fn read(candidate: &Candidate, max_size: u64) -> Result<Option<(Format, Arc<SourceFile>)>, Unread> {
    let named_format = match candidate.hint {
        NameHint::Format(format) => Some(format),
        NameHint::Sniff | NameHint::Yaml => None,
        NameHint::Skip => return Ok(None),
    };
    let bytes = read_bytes(&candidate.path, &candidate.display, max_size)?;
    // Sniff before checking the encoding: a binary file with no extension is simply not ours.
    let sniffed = || rampart_parse::detect(&candidate.path, &bytes[..bytes.len().min(4096)]);
    let Some(format) = named_format.or_else(sniffed) else {
        return Ok(None);
    };
    Ok(Some((format, source(bytes, &candidate.display).map_err(Unread::Failed)?)))
}

fn read_bytes(path: &Path, display: &str, max_size: u64) -> Result<Vec<u8>, Unread> {
    let failed = |e: std::io::Error| {
        let message = format!("could not read the file: {e}");
        Unread::Failed(ScanError::new(ErrorKind::Io, Some(display.to_owned()), message))
    };
    let size = std::fs::metadata(path).map_err(failed)?.len();
    if size > max_size {
        let message = format!(
            "the file is {:.1} MiB, over the {:.1} MiB size limit (--max-file-size); not scanned",
            mib(size),
            mib(max_size)
        );
        return Err(Unread::TooLarge(Notice { path: display.to_owned(), span: None, message }));
    }
    std::fs::read(path).map_err(failed)
}

#[allow(clippy::cast_precision_loss)] // for a message with one decimal
fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 20)
}

fn source(bytes: Vec<u8>, display: &str) -> Result<Arc<SourceFile>, ScanError> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let message = format!("the file is not valid UTF-8 (invalid byte at offset {offset})");
        // Shown with the bad bytes replaced: the text before them, and so the line and
        // column of the first, are exactly the file's.
        let shown = Arc::new(SourceFile::new(display, String::from_utf8_lossy(e.as_bytes()).into_owned()));
        ScanError::at(ErrorKind::Parse, &shown, rampart_model::Span::char_at(&shown.text, offset), message)
    })?;
    Ok(Arc::new(SourceFile::new(display, text)))
}

/// A Terraform module directory's scan, and the local modules it loaded.
struct ModuleScan {
    dir: Option<PathBuf>,
    outcome: Outcome,
    loaded: Vec<PathBuf>,
}

/// The module scans to report: a module that another scanned module calls is judged there,
/// with the arguments it is called with, not again on its own with its defaults. (Modules that
/// only call each other in a cycle are all kept.)
fn called_on_their_own(scans: Vec<ModuleScan>) -> impl Iterator<Item = ModuleScan> {
    use std::collections::HashSet;
    let called: HashSet<&PathBuf> = scans.iter().flat_map(|s| &s.loaded).collect();
    let is_top = |s: &ModuleScan| s.dir.as_ref().is_none_or(|d| !called.contains(d));
    let judged_elsewhere: HashSet<PathBuf> =
        scans.iter().filter(|s| is_top(s)).flat_map(|s| s.loaded.iter().cloned()).collect();
    scans.into_iter().filter(move |s| s.dir.as_ref().is_none_or(|d| !judged_elsewhere.contains(d)))
}

/// The `*.tf` and `*.tf.json` files of a directory, in name order, as Terraform loads them.
/// `names`: the directory's file names, sorted (see [`file_names`]).
fn module_files(
    dir: &Path,
    names: &[String],
    display: &str,
    settings: Settings<'_>,
    outcome: &mut Outcome,
) -> Vec<Arc<SourceFile>> {
    let mut files = Vec::new();
    for name in names.iter().filter(|n| terraform::is_module_file(n)) {
        let shown = if display == "." { name.clone() } else { format!("{display}/{name}") };
        outcome.files += 1;
        settings.progress.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let read = read_bytes(&dir.join(name), &shown, settings.max_file_size)
            .and_then(|bytes| source(bytes, &shown).map_err(Unread::Failed));
        match read {
            Ok(file) => {
                outcome.read(Format::Terraform, &file, settings.hash_files);
                files.push(file);
            }
            Err(unread) => outcome.unread(unread),
        }
    }
    files
}

/// The names of a directory's files, sorted.
fn file_names(dir: &Path) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}

/// Reads the local modules a root module calls, relative to the root's directory.
struct DirLoader<'a> {
    root: &'a Path,
    display: &'a str,
    settings: Settings<'a>,
    /// What reading the called modules' files found (counts, unreadable files).
    outcome: std::sync::Mutex<Outcome>,
}

impl terraform::Loader for DirLoader<'_> {
    fn load(&self, dir: &str) -> Result<Vec<Arc<SourceFile>>, String> {
        let path = self.root.join(dir);
        let display =
            if self.display == "." { dir.to_owned() } else { terraform::join_dir(self.display, dir) };
        let mut outcome = self.outcome.lock().map_err(|_| "a module reader failed earlier".to_owned())?;
        let before = outcome.errors.len() + outcome.notices.len();
        let names = file_names(&path)?;
        let files = module_files(&path, &names, &display, self.settings, &mut outcome);
        if outcome.errors.len() + outcome.notices.len() > before {
            return Err("a file of the module could not be read (reported on its own)".to_owned());
        }
        Ok(files)
    }
}

/// A Terraform module is a directory: every `*.tf` file in it is one document, as Terraform
/// loads them, whichever of them led discovery there; the local modules it calls join it.
fn scan_module(dir: &Path, display: &str, settings: Settings<'_>) -> ModuleScan {
    let mut outcome = Outcome::default();
    let canonical = dir.canonicalize().ok();
    let failed = |outcome: Outcome| ModuleScan { dir: canonical.clone(), outcome, loaded: Vec::new() };
    let names = match file_names(dir) {
        Ok(names) => names,
        Err(err) => {
            let message = format!("could not read the module directory: {err}");
            outcome.errors.push(ScanError::new(ErrorKind::Io, Some(display.to_owned()), message));
            return failed(outcome);
        }
    };
    let files = module_files(dir, &names, display, settings, &mut outcome);
    // Judging a module on part of its code would mislead: a missing file may hold the fix.
    if !outcome.errors.is_empty() || !outcome.notices.is_empty() || files.is_empty() {
        return failed(outcome);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let display_of = |name: &str| if display == "." { name.to_owned() } else { format!("{display}/{name}") };
    let mut inputs = terraform::Inputs::new();
    for index in terraform::auto_tfvars(&names) {
        let name = names[index];
        let added =
            read_bytes(&dir.join(name), &display_of(name), settings.max_file_size).and_then(|bytes| {
                let file = source(bytes, &display_of(name)).map_err(Unread::Failed)?;
                outcome.read(Format::Terraform, &file, settings.hash_files);
                let invalid =
                    |e: rampart_parse::ParseError| ScanError::at(ErrorKind::Parse, &file, e.span, e.message);
                inputs.add_tfvars(&file).map_err(|e| Unread::Failed(invalid(e)))
            });
        if let Err(unread) = added {
            outcome.unread(unread);
            return failed(outcome);
        }
    }
    inputs.extend(settings.terraform);
    let loader =
        DirLoader { root: dir, display, settings, outcome: std::sync::Mutex::new(Outcome::default()) };
    let parsed = terraform::parse_module_tree(files.clone(), &inputs, Some(&loader));
    if let Ok(called) = loader.outcome.into_inner() {
        outcome = outcome.merge(called);
    }
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(terraform::ModuleError { file, error }) => {
            let file = &files[file.min(files.len() - 1)];
            outcome.errors.push(ScanError::at(ErrorKind::Parse, file, error.span, error.message));
            return failed(outcome);
        }
    };
    for notice in parsed.notices {
        let span = Some((Arc::clone(&notice.file), notice.span));
        outcome.notices.push(Notice { path: notice.file.path.clone(), span, message: notice.message });
    }
    for error in parsed.errors {
        outcome.errors.push(ScanError::at(ErrorKind::Parse, &error.file, error.span, error.message));
    }
    evaluate(&parsed.document, settings, &mut outcome);
    let called = parsed.loaded.iter().filter_map(|d| dir.join(d).canonicalize().ok()).collect();
    ModuleScan { dir: canonical, outcome, loaded: called }
}
