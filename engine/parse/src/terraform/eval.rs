//! The expression evaluator: what `terraform plan` would know before talking to any provider.
//!
//! Everything is bounded: nesting depth (which also bounds chains of locals), the total work
//! of one module (so locals that double each other cannot explode), and generated strings.

use std::collections::HashMap;
use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Element, Template};
use rampart_model::Span;

use super::functions;
use super::value::{At, Origin, Place, Value, ValueKind, equal, number_text};

/// Deeper than hcl-edit's own nesting limits allow in one expression, so the limit only bites
/// on long chains of locals; small enough for a debug build's stack.
pub(crate) const MAX_DEPTH: usize = 96;
/// Generated strings larger than this become unknown.
pub(crate) const MAX_STRING: usize = 1 << 20;
/// Units of work (nodes evaluated, values copied) for one module, on top of its size.
const BASE_BUDGET: usize = 1 << 20;

/// Declared variable: where its block is and its default.
#[derive(Clone, Copy)]
pub(crate) struct VarDecl<'a> {
    pub file: u32,
    pub default: Option<&'a Expression>,
}

/// What the variable's effective value is and where it came from.
#[derive(Clone, Debug)]
pub(crate) enum VarValue {
    /// From an input; the index into `Inputs::values`.
    Input(usize, Value),
    Default(Value),
    Missing(Value),
}

enum LocalState {
    Evaluating,
    Done(Value),
}

pub(crate) struct Evaluator<'a> {
    /// Source text of each file by document file index, for reasons that quote an address.
    texts: Vec<(u32, &'a str)>,
    variables: HashMap<&'a str, VarDecl<'a>>,
    locals: HashMap<&'a str, (u32, &'a Expression)>,
    inputs: &'a super::Inputs,
    var_values: HashMap<String, VarValue>,
    local_values: HashMap<String, LocalState>,
    /// The outputs of the local modules this module calls, by module name.
    module_outputs: HashMap<String, Value>,
    /// Names bound by enclosing `for` expressions, innermost last.
    bound: Vec<(String, Value)>,
    /// False while evaluating defaults and `.tfvars` values, where Terraform allows no references.
    allow_refs: bool,
    pub file: u32,
    depth: usize,
    budget: usize,
}

