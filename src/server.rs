//! The serving loop: accepts TCP connections and serves each with hyper's HTTP/1.1, so that no
//! client — careless or hostile — can stop the service from answering others:
//!
//! - **Header-read timeout** ([`Limits::header_read_timeout`]): a client that sends nothing, or
//!   half a request head, is disconnected (hyper's timer; for keep-alive it also bounds the wait
//!   for the next request).
//! - **Idle timeout** ([`Limits::idle_timeout`]) and **stall timeout**
//!   ([`Limits::stall_timeout`]): a connection without a request in progress, or whose response
//!   has not moved for that long (the client stopped reading a dump), is closed.
//! - **Connection limit** ([`Limits::max_connections`], capped by the open-files limit so that
//!   `accept` itself never runs out of descriptors). When all slots are taken, the connection
//!   that has been *idle* longest — no request in progress, such as a silent or half-open one —
//!   is closed to make room, the way nginx reuses idle keep-alive connections. Idle
//!   connections cost the attacker nothing to open, so refusing *new* connections instead would
//!   let a few hundred silent sockets lock everyone else out. Only when every slot has a request
//!   in progress is the new connection refused: a short 503 problem document with
//!   `Retry-After`, then closed.
//! - **Request head size**: hyper reads at most [`head_buffer_bytes`] of a head (a bound on
//!   memory per connection; beyond it hyper answers an empty 431); below that, the router's
//!   `limits::request_size` answers 414/431 with a problem document or page.
//! - **Shutdown deadline** ([`Limits::shutdown_deadline`]): when the shutdown future resolves,
//!   the listener is closed, connections that never sent a whole request are closed at once,
//!   idle keep-alive ones as soon as their last response is written, requests in progress may
//!   finish until the deadline, and then the remaining connections are closed.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;
use tower::ServiceExt;

use crate::config::Limits;
use crate::error::{AppError, Face};

/// Header lines hyper accepts; `limits::request_size` answers 431 above
/// [`crate::limits::MAX_HEADER_LINES`], so this only needs to be higher.
const HYPER_MAX_HEADERS: usize = 2 * crate::limits::MAX_HEADER_LINES;
/// Open files kept free for the database, the search index and the logs.
const RESERVED_FILES: u64 = 128;
/// Refusals (a written 503) in progress at once; beyond that a connection is just closed.
const MAX_REFUSALS: usize = 64;
/// How long a refusal may take to write its 503 and read what the client sent.
const REFUSAL_TIME: Duration = Duration::from_secs(2);
/// What a refused client is told to wait.
const REFUSAL_RETRY_AFTER_SECS: u64 = 5;
/// The bit of [`Connection::state`] that marks a connection chosen to be closed.
const CLOSING: usize = 1 << (usize::BITS - 1);

/// The most bytes hyper buffers for one request head: room for the largest target and header
/// block we accept, so that those get our 414/431 with a body rather than hyper's empty one.
pub fn head_buffer_bytes(limits: &Limits) -> usize {
    (limits.max_uri_bytes + limits.max_header_bytes + 4096).max(64 * 1024)
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops as the module docs say.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let max_connections = effective_max_connections(limits.max_connections);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(head_buffer_bytes(&limits))
        .max_headers(HYPER_MAX_HEADERS);
    let shared = Arc::new(Shared {
        epoch: Instant::now(),
        connections: Mutex::new(BTreeMap::new()),
        limits,
        http,
        last_accept_warning: AtomicU64::new(0),
    });
    let slots = Arc::new(Semaphore::new(max_connections));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let (stopping_tx, stopping_rx) = watch::channel(false);
    let mut next_id = 0u64;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    shared.after_accept_error(err).await;
                    continue;
                }
            },
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => match shared.make_room(&slots).await {
                Some(slot) => slot,
                None => {
                    refuse(stream, &refusals);
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        next_id += 1;
        let conn = Arc::new(Connection::new(next_id, shared.now_ms()));
        shared.lock_connections().insert(next_id, Arc::clone(&conn));
        tokio::spawn(serve_connection(
            stream,
            peer,
            conn,
            Arc::clone(&shared),
            router.clone(),
            stopping_rx.clone(),
            slot,
        ));
    }

    drop(listener);
    let open = shared.lock_connections().len();
    let deadline = shared.limits.shutdown_deadline;
    tracing::info!(
        open_connections = open,
        ?deadline,
        "no longer accepting connections; finishing the requests in progress"
    );
    let _ = stopping_tx.send(true);
    // Every connection holds a slot until it ends, so holding all slots means all have ended.
    let all_ended = || slots.clone().acquire_many_owned(max_connections as u32);
    if tokio::time::timeout(deadline, all_ended()).await.is_err() {
        let closed = shared.close_all();
        tracing::warn!(
            connections = closed,
            "shutdown deadline passed: closing the remaining connections"
        );
        let _ = tokio::time::timeout(Duration::from_secs(1), all_ended()).await;
    }
}

