//! A fast reader for the shape large flows are written in: block mappings
//! and sequences of plain scalars, with one-line flow collections
//! (`{ id: s1, after: [s0] }`). It feeds the [`Builder`] (or any other
//! [`Events`]) the events saphyr-parser would, at the same byte spans, so
//! the tree (and every diagnostic taken from it) is the same.
//!
//! It reads only a strict subset and gives up (`None`) at the first thing
//! outside it: comments, quotes, tags, anchors, block scalars, tabs, `\r`,
//! a scalar over several lines, an empty value, a flow collection over
//! several lines, a `:` or a flow indicator inside a scalar, a scalar
//! starting with an indicator, and any indentation it does not expect. The
//! caller then reads the text with saphyr-parser, which also gives the
//! exact error of a malformed file. `fast_path_agrees_with_saphyr` in the
//! tests holds the two readers together on generated documents.

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle};

use super::{Builder, Node};

/// What the fast reader feeds its events to: the [`Builder`] of a tree, or a
/// reader that takes some parts of the document straight from the events.
pub(crate) trait Events<'a> {
    /// Takes one event whose span is `start..end` in bytes.
    fn on_event(&mut self, event: Event<'a>, start: u32, end: u32);

    /// True once the receiver wants no more events: the reader gives up.
    fn stopped(&self) -> bool {
        false
    }
}

/// Nesting past this is left to the full reader (and its limits).
const MAX_DEPTH: usize = 64;

/// The tree of `text` when it is in the subset and the builder accepted it
/// (no key twice, nothing refused); `None` otherwise.
///
/// # Complexity
/// **O(n)** in the text's length, one pass.
pub(super) fn parse(text: &str) -> Option<Node<'_>> {
    let mut b = Builder::new(text);
    read(text, &mut b)?;
    b.accepted()
}

/// Feeds `events` the events of `text` when it is in the subset; `None` at
/// the first thing outside it, or once `events` stops. The caller checks
/// that the text is shorter than 4 GiB.
///
/// # Complexity
/// **O(n)** in the text's length, one pass, besides what `events` does.
pub(crate) fn read<'a, E: Events<'a>>(text: &'a str, events: &mut E) -> Option<()> {
    let mut r = Fast { text, s: text.as_bytes(), p: 0, line: 0, b: events, depth: 0 };
    r.document()
}

/// Bytes that end the subset: anything YAML might read as more than text.
const fn is_special(c: u8) -> bool {
    matches!(
        c,
        b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b'?' | b'\\' | 0x7f
    ) || (c < 0x20 && c != b'\n')
}

const fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// The bytes that end a plain scalar or end the subset, in block and flow
/// context alike, and the first byte of U+FEFF: every other byte is part of
/// the scalar.
const STOPS: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        // `EF` may start U+FEFF (`EF BB BF`), which saphyr reads as a byte order mark.
        t[c] = is_special(b) || is_flow_indicator(b) || b == b':' || b == b'\n' || b == 0xEF;
        c += 1;
    }
    t
};

/// What ended a plain scalar in block context.
enum Ended {
    /// `key:` followed by a space or the end of the line.
    Key,
    /// The end of the line.
    Line,
}

struct Fast<'a, 'e, E> {
    text: &'a str,
    s: &'a [u8],
    /// The reading position, in bytes.
    p: usize,
    /// Where the current line starts.
    line: usize,
    b: &'e mut E,
    depth: usize,
}

impl<'a, E: Events<'a>> Fast<'a, '_, E> {
    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    fn event(&mut self, e: Event<'a>, start: usize, end: usize) {
        // OK because `yaml::parse` refuses texts of 4 GiB or more before calling.
        self.b.on_event(e, start as u32, end as u32);
    }

    fn scalar(&mut self, start: usize, end: usize) -> Option<()> {
        let value = self.text.get(start..end)?;
        self.event(Event::Scalar(Cow::Borrowed(value), ScalarStyle::Plain, 0, None), start, end);
        Some(())
    }

