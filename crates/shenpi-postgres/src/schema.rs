//! The store's tables, their migrations, and the checks that refuse a schema
//! of another program or of a newer shenpi.

use postgres::Transaction;
use shenpi_core::Error;

use crate::{Target, backend};

/// What the version table says a shenpi store is.
pub(crate) const APPLICATION: &str = "shenpi";

/// Schema versions, in order; the version table holds how many have been
/// applied. `{s}` stands for the quoted schema name.
const MIGRATIONS: &[&str] = &[
    // 1: projects and their event logs.
    "CREATE TABLE {s}.projects (
        id TEXT PRIMARY KEY,
        flow_id TEXT NOT NULL,
        flow_hash TEXT NOT NULL,
        flow_name TEXT NOT NULL,
        flow_text TEXT NOT NULL,
        calendar_text TEXT,
        start_date DATE NOT NULL,
        params TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE {s}.events (
        project TEXT NOT NULL REFERENCES {s}.projects(id),
        seq BIGINT NOT NULL CHECK (seq >= 1),
        step TEXT NOT NULL,
        kind TEXT NOT NULL,
        date DATE NOT NULL,
        key TEXT,
        recorded_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (project, seq)
    );
    CREATE UNIQUE INDEX events_key ON {s}.events (project, key) WHERE key IS NOT NULL;",
    // 2: the administrative region a project belongs to.
    "ALTER TABLE {s}.projects ADD COLUMN region TEXT;",
    // 3: what an event says beyond step, kind and date (reason, days, superseded
    // engine events, …), as the JSON of `EventDetail`; NULL when it says nothing.
    "ALTER TABLE {s}.events ADD COLUMN detail TEXT;",
    // 4: projections, written with each append (`shenpi_core::runtime::Projection`):
    // open steps by department with the first day each may stand on the board,
    // each project's tallies, and their running sums by dimension, key and day.
    "CREATE TABLE {s}.open_steps (
        dept TEXT NOT NULL,
        project TEXT NOT NULL REFERENCES {s}.projects(id),
        step TEXT NOT NULL,
        board_from DATE,
        row TEXT NOT NULL,
        PRIMARY KEY (dept, project, step)
    );
    CREATE INDEX open_steps_board ON {s}.open_steps (dept, board_from);
    CREATE INDEX open_steps_day ON {s}.open_steps (board_from);
    CREATE INDEX open_steps_project ON {s}.open_steps (project);
    CREATE TABLE {s}.project_tallies (
        project TEXT PRIMARY KEY REFERENCES {s}.projects(id),
        tallies TEXT NOT NULL
    );
    CREATE TABLE {s}.tallies (
        dim TEXT NOT NULL,
        key TEXT NOT NULL,
        day DATE NOT NULL,
        counts TEXT NOT NULL,
        PRIMARY KEY (dim, day, key)
    );",
    // 5: the projections by region (a project's `region`, '' when it has none), so that
    // a region's board and figures read its rows alone: the running sums are kept per
    // region as well (a region's figures add up its regions' sums), and the open steps
    // carry their project's region. Rebuilt from the logs.
    "ALTER TABLE {s}.open_steps ADD COLUMN region TEXT NOT NULL DEFAULT '';
    DROP TABLE {s}.tallies;
    CREATE TABLE {s}.tallies (
        dim TEXT NOT NULL,
        key TEXT NOT NULL,
        day DATE NOT NULL,
        region TEXT NOT NULL,
        counts TEXT NOT NULL,
        PRIMARY KEY (dim, day, key, region)
    );",
    // 6: the store's settings; `projections` is the PROJECTION_VERSION its projections
    // were built by (shenpi_core::runtime), so that a newer build rebuilds them.
    "CREATE TABLE {s}.settings (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Key of the advisory lock that serialises migrations of one schema across
/// processes: "SHPI" and a hash of the schema name (FNV-1a, computed here so
/// the database needs no hash function of its own).
fn lock_key(schema: &str) -> i64 {
    let hash = schema.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    (0x5348_5049_i64 << 32) | i64::from(hash)
}

/// A schema name as SQL: double-quoted. Names are checked to be plain
/// identifiers before they get here.
pub(crate) fn quoted(schema: &str) -> String {
    format!("\"{schema}\"")
}

