//! Every endpoint through the router, in process: answers, idempotency,
//! preconditions, and problems with stable codes.

mod common;

use common::{FLOW, call, service};
use serde_json::{Value, json};
use shenpi_server::Limits;

fn project(id: &str) -> Value {
    json!({ "id": id, "flow": FLOW, "start": "2025-03-03", "region": "330421" })
}

fn event(step: &str, kind: &str, date: &str) -> Value {
    json!({ "step": step, "kind": kind, "date": date })
}

#[tokio::test]
async fn health_and_the_document_answer() {
    let app = service(None, Limits::default());
    let a = call(&app, "GET", "/healthz", &[], None).await;
    assert_eq!((a.status.as_u16(), a.json["status"].as_str()), (200, Some("ok")));
    let doc = call(&app, "GET", "/openapi.json", &[], None).await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.json["openapi"], "3.1.0");
    assert!(doc.json["paths"]["/v1/projects/{id}/events"]["post"].is_object());
}

#[tokio::test]
async fn check_gives_diagnostics_with_lines() {
    let app = service(None, Limits::default());
    let ok = call(&app, "POST", "/v1/check", &[], Some(json!({ "flow": FLOW }))).await;
    assert_eq!((ok.status.as_u16(), &ok.json["valid"]), (200, &json!(true)), "{}", ok.text);
    let bad = FLOW.replace("promised: 5, on_timeout", "promised: 50, on_timeout");
    let a = call(&app, "POST", "/v1/check", &[], Some(json!({ "flow": bad, "name": "demo.yaml" }))).await;
    assert_eq!(a.json["valid"], json!(false));
    let d = &a.json["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64(), d["code"].as_str()),
        (Some("demo.yaml"), Some(10), Some("E008"))
    );
    let cal = FLOW.replace("budget: 30", "budget: 30\ncalendar: county.yaml");
    let a = call(&app, "POST", "/v1/check", &[], Some(json!({ "flow": cal }))).await;
    assert_eq!(a.json["valid"], json!(false));
    assert!(
        a.json["error"].as_str().is_some_and(|e| e.contains("send the file's text as `calendar`")),
        "{}",
        a.text
    );
    let county = "base: cn\nholidays:\n  - 2025-03-11\n";
    let a = call(&app, "POST", "/v1/check", &[], Some(json!({ "flow": cal, "calendar": county }))).await;
    assert_eq!(a.json["valid"], json!(true), "{}", a.text);
}

#[tokio::test]
async fn plan_answers_with_the_library_s_plan_report() {
    let app = service(None, Limits::default());
    let body = json!({ "flow": FLOW, "start": "2025-03-03" });
    let a = call(&app, "POST", "/v1/plan", &[], Some(body)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["schema"], "shenpi.plan/1");
    assert_eq!((a.json["total_days"].as_u64(), a.json["slack"].as_i64()), (Some(6), Some(24)));
    // Day 0 is Monday 3 March 2025; the sixth working day after it is Tuesday 11 March.
    assert_eq!(
        (a.json["start_date"].as_str(), a.json["finish_date"].as_str()),
        (Some("2025-03-03"), Some("2025-03-11"))
    );
    assert_eq!(a.json["critical_path"][0], "filing");
    let proportional = call(
        &app,
        "POST",
        "/v1/plan",
        &[],
        Some(json!({ "flow": FLOW, "start": "2025-03-03", "policy": "proportional" })),
    )
    .await;
    assert_eq!((proportional.status.as_u16(), &proportional.json["policy"]), (200, &json!("proportional")));
    // Past the calendar's years the plan has days and deadlines, but no dates.
    let far = call(&app, "POST", "/v1/plan", &[], Some(json!({ "flow": FLOW, "start": "2199-03-03" }))).await;
    assert_eq!((far.status.as_u16(), &far.json["finish_date"]), (200, &Value::Null), "{}", far.text);
    assert_eq!(far.json["total_days"].as_u64(), Some(6));
    let bad = call(&app, "POST", "/v1/plan", &[], Some(json!({ "flow": FLOW, "mode": "fast" }))).await;
    assert_eq!((bad.status.as_u16(), bad.code()), (400, "bad-request"));
    let invalid = call(&app, "POST", "/v1/plan", &[], Some(json!({ "flow": "id: [" }))).await;
    assert_eq!((invalid.status.as_u16(), invalid.code()), (422, "invalid"));
}

