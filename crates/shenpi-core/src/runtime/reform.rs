//! The reform's mechanisms in live projects, one scenario each: joint
//! review, one window, intermediaries, agents, commitment approval and
//! simulated approval. March 2025 has no holiday: Monday 3 March to Friday 7,
//! Monday 10 to Friday 14, Monday 17.

use std::sync::Arc;

use chrono::NaiveDate;

use super::tests::{d, today};
use super::*;

fn start(text: &str) -> (MemoryStore, Project) {
    let flow = Arc::new(Flow::parse("m.yaml", text).unwrap_or_else(|r| panic!("{}", r.render())));
    let store = MemoryStore::new();
    let p = Project::create(&store, flow, "M", d("2025-03-03"), &[]).expect("starts");
    (store, p)
}

fn on(step: &str, kind: EventKind, date: &str) -> NewEvent {
    NewEvent::new(step, kind, d(date))
}

fn reason(err: &Error) -> Option<RefusalReason> {
    err.refusal().map(|r| r.reason.clone())
}

fn replays(store: &MemoryStore, p: &Project) {
    let again = Project::open(store, p.id()).expect("replays");
    assert_eq!(again.state(), p.state());
}

const JOINT: &str = "
id: j
name: 联合验收
calendar: cn
stages:
  - id: s
    name: 验收
    steps:
      - { id: survey, name: 规划核实, dept: 自然资源和规划局, promised: 2 }
      - id: acceptance
        name: 竣工联合验收
        kind: joint
        dept: 住建局
        promised: 5
        members:
          - { dept: 自然资源和规划局, promised: 3 }
          - { dept: 消防救援大队, promised: 3 }
          - { dept: 人防办, promised: 2 }
";

fn opinion(dept: &str, verdict: Verdict, date: &str) -> NewEvent {
    on("acceptance", EventKind::Opinion, date).dept(dept).verdict(verdict)
}

/// Accepted Monday 3 March: 人防办's opinion is due Wednesday 5, the others' Thursday 6, the step's Monday 10.
fn joint(text: &str) -> (MemoryStore, Project) {
    let (store, mut p) = start(text);
    let t = today();
    p.record(&store, on("survey", EventKind::Accepted, "2025-03-03"), t).expect("survey");
    p.record(&store, on("survey", EventKind::Approved, "2025-03-03"), t).expect("survey");
    p.record(&store, on("acceptance", EventKind::Accepted, "2025-03-03"), t).expect("accepted");
    (store, p)
}

