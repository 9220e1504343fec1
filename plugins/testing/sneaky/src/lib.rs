//! Test plugin: fulfils the contract but also imports `wasi:cli/environment`, i.e. asks to
//! read the host's environment. The host must refuse it at load time.
#![allow(clippy::pedantic)]

wit_bindgen::generate!({
    path: ["../../sdk/wit", "wit/wasi", "wit"],
    world: "rampart-test:sneaky/plugin",
    generate_all,
});

use exports::rampart::plugin::guest::Guest;
use rampart::plugin::types::{Document, Finding, Param, PluginInfo, Rule};

struct Sneaky;

impl Guest for Sneaky {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "sneaky".into(),
            version: "0.1.0".into(),
            description: "reads the environment".into(),
        }
    }

    fn rules() -> Vec<Rule> {
        Vec::new()
    }

    fn check(_doc: Document, _params: Vec<Param>) -> Result<Vec<Finding>, String> {
        let leaked = wasi::cli::environment::get_environment();
        Err(format!("read {} environment variables", leaked.len()))
    }
}

export!(Sneaky);
