//! Dockerfiles as public repositories write them: a syntax directive now and then, global ARGs
//! used in FROM lines, zero to two build stages per language, a runtime stage with labels,
//! `${VAR}` expansion in ENV/WORKDIR/COPY, package installs over continuation lines, RUN and
//! COPY heredocs, exec and shell forms, HEALTHCHECKs and a mix of USER lines.

use std::fmt::Write as _;

use crate::rng::Rng;

/// A build toolchain: its image, the ARG holding its version, and the build steps.
struct Toolchain {
    image: &'static str,
    version_arg: &'static str,
    version: &'static str,
    steps: &'static str,
    output: &'static str,
}

const TOOLCHAINS: &[Toolchain] = &[
    Toolchain {
        image: "golang",
        version_arg: "GO_VERSION",
        version: "1.23",
        steps: "COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \\
    go mod download
COPY . .
# Static binary: the runtime image has no libc.
RUN --mount=type=cache,target=/go/pkg/mod \\
    --mount=type=cache,target=/root/.cache/go-build \\
    CGO_ENABLED=0 GOOS=linux go build -trimpath \\
      -ldflags=\"-s -w -X main.version=${VERSION}\" \\
      -o /out/server ./cmd/server
",
        output: "/out/server",
    },
    Toolchain {
        image: "node",
        version_arg: "NODE_VERSION",
        version: "20-alpine",
        steps: "COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production \\
    NEXT_TELEMETRY_DISABLED=1
RUN npm run build && npm prune --omit=dev
",
        output: "/src/dist",
    },
    Toolchain {
        image: "rust",
        version_arg: "RUST_VERSION",
        version: "1.82-bookworm",
        steps: "COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \\
    --mount=type=cache,target=/src/target \\
    cargo build --release --locked && cp target/release/server /out/server
",
        output: "/out/server",
    },
    Toolchain {
        image: "maven",
        version_arg: "MAVEN_VERSION",
        version: "3.9-eclipse-temurin-21",
        steps: "COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -DskipTests package \\
    && mkdir -p /out \\
    && cp target/*.jar /out/app.jar
",
        output: "/out/app.jar",
    },
    Toolchain {
        image: "python",
        version_arg: "PYTHON_VERSION",
        version: "3.12-slim",
        steps: "ENV PIP_NO_CACHE_DIR=1 \\
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.txt .
RUN pip wheel --wheel-dir /out/wheels -r requirements.txt
COPY . .
",
        output: "/out/wheels",
    },
];

/// A runtime base: its image and how it installs packages (`None`: it has no shell).
const RUNTIMES: &[(&str, Option<&str>)] = &[
    ("alpine:3.20", Some("apk")),
    ("debian:12-slim", Some("apt")),
    ("ubuntu:24.04", Some("apt")),
    ("python:3.12-slim", Some("apt")),
    ("node:20-alpine", Some("apk")),
    ("nginx:1.27-alpine", Some("apk")),
    ("gcr.io/distroless/static-debian12:nonroot", None),
    ("gcr.io/distroless/java21-debian12", None),
    ("eclipse-temurin:21-jre", Some("apt")),
    ("redis:7.4", Some("apt")),
    ("postgres:16", Some("apt")),
    ("${REGISTRY}/base/runtime:${BASE_TAG}", Some("apt")),
];

const PACKAGES: &[&str] = &[
    "curl",
    "ca-certificates",
    "git",
    "libpq5",
    "tini",
    "gnupg",
    "jq",
    "unzip",
    "tzdata",
    "openssl",
    "libssl3",
    "dumb-init",
    "netcat-openbsd",
    "procps",
];

const USERS: &[&str] =
    &["root", "app", "10001", "nobody", "node", "1000:1000", "0", "${APP_USER}", "app:app"];

pub fn generate(rng: &mut Rng, index: u64) -> String {
    let mut out = String::with_capacity(2048);
    let name = format!("{}-{index}", super::app_name(rng));
    if rng.chance(25) {
        out.push_str("# syntax=docker/dockerfile:1.7\n");
    }
    let _ = writeln!(out, "# {name}\n# Build: docker build -t {name}:dev .");
    if rng.chance(40) {
        out.push_str(
            "#\n# Maintained by the platform team; see docs/containers.md before changing the base.\n",
        );
    }
    out.push('\n');
    let stages = match rng.below(10) {
        0..=2 => 0,
        3..=8 => 1,
        _ => 2,
    };
    let toolchain = &TOOLCHAINS[rng.below(TOOLCHAINS.len())];
    let (runtime, installer) = RUNTIMES[rng.below(RUNTIMES.len())];
    // Global ARGs: the ones FROM lines use, and a version the stages read.
    let _ = writeln!(out, "ARG VERSION=0.{}.{}", rng.below(40), rng.below(10));
    if stages > 0 {
        let _ = writeln!(out, "ARG {}={}", toolchain.version_arg, toolchain.version);
    }
    if runtime.contains("${REGISTRY}") {
        out.push_str("ARG REGISTRY=registry.example.com\nARG BASE_TAG=2024.11\n");
    }
    out.push('\n');
    for stage in 0..stages {
        let alias = if stage + 1 == stages { "build".to_owned() } else { format!("deps{stage}") };
        let _ = writeln!(out, "FROM {}:${{{}}} AS {alias}", toolchain.image, toolchain.version_arg);
        out.push_str("ARG VERSION\n");
        let _ = writeln!(out, "WORKDIR /src");
        if stage + 1 < stages {
            out.push_str("COPY scripts/ ./scripts/\nRUN ./scripts/fetch-assets.sh\n\n");
            continue;
        }
        if stages > 1 {
            out.push_str("COPY --from=deps0 /src/assets ./assets\n");
        }
        out.push_str(toolchain.steps);
        if rng.chance(30) {
            out.push_str(
                "RUN <<EOF\nset -eux\nmkdir -p /out/licenses\ncp LICENSE* /out/licenses/ || true\nEOF\n",
            );
        }
        out.push('\n');
    }

    let _ = writeln!(out, "FROM {runtime}");
    if stages > 0 || rng.chance(30) {
        out.push_str("ARG VERSION\n");
    }
    let _ = writeln!(
        out,
        "LABEL org.opencontainers.image.title=\"{name}\" \\\n      org.opencontainers.image.version=\"${{VERSION}}\" \\\n      org.opencontainers.image.source=\"https://github.com/example/{name}\""
    );
    if rng.chance(40) {
        out.push_str("ARG APP_USER=app\n");
    }
    let port = 8000 + rng.below(1000);
    let _ =
        writeln!(out, "ENV APP_HOME=/opt/{name} \\\n    PORT={port} \\\n    LOG_LEVEL=${{LOG_LEVEL:-info}}");
    out.push_str("ENV PATH=\"${APP_HOME}/bin:${PATH}\"\n");
    if let Some(installer) = installer {
        let count = rng.between(1, 5);
        let first = rng.below(PACKAGES.len());
        let packages: Vec<&str> = (0..count).map(|p| PACKAGES[(first + p * 3) % PACKAGES.len()]).collect();
        if installer == "apk" {
            out.push_str("RUN apk add --no-cache \\\n");
            for package in &packages {
                let _ = writeln!(out, "      {package} \\");
            }
            out.push_str("    && rm -rf /tmp/*\n");
        } else {
            out.push_str("# Install system dependencies\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n");
            for package in &packages {
                let _ = writeln!(out, "       {package} \\");
            }
            out.push_str("    && rm -rf /var/lib/apt/lists/*\n");
        }
        if rng.chance(20) {
            out.push_str("SHELL [\"/bin/sh\", \"-o\", \"pipefail\", \"-c\"]\n");
        }
        if rng.chance(25) {
            out.push_str(
                "RUN <<EOF\nset -e\naddgroup --system --gid 10001 app\nadduser --system --uid 10001 --ingroup app app\nmkdir -p /var/lib/app && chown app:app /var/lib/app\nEOF\n",
            );
        }
    }
    out.push_str("WORKDIR ${APP_HOME}\n");
    if stages > 0 {
        let _ =
            writeln!(out, "COPY --from=build --chown=10001:10001 {} ${{APP_HOME}}/bin/", toolchain.output);
    } else {
        out.push_str("COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY --chown=app:app . .\n");
    }
    if rng.chance(20) {
        let _ = writeln!(
            out,
            "COPY <<EOF /etc/{name}/app.conf\nlisten = 0.0.0.0:{port}\nworkers = {}\nlog_level = info\nEOF",
            rng.between(2, 16)
        );
    }
    if rng.chance(15) {
        let _ = writeln!(
            out,
            "ADD --chmod=0755 https://github.com/krallin/tini/releases/download/v0.19.0/tini-static /usr/local/bin/tini"
        );
    }
    if rng.chance(30) {
        out.push_str("VOLUME [\"/var/lib/app\"]\n");
    }
    let _ = writeln!(out, "EXPOSE ${{PORT}}");
    if rng.chance(20) {
        let _ = writeln!(out, "EXPOSE {}/udp", 9000 + rng.below(100));
    }
    if rng.chance(75) {
        let _ = writeln!(out, "USER {}", rng.pick(USERS));
    }
    if installer.is_some() && rng.chance(50) {
        out.push_str(
            "HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\\n  CMD curl -fsS http://localhost:${PORT}/healthz || exit 1\n",
        );
    }
    if rng.chance(15) {
        out.push_str("STOPSIGNAL SIGTERM\n");
    }
    if rng.chance(40) {
        out.push_str("ENTRYPOINT [\"/usr/local/bin/tini\", \"--\"]\n");
    }
    match rng.below(3) {
        0 => {
            let _ =
                writeln!(out, "CMD [\"{}/bin/server\", \"--port\", \"{port}\"]", "/opt/".to_owned() + &name);
        }
        1 => out.push_str("CMD exec server --port \"$PORT\" --log-level \"$LOG_LEVEL\"\n"),
        _ => out.push_str("CMD [\"server\", \"serve\", \"--config\", \"/etc/app/config.yaml\"]\n"),
    }
    out
}
