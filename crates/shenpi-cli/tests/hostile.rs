//! The command line under hostile or careless input: a clear error and an
//! exit code, never a crash, a hang or a file touched that was not named.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{shenpi, stderr};

const FLOW: &str = "flows/zhejiang-industrial.yaml";

/// A one-step flow in `dir` whose `calendar:` is `calendar`.
fn flow_with_calendar(dir: &Path, calendar: &str) -> PathBuf {
    let path = dir.join("flow.yaml");
    fs::write(
        &path,
        format!(
            "id: c\nname: 日历\ncalendar: {calendar}\nstages:\n  - {{ id: s, name: 阶段, steps: [{{ id: a, name: 事项, promised: 1 }}] }}\n"
        ),
    )
    .unwrap();
    path
}

// `shenpi check /dev/zero` grew past 6 GB; a FIFO hung forever.
#[cfg(unix)]
#[test]
fn a_device_or_fifo_as_the_flow_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("flow.yaml");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for path in [Path::new("/dev/zero"), fifo.as_path()] {
        for command in ["check", "plan"] {
            let out = shenpi(&[command, path.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(2), "{command} {}: {}", path.display(), stderr(&out));
            assert!(stderr(&out).contains("not a regular file"), "{}", stderr(&out));
        }
    }
}

// `calendar: /dev/zero` made `check` grow past 3.7 GB.
#[cfg(unix)]
#[test]
fn a_device_as_the_calendar_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let flow = flow_with_calendar(dir.path(), "/dev/zero");
    let flow = flow.to_str().unwrap();
    let allow = "--allow-calendar-outside";
    for args in [vec!["check", flow, allow], vec!["plan", flow, "--start", "2025-03-03", allow]] {
        let out = shenpi(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("not a regular file"), "{}", stderr(&out));
    }
}

