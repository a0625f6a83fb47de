//! Keeping listings up to date from an organisation's own system (issue 13, part 2): an HSDS
//! 3.0 service document in, with the organisation's API token; the same use cases as the edit
//! forms (`crate::listings`: validation, moderation tiers, versions, history); problem documents
//! out. Versions travel as `ETag` / `If-Match`, so that a system that read version 3 cannot
//! overwrite a change someone made meanwhile.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiId;
use super::me::ApiActor;
use crate::auth::Actor;
use crate::catalog::{Catalog, ListingChangeError};
use crate::error::{ApiError, AppError};
use crate::listings::{Proposal, Version};
use crate::store::Entity;

/// What became of a service document.
#[derive(Serialize, ToSchema)]
pub struct WriteOutcome {
    /// `published` (visible at once), `pending` (waits for a moderator) or `unchanged`.
    #[schema(example = "pending")]
    pub outcome: &'static str,
    /// The service's id.
    pub id: Uuid,
    /// The change request a moderator decides, when `pending`.
    pub request: Option<Uuid>,
}

/// Replaces a service of the token's organisation with the document (HSDS 3.0 `service`, with
/// attributes for our categories and target groups as the HSDS API serves them). Fields of
/// ours that HSDS has no field for keep their value when the document leaves them out.
#[utoipa::path(
    put,
    path = "/api/v1/services/{id}",
    tag = "editing",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The service's id"),
        ("If-Match" = Option<String>, Header, description = "The version the document is based on, as the `ETag` of an earlier answer (`\"3\"`). Without it the document is based on the current version."),
    ),
    request_body(content = Object, content_type = "application/json", description = "An HSDS 3.0 service"),
    responses(
        (status = 200, description = "Published at once, or nothing changed (`outcome`)", body = WriteOutcome,
            headers(("ETag" = String, description = "The service's version now"))),
        (status = 202, description = "Waits for a moderator (`request`)", body = WriteOutcome,
            headers(("ETag" = String, description = "The published version, which the request is based on"))),
        (status = 400, description = "Not JSON, or a field that is wrong (`parameter` names it as a JSON pointer)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or an unknown or revoked one", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service of another organisation", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The service changed since the version in `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_service(
    State(catalog): State<Catalog>,
    ApiActor(actor): ApiActor,
    ApiId(id): ApiId,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let organization = token_organisation(&actor)?;
    let mut document = json_body(&headers, &body)?;
    match document.get("id") {
        Some(Value::String(given)) if Uuid::parse_str(given).ok() == Some(id) => {}
        None => {
            document["id"] = Value::String(id.to_string());
        }
        Some(_) => {
            return Err(ApiError(AppError::bad_param(
                "/id",
                "the document's id differs from the one in the path",
            )));
        }
    }
    own_organisation(&mut document, organization)?;
    let editable = catalog
        .service_for_editing(&actor, id)
        .await
        .map_err(refused)?;
    let base = match if_match(&headers)? {
        Some(version) => version,
        None => editable.version,
    };
    let service = read_document(
        &catalog,
        document,
        organization,
        Some(&editable.current.service),
    )
    .await?;
    let proposal = catalog
        .propose_service(&actor, service, Some(base))
        .await
        .map_err(refused)?;
    answer(&catalog, id, proposal).await
}

/// Adds a service to the token's organisation. It always waits for a moderator (new listings
/// do, see README "Moderation"). Without an `id` the service gets a new one.
#[utoipa::path(
    post,
    path = "/api/v1/services",
    tag = "editing",
    security(("bearer" = [])),
    request_body(content = Object, content_type = "application/json", description = "An HSDS 3.0 service"),
    responses(
        (status = 202, description = "Waits for a moderator (`request`)", body = WriteOutcome),
        (status = 400, description = "Not JSON, or a field that is wrong (`parameter` names it as a JSON pointer)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or an unknown or revoked one", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The document names another organisation", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A service with this id exists: change it with PUT", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_service(
    State(catalog): State<Catalog>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let organization = token_organisation(&actor)?;
    let mut document = json_body(&headers, &body)?;
    let id = match document.get("id") {
        None => Uuid::new_v4(),
        Some(Value::String(given)) => Uuid::parse_str(given)
            .map_err(|_| ApiError(AppError::bad_param("/id", "id must be a UUID")))?,
        Some(_) => return Err(ApiError(AppError::bad_param("/id", "id must be a UUID"))),
    };
    document["id"] = Value::String(id.to_string());
    own_organisation(&mut document, organization)?;
    if catalog
        .store
        .listing_version(Entity::Service, id)
        .await
        .map_err(|e| ApiError(AppError::Internal(e.into())))?
        .is_some()
    {
        return Err(ApiError(AppError::Conflict {
            detail: format!("Service {id} exists: change it with PUT /api/v1/services/{id}."),
        }));
    }
    let service = read_document(&catalog, document, organization, None).await?;
    let proposal = catalog
        .propose_service(&actor, service, None)
        .await
        .map_err(refused)?;
    answer(&catalog, id, proposal).await
}

/// The organisation a token acts for; people use the forms.
fn token_organisation(actor: &Actor) -> Result<Uuid, ApiError> {
    match actor {
        Actor::ApiToken(token) => Ok(token.organization),
        _ => Err(ApiError(AppError::Unauthorized)),
    }
}

fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ApiError> {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json") || v.to_ascii_lowercase().ends_with("+json")
        });
    if !is_json {
        return Err(ApiError(AppError::UnsupportedMediaType {
            detail: "Send the service as JSON (Content-Type: application/json).".into(),
        }));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError(AppError::BadRequest {
            param: None,
            detail: format!("The body is not valid JSON: {e}"),
        })
    })?;
    if !value.is_object() {
        return Err(ApiError(AppError::bad_param(
            "",
            "send one HSDS service object",
        )));
    }
    Ok(value)
}

