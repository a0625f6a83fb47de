//! A real browser against the real app: the search journey on a phone, the same journey with
//! JavaScript switched off, and axe-core's WCAG 2.1 A/AA rules on the main pages.
//!
//! Needs Chromium, chromedriver (`apt-get install chromium chromium-driver`; override the paths
//! with `CHROMIUM` / `CHROMEDRIVER`) and axe-core (`npm ci`). Without them the tests say
//! SKIPPED, or fail when `WIJKWIJZER_REQUIRE_BROWSER=1`.

mod common;

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const REQUIRE: &str = "WIJKWIJZER_REQUIRE_BROWSER";
const OVERVECHT: &str = "WK034403";
const PHONE_WIDTH: u32 = 390;
const PHONE_HEIGHT: u32 = 844;
/// How long to wait for chromedriver, a page or an element on a busy two-core machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// One browser session at a time: each test starts its own chromedriver and Chromium, and two
/// Chromiums at once on a small machine only make both slow.
static BROWSER_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What the browser tests need from the machine.
struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
    axe: PathBuf,
}

impl Tools {
    /// Finds Chromium, chromedriver and axe-core, or reports what is missing (SKIPPED, or a
    /// panic when the browser is required).
    fn find() -> Option<Self> {
        let tool = |var: &str, default: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(default))
        };
        let tools = Self {
            chromium: tool("CHROMIUM", "/usr/bin/chromium"),
            chromedriver: tool("CHROMEDRIVER", "/usr/bin/chromedriver"),
            axe: Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js"),
        };
        let missing: Vec<String> = [
            ("Chromium (CHROMIUM)", &tools.chromium),
            ("chromedriver (CHROMEDRIVER)", &tools.chromedriver),
            ("axe-core (npm ci)", &tools.axe),
        ]
        .into_iter()
        .filter(|(_, path)| !path.is_file())
        .map(|(what, path)| format!("{what} not found at {}", path.display()))
        .collect();
        if missing.is_empty() {
            Some(tools)
        } else {
            common::skip_or_fail(REQUIRE, "browser tests", &missing.join("; "));
            None
        }
    }
}

/// A chromedriver child process on its own port; killed (with the browser it started) on drop,
/// also when a test panics.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    async fn start(binary: &Path, log: &Path) -> Self {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
            listener.local_addr().expect("local address").port()
        };
        let mut command = Command::new(binary);
        command
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so that dropping it can end Chromium too.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .unwrap_or_else(|err| panic!("start {}: {err}", binary.display()));
        let mut driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        driver.wait_until_ready(log).await;
        driver
    }

    /// Polls `GET /status` until chromedriver says it is ready.
    async fn wait_until_ready(&mut self, log: &Path) {
        let http = common::http();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(response) = http.get(format!("{}/status", self.url)).send().await
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == true
            {
                return;
            }
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!(
                    "chromedriver exited with {exit} before it was ready; log:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready at {} after {PATIENCE:?}",
                self.url
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Chromedriver {
    /// Sends `signal` to chromedriver's process group (chromedriver and the Chromium it
    /// started), by its id.
    fn signal_group(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The session is normally closed already. A polite TERM first: Chromium then also ends
        // its crash handler, which lives outside the group; KILL whatever is left.
        self.signal_group("-TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.signal_group("-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The WebDriver capabilities: headless Chromium with a phone-sized viewport.
///
/// Without JavaScript the phone has no touch screen: chromedriver's touch emulation together
/// with JavaScript switched off hangs on the first tap that navigates ("Timed out receiving
/// message from renderer"; Chromium 156). Headless windows are at least 500px wide, so the
/// phone width needs `mobileEmulation` in both cases.
fn capabilities(chromium: &Path, profile: &Path, javascript: bool) -> fantoccini::wd::Capabilities {
    let mut options = json!({
        "binary": chromium,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={PHONE_WIDTH},{PHONE_HEIGHT}"),
        ],
    });
    options["mobileEmulation"] = json!({
        "deviceMetrics": {
            "width": PHONE_WIDTH,
            "height": PHONE_HEIGHT,
            "pixelRatio": 2.0,
            "mobile": true,
            "touch": javascript,
        }
    });
    if !javascript {
        options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    let capabilities = json!({ "browserName": "chrome", "goog:chromeOptions": options });
    match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

/// Runs `body` with a fresh browser session on the demo app (its base URL is the second
/// argument), then closes the session and stops chromedriver — also when `body` panics, whose
/// panic is then passed on.
async fn with_browser<F, Fut>(javascript: bool, body: F)
where
    F: FnOnce(Client, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_browser_on(|| common::demo_server().base.clone(), javascript, body).await
}

/// [`with_browser`] on the app whose base URL `base` gives (started only when the tools are
/// there).
async fn with_browser_on<F, Fut>(base: impl FnOnce() -> String, javascript: bool, body: F)
where
    F: FnOnce(Client, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let _one_at_a_time = BROWSER_LOCK.lock().await;
    let Some(tools) = Tools::find() else {
        return;
    };
    let base = base();
    let scratch = tempfile::tempdir().expect("temp dir");
    let profile = scratch.path().join("profile");
    let log = scratch.path().join("chromedriver.log");
    let driver = Chromedriver::start(&tools.chromedriver, &log).await;

    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = match ClientBuilder::new(connector)
        .capabilities(capabilities(&tools.chromium, &profile, javascript))
        .connect(&driver.url)
        .await
    {
        Ok(client) => client,
        Err(err) => panic!(
            "cannot start a Chromium session: {err}; chromedriver log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        ),
    };
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(PATIENCE),
            Some(PATIENCE),
            Some(Duration::ZERO),
        ))
        .await
        .expect("set timeouts");

    // Spawned so that a panic inside arrives here as an error and the session still closes.
    let outcome = tokio::spawn(body(client.clone(), base)).await;
    if tokio::time::timeout(PATIENCE, client.close())
        .await
        .is_err()
    {
        eprintln!("closing the browser session timed out; stopping chromedriver instead");
    }
    drop(driver);
    drop(scratch);
    if let Err(err) = outcome {
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("browser test did not finish: {err}"),
        }
    }
}

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("waiting for {css}: {err}"))
}

async fn text_of(client: &Client, css: &str) -> String {
    wait_for(client, css)
        .await
        .text()
        .await
        .unwrap_or_else(|err| panic!("text of {css}: {err}"))
}

/// The page fits the phone's width: nothing to scroll sideways.
async fn assert_no_horizontal_scroll(client: &Client, page: &str) {
    let sizes = client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap_or_else(|err| panic!("measure {page}: {err}"));
    let scroll_width = sizes[0].as_f64().expect("scrollWidth");
    let inner_width = sizes[1].as_f64().expect("innerWidth");
    assert!(
        inner_width <= f64::from(PHONE_WIDTH) + 1.0,
        "{page}: the viewport is {inner_width}px wide, not a phone's {PHONE_WIDTH}px"
    );
    assert!(
        scroll_width <= inner_width + 1.0,
        "{page} scrolls sideways on a phone: content {scroll_width}px wide in a {inner_width}px viewport"
    );
}

/// The visitor's journey: a question in their own words, their neighbourhood, the results, one
/// service — on a phone, without sideways scrolling on any page.
async fn search_journey(client: &Client, base: &str) {
    client.goto(&format!("{base}/")).await.expect("open home");
    let home_title = text_of(client, "main h1").await;
    assert_eq!(home_title, "Vind hulp en activiteiten in uw buurt");
    assert_no_horizontal_scroll(client, "home").await;

    wait_for(client, "#q")
        .await
        .send_keys("ik voel me alleen")
        .await
        .expect("type the question");
    wait_for(client, "#area")
        .await
        .select_by_value(OVERVECHT)
        .await
        .expect("pick Overvecht");
    wait_for(client, "form.search button[type=submit]")
        .await
        .click()
        .await
        .expect("submit the search");

    let heading = text_of(client, "h1#resultaten").await;
    let url = client.current_url().await.expect("results URL");
    assert_eq!(url.path(), "/zoeken", "{url}");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("q".into(), "ik voel me alleen".into()))
            && query.contains(&("area".into(), OVERVECHT.into())),
        "the form sent the words and the wijk: {url}"
    );
    assert!(
        heading.ends_with("in Overvecht") && heading.contains("resulta"),
        "results heading: {heading:?}"
    );
    let cards = client
        .find_all(Locator::Css("ol.results li.card"))
        .await
        .expect("result cards");
    assert!(!cards.is_empty(), "at least one result in Overvecht");
    let understood = text_of(client, "p.understood").await;
    assert!(
        understood.contains("Eenzaamheid"),
        "the question was recognised as loneliness: {understood:?}"
    );
    assert_no_horizontal_scroll(client, "results").await;

    let first = wait_for(client, "ol.results li.card h3 a").await;
    let name = first.text().await.expect("first result's name");
    assert!(!name.is_empty(), "the first result has a name");
    first.click().await.expect("open the first result");
    let title = text_of(client, "article.service h1").await;
    assert_eq!(title, name, "the service page is the one clicked");
    let url = client.current_url().await.expect("service URL");
    assert!(url.path().starts_with("/aanbod/"), "{url}");
    let assured = text_of(client, "p.assured").await;
    assert!(
        assured.contains("Laatst gecontroleerd") || assured.contains("Nog niet gecontroleerd"),
        "the service page says when it was last checked: {assured:?}"
    );
    assert_no_horizontal_scroll(client, "service").await;
}

