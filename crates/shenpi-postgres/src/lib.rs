//! A durable [`Store`] for shenpi's runtime on PostgreSQL, for approval
//! centres that keep their data in a database server rather than a file.
//!
//! It keeps the promises of the SQLite store: an append that returned is
//! committed; one that failed wrote nothing; appends check the expected
//! sequence number under a row lock on the project, so two writers (threads
//! or whole processes on other machines) never interleave; idempotency keys
//! are unique per project, so a vendor's retry is recorded once. The tables
//! live in one schema of their own (`shenpi` unless [`Options::schema`] says
//! otherwise), versioned by a `schema_version` table and migrated at
//! connection; a schema of another program or of a newer shenpi is refused.
//!
//! ```no_run
//! use std::sync::Arc;
//! use chrono::NaiveDate;
//! use shenpi_core::Flow;
//! use shenpi_core::runtime::{EventKind, NewEvent, Project};
//! use shenpi_postgres::PostgresStore;
//!
//! let store = PostgresStore::connect("postgres://postgres@127.0.0.1:5432/test")?;
//! let flow = Flow::parse("f.yaml", "
//! id: f
//! name: 示例
//! stages: [{ id: s, name: 阶段, steps: [{ id: a, name: 备案, promised: 1 }] }]
//! ").map_err(|r| r.render())?;
//! let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
//! let mut p = Project::create(&store, Arc::new(flow), "P-1", day, &[])?;
//! p.record(&store, NewEvent::new("a", EventKind::Accepted, day).with_key("req-1"), day)?;
//! assert_eq!(Project::open(&store, "P-1")?.events().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The client and the pool
//! The [`Store`] trait is synchronous, so the store uses the synchronous
//! `postgres` client with an `r2d2` connection pool: every call takes a
//! connection, runs one transaction and gives it back. An async service
//! calls it from blocking threads (`tokio::task::spawn_blocking`). TLS is not
//! built in: connect over loopback or a Unix socket, or through a proxy that
//! terminates TLS.
//!
//! # What it asks of the server
//! PostgreSQL 10 or later, or a server compatible with it (KingbaseES,
//! openGauss, Highgo) that has:
//! - the extended query protocol with typed parameters (`$1`), including an
//!   array parameter (`key = ANY($2)`);
//! - types `TEXT`, `BIGINT`, `INTEGER`, `DATE`, `TIMESTAMPTZ`; timestamps are
//!   kept to the microsecond; text cannot hold the NUL character, so such
//!   text is an error before anything is sent;
//! - transactional DDL (`CREATE SCHEMA IF NOT EXISTS`, `CREATE TABLE`, a
//!   partial unique index `… WHERE key IS NOT NULL`) and
//!   `information_schema.tables`;
//! - `pg_advisory_xact_lock(bigint)`, which serialises migrations when
//!   several processes connect at once;
//! - `SELECT … FOR UPDATE` under READ COMMITTED for appends, and read-only
//!   REPEATABLE READ transactions for consistent loads;
//! - the `"C"` collation, so that ids list in byte order whatever the
//!   database's collation is.
//! - `substr` and `char_length` on text, which select a region's rows by
//!   its prefix (`starts_with` would need PostgreSQL 11).
//!
//! Errors are [`shenpi_core::Error`]: a foreign or newer schema is
//! [`Error::is_corrupt`], a stale writer [`Error::is_conflict`], an
//! unreachable server [`Error::is_store`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod schema;

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use postgres::{IsolationLevel, NoTls, Row};
use r2d2_postgres::PostgresConnectionManager;
use shenpi_core::Error;
use shenpi_core::runtime::{
    Dim, Event, EventDetail, EventKind, NewEvent, OpenStep, PROJECTION_VERSION, ProjectRecord, Projection,
    Store, Tally, Totals, projection_of, resolve_keys,
};

pub use schema::SCHEMA_VERSION;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;
type Connection = r2d2::PooledConnection<PostgresConnectionManager<NoTls>>;

