//! The Terraform functions rampart evaluates; any other function is unknown. Each follows
//! Terraform's documented behaviour for known arguments; an unknown argument makes the result
//! unknown, and an argument Terraform would reject makes it an error (an unknown with
//! `error: true`).
//!
//! Some functions stay unknown on purpose: those whose result depends on the machine, the
//! clock, randomness or files (`timestamp`, `uuid`, `bcrypt`, `file`, `templatefile`,
//! `fileexists`, ...), regular expressions (`regex`, `regexall`, `replace` with `/re/`), which
//! would need a regex engine, `md5` and `sha1`, for which no implementation is in the
//! dependency tree, and `type`, which only the console prints.
//!
//! Every function stays bounded on hostile arguments: a result that can grow beyond its
//! arguments (`range`, `setproduct`, `transpose`, `indent`, `replace`, `formatlist`) is sized
//! before it is built, and [`call`] charges each result's weight to the module's budget.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use hcl_edit::expr::Expression;
use sha2::{Digest as _, Sha256, Sha512};

use super::eval::{Evaluator, MAX_STRING, budget_spent, first_unknown_of, index_value};
use super::value::{Unknown, Value, ValueKind, equal, number_text};

/// How deep `jsondecode` builds values (serde_json stops at 128 anyway).
const MAX_JSON_DEPTH: usize = 64;
/// Terraform's own limit on the length of `range`.
const MAX_RANGE: u32 = 1024;
/// Results that could grow far beyond their arguments (`setproduct`, `transpose`) are unknown
/// beyond this weight (see `Value::weight`), before they are built. Terraform has no such
/// limit, but no real configuration comes near it.
const MAX_RESULT_WEIGHT: usize = 1 << 20;
/// Numbers are `f64`: integers beyond 2^53 are not exact, and Terraform's are.
const MAX_EXACT: u64 = 1 << 53;

pub(crate) fn call(ev: &mut Evaluator<'_>, name: &str, args: &[&Expression]) -> Value {
    // `try` and `can` look at their arguments one at a time; every other function needs all.
    match name {
        "try" => return try_(ev, args),
        "can" => return can(ev, args),
        _ => {}
    }
    if !KNOWN.contains(&name) {
        return Value::unknown(format!("function {name} is not evaluated"));
    }
    let values: Vec<Value> = args.iter().map(|a| ev.arg(a)).collect();
    let result = if name == "jsonencode" { jsonencode(values) } else { eager(name, &values) };
    if ev.charge_value(&result) { result } else { budget_spent() }
}

const KNOWN: &[&str] = &[
    // Conversions and structure.
    "lookup",
    "merge",
    "concat",
    "tostring",
    "tonumber",
    "tobool",
    "tolist",
    "toset",
    "tomap",
    "coalesce",
    "coalescelist",
    "length",
    "contains",
    "keys",
    "values",
    "element",
    "sensitive",
    "nonsensitive",
    "jsonencode",
    "jsondecode",
    // Strings.
    "format",
    "formatlist",
    "join",
    "split",
    "lower",
    "upper",
    "title",
    "replace",
    "substr",
    "trimspace",
    "trim",
    "trimprefix",
    "trimsuffix",
    "startswith",
    "endswith",
    "strcontains",
    "chomp",
    "indent",
    "strrev",
    "base64encode",
    "base64decode",
    "urlencode",
    "sha256",
    "sha512",
    "base64sha256",
    "base64sha512",
    // Collections.
    "range",
    "flatten",
    "distinct",
    "compact",
    "zipmap",
    "reverse",
    "sort",
    "slice",
    "index",
    "one",
    "chunklist",
    "transpose",
    "matchkeys",
    "setunion",
    "setintersection",
    "setsubtract",
    "setproduct",
    "sum",
    "alltrue",
    "anytrue",
    // Numbers.
    "min",
    "max",
    "abs",
    "ceil",
    "floor",
    "pow",
    "signum",
    "log",
    "parseint",
    // Networks.
    "cidrsubnet",
    "cidrsubnets",
    "cidrhost",
    "cidrnetmask",
];

/// Functions that inspect only the top level of their arguments: nested unknowns pass through
/// (`length([1, aws_x.id])` is 2). The others need every argument fully known.
const SHALLOW: &[&str] = &[
    "lookup",
    "merge",
    "concat",
    "tolist",
    "tomap",
    "length",
    "keys",
    "values",
    "element",
    "sensitive",
    "nonsensitive",
    "formatlist",
    "flatten",
    "zipmap",
    "reverse",
    "slice",
    "index",
    "one",
    "chunklist",
    "setproduct",
    "alltrue",
    "anytrue",
];

fn try_(ev: &mut Evaluator<'_>, args: &[&Expression]) -> Value {
    for arg in args {
        let value = ev.arg(arg);
        match value.first_unknown() {
            Some(Unknown { error: true, .. }) => {}
            // Terraform cannot tell yet whether this argument will fail: the result is unknown.
            Some(unknown) => return Value::new(ValueKind::Unknown(unknown.clone())),
            None => return value,
        }
    }
    Value::error("no argument of try could be evaluated without an error")
}

fn can(ev: &mut Evaluator<'_>, args: &[&Expression]) -> Value {
    let [arg] = args else { return arity("can", 1) };
    let value = ev.arg(arg);
    match value.first_unknown() {
        Some(Unknown { error: true, .. }) => Value::new(ValueKind::Bool(false)),
        Some(unknown) => Value::new(ValueKind::Unknown(unknown.clone())),
        None => Value::new(ValueKind::Bool(true)),
    }
}

fn arity(name: &str, n: usize) -> Value {
    Value::error(format!("{name} takes {n} argument{}", if n == 1 { "" } else { "s" }))
}

/// `jsonencode` keeps its argument as the structure the document shows (`decoded`), even when
/// the text is unknown because a part of the argument is.
fn jsonencode(mut values: Vec<Value>) -> Value {
    let (Some(v), true) = (values.pop(), values.is_empty()) else { return arity("jsonencode", 1) };
    let mut result = if let Some(unknown) = first_error(&v).or_else(|| v.first_unknown()) {
        Value::new(ValueKind::Unknown(unknown.clone()))
    } else {
        let mut out = String::new();
        flat(json_encode(&v, &mut out).map(|()| text(out)))
    };
    result.decoded = Some(Box::new(v));
    result
}

/// The first error anywhere inside: what Terraform reports before anything merely unknown.
fn first_error(v: &Value) -> Option<&Unknown> {
    match &v.kind {
        ValueKind::Unknown(unknown) if unknown.error => Some(unknown),
        ValueKind::List(items) => items.iter().find_map(first_error),
        ValueKind::Object(entries) => entries.iter().find_map(|(_, v)| first_error(v)),
        _ => None,
    }
}

fn eager(name: &str, args: &[Value]) -> Value {
    // These two return their first usable argument: a later unknown does not matter.
    match name {
        "coalesce" => return coalesce(args),
        "coalescelist" => return coalescelist(args),
        _ => {}
    }
    let unknown = if SHALLOW.contains(&name) {
        args.iter().find(|a| a.is_unknown())
    } else {
        args.iter().find(|a| a.first_unknown().is_some())
    };
    if let Some(u) = unknown {
        return first_unknown_of(u, u);
    }
    structural(name, args)
        .or_else(|| string_function(name, args))
        .or_else(|| text_function(name, args))
        .or_else(|| collection_function(name, args))
        .or_else(|| number_function(name, args))
        .or_else(|| network_function(name, args))
        .unwrap_or_else(|| Value::error(format!("{name}: wrong number of arguments ({})", args.len())))
}

// ---------------------------------------------------------------------------------------------
// Conversions and structure

