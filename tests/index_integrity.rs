//! The search index never silently misses a write: with several instances and concurrent
//! writers on one PostgreSQL database, with a rebuild in the middle, and when the vocabulary or
//! the geography changes. PostgreSQL tests fail instead of skipping with
//! `WIJKWIJZER_REQUIRE_POSTGRES=1`.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use uuid::Uuid;
use wijkwijzer::app::prepare;
use wijkwijzer::catalog::Catalog;
use wijkwijzer::config::{Config, Region};
use wijkwijzer::domain::{
    AccessRoute, Cost, CostKind, Formality, GroupFormat, Organization, Service, ServiceSummary,
    Setting, Vocabulary,
};
use wijkwijzer::indexer::Indexer;
use wijkwijzer::search::{SearchIndex, SearchRequest, SortOrder};
use wijkwijzer::store::Store;

fn organization(name: &str) -> Organization {
    Organization {
        id: Uuid::new_v4(),
        name: name.into(),
        alternate_name: None,
        description: "Een testorganisatie".into(),
        email: None,
        website: None,
        provider_type: None,
        phone: None,
    }
}

fn service(id: Uuid, org: Uuid, name: &str) -> Service {
    Service {
        id,
        organization_id: org,
        name: name.into(),
        alternate_name: None,
        description: "Samen koffie drinken met de buren.".into(),
        url: None,
        email: None,
        phone: None,
        status: wijkwijzer::domain::ServiceStatus::Active,
        status_reason: None,
        categories: vec!["eenzaamheid/burenhulp".into()],
        target_groups: Vec::new(),
        access_route: AccessRoute::Open,
        accepts_referrals: false,
        welzijn_op_recept: false,
        formality: Formality::Informal,
        initiative: None,
        setting: Setting::InPerson,
        group_format: GroupFormat::Group,
        waiting_time: None,
        minimum_age: None,
        maximum_age: None,
        eligibility: None,
        cost: Cost {
            kind: CostKind::Free,
            amount: None,
            description: None,
        },
        languages: Vec::new(),
        assured_date: None,
        location_ids: Vec::new(),
        service_areas: Vec::new(),
        schedules: Vec::new(),
        contacts: Vec::new(),
        other_term_ids: Vec::new(),
    }
}

fn config_on(dir: &std::path::Path, database_url: Option<String>) -> Config {
    let mut config = Config::for_tests(dir.to_path_buf(), database_url);
    // The default, as an operator gets it.
    config.demo_data = None;
    config
}

/// Catches up until the index's cursor is the newest change in the log.
async fn settled(catalog: &Catalog) {
    loop {
        catalog
            .indexer
            .catch_up(&mut Default::default())
            .await
            .expect("catch up");
        let latest = catalog.store.latest_change().await.expect("latest change");
        if catalog.search.cursor() == Some(latest) {
            return;
        }
    }
}

/// (id → version) of every service in the database.
async fn database_versions(store: &Store) -> HashMap<Uuid, i64> {
    let mut out = HashMap::new();
    let mut after = None;
    loop {
        let batch = store
            .service_versions_after(after, 1_000)
            .await
            .expect("versions");
        let Some(&(last, _)) = batch.last() else {
            return out;
        };
        out.extend(batch);
        after = Some(last);
    }
}

/// (id → (service name, organization name)) as the index shows them in result lists.
fn indexed_names(index: &SearchIndex) -> HashMap<Uuid, (String, String)> {
    let mut out = HashMap::new();
    let mut offset = 0;
    loop {
        let request = SearchRequest {
            sort: SortOrder::Name,
            offset,
            limit: 100,
            ..Default::default()
        };
        let hits = index.search(&request).expect("search").hits;
        if hits.is_empty() {
            return out;
        }
        offset += hits.len();
        for hit in hits {
            let summary = ServiceSummary::from_stored(&hit.summary).expect("stored summary");
            out.insert(hit.service_id, (summary.name, summary.organization_name));
        }
    }
}

