//! No input gives a 500: random methods, paths, headers and bodies — JSON of
//! any shape, bodies shaped like the real ones with hostile values, bytes —
//! against every endpoint of a service holding a project.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{FLOW, call, raw, service};
use proptest::prelude::*;
use serde_json::{Value, json};
use shenpi_server::Limits;

const PATHS: &[&str] = &[
    "/healthz",
    "/openapi.json",
    "/v1/check",
    "/v1/plan",
    "/v1/simulate",
    "/v1/render",
    "/v1/calendars/{x}/add-days",
    "/v1/calendars/{x}/between",
    "/v1/evaluate",
    "/v1/projects",
    "/v1/projects/{x}/events",
    "/v1/projects/{x}/status",
    "/v1/projects/{x}/advance",
    "/v1/board",
    "/v1/accountability",
    "/v1/report",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "flow",
            "name",
            "calendar",
            "params",
            "runs",
            "seed",
            "start",
            "format",
            "events",
            "date",
            "id",
            "region",
            "step",
            "kind",
            "reason",
            "days",
            "by",
            "procedure",
            "notified",
        ])
        .prop_map(str::to_string),
        "[a-z]{1,6}",
    ]
}

/// Values that have broken parsers before: dates at the edges, huge numbers, NUL, YAML tricks.
fn hostile_text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "9999-12-31",
        "0000-01-01",
        "-0001-01-01",
        "2025-02-29",
        "1970-01-01",
        "2025-03-03",
        "",
        "\u{0}",
        "a\u{0}b",
        "../../etc/passwd",
        "%00",
        "cn",
        "weekends",
        "accepted",
        "deemed-approved",
        "svg",
        "gantt-svg",
        "id: x\nname: y\nstages: []\n",
        "&a [*a, *a]",
        "{{{{{{{{",
        "- - - - -",
        "18446744073709551616",
        "-1",
        "NaN",
        "项目",
        "\u{202e}",
    ])
    .prop_map(str::to_string)
}

/// An event as `POST /v1/projects/{id}/events` takes it, with any value in each field.
fn event_body() -> impl Strategy<Value = Value> {
    let step = prop_oneof![
        prop::sample::select(vec!["filing", "land", "permit"]).prop_map(str::to_string),
        hostile_text()
    ];
    let kind = prop_oneof![
        prop::sample::select(vec!["accepted", "approved", "procedure-started", "supplement-requested"])
            .prop_map(str::to_string),
        hostile_text(),
    ];
    let detail = prop::collection::btree_map(
        prop::sample::select(vec!["reason", "days", "by", "procedure", "notified"]),
        prop_oneof![hostile_text().prop_map(Value::String), json_value(), Just(json!("expert-review"))],
        0..4,
    );
    (step, kind, hostile_text(), detail).prop_map(|(step, kind, date, detail)| {
        let mut event = json!({ "step": step, "kind": kind, "date": date });
        for (k, v) in detail {
            event[k] = v;
        }
        event
    })
}

/// Bodies shaped like the real ones, with any value in each field.
fn shaped_body() -> impl Strategy<Value = Value> {
    let flow = prop_oneof![Just(FLOW.to_string()), hostile_text(), ".{0,40}"];
    (flow, hostile_text(), hostile_text(), json_value(), 0u32..3000, hostile_text()).prop_map(
        |(flow, date, kind, params, runs, step)| {
            json!({
                "flow": flow, "start": date, "date": date, "kind": kind, "step": step, "id": step,
                "params": params, "runs": runs, "format": kind, "events": [{ "step": step, "kind": kind, "date": date, "procedure": kind, "notified": date }],
            })
        },
    )
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("P".to_string()),
        Just("cn".to_string()),
        Just("%00".to_string()),
        Just("%2F..%2F".to_string()),
        Just("%E9%A1%B9%E7%9B%AE".to_string()),
        "[a-zA-Z0-9_-]{0,8}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    (hostile_text(), hostile_text(), any::<i32>()).prop_map(|(a, b, n)| {
        let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
        format!("?date={}&to={}&from={}&n={n}&dept={}", enc(&a), enc(&b), enc(&a), enc(&b))
    })
}

#[derive(Debug, Clone)]
enum BodyKind {
    None,
    Json(Value),
    Bytes(Vec<u8>),
}

fn body() -> impl Strategy<Value = BodyKind> {
    prop_oneof![
        Just(BodyKind::None),
        json_value().prop_map(BodyKind::Json),
        shaped_body().prop_map(BodyKind::Json),
        event_body().prop_map(BodyKind::Json),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(BodyKind::Bytes),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let pair = prop_oneof![
        hostile_text().prop_map(|v| ("idempotency-key", v)),
        prop::sample::select(vec!["0", "1", "\"2\"", "W/\"0\"", "-1", "99999999999999999999", "x"])
            .prop_map(|v| ("if-match", v.to_string())),
        prop::sample::select(vec!["Bearer x", "Basic y", ""]).prop_map(|v| ("authorization", v.to_string())),
    ];
    prop::collection::vec(pair, 0..3)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_request_gives_a_500(
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
        path in prop::sample::select(PATHS.to_vec()),
        seg in segment(),
        q in prop::option::of(query()),
        body in body(),
        headers in headers(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let app = service(None, Limits { simulation_runs: 3000, ..Limits::default() });
            let create = json!({ "id": "P", "flow": FLOW, "start": "2025-03-03" });
            assert_eq!(call(&app, "POST", "/v1/projects", &[], Some(create)).await.status, 201);
            let uri = path.replace("{x}", &seg) + q.as_deref().unwrap_or("");
            let mut request = Request::builder().method(method).uri(&uri);
            for (k, v) in &headers {
                if let Ok(v) = axum::http::HeaderValue::from_str(v) {
                    request = request.header(*k, v);
                }
            }
            let payload = match &body {
                BodyKind::None => Body::empty(),
                BodyKind::Json(v) => {
                    request = request.header("content-type", "application/json");
                    Body::from(v.to_string())
                }
                BodyKind::Bytes(b) => {
                    request = request.header("content-type", "application/json");
                    Body::from(b.clone())
                }
            };
            let Ok(request) = request.body(payload) else { return Ok(()) };
            let a = raw(&app, request).await;
            prop_assert!(a.status.as_u16() < 500, "{method} {uri} {body:?} {headers:?}: {} {}", a.status, a.text);
            if !a.status.is_success() {
                prop_assert_eq!(a.header("content-type"), Some("application/problem+json"), "{} {}", method, uri);
                // The code is the library's or one of the service's own, never another.
                let code = a.code();
                let known = shenpi_core::ErrorKind::from_code(code).is_some()
                    || shenpi_server::ServiceCode::ALL.iter().any(|c| c.code() == code);
                prop_assert!(known, "{} {}: unknown code `{}`", method, uri, code);
            }
            Ok(())
        })?;
    }
}