/// Refuses a schema name that is not a plain lowercase identifier, so it
/// needs no escaping and means the same to every PostgreSQL-like server.
pub(crate) fn check_name(schema: &str) -> Result<(), Error> {
    let mut chars = schema.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && schema.len() <= 63 && !schema.starts_with("pg_") {
        return Ok(());
    }
    Err(Error::store(
        format!(
            "schema name `{}` is not a plain identifier: use lowercase letters, digits and `_`, \
             at most 63 bytes, not starting with a digit or `pg_`",
            schema.escape_debug()
        ),
        None,
    ))
}

/// Brings the schema to [`SCHEMA_VERSION`] in one transaction, creating it
/// when absent; refuses a schema of another program or a newer shenpi.
/// Returns the version the schema had before.
pub(crate) fn migrate(tx: &mut Transaction<'_>, schema: &str, target: &Target) -> Result<i32, Error> {
    let s = quoted(schema);
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock_key(schema)])
        .map_err(|e| backend(target, "lock the schema for migration", e))?;
    let version = current_version(tx, schema, target)?;
    if version > SCHEMA_VERSION {
        return Err(Error::corrupt(format!(
            "schema `{schema}` at {target} has shenpi schema version {version}, newer than this shenpi \
             knows ({SCHEMA_VERSION}); upgrade shenpi"
        )));
    }
    if version == 0 {
        let create = format!(
            "CREATE SCHEMA IF NOT EXISTS {s};
             CREATE TABLE {s}.schema_version (application TEXT NOT NULL, version INTEGER NOT NULL);
             INSERT INTO {s}.schema_version VALUES ('{APPLICATION}', 0);"
        );
        tx.batch_execute(&create).map_err(|e| backend(target, &format!("create schema `{schema}`"), e))?;
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
        tx.batch_execute(&sql.replace("{s}", &s))
            .map_err(|e| backend(target, &format!("apply migration {} to schema `{schema}`", i + 1), e))?;
    }
    if version < SCHEMA_VERSION {
        tx.execute(&format!("UPDATE {s}.schema_version SET version = $1"), &[&SCHEMA_VERSION])
            .map_err(|e| backend(target, "record the schema version", e))?;
    }
    Ok(version)
}

/// The applied version: 0 for an absent or empty schema.
fn current_version(tx: &mut Transaction<'_>, schema: &str, target: &Target) -> Result<i32, Error> {
    let tables: Vec<String> = tx
        .query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1", &[&schema])
        .map_err(|e| backend(target, "list the schema's tables", e))?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(|e| backend(target, "list the schema's tables", e))?;
    if tables.is_empty() {
        return Ok(0);
    }
    if !tables.iter().any(|t| t == "schema_version") {
        let mut names = tables;
        names.sort();
        return Err(foreign(schema, target, &format!("it holds tables {}", names.join(", "))));
    }
    let rows = tx
        .query(&format!("SELECT application, version FROM {}.schema_version", quoted(schema)), &[])
        .map_err(|e| backend(target, "read the schema version", e))?;
    let [row] = rows.as_slice() else {
        return Err(foreign(schema, target, &format!("its version table has {} rows, not 1", rows.len())));
    };
    let (Ok(application), Ok(version)) = (row.try_get::<_, String>(0), row.try_get::<_, i32>(1)) else {
        return Err(foreign(schema, target, "its version table has other columns"));
    };
    if application != APPLICATION {
        return Err(foreign(schema, target, &format!("its version table names `{application}`")));
    }
    Ok(version)
}

fn foreign(schema: &str, target: &Target, why: &str) -> Error {
    Error::corrupt(format!(
        "schema `{schema}` at {target} belongs to another program ({why}), not a shenpi store; \
         choose another schema"
    ))
}

/// The version the schema's projections were built by; `None` when it has
/// none. Called after [`migrate`], inside its transaction.
pub(crate) fn projections_built_by(
    tx: &mut Transaction<'_>,
    schema: &str,
    target: &Target,
) -> Result<Option<i32>, Error> {
    let row = tx
        .query_opt(&format!("SELECT value FROM {}.settings WHERE name = 'projections'", quoted(schema)), &[])
        .map_err(|e| backend(target, "read the settings", e))?;
    row.map(|r| r.try_get(0)).transpose().map_err(|e| backend(target, "read the settings", e))
}
