//! Store tests: each runs against SQLite and, when configured, PostgreSQL — the same code,
//! the same assertions.

mod common;

use uuid::Uuid;
use wijkwijzer::app::prepare;
use wijkwijzer::catalog::Catalog;
use wijkwijzer::config::Config;
use wijkwijzer::demo::DemoFile;
use wijkwijzer::domain::{
    AccessRoute, Cost, CostKind, Formality, GroupFormat, Location, Organization, Schedule, Service,
    ServiceSummary, Setting,
};
use wijkwijzer::search::SearchRequest;

fn organization() -> Organization {
    Organization {
        id: Uuid::new_v4(),
        name: "Testbuurt Samen".into(),
        alternate_name: None,
        description: "Een testorganisatie".into(),
        email: Some("info@testbuurt.example".into()),
        website: Some("https://testbuurt.example".into()),
        provider_type: None,
        phone: None,
    }
}

fn location_in_overvecht(org: Uuid) -> Location {
    Location {
        id: Uuid::new_v4(),
        organization_id: Some(org),
        name: Some("Buurthuis Zamenhof (test)".into()),
        description: None,
        latitude: Some(52.1165),
        longitude: Some(5.1135),
        address: None,
        wheelchair_accessible: Some(true),
        transportation: None,
        placement: Default::default(),
    }
}

fn service(org: Uuid, locations: Vec<Uuid>, name: &str) -> Service {
    Service {
        id: Uuid::new_v4(),
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
        target_groups: vec!["ouderen-75".into()],
        access_route: AccessRoute::Open,
        accepts_referrals: true,
        welzijn_op_recept: true,
        formality: Formality::Informal,
        initiative: None,
        setting: Setting::InPerson,
        group_format: GroupFormat::Group,
        waiting_time: None,
        minimum_age: Some(75),
        maximum_age: None,
        eligibility: None,
        cost: Cost {
            kind: CostKind::Contribution,
            amount: Some(1.5),
            description: None,
        },
        languages: vec!["nl".into(), "tr".into()],
        assured_date: Some(time::macros::date!(2026 - 10 - 01)),
        location_ids: locations,
        service_areas: Vec::new(),
        schedules: vec![Schedule {
            freq: Some("WEEKLY".into()),
            byday: Some("WE".into()),
            opens_at: Some("14:00".into()),
            closes_at: Some("16:00".into()),
            ..Default::default()
        }],
        contacts: Vec::new(),
        other_term_ids: Vec::new(),
    }
}

async fn find(catalog: &Catalog, text: &str) -> Vec<Uuid> {
    catalog
        .indexer
        .catch_up(&mut Default::default())
        .await
        .expect("indexer catches up");
    let request = SearchRequest {
        text: Some(text.to_string()),
        limit: 100,
        ..Default::default()
    };
    catalog
        .search
        .search(&request)
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.service_id)
        .collect()
}

#[tokio::test]
async fn demo_data_loads_and_reads_back_field_for_field() {
    let demo = DemoFile::embedded().unwrap();
    common::on_both_backends(true, |catalog, _| {
        let demo = &demo;
        async move {
            assert_eq!(
                catalog.store.service_count().await.unwrap(),
                demo.services.len() as i64
            );
            assert_eq!(
                catalog.store.organization_count().await.unwrap(),
                demo.organizations.len() as i64
            );
            assert_eq!(catalog.search.doc_count(), demo.services.len() as u64);
            for original in demo.services.iter().step_by(37) {
                let record = catalog.service(original.id).await.unwrap().expect("stored");
                let mut expected = original.clone();
                expected.fill_child_ids();
                // The demo's check dates move with the day it is loaded (`DemoFile::load`).
                let shift =
                    wijkwijzer::domain::freshness::today() - wijkwijzer::demo::DEMO_REFERENCE_DATE;
                expected.assured_date = expected.assured_date.map(|d| d + shift);
                let mut got = record.service.clone();
                for list in [
                    &mut expected.categories,
                    &mut expected.target_groups,
                    &mut expected.languages,
                ] {
                    list.sort();
                }
                expected.location_ids.sort();
                got.location_ids.sort();
                expected.schedules.sort_by_key(|s| s.id);
                expected.contacts.sort_by_key(|c| c.id);
                expected.service_areas.sort_by_key(|a| a.id);
                assert_eq!(
                    got, expected,
                    "service {} reads back as written",
                    original.name
                );
                assert_eq!(record.organization.id, original.organization_id);
            }
        }
    })
    .await;
}

