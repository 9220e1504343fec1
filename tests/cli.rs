//! The `rampart` command as a user runs it: exit codes, paths, config, cache, determinism.

mod support;

use std::path::Path;

use support::{finding_keys, rampart, run, test_plugin};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const ROOT_IMAGE: &str = "FROM alpine:3.20\nRUN apk add curl\n";
const USER_IMAGE: &str = "FROM alpine:3.20\nUSER 10001\n";

/// How many plugins a default scan loads: the built-in ones (rampart's own rules, listed as
/// the plugin `rampart`, are not a plugin).
fn builtin_plugins() -> usize {
    let rules = run(rampart().args(["rules", "--format", "json"])).json();
    let names: std::collections::BTreeSet<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["plugin"].as_str().unwrap())
        .filter(|&name| name != "rampart")
        .collect();
    names.len()
}

#[test]
fn the_second_run_loads_compiled_plugins_from_the_cache() {
    let plugins = builtin_plugins();
    assert!(plugins >= 8, "one plugin per control family");
    let cache = tempfile::tempdir().unwrap();
    let scan = || {
        let out = run(rampart().env("RAMPART_CACHE_DIR", cache.path()).args([
            "scan",
            "fixtures/seeds",
            "--verbose",
            "--format",
            "json",
        ]));
        assert_eq!(out.code, 1, "{}", out.stderr);
        out
    };
    let first = scan();
    let stats = |hits: usize, compiled: usize| format!("plugin cache: {hits} hits, {compiled} compiled");
    assert!(first.stderr.contains(&format!("{}, 0 corrupt", stats(0, plugins))), "{}", first.stderr);
    let entries: Vec<_> = std::fs::read_dir(cache.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(entries.len(), plugins, "one compiled artifact per plugin: {entries:?}");
    let second = scan();
    assert!(second.stderr.contains(&format!("{}, 0 corrupt", stats(plugins, 0))), "{}", second.stderr);
    assert_eq!(first.stdout, second.stdout, "same report from a cached plugin");

    // A damaged entry is detected, recompiled and replaced.
    let mut bytes = std::fs::read(&entries[0]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&entries[0], &bytes).unwrap();
    let third = scan();
    assert!(
        third.stderr.contains(&format!("{}, 1 corrupt entries rebuilt", stats(plugins - 1, 1))),
        "{}",
        third.stderr
    );
    assert_eq!(first.stdout, third.stdout);
    let fourth = scan();
    assert!(fourth.stderr.contains(&format!("{}, 0 corrupt", stats(plugins, 0))), "{}", fourth.stderr);

    // A truncated entry too.
    std::fs::write(&entries[0], &bytes[..10]).unwrap();
    assert!(scan().stderr.contains("1 corrupt entries rebuilt"));
}

/// Two pre-commit hooks (or CI jobs) starting at once on an empty cache: every process
/// compiles, writes and reads the same entries, and none may see or leave a broken one.
#[test]
fn concurrent_processes_share_an_empty_cache_safely() {
    let plugins = builtin_plugins();
    let cache = tempfile::tempdir().unwrap();
    let scan = || {
        let mut command = rampart();
        command.env("RAMPART_CACHE_DIR", cache.path()).args([
            "scan",
            "fixtures/seeds",
            "--verbose",
            "--format",
            "json",
        ]);
        command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        command
    };
    let children: Vec<_> = (0..4).map(|_| scan().spawn().unwrap()).collect();
    let outputs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let first = String::from_utf8_lossy(&outputs[0].stdout).into_owned();
    for output in &outputs {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(" 0 corrupt entries rebuilt"), "no process saw a partial entry: {stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), first, "the same report from every process");
    }
    let mut names: Vec<String> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), plugins, "one entry per plugin and no temporary file left: {names:?}");
    assert!(names.iter().all(|n| Path::new(n).extension().is_some_and(|e| e == "cwasm")), "{names:?}");
    let after = run(&mut scan());
    assert!(
        after.stderr.contains(&format!("plugin cache: {plugins} hits, 0 compiled, 0 corrupt")),
        "every entry they left is whole: {}",
        after.stderr
    );
    assert_eq!(after.stdout, first);
}

