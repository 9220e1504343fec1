//! A mutational fuzzer for rampart's parsers, for a stable toolchain (no cargo-fuzz, which
//! needs nightly): seeds from the repository's fixtures/ and built-in snippets, deterministic
//! mutations from a seed, and an oracle every input must pass (see [`oracle`]): no panic,
//! every span within its file and on character boundaries, the same result twice.
//!
//! One target per parser ([`targets::TARGETS`]): `dockerfile`, `env`, `kubernetes`, `compose`,
//! `yaml` (the raw reader), `terraform` (a one-file module) and `tfvars`. A run is bounded by
//! an iteration count and a time, whichever comes first. The binary runs each target in a
//! worker process ([`supervise`]) so that a stack overflow, an abort or a hang is reported
//! with its input rather than ending the run; failing inputs are written under
//! `target/fuzz-crashes/`.
//!
//! ```text
//! cargo run --release -p rampart-fuzz -- --target all --seconds 60
//! cargo run -p rampart-fuzz -- --target dockerfile --replay target/fuzz-crashes/FILE
//! ```

pub mod mutate;
pub mod oracle;
pub mod run;
pub mod supervise;
pub mod targets;

pub use run::{Config, Failure, FailureKind, Report, Slowest, check, fuzz, replay};
pub use supervise::{supervise, supervise_all};
pub use targets::{TARGETS, Target};
