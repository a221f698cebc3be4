use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

// ---------------------------------------------------------------- the cn data

#[test]
fn cn_data_loads_cleanly() {
    let cal = file::load(crate::diag::Source::new("cn", include_str!("../../data/cn.yaml")));
    let cal = cal.map_err(|r| r.render()).unwrap();
    assert_eq!(cal.covered(), Some((d("2004-01-01"), d("2026-12-31"))));
    assert!(cal.notices().iter().all(|n| n.number.is_some()));
    assert_eq!(cal.beyond(), Beyond::Law);
    for e in cal.entries().iter().filter(|e| !e.projected) {
        assert!(e.name.is_some() && e.notice.is_some(), "{e:?} has no name or notice");
    }
}

/// One year's Spring Festival and National Day: days off, and the weekend days worked.
struct Year {
    year: i32,
    spring: (&'static str, &'static str, &'static [&'static str]),
    national: (&'static str, &'static str, &'static [&'static str]),
}

const YEARS: &[Year] = &[
    Year {
        year: 2004,
        spring: ("01-22", "01-28", &["01-17", "01-18"]),
        national: ("10-01", "10-07", &["10-09", "10-10"]),
    },
    Year {
        year: 2005,
        spring: ("02-09", "02-15", &["02-05", "02-06"]),
        national: ("10-01", "10-07", &["10-08", "10-09"]),
    },
    Year {
        year: 2006,
        spring: ("01-29", "02-04", &["01-28", "02-05"]),
        national: ("10-01", "10-07", &["09-30", "10-08"]),
    },
    Year {
        year: 2007,
        spring: ("02-18", "02-24", &["02-17", "02-25"]),
        national: ("10-01", "10-07", &["09-29", "09-30"]),
    },
    Year {
        year: 2008,
        spring: ("02-06", "02-12", &["02-02", "02-03"]),
        national: ("09-29", "10-05", &["09-27", "09-28"]),
    },
    // 中秋节 on 3 October, inside the National Day break.
    Year {
        year: 2009,
        spring: ("01-25", "01-31", &["01-24", "02-01"]),
        national: ("10-01", "10-08", &["09-27", "10-10"]),
    },
    Year {
        year: 2010,
        spring: ("02-13", "02-19", &["02-20", "02-21"]),
        national: ("10-01", "10-07", &["09-26", "10-09"]),
    },
    Year {
        year: 2011,
        spring: ("02-02", "02-08", &["01-30", "02-12"]),
        national: ("10-01", "10-07", &["10-08", "10-09"]),
    },
    // 中秋节 on 30 September, joined to National Day.
    Year {
        year: 2012,
        spring: ("01-22", "01-28", &["01-21", "01-29"]),
        national: ("09-30", "10-07", &["09-29"]),
    },
    Year {
        year: 2013,
        spring: ("02-09", "02-15", &["02-16", "02-17"]),
        national: ("10-01", "10-07", &["09-29", "10-12"]),
    },
    Year {
        year: 2014,
        spring: ("01-31", "02-06", &["01-26", "02-08"]),
        national: ("10-01", "10-07", &["09-28", "10-11"]),
    },
    Year {
        year: 2015,
        spring: ("02-18", "02-24", &["02-15", "02-28"]),
        national: ("10-01", "10-07", &["10-10"]),
    },
    Year {
        year: 2016,
        spring: ("02-07", "02-13", &["02-06", "02-14"]),
        national: ("10-01", "10-07", &["10-08", "10-09"]),
    },
    Year {
        year: 2017,
        spring: ("01-27", "02-02", &["01-22", "02-04"]),
        national: ("10-01", "10-08", &["09-30"]),
    },
    Year {
        year: 2018,
        spring: ("02-15", "02-21", &["02-11", "02-24"]),
        national: ("10-01", "10-07", &["09-29", "09-30"]),
    },
    Year {
        year: 2019,
        spring: ("02-04", "02-10", &["02-02", "02-03"]),
        national: ("10-01", "10-07", &["09-29", "10-12"]),
    },
    // Extended to 2 February by 国办发明电〔2020〕1号; Saturday 1 February is no longer worked.
    Year {
        year: 2020,
        spring: ("01-24", "02-02", &["01-19"]),
        national: ("10-01", "10-08", &["09-27", "10-10"]),
    },
    Year {
        year: 2021,
        spring: ("02-11", "02-17", &["02-07", "02-20"]),
        national: ("10-01", "10-07", &["09-26", "10-09"]),
    },
    Year {
        year: 2022,
        spring: ("01-31", "02-06", &["01-29", "01-30"]),
        national: ("10-01", "10-07", &["10-08", "10-09"]),
    },
    Year {
        year: 2023,
        spring: ("01-21", "01-27", &["01-28", "01-29"]),
        national: ("09-29", "10-06", &["10-07", "10-08"]),
    },
    Year {
        year: 2024,
        spring: ("02-10", "02-17", &["02-04", "02-18"]),
        national: ("10-01", "10-07", &["09-29", "10-12"]),
    },
    Year {
        year: 2025,
        spring: ("01-28", "02-04", &["01-26", "02-08"]),
        national: ("10-01", "10-08", &["09-28", "10-11"]),
    },
    Year {
        year: 2026,
        spring: ("02-15", "02-23", &["02-14", "02-28"]),
        national: ("10-01", "10-07", &["09-20", "10-10"]),
    },
];

/// Every day from `first` to `last` is off, each of `worked` is a weekend day
/// that is worked, and the weekdays either side of the break are worked.
fn check_break(cal: &Calendar, year: i32, (first, last, worked): (&str, &str, &[&str])) {
    let at = |md: &str| d(&format!("{year}-{md}"));
    let (first, last) = (at(first), at(last));
    for day in first.iter_days().take_while(|x| *x <= last) {
        assert!(!cal.is_working_day(day).unwrap(), "{day} should be a day off");
    }
    for md in worked {
        let day = at(md);
        assert!(matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "{day} is not a weekend day");
        assert!(cal.is_working_day(day).unwrap(), "{day} should be worked");
    }
    for edge in [first.pred_opt().unwrap(), last.succ_opt().unwrap()] {
        if !matches!(edge.weekday(), Weekday::Sat | Weekday::Sun) {
            assert!(cal.is_working_day(edge).unwrap(), "{edge}, next to the break, should be worked");
        }
    }
}

