//! Efficiency statistics (效能统计) of the projects within the caller's
//! regions: `shenpi report --format json` over HTTP.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shenpi_core::runtime::{By, statistics};
use utoipa::{IntoParams, ToSchema};

use super::flows::blocking;
use crate::AppState;
use crate::auth::{Caller, Need};
use crate::input::{self, Query};
use crate::problem::Problem;

/// What the rows are grouped by.
#[derive(Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ByName {
    /// Per department (a countersigned item counts for each of its departments).
    #[default]
    Dept,
    /// Per window (一窗受理) that accepted the item; items no window accepted have no row.
    Window,
    /// Per agent (代办员) of the project; projects without one have no row.
    Agent,
    /// Per flow.
    Flow,
    /// Per calendar month, `YYYY-MM`.
    Month,
}

/// The period and the grouping.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportQuery {
    /// The first day counted, YYYY-MM-DD.
    #[param(example = "2025-01-01")]
    from: String,
    /// The last day counted, YYYY-MM-DD; items overdue are counted as of it.
    #[param(example = "2025-03-31")]
    to: String,
    /// One row per department (default), window, agent, flow or month.
    #[param(inline)]
    by: Option<ByName>,
}

/// Efficiency statistics (效能统计) of a period, of the projects within the token's regions.
///
/// Received, decided, on-time rate, speed-up, overdue and the rest, as `shenpi report --format json` prints
/// them; docs/statistics.md defines every figure. Read from the store's running sums, kept per region: the
/// time does not grow with the number of projects.
#[utoipa::path(get, path = "/v1/report", tag = "projects", params(ReportQuery),
    responses(
        (status = 200, description = "The statistics (the library's Statistics: `from`, `to`, `by`, `region`, `rows`)", body = Object),
        (status = "4XX", description = "A bad date or a period that ends before it starts; no token (401); a role the token lacks (403)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn report(
    caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, Problem> {
    caller.require(Need::Read)?;
    let from = input::date("from", &q.from)?;
    let to = input::date("to", &q.to)?;
    let by = match q.by.unwrap_or_default() {
        ByName::Dept => By::Dept,
        ByName::Window => By::Window,
        ByName::Agent => By::Agent,
        ByName::Flow => By::Flow,
        ByName::Month => By::Month,
    };
    let store = state.store.clone();
    let stats = blocking(move || Ok(statistics(&*store, from, to, by, &caller.region)?)).await?;
    Ok(axum::Json(stats).into_response())
}
