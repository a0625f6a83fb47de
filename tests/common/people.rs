//! People on a real server, for the test suites that sign in: one server per backend and test
//! binary with the demo data, an administrator made by `admin create`, people invited into
//! any role through the mailed link, and a [`Browser`] without JavaScript that keeps cookies,
//! reads CSRF tokens from forms and speaks from its own client address (so that throttles and
//! rate limits of one test do not touch another). Mails are read from the mail folder.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::StatusCode;
use wijkwijzer::config::{Config, IpRange, LoginThrottle};

use super::TestServer;

tokio::task_local! {
    /// The base URL of the server the running test talks to.
    pub static APP: String;
}

/// Reports ("Klopt er iets niet?") one client address may send per hour on these servers.
pub const REPORTS_PER_HOUR: u32 = 3;

pub const PASSWORD: &str = "een lange zin als wachtwoord";

/// What a test needs to know about its server besides the address.
#[derive(Clone)]
pub struct ServerInfo {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

pub static INFOS: std::sync::Mutex<Vec<(String, ServerInfo)>> = std::sync::Mutex::new(Vec::new());

pub fn configure(dir: &Path, database_url: Option<String>) -> Config {
    let mut config = Config::for_tests(dir.to_path_buf(), database_url);
    config.demo_data = Some(true);
    // Quick to reach in a test; the production values are in `LoginThrottle::default`.
    config.accounts.throttle = LoginThrottle {
        window: Duration::from_secs(15 * 60),
        slow_after: 2,
        delay_step: Duration::from_millis(400),
        max_delay: Duration::from_millis(800),
        block_account_after: 4,
        block_address_after: 7,
    };
    // Each test speaks from its own address (X-Forwarded-For), so that the address throttle
    // of one test does not block another.
    config.limits.trusted_proxies = vec![IpRange::parse("127.0.0.1").unwrap()];
    config.limits.rate_limit_reports = REPORTS_PER_HOUR;
    config
}

pub fn spawn(database_url: Option<String>) -> TestServer {
    let (tx, rx) = std::sync::mpsc::channel();
    let url = database_url.clone();
    let server = super::spawn_configured(
        move |dir| {
            tx.send(dir.to_path_buf()).unwrap();
            configure(dir, url)
        },
        |_| Box::pin(async {}),
    );
    let data_dir = rx.recv().unwrap();
    INFOS.lock().unwrap().push((
        server.base.clone(),
        ServerInfo {
            data_dir,
            database_url,
        },
    ));
    server
}

pub fn sqlite_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| spawn(None))
}

pub fn postgres_server() -> Option<&'static TestServer> {
    static SERVER: OnceLock<Option<TestServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url =
                super::pg_database(concat!("wijkwijzer_", env!("CARGO_CRATE_NAME"), "_suite"))?;
            Some(spawn(Some(url)))
        })
        .as_ref()
}

pub fn base() -> String {
    APP.get()
}

pub fn info() -> ServerInfo {
    let base = base();
    INFOS
        .lock()
        .unwrap()
        .iter()
        .find(|(b, _)| *b == base)
        .map(|(_, i)| i.clone())
        .expect("server info")
}

/// A unique e-mail address and client address per call, so tests never share throttles.
pub fn unique(prefix: &str) -> (String, String) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id() % 200;
    (
        format!("{prefix}{n}-{}@example.org", uuid::Uuid::new_v4().simple()),
        format!("10.{pid}.{}.{}", n / 250, n % 250 + 1),
    )
}

#[allow(unused_imports)]
pub use super::web::{Browser, Page, field_value};

/// A browser at this test's server, speaking from `address`.
pub fn browser_at(address: &str) -> Browser {
    Browser::new(&base(), address)
}

// Re-exported for the suites that take everything from here; unused in some of them.
#[allow(unused_imports)]
pub use super::web::{decode_mail, link_in};

/// The newest mail to `to` in this test's server's mail folder, decoded.
pub fn mail_to(to: &str) -> Option<String> {
    super::web::mail_to(&info().data_dir, to)
}

/// The first administrator, made by `admin create` (the function the command runs) on the
/// server's database, with name and password set through the link. Once per server.
pub async fn admin() -> (String, String) {
    static ADMINS: tokio::sync::Mutex<Vec<(String, String)>> =
        tokio::sync::Mutex::const_new(Vec::new());
    let base = base();
    let mut admins = ADMINS.lock().await;
    if let Some((_, email)) = admins.iter().find(|(b, _)| *b == base) {
        return (email.clone(), PASSWORD.to_string());
    }
    let (email, address) = unique("beheerder");
    let link = create_admin_by_command(&email).await;
    let path = link.strip_prefix(&base).expect("link to this server");
    let mut browser = browser_at(&address);
    let done = browser
        .submit(
            path,
            path,
            &[("name", "Eerste Beheerder"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    admins.push((base, email.clone()));
    (email, PASSWORD.to_string())
}

/// Runs `wijkwijzer admin create` (as a function) against the server's database.
pub async fn create_admin_by_command(email: &str) -> String {
    let info = info();
    let dir = tempfile::tempdir().unwrap();
    let database_url = info.database_url.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}",
            info.data_dir.join("wijkwijzer.db").to_string_lossy()
        )
    });
    let mut config = Config::for_tests(dir.path().to_path_buf(), Some(database_url));
    config.public_url = Some(base());
    config.demo_data = Some(false);
    wijkwijzer::cli::create_administrator(config, email)
        .await
        .expect("admin create")
}

/// A person with `role` (form values of the invitation page), invited by the administrator
/// and signed up through the mailed link. Returns the e-mail address.
pub async fn person(prefix: &str, role: &[(&str, &str)]) -> String {
    let (admin_email, admin_password) = admin().await;
    let (email, address) = unique(prefix);
    let mut admin = browser_at(&address);
    let page = admin.login(&admin_email, &admin_password).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mut form = vec![("email", email.as_str())];
    form.extend_from_slice(role);
    let invited = admin
        .submit("/beheer/gebruikers", "/beheer/gebruikers", &form)
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let mail = mail_to(&email).expect("invitation mail");
    assert!(!mail.contains(PASSWORD));
    let link = link_in(&mail, "/uitnodiging/");
    let mut newcomer = browser_at(&address);
    let done = newcomer
        .submit(&link, &link, &[("name", prefix), ("password", PASSWORD)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    email
}

/// The JSON at `path` on the test's server.
pub async fn api(path: &str) -> serde_json::Value {
    super::get_json(&format!("{}{path}", base())).await
}

/// Two organisation ids of the demo data.
pub async fn organisations() -> (String, String) {
    let body = api("/hsds/organizations?per_page=2").await;
    let id = |i: usize| body["contents"][i]["id"].as_str().unwrap().to_string();
    (id(0), id(1))
}

/// A service of organisation `org` in the demo data.
pub async fn service_of(org: &str) -> String {
    let body = api(&format!("/hsds/services?per_page=1&organization_id={org}")).await;
    body["contents"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a service of {org}: {body}"))
        .to_string()
}

pub async fn signed_in(email: &str) -> Browser {
    let (_, address) = unique("sessie");
    let mut browser = browser_at(&address);
    let page = browser.login(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{email}: {}", page.body);
    browser
}
