//! Dates past the calendar's published years are said to be provisional
//! wherever a project's status shows them.

use std::sync::Arc;

use chrono::NaiveDate;
use shenpi_core::Flow;
use shenpi_core::runtime::{MemoryStore, Project};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn flow() -> Arc<Flow> {
    Arc::new(
        Flow::parse(
            "f.yaml",
            "id: f\nname: 示例\nbudget: 60\nstages:\n  - id: s\n    name: 阶段\n    steps:\n      \
             - { id: land, name: 用地, promised: 20 }\n      - { id: permit, name: 施工许可, promised: 20, after: [land] }\n",
        )
        .unwrap_or_else(|r| panic!("{}", r.render())),
    )
}

// Status of a project whose deadline lies in 2027 said nothing of the projection in its JSON.
#[test]
fn status_marks_dates_past_the_published_years_provisional() {
    let store = MemoryStore::new();
    let late = Project::create(&store, flow(), "L", d("2026-11-02"), &[]).unwrap();
    let s = late.status(d("2026-11-30")).unwrap();
    assert!(s.provisional);
    // The first date past 2026-12-31 the status shows: the plan deadline of `permit` or the finish.
    let first = s.first_provisional_date.unwrap();
    assert!(first > d("2026-12-31"), "{first}");
    let shown = s.steps.iter().flat_map(|st| [Some(st.plan_deadline), st.expected_finish]).flatten();
    assert_eq!(Some(first), shown.chain([s.deadline]).filter(|&x| x > d("2026-12-31")).min());
    assert_eq!(
        s.provisional_note.as_deref(),
        Some("dates after 2026-12-31 follow the holiday law; the 2027 arrangement is not yet published")
    );
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["provisional"], true);
    assert_eq!(json["first_provisional_date"], first.to_string());

    let early = Project::create(&store, flow(), "E", d("2025-03-03"), &[]).unwrap();
    let s = early.status(d("2025-03-10")).unwrap();
    assert!(!s.provisional && s.first_provisional_date.is_none() && s.provisional_note.is_none());
}
