//! Writing a bundle and verifying it: checksums, signatures, and every way to tamper.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Fixture, has_binary, read_all};
use ed25519_dalek::{Signer, SigningKey};
use rampart_evidence::{
    EvidenceError, Problem, VerifyError, generate_key_pair, key_fingerprint, read_signing_key,
    read_verifying_key, verify, write_bundle,
};
use sha2::{Digest, Sha256};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn write(dir: &Path, key: Option<&SigningKey>) -> rampart_evidence::BundleSummary {
    let fixture = Fixture::soc2();
    write_bundle(dir, &fixture.scope(), &fixture.assessment(), key).unwrap()
}

fn file_problems(err: VerifyError) -> Vec<(String, Problem)> {
    match err {
        VerifyError::Files(problems) => problems.into_iter().map(|p| (p.path, p.problem)).collect(),
        other => panic!("expected file problems, got: {other}"),
    }
}

#[test]
fn a_signed_bundle_verifies_against_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("evidence");
    let signing = key(7);
    let summary = write(&bundle, Some(&signing));
    assert_eq!(
        summary.files,
        [
            "SHA256SUMS",
            "SHA256SUMS.pub",
            "SHA256SUMS.sig",
            "assessment-results.json",
            "controls.csv",
            "evidence.json",
            "report.html"
        ]
    );
    let fingerprint = key_fingerprint(&signing.verifying_key());
    assert_eq!(summary.signed_by.as_deref(), Some(fingerprint.as_str()));

    let verified = verify(&bundle, Some(&signing.verifying_key())).unwrap();
    assert_eq!(verified.files, ["assessment-results.json", "controls.csv", "evidence.json", "report.html"]);
    assert_eq!(verified.signed_by.as_deref(), Some(fingerprint.as_str()));
    assert!(verified.pinned);

    let unpinned = verify(&bundle, None).unwrap();
    assert_eq!(unpinned.signed_by.as_deref(), Some(fingerprint.as_str()));
    assert!(!unpinned.pinned, "without a trusted key nothing says who signed");
}

#[test]
fn an_unsigned_bundle_verifies_for_integrity_only() {
    let dir = tempfile::tempdir().unwrap();
    let summary = write(dir.path(), None);
    assert_eq!(summary.signed_by, None);
    let verified = verify(dir.path(), None).unwrap();
    assert_eq!(verified.signed_by, None);
    assert!(!verified.pinned);
    assert_eq!(verified.files.len(), 4);
}

#[test]
fn an_unsigned_bundle_fails_against_a_trusted_key() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), None);
    let err = verify(dir.path(), Some(&key(7).verifying_key())).unwrap_err();
    assert!(matches!(err, VerifyError::Unsigned), "{err}");
}

#[test]
fn one_changed_byte_of_the_report_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), Some(&key(7)));
    let report = dir.path().join("report.html");
    let mut bytes = std::fs::read(&report).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&report, bytes).unwrap();
    let err = verify(dir.path(), Some(&key(7).verifying_key())).unwrap_err();
    let message = err.to_string();
    let problems = file_problems(err);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "report.html");
    assert!(matches!(problems[0].1, Problem::Changed { .. }));
    assert!(message.contains("report.html: changed"), "{message}");
}

#[test]
fn an_added_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), None);
    std::fs::write(dir.path().join("extra.txt"), "planted").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/deeper.json"), "{}").unwrap();
    let problems = file_problems(verify(dir.path(), None).unwrap_err());
    assert_eq!(
        problems,
        [("extra.txt".to_owned(), Problem::Extra), ("sub/deeper.json".to_owned(), Problem::Extra)]
    );
}

