//! Why a calendar could not answer or could not be built, and strict date parsing.

use std::fmt;

use chrono::NaiveDate;

/// Why a calendar could not answer or could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarError {
    kind: ErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ErrorKind {
    OutOfRange { date: NaiveDate, reach: Reach },
    RunsPast { from: NaiveDate, n: u32, reach: Reach },
    Unrepresentable { from: NaiveDate, n: u32 },
    BadDate { text: String, why: String },
    StopReversed { start: NaiveDate, end: NaiveDate },
    StopsOverlap { first: (NaiveDate, NaiveDate), second: (NaiveDate, NaiveDate) },
    Invalid(String),
}

/// How far a calendar counts, for messages about dates past it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Reach {
    pub(super) calendar: String,
    pub(super) first: NaiveDate,
    /// The last published day.
    pub(super) last: NaiveDate,
    /// The last day projected by the holiday law, when the calendar counts by it.
    pub(super) projected: Option<NaiveDate>,
    /// Whether the calendar could project the holiday law past `last`.
    pub(super) can_project: bool,
}

impl Reach {
    /// The last day counted.
    fn end(&self) -> NaiveDate {
        self.projected.unwrap_or(self.last)
    }

    /// `, by the holiday law from …` when the calendar projects.
    fn by_law(&self) -> String {
        match (self.projected, self.last.succ_opt()) {
            (Some(_), Some(next)) => format!(" (from {next} by the holiday law)"),
            _ => String::new(),
        }
    }

    /// What to do about a date after the last day counted.
    fn help_after(&self) -> &'static str {
        if self.projected.is_some() {
            "the holiday law is projected no further; allow `beyond: weekends` to count only weekends there"
        } else if self.can_project {
            "add that year's holidays with a calendar file, or allow `beyond: law` to project them \
             by the holiday law or `beyond: weekends` to count only weekends there"
        } else {
            "add that year's holidays with a calendar file, or allow `beyond: weekends` to count only weekends there"
        }
    }
}

impl CalendarError {
    pub(super) fn new(kind: ErrorKind) -> CalendarError {
        CalendarError { kind }
    }

    /// True when a date, or the result of counting, falls outside the years the calendar covers.
    pub fn is_out_of_range(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::OutOfRange { .. } | ErrorKind::RunsPast { .. } | ErrorKind::Unrepresentable { .. }
        )
    }

    /// True for text that is not an ISO 8601 date.
    pub fn is_bad_date(&self) -> bool {
        matches!(self.kind, ErrorKind::BadDate { .. })
    }

    /// True for clock stops that overlap or end before they start.
    pub fn is_bad_stop(&self) -> bool {
        matches!(self.kind, ErrorKind::StopReversed { .. } | ErrorKind::StopsOverlap { .. })
    }

    /// True for a calendar that cannot be built (bad years, weekend or entries).
    pub fn is_invalid(&self) -> bool {
        matches!(self.kind, ErrorKind::Invalid(_))
    }
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::OutOfRange { date, reach } => {
                let (calendar, first, end, by_law) =
                    (&reach.calendar, reach.first, reach.end(), reach.by_law());
                write!(
                    f,
                    "{date} is outside the `{calendar}` calendar, which covers {first} to {end}{by_law}; "
                )?;
                if *date < first {
                    write!(
                        f,
                        "it has no data before {first}; allow `beyond: weekends` to count only weekends there"
                    )
                } else {
                    f.write_str(reach.help_after())
                }
            }
            ErrorKind::RunsPast { from, n, reach } => write!(
                f,
                "{n} working days from {from} run past {}, the last day the `{}` calendar covers{}; {}",
                reach.end(),
                reach.calendar,
                reach.by_law(),
                reach.help_after()
            ),
            ErrorKind::Unrepresentable { from, n } => {
                write!(f, "{n} working days from {from} run past 9999-12-31, the largest date shenpi accepts")
            }
            ErrorKind::BadDate { text, why } => write!(f, "`{text}` is not a valid date: {why}"),
            ErrorKind::StopReversed { start, end } => {
                write!(f, "clock stop {start}..{end} ends before it starts")
            }
            ErrorKind::StopsOverlap { first, second } => write!(
                f,
                "clock stop {}..{} overlaps clock stop {}..{}; merge them into one stop",
                first.0, first.1, second.0, second.1
            ),
            ErrorKind::Invalid(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for CalendarError {}

/// Parses an ISO 8601 calendar date, `YYYY-MM-DD`, and nothing looser.
pub fn parse_date(text: &str) -> Result<NaiveDate, CalendarError> {
    date_problem(text).map_err(|why| CalendarError::new(ErrorKind::BadDate { text: text.to_string(), why }))
}

/// The date, or why `text` is not one (for labels).
pub(crate) fn date_problem(text: &str) -> Result<NaiveDate, String> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err("expected YYYY-MM-DD, e.g. 2025-05-06".to_string());
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    if !(1..=12).contains(&m) {
        return Err(format!("there is no month {m:02}"));
    }
    // y < 10000, so the cast is exact.
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| format!("{y:04}-{m:02} has no day {d:02}"))
}

/// A calendar that cannot be built, with the reason.
pub(super) fn invalid(msg: String) -> CalendarError {
    CalendarError::new(ErrorKind::Invalid(msg))
}
