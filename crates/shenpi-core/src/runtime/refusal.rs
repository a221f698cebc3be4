//! Why an event was refused: a typed reason callers branch on, worded once for people.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::event::EventKind;
use super::state::StepState;

/// An event the project refused, and why. Nothing was written.
///
/// Callers branch on [`Refusal::reason`]; [`fmt::Display`] words it for a person:
/// "cannot record `approved` for step `permit`: the step is ready; `approved` needs it accepted".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The step the event was for, as given.
    pub step: String,
    /// The event's kind.
    pub event: EventKind,
    /// Why it was refused.
    pub reason: RefusalReason,
}

/// Why an event was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RefusalReason {
    /// No step has this id; `suggestion` is the nearest id.
    UnknownStep {
        /// The nearest step id, if one is close.
        suggestion: Option<String>,
        /// The flow's id.
        flow: String,
    },
    /// The step exists in the flow but its `when` condition left it out of this project.
    NotInProject {
        /// The condition, as written.
        condition: Option<String>,
    },
    /// The event is dated before the project started.
    BeforeStart {
        /// The event's date.
        date: NaiveDate,
        /// The project's start.
        start: NaiveDate,
    },
    /// The event is dated after today: nothing is recorded ahead of time.
    InFuture {
        /// The event's date.
        date: NaiveDate,
        /// Today, as the caller gave it.
        today: NaiveDate,
    },
    /// Entered late, the event would make an event already recorded impossible.
    Contradicts {
        /// The recorded event's sequence number.
        seq: u64,
        /// Its step.
        step: String,
        /// Its kind.
        kind: EventKind,
        /// Its date.
        date: NaiveDate,
        /// Why it would no longer hold.
        why: Box<RefusalReason>,
    },
    /// The event is dated before the step's latest event: a step's history never goes back.
    BeforeLastEvent {
        /// The event's date.
        date: NaiveDate,
        /// The step's latest event.
        last: NaiveDate,
    },
    /// The event is dated before the day the step's prerequisites were done.
    BeforePrerequisites {
        /// The event's date.
        date: NaiveDate,
        /// The day the last prerequisite was done.
        done: NaiveDate,
    },
    /// The step is in a state the event does not apply to.
    WrongState {
        /// Where the step stands.
        state: StepState,
        /// What the event needs.
        needs: Needs,
    },
    /// Steps it waits for are not done.
    WaitingFor {
        /// Their ids, in topological order.
        steps: Vec<String>,
        /// The step may be approved ahead of them (`provisional-approved`) instead.
        provisional: bool,
        /// The event was an acceptance: only a provisional step may be accepted ahead.
        acceptance: bool,
    },
    /// The material owed under 容缺 has not arrived yet.
    MaterialOwed,
    /// The material owed under 容缺 arrived after its deadline.
    MaterialLate {
        /// The day it had to arrive by.
        due: NaiveDate,
    },
    /// The flow does not allow 模拟审批 for the step.
    NotProvisional,
    /// Its prerequisites are done: the provisional path does not apply.
    PrerequisitesDone,
    /// None of its prerequisites failed, so a provisional approval stands.
    NoFailedPrerequisite,
    /// The flow does not deem the step approved on timeout.
    NotDeemedOnTimeout,
    /// The step's limit has not run out.
    LimitNotPassed {
        /// The last day of the limit.
        due: NaiveDate,
        /// The event's date.
        date: NaiveDate,
    },
    /// An engine event that is not owed where it stands (its reason is gone).
    NotOwed {
        /// The step's due date, if accepted.
        due: Option<NaiveDate>,
    },
    /// A deemed acceptance takes effect from the day of receipt, and must be dated it.
    NotOnReceipt {
        /// The day of receipt.
        received: NaiveDate,
    },
    /// A deemed acceptance recorded while the acceptance window is still open.
    AcceptanceWindowOpen {
        /// The window's last day.
        due: NaiveDate,
        /// Today, as the caller gave it.
        today: NaiveDate,
    },
    /// The event needs a detail it does not carry.
    MissingDetail {
        /// Which one.
        detail: Detail,
    },
    /// The extensions of one attempt would exceed what the step allows (Art. 42).
    ExtensionTooLong {
        /// The working days asked for.
        days: u32,
        /// The working days already granted in this attempt.
        before: u32,
        /// The most the step allows (`extension`, 10 by default).
        max: u32,
    },
    /// An idempotency key was already used for a different event.
    KeyReused {
        /// The key.
        key: String,
        /// The project.
        project: String,
        /// The event recorded under it.
        seq: u64,
        /// That event's step.
        recorded_step: String,
        /// That event's kind.
        recorded_kind: EventKind,
        /// That event's date.
        recorded_date: NaiveDate,
        /// The date of the event refused.
        date: NaiveDate,
    },
    /// One append carries the same idempotency key twice.
    KeyRepeated {
        /// The key.
        key: String,
    },
    /// An `opinion` for a step that is not a joint review (`kind: joint`).
    NotJoint,
    /// The department is not a member of the joint step.
    NotAMember {
        /// The department named.
        dept: String,
        /// The step's members.
        members: Vec<String>,
    },
    /// The member already gave its opinion (or was deemed to agree) in this application.
    OpinionGiven {
        /// The member.
        dept: String,
        /// The day of that opinion.
        date: NaiveDate,
    },
    /// The step says `silence: block`: a silent member is never deemed to agree.
    SilenceBlocks,
    /// The lead of a joint step decides only once every member has an opinion, given or deemed.
    OpinionsPending {
        /// The members still silent, in the flow's order.
        depts: Vec<String>,
    },
    /// `approved --commitment` on a step whose flow has no `commitment`.
    NoCommitment,
    /// An approval on a pledge is given at acceptance, and must be dated that day.
    NotAtAcceptance {
        /// The day of acceptance.
        accepted: NaiveDate,
    },
    /// `verified` or `commitment-breached` on a step not approved on a pledge.
    NoPledge,
    /// The pledge was already verified or found broken.
    PledgeChecked {
        /// The day it was.
        date: NaiveDate,
    },
    /// `revoked` on an approval whose pledge was not found broken.
    NotBreached,
    /// Simulated approval in a project not run in simulated mode (`project new --mode simulated`).
    NotSimulated,
    /// An event about the whole project (`agent-assigned`, `mode-set`) names a step, or one about a step names none.
    ProjectLevel {
        /// The event is about the whole project.
        project_level: bool,
    },
    /// `mode-set` after a step's first event: the mode is chosen when the project starts.
    ModeAfterStart,
    /// A stage event (`stage:ID`) on a stage that names no `window`, or of a kind a window does not record.
    NoWindow,
    /// The stage's window has no step to accept on that date.
    NothingReady,
    /// `supervised` on a flow without an escalation ladder (`alerts: { supervise: … }`).
    NoSupervision,
    /// The department is not one of the step's.
    NotADept {
        /// The department named.
        dept: String,
        /// The step's departments.
        depts: Vec<String>,
    },
    /// The department already has a supervision notice about the step in this application.
    NoticeGiven {
        /// The department.
        dept: String,
        /// The day of that notice.
        date: NaiveDate,
    },
    /// The step is not yet `supervise` working days past due.
    NotSupervisedYet {
        /// The first day a notice is owed, once accepted.
        day: Option<NaiveDate>,
        /// The event's date.
        date: NaiveDate,
    },
    /// `answered` from a department without an open supervision notice about the step.
    NoNotice {
        /// The department named.
        dept: String,
    },
}

