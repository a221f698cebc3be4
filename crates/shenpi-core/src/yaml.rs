//! Reading YAML with source positions, collecting diagnostics as we go.
//!
//! Both the flow loader (`model`) and the calendar loader (`calendar`) walk a
//! `saphyr` tree of [`MarkedYaml`] nodes through a [`Reader`]. Every getter
//! reports what is wrong at the node's exact span and returns `None`, so a
//! loader can go on and report every problem in a file in one run.

use std::borrow::Cow;

use saphyr::{MarkedYaml, Scalar, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::{BufferedInput, Event, Parser, SpannedEventReceiver};

use crate::diag::{Code, Diagnostic, Source, Span, suggest};
use crate::limits::{MAX_ID_LEN, MAX_YAML_DEPTH};

/// A parsed YAML node with positions.
pub(crate) type Node<'a> = MarkedYaml<'a>;

/// Collects diagnostics while reading one source.
pub(crate) struct Reader<'s> {
    pub source: &'s Source,
    pub diags: Vec<Diagnostic>,
}

/// Parses the single document of `source`; `Ok(None)` for an empty file.
///
/// Anchors and aliases are refused (an alias would expand a subtree the
/// reader cannot see, and a flow is read by people first).
pub(crate) fn parse(source: &Source) -> Result<Option<Node<'_>>, Box<Diagnostic>> {
    let mut guard = Guard {
        loader: YamlLoader::default(),
        refused: None,
        documents: 0,
        second_document: None,
        depth: 0,
        too_deep: None,
    };
    // Events are pulled one by one: saphyr's own `Parser::load` recurses once per level of nesting.
    let mut scanned = Ok(());
    for event in Parser::new(BufferedInput::new(source.text().chars())) {
        match event {
            Ok((event, span)) => guard.on_event(event, span),
            Err(e) => {
                scanned = Err(e);
                break;
            }
        }
        if guard.too_deep.is_some() || guard.second_document.is_some() {
            break;
        }
    }
    let at = |char_index: usize| {
        let at = source.char_to_byte(char_index);
        Span::new(at, at)
    };
    if let Some(start) = guard.too_deep {
        return Err(Box::new(
            Diagnostic::error(Code::TooLarge, format!("YAML nested more than {MAX_YAML_DEPTH} deep"))
                .at(at(start), "too deep")
                .help("a flow nests a few levels of stages, blocks and steps; flatten this nesting"),
        ));
    }
    if let Some((start, end, what)) = guard.refused {
        let span = Span::new(source.char_to_byte(start), source.char_to_byte(end));
        return Err(Box::new(
            Diagnostic::error(Code::Syntax, format!("YAML {what}s are not supported"))
                .at(span, format!("{what} here"))
                .help("write the value out in full where it is used"),
        ));
    }
    let error = scanned.err().or_else(|| guard.loader.error().cloned());
    if let Some(e) = error {
        return Err(Box::new(
            Diagnostic::error(Code::Syntax, format!("malformed YAML: {}", e.info()))
                .at(at(e.marker().index()), "")
                .help("check indentation and that every `key: value` pair and list item is well-formed"),
        ));
    }
    if let Some(start) = guard.second_document {
        return Err(Box::new(
            Diagnostic::error(Code::Syntax, "more than one YAML document in the file")
                .at(at(start), "a second document starts here")
                .help("keep one document per file; remove the `---` separator"),
        ));
    }
    Ok(guard.loader.into_documents().pop())
}

/// Passes parser events on to saphyr's tree builder, noting the first anchor
/// or alias (and handing the builder a plain value in its place, so nothing
/// is ever expanded) and where a second document starts (never built).
struct Guard<'input> {
    loader: YamlLoader<'input, Node<'input>>,
    /// Character range of the first anchor or alias, and which it was.
    refused: Option<(usize, usize, &'static str)>,
    documents: usize,
    /// Character index where a second document starts.
    second_document: Option<usize>,
    /// How many collections are open.
    depth: usize,
    /// Character index of the first collection past [`MAX_YAML_DEPTH`]; from
    /// there on nothing reaches the builder (a deep tree would overflow the
    /// stack when dropped).
    too_deep: Option<usize>,
}

