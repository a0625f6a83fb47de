//! `GET /api/v1/me`: who an API token acts for. The first authenticated operation; the
//! editing API (issue 13, part 2) uses the same [`ApiActor`].

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::{AccountError, Accounts};
use crate::app::AppState;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, AppError, Problem};

/// The actor of an API request: an organisation's token from `Authorization: Bearer …`.
/// Without one, or with an unknown or revoked one, the request is answered with a 401
/// problem document before the handler runs.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then_some(token.trim())
            })
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or(ApiError(AppError::Unauthorized))?;
        match state.accounts.actor_for_api_token(token).await {
            Ok(Some(actor)) => Ok(ApiActor(actor)),
            Ok(None) => Err(ApiError(AppError::Unauthorized)),
            Err(err) => Err(account_error(err)),
        }
    }
}

/// A use case's refusal as a problem document.
pub fn account_error(err: AccountError) -> ApiError {
    ApiError(match err {
        AccountError::Denied(crate::auth::Denied::NotSignedIn) => AppError::Unauthorized,
        AccountError::Denied(crate::auth::Denied::Forbidden) => AppError::Forbidden {
            detail: "This token may not do this.".into(),
        },
        AccountError::NotFound(what) => AppError::not_found(what),
        AccountError::Invalid { field, message } => AppError::bad_param(field, message),
        other => AppError::Internal(anyhow::anyhow!("{other}")),
    })
}

#[derive(Serialize, ToSchema)]
pub struct MeOrganization {
    pub id: Uuid,
    pub name: String,
}

/// Who the token acts for.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// `api_token`.
    #[schema(example = "api_token")]
    pub actor: &'static str,
    /// The token's id (not the token), as listed on its organisation's token page.
    pub token_id: Uuid,
    pub organization: MeOrganization,
    /// What the token may do: `organization_editor` (edit this organisation's listings).
    #[schema(example = json!(["organization_editor"]))]
    pub roles: Vec<&'static str>,
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The organisation the token acts for", body = Me),
        (status = 401, description = "No token, or an unknown or revoked one (`WWW-Authenticate: Bearer`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn me(
    State(accounts): State<Accounts>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Me>> {
    accounts.whoami(&actor).map_err(account_error)?;
    let Actor::ApiToken(token) = actor else {
        return Err(ApiError(AppError::Unauthorized));
    };
    let (_, name) = accounts
        .organisation(token.organization)
        .await
        .map_err(account_error)?;
    Ok(Json(Me {
        actor: "api_token",
        token_id: token.token_id,
        organization: MeOrganization {
            id: token.organization,
            name,
        },
        roles: vec!["organization_editor"],
    }))
}
