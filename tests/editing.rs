//! Editing listings in the browser (issue 13, part 3), over real HTTP with real CSRF tokens,
//! on SQLite and PostgreSQL: an editor makes and changes a service and a location through the
//! forms, and the result shows on the public page, in search and in HSDS; a form with errors
//! comes back with everything typed; saving without a change says so; schedules on the n-th
//! weekday and closed on public holidays survive the round trip; a location is placed by its
//! postcode, or by a point given by hand when the postcode cannot be placed; another
//! organisation's editor gets 403 (by URL and by a forged form), a visitor the sign-in page, a
//! post without a token 403; and what people type is escaped on the form and the public page.

mod common;

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::TestServer;
use reqwest::StatusCode;
use uuid::Uuid;
use wijkwijzer::auth::Role;
use wijkwijzer::auth::secrets::{PasswordCost, hash_password};
use wijkwijzer::catalog::Catalog;
use wijkwijzer::domain::Organization;

tokio::task_local! {
    static APP: String;
}

const PASSWORD: &str = "een lange zin als wachtwoord";
const EDITOR_A: &str = "redacteur-a@example.org";
const EDITOR_B: &str = "redacteur-b@example.org";
/// Moderates the whole instance: the test organisations have no place yet, so no gemeente's
/// moderator covers them.
const MODERATOR: &str = "moderator@example.org";
const XSS: &str = "<script>alert(1)</script>";

fn org_a() -> Uuid {
    Uuid::from_u128(0xa11ce)
}

fn org_b() -> Uuid {
    Uuid::from_u128(0xb0b)
}

/// Two organisations without listings, and an editor for each, made before the app serves.
fn setup(catalog: Catalog) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move {
        for (id, name, editor) in [
            (org_a(), "Buurtvereniging Alfa (test)", EDITOR_A),
            (org_b(), "Stichting Beta (test)", EDITOR_B),
        ] {
            catalog
                .save_organization(&Organization {
                    id,
                    name: name.into(),
                    alternate_name: None,
                    description: "Een testorganisatie".into(),
                    email: None,
                    website: None,
                    provider_type: None,
                    phone: None,
                })
                .await
                .unwrap();
            let hash = hash_password(PASSWORD, PasswordCost::TestsOnly).unwrap();
            let user = catalog
                .store
                .create_user(editor, "Redacteur", Some(&hash))
                .await
                .unwrap();
            catalog
                .store
                .grant_role(user, &Role::OrganisationEditor { organization: id }, None)
                .await
                .unwrap();
        }
        let hash = hash_password(PASSWORD, PasswordCost::TestsOnly).unwrap();
        let moderator = catalog
            .store
            .create_user(MODERATOR, "Moderator", Some(&hash))
            .await
            .unwrap();
        catalog
            .store
            .grant_role(
                moderator,
                &Role::Moderator {
                    scope: wijkwijzer::auth::ModerationScope::Instance,
                },
                None,
            )
            .await
            .unwrap();
    })
}

fn sqlite_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| common::spawn_server(None, setup))
}

fn postgres_server() -> Option<&'static TestServer> {
    static SERVER: OnceLock<Option<TestServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = common::pg_database("wijkwijzer_editing_suite")?;
            Some(common::spawn_server(Some(url), setup))
        })
        .as_ref()
}

fn base() -> String {
    APP.get()
}

/// A browser without JavaScript: keeps cookies, reads CSRF tokens from forms.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

impl Page {
    fn csrf(&self) -> String {
        field_value(&self.body, "csrf").unwrap_or_else(|| panic!("no csrf field in {}", self.body))
    }
}

/// The value of the input named `name` (the first one), as the page gives it.
fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag = &html[at..at + html[at..].find('>')?];
    let value = &tag[tag.find("value=\"")? + 7..];
    Some(value[..value.find('"')?].to_string())
}

impl Browser {
    fn new() -> Self {
        Browser {
            http: common::http(),
            cookies: HashMap::new(),
        }
    }

