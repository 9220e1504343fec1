//! One target per parser: how to call it, what seeds it, and what to mutate it with.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rampart_model::{Format, SourceFile};
use rampart_parse::{compose, dockerfile, env, kubernetes, terraform, yaml};

use crate::mutate::Nest;
use crate::oracle::{self, Outcome};

/// A parser under test.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub name: &'static str,
    /// Which files of the repository's fixtures/ seed it, by path and content.
    pub seeds: fn(&Path, &str) -> bool,
    /// Inputs that seed it besides the fixtures: every feature in a few lines.
    pub snippets: &'static [&'static str],
    /// The format's own tokens, for insertion.
    pub tokens: &'static [&'static str],
    pub nests: &'static [Nest],
    /// Parses one input and checks what came out.
    pub parse: fn(&str) -> Outcome,
}

/// Every parser, in the order `--target all` runs them.
pub const TARGETS: &[Target] =
    &[DOCKERFILE, ENV, KUBERNETES, COMPOSE, YAML, TERRAFORM, TERRAFORM_JSON, TFVARS];

/// Any target by name, the harness's own [`SELF_TESTS`] included.
pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().chain(SELF_TESTS).find(|t| t.name == name)
}

/// Fake parsers that fail on purpose, for the harness's own tests: each is seeded with
/// `["a", "b", TRIGGER]` only, so it fails on iteration 2. Never part of `--target all`.
pub const SELF_TESTS: &[Target] = &[
    self_test("selftest-panic", |text| {
        assert!(text != TRIGGER, "the self-test target panics on purpose");
        Outcome::default()
    }),
    self_test("selftest-overflow", |text| {
        if text == TRIGGER {
            deeper(u64::MAX);
        }
        Outcome::default()
    }),
    self_test("selftest-abort", |text| {
        if text == TRIGGER {
            std::process::abort();
        }
        Outcome::default()
    }),
    self_test("selftest-hang", |text| {
        if text == TRIGGER {
            loop {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
        Outcome::default()
    }),
];

/// The input on which the [`SELF_TESTS`] fail.
pub const TRIGGER: &str = "fail here";

const fn self_test(name: &'static str, parse: fn(&str) -> Outcome) -> Target {
    Target { name, seeds: |_, _| false, snippets: &["a", "b", TRIGGER], tokens: &[], nests: &[], parse }
}

/// Recursion that only a stack overflow ends.
fn deeper(n: u64) -> u64 {
    let frame = std::hint::black_box([n; 64]);
    if n == 0 { 0 } else { deeper(n - 1).wrapping_add(frame[63]) }
}

fn file(name: &str, text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile::new(name, text))
}

/// True when rampart would read the file as `format` (by name, then by content).
fn detected(path: &Path, text: &str, format: Format) -> bool {
    rampart_parse::detect(path, text.as_bytes()) == Some(format)
}

fn extension(path: &Path, wanted: &[&str]) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| wanted.contains(&e))
}

