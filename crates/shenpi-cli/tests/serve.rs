//! `shenpi serve` as a process: it says where it listens, answers, refuses
//! unsafe options, and stops on SIGTERM after answering what is in flight.

mod server;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use server::{Server, agent, log, parallel_flow, post_json, start_project, writer_event};

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

/// SIGTERM while 8 writers record events: the service answers what is in
/// flight, exits 0, and after a restart every acknowledged event is in the
/// log, once. Bounded: each writer sends at most 200 events.
#[test]
fn sigterm_under_load_loses_no_acknowledged_event() {
    const WRITERS: usize = 8;
    const MOST: usize = 200;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("s.db");
    let db = db.to_str().expect("utf-8");
    let mut server = Server::start(&["--db", db]);
    start_project(&agent(), &server.url, "P", &parallel_flow(WRITERS, MOST / 2));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (url, acknowledged) = (format!("{}/v1/projects/P/events", server.url), acknowledged.clone());
            std::thread::spawn(move || {
                let agent = agent();
                let mut keys = Vec::new();
                for n in 0..MOST {
                    let key = format!("w{w}-{n}");
                    let (status, body) =
                        post_json(&agent, &url, &writer_event(w, n), &[("idempotency-key", &key)]);
                    match status {
                        201 => {
                            keys.push(key);
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        }
                        // No answer: the service has stopped (or is stopping) accepting.
                        0 => break,
                        _ => panic!("writer {w}, event {n}: {status} {body}"),
                    }
                }
                keys
            })
        })
        .collect();
    // Under load: a few dozen events acknowledged, the writers still going.
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.load(Ordering::SeqCst) < 40 {
        assert!(Instant::now() < deadline, "40 events are acknowledged within two minutes");
        std::thread::sleep(Duration::from_millis(5));
    }
    let (code, out) = server.terminate();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("stopped: every request in flight was answered"), "{out}");
    let acknowledged: Vec<String> =
        writers.into_iter().flat_map(|w| w.join().expect("a writer finishes")).collect();
    assert!(acknowledged.len() < WRITERS * MOST, "SIGTERM came while the writers were still writing");

    let restarted = Server::start(&["--db", db]);
    let stored = log(&agent(), &restarted.url, "P");
    let seqs: Vec<u64> = stored.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=stored.len() as u64).collect::<Vec<_>>(), "the log has no gaps");
    let keys: std::collections::HashSet<&str> = stored.iter().map(|(_, key)| key.as_str()).collect();
    assert_eq!(keys.len(), stored.len(), "no event is stored twice");
    for key in &acknowledged {
        assert!(keys.contains(key.as_str()), "acknowledged event `{key}` is stored");
    }
    // Only a request whose answer was cut off could be stored unacknowledged; graceful shutdown cuts none.
    assert_eq!(stored.len(), acknowledged.len(), "every stored event was acknowledged");
}