    async fn signed_in(email: &str) -> Self {
        let mut browser = Browser::new();
        let page = browser
            .submit(
                "/inloggen",
                "/inloggen",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{email}: {}", page.body);
        browser
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookies = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        // Its own address per browser: sign-in throttles count per address.
        let response = request
            .header("cookie", cookies)
            .send()
            .await
            .expect("request");
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_string(), value.to_string());
        }
        Page {
            status: response.status(),
            location: response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
            body: response.text().await.unwrap_or_default(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let request = self.http.get(format!("{}{path}", base()));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let request = self.http.post(format!("{}{path}", base())).form(form);
        self.send(request).await
    }

    /// Gets `form_page`, then posts `form` with its CSRF token to `action`.
    async fn submit(&mut self, form_page: &str, action: &str, form: &[(&str, &str)]) -> Page {
        let page = self.get(form_page).await;
        assert_eq!(page.status, StatusCode::OK, "{form_page}: {}", page.body);
        let csrf = page.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(form);
        self.post(action, &all).await
    }
}

/// As askama writes text into a page.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// An editor's new listing (or a change of its name or address) waits for a moderator: the
/// redirect says so, and the instance's moderator approves the request of the listing named
/// `name` in the queue (moderation itself is tested in tests/moderation.rs).
async fn approved_by_moderator(saved: &Page, name: &str) {
    assert!(
        saved.location.ends_with("uitkomst=wacht"),
        "waits for a moderator: {}",
        saved.location
    );
    let mut moderator = Browser::signed_in(MODERATOR).await;
    let queue = moderator.get("/beheer/moderatie").await;
    let at = queue
        .body
        .find(&escaped(name))
        .unwrap_or_else(|| panic!("{name} in the queue: {}", queue.body));
    let action_at = at
        + queue.body[at..]
            .find("/goedkeuren\"")
            .expect("an approve form");
    let start = queue.body[..action_at].rfind("/beheer/moderatie/").unwrap();
    let action = format!("{}/goedkeuren", &queue.body[start..action_at]);
    let csrf = queue.csrf();
    let done = moderator.post(&action, &[("csrf", csrf.as_str())]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

/// The id of the listing named `name` on organisation A's page (`kind`: aanbod or locatie).
async fn listed_id(browser: &mut Browser, kind: &str, name: &str) -> String {
    let page = browser
        .get(&format!("/beheer/organisatie/{}", org_a()))
        .await;
    let at = page
        .body
        .find(&format!(">{} <span class=\"hint\">", escaped(name)))
        .unwrap_or_else(|| panic!("{name} on the organisation's page: {}", page.body));
    let prefix = format!("href=\"/beheer/{kind}/");
    let start = page.body[..at].rfind(&prefix).unwrap() + prefix.len();
    page.body[start..start + page.body[start..].find('/').unwrap()].to_string()
}

/// The wijk of postcode 3562 (Overvecht, gemeente Utrecht): code and name.
fn overvecht() -> (String, String) {
    let geo = wijkwijzer::geo::Geography::load_embedded().unwrap();
    let placed = geo.postcode("3562").unwrap().placement;
    let wijk = placed.wijk.expect("3562 lies in a wijk");
    let name = geo.get(&wijk).unwrap().name.clone();
    (wijk, name)
}

/// Makes a location of organisation A by the form (placed by its postcode); its id.
async fn new_location(browser: &mut Browser, name: &str) -> String {
    let new = format!("/beheer/locatie/nieuw?organisatie={}", org_a());
    let org = org_a().to_string();
    let saved = browser
        .submit(
            &new,
            "/beheer/locatie/nieuw",
            &[
                ("organisatie", &org),
                ("name", name),
                ("address_1", "Zamenhofdreef 1"),
                ("postal_code", "3562 AB"),
                ("city", "Utrecht"),
                ("wheelchair", "ja"),
                ("transportation", "Bus 8"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    approved_by_moderator(&saved, name).await;
    listed_id(browser, "locatie", name).await
}

/// The fields of a complete service form, as an editor fills it in.
fn service_form<'a>(name: &'a str, location: &'a str, wijk: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        (
            "description",
            "Samen koffie drinken en praten over de buurt.",
        ),
        ("categories", "ontmoeting"),
        ("languages", "nl"),
        ("languages", "ar"),
        ("cost.kind", "contribution"),
        ("cost.amount", "1,50"),
        ("cost.description", "per keer"),
        ("access_route", "open"),
        ("formality", "informal"),
        ("setting", "in_person"),
        ("group_format", "group"),
        ("waiting", "wachtlijst"),
        ("waiting_weeks", "6"),
        ("phone", "030 123 45 67"),
        ("email", "koffie@example.org"),
        ("url", "https://example.org/koffie"),
        ("accepts_referrals", "ja"),
        ("minimum_age", "18"),
        ("schedules[0].days", "TU"),
        ("schedules[0].week", "1"),
        ("schedules[0].opens_at", "10:00"),
        ("schedules[0].closes_at", "12:00"),
        ("schedules[0].holidays", "ja"),
        ("schedules[1].days", "TH"),
        ("schedules[1].week", ""),
        ("schedules[1].opens_at", "14:00"),
        ("schedules[1].closes_at", "16:00"),
        ("contacts[0].name", "Fatima"),
        ("contacts[0].phone", "06 12345678"),
        ("areas", wijk),
        ("locations", location),
    ]
}

async fn hsds_service(id: &str) -> serde_json::Value {
    common::http()
        .get(format!("{}/hsds/services/{id}", base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Whether searching `word` finds the service `id` within a few seconds (the index follows
/// the change log).
async fn found_in_search(word: &str, id: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let body = common::http()
            .get(format!("{}/zoeken?q={word}", base()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if body.contains(&format!("/aanbod/{id}")) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ------------------------------------------------------------------------------------ tests

/// The whole way: the account page links to the organisation's page, a location is added
/// and placed by its postcode, a service is made with everything the form has, shows on the
/// public page, in search and in HSDS (first Tuesday, closed on holidays), saving it again
/// unchanged says so, and a change is published.
async fn an_editor_makes_and_changes_a_service_through_the_forms() {
    let mut browser = Browser::signed_in(EDITOR_A).await;
    let account = browser.get("/account").await;
    assert!(
        account
            .body
            .contains(&format!("href=\"/beheer/organisatie/{}\"", org_a())),
        "{}",
        account.body
    );
    let organisation = browser
        .get(&format!("/beheer/organisatie/{}", org_a()))
        .await;
    assert_eq!(organisation.status, StatusCode::OK);
    assert!(
        organisation.body.contains("Nieuw aanbod") && organisation.body.contains("Nieuwe locatie")
    );

    let (wijk, wijk_name) = overvecht();
    let location = new_location(&mut browser, "Buurthuis Koffiepot").await;
    let placed = browser
        .get(&format!(
            "/beheer/locatie/{location}/bewerken?uitkomst=opgeslagen"
        ))
        .await;
    assert!(
        placed.body.contains(&format!("wijk {wijk_name}")),
        "placed in {wijk_name}: {}",
        placed.body
    );

    let name = "Koffieochtend Zwaluwstaart";
    let new = format!("/beheer/aanbod/nieuw?organisatie={}", org_a());
    let org = org_a().to_string();
    let mut form = service_form(name, &location, &wijk);
    form.push(("organisatie", &org));
    let saved = browser.submit(&new, "/beheer/aanbod/nieuw", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    approved_by_moderator(&saved, name).await;
    let id = listed_id(&mut browser, "aanbod", name).await;
    let edit = format!("/beheer/aanbod/{id}/bewerken");

    let public = browser.get(&format!("/aanbod/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    for expected in [
        name,
        "elke eerste dinsdag van de maand, 10:00–12:00 uur, niet op feestdagen",
        "Buurthuis Koffiepot",
        "Wachtlijst: ongeveer 6 weken",
        "030 123 45 67",
        "Fatima",
        wijk_name.as_str(),
    ] {
        assert!(
            public.body.contains(expected),
            "{expected}: {}",
            public.body
        );
    }
    assert!(found_in_search("zwaluwstaart", &id).await, "in search");
    let hsds = hsds_service(&id).await;
    let schedules = hsds["schedules"].as_array().unwrap();
    let first_tuesday = schedules
        .iter()
        .find(|s| s["byday"] == "1TU")
        .unwrap_or_else(|| panic!("{hsds}"));
    assert_eq!(first_tuesday["notes"], "Gesloten op feestdagen.");
    assert!(
        schedules
            .iter()
            .any(|s| s["byday"] == "TH" && s.get("notes").is_none())
    );

    // The form shows what was saved; sent back as it is, nothing changes.
    let form_page = browser.get(&edit).await;
    for (field, value) in [
        ("name", name),
        ("cost.amount", "1,50"),
        ("waiting_weeks", "6"),
        ("schedules[0].opens_at", "10:00"),
        ("contacts[0].name", "Fatima"),
    ] {
        assert_eq!(
            field_value(&form_page.body, field).as_deref(),
            Some(value),
            "{field}"
        );
    }
    let version = field_value(&form_page.body, "version").unwrap();
    let mut again = service_form(name, &location, &wijk);
    again.push(("version", &version));
    let unchanged = browser.submit(&edit, &edit, &again).await;
    assert_eq!(
        unchanged.status,
        StatusCode::SEE_OTHER,
        "{}",
        unchanged.body
    );
    let said = browser.get(&unchanged.location).await;
    assert!(said.body.contains("Er is niets veranderd"), "{}", said.body);

    // A change: a new name, the monthly row removed.
    let renamed = "Koffieochtend Zwaluwstaart en thee";
    let changed: Vec<(&str, &str)> = service_form(renamed, &location, &wijk)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("schedules[0]"))
        .chain([("version", version.as_str())])
        .collect();
    let saved = browser.submit(&edit, &edit, &changed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // A new name waits for a moderator; published once approved.
    assert!(
        !browser
            .get(&format!("/aanbod/{id}"))
            .await
            .body
            .contains(renamed)
    );
    approved_by_moderator(&saved, name).await;
    let public = browser.get(&format!("/aanbod/{id}")).await;
    assert!(public.body.contains(renamed));
    assert!(!public.body.contains("eerste dinsdag"));
}

/// A form with several mistakes comes back with every error next to its field, a summary
/// linking to them, and everything typed still there.
async fn a_form_with_errors_keeps_everything_typed() {
    let mut browser = Browser::signed_in(EDITOR_A).await;
    let new = format!("/beheer/aanbod/nieuw?organisatie={}", org_a());
    let org = org_a().to_string();
    let page = browser
        .submit(
            &new,
            "/beheer/aanbod/nieuw",
            &[
                ("organisatie", &org),
                ("name", "Taalmaatjes Vogelwijk"),
                ("description", "Oefenen met Nederlands praten."),
                ("categories", "ontmoeting"),
                ("languages", "tr"),
                ("cost.kind", "price"),
                ("cost.amount", "twee euro"),
                ("cost.description", "per maand"),
                ("access_route", "open"),
                ("formality", "informal"),
                ("setting", "in_person"),
                ("group_format", "individual"),
                ("minimum_age", "oud"),
                ("phone", "030 765 43 21"),
                ("email", "geen-adres"),
                ("schedules[0].opens_at", "09:30"),
                ("schedules[0].closes_at", "11:00"),
                ("schedules[0].holidays", "ja"),
                ("contacts[0].name", "Joost"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let body = &page.body;
    for id in [
        "veld-cost-amount",
        "veld-minimum_age",
        "veld-schedules-0-days",
    ] {
        assert!(
            body.contains(&format!("id=\"fout-{id}\"")),
            "error of {id}: {body}"
        );
        assert!(
            body.contains(&format!("href=\"#{id}\"")),
            "summary link to {id}"
        );
    }
    assert!(body.contains("aria-describedby=\"fout-veld-cost-amount uitleg-veld-cost-amount\""));
    for (field, value) in [
        ("name", "Taalmaatjes Vogelwijk"),
        ("cost.amount", "twee euro"),
        ("cost.description", "per maand"),
        ("minimum_age", "oud"),
        ("phone", "030 765 43 21"),
        ("email", "geen-adres"),
        ("schedules[0].opens_at", "09:30"),
        ("schedules[0].closes_at", "11:00"),
        ("contacts[0].name", "Joost"),
    ] {
        assert_eq!(field_value(body, field).as_deref(), Some(value), "{field}");
    }
    assert!(body.contains("Oefenen met Nederlands praten.</textarea>"));
    for checked in [
        "name=\"languages\" value=\"tr\" checked",
        "name=\"cost.kind\" value=\"price\" checked",
        "name=\"group_format\" value=\"individual\" checked",
        "name=\"categories\" value=\"ontmoeting\" checked",
        "name=\"schedules[0].holidays\" value=\"ja\" checked",
    ] {
        assert!(body.contains(checked), "{checked}");
    }

    // Fixed, except the e-mail address the domain refuses: that comes back next to its field.
    let page = browser
        .submit(
            &new,
            "/beheer/aanbod/nieuw",
            &[
                ("organisatie", &org),
                ("name", "Taalmaatjes Vogelwijk"),
                ("cost.kind", "free"),
                ("access_route", "open"),
                ("formality", "informal"),
                ("setting", "in_person"),
                ("group_format", "individual"),
                ("email", "geen-adres"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"fout-veld-email\""),
        "{}",
        page.body
    );
    assert_eq!(
        field_value(&page.body, "email").as_deref(),
        Some("geen-adres")
    );
}

/// A postcode outside the region cannot place the location: the form says so next to the
/// postcode, keeps what was typed and opens the point fields; a point given by hand wins.
async fn an_unplaceable_location_takes_a_point_by_hand() {
    let mut browser = Browser::signed_in(EDITOR_A).await;
    let new = format!("/beheer/locatie/nieuw?organisatie={}", org_a());
    let org = org_a().to_string();
    let typed = [
        ("organisatie", org.as_str()),
        ("name", "Moestuin achter de flat"),
        ("address_1", "Achterpad 3"),
        ("postal_code", "9712 AB"),
        ("city", "Utrecht"),
        ("transportation", "Lopend vanaf het station"),
    ];
    let page = browser.submit(&new, "/beheer/locatie/nieuw", &typed).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"fout-veld-postal_code\""));
    assert!(page.body.contains("niet in onze regio"), "{}", page.body);
    assert!(page.body.contains("<details class=\"point\" open>"));
    for (field, value) in &typed[1..5] {
        assert_eq!(
            field_value(&page.body, field).as_deref(),
            Some(*value),
            "{field}"
        );
    }
    assert!(page.body.contains("Lopend vanaf het station</textarea>"));

    // In Overvecht, by hand (the postcode stays as typed).
    let mut with_point = typed.to_vec();
    with_point.extend([("latitude", "52,1165"), ("longitude", "5.1135")]);
    let saved = browser
        .submit(&new, "/beheer/locatie/nieuw", &with_point)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    approved_by_moderator(&saved, "Moestuin achter de flat").await;
    let id = listed_id(&mut browser, "locatie", "Moestuin achter de flat").await;
    let shown = browser.get(&format!("/beheer/locatie/{id}/bewerken")).await;
    let (_, wijk_name) = overvecht();
    assert!(
        shown.body.contains(&format!("wijk {wijk_name}")),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("Moestuin achter de flat"));
    let organisation = browser
        .get(&format!("/beheer/organisatie/{}", org_a()))
        .await;
    assert!(
        organisation
            .body
            .contains(&format!("/beheer/locatie/{id}/bewerken"))
    );
}

/// Another organisation's editor cannot open or post A's forms, by URL or by a forged
/// organisation field; a visitor is sent to sign in; unknown and malformed ids are 404.
async fn only_the_organisations_editors_may_edit() {
    let mut a = Browser::signed_in(EDITOR_A).await;
    let location = new_location(&mut a, "Buurthuis van Alfa").await;
    let (wijk, _) = overvecht();
    let org = org_a().to_string();
    let mut form = service_form("Breiclub Alfa", &location, &wijk);
    form.push(("organisatie", &org));
    let new_a = format!("/beheer/aanbod/nieuw?organisatie={}", org_a());
    let saved = a.submit(&new_a, "/beheer/aanbod/nieuw", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    approved_by_moderator(&saved, "Breiclub Alfa").await;
    let service = listed_id(&mut a, "aanbod", "Breiclub Alfa").await;

    let mut b = Browser::signed_in(EDITOR_B).await;
    for path in [
        format!("/beheer/organisatie/{}", org_a()),
        new_a.clone(),
        format!("/beheer/aanbod/{service}/bewerken"),
        format!("/beheer/locatie/nieuw?organisatie={}", org_a()),
        format!("/beheer/locatie/{location}/bewerken"),
    ] {
        assert_eq!(
            b.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
    }
    // B's own form, with A's organisation put in (a forged form), and posts to A's forms.
    let new_b = format!("/beheer/aanbod/nieuw?organisatie={}", org_b());
    let forged = b.submit(&new_b, "/beheer/aanbod/nieuw", &form).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let edit_a = format!("/beheer/aanbod/{service}/bewerken");
    let posted = b.submit(&new_b, &edit_a, &form).await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    let posted = b
        .submit(
            &new_b,
            &format!("/beheer/locatie/{location}/bewerken"),
            &[
                ("name", "Van B"),
                ("postal_code", "3562"),
                ("address_1", "x 1"),
                ("city", "U"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    let forged = b
        .submit(
            &new_b,
            "/beheer/locatie/nieuw",
            &[
                ("organisatie", &org),
                ("name", "Van B"),
                ("postal_code", "3562"),
                ("address_1", "x 1"),
                ("city", "U"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    // B cannot attach A's location to B's own service either.
    let org_b = org_b().to_string();
    let mut sneaky = service_form("Breiclub Beta", &location, &wijk);
    sneaky.push(("organisatie", &org_b));
    let refused = b.submit(&new_b, "/beheer/aanbod/nieuw", &sneaky).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"fout-veld-locations\""));
    let public = a.get(&format!("/aanbod/{service}")).await;
    assert!(public.body.contains("Breiclub Alfa"), "unchanged by B");

    let mut visitor = Browser::new();
    for path in [
        format!("/beheer/organisatie/{}", org_a()),
        new_a.clone(),
        edit_a.clone(),
        format!("/beheer/locatie/{location}/bewerken"),
    ] {
        let page = visitor.get(&path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            page.location.starts_with("/inloggen?terug="),
            "{path}: {}",
            page.location
        );
    }
    for path in [
        format!("/beheer/aanbod/{}/bewerken", Uuid::new_v4()),
        "/beheer/aanbod/geen-id/bewerken".to_string(),
        format!("/beheer/locatie/{}/bewerken", Uuid::new_v4()),
        format!("/beheer/organisatie/{}", Uuid::new_v4()),
        "/beheer/aanbod/nieuw?organisatie=onzin".to_string(),
    ] {
        assert_eq!(a.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

/// A post without the page's token changes nothing.
async fn posts_without_a_valid_csrf_token_are_refused() {
    let mut a = Browser::signed_in(EDITOR_A).await;
    let org = org_a().to_string();
    let (wijk, _) = overvecht();
    let mut form = service_form("Zonder token club", "", &wijk);
    form.retain(|(k, _)| *k != "locations");
    form.push(("organisatie", &org));
    for token in [None, Some("vervalst")] {
        let mut all = form.clone();
        if let Some(token) = token {
            all.push(("csrf", token));
        }
        let page = a.post("/beheer/aanbod/nieuw", &all).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        let page = a
            .post(
                "/beheer/locatie/nieuw",
                &[
                    ("organisatie", &org),
                    ("name", "Zonder token"),
                    ("csrf", "x"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }
    let organisation = a.get(&format!("/beheer/organisatie/{}", org_a())).await;
    assert!(!organisation.body.contains("Zonder token"));
}

/// Script typed into every text field shows as text on the form and the public page.
async fn what_editors_type_is_escaped() {
    let mut a = Browser::signed_in(EDITOR_A).await;
    let location = new_location(&mut a, &format!("Locatie {XSS}")).await;
    let org = org_a().to_string();
    let name = format!("Scriptclub {XSS}");
    let form: Vec<(&str, &str)> = vec![
        ("organisatie", &org),
        ("name", &name),
        ("description", XSS),
        ("categories", "ontmoeting"),
        ("cost.kind", "price"),
        ("cost.description", XSS),
        ("access_route", "open"),
        ("formality", "informal"),
        ("setting", "in_person"),
        ("group_format", "group"),
        ("phone", XSS),
        ("contacts[0].name", XSS),
        ("contacts[0].title", XSS),
        ("locations", &location),
    ];
    let new = format!("/beheer/aanbod/nieuw?organisatie={}", org_a());
    // First with an error (an age that is no number), so the form shows it all again.
    let mut wrong = form.clone();
    wrong.push(("minimum_age", XSS));
    let again = a.submit(&new, "/beheer/aanbod/nieuw", &wrong).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_escaped(&again.body, "form with errors");
    let saved = a.submit(&new, "/beheer/aanbod/nieuw", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    approved_by_moderator(&saved, &name).await;
    let id = listed_id(&mut a, "aanbod", &name).await;
    for path in [
        format!("/aanbod/{id}"),
        format!("/beheer/aanbod/{id}/bewerken"),
        format!("/beheer/organisatie/{}", org_a()),
        format!("/beheer/locatie/{location}/bewerken"),
    ] {
        let page = a.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_escaped(&page.body, &path);
        assert!(
            page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"),
            "{path} shows the text"
        );
    }
}

/// A weekly time marked "gesloten op feestdagen" is not in the agenda on Eerste Kerstdag (a
/// Friday in 2026), and is the week before.
async fn times_closed_on_holidays_skip_them_in_the_agenda() {
    let mut a = Browser::signed_in(EDITOR_A).await;
    let location = new_location(&mut a, "Buurthuis Vrijdag").await;
    let (wijk, _) = overvecht();
    let org = org_a().to_string();
    let name = "Vrijdagsoep Kwartelkoning";
    let form: Vec<(&str, &str)> = service_form(name, &location, &wijk)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("schedules["))
        .chain([
            ("organisatie", org.as_str()),
            ("schedules[0].days", "FR"),
            ("schedules[0].week", ""),
            ("schedules[0].opens_at", "17:00"),
            ("schedules[0].closes_at", "19:00"),
            ("schedules[0].holidays", "ja"),
        ])
        .collect();
    let new = format!("/beheer/aanbod/nieuw?organisatie={}", org_a());
    let saved = a.submit(&new, "/beheer/aanbod/nieuw", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    approved_by_moderator(&saved, name).await;
    let agenda = |week: &str| format!("/wijk/{wijk}/agenda?week={week}");
    // The area's agenda comes from the index, which follows the change log.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let before = a.get(&agenda("2026-W51")).await;
        if before.body.contains(name) {
            break;
        }
        assert!(Instant::now() < deadline, "18 December: {}", before.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let christmas = a.get(&agenda("2026-W52")).await;
    assert_eq!(christmas.status, StatusCode::OK);
    assert!(
        !christmas.body.contains(name),
        "25 December: {}",
        christmas.body
    );
}

fn assert_escaped(body: &str, page: &str) {
    assert!(!body.contains("<script>alert"), "{page}: {body}");
}

/// A location's published changes are its history (what was typed shown escaped), for its
/// editors (not another organisation's, not visitors); the form links to it.
async fn a_locations_history_shows_its_changes() {
    let mut a = Browser::signed_in(EDITOR_A).await;
    let location = new_location(&mut a, "Wijkcentrum Geschiedenis").await;
    let edit = format!("/beheer/locatie/{location}/bewerken");
    let form_page = a.get(&edit).await;
    let history = format!("/beheer/locatie/{location}/geschiedenis");
    assert!(
        form_page.body.contains(&history),
        "the form links its history"
    );
    let version = field_value(&form_page.body, "version").unwrap();
    let org = org_a().to_string();
    let saved = a
        .submit(
            &edit,
            &edit,
            &[
                ("organisatie", &org),
                ("version", &version),
                ("name", "Wijkcentrum Geschiedenis"),
                ("address_1", "Zamenhofdreef 1"),
                ("postal_code", "3562 AB"),
                ("city", "Utrecht"),
                ("wheelchair", "ja"),
                (
                    "transportation",
                    &format!("Tram 22, halte Zamenhofdreef {XSS}"),
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    if saved.location.ends_with("uitkomst=wacht") {
        approved_by_moderator(&saved, "Wijkcentrum Geschiedenis").await;
    }
    let page = a.get(&history).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Bus 8"), "old value: {}", page.body);
    assert!(
        page.body
            .contains("Tram 22, halte Zamenhofdreef &#60;script&#62;"),
        "new value, escaped: {}",
        page.body
    );
    assert_escaped(&page.body, "the history");
    let mut b = Browser::signed_in(EDITOR_B).await;
    assert_eq!(b.get(&history).await.status, StatusCode::FORBIDDEN);
    let visitor = common::http()
        .get(format!("{}{history}", base()))
        .send()
        .await
        .unwrap();
    assert_eq!(visitor.status(), StatusCode::SEE_OTHER);
    let to = visitor.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with("/inloggen"),
        "a visitor is sent to sign in: {to}"
    );
}

common::tests_on_both_servers!(
    a_locations_history_shows_its_changes,
    an_editor_makes_and_changes_a_service_through_the_forms,
    a_form_with_errors_keeps_everything_typed,
    an_unplaceable_location_takes_a_point_by_hand,
    only_the_organisations_editors_may_edit,
    posts_without_a_valid_csrf_token_are_refused,
    what_editors_type_is_escaped,
    times_closed_on_holidays_skip_them_in_the_agenda,
);
