//! Calendar files: a local government's own days on top of `cn`, or a calendar
//! from scratch. The format is described in `docs/calendar-format.md`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};

use super::{
    Beyond, Calendar, CalendarBuilder, DayKind, Entry, MAX_YEARS, Notice, Problem, Zone, date_problem,
};
use crate::diag::{Code, Diagnostic, Report, Source, Span, suggest};
use crate::yaml::{self, Fields, Node, Reader};

const KEYS: &[&str] =
    &["name", "description", "base", "weekend", "years", "beyond", "zone", "holidays", "workdays", "notices"];
const NOTICE_KEYS: &[&str] = &["title", "number", "holidays", "workdays"];
const WEEKDAYS: &[(&str, Weekday)] = &[
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];
const ENTRY_HELP: &str = "write a day as `2025-05-06 name` and a span as `2025-05-06..2025-05-07 name`";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Base {
    Cn,
    None,
}

/// Why [`Calendar::resolve`] or [`Calendar::load`] found no calendar.
#[derive(Debug)]
pub struct LoadError {
    kind: LoadKind,
}

#[derive(Debug)]
enum LoadKind {
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    Invalid(Report),
    /// The path leads out of the flow file's directory.
    Outside {
        name: String,
        dir: PathBuf,
    },
}

/// Where the calendar file a flow names may lie.
///
/// A flow file is often written by someone other than the person who runs
/// shenpi on it; its `calendar:` key is a path, and the diagnostics shenpi
/// prints about a calendar file describe its contents. So by default a
/// calendar file must lie in the flow file's directory or below it, after
/// following symbolic links: `calendar: ../../etc/passwd` is refused before
/// anything is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CalendarReach {
    /// In the flow file's directory or below it (the default).
    #[default]
    FlowDirectory,
    /// Anywhere the process may read, for a flow whose author is trusted.
    Anywhere,
}

