//! shenpi (审批, "approval") models administrative approval processes as DAGs
//! of serial and parallel steps loaded from YAML, and checks the total time
//! control (批时总控) that reform programmes promise: *every industrial
//! project approved within 90 working days*.
//!
//! ```
//! use std::sync::Arc;
//! use shenpi::{Flow, FlowGraph};
//!
//! let flow = Flow::parse("demo.yaml", r#"
//! id: demo
//! name: 示例流程
//! budget: 30
//! stages:
//!   - id: initiation
//!     name: 立项用地规划许可
//!     steps:
//!       - { id: filing, name: 企业投资项目备案, dept: 发改局, promised: 0 }
//!       - parallel:
//!           - { id: land, name: 建设用地规划许可证, dept: 自然资源和规划局, legal: 20, promised: 5 }
//!           - { id: eia, name: 环评审批, dept: 生态环境局, legal: 60, promised: 15 }
//! "#).map_err(|report| report.to_string())?;
//!
//! let flow = Arc::new(flow);
//! let graph = FlowGraph::new(flow.clone(), flow.defaults());
//! assert_eq!(graph.len(), 3);
//! // `filing` comes first; `land` and `eia` both wait for it.
//! let filing = graph.node("filing").unwrap();
//! assert_eq!(graph.dag().succs(filing).len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A file with mistakes is rejected with every problem, each naming its line
//! and column, in the style of rustc:
//!
//! ```
//! let err = shenpi::Flow::parse("bad.yaml", "id: x\nname: y\nstages: []\n").unwrap_err();
//! assert!(err.to_string().contains("error[E012]: the flow has no steps"));
//! ```
//!
//! # What is here
//! Everything of `shenpi-core` is re-exported at this root:
//! - [`model`]: YAML → [`Flow`], with [`diag`]nostics naming line and column;
//! - [`graph`]: a flow compiled for one project ([`FlowGraph`]);
//! - [`calendar`]: working days on the Chinese statutory calendar ([`Calendar`]);
//! - [`schedule`]: critical path, deadlines, budgets, cuts ([`Plan`]);
//! - [`runtime`]: live projects as event logs, status and alerts, the `Store` trait;
//! - [`sim`]: Monte Carlo simulation, seeded and reproducible;
//! - [`render`]: flow charts and Gantt charts (SVG), Mermaid, DOT.
//!
//! `shenpi::sqlite` is the durable store (`shenpi-sqlite`, the default
//! feature `sqlite`: without it, nothing of SQLite is built); with the
//! `postgres` feature, `shenpi::postgres` is the same on a PostgreSQL server
//! (`shenpi-postgres`). The `shenpi` command lives in `crates/shenpi-cli`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use shenpi_core::*;

/// The types most programs need.
pub mod prelude {
    pub use shenpi_core::runtime::{EventKind, MemoryStore, NewEvent, Project, Store};
    pub use shenpi_core::{Calendar, Error, ErrorKind, Flow, FlowGraph, Params, Plan, PlanReport};
    #[cfg(feature = "sqlite")]
    pub use shenpi_sqlite::SqliteStore;
}

/// The README's examples, run as doctests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The durable SQLite store for live projects (feature `sqlite`, on by default).
#[cfg(feature = "sqlite")]
pub use shenpi_sqlite as sqlite;

/// The durable PostgreSQL store for live projects (feature `postgres`).
#[cfg(feature = "postgres")]
pub use shenpi_postgres as postgres;
