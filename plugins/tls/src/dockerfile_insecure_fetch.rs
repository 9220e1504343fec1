//! `tls/dockerfile-insecure-fetch`: Dockerfile RUN instructions keep TLS certificate
//! verification on.
//!
//! ## What it does
//! Splits every RUN script (shell form, exec form, heredocs; `sh -c "..."` included) into
//! commands and words as the shell does (quotes, escapes, `&&`, `;`, `|`) and reports:
//! - `curl -k` / `--insecure` / `--proxy-insecure`, including `k` inside combined short
//!   flags (`-fsSLk`), but not inside an option's argument (`-uk:pass`) or a URL;
//! - `wget --no-check-certificate` and `check_certificate = off` (`-e`, `.wgetrc`);
//! - `pip --trusted-host` (and `pip config set global.trusted-host`), `uv
//!   --allow-insecure-host`;
//! - `strict-ssl false` for npm, Yarn and pnpm (`npm config set strict-ssl false`,
//!   `--strict-ssl=false`, `--no-strict-ssl`), Yarn's `enableStrictSsl false`;
//! - `git config http.sslVerify false` and `git -c http.sslVerify=false`, `sslverify=0`
//!   for yum/dnf, `ssl_verify false` for conda, apt's `Acquire::https::Verify-Peer false`,
//!   Composer's `disable-tls true` / `secure-http false`, `insecure` written to `.curlrc`;
//! - `--insecure-skip-tls-verify` (kubectl, Helm), `--tls-verify=false` (Podman, Buildah,
//!   Skopeo), `--skip-tls-verify` (Kaniko), `--no-verify-ssl` (AWS CLI),
//!   `-SkipCertificateCheck` (PowerShell);
//! - variables that turn verification off set inline (`NODE_TLS_REJECT_UNAUTHORIZED=0 npm
//!   ci`, `export GIT_SSL_NO_VERIFY=1`).
//!
//! The finding points at the RUN instruction's arguments (or the heredoc body).
//!
//! ## Why is this bad?
//! A download without certificate verification accepts whoever answers: anyone on the path
//! (a proxy, the build network, DNS) can serve a different package or script, which then
//! runs in the build and ships in the image.
//!
//! ## Example
//! ```dockerfile
//! RUN curl -fsSLk https://example.com/install.sh | sh
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! COPY corporate-ca.crt /usr/local/share/ca-certificates/
//! RUN update-ca-certificates && curl -fsSL https://example.com/install.sh | sh
//! ```

use rampart_plugin_sdk::dockerfile;
use rampart_plugin_sdk::{Context, Document, Format, Node, Rule, Severity};

use crate::common::insecure_env;

pub const RULE: Rule = Rule {
    id: "tls/dockerfile-insecure-fetch",
    title: "Dockerfile downloads verify TLS certificates",
    severity: Severity::Medium,
    formats: &[Format::Dockerfile],
    rationale: "A build step that skips certificate verification downloads from whoever \
        answers: a compromised proxy, build network or DNS can substitute the package, script \
        or repository, and the substitute runs during the build and ships in the image.",
    remediation: "Remove the flag or setting (`-k`, `--no-check-certificate`, `--trusted-host`, \
        `strict-ssl false`, `http.sslVerify false`). If a private CA is the reason, trust it: \
        `COPY ca.crt /usr/local/share/ca-certificates/` then `RUN update-ca-certificates`, or \
        point the tool at it (`curl --cacert`, `pip --cert`, `npm config set cafile`, \
        `git config http.sslCAInfo`).",
    references: &["NIST SP 800-53 SC-8", "NIST SP 800-53 SI-7", "NIST SP 800-53 SR-11"],
    params: &[],
    check,
};

