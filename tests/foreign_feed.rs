//! Search on a feed from another system (tests/fixtures/foreign-feed.json: its own taxonomy,
//! GeoJSON service areas, CBS codes in area names, several languages), imported with our own
//! importer, on SQLite and PostgreSQL: what residents type must work there as on our own data.

mod common;

use std::path::Path;

use wijkwijzer::catalog::Catalog;
use wijkwijzer::query;

const FEED: &str = "tests/fixtures/foreign-feed.json";

async fn import(catalog: &Catalog) {
    let options = wijkwijzer::hsds::import::Options::default();
    let report = wijkwijzer::hsds::import::import_path(
        catalog,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(FEED),
        &options,
    )
    .await
    .expect("the feed imports");
    assert!(report.problems.is_empty(), "{report}");
    catalog.indexer.settle().await.expect("index caught up");
}

/// The names found for a query string, as the pages and the API parse it.
async fn names(catalog: &Catalog, query_string: &str) -> Vec<String> {
    let parsed = query::parse(
        &format!("{query_string}&per_page=100"),
        &catalog.geo,
        &catalog.vocabulary,
    )
    .expect("valid query");
    catalog
        .search(&parsed)
        .await
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.summary.name)
        .collect()
}

fn has(found: &[String], name: &str) -> bool {
    found.iter().any(|n| n == name)
}

#[tokio::test]
async fn residents_find_a_foreign_feed_as_they_type() {
    common::on_both_backends(false, |catalog, _| async move {
        import(&catalog).await;

        // Its own taxonomy's "Eenzaamheid & sociaal netwerk" (RM-012) is our eenzaamheid, so
        // the life question finds services whose texts never say "alleen".
        let lonely = names(&catalog, "q=ik+voel+mij+zo+alleen").await;
        for name in ["Maatjesproject Noordwest", "Huisbezoek ouderen Overvecht"] {
            assert!(has(&lonely, name), "{name} in {lonely:?}");
        }
        let money = names(&catalog, "category=geld").await;
        for name in [
            "Geldmaatje Lunetten",
            "Cursus Rondkomen",
            "Thuisadministratie",
        ] {
            assert!(has(&money, name), "{name} in {money:?}");
        }
        // Slips and compounds.
        assert!(!names(&catalog, "q=schuldhulpverlning").await.is_empty());
        let cafes = names(&catalog, "q=taal+cafe").await;
        assert!(has(&cafes, "Taalcafé Oost"), "{cafes:?}");
        assert!(has(&cafes, "Taal café in de bibliotheek"), "{cafes:?}");
        let together = names(&catalog, "q=taalcafe").await;
        assert!(
            has(&together, "Taal café in de bibliotheek"),
            "{together:?}"
        );
        assert!(has(
            &names(&catalog, "q=mantelzorgr").await,
            "Mantelzorgcafé Noordoost"
        ));
        // Languages: as a word and as a filter.
        let arabic = names(&catalog, "q=arabisch").await;
        assert!(
            has(&arabic, "Mantelzorgers in gesprek (Arabisch)"),
            "{arabic:?}"
        );
        assert!(has(&arabic, "Geldcafé Kanaleneiland"), "{arabic:?}");
        let english = names(&catalog, "language=en").await;
        assert!(has(&english, "Carers' meet-up in English"));
        assert!(!has(&english, "Cursus Rondkomen"));
    })
    .await;
}

#[tokio::test]
async fn a_geojson_service_area_serves_its_own_wijk_only() {
    common::on_both_backends(false, |catalog, _| async move {
        import(&catalog).await;
        // Drawn as Noordwest by another system: found in Noordwest and its buurten ...
        let noordwest = names(&catalog, "area=WK034402").await;
        assert!(has(&noordwest, "Maatjesproject Noordwest"), "{noordwest:?}");
        let buurten: Vec<String> = catalog
            .geo
            .children("WK034402")
            .iter()
            .map(|b| b.code.clone())
            .collect();
        assert!(!buurten.is_empty());
        for buurt in &buurten {
            let found = names(&catalog, &format!("area={buurt}")).await;
            assert!(
                has(&found, "Maatjesproject Noordwest"),
                "{buurt}: {found:?}"
            );
        }
        // ... never in the wijken around it, nor for the whole city.
        for other in ["WK034403", "WK034408", "WK034406", "WK034401"] {
            let found = names(&catalog, &format!("area={other}")).await;
            assert!(
                !has(&found, "Maatjesproject Noordwest"),
                "{other}: {found:?}"
            );
        }
        // Exactly wijk Zuid: its edge touches Oost and Binnenstad, which it does not serve.
        for other in ["WK034405", "WK034406"] {
            let found = names(&catalog, &format!("area={other}")).await;
            assert!(!has(&found, "Cursus Rondkomen"), "{other}: {found:?}");
        }
        assert!(has(
            &names(&catalog, "area=WK034407").await,
            "Cursus Rondkomen"
        ));
        // A CBS code in a service area's name.
        assert!(has(
            &names(&catalog, "area=WK034403").await,
            "Geldmaatje Overvecht"
        ));
    })
    .await;
}