pub const DOCKERFILE: Target = Target {
    name: "dockerfile",
    seeds: |path, text| detected(path, text, Format::Dockerfile),
    snippets: &[
        "# syntax=docker/dockerfile:1\n# escape=\\\nARG BASE=alpine:3.20\nFROM --platform=$BUILDPLATFORM ${BASE} AS build\nRUN --mount=type=cache,target=/root/.cache \\\n    apk add curl\nFROM scratch\nCOPY --from=build /bin/sh /bin/sh\nUSER ${APP_USER:-10001}:${GID-0}\n",
        "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\nENV A=\"x y\" B=${A:+set} C=${A#x} D=${A%%y} E=${A/x/z}\nLABEL \"k\"=\"v\" k2=v2\nEXPOSE 80/tcp ${PORT}\n",
        "FROM alpine\nRUN <<EOF bash\nset -e\necho $HOME\nEOF\nCOPY <<-'EOT' /etc/x\n\tline\n\tEOT\nHEALTHCHECK --interval=5s CMD [\"curl\", \"-f\", \"http://x\"]\nONBUILD RUN echo hi\nSHELL [\"/bin/sh\", \"-c\"]\nSTOPSIGNAL SIGTERM\nVOLUME [\"/data\"]\nWORKDIR /app\nCMD [\"app\"]\nENTRYPOINT app --serve\n",
        "\u{feff}FROM alpine AS a\r\nENV PATH=/x:$PATH\r\nFROM a\r\nUSER root\r\nFROM a AS b\r\nMAINTAINER me\r\n",
    ],
    tokens: &[
        "FROM ",
        "RUN ",
        "ENV ",
        "ARG ",
        "USER ",
        "COPY ",
        "ADD ",
        "ONBUILD ",
        "HEALTHCHECK ",
        "SHELL ",
        "CMD ",
        "ENTRYPOINT ",
        "EXPOSE ",
        "LABEL ",
        "WORKDIR ",
        "VOLUME ",
        "STOPSIGNAL ",
        "MAINTAINER ",
        "# escape=`\n",
        "# syntax=x\n",
        "# check=skip=all\n",
        "<<EOF",
        "<<-EOF",
        "<<\"EOF\"",
        "2<<EOF",
        "\nEOF\n",
        "--mount=type=cache",
        "--from=0",
        "--platform=",
        "--chmod=755",
        "--",
        " AS ",
        "${A:-",
        "${A:?",
        "${A:+",
        "${A#",
        "${A##",
        "${A%",
        "${A/",
        "${A//x/y}",
        "${A}",
        "$A",
        "\\$",
        "[\"a\", \"b\"]",
        "[1]",
        "[\"\\u00e9\"]",
        "\\\n",
        "`\n",
        "NONE",
        "CMD",
        "ONBUILD ONBUILD ",
        "root",
        "0:0",
        "=",
    ],
    nests: &[
        Nest { line: "ENV A=", open: "${A:-", inner: "x", close: "}", end: "" },
        Nest { line: "ARG B=", open: "${B:+", inner: "y", close: "}", end: "" },
        Nest { line: "USER ", open: "${U-", inner: "0", close: "}", end: "" },
        Nest { line: "CMD ", open: "[", inner: "\"a\"", close: "]", end: "" },
        Nest { line: "LABEL a=\"", open: "${L:-\\\"", inner: "v", close: "\\\"}", end: "\"" },
    ],
    parse: |text| oracle::document(text, dockerfile::parse(file("Dockerfile", text))),
};

pub const ENV: Target = Target {
    name: "env",
    seeds: |path, text| detected(path, text, Format::Env),
    snippets: &[
        "# comment\nexport A=1\n  B = two words # trailing\nC='single $NOT'\nD=\"double ${A:-x} \\n \\\" $$\"\nE\nF=\n",
        "KEY=\"multi\nline\n\"\nURL=postgres://${USER:?set it}@${HOST-db}:${PORT:+5432}/x\nX=${A:-${B:-${C}}}\n",
        "\u{feff}A=1\r\nB=é€𝄞\r\nexport\r\n=value\r\n",
    ],
    tokens: &[
        "export ", "=", "${A:-", "${A:?", "${A:+", "${A-", "${A?", "${A}", "$A", "$$", "\\\"", "\\n", "\\$",
        "'", "\"", " #", "#", "KEY", "_", ".", "-",
    ],
    nests: &[
        Nest { line: "A=", open: "${A:-", inner: "x", close: "}", end: "" },
        Nest { line: "B=\"", open: "${B:?", inner: "m", close: "}", end: "\"" },
        Nest { line: "C='", open: "'\"", inner: "", close: "\"'", end: "'" },
    ],
    parse: |text| oracle::document(text, env::parse(file(".env", text))),
};

