//! The transition table: which event may happen to a step in which state, on
//! what conditions, and the state it leaves the step in.
//!
//! One row per event kind: conditions on the step that hold whatever its
//! state (`requires`), then rules tried in order; the first rule whose `from`
//! holds the step's phase applies, and its guards are checked in order. A
//! phase no rule lists is refused as [`RefusalReason::WrongState`] with the
//! row's [`Needs`].

use super::event::EventKind;
use super::refusal::{Needs, RefusalReason};
use super::state::{PauseReason, StepState};

/// Where a step stands, finer than [`StepState`]: a paused step says why, and
/// a step not filed says whether its prerequisites are done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Waiting,
    Ready,
    Received,
    /// Paused for 补正 before acceptance: the acceptance window is stopped.
    Completing,
    Accepted,
    AcceptedIncomplete,
    Paused(PauseReason),
    Approved,
    DeemedApproved,
    ProvisionalApproved,
    Rejected,
    NotAccepted,
    Returned,
    Withdrawn,
    Terminated,
    Revoked,
}

/// A condition of a rule, checked against the step, its prerequisites and the event's date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Guard {
    /// Not dated before the day its prerequisites were done.
    NotBeforeReady,
    /// The flow lets the step run ahead of its prerequisites (`provisional`).
    Provisional,
    /// Its prerequisites are all done.
    PrerequisitesDone,
    /// Some prerequisite is not done yet.
    PrerequisitesPending,
    /// Some prerequisite failed.
    PrerequisiteFailed,
    /// No material is owed under 容缺.
    MaterialArrived,
    /// Dated within the limit of a 容缺 acceptance.
    MaterialInTime,
    /// The flow deems the step approved when its limit passes.
    DeemsOnTimeout,
    /// Dated after the last day of the step's limit.
    LimitPassed,
    /// Material owed under 容缺 did not arrive within the limit (what the engine
    /// records for such a step must still be owed where it stands).
    MaterialOverdue,
    /// Its prerequisites are done, or the flow lets it run ahead of them.
    ReadyOrProvisional,
    /// Dated the day of receipt (a deemed acceptance takes effect from it).
    OnReceipt,
    /// Names its working days, and the extensions of the attempt stay within the step's `extension`.
    WithinExtension,
    /// The step is a joint review (`kind: joint`).
    Joint,
    /// A joint step's member without an opinion yet (a deemed one: silent past its limit under `silence: agree`).
    Member,
    /// Every member of a joint step has an opinion, given or deemed (any other step: always).
    OpinionsIn,
    /// An approval `--commitment`: the step allows it and it is dated the day of acceptance.
    Pledge,
    /// Approved on a pledge not yet verified or found broken.
    PledgePending,
    /// Approved on a pledge found broken.
    Breached,
    /// A supervision notice is owed to the event's department: the flow has
    /// an escalation ladder, the department is the step's, it has no notice in
    /// this application, and the step is `supervise` working days past due.
    NoticeDue,
    /// The event's department has an open supervision notice about the step.
    NoticeOpen,
}

/// The state a rule leaves the step in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum To {
    State(StepState),
    /// The state does not change.
    Same,
    /// Back to accepted, or accepted with material owed when some still is.
    Resume,
}

/// One rule of a row.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) from: &'static [Phase],
    pub(crate) guards: &'static [Guard],
    pub(crate) to: To,
}

/// Everything the table says about one event kind.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) kind: EventKind,
    pub(crate) requires: &'static [Guard],
    pub(crate) rules: &'static [Rule],
    pub(crate) needs: Needs,
    /// Guards for an event the engine recorded: what made it owed must still hold.
    pub(crate) engine: &'static [Guard],
}

use Guard as G;
use Phase as P;
use StepState as S;

const RUNNING: &[Phase] = &[P::Accepted, P::AcceptedIncomplete];
/// Where an application has ended without approval, so a new one may be filed (a new attempt).
const ENDED: &[Phase] = &[P::Returned, P::Rejected, P::NotAccepted, P::Withdrawn, P::Terminated, P::Revoked];
/// Filed and not yet accepted: the acceptance window runs or is stopped for 补正.
const FILED: &[Phase] = &[P::Received, P::Completing];
const UNDER_WAY: &[Phase] = &[
    P::Accepted,
    P::AcceptedIncomplete,
    P::Paused(PauseReason::Supplement),
    P::Paused(PauseReason::Procedure),
];
/// Every phase: a department answers its supervision notice whatever became of the step.
const ANY: &[Phase] = &[
    P::Waiting,
    P::Ready,
    P::Received,
    P::Completing,
    P::Accepted,
    P::AcceptedIncomplete,
    P::Paused(PauseReason::Supplement),
    P::Paused(PauseReason::Procedure),
    P::Approved,
    P::DeemedApproved,
    P::ProvisionalApproved,
    P::Rejected,
    P::NotAccepted,
    P::Returned,
    P::Withdrawn,
    P::Terminated,
    P::Revoked,
];
const UNDECIDED: &[Phase] = &[
    P::Waiting,
    P::Ready,
    P::Received,
    P::Completing,
    P::Accepted,
    P::AcceptedIncomplete,
    P::Paused(PauseReason::Supplement),
    P::Paused(PauseReason::Procedure),
    P::ProvisionalApproved,
    P::Returned,
];