#[test]
fn every_year_keeps_its_spring_festival_and_national_day() {
    let cal = Calendar::cn();
    let (first, last) = cal.covered().unwrap();
    let covered: Vec<i32> = (first.year()..=last.year()).collect();
    let tested: Vec<i32> = YEARS.iter().map(|y| y.year).collect();
    assert_eq!(covered, tested, "every year of the data has a row in YEARS");
    for y in YEARS {
        check_break(&cal, y.year, y.spring);
        check_break(&cal, y.year, y.national);
    }
}

#[test]
fn cn_counts_across_the_2025_spring_festival() {
    let cal = Calendar::cn();
    // Friday 24 January + 3: Sunday the 26th (worked), Monday the 27th, then the break, then Wednesday 5 February.
    assert_eq!(cal.add_working_days(d("2025-01-24"), 3).unwrap(), d("2025-02-05"));
    assert_eq!(cal.working_days_between(d("2025-01-24"), d("2025-02-05")).unwrap(), 3);
    // The 2019 arrangement begins in December 2018.
    assert!(cal.is_working_day(d("2018-12-29")).unwrap());
    assert!(!cal.is_working_day(d("2018-12-31")).unwrap());
}

// ---------------------------------------------------------------- the holiday law

#[test]
fn cn_projects_2027_by_the_holiday_law() {
    let cn = Calendar::cn();
    assert_eq!(cn.beyond(), Beyond::Law);
    assert_eq!(cn.add_working_days(d("2026-12-31"), 1).unwrap(), d("2027-01-04"));
    assert_eq!(cn.add_working_days(d("2027-02-04"), 1).unwrap(), d("2027-02-11"));
    assert_eq!(cn.working_days_between(d("2026-12-31"), d("2027-12-31")).unwrap(), 248);
    // 除夕 to 初三, then the two statutory days on the weekend made up on Tuesday and Wednesday.
    for day in d("2027-02-05").iter_days().take(6) {
        assert!(!cn.is_working_day(day).unwrap(), "{day}");
    }
    let spring: Vec<_> = cn.entries_in_year(2027).filter(|e| e.name.as_deref() == Some("春节补假")).collect();
    assert!(spring.len() == 1 && spring[0].projected && spring[0].notice.is_none());
    assert!(cn.is_provisional(d("2027-01-01")) && !cn.is_provisional(d("2026-12-31")));
    assert_eq!(
        cn.provisional_note().as_deref(),
        Some("dates after 2026-12-31 follow the holiday law; the 2027 arrangement is not yet published")
    );
    assert_eq!(cn.projected_through(), Some(d("2100-12-31")));
}

#[test]
fn the_law_is_projected_to_2100_and_no_further() {
    let cn = Calendar::cn();
    assert!(cn.is_working_day(d("2100-12-31")).is_ok());
    let e = cn.is_working_day(d("2101-01-03")).unwrap_err();
    assert!(e.is_out_of_range());
    assert_eq!(
        e.to_string(),
        "2101-01-03 is outside the `cn` calendar, which covers 2004-01-01 to 2100-12-31 (from 2027-01-01 \
         by the holiday law); the holiday law is projected no further; allow `beyond: weekends` to count \
         only weekends there"
    );
    let e = cn.add_working_days(d("2100-12-28"), 10).unwrap_err();
    assert!(e.to_string().starts_with("10 working days from 2100-12-28 run past 2100-12-31"), "{e}");
    // Before the first year, the law refuses as well.
    assert!(cn.is_working_day(d("2003-12-31")).unwrap_err().is_out_of_range());
}

#[test]
fn weekends_ignore_the_projection_and_error_refuses_it() {
    let weekends = Calendar::cn().with_beyond(Beyond::Weekends);
    assert!(weekends.is_working_day(d("2027-02-05")).unwrap()); // a Friday, 除夕 by the law
    assert_eq!(
        weekends.provisional_note().as_deref(),
        Some("dates after 2026-12-31 count weekends only; the 2027 arrangement is not yet published")
    );
    let strict = Calendar::cn().with_beyond(Beyond::Error);
    assert!(strict.is_working_day(d("2027-02-05")).unwrap_err().is_out_of_range());
    assert_eq!(strict.provisional_note(), None);
}

#[test]
fn a_published_year_replaces_its_projection() {
    // The real arrangement could make Saturday 2027-02-13 a make-up working day and move the break.
    let text = "base: cn\nyears: 2027\nnotices:\n  - title: 国务院办公厅关于2027年部分节假日安排的通知\n    \
                holidays: [2027-02-05..2027-02-12 春节]\n    workdays: [2027-02-13 春节]\n";
    let cal = Calendar::from_yaml("2027.yaml", text).map_err(|r| r.render()).unwrap();
    assert_eq!(cal.published_through(), Some(d("2027-12-31")));
    assert!(!cal.is_working_day(d("2027-02-11")).unwrap());
    assert!(cal.is_working_day(d("2027-02-13")).unwrap());
    // 2027 is published; 2028 is projected.
    assert!(!cal.is_provisional(d("2027-06-01")) && cal.is_provisional(d("2028-01-01")));
    assert!(cal.entries_in_year(2027).all(|e| !e.projected));
    assert!(cal.entries_in_year(2028).any(|e| e.projected));
}

#[test]
fn a_local_calendar_adds_its_days_to_the_projected_years() {
    let text = "base: cn\nholidays: [2027-03-10 防汛]\n";
    let cal = Calendar::from_yaml("local.yaml", text).map_err(|r| r.render()).unwrap();
    assert!(!cal.is_working_day(d("2027-03-10")).unwrap());
    assert!(!cal.is_working_day(d("2027-02-09")).unwrap(), "the projection stays");
    assert!(cal.is_provisional(d("2027-03-10")));
    // A local workday may not take a projected holiday away.
    let e = Calendar::cn().extend("local").workday(d("2027-02-06"), "x").build().unwrap_err();
    assert!(e.to_string().contains("is a holiday in the base calendar"), "{e}");
}