fn structural(name: &str, args: &[Value]) -> Option<Value> {
    Some(match (name, args) {
        ("lookup", [map, key]) => lookup(map, key, None),
        ("lookup", [map, key, default]) => lookup(map, key, Some(default)),
        ("lookup", _) => Value::error("lookup takes 2 or 3 arguments"),
        ("merge", _) => merge(args),
        ("concat", _) => concat(args),
        ("tostring", [v]) => match &v.kind {
            ValueKind::Null => v.clone(),
            _ => to_string(v).map_or_else(|e| e, Value::string),
        },
        ("tonumber", [v]) => match &v.kind {
            ValueKind::Null => v.clone(),
            _ => to_number(v).map_or_else(|e| e, |n| Value::new(ValueKind::Number(n))),
        },
        ("tobool", [v]) => match &v.kind {
            ValueKind::Null | ValueKind::Bool(_) => v.clone(),
            ValueKind::String(s) if s == "true" => Value::new(ValueKind::Bool(true)),
            ValueKind::String(s) if s == "false" => Value::new(ValueKind::Bool(false)),
            _ => Value::error(format!("cannot convert {} to bool", describe(v))),
        },
        ("tolist", [v]) => match &v.kind {
            ValueKind::List(_) | ValueKind::Null => v.clone(),
            _ => Value::error(format!("cannot convert a {} to a list", v.type_name())),
        },
        ("tomap", [v]) => match &v.kind {
            ValueKind::Object(_) | ValueKind::Null => v.clone(),
            _ => Value::error(format!("cannot convert a {} to a map", v.type_name())),
        },
        ("toset", [v]) => match &v.kind {
            ValueKind::List(items) => flat(set_of(items)),
            ValueKind::Null => v.clone(),
            _ => Value::error(format!("cannot convert a {} to a set", v.type_name())),
        },
        ("length", [v]) => match &v.kind {
            ValueKind::String(s) => number(s.chars().count()),
            ValueKind::List(items) => number(items.len()),
            ValueKind::Object(entries) => number(entries.len()),
            _ => Value::error(format!("length of a {} is not defined", v.type_name())),
        },
        ("contains", [list, item]) => match &list.kind {
            ValueKind::List(items) => {
                let mut result = Some(false);
                for candidate in items {
                    match equal(candidate, item) {
                        Some(true) => return Some(Value::new(ValueKind::Bool(true))),
                        Some(false) => {}
                        None => result = None,
                    }
                }
                result.map_or_else(|| first_unknown_of(list, item), |b| Value::new(ValueKind::Bool(b)))
            }
            _ => Value::error(format!("contains needs a list, not a {}", list.type_name())),
        },
        ("keys" | "values", [map]) => match &map.kind {
            ValueKind::Object(entries) => {
                let mut sorted: Vec<&(String, Value)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                let items = sorted
                    .into_iter()
                    .map(|(k, v)| if name == "keys" { Value::string(k.clone()) } else { v.clone() })
                    .collect();
                list(items)
            }
            _ => Value::error(format!("{name} needs a map, not a {}", map.type_name())),
        },
        ("element", [list, index]) => match (&list.kind, to_number(index)) {
            (ValueKind::List(items), Ok(n)) if !items.is_empty() => match to_index(n) {
                Some(i) => index_value(list.clone(), &number(i % items.len())),
                None => Value::error("element: the index must be a whole number of at least 0"),
            },
            (ValueKind::List(_), Ok(_)) => Value::error("element: cannot use element on an empty list"),
            (_, Err(e)) => e,
            _ => Value::error(format!("element needs a list, not a {}", list.type_name())),
        },
        // Sensitivity is a mark on values, which the document does not carry.
        ("sensitive" | "nonsensitive", [v]) => v.clone(),
        ("jsondecode", [v]) => match to_string(v) {
            Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(json) => from_json(&json, 0),
                Err(e) => Value::error(format!("jsondecode: {e}")),
            },
            Err(e) => e,
        },
        _ => return None,
    })
}

fn number(n: usize) -> Value {
    Value::new(ValueKind::Number(f64::from(u32::try_from(n).unwrap_or(u32::MAX))))
}

fn list(items: Vec<Value>) -> Value {
    Value::new(ValueKind::List(items))
}

fn boolean(b: bool) -> Value {
    Value::new(ValueKind::Bool(b))
}

/// A generated string, unknown beyond [`MAX_STRING`] as everywhere else.
fn text(s: String) -> Value {
    if s.len() > MAX_STRING { too_large() } else { Value::string(s) }
}

fn too_large() -> Value {
    Value::unknown("the string is too large to evaluate")
}

/// Folds a fallible result into a value (errors and unknowns are values too).
fn flat(result: Result<Value, Value>) -> Value {
    result.unwrap_or_else(|e| e)
}

/// A whole, non-negative number as an index.
pub(crate) fn to_index(n: f64) -> Option<usize> {
    if n.fract() == 0.0 && (0.0..4_294_967_296.0).contains(&n) {
        usize::try_from(n as i64).ok()
    } else {
        None
    }
}

/// A whole number, as Terraform converts a number argument to a Go integer.
fn whole(v: &Value, what: &str) -> Result<i64, Value> {
    let n = to_number(v)?;
    if n.fract() == 0.0 && n.abs() < 9.2e18 {
        Ok(n as i64)
    } else {
        Err(Value::error(format!("{what} must be a whole number")))
    }
}

/// A whole number that must be exact: Terraform computes with arbitrary precision.
fn exact(v: &Value, what: &str) -> Result<i64, Value> {
    let n = whole(v, what)?;
    if n.unsigned_abs() > MAX_EXACT {
        return Err(Value::unknown(format!("{what} is too large to evaluate exactly")));
    }
    Ok(n)
}

fn describe(v: &Value) -> String {
    match &v.kind {
        ValueKind::String(s) => format!("{:?}", s.chars().take(40).collect::<String>()),
        _ => format!("a {}", v.type_name()),
    }
}

/// Terraform's conversion to string: strings, numbers and bools; anything else is an error.
pub(crate) fn to_string(v: &Value) -> Result<String, Value> {
    match &v.kind {
        ValueKind::String(s) => Ok(s.clone()),
        ValueKind::Number(n) => Ok(number_text(*n)),
        ValueKind::Bool(b) => Ok(b.to_string()),
        ValueKind::Unknown(u) => Err(Value::new(ValueKind::Unknown(u.clone()))),
        ValueKind::Null => Err(Value::error("a null value cannot be used as a string")),
        _ => Err(Value::error(format!("a {} cannot be used as a string", v.type_name()))),
    }
}

/// Terraform's conversion to number: numbers and strings that spell one.
pub(crate) fn to_number(v: &Value) -> Result<f64, Value> {
    match &v.kind {
        ValueKind::Number(n) => Ok(*n),
        ValueKind::String(s) => match s.trim().parse::<f64>() {
            Ok(n) if n.is_finite() && !s.trim().is_empty() => Ok(n),
            _ => Err(Value::error(format!("cannot convert {} to a number", describe(v)))),
        },
        ValueKind::Unknown(u) => Err(Value::new(ValueKind::Unknown(u.clone()))),
        _ => Err(Value::error(format!("a {} cannot be used as a number", v.type_name()))),
    }
}

/// An element converted to a string as Terraform converts a list to `list(string)`, keeping
/// the place it was written.
fn string_element(item: &Value, name: &str) -> Result<Value, Value> {
    match &item.kind {
        ValueKind::String(_) => Ok(item.clone()),
        ValueKind::Null => Err(Value::error(format!("{name}: the list has a null element"))),
        _ => {
            let mut converted = item.clone();
            converted.kind = ValueKind::String(to_string(item)?);
            Ok(converted)
        }
    }
}

