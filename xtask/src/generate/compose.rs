//! Compose files as projects write them: an optional `name`/`version`, an `x-` extension
//! merged into services through an anchor, two to six services with `${VAR}` interpolation,
//! environment in list or map form, `env_file` as a string, a list or the long syntax, ports
//! in short and long syntax, healthchecks, depends_on, volumes and networks.

use std::fmt::Write as _;

use crate::rng::Rng;

/// Backing services a stack runs next to its own: name, image, port, URL scheme.
const BACKING: &[(&str, &str, &str, &str)] = &[
    ("db", "postgres:16-alpine", "5432", "postgres"),
    ("redis", "redis:7.4-alpine", "6379", "redis"),
    ("rabbitmq", "rabbitmq:3.13-management", "5672", "amqp"),
    ("mongo", "mongo:7", "27017", "mongodb"),
    ("elasticsearch", "docker.elastic.co/elasticsearch/elasticsearch:8.15.0", "9200", "http"),
    ("minio", "minio/minio:RELEASE.2024-10-13T13-34-11Z", "9000", "http"),
];

pub fn generate(rng: &mut Rng, index: u64) -> String {
    let mut out = String::with_capacity(4096);
    let project = format!("{}-{index}", rng.pick(super::TEAMS));
    if rng.chance(40) {
        let _ = writeln!(out, "# {project}: local development stack\n# Usage: docker compose up -d");
    }
    match rng.below(4) {
        0 => out.push_str("version: \"3.8\"\n"),
        1 => {
            let _ = writeln!(out, "name: {project}");
        }
        _ => {}
    }
    let common = rng.chance(35);
    if common {
        out.push_str(
            "\nx-common: &common\n  restart: unless-stopped\n  logging:\n    driver: json-file\n    options:\n      max-size: \"10m\"\n      max-file: \"3\"\n",
        );
    }
    out.push_str("\nservices:\n");
    let own = rng.between(1, 3);
    let backing = rng.between(1, 3);
    let first = rng.below(BACKING.len());
    let backing: Vec<_> = (0..backing).map(|b| BACKING[(first + b) % BACKING.len()]).collect();
    for (s, name) in super::app_names(rng, own).iter().enumerate() {
        service(rng, &mut out, name, s, &backing, common);
    }
    for &(name, image, port, _) in &backing {
        backing_service(rng, &mut out, name, image, port, common);
    }
    out.push_str("\nvolumes:\n");
    for &(name, ..) in &backing {
        let _ = writeln!(out, "  {name}-data:");
    }
    out.push_str("\nnetworks:\n  frontend:\n  backend:\n");
    if rng.chance(30) {
        out.push_str("    driver: bridge\n    internal: true\n");
    }
    if rng.chance(20) {
        out.push_str("\nsecrets:\n  db_password:\n    file: ./secrets/db_password.txt\n");
    }
    out
}

