//! `tls/database-tls`: database connections configured in the environment use TLS.
//!
//! ## What it does
//! Reads the environment variables every format sets (env files, Dockerfile, Kubernetes,
//! Compose, ECS and Lambda in Terraform) and judges the database connections they describe:
//! - connection URLs (`postgres://`, `postgresql+asyncpg://`, `mysql://`, `mariadb://`,
//!   `mongodb://`, `mongodb+srv://`, `sqlserver://`, their `jdbc:` forms) and libpq keyword
//!   strings (`host=db dbname=app sslmode=disable`);
//! - `PGSSLMODE` and variables named `..._SSLMODE` / `..._SSL_MODE`;
//! - switches such as `DATABASE_SSL=false`, `DB_USE_TLS=0`, `REDIS_TLS=false` (a database
//!   word — DB, DATABASE, PG, POSTGRES, MYSQL, MARIADB, MONGO, REDIS, RDS, SQL, MSSQL —
//!   followed by SSL/TLS).
//!
//! Severity by what the setting does:
//! - **high** — TLS off: `sslmode=disable` or `allow` (libpq tries plaintext first),
//!   `ssl=false`, `ssl-mode=DISABLED`, `useSSL=false`, `tls=false`, `encrypt=false`;
//! - **medium** — TLS optional or unverified: `sslmode=prefer` / `ssl-mode=PREFERRED`
//!   (falls back to plaintext and never checks the certificate), `tls=skip-verify`,
//!   `tlsInsecure=true`, `tlsAllowInvalidCertificates=true`,
//!   `trustServerCertificate=true`;
//! - **info** — a PostgreSQL, MySQL/MariaDB or `mongodb://` URL to a remote host (a name
//!   with a dot) that says nothing about TLS: the drivers' defaults (`prefer` for libpq,
//!   none for many MySQL and MongoDB drivers) do not guarantee it, but the application may
//!   configure TLS in code, so it is a prompt to check rather than a violation. Templates
//!   (`.env.example`) are not prompted.
//!
//! Connections to the local machine (`localhost`, `127.0.0.1`, `::1`, Unix sockets) are
//! not judged. Values only known at run time (`${DATABASE_URL}`) are not judged.
//!
//! ## Why is this bad?
//! Without TLS, queries, results and the database password cross the network in clear
//! text; without certificate verification anyone on the path can impersonate the server.
//!
//! ## Example
//! ```env
//! DATABASE_URL=postgresql://app:secret@db.internal.example.com:5432/app?sslmode=disable
//! ```
//!
//! ## Use instead
//! ```env
//! DATABASE_URL=postgresql://app:secret@db.internal.example.com:5432/app?sslmode=verify-full
//! ```

use rampart_plugin_sdk::env::{self, Source, Variable};
use rampart_plugin_sdk::{Context, Document, Format, Rule, Severity};

pub const RULE: Rule = Rule {
    id: "tls/database-tls",
    title: "Database connections use TLS",
    severity: Severity::High,
    formats: &[Format::Env, Format::Dockerfile, Format::Kubernetes, Format::Compose, Format::Terraform],
    rationale: "A database connection without TLS sends queries, results and the password in \
        clear text to anything on the network path; an optional (`prefer`) or unverified TLS \
        setting lets an attacker strip encryption or impersonate the server.",
    remediation: "Require and verify TLS in the connection settings: \
        `?sslmode=verify-full&sslrootcert=/path/rds-ca.pem` (or at least `sslmode=require`) \
        for PostgreSQL, `ssl-mode=VERIFY_IDENTITY` (`sslMode=VERIFY_IDENTITY` in JDBC) for \
        MySQL, `tls=true` for MongoDB, `encrypt=true` for SQL Server; enforce it on the server \
        too (`rds.force_ssl = 1`, `require_secure_transport = ON`).",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SC-8(1)", "NIST SP 800-53 SC-23"],
    params: &[],
    check,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Postgres,
    MySql,
    Mongo,
    SqlServer,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Postgres => "PostgreSQL",
            Family::MySql => "MySQL",
            Family::Mongo => "MongoDB",
            Family::SqlServer => "SQL Server",
        }
    }
}

/// A connection string, read.
struct Connection<'a> {
    family: Family,
    /// `mongodb+srv`: TLS is on by default.
    srv: bool,
    hosts: Vec<&'a str>,
    params: Vec<(&'a str, &'a str)>,
    has_password: bool,
}

