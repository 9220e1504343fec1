//! What the bundle says: statuses, the OSCAL document, the CSV and the HTML report.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use common::{Fixture, NASTY_MESSAGE, SECRET, WAIVER, json, read_all};
use rampart_evidence::{Status, write_bundle};
use rampart_model::{ErrorKind, Format, ScannedFile};
use serde_json::Value;

fn bundle(fixture: &Fixture) -> (tempfile::TempDir, rampart_evidence::BundleSummary) {
    let dir = tempfile::tempdir().unwrap();
    let summary = write_bundle(dir.path(), &fixture.scope(), &fixture.assessment(), None).unwrap();
    (dir, summary)
}

fn statuses(summary: &rampart_evidence::BundleSummary) -> BTreeMap<String, Status> {
    summary.controls.iter().map(|c| (format!("{}/{}", c.pack, c.id), c.status)).collect()
}

#[test]
fn control_statuses_for_a_mix_of_outcomes() {
    let (_dir, summary) = bundle(&Fixture::soc2());
    let got = statuses(&summary);
    let expected: BTreeMap<String, Status> = [
        ("A1.2", Status::NotApplicable),
        ("C1.1", Status::Pass),
        ("CC6.1", Status::Fail),
        ("CC6.3", Status::Fail),
        ("CC6.6", Status::Waived),
        ("CC6.7", Status::Waived),
        ("CC6.8", Status::Fail),
        ("CC7.2", Status::Pass),
        ("CC7.3", Status::Pass),
        ("CC7.5", Status::NotApplicable),
    ]
    .into_iter()
    .map(|(id, s)| (format!("soc2/{id}"), s))
    .collect();
    assert_eq!(got, expected);
    assert_eq!(summary.count(Status::Fail), 3);
}

#[test]
fn a_scan_error_on_a_file_leaves_its_controls_incompletely_assessed() {
    let mut fixture = Fixture::soc2();
    fixture.add_error(ErrorKind::Parse, Some("infra/main.tf"), "unexpected `}`");
    let (dir, summary) = bundle(&fixture);
    let got = statuses(&summary);
    assert_eq!(got["soc2/CC7.2"], Status::Error, "logging reads only the broken file");
    assert_eq!(got["soc2/C1.1"], Status::Error, "encryption reads it; secrets passes .env");
    assert_eq!(got["soc2/CC6.7"], Status::Error, "a waived finding does not outrank an error");
    assert_eq!(got["soc2/CC6.1"], Status::Fail, "a failure outranks an error");
    assert_eq!(got["soc2/CC7.5"], Status::NotApplicable);

    let evidence = json(dir.path(), "evidence.json");
    let control = find(&evidence["controls"], "id", "CC7.2");
    let file = &control["rules"][0]["files"][0];
    assert_eq!(file["path"], "infra/main.tf");
    assert_eq!(file["status"], "error");
    assert_eq!(file["errors"][0]["message"], "unexpected `}`");
}

#[test]
fn an_error_that_names_no_scanned_file_spares_no_control_in_force() {
    let mut fixture = Fixture::soc2();
    fixture.add_error(ErrorKind::Io, Some("unreadable.tf"), "permission denied");
    let (_dir, summary) = bundle(&fixture);
    let got = statuses(&summary);
    assert_eq!(got["soc2/CC7.2"], Status::Error);
    assert_eq!(got["soc2/CC6.7"], Status::Error);
    assert_eq!(got["soc2/CC6.1"], Status::Fail);
    assert_eq!(got["soc2/A1.2"], Status::NotApplicable, "no rule in force: nothing the file could fail");
}

#[test]
fn rules_without_files_of_their_formats_assess_nothing() {
    let mut fixture = Fixture::soc2();
    fixture.files.retain(|f| f.format != Format::Terraform);
    let (dir, summary) = bundle(&fixture);
    let got = statuses(&summary);
    assert_eq!(got["soc2/CC7.2"], Status::NotApplicable, "logging reads Terraform only");
    // The waived TLS finding names a file the inventory no longer has: it is kept anyway.
    assert_eq!(got["soc2/CC6.7"], Status::Waived);
    let evidence = json(dir.path(), "evidence.json");
    let file = &find(&evidence["controls"], "id", "CC6.7")["rules"][0]["files"][0];
    assert_eq!(file["path"], "infra/main.tf");
    assert_eq!(file["sha256"], Value::Null);
}