/// What the database says each service is called, and by which organisation.
async fn database_names(store: &Store) -> HashMap<Uuid, (String, String)> {
    let ids: Vec<Uuid> = database_versions(store).await.into_keys().collect();
    store
        .load_services(&ids)
        .await
        .expect("load")
        .into_iter()
        .map(|r| (r.service.id, (r.service.name, r.organization.name)))
        .collect()
}

/// One writer: its own organisation and services, created, renamed, renamed through the
/// organisation, deleted, and every few rounds a batch that fails halfway (a rolled-back
/// transaction). Returns how many writes failed.
async fn writer(store: Store, vocabulary: Arc<Vocabulary>, n: usize, rounds: usize) -> usize {
    let mut org = organization(&format!("Schrijver {n}"));
    store.upsert_organization(&org, None).await.expect("org");
    let mut live: Vec<Uuid> = Vec::new();
    let mut failed = 0;
    for round in 0..rounds {
        match round % 6 {
            0..=2 => {
                // Two new services and a rename of an existing one, in one transaction.
                let mut batch = vec![
                    service(Uuid::new_v4(), org.id, &format!("Dienst {n}-{round}a")),
                    service(Uuid::new_v4(), org.id, &format!("Dienst {n}-{round}b")),
                ];
                if let Some(&id) = live.get(round % live.len().max(1)) {
                    batch.push(service(id, org.id, &format!("Dienst {n} hernoemd {round}")));
                }
                let refs: Vec<_> = batch.iter().map(|s| (s, None)).collect();
                store
                    .upsert_services(&refs, &vocabulary)
                    .await
                    .expect("write");
                live.extend(batch.iter().take(2).map(|s| s.id));
            }
            3 => {
                org.name = format!("Schrijver {n} ronde {round}");
                store.upsert_organization(&org, None).await.expect("org");
            }
            4 => {
                if !live.is_empty() {
                    let id = live.remove(round % live.len());
                    store.delete_service(id).await.expect("delete");
                }
            }
            _ => {
                // The first service is written, then the second fails on its unknown
                // organisation: all of it is rolled back, its change-log rows with it.
                let good = service(Uuid::new_v4(), org.id, "Teruggedraaid");
                let bad = service(Uuid::new_v4(), Uuid::new_v4(), "Zonder organisatie");
                let result = store
                    .upsert_services(&[(&good, None), (&bad, None)], &vocabulary)
                    .await;
                assert!(
                    result.is_err(),
                    "a service of an unknown organisation fails"
                );
                failed += 1;
            }
        }
        tokio::task::yield_now().await;
    }
    failed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_and_concurrent_writers_on_postgres_miss_nothing() {
    let Some(server) = common::postgres_server().await else {
        return;
    };
    let db = common::PgTestDb::create(&server).await;
    let dir = tempfile::tempdir().unwrap();

    // Both start at once on an empty database (migrations, vocabulary and neighbourhoods).
    let (config_a, config_b) = (
        config_on(&dir.path().join("a"), Some(db.url.clone())),
        config_on(&dir.path().join("b"), Some(db.url.clone())),
    );
    let (a, b) = tokio::join!(prepare(&config_a), prepare(&config_b));
    let (a, b) = (a.expect("instance a starts"), b.expect("instance b starts"));
    assert_eq!(a.store.service_count().await.unwrap(), 0, "no demo data");

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut loops = Vec::new();
    for catalog in [&a, &b] {
        let mut stopped = stopped.clone();
        loops.push(tokio::spawn(catalog.indexer.clone().run(async move {
            let _ = stopped.wait_for(|s| *s).await;
        })));
    }

    const WRITERS: usize = 4;
    const ROUNDS: usize = 36;
    let progress = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for n in 0..WRITERS {
        let (store, vocabulary, progress) =
            (a.store.clone(), a.vocabulary.clone(), progress.clone());
        writers.push(tokio::spawn(async move {
            let failed = writer(store, vocabulary, n, ROUNDS).await;
            progress.fetch_add(1, Ordering::SeqCst);
            failed
        }));
    }
    // A rebuild in the middle of the writing, on instance a.
    while a.store.latest_change().await.unwrap() < 60 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        progress.load(Ordering::SeqCst) < WRITERS,
        "the rebuild starts while the writers are still writing"
    );
    let rebuilt = a.indexer.rebuild().await.expect("rebuild");
    assert!(rebuilt > 0);
    let mut failed = 0;
    for w in writers {
        failed += w.await.expect("writer");
    }
    // One write after them all, so that every rolled-back number lies below a committed one.
    let last = organization("Laatste");
    a.store.upsert_organization(&last, None).await.unwrap();
    a.save_service(&service(Uuid::new_v4(), last.id, "Laatste dienst"))
        .await
        .unwrap();
    settled(&a).await;
    settled(&b).await;

    let versions = database_versions(&a.store).await;
    assert!(versions.len() > 100, "{} services", versions.len());
    let names = database_names(&a.store).await;
    for (instance, catalog) in [("a", &a), ("b", &b)] {
        // Every service at the version of its last change: nothing missing, nothing stale,
        // nothing deleted left behind.
        let indexed = catalog.search.versions().expect("index versions");
        assert_eq!(indexed.len(), versions.len(), "instance {instance}");
        for (id, version) in &versions {
            assert_eq!(indexed.get(id), Some(version), "instance {instance}: {id}");
        }
        // And what a result list shows: the last name of each service and its organisation.
        assert_eq!(indexed_names(&catalog.search), names, "instance {instance}");
        // The change log alone got there: reconciliation finds nothing to repair.
        let reconciled = catalog.indexer.reconcile().await.expect("reconcile");
        assert_eq!(
            reconciled.repaired(),
            0,
            "instance {instance}: {reconciled:?}"
        );
        assert_eq!(reconciled.compared, versions.len() as u64);
        assert_eq!(catalog.indexer.stats().repaired, 0, "instance {instance}");
    }
    // Instance b read the whole log. Change-log rows are written at commit (`WriteTx`), so a
    // batch that fails halfway usually draws no number at all; a hole can only be a rolled-back
    // batch (stepped over at once), never more than there were.
    assert!(failed > 0, "the writers made failing batches");
    assert!(
        b.indexer.stats().holes_stepped_over <= failed as u64,
        "holes ({}) are rolled-back writes ({failed})",
        b.indexer.stats().holes_stepped_over
    );

    let _ = stop.send(true);
    for l in loops {
        l.await.unwrap();
    }
    a.store.close().await;
    b.store.close().await;
    db.drop_db().await;
}

