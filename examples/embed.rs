//! The smallest program a vendor writes around shenpi: load a flow, start a
//! project in a durable store, feed it the events the departments report,
//! and read its status.
//!
//! ```text
//! cargo run --example embed
//! ```

use std::sync::Arc;

use chrono::NaiveDate;
use shenpi::Flow;
use shenpi::runtime::{EventKind, NewEvent, Project};
use shenpi::sqlite::SqliteStore;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. A flow file. A mistake in it is an error naming its line and column.
    let flow = Arc::new(Flow::load(concat!(env!("CARGO_MANIFEST_DIR"), "/flows/zhejiang-industrial.yaml"))?);

    // 2. A store: one SQLite file holds every project and its append-only event log.
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(dir.path().join("shenpi.db"))?;

    // 3. A project. It pins the flow's text: editing the file later never changes it.
    let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("a valid date");
    // Today, as the platform's clock says (the library never reads the clock):
    // events dated after it are refused, so a mistyped year cannot poison a step.
    let today = day(4, 8)?;
    let mut project = Project::create(&store, flow, "ZJ-2025-0042", day(3, 3)?, &[])?;

    // 4. Events, as the departments report them. Each carries an idempotency key:
    //    a retry after a timeout is recorded once. An event the state does not
    //    allow (approving a step nobody accepted) is refused and nothing is written.
    use EventKind::*;
    let reports = [
        ("filing", Accepted, day(3, 3)?),
        ("filing", Approved, day(3, 3)?),
        ("land-transfer", Accepted, day(3, 3)?),
        ("land-transfer", Approved, day(3, 31)?),
        ("land-planning", Accepted, day(3, 31)?),
        ("land-planning", SupplementRequested, day(4, 1)?), // 补正: the clock stops
        ("land-title", Accepted, day(4, 1)?),
    ];
    for (step, kind, date) in reports {
        let key = format!("window-7/{step}/{kind}");
        project.record(&store, NewEvent::new(step, kind, date).with_key(key), today)?;
    }

    // Every append names the sequence number it expects. Window 9 loaded the
    // project before window 7's last event: its append is a conflict, so it reloads and retries.
    let mut window9 = Project::open(&store, "ZJ-2025-0042")?;
    project.record(&store, NewEvent::new("land-planning", SupplementReceived, day(4, 7)?), today)?;
    let event = NewEvent::new("land-title", Approved, day(4, 8)?).with_key("window-9/land-title");
    match window9.record(&store, event.clone(), today) {
        Err(e) if e.is_conflict() => Project::open(&store, "ZJ-2025-0042")?.record(&store, event, today)?,
        other => other?,
    };

    // 5. Status on a day: both clocks of every step, and the project's outlook.
    //    Reading never writes; what the engine owes by then (deemed approvals…)
    //    is folded in and listed in `status.owed`, and `advance` records it.
    let project = Project::open(&store, "ZJ-2025-0042")?;
    let status = project.status(day(4, 8)?)?;
    println!("{} on {}: {} events", status.project, status.date, project.events().len());
    for s in status.steps.iter().filter(|s| s.accepted.is_some()) {
        let (state, alert) = (s.state.as_str(), s.alert.as_str());
        let (due, used) = (s.due.map_or("-".into(), |d| d.to_string()), s.used.unwrap_or(0));
        println!("  {:<14} {state:<9} due {due}, {used} of {} days used, alert: {alert}", s.id, s.limit);
    }
    if let (Some(finish), Some(slack)) = (status.projected_finish, status.slack) {
        println!("projected finish {finish}, {slack} working days before the budget runs out");
    }
    Ok(())
}