/// How to connect: schema, pool size, timeout.
///
/// ```
/// use std::time::Duration;
/// let options = shenpi_postgres::Options::new()
///     .schema("shenpi_330421")
///     .pool_size(16)
///     .connect_timeout(Duration::from_secs(3));
/// assert_eq!(options.schema_name(), "shenpi_330421");
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    schema: String,
    pool_size: u32,
    connect_timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options { schema: "shenpi".to_string(), pool_size: 8, connect_timeout: Duration::from_secs(10) }
    }
}

impl Options {
    /// Schema `shenpi`, up to 8 connections, 10 seconds to connect.
    pub fn new() -> Options {
        Options::default()
    }

    /// The schema that holds the store's tables: a plain lowercase
    /// identifier (letters, digits, `_`), created when absent.
    pub fn schema(mut self, name: impl Into<String>) -> Options {
        self.schema = name.into();
        self
    }

    /// The schema's name.
    pub fn schema_name(&self) -> &str {
        &self.schema
    }

    /// The most connections the store holds open at once (at least 1).
    pub fn pool_size(mut self, n: u32) -> Options {
        self.pool_size = n.max(1);
        self
    }

    /// How long to wait for a connection before a call fails.
    pub fn connect_timeout(mut self, timeout: Duration) -> Options {
        self.connect_timeout = timeout;
        self
    }
}

/// The server a store talks to, for messages: user, hosts, database and
/// schema, never the password.
#[derive(Clone, Debug)]
pub(crate) struct Target(String);