impl<'a> Evaluator<'a> {
    pub fn new(texts: Vec<(u32, &'a str)>, inputs: &'a super::Inputs) -> Self {
        let size: usize = texts.iter().map(|(_, t)| t.len()).sum();
        Self {
            texts,
            variables: HashMap::new(),
            locals: HashMap::new(),
            inputs,
            var_values: HashMap::new(),
            local_values: HashMap::new(),
            module_outputs: HashMap::new(),
            bound: Vec::new(),
            allow_refs: true,
            file: 0,
            depth: 0,
            budget: BASE_BUDGET.saturating_add(size.saturating_mul(8)),
        }
    }

    /// For `.tfvars` files: literal values only.
    pub fn for_input(text: &'a str, inputs: &'a super::Inputs) -> Self {
        let mut evaluator = Self::new(vec![(super::value::INPUT_FILE, text)], inputs);
        evaluator.file = super::value::INPUT_FILE;
        evaluator.allow_refs = false;
        evaluator
    }

    pub fn declare_variable(&mut self, name: &'a str, decl: VarDecl<'a>) {
        self.variables.entry(name).or_insert(decl);
    }

    pub fn declare_local(&mut self, name: &'a str, file: u32, expr: &'a Expression) {
        self.locals.entry(name).or_insert((file, expr));
    }

    fn at(&self, range: Option<Range<usize>>) -> Option<At> {
        range.map(|r| At { file: self.file, span: to_span(&r), key_span: None })
    }

    /// Charges `units` of work; false once the module's budget is spent.
    fn charge(&mut self, units: usize) -> bool {
        if let Some(rest) = self.budget.checked_sub(units) {
            self.budget = rest;
            true
        } else {
            self.budget = 0;
            false
        }
    }

    /// A copy of a stored value, charged by its size.
    fn copy(&mut self, value: &Value) -> Value {
        if self.charge(value.weight()) { value.clone() } else { budget_spent() }
    }

    /// The source text of an expression, whitespace collapsed and cut short, for reasons.
    fn snippet(&self, range: Option<Range<usize>>) -> String {
        let text = self.texts.iter().find(|(id, _)| *id == self.file).map_or("", |(_, t)| t);
        let raw = range.and_then(|r| text.get(r)).unwrap_or("");
        let collapsed: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        match collapsed.char_indices().nth(120) {
            Some((cut, _)) => format!("{}…", collapsed.get(..cut).unwrap_or("")),
            None => collapsed,
        }
    }

    pub fn eval(&mut self, expr: &Expression) -> Value {
        let at = self.at(expr.span());
        if self.depth >= MAX_DEPTH {
            let mut v = Value::unknown("expression nested too deeply to evaluate");
            v.at = at;
            return v;
        }
        if !self.charge(1) {
            let mut v = budget_spent();
            v.at = at;
            return v;
        }
        self.depth += 1;
        let mut value = self.eval_inner(expr);
        self.depth -= 1;
        // The value stands where it is used, whatever expression it was first written in.
        value.at = at;
        value
    }

    fn eval_inner(&mut self, expr: &Expression) -> Value {
        match expr {
            Expression::Null(_) => Value::new(ValueKind::Null),
            Expression::Bool(b) => Value::new(ValueKind::Bool(*b.value())),
            Expression::Number(n) => match n.value().as_f64() {
                Some(f) if f.is_finite() => Value::new(ValueKind::Number(f)),
                _ => Value::error("number out of range"),
            },
            Expression::String(s) => Value::string(s.value().as_str()),
            Expression::Array(items) => {
                let values = items.iter().map(|item| self.eval(item)).collect();
                Value::new(ValueKind::List(values))
            }
            Expression::Object(object) => {
                let mut entries: Vec<(String, Value)> = Vec::with_capacity(object.len());
                for (key, value) in object {
                    let key_span = key_range(key);
                    let key_text = match key {
                        ObjectKey::Ident(ident) => ident.value().as_str().to_owned(),
                        ObjectKey::Expression(key_expr) => {
                            let key_value = self.eval(key_expr);
                            match functions::to_string(&key_value) {
                                Ok(text) => text,
                                Err(unknown) => return unknown,
                            }
                        }
                    };
                    let mut v = self.eval(value.expr());
                    if let Some(at) = &mut v.at {
                        at.key_span = key_span.map(|r| to_span(&r));
                    }
                    insert(&mut entries, key_text, v);
                }
                Value::new(ValueKind::Object(entries))
            }
            Expression::StringTemplate(template) => self.template(template),
            Expression::HeredocTemplate(heredoc) => self.template(&heredoc.template),
            Expression::Parenthesis(inner) => self.eval(inner.inner()),
            Expression::Variable(name) => self.bare_variable(name.value().as_str(), expr.span()),
            Expression::Conditional(cond) => {
                let test = self.eval(&cond.cond_expr);
                match test.kind {
                    ValueKind::Bool(true) => self.eval(&cond.true_expr),
                    ValueKind::Bool(false) => self.eval(&cond.false_expr),
                    ValueKind::Unknown(u) => Value::new(ValueKind::Unknown(u)),
                    _ => Value::error(format!("a condition must be bool, not {}", test.type_name())),
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.value().as_str();
                if call.name.is_namespaced() {
                    return Value::unknown(format!(
                        "function {} is not evaluated",
                        self.snippet(call.span())
                    ));
                }
                let args: Vec<&Expression> = call.args.iter().collect();
                if call.args.expand_final() {
                    return Value::unknown(format!(
                        "function {name} with expanded arguments is not evaluated"
                    ));
                }
                functions::call(self, name, &args)
            }
            Expression::Traversal(traversal) => {
                let root = match &traversal.expr {
                    Expression::Variable(name) => {
                        match self.root_reference(name.value().as_str(), &traversal.operators, expr.span()) {
                            Reference::Value(value, used) => (value, used),
                            Reference::Done(value) => return value,
                        }
                    }
                    other => (self.eval(other), 0),
                };
                let (mut value, used) = root;
                for op in traversal.operators.iter().skip(used) {
                    value = self.apply(value, op.value());
                }
                value
            }
            Expression::UnaryOp(op) => {
                let operand = self.eval(&op.expr);
                if operand.is_unknown() {
                    return operand;
                }
                match op.operator.value() {
                    UnaryOperator::Not => match operand.kind {
                        ValueKind::Bool(b) => Value::new(ValueKind::Bool(!b)),
                        _ => Value::error(format!("! needs a bool, not {}", operand.type_name())),
                    },
                    UnaryOperator::Neg => match functions::to_number(&operand) {
                        Ok(n) => Value::new(ValueKind::Number(-n)),
                        Err(e) => e,
                    },
                }
            }
            Expression::BinaryOp(op) => {
                let lhs = self.eval(&op.lhs_expr);
                let rhs = self.eval(&op.rhs_expr);
                binary(*op.operator.value(), &lhs, &rhs)
            }
            Expression::ForExpr(for_expr) => self.for_expr(for_expr),
        }
    }

    fn template(&mut self, template: &Template) -> Value {
        // A template of exactly one interpolation yields the value itself, not its string.
        if let Some(Element::Interpolation(only)) = template.as_single_element() {
            return self.eval(&only.expr);
        }
        let mut out = String::new();
        // `"${var.name}-logs"` still came from the variable: the first origin is kept.
        let mut origin = None;
        for element in template {
            match element {
                Element::Literal(text) => out.push_str(text.value()),
                Element::Interpolation(interpolation) => {
                    let mut value = self.eval(&interpolation.expr);
                    if origin.is_none() {
                        origin = value.origin.take();
                    }
                    match functions::to_string(&value) {
                        Ok(text) => out.push_str(&text),
                        Err(unknown) => return unknown,
                    }
                }
                Element::Directive(_) => {
                    return Value::unknown("template directives (%{ if } and %{ for }) are not evaluated");
                }
            }
            if out.len() > MAX_STRING || !self.charge(out.len() / 64) {
                return Value::unknown("the string is too large to evaluate");
            }
        }
        let mut value = Value::string(out);
        value.origin = origin;
        value
    }

    /// Makes `module.NAME.*` the given outputs (an object) of a loaded local module.
    pub fn set_module_outputs(&mut self, name: &str, outputs: Value) {
        self.module_outputs.insert(name.to_owned(), outputs);
    }

    /// Binds a name (`count`, `each`, a dynamic block's iterator) for the expressions evaluated
    /// until [`Self::unbind`].
    pub fn bind(&mut self, name: &str, value: Value) {
        self.bound.push((name.to_owned(), value));
    }

    pub fn unbind(&mut self) {
        self.bound.pop();
    }

    fn bare_variable(&mut self, name: &str, range: Option<Range<usize>>) -> Value {
        if let Some((_, value)) = self.bound.iter().rev().find(|(n, _)| n == name) {
            let value = value.clone();
            return self.copy(&value);
        }
        if !self.allow_refs {
            return Value::error(format!("{name}: references are not allowed here"));
        }
        match name {
            "var" | "local" | "path" | "terraform" | "count" | "each" | "data" | "module" => {
                Value::error(format!("{name} must be followed by an attribute"))
            }
            "self" => Value::unknown("self (known after apply)"),
            _ => Value::unknown(format!("{} (known after apply)", self.snippet(range))),
        }
    }

    /// Resolves the root of a traversal (`var.x`, `local.y`, `aws_s3_bucket.b.arn`): a value
    /// and how many operators it consumed, or the final value (an unknown naming the address).
    fn root_reference(
        &mut self,
        root: &str,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        range: Option<Range<usize>>,
    ) -> Reference {
        if self.bound.iter().any(|(n, _)| n == root) {
            return Reference::Value(self.bare_variable(root, range), 0);
        }
        if !self.allow_refs {
            let address = self.snippet(range);
            return Reference::Done(Value::error(format!("{address}: references are not allowed here")));
        }
        let attr = |i: usize| match ops.get(i).map(hcl_edit::Decorated::value) {
            Some(TraversalOperator::GetAttr(name)) => Some(name.value().as_str()),
            _ => None,
        };
        let address = self.snippet(range);
        match root {
            "var" => match attr(0) {
                Some(name) => Reference::Value(self.variable_value(name), 1),
                None => Reference::Done(Value::error("var must be followed by a variable name")),
            },
            "local" => match attr(0) {
                Some(name) => Reference::Value(self.local(name), 1),
                None => Reference::Done(Value::error("local must be followed by a local value's name")),
            },
            "path" => match attr(0) {
                Some("module" | "root") => Reference::Value(Value::string("."), 1),
                _ => Reference::Done(Value::unknown(format!("{address} depends on where Terraform runs"))),
            },
            "terraform" => {
                Reference::Done(Value::unknown(format!("{address} is chosen when Terraform runs")))
            }
            "count" | "each" => {
                Reference::Done(Value::unknown(format!("{address} (one value per instance)")))
            }
            "module" if attr(0).is_some_and(|name| self.module_outputs.contains_key(name)) => {
                let outputs = attr(0).and_then(|name| self.module_outputs.get(name)).cloned();
                let outputs = outputs.map_or_else(|| Value::error("no outputs"), |o| self.copy(&o));
                Reference::Value(outputs, 1)
            }
            "module" => {
                let name = attr(0).unwrap_or("?");
                Reference::Done(Value::unknown(format!(
                    "{address} (an output of module {name}, which is not loaded)"
                )))
            }
            _ => Reference::Done(Value::unknown(format!("{address} (known after apply)"))),
        }
    }

    /// The effective value of a variable (inputs, else default, else unknown), computed once.
    pub fn variable(&mut self, name: &str) -> VarValue {
        if let Some(known) = self.var_values.get(name) {
            return known.clone();
        }
        let result = match self.inputs.lookup(name) {
            Some((index, input)) => {
                let mut value = self.copy(&input.value);
                match &input.origin {
                    super::InputOrigin::File { file, value_span, .. } => {
                        let what = format!("var.{name} is set here ({})", file.path);
                        let origin = Origin { place: Place::Input(index), span: *value_span, what };
                        value.origin = Some(Box::new(origin));
                    }
                    // A value passed on keeps where it was set; a value written in the calling
                    // block points there.
                    super::InputOrigin::Argument { file, span, module } if value.origin.is_none() => {
                        let what = format!("module {module} sets var.{name} here");
                        value.origin =
                            Some(Box::new(Origin { place: Place::Module(*file), span: *span, what }));
                    }
                    _ => {}
                }
                VarValue::Input(index, value)
            }
            None => match self.variables.get(name).copied() {
                Some(VarDecl { file, default: Some(default) }) => {
                    let mut value = self.eval_literal(file, default);
                    if let Some(range) = default.span() {
                        let what = format!("var.{name} takes this default (no value was given)");
                        let origin = Origin { place: Place::Module(file), span: to_span(&range), what };
                        value.origin = Some(Box::new(origin));
                    }
                    VarValue::Default(value)
                }
                Some(VarDecl { default: None, .. }) => VarValue::Missing(Value::unknown(format!(
                    "var.{name} has no default and no value was given"
                ))),
                None => VarValue::Missing(Value::error(format!("var.{name} is not declared"))),
            },
        };
        self.var_values.insert(name.to_owned(), result.clone());
        result
    }

    fn variable_value(&mut self, name: &str) -> Value {
        match self.variable(name) {
            VarValue::Input(_, v) | VarValue::Default(v) | VarValue::Missing(v) => v,
        }
    }

    /// A local value, evaluated on first use; a reference cycle makes it unknown.
    pub fn local(&mut self, name: &str) -> Value {
        match self.local_values.get(name) {
            Some(LocalState::Done(value)) => {
                let value = value.clone();
                return self.copy(&value);
            }
            Some(LocalState::Evaluating) => {
                return Value::unknown(format!("local.{name} refers to itself through a cycle of locals"));
            }
            None => {}
        }
        let Some(&(file, expr)) = self.locals.get(name) else {
            return Value::error(format!("local.{name} is not declared"));
        };
        self.local_values.insert(name.to_owned(), LocalState::Evaluating);
        let saved = self.file;
        self.file = file;
        // Locals see no names bound by a `for` expression that happens to use them.
        let bound = std::mem::take(&mut self.bound);
        let mut value = self.eval(expr);
        self.bound = bound;
        self.file = saved;
        // A local that passes a variable on points at the variable's value; any other at itself.
        if value.origin.is_none()
            && let Some(range) = expr.span()
        {
            let what = format!("local.{name} is defined here");
            value.origin = Some(Box::new(Origin { place: Place::Module(file), span: to_span(&range), what }));
        }
        self.local_values.insert(name.to_owned(), LocalState::Done(value.clone()));
        value
    }

    /// One traversal step: `.name`, `[index]`, `.0`; splats are not evaluated.
    fn apply(&mut self, value: Value, op: &TraversalOperator) -> Value {
        if value.is_unknown() {
            return value;
        }
        match op {
            TraversalOperator::GetAttr(name) => get_key(value, name.value().as_str()),
            TraversalOperator::LegacyIndex(index) => {
                index_value(value, &Value::new(ValueKind::Number(whole(*index.value()))))
            }
            TraversalOperator::Index(index) => {
                let index = self.eval(index);
                index_value(value, &index)
            }
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                Value::unknown("splat expressions ([*]) are not evaluated")
            }
        }
    }

    fn for_expr(&mut self, for_expr: &ForExpr) -> Value {
        let intro = &for_expr.intro;
        let collection = self.eval(&intro.collection_expr);
        let items: Vec<(Value, Value)> = match collection.kind {
            ValueKind::Unknown(u) => return Value::new(ValueKind::Unknown(u)),
            ValueKind::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::new(ValueKind::Number(whole(i as u64))), v))
                .collect(),
            ValueKind::Object(entries) => entries.into_iter().map(|(k, v)| (Value::string(k), v)).collect(),
            _ => return Value::error(format!("cannot iterate over {}", collection.type_name())),
        };
        let key_var = intro.key_var.as_ref().map(|k| k.value().as_str().to_owned());
        let value_var = intro.value_var.value().as_str().to_owned();
        let mut list = Vec::new();
        let mut object: Vec<(String, Value)> = Vec::new();
        let depth = self.bound.len();
        for (key, value) in items {
            if let Some(key_var) = &key_var {
                self.bound.push((key_var.clone(), key));
            }
            self.bound.push((value_var.clone(), value));
            let keep = match &for_expr.cond {
                Some(cond) => self.eval(&cond.expr),
                None => Value::new(ValueKind::Bool(true)),
            };
            let produced = match keep.kind {
                ValueKind::Bool(true) => {
                    let v = self.eval(&for_expr.value_expr);
                    if let Some(key_expr) = &for_expr.key_expr {
                        let k = self.eval(key_expr);
                        Some(functions::to_string(&k).map(|k| (k, v)))
                    } else {
                        list.push(v);
                        None
                    }
                }
                ValueKind::Bool(false) => None,
                ValueKind::Unknown(u) => Some(Err(Value::new(ValueKind::Unknown(u)))),
                _ => Some(Err(Value::error("a for expression's if clause must be bool"))),
            };
            self.bound.truncate(depth);
            match produced {
                Some(Ok((k, v))) => {
                    if for_expr.grouping {
                        return Value::unknown("grouping for expressions (...) are not evaluated");
                    }
                    insert(&mut object, k, v);
                }
                Some(Err(u)) => return u,
                None => {}
            }
        }
        if for_expr.key_expr.is_some() {
            Value::new(ValueKind::Object(object))
        } else {
            Value::new(ValueKind::List(list))
        }
    }
}