const YAML_TOKENS: &[&str] = &[
    "- ",
    ": ",
    "? ",
    "---\n",
    "...\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "<<: [*a, *b]\n",
    "!!str ",
    "!!int ",
    "!!float ",
    "!!bool ",
    "!!null ",
    "!!binary ",
    "!!map ",
    "!tag ",
    "!<tag:x> ",
    "|",
    "|-",
    ">+",
    "|2",
    "{",
    "}",
    "[",
    "]",
    ", ",
    "%YAML 1.2\n",
    "%TAG ! tag:x:\n",
    "{{ .Values.x }}",
    "\"\\u00e9\"",
    "\"\\x\"",
    "'it''s'",
    "~",
    "null",
    "yes",
    "on",
    "0x1F",
    "1e3",
    ".inf",
    "#",
    "\t",
    "  ",
    "key: value\n",
    "- item\n",
];

const YAML_NESTS: &[Nest] = &[
    Nest { line: "a: ", open: "[", inner: "", close: "]", end: "" },
    Nest { line: "b: ", open: "{a: ", inner: "1", close: "}", end: "" },
    Nest { line: "c:", open: " -", inner: " x", close: "", end: "" },
    Nest { line: "d: ", open: "[{k: ", inner: "v", close: "}]", end: "" },
    Nest { line: "e: ", open: "&a [", inner: "*a", close: "]", end: "" },
];

pub const KUBERNETES: Target = Target {
    name: "kubernetes",
    seeds: |path, text| detected(path, text, Format::Kubernetes),
    snippets: &[
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  securityContext: {runAsUser: 0}\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      privileged: yes\n      runAsNonRoot: off\n",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: x, image: y}]\n---\napiVersion: v1\nkind: List\nitems: []\n...\n",
        "x: &base {apiVersion: v1}\napiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec: &s\n      containers: []\n    other: *s\n  <<: *base\n",
    ],
    tokens: &[
        "apiVersion: v1\n",
        "kind: Pod\n",
        "kind: Deployment\n",
        "spec:\n",
        "template:\n",
        "containers:\n",
        "- name: a\n",
        "securityContext:\n",
        "runAsUser: 0\n",
        "privileged: true\n",
        "image: ",
        "metadata:\n",
        "document: 1\n",
        "---\n",
    ],
    nests: YAML_NESTS,
    parse: |text| oracle::document(text, kubernetes::parse(file("deploy.yaml", text))),
};

pub const COMPOSE: Target = Target {
    name: "compose",
    seeds: |path, text| detected(path, text, Format::Compose),
    snippets: &[
        "name: shop\nx-common: &common\n  restart: always\nservices:\n  web:\n    <<: *common\n    image: \"nginx:${TAG:-1.27}\"\n    user: root\n    privileged: true\n    ports:\n      - \"8080:80\"\n      - 127.0.0.1:5432:5432/tcp\n      - target: 443\n        published: \"8443\"\n    environment:\n      - A=1\n      - B\n    env_file: [.env, {path: x.env, required: false}]\n",
        "services:\n  db:\n    image: postgres\n    environment:\n      PASSWORD: ${PW:?set it}\n      PRICE: $$5\n    ports: [\"[::1]:6000:6000/udp\", \"9090-9091:8080-8081\", 3000]\n  empty:\nvolumes:\n  data: {}\n",
    ],
    tokens: &[
        "services:\n",
        "image: ",
        "user: ",
        "privileged: ",
        "ports:\n",
        "- \"80:80\"\n",
        "environment:\n",
        "env_file: ",
        "${VAR:-x}",
        "${VAR:?e}",
        "$$",
        "x-a: &a\n",
        "<<: *a\n",
        "target: ",
        "published: ",
        "host_ip: ",
        "build: .\n",
    ],
    nests: YAML_NESTS,
    parse: |text| oracle::document(text, compose::parse(file("compose.yaml", text))),
};

