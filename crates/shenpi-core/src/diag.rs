//! Diagnostics: what is wrong with an input file, where, and how to fix it.
//!
//! Loaders never stop at the first problem: they collect every [`Diagnostic`]
//! they find into a [`Report`], which renders in the style of rustc (through
//! `codespan-reporting`) or as JSON for other tools.

use std::fmt;
use std::sync::{Arc, OnceLock};

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;
use serde::Serialize;

/// A byte range in a [`Source`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end: end.max(start) }
    }
}

/// A named text that diagnostics point into: a flow file, a calendar file.
pub struct Source {
    name: String,
    text: String,
    /// Where each line starts, found at the first position asked for: a
    /// text read without a diagnostic never needs them.
    line_starts: OnceLock<Vec<usize>>,
}

/// Sources are equal when their names and texts are.
impl PartialEq for Source {
    fn eq(&self, other: &Source) -> bool {
        self.name == other.name && self.text == other.text
    }
}

impl Eq for Source {}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source").field("name", &self.name).field("text", &self.text).finish_non_exhaustive()
    }
}

impl Source {
    /// Wraps `text`, read from the file called `name` (used in messages only).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Arc::new(Source { name: name.into(), text: text.into(), line_starts: OnceLock::new() })
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| i + 1)).collect()
        })
    }

    /// The file name given at creation.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&s| s <= offset) - 1;
        let start = line_starts[line];
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

/// How bad a diagnostic is: errors make a file invalid, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used.
    Error,
    /// The file can be used but is probably not what its author meant.
    Warning,
}

/// Stable diagnostic codes. Tools may match on them; they are never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// The file is not well-formed YAML.
    Syntax,
    /// A key that the format does not have.
    UnknownKey,
    /// Steps that wait for each other in a circle.
    Cycle,
    /// A value of the wrong type (a list where a number belongs, …).
    WrongType,
    /// A required key is absent.
    MissingField,
    /// Two steps, stages or params share an id.
    DuplicateId,
    /// `after` names a step or stage that does not exist.
    UnknownReference,
    /// `promised` is greater than `legal`.
    PromisedOverLegal,
    /// A number of days below zero.
    NegativeDays,
    /// A `when` condition that does not parse or does not type-check.
    BadCondition,
    /// A `when` condition that names a param the flow does not declare.
    UnknownParam,
    /// A flow with no steps.
    EmptyFlow,
    /// A flow or stage whose counted critical path exceeds its budget.
    OverBudget,
    /// A value outside the allowed set or range.
    InvalidValue,
    /// A calendar date or day list that cannot be used.
    BadDate,
    /// Input past one of the documented limits ([`crate::limits`]): an id
    /// too long, blocks or a condition nested too deep.
    TooLarge,
    /// `promised` is more than the share of `legal` the flow's `promise_ratio` allows.
    PromiseOverRatio,
    /// Joint review misused: `members` or `silence` off a joint step, a joint
    /// step without members or without one lead department, a member twice,
    /// a member promising more than the step.
    JointReview,
    /// A stage's `window` that is blank or has no step a window accepts.
    Window,
    /// `commissioned_by` or `provider` off an intermediary, or `counted`
    /// contradicting `commissioned_by`.
    Intermediary,
    /// A budget over a group of stages that names a stage twice, a step, or
    /// no stage, or shares its name with another group.
    BudgetGroup,
    /// `total` with no budget to apply to.
    CountingRule,
    /// `commitment` on a step no department decides, or verified within 0 days.
    Commitment,
    /// `provisional` in the old boolean form, on a step no department decides,
    /// or naming in `before` something the step does not wait for.
    Provisional,
}

impl Code {
    /// The stable code, such as `E003`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E001",
            Code::UnknownKey => "E002",
            Code::Cycle => "E003",
            Code::WrongType => "E004",
            Code::MissingField => "E005",
            Code::DuplicateId => "E006",
            Code::UnknownReference => "E007",
            Code::PromisedOverLegal => "E008",
            Code::NegativeDays => "E009",
            Code::BadCondition => "E010",
            Code::UnknownParam => "E011",
            Code::EmptyFlow => "E012",
            Code::OverBudget => "E013",
            Code::InvalidValue => "E014",
            Code::BadDate => "E015",
            Code::TooLarge => "E016",
            Code::PromiseOverRatio => "E017",
            Code::JointReview => "E018",
            Code::Window => "E019",
            Code::Intermediary => "E020",
            Code::BudgetGroup => "E021",
            Code::CountingRule => "E022",
            Code::Commitment => "E023",
            Code::Provisional => "E024",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A secondary place that explains a diagnostic ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it shows.
    pub message: String,
}

