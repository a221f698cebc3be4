//! The `shenpi` command line.
//!
//! Exit codes, the same in every command ([`exit_code`] is the one table):
//! 0 success; 1 invalid input or refused (a flow or calendar file with
//! errors, a calendar file a flow names that cannot be read, a date outside
//! the calendar, an unknown or existing project, a refused event); 2 usage or
//! I/O error (a bad argument or `--param`, a file named on the command line
//! that cannot be read or written, a store that fails). A closed pipe is not
//! an error.
//!
//! With `--format json`, a failure prints the one object
//! `{"error": {"code", "message", "diagnostics"}}` on stdout (see `fail`).

mod calendar_cmd;
mod check;
mod common;
mod import;
mod meta;
mod output;
mod plan;
mod project;
mod project_table;
mod render;
mod report;
mod serve;
mod simulate;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shenpi_core::ErrorKind;
use shenpi_core::calendar::{CN_DATA_ENV, Calendar};

use crate::common::{Cause, Failure};

/// Check, plan, simulate and render administrative approval flows.
#[derive(Parser)]
#[command(
    name = "shenpi",
    version,
    about,
    propagate_version = true,
    after_help = "Exit codes, the same for every command:\n  \
                  0  success\n  \
                  1  invalid input or refused: a flow or calendar with errors, a calendar file a flow names \
                  that cannot be read, a date outside the calendar, an unknown or existing project, a refused event\n  \
                  2  usage or I/O error: a bad argument or --param, a file named on the command line that \
                  cannot be read or written, a store that fails\n\n\
                  With --format json, a failure prints one object on stdout and nothing else there:\n  \
                  {\"error\": {\"code\": …, \"message\": …, \"diagnostics\": […]}}, code being the library's \
                  stable error code, or `usage` for a wrong command line"
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
    /// Efficiency statistics (效能统计) of a store over a period, by department, flow or month
    Report(report::Args),
    /// The HTTP/JSON API for other systems, on a SQLite file or PostgreSQL, with tenants and tokens
    Serve(serve::Args),
    /// Shell completions: bash, zsh, fish or powershell, on standard output
    Completions(meta::CompletionsArgs),
    /// The manual page of `shenpi`, in roff, on standard output; `--dir` writes one per subcommand
    Man(meta::ManArgs),
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let format = cli.command.format();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(&failure, format),
    }
}

/// Reports `failure`, for a person on stderr or, with `--format json`, as the
/// one `{"error": …}` object on stdout; returns its exit code.
fn fail(failure: &Failure, format: Format) -> ExitCode {
    if failure.cause != Cause::Closed {
        match format {
            Format::Json => {
                let _ = io::stdout().lock().write_all(failure.json().as_bytes());
            }
            Format::Table => {
                // What a flow or a store holds may carry terminal escapes: shown, not obeyed.
                let text = failure.text();
                if !text.is_empty() {
                    let _ = io::stderr().write_all(common::printable_lines(text + "\n").as_bytes());
                }
            }
        }
    }
    ExitCode::from(exit_code(failure.cause))
}

/// A command line clap refuses: as clap prints it, or as the JSON `usage`
/// error when `--format json` is on the command line. `--help` and
/// `--version` are answers, not errors.
fn usage_error(e: clap::Error) -> ExitCode {
    if !e.use_stderr() || !json_asked(std::env::args_os()) {
        e.exit();
    }
    let text = e.render().to_string();
    let message = text.trim().strip_prefix("error: ").unwrap_or(text.trim());
    fail(&Failure::usage(message), Format::Json)
}

/// Whether `--format json` (or `--format=json`) is among the arguments.
fn json_asked(args: impl IntoIterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    args.iter().any(|a| a == "--format=json") || args.windows(2).any(|w| w[0] == "--format" && w[1] == "json")
}

impl Command {
    /// The output format the command was asked for; `table` for those that have no JSON.
    fn format(&self) -> Format {
        match self {
            Command::Check(args) => args.format(),
            Command::Plan(args) => args.format(),
            Command::Simulate(args) => args.format(),
            Command::Calendar(cmd) => cmd.format(),
            Command::Project(args) => args.format(),
            Command::Report(args) => args.format(),
            Command::Render(_) | Command::Serve(_) | Command::Completions(_) | Command::Man(_) => {
                Format::Table
            }
        }
    }
}

/// The one exit-code table: 0 success, 1 invalid input or refused, 2 usage or I/O.
pub fn exit_code(cause: Cause) -> u8 {
    match cause {
        Cause::Closed => 0,
        Cause::Usage => 2,
        Cause::Error(kind) => match kind {
            ErrorKind::Invalid
            | ErrorKind::OutOfRange
            | ErrorKind::Calendar
            | ErrorKind::CalendarNeeded
            | ErrorKind::Refused
            | ErrorKind::InFuture
            | ErrorKind::NotFound
            | ErrorKind::Exists => 1,
            ErrorKind::Io
            | ErrorKind::Param
            | ErrorKind::InvalidOption
            | ErrorKind::Conflict
            | ErrorKind::Store
            | ErrorKind::Corrupt => 2,
            // A kind newer than this table: not the input's fault as far as we know.
            _ => 2,
        },
    }
}

fn run(command: Command) -> Result<(), Failure> {
    if !matches!(command, Command::Completions(_) | Command::Man(_)) {
        // A wrong `SHENPI_CALENDAR_DATA` stops every command, rather than leaving it on the built-in data.
        Calendar::try_cn().map_err(|e| match e.report() {
            Some(report) => Failure::new(
                Cause::Error(ErrorKind::InvalidOption),
                format!("the file {CN_DATA_ENV} names is not `cn` data"),
            )
            .with_report(report)
            .help(&format!("correct it, or unset {CN_DATA_ENV} to count on the data built into shenpi")),
            None => Failure::new(Cause::Error(ErrorKind::Io), format!("{e} (named by {CN_DATA_ENV})")),
        })?;
    }
    match command {
        Command::Check(args) => check::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Calendar(cmd) => calendar_cmd::run(cmd),
        Command::Project(args) => project::run(args),
        Command::Report(args) => report::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Render(args) => render::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Completions(args) => meta::completions(args),
        Command::Man(args) => meta::man(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_an_exit_code_of_1_or_2() {
        for kind in ErrorKind::ALL {
            let code = exit_code(Cause::Error(kind));
            assert!(code == 1 || code == 2, "{kind}: {code}");
        }
        assert_eq!(exit_code(Cause::Error(ErrorKind::Refused)), 1);
        assert_eq!(exit_code(Cause::Error(ErrorKind::Io)), 2);
        assert_eq!(exit_code(Cause::Usage), 2);
        assert_eq!(exit_code(Cause::Closed), 0);
    }

    #[test]
    fn json_is_asked_by_the_flag_and_its_value_only() {
        let asked = |args: &[&str]| json_asked(args.iter().map(std::ffi::OsString::from));
        assert!(asked(&["shenpi", "plan", "f.yaml", "--format", "json"]));
        assert!(asked(&["shenpi", "plan", "--format=json", "f.yaml"]));
        assert!(!asked(&["shenpi", "plan", "json", "--format", "table"]));
        assert!(!asked(&["shenpi", "plan", "--format"]));
    }
}