/// A detail an event needs, for [`RefusalReason::MissingDetail`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Detail {
    /// Why (`not-accepted`, `terminated`).
    Reason,
    /// A number of working days, at least 1 (`extended`).
    Days,
    /// Who approved it (`extended`: the head of the department).
    By,
    /// The member department (`opinion`).
    Dept,
    /// The verdict (`opinion`).
    Verdict,
    /// The agent (`agent-assigned`).
    Agent,
    /// The mode (`mode-set`).
    Mode,
    /// The kind of special procedure (`procedure-started`).
    Kind,
    /// The working days to answer a supervision notice, at least 1 (`supervised`).
    AnswerWithin,
}

impl Detail {
    /// Which details an event of `kind` needs.
    pub fn required(kind: EventKind) -> &'static [Detail] {
        match kind {
            EventKind::NotAccepted | EventKind::Terminated => &[Detail::Reason],
            EventKind::Extended => &[Detail::Days, Detail::By],
            EventKind::ProcedureStarted => &[Detail::Kind],
            EventKind::Opinion => &[Detail::Dept, Detail::Verdict],
            EventKind::DeemedAgreed | EventKind::Answered => &[Detail::Dept],
            EventKind::Supervised => &[Detail::Dept, Detail::AnswerWithin],
            EventKind::AgentAssigned => &[Detail::Agent],
            EventKind::ModeSet => &[Detail::Mode],
            _ => &[],
        }
    }

    /// How a message words it.
    pub fn as_str(self) -> &'static str {
        match self {
            Detail::Reason => "a reason",
            Detail::Days => "a number of working days (at least 1)",
            Detail::By => "who approved it",
            Detail::Dept => "the department (`--dept`)",
            Detail::AnswerWithin => "the working days to answer, at least 1 (`--answer-within`)",
            Detail::Verdict => "a verdict: agree, disagree or conditions (`--verdict`)",
            Detail::Agent => "the agent's name (`--agent`)",
            Detail::Mode => "a mode: normal or simulated (`--mode`)",
            Detail::Kind => {
                "the kind of special procedure (hearing, tender, inspection, expert-review, public-notice or site-survey)"
            }
        }
    }
}

