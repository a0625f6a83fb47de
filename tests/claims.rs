//! Sign-up, claiming and user admin over real HTTP, on SQLite and PostgreSQL: an organisation
//! signs up and its contact becomes its editor through the mailed invitation; a rejection
//! mails the reason; a claim makes the sender an editor; only moderators of the request's
//! area see and decide it (by URL too); the public forms are rate-limited, CSRF-checked and
//! escape what people type; administrators revoke roles and switch accounts off, and choose
//! an organisation by name when inviting.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::TestServer;
use common::web::{Browser, Page, link_in, mail_to};
use reqwest::StatusCode;
use wijkwijzer::auth::{ModerationScope, Role};
use wijkwijzer::config::{Config, IpRange};

tokio::task_local! {
    static APP: String;
}

const PASSWORD: &str = "een lange zin als wachtwoord";
const XSS: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>";
/// A postcode in gemeente Utrecht (GM0344), and one in Amsterdam (GM0363).
const UTRECHT: &str = "3511 AB";
const AMSTERDAM: &str = "1012";

/// The people every test can sign in as, made in the database before the server starts.
struct People {
    admin: String,
    moderator_utrecht: String,
    moderator_instance: String,
    professional: String,
    /// Editor of the first demo organisation by name.
    editor: String,
}

struct ServerInfo {
    base: String,
    data_dir: PathBuf,
}

static INFOS: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());

fn people() -> People {
    People {
        admin: "beheerder@example.org".into(),
        moderator_utrecht: "moderator-utrecht@example.org".into(),
        moderator_instance: "moderator@example.org".into(),
        professional: "professional@example.org".into(),
        editor: "redacteur@example.org".into(),
    }
}

fn spawn(database_url: Option<String>) -> TestServer {
    let (tx, rx) = std::sync::mpsc::channel();
    let server = common::spawn_configured(
        move |dir| {
            tx.send(dir.to_path_buf()).unwrap();
            let mut config = Config::for_tests(dir.to_path_buf(), database_url);
            config.demo_data = Some(true);
            // Each test speaks from its own address (X-Forwarded-For), so that the rate
            // limit of one test does not stop another.
            config.limits.trusted_proxies = vec![IpRange::parse("127.0.0.1").unwrap()];
            config
        },
        |catalog| {
            Box::pin(async move {
                use wijkwijzer::auth::secrets::{PasswordCost, hash_password};
                let hash = hash_password(PASSWORD, PasswordCost::TestsOnly).unwrap();
                let store = &catalog.store;
                let (org, _) = store.organisations_named("", 1).await.unwrap()[0].clone();
                let p = people();
                for (email, role) in [
                    (p.admin, Role::Administrator),
                    (
                        p.moderator_utrecht,
                        Role::Moderator {
                            scope: ModerationScope::Gemeente("GM0344".into()),
                        },
                    ),
                    (
                        p.moderator_instance,
                        Role::Moderator {
                            scope: ModerationScope::Instance,
                        },
                    ),
                    (p.professional, Role::Professional),
                    (p.editor, Role::OrganisationEditor { organization: org }),
                ] {
                    let user = store
                        .create_user(&email, &email, Some(&hash))
                        .await
                        .unwrap();
                    store.grant_role(user, &role, None).await.unwrap();
                }
            })
        },
    );
    let data_dir = rx.recv().unwrap();
    INFOS.lock().unwrap().push((server.base.clone(), data_dir));
    server
}

fn sqlite_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| spawn(None))
}

fn postgres_server() -> Option<&'static TestServer> {
    static SERVER: OnceLock<Option<TestServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = common::pg_database("wijkwijzer_claims_suite")?;
            Some(spawn(Some(url)))
        })
        .as_ref()
}

fn info() -> ServerInfo {
    let base = APP.get();
    let data_dir = INFOS
        .lock()
        .unwrap()
        .iter()
        .find(|(b, _)| *b == base)
        .map(|(_, d)| d.clone())
        .expect("server info");
    ServerInfo { base, data_dir }
}