#[tokio::test]
async fn simulate_and_render_answer_with_the_library_s_reports() {
    let app = service(None, Limits::default());
    let body = json!({ "flow": FLOW, "runs": 500, "seed": 7, "start": "2025-03-03" });
    let a = call(&app, "POST", "/v1/simulate", &[], Some(body.clone())).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!((a.json["runs"].as_u64(), a.json["seed"].as_u64()), (Some(500), Some(7)));
    assert_eq!(a.json["schema"], "shenpi.simulation/1");
    assert!(a.json["finish_date"]["p50"].is_string());
    let again = call(&app, "POST", "/v1/simulate", &[], Some(body)).await;
    assert_eq!(again.json, a.json, "the same seed gives the same report");
    // On the applicant's pledge (告知承诺制) the permit weighs 0 days, as `shenpi simulate --commitment`.
    let pledged =
        FLOW.replace("legal: 7, promised: 5 }", "legal: 7, promised: 5, commitment: { verify_within: 20 } }");
    let days = |a: &common::Answer| a.json["total_days"]["mean"].as_f64();
    let mut with = json!({ "flow": pledged, "runs": 500, "seed": 7 });
    let plain = call(&app, "POST", "/v1/simulate", &[], Some(with.clone())).await;
    with["commitment"] = json!(true);
    with["mode"] = json!("simulated");
    let pledge = call(&app, "POST", "/v1/simulate", &[], Some(with)).await;
    assert_eq!((plain.status.as_u16(), pledge.status.as_u16()), (200, 200), "{}", pledge.text);
    assert!(days(&pledge) <= days(&plain) && days(&pledge).is_some(), "{} vs {}", pledge.text, plain.text);
    assert_eq!(pledge.json["options"]["commitment"], json!(true), "{}", pledge.text);
    let bad = call(&app, "POST", "/v1/simulate", &[], Some(json!({ "flow": FLOW, "mode": "fast" }))).await;
    assert_eq!((bad.status.as_u16(), bad.code()), (400, "bad-request"));
    let too_many =
        call(&app, "POST", "/v1/simulate", &[], Some(json!({ "flow": FLOW, "runs": 10_000_000 }))).await;
    assert_eq!((too_many.status.as_u16(), too_many.code()), (422, "invalid-option"));
    for (format, media, start) in [
        ("svg", "image/svg+xml", "<svg"),
        ("gantt-svg", "image/svg+xml", "<svg"),
        ("mermaid", "text/plain; charset=utf-8", "flowchart"),
        ("dot", "text/plain; charset=utf-8", "digraph"),
    ] {
        let a = call(
            &app,
            "POST",
            "/v1/render",
            &[],
            Some(json!({ "flow": FLOW, "format": format, "start": "2025-03-03" })),
        )
        .await;
        assert_eq!((a.status.as_u16(), a.header("content-type")), (200, Some(media)), "{format}: {}", a.text);
        assert!(
            a.text.trim_start().starts_with(start) || a.text.contains(start),
            "{format}: {}",
            &a.text[..80.min(a.text.len())]
        );
    }
}