/// What an event needs of a step's state, for [`RefusalReason::WrongState`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Needs {
    /// Ready to file: ready, returned, or ended without approval (a new attempt).
    ReadyToFile,
    /// Received, or ready to file.
    ReceivedOrReadyToFile,
    /// Received and not yet accepted.
    Received,
    /// Received and not yet accepted, or accepted with its clock running.
    ReceivedOrRunning,
    /// Received or accepted, and not yet decided.
    Filed,
    /// Accepted, its clock running (not paused).
    Running,
    /// Paused for 补正, or accepted with 容缺 material owed.
    SupplementOwed,
    /// In a special procedure.
    InProcedure,
    /// Accepted.
    Accepted,
    /// Accepted or paused.
    AcceptedOrPaused,
    /// Not yet decided.
    Undecided,
    /// Provisionally approved (模拟审批).
    ProvisionallyApproved,
    /// Provisionally approved (模拟审批), or approved on a pledge found broken (告知承诺制).
    ProvisionallyApprovedOrBreached,
    /// Approved on the applicant's pledge (告知承诺制).
    Pledged,
    /// About the whole project, not a step.
    Project,
    /// Sent a supervision notice (督办) not yet answered.
    Supervised,
}

impl Needs {
    /// How the message words it, after "needs it".
    pub fn as_str(self) -> &'static str {
        match self {
            Needs::ReadyToFile => "ready, returned, or ended without approval (a new application)",
            Needs::ReceivedOrReadyToFile => {
                "received, or ready, returned or ended without approval (a new application)"
            }
            Needs::Received => "received and not yet accepted",
            Needs::ReceivedOrRunning => "received, or accepted with its clock running",
            Needs::Filed => "received or accepted, and not yet decided",
            Needs::Running => "accepted with its clock running",
            Needs::SupplementOwed => "paused for 补正 or accepted with material owed",
            Needs::InProcedure => "in a special procedure",
            Needs::Accepted => "accepted",
            Needs::AcceptedOrPaused => "accepted or paused",
            Needs::Undecided => "not yet decided",
            Needs::ProvisionallyApproved => "provisionally approved",
            Needs::ProvisionallyApprovedOrBreached => {
                "provisionally approved, or approved on a pledge found broken"
            }
            Needs::Pledged => "approved on the applicant's pledge (`approved --commitment`)",
            Needs::Project => "the whole project (record it without a step)",
            Needs::Supervised => "sent a supervision notice (督办) not yet answered",
        }
    }
}

