//! The reform's mechanisms on the board: random histories of projects of
//! `tests/data/mechanisms.yaml` (joint review, one window, intermediaries with
//! providers, agents, commitment, simulated mode, groups of stages), and the
//! check that the board read from a store's projections is the board folded
//! from the projects whole.

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use shenpi_core::Flow;
use shenpi_core::runtime::{
    BoardQuery, EventKind, Mode, NewEvent, OpenStep, Project, StepState, Store, Verdict, board_by,
    board_of_by,
};

use super::{Fixture, Rng, sorted_open};

/// Every mechanism in one small flow (the facade's fixture).
const MECHANISMS: &str = include_str!("../../../tests/data/mechanisms.yaml");

/// The steps of [`MECHANISMS`], and the members of its joint steps.
const STEPS: [&str; 14] = [
    "filing",
    "land-planning",
    "land-title",
    "eia-report",
    "eia",
    "energy-report",
    "energy",
    "design-scheme",
    "planning-permit",
    "drawing-review",
    "construction-permit",
    "joint-acceptance",
    "property",
    "power",
];
const MEMBERS: [&str; 3] = ["自然资源和规划局", "消防救援大队", "人防办"];
const AGENTS: [&str; 2] = ["王芳", "李明"];

/// The departments and agents the board is asked about.
const DEPTS: [Option<&str>; 6] =
    [None, Some("住建局"), Some("消防救援大队"), Some("人防办"), Some("自然资源和规划局"), Some("发改局")];

/// Random valid histories of `projects` projects of the mechanisms flow (ids
/// `{prefix}-0`, …), up to `events` tries each, from a seed: some with an
/// agent, some in simulated mode, with members' opinions, acceptances at a
/// stage's window, approvals on a pledge and their verification, provisional
/// approvals and their confirmation; refusals skipped.
pub fn random_mechanism_histories(
    store: &dyn Store,
    prefix: &str,
    seed: u64,
    projects: usize,
    events: usize,
) {
    let flow =
        Arc::new(Flow::parse("mechanisms.yaml", MECHANISMS).unwrap_or_else(|r| panic!("{}", r.render())));
    let mut rng = Rng(seed);
    let start = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or(NaiveDate::MIN);
    let today = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or(NaiveDate::MAX);
    for n in 0..projects {
        let id = format!("{prefix}-{n}");
        let begin = start + Days::new(rng.below(60));
        let mut p = Project::create(store, flow.clone(), &id, begin, &[])
            .unwrap_or_else(|e| panic!("project {id} is created: {e}"));
        let mut first = Vec::new();
        if rng.below(3) > 0 {
            first.push(NewEvent::project(EventKind::ModeSet, begin).mode(Mode::Simulated));
        }
        if rng.below(3) > 0 {
            let agent = AGENTS[rng.below(2) as usize];
            first.push(NewEvent::project(EventKind::AgentAssigned, begin).agent(agent));
        }
        if !first.is_empty() {
            p.record_all(store, first, today).unwrap_or_else(|e| panic!("{id}: first events: {e}"));
        }
        let mut date = begin;
        // Some projects go straight to an intermediary or a joint step, so that their clocks run.
        if n % 3 > 0 {
            let target = match (n % 3, n / 3 % 2) {
                (1, _) => "energy-report",
                (_, 0) => "drawing-review",
                _ => "joint-acceptance",
            };
            for step in STEPS.into_iter().take_while(|&s| s != target) {
                if p.step_state(step) == Some(StepState::Waiting) {
                    continue;
                }
                let mut script = vec![NewEvent::new(step, EventKind::Accepted, date)];
                if step == "drawing-review" {
                    for dept in &MEMBERS[1..] {
                        script.push(
                            NewEvent::new(step, EventKind::Opinion, date).dept(*dept).verdict(Verdict::Agree),
                        );
                    }
                }
                script.push(NewEvent::new(step, EventKind::Approved, date));
                p.record_all(store, script, today).unwrap_or_else(|e| panic!("{id}: {step}: {e}"));
                date = date + Days::new(1);
            }
            p.record(store, NewEvent::new(target, EventKind::Accepted, date), today)
                .unwrap_or_else(|e| panic!("{id}: {target}: {e}"));
        }
        for _ in 0..2 + rng.below(events as u64) {
            date = date + Days::new(rng.below(3));
            let roll = rng.below(100);
            let r = if roll < 8 {
                p.advance(store, date, today).map(|_| ())
            } else if roll < 16 {
                let stage = ["stage:initiation", "stage:acceptance"][rng.below(2) as usize];
                p.record_stage(store, &stage[6..], NewEvent::new(stage, EventKind::Accepted, date), today)
                    .map(|_| ())
            } else {
                // A step that can move: waiting and decided ones seldom can.
                let movable: Vec<&str> = STEPS
                    .into_iter()
                    .filter(|s| {
                        p.step_state(s).is_some_and(|st| {
                            !matches!(st, StepState::Waiting | StepState::DeemedApproved)
                                && (st != StepState::Approved || matches!(*s, "eia" | "construction-permit"))
                        })
                    })
                    .collect();
                if movable.is_empty() {
                    continue;
                }
                let step = movable[rng.below(movable.len() as u64) as usize];
                let Some(e) = next_event(&p, step, date, &mut rng) else { continue };
                p.record(store, e, today).map(|_| ())
            };
            match r {
                Ok(()) => {}
                Err(err) if err.is_refused() => {}
                Err(err) => panic!("{id}: {err}"),
            }
        }
    }
}

