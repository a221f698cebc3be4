//! A load client for `shenpi serve`: many connections recording events at
//! once, as a county's windows do, with events/s and latency percentiles.
//!
//! ```sh
//! shenpi serve --db /tmp/load.db &            # or --postgres URL
//! cargo run --release -p shenpi-server --example load -- http://127.0.0.1:8080
//! ```
//!
//! Options (after the URL): `--connections N` (64), `--events N` per
//! connection (100), `--writers N` per project (4: connections share
//! projects, so writers race and the service re-reads and re-checks), and
//! `--token T` for a service with tokens (an admin or window token of region
//! `""` or `3304`). Each connection keeps one HTTP/1.1 connection open and
//! records, on steps of its own, `accepted` then `approved`, each with an
//! `Idempotency-Key`; a 409 (too many writers at once) is retried with the
//! same key. At the end it reads every project's log back and checks that
//! each acknowledged event is stored exactly once.

use std::time::{Duration, Instant};

/// What to run.
struct Options {
    url: String,
    connections: usize,
    events: usize,
    writers: usize,
    token: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options { url: String::new(), connections: 64, events: 100, writers: 4, token: None };
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let text = args.next().ok_or(format!("{name} needs a value"))?;
            text.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(format!("{name} must be a positive number, not `{text}`"))
        };
        match arg.as_str() {
            "--connections" => o.connections = number("--connections")?,
            "--events" => o.events = number("--events")?,
            "--writers" => o.writers = number("--writers")?,
            "--token" => o.token = Some(args.next().ok_or("--token needs a value")?),
            url if url.starts_with("http://") => o.url = url.trim_end_matches('/').to_string(),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: load URL [--connections N] [--events N] [--writers N] [--token T]"
                ));
            }
        }
    }
    if o.url.is_empty() {
        return Err(
            "usage: load http://HOST:PORT [--connections N] [--events N] [--writers N] [--token T]".into()
        );
    }
    o.writers = o.writers.min(o.connections);
    Ok(o)
}

/// A flow with one step per writer and event pair, all in parallel, so
/// that any order of the writers' events is allowed.
fn flow(writers: usize, steps: usize) -> String {
    let mut text = String::from(
        "id: load\nname: 压测流程\nbudget: 30\nstages:\n  - id: s\n    name: 并联审批\n    steps:\n      - parallel:\n",
    );
    for w in 0..writers {
        for k in 0..steps {
            text +=
                &format!("          - {{ id: w{w}-{k}, name: 事项{w}-{k}, dept: 部门{w}, promised: 5 }}\n");
        }
    }
    text
}

struct Client {
    agent: ureq::Agent,
    token: Option<String>,
}

impl Client {
    fn new(token: Option<String>) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Client { agent, token }
    }

    /// POSTs JSON; the status and the body, or why no answer came.
    fn post(&self, url: &str, body: &str, key: Option<&str>) -> Result<(u16, String), String> {
        let mut request = self.agent.post(url).header("content-type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let mut response = request.send(body).map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        Ok((status, response.body_mut().read_to_string().map_err(|e| e.to_string())?))
    }

    fn get(&self, url: &str) -> Result<(u16, String), String> {
        let mut request = self.agent.get(url);
        if let Some(token) = &self.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let mut response = request.call().map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        Ok((status, response.body_mut().read_to_string().map_err(|e| e.to_string())?))
    }
}

/// What one connection saw: the latency of each acknowledged event, and its keys.
struct Tally {
    latencies: Vec<Duration>,
    keys: Vec<String>,
    retries: usize,
}

fn writer(o: &Options, run: &str, connection: usize) -> Result<Tally, String> {
    let client = Client::new(o.token.clone());
    let project = format!("{run}-{}", connection / o.writers);
    let w = connection % o.writers;
    let url = format!("{}/v1/projects/{project}/events", o.url);
    let mut tally = Tally { latencies: Vec::with_capacity(o.events), keys: Vec::new(), retries: 0 };
    for n in 0..o.events {
        let kind = if n % 2 == 0 { "accepted" } else { "approved" };
        let body = format!(r#"{{"step": "w{w}-{}", "kind": "{kind}", "date": "2025-03-03"}}"#, n / 2);
        let key = format!("{project}-w{w}-{n}");
        let began = Instant::now();
        loop {
            let (status, answer) = client.post(&url, &body, Some(&key))?;
            match status {
                201 => break,
                409 | 503 => tally.retries += 1,
                _ => return Err(format!("{url} {body}: {status} {answer}")),
            }
        }
        tally.latencies.push(began.elapsed());
        tally.keys.push(key);
    }
    Ok(tally)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let o = options()?;
    let projects = o.connections.div_ceil(o.writers);
    let run = format!("load-{}-{}", std::process::id(), chrono_free_stamp());
    let client = Client::new(o.token.clone());
    let flow = serde_json::to_string(&flow(o.writers, o.events.div_ceil(2))).map_err(|e| e.to_string())?;
    for p in 0..projects {
        let body = format!(r#"{{"id": "{run}-{p}", "start": "2025-03-03", "flow": {flow}}}"#);
        let (status, answer) = client.post(&format!("{}/v1/projects", o.url), &body, None)?;
        if status != 201 {
            return Err(format!("cannot start project {run}-{p}: {status} {answer}"));
        }
    }
    println!(
        "{} connections, {} events each, {} writers per project on {projects} projects",
        o.connections, o.events, o.writers
    );
    let began = Instant::now();
    let tallies: Vec<Result<Tally, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..o.connections)
            .map(|c| {
                s.spawn({
                    let (o, run) = (&o, &run);
                    move || writer(o, run, c)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a writer panicked".into()))).collect()
    });
    let elapsed = began.elapsed();
    let mut latencies = Vec::new();
    let mut keys = std::collections::HashSet::new();
    let mut retries = 0;
    for tally in tallies {
        let tally = tally?;
        latencies.extend(tally.latencies);
        keys.extend(tally.keys);
        retries += tally.retries;
    }
    latencies.sort();
    let events = latencies.len();
    println!(
        "{events} events in {:.1} s: {:.0} events/s; latency p50 {:.1} ms, p99 {:.1} ms; {retries} retries after 409",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
    );
    // Every acknowledged event is stored, once.
    let mut stored = 0;
    for p in 0..projects {
        let (status, answer) = client.get(&format!("{}/v1/projects/{run}-{p}/events", o.url))?;
        let log: serde_json::Value =
            serde_json::from_str(&answer).map_err(|e| format!("the log of {run}-{p} ({status}): {e}"))?;
        for event in log["events"].as_array().into_iter().flatten() {
            stored += 1;
            let key = event["key"].as_str().unwrap_or("");
            if !keys.remove(key) {
                return Err(format!("project {run}-{p}: event `{key}` stored twice or never sent"));
            }
        }
    }
    if !keys.is_empty() {
        return Err(format!("{} acknowledged events are not stored", keys.len()));
    }
    println!("read back: {stored} events stored, each acknowledged event once");
    Ok(())
}

/// Seconds since 1970, to tell runs apart.
fn chrono_free_stamp() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
