//! The referral core (issue 14 parts 2 and 4), driven through the use cases
//! (`AppState.referrals`) of a real app on SQLite and on PostgreSQL, with real accounts in the
//! database: nothing without consent; no personal field in clear text anywhere on disk or in
//! the database, the index, the HSDS output, the dump and the export; the purge and consent
//! withdrawal erase the personal data and keep the counts; every read is audited and the audit
//! log is append-only; nobody else opens a referral; the Gravity status graph; duplicates;
//! reminders; intake points by postcode; no personal data in captured logs (TRACE); the public
//! response figures; and the demo's intake points.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use common::web::decode_mail;
use common::{PgTestDb, postgres_server};
use wijkwijzer::app::{App, AppState};
use wijkwijzer::auth::{Actor, Denied, ModerationScope, Role, UserActor};
use wijkwijzer::config::Config;
use wijkwijzer::domain::referral::ReferralStatus;
use wijkwijzer::domain::{Location, Organization, Service};
use wijkwijzer::referrals::{IntakeChoice, ReferralError, ReferralInput, TransitionInput};

// ------------------------------------------------------------------------------ harness

/// Everything one test run on one backend has: the app's state (its use cases), its base URL
/// (it serves while the test runs), its data directory and a raw connection to its database.
struct Env {
    state: AppState,
    base: String,
    data_dir: PathBuf,
    raw: Raw,
}

/// A connection of our own to the app's database, for what no use case may do: read raw
/// rows, age a referral, try to change the audit log.
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    async fn exec(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        Ok(match self {
            Raw::Sqlite(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
            Raw::Postgres(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
        })
    }

    async fn count(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .expect("count")
    }

    /// Sets a time column of one referral (the test's way to let time pass).
    async fn set_time(&self, column: &str, id: Uuid, at: OffsetDateTime) {
        let sql = sqlx::AssertSqlSafe(format!("update referral set {column} = $1 where id = $2"));
        let done = match self {
            Raw::Sqlite(pool) => sqlx::query(sql)
                .bind(at)
                .bind(id.to_string())
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
            Raw::Postgres(pool) => sqlx::query(sql)
                .bind(at)
                .bind(id.to_string())
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
        }
        .expect("set a time");
        assert_eq!(done, 1, "{column} of {id}");
    }

    /// Every row of every table as text (PostgreSQL: a pg_dump of the data, in effect).
    async fn all_rows_as_text(&self) -> String {
        let mut out = String::new();
        match self {
            Raw::Postgres(pool) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "select table_name::text from information_schema.tables \
                     where table_schema = 'public' and table_type = 'BASE TABLE'",
                )
                .fetch_all(pool)
                .await
                .unwrap();
                assert!(tables.iter().any(|t| t == "referral"), "{tables:?}");
                for table in tables {
                    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "select t::text from \"{table}\" t"
                    )))
                    .fetch_all(pool)
                    .await
                    .unwrap();
                    out.push_str(&rows.join("\n"));
                }
            }
            Raw::Sqlite(_) => unreachable!("SQLite is read as bytes"),
        }
        out
    }

    async fn close(self) {
        match self {
            Raw::Sqlite(pool) => pool.close().await,
            Raw::Postgres(pool) => pool.close().await,
        }
    }
}

/// Runs `test` against a fresh app on SQLite, then on a fresh PostgreSQL database (skipped or
/// failing as `postgres_server` decides). `demo`: with the demo data loaded.
async fn on_both<F, Fut>(demo: bool, test: F)
where
    F: Fn(Env) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    run_on(dir.path().join("sqlite"), None, demo, &test).await;
    let Some(server) = postgres_server().await else {
        return;
    };
    let db = PgTestDb::create(&server).await;
    run_on(dir.path().join("pg"), Some(db.url.clone()), demo, &test).await;
    db.drop_db().await;
}

async fn run_on<F, Fut>(data_dir: PathBuf, database_url: Option<String>, demo: bool, test: &F)
where
    F: Fn(Env) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut config = Config::for_tests(data_dir.clone(), database_url.clone());
    config.demo_data = Some(demo);
    let app = App::build(config).await.expect("app builds");
    let state = app.state().clone();
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        app.run(async move {
            let _ = stopped.await;
        })
        .await
        .expect("app runs");
    });
    let raw = match &database_url {
        None => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(data_dir.join("wijkwijzer.db"))
                .busy_timeout(std::time::Duration::from_secs(10));
            Raw::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await
                    .expect("raw SQLite connection"),
            )
        }
        Some(url) => Raw::Postgres(sqlx::PgPool::connect(url).await.expect("raw PostgreSQL")),
    };
    test(Env {
        state: state.clone(),
        base,
        data_dir,
        raw,
    })
    .await;
    let _ = stop.send(());
    serving.await.unwrap();
    state.catalog.store.close().await;
}

fn test_id(name: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("wijkwijzer-referral-core:{name}").as_bytes(),
    )
}

/// The places of the planted services: in Overvecht (WK034403), in the Binnenstad
/// (WK034406) and in Oost (WK034405), gemeente Utrecht.
const OVERVECHT: (f64, f64) = (52.1165, 5.1135);
const BINNENSTAD: (f64, f64) = (52.0907, 5.1214);

/// Organisation A (the receiver, with an intake in Overvecht), B (another welfare organisation
/// with the Binnenstad intake) and C (a sports club with an activity); each service takes
/// referrals.
async fn plant(state: &AppState) {
    let catalog = &state.catalog;
    for (org, name) in [
        ("a", "Welzijn Alfa"),
        ("b", "Welzijn Bravo"),
        ("c", "Sportclub Charlie"),
    ] {
        let org: Organization = serde_json::from_value(json!({
            "id": test_id(org),
            "name": name,
            "description": "Een testorganisatie",
        }))
        .unwrap();
        catalog.save_organization(&org).await.unwrap();
    }
    for (place, org, (lat, lon)) in [
        ("place-a", "a", OVERVECHT),
        ("place-b", "b", BINNENSTAD),
        ("place-c", "c", OVERVECHT),
    ] {
        let location: Location = serde_json::from_value(json!({
            "id": test_id(place),
            "organization_id": test_id(org),
            "name": "Buurthuis",
            "latitude": lat,
            "longitude": lon,
        }))
        .unwrap();
        catalog.save_location(&location).await.unwrap();
    }
    for (service, org, place, name, category) in [
        (
            "intake-a",
            "a",
            "place-a",
            "Intake Welzijn op Recept Alfa",
            "welzijn-op-recept/welzijnscoach",
        ),
        (
            "intake-b",
            "b",
            "place-b",
            "Intake Welzijn op Recept Bravo",
            "welzijn-op-recept/welzijnscoach",
        ),
        (
            "activity-c",
            "c",
            "place-c",
            "Wandelen met Charlie",
            "ontmoeting",
        ),
    ] {
        let service: Service = serde_json::from_value(json!({
            "id": test_id(service),
            "organization_id": test_id(org),
            "name": name,
            "description": "Samen bezig zijn in de buurt.",
            "categories": [category],
            "access_route": "open",
            "formality": "informal",
            "setting": "in_person",
            "group_format": "group",
            "accepts_referrals": true,
            "location_ids": [test_id(place)],
        }))
        .unwrap();
        catalog.save_service(&service).await.unwrap();
    }
}