fn service(
    rng: &mut Rng,
    out: &mut String,
    name: &str,
    index: usize,
    backing: &[(&str, &str, &str, &str)],
    common: bool,
) {
    let port = 3000 + rng.below(6000);
    let _ = writeln!(out, "  {name}:");
    if common {
        out.push_str("    <<: *common\n");
    }
    if rng.chance(50) {
        let _ = writeln!(
            out,
            "    build:\n      context: ./{name}\n      dockerfile: Dockerfile\n      args:\n        - VERSION=${{VERSION:-dev}}"
        );
    }
    let _ = writeln!(out, "    image: \"${{REGISTRY:-docker.io}}/example/{name}:${{TAG:-latest}}\"");
    if rng.chance(30) {
        let _ = writeln!(out, "    container_name: {name}");
    }
    if rng.chance(40) {
        let _ = writeln!(out, "    command: [\"./bin/{name}\", \"serve\", \"--port\", \"{port}\"]");
    } else if rng.chance(30) {
        let _ = writeln!(out, "    command: npm run start -- --port {port}");
    }
    if rng.chance(30) {
        out.push_str(rng.pick(&[
            "    user: \"1000:1000\"\n",
            "    user: root\n",
            "    user: \"${UID}:${GID}\"\n",
        ]));
    }
    if rng.chance(8) {
        out.push_str("    privileged: true\n");
    }
    // Environment: list or map form, with interpolation and `$$` escapes.
    let (db, _, db_port, scheme) = backing[0];
    let list = rng.chance(50);
    if list {
        let _ = writeln!(
            out,
            "    environment:
      - NODE_ENV=production
      - PORT={port}
      - BACKEND_URL={scheme}://${{DB_USER:-app}}:${{DB_PASSWORD}}@{db}:{db_port}/{name}
      - LOG_LEVEL=${{LOG_LEVEL:-info}}
      - SECRET_KEY
      - PRICE_FORMAT=$$0.00"
        );
    } else {
        let _ = writeln!(
            out,
            "    environment:
      NODE_ENV: production
      PORT: {port}
      BACKEND_URL: \"{scheme}://${{DB_USER:-app}}:${{DB_PASSWORD:?set DB_PASSWORD}}@{db}:{db_port}/{name}\"
      CACHE_TTL: 300
      DEBUG: \"false\"
      SENTRY_DSN: ${{SENTRY_DSN}}
      API_KEY:"
        );
    }
    if rng.chance(15) {
        let key = rng.hex(40);
        if list {
            let _ = writeln!(out, "      - AWS_SECRET_ACCESS_KEY={key}");
        } else {
            let _ = writeln!(out, "      AWS_SECRET_ACCESS_KEY: {key}");
        }
    }
    match rng.below(4) {
        0 => out.push_str("    env_file: .env\n"),
        1 => {
            let _ = writeln!(out, "    env_file:\n      - .env\n      - ./config/{name}.env");
        }
        2 => {
            let _ = writeln!(
                out,
                "    env_file:\n      - path: ./default.env\n        required: true\n      - path: ./{name}.override.env\n        required: false"
            );
        }
        _ => {}
    }
    // Ports: short syntax with and without a host address, and the long syntax.
    out.push_str("    ports:\n");
    match rng.below(3) {
        0 => {
            let _ = writeln!(out, "      - \"{port}:{port}\"");
        }
        1 => {
            let _ = writeln!(out, "      - \"127.0.0.1:{}:{port}\"\n      - \"9229:9229\"", port + index);
        }
        _ => {
            let _ = writeln!(
                out,
                "      - target: {port}\n        published: \"${{{}_PORT:-{port}}}\"\n        protocol: tcp\n        mode: host",
                name.to_ascii_uppercase().replace('-', "_")
            );
        }
    }
    if rng.chance(15) {
        out.push_str("      - \"9000-9005:9000-9005/udp\"\n");
    }
    out.push_str("    depends_on:\n");
    if rng.chance(50) {
        for (b, ..) in backing {
            let _ = writeln!(out, "      - {b}");
        }
    } else {
        for (b, ..) in backing {
            let _ = writeln!(out, "      {b}:\n        condition: service_healthy");
        }
    }
    let _ = writeln!(out, "    volumes:\n      - ./{name}:/app:cached\n      - /app/node_modules");
    if rng.chance(15) {
        out.push_str("      - /var/run/docker.sock:/var/run/docker.sock\n");
    }
    if rng.chance(50) {
        let _ = writeln!(
            out,
            "    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:{port}/health\"]\n      interval: 30s\n      timeout: 5s\n      retries: 3\n      start_period: 20s"
        );
    }
    if rng.chance(40) {
        let _ = writeln!(
            out,
            "    deploy:\n      resources:\n        limits:\n          cpus: \"{}\"\n          memory: {}M",
            rng.pick(&["0.5", "1.0", "2"]),
            rng.pick(&["256", "512", "1024"])
        );
    }
    out.push_str("    networks:\n      - frontend\n      - backend\n");
    if !common {
        out.push_str("    restart: unless-stopped\n");
    }
    if rng.chance(30) {
        let _ = writeln!(
            out,
            "    labels:\n      com.example.team: {}\n      com.example.tier: app",
            rng.pick(super::TEAMS)
        );
    }
}

fn backing_service(rng: &mut Rng, out: &mut String, name: &str, image: &str, port: &str, common: bool) {
    let _ = writeln!(out, "  {name}:");
    if common {
        out.push_str("    <<: *common\n");
    }
    let _ = writeln!(out, "    image: {image}");
    if name == "db" {
        out.push_str(
            "    environment:\n      POSTGRES_USER: ${DB_USER:-app}\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n      POSTGRES_DB: app\n",
        );
    } else if rng.chance(50) {
        let _ = writeln!(
            out,
            "    environment:\n      - {}_PASSWORD=${{{}_PASSWORD:-changeme}}",
            name.to_ascii_uppercase(),
            name.to_ascii_uppercase()
        );
    }
    if rng.chance(60) {
        let _ = writeln!(out, "    ports:\n      - \"{port}:{port}\"");
    }
    let _ = writeln!(out, "    volumes:\n      - {name}-data:/data");
    let _ = writeln!(
        out,
        "    healthcheck:\n      test: [\"CMD-SHELL\", \"nc -z localhost {port} || exit 1\"]\n      interval: 10s\n      retries: 5"
    );
    out.push_str("    networks:\n      - backend\n");
}