pub const YAML: Target = Target {
    name: "yaml",
    seeds: |path, _| extension(path, &["yaml", "yml"]),
    snippets: &[
        "%YAML 1.2\n---\nplain: text\nquoted: \"a\\tb\\u00e9\"\nsingle: 'it''s'\nblock: |\n  line\n  line2\nfolded: >-\n  a\n  b\nnum: [0x1F, 1e3, .inf, -.nan, 0o17]\nbool: [true, yes, on]\nnull: ~\n? complex key\n: value\n",
        "base: &b {a: 1, b: [x, y]}\nderived:\n  <<: *b\n  c: *b\nlist:\n- - nested\n  - seq\n- {flow: map}\ntagged: !!str 12\nbinary: !!binary aGk=\n...\n--- second\n",
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
    ],
    tokens: YAML_TOKENS,
    nests: YAML_NESTS,
    parse: |text| {
        oracle::yaml(text, yaml::read(&SourceFile::new("any.yaml", text), yaml::Options::default()))
    },
};

const HCL_TOKENS: &[&str] = &[
    "resource \"a\" \"b\" {\n",
    "data \"a\" \"b\" {\n",
    "variable \"v\" {\n",
    "default = ",
    "locals {\n",
    "output \"o\" {\n",
    "module \"m\" {\n",
    "source = \"./x\"\n",
    "provider \"aws\" {\n",
    "terraform {\n",
    "dynamic \"x\" {\n",
    "content {\n",
    "}\n",
    "var.v",
    "local.l",
    "each.value",
    "count.index",
    "self.x",
    "${",
    "%{ if ",
    "%{ endif }",
    "%{ for x in y }",
    "%{ endfor }",
    "<<EOT\n",
    "<<-EOT\n",
    "\nEOT\n",
    "for k, v in ",
    " : ",
    "=>",
    "...",
    "[*]",
    ".*",
    " ? ",
    "jsonencode(",
    "jsondecode(",
    "format(\"%s\", ",
    "lookup(",
    "merge(",
    "concat(",
    "tostring(",
    "try(",
    "can(",
    "file(",
    "templatefile(",
    "count = ",
    "for_each = ",
    "null",
    "true",
    "!",
    "-",
    "&&",
    "||",
    "==",
    "!=",
    "<=",
    "%",
    "/*",
    "*/",
    "//",
    "#",
    "\"\\u00e9\"",
    "\"\\x\"",
    "a = 1\n",
];

const HCL_NESTS: &[Nest] = &[
    Nest { line: "a = ", open: "[", inner: "", close: "]", end: "" },
    Nest { line: "b = ", open: "{a = ", inner: "1", close: "}", end: "" },
    Nest { line: "c = ", open: "(", inner: "1", close: ")", end: "" },
    Nest { line: "d = ", open: "\"${", inner: "\"x\"", close: "}\"", end: "" },
    Nest { line: "e = ", open: "[for x in ", inner: "[1]", close: " : x]", end: "" },
    Nest { line: "f = ", open: "true ? ", inner: "1", close: " : 0", end: "" },
    Nest { line: "g = ", open: "-", inner: "1", close: "", end: "" },
    Nest { line: "h = ", open: "!", inner: "true", close: "", end: "" },
    Nest { line: "i = ", open: "1 + ", inner: "1", close: "", end: "" },
    Nest { line: "j = ", open: "jsonencode(", inner: "{}", close: ")", end: "" },
    Nest { line: "", open: "b {\n", inner: "", close: "}\n", end: "" },
];

pub const TERRAFORM: Target = Target {
    name: "terraform",
    seeds: |path, _| extension(path, &["tf"]),
    snippets: &[
        "variable \"name\" {\n  default = \"app\"\n}\nlocals {\n  tags = merge({a = 1}, {b = var.name})\n  list = [for i, x in [1, 2] : \"${x}-${i}\" if x > 1]\n  map  = {for k, v in local.tags : k => v...}\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"${var.name}-logs\"\n  count  = 2\n  tags   = local.tags\n  dynamic \"rule\" {\n    for_each = local.list\n    content { id = rule.value }\n  }\n}\noutput \"o\" { value = aws_s3_bucket.b[*].bucket }\n",
        "locals {\n  doc = <<-EOT\n    %{ for x in [1, 2] }item ${x}\n    %{ endfor }\n  EOT\n  json = jsondecode(\"{\\\"a\\\": [1, 2, {\\\"b\\\": null}]}\")\n  enc  = jsonencode({a = [true, 1.5e3]})\n  cond = length(local.json.a) > 2 ? upper(\"x\") : lower(\"Y\")\n  try  = try(local.json.missing, \"default\")\n}\nmodule \"m\" {\n  source = \"./child\"\n  x      = local.cond\n}\n",
    ],
    tokens: HCL_TOKENS,
    nests: HCL_NESTS,
    parse: |text| {
        oracle::document(
            text,
            terraform::parse_module(vec![file("main.tf", text)], &terraform::Inputs::new()),
        )
    },
};

