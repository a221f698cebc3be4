//! Reading YAML with source positions, collecting diagnostics as we go.
//!
//! [`parse`] pulls saphyr-parser's events (each with its span) and builds a
//! lean tree of [`Node`]s directly from them: byte spans, scalars resolved
//! once and borrowed from the text when written plainly, mappings as slices
//! of pairs. Both the flow loader (`model`) and the calendar loader
//! (`calendar`) walk that tree through a [`Reader`]. Every getter reports
//! what is wrong at the node's exact span and returns `None`, so a loader can
//! go on and report every problem in a file in one run.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use saphyr::Scalar;
use saphyr_parser::{Event, Parser, Tag};

use crate::diag::{Code, Diagnostic, Source, Span, suggest};
use crate::limits::{MAX_ID_LEN, MAX_YAML_DEPTH};

pub(crate) mod fast;

/// A parsed YAML node: its byte span in the source and its value.
#[derive(Debug)]
pub(crate) struct Node<'a> {
    start: u32,
    end: u32,
    pub data: Data<'a>,
}

/// The value of a [`Node`], resolved by the YAML core schema as saphyr does.
#[derive(Debug)]
pub(crate) enum Data<'a> {
    Null,
    Boolean(bool),
    Integer(i64),
    Float(f64),
    /// Text written plainly: exactly the node's source text.
    Borrowed(&'a str),
    /// Text that differs from its source (quoted, escaped, folded).
    Owned(Box<str>),
    Sequence(Box<[Node<'a>]>),
    Mapping(Box<[(Node<'a>, Node<'a>)]>),
    /// A value with a tag outside the core schema (`!thing 5`): the tag, then the value.
    Tagged(Box<(Box<str>, Node<'a>)>),
    /// A scalar that cannot be read as its core-schema tag says (`!!int x`), or an empty document.
    Bad,
    /// A block list that `model`'s reader of plain flows took straight from
    /// the events, by its number in file order; never built by [`parse`].
    Taken(u32),
}

impl<'a> Node<'a> {
    /// A node spanning bytes `start..end`.
    pub fn new(start: u32, end: u32, data: Data<'a>) -> Node<'a> {
        Node { start, end, data }
    }

    /// The text of a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.data {
            Data::Borrowed(s) => Some(s),
            Data::Owned(s) => Some(s),
            _ => None,
        }
    }

    /// The keys and values of a mapping; nothing for any other node.
    pub fn pairs(&self) -> &[(Node<'a>, Node<'a>)] {
        match &self.data {
            Data::Mapping(pairs) => pairs,
            _ => &[],
        }
    }

    /// The keys of a mapping; nothing for any other node.
    pub fn keys(&self) -> impl Iterator<Item = &Node<'a>> {
        self.pairs().iter().map(|(k, _)| k)
    }

    /// True for a mapping.
    pub fn is_mapping(&self) -> bool {
        matches!(self.data, Data::Mapping(_))
    }
}

/// Collects diagnostics while reading one source.
pub(crate) struct Reader<'s> {
    pub source: &'s Source,
    pub diags: Vec<Diagnostic>,
}

/// Parses the single document of `source`; `Ok(None)` for an empty file.
///
/// Anchors and aliases are refused (an alias would expand a subtree the
/// reader cannot see, and a flow is read by people first); so are a second
/// document, nesting deeper than [`MAX_YAML_DEPTH`], a key written twice in
/// one mapping, and text longer than spans can count (4 GiB; files are
/// capped far below).
///
/// # Complexity
/// **O(n)** time in the text's length (a mapping's keys are compared through
/// a hash set once it has more than a few); the tree takes about 32 bytes a
/// node besides the text.
pub(crate) fn parse(source: &Source) -> Result<Option<Node<'_>>, Box<Diagnostic>> {
    let text = source.text();
    if u32::try_from(text.len()).is_err() {
        return Err(Box::new(
            Diagnostic::error(Code::TooLarge, "the text is too large to read")
                .at(Span::new(0, 0), "4 GiB or more")
                .help("split the file"),
        ));
    }
    // The common shape of a large flow is read without saphyr-parser; anything
    // else, and anything the builder would refuse, is read again in full.
    match fast::parse(text) {
        Some(root) => Ok(Some(root)),
        None => full(text),
    }
}