/// One problem found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// What is wrong, lowercase, no final period.
    pub message: String,
    /// The smallest span that shows the problem, with its label text.
    pub primary: Option<Label>,
    /// Other places that explain it.
    pub secondary: Vec<Label>,
    /// Extra facts (`= note: a -> b -> a`).
    pub notes: Vec<String>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with a code and a message.
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// A warning with a code and a message.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    /// Points the diagnostic at `span`, labelled `label` (may be empty).
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.primary = Some(Label { span, message: label.into() });
        self
    }

    /// Adds a secondary label.
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label { span, message: label.into() });
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// True for errors, false for warnings.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Every diagnostic found in one source file.
#[derive(Clone, Debug)]
pub struct Report {
    source: Arc<Source>,
    diagnostics: Vec<Diagnostic>,
}

/// One diagnostic resolved to lines and columns, as `--format json` prints it.
#[derive(Clone, Debug, Serialize)]
pub struct Located<'a> {
    /// The file name.
    pub file: &'a str,
    /// 1-based line of the primary span, if any.
    pub line: Option<usize>,
    /// 1-based column of the primary span, if any.
    pub column: Option<usize>,
    /// Error or warning.
    pub severity: Severity,
    /// Stable code (`E003`).
    pub code: Code,
    /// What is wrong.
    pub message: &'a str,
    /// The primary label text.
    pub label: Option<&'a str>,
    /// Notes.
    pub notes: &'a [String],
    /// How to fix it.
    pub help: Option<&'a str>,
}

impl Report {
    /// A report on `source`.
    pub fn new(source: Arc<Source>, diagnostics: Vec<Diagnostic>) -> Report {
        Report { source, diagnostics }
    }

    /// The file the diagnostics point into.
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// All diagnostics, in the order found.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// True when at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Adds more diagnostics on the same source.
    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(more);
    }

    /// The diagnostics with lines and columns, for JSON output and tests.
    pub fn located(&self) -> Vec<Located<'_>> {
        self.diagnostics
            .iter()
            .map(|d| {
                let pos = d.primary.as_ref().map(|l| self.source.line_col(l.span.start));
                Located {
                    file: self.source.name(),
                    line: pos.map(|p| p.0),
                    column: pos.map(|p| p.1),
                    severity: d.severity,
                    code: d.code,
                    message: &d.message,
                    label: d.primary.as_ref().map(|l| l.message.as_str()),
                    notes: &d.notes,
                    help: d.help.as_deref(),
                }
            })
            .collect()
    }

    /// Renders every diagnostic in the style of rustc, plain text.
    pub fn render(&self) -> String {
        let file = SimpleFile::new(self.source.name(), self.source.text());
        let config = term::Config { chars: term::Chars::ascii(), ..term::Config::default() };
        let mut out = String::new();
        for d in &self.diagnostics {
            let mut labels = Vec::new();
            if let Some(p) = &d.primary {
                labels.push(cs::Label::primary((), p.span.start..p.span.end).with_message(&p.message));
            }
            for s in &d.secondary {
                labels.push(cs::Label::secondary((), s.span.start..s.span.end).with_message(&s.message));
            }
            let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
            if let Some(h) = &d.help {
                notes.push(format!("help: {h}"));
            }
            let diag = match d.severity {
                Severity::Error => cs::Diagnostic::error(),
                Severity::Warning => cs::Diagnostic::warning(),
            }
            .with_code(d.code.as_str())
            .with_message(&d.message)
            .with_labels(labels)
            .with_notes(notes);
            match term::emit_into_string(&config, &file, &diag) {
                Ok(s) => out.push_str(&s),
                // A span outside the file is our bug; still say what is wrong.
                Err(_) => {
                    out.push_str(&format!("{}[{}]: {}\n", severity_word(d.severity), d.code, d.message))
                }
            }
        }
        out
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// `text` as a message quotes it: whole when short, else its first 64
/// characters and `…` (a 100,000-character reference is still one line).
pub(crate) fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    const SHOWN: usize = 64;
    match text.char_indices().nth(SHOWN) {
        None => text.into(),
        Some((end, _)) => format!("{}…", &text[..end]).into(),
    }
}

