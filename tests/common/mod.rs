//! Shared test support: the real application on a random port, and the optional services
//! (PostgreSQL, Chromium) that some tests need — never skipped silently.
#![allow(dead_code)] // Each test crate uses a different part of this module.

use std::sync::OnceLock;

pub mod people;

use wijkwijzer::app::App;
use wijkwijzer::config::Config;

/// A running app with the demo data, shared by all tests of one test binary. It runs on its
/// own thread and runtime so that every `#[tokio::test]` can talk to it over real HTTP.
pub struct TestServer {
    pub base: String,
    _dir: tempfile::TempDir,
}

pub fn demo_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| spawn_demo_server(None))
}

/// The same as [`demo_server`], on PostgreSQL; `None` (reported as skipped) without one.
/// Its database has a fixed name and is recreated at every run.
pub fn pg_demo_server() -> Option<&'static TestServer> {
    static SERVER: OnceLock<Option<TestServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = pg_database("wijkwijzer_http_suite")?;
            Some(spawn_demo_server(Some(url)))
        })
        .as_ref()
}

/// A fresh PostgreSQL database with this name (recreated), or `None` (reported as skipped).
pub fn pg_database(name: &'static str) -> Option<String> {
    // Its own thread and runtime: the caller is inside a test's runtime, where
    // another runtime can neither block nor be dropped.
    let url = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let server = postgres_server().await?;
            Some(PgTestDb::create_named(&server, name).await.url)
        })
    })
    .join()
    .expect("postgres setup")?;
    Some(url)
}

fn spawn_demo_server(database_url: Option<String>) -> TestServer {
    spawn_server(database_url, |_| Box::pin(async {}))
}

/// Something to do with the app's catalog before it starts serving (e.g. import data).
pub type Setup = fn(
    wijkwijzer::catalog::Catalog,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// A demo-data app on its own thread and runtime, after `setup` ran on its catalog.
pub fn spawn_server(database_url: Option<String>, setup: Setup) -> TestServer {
    spawn_configured(
        |dir| {
            let mut config = Config::for_tests(dir.to_path_buf(), database_url);
            config.demo_data = Some(true);
            config
        },
        setup,
    )
}

/// An app with the config `configure` makes for a fresh data directory, on its own thread and
/// runtime, after `setup` ran on its catalog and the index caught up.
pub fn spawn_configured(
    configure: impl FnOnce(&std::path::Path) -> Config,
    setup: Setup,
) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = configure(dir.path());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let app = App::build(config).await.expect("app starts");
            let catalog = app.state().catalog.clone();
            setup(catalog.clone()).await;
            catalog
                .indexer
                .catch_up(&mut Default::default())
                .await
                .expect("index caught up");
            tx.send(app.port()).expect("send port");
            app.run(std::future::pending()).await.expect("app runs");
        });
    });
    let port = rx.recv().expect("app started");
    TestServer {
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    }
}

/// Starts an app on a random port in the current runtime; returns its base URL and a sender
/// that stops it.
pub async fn start_app(
    config: Config,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let app = App::build(config).await.expect("app starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        app.run(async move {
            let _ = rx.await;
        })
        .await
        .expect("app runs");
    });
    (base, tx, handle)
}

/// Whether a missing optional service fails the test run (CI) or skips the test (laptops).
fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1" || v == "true")
}

/// Reports a skipped test loudly, or fails it when the service is required.
pub fn skip_or_fail(require_var: &str, what: &str, why: &str) {
    if required(require_var) {
        panic!("{what} is required ({require_var}=1) but unavailable: {why}");
    }
    // Written straight to stderr: libtest captures `eprintln!` of passing tests, and a skip
    // must never be silent.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {what}: {why}. Set it up as README.md says to run these tests."
    );
}

/// The PostgreSQL server URL for tests, if configured and reachable.
pub async fn postgres_server() -> Option<String> {
    let Ok(url) = std::env::var("WIJKWIJZER_TEST_POSTGRES_URL") else {
        skip_or_fail(
            "WIJKWIJZER_REQUIRE_POSTGRES",
            "PostgreSQL tests",
            "WIJKWIJZER_TEST_POSTGRES_URL is not set",
        );
        return None;
    };
    match sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect(&url)
        .await
    {
        Ok(pool) => {
            pool.close().await;
            Some(url)
        }
        Err(err) => {
            skip_or_fail(
                "WIJKWIJZER_REQUIRE_POSTGRES",
                "PostgreSQL tests",
                &format!("cannot connect: {err}"),
            );
            None
        }
    }
}

/// A fresh, empty PostgreSQL database for one test; dropped by [`PgTestDb::drop_db`].
pub struct PgTestDb {
    pub url: String,
    server: String,
    name: String,
}

impl PgTestDb {
    pub async fn create(server: &str) -> Self {
        let name = format!("wijkwijzer_test_{}", uuid::Uuid::new_v4().simple());
        Self::create_named(server, &name).await
    }

    /// Creates (or recreates) a database with a fixed name.
    pub async fn create_named(server: &str, name: &str) -> Self {
        let name = name.to_string();
        let pool = sqlx::PgPool::connect(server)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "drop database if exists {name} with (force)"
        )))
        .execute(&pool)
        .await
        .expect("drop an old test database");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&pool)
            .await
            .expect("create test database");
        pool.close().await;
        let (base, _) = server.rsplit_once('/').expect("URL with a database name");
        Self {
            url: format!("{base}/{name}"),
            server: server.to_string(),
            name,
        }
    }

    pub async fn drop_db(self) {
        if let Ok(pool) = sqlx::PgPool::connect(&self.server).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "drop database if exists {} with (force)",
                self.name
            )))
            .execute(&pool)
            .await;
            pool.close().await;
        }
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// GETs `url` and parses the JSON answer.
pub async fn get_json(url: &str) -> serde_json::Value {
    http()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|err| panic!("GET {url}: {err}"))
        .json()
        .await
        .unwrap_or_else(|err| panic!("JSON from {url}: {err}"))
}

/// Runs `test` on a fresh SQLite database, then on a fresh PostgreSQL database if available.
pub async fn on_both_backends<F, Fut>(demo: bool, test: F)
where
    F: Fn(wijkwijzer::catalog::Catalog, Config) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("sqlite"), None);
    config.demo_data = Some(demo);
    let catalog = wijkwijzer::app::prepare(&config)
        .await
        .expect("SQLite app prepares");
    assert_eq!(catalog.store.backend(), "sqlite");
    test(catalog.clone(), config).await;
    catalog.store.close().await;

    let Some(server) = postgres_server().await else {
        return;
    };
    let db = PgTestDb::create(&server).await;
    let mut config = Config::for_tests(dir.path().join("pg"), Some(db.url.clone()));
    config.demo_data = Some(demo);
    let catalog = wijkwijzer::app::prepare(&config)
        .await
        .expect("PostgreSQL app prepares");
    assert_eq!(catalog.store.backend(), "postgres");
    test(catalog.clone(), config).await;
    catalog.store.close().await;
    db.drop_db().await;
}

/// Runs each named `async fn()` of the calling test file as two tests, against the file's
/// `sqlite_server()` and `postgres_server()` (skipped or failing as `postgres_server` decides),
/// with the server's base URL in the file's task-local `APP`.
#[allow(unused_macros)]
macro_rules! tests_on_both_servers {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::APP.scope(super::sqlite_server().base.clone(), super::$name()).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(server) = super::postgres_server() else { return };
                super::APP.scope(server.base.clone(), super::$name()).await;
            })+
        }
    };
}
#[allow(unused_imports)]
pub(crate) use tests_on_both_servers;

pub mod web;