/// A real account in the database with `roles`, as the policy sees it.
async fn account(state: &AppState, prefix: &str, roles: &[Role]) -> Actor {
    let store = &state.catalog.store;
    let email = format!(
        "{prefix}-{}@example.org",
        &Uuid::new_v4().simple().to_string()[..8]
    );
    let id = store.create_user(&email, prefix, None).await.unwrap();
    for role in roles {
        store.grant_role(id, role, None).await.unwrap();
    }
    Actor::User(UserActor {
        id,
        email,
        name: prefix.to_string(),
        roles: store.roles_of(id).await.unwrap(),
    })
}

fn editor_of(org: &str) -> Role {
    Role::OrganisationEditor {
        organization: test_id(org),
    }
}

fn email_of(actor: &Actor) -> String {
    actor.user().expect("a person").email.clone()
}

/// The people of a test: editors of A, B and C, two professionals, a moderator of gemeente
/// Utrecht and an administrator.
struct People {
    editor_a: Actor,
    editor_b: Actor,
    editor_c: Actor,
    pro: Actor,
    other_pro: Actor,
    moderator: Actor,
    admin: Actor,
}

async fn people(state: &AppState) -> People {
    People {
        editor_a: account(state, "redacteur-a", &[editor_of("a")]).await,
        editor_b: account(state, "redacteur-b", &[editor_of("b")]).await,
        editor_c: account(state, "redacteur-c", &[editor_of("c")]).await,
        pro: account(state, "huisarts", &[Role::Professional]).await,
        other_pro: account(state, "poh", &[Role::Professional]).await,
        moderator: account(
            state,
            "moderator",
            &[Role::Moderator {
                scope: ModerationScope::Gemeente("GM0344".into()),
            }],
        )
        .await,
        admin: account(state, "beheerder", &[Role::Administrator]).await,
    }
}

/// The personal data of one resident, distinctive enough to search raw bytes for.
struct Resident {
    name: &'static str,
    phone: &'static str,
    moments: &'static str,
    note: &'static str,
}

const ZYX: Resident = Resident {
    name: "Zyxwvut Qqqplonk",
    phone: "0612398745",
    moments: "belt-liever-dinsdag-xq",
    note: "toelichting-vvbbnnmm-geheim",
};

impl Resident {
    fn strings(&self) -> [&'static str; 4] {
        [self.name, self.phone, self.moments, self.note]
    }
}

fn input(resident: &Resident) -> ReferralInput {
    ReferralInput {
        naam: resident.name.into(),
        contact: resident.phone.into(),
        kanaal: "telefoon".into(),
        momenten: resident.moments.into(),
        redenen: vec!["ontmoeting".into()],
        toelichting: resident.note.into(),
        postcode: "3562 AB".into(),
        toestemming: Some("ja".into()),
        rol: "huisarts".into(),
        organisatie: "Huisartsenpraktijk Test".into(),
        ..ReferralInput::default()
    }
}

/// An input with a contact of its own (no duplicate of any other).
fn fresh_input(n: u32) -> ReferralInput {
    ReferralInput {
        naam: format!("Inwoner {n}"),
        contact: format!("06{:08}", 10_000_000 + n),
        ..input(&ZYX)
    }
}

fn step(van: &str, naar: &str, reden: &str) -> TransitionInput {
    TransitionInput {
        van: van.into(),
        naar: naar.into(),
        reden: reden.into(),
        ..Default::default()
    }
}

async fn referral_rows(env: &Env) -> i64 {
    env.raw.count("select count(*) from referral").await
        + env.raw.count("select count(*) from referral_event").await
        + env
            .raw
            .count("select count(*) from referral_category")
            .await
        + env.raw.count("select count(*) from referral_audit").await
}

/// Every mail in the data directory's mail folder: its raw text and its decoded body.
fn mails(data_dir: &Path) -> Vec<String> {
    std::fs::read_dir(data_dir.join("mail"))
        .map(|dir| {
            dir.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|x| x == "eml"))
                .filter_map(|path| std::fs::read_to_string(path).ok())
                .map(|raw| format!("{raw}\n{}", decode_mail(&raw)))
                .collect()
        })
        .unwrap_or_default()
}

fn mails_to<'a>(all: &'a [String], to: &str, subject: &str) -> Vec<&'a String> {
    all.iter()
        .filter(|m| m.lines().any(|l| l.starts_with("To:") && l.contains(to)))
        .filter(|m| m.contains(subject))
        .collect()
}

/// Every byte of every file under `dir` (database, its -wal and -shm, index, mails …).
fn all_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(path) = todo.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                todo.push(entry.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    contains_bytes(haystack, needle.as_bytes())
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_nowhere(what: &str, text: &str, resident: &Resident) {
    for s in resident.strings() {
        assert!(!text.contains(s), "{s:?} in {what}");
    }
    // The digits of the phone number, also when written with spaces.
    assert!(!text.contains("12398745"), "phone digits in {what}");
}

// ------------------------------------------------------------------------------ 1. consent

#[tokio::test]
async fn nothing_is_stored_without_consent() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let before = referral_rows(&env).await;
        let mails_before = mails(&env.data_dir).len();
        for toestemming in [None, Some(String::new()), Some("  ".into())] {
            let refused = env
                .state
                .referrals
                .refer(
                    &p.pro,
                    test_id("intake-a"),
                    &ReferralInput {
                        toestemming,
                        ..input(&ZYX)
                    },
                    false,
                )
                .await;
            assert!(
                matches!(refused, Err(ReferralError::NoConsent)),
                "{refused:?}"
            );
        }
        assert_eq!(referral_rows(&env).await, before, "no row without consent");
        assert_eq!(env.raw.count("select count(*) from referral").await, 0);
        assert_eq!(mails(&env.data_dir).len(), mails_before, "and no mail");
        // With consent it is stored (the same input otherwise): the check above can fail.
        env.state
            .referrals
            .refer(&p.pro, test_id("intake-a"), &input(&ZYX), false)
            .await
            .unwrap();
        assert_eq!(env.raw.count("select count(*) from referral").await, 1);
    })
    .await;
}

// ------------------------------------------------------- 2. no clear text anywhere at rest

