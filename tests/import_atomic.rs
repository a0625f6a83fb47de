//! Imports are all-or-nothing where they promise it (SQLite and PostgreSQL): a strict import
//! that fails midway or is killed writes nothing — no services, organisations, locations or
//! change-log rows, and the search index agrees with the database; without `--strict` every
//! record is whole or absent; duplicate ids, and ids that already belong to something else,
//! are problems with file, place and field; what a feed leaves out keeps its stored value; and
//! only regular files are read.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uuid::Uuid;

use common::on_both_backends;
use wijkwijzer::catalog::Catalog;
use wijkwijzer::config::Config;
use wijkwijzer::hsds::import::{Options, Report, import_path};

const BIN: &str = env!("CARGO_BIN_EXE_wijkwijzer");

fn id(kind: &str, i: usize) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("import-atomic:{kind}:{i}").as_bytes(),
    )
}

/// Service `i` of a generated feed, with its organisation (one per ten services, described
/// the same way each time), a location of its own and a schedule.
fn service(i: usize, name: &str) -> Value {
    let org = i / 10;
    json!({
        "id": id("service", i),
        "name": name,
        "description": format!("Ontmoeting en koffie, groep {i}"),
        "status": "active",
        "organization": {
            "id": id("organization", org),
            "name": format!("Stichting Buurtwerk {org}"),
            "description": "Welzijn in de wijk",
        },
        "service_at_locations": [{
            "id": id("service_at_location", i),
            "location": {
                "id": id("location", i),
                "location_type": "physical",
                "name": format!("Buurthuis {i}"),
                "latitude": 52.1,
                "longitude": 5.12,
            },
        }],
        "schedules": [{
            "id": id("schedule", i),
            "freq": "WEEKLY",
            "byday": "MO",
            "opens_at": "10:00",
            "closes_at": "12:00",
        }],
    })
}

fn ndjson(records: impl IntoIterator<Item = Value>) -> String {
    records.into_iter().map(|r| format!("{r}\n")).collect()
}

async fn import(catalog: &Catalog, path: &Path, strict: bool) -> Report {
    let options = Options {
        strict,
        progress: None,
    };
    import_path(catalog, path, &options)
        .await
        .expect("import runs")
}

async fn import_text(catalog: &Catalog, name: &str, text: &str, strict: bool) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, text).unwrap();
    import(catalog, &file, strict).await
}

/// What a failed import must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    services: i64,
    organizations: i64,
    change_log: i64,
    indexed: u64,
}

async fn snapshot(catalog: &Catalog) -> Snapshot {
    catalog.indexer.settle().await.unwrap();
    Snapshot {
        services: catalog.store.service_count().await.unwrap(),
        organizations: catalog.store.organization_count().await.unwrap(),
        change_log: catalog.store.latest_change().await.unwrap(),
        indexed: catalog.search.doc_count(),
    }
}

/// Makes the database refuse a service named `name` — a failure only the database sees, as a
/// constraint the importer does not know would be.
async fn refuse_service_named(config: &Config, name: &str) {
    match &config.database_url {
        Some(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "create function refuse_service() returns trigger language plpgsql as $$ \
                 begin if new.name = '{name}' then raise exception 'refused by test'; end if; \
                 return new; end $$"
            )))
            .execute(&pool)
            .await
            .unwrap();
            sqlx::query(
                "create trigger refuse_service before insert or update on service \
                 for each row execute function refuse_service()",
            )
            .execute(&pool)
            .await
            .unwrap();
            pool.close().await;
        }
        None => {
            let path = config.data_dir.join("wijkwijzer.db");
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "create trigger refuse_service before insert on service \
                 when new.name = '{name}' begin select raise(abort, 'refused by test'); end"
            )))
            .execute(&pool)
            .await
            .unwrap();
            pool.close().await;
        }
    }
}

