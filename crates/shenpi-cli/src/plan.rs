//! `shenpi plan FLOW`: critical path, deadlines and budget check of one flow.
//!
//! Without `--start` the plan starts today in the calendar's zone (Beijing
//! time for `cn`), whatever the machine's zone. Exit codes: 0 the
//! plan was made (an over-budget flow is a result, not an error), 1 the flow
//! or its calendar is invalid or a date falls outside the calendar, 2 usage
//! or I/O error.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::NaiveDate;
use shenpi_core::Error;
use shenpi_core::graph::Mode;
use shenpi_core::model::{DeadlinePolicy, TotalRule};
use shenpi_core::schedule::Plan;
use shenpi_core::schedule::report::{Cuts, PlanReport, Step};
use unicode_width::UnicodeWidthStr;

use crate::Format;
use crate::common::{self, Failure, FlowArgs, Loaded, OptionArgs};

/// Arguments of `shenpi plan`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    flow: FlowArgs,
    /// First day of the project (YYYY-MM-DD); today in the calendar's zone (Beijing time for `cn`) when absent.
    #[arg(long, value_name = "DATE", value_parser = common::date)]
    start: Option<NaiveDate>,
    /// `table` for a person, `json` for other tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// How deadlines are handed out; the flow's `deadline_policy` when absent.
    #[arg(long, value_enum)]
    policy: Option<Policy>,
    #[command(flatten)]
    options: OptionArgs,
}

/// `--policy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Policy {
    /// Each step's deadline is its latest finish.
    Latest,
    /// Slack shared in proportion to promised days.
    Proportional,
}

impl Args {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        self.format
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let out = plan(&args)?;
    io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

fn plan(args: &Args) -> Result<String, Failure> {
    let Loaded { graph, calendar } = args.flow.load_with(args.options.options())?;
    let start = args.start.unwrap_or_else(|| calendar.today());
    let policy = match args.policy {
        Some(Policy::Latest) => DeadlinePolicy::Latest,
        Some(Policy::Proportional) => DeadlinePolicy::Proportional,
        None => graph.flow().deadline_policy(),
    };
    let plan = Plan::with_policy(graph, policy);
    // Days and deadlines stand on their own; dates need the calendar to cover the whole plan.
    let dates = match plan.dates(start, &calendar) {
        Ok(d) => Some(d),
        Err(e) if e.is_out_of_range() => {
            let _ = writeln!(
                io::stderr(),
                "warning: the plan has no dates: {e}\nhelp: `--beyond law` projects the holiday law (to 2100) and `--beyond weekends` counts only weekends past the calendar's data; or pick another `--start`"
            );
            None
        }
        Err(e) => return Err(Error::from(e).into()),
    };
    let report = PlanReport::new(&plan, dates.as_ref(), &calendar);
    let out = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report).map_err(io::Error::other)?;
            s.push('\n');
            s
        }
        Format::Table => {
            let note = if report.provisional { calendar.provisional_note() } else { None };
            table(&report, note.as_deref())
        }
    };
    // The process ends once the text is written: freeing a large flow's plan,
    // graph and steps one by one would cost a tenth of the command.
    std::mem::forget((report, dates, plan));
    Ok(out)
}

fn days(n: i64) -> String {
    format!("{n} working day{}", if n.abs() == 1 { "" } else { "s" })
}

/// The plan for a person: a summary, the step table, the stages, what to
/// cut when over budget, and the reform figures.
fn table(o: &PlanReport, note: Option<&str>) -> String {
    // Names come from the file: a control character in one must not reach
    // the terminal. The parts around the step table pass through
    // `printable_lines`; the table's rows escape their own cells.
    let mut s = String::new();
    summary(&mut s, o, note);
    s.push('\n');
    let mut out = common::printable_lines(s);
    step_table(&mut out, o);
    let mut s = String::from("\n");
    stages(&mut s, o);
    if let Some(c) = &o.cuts {
        s.push('\n');
        cuts(&mut s, c);
    }
    s.push('\n');
    reform(&mut s, o);
    out.push_str(&common::printable_lines(s));
    out
}