impl<'input> SpannedEventReceiver<'input> for Guard<'input> {
    fn on_event(&mut self, event: Event<'input>, span: saphyr_parser::Span) {
        if let Event::DocumentStart(_) = event {
            self.documents += 1;
            if self.documents == 2 {
                self.second_document = Some(span.start.index());
            }
        }
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                self.depth += 1;
                if self.depth > MAX_YAML_DEPTH {
                    self.too_deep.get_or_insert(span.start.index());
                }
            }
            Event::SequenceEnd | Event::MappingEnd => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        if self.documents > 1 || self.too_deep.is_some() {
            return;
        }
        let mut refuse = |what| {
            self.refused.get_or_insert((span.start.index(), span.end.index(), what));
        };
        let event = match event {
            Event::Alias(_) => {
                refuse("alias");
                Event::Scalar(Cow::Borrowed("~"), ScalarStyle::Plain, 0, None)
            }
            Event::Scalar(value, style, anchor, tag) if anchor > 0 => {
                refuse("anchor");
                Event::Scalar(value, style, 0, tag)
            }
            Event::SequenceStart(anchor, tag) if anchor > 0 => {
                refuse("anchor");
                Event::SequenceStart(0, tag)
            }
            Event::MappingStart(anchor, tag) if anchor > 0 => {
                refuse("anchor");
                Event::MappingStart(0, tag)
            }
            other => other,
        };
        self.loader.on_event(event, span);
    }
}

/// A mapping whose keys have been checked against the allowed set.
pub(crate) struct Fields<'a> {
    pub span: Span,
    entries: Vec<(&'a str, Span, &'a Node<'a>)>,
    /// Keys suggested for misspelt ones: not reported missing a second time.
    suggested: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// The value under `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a Node<'a>> {
        self.entries.iter().find(|e| e.0 == key).map(|e| e.2)
    }

    /// The span of `key` itself, if present.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries.iter().find(|e| e.0 == key).map(|e| e.1)
    }

    /// How many allowed keys are present.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// The type of a node, for "expected X, found Y" messages.