#[test]
fn joint_review_waits_for_every_opinion_and_deems_the_silent_to_agree() {
    let (store, mut p) = joint(JOINT);
    let t = today();
    p.record(&store, opinion("人防办", Verdict::Conditions, "2025-03-04").note("补充人防图纸"), t)
        .expect("人防办");
    p.record(&store, opinion("自然资源和规划局", Verdict::Agree, "2025-03-05"), t).expect("规划");
    // The lead cannot decide while 消防 is silent within its limit.
    let err = p.record(&store, on("acceptance", EventKind::Approved, "2025-03-05"), t).expect_err("pending");
    assert_eq!(reason(&err), Some(RefusalReason::OpinionsPending { depts: vec!["消防救援大队".into()] }));
    assert!(err.to_string().contains("still silent: `消防救援大队`"), "{err}");
    let err = p.record(&store, on("acceptance", EventKind::Rejected, "2025-03-05"), t).expect_err("pending");
    assert_eq!(err.refusal().map(|r| r.reason.code()), Some("opinions-pending"));
    // Refusals a member's opinion may meet.
    let twice = p.record(&store, opinion("人防办", Verdict::Agree, "2025-03-05"), t).expect_err("twice");
    assert_eq!(
        reason(&twice),
        Some(RefusalReason::OpinionGiven { dept: "人防办".into(), date: d("2025-03-04") })
    );
    let stranger =
        p.record(&store, opinion("税务局", Verdict::Agree, "2025-03-05"), t).expect_err("stranger");
    assert_eq!(stranger.refusal().map(|r| r.reason.code()), Some("not-a-member"));
    let lead = on("survey", EventKind::Opinion, "2025-03-05").dept("人防办").verdict(Verdict::Agree);
    assert_eq!(reason(&p.record(&store, lead, t).expect_err("not joint")), Some(RefusalReason::NotJoint));
    let bare = on("acceptance", EventKind::Opinion, "2025-03-05").dept("消防救援大队");
    assert_eq!(
        reason(&p.record(&store, bare, t).expect_err("no verdict")),
        Some(RefusalReason::MissingDetail { detail: Detail::Verdict })
    );
    // On its last day 消防 is on the board under its own department, with its own due date.
    let rows = board([&p], d("2025-03-06"), Some("消防救援大队")).expect("board");
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert!(row.member);
    assert_eq!(
        (row.dept.as_str(), row.step.as_str(), row.due),
        ("消防救援大队", "acceptance", Some(d("2025-03-06")))
    );
    assert!(row.alert >= Alert::Yellow);
    // Status shows each member's clock and opinion.
    let s = p.status(d("2025-03-06")).expect("status");
    let members = &s.steps[1].members;
    assert_eq!(members.len(), 3);
    assert_eq!(members[1].due, Some(d("2025-03-06")));
    assert_eq!(members[1].left, Some(0));
    assert_eq!(
        members[2].opinion.as_ref().map(|o| (o.verdict, o.note.as_deref())),
        Some((Verdict::Conditions, Some("补充人防图纸")))
    );
    // Silent past its limit: deemed to agree the day after (owed, shown, recorded by `advance`).
    let s = p.status(d("2025-03-07")).expect("status");
    let owed: Vec<_> = s.owed.iter().map(|e| (e.kind, e.date, e.detail.dept.as_deref())).collect();
    assert_eq!(owed, vec![(EventKind::DeemedAgreed, d("2025-03-07"), Some("消防救援大队"))]);
    assert!(s.steps[1].members[1].opinion.as_ref().is_some_and(|o| o.deemed));
    let recorded = p.advance(&store, d("2025-03-07"), t).expect("advance");
    assert_eq!(recorded.len(), 1);
    // 消防's real opinion, dated its last day and entered late, takes the deemed one's place.
    let real = p.record(&store, opinion("消防救援大队", Verdict::Agree, "2025-03-06"), t).expect("late");
    assert_eq!(real.detail.supersedes, vec![recorded[0].seq]);
    p.record(&store, on("acceptance", EventKind::Approved, "2025-03-07"), t).expect("every opinion is in");
    assert_eq!(p.step_state("acceptance"), Some(StepState::Approved));
    replays(&store, &p);
}

#[test]
fn joint_review_under_silence_block_waits() {
    let (store, mut p) = joint(&JOINT.replace(
        "{ dept: 人防办, promised: 2 }\n",
        "{ dept: 人防办, promised: 2 }\n        silence: block\n",
    ));
    assert!(p.owed(d("2025-03-20")).expect("owed").is_empty());
    let deemed = on("acceptance", EventKind::DeemedAgreed, "2025-03-10").dept("人防办");
    assert_eq!(
        reason(&p.record(&store, deemed, today()).expect_err("block")),
        Some(RefusalReason::SilenceBlocks)
    );
    // The member stays red on the board until it speaks.
    let rows = board([&p], d("2025-03-12"), Some("人防办")).expect("board");
    assert_eq!(rows.iter().map(|r| (r.member, r.alert)).collect::<Vec<_>>(), vec![(true, Alert::Red)]);
}

