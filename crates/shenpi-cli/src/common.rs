//! What the commands share: loading a flow for a project, argument parsers,
//! and the failures `main` turns into exit codes.

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use shenpi_core::calendar::{Beyond, Calendar, CalendarReach, LoadError, calendar_path, parse_date};
use shenpi_core::diag::{Located, Report};
use shenpi_core::graph::{Mode, Options};
use shenpi_core::runtime::{ProjectCalendar, region_code};
use shenpi_core::{Error, ErrorKind, Flow, FlowGraph};

/// Why a command failed, for the exit-code table in `main` ([`crate::exit_code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A library error of this kind.
    Error(ErrorKind),
    /// The command line itself is wrong: a bad argument.
    Usage,
    /// Standard output was closed (`shenpi plan f.yaml | head`): not an error.
    Closed,
}

/// Why a command failed, as `main` reports it: on stderr for a person, or as
/// the one `{"error": …}` object on stdout with `--format json`.
#[derive(Debug)]
pub struct Failure {
    /// What the exit code and the JSON `code` are made from.
    pub cause: Cause,
    /// What went wrong, without the `error: ` a person sees before it; any
    /// `help:` lines follow on their own lines.
    pub message: String,
    /// The flow or calendar diagnostics behind it: rendered like rustc on
    /// stderr before the message, or each as `check --format json` gives it.
    pub reports: Vec<Report>,
    /// The command printed what a person needs already: `main` adds nothing on stderr.
    pub printed: bool,
}

impl Failure {
    /// A failure of `cause` that `message` explains.
    pub fn new(cause: Cause, message: impl Into<String>) -> Failure {
        Failure { cause, message: message.into(), reports: Vec::new(), printed: false }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Cause::Usage, message)
    }

    /// A failure of `kind` whose message the command printed already (table format).
    pub fn printed(kind: ErrorKind) -> Failure {
        Failure { printed: true, ..Failure::new(Cause::Error(kind), "") }
    }

    /// Adds a line telling the user what to do (`help: …`).
    pub fn help(mut self, help: &str) -> Failure {
        self.message.push('\n');
        if !help.starts_with("help: ") {
            self.message.push_str("help: ");
        }
        self.message.push_str(help);
        self
    }

    /// With the diagnostics of `report`.
    pub fn with_report(mut self, report: &Report) -> Failure {
        self.reports.push(report.clone());
        self
    }

    /// What a person reads on stderr: the rendered diagnostics, then `error: ` and the message.
    pub fn text(&self) -> String {
        if self.printed || self.cause == Cause::Closed {
            return String::new();
        }
        let rendered: String = self.reports.iter().map(Report::render).collect();
        format!("{rendered}error: {}", self.message.trim_end_matches('\n'))
    }

    /// The stable code of `--format json`: the library's error code, or `usage`.
    pub fn code(&self) -> &'static str {
        match self.cause {
            Cause::Error(kind) => kind.code(),
            Cause::Usage => "usage",
            Cause::Closed => "closed",
        }
    }

    /// The one object `--format json` prints on stdout for a failure:
    /// `{"error": {"code": …, "message": …, "diagnostics": […]}}`, the
    /// diagnostics each as `check --format json` gives it.
    pub fn json(&self) -> String {
        let error = ErrorOut {
            code: self.code(),
            message: self.message.trim_end_matches('\n'),
            diagnostics: self.reports.iter().flat_map(Report::located).collect(),
        };
        // OK because strings, numbers and derived structs always serialise: no map has non-string keys.
        let mut text = serde_json::to_string_pretty(&JsonFailure { error }).expect("serialises");
        text.push('\n');
        text
    }
}

/// `{"error": …}`: what `--format json` prints on stdout for a failure.
#[derive(Serialize)]
struct JsonFailure<'a> {
    error: ErrorOut<'a>,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    /// The library's stable error code ([`ErrorKind::code`]), or `usage`.
    code: &'static str,
    message: &'a str,
    diagnostics: Vec<Located<'a>>,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let mut f = Failure::new(Cause::Error(e.kind()), e.to_string());
        if let Some(r) = e.report() {
            f = f.with_report(r);
        }
        if e.kind() == ErrorKind::OutOfRange {
            f = f.help(
                "on the command line, `--beyond law` projects the holiday law (to 2100) and \
                 `--beyond weekends` counts only weekends past the calendar's data",
            );
        }
        f
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Failure::new(Cause::Closed, "");
        }
        Failure::new(Cause::Error(ErrorKind::Io), e.to_string())
    }
}