/// What the accept loop and the connections share.
struct Shared {
    epoch: Instant,
    /// Open connections by id. Ids grow, so walking the map meets the oldest first: making
    /// room closes the oldest idle connection, likely one that never sent a request.
    connections: Mutex<BTreeMap<u64, Arc<Connection>>>,
    limits: Limits,
    http: hyper::server::conn::http1::Builder,
    last_accept_warning: AtomicU64,
}

impl Shared {
    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn at(&self, ms: u64) -> Instant {
        self.epoch + Duration::from_millis(ms)
    }

    fn lock_connections(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Connection>>> {
        // A panic elsewhere while holding the lock leaves the map itself consistent.
        self.connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Closes the oldest connection without a request in progress, preferring one that never
    /// sent a request (silent or half-open); false when every connection is busy.
    fn close_oldest_idle(&self) -> bool {
        let connections = self.lock_connections();
        connections
            .values()
            .filter(|conn| !conn.has_served())
            .chain(connections.values().filter(|conn| conn.has_served()))
            .any(|conn| conn.close_if_idle())
    }

    /// At the shutdown deadline: closes every connection, requests in progress or not.
    fn close_all(&self) -> usize {
        let connections = self.lock_connections();
        for conn in connections.values() {
            conn.forced.store(true, Ordering::Release);
            conn.close.notify_one();
        }
        connections.len()
    }

    /// All slots are taken: closes the oldest idle connection and waits for its slot.
    async fn make_room(&self, slots: &Arc<Semaphore>) -> Option<OwnedSemaphorePermit> {
        if !self.close_oldest_idle() {
            return None;
        }
        tokio::time::timeout(Duration::from_secs(1), slots.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }

    async fn after_accept_error(&self, err: std::io::Error) {
        use std::io::ErrorKind::*;
        // The client gave up before we accepted: nothing wrong with the server.
        if matches!(
            err.kind(),
            ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted
        ) {
            return;
        }
        // Usually out of file descriptors (EMFILE): an idle connection's descriptor is better
        // spent on the client waiting in the backlog.
        let closed_idle = self.close_oldest_idle();
        let now = self.now_ms();
        let last = self.last_accept_warning.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 1000 || last == 0 {
            self.last_accept_warning
                .store(now.max(1), Ordering::Relaxed);
            tracing::warn!(error = %err, closed_idle, "could not accept a connection");
        }
        let pause = if closed_idle { 1 } else { 50 };
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
}

/// One open connection, as the accept loop and the timers see it.
struct Connection {
    id: u64,
    /// Requests in progress (from the parsed head until hyper has taken the whole response
    /// body), plus [`CLOSING`] once the connection is chosen to be closed when idle.
    state: AtomicUsize,
    /// Whether a request ever arrived: a connection that never sent one has nothing to finish
    /// and is closed outright; another may still be writing the tail of a response after
    /// hyper took its body, so it is shut down gracefully (hyper closes it once written).
    served: AtomicBool,
    /// Set at the shutdown deadline: close now, whatever is in progress.
    forced: AtomicBool,
    /// When the connection last became idle (opened, or a response body taken), in ms since
    /// [`Shared::epoch`].
    idle_since: AtomicU64,
    /// When a request started or its response last moved, in ms since [`Shared::epoch`].
    progress_at: AtomicU64,
    close: Notify,
}

/// What the timers decide about a connection.
enum Check {
    CloseNow,
    LookAgainAt(Instant),
}

impl Connection {
    fn new(id: u64, now_ms: u64) -> Self {
        Self {
            id,
            state: AtomicUsize::new(0),
            served: AtomicBool::new(false),
            forced: AtomicBool::new(false),
            idle_since: AtomicU64::new(now_ms),
            progress_at: AtomicU64::new(now_ms),
            close: Notify::new(),
        }
    }

    fn has_served(&self) -> bool {
        self.served.load(Ordering::Acquire)
    }

    /// Marks an idle connection as closing (a request that arrives after this gets a 503);
    /// false if a request is in progress or it is closing already.
    fn mark_closing_if_idle(&self) -> bool {
        self.state
            .compare_exchange(0, CLOSING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// [`Self::mark_closing_if_idle`], and wakes the connection's task to close it.
    fn close_if_idle(&self) -> bool {
        let closing = self.mark_closing_if_idle();
        if closing {
            self.close.notify_one();
        }
        closing
    }

    /// The idle and stall timeouts: close now, or when to look again.
    fn check(&self, shared: &Shared) -> Check {
        let now = shared.now_ms();
        if self.forced.load(Ordering::Acquire) {
            return Check::CloseNow;
        }
        let state = self.state.load(Ordering::Acquire);
        let in_progress = state & !CLOSING;
        let limits = &shared.limits;
        let (since, limit) = if in_progress == 0 {
            (&self.idle_since, limits.idle_timeout)
        } else {
            (&self.progress_at, limits.stall_timeout)
        };
        let due = since.load(Ordering::Acquire) + limit.as_millis() as u64;
        if now >= due {
            if in_progress != 0 {
                tracing::warn!(
                    connection = self.id,
                    "a response made no progress for {limit:?}: closing the connection"
                );
                return Check::CloseNow;
            }
            // Only if still idle: a request may have started a moment ago.
            if state & CLOSING != 0 || self.mark_closing_if_idle() {
                return Check::CloseNow;
            }
        }
        // The state may change before `due`; look again at least every few seconds so that
        // the other timer is never late by more than that.
        let recheck = limit.min(Duration::from_secs(5)).as_millis() as u64;
        let next = if now >= due {
            now + recheck.max(10)
        } else {
            due.min(now + recheck.max(10))
        };
        Check::LookAgainAt(shared.at(next))
    }
}

/// Removes a connection from the registry and frees its slot when its task ends.
struct Registration {
    shared: Arc<Shared>,
    id: u64,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.shared.lock_connections().remove(&self.id);
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    conn: Arc<Connection>,
    shared: Arc<Shared>,
    router: Router,
    mut stopping: watch::Receiver<bool>,
    slot: OwnedSemaphorePermit,
) {
    let _registration = Registration {
        shared: Arc::clone(&shared),
        id: conn.id,
        _slot: slot,
    };
    let service = {
        let conn = Arc::clone(&conn);
        let shared = Arc::clone(&shared);
        hyper::service::service_fn(move |request| {
            handle(
                request,
                peer,
                Arc::clone(&conn),
                Arc::clone(&shared),
                router.clone(),
            )
        })
    };
    let served = shared.http.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(served);
    let mut shutting_down = false;
    loop {
        let next_check = match conn.check(&shared) {
            Check::CloseNow => break,
            Check::LookAgainAt(at) => at,
        };
        tokio::select! {
            result = served.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!(connection = conn.id, error = %err, "connection ended");
                }
                break;
            }
            _ = conn.close.notified() => {
                if conn.forced.load(Ordering::Acquire) || !conn.has_served() {
                    break;
                }
                served.as_mut().graceful_shutdown();
            }
            _ = stopping.changed(), if !shutting_down => {
                shutting_down = true;
                // Silent, or half a first request head: nothing to finish.
                if !conn.has_served() && conn.mark_closing_if_idle() {
                    break;
                }
                // Finish the request in progress (or the response being written), then close.
                served.as_mut().graceful_shutdown();
            }
            _ = tokio::time::sleep_until(next_check) => {}
        }
    }
}

/// Serves one request through the router, counting it as in progress on its connection
/// until its response body is sent.
async fn handle(
    mut request: hyper::Request<Incoming>,
    peer: SocketAddr,
    conn: Arc<Connection>,
    shared: Arc<Shared>,
    router: Router,
) -> Result<hyper::Response<TrackedBody>, Infallible> {
    let before = conn.state.fetch_add(1, Ordering::AcqRel);
    conn.served.store(true, Ordering::Release);
    conn.progress_at.store(shared.now_ms(), Ordering::Release);
    let in_flight = InFlight {
        conn: Arc::clone(&conn),
        shared,
    };
    let response = if before & CLOSING != 0 {
        // The connection was chosen to be closed (idle) an instant before this head arrived.
        let face = crate::limits::face_for(request.uri().path());
        let mut response = AppError::Unavailable {
            retry_after_secs: 1,
        }
        .render(face);
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        response
    } else {
        request.extensions_mut().insert(ConnectInfo(peer));
        match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    };
    Ok(response.map(|body| TrackedBody {
        inner: body,
        in_flight,
    }))
}

/// A request in progress on its connection; ends when dropped.
struct InFlight {
    conn: Arc<Connection>,
    shared: Arc<Shared>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let now = self.shared.now_ms();
        // `idle_since` first, so a timer that sees no requests in progress sees it fresh.
        self.conn.idle_since.store(now, Ordering::Release);
        self.conn.progress_at.store(now, Ordering::Release);
        self.conn.state.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request counted as in progress until hyper has sent it
/// (or dropped it), and records each chunk as progress for the stall timeout.
struct TrackedBody {
    inner: Body,
    in_flight: InFlight,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if polled.is_ready() {
            let now = this.in_flight.shared.now_ms();
            this.in_flight
                .conn
                .progress_at
                .store(now, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Answers a connection we have no room for with a 503 problem document and closes it; when
/// many are being refused already, just closes it.
fn refuse(stream: TcpStream, refusals: &Arc<Semaphore>) {
    let Ok(permit) = refusals.clone().try_acquire_owned() else {
        return;
    };
    tokio::spawn(async move {
        let _permit = permit;
        let _ = tokio::time::timeout(REFUSAL_TIME, async move {
            let mut stream = stream;
            stream.write_all(&refusal_response().await).await?;
            stream.shutdown().await?;
            // Read what the client sent before closing: closing with unread data resets the
            // connection, and the client might lose the answer.
            let mut sink = [0u8; 4096];
            let mut total = 0;
            while total < 64 * 1024 {
                match stream.read(&mut sink).await? {
                    0 => break,
                    n => total += n,
                }
            }
            Ok::<_, std::io::Error>(())
        })
        .await;
    });
}

/// The raw HTTP/1.1 503 sent to a refused connection. We have not read its request, so we do
/// not know whether it is a page or the API: a problem document fits both well enough, and
/// carries the CORS header so that browser clients of the API can read it.
async fn refusal_response() -> Vec<u8> {
    let error = AppError::Unavailable {
        retry_after_secs: REFUSAL_RETRY_AFTER_SECS,
    };
    let body = axum::body::to_bytes(error.render(Face::Json).into_body(), 4096)
        .await
        .unwrap_or_default();
    let mut response = format!(
        "HTTP/1.1 503 Service Unavailable\r\n\
         content-type: application/problem+json\r\n\
         retry-after: {REFUSAL_RETRY_AFTER_SECS}\r\n\
         access-control-allow-origin: *\r\n\
         connection: close\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    response
}

/// The connection limit that the open-files limit allows, leaving room for the database, the
/// index and the logs. Raises the soft limit to the hard limit first, as Go's runtime does:
/// the soft default (often 1024) is a relic, the hard limit is what the operator allowed.
fn effective_max_connections(configured: usize) -> usize {
    // Semaphore permits are counted in u32 when waiting for all connections to end.
    let configured = configured.clamp(1, 1 << 24);
    let Some(files) = raise_open_files_limit() else {
        return configured;
    };
    let allowed = files.saturating_sub(RESERVED_FILES).max(16) as usize;
    if configured > allowed {
        tracing::warn!(
            configured,
            allowed,
            open_files_limit = files,
            "fewer connections than --max-connections: the open-files limit (ulimit -n) allows no more"
        );
        allowed
    } else {
        configured
    }
}

/// The open-files soft limit after raising it as far as allowed; `None` where unknown.
#[cfg(unix)]
fn raise_open_files_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we pass and reads nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    // An unlimited hard limit is not accepted as a soft limit on Linux; 2^20 is its default
    // ceiling (fs.nr_open).
    let wanted = limit.rlim_max.min(1 << 20);
    if limit.rlim_cur < wanted {
        let raised = libc::rlimit {
            rlim_cur: wanted,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct we pass.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = wanted;
        }
    }
    Some(limit.rlim_cur)
}

#[cfg(not(unix))]
fn raise_open_files_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_refusal_is_a_complete_http_response_with_a_problem_document() {
        let raw = String::from_utf8(refusal_response().await).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
        assert!(head.contains("retry-after: 5\r\n"), "{head}");
        assert!(head.contains("connection: close"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 503);
        assert!(problem["detail"].as_str().unwrap().contains("5 seconden"));
    }

    #[test]
    fn the_connection_limit_leaves_room_within_the_open_files_limit() {
        let files = raise_open_files_limit().expect("known on unix");
        let limit = effective_max_connections(usize::MAX);
        assert!(limit as u64 + RESERVED_FILES <= files.max(16 + RESERVED_FILES));
        assert_eq!(effective_max_connections(10), 10);
    }

    #[test]
    fn only_an_idle_connection_is_closed_to_make_room() {
        let busy = Connection::new(1, 0);
        busy.state.fetch_add(1, Ordering::AcqRel);
        assert!(!busy.close_if_idle());
        let idle = Connection::new(2, 0);
        assert!(idle.close_if_idle());
        assert!(!idle.close_if_idle(), "once");
        assert!(!busy.has_served() && !idle.forced.load(Ordering::Acquire));
        assert_eq!(idle.state.load(Ordering::Acquire), CLOSING);
    }
}