/// The case a review found: a transaction that drew a lower number and commits late. Later
/// writers now wait for it, so a rebuild meanwhile cannot start past its number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_cannot_skip_a_write_that_commits_late() {
    let Some(server) = common::postgres_server().await else {
        return;
    };
    let db = common::PgTestDb::create(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let a = prepare(&config_on(dir.path(), Some(db.url.clone())))
        .await
        .expect("starts");
    let org = organization("Laat");
    a.store.upsert_organization(&org, None).await.unwrap();
    let slow = service(Uuid::new_v4(), org.id, "Oude naam");
    a.save_service(&slow).await.unwrap();
    settled(&a).await;

    // A write that has drawn its change-log number but not committed (raw SQL: a stand-in
    // for a slow import batch).
    let raw = sqlx::PgPool::connect(&db.url).await.unwrap();
    let mut slow_tx = raw.begin().await.unwrap();
    sqlx::query("update service set name = 'Nieuwe naam' where id = $1")
        .bind(slow.id.to_string())
        .execute(&mut *slow_tx)
        .await
        .unwrap();
    let slow_seq: i64 = sqlx::query_scalar(
        "insert into change_log (service_id, changed_at) values ($1, now()) returning seq",
    )
    .bind(slow.id.to_string())
    .fetch_one(&mut *slow_tx)
    .await
    .unwrap();

    // A later write waits for it instead of committing a higher number first.
    let fast = service(Uuid::new_v4(), org.id, "Snelle dienst");
    let later = {
        let (store, vocabulary, fast) = (a.store.clone(), a.vocabulary.clone(), fast.clone());
        tokio::spawn(async move { store.upsert_service(&fast, &vocabulary, None).await })
    };
    let mut waited = 0;
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_locks where locktype = 'advisory' and not granted",
        )
        .fetch_one(&raw)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        waited += 1;
        assert!(waited < 1_000, "the later write never waited for the lock");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!later.is_finished());

    // A rebuild now starts below the open transaction's number …
    a.indexer.rebuild().await.unwrap();
    assert!(a.search.cursor().unwrap() < slow_seq);

    // … so once it commits, catch-up brings in both writes.
    slow_tx.commit().await.unwrap();
    later.await.unwrap().expect("the later write goes through");
    settled(&a).await;
    let names = indexed_names(&a.search);
    assert_eq!(names[&slow.id].0, "Nieuwe naam");
    assert_eq!(names[&fast.id].0, "Snelle dienst");
    assert_eq!(a.indexer.reconcile().await.unwrap().repaired(), 0);

    raw.close().await;
    a.store.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_goes_only_into_sqlite_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = prepare(&config_on(&dir.path().join("sqlite"), None))
        .await
        .expect("SQLite starts");
    assert!(sqlite.store.service_count().await.unwrap() > 0);
    sqlite.store.close().await;

    let Some(server) = common::postgres_server().await else {
        return;
    };
    let db = common::PgTestDb::create(&server).await;
    // Three instances at once on an empty database: none fills it, none trips over another
    // writing the neighbourhoods.
    let configs: Vec<Config> = ["x", "y", "z"]
        .iter()
        .map(|name| config_on(&dir.path().join(name), Some(db.url.clone())))
        .collect();
    let (x, y, z) = tokio::join!(
        prepare(&configs[0]),
        prepare(&configs[1]),
        prepare(&configs[2])
    );
    let (x, y, z) = (x.unwrap(), y.unwrap(), z.unwrap());
    assert_eq!(x.store.service_count().await.unwrap(), 0);
    assert_eq!(x.search.doc_count(), 0);
    let expected = x
        .geo
        .all()
        .filter(|n| n.level != wijkwijzer::geo::Level::Buurt || n.code.starts_with("BU0344"))
        .count() as i64;
    assert_eq!(x.store.neighbourhood_count().await.unwrap(), expected);
    for c in [x, y, z] {
        c.store.close().await;
    }

    // Asked explicitly, it loads.
    let mut config = config_on(&dir.path().join("asked"), Some(db.url.clone()));
    config.demo_data = Some(true);
    let asked = prepare(&config).await.unwrap();
    assert!(asked.store.service_count().await.unwrap() > 0);
    asked.store.close().await;
    db.drop_db().await;
}