impl RefusalReason {
    /// A stable kebab-case code for the reason, e.g. `wrong-state`.
    pub fn code(&self) -> &'static str {
        match self {
            RefusalReason::UnknownStep { .. } => "unknown-step",
            RefusalReason::NotInProject { .. } => "not-in-project",
            RefusalReason::BeforeStart { .. } => "before-start",
            RefusalReason::InFuture { .. } => "in-future",
            RefusalReason::Contradicts { .. } => "contradicts",
            RefusalReason::BeforeLastEvent { .. } => "before-last-event",
            RefusalReason::BeforePrerequisites { .. } => "before-prerequisites",
            RefusalReason::WrongState { .. } => "wrong-state",
            RefusalReason::WaitingFor { .. } => "waiting-for",
            RefusalReason::MaterialOwed => "material-owed",
            RefusalReason::MaterialLate { .. } => "material-late",
            RefusalReason::NotProvisional => "not-provisional",
            RefusalReason::PrerequisitesDone => "prerequisites-done",
            RefusalReason::NoFailedPrerequisite => "no-failed-prerequisite",
            RefusalReason::NotDeemedOnTimeout => "not-deemed-on-timeout",
            RefusalReason::LimitNotPassed { .. } => "limit-not-passed",
            RefusalReason::NotOwed { .. } => "not-owed",
            RefusalReason::NotOnReceipt { .. } => "not-on-receipt",
            RefusalReason::AcceptanceWindowOpen { .. } => "acceptance-window-open",
            RefusalReason::MissingDetail { .. } => "missing-detail",
            RefusalReason::ExtensionTooLong { .. } => "extension-too-long",
            RefusalReason::KeyReused { .. } => "key-reused",
            RefusalReason::KeyRepeated { .. } => "key-repeated",
            RefusalReason::NotJoint => "not-joint",
            RefusalReason::NotAMember { .. } => "not-a-member",
            RefusalReason::OpinionGiven { .. } => "opinion-given",
            RefusalReason::SilenceBlocks => "silence-blocks",
            RefusalReason::OpinionsPending { .. } => "opinions-pending",
            RefusalReason::NoCommitment => "no-commitment",
            RefusalReason::NotAtAcceptance { .. } => "not-at-acceptance",
            RefusalReason::NoPledge => "no-pledge",
            RefusalReason::PledgeChecked { .. } => "pledge-checked",
            RefusalReason::NotBreached => "not-breached",
            RefusalReason::NotSimulated => "not-simulated",
            RefusalReason::ProjectLevel { .. } => "project-level",
            RefusalReason::ModeAfterStart => "mode-after-start",
            RefusalReason::NoWindow => "no-window",
            RefusalReason::NothingReady => "nothing-ready",
            RefusalReason::NoSupervision => "no-supervision",
            RefusalReason::NotADept { .. } => "not-a-dept",
            RefusalReason::NoticeGiven { .. } => "notice-given",
            RefusalReason::NotSupervisedYet { .. } => "not-supervised-yet",
            RefusalReason::NoNotice { .. } => "no-notice",
        }
    }
}

