//! The JSON API. Every handler carries `#[utoipa::path]` and is registered with `routes!`, so
//! `/openapi.json` is generated from the routes themselves and cannot drift from them.

pub mod dump;
mod hsds;
mod search;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Wijkwijzer API",
        description = "Zoeken in de sociale kaart van de regio Utrecht. Public read access; \
                       errors are RFC 9457 problem documents.",
        license(name = "EUPL-1.2")
    ),
    tags(
        (name = "search", description = "Search the directory"),
        (name = "hsds", description = "Open Referral HSDS 3.0 read API (public, CORS *)")
    )
)]
struct ApiDoc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(search::search))
        .routes(routes!(hsds::about))
        .routes(routes!(hsds::services))
        .routes(routes!(hsds::service))
        .routes(routes!(hsds::service_at_locations))
        .routes(routes!(hsds::service_at_location))
        .routes(routes!(hsds::organizations))
        .routes(routes!(hsds::organization))
        .routes(routes!(hsds::taxonomies))
        .routes(routes!(hsds::taxonomy))
        .routes(routes!(hsds::taxonomy_terms))
        .routes(routes!(hsds::taxonomy_term))
}

/// The OpenAPI document as pretty JSON (for the `openapi` command and tests).
pub fn openapi_json() -> anyhow::Result<String> {
    let (_, doc) = router().split_for_parts();
    Ok(doc.to_pretty_json()?)
}