/// Title, start and policy, the budget check, the finish and the critical path.
fn summary(s: &mut String, o: &PlanReport, note: Option<&str>) {
    let _ = writeln!(s, "{} ({})", o.name, o.flow);
    let start = o.start_date.map_or_else(|| "(no dates)".to_string(), |d| d.to_string());
    let policy = match o.policy {
        DeadlinePolicy::Latest => "latest",
        DeadlinePolicy::Proportional => "proportional",
    };
    let _ = writeln!(s, "start {start} (calendar {}), deadlines by the {policy} policy", o.calendar);
    let counted = match o.total {
        TotalRule::CriticalPath => format!(
            "counted critical path {} (summed by stage {})",
            days(i64::from(o.total_days)),
            o.stage_sum_days
        ),
        TotalRule::StageSum => format!(
            "summed by stage {} (counted critical path {})",
            days(i64::from(o.stage_sum_days)),
            o.total_days
        ),
    };
    let _ = match (o.budget, o.slack) {
        (Some(b), Some(sl)) if sl >= 0 => {
            writeln!(s, "budget {}: fits, {counted}, {} to spare", days(i64::from(b)), days(sl))
        }
        (Some(b), Some(sl)) => {
            writeln!(s, "budget {}: OVER BUDGET by {}, {counted}", days(i64::from(b)), days(-sl))
        }
        _ => writeln!(s, "no budget; {counted}"),
    };
    let on = o.finish_date.as_ref().map_or(String::new(), |d| format!(" on {d}"));
    let natural = o.natural_days.map_or(String::new(), |n| format!(", {n} natural days"));
    let _ = writeln!(
        s,
        "ends after {}{natural}{on} (the owner's own time, intermediaries and notices included)",
        days(i64::from(o.elapsed_days))
    );
    if let Some(note) = note {
        let _ = writeln!(s, "note: {note}");
    }
    let _ = writeln!(s, "critical path: {}", o.critical_path.join(" -> "));
    if let Some(g) = &o.gain {
        let what = match (o.mode, o.commitment) {
            (Mode::Simulated, true) => "simulated approval and commitment",
            (Mode::Simulated, false) => "simulated approval",
            _ => "commitment",
        };
        let _ = writeln!(
            s,
            "{what} saves {} counted and ends {} earlier (without: {} counted, {} elapsed)",
            days(g.total_days_saved),
            days(g.elapsed_days_saved),
            g.baseline_total_days,
            g.baseline_elapsed_days
        );
    }
}

/// Columns of the step table.
const COLUMNS: usize = 11;

/// The step table's headings.
const HEAD: [&str; COLUMNS] =
    ["", "id", "name", "dept", "days", "es", "ef", "deadline", "float", "start", "due"];

/// One row per step, columns padded by display width, numbers to the right.
fn step_table(s: &mut String, o: &PlanReport) {
    // A large flow's table is never held as cells: each is written into one
    // reused buffer and padded into the text.
    let widths = column_widths(&o.steps);
    let mut cell = String::new();
    row(s, &widths, &mut cell, |c, i| c.push_str(HEAD[i]));
    for st in &o.steps {
        let start = s.len();
        row(s, &widths, &mut cell, |c, i| step_cell(c, st, i));
        // Names and departments are escaped in their cells; a row whose id
        // needs it is escaped line by line, as the rest of the text is.
        if let Cow::Owned(_) = common::printable(&st.id) {
            let line = s.split_off(start);
            s.push_str(&common::printable_lines(line));
        }
    }
    let _ = writeln!(
        s,
        "(* critical; (n) days not counted against the budget; es, ef, deadline: working days from the start \
         on the elapsed clock, uncounted time included; deadline = latest finish or policy share; float: \
         counted working days it may slip with the budget still met; start, due: calendar dates)"
    );
}

/// The display width of each column of the step table: the widest of its
/// heading and its cells. Text cells are measured; a column of numbers or
/// dates is as wide as the written form of its smallest or its largest
/// value, so only those two are written.
fn column_widths(steps: &[Step]) -> [usize; COLUMNS] {
    let mut text = [0usize; 3];
    let mut critical = false;
    let (mut counted, mut uncounted) = (Extremes::default(), Extremes::default());
    let (mut es, mut ef) = (Extremes::default(), Extremes::default());
    let (mut deadline, mut float) = (Extremes::default(), Extremes::default());
    let (mut start, mut due) = (Extremes::default(), Extremes::default());
    let mut undated = [false; 2];
    for st in steps {
        critical |= st.critical;
        text[0] = text[0].max(display_width(&st.id));
        text[1] = text[1].max(display_width(&common::printable(&st.name)));
        text[2] = text[2].max(display_width(&common::printable(&st.dept)));
        if st.counted {
            counted.add(st.promised);
        } else {
            uncounted.add(st.promised);
        }
        es.add(st.es);
        ef.add(st.ef);
        deadline.add(st.deadline);
        float.add(st.total_float);
        for (k, (column, date)) in
            [(&mut start, st.start_date), (&mut due, st.due_date)].into_iter().enumerate()
        {
            match date {
                Some(d) => column.add(d),
                None => undated[k] = true,
            }
        }
    }
    let dates =
        |column: &Extremes<NaiveDate>, undated: bool| column.width().unwrap_or(0).max(usize::from(undated));
    let cells = [
        usize::from(critical),
        text[0],
        text[1],
        text[2],
        counted.width().unwrap_or(0).max(uncounted.width().map_or(0, |w| w + 2)),
        es.width().unwrap_or(0),
        ef.width().unwrap_or(0),
        deadline.width().unwrap_or(0),
        float.width().unwrap_or(0),
        dates(&start, undated[0]),
        dates(&due, undated[1]),
    ];
    std::array::from_fn(|i| HEAD[i].width().max(cells[i]))
}

