//! `when` conditions: a small expression language over params.
//!
//! `and` and `or` hold all their terms in one list, so a condition of
//! thousands of terms is a flat list, never a deep tree: parsing, evaluating
//! and dropping recurse only as deep as the parentheses and `not`s nest, and
//! that is at most [`MAX_CONDITION_DEPTH`](crate::limits::MAX_CONDITION_DEPTH).
//!
//! ```text
//! or   := and ("or" and)*
//! and  := not ("and" not)*
//! not  := "not" not | atom
//! atom := "(" or ")" | "true" | "false" | NAME
//!       | NAME ("==" | "!=" | "<" | "<=" | ">" | ">=") LITERAL
//!       | NAME "in" "[" LITERAL ("," LITERAL)* "]"
//! ```

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use super::params::{ParamDecl, ParamType, Params, Value};
use crate::diag::Suggester;
use crate::limits::MAX_CONDITION_DEPTH;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// A parsed, type-checked `when` condition.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    /// `true` or `false`.
    Const(bool),
    /// A bool param on its own.
    Param(String),
    /// `param op value`.
    Compare {
        /// The param.
        param: String,
        /// The operator.
        op: CompareOp,
        /// The literal.
        value: Value,
    },
    /// `param in [a, b]`.
    In {
        /// The param.
        param: String,
        /// The literals.
        values: Vec<Value>,
    },
    /// `not c`.
    Not(Box<Condition>),
    /// `a and b and …`: all of the terms (two or more).
    And(Vec<Condition>),
    /// `a or b or …`: any of the terms (two or more).
    Or(Vec<Condition>),
}

impl Condition {
    /// Whether the condition holds for a project's params. A param the project
    /// lacks makes its comparison false.
    pub fn eval(&self, params: &Params) -> bool {
        match self {
            Condition::Const(b) => *b,
            Condition::Param(p) => matches!(params.get(p), Some(Value::Bool(true))),
            Condition::Compare { param, op, value } => {
                params.get(param).is_some_and(|v| compare(v, *op, value))
            }
            Condition::In { param, values } => {
                params.get(param).is_some_and(|v| values.iter().any(|x| compare(v, CompareOp::Eq, x)))
            }
            Condition::Not(c) => !c.eval(params),
            Condition::And(terms) => terms.iter().all(|c| c.eval(params)),
            Condition::Or(terms) => terms.iter().any(|c| c.eval(params)),
        }
    }

    /// Every param the condition reads.
    pub fn params(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |c| match c {
            Condition::Param(p) | Condition::Compare { param: p, .. } | Condition::In { param: p, .. } => {
                out.push(p.as_str())
            }
            _ => {}
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Condition)) {
        f(self);
        match self {
            Condition::Not(c) => c.walk(f),
            Condition::And(terms) | Condition::Or(terms) => terms.iter().for_each(|c| c.walk(f)),
            _ => {}
        }
    }
}

fn compare(a: &Value, op: CompareOp, b: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        _ => None,
    };
    let Some(ord) = ord else { return op == CompareOp::Ne };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn lit(v: &Value) -> String {
            match v {
                Value::Text(s) => format!("'{s}'"),
                other => other.to_string(),
            }
        }
        match self {
            Condition::Const(b) => write!(f, "{b}"),
            Condition::Param(p) => write!(f, "{p}"),
            Condition::Compare { param, op, value } => write!(f, "{param} {} {}", op.as_str(), lit(value)),
            Condition::In { param, values } => {
                let vs: Vec<String> = values.iter().map(lit).collect();
                write!(f, "{param} in [{}]", vs.join(", "))
            }
            Condition::Not(c) => write!(f, "not ({c})"),
            Condition::And(terms) => join(f, terms, " and "),
            Condition::Or(terms) => join(f, terms, " or "),
        }
    }
}

/// Writes `(a) and (b) and …`.
fn join(f: &mut fmt::Formatter<'_>, terms: &[Condition], word: &str) -> fmt::Result {
    for (i, c) in terms.iter().enumerate() {
        if i > 0 {
            f.write_str(word)?;
        }
        write!(f, "({c})")?;
    }
    Ok(())
}