fn check(doc: &Document, cx: &mut Context) {
    for run in dockerfile::all(doc, "RUN") {
        let exec = run.get("form").and_then(Node::str) == Some("exec");
        let mut reported: Vec<(Node<'_>, String)> = Vec::new();
        for (node, script) in dockerfile::run_scripts(run) {
            let commands = if exec && node.key() == Some("arguments") {
                let words: Vec<String> = run
                    .get("exec")
                    .into_iter()
                    .flat_map(Node::items)
                    .filter_map(Node::str)
                    .map(str::to_owned)
                    .collect();
                vec![words]
            } else {
                split_commands(script)
            };
            let mut cursor = 0;
            for words in &commands {
                let mut problems = Vec::new();
                judge_command(words, 0, &mut problems);
                let start = words.first().and_then(|w| find_word(script, cursor, w));
                for problem in problems {
                    if reported.iter().any(|(n, p)| n.is(node) && *p == problem) {
                        continue;
                    }
                    let report = cx.report(node, problem.clone());
                    if let Some(range) = start.and_then(|s| culprit(script, s, words, &problem)) {
                        report.part(range);
                    }
                    reported.push((node, problem));
                }
                if let Some(start) = start {
                    cursor = start;
                }
            }
        }
    }
}

/// Where `word` is written as a whole word in `script`, at or after `from`: a byte offset.
/// Quotes or escapes inside the word (which the splitter removed) make it not found.
fn find_word(script: &str, from: usize, word: &str) -> Option<usize> {
    let is_boundary = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii_whitespace() || b";&|()`\"'=".contains(b));
    let mut at = from;
    while let Some(found) = script.get(at..)?.find(word) {
        let start = at + found;
        let end = start + word.len();
        let before = start.checked_sub(1).and_then(|i| script.as_bytes().get(i));
        if !word.is_empty() && is_boundary(before) && is_boundary(script.as_bytes().get(end)) {
            return Some(start);
        }
        at = start + word.len().max(1);
    }
    None
}

/// The part of the script a problem is about: the first word of the command, after its
/// program, that the message quotes (`-fsSLk`, `--insecure`, `strict-ssl`), else the program.
fn culprit(
    script: &str,
    command_start: usize,
    words: &[String],
    problem: &str,
) -> Option<std::ops::Range<usize>> {
    let quoted = words.iter().skip(1).filter(|w| w.len() >= 2 && problem.contains(w.as_str()));
    for word in quoted {
        if let Some(start) = find_word(script, command_start, word) {
            return Some(start..start + word.len());
        }
    }
    let program = words.first()?;
    Some(command_start..command_start + program.len())
}

/// Splits a shell script into simple commands (at `;`, `&`, `|`, newlines, parentheses and
/// backquotes outside quotes), each a list of words with quotes and escapes removed.
/// Comments are dropped. Good enough for flags; not a full shell parser.
fn split_commands(script: &str) -> Vec<Vec<String>> {
    let mut commands: Vec<Vec<String>> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let end_word = |words: &mut Vec<String>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(next) => {
                    word.push(next);
                    in_word = true;
                }
            },
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&e @ ('"' | '\\' | '$' | '`')) => {
                                word.push(e);
                                chars.next();
                            }
                            Some('\n') => {
                                chars.next();
                            }
                            _ => word.push('\\'),
                        },
                        _ => word.push(q),
                    }
                }
            }
            '#' if !in_word => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                end_word(&mut words, &mut word, &mut in_word);
                commands.push(std::mem::take(&mut words));
            }
            ';' | '&' | '|' | '\n' | '(' | ')' | '`' => {
                end_word(&mut words, &mut word, &mut in_word);
                if !words.is_empty() {
                    commands.push(std::mem::take(&mut words));
                }
            }
            '$' if chars.peek() == Some(&'(') => {
                end_word(&mut words, &mut word, &mut in_word);
                if !words.is_empty() {
                    commands.push(std::mem::take(&mut words));
                }
            }
            c if c.is_whitespace() => end_word(&mut words, &mut word, &mut in_word),
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    end_word(&mut words, &mut word, &mut in_word);
    if !words.is_empty() {
        commands.push(words);
    }
    commands.retain(|c| !c.is_empty());
    commands
}

