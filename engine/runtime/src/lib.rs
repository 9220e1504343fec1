//! rampart's plugin host: loads policy plugins (WebAssembly components) and runs them in a
//! sandbox.
//!
//! A plugin gets no WASI and no ambient authority: it is instantiated with a linker that
//! offers only the contract's `host` interface, and a component importing anything else is
//! refused at load time. Every call runs under a memory cap and an epoch deadline; a trap,
//! panic, time-out, exhausted memory or malformed answer becomes a [`PluginError`] naming the
//! plugin, never a verdict. This is the only crate that depends on wasmtime.

mod cache;
mod contract;
mod convert;
mod plugin;
mod sandbox;

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

pub use cache::CacheStats;
pub use contract::{CONTRACT_VERSION, ContractError};
pub use plugin::{Configured, Evaluation, LoadError, Origin, Plugin, PluginError, PreparedDocument};

/// The resources one plugin call may use.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Linear memory a plugin instance may grow to.
    pub memory_bytes: usize,
    /// Wall time of one call.
    pub timeout: Duration,
    /// Findings kept from one plugin for one document; the rest are dropped with an error.
    pub max_findings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { memory_bytes: 64 << 20, timeout: Duration::from_secs(2), max_findings: 1_000 }
    }
}

/// How often the epoch advances; deadlines are counted in these ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// One wasmtime engine for the process, its compiled-plugin cache and the epoch ticker.
pub struct Runtime {
    engine: wasmtime::Engine,
    linker: wasmtime::component::Linker<sandbox::StoreState>,
    cache: cache::CompileCache,
    limits: Limits,
    /// Dropping the sender stops the ticker at once (a sleeping ticker would make every run
    /// wait up to one tick on exit).
    ticker: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

impl Runtime {
    /// Creates the engine. `cache_dir` is where compiled plugins are kept between runs; `None`
    /// compiles every plugin on every run. An unusable cache directory is not an error: see
    /// [`Runtime::cache_notice`].
    pub fn new(limits: Limits, cache_dir: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut config = wasmtime::Config::new();
        config.epoch_interruption(true);
        config.wasm_component_model(true);
        config.parallel_compilation(true);
        // For profiling plugins with `perf`: names the compiled functions in /tmp/perf-PID.map.
        if std::env::var_os("RAMPART_PERF_MAP").is_some_and(|v| v == "1") {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = wasmtime::Engine::new(&config).map_err(anyhow_error)?;
        let linker = sandbox::linker(&engine)?;
        let cache = cache::CompileCache::new(&engine, cache_dir);

        let (stop, stopped) = mpsc::channel::<()>();
        let ticker = {
            let engine = engine.clone();
            std::thread::Builder::new().name("rampart-epoch".into()).spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EPOCH_TICK) {
                    engine.increment_epoch();
                }
            })?
        };
        Ok(Self { engine, linker, cache, limits, ticker: Some((stop, ticker)) })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Hits, compilations and rebuilt corrupt entries of the compiled-plugin cache so far.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// Why the compiled-plugin cache is not in use, if it is not.
    pub fn cache_notice(&self) -> Option<String> {
        self.cache.notice()
    }

    fn deadline_ticks(&self) -> u64 {
        let ticks = self.limits.timeout.as_micros() / EPOCH_TICK.as_micros();
        u64::try_from(ticks).unwrap_or(u64::MAX).max(1)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some((stop, handle)) = self.ticker.take() {
            drop(stop);
            let _ = handle.join();
        }
    }
}

/// wasmtime 48 has its own error type; keep its message chain when crossing into anyhow.
#[allow(clippy::needless_pass_by_value)] // used as `.map_err(anyhow_error)`
pub(crate) fn anyhow_error(err: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("{err:#}")
}

/// Cuts text a plugin produced to at most `max` bytes (on a character boundary), marking the
/// cut with `…`: messages only have to explain, and a plugin must not flood the report.
pub(crate) fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        text.truncate(text.floor_char_boundary(max));
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn truncation_respects_character_boundaries() {
        assert_eq!(super::truncate("short".into(), 10), "short");
        // "é" is two bytes: a cut at byte 2 would split it.
        assert_eq!(super::truncate("aéb".into(), 2), "a…");
        assert_eq!(super::truncate("abcdef".into(), 3), "abc…");
    }
}
