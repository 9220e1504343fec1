//! The built-in policy plugins, compiled from `plugins/` by this crate's build script and
//! embedded as WebAssembly components.

/// A built-in plugin: its crate name, its component bytes and their sha256 (hex, computed
/// when the component was built).
#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub wasm: &'static [u8],
    pub sha256: &'static str,
}

/// Every built-in plugin, in a fixed order.
pub static BUILTINS: &[Builtin] = include!(concat!(env!("OUT_DIR"), "/builtins.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_is_a_component() {
        assert!(!BUILTINS.is_empty());
        for builtin in BUILTINS {
            // A component's preamble: magic, then version 0x0d and layer 1.
            assert_eq!(&builtin.wasm[..8], b"\0asm\x0d\0\x01\0", "{} is not a component", builtin.name);
            let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(builtin.wasm));
            assert_eq!(builtin.sha256, sha256, "{}: the recorded hash is the component's", builtin.name);
        }
    }
}
