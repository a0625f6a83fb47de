//! The JSON API. Every handler carries `#[utoipa::path]` and is registered with `routes!`, so
//! `/openapi.json` is generated from the routes themselves; query parameters arrive through
//! [`ApiQuery`], whose struct is also what the document lists, so the parameters cannot drift
//! either. Statuses that middleware or the router answer for every operation are added to each
//! one by [`CommonResponses`].

pub mod dump;
mod hsds;
mod listings;
pub mod me;
mod search;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, Response, Type};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::error::{ApiError, AppError, Problem};
use crate::params::{self, QueryParams};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Wijkwijzer API",
        description = "Zoeken in de sociale kaart van de regio Utrecht. Public read access; \
                       errors are RFC 9457 problem documents (`application/problem+json`) that \
                       name the parameter at fault. Parameter values are trimmed, an empty value \
                       counts as not given, and unknown parameters are ignored; a value that is \
                       not UTF-8 once percent-decoded or holds a control character is a 400.",
        license(name = "EUPL-1.2")
    ),
    tags(
        (name = "search", description = "Search the directory"),
        (name = "hsds", description = "Open Referral HSDS 3.0 read API (public, CORS *)"),
        (name = "account", description = "For organisations' API tokens: `Authorization: Bearer <token>`, \
                                          made and revoked on the organisation's token page")
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// The `bearer` security scheme: an organisation's API token.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "An organisation's API token (`wkw_…`), shown once when made",
                        ))
                        .build(),
                ),
            );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(search::search))
        .routes(routes!(me::me))
        .routes(routes!(listings::put_service))
        .routes(routes!(listings::post_service))
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

/// The API's routes, ready to merge into the app, and their OpenAPI document. Another method on
/// an API path answers a problem document (405, with `Allow`), as the document says.
pub fn routes() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = router().split_for_parts();
    // After the routes: their operations are only in the document once they are added.
    CommonResponses.modify(&mut doc);
    (router.method_not_allowed_fallback(method_not_allowed), doc)
}

async fn method_not_allowed() -> ApiError {
    ApiError(AppError::MethodNotAllowed)
}

/// The OpenAPI document as pretty JSON (for the `openapi` command and tests).
pub fn openapi_json() -> anyhow::Result<String> {
    let (_, doc) = routes();
    Ok(doc.to_pretty_json()?)
}

/// Query parameters typed as `T` (a struct deriving `Deserialize` and `IntoParams`, also listed
/// in the operation's `params(...)`). A value that is not text or does not fit is answered
/// with a problem document naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: QueryParams> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let pairs = params::decode_for::<T>(parts.uri.query().unwrap_or(""))?;
        Ok(Self(params::typed(&pairs)?))
    }
}

/// The path's `{id}`, which every single-object operation documents as a UUID. Anything else
/// (also bytes that are not UTF-8) is a 400 problem naming `id`.
pub struct ApiId(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for ApiId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let bad = || ApiError(AppError::bad_param("id", "id must be a UUID"));
        let axum::extract::Path(id) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| bad())?;
        uuid::Uuid::parse_str(&id).map(Self).map_err(|_| bad())
    }
}

/// Adds the statuses that can come from anywhere to every operation, as problem documents:
/// what the router and the connection limits answer (405, 413, 414, 431, 500, 503), and where
/// there are query parameters (search, lists and dumps) also 400 and the rate limit's 429.
/// Written once here, not in each `#[utoipa::path]`.
struct CommonResponses;

const COMMON: [(&str, &str); 7] = [
    (
        "405",
        "Another method than GET (or HEAD) on this path; `Allow` lists the ones there are",
    ),
    (
        "413",
        "The request (headers or body) is larger than accepted",
    ),
    (
        "414",
        "The request line (path and query) is longer than accepted",
    ),
    ("431", "The request headers are larger than accepted"),
    (
        "429",
        "Too many searches or dumps from this client; `Retry-After` says after how many \
         seconds to try again",
    ),
    ("500", "Something went wrong on our side"),
    (
        "503",
        "The service is busy, starting or stopping, or the request took too long; try again later",
    ),
];

fn problem_response(description: &str) -> Response {
    let mut response = Response::new(description);
    response.content.insert(
        "application/problem+json".to_string(),
        RefOr::T(
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        ),
    );
    response
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (status, description) in COMMON {
            let mut response = problem_response(description);
            match status {
                "405" => {
                    response.headers.insert(
                        "Allow".into(),
                        RefOr::T(
                            HeaderBuilder::new()
                                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                                .description(Some("The methods this path answers"))
                                .build(),
                        ),
                    );
                }
                "429" => {
                    response.headers.insert(
                        "Retry-After".into(),
                        RefOr::T(
                            HeaderBuilder::new()
                                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                                .description(Some("Seconds to wait before trying again"))
                                .build(),
                        ),
                    );
                }
                _ => {}
            }
            components
                .responses
                .insert(format!("Problem{status}"), RefOr::T(response));
        }
        components.responses.insert(
            "Problem400".into(),
            RefOr::T(problem_response(
                "A parameter is malformed, out of range, refers to nothing we know, or is not \
                 text (not UTF-8, control characters); `parameter` names it",
            )),
        );
        for item in openapi.paths.paths.values_mut() {
            let path_params = item.parameters.as_ref().is_some_and(|p| !p.is_empty());
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_common(operation, path_params);
            }
        }
    }
}

fn add_common(operation: &mut Operation, path_params: bool) {
    let responses = &mut operation.responses.responses;
    let has_params = path_params || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let has_query = operation.parameters.as_ref().is_some_and(|ps| {
        ps.iter().any(|p| {
            matches!(p, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
        })
    });
    let statuses = COMMON
        .iter()
        .map(|(status, _)| *status)
        .filter(|status| *status != "429" || has_query)
        .chain(has_params.then_some("400"));
    for status in statuses {
        responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(format!("Problem{status}"))));
    }
}
