//! Hostile input, whole process: for each format rampart reads, files that are not text, empty,
//! huge, absurdly nested, cut short or that repeat a key, scanned by the real binary.
//!
//! What every case asserts: the process never panics or dies by a signal (exit code 0, 1 or 3);
//! a malformed file is an error naming its path and, where the file has a place to point at,
//! that exact line and column, and the exit code is 3; valid input the format's own tool
//! accepts is read without an error; and the scan goes on, so the finding of a known-bad
//! `good/Dockerfile` next to the hostile file is still reported. Every input is generated in a
//! temporary directory.

mod support;

use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::Value;
use support::{rampart, run};

/// The file next to every hostile one: a root image, so the scan has one known finding to
/// report whatever happens to its neighbour.
const GOOD: &str = "FROM alpine:3.20\nRUN apk add curl\n";
const RULE: &str = "non-root/dockerfile-user";

/// The formats, each with the name its hostile file gets in a scan directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Dockerfile,
    Env,
    Kubernetes,
    Compose,
    /// A module directory of its own.
    Terraform,
}

use Format::{Compose, Dockerfile, Env, Kubernetes, Terraform};

impl Format {
    const ALL: [Format; 5] = [Dockerfile, Env, Kubernetes, Compose, Terraform];

    fn path(self) -> &'static str {
        match self {
            Dockerfile => "Dockerfile",
            Env => ".env",
            Kubernetes => "deploy.yaml",
            Compose => "compose.yaml",
            Terraform => "module/main.tf",
        }
    }
}

/// A scan directory holding `good/Dockerfile` and the hostile files a test writes.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        let case = Case { dir: tempfile::tempdir().unwrap() };
        case.write("good/Dockerfile", GOOD);
        case
    }

    fn with(path: &str, content: impl AsRef<[u8]>) -> Self {
        let case = Case::new();
        case.write(path, content);
        case
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, content: impl AsRef<[u8]>) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// `rampart scan DIR --format json` from inside DIR, so report paths are relative to it.
    fn scan(&self, extra: &[&str]) -> Scan {
        let dir = self.dir.path();
        let out = run(rampart().current_dir(dir).arg("scan").arg(dir).args(["--format", "json"]).args(extra));
        assert!(!out.stderr.contains("panicked"), "rampart panicked:\n{}", out.stderr);
        assert!(matches!(out.code, 0 | 1 | 3), "exit code {}:\n{}", out.code, out.stderr);
        Scan { code: out.code, report: out.json(), stderr: out.stderr }
    }
}

struct Scan {
    code: i32,
    report: Value,
    stderr: String,
}

impl Scan {
    fn list(&self, key: &str) -> &[Value] {
        self.report[key].as_array().unwrap_or_else(|| panic!("`{key}` is an array: {:#}", self.report))
    }

    /// The findings of [`RULE`], which these tests follow. Every built-in plugin still runs
    /// over the hostile inputs, and any plugin error would be in `errors`.
    fn findings(&self) -> Vec<(String, u64, String)> {
        self.list("findings")
            .iter()
            .filter(|f| f["rule"] == RULE)
            .map(|f| (text(&f["path"]), f["line"].as_u64().unwrap(), text(&f["rule"])))
            .collect()
    }

    /// The scan went on past the hostile file: the neighbour's finding is there.
    fn assert_good_finding(&self) {
        let good = ("good/Dockerfile".to_owned(), 1, RULE.to_owned());
        assert!(self.findings().contains(&good), "no finding for good/Dockerfile: {:#}", self.report);
    }

    /// Exactly one error, about `path`, a parse error, and the exit code 3 (fail closed);
    /// returns the error.
    fn only_error(&self, path: &str) -> &Value {
        let errors = self.list("errors");
        assert_eq!(errors.len(), 1, "one error expected: {:#}", self.report);
        let error = &errors[0];
        assert_eq!(error["path"], path, "{error:#}");
        assert_eq!(error["kind"], "parse", "{error:#}");
        assert!(!text(&error["message"]).is_empty(), "{error:#}");
        assert_eq!(self.code, 3, "an error fails the scan closed: {}", self.stderr);
        assert_eq!(self.report["summary"]["errors"], 1);
        self.assert_good_finding();
        error
    }

    /// Exactly one error, about `path`, at this 1-based line and column; returns its message.
    fn error_at(&self, path: &str, line: u64, column: u64) -> String {
        let error = self.only_error(path);
        let at = (error["line"].as_u64(), error["column"].as_u64());
        assert_eq!(at, (Some(line), Some(column)), "error position: {error:#}");
        text(&error["message"])
    }