#[tokio::test]
async fn no_personal_field_in_clear_text_in_the_database_index_hsds_dump_or_export() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let sent = referrals
            .refer(&p.pro, test_id("intake-a"), &input(&ZYX), false)
            .await
            .unwrap();
        // A note on a step is personal too.
        referrals
            .transition(
                &p.editor_a,
                sent.id,
                &TransitionInput {
                    notitie: ZYX.note.into(),
                    ..step("requested", "accepted", "")
                },
            )
            .await
            .unwrap();
        // It can be opened: the data is there, only not in clear text.
        let opened = referrals.open(&p.editor_a, sent.id, "test").await.unwrap();
        let personal = opened.personal.expect("personal data");
        assert_eq!(personal.name, ZYX.name);
        assert_eq!(personal.contact, ZYX.phone);
        assert_eq!(opened.steps[1].note.as_deref(), Some(ZYX.note));
        env.state
            .catalog
            .indexer
            .catch_up(&mut Default::default())
            .await
            .unwrap();

        match &env.raw {
            Raw::Sqlite(pool) => {
                // The database file and its WAL as they are, then again after a checkpoint.
                for round in ["before checkpoint", "after checkpoint"] {
                    let files = all_bytes(&env.data_dir);
                    let names: Vec<String> =
                        files.iter().map(|(p, _)| p.display().to_string()).collect();
                    assert!(
                        names.iter().any(|n| n.ends_with("wijkwijzer.db")),
                        "{names:?}"
                    );
                    assert!(names.iter().any(|n| n.contains("index")), "{names:?}");
                    for (path, bytes) in &files {
                        for s in ZYX.strings() {
                            assert!(!contains(bytes, s), "{s:?} in {} ({round})", path.display());
                        }
                        assert!(!contains(bytes, "12398745"), "{}", path.display());
                    }
                    // The raw read itself works: the code is in the database.
                    assert!(
                        files.iter().any(|(_, b)| contains(b, &sent.code)),
                        "the test reads the database ({round})"
                    );
                    sqlx::query("pragma wal_checkpoint(full)")
                        .execute(pool)
                        .await
                        .unwrap();
                }
            }
            Raw::Postgres(_) => {
                let text = env.raw.all_rows_as_text().await;
                assert!(text.contains(&sent.code), "the dump holds the referral");
                assert_nowhere("the PostgreSQL tables", &text, &ZYX);
                // The data directory (index, mails) too.
                for (path, bytes) in all_bytes(&env.data_dir) {
                    let text = String::from_utf8_lossy(&bytes);
                    assert_nowhere(&path.display().to_string(), &text, &ZYX);
                }
            }
        }

        // The HSDS output, the dump and the export.
        let client = common::http();
        for path in [
            "/hsds/services?per_page=100".to_string(),
            "/hsds/services?format=ndjson".to_string(),
            format!("/hsds/services/{}", test_id("intake-a")),
            "/hsds/organizations?per_page=100".to_string(),
            "/api/v1/search?q=welzijn".to_string(),
        ] {
            let response = client
                .get(format!("{}{path}", env.base))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{path}");
            let body = response.text().await.unwrap();
            assert!(body.contains("Alfa"), "{path} shows the receiver: {body}");
            assert_nowhere(&path, &body, &ZYX);
        }
        let out = tempfile::tempdir().unwrap();
        for (format, name) in [
            (wijkwijzer::hsds::export::Format::Json, "export.json"),
            (wijkwijzer::hsds::export::Format::Ndjson, "export.ndjson"),
            (wijkwijzer::hsds::export::Format::Csv, "csv"),
        ] {
            let path = out.path().join(name);
            wijkwijzer::hsds::export::export_path(&env.state.catalog, format, &path)
                .await
                .unwrap();
        }
        let exported = all_bytes(out.path());
        assert!(
            exported.iter().any(|(_, b)| contains(b, "Alfa")),
            "the export holds the receiver"
        );
        for (path, bytes) in exported {
            assert_nowhere(
                &path.display().to_string(),
                &String::from_utf8_lossy(&bytes),
                &ZYX,
            );
        }
        env.raw.close().await;
    })
    .await;
}

// --------------------------------------------------------------- 3. purge and withdrawal

#[tokio::test]
async fn the_purge_erases_personal_data_after_the_retention_period_and_keeps_the_counts() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let store = &env.state.catalog.store;
        let intake = test_id("intake-a");
        let old = referrals
            .refer(&p.pro, intake, &fresh_input(1), false)
            .await
            .unwrap();
        let recent = referrals
            .refer(&p.pro, intake, &fresh_input(2), false)
            .await
            .unwrap();
        let open = referrals
            .refer(&p.pro, intake, &fresh_input(3), false)
            .await
            .unwrap();
        for (id, to) in [(old.id, "completed"), (recent.id, "completed")] {
            referrals
                .transition(&p.editor_a, id, &step("requested", "accepted", ""))
                .await
                .unwrap();
            referrals
                .transition(
                    &p.editor_a,
                    id,
                    &TransitionInput {
                        notitie: "notitie bij afronden".into(),
                        ..step("accepted", to, "")
                    },
                )
                .await
                .unwrap();
        }
        let now = OffsetDateTime::now_utc();
        let retention = i64::from(referrals.settings().retention_days);
        env.raw
            .set_time(
                "closed_at",
                old.id,
                now - time::Duration::days(retention + 1),
            )
            .await;
        env.raw
            .set_time(
                "closed_at",
                recent.id,
                now - time::Duration::days(retention - 1),
            )
            .await;

        assert_eq!(referrals.purge_expired(now).await.unwrap(), 1);
        assert_eq!(referrals.purge_expired(now).await.unwrap(), 0, "once");

        // The old one: nothing personal left, not even the key.
        let detail = referrals.open(&p.editor_a, old.id, "test").await.unwrap();
        assert!(detail.personal.is_none());
        assert!(detail.steps.iter().all(|s| s.note.is_none()));
        assert_eq!(
            store.referral_sealed(old.id).await.unwrap(),
            Default::default()
        );
        assert_eq!(
            env.raw
                .count(&format!(
                    "select count(*) from referral where id = '{}' and wrapped_key is null \
                     and sealed_name is null and sealed_contact is null \
                     and sealed_moments is null and sealed_note is null \
                     and duplicate_tag is null and purged_at is not null",
                    old.id
                ))
                .await,
            1
        );
        assert_eq!(
            env.raw
                .count(&format!(
                    "select count(*) from referral_event where referral_id = '{}' \
                     and sealed_note is not null",
                    old.id
                ))
                .await,
            0
        );
        // Its anonymous facts stay, and count.
        let row = &detail.summary.row;
        assert_eq!(detail.summary.status, ReferralStatus::Completed);
        assert_eq!(row.categories, vec!["ontmoeting".to_string()]);
        assert_eq!(row.wijk_code.as_deref(), Some("WK034403"));
        assert_eq!(row.route, "zorg");
        assert!(row.closed_at.is_some() && row.first_response_at.is_some());
        assert_eq!(detail.steps.len(), 3, "requested, accepted, completed");
        let inbox = referrals
            .inbox(&p.editor_a, test_id("org-none-check"))
            .await;
        assert!(
            inbox.is_err(),
            "another organisation's inbox is not the editor's"
        );
        let inbox = referrals.inbox(&p.editor_a, test_id("a")).await.unwrap();
        assert_eq!(inbox.closed.len(), 2);
        assert_eq!(inbox.new.len(), 1);
        // The resident's code no longer opens anything: the second factor is gone.
        assert!(matches!(
            referrals.resident_view(&old.code, "06 10000001").await,
            Err(ReferralError::NotFound)
        ));

        // The recent one and the open one keep their data.
        for id in [recent.id, open.id] {
            let detail = referrals.open(&p.editor_a, id, "test").await.unwrap();
            assert!(detail.personal.is_some(), "{id}");
        }
        let kept = referrals.open(&p.pro, recent.id, "test").await.unwrap();
        assert_eq!(kept.steps[2].note.as_deref(), Some("notitie bij afronden"));
        env.raw.close().await;
    })
    .await;
}

