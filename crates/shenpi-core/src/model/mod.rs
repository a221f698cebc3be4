//! The flow model: what a flow file says, validated.
//!
//! [`Flow::parse`] reads YAML (see `docs/flow-format.md`) and returns a
//! [`Flow`] only when the file has no errors, with every diagnostic it found
//! otherwise. A `Flow` is therefore always valid: ids are unique, every
//! `after` names something that exists, every `when` type-checks, and the
//! steps, with all conditions taken as true, form no cycle. Its fields are
//! private: [`Flow::edit`] makes a changed copy and validates it again.

mod check;
mod edit;
mod expr;
mod handling;
mod load;
mod mechanisms;
mod params;
mod plain;
mod read_mechanisms;
mod structure;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::diag::{Report, Source, Span};
use crate::error::Error;

pub use edit::{FlowDraft, StageDraft, StepDraft};
pub use expr::{CompareOp, Condition};
pub use handling::{DEFAULT_ACCEPTANCE_LIMIT, DEFAULT_EXTENSION, Handling, ProcedureKind, Reapplication};
pub use mechanisms::{
    BudgetGroup, CommissionedBy, Commitment, Joint, Member, Provisional, Silence, TotalRule,
};
pub use params::{ParamDecl, ParamType, Params, Value};
pub use structure::{Edge, EdgeOrigin};

/// Index of a step in [`Flow::steps`], in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct StepIdx(pub u32);

impl StepIdx {
    /// As a `usize`, for indexing.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An approval flow, validated.
#[derive(Clone, Debug, Serialize)]
pub struct Flow {
    /// Stable identifier.
    id: String,
    /// Version number, bumped when the flow changes.
    version: u32,
    /// Title.
    name: String,
    /// Built-in calendar name (`cn`) or a path relative to the flow file.
    calendar: String,
    /// Total control on counted working days (批时总控), if any.
    budget: Option<u32>,
    /// Where the budget value is written, for diagnostics about it.
    budget_span: Option<Span>,
    /// Budgets over groups of stages.
    budgets: Vec<BudgetGroup>,
    /// What the budgets are checked against.
    total: TotalRule,
    /// How deadlines are handed to departments.
    deadline_policy: DeadlinePolicy,
    /// Electronic supervision thresholds.
    alerts: Alerts,
    /// What a step without its own `on_timeout` does when its limit passes undecided.
    on_timeout: TimeoutPolicy,
    /// What a re-application counts in the total.
    reapplication: Reapplication,
    /// Largest share of its legal limit a step may promise (Weinan: 0.5), if the flow requires one.
    promise_ratio: Option<f64>,
    /// Where the promise ratio is written, for diagnostics about it.
    #[serde(skip)]
    promise_ratio_span: Option<Span>,
    /// Declared project attributes.
    params: Vec<ParamDecl>,
    /// Stages in file order.
    stages: Vec<Stage>,
    /// Every step, in file order; [`StepIdx`] indexes this.
    steps: Vec<Step>,
    /// Free text.
    description: Option<String>,
    #[serde(skip)]
    source: Arc<Source>,
    #[serde(skip)]
    index: HashMap<String, Target>,
    #[serde(skip)]
    edited: bool,
}

/// What an id in an `after` list names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "index", rename_all = "lowercase")]
pub enum Target {
    /// A step.
    Step(StepIdx),
    /// A stage, by index in [`Flow::stages`]: waiting for a stage waits for all its last steps.
    Stage(usize),
}

/// A group of steps with its own budget (阶段).
#[derive(Clone, Debug, Serialize)]
pub struct Stage {
    /// Stable identifier.
    id: String,
    /// Title, e.g. 立项用地规划许可.
    name: String,
    /// Limit on the stage's counted critical path.
    budget: Option<u32>,
    /// Where the budget value is written, for diagnostics about it.
    budget_span: Option<Span>,
    /// What the stage waits for instead of the previous stage; `None` means the previous stage.
    after: Option<Vec<Ref>>,
    /// The one window (一窗受理) that accepts the stage's ready steps together.
    window: Option<String>,
    /// The stage body: a serial list.
    body: Vec<Block>,
    /// Where the stage is defined.
    span: Span,
    /// Free text.
    description: Option<String>,
}

impl Stage {
    /// Stable identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Title, e.g. 立项用地规划许可.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Limit on the stage's counted critical path.
    pub fn budget(&self) -> Option<u32> {
        self.budget
    }

