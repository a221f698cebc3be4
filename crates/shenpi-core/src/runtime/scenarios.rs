//! The service window's scenarios, each across the 2025 Spring Festival
//! (28 January – 4 February off; Sunday 26 January and Saturday 8 February worked).

use super::tests::{FILED, d, ev, project, today, with_filed};
use super::*;

/// The log as stored, to compare before and after reads.
fn stored(store: &MemoryStore) -> Vec<(ProjectRecord, Vec<Event>)> {
    store.list().expect("lists").iter().map(|id| store.load(id).expect("loads")).collect()
}

#[test]
fn a_look_ahead_writes_nothing_and_late_entry_supersedes_the_engine() {
    // land (5 days, deemed approved on timeout) and eia (容缺, 7 days) accepted
    // on Monday 27 January: due 10 and 12 February across the holiday.
    let (store, mut p) = project(&with_filed(&[
        ("land", "accepted", "2025-01-27"),
        ("eia", "accepted-incomplete", "2025-01-27"),
    ]));
    let before = stored(&store);
    // A look far ahead shows what the engine would owe, and records none of it.
    let ahead = p.status(d("2025-12-31")).expect("status");
    let owed: Vec<_> = ahead.owed.iter().map(|e| (e.step.as_str(), e.kind, e.date)).collect();
    assert_eq!(
        owed,
        vec![
            ("land", EventKind::DeemedApproved, d("2025-02-11")),
            ("eia", EventKind::Terminated, d("2025-02-13"))
        ]
    );
    let land = ahead.steps.iter().find(|s| s.id == "land").expect("land");
    assert_eq!(land.state, StepState::DeemedApproved);
    board([&p], d("2025-12-31"), None).expect("board");
    p.owed(d("2025-12-31")).expect("owed");
    assert_eq!(stored(&store), before, "reads wrote to the store");
    assert_eq!(p.step_state("land"), Some(StepState::Accepted));
    // The engine records what it owes up to today, never ahead of it.
    let today = d("2025-02-14");
    assert!(p.advance(&store, d("2025-02-15"), today).expect_err("ahead of today").is_in_future());
    let engine = p.advance(&store, today, today).expect("advances");
    assert_eq!(engine.len(), 2);
    // The department's real approval, dated 10 February, entered late: it supersedes the deemed one.
    let later = d("2025-02-17");
    let real = p.record(&store, ev("land", "approved", "2025-02-10"), later).expect("late entry");
    assert_eq!(real.detail.supersedes, vec![engine[0].seq]);
    assert_eq!(p.superseded_by(engine[0].seq), Some(real.seq));
    // The 容缺 material arrived on the 12th, within the limit: the failure never happened.
    let material =
        p.record(&store, ev("eia", "supplement-received", "2025-02-12"), later).expect("late entry");
    assert_eq!(material.detail.supersedes, vec![engine[1].seq]);
    let s = p.status(later).expect("status");
    let (land, eia) = (&s.steps[1], &s.steps[2]);
    assert_eq!((land.state, land.decided, land.used), (StepState::Approved, Some(d("2025-02-10")), Some(5)));
    assert_eq!(eia.state, StepState::Accepted);
    assert_eq!(s.blocked_by, None);
    assert_eq!(s.on_time_rate, Some(1.0));
    // The log keeps every event; a replay folds the superseded ones out the same way.
    let again = Project::open(&store, "P").expect("replays");
    assert_eq!(again.events().len(), 9);
    assert_eq!(again.state(), p.state());
    assert_eq!(again.effective_events().count(), 7);
}

#[test]
fn an_engine_event_is_never_superseded_by_a_real_event_dated_after_it() {
    let (store, mut p) = project(&with_filed(&[("land", "accepted", "2025-01-27")]));
    let today = d("2025-02-14");
    p.advance(&store, today, today).expect("deemed approved on the 11th");
    let err = p.record(&store, ev("land", "approved", "2025-02-12"), today).expect_err("too late");
    let reason = err.refusal().map(|r| r.reason.clone());
    assert_eq!(
        reason,
        Some(RefusalReason::WrongState { state: StepState::DeemedApproved, needs: Needs::Accepted })
    );
    // On the day it was deemed approved, a real approval still takes its place.
    let e = p.record(&store, ev("land", "approved", "2025-02-11"), today).expect("same day");
    assert_eq!(e.detail.supersedes.len(), 1);
}

