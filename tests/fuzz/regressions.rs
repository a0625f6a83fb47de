//! What the fuzz targets found, replayed through the same checks on every `cargo test` (each
//! fix also has a unit test next to the code it fixed).

use serde_json::Value;

use crate::engine::{File, repo_file};

#[test]
fn a_repeated_q_whose_last_value_is_blank_links_to_the_search_shown() {
    // fuzz_search_parameters, seed 0x5eed20261202, case 3799 (shortened): the page searched
    // nothing (the last `q` is blank) but linked to a search for the first `q`.
    let geo = wijkwijzer::geo::Geography::load_embedded().unwrap();
    let vocabulary = wijkwijzer::domain::Vocabulary::embedded().unwrap();
    for raw in [
        "q=l%C7%86%5Ca%C3%9F%C4%B0%EF%BB%BF%F0%B0%A3%94%1D&language=%2500&q=+++++++++++++",
        "free=ja&free=&sort=name&sort=&page=2&page=",
    ] {
        crate::query::check(raw, &geo, &vocabulary, None).unwrap();
    }
}

#[test]
fn a_buurt_map_with_an_empty_position_is_read_without_a_panic() {
    // fuzz_geojson_buurten, seed 0x5eed20261202, case 63 (shortened): `[]` as a position.
    let geo = wijkwijzer::geo::Geography::load_embedded().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let catalog = crate::catalog(dir.path(), false);
    let map = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"statcode":"BU08551090","statnaam":"x"},
        "geometry":{"type":"MultiPolygon","coordinates":[[[[5.0,51.5],[5.1,51.5],[],[5.0,51.5]]]]}}]}"#;
    let file = File {
        name: "buurten.geojson".into(),
        bytes: map.as_bytes().to_vec(),
    };
    crate::geojson::check(&geo, &catalog, &file, true).unwrap();
}

#[test]
fn a_service_area_extent_with_an_empty_position_imports_and_indexes_without_a_panic() {
    // The same defect reached through an HSDS feed: the extent check of the importer and, for
    // an extent_type the importer does not check, the indexer (every start would have failed).
    let dir = tempfile::tempdir().unwrap();
    let catalog = crate::catalog(&dir.path().join("db"), false);
    let mut service: Value =
        serde_json::from_slice(&repo_file("assets/hsds/examples/service_full.json")).unwrap();
    for extent_type in ["geojson", "topojson"] {
        service["service_areas"][0]["extent"] =
            Value::String(r#"{"type":"Point","coordinates":[]}"#.into());
        service["service_areas"][0]["extent_type"] = Value::String(extent_type.into());
        let file = File {
            name: "feed.json".into(),
            bytes: serde_json::to_vec(&service).unwrap(),
        };
        crate::hsds_json::check(&catalog, dir.path(), &file, false).unwrap();
    }
    let id = uuid::Uuid::parse_str(service["id"].as_str().unwrap()).unwrap();
    let stored = crate::runtime().block_on(catalog.service(id)).unwrap();
    assert!(stored.is_some(), "the service was imported");
}
