//! Recognising secrets in names and values, shared by the rules of this crate.
//!
//! Three signals, from strongest to weakest:
//! - a **known format** anywhere in a value ([`known_formats`]): provider key prefixes,
//!   PEM private keys, JWTs, AWS access key ids;
//! - **credentials in a URL** ([`url_credentials`]): `scheme://user:password@host`;
//! - a **secret-ish name** ([`secret_name`]) holding a literal that is neither a reference
//!   nor a placeholder ([`judge_named`]), with Shannon entropy telling random-looking values
//!   from words.
//!
//! No regular expressions: small hand-written matchers keep the component small.

/// How strongly a name says "this holds a secret".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// `DB_PASSWORD`, `SECRET_KEY`, `API_TOKEN`: any real-looking literal is a secret.
    Strong,
    /// `LLM_KEY`, `BASIC_AUTH`, `CREDENTIALS`: only a random-looking literal is (the same
    /// words name cache keys, auth modes and file paths).
    Weak,
}

/// The default of `min_length`, which the three rules that judge random-looking values share
/// (policies/baseline.toml writes it out once).
pub const DEFAULT_MIN_LENGTH: i64 = 16;
/// The default of `min_entropy`, shared likewise.
pub const DEFAULT_MIN_ENTROPY: f64 = 3.5;

/// The words of a name, uppercased: split at anything but letters and digits and at
/// camelCase boundaries (`dbPassword`, `APIKey` → `API`, `KEY`).
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !current.is_empty() {
            let prev = chars.get(i.wrapping_sub(1)).copied().unwrap_or(' ');
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit() && current.chars().any(|p| p.is_ascii_lowercase())
                || (prev.is_ascii_uppercase() && next.is_ascii_lowercase())
            {
                out.push(std::mem::take(&mut current));
            }
        }
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Words after the secret noun that do not change what the name holds: `SECRET_KEY_BASE`,
/// `DB_PASSWORD_PROD`, `API_TOKEN_2`, `secret_string`.
const QUALIFIERS: &[&str] = &[
    "PROD",
    "PRODUCTION",
    "PRD",
    "STAGING",
    "STAGE",
    "STG",
    "DEV",
    "DEVELOPMENT",
    "TEST",
    "TESTING",
    "QA",
    "UAT",
    "LIVE",
    "SANDBOX",
    "LOCAL",
    "OLD",
    "NEW",
    "PREV",
    "PREVIOUS",
    "NEXT",
    "CURRENT",
    "BACKUP",
    "VALUE",
    "VAL",
    "STRING",
    "STR",
    "BINARY",
    "BASE",
    "B64",
    "BASE64",
    "HEX",
    "RAW",
    "PLAIN",
    "PLAINTEXT",
    "DATA",
];

/// Nouns that name a secret whatever precedes them.
const STRONG_NOUNS: &[&str] = &[
    "PASSWORD",
    "PASSWORDS",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "SECRETKEY",
    "PRIVATEKEY",
    "ACCESSKEY",
    "AUTHTOKEN",
    "CLIENTSECRET",
];

/// Nouns that name a secret only after another word (`SMTP_PASS`, `DB_PWD`): alone they are
/// other things (`PWD` is the working directory).
const QUALIFIED_NOUNS: &[&str] = &["PASS", "PWD", "PW"];

/// Nouns that often, not always, name a secret.
const WEAK_NOUNS: &[&str] =
    &["AUTH", "AUTHORIZATION", "CREDENTIALS", "CREDENTIAL", "CREDS", "CRED", "SALT", "PEPPER"];

/// `<WORD>_KEY` is a secret for these words.
const SECRET_KEY_KINDS: &[&str] = &[
    "API",
    "SECRET",
    "PRIVATE",
    "ACCESS",
    "SIGNING",
    "SIGN",
    "ENCRYPTION",
    "ENCRYPT",
    "ENC",
    "CRYPTO",
    "MASTER",
    "AUTH",
    "CLIENT",
    "SESSION",
    "HMAC",
    "JWT",
    "LICENSE",
    "WEBHOOK",
    "ADMIN",
    "SSH",
    "DEPLOY",
    "APP",
    "SERVICE",
    "SERVER",
];

/// `<WORD>_TOKEN` is not a secret for these words: idempotency and paging tokens
/// (`creation_token` of an EFS file system, `next_token`).
const PLAIN_TOKEN_KINDS: &[&str] = &[
    "CREATION",
    "IDEMPOTENCY",
    "CONTINUATION",
    "NEXT",
    "PAGE",
    "PAGINATION",
    "CANCELLATION",
    "REQUEST",
    "DEDUPLICATION",
    "RESUME",
    "CURSOR",
    "SYNC",
];