#[tokio::test]
async fn calendars_count_as_the_licensing_law_does() {
    let app = service(None, Limits::default());
    let a = call(&app, "GET", "/v1/calendars/cn/add-days?date=2025-01-24&n=2", &[], None).await;
    assert_eq!(a.json["result"], "2025-01-27", "Sunday 26 January 2025 is a make-up working day");
    let a = call(&app, "GET", "/v1/calendars/cn/between?from=2025-01-24&to=2025-01-27", &[], None).await;
    assert_eq!(a.json["days"], 2);
    let a = call(&app, "GET", "/v1/calendars/weekends/add-days?date=2025-01-24&n=2", &[], None).await;
    assert_eq!(a.json["result"], "2025-01-28");
    let cases = [
        ("/v1/calendars/mars/add-days?date=2025-01-24&n=2", 404, "not-found"),
        ("/v1/calendars/cn/add-days?date=2025-13-01&n=2", 422, "calendar"),
        ("/v1/calendars/cn/add-days?date=2025-01-24&n=-2", 400, "bad-request"),
        ("/v1/calendars/cn/add-days?date=2025-01-24", 400, "bad-request"),
        ("/v1/calendars/cn/add-days?date=1900-01-01&n=1", 422, "out-of-range"),
        ("/v1/calendars/cn/between?from=2025-01-24&to=2025-01-27&x=1", 400, "bad-request"),
    ];
    for (uri, status, code) in cases {
        let a = call(&app, "GET", uri, &[], None).await;
        assert_eq!((a.status.as_u16(), a.code()), (status, code), "{uri}: {}", a.text);
    }
}

#[tokio::test]
async fn evaluate_folds_the_caller_s_events() {
    let app = service(None, Limits::default());
    let events = json!([
        event("filing", "accepted", "2025-03-03"),
        event("filing", "approved", "2025-03-04"),
        event("land", "accepted", "2025-03-05")
    ]);
    let body = json!({ "flow": FLOW, "start": "2025-03-03", "events": events, "date": "2025-03-31" });
    let a = call(&app, "POST", "/v1/evaluate", &[], Some(body)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["events"].as_array().map(Vec::len), Some(3));
    assert_eq!(a.json["status"]["steps"][0]["state"], "approved");
    assert_eq!(a.json["owed"][0]["kind"], "deemed-approved", "land's 5 days passed under deem-approved");
    let bad = json!([event("filing", "accepted", "2025-03-03"), event("permit", "approved", "2025-03-04")]);
    let a = call(
        &app,
        "POST",
        "/v1/evaluate",
        &[],
        Some(json!({ "flow": FLOW, "start": "2025-03-03", "events": bad })),
    )
    .await;
    assert_eq!(
        (a.status.as_u16(), a.code(), a.json["index"].as_u64()),
        (422, "refused", Some(1)),
        "{}",
        a.text
    );
}

#[tokio::test]
async fn a_project_lives_through_the_api() {
    let app = service(None, Limits::default());
    let a = call(&app, "POST", "/v1/projects", &[], Some(project("P-1"))).await;
    assert_eq!(
        (a.status.as_u16(), a.header("location")),
        (201, Some("/v1/projects/P-1/status")),
        "{}",
        a.text
    );
    assert_eq!((a.json["region"].as_str(), a.json["sequence"].as_u64()), (Some("330421"), Some(0)));
    let taken = call(&app, "POST", "/v1/projects", &[], Some(project("P-1"))).await;
    assert_eq!((taken.status.as_u16(), taken.code()), (409, "exists"));
    let a =
        call(&app, "POST", "/v1/projects/P-1/events", &[], Some(event("filing", "accepted", "2025-03-03")))
            .await;
    assert_eq!((a.status.as_u16(), a.json["seq"].as_u64(), a.header("etag")), (201, Some(1), Some("\"1\"")));
    let a =
        call(&app, "POST", "/v1/projects/P-1/events", &[], Some(event("permit", "approved", "2025-03-04")))
            .await;
    assert_eq!((a.status.as_u16(), a.code()), (422, "refused"));
    assert_eq!(a.json["refusal"]["reason"]["code"], "wrong-state", "{}", a.text);
    let a = call(&app, "GET", "/v1/projects/P-1/status?date=2025-03-10", &[], None).await;
    assert_eq!(a.json["schema"], "shenpi.status/1");
    assert_eq!(
        (a.status.as_u16(), a.json["steps"][0]["state"].as_str()),
        (200, Some("accepted")),
        "{}",
        a.text
    );
    call(&app, "POST", "/v1/projects/P-1/events", &[], Some(event("filing", "approved", "2025-03-04"))).await;
    call(&app, "POST", "/v1/projects/P-1/events", &[], Some(event("land", "accepted", "2025-03-05"))).await;
    let a = call(&app, "POST", "/v1/projects/P-1/advance?to=2025-03-31", &[], None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        (a.json["recorded"][0]["kind"].as_str(), a.json["sequence"].as_u64()),
        (Some("deemed-approved"), Some(4))
    );
    let again = call(&app, "POST", "/v1/projects/P-1/advance?to=2025-03-31", &[], None).await;
    assert_eq!(again.json["recorded"], json!([]), "nothing is owed twice");
    let future = call(&app, "POST", "/v1/projects/P-1/advance?to=2999-01-01", &[], None).await;
    assert_eq!((future.status.as_u16(), future.code()), (422, "in-future"));
    let log = call(&app, "GET", "/v1/projects/P-1/events", &[], None).await;
    assert_eq!((log.json["sequence"].as_u64(), log.header("etag")), (Some(4), Some("\"4\"")));
    let board = call(&app, "GET", "/v1/board?date=2025-04-30&dept=住建局", &[], None).await;
    assert_eq!(board.status, 200, "{}", board.text);
    assert!(board.json["rows"].as_array().is_some_and(|r| r.iter().all(|row| row["dept"] == "住建局")));
    for uri in ["/v1/projects/nope/status", "/v1/projects/nope/events"] {
        let a = call(&app, "GET", uri, &[], None).await;
        assert_eq!((a.status.as_u16(), a.code()), (404, "not-found"));
    }
}

