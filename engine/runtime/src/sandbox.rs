//! The sandbox one plugin instance runs in: a store with a memory cap and an epoch deadline,
//! and a linker that offers nothing but the contract's `host` interface.

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{ResourceLimiter, Store};

use crate::anyhow_error;

wasmtime::component::bindgen!({
    path: "../../plugins/sdk/wit",
    world: "plugin",
});

/// A panic message longer than this is cut: it only has to explain the failure.
const MAX_PANIC_MESSAGE: usize = 4096;

/// Per-store state: the limits and what the guest told us before failing.
pub(crate) struct StoreState {
    memory_limit: usize,
    /// Set when the guest asked for more memory than the cap allows.
    pub(crate) memory_exceeded: Option<usize>,
    /// The guest's panic message, if it panicked.
    pub(crate) panic: Option<String>,
}

impl StoreState {
    pub(crate) fn new(memory_limit: usize) -> Self {
        Self { memory_limit, memory_exceeded: None, panic: None }
    }
}

impl ResourceLimiter for StoreState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            self.memory_exceeded = Some(desired);
            // An error (rather than `Ok(false)`) traps right here, instead of letting the
            // guest's allocator turn the failure into an abort with no explanation.
            wasmtime::bail!("memory limit exceeded");
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

impl rampart::plugin::host::Host for StoreState {
    fn panic_message(&mut self, message: String) {
        self.panic = Some(crate::truncate(message, MAX_PANIC_MESSAGE));
    }
}

impl rampart::plugin::types::Host for StoreState {}

/// The only functions a plugin can import.
pub(crate) fn linker(engine: &wasmtime::Engine) -> anyhow::Result<Linker<StoreState>> {
    let mut linker = Linker::new(engine);
    Plugin::add_to_linker::<StoreState, HasSelf<StoreState>>(&mut linker, |state| state)
        .map_err(anyhow_error)?;
    Ok(linker)
}

/// A fresh store for one plugin instance.
pub(crate) fn store(engine: &wasmtime::Engine, memory_limit: usize) -> Store<StoreState> {
    let mut store = Store::new(engine, StoreState::new(memory_limit));
    store.limiter(|state| state);
    store
}
