//! Docker's processing of one shell word, as the builder applies it to the arguments of ADD,
//! COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR and ARG defaults:
//! `$VAR`, `${VAR}`, the `${VAR:-word}` family, the `#`, `%` and `/` pattern operators,
//! quote removal and the escape character. A variable whose value cannot be known makes the
//! whole word unknown: we never guess.

use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Val {
    Str(String),
    /// What the value depends on.
    Unknown(String),
}

pub(super) enum Lookup<'a> {
    Set(Cow<'a, str>),
    Unset,
    Unknown(Cow<'a, str>),
}

pub(super) trait Env {
    fn lookup(&self, name: &str) -> Lookup<'_>;
}

/// A syntax error, with its byte range in the word.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Error {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

pub(super) fn expand(word: &str, escape: u8, env: &dyn Env) -> Result<Val, Error> {
    let mut expander = Expander { s: word, pos: 0, escape, env, depth: 0 };
    let (out, _) = expander.word(&[], false)?;
    Ok(match out.unknown {
        Some(reason) => Val::Unknown(reason),
        None => Val::Str(out.text),
    })
}

#[derive(Default)]
struct Out {
    text: String,
    /// Set by the first unknown part; the text is meaningless from then on.
    unknown: Option<String>,
}

impl Out {
    fn push_str(&mut self, text: &str) {
        if self.unknown.is_some() {
            return;
        }
        if self.text.len() + text.len() > MAX_VALUE {
            self.taint(&format!("the value grows past {MAX_VALUE} bytes and is not evaluated"));
            return;
        }
        self.text.push_str(text);
    }

    fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    fn taint(&mut self, reason: &str) {
        if self.unknown.is_none() {
            self.unknown = Some(reason.to_owned());
        }
    }

    fn append(&mut self, other: &Out) {
        match &other.unknown {
            Some(reason) => self.taint(reason),
            None => self.push_str(&other.text),
        }
    }
}

/// Values are capped so that `ENV A=$A$A`, repeated, cannot grow without bound.
const MAX_VALUE: usize = 64 * 1024;

/// Steps a pattern operator may take (value length times pattern length, times the value
/// length again for `/`, which tries every start position).
const MAX_PATTERN_WORK: usize = 1 << 24;

/// `${a:-${b:-...}}` nested deeper than this is not expanded (each level is a recursion).
const MAX_NESTING: usize = 64;

struct Expander<'a> {
    s: &'a str,
    pos: usize,
    escape: u8,
    env: &'a dyn Env,
    /// How many `${` enclose the current position.
    depth: usize,
}