    /// No error and no notice: the hostile file was read as the valid input it is, and the
    /// scan ends with the neighbour's finding (exit code 1).
    fn assert_accepted(&self, files: u64) {
        assert!(self.list("errors").is_empty(), "no error expected: {:#}", self.report);
        assert!(self.list("notices").is_empty(), "no notice expected: {:#}", self.report);
        assert_eq!(self.report["summary"]["files"], files, "{:#}", self.report);
        assert_eq!(self.code, 1, "{}", self.stderr);
        self.assert_good_finding();
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("a string: {value}")).to_owned()
}

fn text_of(error: &Value) -> String {
    text(&error["message"])
}

/// The 1-based line and character column at which `needle` first occurs in `text`.
fn position_of(text: &str, needle: &str) -> (u64, u64) {
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in {text:?}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line as u64, column as u64)
}

/// `len` deterministic pseudo-random bytes (xorshift64*), with a NUL at the start and every
/// 64 bytes; `ascii` keeps them below 0x80, which makes them valid UTF-8 full of control
/// characters.
fn noise(len: usize, ascii: bool) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|i| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let byte = (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8;
            match (i % 64, ascii) {
                (0, _) => 0,
                (_, true) => byte & 0x7f,
                (_, false) => byte,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Invalid UTF-8: valid text with one 0xFF byte in the middle of a line.

/// Each format's file, with a marker (U+FFFD) where the 0xFF byte goes, in the middle of a
/// line after `héllo `; and that line.
fn invalid_utf8(format: Format) -> (String, u64) {
    let (text, line) = match format {
        Dockerfile => ("FROM alpine:3.20\nRUN echo héllo \u{fffd} world\nUSER 10001\n", 2),
        Env => ("PORT=8080\nGREETING=héllo \u{fffd} world\nDEBUG=false\n", 2),
        Kubernetes => (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  greeting: héllo \u{fffd} world\n",
            6,
        ),
        Compose => ("services:\n  web:\n    image: nginx:1.27\n    command: echo héllo \u{fffd} world\n", 4),
        Terraform => ("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"héllo \u{fffd} world\"\n}\n", 2),
    };
    (text.to_owned(), line)
}

/// The bytes of [`invalid_utf8`]'s text with the marker replaced by 0xFF, and its offset.
fn with_ff(text: &str) -> (Vec<u8>, usize) {
    let offset = text.find('\u{fffd}').unwrap();
    let mut bytes = text.as_bytes().to_vec();
    bytes.splice(offset..offset + '\u{fffd}'.len_utf8(), [0xff]);
    (bytes, offset)
}

#[test]
fn invalid_utf8_is_an_error_naming_the_byte_offset() {
    for format in Format::ALL {
        let (text, _) = invalid_utf8(format);
        let (bytes, offset) = with_ff(&text);
        let scan = Case::with(format.path(), bytes).scan(&[]);
        let message = text_of(scan.only_error(format.path()));
        let expected = format!("the file is not valid UTF-8 (invalid byte at offset {offset})");
        assert_eq!(message, expected, "{format:?}");
    }
}

#[test]
fn invalid_utf8_is_an_error_at_the_line_and_column_of_the_byte() {
    for format in Format::ALL {
        let (text, line) = invalid_utf8(format);
        let (bytes, _) = with_ff(&text);
        let (marker_line, column) = position_of(&text, "\u{fffd}");
        assert_eq!(marker_line, line);
        Case::with(format.path(), bytes).scan(&[]).error_at(format.path(), line, column);
    }
}

// ---------------------------------------------------------------------------------------------
// Binary files under each format's name.

#[test]
fn a_binary_file_under_a_format_name_is_an_encoding_error_and_the_scan_goes_on() {
    let bytes = noise(4096, false);
    let offset = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
    for format in [Dockerfile, Env, Compose, Terraform] {
        let scan = Case::with(format.path(), &bytes).scan(&[]);
        let message = text_of(scan.only_error(format.path()));
        assert_eq!(message, format!("the file is not valid UTF-8 (invalid byte at offset {offset})"));
    }
    // A `.yaml` file is a manifest only when its content says so (a top-level `apiVersion:`
    // and `kind:`); any other YAML, binary junk included, is not rampart's to read.
    let scan = Case::with(Kubernetes.path(), &bytes).scan(&[]);
    scan.assert_accepted(1);
}

#[test]
fn control_character_junk_is_a_parse_error_at_its_first_byte() {
    let junk = noise(4096, true);
    assert!(std::str::from_utf8(&junk).is_ok(), "7-bit junk is valid UTF-8, so the parsers see it");
    for format in [Dockerfile, Env, Compose, Terraform] {
        Case::with(format.path(), &junk).scan(&[]).error_at(format.path(), 1, 1);
    }
    // With a manifest's header, the junk is read as YAML and rejected where it starts.
    let manifest = [b"apiVersion: v1\nkind: ConfigMap\n".as_slice(), &junk].concat();
    Case::with(Kubernetes.path(), manifest).scan(&[]).error_at(Kubernetes.path(), 3, 1);
    // Without one, it is not a manifest.
    Case::with(Kubernetes.path(), &junk).scan(&[]).assert_accepted(1);
}

// ---------------------------------------------------------------------------------------------
// Empty files: what the format's own tool does with them.

#[test]
fn an_empty_dockerfile_is_an_error_as_docker_build_rejects_it() {
    // `docker build`: "the Dockerfile cannot be empty".
    let message = Case::with(Dockerfile.path(), "").scan(&[]).error_at(Dockerfile.path(), 1, 1);
    assert_eq!(message, "no FROM instruction");
}

#[test]
fn an_empty_env_file_is_valid_as_dotenv_and_compose_read_it() {
    Case::with(Env.path(), "").scan(&[]).assert_accepted(2);
}

#[test]
fn an_empty_yaml_file_is_not_a_manifest_and_is_not_read() {
    // Nothing says it is a Kubernetes manifest (docs/document-model.md: recognised by a
    // top-level `apiVersion:` and `kind:`), so it is skipped like any other YAML.
    Case::with(Kubernetes.path(), "").scan(&[]).assert_accepted(1);
}

#[test]
fn an_empty_compose_file_is_an_error_as_docker_compose_rejects_it() {
    // `docker compose config`: "empty compose file".
    let message = Case::with(Compose.path(), "").scan(&[]).error_at(Compose.path(), 1, 1);
    assert!(message.contains("not empty"), "{message}");
}

#[test]
fn an_empty_terraform_file_is_a_valid_empty_module() {
    // `terraform validate` accepts a module whose only file is empty.
    Case::with(Terraform.path(), "").scan(&[]).assert_accepted(2);
}

// ---------------------------------------------------------------------------------------------
// 50 MB files: skipped over the default size cap, read in full under a raised one.

const LARGE: u64 = 50 << 20;

/// Writes `head`, then `line(i)` for i = 0, 1, ... until the file reaches 50 MiB. Lines are
/// long (a few KiB): that keeps a debug build's parse of 50 MiB to seconds.
fn write_large(path: &Path, head: &str, line: &dyn Fn(usize) -> String) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(head.as_bytes()).unwrap();
    let mut written = head.len() as u64;
    let mut i = 0;
    while written < LARGE {
        let line = line(i);
        out.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        i += 1;
    }
    out.flush().unwrap();
}

/// A valid 50 MiB file of each format.
fn large(format: Format, path: &Path) {
    let filler = "x".repeat(8000);
    let (head, line): (&str, Box<dyn Fn(usize) -> String + '_>) = match format {
        Dockerfile => ("FROM alpine:3.20\n", Box::new(|i| format!("RUN echo step-{i} {filler}\n"))),
        Env => ("", Box::new(|i| format!("SETTING_{i}=value-{i}-{filler}\n"))),
        Kubernetes => (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: large\ndata:\n  mode: bulk\nx-items:\n",
            Box::new(|i| format!("  - item-{i}-{filler}\n")),
        ),
        Compose => (
            "services:\n  web:\n    image: nginx:1.27\nx-hosts:\n",
            Box::new(|i| format!("  - host-{i}.example.com-{filler}\n")),
        ),
        // Many resources, each under a long comment (HCL string literals are slow to lex in
        // a debug build; comments are not).
        Terraform => (
            "",
            Box::new(|i| {
                format!("# {filler}\nresource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"bucket-{i}\"\n}}\n")
            }),
        ),
    };
    write_large(path, head, &line);
}

fn a_50_mb_file(format: Format) {
    let case = Case::new();
    large(format, &case.path(format.path()));
    assert!(std::fs::metadata(case.path(format.path())).unwrap().len() >= LARGE);

    // Over the default 16 MiB cap: a notice naming the cap, not an error, not exit code 3.
    let scan = case.scan(&[]);
    assert!(scan.list("errors").is_empty(), "{format:?}: {:#}", scan.report);
    let notices = scan.list("notices");
    assert_eq!(notices.len(), 1, "{format:?}: {:#}", scan.report);
    assert_eq!(notices[0]["path"], format.path());
    let message = text_of(&notices[0]);
    assert!(message.contains("50.0 MiB, over the 16.0 MiB size limit (--max-file-size)"), "{message}");
    assert_eq!(scan.code, 1, "a notice does not change the exit code: {}", scan.stderr);
    assert_eq!(scan.findings(), [("good/Dockerfile".to_owned(), 1, RULE.to_owned())]);

    // Under a 64 MiB cap: read and parsed in full, without an error.
    let scan = case.scan(&["--max-file-size", "64"]);
    scan.assert_accepted(2);
    if format == Dockerfile {
        // Parsed and judged: the huge image never sets USER either.
        let large = ("Dockerfile".to_owned(), 1, RULE.to_owned());
        assert!(scan.findings().contains(&large), "{:#}", scan.report);
    }
}

#[test]
fn a_50_mb_dockerfile() {
    a_50_mb_file(Dockerfile);
}

#[test]
fn a_50_mb_env_file() {
    a_50_mb_file(Env);
}

#[test]
fn a_50_mb_kubernetes_manifest() {
    a_50_mb_file(Kubernetes);
}

#[test]
fn a_50_mb_compose_file() {
    a_50_mb_file(Compose);
}

#[test]
fn a_50_mb_terraform_file() {
    a_50_mb_file(Terraform);
}

// ---------------------------------------------------------------------------------------------
// 10,000 levels of nesting.

const DEPTH: usize = 10_000;

fn nested(open: &str, inner: &str, close: &str) -> String {
    [open.repeat(DEPTH), inner.to_owned(), close.repeat(DEPTH)].concat()
}

#[test]
fn deeply_nested_yaml_is_an_error_where_it_passes_the_nesting_limit() {
    // The YAML reader allows 512 levels (rampart_parse::yaml::MAX_DEPTH); the error points at
    // the 513th opening bracket.
    let list = format!("apiVersion: v1\nkind: ConfigMap\ndata:\n  nested: {}\n", nested("[", "", "]"));
    let (line, column) = position_of(&list, "[");
    Case::with(Kubernetes.path(), list).scan(&[]).error_at(Kubernetes.path(), line, column + 512);

    let maps = format!("services:\n  web:\n    labels: {}\n", nested("{a: ", "1", "}"));
    let (line, column) = position_of(&maps, "{");
    Case::with(Compose.path(), maps).scan(&[]).error_at(Compose.path(), line, column + 512 * 4);
}

#[test]
fn deeply_nested_hcl_is_an_error_where_it_passes_the_nesting_limit() {
    // hcl-edit allows 64 levels; the error points at the 65th.
    let list = format!("locals {{\n  a = {}\n}}\n", nested("[", "", "]"));
    let (line, column) = position_of(&list, "[");
    let message = Case::with(Terraform.path(), list).scan(&[]).error_at(Terraform.path(), line, column + 64);
    assert!(message.contains("nesting depth"), "{message}");

    // Nested objects: at the key of the 64th object, whose value would be the 65th level.
    let objects = format!("locals {{\n  a = {}\n}}\n", nested("{a = ", "1", "}"));
    let (line, column) = position_of(&objects, "{a");
    Case::with(Terraform.path(), objects).scan(&[]).error_at(Terraform.path(), line, column + 63 * 5 + 1);

    // Nested blocks: the resource is level 1, so the 64th `b {` (line 65) is level 65.
    let blocks = format!("resource \"x\" \"y\" {{\n{}}}\n", nested("b {\n", "", "}\n"));
    Case::with(Terraform.path(), blocks).scan(&[]).error_at(Terraform.path(), 65, 3);
}

#[test]
fn deeply_nested_env_interpolation_is_read_as_compose_reads_it() {
    // compose-go's interpolation recurses into defaults without a depth limit.
    let env = format!("PORT=8080\nA={}\n", nested("${A:-", "x", "}"));
    Case::with(Env.path(), env).scan(&[]).assert_accepted(2);
}

#[test]
fn deeply_nested_dockerfile_expansion_is_read_as_docker_reads_it() {
    // BuildKit's shell lexer expands `${A:-word}` recursively on Go's growable stack: it
    // builds these. An ENV in a stage and a global ARG, each 10,000 levels deep.
    let case = Case::new();
    case.write("env/Dockerfile", format!("FROM alpine:3.20\nENV A={}\n", nested("${A:-", "x", "}")));
    case.write("arg/Dockerfile", format!("ARG A={}\nFROM alpine:3.20\n", nested("${A:-", "x", "}")));
    let scan = case.scan(&[]);
    assert!(scan.list("errors").is_empty(), "{:#}", scan.report);
    let expected = [
        ("arg/Dockerfile".to_owned(), 2, RULE.to_owned()),
        ("env/Dockerfile".to_owned(), 1, RULE.to_owned()),
        ("good/Dockerfile".to_owned(), 1, RULE.to_owned()),
    ];
    assert_eq!(scan.findings(), expected);
    assert_eq!(scan.code, 1);
}

// ---------------------------------------------------------------------------------------------
// Truncated files: a realistic file cut in the middle of a quoted value or a token.

/// `text` up to and including the first occurrence of `cut`.
fn cut_after(text: &str, cut: &str) -> String {
    let end = text.find(cut).unwrap_or_else(|| panic!("{cut:?} not in {text:?}")) + cut.len();
    text[..end].to_owned()
}

const DOCKERFILE: &str = "\
# syntax=docker/dockerfile:1
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
ENV GREETING=\"hello world\" NODE_ENV=production
RUN <<EOF
npm run build
EOF
FROM nginx:1.27-alpine
COPY --from=build /app/dist /usr/share/nginx/html
USER 101
";

#[test]
fn a_truncated_dockerfile_is_an_error_at_what_the_cut_left_open() {
    // Cut inside a double-quoted ENV value: the error is at the opening quote.
    let text = cut_after(DOCKERFILE, "\"hello wor");
    let (line, column) = position_of(&text, "\"hello");
    let message = Case::with(Dockerfile.path(), &text).scan(&[]).error_at(Dockerfile.path(), line, column);
    assert!(message.contains("unterminated double quote"), "{message}");

    // Cut inside a heredoc: the error is at the heredoc's `<<EOF`.
    let text = cut_after(DOCKERFILE, "npm run bu");
    let (line, column) = position_of(&text, "<<EOF");
    let message = Case::with(Dockerfile.path(), &text).scan(&[]).error_at(Dockerfile.path(), line, column);
    assert!(message.contains("unterminated heredoc"), "{message}");

    // Cut inside an instruction keyword: `COP` is not an instruction.
    let text = cut_after(DOCKERFILE, "\nCOP");
    let (line, column) = position_of(&text, "COP");
    let message = Case::with(Dockerfile.path(), &text).scan(&[]).error_at(Dockerfile.path(), line, column);
    assert!(message.contains("unknown instruction `COP`"), "{message}");
}

const ENV_FILE: &str = "\
# production settings
export AWS_REGION=eu-west-1
DATABASE_URL=postgresql://${DB_USER:-app}:${DB_PASSWORD:?set it}@db:5432/shop
PRIVATE_KEY=\"-----BEGIN KEY-----
line one
line two
-----END KEY-----\"
LOG_LEVEL=info
";

#[test]
fn a_truncated_env_file_is_an_error_at_the_unclosed_quote() {
    let text = cut_after(ENV_FILE, "line tw");
    let (line, column) = position_of(&text, "\"-----BEGIN");
    let message = Case::with(Env.path(), &text).scan(&[]).error_at(Env.path(), line, column);
    assert!(message.contains("unterminated double-quoted value"), "{message}");
}

const MANIFEST: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: \"nginx:1.27-alpine\"
          securityContext:
            runAsNonRoot: true
";

const COMPOSE: &str = "\
services:
  web:
    image: nginx:1.27
    environment:
      GREETING: \"hello world\"
    ports:
      - \"8080:80\"
";

#[test]
fn truncated_yaml_is_an_error_at_the_unclosed_quote() {
    let text = cut_after(MANIFEST, "\"nginx:1.2");
    let (line, column) = position_of(&text, "\"nginx");
    let message = Case::with(Kubernetes.path(), &text).scan(&[]).error_at(Kubernetes.path(), line, column);
    assert!(message.contains("unclosed quote"), "{message}");

    let text = cut_after(COMPOSE, "\"hello wor");
    let (line, column) = position_of(&text, "\"hello");
    let message = Case::with(Compose.path(), &text).scan(&[]).error_at(Compose.path(), line, column);
    assert!(message.contains("unclosed quote"), "{message}");
}

const MODULE: &str = "\
terraform {
  required_version = \">= 1.5\"
}

