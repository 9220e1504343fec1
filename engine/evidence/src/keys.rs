//! Ed25519 keys in the PEM files OpenSSL reads and writes: a private key as PKCS#8
//! (`-----BEGIN PRIVATE KEY-----`, what `openssl genpkey -algorithm ed25519` writes), a
//! public key as SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`, what
//! `openssl pkey -pubout` writes).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A key that could not be read or written. Never shows key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not read the key {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("could not write the key {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{} already exists: a new key never replaces a file", .0.display())]
    Exists(PathBuf),
    #[error("{} is not {expected}: {reason}", path.display())]
    Invalid { path: PathBuf, expected: &'static str, reason: String },
}

const PRIVATE_PEM: &str = "an Ed25519 private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----, as `openssl genpkey -algorithm ed25519` writes)";
const PUBLIC_PEM: &str =
    "an Ed25519 public key in PEM (-----BEGIN PUBLIC KEY-----, as `openssl pkey -pubout` writes)";

/// Reads an Ed25519 private key from a PKCS#8 PEM file.
pub fn read_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|source| KeyError::Read { path: path.to_owned(), source })?,
    );
    SigningKey::from_pkcs8_pem(&text).map_err(|e| {
        let reason = if text.contains("-----BEGIN PUBLIC KEY-----") {
            "it holds a public key; signing needs the private key".to_owned()
        } else if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            "it is encrypted, and rampart reads only unencrypted keys (keep the file readable by its owner only)".to_owned()
        } else {
            e.to_string()
        };
        KeyError::Invalid { path: path.to_owned(), expected: PRIVATE_PEM, reason }
    })
}

/// Reads an Ed25519 public key from a PEM file.
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| KeyError::Read { path: path.to_owned(), source })?;
    parse_public_key(&text).map_err(|reason| KeyError::Invalid {
        path: path.to_owned(),
        expected: PUBLIC_PEM,
        reason,
    })
}

/// A public key from PEM text, or why it is not one.
pub(crate) fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    VerifyingKey::from_public_key_pem(text).map_err(|e| {
        if text.contains("PRIVATE KEY-----") {
            "it holds a private key: pass the public key (never hand out the private one)".to_owned()
        } else {
            e.to_string()
        }
    })
}

/// The public key as SubjectPublicKeyInfo PEM.
pub(crate) fn public_key_pem(key: &VerifyingKey) -> String {
    // Encoding a 32-byte key into a fixed-size structure cannot fail; fall back to an
    // empty string rather than panic (verification would then refuse the bundle).
    key.to_public_key_pem(LineEnding::LF).unwrap_or_default()
}

/// A key's fingerprint: the SHA-256 of its DER SubjectPublicKeyInfo, lowercase hex. The
/// same as `openssl pkey -pubin -in KEY.pub -outform DER | sha256sum`.
pub fn key_fingerprint(key: &VerifyingKey) -> String {
    match key.to_public_key_der() {
        Ok(der) => hex::encode(Sha256::digest(der.as_bytes())),
        // As above: cannot happen for an Ed25519 key; the raw key still identifies it.
        Err(_) => hex::encode(Sha256::digest(key.as_bytes())),
    }
}

/// The files a new key pair was written to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPair {
    /// `PREFIX.key`: the private key, PKCS#8 PEM, readable by its owner only (on Unix).
    pub private_key: PathBuf,
    /// `PREFIX.pub`: the public key, PEM, to hand to auditors.
    pub public_key: PathBuf,
    /// See [`key_fingerprint`].
    pub fingerprint: String,
}

/// Generates an Ed25519 key pair from the operating system's random source and writes it
/// to `PREFIX.key` and `PREFIX.pub`; neither may exist.
pub fn generate_key_pair(prefix: &Path) -> Result<KeyPair, KeyError> {
    let with_extension = |ext: &str| {
        let mut name = prefix.as_os_str().to_owned();
        name.push(ext);
        PathBuf::from(name)
    };
    let private_key = with_extension(".key");
    let public_key = with_extension(".pub");
    for path in [&private_key, &public_key] {
        if path.exists() {
            return Err(KeyError::Exists(path.clone()));
        }
    }
    let key = SigningKey::generate(&mut rand_core::OsRng);
    let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| KeyError::Invalid {
        path: private_key.clone(),
        expected: PRIVATE_PEM,
        reason: e.to_string(),
    })?;
    write_file(&private_key, pem.as_bytes(), true)?;
    let verifying = key.verifying_key();
    write_file(&public_key, public_key_pem(&verifying).as_bytes(), false)?;
    Ok(KeyPair { private_key, public_key, fingerprint: key_fingerprint(&verifying) })
}

/// Writes a new file; a private one is readable by its owner only (on Unix).
fn write_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), KeyError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let error = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::Exists(path.to_owned())
        } else {
            KeyError::Write { path: path.to_owned(), source }
        }
    };
    let mut file = options.open(path).map_err(error)?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_read_back_and_are_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("evidence");
        let pair = generate_key_pair(&prefix).unwrap();
        assert_eq!(pair.private_key, dir.path().join("evidence.key"));
        let signing = read_signing_key(&pair.private_key).unwrap();
        let verifying = read_verifying_key(&pair.public_key).unwrap();
        assert_eq!(signing.verifying_key(), verifying);
        assert_eq!(pair.fingerprint, key_fingerprint(&verifying));
        assert_eq!(pair.fingerprint.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&pair.private_key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(generate_key_pair(&prefix), Err(KeyError::Exists(_))));
    }

    #[test]
    fn swapped_keys_are_refused_with_a_hint_and_without_key_material() {
        let dir = tempfile::tempdir().unwrap();
        let pair = generate_key_pair(&dir.path().join("k")).unwrap();
        let err = read_signing_key(&pair.public_key).unwrap_err().to_string();
        assert!(err.contains("holds a public key"), "{err}");
        let err = read_verifying_key(&pair.private_key).unwrap_err().to_string();
        assert!(err.contains("holds a private key"), "{err}");
        let private = std::fs::read_to_string(&pair.private_key).unwrap();
        let body: String = private.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(!err.contains(&body));
        std::fs::write(dir.path().join("junk.pem"), "not a key").unwrap();
        assert!(read_verifying_key(&dir.path().join("junk.pem")).is_err());
    }

    #[test]
    fn fingerprints_match_openssl() {
        if !crate::has_binary("openssl") {
            eprintln!("skipped: no openssl binary");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let pair = generate_key_pair(&dir.path().join("k")).unwrap();
        let der = std::process::Command::new("openssl")
            .args(["pkey", "-pubin", "-outform", "DER", "-in"])
            .arg(&pair.public_key)
            .output()
            .unwrap();
        assert!(der.status.success(), "{}", String::from_utf8_lossy(&der.stderr));
        assert_eq!(pair.fingerprint, hex::encode(Sha256::digest(&der.stdout)));
    }

    #[test]
    fn encrypted_keys_are_refused_with_a_reason() {
        if !crate::has_binary("openssl") {
            eprintln!("skipped: no openssl binary");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("encrypted.pem");
        let status = std::process::Command::new("openssl")
            .args(["genpkey", "-algorithm", "ed25519", "-aes256", "-pass", "pass:secret", "-out"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
        let err = read_signing_key(&path).unwrap_err().to_string();
        assert!(err.contains("encrypted"), "{err}");
    }
}