/// `text` safe to print on a terminal: control characters (ESC, BEL, CR, …)
/// and the bidirectional controls that reorder what follows them (U+202E and
/// kin) are shown escaped, as `\u{1b}`, so a name cannot move the cursor,
/// recolour the screen or disguise itself.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with [`printable`] applied to each of its lines (as `str::lines`
/// splits them), each ending in a newline; returned as it is, without a
/// copy, when nothing in it needs escaping and it ends in a newline.
pub fn printable_lines(text: String) -> String {
    // The bytes that are, or begin, a character `needs_escape` may accept
    // (C0 and C1 controls, U+061C, U+200E..U+2069); newlines stay as they are.
    let suspect = |b: u8| (b < 0x20 && b != b'\n') || b == 0x7f || matches!(b, 0xc2 | 0xd8 | 0xe2);
    // A fold over fixed chunks, not `any`, so the scan runs without a branch a byte.
    let clean = || !text.as_bytes().chunks(64).any(|c| c.iter().fold(false, |hit, &b| hit | suspect(b)));
    let exact = || !text.chars().any(|c| c != '\n' && needs_escape(c));
    if text.ends_with('\n') && (clean() || exact()) {
        return text;
    }
    text.lines().map(|line| printable(line) + "\n").collect()
}

/// Whether `c` changes a terminal's state or the order of the text around it.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Parses `YYYY-MM-DD` (a clap value parser).
pub fn date(text: &str) -> Result<NaiveDate, String> {
    parse_date(text).map_err(|e| e.to_string())
}

/// Parses `K=V` (a clap value parser).
pub fn pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("`{text}` is not K=V, e.g. `energy_tce=1500`")),
    }
}

/// Parses an idempotency key (a clap value parser): an empty or blank key
/// would make every retry without one look like the same request.
pub fn key(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("an idempotency key cannot be empty; leave `--key` out to record without one".to_string());
    }
    Ok(text.to_string())
}

/// What to do with dates past the calendar's published years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BeyondArg {
    /// Refuse them: holidays there are not known yet.
    Error,
    /// Count only weekends there.
    Weekends,
    /// Project the statutory holidays by the holiday law, up to 2100.
    Law,
}

impl BeyondArg {
    /// `calendar` counting as asked; unchanged when nothing was asked.
    pub fn apply(arg: Option<BeyondArg>, calendar: Calendar) -> Calendar {
        match arg {
            None => calendar,
            Some(BeyondArg::Error) => calendar.with_beyond(Beyond::Error),
            Some(BeyondArg::Weekends) => calendar.with_beyond(Beyond::Weekends),
            Some(BeyondArg::Law) => calendar.with_beyond(Beyond::Law),
        }
    }
}

/// The line telling a user that some dates shown may move: `None` when none does.
pub fn provisional_note(calendar: &Calendar, dates: impl IntoIterator<Item = NaiveDate>) -> Option<String> {
    dates.into_iter().any(|d| calendar.is_provisional(d)).then(|| calendar.provisional_note()).flatten()
}

/// The arguments that pick a flow and describe one project of it.
#[derive(clap::Args)]
pub struct FlowArgs {
    /// The flow file.
    #[arg(value_name = "FLOW")]
    pub flow: PathBuf,
    /// A project attribute, e.g. `--param energy_tce=1500`; repeat for several.
    #[arg(long = "param", value_name = "K=V", value_parser = pair)]
    pub params: Vec<(String, String)>,
    /// Dates past the calendar's published years: `law` projects the holiday law (the default of
    /// `cn`), `weekends` counts only weekends, `error` refuses them; the calendar's own when absent.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub beyond: Option<BeyondArg>,
    #[command(flatten)]
    pub reach: ReachArg,
}

/// Whether a flow's calendar file may lie outside the flow file's directory.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct ReachArg {
    /// Let the flow's `calendar:` name a file outside the flow file's directory (refused by
    /// default: a flow from elsewhere could point at any file)
    #[arg(long)]
    pub allow_calendar_outside: bool,
}

impl ReachArg {
    /// The library's name for it.
    pub fn reach(self) -> CalendarReach {
        if self.allow_calendar_outside { CalendarReach::Anywhere } else { CalendarReach::FlowDirectory }
    }
}

/// Which regions (区划代码) a store read covers.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct RegionArg {
    /// Only the projects whose region (区划代码) starts with PREFIX: `3304` a city and its
    /// counties, `330402` one county; every project when left out
    #[arg(long = "region", value_name = "PREFIX", default_value = "")]
    pub prefix: String,
}

impl RegionArg {
    /// The prefix, checked: `""` or the digits of a region code.
    pub fn prefix(&self) -> Result<&str, Failure> {
        if !self.prefix.is_empty() {
            region_code(&self.prefix)?;
        }
        Ok(&self.prefix)
    }
}

/// What to do about a calendar file outside the flow's directory.
pub const OUTSIDE_HELP: &str = "help: move the calendar file beside the flow, or pass --allow-calendar-outside if you trust the flow's author";

/// A calendar file that could not be used, with what to do when it lies
/// outside the flow's directory.
pub fn calendar_failure(e: LoadError) -> Failure {
    let outside = e.is_outside();
    let mut f = Failure::from(Error::from(e));
    // Named by the flow, not on the command line: the flow is invalid input (exit 1).
    if f.cause == Cause::Error(ErrorKind::Io) {
        f.cause = Cause::Error(ErrorKind::Invalid);
    }
    if outside { f.help(OUTSIDE_HELP) } else { f }
}