/// The declared params of a flow, indexed by name once for all its conditions.
pub(crate) struct Declared {
    decls: Vec<ParamDecl>,
    index: HashMap<String, usize>,
    /// Built at the first unknown name.
    suggester: Option<Suggester>,
}

impl Declared {
    pub fn new() -> Declared {
        Declared { decls: Vec::new(), index: HashMap::new(), suggester: None }
    }

    /// The declaration of `name`.
    pub fn get(&self, name: &str) -> Option<&ParamDecl> {
        self.index.get(name).map(|&i| &self.decls[i])
    }

    /// Adds a declaration; `Err` with the first one when the name is taken.
    ///
    /// # Complexity
    /// O(1) expected.
    pub fn add(&mut self, decl: ParamDecl) -> Result<(), &ParamDecl> {
        match self.index.entry(decl.name.clone()) {
            std::collections::hash_map::Entry::Occupied(e) => Err(&self.decls[*e.get()]),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(self.decls.len());
                self.decls.push(decl);
                Ok(())
            }
        }
    }

    /// The declarations, in file order.
    pub fn into_decls(self) -> Vec<ParamDecl> {
        self.decls
    }

    /// The declared name nearest to `name`, within the suggester's budget.
    fn suggest(&mut self, name: &str) -> Option<&str> {
        let decls = &self.decls;
        self.suggester
            .get_or_insert_with(|| Suggester::new(decls.iter().map(|d| d.name.as_str())))
            .suggest(name)
    }
}

/// A problem in a condition, with byte offsets into the condition text.
#[derive(Debug, PartialEq)]
pub(crate) struct ExprError {
    pub message: String,
    pub start: usize,
    pub end: usize,
    pub help: Option<String>,
    pub unknown_param: bool,
    /// Nested past [`MAX_CONDITION_DEPTH`].
    pub too_deep: bool,
}

impl ExprError {
    fn new(message: impl Into<String>, start: usize, end: usize) -> ExprError {
        ExprError { message: message.into(), start, end, help: None, unknown_param: false, too_deep: false }
    }

    fn help(mut self, h: impl Into<String>) -> ExprError {
        self.help = Some(h.into());
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Num(f64),
    Op(CompareOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

fn lex(text: &str) -> Result<Vec<(Tok, usize, usize)>, ExprError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' | b')' | b'[' | b']' | b',' => {
                i += 1;
                let t = match c {
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b'[' => Tok::LBracket,
                    b']' => Tok::RBracket,
                    _ => Tok::Comma,
                };
                out.push((t, start, i));
            }
            b'=' | b'!' | b'<' | b'>' => {
                let two = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, two) {
                    (b'=', true) => CompareOp::Eq,
                    (b'!', true) => CompareOp::Ne,
                    (b'<', true) => CompareOp::Le,
                    (b'>', true) => CompareOp::Ge,
                    (b'<', false) => CompareOp::Lt,
                    (b'>', false) => CompareOp::Gt,
                    _ => {
                        return Err(ExprError::new(format!("`{}` is not an operator", c as char), i, i + 1)
                            .help("compare with `==`, `!=`, `<`, `<=`, `>`, `>=`; negate with `not`"));
                    }
                };
                i += if two { 2 } else { 1 };
                out.push((Tok::Op(op), start, i));
            }
            b'\'' | b'"' => {
                let Some(len) = text[i + 1..].find(c as char) else {
                    return Err(ExprError::new("unclosed quote", i, text.len())
                        .help("close the text with a matching quote"));
                };
                out.push((Tok::Quoted(text[i + 1..i + 1 + len].to_string()), start, i + len + 2));
                i += len + 2;
            }
            b'0'..=b'9' | b'-' | b'.' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.' || bytes[i] == b'_') {
                    i += 1;
                }
                let s = text[start..i].replace('_', "");
                let n = s
                    .parse::<f64>()
                    .map_err(|_| ExprError::new(format!("`{s}` is not a number"), start, i))?;
                out.push((Tok::Num(n), start, i));
            }
            _ => {
                let rest = &text[i..];
                let len = rest
                    .char_indices()
                    .find(|(_, ch)| !(ch.is_alphanumeric() || *ch == '_' || *ch == '-'))
                    .map_or(rest.len(), |(k, _)| k);
                if len == 0 {
                    let ch = rest.chars().next().unwrap_or(' ');
                    return Err(ExprError::new(format!("unexpected `{ch}`"), i, i + ch.len_utf8()));
                }
                out.push((Tok::Word(rest[..len].to_string()), start, i + len));
                i += len;
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(Tok, usize, usize)>,
    pos: usize,
    len: usize,
    decls: &'a mut Declared,
    depth: usize,
}

