//! A `shenpi serve` process for tests: started on a free loopback port, its
//! address read from its first line, stopped with SIGTERM or killed on drop.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// The lines it printed on start.
    pub banner: Vec<String>,
}

impl Server {
    /// Starts `shenpi serve --listen 127.0.0.1:0 ARGS` and waits for its address.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shenpi"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("shenpi serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut banner = Vec::new();
        for _ in 0..3 {
            let mut line = String::new();
            stdout.read_line(&mut line).expect("reads the banner");
            banner.push(line.trim_end().to_string());
        }
        let url = banner[0]
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the first line says where it listens: {banner:?}"))
            .to_string();
        Server { child, stdout, url, banner }
    }

    /// The process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (at most a minute) for the exit; returns the
    /// exit code and the rest of standard output.
    pub fn terminate(&mut self) -> (Option<i32>, String) {
        let sent = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().expect("kill runs");
        assert!(sent.success(), "SIGTERM sent");
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                break status;
            }
            assert!(Instant::now() < deadline, "the server stops within a minute of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut rest = String::new();
        let _ = self.stdout.read_to_string(&mut rest);
        (status.code(), rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP client that reports every status as an answer, not an error.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// POSTs JSON; returns the status and the body.
pub fn post_json(agent: &ureq::Agent, url: &str, body: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut request = agent.post(url).header("content-type", "application/json");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    match request.send(body) {
        Ok(mut response) => {
            let status = response.status().as_u16();
            (status, response.body_mut().read_to_string().unwrap_or_default())
        }
        Err(e) => (0, e.to_string()),
    }
}

/// A flow whose steps are all in parallel, `steps` of them per writer
/// (`w{writer}-{k}`), so that writers' events are allowed in any order.
pub fn parallel_flow(writers: usize, steps: usize) -> String {
    let mut text = String::from(
        "id: load\nname: 并联\nbudget: 30\nstages:\n  - id: s\n    name: 并联审批\n    steps:\n      - parallel:\n",
    );
    for w in 0..writers {
        for k in 0..steps {
            text +=
                &format!("          - {{ id: w{w}-{k}, name: 事项{w}-{k}, dept: 部门{w}, promised: 5 }}\n");
        }
    }
    text
}

/// The `n`-th event of `writer` on its own steps: `accepted`, then `approved`.
pub fn writer_event(writer: usize, n: usize) -> String {
    let kind = if n % 2 == 0 { "accepted" } else { "approved" };
    format!(r#"{{"step": "w{writer}-{}", "kind": "{kind}", "date": "2025-03-03"}}"#, n / 2)
}

/// Starts project `id` of `flow` on 2025-03-03.
pub fn start_project(agent: &ureq::Agent, url: &str, id: &str, flow: &str) {
    let body = serde_json::json!({ "id": id, "flow": flow, "start": "2025-03-03" }).to_string();
    let (status, answer) = post_json(agent, &format!("{url}/v1/projects"), &body, &[]);
    assert_eq!(status, 201, "{answer}");
}

/// A project's log as (seq, idempotency key) pairs.
pub fn log(agent: &ureq::Agent, url: &str, id: &str) -> Vec<(u64, String)> {
    let mut answer = agent.get(format!("{url}/v1/projects/{id}/events")).call().expect("answers");
    let text = answer.body_mut().read_to_string().expect("body");
    let log: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    log["events"]
        .as_array()
        .unwrap_or_else(|| panic!("a log: {text}"))
        .iter()
        .map(|e| (e["seq"].as_u64().unwrap_or(0), e["key"].as_str().unwrap_or("").to_string()))
        .collect()
}