#[tokio::test]
async fn search_journey_on_a_phone() {
    with_browser(true, |client, base| async move {
        search_journey(&client, &base).await;
    })
    .await;
}

#[tokio::test]
async fn search_journey_without_javascript() {
    with_browser(false, |client, base| async move {
        // First make sure the page itself really cannot run scripts.
        client
            .goto(
                "data:text/html,<p id=js>off</p><script>document.getElementById('js').textContent='on'</script>",
            )
            .await
            .expect("open the script probe");
        assert_eq!(
            text_of(&client, "#js").await,
            "off",
            "JavaScript should be disabled in this session"
        );
        search_journey(&client, &base).await;
    })
    .await;
}

/// axe-core's rules for WCAG 2.0/2.1 level A and AA.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }
}).then(
  (results) => done({
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.slice(0, 5).map((n) => ({
        target: n.target,
        html: n.html,
        summary: n.failureSummary,
      })),
      count: v.nodes.length,
    })),
    passes: results.passes.length,
  }),
  (err) => done({ error: String(err) })
);
"#;

#[tokio::test]
async fn pages_pass_axe_wcag_2_1_aa() {
    let axe_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    with_browser(true, |client, base| async move {
        let axe = std::fs::read_to_string(&axe_path).expect("read axe.min.js");

        // The service page is the first result of the results page.
        let results = format!("/zoeken?q=eenzaam&area={OVERVECHT}");
        client
            .goto(&format!("{base}{results}"))
            .await
            .expect("open results");
        let service = wait_for(&client, "ol.results li.card h3 a")
            .await
            .attr("href")
            .await
            .expect("href")
            .expect("the first result links to its service");
        let pages = [
            "/".to_string(),
            results,
            // Zero results, with the buurtteam to call.
            format!("/zoeken?q=xylofoonorkestrepetitie&area={OVERVECHT}"),
            // A mistyped postcode: the form again with the message by the field.
            "/zoeken?q=eenzaam&postcode=35AB&day=dinsdag".to_string(),
            // Many filters, the filter panel open, numbered pages.
            "/zoeken?category=ontmoeting&postcode=3562&day=di&dagdeel=ochtend&page=2".to_string(),
            service,
            format!("/wijk/{OVERVECHT}"),
            // The week's agenda (a notice board), and the same with a week that does not exist:
            // the message next to the field.
            format!("/wijk/{OVERVECHT}/agenda"),
            format!("/wijk/{OVERVECHT}/agenda?week=2026-W60"),
            "/wijken".to_string(),
            "/aanbod/00000000-0000-0000-0000-000000000000".to_string(),
            // Temporarily closed and not checked for long: banner and "Mogelijk verouderd"
            // (Pluktuin Het Kompas, demo data).
            "/aanbod/d65b7f0a-3d1f-5251-92ec-b61ac1228bba".to_string(),
            // A closed card among open ones, with the link that hides closed offers.
            "/zoeken?q=weggeefwinkel".to_string(),
            "/zoeken?q=weggeefwinkel&hide_closed=ja".to_string(),
            // Accounts: the forms before signing in, and a link that no longer works.
            "/inloggen".to_string(),
            "/wachtwoord-vergeten".to_string(),
            "/wachtwoord-herstellen/verlopen".to_string(),
            "/uitnodiging/verlopen".to_string(),
        ];

        let mut report = String::new();
        for page in &pages {
            report.push_str(&axe_report(&client, &base, &axe, page).await);
        }
        assert!(
            report.is_empty(),
            "accessibility violations (WCAG 2.1 A/AA):{report}"
        );
    })
    .await;
}

/// Opens each page and fails with every violation of axe-core's WCAG 2.1 A/AA rules on them.
async fn assert_pages_pass_axe(client: &Client, base: &str, axe: &str, pages: &[String]) {
    let mut report = String::new();
    for page in pages {
        report.push_str(&axe_report(client, base, axe, page).await);
    }
    assert!(
        report.is_empty(),
        "accessibility violations (WCAG 2.1 A/AA):{report}"
    );
}

/// Opens `page` and runs axe-core's WCAG 2.1 A/AA rules on it; the violations, worded for a
/// failure message (empty when there are none).
async fn axe_report(client: &Client, base: &str, axe: &str, page: &str) -> String {
    client
        .goto(&format!("{base}{page}"))
        .await
        .unwrap_or_else(|err| panic!("open {page}: {err}"));
    run_axe(client, axe, page).await
}

