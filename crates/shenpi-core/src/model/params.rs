//! Project attributes (`params`) that switch steps on and off.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::diag::Span;
use crate::error::Error;

/// The type of a declared param.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ParamType {
    /// A number (tonnes of coal equivalent, square metres, …).
    Number,
    /// Yes or no.
    Bool,
    /// A word, optionally from a fixed list.
    Text {
        /// The allowed words; empty means any.
        values: Vec<String>,
    },
}

impl ParamType {
    /// `number`, `bool` or `text`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ParamType::Number => "number",
            ParamType::Bool => "bool",
            ParamType::Text { .. } => "text",
        }
    }
}

/// A declared param.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamDecl {
    /// Its name, as conditions use it.
    pub name: String,
    /// Its type.
    pub ty: ParamType,
    /// The value when a project does not give one.
    pub default: Value,
    /// Where it is declared.
    pub span: Span,
}

/// A param value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// A number.
    Number(f64),
    /// Yes or no.
    Bool(bool),
    /// A word.
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(s) => write!(f, "{s}"),
        }
    }
}

impl Value {
    /// Parses a value of type `ty` from text, as typed on a command line.
    pub fn parse(ty: &ParamType, text: &str) -> Result<Value, String> {
        match ty {
            ParamType::Number => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Value::Number)
                .ok_or_else(|| format!("`{text}` is not a number")),
            ParamType::Bool => match text.trim() {
                "true" | "yes" | "1" => Ok(Value::Bool(true)),
                "false" | "no" | "0" => Ok(Value::Bool(false)),
                _ => Err(format!("`{text}` is not `true` or `false`")),
            },
            ParamType::Text { values } => {
                if values.is_empty() || values.iter().any(|v| v == text) {
                    Ok(Value::Text(text.to_string()))
                } else {
                    Err(format!("`{text}` is not one of: {}", values.join(", ")))
                }
            }
        }
    }

    /// True when the value has type `ty` (and is one of its allowed words).
    pub fn fits(&self, ty: &ParamType) -> bool {
        match (self, ty) {
            (Value::Number(_), ParamType::Number) | (Value::Bool(_), ParamType::Bool) => true,
            (Value::Text(s), ParamType::Text { values }) => values.is_empty() || values.contains(s),
            _ => false,
        }
    }
}

/// Values for every declared param of a flow: what a project is.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Params(BTreeMap<String, Value>);

impl Params {
    /// Every param at its default.
    pub fn defaults(decls: &[ParamDecl]) -> Params {
        Params(decls.iter().map(|d| (d.name.clone(), d.default.clone())).collect())
    }

    /// Defaults overridden by `K=V` pairs, each checked against its declaration.
    ///
    /// # Errors
    /// A name that is not declared, a value that does not fit its type, or a
    /// name given twice (`k=1` then `k=2` is a slip, not an override).
    ///
    /// # Complexity
    /// O((d + p) log d) for d declared params and p pairs.
    pub fn bind<'a>(
        decls: &[ParamDecl],
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Params, Error> {
        let mut params = Params::defaults(decls);
        let by_name: BTreeMap<&str, &ParamDecl> = decls.iter().map(|d| (d.name.as_str(), d)).collect();
        let mut given = std::collections::BTreeSet::new();
        for (k, v) in pairs {
            let Some(decl) = by_name.get(k) else {
                return Err(Error::param(format!(
                    "unknown param `{}`; {}",
                    crate::diag::clip(k),
                    declared_hint(k, decls)
                )));
            };
            if !given.insert(k) {
                return Err(Error::param(format!("param `{k}` is given twice; give each param once")));
            }
            let value = Value::parse(&decl.ty, v).map_err(|e| Error::param(format!("param `{k}`: {e}")))?;
            params.0.insert(k.to_string(), value);
        }
        Ok(params)
    }

    /// Sets a value directly (for programs that build params without text).
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.0.insert(name.into(), value);
    }

    /// The value of a param.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// Every value, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// What to say about an unknown param name: the nearest declared one, or
/// which are declared (the first twenty of many).
fn declared_hint(name: &str, decls: &[ParamDecl]) -> String {
    const LISTED: usize = 20;
    let names: Vec<&str> = decls.iter().map(|d| d.name.as_str()).collect();
    match crate::diag::suggest(name, names.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if names.is_empty() => "this flow declares no params".to_string(),
        None if names.len() > LISTED => {
            format!("the flow declares {}, … ({} in all)", names[..LISTED].join(", "), names.len())
        }
        None => format!("the flow declares: {}", names.join(", ")),
    }
}