/// `NAME=value` with a valid variable name.
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let mut bytes = name.bytes();
    let first = bytes.next()?;
    ((first.is_ascii_alphabetic() || first == b'_') && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some((name, value))
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// The position of the program a command runs, past variable assignments and wrappers
/// (`sudo`, `env`, `exec`, `xargs`, ...). Inline assignments are checked on the way.
fn program_index(words: &[String], problems: &mut Vec<String>) -> Option<usize> {
    let mut i = 0;
    while let Some(word) = words.get(i) {
        if let Some((name, value)) = assignment(word) {
            if let Some(why) = insecure_env(name, value) {
                problems.push(why);
            }
            i += 1;
            continue;
        }
        let with_argument: &[&str] = match basename(word) {
            "sudo" => &["-u", "-g", "-h", "-p", "-C", "-U", "-D", "-r", "-t"],
            "env" => &["-u", "-C", "-S"],
            "xargs" => &["-I", "-n", "-P", "-L", "-s", "-d", "-E", "-a"],
            "nice" => &["-n"],
            "timeout" => &["-s", "-k"],
            "exec" | "nohup" | "time" | "command" | "builtin" | "then" | "do" | "else" | "if" | "while"
            | "until" | "!" | "{" => &[],
            _ => return Some(i),
        };
        let wrapper = basename(word);
        i += 1;
        while let Some(option) = words.get(i) {
            if option.starts_with('-') && option.len() > 1 {
                i += if with_argument.contains(&option.as_str()) { 2 } else { 1 };
            } else {
                break;
            }
        }
        if wrapper == "timeout" {
            i += 1; // the duration
        }
    }
    None
}

fn judge_command(words: &[String], depth: usize, problems: &mut Vec<String>) {
    let Some(at) = program_index(words, problems) else { return };
    let Some(program_word) = words.get(at) else { return };
    let program = basename(program_word);
    let args = words.get(at + 1..).unwrap_or(&[]);

    // `sh -c "script"`: judge the script's commands too.
    if matches!(program, "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh")
        && let Some(pos) = args
            .iter()
            .position(|a| a == "-c" || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('c')))
        && let Some(script) = args.get(pos + 1)
        && depth < 4
    {
        for command in split_commands(script) {
            judge_command(&command, depth + 1, problems);
        }
    }
    if program == "export" {
        for (name, value) in args.iter().filter_map(|a| assignment(a)) {
            if let Some(why) = insecure_env(name, value) {
                problems.push(why);
            }
        }
    }
    if program == "curl" {
        curl(args, problems);
    }
    let pip = is_pip(program, args);
    for (i, arg) in args.iter().enumerate() {
        let lower = arg.to_ascii_lowercase();
        if pip
            && (lower == "--trusted-host"
                || lower.starts_with("--trusted-host=")
                || lower.ends_with(".trusted-host"))
        {
            let host = lower
                .split_once('=')
                .map(|(_, h)| h)
                .or_else(|| args.get(i + 1).map(String::as_str))
                .unwrap_or("");
            push(
                problems,
                format!(
                    "pip --trusted-host {host} lets pip download from that host over plain HTTP or without verifying its certificate"
                ),
            );
        }
        if program == "uv"
            && (lower == "--allow-insecure-host" || lower.starts_with("--allow-insecure-host="))
        {
            push(
                problems,
                "uv --allow-insecure-host skips certificate verification for that host".to_owned(),
            );
        }
        generic_flag(&lower, problems);
    }
    settings(words, problems);
}

fn push(problems: &mut Vec<String>, problem: String) {
    if !problems.contains(&problem) {
        problems.push(problem);
    }
}

/// `pip`, `pip3`, `pip3.12`, `python -m pip`, `uv pip`.
fn is_pip(program: &str, args: &[String]) -> bool {
    let is_pip_name =
        |w: &str| w.strip_prefix("pip").is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    is_pip_name(program)
        || (program.starts_with("python") && args.windows(2).any(|w| w[0] == "-m" && is_pip_name(&w[1])))
        || (program == "uv" && args.first().is_some_and(|a| a == "pip"))
}

/// curl's short options that take an argument (the rest of a combined flag is that
/// argument: `-uk:pass`).
const CURL_SHORT_WITH_ARGUMENT: &str = "AbcCdDeEFHKmoPQrtTuUwxXyYz";

/// curl's long options that take an argument, the common ones: their argument is skipped.
const CURL_LONG_WITH_ARGUMENT: &[&str] = &[
    "--header",
    "--output",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "--data-ascii",
    "--user",
    "--user-agent",
    "--request",
    "--url",
    "--form",
    "--form-string",
    "--cookie",
    "--cookie-jar",
    "--referer",
    "--proxy",
    "--proxy-user",
    "--cert",
    "--key",
    "--cacert",
    "--capath",
    "--max-time",
    "--connect-timeout",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--config",
    "--write-out",
    "--upload-file",
    "--range",
    "--output-dir",
    "--resolve",
    "--connect-to",
    "--interface",
    "--limit-rate",
    "--max-filesize",
    "--oauth2-bearer",
    "--json",
    "--variable",
    "--expand-url",
];