/// `<WORD>_KEY` is not a secret for these words (a lookup key, a public key, a KMS key id).
const PLAIN_KEY_KINDS: &[&str] = &[
    "KMS",
    "CMK",
    "CACHE",
    "PARTITION",
    "SORT",
    "HASH",
    "RANGE",
    "FOREIGN",
    "OBJECT",
    "S3",
    "BUCKET",
    "ROUTING",
    "IDEMPOTENCY",
    "DEDUP",
    "DEDUPLICATION",
    "GROUP",
    "MAP",
    "LOOKUP",
    "LOCK",
    "STATE",
    "TABLE",
    "INDEX",
    "SEARCH",
    "SHARD",
    "QUEUE",
    "STREAM",
    "EVENT",
    "TAG",
    "LABEL",
    "METRIC",
    "CONFIG",
    "TRANSLATION",
    "I18N",
    "SITE",
    "PGP",
    "GPG",
];

/// Whether a name says its value is a secret, and how strongly.
///
/// The secret noun must end the name (qualifiers like `_PROD` aside): `DB_PASSWORD` and
/// `CHATGPT_API_KEY` are secrets, `PASSWORD_MIN_LENGTH`, `TOKEN_EXPIRY`, `SECRET_ARN`,
/// `API_KEY_FILE` and `KMS_KEY_ID` name something about one.
pub fn secret_name(name: &str) -> Option<Tier> {
    let mut words = words(name);
    if words.iter().any(|w| w == "PUBLIC" || w == "PUBLISHABLE" || w == "PUB") {
        return None;
    }
    while words.len() > 1
        && words.last().is_some_and(|w| {
            QUALIFIERS.contains(&w.as_str())
                || w.bytes().all(|b| b.is_ascii_digit())
                || (w.len() > 1 && w.starts_with('V') && w[1..].bytes().all(|b| b.is_ascii_digit()))
        })
    {
        words.pop();
    }
    let last = words.last()?.as_str();
    let before = words.len().checked_sub(2).and_then(|i| words.get(i)).map(String::as_str);
    if last == "TOKEN" && before.is_some_and(|b| PLAIN_TOKEN_KINDS.contains(&b)) {
        return None;
    }
    if STRONG_NOUNS.contains(&last) {
        return Some(Tier::Strong);
    }
    if QUALIFIED_NOUNS.contains(&last) {
        return before.map(|_| Tier::Strong);
    }
    // Compounds written as one word: `DBPASSWORD`, `CLIENTSECRET`, `OPENAIAPIKEY`.
    if ["PASSWORD", "PASSWD", "SECRET", "APIKEY"]
        .iter()
        .any(|n| last.len() > n.len() + 1 && last.ends_with(n))
    {
        return Some(Tier::Strong);
    }
    if WEAK_NOUNS.contains(&last) {
        return Some(Tier::Weak);
    }
    if last == "KEY" {
        let kind = before?;
        if SECRET_KEY_KINDS.contains(&kind) {
            return Some(Tier::Strong);
        }
        if PLAIN_KEY_KINDS.contains(&kind) {
            return None;
        }
        return Some(Tier::Weak);
    }
    None
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum()
}

/// A reference to a value set elsewhere: `${VAR}`, `$VAR`, `$(VAR)` (Kubernetes),
/// `{{ .x }}`, `#{x}`, `%{x}`, `%VAR%`.
pub fn has_reference(v: &str) -> bool {
    let b = v.as_bytes();
    b.windows(2).any(|w| {
        (w[0] == b'$' && (w[1] == b'{' || w[1] == b'(' || w[1] == b'_' || w[1].is_ascii_alphabetic()))
            || (w[0] == b'{' && w[1] == b'{')
            || (w[0] == b'#' && w[1] == b'{')
            || (w[0] == b'%' && w[1] == b'{')
    }) || (v.len() > 2 && v.starts_with('%') && v.ends_with('%'))
}

/// Words a placeholder is made of, compared with separators removed, lowercase.
const PLACEHOLDER_EXACT: &[&str] = &[
    "changeme",
    "changeit",
    "changethis",
    "change",
    "replaceme",
    "replace",
    "todo",
    "tbd",
    "fixme",
    "placeholder",
    "example",
    "sample",
    "dummy",
    "fake",
    "redacted",
    "hidden",
    "masked",
    "none",
    "null",
    "nil",
    "undefined",
    "notset",
    "unset",
    "empty",
    "na",
    "secretgoeshere",
    "xxx",
    "tobeset",
    "tobedefined",
    "setme",
    "setinenv",
    "unused",
    "notused",
    "ignored",
];

