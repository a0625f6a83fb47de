//! Regions beyond Utrecht: an instance configured for Hart van Brabant with its demo data
//! (the resident's journeys over real HTTP), and `geo import` of a buurt map (synthetic test
//! buurten inside Tilburg's wijk Binnenstad), each on SQLite and, when configured, PostgreSQL.

mod common;

use std::sync::OnceLock;

use serde_json::Value;

use common::{TestServer, http};
use wijkwijzer::app::prepare;
use wijkwijzer::config::{Config, Region};

const HVB_GEMEENTEN: [(&str, &str); 6] = [
    ("GM0855", "Tilburg"),
    ("GM0766", "Dongen"),
    ("GM0785", "Goirle"),
    ("GM0798", "Hilvarenbeek"),
    ("GM0809", "Loon op Zand"),
    ("GM0824", "Oisterwijk"),
];

/// SYNTHETIC TEST DATA: four made-up buurten cut from Tilburg's wijk Binnenstad, plus features
/// the import must skip (see tests/fixtures/make_tilburg_synthetic_buurten.py).
const SYNTHETIC_BUURTEN: &str = include_str!("fixtures/tilburg_synthetic_buurten.geojson");

fn hvb_config(dir: &std::path::Path, database_url: Option<String>) -> Config {
    let mut config = Config::for_tests(dir.to_path_buf(), database_url);
    config.demo_data = Some(true);
    config.region = Region::hart_van_brabant();
    config
}

/// An app for Hart van Brabant with its demo data, on its own thread and runtime.
fn spawn_hvb_server(database_url: Option<String>) -> TestServer {
    common::spawn_configured(|dir| hvb_config(dir, database_url), |_| Box::pin(async {}))
}

fn sqlite_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| spawn_hvb_server(None))
}

fn pg_server() -> Option<&'static TestServer> {
    static SERVER: OnceLock<Option<TestServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = common::pg_database("wijkwijzer_regions_suite")?;
            Some(spawn_hvb_server(Some(url)))
        })
        .as_ref()
}

async fn get(base: &str, path: &str) -> reqwest::Response {
    http()
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("request")
}

async fn api(base: &str, query: &str) -> Value {
    let response = get(base, &format!("/api/v1/search?{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.expect("json")
}

fn results(body: &Value) -> &Vec<Value> {
    body["results"].as_array().expect("results")
}

/// The gemeente codes a result lies in or serves (a served wijk counts for its gemeente).
fn gemeenten_of(result: &Value) -> Vec<String> {
    let mut out: Vec<String> = results_locations(result)
        .filter_map(|l| l["neighbourhoods"]["gemeente"].as_str().map(str::to_string))
        .collect();
    for area in result["service_areas"].as_array().unwrap() {
        if let Some(code) = area.as_str() {
            out.push(format!("GM{}", &code[2..6]));
        }
    }
    out
}

fn results_locations(result: &Value) -> impl Iterator<Item = &Value> {
    result["locations"].as_array().unwrap().iter()
}

async fn the_demo_is_hart_van_brabant(base: &str) {
    let all = api(base, "per_page=100").await;
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 60, "at least 60 offerings, got {total}");
    // Every gemeente of the region has offerings of its own, and nothing lies in Utrecht.
    for (code, name) in HVB_GEMEENTEN {
        let body = api(base, &format!("area={code}&per_page=100")).await;
        let located_here = results(&body)
            .iter()
            .filter(|r| {
                results_locations(r).any(|l| l["neighbourhoods"]["gemeente"].as_str() == Some(code))
            })
            .count();
        assert!(
            located_here >= 4,
            "{name}: {located_here} located offerings"
        );
    }
    // Each gemeente has a buurtteam or central intake, and its page shows the phone number.
    for (code, intake, phone) in [
        (
            "GM0855",
            "Centrale Toegang Sociaal Tilburg",
            "013 - 700 99 00",
        ),
        ("GM0766", "Sociaal Loket Dongen", "0162 - 70 99 00"),
        ("GM0785", "Sociaal Team Goirle", "013 - 700 99 10"),
        ("GM0798", "Sociaal Team Hilvarenbeek", "013 - 700 99 20"),
        (
            "GM0809",
            "Toegang Sociaal Domein Loon op Zand",
            "0416 - 70 99 00",
        ),
        ("GM0824", "Sociaal Wijkteam Oisterwijk", "013 - 700 99 30"),
    ] {
        let body = api(base, &format!("area={code}&category=toegang&per_page=100")).await;
        let Some(found) = results(&body).iter().find(|r| r["name"] == intake) else {
            panic!("{intake} is not found in {code}");
        };
        let page = get(base, &format!("/aanbod/{}", found["id"].as_str().unwrap())).await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(phone), "{intake}: {phone}");
    }
    assert_eq!(api(base, "area=GM0344").await["total"], 0);
}