#[test]
fn an_unusable_cache_directory_degrades_to_compiling_with_a_notice() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let out = run(rampart().env("RAMPART_CACHE_DIR", file.path().join("cache")).args([
        "scan",
        "fixtures/seeds",
        "--verbose",
        "--format",
        "json",
    ]));
    assert_eq!(out.code, 1, "the scan itself is unaffected: {}", out.stderr);
    assert!(out.stderr.contains("warning: the plugin cache directory"), "{}", out.stderr);
    assert!(out.stderr.contains("plugins will be compiled on every run"), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("0 hits, {} compiled", builtin_plugins())), "{}", out.stderr);
    let cached = run(rampart().args(["scan", "fixtures/seeds", "--format", "json"]));
    assert_eq!(out.json()["findings"], cached.json()["findings"]);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        let text = if i % 3 == 0 { USER_IMAGE } else { ROOT_IMAGE };
        write(dir.path(), &format!("svc{}/{}/Dockerfile", i % 7, i), text);
    }
    // A plugin with several findings and errors per file makes the ordering work harder.
    let bad_node = test_plugin("bad-node");
    let scan = |jobs: &str, format: &str| {
        let out = run(rampart()
            .current_dir(dir.path())
            .args(["scan", ".", "--color", "never", "--format", format, "--jobs", jobs, "--plugin"])
            .arg(&bad_node));
        assert_eq!(out.code, 3, "{}", out.stderr);
        out.stdout
    };
    for format in ["json", "human"] {
        let one = scan("1", format);
        assert_eq!(one, scan("8", format), "{format} output differs between --jobs 1 and --jobs 8");
        assert_eq!(one, scan("2", format));
    }
    let report: serde_json::Value = serde_json::from_str(&scan("8", "json")).unwrap();
    let keys = finding_keys(&report);
    assert_eq!(keys.iter().filter(|k| k.3 == "non-root/dockerfile-user").count(), 40);
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "findings are ordered by path, line, column, rule");
    assert!(keys[0].0.starts_with("svc0/"), "paths are relative, as typed: {}", keys[0].0);
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let out = run(rampart().args(["scan", "no/such/dir"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no/such/dir: no such file or directory"), "{}", out.stderr);
}

#[test]
fn bad_arguments_are_usage_errors() {
    assert_eq!(run(rampart().args(["scan", "--fail-on", "severe"])).code, 2);
    assert_eq!(run(rampart().args(["scan", "--format", "xml"])).code, 2);
    assert_eq!(run(rampart().args(["scan", "--plugin-timeout", "-1", "fixtures/seeds"])).code, 2);
}

#[test]
fn fail_on_sets_the_threshold() {
    let scan = |threshold: &str| run(rampart().args(["scan", "fixtures/seeds", "--fail-on", threshold])).code;
    assert_eq!(scan("high"), 1);
    assert_eq!(scan("medium"), 1);
    assert_eq!(scan("critical"), 0);
    assert_eq!(scan("none"), 0);
}

#[test]
fn gitignore_rampartignore_and_exclude_are_respected() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "vendor/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "generated/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "legacy/Dockerfile", ROOT_IMAGE);
    write(dir.path(), ".gitignore", "generated/\n");
    write(dir.path(), ".rampartignore", "legacy/\n");
    let scan = |args: &[&str]| {
        let out = run(rampart().current_dir(dir.path()).args(["scan", "--format", "json"]).args(args));
        let keys = finding_keys(&out.json()).into_iter();
        keys.filter(|k| k.3 == "non-root/dockerfile-user").map(|k| k.0).collect::<Vec<_>>()
    };
    assert_eq!(scan(&[]), ["app/Dockerfile", "vendor/Dockerfile"]);
    assert_eq!(scan(&["--exclude", "vendor/"]), ["app/Dockerfile"]);
    // An excluded file stays excluded when named explicitly (pre-commit passes file names).
    assert!(scan(&["--exclude", "vendor/", "vendor/Dockerfile"]).is_empty());
}

