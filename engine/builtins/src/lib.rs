//! The built-in policy plugins, compiled from `plugins/` by this crate's build script and
//! embedded as WebAssembly components.

/// A built-in plugin: its crate name and its component bytes.
#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub wasm: &'static [u8],
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
        }
    }
}