#[test]
fn a_mistyped_year_is_refused_and_writes_nothing() {
    let (store, mut p) = project(&FILED);
    let today = d("2025-02-14");
    for typo in ["9999-12-30", "2052-02-10", "2025-02-15"] {
        let err = p.record(&store, ev("land", "accepted", typo), today).expect_err("in the future");
        assert!(err.is_in_future(), "{err}");
        assert_eq!(
            err.refusal().map(|r| r.reason.clone()),
            Some(RefusalReason::InFuture { date: d(typo), today })
        );
        assert!(err.to_string().contains("is the year right?"), "{err}");
    }
    assert_eq!(store.load("P").expect("stored").1.len(), FILED.len() + 1);
    // Today itself is fine.
    p.record(&store, ev("land", "accepted", "2025-02-14"), today).expect("today");
}

#[test]
fn steps_may_be_entered_in_any_order() {
    // eia's whole history first, then land's, dated earlier; each respects the flow.
    let (store, p) = project(&with_filed(&[
        ("eia", "accepted", "2025-02-05"),
        ("eia", "approved", "2025-02-12"),
        ("land", "accepted", "2025-01-27"),
        ("land", "approved", "2025-02-06"),
        ("permit", "accepted", "2025-02-13"),
    ]));
    assert_eq!(p.step_state("permit"), Some(StepState::Accepted));
    // The past reads as it stood: on 7 February land was approved and eia still under way.
    let then = p.status(d("2025-02-07")).expect("status");
    let states: Vec<_> = then.steps.iter().map(|s| (s.id.as_str(), s.state)).collect();
    assert_eq!(
        states,
        vec![
            ("filing", StepState::Approved),
            ("land", StepState::Approved),
            ("eia", StepState::Accepted),
            ("permit", StepState::Waiting)
        ]
    );
    // An acceptance is never dated before the decisions it waits for.
    let mut p = Project::open(&store, "P").expect("opens");
    let err =
        p.record(&store, ev("permit", "withdrawn", "2025-02-12"), d("2025-02-20")).expect_err("refused");
    assert_eq!(
        err.refusal().map(|r| r.reason.clone()),
        Some(RefusalReason::BeforeLastEvent { date: d("2025-02-12"), last: d("2025-02-13") })
    );
}

#[test]
fn a_late_entry_that_would_undo_recorded_events_is_refused() {
    // land deemed approved on 11 February, and permit (provisional) confirmed on it afterwards;
    // a rejection of land dated before would leave permit confirmed on nothing.
    let (store, mut p) = project(&with_filed(&[
        ("land", "accepted", "2025-01-27"),
        ("eia", "accepted", "2025-01-27"),
        ("eia", "approved", "2025-02-06"),
        ("permit", "accepted", "2025-02-06"),
    ]));
    let today = d("2025-02-14");
    p.advance(&store, today, today).expect("deemed approved");
    p.record(&store, ev("permit", "approved", "2025-02-12"), today).expect("approved");
    let err = p.record(&store, ev("land", "rejected", "2025-02-10"), today).expect_err("contradicts");
    let Some(RefusalReason::Contradicts { step, kind, .. }) = err.refusal().map(|r| r.reason.clone()) else {
        panic!("{err}")
    };
    assert_eq!((step.as_str(), kind), ("permit", EventKind::Approved));
    assert_eq!(store.load("P").expect("stored").1.len(), 9);
}

/// The status of step `id`.
fn step<'a>(s: &'a Status, id: &str) -> &'a StepStatus {
    s.steps.iter().find(|st| st.id == id).unwrap_or_else(|| panic!("no step {id}"))
}

fn reason(err: &Error) -> Option<RefusalReason> {
    err.refusal().map(|r| r.reason.clone())
}