#[test]
fn a_param_given_twice_is_refused() {
    let out = shenpi(&["plan", FLOW, "--param", "energy_tce=1", "--param", "energy_tce=2"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("param `energy_tce` is given twice"), "{}", stderr(&out));
}

// Terminal escapes in names reached the `plan` table unchanged.
#[test]
fn control_characters_in_names_are_shown_escaped_in_the_plan_table() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("flow.yaml");
    fs::write(
        &flow,
        "id: e\nname: \"流程\\e[2J\"\nstages:\n  - id: s\n    name: \"阶段\\a\"\n    steps:\n      \
         - { id: a, name: \"许可\\u202Egpj.exe\", dept: \"\\e]0;title\\a住建局\", promised: 1 }\n",
    )
    .unwrap();
    let out = shenpi(&["plan", flow.to_str().unwrap(), "--start", "2025-03-03"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(!table.chars().any(|c| c.is_control() && c != '\n' || c == '\u{202e}'), "{table:?}");
    for shown in ["流程\\u{1b}[2J", "阶段\\u{7}", "许可\\u{202e}gpj.exe", "\\u{1b}]0;title\\u{7}住建局"]
    {
        assert!(table.contains(shown), "{shown} in {table}");
    }
}

// `calendar add-days weekends 9999-12-31 1` printed `+10000-01-03`, which shenpi refuses as input.
#[test]
fn counting_past_the_year_9999_is_refused() {
    let out = shenpi(&["calendar", "add-days", "weekends", "9999-12-31", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("past 9999-12-31, the largest date shenpi accepts"), "{}", stderr(&out));
    let out = shenpi(&["calendar", "add-days", "weekends", "9999-12-30", "1"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "9999-12-31\n");
}

// `calendar: ../../../../etc/passwd` printed lines of /etc/passwd in the diagnostic, also in JSON.
#[test]
fn a_calendar_outside_the_flows_directory_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    fs::write(&secret, "root:x:0:0:root:/root:/bin/bash\npassword: hunter2\n").unwrap();
    let flows = dir.path().join("flows");
    fs::create_dir(&flows).unwrap();
    let flow = flow_with_calendar(&flows, "../secret.txt");
    let flow = flow.to_str().unwrap();
    for args in [
        vec!["check", flow],
        vec!["check", flow, "--format", "json"],
        vec!["plan", flow, "--start", "2025-03-03"],
        vec!["render", flow, "--format", "gantt-svg", "--start", "2025-03-03"],
        vec!["simulate", flow, "--runs", "2"],
    ] {
        let out = shenpi(&args);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{args:?}: {all}");
        assert!(all.contains("outside"), "{args:?}: {all}");
        assert!(!all.contains("root:x") && !all.contains("hunter2"), "{args:?}: {all}");
    }
    let db = dir.path().join("p.db");
    let db = db.to_str().unwrap();
    let out = shenpi(&["project", "--db", db, "new", flow, "--id", "p1", "--start", "2025-03-03"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--allow-calendar-outside"), "{}", stderr(&out));
    // Allowed, the file is read, found not to be YAML, and still not quoted.
    for args in [
        vec!["check", flow, "--allow-calendar-outside"],
        vec!["check", flow, "--allow-calendar-outside", "--format", "json"],
        vec!["plan", flow, "--start", "2025-03-03", "--allow-calendar-outside"],
    ] {
        let out = shenpi(&args);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{args:?}: {all}");
        assert!(all.contains("malformed YAML") && all.contains("line 2, column 9"), "{args:?}: {all}");
        assert!(!all.contains("root:x") && !all.contains("hunter2"), "{args:?}: {all}");
    }
}

// A link beside the flow that leads out is outside too; a calendar below the flow's directory is not.
#[cfg(unix)]
#[test]
fn a_calendar_is_outside_by_where_it_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows");
    fs::create_dir_all(flows.join("cal")).unwrap();
    fs::write(dir.path().join("county.yaml"), "base: cn\n").unwrap();
    fs::write(flows.join("cal/county.yaml"), "base: cn\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("county.yaml"), flows.join("link.yaml")).unwrap();
    let linked = flow_with_calendar(&flows, "link.yaml");
    let out = shenpi(&["check", linked.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("outside"), "{}", stderr(&out));
    let out = shenpi(&["check", linked.to_str().unwrap(), "--allow-calendar-outside"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let below = flow_with_calendar(&flows, "cal/county.yaml");
    let out = shenpi(&["check", below.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let db = dir.path().join("p.db");
    let out = shenpi(&[
        "project",
        "--db",
        db.to_str().unwrap(),
        "new",
        below.to_str().unwrap(),
        "--id",
        "p1",
        "--start",
        "2025-03-03",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// Terminal escapes in departments reached the `project status` table unchanged, and its note said
// dates past 2026 counted weekends only although `cn` projects the holiday law there.
#[test]
fn the_status_table_escapes_names_and_says_its_dates_are_provisional() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("flow.yaml");
    fs::write(
        &flow,
        "id: e\nname: 流程\nstages:\n  - id: s\n    name: 阶段\n    steps:\n      \
         - { id: a, name: 许可, dept: \"\\e]0;title\\a住建局\", promised: 60 }\n",
    )
    .unwrap();
    let db = dir.path().join("p.db");
    let (db, flow) = (db.to_str().unwrap(), flow.to_str().unwrap());
    let out = shenpi(&["project", "--db", db, "new", flow, "--id", "P-1", "--start", "2026-11-02"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = shenpi(&["project", "--db", db, "status", "P-1", "--date", "2026-11-30"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(!table.chars().any(|c| c.is_control() && c != '\n'), "{table:?}");
    assert!(table.contains("\\u{1b}]0;title\\u{7}住建局"), "{table}");
    assert!(
        table.contains(
            "note: provisional: dates after 2026-12-31 follow the holiday law; the 2027 arrangement is not yet published"
        ),
        "{table}"
    );
    let out = shenpi(&["project", "--db", db, "status", "P-1", "--date", "2026-11-30", "--format", "json"]);
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(json.contains("\"provisional\": true"), "{json}");
    assert!(json.contains("\"first_provisional_date\": \"2027-"), "{json}");
}

// Accepted silently before: ids with outer spaces or U+202E (which makes one id display as another),
// an empty idempotency key, a weekday listed twice in a calendar's `weekend`.
#[test]
fn careless_ids_keys_and_weekends_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let flow = flow_with_calendar(dir.path(), "cn");
    let db = dir.path().join("p.db");
    let (db, flow) = (db.to_str().unwrap(), flow.to_str().unwrap());
    for (id, why) in [
        (" P-1", "starts or ends with white space"),
        ("P-1 ", "starts or ends with white space"),
        ("P-1\u{202e}2-", "bidirectional control"),
        ("P-\u{2066}1", "bidirectional control"),
        ("P-\u{1b}1", "control character"),
    ] {
        let out = shenpi(&["project", "--db", db, "new", flow, "--id", id, "--start", "2025-03-03"]);
        assert_eq!(out.status.code(), Some(2), "{id:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(why), "{id:?}: {}", stderr(&out));
    }
    let out = shenpi(&["project", "--db", db, "new", flow, "--id", "P-1", "--start", "2025-03-03"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for key in ["", "  "] {
        let args =
            ["project", "--db", db, "event", "P-1", "a", "accepted", "--date", "2025-03-03", "--key", key];
        let out = shenpi(&args);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("an idempotency key cannot be empty"), "{}", stderr(&out));
    }
    fs::write(dir.path().join("own.yaml"), "base: none\nyears: 2025\nweekend: [sat, sat, sun]\n").unwrap();
    let flow = flow_with_calendar(dir.path(), "own.yaml");
    let out = shenpi(&["check", flow.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("Saturday is listed twice in `weekend`"), "{}", stderr(&out));
    assert!(stderr(&out).contains("own.yaml:3:16"), "{}", stderr(&out));
}

// An id with a terminal escape (written `\e` in a quoted YAML string) was quoted raw in E014's message.
#[test]
fn a_diagnostic_shows_terminal_escapes_from_the_flow_instead_of_obeying_them() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("esc.yaml");
    fs::write(
        &flow,
        "id: f\nname: x\nstages:\n  - id: s\n    name: y\n    steps:\n      \
         - { id: \"a\\e[31mred\", name: z, dept: d, promised: 1 }\n",
    )
    .unwrap();
    for command in ["check", "plan"] {
        let out = shenpi(&[command, flow.to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        assert!(err.contains("E014") && err.contains("a\\u{1b}[31mred"), "{command}: {err}");
        assert!(!err.contains('\u{1b}'), "{command}: a raw escape in {err:?}");
    }
}
