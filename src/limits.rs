//! Per-request limits, as router middleware (the per-connection ones are in
//! [`crate::server`]): request size (414, 431, 413), rate limits per client on the expensive
//! public endpoints (429), the time until a response starts (503), and CORS for the public
//! API. Every refusal is an [`AppError`]: a problem document for the API, a page for people.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower::{Layer, ServiceExt};
use tower_http::cors::{Any, CorsLayer};

use crate::config::{IpRange, Limits};
use crate::error::{AppError, Face};

/// Header lines a request may have (hyper's own default).
pub const MAX_HEADER_LINES: usize = 100;
/// Every so many rate-limited requests, forget the clients that are back at a full quota.
const FORGET_EVERY: u64 = 4096;

/// The JSON API, public and open to other origins: `/api/…`, `/hsds/…` and `/openapi.json`.
pub fn is_public_api(path: &str) -> bool {
    path.starts_with("/api/")
        || path == "/hsds"
        || path.starts_with("/hsds/")
        || path == "/openapi.json"
}

/// How a refusal is answered: a problem document for the API, a page for everything else.
pub fn face_for(path: &str) -> Face {
    if is_public_api(path) {
        Face::Json
    } else {
        Face::Html
    }
}

/// 414 for a long request target, 431 for a large head, 413 for a declared body over the
/// limit (the service reads no bodies; `RequestBodyLimitLayer` stops undeclared ones).
pub async fn request_size(
    State(limits): State<Arc<Limits>>,
    request: Request,
    next: Next,
) -> Response {
    let face = face_for(request.uri().path());
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > limits.max_uri_bytes {
        return AppError::UriTooLong.render(face);
    }
    let headers = request.headers();
    // As on the wire: "name: value\r\n".
    let head: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if head > limits.max_header_bytes || headers.len() > MAX_HEADER_LINES {
        return AppError::HeadersTooLarge.render(face);
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_body_bytes as u64) {
        let mut response = AppError::PayloadTooLarge.render(face);
        // The body is still on its way; closing saves reading it.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    next.run(request).await
}

/// The time a request may take until its response starts; a body that streams (an ndjson
/// dump) is not cut off, because the response has started by then.
pub async fn request_timeout(
    State(limit): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let face = face_for(request.uri().path());
    let path = request.uri().path().to_string();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path, ?limit, "request timed out");
            AppError::Unavailable {
                retry_after_secs: 5,
            }
            .render(face)
        }
    }
}

/// CORS for the public API by tower-http's `CorsLayer`: any origin may read it (no
/// credentials), preflights are answered with 204, and every response carries the headers,
/// errors included. Pages get no CORS headers.
pub async fn public_api_cors(request: Request, next: Next) -> Response {
    static CORS: LazyLock<CorsLayer> = LazyLock::new(|| {
        CorsLayer::new()
            .allow_origin(Any)
            .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
            .allow_headers(Any)
            .expose_headers([header::RETRY_AFTER, header::CONTENT_TYPE])
            .max_age(Duration::from_secs(24 * 3600))
    });
    if !is_public_api(request.uri().path()) {
        return next.run(request).await;
    }
    let preflight = request.method() == Method::OPTIONS;
    let mut response = match CORS.layer(next).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if preflight && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    response
}

/// The expensive public endpoints, each with its own quota per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expensive {
    /// `/zoeken`, `/api/v1/search`, and HSDS lists with `search=`.
    Search,
    /// HSDS lists with `format=ndjson` (everything, unpaginated) or `full=true`.
    Dump,
    /// A report of a mistake, `/aanbod/{id}/melden` (each one mails people).
    Report,
}

impl Expensive {
    pub fn of(path: &str, query: Option<&str>) -> Option<Expensive> {
        let param = |name: &str| {
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.trim().to_ascii_lowercase())
        };
        if path.starts_with("/hsds/") {
            if param("format").is_some_and(|f| f == "ndjson")
                || param("full").is_some_and(|f| f == "true")
            {
                return Some(Expensive::Dump);
            }
            if param("search").is_some_and(|s| !s.is_empty()) {
                return Some(Expensive::Search);
            }
            return None;
        }
        if path.starts_with("/aanbod/") && path.ends_with("/melden") {
            return Some(Expensive::Report);
        }
        matches!(path, "/zoeken" | "/api/v1/search").then_some(Expensive::Search)
    }

    /// The public forms that count against the reports quota when posted: a self-referral
    /// (it mails people) and the resident's status page (a code and a contact are tried:
    /// the quota stops guessing).
    pub fn of_post(path: &str) -> Option<Expensive> {
        let self_referral = path.starts_with("/aanbod/") && path.ends_with("/aanmelden");
        (self_referral || path.starts_with("/mijn-verwijzing/") || path == "/mijn-verwijzing")
            .then_some(Expensive::Report)
    }
}

/// Rate limits per client (GCRA by the `governor` crate; a quota per minute — per hour for
/// reports — all of which may be spent at once). Kept in memory only, and clients back at a
/// full quota are forgotten: no address is stored.
pub struct RateLimits {
    search: Option<DefaultKeyedRateLimiter<IpAddr>>,
    dumps: Option<DefaultKeyedRateLimiter<IpAddr>>,
    reports: Option<DefaultKeyedRateLimiter<IpAddr>>,
    trusted_proxies: Vec<IpRange>,
    checks: AtomicU64,
}