/// Runs axe-core's WCAG 2.1 A/AA rules on the page that is open (named `page` in messages).
async fn run_axe(client: &Client, axe: &str, page: &str) -> String {
    let mut report = String::new();
    wait_for(client, "main h1").await;
    client
        .execute(axe, vec![])
        .await
        .unwrap_or_else(|err| panic!("inject axe-core on {page}: {err}"));
    let outcome = client
        .execute_async(AXE_RUN, vec![])
        .await
        .unwrap_or_else(|err| panic!("run axe-core on {page}: {err}"));
    if let Some(err) = outcome.get("error") {
        panic!("axe-core failed on {page}: {err}");
    }
    let violations = outcome["violations"].as_array().expect("violations");
    let passes = outcome["passes"].as_u64().unwrap_or(0);
    assert!(passes > 0, "axe-core checked nothing on {page}");
    eprintln!(
        "axe-core on {page}: {} rules passed, {} violated",
        passes,
        violations.len()
    );
    for v in violations {
        report.push_str(&format!(
            "\n{page}: [{}] {} ({}; {} element(s)) {}\n",
            v["id"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            v["impact"].as_str().unwrap_or("?"),
            v["count"],
            v["helpUrl"].as_str().unwrap_or(""),
        ));
        for node in v["nodes"].as_array().into_iter().flatten() {
            report.push_str(&format!(
                "    at {}\n      {}\n      {}\n",
                node["target"],
                node["html"].as_str().unwrap_or(""),
                node["summary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', "\n      "),
            ));
        }
    }
    report
}

const ADMIN_EMAIL: &str = "beheer@example.org";
const ADMIN_PASSWORD: &str = "een lange zin als wachtwoord";

/// The demo app with an administrator who also edits an organisation (made straight in the
/// store), for the pages behind the sign-in.
fn accounts_server() -> &'static common::TestServer {
    static SERVER: std::sync::OnceLock<common::TestServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        common::spawn_server(None, |catalog| {
            Box::pin(async move {
                use wijkwijzer::auth::Role;
                use wijkwijzer::auth::secrets::{PasswordCost, hash_password};
                let store = &catalog.store;
                let hash = hash_password(ADMIN_PASSWORD, PasswordCost::TestsOnly).unwrap();
                let admin = store
                    .create_user(ADMIN_EMAIL, "Beheerder", Some(&hash))
                    .await
                    .unwrap();
                store
                    .grant_role(admin, &Role::Administrator, None)
                    .await
                    .unwrap();
                let organization = first_organisation(store).await;
                // Also an editor, so that /account links the organisation's token page.
                store
                    .grant_role(admin, &Role::OrganisationEditor { organization }, None)
                    .await
                    .unwrap();
                store
                    .create_api_token(
                        organization,
                        "website",
                        "0".repeat(64).as_str(),
                        Some(admin),
                    )
                    .await
                    .unwrap();
                moderation_fixtures(&catalog, admin, organization).await;
            })
        })
    })
}

/// For the moderation pages: a change request by another editor of `organization` in the
/// queue (with its diff), one "by" the administrator on their own page, and a published change
/// in a service's history. The service is the organisation's first.
async fn moderation_fixtures(
    catalog: &wijkwijzer::catalog::Catalog,
    admin: uuid::Uuid,
    organization: uuid::Uuid,
) {
    use wijkwijzer::auth::{Actor, Role, UserActor};
    let store = &catalog.store;
    let service = store
        .service_ids_of_organizations(&[organization])
        .await
        .unwrap()[&organization][0];
    let editor_id = store
        .create_user("redacteur@example.org", "Redacteur", None)
        .await
        .unwrap();
    let editor = Actor::User(UserActor {
        id: editor_id,
        email: "redacteur@example.org".into(),
        name: "Redacteur".into(),
        roles: vec![Role::OrganisationEditor { organization }],
    });
    let admin_actor = Actor::User(UserActor {
        id: admin,
        email: ADMIN_EMAIL.into(),
        name: "Beheerder".into(),
        roles: vec![Role::Administrator],
    });
    // Published at once (an administrator's edit): one line of history.
    let editable = catalog
        .service_for_editing(&admin_actor, service)
        .await
        .unwrap();
    let mut changed = editable.current.service.clone();
    changed.waiting_time = Some("Wachtlijst van ongeveer 4 weken".into());
    catalog
        .propose_service(&admin_actor, changed.clone(), Some(editable.version))
        .await
        .unwrap();
    // Waiting: a new name.
    let mut renamed = changed;
    renamed.name = format!("{} (nieuwe naam)", renamed.name);
    let proposal = catalog
        .propose_service(&editor, renamed, Some(editable.version + 1))
        .await
        .unwrap();
    let wijkwijzer::listings::Proposal::Pending { request } = proposal else {
        panic!("an editor's name change waits: {proposal:?}");
    };
    // The same request as the administrator's own, for "Mijn wijzigingen".
    let mut own = store.change_request(request).await.unwrap().unwrap();
    own.id = uuid::Uuid::new_v4();
    own.proposed_by = admin;
    store.save_change_request(&own, None).await.unwrap();
}

