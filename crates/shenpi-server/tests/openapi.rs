//! docs/openapi.json is the document the service serves, generated from its types.
//! After changing the API, write it anew with `SHENPI_BLESS=1 cargo test -p shenpi-server --test openapi`.

use std::path::PathBuf;

fn committed() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

#[test]
fn the_committed_document_is_the_served_one() {
    let served = serde_json::to_string_pretty(shenpi_server::openapi()).expect("serialises") + "\n";
    let path = committed();
    if std::env::var_os("SHENPI_BLESS").is_some() {
        std::fs::write(&path, &served).expect("writes docs/openapi.json");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == served,
        "docs/openapi.json differs from the document the service serves; \
         run `SHENPI_BLESS=1 cargo test -p shenpi-server --test openapi` and review the diff"
    );
}

#[test]
fn the_document_is_openapi_3_1_with_every_endpoint() {
    let doc = serde_json::to_value(shenpi_server::openapi()).expect("serialises");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let want = [
        ("/healthz", "get"),
        ("/openapi.json", "get"),
        ("/v1/check", "post"),
        ("/v1/plan", "post"),
        ("/v1/simulate", "post"),
        ("/v1/render", "post"),
        ("/v1/calendars/{name}/add-days", "get"),
        ("/v1/calendars/{name}/between", "get"),
        ("/v1/evaluate", "post"),
        ("/v1/projects", "post"),
        ("/v1/projects/{id}/events", "post"),
        ("/v1/projects/{id}/events", "get"),
        ("/v1/projects/{id}/status", "get"),
        ("/v1/projects/{id}/advance", "post"),
        ("/v1/board", "get"),
        ("/v1/accountability", "get"),
        ("/v1/report", "get"),
    ];
    for (path, method) in want {
        assert!(paths.get(path).is_some_and(|p| p.get(method).is_some()), "{method} {path} is documented");
    }
    // Every error answer is a problem document.
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is application/problem+json"
                    );
                }
            }
        }
    }
}
