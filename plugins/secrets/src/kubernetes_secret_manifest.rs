//! `secrets/kubernetes-secret-manifest`: no Kubernetes Secret with its values in the
//! repository.
//!
//! ## What it does
//! Reports every key of a `Secret` object's `data` or `stringData` that has a value: `data`
//! is base64, an encoding anyone can reverse, not encryption. Values that are placeholders
//! once decoded (empty, `changeme`, `<password>`, `${DB_PASSWORD}` for envsubst) and public
//! material (certificates, public keys: `tls.crt`, `ca.crt`) are not reported. A value that
//! decodes to a known provider key or a private key is critical. `SealedSecret`,
//! `ExternalSecret` and Secrets without values are fine.
//!
//! ## Why is this bad?
//! Anyone who can read the repository can decode the Secret and act with its credentials;
//! the values stay in the history after the manifest is removed.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Secret
//! metadata: {name: db}
//! data:
//!   password: aHVudGVyMi1wcm9k
//! ```
//!
//! ## Use instead
//! ```yaml
//! apiVersion: external-secrets.io/v1beta1
//! kind: ExternalSecret
//! metadata: {name: db}
//! spec:
//!   secretStoreRef: {name: aws, kind: ClusterSecretStore}
//!   target: {name: db}
//!   data:
//!     - secretKey: password
//!       remoteRef: {key: prod/db, property: password}
//! ```

use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity, kubernetes, mask};

use crate::detect::{base64_decode, has_reference, is_placeholder, known_formats};

pub const RULE: Rule = Rule {
    id: "secrets/kubernetes-secret-manifest",
    title: "Kubernetes Secrets are not committed with their values",
    severity: Severity::High,
    formats: &[Format::Kubernetes],
    rationale: "A Secret manifest's `data` is only base64-encoded: anyone who can read the \
        repository, a clone or its history decodes it in one command and holds the \
        credentials. RBAC on the cluster protects nothing once the values are in git.",
    remediation: "Keep the values out of the repository: create the Secret from a secret store \
        with the External Secrets Operator (`kind: ExternalSecret`) or the Secrets Store CSI \
        driver, commit it encrypted (`kind: SealedSecret`, or SOPS), or create it at deploy \
        time (`kubectl create secret generic db --from-literal=password=...` in CI). Rotate \
        the values that were committed.",
    references: &["CIS Kubernetes Benchmark 5.4.2", "NIST SP 800-53 IA-5(7)", "NIST SP 800-53 SC-28"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for secret in kubernetes::objects_of(doc, &["Secret"]) {
        let owner = kubernetes::describe(secret);
        for (field, encoded) in [("data", true), ("stringData", false)] {
            for (key, value) in secret.get(field).into_iter().flat_map(Node::entries) {
                let Some(text) = value.str().or_else(|| value.as_f64().map(|_| value.text())) else {
                    continue;
                };
                // Binary data (a keystore) and text that is not base64 are judged as written.
                let (decoded, note) = if encoded {
                    match base64_decode(text.trim(), false) {
                        Some(bytes) => match String::from_utf8(bytes) {
                            Ok(text) => (Some(text), None),
                            Err(_) => (None, Some("binary data")),
                        },
                        None => (None, Some("not valid base64")),
                    }
                } else {
                    (Some(text.to_owned()), None)
                };
                let plain = decoded.as_deref().unwrap_or(text);
                if plain.trim().is_empty()
                    || is_placeholder(plain)
                    || has_reference(plain)
                    || is_public(plain)
                {
                    continue;
                }
                let known = known_formats(plain);
                let how = if encoded {
                    "base64 is an encoding, not encryption"
                } else {
                    "`stringData` is plain text"
                };
                let detail = match note {
                    Some(note) => note.to_owned(),
                    None => format!("{} characters, `{}`", plain.chars().count(), mask(plain.trim())),
                };
                let message = match known.first() {
                    Some(k) if k.private_key => {
                        format!("{owner} holds {} under `{key}` in the repository: {how}", k.what)
                    }
                    Some(k) => {
                        format!(
                            "{owner} holds {} (`{}`) under `{key}` in the repository: {how}",
                            k.what,
                            mask(k.text)
                        )
                    }
                    None => format!("{owner} holds `{key}` in the repository ({detail}): {how}"),
                };
                let report = cx.report(value, message).secret();
                if !known.is_empty() {
                    report.severity(Severity::Critical);
                }
            }
        }
    }
}

/// Certificates and public keys: public by design.
fn is_public(plain: &str) -> bool {
    let text = plain.trim_start();
    let mut rest = text;
    // Every PEM block is a certificate or a public key.
    let mut blocks = 0;
    while let Some(start) = rest.find("-----BEGIN ") {
        let label_end = rest[start + 11..].find("-----").map_or(rest.len(), |i| start + 11 + i);
        let label = &rest[start + 11..label_end];
        if !(label.contains("CERTIFICATE") || label.contains("PUBLIC KEY")) {
            return false;
        }
        blocks += 1;
        rest = &rest[label_end..];
    }
    blocks > 0
        || text.starts_with("ssh-rsa ")
        || text.starts_with("ssh-ed25519 ")
        || text.starts_with("ecdsa-sha2-")
}