const PLACEHOLDER_PREFIXES: &[&str] = &[
    "your",
    "changeme",
    "changeit",
    "changethis",
    "replacewith",
    "replaceme",
    "replacethis",
    "insert",
    "enter",
    "putyour",
    "pasteyour",
    "putkey",
    "putsecret",
    "fillin",
    "todo",
    "example",
    "placeholder",
    "dummy",
    "fake",
    "sample",
    "redacted",
    "setyour",
    "addyour",
    "generate",
    "tobe",
];

const PLACEHOLDER_PARTS: &[&str] = &[
    "changeme",
    "changethis",
    "replaceme",
    "placeholder",
    "example",
    "dummy",
    "redacted",
    "notreal",
    "xxxx",
    "your",
];

/// A value that stands for a secret rather than being one: `changeme`, `<your-key>`, `xxx`,
/// `your_api_key_here`, `***`, `...`, `AKIAIOSFODNN7EXAMPLE`.
pub fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() {
        return true;
    }
    let wrapped = |open: &str, close: &str| {
        v.len() >= open.len() + close.len() && v.starts_with(open) && v.ends_with(close)
    };
    if wrapped("<", ">") || wrapped("[", "]") || wrapped("{", "}") || wrapped("__", "__") || wrapped("@", "@")
    {
        return true;
    }
    if v.contains("...") || v.contains('…') || v.contains("****") || v.contains("••") {
        return true;
    }
    let mut chars = v.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return true;
    }
    let normal: String =
        v.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    PLACEHOLDER_EXACT.contains(&normal.as_str())
        || PLACEHOLDER_PREFIXES.iter().any(|p| normal.starts_with(p))
        || PLACEHOLDER_PARTS.iter().any(|p| normal.contains(p))
}

const SWITCHES: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "enable", "disable", "required",
    "optional", "none", "default", "auto", "basic", "bearer", "oauth", "oauth2", "jwt", "iam", "ldap",
    "kerberos",
];

const PATH_PREFIXES: &[&str] = &["/", "./", "../", "~/", "file:", "c:\\", "d:\\"];

const STORE_PREFIXES: &[&str] = &[
    "arn:",
    "{{resolve:",
    "@microsoft.keyvault(",
    "op://",
    "vault:",
    "ssm:",
    "secretsmanager:",
    "sm://",
    "awssm:",
    "gcpsm:",
    "azkv:",
    "projects/",
    "ref+",
];

const PUBLIC_MATERIAL: &[&str] = &[
    "ssh-rsa ",
    "ssh-ed25519 ",
    "ssh-dss ",
    "ecdsa-sha2-",
    "sk-ssh-ed25519",
    "-----begin public key",
    "-----begin rsa public key",
    "-----begin certificate",
    "-----begin pgp public key",
    "keybase:",
    // Publishable keys, meant for browsers: Stripe, Mapbox.
    "pk_live_",
    "pk_test_",
    "pk.",
];

/// Values of a secret-named setting that are something else: a switch (`true`,
/// `required`), a small number, a file path, a URL (judged by the URL rule), a reference to
/// a secret store (an ARN, `vault:`...), the name of a secret in a store (`prod/db/password`),
/// public key material and publishable keys, or prose (a description).
pub fn is_not_a_secret(v: &str) -> bool {
    let v = v.trim();
    let lower = v.to_ascii_lowercase();
    if SWITCHES.contains(&lower.as_str()) {
        return true;
    }
    if v.len() < 6 && v.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if PATH_PREFIXES.iter().any(|p| lower.starts_with(p)) && !v.contains(char::is_whitespace) {
        return true;
    }
    if v.contains("://") {
        return true;
    }
    if STORE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    // `prod/db/password`, `myapp/openai-api-key`: a secret's name in a store.
    if v.contains('/')
        && !v.starts_with('/')
        && !v.ends_with('/')
        && !v.contains("//")
        && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/-_.".contains(&b))
    {
        return true;
    }
    if PUBLIC_MATERIAL.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    is_prose(v)
}

