//! The holiday law: the statutory days of a year not yet arranged by the
//! State Council, projected by 《全国年节及纪念日放假办法》 as amended in 2024
//! (国务院令第795号, in force 1 January 2025).
//!
//! Article 2 gives everyone 13 days: 元旦 1 January; 春节 four days, 农历除夕
//! to 正月初三; 清明节 the day of the 清明 solar term; 劳动节 1 and 2 May; 端午节
//! 农历五月初五; 中秋节 农历八月十五; 国庆节 1 to 3 October. Article 6: a
//! statutory day that falls on a Saturday or Sunday is made up on a working
//! day (补假). A projected year gives each such day one day off on the first
//! working day after that holiday's break, and has no make-up working days
//! (调休上班): those are known only from the year's notice. A statutory day
//! that two holidays share (中秋节 on one of 1 to 3 October) is made up the
//! same way, so every statutory day is one day off.
//!
//! The lunar dates and 清明 come from `law_dates.rs`, a table written by
//! `scripts/holiday-law-dates.py` from the sun's and moon's positions and
//! checked in a test against the `tyme4rs` crate, computed independently.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::law_dates::{DATES, FIRST};
use super::{DayKind, Entry};

/// The first year the 2024 amendment governs.
pub(super) const FIRST_YEAR: i32 = 2025;

/// The last year the lunar table covers, and so the last year projected.
pub(super) const LAST_YEAR: i32 = FIRST + DATES.len() as i32 - 1;

/// The law's title, for messages and listings.
pub(super) const TITLE: &str = "《全国年节及纪念日放假办法》（2024年修订）";

/// The lunar and solar-term dates of `year`: 正月初一, 端午, 中秋, 清明.
fn dates(year: i32) -> Option<[NaiveDate; 4]> {
    let row = usize::try_from(year - FIRST).ok().and_then(|i| DATES.get(i))?;
    let mut out = [NaiveDate::MIN; 4];
    for (slot, &(m, d)) in out.iter_mut().zip(row) {
        *slot = NaiveDate::from_ymd_opt(year, u32::from(m), u32::from(d))?;
    }
    Some(out)
}

/// One holiday of Article 2: its name and its statutory days.
struct Holiday {
    name: &'static str,
    days: Vec<NaiveDate>,
}

/// The holidays of Article 2 in `year`, in date order; `None` outside the lunar table.
fn statutory(year: i32) -> Option<Vec<Holiday>> {
    let [new_year, dragon_boat, mid_autumn, qingming] = dates(year)?;
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let run =
        |first: NaiveDate, n: u64| (0..n).filter_map(|i| first.checked_add_days(Days::new(i))).collect();
    let mut out = vec![
        Holiday { name: "元旦", days: ymd(1, 1).into_iter().collect() },
        Holiday { name: "春节", days: new_year.pred_opt().map(|eve| run(eve, 4)).unwrap_or_default() },
        Holiday { name: "清明节", days: vec![qingming] },
        Holiday { name: "劳动节", days: ymd(5, 1).map(|d| run(d, 2)).unwrap_or_default() },
        Holiday { name: "端午节", days: vec![dragon_boat] },
        Holiday { name: "中秋节", days: vec![mid_autumn] },
        Holiday { name: "国庆节", days: ymd(10, 1).map(|d| run(d, 3)).unwrap_or_default() },
    ];
    out.sort_by_key(|h| h.days.first().copied());
    Some(out)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The days off the law gives in `year`, as holiday entries: each holiday's
/// statutory days, then its days of 补假 named `…补假`. `None` when `year` is
/// outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
///
/// # Complexity
/// O(1): thirteen statutory days and a walk over a few weeks.
pub(super) fn holidays(year: i32) -> Option<Vec<Entry>> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    let holidays = statutory(year)?;
    let mut off = BTreeSet::new();
    // Statutory days on a weekday are off; each on a weekend, or already off, is owed.
    let owed: Vec<usize> = holidays
        .iter()
        .map(|h| h.days.iter().filter(|&&d| is_weekend(d) || !off.insert(d)).count())
        .collect();
    let mut entries = Vec::new();
    for (h, owed) in holidays.iter().zip(owed) {
        entries.extend(runs(&h.days, h.name.to_string()));
        let Some(&last) = h.days.last() else { continue };
        let mut made_up = Vec::with_capacity(owed);
        let mut d = last;
        while made_up.len() < owed {
            let Some(next) = d.succ_opt() else { break };
            d = next;
            // The first working day after the break: past weekends and days already off.
            if !is_weekend(d) && off.insert(d) {
                made_up.push(d);
            }
        }
        entries.extend(runs(&made_up, format!("{}补假", h.name)));
    }
    entries.sort_by_key(|e| (e.first, e.last));
    Some(entries)
}

