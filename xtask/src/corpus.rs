//! `cargo xtask gen-corpus`: a deterministic corpus on disk in the proportions of public
//! infrastructure repositories, for whole-scan benchmarks and the peer comparison.
//!
//! The files come from the per-format generators of [`crate::generate`] (the ones the parse
//! benchmark uses). The mix follows the 3,334 files issue 6 measured the peers on
//! (terraform-aws-modules, kubernetes/examples, GKE samples, docker-library, awesome-compose,
//! laradock, ...): 630 Dockerfiles, 1,201 Kubernetes manifests, 1,391 Terraform files and 112
//! Compose and env files. Terraform comes as whole module directories (3-6 `.tf` files and a
//! `terraform.tfvars` each), as it does in those repositories.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::generate::{File, Kind};

/// Files per format in the measured public corpus (compose and env split the 112 others).
const PUBLIC_MIX: [(Kind, u64); 5] = [
    (Kind::Dockerfile, 630),
    (Kind::Kubernetes, 1201),
    (Kind::Terraform, 1391),
    (Kind::Compose, 66),
    (Kind::Env, 46),
];

/// What was written, per format.
#[derive(Debug, Default)]
pub struct Written {
    pub per_format: Vec<(Kind, usize, usize)>,
}

impl Written {
    pub fn files(&self) -> usize {
        self.per_format.iter().map(|(_, files, _)| files).sum()
    }

    pub fn bytes(&self) -> usize {
        self.per_format.iter().map(|(_, _, bytes)| bytes).sum()
    }
}

/// Writes about `files` files (Terraform rounds to whole modules) from `seed` under `out`,
/// which must not exist yet or be empty: a stale corpus must not mix into a new one.
/// `only`: one format alone (every file of that format), instead of the public mix.
pub fn generate(out: &Path, files: u64, seed: u64, only: Option<Kind>) -> Result<Written> {
    if out.exists() && std::fs::read_dir(out).map_or(true, |mut d| d.next().is_some()) {
        bail!("{} exists and is not empty: remove it or name another --out", out.display());
    }
    let total: u64 = PUBLIC_MIX.iter().map(|(_, n)| n).sum();
    let mut written = Written::default();
    for (kind, share) in PUBLIC_MIX {
        let wanted = match only {
            Some(only) if only == kind => files,
            Some(_) => continue,
            None => (files * share).div_ceil(total),
        };
        let units = if kind == Kind::Terraform {
            // Modules have 4-7 files: generate enough, keep whole modules up to the count.
            // (A longer run of a generator starts with the same units, so this is stable.)
            let mut kept = Vec::new();
            let mut count = 0;
            for module in kind.generate(wanted.div_ceil(3), seed) {
                if count >= wanted {
                    break;
                }
                count += module.len() as u64;
                kept.push(module);
            }
            kept
        } else {
            kind.generate(wanted, seed)
        };
        let (count, bytes) = write(out, units.iter().flatten())?;
        written.per_format.push((kind, count, bytes));
    }
    Ok(written)
}

pub(crate) fn write<'a>(out: &Path, files: impl Iterator<Item = &'a File>) -> Result<(usize, usize)> {
    let (mut count, mut bytes) = (0, 0);
    for file in files {
        let path = out.join(&file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
        }
        std::fs::write(&path, &file.text).with_context(|| format!("could not write {}", path.display()))?;
        count += 1;
        bytes += file.text.len();
    }
    Ok((count, bytes))
}
