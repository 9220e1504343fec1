//! The Terraform functions rampart evaluates; any other function is unknown. Each follows
//! Terraform's documented behaviour for known arguments; an unknown argument makes the result
//! unknown, and an argument Terraform would reject makes it an error (an unknown with
//! `error: true`).

use hcl_edit::expr::Expression;

use super::eval::{Evaluator, MAX_STRING, budget_spent, first_unknown_of, index_value, insert};
use super::value::{Unknown, Value, ValueKind, equal, number_text};

/// How deep `jsondecode` builds values (serde_json stops at 128 anyway).
const MAX_JSON_DEPTH: usize = 64;

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
    let result = eager(name, &values);
    if ev.charge_value(&result) { result } else { budget_spent() }
}

const KNOWN: [&str; 24] = [
    "lookup",
    "merge",
    "concat",
    "format",
    "join",
    "split",
    "tostring",
    "tonumber",
    "tobool",
    "tolist",
    "toset",
    "coalesce",
    "length",
    "lower",
    "upper",
    "contains",
    "keys",
    "values",
    "element",
    "min",
    "max",
    "jsonencode",
    "jsondecode",
    "tomap",
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

fn eager(name: &str, args: &[Value]) -> Value {
    // Functions that inspect only the top level of their arguments pass nested unknowns
    // through; the others need every argument fully known.
    let shallow = matches!(
        name,
        "lookup"
            | "merge"
            | "concat"
            | "tolist"
            | "length"
            | "keys"
            | "values"
            | "element"
            | "coalesce"
            | "tomap"
    );
    let unknown = if shallow {
        args.iter().find(|a| a.is_unknown())
    } else {
        args.iter().find(|a| a.first_unknown().is_some())
    };
    if let Some(u) = unknown {
        return first_unknown_of(u, u);
    }
    match (name, args) {
        ("lookup", [map, key]) => lookup(map, key, None),
        ("lookup", [map, key, default]) => lookup(map, key, Some(default)),
        ("lookup", _) => Value::error("lookup takes 2 or 3 arguments"),
        ("merge", _) => merge(args),
        ("concat", _) => concat(args),
        ("format", [spec, rest @ ..]) => match to_string(spec) {
            Ok(spec) => format(&spec, rest),
            Err(e) => e,
        },
        ("format", []) => Value::error("format needs a format string"),
        ("join", [sep, lists @ ..]) => join(sep, lists),
        ("split", [sep, text]) => match (to_string(sep), to_string(text)) {
            (Ok(_), Ok(text)) if text.is_empty() => Value::new(ValueKind::List(Vec::new())),
            (Ok(sep), Ok(text)) if sep.is_empty() => {
                Value::new(ValueKind::List(text.chars().map(|c| Value::string(c.to_string())).collect()))
            }
            (Ok(sep), Ok(text)) => {
                Value::new(ValueKind::List(text.split(sep.as_str()).map(Value::string).collect()))
            }
            (Err(e), _) | (_, Err(e)) => e,
        },
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
        ("toset", [v]) => toset(v),
        ("coalesce", _) => args
            .iter()
            .find(|a| !matches!(&a.kind, ValueKind::Null) && a.as_str() != Some(""))
            .cloned()
            .unwrap_or_else(|| Value::error("coalesce: no non-null, non-empty argument")),
        ("length", [v]) => match &v.kind {
            ValueKind::String(s) => number(s.chars().count()),
            ValueKind::List(items) => number(items.len()),
            ValueKind::Object(entries) => number(entries.len()),
            _ => Value::error(format!("length of a {} is not defined", v.type_name())),
        },
        ("lower", [v]) => to_string(v).map_or_else(|e| e, |s| Value::string(s.to_lowercase())),
        ("upper", [v]) => to_string(v).map_or_else(|e| e, |s| Value::string(s.to_uppercase())),
        ("contains", [list, item]) => match &list.kind {
            ValueKind::List(items) => {
                let mut result = Some(false);
                for candidate in items {
                    match equal(candidate, item) {
                        Some(true) => return Value::new(ValueKind::Bool(true)),
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
                Value::new(ValueKind::List(items))
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
        ("min" | "max", _) if !args.is_empty() => {
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
                    Err(e) => return e,
                }
            }
            best.map_or_else(|| Value::error("no numbers"), |n| Value::new(ValueKind::Number(n)))
        }
        ("jsonencode", [v]) => {
            let mut out = String::new();
            match json_encode(v, &mut out) {
                Ok(()) if out.len() <= MAX_STRING => Value::string(out),
                Ok(()) => Value::unknown("the string is too large to evaluate"),
                Err(e) => e,
            }
        }
        ("jsondecode", [v]) => match to_string(v) {
            Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(json) => from_json(&json, 0),
                Err(e) => Value::error(format!("jsondecode: {e}")),
            },
            Err(e) => e,
        },
        _ => Value::error(format!("{name}: wrong number of arguments ({})", args.len())),
    }
}

fn number(n: usize) -> Value {
    Value::new(ValueKind::Number(f64::from(u32::try_from(n).unwrap_or(u32::MAX))))
}

/// A whole, non-negative number as an index.
pub(crate) fn to_index(n: f64) -> Option<usize> {
    if n.fract() == 0.0 && (0.0..4_294_967_296.0).contains(&n) {
        usize::try_from(n as i64).ok()
    } else {
        None
    }
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

fn merge(args: &[Value]) -> Value {
    let mut entries: Vec<(String, Value)> = Vec::new();
    for arg in args {
        match &arg.kind {
            ValueKind::Null => {}
            ValueKind::Object(more) => {
                for (k, v) in more {
                    insert(&mut entries, k.clone(), v.clone());
                }
            }
            _ => return Value::error(format!("merge needs maps, not a {}", arg.type_name())),
        }
    }
    Value::new(ValueKind::Object(entries))
}

fn concat(args: &[Value]) -> Value {
    let mut items = Vec::new();
    for arg in args {
        match &arg.kind {
            ValueKind::List(more) => items.extend(more.iter().cloned()),
            _ => return Value::error(format!("concat needs lists, not a {}", arg.type_name())),
        }
    }
    Value::new(ValueKind::List(items))
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
    let joined = parts.join(&sep);
    if joined.len() > MAX_STRING {
        Value::unknown("the string is too large to evaluate")
    } else {
        Value::string(joined)
    }
}

fn toset(v: &Value) -> Value {
    let ValueKind::List(items) = &v.kind else {
        return match v.kind {
            ValueKind::Null => v.clone(),
            _ => Value::error(format!("cannot convert a {} to a set", v.type_name())),
        };
    };
    let mut unique: Vec<Value> = Vec::new();
    for item in items {
        if !unique.iter().any(|u| equal(u, item) == Some(true)) {
            unique.push(item.clone());
        }
    }
    // Terraform orders sets of strings lexically; other sets keep the order given here.
    if unique.iter().all(|u| u.as_str().is_some()) {
        unique.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    Value::new(ValueKind::List(unique))
}

/// `format` with Terraform's common verbs: `%s %d %v %q %t %f %%`, optional width and precision
/// (width capped); other verbs are not evaluated.
fn format(spec: &str, args: &[Value]) -> Value {
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
        let Some(arg) = args.get(next) else {
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
            return Value::unknown("the string is too large to evaluate");
        }
    }
    if next < args.len() {
        return Value::error("format: too many arguments for the format string");
    }
    Value::string(out)
}

/// JSON as Terraform's `jsonencode` writes it: object keys sorted, `<`, `>` and `&` escaped.
/// Recursion is bounded by the value's depth (see `Value::first_unknown`).
fn json_encode(v: &Value, out: &mut String) -> Result<(), Value> {
    if out.len() > MAX_STRING {
        return Err(Value::unknown("the string is too large to evaluate"));
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
        serde_json::Value::Array(items) => {
            Value::new(ValueKind::List(items.iter().map(|i| from_json(i, depth + 1)).collect()))
        }
        serde_json::Value::Object(map) => Value::new(ValueKind::Object(
            map.iter().map(|(k, v)| (k.clone(), from_json(v, depth + 1))).collect(),
        )),
    }
}
