//! `shenpi simulate` as users script it: the JSON contract and exit codes.

mod common;

use serde_json::Value;

/// Runs `shenpi simulate ARGS…` from the repository root; returns exit code, stdout, stderr.
fn shenpi(args: &[&str]) -> (i32, String, String) {
    common::run_sub("simulate", args)
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = shenpi(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).expect("JSON on stdout")
}

#[test]
fn json_has_the_contract_fields() {
    let v = json(&[
        "flows/zhejiang-industrial.yaml",
        "--runs",
        "200",
        "--start",
        "2025-03-03",
        "--format",
        "json",
    ]);
    assert_eq!(v["flow"], "zhejiang-industrial");
    assert_eq!(v["runs"], 200);
    assert_eq!(v["seed"], 2019, "the default seed");
    assert_eq!(v["budget"], 90);
    let p = v["p_within_budget"].as_f64().expect("a share");
    assert!((0.0..=1.0).contains(&p));
    for key in ["total_days", "elapsed_days"] {
        let s = &v[key];
        let (mean, p50, p80, p95) =
            (s["mean"].as_f64(), s["p50"].as_u64(), s["p80"].as_u64(), s["p95"].as_u64());
        let (p50, p80, p95) = (p50.expect("p50"), p80.expect("p80"), p95.expect("p95"));
        assert!(mean.is_some() && p50 <= p80 && p80 <= p95, "{key}: {s}");
    }
    assert_eq!(v["start_date"], "2025-03-03");
    let f = &v["finish_date"];
    let dates: Vec<&str> = ["p50", "p80", "p95"].iter().map(|k| f[k].as_str().expect("a date")).collect();
    assert!(dates[0] <= dates[1] && dates[1] <= dates[2], "{f}");
    let steps = v["steps"].as_array().expect("steps");
    assert!(steps.iter().any(|s| s["id"] == "joint-acceptance"));
    for s in steps {
        assert!(s["criticality"].as_f64().is_some_and(|c| (0.0..=1.0).contains(&c)), "{s}");
        assert!(s["mean_delay"].as_f64().is_some(), "{s}");
    }
    let bins = v["histogram"].as_array().expect("histogram");
    let runs: u64 = bins.iter().map(|b| b["count"].as_u64().expect("count")).sum();
    assert_eq!(runs, 200);
}

#[test]
fn the_same_seed_prints_the_same_json() {
    let args = ["flows/jiaxing-after.yaml", "--runs", "300", "--seed", "7", "--format", "json"];
    let (a, b) = (shenpi(&args), shenpi(&args));
    assert_eq!(a, b);
    let v: Value = serde_json::from_str(&a.1).expect("JSON");
    assert_eq!((v["seed"].as_u64(), v["finish_date"].is_null()), (Some(7), true), "no dates without --start");
    assert_eq!(v["schema"], "shenpi.simulation/1");
}

#[test]
fn params_switch_steps_on() {
    let ids = |args: &[&str]| -> Vec<String> {
        let v = json(args);
        v["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(|s| s["id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let base = ["flows/zhejiang-industrial.yaml", "--runs", "50", "--format", "json"];
    assert!(!ids(&base).contains(&"energy-review".to_string()));
    let with = [&base[..], &["--param", "energy_tce=1500"]].concat();
    assert!(ids(&with).contains(&"energy-review".to_string()));
}

#[test]
fn the_table_names_the_chance_and_the_histogram() {
    let (code, out, _) = shenpi(&["flows/zhejiang-industrial.yaml", "--runs", "100"]);
    assert_eq!(code, 0);
    assert!(out.contains("within the budget of 90 counted working days"), "{out}");
    assert!(out.contains("counted days   runs"), "{out}");
}

#[test]
fn bad_input_exits_with_the_documented_codes() {
    // (args, exit code, text on stderr)
    let cases: &[(&[&str], i32, &str)] = &[
        (&["flows/no-such-flow.yaml"], 2, "no-such-flow.yaml"),
        (&["flows/zhejiang-industrial.yaml", "--runs", "0"], 2, "--runs"),
        (&["flows/zhejiang-industrial.yaml", "--param", "nothing"], 2, "is not K=V"),
        (&["flows/zhejiang-industrial.yaml", "--param", "colour=red"], 2, "colour"),
        (&["flows/zhejiang-industrial.yaml", "--start", "2025-02-30"], 2, "2025-02-30"),
        // Past the calendar the figures still come, without dates and with a warning.
        (
            &["flows/zhejiang-industrial.yaml", "--runs", "10", "--start", "2100-06-01"],
            0,
            "warning: the report has no finish dates",
        ),
    ];
    for &(args, code, text) in cases {
        let (got, _, err) = shenpi(args);
        assert_eq!(got, code, "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: {err}");
    }
}