/// Several words separated by blanks, most of them ordinary words: a description, not a
/// secret (`OpenAI API key (rotated manually)`).
pub fn is_prose(v: &str) -> bool {
    let parts: Vec<&str> = v.split_whitespace().collect();
    if parts.len() < 3 {
        return false;
    }
    let wordy = parts
        .iter()
        .filter(|p| {
            let p = p.trim_matches(|c: char| c.is_ascii_punctuation());
            !p.is_empty() && p.chars().all(char::is_alphabetic)
        })
        .count();
    wordy * 3 >= parts.len() * 2
}

/// Whether a value reads like words joined by separators (`staging_secret_key_here`,
/// `this-is-a-long-dev-secret`) rather than random characters. Its entropy per character
/// can be as high as a random string's, so the entropy test alone cannot tell them apart.
pub fn is_wordlike(v: &str) -> bool {
    let segments: Vec<&str> = v.split(['-', '_', '.', ' ', '/', ':']).filter(|s| !s.is_empty()).collect();
    let alpha =
        segments.iter().filter(|s| s.len() >= 2 && s.bytes().all(|b| b.is_ascii_alphabetic())).count();
    let mixed = segments
        .iter()
        .filter(|s| s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().any(|b| b.is_ascii_alphabetic()))
        .count();
    let symbols = v.bytes().any(|b| !b.is_ascii_alphanumeric() && !b"-_. /:".contains(&b));
    (segments.len() >= 2 && alpha >= 2 && mixed == 0 && !symbols)
        || (segments.len() == 1 && v.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Random-looking: long enough, high Shannon entropy, and not a phrase of words.
pub fn looks_random(v: &str, min_length: usize, min_entropy: f64) -> bool {
    v.chars().count() >= min_length && entropy(v) >= min_entropy && !is_wordlike(v) && !is_prose(v)
}

/// What the name-based rules conclude about a literal under a secret-ish name.
pub struct Named {
    /// Random-looking (long, high entropy, not words).
    pub random: bool,
    pub chars: usize,
}

/// Whether `value`, set under `name`, is a plaintext secret for the name-based rules.
///
/// `template`: the value is in an example or template file, where placeholders are expected
/// and only random-looking values count. Values another rule reports (a known format, a URL)
/// are left to it.
pub fn judge_named(
    name: &str,
    value: &str,
    template: bool,
    min_length: usize,
    min_entropy: f64,
) -> Option<Named> {
    let tier = secret_name(name)?;
    let v = value.trim();
    if v.is_empty()
        || !known_formats(v).is_empty()
        || has_reference(v)
        || is_placeholder(v)
        || is_not_a_secret(v)
    {
        return None;
    }
    let random = looks_random(v, min_length, min_entropy);
    let reported = match tier {
        Tier::Strong => random || !template,
        Tier::Weak => random,
    };
    reported.then(|| Named { random, chars: v.chars().count() })
}

/// "32 characters" / "32 characters, high entropy".
pub fn describe_value(named: &Named) -> String {
    if named.random {
        format!("{} characters, high entropy", named.chars)
    } else {
        format!("{} characters", named.chars)
    }
}

// ---------------------------------------------------------------------------------------
// Known formats

/// A known secret format found in a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known<'a> {
    /// The matched text (the secret itself: never print it unmasked).
    pub text: &'a str,
    /// What it is: "an OpenAI API key".
    pub what: &'static str,
    /// A private key rather than a token.
    pub private_key: bool,
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}
fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}
fn base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}
fn lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

/// A token format: a prefix, then a body of characters in a set.
struct TokenFormat {
    prefix: &'static str,
    what: &'static str,
    body: fn(u8) -> bool,
    min: usize,
    /// The body's exact length when the format has one.
    exact: Option<usize>,
    /// The body must mix digits and letters (real keys do; `sk-production-key-here` does not).
    mixed: bool,
}

