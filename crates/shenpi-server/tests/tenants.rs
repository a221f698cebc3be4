//! Tenants and tokens: one county cannot read or write another's projects
//! (404, so existence does not leak), no token is 401, a wrong role 403.

mod common;

use common::{FLOW, call, service, sha256};
use serde_json::json;
use shenpi_server::{Limits, Tokens};

/// Pinghu (330482) has a window and a supervisor, Jiaxing city (3304) a
/// supervisor, Huaibei (3406) a window; the province office is admin of all.
fn tokens() -> Tokens {
    let entries = [
        ("pinghu-window", "330482", "window"),
        ("pinghu-supervisor", "330482", "supervisor"),
        ("jiaxing-supervisor", "3304", "supervisor"),
        ("huaibei-window", "3406", "window"),
        ("huzhou-supervisor", "3305", "supervisor"),
        ("province", "", "admin"),
    ];
    let text: String = entries
        .iter()
        .map(|(t, region, role)| {
            format!("- {{ sha256: {}, region: \"{region}\", role: {role} }}\n", sha256(t))
        })
        .collect();
    Tokens::parse(&text).expect("a valid tokens file")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn one_county_cannot_read_or_write_another_s_projects() {
    let app = service(Some(tokens()), Limits::default());
    let pinghu = bearer("pinghu-window");
    let body = json!({ "id": "PH-1", "flow": FLOW, "start": "2025-03-03" });
    let a = call(&app, "POST", "/v1/projects", &[("authorization", &pinghu)], Some(body)).await;
    assert_eq!(
        (a.status.as_u16(), a.json["region"].as_str()),
        (201, Some("330482")),
        "the token's region by default"
    );
    let event = json!({ "step": "filing", "kind": "accepted", "date": "2025-03-03" });
    let a =
        call(&app, "POST", "/v1/projects/PH-1/events", &[("authorization", &pinghu)], Some(event.clone()))
            .await;
    assert_eq!(a.status, 201, "{}", a.text);

    // Huaibei's window: the project does not exist for it, whatever it tries.
    let huaibei = bearer("huaibei-window");
    let a =
        call(&app, "POST", "/v1/projects/PH-1/events", &[("authorization", &huaibei)], Some(event.clone()))
            .await;
    assert_eq!((a.status.as_u16(), a.code()), (404, "not-found"));
    let unknown =
        call(&app, "POST", "/v1/projects/XX-9/events", &[("authorization", &huaibei)], Some(event)).await;
    assert_eq!(
        a.json["detail"].as_str().map(|d| d.replace("PH-1", "X")),
        unknown.json["detail"].as_str().map(|d| d.replace("XX-9", "X")),
        "the same answer as for no project"
    );
    for uri in ["/v1/projects/PH-1/events", "/v1/projects/PH-1/advance?to=2025-03-31"] {
        let method = if uri.ends_with("events") { "GET" } else { "POST" };
        let a = call(&app, method, uri, &[("authorization", &huaibei)], None).await;
        assert_eq!((a.status.as_u16(), a.code()), (404, "not-found"), "{uri}");
    }
    // Jiaxing city reaches Pinghu (330482 starts with 3304); Pinghu's supervisor too.
    for token in ["jiaxing-supervisor", "pinghu-supervisor", "province"] {
        let a = call(
            &app,
            "GET",
            "/v1/projects/PH-1/status?date=2025-03-04",
            &[("authorization", &bearer(token))],
            None,
        )
        .await;
        assert_eq!(a.status, 200, "{token}: {}", a.text);
        let board =
            call(&app, "GET", "/v1/board?date=2025-03-31", &[("authorization", &bearer(token))], None).await;
        assert!(board.json["rows"].as_array().is_some_and(|r| !r.is_empty()), "{token}: {}", board.text);
    }
}

#[tokio::test]
async fn the_board_shows_only_the_token_s_regions() {
    let app = service(Some(tokens()), Limits::default());
    let admin = bearer("province");
    for (id, region) in [("PH-1", "330482"), ("HB-1", "340602")] {
        let body = json!({ "id": id, "flow": FLOW, "start": "2025-03-03", "region": region });
        assert_eq!(
            call(&app, "POST", "/v1/projects", &[("authorization", &admin)], Some(body)).await.status,
            201
        );
        let event = json!({ "step": "filing", "kind": "accepted", "date": "2025-03-03" });
        call(&app, "POST", &format!("/v1/projects/{id}/events"), &[("authorization", &admin)], Some(event))
            .await;
    }
    let projects = |token: &str| {
        let app = app.clone();
        let token = bearer(token);
        async move {
            let a = call(&app, "GET", "/v1/board?date=2025-03-31", &[("authorization", &token)], None).await;
            let mut ids: Vec<String> = a.json["rows"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["project"].as_str().map(str::to_string))
                .collect();
            ids.dedup();
            ids
        }
    };
    assert_eq!(projects("province").await, ["HB-1", "PH-1"]);
    assert_eq!(projects("jiaxing-supervisor").await, ["PH-1"]);
}

#[tokio::test]
async fn a_city_s_report_counts_only_its_own_projects() {
    let app = service(Some(tokens()), Limits::default());
    let admin = bearer("province");
    // Pinghu (Jiaxing city, 3304) decides its filing on time; Changxing (Huzhou city, 3305) twice over.
    for (id, region) in [("PH-1", "330482"), ("CX-1", "330522"), ("CX-2", "330522")] {
        let mut body = json!({ "id": id, "flow": FLOW, "start": "2025-03-03", "region": region });
        if id == "CX-1" {
            body["agent"] = json!("王芳");
        }
        let a = call(&app, "POST", "/v1/projects", &[("authorization", &admin)], Some(body)).await;
        assert_eq!(a.status, 201, "{}", a.text);
        for (kind, date) in [("accepted", "2025-03-03"), ("approved", "2025-03-04")] {
            let event = json!({ "step": "filing", "kind": kind, "date": date });
            let uri = format!("/v1/projects/{id}/events");
            let a = call(&app, "POST", &uri, &[("authorization", &admin)], Some(event)).await;
            assert_eq!(a.status, 201, "{}", a.text);
        }
    }
    let report = |token: &str, by: &str| {
        let app = app.clone();
        let auth = bearer(token);
        let uri = format!("/v1/report?from=2025-03-01&to=2025-03-31&by={by}");
        async move { call(&app, "GET", &uri, &[("authorization", &auth)], None).await }
    };
    let decided = |a: &common::Answer| -> Vec<(String, i64)> {
        let rows = a.json["rows"].as_array().cloned().unwrap_or_default();
        rows.iter()
            .filter(|r| r["decided"].as_i64().unwrap_or(0) > 0)
            .map(|r| (r["key"].as_str().unwrap_or("").to_string(), r["decided"].as_i64().unwrap_or(0)))
            .collect()
    };
    for (token, want) in
        [("jiaxing-supervisor", 1), ("pinghu-supervisor", 1), ("huzhou-supervisor", 2), ("province", 3)]
    {
        let a = report(token, "dept").await;
        assert_eq!(a.status, 200, "{token}: {}", a.text);
        assert_eq!((a.json["from"].as_str(), a.json["by"].as_str()), (Some("2025-03-01"), Some("dept")));
        assert_eq!(decided(&a), [("发改局".to_string(), want)], "{token}: {}", a.text);
        let a = report(token, "month").await;
        assert_eq!(decided(&a), [("2025-03".to_string(), want)], "{token}: {}", a.text);
        // Only Changxing's first project has an agent (代办员); no stage of the flow has a window.
        let a = report(token, "agent").await;
        let agent = if token == "jiaxing-supervisor" || token == "pinghu-supervisor" { 0 } else { 1 };
        assert_eq!(decided(&a).len(), agent, "{token}: {}", a.text);
        assert_eq!(decided(&report(token, "window").await), []);
    }
    // A window does not read reports; a period must not end before it starts.
    let a = report("pinghu-window", "dept").await;
    assert_eq!((a.status.as_u16(), a.code()), (403, "forbidden"));
    let a = call(&app, "GET", "/v1/report?from=2025-03-31&to=2025-03-01", &[("authorization", &admin)], None)
        .await;
    assert_eq!(a.status.as_u16(), 422, "{}", a.text);
    let a = report("province", "week").await;
    assert_eq!(a.status.as_u16(), 400, "{}", a.text);
}

#[tokio::test]
async fn no_token_is_401_and_a_wrong_role_403() {
    let app = service(Some(tokens()), Limits::default());
    let admin = bearer("province");
    let body = json!({ "id": "PH-1", "flow": FLOW, "start": "2025-03-03", "region": "330482" });
    call(&app, "POST", "/v1/projects", &[("authorization", &admin)], Some(body)).await;
    let event = json!({ "step": "filing", "kind": "accepted", "date": "2025-03-03" });
    for auth in [None, Some("Bearer wrong"), Some("Basic cGluZ2h1"), Some("pinghu-window")] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
        for (method, uri, body) in [
            ("GET", "/v1/projects/PH-1/status", None),
            ("POST", "/v1/projects/PH-1/events", Some(event.clone())),
            ("POST", "/v1/check", Some(json!({ "flow": FLOW }))),
        ] {
            let a = call(&app, method, uri, &headers, body).await;
            assert_eq!((a.status.as_u16(), a.code()), (401, "unauthorized"), "{auth:?} {uri}");
        }
    }
    // Health and the document are public.
    assert_eq!(call(&app, "GET", "/healthz", &[], None).await.status, 200);
    assert_eq!(call(&app, "GET", "/openapi.json", &[], None).await.status, 200);
    let window = bearer("pinghu-window");
    let supervisor = bearer("pinghu-supervisor");
    let forbidden = [
        (&window, "GET", "/v1/projects/PH-1/status", None),
        (&window, "GET", "/v1/board", None),
        (&supervisor, "POST", "/v1/projects/PH-1/events", Some(event.clone())),
        (&supervisor, "POST", "/v1/projects/PH-1/advance?to=2025-03-04", None),
        (
            &supervisor,
            "POST",
            "/v1/projects",
            Some(json!({ "id": "X", "flow": FLOW, "start": "2025-03-03" })),
        ),
        (
            &window,
            "POST",
            "/v1/projects",
            Some(json!({ "id": "X", "flow": FLOW, "start": "2025-03-03", "region": "3406" })),
        ),
    ];
    for (token, method, uri, body) in forbidden {
        let a = call(&app, method, uri, &[("authorization", token)], body).await;
        assert_eq!((a.status.as_u16(), a.code()), (403, "forbidden"), "{token} {method} {uri}: {}", a.text);
    }
    // Every role may ask the stateless questions and read the log within its region.
    for token in [&window, &supervisor] {
        let a =
            call(&app, "POST", "/v1/check", &[("authorization", token)], Some(json!({ "flow": FLOW }))).await;
        assert_eq!(a.status, 200);
        let a = call(&app, "GET", "/v1/projects/PH-1/events", &[("authorization", token)], None).await;
        assert_eq!(a.status, 200);
    }
}

