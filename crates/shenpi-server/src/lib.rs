//! `shenpi serve`: shenpi's HTTP/JSON API, for approval systems written in
//! any language (vendors' are mostly Java) that cannot link the Rust library.
//!
//! One service answers the stateless questions (check, plan, simulate,
//! render a flow; working days on a calendar; status of a project whose
//! events the caller keeps) and keeps live projects in its own store, SQLite
//! or PostgreSQL, with idempotent, optimistically concurrent event recording.
//! Projects belong to regions (区划代码); bearer tokens, listed by their
//! SHA-256 in a YAML file, reach the regions their own region code prefixes,
//! with the role `window`, `supervisor` or `admin`. The API is described by
//! an OpenAPI 3.1 document generated from the types here ([`openapi`]),
//! served at `/openapi.json`; errors are `application/problem+json`
//! (RFC 9457) with a stable `code`.
//!
//! ```no_run
//! use shenpi_server::{Options, StoreChoice};
//!
//! let options = Options::new(StoreChoice::Sqlite("shenpi.db".into()));
//! shenpi_server::run(options)?; // until SIGTERM or Ctrl-C
//! # Ok::<(), shenpi_server::ServeError>(())
//! ```
//!
//! Tests and embedders drive the service without a socket through
//! [`Service::router`], an axum `Router`.
//!
//! # Threads
//! Requests are served on a tokio runtime; store calls (the `Store` trait is
//! synchronous) and CPU-heavy work (simulation, rendering, replaying logs)
//! run on its blocking threads, simulations one at a time. Each request is
//! bounded in body size and time ([`Limits`]).
//!
//! # Shutdown
//! On SIGTERM or Ctrl-C the service stops accepting connections, lets the
//! requests in flight finish (their store transactions commit or roll back
//! whole), and exits: an event whose answer was sent is stored.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// A `Problem` is the answer to a failed request, made once and sent; boxing
// it on every error path would buy nothing.
#![allow(clippy::result_large_err)]

mod api;
mod auth;
mod input;
mod problem;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shenpi_core::runtime::Store;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

pub use auth::{Caller, Role, Tokens};
pub use problem::{Diagnostic, PROBLEM_JSON, Problem, ServiceCode, status_of};

/// The flow of the OpenAPI document's examples: filing, then two permits in
/// parallel, one deemed approved when its legal limit runs out.
///
/// ```
/// let flow = shenpi_core::Flow::parse("demo.yaml", shenpi_server::EXAMPLE_FLOW).expect("a valid flow");
/// assert_eq!(flow.id(), "demo");
/// ```
pub const EXAMPLE_FLOW: &str = "id: demo
name: 示例流程
budget: 30
stages:
  - id: s
    name: 立项用地规划许可
    steps:
      - { id: filing, name: 企业投资项目备案, dept: 发改局, promised: 1 }
      - parallel:
          - { id: land, name: 建设用地规划许可证, dept: 自然资源和规划局, legal: 20, promised: 5, on_timeout: deem-approved }
          - { id: permit, name: 施工许可, dept: 住建局, legal: 7, promised: 5 }
";

/// Where the service keeps its projects.
#[derive(Clone, Debug)]
pub enum StoreChoice {
    /// A SQLite file, created when missing: a server owns its store.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by URL, with the tables in `schema` (`shenpi`
    /// unless several services share one database): created when missing.
    Postgres {
        /// `postgres://user@host:port/db` or `host=… user=… dbname=…`.
        url: String,
        /// A plain lowercase identifier.
        schema: String,
    },
}

/// How much one request may ask for.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body_bytes: usize,
    /// Longest time a request may take before it is answered with 503.
    pub request_time: Duration,
    /// Most runs one simulation may ask for.
    pub simulation_runs: u32,
}

impl Default for Limits {
    /// 2 MiB bodies, 30 seconds, 200,000 simulated runs.
    fn default() -> Limits {
        Limits { body_bytes: 2 << 20, request_time: Duration::from_secs(30), simulation_runs: 200_000 }
    }
}

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Options {
    /// Address to listen on; without tokens it must be a loopback address.
    pub listen: SocketAddr,
    /// The store.
    pub store: StoreChoice,
    /// The tokens file; `None` serves loopback only, without authentication.
    pub tokens: Option<PathBuf>,
    /// Per-request bounds.
    pub limits: Limits,
}

impl Options {
    /// Listen on 127.0.0.1:8080, no tokens, default limits.
    pub fn new(store: StoreChoice) -> Options {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            store,
            tokens: None,
            limits: Limits::default(),
        }
    }
}

/// Why the service could not start or stopped.
#[derive(Debug)]
pub struct ServeError {
    invalid: bool,
    message: String,
}

impl ServeError {
    fn invalid(message: impl Into<String>) -> ServeError {
        ServeError { invalid: true, message: message.into() }
    }

    fn io(message: impl Into<String>) -> ServeError {
        ServeError { invalid: false, message: message.into() }
    }