impl Target {
    fn new(config: &postgres::Config, schema: &str) -> Target {
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
            .map(|(h, p)| match h {
                postgres::config::Host::Tcp(h) => format!("{h}:{p}"),
                postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        let user = config.get_user().unwrap_or("");
        let db = config.get_dbname().unwrap_or(user);
        Target(format!("postgres://{user}@{}/{db} (schema `{schema}`)", hosts.join(",")))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The server's own message and SQLSTATE when it sent one, else the client's
/// error and its cause.
fn detail(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => {
            let cause = std::error::Error::source(e).map(|s| format!(": {s}")).unwrap_or_default();
            format!("{e}{cause}")
        }
    }
}

/// A backend failure, worded with what was being done and where.
/// The caller's way to the projection of the log after an append
/// ([`Store::append_projected`]), when it has one.
type Given<'a> = Option<&'a dyn Fn(&[Event]) -> Projection>;

pub(crate) fn backend(target: &Target, what: &str, e: postgres::Error) -> Error {
    Error::store(format!("cannot {what} in PostgreSQL at {target}: {}", detail(&e)), Some(Box::new(e)))
}

/// No connection could be made.
fn unreachable(target: &Target, cause: &dyn fmt::Display) -> String {
    format!("cannot connect to PostgreSQL at {target}: {cause}; is the server up and the URL right?")
}

/// The statements, with the schema's name in them.
#[derive(Debug)]
struct Sql {
    insert_project: String,
    lock_project: String,
    events_by_keys: String,
    last_seq: String,
    insert_event: String,
    project: String,
    events: String,
    list: String,
    tallies_of: String,
    put_tallies_of: String,
    drop_tallies_of: String,
    ensure_tally: String,
    lock_tally: String,
    put_tally: String,
    drop_open: String,
    insert_open: String,
    board_of: String,
    board: String,
    tallies: String,
    clear: String,
    lock_all: String,
    note_projections: String,
}

const EVENT_COLUMNS: &str = "seq, step, kind, date, key, recorded_at, detail";

/// A row's region starts with the parameter (`substr`, not `starts_with`,
/// which PostgreSQL has only from version 11 and its older relatives lack).
const WITHIN_2: &str = "substr(region, 1, char_length($2::text)) = $2::text";
const WITHIN_3: &str = "substr(region, 1, char_length($3::text)) = $3::text";
const WITHIN_4: &str = "substr(region, 1, char_length($4::text)) = $4::text";

impl Sql {
    fn new(schema: &str) -> Sql {
        let s = schema::quoted(schema);
        Sql {
            insert_project: format!(
                "INSERT INTO {s}.projects (id, flow_id, flow_hash, flow_name, flow_text, calendar_text, \
                 start_date, params, created_at, region) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ),
            lock_project: format!("SELECT coalesce(region, '') FROM {s}.projects WHERE id = $1 FOR UPDATE"),
            events_by_keys: format!(
                "SELECT {EVENT_COLUMNS} FROM {s}.events WHERE project = $1 AND key = ANY($2)"
            ),
            last_seq: format!("SELECT coalesce(max(seq), 0) FROM {s}.events WHERE project = $1"),
            insert_event: format!(
                "INSERT INTO {s}.events (project, seq, step, kind, date, key, recorded_at, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ),
            project: format!(
                "SELECT flow_id, flow_hash, flow_name, flow_text, calendar_text, start_date, params, created_at, \
                 region FROM {s}.projects WHERE id = $1"
            ),
            events: format!("SELECT {EVENT_COLUMNS} FROM {s}.events WHERE project = $1 ORDER BY seq"),
            list: format!("SELECT id FROM {s}.projects ORDER BY id COLLATE \"C\""),
            tallies_of: format!("SELECT tallies FROM {s}.project_tallies WHERE project = $1"),
            put_tallies_of: format!(
                "INSERT INTO {s}.project_tallies (project, tallies) VALUES ($1, $2) \
                 ON CONFLICT (project) DO UPDATE SET tallies = EXCLUDED.tallies"
            ),
            drop_tallies_of: format!("DELETE FROM {s}.project_tallies WHERE project = $1"),
            ensure_tally: format!(
                "INSERT INTO {s}.tallies (dim, key, day, region, counts) VALUES ($1, $2, $3, $4, '{{}}') \
                 ON CONFLICT DO NOTHING"
            ),
            lock_tally: format!(
                "SELECT counts FROM {s}.tallies WHERE dim = $1 AND key = $2 AND day = $3 AND region = $4 FOR UPDATE"
            ),
            put_tally: format!(
                "UPDATE {s}.tallies SET counts = $5 WHERE dim = $1 AND key = $2 AND day = $3 AND region = $4"
            ),
            drop_open: format!("DELETE FROM {s}.open_steps WHERE project = $1"),
            insert_open: format!(
                "INSERT INTO {s}.open_steps (dept, project, step, board_from, row, region) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
            ),
            board_of: format!(
                "SELECT row FROM {s}.open_steps WHERE dept = $1 AND board_from <= $2 AND {WITHIN_3}"
            ),
            board: format!("SELECT row FROM {s}.open_steps WHERE board_from <= $1 AND {WITHIN_2}"),
            tallies: format!(
                "SELECT key, day, counts FROM {s}.tallies WHERE dim = $1 AND day BETWEEN $2 AND $3 AND {WITHIN_4} \
                 ORDER BY key COLLATE \"C\", day"
            ),
            lock_all: format!("LOCK TABLE {s}.projects IN EXCLUSIVE MODE"),
            clear: format!(
                "DELETE FROM {s}.open_steps; DELETE FROM {s}.project_tallies; DELETE FROM {s}.tallies;"
            ),
            note_projections: format!(
                "INSERT INTO {s}.settings (name, value) VALUES ('projections', $1) \
                 ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
            ),
        }
    }
}

/// The [`PROJECTION_VERSION`] this build writes, as the settings table holds it.
fn current_projections() -> i32 {
    i32::try_from(PROJECTION_VERSION).unwrap_or(i32::MAX)
}

/// A [`Store`] on a PostgreSQL database. Shareable between threads; any
/// number of processes may use the same database and schema.
#[derive(Debug)]
pub struct PostgresStore {
    pool: Pool,
    sql: Sql,
    target: Target,
}

impl PostgresStore {
    /// Connects with [`Options::new`] (schema `shenpi`): see [`PostgresStore::connect_with`].
    ///
    /// # Errors
    /// As [`PostgresStore::connect_with`].
    pub fn connect(url: &str) -> Result<PostgresStore, Error> {
        PostgresStore::connect_with(url, &Options::new())
    }

    /// Connects to the database `url` names (`postgres://user@host:port/db`
    /// or `host=… user=… dbname=…`), creating the schema and its tables when
    /// absent and migrating an older schema.
    ///
    /// # Errors
    /// [`Error::is_store`] for a malformed URL, a bad schema name or a server
    /// that cannot be reached in time; [`Error::is_corrupt`] for a schema of
    /// another program or of a newer shenpi.
    pub fn connect_with(url: &str, options: &Options) -> Result<PostgresStore, Error> {
        schema::check_name(&options.schema)?;
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            Error::store(format!("`{url}` is not a PostgreSQL connection URL: {e}"), Some(Box::new(e)))
        })?;
        config.connect_timeout(options.connect_timeout);
        config.application_name("shenpi");
        let target = Target::new(&config, &options.schema);
        // The first connection is made directly, so that a refused or failed
        // connection is reported with its cause, then migrates the schema.
        let mut client = config
            .connect(NoTls)
            .map_err(|e| Error::store(unreachable(&target, &detail(&e)), Some(Box::new(e))))?;
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size)
            .min_idle(Some(0))
            .connection_timeout(options.connect_timeout)
            .build_unchecked(PostgresConnectionManager::new(config, NoTls));
        let store = PostgresStore { pool, sql: Sql::new(&options.schema), target };
        let mut tx = client.transaction().map_err(|e| backend(&store.target, "start a migration", e))?;
        schema::migrate(&mut tx, &options.schema, &store.target)?;
        let current = current_projections();
        match schema::projections_built_by(&mut tx, &options.schema, &store.target)? {
            Some(v) if v == current => {}
            Some(v) if v > current => {
                return Err(Error::corrupt(format!(
                    "schema `{}` at {} holds projections of a newer shenpi (version {v}; this one builds \
                     {current}); upgrade shenpi",
                    options.schema, store.target
                )));
            }
            // Projections of an older build, or none: rebuilt from the logs.
            _ => {
                store.reindex_in(&mut tx)?;
            }
        }
        tx.commit().map_err(|e| backend(&store.target, "commit a migration", e))?;
        drop(client);
        Ok(store)
    }

    /// The server, database and schema, without the password: for messages.
    pub fn target(&self) -> String {
        self.target.to_string()
    }

    fn conn(&self) -> Result<Connection, Error> {
        self.pool.get().map_err(|e| Error::store(unreachable(&self.target, &e), Some(Box::new(e))))
    }

    /// PostgreSQL text cannot hold the NUL character: refuse such text with
    /// a clear message instead of a server error mid-transaction.
    fn check_text<'a>(
        project: &str,
        texts: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), Error> {
        match texts.into_iter().find(|(_, text)| text.contains('\0')) {
            Some((what, _)) => Err(Error::store(
                format!(
                    "the {what} of project `{}` contains a NUL character, which PostgreSQL text cannot \
                     hold; remove it",
                    project.escape_debug()
                ),
                None,
            )),
            None => Ok(()),
        }
    }

    fn event_from_row(&self, project: &str, row: &Row) -> Result<Event, Error> {
        let bad = |what: &str, value: String| {
            Error::corrupt(format!(
                "{}: project `{project}` has an event with bad {what} `{value}`",
                self.target
            ))
        };
        let read = |e: postgres::Error| backend(&self.target, "read an event", e);
        let seq: i64 = row.try_get(0).map_err(read)?;
        let kind: String = row.try_get(2).map_err(read)?;
        let detail = match row.try_get::<_, Option<String>>(6).map_err(read)? {
            Some(json) => serde_json::from_str(&json).map_err(|_| bad("detail", json))?,
            None => EventDetail::default(),
        };
        Ok(Event {
            project: project.to_string(),
            seq: u64::try_from(seq).map_err(|_| bad("sequence number", seq.to_string()))?,
            step: row.try_get(1).map_err(read)?,
            kind: kind.parse::<EventKind>().map_err(|_| bad("kind", kind.clone()))?,
            date: row.try_get::<_, NaiveDate>(3).map_err(read)?,
            key: row.try_get(4).map_err(read)?,
            detail,
            recorded_at: row.try_get::<_, DateTime<Utc>>(5).map_err(read)?,
        })
    }

    fn record_from_row(&self, id: &str, row: &Row) -> Result<ProjectRecord, Error> {
        let read = |e: postgres::Error| backend(&self.target, "read a project", e);
        let params: String = row.try_get(6).map_err(read)?;
        let params = serde_json::from_str(&params).map_err(|e| {
            Error::corrupt(format!("{}: project `{id}` has bad params `{params}`: {e}", self.target))
        })?;
        Ok(ProjectRecord {
            id: id.to_string(),
            flow_id: row.try_get(0).map_err(read)?,
            flow_hash: row.try_get(1).map_err(read)?,
            flow_name: row.try_get(2).map_err(read)?,
            flow_text: row.try_get(3).map_err(read)?,
            calendar_text: row.try_get(4).map_err(read)?,
            start: row.try_get(5).map_err(read)?,
            params,
            region: row.try_get(8).map_err(read)?,
            created_at: row.try_get(7).map_err(read)?,
        })
    }

    /// The recorded events among `keys` of a project, by key.
    fn recorded_keys(
        &self,
        tx: &mut postgres::Transaction<'_>,
        project: &str,
        keys: &[&str],
    ) -> Result<HashMap<String, Event>, Error> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = tx
            .query(&self.sql.events_by_keys, &[&project, &keys])
            .map_err(|e| backend(&self.target, "look up idempotency keys", e))?;
        let mut out = HashMap::with_capacity(rows.len());
        for row in &rows {
            let e = self.event_from_row(project, row)?;
            if let Some(k) = e.key.clone() {
                out.insert(k, e);
            }
        }
        Ok(out)
    }

