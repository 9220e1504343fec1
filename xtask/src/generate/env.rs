//! Env files as projects commit them (`.env.example`) or keep locally: section comments,
//! `export` prefixes, unquoted, single- and double-quoted values, inline comments, `${VAR}`
//! and `${VAR:-default}` references, empty values, bare keys and the occasional multi-line
//! double-quoted value (a PEM key, a JSON document).

use std::fmt::Write as _;

use crate::rng::Rng;

/// A section of related settings: its heading and its keys with a value shape each.
const SECTIONS: &[(&str, &[(&str, Shape)])] = &[
    (
        "Application",
        &[
            ("APP_NAME", Shape::Name),
            ("APP_ENV", Shape::Environment),
            ("APP_DEBUG", Shape::Bool),
            ("APP_URL", Shape::Url),
            ("APP_PORT", Shape::Port),
            ("LOG_LEVEL", Shape::Word(&["debug", "info", "warn", "error"])),
            ("APP_SECRET", Shape::Secret),
            ("TZ", Shape::Word(&["UTC", "Europe/Berlin", "America/New_York"])),
        ],
    ),
    (
        "Database",
        &[
            ("DB_HOST", Shape::Host),
            ("DB_PORT", Shape::Word(&["5432", "3306", "27017"])),
            ("DB_NAME", Shape::Name),
            ("DB_USER", Shape::Name),
            ("DB_PASSWORD", Shape::Secret),
            ("DATABASE_URL", Shape::DatabaseUrl),
            ("DB_POOL_SIZE", Shape::Number),
        ],
    ),
    (
        "Cache and queues",
        &[
            ("REDIS_HOST", Shape::Host),
            ("REDIS_URL", Shape::Reference("redis://${REDIS_HOST}:6379/0")),
            ("CACHE_TTL_SECONDS", Shape::Number),
            ("QUEUE_URL", Shape::Url),
            (
                "BROKER_URL",
                Shape::Reference("amqp://${RABBITMQ_USER:-guest}:${RABBITMQ_PASSWORD}@rabbitmq:5672/"),
            ),
        ],
    ),
    (
        "Third-party services",
        &[
            ("STRIPE_SECRET_KEY", Shape::Secret),
            ("STRIPE_WEBHOOK_SECRET", Shape::Secret),
            ("SENTRY_DSN", Shape::Url),
            ("SMTP_HOST", Shape::Host),
            ("SMTP_PASSWORD", Shape::Secret),
            ("AWS_REGION", Shape::Word(&["eu-west-1", "us-east-1", "eu-central-1"])),
            ("AWS_ACCESS_KEY_ID", Shape::AccessKey),
            ("AWS_SECRET_ACCESS_KEY", Shape::Secret),
            ("S3_BUCKET", Shape::Name),
        ],
    ),
    (
        "Feature flags",
        &[
            ("FEATURE_NEW_CHECKOUT", Shape::Bool),
            ("FEATURE_BETA_SEARCH", Shape::Bool),
            ("RATE_LIMIT_PER_MINUTE", Shape::Number),
            (
                "ALLOWED_ORIGINS",
                Shape::Reference("https://${APP_DOMAIN:-example.com},https://admin.example.com"),
            ),
        ],
    ),
    (
        "Auth",
        &[
            ("JWT_SECRET", Shape::Secret),
            ("JWT_PRIVATE_KEY", Shape::Pem),
            ("OAUTH_CLIENT_ID", Shape::Name),
            ("OAUTH_CLIENT_SECRET", Shape::Secret),
            ("OAUTH_REDIRECT_URL", Shape::Reference("${APP_URL}/auth/callback")),
            ("SERVICE_ACCOUNT_JSON", Shape::Json),
        ],
    ),
];

#[derive(Clone, Copy)]
enum Shape {
    Name,
    Environment,
    Bool,
    Url,
    Port,
    Number,
    Host,
    Secret,
    AccessKey,
    DatabaseUrl,
    Pem,
    Json,
    Word(&'static [&'static str]),
    Reference(&'static str),
}