/// 1,200 records (more than two batches), the 1,100th refused by the database.
fn feed_with_a_refused_record() -> String {
    ndjson((0..1200).map(|i| {
        let name = if i == 1099 {
            "Weigerclub".to_string()
        } else {
            format!("Koffieochtend {i}")
        };
        let mut s = service(i, &name);
        if i == 1099 {
            // Its own organisation, so that we can see it is absent afterwards.
            s["organization"]["id"] = json!(id("lonely organization", i));
        }
        s
    }))
}

#[tokio::test]
async fn a_strict_import_failing_midway_on_a_database_error_writes_nothing() {
    on_both_backends(false, |catalog, config| async move {
        // A location we hold, with what HSDS cannot say: wheelchair access.
        let first = ndjson([service(0, "Koffieochtend 0")]);
        let r = import_text(&catalog, "first.ndjson", &first, false).await;
        assert!(r.problems.is_empty(), "{r}");
        let mut loc = catalog
            .store
            .load_locations(&[id("location", 0)])
            .await
            .unwrap()[0]
            .clone();
        loc.wheelchair_accessible = Some(true);
        catalog.save_location(&loc).await.unwrap();
        refuse_service_named(&config, "Weigerclub").await;
        let before = snapshot(&catalog).await;

        let r = import_text(&catalog, "feed.ndjson", &feed_with_a_refused_record(), true).await;
        assert!(r.aborted && r.strict, "{r}");
        assert!(r.to_string().contains("nothing was written"), "{r}");
        assert_eq!((r.services.created, r.services.updated), (0, 0), "{r}");
        let problem = r
            .problems
            .iter()
            .find(|p| p.place == "line 1100")
            .unwrap_or_else(|| panic!("the refused record is named: {r}"));
        assert!(problem.file.ends_with("feed.ndjson"), "{problem}");
        assert!(
            problem.message.contains(&id("service", 1099).to_string()),
            "{problem}"
        );
        assert!(
            !problem.message.contains("refused by test"),
            "no raw database text: {problem}"
        );

        assert_eq!(
            snapshot(&catalog).await,
            before,
            "nothing written, nothing indexed"
        );
        let gone = catalog
            .store
            .load_locations(&[id("location", 5), id("location", 1099)])
            .await
            .unwrap();
        assert!(gone.is_empty(), "no locations of the feed: {gone:?}");
        let kept = catalog
            .store
            .load_locations(&[id("location", 0)])
            .await
            .unwrap();
        assert_eq!(kept[0].wheelchair_accessible, Some(true));
        // The database and the index agree: a rebuild finds what the index held.
        assert_eq!(
            catalog.indexer.rebuild().await.unwrap() as u64,
            before.indexed
        );
    })
    .await;
}