    /// A project and its log, read inside the caller's transaction.
    fn load_in(
        &self,
        tx: &mut postgres::Transaction<'_>,
        project: &str,
    ) -> Result<(ProjectRecord, Vec<Event>), Error> {
        let row = tx
            .query_opt(&self.sql.project, &[&project])
            .map_err(|e| backend(&self.target, "read a project", e))?
            .ok_or_else(|| Error::not_found(project))?;
        let record = self.record_from_row(project, &row)?;
        let rows =
            tx.query(&self.sql.events, &[&project]).map_err(|e| backend(&self.target, "read events", e))?;
        let events = rows.iter().map(|r| self.event_from_row(project, r)).collect::<Result<Vec<_>, _>>()?;
        Ok((record, events))
    }

    /// Rebuilds every projection from the logs inside the caller's transaction.
    fn reindex_in(&self, tx: &mut postgres::Transaction<'_>) -> Result<u64, Error> {
        tx.batch_execute(&self.sql.clear).map_err(|e| backend(&self.target, "clear the projections", e))?;
        let rows = tx.query(&self.sql.list, &[]).map_err(|e| backend(&self.target, "list projects", e))?;
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()
            .map_err(|e| backend(&self.target, "list projects", e))?;
        for id in &ids {
            let (record, events) = self.load_in(tx, id)?;
            let region = record.region.as_deref().unwrap_or("");
            self.write_projection(tx, id, region, &projection_of(&record, &events))?;
        }
        tx.execute(&self.sql.note_projections, &[&current_projections()])
            .map_err(|e| backend(&self.target, "note the projections' version", e))?;
        Ok(ids.len() as u64)
    }

