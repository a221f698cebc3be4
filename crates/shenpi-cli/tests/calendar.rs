//! `shenpi calendar` as users script it: output on stdout, exit codes 0 / 1 / 2.

mod common;

use std::path::PathBuf;

/// Runs `shenpi calendar ARGS…`; returns exit code, stdout, stderr.
fn shenpi(args: &[&str]) -> (i32, String, String) {
    common::run_sub("calendar", args)
}

fn fixture(name: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/calendars");
    root.join(name).to_string_lossy().into_owned()
}

#[test]
fn add_days_and_between_are_inverses() {
    // (calendar, date, n, due)
    let local = fixture("local.yaml");
    let cases: &[(&str, &str, &str, &str)] = &[
        ("cn", "2025-01-24", "3", "2025-02-05"),
        ("cn", "2025-03-03", "2", "2025-03-05"),
        ("cn", "2025-02-01", "0", "2025-02-05"),
        ("weekends", "2025-01-24", "3", "2025-01-29"),
        (&local, "2025-04-30", "2", "2025-05-09"),
    ];
    for &(cal, date, n, due) in cases {
        assert_eq!(
            shenpi(&["add-days", cal, date, n]),
            (0, format!("{due}\n"), String::new()),
            "{cal} {date}"
        );
        // Inverses from working days; 2025-02-01 is a holiday, counted to the next working day.
        if date != "2025-02-01" {
            assert_eq!(shenpi(&["between", cal, date, due]).1, format!("{n}\n"), "{cal} {date}");
        }
    }
    assert_eq!(shenpi(&["between", "cn", "2025-02-05", "2025-01-24"]).1, "-3\n");
}

#[test]
fn show_lists_a_year_with_its_sources() {
    let (code, out, _) = shenpi(&["show", "cn", "2025"]);
    assert_eq!(code, 0);
    assert!(out.contains("2025-01-26              workday (Sun)  春节\n"), "{out}");
    assert!(out.contains("2025-01-28..2025-02-04  holiday        春节\n"), "{out}");
    assert!(out.contains("国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）"), "{out}");
    let (code, out, _) = shenpi(&["show", &fixture("local.yaml"), "2025"]);
    assert_eq!(code, 0);
    assert!(out.contains("2025-05-06..2025-05-07  holiday        防汛应急\n"), "{out}");
}

