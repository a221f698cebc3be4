//! `shenpi plan FLOW`: critical path, deadlines and budget check of one flow.
//!
//! Without `--start` the plan starts today in the calendar's zone (Beijing
//! time for `cn`), whatever the machine's zone. Exit codes: 0 the
//! plan was made (an over-budget flow is a result, not an error), 1 the flow
//! or its calendar is invalid or a date falls outside the calendar, 2 usage
//! or I/O error.

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::NaiveDate;
use serde::Serialize;
use shenpi_core::model::{DeadlinePolicy, TotalRule};
use shenpi_core::schedule::{Plan, PlanDates, Reform, Relaxation};
use shenpi_core::{Calendar, Error, Flow, Node};
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
    let relaxed = plan.relaxed_after();
    let mut out = Output::new(&plan, dates.as_ref(), &relaxed, &calendar);
    if let Some(first) = dates.as_ref().and_then(|d| d.first_provisional(&calendar)) {
        out.provisional = true;
        out.first_provisional_date = Some(first.to_string());
        out.note = calendar.provisional_note();
    }
    Ok(match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&out).map_err(io::Error::other)?;
            s.push('\n');
            s
        }
        Format::Table => table(&out),
    })
}

/// The JSON contract of `shenpi plan --format json` (see DESIGN.md).
#[derive(Serialize)]
struct Output<'a> {
    flow: &'a str,
    name: &'a str,
    calendar: &'a str,
    policy: &'static str,
    budget: Option<u32>,
    /// What the budget is checked against: `critical-path` or `stage-sum`.
    total: TotalRule,
    total_days: u32,
    /// The sum of the stages' own counted critical paths.
    stage_sum_days: u32,
    elapsed_days: u32,
    feasible: bool,
    slack: Option<i64>,
    start_date: Option<String>,
    finish_date: Option<String>,
    /// Natural (calendar) days from the start to the finish, both included:
    /// the project's whole duration as officials state it.
    natural_days: Option<i64>,
    /// Steps that are approval items (审批事项): decisions, joint review,
    /// acceptance, registration; the rest are 环节 only (owner's work,
    /// intermediaries, notices, hook-ups).
    items: usize,
    /// Whether some date depends on a year not yet published.
    provisional: bool,
    /// The earliest such date.
    first_provisional_date: Option<String>,
    /// What the table says about them.
    #[serde(skip)]
    note: Option<String>,
    critical_path: Vec<&'a str>,
    /// `normal` or `simulated` (模拟审批).
    mode: &'static str,
    /// Whether steps that allow it are approved on the applicant's pledge (告知承诺制).
    commitment: bool,
    /// What `mode` and `commitment` save against a plan without them; absent without them.
    #[serde(skip_serializing_if = "Option::is_none")]
    gain: Option<GainOut>,
    stages: Vec<StageOut<'a>>,
    groups: Vec<GroupOut<'a>>,
    cuts: Option<CutsOut<'a>>,
    reform: Reform,
    relaxed_after: RelaxedOut<'a>,
    steps: Vec<StepOut<'a>>,
}

#[derive(Serialize)]
struct StageOut<'a> {
    id: &'a str,
    name: &'a str,
    budget: Option<u32>,
    total_days: u32,
    feasible: bool,
    slack: Option<i64>,
    chain: Vec<&'a str>,
}

#[derive(Serialize)]
struct GainOut {
    baseline_total_days: u32,
    baseline_elapsed_days: u32,
    total_days_saved: i64,
    elapsed_days_saved: i64,
}

#[derive(Serialize)]
struct MemberOut<'a> {
    dept: &'a str,
    promised: u32,
    /// Elapsed-clock offset of its opinion's due day: the step's start plus its promised days.
    due: u32,
    due_date: Option<String>,
}

#[derive(Serialize)]
struct GroupOut<'a> {
    name: &'a str,
    stages: Vec<&'a str>,
    days: u32,
    /// What `days` is checked against under the flow's `total`.
    total_days: u32,
    critical_path_days: u32,
    stage_sum_days: u32,
    feasible: bool,
    slack: i64,
    chain: Vec<&'a str>,
}

#[derive(Serialize)]
struct CutsOut<'a> {
    /// Days the flow is over budget.
    over_by: i64,
    /// Steps that shorten the total when cut alone, best first.
    candidates: Vec<CandidateOut<'a>>,
    /// Cuts that together reach the budget.
    plan: Vec<CutOut<'a>>,
    total_days_after: u32,
    cost: f64,
    reaches_budget: bool,
}

#[derive(Serialize)]
struct CandidateOut<'a> {
    id: &'a str,
    name: &'a str,
    room: u32,
    saves: u32,
    cost_per_day: f64,
}

#[derive(Serialize)]
struct CutOut<'a> {
    id: &'a str,
    name: &'a str,
    days: u32,
    cost: f64,
}