    /// Where the budget value is written, for diagnostics about it.
    pub fn budget_span(&self) -> Option<Span> {
        self.budget_span
    }

    /// What the stage waits for instead of the previous stage; `None` means the previous stage.
    pub fn after(&self) -> Option<&[Ref]> {
        self.after.as_deref()
    }

    /// The one window (一窗受理) that accepts the stage's ready steps together
    /// and delivers its decisions together, e.g. 政务服务中心.
    pub fn window(&self) -> Option<&str> {
        self.window.as_deref()
    }

    /// The stage body: a serial list.
    pub fn body(&self) -> &[Block] {
        &self.body
    }

    /// Where the stage is defined.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Free text.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

/// A reference by id to a step or stage, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ref {
    /// The id as written.
    pub id: String,
    /// Where it is written.
    pub span: Span,
}

/// A node of a stage body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Block {
    /// One step.
    Step(StepIdx),
    /// Items one after another.
    Serial(Vec<Block>),
    /// Items started together; what follows waits for all.
    Parallel(Vec<Block>),
}

/// One approval item (审批事项) or other timed piece of work.
///
/// What most steps have is held inline; what few have (a condition, the
/// reform's mechanisms, simulation models, a description) sits in one box
/// that a plain step does without, so a large flow stays small.
#[derive(Clone, Debug)]
pub struct Step {
    /// Stable identifier, unique in the file.
    id: String,
    /// Title.
    name: String,
    /// Owner departments; several means countersign (会签): all must approve.
    depts: Vec<String>,
    /// Extra steps or stages it waits for.
    after: Vec<Ref>,
    /// Its acceptance window, extension and caps on special procedures.
    handling: Handling,
    /// What few steps have; `None` when the step has none of it.
    extras: Option<Box<Extras>>,
    /// Where its `id` is written.
    span: Span,
    /// Cost of cutting one day, for the time-cost trade-off.
    cost: f64,
    /// Statutory limit (法定时限) in working days, when the law sets one.
    legal: Option<u32>,
    /// Promised limit (承诺时限) in working days; the schedule uses this. 0 is 即办.
    promised: u32,
    /// Shortest it can be cut to.
    min: u32,
    /// Index of the stage it belongs to.
    stage: u32,
    /// What sort of time this is.
    kind: StepKind,
    /// A filing (备案, `filing: true`): recorded, not licensed.
    filing: bool,
    /// Whether its days consume the budget.
    counted: bool,
    /// What happens when its deadline passes undecided.
    on_timeout: TimeoutPolicy,
    /// Who commissions an intermediary (`kind: intermediary`).
    commissioned_by: Option<CommissionedBy>,
}

/// The parts of a [`Step`] that few steps have.
#[derive(Clone, Debug, Default)]
struct Extras {
    /// The step exists only when this holds.
    when: Option<Condition>,
    /// The members of a joint step (`kind: joint`).
    joint: Option<Joint>,
    /// The intermediary's name, for status and the board.
    provider: Option<String>,
    /// Commitment approval (告知承诺制), when allowed.
    commitment: Option<Commitment>,
    /// Simulated approval (模拟审批): what the step may run ahead of.
    provisional: Option<Provisional>,
    /// Duration model for simulation; `None` is fixed at `promised`.
    duration: Option<DurationModel>,
    /// Chance and length of a 补正 request.
    supplement: Option<Delay>,
    /// Chance and length of a special procedure (hearing, expert review).
    special: Option<Delay>,
    /// Free text.
    description: Option<String>,
}

