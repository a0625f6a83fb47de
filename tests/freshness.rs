//! Freshness and status (issue 13, part 6), over real HTTP on SQLite and PostgreSQL: every
//! page and result card says when a listing was last checked; a listing not checked within
//! the stale period is marked "Mogelijk verouderd" and ranks below an otherwise equal fresh
//! one; "klopt nog" clears that and is searchable within two seconds; a temporarily closed
//! listing shows its banner and ranks after open ones; an inactive one leaves public search
//! and pages but stays in the HSDS API with its status; status, reason and `assured_date`
//! survive an HSDS export and import. The use cases and the moderators' stale list are
//! tested on both databases directly.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use time::macros::date;
use time::{Date, Month};
use uuid::Uuid;

use common::{TestServer, http, on_both_backends};
use wijkwijzer::auth::Actor;
use wijkwijzer::catalog::{Catalog, ListingChangeError};
use wijkwijzer::domain::freshness::today;
use wijkwijzer::domain::{Location, Organization, Service, ServiceStatus};
use wijkwijzer::hsds::export::{Format, export_path};
use wijkwijzer::hsds::import::{Options, import_path};

tokio::task_local! {
    static APP: String;
}

/// Checked long before any stale period ends: stale on every day these tests can run.
const LONG_AGO: Date = date!(2026 - 03 - 03);
const LONG_AGO_NL: &str = "3 maart 2026";
const CLOSED_REASON: &str = "Verbouwing tot 1 april";

/// The same offer four times (same words, same length of name, same everything) but for the
/// name's second word, freshness and status, so that only those can order them. By name
/// alone the stale one ("Oost") comes before the fresh one ("West").
const STALE: &str = "Kwispelkoor Oost";
const FRESH: &str = "Kwispelkoor West";
const CLOSED: &str = "Kwispelkoor Dicht";
const INACTIVE: &str = "Kwispelkoor Weg";
/// Stale, for "klopt nog" (its own word, so confirming it changes no other test's search).
const TO_CONFIRM: &str = "Snuffelclub Noord";

fn id(name: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("wijkwijzer-freshness-test:{name}").as_bytes(),
    )
}

fn fresh_date() -> Date {
    today() - time::Duration::days(10)
}

/// "3 maart 2026", written out here rather than taken from the app.
fn dutch(date: Date) -> String {
    let month = match date.month() {
        Month::January => "januari",
        Month::February => "februari",
        Month::March => "maart",
        Month::April => "april",
        Month::May => "mei",
        Month::June => "juni",
        Month::July => "juli",
        Month::August => "augustus",
        Month::September => "september",
        Month::October => "oktober",
        Month::November => "november",
        Month::December => "december",
    };
    format!("{} {month} {}", date.day(), date.year())
}

fn organization() -> Organization {
    serde_json::from_value(json!({
        "id": id("organisation"),
        "name": "Hondenvrienden Overvecht (test)",
        "description": "Een testorganisatie",
    }))
    .unwrap()
}

/// A location in Overvecht (gemeente Utrecht), or in Amersfoort.
fn location(name: &str, in_utrecht: bool) -> Location {
    let (latitude, longitude) = if in_utrecht {
        (52.1165, 5.1135)
    } else {
        (52.1561, 5.3878)
    };
    serde_json::from_value(json!({
        "id": id(name),
        "organization_id": id("organisation"),
        "name": name,
        "latitude": latitude,
        "longitude": longitude,
    }))
    .unwrap()
}

fn service(
    name: &str,
    location: &str,
    assured: Option<Date>,
    status: ServiceStatus,
    reason: Option<&str>,
) -> Service {
    let mut service: Service = serde_json::from_value(json!({
        "id": id(name),
        "organization_id": id("organisation"),
        "name": name,
        "description": "Wij zingen samen met onze honden. Iedereen is welkom, ook zonder hond.",
        "categories": ["ontmoeting"],
        "access_route": "open",
        "formality": "informal",
        "setting": "in_person",
        "group_format": "group",
        "location_ids": [id(location)],
    }))
    .unwrap();
    service.assured_date = assured;
    service.status = status;
    service.status_reason = reason.map(str::to_string);
    service
}