#[tokio::test]
async fn withdrawing_consent_erases_at_once_and_cancels_an_open_referral() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let intake = test_id("intake-a");
        let by_referrer = referrals
            .refer(&p.pro, intake, &fresh_input(1), false)
            .await
            .unwrap();
        let by_resident = referrals
            .refer(&p.pro, intake, &fresh_input(2), false)
            .await
            .unwrap();
        referrals
            .transition(
                &p.editor_a,
                by_resident.id,
                &step("requested", "accepted", ""),
            )
            .await
            .unwrap();

        // Nobody else withdraws for the resident.
        for stranger in [&p.other_pro, &p.editor_b, &p.moderator] {
            assert!(matches!(
                referrals.withdraw_consent(stranger, by_referrer.id).await,
                Err(ReferralError::NotFound)
            ));
        }
        assert!(
            referrals
                .open(&p.pro, by_referrer.id, "test")
                .await
                .unwrap()
                .personal
                .is_some()
        );

        let store = &env.state.catalog.store;
        let sealed = store.referral_sealed(by_referrer.id).await.unwrap();
        let secrets: Vec<Vec<u8>> = [sealed.wrapped_key, sealed.name, sealed.contact]
            .into_iter()
            .map(|s| s.expect("sealed before"))
            .collect();
        if matches!(env.raw, Raw::Sqlite(_)) {
            // The test can see them: they are in the database's files now.
            let files = all_bytes(&env.data_dir);
            for secret in &secrets {
                assert!(files.iter().any(|(_, b)| contains_bytes(b, secret)));
            }
        }
        referrals
            .withdraw_consent(&p.pro, by_referrer.id)
            .await
            .unwrap();
        if matches!(env.raw, Raw::Sqlite(_)) {
            // Erased means gone from the files too: not left in free space or in the WAL,
            // where the master key from the configuration could still open it.
            for (path, bytes) in all_bytes(&env.data_dir) {
                for secret in &secrets {
                    assert!(
                        !contains_bytes(&bytes, secret),
                        "erased bytes still in {}",
                        path.display()
                    );
                }
            }
        }
        // A wrong second factor withdraws nothing.
        assert!(matches!(
            referrals
                .withdraw_consent_as_resident(&by_resident.code, "0699999999")
                .await,
            Err(ReferralError::NotFound)
        ));
        referrals
            .withdraw_consent_as_resident(&by_resident.code, "+31 6 10000002")
            .await
            .unwrap();

        for id in [by_referrer.id, by_resident.id] {
            let detail = referrals.open(&p.editor_a, id, "test").await.unwrap();
            assert!(detail.personal.is_none(), "{id} erased");
            assert_eq!(detail.summary.status, ReferralStatus::Cancelled);
            assert_eq!(
                detail.summary.row.status_reason.as_deref(),
                Some("consent-withdrawn")
            );
            assert!(detail.summary.row.consent_withdrawn_at.is_some());
            assert!(detail.summary.row.purged_at.is_some());
            assert!(detail.summary.row.closed_at.is_some());
            assert_eq!(
                env.state.catalog.store.referral_sealed(id).await.unwrap(),
                Default::default()
            );
        }
        env.raw.close().await;
    })
    .await;
}

// ------------------------------------------------------------------------------ 4. audit

#[tokio::test]
async fn every_read_is_audited_and_the_audit_log_is_append_only() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let sent = referrals
            .refer(&p.pro, test_id("intake-a"), &input(&ZYX), false)
            .await
            .unwrap();
        // Sending and listing open nothing, so they log nothing.
        referrals.inbox(&p.editor_a, test_id("a")).await.unwrap();
        referrals.sent_by(&p.pro).await.unwrap();
        assert_eq!(
            env.raw.count("select count(*) from referral_audit").await,
            0
        );

        let before = OffsetDateTime::now_utc() - time::Duration::seconds(1);
        referrals
            .open(&p.editor_a, sent.id, "inbox bekijken")
            .await
            .unwrap();
        referrals
            .open(&p.pro, sent.id, "mijn verwijzingen")
            .await
            .unwrap();
        referrals
            .resident_view(&sent.code.to_lowercase(), "06 12 39 87 45")
            .await
            .unwrap();
        referrals
            .open(&p.pro, sent.id, "recept afdrukken")
            .await
            .unwrap();
        // Refused reads are not reads.
        let _ = referrals.open(&p.editor_b, sent.id, "nieuwsgierig").await;
        let _ = referrals.resident_view(&sent.code, "0600000000").await;
        assert_eq!(
            env.raw.count("select count(*) from referral_audit").await,
            4
        );

        let log = referrals
            .audit_log(&p.editor_a, test_id("a"), Some(sent.id))
            .await
            .unwrap();
        assert_eq!(log.len(), 4, "{log:?}");
        let mut lines: Vec<(Option<Uuid>, String, String)> = log
            .iter()
            .map(|a| (a.actor_id, a.actor_role.clone(), a.purpose.clone()))
            .collect();
        lines.sort();
        let mut expected = vec![
            (p.editor_a.id(), "ontvanger".into(), "inbox bekijken".into()),
            (p.pro.id(), "verwijzer".into(), "mijn verwijzingen".into()),
            (None, "inwoner".into(), "eigen verwijzing bekijken".into()),
            (p.pro.id(), "verwijzer".into(), "recept afdrukken".into()),
        ];
        expected.sort();
        assert_eq!(lines, expected);
        for line in &log {
            assert_eq!(line.referral_id, sent.id);
            assert_eq!(line.referral_code, sent.code);
            assert!(line.at >= before && line.at <= OffsetDateTime::now_utc());
        }
        assert!(
            log.iter()
                .any(|l| l.actor_email.as_deref() == Some(email_of(&p.pro).as_str()))
        );
        // The log of all the organisation's referrals holds the same lines.
        assert_eq!(
            referrals
                .audit_log(&p.editor_a, test_id("a"), None)
                .await
                .unwrap()
                .len(),
            4
        );

        // Not for another organisation's editor, a professional, a visitor; another
        // organisation's log is empty of A's referrals.
        for stranger in [&p.editor_b, &p.pro, &p.other_pro] {
            assert!(matches!(
                referrals.audit_log(stranger, test_id("a"), None).await,
                Err(ReferralError::Denied(Denied::Forbidden))
            ));
        }
        assert!(matches!(
            referrals
                .audit_log(&Actor::Visitor, test_id("a"), None)
                .await,
            Err(ReferralError::Denied(Denied::NotSignedIn))
        ));
        assert!(
            referrals
                .audit_log(&p.editor_b, test_id("b"), None)
                .await
                .unwrap()
                .is_empty()
        );

        // Append-only, by the database itself.
        for sql in [
            "update referral_audit set purpose = 'anders'".to_string(),
            "update referral_audit set at = at".to_string(),
            "delete from referral_audit".to_string(),
            format!(
                "delete from referral_audit where referral_id = '{}'",
                sent.id
            ),
        ] {
            let result = env.raw.exec(&sql).await;
            let err = result.expect_err(&sql).to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
        if matches!(env.raw, Raw::Postgres(_)) {
            let err = env
                .raw
                .exec("truncate referral_audit")
                .await
                .expect_err("truncate")
                .to_string();
            assert!(err.contains("append-only"), "{err}");
        }
        assert_eq!(
            env.raw.count("select count(*) from referral_audit").await,
            4
        );
        env.raw.close().await;
    })
    .await;
}

