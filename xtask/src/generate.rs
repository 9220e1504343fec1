//! Deterministic generators of realistic inputs for every format rampart parses, one module per
//! format, for `cargo xtask bench-parse`. Each generator writes the constructs public files use
//! (multi-stage Dockerfiles, multi-line env values, manifest streams with anchors, both
//! Compose syntaxes, Terraform modules with dynamic blocks and heredoc policies) at real-world
//! sizes, from a seed.

mod compose;
mod dockerfile;
mod env;
mod kubernetes;
mod terraform;

use crate::rng::Rng;

/// One generated file: its path (relative, as a scan would show it) and its text.
pub struct File {
    pub path: String,
    pub text: String,
}

/// A format the parse benchmark measures, and how its inputs are generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dockerfile,
    Env,
    Kubernetes,
    Compose,
    /// One unit is a module directory: its `.tf` files and a `terraform.tfvars`.
    Terraform,
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::Dockerfile, Kind::Env, Kind::Kubernetes, Kind::Compose, Kind::Terraform];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Dockerfile => "dockerfile",
            Kind::Env => "env",
            Kind::Kubernetes => "kubernetes",
            Kind::Compose => "compose",
            Kind::Terraform => "terraform",
        }
    }

    /// Generates `count` units (files; modules for Terraform) from `seed`. Each format draws
    /// from its own stream, so adding a format never changes another's corpus.
    pub fn generate(self, count: u64, seed: u64) -> Vec<Vec<File>> {
        let mut rng = Rng::new(seed ^ (self as u64 + 1).wrapping_mul(0x5851_F42D_4C95_7F2D));
        (0..count)
            .map(|index| {
                let group = index / 100;
                match self {
                    Kind::Dockerfile => vec![File {
                        path: format!("dockerfile/{group:03}/{index}/Dockerfile"),
                        text: dockerfile::generate(&mut rng, index),
                    }],
                    Kind::Env => {
                        let name =
                            rng.pick(&[".env", ".env.production", ".env.staging", "app.env", ".env.local"]);
                        vec![File {
                            path: format!("env/{group:03}/{index}/{name}"),
                            text: env::generate(&mut rng),
                        }]
                    }
                    Kind::Kubernetes => vec![File {
                        path: format!("kubernetes/{group:03}/{index}/manifests.yaml"),
                        text: kubernetes::generate(&mut rng, index),
                    }],
                    Kind::Compose => vec![File {
                        path: format!("compose/{group:03}/{index}/compose.yaml"),
                        text: compose::generate(&mut rng, index),
                    }],
                    Kind::Terraform => terraform::generate(&mut rng, index)
                        .into_iter()
                        .map(|(name, text)| File {
                            path: format!("terraform/{group:03}/{index}/{name}"),
                            text,
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// Service names the generators share, so that an env file and a manifest read alike.
const APPS: &[&str] = &[
    "api",
    "web",
    "worker",
    "billing",
    "auth",
    "search",
    "gateway",
    "notifier",
    "scheduler",
    "ingest",
    "reports",
    "catalog",
    "checkout",
    "inventory",
    "media",
    "frontend",
    "payments",
    "analytics",
];

const TEAMS: &[&str] = &["platform", "payments", "growth", "data", "identity", "core", "sre"];

const ENVIRONMENTS: &[&str] = &["dev", "staging", "prod", "qa", "sandbox"];

/// An application name, with a number now and then so that names within a file differ.
fn app_name(rng: &mut Rng) -> String {
    let base = rng.pick(APPS);
    if rng.chance(30) { format!("{base}-{}", rng.between(1, 9)) } else { base.to_owned() }
}

/// `n` different application names.
fn app_names(rng: &mut Rng, n: usize) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(n);
    while names.len() < n {
        let name = app_name(rng);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}
