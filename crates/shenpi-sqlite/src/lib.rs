//! A durable [`Store`] for shenpi's runtime on an embedded SQLite file.
//!
//! Projects and their append-only event logs live in one file, written in
//! WAL mode with `synchronous=FULL`: an append that returned is on disk and
//! survives a crash or power cut; one that did not return is either wholly
//! there or not at all. Appends check the expected sequence number inside an
//! immediate transaction, so two writers never interleave, and idempotency
//! keys are unique per project, so a vendor's retry is recorded once.
//!
//! ```
//! use std::sync::Arc;
//! use chrono::NaiveDate;
//! use shenpi_core::Flow;
//! use shenpi_core::runtime::{EventKind, NewEvent, Project};
//! use shenpi_sqlite::SqliteStore;
//!
//! let dir = tempfile::tempdir()?;
//! let store = SqliteStore::open(dir.path().join("shenpi.db"))?;
//! let flow = Flow::parse("f.yaml", "
//! id: f
//! name: 示例
//! stages: [{ id: s, name: 阶段, steps: [{ id: a, name: 备案, promised: 1 }] }]
//! ").map_err(|r| r.render())?;
//! let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
//! let mut p = Project::create(&store, Arc::new(flow), "P-1", day, &[])?;
//! p.record(&store, NewEvent::new("a", EventKind::Accepted, day).with_key("req-1"), day)?;
//! drop(store);
//! let store = SqliteStore::open(dir.path().join("shenpi.db"))?;
//! assert_eq!(Project::open(&store, "P-1")?.events().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Errors are [`shenpi_core::Error`]: a damaged or foreign file is
//! [`Error::is_corrupt`], a stale writer [`Error::is_conflict`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use shenpi_core::Error;
use shenpi_core::runtime::{
    Dim, Event, EventDetail, EventKind, NewEvent, OpenStep, PROJECTION_VERSION, ProjectRecord, Projection,
    Store, Tally, Totals, projection_of, resolve_keys, scan_open_steps, scan_tallies,
};

/// Marks a file as a shenpi store (`PRAGMA application_id`): "SHPI".
pub const APPLICATION_ID: i32 = 0x5348_5049;

/// Schema versions, in order; `PRAGMA user_version` is how many have been applied.
const MIGRATIONS: &[&str] = &[
    // 1: projects and their event logs.
    "CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        flow_id TEXT NOT NULL,
        flow_hash TEXT NOT NULL,
        flow_name TEXT NOT NULL,
        flow_text TEXT NOT NULL,
        start_date TEXT NOT NULL,
        params TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE events (
        project TEXT NOT NULL REFERENCES projects(id),
        seq INTEGER NOT NULL CHECK (seq >= 1),
        step TEXT NOT NULL,
        kind TEXT NOT NULL,
        date TEXT NOT NULL,
        key TEXT,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (project, seq)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX events_key ON events(project, key) WHERE key IS NOT NULL;",
    // 2: the text of a flow's calendar file, pinned like the flow's.
    "ALTER TABLE projects ADD COLUMN calendar_text TEXT;",
    // 3: the administrative region a project belongs to.
    "ALTER TABLE projects ADD COLUMN region TEXT;",
    // 4: what an event says beyond step, kind and date (reason, days, superseded
    // engine events, …), as the JSON of `EventDetail`; NULL when it says nothing.
    "ALTER TABLE events ADD COLUMN detail TEXT;",
    // 5: projections, written with each append (`shenpi_core::runtime::Projection`):
    // open steps by department with the first day each may stand on the board,
    // each project's tallies, and their running sums by dimension, key and day.
    "CREATE TABLE open_steps (
        dept TEXT NOT NULL,
        project TEXT NOT NULL REFERENCES projects(id),
        step TEXT NOT NULL,
        board_from TEXT,
        row TEXT NOT NULL,
        PRIMARY KEY (dept, project, step)
    ) WITHOUT ROWID;
    CREATE INDEX open_steps_board ON open_steps(dept, board_from);
    CREATE INDEX open_steps_day ON open_steps(board_from);
    CREATE INDEX open_steps_project ON open_steps(project);
    CREATE TABLE project_tallies (
        project TEXT PRIMARY KEY REFERENCES projects(id),
        tallies TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE tallies (
        dim TEXT NOT NULL,
        key TEXT NOT NULL,
        day TEXT NOT NULL,
        counts TEXT NOT NULL,
        PRIMARY KEY (dim, day, key)
    ) WITHOUT ROWID;",
    // 6: the projections by region (a project's `region`, '' when it has none), so that
    // a region's board and figures read its rows alone: the running sums are kept per
    // region as well (a region's figures add up its regions' sums), and the open steps
    // carry their project's region. Rebuilt from the logs.
    "ALTER TABLE open_steps ADD COLUMN region TEXT NOT NULL DEFAULT '';
    DROP TABLE tallies;
    CREATE TABLE tallies (
        dim TEXT NOT NULL,
        key TEXT NOT NULL,
        day TEXT NOT NULL,
        region TEXT NOT NULL,
        counts TEXT NOT NULL,
        PRIMARY KEY (dim, day, key, region)
    ) WITHOUT ROWID;",
    // 7: the store's settings; `projections` is the PROJECTION_VERSION its projections
    // were built by (shenpi_core::runtime), so that a newer build rebuilds them.
    "CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) WITHOUT ROWID;",
];

/// The first schema version with projections.
const PROJECTIONS: i64 = 5;

/// The first schema version that notes the version of its projections.
const SETTINGS: i64 = 7;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A [`Store`] on a SQLite file. Shareable between threads; several
/// processes may open the same file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// The file's schema version: older files opened read-only are read as they are.
    version: i64,
    read_only: bool,
    /// Whether the board and the statistics may read the projections: false
    /// for a file opened read-only whose projections are missing or were
    /// built by another version, which is read by replaying its logs.
    projected: bool,
}