const WINDOW: &str = "
id: w
name: 一窗受理
calendar: cn
stages:
  - id: s1
    name: 立项用地
    window: 政务服务中心
    steps:
      - { id: filing, name: 备案, dept: 发改局, promised: 1 }
      - parallel:
          - { id: land, name: 用地规划许可, dept: 自然资源局, promised: 5 }
          - { id: title, name: 土地证, dept: 自然资源局, promised: 5 }
          - { id: report, name: 环评报告编制, kind: intermediary, provider: 某环评公司, promised: 10 }
  - id: s2
    name: 施工
    steps:
      - { id: permit, name: 施工许可, dept: 住建局, promised: 5 }
";

#[test]
fn one_window_accepts_what_is_ready_and_later_steps_one_by_one() {
    let (store, mut p) = start(WINDOW);
    let t = today();
    let stage = |date: &str| on("stage:s1", EventKind::Accepted, date);
    assert_eq!(p.stage_target("stage:s1").as_deref(), Some("s1"));
    let first = p.record_stage(&store, "s1", stage("2025-03-03").with_key("w1"), t).expect("window");
    assert_eq!(first.iter().map(|e| e.step.as_str()).collect::<Vec<_>>(), vec!["filing"]);
    // A retry with the same key records nothing more.
    assert_eq!(p.record_stage(&store, "s1", stage("2025-03-03").with_key("w1"), t).expect("retry"), first);
    p.record(&store, on("filing", EventKind::Approved, "2025-03-03"), t).expect("filed");
    // The next acceptance at the window takes the two decisions now ready, not the intermediary's work.
    let second = p.record_stage(&store, "s1", stage("2025-03-04"), t).expect("window");
    let steps: Vec<_> = second.iter().map(|e| (e.step.as_str(), e.detail.window.as_deref())).collect();
    assert_eq!(steps, vec![("land", Some("政务服务中心")), ("title", Some("政务服务中心"))]);
    let err = p.record_stage(&store, "s1", stage("2025-03-05"), t).expect_err("nothing ready");
    assert_eq!(reason(&err), Some(RefusalReason::NothingReady));
    let err = p
        .record_stage(&store, "s2", on("stage:s2", EventKind::Accepted, "2025-03-05"), t)
        .expect_err("no window");
    assert_eq!(reason(&err), Some(RefusalReason::NoWindow));
    let err = p
        .record_stage(&store, "s9", on("stage:s9", EventKind::Accepted, "2025-03-05"), t)
        .expect_err("unknown");
    assert_eq!(err.refusal().map(|r| r.reason.code()), Some("unknown-step"));
    let s = p.status(d("2025-03-05")).expect("status");
    let windows: Vec<_> = s.steps.iter().map(|st| (st.id.as_str(), st.window.as_deref())).collect();
    assert_eq!(
        windows,
        vec![
            ("filing", Some("政务服务中心")),
            ("land", Some("政务服务中心")),
            ("title", Some("政务服务中心")),
            ("report", None),
            ("permit", None)
        ]
    );
    replays(&store, &p);
}

#[test]
fn an_intermediary_runs_on_its_own_clock_and_names_its_provider() {
    let (store, mut p) = start(WINDOW);
    let t = today();
    p.record(&store, on("filing", EventKind::Accepted, "2025-03-03"), t).expect("filing");
    p.record(&store, on("filing", EventKind::Approved, "2025-03-03"), t).expect("filing");
    p.record(&store, on("report", EventKind::Accepted, "2025-03-04"), t).expect("commissioned");
    let s = p.status(d("2025-03-19")).expect("status");
    let report = &s.steps[3];
    assert_eq!((report.provider.as_deref(), report.due), (Some("某环评公司"), Some(d("2025-03-18"))));
    assert_eq!((report.alert, report.clock), (Alert::Red, Some(Clock::Limit)));
    let rows = board([&p], d("2025-03-19"), None).expect("board");
    let row = rows.iter().find(|r| r.step == "report").expect("late intermediary on the board");
    assert_eq!(row.provider.as_deref(), Some("某环评公司"));
}