    /// Replaces a project's projection inside the caller's transaction, which
    /// holds the project's row lock: its open steps, its tallies, and the
    /// running sums of its region by the difference (each sum's row locked in
    /// one order, so concurrent appends to other projects neither lose an
    /// update nor deadlock).
    fn write_projection(
        &self,
        tx: &mut postgres::Transaction<'_>,
        project: &str,
        region: &str,
        new: &Projection,
    ) -> Result<(), Error> {
        let t = &self.target;
        let fail = |e| backend(t, "write the projection", e);
        let encode = |json: serde_json::Result<String>| {
            json.map_err(|e| Error::store(format!("cannot encode a projection: {e}"), Some(Box::new(e))))
        };
        let corrupt =
            |what: &str| Error::corrupt(format!("{t}: {what} of project `{project}` does not read"));
        let old: Vec<Tally> = match tx.query_opt(&self.sql.tallies_of, &[&project]).map_err(fail)? {
            Some(row) => {
                let json: String = row.try_get(0).map_err(fail)?;
                serde_json::from_str(&json).map_err(|_| corrupt("the tallies"))?
            }
            None => Vec::new(),
        };
        if old != new.tallies {
            let mut delta: std::collections::BTreeMap<(Dim, &str, NaiveDate), Totals> = Default::default();
            for (tally, sign) in old.iter().map(|x| (x, -1)).chain(new.tallies.iter().map(|x| (x, 1))) {
                delta.entry((tally.dim, tally.key.as_str(), tally.day)).or_default().add(&tally.counts, sign);
            }
            for ((dim, key, day), d) in delta.iter().filter(|(_, d)| !d.is_zero()) {
                let dim = dim.as_str();
                tx.execute(&self.sql.ensure_tally, &[&dim, key, day, &region]).map_err(fail)?;
                let json: String = tx
                    .query_one(&self.sql.lock_tally, &[&dim, key, day, &region])
                    .and_then(|r| r.try_get(0))
                    .map_err(fail)?;
                let mut sum: Totals = serde_json::from_str(&json).map_err(|_| corrupt("a running sum"))?;
                sum.add(d, 1);
                let json = encode(serde_json::to_string(&sum))?;
                tx.execute(&self.sql.put_tally, &[&dim, key, day, &region, &json]).map_err(fail)?;
            }
            if new.tallies.is_empty() {
                tx.execute(&self.sql.drop_tallies_of, &[&project]).map_err(fail)?;
            } else {
                let json = encode(serde_json::to_string(&new.tallies))?;
                tx.execute(&self.sql.put_tallies_of, &[&project, &json]).map_err(fail)?;
            }
        }
        tx.execute(&self.sql.drop_open, &[&project]).map_err(fail)?;
        for r in &new.open {
            let json = encode(serde_json::to_string(r))?;
            tx.execute(&self.sql.insert_open, &[&r.dept, &project, &r.step, &r.board_from(), &json, &region])
                .map_err(fail)?;
        }
        Ok(())
    }

