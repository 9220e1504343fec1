//! Test plugin: built against contract 0.9.0, which the host does not accept.
#![allow(clippy::pedantic)]

wit_bindgen::generate!({ path: "wit", world: "plugin" });

struct Future;

impl exports::rampart::plugin::guest::Guest for Future {
    fn describe() -> String {
        "from a future contract".into()
    }
}

export!(Future);
