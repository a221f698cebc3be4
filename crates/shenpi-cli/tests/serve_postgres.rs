//! Two `shenpi serve` processes on one PostgreSQL database, 8 writers on
//! each recording events on the same projects: nothing lost, nothing
//! recorded twice, and both services read the same logs. Runs when
//! SHENPI_TEST_POSTGRES names a server (CI sets it); skipped otherwise.

mod server;

use std::collections::HashSet;

use server::{Server, agent, log, parallel_flow, post_json, start_project, writer_event};

const WRITERS_EACH: usize = 8;
const PROJECTS: usize = 2;
/// Events per writer on each project.
const EVENTS: usize = 12;

#[test]
fn two_services_on_one_database_lose_and_duplicate_nothing() {
    let Ok(url) = std::env::var("SHENPI_TEST_POSTGRES") else {
        eprintln!(
            "skipped: set SHENPI_TEST_POSTGRES=postgres://USER@HOST:PORT/DB to run two services on one PostgreSQL"
        );
        return;
    };
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let run = format!("two-{}-{nanos}", std::process::id());
    // A schema of this run's own, dropped at the end: other runs and other
    // builds of shenpi may share the database.
    let schema = Schema { url: url.clone(), name: run.replace('-', "_") };
    let a = Server::start(&["--postgres", &url, "--postgres-schema", &schema.name]);
    let b = Server::start(&["--postgres", &url, "--postgres-schema", &schema.name]);
    let writers = 2 * WRITERS_EACH;
    let flow = parallel_flow(writers, EVENTS / 2);
    let ids: Vec<String> = (0..PROJECTS).map(|p| format!("{run}-{p}")).collect();
    for id in &ids {
        start_project(&agent(), &a.url, id, &flow);
    }
    let urls = [a.url.clone(), b.url.clone()];
    let acknowledged: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..writers)
            .map(|w| {
                let (urls, ids) = (&urls, &ids);
                s.spawn(move || {
                    let agent = agent();
                    let (mine, other) = (&urls[w / WRITERS_EACH], &urls[1 - w / WRITERS_EACH]);
                    let mut keys = Vec::new();
                    // Writers take the projects in turn, so every project has all 16 at once.
                    for n in 0..EVENTS {
                        for id in ids {
                            let key = format!("{id}-w{w}-{n}");
                            let body = writer_event(w, n);
                            let first = record(&agent, mine, id, &body, &key);
                            // The answer is "lost": the retry goes to the other service.
                            let again = record(&agent, other, id, &body, &key);
                            assert_eq!(
                                first["seq"], again["seq"],
                                "a retry elsewhere returns the same event"
                            );
                            keys.push(key);
                        }
                    }
                    keys
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a writer finishes")).collect()
    });
    assert_eq!(acknowledged.len(), writers * EVENTS * PROJECTS);
    let mut stored = HashSet::new();
    for id in &ids {
        let log_a = log(&agent(), &a.url, id);
        assert_eq!(log_a, log(&agent(), &b.url, id), "both services read the same log of {id}");
        let seqs: Vec<u64> = log_a.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs, (1..=log_a.len() as u64).collect::<Vec<_>>(), "the log of {id} has no gaps");
        for (_, key) in log_a {
            assert!(stored.insert(key.clone()), "`{key}` is stored once");
        }
    }
    let acknowledged: HashSet<String> = acknowledged.into_iter().collect();
    assert_eq!(stored, acknowledged, "the stored events are exactly the acknowledged ones");
}

/// A schema made by the services of one run, dropped when the run ends.
struct Schema {
    url: String,
    name: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// Records an event, retrying with the same key while the project is busy
/// (409), backing off a little more each time as a client should.
fn record(agent: &ureq::Agent, url: &str, id: &str, body: &str, key: &str) -> serde_json::Value {
    for attempt in 0..200u64 {
        let (status, answer) =
            post_json(agent, &format!("{url}/v1/projects/{id}/events"), body, &[("idempotency-key", key)]);
        match status {
            201 => return serde_json::from_str(&answer).expect("JSON"),
            409 => std::thread::sleep(std::time::Duration::from_millis(attempt.min(20))),
            _ => panic!("{url} {id} {body}: {status} {answer}"),
        }
    }
    panic!("{id} {key}: still busy after 200 tries")
}