/// The history page of the first organisation's first service (see [`moderation_fixtures`]).
async fn history_page(base: &str) -> String {
    let organisations: serde_json::Value = common::http()
        .get(format!("{base}/hsds/organizations?per_page=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org = organisations["contents"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let services: serde_json::Value = common::http()
        .get(format!(
            "{base}/hsds/services?per_page=100&organization_id={org}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let with_history = services["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["wait_time"] == "Wachtlijst van ongeveer 4 weken")
        .unwrap_or_else(|| panic!("the changed service: {services}"));
    format!(
        "/beheer/aanbod/{}/geschiedenis",
        with_history["id"].as_str().unwrap()
    )
}

async fn first_organisation(store: &wijkwijzer::store::Store) -> uuid::Uuid {
    store.organization_ids().await.unwrap()[0]
}

#[tokio::test]
async fn account_pages_pass_axe_wcag_2_1_aa() {
    let axe_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    with_browser_on(
        || accounts_server().base.clone(),
        true,
        |client, base| async move {
            let axe = std::fs::read_to_string(&axe_path).expect("read axe.min.js");
            sign_in_as_admin(&client, &base).await;
            // Only /account links a token page: signed in once it is there.
            let token_page = wait_for(&client, "a[href*='/sleutels']")
                .await
                .attr("href")
                .await
                .unwrap()
                .expect("the editor role links its token page");
            // A listing marked possibly outdated, which this administrator may confirm.
            let found: serde_json::Value = common::http()
                .get(format!("{base}/api/v1/search?per_page=100"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let stale = found["results"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["possibly_outdated"] == true)
                .unwrap_or_else(|| panic!("a stale listing in the demo: {found}"));
            let listing = format!("/aanbod/{}", stale["id"].as_str().unwrap());
            // A sign-up from the public, so that the moderators' queue has a request to show.
            let mut visitor = common::web::Browser::new(&base, "10.9.9.9");
            let signed_up = visitor
                .submit(
                    "/organisatie-aanmelden",
                    "/organisatie-aanmelden",
                    &[
                        ("naam", "Toegankelijk Buurtkoor"),
                        ("beschrijving", "Wij zingen elke week."),
                        ("kvk", "12345678"),
                        ("postcode", "3511"),
                        ("contactpersoon", "Koorlid"),
                        ("email", "koor@example.org"),
                        ("toestemming", "ja"),
                    ],
                )
                .await;
            assert_eq!(signed_up.status.as_u16(), 200, "{}", signed_up.body);
            let pages = [
                "/account".to_string(),
                "/beheer/gebruikers".to_string(),
                token_page,
                // The service page with the "Klopt nog" form.
                listing.clone(),
                // Moderation: the queue with a side-by-side diff, the editor's own requests,
                // a service's history.
                "/beheer/moderatie".to_string(),
                "/beheer/mijn-wijzigingen".to_string(),
                history_page(&base).await,
                "/organisatie-aanmelden".to_string(),
                format!("{listing}/claimen"),
                "/beheer/aanmeldingen".to_string(),
                format!("/beheer{listing}/agenda"),
            ];
            assert_pages_pass_axe(&client, &base, &axe, &pages).await;

            // "Klopt nog" in one click: the badge goes, the page says so.
            client
                .goto(&format!("{base}{listing}"))
                .await
                .expect("open the listing");
            wait_for(&client, ".stale-badge").await;
            wait_for(&client, "form.confirm-still-correct button")
                .await
                .click()
                .await
                .expect("click Klopt nog");
            let notice = wait_for(&client, "p.notice[role=status]").await;
            assert!(notice.text().await.unwrap().contains("nu vandaag"));
            assert!(
                client
                    .find_all(Locator::Css(".stale-badge"))
                    .await
                    .unwrap()
                    .is_empty(),
                "the badge is gone after confirming"
            );
        },
    )
    .await;
}

/// Signs in through the form, as a person would, as the administrator of `accounts_server`.
async fn sign_in_as_admin(client: &Client, base: &str) {
    client
        .goto(&format!("{base}/inloggen"))
        .await
        .expect("open sign-in");
    wait_for(client, "#veld-email")
        .await
        .send_keys(ADMIN_EMAIL)
        .await
        .expect("type e-mail");
    wait_for(client, "#veld-password")
        .await
        .send_keys(ADMIN_PASSWORD)
        .await
        .expect("type password");
    wait_for(client, "form.account-form button[type=submit]")
        .await
        .click()
        .await
        .expect("sign in");
}

/// The edit pages (issue 13, part 3): the organisation's page, the service and location forms
/// (new, existing, and shown again with errors) pass axe, and the service form fits a phone.
#[tokio::test]
async fn editing_pages_pass_axe_wcag_2_1_aa() {
    let axe_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    with_browser_on(
        || accounts_server().base.clone(),
        true,
        |client, base| async move {
            let axe = std::fs::read_to_string(&axe_path).expect("read axe.min.js");
            sign_in_as_admin(&client, &base).await;
            let organisation = wait_for(
                &client,
                "a[href^='/beheer/organisatie/']:not([href$='/sleutels'])",
            )
            .await
            .attr("href")
            .await
            .unwrap()
            .expect("/account links the organisation's page");
            let id = organisation
                .trim_start_matches("/beheer/organisatie/")
                .to_string();
            client
                .goto(&format!("{base}{organisation}"))
                .await
                .expect("open the organisation's page");
            let edit_service = wait_for(&client, "a[href^='/beheer/aanbod/'][href$='/bewerken']")
                .await
                .attr("href")
                .await
                .unwrap()
                .unwrap();
            let new_service = format!("/beheer/aanbod/nieuw?organisatie={id}");
            let pages = [
                organisation.clone(),
                new_service.clone(),
                edit_service.clone(),
                format!("/beheer/locatie/nieuw?organisatie={id}"),
            ];
            assert_pages_pass_axe(&client, &base, &axe, &pages).await;
            client
                .goto(&format!("{base}{edit_service}"))
                .await
                .expect("open the service form");
            wait_for(&client, "form.edit-form").await;
            assert_no_horizontal_scroll(&client, "service form").await;

            // A new location, placed by its postcode: the form shows where it lies.
            client
                .goto(&format!("{base}/beheer/locatie/nieuw?organisatie={id}"))
                .await
                .expect("open the location form");
            for (field, value) in [
                ("#veld-name", "Buurtkamer"),
                ("#veld-address_1", "Zamenhofdreef 1"),
                ("#veld-postal_code", "3562 AB"),
                ("#veld-city", "Utrecht"),
            ] {
                wait_for(&client, field)
                    .await
                    .send_keys(value)
                    .await
                    .expect("type");
            }
            wait_for(&client, "form.edit-form button[type=submit]")
                .await
                .click()
                .await
                .expect("save the location");
            assert!(text_of(&client, "p.placed").await.contains("Ligt in"));
            let placed = run_axe(&client, &axe, "location form after saving").await;
            assert!(
                placed.is_empty(),
                "accessibility violations (WCAG 2.1 A/AA):{placed}"
            );

            // Without a name: the form comes back with the error, which passes axe too.
            client
                .goto(&format!("{base}{new_service}"))
                .await
                .expect("open the new service form");
            wait_for(&client, "form.edit-form button[type=submit]")
                .await
                .click()
                .await
                .expect("save");
            wait_for(&client, "#fout-veld-name").await;
            assert_no_horizontal_scroll(&client, "service form with errors").await;
            let with_errors = run_axe(&client, &axe, "service form with errors").await;
            assert!(
                with_errors.is_empty(),
                "accessibility violations (WCAG 2.1 A/AA):{with_errors}"
            );
        },
    )
    .await;
}

/// Saves a screenshot of the current page when `WIJKWIJZER_SCREENSHOTS` names a directory (to
/// look at the phone layout by eye; nothing is asserted about the picture).
async fn screenshot(client: &Client, name: &str) {
    let Some(dir) = std::env::var_os("WIJKWIJZER_SCREENSHOTS") else {
        return;
    };
    let png = client.screenshot().await.expect("screenshot");
    let path = Path::new(&dir).join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap_or_else(|err| panic!("write {}: {err}", path.display()));
}

/// The texts of the elements matching `css`.
async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.expect(css) {
        out.push(element.text().await.expect("text"));
    }
    out
}

/// A GP with a patient: the question, the patient's postcode, "on a Tuesday morning" — and the
/// nearest offers that fit. Counted honestly: the person fills in four things on one form (words,
/// postcode, two ticks) and submits it: one page visit; opening the first offer is the second.
/// Each step that loads a page counts as an interaction; at most three are allowed.
#[tokio::test]
async fn gp_journey_in_at_most_three_interactions() {
    with_browser(true, |client, base| async move {
        let mut interactions = 0;
        client.goto(&format!("{base}/")).await.expect("open home");
        screenshot(&client, "home-phone").await;
        wait_for(&client, "#q")
            .await
            .send_keys("eenzaam")
            .await
            .expect("type the question");
        wait_for(&client, "#postcode")
            .await
            .send_keys("3562 AB")
            .await
            .expect("type the postcode");
        wait_for(&client, "label[for=dag-2]")
            .await
            .click()
            .await
            .expect("tick dinsdag");
        wait_for(&client, "label[for=dagdeel-ochtend]")
            .await
            .click()
            .await
            .expect("tick ochtend");
        wait_for(&client, "form.search button[type=submit]")
            .await
            .click()
            .await
            .expect("submit");
        interactions += 1;

        let heading = text_of(&client, "h1#resultaten").await;
        assert!(heading.contains("resulta"), "results: {heading:?}");
        let url = client.current_url().await.expect("url");
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        for pair in [
            ("day", "dinsdag"),
            ("dagdeel", "ochtend"),
            ("postcode", "3562 AB"),
        ] {
            assert!(
                query.contains(&(pair.0.into(), pair.1.into())),
                "{pair:?} in {url}"
            );
        }
        let chips = texts(&client, ".filters a").await;
        assert!(
            chips.iter().any(|c| c.contains("Op dinsdag"))
                && chips.iter().any(|c| c.contains("ochtend")),
            "{chips:?}"
        );
        let when = texts(&client, "ol.results li.card .when").await;
        assert!(!when.is_empty(), "results with their times");
        for w in &when {
            assert!(
                w.contains("dinsdag"),
                "each result runs on a Tuesday: {w:?}"
            );
        }
        let first_place = text_of(&client, "ol.results li.card .facts dd").await;
        assert!(
            first_place.contains(" m)")
                || first_place.contains(" km)")
                || first_place.contains("uw wijk"),
            "the first result says how near it is: {first_place:?}"
        );
        screenshot(&client, "results-phone").await;
        assert_no_horizontal_scroll(&client, "results with the panel open").await;

        wait_for(&client, "ol.results li.card h3 a")
            .await
            .click()
            .await
            .expect("open the first offer");
        interactions += 1;
        wait_for(&client, "article.service h1").await;
        assert!(interactions <= 3, "{interactions} interactions");
        eprintln!("GP journey: {interactions} page-loading interactions, 4 form entries");
    })
    .await;
}

/// Every filter chip on a page with many filters can be removed, one after the other, without
/// an error page — on a phone, without JavaScript.
#[tokio::test]
async fn every_chip_can_be_removed_on_a_phone() {
    with_browser(false, |client, base| async move {
        let many = format!(
            "{base}/zoeken?q=eenzaam&area={OVERVECHT}&postcode=3562&radius_km=5&sort=distance\
             &category=eenzaamheid&free=ja&access=open&day=di&day=do&dagdeel=ochtend&age=70"
        );
        client.goto(&many).await.expect("open");
        wait_for(&client, "h1#resultaten").await;
        let labels = texts(&client, ".filters a").await;
        assert!(labels.len() >= 10, "many chips: {labels:?}");
        for (i, label) in labels.iter().enumerate() {
            client.goto(&many).await.expect("open");
            wait_for(&client, "h1#resultaten").await;
            let chips = client
                .find_all(Locator::Css(".filters a"))
                .await
                .expect("chips");
            chips[i].clone().click().await.expect("remove the chip");
            let heading = text_of(&client, "main h1").await;
            assert!(
                heading != "Controleer wat u invulde" && heading != "Ongeldige invoer",
                "removing {label:?} led to {heading:?}"
            );
            let left = texts(&client, ".filters a").await;
            assert!(!left.contains(label), "{label:?} is gone: {left:?}");
            if label.starts_with("Vanaf") {
                // The radius needs the postcode: it goes with it.
                assert_eq!(left.len(), labels.len() - 2, "removing {label:?}: {left:?}");
                assert!(!left.iter().any(|l| l.starts_with("Binnen")), "{left:?}");
            } else {
                assert_eq!(left.len(), labels.len() - 1, "removing {label:?}: {left:?}");
            }
        }
    })
    .await;
}

/// A mistyped postcode: the words stay, the message stands by the field.
#[tokio::test]
async fn a_mistyped_postcode_keeps_the_words() {
    with_browser(true, |client, base| async move {
        client.goto(&format!("{base}/")).await.expect("open home");
        wait_for(&client, "#q")
            .await
            .send_keys("hulp bij formulieren")
            .await
            .expect("type");
        wait_for(&client, "#postcode")
            .await
            .send_keys("35620")
            .await
            .expect("type");
        wait_for(&client, "form.search button[type=submit]")
            .await
            .click()
            .await
            .expect("submit");
        let message = text_of(&client, "#fout-postcode").await;
        screenshot(&client, "postcode-error-phone").await;
        assert!(message.to_lowercase().contains("postcode"), "{message:?}");
        let words = wait_for(&client, "#q")
            .await
            .prop("value")
            .await
            .expect("value");
        assert_eq!(words.as_deref(), Some("hulp bij formulieren"));
        let postcode = wait_for(&client, "#postcode")
            .await
            .prop("value")
            .await
            .expect("value");
        assert_eq!(postcode.as_deref(), Some("35620"), "as typed");
        let described = wait_for(&client, "#postcode")
            .await
            .attr("aria-describedby")
            .await
            .expect("attr");
        assert_eq!(described.as_deref(), Some("fout-postcode"));
        // The message is on screen next to the field: directly above it.
        let rects = client
            .execute(
                "const m = document.getElementById('fout-postcode').getBoundingClientRect();\
                 const f = document.getElementById('postcode').getBoundingClientRect();\
                 return [m.bottom, f.top, m.height];",
                vec![],
            )
            .await
            .expect("measure");
        let (bottom, top, height) = (
            rects[0].as_f64().unwrap(),
            rects[1].as_f64().unwrap(),
            rects[2].as_f64().unwrap(),
        );
        assert!(
            height > 0.0 && bottom <= top + 1.0 && top - bottom < 48.0,
            "{rects:?}"
        );
    })
    .await;
}

/// A printed result list is a compact handout: twenty results fit on a few A4 pages (several
/// per page), without the form and the facets.
#[tokio::test]
async fn a_printed_result_list_is_a_compact_handout() {
    with_browser(true, |client, base| async move {
        client
            .goto(&format!("{base}/zoeken?category=ontmoeting"))
            .await
            .expect("open results");
        let cards = client
            .find_all(Locator::Css("ol.results li.card"))
            .await
            .expect("cards");
        assert_eq!(cards.len(), 20, "a full page of results");
        let pdf = client
            .print(fantoccini::wd::PrintConfiguration::default())
            .await
            .expect("print to PDF");
        if let Some(dir) = std::env::var_os("WIJKWIJZER_SCREENSHOTS") {
            std::fs::write(Path::new(&dir).join("results-print.pdf"), &pdf).expect("save PDF");
        }
        let text = String::from_utf8_lossy(&pdf);
        let pages = text
            .match_indices("/Type /Page")
            .filter(|(i, _)| !text[i + 11..].starts_with('s'))
            .count();
        assert!(pages >= 1, "a PDF with pages");
        assert!(
            pages <= 3,
            "20 results on at most 3 A4 pages (at least 7 per page), got {pages}"
        );
        eprintln!("printed handout: 20 results on {pages} A4 page(s)");
    })
    .await;
}

/// A wijk's week agenda prints as one A4 for a community centre's notice board, also in a busy
/// wijk (Overvecht has some sixty sessions a week in the demo).
#[tokio::test]
async fn a_printed_week_agenda_is_one_a4_notice() {
    with_browser(true, |client, base| async move {
        client
            .goto(&format!("{base}/wijk/{OVERVECHT}/agenda"))
            .await
            .expect("open agenda");
        wait_for(&client, "main h1").await;
        let days = client
            .find_all(Locator::Css("section.agenda-day"))
            .await
            .expect("days");
        assert_eq!(days.len(), 7, "a whole week");
        let sessions = client
            .find_all(Locator::Css("li.agenda-item"))
            .await
            .expect("sessions")
            .len();
        assert!(sessions >= 40, "a busy week to print, got {sessions}");
        let pdf = client
            .print(fantoccini::wd::PrintConfiguration::default())
            .await
            .expect("print to PDF");
        if let Some(dir) = std::env::var_os("WIJKWIJZER_SCREENSHOTS") {
            std::fs::write(Path::new(&dir).join("agenda-print.pdf"), &pdf).expect("save PDF");
        }
        let text = String::from_utf8_lossy(&pdf);
        let pages = text
            .match_indices("/Type /Page")
            .filter(|(i, _)| !text[i + 11..].starts_with('s'))
            .count();
        assert_eq!(pages, 1, "{sessions} sessions on one A4 page, got {pages}");
        eprintln!("printed agenda: {sessions} sessions on {pages} A4 page");
    })
    .await;
}

/// "Klopt er iets niet?": a visitor sends the form empty (the errors show), then fills it in
/// and gets the thank-you page; the administrator signs in and finds the report in the queue;
/// axe-core checks every page on the way, the stale list too.
#[tokio::test]
async fn a_visitor_reports_a_mistake_and_the_moderator_sees_it() {
    let axe_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    with_browser_on(
        || accounts_server().base.clone(),
        // Scripts on for axe-core; the pages themselves use none.
        true,
        |client, base| async move {
            let axe = std::fs::read_to_string(&axe_path).expect("read axe.min.js");
            let found = common::get_json(&format!("{base}/api/v1/search?per_page=1")).await;
            let listing = format!("/aanbod/{}", found["results"][0]["id"].as_str().unwrap());
            let mut report = axe_report(&client, &base, &axe, &listing).await;
            click(&client, "form.report-form button[type=submit]").await;
            wait_for(&client, "#fout-soort").await;
            report.push_str(&run_axe(&client, &axe, "the report form with errors").await);
            click(&client, "#soort-tijden").await;
            type_into(&client, "#veld-toelichting", "De soos is nu op woensdag").await;
            click(&client, "form.report-form button[type=submit]").await;
            // Only the thank-you page has this notice (the form's own h1 may still be there).
            wait_for(&client, ".utrecht-alert--ok[role=status]").await;
            let thanks = text_of(&client, "main h1").await;
            assert!(thanks.contains("Dank u voor uw melding"), "{thanks}");
            report.push_str(&run_axe(&client, &axe, "the thank-you page").await);

            sign_in_as_admin(&client, &base).await;
            wait_for(&client, "a[href*='/sleutels']").await;
            report.push_str(&axe_report(&client, &base, &axe, "/beheer/meldingen").await);
            let queue = text_of(&client, "main").await;
            assert!(queue.contains("De soos is nu op woensdag"), "{queue}");
            let detail = wait_for(&client, ".report-list a")
                .await
                .attr("href")
                .await
                .unwrap()
                .expect("a link to the report");
            report.push_str(&axe_report(&client, &base, &axe, &detail).await);
            report.push_str(&axe_report(&client, &base, &axe, "/beheer/verouderd").await);
            report.push_str(&axe_report(&client, &base, &axe, "/beheer/wijkcijfers").await);
            assert!(
                report.is_empty(),
                "accessibility violations (WCAG 2.1 A/AA):{report}"
            );
        },
    )
    .await;
}

/// Clicks the element `css` names (waiting for it first).
async fn click(client: &Client, css: &str) {
    wait_for(client, css)
        .await
        .click()
        .await
        .unwrap_or_else(|err| panic!("click {css}: {err}"));
}

/// Types `text` into the field `css` names (waiting for it first).
async fn type_into(client: &Client, css: &str, text: &str) {
    wait_for(client, css)
        .await
        .send_keys(text)
        .await
        .unwrap_or_else(|err| panic!("type into {css}: {err}"));
}

const EDITOR_EMAIL: &str = "wandelgroep@example.org";
const MODERATOR_EMAIL: &str = "moderator@example.org";

/// The demo app with an editor of the organisation behind a walking group (not trusted, so a
/// change of times waits for a moderator) and a moderator of the whole instance. Returns the
/// server, the walking group's id and the code of its wijk.
fn journey_server() -> &'static (common::TestServer, uuid::Uuid, String) {
    static SERVER: std::sync::OnceLock<(common::TestServer, uuid::Uuid, String)> =
        std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        // The setup is a plain function: it leaves what it found here.
        static FOUND: std::sync::Mutex<Option<(uuid::Uuid, String)>> = std::sync::Mutex::new(None);
        let server = common::spawn_server(None, |catalog| {
            Box::pin(async move {
                use wijkwijzer::auth::secrets::{PasswordCost, hash_password};
                use wijkwijzer::auth::{ModerationScope, Role};
                let store = &catalog.store;
                let organizations = store.organization_ids().await.unwrap();
                let services = store
                    .service_ids_of_organizations(&organizations)
                    .await
                    .unwrap();
                let ids: Vec<uuid::Uuid> = services.values().flatten().copied().collect();
                let walking = store
                    .load_services(&ids)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|r| {
                        r.service.name.to_lowercase().contains("wandel")
                            && !r.service.schedules.is_empty()
                            && r.locations.iter().any(|l| l.placement.wijk.is_some())
                    })
                    .expect("a walking group with times and a place in the demo");
                let hash = hash_password(ADMIN_PASSWORD, PasswordCost::TestsOnly).unwrap();
                let editor = store
                    .create_user(EDITOR_EMAIL, "Redacteur wandelgroep", Some(&hash))
                    .await
                    .unwrap();
                store
                    .grant_role(
                        editor,
                        &Role::OrganisationEditor {
                            organization: walking.service.organization_id,
                        },
                        None,
                    )
                    .await
                    .unwrap();
                let moderator = store
                    .create_user(MODERATOR_EMAIL, "Moderator", Some(&hash))
                    .await
                    .unwrap();
                store
                    .grant_role(
                        moderator,
                        &Role::Moderator {
                            scope: ModerationScope::Instance,
                        },
                        None,
                    )
                    .await
                    .unwrap();
                let wijk = walking
                    .locations
                    .iter()
                    .find_map(|l| l.placement.wijk.clone())
                    .unwrap();
                *FOUND.lock().unwrap() = Some((walking.service.id, wijk));
            })
        });
        let (walking, wijk) = FOUND
            .lock()
            .unwrap()
            .take()
            .expect("the setup found the walking group");
        (server, walking, wijk)
    })
}