/// `(prefix, what, body, min, exact, mixed)`, in order of precedence (`sk-ant-` before `sk-`).
const TOKEN_FORMATS: &[TokenFormat] = &[
    token("AKIA", "an AWS access key ID", upper_digit, 16, Some(16), false),
    token("ASIA", "an AWS temporary access key ID", upper_digit, 16, Some(16), false),
    token("sk-ant-", "an Anthropic API key", alnum_dash, 32, None, true),
    token("sk-", "an OpenAI API key", alnum_dash, 20, None, true),
    token("ghp_", "a GitHub personal access token", alnum, 30, None, true),
    token("gho_", "a GitHub OAuth token", alnum, 30, None, true),
    token("ghu_", "a GitHub user-to-server token", alnum, 30, None, true),
    token("ghs_", "a GitHub server-to-server token", alnum, 30, None, true),
    token("ghr_", "a GitHub refresh token", alnum, 30, None, true),
    token("github_pat_", "a GitHub fine-grained personal access token", alnum_underscore, 40, None, true),
    token("xoxb-", "a Slack bot token", alnum_dash, 10, None, true),
    token("xoxp-", "a Slack user token", alnum_dash, 10, None, true),
    token("xoxa-", "a Slack app token", alnum_dash, 10, None, true),
    token("xoxr-", "a Slack refresh token", alnum_dash, 10, None, true),
    token("xoxs-", "a Slack session token", alnum_dash, 10, None, true),
    token("sk_live_", "a Stripe live secret key", alnum, 20, None, true),
    token("rk_live_", "a Stripe live restricted key", alnum, 20, None, true),
    token("AIza", "a Google API key", alnum_dash, 35, Some(35), true),
    token("glpat-", "a GitLab personal access token", alnum_dash, 20, None, true),
    token("gsk_", "a Groq API key", alnum, 40, None, true),
    token("npm_", "an npm access token", alnum, 36, Some(36), true),
    token("pypi-AgEIcHlwaS5vcmc", "a PyPI API token", alnum_dash, 50, None, true),
    token("hf_", "a Hugging Face access token", alnum, 34, None, false),
    token("dop_v1_", "a DigitalOcean personal access token", lower_hex, 64, Some(64), true),
    token("AccountKey=", "an Azure storage account key", base64_char, 80, None, true),
];

/// Whether some token format's prefix starts with the byte: most bytes start none.
static TOKEN_FIRST_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < TOKEN_FORMATS.len() {
        table[TOKEN_FORMATS[i].prefix.as_bytes()[0] as usize] = true;
        i += 1;
    }
    table
};

const fn token(
    prefix: &'static str,
    what: &'static str,
    body: fn(u8) -> bool,
    min: usize,
    exact: Option<usize>,
    mixed: bool,
) -> TokenFormat {
    TokenFormat { prefix, what, body, min, exact, mixed }
}

/// Whether a token's body is a stand-in (`ghp_xxxx...`, `...EXAMPLE...`) or too regular to
/// be random (`AKIA0000000000000000`).
fn fake_body(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    if lower.contains("xxxx")
        || lower.contains("example")
        || lower.contains("your")
        || lower.contains("0000000")
    {
        return true;
    }
    let mut seen = [false; 256];
    for b in body.bytes() {
        seen[usize::from(b)] = true;
    }
    let distinct = seen.iter().filter(|&&s| s).count();
    distinct < (body.len() / 2).min(8)
}

fn mixed_classes(body: &str) -> bool {
    let digit = body.bytes().any(|b| b.is_ascii_digit());
    let letter = body.bytes().any(|b| b.is_ascii_alphabetic());
    digit && letter
}

/// Where a token of `format` starting at `start` ends, if what follows the prefix is a
/// real token of that format (long enough, not a stand-in).
fn token_end(text: &str, start: usize, format: &TokenFormat) -> Option<usize> {
    let bytes = text.as_bytes();
    let body_start = start + format.prefix.len();
    let body_len =
        bytes.get(body_start..).map_or(0, |rest| rest.iter().take_while(|&&b| (format.body)(b)).count());
    let mut end = body_start + body_len;
    if format.prefix == "AccountKey=" {
        end += bytes.get(end..).map_or(0, |r| r.iter().take(2).take_while(|&&b| b == b'=').count());
    }
    let long_enough = match format.exact {
        Some(n) => body_len == n,
        None => body_len >= format.min,
    };
    let body = text.get(body_start..body_start + body_len)?;
    if !long_enough || fake_body(body) || (format.mixed && !mixed_classes(body)) {
        return None;
    }
    let cased = body.bytes().any(|b| b.is_ascii_uppercase()) && body.bytes().any(|b| b.is_ascii_lowercase());
    if format.prefix == "sk-" && !cased {
        return None;
    }
    Some(end)
}