// ------------------------------------------------------------------------------ 5. access

#[tokio::test]
async fn nobody_else_opens_or_moves_a_referral() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let sent = referrals
            .refer(&p.pro, test_id("intake-a"), &input(&ZYX), false)
            .await
            .unwrap();
        let token = env
            .state
            .accounts
            .create_api_token(&p.editor_a, test_id("a"), "koppeling")
            .await
            .unwrap();
        let token_actor = env
            .state
            .accounts
            .actor_for_api_token(&token)
            .await
            .unwrap()
            .expect("token actor");
        assert!(matches!(token_actor, Actor::ApiToken(_)));

        let accept = step("requested", "accepted", "");
        for (who, actor) in [
            ("another organisation's editor", &p.editor_b),
            ("another professional", &p.other_pro),
            ("a moderator", &p.moderator),
            ("an administrator", &p.admin),
            ("the receiver's API token", &token_actor),
        ] {
            let opened = referrals.open(actor, sent.id, "test").await;
            assert!(
                matches!(opened, Err(ReferralError::NotFound)),
                "{who}: {:?}",
                opened.map(|d| d.summary.row.id)
            );
            let moved = referrals.transition(actor, sent.id, &accept).await;
            assert!(
                matches!(moved, Err(ReferralError::NotFound)),
                "{who}: {moved:?}"
            );
            assert!(
                matches!(
                    referrals.withdraw_consent(actor, sent.id).await,
                    Err(ReferralError::NotFound)
                ),
                "{who}"
            );
        }
        // An id that does not exist gives the same answer.
        assert!(matches!(
            referrals.open(&p.editor_a, Uuid::new_v4(), "test").await,
            Err(ReferralError::NotFound)
        ));
        for result in [
            referrals
                .open(&Actor::Visitor, sent.id, "test")
                .await
                .map(|_| ()),
            referrals
                .transition(&Actor::Visitor, sent.id, &accept)
                .await
                .map(|_| ()),
        ] {
            assert!(
                matches!(result, Err(ReferralError::Denied(Denied::NotSignedIn))),
                "{result:?}"
            );
        }
        // The resident: a wrong second factor, a wrong code, a half code.
        for (code, factor) in [
            (sent.code.as_str(), "0612398746"),
            (sent.code.as_str(), ""),
            (sent.code.as_str(), "zyxwvut@example.org"),
            ("AAA-BBB-CCC", ZYX.phone),
            (&sent.code[..7], ZYX.phone),
        ] {
            assert!(
                matches!(
                    referrals.resident_view(code, factor).await,
                    Err(ReferralError::NotFound)
                ),
                "{code} {factor}"
            );
        }
        // Nothing was read, nothing moved.
        assert_eq!(
            env.raw.count("select count(*) from referral_audit").await,
            0
        );
        // … and the right people still can: the refusals above are about who asks.
        assert!(referrals.resident_view(&sent.code, ZYX.phone).await.is_ok());
        assert!(referrals.open(&p.editor_a, sent.id, "test").await.is_ok());
        assert_eq!(
            referrals
                .transition(&p.editor_a, sent.id, &accept)
                .await
                .unwrap(),
            ReferralStatus::Accepted
        );
        env.raw.close().await;
    })
    .await;
}

// ------------------------------------------------------------------------- 6. transitions