pub fn generate(rng: &mut Rng) -> String {
    let mut out = String::with_capacity(1024);
    let app = super::app_name(rng);
    if rng.chance(60) {
        let _ = writeln!(out, "# {app}: environment for {}", rng.pick(super::ENVIRONMENTS));
        if rng.chance(50) {
            out.push_str("# Copy to .env and fill in the blanks. Never commit real secrets.\n");
        }
        out.push('\n');
    }
    let export = rng.chance(15);
    let sections = rng.between(1, 4);
    let first = rng.below(SECTIONS.len());
    for s in 0..sections {
        let (heading, keys) = SECTIONS[(first + s) % SECTIONS.len()];
        if rng.chance(70) {
            let _ = writeln!(out, "# --- {heading} ---");
        }
        let take = rng.between(keys.len().div_ceil(2), keys.len());
        for &(key, shape) in keys.iter().take(take) {
            if rng.chance(8) {
                let _ = writeln!(out, "# {key} is optional; the default is used when it is empty");
            }
            if export || rng.chance(3) {
                out.push_str("export ");
            }
            out.push_str(key);
            if rng.chance(3) {
                // A bare key: Compose takes the value from its own environment.
                out.push('\n');
                continue;
            }
            out.push('=');
            value(rng, &mut out, &app, shape);
            if rng.chance(6) {
                out.push_str("  # set per environment");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn value(rng: &mut Rng, out: &mut String, app: &str, shape: Shape) {
    let quote = match rng.below(10) {
        0..=5 => "",
        6..=8 => "\"",
        _ => "'",
    };
    let text = match shape {
        Shape::Name => format!("{app}_{}", rng.pick(super::ENVIRONMENTS)),
        Shape::Environment => rng.pick(super::ENVIRONMENTS).to_owned(),
        Shape::Bool => rng.pick(&["true", "false", "1", "0"]).to_owned(),
        Shape::Url => {
            format!("https://{app}.{}.example.com/v{}", rng.pick(super::ENVIRONMENTS), rng.between(1, 3))
        }
        Shape::Port => (3000 + rng.below(6000)).to_string(),
        Shape::Number => rng.between(1, 5000).to_string(),
        Shape::Host => format!("{app}-{}.internal", rng.pick(&["db", "cache", "mq", "smtp"])),
        Shape::Secret => {
            if rng.chance(30) {
                // Left for the reader to fill in, as in an example file.
                return;
            }
            let len = rng.between(24, 64);
            rng.hex(len)
        }
        Shape::AccessKey => format!("AKIA{}", rng.hex(16).to_ascii_uppercase()),
        Shape::DatabaseUrl => {
            // Interpolated from the keys above; double quotes keep `${...}` live.
            out.push_str("\"postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST:-localhost}:${DB_PORT:-5432}/${DB_NAME}?sslmode=require\"");
            return;
        }
        Shape::Reference(text) => {
            let _ = write!(
                out,
                "{}{text}{}",
                if quote == "'" { "" } else { quote },
                if quote == "'" { "" } else { quote }
            );
            return;
        }
        Shape::Pem => {
            out.push_str("\"-----BEGIN PRIVATE KEY-----\n");
            for _ in 0..rng.between(3, 8) {
                let _ = writeln!(out, "MII{}", rng.hex(61));
            }
            out.push_str("-----END PRIVATE KEY-----\"");
            return;
        }
        Shape::Json => {
            let _ = write!(
                out,
                "\"{{\n  \\\"type\\\": \\\"service_account\\\",\n  \\\"project_id\\\": \\\"{app}-{}\\\",\n  \\\"client_email\\\": \\\"{app}@example.iam.gserviceaccount.com\\\"\n}}\"",
                rng.below(1000)
            );
            return;
        }
        Shape::Word(words) => rng.pick(words).to_owned(),
    };
    let _ = write!(out, "{quote}{text}{quote}");
}