#[test]
fn agents_see_their_projects_with_the_step_due_next() {
    let (store, mut p) = start(WINDOW);
    let t = today();
    let assign = NewEvent::project(EventKind::AgentAssigned, d("2025-03-03")).agent("王芳");
    let e = p.record(&store, assign, t).expect("assigned");
    assert!(e.step.is_empty());
    p.record(&store, on("filing", EventKind::Accepted, "2025-03-03"), t).expect("filing");
    let (store2, mut q) = start(WINDOW);
    q.record(&store2, NewEvent::project(EventKind::AgentAssigned, d("2025-03-03")).agent("李明"), t)
        .expect("other");
    assert_eq!(p.agent(), Some("王芳"));
    assert_eq!(p.status(d("2025-03-04")).expect("status").agent.as_deref(), Some("王芳"));
    let rows = agent_view([&p, &q], d("2025-03-04"), "王芳").expect("view");
    assert_eq!(rows.len(), 1);
    let next = rows[0].next.as_ref().expect("filing is under way");
    assert_eq!((next.step.as_str(), next.due, next.alert), ("filing", d("2025-03-04"), Alert::Yellow));
    let mine =
        board_by([&p, &q], d("2025-03-04"), &BoardQuery { agent: Some("王芳"), dept: None }).expect("board");
    assert!(mine.iter().all(|r| r.project == "M" && r.agent.as_deref() == Some("王芳")) && !mine.is_empty());
    // Reassigned: the latest assignment holds.
    p.record(&store, NewEvent::project(EventKind::AgentAssigned, d("2025-03-04")).agent("李明"), t)
        .expect("again");
    assert!(agent_view([&p], d("2025-03-04"), "王芳").expect("view").is_empty());
    // An agent is assigned to the project, never to a step; a mode is set before any step's event.
    let on_step = on("filing", EventKind::AgentAssigned, "2025-03-04").agent("王芳");
    assert_eq!(
        reason(&p.record(&store, on_step, t).expect_err("a step")),
        Some(RefusalReason::ProjectLevel { project_level: true })
    );
    let late = NewEvent::project(EventKind::ModeSet, d("2025-03-04")).mode(Mode::Simulated);
    assert_eq!(reason(&p.record(&store, late, t).expect_err("late")), Some(RefusalReason::ModeAfterStart));
    replays(&store, &p);
}

const COMMITMENT: &str = "
id: c
name: 告知承诺
calendar: cn
stages:
  - id: s
    name: 施工许可
    steps:
      - { id: permit, name: 施工许可, dept: 住建局, promised: 5, commitment: { verify_within: 10 } }
      - { id: build, name: 施工, kind: owner, promised: 20 }
      - { id: check, name: 竣工验收, dept: 住建局, promised: 5 }
";

/// A follow-up clock after a decision (verifying a pledge, confirming a
/// provisional approval) of the step at `step` in status order.
struct FollowUp {
    step: usize,
    clock: Clock,
    /// The step's last day on this clock.
    due_of: fn(&StepStatus) -> Option<NaiveDate>,
}

impl FollowUp {
    /// Walks the clock: due on `due` (yellow that day), red on `late`; then
    /// `close` recorded on a copy of `p` ends it. Returns that copy.
    fn walk(&self, store: &MemoryStore, p: &Project, due: &str, late: &str, close: NewEvent) -> Project {
        let s = p.status(d(due)).expect("status");
        let step = &s.steps[self.step];
        assert_eq!((self.due_of)(step), Some(d(due)), "{:?} due", self.clock);
        assert_eq!((step.alert, step.clock), (Alert::Yellow, Some(self.clock)));
        let s = p.status(d(late)).expect("status");
        assert_eq!((s.steps[self.step].alert, s.steps[self.step].clock), (Alert::Red, Some(self.clock)));
        let mut closed = p.clone();
        closed.record(store, close, today()).expect("closes the clock");
        assert_eq!((self.due_of)(&closed.status(d(late)).expect("status").steps[self.step]), None);
        closed
    }
}

