//! The engine behind shenpi: administrative approval flows as DAGs of
//! serial and parallel steps, counted in working days on the Chinese
//! statutory calendar, checked against a total time control (批时总控) such
//! as "every industrial project approved within 90 working days".
//!
//! ```
//! use std::sync::Arc;
//! use shenpi_core::{Calendar, Flow, FlowGraph, Plan};
//!
//! let flow = Flow::parse("demo.yaml", r#"
//! id: demo
//! name: 示例流程
//! budget: 10
//! stages:
//!   - id: initiation
//!     name: 立项用地规划许可
//!     steps:
//!       - { id: filing, name: 备案, dept: 发改局, promised: 0 }
//!       - parallel:
//!           - { id: land, name: 用地规划许可, dept: 自然资源局, legal: 20, promised: 5 }
//!           - { id: eia, name: 环评审批, dept: 生态环境局, legal: 60, promised: 7 }
//! "#).map_err(|report| report.render())?;
//! let flow = Arc::new(flow);
//! let plan = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
//! assert_eq!((plan.total_days(), plan.slack()), (7, Some(3)));
//!
//! // Accepted Friday 24 January 2025, 7 working days: the Spring Festival is skipped.
//! let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 24).unwrap();
//! let dates = plan.dates(start, &Calendar::cn())?;
//! assert_eq!(dates.finish.to_string(), "2025-02-10");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//! Data flows one way, each module using only those before it:
//! - [`model`]: YAML → a validated [`Flow`]; [`diag`] reports every problem
//!   with line and column.
//! - [`graph`]: a flow compiled for one project's [`Params`] ([`FlowGraph`]),
//!   in topological order over flat arrays.
//! - [`calendar`]: working days, statutory holidays and make-up days, clock
//!   stops ([`Calendar`], [`ClockStops`]).
//! - [`schedule`]: critical path on the counted and elapsed clocks, floats,
//!   deadlines, stage budgets, cuts, reform figures ([`Plan`]), gathered
//!   into one serialisable [`PlanReport`] (the JSON of `shenpi plan`).
//! - [`runtime`]: live projects as a fold over an event log, status and
//!   alerts on two clocks, the supervision board, the `Store` trait.
//! - [`sim`]: Monte Carlo runs, seeded, the same on any number of threads.
//! - [`render`]: the whole-process chart and the Gantt chart as SVG, Mermaid, DOT.
//!
//! Every fallible call returns [`Error`]; ask it what went wrong with its
//! `is_*` methods.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod calendar;
pub mod diag;
mod error;
pub mod graph;
pub mod limits;
pub mod model;
pub mod render;
pub mod runtime;
pub mod schedule;
pub mod sim;
pub(crate) mod yaml;

pub use calendar::{Calendar, CalendarError, ClockStops};
pub use error::{Error, ErrorKind};
pub use graph::{Dag, FlowGraph, Node};
pub use model::{Flow, Params, Step, StepIdx};
pub use schedule::{Plan, PlanReport};