async fn a_tilburg_postcode_finds_tilburg_first(base: &str) {
    let body = api(base, "q=eenzaam&postcode=5038&sort=distance&per_page=100").await;
    let found = results(&body);
    assert!(found.len() >= 8, "{} results", found.len());
    // The nearest located offerings are Tilburg's; Dongen, Goirle etc. come later.
    let located: Vec<&Value> = found
        .iter()
        .filter(|r| r["distance_m"].as_f64().is_some())
        .collect();
    assert!(located.len() >= 6);
    for r in &located[..4] {
        assert!(
            gemeenten_of(r).contains(&"GM0855".to_string()),
            "{} is not in Tilburg",
            r["name"]
        );
    }
    let elsewhere = located
        .iter()
        .position(|r| !gemeenten_of(r).contains(&"GM0855".to_string()));
    assert!(
        elsewhere.is_some(),
        "the other gemeenten' eenzaamheid offerings are found too"
    );
    assert_eq!(body["understood_categories"][0], "eenzaamheid");
}

async fn a_search_by_tilburg_wijk_stays_there(base: &str) {
    // Binnenstad, WK085510: the buurtteam, the central intake and the library are located there;
    // Heikant, WK085543, has the Noord buurtteam and the women's centre.
    let mut ids = Vec::new();
    for wijk in ["WK085510", "WK085543"] {
        let body = api(base, &format!("area={wijk}&per_page=100")).await;
        let found = results(&body);
        let mut located_inside = 0;
        for r in found {
            let inside =
                results_locations(r).any(|l| l["neighbourhoods"]["wijk"].as_str() == Some(wijk));
            let serves = r["service_areas"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .any(|a| a == wijk || a == "GM0855");
            assert!(
                inside || serves,
                "{} neither lies in nor serves {wijk}",
                r["name"]
            );
            located_inside += usize::from(inside);
        }
        assert!(located_inside >= 2, "{wijk}: {located_inside}");
        ids.push(
            found
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>(),
        );
    }
    assert_ne!(ids[0], ids[1], "two wijken, two different lists");
}

async fn the_picker_lists_the_region(base: &str) {
    for path in ["/", "/zoeken?q=koffie"] {
        let html = get(base, path).await.text().await.unwrap();
        assert!(html.contains("Hele regio Hart van Brabant"), "{path}");
        for (code, name) in HVB_GEMEENTEN {
            assert!(
                html.contains(&format!("<optgroup label=\"{name}\">")),
                "{path}: {name}"
            );
            assert!(
                html.contains(&format!("value=\"{code}\"")),
                "{path}: {code}"
            );
        }
        // Wijken of the region are there, Utrecht's are not.
        assert!(html.contains("value=\"WK085510\""), "{path}");
        assert!(!html.contains("Overvecht"), "{path}");
        assert!(!html.contains("<optgroup label=\"Amersfoort\">"), "{path}");
    }
    // Tilburg, the region's main city, comes first.
    let html = get(base, "/").await.text().await.unwrap();
    let first = html.find("<optgroup label=").unwrap();
    assert!(html[first..].starts_with("<optgroup label=\"Tilburg\">"));
    // A link to an area outside the region keeps it chosen.
    let html = get(base, "/zoeken?area=WK034403")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<option value=\"WK034403\" selected>Overvecht</option>"));

    let overview = get(base, "/wijken").await.text().await.unwrap();
    for (code, _) in HVB_GEMEENTEN {
        assert!(overview.contains(&format!("/wijk/{code}")), "{code}");
    }
    assert!(!overview.contains("/wijk/GM0344"));
}

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(&super::sqlite_server().base).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                let Some(server) = super::pg_server() else { return };
                super::$name(&server.base).await;
            })+
        }
    };
}

on_both_backends!(
    the_demo_is_hart_van_brabant,
    a_tilburg_postcode_finds_tilburg_first,
    a_search_by_tilburg_wijk_stays_there,
    the_picker_lists_the_region,
);