#[test]
fn received_with_no_answer_in_five_working_days_is_accepted_from_the_day_of_receipt() {
    // 收件 on Monday 27 January; the window's five working days run 5–10 February, after the holiday.
    let (store, mut p) = project(&with_filed(&[("eia", "received", "2025-01-27")]));
    let s = p.status(d("2025-02-10")).expect("status");
    let eia = step(&s, "eia");
    assert_eq!(
        (eia.state, eia.received, eia.acceptance_due),
        (StepState::Received, Some(d("2025-01-27")), Some(d("2025-02-10")))
    );
    assert!(s.owed.is_empty(), "the department may still answer on the 10th");
    // A person cannot deem it accepted while the window is open.
    let early = NewEvent::new("eia", EventKind::DeemedAccepted, d("2025-01-27"));
    let err = p.record(&store, early, d("2025-02-10")).expect_err("window open");
    assert_eq!(
        reason(&err),
        Some(RefusalReason::AcceptanceWindowOpen { due: d("2025-02-10"), today: d("2025-02-10") })
    );
    // The day after, the engine owes the acceptance, dated the day of receipt; its limit runs from then.
    let s = p.status(d("2025-02-11")).expect("status");
    let owed: Vec<_> = s.owed.iter().map(|e| (e.step.as_str(), e.kind, e.date)).collect();
    assert_eq!(owed, vec![("eia", EventKind::DeemedAccepted, d("2025-01-27"))]);
    let eia = step(&s, "eia");
    assert_eq!(
        (eia.state, eia.accepted, eia.due),
        (StepState::Accepted, Some(d("2025-01-27")), Some(d("2025-02-12")))
    );
    let recorded = p.advance(&store, d("2025-02-11"), d("2025-02-11")).expect("advances");
    assert_eq!(recorded.len(), 1);
    assert!(recorded[0].is_engine());
    // The department did accept on 7 February, entered late: within the window, so it supersedes.
    let real = p.record(&store, ev("eia", "accepted", "2025-02-07"), d("2025-02-12")).expect("late entry");
    assert_eq!(real.detail.supersedes, vec![recorded[0].seq]);
    let eia = step(&p.status(d("2025-02-12")).expect("status"), "eia").clone();
    assert_eq!((eia.accepted, eia.attempt), (Some(d("2025-02-07")), 1));
    // An answer dated after the window cannot undo the deemed acceptance.
    let (store, mut p) = project(&with_filed(&[("eia", "received", "2025-01-27")]));
    p.advance(&store, d("2025-02-11"), d("2025-02-11")).expect("advances");
    let err = p
        .record(&store, ev("eia", "not-accepted 材料不全", "2025-02-11"), d("2025-02-11"))
        .expect_err("too late");
    assert_eq!(
        reason(&err),
        Some(RefusalReason::WrongState { state: StepState::Accepted, needs: Needs::Received })
    );
}

#[test]
fn accepted_without_received_is_accepted_on_the_spot() {
    let (_, p) = project(&with_filed(&[("eia", "accepted", "2025-01-27")]));
    let eia = step(&p.status(d("2025-02-20")).expect("status"), "eia").clone();
    assert_eq!((eia.received, eia.accepted, eia.attempt), (None, Some(d("2025-01-27")), 1));
    assert!(p.owed(d("2025-02-20")).expect("owed").iter().all(|e| e.kind != EventKind::DeemedAccepted));
}

#[test]
fn a_second_supplement_request_is_recorded_and_flagged() {
    // 补正 before 受理 (the window stops, and restarts when the material is complete), then 补充材料 in review.
    let (_, p) = project(&with_filed(&[
        ("eia", "received", "2025-01-27"),
        ("eia", "supplement-requested", "2025-02-05"),
        ("eia", "supplement-received", "2025-02-07"),
    ]));
    let s = p.status(d("2025-02-07")).expect("status");
    let eia = step(&s, "eia");
    assert_eq!((eia.state, eia.received), (StepState::Received, Some(d("2025-02-07"))));
    assert!(eia.flags.is_empty());
    let (store, mut p) = project(&with_filed(&[
        ("eia", "received", "2025-01-27"),
        ("eia", "supplement-requested", "2025-02-05"),
        ("eia", "supplement-received", "2025-02-07"),
        ("eia", "accepted", "2025-02-10"),
    ]));
    let second =
        p.record(&store, ev("eia", "supplement-requested", "2025-02-11"), today()).expect("recorded");
    assert_eq!(second.kind, EventKind::SupplementRequested);
    let s = p.status(d("2025-02-11")).expect("status");
    assert_eq!(step(&s, "eia").flags, vec![Flag::RepeatSupplement { requests: 2 }]);
    assert_eq!(step(&s, "eia").alert, Alert::None);
    let rows = board([&p], d("2025-02-11"), None).expect("board");
    let row = rows.iter().find(|r| r.step == "eia").expect("flagged on the board");
    assert_eq!(row.flags.iter().map(Flag::code).collect::<Vec<_>>(), vec!["repeat-supplement"]);
}