#[test]
fn evidence_json_records_scope_rules_parameters_and_waivers() {
    let (dir, _) = bundle(&Fixture::soc2());
    let evidence = json(dir.path(), "evidence.json");
    assert_eq!(evidence["format_version"], 1);
    assert_eq!(evidence["started"], "2026-01-01T00:00:00Z");
    assert_eq!(evidence["finished"], "2026-01-01T00:00:42Z");
    assert_eq!(evidence["git_commit"], "0123456789abcdef0123456789abcdef01234567");
    assert_eq!(evidence["files"].as_array().unwrap().len(), 4);
    assert_eq!(evidence["files"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(evidence["packs"][0]["source"], "builtin:soc2");
    assert_eq!(evidence["plugins"].as_array().unwrap().len(), 8);

    let cc66 = find(&evidence["controls"], "id", "CC6.6");
    let tls = find(&cc66["rules"], "id", "tls/lb-listener-policy");
    assert_eq!(tls["in_force"], true);
    assert_eq!(tls["params"]["min_tls"], "1.2");
    assert_eq!(tls["status"], "waived");
    let finding = &tls["files"][0]["findings"][0];
    assert_eq!(finding["waived"], true);
    assert_eq!(finding["waiver"]["reason"], WAIVER);
    assert_eq!(finding["line"], 2);
    assert!(finding["fingerprint"].as_str().unwrap().ends_with(":1"));

    let a12 = find(&evidence["controls"], "id", "A1.2");
    assert_eq!(a12["status"], "not-applicable");
    assert_eq!(a12["rules"][0]["in_force"], false);
    assert_eq!(a12["rules"][0]["files"], Value::Array(Vec::new()));
}

#[test]
fn file_contents_and_secrets_never_enter_the_bundle() {
    let (dir, _) = bundle(&Fixture::soc2());
    for (name, bytes) in read_all(dir.path()) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SECRET), "{name} holds the secret");
        assert!(!text.contains("ssl_policy"), "{name} holds file text");
    }
}

// --- OSCAL ---------------------------------------------------------------------------

fn is_uuid(value: &Value) -> bool {
    let Some(s) = value.as_str() else { return false };
    let parts: Vec<&str> = s.split('-').collect();
    let shape = parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
    // RFC 4122: the version nibble (OSCAL accepts 4 and 5), the variant bits 10xx.
    shape && matches!(&parts[2][..1], "4" | "5") && matches!(&parts[3][..1], "8" | "9" | "a" | "b")
}

fn is_token(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

fn is_oscal_string(s: &str) -> bool {
    !s.is_empty() && !s.contains('\n') && s.trim() == s
}

fn find<'a>(array: &'a Value, key: &str, value: &str) -> &'a Value {
    array.as_array().unwrap().iter().find(|v| v[key] == value).unwrap_or_else(|| panic!("no {key} = {value}"))
}

fn prop<'a>(object: &'a Value, name: &str) -> Vec<&'a str> {
    object["props"]
        .as_array()
        .map(|props| {
            props.iter().filter(|p| p["name"] == name).map(|p| p["value"].as_str().unwrap()).collect()
        })
        .unwrap_or_default()
}