pub(crate) fn type_name(node: &Node<'_>) -> &'static str {
    match &node.data {
        YamlData::Value(Scalar::Null) => "nothing",
        YamlData::Value(Scalar::Boolean(_)) => "a boolean",
        YamlData::Value(Scalar::Integer(_)) => "a whole number",
        YamlData::Value(Scalar::FloatingPoint(_)) => "a decimal number",
        YamlData::Value(Scalar::String(_)) => "text",
        YamlData::Sequence(_) => "a list",
        YamlData::Mapping(_) => "a mapping",
        YamlData::Alias(_) => "an alias",
        YamlData::Tagged(..) => "a tagged value",
        YamlData::Representation(..) | YamlData::BadValue => "an unreadable value",
    }
}

impl<'s> Reader<'s> {
    pub fn new(source: &'s Source) -> Reader<'s> {
        Reader { source, diags: Vec::new() }
    }

    /// The byte span of a node.
    pub fn span(&self, node: &Node<'_>) -> Span {
        let start = self.source.char_to_byte(node.span.start.index());
        let end = self.source.char_to_byte(node.span.end.index());
        Span::new(start, end.max(start))
    }

    /// The span of `value[range]` inside the scalar `node` whose text is
    /// `value`: exact for plain and simply quoted scalars on one line, the
    /// whole node otherwise (escapes and folding move characters around).
    pub fn part_span(&self, node: &Node<'_>, value: &str, range: std::ops::Range<usize>) -> Span {
        let whole = self.span(node);
        let raw = self.source.text().get(whole.start..).unwrap_or("");
        let skip = if raw.starts_with(value) {
            Some(0)
        } else if raw.get(1..).is_some_and(|r| r.starts_with(value)) {
            Some(1)
        } else {
            None
        };
        match skip {
            Some(k) => Span::new(whole.start + k + range.start, whole.start + k + range.end),
            None => whole,
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Reports "expected `what`" at `node`.
    pub fn wrong_type(&mut self, node: &Node<'_>, key: &str, what: &str) {
        let found = type_name(node);
        self.push(
            Diagnostic::error(Code::WrongType, format!("`{key}` must be {what}, found {found}"))
                .at(self.span(node), format!("expected {what}")),
        );
    }

    /// Checks that `node` is a mapping whose keys are all in `allowed`; every
    /// unknown key is reported with the nearest allowed one.
    pub fn fields<'a>(
        &mut self,
        node: &'a Node<'a>,
        what: &str,
        allowed: &[&'static str],
    ) -> Option<Fields<'a>> {
        let YamlData::Mapping(map) = &node.data else {
            self.wrong_type(node, what, "a mapping of `key: value` lines");
            return None;
        };
        let mut entries = Vec::with_capacity(map.len());
        let mut suggested = Vec::new();
        for (k, v) in map {
            let key_span = self.span(k);
            let Some(key) = k.data.as_str() else {
                self.push(
                    Diagnostic::error(
                        Code::UnknownKey,
                        format!("{what} keys must be text, found {}", type_name(k)),
                    )
                    .at(key_span, "not a key name"),
                );
                continue;
            };
            if !allowed.contains(&key) {
                let mut d = Diagnostic::error(Code::UnknownKey, format!("unknown key `{key}` in {what}"))
                    .at(key_span, "not a key of this format");
                d = match suggest(key, allowed.iter().copied()) {
                    Some(s) => {
                        suggested.push(s);
                        d.help(format!("did you mean `{s}`?"))
                    }
                    None => d.help(format!("the keys of {what} are: {}", allowed.join(", "))),
                };
                self.push(d);
                continue;
            }
            entries.push((key, key_span, v));
        }
        Some(Fields { span: self.span(node), entries, suggested })
    }

    /// Reports a missing required key at the mapping.
    pub fn missing(&mut self, fields: &Fields<'_>, what: &str, key: &str, help: &str) {
        if fields.suggested.contains(&key) {
            return; // already reported as a misspelling of `key`
        }
        let at = Span::new(fields.span.start, fields.span.start);
        self.push(
            Diagnostic::error(Code::MissingField, format!("{what} has no `{key}`"))
                .at(at, format!("`{key}` is required here"))
                .help(help.to_string()),
        );
    }

    /// The source text of a node, as written.
    fn written(&self, node: &Node<'_>) -> &'s str {
        let span = self.span(node);
        self.source.text().get(span.start..span.end).unwrap_or("")
    }

    /// A text value. A plain scalar that reads as a number or a boolean is
    /// taken exactly as written: `dept: 0571` is `0571`, `id: 007` is `007`,
    /// `name: 0x10` is `0x10`.
    pub fn text(&mut self, node: &Node<'_>, key: &str) -> Option<String> {
        match &node.data {
            YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
            YamlData::Value(Scalar::Integer(_) | Scalar::FloatingPoint(_) | Scalar::Boolean(_)) => {
                Some(self.written(node).to_string())
            }
            _ => {
                self.wrong_type(node, key, "text");
                None
            }
        }
    }

    /// An identifier: non-empty, `[A-Za-z0-9_-]`, so it is safe in files, URLs and SVG,
    /// and at most [`MAX_ID_LEN`] bytes long.
    pub fn id(&mut self, node: &Node<'_>, key: &str) -> Option<(String, Span)> {
        let s = self.text(node, key)?;
        let span = self.span(node);
        if s.len() > MAX_ID_LEN {
            self.push(
                Diagnostic::error(Code::TooLarge, format!("an id of {} bytes is too long", s.len()))
                    .at(Span::new(span.start, span.start), format!("at most {MAX_ID_LEN} bytes"))
                    .help("use a short latin id such as `land-planning`, and put the full title in `name`"),
            );
            return None;
        }
        let ok = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            self.push(
                Diagnostic::error(Code::InvalidValue, format!("`{s}` is not a valid id"))
                    .at(span, "ids may hold only ASCII letters, digits, `-` and `_`")
                    .help(
                        "use a short latin id such as `land-planning`, and put the Chinese title in `name`",
                    ),
            );
            return None;
        }
        Some((s, span))
    }

    /// A whole number of working days, not negative.
    pub fn days(&mut self, node: &Node<'_>, key: &str) -> Option<u32> {
        let written = self.written(node);
        match &node.data {
            YamlData::Value(Scalar::Integer(i)) if *i < 0 => {
                self.negative_days(node, key, written);
                None
            }
            YamlData::Value(Scalar::Integer(i)) => match u32::try_from(*i) {
                Ok(d) if d <= MAX_DAYS => Some(d),
                _ => {
                    self.too_many_days(node, key, written);
                    None
                }
            },
            // A whole number too large for an integer reads as a float: still a number of days.
            YamlData::Value(Scalar::FloatingPoint(f)) if f.into_inner() < 0.0 => {
                self.negative_days(node, key, written);
                None
            }
            YamlData::Value(Scalar::FloatingPoint(f)) if f.into_inner() > f64::from(MAX_DAYS) => {
                self.too_many_days(node, key, written);
                None
            }
            _ => {
                self.wrong_type(node, key, "a whole number of working days");
                None
            }
        }
    }

    fn negative_days(&mut self, node: &Node<'_>, key: &str, written: &str) {
        self.push(
            Diagnostic::error(Code::NegativeDays, format!("`{key}` is {written} days, which is negative"))
                .at(self.span(node), "days cannot be negative")
                .help("use 0 for an item decided on the spot (即办)"),
        );
    }

    fn too_many_days(&mut self, node: &Node<'_>, key: &str, written: &str) {
        self.push(
            Diagnostic::error(Code::InvalidValue, format!("`{key}` is {written} days, which is too large"))
                .at(self.span(node), format!("at most {MAX_DAYS} working days")),
        );
    }

    /// Any number (integers widen).
    pub fn number(&mut self, node: &Node<'_>, key: &str) -> Option<f64> {
        match &node.data {
            YamlData::Value(Scalar::Integer(i)) => Some(*i as f64),
            YamlData::Value(Scalar::FloatingPoint(f)) if f.is_finite() => Some(f.into_inner()),
            YamlData::Value(Scalar::FloatingPoint(f)) if f.is_infinite() => {
                let written = self.written(node);
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`{key}` is {written}, which is too large"),
                    )
                    .at(self.span(node), "not a finite number"),
                );
                None
            }
            _ => {
                self.wrong_type(node, key, "a number");
                None
            }
        }
    }

    /// A non-negative number of days (decimals allowed, for duration models).
    pub fn span_days(&mut self, node: &Node<'_>, key: &str) -> Option<f64> {
        let n = self.number(node, key)?;
        if n < 0.0 {
            self.push(
                Diagnostic::error(Code::NegativeDays, format!("`{key}` is {n} days, which is negative"))
                    .at(self.span(node), "days cannot be negative"),
            );
            return None;
        }
        if n > f64::from(MAX_DAYS) {
            self.push(
                Diagnostic::error(Code::InvalidValue, format!("`{key}` is {n} days, more than allowed"))
                    .at(self.span(node), format!("at most {MAX_DAYS} working days")),
            );
            return None;
        }
        Some(n)
    }

    pub fn boolean(&mut self, node: &Node<'_>, key: &str) -> Option<bool> {
        match &node.data {
            YamlData::Value(Scalar::Boolean(b)) => Some(*b),
            _ => {
                self.wrong_type(node, key, "`true` or `false`");
                None
            }
        }
    }

    pub fn list<'a>(&mut self, node: &'a Node<'a>, key: &str) -> Option<&'a [Node<'a>]> {
        match &node.data {
            YamlData::Sequence(items) => Some(items),
            _ => {
                self.wrong_type(node, key, "a list (`[a, b]` or lines starting with `- `)");
                None
            }
        }
    }

    /// A text or a list of texts.
    pub fn texts(&mut self, node: &Node<'_>, key: &str) -> Option<Vec<String>> {
        match &node.data {
            YamlData::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    out.push(self.text(it, key)?);
                }
                Some(out)
            }
            _ => self.text(node, key).map(|s| vec![s]),
        }
    }

    /// One of a fixed set of words.
    pub fn choice<T: Copy>(&mut self, node: &Node<'_>, key: &str, options: &[(&str, T)]) -> Option<T> {
        let s = self.text(node, key)?;
        if let Some((_, v)) = options.iter().find(|(k, _)| *k == s) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|o| o.0).collect();
        let mut d = Diagnostic::error(Code::InvalidValue, format!("`{s}` is not a valid `{key}`"))
            .at(self.span(node), format!("expected one of: {}", names.join(", ")));
        if let Some(g) = suggest(&s, names.iter().copied()) {
            d = d.help(format!("did you mean `{g}`?"));
        }
        self.push(d);
        None
    }
}

/// The largest number of working days any field may hold (about 40 years).
pub const MAX_DAYS: u32 = 10_000;
