//! The rank index: which days are worked, as prefix counts, so that counting
//! working days is a subtraction and finding the n-th one a binary search.
//!
//! Days are numbered by [`day_index`] (0 is Monday 0001-01-01, so `j mod 7`
//! is the weekday). `rank(j)` is the number of working days up to and
//! including day `j`, counted from a fixed origin: it is non-decreasing and
//! rises by one exactly on working days. Inside the years with data it reads
//! a prefix array; outside, it counts weekly rest days by formula, so the
//! two agree at the seams and the arithmetic needs no special cases there.

use chrono::{Datelike, NaiveDate, Weekday};

/// The day index of a date: 0 is Monday 0001-01-01, so `j mod 7` is the weekday.
pub(super) fn day_index(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 1
}

/// The date of a day index, if chrono can represent it.
/// The date of a day index, if it lies in the years 1 to 9999: the dates
/// shenpi reads (`YYYY-MM-DD`) are the only ones it may answer with.
pub(super) fn from_index(j: i64) -> Option<NaiveDate> {
    i32::try_from(j + 1)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .filter(|d| (1..=9999).contains(&d.year()))
}

/// Weekly rest days as a mask indexed by `Weekday::num_days_from_monday`.
pub(super) fn weekend_mask(days: &[Weekday]) -> [bool; 7] {
    let mut mask = [false; 7];
    for d in days {
        mask[d.num_days_from_monday() as usize] = true;
    }
    mask
}

/// Working days of a week, by weekday.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Week {
    /// Indexed by `Weekday::num_days_from_monday`.
    rest: [bool; 7],
    /// `pre[r]`: working days among Monday .. the r-th weekday (excluded); `[7]` is per week.
    pre: [i64; 8],
}

impl Week {
    /// The week resting on the days of `rest`; at least one day must be worked.
    pub(super) fn new(rest: [bool; 7]) -> Week {
        let mut pre = [0; 8];
        for i in 0..7 {
            pre[i + 1] = pre[i] + i64::from(!rest[i]);
        }
        Week { rest, pre }
    }

    /// True when day `j` falls on a weekly rest day.
    pub(super) fn rests_on(&self, j: i64) -> bool {
        self.rest[j.rem_euclid(7) as usize]
    }

    /// True when the week rests on `day`.
    pub(super) fn rests_on_weekday(&self, day: Weekday) -> bool {
        self.rest[day.num_days_from_monday() as usize]
    }

    /// Working days among day indices [0, m), extended to negative m so that
    /// differences stay right.
    fn count(&self, m: i64) -> i64 {
        m.div_euclid(7) * self.pre[7] + self.pre[m.rem_euclid(7) as usize]
    }

    /// The smallest m with `count(m) >= k`.
    fn inverse(&self, k: i64) -> i64 {
        let per = self.pre[7]; // > 0: a calendar always has a working weekday
        let q = (k - 1).div_euclid(per);
        let rem = k - q * per; // 1 ..= per
        let r = (1..=7).find(|&r| self.pre[r] >= rem).unwrap_or(7);
        7 * q + r as i64
    }
}

/// The days with data, as prefix counts: `prefix[i]` is the number of
/// working days among the first `i` days from `first`. The published days
/// come first; the days the holiday law projects, if any, follow.
#[derive(Clone, Debug)]
pub(super) struct Covered {
    pub(super) first: NaiveDate,
    /// The last published day.
    pub(super) last: NaiveDate,
    /// The last day the holiday law is projected to, if the calendar projects.
    pub(super) projected_last: Option<NaiveDate>,
    j0: i64,
    prefix: Vec<u32>,
    /// Published days: `prefix[..=published]` counts them.
    published: usize,
}

impl Covered {
    /// The days from `first` on, `working[i]` telling whether day `first + i`
    /// is worked; the first `published` are published, the rest projected.
    pub(super) fn new(first: NaiveDate, working: &[bool], published: usize) -> Covered {
        let mut prefix = Vec::with_capacity(working.len() + 1);
        prefix.push(0u32);
        let mut n = 0u32;
        for &w in working {
            n += u32::from(w);
            prefix.push(n);
        }
        let day = |n: usize| first + chrono::Days::new(n.saturating_sub(1) as u64);
        let projected_last = (working.len() > published).then(|| day(working.len()));
        Covered { first, last: day(published), projected_last, j0: day_index(first), prefix, published }
    }
}

/// The rank index of one calendar: its week, and the days with data if any.
#[derive(Clone, Debug)]
pub(super) struct Index {
    pub(super) week: Week,
    pub(super) covered: Option<Covered>,
}

impl Index {
    /// The index as one mode of counting sees it: with the projected days
    /// (`law`), or with the published days only and weeks after them.
    pub(super) fn view(&self, law: bool) -> View<'_> {
        let span = self.covered.as_ref().map(|c| {
            let prefix = if law { &c.prefix[..] } else { &c.prefix[..=c.published] };
            (c.j0, prefix)
        });
        View { week: &self.week, span }
    }
}

/// Days with data (day index of the first, prefix counts) and the week around them.
#[derive(Clone, Copy, Debug)]
pub(super) struct View<'a> {
    week: &'a Week,
    span: Option<(i64, &'a [u32])>,
}

impl View<'_> {
    /// Working days up to and including day `j`, counted from a fixed origin;
    /// non-decreasing, and rising by one exactly on working days.
    pub(super) fn rank(&self, j: i64) -> i64 {
        let w = self.week;
        let Some((j0, prefix)) = self.span else {
            return w.count(j + 1);
        };
        let end = j0 + prefix.len() as i64 - 1;
        let total = i64::from(prefix[prefix.len() - 1]);
        if j < j0 {
            w.count(j + 1)
        } else if j < end {
            w.count(j0) + i64::from(prefix[(j - j0 + 1) as usize])
        } else {
            w.count(j0) + total + w.count(j + 1) - w.count(end)
        }
    }

    /// The smallest day index j with `rank(j) >= k`: the k-th working day.
    pub(super) fn unrank(&self, k: i64) -> i64 {
        let w = self.week;
        let Some((j0, prefix)) = self.span else {
            return w.inverse(k) - 1;
        };
        let end = j0 + prefix.len() as i64 - 1;
        let total = i64::from(prefix[prefix.len() - 1]);
        let base = w.count(j0);
        if k <= base {
            w.inverse(k) - 1
        } else if k <= base + total {
            let i = prefix.partition_point(|&p| i64::from(p) + base < k);
            j0 + i as i64 - 1
        } else {
            w.inverse(k - base - total + w.count(end)) - 1
        }
    }

    /// Whether day `j` is worked.
    pub(super) fn is_working(&self, j: i64) -> bool {
        match self.span {
            Some((j0, prefix)) if j0 <= j && j - j0 < prefix.len() as i64 - 1 => {
                let i = (j - j0) as usize;
                prefix[i + 1] != prefix[i]
            }
            _ => !self.week.rests_on(j),
        }
    }
}
