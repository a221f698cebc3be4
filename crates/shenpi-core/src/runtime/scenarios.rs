//! The service window's scenarios, each across the 2025 Spring Festival
//! (28 January – 4 February off; Sunday 26 January and Saturday 8 February worked).

use super::tests::{FILED, d, ev, project, with_filed};
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
            ("eia", EventKind::Rejected, d("2025-02-13"))
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
    assert_eq!(again.events().len(), 8);
    assert_eq!(again.state(), p.state());
    assert_eq!(again.effective_events().count(), 6);
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
    assert_eq!(store.load("P").expect("stored").1.len(), FILED.len());
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
    assert_eq!(store.load("P").expect("stored").1.len(), 8);
}