    fn document(&mut self) -> Option<()> {
        self.event(Event::StreamStart, 0, 0);
        self.event(Event::DocumentStart(false), 0, 0);
        // The document starts at the first line with content, which must be a key at column 0.
        self.p = 0;
        self.line = 0;
        self.skip_blank_lines()?;
        if self.p >= self.s.len() || self.p != self.line {
            return None;
        }
        self.block_mapping(0)?;
        if self.p < self.s.len() {
            return None;
        }
        let end = self.s.len();
        self.event(Event::DocumentEnd, end, end);
        self.event(Event::StreamEnd, end, end);
        Some(())
    }

    /// From the start of a line, skips lines holding only spaces and then a
    /// line's indentation: `p` is at the next token or at the end.
    fn skip_blank_lines(&mut self) -> Option<()> {
        loop {
            self.line = self.p;
            while self.at(self.p) == b' ' {
                self.p += 1;
            }
            match self.s.get(self.p) {
                Some(b'\n') => self.p += 1,
                None => return Some(()),
                Some(_) => {
                    return self.plain_line_start();
                }
            }
        }
    }

    /// The line's first token may not be a document marker.
    fn plain_line_start(&self) -> Option<()> {
        let rest = &self.s[self.line..];
        if rest.starts_with(b"---") || rest.starts_with(b"...") {
            return None;
        }
        Some(())
    }

    /// After a value: only spaces up to the end of the line, then to the next token.
    fn end_line(&mut self) -> Option<()> {
        while self.at(self.p) == b' ' {
            self.p += 1;
        }
        match self.s.get(self.p) {
            None => Some(()),
            Some(b'\n') => {
                self.p += 1;
                self.skip_blank_lines()
            }
            Some(_) => None,
        }
    }

    fn col(&self) -> usize {
        self.p - self.line
    }

    fn at_end(&self) -> bool {
        self.p >= self.s.len()
    }

    /// A `-` that starts a sequence entry: followed by a space.
    fn is_entry(&self) -> bool {
        self.at(self.p) == b'-' && self.at(self.p + 1) == b' '
    }

