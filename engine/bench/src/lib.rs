//! Criterion micro-benchmarks of rampart's hot inner pieces; the benchmarks themselves are in
//! `benches/`, and this library holds what they share: reading the committed fixtures and
//! loading the built-in plugins.
//!
//! - `benches/parse.rs`: each parser on one committed file (`parse/dockerfile`, ...) and the
//!   Terraform module `fixtures/terraform/seeds/003-storymagic` (`parse/terraform-module`,
//!   and `parse/terraform-module-tree` with the local module it calls).
//! - `benches/evaluate.rs`: per format, the host-side conversion of a parsed document for the
//!   plugins (`prepare/<format>`) and one call of each built-in plugin that reads the format
//!   (`evaluate/<format>/<plugin>`). Plugins are compiled once, before anything is timed.
//! - `benches/render.rs`: a report of 1,000 findings as human (miette, no colour), JSON and
//!   SARIF output, over a few files and in one generated multi-megabyte file
//!   (`render/human/1000-findings`, `render/json/1000-findings-one-large-file`, ...).
//!
//! Run them with
//!
//! ```text
//! cargo bench -p rampart-bench                              # everything (a few minutes)
//! cargo bench -p rampart-bench --bench evaluate             # one group
//! cargo bench -p rampart-bench --bench evaluate -- kubernetes   # ids containing a string
//! cargo bench -p rampart-bench --bench parse -- --warm-up-time 1 --measurement-time 2
//! ```
//!
//! Criterion keeps its results under `target/criterion` and compares each run with the last.
//! Nothing here runs in `cargo test`; `cargo xtask bench` and `cargo xtask bench-parse`
//! measure the release binary end to end and parse throughput on a generated corpus.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rampart_model::{Document, Format, RuleSettings, SourceFile};
use rampart_parse::ParseError;
use rampart_parse::terraform::{self, Inputs, Loader};
use rampart_runtime::{Configured, Limits, Origin, Plugin, Runtime};

/// The committed inputs the benchmarks read, relative to the repository root: one realistic
/// file per format, the same one in every group so that parsing, preparing and evaluating a
/// format can be compared.
pub const DOCKERFILE: &str = "fixtures/seeds/000-masterx/backend.Dockerfile";
pub const KUBERNETES: &str = "fixtures/kubernetes/parser/complex.yaml";
pub const COMPOSE: &str = "fixtures/compose/parser/complex.yaml";
pub const ENV: &str = "fixtures/seeds/001-course-companion/.env.production";
/// A root module (16 `.tf` files, `terraform.tfvars` and `release.auto.tfvars`) that calls
/// the local module `modules/network`.
pub const TERRAFORM_MODULE: &str = "fixtures/terraform/seeds/003-storymagic";

/// The repository root (this crate is `engine/bench`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A committed file's path (relative to the repository root) and text.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub path: String,
    pub text: Arc<str>,
}

impl Fixture {
    /// Reads `path`, relative to the repository root.
    pub fn read(path: &str) -> io::Result<Self> {
        let text = std::fs::read_to_string(repo_root().join(path))
            .map_err(|e| io::Error::new(e.kind(), format!("could not read {path}: {e}")))?;
        Ok(Self { path: path.to_owned(), text: text.into() })
    }

    /// A new `SourceFile` sharing the text: nothing computed lazily on an earlier one (the
    /// line index) carries over, as in a scan, where every file is read once.
    pub fn source(&self) -> Arc<SourceFile> {
        Arc::new(SourceFile::new(self.path.clone(), Arc::clone(&self.text)))
    }

    pub fn bytes(&self) -> u64 {
        self.text.len() as u64
    }
}

/// A Terraform root module held in memory: its module files in name order, the variable
/// files Terraform loads automatically, and the local modules the tree calls.
#[derive(Debug)]
pub struct Module {
    pub dir: String,
    pub files: Vec<Fixture>,
    pub tfvars: Vec<Fixture>,
    /// The called modules' files, by directory relative to the root module's.
    pub called: HashMap<String, Vec<Fixture>>,
}

impl Module {
    /// Reads a root module (`dir`, relative to the repository root), then the local modules
    /// it calls, found by parsing it once with a loader that reads from disk.
    pub fn read(dir: &str) -> io::Result<Self> {
        let names = file_names(&repo_root().join(dir))?;
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let files = module_files(dir, &names)?;
        let tfvars = terraform::auto_tfvars(&refs)
            .into_iter()
            .map(|i| Fixture::read(&format!("{dir}/{}", names[i])))
            .collect::<io::Result<Vec<_>>>()?;
        let mut module = Self { dir: dir.to_owned(), files, tfvars, called: HashMap::new() };
        let disk = DiskLoader { root: dir, read: Mutex::new(HashMap::new()) };
        let inputs = module.inputs().map_err(|e| invalid(dir, &e))?;
        let parsed = terraform::parse_module_tree(module.sources(), &inputs, Some(&disk))
            .map_err(|e| invalid(dir, &e.error))?;
        if let Some(error) = parsed.errors.first() {
            return Err(io::Error::other(format!("{}: {}", error.file.path, error.message)));
        }
        module.called = disk.read.into_inner().map_err(|_| io::Error::other("a module read failed"))?;
        Ok(module)
    }