/// Every `uuid`-ish field of the document, and every prop, checked against OSCAL's rules.
fn walk(value: &Value, path: &str, uuids: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{path}/{key}");
                if key == "uuid" || key.ends_with("-uuid") {
                    assert!(is_uuid(child), "{here}: {child} is not an RFC 4122 v4/v5 UUID");
                    if key == "uuid" {
                        uuids.push(child.as_str().unwrap().to_owned());
                    }
                }
                if key == "props" {
                    for p in child.as_array().unwrap() {
                        assert!(is_token(p["name"].as_str().unwrap()), "{here}: {p}");
                        assert!(is_oscal_string(p["value"].as_str().unwrap()), "{here}: {p}");
                        assert!(p["ns"].as_str().is_some_and(|ns| ns.starts_with("https://")), "{here}: {p}");
                    }
                }
                if matches!(key.as_str(), "title" | "value" | "version") {
                    assert!(is_oscal_string(child.as_str().unwrap()), "{here}: {child}");
                }
                if let Value::Array(items) = child {
                    assert!(!items.is_empty(), "{here}: OSCAL arrays hold at least one item");
                }
                walk(child, &here, uuids);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), uuids);
            }
        }
        _ => {}
    }
}

#[test]
fn the_oscal_document_has_what_the_model_requires() {
    let fixture = Fixture::soc2();
    let (dir, _) = bundle(&fixture);
    let doc = json(dir.path(), "assessment-results.json");
    let ar = &doc["assessment-results"];
    assert_eq!(doc.as_object().unwrap().len(), 1);

    let mut uuids = Vec::new();
    walk(&doc, "", &mut uuids);
    let unique: HashSet<&String> = uuids.iter().collect();
    assert_eq!(unique.len(), uuids.len(), "every uuid is unique");

    for key in ["uuid", "metadata", "import-ap", "results", "back-matter"] {
        assert!(ar.get(key).is_some(), "assessment-results.{key}");
    }
    let metadata = &ar["metadata"];
    for key in ["title", "last-modified", "version", "oscal-version"] {
        assert!(metadata.get(key).is_some(), "metadata.{key}");
    }
    assert!(metadata["oscal-version"].as_str().unwrap().starts_with("1.1."));
    assert_eq!(metadata["last-modified"], "2026-01-01T00:00:42Z");

    // import-ap points at a back-matter resource of the document.
    let resources = ar["back-matter"]["resources"].as_array().unwrap();
    let href = ar["import-ap"]["href"].as_str().unwrap();
    let plan = href.strip_prefix('#').expect("a fragment reference");
    assert!(resources.iter().any(|r| r["uuid"] == plan));

    let results = ar["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let result = &results[0];
    for key in ["uuid", "title", "description", "start", "end", "reviewed-controls"] {
        assert!(result.get(key).is_some(), "result.{key}");
    }
    assert_eq!(result["start"], "2026-01-01T00:00:00Z");

    // Every control of the pack is reviewed and has a finding.
    let pack = &fixture.packs[0];
    let selection = &result["reviewed-controls"]["control-selections"][0];
    let included: Vec<&str> = selection["include-controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control-id"].as_str().unwrap())
        .collect();
    assert_eq!(included.len(), pack.controls.len());
    assert!(included.contains(&"cc6.1") && included.contains(&"a1.2"));
    assert!(included.iter().all(|id| is_token(id)));
    let findings = result["findings"].as_array().unwrap();
    assert_eq!(findings.len(), pack.controls.len());
    for control in &pack.controls {
        let finding = findings.iter().find(|f| prop(f, "control-id") == [control.id.as_str()]).unwrap();
        let target = &finding["target"];
        assert_eq!(target["type"], "objective-id");
        let target_id = target["target-id"].as_str().unwrap();
        assert!(is_token(target_id));
        assert!(included.contains(&target_id.trim_end_matches("_obj")), "{target_id}");
    }

    // Statuses: satisfied only for a pass.
    let state = |id: &str| {
        let finding = findings.iter().find(|f| prop(f, "control-id") == [id]).unwrap();
        let status = &finding["target"]["status"];
        (
            status["state"].as_str().unwrap().to_owned(),
            status["reason"].as_str().unwrap().to_owned(),
            prop(finding, "assessment-status")[0].to_owned(),
        )
    };
    let expect = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(state("CC6.1"), expect("not-satisfied", "fail", "fail"));
    assert_eq!(state("CC6.7"), expect("not-satisfied", "other", "waived"));
    assert_eq!(state("CC7.2"), expect("satisfied", "pass", "pass"));
    assert_eq!(state("A1.2"), expect("not-satisfied", "other", "not-applicable"));

    // Observations: one per rule in force that implements a control, all referenced ones
    // exist, subjects are back-matter resources.
    let observations = result["observations"].as_array().unwrap();
    assert_eq!(observations.len(), 7, "8 rules, backup disabled");
    let observation_ids: HashSet<&str> = observations.iter().map(|o| o["uuid"].as_str().unwrap()).collect();
    for finding in findings {
        for related in finding["related-observations"].as_array().into_iter().flatten() {
            assert!(observation_ids.contains(related["observation-uuid"].as_str().unwrap()));
        }
    }
    let a12 = findings.iter().find(|f| prop(f, "control-id") == ["A1.2"]).unwrap();
    assert!(a12.get("related-observations").is_none(), "no rule in force");
    let resource_ids: HashSet<&str> = resources.iter().map(|r| r["uuid"].as_str().unwrap()).collect();
    for observation in observations {
        assert_eq!(observation["methods"], serde_json::json!(["TEST"]));
        assert!(observation.get("collected").is_some() && observation.get("description").is_some());
        for subject in observation["subjects"].as_array().into_iter().flatten() {
            assert_eq!(subject["type"], "resource");
            assert!(resource_ids.contains(subject["subject-uuid"].as_str().unwrap()));
        }
        for actor in observation["origins"][0]["actors"].as_array().unwrap() {
            assert_eq!(actor["type"], "tool");
            let components = &result["local-definitions"]["components"];
            assert!(components.as_array().unwrap().iter().any(|c| c["uuid"] == actor["actor-uuid"]));
        }
    }
    let tls = observations.iter().find(|o| prop(o, "rule-id") == ["tls/lb-listener-policy"]).unwrap();
    assert_eq!(prop(tls, "files-waived"), ["1"]);
    assert_eq!(prop(tls, "parameter"), ["min_tls = \"1.2\""]);
    let waived =
        tls["relevant-evidence"].as_array().unwrap().iter().find(|e| !prop(e, "waiver-reason").is_empty());
    assert_eq!(prop(waived.unwrap(), "waiver-reason"), [WAIVER]);

    // Hashes of every scanned file, plugin and pack.
    let hashed: HashSet<&str> = resources
        .iter()
        .flat_map(|r| r["rlinks"].as_array().into_iter().flatten())
        .flat_map(|l| l["hashes"].as_array().into_iter().flatten())
        .inspect(|h| assert_eq!(h["algorithm"], "SHA-256"))
        .map(|h| h["value"].as_str().unwrap())
        .collect();
    for file in &fixture.files {
        assert!(hashed.contains(file.sha256.as_deref().unwrap()), "{}", file.path);
    }
    for plugin in fixture.scope().plugins {
        assert!(hashed.contains(plugin.sha256.as_str()), "{}", plugin.name);
    }
    assert!(hashed.contains(pack.sha256.as_str()));
    let compose = resources.iter().find(|r| prop(r, "path") == ["my dir/compose.yaml"]).unwrap();
    assert_eq!(compose["rlinks"][0]["href"], "my%20dir/compose.yaml");
}