/// [`parse`] through saphyr-parser's events: any YAML, with its errors.
fn full(text: &str) -> Result<Option<Node<'_>>, Box<Diagnostic>> {
    let mut b = Builder::new(text);
    let mut cursor = Cursor { text, chars: 0, bytes: 0 };
    // Events are pulled one by one: saphyr's own `Parser::load` recurses once per level of nesting.
    let mut scanned = Ok(());
    for event in Parser::new_from_str(text) {
        match event {
            Ok((event, span)) => {
                let (start, end) = cursor.span(span);
                b.on_event(event, start, end);
            }
            Err(e) => {
                scanned = Err(e);
                break;
            }
        }
        if b.too_deep.is_some() || b.second_document.is_some() {
            break;
        }
    }
    let at = |byte: usize| Span::new(byte, byte);
    if let Some(start) = b.too_deep {
        return Err(Box::new(
            Diagnostic::error(Code::TooLarge, format!("YAML nested more than {MAX_YAML_DEPTH} deep"))
                .at(at(start), "too deep")
                .help("a flow nests a few levels of stages, blocks and steps; flatten this nesting"),
        ));
    }
    if let Some((span, what)) = b.refused {
        return Err(Box::new(
            Diagnostic::error(Code::Syntax, format!("YAML {what}s are not supported"))
                .at(span, format!("{what} here"))
                .help("write the value out in full where it is used"),
        ));
    }
    let error = match scanned {
        Err(e) => Some((cursor.byte(e.marker().index()), e.info().to_string())),
        Ok(()) => b.duplicate.map(|at| (at, "duplicated key in mapping".to_string())),
    };
    if let Some((start, info)) = error {
        return Err(Box::new(
            Diagnostic::error(Code::Syntax, format!("malformed YAML: {info}"))
                .at(at(start), "")
                .help("check indentation and that every `key: value` pair and list item is well-formed"),
        ));
    }
    if let Some(start) = b.second_document {
        return Err(Box::new(
            Diagnostic::error(Code::Syntax, "more than one YAML document in the file")
                .at(at(start), "a second document starts here")
                .help("keep one document per file; remove the `---` separator"),
        ));
    }
    Ok(b.root.or(b.empty_document))
}

/// Turns the 0-based character indices the parser reports into byte
/// offsets. Events arrive nearly in order, so walking from the last answer
/// costs about one step per character of the text in all.
struct Cursor<'a> {
    text: &'a str,
    chars: usize,
    bytes: usize,
}

impl Cursor<'_> {
    fn byte(&mut self, char_index: usize) -> usize {
        let b = self.text.as_bytes();
        while self.chars < char_index && self.bytes < b.len() {
            self.bytes += 1;
            while self.bytes < b.len() && !self.text.is_char_boundary(self.bytes) {
                self.bytes += 1;
            }
            self.chars += 1;
        }
        while self.chars > char_index {
            self.bytes -= 1;
            while !self.text.is_char_boundary(self.bytes) {
                self.bytes -= 1;
            }
            self.chars -= 1;
        }
        self.bytes
    }

    fn span(&mut self, span: saphyr_parser::Span) -> (u32, u32) {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        // OK because `parse` refuses texts of 4 GiB or more.
        (start as u32, end as u32)
    }
}

/// A collection being built: its start, its tag, where its items begin on
/// the builder's stack (a mapping's as key, value, key, value, …).
struct Open {
    start: u32,
    tag: Option<Box<str>>,
    mapping: bool,
    base: usize,
    /// Where a duplicate of the key waiting for its value is reported.
    key_mark: u32,
    /// A mapping's keys, once there are too many to compare one by one.
    seen: Option<HashSet<KeyOf>>,
}