/// A calendar or data file's text, read within [`crate::limits`].
pub(super) fn read_text(path: &Path) -> Result<String, LoadError> {
    let io = |error| LoadError { kind: LoadKind::Io { path: path.to_path_buf(), error } };
    let bytes = crate::limits::read_file(path).map_err(io)?;
    String::from_utf8(bytes).map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

impl LoadError {
    /// A file that was read but is not a valid calendar.
    pub(super) fn invalid(report: Report) -> LoadError {
        LoadError { kind: LoadKind::Invalid(report) }
    }

    /// True when the file could not be read.
    pub fn is_io(&self) -> bool {
        matches!(self.kind, LoadKind::Io { .. })
    }

    /// True when the file was read but is not a valid calendar; see [`LoadError::report`].
    pub fn is_invalid(&self) -> bool {
        matches!(self.kind, LoadKind::Invalid(_))
    }

    /// True when the path leads out of the flow file's directory and
    /// [`CalendarReach::Anywhere`] was not given; nothing was read.
    pub fn is_outside(&self) -> bool {
        matches!(self.kind, LoadKind::Outside { .. })
    }

    /// Every problem found in an invalid file, with positions.
    pub fn report(&self) -> Option<&Report> {
        match &self.kind {
            LoadKind::Invalid(r) => Some(r),
            LoadKind::Io { .. } | LoadKind::Outside { .. } => None,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LoadKind::Io { path, error } => write!(
                f,
                "cannot read calendar file `{}`: {error}; the built-in calendars are `cn` and `weekends`",
                path.display()
            ),
            LoadKind::Invalid(report) => f.write_str(report.render().trim_end()),
            LoadKind::Outside { name, dir } => write!(
                f,
                "calendar file `{}` lies outside `{}`, the flow file's directory; \
                 a flow may name only a calendar file beside it or below it",
                name.escape_debug(),
                dir.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            LoadKind::Io { error, .. } => Some(error),
            LoadKind::Invalid(_) | LoadKind::Outside { .. } => None,
        }
    }
}

impl Calendar {
    /// Reads a calendar file's text; `name` is the file name shown in diagnostics.
    ///
    /// # Errors
    /// A report with every problem in the file, each with its line and column.
    pub fn from_yaml(name: &str, text: &str) -> Result<Calendar, Report> {
        load(Source::new(name, text))
    }

    /// Reads the calendar file at `path`.
    ///
    /// # Errors
    /// The file cannot be read ([`LoadError::is_io`]) or is not a valid calendar.
    pub fn load(path: &Path) -> Result<Calendar, LoadError> {
        let text = read_text(path)?;
        Calendar::from_yaml(&path.display().to_string(), &text).map_err(LoadError::invalid)
    }

    /// The calendar a flow's `calendar:` key names: `cn` (the built-in
    /// mainland calendar), `weekends` (Saturday and Sunday only), or the path
    /// of a calendar file. With `relative_to` (the flow file's directory) a
    /// relative path is taken from it, and the file must lie in it or below it
    /// ([`CalendarReach::FlowDirectory`]); without, the path is used as given.
    ///
    /// ```
    /// use shenpi_core::calendar::Calendar;
    ///
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("county.yaml"), "base: cn\nholidays:\n  - 2025-03-11 县庆\n")?;
    /// assert!(Calendar::resolve("county.yaml", Some(dir.path())).is_ok());
    /// // Out of the flow's directory: refused before anything is read.
    /// assert!(Calendar::resolve("../../etc/passwd", Some(dir.path())).unwrap_err().is_outside());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As for [`Calendar::load`]; [`LoadError::is_outside`] when the file lies
    /// outside `relative_to`.
    pub fn resolve(name_or_path: &str, relative_to: Option<&Path>) -> Result<Calendar, LoadError> {
        Calendar::resolve_reaching(name_or_path, relative_to, CalendarReach::FlowDirectory)
    }

    /// [`Calendar::resolve`], with `reach` saying whether a calendar file may
    /// lie outside `relative_to`.
    ///
    /// # Errors
    /// As for [`Calendar::resolve`].
    pub fn resolve_reaching(
        name_or_path: &str,
        relative_to: Option<&Path>,
        reach: CalendarReach,
    ) -> Result<Calendar, LoadError> {
        if let Some(builtin) = Calendar::builtin(name_or_path) {
            return Ok(builtin);
        }
        Calendar::load(&calendar_path(name_or_path, relative_to, reach)?)
    }

    /// Whether `name` is a built-in calendar (`cn`, `weekends`) rather than a file.
    pub fn is_builtin(name: &str) -> bool {
        Calendar::builtin(name).is_some()
    }

    fn builtin(name: &str) -> Option<Calendar> {
        match name {
            "cn" => Some(Calendar::cn()),
            "weekends" => Some(Calendar::weekends_only()),
            _ => None,
        }
    }
}

/// The path of the calendar file a flow names (`name`, not a built-in
/// calendar): taken from `relative_to` when relative, and, unless `reach` is
/// [`CalendarReach::Anywhere`], checked to lie in `relative_to` or below it
/// once symbolic links and `..` are resolved. The file is not opened.
///
/// # Errors
/// [`LoadError::is_io`] when the file or the directory does not exist;
/// [`LoadError::is_outside`] when the file lies outside `relative_to`.
pub fn calendar_path(
    name: &str,
    relative_to: Option<&Path>,
    reach: CalendarReach,
) -> Result<PathBuf, LoadError> {
    let path = Path::new(name);
    let Some(dir) = relative_to else {
        return Ok(path.to_path_buf());
    };
    // `Path::parent` of a bare file name is the empty path: the working directory.
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let joined = dir.join(path);
    if reach == CalendarReach::Anywhere {
        return Ok(joined);
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| LoadError { kind: LoadKind::Io { path, error } }
    };
    let inside = std::fs::canonicalize(dir).map_err(io(dir))?;
    let target = std::fs::canonicalize(&joined).map_err(io(&joined))?;
    if target.starts_with(&inside) {
        // Read through the resolved path: the file checked is the file read unless the tree changes between.
        Ok(target)
    } else {
        Err(LoadError { kind: LoadKind::Outside { name: name.to_string(), dir: inside } })
    }
}

/// Loads a calendar file, reporting every problem in one go.
pub(crate) fn load(source: Arc<Source>) -> Result<Calendar, Report> {
    load_on(source, &Calendar::cn)
}

/// [`load`], with `cn` giving the calendar `base: cn` adds days to.
pub(crate) fn load_on(source: Arc<Source>, cn: &dyn Fn() -> Calendar) -> Result<Calendar, Report> {
    let mut r = Reader::new(&source);
    let cal = read(&mut r, cn);
    let diags = r.diags;
    match cal {
        Some(c) if !diags.iter().any(Diagnostic::is_error) => Ok(c),
        _ => Err(Report::new(source.clone(), diags)),
    }
}

/// An entry as read, with the span of its dates.
struct Read {
    entry: Entry,
    span: Span,
}

/// What a calendar file says before its days.
struct Header {
    base: Option<Base>,
    title: Option<String>,
    beyond: Option<Beyond>,
    weekend: Option<Vec<Weekday>>,
    years: Option<(i32, i32)>,
    zone: Option<Zone>,
}

/// A calendar file's days: its notices, and every entry with the notice it cites.
struct Days {
    notices: Vec<Notice>,
    entries: Vec<Read>,
}

/// Reads a calendar file: its header, its days, then the calendar they make,
/// reporting every problem on the way.
fn read(r: &mut Reader<'_>, cn: &dyn Fn() -> Calendar) -> Option<Calendar> {
    let root = document(r)?;
    let f = r.fields(&root, "a calendar file", KEYS)?;
    let header = read_header(r, &f);
    let days = read_days(r, &f);
    let builder = match header.base? {
        Base::Cn => on_cn(r, &f, &header, cn()),
        Base::None => from_scratch(r, &f, &header)?,
    };
    let (builder, spans) = with_days(builder, &header, days);
    if has_errors(r) {
        return None;
    }
    for p in builder.problems() {
        let d = problem(&builder, &spans, header.base == Some(Base::Cn), p);
        r.push(d);
    }
    if has_errors(r) {
        return None;
    }
    match builder.build() {
        Ok(c) => Some(c),
        Err(e) => {
            // The checks above cover what `build` refuses; say it anyway.
            r.push(Diagnostic::error(Code::InvalidValue, e.to_string()).at(f.span, ""));
            None
        }
    }
}

fn has_errors(r: &Reader<'_>) -> bool {
    r.diags.iter().any(Diagnostic::is_error)
}

/// The file's one YAML document, when it could be a calendar file; an empty
/// file is an error.
///
/// A flow names its calendar file by path, so the file may be anything the
/// flow's author pointed at. What is not a calendar file (not YAML, or YAML
/// without a single calendar key) is reported without quoting a line of it.
fn document<'s>(r: &mut Reader<'s>) -> Option<Node<'s>> {
    match yaml::parse(r.source) {
        Ok(Some(root)) if is_calendar_like(&root) => Some(root),
        Ok(Some(_)) => {
            r.push(
                Diagnostic::error(Code::WrongType, "this is not a calendar file")
                    .note(format!("a calendar file is a YAML mapping with keys such as {}", key_list()))
                    .help("check the `calendar:` path; start a calendar file with `base: cn`"),
            );
            None
        }
        Ok(None) => {
            r.push(
                Diagnostic::error(Code::MissingField, "the calendar file is empty")
                    .at(Span::new(0, 0), "")
                    .help("start with `base: cn` to add days to the mainland calendar"),
            );
            None
        }
        Err(d) => {
            // A file that is not YAML may be anything: say where, not what.
            let at = d.primary.as_ref().map(|p| r.source.line_col(p.span.start));
            let mut unquoted = Diagnostic::error(d.code, d.message.clone());
            unquoted.notes = d.notes.clone();
            unquoted.help = d.help.clone();
            if let Some((line, column)) = at {
                unquoted = unquoted.note(format!("at line {line}, column {column}"));
            }
            r.push(unquoted);
            None
        }
    }
}