    /// New `SourceFile`s for the root module's files.
    pub fn sources(&self) -> Vec<Arc<SourceFile>> {
        self.files.iter().map(Fixture::source).collect()
    }

    /// The variable values of the module's tfvars files, read afresh.
    pub fn inputs(&self) -> Result<Inputs, ParseError> {
        let mut inputs = Inputs::new();
        for file in &self.tfvars {
            inputs.add_tfvars(&file.source())?;
        }
        Ok(inputs)
    }

    /// Bytes of the root module's files and tfvars.
    pub fn root_bytes(&self) -> u64 {
        self.files.iter().chain(&self.tfvars).map(Fixture::bytes).sum()
    }

    /// Bytes of the whole tree: the root and the modules it calls.
    pub fn tree_bytes(&self) -> u64 {
        self.root_bytes() + self.called.values().flatten().map(Fixture::bytes).sum::<u64>()
    }

    /// Parses the root module alone, its local module calls left unread.
    pub fn parse(&self) -> Result<Document, ParseError> {
        let inputs = self.inputs()?;
        terraform::parse_module(self.sources(), &inputs)
    }

    /// Parses the root module and the local modules it calls (from memory), as a scan does.
    pub fn parse_tree(&self) -> Result<Document, ParseError> {
        let inputs = self.inputs()?;
        let parsed = terraform::parse_module_tree(self.sources(), &inputs, Some(self)).map_err(|e| {
            ParseError { message: format!("file {}: {}", e.file, e.error.message), ..e.error }
        })?;
        match parsed.errors.into_iter().next() {
            Some(error) => {
                Err(ParseError::new(error.span, format!("{}: {}", error.file.path, error.message)))
            }
            None => Ok(parsed.document),
        }
    }
}

/// The benchmarked loader: the called modules' files from memory, as new `SourceFile`s.
impl Loader for Module {
    fn load(&self, dir: &str) -> Result<Vec<Arc<SourceFile>>, String> {
        self.called
            .get(dir)
            .map(|files| files.iter().map(Fixture::source).collect())
            .ok_or_else(|| format!("module {dir} was not read beforehand"))
    }
}

/// Reads called modules from disk once, keeping what it read.
struct DiskLoader<'a> {
    root: &'a str,
    read: Mutex<HashMap<String, Vec<Fixture>>>,
}

impl Loader for DiskLoader<'_> {
    fn load(&self, dir: &str) -> Result<Vec<Arc<SourceFile>>, String> {
        let path = terraform::join_dir(self.root, dir);
        let names = file_names(&repo_root().join(&path)).map_err(|e| e.to_string())?;
        let files = module_files(&path, &names).map_err(|e| e.to_string())?;
        let sources = files.iter().map(Fixture::source).collect();
        self.read.lock().map_err(|_| "a module read failed".to_owned())?.insert(dir.to_owned(), files);
        Ok(sources)
    }
}

/// The names of a directory's files, sorted.
fn file_names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file()
            && let Ok(name) = entry.file_name().into_string()
        {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The `*.tf` and `*.tf.json` files among `names`, read from `dir` (relative to the root).
fn module_files(dir: &str, names: &[String]) -> io::Result<Vec<Fixture>> {
    names
        .iter()
        .filter(|n| terraform::is_module_file(n))
        .map(|n| Fixture::read(&format!("{dir}/{n}")))
        .collect()
}

fn invalid(dir: &str, error: &ParseError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{dir}: {}", error.message))
}

/// The built-in plugins, compiled, each configured with its rules' declared defaults.
pub struct Plugins {
    /// Declared before the runtime, so dropped first.
    pub plugins: Vec<(Plugin, Configured)>,
    pub runtime: Runtime,
}

impl std::fmt::Debug for Plugins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.plugins.iter().map(|(p, _)| p.info.name.as_str()).collect();
        f.debug_struct("Plugins").field("plugins", &names).finish_non_exhaustive()
    }
}

impl Plugins {
    /// Compiles every built-in plugin with no compiled-plugin cache (a few seconds) and the
    /// default limits, and configures each with its defaults.
    pub fn builtins() -> io::Result<Self> {
        let runtime = Runtime::new(Limits::default(), None)
            .map_err(|e| io::Error::other(format!("could not start the runtime: {e:#}")))?;
        let plugins = rampart_builtins::BUILTINS
            .iter()
            .map(|b| {
                let plugin = runtime
                    .load_hashed(b.wasm, b.sha256.to_owned(), Origin::Builtin)
                    .map_err(|e| io::Error::other(format!("the built-in plugin {}: {e}", b.name)))?;
                let configured = plugin.configure(RuleSettings::defaults);
                Ok((plugin, configured))
            })
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Self { plugins, runtime })
    }

    /// The plugins with an enabled rule for `format`, in the built-in order.
    pub fn for_format(&self, format: Format) -> impl Iterator<Item = &(Plugin, Configured)> {
        self.plugins.iter().filter(move |(_, configured)| configured.applies_to(format))
    }
}