#[test]
fn a_file_that_does_not_parse_is_an_error_with_its_location_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "bad/Dockerfile", "FROM alpine\nFORM oops\n");
    write(dir.path(), "latin1/Dockerfile", "");
    std::fs::write(dir.path().join("latin1/Dockerfile"), b"FROM alpine\nLABEL a=\xe9\n").unwrap();
    let out = run(rampart().current_dir(dir.path()).args([
        "scan",
        "--format",
        "json",
        "--rule",
        "non-root/dockerfile-user",
    ]));
    assert_eq!(out.code, 3, "a parse error fails closed");
    let report = out.json();
    assert_eq!(
        finding_keys(&report),
        [("good/Dockerfile".to_owned(), 1, 1, "non-root/dockerfile-user".to_owned())]
    );
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(errors[0]["path"], "bad/Dockerfile");
    assert_eq!(errors[0]["kind"], "parse");
    assert_eq!((errors[0]["line"].as_u64(), errors[0]["column"].as_u64()), (Some(2), Some(1)));
    assert_eq!(errors[1]["path"], "latin1/Dockerfile");
    assert!(errors[1]["message"].as_str().unwrap().contains("not valid UTF-8"), "{}", errors[1]);
}

#[test]
fn env_files_are_read_and_a_malformed_one_is_an_error_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "# local settings\nexport PORT=8080\nDATABASE_URL=\"postgres://db/app\"\n");
    write(dir.path(), "config/prod.env", "LOG_LEVEL=info\nnot an assignment\n");
    write(dir.path(), ".envrc", "use flake\n");
    let out = run(rampart().current_dir(dir.path()).args(["scan", "--format", "json"]));
    assert_eq!(out.code, 3, "{}", out.stdout);
    let report = out.json();
    assert_eq!(report["summary"]["files"], 2, ".env and prod.env, not direnv's .envrc");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["path"], "config/prod.env");
    assert_eq!(errors[0]["kind"], "parse");
    assert_eq!(errors[0]["line"], 2);
}

#[test]
fn kubernetes_manifests_are_read_helm_templates_are_noted_once_and_bad_yaml_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: []\n",
    );
    write(
        dir.path(),
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include \"labels\" . | nindent 4 }}\n",
    );
    write(dir.path(), "k8s/broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n");
    write(dir.path(), ".github/workflows/ci.yml", "name: CI\non: push\n");

    let out = run(rampart().current_dir(dir.path()).args(["scan", "--format", "json"]));
    assert_eq!(out.code, 3, "the duplicate key is an error: {}", out.stdout);
    let report = out.json();
    assert_eq!(report["summary"]["files"], 3, "the workflow is not a Kubernetes manifest");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["path"], "k8s/broken.yaml");
    assert_eq!((errors[0]["line"].as_u64(), errors[0]["column"].as_u64()), (Some(5), Some(3)));
    let notices = report["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "one notice for the whole template, not an error storm: {notices:#?}");
    assert_eq!(notices[0]["path"], "chart/templates/deployment.yaml");
    assert_eq!(notices[0]["line"], 4);

    // A notice alone does not fail the gate.
    std::fs::remove_file(dir.path().join("k8s/broken.yaml")).unwrap();
    let out = run(rampart().current_dir(dir.path()).args(["scan", "--color", "never"]));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("notice/not-evaluated"), "{}", out.stdout);
    assert!(out.stdout.contains("no findings in 2 files; 0 errors; 1 notice"), "{}", out.stdout);
}