/// The caller's way to the projection of the log after an append
/// ([`Store::append_projected`]), when it has one.
type Given<'a> = Option<&'a dyn Fn(&[Event]) -> Projection>;

fn backend(path: &Path, what: &str, e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if matches!(f.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) {
            return Error::corrupt(format!(
                "`{}` is not a shenpi store or is damaged ({e}); restore it from a backup or open another file",
                path.display()
            ));
        }
    }
    Error::store(format!("cannot {what} in `{}`: {e}", path.display()), Some(Box::new(e)))
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`, migrating an older schema.
    ///
    /// # Errors
    /// [`Error::is_corrupt`] for a damaged file, a file of another program or
    /// one written by a newer shenpi; [`Error::is_store`] when it cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, Error> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open(&path).map_err(|e| backend(&path, "open the store", e))?;
        let mut store =
            SqliteStore { conn: Mutex::new(conn), path, version: 0, read_only: false, projected: false };
        store.version = store.check_header()?;
        store.setup()?;
        store.version = SCHEMA_VERSION;
        store.projected = true;
        Ok(store)
    }

    /// Opens the existing store at `path` to read it, and never writes to
    /// it: no file is created, no schema migrated, no journal mode changed.
    /// A file of an older schema is read as it is. Reads see a consistent
    /// snapshot while writers carry on (WAL). Appending to it is an error.
    ///
    /// # Errors
    /// [`Error::is_store`] when there is no file at `path` or it cannot be
    /// opened; [`Error::is_corrupt`] as for [`SqliteStore::open`].
    ///
    /// # Example
    /// ```
    /// use shenpi_sqlite::SqliteStore;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("shenpi.db");
    /// assert!(SqliteStore::open_read_only(&path).unwrap_err().is_store()); // never created
    /// SqliteStore::open(&path)?;
    /// let before = std::fs::read(&path)?;
    /// let store = SqliteStore::open_read_only(&path)?;
    /// assert!(shenpi_core::runtime::Store::list(&store)?.is_empty());
    /// assert_eq!(std::fs::read(&path)?, before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<SqliteStore, Error> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(Error::store(
                format!("there is no store at `{}`: the file does not exist", path.display()),
                None,
            ));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(&path, flags).map_err(|e| backend(&path, "open the store", e))?;
        // A WAL file whose shared-memory file cannot be made (a directory nobody
        // may write to, so no writer either): read the file as it stands.
        let probe = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0));
        let cannot_open = matches!(
            &probe,
            Err(rusqlite::Error::SqliteFailure(f, _)) if matches!(f.code, ErrorCode::CannotOpen | ErrorCode::ReadOnly)
        );
        let mut store =
            SqliteStore { conn: Mutex::new(conn), path, version: 0, read_only: true, projected: false };
        if cannot_open {
            store.conn = Mutex::new(store.immutable()?);
        }
        store.version = store.check_header()?;
        let conn = store.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let built = projections_built_by(&store.path, &conn, store.version)?;
        drop(conn);
        store.projected = built == Some(current_projections());
        Ok(store)
    }

    /// A read-only connection that asks SQLite to treat the file as
    /// unchanging, for a WAL store whose shared-memory file cannot be made
    /// (a read-only directory, where no writer can be either).
    fn immutable(&self) -> Result<Connection, Error> {
        let p = &self.path;
        let abs = std::path::absolute(p)
            .map_err(|e| Error::store(format!("cannot open `{}`: {e}", p.display()), Some(Box::new(e))))?;
        let mut uri = String::from("file:");
        for b in abs.to_string_lossy().bytes() {
            match b {
                b'?' | b'#' | b'%' => uri.push_str(&format!("%{b:02X}")),
                _ => uri.push(char::from(b)),
            }
        }
        uri.push_str("?immutable=1");
        let flags =
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Connection::open_with_flags(&uri, flags).map_err(|e| backend(p, "open the store", e))
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the header: refuses a foreign, newer or damaged file; the schema version.
    fn check_header(&self) -> Result<i64, Error> {
        let p = &self.path;
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        conn.busy_timeout(Duration::from_secs(10)).map_err(|e| backend(p, "set the busy timeout", e))?;
        // Reading the header first turns a damaged or foreign file into a clear error.
        let app: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| backend(p, "read the header", e))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| backend(p, "read the header", e))?;
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(|e| backend(p, "read the schema", e))?;
        if app != APPLICATION_ID && (app != 0 || tables > 0) {
            return Err(Error::corrupt(format!(
                "`{}` is a SQLite file of another program (application id {app:#x}, {tables} schema objects), \
                 not a shenpi store; open another file",
                p.display()
            )));
        }
        if version > SCHEMA_VERSION {
            return Err(Error::corrupt(format!(
                "`{}` has schema version {version}, newer than this shenpi knows ({SCHEMA_VERSION}); upgrade shenpi",
                p.display()
            )));
        }
        Ok(version)
    }

    fn setup(&self) -> Result<(), Error> {
        let p = &self.path;
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| backend(p, "switch to WAL", e))?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(|e| backend(p, "set synchronous=FULL", e))?;
        conn.pragma_update(None, "foreign_keys", true).map_err(|e| backend(p, "enable foreign keys", e))?;
        let built = projections_built_by(p, &conn, self.version)?;
        if let Some(v) = built.filter(|&v| v > current_projections()) {
            return Err(Error::corrupt(format!(
                "`{}` holds projections of a newer shenpi (version {v}; this one builds {}); upgrade shenpi",
                p.display(),
                current_projections()
            )));
        }
        if self.version < SCHEMA_VERSION || built != Some(current_projections()) {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| backend(p, "migrate", e))?;
            // Another process may have migrated while we waited for the lock.
            let now: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| backend(p, "migrate", e))?;
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(now).unwrap_or(0)) {
                tx.execute_batch(sql).map_err(|e| backend(p, &format!("apply migration {}", i + 1), e))?;
            }
            // Projections of an older build, or none: rebuilt from the logs (another
            // process may have done so while we waited for the lock).
            if projections_built_by(p, &tx, SCHEMA_VERSION)? != Some(current_projections()) {
                reindex_in(p, &tx)?;
            }
            tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(|e| backend(p, "migrate", e))?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(|e| backend(p, "migrate", e))?;
            tx.commit().map_err(|e| backend(p, "migrate", e))?;
        }
        Ok(())
    }

    /// Refuses to write through a store opened read-only.
    fn writable(&self, what: &str) -> Result<(), Error> {
        if self.read_only {
            return Err(Error::store(
                format!("cannot {what} in `{}`: the store was opened read-only", self.path.display()),
                None,
            ));
        }
        Ok(())
    }

    /// Checks the file's integrity (`PRAGMA integrity_check`).
    ///
    /// # Errors
    /// [`Error::is_corrupt`] listing what SQLite found.
    pub fn verify(&self) -> Result<(), Error> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let p = &self.path;
        let mut stmt =
            conn.prepare("PRAGMA integrity_check").map_err(|e| backend(p, "check integrity", e))?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| backend(p, "check integrity", e))?;
        if rows == ["ok"] {
            Ok(())
        } else {
            Err(Error::corrupt(format!("`{}` is damaged: {}", p.display(), rows.join("; "))))
        }
    }
}