async fn add_listings(catalog: &Catalog) {
    catalog.save_organization(&organization()).await.unwrap();
    catalog
        .save_location(&location("Buurthuis (test)", true))
        .await
        .unwrap();
    let active = ServiceStatus::Active;
    for s in [
        service(STALE, "Buurthuis (test)", Some(LONG_AGO), active, None),
        service(FRESH, "Buurthuis (test)", Some(fresh_date()), active, None),
        service(
            CLOSED,
            "Buurthuis (test)",
            Some(fresh_date()),
            ServiceStatus::TemporarilyClosed,
            Some(CLOSED_REASON),
        ),
        service(
            INACTIVE,
            "Buurthuis (test)",
            Some(fresh_date()),
            ServiceStatus::Inactive,
            Some("Gestopt: te weinig zangers"),
        ),
        service(TO_CONFIRM, "Buurthuis (test)", Some(LONG_AGO), active, None),
    ] {
        catalog.save_service(&s).await.unwrap();
    }
}

/// The app's catalog and the runtime it runs on, to call use cases the way a handler would.
type Control = (Catalog, tokio::runtime::Handle);
static SQLITE_CONTROL: OnceLock<Control> = OnceLock::new();
static POSTGRES_CONTROL: OnceLock<Control> = OnceLock::new();
static SQLITE_SERVER: OnceLock<TestServer> = OnceLock::new();
static POSTGRES_SERVER: OnceLock<Option<TestServer>> = OnceLock::new();

fn setup_sqlite(catalog: Catalog) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        add_listings(&catalog).await;
        let _ = SQLITE_CONTROL.set((catalog, tokio::runtime::Handle::current()));
    })
}

fn setup_postgres(catalog: Catalog) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        add_listings(&catalog).await;
        let _ = POSTGRES_CONTROL.set((catalog, tokio::runtime::Handle::current()));
    })
}

fn sqlite_server() -> &'static TestServer {
    SQLITE_SERVER.get_or_init(|| common::spawn_server(None, setup_sqlite))
}

fn postgres_server() -> Option<&'static TestServer> {
    POSTGRES_SERVER
        .get_or_init(|| {
            let url = common::pg_database("wijkwijzer_freshness_suite")?;
            Some(common::spawn_server(Some(url), setup_postgres))
        })
        .as_ref()
}

/// The control of the server this test runs against.
fn control() -> Control {
    let base = APP.with(|b| b.clone());
    let on_sqlite = SQLITE_SERVER.get().is_some_and(|s| s.base == base);
    let control = if on_sqlite {
        &SQLITE_CONTROL
    } else {
        &POSTGRES_CONTROL
    };
    control.get().expect("the server was set up").clone()
}

async fn get(path: &str) -> reqwest::Response {
    let base = APP.with(|b| b.clone());
    http()
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("request")
}

async fn page(path: &str) -> String {
    let response = get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn api(query: &str) -> Value {
    let response = get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn names(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

fn result<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} not found in {body}"))
}

/// The HTML of the result card whose link names `name`.
fn card<'a>(html: &'a str, name: &str) -> &'a str {
    html.split("<li class=\"card\">")
        .skip(1)
        .find(|c| c.contains(&format!(">{name}</a>")))
        .unwrap_or_else(|| panic!("no card for {name}"))
}

fn service_path(name: &str) -> String {
    format!("/aanbod/{}", id(name))
}

async fn the_date_shows_on_the_page_and_on_every_card() {
    let stale = page(&service_path(STALE)).await;
    assert!(
        stale.contains(&format!("Laatst gecontroleerd: {LONG_AGO_NL}")),
        "{stale}"
    );
    let fresh = page(&service_path(FRESH)).await;
    assert!(fresh.contains(&format!("Laatst gecontroleerd: {}", dutch(fresh_date()))));

    let results = page("/zoeken?q=kwispelkoor").await;
    assert!(card(&results, STALE).contains(&format!("Laatst gecontroleerd: {LONG_AGO_NL}")));
    assert!(
        card(&results, FRESH).contains(&format!("Laatst gecontroleerd: {}", dutch(fresh_date())))
    );
    // Every card of a results page and of a wijk page (the demo listings all have a date).
    for path in ["/zoeken?q=eenzaam", "/wijk/WK034403"] {
        let html = page(path).await;
        let cards = html.matches("<li class=\"card\">").count();
        assert!(cards > 0, "{path}");
        assert_eq!(
            html.matches("Laatst gecontroleerd: ").count(),
            cards,
            "{path}"
        );
    }
    let body = api("q=kwispelkoor").await;
    assert_eq!(result(&body, STALE)["assured_date"], "2026-03-03");
}

