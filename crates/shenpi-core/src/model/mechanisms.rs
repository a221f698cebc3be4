//! The reform's mechanisms as a flow declares them: joint review (联合审批),
//! intermediaries (中介服务), budgets over groups of stages, the counting rule
//! (统计口径), commitment approval (告知承诺制) and simulated approval (模拟审批).
//!
//! `docs/flow-format.md` gives each its section and source; the loader
//! (`load.rs`) reads them and [`super::check`] holds the rules that a
//! what-if edit must keep too.

use serde::Serialize;

use super::{DurationModel, Ref};
use crate::diag::Span;

/// One department's part in a joint step (`kind: joint`, 联合审批): it gives
/// its opinion within its own promised days, while the lead department
/// (the step's `dept`) consolidates and decides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Member {
    pub(super) dept: String,
    pub(super) promised: u32,
    pub(super) duration: Option<DurationModel>,
    pub(super) span: Span,
    pub(super) promised_span: Span,
}

impl Member {
    /// The member department.
    pub fn dept(&self) -> &str {
        &self.dept
    }

    /// Working days it has for its opinion, from the step's acceptance; at most the step's promised days.
    pub fn promised(&self) -> u32 {
        self.promised
    }

    /// Duration model of its opinion for simulation; `None` is fixed at `promised`.
    pub fn duration(&self) -> Option<&DurationModel> {
        self.duration.as_ref()
    }

    /// Where its `dept` is written.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Where its `promised` is written.
    pub fn promised_span(&self) -> Span {
        self.promised_span
    }
}

/// What a member's silence past its promised days means (超时视为同意).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Silence {
    /// A member silent past its limit is deemed to agree (`deemed-agreed`).
    #[default]
    Agree,
    /// The lead waits for every opinion.
    Block,
}

impl Silence {
    /// Its name in flow files.
    pub fn as_str(self) -> &'static str {
        match self {
            Silence::Agree => "agree",
            Silence::Block => "block",
        }
    }
}

/// The members of a joint step and what their silence means.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Joint {
    pub(super) members: Vec<Member>,
    pub(super) silence: Silence,
}

impl Joint {
    /// The member departments, in file order; their departments are distinct.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// What a member's silence past its limit means.
    pub fn silence(&self) -> Silence {
        self.silence
    }

    /// The member of this department, with its index in [`Joint::members`].
    pub fn member(&self, dept: &str) -> Option<(usize, &Member)> {
        self.members.iter().enumerate().find(|(_, m)| m.dept == dept)
    }

    /// The longest member limit: when the last opinion is due, counted from acceptance.
    pub fn longest(&self) -> u32 {
        self.members.iter().map(|m| m.promised).max().unwrap_or(0)
    }
}

/// Who commissions an intermediary service (`commissioned_by`): Zhejiang's
/// rule counts the service in the total only when the government does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommissionedBy {
    /// Commissioned and paid by the government: counted in the total.
    Government,
    /// Hired by the applicant (the default): not counted.
    #[default]
    Applicant,
}

impl CommissionedBy {
    /// Every value with its name in flow files.
    pub const ALL: [(&'static str, CommissionedBy); 2] =
        [("government", CommissionedBy::Government), ("applicant", CommissionedBy::Applicant)];

    /// Its name in flow files.
    pub fn as_str(self) -> &'static str {
        match self {
            CommissionedBy::Government => "government",
            CommissionedBy::Applicant => "applicant",
        }
    }
}

/// Commitment approval (告知承诺制): the step may be approved at acceptance on
/// the applicant's written pledge, then verified within `verify_within` working days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Commitment {
    pub(super) verify_within: u32,
}

impl Commitment {
    /// Working days after a pledge-based approval within which the department
    /// verifies the pledge (`verified` or `commitment-breached`); at least 1.
    pub fn verify_within(&self) -> u32 {
        self.verify_within
    }
}

/// Simulated approval (模拟审批): in a project run in simulated mode the step
/// may be accepted before the steps in `before` are decided, and its result
/// stays provisional until confirmed within `confirm_within` working days
/// after the last of them is decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provisional {
    pub(super) before: Vec<Ref>,
    pub(super) confirm_within: u32,
}

impl Provisional {
    /// The prerequisites it may run ahead of, as written; each is a step it waits for.
    pub fn before(&self) -> &[Ref] {
        &self.before
    }

    /// Working days after the last of `before` is decided within which the
    /// provisional result must be `confirmed` (or `revoked`).
    pub fn confirm_within(&self) -> u32 {
        self.confirm_within
    }

    /// Whether the step may run ahead of the step with this id.
    pub fn is_before(&self, id: &str) -> bool {
        self.before.iter().any(|r| r.id == id)
    }
}

/// A budget over a group of stages (Zhejiang: stages 1–3 together ≤ 60
/// working days, acceptance ≤ 30), which per-stage budgets cannot say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetGroup {
    pub(super) name: String,
    pub(super) stages: Vec<usize>,
    pub(super) days: u32,
    pub(super) span: Span,
}

impl BudgetGroup {
    /// Its name, unique among the flow's groups (shown in plans and alerts).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its stages, as indices in [`Flow::stages`](super::Flow::stages), in the order written; distinct.
    pub fn stages(&self) -> &[usize] {
        &self.stages
    }

    /// Its limit on counted working days.
    pub fn days(&self) -> u32 {
        self.days
    }

    /// Where `days` is written, for diagnostics about it.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Whether the stage at this index belongs to the group.
    pub fn contains(&self, stage: usize) -> bool {
        self.stages.contains(&stage)
    }
}

/// What a budget is checked against (统计口径): provinces report either.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TotalRule {
    /// The counted critical path of the whole flow (or group): the default.
    #[default]
    CriticalPath,
    /// The sum of each stage's own counted critical path.
    StageSum,
}

impl TotalRule {
    /// Every value with its name in flow files.
    pub const ALL: [(&'static str, TotalRule); 2] =
        [("critical-path", TotalRule::CriticalPath), ("stage-sum", TotalRule::StageSum)];

    /// Its name in flow files.
    pub fn as_str(self) -> &'static str {
        match self {
            TotalRule::CriticalPath => "critical-path",
            TotalRule::StageSum => "stage-sum",
        }
    }
}
