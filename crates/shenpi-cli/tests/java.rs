//! The Java client in examples/java, compiled with javac and run against a
//! `shenpi serve` this test starts: a project started, events recorded with
//! idempotency keys, a lost answer retried, status, board, 问责 list and
//! statistics read. Skipped, with a
//! message, where no JDK is installed.

mod server;

use std::path::PathBuf;
use std::process::Command;

use server::{Server, agent};

fn has_javac() -> bool {
    Command::new("javac").arg("-version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn the_java_client_drives_a_project_with_the_jdk_alone() {
    if !has_javac() {
        eprintln!("skipped: no `javac` on PATH; install a JDK (11 or later) to run the Java client test");
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().expect("temp dir");
    let classes = dir.path().join("classes");
    let sources: Vec<PathBuf> = std::fs::read_dir(root.join("examples/java"))
        .expect("examples/java")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "java"))
        .collect();
    let javac = Command::new("javac")
        .args(["--release", "11", "-Xlint:all", "-Werror", "-d"])
        .arg(&classes)
        .args(&sources)
        .output()
        .expect("javac runs");
    assert!(javac.status.success(), "javac: {}", String::from_utf8_lossy(&javac.stderr));

    // Jiaxing's admin token: the project is started in Pinghu (330482).
    let token = "jiaxing-admin-token";
    let tokens = dir.path().join("tokens.yaml");
    std::fs::write(&tokens, format!("- {{ sha256: {}, region: \"3304\", role: admin }}\n", sha256(token)))
        .expect("writes");
    let db = dir.path().join("s.db");
    let server =
        Server::start(&["--db", db.to_str().expect("utf-8"), "--tokens", tokens.to_str().expect("utf-8")]);
    let flow = root.join("flows/zhejiang-industrial.yaml");
    let run = Command::new("java")
        .arg("-cp")
        .arg(&classes)
        .arg("Example")
        .arg(&server.url)
        .arg(&flow)
        .arg(token)
        .output()
        .expect("java runs");
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "java: {out}\n{}", String::from_utf8_lossy(&run.stderr));
    for line in [
        "recorded event 1: filing accepted",
        "recorded event 2: filing approved",
        "retry returned event 2 again, recorded once",
        "the same key for another event: 422 refused",
        "status on 2025-03-10: filing=approved",
        "the log holds 2 events",
        "board of the filing's department on 2025-03-10: 0 open step(s)",
        "accountability list on 2025-03-10: 0 notice(s)",
        // Promised on the spot (0 days), approved the next day: late.
        "report of 2025-03, the filing's department: decided 1, on time 0",
    ] {
        assert!(out.contains(line), "`{line}` in:\n{out}");
    }
    // The service agrees: two events, each once.
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("started ").and_then(|r| r.split(' ').next()))
        .expect("the example names its project");
    let mut answer = agent()
        .get(format!("{}/v1/projects/{id}/events", server.url))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .expect("answers");
    let body = answer.body_mut().read_to_string().expect("body");
    assert!(body.contains("\"sequence\":2"), "{body}");
}

/// The token's SHA-256, lowercase hex, as a tokens file lists it.
fn sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