async fn a_stale_listing_shows_the_badge_and_ranks_below_an_equal_fresh_one() {
    let stale = page(&service_path(STALE)).await;
    assert!(stale.contains("Mogelijk verouderd"));
    assert!(stale.contains("Deze gegevens zijn al lang niet nagekeken"));
    assert!(
        !page(&service_path(FRESH))
            .await
            .contains("Mogelijk verouderd")
    );

    let results = page("/zoeken?q=kwispelkoor").await;
    assert!(card(&results, STALE).contains("Mogelijk verouderd"));
    assert!(!card(&results, FRESH).contains("Mogelijk verouderd"));

    // By name the stale one comes first, so only the penalty can put it second.
    let by_name = names(&api("q=kwispelkoor&sort=name").await);
    assert_eq!(
        by_name,
        [CLOSED, STALE, FRESH],
        "alphabetical, whatever the status"
    );
    let body = api("q=kwispelkoor").await;
    assert_eq!(
        names(&body),
        [FRESH, STALE, CLOSED],
        "fresh, then stale, then temporarily closed"
    );
    assert_eq!(result(&body, STALE)["possibly_outdated"], true);
    assert_eq!(result(&body, FRESH)["possibly_outdated"], false);
}

async fn confirming_removes_the_badge_and_is_searchable_within_two_seconds() {
    let path = service_path(TO_CONFIRM);
    assert!(page(&path).await.contains("Mogelijk verouderd"));
    let before = api("q=snuffelclub").await;
    assert_eq!(result(&before, TO_CONFIRM)["possibly_outdated"], true);

    let (catalog, runtime) = control();
    let today = today();
    let started = Instant::now();
    runtime
        .spawn(async move {
            catalog
                .confirm_still_correct(&Actor::System, id(TO_CONFIRM), today)
                .await
        })
        .await
        .expect("the task ran")
        .expect("confirmed");
    loop {
        let body = api("q=snuffelclub").await;
        let hit = result(&body, TO_CONFIRM);
        if hit["possibly_outdated"] == false {
            assert_eq!(hit["assured_date"], wijkwijzer::hsds::iso_date(today));
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "not searchable within 2 s: {hit}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let html = page(&path).await;
    assert!(!html.contains("Mogelijk verouderd"));
    assert!(html.contains(&format!("Laatst gecontroleerd: {}", dutch(today))));
    let results = page("/zoeken?q=snuffelclub").await;
    assert!(!card(&results, TO_CONFIRM).contains("Mogelijk verouderd"));
}

async fn a_temporarily_closed_listing_shows_its_banner_and_can_be_hidden() {
    let banner = format!("Tijdelijk gesloten:</strong> {CLOSED_REASON}");
    assert!(page(&service_path(CLOSED)).await.contains(&banner));
    let results = page("/zoeken?q=kwispelkoor").await;
    assert!(card(&results, CLOSED).contains(&banner));
    assert!(!card(&results, FRESH).contains("Tijdelijk gesloten"));
    assert!(results.contains("Verberg tijdelijk gesloten aanbod"));

    let hidden = page("/zoeken?q=kwispelkoor&hide_closed=ja").await;
    assert!(!hidden.contains(CLOSED));
    assert!(hidden.contains("Zonder tijdelijk gesloten"), "its chip");
    assert_eq!(
        names(&api("q=kwispelkoor&hide_closed=ja").await),
        [FRESH, STALE]
    );
    let body = api("q=kwispelkoor").await;
    assert_eq!(result(&body, CLOSED)["status"], "temporarily closed");
    assert_eq!(result(&body, CLOSED)["status_reason"], CLOSED_REASON);
    assert_eq!(result(&body, FRESH)["status"], "active");
}

async fn an_inactive_listing_leaves_public_search_but_stays_in_hsds() {
    let response = get(&service_path(INACTIVE)).await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("wordt niet meer aangeboden"), "{html}");
    assert!(!page("/zoeken?q=kwispelkoor").await.contains(INACTIVE));
    assert!(!names(&api("q=kwispelkoor").await).contains(&INACTIVE.to_string()));
    assert!(!names(&api("q=kwispelkoor+weg").await).contains(&INACTIVE.to_string()));

    let response = get(&format!("/hsds/services/{}", id(INACTIVE))).await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["status"], "inactive");
    let listed: Value = get("/hsds/services?search=kwispelkoor&per_page=50")
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<(String, String)> = listed["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&(INACTIVE.to_string(), "inactive".to_string())),
        "{statuses:?}"
    );
    assert!(statuses.contains(&(CLOSED.to_string(), "temporarily closed".to_string())));
}