#[test]
fn a_ten_day_extension_moves_the_legal_due_date_and_the_promise_stays_red() {
    // land: promised 5, legal 20, deemed approved on timeout; accepted Monday 27 January.
    let (store, mut p) = project(&with_filed(&[("land", "accepted", "2025-01-27")]));
    let cal = p.calendar().clone();
    let before = step(&p.status(d("2025-02-07")).expect("status"), "land").clone();
    assert_eq!((before.due, before.legal_due), (Some(d("2025-02-10")), Some(d("2025-03-03"))));
    // More than the step's `extension` (10) is refused; so is an extension without its days or its approver.
    let err = p.record(&store, ev("land", "extended 11 局长", "2025-02-07"), today()).expect_err("too long");
    assert_eq!(reason(&err), Some(RefusalReason::ExtensionTooLong { days: 11, before: 0, max: 10 }));
    let bare = NewEvent::new("land", EventKind::Extended, d("2025-02-07")).days(10);
    let err = p.record(&store, bare, today()).expect_err("no approver");
    assert_eq!(reason(&err), Some(RefusalReason::MissingDetail { detail: Detail::By }));
    let e = p.record(&store, ev("land", "extended 10 局长", "2025-02-07"), today()).expect("extended");
    assert_eq!((e.detail.days, e.detail.by.as_deref()), (Some(10), Some("局长")));
    let s = p.status(d("2025-02-20")).expect("status");
    let land = step(&s, "land");
    assert_eq!(land.state, StepState::Accepted, "not deemed approved inside the extension");
    assert_eq!(land.due, Some(d("2025-02-10")), "the promise does not move");
    let legal = land.legal_due.expect("accepted");
    assert_eq!(cal.working_days_between(d("2025-03-03"), legal).expect("counts"), 10);
    assert_eq!((land.extended, land.alert, land.clock), (10, Alert::Red, Some(Clock::Limit)));
    assert!(s.owed.is_empty());
    // Past the extended legal limit, 超时默认 applies.
    let after = legal.succ_opt().expect("a day");
    let owed = p.owed(after.succ_opt().expect("a day")).expect("owed");
    assert_eq!(
        owed.iter().map(|e| (e.kind, e.date)).collect::<Vec<_>>(),
        vec![(EventKind::DeemedApproved, after)]
    );
    // One more day would pass the step's ten.
    let err = p.record(&store, ev("land", "extended 1 局长", "2025-02-10"), today()).expect_err("over");
    assert_eq!(reason(&err), Some(RefusalReason::ExtensionTooLong { days: 1, before: 10, max: 10 }));
}

/// Project `P` of the test flow, `reapplication` set as given, with eia
/// rejected after 4 working days and approved in a second application after 3.
fn reapplied(rule: &str) -> Project {
    let text = super::tests::FLOW.replacen("budget: 30", &format!("budget: 30\nreapplication: {rule}"), 1);
    let flow = Arc::new(Flow::parse("t.yaml", &text).unwrap_or_else(|r| panic!("{}", r.render())));
    let store = MemoryStore::new();
    let mut p = Project::create(&store, flow, "P", d("2025-01-24"), &[]).expect("starts");
    for (s, k, t) in with_filed(&[
        ("land", "accepted", "2025-01-27"),
        ("land", "approved", "2025-02-05"),
        ("eia", "accepted", "2025-02-05"),
        ("eia", "rejected", "2025-02-10"),
        ("eia", "received", "2025-02-12"),
        ("eia", "accepted", "2025-02-13"),
        ("eia", "approved", "2025-02-18"),
    ]) {
        p.record(&store, ev(s, k, t), today()).unwrap_or_else(|e| panic!("{s} {k} {t}: {e}"));
    }
    p
}

#[test]
fn a_rejection_then_a_second_application_counts_both_attempts() {
    let all = reapplied("count-all");
    // While rejected, what waits for eia is blocked; the new application unblocks it.
    let s = all.status(d("2025-02-11")).expect("status");
    assert_eq!((step(&s, "eia").state, s.blocked_by.as_deref()), (StepState::Rejected, Some("eia")));
    let s = all.status(d("2025-02-18")).expect("status");
    let eia = step(&s, "eia");
    assert_eq!((eia.attempt, eia.earlier_used, eia.used), (2, 4, Some(3)));
    assert_eq!(s.blocked_by, None);
    // The total counts both attempts' 4 + 3 days under count-all, only the last 3 under count-last.
    let last = reapplied("count-last");
    let s_last = last.status(d("2025-02-18")).expect("status");
    let (permit_all, permit_last) = (step(&s, "permit").plan_deadline, step(&s_last, "permit").plan_deadline);
    assert_eq!(all.calendar().working_days_between(permit_all, permit_last).expect("counts"), 4);
    // The rejection counts in the on-time rate; the approval of the second application too.
    assert_eq!(s.on_time_rate, Some(1.0));
}