#[test]
fn commitment_approves_at_acceptance_and_owes_a_verification() {
    let (store, mut p) = start(COMMITMENT);
    let t = today();
    p.record(&store, on("permit", EventKind::Accepted, "2025-03-03"), t).expect("accepted");
    let later = on("permit", EventKind::Approved, "2025-03-04").commitment();
    assert_eq!(
        reason(&p.record(&store, later, t).expect_err("not at acceptance")),
        Some(RefusalReason::NotAtAcceptance { accepted: d("2025-03-03") })
    );
    p.record(&store, on("permit", EventKind::Approved, "2025-03-03").commitment(), t).expect("pledged");
    let s = p.status(d("2025-03-17")).expect("status");
    assert_eq!((s.steps[0].state, s.steps[0].used), (StepState::Approved, Some(0)));
    assert_eq!(s.steps[1].state, StepState::Ready);
    // Verified: nothing more is owed.
    let verify = FollowUp { step: 0, clock: Clock::Verification, due_of: |s| s.verify_due };
    let mut verified =
        verify.walk(&store, &p, "2025-03-17", "2025-03-19", on("permit", EventKind::Verified, "2025-03-10"));
    let again = on("permit", EventKind::CommitmentBreached, "2025-03-11");
    assert_eq!(
        reason(&verified.record(&store, again, t).expect_err("checked")),
        Some(RefusalReason::PledgeChecked { date: d("2025-03-10") })
    );
}

#[test]
fn a_broken_pledge_owes_revocation() {
    let (store, mut p) = start(COMMITMENT);
    let t = today();
    p.record(&store, on("permit", EventKind::Accepted, "2025-03-03"), t).expect("accepted");
    p.record(&store, on("permit", EventKind::Approved, "2025-03-03").commitment(), t).expect("pledged");
    let err =
        p.record(&store, on("permit", EventKind::Revoked, "2025-03-05"), t).expect_err("nothing broken");
    assert_eq!(reason(&err), Some(RefusalReason::NotBreached));
    p.record(&store, on("permit", EventKind::CommitmentBreached, "2025-03-12"), t).expect("breached");
    let owed = p.owed(d("2025-03-12")).expect("owed");
    assert_eq!(owed, vec![NewEvent::engine("permit", EventKind::Revoked, d("2025-03-12"))]);
    p.advance(&store, d("2025-03-12"), t).expect("advance");
    assert_eq!(p.step_state("permit"), Some(StepState::Revoked));
    assert_eq!(p.status(d("2025-03-12")).expect("status").blocked_by.as_deref(), Some("permit"));
    // Only a step whose flow allows it is approved on a pledge; only a pledge is verified.
    let (store, mut q) = start(COMMITMENT);
    q.record(&store, on("permit", EventKind::Accepted, "2025-03-03"), t).expect("accepted");
    q.record(&store, on("permit", EventKind::Approved, "2025-03-04"), t).expect("approved");
    let err = q.record(&store, on("permit", EventKind::Verified, "2025-03-05"), t).expect_err("no pledge");
    assert_eq!(reason(&err), Some(RefusalReason::NoPledge));
    q.record(&store, on("build", EventKind::Accepted, "2025-03-05"), t).expect("build");
    q.record(&store, on("build", EventKind::Approved, "2025-03-06"), t).expect("built");
    q.record(&store, on("check", EventKind::Accepted, "2025-03-07"), t).expect("check");
    let err = q
        .record(&store, on("check", EventKind::Approved, "2025-03-07").commitment(), t)
        .expect_err("no commitment");
    assert_eq!(reason(&err), Some(RefusalReason::NoCommitment));
    replays(&store, &q);
}