enum Reference {
    Value(Value, usize),
    Done(Value),
}

/// An index as a number; indexes beyond 2^53 do not occur in inputs of bounded size.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn whole(n: u64) -> f64 {
    n as f64
}

pub(crate) fn budget_spent() -> Value {
    Value::unknown("the module is too large to evaluate completely")
}

pub(crate) fn to_span(range: &Range<usize>) -> Span {
    Span::new(range.start as u32, range.end as u32)
}

fn key_range(key: &ObjectKey) -> Option<Range<usize>> {
    match key {
        ObjectKey::Ident(ident) => ident.span(),
        ObjectKey::Expression(expr) => expr.span(),
    }
}

/// Adds or replaces an object entry, keeping the first position (as HCL's object constructor).
pub(crate) fn insert(entries: &mut Vec<(String, Value)>, key: String, value: Value) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => entries.push((key, value)),
    }
}

fn get_key(value: Value, key: &str) -> Value {
    match value.kind {
        ValueKind::Object(entries) => match entries.into_iter().find(|(k, _)| k == key) {
            Some((_, v)) => v,
            None => Value::error(format!("the object has no attribute {key:?}")),
        },
        ValueKind::Null => Value::error(format!("cannot read {key:?} of null")),
        _ => Value::error(format!("cannot read attribute {key:?} of a {}", value.type_name())),
    }
}

