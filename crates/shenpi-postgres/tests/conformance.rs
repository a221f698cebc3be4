//! The PostgreSQL store passes the conformance checks every store passes,
//! when `SHENPI_TEST_POSTGRES` names a server (each test in a schema of its own).

mod common;

shenpi_store_tests::conformance!(common::Schema::new());