impl<'a> Expander<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.s.get(self.pos..)?.chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn error(&self, start: usize, end: usize, message: impl Into<String>) -> Error {
        Error { start, end: end.min(self.s.len()).max(start), message: message.into() }
    }

    fn missing_brace(&self, start: usize) -> Error {
        self.error(start, self.s.len(), "missing `}` in variable substitution")
    }

    /// Processes up to one of `stops` (consumed) or the end; true when a stop was found.
    /// `raw_escapes` keeps escape characters, for patterns that give them a meaning.
    fn word(&mut self, stops: &[u8], raw_escapes: bool) -> Result<(Out, bool), Error> {
        let mut out = Out::default();
        while let Some(b) = self.peek() {
            if stops.contains(&b) {
                self.pos += 1;
                return Ok((out, true));
            }
            match b {
                b'\'' => self.single_quote(&mut out)?,
                b'"' => self.double_quote(&mut out, raw_escapes)?,
                b'$' => self.dollar(&mut out)?,
                _ if b == self.escape => {
                    self.pos += 1;
                    if raw_escapes {
                        out.push(char::from(self.escape));
                    }
                    match self.next_char() {
                        Some(c) => out.push(c),
                        None => break,
                    }
                }
                _ => self.literal(&mut out, stops),
            }
        }
        Ok((out, false))
    }

    fn literal(&mut self, out: &mut Out, stops: &[u8]) {
        let bytes = self.s.as_bytes();
        let start = self.pos;
        let mut end = start;
        while let Some(&b) = bytes.get(end) {
            if matches!(b, b'\'' | b'"' | b'$') || b == self.escape || stops.contains(&b) {
                break;
            }
            end += 1;
        }
        out.push_str(self.s.get(start..end).unwrap_or(""));
        self.pos = end;
    }

    fn single_quote(&mut self, out: &mut Out) -> Result<(), Error> {
        let open = self.pos;
        let rest = self.s.get(open + 1..).unwrap_or("");
        let Some((inside, _)) = rest.split_once('\'') else {
            return Err(self.error(open, self.s.len(), "unterminated single quote"));
        };
        out.push_str(inside);
        self.pos = open + 1 + inside.len() + 1;
        Ok(())
    }

    fn double_quote(&mut self, out: &mut Out, raw_escapes: bool) -> Result<(), Error> {
        let open = self.pos;
        self.pos += 1;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error(open, self.s.len(), "unterminated double quote"));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                b'$' => self.dollar(out)?,
                _ if b == self.escape => {
                    self.pos += 1;
                    // Inside double quotes the escape only escapes `"`, `$` and itself.
                    match self.peek() {
                        Some(n) if n == b'"' || n == b'$' || n == self.escape => {
                            if raw_escapes {
                                out.push(char::from(self.escape));
                            }
                            out.push(char::from(n));
                            self.pos += 1;
                        }
                        Some(_) => out.push(char::from(self.escape)),
                        None => {}
                    }
                }
                _ => {
                    let bytes = self.s.as_bytes();
                    let start = self.pos;
                    let mut end = start;
                    while let Some(&c) = bytes.get(end) {
                        if c == b'"' || c == b'$' || c == self.escape {
                            break;
                        }
                        end += 1;
                    }
                    out.push_str(self.s.get(start..end).unwrap_or(""));
                    self.pos = end;
                }
            }
        }
    }

    /// A variable name at the cursor: a run of digits, one special parameter character, or
    /// letters, digits and underscores. Empty when none is there.
    fn name(&mut self) -> &'a str {
        let s: &'a str = self.s;
        let rest = s.get(self.pos..).unwrap_or("");
        let Some(first) = rest.chars().next() else {
            return "";
        };
        let len = if first.is_ascii_digit() {
            rest.bytes().take_while(u8::is_ascii_digit).count()
        } else if matches!(first, '@' | '*' | '#' | '?' | '-' | '$' | '!') {
            1
        } else if first.is_alphabetic() || first == '_' {
            rest.char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
                .map_or(rest.len(), |(i, _)| i)
        } else {
            0
        };
        self.pos += len;
        rest.get(..len).unwrap_or("")
    }

    fn lookup(&self, name: &str) -> Lookup<'a> {
        // Positional and special parameters are never set while building.
        let identifier = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_');
        if identifier { self.env.lookup(name) } else { Lookup::Unset }
    }

    fn put(&self, out: &mut Out, name: &str) {
        match self.lookup(name) {
            Lookup::Set(value) => out.push_str(&value),
            Lookup::Unset => {}
            Lookup::Unknown(reason) => out.taint(&reason),
        }
    }

    fn dollar(&mut self, out: &mut Out) -> Result<(), Error> {
        let start = self.pos;
        self.pos += 1;
        if self.peek() != Some(b'{') {
            let name = self.name();
            if name.is_empty() {
                out.push('$');
            } else {
                self.put(out, name);
            }
            return Ok(());
        }
        self.pos += 1;
        if self.depth >= MAX_NESTING {
            // Docker expands any depth; rampart says it does not know rather than recurse on.
            out.taint(&format!(
                "variable substitutions nested more than {MAX_NESTING} deep are not expanded"
            ));
            let mut level = 1usize;
            while let Some(c) = self.next_char() {
                match c {
                    '{' => level += 1,
                    '}' if level == 1 => return Ok(()),
                    '}' => level -= 1,
                    _ => {}
                }
            }
            return Err(self.missing_brace(start));
        }
        self.depth += 1;
        let result = self.braced(out, start);
        self.depth -= 1;
        result
    }

    /// The rest of `${...}` after the brace.
    fn braced(&mut self, out: &mut Out, start: usize) -> Result<(), Error> {
        match self.peek() {
            None => return Err(self.missing_brace(start)),
            Some(b'{' | b'}' | b':') => {
                return Err(self.error(start, self.pos + 1, "bad substitution"));
            }
            Some(_) => {}
        }
        let name = self.name();
        let Some(op) = self.next_char() else {
            return Err(self.missing_brace(start));
        };
        match op {
            '}' => {
                self.put(out, name);
                Ok(())
            }
            ':' | '-' | '+' | '?' | '#' | '%' => self.modifier(out, start, name, op),
            '/' => self.replace(out, start, name),
            _ => Err(self.error(
                start,
                self.pos,
                format!("unsupported modifier `{op}` in variable substitution"),
            )),
        }
    }

    /// `${name-word}`, `${name:-word}`, `+`, `?`, and the `#`/`%` pattern removals.
    fn modifier(&mut self, out: &mut Out, start: usize, name: &str, first: char) -> Result<(), Error> {
        let (colon, op) = if first == ':' {
            match self.next_char() {
                Some(op) => (true, op),
                None => return Err(self.missing_brace(start)),
            }
        } else {
            (false, first)
        };
        let is_pattern = op == '#' || op == '%';
        let (word, closed) = self.word(b"}", is_pattern)?;
        if !closed {
            return Err(self.missing_brace(start));
        }
        if !matches!(op, '-' | '+' | '?' | '#' | '%') {
            return Err(self.error(
                start,
                self.pos,
                format!("unsupported modifier `:{op}` in variable substitution"),
            ));
        }
        let var = self.lookup(name);
        let (set, value) = match &var {
            Lookup::Unknown(reason) => {
                out.taint(reason);
                return Ok(());
            }
            Lookup::Set(value) => (true, value.as_ref()),
            Lookup::Unset => (false, ""),
        };
        let empty = !set || (colon && value.is_empty());
        match op {
            '-' if empty => out.append(&word),
            '+' if !empty => out.append(&word),
            '+' => {}
            '?' if empty => {
                let colon = if colon { ":" } else { "" };
                out.taint(&format!("{name} is not set, so `${{{name}{colon}?}}` fails the build"));
            }
            '-' | '?' => out.push_str(value),
            _ => {
                if let Some(reason) = &word.unknown {
                    out.taint(reason);
                    return Ok(());
                }
                let (longest, pattern) = match word.text.strip_prefix(op) {
                    Some(pattern) => (true, pattern),
                    None => (false, word.text.as_str()),
                };
                let tokens = compile(pattern).map_err(|message| self.error(start, self.pos, message))?;
                if value.len().saturating_mul(tokens.len() + 1) > MAX_PATTERN_WORK {
                    out.taint(&too_much_work(name));
                    return Ok(());
                }
                let rest = if op == '#' {
                    trim_prefix(&tokens, value, longest)
                } else {
                    trim_suffix(&tokens, value, longest)
                };
                out.push_str(rest);
            }
        }
        Ok(())
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`.
    fn replace(&mut self, out: &mut Out, start: usize, name: &str) -> Result<(), Error> {
        let all = self.peek() == Some(b'/');
        if all {
            self.pos += 1;
        }
        let (pattern, closed) = self.word(b"/", true)?;
        if !closed {
            return Err(self.error(start, self.s.len(), "missing `/` in `${name/pattern/...}`"));
        }
        let (replacement, closed) = self.word(b"}", true)?;
        if !closed {
            return Err(self.missing_brace(start));
        }
        let tokens = compile(&pattern.text).map_err(|message| self.error(start, self.pos, message))?;
        let value = match self.lookup(name) {
            Lookup::Unknown(reason) => {
                out.taint(&reason);
                return Ok(());
            }
            Lookup::Set(value) => value,
            Lookup::Unset => Cow::Borrowed(""),
        };
        if let Some(reason) = pattern.unknown.as_ref().or(replacement.unknown.as_ref()) {
            out.taint(reason);
            return Ok(());
        }
        let work = value.len().saturating_mul(value.len()).saturating_mul(tokens.len() + 1);
        if work > MAX_PATTERN_WORK {
            out.taint(&too_much_work(name));
        } else {
            out.push_str(&replace(&tokens, &value, &replacement.text, all));
        }
        Ok(())
    }
}

fn too_much_work(name: &str) -> String {
    format!("a pattern operation on {name} is too large to evaluate")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Star,
    Any,
    Lit(char),
}

/// A shell pattern as BuildKit reads it: `*`, `?`, and backslash escapes of `*`, `?` and
/// `\`; `\}` and `\/` only get those characters past the enclosing `${...}`.
fn compile(pattern: &str) -> Result<Vec<Tok>, String> {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '*' => Tok::Star,
            '?' => Tok::Any,
            '\\' => match chars.peek().copied() {
                Some('}' | '/') => continue,
                Some(n @ ('*' | '?' | '\\')) => {
                    chars.next();
                    Tok::Lit(n)
                }
                Some(n) => return Err(format!("invalid escape `\\{n}` in pattern")),
                None => return Err("pattern ends with `\\`".to_owned()),
            },
            c => Tok::Lit(c),
        });
    }
    Ok(tokens)
}

fn close(tokens: &[Tok], states: &mut [bool]) {
    // Ascending order follows chains of stars in one pass: a star only adds later states.
    for (k, token) in tokens.iter().enumerate() {
        if *token == Tok::Star
            && states.get(k).copied().unwrap_or(false)
            && let Some(next) = states.get_mut(k + 1)
        {
            *next = true;
        }
    }
}

/// Runs the pattern, anchored, over `chars` (each paired with the offset just past it;
/// `start` is the offset before the first) and returns where the shortest or longest match
/// ends.
fn anchored(
    tokens: &[Tok],
    start: usize,
    chars: impl Iterator<Item = (usize, char)>,
    longest: bool,
) -> Option<usize> {
    let mut states = vec![false; tokens.len() + 1];
    let mut next = states.clone();
    if let Some(first) = states.first_mut() {
        *first = true;
    }
    close(tokens, &mut states);
    let accepting = |states: &[bool]| states.last().copied().unwrap_or(false);
    let mut best = accepting(&states).then_some(start);
    if best.is_some() && !longest {
        return best;
    }
    for (offset, c) in chars {
        next.fill(false);
        for (k, token) in tokens.iter().enumerate() {
            if !states.get(k).copied().unwrap_or(false) {
                continue;
            }
            let target = match token {
                Tok::Star => k,
                Tok::Any => k + 1,
                Tok::Lit(l) if *l == c => k + 1,
                Tok::Lit(_) => continue,
            };
            if let Some(state) = next.get_mut(target) {
                *state = true;
            }
        }
        close(tokens, &mut next);
        std::mem::swap(&mut states, &mut next);
        if !states.contains(&true) {
            break;
        }
        if accepting(&states) {
            best = Some(offset);
            if !longest {
                break;
            }
        }
    }
    best
}

fn trim_prefix<'v>(tokens: &[Tok], value: &'v str, longest: bool) -> &'v str {
    let chars = value.char_indices().map(|(i, c)| (i + c.len_utf8(), c));
    anchored(tokens, 0, chars, longest).and_then(|end| value.get(end..)).unwrap_or(value)
}

fn trim_suffix<'v>(tokens: &[Tok], value: &'v str, longest: bool) -> &'v str {
    let reversed: Vec<Tok> = tokens.iter().rev().copied().collect();
    let chars = value.char_indices().rev();
    anchored(&reversed, value.len(), chars, longest).and_then(|start| value.get(..start)).unwrap_or(value)
}

/// Replaces the leftmost longest match (or every match) of the pattern.
fn replace(tokens: &[Tok], value: &str, with: &str, all: bool) -> String {
    let mut out = String::new();
    let mut copied = 0;
    let mut last_end = None;
    let mut i = 0;
    loop {
        let rest = value.get(i..).unwrap_or("");
        let chars = rest.char_indices().map(|(j, c)| (i + j + c.len_utf8(), c));
        // Like Go's regexp, an empty match right after the previous match does not count.
        if let Some(end) = anchored(tokens, i, chars, true)
            && !(end == i && last_end == Some(i))
        {
            out.push_str(value.get(copied..i).unwrap_or(""));
            out.push_str(with);
            copied = end;
            last_end = Some(end);
            if !all {
                break;
            }
            if end > i {
                i = end;
                continue;
            }
        }
        match rest.chars().next() {
            Some(c) => i += c.len_utf8(),
            None => break,
        }
    }
    out.push_str(value.get(copied..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Vars(HashMap<&'static str, Option<&'static str>>);

    impl Env for Vars {
        fn lookup(&self, name: &str) -> Lookup<'_> {
            match self.0.get(name) {
                Some(Some(v)) => Lookup::Set(Cow::Borrowed(v)),
                Some(None) => Lookup::Unknown(Cow::Owned(format!("ARG {name} has no default value"))),
                None => Lookup::Unset,
            }
        }
    }

    fn vars() -> Vars {
        Vars(HashMap::from([
            ("A", Some("alpha")),
            ("EMPTY", Some("")),
            ("PATHS", Some("/usr/local/bin:/usr/bin:/bin")),
            ("FILE", Some("archive.tar.gz")),
            ("U", None),
        ]))
    }

    fn ex(word: &str) -> Val {
        expand(word, b'\\', &vars()).unwrap()
    }

    fn s(text: &str) -> Val {
        Val::Str(text.to_owned())
    }

    #[test]
    fn variables_quotes_and_escapes() {
        assert_eq!(ex("$A"), s("alpha"));
        assert_eq!(ex("${A}-x"), s("alpha-x"));
        assert_eq!(ex("$A$NOPE.$"), s("alpha.$"));
        assert_eq!(ex(r"\$A"), s("$A"));
        assert_eq!(ex(r#""$A b" '$A' c\ d"#), s("alpha b $A c d"));
        assert_eq!(ex(r#""a\"b\x""#), s(r#"a"b\x"#));
        assert_eq!(ex("$1$@x"), s("x"));
        assert_eq!(expand("`$A", b'`', &vars()).unwrap(), s("$A"));
    }

    #[test]
    fn defaults_and_alternatives() {
        assert_eq!(ex("${NOPE:-root}"), s("root"));
        assert_eq!(ex("${EMPTY:-root}"), s("root"));
        assert_eq!(ex("${EMPTY-root}"), s(""));
        assert_eq!(ex("${A:-root}"), s("alpha"));
        assert_eq!(ex("${A:+set}|${NOPE+set}|${EMPTY+set}"), s("set||set"));
        assert_eq!(ex("${NOPE:-${A}x}"), s("alphax"));
        assert_eq!(ex("${A:?must}"), s("alpha"));
        assert!(matches!(ex("${NOPE:?must}"), Val::Unknown(_)));
    }

    #[test]
    fn unknown_variables_make_the_word_unknown() {
        assert_eq!(ex("/home/$U"), Val::Unknown("ARG U has no default value".into()));
        assert!(matches!(ex("${U:-root}"), Val::Unknown(_)));
        assert_eq!(ex("${A:-$U}"), s("alpha"), "the unused default does not matter");
        assert!(matches!(ex("${NOPE:-$U}"), Val::Unknown(_)));
    }

    #[test]
    fn pattern_operators() {
        assert_eq!(ex("${FILE#*.}"), s("tar.gz"));
        assert_eq!(ex("${FILE##*.}"), s("gz"));
        assert_eq!(ex("${FILE%.*}"), s("archive.tar"));
        assert_eq!(ex("${FILE%%.*}"), s("archive"));
        assert_eq!(ex("${FILE#nomatch}"), s("archive.tar.gz"));
        assert_eq!(ex("${PATHS/bin/sbin}"), s("/usr/local/sbin:/usr/bin:/bin"));
        assert_eq!(ex("${PATHS//bin/X}"), s("/usr/local/X:/usr/X:/X"));
        assert_eq!(ex(r"${PATHS//\//-}"), s("-usr-local-bin:-usr-bin:-bin"));
        assert_eq!(ex("${A//?/.}"), s("....."));
        assert_eq!(ex("${A/#/x}"), s("alpha"), "`#` is a literal here");
    }

    #[test]
    fn values_are_capped() {
        let big = "x".repeat(MAX_VALUE / 2 + 1);
        let vars = Vars(HashMap::from([("B", Some(big.leak() as &str))]));
        assert_eq!(expand("$B", b'\\', &vars).unwrap(), Val::Str("x".repeat(MAX_VALUE / 2 + 1)));
        assert!(matches!(expand("$B$B", b'\\', &vars).unwrap(), Val::Unknown(r) if r.contains("grows")));
        let replaced = expand("${B//x/y}", b'\\', &vars).unwrap();
        assert!(matches!(replaced, Val::Unknown(r) if r.contains("too large")));
    }

    #[test]
    fn deep_nesting_is_unknown_not_a_stack_overflow() {
        // A set variable does not need its default: the nesting inside it does not matter.
        let deep_default = format!("{}x{}", "${A:-".repeat(10_000), "}".repeat(10_000));
        assert_eq!(ex(&deep_default), s("alpha"));
        let deep = format!("{}x{}", "${UNSET:-".repeat(10_000), "}".repeat(10_000));
        match ex(&deep) {
            Val::Unknown(reason) => assert!(reason.contains("nested more than 64 deep"), "{reason}"),
            other @ Val::Str(_) => panic!("expected unknown, got {other:?}"),
        }
        let shallow = format!("{}x{}", "${UNSET:-".repeat(60), "}".repeat(60));
        assert_eq!(ex(&shallow), s("x"));
        let unclosed = format!("{}x", "${A:-".repeat(100));
        assert!(expand(&unclosed, b'\\', &vars()).is_err());
    }

    #[test]
    fn syntax_errors_have_ranges() {
        let err = |word: &str| expand(word, b'\\', &vars()).unwrap_err();
        assert_eq!(err("a ${}").start, 2);
        assert_eq!(err("${A").message, "missing `}` in variable substitution");
        assert_eq!(err("x 'abc"), Error { start: 2, end: 6, message: "unterminated single quote".into() });
        assert!(err("\"abc").message.contains("double quote"));
        assert!(err("${A!x}").message.contains("unsupported"));
        assert!(err("${A:x}").message.contains("unsupported"));
        assert!(err(r"${A#\x}").message.contains("invalid escape"));
    }
}