pub(crate) fn index_value(value: Value, index: &Value) -> Value {
    if value.is_unknown() {
        return value;
    }
    if let Some(u) = index.as_unknown() {
        return Value::new(ValueKind::Unknown(u.clone()));
    }
    match value.kind {
        ValueKind::List(items) => {
            let n = match functions::to_number(index) {
                Ok(n) => n,
                Err(e) => return e,
            };
            match functions::to_index(n).filter(|&i| i < items.len()) {
                Some(i) => items.into_iter().nth(i).unwrap_or_else(|| Value::error("index out of range")),
                None => Value::error(format!("index {} is out of range", number_text(n))),
            }
        }
        ValueKind::Object(_) => match functions::to_string(index) {
            Ok(key) => get_key(value, &key),
            Err(e) => e,
        },
        _ => Value::error(format!("cannot index a {}", value.type_name())),
    }
}

fn binary(op: BinaryOperator, lhs: &Value, rhs: &Value) -> Value {
    use BinaryOperator as B;
    match op {
        B::And | B::Or => {
            let as_bool = |v: &Value| match &v.kind {
                ValueKind::Bool(b) => Ok(Some(*b)),
                ValueKind::Unknown(_) => Ok(None),
                _ => Err(Value::error(format!("{} needs bools, not {}", op.as_str(), v.type_name()))),
            };
            let (l, r) = match (as_bool(lhs), as_bool(rhs)) {
                (Ok(l), Ok(r)) => (l, r),
                (Err(e), _) | (_, Err(e)) => return e,
            };
            // A known operand that decides the result wins over an unknown one, as in cty.
            let decisive = op == B::Or;
            if l == Some(decisive) || r == Some(decisive) {
                return Value::new(ValueKind::Bool(decisive));
            }
            match (l, r) {
                (Some(a), Some(b)) => Value::new(ValueKind::Bool(if decisive { a || b } else { a && b })),
                _ => first_unknown_of(lhs, rhs),
            }
        }
        B::Eq | B::NotEq => match equal(lhs, rhs) {
            Some(same) => Value::new(ValueKind::Bool(same == (op == B::Eq))),
            None => first_unknown_of(lhs, rhs),
        },
        _ => {
            if lhs.is_unknown() || rhs.is_unknown() {
                return first_unknown_of(lhs, rhs);
            }
            let (l, r) = match (functions::to_number(lhs), functions::to_number(rhs)) {
                (Ok(l), Ok(r)) => (l, r),
                (Err(e), _) | (_, Err(e)) => return e,
            };
            let number = |n: f64| {
                if n.is_finite() {
                    Value::new(ValueKind::Number(n))
                } else {
                    Value::error("arithmetic overflow")
                }
            };
            match op {
                B::Plus => number(l + r),
                B::Minus => number(l - r),
                B::Mul => number(l * r),
                B::Div if r == 0.0 => Value::error("division by zero"),
                B::Div => number(l / r),
                B::Mod if r == 0.0 => Value::error("modulo by zero"),
                B::Mod => number(l % r),
                B::Less => Value::new(ValueKind::Bool(l < r)),
                B::LessEq => Value::new(ValueKind::Bool(l <= r)),
                B::Greater => Value::new(ValueKind::Bool(l > r)),
                B::GreaterEq => Value::new(ValueKind::Bool(l >= r)),
                B::And | B::Or | B::Eq | B::NotEq => Value::error("unreachable operator"),
            }
        }
    }
}

