//! `shenpi calendar`: working-day arithmetic on the command line.
//!
//! Exit codes: 0 ok; 1 invalid input (a calendar file with errors, or a date
//! outside the calendar's years); 2 usage or I/O error (a bad argument, an
//! unreadable file).

use std::io::{self, Write};
use std::process::ExitCode;

use chrono::{Datelike, NaiveDate};
use shenpi_core::calendar::{Calendar, CalendarError, DayKind, Entry, parse_date};

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
    },
    /// Print the number of working days x with FROM < x <= TO (negative when FROM is after TO)
    Between {
        /// `cn`, `weekends`, or the path of a calendar file
        cal: String,
        /// YYYY-MM-DD
        from: String,
        /// YYYY-MM-DD
        to: String,
    },
    /// List a year's holidays and make-up working days, with their sources
    Show {
        /// `cn`, `weekends`, or the path of a calendar file
        cal: String,
        /// The year, e.g. 2025
        year: i32,
    },
}

/// Why a command failed, and with which exit code.
struct Failure {
    code: u8,
    message: String,
}

fn usage(message: String) -> Failure {
    Failure { code: 2, message }
}

fn invalid(e: CalendarError) -> Failure {
    Failure { code: 1, message: format!("error: {e}\n") }
}

/// Runs a `calendar` subcommand, printing the answer on stdout and errors on stderr.
pub fn run(cmd: CalendarCmd) -> ExitCode {
    let mut out = Vec::new();
    let result = exec(cmd, &mut out);
    let code = match result {
        Ok(()) => 0,
        Err(f) => {
            eprint!("{}", f.message);
            f.code
        }
    };
    let mut stdout = io::stdout().lock();
    match stdout.write_all(&out).and_then(|()| stdout.flush()) {
        // A closed pipe (`| head`) is not an error.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::from(2)
        }
        _ => ExitCode::from(code),
    }
}

fn exec(cmd: CalendarCmd, out: &mut Vec<u8>) -> Result<(), Failure> {
    match cmd {
        CalendarCmd::AddDays { cal, date, n } => {
            let cal = calendar(&cal)?;
            let date = date_arg(&date, "DATE")?;
            let due = cal.add_working_days(date, n).map_err(invalid)?;
            out.extend(format!("{due}\n").bytes());
        }
        CalendarCmd::Between { cal, from, to } => {
            let cal = calendar(&cal)?;
            let (from, to) = (date_arg(&from, "FROM")?, date_arg(&to, "TO")?);
            let n = cal.working_days_between(from, to).map_err(invalid)?;
            out.extend(format!("{n}\n").bytes());
        }
        CalendarCmd::Show { cal, year } => {
            let cal = calendar(&cal)?;
            show(&cal, year, out)?;
        }
    }
    Ok(())
}

fn calendar(name: &str) -> Result<Calendar, Failure> {
    Calendar::resolve(name, None).map_err(|e| match e.report() {
        Some(report) => Failure { code: 1, message: report.render() },
        None => usage(format!("error: {e}\n")),
    })
}

fn date_arg(text: &str, what: &str) -> Result<NaiveDate, Failure> {
    parse_date(text).map_err(|e| usage(format!("error: {what}: {e}\n")))
}

fn show(cal: &Calendar, year: i32, out: &mut Vec<u8>) -> Result<(), Failure> {
    let title = cal.title().map(|t| format!(" ({t})")).unwrap_or_default();
    let mut text = format!("{year} on calendar `{}`{title}\n", cal.id());
    match cal.covered() {
        Some((first, last)) if year < first.year() || year > last.year() => {
            let cover = format!("{}..{}", first.year(), last.year());
            if cal.beyond() == shenpi_core::calendar::Beyond::Weekends {
                text.push_str(&format!("no data for {year} (the calendar covers {cover}); weekends only\n"));
            } else {
                return Err(Failure {
                    code: 1,
                    message: format!(
                        "error: {year} is outside the `{}` calendar, which covers {cover}\n",
                        cal.id()
                    ),
                });
            }
        }
        None => text.push_str("weekly rest days only, no holidays\n"),
        Some(_) => {}
    }
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

fn dates(e: &Entry) -> String {
    if e.first == e.last { e.first.to_string() } else { format!("{}..{}", e.first, e.last) }
}