    /// Opens a collection: gives up past [`MAX_DEPTH`], or once the receiver has stopped.
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH && !self.b.stopped()).then_some(())
    }

    /// A block mapping whose first key is at `p`, in column `indent`; ends
    /// with `p` at the next token outside it (or the end).
    fn block_mapping(&mut self, indent: usize) -> Option<()> {
        self.enter()?;
        self.event(Event::MappingStart(0, None), self.p, self.p);
        loop {
            let start = self.p;
            let (end, ended) = self.block_plain()?;
            if !matches!(ended, Ended::Key) {
                return None;
            }
            self.scalar(start, end)?;
            self.block_value(indent)?;
            if self.at_end() || self.col() < indent {
                let at = self.p.min(self.s.len());
                self.event(Event::MappingEnd, at, at);
                break;
            }
            if self.col() > indent || self.is_entry() {
                return None;
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// The value after `key:` (`p` just past the colon) of a mapping at `indent`.
    fn block_value(&mut self, indent: usize) -> Option<()> {
        while self.at(self.p) == b' ' {
            self.p += 1;
        }
        match self.s.get(self.p) {
            None | Some(b'\n') => {
                // A block collection on the following lines.
                self.end_line()?;
                if self.at_end() {
                    return None;
                }
                let col = self.col();
                if col > indent {
                    if self.is_entry() { self.block_sequence(col, false) } else { self.block_mapping(col) }
                } else if col == indent && self.is_entry() {
                    self.block_sequence(col, true)
                } else {
                    None
                }
            }
            Some(b'{' | b'[') => {
                self.flow_node()?;
                self.end_line()
            }
            Some(_) => {
                let start = self.p;
                let (end, ended) = self.block_plain()?;
                if !matches!(ended, Ended::Line) {
                    return None;
                }
                self.scalar(start, end)?;
                self.end_line()
            }
        }
    }

    /// A block sequence whose first `- ` is at `p`, in column `indent`;
    /// `indentless` when it is a mapping's value in the mapping's own column.
    fn block_sequence(&mut self, indent: usize, indentless: bool) -> Option<()> {
        self.enter()?;
        let mut first = true;
        loop {
            // At `- `: the entry's content follows on the same line.
            let dash = self.p;
            self.p += 1;
            self.skip_spaces();
            let content = self.p;
            if first {
                // saphyr marks a sequence in its mapping's column at its first entry's content.
                let at = if indentless { content } else { dash };
                self.event(Event::SequenceStart(0, None), at, at);
                first = false;
            }
            match self.s.get(content) {
                None | Some(b'\n' | b'-') => return None,
                Some(b'{' | b'[') => {
                    self.flow_node()?;
                    self.end_line()?;
                }
                Some(_) => {
                    let (end, ended) = self.block_plain()?;
                    match ended {
                        Ended::Key => {
                            self.p = content;
                            self.block_mapping(content - self.line)?;
                        }
                        Ended::Line => {
                            self.scalar(content, end)?;
                            self.end_line()?;
                        }
                    }
                }
            }
            if self.at_end()
                || self.col() < indent
                || (indentless && self.col() == indent && !self.is_entry())
            {
                let at = self.p.min(self.s.len());
                self.event(Event::SequenceEnd, at, at);
                break;
            }
            if self.col() > indent || !self.is_entry() {
                return None;
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// A plain scalar in block context from `p`: its end (trailing spaces
    /// left out) and what ended it. `p` ends past the `:` of a key, or at
    /// the end of the line.
    fn block_plain(&mut self) -> Option<(usize, Ended)> {
        let start = self.p;
        let first = self.at(start);
        if first == b' ' || first == b'\n' || first == b'-' || first == b':' || is_flow_indicator(first) {
            return None;
        }
        let end = self.skip_to_stop(start)?;
        let c = self.at(self.p);
        if self.p >= self.s.len() || c == b'\n' {
            return Some((end, Ended::Line));
        }
        if c == b':' {
            let next = self.at(self.p + 1);
            if (next == b' ' || next == b'\n' || self.p + 1 >= self.s.len()) && end == self.p {
                self.p += 1;
                return Some((end, Ended::Key));
            }
        }
        None
    }

    /// Moves `p` from `start` to the next byte of [`STOPS`] that ends the
    /// scalar (or the end); returns where the text before it ends, trailing
    /// spaces left out. `None` at U+FEFF: saphyr reads it as a byte order mark.
    fn skip_to_stop(&mut self, start: usize) -> Option<usize> {
        loop {
            let rest = self.s.get(self.p..).unwrap_or_default();
            self.p += rest.iter().position(|&c| STOPS[c as usize]).unwrap_or(rest.len());
            if self.at(self.p) != 0xEF {
                break;
            }
            if self.s[self.p..].starts_with(&[0xEF, 0xBB, 0xBF]) {
                return None;
            }
            self.p += 1;
        }
        let text = &self.s[start..self.p];
        Some(start + text.iter().rposition(|&c| c != b' ').map_or(0, |i| i + 1))
    }

    /// A one-line flow collection at `p` (`{` or `[`); ends past its closing bracket.
    fn flow_node(&mut self) -> Option<()> {
        self.enter()?;
        let open = self.at(self.p);
        let mapping = open == b'{';
        let close = if mapping { b'}' } else { b']' };
        let start = if mapping { Event::MappingStart(0, None) } else { Event::SequenceStart(0, None) };
        self.event(start, self.p, self.p);
        self.p += 1;
        loop {
            self.skip_spaces();
            if mapping {
                let (start, end, key) = self.flow_plain()?;
                if !key {
                    return None;
                }
                self.scalar(start, end)?;
                self.p += 1; // the colon
                self.skip_spaces();
            }
            match self.at(self.p) {
                b'{' | b'[' => self.flow_node()?,
                _ => {
                    let (start, end, key) = self.flow_plain()?;
                    if key {
                        return None;
                    }
                    self.scalar(start, end)?;
                }
            }
            self.skip_spaces();
            match self.at(self.p) {
                b',' => self.p += 1,
                c if c == close && self.p < self.s.len() => {
                    let end = if mapping { Event::MappingEnd } else { Event::SequenceEnd };
                    self.event(end, self.p, self.p + 1);
                    self.p += 1;
                    break;
                }
                _ => return None,
            }
        }
        self.depth -= 1;
        Some(())
    }

    fn skip_spaces(&mut self) {
        while self.at(self.p) == b' ' {
            self.p += 1;
        }
    }

    /// A plain scalar in a flow collection from `p`: its span (trailing
    /// spaces left out) and whether a `: ` ends it (a key; `p` at the colon).
    fn flow_plain(&mut self) -> Option<(usize, usize, bool)> {
        let start = self.p;
        let first = self.at(start);
        if first == b' ' || first == b'\n' || first == b'-' || first == b':' || is_flow_indicator(first) {
            return None;
        }
        let end = self.skip_to_stop(start)?;
        match self.s.get(self.p) {
            Some(b',' | b']' | b'}') => Some((start, end, false)),
            Some(b':') if self.at(self.p + 1) == b' ' && end == self.p => Some((start, end, true)),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A document of the shapes flows are written in, with now and then
    /// something outside the fast reader's subset (comments, quotes, empty
    /// values, odd spacing), drawn from `seed`.
    fn document(seed: u64) -> String {
        let mut g = Gen { draws: Draws::new(seed), out: String::new() };
        for _ in 0..g.below(3) {
            g.blank_line();
        }
        g.block_mapping(0, 0, 0);
        if g.below(4) == 0 {
            g.out.pop();
        }
        if g.below(30) == 0 {
            g.out = g.out.replace('\n', "\r\n");
        }
        g.out
    }

    /// Numbers drawn from a seed (xorshift), for generated documents.
    pub(crate) struct Draws(u64);

    impl Draws {
        pub(crate) fn new(seed: u64) -> Draws {
            Draws(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }

        /// A number below `n`.
        pub(crate) fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }

        /// One of `from`.
        pub(crate) fn pick<T: Copy>(&mut self, from: &[T]) -> T {
            from[self.below(from.len() as u64) as usize]
        }
    }

    struct Gen {
        draws: Draws,
        out: String,
    }

    const KEYS: &[&str] =
        &["id", "name", "dept", "after", "steps", "k", "1", "true", "~", "a b", "中文", "x-y"];
    const PLAIN: &[&str] = &[
        "a",
        "s12",
        "审批事项1",
        "部门3",
        "1",
        "007",
        "20",
        "0x1F",
        "1_000",
        "true",
        "False",
        "~",
        "null",
        "1.5",
        ".inf",
        "-.5e3",
        "a b",
        "x  y",
        "é",
        "+1",
    ];
    const ODD: &[&str] = &[
        "a:b",
        "a#b",
        "'q'",
        "\"q\"",
        "-1",
        "- x",
        "a,b",
        "[x]",
        "&a",
        "*a",
        "!t x",
        "|",
        "> x",
        "? x",
        "%x",
        "@x",
        "`x",
        "a # c",
        "a\tb",
        "\u{FEFF}x",
        "...",
        "---",
        "a: b",
        ":",
        "",
        " ",
        "{}",
        "[]",
        "a\\b",
        "x:",
        "-",
        "a]",
        "b}",
    ];

    impl Gen {
        fn below(&mut self, n: u64) -> u64 {
            self.draws.below(n)
        }

        fn pick(&mut self, from: &[&'static str]) -> &'static str {
            self.draws.pick(from)
        }

        fn scalar(&mut self) -> &'static str {
            if self.below(12) == 0 { self.pick(ODD) } else { self.pick(PLAIN) }
        }

        fn key(&mut self) -> &'static str {
            if self.below(40) == 0 { self.pick(ODD) } else { self.pick(KEYS) }
        }

        fn spaces(&mut self, most: u64) -> String {
            " ".repeat(1 + self.below(most) as usize)
        }

        fn blank_line(&mut self) {
            match self.below(6) {
                0 => self.out.push_str("# a comment\n"),
                1 => self.out.push_str("   \n"),
                _ => self.out.push('\n'),
            }
        }

        fn end_line(&mut self) {
            match self.below(16) {
                0 => self.out.push_str("  \n"),
                1 => self.out.push_str(" # note\n"),
                _ => self.out.push('\n'),
            }
            if self.below(12) == 0 {
                self.blank_line();
            }
        }

        fn flow(&mut self, depth: u32) {
            let inner = if self.below(3) == 0 { " " } else { "" };
            let n = self.below(4);
            let mapping = self.below(2) == 0;
            self.out.push(if mapping { '{' } else { '[' });
            self.out.push_str(inner);
            for i in 0..n {
                if i > 0 {
                    self.out.push(',');
                    if self.below(5) != 0 {
                        self.out.push(' ');
                    }
                    if self.below(40) == 0 {
                        self.out.push('\n');
                    }
                }
                if mapping {
                    let k = self.key();
                    self.out.push_str(k);
                    self.out.push(':');
                    if self.below(20) != 0 {
                        let s = self.spaces(2);
                        self.out.push_str(&s);
                    }
                }
                if depth < 3 && self.below(5) == 0 {
                    self.flow(depth + 1);
                } else {
                    let v = self.scalar();
                    self.out.push_str(v);
                }
            }
            if self.below(30) == 0 {
                self.out.push(',');
            }
            self.out.push_str(inner);
            self.out.push(if mapping { '}' } else { ']' });
        }

        /// A value after `key:` or `- ` on the same line, or a block below at more than `indent`.
        fn value(&mut self, indent: usize, depth: u32, in_mapping: bool) {
            let roll = if depth >= 4 { self.below(2) } else { self.below(8) };
            match roll {
                0 => {
                    self.out.push(' ');
                    let v = self.scalar();
                    self.out.push_str(v);
                    self.end_line();
                }
                1 => {
                    let s = self.spaces(2);
                    self.out.push_str(&s);
                    self.flow(0);
                    self.end_line();
                }
                2 | 3 => {
                    self.end_line();
                    let deeper = indent + 1 + self.below(4) as usize;
                    self.block_mapping(deeper, deeper, depth + 1);
                }
                4 | 5 => {
                    self.end_line();
                    let at = if in_mapping && self.below(2) == 0 {
                        indent
                    } else {
                        indent + 1 + self.below(3) as usize
                    };
                    self.block_sequence(at, depth + 1);
                }
                6 => self.end_line(),
                _ => {
                    self.out.push(' ');
                    let v = self.scalar();
                    self.out.push_str(v);
                    self.end_line();
                }
            }
        }

        /// A block mapping at `indent`; its first key is written at `first`
        /// spaces (0 when it follows `- ` on the line).
        fn block_mapping(&mut self, indent: usize, first: usize, depth: u32) {
            let n = 1 + self.below(4);
            for i in 0..n {
                let pad = if i == 0 { first } else { indent };
                self.out.push_str(&" ".repeat(pad));
                let k = self.key();
                self.out.push_str(k);
                self.out.push(':');
                self.value(indent, depth, true);
            }
        }

        fn block_sequence(&mut self, indent: usize, depth: u32) {
            let n = 1 + self.below(4);
            for _ in 0..n {
                self.out.push_str(&" ".repeat(indent));
                self.out.push('-');
                let gap = 1 + usize::from(self.below(5) == 0);
                match self.below(if depth >= 4 { 2 } else { 5 }) {
                    0 => {
                        self.out.push_str(&" ".repeat(gap));
                        let v = self.scalar();
                        self.out.push_str(v);
                        self.end_line();
                    }
                    1 => {
                        self.out.push_str(&" ".repeat(gap));
                        self.flow(0);
                        self.end_line();
                    }
                    2 | 3 => {
                        self.out.push_str(&" ".repeat(gap));
                        self.block_mapping(indent + 1 + gap, 0, depth + 1);
                    }
                    _ => self.value(indent, depth, false),
                }
            }
        }
    }

    /// The fast reader's tree, when it gives one, is saphyr's to the byte.
    fn agrees(text: &str) -> Result<bool, TestCaseError> {
        let Some(fast) = parse(text) else { return Ok(false) };
        let full = super::super::full(text);
        let full = match full {
            Ok(Some(tree)) => format!("{tree:?}"),
            other => format!("{other:?}"),
        };
        prop_assert_eq!(format!("{fast:?}"), full, "text:\n{}", text);
        Ok(true)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn fast_path_agrees_with_saphyr(seed in any::<u64>()) {
            agrees(&document(seed))?;
        }
    }

    /// Many more documents than the proptest's 64: `cargo test -p shenpi-core fast_path_agrees_widely -- --ignored`.
    #[test]
    #[ignore]
    fn fast_path_agrees_widely() {
        let mut taken = 0;
        for seed in 0..50_000 {
            if agrees(&document(seed)).unwrap_or_else(|e| panic!("seed {seed}: {e}")) {
                taken += 1;
            }
        }
        println!("the fast path read {taken} of 50000 documents");
    }
}