#[tokio::test]
async fn the_accountability_list_shows_only_the_token_s_regions() {
    let app = service(Some(tokens()), Limits::default());
    let admin = bearer("province");
    // Supervised 3 working days past due, answer within 2: 施工许可 accepted 2025-09-24 is
    // due 2025-10-09 (the National Day holiday between), noticed 10-11, on the 问责 list from 10-15.
    let flow = FLOW.replace("budget: 30", "budget: 30\nalerts: { red: 1, supervise: 3, answer_within: 2 }");
    for (id, region) in [("PH-1", "330482"), ("CX-1", "330522")] {
        let body = json!({ "id": id, "flow": flow, "start": "2025-09-22", "region": region });
        let a = call(&app, "POST", "/v1/projects", &[("authorization", &admin)], Some(body)).await;
        assert_eq!(a.status, 201, "{}", a.text);
        for (step, kind, date) in [
            ("filing", "accepted", "2025-09-22"),
            ("filing", "approved", "2025-09-23"),
            ("permit", "accepted", "2025-09-24"),
        ] {
            let event = json!({ "step": step, "kind": kind, "date": date });
            let uri = format!("/v1/projects/{id}/events");
            let a = call(&app, "POST", &uri, &[("authorization", &admin)], Some(event)).await;
            assert_eq!(a.status, 201, "{}", a.text);
        }
    }
    let listed = |token: &str, query: &str| {
        let (app, token, uri) = (app.clone(), bearer(token), format!("/v1/accountability?{query}"));
        async move {
            let a = call(&app, "GET", &uri, &[("authorization", &token)], None).await;
            assert_eq!(a.status, 200, "{}", a.text);
            a.json["rows"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| format!("{} {} {}", r["project"], r["dept"], r["supervised"]).replace('"', ""))
                .collect::<Vec<String>>()
        }
    };
    assert_eq!(
        listed("province", "date=2025-10-15").await,
        ["CX-1 住建局 2025-10-11", "PH-1 住建局 2025-10-11"]
    );
    assert_eq!(listed("jiaxing-supervisor", "date=2025-10-15").await, ["PH-1 住建局 2025-10-11"]);
    assert_eq!(listed("huzhou-supervisor", "date=2025-10-15&dept=住建局").await, ["CX-1 住建局 2025-10-11"]);
    assert!(listed("province", "date=2025-10-14").await.is_empty(), "still within the days to answer");
    assert!(listed("province", "date=2025-10-15&dept=发改局").await.is_empty());
    let a = call(&app, "GET", "/v1/accountability?date=2025-10-15", &[], None).await;
    assert_eq!(a.status, 401, "{}", a.text);
}