impl Extras {
    fn is_empty(&self) -> bool {
        self.when.is_none()
            && self.joint.is_none()
            && self.provider.is_none()
            && self.commitment.is_none()
            && self.provisional.is_none()
            && self.duration.is_none()
            && self.supplement.is_none()
            && self.special.is_none()
            && self.description.is_none()
    }
}

/// The parts of a step as the loader reads them, before they are packed.
struct StepParts {
    id: String,
    name: String,
    depts: Vec<String>,
    kind: StepKind,
    filing: bool,
    counted: bool,
    legal: Option<u32>,
    promised: u32,
    min: u32,
    cost: f64,
    after: Vec<Ref>,
    when: Option<Condition>,
    on_timeout: TimeoutPolicy,
    handling: Handling,
    joint: Option<Joint>,
    commissioned_by: Option<CommissionedBy>,
    provider: Option<String>,
    commitment: Option<Commitment>,
    provisional: Option<Provisional>,
    duration: Option<DurationModel>,
    supplement: Option<Delay>,
    special: Option<Delay>,
    stage: u32,
    description: Option<String>,
    span: Span,
}

impl Step {
    /// Packs the parts read, the rare ones boxed only when present.
    fn new(p: StepParts) -> Step {
        let extras = Extras {
            when: p.when,
            joint: p.joint,
            provider: p.provider,
            commitment: p.commitment,
            provisional: p.provisional,
            duration: p.duration,
            supplement: p.supplement,
            special: p.special,
            description: p.description,
        };
        Step {
            id: p.id,
            name: p.name,
            depts: p.depts,
            after: p.after,
            handling: p.handling,
            extras: (!extras.is_empty()).then(|| Box::new(extras)),
            span: p.span,
            cost: p.cost,
            legal: p.legal,
            promised: p.promised,
            min: p.min,
            stage: p.stage,
            kind: p.kind,
            filing: p.filing,
            counted: p.counted,
            on_timeout: p.on_timeout,
            commissioned_by: p.commissioned_by,
        }
    }

    /// The rare parts, to change them (a what-if edit); boxed on first use.
    fn extras_mut(&mut self) -> &mut Extras {
        self.extras.get_or_insert_with(Box::default)
    }

    fn extra<T: ?Sized>(&self, part: impl FnOnce(&Extras) -> Option<&T>) -> Option<&T> {
        self.extras.as_deref().and_then(part)
    }
}

/// The same JSON as when every part was a field of its own, in the same order.
impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Step", 25)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("name", &self.name)?;
        s.serialize_field("depts", &self.depts)?;
        s.serialize_field("kind", &self.kind)?;
        s.serialize_field("filing", &self.filing)?;
        s.serialize_field("counted", &self.counted)?;
        s.serialize_field("legal", &self.legal)?;
        s.serialize_field("promised", &self.promised)?;
        s.serialize_field("min", &self.min)?;
        s.serialize_field("cost", &self.cost)?;
        s.serialize_field("after", &self.after)?;
        s.serialize_field("when", &self.when())?;
        s.serialize_field("on_timeout", &self.on_timeout)?;
        s.serialize_field("handling", &self.handling)?;
        s.serialize_field("joint", &self.joint())?;
        s.serialize_field("commissioned_by", &self.commissioned_by)?;
        s.serialize_field("provider", &self.provider())?;
        s.serialize_field("commitment", &self.commitment())?;
        s.serialize_field("provisional", &self.provisional())?;
        s.serialize_field("duration", &self.duration())?;
        s.serialize_field("supplement", &self.supplement())?;
        s.serialize_field("special", &self.special())?;
        s.serialize_field("stage", &self.stage())?;
        s.serialize_field("description", &self.description())?;
        s.serialize_field("span", &self.span)?;
        s.end()
    }
}

impl Step {
    /// Stable identifier, unique in the file.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Title.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Owner departments; several means countersign (会签): all must approve.
    pub fn depts(&self) -> &[String] {
        &self.depts
    }