/// The candidate closest to `word` by edit distance, if close enough to be a
/// likely typo (within a third of its length); the first of equals wins.
///
/// # Complexity
/// O(n · w · d) for n candidates, `word` of w characters and the distance
/// limit d = w / 3: a candidate whose length differs by more than d is never
/// compared, and a comparison stops as soon as it exceeds the best so far.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.len() > MAX_TYPO_BYTES {
        return None;
    }
    let word: Vec<char> = word.chars().collect();
    let limit = distance_limit(word.len());
    let mut best: Option<(usize, &'a str)> = None;
    let (mut cells, mut buf) = (u64::MAX, Vec::new());
    for c in candidates {
        let cutoff = best.map_or(limit, |(d, _)| d.saturating_sub(1));
        if let Some(d) = distance(&word, c, cutoff, &mut cells, &mut buf) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Words and names longer than this are never taken for typos of each other
/// (twice the longest id): comparing them would cost the square of their length.
const MAX_TYPO_BYTES: usize = 2 * crate::limits::MAX_ID_LEN;

/// The largest edit distance still taken for a typo of a word of `chars` characters.
fn distance_limit(chars: usize) -> usize {
    (chars / 3).max(1)
}

/// The distance from `word` to `candidate` when it is at most `cutoff`: 1 for
/// a candidate that `word` extends or that extends `word` (`dept_name` for
/// `dept`: as likely a slip as a typo), the edit distance otherwise. Spends
/// `cells` (one per candidate, and one per step of the edit-distance table)
/// and gives up when they run out; `buf` is scratch space.
fn distance(
    word: &[char],
    candidate: &str,
    cutoff: usize,
    cells: &mut u64,
    buf: &mut Vec<char>,
) -> Option<usize> {
    *cells = cells.saturating_sub(1);
    if candidate.len() > MAX_TYPO_BYTES {
        return None;
    }
    buf.clear();
    buf.extend(candidate.chars());
    let c = buf.as_slice();
    let related = c.len() >= 3 && (word.starts_with(c) || c.starts_with(word));
    if related {
        return (cutoff >= 1).then_some(1);
    }
    if word.len().abs_diff(c.len()) > cutoff {
        return None;
    }
    levenshtein_within(word, c, cutoff, cells)
}

/// The edit distance of `a` and `b` if it is at most `cutoff`; stops as soon
/// as a whole row of the table exceeds it, or when `cells` runs out.
fn levenshtein_within(a: &[char], b: &[char], cutoff: usize, cells: &mut u64) -> Option<usize> {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        if *cells < b.len() as u64 {
            *cells = 0;
            return None;
        }
        *cells -= b.len() as u64;
        let mut prev = row[0];
        row[0] = i + 1;
        let mut row_min = row[0];
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            row_min = row_min.min(row[j + 1]);
            prev = cur;
        }
        if row_min > cutoff {
            return None;
        }
    }
    (row[b.len()] <= cutoff).then_some(row[b.len()])
}

/// "Did you mean" for a loader that asks about many unknown names against
/// one large set of known ones (every id of a flow, every param): the work
/// of all its answers together is bounded by [`Suggester::BUDGET`], after
/// which it stops suggesting. Answers are deterministic: the nearest name,
/// the smallest in byte order among equals.
pub(crate) struct Suggester {
    /// The known names, sorted by length, then bytes.
    by_len: Vec<String>,
    /// Indices into `by_len`, sorted by bytes (for prefix lookups).
    by_text: Vec<u32>,
    /// Table cells left to spend.
    cells: u64,
}

impl Suggester {
    /// Edit-distance table cells one suggester may spend over all its answers.
    pub const BUDGET: u64 = 10_000_000;

    /// # Complexity
    /// O(n log n) for n names.
    pub fn new(names: impl IntoIterator<Item = impl Into<String>>) -> Suggester {
        let mut by_len: Vec<String> = names.into_iter().map(Into::into).collect();
        by_len.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        by_len.dedup();
        let mut by_text: Vec<u32> = (0..by_len.len() as u32).collect();
        by_text.sort_unstable_by(|&a, &b| by_len[a as usize].cmp(&by_len[b as usize]));
        Suggester { by_len, by_text, cells: Self::BUDGET }
    }

