//! The signed-in person behind a page request ([`Visit`]), the cookies that carry it, and the
//! protection of every form against cross-site request forgery ([`CsrfForm`]).
//!
//! ## Cookies
//! The session cookie holds a random 256-bit id (the database keeps its SHA-256); it is
//! `HttpOnly` (no script reads it), `SameSite=Lax` (not sent with cross-site posts), `Path=/`,
//! and `Secure` with the `__Host-` name prefix when `--public-url` is https (the prefix makes
//! browsers refuse the cookie from a subdomain or over http). A sign-in always makes a new id.
//!
//! ## CSRF: why our own few lines and not a crate
//! We looked at `axum_csrf` (a double-submit cookie with a bcrypt-hashed token in the form,
//! not bound to the session, and a cost per request) and `tower-sessions` (which would bring a
//! second session store beside ours). What OWASP recommends fits in a few lines on top of the
//! well-kept `hmac` and `sha2` crates, so we do that:
//! - signed in: a *synchronizer token bound to the session*: HMAC-SHA256(instance key,
//!   "sessie:" + session id). It changes with every sign-in, needs no storage, and a page of
//!   another site cannot read it.
//! - not signed in (sign-in, forgotten password, reset, invitation): a *signed double-submit
//!   cookie*: a random value in an HttpOnly `SameSite=Lax` cookie, and HMAC(instance key,
//!   "formulier:" + value) in the form. Without the key, a forged form cannot carry a token
//!   that matches the victim's cookie.
//!
//! The instance key is made once per database (`instance_secret`), so several instances
//! behind one load balancer accept each other's forms. A post whose token does not match the
//! visitor's current state (signed in or not) gets a friendly 403 page and changes nothing.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::{Cookie, SameSite};
use hmac::{KeyInit, Mac};
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::auth::Actor;
use crate::auth::secrets;
use crate::error::AppError;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The instance key for form tokens; cheap to clone.
#[derive(Clone)]
pub struct CsrfKey(Arc<Vec<u8>>);

impl CsrfKey {
    /// The key stored in the database, made at the first start.
    pub async fn load(store: &crate::store::Store) -> anyhow::Result<Self> {
        let secret = store
            .instance_secret("csrf", &secrets::random_token())
            .await?;
        Ok(Self(Arc::new(secret.into_bytes())))
    }