#[tokio::test]
async fn idempotency_keys_and_if_match_guard_the_log() {
    let app = service(None, Limits::default());
    call(&app, "POST", "/v1/projects", &[], Some(project("P"))).await;
    let key = [("idempotency-key", "window-7/1")];
    let first =
        call(&app, "POST", "/v1/projects/P/events", &key, Some(event("filing", "accepted", "2025-03-03")))
            .await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("idempotent-replayed"), None);
    let retry =
        call(&app, "POST", "/v1/projects/P/events", &key, Some(event("filing", "accepted", "2025-03-03")))
            .await;
    assert_eq!((retry.status, &retry.json), (first.status, &first.json), "the first answer again");
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    let other =
        call(&app, "POST", "/v1/projects/P/events", &key, Some(event("filing", "approved", "2025-03-04")))
            .await;
    assert_eq!((other.status.as_u16(), other.code()), (422, "refused"));
    assert_eq!(other.json["refusal"]["reason"]["code"], "key-reused");
    let stale = call(
        &app,
        "POST",
        "/v1/projects/P/events",
        &[("if-match", "0")],
        Some(event("filing", "approved", "2025-03-04")),
    )
    .await;
    assert_eq!(
        (stale.status.as_u16(), stale.code(), stale.json["sequence"].as_u64()),
        (412, "stale", Some(1))
    );
    // A retry is answered even when its If-Match has gone stale since.
    let late = [("idempotency-key", "window-7/1"), ("if-match", "0")];
    let a =
        call(&app, "POST", "/v1/projects/P/events", &late, Some(event("filing", "accepted", "2025-03-03")))
            .await;
    assert_eq!((a.status.as_u16(), a.json["seq"].as_u64()), (201, Some(1)));
    let fresh = call(
        &app,
        "POST",
        "/v1/projects/P/events",
        &[("if-match", "\"1\"")],
        Some(event("filing", "approved", "2025-03-04")),
    )
    .await;
    assert_eq!((fresh.status.as_u16(), fresh.json["seq"].as_u64()), (201, Some(2)));
    for (name, value) in [("if-match", "abc"), ("idempotency-key", "")] {
        let a = call(
            &app,
            "POST",
            "/v1/projects/P/events",
            &[(name, value)],
            Some(event("land", "accepted", "2025-03-05")),
        )
        .await;
        assert_eq!((a.status.as_u16(), a.code()), (400, "bad-request"), "{name}: {value}");
    }
    let log = call(&app, "GET", "/v1/projects/P/events", &[], None).await;
    assert_eq!(log.json["sequence"], 2, "nothing refused was written");
}