    /// What sort of time this is.
    pub fn kind(&self) -> StepKind {
        self.kind
    }

    /// Whether it is a filing (备案) rather than a licence, as the flow
    /// declares with `filing: true`: the department records the application
    /// instead of deciding on it, so a filing the engine completes on timeout
    /// (超时默认) reads 视为备案完成, not "deemed approved".
    ///
    /// ```
    /// use shenpi_core::Flow;
    ///
    /// let flow = Flow::parse("f.yaml", "
    /// id: f
    /// name: 示例
    /// stages: [{ id: s, name: 阶段, steps: [
    ///   { id: filing, name: 企业投资项目备案, dept: 发改局, promised: 1, filing: true },
    ///   { id: acceptance, name: 竣工联合验收及竣工验收备案, dept: 住建局, kind: acceptance, promised: 3 }] }]
    /// ").map_err(|r| r.render())?;
    /// assert!(flow.steps()[0].is_filing());
    /// // the title alone decides nothing: an acceptance that ends with the completion filing is an acceptance
    /// assert!(!flow.steps()[1].is_filing());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_filing(&self) -> bool {
        self.filing
    }

    /// Whether its days consume the budget.
    pub fn counted(&self) -> bool {
        self.counted
    }

    /// Statutory limit (法定时限) in working days, when the law sets one.
    pub fn legal(&self) -> Option<u32> {
        self.legal
    }

    /// Promised limit (承诺时限) in working days; the schedule uses this. 0 is 即办.
    pub fn promised(&self) -> u32 {
        self.promised
    }

    /// Shortest it can be cut to, at most `promised`.
    pub fn min(&self) -> u32 {
        self.min
    }

    /// Cost of cutting one day, for the time-cost trade-off; finite and not negative.
    pub fn cost(&self) -> f64 {
        self.cost
    }

    /// Extra steps or stages it waits for.
    pub fn after(&self) -> &[Ref] {
        &self.after
    }

    /// The step exists only when this holds.
    pub fn when(&self) -> Option<&Condition> {
        self.extra(|e| e.when.as_ref())
    }

    /// What happens when its deadline passes undecided.
    pub fn on_timeout(&self) -> TimeoutPolicy {
        self.on_timeout
    }

    /// How the department handles an application: its acceptance window
    /// (`acceptance_limit`, Art. 32), how far its legal limit may be extended
    /// (`extension`, Art. 42) and its caps on special procedures
    /// (`procedures`, Art. 45). See docs/events.md.
    ///
    /// ```
    /// use shenpi_core::Flow;
    /// use shenpi_core::model::ProcedureKind;
    ///
    /// let flow = Flow::parse("f.yaml", "
    /// id: f
    /// name: 示例
    /// acceptance_limit: 3
    /// stages: [{ id: s, name: 阶段, steps: [
    ///   { id: fire, name: 消防设计审查, promised: 15, extension: 15, procedures: { expert-review: 20 } }] }]
    /// ").map_err(|r| r.render())?;
    /// let h = flow.steps()[0].handling();
    /// assert_eq!((h.acceptance_limit(), h.extension()), (3, 15));
    /// assert_eq!(h.procedure_cap(ProcedureKind::ExpertReview), Some(20));
    /// assert_eq!(h.procedure_cap(ProcedureKind::Hearing), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handling(&self) -> &Handling {
        &self.handling
    }

    /// The members of a joint step (`kind: joint`, 联合审批); `None` for every other kind.
    pub fn joint(&self) -> Option<&Joint> {
        self.extra(|e| e.joint.as_ref())
    }

    /// Who commissions an intermediary: `Some` exactly for `kind: intermediary`
    /// (the applicant unless the file says `commissioned_by: government`).
    pub fn commissioned_by(&self) -> Option<CommissionedBy> {
        self.commissioned_by
    }

    /// The intermediary that does the work (`provider`), shown in status and on the board.
    pub fn provider(&self) -> Option<&str> {
        self.extra(|e| e.provider.as_deref())
    }

    /// Commitment approval (告知承诺制): `Some` when the step may be approved at
    /// acceptance on the applicant's pledge.
    pub fn commitment(&self) -> Option<&Commitment> {
        self.extra(|e| e.commitment.as_ref())
    }

    /// Simulated approval (模拟审批): `Some` when, in a simulated project, the
    /// step may run ahead of the prerequisites it names.
    pub fn provisional(&self) -> Option<&Provisional> {
        self.extra(|e| e.provisional.as_ref())
    }

    /// Duration model for simulation; `None` is fixed at `promised`.
    pub fn duration(&self) -> Option<&DurationModel> {
        self.extra(|e| e.duration.as_ref())
    }

    /// Chance and length of a 补正 request.
    pub fn supplement(&self) -> Option<&Delay> {
        self.extra(|e| e.supplement.as_ref())
    }

    /// Chance and length of a special procedure (hearing, expert review).
    pub fn special(&self) -> Option<&Delay> {
        self.extra(|e| e.special.as_ref())
    }

    /// Index of the stage it belongs to, in [`Flow::stages`].
    pub fn stage(&self) -> usize {
        self.stage as usize
    }

    /// Free text.
    pub fn description(&self) -> Option<&str> {
        self.extra(|e| e.description.as_deref())
    }

    /// Where its `id` is written.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The departments joined for display: `住建局+消防`.
    pub fn dept_label(&self) -> String {
        self.depts.join("+")
    }
}

