//! `shenpi calendar`: working-day arithmetic on the command line.
//!
//! The answer comes first, alone on its line on stdout; a note that the
//! answer is provisional (it depends on a year counted by the holiday law or
//! by weekends alone) goes to stderr. Exit codes: 0 ok; 1 invalid input (a
//! calendar file with errors, or a date outside the calendar's years); 2
//! usage or I/O error (a bad argument, an unreadable file).

use std::io::{self, Write};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use shenpi_core::calendar::{Beyond, Calendar, DayKind, Entry, HOLIDAY_LAW, parse_date};
use shenpi_core::{Error, ErrorKind};

use crate::Format;
use crate::common::{BeyondArg, Cause, Failure, provisional_note};

/// Working days on a calendar: `cn`, `weekends`, or a calendar file.
#[derive(clap::Subcommand, Debug)]
pub enum CalendarCmd {
    /// Print the N-th working day after DATE (DATE itself not counted; N = 0: DATE or the next working day)
    AddDays {
        /// `cn`, `weekends`, or the path of a calendar file
        cal: String,
        /// Start date, YYYY-MM-DD
        date: String,
        /// Working days to add
        n: u32,
        /// Dates past the published years: `law`, `weekends` or `error`; the calendar's own when absent
        #[arg(long, value_enum, value_name = "WHAT")]
        beyond: Option<BeyondArg>,
        /// `table`: the answer alone on its line; `json`: an object with the question and the answer
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Print the number of working days x with FROM < x <= TO (negative when FROM is after TO)
    Between {
        /// `cn`, `weekends`, or the path of a calendar file
        cal: String,
        /// YYYY-MM-DD
        from: String,
        /// YYYY-MM-DD
        to: String,
        /// Dates past the published years: `law`, `weekends` or `error`; the calendar's own when absent
        #[arg(long, value_enum, value_name = "WHAT")]
        beyond: Option<BeyondArg>,
        /// `table`: the answer alone on its line; `json`: an object with the question and the answer
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// List a year's holidays and make-up working days, with their sources
    Show {
        /// `cn`, `weekends`, or the path of a calendar file
        cal: String,
        /// The year, e.g. 2025
        year: i32,
        /// Years past the published ones: `law`, `weekends` or `error`; the calendar's own when absent
        #[arg(long, value_enum, value_name = "WHAT")]
        beyond: Option<BeyondArg>,
        /// `table` for a person; `json`: the year's entries and their sources as one object
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

impl CalendarCmd {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        match self {
            CalendarCmd::AddDays { format, .. }
            | CalendarCmd::Between { format, .. }
            | CalendarCmd::Show { format, .. } => *format,
        }
    }
}

fn invalid(e: impl Into<Error>) -> Failure {
    Failure::from(e.into())
}

/// Runs a `calendar` subcommand: the answer on stdout, notes and errors on stderr.
pub fn run(cmd: CalendarCmd) -> Result<(), Failure> {
    let mut out = Vec::new();
    if let Some(note) = exec(cmd, &mut out)? {
        eprintln!("note: provisional: {note}");
    }
    let mut stdout = io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(())
}

/// Writes the answer to `out`; returns the provisional note when the answer depends on one.
fn exec(cmd: CalendarCmd, out: &mut Vec<u8>) -> Result<Option<String>, Failure> {
    match cmd {
        CalendarCmd::AddDays { cal, date, n, beyond, format } => {
            let cal = calendar(&cal, beyond)?;
            let date = date_arg(&date, "DATE")?;
            let due = cal.add_working_days(date, n).map_err(invalid)?;
            let note = provisional_note(&cal, [date, due]);
            match format {
                Format::Table => out.extend(format!("{due}\n").bytes()),
                Format::Json => {
                    let answer =
                        AddDaysOut { calendar: cal.id(), date, n, due, provisional: note.is_some(), note };
                    return json(out, &answer).map(|()| None);
                }
            }
            Ok(note)
        }
        CalendarCmd::Between { cal, from, to, beyond, format } => {
            let cal = calendar(&cal, beyond)?;
            let (from, to) = (date_arg(&from, "FROM")?, date_arg(&to, "TO")?);
            let n = cal.working_days_between(from, to).map_err(invalid)?;
            let note = provisional_note(&cal, [from, to]);
            match format {
                Format::Table => out.extend(format!("{n}\n").bytes()),
                Format::Json => {
                    let answer = BetweenOut {
                        calendar: cal.id(),
                        from,
                        to,
                        working_days: n,
                        provisional: note.is_some(),
                        note,
                    };
                    return json(out, &answer).map(|()| None);
                }
            }
            Ok(note)
        }
        CalendarCmd::Show { cal, year, beyond, format } => {
            let cal = calendar(&cal, beyond)?;
            match format {
                Format::Table => show(&cal, year, out)?,
                Format::Json => json(out, &YearOut::of(&cal, year)?)?,
            }
            Ok(None)
        }
    }
}

fn calendar(name: &str, beyond: Option<BeyondArg>) -> Result<Calendar, Failure> {
    let cal = Calendar::resolve(name, None).map_err(invalid)?;
    Ok(BeyondArg::apply(beyond, cal))
}

fn date_arg(text: &str, what: &str) -> Result<NaiveDate, Failure> {
    parse_date(text).map_err(|e| Failure::usage(format!("{what}: {e}")))
}

fn show(cal: &Calendar, year: i32, out: &mut Vec<u8>) -> Result<(), Failure> {
    let title = cal.title().map(|t| format!(" ({t})")).unwrap_or_default();
    // The data version tells a vendor whether a new year's data file (SHENPI_CALENDAR_DATA) took effect.
    let mut text = format!("{year} on calendar `{}`{title}, data {}\n", cal.id(), cal.data_version());
    text.push_str(&year_status(cal, year)?);
    let entries: Vec<&Entry> = cal.entries_in_year(year).collect();
    let width = entries.iter().map(|e| dates(e).len()).max().unwrap_or(0);
    for e in &entries {
        let kind = match e.kind {
            DayKind::Holiday => "holiday".to_string(),
            DayKind::Workday if e.first == e.last => format!("workday ({})", e.first.weekday()),
            DayKind::Workday => format!("workday ({}..{})", e.first.weekday(), e.last.weekday()),
        };
        let name = e.name.as_deref().unwrap_or("");
        text.push_str(format!("{:width$}  {kind:<15}{name}", dates(e)).trim_end());
        text.push('\n');
    }
    let mut cited: Vec<usize> = entries.iter().filter_map(|e| e.notice).collect();
    cited.sort_unstable();
    cited.dedup();
    if !cited.is_empty() {
        text.push_str("\nsources:\n");
        for i in cited {
            if let Some(n) = cal.notices().get(i) {
                match &n.number {
                    Some(num) => text.push_str(&format!("  {}（{num}）\n", n.title)),
                    None => text.push_str(&format!("  {}\n", n.title)),
                }
            }
        }
    }
    out.extend(text.bytes());
    Ok(())
}

/// The line saying where a year's days come from when they are not published;
/// an error for a year the calendar does not count.
fn year_status(cal: &Calendar, year: i32) -> Result<String, Failure> {
    let Some((first, last)) = cal.covered() else {
        return Ok("weekly rest days only, no holidays\n".to_string());
    };
    if (first.year()..=last.year()).contains(&year) {
        return Ok(String::new());
    }
    let cover = format!("{}..{}", first.year(), last.year());
    let projected = cal.projected_through().filter(|_| cal.beyond() == Beyond::Law);
    match (cal.beyond(), projected) {
        (_, Some(end)) if year > last.year() && year <= end.year() => Ok(format!(
            "{year} is not published yet (the calendar covers {cover}): its holidays are projected by \
             {HOLIDAY_LAW}, provisional until the year's notice\n"
        )),
        (Beyond::Weekends, _) => {
            Ok(format!("no data for {year} (the calendar covers {cover}); weekends only\n"))
        }
        _ => Err(Failure::new(
            Cause::Error(ErrorKind::OutOfRange),
            format!("{year} is outside the `{}` calendar, which covers {cover}", cal.id()),
        )),
    }
}

/// `calendar add-days --format json`.
#[derive(Serialize)]
struct AddDaysOut<'a> {
    calendar: &'a str,
    date: NaiveDate,
    n: u32,
    due: NaiveDate,
    /// Whether the answer depends on a year not yet published.
    provisional: bool,
    /// Why, when it does.
    note: Option<String>,
}

/// `calendar between --format json`.
#[derive(Serialize)]
struct BetweenOut<'a> {
    calendar: &'a str,
    from: NaiveDate,
    to: NaiveDate,
    /// Working days x with `from` < x <= `to`; negative when `from` is after `to`.
    working_days: i64,
    provisional: bool,
    note: Option<String>,
}

/// `calendar show --format json`: the year's listed days and the notices behind them.
#[derive(Serialize)]
struct YearOut<'a> {
    calendar: &'a str,
    title: Option<&'a str>,
    /// Which data: `Calendar::data_version`, e.g. `2004..2026 sha256:…`.
    data: &'a str,
    year: i32,
    /// Where the year's days come from when they are not published (projected, weekends only).
    status: Option<String>,
    entries: Vec<EntryOut<'a>>,
    /// The notices the entries cite (`notice` is an index into this list).
    notices: Vec<NoticeOut<'a>>,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    /// `holiday` or `workday` (a weekly rest day worked, 调休上班).
    kind: &'static str,
    first: NaiveDate,
    last: NaiveDate,
    name: Option<&'a str>,
    notice: Option<usize>,
    /// Projected by the holiday law: may move when the year's notice is published.
    projected: bool,
}

