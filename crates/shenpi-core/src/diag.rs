//! Diagnostics: what is wrong with an input file, where, and how to fix it.
//!
//! Loaders never stop at the first problem: they collect every [`Diagnostic`]
//! they find into a [`Report`], which renders in the style of rustc (through
//! `codespan-reporting`) or as JSON for other tools.

use std::fmt;
use std::sync::Arc;

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
#[derive(Debug, PartialEq, Eq)]
pub struct Source {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// Byte offset of each character, kept only for non-ASCII text.
    char_starts: Option<Vec<usize>>,
}

impl Source {
    /// Wraps `text`, read from the file called `name` (used in messages only).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let char_starts = (!text.is_ascii()).then(|| text.char_indices().map(|(b, _)| b).collect());
        Arc::new(Source { name: name.into(), text, line_starts, char_starts })
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
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The byte offset of a 0-based character index, as YAML parsers report them.
    pub(crate) fn char_to_byte(&self, char_index: usize) -> usize {
        match &self.char_starts {
            None => char_index.min(self.text.len()),
            Some(starts) => starts.get(char_index).copied().unwrap_or(self.text.len()),
        }
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

/// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
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
    }
}
