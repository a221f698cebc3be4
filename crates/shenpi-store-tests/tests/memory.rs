//! The in-memory store, the reference, passes the conformance checks.

use std::sync::Arc;

use shenpi_core::runtime::{MemoryStore, Store};
use shenpi_store_tests::Fixture;

/// Every handle is the same store: memory has no connections.
struct Memory(Arc<MemoryStore>);

impl Fixture for Memory {
    fn open(&self) -> Arc<dyn Store + Send + Sync> {
        self.0.clone()
    }
}

shenpi_store_tests::conformance!(Some(Memory(Arc::default())));