async fn the_hsds_document_carries_status_reason_and_assured_date() {
    let doc: Value = get(&format!("/hsds/services/{}", id(CLOSED)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["status"], "temporarily closed");
    assert_eq!(
        doc["assured_date"],
        wijkwijzer::hsds::iso_date(fresh_date())
    );
    let reason = doc["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["link_type"] == "status_reason")
        .expect("the reason attribute");
    assert_eq!(reason["value"], CLOSED_REASON);
    assert_eq!(reason["taxonomy_term"]["code"], "reden");
}

common::tests_on_both_servers!(
    the_date_shows_on_the_page_and_on_every_card,
    a_stale_listing_shows_the_badge_and_ranks_below_an_equal_fresh_one,
    confirming_removes_the_badge_and_is_searchable_within_two_seconds,
    a_temporarily_closed_listing_shows_its_banner_and_can_be_hidden,
    an_inactive_listing_leaves_public_search_but_stays_in_hsds,
    the_hsds_document_carries_status_reason_and_assured_date,
);

/// The use cases and the moderators' list, on a fresh database of each kind.
#[tokio::test]
async fn use_cases_and_the_moderators_stale_list() {
    on_both_backends(false, |catalog, _config| async move {
        let backend = catalog.store.backend();
        catalog.save_organization(&organization()).await.unwrap();
        catalog
            .save_location(&location("Utrecht (test)", true))
            .await
            .unwrap();
        catalog
            .save_location(&location("Amersfoort (test)", false))
            .await
            .unwrap();
        let today = date!(2026 - 12 - 02);
        let days_ago = |n: i64| today - time::Duration::days(n);
        let active = ServiceStatus::Active;
        for s in [
            service("Nooit", "Utrecht (test)", None, active, None),
            service("Oud", "Utrecht (test)", Some(days_ago(400)), active, None),
            service(
                "Net te oud",
                "Utrecht (test)",
                Some(days_ago(181)),
                active,
                None,
            ),
            service(
                "Precies",
                "Utrecht (test)",
                Some(days_ago(180)),
                active,
                None,
            ),
            service("Vers", "Utrecht (test)", Some(days_ago(3)), active, None),
            service(
                "Dicht",
                "Utrecht (test)",
                Some(days_ago(300)),
                ServiceStatus::TemporarilyClosed,
                Some("Verbouwing"),
            ),
            service(
                "Gestopt",
                "Utrecht (test)",
                Some(days_ago(300)),
                ServiceStatus::Defunct,
                None,
            ),
            service(
                "Amersfoort oud",
                "Amersfoort (test)",
                Some(days_ago(500)),
                active,
                None,
            ),
        ] {
            catalog.save_service(&s).await.unwrap();
        }
        let listed = |list: Vec<wijkwijzer::store::StaleService>| -> Vec<String> {
            list.into_iter().map(|s| s.name).collect()
        };
        assert_eq!(
            listed(catalog.stale_services(None, today, 100).await.unwrap()),
            ["Nooit", "Amersfoort oud", "Oud", "Dicht", "Net te oud"],
            "{backend}: never checked first, then oldest; not the defunct one, not 180 days"
        );
        assert_eq!(
            listed(
                catalog
                    .stale_services(Some("GM0344"), today, 100)
                    .await
                    .unwrap()
            ),
            ["Nooit", "Oud", "Dicht", "Net te oud"],
            "{backend}: gemeente Utrecht"
        );
        assert_eq!(
            listed(
                catalog
                    .stale_services(Some("GM0307"), today, 100)
                    .await
                    .unwrap()
            ),
            ["Amersfoort oud"],
            "{backend}: Amersfoort"
        );
        assert_eq!(
            listed(
                catalog
                    .stale_services_before(Some("GM0344"), days_ago(350), 2)
                    .await
                    .unwrap()
            ),
            ["Nooit", "Oud"],
            "{backend}: an explicit cut-off and a limit"
        );

        catalog
            .confirm_still_correct(&Actor::System, id("Oud"), today)
            .await
            .unwrap();
        let oud = catalog.service(id("Oud")).await.unwrap().unwrap();
        assert_eq!(oud.service.assured_date, Some(today));
        assert!(
            !listed(catalog.stale_services(None, today, 100).await.unwrap())
                .contains(&"Oud".to_string())
        );

        catalog
            .set_status(
                &Actor::System,
                id("Vers"),
                ServiceStatus::TemporarilyClosed,
                Some("  Zomerstop tot 1 september  "),
            )
            .await
            .unwrap();
        let vers = catalog.service(id("Vers")).await.unwrap().unwrap().service;
        assert_eq!(vers.status, ServiceStatus::TemporarilyClosed);
        assert_eq!(
            vers.status_reason.as_deref(),
            Some("Zomerstop tot 1 september")
        );
        catalog
            .set_status(
                &Actor::System,
                id("Vers"),
                ServiceStatus::Active,
                Some("   "),
            )
            .await
            .unwrap();
        let vers = catalog.service(id("Vers")).await.unwrap().unwrap().service;
        assert_eq!(
            (vers.status, vers.status_reason),
            (ServiceStatus::Active, None)
        );

        assert!(matches!(
            catalog
                .confirm_still_correct(&Actor::System, id("Niemand"), today)
                .await,
            Err(ListingChangeError::NoSuchService)
        ));
        assert!(matches!(
            catalog
                .set_status(&Actor::System, id("Niemand"), ServiceStatus::Inactive, None)
                .await,
            Err(ListingChangeError::NoSuchService)
        ));
        let long = "x".repeat(301);
        assert!(matches!(
            catalog
                .set_status(
                    &Actor::System,
                    id("Vers"),
                    ServiceStatus::Inactive,
                    Some(&long)
                )
                .await,
            Err(ListingChangeError::Invalid(_))
        ));
        assert_eq!(
            catalog
                .service(id("Vers"))
                .await
                .unwrap()
                .unwrap()
                .service
                .status,
            ServiceStatus::Active,
            "{backend}: a refused change changes nothing"
        );
        catalog.store.close().await;
    })
    .await;
}

/// Our export writes status, reason and `assured_date`, and our import reads them back
/// (JSON and CSV; the demo round trip in `round_trip.rs` covers the temporarily closed ones).
#[tokio::test]
async fn status_reason_and_assured_date_survive_export_and_import() {
    on_both_backends(false, |catalog, config| async move {
        let backend = catalog.store.backend();
        catalog.save_organization(&organization()).await.unwrap();
        catalog
            .save_location(&location("Utrecht (test)", true))
            .await
            .unwrap();
        let gone = service(
            "Gestopt koor",
            "Utrecht (test)",
            Some(date!(2026 - 03 - 03)),
            ServiceStatus::Inactive,
            Some("Gestopt: te weinig zangers"),
        );
        let closed = service(
            "Dicht koor",
            "Utrecht (test)",
            None,
            ServiceStatus::TemporarilyClosed,
            Some(CLOSED_REASON),
        );
        for s in [&gone, &closed] {
            catalog.save_service(s).await.unwrap();
        }
        for format in [Format::Json, Format::Csv] {
            let path = config.data_dir.join(format!("export-{format:?}"));
            export_path(&catalog, format, &path).await.unwrap();
            // Change everything the export holds, then import it: the file must set it back.
            for s in [&gone, &closed] {
                catalog
                    .set_status(&Actor::System, s.id, ServiceStatus::Active, None)
                    .await
                    .unwrap();
            }
            catalog
                .confirm_still_correct(&Actor::System, gone.id, date!(2026 - 11 - 30))
                .await
                .unwrap();
            let report = import_path(
                &catalog,
                &path,
                &Options {
                    strict: true,
                    progress: None,
                },
            )
            .await
            .unwrap();
            assert!(report.problems.is_empty(), "{backend} {format:?}: {report}");
            for original in [&gone, &closed] {
                let read = catalog.service(original.id).await.unwrap().unwrap().service;
                assert_eq!(read.status, original.status, "{backend} {format:?}");
                assert_eq!(
                    read.status_reason, original.status_reason,
                    "{backend} {format:?}"
                );
                assert_eq!(
                    read.assured_date, original.assured_date,
                    "{backend} {format:?}"
                );
            }
        }

        // A status HSDS does not know is named as a problem, not stored.
        let exported = config.data_dir.join("export-Json");
        let mut text = std::fs::read_to_string(&exported).unwrap();
        assert!(text.contains("\"temporarily closed\""));
        text = text.replace("\"temporarily closed\"", "\"gesloten\"");
        let wrong = config.data_dir.join("wrong-status.json");
        std::fs::write(&wrong, text).unwrap();
        let report = import_path(
            &catalog,
            &wrong,
            &Options {
                strict: false,
                progress: None,
            },
        )
        .await
        .unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.field.ends_with("/status") && p.message.contains("temporarily closed")),
            "{backend}: {report}"
        );
        let read = catalog.service(closed.id).await.unwrap().unwrap().service;
        assert_eq!(
            read.status,
            ServiceStatus::TemporarilyClosed,
            "{backend}: unchanged"
        );
        catalog.store.close().await;
    })
    .await;
}