    fn token(&self, binding: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(binding).finalize().into_bytes())
    }

    fn mac(&self, binding: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(binding.as_bytes());
        mac
    }

    /// Compares in constant time (`verify_slice`), so timing tells nothing about the token.
    fn verify(&self, binding: &str, token: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(token.trim()) {
            Ok(bytes) => self.mac(binding).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

/// Cookie names and flags, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    pub fn session_name(self) -> &'static str {
        if self.secure {
            "__Host-wijkwijzer_sessie"
        } else {
            "wijkwijzer_sessie"
        }
    }

    fn form_name(self) -> &'static str {
        if self.secure {
            "__Host-wijkwijzer_formulier"
        } else {
            "wijkwijzer_formulier"
        }
    }

    fn build(self, name: &'static str, value: String) -> cookie::CookieBuilder<'static> {
        Cookie::build((name, value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .path("/")
    }

    /// The session cookie, kept as long as the session can live.
    pub fn session_cookie(self, value: String) -> HeaderValue {
        let lifetime = crate::accounts::SESSION_LIFETIME;
        header(
            self.build(self.session_name(), value)
                .max_age(cookie::time::Duration::seconds(lifetime.whole_seconds()))
                .build(),
        )
    }

    /// Removes the session cookie.
    pub fn session_removal(self) -> HeaderValue {
        header(
            self.build(self.session_name(), String::new())
                .max_age(cookie::time::Duration::ZERO)
                .build(),
        )
    }

    fn form_cookie(self, value: String) -> HeaderValue {
        header(self.build(self.form_name(), value).build())
    }
}

fn header(cookie: Cookie<'static>) -> HeaderValue {
    // Our own names and base64url values: always a valid header.
    HeaderValue::from_str(&cookie.to_string()).expect("cookie header")
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 100)
}

/// Who is asking, for the account pages: the actor (from the session cookie), the client's
/// address (for throttling) and what the forms need against CSRF.
pub struct Visit {
    pub actor: Actor,
    /// The cookie value of a live session.
    session: Option<String>,
    /// The form cookie's value, and whether it is new (then it must be set on the answer).
    form_cookie: String,
    form_cookie_is_new: bool,
    pub client: IpAddr,
    key: CsrfKey,
    pub cookies: CookiePolicy,
}

impl Visit {
    /// The hidden `csrf` field for forms on this page.
    pub fn csrf_token(&self) -> String {
        match &self.session {
            Some(session) => self.key.token(&format!("sessie:{session}")),
            None => self.key.token(&format!("formulier:{}", self.form_cookie)),
        }
    }

    fn csrf_ok(&self, token: &str) -> bool {
        match &self.session {
            Some(session) => self.key.verify(&format!("sessie:{session}"), token),
            None => {
                !self.form_cookie_is_new
                    && self
                        .key
                        .verify(&format!("formulier:{}", self.form_cookie), token)
            }
        }
    }

    /// The live session's cookie value.
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// Sends `page`, setting the form cookie when this visit made one.
    pub fn respond(&self, page: impl IntoResponse) -> Response {
        let mut response = page.into_response();
        if self.form_cookie_is_new && self.session.is_none() {
            response.headers_mut().append(
                SET_COOKIE,
                self.cookies.form_cookie(self.form_cookie.clone()),
            );
        }
        response
    }
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let cookies = state.cookies;
        let mut actor = Actor::Visitor;
        let mut session = None;
        if let Some(value) = cookie_value(&parts.headers, cookies.session_name()) {
            actor = state
                .accounts
                .actor_for_session(&value)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            if actor != Actor::Visitor {
                session = Some(value);
            }
        }
        let (form_cookie, form_cookie_is_new) =
            match cookie_value(&parts.headers, cookies.form_name()) {
                Some(value) => (value, false),
                None => (secrets::random_token(), true),
            };
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| {
                crate::limits::client_ip(
                    peer.ip(),
                    &parts.headers,
                    &state.config.limits.trusted_proxies,
                )
            })
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(Visit {
            actor,
            session,
            form_cookie,
            form_cookie_is_new,
            client,
            key: state.csrf.clone(),
            cookies,
        })
    }
}

/// A form post whose `csrf` field matches the visit: the only way the account pages read a
/// form. Anything else is refused with a 403 page before the handler runs.
pub struct CsrfForm<T> {
    pub visit: Visit,
    pub form: T,
}

/// The refusal of a post without a valid token.
pub fn csrf_refused() -> AppError {
    AppError::Forbidden {
        detail: "Dit formulier is verlopen of komt niet van deze website. Ga terug, laad de \
                 pagina opnieuw en probeer het nog eens."
            .into(),
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, body) = request.into_parts();
        let visit = Visit::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, state.config.limits.max_body_bytes)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        let token = form_urlencoded::parse(&bytes)
            .find(|(name, _)| name == "csrf")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        if !visit.csrf_ok(&token) {
            tracing::info!(path = %parts.uri.path(), "form post without a valid CSRF token");
            return Err(csrf_refused());
        }
        let form = serde_html_form::from_bytes(&bytes).map_err(|_| AppError::BadRequest {
            param: None,
            detail: "Het formulier is niet goed verstuurd. Ga terug en probeer het opnieuw.".into(),
        })?;
        Ok(CsrfForm { visit, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_what_they_were_made_for() {
        let key = CsrfKey(Arc::new(b"k".to_vec()));
        let other = CsrfKey(Arc::new(b"other".to_vec()));
        let token = key.token("sessie:abc");
        assert!(key.verify("sessie:abc", &token));
        assert!(!key.verify("sessie:abd", &token));
        assert!(!key.verify("formulier:abc", &token));
        assert!(!other.verify("sessie:abc", &token));
        assert!(!key.verify("sessie:abc", ""));
        assert!(!key.verify("sessie:abc", "not base64 !"));
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_behind_https() {
        let plain = CookiePolicy { secure: false }
            .session_cookie("v".into())
            .to_str()
            .unwrap()
            .to_string();
        assert!(plain.starts_with("wijkwijzer_sessie=v"), "{plain}");
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        let tls = CookiePolicy { secure: true }
            .session_cookie("v".into())
            .to_str()
            .unwrap()
            .to_string();
        assert!(tls.starts_with("__Host-wijkwijzer_sessie=v"), "{tls}");
        assert!(tls.contains("Secure") && tls.contains("Path=/"));
    }
}
