//! Calling the service in process, without a socket.

#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use shenpi_core::runtime::MemoryStore;
use shenpi_server::{Limits, Service, Tokens};
use tower::ServiceExt;

/// A small flow: filing (1 day), then land and permit in parallel; the
/// OpenAPI document's example.
pub const FLOW: &str = shenpi_server::EXAMPLE_FLOW;

/// A service on a fresh in-memory store.
pub fn service(tokens: Option<Tokens>, limits: Limits) -> Router {
    let store = Arc::new(MemoryStore::new());
    Service::with_store(store, tokens.map(Arc::new), limits, "memory".into()).router()
}

/// An answer: status, headers, and the body as JSON (or as a JSON string when it is not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The problem's code, asserting the answer is a problem document.
    pub fn code(&self) -> &str {
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.text);
        assert_eq!(self.json["status"].as_u64(), Some(u64::from(self.status.as_u16())), "{}", self.text);
        self.json["code"].as_str().unwrap_or_else(|| panic!("no code: {}", self.text))
    }
}

/// Sends one request.
pub async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    raw(app, request.body(body).expect("a valid request")).await
}

/// Sends a request built by the caller.
pub async fn raw(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("a body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
    Answer { status, headers, json, text }
}

/// The lowercase hex SHA-256 of a token, as a tokens file lists it.
pub fn sha256(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