#[test]
fn a_bad_calendar_file_exits_1_with_every_diagnostic() {
    let (code, out, err) = shenpi(&["add-days", &fixture("bad.yaml"), "2025-05-01", "3"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("error[E002]: unknown key `workday` in a calendar file"), "{err}");
    assert!(err.contains("help: did you mean `workdays`?"), "{err}");
    assert!(err.contains("error[E015]: `2025-02-30` is not a valid date"), "{err}");
    assert!(err.contains("bad.yaml:4:5"), "{err}");
}

#[test]
fn out_of_range_exits_1_and_usage_errors_exit_2() {
    let (code, _, err) = shenpi(&["add-days", "cn", "2030-03-02", "5", "--beyond", "error"]);
    assert_eq!(code, 1);
    assert!(err.starts_with(
        "error: 2030-03-02 is outside the `cn` calendar, which covers 2004-01-01 to 2026-12-31"
    ));
    let (code, _, err) = shenpi(&["add-days", "cn", "2101-01-03", "5"]);
    assert_eq!(code, 1);
    assert!(err.contains("the holiday law is projected no further"), "{err}");
    let (code, _, err) = shenpi(&["between", "cn", "2003-12-31", "2004-01-05"]);
    assert_eq!(code, 1);
    assert!(err.contains("it has no data before 2004-01-01"), "{err}");
    let (code, _, err) = shenpi(&["add-days", "cn", "2025-02-30", "5"]);
    assert_eq!(
        (code, err.as_str()),
        (2, "error: DATE: `2025-02-30` is not a valid date: 2025-02 has no day 30\n")
    );
    let (code, _, err) = shenpi(&["add-days", "no-such-calendar.yaml", "2025-02-03", "5"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read calendar file `no-such-calendar.yaml`"), "{err}");
    assert_eq!(shenpi(&["add-days", "cn", "2025-02-03", "-1"]).0, 2);
    assert_eq!(shenpi(&["show", "cn", "2031", "--beyond", "error"]).0, 1);
    assert_eq!(shenpi(&["show", "cn", "2101"]).0, 1);
}

#[test]
fn a_projected_year_answers_first_and_says_provisional_on_stderr() {
    // 2027: 5-8 February (除夕 to 初三) off, and the 9th and 10th for the two on the weekend.
    let (code, out, err) = shenpi(&["add-days", "cn", "2027-02-04", "1"]);
    assert_eq!((code, out.as_str()), (0, "2027-02-11\n"));
    assert!(err.contains("provisional"), "{err}");
    assert!(err.contains(
        "dates after 2026-12-31 follow the holiday law; the 2027 arrangement is not yet published"
    ));
    let (code, out, err) = shenpi(&["between", "cn", "2026-12-31", "2027-12-31"]);
    assert_eq!((code, out.as_str()), (0, "248\n"));
    assert!(err.contains("provisional"), "{err}");
    assert_eq!(shenpi(&["add-days", "cn", "2026-12-31", "1"]).1, "2027-01-04\n");
    // Weekends only: the Friday before the Spring Festival counts.
    let (code, out, err) = shenpi(&["add-days", "cn", "2027-02-04", "1", "--beyond", "weekends"]);
    assert_eq!((code, out.as_str()), (0, "2027-02-05\n"));
    assert!(err.contains("provisional") && err.contains("count weekends only"), "{err}");
    // A published answer has nothing on stderr.
    assert_eq!(
        shenpi(&["add-days", "cn", "2026-12-30", "1"]),
        (0, "2026-12-31\n".to_string(), String::new())
    );
}

#[test]
fn show_lists_a_projected_year_by_the_holiday_law() {
    let (code, out, _) = shenpi(&["show", "cn", "2027"]);
    assert_eq!(code, 0);
    assert!(out.contains("2027 is not published yet"), "{out}");
    assert!(out.contains("《全国年节及纪念日放假办法》"), "{out}");
    assert!(out.contains("2027-02-05..2027-02-08  holiday        春节\n"), "{out}");
    assert!(out.contains("2027-02-09..2027-02-10  holiday        春节补假\n"), "{out}");
}

/// A 2027 data file as a vendor would ship it the day the notice is out
/// (these dates are an example, not the notice).
const DATA_2027: &str = "base: cn\nyears: 2027\nnotices:\n  - title: 国务院办公厅关于2027年部分节假日安排的通知\n    \
                         holidays: [2027-02-05..2027-02-12 春节]\n    workdays: [2027-02-20 春节]\n";

/// Runs `shenpi ARGS…` with `SHENPI_CALENDAR_DATA` set to `data`.
fn with_data(data: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    common::run_with(args, &[("SHENPI_CALENDAR_DATA", data.as_os_str())])
}

#[test]
fn a_data_file_replaces_the_projection_and_status_says_which_data_it_used() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cn-2027.yaml");
    std::fs::write(&data, DATA_2027).unwrap();
    // Published now: the break ends on the 12th, and nothing is provisional.
    assert_eq!(
        with_data(&data, &["calendar", "add-days", "cn", "2027-02-04", "1"]),
        (0, "2027-02-15\n".to_string(), String::new())
    );
    let (code, shown, _) = with_data(&data, &["calendar", "show", "cn", "2027"]);
    assert_eq!(code, 0);
    assert!(shown.contains(", data 2004..2027 sha256:") && !shown.contains("not published"), "{shown}");
    assert!(shown.contains("2027-02-05..2027-02-12  holiday        春节\n"), "{shown}");
    let flow = dir.path().join("flow.yaml");
    std::fs::write(
        &flow,
        "id: d\nname: 数据\nstages:\n  - { id: s, name: 阶段, steps: [{ id: a, name: 事项, promised: 60 }] }\n",
    )
    .unwrap();
    let db = dir.path().join("p.db");
    let (db, flow) = (db.to_str().unwrap(), flow.to_str().unwrap());
    let project = |args: &[&str]| {
        let mut all = vec!["project", "--db", db];
        all.extend_from_slice(args);
        all.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |data: Option<&std::path::Path>, args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match data {
            Some(d) => with_data(d, &args),
            None => common::run(&args),
        }
    };
    let new = project(&["new", flow, "--id", "P-1", "--start", "2026-11-02"]);
    assert_eq!(run(None, new).0, 0);
    // Started on the built-in data: 2027 is projected, and the status says which data it counted on.
    let (code, table, err) = run(None, project(&["status", "P-1", "--date", "2026-11-30"]));
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("calendar `cn`, data 2004..2026 sha256:"), "{table}");
    assert!(table.contains("the 2027 arrangement is not yet published"), "{table}");
    // The data file reaches the running project: published, no longer provisional.
    let (code, table, err) = run(Some(&data), project(&["status", "P-1", "--date", "2026-11-30"]));
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("calendar `cn`, data 2004..2027 sha256:"), "{table}");
    assert!(!table.contains("provisional"), "{table}");
    // An event records the data it was counted on; reading status wrote nothing.
    let event = project(&["event", "P-1", "a", "accepted", "--date", "2026-11-30", "--format", "json"]);
    let (code, json, err) = run(Some(&data), event);
    assert_eq!(code, 0, "{err}");
    assert!(json.contains("\"calendar_data\": \"2004..2027 sha256:"), "{json}");
    // A data file that is not `cn` data stops every command, exit 2.
    std::fs::write(&data, "base: none\nyears: 2027\n").unwrap();
    let (code, _, err) = with_data(&data, &["calendar", "add-days", "cn", "2027-02-04", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the built-in `cn` data publish 2004..2026") && err.contains("SHENPI_CALENDAR_DATA"),
        "{err}"
    );
}
