//! The service keeps serving under hostile or careless clients: silent and half-open
//! connections, more connections than it has room for, SIGTERM with such connections open,
//! too many requests, oversized requests; and the public API speaks CORS, errors included.
//! Each test starts its own server (real HTTP on a random port) with the limits it needs.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wijkwijzer::config::{Config, Limits};

/// A generous bound for a normal request while the server is under attack: a correctness
/// check (the request is served at all), not a timing benchmark.
const SERVED_WITHIN: Duration = Duration::from_secs(5);

/// An app without demo data (fast to start) with the limits `configure` sets.
fn server(configure: impl FnOnce(&mut Limits)) -> common::TestServer {
    common::spawn_configured(
        |dir| {
            let mut config = Config::for_tests(dir.to_path_buf(), None);
            configure(&mut config.limits);
            config
        },
        |_| Box::pin(async {}),
    )
}

fn addr(server: &common::TestServer) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Opens `n` connections that send nothing, and `n` that send half a request head.
async fn silent_and_half_open(addr: &str, n: usize) -> (Vec<TcpStream>, Vec<TcpStream>) {
    let mut silent = Vec::with_capacity(n);
    let mut half_open = Vec::with_capacity(n);
    for _ in 0..n {
        silent.push(TcpStream::connect(addr).await.expect("connect"));
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: wijkwijzer\r\nX-Slow: ")
            .await
            .expect("half a head");
        half_open.push(stream);
    }
    (silent, half_open)
}

/// Normal requests, each on a fresh connection, must all be answered within [`SERVED_WITHIN`].
async fn normal_requests_are_served(base: &str) {
    for path in [
        "/healthz",
        "/api/v1/search?q=eenzaam",
        "/hsds/services",
        "/",
    ] {
        let client = common::http();
        let response =
            tokio::time::timeout(SERVED_WITHIN, client.get(format!("{base}{path}")).send())
                .await
                .unwrap_or_else(|_| panic!("{path} not answered within {SERVED_WITHIN:?}"))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(response.status(), 200, "{path}");
    }
}

/// Whether the server closed the connection (EOF, a reset, or a last response then EOF)
/// within `within`.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let started = Instant::now();
    while started.elapsed() < within {
        match tokio::time::timeout(within - started.elapsed(), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
    false
}

#[tokio::test]
async fn hundreds_of_silent_and_half_open_connections_do_not_stop_normal_requests() {
    let server = server(|limits| limits.header_read_timeout = Duration::from_secs(2));
    let (mut silent, mut half_open) = silent_and_half_open(&addr(&server), 150).await;

    normal_requests_are_served(&server.base).await;

    // And the header-read timeout ends them.
    assert!(closed_by_server(&mut silent[0], Duration::from_secs(10)).await);
    assert!(closed_by_server(&mut half_open[0], Duration::from_secs(10)).await);
    assert!(closed_by_server(silent.last_mut().unwrap(), Duration::from_secs(10)).await);
}

#[tokio::test]
async fn when_every_slot_is_taken_idle_connections_make_room_for_new_ones() {
    let server = server(|limits| {
        limits.max_connections = 20;
        // Long enough that the timeouts do not clear the connections during the test.
        limits.header_read_timeout = Duration::from_secs(120);
        limits.idle_timeout = Duration::from_secs(120);
    });
    // Three times as many connections as there are slots, silent and half-open.
    let (mut silent, _half_open) = silent_and_half_open(&addr(&server), 30).await;

    normal_requests_are_served(&server.base).await;

    // The oldest idle connection was closed to make room; the server did not just stop.
    assert!(closed_by_server(&mut silent[0], SERVED_WITHIN).await);
}

#[tokio::test]
async fn over_its_quota_a_client_gets_429_with_retry_after_and_a_problem_document() {
    let server = server(|limits| {
        limits.rate_limit_search = 3;
        limits.rate_limit_dumps = 1;
    });
    let client = common::http();
    let get = |path: &str| client.get(format!("{}{path}", server.base)).send();

    for _ in 0..3 {
        let response = get("/api/v1/search?q=taal").await.unwrap();
        assert_eq!(response.status(), 200);
    }
    let refused = get("/api/v1/search?q=taal").await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(refused.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["status"], 429);
    assert_eq!(problem["title"], "Te veel verzoeken");

    // The same quota counts searches on the pages and on the HSDS API, answered in their kind.
    let page = get("/zoeken?q=taal").await.unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.headers().contains_key("retry-after"));
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("Te veel verzoeken"));
    assert_eq!(
        get("/hsds/services?search=taal").await.unwrap().status(),
        429
    );

    // Dumps have their own quota; cheap requests have none.
    let dump = get("/hsds/services?format=ndjson").await.unwrap();
    assert_eq!(dump.status(), 200);
    let again = get("/hsds/organizations?format=ndjson").await.unwrap();
    assert_eq!(again.status(), 429);
    for _ in 0..10 {
        assert_eq!(get("/hsds/services?page=1").await.unwrap().status(), 200);
        assert_eq!(get("/healthz").await.unwrap().status(), 200);
    }
}