fn parse_event(project: &str, path: &Path, row: &rusqlite::Row<'_>) -> Result<Event, Error> {
    let bad = |what: &str, value: &str| {
        Error::corrupt(format!(
            "`{}`: project `{project}` has an event with bad {what} `{value}`",
            path.display()
        ))
    };
    let get =
        |i: usize| -> Result<String, Error> { row.get(i).map_err(|e| backend(path, "read an event", e)) };
    let seq: i64 = row.get(0).map_err(|e| backend(path, "read an event", e))?;
    let kind = get(2)?;
    let date = get(3)?;
    let key: Option<String> = row.get(4).map_err(|e| backend(path, "read an event", e))?;
    let at = get(5)?;
    let detail: Option<String> = row.get(6).map_err(|e| backend(path, "read an event", e))?;
    let detail = match detail {
        Some(json) => serde_json::from_str(&json).map_err(|_| bad("detail", &json))?,
        None => EventDetail::default(),
    };
    Ok(Event {
        project: project.to_string(),
        seq: u64::try_from(seq).map_err(|_| bad("sequence number", &seq.to_string()))?,
        step: get(1)?,
        kind: kind.parse::<EventKind>().map_err(|_| bad("kind", &kind))?,
        date: date.parse::<NaiveDate>().map_err(|_| bad("date", &date))?,
        key,
        detail,
        recorded_at: DateTime::parse_from_rfc3339(&at)
            .map_err(|_| bad("timestamp", &at))?
            .with_timezone(&Utc),
    })
}

