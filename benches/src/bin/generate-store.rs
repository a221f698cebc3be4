//! Writes a SQLite store of generated projects (see `shenpi_benches::history`)
//! for the supervision figures, and says how long it took and how large the
//! file is per project.
//!
//! `cargo run --release -p shenpi-benches --bin generate-store -- DB PROJECTS [SEED]`

use std::process::ExitCode;
use std::time::Instant;

use shenpi::runtime::{Project, Store};
use shenpi::sqlite::SqliteStore;
use shenpi_benches::history::{FLOW, history, today};
use shenpi_benches::parse_flow;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(db), Some(Ok(total))) = (args.first(), args.get(1).map(|n| n.parse::<u64>())) else {
        eprintln!("usage: generate-store DB PROJECTS [SEED]");
        return ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(17);
    match generate(db, total, seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn generate(db: &str, total: u64, seed: u64) -> Result<(), Box<dyn std::error::Error>> {
    let store = SqliteStore::open(db)?;
    let flow = parse_flow(FLOW);
    let begin = Instant::now();
    let mut events = 0usize;
    let have = store.list()?.len() as u64;
    for n in have..total {
        let h = history(n, total, seed);
        let mut p = Project::create(&store, flow.clone(), &h.id, h.start, &[])?;
        events += h.events.len();
        p.record_all(&store, h.events, today())?;
        if (n + 1) % 10_000 == 0 {
            eprintln!("{} projects, {events} events, {:.0?}", n + 1, begin.elapsed());
        }
    }
    let secs = begin.elapsed().as_secs_f64();
    drop(store);
    let size = std::fs::metadata(db)?.len() + std::fs::metadata(format!("{db}-wal")).map_or(0, |m| m.len());
    println!(
        "{total} projects, {events} events in {secs:.1} s ({:.0} projects/s); {size} bytes, {} bytes per project",
        (total - have) as f64 / secs.max(1e-9),
        size / total.max(1)
    );
    Ok(())
}
