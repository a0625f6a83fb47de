//! "Klopt er iets niet?" (issue 13 part 7), the moderators' list of stale listings and the
//! reminder mails (part 6), on SQLite and PostgreSQL: a visitor's report reaches the
//! organisation's editors (a mail with a link only) and the moderators, nobody else, not even
//! by URL; the form needs its CSRF token, is rate-limited per client address, keeps what was
//! typed next to its errors and everything typed is escaped; closing with an outcome erases the
//! reporter's contact; reminders go out once per listing per stale period, also when two
//! instances share one database and run at the same moment.

mod common;

use std::path::Path;

use reqwest::StatusCode;
use serde_json::json;
use time::macros::date;
use uuid::Uuid;

use common::on_both_backends;
use common::people::*;
use wijkwijzer::auth::{Actor, ModerationScope, Role, UserActor};
use wijkwijzer::catalog::Catalog;
use wijkwijzer::config::Config;
use wijkwijzer::domain::freshness::today;
use wijkwijzer::domain::{Location, Organization, Service};
use wijkwijzer::reminders::Reminders;
use wijkwijzer::reports::{ReportError, ReportInput, Reports};

const XSS: &str = "<script>alert(1)</script>";

/// How often the payload appears escaped (askama writes `<` as `&#60;`).
fn escaped(body: &str) -> usize {
    body.matches("&#60;script&#62;alert(1)").count()
        + body.matches("&lt;script&gt;alert(1)").count()
}
/// A contact that passes as an e-mail address and still carries the payload.
const XSS_CONTACT: &str = "<script>alert(1)</script>@example.org";

/// A unique marker for one test's report, to find it in a list shared with other tests.
fn marker(prefix: &str) -> String {
    format!("{prefix}-{}", Uuid::new_v4().simple())
}

/// Posts a report about `service` from `browser` (the form's token from the service page).
async fn report(browser: &mut Browser, service: &str, form: &[(&str, &str)]) -> Page {
    let path = format!("/aanbod/{service}");
    browser.submit(&path, &format!("{path}/melden"), form).await
}

// ------------------------------------------------------------------------- over HTTP