/// A plausible next event for `step` of `p` on `date`, or `None`.
fn next_event(p: &Project, step: &str, date: NaiveDate, rng: &mut Rng) -> Option<NewEvent> {
    use EventKind as K;
    let state = p.step_state(step)?;
    let joint = matches!(step, "drawing-review" | "joint-acceptance");
    let roll = rng.below(100);
    let on = |kind| NewEvent::new(step, kind, date);
    Some(match state {
        StepState::Ready | StepState::Returned => match roll {
            0..25 => on(K::Received),
            25..85 => on(K::Accepted),
            _ if step == "planning-permit" => on(K::ProvisionalApproved),
            _ => on(K::AcceptedIncomplete),
        },
        StepState::Received => match roll {
            0..70 => on(K::Accepted),
            70..90 => on(K::SupplementRequested),
            _ => on(K::NotAccepted),
        },
        StepState::Accepted if joint && roll < 60 => {
            let verdict = [Verdict::Agree, Verdict::Disagree, Verdict::Conditions][rng.below(3) as usize];
            on(K::Opinion).dept(MEMBERS[rng.below(3) as usize]).verdict(verdict)
        }
        StepState::Accepted => match roll {
            0..40 => on(K::Approved),
            40..55 if matches!(step, "eia" | "construction-permit") => on(K::Approved).commitment(),
            40..65 => on(K::SupplementRequested),
            65..75 => on(K::ProcedureStarted).procedure(shenpi_core::runtime::ProcedureKind::ExpertReview),
            75..85 => on(K::Rejected),
            _ => return None,
        },
        StepState::AcceptedIncomplete | StepState::Paused => match roll {
            0..40 => on(K::SupplementReceived),
            40..60 => on(K::ProcedureEnded),
            _ => return None,
        },
        StepState::Approved => match roll {
            0..30 => on(K::Verified),
            30..40 => on(K::CommitmentBreached),
            _ => return None,
        },
        StepState::ProvisionalApproved => match roll {
            0..40 => on(K::Confirmed),
            _ => return None,
        },
        StepState::Rejected | StepState::NotAccepted => match roll {
            0..30 => on(K::Accepted),
            _ => return None,
        },
        _ => return None,
    })
}