    fn insert_events(
        &self,
        tx: &mut postgres::Transaction<'_>,
        project: &str,
        len: u64,
        events: &[NewEvent],
        known: Vec<Option<Event>>,
    ) -> Result<Vec<Event>, Error> {
        let insert = tx.prepare(&self.sql.insert_event).map_err(|e| backend(&self.target, "append", e))?;
        let mut out = Vec::with_capacity(events.len());
        let mut next = len + 1;
        for (new, old) in events.iter().zip(known) {
            if let Some(e) = old {
                out.push(e);
                continue;
            }
            let mut e = Event::recorded(project, next, new);
            e.recorded_at = e.recorded_at.trunc_subsecs(6);
            let seq = i64::try_from(e.seq)
                .map_err(|_| Error::store(format!("project `{project}` has too many events"), None))?;
            // JSON escapes NUL, so the detail is always text PostgreSQL can hold.
            let detail = if e.detail.is_empty() {
                None
            } else {
                Some(serde_json::to_string(&e.detail).map_err(|err| {
                    Error::store(format!("cannot encode an event's detail: {err}"), Some(Box::new(err)))
                })?)
            };
            tx.execute(
                &insert,
                &[&project, &seq, &e.step, &e.kind.as_str(), &e.date, &e.key, &e.recorded_at, &detail],
            )
            .map_err(|err| backend(&self.target, "append", err))?;
            next += 1;
            out.push(e);
        }
        Ok(out)
    }
}