#[tokio::test]
async fn without_strict_a_refused_record_is_absent_whole_and_the_rest_is_written() {
    on_both_backends(false, |catalog, config| async move {
        refuse_service_named(&config, "Weigerclub").await;
        let before = snapshot(&catalog).await;
        let r = import_text(
            &catalog,
            "feed.ndjson",
            &feed_with_a_refused_record(),
            false,
        )
        .await;
        assert!(!r.aborted, "{r}");
        assert_eq!((r.services.created, r.services.rejected), (1199, 1), "{r}");
        assert_eq!(r.problems.len(), 1, "{r}");
        assert_eq!(r.problems[0].place, "line 1100", "{r}");

        let after = snapshot(&catalog).await;
        assert_eq!(after.services, before.services + 1199);
        assert_eq!(
            after.organizations,
            before.organizations + 120,
            "not its own one"
        );
        assert_eq!(after.indexed as i64, after.services, "the index agrees");
        assert!(
            catalog
                .service(id("service", 1099))
                .await
                .unwrap()
                .is_none()
        );
        let absent = catalog
            .store
            .load_locations(&[id("location", 1099)])
            .await
            .unwrap();
        assert!(
            absent.is_empty(),
            "the refused record's location is not half written"
        );
        let absent = catalog
            .store
            .load_organizations(&[id("lonely organization", 1099)])
            .await
            .unwrap();
        assert!(absent.is_empty(), "nor its organisation");
        let whole = catalog.service(id("service", 1100)).await.unwrap().unwrap();
        assert_eq!(whole.locations.len(), 1);
        assert_eq!(whole.service.schedules.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn duplicate_ids_in_one_feed_are_reported_with_both_places() {
    on_both_backends(false, |catalog, _| async move {
        let mut changed = service(1, "Koffieochtend anders");
        changed["description"] = json!("Een andere beschrijving");
        let mut other_org = service(2, "Koffieochtend 2");
        other_org["organization"]["name"] = json!("Een andere naam");
        let mut shared_schedule = service(3, "Koffieochtend 3");
        shared_schedule["schedules"][0]["id"] = json!(id("schedule", 0));
        let feed = ndjson([
            service(0, "Koffieochtend 0"),
            service(1, "Koffieochtend 1"),
            changed,
            other_org,
            shared_schedule,
            service(0, "Koffieochtend 0"),
        ]);
        let r = import_text(&catalog, "dubbel.ndjson", &feed, false).await;

        let at = |place: &str| {
            r.problems
                .iter()
                .find(|p| p.place == place)
                .unwrap_or_else(|| panic!("a problem at {place}: {r}"))
        };
        let service = at("line 3");
        assert_eq!(service.field, "/id");
        assert!(service.message.contains("line 2"), "{service}");
        assert!(
            service.message.contains(&id("service", 1).to_string()),
            "{service}"
        );
        let org = at("line 4");
        assert_eq!(org.field, "/organization/id");
        assert!(org.message.contains("line 1 /organization"), "{org}");
        let schedule = at("line 5");
        assert_eq!(schedule.field, "/schedules/0/id");
        assert!(
            schedule.message.contains("line 1 /schedules/0"),
            "{schedule}"
        );
        // The same service twice, described the same: a warning naming both, written once.
        let twice = r
            .warnings
            .iter()
            .find(|w| w.place == "line 6")
            .unwrap_or_else(|| panic!("a warning at line 6: {r}"));
        assert!(twice.message.contains("line 1"), "{twice}");
        assert_eq!((r.services.created, r.services.rejected), (2, 3), "{r}");
        assert_eq!(
            catalog
                .service(id("service", 1))
                .await
                .unwrap()
                .unwrap()
                .service
                .name,
            "Koffieochtend 1",
            "the first stays; the second is not silently written over it"
        );

        // Strict: the same feed writes nothing.
        let before = snapshot(&catalog).await;
        let strict = import_text(&catalog, "dubbel.ndjson", &feed, true).await;
        assert!(strict.aborted, "{strict}");
        assert_eq!(snapshot(&catalog).await, before);
    })
    .await;
}

#[tokio::test]
async fn ids_that_belong_to_something_else_are_precise_problems_not_database_errors() {
    on_both_backends(false, |catalog, _| async move {
        let r = import_text(
            &catalog,
            "a.json",
            &service(0, "Koffieochtend 0").to_string(),
            false,
        )
        .await;
        assert!(r.problems.is_empty(), "{r}");

        // Another service with the first one's schedule id.
        let mut thief = service(1, "Koffieochtend 1");
        thief["schedules"][0]["id"] = json!(id("schedule", 0));
        let r = import_text(&catalog, "b.json", &thief.to_string(), false).await;
        assert_eq!(r.problems.len(), 1, "{r}");
        let p = &r.problems[0];
        assert!(p.file.ends_with("b.json"), "{p}");
        assert_eq!(
            (p.place.as_str(), p.field.as_str()),
            ("line 1", "/schedules/0/id")
        );
        assert!(p.message.contains(&id("schedule", 0).to_string()), "{p}");
        assert!(p.message.contains(&id("service", 0).to_string()), "{p}");
        assert!(!p.message.to_lowercase().contains("constraint"), "{p}");
        assert!(catalog.service(id("service", 1)).await.unwrap().is_none());
        let first = catalog.service(id("service", 0)).await.unwrap().unwrap();
        assert_eq!(first.service.schedules[0].id, Some(id("schedule", 0)));

        // A term whose code its taxonomy already has on another term.
        let taxonomy = json!({"id": id("taxonomy", 0), "name": "Thema's", "description": "x"});
        let term = |i: usize| {
            json!({
                "id": id("term", i), "name": format!("Eenzaamheid {i}"), "description": "x",
                "code": "eenzaamheid", "taxonomy_detail": taxonomy,
            })
        };
        let with_term = |i: usize, t: Value| {
            let mut s = service(10 + i, &format!("Praatgroep {i}"));
            s["attributes"] = json!([{"id": id("attribute", i), "taxonomy_term": t}]);
            s.to_string()
        };
        let r = import_text(&catalog, "c.json", &with_term(0, term(0)), false).await;
        assert!(r.problems.is_empty(), "{r}");
        let r = import_text(&catalog, "d.json", &with_term(1, term(1)), false).await;
        assert_eq!(r.problems.len(), 1, "{r}");
        let p = &r.problems[0];
        assert_eq!(
            (p.place.as_str(), p.field.as_str()),
            ("line 1", "/attributes/0/taxonomy_term/code")
        );
        assert!(p.message.contains("\"eenzaamheid\""), "{p}");
        assert!(p.message.contains(&id("term", 0).to_string()), "{p}");
        assert!(!p.message.contains("Some("), "{p}");
        assert!(catalog.service(id("service", 11)).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn what_a_feed_leaves_out_keeps_its_stored_value() {
    on_both_backends(false, |catalog, _| async move {
        let mut full = service(0, "Koffieochtend");
        full["email"] = json!("koffie@example.nl");
        full["url"] = json!("https://example.nl/koffie");
        full["alternate_name"] = json!("Koffie");
        let r = import_text(&catalog, "a.json", &full.to_string(), false).await;
        assert!(r.problems.is_empty(), "{r}");

        // What a moderator adds that HSDS cannot say.
        let mut loc = catalog
            .store
            .load_locations(&[id("location", 0)])
            .await
            .unwrap()[0]
            .clone();
        loc.wheelchair_accessible = Some(true);
        catalog.save_location(&loc).await.unwrap();
        let mut record = catalog.service(id("service", 0)).await.unwrap().unwrap();
        record.service.welzijn_op_recept = true;
        record.service.formality = wijkwijzer::domain::Formality::Informal;
        catalog.save_service(&record.service).await.unwrap();

        // The feed again: a new name and location name, no email or url, an empty alternate
        // name (HSDS types do not allow null there; an empty text clears it).
        let mut update = service(0, "Koffieochtend nieuw");
        update["alternate_name"] = json!("");
        update["service_at_locations"][0]["location"]["name"] = json!("Buurthuis De Boog");
        let r = import_text(&catalog, "b.json", &update.to_string(), false).await;
        assert!(r.problems.is_empty(), "{r}");
        assert_eq!((r.services.updated, r.locations.updated), (1, 1), "{r}");

        let after = catalog.service(id("service", 0)).await.unwrap().unwrap();
        assert_eq!(after.service.name, "Koffieochtend nieuw");
        assert_eq!(
            after.service.email.as_deref(),
            Some("koffie@example.nl"),
            "left out: kept"
        );
        assert_eq!(
            after.service.url.as_deref(),
            Some("https://example.nl/koffie")
        );
        assert_eq!(after.service.alternate_name, None, "empty: cleared");
        assert!(after.service.welzijn_op_recept);
        assert_eq!(
            after.service.formality,
            wijkwijzer::domain::Formality::Informal
        );
        assert_eq!(
            after.locations[0].name.as_deref(),
            Some("Buurthuis De Boog")
        );
        assert_eq!(after.locations[0].wheelchair_accessible, Some(true));

        // And importing it again changes nothing.
        let r = import_text(&catalog, "b.json", &update.to_string(), false).await;
        assert_eq!((r.services.unchanged, r.services.updated), (1, 0), "{r}");
    })
    .await;
}

#[tokio::test]
async fn a_pipe_a_device_or_a_directory_without_tables_is_refused() {
    on_both_backends(false, |catalog, _| async move {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("feed.json");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let tables = dir.path().join("tabellen");
        std::fs::create_dir(&tables).unwrap();
        let csv_fifo = tables.join("services.csv");
        assert!(
            Command::new("mkfifo")
                .arg(&csv_fifo)
                .status()
                .unwrap()
                .success()
        );
        let empty = dir.path().join("leeg");
        std::fs::create_dir(&empty).unwrap();

        for (path, words) in [
            (fifo.clone(), "pipe (FIFO)"),
            (PathBuf::from("/dev/zero"), "apparaat"),
            (tables.clone(), "pipe (FIFO)"),
            (empty.clone(), "no HSDS CSV tables"),
        ] {
            for strict in [false, true] {
                // A refused file is refused at once; it never blocks reading.
                let r =
                    tokio::time::timeout(Duration::from_secs(60), import(&catalog, &path, strict))
                        .await
                        .unwrap_or_else(|_| {
                            panic!("{} was read instead of refused", path.display())
                        });
                assert!(r.aborted, "{}: {r}", path.display());
                assert!(
                    r.problems.iter().any(|p| p.message.contains(words)),
                    "{}: {r}",
                    path.display()
                );
            }
        }
        assert_eq!(catalog.store.service_count().await.unwrap(), 0);
    })
    .await;
}

/// The import binary, killed while it writes a strict import, leaves none of its services.
async fn kill_a_strict_import(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let feed = dir.path().join("groot.ndjson");
    let records = 20_000;
    std::fs::write(
        &feed,
        ndjson((0..records).map(|i| service(i, &format!("Koffieochtend {i}")))),
    )
    .unwrap();
    let mut command = Command::new(BIN);
    command
        .args(["--data-dir", data.to_str().unwrap(), "--demo-data", "false"])
        .args(["import", "--strict", feed.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(url) = &database_url {
        command.args(["--database-url", url]);
    }
    let mut child = command.spawn().unwrap();

    // Wait until the writing pass (after the checking pass) has written two batches.
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut seen = Vec::new();
    loop {
        assert!(Instant::now() < deadline, "no writing pass: {seen:#?}");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed; make the feed bigger: {seen:#?}"
        );
        let Ok(line) = lines_rx.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        // "importing: 1500 records, …"
        let written = line
            .strip_prefix("importing: ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok());
        seen.push(line);
        if written.is_some_and(|n| n > 1000) {
            break;
        }
    }
    if let Some(url) = &database_url {
        // An open transaction that has written holds a transaction id.
        let url = url.clone();
        let writing = tokio::spawn(async move {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            let n: i64 = sqlx::query_scalar(
                "select count(*) from pg_stat_activity where datname = current_database() \
                 and backend_xid is not null and pid <> pg_backend_pid()",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            pool.close().await;
            n
        })
        .await
        .unwrap();
        assert!(writing > 0, "a transaction with writes is open");
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import ended before it could be killed; make the feed bigger"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let config = Config::for_tests(data.clone(), database_url.clone());
    let catalog = wijkwijzer::app::prepare(&config).await.expect("prepares");
    catalog.indexer.settle().await.unwrap();
    assert_eq!(
        catalog.store.service_count().await.unwrap(),
        0,
        "none of its services"
    );
    assert_eq!(catalog.store.organization_count().await.unwrap(), 0);
    assert_eq!(
        catalog.store.latest_change().await.unwrap(),
        0,
        "no change-log rows"
    );
    assert_eq!(catalog.search.doc_count(), 0, "the index agrees");
    catalog.store.close().await;
}

#[tokio::test]
async fn a_strict_import_killed_while_writing_leaves_nothing() {
    kill_a_strict_import(None).await;
    let Some(server) = common::postgres_server().await else {
        return;
    };
    let db = common::PgTestDb::create(&server).await;
    kill_a_strict_import(Some(db.url.clone())).await;
    db.drop_db().await;
}
