//! Moderation, versions and history (issue 13, parts 4 and 5), on SQLite and PostgreSQL: the
//! use cases are called the way the edit forms and the write API call them (`propose_service`
//! with an `Actor`), the pages over real HTTP with real sessions. Each test makes its own
//! organisation, listings and people, so the tests share a server without sharing state.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uuid::Uuid;

use common::{TestServer, http};
use wijkwijzer::auth::{Actor, ModerationScope, Role, UserActor, secrets};
use wijkwijzer::catalog::{Catalog, ListingChangeError};
use wijkwijzer::domain::{Location, Organization, Service};
use wijkwijzer::hsds::export::{Format, export_path};
use wijkwijzer::listings::Proposal;

tokio::task_local! {
    static APP: String;
}

const XSS: &str = "<script>alert(1)</script>";
/// How askama escapes [`XSS`].
const XSS_ESCAPED: &str = "&#60;script&#62;alert(1)&#60;/script&#62;";

type Control = (Catalog, tokio::runtime::Handle);
static SQLITE_CONTROL: OnceLock<Control> = OnceLock::new();
static POSTGRES_CONTROL: OnceLock<Control> = OnceLock::new();
static SQLITE_SERVER: OnceLock<TestServer> = OnceLock::new();
static POSTGRES_SERVER: OnceLock<Option<TestServer>> = OnceLock::new();

fn setup_sqlite(catalog: Catalog) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        let _ = SQLITE_CONTROL.set((catalog, tokio::runtime::Handle::current()));
    })
}

fn setup_postgres(catalog: Catalog) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        let _ = POSTGRES_CONTROL.set((catalog, tokio::runtime::Handle::current()));
    })
}

fn sqlite_server() -> &'static TestServer {
    SQLITE_SERVER.get_or_init(|| common::spawn_server(None, setup_sqlite))
}

fn postgres_server() -> Option<&'static TestServer> {
    POSTGRES_SERVER
        .get_or_init(|| {
            let url = common::pg_database("wijkwijzer_moderation_suite")?;
            Some(common::spawn_server(Some(url), setup_postgres))
        })
        .as_ref()
}

fn base() -> String {
    APP.with(|b| b.clone())
}

/// Runs `work` with the server's catalog on the server's runtime (its pool lives there).
async fn on_app<T, F>(work: impl FnOnce(Catalog) -> F + Send + 'static) -> T
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let (catalog, runtime) = control();
    runtime.spawn(work(catalog)).await.expect("work on the app")
}

/// The catalog and runtime of the server this test runs against.
fn control() -> Control {
    let on_sqlite = SQLITE_SERVER.get().is_some_and(|s| s.base == base());
    if on_sqlite {
        &SQLITE_CONTROL
    } else {
        &POSTGRES_CONTROL
    }
    .get()
    .expect("the server was set up")
    .clone()
}

/// A person with roles and a live session: the actor for use cases, the cookie for pages.
#[derive(Clone)]
struct Person {
    actor: Actor,
    cookie: String,
}

async fn person(roles: Vec<Role>) -> Person {
    on_app(move |catalog| async move {
        let email = format!("p{}@example.org", Uuid::new_v4().simple());
        let id = catalog
            .store
            .create_user(&email, "Iemand", None)
            .await
            .unwrap();
        for role in &roles {
            catalog.store.grant_role(id, role, None).await.unwrap();
        }
        let cookie = secrets::random_token();
        catalog
            .store
            .create_session(
                &secrets::token_hash(&cookie),
                id,
                time::OffsetDateTime::now_utc() + time::Duration::hours(2),
            )
            .await
            .unwrap();
        Person {
            actor: Actor::User(UserActor {
                id,
                email,
                name: "Iemand".into(),
                roles,
            }),
            cookie,
        }
    })
    .await
}

async fn moderator() -> Person {
    person(vec![Role::Moderator {
        scope: ModerationScope::Instance,
    }])
    .await
}

/// An organisation with a location in Utrecht and one service, and an editor of it.
struct Listing {
    org: Uuid,
    service: Service,
    editor: Person,
    /// A word only this listing's texts contain, to search for.
    word: String,
}