fn items_of<'a>(v: &'a Value, name: &str) -> Result<&'a [Value], Value> {
    match &v.kind {
        ValueKind::List(items) => Ok(items),
        _ => Err(Value::error(format!("{name} needs a list, not a {}", v.type_name()))),
    }
}

fn lookup(map: &Value, key: &Value, default: Option<&Value>) -> Value {
    let key = match to_string(key) {
        Ok(k) => k,
        Err(e) => return e,
    };
    match &map.kind {
        ValueKind::Object(_) => match (map.get(&key), default) {
            (Some(v), _) | (None, Some(v)) => v.clone(),
            (None, None) => Value::error(format!("lookup: the map has no key {key:?}")),
        },
        _ => Value::error(format!("lookup needs a map, not a {}", map.type_name())),
    }
}

/// Object entries with an index by key, so that building a large object stays linear.
#[derive(Default)]
struct Entries {
    entries: Vec<(String, Value)>,
    index: HashMap<String, usize>,
}

impl Entries {
    /// Adds or replaces an entry, keeping the first position (as HCL's object constructor).
    fn insert(&mut self, key: String, value: Value) {
        if let Some(slot) = self.index.get(&key).and_then(|&i| self.entries.get_mut(i)) {
            slot.1 = value;
        } else {
            self.index.insert(key.clone(), self.entries.len());
            self.entries.push((key, value));
        }
    }

    fn into_value(self) -> Value {
        Value::new(ValueKind::Object(self.entries))
    }
}

fn merge(args: &[Value]) -> Value {
    let mut entries = Entries::default();
    for arg in args {
        match &arg.kind {
            ValueKind::Null => {}
            ValueKind::Object(more) => {
                for (k, v) in more {
                    entries.insert(k.clone(), v.clone());
                }
            }
            _ => return Value::error(format!("merge needs maps, not a {}", arg.type_name())),
        }
    }
    entries.into_value()
}

fn concat(args: &[Value]) -> Value {
    let mut items = Vec::new();
    for arg in args {
        match &arg.kind {
            ValueKind::List(more) => items.extend(more.iter().cloned()),
            _ => return Value::error(format!("concat needs lists, not a {}", arg.type_name())),
        }
    }
    list(items)
}

/// The first argument that is neither null nor an empty string; an unknown before it makes
/// the result unknown.
fn coalesce(args: &[Value]) -> Value {
    for arg in args {
        match &arg.kind {
            ValueKind::Unknown(u) => return Value::new(ValueKind::Unknown(u.clone())),
            ValueKind::Null => {}
            ValueKind::String(s) if s.is_empty() => {}
            _ => return arg.clone(),
        }
    }
    Value::error("coalesce: no non-null, non-empty argument")
}

/// The first non-empty list; an unknown before it makes the result unknown.
fn coalescelist(args: &[Value]) -> Value {
    if args.is_empty() {
        return Value::error("coalescelist: at least one argument is required");
    }
    for arg in args {
        match &arg.kind {
            ValueKind::Unknown(u) => return Value::new(ValueKind::Unknown(u.clone())),
            ValueKind::List(items) if items.is_empty() => {}
            ValueKind::List(_) => return arg.clone(),
            _ => {
                return Value::error(format!(
                    "coalescelist arguments must be lists or tuples, not a {}",
                    arg.type_name()
                ));
            }
        }
    }
    Value::error("coalescelist: no non-empty list argument")
}

// ---------------------------------------------------------------------------------------------
// Strings

/// Functions of strings only: every argument is converted to a string first.
fn string_function(name: &str, args: &[Value]) -> Option<Value> {
    let count = match name {
        "lower" | "upper" | "title" | "trimspace" | "chomp" | "strrev" | "base64encode" | "base64decode"
        | "urlencode" | "sha256" | "sha512" | "base64sha256" | "base64sha512" => 1,
        "trim" | "trimprefix" | "trimsuffix" | "startswith" | "endswith" | "strcontains" | "split" => 2,
        "replace" => 3,
        _ => return None,
    };
    if args.len() != count {
        return Some(arity(name, count));
    }
    let mut texts = Vec::with_capacity(count);
    for arg in args {
        match to_string(arg) {
            Ok(t) => texts.push(t),
            Err(e) => return Some(e),
        }
    }
    Some(match (name, texts.as_slice()) {
        ("lower", [s]) => text(s.to_lowercase()),
        ("upper", [s]) => text(s.to_uppercase()),
        ("title", [s]) => text(title(s)),
        ("trimspace", [s]) => Value::string(s.trim()),
        ("chomp", [s]) => Value::string(s.trim_end_matches(['\r', '\n'])),
        ("strrev", [s]) => Value::string(s.chars().rev().collect::<String>()),
        ("base64encode", [s]) => base64_encode(s.as_bytes()),
        ("base64decode", [s]) => match base64_decode(s).map(String::from_utf8) {
            Some(Ok(decoded)) => Value::string(decoded),
            Some(Err(_)) => {
                Value::error("base64decode: the result of decoding the provided string is not valid UTF-8")
            }
            None => Value::error(format!(
                "base64decode: failed to decode base64 data {:?}",
                s.chars().take(40).collect::<String>()
            )),
        },
        ("urlencode", [s]) => urlencode(s),
        ("sha256", [s]) => Value::string(hex(&Sha256::digest(s.as_bytes()))),
        ("sha512", [s]) => Value::string(hex(&Sha512::digest(s.as_bytes()))),
        ("base64sha256", [s]) => base64_encode(&Sha256::digest(s.as_bytes())),
        ("base64sha512", [s]) => base64_encode(&Sha512::digest(s.as_bytes())),
        ("trim", [s, cutset]) => {
            // A set, so that a long cutset does not make trimming quadratic.
            let cut: HashSet<char> = cutset.chars().collect();
            Value::string(s.trim_matches(|c| cut.contains(&c)))
        }
        ("trimprefix", [s, prefix]) => Value::string(s.strip_prefix(prefix.as_str()).unwrap_or(s)),
        ("trimsuffix", [s, suffix]) => Value::string(s.strip_suffix(suffix.as_str()).unwrap_or(s)),
        ("startswith", [s, prefix]) => boolean(s.starts_with(prefix.as_str())),
        ("endswith", [s, suffix]) => boolean(s.ends_with(suffix.as_str())),
        ("strcontains", [s, part]) => boolean(s.contains(part.as_str())),
        ("split", [sep, s]) => split(sep, s),
        ("replace", [s, pattern, replacement]) => replace(s, pattern, replacement),
        _ => return None,
    })
}

/// String functions whose arguments are not all strings.
fn text_function(name: &str, args: &[Value]) -> Option<Value> {
    Some(match (name, args) {
        ("format", [spec, rest @ ..]) => match to_string(spec) {
            Ok(spec) => format(&spec, &rest.iter().collect::<Vec<_>>()),
            Err(e) => e,
        },
        ("format", []) => Value::error("format needs a format string"),
        ("formatlist", [spec, rest @ ..]) => flat(formatlist(spec, rest)),
        ("formatlist", []) => Value::error("formatlist needs a format string"),
        ("join", [sep, lists @ ..]) => join(sep, lists),
        ("substr", [s, offset, length]) => flat(substr(s, offset, length)),
        ("indent", [spaces, s]) => flat(indent(spaces, s)),
        _ => return None,
    })
}

fn split(sep: &str, text: &str) -> Value {
    if text.is_empty() {
        list(Vec::new())
    } else if sep.is_empty() {
        list(text.chars().map(|c| Value::string(c.to_string())).collect())
    } else {
        list(text.split(sep).map(Value::string).collect())
    }
}