    /// The known name nearest to `word`, as [`suggest`] judges it.
    ///
    /// # Complexity
    /// O(w log n) to find names related by a prefix, then one bounded
    /// comparison per name whose length is within the distance limit; all
    /// answers together spend at most [`Suggester::BUDGET`] table cells.
    pub fn suggest(&mut self, word: &str) -> Option<&str> {
        if word.len() > MAX_TYPO_BYTES {
            return None;
        }
        let chars: Vec<char> = word.chars().collect();
        let limit = distance_limit(chars.len());
        // Related by a prefix: distance 1, the best a typo can be.
        if let Some(k) = self.related(word) {
            return Some(&self.by_len[k]);
        }
        let (lo, hi) = (chars.len().saturating_sub(limit), chars.len() + limit);
        // A name of c characters takes between c and 4c bytes in UTF-8.
        let first = self.by_len.partition_point(|c| c.len() < lo);
        let mut best: Option<(usize, usize)> = None;
        let mut buf = Vec::new();
        for (k, c) in self.by_len.iter().enumerate().skip(first) {
            if c.len() > hi * 4 || self.cells == 0 {
                break;
            }
            // Equals are found in byte order (within one length), so keep the first.
            let cutoff = best.map_or(limit, |(d, _)| d.saturating_sub(1));
            if let Some(d) = distance(&chars, c, cutoff, &mut self.cells, &mut buf) {
                best = Some((d, k));
            }
        }
        if self.cells == 0 {
            return None; // the answer may be incomplete: better none than a misleading one
        }
        best.map(|(_, k)| self.by_len[k].as_str())
    }

    /// The smallest known name of 3 bytes or more that `word` extends or that
    /// extends `word`, as an index into `by_len`.
    fn related(&self, word: &str) -> Option<usize> {
        let text = |i: u32| self.by_len[i as usize].as_str();
        let mut found: Option<u32> = None;
        let mut consider = |i: u32| {
            let c = text(i);
            if c.len() >= 3 && c != word && found.is_none_or(|f| c < text(f)) {
                found = Some(i);
            }
        };
        // Names that `word` extends: its prefixes.
        for end in word.char_indices().skip(1).map(|(end, _)| end).chain([word.len()]) {
            if let Ok(k) = self.by_text.binary_search_by(|&i| text(i).cmp(&word[..end])) {
                consider(self.by_text[k]);
            }
        }
        // Names that extend `word`: the first in byte order that starts with it.
        let k = self.by_text.partition_point(|&i| text(i) <= word);
        if let Some(&i) = self.by_text.get(k).filter(|&&i| text(i).starts_with(word)) {
            consider(i);
        }
        found.map(|i| i as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let s = Source::new("x.yaml", "name: 审批\nid: a\n");
        let off = s.text().find("id").unwrap();
        assert_eq!(s.line_col(off), (2, 1));
        let off = s.text().find('批').unwrap();
        assert_eq!(s.line_col(off), (1, 8));
    }

    #[test]
    fn suggest_finds_typos_only() {
        assert_eq!(suggest("promsied", ["promised", "legal"]), Some("promised"));
        assert_eq!(suggest("filling", ["filing", "eia"]), Some("filing"));
        assert_eq!(suggest("zzz", ["promised", "legal"]), None);
        assert_eq!(suggest("dept_name", ["name", "dept"]), Some("dept"));
    }

    #[test]
    fn the_suggester_agrees_with_suggest_on_typos_and_prefixes() {
        let ids = ["filing", "land-planning", "eia", "eia-report", "dept", "permit"];
        let mut s = Suggester::new(ids);
        for word in ["filling", "land_planning", "eia-reprot", "dept_name", "permits", "zzz", "ei"] {
            assert_eq!(s.suggest(word), suggest(word, ids), "{word}");
        }
    }

    #[test]
    fn the_suggester_breaks_ties_by_byte_order() {
        let mut s = Suggester::new(["step-b", "step-a", "step-c"]);
        assert_eq!(s.suggest("step-x"), Some("step-a"));
    }

    // Two 100,000-character ids and one unknown reference took 25.8 s.
    #[test]
    fn a_long_word_is_never_compared_with_names_far_from_its_length() {
        let long = "a".repeat(100_000);
        let mut s = Suggester::new([long.as_str(), "filing"]);
        assert_eq!(s.suggest(&"b".repeat(100_000)), None);
        assert_eq!(s.suggest("filling"), Some("filing"));
        assert_eq!(suggest(&"b".repeat(100_000), ["filing", "eia"]), None);
        assert!(s.cells > Suggester::BUDGET - 100, "{}", s.cells);
        assert_eq!(clip(&long).chars().count(), 65);
        assert_eq!(clip("filing"), "filing");
    }

    #[test]
    fn the_suggester_stops_when_its_budget_is_spent() {
        let names: Vec<String> = (0..100_000).map(|i| format!("s{i:06}")).collect();
        let mut s = Suggester::new(names.iter().map(String::as_str));
        let mut answered = 0;
        for i in 0..10_000 {
            if s.suggest(&format!("t{i:06}")).is_some() {
                answered += 1;
            }
        }
        assert!(answered > 0 && answered < 10_000, "{answered}");
        assert_eq!(s.cells, 0);
        assert_eq!(s.suggest("s000001x"), Some("s000001"), "prefixes are still found");
    }
}