#[test]
fn not_accepted_needs_a_reason_and_the_applicant_may_apply_again() {
    let (store, mut p) = project(&with_filed(&[("eia", "received", "2025-01-27")]));
    let bare = NewEvent::new("eia", EventKind::NotAccepted, d("2025-02-05"));
    let err = p.record(&store, bare, today()).expect_err("no reason");
    assert_eq!(reason(&err), Some(RefusalReason::MissingDetail { detail: Detail::Reason }));
    p.record(&store, ev("eia", "not-accepted 不属于本部门职权", "2025-02-05"), today())
        .expect("not accepted");
    let s = p.status(d("2025-02-06")).expect("status");
    assert_eq!((step(&s, "eia").state, s.blocked_by.as_deref()), (StepState::NotAccepted, Some("eia")));
    assert_eq!(s.on_time_rate, Some(1.0), "not a decision: only filing counts");
    p.record(&store, ev("eia", "accepted", "2025-02-06"), today()).expect("a second application");
    let eia = step(&p.status(d("2025-02-06")).expect("status"), "eia").clone();
    assert_eq!((eia.state, eia.attempt, eia.earlier_used), (StepState::Accepted, 2, 0));
}

#[test]
fn a_rongque_failure_is_terminated_and_leaves_the_on_time_rate_alone() {
    let (store, mut p) = project(&with_filed(&[
        ("land", "accepted", "2025-01-27"),
        ("land", "approved", "2025-02-06"),
        ("eia", "accepted-incomplete", "2025-01-27"),
    ]));
    let today = d("2025-02-14");
    let recorded = p.advance(&store, today, today).expect("advances");
    let e = recorded.iter().find(|e| e.step == "eia").expect("eia terminated");
    assert_eq!((e.kind, e.date), (EventKind::Terminated, d("2025-02-13")));
    assert!(e.is_engine() && e.detail.reason.is_some());
    let s = p.status(today).expect("status");
    assert_eq!(step(&s, "eia").state, StepState::Terminated);
    // filing and land, both on time; the termination is not the department's failure.
    assert_eq!(s.on_time_rate, Some(1.0));
    // A person records 终止办理 with a reason; without one it is refused.
    let (store, mut p) = project(&with_filed(&[("eia", "accepted", "2025-01-27")]));
    let err = p
        .record(&store, NewEvent::new("eia", EventKind::Terminated, d("2025-02-05")), today)
        .expect_err("bare");
    assert_eq!(reason(&err), Some(RefusalReason::MissingDetail { detail: Detail::Reason }));
    p.record(&store, ev("eia", "terminated 申请人死亡", "2025-02-05"), today).expect("terminated");
    assert_eq!(p.step_state("eia"), Some(StepState::Terminated));
}

#[test]
fn a_special_procedure_has_a_kind_and_is_flagged_past_its_cap() {
    let (store, mut p) = project(&with_filed(&[("eia", "accepted", "2025-02-05")]));
    let bare = NewEvent::new("eia", EventKind::ProcedureStarted, d("2025-02-06"));
    let err = p.record(&store, bare, today()).expect_err("no kind");
    assert_eq!(reason(&err), Some(RefusalReason::MissingDetail { detail: Detail::Kind }));
    let started = NewEvent::new("eia", EventKind::ProcedureStarted, d("2025-02-06"))
        .procedure(ProcedureKind::ExpertReview)
        .notified(d("2025-02-07"));
    p.record(&store, started, today()).expect("started");
    // Three working days (7, 8, 10 February) are within the step's cap of 3; the fourth is not.
    let s = p.status(d("2025-02-10")).expect("status");
    let eia = step(&s, "eia");
    assert_eq!(
        (eia.paused_for, eia.procedure),
        (Some(PauseReason::Procedure), Some(ProcedureKind::ExpertReview))
    );
    assert!(eia.flags.is_empty());
    let s = p.status(d("2025-02-11")).expect("status");
    assert_eq!(
        step(&s, "eia").flags,
        vec![Flag::ProcedureOverCap { kind: ProcedureKind::ExpertReview, cap: 3, days: 4 }]
    );
    let pause = p.state().run(p.graph().node("eia").expect("eia")).pauses[0];
    assert_eq!(pause.notified, Some(d("2025-02-07")));
    // A kind the step does not cap is never flagged.
    let (store, mut p) = project(&with_filed(&[("eia", "accepted", "2025-02-05")]));
    p.record(&store, ev("eia", "procedure-started hearing", "2025-02-06"), today()).expect("started");
    assert!(step(&p.status(d("2025-03-31")).expect("status"), "eia").flags.is_empty());
}