#[tokio::test]
async fn locations_get_their_neighbourhoods_when_written() {
    common::on_both_backends(false, |catalog, _| async move {
        let org = organization();
        catalog.save_organization(&org).await.unwrap();
        let loc = location_in_overvecht(org.id);
        catalog.save_location(&loc).await.unwrap();
        let s = service(org.id, vec![loc.id], "Buurtkoffie Zamenhof");
        catalog.save_service(&s).await.unwrap();
        let record = catalog.service(s.id).await.unwrap().unwrap();
        let placement = &record.locations[0].placement;
        assert_eq!(placement.gemeente.as_deref(), Some("GM0344"));
        assert_eq!(placement.wijk.as_deref(), Some("WK034403"));
        assert_eq!(placement.buurt.as_deref(), Some("BU03440321"));
    })
    .await;
}

#[tokio::test]
async fn every_write_is_logged_and_the_index_follows() {
    common::on_both_backends(false, |catalog, _| async move {
        let before = catalog.store.latest_change().await.unwrap();
        let org = organization();
        catalog.save_organization(&org).await.unwrap();
        let loc = location_in_overvecht(org.id);
        catalog.save_location(&loc).await.unwrap();
        let mut s = service(org.id, vec![loc.id], "Klaverjasclub Zonnebloem");
        catalog.save_service(&s).await.unwrap();
        assert!(catalog.store.latest_change().await.unwrap() > before);
        assert_eq!(find(&catalog, "klaverjasclub").await, vec![s.id]);

        s.name = "Sjoelclub Zonnebloem".into();
        catalog.save_service(&s).await.unwrap();
        assert_eq!(find(&catalog, "sjoelclub").await, vec![s.id]);
        assert!(find(&catalog, "klaverjasclub").await.is_empty());

        // Renaming the organisation reindexes its services.
        let renamed = Organization {
            name: "Stichting Tafeltennis".into(),
            ..org.clone()
        };
        catalog.save_organization(&renamed).await.unwrap();
        assert_eq!(find(&catalog, "tafeltennis").await, vec![s.id]);

        assert!(catalog.store.delete_service(s.id).await.unwrap());
        assert!(find(&catalog, "sjoelclub").await.is_empty());
        assert!(catalog.service(s.id).await.unwrap().is_none());

        // A rebuild from the database gives the same index.
        let count = catalog.indexer.rebuild().await.unwrap();
        assert_eq!(count as i64, catalog.store.service_count().await.unwrap());
        assert_eq!(
            catalog.search.cursor(),
            Some(catalog.store.latest_change().await.unwrap())
        );
    })
    .await;
}