/// A mapping with at least one key a calendar file has.
fn is_calendar_like(root: &Node<'_>) -> bool {
    root.keys().any(|k| k.as_str().is_some_and(|k| KEYS.contains(&k)))
}

fn key_list() -> String {
    KEYS.iter().take(5).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

/// `base`, `name`, `description`, `beyond`, `weekend` and `years`.
fn read_header(r: &mut Reader<'_>, f: &Fields<'_>) -> Header {
    let base = match f.get("base") {
        Some(n) => r.choice(n, "base", &[("cn", Base::Cn), ("none", Base::None)]),
        None => {
            r.missing(
                f,
                "the calendar file",
                "base",
                "start with `base: cn` to add days to the mainland calendar, \
                 or `base: none` and `years:` for a calendar of your own",
            );
            None
        }
    };
    let title = f.get("name").and_then(|n| r.text(n, "name"));
    if let Some(n) = f.get("description") {
        r.text(n, "description");
    }
    let beyond = f.get("beyond").and_then(|n| {
        r.choice(
            n,
            "beyond",
            &[("error", Beyond::Error), ("weekends", Beyond::Weekends), ("law", Beyond::Law)],
        )
    });
    let weekend = f.get("weekend").and_then(|n| weekend(r, n));
    let years = f.get("years").and_then(|n| years(r, n));
    let zone = f.get("zone").and_then(|n| zone(r, n));
    Header { base, title, beyond, weekend, years, zone }
}

/// The top-level `holidays` and `workdays`, then each notice with its own.
fn read_days(r: &mut Reader<'_>, f: &Fields<'_>) -> Days {
    let mut days = Days { notices: Vec::new(), entries: Vec::new() };
    read_kinds(r, f, None, &mut days.entries);
    let Some(list) = f.get("notices").and_then(|n| r.list(n, "notices")) else { return days };
    for item in list {
        let Some(nf) = r.fields(item, "a notice", NOTICE_KEYS) else { continue };
        let title = match nf.get("title") {
            Some(n) => r.text(n, "title"),
            None => {
                r.missing(&nf, "the notice", "title", "give the notice's title, as published");
                None
            }
        };
        let number = nf.get("number").and_then(|n| r.text(n, "number"));
        days.notices.push(Notice { title: title.unwrap_or_default(), number });
        read_kinds(r, &nf, Some(days.notices.len() - 1), &mut days.entries);
    }
    days
}

/// The `holidays` and `workdays` of one mapping, citing `notice`.
fn read_kinds(r: &mut Reader<'_>, f: &Fields<'_>, notice: Option<usize>, out: &mut Vec<Read>) {
    for (key, kind) in [("holidays", DayKind::Holiday), ("workdays", DayKind::Workday)] {
        if let Some(n) = f.get(key) {
            read_entries(r, n, key, kind, notice, out);
        }
    }
}

/// A builder on top of `cn`, its years widened by the file's.
fn on_cn(r: &mut Reader<'_>, f: &Fields<'_>, header: &Header, cn: Calendar) -> CalendarBuilder {
    if let Some(span) = f.key_span("weekend") {
        r.push(
            Diagnostic::error(Code::InvalidValue, "`weekend` cannot be changed on top of `base: cn`")
                .at(span, "the `cn` calendar rests on Saturday and Sunday")
                .help("remove `weekend`, or use `base: none` for a calendar of your own"),
        );
    }
    let b = cn.extend(r.source.name());
    // The file's years widen cn's: a file written for `2015..2027` keeps the earlier years too.
    match header.years {
        Some((y0, y1)) => {
            let (c0, c1) = b.year_span();
            b.years(y0.min(c0)..=y1.max(c1))
        }
        None => b,
    }
}

/// A builder for a calendar of its own; `None` without `years`.
fn from_scratch(r: &mut Reader<'_>, f: &Fields<'_>, header: &Header) -> Option<CalendarBuilder> {
    let Some((y0, y1)) = header.years else {
        if !f.has("years") {
            r.missing(
                f,
                "a calendar with `base: none`",
                "years",
                "say which years the calendar has data for, e.g. `years: 2020..2030`",
            );
        }
        return None;
    };
    let weekend = header.weekend.clone().unwrap_or(vec![Weekday::Sat, Weekday::Sun]);
    Some(Calendar::builder(r.source.name(), y0..=y1).weekend(&weekend))
}

/// The builder with the file's title, `beyond`, notices and entries; the
/// spans of the entries' dates, in the builder's order.
fn with_days(mut b: CalendarBuilder, header: &Header, days: Days) -> (CalendarBuilder, Vec<Span>) {
    if let Some(t) = &header.title {
        b = b.title(t.clone());
    }
    if let Some(beyond) = header.beyond {
        b = b.beyond(beyond);
    }
    if let Some(zone) = &header.zone {
        b = b.zone(zone.clone());
    }
    let offset = b.notice_count();
    for n in days.notices {
        b.notice(n);
    }
    let mut spans = Vec::with_capacity(days.entries.len());
    for Read { mut entry, span } in days.entries {
        entry.notice = entry.notice.map(|i| i + offset);
        spans.push(span);
        b = b.entry(entry);
    }
    (b, spans)
}

/// The diagnostic for one problem the builder found; `spans` are the own entries' dates.
fn problem(b: &CalendarBuilder, spans: &[Span], on_cn: bool, p: Problem) -> Diagnostic {
    let own = b.own_entries();
    let text = |i: usize| {
        let e = &own[i];
        if e.first == e.last { e.first.to_string() } else { format!("{}..{}", e.first, e.last) }
    };
    let (y0, y1) = b.year_span();
    match p {
        Problem::Reversed(i) => Diagnostic::error(
            Code::BadDate,
            format!("the span `{}..{}` ends before it starts", own[i].first, own[i].last),
        )
        .at(spans[i], "the second date is earlier than the first")
        .help("swap the two dates"),
        Problem::OutsideYears(i) => match b.projected_year_span() {
            // Under `beyond: law` a file may add days to the projected years too.
            Some((p0, p1)) => Diagnostic::error(
                Code::BadDate,
                format!("`{}` is outside the calendar's years {y0}..{y1} and the years the holiday law projects ({p0}..{p1})", text(i)),
            )
            .at(spans[i], format!("not in {y0}..{p1}"))
            .help(format!("the holiday law is projected no further than {p1}; remove it")),
            None => {
                let help = if on_cn {
                    format!(
                        "the `cn` data covers {y0}..{y1}; to give a later year your own days, \
                         add `years: {y0}..{}`",
                        own[i].last.year().max(y1)
                    )
                } else {
                    "extend `years` to include it, or remove it".to_string()
                };
                Diagnostic::error(Code::BadDate, format!("`{}` is outside the calendar's years {y0}..{y1}", text(i)))
                    .at(spans[i], format!("not in {y0}..{y1}"))
                    .help(help)
            }
        },
        Problem::Overlap(a, c, d) if own[a].kind == own[c].kind => {
            Diagnostic::error(Code::BadDate, format!("`{}` overlaps `{}` on {d}", text(c), text(a)))
                .at(spans[c], "overlaps an earlier entry")
                .also(spans[a], "listed here first")
                .help("merge the two entries or remove the repeated days")
        }
        Problem::Overlap(a, c, d) => Diagnostic::error(
            Code::BadDate,
            format!("{d} is listed both as a holiday and as a make-up working day"),
        )
        .at(spans[c], "contradicts an earlier entry")
        .also(spans[a], "listed here first")
        .help("a day is either off or worked; remove one of the two entries"),
        Problem::NotRestDay(i, d) => Diagnostic::error(
            Code::BadDate,
            format!("{d} is a {}, already a working day", weekday_name(d.weekday())),
        )
        .at(spans[i], "`workdays` lists weekly rest days that are worked")
        .help("remove it; make-up working days (调休) fall on weekend days"),
        Problem::OnBaseHoliday(i, holiday, d) => {
            let name = holiday.map(|n| format!(" ({n})")).unwrap_or_default();
            Diagnostic::error(
                Code::BadDate,
                format!("{d} is a holiday in the `cn` calendar{name}, so it cannot be a make-up working day"),
            )
            .at(spans[i], "a holiday in the base calendar")
            .help("remove it; a calendar file may add holidays to its base but not take them away")
        }
    }
}

/// The English name of a weekday, for messages.
pub(crate) fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn weekend(r: &mut Reader<'_>, node: &Node<'_>) -> Option<Vec<Weekday>> {
    let items = r.list(node, "weekend")?;
    let mut days: Vec<(Weekday, Span)> = Vec::new();
    let mut ok = true;
    for it in items {
        match r.choice(it, "weekend", WEEKDAYS) {
            Some(d) => match days.iter().find(|(seen, _)| *seen == d) {
                Some(&(_, first)) => {
                    // A repeated day is most likely a typo for another one: say so rather than guess.
                    r.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            format!("{} is listed twice in `weekend`", weekday_name(d)),
                        )
                        .at(r.span(it), "listed again here")
                        .also(first, "listed here first")
                        .help("list each weekly rest day once, e.g. `[sat, sun]`"),
                    );
                    ok = false;
                }
                None => days.push((d, r.span(it))),
            },
            None => ok = false,
        }
    }
    let days: Vec<Weekday> = days.into_iter().map(|(d, _)| d).collect();
    if days.len() == 7 {
        r.push(
            Diagnostic::error(Code::InvalidValue, "a weekend of all seven days leaves no working day")
                .at(r.span(node), "every day of the week is listed")
                .help("list the weekly rest days only, e.g. `[sat, sun]`"),
        );
        return None;
    }
    ok.then_some(days)
}