/// What sort of time a step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// A government decision.
    Approval,
    /// An intermediary service (中介服务), e.g. writing the EIA report.
    Intermediary,
    /// A statutory public notice (公示).
    Notice,
    /// Expert review (专家评审).
    Review,
    /// A hearing (听证).
    Hearing,
    /// The applicant's own work (tender, construction).
    Owner,
    /// Water, power and gas hook-ups.
    Utility,
    /// Acceptance (验收).
    Acceptance,
    /// Registration (登记).
    Registration,
    /// Joint review (联合审批): member departments give opinions in parallel,
    /// the lead department (`dept`) consolidates and decides.
    Joint,
}

impl StepKind {
    /// Every kind with its name in flow files.
    pub const ALL: [(&'static str, StepKind); 10] = [
        ("approval", StepKind::Approval),
        ("intermediary", StepKind::Intermediary),
        ("notice", StepKind::Notice),
        ("review", StepKind::Review),
        ("hearing", StepKind::Hearing),
        ("owner", StepKind::Owner),
        ("utility", StepKind::Utility),
        ("acceptance", StepKind::Acceptance),
        ("registration", StepKind::Registration),
        ("joint", StepKind::Joint),
    ];

    /// Whether this kind counts against the budget unless the file says otherwise
    /// (Art. 45: notices, expert review and hearings are not counted; nor is the
    /// owner's own work, nor an intermediary the applicant hires, which is what
    /// an intermediary is unless it says `commissioned_by: government`).
    pub fn counted_by_default(self) -> bool {
        !matches!(
            self,
            StepKind::Notice
                | StepKind::Review
                | StepKind::Hearing
                | StepKind::Owner
                | StepKind::Intermediary
        )
    }

    /// Whether a department decides it on an application: approvals, joint
    /// review, acceptance and registration. Only these may use commitment
    /// approval (告知承诺制) or simulated approval (模拟审批).
    pub fn is_decision(self) -> bool {
        matches!(self, StepKind::Approval | StepKind::Joint | StepKind::Acceptance | StepKind::Registration)
    }

    /// Whether a window accepts an application for it: the decisions, and
    /// utility hook-ups (报装), which one-window centres take in too.
    pub fn takes_applications(self) -> bool {
        self.is_decision() || self == StepKind::Utility
    }

    /// Its name in flow files.
    pub fn as_str(self) -> &'static str {
        StepKind::ALL.iter().find(|(_, k)| *k == self).map_or("approval", |(n, _)| n)
    }
}