/// The smallest and the largest value of a column of integers or dates: the
/// written form of one of the two is the longest of the column.
struct Extremes<T>(Option<(T, T)>);

impl<T> Default for Extremes<T> {
    fn default() -> Self {
        Extremes(None)
    }
}

impl<T: Copy + Ord + std::fmt::Display> Extremes<T> {
    fn add(&mut self, v: T) {
        self.0 = Some(self.0.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
    }

    /// Characters of the longest written value (all ASCII); `None` without values.
    fn width(&self) -> Option<usize> {
        self.0.map(|(lo, hi)| lo.to_string().len().max(hi.to_string().len()))
    }
}

/// Display width of `s` as [`UnicodeWidthStr::width`] gives it (CJK
/// characters take two columns), counted directly when `s` holds only
/// printable ASCII and CJK ideographs, the usual text of a flow (no
/// sequence of those has a width of its own).
fn display_width(s: &str) -> usize {
    let mut width = 0;
    for c in s.chars() {
        match c {
            ' '..='~' => width += 1,
            '\u{4e00}'..='\u{9fff}' => width += 2,
            _ => return s.width(),
        }
    }
    width
}

/// Appends one line of the step table: each cell (`fill` writes cell `i`
/// into the buffer it is given) padded to its column's display width (CJK
/// characters take two), numbers to the right, two spaces between columns,
/// no spaces at the end.
fn row(
    s: &mut String,
    widths: &[usize; COLUMNS],
    cell: &mut String,
    mut fill: impl FnMut(&mut String, usize),
) {
    let start = s.len();
    for (i, &width) in widths.iter().enumerate() {
        if i > 0 {
            s.push_str("  ");
        }
        cell.clear();
        fill(cell, i);
        // Only the id, name and department may hold other than ASCII.
        let used = if (1..=3).contains(&i) { display_width(cell) } else { cell.len() };
        let spaces = width.saturating_sub(used);
        if (4..=8).contains(&i) {
            s.extend(std::iter::repeat_n(' ', spaces));
            s.push_str(cell);
        } else {
            s.push_str(cell);
            s.extend(std::iter::repeat_n(' ', spaces));
        }
    }
    let kept = s[start..].trim_end().len();
    s.truncate(start + kept);
    s.push('\n');
}

/// Writes cell `i` of a step's row: critical mark, id, name, department,
/// days (in parentheses when not counted), es, ef, deadline, float, start, due.
fn step_cell(c: &mut String, st: &Step, i: usize) {
    let date = |c: &mut String, d: Option<NaiveDate>| match d {
        Some(d) => write!(c, "{d}"),
        None => c.write_str("-"),
    };
    let _ = match i {
        0 => c.write_str(if st.critical { "*" } else { "" }),
        1 => c.write_str(&st.id),
        2 => c.write_str(&common::printable(&st.name)),
        3 => c.write_str(&common::printable(&st.dept)),
        4 if st.counted => write!(c, "{}", st.promised),
        4 => write!(c, "({})", st.promised),
        5 => write!(c, "{}", st.es),
        6 => write!(c, "{}", st.ef),
        7 => write!(c, "{}", st.deadline),
        8 => write!(c, "{}", st.total_float),
        9 => date(c, st.start_date),
        _ => date(c, st.due_date),
    };
}

/// Each stage against its budget, with the chain that breaks it.
fn stages(s: &mut String, o: &PlanReport) {
    for st in &o.stages {
        let what = match (st.budget, st.slack) {
            (Some(b), Some(sl)) if sl >= 0 => format!("{} of {b}, fits", st.total_days),
            (Some(b), Some(sl)) => {
                format!("{} of {b}, OVER BUDGET by {}: {}", st.total_days, days(-sl), st.chain.join(" -> "))
            }
            _ => format!("{} (no budget)", st.total_days),
        };
        let _ = writeln!(s, "stage {} ({}): {what}", st.name, st.id);
    }
    for g in &o.groups {
        let what = if g.feasible {
            format!("{} of {}, fits, {} to spare", g.total_days, g.days, days(g.slack))
        } else {
            format!(
                "{} of {}, OVER BUDGET by {}: {}",
                g.total_days,
                g.days,
                days(-g.slack),
                g.chain.join(" -> ")
            )
        };
        let _ = writeln!(s, "budget group {} ({}): {what}", g.name, g.stages.join(", "));
    }
}

/// What to cut to fit the budget, and the steps that help most when cut alone.
fn cuts(s: &mut String, c: &Cuts) {
    let _ = writeln!(s, "The flow is {} over its budget. To fit, cut:", days(c.over_by));
    for x in &c.plan {
        let _ = writeln!(s, "  {} {} by {} (cost {})", x.id, x.name, days(i64::from(x.days)), x.cost);
    }
    if !c.reaches_budget {
        let _ = writeln!(
            s,
            "  ...and the flow still takes {}: every step on a critical chain is at its `min`",
            days(i64::from(c.total_days_after))
        );
    }
    if !c.candidates.is_empty() {
        let _ = writeln!(s, "Steps that shorten the total when cut alone:");
        for x in c.candidates.iter().take(10) {
            let saves = days(i64::from(x.saves));
            let _ = writeln!(
                s,
                "  {} {}: saves up to {saves} (room {}, cost {} per day)",
                x.id, x.name, x.room, x.cost_per_day
            );
        }
    }
}

/// Before-and-after figures, and what `after` edges serialise.
fn reform(s: &mut String, o: &PlanReport) {
    let r = &o.reform;
    let _ = writeln!(
        s,
        "reform: {} 环节, of them {} 审批事项; {} legal working days one after another, {} on the legal \
         critical path, {} promised: the flow's time cut by {:.1}%",
        r.steps,
        o.items,
        r.legal_serial_days,
        r.legal_critical_days,
        r.promised_critical_days,
        r.speed_up * 100.0
    );
    if r.items_with_legal > 0 {
        let _ = writeln!(
            s,
            "提速率 of the promises: {:.1}%, Σ(法定 − 承诺) / Σ法定 over the {} counted steps with a legal limit",
            r.promised_speed_up * 100.0,
            r.items_with_legal
        );
    }
    if !o.relaxed_after.parallel.is_empty() {
        let pairs: Vec<String> = o.relaxed_after.parallel.iter().map(|[a, b]| format!("{a} | {b}")).collect();
        let _ = writeln!(
            s,
            "without `after` edges these would run in parallel: {}; counted critical path {}",
            pairs.join(", "),
            o.relaxed_after.total_days
        );
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;
    use shenpi_core::schedule::{Plan, PlanReport};
    use shenpi_core::{Calendar, Flow, FlowGraph};

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn display_width_is_unicode_width(s in "[a ~名审\u{3000}\u{1b}\r\n\u{300}\u{200d}\u{fe0f}\u{1f600}\u{1100}\u{1160}\u{644}\u{627}]{0,8}") {
            prop_assert_eq!(display_width(&s), s.width());
        }
    }

    /// The column widths from each column's extremes are those of measuring every cell.
    #[test]
    fn column_widths_are_the_widest_cells() {
        let flow = Flow::parse(
            "f.yaml",
            "id: f\nname: f\nbudget: 3\nstages:\n  - id: s\n    name: s\n    steps:\n      \
             - { id: a, name: 甲, dept: 住建局, promised: 9 }\n      \
             - { id: bb, name: b, promised: 120, counted: false }\n      \
             - { id: c, name: \"c\\u0007\", promised: 1 }\n",
        )
        .unwrap_or_else(|r| panic!("{}", r.render()));
        let flow = Arc::new(flow);
        let plan = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
        let cn = Calendar::cn();
        let dates = plan.dates(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), &cn).ok();
        for dates in [dates.as_ref(), None] {
            let report = PlanReport::new(&plan, dates, &cn);
            let mut want = HEAD.map(UnicodeWidthStr::width);
            let mut cell = String::new();
            for st in &report.steps {
                for (i, w) in want.iter_mut().enumerate() {
                    cell.clear();
                    step_cell(&mut cell, st, i);
                    *w = (*w).max(cell.width());
                }
            }
            assert_eq!(column_widths(&report.steps), want);
        }
    }
}
