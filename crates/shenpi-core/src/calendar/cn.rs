//! The built-in `cn` calendar: `data/cn.yaml`, embedded and parsed once, and
//! the newer data a vendor hands it without a release.
//!
//! The State Council publishes each year's arrangement around November; the
//! day it does, a data file in the format of `data/cn.yaml` brings it to every
//! program built on this crate: named by the environment variable
//! [`DATA_ENV`] (read once, at the first use of `cn`), or given to
//! [`Calendar::cn_with_data`]. A data file that starts with `base: none` is a
//! whole copy of the data and replaces it; one that starts with `base: cn`
//! adds its years to the built-in data. Either way published data replace the
//! holiday law's projection for their years, and [`Calendar::data_version`]
//! tells which data a date was counted on.

use std::path::Path;
use std::sync::OnceLock;

use chrono::Weekday;

use super::{Beyond, Calendar, LoadError};
use crate::diag::{Code, Diagnostic, Report, Source};

/// The State Council's arrangements, one notice a year; a calendar file like any other.
const DATA: &str = include_str!("../../data/cn.yaml");

/// The environment variable naming a newer `cn` data file: `SHENPI_CALENDAR_DATA`.
pub const DATA_ENV: &str = "SHENPI_CALENDAR_DATA";

static EMBEDDED: OnceLock<Calendar> = OnceLock::new();
static CURRENT: OnceLock<Result<Calendar, LoadError>> = OnceLock::new();

/// `cn` as this release embeds it.
pub(super) fn embedded() -> Calendar {
    EMBEDDED
        .get_or_init(|| {
            // The embedded data is `base: none`, so the base it would add to is never asked for.
            let no_base = || Calendar::weekends_only();
            // OK because the data ships inside the crate and `cn_data_loads_cleanly` loads it.
            super::file::load_on(Source::new("cn", DATA), &no_base)
                .expect("the built-in `cn` calendar data is valid")
        })
        .clone()
}

/// `cn` with the data file [`DATA_ENV`] names, if it names one; read once.
fn current() -> &'static Result<Calendar, LoadError> {
    CURRENT.get_or_init(|| match std::env::var_os(DATA_ENV) {
        Some(path) if !path.is_empty() => Calendar::cn_with_data(Path::new(&path)),
        _ => Ok(embedded()),
    })
}

pub(super) fn calendar() -> Calendar {
    match current() {
        Ok(c) => c.clone(),
        Err(_) => embedded(),
    }
}

impl Calendar {
    /// [`Calendar::cn`], or why the data file that `SHENPI_CALENDAR_DATA`
    /// ([`DATA_ENV`]) names cannot be used: a program
    /// calls it once at start, so that a wrong data file stops it with a
    /// clear error instead of leaving it on the built-in data.
    ///
    /// ```
    /// use shenpi_core::calendar::Calendar;
    ///
    /// let cn = Calendar::try_cn().map_err(|e| e.to_string())?;
    /// assert_eq!(cn.id(), "cn");
    /// # Ok::<(), String>(())
    /// ```
    ///
    /// # Errors
    /// The file cannot be read ([`LoadError::is_io`]), or is not valid `cn`
    /// data ([`LoadError::is_invalid`], as for [`Calendar::cn_with_data`]).
    pub fn try_cn() -> Result<Calendar, &'static LoadError> {
        current().as_ref().cloned()
    }

    /// The `cn` calendar as this release embeds it, whatever
    /// `SHENPI_CALENDAR_DATA` says.
    pub fn cn_builtin() -> Calendar {
        embedded()
    }

    /// The `cn` calendar on the data file at `path` (the format of the
    /// built-in `data/cn.yaml`, see `docs/calendar-format.md`): a file that
    /// starts with `base: none` replaces the built-in data and must cover at
    /// least its years; one that starts with `base: cn` adds its days and
    /// years to it (`years: 2027` and the 2027 notice). The years it
    /// publishes are no longer projected; after them `cn` counts by the
    /// holiday law as always ([`Beyond::Law`]), whatever the file's `beyond`.
    ///
    /// # Errors
    /// The file cannot be read ([`LoadError::is_io`]); it is not a valid
    /// calendar file, does not rest on Saturday and Sunday, or leaves out a
    /// year the built-in data publish ([`LoadError::is_invalid`]).
    pub fn cn_with_data(path: &Path) -> Result<Calendar, LoadError> {
        let text = super::file::read_text(path)?;
        Calendar::cn_with_data_text(&path.display().to_string(), &text).map_err(LoadError::invalid)
    }

    /// [`Calendar::cn_with_data`] on a data file's text; `name` is shown in diagnostics.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use shenpi_core::calendar::Calendar;
    ///
    /// // The day the 2027 notice is out (these dates are an example, not the notice).
    /// let text = "base: cn\nyears: 2027\nnotices:\n  - title: 国务院办公厅关于2027年部分节假日安排的通知\n    \
    ///             holidays: [2027-02-05..2027-02-12 春节]\n    workdays: [2027-02-20 春节]\n";
    /// let cn = Calendar::cn_with_data_text("cn-2027.yaml", text).map_err(|r| r.render())?;
    /// let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
    /// assert_eq!(cn.add_working_days(day(2, 4), 1)?, day(2, 15));
    /// assert!(!cn.is_provisional(day(2, 15)));
    /// assert_ne!(cn.data_version(), Calendar::cn_builtin().data_version());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Calendar::cn_with_data`], every problem with its place in the file.
    pub fn cn_with_data_text(name: &str, text: &str) -> Result<Calendar, Report> {
        let source = Source::new(name, text);
        let cal = super::file::load_on(source.clone(), &embedded)?;
        let refuse = |d: Diagnostic| Err(Report::new(source.clone(), vec![d]));
        let mainland = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
            .iter()
            .all(|&d| !cal.is_weekend(d))
            && cal.is_weekend(Weekday::Sat)
            && cal.is_weekend(Weekday::Sun);
        if !mainland {
            return refuse(
                Diagnostic::error(Code::InvalidValue, "`cn` data must rest on Saturday and Sunday")
                    .help("remove `weekend`: the mainland's weekly rest days are Saturday and Sunday"),
            );
        }
        let builtin = embedded();
        if let (Some((first, last)), Some((b0, b1))) = (cal.covered(), builtin.covered()) {
            if first > b0 || last < b1 {
                use chrono::Datelike;
                return refuse(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!(
                            "the data cover {}..{}, but the built-in `cn` data publish {}..{}",
                            first.year(),
                            last.year(),
                            b0.year(),
                            b1.year()
                        ),
                    )
                    .note("a data file may add years to `cn`, never take published ones away")
                    .help(format!(
                        "start the file with `base: cn` and list only the new years' notices, \
                         or give `years: {}..` with every year's notices",
                        b0.year()
                    )),
                );
            }
        }
        Ok(cal.with_beyond(Beyond::Law).renamed("cn"))
    }
}
