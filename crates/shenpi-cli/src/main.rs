//! The `shenpi` command line.
//!
//! Exit codes: 0 success, 1 invalid input (a flow or calendar file with
//! errors), 2 usage or I/O error. A closed pipe is not an error.

mod calendar_cmd;
mod check;
mod common;
mod meta;
mod output;
mod plan;
mod project;
mod project_table;
mod render;
mod serve;
mod simulate;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Check, plan, simulate and render administrative approval flows.
#[derive(Parser)]
#[command(
    name = "shenpi",
    version,
    about,
    propagate_version = true,
    after_help = "Exit codes: 0 success, 1 invalid input (a flow or calendar with errors, a refused event), 2 usage or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate flow files; every problem is reported with file, line and column.
    Check(check::Args),
    /// Critical path, deadlines and budget check of a flow.
    Plan(plan::Args),
    /// Draw a flow: the whole-process chart, the Gantt chart, Mermaid or DOT.
    Render(render::Args),
    /// Simulate many projects: the chance of meeting the budget, and which steps threaten it.
    Simulate(simulate::Args),
    /// Working-day arithmetic: add-days, between, show.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCmd),
    /// Live projects: start, record events, status on a day, supervision board
    Project(project::Args),
    /// The HTTP/JSON API for other systems, on a SQLite file or PostgreSQL, with tenants and tokens
    Serve(serve::Args),
    /// Shell completions: bash, zsh, fish or powershell, on standard output
    Completions(meta::CompletionsArgs),
    /// The manual page of `shenpi`, in roff, on standard output; `--dir` writes one per subcommand
    Man(meta::ManArgs),
}

/// How a command ended, as an exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Exit 0.
    Ok = 0,
    /// Exit 1: the input is invalid.
    Invalid = 1,
    /// Exit 2: usage or I/O error.
    Failed = 2,
}

/// Output formats shared by the commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a person.
    #[default]
    Table,
    /// For other tools.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: {e}");
            ExitCode::from(Outcome::Failed as u8)
        }
    }
}

fn run(command: Command) -> io::Result<Outcome> {
    match command {
        Command::Check(args) => check::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Calendar(cmd) => calendar_cmd::run(cmd),
        Command::Project(args) => project::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Render(args) => render::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Completions(args) => meta::completions(args),
        Command::Man(args) => meta::man(args),
    }
}