/// Result lists come from the summary stored in the index, not from the database; after the
/// indexer catches up they must show exactly what the database holds, also after a change to
/// the organisation or a location that the service only links to.
#[tokio::test]
async fn result_lists_show_what_the_database_holds() {
    common::on_both_backends(false, |catalog, _| async move {
        let org = organization();
        catalog.save_organization(&org).await.unwrap();
        let mut loc = location_in_overvecht(org.id);
        catalog.save_location(&loc).await.unwrap();
        let s = service(org.id, vec![loc.id], "Klaverjasclub Zonnebloem");
        catalog.save_service(&s).await.unwrap();

        let listed = |catalog: Catalog| async move {
            catalog
                .indexer
                .catch_up(&mut Default::default())
                .await
                .expect("indexer catches up");
            let page = catalog
                .search_request(SearchRequest {
                    text: Some("klaverjasclub".into()),
                    ..Default::default()
                })
                .await
                .expect("search");
            assert_eq!(page.hits.len(), 1, "one hit");
            page.hits[0].summary.clone()
        };
        let from_database = |catalog: Catalog, id: Uuid| async move {
            ServiceSummary::from(&catalog.service(id).await.unwrap().expect("stored"))
        };

        let first = listed(catalog.clone()).await;
        assert_eq!(first, from_database(catalog.clone(), s.id).await);
        assert_eq!(first.organization_name, org.name);
        assert_eq!(
            first.locations[0].placement.wijk.as_deref(),
            Some("WK034403")
        );

        // The organisation is renamed and the location moves to the city centre.
        let renamed = Organization {
            name: "Stichting Tafeltennis".into(),
            ..org.clone()
        };
        catalog.save_organization(&renamed).await.unwrap();
        loc.latitude = Some(52.0896);
        loc.longitude = Some(5.1177);
        catalog.save_location(&loc).await.unwrap();

        let second = listed(catalog.clone()).await;
        assert_eq!(second, from_database(catalog.clone(), s.id).await);
        assert_eq!(second.organization_name, "Stichting Tafeltennis");
        assert_eq!(
            second.locations[0].placement.wijk.as_deref(),
            Some("WK034406")
        );
    })
    .await;
}

#[tokio::test]
async fn a_failed_write_leaves_nothing_behind() {
    common::on_both_backends(false, |catalog, _| async move {
        let org = organization();
        catalog.save_organization(&org).await.unwrap();
        let changes_before = catalog.store.latest_change().await.unwrap();

        // Unknown organisation.
        let orphan = service(Uuid::new_v4(), Vec::new(), "Wees");
        let err = catalog.save_service(&orphan).await.unwrap_err();
        assert!(err.to_string().contains("organization"), "{err}");

        // Unknown location: the service row written first must be rolled back too.
        let s = service(org.id, vec![Uuid::new_v4()], "Half");
        let err = catalog.save_service(&s).await.unwrap_err();
        assert!(err.to_string().contains("location"), "{err}");
        assert!(catalog.service(s.id).await.unwrap().is_none());
        assert_eq!(catalog.store.service_count().await.unwrap(), 0);
        assert_eq!(catalog.store.latest_change().await.unwrap(), changes_before);

        // Invalid input never reaches the database.
        let mut bad = service(org.id, Vec::new(), "Slecht");
        bad.categories = vec!["bestaat-niet".into()];
        assert!(catalog.save_service(&bad).await.is_err());
        assert_eq!(catalog.store.service_count().await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn two_instances_follow_one_database_with_their_own_index() {
    common::on_both_backends(false, |first, config| async move {
        // A second instance: same database, its own data directory and index.
        let other_dir = tempfile::tempdir().unwrap();
        let mut second_config = config.clone();
        second_config.data_dir = other_dir.path().to_path_buf();
        if config.database_url.is_none() {
            // SQLite: point the second instance at the first one's file.
            second_config.database_url = Some(format!(
                "sqlite://{}",
                config.data_dir.join("wijkwijzer.db").display()
            ));
        }
        let second = prepare(&second_config).await.expect("second instance");

        let org = organization();
        first.save_organization(&org).await.unwrap();
        let s = service(org.id, Vec::new(), "Rummikubmiddag");
        first.save_service(&s).await.unwrap();
        assert_eq!(find(&first, "rummikubmiddag").await, vec![s.id]);
        assert_eq!(find(&second, "rummikubmiddag").await, vec![s.id]);
        assert_eq!(first.search.cursor(), second.search.cursor());
        second.store.close().await;
    })
    .await;
}

#[tokio::test]
async fn an_index_from_another_schema_or_missing_is_rebuilt_at_start() {
    common::on_both_backends(true, |catalog, config| async move {
        let services = catalog.store.service_count().await.unwrap() as u64;
        catalog.store.close().await;
        std::fs::remove_dir_all(config.index_dir()).unwrap();
        let again = prepare(&Config {
            demo_data: Some(false),
            ..config.clone()
        })
        .await
        .unwrap();
        assert_eq!(again.search.doc_count(), services);
        again.store.close().await;
    })
    .await;
}
