//! The SQLite store passes the conformance checks every store passes.

use std::path::PathBuf;
use std::sync::Arc;

use shenpi_core::runtime::Store;
use shenpi_sqlite::SqliteStore;
use shenpi_store_tests::Fixture;

/// One store file in a temporary directory; each handle is its own connection.
struct File {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl File {
    fn new() -> File {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("shenpi.db");
        File { _dir: dir, path }
    }
}

impl Fixture for File {
    fn open(&self) -> Arc<dyn Store + Send + Sync> {
        Arc::new(SqliteStore::open(&self.path).expect("the store opens"))
    }
}

shenpi_store_tests::conformance!(Some(File::new()));
