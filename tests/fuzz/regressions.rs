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
        "q=l%C7%86%5Ca%C3%9F%C4%B0%EF%BB%BF%F0%B0%A3%94&language=%2500&q=+++++++++++++",
        "free=ja&free=&sort=name&sort=&page=2&page=",
    ] {
        crate::query::check(raw, &geo, &vocabulary, None).unwrap();
    }
    // The case as found had a control character (%1D) in `q`: since issue 12 that is a 400 on
    // the pages as in the API, naming the parameter.
    let found = "q=l%C7%86%5Ca%C3%9F%C4%B0%EF%BB%BF%F0%B0%A3%94%1D&language=%2500&q=+++";
    match wijkwijzer::query::parse_forgiving(found, &geo, &vocabulary) {
        Err(wijkwijzer::error::AppError::BadRequest { param, .. }) => {
            assert_eq!(param.as_deref(), Some("q"))
        }
        other => panic!("expected a 400 naming q, got {other:?}"),
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

/// A package whose four tables of `k` rows all share one id per table, so every row links to
/// every row of the next table.
fn repeated_ids_package(dir: &std::path::Path, k: usize) {
    let (s, c, p) = (
        "00000000-0000-0000-0000-00000000000a",
        "00000000-0000-0000-0000-00000000000c",
        "00000000-0000-0000-0000-00000000000d",
    );
    let mut services = String::from("id,name,status\n");
    let mut contacts = String::from("id,service_id,name\n");
    let mut phones = String::from("id,contact_id,number\n");
    let mut languages = String::from("id,phone_id,name\n");
    for i in 0..k {
        services.push_str(&format!("{s},x,active\n"));
        contacts.push_str(&format!("{c},{s},n\n"));
        phones.push_str(&format!("{p},{c},1\n"));
        languages.push_str(&format!("00000000-0000-0000-0000-{i:012},{p},nl\n"));
    }
    for (name, text) in [
        ("services.csv", services),
        ("contacts.csv", contacts),
        ("phones.csv", phones),
        ("languages.csv", languages),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn csv_tables_that_link_every_row_to_every_row_are_refused_not_built() {
    // Found while fuzzing the CSV importer: repeated ids multiply nested copies (k^4 objects;
    // an 8 KB package built 91 MB, a 30 KB one would exhaust memory).
    use wijkwijzer::hsds::tabular::read_datapackage;
    let dir = tempfile::tempdir().unwrap();
    repeated_ids_package(dir.path(), 30);
    let problems = read_datapackage(dir.path()).expect_err("refused");
    assert!(
        problems[0].message.contains("nested objects"),
        "{problems:?}"
    );
    // A few repeats stay within bounds and are read (the importer judges them).
    let small = tempfile::tempdir().unwrap();
    repeated_ids_package(small.path(), 4);
    let (items, _) = read_datapackage(small.path()).expect("read");
    assert_eq!(items.len(), 4);
    // The specification's example package reads as before.
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/hsds/examples/csv");
    assert!(read_datapackage(&example).is_ok());
}