#[tokio::test]
async fn preflights_are_answered_with_cors_headers_on_the_public_api_only() {
    let server = server(|_| {});
    let client = common::http();
    for path in [
        "/hsds/services",
        "/api/v1/search",
        "/openapi.json",
        "/hsds/",
    ] {
        let response = client
            .request(reqwest::Method::OPTIONS, format!("{}{path}", server.base))
            .header("origin", "https://example.org")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "accept")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204, "{path}");
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], "*", "{path}");
        let methods = headers["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains("GET"), "{path}: {methods}");
        assert!(
            headers.contains_key("access-control-allow-headers"),
            "{path}"
        );
        assert!(headers.contains_key("access-control-max-age"), "{path}");
    }
    // Pages are not for other origins.
    let page = client
        .request(reqwest::Method::OPTIONS, format!("{}/zoeken", server.base))
        .header("origin", "https://example.org")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(!page.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn api_errors_carry_cors_headers() {
    let server = server(|_| {});
    let client = common::http();
    for (path, status) in [
        ("/api/v1/search?category=bestaat-niet", 400),
        ("/api/v1/search?lat=abc&lon=5", 400),
        ("/hsds/services/00000000-0000-0000-0000-000000000000", 404),
        ("/api/v1/bestaat-niet", 404),
        ("/hsds/bestaat-niet", 404),
        ("/hsds/services", 200),
        ("/openapi.json", 200),
    ] {
        let response = client
            .get(format!("{}{path}", server.base))
            .header("origin", "https://example.org")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "*",
            "{path}"
        );
        if status >= 400 {
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn an_oversized_head_gets_431_with_a_problem_document_or_page() {
    let server = server(|_| {});
    let client = common::http();
    let big = "x".repeat(20 * 1024);
    let api = client
        .get(format!("{}/hsds/services", server.base))
        .header("x-big", &big)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 431);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    assert_eq!(api.headers()["access-control-allow-origin"], "*");
    let problem: Value = api.json().await.unwrap();
    assert_eq!(problem["status"], 431);
    assert!(!problem["detail"].as_str().unwrap().is_empty());

    let page = client
        .get(format!("{}/zoeken?q=taal", server.base))
        .header("x-big", &big)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 431);
    assert!(page.text().await.unwrap().contains("Kopregels te groot"));
}

#[tokio::test]
async fn a_huge_uri_gets_414_with_a_problem_document_or_page() {
    let server = server(|_| {});
    let client = common::http();
    let words = "eenzaam+".repeat(2500);
    let api = client
        .get(format!("{}/api/v1/search?q={words}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 414);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let problem: Value = api.json().await.unwrap();
    assert_eq!(problem["status"], 414);
    assert_eq!(problem["title"], "Adres te lang");

    let page = client
        .get(format!("{}/zoeken?q={words}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 414);
    let html = page.text().await.unwrap();
    assert!(html.contains("Adres te lang"), "{html}");
    assert!(
        !html.contains("eenzaam+eenzaam"),
        "the address is not echoed"
    );
}

#[tokio::test]
async fn a_huge_body_gets_413_with_a_problem_document() {
    let server = server(|_| {});
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    // The head announces 10 MB; the server answers before reading any of it.
    stream
        .write_all(
            b"POST /api/v1/search HTTP/1.1\r\nHost: wijkwijzer\r\n\
              Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{\"q\":",
        )
        .await
        .unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(SERVED_WITHIN, stream.read_to_end(&mut response))
        .await
        .expect("answered and closed")
        .expect("read");
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").expect("a whole response");
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json")
    );
    let problem: Value = serde_json::from_str(body).expect("a problem document");
    assert_eq!(problem["status"], 413);
}

/// The real binary on the demo data, with a SIGTERM while hostile connections are open: a
/// silent one, half a request head (which used to keep the process alive for good), an idle
/// keep-alive one, and a dump the client does not read (the kernel's buffers can hold all
/// 1.8 MB of it, so it does not need the deadline: the next test covers that). It must exit
/// within the shutdown deadline plus the time to stop the indexer.
#[tokio::test]
async fn sigterm_ends_the_process_within_the_deadline_despite_hostile_connections() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let deadline = Duration::from_secs(2);
    let mut child = Command::new(env!("CARGO_BIN_EXE_wijkwijzer"))
        .args(["serve", "--log-format", "json", "--shutdown-deadline", "2s"])
        // So that neither timeout clears the hostile connections before the deadline does.
        .args(["--header-read-timeout", "5m", "--idle-timeout", "5m"])
        .env("WIJKWIJZER_LISTEN", format!("127.0.0.1:{port}"))
        .env("WIJKWIJZER_DATA_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let addr = format!("127.0.0.1:{port}");
    let up_by = Instant::now() + Duration::from_secs(120);
    loop {
        match common::http().get(format!("{base}/healthz")).send().await {
            Ok(r) if r.status() == 200 => break,
            _ if Instant::now() < up_by => tokio::time::sleep(Duration::from_millis(200)).await,
            other => panic!("service did not come up: {other:?}"),
        }
    }

    let (_silent, _half_open) = silent_and_half_open(&addr, 1).await;
    let mut keep_alive = TcpStream::connect(&addr).await.unwrap();
    keep_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: wijkwijzer\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 4096];
    assert!(keep_alive.read(&mut buf).await.unwrap() > 0);
    // A dump read by nobody: a tiny receive window keeps the response from ever finishing.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stalled = socket.connect(addr.parse().unwrap()).await.unwrap();
    stalled
        .write_all(
            b"GET /hsds/services?format=ndjson&full=true HTTP/1.1\r\nHost: wijkwijzer\r\n\r\n",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let signalled = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let bound = deadline + Duration::from_secs(5);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            signalled.elapsed() < bound,
            "still running {bound:?} after SIGTERM with a {deadline:?} deadline"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "clean exit after SIGTERM: {exit:?}");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(logs.contains("\"stopped\""), "{logs}");
}

/// The deadline itself, on `server::serve` with a handler that never finishes in time: after
/// the shutdown signal the request may go on until the deadline, then its connection is
/// closed and `serve` returns.
#[tokio::test]
async fn at_the_deadline_requests_still_in_progress_are_cut_off() {
    use axum::routing::get;
    let router = axum::Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(600)).await;
                "too late"
            }),
        )
        .route("/quick", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = Limits {
        shutdown_deadline: Duration::from_secs(1),
        ..Limits::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(wijkwijzer::server::serve(listener, router, limits, async {
        let _ = stopped.await;
    }));

    let quick = common::http()
        .get(format!("http://{addr}/quick"))
        .send()
        .await
        .unwrap();
    assert_eq!(quick.text().await.unwrap(), "ok");
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /slow HTTP/1.1\r\nHost: wijkwijzer\r\n\r\n")
        .await
        .unwrap();
    let (_silent, _half_open) = silent_and_half_open(&addr.to_string(), 5).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let signalled = Instant::now();
    stop.send(()).unwrap();
    // Within the deadline, the request in progress is left alone...
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(500), slow.read(&mut buf)).await;
    assert!(early.is_err(), "closed before the deadline: {early:?}");
    // ...and at the deadline it is cut off and `serve` returns.
    tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("serve returned soon after the deadline")
        .unwrap();
    let waited = signalled.elapsed();
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert!(closed_by_server(&mut slow, Duration::from_secs(2)).await);
    // And nobody is listening any more.
    assert!(TcpStream::connect(addr).await.is_err());
}