impl RateLimits {
    pub fn new(limits: &Limits) -> Self {
        let limiter = |per_minute: u32| {
            NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
        };
        Self {
            search: limiter(limits.rate_limit_search),
            dumps: limiter(limits.rate_limit_dumps),
            // Per hour: people report now and then; a script would fill the queue.
            reports: NonZeroU32::new(limits.rate_limit_reports)
                .map(|n| RateLimiter::keyed(Quota::per_hour(n))),
            trusted_proxies: limits.trusted_proxies.clone(),
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(seconds to wait)` when `client` has used its quota for this kind of request.
    fn check(&self, kind: Expensive, client: IpAddr) -> Result<(), u64> {
        let limiter = match kind {
            Expensive::Search => &self.search,
            Expensive::Dump => &self.dumps,
            Expensive::Report => &self.reports,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            // Bounds the memory: clients at a full quota again need no state.
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs_f64().ceil().max(1.0) as u64
        })
    }
}

/// 429 with `Retry-After` for a client over its quota on an expensive endpoint.
pub async fn rate_limit(
    State(limits): State<Arc<RateLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let kind = Expensive::of(request.uri().path(), request.uri().query()).or_else(|| {
        (request.method() == axum::http::Method::POST)
            .then(|| Expensive::of_post(request.uri().path()))
            .flatten()
    });
    let Some(kind) = kind else {
        return next.run(request).await;
    };
    // Set by `server::serve`; without it (a router used on its own) there is no client to
    // count for.
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return next.run(request).await;
    };
    let client = client_key(client_ip(
        peer.ip(),
        request.headers(),
        &limits.trusted_proxies,
    ));
    match limits.check(kind, client) {
        Ok(()) => next.run(request).await,
        Err(retry_after_secs) => {
            tracing::debug!(%client, ?kind, retry_after_secs, "rate limited");
            AppError::TooManyRequests { retry_after_secs }.render(face_for(request.uri().path()))
        }
    }
}

/// The client's address: the peer, or — when the peer is a trusted proxy — the nearest
/// address in `X-Forwarded-For` that is not a trusted proxy (addresses further left were
/// written by the client itself and prove nothing).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpRange]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|range| range.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        let hop = hop.trim();
        let Some(ip) = hop
            .parse::<IpAddr>()
            .ok()
            .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        else {
            // Garbage from the client side: the last proxy's word is all we have.
            break;
        };
        client = ip.to_canonical();
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// What a quota is counted for: the address, or for IPv6 its /64 — one household or host
/// gets a whole /64 and could otherwise take a fresh address for every request.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn expensive_endpoints_are_recognised() {
        use Expensive::*;
        let of = Expensive::of;
        assert_eq!(of("/zoeken", None), Some(Search));
        assert_eq!(of("/zoeken", Some("q=eenzaam")), Some(Search));
        assert_eq!(of("/api/v1/search", Some("q=x")), Some(Search));
        assert_eq!(of("/hsds/services", Some("search=taal")), Some(Search));
        assert_eq!(of("/hsds/services", Some("search=+")), None);
        assert_eq!(of("/hsds/services", Some("format=NDJSON")), Some(Dump));
        assert_eq!(
            of("/hsds/organizations", Some("full=true&search=x")),
            Some(Dump)
        );
        assert_eq!(of("/hsds/services", Some("page=2")), None);
        assert_eq!(of("/aanbod/x", Some("search=x")), None);
        assert_eq!(of("/aanbod/x/melden", None), Some(Report));
        assert_eq!(of("/", None), None);
    }

    #[test]
    fn a_client_over_its_quota_is_told_when_to_come_back() {
        let limits = RateLimits::new(&Limits {
            rate_limit_search: 2,
            rate_limit_dumps: 0,
            ..Limits::default()
        });
        let a = ip("192.0.2.1");
        assert_eq!(limits.check(Expensive::Search, a), Ok(()));
        assert_eq!(limits.check(Expensive::Search, a), Ok(()));
        let wait = limits.check(Expensive::Search, a).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        assert_eq!(limits.check(Expensive::Search, ip("192.0.2.2")), Ok(()));
        for _ in 0..10 {
            assert_eq!(limits.check(Expensive::Dump, a), Ok(()), "0 = no limit");
        }
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.7, 10.0.0.2"),
        );
        let proxies = [IpRange::parse("10.0.0.0/8").unwrap()];
        assert_eq!(
            client_ip(ip("192.0.2.1"), &headers, &proxies),
            ip("192.0.2.1")
        );
        assert_eq!(client_ip(ip("10.0.0.1"), &headers, &[]), ip("10.0.0.1"));
        // The nearest untrusted hop; 203.0.113.9 may have been made up by that client.
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers, &proxies),
            ip("198.51.100.7")
        );
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("nonsense, 10.0.0.3"),
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers, &proxies),
            ip("10.0.0.3")
        );
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("[2001:db8::1]:443"),
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers, &proxies),
            ip("2001:db8::1")
        );
        headers.remove("x-forwarded-for");
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers, &proxies),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(client_key(ip("192.0.2.1")), ip("192.0.2.1"));
    }
}
