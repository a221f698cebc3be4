//! The endpoints and the OpenAPI document they make up.

mod flows;
mod projects;
mod report;

use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "shenpi",
        description = "Administrative approval flows with total time control (批时总控): check, plan, \
                       simulate and draw flows; count working days; run live projects against their \
                       deadlines. Errors are application/problem+json (RFC 9457) with a stable `code`.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "service", description = "Health and this document"),
        (name = "flows", description = "Stateless questions about a flow sent in the body"),
        (name = "calendars", description = "Working days on a built-in calendar"),
        (name = "projects", description = "Live projects in the service's store")
    )
)]
struct ApiDoc;

/// Declares the bearer tokens of the tokens file.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from the service's tokens file; without --tokens the service needs none",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every documented endpoint.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(openapi_doc))
        .routes(routes!(flows::check))
        .routes(routes!(flows::plan))
        .routes(routes!(flows::simulate))
        .routes(routes!(flows::render))
        .routes(routes!(flows::add_days))
        .routes(routes!(flows::between))
        .routes(routes!(flows::evaluate))
        .routes(routes!(projects::create))
        .routes(routes!(projects::record, projects::events))
        .routes(routes!(projects::status))
        .routes(routes!(projects::advance))
        .routes(routes!(projects::board))
        .routes(routes!(projects::accountability))
        .routes(routes!(report::report))
}

/// The service's health.
#[derive(Serialize, ToSchema)]
struct Health {
    /// Always `ok` when the service answers.
    status: &'static str,
}

/// Whether the service is up.
#[utoipa::path(get, path = "/healthz", tag = "service", security(()),
    responses((status = 200, description = "The service answers", body = Health)))]
async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// This document: OpenAPI 3.1, generated from the service's types.
#[utoipa::path(get, path = "/openapi.json", tag = "service", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)))]
async fn openapi_doc() -> Response {
    axum::Json(crate::openapi()).into_response()
}

/// 404 for a path the service does not have.
pub(crate) async fn no_such_path(uri: Uri) -> Problem {
    Problem::not_found(format!("no endpoint at `{}`; the endpoints are listed at /openapi.json", uri.path()))
}

/// 405 for a method a path does not take.
pub(crate) async fn no_such_method(method: Method, uri: Uri) -> Problem {
    Problem::service(
        crate::problem::ServiceCode::MethodNotAllowed,
        format!("`{}` does not take {method}; see /openapi.json", uri.path()),
    )
}