/// Builds the tree from parser events, noting the first anchor or alias
/// (and taking a plain `~` in its place, so nothing is ever expanded), the
/// first key written twice in a mapping, and where a second document starts
/// (never built). The checks and their order are those of saphyr's loader,
/// so a file is refused for the same reason at the same place.
pub(crate) struct Builder<'a> {
    /// The text, for telling plain scalars that equal their source.
    text: &'a str,
    open: Vec<Open>,
    /// The items of every open collection, innermost last: one allocation
    /// per finished collection, of its exact size.
    items: Vec<Node<'a>>,
    root: Option<Node<'a>>,
    /// An empty document's node, taken when nothing else was built.
    empty_document: Option<Node<'a>>,
    /// Byte offset of the first key written twice in one mapping.
    duplicate: Option<usize>,
    /// Byte span of the first anchor or alias, and which it was.
    refused: Option<(Span, &'static str)>,
    documents: usize,
    /// Byte offset where a second document starts.
    second_document: Option<usize>,
    /// Byte offset of the first collection past [`MAX_YAML_DEPTH`]; from there
    /// on nothing is built.
    too_deep: Option<usize>,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(text: &'a str) -> Builder<'a> {
        Builder {
            text,
            open: Vec::new(),
            items: Vec::new(),
            root: None,
            empty_document: None,
            duplicate: None,
            refused: None,
            documents: 0,
            second_document: None,
            too_deep: None,
        }
    }

    /// The document's root when the events made exactly one document and
    /// nothing was refused (no key twice, no anchor or alias, not too deep).
    pub(crate) fn accepted(self) -> Option<Node<'a>> {
        let refused = self.duplicate.is_some() || self.refused.is_some() || self.too_deep.is_some();
        if refused || self.documents != 1 {
            return None;
        }
        self.root
    }

    /// Puts a block list read elsewhere (see [`Data::Taken`]) where it stands, at `start..end`.
    pub(crate) fn taken(&mut self, list: u32, start: u32, end: u32) {
        self.insert(Node { start, end, data: Data::Taken(list) }, start);
    }

    /// Takes one event whose span is `start..end` in bytes.
    fn on_event(&mut self, event: Event<'a>, start: u32, end: u32) {
        if let Event::DocumentStart(_) = event {
            self.documents += 1;
            if self.documents == 2 {
                self.second_document = Some(start as usize);
            }
        }
        if let Event::SequenceStart(..) | Event::MappingStart(..) = event {
            if self.open.len() >= MAX_YAML_DEPTH {
                self.too_deep.get_or_insert(start as usize);
            }
        }
        if self.documents > 1 || self.too_deep.is_some() {
            return;
        }
        let mut refuse = |anchor: usize, what| {
            if anchor > 0 {
                self.refused.get_or_insert((Span::new(start as usize, end as usize), what));
            }
        };
        let mapping = matches!(event, Event::MappingStart(..));
        match event {
            Event::Alias(_) => {
                refuse(1, "alias");
                self.insert(Node { start, end, data: Data::Null }, start);
            }
            Event::Scalar(value, style, anchor, tag) => {
                refuse(anchor, "anchor");
                // A tag outside the core schema wraps the value read as untagged.
                let custom = custom_tag(tag.as_deref());
                let core = if custom.is_some() { None } else { tag.as_deref() };
                let data = resolve(self.text, value, style, core, start, end);
                let data = match custom {
                    Some(tag) => Data::Tagged(Box::new((tag, Node { start, end, data }))),
                    None => data,
                };
                self.insert(Node { start, end, data }, start);
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                refuse(anchor, "anchor");
                let tag = custom_tag(tag.as_deref());
                let base = self.items.len();
                self.open.push(Open { start, tag, mapping, base, key_mark: 0, seen: None });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // OK to skip when nothing is open: the parser balances its events.
                let Some(open) = self.open.pop() else { return };
                let data = if open.mapping {
                    let mut items = self.items.drain(open.base..);
                    let mut pairs = Vec::with_capacity(items.len() / 2);
                    while let (Some(k), Some(v)) = (items.next(), items.next()) {
                        pairs.push((k, v));
                    }
                    Data::Mapping(pairs.into_boxed_slice())
                } else {
                    Data::Sequence(self.items.drain(open.base..).collect())
                };
                let node = Node { start: open.start, end: start.max(open.start), data };
                let node = match open.tag {
                    Some(tag) => tagged(tag, node),
                    None => node,
                };
                // A collection used as a key is marked where it ends, as saphyr does.
                self.insert(node, start);
            }
            Event::DocumentEnd => {
                if self.root.is_none() && self.empty_document.is_none() {
                    self.empty_document = Some(Node { start, end, data: Data::Bad });
                }
            }
            Event::DocumentStart(_) | Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }

    /// Puts a finished node into the collection that is open, or makes it the
    /// document's root; `mark` is where a duplicate key is reported.
    fn insert(&mut self, node: Node<'a>, mark: u32) {
        let Some(parent) = self.open.last_mut() else {
            if self.documents == 1 && self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        if !parent.mapping {
            self.items.push(node);
            return;
        }
        let mine = &self.items[parent.base..];
        match mine.last() {
            // A value for the key written last.
            Some(key) if mine.len() % 2 == 1 && !matches!(key.data, Data::Bad) => {
                // Only the first duplicate is reported, so later ones need no search.
                let earlier = &mine[..mine.len() - 1];
                if self.duplicate.is_none() && is_duplicate(earlier, &mut parent.seen, key) {
                    self.duplicate = Some(parent.key_mark as usize);
                }
                self.items.push(node);
            }
            // An unreadable key is taken for no key, as saphyr's loader does.
            Some(_) if mine.len() % 2 == 1 => {
                parent.key_mark = mark;
                if let Some(last) = self.items.last_mut() {
                    *last = node;
                }
            }
            _ => {
                parent.key_mark = mark;
                self.items.push(node);
            }
        }
    }
}

/// The value of a scalar written at `start..end` of `text`, by the YAML core
/// schema as saphyr reads it (`tag` is a core one, such as `!!str`, or none).
pub(crate) fn resolve<'a>(
    text: &'a str,
    value: Cow<'a, str>,
    style: saphyr_parser::ScalarStyle,
    tag: Option<&Tag>,
    start: u32,
    end: u32,
) -> Data<'a> {
    let plain = style == saphyr_parser::ScalarStyle::Plain && tag.is_none();
    // Most numbers of a flow are days: a few digits, no sign, no leading zero.
    if plain && let Some(i) = small_decimal(value.as_bytes()) {
        return Data::Integer(i);
    }
    // Most scalars of a flow are ids and names: plain text that cannot be
    // read as a null, a boolean or a number, as its first byte tells.
    let resolved = if plain && value.as_bytes().first().is_some_and(|&c| is_text_start(c)) {
        Some(Scalar::String(value))
    } else {
        Scalar::parse_from_cow_and_metadata(value, style, tag.map(Cow::Borrowed).as_ref())
    };
    match resolved {
        None => Data::Bad,
        Some(Scalar::Null) => Data::Null,
        Some(Scalar::Boolean(b)) => Data::Boolean(b),
        Some(Scalar::Integer(i)) => Data::Integer(i),
        Some(Scalar::FloatingPoint(f)) => Data::Float(f.into_inner()),
        Some(Scalar::String(s)) => {
            let written = text.get(start as usize..end as usize).unwrap_or("");
            if written == s { Data::Borrowed(written) } else { Data::Owned(s.into_owned().into_boxed_str()) }
        }
    }
}

