//! The engine behind shenpi: approval flows as DAGs of serial and parallel
//! steps, on a working-day calendar, with total time control (批时总控).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod calendar;
pub mod diag;
mod error;
pub mod graph;
pub mod model;
pub mod render;
pub mod runtime;
pub mod schedule;
pub mod sim;
pub(crate) mod yaml;

pub use calendar::{Calendar, CalendarError, ClockStops};
pub use error::Error;
pub use graph::{Dag, FlowGraph, Node};
pub use model::{Flow, Params, Step, StepIdx};
pub use schedule::Plan;
