//! A loaded plugin: its metadata, its pre-instantiated component, and a pool of sandboxed
//! instances that rayon workers reuse across documents.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rampart_model::{
    Document, ErrorKind, Finding, Format, PluginInfo, Related, RuleId, RuleIdError, RuleMeta, RuleSettings,
    ScanError,
};
use sha2::{Digest, Sha256};
use wasmtime::Store;

use crate::contract::ContractError;
use crate::sandbox::{
    self, Plugin as Bindings, PluginPre as BindingsPre, StoreState, rampart::plugin::types as wit,
};
use crate::{Runtime, convert, truncate};

/// After this many time-outs a plugin is not called again in this scan: a plugin that hangs
/// on every file would otherwise cost its whole deadline per file.
const MAX_TIMEOUTS: u32 = 3;

/// A finding message longer than this is cut.
const MAX_MESSAGE: usize = 2000;

/// Where a plugin came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

/// Why a plugin could not be loaded. Loading happens before any file is scanned.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("it is not a valid WebAssembly component: {0:#}")]
    Compile(anyhow::Error),
    #[error(
        "it is a core WebAssembly module, not a component: a plugin built with `cargo build \
         --target wasm32-unknown-unknown` still needs its component wrapper; build it with \
         `rampart plugin build`"
    )]
    CoreModule,
    #[error(transparent)]
    Contract(#[from] ContractError),
    #[error("its functions do not match the plugin contract: {0}")]
    Types(String),
    #[error("it failed when asked for its metadata: {0}")]
    Metadata(PluginError),
    #[error("it declares an invalid rule: {0}")]
    Rule(#[from] RuleIdError),
    #[error("it declares rule `{0}` twice")]
    DuplicateRule(String),
    #[error("it declares no rules")]
    NoRules,
}

/// How one plugin call failed. Never a verdict: the scan reports it and fails closed.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum PluginError {
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("exceeded its memory limit of {limit_mib} MiB (it asked for {requested_mib} MiB)")]
    Memory { limit_mib: usize, requested_mib: usize },
    #[error("panicked: {0}")]
    Panic(String),
    #[error("trapped: {0}")]
    Trap(String),
    #[error("reported an error: {0}")]
    Reported(String),
}

/// A document converted once to the contract's representation, shared by every plugin.
pub struct PreparedDocument(wit::Document);

impl PreparedDocument {
    pub fn new(doc: &Document) -> Self {
        Self(convert::document(doc))
    }
}

/// A plugin's rule settings, prepared once per scan for every call.
#[derive(Debug)]
pub struct Configured {
    /// Parallel to `Plugin::rules`.
    rules: Vec<RuleSettings>,
    params: Vec<wit::Param>,
    /// The formats at least one enabled rule reads.
    formats: HashSet<Format>,
}

impl Configured {
    /// Whether the plugin has an enabled rule for this format.
    pub fn applies_to(&self, format: Format) -> bool {
        self.formats.contains(&format)
    }

    /// Whether the plugin's rule at `index` (of `Plugin::rules`) is enabled.
    pub fn is_enabled(&self, index: usize) -> bool {
        self.rules.get(index).is_some_and(|r| r.enabled)
    }
}

/// What one plugin said about one document.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
}

struct Instance {
    store: Store<StoreState>,
    bindings: Bindings,
}

pub struct Plugin {
    pub info: PluginInfo,
    pub rules: Vec<RuleMeta>,
    /// sha256 of the component, hex.
    pub sha256: String,
    /// The contract version it was built against (`0.3.0`).
    pub contract: String,
    pub origin: Origin,
    pre: BindingsPre<StoreState>,
    engine: wasmtime::Engine,
    memory_limit: usize,
    timeout: Duration,
    deadline_ticks: u64,
    max_findings: usize,
    idle: Mutex<Vec<Instance>>,
    timeouts: AtomicU32,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("info", &self.info)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Compiles (or loads from the cache) a component, checks it against the contract, and
    /// asks it for its metadata.
    pub fn load(&self, wasm: &[u8], origin: Origin) -> Result<Plugin, LoadError> {
        self.load_hashed(wasm, hex::encode(Sha256::digest(wasm)), origin)
    }

