//! Finding the files to scan: walks directories respecting `.gitignore` (and
//! `.rampartignore`), applies `--exclude` patterns, and keeps the files whose name may
//! belong to a format rampart reads.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rampart_parse::NameHint;

/// A file that may be scanned.
#[derive(Debug)]
pub struct Candidate {
    pub path: PathBuf,
    /// The path as the user would type it: relative to the current directory when possible.
    pub display: String,
    pub hint: NameHint,
    /// Named on the command line (not found by walking a directory).
    pub explicit: bool,
}

/// Walks `roots` and returns the candidates in a deterministic order. A root that does not
/// exist is a usage error.
pub fn discover(roots: &[PathBuf], excludes: &[String]) -> Result<Vec<Candidate>> {
    let cwd = std::env::current_dir().context("could not read the current directory")?;
    for root in roots {
        if !root.exists() {
            bail!("{}: no such file or directory", root.display());
        }
    }
    let excludes = exclude_matcher(&cwd, excludes)?;
    let mut builder = ignore::WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    builder
        // Dotfiles such as `.env` matter; `.git` itself never does.
        .hidden(false)
        .require_git(false)
        .add_custom_ignore_filename(".rampartignore")
        .filter_entry(|entry| entry.file_name() != ".git");
    let mut candidates = Vec::new();
    for entry in builder.build() {
        let entry = entry.context("could not walk the directory tree")?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let explicit = entry.depth() == 0;
        let path = entry.into_path();
        if excluded(&excludes, &cwd, &path) {
            continue;
        }
        let hint = rampart_parse::hint(&path);
        // A file the user named is kept even when its name says nothing, so the scan can
        // say it was skipped instead of passing over it in silence.
        if hint == NameHint::Skip && !explicit {
            continue;
        }
        candidates.push(Candidate { display: display_path(&cwd, &path), path, hint, explicit });
    }
    candidates.sort_by(|a, b| a.display.cmp(&b.display));
    candidates.dedup_by(|a, b| a.display == b.display);
    Ok(candidates)
}

fn exclude_matcher(cwd: &Path, patterns: &[String]) -> Result<Gitignore> {
    let mut builder = GitignoreBuilder::new(cwd);
    for pattern in patterns {
        builder.add_line(None, pattern).with_context(|| format!("invalid --exclude pattern `{pattern}`"))?;
    }
    builder.build().context("invalid --exclude patterns")
}

fn excluded(excludes: &Gitignore, cwd: &Path, path: &Path) -> bool {
    let absolute = if path.is_absolute() { path.to_owned() } else { cwd.join(path) };
    // Patterns are rooted at the current directory; paths outside it can only match by name
    // (and must not reach the matcher, which requires paths under its root).
    match absolute.strip_prefix(cwd) {
        Ok(relative) => excludes.matched_path_or_any_parents(relative, false).is_ignore(),
        Err(_) => path.file_name().is_some_and(|name| excludes.matched(Path::new(name), false).is_ignore()),
    }
}

/// `./a/b` -> `a/b`; an absolute path under the current directory -> relative.
fn display_path(cwd: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(cwd).unwrap_or(path);
    let relative = relative.strip_prefix(".").unwrap_or(relative);
    relative.to_string_lossy().into_owned()
}