fn curl(args: &[String], problems: &mut Vec<String>) {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if arg == "--insecure" || arg == "--proxy-insecure" {
            push(
                problems,
                format!(
                    "curl {arg} turns off certificate verification: the download can be intercepted and replaced"
                ),
            );
        } else if arg.starts_with("--") {
            if CURL_LONG_WITH_ARGUMENT.contains(&arg.as_str()) {
                i += 1;
            }
        } else if let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) {
            let mut chars = cluster.chars().peekable();
            while let Some(c) = chars.next() {
                if c == 'k' {
                    let shown = if cluster.len() == 1 { "-k".to_owned() } else { format!("-k (in {arg})") };
                    push(
                        problems,
                        format!(
                            "curl {shown} turns off certificate verification: the download can be intercepted and replaced"
                        ),
                    );
                } else if CURL_SHORT_WITH_ARGUMENT.contains(c) {
                    if chars.peek().is_none() {
                        i += 1; // the argument is the next word
                    }
                    break;
                }
            }
        }
    }
}

/// Flags of other tools that turn verification off, wherever they appear.
fn generic_flag(lower: &str, problems: &mut Vec<String>) {
    let problem = match lower {
        "--insecure-skip-tls-verify" | "--insecure-skip-tls-verify=true" => {
            "--insecure-skip-tls-verify makes kubectl/Helm accept any server certificate"
        }
        "--tls-verify=false" => {
            "--tls-verify=false makes the image tool pull/push without verifying the registry's certificate"
        }
        "--skip-tls-verify"
        | "--skip-tls-verify=true"
        | "--skip-tls-verify-pull"
        | "--skip-tls-verify-pull=true" => {
            "--skip-tls-verify makes the image builder accept any registry certificate"
        }
        "--no-verify-ssl" => "--no-verify-ssl makes the AWS CLI accept any certificate",
        "-skipcertificatecheck" => "-SkipCertificateCheck makes PowerShell accept any certificate",
        _ => return,
    };
    push(problems, problem.to_owned());
}

/// Configuration keys that turn verification off, written as `key value`, `key=value`,
/// `key = value` or `--key=value` (also inside quoted config lines), and `--no-key`.
const SETTINGS: &[(&str, Bad, &str)] = &[
    ("strict-ssl", Bad::False, "npm/Yarn/pnpm strict-ssl false accepts any registry certificate"),
    ("enablestrictssl", Bad::False, "Yarn enableStrictSsl false accepts any registry certificate"),
    ("sslverify", Bad::False, "yum/dnf sslverify=0 accepts any repository certificate"),
    ("ssl_verify", Bad::False, "conda ssl_verify false accepts any channel certificate"),
    ("verify-peer", Bad::False, "apt Acquire::https::Verify-Peer false accepts any repository certificate"),
    (
        "verify-host",
        Bad::False,
        "apt Acquire::https::Verify-Host false accepts a certificate for any host name",
    ),
    (
        "check-certificate",
        Bad::False,
        "wget --no-check-certificate (check_certificate = off) accepts any certificate",
    ),
    (
        "check_certificate",
        Bad::False,
        "wget --no-check-certificate (check_certificate = off) accepts any certificate",
    ),
    ("secure-http", Bad::False, "Composer secure-http false allows package downloads over plain HTTP"),
    ("disable-tls", Bad::True, "Composer disable-tls true downloads packages without TLS"),
];

#[derive(Clone, Copy)]
enum Bad {
    False,
    True,
}

fn settings(words: &[String], problems: &mut Vec<String>) {
    // Quoted config lines (`echo 'Acquire::https::Verify-Peer "false";'`) hold several tokens.
    let tokens: Vec<&str> = words.iter().flat_map(|w| w.split_whitespace()).collect();
    for (i, token) in tokens.iter().enumerate() {
        let lower = token.to_ascii_lowercase();
        let bare = lower.trim_start_matches('-');
        for &(key, bad, problem) in SETTINGS {
            // `--no-strict-ssl`, `--no-check-certificate`.
            if matches!(bad, Bad::False) && bare.strip_prefix("no-") == Some(key) {
                push(problems, problem.to_owned());
                continue;
            }
            // `key=value` pairs inside the token (`--setopt=sslverify=0`).
            let parts: Vec<&str> = bare.split('=').collect();
            let mut hit = parts.windows(2).any(|w| key_matches(w[0], key) && is_bad(w[1], bad));
            if !hit && parts.len() == 1 && key_matches(bare, key) {
                // `key value` or `key = value`.
                let next = match tokens.get(i + 1) {
                    Some(&"=") => tokens.get(i + 2),
                    other => other,
                };
                hit = next.is_some_and(|v| is_bad(&v.to_ascii_lowercase(), bad));
            }
            if hit {
                let problem = if key == "sslverify" && bare.starts_with("http.") {
                    "git http.sslVerify false accepts any server certificate"
                } else {
                    problem
                };
                push(problems, problem.to_owned());
            }
        }
    }
    if tokens.iter().any(|t| t.contains(".curlrc"))
        && tokens.iter().any(|t| matches!(*t, "insecure" | "-k" | "--insecure"))
    {
        push(
            problems,
            "writing `insecure` to .curlrc makes every later curl accept any certificate".to_owned(),
        );
    }
}

