//! What a calendar lists (holidays, make-up working days, the notices behind
//! them) and what it does with dates past its data.

use chrono::NaiveDate;

/// What a listed day is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// A day off that would otherwise be worked (法定节假日 and the days moved next to it).
    Holiday,
    /// A weekly rest day that is worked (调休上班).
    Workday,
}

/// A holiday span or make-up working days, as a calendar lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Holiday or make-up working day.
    pub kind: DayKind,
    /// First day, included.
    pub first: NaiveDate,
    /// Last day, included.
    pub last: NaiveDate,
    /// What the day is for (`春节`), if given.
    pub name: Option<String>,
    /// Index into [`Calendar::notices`](super::Calendar::notices) of the document that arranged it.
    pub notice: Option<usize>,
    /// True for days the holiday law projects in a year whose arrangement is
    /// not published yet (see [`Beyond::Law`]); such days may move when it is.
    pub projected: bool,
}

impl Entry {
    /// Days off from `first` to `last`, both included.
    pub fn holiday(first: NaiveDate, last: NaiveDate) -> Entry {
        Entry { kind: DayKind::Holiday, first, last, name: None, notice: None, projected: false }
    }

    /// A weekly rest day that is worked.
    pub fn workday(date: NaiveDate) -> Entry {
        Entry { kind: DayKind::Workday, first: date, last: date, name: None, notice: None, projected: false }
    }

    /// Names what the day is for.
    pub fn named(mut self, name: impl Into<String>) -> Entry {
        self.name = Some(name.into());
        self
    }

    /// Cites the notice (an index into the builder's notices) that arranged the day.
    pub fn from_notice(mut self, index: usize) -> Entry {
        self.notice = Some(index);
        self
    }

    /// True when `d` lies in the entry.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.first <= d && d <= self.last
    }
}

/// The document that arranged some of a calendar's days, so users can check them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Its title, e.g. `国务院办公厅关于2025年部分节假日安排的通知`.
    pub title: String,
    /// Its document number (`国办发明电〔2024〕12号`) and amendments, if known.
    pub number: Option<String>,
}

/// What a calendar does with dates past the years it has published data for.
///
/// Before its first year a calendar refuses dates unless it counts
/// [`Beyond::Weekends`]: there is no law to project backwards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Beyond {
    /// Refuse them: a deadline computed without the year's holidays would be wrong.
    #[default]
    Error,
    /// Count weekly rest days only, knowing holidays are missing there.
    Weekends,
    /// Project the statutory holidays by 《全国年节及纪念日放假办法》 (2024
    /// amendment) up to 2100, each statutory day on a weekend made up on the
    /// next working day; past 2100, refuse as [`Beyond::Error`] does. Only a
    /// calendar resting on Saturday and Sunday whose data reach 2024 can
    /// project; any other refuses as [`Beyond::Error`] does. The default of `cn`.
    Law,
}