/// A unique word and client address per call, so tests never share a rate limit.
fn unique(prefix: &str) -> (String, String) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id() % 200;
    (
        format!("{prefix}{n}-{}", uuid::Uuid::new_v4().simple()),
        format!("10.{pid}.{}.{}", n / 250, n % 250 + 1),
    )
}

fn browser() -> Browser {
    let (_, address) = unique("adres");
    Browser::new(&info().base, &address)
}

async fn signed_in(email: &str) -> Browser {
    let mut browser = browser();
    let page = browser.login(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{email}: {}", page.body);
    browser
}

/// The demo organisation the fixed editor edits (from the link on their account page), and
/// one of its services.
async fn editors_organisation() -> (String, String) {
    let mut editor = signed_in(&people().editor).await;
    let me = editor.get("/account").await;
    let id = me
        .body
        .split("/beheer/organisatie/")
        .nth(1)
        .map(|rest| rest[..36].to_string())
        .expect("a link to the organisation's keys");
    let services: serde_json::Value = common::http()
        .get(format!(
            "{}/hsds/services?per_page=1&organization_id={id}",
            info().base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let service = services["contents"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (id, service)
}

/// Any demo service (of another organisation than the editor's).
async fn some_service() -> String {
    let (own, _) = editors_organisation().await;
    let body: serde_json::Value = common::http()
        .get(format!("{}/hsds/services?per_page=20", info().base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["organization_id"].as_str() != Some(own.as_str()))
        .expect("a service of another organisation")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Signs up an organisation called `name` from a fresh address; returns the contact's e-mail.
async fn sign_up(name: &str, postcode: &str) -> String {
    let (word, address) = unique("contact");
    let email = format!("{word}@example.org");
    let mut visitor = Browser::new(&info().base, &address);
    let page = visitor
        .submit(
            "/organisatie-aanmelden",
            "/organisatie-aanmelden",
            &[
                ("naam", name),
                ("beschrijving", "Wij wandelen elke week door de wijk."),
                ("kvk", "1234 5678"),
                ("website", "www.wandelen.example.org"),
                ("postcode", postcode),
                ("plaats", ""),
                ("contactpersoon", "Contactpersoon"),
                ("email", &email),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Dank u"), "{}", page.body);
    email
}

/// The id of the request in the queue page whose heading holds `text`.
fn request_id(queue: &Page, text: &str) -> Option<String> {
    let at = queue.body.find(text)?;
    let before = &queue.body[..at];
    let start = before.rfind("id=\"aanvraag-")? + "id=\"aanvraag-".len();
    Some(before[start..start + 36].to_string())
}

async fn approve(moderator: &mut Browser, id: &str) -> Page {
    // The token from the account page: the queue has no form once it is empty.
    moderator
        .submit(
            "/account",
            &format!("/beheer/aanmeldingen/{id}/goedkeuren"),
            &[],
        )
        .await
}

/// Accepts the invitation mailed to `email` and signs in.
async fn accept_invitation(email: &str) -> Browser {
    let mail = mail_to(&info().data_dir, email).expect("invitation mail");
    let link = link_in(&mail, "/uitnodiging/");
    let mut newcomer = browser();
    let done = newcomer
        .submit(
            &link,
            &link,
            &[("name", "Nieuwe Redacteur"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    signed_in(email).await
}

// ------------------------------------------------------------------------------------ tests

/// Sign-up -> a moderator of the postcode's gemeente approves -> the contact's invitation
/// link works, and they edit that organisation only.
async fn an_approved_sign_up_makes_the_contact_editor_of_that_organisation_only() {
    let (name, _) = unique("Wandelclub ");
    let email = sign_up(&name, UTRECHT).await;
    let mut moderator = signed_in(&people().moderator_utrecht).await;
    let queue = moderator.get("/beheer/aanmeldingen").await;
    assert_eq!(queue.status, StatusCode::OK);
    let id = request_id(&queue, &name).expect("the sign-up is in the queue");
    assert!(queue.body.contains("12345678"), "KvK number shown");
    let done = approve(&mut moderator, &id).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Goedgekeurd"), "{}", done.body);
    assert!(
        request_id(&done, &name).is_none(),
        "decided requests leave the queue"
    );

    let mut editor = accept_invitation(&email).await;
    let me = editor.get("/account").await;
    assert!(
        me.body.contains(&format!("redacteur van {name}")),
        "{}",
        me.body
    );
    let own = me
        .body
        .split("/beheer/organisatie/")
        .nth(1)
        .map(|rest| rest[..36].to_string())
        .expect("a link to the new organisation's keys");
    assert_eq!(
        editor
            .get(&format!("/beheer/organisatie/{own}/sleutels"))
            .await
            .status,
        StatusCode::OK
    );
    let (other, _) = editors_organisation().await;
    assert_eq!(
        editor
            .get(&format!("/beheer/organisatie/{other}/sleutels"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Approving again: the request is closed.
    assert_eq!(
        approve(&mut moderator, &id).await.status,
        StatusCode::NOT_FOUND
    );
}

/// A moderator of one gemeente sees only the sign-ups placed there; a moderator of the
/// whole instance sees them all.
async fn a_sign_up_reaches_the_moderators_of_its_gemeente() {
    let (name, _) = unique("Buurtkoor ");
    sign_up(&name, AMSTERDAM).await;
    let mut utrecht = signed_in(&people().moderator_utrecht).await;
    let queue = utrecht.get("/beheer/aanmeldingen").await;
    let mut instance = signed_in(&people().moderator_instance).await;
    let all = instance.get("/beheer/aanmeldingen").await;
    let id = request_id(&all, &name).expect("the instance moderator sees it");
    assert!(request_id(&queue, &name).is_none(), "not Utrecht's");
    // Not by URL either.
    assert_eq!(
        approve(&mut utrecht, &id).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(request_id(&instance.get("/beheer/aanmeldingen").await, &name).is_some());
    // Without a postcode, the name of the place finds the gemeente.
    let (name, address) = unique("Plaatsclub ");
    let mut visitor = Browser::new(&info().base, &address);
    let sent = visitor
        .submit(
            "/organisatie-aanmelden",
            "/organisatie-aanmelden",
            &[
                ("naam", name.as_str()),
                ("beschrijving", "Wij breien samen."),
                ("plaats", "utrecht"),
                ("contactpersoon", "Breier"),
                ("email", "breier@example.org"),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(request_id(&utrecht.get("/beheer/aanmeldingen").await, &name).is_some());
}

/// Rejecting needs a reason (shown next to the field, typed text kept); the contact is
/// mailed the reason and the request leaves the queue.
async fn a_rejection_mails_the_reason() {
    let (name, _) = unique("Schaakclub ");
    let email = sign_up(&name, UTRECHT).await;
    let mut moderator = signed_in(&people().moderator_instance).await;
    let queue = moderator.get("/beheer/aanmeldingen").await;
    let id = request_id(&queue, &name).unwrap();
    let action = format!("/beheer/aanmeldingen/{id}/afwijzen");
    let empty = moderator
        .submit("/beheer/aanmeldingen", &action, &[("reden", "   ")])
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(
        empty.body.contains(&format!("fout-reden-{id}")),
        "{}",
        empty.body
    );
    let reason = "Dit is geen organisatie in onze regio.";
    let done = moderator
        .submit("/beheer/aanmeldingen", &action, &[("reden", reason)])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(request_id(&done, &name).is_none());
    let mail = mail_to(&info().data_dir, &email).expect("rejection mail");
    assert!(mail.contains(reason), "{mail}");
    assert!(!mail.contains("/uitnodiging/"), "{mail}");
}

/// "Is dit uw organisatie?" -> claim -> a moderator confirms -> the sender edits it.
async fn a_confirmed_claim_makes_the_sender_editor() {
    let service = some_service().await;
    let mut visitor = browser();
    let page = visitor.get(&format!("/aanbod/{service}")).await;
    assert!(
        page.body.contains(&format!("/aanbod/{service}/claimen")),
        "claim link"
    );
    let (word, _) = unique("claimer");
    let email = format!("{word}@example.org");
    let path = format!("/aanbod/{service}/claimen");
    let missing = visitor
        .submit(
            &path,
            &path,
            &[("contactpersoon", "Claimer"), ("email", &email)],
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.body.contains("fout-functie") && missing.body.contains("fout-toestemming"));
    assert!(missing.body.contains(&email), "typed values are kept");
    let sent = visitor
        .submit(
            &path,
            &path,
            &[
                ("contactpersoon", "Claimer"),
                ("email", &email),
                ("functie", "Coördinator vrijwilligers"),
                ("bericht", &word),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let mut moderator = signed_in(&people().moderator_instance).await;
    let queue = moderator.get("/beheer/aanmeldingen").await;
    let id = request_id(&queue, &word).expect("the claim is in the queue");
    let done = approve(&mut moderator, &id).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let mut editor = accept_invitation(&email).await;
    let own = editor.get(&format!("/aanbod/{service}")).await;
    assert!(
        own.body
            .contains(&format!("action=\"/aanbod/{service}/klopt-nog\"")),
        "the new editor may confirm the listing"
    );
}

/// Visitors, professionals and editors neither see nor decide requests, by URL neither.
async fn outsiders_cannot_see_or_decide_requests() {
    let (name, _) = unique("Verborgen ");
    sign_up(&name, UTRECHT).await;
    let mut admin = signed_in(&people().admin).await;
    let id = request_id(&admin.get("/beheer/aanmeldingen").await, &name).unwrap();
    let mut visitor = browser();
    let page = visitor.get("/beheer/aanmeldingen").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location().starts_with("/inloggen"),
        "{}",
        page.location()
    );
    for who in [people().professional, people().editor] {
        let mut outsider = signed_in(&who).await;
        let queue = outsider.get("/beheer/aanmeldingen").await;
        assert_eq!(queue.status, StatusCode::FORBIDDEN, "{who}");
        assert!(!queue.body.contains(&name));
        let csrf = outsider.get("/account").await.csrf();
        for action in ["goedkeuren", "afwijzen"] {
            let page = outsider
                .post(
                    &format!("/beheer/aanmeldingen/{id}/{action}"),
                    &[("csrf", &csrf), ("reden", "nee")],
                )
                .await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{who} {action}");
        }
    }
    assert!(
        request_id(&admin.get("/beheer/aanmeldingen").await, &name).is_some(),
        "still open"
    );
    // Bad ids are pages that do not exist.
    let csrf = admin.get("/account").await.csrf();
    for path in [
        "/beheer/aanmeldingen/geen-id/goedkeuren".to_string(),
        format!("/beheer/aanmeldingen/{}/afwijzen", uuid::Uuid::new_v4()),
    ] {
        let page = admin.post(&path, &[("csrf", &csrf), ("reden", "x")]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        "/aanbod/geen-id/claimen".to_string(),
        format!("/aanbod/{}/claimen", uuid::Uuid::new_v4()),
    ] {
        assert_eq!(
            browser().get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

/// Five requests an hour per address; the sixth gets 429, another address is not hindered.
/// Forms with mistakes do not count.
async fn the_public_forms_are_rate_limited_per_address() {
    let (_, address) = unique("flood");
    let mut flooder = Browser::new(&info().base, &address);
    let bad = flooder
        .submit(
            "/organisatie-aanmelden",
            "/organisatie-aanmelden",
            &[("naam", "x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let service = some_service().await;
    let path = format!("/aanbod/{service}/claimen");
    for n in 0..6 {
        let (word, _) = unique("flood");
        let page = flooder
            .submit(
                &path,
                &path,
                &[
                    ("contactpersoon", "Flood"),
                    ("email", &format!("{word}@example.org")),
                    ("functie", "Bot"),
                    ("toestemming", "ja"),
                ],
            )
            .await;
        let want = if n < 5 {
            StatusCode::OK
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(page.status, want, "post {n}: {}", page.body);
        if n == 5 {
            assert!(page.headers.contains_key("retry-after"));
            let signup = flooder
                .submit(
                    "/organisatie-aanmelden",
                    "/organisatie-aanmelden",
                    &[
                        ("naam", "Flood"),
                        ("beschrijving", "Flood"),
                        ("plaats", "Utrecht"),
                        ("contactpersoon", "Flood"),
                        ("email", "flood@example.org"),
                        ("toestemming", "ja"),
                    ],
                )
                .await;
            assert_eq!(
                signup.status,
                StatusCode::TOO_MANY_REQUESTS,
                "one limit for both"
            );
        }
    }
    sign_up("Andere afzender", UTRECHT).await;
}

/// Every new form refuses a post without a valid CSRF token, and changes nothing.
async fn posts_without_a_valid_csrf_token_are_refused() {
    let service = some_service().await;
    let id = uuid::Uuid::new_v4();
    let mut admin = signed_in(&people().admin).await;
    let mut visitor = browser();
    visitor.get("/organisatie-aanmelden").await;
    for (signed_in_as_admin, path) in [
        (false, "/organisatie-aanmelden".to_string()),
        (false, format!("/aanbod/{service}/claimen")),
        (true, format!("/beheer/aanmeldingen/{id}/goedkeuren")),
        (true, format!("/beheer/aanmeldingen/{id}/afwijzen")),
        (true, "/beheer/gebruikers/rol-intrekken".to_string()),
        (true, "/beheer/gebruikers/uitzetten".to_string()),
    ] {
        let browser = if signed_in_as_admin {
            &mut admin
        } else {
            &mut visitor
        };
        for csrf in [None, Some("vervalst")] {
            let mut form = vec![("naam", "CSRF"), ("reden", "x"), ("toestemming", "ja")];
            if let Some(token) = csrf {
                form.push(("csrf", token));
            }
            let page = browser.post(&path, &form).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path} {csrf:?}");
        }
    }
}

/// A script in every text field of both forms is shown as text on the queue page.
async fn what_people_type_is_escaped_in_the_queue() {
    let mut visitor = browser();
    let (word, _) = unique("xss");
    let email = format!("{word}@example.org");
    let typed = format!("{word}{XSS}");
    let page = visitor
        .submit(
            "/organisatie-aanmelden",
            "/organisatie-aanmelden",
            &[
                ("naam", &typed),
                ("beschrijving", &typed),
                ("website", "www.example.org/<script>"),
                ("plaats", &typed),
                ("contactpersoon", &typed),
                ("email", &email),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let service = some_service().await;
    let path = format!("/aanbod/{service}/claimen");
    // Errors show the typed text again: escaped there too.
    let again = visitor
        .submit(
            &path,
            &path,
            &[
                ("contactpersoon", &typed),
                ("functie", &typed),
                ("bericht", &typed),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_escaped(&again.body);
    let sent = visitor
        .submit(
            &path,
            &path,
            &[
                ("contactpersoon", &typed),
                ("email", &format!("claim-{email}")),
                ("functie", &typed),
                ("bericht", &typed),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let mut moderator = signed_in(&people().moderator_instance).await;
    let queue = moderator.get("/beheer/aanmeldingen").await;
    assert!(queue.body.contains(&word));
    let at = queue.body.find(&word).unwrap();
    assert!(
        queue.body[at..].contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{}",
        &queue.body[at..]
    );
    assert_escaped(&queue.body);
}

fn assert_escaped(body: &str) {
    assert!(!body.contains("<script>alert"), "{body}");
    assert!(!body.contains("<img src=x"), "{body}");
}

/// An administrator takes a role away and switches an account off: its session ends and it
/// cannot sign in again. A moderator can do neither.
async fn an_administrator_revokes_roles_and_switches_accounts_off() {
    let (word, _) = unique("tijdelijk");
    let email = format!("{word}@example.org");
    let (organisation, _) = editors_organisation().await;
    let mut admin = signed_in(&people().admin).await;
    let invited = admin
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            &[
                ("email", &email),
                ("role", "editor"),
                ("organization", &organisation),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let mut person = accept_invitation(&email).await;
    let keys = format!("/beheer/organisatie/{organisation}/sleutels");
    assert_eq!(person.get(&keys).await.status, StatusCode::OK);

    let users = admin.get("/beheer/gebruikers").await;
    let at = users.body.find(&email).unwrap();
    let user_id = common::web::field_value(&users.body[at..], "user").unwrap();
    let revoke = [
        ("user", user_id.as_str()),
        ("role", "editor"),
        ("organization", organisation.as_str()),
        ("gemeente", ""),
    ];
    let mut moderator = signed_in(&people().moderator_instance).await;
    let refused = moderator
        .submit("/account", "/beheer/gebruikers/rol-intrekken", &revoke)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let done = admin
        .submit(
            "/beheer/gebruikers",
            "/beheer/gebruikers/rol-intrekken",
            &revoke,
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(person.get(&keys).await.status, StatusCode::FORBIDDEN);

    let off = [("user", user_id.as_str())];
    let refused = moderator
        .submit("/account", "/beheer/gebruikers/uitzetten", &off)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(person.get("/account").await.status, StatusCode::OK);
    let done = admin
        .submit("/beheer/gebruikers", "/beheer/gebruikers/uitzetten", &off)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("staat uit"));
    assert_eq!(
        person.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    let again = browser().login(&email, PASSWORD).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "cannot sign in");
}

/// The invitation form takes an organisation's name: one match is used, several offer a
/// choice, none says so next to the field.
async fn the_invite_form_finds_the_organisation_by_name() {
    let mut admin = signed_in(&people().admin).await;
    let (name, _) = unique("Naamclub ");
    sign_up(&name, UTRECHT).await;
    let id = request_id(&admin.get("/beheer/aanmeldingen").await, &name).unwrap();
    assert_eq!(approve(&mut admin, &id).await.status, StatusCode::OK);
    let (word, _) = unique("bijnaam");
    let invite = |email: String, organisation: String| async move {
        let mut admin = signed_in(&people().admin).await;
        admin
            .submit(
                "/beheer/gebruikers",
                "/beheer/gebruikers",
                &[
                    ("email", &email),
                    ("role", "editor"),
                    ("organization", &organisation),
                ],
            )
            .await
    };
    let found = invite(format!("{word}@example.org"), name.to_uppercase()).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let none = invite(format!("{word}-2@example.org"), "Bestaat Niet Echt".into()).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(none.body.contains("fout-organization"), "{}", none.body);
    // "Naamclub" matches at least the one above and the one of another test run.
    sign_up(&format!("{name} twee"), UTRECHT).await;
    let queue = admin.get("/beheer/aanmeldingen").await;
    let second = request_id(&queue, &format!("{name} twee")).unwrap();
    approve(&mut admin, &second).await;
    let several = invite(format!("{word}-3@example.org"), name[..12].to_string()).await;
    assert_eq!(several.status, StatusCode::BAD_REQUEST);
    assert!(
        several.body.contains("<select id=\"veld-organization\""),
        "{}",
        several.body
    );
}

common::tests_on_both_servers!(
    an_approved_sign_up_makes_the_contact_editor_of_that_organisation_only,
    a_sign_up_reaches_the_moderators_of_its_gemeente,
    a_rejection_mails_the_reason,
    a_confirmed_claim_makes_the_sender_editor,
    outsiders_cannot_see_or_decide_requests,
    the_public_forms_are_rate_limited_per_address,
    posts_without_a_valid_csrf_token_are_refused,
    what_people_type_is_escaped_in_the_queue,
    an_administrator_revokes_roles_and_switches_accounts_off,
    the_invite_form_finds_the_organisation_by_name,
);