impl SqliteStore {
    /// Inserts a new project's record through `conn` (a transaction, or the connection).
    fn insert_project(&self, conn: &Connection, project: &ProjectRecord) -> Result<(), Error> {
        let p = &self.path;
        let params_json = serde_json::to_string(&project.params)
            .map_err(|e| Error::store(format!("cannot encode params: {e}"), Some(Box::new(e))))?;
        let r = conn.execute(
            "INSERT INTO projects (id, flow_id, flow_hash, flow_name, flow_text, start_date, params, created_at, calendar_text, region)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                project.id,
                project.flow_id,
                project.flow_hash,
                project.flow_name,
                project.flow_text,
                project.start.to_string(),
                params_json,
                project.created_at.to_rfc3339(),
                project.calendar_text,
                project.region,
            ],
        );
        match r {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == ErrorCode::ConstraintViolation => {
                Err(Error::exists(&project.id))
            }
            Err(e) => Err(backend(p, "create a project", e)),
        }
    }

    /// Runs `body` in one write transaction (taken at once, so writers queue
    /// instead of failing on an upgrade), committed when it succeeds.
    fn write<T>(&self, what: &str, body: impl FnOnce(&Connection) -> Result<T, Error>) -> Result<T, Error> {
        self.writable(what)?;
        let p = &self.path;
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| backend(p, &format!("start a transaction to {what}"), e))?;
        let out = body(&tx)?;
        tx.commit().map_err(|e| backend(p, &format!("commit a transaction to {what}"), e))?;
        Ok(out)
    }

    /// [`Store::append`] inside the open transaction `tx`, its projection
    /// rewritten; the caller commits. With `given`, the caller's way to the
    /// projection of the log after the events ([`Store::append_projected`]),
    /// used instead of a replay when every event is new.
    fn append_in(
        &self,
        tx: &Connection,
        project: &str,
        expected: u64,
        events: &[NewEvent],
        given: Given<'_>,
    ) -> Result<Vec<Event>, Error> {
        let p = &self.path;
        let region_column = if self.version >= 3 { "region" } else { "NULL" };
        let found: Option<Option<String>> = tx
            .query_row(&format!("SELECT {region_column} FROM projects WHERE id = ?1"), [project], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| backend(p, "find the project", e))?;
        let Some(region) = found else {
            return Err(Error::not_found(project));
        };
        let known = {
            let mut stmt = tx
                .prepare_cached(&format!(
                    "SELECT {} FROM events WHERE project = ?1 AND key = ?2",
                    event_columns(self.version)
                ))
                .map_err(|e| backend(p, "look up a key", e))?;
            resolve_keys(project, events, |key| {
                let mut rows =
                    stmt.query(params![project, key]).map_err(|e| backend(p, "look up a key", e))?;
                match rows.next().map_err(|e| backend(p, "look up a key", e))? {
                    Some(row) => parse_event(project, p, row).map(Some),
                    None => Ok(None),
                }
            })?
        };
        if known.iter().all(Option::is_some) {
            return Ok(known.into_iter().flatten().collect());
        }
        // The caller's state is the log's when every event is new on top of the `expected` it saw.
        let given = given.filter(|_| known.iter().all(Option::is_none));
        // Sequence numbers run 1, 2, 3, … without gaps: the last is the count, read from the key's index.
        let len: i64 = tx
            .query_row("SELECT coalesce(max(seq), 0) FROM events WHERE project = ?1", [project], |r| r.get(0))
            .map_err(|e| backend(p, "count events", e))?;
        let len = u64::try_from(len).unwrap_or(0);
        if len != expected {
            return Err(Error::conflict(project, expected, len));
        }
        let mut out = Vec::with_capacity(events.len());
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO events (project, seq, step, kind, date, key, recorded_at, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(|e| backend(p, "append", e))?;
            let mut next = len + 1;
            for (new, old) in events.iter().zip(known) {
                if let Some(e) = old {
                    out.push(e);
                    continue;
                }
                let e = Event::recorded(project, next, new);
                let detail = if e.detail.is_empty() {
                    None
                } else {
                    Some(serde_json::to_string(&e.detail).map_err(|err| {
                        Error::store(format!("cannot encode an event's detail: {err}"), Some(Box::new(err)))
                    })?)
                };
                insert
                    .execute(params![
                        project,
                        i64::try_from(e.seq).unwrap_or(i64::MAX),
                        e.step,
                        e.kind.as_str(),
                        e.date.to_string(),
                        e.key,
                        e.recorded_at.to_rfc3339(),
                        detail,
                    ])
                    .map_err(|err| backend(p, "append", err))?;
                next += 1;
                out.push(e);
            }
        }
        if self.version >= PROJECTIONS {
            match given {
                Some(projection) => write_projection(p, tx, project, region.as_deref(), &projection(&out))?,
                None => {
                    let (record, events) = load_in(p, self.version, tx, project)?;
                    write_projection(p, tx, project, region.as_deref(), &projection_of(&record, &events))?;
                }
            }
        }

        Ok(out)
    }
}

