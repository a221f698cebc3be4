//! Writes a synthetic flow (see `shenpi_benches::synthetic_flow`) to standard
//! output, for whole-process comparisons; BUDGET `none` writes no budget (a
//! feasible flow):
//!
//! ```text
//! cargo run --release -p shenpi-benches --bin synthetic-flow -- STEPS BUDGET|none [SEED] > flow.yaml
//! ```

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| args.get(i).and_then(|a| a.parse::<u64>().ok());
    let budget = match args.get(1).map(String::as_str) {
        Some("none") => Some(None),
        _ => number(1).map(|b| u32::try_from(b).ok()),
    };
    let (Some(steps), Some(budget)) = (number(0), budget) else {
        eprintln!("usage: synthetic-flow STEPS BUDGET|none [SEED]");
        return ExitCode::from(2);
    };
    if args.get(1).is_some_and(|a| a != "none") && budget.is_none() {
        eprintln!("BUDGET must be at most {}", u32::MAX);
        return ExitCode::from(2);
    }
    let seed = number(2).unwrap_or(1);
    let text = shenpi_benches::synthetic_flow(steps as usize, budget, seed);
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write the flow: {e}");
            ExitCode::from(2)
        }
    }
}