impl<'a> fast::Events<'a> for Builder<'a> {
    fn on_event(&mut self, event: Event<'a>, start: u32, end: u32) {
        Builder::on_event(self, event, start, end);
    }
}

/// The value of a plain scalar written as up to 18 decimal digits without a
/// leading zero (or `0` alone): the integer the core schema reads it as.
fn small_decimal(s: &[u8]) -> Option<i64> {
    let ok =
        (1..=18).contains(&s.len()) && s.iter().all(u8::is_ascii_digit) && (s.len() == 1 || s[0] != b'0');
    ok.then(|| s.iter().fold(0i64, |n, &c| n * 10 + i64::from(c - b'0')))
}

/// Whether a plain scalar starting with `c` is text whatever follows: the
/// core schema's null (`~`, `null`), booleans (`true`, `false`), integers
/// (`0x1F`, `+1`) and floats (`.5`, `-.inf`, Rust's `inf`/`nan` spellings)
/// all start with one of `~nNtTfFiI+-.` or a digit.
fn is_text_start(c: u8) -> bool {
    !(c.is_ascii_digit()
        || matches!(c, b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'i' | b'I' | b'+' | b'-' | b'.'))
}

/// A tag outside the core schema, written out; `None` for none or a core one (`!!str`).
fn custom_tag(tag: Option<&Tag>) -> Option<Box<str>> {
    tag.filter(|t| !t.is_yaml_core_schema()).map(|t| format!("{}{}", t.handle, t.suffix).into_boxed_str())
}

fn tagged<'a>(tag: Box<str>, node: Node<'a>) -> Node<'a> {
    let (start, end) = (node.start, node.end);
    Node { start, end, data: Data::Tagged(Box::new((tag, node))) }
}

