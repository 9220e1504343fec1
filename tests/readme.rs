//! The README's first section gives the two commands a newcomer types; CI runs the second.
//! Keep them true.

mod support;

fn start_here_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap();
    let section = readme.split("\n## ").nth(1).expect("a first section");
    assert!(section.starts_with("Start here"), "the first section is the set-up: {section:.40}");
    section.lines().filter_map(|l| l.strip_prefix("    ")).map(str::to_owned).collect()
}

#[test]
fn the_readme_commands_set_up_the_wasm_target_and_ci_runs_the_test_command() {
    let commands = start_here_commands();
    assert_eq!(commands.len(), 2, "{commands:?}");
    for command in &commands {
        assert!(command.starts_with("rustup target add wasm32-unknown-unknown && cargo "), "{command}");
    }
    // Two binaries live in the workspace (rampart, xtask): `cargo run` must name one.
    assert!(commands[0].contains("cargo run --release --bin rampart -- scan fixtures/"), "{}", commands[0]);
    let ci = std::fs::read_to_string(support::repo().join(".ci/run")).unwrap();
    assert!(ci.lines().any(|l| l.trim() == commands[1]), ".ci/run does not run `{}`", commands[1]);
}