#[derive(Serialize)]
struct NoticeOut<'a> {
    title: &'a str,
    number: Option<&'a str>,
}

impl<'a> YearOut<'a> {
    fn of(cal: &'a Calendar, year: i32) -> Result<YearOut<'a>, Failure> {
        let status = year_status(cal, year)?;
        let entries: Vec<&Entry> = cal.entries_in_year(year).collect();
        let mut cited: Vec<usize> = entries.iter().filter_map(|e| e.notice).collect();
        cited.sort_unstable();
        cited.dedup();
        let position = |i: usize| cited.iter().position(|&c| c == i);
        Ok(YearOut {
            calendar: cal.id(),
            title: cal.title(),
            data: cal.data_version(),
            year,
            status: Some(status.trim_end().to_string()).filter(|s| !s.is_empty()),
            entries: entries
                .iter()
                .map(|e| EntryOut {
                    kind: match e.kind {
                        DayKind::Holiday => "holiday",
                        DayKind::Workday => "workday",
                    },
                    first: e.first,
                    last: e.last,
                    name: e.name.as_deref(),
                    notice: e.notice.and_then(position),
                    projected: e.projected,
                })
                .collect(),
            notices: cited
                .iter()
                .filter_map(|&i| cal.notices().get(i))
                .map(|n| NoticeOut { title: &n.title, number: n.number.as_deref() })
                .collect(),
        })
    }
}

fn json(out: &mut Vec<u8>, value: &impl Serialize) -> Result<(), Failure> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    out.push(b'\n');
    Ok(())
}

fn dates(e: &Entry) -> String {
    if e.first == e.last { e.first.to_string() } else { format!("{}..{}", e.first, e.last) }
}