impl PostgresStore {
    /// Checks a new project's texts and inserts its record in `tx`.
    fn insert_project(
        &self,
        tx: &mut postgres::Transaction<'_>,
        project: &ProjectRecord,
    ) -> Result<(), Error> {
        let mut texts = vec![
            ("id", project.id.as_str()),
            ("flow id", &project.flow_id),
            ("flow hash", &project.flow_hash),
            ("flow name", &project.flow_name),
            ("flow text", &project.flow_text),
            ("calendar text", project.calendar_text.as_deref().unwrap_or("")),
            ("region", project.region.as_deref().unwrap_or("")),
        ];
        texts.extend(
            project.params.iter().flat_map(|(k, v)| [("params", k.as_str()), ("params", v.as_str())]),
        );
        PostgresStore::check_text(&project.id, texts)?;
        let params = serde_json::to_string(&project.params)
            .map_err(|e| Error::store(format!("cannot encode params: {e}"), Some(Box::new(e))))?;
        let created_at = project.created_at.trunc_subsecs(6);
        let r = tx.execute(
            &self.sql.insert_project,
            &[
                &project.id,
                &project.flow_id,
                &project.flow_hash,
                &project.flow_name,
                &project.flow_text,
                &project.calendar_text,
                &project.start,
                &params,
                &created_at,
                &project.region,
            ],
        );
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                Err(Error::exists(&project.id))
            }
            Err(e) => Err(backend(&self.target, "create a project", e)),
        }
    }

    /// [`Store::append`] inside the open transaction `tx`, its projection
    /// rewritten; the caller commits. With `given`, the caller's way to the
    /// projection of the log after the events ([`Store::append_projected`]),
    /// used instead of a replay when every event is new.
    fn append_in(
        &self,
        tx: &mut postgres::Transaction<'_>,
        project: &str,
        expected: u64,
        events: &[NewEvent],
        given: Given<'_>,
    ) -> Result<Vec<Event>, Error> {
        // The row lock serialises appends to one project, across processes.
        let found = tx
            .query_opt(&self.sql.lock_project, &[&project])
            .map_err(|e| backend(&self.target, "lock the project", e))?;
        let Some(row) = found else {
            return Err(Error::not_found(project));
        };
        let region: String = row.try_get(0).map_err(|e| backend(&self.target, "lock the project", e))?;
        let keys: Vec<&str> = events.iter().filter_map(|e| e.key.as_deref()).collect();
        let recorded = self.recorded_keys(tx, project, &keys)?;
        let known = resolve_keys(project, events, |k| Ok(recorded.get(k).cloned()))?;
        if known.iter().all(Option::is_some) {
            return Ok(known.into_iter().flatten().collect());
        }
        // The caller's state is the log's when every event is new on top of the `expected` it saw.
        let given = given.filter(|_| known.iter().all(Option::is_none));
        let len: i64 = tx
            .query_one(&self.sql.last_seq, &[&project])
            .and_then(|r| r.try_get(0))
            .map_err(|e| backend(&self.target, "count events", e))?;
        let len = u64::try_from(len).unwrap_or(0);
        if len != expected {
            return Err(Error::conflict(project, expected, len));
        }
        let out = self.insert_events(tx, project, len, events, known)?;
        match given {
            Some(projection) => self.write_projection(tx, project, &region, &projection(&out))?,
            None => {
                let (record, log) = self.load_in(tx, project)?;
                self.write_projection(tx, project, &region, &projection_of(&record, &log))?;
            }
        }

        Ok(out)
    }
}