#[derive(Serialize)]
struct RelaxedOut<'a> {
    parallel: Vec<[&'a str; 2]>,
    total_days: u32,
    elapsed_days: u32,
}

#[derive(Serialize)]
struct StepOut<'a> {
    id: &'a str,
    name: &'a str,
    dept: String,
    stage: &'a str,
    counted: bool,
    promised: u32,
    es: u32,
    ef: u32,
    ls: i64,
    lf: i64,
    total_float: i64,
    free_float: i64,
    critical: bool,
    deadline: i64,
    start_date: Option<String>,
    due_date: Option<String>,
    /// Who the intermediary is (`provider`), for intermediaries that name one.
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
    /// Approved at acceptance on the applicant's pledge (with `--commitment`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pledged: bool,
    /// A joint step's members, each with its opinion's due day.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    members: Vec<MemberOut<'a>>,
}

impl<'a> Output<'a> {
    fn new(
        plan: &'a Plan,
        dates: Option<&PlanDates>,
        relaxed: &Relaxation,
        calendar: &'a Calendar,
    ) -> Output<'a> {
        let g = plan.graph();
        let flow: &'a Flow = plan.flow();
        let id = |v: Node| g.step(v).id();
        let stages = plan
            .stages()
            .iter()
            .map(|s| StageOut {
                id: flow.stages()[s.stage].id(),
                name: flow.stages()[s.stage].name(),
                budget: s.budget,
                total_days: s.total_days,
                feasible: s.is_feasible(),
                slack: s.slack(),
                chain: plan.chain_ids(&s.chain),
            })
            .collect();
        let groups = plan
            .groups()
            .iter()
            .map(|t| {
                let g = &flow.budgets()[t.group];
                GroupOut {
                    name: g.name(),
                    stages: g.stages().iter().map(|&k| flow.stages()[k].id()).collect(),
                    days: t.days,
                    total_days: t.total_days,
                    critical_path_days: t.critical_path_days,
                    stage_sum_days: t.stage_sum_days,
                    feasible: t.is_feasible(),
                    slack: t.slack(),
                    chain: plan.chain_ids(&t.chain),
                }
            })
            .collect();
        let cuts = plan.cuts().map(|c| CutsOut {
            over_by: -plan.slack().unwrap_or(0),
            candidates: c
                .candidates
                .iter()
                .map(|x| CandidateOut {
                    id: id(x.node),
                    name: g.step(x.node).name(),
                    room: x.room,
                    saves: x.saves,
                    cost_per_day: x.cost_per_day,
                })
                .collect(),
            plan: c
                .plan
                .cuts
                .iter()
                .map(|x| CutOut { id: id(x.node), name: g.step(x.node).name(), days: x.days, cost: x.cost })
                .collect(),
            total_days_after: c.plan.total_days,
            cost: c.plan.cost,
            reaches_budget: c.plan.reaches_budget,
        });
        let steps = plan
            .steps()
            .map(|s| {
                let step = g.step(s.node);
                let start = dates.map(|d| d.step_start[s.node.index()]);
                let members = step
                    .joint()
                    .map(|j| j.members())
                    .unwrap_or_default()
                    .iter()
                    .map(|m| MemberOut {
                        dept: m.dept(),
                        promised: m.promised(),
                        due: s.es.saturating_add(m.promised()),
                        due_date: start
                            .and_then(|d| calendar.add_working_days(d, m.promised()).ok())
                            .map(|d| d.to_string()),
                    })
                    .collect();
                StepOut {
                    id: step.id(),
                    name: step.name(),
                    dept: step.dept_label(),
                    stage: flow.stages()[step.stage()].id(),
                    counted: step.counted(),
                    promised: g.promised()[s.node.index()],
                    es: s.es,
                    ef: s.ef,
                    ls: s.ls,
                    lf: s.lf,
                    total_float: s.total_float,
                    free_float: s.free_float,
                    critical: s.critical,
                    deadline: s.deadline,
                    start_date: dates.map(|d| d.step_start[s.node.index()].to_string()),
                    due_date: dates.and_then(|d| d.due[s.node.index()]).map(|d| d.to_string()),
                    provider: step.provider(),
                    pledged: g.is_pledged(s.node),
                    members,
                }
            })
            .collect();
        Output {
            flow: flow.id(),
            name: flow.name(),
            calendar: calendar.id(),
            policy: match plan.policy() {
                DeadlinePolicy::Latest => "latest",
                DeadlinePolicy::Proportional => "proportional",
            },
            budget: plan.budget(),
            total: flow.total(),
            total_days: plan.total_days(),
            stage_sum_days: plan.stage_sum_days(),
            elapsed_days: plan.elapsed_days(),
            feasible: plan.is_feasible(),
            slack: plan.slack(),
            start_date: dates.map(|d| d.start.to_string()),
            finish_date: dates.map(|d| d.finish.to_string()),
            natural_days: dates.map(|d| (d.finish - d.start).num_days() + 1),
            items: g.nodes().filter(|&v| g.step(v).kind().is_decision()).count(),
            provisional: false,
            first_provisional_date: None,
            note: None,
            critical_path: plan.chain_ids(plan.critical_path()),
            mode: g.options().mode.as_str(),
            commitment: g.options().commitment,
            gain: plan.gain().map(|x| GainOut {
                baseline_total_days: x.baseline_total_days,
                baseline_elapsed_days: x.baseline_elapsed_days,
                total_days_saved: x.total_days_saved,
                elapsed_days_saved: x.elapsed_days_saved,
            }),
            stages,
            groups,
            cuts,
            reform: plan.reform(),
            relaxed_after: RelaxedOut {
                parallel: relaxed.parallel.iter().map(|&(a, b)| [id(a), id(b)]).collect(),
                total_days: relaxed.total_days,
                elapsed_days: relaxed.elapsed_days,
            },
            steps,
        }
    }
}