/// A place a known format was found: `(start, end, what, private key)`.
type Candidate = (usize, usize, &'static str, bool);

/// Every known secret format in a text, in order, without overlaps.
pub fn known_formats(text: &str) -> Vec<Known<'_>> {
    let bytes = text.as_bytes();
    // One pass over the text finds the places a token can start (not after a word
    // character), trying only the formats whose prefix starts with that byte, and whether the
    // markers of the other formats occur at all: a substring search per format and value cost
    // more than the rest of the plugin (most values are short and hold none).
    let (mut pem, mut jwt, mut slack, mut sendgrid_key) = (false, false, false, false);
    let mut tokens: Vec<(usize, Candidate)> = Vec::new();
    for (start, &first) in bytes.iter().enumerate() {
        let rest = &bytes[start..];
        match first {
            b'-' => pem |= rest.starts_with(b"-----BEGIN "),
            b'e' => jwt |= rest.starts_with(b"eyJ"),
            b'h' => slack |= rest.starts_with(SLACK_WEBHOOK.as_bytes()),
            b'S' => sendgrid_key |= rest.starts_with(b"SG."),
            _ => {}
        }
        if !TOKEN_FIRST_BYTES[usize::from(first)] || start > 0 && alnum_dash(bytes[start - 1]) {
            continue;
        }
        for (index, format) in TOKEN_FORMATS.iter().enumerate() {
            if format.prefix.as_bytes()[0] != first || !rest.starts_with(format.prefix.as_bytes()) {
                continue;
            }
            if let Some(end) = token_end(text, start, format) {
                tokens.push((index, (start, end, format.what, false)));
            }
        }
    }
    // Candidates in order of precedence; a later one overlapping an earlier one is dropped.
    let mut candidates: Vec<Candidate> = Vec::new();
    if pem {
        for (start, end, what) in private_keys(text) {
            candidates.push((start, end, what, true));
        }
    }
    if jwt {
        for (start, end) in jwts(text) {
            candidates.push((start, end, "a JSON Web Token", false));
        }
    }
    if slack && let Some((start, end)) = slack_webhook(text) {
        candidates.push((start, end, "a Slack incoming-webhook URL", false));
    }
    if sendgrid_key && let Some((start, end)) = sendgrid(text) {
        candidates.push((start, end, "a SendGrid API key", false));
    }
    // The token formats come last, in their order of precedence.
    tokens.sort_by_key(|&(index, (start, ..))| (index, start));
    candidates.extend(tokens.into_iter().map(|(_, candidate)| candidate));
    if candidates.is_empty() {
        return Vec::new();
    }
    let mut claimed = vec![false; bytes.len()];
    let mut found: Vec<(usize, Known<'_>)> = Vec::new();
    for (start, end, what, private_key) in candidates {
        let Some(range) = claimed.get_mut(start..end) else { continue };
        if range.iter().any(|&c| c) {
            continue;
        }
        for c in range.iter_mut() {
            *c = true;
        }
        if let Some(t) = text.get(start..end) {
            found.push((start, Known { text: t, what, private_key }));
        }
    }
    found.sort_by_key(|&(start, _)| start);
    found.into_iter().map(|(_, k)| k).collect()
}

/// PEM private keys with a body: `(start, end, what)`.
fn private_keys(text: &str) -> Vec<(usize, usize, &'static str)> {
    let mut out = Vec::new();
    for (start, _) in text.match_indices("-----BEGIN ") {
        let Some(rest) = text.get(start + 11..) else { continue };
        let Some(label_end) = rest.find("-----") else { continue };
        let label = &rest[..label_end];
        if label.len() > 40 || !label.ends_with("PRIVATE KEY") && !label.ends_with("PRIVATE KEY BLOCK") {
            continue;
        }
        let body_start = start + 11 + label_end + 5;
        let body_text = text.get(body_start..).unwrap_or("");
        let body_end = body_text.find("-----END").unwrap_or(body_text.len());
        let body = &body_text[..body_end];
        let base64 = body.bytes().filter(|&b| base64_char(b) || b == b'=').count();
        if base64 < 32 || fake_body(body.trim()) {
            continue;
        }
        // Through the END line when there is one.
        let end = body_text[body_end..]
            .find("-----END")
            .and_then(|i| {
                body_text[body_end + i + 8..].find("-----").map(|j| body_start + body_end + i + 8 + j + 5)
            })
            .unwrap_or(body_start + body_end);
        let what = match label.trim_end_matches(" BLOCK").trim_end_matches("PRIVATE KEY").trim() {
            "RSA" => "an RSA private key",
            "EC" => "an EC private key",
            "DSA" => "a DSA private key",
            "OPENSSH" => "an OpenSSH private key",
            "PGP" => "a PGP private key",
            "ENCRYPTED" => "an encrypted private key",
            _ => "a private key",
        };
        out.push((start, end, what));
    }
    out
}

fn b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// JWTs: `eyJ<header>.eyJ<payload>.<signature>`. Supabase-style `anon` keys, public by
/// design, are left out.
fn jwts(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (start, _) in text.match_indices("eyJ") {
        if start > 0 && bytes.get(start - 1).is_some_and(|&b| b64url(b)) {
            continue;
        }
        let segment =
            |from: usize| bytes.get(from..).map_or(0, |r| r.iter().take_while(|&&b| b64url(b)).count());
        let header = segment(start);
        let payload_start = start + header + 1;
        if header < 10
            || bytes.get(start + header) != Some(&b'.')
            || text.get(payload_start..payload_start + 3) != Some("eyJ")
        {
            continue;
        }
        let payload = segment(payload_start);
        let signature_start = payload_start + payload + 1;
        if payload < 10 || bytes.get(payload_start + payload) != Some(&b'.') {
            continue;
        }
        let signature = segment(signature_start);
        if signature < 16 {
            continue;
        }
        let claims = text
            .get(payload_start..payload_start + payload)
            .and_then(|p| base64_decode(p, true))
            .unwrap_or_default();
        let claims: String =
            String::from_utf8_lossy(&claims).chars().filter(|c| !c.is_whitespace()).collect();
        if claims.contains("\"role\":\"anon\"") {
            continue;
        }
        out.push((start, signature_start + signature));
    }
    out
}

const SLACK_WEBHOOK: &str = "https://hooks.slack.com/services/";

fn slack_webhook(text: &str) -> Option<(usize, usize)> {
    let start = text.find(SLACK_WEBHOOK)?;
    let rest = &text[start + SLACK_WEBHOOK.len()..];
    let len = rest.bytes().take_while(|&b| alnum(b) || b == b'/').count();
    let parts: Vec<&str> = rest[..len].split('/').collect();
    let ok = parts.len() == 3
        && parts[0].starts_with('T')
        && parts[1].starts_with('B')
        && parts[2].len() >= 20
        && !fake_body(parts[2]);
    ok.then_some((start, start + SLACK_WEBHOOK.len() + len))
}

fn sendgrid(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    for (start, _) in text.match_indices("SG.") {
        if start > 0 && bytes.get(start - 1).is_some_and(|&b| b64url(b)) {
            continue;
        }
        let seg = |from: usize| bytes.get(from..).map_or(0, |r| r.iter().take_while(|&&b| b64url(b)).count());
        let first = seg(start + 3);
        let second_start = start + 3 + first + 1;
        if first == 22 && bytes.get(start + 3 + first) == Some(&b'.') && seg(second_start) == 43 {
            return Some((start, second_start + 43));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// URLs

/// A URL carrying a password in its user info.
#[derive(Clone, Copy, Debug)]
pub struct UrlCredentials<'a> {
    pub scheme: &'a str,
    pub user: &'a str,
    pub password: &'a str,
    /// The host, port included.
    pub host: &'a str,
}

impl UrlCredentials<'_> {
    /// The URL names the machine it runs on (`localhost`, `127.0.0.1`, `[::1]`): the
    /// password opens a developer's local service.
    pub fn is_loopback(&self) -> bool {
        let host = self.host.to_ascii_lowercase();
        let name = if host.starts_with('[') {
            host.split(']').next().map_or(host.as_str(), |h| h.trim_start_matches('['))
        } else {
            host.rsplit_once(':').map_or(host.as_str(), |(h, _)| h)
        };
        name == "localhost" || name.ends_with(".localhost") || name.starts_with("127.") || name == "::1"
    }

    /// "the database URL", "the Redis URL", "the URL".
    pub fn what(&self) -> String {
        let scheme = self.scheme.to_ascii_lowercase();
        let kind = match scheme.as_str() {
            "postgres" | "postgresql" | "mysql" | "mariadb" | "mongodb" | "mongodb+srv" | "mssql"
            | "sqlserver" | "oracle" | "cockroachdb" | "clickhouse" | "cassandra" | "neo4j" | "neo4j+s"
            | "bolt" | "couchdb" => "database URL",
            s if s.starts_with("postgres") || s.starts_with("mysql") || s.starts_with("mongodb") => {
                "database URL"
            }
            "redis" | "rediss" | "valkey" | "memcached" => "cache URL",
            "amqp" | "amqps" | "nats" | "mqtt" | "mqtts" | "kafka" => "message broker URL",
            "ftp" | "ftps" | "sftp" => "FTP URL",
            "ldap" | "ldaps" => "LDAP URL",
            "smtp" | "smtps" => "SMTP URL",
            _ => "URL",
        };
        format!("the {kind}")
    }
}

/// Every `scheme://user:password@host` in a text whose password is written out (not a
/// reference, not empty).
pub fn url_credentials(text: &str) -> Vec<UrlCredentials<'_>> {
    let mut out = Vec::new();
    // By `:` first: a substring searcher per value cost more than the search itself.
    let separators = text.match_indices(':').filter(|&(at, _)| text[at..].starts_with("://"));
    for (at, _) in separators {
        let before = &text[..at];
        let scheme_len = before
            .bytes()
            .rev()
            .take_while(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'.' || b == b'-')
            .count();
        let scheme = &before[before.len() - scheme_len..];
        if scheme.is_empty() || !scheme.as_bytes()[0].is_ascii_alphabetic() {
            continue;
        }
        let after = &text[at + 3..];
        let authority_len = after
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\'' || c == '`'
            })
            .unwrap_or(after.len());
        let authority = &after[..authority_len];
        let Some(userinfo_end) = authority.rfind('@') else { continue };
        let userinfo = &authority[..userinfo_end];
        let Some((user, password)) = userinfo.split_once(':') else { continue };
        if password.is_empty() || has_reference(password) || has_reference(user) {
            continue;
        }
        let host = &authority[userinfo_end + 1..];
        out.push(UrlCredentials { scheme, user, password, host });
    }
    out
}

