//! The built-in `cn` calendar against two independent tables of the State
//! Council's arrangements, every day from 2004 to 2026: the `chinesecalendar`
//! package (PyPI 1.11.0, the fixture `tests/data/chinesecalendar-1.11.0.txt`)
//! and the legal-holiday table of the `tyme4rs` crate. Where a table and the
//! notice disagree, the notice wins and the day is named below with its words.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Weekday};
use shenpi_core::calendar::Calendar;

const FIRST: &str = "2004-01-01";
const LAST: &str = "2026-12-31";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// `true` for a day off: a listed day as listed, any other by its weekday.
fn off(listed: &HashMap<NaiveDate, bool>, day: NaiveDate) -> bool {
    listed.get(&day).copied().unwrap_or(matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
}

/// Every day where `cn` and a table differ, as `date: cn says …`.
fn differences(listed: &HashMap<NaiveDate, bool>) -> Vec<String> {
    let cn = Calendar::cn();
    d(FIRST)
        .iter_days()
        .take_while(|x| *x <= d(LAST))
        .filter(|&x| cn.is_working_day(x).unwrap() == off(listed, x))
        .map(|x| format!("{x}: cn says {}", if off(listed, x) { "worked" } else { "off" }))
        .collect()
}

#[test]
fn cn_covers_2004_to_2026_as_published() {
    let (first, last) = Calendar::cn().covered().unwrap();
    assert!(first <= d(FIRST) && d(LAST) <= last, "{first}..{last}");
}

#[test]
fn every_day_agrees_with_the_chinesecalendar_package() {
    let text = include_str!("data/chinesecalendar-1.11.0.txt");
    let listed: HashMap<NaiveDate, bool> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (day, kind) = l.split_once(' ').unwrap();
            (d(day), kind == "off")
        })
        .collect();
    assert!(listed.len() > 700, "the fixture lists {} days", listed.len());
    assert_eq!(
        differences(&listed),
        [
            // 国办发明电〔2005〕35号 (the 2006 arrangement): "12月31日（星期六）上班".
            "2005-12-31: cn says worked"
        ]
    );
}

#[test]
fn every_day_agrees_with_the_tyme4rs_legal_holiday_table() {
    // Records of 13 characters: YYYYMMDD, `0` worked or `1` off, the holiday, the offset to it.
    let data = tyme4rs::tyme::holiday::LEGAL_HOLIDAY_DATA;
    assert_eq!(data.len() % 13, 0);
    let listed: HashMap<NaiveDate, bool> = (0..data.len())
        .step_by(13)
        .map(|i| {
            let r = &data[i..i + 13];
            let day = NaiveDate::parse_from_str(&r[..8], "%Y%m%d").unwrap();
            (day, &r[8..9] == "1")
        })
        .collect();
    assert_eq!(
        differences(&listed),
        [
            // 国办发明电〔2012〕33号 (the 2013 arrangement): "清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班".
            "2013-04-07: cn says worked",
            // The same notice: "国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班".
            "2013-10-12: cn says worked",
        ]
    );
}
