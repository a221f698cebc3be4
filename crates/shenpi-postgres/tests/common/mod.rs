//! A schema of its own for each test, on the server `SHENPI_TEST_POSTGRES` names.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use shenpi_core::runtime::Store;
use shenpi_postgres::{Options, PostgresStore};
use shenpi_store_tests::Fixture;

/// The variable naming the test server, e.g. `postgres://postgres@127.0.0.1:5432/test`.
pub const ENV: &str = "SHENPI_TEST_POSTGRES";

/// A fresh schema, dropped when the test ends.
pub struct Schema {
    pub url: String,
    pub name: String,
}

impl Schema {
    /// A new schema on the test server, or `None` (with a message) when no server is named.
    pub fn new() -> Option<Schema> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let Ok(url) = std::env::var(ENV) else {
            eprintln!("skipped: set {ENV}=postgres://USER@HOST:PORT/DB to run the PostgreSQL tests");
            return None;
        };
        let name = format!("shenpi_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let schema = Schema { url, name };
        schema.sql(&format!("DROP SCHEMA IF EXISTS {} CASCADE", schema.name));
        Some(schema)
    }

    /// Options for this schema, with a small pool: tests open many handles.
    pub fn options(&self) -> Options {
        Options::new().schema(&self.name).pool_size(2)
    }

    /// Runs SQL on the test server directly.
    pub fn sql(&self, sql: &str) {
        let mut client =
            postgres::Client::connect(&self.url, postgres::NoTls).expect("the test server answers");
        client.batch_execute(sql).unwrap_or_else(|e| panic!("`{sql}`: {e}"));
    }

    /// Connects a store to this schema.
    pub fn connect(&self) -> Result<PostgresStore, shenpi_core::Error> {
        PostgresStore::connect_with(&self.url, &self.options())
    }
}

impl Fixture for Schema {
    fn open(&self) -> Arc<dyn Store + Send + Sync> {
        Arc::new(self.connect().expect("the store connects"))
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}