impl Store for SqliteStore {
    fn create(&self, project: &ProjectRecord) -> Result<(), Error> {
        self.writable("create a project")?;
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        self.insert_project(&conn, project)
    }

    fn create_with(&self, project: &ProjectRecord, events: &[NewEvent]) -> Result<Vec<Event>, Error> {
        self.write("create a project", |tx| {
            self.insert_project(tx, project)?;
            if events.is_empty() { Ok(Vec::new()) } else { self.append_in(tx, &project.id, 0, events, None) }
        })
    }

    fn append(&self, project: &str, expected: u64, events: &[NewEvent]) -> Result<Vec<Event>, Error> {
        self.write("append events", |tx| self.append_in(tx, project, expected, events, None))
    }

    fn append_projected(
        &self,
        project: &str,
        expected: u64,
        events: &[NewEvent],
        projection: &dyn Fn(&[Event]) -> Projection,
    ) -> Result<Vec<Event>, Error> {
        self.write("append events", |tx| self.append_in(tx, project, expected, events, Some(projection)))
    }

    fn load(&self, project: &str) -> Result<(ProjectRecord, Vec<Event>), Error> {
        let p = &self.path;
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        // One read transaction: the record and the log from the same snapshot.
        let tx = conn.transaction().map_err(|e| backend(p, "read", e))?;
        load_in(p, self.version, &tx, project)
    }