fn word() -> String {
    // Letters only, so the search analyser keeps it as one token.
    let letters: String = Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .map(|c| match c {
            '0'..='9' => (b'g' + (c as u8 - b'0')) as char,
            c => c,
        })
        .take(12)
        .collect();
    format!("zq{letters}")
}

async fn listing(trusted: bool) -> Listing {
    let org_id = Uuid::new_v4();
    let word = word();
    let service: Service = serde_json::from_value(json!({
        "id": Uuid::new_v4(),
        "organization_id": org_id,
        "name": format!("Wandelgroep {word}"),
        "description": "Samen wandelen door de wijk.",
        "email": format!("{word}@example.org"),
        "phone": "030 123 45 67",
        "categories": ["ontmoeting"],
        "access_route": "open",
        "formality": "informal",
        "setting": "in_person",
        "group_format": "group",
        "schedules": [{"freq": "WEEKLY", "byday": "TU", "opens_at": "10:00", "closes_at": "12:00"}],
    }))
    .unwrap();
    let stored = service.clone();
    on_app(move |catalog| async move {
        let org: Organization = serde_json::from_value(json!({
            "id": org_id, "name": "Buurtvereniging (test)", "description": "Een test",
        }))
        .unwrap();
        catalog.save_organization(&org).await.unwrap();
        let location: Location = serde_json::from_value(json!({
            "id": Uuid::new_v4(), "organization_id": org_id, "name": "Buurthuis",
            "latitude": 52.1165, "longitude": 5.1135,
        }))
        .unwrap();
        catalog.save_location(&location).await.unwrap();
        let mut service = stored;
        service.location_ids = vec![location.id];
        catalog.save_service(&service).await.unwrap();
        if trusted {
            catalog
                .set_trusted(&Actor::System, org_id, true)
                .await
                .unwrap();
        }
    })
    .await;
    let editor = person(vec![Role::OrganisationEditor {
        organization: org_id,
    }])
    .await;
    let service = on_app(move |catalog| async move {
        catalog.service(service.id).await.unwrap().unwrap().service
    })
    .await;
    Listing {
        org: org_id,
        service,
        editor,
        word,
    }
}

async fn propose(
    who: &Actor,
    service: &Service,
    base: Option<i64>,
) -> Result<Proposal, ListingChangeError> {
    let (who, service) = (who.clone(), service.clone());
    on_app(move |catalog| async move { catalog.propose_service(&who, service, base).await }).await
}

async fn editable(who: &Actor, id: Uuid) -> (Service, i64, Option<Uuid>) {
    let who = who.clone();
    on_app(move |catalog| async move {
        let e = catalog.service_for_editing(&who, id).await.unwrap();
        (e.current.service, e.version, e.pending)
    })
    .await
}