/// Documents the change log never brought in (a write that bypassed it, a restored backup)
/// are found and repaired, and counted.
#[tokio::test]
async fn reconciliation_repairs_what_bypassed_the_change_log() {
    common::on_both_backends(false, |catalog, _| async move {
        let org = organization("Verzoening");
        catalog.store.upsert_organization(&org, None).await.unwrap();
        let services: Vec<Service> = (0..3)
            .map(|i| service(Uuid::new_v4(), org.id, &format!("Verzoend {i}")))
            .collect();
        for s in &services {
            catalog.save_service(s).await.unwrap();
        }
        settled(&catalog).await;
        assert_eq!(catalog.indexer.reconcile().await.unwrap().repaired(), 0);

        // Tamper with the index behind the log's back: an outdated document, a missing one
        // and one of a service that never existed.
        let cursor = catalog.search.cursor().unwrap();
        let record = catalog.service(services[0].id).await.unwrap().unwrap();
        let mut outdated = catalog.indexer.document(&record);
        outdated.name = "Verouderd".into();
        let mut ghost = outdated.clone();
        ghost.service_id = Uuid::new_v4();
        catalog
            .search
            .apply(vec![outdated, ghost], &[services[1].id], cursor)
            .unwrap();
        assert_eq!(catalog.search.doc_count(), 3);

        let repaired = catalog.indexer.reconcile().await.unwrap();
        assert_eq!(
            (repaired.missing, repaired.outdated, repaired.gone),
            (1, 1, 1)
        );
        assert_eq!(catalog.indexer.stats().repaired, 3);
        assert_eq!(
            catalog.search.versions().unwrap(),
            database_versions(&catalog.store).await
        );
        assert_eq!(
            indexed_names(&catalog.search),
            database_names(&catalog.store).await
        );
        assert_eq!(catalog.indexer.reconcile().await.unwrap().repaired(), 0);
    })
    .await;
}

