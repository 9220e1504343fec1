//! The on-disk cache of compiled plugins.
//!
//! Compiling a component with Cranelift costs tens of milliseconds to seconds; loading a
//! compiled artifact costs microseconds. Entries are keyed by the component's sha256, the
//! engine's compatibility hash (wasmtime version and configuration) and rampart's version,
//! and carry a BLAKE3 hash of their own payload: a truncated or edited entry is detected and
//! rebuilt, never handed to wasmtime (deserialising is only safe on trusted bytes).
//!
//! BLAKE3 rather than SHA-256 because this check runs on every scan over every entry (about
//! 3 MB for the built-in plugins): SHA-256 took 16% of a warm one-file scan's CPU time.
//!
//! Several rampart processes (two pre-commit hooks, parallel CI jobs) may share the directory:
//! an entry is written to a file no other writer uses and renamed into place, so a reader
//! sees a whole entry or none; two writers of the same entry write the same bytes, and the
//! last rename wins.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use wasmtime::component::Component;

use crate::anyhow_error;

const MAGIC: &[u8; 16] = b"rampart-cwasm-2\n";
const HEADER_LEN: usize = MAGIC.len() + blake3::OUT_LEN;

/// What the cache did so far in this process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Plugins loaded from a cached compiled artifact.
    pub hits: usize,
    /// Plugins compiled from their WebAssembly.
    pub compiled: usize,
    /// Cache entries found corrupt (and replaced).
    pub corrupt: usize,
}

pub(crate) struct CompileCache {
    dir: Option<PathBuf>,
    /// Folded into every key: wasmtime's version and every setting that affects codegen.
    engine_key: String,
    notice: Mutex<Option<String>>,
    hits: AtomicUsize,
    compiled: AtomicUsize,
    corrupt: AtomicUsize,
}