/// A Tilburg postcode, parsed as the pages and the API parse it, lies in gemeente Tilburg and
/// one of its wijken; a region given as codes gets its label from the gemeente names.
#[tokio::test]
async fn a_tilburg_postcode_resolves_to_its_gemeente_and_wijk() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = hvb_config(dir.path(), None);
    config.demo_data = Some(false);
    let catalog = prepare(&config).await.expect("prepares");
    let parsed = wijkwijzer::query::parse("postcode=5038+AB", &catalog.geo, &catalog.vocabulary)
        .expect("a valid postcode");
    let origin = parsed.origin.expect("an origin");
    assert_eq!(origin.covering_codes[0], "GM0855");
    let wijk = &origin.covering_codes[1];
    assert!(wijk.starts_with("WK0855"), "{wijk}");
    assert_eq!(
        catalog.geo.get(wijk).and_then(|w| w.parent.as_deref()),
        Some("GM0855")
    );

    let own = Region::parse("GM0855,GM0766")
        .unwrap()
        .resolve(&catalog.geo)
        .unwrap();
    assert_eq!(own.label, "Tilburg en Dongen");
    assert!(
        Region::parse("GM0855,GM0001")
            .unwrap()
            .resolve(&catalog.geo)
            .is_err()
    );
    catalog.store.close().await;
}

/// `geo import`: the synthetic buurten join the geography, the stored locations in the wijk get
/// their buurt, a search by buurt code finds their services, and all of it survives a restart.
async fn geo_import_gives_tilburg_buurten(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let config = hvb_config(dir.path(), database_url);
    let located_in_binnenstad = {
        let catalog = prepare(&config).await.expect("prepares with the demo");
        let before = catalog.store.located_locations().await.unwrap();
        let in_wijk: Vec<_> = before
            .iter()
            .filter(|l| l.placement.wijk.as_deref() == Some("WK085510"))
            .map(|l| l.id)
            .collect();
        assert!(in_wijk.len() >= 3, "demo locations in Binnenstad");
        assert!(before.iter().all(|l| l.placement.buurt.is_none()));

        let report = wijkwijzer::geo_import::import_buurten(&catalog, SYNTHETIC_BUURTEN)
            .await
            .expect("imports");
        assert_eq!(report.imported.len(), 4, "{report}");
        assert_eq!(report.skipped.len(), 5, "{report}");
        assert_eq!(report.relocated, in_wijk.len(), "{report}");
        assert!(report.indexed >= in_wijk.len(), "{report}");
        assert!(report.to_string().contains("4 buurten ingelezen"));

        // Importing the same file again changes nothing more.
        let again = wijkwijzer::geo_import::import_buurten(&catalog, SYNTHETIC_BUURTEN)
            .await
            .expect("imports again");
        assert_eq!(again.relocated, 0);
        catalog.store.close().await;
        in_wijk
    };

    // A restart: the geography now has the buurten, taken from the database.
    let catalog = prepare(&config).await.expect("prepares again");
    assert_eq!(catalog.geo.children("WK085510").len(), 4);
    let after = catalog.store.located_locations().await.unwrap();
    let mut searched = 0;
    for loc in after
        .iter()
        .filter(|l| located_in_binnenstad.contains(&l.id))
    {
        let buurt = loc
            .placement
            .buurt
            .as_deref()
            .expect("a buurt after the import");
        assert!(buurt.starts_with("BU085510"), "{buurt}");
        assert_eq!(loc.placement.wijk.as_deref(), Some("WK085510"));

        let parsed = wijkwijzer::query::parse(
            &format!("area={buurt}&per_page=100"),
            &catalog.geo,
            &catalog.vocabulary,
        )
        .expect("the buurt code is known");
        let found = catalog.search(&parsed).await.expect("searches");
        let here: Vec<_> = found
            .hits
            .iter()
            .filter(|h| h.summary.locations.iter().any(|l| l.id == loc.id))
            .collect();
        assert!(
            !here.is_empty(),
            "a service at {} is found by {buurt}",
            loc.id
        );
        for hit in &found.hits {
            let inside = hit
                .summary
                .locations
                .iter()
                .any(|l| l.placement.buurt.as_deref() == Some(buurt));
            let serves = hit
                .summary
                .service_area_codes
                .iter()
                .any(|a| a == "WK085510" || a == "GM0855" || a == buurt);
            assert!(inside || serves, "{} is not in {buurt}", hit.summary.name);
        }
        searched += 1;
    }
    assert!(searched >= 3);
    catalog.store.close().await;
}

#[tokio::test]
async fn geo_import_on_sqlite() {
    geo_import_gives_tilburg_buurten(None).await;
}

#[tokio::test]
async fn geo_import_on_postgres() {
    let Some(server) = common::postgres_server().await else {
        return;
    };
    let db = common::PgTestDb::create(&server).await;
    geo_import_gives_tilburg_buurten(Some(db.url.clone())).await;
    db.drop_db().await;
}
