//! Deterministic mutations of text: the same seed gives the same inputs on every machine.
//!
//! Inputs stay valid UTF-8 (the CLI rejects anything else before a parser sees it), so every
//! edit lands on character boundaries. Besides byte-level noise, the mutations know what
//! breaks parsers: quotes and escapes, interpolation openers, YAML indicators, heredocs, line
//! structure (duplicated, dropped, swapped or re-indented lines, CRLF), a BOM, long repeats,
//! odd numbers, and nesting thousands of levels deep.

use std::ops::Range;

/// SplitMix64: tiny, fast, and the same sequence everywhere for a given seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound`; 0 when `bound` is 0.
    pub fn below(&mut self, bound: usize) -> usize {
        if bound == 0 { 0 } else { (self.next_u64() % bound as u64) as usize }
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// Mostly small, sometimes large: `1..=max`, log-uniformly distributed.
    pub fn size(&mut self, max: usize) -> usize {
        let bits = usize::BITS - max.max(1).leading_zeros();
        let ceiling = 1usize << self.below(bits as usize + 1);
        (1 + self.below(ceiling)).min(max.max(1))
    }
}

/// A construct that nests: `open` repeated, `inner`, `close` repeated. Inserted either in place
/// or as a line of its own, `line` first and `end` last (`ENV A=` ... `\n`).
#[derive(Clone, Copy, Debug)]
pub struct Nest {
    pub line: &'static str,
    pub open: &'static str,
    pub inner: &'static str,
    pub close: &'static str,
    pub end: &'static str,
}

impl Nest {
    pub const fn new(
        line: &'static str,
        open: &'static str,
        inner: &'static str,
        close: &'static str,
    ) -> Self {
        Nest { line, open, inner, close, end: "" }
    }
}

/// Tokens that matter to most of the formats; each target adds its own.
pub const COMMON_TOKENS: &[&str] = &[
    "\"",
    "'",
    "\\",
    "\\\\",
    "`",
    "$",
    "${",
    "}",
    "{{",
    "}}",
    "{",
    "[",
    "]",
    "(",
    ")",
    ":",
    ": ",
    "=",
    "- ",
    "#",
    "&a ",
    "*a",
    "<<EOT\n",
    "\nEOT\n",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "\0",
    "\u{feff}",
    "é",
    "€",
    "𝄞",
    "\u{85}",
    "\u{2028}",
    "\u{200b}",
    "\u{fffd}",
    "\u{7f}",
    "\u{1b}[31m",
    "%",
    "%{",
    "~",
    "!",
    "|",
    ">",
    "?",
    ",",
    ".",
    "*",
    "@",
    "/*",
    "*/",
    "//",
    "\\\n",
    "\\u0000",
    "\\x41",
    "\\U0001F600",
];

/// Characters inserted or substituted one at a time.
const CHARS: &[char] = &[
    '\0',
    '\t',
    '\n',
    '\r',
    '\u{b}',
    '\u{c}',
    ' ',
    '"',
    '\'',
    '\\',
    '$',
    '{',
    '}',
    '[',
    ']',
    ':',
    '-',
    '#',
    '=',
    '&',
    '*',
    '!',
    '|',
    '>',
    '%',
    '@',
    '`',
    ',',
    'a',
    'Z',
    '0',
    '9',
    '\u{a0}',
    'é',
    '€',
    '𝄞',
    '\u{feff}',
    '\u{85}',
    '\u{2028}',
    '\u{fffd}',
    '\u{10ffff}',
];

/// Numbers at the edges of what parsers convert.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "01",
    "0x",
    "0x1F",
    "0o17",
    "0b1",
    "1e309",
    "-1e309",
    "1e-400",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "9223372036854775808",
    "99999999999999999999999999999999",
    ".inf",
    "-.inf",
    ".nan",
    "NaN",
    "1_000",
    "1.",
    ".5",
    "+1",
    "0.0000000000000000000001",
];

