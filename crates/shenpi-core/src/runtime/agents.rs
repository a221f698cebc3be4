//! Agents (代办制) in live projects: who looks after a project
//! (`agent-assigned`), and an agent's view of their projects.

use chrono::NaiveDate;
use serde::Serialize;

use super::Project;
use super::state::StepState;
use super::status::{Alert, StepStatus};
use crate::error::Error;

/// One project in an agent's view: what is due next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgentRow {
    /// The project.
    pub project: String,
    /// Its flow's id.
    pub flow: String,
    /// The agent.
    pub agent: String,
    /// The step due next, `None` when nothing is under way or ready (finished, or stopped by a failure).
    pub next: Option<NextStep>,
    /// The failed step that stops the project, if any.
    pub blocked_by: Option<String>,
    /// When it will finish at promised days from the day asked about.
    pub projected_finish: Option<NaiveDate>,
}

/// The step of a project due next: the earliest last day among the steps
/// under way, received, ready or awaiting a follow-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NextStep {
    /// The step's id.
    pub step: String,
    /// Its title.
    pub name: String,
    /// Its departments.
    pub dept: String,
    /// Where it stands.
    pub state: StepState,
    /// The day it is due by: its own limit, acceptance window, verification
    /// or confirmation, else its deadline in the total.
    pub due: NaiveDate,
    /// Its alert.
    pub alert: Alert,
}

impl NextStep {
    fn of(s: &StepStatus) -> Option<NextStep> {
        let open = s.state.is_active()
            || matches!(s.state, StepState::Ready | StepState::Received | StepState::Returned)
            || s.verify_due.is_some()
            || s.confirm_due.is_some();
        if !open {
            return None;
        }
        let own = s.due.filter(|_| s.state.is_active());
        let due = own.or(s.acceptance_due).or(s.verify_due).or(s.confirm_due).unwrap_or(s.plan_deadline);
        Some(NextStep {
            step: s.id.clone(),
            name: s.name.clone(),
            dept: s.dept.clone(),
            state: s.state,
            due,
            alert: s.alert,
        })
    }
}

impl Project {
    /// The agent (代办员) looking after the project, from its latest `agent-assigned`.
    pub fn agent(&self) -> Option<&str> {
        self.state.agent()
    }
}

/// An agent's view on `date`: each of their projects (sorted by id) with the
/// step due next. Projects of other agents, or of none, are left out.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use chrono::NaiveDate;
/// use shenpi_core::Flow;
/// use shenpi_core::runtime::{EventKind, MemoryStore, NewEvent, Project, agent_view};
///
/// let flow = Arc::new(Flow::parse("f.yaml", "
/// id: f
/// name: 示例
/// stages: [{ id: s, name: 阶段, steps: [{ id: land, name: 用地, dept: 自然资源局, promised: 5 }] }]
/// ").map_err(|r| r.render())?);
/// let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
/// let store = MemoryStore::new();
/// let mut p = Project::create(&store, flow, "P-1", day(3), &[])?;
/// p.record(&store, NewEvent::project(EventKind::AgentAssigned, day(3)).agent("王芳"), day(3))?;
/// p.record(&store, NewEvent::new("land", EventKind::Accepted, day(3)), day(3))?;
/// let rows = agent_view([&p], day(4), "王芳")?;
/// let next = rows[0].next.as_ref().expect("land is under way");
/// assert_eq!((next.step.as_str(), next.due), ("land", day(10)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Complexity
/// O(P (V + E)) for P projects.
pub fn agent_view<'a>(
    projects: impl IntoIterator<Item = &'a Project>,
    date: NaiveDate,
    agent: &str,
) -> Result<Vec<AgentRow>, Error> {
    let mut rows = Vec::new();
    for p in projects.into_iter().filter(|p| p.agent() == Some(agent)) {
        let status = p.status(date)?;
        let next =
            status.steps.iter().filter_map(NextStep::of).min_by_key(|n| (n.due, std::cmp::Reverse(n.alert)));
        rows.push(AgentRow {
            project: status.project,
            flow: status.flow,
            agent: agent.to_string(),
            next,
            blocked_by: status.blocked_by,
            projected_finish: status.projected_finish,
        });
    }
    rows.sort_by(|a, b| a.project.cmp(&b.project));
    Ok(rows)
}