/// Parses and type-checks `text` against the declared params.
///
/// # Complexity
/// O(n) for a condition of n bytes; recursion only as deep as parentheses
/// and `not` nest, at most [`MAX_CONDITION_DEPTH`].
pub(crate) fn parse(text: &str, decls: &mut Declared) -> Result<Condition, ExprError> {
    let toks = lex(text)?;
    if toks.is_empty() {
        return Err(ExprError::new("empty condition", 0, text.len())
            .help("write a condition such as `energy_tce >= 1000`, or remove `when`"));
    }
    let mut p = Parser { toks, pos: 0, len: text.len(), decls, depth: 0 };
    let c = p.or()?;
    if let Some((t, s, e)) = p.toks.get(p.pos) {
        return Err(ExprError::new(format!("unexpected {} after a complete condition", describe(t)), *s, *e)
            .help("join conditions with `and` or `or`"));
    }
    Ok(c)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("`{w}`"),
        Tok::Quoted(q) => format!("'{q}'"),
        Tok::Num(n) => format!("`{n}`"),
        Tok::Op(o) => format!("`{}`", o.as_str()),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn end_error(&self, what: &str) -> ExprError {
        ExprError::new(format!("condition ends where {what} was expected"), self.len, self.len)
    }

    fn or(&mut self) -> Result<Condition, ExprError> {
        let mut terms = vec![self.and()?];
        while self.is_word("or") {
            self.pos += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.swap_remove(0) } else { Condition::Or(terms) })
    }

    fn and(&mut self) -> Result<Condition, ExprError> {
        let mut terms = vec![self.not()?];
        while self.is_word("and") {
            self.pos += 1;
            terms.push(self.not()?);
        }
        Ok(if terms.len() == 1 { terms.swap_remove(0) } else { Condition::And(terms) })
    }

    fn not(&mut self) -> Result<Condition, ExprError> {
        self.depth += 1;
        // The condition itself is depth 1: `(` and `not` nest it MAX_CONDITION_DEPTH deep at most.
        if self.depth > MAX_CONDITION_DEPTH + 1 {
            let (s, e) = self.toks.get(self.pos).map_or((self.len, self.len), |t| (t.1, t.2));
            let mut err =
                ExprError::new(format!("condition nested more than {MAX_CONDITION_DEPTH} deep"), s, e)
                    .help("flatten the parentheses and `not`s");
            err.too_deep = true;
            return Err(err);
        }
        let c = if self.is_word("not") {
            self.pos += 1;
            Condition::Not(Box::new(self.not()?))
        } else {
            self.atom()?
        };
        self.depth -= 1;
        Ok(c)
    }

    fn atom(&mut self) -> Result<Condition, ExprError> {
        let Some((tok, s, e)) = self.toks.get(self.pos).cloned() else {
            return Err(self.end_error("a param name"));
        };
        self.pos += 1;
        match tok {
            Tok::LParen => {
                let c = self.or()?;
                match self.toks.get(self.pos) {
                    Some((Tok::RParen, ..)) => {
                        self.pos += 1;
                        Ok(c)
                    }
                    Some((t, s2, e2)) => {
                        Err(ExprError::new(format!("expected `)`, found {}", describe(t)), *s2, *e2))
                    }
                    None => Err(ExprError::new("unclosed `(`", s, e).help("add the matching `)`")),
                }
            }
            Tok::Word(w) if w == "true" || w == "false" => Ok(Condition::Const(w == "true")),
            Tok::Word(name) => self.after_name(name, s, e),
            other => Err(ExprError::new(format!("expected a param name, found {}", describe(&other)), s, e)
                .help("a condition reads like `energy_tce >= 1000` or `standard_land`")),
        }
    }

    fn decl(&mut self, name: &str, s: usize, e: usize) -> Result<ParamDecl, ExprError> {
        if let Some(d) = self.decls.get(name) {
            return Ok(d.clone());
        }
        let help = match self.decls.suggest(name) {
            Some(g) => format!("did you mean `{g}`?"),
            None => format!("declare it under `params:` (e.g. `{name}: {{ type: number, default: 0 }}`)"),
        };
        let mut err = ExprError::new(format!("`when` uses unknown param `{name}`"), s, e).help(help);
        err.unknown_param = true;
        Err(err)
    }

    fn after_name(&mut self, name: String, s: usize, e: usize) -> Result<Condition, ExprError> {
        let decl = self.decl(&name, s, e)?;
        match self.toks.get(self.pos).cloned() {
            Some((Tok::Op(op), ..)) => {
                self.pos += 1;
                let value = self.literal(&decl)?;
                if !matches!(op, CompareOp::Eq | CompareOp::Ne) && decl.ty != ParamType::Number {
                    return Err(ExprError::new(
                        format!(
                            "`{}` only compares numbers, and `{name}` is {}",
                            op.as_str(),
                            decl.ty.as_str()
                        ),
                        s,
                        self.toks[self.pos - 1].2,
                    )
                    .help("use `==` or `!=` for bool and text params"));
                }
                Ok(Condition::Compare { param: name, op, value })
            }
            Some((Tok::Word(w), ..)) if w == "in" => {
                self.pos += 1;
                match self.toks.get(self.pos) {
                    Some((Tok::LBracket, ..)) => self.pos += 1,
                    Some((t, s2, e2)) => {
                        return Err(ExprError::new(
                            format!("expected `[` after `in`, found {}", describe(t)),
                            *s2,
                            *e2,
                        ));
                    }
                    None => return Err(self.end_error("`[`")),
                }
                let mut values = vec![self.literal(&decl)?];
                loop {
                    match self.toks.get(self.pos) {
                        Some((Tok::Comma, ..)) => {
                            self.pos += 1;
                            values.push(self.literal(&decl)?);
                        }
                        Some((Tok::RBracket, ..)) => {
                            self.pos += 1;
                            break;
                        }
                        Some((t, s2, e2)) => {
                            return Err(ExprError::new(
                                format!("expected `,` or `]`, found {}", describe(t)),
                                *s2,
                                *e2,
                            ));
                        }
                        None => return Err(self.end_error("`]`")),
                    }
                }
                Ok(Condition::In { param: name, values })
            }
            _ if decl.ty == ParamType::Bool => Ok(Condition::Param(name)),
            _ => Err(ExprError::new(
                format!("`{name}` is a {} param, not a condition on its own", decl.ty.as_str()),
                s,
                e,
            )
            .help(format!("compare it, e.g. `{name} == ...`"))),
        }
    }

    fn literal(&mut self, decl: &ParamDecl) -> Result<Value, ExprError> {
        let Some((tok, s, e)) = self.toks.get(self.pos).cloned() else {
            return Err(self.end_error("a value"));
        };
        self.pos += 1;
        let value = match (&decl.ty, tok) {
            (ParamType::Number, Tok::Num(n)) => Value::Number(n),
            (ParamType::Bool, Tok::Word(w)) if w == "true" || w == "false" => Value::Bool(w == "true"),
            (ParamType::Text { .. }, Tok::Word(w) | Tok::Quoted(w)) => Value::Text(w),
            (ty, t) => {
                return Err(ExprError::new(
                    format!(
                        "`{}` is {}, so it cannot be compared with {}",
                        decl.name,
                        ty_phrase(ty),
                        describe(&t)
                    ),
                    s,
                    e,
                ));
            }
        };
        if !value.fits(&decl.ty) {
            let allowed = match &decl.ty {
                ParamType::Text { values } => values.join(", "),
                other => other.as_str().to_string(),
            };
            return Err(ExprError::new(format!("`{value}` is not a value of `{}`", decl.name), s, e)
                .help(format!("`{}` is one of: {allowed}", decl.name)));
        }
        Ok(value)
    }
}