/// What happens to a step whose deadline passes undecided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeoutPolicy {
    /// Nothing: the step is overdue.
    #[default]
    None,
    /// 超时默认: it counts as approved.
    DeemApproved,
}

/// How deadlines are handed to departments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeadlinePolicy {
    /// Each step's deadline is its latest finish: all slack is left at the end.
    #[default]
    Latest,
    /// The slack of each chain is shared among its steps in proportion to their promised days.
    Proportional,
}

/// Electronic supervision thresholds (电子监察).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Alerts {
    /// Remind when this share of a step's limit is left (0.2 = 20%).
    pub reminder: f64,
    /// Yellow card this many working days before due (0: on the due date).
    pub yellow: u32,
    /// Red card this many working days after due (1: the first day overdue).
    pub red: u32,
    /// The rest of the escalation ladder (督办 and 问责), when the flow supervises.
    pub supervision: Option<Supervision>,
}

impl Default for Alerts {
    fn default() -> Alerts {
        Alerts { reminder: 0.2, yellow: 0, red: 1, supervision: None }
    }
}

/// The escalation ladder past the red card: a supervision notice (督办) to
/// each department of an approval item still undecided `supervise` working
/// days past its due date, to be answered within `answer_within` working
/// days, or the department is accountable (问责).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Supervision {
    /// Working days past due on which the notice is owed (at least 1, and at least `red`).
    pub supervise: u32,
    /// Working days the department has to answer it (at least 1).
    pub answer_within: u32,
}

/// A random duration in working days, for simulation.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DurationModel {
    /// Always the same.
    Fixed(f64),
    /// Triangular distribution.
    Triangular {
        /// Lowest.
        min: f64,
        /// Most likely.
        mode: f64,
        /// Highest.
        max: f64,
    },
    /// Beta-PERT three-point estimate.
    Pert {
        /// Optimistic.
        min: f64,
        /// Most likely.
        mode: f64,
        /// Pessimistic.
        max: f64,
    },
    /// Drawn uniformly from observed values.
    Empirical(Vec<f64>),
}

/// A chance of extra time: a 补正 request or a special procedure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delay {
    /// Probability in [0, 1].
    pub p: f64,
    /// How long it lasts when it happens.
    pub days: DurationModel,
}

impl Flow {
    /// Parses and validates a flow from YAML text; `name` is used in diagnostics.
    ///
    /// Returns every problem found, not only the first.
    pub fn parse(name: &str, text: &str) -> Result<Flow, Report> {
        load::load(Source::new(name, text))
    }