#[test]
fn only_a_mainland_week_with_data_to_2024_can_project() {
    let gulf =
        Calendar::builder("gulf", 2020..=2030).weekend(&[Weekday::Fri, Weekday::Sat]).beyond(Beyond::Law);
    assert!(gulf.build().unwrap_err().to_string().contains("rests on Saturday and Sunday"));
    let old = Calendar::builder("old", 2015..=2020).beyond(Beyond::Law).build().unwrap_err();
    assert!(old.to_string().contains("the data end in 2020"), "{old}");
    let fine = Calendar::builder("new", 2024..=2024).beyond(Beyond::Law).build().unwrap();
    assert!(!fine.is_working_day(d("2027-02-09")).unwrap());
    // A calendar that could project but counts otherwise says so when asked to.
    let later = Calendar::builder("later", 2015..=2020).build().unwrap().with_beyond(Beyond::Law);
    assert!(later.is_working_day(d("2021-01-04")).unwrap_err().is_out_of_range());
}

// ---------------------------------------------------------------- arithmetic

#[test]
fn the_start_day_is_not_counted() {
    let cal = Calendar::weekends_only();
    // Accepted on a Monday with a limit of 2: due on the Wednesday.
    assert_eq!(cal.add_working_days(d("2025-03-03"), 2).unwrap(), d("2025-03-05"));
    assert_eq!(cal.add_working_days(d("2025-03-07"), 1).unwrap(), d("2025-03-10"));
    // Limit 0 (即办): the same day, or the next working day.
    assert_eq!(cal.add_working_days(d("2025-03-03"), 0).unwrap(), d("2025-03-03"));
    assert_eq!(cal.add_working_days(d("2025-03-08"), 0).unwrap(), d("2025-03-10"));
    assert_eq!(cal.working_days_between(d("2025-03-03"), d("2025-03-05")).unwrap(), 2);
    assert_eq!(cal.working_days_between(d("2025-03-05"), d("2025-03-03")).unwrap(), -2);
    assert_eq!(cal.working_days_between(d("2025-03-08"), d("2025-03-09")).unwrap(), 0);
}

#[test]
fn dates_outside_the_data_are_refused_with_the_range_and_a_way_out() {
    let cal = Calendar::cn().with_beyond(Beyond::Error);
    let e = cal.add_working_days(d("2030-03-02"), 5).unwrap_err();
    assert!(e.is_out_of_range());
    assert_eq!(
        e.to_string(),
        "2030-03-02 is outside the `cn` calendar, which covers 2004-01-01 to 2026-12-31; add that \
         year's holidays with a calendar file, or allow `beyond: law` to project them by the holiday \
         law or `beyond: weekends` to count only weekends there"
    );
    let e = cal.working_days_between(d("2003-12-31"), d("2004-01-05")).unwrap_err();
    assert!(e.is_out_of_range() && e.to_string().starts_with("2003-12-31 is outside"));
    let e = cal.add_working_days(d("2026-12-28"), 10).unwrap_err();
    assert!(e.is_out_of_range());
    assert!(e.to_string().starts_with("10 working days from 2026-12-28 run past 2026-12-31"), "{e}");

    let lenient = cal.with_beyond(Beyond::Weekends);
    assert_eq!(lenient.add_working_days(d("2030-03-01"), 1).unwrap(), d("2030-03-04"));
    assert_eq!(lenient.add_working_days(d("2026-12-31"), 1).unwrap(), d("2027-01-01"));
    // 1 January 2004 is off, the 2nd worked, the 3rd and 4th a weekend, the 5th worked.
    assert_eq!(lenient.working_days_between(d("2003-12-31"), d("2004-01-05")).unwrap(), 2);
}

#[test]
fn walking_past_the_data_fails_as_counting_on_would() {
    let cn = Calendar::cn().with_beyond(Beyond::Error);
    let days = cn.working_days_from(d("2026-12-24"), 5).unwrap();
    assert_eq!(days, [d("2026-12-24"), d("2026-12-25"), d("2026-12-28"), d("2026-12-29"), d("2026-12-30")]);
    let e = cn.working_days_from(d("2026-12-24"), 7).unwrap_err();
    assert!(e.is_out_of_range());
    assert_eq!(e, cn.add_working_days(d("2026-12-31"), 1).unwrap_err());
    assert!(cn.working_days_from(d("2003-12-31"), 1).unwrap_err().is_out_of_range());
    let far = Calendar::weekends_only().working_days_from(NaiveDate::MAX - Days::new(3), 9);
    assert!(far.unwrap_err().is_out_of_range());
}

#[test]
fn counting_past_the_last_representable_date_is_an_error_not_a_panic() {
    let cal = Calendar::weekends_only();
    let e = cal.add_working_days(NaiveDate::MAX, u32::MAX).unwrap_err();
    assert!(e.is_out_of_range());
}

#[test]
fn parse_date_is_strict_and_says_why() {
    assert_eq!(parse_date("2025-05-06").unwrap(), NaiveDate::from_ymd_opt(2025, 5, 6).unwrap());
    for (text, why) in [
        ("2025-5-6", "`2025-5-6` is not a valid date: expected YYYY-MM-DD, e.g. 2025-05-06"),
        ("2025-02-29", "`2025-02-29` is not a valid date: 2025-02 has no day 29"),
        ("2025-13-01", "`2025-13-01` is not a valid date: there is no month 13"),
        ("tomorrow", "`tomorrow` is not a valid date: expected YYYY-MM-DD, e.g. 2025-05-06"),
    ] {
        let e = parse_date(text).unwrap_err();
        assert!(e.is_bad_date());
        assert_eq!(e.to_string(), why);
    }
}

// ---------------------------------------------------------------- clock stops