const SIMULATED: &str = "
id: s
name: 模拟审批
calendar: cn
stages:
  - id: s
    name: 用地规划
    steps:
      - { id: design, name: 设计方案, dept: 规划局, promised: 2 }
      - { id: title, name: 土地证, dept: 自然资源局, promised: 5 }
      - { id: plan, name: 规划许可, dept: 自然资源局, promised: 5, provisional: { before: [title], confirm_within: 3 } }
";

fn simulated() -> (MemoryStore, Project) {
    let (store, mut p) = start(SIMULATED);
    let mode = NewEvent::project(EventKind::ModeSet, d("2025-03-03")).mode(Mode::Simulated);
    p.record(&store, mode, today()).expect("simulated");
    (store, p)
}

#[test]
fn simulated_mode_runs_ahead_of_before_only_and_is_confirmed_within_its_days() {
    let t = today();
    // In normal mode nothing runs ahead.
    let (store, mut normal) = start(SIMULATED);
    normal.record(&store, on("design", EventKind::Accepted, "2025-03-03"), t).expect("design");
    normal.record(&store, on("design", EventKind::Approved, "2025-03-04"), t).expect("design");
    let err = normal.record(&store, on("plan", EventKind::Accepted, "2025-03-05"), t).expect_err("normal");
    assert_eq!(reason(&err), Some(RefusalReason::NotSimulated));
    // In simulated mode, ahead of `title` but not of `design`.
    let (store, mut p) = simulated();
    assert_eq!(p.state().mode(), Mode::Simulated);
    let err = p.record(&store, on("plan", EventKind::Accepted, "2025-03-03"), t).expect_err("design pending");
    assert!(matches!(reason(&err), Some(RefusalReason::WaitingFor { steps, .. }) if steps == ["design"]));
    p.record(&store, on("design", EventKind::Accepted, "2025-03-03"), t).expect("design");
    p.record(&store, on("design", EventKind::Approved, "2025-03-04"), t).expect("design");
    p.record(&store, on("plan", EventKind::Accepted, "2025-03-05"), t).expect("ahead of title");
    p.record(&store, on("plan", EventKind::ProvisionalApproved, "2025-03-07"), t).expect("provisional");
    p.record(&store, on("title", EventKind::Accepted, "2025-03-05"), t).expect("title");
    p.record(&store, on("title", EventKind::Approved, "2025-03-10"), t).expect("title");
    // Confirmed by the department within 3 working days of the title: by Thursday 13 March.
    let s = p.status(d("2025-03-13")).expect("status");
    assert!(s.owed.is_empty(), "{:?}", s.owed);
    assert_eq!(s.steps[2].state, StepState::ProvisionalApproved);
    let confirm = FollowUp { step: 2, clock: Clock::Confirmation, due_of: |s| s.confirm_due };
    let p =
        confirm.walk(&store, &p, "2025-03-13", "2025-03-17", on("plan", EventKind::Confirmed, "2025-03-12"));
    assert_eq!(p.step_state("plan"), Some(StepState::Approved));
    replays(&store, &p);
}

#[test]
fn a_provisional_result_falls_with_its_prerequisite() {
    let t = today();
    let (store, mut p) = simulated();
    p.record(&store, on("design", EventKind::Accepted, "2025-03-03"), t).expect("design");
    p.record(&store, on("design", EventKind::Approved, "2025-03-04"), t).expect("design");
    p.record(&store, on("plan", EventKind::Accepted, "2025-03-05"), t).expect("ahead of title");
    p.record(&store, on("plan", EventKind::ProvisionalApproved, "2025-03-07"), t).expect("provisional");
    p.record(&store, on("title", EventKind::Accepted, "2025-03-05"), t).expect("title");
    p.record(&store, on("title", EventKind::Rejected, "2025-03-10"), t).expect("title refused");
    let owed = p.owed(d("2025-03-10")).expect("owed");
    assert_eq!(owed, vec![NewEvent::engine("plan", EventKind::Revoked, d("2025-03-10"))]);
}