async fn get(path: &str, who: Option<&Person>) -> (u16, String) {
    let mut request = http().get(format!("{}{path}", base()));
    if let Some(p) = who {
        request = request.header("cookie", format!("wijkwijzer_sessie={}", p.cookie));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = response.text().await.unwrap();
    (status, if status == 303 { location } else { body })
}

fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// Posts a form as `who` with a valid CSRF token (from their account page), unless `csrf` is
/// given.
async fn post(
    path: &str,
    who: &Person,
    form: &[(&str, &str)],
    csrf: Option<&str>,
) -> (u16, String) {
    let token = match csrf {
        Some(t) => t.to_string(),
        None => csrf_in(&get("/account", Some(who)).await.1),
    };
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(form);
    let response = http()
        .post(format!("{}{path}", base()))
        .header("cookie", format!("wijkwijzer_sessie={}", who.cookie))
        .form(&all)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = response.text().await.unwrap();
    (status, if status == 303 { location } else { body })
}

async fn search_names(q: &str) -> Vec<String> {
    let body: Value = http()
        .get(format!("{}/api/v1/search?q={q}", base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

async fn hsds_service(id: Uuid) -> (u16, Value) {
    let response = http()
        .get(format!("{}/hsds/services/{id}", base()))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The whole HSDS JSON export as text. The export's future is not `Send`, so it runs on one of
/// the server runtime's blocking threads.
async fn export_text() -> String {
    let (catalog, runtime) = control();
    let handle = runtime.clone();
    runtime
        .spawn_blocking(move || {
            handle.block_on(async move {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("export.json");
                export_path(&catalog, Format::Json, &path).await.unwrap();
                std::fs::read_to_string(&path).unwrap()
            })
        })
        .await
        .unwrap()
}

/// The first object in `value` with this `id` and a `name` (a service, not a reference).
fn find_object<'a>(value: &'a Value, id: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => {
            if map.get("id").and_then(Value::as_str) == Some(id) && map.contains_key("name") {
                return Some(value);
            }
            map.values().find_map(|v| find_object(v, id))
        }
        Value::Array(items) => items.iter().find_map(|v| find_object(v, id)),
        _ => None,
    }
}

/// The id of a request from a `Proposal::Pending`.
fn pending(p: Result<Proposal, ListingChangeError>) -> Uuid {
    match p {
        Ok(Proposal::Pending { request }) => request,
        other => panic!("expected a pending request, got {other:?}"),
    }
}

// ------------------------------------------------------------------------------------ tests

async fn a_trusted_organisations_phone_change_publishes_and_a_name_change_waits() {
    let l = listing(true).await;
    let (current, version, none) = editable(&l.editor.actor, l.service.id).await;
    assert_eq!((version, none), (1, None));

    let mut phone = current.clone();
    phone.phone = Some("030 765 43 21".into());
    phone.schedules[0].byday = Some("WE".into());
    assert_eq!(
        propose(&l.editor.actor, &phone, Some(version))
            .await
            .unwrap(),
        Proposal::Published
    );
    let (published, version, _) = editable(&l.editor.actor, l.service.id).await;
    assert_eq!(published.phone.as_deref(), Some("030 765 43 21"));
    assert_eq!(version, 2, "every published write counts");

    let mut renamed = published.clone();
    renamed.name = format!("Wandelclub {}", l.word);
    let request = pending(propose(&l.editor.actor, &renamed, Some(version)).await);
    let (_, page) = get(&format!("/aanbod/{}", l.service.id), None).await;
    assert!(page.contains(&format!("Wandelgroep {}", l.word)));
    assert!(
        !page.contains("Wandelclub"),
        "pending never reaches the page"
    );

    // Untrusted: even the phone waits.
    let u = listing(false).await;
    let mut phone = u.service.clone();
    phone.phone = Some("030 000 00 00".into());
    pending(propose(&u.editor.actor, &phone, Some(1)).await);

    // The editor starts again from their pending proposal; a second submission replaces it.
    let (mine, version, waiting) = editable(&l.editor.actor, l.service.id).await;
    assert_eq!(waiting, Some(request));
    assert!(mine.name.starts_with("Wandelclub"));
    let mut amended = mine.clone();
    amended.name = format!("Wandelvrienden {}", l.word);
    assert_eq!(
        pending(propose(&l.editor.actor, &amended, Some(version)).await),
        request,
        "amended, not a second request"
    );
    let (_, mine_page) = get("/beheer/mijn-wijzigingen", Some(&l.editor)).await;
    assert_eq!(mine_page.matches("Wacht op een moderator").count(), 1);
    assert!(mine_page.contains("Wandelvrienden"));
    assert!(mine_page.contains(&format!("/beheer/aanbod/{}/bewerken", l.service.id)));
}

async fn an_unchanged_proposal_records_nothing() {
    let l = listing(false).await;
    let (current, version, _) = editable(&l.editor.actor, l.service.id).await;
    assert_eq!(
        propose(&l.editor.actor, &current, Some(version))
            .await
            .unwrap(),
        Proposal::Unchanged
    );
    let (_, mine) = get("/beheer/mijn-wijzigingen", Some(&l.editor)).await;
    assert!(
        mine.contains("U heeft nog geen wijzigingen voorgesteld"),
        "{mine}"
    );
}

async fn an_edit_of_an_old_version_is_a_conflict_at_submit_and_at_approval() {
    let l = listing(false).await;
    let moderator = moderator().await;
    let (current, version, _) = editable(&l.editor.actor, l.service.id).await;

    // Two editors' requests on the same version are shown as conflicting.
    let other_editor = person(vec![Role::OrganisationEditor {
        organization: l.org,
    }])
    .await;
    let mut first = current.clone();
    first.name = format!("Eerste {}", l.word);
    let first = pending(propose(&l.editor.actor, &first, Some(version)).await);
    let mut second = current.clone();
    second.name = format!("Tweede {}", l.word);
    let second = pending(propose(&other_editor.actor, &second, Some(version)).await);
    let (status, queue) = get("/beheer/moderatie", Some(&moderator)).await;
    assert_eq!(status, 200);
    assert!(queue.contains("Botsing"), "{queue}");

    // The moderator's own edit publishes at once and moves the version on.
    let mut direct = current.clone();
    direct.description = "Nu ook op woensdag.".into();
    assert_eq!(
        propose(&moderator.actor, &direct, Some(version))
            .await
            .unwrap(),
        Proposal::Published
    );
    // The editor's form was still on the old version: refused, never overwritten.
    let mut late = current.clone();
    late.email = None;
    assert!(matches!(
        propose(&l.editor.actor, &late, Some(version)).await,
        Err(ListingChangeError::Conflict { current: Some(2) })
    ));
    // Approving a request on the old version is refused with a clear message.
    let (status, body) = post(
        &format!("/beheer/moderatie/{first}/goedkeuren"),
        &moderator,
        &[],
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("intussen gewijzigd"));
    let (_, page) = get(&format!("/aanbod/{}", l.service.id), None).await;
    assert!(!page.contains("Eerste") && !page.contains("Tweede"));
    assert!(page.contains("Nu ook op woensdag."));
    // ... it can only be rejected.
    let (status, _) = post(
        &format!("/beheer/moderatie/{second}/afwijzen"),
        &moderator,
        &[("reden", "Het aanbod is intussen gewijzigd.")],
        None,
    )
    .await;
    assert_eq!(status, 303);
}

async fn pending_changes_reach_no_page_search_hsds_or_export() {
    let l = listing(false).await;
    // A new service: exists only as a request.
    let mut new = l.service.clone();
    new.id = Uuid::new_v4();
    new.name = format!("Nieuwe tekenclub {}", l.word);
    new.description = format!("Tekenen {}x", l.word);
    pending(propose(&l.editor.actor, &new, None).await);
    // A name change of the published one.
    let mut renamed = l.service.clone();
    renamed.name = format!("Hernoemd {}", l.word);
    pending(propose(&l.editor.actor, &renamed, Some(1)).await);

    let (status, _) = get(&format!("/aanbod/{}", new.id), None).await;
    assert_eq!(status, 404, "page");
    let (status, _) = hsds_service(new.id).await;
    assert_eq!(status, 404, "HSDS API");
    let (_, published) = hsds_service(l.service.id).await;
    assert_eq!(published["name"], json!(format!("Wandelgroep {}", l.word)));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let names = search_names(&l.word).await;
    assert_eq!(names, [format!("Wandelgroep {}", l.word)], "search");
    let export = export_text().await;
    assert!(export.contains(&format!("Wandelgroep {}", l.word)));
    assert!(
        !export.contains("Nieuwe tekenclub") && !export.contains("Hernoemd"),
        "export"
    );
}

async fn an_approved_change_is_searchable_within_two_seconds_and_in_the_history() {
    let l = listing(false).await;
    let moderator = moderator().await;
    let mut renamed = l.service.clone();
    let fresh = word();
    renamed.name = format!("Wandelclub {fresh}");
    let request = pending(propose(&l.editor.actor, &renamed, Some(1)).await);
    let (_, queue) = get("/beheer/moderatie", Some(&moderator)).await;
    assert!(queue.contains(&format!("Wandelclub {fresh}")));
    assert!(queue.contains("Redacteur van de organisatie"));

    let started = Instant::now();
    let (status, to) = post(
        &format!("/beheer/moderatie/{request}/goedkeuren"),
        &moderator,
        &[],
        None,
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (303, "/beheer/moderatie?klaar=goedgekeurd")
    );
    loop {
        if search_names(&fresh).await == [format!("Wandelclub {fresh}")] {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "not searchable within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, mine) = get("/beheer/mijn-wijzigingen", Some(&l.editor)).await;
    assert!(mine.contains("Gepubliceerd"));

    let (status, history) = get(
        &format!("/beheer/aanbod/{}/geschiedenis", l.service.id),
        Some(&l.editor),
    )
    .await;
    assert_eq!(status, 200);
    assert!(history.contains(&format!("Wandelgroep {}", l.word)) && history.contains(&fresh));
    assert!(history.contains("goedgekeurd door een moderator"));
    let (_, hsds) = hsds_service(l.service.id).await;
    let metadata = hsds["metadata"].as_array().expect("metadata");
    let name = metadata.iter().find(|m| m["field_name"] == "name").unwrap();
    assert_eq!(
        name["previous_value"],
        json!(format!("Wandelgroep {}", l.word))
    );
    assert_eq!(
        name["replacement_value"],
        json!(format!("Wandelclub {fresh}"))
    );
    assert_eq!(name["updated_by"], "redacteur");
    assert_eq!(name["last_action_type"], "update");
    assert_eq!(name["resource_id"], json!(l.service.id));
    let validator = wijkwijzer::hsds::schemas::validator("service").unwrap();
    let problems = wijkwijzer::hsds::schemas::problems(&validator, &hsds, 5);
    assert!(problems.is_empty(), "HSDS 3.0 schema: {problems:?}");
    let text = hsds.to_string();
    let email = match &l.editor.actor {
        Actor::User(u) => u.email.clone(),
        _ => unreachable!(),
    };
    assert!(
        !text.contains(&email) && !text.contains("Iemand"),
        "a role, never a person"
    );
}

async fn a_rejection_reason_is_required_and_shown_to_the_editor_escaped() {
    let l = listing(false).await;
    let moderator = moderator().await;
    let mut renamed = l.service.clone();
    renamed.name = format!("Wandelclub {XSS}");
    let request = pending(propose(&l.editor.actor, &renamed, Some(1)).await);
    let (_, queue) = get("/beheer/moderatie", Some(&moderator)).await;
    assert!(
        queue.contains(XSS_ESCAPED) && !queue.contains(XSS),
        "diff escapes"
    );

    let (status, body) = post(
        &format!("/beheer/moderatie/{request}/afwijzen"),
        &moderator,
        &[("reden", "  ")],
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body.contains("Schrijf op waarom"),
        "the error next to the field"
    );
    let reason = format!("Naam klopt niet {XSS}");
    let (status, _) = post(
        &format!("/beheer/moderatie/{request}/afwijzen"),
        &moderator,
        &[("reden", &reason)],
        None,
    )
    .await;
    assert_eq!(status, 303);
    let (_, mine) = get("/beheer/mijn-wijzigingen", Some(&l.editor)).await;
    assert!(mine.contains("Afgewezen"));
    assert!(mine.contains(&format!("Naam klopt niet {XSS_ESCAPED}")) && !mine.contains(XSS));
    let (_, page) = get(&format!("/aanbod/{}", l.service.id), None).await;
    assert!(
        !page.contains("Wandelclub"),
        "rejected never reaches the page"
    );
}

async fn an_editor_withdraws_their_own_request_only() {
    let l = listing(false).await;
    let mut renamed = l.service.clone();
    renamed.name = format!("Wandelclub {}", l.word);
    let request = pending(propose(&l.editor.actor, &renamed, Some(1)).await);
    let b = listing(false).await;
    let path = format!("/beheer/mijn-wijzigingen/{request}/intrekken");
    let (status, _) = post(&path, &b.editor, &[], None).await;
    assert_eq!(status, 403, "editor of B");
    let (_, mine_b) = get("/beheer/mijn-wijzigingen", Some(&b.editor)).await;
    assert!(
        !mine_b.contains("Wandelclub"),
        "B does not see A's requests"
    );
    let (status, to) = post(&path, &l.editor, &[], None).await;
    assert_eq!(
        (status, to.as_str()),
        (303, "/beheer/mijn-wijzigingen?klaar=ingetrokken")
    );
    let (_, mine) = get("/beheer/mijn-wijzigingen", Some(&l.editor)).await;
    assert!(mine.contains("Ingetrokken"));
    let moderator = moderator().await;
    let (_, queue) = get("/beheer/moderatie", Some(&moderator)).await;
    assert!(!queue.contains(&format!("Wandelclub {}", l.word)));
}

async fn a_cleared_field_stays_cleared_in_the_hsds_api_and_the_export() {
    let l = listing(true).await;
    let id = l.service.id;
    // As imported: the stored document carries the e-mail too.
    let service = l.service.clone();
    on_app(move |catalog| async move {
        let source = json!({"id": id, "name": service.name, "email": service.email,
            "phones": [{"id": Uuid::new_v4(), "number": "030 123 45 67"}]});
        catalog
            .save_service_with_source(&service, Some(&source.to_string()))
            .await
            .unwrap();
    })
    .await;
    let (_, before) = hsds_service(id).await;
    let email = format!("{}@example.org", l.word);
    assert_eq!(before["email"], json!(email));
    let (current, version, _) = editable(&l.editor.actor, id).await;
    let mut cleared = current;
    cleared.email = None;
    cleared.phone = None;
    assert_eq!(
        propose(&l.editor.actor, &cleared, Some(version))
            .await
            .unwrap(),
        Proposal::Published
    );
    let (_, after) = hsds_service(id).await;
    assert!(after.get("email").is_none(), "{after}");
    assert_eq!(after["phones"], json!([]));
    let export = export_text().await;
    let export: Value = serde_json::from_str(&export).unwrap();
    let exported = find_object(&export, &id.to_string()).expect("the service in the export");
    assert!(exported.get("email").is_none(), "{exported}");
    assert_eq!(exported["phones"], json!([]));
    // Only the history still says what it was (HSDS `metadata`, by a role).
    let metadata = exported["metadata"].as_array().unwrap();
    assert!(metadata.iter().any(|m| m["field_name"] == "email"
        && m["previous_value"] == json!(email)
        && m["replacement_value"] == ""));
}

async fn only_moderators_moderate_and_editors_see_only_their_own() {
    let a = listing(false).await;
    let b = listing(false).await;
    let mut renamed = a.service.clone();
    renamed.name = format!("Wandelclub {}", a.word);
    let request = pending(propose(&a.editor.actor, &renamed, Some(1)).await);
    let professional = person(vec![Role::Professional]).await;
    let approve = format!("/beheer/moderatie/{request}/goedkeuren");
    let reject = format!("/beheer/moderatie/{request}/afwijzen");
    for who in [&b.editor, &a.editor, &professional] {
        assert_eq!(get("/beheer/moderatie", Some(who)).await.0, 403);
        assert_eq!(post(&approve, who, &[], None).await.0, 403);
        assert_eq!(post(&reject, who, &[("reden", "nee")], None).await.0, 403);
        let trust = format!("/beheer/organisatie/{}/vertrouwd", a.org);
        assert_eq!(post(&trust, who, &[("vertrouwd", "ja")], None).await.0, 403);
    }
    // A moderator of another gemeente (Amersfoort; A is in Utrecht) neither sees nor decides.
    let elsewhere = person(vec![Role::Moderator {
        scope: ModerationScope::Gemeente("GM0307".into()),
    }])
    .await;
    let (status, queue) = get("/beheer/moderatie", Some(&elsewhere)).await;
    assert_eq!(status, 200);
    assert!(!queue.contains(&a.word), "another gemeente's request");
    assert_eq!(post(&approve, &elsewhere, &[], None).await.0, 403);
    // The history of A's service: its editor yes, B's editor no.
    let history = format!("/beheer/aanbod/{}/geschiedenis", a.service.id);
    assert_eq!(get(&history, Some(&a.editor)).await.0, 200);
    assert_eq!(get(&history, Some(&b.editor)).await.0, 403);
    // B's editor cannot move A's service under B by naming B in the proposal.
    let mut stolen = a.service.clone();
    stolen.organization_id = b.org;
    assert!(matches!(
        propose(&b.editor.actor, &stolen, Some(1)).await,
        Err(ListingChangeError::Denied(_))
    ));
    assert!(matches!(
        propose(&b.editor.actor, &a.service, Some(1)).await,
        Err(ListingChangeError::Denied(_))
    ));
    // Visitors get the sign-in page.
    for path in [
        "/beheer/moderatie",
        "/beheer/mijn-wijzigingen",
        history.as_str(),
    ] {
        let (status, to) = get(path, None).await;
        assert_eq!(status, 303, "{path}");
        assert!(to.starts_with("/inloggen?terug="), "{path}: {to}");
    }
    // Bad ids: 404, not 500.
    let moderator = moderator().await;
    assert_eq!(
        post(
            "/beheer/moderatie/geen-id/goedkeuren",
            &moderator,
            &[],
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        get("/beheer/aanbod/geen-id/geschiedenis", Some(&moderator))
            .await
            .0,
        404
    );
    let unknown = format!("/beheer/moderatie/{}/goedkeuren", Uuid::new_v4());
    assert_eq!(post(&unknown, &moderator, &[], None).await.0, 404);
    // The moderator marks A trusted from the queue.
    let (status, _) = post(
        &format!("/beheer/organisatie/{}/vertrouwd", a.org),
        &moderator,
        &[("vertrouwd", "ja")],
        None,
    )
    .await;
    assert_eq!(status, 303);
    let (_, queue) = get("/beheer/moderatie", Some(&moderator)).await;
    assert!(queue.contains("Deze organisatie is vertrouwd"));
}

async fn klopt_nog_and_status_changes_are_in_the_history() {
    let l = listing(false).await;
    let (who, id) = (l.editor.actor.clone(), l.service.id);
    on_app(move |catalog| async move {
        let today = wijkwijzer::domain::freshness::today();
        catalog
            .confirm_still_correct(&who, id, today)
            .await
            .unwrap();
        catalog
            .set_status(
                &who,
                id,
                wijkwijzer::domain::ServiceStatus::TemporarilyClosed,
                Some("Zomerstop"),
            )
            .await
            .unwrap();
    })
    .await;
    let (_, history) = get(
        &format!("/beheer/aanbod/{id}/geschiedenis"),
        Some(&l.editor),
    )
    .await;
    assert!(history.contains("Laatst gecontroleerd"), "{history}");
    assert!(history.contains("Zomerstop") && history.contains("temporarily closed"));
    // The status is a published write: an edit form opened before it is out of date.
    let mut late = l.service.clone();
    late.phone = None;
    assert!(matches!(
        propose(&l.editor.actor, &late, Some(1)).await,
        Err(ListingChangeError::Conflict { current: Some(2) })
    ));
}

async fn every_moderation_post_needs_a_valid_csrf_token() {
    let l = listing(false).await;
    let moderator = moderator().await;
    let mut renamed = l.service.clone();
    renamed.name = format!("Wandelclub {}", l.word);
    let request = pending(propose(&l.editor.actor, &renamed, Some(1)).await);
    for (path, who) in [
        (
            format!("/beheer/moderatie/{request}/goedkeuren"),
            &moderator,
        ),
        (format!("/beheer/moderatie/{request}/afwijzen"), &moderator),
        (
            format!("/beheer/organisatie/{}/vertrouwd", l.org),
            &moderator,
        ),
        (
            format!("/beheer/mijn-wijzigingen/{request}/intrekken"),
            &l.editor,
        ),
    ] {
        for token in ["", "vals"] {
            let (status, _) = post(
                &path,
                who,
                &[("reden", "x"), ("vertrouwd", "ja")],
                Some(token),
            )
            .await;
            assert_eq!(status, 403, "{path} with {token:?}");
        }
    }
    let (_, mine) = get("/beheer/mijn-wijzigingen", Some(&l.editor)).await;
    assert!(mine.contains("Wacht op een moderator"), "nothing changed");
}

common::tests_on_both_servers!(
    a_trusted_organisations_phone_change_publishes_and_a_name_change_waits,
    an_unchanged_proposal_records_nothing,
    an_edit_of_an_old_version_is_a_conflict_at_submit_and_at_approval,
    pending_changes_reach_no_page_search_hsds_or_export,
    an_approved_change_is_searchable_within_two_seconds_and_in_the_history,
    a_rejection_reason_is_required_and_shown_to_the_editor_escaped,
    an_editor_withdraws_their_own_request_only,
    a_cleared_field_stays_cleared_in_the_hsds_api_and_the_export,
    only_moderators_moderate_and_editors_see_only_their_own,
    every_moderation_post_needs_a_valid_csrf_token,
    klopt_nog_and_status_changes_are_in_the_history,
);
