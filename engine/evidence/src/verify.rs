//! Checking a bundle: every file against `SHA256SUMS`, and the signature of `SHA256SUMS`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::keys::{key_fingerprint, parse_public_key};
use crate::{PUBLIC_KEY_FILE, SIGNATURE_FILE, SUMS_FILE};

/// What a successful [`verify`] checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The files `SHA256SUMS` lists, all present and unchanged, sorted.
    pub files: Vec<String>,
    /// The fingerprint ([`crate::key_fingerprint`]) of the key whose signature of
    /// `SHA256SUMS` is valid; `None` for an unsigned bundle.
    pub signed_by: Option<String>,
    /// Whether that key is the trusted key the caller gave. Without one, a valid signature
    /// proves only that the bundle is unchanged since whoever holds the bundle's own key
    /// signed it, not who that was.
    pub pinned: bool,
}

/// What is wrong with one file of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// Relative to the bundle directory, `/`-separated.
    pub path: String,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Listed in `SHA256SUMS` but absent.
    Missing,
    /// Its SHA-256 is not the listed one.
    Changed { expected: String, actual: String },
    /// Present but not listed.
    Extra,
    /// Not a regular file (a symbolic link, a device...).
    NotAFile,
    /// Could not be read.
    Unreadable(String),
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        match &self.problem {
            Problem::Missing => write!(f, "{path}: missing (listed in {SUMS_FILE})"),
            Problem::Changed { expected, actual } => {
                write!(f, "{path}: changed (sha256 {actual}, {SUMS_FILE} lists {expected})")
            }
            Problem::Extra => {
                write!(f, "{path}: not listed in {SUMS_FILE} (added after the bundle was written)")
            }
            Problem::NotAFile => write!(f, "{path}: not a regular file"),
            Problem::Unreadable(e) => write!(f, "{path}: could not be read: {e}"),
        }
    }
}

/// Why a bundle does not verify.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{} is not an evidence bundle: it has no {SUMS_FILE}", .0.display())]
    NoChecksums(PathBuf),
    #[error("could not read {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{SUMS_FILE} line {line}: {reason}")]
    MalformedChecksums { line: usize, reason: String },
    #[error("{}", render_problems(.0))]
    Files(Vec<FileProblem>),
    #[error(
        "the bundle is not signed, but a trusted key was given: it cannot show that key's holder produced it"
    )]
    Unsigned,
    #[error("the signature is incomplete: {present} is present but {missing} is missing")]
    IncompleteSignature { present: &'static str, missing: &'static str },
    #[error("{PUBLIC_KEY_FILE} is not a usable public key: {0}")]
    BadPublicKey(String),
    #[error("{SIGNATURE_FILE} is not an Ed25519 signature (64 bytes), it has {0} bytes")]
    MalformedSignature(usize),
    #[error(
        "the signature in {SIGNATURE_FILE} does not match {SUMS_FILE} and the key in {PUBLIC_KEY_FILE}: {SUMS_FILE} was changed after signing, or the signature was made with another key"
    )]
    BadSignature,
    #[error(
        "the bundle is signed by key {found}, not by the trusted key {trusted}: it may have been edited and re-signed"
    )]
    UntrustedKey { found: String, trusted: String },
}

fn render_problems(problems: &[FileProblem]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    format!("the bundle's files do not match {SUMS_FILE}:\n  {}", lines.join("\n  "))
}

/// Checks a bundle written by [`crate::write_bundle`].
///
/// Every file `SHA256SUMS` lists must be present with that SHA-256, and no other file may be
/// present (apart from `SHA256SUMS`, `SHA256SUMS.sig` and `SHA256SUMS.pub` themselves). If
/// the bundle is signed, the signature of the exact bytes of `SHA256SUMS` must be valid for
/// the public key in `SHA256SUMS.pub`.
///
/// **Integrity is not origin.** Anyone can edit a bundle, recompute `SHA256SUMS` and sign it
/// with a key of their own, which then ships in `SHA256SUMS.pub`. Only with `trusted_key` (a
/// key obtained from the signer by other means) does verification show who produced the
/// bundle: the bundle's key must then equal it, and an unsigned bundle fails.
pub fn verify(dir: &Path, trusted_key: Option<&VerifyingKey>) -> Result<Verified, VerifyError> {
    let sums_path = dir.join(SUMS_FILE);
    let sums = match std::fs::read(&sums_path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VerifyError::NoChecksums(dir.to_owned()));
        }
        Err(source) => return Err(VerifyError::Io { path: sums_path, source }),
    };

    let signed_by = check_signature(dir, &sums, trusted_key)?;
    let listed = parse_sums(&sums)?;
    let mut problems = Vec::new();
    let mut present = BTreeSet::new();
    walk(dir, "", &mut present, &mut problems)
        .map_err(|source| VerifyError::Io { path: dir.to_owned(), source })?;

    for (path, expected) in &listed {
        if !present.contains(path) {
            if !problems.iter().any(|p: &FileProblem| &p.path == path) {
                problems.push(FileProblem { path: path.clone(), problem: Problem::Missing });
            }
            continue;
        }
        match std::fs::read(dir.join(path)) {
            Ok(bytes) => {
                let actual = hex::encode(Sha256::digest(&bytes));
                if &actual != expected {
                    problems.push(FileProblem {
                        path: path.clone(),
                        problem: Problem::Changed { expected: expected.clone(), actual },
                    });
                }
            }
            Err(e) => {
                let problem = Problem::Unreadable(e.to_string());
                problems.push(FileProblem { path: path.clone(), problem });
            }
        }
    }
    for path in &present {
        let own = [SUMS_FILE, SIGNATURE_FILE, PUBLIC_KEY_FILE].contains(&path.as_str());
        if !own && !listed.contains_key(path) {
            problems.push(FileProblem { path: path.clone(), problem: Problem::Extra });
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        return Err(VerifyError::Files(problems));
    }
    let pinned = trusted_key.is_some() && signed_by.is_some();
    Ok(Verified { files: listed.into_keys().collect(), signed_by, pinned })
}