impl Store for PostgresStore {
    fn create(&self, project: &ProjectRecord) -> Result<(), Error> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| backend(&self.target, "start creating a project", e))?;
        self.insert_project(&mut tx, project)?;
        tx.commit().map_err(|e| backend(&self.target, "commit a new project", e))
    }

    fn create_with(&self, project: &ProjectRecord, events: &[NewEvent]) -> Result<Vec<Event>, Error> {
        let texts =
            events.iter().flat_map(|e| [("step", e.step.as_str()), ("key", e.key.as_deref().unwrap_or(""))]);
        PostgresStore::check_text(&project.id, texts)?;
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| backend(&self.target, "start creating a project", e))?;
        self.insert_project(&mut tx, project)?;
        let out = if events.is_empty() {
            Vec::new()
        } else {
            self.append_in(&mut tx, &project.id, 0, events, None)?
        };
        tx.commit().map_err(|e| backend(&self.target, "commit a new project", e))?;
        Ok(out)
    }

    fn append(&self, project: &str, expected: u64, events: &[NewEvent]) -> Result<Vec<Event>, Error> {
        self.append_with(project, expected, events, None)
    }

    fn append_projected(
        &self,
        project: &str,
        expected: u64,
        events: &[NewEvent],
        projection: &dyn Fn(&[Event]) -> Projection,
    ) -> Result<Vec<Event>, Error> {
        self.append_with(project, expected, events, Some(projection))
    }

    fn load(&self, project: &str) -> Result<(ProjectRecord, Vec<Event>), Error> {
        if project.contains('\0') {
            return Err(Error::not_found(project));
        }
        let mut conn = self.conn()?;
        // One snapshot: the record and the log as they stood together.
        let mut tx = conn
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| backend(&self.target, "start a read", e))?;
        let loaded = self.load_in(&mut tx, project)?;
        tx.commit().map_err(|e| backend(&self.target, "end a read", e))?;
        Ok(loaded)
    }

    fn list(&self) -> Result<Vec<String>, Error> {
        let mut conn = self.conn()?;
        let rows = conn.query(&self.sql.list, &[]).map_err(|e| backend(&self.target, "list projects", e))?;
        rows.iter().map(|r| r.try_get(0).map_err(|e| backend(&self.target, "list projects", e))).collect()
    }

    fn open_steps(&self, dept: Option<&str>, date: NaiveDate, region: &str) -> Result<Vec<OpenStep>, Error> {
        if dept.is_some_and(|d| d.contains('\0')) || region.contains('\0') {
            return Ok(Vec::new());
        }
        let mut conn = self.conn()?;
        let rows = match dept {
            Some(d) => conn.query(&self.sql.board_of, &[&d, &date, &region]),
            None => conn.query(&self.sql.board, &[&date, &region]),
        }
        .map_err(|e| backend(&self.target, "read the board", e))?;
        rows.iter()
            .map(|r| {
                let json: String = r.try_get(0).map_err(|e| backend(&self.target, "read the board", e))?;
                serde_json::from_str(&json)
                    .map_err(|e| Error::corrupt(format!("{}: an open step does not read: {e}", self.target)))
            })
            .collect()
    }

    fn tallies(&self, dim: Dim, from: NaiveDate, to: NaiveDate, region: &str) -> Result<Vec<Tally>, Error> {
        if region.contains('\0') {
            return Ok(Vec::new());
        }
        let mut conn = self.conn()?;
        let read = |e| backend(&self.target, "read the tallies", e);
        let rows = conn.query(&self.sql.tallies, &[&dim.as_str(), &from, &to, &region]).map_err(read)?;
        // One row per region: the rows of one key and day are next to each other.
        let mut out: Vec<Tally> = Vec::with_capacity(rows.len());
        for r in &rows {
            let json: String = r.try_get(2).map_err(read)?;
            let counts: Totals = serde_json::from_str(&json)
                .map_err(|_| Error::corrupt(format!("{}: a tally does not read", self.target)))?;
            let key: String = r.try_get(0).map_err(read)?;
            let day: NaiveDate = r.try_get(1).map_err(read)?;
            match out.last_mut() {
                Some(t) if t.key == key && t.day == day => t.counts.add(&counts, 1),
                _ => out.push(Tally { dim, key, day, counts }),
            }
        }
        out.retain(|t| !t.counts.is_zero());
        Ok(out)
    }

    fn reindex(&self) -> Result<u64, Error> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| backend(&self.target, "start a reindex", e))?;
        // No append may run while the projections are rebuilt.
        tx.batch_execute(&self.sql.lock_all).map_err(|e| backend(&self.target, "lock the store", e))?;
        let n = self.reindex_in(&mut tx)?;
        tx.commit().map_err(|e| backend(&self.target, "commit a reindex", e))?;
        Ok(n)
    }
}

impl PostgresStore {
    /// [`Store::append`] in a transaction of its own; with `given`, as
    /// [`Store::append_projected`].
    fn append_with(
        &self,
        project: &str,
        expected: u64,
        events: &[NewEvent],
        given: Given<'_>,
    ) -> Result<Vec<Event>, Error> {
        if project.contains('\0') {
            return Err(Error::not_found(project));
        }
        let texts =
            events.iter().flat_map(|e| [("step", e.step.as_str()), ("key", e.key.as_deref().unwrap_or(""))]);
        PostgresStore::check_text(project, texts)?;
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| backend(&self.target, "start an append", e))?;
        let out = self.append_in(&mut tx, project, expected, events, given)?;
        tx.commit().map_err(|e| backend(&self.target, "commit an append", e))?;
        Ok(out)
    }
}