#[test]
fn gdpr_article_ids_become_tokens_and_keep_the_original() {
    let fixture = Fixture::with_packs(&["soc2", "gdpr"]);
    let (dir, summary) = bundle(&fixture);
    assert_eq!(summary.controls.len(), fixture.packs[0].controls.len() + fixture.packs[1].controls.len());
    let doc = json(dir.path(), "assessment-results.json");
    let result = &doc["assessment-results"]["results"][0];
    let selections = result["reviewed-controls"]["control-selections"].as_array().unwrap();
    assert_eq!(selections.len(), 2);
    let gdpr: Vec<&str> = selections[1]["include-controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control-id"].as_str().unwrap())
        .collect();
    assert!(gdpr.contains(&"art.32.1.a"), "{gdpr:?}");
    assert!(gdpr.iter().all(|id| is_token(id)));
    let finding = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target"]["target-id"] == "art.32.1.a_obj")
        .unwrap();
    assert_eq!(prop(finding, "control-id"), ["Art. 32(1)(a)"]);
    assert_eq!(prop(finding, "framework"), ["GDPR"]);
}

// --- CSV -----------------------------------------------------------------------------

#[test]
fn the_csv_parses_back_with_every_control_and_the_exact_messages() {
    let fixture = Fixture::soc2();
    let (dir, _) = bundle(&fixture);
    let text = std::fs::read_to_string(dir.path().join("controls.csv")).unwrap();
    assert!(text.ends_with("\r\n"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[..5], ["pack", "framework", "control_id", "control_title", "control_status"]);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.iter().all(|r| r.len() == header.len()));

    let controls: HashSet<&str> = rows.iter().map(|r| &r[column("control_id")]).collect();
    assert_eq!(controls.len(), fixture.packs[0].controls.len());

    let hygiene = rows
        .iter()
        .find(|r| {
            &r[column("control_id")] == "CC6.8"
                && &r[column("rule")] == "hygiene/image-latest-tag"
                && &r[column("file")] == "Dockerfile"
        })
        .unwrap();
    assert_eq!(&hygiene[column("status")], "fail");
    assert_eq!(&hygiene[column("findings")], "1");
    assert_eq!(&hygiene[column("messages")], format!("1:6 [high] {NASTY_MESSAGE}"));
    assert_eq!(&hygiene[column("sha256")], fixture.files[0].sha256.as_deref().unwrap());

    let tls = rows
        .iter()
        .find(|r| &r[column("control_id")] == "CC6.7" && &r[column("file")] == "infra/main.tf")
        .unwrap();
    assert_eq!(&tls[column("status")], "waived");
    assert_eq!(&tls[column("waiver_reasons")], WAIVER);
    assert_eq!(&tls[column("waived_findings")], "1");
    assert_eq!(&tls[column("parameters")], "min_tls = \"1.2\"");

    let backup: Vec<_> = rows.iter().filter(|r| &r[column("control_id")] == "A1.2").collect();
    assert_eq!(backup.len(), 1);
    assert_eq!(&backup[0][column("status")], "not-in-force");
    assert_eq!(&backup[0][column("control_status")], "not-applicable");
    assert_eq!(&backup[0][column("file")], "");

    let spaced = rows.iter().find(|r| &r[column("file")] == "my dir/compose.yaml").unwrap();
    assert_eq!(&spaced[column("status")], "pass");
}