#[test]
fn a_terraform_module_is_its_directory_and_a_syntax_error_names_its_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/variables.tf", "variable \"retention\" {\n  default = 7\n}\n");
    write(dir.path(), "infra/main.tf", "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n");
    write(dir.path(), "infra/terraform.tfvars", "retention = 30\n");
    write(dir.path(), "other/main.tf", "locals {\n  a = 1\n}\n");
    write(dir.path(), "other/generated.tf.json", "{\"locals\": {\"b\": \"${local.a}\"}}");

    let scan =
        |args: &[&str]| run(rampart().current_dir(dir.path()).args(["scan", "--format", "json"]).args(args));
    let out = scan(&[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        out.json()["summary"]["files"],
        4,
        "two modules, three .tf files and a .tf.json (tfvars are inputs)"
    );

    // Naming one file of a module reads the whole module, as Terraform would.
    let out = scan(&["infra/main.tf"]);
    assert_eq!(out.json()["summary"]["files"], 2);

    write(dir.path(), "infra/network.tf", "resource \"aws_vpc\" \"main\" {\n  cidr_block = \n}\n");
    let out = scan(&[]);
    assert_eq!(out.code, 3);
    let errors = out.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["path"], "infra/network.tf");
    assert_eq!(errors[0]["kind"], "parse");
    assert_eq!(errors[0]["line"], 2);
}

#[test]
fn local_terraform_modules_are_judged_where_they_are_called_and_remote_ones_noted() {
    let dir = tempfile::tempdir().unwrap();
    let root = "module \"net\" {\n  source = \"../modules/net\"\n  cidr   = \"10.0.0.0/16\"\n}\n\
                module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n";
    write(dir.path(), "live/main.tf", root);
    write(
        dir.path(),
        "modules/net/main.tf",
        "variable \"cidr\" {}\nresource \"aws_vpc\" \"this\" {\n  cidr_block = var.cidr\n}\n",
    );
    let scan = || run(rampart().current_dir(dir.path()).args(["scan", "--format", "json"]));
    let out = scan();
    assert_eq!(out.code, 0, "{}", out.stdout);
    let json = out.json();
    assert_eq!(json["summary"]["files"], 2, "the called module's file is read once, by its caller");
    let notices = json["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:#?}");
    assert_eq!((notices[0]["path"].as_str(), notices[0]["line"].as_u64()), (Some("live/main.tf"), Some(6)));
    assert!(
        notices[0]["message"].as_str().unwrap().contains("\"terraform-aws-modules/vpc/aws\" is not fetched")
    );

    // A syntax error in the called module is reported once, in its file, and fails the scan.
    write(dir.path(), "modules/net/broken.tf", "resource \"aws_subnet\" \"a\" {\n");
    let out = scan();
    assert_eq!(out.code, 3, "{}", out.stdout);
    let errors = out.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["path"], "modules/net/broken.tf");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(1), Some(27)),
        "the `{{` never closed"
    );
}

#[test]
fn a_finding_on_a_terraform_value_also_points_where_the_value_was_set() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "variables.tf", "variable \"days\" {\n  default = 7\n}\n");
    write(dir.path(), "terraform.tfvars", "# production\ndays = 30\n");
    write(dir.path(), "main.tf", "resource \"aws_cloudwatch_log_group\" \"app\" {\n  marker = var.days\n}\n");
    let marker = test_plugin("marker");
    let out =
        run(rampart().current_dir(dir.path()).args(["scan", "--format", "json", "--plugin"]).arg(&marker));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let json = out.json();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "hygiene/test-marker")
        .unwrap_or_else(|| panic!("the marker is reported: {json:#}"));
    assert_eq!(
        (finding["path"].as_str(), finding["line"].as_u64(), finding["column"].as_u64()),
        (Some("main.tf"), Some(2), Some(12))
    );
    assert_eq!(finding["message"], "marker: 30");
    let related = finding["related"].as_array().unwrap();
    assert_eq!(related.len(), 1, "{related:#?}");
    assert_eq!(
        (related[0]["path"].as_str(), related[0]["line"].as_u64(), related[0]["column"].as_u64()),
        (Some("terraform.tfvars"), Some(2), Some(8))
    );
    assert_eq!(related[0]["message"], "var.days is set here (terraform.tfvars)");
    // The human report shows the other file's line under the finding.
    let out =
        run(rampart().current_dir(dir.path()).args(["scan", "--color", "never", "--plugin"]).arg(&marker));
    let origin = out.stdout.find("var.days is set here (terraform.tfvars)").expect("the origin is shown");
    assert!(
        out.stdout[origin..].contains("[terraform.tfvars:2:8]\n 1 │ # production\n 2 │ days = 30"),
        "{}",
        out.stdout
    );
}