/// `key`, `http.key`, `http.https://host/.key`, `acquire::https::key`, `-okey` forms.
fn key_matches(candidate: &str, key: &str) -> bool {
    let candidate = candidate.trim_matches(|c| c == '"' || c == '\'');
    candidate == key || candidate.ends_with(&format!(".{key}")) || candidate.ends_with(&format!("::{key}"))
}

fn is_bad(value: &str, bad: Bad) -> bool {
    let value = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == ';')
        .trim_matches(|c| c == '"' || c == '\'');
    match bad {
        Bad::False => matches!(value, "false" | "0" | "no" | "off"),
        Bad::True => matches!(value, "true" | "1" | "yes" | "on"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(script: &str) -> Vec<String> {
        let mut problems = Vec::new();
        for command in split_commands(script) {
            judge_command(&command, 0, &mut problems);
        }
        problems
    }

    #[test]
    fn insecure_fetches_are_found() {
        for script in [
            "curl -fsSLk https://x/install.sh | sh",
            "curl -k https://x",
            "curl --insecure https://x",
            "apt-get update && curl -sSk https://x -o /x",
            "sudo -u root curl -k https://x",
            "FOO=1 curl -Lk https://x",
            "sh -c 'curl -k https://x'",
            "bash -ec \"curl -k https://x\"",
            "wget --no-check-certificate https://x",
            "wget -e check_certificate=off https://x",
            "pip install --trusted-host pypi.x -r r.txt",
            "pip3.12 install --trusted-host=pypi.x app",
            "python -m pip install --trusted-host pypi.x app",
            "npm config set strict-ssl false",
            "npm install --strict-ssl=false",
            "yarn config set enableStrictSsl false",
            "git config --global http.sslVerify false",
            "git config --global http.https://git.x/.sslverify \"false\"",
            "git -c http.sslVerify=false clone https://x",
            "dnf --setopt=sslverify=0 install httpd",
            "echo 'sslverify=0' >> /etc/yum.conf",
            "echo 'Acquire::https::Verify-Peer \"false\";' > /etc/apt/apt.conf.d/99x",
            "apt-get -oAcquire::https::Verify-Peer=false update",
            "echo insecure >> ~/.curlrc",
            "composer config -g disable-tls true",
            "composer config -g secure-http false",
            "helm repo add x https://x --insecure-skip-tls-verify",
            "skopeo copy --tls-verify=false docker://a docker://b",
            "export NODE_TLS_REJECT_UNAUTHORIZED=0",
            "NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci",
            "curl -fsSL https://x | sudo -E bash - && curl -k https://y",
            "$(curl -k https://x)",
        ] {
            assert!(!problems(script).is_empty(), "not found in {script:?}");
        }
    }

    #[test]
    fn verified_fetches_are_not_reported() {
        for script in [
            "curl -fsSL https://x/install.sh | sh",
            "curl -fsSLo kubectl https://dl.k8s.io/kubectl",
            "curl -uk:pass https://x",
            "curl -H 'X: -k' https://x/-k",
            "curl --header -k https://x",
            "curl -o -k https://x",
            "curl -XPOST -dk=v https://x",
            "tar -xkf a.tar",
            "sort -k 2 file",
            "echo curl -k",
            "echo 'use curl -k only in tests'",
            "npm config set strict-ssl true",
            "git config --global http.sslVerify true",
            "pip install --index-url https://pypi.x/simple app",
            "wget -O - https://x | tar -xz",
            "kubectl --insecure-skip-tls-verify=false get pods",
            "# curl -k https://x\ncurl https://x",
            "NODE_TLS_REJECT_UNAUTHORIZED=1 npm ci",
        ] {
            assert!(problems(script).is_empty(), "reported for {script:?}: {:?}", problems(script));
        }
    }

    #[test]
    fn commands_are_split_like_the_shell() {
        assert_eq!(
            split_commands("a 'b c' \"d \\\"e\\\"\" && f\\\n  g; h # i\nj"),
            vec![
                vec!["a".to_owned(), "b c".to_owned(), "d \"e\"".to_owned()],
                vec!["f".to_owned(), "g".to_owned()],
                vec!["h".to_owned()],
                vec!["j".to_owned()],
            ]
        );
    }
}