#[test]
fn a_deleted_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), Some(&key(7)));
    std::fs::remove_file(dir.path().join("controls.csv")).unwrap();
    let err = verify(dir.path(), None).unwrap_err();
    assert!(err.to_string().contains("controls.csv: missing"), "{err}");
    assert_eq!(file_problems(err), [("controls.csv".to_owned(), Problem::Missing)]);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_place_of_a_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), None);
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::copy(dir.path().join("report.html"), outside.path()).unwrap();
    std::fs::remove_file(dir.path().join("report.html")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("report.html")).unwrap();
    assert_eq!(
        file_problems(verify(dir.path(), None).unwrap_err()),
        [("report.html".to_owned(), Problem::NotAFile)]
    );
}

/// Someone edits the report, recomputes SHA256SUMS and signs it with their own key: the
/// bundle is consistent (so an unpinned check passes) but not signed by the trusted key.
#[test]
fn a_bundle_re_signed_with_another_key_fails_against_the_trusted_key() {
    let dir = tempfile::tempdir().unwrap();
    let original = key(7);
    write(dir.path(), Some(&original));

    let report = dir.path().join("report.html");
    let edited = std::fs::read_to_string(&report).unwrap().replace("fail", "pass");
    std::fs::write(&report, &edited).unwrap();
    let sums = std::fs::read_to_string(dir.path().join("SHA256SUMS")).unwrap();
    let sums: String = sums
        .lines()
        .map(|line| {
            if line.ends_with("  report.html") {
                format!("{}  report.html\n", hex::encode(Sha256::digest(edited.as_bytes())))
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(dir.path().join("SHA256SUMS"), &sums).unwrap();
    let forger = key(9);
    std::fs::write(dir.path().join("SHA256SUMS.sig"), forger.sign(sums.as_bytes()).to_bytes()).unwrap();
    let pem = {
        use ed25519_dalek::pkcs8::EncodePublicKey;
        forger
            .verifying_key()
            .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap()
    };
    std::fs::write(dir.path().join("SHA256SUMS.pub"), pem).unwrap();

    let unpinned = verify(dir.path(), None).unwrap();
    assert_eq!(unpinned.signed_by, Some(key_fingerprint(&forger.verifying_key())));
    let err = verify(dir.path(), Some(&original.verifying_key())).unwrap_err();
    match &err {
        VerifyError::UntrustedKey { found, trusted } => {
            assert_eq!(found, &key_fingerprint(&forger.verifying_key()));
            assert_eq!(trusted, &key_fingerprint(&original.verifying_key()));
        }
        other => panic!("expected an untrusted key, got: {other}"),
    }
}

#[test]
fn edited_checksums_break_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), Some(&key(7)));
    let path = dir.path().join("SHA256SUMS");
    let sums = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, sums.replacen('a', "b", 1)).unwrap();
    assert!(matches!(verify(dir.path(), None).unwrap_err(), VerifyError::BadSignature));
}

#[test]
fn half_a_signature_fails() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), Some(&key(7)));
    std::fs::remove_file(dir.path().join("SHA256SUMS.pub")).unwrap();
    let err = verify(dir.path(), None).unwrap_err();
    assert!(matches!(err, VerifyError::IncompleteSignature { .. }), "{err}");
}

#[test]
fn a_directory_without_checksums_is_not_a_bundle() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(verify(dir.path(), None).unwrap_err(), VerifyError::NoChecksums(_)));
}

#[test]
fn bundles_are_written_only_to_new_or_empty_directories() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.txt"), "x").unwrap();
    let fixture = Fixture::soc2();
    let err = write_bundle(dir.path(), &fixture.scope(), &fixture.assessment(), None).unwrap_err();
    assert!(matches!(err, EvidenceError::NotEmpty(_)), "{err}");
    assert_eq!(read_all(dir.path()).len(), 1, "nothing written");
}

#[test]
fn every_scanned_file_needs_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let mut fixture = Fixture::soc2();
    fixture.files[1].sha256 = None;
    let err = write_bundle(&dir.path().join("b"), &fixture.scope(), &fixture.assessment(), None).unwrap_err();
    assert!(matches!(&err, EvidenceError::MissingHash(path) if path == "infra/main.tf"), "{err}");
}