#[test]
fn terraform_variables_on_the_command_line_are_checked_before_scanning() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", "variable \"x\" {}\n");
    write(dir.path(), "bad.tfvars", "x = 1\nresource \"a\" \"b\" {}\n");
    let scan = |args: &[&str]| run(rampart().current_dir(dir.path()).args(["scan"]).args(args));
    let out = scan(&["--var", "no-equals-sign"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--var needs name=value"), "{}", out.stderr);
    let out = scan(&["--var-file", "bad.tfvars"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid variable file bad.tfvars:2:"), "{}", out.stderr);
    assert_eq!(scan(&["--var", "x=1"]).code, 0);
}

#[test]
fn compose_files_are_recognised_by_name_and_by_content() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "compose.yaml", "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n");
    write(
        dir.path(),
        "deploy/ecs-task.yaml",
        "version: '3'\nservices:\n  api:\n    environment:\n      - KEY=${KEY}\n",
    );
    write(dir.path(), "docker-compose.dev.yml", "services:\n  db:\n    ports:\n      - \"5432:5432/tcpx\"\n");
    let out = run(rampart().current_dir(dir.path()).args(["scan", "--format", "json"]));
    assert_eq!(out.code, 3, "the malformed port is an error: {}", out.stdout);
    let report = out.json();
    assert_eq!(report["summary"]["files"], 3);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0]["path"], "docker-compose.dev.yml");
    assert_eq!(errors[0]["line"], 4);
}

#[test]
fn files_over_the_size_cap_are_skipped_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    // 2 MiB of comments: a valid Dockerfile that would run as root.
    let big =
        format!("{}FROM alpine\n", "# padding padding padding padding padding padding\n".repeat(41_000));
    write(dir.path(), "big/Dockerfile", &big);
    write(dir.path(), "small/Dockerfile", USER_IMAGE);
    let scan =
        |args: &[&str]| run(rampart().current_dir(dir.path()).args(["scan", "--format", "json"]).args(args));

    let out = scan(&["--max-file-size", "1"]);
    assert_eq!(out.code, 0, "a notice does not fail the scan: {}", out.stdout);
    let notices = out.json()["notices"].as_array().unwrap().clone();
    assert_eq!(notices.len(), 1, "{notices:#?}");
    assert_eq!(notices[0]["path"], "big/Dockerfile");
    assert!(
        notices[0]["message"].as_str().unwrap().contains("over the 1.0 MiB size limit"),
        "{}",
        notices[0]
    );

    // Under the default cap it is scanned, and its root user found.
    let out = scan(&[]);
    assert_eq!(out.code, 1);
    assert_eq!(finding_keys(&out.json())[0].0, "big/Dockerfile");

    write(dir.path(), "rampart.toml", "[scan]\nmax-file-size-mib = 1\n");
    assert_eq!(scan(&[]).json()["notices"].as_array().unwrap().len(), 1, "the config sets the cap too");
}