fn ticked(ids: &[String]) -> String {
    ids.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RefusalReason as R;
        let (step, kind) = (&self.step, self.event);
        match &self.reason {
            R::UnknownStep { suggestion: Some(s), .. } => {
                return write!(f, "cannot record `{kind}`: unknown step `{step}`; did you mean `{s}`?");
            }
            R::UnknownStep { suggestion: None, flow } => {
                return write!(f, "cannot record `{kind}`: unknown step `{step}` in flow `{flow}`");
            }
            R::NotInProject { condition } => {
                write!(f, "cannot record `{kind}`: step `{step}` is not part of this project")?;
                return match condition {
                    Some(c) => write!(f, " (`when: {c}` is false)"),
                    None => Ok(()),
                };
            }
            R::KeyReused { key, project, seq, recorded_step, recorded_kind, recorded_date, date } => {
                return write!(
                    f,
                    "idempotency key `{key}` of project `{project}` was already used for event {seq} \
                     (`{recorded_kind}` {recorded_step} on {recorded_date}), not for `{kind}` {step} on {date}"
                );
            }
            R::KeyRepeated { key } => {
                return write!(f, "idempotency key `{key}` appears twice in one append");
            }
            _ => {}
        }
        write!(f, "cannot record `{kind}` for step `{step}`: ")?;
        self.reason.explain(f, kind)
    }
}