/// The document is about the token's organisation: it may leave `organization_id` out, and
/// naming another one is refused (403), as the same attempt through the forms is.
fn own_organisation(document: &mut Value, organization: Uuid) -> Result<(), ApiError> {
    match document.get("organization_id") {
        None | Some(Value::Null) => {
            document["organization_id"] = Value::String(organization.to_string());
            Ok(())
        }
        Some(Value::String(given)) if Uuid::parse_str(given).ok() == Some(organization) => Ok(()),
        Some(_) => Err(ApiError(AppError::Forbidden {
            detail: "This token changes only its own organisation's services.".into(),
        })),
    }
}

/// `If-Match: "3"` (also weak, `W/"3"`, or bare); `*` means "whatever is current".
fn if_match(headers: &HeaderMap) -> Result<Option<Version>, ApiError> {
    let Some(value) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<Version>()
        .map(Some)
        .map_err(|_| {
            ApiError(AppError::bad_param(
                "If-Match",
                "give the ETag of an earlier answer, such as \"3\"",
            ))
        })
}

async fn read_document(
    catalog: &Catalog,
    document: Value,
    organization: Uuid,
    stored: Option<&crate::domain::Service>,
) -> Result<crate::domain::Service, ApiError> {
    match crate::hsds::import::service_document(catalog, document, organization, stored).await {
        Ok(Ok(service)) => Ok(service),
        Ok(Err(problems)) => {
            let first = &problems[0];
            Err(ApiError(AppError::bad_param(
                &first.field,
                first.message.clone(),
            )))
        }
        Err(error) => Err(ApiError(AppError::Internal(error))),
    }
}

fn refused(error: ListingChangeError) -> ApiError {
    match error {
        ListingChangeError::Invalid(invalid) => ApiError(AppError::bad_param(
            &format!(
                "/{}",
                invalid.field.replace(['.', '['], "/").replace(']', "")
            ),
            invalid.message,
        )),
        other => ApiError(other.into()),
    }
}

async fn answer(catalog: &Catalog, id: Uuid, proposal: Proposal) -> Result<Response, ApiError> {
    let version = catalog
        .store
        .listing_version(Entity::Service, id)
        .await
        .map_err(|e| ApiError(AppError::Internal(e.into())))?;
    let (status, outcome, request) = match proposal {
        Proposal::Published => (StatusCode::OK, "published", None),
        Proposal::Unchanged => (StatusCode::OK, "unchanged", None),
        Proposal::Pending { request } => (StatusCode::ACCEPTED, "pending", Some(request)),
    };
    let mut response = (
        status,
        Json(WriteOutcome {
            outcome,
            id,
            request,
        }),
    )
        .into_response();
    if let Some(version) = version
        && let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\""))
    {
        response.headers_mut().insert(ETAG, etag);
    }
    Ok(response)
}