/// The fingerprint of the key that validly signed `sums`, if the bundle is signed.
fn check_signature(
    dir: &Path,
    sums: &[u8],
    trusted_key: Option<&VerifyingKey>,
) -> Result<Option<String>, VerifyError> {
    let read_optional = |name: &str| {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(VerifyError::Io { path, source }),
        }
    };
    let (signature, public_key) = match (read_optional(SIGNATURE_FILE)?, read_optional(PUBLIC_KEY_FILE)?) {
        (None, None) if trusted_key.is_some() => return Err(VerifyError::Unsigned),
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(VerifyError::IncompleteSignature {
                present: SIGNATURE_FILE,
                missing: PUBLIC_KEY_FILE,
            });
        }
        (None, Some(_)) => {
            return Err(VerifyError::IncompleteSignature {
                present: PUBLIC_KEY_FILE,
                missing: SIGNATURE_FILE,
            });
        }
        (Some(signature), Some(public_key)) => (signature, public_key),
    };
    let text =
        String::from_utf8(public_key).map_err(|_| VerifyError::BadPublicKey("it is not text".into()))?;
    let key = parse_public_key(&text).map_err(VerifyError::BadPublicKey)?;
    let bytes: [u8; 64] =
        signature.as_slice().try_into().map_err(|_| VerifyError::MalformedSignature(signature.len()))?;
    key.verify_strict(sums, &Signature::from_bytes(&bytes)).map_err(|_| VerifyError::BadSignature)?;
    let found = key_fingerprint(&key);
    if let Some(trusted) = trusted_key
        && trusted != &key
    {
        return Err(VerifyError::UntrustedKey { found, trusted: key_fingerprint(trusted) });
    }
    Ok(Some(found))
}

/// `SHA256SUMS` as written: `<64 lowercase hex>  <relative path>` per line, each path once.
fn parse_sums(bytes: &[u8]) -> Result<BTreeMap<String, String>, VerifyError> {
    let malformed =
        |line: usize, reason: &str| VerifyError::MalformedChecksums { line, reason: reason.to_owned() };
    let text = std::str::from_utf8(bytes).map_err(|_| malformed(1, "the file is not UTF-8 text"))?;
    let mut listed = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let (hash, path) =
            line.split_once("  ").ok_or_else(|| malformed(number, "expected `<sha256>  <path>`"))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(malformed(number, "the checksum is not 64 lowercase hexadecimal digits"));
        }
        let safe = !path.is_empty()
            && !path.starts_with('/')
            && !path.contains('\\')
            && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
        if !safe {
            return Err(malformed(number, "the path must be relative, inside the bundle, `/`-separated"));
        }
        if [SUMS_FILE, SIGNATURE_FILE, PUBLIC_KEY_FILE].contains(&path) {
            return Err(malformed(number, "the checksum and signature files cannot list themselves"));
        }
        if listed.insert(path.to_owned(), hash.to_owned()).is_some() {
            return Err(malformed(number, "the path is listed twice"));
        }
    }
    if listed.is_empty() {
        return Err(malformed(1, "it lists no file"));
    }
    Ok(listed)
}

/// Every regular file under `dir`, as `/`-separated relative paths; anything else is a
/// problem (a symbolic link could point outside the bundle).
fn walk(
    dir: &Path,
    prefix: &str,
    files: &mut BTreeSet<String>,
    problems: &mut Vec<FileProblem>,
) -> std::io::Result<()> {
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), &relative, files, problems)?;
        } else if kind.is_file() {
            files.insert(relative);
        } else {
            problems.push(FileProblem { path: relative, problem: Problem::NotAFile });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_files_are_read_strictly() {
        let hash = "a".repeat(64);
        assert_eq!(parse_sums(format!("{hash}  report.html\n").as_bytes()).unwrap().len(), 1);
        for bad in [
            format!("{hash} report.html"),
            format!("{}  report.html", "A".repeat(64)),
            format!("{}  report.html", "a".repeat(63)),
            format!("{hash}  ../etc/passwd"),
            format!("{hash}  /etc/passwd"),
            format!("{hash}  a//b"),
            format!("{hash}  a\\b"),
            format!("{hash}  SHA256SUMS.sig"),
            format!("{hash}  x\n{hash}  x"),
            String::new(),
        ] {
            assert!(parse_sums(bad.as_bytes()).is_err(), "{bad:?} accepted");
        }
    }
}