fn ty_phrase(ty: &ParamType) -> &'static str {
    match ty {
        ParamType::Number => "a number",
        ParamType::Bool => "a bool",
        ParamType::Text { .. } => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;

    fn decls() -> Vec<ParamDecl> {
        let d = |name: &str, ty: ParamType, default: Value| ParamDecl {
            name: name.into(),
            ty,
            default,
            span: Span::default(),
        };
        vec![
            d("energy_tce", ParamType::Number, Value::Number(0.0)),
            d("standard_land", ParamType::Bool, Value::Bool(false)),
            d(
                "eia",
                ParamType::Text { values: vec!["report".into(), "form".into()] },
                Value::Text("form".into()),
            ),
        ]
    }

    fn declared() -> Declared {
        let mut d = Declared::new();
        for decl in decls() {
            d.add(decl).unwrap();
        }
        d
    }

    fn eval(text: &str, pairs: &[(&str, &str)]) -> bool {
        let c = parse(text, &mut declared()).unwrap();
        c.eval(&Params::bind(&decls(), pairs.iter().copied()).unwrap())
    }

    #[test]
    fn evaluates_comparisons_and_logic() {
        assert!(!eval("energy_tce >= 1000", &[]));
        assert!(eval("energy_tce >= 1000", &[("energy_tce", "1000")]));
        assert!(eval("not standard_land and eia == form", &[]));
        assert!(eval("standard_land or eia in [report, 'form']", &[]));
        assert!(!eval("(standard_land or energy_tce > 5) and true", &[]));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let d = &mut declared();
        let e = parse("energy_tc >= 1", d).unwrap_err();
        assert!(e.unknown_param);
        assert_eq!((e.start, e.end), (0, 9));
        assert_eq!(e.help.as_deref(), Some("did you mean `energy_tce`?"));
        let e = parse("energy_tce >= ", d).unwrap_err();
        assert!(e.message.contains("ends"), "{}", e.message);
        let e = parse("eia == plan", d).unwrap_err();
        assert_eq!((e.start, e.end), (7, 11));
        let e = parse("eia > form", d).unwrap_err();
        assert!(e.message.contains("only compares numbers"));
        let e = parse("energy_tce = 3", d).unwrap_err();
        assert_eq!((e.start, e.end), (11, 12));
    }

    // 50,000 `and`-joined terms overflowed the stack of every command.
    #[test]
    fn a_long_condition_is_one_flat_list_on_a_small_stack() {
        let text = vec!["standard_land"; 50_000].join(" and ") + " or energy_tce > 1";
        let run = move || {
            let c = parse(&text, &mut declared()).unwrap();
            let Condition::Or(terms) = &c else { panic!("{c:?}") };
            assert!(matches!(&terms[0], Condition::And(t) if t.len() == 50_000));
            let p = Params::bind(&decls(), [("standard_land", "true")]).unwrap();
            (c.eval(&p), c.params().len(), c.to_string().len())
        };
        let (holds, params, shown) =
            std::thread::Builder::new().stack_size(256 << 10).spawn(run).unwrap().join().unwrap();
        assert!(holds);
        assert_eq!(params, 50_001);
        assert!(shown > 50_000 * 13);
    }

    #[test]
    fn nesting_past_the_limit_is_refused() {
        // 32 deep as documented, not 31: crates/shenpi-cli/tests/limits.rs found it one short.
        let ok = "(".repeat(MAX_CONDITION_DEPTH) + "standard_land" + &")".repeat(MAX_CONDITION_DEPTH);
        assert!(parse(&ok, &mut declared()).is_ok());
        assert!(parse(&("not ".repeat(MAX_CONDITION_DEPTH) + "standard_land"), &mut declared()).is_ok());
        let deep = "not ".repeat(MAX_CONDITION_DEPTH + 1) + "standard_land";
        let e = parse(&deep, &mut declared()).unwrap_err();
        assert!(e.too_deep, "{}", e.message);
        let deep = "(".repeat(10_000) + "standard_land" + &")".repeat(10_000);
        assert!(parse(&deep, &mut declared()).unwrap_err().too_deep);
    }
}