/// How bad a setting is.
enum Verdict {
    /// TLS off.
    Off(String),
    /// TLS optional, or on without verification.
    Weak(String),
}

fn check(doc: &Document, cx: &mut Context) {
    for variable in env::variables(doc) {
        let Some(value) = variable.value.scalar() else { continue };
        if let Some(connection) = parse(value) {
            judge_connection(&variable, &connection, cx);
        } else if let Some(verdict) = switch(variable.name, value) {
            report(cx, &variable, verdict, false);
        }
    }
}

fn report(cx: &mut Context, variable: &Variable<'_>, verdict: Verdict, secret: bool) {
    let at = if variable.value.text().is_empty() { variable.name_node } else { variable.value };
    let finding = match verdict {
        Verdict::Off(message) => cx.report(at, message),
        Verdict::Weak(message) => cx.report(at, message).severity(Severity::Medium),
    };
    if secret {
        finding.secret();
    }
}

fn judge_connection(variable: &Variable<'_>, connection: &Connection<'_>, cx: &mut Context) {
    if connection.hosts.iter().all(|h| is_local(h)) {
        return;
    }
    let name = variable.name;
    let family = connection.family.name();
    let verdict =
        connection.params.iter().find_map(|&(key, value)| param_verdict(connection.family, key, value));
    if let Some((setting, strong)) = verdict {
        let verdict = if strong {
            Verdict::Off(format!(
                "{name} connects to {family} with {setting}: queries, results and the password \
                 cross the network in clear text"
            ))
        } else {
            Verdict::Weak(format!(
                "{name} connects to {family} with {setting}: TLS is optional or the server's \
                 certificate is not verified, so an attacker on the path can strip or intercept it"
            ))
        };
        report(cx, variable, verdict, connection.has_password);
        return;
    }
    // Nothing about TLS in the string: a prompt, for remote hosts, outside templates.
    let silent = !connection.params.iter().any(|&(key, _)| mentions_tls(key));
    let defaults_to_tls = connection.srv || connection.family == Family::SqlServer;
    let template = matches!(variable.source, Source::EnvFile { template: true });
    let remote = connection.hosts.iter().find(|h| h.contains('.') && !h.contains('$') && !is_in_cluster(h));
    let Some(host) = remote else { return };
    if !silent || defaults_to_tls || template {
        return;
    }
    let setting = match connection.family {
        Family::Postgres => {
            "no sslmode: libpq's default `prefer` falls back to plaintext and never verifies the server"
        }
        Family::MySql => "no ssl-mode: depending on the driver, TLS is off or only `PREFERRED` (unverified)",
        Family::Mongo => "no tls option: mongodb:// connections are unencrypted unless tls=true",
        Family::SqlServer => return,
    };
    let message = format!(
        "cannot verify that {name} uses TLS to the {family} server {host}: {setting}; set it \
         explicitly unless the application configures TLS in code"
    );
    let finding = cx.report(variable.value, message).severity(Severity::Info);
    if connection.has_password {
        finding.secret();
    }
}

/// The verdict on one connection parameter: `(setting as written, tls off?)`.
fn param_verdict(family: Family, key: &str, value: &str) -> Option<(String, bool)> {
    let k = key.to_ascii_lowercase();
    let v = value.trim().to_ascii_lowercase();
    let setting = || format!("{key}={value}");
    let off = |b: bool| Some((setting(), b));
    match (family, k.as_str()) {
        (Family::Postgres, "sslmode" | "ssl") => match v.as_str() {
            "disable" | "allow" | "false" | "0" | "off" | "no" => off(true),
            "prefer" => off(false),
            _ => None,
        },
        (Family::MySql, "ssl-mode" | "sslmode" | "ssl_mode") => match v.as_str() {
            "disabled" | "disable" => off(true),
            "preferred" | "prefer" => off(false),
            _ => None,
        },
        (Family::MySql, "usessl" | "ssl" | "tls") | (Family::Mongo, "tls" | "ssl") => match v.as_str() {
            "false" | "0" | "off" | "no" => off(true),
            "skip-verify" | "preferred" => off(false),
            _ => None,
        },
        (
            Family::Mongo,
            "tlsinsecure"
            | "tlsallowinvalidcertificates"
            | "tlsallowinvalidhostnames"
            | "sslallowinvalidcertificates"
            | "sslallowinvalidhostnames",
        ) => (v == "true").then(|| (setting(), false)),
        (Family::SqlServer, "encrypt") => match v.as_str() {
            "false" | "no" | "0" | "optional" => off(true),
            _ => None,
        },
        (Family::SqlServer, "trustservercertificate") => {
            (v == "true" || v == "yes").then(|| (setting(), false))
        }
        _ => None,
    }
}