/// Edits text with a seeded [`Rng`].
#[derive(Clone, Copy, Debug)]
pub struct Mutator<'t> {
    /// The target's own tokens (keywords, operators), tried more often than [`COMMON_TOKENS`].
    pub tokens: &'t [&'t str],
    pub nests: &'t [Nest],
    /// Longest text produced, in bytes.
    pub max_len: usize,
}

impl Mutator<'_> {
    /// `base` after one to four stacked edits; `other` is a second corpus entry for splicing.
    pub fn mutate(&self, rng: &mut Rng, base: &str, other: &str) -> String {
        let mut text = base.to_owned();
        for _ in 0..=rng.below(4) {
            self.edit(rng, &mut text, other);
            if text.len() > self.max_len {
                text.truncate(text.floor_char_boundary(self.max_len));
            }
        }
        text
    }

    fn edit(&self, rng: &mut Rng, text: &mut String, other: &str) {
        match rng.below(18) {
            0 => {
                let at = boundary(rng, text);
                text.insert(at, CHARS[rng.below(CHARS.len())]);
            }
            1 => {
                let chars = rng.size(64);
                let range = char_range(rng, text, chars);
                text.replace_range(range, "");
            }
            2 => {
                let range = char_range(rng, text, 1);
                let replacement = CHARS[rng.below(CHARS.len())].to_string();
                text.replace_range(range, &replacement);
            }
            3 => {
                // Splice: the start of one input, the end of another.
                let cut = boundary(rng, text);
                let from = boundary(rng, other);
                text.truncate(cut);
                text.push_str(&other[from..]);
            }
            4 => {
                let lines = lines(text);
                if let (Some(line), Some(to)) = (rng.pick(&lines).cloned(), rng.pick(&lines).cloned()) {
                    let copy = text[line].to_owned();
                    text.insert_str(to.start, &copy);
                }
            }
            5 => {
                if let Some(line) = rng.pick(&lines(text)).cloned() {
                    text.replace_range(line, "");
                }
            }
            6 => swap_lines(rng, text),
            7 => {
                let cut = boundary(rng, text);
                text.truncate(cut);
            }
            8..=10 => {
                let token = if rng.one_in(4) || self.tokens.is_empty() {
                    COMMON_TOKENS[rng.below(COMMON_TOKENS.len())]
                } else {
                    self.tokens[rng.below(self.tokens.len())]
                };
                let at = boundary(rng, text);
                text.insert_str(at, token);
            }
            11 => self.nest(rng, text),
            12 => reindent(rng, text),
            13 => {
                if rng.one_in(2) {
                    text.insert(0, '\u{feff}');
                } else {
                    *text = text.replace("\r\n", "\n").replace('\n', "\r\n");
                }
            }
            14 => {
                // A chunk repeated many times: quadratic work shows up as a hang.
                let chars = rng.size(32);
                let chunk = char_range(rng, text, chars);
                let copy = text[chunk.clone()].repeat(rng.size(2000));
                if text.len() + copy.len() <= self.max_len {
                    text.insert_str(chunk.end, &copy);
                }
            }
            15 => {
                let at = boundary(rng, text);
                text.insert_str(at, NUMBERS[rng.below(NUMBERS.len())]);
            }
            16 => {
                // A line of the other input, in this one.
                let theirs = lines(other);
                let ours = lines(text);
                if let Some(line) = rng.pick(&theirs).cloned() {
                    let at = rng.pick(&ours).map_or(text.len(), |r| r.start);
                    text.insert_str(at, &other[line]);
                }
            }
            _ => {
                let chars = rng.size(8);
                let range = char_range(rng, text, chars);
                let token = self.tokens.get(rng.below(self.tokens.len())).copied().unwrap_or("");
                text.replace_range(range, token);
            }
        }
    }

    /// Inserts a nesting thousands of levels deep (sometimes unclosed), in place or as a line.
    fn nest(&self, rng: &mut Rng, text: &mut String) {
        let Some(nest) = rng.pick(self.nests) else {
            return;
        };
        let per_level = (nest.open.len() + nest.close.len()).max(1);
        let room = self.max_len.saturating_sub(text.len()) / per_level;
        let depth = rng.size(room.min(20_000));
        let closed = !rng.one_in(5);
        let mut piece = String::with_capacity(depth * per_level + nest.line.len() + 8);
        let as_line = rng.one_in(2);
        if as_line {
            piece.push_str(nest.line);
        }
        for _ in 0..depth {
            piece.push_str(nest.open);
        }
        piece.push_str(nest.inner);
        if closed {
            for _ in 0..depth {
                piece.push_str(nest.close);
            }
        }
        if as_line {
            piece.push_str(nest.end);
            piece.push('\n');
            let at = rng.pick(&lines(text)).map_or(text.len(), |r| r.start);
            text.insert_str(at, &piece);
        } else {
            let at = boundary(rng, text);
            text.insert_str(at, &piece);
        }
    }
}