#[tokio::test]
async fn the_gravity_graph_through_the_use_case() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let intake = test_id("intake-a");
        let sent = referrals
            .refer(&p.pro, intake, &input(&ZYX), false)
            .await
            .unwrap();
        let id = sent.id;

        // The referrer may not accept; an illegal move and a stale page are refused.
        assert!(matches!(
            referrals
                .transition(&p.pro, id, &step("requested", "accepted", ""))
                .await,
            Err(ReferralError::Denied(Denied::Forbidden))
        ));
        assert!(matches!(
            referrals
                .transition(&p.editor_a, id, &step("requested", "completed", ""))
                .await,
            Err(ReferralError::Transition(_))
        ));
        assert!(matches!(
            referrals
                .transition(&p.editor_a, id, &step("accepted", "in-progress", ""))
                .await,
            Err(ReferralError::Conflict)
        ));
        let accepted = referrals
            .transition(&p.editor_a, id, &step("requested", "accepted", ""))
            .await
            .unwrap();
        assert_eq!(accepted, ReferralStatus::Accepted);
        // The page still showing "requested" is stale now.
        assert!(matches!(
            referrals
                .transition(&p.editor_a, id, &step("requested", "accepted", ""))
                .await,
            Err(ReferralError::Conflict)
        ));

        // Matched to an activity of another organisation: accepted → in progress, and the
        // activity's editors hear of it, without anything about the resident.
        let matched = referrals
            .transition(
                &p.editor_a,
                id,
                &TransitionInput {
                    activiteit: test_id("activity-c").to_string(),
                    ..step("accepted", "", "")
                },
            )
            .await
            .unwrap();
        assert_eq!(matched, ReferralStatus::InProgress);
        let all = mails(&env.data_dir);
        let told = mails_to(&all, &email_of(&p.editor_c), "activiteit");
        assert_eq!(told.len(), 1, "{all:?}");
        assert!(
            told[0].contains(&format!("/aanbod/{}", test_id("activity-c"))),
            "{}",
            told[0]
        );
        for mail in &all {
            assert_nowhere("a mail", mail, &ZYX);
        }

        // On hold needs a reason, then back, then completed.
        match referrals
            .transition(&p.editor_a, id, &step("in-progress", "on-hold", ""))
            .await
        {
            Err(ReferralError::Invalid { field, .. }) => assert_eq!(field, "reden"),
            other => panic!("{other:?}"),
        }
        for (from, to, reason) in [
            ("in-progress", "on-hold", "waiting-list"),
            ("on-hold", "in-progress", ""),
            ("in-progress", "completed", ""),
        ] {
            assert_eq!(
                referrals
                    .transition(&p.editor_a, id, &step(from, to, reason))
                    .await
                    .unwrap()
                    .code(),
                to
            );
        }
        // Closed: no way back, not even to cancel.
        assert!(
            referrals
                .transition(&p.editor_a, id, &step("completed", "in-progress", ""))
                .await
                .is_err()
        );
        assert!(
            referrals
                .transition(&p.pro, id, &step("completed", "cancelled", "duplicate"))
                .await
                .is_err()
        );
        let detail = referrals.open(&p.pro, id, "test").await.unwrap();
        let statuses: Vec<&str> = detail.steps.iter().map(|s| s.status.code()).collect();
        assert_eq!(
            statuses,
            [
                "requested",
                "accepted",
                "in-progress",
                "on-hold",
                "in-progress",
                "completed"
            ]
        );
        assert_eq!(
            detail.summary.row.matched_service_id,
            Some(test_id("activity-c"))
        );
        assert_eq!(
            detail.steps[3].reason.map(|r| r.code()),
            Some("waiting-list")
        );
        assert!(detail.summary.row.closed_at.is_some());

        // Reject needs a reason; with one it goes.
        let second = referrals
            .refer(&p.pro, intake, &fresh_input(7), false)
            .await
            .unwrap();
        match referrals
            .transition(&p.editor_a, second.id, &step("requested", "rejected", ""))
            .await
        {
            Err(ReferralError::Invalid { field, .. }) => assert_eq!(field, "reden"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            referrals
                .transition(
                    &p.editor_a,
                    second.id,
                    &step("requested", "rejected", "no-capacity")
                )
                .await
                .unwrap(),
            ReferralStatus::Rejected
        );

        // The referrer may cancel their own open referral (with a reason), not another's.
        let third = referrals
            .refer(&p.pro, intake, &fresh_input(8), false)
            .await
            .unwrap();
        assert!(matches!(
            referrals
                .transition(
                    &p.other_pro,
                    third.id,
                    &step("requested", "cancelled", "no-longer-interested")
                )
                .await,
            Err(ReferralError::NotFound)
        ));
        assert_eq!(
            referrals
                .transition(
                    &p.pro,
                    third.id,
                    &step("requested", "cancelled", "no-longer-interested")
                )
                .await
                .unwrap(),
            ReferralStatus::Cancelled
        );
        let all = mails(&env.data_dir);
        assert_eq!(
            mails_to(&all, &email_of(&p.editor_a), "ingetrokken").len(),
            1,
            "the receiver hears of the cancellation"
        );
        for mail in &all {
            assert_nowhere("a mail", mail, &ZYX);
        }
        env.raw.close().await;
    })
    .await;
}

// ---------------------------------------------------------------------------- 7. duplicate

#[tokio::test]
async fn a_duplicate_is_flagged_however_it_is_written() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let first = ReferralInput {
            naam: "J. de Vries".into(),
            contact: "06-12345678".into(),
            ..input(&ZYX)
        };
        let again = ReferralInput {
            naam: "J.d.V.".into(),
            contact: "+31 6 12345678".into(),
            ..input(&ZYX)
        };
        let sent = referrals
            .refer(&p.pro, test_id("intake-a"), &first, false)
            .await
            .unwrap();
        let count = || env.raw.count("select count(*) from referral");
        assert_eq!(count().await, 1);
        // Another professional, the same resident, the same service: flagged, not stored.
        assert!(matches!(
            referrals
                .refer(&p.other_pro, test_id("intake-a"), &again, false)
                .await,
            Err(ReferralError::PossibleDuplicate)
        ));
        assert_eq!(count().await, 1);
        // Another resident with the same initials is not a duplicate.
        referrals
            .refer(
                &p.pro,
                test_id("intake-a"),
                &ReferralInput {
                    contact: "06-12345679".into(),
                    ..again.clone()
                },
                false,
            )
            .await
            .unwrap();
        // Sent anyway, it goes.
        referrals
            .refer(
                &p.other_pro,
                test_id("intake-a"),
                &ReferralInput {
                    toch_versturen: Some("ja".into()),
                    ..again.clone()
                },
                false,
            )
            .await
            .unwrap();
        // To another service it goes.
        referrals
            .refer(&p.other_pro, test_id("intake-b"), &again, false)
            .await
            .unwrap();
        assert_eq!(count().await, 4);
        // Once the first is closed and the forced one too, the same resident is welcome again.
        referrals
            .transition(
                &p.editor_a,
                sent.id,
                &step("requested", "rejected", "no-capacity"),
            )
            .await
            .unwrap();
        let forced = referrals
            .inbox(&p.editor_a, test_id("a"))
            .await
            .unwrap()
            .new
            .into_iter()
            .filter(|s| s.row.referrer_id == p.other_pro.id())
            .map(|s| s.row.id)
            .collect::<Vec<_>>();
        assert_eq!(forced.len(), 1);
        referrals
            .transition(
                &p.editor_a,
                forced[0],
                &step("requested", "cancelled", "duplicate"),
            )
            .await
            .unwrap();
        referrals
            .refer(&p.pro, test_id("intake-a"), &again, false)
            .await
            .unwrap();
        env.raw.close().await;
    })
    .await;
}

// ---------------------------------------------------------------------------- 8. reminders