impl CompileCache {
    pub(crate) fn new(engine: &wasmtime::Engine, dir: Option<PathBuf>) -> Self {
        let mut hasher = std::hash::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = format!("{}-{:016x}", env!("CARGO_PKG_VERSION"), hasher.finish());
        let mut notice = None;
        let dir = dir.and_then(|dir| match std::fs::create_dir_all(&dir) {
            Ok(()) => Some(dir),
            Err(err) => {
                notice = Some(format!(
                    "the plugin cache directory {} cannot be created ({err}); plugins will be compiled on every run",
                    dir.display()
                ));
                None
            }
        });
        Self {
            dir,
            engine_key,
            notice: Mutex::new(notice),
            hits: AtomicUsize::new(0),
            compiled: AtomicUsize::new(0),
            corrupt: AtomicUsize::new(0),
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            compiled: self.compiled.load(Ordering::Relaxed),
            corrupt: self.corrupt.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn notice(&self) -> Option<String> {
        self.notice.lock().ok().and_then(|n| n.clone())
    }

    fn set_notice(&self, message: String) {
        if let Ok(mut notice) = self.notice.lock() {
            notice.get_or_insert(message);
        }
    }

    /// The compiled component for `wasm`, from the cache or freshly compiled (and cached).
    pub(crate) fn component(
        &self,
        engine: &wasmtime::Engine,
        wasm: &[u8],
        wasm_sha256: &str,
    ) -> anyhow::Result<Component> {
        let Some(dir) = &self.dir else {
            return self.compile(engine, wasm);
        };
        let path = dir.join(format!("{wasm_sha256}-{}.cwasm", self.engine_key));
        match read_entry(&path) {
            Entry::Valid(bytes) => match deserialize(engine, &bytes[HEADER_LEN..]) {
                Ok(component) => {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                    return Ok(component);
                }
                // Intact but not loadable by this engine: treat as stale.
                Err(_) => {
                    self.corrupt.fetch_add(1, Ordering::Relaxed);
                }
            },
            Entry::Corrupt => {
                self.corrupt.fetch_add(1, Ordering::Relaxed);
            }
            Entry::Missing => {}
        }
        let component = self.compile(engine, wasm)?;
        match component.serialize() {
            Ok(payload) => {
                if let Err(err) = write_entry(&path, &payload) {
                    self.set_notice(format!(
                        "the plugin cache directory {} is not writable ({err}); plugins will be compiled on every run",
                        dir.display()
                    ));
                }
            }
            Err(err) => {
                self.set_notice(format!("a compiled plugin could not be serialised for the cache: {err}"));
            }
        }
        Ok(component)
    }

    fn compile(&self, engine: &wasmtime::Engine, wasm: &[u8]) -> anyhow::Result<Component> {
        self.compiled.fetch_add(1, Ordering::Relaxed);
        Component::new(engine, wasm).map_err(anyhow_error)
    }
}

enum Entry {
    Missing,
    Corrupt,
    /// The whole file, header and payload, the payload checked.
    Valid(Vec<u8>),
}

fn read_entry(path: &Path) -> Entry {
    let Ok(bytes) = std::fs::read(path) else {
        return Entry::Missing;
    };
    if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
        return Entry::Corrupt;
    }
    let (header, payload) = bytes.split_at(HEADER_LEN);
    if blake3::hash(payload).as_bytes() != &header[MAGIC.len()..] {
        return Entry::Corrupt;
    }
    Entry::Valid(bytes)
}

/// Writes to a temporary file and renames it into place, so a reader never sees half an
/// entry, even with several rampart processes (or threads) writing the same entry at once.
fn write_entry(path: &Path, payload: &[u8]) -> std::io::Result<()> {
    /// Tells apart the temporary files of one process's threads.
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(blake3::hash(payload).as_bytes());
    bytes.extend_from_slice(payload);
    let unique = WRITES.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_extension(format!("tmp.{}.{unique}", std::process::id()));
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[allow(unsafe_code)]
fn deserialize(engine: &wasmtime::Engine, payload: &[u8]) -> anyhow::Result<Component> {
    // SAFETY: wasmtime requires the bytes to come from `Component::serialize` of a trusted
    // engine. They do: `read_entry` only returns payloads whose BLAKE3 hash matches the one we
    // wrote next to them, in a cache directory owned by the user running rampart; and
    // wasmtime itself rejects artifacts from another version or configuration.
    unsafe { Component::deserialize(engine, payload) }.map_err(anyhow_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> wasmtime::Engine {
        wasmtime::Engine::default()
    }

    // The smallest component: no imports, no exports.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

    #[test]
    fn second_load_is_a_hit_and_corruption_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine();
        let cache = CompileCache::new(&engine, Some(dir.path().to_owned()));
        cache.component(&engine, EMPTY_COMPONENT, "abc").unwrap();
        cache.component(&engine, EMPTY_COMPONENT, "abc").unwrap();
        assert_eq!(cache.stats(), CacheStats { hits: 1, compiled: 1, corrupt: 0 });

        let entry = std::fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
        let mut bytes = std::fs::read(&entry).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&entry, &bytes).unwrap();
        cache.component(&engine, EMPTY_COMPONENT, "abc").unwrap();
        assert_eq!(cache.stats(), CacheStats { hits: 1, compiled: 2, corrupt: 1 });
        // The rebuilt entry is valid again.
        cache.component(&engine, EMPTY_COMPONENT, "abc").unwrap();
        assert_eq!(cache.stats().hits, 2);
    }

    #[test]
    fn an_unusable_directory_degrades_to_no_cache() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let engine = engine();
        let cache = CompileCache::new(&engine, Some(file.path().join("sub")));
        assert!(cache.notice().unwrap().contains("cannot be created"));
        cache.component(&engine, EMPTY_COMPONENT, "abc").unwrap();
        cache.component(&engine, EMPTY_COMPONENT, "abc").unwrap();
        assert_eq!(cache.stats(), CacheStats { hits: 0, compiled: 2, corrupt: 0 });
    }

    #[test]
    fn concurrent_writers_of_one_entry_never_show_a_reader_half_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry.cwasm");
        // Big enough that a write takes many system calls.
        let payload: Vec<u8> = (0..4u32 << 20).map(|i| (i % 251) as u8).collect();
        let stop = std::sync::atomic::AtomicBool::new(false);
        let corrupt = AtomicUsize::new(0);
        let valid = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let writers: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| (0..8).try_for_each(|_| write_entry(&path, &payload))))
                .collect();
            for _ in 0..2 {
                scope.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        match read_entry(&path) {
                            Entry::Corrupt => corrupt.fetch_add(1, Ordering::Relaxed),
                            Entry::Valid(bytes) => {
                                assert_eq!(&bytes[HEADER_LEN..], &payload[..]);
                                valid.fetch_add(1, Ordering::Relaxed)
                            }
                            Entry::Missing => 0,
                        };
                    }
                });
            }
            let written: Vec<_> = writers.into_iter().map(std::thread::ScopedJoinHandle::join).collect();
            stop.store(true, Ordering::Relaxed);
            for result in written {
                result.expect("a writer panicked").expect("a write failed");
            }
        });
        assert_eq!(corrupt.load(Ordering::Relaxed), 0, "a reader saw a partial entry");
        assert!(valid.load(Ordering::Relaxed) > 0, "the readers never saw the entry");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["entry.cwasm"], "no temporary file is left behind");
    }
}
