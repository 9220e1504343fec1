//! Values as Terraform knows them statically: cty's primitive and structural values, plus
//! *unknown*, which carries the reason it cannot be known (or the evaluation error Terraform
//! would report at plan time).

use rampart_model::Span;

/// The file id of values read from an input (a `.tfvars` file): they belong to no module file,
/// so their spans never stand in for a place in the module.
pub(crate) const INPUT_FILE: u32 = u32::MAX;

/// Where a value was written: the file (the document's file index) and the expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    pub file: u32,
    pub span: Span,
    /// For object entries: the key as written.
    pub key_span: Option<Span>,
}

/// An evaluated value with the place it was written, when it was written somewhere.
#[derive(Clone, Debug)]
pub struct Value {
    pub kind: ValueKind,
    pub at: Option<At>,
    /// For a value read through a reference (`var.x`, `local.y`): where it was set.
    pub origin: Option<Box<Origin>>,
    /// For a JSON string (`jsonencode(...)`, a JSON heredoc): its structure, which the document
    /// shows instead of the text. Set even when the text is unknown because a part is.
    pub decoded: Option<Box<Value>>,
}

/// Where a value used through a reference was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub place: Place,
    pub span: Span,
    /// What the place is: "var.days is set here (terraform.tfvars)".
    pub what: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A file of the module (a document file index).
    Module(u32),
    /// An input file: the index of the input in `Inputs::values`.
    Input(usize),
}

#[derive(Clone, Debug)]
pub enum ValueKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// Lists, tuples and sets alike: rules see a sequence.
    List(Vec<Value>),
    /// Objects and maps alike, keys in the order written (unique; a later key replaces the
    /// value of an earlier one in place).
    Object(Vec<(String, Value)>),
    Unknown(Unknown),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// What the value depends on, or the error Terraform would report.
    pub reason: String,
    /// True when Terraform would fail here (a type mismatch, a missing key): `try` and `can`
    /// treat errors differently from values that are merely not known yet.
    pub error: bool,
}

impl Value {
    pub fn new(kind: ValueKind) -> Self {
        Self { kind, at: None, origin: None, decoded: None }
    }

    pub fn string(text: impl Into<String>) -> Self {
        Self::new(ValueKind::String(text.into()))
    }

    pub fn unknown(reason: impl Into<String>) -> Self {
        Self::new(ValueKind::Unknown(Unknown { reason: reason.into(), error: false }))
    }

    pub fn error(reason: impl Into<String>) -> Self {
        Self::new(ValueKind::Unknown(Unknown { reason: reason.into(), error: true }))
    }

    pub fn as_unknown(&self) -> Option<&Unknown> {
        match &self.kind {
            ValueKind::Unknown(unknown) => Some(unknown),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        self.as_unknown().is_some()
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(text) => Some(text),
            _ => None,
        }
    }

    /// The first unknown anywhere inside, for operations that need the whole value (`==`,
    /// `jsonencode`). Depth-bounded by construction: values are at most as deep as the
    /// evaluation that built them (see `MAX_DEPTH`) plus `jsondecode`'s bound.
    pub fn first_unknown(&self) -> Option<&Unknown> {
        match &self.kind {
            ValueKind::Unknown(unknown) => Some(unknown),
            ValueKind::List(items) => items.iter().find_map(Value::first_unknown),
            ValueKind::Object(entries) => entries.iter().find_map(|(_, v)| v.first_unknown()),
            _ => None,
        }
    }

    /// How much memory-like work the value stands for: the evaluation budget is charged with it
    /// whenever a value is copied, so that locals doubling each other cannot explode.
    pub fn weight(&self) -> usize {
        let decoded = self.decoded.as_ref().map_or(0, |d| d.weight());
        decoded.saturating_add(match &self.kind {
            ValueKind::String(text) => 1 + text.len() / 16,
            ValueKind::List(items) => items.iter().fold(1usize, |sum, v| sum.saturating_add(v.weight())),
            ValueKind::Object(entries) => {
                entries.iter().fold(1usize, |sum, (k, v)| sum.saturating_add(1 + k.len() / 16 + v.weight()))
            }
            ValueKind::Unknown(unknown) => 1 + unknown.reason.len() / 16,
            _ => 1,
        })
    }

    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            ValueKind::Null => "null",
            ValueKind::Bool(_) => "bool",
            ValueKind::Number(_) => "number",
            ValueKind::String(_) => "string",
            ValueKind::List(_) => "list",
            ValueKind::Object(_) => "object",
            ValueKind::Unknown(_) => "unknown",
        }
    }

    /// The entry of an object with this key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match &self.kind {
            ValueKind::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Numbers as Terraform prints them: integers without a fraction, others in the shortest form
/// that reads back the same.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// Structural equality as Terraform's `==` sees it; `None` when an unknown decides it.
pub fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (&a.kind, &b.kind) {
        (ValueKind::Unknown(_), _) | (_, ValueKind::Unknown(_)) => None,
        (ValueKind::Null, ValueKind::Null) => Some(true),
        (ValueKind::Bool(x), ValueKind::Bool(y)) => Some(x == y),
        (ValueKind::Number(x), ValueKind::Number(y)) => {
            Some((x - y).abs() <= f64::EPSILON * x.abs().max(1.0))
        }
        (ValueKind::String(x), ValueKind::String(y)) => Some(x == y),
        (ValueKind::List(xs), ValueKind::List(ys)) => {
            if xs.len() != ys.len() {
                return a.first_unknown().or(b.first_unknown()).map_or(Some(false), |_| None);
            }
            let mut result = Some(true);
            for (x, y) in xs.iter().zip(ys) {
                match equal(x, y) {
                    Some(true) => {}
                    Some(false) => return Some(false),
                    None => result = None,
                }
            }
            result
        }
        (ValueKind::Object(xs), ValueKind::Object(ys)) => {
            if xs.len() != ys.len() {
                return Some(false);
            }
            let mut result = Some(true);
            for (key, x) in xs {
                let Some(y) = b.get(key) else { return Some(false) };
                match equal(x, y) {
                    Some(true) => {}
                    Some(false) => return Some(false),
                    None => result = None,
                }
            }
            result
        }
        _ => Some(false),
    }
}