/// A start with another vocabulary (a new release renamed a label) rebuilds the index: no
/// label stays stale until someone runs `reindex`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_vocabulary_reaches_the_index_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_on(dir.path(), None);
    config.demo_data = Some(true);
    let catalog = prepare(&config).await.unwrap();
    let store = catalog.store.clone();
    let current = catalog.indexer.reference().to_string();
    drop(catalog);

    // The index as an older release with another label for the category left it.
    let json = include_str!("../assets/taxonomies.json");
    let older = json.replacen("\"Eenzaamheid & sociaal netwerk\"", "\"Zwoegzaamheid\"", 1);
    assert_ne!(older, json);
    let older = Arc::new(Vocabulary::from_json(&older).unwrap());
    {
        let (index, _) = SearchIndex::open_or_create(&config.index_dir()).unwrap();
        let geo = Arc::new(wijkwijzer::app::load_geography(&store).await.unwrap());
        let old = Indexer::new(store.clone(), index.clone(), geo, older);
        old.rebuild().await.unwrap();
        assert!(label_hits(&index, "Zwoegzaamheid") > 0);
        assert_ne!(index.reference().unwrap(), current);
    }
    store.close().await;

    // The next start brings the index to the vocabulary it runs with.
    let catalog = prepare(&config).await.unwrap();
    assert_eq!(catalog.search.reference().unwrap(), current);
    assert_eq!(label_hits(&catalog.search, "Zwoegzaamheid"), 0);
    assert!(label_hits(&catalog.search, "Eenzaamheid") > 0);
    catalog.store.close().await;
}

fn label_hits(index: &SearchIndex, text: &str) -> usize {
    let request = SearchRequest {
        text: Some(text.into()),
        limit: 0,
        ..Default::default()
    };
    index.search(&request).unwrap().total
}

/// After `geo import` by one instance, another one's index is brought to the new geography at
/// its next start (a running service keeps the geography it started with, for pages and index
/// alike): services serving a wijk are found in its new buurten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_buurten_reach_every_index_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("shared.db").display()
    );
    let config = |name: &str| {
        let mut config = config_on(&dir.path().join(name), Some(url.clone()));
        config.region = Region::hart_van_brabant();
        config.demo_data = Some(true);
        config
    };
    let importer = prepare(&config("importer")).await.unwrap();
    let other = prepare(&config("other")).await.unwrap();
    let before = other.indexer.reference().to_string();

    let report = wijkwijzer::geo_import::import_buurten(
        &importer,
        include_str!("fixtures/tilburg_synthetic_buurten.geojson"),
    )
    .await
    .unwrap();
    assert!(report.services_queued > 0, "{report}");
    // The buurt with the most services serving or located in it, by the importer's index
    // (brought up to date by the import itself).
    let (buurt, expected) = report
        .imported
        .iter()
        .map(|code| (code.clone(), area_hits(&importer.search, code)))
        .max_by_key(|(_, hits)| *hits)
        .unwrap();
    assert!(expected > 0);
    drop(importer);

    // The other instance, still running with the old geography, follows the log as far as
    // that geography lets it …
    settled(&other).await;
    let config_other = config("other");
    other.store.close().await;
    drop(other);
    // … and its next start rebuilds with the new one.
    let other = prepare(&config_other).await.unwrap();
    assert_ne!(other.indexer.reference(), before);
    assert_eq!(other.search.reference().unwrap(), other.indexer.reference());
    assert_eq!(area_hits(&other.search, &buurt), expected);
    other.store.close().await;
}

fn area_hits(index: &SearchIndex, code: &str) -> usize {
    let request = SearchRequest {
        area_code: Some(code.into()),
        limit: 0,
        ..Default::default()
    };
    index.search(&request).unwrap().total
}