/// Signs in through the form as `email` (after signing out whoever was signed in).
async fn sign_in_as(client: &Client, base: &str, email: &str) {
    client
        .delete_all_cookies()
        .await
        .expect("forget the session");
    client
        .goto(&format!("{base}/inloggen"))
        .await
        .expect("open sign-in");
    type_into(client, "#veld-email", email).await;
    type_into(client, "#veld-password", ADMIN_PASSWORD).await;
    click(client, "form.account-form button[type=submit]").await;
    wait_for(client, "form[action='/uitloggen']").await;
}

/// Sets a form field's value as a date or time picker would (typing into those depends on the
/// browser's locale).
async fn set_value(client: &Client, css: &str, value: &str) {
    wait_for(client, css).await;
    client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap_or_else(|err| panic!("set {css}: {err}"));
}

/// The whole of issue 13 on a phone: an editor moves the walking group to Wednesday
/// afternoon, a moderator approves it, a visitor's search shows the new time; the editor adds a
/// one-off walk, which appears in the wijk's agenda and its iCalendar feed. ("Klopt nog" and
/// reporting a mistake have their own journeys above.)
#[tokio::test]
async fn an_editor_changes_a_walking_group_and_a_moderator_approves_it() {
    let axe_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    with_browser_on(
        || journey_server().0.base.clone(),
        true,
        |client, base| async move {
            let axe = std::fs::read_to_string(&axe_path).expect("read axe.min.js");
            let walking = journey_server().1;
            let mut report = String::new();

            // The editor changes the day and the time.
            sign_in_as(&client, &base, EDITOR_EMAIL).await;
            client
                .goto(&format!("{base}/beheer/aanbod/{walking}/bewerken"))
                .await
                .expect("open the edit form");
            let days = "input[name='schedules[0].days']";
            for checked in client
                .find_all(Locator::Css(&format!("{days}:checked")))
                .await
                .unwrap()
            {
                checked.click().await.expect("untick a day");
            }
            click(&client, &format!("{days}[value='WE']")).await;
            set_value(&client, "#veld-schedules-0-opens_at", "14:15").await;
            set_value(&client, "#veld-schedules-0-closes_at", "15:45").await;
            assert_no_horizontal_scroll(&client, "the service form").await;
            click(&client, "form.edit-form button[type=submit]").await;
            let notice = text_of(&client, "p.notice, .notice p").await;
            assert!(notice.contains("wacht op een moderator"), "{notice}");
            report.push_str(&run_axe(&client, &axe, "the form after saving").await);

            // Not public yet.
            let before = common::get_json(&format!("{base}/api/v1/search?q=wandelen&per_page=50"))
                .await
                .to_string();
            assert!(
                !before.contains("14:15"),
                "a pending change is not searchable"
            );

            // The moderator sees the change side by side and approves it.
            sign_in_as(&client, &base, MODERATOR_EMAIL).await;
            client
                .goto(&format!("{base}/beheer/moderatie"))
                .await
                .expect("open the queue");
            let queue = text_of(&client, "main").await;
            assert!(
                queue.contains("woensdag") && queue.contains("14:15"),
                "the diff shows the new time: {queue}"
            );
            report.push_str(&run_axe(&client, &axe, "the moderation queue").await);
            click(&client, "form[action$='/goedkeuren'] button").await;
            wait_for(&client, ".notice").await;

            // A visitor finds the walking group with its new time.
            client.delete_all_cookies().await.unwrap();
            let deadline = std::time::Instant::now() + Duration::from_secs(2);
            let card = loop {
                client
                    .goto(&format!("{base}/zoeken?q=wandelen"))
                    .await
                    .expect("search");
                let cards = texts(&client, "main li").await.join("\n");
                if cards.contains("14:15") || std::time::Instant::now() > deadline {
                    break cards;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            assert!(
                card.contains("woensdag") && card.contains("14:15"),
                "the visitor's search shows the new time within 2 s: {card}"
            );

            // The editor adds a one-off walk; it is in the wijk's agenda and feed.
            sign_in_as(&client, &base, EDITOR_EMAIL).await;
            client
                .goto(&format!("{base}/beheer/aanbod/{walking}/agenda"))
                .await
                .expect("open the calendar form");
            let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(2);
            set_value(&client, "#veld-datum", &day.to_string()).await;
            set_value(&client, "#veld-begin", "10:00").await;
            set_value(&client, "#veld-eind", "12:00").await;
            type_into(&client, "#veld-titel", "Extra winterwandeling").await;
            click(&client, "form[action$='/activiteit'] button").await;
            wait_for(&client, ".notice").await;
            report.push_str(&run_axe(&client, &axe, "the calendar form").await);

            let wijk = &journey_server().2;
            client.delete_all_cookies().await.unwrap();
            client
                .goto(&format!(
                    "{base}/wijk/{wijk}/agenda?week={}-W{:02}",
                    day.to_iso_week_date().0,
                    day.iso_week()
                ))
                .await
                .expect("open the wijk's agenda");
            let agenda = text_of(&client, "main").await;
            assert!(agenda.contains("Extra winterwandeling"), "{agenda}");
            report.push_str(&run_axe(&client, &axe, "the wijk's agenda").await);

            let feed = common::http()
                .get(format!("{base}/wijk/{wijk}/agenda.ics"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            use icalendar::Component;
            let calendar: icalendar::Calendar = feed.parse().expect("a valid iCalendar feed");
            let walk = calendar
                .components
                .iter()
                .filter_map(|c| c.as_event())
                .find(|e| e.get_summary() == Some("Extra winterwandeling"))
                .unwrap_or_else(|| panic!("the walk in the feed:\n{feed}"));
            let starts = match walk.get_start().expect("a start") {
                icalendar::DatePerhapsTime::DateTime(start) => start
                    .try_into_utc()
                    .expect("a time that can be placed")
                    .with_timezone(&chrono_tz::Europe::Amsterdam),
                other => panic!("a start with a time: {other:?}"),
            };
            assert_eq!(
                starts.format("%Y-%m-%d %H:%M").to_string(),
                format!("{day} 10:00"),
                "the walk starts on {day} at 10:00 Amsterdam time"
            );
            assert!(report.is_empty(), "accessibility violations:{report}");
        },
    )
    .await;
}

const GP_EMAIL: &str = "huisarts@example.org";
const WELFARE_EMAIL: &str = "welzijnscoach@example.org";
const INTAKE_MODERATOR_EMAIL: &str = "intake-moderator@example.org";

/// A demo app with a Welzijn op Recept service whose organisation has an editor (who works the
/// inbox), a GP and a moderator; hands back the server and the service's id.
fn referral_server() -> &'static (common::TestServer, uuid::Uuid) {
    static SERVER: std::sync::OnceLock<(common::TestServer, uuid::Uuid)> =
        std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        static FOUND: std::sync::Mutex<Option<uuid::Uuid>> = std::sync::Mutex::new(None);
        let server = common::spawn_server(None, |catalog| {
            Box::pin(async move {
                use wijkwijzer::auth::secrets::{PasswordCost, hash_password};
                use wijkwijzer::auth::{ModerationScope, Role};
                let store = &catalog.store;
                let organizations = store.organization_ids().await.unwrap();
                let services = store
                    .service_ids_of_organizations(&organizations)
                    .await
                    .unwrap();
                let ids: Vec<uuid::Uuid> = services.values().flatten().copied().collect();
                let coach = store
                    .load_services(&ids)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|r| {
                        r.service.accepts_referrals
                            && r.service.name.contains("Overvecht")
                            && r.service.welzijn_op_recept
                    })
                    .expect("a Welzijn op Recept service in Overvecht in the demo");
                let hash = hash_password(ADMIN_PASSWORD, PasswordCost::TestsOnly).unwrap();
                let people = [
                    (
                        WELFARE_EMAIL,
                        Role::OrganisationEditor {
                            organization: coach.service.organization_id,
                        },
                    ),
                    (GP_EMAIL, Role::Professional),
                    (
                        INTAKE_MODERATOR_EMAIL,
                        Role::Moderator {
                            scope: ModerationScope::Instance,
                        },
                    ),
                ];
                for (email, role) in people {
                    let user = store.create_user(email, email, Some(&hash)).await.unwrap();
                    store.grant_role(user, &role, None).await.unwrap();
                }
                *FOUND.lock().unwrap() = Some(coach.service.id);
            })
        });
        let coach = FOUND
            .lock()
            .unwrap()
            .take()
            .expect("the setup found a coach");
        (server, coach)
    })
}