/// Whether a parameter says something about TLS (so the URL is not silent about it).
fn mentions_tls(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("ssl") || k.contains("tls") || k == "encrypt"
}

/// Reads a connection URL or a libpq keyword string.
fn parse(value: &str) -> Option<Connection<'_>> {
    let value = value.trim();
    let body = strip_prefix_ci(value, "jdbc:").unwrap_or(value);
    if let Some((scheme, rest)) = body.split_once("://") {
        let base = scheme.split('+').next().unwrap_or(scheme).to_ascii_lowercase();
        let family = match base.as_str() {
            "postgres" | "postgresql" | "pgsql" => Family::Postgres,
            "mysql" | "mariadb" | "mysqlx" => Family::MySql,
            "mongodb" => Family::Mongo,
            "sqlserver" | "mssql" => Family::SqlServer,
            _ => return None,
        };
        if !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.') {
            return None;
        }
        let srv = scheme.eq_ignore_ascii_case("mongodb+srv");
        let authority_end = rest.find(['/', '?', ';']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let (userinfo, hostlist) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        let has_password = userinfo.and_then(|u| u.split_once(':')).is_some_and(|(_, p)| !p.is_empty());
        let mut hosts: Vec<&str> = hostlist.split(',').map(host_of).collect();
        let tail = &rest[authority_end..];
        let mut params = Vec::new();
        for part in tail.split(['?', '&', ';']).skip(1) {
            if let Some((k, v)) = part.split_once('=') {
                params.push((k.trim(), v.trim()));
            }
        }
        // libpq URIs may name the host (or a socket directory) as a parameter.
        if let Some(&(_, host)) = params.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")) {
            hosts = host.split(',').map(host_of).collect();
        }
        return Some(Connection { family, srv, hosts, params, has_password });
    }
    // libpq keyword/value form: `host=db port=5432 dbname=app sslmode=disable`.
    let pairs: Vec<(&str, &str)> = value.split_whitespace().filter_map(|w| w.split_once('=')).collect();
    let has = |key: &str| pairs.iter().any(|(k, _)| k.eq_ignore_ascii_case(key));
    if pairs.len() >= 2
        && (has("host") || has("hostaddr"))
        && (has("dbname") || has("user") || has("sslmode"))
    {
        let hosts = pairs
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("host") || k.eq_ignore_ascii_case("hostaddr"))
            .flat_map(|(_, v)| v.split(','))
            .map(|h| h.trim_matches(['\'', '"']))
            .collect();
        let has_password = pairs.iter().any(|(k, v)| k.eq_ignore_ascii_case("password") && !v.is_empty());
        let params = pairs.iter().map(|&(k, v)| (k, v.trim_matches(['\'', '"']))).collect();
        return Some(Connection { family: Family::Postgres, srv: false, hosts, params, has_password });
    }
    None
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// `db.example.com` from `db.example.com:5432`, `::1` from `[::1]:5432`.
fn host_of(hostport: &str) -> &str {
    let hostport = hostport.trim();
    if let Some(inner) = hostport.strip_prefix('[') {
        return inner.split(']').next().unwrap_or(inner);
    }
    hostport.split(':').next().unwrap_or(hostport)
}

/// The local machine: no network to protect.
fn is_local(host: &str) -> bool {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    host.is_empty()
        || host.starts_with('/')
        || host.starts_with("%2f")
        || host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "::1"
        || host == "0.0.0.0"
        || host == "host.docker.internal"
}

/// A Kubernetes service name (`db.default.svc.cluster.local`): inside the cluster, where
/// the operator decides; the prompt is for hosts out on the network.
fn is_in_cluster(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    matches!(host.rsplit('.').next(), Some("svc" | "local"))
}

/// Words that name a database in a variable name (`DATABASE_SSL`, `REDIS_TLS`).
const DATABASES: &[&str] = &[
    "DB",
    "DATABASE",
    "PG",
    "POSTGRES",
    "POSTGRESQL",
    "MYSQL",
    "MARIADB",
    "MONGO",
    "MONGODB",
    "REDIS",
    "RDS",
    "SQL",
    "MSSQL",
];

