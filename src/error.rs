//! One error type for every handler. It renders as a friendly HTML page for people and as an
//! RFC 9457 problem document (`application/problem+json`) for the JSON API. Internal errors are
//! logged with their cause and shown only as a generic message.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::domain::Invalid;
use crate::store::StoreError;

/// Whether an error is answered as HTML or as JSON; decided by the router part that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Face {
    #[default]
    Html,
    Json,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A request parameter is malformed or out of range (400). `param` names it.
    #[error("{detail}")]
    BadRequest {
        param: Option<String>,
        detail: String,
    },
    /// A syntactically valid value that refers to nothing we know, e.g. an unknown code (400).
    #[error("{0}")]
    Invalid(Invalid),
    #[error("niet gevonden")]
    NotFound { what: String },
    /// A listing that exists but is no longer offered (HSDS status inactive or defunct): 404
    /// for the public, with a message that says so rather than "does not exist".
    #[error("niet meer aangeboden")]
    NoLongerOffered { name: String },
    /// No or no valid credentials on the API (401, with `WWW-Authenticate: Bearer`).
    #[error("niet aangemeld")]
    Unauthorized,
    /// Signed in, but not allowed; or a form without a valid CSRF token (403).
    #[error("geen toegang")]
    Forbidden { detail: String },
    /// The change was based on a version of a listing that someone changed meanwhile (409).
    #[error("{detail}")]
    Conflict { detail: String },
    #[error("verzoek te groot")]
    PayloadTooLarge,
    /// A request body in another format than the operation takes (415).
    #[error("{detail}")]
    UnsupportedMediaType { detail: String },
    /// The request target (path and query) is longer than we accept (414).
    #[error("adres te lang")]
    UriTooLong,
    /// The request head is larger than we accept (431).
    #[error("kopregels te groot")]
    HeadersTooLarge,
    /// The client asked too much in too short a time (429, with `Retry-After`).
    #[error("te veel verzoeken")]
    TooManyRequests { retry_after_secs: u64 },
    /// No room or time for the request now (503, with `Retry-After`).
    #[error("even te druk")]
    Unavailable { retry_after_secs: u64 },
    /// The path exists, the method does not (405; the router adds `Allow`).
    #[error("methode niet toegestaan")]
    MethodNotAllowed,
    #[error("interne fout: {0}")]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    pub fn bad_param(param: &str, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            param: Some(param.to_string()),
            detail: detail.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } | Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::NotFound { .. } | Self::NoLongerOffered { .. } => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } | Self::Invalid(_) => "Ongeldige invoer",
            Self::NotFound { .. } => "Niet gevonden",
            Self::NoLongerOffered { .. } => "Niet meer aangeboden",
            Self::Unauthorized => "Niet aangemeld",
            Self::Forbidden { .. } => "Geen toegang",
            Self::Conflict { .. } => "Intussen gewijzigd",
            Self::PayloadTooLarge => "Verzoek te groot",
            Self::UnsupportedMediaType { .. } => "Verkeerd formaat",
            Self::UriTooLong => "Adres te lang",
            Self::HeadersTooLarge => "Kopregels te groot",
            Self::TooManyRequests { .. } => "Te veel verzoeken",
            Self::Unavailable { .. } => "Even te druk",
            Self::MethodNotAllowed => "Methode niet toegestaan",
            Self::Internal(_) => "Er ging iets mis",
        }
    }

    /// What the person can read: never internals.
    fn detail(&self) -> String {
        match self {
            Self::BadRequest { detail, .. } => detail.clone(),
            Self::Invalid(invalid) => invalid.to_string(),
            Self::NotFound { what } => format!("{what} bestaat niet (meer)."),
            Self::NoLongerOffered { name } => format!(
                "{name} wordt niet meer aangeboden. Zoek op de startpagina naar ander aanbod."
            ),
            Self::Unauthorized => "Stuur een geldige sleutel mee: Authorization: Bearer en de \
                 sleutel van uw organisatie."
                .into(),
            Self::Forbidden { detail }
            | Self::Conflict { detail }
            | Self::UnsupportedMediaType { detail } => detail.clone(),
            Self::PayloadTooLarge => "Het verzoek is groter dan we aannemen.".into(),
            Self::UriTooLong => {
                "Het adres van het verzoek is te lang. Gebruik minder of kortere zoektermen.".into()
            }
            Self::HeadersTooLarge => "De kopregels van het verzoek zijn te groot.".into(),
            Self::TooManyRequests { retry_after_secs } => format!(
                "U vroeg te veel in korte tijd. Probeer het over {retry_after_secs} seconden opnieuw."
            ),
            Self::Unavailable { retry_after_secs } => format!(
                "Het is nu even te druk. Probeer het over {retry_after_secs} seconden opnieuw."
            ),
            Self::MethodNotAllowed => {
                "Deze methode kan hier niet; de header Allow noemt wat wel kan.".into()
            }
            Self::Internal(_) => {
                "Er ging aan onze kant iets mis. Probeer het later opnieuw.".into()
            }
        }
    }

    fn param(&self) -> Option<String> {
        match self {
            Self::BadRequest { param, .. } => param.clone(),
            Self::Invalid(invalid) => Some(invalid.field.clone()),
            _ => None,
        }
    }

    /// Renders for the given face.
    pub fn render(&self, face: Face) -> Response {
        if let Self::Internal(err) = self {
            tracing::error!(error = ?err, "internal error");
        }
        let status = self.status();
        let mut response = match face {
            Face::Json => {
                let body = Problem {
                    r#type: "about:blank",
                    status: status.as_u16(),
                    title: self.title(),
                    detail: self.detail(),
                    parameter: self.param(),
                };
                (
                    status,
                    [(header::CONTENT_TYPE, "application/problem+json")],
                    serde_json::to_string(&body).unwrap_or_default(),
                )
                    .into_response()
            }
            Face::Html => {
                let page = ErrorPage {
                    status: status.as_u16(),
                    title: self.title(),
                    detail: self.detail(),
                };
                match page.render() {
                    Ok(html) => (status, Html(html)).into_response(),
                    Err(_) => (status, self.detail()).into_response(),
                }
            }
        };
        if let Self::Unauthorized = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"wijkwijzer\""),
            );
        }
        if let Self::TooManyRequests { retry_after_secs } | Self::Unavailable { retry_after_secs } =
            self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, (*retry_after_secs).into());
        }
        response
    }
}

impl From<Invalid> for AppError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        Self::Internal(err.into())
    }
}

impl From<crate::search::SearchError> for AppError {
    fn from(err: crate::search::SearchError) -> Self {
        Self::Internal(err.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.render(Face::Html)
    }
}

/// An [`AppError`] that always answers in JSON; the API handlers return this.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.render(Face::Json)
    }
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;

/// RFC 9457 problem details.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status code says what kind of problem it is.
    #[schema(example = "about:blank")]
    pub r#type: &'static str,
    pub status: u16,
    pub title: &'static str,
    pub detail: String,
    /// The request parameter at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    detail: String,
}

/// The policy's refusal ([`crate::auth::authorize`]): not signed in is a 401 (the pages send
/// people to the sign-in page), signed in without the right is a 403.
impl From<crate::auth::Denied> for AppError {
    fn from(denied: crate::auth::Denied) -> Self {
        match denied {
            crate::auth::Denied::NotSignedIn => AppError::Unauthorized,
            crate::auth::Denied::Forbidden => AppError::Forbidden {
                detail: "U mag dit niet doen met dit account.".into(),
            },
        }
    }
}