/// Who may confirm or close a listing is decided by the one policy: its organisation's
/// editors, a moderator of a gemeente where it has a place, administrators; not a visitor,
/// not another organisation's editor or token, not a moderator of another gemeente.
#[tokio::test]
async fn only_the_organisations_editors_and_its_moderators_change_a_listing() {
    use wijkwijzer::auth::{ModerationScope, Role, TokenActor, UserActor};
    use wijkwijzer::catalog::ListingChangeError;
    on_both_backends(false, |catalog, _config| async move {
        catalog.save_organization(&organization()).await.unwrap();
        catalog
            .save_location(&location("Utrecht (test)", true))
            .await
            .unwrap();
        catalog
            .save_service(&service(
                "Eigen",
                "Utrecht (test)",
                Some(fresh_date()),
                ServiceStatus::Active,
                None,
            ))
            .await
            .unwrap();
        let person = |role: Role| {
            Actor::User(UserActor {
                id: Uuid::from_u128(7),
                email: "iemand@example.org".into(),
                name: "Iemand".into(),
                roles: vec![role],
            })
        };
        let own = id("organisation");
        let other = Uuid::from_u128(42);
        let today = date!(2026 - 12 - 02);
        let cases = [
            ("visitor", Actor::Visitor, false),
            (
                "editor of another organisation",
                person(Role::OrganisationEditor {
                    organization: other,
                }),
                false,
            ),
            (
                "token of another organisation",
                Actor::ApiToken(TokenActor {
                    token_id: Uuid::from_u128(1),
                    organization: other,
                }),
                false,
            ),
            (
                "moderator of Amersfoort",
                person(Role::Moderator {
                    scope: ModerationScope::Gemeente("GM0307".into()),
                }),
                false,
            ),
            ("professional", person(Role::Professional), false),
            (
                "editor of the organisation",
                person(Role::OrganisationEditor { organization: own }),
                true,
            ),
            (
                "its token",
                Actor::ApiToken(TokenActor {
                    token_id: Uuid::from_u128(2),
                    organization: own,
                }),
                true,
            ),
            (
                "moderator of Utrecht",
                person(Role::Moderator {
                    scope: ModerationScope::Gemeente("GM0344".into()),
                }),
                true,
            ),
            ("administrator", person(Role::Administrator), true),
        ];
        for (who, actor, allowed) in cases {
            let confirmed = catalog
                .confirm_still_correct(&actor, id("Eigen"), today)
                .await;
            let closed = catalog
                .set_status(&actor, id("Eigen"), ServiceStatus::Active, None)
                .await;
            for outcome in [confirmed, closed] {
                match (allowed, outcome) {
                    (true, Ok(())) | (false, Err(ListingChangeError::Denied(_))) => {}
                    (_, other) => panic!("{who}: allowed {allowed}, got {other:?}"),
                }
            }
        }
    })
    .await;
}