    fn list(&self) -> Result<Vec<String>, Error> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        list_in(&self.path, &conn)
    }

    fn open_steps(&self, dept: Option<&str>, date: NaiveDate, region: &str) -> Result<Vec<OpenStep>, Error> {
        // A file opened read-only as it is, with projections of another build or none.
        if !self.projected {
            return scan_open_steps(self, dept, date, region);
        }
        let p = &self.path;
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let day = date.to_string();
        let within = "substr(region, 1, length(?3)) = ?3";
        let rows: Vec<String> = match dept {
            Some(d) => conn
                .prepare_cached(&format!(
                    "SELECT row FROM open_steps WHERE dept = ?1 AND board_from <= ?2 AND {within}"
                ))
                .and_then(|mut st| st.query_map(params![d, day, region], |r| r.get(0))?.collect()),
            None => conn
                .prepare_cached(&format!("SELECT row FROM open_steps WHERE board_from <= ?2 AND {within}"))
                .and_then(|mut st| {
                    st.query_map(params![None::<String>, day, region], |r| r.get(0))?.collect()
                }),
        }
        .map_err(|e| backend(p, "read the board", e))?;
        rows.iter()
            .map(|json| {
                serde_json::from_str(json).map_err(|e| {
                    Error::corrupt(format!("`{}`: an open step does not read: {e}", p.display()))
                })
            })
            .collect()
    }

    fn tallies(&self, dim: Dim, from: NaiveDate, to: NaiveDate, region: &str) -> Result<Vec<Tally>, Error> {
        if !self.projected {
            return scan_tallies(self, dim, from, to, region);
        }
        let p = &self.path;
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let within = "substr(region, 1, length(?4)) = ?4";
        let rows: Vec<(String, String, String)> = conn
            .prepare_cached(&format!(
                "SELECT key, day, counts FROM tallies WHERE dim = ?1 AND day BETWEEN ?2 AND ?3 AND {within} \
                 ORDER BY key, day"
            ))
            .and_then(|mut st| {
                st.query_map(params![dim.as_str(), from.to_string(), to.to_string(), region], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect()
            })
            .map_err(|e| backend(p, "read the tallies", e))?;
        let bad = |what: &str| Error::corrupt(format!("`{}`: a tally has a bad {what}", p.display()));
        // One row per region: the rows of one key and day are next to each other.
        let mut out: Vec<Tally> = Vec::new();
        for (key, day, counts) in rows {
            let day: NaiveDate = day.parse().map_err(|_| bad("day"))?;
            let counts = serde_json::from_str::<Totals>(&counts).map_err(|_| bad("count"))?;
            match out.last_mut() {
                Some(t) if t.key == key && t.day == day => t.counts.add(&counts, 1),
                _ => out.push(Tally { dim, key, day, counts }),
            }
        }
        out.retain(|t| !t.counts.is_zero());
        Ok(out)
    }

    fn reindex(&self) -> Result<u64, Error> {
        self.writable("rebuild the projections")?;
        let p = &self.path;
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| backend(p, "start a reindex", e))?;
        let n = reindex_in(p, &tx)?;
        tx.commit().map_err(|e| backend(p, "commit a reindex", e))?;
        Ok(n)
    }
}