#[tokio::test]
async fn an_unanswered_referral_reminds_the_receiver_once_and_then_the_referrer() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let sent = referrals
            .refer(&p.pro, test_id("intake-a"), &input(&ZYX), false)
            .await
            .unwrap();
        let answered = referrals
            .refer(&p.pro, test_id("intake-a"), &fresh_input(4), false)
            .await
            .unwrap();
        let now = OffsetDateTime::now_utc();
        // Fresh: nothing is due.
        assert_eq!(referrals.send_reminders(now).await.unwrap(), (0, 0));
        // Five calendar days back is fewer than ten working days: still nothing.
        env.raw
            .set_time("created_at", sent.id, now - time::Duration::days(5))
            .await;
        assert_eq!(referrals.send_reminders(now).await.unwrap(), (0, 0));
        // Three weeks back: due. The answered one is not.
        for id in [sent.id, answered.id] {
            env.raw
                .set_time("created_at", id, now - time::Duration::days(21))
                .await;
        }
        referrals
            .transition(&p.editor_a, answered.id, &step("requested", "accepted", ""))
            .await
            .unwrap();
        assert_eq!(referrals.send_reminders(now).await.unwrap(), (1, 0));
        assert_eq!(referrals.send_reminders(now).await.unwrap(), (0, 0), "once");
        let all = mails(&env.data_dir);
        let to_receiver = mails_to(&all, &email_of(&p.editor_a), "wacht op antwoord");
        assert_eq!(to_receiver.len(), 1, "{all:?}");
        assert!(to_receiver[0].contains(&format!("/beheer/verwijzingen/{}", sent.id)));
        assert!(mails_to(&all, &email_of(&p.pro), "nog geen antwoord").is_empty());

        // A day later the referrer is not told yet; three working days later they are, once.
        let later = now + time::Duration::days(1);
        assert_eq!(referrals.send_reminders(later).await.unwrap(), (0, 0));
        let later = now + time::Duration::days(7);
        assert_eq!(referrals.send_reminders(later).await.unwrap(), (0, 1));
        assert_eq!(referrals.send_reminders(later).await.unwrap(), (0, 0));
        let all = mails(&env.data_dir);
        let to_referrer = mails_to(&all, &email_of(&p.pro), "nog geen antwoord");
        assert_eq!(to_referrer.len(), 1, "{all:?}");
        assert!(to_referrer[0].contains(&format!("/mijn-verwijzingen/{}", sent.id)));
        assert_eq!(
            mails_to(&all, &email_of(&p.editor_a), "wacht op antwoord").len(),
            1
        );
        for mail in &all {
            assert_nowhere("a mail", mail, &ZYX);
        }
        // Answered now: nothing more, ever.
        referrals
            .transition(&p.editor_a, sent.id, &step("requested", "accepted", ""))
            .await
            .unwrap();
        assert_eq!(
            referrals
                .send_reminders(now + time::Duration::days(30))
                .await
                .unwrap(),
            (0, 0)
        );
        env.raw.close().await;
    })
    .await;
}

// ------------------------------------------------------------------------------ 9. intake

#[tokio::test]
async fn each_postcode_gets_the_intake_of_its_own_wijk() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let geo = &env.state.catalog.geo;
        // The places and postcodes are where the test says.
        assert_eq!(
            geo.locate(OVERVECHT.0, OVERVECHT.1).wijk.as_deref(),
            Some("WK034403")
        );
        assert_eq!(
            geo.locate(BINNENSTAD.0, BINNENSTAD.1).wijk.as_deref(),
            Some("WK034406")
        );
        let wijk_of = |pc: &str| geo.postcode(pc).unwrap().placement.wijk;
        assert_eq!(wijk_of("3562").as_deref(), Some("WK034403"));
        assert_eq!(wijk_of("3511").as_deref(), Some("WK034406"));
        let elsewhere = ["3581", "3531", "3521", "3544"]
            .into_iter()
            .find(|pc| {
                wijk_of(pc)
                    .is_some_and(|w| w != "WK034403" && w != "WK034406" && w.starts_with("WK0344"))
            })
            .expect("a postcode in another wijk of Utrecht");

        // An editor may not set an intake, not even for their own service.
        assert!(matches!(
            referrals
                .set_intake(&p.editor_a, "WK034403", test_id("intake-a"))
                .await,
            Err(ReferralError::Denied(Denied::Forbidden))
        ));
        // A moderator of another gemeente may not either.
        let other_moderator = account(
            &env.state,
            "moderator-amersfoort",
            &[Role::Moderator {
                scope: ModerationScope::Gemeente("GM0307".into()),
            }],
        )
        .await;
        assert!(matches!(
            referrals
                .set_intake(&other_moderator, "WK034403", test_id("intake-a"))
                .await,
            Err(ReferralError::Denied(Denied::Forbidden))
        ));
        referrals
            .set_intake(&p.moderator, "WK034403", test_id("intake-a"))
            .await
            .unwrap();
        referrals
            .set_intake(&p.moderator, "WK034406", test_id("intake-b"))
            .await
            .unwrap();
        assert_eq!(referrals.intakes(&p.moderator).await.unwrap().len(), 2);

        for (postcode, wijk, service) in [
            ("3562 AB", "WK034403", test_id("intake-a")),
            ("3511", "WK034406", test_id("intake-b")),
        ] {
            match referrals.intake_for_postcode(postcode).await.unwrap() {
                IntakeChoice::Found {
                    area_code,
                    receiver,
                    ..
                } => {
                    assert_eq!(area_code, wijk, "{postcode}");
                    assert_eq!(receiver.service_id, service, "{postcode}");
                }
                other => panic!("{postcode}: {other:?}"),
            }
        }
        match referrals.intake_for_postcode(elsewhere).await.unwrap() {
            IntakeChoice::NoneForArea { area_name, nearest } => {
                assert!(area_name.is_some(), "{elsewhere}: the wijk is named");
                let (nearest, km) = nearest.expect("the nearest intake is suggested");
                assert!(
                    [test_id("intake-a"), test_id("intake-b")].contains(&nearest.service_id),
                    "{elsewhere}"
                );
                assert!(km > 0.0 && km < 20.0, "{km}");
            }
            other => panic!("{elsewhere}: {other:?}"),
        }

        // Referred through the intake: recorded as such, with the wijk (not the postcode).
        let sent = referrals
            .refer(&p.pro, test_id("intake-a"), &input(&ZYX), true)
            .await
            .unwrap();
        let detail = referrals.open(&p.pro, sent.id, "test").await.unwrap();
        assert!(detail.summary.row.via_intake);
        assert_eq!(detail.summary.row.wijk_code.as_deref(), Some("WK034403"));
        // Claimed as the intake for a postcode it does not serve: not recorded as such.
        let sent = referrals
            .refer(
                &p.pro,
                test_id("intake-b"),
                &ReferralInput {
                    postcode: "3562".into(),
                    ..fresh_input(5)
                },
                true,
            )
            .await
            .unwrap();
        let detail = referrals.open(&p.pro, sent.id, "test").await.unwrap();
        assert!(!detail.summary.row.via_intake);
        env.raw.close().await;
    })
    .await;
}