/// Filing an application: on a ready step, on one whose last application
/// ended (a new attempt), or ahead of the prerequisites where `provisional`
/// allows it; an acceptance also on a received step.
const fn filing(to: StepState) -> [Rule; 4] {
    [
        Rule { from: &[P::Ready], guards: &[G::NotBeforeReady], to: To::State(to) },
        Rule { from: ENDED, guards: &[G::ReadyOrProvisional, G::NotBeforeReady], to: To::State(to) },
        Rule { from: &[P::Waiting], guards: &[G::Provisional], to: To::State(to) },
        Rule { from: &[P::Received], guards: &[], to: To::State(to) },
    ]
}

const ACCEPTED: [Rule; 4] = filing(S::Accepted);
const ACCEPTED_INCOMPLETE: [Rule; 4] = filing(S::AcceptedIncomplete);
const RECEIVED: [Rule; 3] = {
    let [ready, ended, waiting, _] = filing(S::Received);
    [ready, ended, waiting]
};

/// The table, one row per event kind.
pub(crate) const TABLE: &[Row] = &[
    Row {
        kind: EventKind::Received,
        requires: &[],
        rules: &RECEIVED,
        needs: Needs::ReadyToFile,
        engine: &[],
    },
    Row {
        kind: EventKind::Accepted,
        requires: &[],
        rules: &ACCEPTED,
        needs: Needs::ReceivedOrReadyToFile,
        engine: &[],
    },
    Row {
        kind: EventKind::AcceptedIncomplete,
        requires: &[],
        rules: &ACCEPTED_INCOMPLETE,
        needs: Needs::ReceivedOrReadyToFile,
        engine: &[],
    },
    Row {
        kind: EventKind::NotAccepted,
        requires: &[],
        rules: &[Rule { from: FILED, guards: &[], to: To::State(S::NotAccepted) }],
        needs: Needs::Received,
        engine: &[],
    },
    Row {
        kind: EventKind::DeemedAccepted,
        requires: &[],
        rules: &[Rule { from: &[P::Received], guards: &[G::OnReceipt], to: To::State(S::Accepted) }],
        needs: Needs::Received,
        engine: &[],
    },
    Row {
        kind: EventKind::SupplementRequested,
        requires: &[],
        rules: &[
            Rule { from: RUNNING, guards: &[], to: To::State(S::Paused) },
            Rule { from: &[P::Received], guards: &[], to: To::State(S::Paused) },
        ],
        needs: Needs::ReceivedOrRunning,
        engine: &[],
    },
    Row {
        kind: EventKind::SupplementReceived,
        requires: &[],
        rules: &[
            Rule { from: &[P::Paused(PauseReason::Supplement)], guards: &[], to: To::Resume },
            Rule { from: &[P::AcceptedIncomplete], guards: &[G::MaterialInTime], to: To::State(S::Accepted) },
            Rule { from: &[P::Completing], guards: &[], to: To::State(S::Received) },
        ],
        needs: Needs::SupplementOwed,
        engine: &[],
    },
    Row {
        kind: EventKind::ProcedureStarted,
        requires: &[],
        rules: &[Rule { from: RUNNING, guards: &[], to: To::State(S::Paused) }],
        needs: Needs::Running,
        engine: &[],
    },
    Row {
        kind: EventKind::ProcedureEnded,
        requires: &[],
        rules: &[Rule { from: &[P::Paused(PauseReason::Procedure)], guards: &[], to: To::Resume }],
        needs: Needs::InProcedure,
        engine: &[],
    },
    Row {
        kind: EventKind::Extended,
        requires: &[],
        rules: &[Rule { from: UNDER_WAY, guards: &[G::WithinExtension], to: To::Same }],
        needs: Needs::AcceptedOrPaused,
        engine: &[],
    },
    Row {
        kind: EventKind::Approved,
        requires: &[],
        rules: &[Rule {
            from: RUNNING,
            guards: &[G::MaterialArrived, G::PrerequisitesDone, G::NotBeforeReady, G::OpinionsIn, G::Pledge],
            to: To::State(S::Approved),
        }],
        needs: Needs::Accepted,
        engine: &[],
    },
    Row {
        kind: EventKind::Rejected,
        requires: &[],
        rules: &[Rule { from: UNDER_WAY, guards: &[G::OpinionsIn], to: To::State(S::Rejected) }],
        needs: Needs::AcceptedOrPaused,
        // Stores written before `terminated` hold the engine's 容缺 failures as `rejected`.
        engine: &[G::MaterialOverdue],
    },
    Row {
        kind: EventKind::Returned,
        requires: &[],
        rules: &[Rule { from: UNDER_WAY, guards: &[], to: To::State(S::Returned) }],
        needs: Needs::AcceptedOrPaused,
        engine: &[],
    },
    Row {
        kind: EventKind::Withdrawn,
        requires: &[],
        rules: &[Rule { from: UNDECIDED, guards: &[], to: To::State(S::Withdrawn) }],
        needs: Needs::Undecided,
        engine: &[],
    },
    Row {
        kind: EventKind::Terminated,
        requires: &[],
        rules: &[
            Rule { from: UNDER_WAY, guards: &[], to: To::State(S::Terminated) },
            Rule { from: FILED, guards: &[], to: To::State(S::Terminated) },
        ],
        needs: Needs::Filed,
        engine: &[G::MaterialOverdue],
    },
    Row {
        kind: EventKind::ProvisionalApproved,
        requires: &[G::Provisional],
        rules: &[Rule {
            from: RUNNING,
            guards: &[G::MaterialArrived, G::PrerequisitesPending],
            to: To::State(S::ProvisionalApproved),
        }],
        needs: Needs::Accepted,
        engine: &[],
    },
    Row {
        kind: EventKind::Confirmed,
        requires: &[],
        rules: &[Rule {
            from: &[P::ProvisionalApproved],
            guards: &[G::PrerequisitesDone, G::NotBeforeReady],
            to: To::State(S::Approved),
        }],
        needs: Needs::ProvisionallyApproved,
        engine: &[],
    },
    Row {
        kind: EventKind::Revoked,
        requires: &[],
        rules: &[
            Rule {
                from: &[P::ProvisionalApproved],
                guards: &[G::PrerequisiteFailed],
                to: To::State(S::Revoked),
            },
            Rule { from: &[P::Approved], guards: &[G::Breached], to: To::State(S::Revoked) },
        ],
        needs: Needs::ProvisionallyApprovedOrBreached,
        engine: &[],
    },
    Row {
        kind: EventKind::DeemedApproved,
        requires: &[G::DeemsOnTimeout],
        rules: &[Rule {
            from: &[P::Accepted],
            guards: &[G::PrerequisitesDone, G::LimitPassed],
            to: To::State(S::DeemedApproved),
        }],
        needs: Needs::Running,
        engine: &[],
    },
    Row {
        kind: EventKind::Opinion,
        requires: &[G::Joint],
        rules: &[Rule { from: UNDER_WAY, guards: &[G::Member], to: To::Same }],
        needs: Needs::AcceptedOrPaused,
        engine: &[],
    },
    Row {
        kind: EventKind::DeemedAgreed,
        requires: &[G::Joint],
        rules: &[Rule { from: UNDER_WAY, guards: &[G::Member], to: To::Same }],
        needs: Needs::AcceptedOrPaused,
        engine: &[],
    },
    Row {
        kind: EventKind::Verified,
        requires: &[],
        rules: &[Rule { from: &[P::Approved], guards: &[G::PledgePending], to: To::Same }],
        needs: Needs::Pledged,
        engine: &[],
    },
    Row {
        kind: EventKind::CommitmentBreached,
        requires: &[],
        rules: &[Rule { from: &[P::Approved], guards: &[G::PledgePending], to: To::Same }],
        needs: Needs::Pledged,
        engine: &[],
    },
    Row {
        kind: EventKind::Supervised,
        requires: &[],
        rules: &[Rule { from: UNDER_WAY, guards: &[G::NoticeDue], to: To::Same }],
        needs: Needs::AcceptedOrPaused,
        engine: &[],
    },
    Row {
        kind: EventKind::Answered,
        requires: &[],
        rules: &[Rule { from: ANY, guards: &[G::NoticeOpen], to: To::Same }],
        needs: Needs::Supervised,
        engine: &[],
    },
    // About the whole project: the fold never asks a step about them.
    Row { kind: EventKind::AgentAssigned, requires: &[], rules: &[], needs: Needs::Project, engine: &[] },
    Row { kind: EventKind::ModeSet, requires: &[], rules: &[], needs: Needs::Project, engine: &[] },
];

/// The row of `kind`.
pub(crate) fn row(kind: EventKind) -> &'static Row {
    // OK because the table has a row for every kind (tested by `every_kind_has_one_row`).
    TABLE.iter().find(|r| r.kind == kind).expect("a row per event kind")
}

/// The rule of `row` that applies in `phase`, or the refusal.
pub(crate) fn rule(
    row: &'static Row,
    phase: Phase,
    state: StepState,
) -> Result<&'static Rule, RefusalReason> {
    row.rules
        .iter()
        .find(|r| r.from.contains(&phase))
        .ok_or(RefusalReason::WrongState { state, needs: row.needs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_row() {
        for kind in EventKind::ALL {
            assert_eq!(TABLE.iter().filter(|r| r.kind == kind).count(), 1, "{kind}");
        }
    }

    #[test]
    fn no_phase_is_listed_twice_in_a_row() {
        for row in TABLE {
            let mut seen = Vec::new();
            for phase in row.rules.iter().flat_map(|r| r.from) {
                assert!(!seen.contains(phase), "{:?} lists {phase:?} twice", row.kind);
                seen.push(*phase);
            }
        }
    }
}
