//! `shenpi check`: exit codes, rustc-style diagnostics, JSON.

mod common;

use common::{root, shenpi};

#[test]
fn bundled_flows_pass() {
    let flows: Vec<String> = std::fs::read_dir(root().join("flows"))
        .unwrap()
        .map(|e| format!("flows/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    let mut args = vec!["check"];
    args.extend(flows.iter().map(String::as_str));
    let out = shenpi(&args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().filter(|l| l.contains(": ok (")).count(), flows.len());
}

#[test]
fn a_bad_flow_exits_1_with_file_line_and_column() {
    let out = shenpi(&["check", "flows/zhejiang-industrial.yaml", "tests/data/bad/unknown-after.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[E007]: step `permit` waits for unknown step `filling`"), "{stderr}");
    assert!(stderr.contains("--> tests/data/bad/unknown-after.yaml:10:17"), "{stderr}");
    assert!(stderr.contains("help: did you mean `filing`?"), "{stderr}");
}

#[test]
fn json_lists_diagnostics_with_positions() {
    let out = shenpi(&["check", "--format", "json", "tests/data/bad/cycle.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // A failure with `--format json` is the one error object, diagnostics inside.
    assert_eq!(v["error"]["code"], "invalid");
    let d = &v["error"]["diagnostics"][0];
    assert_eq!(d["code"], "E003");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(8), Some(54)));
    assert_eq!(d["notes"][0], "filing -> land -> eia -> filing");
}

#[test]
fn missing_files_and_bad_usage_exit_2() {
    assert_eq!(shenpi(&["check", "no/such/flow.yaml"]).status.code(), Some(2));
    assert_eq!(shenpi(&["check"]).status.code(), Some(2));
    assert_eq!(shenpi(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_flow_whose_calendar_cannot_be_loaded_is_invalid() {
    let out = shenpi(&["check", "tests/data/flow-missing-calendar.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("calendar `no-such-calendar.yaml`: cannot read calendar file"), "{stderr}");
}

// docs/flow-format.md quotes both counts to explain why they differ; they must be what the commands print.
#[test]
fn the_docs_quote_the_step_counts_check_and_plan_print() {
    let flow = "flows/zhejiang-industrial.yaml";
    let doc = std::fs::read_to_string(root().join("docs/flow-format.md")).unwrap();
    let check = String::from_utf8(shenpi(&["check", flow]).stdout).unwrap();
    let counted = &check[..check.find(" stages").unwrap() + " stages".len()];
    assert!(doc.contains(&format!("`{counted}…)`")), "the docs should quote `{counted}`");
    let plan = String::from_utf8(shenpi(&["plan", flow, "--start", "2025-03-03"]).stdout).unwrap();
    let reform = plan.lines().find(|l| l.starts_with("reform: ")).unwrap();
    let steps = reform.split(',').next().unwrap();
    assert!(doc.contains(&format!("`{steps}, …`")), "the docs should quote `{steps}`");
}
