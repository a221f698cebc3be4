//! `shenpi plan` against a small fixture: the JSON contract and exit codes.

mod common;

use common::run as shenpi;
use serde_json::Value;

const FLOW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/plan-small.yaml");

#[test]
fn json_plan_has_the_contract_fields() {
    let (code, out, err) = shenpi(&["plan", FLOW, "--format", "json", "--start", "2025-03-03"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "shenpi.plan/1");
    assert_eq!(v["flow"], "plan-small");
    assert_eq!(v["budget"], 10);
    assert_eq!(v["total_days"], 8);
    assert_eq!(v["elapsed_days"], 25);
    assert_eq!(v["feasible"], true);
    assert_eq!(v["slack"], 2);
    assert_eq!(v["start_date"], "2025-03-03");
    // 25 working days after Monday 2025-03-03, skipping Qingming (Friday 2025-04-04).
    assert_eq!(v["finish_date"], "2025-04-08");
    assert_eq!(v["critical_path"], serde_json::json!(["filing", "land", "permit"]));
    assert_eq!(v["stages"][0]["id"], "s1");
    assert_eq!(v["stages"][0]["total_days"], 6);
    assert_eq!(v["stages"][0]["feasible"], false);
    assert_eq!(v["cuts"], Value::Null);
    assert_eq!(v["reform"]["legal_serial_days"], 65);
    let land = &v["steps"].as_array().unwrap().iter().find(|s| s["id"] == "land").unwrap();
    for key in [
        "id",
        "name",
        "dept",
        "es",
        "ef",
        "ls",
        "lf",
        "total_float",
        "free_float",
        "critical",
        "start_date",
        "due_date",
    ] {
        assert!(land.get(key).is_some(), "step field {key}");
    }
    assert_eq!((land["es"].as_i64(), land["ef"].as_i64(), land["lf"].as_i64()), (Some(0), Some(6), Some(8)));
    assert_eq!((land["total_float"].as_i64(), land["critical"].as_bool()), (Some(2), Some(true)));
    assert_eq!(land["name"], "用地规划许可");
    assert_eq!(land["start_date"], "2025-03-03");
    assert_eq!(land["due_date"], "2025-03-13");
}

#[test]
fn over_budget_flow_lists_cuts_and_table_says_so() {
    let dir = std::env::temp_dir().join(format!("shenpi-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("over.yaml");
    let text = std::fs::read_to_string(FLOW).unwrap().replace("budget: 10", "budget: 6");
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let (code, out, _) = shenpi(&["plan", p, "--format", "json", "--start", "2025-03-03"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["feasible"].as_bool(), v["slack"].as_i64()), (Some(false), Some(-2)));
    assert_eq!(v["cuts"]["reaches_budget"], true);
    assert_eq!(v["cuts"]["plan"][0]["id"], "land");
    let (code, out, _) = shenpi(&["plan", p, "--start", "2025-03-03", "--policy", "proportional"]);
    assert_eq!(code, 0);
    assert!(out.contains("OVER BUDGET by 2 working days"), "{out}");
    assert!(out.contains("To fit, cut:"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_start_and_params_are_usage_errors() {
    assert_eq!(shenpi(&["plan", FLOW, "--start", "2025-02-30"]).0, 2);
    assert_eq!(shenpi(&["plan", FLOW, "--param", "nope"]).0, 2);
    assert_eq!(shenpi(&["plan", "/nonexistent.yaml"]).0, 2);
}

#[test]
fn a_plan_past_the_published_years_is_provisional_by_the_holiday_law() {
    let (code, out, err) = shenpi(&["plan", FLOW, "--format", "json", "--start", "2026-12-01"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["provisional"].as_bool(), v["first_provisional_date"].as_str()),
        (Some(true), Some("2027-01-04"))
    );
    let (code, out, _) = shenpi(&["plan", FLOW, "--start", "2026-12-01"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "note: dates after 2026-12-31 follow the holiday law; the 2027 arrangement is not yet published"
        ),
        "{out}"
    );
    let (_, out, _) = shenpi(&["plan", FLOW, "--format", "json", "--start", "2025-03-03"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["provisional"].as_bool(), v["first_provisional_date"].is_null()), (Some(false), true));
}

#[test]
fn a_plan_past_the_calendar_has_no_dates_unless_weekends_are_allowed() {
    let (code, out, err) =
        shenpi(&["plan", FLOW, "--format", "json", "--start", "2026-12-01", "--beyond", "error"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: the plan has no dates") && err.contains("--beyond weekends"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["total_days"].as_u64(), v["start_date"].is_null()), (Some(8), true));

    let (code, out, err) =
        shenpi(&["plan", FLOW, "--format", "json", "--start", "2026-12-01", "--beyond", "weekends"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    // 25 working days from Tuesday 2026-12-01, weekends only after 2026.
    assert_eq!(v["finish_date"], "2027-01-05");
}

// Regression: day 0 was found by stepping to the day before the start, so a
// plan starting on the calendar's first day was refused.
#[test]
fn a_plan_may_start_on_the_calendar_s_first_day() {
    let (code, out, err) = shenpi(&["plan", FLOW, "--format", "json", "--start", "2004-01-01"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    // 1 January 2004 is a holiday; Friday the 2nd is worked.
    assert_eq!(v["start_date"], "2004-01-02");
}

const MECHANISMS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/mechanisms.yaml");

#[test]
fn plan_shows_groups_both_totals_members_and_what_options_save() {
    let (code, out, err) = shenpi(&["plan", MECHANISMS, "--format", "json", "--start", "2025-03-03"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["total"].as_str(), v["total_days"].as_u64(), v["stage_sum_days"].as_u64()),
        (Some("critical-path"), Some(43), Some(50))
    );
    assert_eq!(v["groups"][0]["name"], "开工前");
    assert_eq!(
        (v["groups"][0]["total_days"].as_u64(), v["groups"][0]["slack"].as_i64()),
        (Some(33), Some(7))
    );
    assert_eq!(v["groups"][1]["stage_sum_days"], 10);
    assert_eq!(v["gain"], Value::Null);
    let step =
        |v: &Value, id: &str| v["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap().clone();
    assert_eq!(step(&v, "eia-report")["provider"], "某环评公司");
    let review = step(&v, "drawing-review");
    // Starts on day 23 (2025-04-03); the brigade's opinion is due 3 working days later,
    // after the Qingming holiday (Friday 4 April).
    assert_eq!(review["members"][0]["dept"], "消防救援大队");
    assert_eq!(
        (review["members"][0]["due"].as_u64(), review["members"][0]["due_date"].as_str()),
        (Some(26), Some("2025-04-09"))
    );
    let (code, out, err) = shenpi(&[
        "plan",
        MECHANISMS,
        "--format",
        "json",
        "--start",
        "2025-03-03",
        "--mode",
        "simulated",
        "--commitment",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["mode"].as_str(), v["commitment"].as_bool()), (Some("simulated"), Some(true)));
    assert_eq!(
        (v["gain"]["total_days_saved"].as_i64(), v["gain"]["elapsed_days_saved"].as_i64()),
        (Some(8), Some(8))
    );
    assert_eq!(
        (
            step(&v, "construction-permit")["pledged"].as_bool(),
            step(&v, "construction-permit")["promised"].as_u64()
        ),
        (Some(true), Some(0))
    );
    let (code, out, _) = shenpi(&["plan", MECHANISMS, "--start", "2025-03-03", "--mode", "simulated"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("simulated approval saves 3 working days counted and ends 3 working days earlier"),
        "{out}"
    );
    assert!(out.contains("budget group 开工前 (initiation, works, permit): 30 of 40, fits"), "{out}");
}

/// Today in Beijing, by the system clock.
fn beijing_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

#[test]
fn without_start_the_bundled_flow_is_planned_from_today_in_beijing() {
    let flow = concat!(env!("CARGO_MANIFEST_DIR"), "/../../flows/zhejiang-industrial.yaml");
    let before = beijing_today();
    let (code, out, err) = shenpi(&["plan", flow, "--format", "json"]);
    let after = beijing_today();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let start: chrono::NaiveDate = v["start_date"].as_str().unwrap().parse().unwrap();
    // Day 0 is today, or the next working day.
    assert!(before <= start && start <= after + chrono::Duration::days(12), "{start}");
    let finish: chrono::NaiveDate = v["finish_date"].as_str().unwrap().parse().unwrap();
    let published = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    assert_eq!(v["provisional"].as_bool(), Some(finish > published), "{out}");
}