#[tokio::test]
async fn malformed_requests_are_problems_with_stable_codes() {
    let app = service(None, Limits { body_bytes: 64 * 1024, ..Limits::default() });
    call(&app, "POST", "/v1/projects", &[], Some(project("P"))).await;
    let big = json!({ "flow": "#".repeat(100_000) });
    let cases: Vec<(&str, &str, Option<Value>, u16, &str)> = vec![
        ("GET", "/v2/nothing", None, 404, "not-found"),
        ("DELETE", "/v1/projects", None, 405, "method-not-allowed"),
        ("POST", "/v1/check", Some(json!({ "flow": 3 })), 400, "bad-request"),
        ("POST", "/v1/check", Some(json!({ "flow": "x", "colour": "red" })), 400, "bad-request"),
        ("POST", "/v1/check", Some(big), 413, "too-large"),
        (
            "POST",
            "/v1/projects",
            Some(json!({ "id": "Q", "flow": "id: [", "start": "2025-03-03" })),
            422,
            "invalid",
        ),
        (
            "POST",
            "/v1/projects",
            Some(json!({ "id": "Q", "flow": FLOW, "start": "3 March" })),
            422,
            "calendar",
        ),
        (
            "POST",
            "/v1/projects",
            Some(json!({ "id": "Q", "flow": FLOW, "start": "2025-03-03", "params": { "x": 1 } })),
            422,
            "param",
        ),
        (
            "POST",
            "/v1/projects",
            Some(json!({ "id": "Q", "flow": FLOW, "start": "2025-03-03", "region": "浙江" })),
            422,
            "param",
        ),
        (
            "POST",
            "/v1/projects",
            Some(json!({ "id": "", "flow": FLOW, "start": "2025-03-03" })),
            422,
            "param",
        ),
        (
            "POST",
            "/v1/projects",
            Some(json!({ "id": "a\u{0}b", "flow": FLOW, "start": "2025-03-03" })),
            422,
            "invalid-option",
        ),
        (
            "POST",
            "/v1/projects/P/events",
            Some(json!({ "step": "filing", "kind": "stamped", "date": "2025-03-03" })),
            422,
            "invalid-option",
        ),
        (
            "POST",
            "/v1/projects/P/events",
            Some(json!({ "step": "filling", "kind": "accepted", "date": "2025-03-03" })),
            422,
            "refused",
        ),
        (
            "POST",
            "/v1/projects/P/events",
            Some(json!({ "step": "filing", "kind": "accepted" })),
            400,
            "bad-request",
        ),
        (
            "POST",
            "/v1/projects/nope/events",
            Some(event("filing", "accepted", "2025-03-03")),
            404,
            "not-found",
        ),
        ("GET", "/v1/projects/P/status?date=2025-02-30", None, 422, "calendar"),
        ("GET", "/v1/board?date=2025-03-03&colour=red", None, 400, "bad-request"),
    ];
    for (method, uri, body, status, code) in cases {
        let a = call(&app, method, uri, &[], body).await;
        assert_eq!((a.status.as_u16(), a.code()), (status, code), "{method} {uri}: {}", a.text);
        assert!(a.json["type"].as_str().is_some_and(|t| t == format!("urn:shenpi:problem:{code}")));
        assert!(!a.json["detail"].as_str().unwrap_or("").is_empty());
    }
    let no_type = common::raw(
        &app,
        axum::http::Request::post("/v1/check")
            .body(axum::body::Body::from("{\"flow\": \"x\"}"))
            .expect("request"),
    )
    .await;
    assert_eq!((no_type.status.as_u16(), no_type.code()), (415, "unsupported-media-type"));
}