    /// The options themselves are wrong (a bad tokens file, a public address
    /// without tokens), as opposed to the machine (a port taken, a store down).
    pub fn is_invalid(&self) -> bool {
        self.invalid
    }
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServeError {}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Arc<dyn Store + Send + Sync>,
    pub tokens: Option<Arc<Tokens>>,
    pub limits: Limits,
    /// Simulations run one at a time: each uses every core.
    pub simulations: Arc<Semaphore>,
}

/// The service, ready to serve: its store open, its tokens read.
pub struct Service {
    state: AppState,
    description: String,
}

impl Service {
    /// Opens the store (creating a SQLite file or the PostgreSQL schema when
    /// missing) and reads the tokens file.
    ///
    /// # Errors
    /// A tokens file that cannot be read or is invalid, a store that cannot be opened.
    pub fn open(options: &Options) -> Result<Service, ServeError> {
        let tokens = match &options.tokens {
            Some(path) => Some(Arc::new(Tokens::load(path).map_err(ServeError::invalid)?)),
            None => None,
        };
        let (store, description): (Arc<dyn Store + Send + Sync>, String) = match &options.store {
            StoreChoice::Sqlite(path) => {
                let store =
                    shenpi_sqlite::SqliteStore::open(path).map_err(|e| ServeError::io(e.to_string()))?;
                (Arc::new(store), format!("SQLite `{}`", path.display()))
            }
            StoreChoice::Postgres { url, schema } => {
                let pg = shenpi_postgres::Options::new().schema(schema.as_str());
                let store = shenpi_postgres::PostgresStore::connect_with(url, &pg)
                    .map_err(|e| ServeError::io(e.to_string()))?;
                let description = format!("PostgreSQL {}", store.target());
                (Arc::new(store), description)
            }
        };
        Ok(Service::with_store(store, tokens, options.limits, description))
    }

    /// A service on a store the caller opened (tests use a `MemoryStore`).
    pub fn with_store(
        store: Arc<dyn Store + Send + Sync>,
        tokens: Option<Arc<Tokens>>,
        limits: Limits,
        description: String,
    ) -> Service {
        let state = AppState { store, tokens, limits, simulations: Arc::new(Semaphore::new(1)) };
        Service { state, description }
    }

    /// The store, in words, for the start-up line.
    pub fn describe_store(&self) -> &str {
        &self.description
    }

    /// True when callers must show a token.
    pub fn has_tokens(&self) -> bool {
        self.state.tokens.is_some()
    }

    /// Every endpoint, with the body limit, the time limit, and problems for
    /// unknown paths and methods.
    pub fn router(&self) -> Router {
        let (router, _) = api::routes().split_for_parts();
        router
            .fallback(api::no_such_path)
            .method_not_allowed_fallback(api::no_such_method)
            .layer(axum::middleware::from_fn_with_state(self.state.clone(), bounded_time))
            .layer(DefaultBodyLimit::max(self.state.limits.body_bytes))
            .with_state(self.state.clone())
    }
}

/// Answers 503 when a request takes longer than the limit. Work already
/// handed to a blocking thread finishes there (a store transaction commits
/// or rolls back whole); the caller retries with the same idempotency key.
async fn bounded_time(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.limits.request_time;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::timeout(limit).into_response(),
    }
}

/// The OpenAPI 3.1 document of the service, generated from its types.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| api::routes().split_for_parts().1)
}

/// Serves `service` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    service: &Service,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, service.router()).with_graceful_shutdown(shutdown).await
}

/// SIGTERM or Ctrl-C.
async fn termination() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Runs the service as `shenpi serve` does: opens the store, listens, says
/// on standard output where and how (the first line is
/// `listening on http://ADDRESS`), serves until SIGTERM or Ctrl-C, and
/// returns once the requests in flight are answered.
///
/// # Errors
/// A public address without tokens, a bad tokens file, a store that cannot
/// be opened, an address that cannot be bound.
pub fn run(options: Options) -> Result<(), ServeError> {
    if options.tokens.is_none() && !options.listen.ip().is_loopback() {
        return Err(ServeError::invalid(format!(
            "without --tokens the service has no authentication and listens on loopback only, not on {}; \
             pass --tokens FILE or a loopback --listen such as 127.0.0.1:8080",
            options.listen
        )));
    }
    let service = Service::open(&options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::io(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(|e| ServeError::io(format!("cannot listen on {}: {e}", options.listen)))?;
        let address = listener.local_addr().map_err(|e| ServeError::io(e.to_string()))?;
        announce(address, &service);
        serve(listener, &service, termination())
            .await
            .map_err(|e| ServeError::io(format!("the server failed: {e}")))
    })?;
    println!("stopped: every request in flight was answered");
    Ok(())
}

fn announce(address: SocketAddr, service: &Service) {
    println!("listening on http://{address}");
    println!("store: {}", service.describe_store());
    if service.has_tokens() {
        println!("authentication: bearer tokens from the tokens file");
    } else {
        println!("authentication: none (no --tokens); loopback only, every caller is admin of every region");
    }
}