/// What a store keeps of the new details: they round-trip through the event's JSON.
#[test]
fn new_details_round_trip_as_json() {
    let day: NaiveDate = d("2025-03-03");
    let events = [
        NewEvent::new("acceptance", EventKind::Opinion, day)
            .dept("消防")
            .verdict(Verdict::Conditions)
            .note("整改"),
        NewEvent::new("permit", EventKind::Approved, day).commitment(),
        NewEvent::project(EventKind::AgentAssigned, day).agent("王芳"),
        NewEvent::project(EventKind::ModeSet, day).mode(Mode::Simulated),
    ];
    for e in events {
        let json = serde_json::to_string(&e.detail).expect("encodes");
        let back: EventDetail = serde_json::from_str(&json).expect("decodes");
        assert_eq!(back, e.detail, "{json}");
    }
}

const GROUPS: &str = "
id: g
name: 分组
calendar: cn
budget: 60
budgets:
  - { name: 前期, stages: [s1], days: 8 }
stages:
  - id: s1
    name: 前期
    steps:
      - { id: a, name: 甲, dept: 发改局, promised: 3 }
      - { id: b, name: 乙, dept: 住建局, promised: 5 }
  - id: s2
    name: 后期
    steps:
      - { id: c, name: 丙, dept: 消防, promised: 5 }
";

#[test]
fn a_group_of_stages_alerts_on_its_steps_as_the_whole_budget_does() {
    let (store, mut p) = start(GROUPS);
    let t = today();
    p.record(&store, on("a", EventKind::Accepted, "2025-03-03"), t).expect("a");
    // As planned, `a` may take its 3 days: the group's 8 leave `b` its 5.
    let s = p.status(d("2025-03-03")).expect("status");
    assert_eq!(s.steps[0].group_deadline, Some(d("2025-03-06")));
    assert_eq!(s.steps[2].group_deadline, None, "not in a group");
    // `a` takes 4: `b` has 4 left in the group, one less than its own limit.
    p.record(&store, on("a", EventKind::Approved, "2025-03-07"), t).expect("a");
    p.record(&store, on("b", EventKind::Accepted, "2025-03-07"), t).expect("b");
    let s = p.status(d("2025-03-13")).expect("status");
    let b = &s.steps[1];
    assert_eq!((b.due, b.group_deadline), (Some(d("2025-03-14")), Some(d("2025-03-13"))));
    assert_eq!((b.alert, b.clock), (Alert::Yellow, Some(Clock::Group)));
    let s = p.status(d("2025-03-14")).expect("status");
    assert_eq!((s.steps[1].alert, s.steps[1].clock), (Alert::Red, Some(Clock::Group)));
    assert_eq!(s.groups[0].alert, Alert::Red);
    let rows = board([&p], d("2025-03-14"), None).expect("board");
    let row = rows.iter().find(|r| r.step == "b").expect("on the board");
    assert_eq!((row.alert, row.clock), (Alert::Red, Some(Clock::Group)));
}

#[test]
fn filings_say_so_in_plan_and_status_json() {
    let (_, p) = start(
        "
id: f
name: 备案
calendar: cn
stages:
  - id: s
    name: 立项
    steps:
      - { id: record, name: 企业投资项目备案, dept: 发改局, promised: 1, filing: true }
      - { id: permit, name: 施工许可, dept: 住建局, promised: 5 }
",
    );
    let status = serde_json::to_value(p.status(d("2025-03-03")).expect("status")).expect("json");
    let plan = crate::Plan::new(p.graph().clone());
    let report = crate::schedule::PlanReport::new(&plan, None, p.calendar());
    let report = serde_json::to_value(report).expect("json");
    for json in [status, report] {
        assert_eq!(json["steps"][0]["filing"], true, "{json}");
        assert!(json["steps"][1].get("filing").is_none(), "{json}");
    }
}
