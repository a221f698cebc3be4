//! `shenpi serve` as a process: it says where it listens, answers, refuses
//! unsafe options, and stops on SIGTERM after answering what is in flight.

mod server;

use server::{Server, agent, post_json};

#[test]
fn serve_answers_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("new.db");
    let mut server = Server::start(&["--db", db.to_str().expect("utf-8")]);
    assert!(server.banner.iter().any(|l| l.contains("authentication: none")), "{:?}", server.banner);
    assert!(db.exists(), "the server creates its store");
    let agent = agent();
    let mut health = agent.get(format!("{}/healthz", server.url)).call().expect("answers");
    assert_eq!(health.body_mut().read_to_string().expect("body"), "{\"status\":\"ok\"}");
    let (status, body) = post_json(&agent, &format!("{}/v1/check", server.url), "{\"flow\": \"id: [\"}", &[]);
    assert_eq!(status, 200, "{body}");
    let (code, out) = server.terminate();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("stopped: every request in flight was answered"), "{out}");
}

#[test]
fn a_public_address_without_tokens_is_refused() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shenpi"))
        .args(["serve", "--listen", "0.0.0.0:0", "--db", "/nonexistent/never-created.db"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("listens on loopback only") && err.contains("--tokens"), "{err}");
}

#[test]
fn a_bad_tokens_file_is_refused_with_its_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tokens = dir.path().join("tokens.yaml");
    std::fs::write(
        &tokens,
        "- { sha256: abc, region: \"3304\", role: window }\n- { region: \"33\", role: chief }\n",
    )
    .expect("writes");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shenpi"))
        .args(["serve", "--listen", "127.0.0.1:0", "--tokens"])
        .arg(&tokens)
        .arg("--db")
        .arg(dir.path().join("s.db"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tokens.yaml:1: `sha256` must be 64 hex digits"), "{err}");
    assert!(err.contains("tokens.yaml:2: "), "{err}");
    assert!(!dir.path().join("s.db").exists(), "nothing is created when the options are wrong");
}