/// Whether `key` equals a key of `earlier` (key, value, key, value, …),
/// values compared as saphyr compares them: by value, whatever the spelling
/// or the span.
fn is_duplicate(earlier: &[Node<'_>], seen: &mut Option<HashSet<KeyOf>>, key: &Node<'_>) -> bool {
    const FEW: usize = 8;
    let mut keys = earlier.iter().step_by(2);
    if earlier.len() < 2 * FEW {
        return keys.any(|k| same(k, key));
    }
    let seen = seen.get_or_insert_with(|| earlier.iter().step_by(2).map(KeyOf::new).collect());
    if seen.insert(KeyOf::new(key)) {
        return false;
    }
    // Equal hashes, or equal text: compare the keys themselves.
    keys.any(|k| same(k, key))
}

/// A key's hash and, for scalars, its value: enough to tell keys apart in a
/// large mapping without comparing each pair.
#[derive(PartialEq, Eq, Hash)]
struct KeyOf(u64, Option<Box<str>>);

impl KeyOf {
    fn new(node: &Node<'_>) -> KeyOf {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        hash_node(node, &mut h);
        let text = match &node.data {
            Data::Sequence(_) | Data::Mapping(_) | Data::Tagged(_) | Data::Taken(_) => None,
            _ => node.as_str().map(Box::from),
        };
        KeyOf(h.finish(), text)
    }
}

fn hash_node(node: &Node<'_>, h: &mut impl Hasher) {
    kind(&node.data).hash(h);
    match &node.data {
        Data::Null | Data::Bad => {}
        Data::Taken(k) => k.hash(h),
        Data::Boolean(b) => b.hash(h),
        Data::Integer(i) => i.hash(h),
        Data::Float(f) => float_bits(*f).hash(h),
        Data::Borrowed(_) | Data::Owned(_) => node.as_str().hash(h),
        Data::Sequence(items) => items.iter().for_each(|n| hash_node(n, h)),
        Data::Mapping(pairs) => pairs.iter().for_each(|(k, v)| {
            hash_node(k, h);
            hash_node(v, h);
        }),
        Data::Tagged(t) => {
            t.0.hash(h);
            hash_node(&t.1, h);
        }
    }
}

/// The kind of a value, borrowed and owned text alike.
fn kind(data: &Data<'_>) -> u8 {
    match data {
        Data::Null => 0,
        Data::Boolean(_) => 1,
        Data::Integer(_) => 2,
        Data::Float(_) => 3,
        Data::Borrowed(_) | Data::Owned(_) => 4,
        Data::Sequence(_) => 5,
        Data::Mapping(_) => 6,
        Data::Tagged(_) => 7,
        Data::Bad => 8,
        Data::Taken(_) => 9,
    }
}

/// Floats compare as saphyr's `OrderedFloat`: every NaN alike, -0 equal to 0.
fn float_bits(f: f64) -> u64 {
    if f.is_nan() {
        f64::NAN.to_bits()
    } else if f == 0.0 {
        0
    } else {
        f.to_bits()
    }
}

/// Equality of values, as saphyr's: spans and spelling aside, in order for collections.
fn same(a: &Node<'_>, b: &Node<'_>) -> bool {
    match (&a.data, &b.data) {
        (Data::Null, Data::Null) | (Data::Bad, Data::Bad) => true,
        (Data::Boolean(x), Data::Boolean(y)) => x == y,
        (Data::Integer(x), Data::Integer(y)) => x == y,
        (Data::Float(x), Data::Float(y)) => float_bits(*x) == float_bits(*y),
        (Data::Sequence(x), Data::Sequence(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(p, q))
        }
        (Data::Mapping(x), Data::Mapping(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(&p.0, &q.0) && same(&p.1, &q.1))
        }
        (Data::Tagged(x), Data::Tagged(y)) => x.0 == y.0 && same(&x.1, &y.1),
        _ => a.as_str().is_some() && a.as_str() == b.as_str(),
    }
}

/// A mapping whose keys have been checked against the allowed set.
pub(crate) struct Fields<'a> {
    pub span: Span,
    /// The mapping's pairs, those with a key outside the set included.
    pairs: &'a [(Node<'a>, Node<'a>)],
    /// Indices in `pairs` of keys that are not text or not allowed (rare):
    /// they are reported and then ignored.
    ignored: Vec<usize>,
    /// Keys suggested for misspelt ones: not reported missing a second time.
    suggested: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// The allowed keys present, with their values; a key is allowed only
    /// as text, so a pair whose key is `key` was not ignored.
    fn find(&self, key: &str) -> Option<&'a (Node<'a>, Node<'a>)> {
        let pairs: &'a [(Node<'a>, Node<'a>)] = self.pairs;
        let mut found = pairs.iter().enumerate().filter(|(_, (k, _))| k.as_str() == Some(key));
        found.find(|(i, _)| !self.ignored.contains(i)).map(|(_, pair)| pair)
    }

    /// The value under `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a Node<'a>> {
        self.find(key).map(|(_, v)| v)
    }

    /// The span of `key` itself, if present.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.find(key).map(|(k, _)| Span::new(k.start as usize, k.end as usize))
    }

    /// How many allowed keys are present.
    pub fn len(&self) -> usize {
        self.pairs.len() - self.ignored.len()
    }

    /// True when `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// The type of a node, for "expected X, found Y" messages.