pub const TERRAFORM_JSON: Target = Target {
    name: "terraform-json",
    seeds: |path, _| path.to_str().is_some_and(|p| p.ends_with(".tf.json")),
    snippets: &[
        "{\"variable\": {\"v\": {\"default\": [1, \"${x}\"]}}, \"locals\": {\"a\": \"${var.v[0] + 1}\"},\n \"resource\": {\"t\": {\"r\": {\"count\": 2, \"name\": \"n-${count.index}\", \"tags\": {\"a\": \"$${lit}\"},\n \"dynamic\": {\"d\": {\"for_each\": \"${[1]}\", \"content\": {\"x\": \"${d.value}\"}}}}}},\n \"module\": {\"m\": {\"source\": \"./m\"}}}",
    ],
    tokens: &[
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "\"${",
        "}\"",
        "\\u00e9",
        "\\",
        "\"resource\": ",
        "\"dynamic\": ",
        "%{",
        "null",
        "1e999",
    ],
    nests: &[Nest { line: "{\"locals\": {\"a\": ", open: "[", inner: "1", close: "]", end: "}}" }],
    parse: |text| {
        oracle::document(
            text,
            terraform::parse_module(vec![file("main.tf.json", text)], &terraform::Inputs::new()),
        )
    },
};

pub const TFVARS: Target = Target {
    name: "tfvars",
    seeds: |path, _| extension(path, &["tfvars"]),
    snippets: &[
        "name = \"app\"\ncount = 3\nenabled = true\nratio = 1.5e-3\ntags = {\n  team = \"platform\"\n  \"quoted key\" = null\n}\nlist = [1, \"two\", [3], {four = 4}]\n",
        "doc = <<EOT\nline ${not_a_ref}\nEOT\nref = var.other\nbad = [\n",
    ],
    tokens: HCL_TOKENS,
    nests: HCL_NESTS,
    parse: |text| oracle::inputs(text, terraform::read_tfvars(&file("terraform.tfvars", text))),
};

/// The repository's fixtures/ directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Fixture files larger than this do not seed (mutating them is slow and finds nothing more).
const MAX_SEED_BYTES: u64 = 256 << 10;

/// The texts of the files under `dir` that seed `target`, in path order; unreadable and
/// non-UTF-8 files are left out.
pub fn fixture_seeds(target: &Target, dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(path),
                Ok(kind) if kind.is_file() && entry.metadata().is_ok_and(|m| m.len() <= MAX_SEED_BYTES) => {
                    files.push(path);
                }
                _ => {}
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            (target.seeds)(&path, &text).then_some(text)
        })
        .collect()
}

/// Everything that seeds `target`: its fixtures, then its snippets.
pub fn seeds(target: &Target) -> Vec<String> {
    let mut seeds = fixture_seeds(target, &fixtures_dir());
    seeds.extend(target.snippets.iter().map(|s| (*s).to_owned()));
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_has_fixture_seeds_and_accepts_its_snippets_without_a_broken_invariant() {
        for target in TARGETS {
            assert!(!fixture_seeds(target, &fixtures_dir()).is_empty(), "{}: no fixture seeds", target.name);
            for snippet in target.snippets {
                let outcome = (target.parse)(snippet);
                assert!(outcome.violations.is_empty(), "{}: {:?}", target.name, outcome.violations);
            }
        }
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            ["dockerfile", "env", "kubernetes", "compose", "yaml", "terraform", "terraform-json", "tfvars"]
        );
    }
}