/// Issue 14 on a phone: a GP refers from a service page, the welfare organisation accepts in
/// its inbox, the GP sees the new status; the printed recept is one A4 page; axe-core finds no
/// violation on any referral page.
#[tokio::test]
async fn a_gp_refers_the_welfare_organisation_accepts_and_the_gp_sees_it() {
    let axe_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    with_browser_on(
        || referral_server().0.base.clone(),
        true,
        |client, base| async move {
            let axe = std::fs::read_to_string(&axe_path).expect("read axe.min.js");
            let coach = referral_server().1;
            let mut report = String::new();

            // The GP, on a phone: service page → "Verwijzen" → the form.
            sign_in_as(&client, &base, GP_EMAIL).await;
            client
                .goto(&format!("{base}/aanbod/{coach}"))
                .await
                .expect("open the service");
            click(&client, &format!("a[href='/aanbod/{coach}/verwijzen']")).await;
            wait_for(&client, "#veld-naam").await;
            report.push_str(&run_axe(&client, &axe, "the referral form").await);
            assert_no_horizontal_scroll(&client, "the referral form").await;
            type_into(&client, "#veld-naam", "M. Jansen").await;
            click(&client, "#kanaal-telefoon").await;
            type_into(&client, "#veld-contact", "0612345678").await;
            click(&client, "label[for='reden-1']").await;
            click(&client, "#rol-huisarts").await;
            type_into(&client, "#veld-organisatie", "Huisartsen Overvecht").await;
            // Forgetting consent: told so, nothing stored.
            click(&client, "form.account-form button[type=submit]").await;
            wait_for(&client, "#fout-toestemming").await;
            report.push_str(&run_axe(&client, &axe, "the referral form with errors").await);
            click(&client, "#veld-toestemming").await;
            click(&client, "form.account-form button[type=submit]").await;
            // The form page has a notice too (its errors): wait for the sent referral's page.
            wait_for(&client, "a[href$='/recept']").await;
            let notice = text_of(&client, ".notice p").await;
            assert!(notice.contains("verstuurd"), "{notice}");
            report.push_str(&run_axe(&client, &axe, "the sent referral").await);
            let detail_url = client.current_url().await.unwrap();
            let id = detail_url
                .path()
                .trim_start_matches("/mijn-verwijzingen/")
                .to_string();

            // The recept: one A4.
            client
                .goto(&format!("{base}/verwijzingen/{id}/recept"))
                .await
                .expect("open the recept");
            report.push_str(&run_axe(&client, &axe, "the recept").await);
            let pdf = client
                .print(fantoccini::wd::PrintConfiguration::default())
                .await
                .expect("print the recept");
            let text = String::from_utf8_lossy(&pdf);
            let pages = text
                .match_indices("/Type /Page")
                .filter(|(i, _)| !text[i + 11..].starts_with('s'))
                .count();
            assert_eq!(pages, 1, "the recept prints on one A4 page, got {pages}");

            // The welfare organisation's inbox: accept.
            sign_in_as(&client, &base, WELFARE_EMAIL).await;
            click(&client, "a[href$='/verwijzingen']").await;
            wait_for(&client, "table.inbox-table").await;
            report.push_str(&run_axe(&client, &axe, "the inbox").await);
            click(&client, &format!("a[href='/beheer/verwijzingen/{id}']")).await;
            wait_for(&client, "#naar-accepted").await;
            let detail = text_of(&client, "main").await;
            assert!(detail.contains("M. Jansen"), "{detail}");
            report.push_str(&run_axe(&client, &axe, "the referral in the inbox").await);
            click(&client, "#naar-accepted").await;
            click(&client, "form[action$='/status'] button").await;
            wait_for(&client, ".notice").await;
            let status = text_of(&client, "main").await;
            assert!(status.contains("Aangenomen"), "{status}");
            click(&client, "main a[href$='/verwijzingen']").await;
            click(&client, "a[href$='/logboek']").await;
            wait_for(&client, "main table").await;
            report.push_str(&run_axe(&client, &axe, "the audit log").await);

            // The GP sees the new status.
            sign_in_as(&client, &base, GP_EMAIL).await;
            client
                .goto(&format!("{base}/mijn-verwijzingen"))
                .await
                .expect("open my referrals");
            let mine = text_of(&client, "main").await;
            assert!(mine.contains("Aangenomen"), "{mine}");
            report.push_str(&run_axe(&client, &axe, "Mijn verwijzingen").await);
            report.push_str(&axe_report(&client, &base, &axe, "/verwijzen").await);

            // The other new pages.
            client.delete_all_cookies().await.unwrap();
            for page in [
                format!("/aanbod/{coach}/aanmelden"),
                "/mijn-verwijzing".to_string(),
            ] {
                report.push_str(&axe_report(&client, &base, &axe, &page).await);
            }
            sign_in_as(&client, &base, INTAKE_MODERATOR_EMAIL).await;
            report.push_str(&axe_report(&client, &base, &axe, "/beheer/intake").await);
            assert!(
                report.is_empty(),
                "accessibility violations (WCAG 2.1 A/AA):{report}"
            );
        },
    )
    .await;
}