#[test]
fn a_stop_pushes_the_due_date_back_by_its_working_days() {
    let cal = Calendar::weekends_only();
    // Accepted Monday 3 March, limit 5: due Monday the 10th; a supplementation
    // request stops the clock Wednesday and Thursday: due Wednesday the 12th.
    let stops = ClockStops::from_spans([(d("2025-03-05"), d("2025-03-06"))]).unwrap();
    assert_eq!(cal.add_working_days(d("2025-03-03"), 5).unwrap(), d("2025-03-10"));
    assert_eq!(cal.add_working_days_with_stops(d("2025-03-03"), 5, &stops).unwrap(), d("2025-03-12"));
    assert_eq!(cal.working_days_between_with_stops(d("2025-03-03"), d("2025-03-12"), &stops).unwrap(), 5);
    assert_eq!(cal.working_days_between_with_stops(d("2025-03-12"), d("2025-03-03"), &stops).unwrap(), -5);
    // A due date never falls inside a stop.
    let stops = ClockStops::from_spans([(d("2025-03-04"), d("2025-03-11"))]).unwrap();
    assert_eq!(cal.add_working_days_with_stops(d("2025-03-03"), 1, &stops).unwrap(), d("2025-03-12"));
    assert_eq!(cal.add_working_days_with_stops(d("2025-03-05"), 0, &stops).unwrap(), d("2025-03-12"));
}

#[test]
fn overlapping_or_reversed_stops_are_refused() {
    let e = ClockStops::from_spans([(d("2025-03-08"), d("2025-03-12")), (d("2025-03-03"), d("2025-03-10"))])
        .unwrap_err();
    assert!(e.is_bad_stop());
    assert_eq!(
        e.to_string(),
        "clock stop 2025-03-03..2025-03-10 overlaps clock stop 2025-03-08..2025-03-12; merge them into one stop"
    );
    let e = ClockStops::from_spans([(d("2025-03-08"), d("2025-03-07"))]).unwrap_err();
    assert_eq!(e.to_string(), "clock stop 2025-03-08..2025-03-07 ends before it starts");

    let mut stops = ClockStops::new();
    stops.push(d("2025-03-10"), d("2025-03-12")).unwrap();
    stops.push(d("2025-03-01"), d("2025-03-02")).unwrap();
    let e = stops.push(d("2025-03-12"), d("2025-03-20")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("clock stop 2025-03-10..2025-03-12 overlaps clock stop 2025-03-12..2025-03-20")
    );
    assert_eq!(stops.spans(), &[(d("2025-03-01"), d("2025-03-02")), (d("2025-03-10"), d("2025-03-12"))]);
    assert!(stops.contains(d("2025-03-11")) && !stops.contains(d("2025-03-09")));
}

// ---------------------------------------------------------------- builder

#[test]
fn builder_refuses_contradictions() {
    let b = || Calendar::builder("t", 2025..=2025);
    let e =
        b().holiday(d("2025-05-06"), d("2025-05-07"), "x").workday(d("2025-05-07"), "y").build().unwrap_err();
    assert!(e.is_invalid());
    assert_eq!(e.to_string(), "2025-05-06..2025-05-07 and 2025-05-07 both list 2025-05-07");
    let e = b().workday(d("2025-05-07"), "y").build().unwrap_err();
    assert_eq!(
        e.to_string(),
        "2025-05-07 is a Wed, already a working day, so it cannot be a make-up working day"
    );
    let e = b().holiday(d("2026-01-01"), d("2026-01-01"), "x").build().unwrap_err();
    assert_eq!(e.to_string(), "2026-01-01 is outside the calendar's years 2025..2025");
    let e = b()
        .weekend(&[
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ])
        .build()
        .unwrap_err();
    assert_eq!(e.to_string(), "a weekend of all seven days leaves no working day");
    let e = Calendar::cn().extend("local").workday(d("2025-10-04"), "x").build().unwrap_err();
    assert!(e.to_string().contains("is a holiday in the base calendar"), "{e}");
}

#[test]
fn a_local_holiday_may_replace_a_make_up_working_day() {
    let cal =
        Calendar::cn().extend("local").holiday(d("2025-01-26"), d("2025-01-26"), "本地").build().unwrap();
    assert!(!cal.is_working_day(d("2025-01-26")).unwrap());
    assert!(cal.entries().iter().all(|e| !(e.kind == DayKind::Workday && e.contains(d("2025-01-26")))));
    assert!(cal.is_working_day(d("2025-02-08")).unwrap());
}

// ---------------------------------------------------------------- properties

/// The simple loops the fast paths must agree with.
mod slow {
    use super::*;

    fn counts(cal: &Calendar, x: NaiveDate, stops: &ClockStops) -> bool {
        cal.is_working_day(x).unwrap() && !stops.contains(x)
    }

    pub fn add(cal: &Calendar, d: NaiveDate, n: u32, stops: &ClockStops) -> NaiveDate {
        let mut x = d;
        if n == 0 {
            while !counts(cal, x, stops) {
                x = x.succ_opt().unwrap();
            }
            return x;
        }
        let mut left = n;
        while left > 0 {
            x = x.succ_opt().unwrap();
            if counts(cal, x, stops) {
                left -= 1;
            }
        }
        x
    }

    pub fn between(cal: &Calendar, a: NaiveDate, b: NaiveDate, stops: &ClockStops) -> i64 {
        if a > b {
            return -between(cal, b, a, stops);
        }
        a.iter_days().skip(1).take_while(|x| *x <= b).filter(|x| counts(cal, *x, stops)).count() as i64
    }
}

fn calendars() -> impl Strategy<Value = Calendar> {
    let cn = Just(Calendar::cn().with_beyond(Beyond::Weekends));
    // cn by the holiday law, its data widened back to 2002 so every date drawn is counted.
    let law = Just(Calendar::cn().extend("law").years(2002..=2026).build().unwrap());
    let weekends = Just(Calendar::weekends_only());
    // An arbitrary weekend (never all seven days) and a few holidays.
    let custom = (prop::collection::vec(any::<bool>(), 7), prop::collection::btree_set(0u64..1096, 0..40))
        .prop_map(|(mask, holidays)| {
            let mut weekend: Vec<Weekday> = (0u8..7)
                .filter(|&i| mask[usize::from(i)])
                .filter_map(|i| Weekday::try_from(i).ok())
                .collect();
            weekend.truncate(6);
            let mut b = Calendar::builder("random", 2020..=2022).weekend(&weekend).beyond(Beyond::Weekends);
            for h in holidays {
                let day = d("2020-01-01") + Days::new(h);
                b = b.holiday(day, day, "h");
            }
            b.build().unwrap()
        });
    prop_oneof![cn, law, weekends, custom]
}

/// Dates from 2002 to 2028: inside the data and across both of its ends.
fn dates() -> impl Strategy<Value = NaiveDate> {
    (0u64..27 * 366).prop_map(|i| d("2002-01-01") + Days::new(i))
}