/// A zone shenpi knows (`Asia/Shanghai`, …) or a fixed offset (`UTC+08:00`).
fn zone(r: &mut Reader<'_>, node: &Node<'_>) -> Option<Zone> {
    let text = r.text(node, "zone")?;
    match Zone::lookup(&text) {
        Ok(z) => Some(z),
        Err(why) => {
            let mut d = Diagnostic::error(Code::InvalidValue, format!("`{text}` is not a valid `zone`"))
                .at(r.span(node), why);
            d = match suggest(&text, Zone::known()) {
                Some(g) => d.help(format!("did you mean `{g}`?")),
                None => {
                    d.help("a zone with summer time needs a fixed offset for the part of the year it matters")
                }
            };
            r.push(d);
            None
        }
    }
}

/// `2025` or `2020..2030`, both ends included.
fn years(r: &mut Reader<'_>, node: &Node<'_>) -> Option<(i32, i32)> {
    let text = r.text(node, "years")?;
    let (a, b) = text.split_once("..").unwrap_or((&text, &text));
    let year = |s: &str| s.trim().parse::<i32>().ok().filter(|y| (1..=9999).contains(y));
    let (Some(y0), Some(y1)) = (year(a), year(b)) else {
        r.push(
            Diagnostic::error(Code::InvalidValue, format!("`{text}` is not a year or a range of years"))
                .at(r.span(node), "expected a year such as `2025` or a range such as `2020..2030`"),
        );
        return None;
    };
    let problem = if y1 < y0 {
        Some(format!("the years `{text}` end before they start"))
    } else if y1 - y0 >= MAX_YEARS {
        Some(format!("the years `{text}` span more than {MAX_YEARS} years"))
    } else {
        None
    };
    if let Some(msg) = problem {
        r.push(
            Diagnostic::error(Code::InvalidValue, msg)
                .at(r.span(node), "both ends are included: `2020..2030` is eleven years"),
        );
        return None;
    }
    Some((y0, y1))
}