/// Reads a project and its log on `conn` (inside the caller's transaction).
fn load_in(
    p: &Path,
    version: i64,
    conn: &Connection,
    project: &str,
) -> Result<(ProjectRecord, Vec<Event>), Error> {
    let tx = conn;
    {
        type Texts = (String, String, String, String, String, String, String);
        type Row = (Texts, Option<String>, Option<String>);
        let calendar = if version >= 2 { "calendar_text" } else { "NULL" };
        let region = if version >= 3 { "region" } else { "NULL" };
        let row: Option<Row> = tx
            .query_row(
                &format!(
                    "SELECT flow_id, flow_hash, flow_name, flow_text, start_date, params, created_at, {calendar}, {region}
                     FROM projects WHERE id = ?1"
                ),
                [project],
                |r| {
                    let texts = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
                    Ok((texts, r.get(7)?, r.get(8)?))
                },
            )
            .optional()
            .map_err(|e| backend(p, "read a project", e))?;
        let Some((
            (flow_id, flow_hash, flow_name, flow_text, start, params_json, created),
            calendar_text,
            region,
        )) = row
        else {
            return Err(Error::not_found(project));
        };
        let bad =
            |what: &str| Error::corrupt(format!("`{}`: project `{project}` has bad {what}", p.display()));
        let record = ProjectRecord {
            id: project.to_string(),
            flow_id,
            flow_hash,
            flow_name,
            flow_text,
            calendar_text,
            start: start.parse().map_err(|_| bad("start date"))?,
            params: serde_json::from_str(&params_json).map_err(|_| bad("params"))?,
            region,
            created_at: DateTime::parse_from_rfc3339(&created)
                .map_err(|_| bad("creation time"))?
                .with_timezone(&Utc),
        };
        let mut stmt = tx
            .prepare_cached(&format!(
                "SELECT {} FROM events WHERE project = ?1 ORDER BY seq",
                event_columns(version)
            ))
            .map_err(|e| backend(p, "read events", e))?;
        let mut rows = stmt.query([project]).map_err(|e| backend(p, "read events", e))?;
        let mut events = Vec::new();
        while let Some(row) = rows.next().map_err(|e| backend(p, "read events", e))? {
            events.push(parse_event(project, p, row)?);
        }
        Ok((record, events))
    }
}

fn list_in(p: &Path, conn: &Connection) -> Result<Vec<String>, Error> {
    let mut stmt =
        conn.prepare("SELECT id FROM projects ORDER BY id").map_err(|e| backend(p, "list projects", e))?;
    stmt.query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| backend(p, "list projects", e))
}

/// The columns events are read with, on a file of schema `version`.
fn event_columns(version: i64) -> &'static str {
    if version >= 4 {
        "seq, step, kind, date, key, recorded_at, detail"
    } else {
        "seq, step, kind, date, key, recorded_at, NULL"
    }
}

/// Rebuilds every projection from the logs inside the caller's transaction;
/// returns how many projects it read.
fn reindex_in(p: &Path, conn: &Connection) -> Result<u64, Error> {
    conn.execute_batch("DELETE FROM open_steps; DELETE FROM project_tallies; DELETE FROM tallies;")
        .map_err(|e| backend(p, "clear the projections", e))?;
    let ids = list_in(p, conn)?;
    for id in &ids {
        let (record, events) = load_in(p, SCHEMA_VERSION, conn, id)?;
        write_projection(p, conn, id, record.region.as_deref(), &projection_of(&record, &events))?;
    }
    conn.execute(
        "INSERT INTO settings (name, value) VALUES ('projections', ?1)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [current_projections()],
    )
    .map_err(|e| backend(p, "note the projections' version", e))?;
    Ok(ids.len() as u64)
}

/// The [`PROJECTION_VERSION`] this build writes, as SQLite stores it.
fn current_projections() -> i64 {
    i64::from(PROJECTION_VERSION)
}

/// The version the file's projections were built by; `None` when it has
/// none or does not say (a schema older than [`SETTINGS`]).
fn projections_built_by(p: &Path, conn: &Connection, version: i64) -> Result<Option<i64>, Error> {
    if version < SETTINGS {
        return Ok(None);
    }
    conn.query_row("SELECT value FROM settings WHERE name = 'projections'", [], |r| r.get(0))
        .optional()
        .map_err(|e| backend(p, "read the settings", e))
}