async fn a_report_reaches_the_editor_and_the_moderators_and_nobody_else() {
    let (org_a, org_b) = organisations().await;
    let editor_a = person("melding-a", &[("role", "editor"), ("organization", &org_a)]).await;
    let editor_b = person("melding-b", &[("role", "editor"), ("organization", &org_b)]).await;
    let moderator = person("melding-mod", &[("role", "moderator")]).await;
    let professional = person("melding-pro", &[("role", "professional")]).await;
    let service = service_of(&org_a).await;
    let text = format!("{} {XSS}", marker("tijden"));

    // A visitor, without an account: the form on the service page, then thanks.
    let (_, address) = unique("bezoeker");
    let mut visitor = browser_at(&address);
    let page = visitor.get(&format!("/aanbod/{service}")).await;
    assert!(page.body.contains("Klopt er iets niet?"), "{}", page.body);
    let thanks = report(
        &mut visitor,
        &service,
        &[
            ("soort", "tijden"),
            ("toelichting", &text),
            ("naam", XSS),
            ("contact", XSS_CONTACT),
        ],
    )
    .await;
    assert_eq!(thanks.status, StatusCode::OK, "{}", thanks.body);
    assert!(thanks.body.contains("Dank u voor uw melding"));

    // The editor's mail holds a link, not what the reporter wrote or who they are.
    let mail = mail_to(&editor_a).expect("mail to the editor");
    assert!(
        !mail.contains("alert(1)") && !mail.contains(&text[..10]),
        "{mail}"
    );
    assert!(mail.contains("/beheer/meldingen/"), "{mail}");
    // The id from the editor's list, by this test's text: another test may report about the
    // same organisation meanwhile, so the newest mail need not be about this report.
    let list = signed_in(&editor_a).await.get("/beheer/meldingen").await;
    let id = list
        .body
        .split("<li")
        .find(|item| item.contains(&text[..20]))
        .and_then(|item| item.split("href=\"/beheer/meldingen/").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("this report in the editor's list: {}", list.body))
        .to_string();
    let detail = format!("/beheer/meldingen/{id}");

    // Visitors get the sign-in page, for the list and for the report.
    for path in ["/beheer/meldingen", detail.as_str()] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location().starts_with("/inloggen"), "{path}");
    }

    // The editor and the moderator see it, escaped, in the list and on its page.
    for who in [&editor_a, &moderator] {
        let mut browser = signed_in(who).await;
        for path in ["/beheer/meldingen", detail.as_str()] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{who} {path}");
            assert!(page.body.contains(&text[..20]), "{who} {path}");
            assert!(!page.body.contains(XSS), "{who} {path}: not escaped");
            assert!(escaped(&page.body) >= 3, "{who} {path}");
        }
    }

    // Another organisation's editor sees neither the report in the list nor by URL; a
    // professional has no list at all.
    let mut other = signed_in(&editor_b).await;
    let list = other.get("/beheer/meldingen").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains(&id), "{}", list.body);
    assert_eq!(other.get(&detail).await.status, StatusCode::FORBIDDEN);
    let csrf = other.get("/account").await.csrf();
    let refused = other
        .post(
            &format!("{detail}/afhandelen"),
            &[("csrf", &csrf), ("uitkomst", "aangepast")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let mut pro = signed_in(&professional).await;
    assert_eq!(
        pro.get("/beheer/meldingen").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(pro.get(&detail).await.status, StatusCode::FORBIDDEN);

    // The editor closes it: the outcome stays, the reporter's name and contact go.
    let mut editor = signed_in(&editor_a).await;
    let missing = editor
        .submit(
            &detail,
            &format!("{detail}/afhandelen"),
            &[("notitie", "x")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(
        missing.body.contains("id=\"fout-uitkomst\""),
        "{}",
        missing.body
    );
    assert!(missing.body.contains(">x</textarea>"), "the note is kept");
    let closed = editor
        .submit(
            &detail,
            &format!("{detail}/afhandelen"),
            &[("uitkomst", "aangepast"), ("notitie", XSS)],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let page = editor.get(&detail).await;
    assert!(page.body.contains("Aangepast"), "{}", page.body);
    assert!(page.body.contains("Gewist bij het afhandelen"));
    assert!(!page.body.contains("@example.org"), "contact erased");
    assert!(!page.body.contains(XSS));
    assert_eq!(
        escaped(&page.body),
        2,
        "the text and the note, not the name or contact"
    );
    assert!(
        !page.body.contains("Melding afhandelen"),
        "no form once closed"
    );
    let csrf = editor.get("/account").await.csrf();
    let again = editor
        .post(
            &format!("{detail}/afhandelen"),
            &[("csrf", &csrf), ("uitkomst", "klopte-al")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

async fn the_form_keeps_what_was_typed_next_to_its_errors() {
    let (org_a, _) = organisations().await;
    let service = service_of(&org_a).await;
    let (_, address) = unique("typefout");
    let mut visitor = browser_at(&address);
    let page = report(
        &mut visitor,
        &service,
        &[("toelichting", "Nu op woensdag"), ("naam", "Piet")],
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("id=\"fout-soort\""), "{}", page.body);
    assert!(page.body.contains(">Nu op woensdag</textarea>"));
    assert!(page.body.contains("value=\"Piet\""));

    let page = report(
        &mut visitor,
        &service,
        &[("soort", "adres"), ("contact", "bel me maar")],
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("id=\"fout-contact\""), "{}", page.body);
    assert!(page.body.contains("value=\"bel me maar\""));
    assert!(
        page.body.contains("value=\"adres\" checked"),
        "the choice is kept"
    );
}

async fn reports_need_a_valid_csrf_token() {
    let (org_a, _) = organisations().await;
    let service = service_of(&org_a).await;
    let (_, address) = unique("vervalst");
    let mut visitor = browser_at(&address);
    visitor.get(&format!("/aanbod/{service}")).await;
    for csrf in ["", "vervalst"] {
        let page = visitor
            .post(
                &format!("/aanbod/{service}/melden"),
                &[("csrf", csrf), ("soort", "tijden")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{csrf:?}");
    }
    let moderator = person("vervalst-mod", &[("role", "moderator")]).await;
    let mut browser = signed_in(&moderator).await;
    let page = browser
        .post(
            &format!("/beheer/meldingen/{}/afhandelen", Uuid::new_v4()),
            &[("uitkomst", "aangepast")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

async fn reports_are_rate_limited_per_client_address() {
    let (org_a, _) = organisations().await;
    let service = service_of(&org_a).await;
    let (_, address) = unique("spam");
    let mut visitor = browser_at(&address);
    for _ in 0..REPORTS_PER_HOUR {
        let page = report(&mut visitor, &service, &[("soort", "tijden")]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    let refused = report(&mut visitor, &service, &[("soort", "tijden")]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key("retry-after"));
    // Another address is not held up.
    let (_, elsewhere) = unique("buurman");
    let mut neighbour = browser_at(&elsewhere);
    let page = report(&mut neighbour, &service, &[("soort", "adres")]).await;
    assert_eq!(page.status, StatusCode::OK);
}

async fn bad_ids_are_pages_that_do_not_exist() {
    let moderator = person("ids-mod", &[("role", "moderator")]).await;
    let mut browser = signed_in(&moderator).await;
    for path in [
        "/beheer/meldingen/onzin".to_string(),
        format!("/beheer/meldingen/{}", Uuid::new_v4()),
    ] {
        assert_eq!(
            browser.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (_, address) = unique("ids");
    let mut visitor = browser_at(&address);
    let (org_a, _) = organisations().await;
    let csrf = visitor
        .get(&format!("/aanbod/{}", service_of(&org_a).await))
        .await
        .csrf();
    for id in ["onzin".to_string(), Uuid::new_v4().to_string()] {
        let page = visitor
            .post(
                &format!("/aanbod/{id}/melden"),
                &[("csrf", &csrf), ("soort", "tijden")],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{id}");
    }
}

async fn the_stale_list_is_for_moderators() {
    // The demo listing checked longest ago (or never) is on the instance moderator's list.
    let body = api("/hsds/services?per_page=100").await;
    let oldest = body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .min_by_key(|s| s["assured_date"].as_str().unwrap_or("").to_string())
        .unwrap();
    let oldest = oldest["id"].as_str().unwrap();
    let moderator = person("verouderd-mod", &[("role", "moderator")]).await;
    let mut browser = signed_in(&moderator).await;
    let page = browser.get("/beheer/verouderd").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("/aanbod/{oldest}")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Laatst gecontroleerd"));
    assert!(page.body.contains("Herinnering: "));

    let utrecht = person(
        "verouderd-utrecht",
        &[("role", "moderator"), ("gemeente", "GM0344")],
    )
    .await;
    assert_eq!(
        signed_in(&utrecht)
            .await
            .get("/beheer/verouderd")
            .await
            .status,
        StatusCode::OK
    );
    let (org_a, _) = organisations().await;
    let editor = person(
        "verouderd-red",
        &[("role", "editor"), ("organization", &org_a)],
    )
    .await;
    let professional = person("verouderd-pro", &[("role", "professional")]).await;
    for who in [editor, professional] {
        let page = signed_in(&who).await.get("/beheer/verouderd").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{who}");
    }
    let (_, address) = unique("verouderd-bezoeker");
    let page = browser_at(&address).get("/beheer/verouderd").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/inloggen"));
}

common::tests_on_both_servers!(
    a_report_reaches_the_editor_and_the_moderators_and_nobody_else,
    the_form_keeps_what_was_typed_next_to_its_errors,
    reports_need_a_valid_csrf_token,
    reports_are_rate_limited_per_client_address,
    bad_ids_are_pages_that_do_not_exist,
    the_stale_list_is_for_moderators,
);

// ------------------------------------------------------------ use cases, both databases

fn test_id(name: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("wijkwijzer-reports-test:{name}").as_bytes(),
    )
}

const STALE_ONE: &str = "Breiclub Vergeten";
const STALE_TWO: &str = "Zangkoor Nooit Gecontroleerd";
const FRESH: &str = "Schaakclub Net Nagekeken";

/// An organisation with a place in Overvecht (gemeente Utrecht) and three listings: checked
/// long ago, never checked, and checked last week.
async fn plant(catalog: &Catalog) {
    let org: Organization = serde_json::from_value(json!({
        "id": test_id("org"),
        "name": "Buurtvereniging Test",
        "description": "Een testorganisatie",
    }))
    .unwrap();
    catalog.save_organization(&org).await.unwrap();
    let location: Location = serde_json::from_value(json!({
        "id": test_id("place"),
        "organization_id": test_id("org"),
        "name": "Buurthuis",
        "latitude": 52.1165,
        "longitude": 5.1135,
    }))
    .unwrap();
    catalog.save_location(&location).await.unwrap();
    for (name, assured) in [
        (STALE_ONE, Some(date!(2025 - 01 - 06))),
        (STALE_TWO, None),
        (FRESH, Some(today() - time::Duration::days(7))),
    ] {
        let mut service: Service = serde_json::from_value(json!({
            "id": test_id(name),
            "organization_id": test_id("org"),
            "name": name,
            "description": "Samen bezig zijn in de buurt.",
            "categories": ["ontmoeting"],
            "access_route": "open",
            "formality": "informal",
            "setting": "in_person",
            "group_format": "group",
            "location_ids": [test_id("place")],
        }))
        .unwrap();
        service.assured_date = assured;
        catalog.save_service(&service).await.unwrap();
    }
}

fn user(roles: Vec<Role>) -> Actor {
    Actor::User(UserActor {
        id: Uuid::new_v4(),
        email: "iemand@example.org".into(),
        name: "Iemand".into(),
        roles,
    })
}

fn moderator_of(gemeente: &str) -> Actor {
    user(vec![Role::Moderator {
        scope: ModerationScope::Gemeente(gemeente.into()),
    }])
}

/// The mails in a data directory's mail folder, decoded.
fn mails(data_dir: &Path) -> Vec<String> {
    std::fs::read_dir(data_dir.join("mail"))
        .map(|dir| {
            dir.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|x| x == "eml"))
                .filter_map(|path| std::fs::read_to_string(path).ok())
                .map(|raw| decode_mail(&raw))
                .collect()
        })
        .unwrap_or_default()
}

/// An editor of the planted organisation, straight in the database.
async fn editor(catalog: &Catalog, email: &str) {
    let user = catalog
        .store
        .create_user(email, "Redacteur", None)
        .await
        .unwrap();
    catalog
        .store
        .grant_role(
            user,
            &Role::OrganisationEditor {
                organization: test_id("org"),
            },
            None,
        )
        .await
        .unwrap();
}

fn mailer(data_dir: &Path) -> std::sync::Arc<wijkwijzer::mail::Mailer> {
    std::sync::Arc::new(
        wijkwijzer::mail::Mailer::new(None, "Wijkwijzer <w@example.org>", data_dir).unwrap(),
    )
}

#[tokio::test]
async fn moderators_of_the_gemeente_handle_its_reports_and_closing_erases_the_contact() {
    on_both_backends(false, |catalog: Catalog, config: Config| async move {
        plant(&catalog).await;
        editor(&catalog, "redacteur@example.org").await;
        let reports = Reports::new(
            catalog.store.clone(),
            mailer(&config.data_dir),
            "https://wijkwijzer.example.nl".into(),
        );
        let input = ReportInput {
            soort: "bestaat-niet-meer".into(),
            toelichting: "Gestopt in de zomer".into(),
            naam: "Piet".into(),
            contact: "piet@example.org".into(),
        };
        let id = reports.submit(test_id(STALE_ONE), &input).await.unwrap();
        let sent = mails(&config.data_dir);
        assert_eq!(sent.len(), 1, "one mail to the one editor");
        assert!(sent[0].contains(&format!(
            "https://wijkwijzer.example.nl/beheer/meldingen/{id}"
        )));
        assert!(!sent[0].contains("Gestopt") && !sent[0].contains("piet@"));

        // Closing records who closed: a person with an account.
        let utrecht = match moderator_of("GM0344") {
            Actor::User(mut person) => {
                person.id = catalog
                    .store
                    .create_user("moderator@example.org", "Moderator", None)
                    .await
                    .unwrap();
                Actor::User(person)
            }
            other => other,
        };
        let amersfoort = moderator_of("GM0307");
        let other_editor = user(vec![Role::OrganisationEditor {
            organization: Uuid::new_v4(),
        }]);
        assert!(
            reports
                .queue(&utrecht)
                .await
                .unwrap()
                .open
                .iter()
                .any(|r| r.id == id)
        );
        assert!(reports.queue(&amersfoort).await.unwrap().open.is_empty());
        assert!(reports.queue(&other_editor).await.unwrap().open.is_empty());
        for refused in [&amersfoort, &other_editor] {
            assert!(matches!(
                reports.report(refused, id).await,
                Err(ReportError::Denied(_))
            ));
        }
        assert!(matches!(
            reports.report(&Actor::Visitor, id).await,
            Err(ReportError::Denied(wijkwijzer::auth::Denied::NotSignedIn))
        ));
        assert!(matches!(
            reports.queue(&user(vec![Role::Professional])).await,
            Err(ReportError::Denied(wijkwijzer::auth::Denied::Forbidden))
        ));

        let open = reports.report(&utrecht, id).await.unwrap();
        assert_eq!(open.reporter_contact.as_deref(), Some("piet@example.org"));
        reports
            .close(&utrecht, id, "doorgestuurd", "Naar de wijkcoach")
            .await
            .unwrap();
        let closed = reports.report(&utrecht, id).await.unwrap();
        assert_eq!(closed.reporter_name, None);
        assert_eq!(closed.reporter_contact, None);
        assert_eq!(closed.outcome.as_deref(), Some("doorgestuurd"));
        assert_eq!(closed.outcome_note.as_deref(), Some("Naar de wijkcoach"));
        assert_eq!(closed.details, "Gestopt in de zomer");
        assert!(matches!(
            reports.close(&utrecht, id, "anders", "").await,
            Err(ReportError::AlreadyClosed)
        ));
        let queue = reports.queue(&utrecht).await.unwrap();
        assert!(queue.open.is_empty() && queue.closed.iter().any(|r| r.id == id));
    })
    .await;
}

/// A second instance on the same database: its own catalog, mail folder and reminders.
async fn second_instance(config: &Config, dir: &Path) -> (Catalog, Reminders) {
    let database_url = config.database_url.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}",
            config.data_dir.join("wijkwijzer.db").to_string_lossy()
        )
    });
    let mut other = Config::for_tests(dir.to_path_buf(), Some(database_url));
    other.demo_data = Some(false);
    let catalog = wijkwijzer::app::prepare(&other).await.unwrap();
    let reminders = Reminders::new(catalog.clone(), mailer(dir), "http://tweede".into());
    (catalog, reminders)
}

#[tokio::test]
async fn reminders_go_once_per_listing_and_period_even_from_two_instances_at_once() {
    on_both_backends(false, |catalog: Catalog, config: Config| async move {
        plant(&catalog).await;
        editor(&catalog, "redacteur@example.org").await;
        let first = Reminders::new(
            catalog.clone(),
            mailer(&config.data_dir),
            "http://eerste".into(),
        );
        let dir = tempfile::tempdir().unwrap();
        let (other_catalog, second) = second_instance(&config, dir.path()).await;

        let today = today();
        let (a, b) = tokio::join!(first.send_due(today), second.send_due(today));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.listings + b.listings, 2, "{a:?} {b:?}");
        let all: Vec<String> = mails(&config.data_dir)
            .into_iter()
            .chain(mails(dir.path()))
            .collect();
        for name in [STALE_ONE, STALE_TWO] {
            let link = format!("/aanbod/{}", test_id(name));
            let count: usize = all.iter().map(|m| m.matches(&link).count()).sum();
            assert_eq!(count, 1, "{name} in exactly one mail: {all:?}");
        }
        assert!(!all.iter().any(|m| m.contains(&test_id(FRESH).to_string())));

        // The moderators' list says the reminders went out.
        let lines = first
            .stale_list(&moderator_of("GM0344"), today)
            .await
            .unwrap();
        for name in [STALE_ONE, STALE_TWO] {
            let line = lines
                .iter()
                .find(|l| l.service.id == test_id(name))
                .unwrap_or_else(|| panic!("{name} on the stale list"));
            assert!(line.reminded.is_some(), "{name}");
        }
        assert!(!lines.iter().any(|l| l.service.id == test_id(FRESH)));
        assert!(
            first
                .stale_list(&moderator_of("GM0307"), today)
                .await
                .unwrap()
                .iter()
                .all(|l| l.service.organization_id != test_id("org"))
        );
        assert!(first.stale_list(&Actor::Visitor, today).await.is_err());

        // A second run in the same period sends nothing.
        let again = first.send_due(today).await.unwrap();
        assert_eq!(again.listings, 0);
        let before = all.len();

        // Confirmed since: not stale, not reminded. Stale again later: a new period, a new
        // reminder.
        catalog
            .confirm_still_correct(&Actor::System, test_id(STALE_ONE), date!(2025 - 06 - 01))
            .await
            .unwrap();
        let later = second.send_due(today).await.unwrap();
        assert_eq!(later.listings, 1, "{later:?}");
        catalog
            .confirm_still_correct(&Actor::System, test_id(STALE_ONE), today)
            .await
            .unwrap();
        assert_eq!(first.send_due(today).await.unwrap().listings, 0);
        let after: usize = mails(&config.data_dir).len() + mails(dir.path()).len();
        assert_eq!(after, before + 1);
        other_catalog.store.close().await;
    })
    .await;
}

/// `wijkwijzer reminders send` runs the same job once.
#[tokio::test]
async fn the_reminders_command_sends_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(dir.path().to_path_buf(), None);
    let catalog = wijkwijzer::app::prepare(&config).await.unwrap();
    plant(&catalog).await;
    editor(&catalog, "redacteur@example.org").await;
    catalog.store.close().await;
    // The command opens the data directory's index itself.
    drop(catalog);
    let run = wijkwijzer::cli::send_reminders(config.clone())
        .await
        .unwrap();
    assert_eq!((run.mails, run.listings), (1, 2));
    let run = wijkwijzer::cli::send_reminders(config).await.unwrap();
    assert_eq!(run.listings, 0);
    assert_eq!(mails(dir.path()).len(), 1);
}
