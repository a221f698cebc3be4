//! The calendar a project counts its days on, and the text a store pins of it.

use crate::calendar::Calendar;
use crate::error::Error;

/// A calendar resolved for a project, with the text to pin in its record.
///
/// The runtime reads no files: a caller that loaded a flow naming a calendar
/// file reads that file and hands its text in with
/// [`ProjectCalendar::from_yaml`]. A built-in calendar (`cn`, `weekends`) pins
/// nothing, so next year's holidays reach running projects once published;
/// a calendar file is pinned like the flow, so editing it never moves the
/// deadlines of a project already running.
///
/// ```
/// use shenpi_core::runtime::ProjectCalendar;
///
/// let county = ProjectCalendar::from_yaml("county.yaml", "base: cn\nholidays:\n  - 2025-03-11\n")?;
/// assert_eq!(county.text(), Some("base: cn\nholidays:\n  - 2025-03-11\n"));
/// assert!(ProjectCalendar::builtin("cn").is_some_and(|c| c.text().is_none()));
/// # Ok::<(), shenpi_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ProjectCalendar {
    calendar: Calendar,
    text: Option<String>,
}

impl ProjectCalendar {
    /// A built-in calendar by name (`cn`, `weekends`); `None` for any other name.
    pub fn builtin(name: &str) -> Option<ProjectCalendar> {
        Calendar::is_builtin(name)
            .then(|| Calendar::resolve(name, None).ok())
            .flatten()
            .map(|calendar| ProjectCalendar { calendar, text: None })
    }

    /// A calendar file's text, read by the caller; `name` is shown in messages.
    ///
    /// # Errors
    /// [`Error::is_invalid`] with every problem in the file.
    pub fn from_yaml(name: &str, text: impl Into<String>) -> Result<ProjectCalendar, Error> {
        let text = text.into();
        let calendar = Calendar::from_yaml(name, &text).map_err(Error::invalid)?;
        Ok(ProjectCalendar { calendar, text: Some(text) })
    }

    /// The calendar.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The text a project pins; `None` for a built-in calendar.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}