/// Replaces a project's projection with `new` inside the caller's
/// transaction: its open steps, its tallies, and the running sums of its
/// region by the difference between its old tallies and the new.
fn write_projection(
    p: &Path,
    conn: &Connection,
    project: &str,
    region: Option<&str>,
    new: &Projection,
) -> Result<(), Error> {
    let fail = |e| backend(p, "write the projection", e);
    let region = region.unwrap_or("");
    let old: Option<String> = conn
        .prepare_cached("SELECT tallies FROM project_tallies WHERE project = ?1")
        .and_then(|mut st| st.query_row([project], |r| r.get(0)).optional())
        .map_err(fail)?;
    let old: Vec<Tally> = match old {
        Some(json) => serde_json::from_str(&json).map_err(|_| {
            Error::corrupt(format!("`{}`: the tallies of project `{project}` do not read", p.display()))
        })?,
        None => Vec::new(),
    };
    if old != new.tallies {
        let mut delta: std::collections::BTreeMap<(Dim, &str, NaiveDate), Totals> = Default::default();
        for (t, sign) in old.iter().map(|t| (t, -1)).chain(new.tallies.iter().map(|t| (t, 1))) {
            delta.entry((t.dim, t.key.as_str(), t.day)).or_default().add(&t.counts, sign);
        }
        let mut read = conn
            .prepare_cached(
                "SELECT counts FROM tallies WHERE dim = ?1 AND day = ?2 AND key = ?3 AND region = ?4",
            )
            .map_err(fail)?;
        let mut put = conn
            .prepare_cached(
                "INSERT OR REPLACE INTO tallies (dim, key, day, region, counts) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(fail)?;
        let mut drop = conn
            .prepare_cached("DELETE FROM tallies WHERE dim = ?1 AND day = ?2 AND key = ?3 AND region = ?4")
            .map_err(fail)?;
        for ((dim, key, day), d) in delta.iter().filter(|(_, d)| !d.is_zero()) {
            let day = day.to_string();
            let had: Option<String> = read
                .query_row(params![dim.as_str(), day, key, region], |r| r.get(0))
                .optional()
                .map_err(fail)?;
            let mut sum: Totals = match had {
                Some(json) => serde_json::from_str(&json)
                    .map_err(|_| Error::corrupt(format!("`{}`: a tally does not read", p.display())))?,
                None => Totals::default(),
            };
            sum.add(d, 1);
            if sum.is_zero() {
                drop.execute(params![dim.as_str(), day, key, region]).map_err(fail)?;
            } else {
                put.execute(params![dim.as_str(), key, day, region, encode(serde_json::to_string(&sum))?])
                    .map_err(fail)?;
            }
        }
        if new.tallies.is_empty() {
            conn.execute("DELETE FROM project_tallies WHERE project = ?1", [project]).map_err(fail)?;
        } else {
            conn.execute(
                "INSERT OR REPLACE INTO project_tallies (project, tallies) VALUES (?1, ?2)",
                params![project, encode(serde_json::to_string(&new.tallies))?],
            )
            .map_err(fail)?;
        }
    }
    conn.prepare_cached("DELETE FROM open_steps WHERE project = ?1")
        .and_then(|mut st| st.execute([project]))
        .map_err(fail)?;
    let mut insert = conn
        .prepare_cached(
            "INSERT OR REPLACE INTO open_steps (dept, project, step, board_from, row, region) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(fail)?;
    for r in &new.open {
        let from = r.board_from().map(|d| d.to_string());
        insert
            .execute(params![r.dept, project, r.step, from, encode(serde_json::to_string(r))?, region])
            .map_err(fail)?;
    }
    Ok(())
}

/// A projection value's JSON, or why it could not be made.
fn encode(json: serde_json::Result<String>) -> Result<String, Error> {
    json.map_err(|e| Error::store(format!("cannot encode a projection: {e}"), Some(Box::new(e))))
}