/// A flow compiled for one project, with its calendar.
pub struct Loaded {
    /// The compiled flow.
    pub graph: FlowGraph,
    /// The flow's calendar, with `--beyond` applied.
    pub calendar: Calendar,
}

impl FlowArgs {
    /// Reads the flow, binds the params, compiles it and resolves its calendar.
    pub fn load(&self) -> Result<Loaded, Failure> {
        self.load_with(Options::default())
    }

    /// [`FlowArgs::load`], compiling the flow with a project's options.
    pub fn load_with(&self, options: Options) -> Result<Loaded, Failure> {
        let flow = Arc::new(Flow::load(&self.flow)?);
        let params = flow.bind(self.params.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let calendar = flow_calendar(&flow, &self.flow, self.reach)?;
        let calendar = BeyondArg::apply(self.beyond, calendar);
        Ok(Loaded { graph: FlowGraph::with_options(flow, params, options), calendar })
    }
}

/// `--mode` values: the library's names (`Mode::ALL`), read by `Mode`'s `FromStr`.
pub fn mode_parser() -> impl clap::builder::TypedValueParser<Value = Mode> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Mode::ALL.map(|(name, _)| name)).try_map(|s| s.parse::<Mode>())
}

/// The reform's optional mechanisms a project may use, for `plan` and `simulate`.
#[derive(clap::Args)]
pub struct OptionArgs {
    /// `normal` (every step waits for all its prerequisites) or `simulated` (模拟审批: steps with
    /// `provisional` run ahead of the prerequisites their `before` names)
    #[arg(long, value_name = "MODE", value_parser = mode_parser(), default_value = "normal")]
    pub mode: Mode,
    /// Approve steps with `commitment` at acceptance on the applicant's pledge (告知承诺制).
    #[arg(long)]
    pub commitment: bool,
}

impl OptionArgs {
    /// As the library's options.
    pub fn options(&self) -> Options {
        Options { mode: self.mode, commitment: self.commitment }
    }
}

/// The calendar `flow`, read from `flow_path`, names.
///
/// A calendar file the flow names that cannot be read makes the flow invalid
/// input (exit 1), like a file with errors; a file named on the command line
/// that cannot be read is an I/O error (exit 2).
pub fn flow_calendar(flow: &Flow, flow_path: &Path, reach: ReachArg) -> Result<Calendar, Failure> {
    Calendar::resolve_reaching(flow.calendar(), flow_path.parent(), reach.reach()).map_err(calendar_failure)
}

/// The calendar a project of `flow` (read from `flow_path`) counts on: the
/// built-in one it names, or its calendar file read relative to the flow
/// file (and inside its directory unless `reach` allows more), whose text
/// the project pins.
pub fn project_calendar(flow: &Flow, flow_path: &Path, reach: ReachArg) -> Result<ProjectCalendar, Failure> {
    if let Some(builtin) = ProjectCalendar::builtin(flow.calendar()) {
        return Ok(builtin);
    }
    let dir = flow_path.parent().unwrap_or(Path::new("."));
    let path = calendar_path(flow.calendar(), Some(dir), reach.reach()).map_err(calendar_failure)?;
    // Messages and the pinned record name the file as the flow does, not by its resolved path.
    let shown = dir.join(flow.calendar());
    let text = shenpi_core::limits::read_file(&path).and_then(|bytes| {
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    });
    let text = text.map_err(|e| {
        // Named by the flow, not on the command line: the flow is invalid (see `flow_calendar`).
        Failure::new(
            Cause::Error(ErrorKind::Invalid),
            format!("cannot read `{}`, the calendar file flow `{}` names: {e}", shown.display(), flow.id()),
        )
    })?;
    Ok(ProjectCalendar::from_yaml(&shown.display().to_string(), text)?)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The table's last pass once escaped every line with a fresh copy; it now keeps a clean text.
        #[test]
        fn printable_lines_is_printable_line_by_line(text in "[a名 \n\r\t\u{7}\u{7f}\u{85}\u{a0}\u{61c}\u{200e}\u{2014}\u{202e}\u{2069}]{0,12}") {
            let by_line: String = text.lines().map(|line| printable(line) + "\n").collect();
            prop_assert_eq!(printable_lines(text.clone()), by_line);
        }
    }

    #[test]
    fn printable_escapes_terminal_and_bidi_controls_only() {
        assert_eq!(printable("建设用地规划许可证 (B-2)"), "建设用地规划许可证 (B-2)");
        assert_eq!(printable("a\u{1b}[31mred\u{7}"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(printable("x\u{202e}gpj.exe\ty\n"), "x\\u{202e}gpj.exe\\u{9}y\\u{a}");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
    }
}
