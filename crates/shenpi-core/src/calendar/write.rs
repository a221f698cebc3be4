//! A calendar as calendar-file text: what a project pins when its calendar
//! was built in code rather than read from a file.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, Weekday};

use super::{Beyond, Calendar, DayKind, Entry};

/// The year a calendar without years is written with: one year without
/// holidays counts exactly as weekly rest days alone.
const YEARLESS: i32 = 2000;

impl Calendar {
    /// The calendar as the text of a calendar file (`docs/calendar-format.md`)
    /// with `base: none`: its title, weekly rest days, years, what it does
    /// beyond them, and every listed day under the notice that arranged it.
    /// [`Calendar::from_yaml`] reads it back to a calendar that counts every
    /// day the same, so a project can pin a calendar built in code.
    ///
    /// A day listed twice (a local holiday on a holiday of the base calendar)
    /// is written once, under the first entry that lists it. A calendar
    /// without years ([`Calendar::weekends_only`]) is written as one year
    /// without holidays, which counts the same.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use shenpi_core::calendar::Calendar;
    ///
    /// let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    /// let county = Calendar::cn().extend("county").holiday(day(3, 11), day(3, 11), "防汛").build()?;
    /// let text = county.to_yaml();
    /// assert!(text.contains("- 2025-03-11 防汛"));
    /// let pinned = Calendar::from_yaml("county.yaml", &text).map_err(|r| r.render())?;
    /// assert!(!pinned.is_working_day(day(3, 11))?);
    /// assert_eq!(pinned.add_working_days(day(1, 24), 3)?, county.add_working_days(day(1, 24), 3)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Complexity
    /// O(total entry length) time and memory.
    pub fn to_yaml(&self) -> String {
        let mut out = format!("# The calendar `{}`, as written by shenpi.\n", self.id().replace('\n', " "));
        if let Some(t) = self.title() {
            field(&mut out, "name", &scalar(t));
        }
        field(&mut out, "base", "none");
        let weekend: Vec<&str> =
            WEEKDAYS.iter().filter(|(_, d)| self.is_weekend(*d)).map(|(n, _)| *n).collect();
        field(&mut out, "weekend", &format!("[{}]", weekend.join(", ")));
        let (y0, y1) = self.covered().map_or((YEARLESS, YEARLESS), |(f, l)| (f.year(), l.year()));
        field(&mut out, "years", &if y0 == y1 { y0.to_string() } else { format!("{y0}..{y1}") });
        field(&mut out, "beyond", beyond_word(self.beyond()));
        field(&mut out, "zone", self.zone().name());
        // The law's days are derived, not listed: `beyond: law` projects them again.
        let listed: Vec<Entry> = self.entries().iter().filter(|e| !e.projected).cloned().collect();
        let lists = Lists::of(&listed);
        lists.write(&mut out, None, "");
        let notices = self.notices();
        if !notices.is_empty() {
            out.push_str("notices:\n");
        }
        for (i, n) in notices.iter().enumerate() {
            let _ = writeln!(out, "  - title: {}", scalar(&n.title));
            if let Some(num) = &n.number {
                let _ = writeln!(out, "    number: {}", scalar(num));
            }
            lists.write(&mut out, Some(i), "    ");
        }
        out
    }
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn beyond_word(b: Beyond) -> &'static str {
    match b {
        Beyond::Error => "error",
        Beyond::Weekends => "weekends",
        Beyond::Law => "law",
    }
}

fn field(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key}: {value}");
}

/// Entries as written: each day at most once, grouped by the notice they cite.
struct Lists {
    /// The entries' days not listed before, in the calendar's order.
    spans: Vec<Entry>,
}

impl Lists {
    fn of(entries: &[Entry]) -> Lists {
        let mut listed = BTreeSet::new();
        let mut spans = Vec::new();
        for e in entries {
            let mut run: Option<(NaiveDate, NaiveDate)> = None;
            for d in e.first.iter_days().take_while(|d| *d <= e.last) {
                if listed.insert(d) {
                    run = Some(run.map_or((d, d), |(f, _)| (f, d)));
                } else if let Some((first, last)) = run.take() {
                    spans.push(Entry { first, last, ..e.clone() });
                }
            }
            if let Some((first, last)) = run {
                spans.push(Entry { first, last, ..e.clone() });
            }
        }
        Lists { spans }
    }

    /// The `holidays` and `workdays` citing `notice`, indented by `indent`.
    fn write(&self, out: &mut String, notice: Option<usize>, indent: &str) {
        for (key, kind) in [("holidays", DayKind::Holiday), ("workdays", DayKind::Workday)] {
            let mut items = self.spans.iter().filter(|e| e.notice == notice && e.kind == kind).peekable();
            if items.peek().is_none() {
                continue;
            }
            let _ = writeln!(out, "{indent}{key}:");
            for e in items {
                let (first, last) = (e.first, e.last);
                let dates = if first == last { first.to_string() } else { format!("{first}..{last}") };
                let text = match e.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    Some(n) => format!("{dates} {n}"),
                    None => dates,
                };
                let _ = writeln!(out, "{indent}  - {}", scalar(&text));
            }
        }
    }
}

/// `text` as a YAML scalar: plain when it reads back as the same text, else double-quoted.
fn scalar(text: &str) -> String {
    if is_plain(text) {
        return text.to_string();
    }
    let mut q = String::with_capacity(text.len() + 2);
    q.push('"');
    for c in text.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(q, "\\u{:04x}", u32::from(c));
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// True when `text` needs no quotes: no indicator first, no `: ` or ` #`,
/// no control characters or outer spaces, and not a number, boolean or null.
fn is_plain(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    let special = "-?:,[]{}#&*!|>'\"%@`";
    let reserved = ["true", "false", "null", "yes", "no", "on", "off", "~"];
    !special.contains(first)
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && !text.chars().any(char::is_control)
        && text.trim() == text
        && !reserved.contains(&text.to_ascii_lowercase().as_str())
        && text.parse::<f64>().is_err()
        && !text.starts_with("0x")
        && !text.starts_with("0o")
}