fn join(sep: &Value, lists: &[Value]) -> Value {
    let sep = match to_string(sep) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let mut parts = Vec::new();
    for list in lists {
        let ValueKind::List(items) = &list.kind else {
            return Value::error(format!("join needs lists, not a {}", list.type_name()));
        };
        for item in items {
            match to_string(item) {
                Ok(s) => parts.push(s),
                Err(e) => return e,
            }
        }
    }
    text(parts.join(&sep))
}

/// Plain substring replacement (Go's `strings.Replace`: an empty pattern matches before every
/// character and at the end), sized before it is built.
fn replace(s: &str, pattern: &str, replacement: &str) -> Value {
    if pattern.len() > 1 && pattern.starts_with('/') && pattern.ends_with('/') {
        return Value::unknown("replace with a regular expression is not evaluated");
    }
    let count = if pattern.is_empty() { s.chars().count() + 1 } else { s.matches(pattern).count() };
    let size = s
        .len()
        .saturating_sub(count.saturating_mul(pattern.len()))
        .saturating_add(count.saturating_mul(replacement.len()));
    if size > MAX_STRING {
        return too_large();
    }
    Value::string(s.replace(pattern, replacement))
}

/// `substr` counts characters; a negative offset counts from the end, a negative length takes
/// the rest.
fn substr(s: &Value, offset: &Value, length: &Value) -> Result<Value, Value> {
    let s = to_string(s)?;
    let mut offset = whole(offset, "substr: the offset")?;
    let length = whole(length, "substr: the length")?;
    if length == 0 {
        return Ok(Value::string(""));
    }
    if offset < 0 {
        let count = i64::try_from(s.chars().count()).unwrap_or(i64::MAX);
        // An offset before the start starts at the start, as in Terraform.
        offset = offset.saturating_add(count).max(0);
    }
    let start = usize::try_from(offset).unwrap_or(usize::MAX);
    let rest = match s.char_indices().nth(start) {
        Some((at, _)) => s.get(at..).unwrap_or(""),
        None => "",
    };
    let taken = match usize::try_from(length) {
        Ok(n) => match rest.char_indices().nth(n) {
            Some((at, _)) => rest.get(..at).unwrap_or(rest),
            None => rest,
        },
        Err(_) => rest,
    };
    Ok(Value::string(taken))
}

/// `indent` pads every line but the first; the size is checked before the padding is made.
fn indent(spaces: &Value, s: &Value) -> Result<Value, Value> {
    let spaces = whole(spaces, "indent: the number of spaces")?;
    let s = to_string(s)?;
    let Ok(spaces) = usize::try_from(spaces) else {
        return Err(Value::error("indent: the number of spaces must not be negative"));
    };
    let lines = s.matches('\n').count();
    if lines == 0 {
        return Ok(Value::string(s));
    }
    if s.len().saturating_add(lines.saturating_mul(spaces)) > MAX_STRING {
        return Ok(too_large());
    }
    let pad = format!("\n{}", " ".repeat(spaces));
    Ok(Value::string(s.replace('\n', &pad)))
}

/// Go's `strings.Title`: the first letter of every word in upper case.
fn title(s: &str) -> String {
    // Go's word separators: ASCII other than letters, digits and `_`; beyond ASCII, spaces.
    let separator = |c: char| {
        if c.is_ascii() { !(c.is_ascii_alphanumeric() || c == '_') } else { c.is_whitespace() }
    };
    let mut out = String::with_capacity(s.len());
    let mut previous = ' ';
    for c in s.chars() {
        if separator(previous) {
            // Go maps one character to one: `ß` stays `ß`.
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(u), None) => out.push(u),
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
        previous = c;
    }
    out
}

/// `formatlist`: one `format` per element of the list arguments (which must have one
/// length); other arguments are repeated. An element with an unknown part is unknown.
fn formatlist(spec: &Value, args: &[Value]) -> Result<Value, Value> {
    let spec = to_string(spec)?;
    let mut rows: Option<(usize, usize)> = None;
    for (i, arg) in args.iter().enumerate() {
        if let ValueKind::List(items) = &arg.kind {
            match rows {
                None => rows = Some((items.len(), i)),
                Some((len, first)) if len != items.len() => {
                    return Err(Value::error(format!(
                        "formatlist: argument {} has length {}, which is inconsistent with argument {} of length {len}",
                        i + 2,
                        items.len(),
                        first + 2
                    )));
                }
                Some(_) => {}
            }
        }
    }
    let count = rows.map_or(1, |(len, _)| len);
    let mut out = Vec::with_capacity(count);
    let mut size = 0usize;
    for row in 0..count {
        let row_args: Vec<&Value> = args
            .iter()
            .map(|arg| match &arg.kind {
                ValueKind::List(items) => items.get(row).unwrap_or(arg),
                _ => arg,
            })
            .collect();
        if let Some(unknown) = row_args.iter().find_map(|a| a.first_unknown()) {
            out.push(Value::new(ValueKind::Unknown(unknown.clone())));
            continue;
        }
        let formatted = format(&spec, &row_args);
        match &formatted.kind {
            ValueKind::Unknown(Unknown { error: true, reason }) => {
                return Err(Value::error(format!("formatlist: error on format iteration {row}: {reason}")));
            }
            ValueKind::String(s) => size = size.saturating_add(s.len()),
            _ => {}
        }
        if size > MAX_STRING {
            return Ok(too_large());
        }
        out.push(formatted);
    }
    Ok(list(out))
}