/// Consecutive days as holiday spans named `name`, marked projected.
fn runs(days: &[NaiveDate], name: String) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for &d in days {
        match out.last_mut() {
            Some(e) if e.last.succ_opt() == Some(d) => e.last = d,
            _ => out.push(Entry {
                kind: DayKind::Holiday,
                first: d,
                last: d,
                name: Some(name.clone()),
                notice: None,
                projected: true,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn off_days(year: i32) -> BTreeSet<NaiveDate> {
        holidays(year)
            .unwrap()
            .iter()
            .flat_map(|e| e.first.iter_days().take_while(move |x| *x <= e.last))
            .collect()
    }

    #[test]
    fn the_2027_spring_festival_is_made_up_on_the_tuesday_and_wednesday() {
        let list = holidays(2027).unwrap();
        let spring: Vec<_> = list.iter().filter(|e| e.name.as_deref().unwrap().starts_with("春节")).collect();
        assert_eq!((spring[0].first, spring[0].last), (d("2027-02-05"), d("2027-02-08")));
        assert_eq!(
            (spring[1].first, spring[1].last, spring[1].name.as_deref()),
            (d("2027-02-09"), d("2027-02-10"), Some("春节补假"))
        );
    }

    #[test]
    fn every_projected_year_gives_thirteen_weekdays_off_or_more() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let weekdays_off = off_days(year).iter().filter(|d| !is_weekend(**d)).count();
            // Thirteen statutory days, each a weekday off: statutory, or made up.
            assert_eq!(weekdays_off, 13, "{year}");
        }
    }

    #[test]
    fn a_shared_statutory_day_is_made_up_too() {
        // 中秋节 on a day of 国庆节: find such a year and check 14 - 1 shared = 13 weekdays off still.
        let shared: Vec<i32> = (FIRST_YEAR..=LAST_YEAR)
            .filter(|&y| dates(y).is_some_and(|[_, _, m, _]| m.month() == 10 && m.day() <= 3))
            .collect();
        assert!(!shared.is_empty());
        for y in shared {
            assert_eq!(off_days(y).iter().filter(|d| !is_weekend(**d)).count(), 13, "{y}");
        }
    }

    /// The lunar table against `tyme4rs`, which computes the same dates independently.
    #[test]
    fn the_lunar_and_solar_term_table_agrees_with_tyme4rs() {
        use tyme4rs::tyme::lunar::LunarDay;
        use tyme4rs::tyme::solar::{SolarDay, SolarTerm};
        let date = |s: SolarDay| {
            NaiveDate::from_ymd_opt(s.get_year() as i32, s.get_month() as u32, s.get_day() as u32)
        };
        for year in FIRST..=LAST_YEAR {
            let y = year as isize;
            let theirs = [
                date(LunarDay::from_ymd(y, 1, 1).get_solar_day()),
                date(LunarDay::from_ymd(y, 5, 5).get_solar_day()),
                date(LunarDay::from_ymd(y, 8, 15).get_solar_day()),
                date(SolarTerm::from_name(y, "清明").get_julian_day().get_solar_day()),
            ];
            assert_eq!(dates(year).map(|d| d.map(Some)), Some(theirs), "{year}: 正月初一, 端午, 中秋, 清明");
        }
    }

    /// The State Council's own arrangements give every festival of the table a day off.
    #[test]
    fn the_published_years_rest_on_the_table_s_festivals() {
        let cn = crate::calendar::Calendar::cn();
        for year in FIRST..FIRST_YEAR + 2 {
            let [new_year, dragon_boat, mid_autumn, qingming] = dates(year).unwrap();
            // 清明, 端午 and 中秋 are statutory from 2008 (the 2007 amendment).
            let festivals: &[NaiveDate] =
                if year >= 2008 { &[new_year, dragon_boat, mid_autumn, qingming] } else { &[new_year] };
            for &f in festivals {
                assert!(!cn.is_working_day(f).unwrap(), "{f} is worked in the published {year}");
            }
        }
    }

    /// 2025 and 2026 were arranged under the 2024 text: each statutory day it gives is off.
    #[test]
    fn the_law_s_days_are_off_in_the_years_arranged_under_it() {
        let cn = crate::calendar::Calendar::cn();
        for year in FIRST_YEAR..FIRST_YEAR + 2 {
            for h in statutory(year).unwrap() {
                for d in h.days {
                    assert!(
                        !cn.is_working_day(d).unwrap(),
                        "{} {d} is worked in the published {year}",
                        h.name
                    );
                }
            }
        }
    }

    #[test]
    fn years_outside_the_law_or_the_table_have_no_projection() {
        assert!(holidays(FIRST_YEAR - 1).is_none());
        assert!(holidays(LAST_YEAR + 1).is_none());
        assert_eq!(LAST_YEAR, 2100);
    }
}
