//! Transitions, refusals, clocks and replay, on the `cn` calendar around the 2025 Spring Festival
//! (28 January – 4 February off; Sunday 26 January and Saturday 8 February worked).

use std::sync::Arc;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

pub(super) const FLOW: &str = "
id: t
name: 测试流程
calendar: cn
budget: 30
params:
  big: { type: bool, default: false }
stages:
  - id: s1
    name: 一
    steps:
      - { id: filing, name: 备案, dept: 发改局, promised: 1, legal: 5 }
      - parallel:
          - { id: land, name: 用地规划, dept: 自然资源局, promised: 5, legal: 20, on_timeout: deem-approved }
          - { id: eia, name: 环评, dept: 生态环境局, promised: 7, legal: 60, procedures: { expert-review: 3 } }
          - { id: energy, name: 节能审查, dept: 发改局, promised: 5, when: big }
      - { id: permit, name: 施工许可, dept: [住建局, 消防], promised: 5, legal: 15, provisional: { before: [land, eia, energy], confirm_within: 5 } }
";

pub(super) fn d(s: &str) -> NaiveDate {
    s.parse().expect("test dates are valid")
}

/// The day the tests run on, as far as the runtime knows: after every date they record.
pub(super) fn today() -> NaiveDate {
    d("2026-06-30")
}

pub(super) fn flow() -> Arc<Flow> {
    Arc::new(Flow::parse("t.yaml", FLOW).unwrap_or_else(|r| panic!("{}", r.render())))
}

/// An event of `kind`, which may carry its details after the kind's name:
/// `procedure-started expert-review`, `extended 10 局长`, `terminated 理由`.
pub(super) fn ev(step: &str, kind: &str, date: &str) -> NewEvent {
    let mut words = kind.split_whitespace();
    let kind: EventKind = words.next().unwrap_or("").parse().expect("test kinds are valid");
    let rest: Vec<&str> = words.collect();
    let e = NewEvent::new(step, kind, d(date));
    match (kind, rest.as_slice()) {
        (_, []) => e,
        (EventKind::ProcedureStarted, [k]) => e.procedure(k.parse().expect("a procedure kind")),
        (EventKind::Extended, [n, by]) => e.days(n.parse().expect("days")).by(*by),
        (_, words) => e.reason(words.join(" ")),
    }
}

/// `e` with the details its kind needs ([`Detail::required`]), for tests that pick kinds at random.
pub(super) fn detailed(mut e: NewEvent) -> NewEvent {
    for need in Detail::required(e.kind) {
        e = match need {
            Detail::Reason => e.reason("材料不全"),
            Detail::Days => e.days(3),
            Detail::By => e.by("局长"),
            Detail::Kind => e.procedure(ProcedureKind::ExpertReview),
            Detail::Dept => e.dept("消防"),
            Detail::Verdict => e.verdict(Verdict::Agree),
            Detail::Agent => e.agent("王芳"),
            Detail::Mode => e.mode(Mode::Simulated),
            Detail::AnswerWithin => e.answer_within(3),
        };
    }
    e
}

/// A project started on Friday 24 January 2025 with `events` recorded.
pub(super) fn project(events: &[(&str, &str, &str)]) -> (MemoryStore, Project) {
    let store = MemoryStore::new();
    let mut p = Project::create(&store, flow(), "P", d("2025-01-24"), &[]).expect("project starts");
    // Simulated mode (模拟审批), so that `permit` may run ahead of what its `before` names.
    let mode = NewEvent::project(EventKind::ModeSet, d("2025-01-24")).mode(Mode::Simulated);
    p.record(&store, mode, today()).expect("mode set");
    for &(s, k, t) in events {
        p.record(&store, ev(s, k, t), today()).unwrap_or_else(|e| panic!("{s} {k} {t}: {e}"));
    }
    (store, p)
}

pub(super) const FILED: [(&str, &str, &str); 2] =
    [("filing", "accepted", "2025-01-24"), ("filing", "approved", "2025-01-26")];