fn read_entries(
    r: &mut Reader<'_>,
    node: &Node<'_>,
    key: &str,
    kind: DayKind,
    notice: Option<usize>,
    out: &mut Vec<Read>,
) {
    let Some(items) = r.list(node, key) else { return };
    for item in items {
        let Some(text) = r.text(item, key) else { continue };
        let lead = text.len() - text.trim_start().len();
        let body = text.trim_start();
        let (dates, name) = match body.find(char::is_whitespace) {
            Some(i) => (&body[..i], body[i..].trim()),
            None => (body, ""),
        };
        let span = r.part_span(item, &text, lead..lead + dates.len());
        let (first, last) = match dates.split_once("..") {
            Some((a, b)) => {
                let first = date_at(r, item, &text, a, lead, dates);
                let last = date_at(r, item, &text, b, lead + a.len() + 2, dates);
                (first, last)
            }
            None => {
                let d = date_at(r, item, &text, dates, lead, dates);
                (d, d)
            }
        };
        let (Some(first), Some(last)) = (first, last) else { continue };
        let name = (!name.is_empty()).then(|| name.to_string());
        let entry = Entry { kind, first, last, name, notice, projected: false };
        out.push(Read { entry, span });
    }
}

/// The date `part`, found at byte `at` of the scalar `text`.
fn date_at(
    r: &mut Reader<'_>,
    node: &Node<'_>,
    text: &str,
    part: &str,
    at: usize,
    dates: &str,
) -> Option<NaiveDate> {
    match date_problem(part) {
        Ok(d) => Some(d),
        Err(why) => {
            let (message, span) = if part.is_empty() {
                let dots = text.find("..").unwrap_or(0);
                (
                    format!("the span `{dates}` needs a date on both sides of `..`"),
                    r.part_span(node, text, dots..dots + 2),
                )
            } else {
                (format!("`{part}` is not a valid date"), r.part_span(node, text, at..at + part.len()))
            };
            r.push(Diagnostic::error(Code::BadDate, message).at(span, why).help(ENTRY_HELP));
            None
        }
    }
}