impl RefusalReason {
    /// Words the reason for an event of `kind`, after "cannot record … for step …: ".
    fn explain(&self, f: &mut fmt::Formatter<'_>, kind: EventKind) -> fmt::Result {
        use RefusalReason as R;
        match self {
            R::InFuture { date, today } => write!(
                f,
                "{date} is after today ({today}); events are recorded when they have happened — is the year right?"
            ),
            R::Contradicts { seq, step, kind: other, date, why } => {
                write!(f, "entered late, it contradicts event {seq} (`{other}` of step `{step}` on {date}), which then could not happen: ")?;
                why.explain(f, *other)
            }
            R::BeforeStart { date, start } => write!(f, "{date} is before the project started on {start}"),
            R::BeforeLastEvent { date, last } => {
                write!(f, "{date} is before the step's last event on {last}")
            }
            R::BeforePrerequisites { date, done } => {
                let what = match kind {
                    EventKind::Approved => "it cannot be approved before",
                    EventKind::Confirmed => "it cannot be confirmed before",
                    _ => "it cannot be accepted before",
                };
                write!(f, "{date} is before its prerequisites were done on {done}; {what}")
            }
            R::WrongState { state, needs } => {
                write!(f, "the step is {}; `{kind}` needs it {}", state.as_str(), needs.as_str())
            }
            R::WaitingFor { steps, provisional, acceptance } => {
                write!(f, "it still waits for {}", ticked(steps))?;
                if *acceptance {
                    f.write_str("; only a step marked `provisional` may be accepted ahead of its prerequisites")
                } else if *provisional {
                    f.write_str("; record `provisional-approved` (模拟审批) instead")
                } else {
                    Ok(())
                }
            }
            R::MaterialOwed => f.write_str(
                "the material owed under 容缺 has not arrived; record `supplement-received` first",
            ),
            R::MaterialLate { due } => write!(
                f,
                "the material owed under 容缺 had to arrive by {due}; the application ended — record `terminated`"
            ),
            R::NotOnReceipt { received } => write!(
                f,
                "a deemed acceptance takes effect from the day of receipt, {received}; date it that day"
            ),
            R::AcceptanceWindowOpen { due, today } => write!(
                f,
                "the department may still answer until {due} (today is {today}); it is deemed accepted only after"
            ),
            R::MissingDetail { detail } => write!(f, "`{kind}` needs {}", detail.as_str()),
            R::ExtensionTooLong { days, before, max } => write!(
                f,
                "{days} more working days would extend its legal limit by {} in this application, more than the {max} the step allows{}",
                before.saturating_add(*days),
                if *before > 0 { format!(" ({before} already granted)") } else { String::new() }
            ),
            R::NotProvisional => f.write_str(
                "the flow does not allow 模拟审批 for this step (it has no `provisional`)",
            ),
            R::PrerequisitesDone => f.write_str("its prerequisites are done; record `approved`"),
            R::NoFailedPrerequisite => f.write_str(
                "none of its prerequisites failed; a provisional approval is revoked only when one is rejected or withdrawn",
            ),
            R::NotDeemedOnTimeout => f.write_str(
                "the flow does not deem it approved on timeout (its `on_timeout` is not `deem-approved`)",
            ),
            R::NotOwed { due: Some(due) } => {
                write!(f, "the engine owes it only when material owed under 容缺 is still missing after {due}")
            }
            R::NotOwed { due: None } => f.write_str("the engine owes it only for an accepted step"),
            R::LimitNotPassed { due, date } => {
                write!(f, "its limit runs until {due}; it cannot be deemed approved on {date}")
            }
            R::NotJoint => f.write_str("only a member of a joint step (`kind: joint`) gives an opinion"),
            R::NotAMember { dept, members } => {
                write!(f, "`{dept}` is not a member of the joint step; its members are {}", ticked(members))
            }
            R::OpinionGiven { dept, date } => {
                write!(f, "`{dept}` already gave its opinion in this application, on {date}")
            }
            R::SilenceBlocks => f.write_str(
                "the step says `silence: block`: a silent member is never deemed to agree; the lead waits for its opinion",
            ),
            R::OpinionsPending { depts } => write!(
                f,
                "the lead decides once every member has given its opinion; still silent: {}",
                ticked(depts)
            ),
            R::NoCommitment => f.write_str(
                "the flow does not allow 告知承诺制 for this step (it has no `commitment`); record `approved` without `--commitment`",
            ),
            R::NotAtAcceptance { accepted } => write!(
                f,
                "an approval on the applicant's pledge is given at acceptance; date it {accepted}"
            ),
            R::NoPledge => f.write_str("it was not approved on the applicant's pledge (`approved --commitment`)"),
            R::PledgeChecked { date } => write!(f, "its pledge was already checked on {date}"),
            R::NotBreached => f.write_str(
                "nothing revokes it: it is not provisional, and its pledge was not found broken (`commitment-breached`)",
            ),
            R::NotSimulated => f.write_str(
                "the project does not run in simulated mode; start it with `project new --mode simulated`",
            ),
            R::ProjectLevel { project_level: true } => {
                write!(f, "`{kind}` is about the whole project and names no step")
            }
            R::ProjectLevel { project_level: false } => write!(f, "`{kind}` needs a step"),
            R::ModeAfterStart => f.write_str(
                "a project's mode is chosen when it starts, before any step's event (`project new --mode`)",
            ),
            R::NoWindow => write!(
                f,
                "only `accepted` is recorded on a stage, and only on a stage that names a `window` (一窗受理); record `{kind}` on each step"
            ),
            R::NothingReady => f.write_str("no step of the stage that its window accepts is ready on that date"),
            R::NoSupervision => f.write_str(
                "the flow has no escalation ladder; add `supervise` and `answer_within` under `alerts:`",
            ),
            R::NotADept { dept, depts } => {
                write!(f, "`{dept}` is not a department of the step; its departments are {}", ticked(depts))
            }
            R::NoticeGiven { dept, date } => {
                write!(f, "`{dept}` was already sent a supervision notice in this application, on {date}")
            }
            R::NotSupervisedYet { day: Some(day), date } => {
                write!(f, "a supervision notice is owed from {day}, not on {date}")
            }
            R::NotSupervisedYet { day: None, date } => {
                write!(f, "a supervision notice is owed only once the step is accepted, not on {date}")
            }
            R::NoNotice { dept } => {
                write!(f, "`{dept}` has no open supervision notice (督办) about the step to answer")
            }
            R::UnknownStep { .. } | R::NotInProject { .. } | R::KeyReused { .. } | R::KeyRepeated { .. } => {
                Ok(())
            }
        }
    }
}

impl std::error::Error for Refusal {}