fn stops() -> impl Strategy<Value = ClockStops> {
    prop::collection::vec((0u64..100, 0u64..15), 0..5).prop_map(|spans| {
        let mut at = d("2002-01-01");
        let mut out = Vec::new();
        for (gap, len) in spans {
            let start = at + Days::new(gap * 40);
            let end = start + Days::new(len);
            out.push((start, end));
            at = end + Days::new(1);
        }
        ClockStops::from_spans(out).unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn between_inverts_add(cal in calendars(), d in dates(), n in 0u32..600) {
        let start = cal.add_working_days(d, 0).unwrap(); // a working day
        let due = cal.add_working_days(start, n).unwrap();
        prop_assert_eq!(cal.working_days_between(start, due).unwrap(), i64::from(n));
    }

    #[test]
    fn add_is_monotonic_in_n(cal in calendars(), d in dates(), n in 0u32..600) {
        let (now, next) = (cal.add_working_days(d, n).unwrap(), cal.add_working_days(d, n + 1).unwrap());
        // From a rest day, 0 and 1 both give the next working day; otherwise each day counts.
        if n == 0 && !cal.is_working_day(d).unwrap() {
            prop_assert_eq!(now, next);
        } else {
            prop_assert!(now < next);
        }
    }

    #[test]
    fn adding_in_two_parts_equals_adding_at_once(cal in calendars(), d in dates(), a in 1u32..300, b in 0u32..300) {
        let twice = cal.add_working_days(cal.add_working_days(d, a).unwrap(), b).unwrap();
        prop_assert_eq!(twice, cal.add_working_days(d, a + b).unwrap());
    }

    #[test]
    fn stops_only_push_the_due_date_later(cal in calendars(), d in dates(), n in 0u32..300, s in stops()) {
        let plain = cal.add_working_days(d, n).unwrap();
        let stopped = cal.add_working_days_with_stops(d, n, &s).unwrap();
        prop_assert!(stopped >= plain);
        prop_assert!(!s.contains(stopped));
    }

    #[test]
    fn between_with_stops_inverts_add_with_stops(cal in calendars(), d in dates(), n in 0u32..300, s in stops()) {
        let start = cal.add_working_days_with_stops(d, 0, &s).unwrap();
        let due = cal.add_working_days_with_stops(start, n, &s).unwrap();
        prop_assert_eq!(cal.working_days_between_with_stops(start, due, &s).unwrap(), i64::from(n));
    }

    #[test]
    fn working_days_from_walks_what_add_counts(cal in calendars(), d in dates(), count in 0usize..700) {
        let days = cal.working_days_from(d, count).unwrap();
        prop_assert_eq!(days.len(), count);
        if let Some(&first) = days.first() {
            prop_assert_eq!(first, cal.add_working_days(d, 0).unwrap());
            for (k, &day) in days.iter().enumerate() {
                prop_assert_eq!(day, cal.add_working_days(first, k as u32).unwrap());
            }
        }
    }

    #[test]
    fn fast_paths_equal_the_day_by_day_loop(
        cal in calendars(), a in dates(), b in dates(), n in 0u32..300, s in stops()
    ) {
        let none = ClockStops::new();
        prop_assert_eq!(cal.add_working_days(a, n).unwrap(), slow::add(&cal, a, n, &none));
        prop_assert_eq!(cal.working_days_between(a, b).unwrap(), slow::between(&cal, a, b, &none));
        prop_assert_eq!(cal.add_working_days_with_stops(a, n, &s).unwrap(), slow::add(&cal, a, n, &s));
        prop_assert_eq!(cal.working_days_between_with_stops(a, b, &s).unwrap(), slow::between(&cal, a, b, &s));
    }
}

// ---------------------------------------------------------------- calendar files

/// Loads `text` and returns its first diagnostic as `line:column code message | label | help`.
fn first_error(text: &str) -> String {
    let report = Calendar::from_yaml("local.yaml", text).unwrap_err();
    let l = &report.located()[0];
    format!(
        "{}:{} {} {} | {} | {}",
        l.line.unwrap_or(0),
        l.column.unwrap_or(0),
        l.code,
        l.message,
        l.label.unwrap_or(""),
        l.help.unwrap_or("")
    )
}

#[test]
fn a_local_calendar_adds_its_days_to_cn() {
    let text = "name: 某市审批日历\nbase: cn\nholidays:\n  - 2025-05-06..2025-05-07 防汛\n  - \"2025-06-03\"\nworkdays:\n  - 2025-05-10 防汛补班\n";
    let cal = Calendar::from_yaml("local.yaml", text).map_err(|r| r.render()).unwrap();
    assert_eq!(cal.title(), Some("某市审批日历"));
    assert!(!cal.is_working_day(d("2025-05-06")).unwrap());
    assert!(!cal.is_working_day(d("2025-06-03")).unwrap());
    assert!(cal.is_working_day(d("2025-05-10")).unwrap());
    assert!(!cal.is_working_day(d("2025-10-01")).unwrap(), "the cn holidays stay");
    // Labour Day runs to Monday 5 May; the 6th and 7th are local holidays.
    assert_eq!(cal.add_working_days(d("2025-04-30"), 1).unwrap(), d("2025-05-08"));
    let named: Vec<_> = cal.entries_in_year(2025).filter_map(|e| e.name.as_deref()).collect();
    assert!(named.contains(&"防汛") && named.contains(&"春节"));
}

#[test]
fn a_calendar_from_scratch() {
    let text = "base: none\nweekend: [fri, sat]\nyears: 2024..2025\nbeyond: weekends\nholidays: [2025-01-01 New Year]\n";
    let cal = Calendar::from_yaml("gulf.yaml", text).map_err(|r| r.render()).unwrap();
    assert_eq!(cal.covered(), Some((d("2024-01-01"), d("2025-12-31"))));
    assert!(cal.is_working_day(d("2025-01-05")).unwrap()); // a Sunday
    assert!(!cal.is_working_day(d("2025-01-03")).unwrap()); // a Friday
    assert!(!cal.is_working_day(d("2025-01-01")).unwrap());
    assert!(!cal.is_working_day(d("2030-01-04")).unwrap(), "beyond the years: weekends only");
}

#[test]
fn cn_can_be_extended_to_a_year_not_yet_in_the_data() {
    let text = "base: cn\nyears: 2015..2027\nholidays: [2027-01-01 元旦]\n";
    let cal = Calendar::from_yaml("next.yaml", text).map_err(|r| r.render()).unwrap();
    // Written when the data began in 2015: the earlier years stay.
    assert_eq!(cal.covered(), Some((d("2004-01-01"), d("2027-12-31"))));
    assert!(!cal.is_working_day(d("2027-01-01")).unwrap());
    assert!(cal.is_working_day(d("2027-01-04")).unwrap());
    assert!(!cal.is_working_day(d("2025-10-01")).unwrap());
}

#[test]
fn malformed_calendar_files_point_at_the_problem() {
    let cases: &[(&str, &str)] = &[
        (
            "base: cn\nholiday:\n  - 2025-05-06\n",
            "2:1 E002 unknown key `holiday` in a calendar file | not a key of this format | did you mean `holidays`?",
        ),
        (
            "base: cn\nholidays:\n  - 2025-02-30 x\n",
            "3:5 E015 `2025-02-30` is not a valid date | 2025-02 has no day 30 | write a day as `2025-05-06 name` and a span as `2025-05-06..2025-05-07 name`",
        ),
        (
            "base: cn\nholidays:\n  - 2025-05-06..2025/05/07\n",
            "3:17 E015 `2025/05/07` is not a valid date | expected YYYY-MM-DD, e.g. 2025-05-06 | write a day as `2025-05-06 name` and a span as `2025-05-06..2025-05-07 name`",
        ),
        (
            "base: cn\nholidays:\n  - 2025-05-06..\n",
            "3:15 E015 the span `2025-05-06..` needs a date on both sides of `..` | expected YYYY-MM-DD, e.g. 2025-05-06 | write a day as `2025-05-06 name` and a span as `2025-05-06..2025-05-07 name`",
        ),
        (
            "base: cn\nholidays:\n  - 2025-05-07..2025-05-06 x\n",
            "3:5 E015 the span `2025-05-07..2025-05-06` ends before it starts | the second date is earlier than the first | swap the two dates",
        ),
        (
            "base: cn\nholidays:\n  - 2025-05-06..2025-05-08 a\n  - 2025-05-08 b\n",
            "4:5 E015 `2025-05-08` overlaps `2025-05-06..2025-05-08` on 2025-05-08 | overlaps an earlier entry | merge the two entries or remove the repeated days",
        ),
        (
            "base: cn\nholidays:\n  - 2025-05-10\nworkdays:\n  - 2025-05-10\n",
            "5:5 E015 2025-05-10 is listed both as a holiday and as a make-up working day | contradicts an earlier entry | a day is either off or worked; remove one of the two entries",
        ),
        (
            "base: cn\nworkdays:\n  - 2025-05-07\n",
            "3:5 E015 2025-05-07 is a Wednesday, already a working day | `workdays` lists weekly rest days that are worked | remove it; make-up working days (调休) fall on weekend days",
        ),
        (
            "base: cn\nworkdays:\n  - 2025-10-04\n",
            "3:5 E015 2025-10-04 is a holiday in the `cn` calendar (国庆节、中秋节), so it cannot be a make-up working day | a holiday in the base calendar | remove it; a calendar file may add holidays to its base but not take them away",
        ),
        (
            "base: cn\nholidays:\n  - 2101-01-01\n",
            "3:5 E015 `2101-01-01` is outside the calendar's years 2004..2026 and the years the holiday law projects (2027..2100) | not in 2004..2100 | the holiday law is projected no further than 2100; remove it",
        ),
        (
            "base: cn\nbeyond: error\nholidays:\n  - 2031-01-01\n",
            "4:5 E015 `2031-01-01` is outside the calendar's years 2004..2026 | not in 2004..2026 | the `cn` data covers 2004..2026; to give a later year your own days, add `years: 2004..2031`",
        ),
        (
            "base: cn\nweekend: [sun]\n",
            "2:1 E014 `weekend` cannot be changed on top of `base: cn` | the `cn` calendar rests on Saturday and Sunday | remove `weekend`, or use `base: none` for a calendar of your own",
        ),
        (
            "holidays: []\n",
            "1:1 E005 the calendar file has no `base` | `base` is required here | start with `base: cn` to add days to the mainland calendar, or `base: none` and `years:` for a calendar of your own",
        ),
        (
            "base: none\n",
            "1:1 E005 a calendar with `base: none` has no `years` | `years` is required here | say which years the calendar has data for, e.g. `years: 2020..2030`",
        ),
        (
            "base: none\nyears: 2030..2020\n",
            "2:8 E014 the years `2030..2020` end before they start | both ends are included: `2020..2030` is eleven years | ",
        ),
        (
            "base: cn\nzone: Asia/Shangai\n",
            "2:7 E014 `Asia/Shangai` is not a valid `zone` | `Asia/Shangai` is not a time zone shenpi knows; use Asia/Shanghai, Asia/Hong_Kong, Asia/Macau, Asia/Taipei, UTC, or a fixed offset such as `UTC+08:00` | did you mean `Asia/Shanghai`?",
        ),
        (
            "base: nonr\n",
            "1:7 E014 `nonr` is not a valid `base` | expected one of: cn, none | did you mean `none`?",
        ),
        (
            "base: none\nyears: 2025\nweekend: [sat, sunday]\n",
            "3:16 E014 `sunday` is not a valid `weekend` | expected one of: mon, tue, wed, thu, fri, sat, sun | did you mean `sun`?",
        ),
        (
            // Accepted silently before: a repeated day is likely a typo for another.
            "base: none\nyears: 2025\nweekend: [sat, sat, sun]\n",
            "3:16 E014 Saturday is listed twice in `weekend` | listed again here | list each weekly rest day once, e.g. `[sat, sun]`",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(&first_error(text), expected, "for:\n{text}");
    }
}

#[test]
fn every_problem_in_a_file_is_reported_at_once() {
    let text = "base: cn\nholidays:\n  - 2025-02-30\n  - 2025-13-01\nworkday: []\n";
    let report = Calendar::from_yaml("local.yaml", text).unwrap_err();
    let lines: Vec<_> = report.located().iter().map(|l| l.line.unwrap_or(0)).collect();
    assert_eq!(lines, [5, 3, 4]);
    let shown = report.render();
    assert!(shown.contains("error[E015]: `2025-02-30` is not a valid date"), "{shown}");
    assert!(shown.contains("local.yaml:3:5"), "{shown}");
}

#[test]
fn resolve_finds_built_ins_and_files_relative_to_the_flow() {
    assert_eq!(Calendar::resolve("cn", None).unwrap().id(), "cn");
    assert_eq!(Calendar::resolve("weekends", None).unwrap().id(), "weekends");
    let dir = std::env::temp_dir().join(format!("shenpi-calendar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("local.yaml"), "base: cn\nholidays: [2025-05-06]\n").unwrap();
    let cal = Calendar::resolve("local.yaml", Some(&dir)).unwrap();
    assert!(!cal.is_working_day(d("2025-05-06")).unwrap());
    let e = Calendar::resolve("missing.yaml", Some(&dir)).unwrap_err();
    assert!(e.is_io());
    assert!(e.to_string().starts_with("cannot read calendar file `"), "{e}");
    assert!(e.to_string().ends_with("the built-in calendars are `cn` and `weekends`"), "{e}");
    std::fs::write(dir.join("bad.yaml"), "base: cn\nholidays: [2025-02-30]\n").unwrap();
    let e = Calendar::resolve("bad.yaml", Some(&dir)).unwrap_err();
    assert!(e.is_invalid() && e.report().is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}

// `calendar: ../../../../etc/passwd` was read and quoted; a flow's calendar now stays in its directory.
#[test]
fn resolve_refuses_a_file_outside_the_flows_directory_unless_reached() {
    let root = tempfile::tempdir().unwrap();
    let flows = root.path().join("flows");
    std::fs::create_dir_all(flows.join("cal")).unwrap();
    std::fs::write(root.path().join("county.yaml"), "base: cn\n").unwrap();
    std::fs::write(flows.join("cal/local.yaml"), "base: cn\n").unwrap();
    let outside = root.path().join("county.yaml");
    for name in ["../county.yaml", "cal/../../county.yaml", outside.to_str().unwrap()] {
        let e = Calendar::resolve(name, Some(&flows)).unwrap_err();
        assert!(e.is_outside() && !e.is_io() && !e.is_invalid(), "{name}: {e}");
        assert!(e.to_string().contains("outside"), "{e}");
        let cal = Calendar::resolve_reaching(name, Some(&flows), CalendarReach::Anywhere);
        assert!(cal.is_ok(), "{name}");
    }
    let inside = flows.join("cal/local.yaml");
    for name in ["cal/local.yaml", "./cal/../cal/local.yaml", inside.to_str().unwrap()] {
        assert!(Calendar::resolve(name, Some(&flows)).is_ok(), "{name}");
    }
    // Without a flow's directory the path is the caller's own.
    assert!(Calendar::resolve(outside.to_str().unwrap(), None).is_ok());
    // A missing file is still a missing file, not "outside".
    assert!(Calendar::resolve("../missing.yaml", Some(&flows)).unwrap_err().is_io());
}

// The diagnostic about `/etc/passwd` as a calendar quoted its lines.
#[test]
fn a_file_that_is_not_a_calendar_is_not_quoted() {
    let secret = "hunter2";
    for text in [
        "root:x:0:0:root:/root:/bin/bash hunter2\n",
        "password: hunter2\nuser: admin\n",
        "- hunter2\n- b\n",
        "key: [hunter2\n",
        "\"hunter2\n",
        "password: \"hunter2\"\n  bad: indent\n",
    ] {
        let report = Calendar::from_yaml("passwd", text).unwrap_err();
        let shown = report.render();
        assert!(!shown.contains(secret), "{text:?}: {shown}");
        assert!(report.located().iter().all(|d| d.line.is_none()), "{text:?}: {shown}");
        let json = serde_json::to_string(&report.located()).unwrap();
        assert!(!json.contains(secret), "{json}");
    }
    let report = Calendar::from_yaml("x.yaml", "password: hunter2\n").unwrap_err();
    assert!(report.render().contains("not a calendar file"), "{}", report.render());
    // A calendar file with a mistake is still shown where the mistake is.
    let report = Calendar::from_yaml("x.yaml", "base: cn\nholidayz: [2025-05-06]\n").unwrap_err();
    assert!(report.render().contains("holidayz"), "{}", report.render());
}

// Regression: a property test once asked 0 and 1 working days from a rest day to differ.
#[test]
fn zero_and_one_working_day_from_a_rest_day_meet() {
    let cal = Calendar::cn();
    let saturday = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    let monday = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    assert_eq!(cal.add_working_days(saturday, 0).unwrap(), monday);
    assert_eq!(cal.add_working_days(saturday, 1).unwrap(), monday);
}

#[test]
fn today_is_read_in_the_calendar_s_zone() {
    assert_eq!(Calendar::cn().zone().name(), "Asia/Shanghai");
    let local = Calendar::from_yaml("local.yaml", "base: cn\nholidays: [2025-05-06]\n").unwrap();
    assert_eq!(local.zone(), &Zone::shanghai(), "a calendar based on cn keeps Beijing time");
    let text = "base: none\nyears: 2025\nzone: UTC-05:00\n";
    let own = Calendar::from_yaml("own.yaml", text).map_err(|r| r.render()).unwrap();
    assert_eq!(own.zone().name(), "UTC-05:00");
    assert_eq!(reread(&own).zone(), own.zone());
    let hk = Calendar::from_yaml("hk.yaml", "base: cn\nzone: Asia/Hong_Kong\n").unwrap();
    assert_eq!(hk.zone().name(), "Asia/Hong_Kong");
    // The system clock's date in Beijing, whatever the machine's zone.
    let now = chrono::Utc::now();
    let today = Calendar::cn().today();
    assert!(today == Zone::shanghai().date_at(now) || today == Zone::shanghai().date_at(chrono::Utc::now()));
}

// ---------------------------------------------------------------- writing calendar files

/// Reads back what `to_yaml` wrote.
fn reread(cal: &Calendar) -> Calendar {
    let text = cal.to_yaml();
    Calendar::from_yaml("pinned.yaml", &text).map_err(|r| format!("{}\n{text}", r.render())).unwrap()
}

#[test]
fn cn_written_and_read_back_is_the_same_calendar() {
    let cn = Calendar::cn();
    let back = reread(&cn);
    assert_eq!(back.entries(), cn.entries());
    assert_eq!(back.notices(), cn.notices());
    assert_eq!((back.title(), back.covered(), back.beyond()), (cn.title(), cn.covered(), cn.beyond()));
    assert_eq!(back.zone(), cn.zone());
}

#[test]
fn awkward_names_and_titles_survive_writing() {
    let names =
        ["a: b", "#x", "y #z", "\"quoted\"", "back\\slash", "two\nlines", "true", "007", "-", "春节：调休"];
    let mut b = Calendar::builder("odd", 2025..=2025).title("2025: \"odd\" # title");
    let n = b.notice(Notice { title: "null".to_string(), number: Some("[1]".to_string()) });
    for (i, name) in names.iter().enumerate() {
        let day = d("2025-03-03") + Days::new(i as u64);
        b = b.entry(Entry::holiday(day, day).named(*name).from_notice(n));
    }
    let cal = b.build().unwrap();
    let back = reread(&cal);
    assert_eq!(back.entries(), cal.entries());
    assert_eq!(back.notices(), cal.notices());
    assert_eq!(back.title(), cal.title());
}

#[test]
fn a_local_holiday_on_a_national_one_is_written_once() {
    let local =
        Calendar::cn().extend("local").holiday(d("2025-10-06"), d("2025-10-10"), "本地").build().unwrap();
    let back = reread(&local);
    for day in d("2025-09-25").iter_days().take(30) {
        assert_eq!(back.is_working_day(day).unwrap(), local.is_working_day(day).unwrap(), "{day}");
    }
}

#[test]
fn weekends_only_is_written_as_a_year_without_holidays() {
    let back = reread(&Calendar::weekends_only());
    for (a, n) in [("1999-03-05", 1), ("2000-12-29", 3), ("2024-05-01", 10)] {
        assert_eq!(
            back.add_working_days(d(a), n).unwrap(),
            Calendar::weekends_only().add_working_days(d(a), n).unwrap()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_written_calendar_counts_every_day_the_same(cal in calendars(), a in dates(), n in 0u32..400) {
        let back = reread(&cal);
        prop_assert_eq!(back.add_working_days(a, n).unwrap(), cal.add_working_days(a, n).unwrap());
        prop_assert_eq!(back.is_working_day(a).unwrap(), cal.is_working_day(a).unwrap());
    }
}

// ---------------------------------------------------------------- data files

/// The 2027 notice as a data file would carry it (an example arrangement, not the notice).
const NOTICE_2027: &str = "  - title: 国务院办公厅关于2027年部分节假日安排的通知\n    holidays:\n      \
                           - 2027-02-05..2027-02-12 春节\n    workdays:\n      - 2027-02-20 春节\n";

#[test]
fn a_data_file_brings_a_new_year_without_a_release() {
    let builtin = include_str!("../../data/cn.yaml");
    // A whole copy of the data with the new year: it replaces the built-in data.
    let full = builtin.replace("years: 2004..2026", "years: 2004..2027") + NOTICE_2027;
    let cal = Calendar::cn_with_data_text("cn.yaml", &full).map_err(|r| r.render()).unwrap();
    assert_eq!((cal.id(), cal.beyond()), ("cn", Beyond::Law));
    assert_eq!(cal.published_through(), Some(d("2027-12-31")));
    assert_eq!(cal.add_working_days(d("2027-02-04"), 1).unwrap(), d("2027-02-15"));
    assert!(cal.is_working_day(d("2027-02-20")).unwrap());
    assert!(!cal.is_provisional(d("2027-12-31")) && cal.is_provisional(d("2028-01-01")));
    assert!(cal.entries_in_year(2028).any(|e| e.projected), "the law still projects what follows");
    assert!(cal.data_version().starts_with("2004..2027 sha256:"), "{}", cal.data_version());
    assert_ne!(cal.data_version(), Calendar::cn_builtin().data_version());
    // Only the new year: added to the built-in data, the same days and so the same version.
    let added = format!("base: cn\nyears: 2027\nnotices:\n{NOTICE_2027}");
    let inc = Calendar::cn_with_data_text("cn-2027.yaml", &added).map_err(|r| r.render()).unwrap();
    assert_eq!((inc.id(), inc.data_version()), ("cn", cal.data_version()));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cn-2027.yaml"), &added).unwrap();
    let read = Calendar::cn_with_data(&dir.path().join("cn-2027.yaml")).unwrap();
    assert_eq!(read.data_version(), cal.data_version());
    assert!(Calendar::cn_with_data(&dir.path().join("missing.yaml")).unwrap_err().is_io());
    // Refused: a copy that takes published years away, a week other than the mainland's.
    for (text, why) in [
        (
            "base: none\nyears: 2010..2030\n",
            "the data cover 2010..2030, but the built-in `cn` data publish 2004..2026",
        ),
        (
            "base: none\nyears: 2004..2030\nweekend: [fri, sat]\n",
            "`cn` data must rest on Saturday and Sunday",
        ),
        ("base: cn\nholidayz: []\n", "unknown key"),
    ] {
        let shown = Calendar::cn_with_data_text("x.yaml", text).unwrap_err().render();
        assert!(shown.contains(why), "{text}: {shown}");
    }
}

#[test]
fn the_data_version_follows_the_days_not_the_text() {
    let cn = Calendar::cn_builtin();
    let same = Calendar::cn_with_data_text(
        "copy.yaml",
        &format!("# a comment\n{}", include_str!("../../data/cn.yaml")),
    );
    assert_eq!(same.map_err(|r| r.render()).unwrap().data_version(), cn.data_version());
    let local = Calendar::from_yaml("local.yaml", "base: cn\nholidays: [2025-05-06 县庆]\n").unwrap();
    assert_ne!(local.data_version(), cn.data_version());
    assert_eq!(Calendar::weekends_only().data_version(), Calendar::weekends_only().data_version());
}