pub(super) fn with_filed(
    more: &[(&'static str, &'static str, &'static str)],
) -> Vec<(&'static str, &'static str, &'static str)> {
    FILED.iter().chain(more).copied().collect()
}

/// Records `events`, then checks each step's state.
fn check(events: &[(&str, &str, &str)], expected: &[(&str, StepState)]) {
    let (store, p) = project(events);
    for &(step, state) in expected {
        assert_eq!(p.step_state(step), Some(state), "state of `{step}` after {events:?}");
    }
    // The log replays to the same state.
    let again = Project::open(&store, "P").expect("replays");
    assert_eq!(again.state(), p.state());
}

#[test]
fn every_transition() {
    use StepState as S;
    check(&[], &[("filing", S::Ready), ("land", S::Waiting), ("permit", S::Waiting)]);
    check(&[("filing", "accepted", "2025-01-24")], &[("filing", S::Accepted)]);
    check(&FILED, &[("filing", S::Approved), ("land", S::Ready), ("eia", S::Ready), ("permit", S::Waiting)]);
    check(&[("filing", "accepted-incomplete", "2025-01-24")], &[("filing", S::AcceptedIncomplete)]);
    check(
        &[("filing", "accepted-incomplete", "2025-01-24"), ("filing", "supplement-received", "2025-01-26")],
        &[("filing", S::Accepted)],
    );
    let paused =
        with_filed(&[("land", "accepted", "2025-01-27"), ("land", "supplement-requested", "2025-02-05")]);
    check(&paused, &[("land", S::Paused)]);
    let mut resumed = paused.clone();
    resumed.push(("land", "supplement-received", "2025-02-07"));
    check(&resumed, &[("land", S::Accepted)]);
    let proc = with_filed(&[
        ("eia", "accepted", "2025-01-27"),
        ("eia", "procedure-started expert-review", "2025-02-05"),
    ]);
    check(&proc, &[("eia", S::Paused)]);
    let mut ended = proc.clone();
    ended.push(("eia", "procedure-ended", "2025-02-20"));
    check(&ended, &[("eia", S::Accepted)]);
    for (kind, state) in [("rejected", S::Rejected), ("returned", S::Returned), ("withdrawn", S::Withdrawn)] {
        let mut evs = proc.clone();
        evs.push(("eia", kind, "2025-02-21"));
        check(&evs, &[("eia", state)]);
    }
    check(
        &with_filed(&[
            ("eia", "accepted", "2025-01-27"),
            ("eia", "returned", "2025-02-05"),
            ("eia", "accepted", "2025-02-06"),
        ]),
        &[("eia", S::Accepted)],
    );
    check(&[("permit", "withdrawn", "2025-01-24")], &[("permit", S::Withdrawn)]);
    // 收件 and 受理 (Art. 32): received, then accepted, refused, or completed by 补正 first.
    let received = with_filed(&[("eia", "received", "2025-01-27")]);
    check(&received, &[("eia", S::Received)]);
    for (kind, state) in [
        ("accepted", S::Accepted),
        ("accepted-incomplete", S::AcceptedIncomplete),
        ("not-accepted 不属于受理范围", S::NotAccepted),
        ("supplement-requested", S::Paused),
        ("withdrawn", S::Withdrawn),
        ("terminated 申请人注销", S::Terminated),
        ("deemed-accepted", S::Accepted),
    ] {
        let date = if kind == "deemed-accepted" { "2025-01-27" } else { "2025-02-05" };
        let mut evs = received.clone();
        evs.push(("eia", kind, date));
        check(&evs, &[("eia", state)]);
    }
    let mut completing = received.clone();
    completing.extend([
        ("eia", "supplement-requested", "2025-02-05"),
        ("eia", "supplement-received", "2025-02-07"),
    ]);
    check(&completing, &[("eia", S::Received)]);
    let mut extended = received.clone();
    extended.extend([("eia", "accepted", "2025-02-05"), ("eia", "extended 4 局长", "2025-02-06")]);
    check(&extended, &[("eia", S::Accepted)]);
    // Extended while paused stays paused; 4 + 6 is the step's 10.
    extended
        .extend([("eia", "supplement-requested", "2025-02-07"), ("eia", "extended 6 局长", "2025-02-07")]);
    check(&extended, &[("eia", S::Paused)]);
    // Re-application: after an application ends without approval, a new one starts attempt 2.
    for end in ["rejected", "withdrawn", "terminated 撤回", "returned"] {
        for again in ["received", "accepted", "accepted-incomplete"] {
            let evs = with_filed(&[
                ("eia", "accepted", "2025-01-27"),
                ("eia", end, "2025-02-05"),
                ("eia", again, "2025-02-06"),
            ]);
            let (_, p) = project(&evs);
            let run = p.state().run(p.graph().node("eia").expect("eia"));
            assert_eq!(run.attempt, 2, "{end} then {again}");
        }
    }
    // 模拟审批: accepted and approved ahead of land and eia, confirmed once both are done.
    let provisional =
        with_filed(&[("permit", "accepted", "2025-01-27"), ("permit", "provisional-approved", "2025-02-05")]);
    check(&provisional, &[("permit", S::ProvisionalApproved)]);
    let mut confirmed = provisional.clone();
    confirmed.extend([
        ("land", "accepted", "2025-01-27"),
        ("land", "approved", "2025-02-06"),
        ("eia", "accepted", "2025-01-27"),
        ("eia", "approved", "2025-02-07"),
        ("permit", "confirmed", "2025-02-07"),
    ]);
    check(&confirmed, &[("permit", S::Approved)]);
    let mut revoked = provisional.clone();
    revoked.extend([
        ("eia", "accepted", "2025-01-27"),
        ("eia", "rejected", "2025-02-06"),
        ("permit", "revoked", "2025-02-06"),
    ]);
    check(&revoked, &[("permit", S::Revoked), ("eia", S::Rejected)]);
    // 超时默认: land (5 days from Monday 27 January, across the holiday) is due 10 February.
    check(
        &with_filed(&[("land", "accepted", "2025-01-27"), ("land", "deemed-approved", "2025-02-11")]),
        &[("land", S::DeemedApproved)],
    );
}

/// Records `before`, then checks that `event` is refused for `why` and that nothing was written.
fn refused(before: &[(&str, &str, &str)], event: (&str, &str, &str), why: RefusalReason) {
    let (store, mut p) = project(before);
    let n = p.events().len();
    let err = p.record(&store, ev(event.0, event.1, event.2), today()).expect_err("refused");
    let refusal = err.refusal().unwrap_or_else(|| panic!("{event:?} should be refused: {err}"));
    let kind = event.1.split_whitespace().next().unwrap_or("");
    assert_eq!((refusal.step.as_str(), refusal.event.as_str()), (event.0, kind));
    assert_eq!(refusal.reason, why, "{err}");
    assert_eq!(p.events().len(), n);
    assert_eq!(store.load("P").expect("stored").1.len(), n, "nothing written for {event:?}");
}

fn wrong(state: StepState, needs: Needs) -> RefusalReason {
    RefusalReason::WrongState { state, needs }
}

fn waiting(steps: &[&str], provisional: bool, acceptance: bool) -> RefusalReason {
    RefusalReason::WaitingFor {
        steps: steps.iter().map(|s| s.to_string()).collect(),
        provisional,
        acceptance,
    }
}

#[test]
fn every_refusal() {
    use RefusalReason as R;
    use StepState as S;
    refused(&[], ("permit", "approved", "2025-01-24"), wrong(S::Waiting, Needs::Accepted));
    refused(
        &[],
        ("filng", "accepted", "2025-01-24"),
        R::UnknownStep { suggestion: Some("filing".into()), flow: "t".into() },
    );
    refused(&[], ("energy", "accepted", "2025-01-24"), R::NotInProject { condition: Some("big".into()) });
    refused(
        &[],
        ("filing", "accepted", "2025-01-23"),
        R::BeforeStart { date: d("2025-01-23"), start: d("2025-01-24") },
    );
    refused(&[], ("land", "accepted", "2025-01-27"), waiting(&["filing"], false, true));
    refused(
        &[("filing", "accepted", "2025-01-24")],
        ("filing", "accepted", "2025-01-24"),
        wrong(S::Accepted, Needs::ReceivedOrReadyToFile),
    );
    refused(&FILED, ("filing", "rejected", "2025-01-27"), wrong(S::Approved, Needs::AcceptedOrPaused));
    refused(
        &FILED,
        ("land", "accepted", "2025-01-25"),
        R::BeforePrerequisites { date: d("2025-01-25"), done: d("2025-01-26") },
    );
    refused(
        &with_filed(&[("land", "accepted", "2025-02-05")]),
        ("land", "approved", "2025-02-04"),
        R::BeforeLastEvent { date: d("2025-02-04"), last: d("2025-02-05") },
    );
    refused(&FILED, ("land", "supplement-received", "2025-01-27"), wrong(S::Ready, Needs::SupplementOwed));
    refused(&FILED, ("land", "procedure-ended", "2025-01-27"), wrong(S::Ready, Needs::InProcedure));
    let paused =
        with_filed(&[("land", "accepted", "2025-01-27"), ("land", "supplement-requested", "2025-02-05")]);
    refused(&paused, ("land", "procedure-ended", "2025-02-06"), wrong(S::Paused, Needs::InProcedure));
    refused(&paused, ("land", "approved", "2025-02-06"), wrong(S::Paused, Needs::Accepted));
    refused(
        &with_filed(&[("land", "accepted-incomplete", "2025-01-27")]),
        ("land", "approved", "2025-02-05"),
        R::MaterialOwed,
    );
    refused(
        &with_filed(&[("land", "accepted-incomplete", "2025-01-27")]),
        ("land", "supplement-received", "2025-02-11"),
        R::MaterialLate { due: d("2025-02-10") },
    );
    refused(
        &with_filed(&[("eia", "accepted", "2025-01-27")]),
        ("eia", "provisional-approved", "2025-02-05"),
        R::NotProvisional,
    );
    refused(
        &with_filed(&[("permit", "accepted", "2025-01-27")]),
        ("permit", "approved", "2025-02-05"),
        waiting(&["land", "eia"], true, false),
    );
    // 模拟审批 runs ahead of the steps `before` names only: the permit still waits for filing.
    refused(&[], ("permit", "accepted", "2025-01-24"), waiting(&["filing"], false, true));
    let provisional =
        with_filed(&[("permit", "accepted", "2025-01-27"), ("permit", "provisional-approved", "2025-02-05")]);
    refused(&provisional, ("permit", "confirmed", "2025-02-06"), waiting(&["land", "eia"], false, false));
    refused(&provisional, ("permit", "revoked", "2025-02-06"), R::NoFailedPrerequisite);
    refused(
        &with_filed(&[("land", "accepted", "2025-01-27")]),
        ("land", "deemed-approved", "2025-02-10"),
        R::LimitNotPassed { due: d("2025-02-10"), date: d("2025-02-10") },
    );
    // The clock stop pushes the due date back by two working days (6 and 7 February).
    refused(
        &with_filed(&[
            ("land", "accepted", "2025-01-27"),
            ("land", "supplement-requested", "2025-02-05"),
            ("land", "supplement-received", "2025-02-07"),
        ]),
        ("land", "deemed-approved", "2025-02-12"),
        R::LimitNotPassed { due: d("2025-02-12"), date: d("2025-02-12") },
    );
    refused(
        &with_filed(&[("eia", "accepted", "2025-01-27")]),
        ("eia", "deemed-approved", "2025-03-27"),
        R::NotDeemedOnTimeout,
    );
    refused(
        &[("filing", "withdrawn", "2025-01-24")],
        ("filing", "withdrawn", "2025-01-25"),
        wrong(S::Withdrawn, Needs::Undecided),
    );
    // The window's procedure: 收件, 不予受理, deemed acceptance, extension, 终止办理.
    let received = with_filed(&[("eia", "received", "2025-01-27")]);
    let accepted = with_filed(&[("eia", "accepted", "2025-01-27")]);
    refused(&accepted, ("eia", "received", "2025-02-05"), wrong(S::Accepted, Needs::ReadyToFile));
    refused(&accepted, ("eia", "not-accepted 材料不全", "2025-02-05"), wrong(S::Accepted, Needs::Received));
    refused(&FILED, ("eia", "extended 3 局长", "2025-01-27"), wrong(S::Ready, Needs::AcceptedOrPaused));
    refused(&FILED, ("eia", "terminated 理由", "2025-01-27"), wrong(S::Ready, Needs::Filed));
    refused(
        &received,
        ("eia", "deemed-accepted", "2025-02-20"),
        R::NotOnReceipt { received: d("2025-01-27") },
    );
    refused(&accepted, ("eia", "deemed-accepted", "2025-02-20"), wrong(S::Accepted, Needs::Received));
    refused(&received, ("eia", "extended 3 局长", "2025-02-05"), wrong(S::Received, Needs::AcceptedOrPaused));
    refused(&received, ("eia", "procedure-ended", "2025-02-05"), wrong(S::Received, Needs::InProcedure));
    refused(&accepted, ("eia", "extended 0 局长", "2025-02-05"), R::MissingDetail { detail: Detail::Days });
    refused(&accepted, ("eia", "procedure-started", "2025-02-05"), R::MissingDetail { detail: Detail::Kind });
}

/// The words a person reads for each kind of refusal: one message per reason, pinned here.
#[test]
fn refusals_read_as_sentences() {
    let say = |before: &[(&str, &str, &str)], event: (&str, &str, &str)| {
        let (store, mut p) = project(before);
        p.record(&store, ev(event.0, event.1, event.2), today()).expect_err("refused").to_string()
    };
    assert_eq!(
        say(&[], ("permit", "approved", "2025-01-24")),
        "cannot record `approved` for step `permit`: the step is waiting; `approved` needs it accepted"
    );
    assert_eq!(
        say(&[], ("filng", "accepted", "2025-01-24")),
        "cannot record `accepted`: unknown step `filng`; did you mean `filing`?"
    );
    assert_eq!(
        say(&[], ("energy", "accepted", "2025-01-24")),
        "cannot record `accepted`: step `energy` is not part of this project (`when: big` is false)"
    );
    assert_eq!(
        say(&[], ("land", "accepted", "2025-01-27")),
        "cannot record `accepted` for step `land`: it still waits for `filing`; only a step marked \
         `provisional` may be accepted ahead of its prerequisites"
    );
    assert_eq!(
        say(&with_filed(&[("permit", "accepted", "2025-01-27")]), ("permit", "approved", "2025-02-05")),
        "cannot record `approved` for step `permit`: it still waits for `land`, `eia`; record \
         `provisional-approved` (模拟审批) instead"
    );
    assert_eq!(
        say(
            &with_filed(&[("land", "accepted-incomplete", "2025-01-27")]),
            ("land", "supplement-received", "2025-02-11")
        ),
        "cannot record `supplement-received` for step `land`: the material owed under 容缺 had to arrive \
         by 2025-02-10; the application ended — record `terminated`"
    );
}

#[test]
fn idempotency_key_records_once() {
    let (store, mut p) = project(&[]);
    let first =
        p.record(&store, ev("filing", "accepted", "2025-01-24").with_key("k1"), today()).expect("records");
    let again = p
        .record(&store, ev("filing", "accepted", "2025-01-24").with_key("k1"), today())
        .expect("retry succeeds");
    assert_eq!(first, again);
    // A second client that loaded the project before the first append retries through the store.
    let (record, events) = store.load("P").expect("stored");
    let mut stale = Project::replay(record, events[..1].to_vec()).expect("replays");
    let via_store =
        stale.record(&store, ev("filing", "accepted", "2025-01-24").with_key("k1"), today()).expect("retry");
    assert_eq!(via_store, first);
    assert_eq!(store.load("P").expect("stored").1.len(), 2);
    let err = p
        .record(&store, ev("filing", "approved", "2025-01-26").with_key("k1"), today())
        .expect_err("key reused");
    let reason = err.refusal().map(|r| &r.reason);
    assert!(matches!(reason, Some(RefusalReason::KeyReused { seq: 2, .. })), "{err}");
}

#[test]
fn stale_writer_gets_a_conflict() {
    let (store, mut p) = project(&[]);
    let mut stale = Project::open(&store, "P").expect("opens");
    p.record(&store, ev("filing", "accepted", "2025-01-24"), today()).expect("records");
    let err = stale.record(&store, ev("filing", "withdrawn", "2025-01-24"), today()).expect_err("conflict");
    assert!(err.is_conflict(), "{err}");
    assert_eq!(store.load("P").expect("stored").1.len(), 2);
}

#[test]
fn flow_is_pinned_by_hash() {
    let (store, p) = project(&FILED);
    assert_eq!(p.info().flow_hash, flow_hash(FLOW));
    assert_eq!(p.info().flow_hash.len(), 64);
    let (mut record, events) = store.load("P").expect("stored");
    record.flow_text.push_str("\n# edited\n");
    let err = Project::replay(record, events).expect_err("tampered text");
    assert!(err.is_corrupt() && err.to_string().contains("hashes to"), "{err}");
}

#[test]
fn clocks_across_the_holiday_and_a_stop() {
    let (_, p) = project(&with_filed(&[
        ("land", "accepted", "2025-01-27"),
        ("land", "supplement-requested", "2025-02-05"),
        ("land", "supplement-received", "2025-02-07"),
        ("eia", "accepted", "2025-01-27"),
    ]));
    let s = p.status(d("2025-02-11")).expect("status");
    let land = &s.steps[1];
    assert_eq!(
        (land.id.as_str(), land.due, land.used, land.left),
        ("land", Some(d("2025-02-12")), Some(4), Some(1))
    );
    assert_eq!((land.alert, land.clock), (Alert::Reminder, Some(Clock::Limit)));
    let s = p.status(d("2025-02-12")).expect("status");
    assert_eq!((s.steps[1].alert, s.steps[1].left), (Alert::Yellow, Some(0)));
    // The day after, its limit has passed: the flow deems it approved, and
    // status reads it so (what the engine owes, not yet recorded).
    let s = p.status(d("2025-02-13")).expect("status");
    assert_eq!((s.steps[1].state, s.steps[1].left), (StepState::DeemedApproved, Some(0)));
    assert_eq!(s.owed, vec![NewEvent::engine("land", EventKind::DeemedApproved, d("2025-02-13"))]);
    // An open stop: still paused on 10 February, the due date moves with it.
    let (_, q) = project(&with_filed(&[
        ("land", "accepted", "2025-01-27"),
        ("land", "supplement-requested", "2025-02-05"),
    ]));
    let s = q.status(d("2025-02-10")).expect("status");
    assert_eq!((s.steps[1].state, s.steps[1].paused_for), (StepState::Paused, Some(PauseReason::Supplement)));
    // 5 February counts; 6–10 February are stopped; 11–14 February finish the five days.
    assert_eq!(s.steps[1].due, Some(d("2025-02-14")));
    assert_eq!(s.steps[1].used, Some(1));
}

#[test]
fn engine_records_deemed_approval_after_the_due_date_only() {
    let (store, mut p) = project(&with_filed(&[
        ("land", "accepted", "2025-01-27"),
        ("eia", "accepted-incomplete", "2025-01-27"),
    ]));
    assert!(p.owed(d("2025-02-10")).expect("owed").is_empty());
    let owed = p.owed(d("2025-02-11")).expect("owed");
    assert_eq!(owed, vec![NewEvent::engine("land", EventKind::DeemedApproved, d("2025-02-11"))]);
    // eia (7 days) is due 12 February; its 容缺 material never came, so it is terminated (终止办理) after that.
    let recorded = p.advance(&store, d("2025-02-14"), today()).expect("advance");
    let kinds: Vec<_> = recorded.iter().map(|e| (e.step.as_str(), e.kind, e.date)).collect();
    assert_eq!(
        kinds,
        vec![
            ("land", EventKind::DeemedApproved, d("2025-02-11")),
            ("eia", EventKind::Terminated, d("2025-02-13"))
        ]
    );
    assert!(p.advance(&store, d("2025-02-14"), today()).expect("advance again").is_empty());
    let s = p.status(d("2025-02-14")).expect("status");
    assert_eq!(s.blocked_by.as_deref(), Some("eia"));
    assert_eq!(s.projected_finish, None);
}

#[test]
fn engine_revokes_provisional_approvals_and_leaves_confirming_to_the_department() {
    let base = with_filed(&[
        ("permit", "accepted", "2025-01-27"),
        ("permit", "provisional-approved", "2025-02-05"),
        ("land", "accepted", "2025-01-27"),
        ("land", "approved", "2025-02-06"),
        ("eia", "accepted", "2025-01-27"),
    ]);
    let mut ok = base.clone();
    ok.push(("eia", "approved", "2025-02-07"));
    let (_, p) = project(&ok);
    assert_eq!(p.owed(d("2025-02-10")).expect("owed"), Vec::new());
    // Confirmed within `confirm_within` (5) working days of the last prerequisite (Saturday 8 February is worked): by the 13th.
    assert_eq!(p.status(d("2025-02-10")).expect("status").steps[3].confirm_due, Some(d("2025-02-13")));
    let mut bad = base.clone();
    bad.push(("eia", "rejected", "2025-02-07"));
    let (_, p) = project(&bad);
    assert_eq!(
        p.owed(d("2025-02-10")).expect("owed"),
        vec![NewEvent::engine("permit", EventKind::Revoked, d("2025-02-07"))]
    );
}

#[test]
fn status_outlook_and_board() {
    let (store, p) = project(&with_filed(&[
        ("land", "accepted", "2025-01-27"),
        ("land", "approved", "2025-02-05"),
        ("eia", "accepted", "2025-01-27"),
    ]));
    let s = p.status(d("2025-02-14")).expect("status");
    // eia: 7 days from 27 January is 12 February (8 February is worked); 2 days over on the 14th.
    let eia = &s.steps[2];
    assert_eq!(
        (eia.due, eia.left, eia.alert, eia.clock),
        (Some(d("2025-02-12")), Some(-2), Alert::Red, Some(Clock::Limit))
    );
    assert_eq!(s.on_time_rate, Some(1.0));
    // filing: legal 5, used 1 (Sunday 26 January); land: legal 20, used 1 (the holiday does not count).
    assert_eq!(s.steps[1].used, Some(1));
    assert_eq!(s.speed_up, Some((4.0 + 19.0) / 25.0));
    // Remaining: eia finishes today at the earliest, permit 5 working days later.
    assert_eq!(s.projected_finish, Some(d("2025-02-21")));
    assert!(s.slack.is_some_and(|x| x > 0), "{:?}", s.slack);
    let (_, other) = project(&FILED);
    let _ = store;
    let rows = board([&p, &other], d("2025-02-14"), None).expect("board");
    let seen: Vec<_> =
        rows.iter().map(|r| (r.dept.as_str(), r.project.as_str(), r.step.as_str(), r.alert)).collect();
    assert_eq!(seen, vec![("生态环境局", "P", "eia", Alert::Red)]);
    assert!(board([&p], d("2025-02-14"), Some("住建局")).expect("board").is_empty());
    // Steps the applicant has not filed are the applicant's time: the budget clock waits.
    assert!(board([&other], d("2025-04-30"), Some("生态环境局")).expect("board").is_empty());
}

#[test]
fn plan_clock_moves_with_the_counted_days_really_used() {
    // eia takes 20 counted days instead of 7: the budget of 30 leaves permit 30 - 1 - 20 = 9.
    let cal = flow_calendar();
    let eia_done = cal.add_working_days(d("2025-01-27"), 20).expect("in the calendar");
    let permit_in = cal.add_working_days(eia_done, 1).expect("in the calendar");
    let (eia_done_s, permit_in_s) = (eia_done.to_string(), permit_in.to_string());
    let events: Vec<(&str, &str, &str)> = FILED
        .iter()
        .copied()
        .chain([
            ("land", "accepted", "2025-01-27"),
            ("land", "approved", "2025-02-05"),
            ("eia", "accepted", "2025-01-27"),
            ("eia", "approved", eia_done_s.as_str()),
            ("permit", "accepted", permit_in_s.as_str()),
        ])
        .collect();
    let (_, p) = project(&events);
    let s = p.status(permit_in).expect("status");
    let permit = s.steps.iter().find(|x| x.id == "permit").expect("permit");
    assert_eq!(permit.plan_deadline, cal.add_working_days(permit_in, 9).expect("in the calendar"));
    // Its own limit (5 days) is tighter, so the plan clock is quiet until day 9.
    let late = cal.add_working_days(permit_in, 10).expect("in the calendar");
    let s = p.status(late).expect("status");
    let permit = s.steps.iter().find(|x| x.id == "permit").expect("permit");
    assert_eq!(permit.alert, Alert::Red);
    assert_eq!(s.deadline, permit.plan_deadline);
}

#[test]
fn a_deemed_approval_uses_exactly_its_limit() {
    // Regression: the deemed approval is dated the day after the due date, which used to count one day more.
    let (store, mut p) = project(&with_filed(&[("land", "accepted", "2025-02-05")]));
    p.advance(&store, d("2025-03-31"), today()).expect("advances");
    let s = p.status(d("2025-03-31")).expect("status");
    let land = s.steps.iter().find(|x| x.id == "land").expect("land");
    assert_eq!((land.state, land.used, land.left), (StepState::DeemedApproved, Some(5), Some(0)));
}

fn flow_calendar() -> crate::calendar::Calendar {
    crate::calendar::Calendar::cn()
}

/// Every event the state allows on `date`, in a fixed order.
fn allowed(p: &Project, date: NaiveDate) -> Vec<NewEvent> {
    let mut out = Vec::new();
    for v in p.graph().nodes() {
        let id = p.graph().step(v).id();
        for kind in EventKind::ALL {
            let e = detailed(NewEvent::new(id, kind, date));
            if p.check(&e, date).is_ok() {
                out.push(e);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Random valid histories replay to the state they were built in, every
    /// prefix is a consistent state, and deemed approval never comes before the due date.
    #[test]
    fn random_histories_replay(choices in prop::collection::vec((0u8..4, any::<u16>(), 0u8..6), 1..40)) {
        let store = MemoryStore::new();
        let mut p = Project::create(&store, flow(), "P", d("2025-01-20"), &[]).expect("starts");
        let mode = NewEvent::project(EventKind::ModeSet, d("2025-01-20")).mode(Mode::Simulated);
        p.record(&store, mode, d("2025-01-20")).expect("simulated");
        let mut date = d("2025-01-20");
        for (gap, pick, advance) in choices {
            date = date + chrono::Days::new(u64::from(gap) * 2);
            if advance == 0 {
                p.advance(&store, date, date).expect("owed events are valid");
                continue;
            }
            let options = allowed(&p, date);
            if options.is_empty() {
                continue;
            }
            let e = options[pick as usize % options.len()].clone();
            p.record(&store, e, date).expect("an allowed event records");
        }
        // Reads on any day write nothing.
        let log = store.load("P").expect("stored");
        for ahead in [0u64, 3, 40, 400] {
            let day = date + chrono::Days::new(ahead);
            p.status(day).expect("status");
            p.owed(day).expect("owed");
            board([&p], day, None).expect("board");
        }
        prop_assert_eq!(&store.load("P").expect("stored"), &log);
        let (record, events) = log;
        let again = Project::replay(record.clone(), events.clone()).expect("replays");
        prop_assert_eq!(again.state(), p.state());
        // What a store keeps, made from the state built event by event, equals the replay's.
        prop_assert_eq!(again.projection().expect("projects"), p.projection().expect("projects"));
        for n in 0..=events.len() {
            let prefix = Project::replay(record.clone(), events[..n].to_vec()).expect("every prefix replays");
            let last = events[..n].iter().map(|e| e.date).max().unwrap_or(record.start);
            let s = prefix.status(last).expect("status of a prefix");
            for (v, st) in prefix.graph().nodes().zip(&s.steps) {
                // Only provisional steps run ahead of their prerequisites.
                let ahead = prefix.state().ready_on(prefix.graph(), v).is_none();
                if ahead && (st.state.is_active() || st.state == StepState::ProvisionalApproved) {
                    prop_assert!(prefix.graph().step(v).provisional().is_some(), "{} runs ahead", st.id);
                }
                if st.state.is_done() {
                    for &q in prefix.graph().dag().preds(v) {
                        prop_assert!(s.steps[q.index()].state.is_done(), "{} done before {}", st.id, s.steps[q.index()].id);
                    }
                }
            }
            if let Some(e) = events.get(n) {
                if e.kind == EventKind::DeemedApproved {
                    let v = prefix.graph().node(&e.step).expect("known step");
                    let due = prefix.state().due(&prefix.rules(), v, e.date).expect("due").expect("accepted");
                    prop_assert!(e.date > due, "deemed approved on {} with due {}", e.date, due);
                }
            }
        }
    }
}

#[test]
fn status_of_a_past_day_leaves_out_later_events() {
    let (_, p) =
        project(&with_filed(&[("land", "accepted", "2025-01-27"), ("land", "approved", "2025-02-05")]));
    let then = p.status(d("2025-01-27")).expect("status");
    let land = then.steps.iter().find(|s| s.id == "land").expect("land");
    assert_eq!((land.state, land.decided), (StepState::Accepted, None));
    let now = p.status(d("2025-02-06")).expect("status");
    let land = now.steps.iter().find(|s| s.id == "land").expect("land");
    assert_eq!(land.state, StepState::Approved);
    // Before anything was filed, the first step is merely ready.
    let before = p.status(d("2025-01-23")).expect("status");
    assert_eq!(before.steps[0].state, StepState::Ready);
}

#[test]
fn status_says_when_its_dates_run_past_the_calendar() {
    let (_, p) = project(&FILED);
    assert_eq!(p.status(d("2025-02-03")).expect("status").estimated_after, None);
    // Started late in 2026, the project's deadline lies in 2027, past the `cn` data.
    let store = MemoryStore::new();
    let late = Project::create(&store, flow(), "L", d("2026-12-01"), &[]).expect("starts");
    let s = late.status(d("2026-12-01")).expect("status");
    assert_eq!(s.estimated_after, Some(d("2026-12-31")));
}

#[test]
fn a_calendar_file_is_pinned_with_the_project() {
    // A county's own calendar: Tuesday 2025-03-11 off. Editing the file later
    // must not move the deadlines of a project already running.
    let dir = std::env::temp_dir().join(format!("shenpi-pin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cal = dir.join("county.yaml");
    std::fs::write(&cal, "base: cn\nholidays:\n  - 2025-03-11\n").expect("writes");
    let flow_path = dir.join("f.yaml");
    std::fs::write(&flow_path, FLOW.replace("calendar: cn", "calendar: county.yaml")).expect("writes");
    let flow = Arc::new(Flow::load(&flow_path).expect("loads"));
    let store = MemoryStore::new();
    // The runtime reads no files: without the calendar handed in, it says what to do.
    let err = Project::create(&store, flow.clone(), "C", d("2025-03-03"), &[]).expect_err("needs the file");
    assert_eq!(err.kind(), crate::ErrorKind::CalendarNeeded, "{err}");
    assert!(err.to_string().contains("`county.yaml`"), "{err}");
    let text = std::fs::read_to_string(&cal).expect("reads");
    let county = ProjectCalendar::from_yaml("county.yaml", text).expect("parses");
    let mut p = Project::create_on(&store, county, flow, "C", d("2025-03-03"), &[]).expect("starts");
    assert!(p.info().calendar_text.as_deref().is_some_and(|t| t.contains("2025-03-11")));
    p.record(&store, ev("filing", "accepted", "2025-03-10"), today()).expect("records");
    let due = |p: &Project| p.status(d("2025-03-10")).expect("status").steps[0].due;
    // One working day after Monday the 10th skips the county's Tuesday off.
    assert_eq!(due(&p), Some(d("2025-03-12")));
    std::fs::write(&cal, "base: cn\n").expect("rewrites");
    let again = Project::open(&store, "C").expect("replays");
    assert_eq!(due(&again), Some(d("2025-03-12")));
    std::fs::remove_dir_all(&dir).expect("cleans up");
}

#[test]
fn a_clock_stop_pushes_the_plan_deadline_back_too() {
    let base = with_filed(&[("eia", "accepted", "2025-02-05")]);
    let (_, plain) = project(&base);
    let mut paused = base.clone();
    paused.push(("eia", "supplement-requested", "2025-02-06"));
    paused.push(("eia", "supplement-received", "2025-02-12"));
    let (_, paused) = project(&paused);
    let deadline = |p: &Project| {
        let s = p.status(d("2025-02-13")).expect("status");
        s.steps.iter().find(|x| x.id == "eia").expect("eia").plan_deadline
    };
    // 补正 from the 6th to the 12th stops five working days: 7, 8 (a make-up
    // Saturday after the Spring Festival), 10, 11 and 12 February.
    let cal = flow_calendar();
    assert_eq!(deadline(&paused), cal.add_working_days(deadline(&plain), 5).expect("in the calendar"));
}

// A year's arrangement reaches running projects without a release; the log shows when.
#[test]
fn status_and_every_recorded_event_say_which_calendar_data_they_counted_on() {
    let (store, mut p) = project(&with_filed(&[("land", "accepted", "2025-01-27")]));
    let version = p.calendar().data_version().to_string();
    assert!(version.starts_with("2004..") && version.contains(" sha256:"), "{version}");
    let s = p.status(d("2025-02-03")).expect("status");
    assert_eq!((s.calendar.as_str(), s.calendar_data.as_str()), ("cn", version.as_str()));
    // A caller cannot set it: the runtime does, on people's events and the engine's alike.
    let mut claimed = ev("eia", "accepted", "2025-01-27");
    claimed.detail.calendar_data = Some("made up".into());
    p.record(&store, claimed, today()).expect("records");
    p.advance(&store, d("2025-02-14"), today()).expect("advance");
    let (_, log) = store.load("P").expect("stored");
    assert!(log.iter().any(|e| e.is_engine()));
    assert!(log.iter().all(|e| e.detail.calendar_data.as_deref() == Some(version.as_str())), "{log:?}");
}