#[tokio::test]
async fn a_request_over_its_time_is_a_503_that_says_to_retry() {
    let limits = Limits { request_time: std::time::Duration::from_millis(1), ..Limits::default() };
    let app = service(None, limits);
    let a = call(&app, "POST", "/v1/simulate", &[], Some(json!({ "flow": FLOW, "runs": 200_000 }))).await;
    assert_eq!((a.status.as_u16(), a.code()), (503, "timeout"));
    assert!(a.json["detail"].as_str().is_some_and(|d| d.contains("same Idempotency-Key")));
}

#[tokio::test]
async fn events_carry_the_command_lines_flags_as_fields() {
    let app = service(None, Limits::default());
    call(&app, "POST", "/v1/projects", &[], Some(project("P"))).await;
    call(&app, "POST", "/v1/projects/P/events", &[], Some(event("filing", "accepted", "2025-03-03"))).await;
    let started = json!({
        "step": "filing", "kind": "procedure-started", "date": "2025-03-04",
        "procedure": "expert-review", "notified": "2025-03-04", "reason": "专家评审", "by": "张科长"
    });
    let a = call(&app, "POST", "/v1/projects/P/events", &[], Some(started)).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(
        (&a.json["procedure"], &a.json["notified"], &a.json["reason"], &a.json["by"]),
        (&json!("expert-review"), &json!("2025-03-04"), &json!("专家评审"), &json!("张科长"))
    );
    let log = call(&app, "GET", "/v1/projects/P/events", &[], None).await;
    assert_eq!(log.json["events"][1]["procedure"], "expert-review", "{}", log.text);
    assert_eq!(log.json["events"][0].get("procedure"), None, "absent details are left out");
    let status = call(&app, "GET", "/v1/projects/P/status?date=2025-03-10", &[], None).await;
    assert_eq!(status.status, 200, "{}", status.text);
    for (field, value, code) in [
        ("procedure", json!("séance"), "invalid-option"),
        ("notified", json!("2025-02-30"), "calendar"),
        ("reason", json!("a\u{0}b"), "invalid-option"),
        ("by", json!("x".repeat(1001)), "invalid-option"),
    ] {
        let mut body = event("filing", "procedure-ended", "2025-03-05");
        body[field] = value;
        let a = call(&app, "POST", "/v1/projects/P/events", &[], Some(body)).await;
        assert_eq!((a.status.as_u16(), a.code()), (422, code), "{field}: {}", a.text);
    }
    let mut typo = event("filing", "procedure-ended", "2025-03-05");
    typo["reasons"] = json!("x");
    let a = call(&app, "POST", "/v1/projects/P/events", &[], Some(typo)).await;
    assert_eq!((a.status.as_u16(), a.code()), (400, "bad-request"), "unknown fields are refused");
}

#[tokio::test]
async fn the_reform_s_events_pass_through_the_api() {
    let app = service(None, Limits::default());
    call(&app, "POST", "/v1/projects", &[], Some(project("P"))).await;
    // About the whole project: no step.
    let agent = json!({ "kind": "agent-assigned", "date": "2025-03-03", "agent": "王芳" });
    let a = call(&app, "POST", "/v1/projects/P/events", &[], Some(agent)).await;
    assert_eq!(
        (a.status.as_u16(), &a.json["agent"], &a.json["step"]),
        (201, &json!("王芳"), &json!("")),
        "{}",
        a.text
    );
    let mode = json!({ "kind": "mode-set", "date": "2025-03-03", "mode": "simulated" });
    let a = call(&app, "POST", "/v1/projects/P/events", &[], Some(mode)).await;
    assert_eq!(a.status, 201, "{}", a.text);
    call(&app, "POST", "/v1/projects/P/events", &[], Some(event("filing", "accepted", "2025-03-03"))).await;
    // A pledge where the flow allows none is refused with its reason.
    let mut pledge = event("filing", "approved", "2025-03-03");
    pledge["commitment"] = json!(true);
    let a = call(&app, "POST", "/v1/projects/P/events", &[], Some(pledge)).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.text.contains("no-commitment"), "{}", a.text);
    for (field, value, code) in [
        ("verdict", json!("maybe"), "invalid-option"),
        ("mode", json!("fast"), "invalid-option"),
        ("note", json!("a\u{0}b"), "invalid-option"),
    ] {
        let mut body = event("filing", "opinion", "2025-03-04");
        body[field] = value;
        let a = call(&app, "POST", "/v1/projects/P/events", &[], Some(body)).await;
        assert_eq!((a.status.as_u16(), a.code()), (422, code), "{field}: {}", a.text);
    }
    let log = call(&app, "GET", "/v1/projects/P/events", &[], None).await;
    assert_eq!(
        (&log.json["events"][0]["agent"], &log.json["events"][1]["mode"]),
        (&json!("王芳"), &json!("simulated"))
    );
    let status = call(&app, "GET", "/v1/projects/P/status?date=2025-03-04", &[], None).await;
    assert_eq!(
        (&status.json["agent"], &status.json["mode"]),
        (&json!("王芳"), &json!("simulated")),
        "{}",
        status.text
    );
}