/// True when the engine owes a deemed acceptance (Art. 32) by `date`: the
/// projection shows the step received until someone records it (`advance`),
/// while the folded board shows it accepted from the day of receipt.
fn deems_acceptance(p: &Project, date: NaiveDate) -> bool {
    let owed = p.status(date).map(|s| s.owed).unwrap_or_default();
    owed.iter().any(|e| e.kind == EventKind::DeemedAccepted)
}

/// The board read from the projections ([`board_of_by`] over
/// [`Store::open_steps`]) equals the board folded from each project whole
/// ([`board_by`]), for every department (a late joint member under its own)
/// and agent, on days from the project's latest event up to 13 days after
/// it: joint members, providers, agents and the group clock included. The
/// folded board is kept to steps under way or received, as the projection is
/// (a decided step leaves the board with its flags), and to days before a
/// deemed acceptance is owed. Then the same after
/// [`Store::reindex`] rebuilt the projections.
pub fn projected_board_matches_the_folded_board(f: &dyn Fixture) {
    let store = f.open();
    random_mechanism_histories(&*store, "M", 0x5eed_0014, 6, 60);
    let ids = store.list().expect("lists");
    let projects: Vec<Project> =
        ids.iter().map(|id| Project::open(&*store, id).unwrap_or_else(|e| panic!("{id}: {e}"))).collect();
    let latest =
        |p: &Project| p.events().iter().map(|e| e.date).max().unwrap_or(p.info().start).max(p.info().start);
    // Days after each project's latest event, across its members' and steps' limits.
    let mut days: Vec<NaiveDate> =
        projects.iter().flat_map(|p| [0, 2, 5, 13].map(|n| latest(p) + Days::new(n))).collect();
    days.sort();
    days.dedup();
    let (mut members, mut providers, mut agents) = (0, 0, 0);
    let mut read = Vec::new();
    for &date in &days {
        let compared: Vec<&Project> =
            projects.iter().filter(|p| latest(p) <= date && !deems_acceptance(p, date)).collect();
        for dept in DEPTS {
            let rows = store.open_steps(dept, date, "").unwrap_or_else(|e| panic!("board reads: {e}"));
            read.push(sorted_open(rows.clone()));
            for &p in &compared {
                let mine: Vec<OpenStep> = rows.iter().filter(|r| r.project == p.id()).cloned().collect();
                for agent in [None, Some(AGENTS[0])] {
                    let query = BoardQuery { dept, agent };
                    let mut want = board_by([p], date, &query).unwrap_or_else(|e| panic!("board: {e}"));
                    want.retain(|r| r.state.is_active() || r.state == StepState::Received);
                    let mut got = board_of_by(&mine, date, &query);
                    // A paused step's dates recede with the pause: rows, read without a calendar, keep them as they stood.
                    for (g, w) in got.iter_mut().zip(&want) {
                        if (g.state, &g.step, g.member) == (StepState::Paused, &w.step, w.member) {
                            (g.due, g.plan_deadline) = (w.due, w.plan_deadline);
                        }
                    }
                    assert_eq!(got, want, "{}: the board on {date} for {dept:?}, {agent:?}", p.id());
                    members += got.iter().filter(|r| r.member).count();
                    providers += got.iter().filter(|r| r.provider.is_some()).count();
                    agents += got.iter().filter(|r| r.agent.is_some()).count();
                }
            }
        }
    }
    assert!(
        members > 0 && providers > 0 && agents > 0,
        "members {members}, providers {providers}, agents {agents}"
    );
    store.reindex().unwrap_or_else(|e| panic!("reindexes: {e}"));
    let again = f.open();
    let mut rebuilt = Vec::new();
    for &date in &days {
        for dept in DEPTS {
            rebuilt.push(sorted_open(
                again.open_steps(dept, date, "").unwrap_or_else(|e| panic!("board reads: {e}")),
            ));
        }
    }
    assert!(rebuilt == read, "rebuilt differs from incremental");
}