/// A random character boundary of `text` (its end included).
fn boundary(rng: &mut Rng, text: &str) -> usize {
    text.floor_char_boundary(rng.below(text.len() + 1))
}

/// A range of up to `chars` characters starting at a random boundary.
fn char_range(rng: &mut Rng, text: &str, chars: usize) -> Range<usize> {
    let start = boundary(rng, text);
    let end = text[start..].char_indices().nth(chars).map_or(text.len(), |(i, _)| start + i);
    start..end
}

/// The byte ranges of the lines of `text`, each with its line break.
fn lines(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        ranges.push(start..i + 1);
        start = i + 1;
    }
    if start < text.len() {
        ranges.push(start..text.len());
    }
    ranges
}

fn swap_lines(rng: &mut Rng, text: &mut String) {
    let lines = lines(text);
    let (Some(a), Some(b)) = (rng.pick(&lines).cloned(), rng.pick(&lines).cloned()) else {
        return;
    };
    let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
    if first == second {
        return;
    }
    let swapped = [&text[second.clone()], &text[first.end..second.start], &text[first.clone()]].concat();
    text.replace_range(first.start..second.end, &swapped);
}

/// Adds or removes indentation on one line (what YAML's structure hangs on).
fn reindent(rng: &mut Rng, text: &mut String) {
    let Some(line) = rng.pick(&lines(text)).cloned() else {
        return;
    };
    if rng.one_in(2) {
        let indent = ["  ", " ", "\t", "    ", "        "][rng.below(5)];
        text.insert_str(line.start, indent);
    } else {
        let blank = text[line.clone()].bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
        let removed = blank.min(1 + rng.below(4));
        text.replace_range(line.start..line.start + removed, "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let mutator = Mutator {
            tokens: &["FROM ", "${"],
            nests: &[Nest::new("ENV A=", "${A:-", "x", "}")],
            max_len: 4096,
        };
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..500)
                .map(|_| mutator.mutate(&mut rng, "FROM alpine\nUSER é\n", "ENV A=1\n"))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let inputs = run(7);
        assert!(inputs.iter().all(|i| i.len() <= 4096));
        assert!(
            inputs.iter().filter(|i| *i != "FROM alpine\nUSER é\n").count() > 400,
            "mutations change the text"
        );
        assert!(inputs.iter().any(|i| i.contains("${A:-${A:-${A:-")), "deep nesting is generated");
    }

    #[test]
    fn sizes_are_mostly_small_and_within_the_bound() {
        let mut rng = Rng::new(1);
        let sizes: Vec<usize> = (0..10_000).map(|_| rng.size(20_000)).collect();
        assert!(sizes.iter().all(|s| (1..=20_000).contains(s)));
        assert!(sizes.iter().filter(|s| **s <= 16).count() > 2_000);
        assert!(sizes.iter().any(|s| *s > 5_000));
    }

    #[test]
    fn lines_keep_their_breaks_and_swaps_keep_the_text() {
        assert_eq!(lines("a\nb\nc"), [0..2, 2..4, 4..5]);
        let mut rng = Rng::new(3);
        for _ in 0..100 {
            let mut text = "one\ntwo\nthree\n".to_owned();
            swap_lines(&mut rng, &mut text);
            let mut sorted: Vec<&str> = text.lines().collect();
            sorted.sort_unstable();
            assert_eq!(sorted, ["one", "three", "two"]);
        }
    }
}