#[test]
fn a_policy_without_controls_has_nothing_to_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Fixture::with_packs(&["baseline"]);
    let err = write_bundle(&dir.path().join("b"), &fixture.scope(), &fixture.assessment(), None).unwrap_err();
    assert!(matches!(err, EvidenceError::NoControls), "{err}");
}

#[test]
fn sha256sum_checks_the_bundle() {
    if !has_binary("sha256sum") {
        eprintln!("skipped: no sha256sum binary");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), Some(&key(7)));
    let output = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).matches(": OK").count(), 4);
}

#[test]
fn openssl_verifies_the_signature() {
    if !has_binary("openssl") {
        eprintln!("skipped: no openssl binary");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), Some(&key(7)));
    let output = Command::new("openssl")
        .args([
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "SHA256SUMS.pub",
            "-rawin",
            "-in",
            "SHA256SUMS",
            "-sigfile",
            "SHA256SUMS.sig",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `openssl genpkey -algorithm ed25519` writes the private key an operator will most likely
/// have; `openssl pkey -pubout` the public key they hand out.
#[test]
fn keys_made_by_openssl_sign_and_verify_bundles() {
    if !has_binary("openssl") {
        eprintln!("skipped: no openssl binary");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("signing.pem");
    let public = dir.path().join("signing.pub");
    let run = |args: &[&str]| {
        let output = Command::new("openssl").args(args).current_dir(dir.path()).output().unwrap();
        assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    run(&["genpkey", "-algorithm", "ed25519", "-out", "signing.pem"]);
    run(&["pkey", "-in", "signing.pem", "-pubout", "-out", "signing.pub"]);

    let signing = read_signing_key(&private).unwrap();
    let trusted = read_verifying_key(&public).unwrap();
    assert_eq!(signing.verifying_key(), trusted);
    let bundle = dir.path().join("bundle");
    write(&bundle, Some(&signing));
    let verified = verify(&bundle, Some(&trusted)).unwrap();
    assert!(verified.pinned);
    assert_eq!(
        std::fs::read_to_string(bundle.join("SHA256SUMS.pub")).unwrap(),
        std::fs::read_to_string(&public).unwrap(),
        "the bundle's key file is what openssl writes for the key"
    );
}

#[test]
fn generated_keys_sign_bundles_that_verify() {
    let dir = tempfile::tempdir().unwrap();
    let pair = generate_key_pair(&dir.path().join("evidence")).unwrap();
    let bundle = dir.path().join("bundle");
    let summary = write(&bundle, Some(&read_signing_key(&pair.private_key).unwrap()));
    assert_eq!(summary.signed_by.as_deref(), Some(pair.fingerprint.as_str()));
    let verified = verify(&bundle, Some(&read_verifying_key(&pair.public_key).unwrap())).unwrap();
    assert_eq!(verified.signed_by, Some(pair.fingerprint));
}

#[test]
fn identical_inputs_give_identical_bundles() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("a"), Some(&key(7)));
    write(&dir.path().join("b"), Some(&key(7)));
    assert_eq!(read_all(&dir.path().join("a")), read_all(&dir.path().join("b")));

    // Other times: only the times (and the checksums and signature over them) differ; the
    // OSCAL identities stay.
    let mut later = Fixture::soc2();
    later.started += std::time::Duration::from_hours(24);
    later.finished += std::time::Duration::from_hours(24);
    write_bundle(&dir.path().join("c"), &later.scope(), &later.assessment(), None).unwrap();
    let uuids = |name: &str| {
        let text = std::fs::read_to_string(dir.path().join(name).join("assessment-results.json")).unwrap();
        let mut found: Vec<String> = text
            .split('"')
            .filter(|s| s.len() == 36 && s.chars().filter(|&c| c == '-').count() == 4)
            .map(str::to_owned)
            .collect();
        found.sort();
        found
    };
    assert_eq!(uuids("a"), uuids("c"));
    assert_ne!(
        std::fs::read(dir.path().join("a/evidence.json")).unwrap(),
        std::fs::read(dir.path().join("c/evidence.json")).unwrap()
    );
}