/// The unknown that makes a combination unknown, errors first (they are what Terraform reports).
pub(crate) fn first_unknown_of(lhs: &Value, rhs: &Value) -> Value {
    let pick = [lhs.first_unknown(), rhs.first_unknown()];
    let chosen = pick.iter().flatten().find(|u| u.error).or_else(|| pick.iter().flatten().next());
    match chosen {
        Some(u) => Value::new(ValueKind::Unknown((*u).clone())),
        None => Value::unknown("unknown"),
    }
}

impl<'a> Evaluator<'a> {
    pub(crate) fn inputs(&self) -> &'a super::Inputs {
        self.inputs
    }

    /// The text of a module file.
    pub(crate) fn source(&self, file: u32) -> Option<&'a str> {
        self.texts.iter().find(|(id, _)| *id == file).map(|(_, t)| *t)
    }

    /// Evaluates an expression of `file` that may hold no references (a variable's default).
    pub(crate) fn eval_literal(&mut self, file: u32, expr: &Expression) -> Value {
        let (saved_file, saved_refs) = (self.file, self.allow_refs);
        self.file = file;
        self.allow_refs = false;
        let value = self.eval(expr);
        self.file = saved_file;
        self.allow_refs = saved_refs;
        value
    }

    /// Evaluates function arguments, for the function library.
    pub(crate) fn arg(&mut self, expr: &Expression) -> Value {
        self.eval(expr)
    }

    pub(crate) fn charge_value(&mut self, value: &Value) -> bool {
        self.charge(value.weight())
    }
}
