//! The `shenpi` command line.

mod calendar_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Check, plan, simulate and render administrative approval flows.
#[derive(Parser)]
#[command(name = "shenpi", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Working-day arithmetic: add-days, between, show
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Calendar(cmd) => calendar_cmd::run(cmd),
    }
}
