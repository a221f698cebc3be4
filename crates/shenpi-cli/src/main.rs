//! The `shenpi` command line.

use std::process::ExitCode;

use clap::Parser;

/// Check, plan, simulate and render administrative approval flows.
#[derive(Parser)]
#[command(name = "shenpi", version, about)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = Cli::parse();
    ExitCode::SUCCESS
}