/// `format` with Terraform's common verbs: `%s %d %v %q %t %f %%`, optional width and precision
/// (width capped); other verbs are not evaluated.
fn format(spec: &str, args: &[&Value]) -> Value {
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek().filter(|f| matches!(f, '-' | '+' | '#' | ' ' | '0')) {
            flags.push(f);
            chars.next();
        }
        let mut width = 0usize;
        while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
            width = (width * 10 + d as usize).min(1000);
            chars.next();
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = 0usize;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                p = (p * 10 + d as usize).min(100);
                chars.next();
            }
            precision = Some(p);
        }
        let Some(verb) = chars.next() else {
            return Value::error("format: the format string ends in the middle of a verb");
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(&arg) = args.get(next) else {
            return Value::error("format: not enough arguments for the format string");
        };
        next += 1;
        let text = match verb {
            's' => match to_string(arg) {
                Ok(s) => s,
                Err(e) => return e,
            },
            'v' => match &arg.kind {
                ValueKind::String(_) | ValueKind::Number(_) | ValueKind::Bool(_) => {
                    to_string(arg).unwrap_or_default()
                }
                _ => {
                    let mut json = String::new();
                    if let Err(e) = json_encode(arg, &mut json) {
                        return e;
                    }
                    json
                }
            },
            'q' => match to_string(arg) {
                Ok(s) => serde_json::to_string(&s).unwrap_or_default(),
                Err(e) => return e,
            },
            't' => match &arg.kind {
                ValueKind::Bool(b) => b.to_string(),
                _ => return Value::error("format: %t needs a bool"),
            },
            'd' => match to_number(arg) {
                Ok(n) if n.fract() == 0.0 => number_text(n),
                Ok(_) => return Value::error("format: %d needs a whole number"),
                Err(e) => return e,
            },
            'f' => match to_number(arg) {
                Ok(n) => format!("{n:.*}", precision.unwrap_or(6)),
                Err(e) => return e,
            },
            other => return Value::unknown(format!("format verb %{other} is not evaluated")),
        };
        let pad = width.saturating_sub(text.chars().count());
        let fill = if flags.contains('0') && !flags.contains('-') { '0' } else { ' ' };
        if flags.contains('-') {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(fill, pad));
            out.push_str(&text);
        }
        if out.len() > MAX_STRING {
            return too_large();
        }
    }
    if next < args.len() {
        return Value::error("format: too many arguments for the format string");
    }
    Value::string(out)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn base64_encode(bytes: &[u8]) -> Value {
    if bytes.len().div_ceil(3).saturating_mul(4) > MAX_STRING {
        return too_large();
    }
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[(group >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    Value::string(out)
}

/// Standard base64 as Go's decoder reads it: padding required, line breaks ignored.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| -> Option<u32> {
        match b {
            b'A'..=b'Z' => Some(u32::from(b - b'A')),
            b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let bytes: Vec<u8> = text.bytes().filter(|b| !matches!(b, b'\r' | b'\n')).collect();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let groups = bytes.len() / 4;
    let mut out = Vec::with_capacity(groups * 3);
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let padding = chunk.iter().rev().take_while(|&&b| b == b'=').count();
        if padding > 2 || (padding > 0 && i + 1 != groups) {
            return None;
        }
        let mut group = 0u32;
        for &b in chunk.iter().take(4 - padding) {
            group = (group << 6) | digit(b)?;
        }
        group <<= 6 * padding as u32;
        let decoded = group.to_be_bytes();
        out.extend_from_slice(decoded.get(1..4 - padding).unwrap_or_default());
    }
    Some(out)
}

/// Go's `url.QueryEscape`, as Terraform's `urlencode`.
fn urlencode(s: &str) -> Value {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
    let size = s.bytes().map(|b| if plain(b) || b == b' ' { 1 } else { 3 }).sum::<usize>();
    if size > MAX_STRING {
        return too_large();
    }
    let mut out = String::with_capacity(size);
    for b in s.bytes() {
        if plain(b) {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    Value::string(out)
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Collections

fn collection_function(name: &str, args: &[Value]) -> Option<Value> {
    Some(match (name, args) {
        ("range", [_] | [_, _] | [_, _, _]) => flat(range(args)),
        ("flatten", [list]) => flat(flatten(list)),
        ("distinct", [list]) => flat(items_of(list, name).and_then(|items| distinct(items).map(self::list))),
        ("compact", [list]) => flat(compact(list)),
        ("zipmap", [keys, values]) => flat(zipmap(keys, values)),
        ("reverse", [list]) => match &list.kind {
            ValueKind::List(items) => self::list(items.iter().rev().cloned().collect()),
            _ => Value::error(format!("reverse: can only reverse lists, not a {}", list.type_name())),
        },
        ("sort", [list]) => flat(sort(list)),
        ("slice", [list, start, end]) => flat(slice(list, start, end)),
        ("index", [list, value]) => index(list, value),
        ("one", [list]) => match &list.kind {
            ValueKind::List(items) if items.is_empty() => Value::new(ValueKind::Null),
            ValueKind::List(items) if items.len() == 1 => {
                items.first().cloned().unwrap_or_else(|| list.clone())
            }
            _ => Value::error("one: must be a list, set, or tuple value with either zero or one elements"),
        },
        ("chunklist", [list, size]) => flat(chunklist(list, size)),
        ("transpose", [map]) => flat(transpose(map)),
        ("matchkeys", [values, keys, searchset]) => flat(matchkeys(values, keys, searchset)),
        ("setunion" | "setintersection", [_, ..]) | ("setsubtract", [_, _]) => {
            flat(set_operation(name, args))
        }
        ("setproduct", _) => flat(setproduct(args)),
        ("sum", [list]) => flat(sum(list)),
        ("alltrue" | "anytrue", [list]) => flat(all_or_any(name, list)),
        _ => return None,
    })
}

/// `range(end)`, `range(start, end)`, `range(start, end, step)`; more than 1024 values is an
/// error, as in Terraform.
fn range(args: &[Value]) -> Result<Value, Value> {
    let numbers = args.iter().map(to_number).collect::<Result<Vec<f64>, Value>>()?;
    let (start, end, step) = match *numbers.as_slice() {
        [end] => (0.0, end, if end < 0.0 { -1.0 } else { 1.0 }),
        [start, end] => (start, end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (start, end, step),
        _ => return Err(Value::error("range takes 1, 2 or 3 arguments")),
    };
    if step == 0.0 {
        return Err(Value::error("range: step must not be zero"));
    }
    if step < 0.0 && end > start {
        return Err(Value::error("range: end must be less than start when step is negative"));
    }
    if step > 0.0 && end < start {
        return Err(Value::error("range: end must be greater than start when step is positive"));
    }
    // Terraform's numbers are decimal-exact: `range(0, 1, 0.1)` reaches 0.3, not
    // 0.30000000000000004. Stepping in whole multiples of a power of ten does the same.
    let scale = decimal_scale(&[start, step]);
    let at = |i: u32| match scale {
        Some(s) => ((start * s).round() + f64::from(i) * (step * s).round()) / s,
        None => start + f64::from(i) * step,
    };
    let mut out = Vec::new();
    for i in 0..=MAX_RANGE {
        let n = at(i);
        if (step > 0.0 && n >= end) || (step < 0.0 && n <= end) {
            return Ok(list(out));
        }
        if i == MAX_RANGE {
            break;
        }
        out.push(Value::new(ValueKind::Number(n)));
    }
    Err(Value::error(
        "range: more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
    ))
}

/// The smallest power of ten (up to 10^9) that makes every number whole and small enough to
/// step exactly.
fn decimal_scale(numbers: &[f64]) -> Option<f64> {
    let mut scale = 1.0;
    for _ in 0..10 {
        let fits = numbers.iter().all(|&n| {
            let scaled = n * scale;
            n == 0.0
                || (scaled.round() != 0.0
                    && scaled.abs() < 1e12
                    && (scaled - scaled.round()).abs() <= 1e-9 * scaled.abs())
        });
        if fits {
            return Some(scale);
        }
        scale *= 10.0;
    }
    None
}

/// Lists inside lists are spliced in, to any depth; maps stay as they are.
fn flatten(list: &Value) -> Result<Value, Value> {
    fn into(items: &[Value], out: &mut Vec<Value>) -> Result<(), Value> {
        for item in items {
            match &item.kind {
                ValueKind::List(inner) => into(inner, out)?,
                // It may be a list whose elements Terraform would splice in.
                ValueKind::Unknown(u) => return Err(Value::new(ValueKind::Unknown(u.clone()))),
                _ => out.push(item.clone()),
            }
        }
        Ok(())
    }
    let items = items_of(list, "flatten")?;
    let mut out = Vec::new();
    into(items, &mut out)?;
    Ok(self::list(out))
}

/// The key two values share when Terraform's set of them holds one: primitives compare as the
/// strings Terraform would unify them to (`1` and `"1"`), other values by their JSON text.
fn set_key(v: &Value) -> Result<String, Value> {
    Ok(match &v.kind {
        ValueKind::String(s) => format!("s{s}"),
        ValueKind::Number(n) => format!("s{}", number_text(*n)),
        ValueKind::Bool(b) => format!("s{b}"),
        ValueKind::Null => "n".to_owned(),
        _ => {
            let mut json = String::from("j");
            json_encode(v, &mut json)?;
            json
        }
    })
}

/// The items without duplicates, first occurrence kept.
fn distinct<'a>(items: impl IntoIterator<Item = &'a Value>) -> Result<Vec<Value>, Value> {
    let mut seen = HashSet::new();
    let mut unique = Vec::new();
    for item in items {
        if seen.insert(set_key(item)?) {
            unique.push(item.clone());
        }
    }
    Ok(unique)
}

/// A set as Terraform orders it: strings lexically, numbers by value, anything else in the
/// order given.
fn set_of<'a>(items: impl IntoIterator<Item = &'a Value>) -> Result<Value, Value> {
    let mut unique = distinct(items)?;
    let number_of = |v: &Value| if let ValueKind::Number(n) = v.kind { n } else { 0.0 };
    if unique.iter().all(|u| u.as_str().is_some()) {
        unique.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if unique.iter().all(|u| matches!(u.kind, ValueKind::Number(_))) {
        unique.sort_by(|a, b| number_of(a).total_cmp(&number_of(b)));
    }
    Ok(list(unique))
}

fn set_operation(name: &str, args: &[Value]) -> Result<Value, Value> {
    let lists = args.iter().map(|a| items_of(a, name)).collect::<Result<Vec<_>, Value>>()?;
    let keys = |items: &[Value]| items.iter().map(set_key).collect::<Result<HashSet<String>, Value>>();
    let Some((first, rest)) = lists.split_first() else {
        return Err(arity(name, 1));
    };
    match name {
        "setunion" => set_of(lists.iter().flat_map(|items| items.iter())),
        "setintersection" => {
            let others = rest.iter().map(|items| keys(items)).collect::<Result<Vec<_>, Value>>()?;
            let mut kept = Vec::new();
            for item in *first {
                let key = set_key(item)?;
                if others.iter().all(|o| o.contains(&key)) {
                    kept.push(item);
                }
            }
            set_of(kept)
        }
        _ => {
            let removed = rest.first().map_or_else(|| Ok(HashSet::new()), |items| keys(items))?;
            let mut kept = Vec::new();
            for item in *first {
                if !removed.contains(&set_key(item)?) {
                    kept.push(item);
                }
            }
            set_of(kept)
        }
    }
}

/// Every combination of one element of each list, in order; sized before it is built.
fn setproduct(args: &[Value]) -> Result<Value, Value> {
    if args.len() < 2 {
        return Err(Value::error("setproduct: at least two arguments are required"));
    }
    let lists = args.iter().map(|a| items_of(a, "setproduct")).collect::<Result<Vec<_>, Value>>()?;
    if lists.iter().any(|l| l.is_empty()) {
        return Ok(list(Vec::new()));
    }
    let too_large = || Value::unknown("setproduct: the product is too large to evaluate");
    let mut total = 1usize;
    for items in &lists {
        total = total.checked_mul(items.len()).filter(|&t| t <= MAX_RESULT_WEIGHT).ok_or_else(too_large)?;
    }
    // Each element of list i appears total / len(i) times.
    let mut weight = total;
    for items in &lists {
        let sum = items.iter().fold(0usize, |s, v| s.saturating_add(v.weight()));
        weight = weight.saturating_add((total / items.len()).saturating_mul(sum));
    }
    if weight > MAX_RESULT_WEIGHT {
        return Err(too_large());
    }
    let mut out = Vec::with_capacity(total);
    let mut position = vec![0usize; lists.len()];
    for _ in 0..total {
        let tuple = lists.iter().zip(&position).filter_map(|(items, &p)| items.get(p).cloned()).collect();
        out.push(list(tuple));
        for (p, items) in position.iter_mut().zip(&lists).rev() {
            *p += 1;
            if *p < items.len() {
                break;
            }
            *p = 0;
        }
    }
    Ok(list(out))
}

fn compact(list: &Value) -> Result<Value, Value> {
    let mut out = Vec::new();
    for item in items_of(list, "compact")? {
        if matches!(item.kind, ValueKind::Null) {
            continue;
        }
        let s = string_element(item, "compact")?;
        if s.as_str() != Some("") {
            out.push(s);
        }
    }
    Ok(self::list(out))
}

/// Strings in lexical (byte) order; numbers and bools are sorted as their strings, as
/// Terraform converts the list to `list(string)`.
fn sort(list: &Value) -> Result<Value, Value> {
    let mut out = items_of(list, "sort")?
        .iter()
        .map(|item| string_element(item, "sort"))
        .collect::<Result<Vec<_>, Value>>()?;
    out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    Ok(self::list(out))
}

fn zipmap(keys: &Value, values: &Value) -> Result<Value, Value> {
    let keys = items_of(keys, "zipmap")?;
    let values = items_of(values, "zipmap")?;
    if keys.len() != values.len() {
        return Err(Value::error(format!(
            "zipmap: number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    let mut entries = Entries::default();
    for (i, (key, value)) in keys.iter().zip(values).enumerate() {
        if matches!(key.kind, ValueKind::Null) {
            return Err(Value::error(format!("zipmap: keys list has null value at index {i}")));
        }
        // A key given twice takes the later value.
        entries.insert(to_string(key)?, value.clone());
    }
    Ok(entries.into_value())
}

fn slice(list: &Value, start: &Value, end: &Value) -> Result<Value, Value> {
    let items = items_of(list, "slice")?;
    let (start, end) = (whole(start, "slice: the start index")?, whole(end, "slice: the end index")?);
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let error = |what: &str| Err(Value::error(format!("slice: {what}")));
    if start < 0 {
        return error("start index must not be less than zero");
    }
    if start > len {
        return error("start index must not be greater than the length of the list");
    }
    if end < 0 {
        return error("end index must not be less than zero");
    }
    if end > len {
        return error("end index must not be greater than the length of the list");
    }
    if start > end {
        return error("start index must not be greater than end index");
    }
    let range = usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0);
    Ok(self::list(items.get(range).unwrap_or_default().to_vec()))
}

fn index(list: &Value, value: &Value) -> Value {
    let ValueKind::List(items) = &list.kind else {
        return Value::error(format!("index needs a list, not a {}", list.type_name()));
    };
    if items.is_empty() {
        return Value::error("index: cannot search an empty list");
    }
    for (i, item) in items.iter().enumerate() {
        match equal(item, value) {
            Some(true) => return number(i),
            Some(false) => {}
            None => return first_unknown_of(item, value),
        }
    }
    Value::error("index: item not found")
}

fn chunklist(list: &Value, size: &Value) -> Result<Value, Value> {
    let items = items_of(list, "chunklist")?;
    if items.is_empty() {
        return Ok(self::list(Vec::new()));
    }
    let size = whole(size, "chunklist: the size")?;
    match usize::try_from(size) {
        Err(_) => Err(Value::error("chunklist: the size argument must be positive")),
        Ok(0) => Ok(self::list(vec![list.clone()])),
        Ok(size) => Ok(self::list(items.chunks(size).map(|chunk| self::list(chunk.to_vec())).collect())),
    }
}

/// A map of lists of strings turned inside out: keys and lists sorted, as Terraform's maps.
fn transpose(map: &Value) -> Result<Value, Value> {
    let ValueKind::Object(entries) = &map.kind else {
        return Err(Value::error(format!("transpose needs a map of lists, not a {}", map.type_name())));
    };
    let not_lists = || Value::error("transpose: input must be a map of lists of strings");
    // Every key is copied once per element: a long key in many lists must not explode.
    let mut weight = 0usize;
    for (key, value) in entries {
        let ValueKind::List(items) = &value.kind else { return Err(not_lists()) };
        weight = weight.saturating_add(items.len().saturating_mul(2 + key.len() / 16));
    }
    if weight > MAX_RESULT_WEIGHT {
        return Err(Value::unknown("transpose: the result is too large to evaluate"));
    }
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in entries {
        for item in items_of(value, "transpose")? {
            if !matches!(item.kind, ValueKind::String(_) | ValueKind::Number(_) | ValueKind::Bool(_)) {
                return Err(not_lists());
            }
            out.entry(to_string(item)?).or_default().push(key.clone());
        }
    }
    let mut out: Vec<(String, Vec<String>)> = out.into_iter().collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Value::new(ValueKind::Object(
        out.into_iter()
            .map(|(key, mut keys)| {
                keys.sort();
                (key, list(keys.into_iter().map(Value::string).collect()))
            })
            .collect(),
    )))
}

fn matchkeys(values: &Value, keys: &Value, searchset: &Value) -> Result<Value, Value> {
    let values = items_of(values, "matchkeys")?;
    let keys = items_of(keys, "matchkeys")?;
    let searchset = items_of(searchset, "matchkeys")?;
    if values.len() != keys.len() {
        return Err(Value::error("matchkeys: length of keys and values should be equal"));
    }
    let wanted = searchset.iter().map(set_key).collect::<Result<HashSet<String>, Value>>()?;
    let mut out = Vec::new();
    for (value, key) in values.iter().zip(keys) {
        if wanted.contains(&set_key(key)?) {
            out.push(value.clone());
        }
    }
    Ok(list(out))
}

fn sum(list: &Value) -> Result<Value, Value> {
    let items = items_of(list, "sum")?;
    if items.is_empty() {
        return Err(Value::error("sum: cannot sum an empty list"));
    }
    let mut total = 0.0;
    for item in items {
        if !matches!(item.kind, ValueKind::Number(_) | ValueKind::String(_)) {
            return Err(Value::error("sum: argument must be list, set, or tuple of number values"));
        }
        total += to_number(item)?;
    }
    Ok(finite("sum", total))
}

/// `alltrue` stops at the first false (a null counts as false) and is unknown at the first
/// unknown before it; `anytrue` stops at the first true and is unknown if none is true but an
/// element is unknown.
fn all_or_any(name: &str, list: &Value) -> Result<Value, Value> {
    let all = name == "alltrue";
    let mut unknown = None;
    for item in items_of(list, name)? {
        let b = match &item.kind {
            ValueKind::Bool(b) => *b,
            ValueKind::String(s) if s == "true" => true,
            ValueKind::String(s) if s == "false" => false,
            ValueKind::Null => {
                if all {
                    return Ok(boolean(false));
                }
                continue;
            }
            ValueKind::Unknown(u) => {
                if all {
                    return Ok(Value::new(ValueKind::Unknown(u.clone())));
                }
                unknown = unknown.or(Some(u));
                continue;
            }
            _ => {
                return Err(Value::error(format!("{name} needs a list of bools, not of {}", describe(item))));
            }
        };
        if b != all {
            return Ok(boolean(b));
        }
    }
    Ok(unknown.map_or_else(|| boolean(all), |u| Value::new(ValueKind::Unknown(u.clone()))))
}

// ---------------------------------------------------------------------------------------------
// Numbers

fn number_function(name: &str, args: &[Value]) -> Option<Value> {
    let result = match (name, args) {
        ("min" | "max", [_, ..]) => {
            let mut best: Option<f64> = None;
            for arg in args {
                match to_number(arg) {
                    Ok(n) => {
                        best = Some(match best {
                            Some(b) if name == "min" => b.min(n),
                            Some(b) => b.max(n),
                            None => n,
                        });
                    }
                    Err(e) => return Some(e),
                }
            }
            best.ok_or_else(|| Value::error("no numbers"))
        }
        ("abs", [n]) => to_number(n).map(f64::abs),
        ("ceil", [n]) => to_number(n).map(f64::ceil),
        ("floor", [n]) => to_number(n).map(f64::floor),
        ("signum", [n]) => to_number(n).map(|n| {
            if n > 0.0 {
                1.0
            } else if n < 0.0 {
                -1.0
            } else {
                0.0
            }
        }),
        ("pow", [base, exponent]) => to_number(base).and_then(|b| to_number(exponent).map(|e| b.powf(e))),
        ("log", [n, base]) => to_number(n).and_then(|n| to_number(base).map(|b| n.ln() / b.ln())),
        ("parseint", [s, base]) => return Some(flat(parseint(s, base))),
        _ => return None,
    };
    Some(match result {
        Ok(n) => finite(name, n),
        Err(e) => e,
    })
}

/// Values are finite numbers: Terraform fails on NaN and keeps infinities, which we cannot.
fn finite(name: &str, n: f64) -> Value {
    if n.is_nan() {
        Value::error(format!("{name}: the result is not a number"))
    } else if n.is_infinite() {
        Value::unknown(format!("{name}: the result is infinite, which is not evaluated"))
    } else {
        Value::new(ValueKind::Number(n))
    }
}

/// Go's `big.Int.SetString` for bases 2 to 62: an optional sign, then digits (`0-9a-zA-Z`,
/// case-insensitive up to base 36, then lower case first).
fn parseint(s: &Value, base: &Value) -> Result<Value, Value> {
    let ValueKind::String(text) = &s.kind else {
        return Err(Value::error(format!(
            "parseint: the first argument must be a string, not a {}",
            s.type_name()
        )));
    };
    let base = whole(base, "parseint: the base")?;
    let Some(radix) = u32::try_from(base).ok().filter(|b| (2..=62).contains(b)) else {
        return Err(Value::error("parseint: base must be a whole number between 2 and 62 inclusive"));
    };
    let invalid =
        || Value::error(format!("parseint: cannot parse {} as a base {radix} integer", describe(s)));
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    let mut n = 0u128;
    for c in digits.chars() {
        let digit = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'a'..='z' => u32::from(c) - u32::from('a') + 10,
            'A'..='Z' if radix <= 36 => u32::from(c) - u32::from('A') + 10,
            'A'..='Z' => u32::from(c) - u32::from('A') + 36,
            _ => return Err(invalid()),
        };
        if digit >= radix {
            return Err(invalid());
        }
        // Past 2^53 the result is not exact: stop there, whatever the length of the text.
        n = n * u128::from(radix) + u128::from(digit);
        if n > u128::from(MAX_EXACT) {
            return Err(Value::unknown("parseint: the number is too large to evaluate exactly"));
        }
    }
    // At most 2^53: exact as a float.
    #[allow(clippy::cast_precision_loss)]
    let magnitude = n as f64;
    Ok(Value::new(ValueKind::Number(if negative { -magnitude } else { magnitude })))
}

// ---------------------------------------------------------------------------------------------
// Networks

fn network_function(name: &str, args: &[Value]) -> Option<Value> {
    Some(flat(match (name, args) {
        ("cidrsubnet", [prefix, newbits, netnum]) => cidrsubnet(prefix, newbits, netnum),
        ("cidrhost", [prefix, hostnum]) => cidrhost(prefix, hostnum),
        ("cidrnetmask", [prefix]) => cidrnetmask(prefix),
        ("cidrsubnets", [prefix, newbits @ ..]) => cidrsubnets(prefix, newbits),
        _ => return None,
    }))
}

/// An IP network as Terraform parses it: the address with its host bits cleared, in a `u128`
/// for IPv6 and its low 32 bits for IPv4.
#[derive(Clone, Copy)]
struct Network {
    addr: u128,
    len: u32,
    bits: u32,
}

impl Network {
    /// Go's `ParseCIDR` as Terraform uses it: IPv4 octets with leading zeros are decimal.
    fn parse(prefix: &Value) -> Result<Self, Value> {
        let text = to_string(prefix)?;
        let invalid = || Value::error(format!("invalid CIDR expression: invalid CIDR address: {text}"));
        let (addr, len) = text.split_once('/').ok_or_else(invalid)?;
        let (addr, bits) = match parse_ipv4(addr) {
            Some(v4) => (u128::from(v4), 32),
            None => (u128::from(addr.parse::<Ipv6Addr>().map_err(|_| invalid())?), 128),
        };
        if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let len = len.parse::<u32>().map_err(|_| invalid())?;
        if len > bits {
            return Err(invalid());
        }
        let network = Self { addr: 0, len, bits };
        let network = Self { addr: addr & network.mask(len), ..network };
        network.text(network.addr)?;
        Ok(network)
    }

    /// All ones in the address's bits.
    fn all(self) -> u128 {
        if self.bits == 128 { u128::MAX } else { (1u128 << self.bits) - 1 }
    }

    /// The host bits of a prefix of `len` bits.
    fn hosts(self, len: u32) -> u128 {
        let host_bits = self.bits - len.min(self.bits);
        if host_bits >= 128 { u128::MAX } else { (1u128 << host_bits) - 1 }
    }

    /// The network bits of a prefix of `len` bits.
    fn mask(self, len: u32) -> u128 {
        self.all() & !self.hosts(len)
    }

    fn text(self, addr: u128) -> Result<String, Value> {
        if self.bits == 32 {
            return Ok(Ipv4Addr::from(addr as u32).to_string());
        }
        let v6 = Ipv6Addr::from(addr);
        // Go prints these as IPv4 and treats their prefixes as IPv4 ones: not worth mimicking.
        if v6.to_ipv4_mapped().is_some() {
            return Err(Value::unknown("IPv4-mapped IPv6 addresses are not evaluated"));
        }
        Ok(v6.to_string())
    }
}

fn parse_ipv4(text: &str) -> Option<u32> {
    let mut addr = 0u32;
    let mut parts = 0;
    for part in text.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet = part.bytes().try_fold(0u32, |n, b| {
            let n = n * 10 + u32::from(b - b'0');
            (n <= 255).then_some(n)
        })?;
        addr = (addr << 8) | octet;
        parts += 1;
    }
    (parts == 4).then_some(addr)
}

fn cidrsubnet(prefix: &Value, newbits: &Value, netnum: &Value) -> Result<Value, Value> {
    let newbits = whole(newbits, "cidrsubnet: newbits")?;
    let netnum = exact(netnum, "cidrsubnet: netnum")?;
    let network = Network::parse(prefix)?;
    let (Ok(newbits), Ok(netnum)) = (u32::try_from(newbits), u128::try_from(netnum)) else {
        // Terraform computes an address outside the prefix from these.
        return Err(Value::unknown("cidrsubnet with a negative newbits or netnum is not evaluated"));
    };
    let len = network.len.saturating_add(newbits);
    if len > network.bits {
        return Err(Value::error(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            network.len
        )));
    }
    if newbits < 128 && netnum >> newbits != 0 {
        return Err(Value::error(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        )));
    }
    let addr = network.addr | netnum.checked_shl(network.bits - len).unwrap_or(0);
    Ok(Value::string(format!("{}/{len}", network.text(addr)?)))
}

fn cidrhost(prefix: &Value, hostnum: &Value) -> Result<Value, Value> {
    let hostnum = exact(hostnum, "cidrhost: hostnum")?;
    let network = Network::parse(prefix)?;
    let max = network.hosts(network.len);
    // A negative number counts back from the last address: -1 is the last one.
    let host = if hostnum < 0 {
        max.checked_sub(u128::from(hostnum.unsigned_abs() - 1))
    } else {
        u128::try_from(hostnum).ok().filter(|&h| h <= max)
    };
    let Some(host) = host else {
        return Err(Value::error(format!(
            "prefix of {} does not accommodate a host numbered {hostnum}",
            network.len
        )));
    };
    Ok(Value::string(network.text(network.addr | host)?))
}

fn cidrnetmask(prefix: &Value) -> Result<Value, Value> {
    let network = Network::parse(prefix)?;
    if network.bits == 128 {
        return Err(Value::error(format!("IPv6 addresses cannot have a netmask: {}", to_string(prefix)?)));
    }
    Ok(Value::string(network.text(network.mask(network.len))?))
}

/// Consecutive subnets as go-cidr allocates them: each starts at the first address after the
/// previous one that is aligned to its own size.
fn cidrsubnets(prefix: &Value, newbits: &[Value]) -> Result<Value, Value> {
    let network = Network::parse(prefix)?;
    let mut out = Vec::with_capacity(newbits.len());
    let mut current: Option<(u128, u32)> = None;
    for arg in newbits {
        let n = whole(arg, "cidrsubnets: newbits")?;
        if n < 1 {
            return Err(Value::error("cidrsubnets: must extend prefix by at least one bit"));
        }
        if n > 32 {
            return Err(Value::error("cidrsubnets: may not extend prefix by more than 32 bits"));
        }
        let len = network.len + u32::try_from(n).unwrap_or(32);
        if len > network.bits {
            let version = if network.bits == 32 { 4 } else { 6 };
            return Err(Value::error(format!(
                "cidrsubnets: would extend prefix to {len} bits, which is too long for an IPv{version} address"
            )));
        }
        // Before the first, go-cidr's "current" subnet is the one just below the prefix.
        let (addr, addr_len) = current
            .unwrap_or_else(|| (network.addr.wrapping_sub(1) & network.all() & network.mask(len), len));
        let last = ((addr | network.hosts(addr_len)) & network.mask(len)) | network.hosts(len);
        let next = last.wrapping_add(1) & network.all();
        // go-cidr reports reaching the all-zero address as running out, so a prefix that starts
        // at address zero fails here as it does in Terraform (hashicorp/terraform#35486).
        if next == 0 || next & network.mask(network.len) != network.addr {
            return Err(Value::error(format!(
                "cidrsubnets: not enough remaining address space for a subnet with a prefix of {len} bits after {}/{addr_len}",
                network.text(addr)?
            )));
        }
        current = Some((next, len));
        out.push(Value::string(format!("{}/{len}", network.text(next)?)));
    }
    Ok(list(out))
}

// ---------------------------------------------------------------------------------------------
// JSON

/// JSON as Terraform's `jsonencode` writes it: object keys sorted, `<`, `>` and `&` escaped.
/// Recursion is bounded by the value's depth (see `Value::first_unknown`).
fn json_encode(v: &Value, out: &mut String) -> Result<(), Value> {
    if out.len() > MAX_STRING {
        return Err(too_large());
    }
    match &v.kind {
        ValueKind::Null => out.push_str("null"),
        ValueKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ValueKind::Number(n) => out.push_str(&number_text(*n)),
        ValueKind::String(s) => json_string(s, out),
        ValueKind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_encode(item, out)?;
            }
            out.push(']');
        }
        ValueKind::Object(entries) => {
            let mut sorted: Vec<&(String, Value)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (k, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                json_encode(item, out)?;
            }
            out.push('}');
        }
        ValueKind::Unknown(u) => return Err(Value::new(ValueKind::Unknown(u.clone()))),
    }
    Ok(())
}

fn json_string(s: &str, out: &mut String) {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    out.push_str(&quoted.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026"));
}

fn from_json(json: &serde_json::Value, depth: usize) -> Value {
    if depth > MAX_JSON_DEPTH {
        return Value::unknown("jsondecode: the document is nested too deeply to evaluate");
    }
    match json {
        serde_json::Value::Null => Value::new(ValueKind::Null),
        serde_json::Value::Bool(b) => Value::new(ValueKind::Bool(*b)),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if f.is_finite() => Value::new(ValueKind::Number(f)),
            _ => Value::error("jsondecode: number out of range"),
        },
        serde_json::Value::String(s) => Value::string(s.clone()),
        serde_json::Value::Array(items) => list(items.iter().map(|i| from_json(i, depth + 1)).collect()),
        serde_json::Value::Object(map) => Value::new(ValueKind::Object(
            map.iter().map(|(k, v)| (k.clone(), from_json(v, depth + 1))).collect(),
        )),
    }
}

#[cfg(test)]
mod tests;