pub(crate) fn type_name(node: &Node<'_>) -> &'static str {
    match &node.data {
        Data::Null => "nothing",
        Data::Boolean(_) => "a boolean",
        Data::Integer(_) => "a whole number",
        Data::Float(_) => "a decimal number",
        Data::Borrowed(_) | Data::Owned(_) => "text",
        Data::Sequence(_) => "a list",
        Data::Mapping(_) => "a mapping",
        Data::Tagged(..) => "a tagged value",
        Data::Bad => "an unreadable value",
        Data::Taken(_) => "a list",
    }
}

impl<'s> Reader<'s> {
    pub fn new(source: &'s Source) -> Reader<'s> {
        Reader { source, diags: Vec::new() }
    }

    /// The byte span of a node.
    pub fn span(&self, node: &Node<'_>) -> Span {
        Span::new(node.start as usize, node.end as usize)
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
        let Data::Mapping(map) = &node.data else {
            self.wrong_type(node, what, "a mapping of `key: value` lines");
            return None;
        };
        let mut ignored = Vec::new();
        let mut suggested = Vec::new();
        for (i, (k, _)) in map.iter().enumerate() {
            let key_span = self.span(k);
            let Some(key) = k.as_str() else {
                self.push(
                    Diagnostic::error(
                        Code::UnknownKey,
                        format!("{what} keys must be text, found {}", type_name(k)),
                    )
                    .at(key_span, "not a key name"),
                );
                ignored.push(i);
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
                ignored.push(i);
            }
        }
        Some(Fields { span: self.span(node), pairs: map, ignored, suggested })
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
            Data::Borrowed(s) => Some(s.to_string()),
            Data::Owned(s) => Some(s.to_string()),
            Data::Integer(_) | Data::Float(_) | Data::Boolean(_) => Some(self.written(node).to_string()),
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
            Data::Integer(i) if *i < 0 => {
                self.negative_days(node, key, written);
                None
            }
            Data::Integer(i) => match u32::try_from(*i) {
                Ok(d) if d <= MAX_DAYS => Some(d),
                _ => {
                    self.too_many_days(node, key, written);
                    None
                }
            },
            // A whole number too large for an integer reads as a float: still a number of days.
            Data::Float(f) if *f < 0.0 => {
                self.negative_days(node, key, written);
                None
            }
            Data::Float(f) if *f > f64::from(MAX_DAYS) => {
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
            Data::Integer(i) => Some(*i as f64),
            Data::Float(f) if f.is_finite() => Some(*f),
            Data::Float(f) if f.is_infinite() => {
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
            Data::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(node, key, "`true` or `false`");
                None
            }
        }
    }

    pub fn list<'a>(&mut self, node: &'a Node<'a>, key: &str) -> Option<&'a [Node<'a>]> {
        match &node.data {
            Data::Sequence(items) => Some(&items[..]),
            _ => {
                self.wrong_type(node, key, "a list (`[a, b]` or lines starting with `- `)");
                None
            }
        }
    }

    /// A text or a list of texts.
    pub fn texts(&mut self, node: &Node<'_>, key: &str) -> Option<Vec<String>> {
        match &node.data {
            Data::Sequence(items) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<(), Box<Diagnostic>> {
        let source = Source::new("t.yaml", text);
        parse(&source).map(drop)
    }

    fn error_at(text: &str) -> (String, usize) {
        let d = parsed(text).expect_err("refused");
        (d.message.clone(), d.primary.map_or(usize::MAX, |p| p.span.start))
    }

    #[test]
    fn spans_are_bytes_after_chinese_text() {
        let text = "name: 审批事项\nid: \"引号\"\nn: 5\n";
        let source = Source::new("t.yaml", text);
        let root = parse(&source).expect("valid").expect("a document");
        let r = Reader::new(&source);
        let Data::Mapping(pairs) = &root.data else { panic!("a mapping") };
        let spans: Vec<&str> = pairs.iter().map(|(_, v)| &text[r.span(v).start..r.span(v).end]).collect();
        assert_eq!(spans, ["审批事项", "\"引号\"", "5"]);
        assert!(matches!(pairs[0].1.data, Data::Borrowed("审批事项")));
        assert_eq!(pairs[1].1.as_str(), Some("引号"));
        assert!(matches!(pairs[2].1.data, Data::Integer(5)));
    }

    #[test]
    fn a_key_written_twice_is_refused_where_it_is_written_again() {
        let (message, at) = error_at("a: 1\nb: 2\na: 3\n");
        assert_eq!((message.as_str(), at), ("malformed YAML: duplicated key in mapping", 10));
        // Many keys go through the hash set; `01` and `1` are the same integer, as in saphyr.
        let mut text: String = (0..20).map(|i| format!("{i}: v\nk{i}: v\n")).collect();
        let again = text.len();
        text.push_str("01: y\nk5: z\n");
        assert_eq!(error_at(&text).1, again);
        let mut text: String = (0..20).map(|i| format!("k{i}: v\n")).collect();
        let again = text.len();
        text.push_str("k5: z\n");
        assert_eq!(error_at(&text).1, again);
        // Quoted `1` is text, not the integer: no duplicate.
        assert!(parsed("1: a\n'1': b\n").is_ok());
    }

    #[test]
    fn small_decimals_read_as_saphyr_reads_them() {
        let mut cases: Vec<String> = ["0", "7", "10", "20", "999999999999999999", "00", "007", "0x1F", "1_0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        cases.extend((0..2000u64).map(|i| (i * 7919 % 100_003).to_string()));
        for s in cases {
            let saphyr = match Scalar::parse_from_cow_and_metadata(
                Cow::Borrowed(&s),
                saphyr_parser::ScalarStyle::Plain,
                None,
            ) {
                Some(Scalar::Integer(i)) => Some(i),
                _ => None,
            };
            let fast = small_decimal(s.as_bytes());
            assert!(fast.is_none() || fast == saphyr, "{s}: {fast:?} against saphyr's {saphyr:?}");
            let digits = s.bytes().all(|c| c.is_ascii_digit());
            assert_eq!(fast.is_some(), digits && (!s.starts_with('0') || s == "0"), "{s}");
        }
    }

    #[test]
    fn values_keep_saphyrs_types() {
        let text = "a: ~\nb: true\nc: 1.5\nd: !!str 7\ne: !x 3\nf: !!int x\n";
        let source = Source::new("t.yaml", text);
        let root = parse(&source).expect("valid").expect("a document");
        let Data::Mapping(pairs) = &root.data else { panic!("a mapping") };
        let names: Vec<&str> = pairs.iter().map(|(_, v)| type_name(v)).collect();
        assert_eq!(
            names,
            ["nothing", "a boolean", "a decimal number", "text", "a tagged value", "an unreadable value"]
        );
    }

    #[test]
    fn empty_and_refused_inputs() {
        assert!(parse(&Source::new("t.yaml", "# only a comment\n")).expect("valid").is_none());
        assert_eq!(error_at("a: &x 1\nb: *x\n").0, "YAML anchors are not supported");
        assert_eq!(error_at("a: 1\n---\nb: 2\n").0, "more than one YAML document in the file");
        // saphyr-parser's own limit answers first here, at the 256th bracket.
        let deep = "[".repeat(MAX_YAML_DEPTH + 1);
        assert_eq!(error_at(&deep), ("malformed YAML: recursion limit exceeded".to_string(), 255));
    }
}