#[test]
fn the_config_file_loads_plugins_and_rejects_unknown_keys_with_their_location() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", USER_IMAGE);
    let plugin = test_plugin("bad-node");
    write(
        dir.path(),
        "rampart.toml",
        &format!("[plugins]\nload = [{:?}]\n\n[scan]\nfail-on = \"critical\"\n", plugin.to_str().unwrap()),
    );
    let out = run(rampart().current_dir(dir.path()).args(["scan", "--format", "json"]));
    assert_eq!(out.code, 3, "bad-node's malformed findings are errors: {}", out.stderr);
    assert!(out.json()["findings"].as_array().unwrap().iter().any(|f| f["plugin"] == "bad-node"));

    write(dir.path(), "rampart.toml", "[scan]\nexclude = []\nfail_on = \"high\"\n");
    let out = run(rampart().current_dir(dir.path()).args(["scan"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid config file rampart.toml"), "{}", out.stderr);
    assert!(out.stderr.contains("rampart.toml:3:1"), "the error points at the line: {}", out.stderr);
    assert!(out.stderr.contains("unknown field `fail_on`"), "{}", out.stderr);
}

#[test]
fn rules_lists_every_rule_with_its_metadata() {
    let out = run(rampart().args(["rules", "--format", "json"]));
    assert_eq!(out.code, 0);
    let rules = out.json();
    let rule =
        rules.as_array().unwrap().iter().find(|r| r["id"] == "non-root/dockerfile-user").expect("listed");
    assert_eq!(rule["severity"], "high");
    assert_eq!(rule["formats"], serde_json::json!(["dockerfile"]));
    assert_eq!(rule["plugin"], "non-root");
    for field in ["title", "rationale", "remediation"] {
        assert!(!rule[field].as_str().unwrap().is_empty(), "{field}");
    }
    assert!(rule["references"].as_array().unwrap().iter().any(|r| r == "NIST SP 800-53 AC-6"));

    let human = run(rampart().args(["rules"]));
    let line = human.stdout.lines().find(|l| l.starts_with("non-root/dockerfile-user ")).expect("listed");
    assert!(line.contains(" high ") && line.contains("[non-root]"), "{line}");
}

#[test]
fn a_named_file_in_no_format_rampart_reads_is_noted_not_silently_passed() {
    let out =
        run(rampart().args(["scan", "README.md", "fixtures/seeds/001-course-companion", "--format", "json"]));
    assert_eq!(out.code, 1, "the seed's findings still count: {}", out.stderr);
    assert!(
        out.stderr.contains("note: README.md is not in a format rampart reads; skipped"),
        "{}",
        out.stderr
    );
    // Two Dockerfiles, two env files and one Kubernetes manifest; not the README.
    assert_eq!(out.json()["summary"]["files"], 5);
}

#[test]
fn output_goes_to_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let out = run(rampart().args(["scan", "fixtures/seeds", "--format", "json", "--output"]).arg(&report));
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let to_stdout = run(rampart().args(["scan", "fixtures/seeds", "--format", "json"])).json();
    assert!(!written["findings"].as_array().unwrap().is_empty());
    assert_eq!(written["findings"], to_stdout["findings"]);
    assert_eq!(written["format_version"], 2);
}

#[test]
fn github_output_annotates_findings_and_errors_with_their_positions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "bad/Dockerfile", "FROM alpine\nFORM oops\n");
    let out =
        run(rampart().current_dir(dir.path()).args(["scan", "--format", "github", "--rule", "non-root/*"]));
    assert_eq!(out.code, 3, "a parse error fails closed: {}", out.stdout);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let finding = lines
        .iter()
        .find(|l| l.starts_with("::error file=good/Dockerfile,"))
        .unwrap_or_else(|| panic!("no annotation for the finding:\n{}", out.stdout));
    assert!(
        finding.starts_with(
            "::error file=good/Dockerfile,line=1,col=1,endLine=1,endColumn=17,title=non-root/dockerfile-user (high)::"
        ),
        "{finding}"
    );
    // The fix is on the same command: the line break is escaped.
    assert!(finding.contains("run as root%0Afix: Create an unprivileged user"), "{finding}");
    let error =
        lines.iter().find(|l| l.starts_with("::error file=bad/Dockerfile,")).expect("the parse error");
    assert!(error.starts_with("::error file=bad/Dockerfile,line=2,col=1,"), "{error}");
    assert!(error.contains("title=rampart parse error::"), "{error}");
    assert_eq!(lines.last(), Some(&"1 finding (1 high) in 2 files; 1 error"));
}
