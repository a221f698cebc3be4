//! shenpi: administrative approval flows with total time control (批时总控).
#![forbid(unsafe_code)]

pub use shenpi_core::*;

/// The durable SQLite store for live projects.
pub use shenpi_sqlite as sqlite;
