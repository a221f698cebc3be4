//! `shenpi serve`: the HTTP/JSON API on a SQLite file or a PostgreSQL database.
//!
//! Exit codes: 0 stopped by SIGTERM or Ctrl-C after answering every request
//! in flight; 1 invalid options (a bad tokens file, a public address without
//! tokens); 2 the machine (an address taken, a store that cannot be opened).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use shenpi_core::ErrorKind;
use shenpi_server::{Limits, Options, StoreChoice};

use crate::common::{Cause, Failure};

/// Arguments of `shenpi serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on; without --tokens it must be loopback
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The SQLite store file, created when missing [default: $SHENPI_DB, else shenpi.db]
    #[arg(long, value_name = "FILE", conflicts_with = "postgres")]
    db: Option<PathBuf>,
    /// A PostgreSQL database instead, e.g. postgres://shenpi@127.0.0.1:5432/approvals (tables in schema `shenpi`)
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// The PostgreSQL schema the tables live in, created when missing: one per service
    /// (or per test run) when several share a database
    #[arg(long, value_name = "NAME", default_value = "shenpi", requires = "postgres")]
    postgres_schema: String,
    /// The tokens file: YAML, `- { sha256: HEX, region: "3304", role: window|supervisor|admin }` per token;
    /// without it the service has no authentication and listens on loopback only
    #[arg(long, value_name = "FILE")]
    tokens: Option<PathBuf>,
    /// Largest request body, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().body_bytes)]
    max_body: usize,
    /// Longest a request may take, in seconds, before it is answered with 503
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().request_time.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Most runs one simulation may ask for
    #[arg(long, value_name = "N", default_value_t = Limits::default().simulation_runs,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(shenpi_core::sim::MAX_RUNS)))]
    max_runs: u32,
}

/// Runs the service until SIGTERM or Ctrl-C.
pub fn run(args: Args) -> Result<(), Failure> {
    let store = match (args.postgres, args.db) {
        (Some(url), _) => StoreChoice::Postgres { url, schema: args.postgres_schema },
        (None, Some(path)) => StoreChoice::Sqlite(path),
        (None, None) => {
            StoreChoice::Sqlite(std::env::var_os("SHENPI_DB").map_or("shenpi.db".into(), PathBuf::from))
        }
    };
    let limits = Limits {
        body_bytes: args.max_body,
        request_time: Duration::from_secs(args.timeout),
        simulation_runs: args.max_runs,
    };
    let options = Options { listen: args.listen, store, tokens: args.tokens, limits };
    shenpi_server::run(options).map_err(|e| {
        let kind = if e.is_invalid() { ErrorKind::Invalid } else { ErrorKind::Io };
        Failure::new(Cause::Error(kind), e.to_string())
    })
}
