//! `shenpi project` with the reform's mechanisms, on `tests/data/mechanisms.yaml`:
//! an agent and simulated mode from `project new`, acceptance at a stage's
//! window, a pledge, a joint member's opinion, an agent's view.

mod common;

use std::path::Path;

/// Runs `shenpi project ARGS` on the store `db`; returns exit code, stdout, stderr.
fn project(db: &str, args: &[&str]) -> (i32, String, String) {
    common::project(Path::new(db), args)
}

#[test]
fn mechanisms_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("m.db");
    let db = db.to_str().expect("utf-8 path");
    let f = "tests/data/mechanisms.yaml";
    let ok = |args: &[&str], want: &str| {
        let (code, out, err) = project(db, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains(want), "{args:?}: `{out}` should contain `{want}`");
        out
    };
    let fails = |args: &[&str], code: i32, want: &str| {
        let (c, _, err) = project(db, args);
        assert_eq!(c, code, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: `{err}` should contain `{want}`");
    };
    fails(&["new", f, "--id", "M", "--start", "2025-03-03", "--mode", "fast"], 2, "unknown mode `fast`");
    let json = ok(
        &[
            "new",
            f,
            "--id",
            "M",
            "--start",
            "2025-03-03",
            "--agent",
            "王芳",
            "--mode",
            "simulated",
            "--format",
            "json",
        ],
        "\"agent\": \"王芳\"",
    );
    assert!(json.contains("\"mode\": \"simulated\""), "{json}");
    assert!(json.contains("\"sequence\": 2"), "{json}");
    // One acceptance at the window takes what is ready: the filing only, then the land permit.
    ok(
        &["event", "M", "stage:initiation", "accepted", "--date", "2025-03-03"],
        "event 3: `filing` accepted on 2025-03-03 at 政务服务中心",
    );
    ok(&["event", "M", "filing", "approved", "--date", "2025-03-03"], "event 4");
    let json = ok(
        &["event", "M", "stage:initiation", "accepted", "--date", "2025-03-04", "--format", "json"],
        "\"window\": \"政务服务中心\"",
    );
    assert!(json.trim_start().starts_with('[') && json.contains("land-planning"), "{json}");
    fails(&["event", "M", "stage:works", "accepted", "--date", "2025-03-04"], 1, "names a `window`");
    // The agent changes hands; an agent is never assigned to a step.
    ok(
        &["event", "M", "agent-assigned", "--agent", "李明", "--date", "2025-03-04"],
        "agent-assigned on 2025-03-04",
    );
    fails(&["event", "M", "approved", "--date", "2025-03-04"], 2, "`approved` needs a step");
    // A pledge at acceptance (告知承诺制).
    ok(&["event", "M", "eia-report", "accepted", "--date", "2025-03-04"], "eia-report");
    ok(&["event", "M", "eia-report", "approved", "--date", "2025-03-05"], "eia-report");
    ok(&["event", "M", "eia", "accepted", "--date", "2025-03-05"], "eia");
    ok(&["event", "M", "eia", "approved", "--commitment", "--date", "2025-03-05"], "eia");
    // Simulated mode: the planning permit runs ahead of the land title.
    ok(&["event", "M", "land-planning", "approved", "--date", "2025-03-05"], "land-planning");
    ok(&["event", "M", "design-scheme", "accepted", "--date", "2025-03-05"], "design-scheme");
    ok(&["event", "M", "design-scheme", "approved", "--date", "2025-03-06"], "design-scheme");
    ok(&["event", "M", "planning-permit", "accepted", "--date", "2025-03-06"], "planning-permit");
    // A member's opinion needs the joint step accepted, and a verdict the command line knows.
    fails(
        &[
            "event",
            "M",
            "drawing-review",
            "opinion",
            "--dept",
            "消防救援大队",
            "--verdict",
            "agree",
            "--date",
            "2025-03-06",
        ],
        1,
        "needs it accepted or paused",
    );
    fails(
        &["event", "M", "drawing-review", "opinion", "--dept", "消防救援大队", "--verdict", "maybe"],
        2,
        "unknown verdict `maybe`",
    );
    let status = ok(&["status", "M", "--date", "2025-03-06"], "agent (代办员): 李明");
    for want in [
        "mode: simulated",
        "window 政务服务中心: accepted `filing`, `land-planning`",
        "`eia-report`: provider 某环评公司",
        "`eia`: approved on the applicant's pledge; verify by 2025-04-17",
    ] {
        assert!(status.contains(want), "status should contain `{want}`:\n{status}");
    }
    let view = ok(
        &["status", "--agent", "李明", "--date", "2025-03-06"],
        "agent (代办员) 李明 on 2025-03-06: 1 project(s)",
    );
    assert!(view.contains("M") && view.contains("planning-permit"), "{view}");
    ok(&["status", "--agent", "王芳", "--date", "2025-03-06"], "0 project(s)");
    ok(&["board", "--agent", "王芳", "--date", "2025-03-20"], "0 step(s)");
    // The board reads the projections, which carry the agent.
    let board =
        ok(&["board", "--agent", "李明", "--date", "2025-03-20", "--format", "json"], "planning-permit");
    assert!(board.contains("\"agent\": \"李明\""), "{board}");
}