/// Pads `s` to `width` display columns (CJK characters take two).
fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(s.width()));
    if right { format!("{fill}{s}") } else { format!("{s}{fill}") }
}

fn days(n: i64) -> String {
    format!("{n} working day{}", if n.abs() == 1 { "" } else { "s" })
}

/// The plan for a person: a summary, the step table, the stages, what to
/// cut when over budget, and the reform figures.
fn table(o: &Output<'_>) -> String {
    let mut s = String::new();
    summary(&mut s, o);
    s.push('\n');
    step_table(&mut s, o);
    s.push('\n');
    stages(&mut s, o);
    if let Some(c) = &o.cuts {
        s.push('\n');
        cuts(&mut s, c);
    }
    s.push('\n');
    reform(&mut s, o);
    // Names come from the file: a control character in one must not reach the terminal.
    s.lines().map(|line| common::printable(line) + "\n").collect()
}

/// Title, start and policy, the budget check, the finish and the critical path.
fn summary(s: &mut String, o: &Output<'_>) {
    let _ = writeln!(s, "{} ({})", o.name, o.flow);
    let start = o.start_date.as_deref().unwrap_or("(no dates)");
    let _ = writeln!(s, "start {start} (calendar {}), deadlines by the {} policy", o.calendar, o.policy);
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
    if let Some(note) = &o.note {
        let _ = writeln!(s, "note: {note}");
    }
    let _ = writeln!(s, "critical path: {}", o.critical_path.join(" -> "));
    if let Some(g) = &o.gain {
        let what = match (o.mode, o.commitment) {
            ("simulated", true) => "simulated approval and commitment",
            ("simulated", false) => "simulated approval",
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

/// One row per step, columns padded by display width, numbers to the right.
fn step_table(s: &mut String, o: &Output<'_>) {
    let head = ["", "id", "name", "dept", "days", "es", "ef", "deadline", "float", "start", "due"];
    let rows: Vec<[String; 11]> = o.steps.iter().map(step_cells).collect();
    let mut widths: Vec<usize> = head.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let numeric = |i: usize| (4..=8).contains(&i);
    let render = |cells: &[String]| {
        let parts: Vec<String> =
            cells.iter().enumerate().map(|(i, c)| pad(c, widths[i], numeric(i))).collect();
        parts.join("  ").trim_end().to_string()
    };
    let _ = writeln!(s, "{}", render(&head.map(String::from)));
    for r in &rows {
        let _ = writeln!(s, "{}", render(r));
    }
    let _ = writeln!(
        s,
        "(* critical; (n) days not counted against the budget; es, ef, deadline: working days from the start \
         on the elapsed clock, uncounted time included; deadline = latest finish or policy share; float: \
         counted working days it may slip with the budget still met; start, due: calendar dates)"
    );
}

fn step_cells(st: &StepOut<'_>) -> [String; 11] {
    [
        if st.critical { "*" } else { "" }.to_string(),
        st.id.to_string(),
        common::printable(st.name).into_owned(),
        common::printable(&st.dept).into_owned(),
        if st.counted { st.promised.to_string() } else { format!("({})", st.promised) },
        st.es.to_string(),
        st.ef.to_string(),
        st.deadline.to_string(),
        st.total_float.to_string(),
        st.start_date.clone().unwrap_or_else(|| "-".to_string()),
        st.due_date.clone().unwrap_or_else(|| "-".to_string()),
    ]
}

/// Each stage against its budget, with the chain that breaks it.
fn stages(s: &mut String, o: &Output<'_>) {
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
fn cuts(s: &mut String, c: &CutsOut<'_>) {
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
fn reform(s: &mut String, o: &Output<'_>) {
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
