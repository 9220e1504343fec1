//! `rampart evidence` end to end: a bundle from a real scan, verified, then tampered with.

mod support;

use std::path::Path;

use support::{rampart, run};

fn evidence(dir: &Path, args: &[&str]) -> support::Run {
    run(rampart().args(["evidence"]).args(args).arg("--output").arg(dir))
}

#[test]
fn a_signed_bundle_verifies_and_fails_once_edited() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("auditor");
    let out = run(rampart().args(["evidence", "keygen", "--output"]).arg(&keys));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let private = tmp.path().join("auditor.key");
    let public = tmp.path().join("auditor.pub");
    assert!(private.is_file() && public.is_file(), "{}", out.stdout);

    let bundle = tmp.path().join("bundle");
    let out = evidence(
        &bundle,
        &["--policy", "soc2", "--sign-key", private.to_str().unwrap(), "fixtures/seeds/001-course-companion"],
    );
    assert_eq!(out.code, 1, "the seed fails controls: {}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("fail "), "a per-control summary: {}", out.stdout);
    for file in ["assessment-results.json", "controls.csv", "report.html", "SHA256SUMS"] {
        assert!(bundle.join(file).is_file(), "{file} missing");
    }

    // The OSCAL document: the structure its schema requires, and the scope's hashes.
    let oscal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle.join("assessment-results.json")).unwrap()).unwrap();
    let results = &oscal["assessment-results"];
    for field in ["uuid", "metadata", "import-ap", "results"] {
        assert!(!results[field].is_null(), "assessment-results.{field}");
    }
    let result = &results["results"][0];
    for field in ["uuid", "title", "description", "start", "reviewed-controls"] {
        assert!(!result[field].is_null(), "results[0].{field}");
    }
    assert!(!result["observations"].as_array().unwrap().is_empty());
    assert!(!result["findings"].as_array().unwrap().is_empty());
    let back_matter = serde_json::to_string(&results["back-matter"]).unwrap();
    let dockerfile =
        std::fs::read(support::repo().join("fixtures/seeds/001-course-companion/backend.Dockerfile"));
    if let Ok(bytes) = dockerfile {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(bytes));
        assert!(back_matter.contains(&sha), "the scanned files' hashes are in the back-matter");
    }

    // No secret reaches the bundle: the seed's production env holds a plaintext SECRET_KEY.
    let env =
        std::fs::read_to_string(support::repo().join("fixtures/seeds/001-course-companion/.env.production"))
            .unwrap_or_default();
    for line in env.lines().filter(|l| l.starts_with("SECRET_KEY=")) {
        let secret = line.trim_start_matches("SECRET_KEY=").trim_matches('"');
        for file in ["assessment-results.json", "controls.csv", "report.html"] {
            let text = std::fs::read_to_string(bundle.join(file)).unwrap();
            assert!(secret.len() < 12 || !text.contains(secret), "{file} shows the secret");
        }
    }

    let verify = |extra: &[&str]| run(rampart().args(["evidence", "verify"]).arg(&bundle).args(extra));
    let out = verify(&["--public-key", public.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.starts_with("OK: "), "{}", out.stdout);

    // Another key: the signature is valid but not by the key the auditor trusts.
    let other = tmp.path().join("other");
    run(rampart().args(["evidence", "keygen", "--output"]).arg(&other));
    let out = verify(&["--public-key", tmp.path().join("other.pub").to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stdout);

    let html = bundle.join("report.html");
    let mut text = std::fs::read_to_string(&html).unwrap();
    text = text.replacen("fail", "pass", 1);
    std::fs::write(&html, text).unwrap();
    let out = verify(&[]);
    assert_eq!(out.code, 1, "an edited bundle fails: {}", out.stdout);
    assert!(out.stdout.contains("report.html"), "says which file: {}", out.stdout);
}

#[test]
fn evidence_needs_a_pack_with_controls_and_an_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = evidence(&tmp.path().join("b"), &["--policy", "baseline", "fixtures/seeds/000-masterx"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("no policy pack in force maps any control"), "{}", out.stderr);

    std::fs::write(tmp.path().join("stray.txt"), "x").unwrap();
    let out = evidence(tmp.path(), &["--policy", "gdpr", "fixtures/seeds/000-masterx"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is not empty"), "{}", out.stderr);
}