// --- HTML ----------------------------------------------------------------------------

#[test]
fn the_report_escapes_everything_and_loads_nothing() {
    let fixture = Fixture::soc2();
    let (dir, _) = bundle(&fixture);
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.to_lowercase().contains("<script"), "no script, and the finding's is escaped");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    for external in ["src=", "<link", "@import", "url(", "http://", "https://"] {
        assert!(!html.contains(external), "{external}");
    }
    assert!(html.contains("st st-fail") && html.contains("st st-waived") && html.contains("st st-pass"));
    assert!(html.contains("st st-not-applicable"));
    assert!(html.contains(WAIVER));
    assert!(html.contains("0123456789abcdef0123456789abcdef01234567"), "the commit");
    assert!(html.contains(&fixture.packs[0].sha256), "the pack's hash");
    for file in &fixture.files {
        assert!(html.contains(file.sha256.as_deref().unwrap()), "{} in the inventory", file.path);
    }
}

#[test]
fn a_report_on_many_files_stays_well_formed() {
    let mut fixture = Fixture::soc2();
    for i in 0..200 {
        let path = format!("mod{i}/main.tf");
        fixture.files.push(ScannedFile {
            path,
            format: Format::Terraform,
            bytes: 1,
            sha256: Some("ab".repeat(32)),
        });
    }
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path(), &fixture.scope(), &fixture.assessment(), None).unwrap();
    let html = std::fs::read_to_string(Path::new(dir.path()).join("report.html")).unwrap();
    assert_eq!(html.matches("<table").count(), html.matches("</table>").count());
    assert_eq!(html.matches("<details>").count(), html.matches("</details>").count());
    assert_eq!(html.matches("<section").count(), html.matches("</section>").count());
}