// ---------------------------------------------------------------------------------------
// Base64

/// Decodes standard or URL-safe base64, padding optional, blanks ignored.
pub fn base64_decode(s: &str, url_safe: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' if !url_safe => 62,
            b'/' if !url_safe => 63,
            b'-' if url_safe => 62,
            b'_' if url_safe => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or(0));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for strong in [
            "SECRET_KEY",
            "CHATGPT_API_KEY",
            "DB_PASSWORD",
            "password",
            "master_password",
            "auth_token",
            "token",
            "secret_key",
            "access_key",
            "dbPassword",
            "apiKey",
            "SECRET_KEY_BASE",
            "STRIPE_SECRET_KEY",
            "NEXTAUTH_SECRET",
            "SMTP_PASS",
            "client_secret",
            "secret_string",
        ] {
            assert_eq!(secret_name(strong), Some(Tier::Strong), "{strong}");
        }
        for weak in ["EMERGENT_LLM_KEY", "BASIC_AUTH", "GOOGLE_CREDENTIALS", "iam_auth"] {
            assert_eq!(secret_name(weak), Some(Tier::Weak), "{weak}");
        }
        for plain in [
            "creation_token",
            "NEXT_TOKEN",
            "PASSWORD_MIN_LENGTH",
            "TOKEN_EXPIRY",
            "SECRET_NAME",
            "SECRET_ARN",
            "API_KEY_FILE",
            "API_KEY_PATH",
            "kms_key_id",
            "ACCESS_TOKEN_EXPIRE_MINUTES",
            "key",
            "key_name",
            "public_key",
            "http_tokens",
            "PWD",
            "CACHE_KEY",
            "NEXT_PUBLIC_API_KEY",
            "secret_id",
            "bucket_key_enabled",
            "PASSWORD_HASH",
            "ALGORITHM",
        ] {
            assert_eq!(secret_name(plain), None, "{plain}");
        }
    }

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "<your-key>",
            "xxx",
            "your_api_key_here",
            "ghp_your_token_here",
            "example",
            "***",
            "CHANGE_ME",
            "...",
            "",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for real in ["super_secret_production_key_here", "sk-production-key-here", "password", "hunter2"] {
            assert!(!is_placeholder(real), "{real}");
        }
    }

    #[test]
    fn formats() {
        let key = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
        assert_eq!(known_formats(key).first().map(|k| k.what), Some("an OpenAI API key"));
        assert!(known_formats("sk-production-key-here").is_empty());
        assert!(known_formats("AKIAIOSFODNN7EXAMPLE").is_empty());
        assert_eq!(known_formats("id AKIAZ4RT7Q2LMN3VBC6D").len(), 1);
        assert!(known_formats("task-sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z").is_empty());
        assert!(
            known_formats("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .is_empty()
        );
    }

    #[test]
    fn urls() {
        let found = url_credentials("postgresql://app:s3cret@db:5432/x");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].user, found[0].password), ("app", "s3cret"));
        assert!(url_credentials("postgres://${DB_USER}:${DB_PASSWORD}@db/app").is_empty());
        assert!(url_credentials("https://example.com/a@b").is_empty());
    }
}