resource \"aws_s3_bucket\" \"logs\" {
  bucket = \"storymagic-logs\"
  tags = {
    Team = \"platform\"
  }
}
";

#[test]
fn a_truncated_terraform_file_is_an_error_at_what_the_cut_left_open() {
    // Cut inside a quoted string: hcl-edit reports it at the start of the attribute.
    let text = cut_after(MODULE, "\"storymagic-lo");
    let (line, column) = position_of(&text, "bucket =");
    Case::with(Terraform.path(), &text).scan(&[]).error_at(Terraform.path(), line, column);

    // Cut before the resource's closing brace: the error is at the block's `{`, as Terraform
    // reports an unclosed block.
    let text = cut_after(MODULE, "\"platform\"\n  }\n");
    let (line, column) = position_of(&text, "{\n  bucket");
    let message = Case::with(Terraform.path(), &text).scan(&[]).error_at(Terraform.path(), line, column);
    assert!(message.contains("never closed"), "{message}");
}

#[test]
fn a_syntax_error_at_a_multibyte_character_is_reported_in_the_human_format() {
    // `b` opens a block whose label should follow; the error points into the two bytes of `é`.
    let case = Case::with(Terraform.path(), "b é");
    let dir = case.dir.path();
    let out = run(rampart().current_dir(dir).arg("scan").arg(dir).args(["--color", "never"]));
    assert_eq!(out.code, 3, "a parse error, reported: {}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("module/main.tf:1:3"), "{}", out.stdout);
    assert!(out.stdout.contains("non-root/dockerfile-user"), "the scan went on: {}", out.stdout);
}

// ---------------------------------------------------------------------------------------------
// Duplicate keys.

#[test]
fn a_duplicate_stage_name_or_directive_in_a_dockerfile_is_an_error_at_the_second() {
    // A Dockerfile has no keys; what BuildKit rejects as duplicates are stage names and
    // parser directives. (A repeated ENV or LABEL name is valid: the later value wins.)
    let text = "FROM alpine:3.20 AS build\nRUN true\nFROM alpine:3.20 AS build\nUSER 10001\n";
    let message = Case::with(Dockerfile.path(), text).scan(&[]).error_at(Dockerfile.path(), 3, 21);
    assert_eq!(message, "duplicate stage name `build`");

    let text = "# syntax=docker/dockerfile:1\n# syntax=docker/dockerfile:1.7\nFROM alpine:3.20\nUSER 10001\n";
    let scan = Case::with(Dockerfile.path(), text).scan(&[]);
    assert_eq!(scan.only_error(Dockerfile.path())["line"], 2);

    let text = "FROM alpine:3.20\nENV A=1\nENV A=2\nLABEL a=1 a=2\nUSER 10001\n";
    Case::with(Dockerfile.path(), text).scan(&[]).assert_accepted(2);
}

#[test]
fn a_duplicate_env_key_is_valid_and_the_later_value_wins_as_in_compose() {
    Case::with(Env.path(), "A=1\nB=2\nA=3\n").scan(&[]).assert_accepted(2);
}

#[test]
fn a_duplicate_yaml_key_is_an_error_at_the_second_key() {
    // kubectl and docker compose (go-yaml) reject a mapping key defined twice.
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n";
    let message = Case::with(Kubernetes.path(), text).scan(&[]).error_at(Kubernetes.path(), 5, 3);
    assert!(message.contains("duplicate key `name`, first at line 4"), "{message}");

    let text = "services:\n  web:\n    image: nginx:1.27\n    user: root\n    image: nginx:1.26\n";
    let message = Case::with(Compose.path(), text).scan(&[]).error_at(Compose.path(), 5, 5);
    assert!(message.contains("duplicate key `image`, first at line 3"), "{message}");
}

#[test]
fn a_duplicate_terraform_attribute_is_an_error_at_the_second() {
    // Terraform: "Attribute redefined".
    let text =
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"a\"\n  acl    = \"private\"\n  bucket = \"b\"\n}\n";
    Case::with(Terraform.path(), text).scan(&[]).error_at(Terraform.path(), 4, 3);
}