/// `PGSSLMODE=disable`, `DB_SSL_MODE=prefer`, `DATABASE_SSL=false`, `REDIS_TLS=false`.
fn switch(name: &str, value: &str) -> Option<Verdict> {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '-', '.']).filter(|w| !w.is_empty()).collect();
    let v = value.trim().to_ascii_lowercase();
    if upper == "PGSSLMODE" || upper.ends_with("_SSLMODE") || upper.ends_with("_SSL_MODE") {
        return match v.as_str() {
            "disable" | "disabled" | "allow" => Some(Verdict::Off(format!(
                "{name}={value} turns TLS off for the database connection: queries, results and \
                 the password cross the network in clear text"
            ))),
            "prefer" | "preferred" => Some(Verdict::Weak(format!(
                "{name}={value} makes TLS optional and unverified: the client falls back to \
                 plaintext and never checks the server's certificate"
            ))),
            _ => None,
        };
    }
    let tls_at = words.iter().rposition(|w| *w == "SSL" || *w == "TLS")?;
    // What may follow SSL/TLS: nothing, ENABLED, or the word before it was USE/REQUIRE/ENABLE.
    let tail_ok =
        words.get(tls_at + 1..).is_some_and(|t| t.is_empty() || t == ["ENABLED"] || t == ["ENABLE"]);
    let database = words.get(..tls_at).is_some_and(|head| head.iter().any(|w| DATABASES.contains(w)));
    if tail_ok && database && matches!(v.as_str(), "false" | "0" | "no" | "off" | "disable" | "disabled") {
        return Some(Verdict::Off(format!(
            "{name}={value} turns TLS off for the connection: data and credentials cross the \
             network in clear text"
        )));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(value: &str) -> Option<bool> {
        let connection = parse(value)?;
        connection
            .params
            .iter()
            .find_map(|&(k, v)| param_verdict(connection.family, k, v))
            .map(|(_, off)| off)
    }

    #[test]
    fn connection_strings_are_read() {
        assert_eq!(verdict("postgres://u:p@db.x.com/app?sslmode=disable"), Some(true));
        assert_eq!(
            verdict("postgresql+psycopg://db.x.com/app?application_name=a&sslmode=prefer"),
            Some(false)
        );
        assert_eq!(verdict("postgres://db.x.com/app?sslmode=verify-full"), None);
        assert_eq!(verdict("jdbc:postgresql://db.x.com:5432/app?sslmode=disable"), Some(true));
        assert_eq!(verdict("mysql://db.x.com/app?ssl-mode=DISABLED"), Some(true));
        assert_eq!(verdict("jdbc:mysql://db.x.com/app?sslMode=PREFERRED"), Some(false));
        assert_eq!(verdict("mysql://db.x.com/app?tls=skip-verify"), Some(false));
        assert_eq!(verdict("mongodb://db.x.com/app?ssl=false"), Some(true));
        assert_eq!(verdict("jdbc:sqlserver://db.x.com:1433;databaseName=a;encrypt=false"), Some(true));
        assert_eq!(verdict("sqlserver://db.x.com?trustServerCertificate=true"), Some(false));
        assert_eq!(verdict("host=db.x.com dbname=app sslmode=allow"), Some(true));
        assert!(parse("https://example.com/?sslmode=disable").is_none());
        assert!(parse("host=x").is_none());
        let c = parse("postgres://u:secret@[::1]:5432/app").unwrap();
        assert!(c.has_password && c.hosts == ["::1"] && is_local(c.hosts[0]));
        let c = parse("postgresql:///app?host=/var/run/postgresql").unwrap();
        assert!(c.hosts.iter().all(|h| is_local(h)));
        let c = parse("mongodb://a.x.com:27017,b.x.com:27017/app").unwrap();
        assert_eq!(c.hosts, ["a.x.com", "b.x.com"]);
    }

    #[test]
    fn switches_are_read() {
        assert!(matches!(switch("PGSSLMODE", "disable"), Some(Verdict::Off(_))));
        assert!(matches!(switch("DB_SSL_MODE", "prefer"), Some(Verdict::Weak(_))));
        assert!(matches!(switch("DATABASE_SSL", "false"), Some(Verdict::Off(_))));
        assert!(matches!(switch("APP_DB_USE_TLS", "0"), Some(Verdict::Off(_))));
        assert!(matches!(switch("REDIS_TLS_ENABLED", "false"), Some(Verdict::Off(_))));
        assert!(switch("DATABASE_SSL", "true").is_none());
        assert!(switch("FEATURE_SSL", "false").is_none());
        assert!(switch("DATABASE_SSL_CERT", "false").is_none());
    }
}