// -------------------------------------------------------------------------------- 10. logs

/// Everything every test of this binary logs, from the first call of [`captured`] on, at TRACE
/// for our crate and sqlx (and INFO for the rest).
fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "info,wijkwijzer=trace,sqlx=trace,tower_http=trace",
            ))
            .with_ansi(false)
            .with_writer(move || Capture(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        buffer
    })
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap()).into_owned()
}

const LOGGED: Resident = Resident {
    name: "Logje Qwzxplonk",
    phone: "0687651234",
    moments: "ochtend-logtest-zzq",
    note: "toelichting-logtest-ppqq",
};

#[tokio::test]
async fn no_personal_data_in_the_logs() {
    log_buffer();
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let sent = referrals
            .refer(&p.pro, test_id("intake-a"), &input(&LOGGED), false)
            .await
            .unwrap();
        // Refused attempts log too: a duplicate, bad input echoing the fields.
        let _ = referrals
            .refer(&p.pro, test_id("intake-a"), &input(&LOGGED), false)
            .await;
        let _ = referrals
            .refer(
                &p.pro,
                test_id("intake-a"),
                &ReferralInput {
                    kanaal: "email".into(),
                    ..input(&LOGGED)
                },
                false,
            )
            .await;
        referrals.open(&p.editor_a, sent.id, "test").await.unwrap();
        referrals
            .resident_view(&sent.code, LOGGED.phone)
            .await
            .unwrap();
        let _ = referrals.resident_view(&sent.code, "0600000000").await;
        referrals
            .transition(
                &p.editor_a,
                sent.id,
                &TransitionInput {
                    notitie: LOGGED.note.into(),
                    ..step("requested", "accepted", "")
                },
            )
            .await
            .unwrap();
        referrals
            .transition(&p.editor_a, sent.id, &step("accepted", "completed", ""))
            .await
            .unwrap();
        env.raw
            .set_time(
                "closed_at",
                sent.id,
                OffsetDateTime::now_utc() - time::Duration::days(365),
            )
            .await;
        referrals
            .purge_expired(OffsetDateTime::now_utc())
            .await
            .unwrap();
        let logs = captured();
        // The capture works: the referral's id (not personal) and SQL are in it.
        assert!(logs.contains(&sent.id.to_string()), "{logs}");
        assert!(logs.contains("referral sent"));
        assert!(
            logs.to_lowercase().contains("update referral"),
            "sqlx at TRACE"
        );
        assert_nowhere("the captured logs", &logs, &LOGGED);
        assert!(!logs.contains("Logje") && !logs.contains("87651234"));
        env.raw.close().await;
    })
    .await;
}

// -------------------------------------------------------------------- 11. response figures

#[tokio::test]
async fn response_figures_from_five_answered_referrals() {
    on_both(false, |env| async move {
        plant(&env.state).await;
        let p = people(&env.state).await;
        let referrals = &env.state.referrals;
        let service = test_id("intake-a");
        // (days before the answer it was sent, accepted?)
        let plan = [(1, true), (2, false), (3, true), (6, true), (4, false)];
        let now = OffsetDateTime::now_utc();
        // One unanswered and one cancelled by the referrer: neither is an answer.
        let waiting = referrals
            .refer(&p.pro, service, &fresh_input(100), false)
            .await
            .unwrap();
        env.raw
            .set_time("created_at", waiting.id, now - time::Duration::days(30))
            .await;
        let withdrawn = referrals
            .refer(&p.pro, service, &fresh_input(101), false)
            .await
            .unwrap();
        referrals
            .transition(
                &p.pro,
                withdrawn.id,
                &step("requested", "cancelled", "no-longer-interested"),
            )
            .await
            .unwrap();
        for (n, (days, accept)) in plan.iter().enumerate() {
            assert_eq!(
                referrals.response_figures(service).await.unwrap(),
                None,
                "{n} answered"
            );
            let sent = referrals
                .refer(&p.pro, service, &fresh_input(n as u32), false)
                .await
                .unwrap();
            env.raw
                .set_time(
                    "created_at",
                    sent.id,
                    now - time::Duration::days(*days) - time::Duration::hours(1),
                )
                .await;
            let answer = if *accept {
                step("requested", "accepted", "")
            } else {
                step("requested", "rejected", "no-capacity")
            };
            referrals
                .transition(&p.editor_a, sent.id, &answer)
                .await
                .unwrap();
        }
        let figures = referrals
            .response_figures(service)
            .await
            .unwrap()
            .expect("five answered");
        // By hand: days 1, 2, 3, 4, 6 → median 3; accepted 3 of 5 → 60%.
        assert_eq!(figures.answered, 5);
        assert_eq!(figures.median_days, 3);
        assert_eq!(figures.accepted_percent, 60);
        // Another service has none.
        assert_eq!(
            referrals
                .response_figures(test_id("intake-b"))
                .await
                .unwrap(),
            None
        );
        env.raw.close().await;
    })
    .await;
}

// ----------------------------------------------------------------------- demo intake points

#[tokio::test]
async fn the_demo_has_an_intake_point_per_area_and_overvecht_gets_its_own() {
    on_both(true, |env| async move {
        let demo = wijkwijzer::demo::DemoFile::embedded().unwrap();
        let overvecht = demo
            .services
            .iter()
            .find(|s| {
                s.categories
                    .iter()
                    .any(|c| c == "welzijn-op-recept/welzijnscoach")
                    && s.service_areas
                        .iter()
                        .any(|a| a.code.as_deref() == Some("WK034403"))
            })
            .expect("the demo's Overvecht intake");
        let intakes = env.state.catalog.store.referral_intakes().await.unwrap();
        let areas: Vec<&str> = intakes.iter().map(|i| i.area_code.as_str()).collect();
        assert!(areas.len() >= 10, "{areas:?}");
        assert!(
            areas.contains(&"WK034403") && areas.contains(&"GM0307"),
            "{areas:?}"
        );
        assert_eq!(
            intakes
                .iter()
                .find(|i| i.area_code == "WK034403")
                .unwrap()
                .receiver
                .service_id,
            overvecht.id
        );
        // With someone to work its inbox, a postcode in Overvecht goes to it.
        account(
            &env.state,
            "redacteur-overvecht",
            &[Role::OrganisationEditor {
                organization: overvecht.organization_id,
            }],
        )
        .await;
        match env
            .state
            .referrals
            .intake_for_postcode("3562")
            .await
            .unwrap()
        {
            IntakeChoice::Found {
                area_code,
                receiver,
                ..
            } => {
                assert_eq!(area_code, "WK034403");
                assert_eq!(receiver.service_id, overvecht.id);
            }
            other => panic!("{other:?}"),
        }
        env.raw.close().await;
    })
    .await;
}