    /// Parses a flow from raw bytes: text that is not UTF-8 is a diagnostic, not an I/O error.
    pub fn parse_bytes(name: &str, bytes: &[u8]) -> Result<Flow, Report> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Flow::parse(name, text),
            Err(e) => {
                let good = e.valid_up_to();
                let text = String::from_utf8_lossy(bytes).into_owned();
                let d =
                    crate::diag::Diagnostic::error(crate::diag::Code::Syntax, "the file is not UTF-8 text")
                        .at(Span::new(good, good), "the first invalid byte is here")
                        .help("save the file as UTF-8");
                Err(Report::new(Source::new(name, text), vec![d]))
            }
        }
    }

    /// Parses a flow from raw bytes it takes over, as [`Flow::parse_bytes`]
    /// does, without copying them: the flow's source text is these bytes
    /// when they are UTF-8, so a large file is not held twice.
    ///
    /// ```
    /// use shenpi_core::Flow;
    ///
    /// let bytes = b"id: f\nname: f\nstages: [{ id: s, name: s, steps: [{ id: a, name: a, promised: 1 }] }]\n";
    /// let flow = Flow::from_bytes("f.yaml", bytes.to_vec()).map_err(|r| r.render())?;
    /// assert_eq!(flow.source().text().len(), bytes.len());
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Flow, Report> {
        match String::from_utf8(bytes) {
            Ok(text) => load::load(Source::new(name, text)),
            Err(e) => Flow::parse_bytes(name, e.as_bytes()),
        }
    }

    /// Reads and validates a flow file.
    ///
    /// The file must be a regular file of at most
    /// [`MAX_FILE_BYTES`](crate::limits::MAX_FILE_BYTES); see [`crate::limits`].
    pub fn load(path: impl AsRef<Path>) -> Result<Flow, Error> {
        let path = path.as_ref();
        let bytes = crate::limits::read_file(path).map_err(|e| Error::io(path, e))?;
        Flow::from_bytes(&path.display().to_string(), bytes).map_err(Error::invalid)
    }

    /// Stable identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Version number, bumped when the flow changes.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Title.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Built-in calendar name (`cn`) or a path relative to the flow file.
    pub fn calendar(&self) -> &str {
        &self.calendar
    }

    /// Total control on counted working days (批时总控), if any.
    pub fn budget(&self) -> Option<u32> {
        self.budget
    }

    /// Budgets over groups of stages, in file order.
    pub fn budgets(&self) -> &[BudgetGroup] {
        &self.budgets
    }

    /// What the budget and the group budgets are checked against: the
    /// critical path (default) or the sum of the stages' own critical paths.
    pub fn total(&self) -> TotalRule {
        self.total
    }

    /// Where the budget value is written, for diagnostics about it.
    pub fn budget_span(&self) -> Option<Span> {
        self.budget_span
    }

    /// How deadlines are handed to departments.
    pub fn deadline_policy(&self) -> DeadlinePolicy {
        self.deadline_policy
    }

    /// Electronic supervision thresholds.
    pub fn alerts(&self) -> Alerts {
        self.alerts
    }

    /// What a step without its own `on_timeout` does when its limit passes
    /// undecided: the flow's `on_timeout` (Huaibei's 超时默认 for every item),
    /// `none` when the file does not say. Each step's own policy is
    /// [`Step::on_timeout`], with this default already applied.
    pub fn on_timeout(&self) -> TimeoutPolicy {
        self.on_timeout
    }

    /// What the total counts when an application ends without approval and
    /// the applicant applies again (`reapplication`): every attempt's
    /// government time (`count-all`, the default) or the latest one's.
    pub fn reapplication(&self) -> Reapplication {
        self.reapplication
    }

    /// The largest share of its legal limit any step may promise, when the
    /// flow requires one (`promise_ratio: 0.5`: every limit at most half the
    /// legal one, as Weinan's 101 items).
    pub fn promise_ratio(&self) -> Option<f64> {
        self.promise_ratio
    }

    /// Declared project attributes, in file order.
    pub fn params(&self) -> &[ParamDecl] {
        &self.params
    }

    /// Stages in file order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// Every step, in file order; [`StepIdx`] indexes this.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Free text.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The source text the flow was read from (for content hashes and diagnostics).
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<(StepIdx, &Step)> {
        match self.index.get(id)? {
            Target::Step(i) => Some((*i, &self.steps[i.index()])),
            Target::Stage(_) => None,
        }
    }

    /// What an id names: a step or a stage.
    pub fn target(&self, id: &str) -> Option<Target> {
        self.index.get(id).copied()
    }

    /// The step at an index.
    ///
    /// # Panics
    /// When `i` does not come from this flow.
    pub fn step_at(&self, i: StepIdx) -> &Step {
        &self.steps[i.index()]
    }

    /// Every edge the file implies, with all `when` conditions taken as true.
    pub fn edges(&self) -> Vec<Edge> {
        structure::edges(&self.stages, &self.steps, &|id| self.target(id))
    }

    /// The declared param with this name.
    pub fn param(&self, name: &str) -> Option<&ParamDecl> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Binds `K=V` pairs (as typed on a command line) to the declared params,
    /// filling in defaults.
    pub fn bind<'a>(&self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Params, Error> {
        Params::bind(&self.params, pairs)
    }

    /// The params with every default.
    pub fn defaults(&self) -> Params {
        Params::defaults(&self.params)
    }
}