    /// [`Runtime::load`] of a component whose sha256 (hex) the caller has computed already:
    /// the built-in plugins' are computed when rampart is built. It must be the hash of
    /// `wasm`: the compiled-plugin cache is keyed by it.
    pub fn load_hashed(&self, wasm: &[u8], sha256: String, origin: Origin) -> Result<Plugin, LoadError> {
        if is_core_module(wasm) {
            return Err(LoadError::CoreModule);
        }
        let component = self.cache.component(&self.engine, wasm, &sha256).map_err(LoadError::Compile)?;
        let contract = crate::contract::check(&self.engine, &component)?;
        let instance_pre =
            self.linker.instantiate_pre(&component).map_err(|e| LoadError::Types(format!("{e:#}")))?;
        let pre = BindingsPre::new(instance_pre).map_err(|e| LoadError::Types(format!("{e:#}")))?;
        let mut plugin = Plugin {
            info: PluginInfo { name: String::new(), version: String::new(), description: String::new() },
            rules: Vec::new(),
            sha256,
            contract,
            origin,
            pre,
            engine: self.engine.clone(),
            memory_limit: self.limits.memory_bytes,
            timeout: self.limits.timeout,
            deadline_ticks: self.deadline_ticks(),
            max_findings: self.limits.max_findings,
            idle: Mutex::new(Vec::new()),
            timeouts: AtomicU32::new(0),
        };
        let (info, rules) = plugin.metadata().map_err(LoadError::Metadata)?;
        let mut seen = HashSet::new();
        let rules = rules
            .into_iter()
            .map(|rule| {
                let rule = convert::rule(rule)?;
                if !seen.insert(rule.id.clone()) {
                    return Err(LoadError::DuplicateRule(rule.id.to_string()));
                }
                Ok(rule)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if rules.is_empty() {
            return Err(LoadError::NoRules);
        }
        plugin.info = PluginInfo { name: info.name, version: info.version, description: info.description };
        plugin.rules = rules;
        Ok(plugin)
    }
}

/// A core module's preamble: the magic number, then version 1 and layer 0. A component
/// has the same magic number and layer 1.
fn is_core_module(wasm: &[u8]) -> bool {
    wasm.starts_with(b"\0asm\x01\0\0\0")
}

impl Plugin {
    /// Whether the plugin has been switched off for the rest of the scan after repeated
    /// time-outs.
    pub fn is_disabled(&self) -> bool {
        self.timeouts.load(Ordering::Relaxed) >= MAX_TIMEOUTS
    }

    fn instantiate(&self) -> Result<Instance, PluginError> {
        let mut store = sandbox::store(&self.engine, self.memory_limit);
        store.set_epoch_deadline(self.deadline_ticks);
        match self.pre.instantiate(&mut store) {
            Ok(bindings) => Ok(Instance { store, bindings }),
            Err(err) => Err(self.classify(&store, &err, self.timeout)),
        }
    }

    /// Runs `call` in an idle instance (or a new one); a trapped instance is thrown away,
    /// since wasmtime refuses further calls into it.
    fn with_instance<R>(
        &self,
        allowed: Duration,
        call: impl FnOnce(&mut Instance) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut instance = match idle {
            Some(instance) => instance,
            None => self.instantiate()?,
        };
        instance.store.set_epoch_deadline(self.ticks(allowed));
        instance.store.data_mut().panic = None;
        instance.store.data_mut().memory_exceeded = None;
        match call(&mut instance) {
            Ok(result) => {
                if let Ok(mut idle) = self.idle.lock() {
                    idle.push(instance);
                }
                Ok(result)
            }
            Err(err) => Err(self.classify(&instance.store, &err, allowed)),
        }
    }

    fn classify(&self, store: &Store<StoreState>, err: &wasmtime::Error, allowed: Duration) -> PluginError {
        let state = store.data();
        if let Some(requested) = state.memory_exceeded {
            return PluginError::Memory {
                limit_mib: self.memory_limit >> 20,
                requested_mib: requested.div_ceil(1 << 20),
            };
        }
        if let Some(message) = &state.panic {
            return PluginError::Panic(message.clone());
        }
        if let Some(wasmtime::Trap::Interrupt) = err.downcast_ref::<wasmtime::Trap>() {
            self.timeouts.fetch_add(1, Ordering::Relaxed);
            return PluginError::Timeout(allowed);
        }
        PluginError::Trap(format!("{err:#}"))
    }

    /// The time one call may take: the configured limit, plus 5% of it for every MiB of
    /// document text beyond the first, so that a 50 MiB file is not held to the clock of a
    /// 1 KiB one (the prepared document's strings hold every key and value once).
    fn time_allowed(&self, text_bytes: usize) -> Duration {
        time_allowed(self.timeout, text_bytes)
    }

    fn ticks(&self, allowed: Duration) -> u64 {
        let ticks = allowed.as_micros() / crate::EPOCH_TICK.as_micros();
        u64::try_from(ticks).unwrap_or(u64::MAX).max(self.deadline_ticks)
    }

    fn metadata(&self) -> Result<(wit::PluginInfo, Vec<wit::Rule>), PluginError> {
        self.with_instance(self.timeout, |i| {
            let guest = i.bindings.rampart_plugin_guest();
            let info = guest.call_info(&mut i.store)?;
            let rules = guest.call_rules(&mut i.store)?;
            Ok((info, rules))
        })
    }

    /// Prepares the plugin's rules for a scan: `settings` says, for each rule, whether it
    /// runs, at what severity and with which parameters.
    pub fn configure(&self, settings: impl Fn(&RuleMeta) -> RuleSettings) -> Configured {
        let rules: Vec<RuleSettings> = self.rules.iter().map(settings).collect();
        let params = self
            .rules
            .iter()
            .zip(&rules)
            .flat_map(|(rule, settings)| {
                settings.params.iter().map(|(name, value)| wit::Param {
                    rule: rule.id.as_str().to_owned(),
                    name: name.clone(),
                    value: convert::param_value_to_wit(value),
                })
            })
            .collect();
        let formats = self
            .rules
            .iter()
            .zip(&rules)
            .filter(|(_, settings)| settings.enabled)
            .flat_map(|(rule, _)| rule.formats.iter().copied())
            .collect();
        Configured { rules, params, formats }
    }

    /// Evaluates the plugin's rules on one document. Failures come back as errors naming the
    /// plugin and the file; well-formed findings of a partly malformed answer are kept.
    /// Findings of rules the settings disable are dropped.
    pub fn check(&self, doc: &Document, prepared: &PreparedDocument, configured: &Configured) -> Evaluation {
        let mut evaluation = Evaluation::default();
        let path = doc.path().to_owned();
        let error = |message: String| ScanError::new(ErrorKind::Plugin, Some(path.clone()), message);
        let name = &self.info.name;
        let allowed = self.time_allowed(prepared.0.strings.len());
        let answer = self.with_instance(allowed, |i| {
            i.bindings.rampart_plugin_guest().call_check(&mut i.store, &prepared.0, &configured.params)
        });
        let findings = match answer {
            Ok(Ok(findings)) => findings,
            Ok(Err(message)) => {
                evaluation.errors.push(error(format!(
                    "plugin `{name}` {}",
                    PluginError::Reported(truncate(message, MAX_MESSAGE))
                )));
                return evaluation;
            }
            Err(err) => {
                let mut message = format!("plugin `{name}` {err}");
                if matches!(err, PluginError::Timeout(_)) && self.is_disabled() {
                    let _ = write!(
                        message,
                        "; after {MAX_TIMEOUTS} time-outs it is not run on the remaining files"
                    );
                }
                evaluation.errors.push(error(message));
                return evaluation;
            }
        };
        let returned = findings.len();
        // A big module legitimately has one finding per resource: the cap grows with the
        // document (one finding per node), and only a flood beyond that is an error.
        let cap = self.max_findings.max(doc.nodes().len());
        for finding in findings.into_iter().take(cap) {
            match self.finding(doc, finding, configured) {
                Ok(None) => {}
                Ok(Some(finding)) => evaluation.findings.push(finding),
                Err(message) => evaluation
                    .errors
                    .push(error(format!("plugin `{name}` returned a malformed finding: {message}"))),
            }
        }
        if returned > cap {
            evaluation.errors.push(error(format!(
                "plugin `{name}` returned {returned} findings for one file; only the first {cap} are kept"
            )));
        }
        evaluation
    }

    /// Checks and locates a finding; `None` for a finding of a disabled rule.
    fn finding(
        &self,
        doc: &Document,
        finding: wit::Finding,
        configured: &Configured,
    ) -> Result<Option<Finding>, String> {
        let index = self.rules.iter().position(|r| r.id.as_str() == finding.rule).ok_or_else(|| {
            format!("rule `{}` is not one the plugin declares", truncate(finding.rule.clone(), 100))
        })?;
        let rule = &self.rules[index];
        let settings = configured.rules.get(index);
        if settings.is_some_and(|s| !s.enabled) {
            return Ok(None);
        }
        let default_severity = settings.and_then(|s| s.severity).unwrap_or(rule.severity);
        let (file, mut span) = locate(doc, finding.node)?;
        if let Some(part) = finding.part
            && let Some(narrowed) = part_span(doc, finding.node, &file.text, span, part.offset, part.len)
        {
            span = narrowed;
        }
        let mut related = finding
            .related
            .into_iter()
            .map(|r| {
                let (file, span) = locate(doc, r.node)?;
                Ok(Related { file, span, message: truncate(r.message, MAX_MESSAGE) })
            })
            .collect::<Result<Vec<_>, String>>()?;
        // A value written elsewhere (a variable's default, a `.tfvars` line) is shown too, so
        // the user sees both where it is used and where to change it.
        if let Some(origin) = doc.origin(finding.node)
            && let Some(origin_file) = doc.files.get(origin.file as usize)
        {
            let message = origin.message.clone();
            related.push(Related { file: std::sync::Arc::clone(origin_file), span: origin.span, message });
        }
        Ok(Some(Finding {
            rule: RuleId::clone(&rule.id),
            severity: finding
                .severity
                .map(convert::severity)
                .filter(|&s| s != rule.severity)
                .unwrap_or(default_severity),
            message: truncate(finding.message, MAX_MESSAGE),
            location: file.location(span),
            file,
            span,
            related,
            plugin: self.info.name.clone(),
            secret: finding.secret,
            suppression: None,
            fingerprint: String::new(),
        }))
    }
}

/// The span of a byte range of a node's value, when the file holds the value verbatim at the
/// node's span, or verbatim between one quote character on each side (`"v"`, `'v'`); `None`
/// (the whole node) otherwise, or when the range is outside the value or splits a character.
fn part_span(
    doc: &Document,
    node: u32,
    source: &str,
    span: rampart_model::Span,
    offset: u32,
    len: u32,
) -> Option<rampart_model::Span> {
    let value = doc.get(node)?.value();
    let written = source.get(span.start as usize..span.end as usize)?;
    let base = if written == value {
        span.start
    } else if written.len() == value.len() + 2 && written.get(1..written.len() - 1) == Some(value) {
        span.start + 1
    } else {
        return None;
    };
    let end = offset.checked_add(len)?;
    value.get(offset as usize..end as usize)?;
    Some(rampart_model::Span::new(base + offset, base + end))
}

fn time_allowed(timeout: Duration, text_bytes: usize) -> Duration {
    let extra_mib = u32::try_from((text_bytes >> 20).saturating_sub(1)).unwrap_or(u32::MAX);
    timeout.saturating_add((timeout / 20).saturating_mul(extra_mib))
}

fn locate(
    doc: &Document,
    node: u32,
) -> Result<(std::sync::Arc<rampart_model::SourceFile>, rampart_model::Span), String> {
    let node_ref = doc
        .get(node)
        .ok_or_else(|| format!("it names node {node}, but the document has {} nodes", doc.nodes().len()))?;
    let node = node_ref.node();
    let file = doc
        .files
        .get(node.file as usize)
        .ok_or_else(|| format!("node {} belongs to no file", node_ref.id()))?
        .clone();
    Ok((file, node.span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_located_where_the_value_is_written_verbatim() {
        use rampart_model::{DocumentBuilder, SourceFile, Span};
        let text = "A=curl -fsSLk x\nB=\"quoted -k\"\nC=multi\\\n line\n";
        let file = std::sync::Arc::new(SourceFile::new("f", text));
        let mut builder = DocumentBuilder::new(Format::Env, std::sync::Arc::clone(&file), Span::new(0, 40));
        builder.string(DocumentBuilder::ROOT, "A", "curl -fsSLk x", Span::new(2, 15));
        builder.string(DocumentBuilder::ROOT, "B", "quoted -k", Span::new(18, 29));
        builder.string(DocumentBuilder::ROOT, "C", "multi line", Span::new(32, 44));
        let doc = builder.finish();
        let id = |key: &str| doc.root().get(key).unwrap().id();
        let (plain, quoted, joined) = (id("A"), id("B"), id("C"));
        let at = |node: u32, offset, len| {
            let span = doc.get(node).unwrap().node().span;
            part_span(&doc, node, text, span, offset, len)
        };
        assert_eq!(at(plain, 5, 6), Some(Span::new(7, 13)), "`-fsSLk`");
        assert_eq!(at(quoted, 7, 2), Some(Span::new(26, 28)), "inside the quotes");
        assert_eq!(at(joined, 0, 5), None, "not verbatim: the whole node");
        assert_eq!(at(plain, 10, 9), None, "past the value's end");
    }

    #[test]
    fn big_documents_get_more_time() {
        let limit = Duration::from_secs(2);
        assert_eq!(time_allowed(limit, 0), limit);
        assert_eq!(time_allowed(limit, 2 << 20), limit + Duration::from_millis(100));
        assert_eq!(time_allowed(limit, 50 << 20), limit + Duration::from_millis(4900));
        // No overflow on absurd sizes: the allowance saturates.
        assert!(time_allowed(limit, usize::MAX) > Duration::from_secs(1_000_000));
    }
}