/// `tests/data/mechanisms.yaml`: a stage with a window, an intermediary, joint review.
const MECHANISMS: &str = include_str!("../../../tests/data/mechanisms.yaml");

#[tokio::test]
async fn a_project_starts_with_its_agent_and_mode_and_a_window_accepts_its_stage() {
    let app = service(None, Limits::default());
    let mut body = json!({ "id": "M", "flow": MECHANISMS, "name": "mechanisms.yaml", "start": "2025-03-03" });
    body["mode"] = json!("fast");
    let a = call(&app, "POST", "/v1/projects", &[], Some(body.clone())).await;
    assert_eq!((a.status.as_u16(), a.code()), (422, "invalid-option"), "{}", a.text);
    assert!(a.text.contains("expected one of: normal, simulated"), "{}", a.text);
    // A refused first event leaves no project behind.
    assert_eq!(call(&app, "GET", "/v1/projects/M/events", &[], None).await.status, 404);
    (body["mode"], body["agent"]) = (json!("simulated"), json!("王芳"));
    let a = call(&app, "POST", "/v1/projects", &[], Some(body)).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(
        (&a.json["agent"], &a.json["mode"], &a.json["sequence"]),
        (&json!("王芳"), &json!("simulated"), &json!(2))
    );
    // One acceptance at the stage's window: the filing only is ready; then the filing alone.
    let stage = |date: &str| json!({ "step": "stage:initiation", "kind": "accepted", "date": date });
    let key = [("idempotency-key", "window-1")];
    let a = call(&app, "POST", "/v1/projects/M/events", &key, Some(stage("2025-03-03"))).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let all = a.json.as_array().expect("an array of events");
    assert_eq!(
        (all.len(), &all[0]["step"], &all[0]["window"], &all[0]["key"]),
        (1, &json!("filing"), &json!("政务服务中心"), &json!("window-1/filing"))
    );
    assert_eq!(a.header("etag"), Some("\"3\""));
    // A retry with the same key answers the same and records nothing.
    let again = call(&app, "POST", "/v1/projects/M/events", &key, Some(stage("2025-03-03"))).await;
    assert_eq!((again.status.as_u16(), again.header("idempotent-replayed")), (201, Some("true")));
    assert_eq!(again.json, a.json);
    call(&app, "POST", "/v1/projects/M/events", &[], Some(event("filing", "approved", "2025-03-03"))).await;
    let a =
        call(&app, "POST", "/v1/projects/M/events", &[("if-match", "4")], Some(stage("2025-03-04"))).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let steps: Vec<&str> =
        a.json.as_array().expect("events").iter().filter_map(|e| e["step"].as_str()).collect();
    assert!(steps.contains(&"land-planning") && !steps.contains(&"filing"), "{steps:?}");
    // A stage without a window is refused with its reason.
    let a = call(
        &app,
        "POST",
        "/v1/projects/M/events",
        &[],
        Some(json!({ "step": "stage:works", "kind": "accepted", "date": "2025-03-04" })),
    )
    .await;
    assert_eq!((a.status.as_u16(), a.code()), (422, "refused"), "{}", a.text);
    assert!(a.text.contains("no-window"), "{}", a.text);
}
