//! HSDS import and export against a real database (SQLite, and PostgreSQL when available):
//! the specification's examples survive a round trip field by field, re-imports change
//! nothing, and bad files are refused precisely without touching what was there.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::on_both_backends;
use wijkwijzer::catalog::Catalog;
use wijkwijzer::hsds::export::{Format, export_to};
use wijkwijzer::hsds::import::{Options, Report, import_path};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/hsds/examples")
        .join(name)
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

async fn export(catalog: &Catalog, format: Format) -> Vec<Value> {
    let mut out = Vec::new();
    export_to(catalog, format, &mut out)
        .await
        .expect("export runs");
    let text = String::from_utf8(out).unwrap();
    match format {
        Format::Json => serde_json::from_str::<Vec<Value>>(&text).unwrap(),
        Format::Ndjson | Format::Csv => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    }
}

/// Every field of `original` is in `exported` with the same value; lists of objects with ids
/// are matched by id. Returns the paths that differ.
fn lost_fields(original: &Value, exported: &Value, path: &str, lost: &mut Vec<String>) {
    match (original, exported) {
        (Value::Object(o), Value::Object(e)) => {
            for (key, value) in o {
                match e.get(key) {
                    Some(other) => lost_fields(value, other, &format!("{path}/{key}"), lost),
                    None => lost.push(format!("{path}/{key} missing")),
                }
            }
        }
        (Value::Array(o), Value::Array(e)) => {
            for (i, item) in o.iter().enumerate() {
                let other = match item.get("id") {
                    Some(id) => e.iter().find(|x| x.get("id") == Some(id)),
                    None => e.get(i),
                };
                match other {
                    Some(other) => lost_fields(item, other, &format!("{path}/{i}"), lost),
                    None => lost.push(format!("{path}/{i} missing")),
                }
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => lost.push(format!("{path}: {a} became {b}")),
    }
}

fn organization<'a>(exported: &'a [Value], id: &Value) -> &'a Value {
    exported
        .iter()
        .find(|o| &o["id"] == id)
        .expect("organization exported")
}

#[tokio::test]
async fn the_spec_service_example_survives_import_and_export_field_by_field() {
    on_both_backends(false, |catalog, _| async move {
        let original: Value =
            serde_json::from_str(&std::fs::read_to_string(example("service_full.json")).unwrap())
                .unwrap();
        let report = import(&catalog, &example("service_full.json"), false).await;
        assert!(report.problems.is_empty(), "{report}");
        assert_eq!(report.services.created, 1, "{report}");
        // The example's coordinates (100, 101) are not on earth: kept, with a warning.
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.field.ends_with("latitude")),
            "{report}"
        );

        for format in [Format::Json, Format::Ndjson] {
            let exported = export(&catalog, format).await;
            let org = organization(&exported, &original["organization"]["id"]);
            let service = org["services"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == original["id"])
                .expect("service exported");
            let mut lost = Vec::new();
            let mut without_org = original.clone();
            without_org.as_object_mut().unwrap().remove("organization");
            lost_fields(&without_org, service, "", &mut lost);
            lost_fields(&original["organization"], org, "/organization", &mut lost);
            assert!(lost.is_empty(), "{format:?}: {lost:#?}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_spec_organization_example_survives_and_reimport_changes_nothing() {
    on_both_backends(false, |catalog, _| async move {
        let path = example("organization_full.json");
        let original: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let first = import(&catalog, &path, false).await;
        assert!(first.problems.is_empty(), "{first}");
        assert_eq!(first.organizations.created, 1, "{first}");
        let changes = catalog.store.latest_change().await.unwrap();

        let exported = export(&catalog, Format::Json).await;
        let mut lost = Vec::new();
        lost_fields(
            &original,
            organization(&exported, &original["id"]),
            "",
            &mut lost,
        );
        assert!(lost.is_empty(), "{lost:#?}");

        // Importing the same file again: all unchanged, no change-log entries.
        let again = import(&catalog, &path, false).await;
        assert_eq!(again.organizations.unchanged, 1, "{again}");
        assert_eq!(
            again.services.created + again.services.updated,
            0,
            "{again}"
        );
        assert!(again.services.unchanged >= 1, "{again}");
        assert_eq!(catalog.store.latest_change().await.unwrap(), changes);

        // A changed record updates by id.
        let mut changed = original.clone();
        changed["services"][0]["name"] = Value::String("Nieuwe naam".into());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("changed.json");
        std::fs::write(&file, changed.to_string()).unwrap();
        let update = import(&catalog, &file, false).await;
        assert_eq!(update.services.updated, 1, "{update}");
        let id = uuid::Uuid::parse_str(original["services"][0]["id"].as_str().unwrap()).unwrap();
        assert_eq!(
            catalog.service(id).await.unwrap().unwrap().service.name,
            "Nieuwe naam"
        );
    })
    .await;
}

#[tokio::test]
async fn the_demo_directory_round_trips_through_its_own_export() {
    on_both_backends(true, |catalog, _| async move {
        let first = export(&catalog, Format::Ndjson).await;
        assert!(first.len() >= 80, "every organization");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("demo.ndjson");
        std::fs::write(
            &file,
            first.iter().map(|v| format!("{v}\n")).collect::<String>(),
        )
        .unwrap();
        // Into the same database: everything is recognised, nothing rejected.
        let report = import(&catalog, &file, false).await;
        assert!(report.problems.is_empty(), "{report}");
        assert!(
            report.services.created == 0 && report.services.rejected == 0,
            "{report}"
        );
        let second = export(&catalog, Format::Ndjson).await;
        let mut lost = Vec::new();
        for (a, b) in first.iter().zip(&second) {
            lost_fields(a, b, "", &mut lost);
        }
        assert!(lost.is_empty(), "{lost:#?}");
    })
    .await;
}

/// Writes `text` to a temporary file and imports it.
async fn import_text(catalog: &Catalog, name: &str, text: &str, strict: bool) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, text).unwrap();
    import(catalog, &file, strict).await
}

fn service_with(change: impl FnOnce(&mut Value)) -> String {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(example("service_full.json")).unwrap())
            .unwrap();
    change(&mut v);
    v.to_string()
}

#[tokio::test]
async fn bad_files_are_refused_precisely_and_leave_the_database_as_it_was() {
    on_both_backends(false, |catalog, _| async move {
        let count = || async { catalog.store.service_count().await.unwrap() };
        let before = count().await;

        let broken =
            import_text(&catalog, "broken.json", "{\"id\": \"x\", \"name\": ", false).await;
        assert!(broken.aborted);
        assert!(
            broken.problems[0].message.contains("not valid JSON"),
            "{broken}"
        );
        assert!(broken.problems[0].place.starts_with("line 1"), "{broken}");

        let missing = service_with(|v| {
            v.as_object_mut().unwrap().remove("name");
        });
        let r = import_text(&catalog, "missing.json", &missing, false).await;
        assert_eq!(r.services.rejected, 1, "{r}");
        assert!(
            r.problems.iter().any(|p| p.message.contains("\"name\"")),
            "{r}"
        );

        let wrong_type = service_with(|v| v["minimum_age"] = Value::String("twaalf".into()));
        let r = import_text(&catalog, "type.json", &wrong_type, false).await;
        assert!(r.problems.iter().any(|p| p.field == "/minimum_age"), "{r}");

        let unknown_term = service_with(|v| {
            let attribute = &mut v["attributes"][0];
            attribute.as_object_mut().unwrap().remove("taxonomy_term");
            attribute["taxonomy_term_id"] =
                Value::String("11111111-2222-3333-4444-555555555555".into());
        });
        let r = import_text(&catalog, "term.json", &unknown_term, false).await;
        assert!(
            r.problems
                .iter()
                .any(|p| p.field == "/attributes/0/taxonomy_term_id"
                    && p.message.contains("unknown taxonomy term")),
            "{r}"
        );

        let unknown_org = service_with(|v| {
            v.as_object_mut().unwrap().remove("organization");
            v["organization_id"] = Value::String("11111111-2222-3333-4444-555555555555".into());
        });
        let r = import_text(&catalog, "org.json", &unknown_org, false).await;
        assert!(
            r.problems
                .iter()
                .any(|p| p.message.contains("unknown organization")),
            "{r}"
        );
        assert_eq!(
            count().await,
            before,
            "nothing written for rejected records"
        );

        // Not JSON at all: nothing written, and no talk of a strict mode that was not asked.
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("garbage.json");
        let file = std::fs::File::create(&garbage).unwrap();
        file.set_len(1024 * 1024).unwrap();
        let r = import(&catalog, &garbage, false).await;
        assert!(
            r.aborted && r.problems[0].message.contains("not valid JSON"),
            "{r}"
        );
        assert!(!r.to_string().contains("strict mode"), "{r}");
        assert!(!broken.to_string().contains("strict mode"), "{broken}");

        // A list with one good and one bad record: the good one goes in, unless strict.
        let good = service_with(|_| {});
        let bad = service_with(|v| {
            v["id"] = Value::String("not-a-uuid".into());
        });
        let list = format!("{good}\n{bad}\n");
        let strict = import_text(&catalog, "two.ndjson", &list, true).await;
        assert!(strict.aborted, "{strict}");
        assert!(
            strict
                .to_string()
                .contains("strict mode: nothing was written"),
            "{strict}"
        );
        assert!(
            strict
                .problems
                .iter()
                .any(|p| p.place == "line 2" && p.field == "/id"),
            "{strict}"
        );
        assert_eq!(count().await, before, "strict wrote nothing");
        let lenient = import_text(&catalog, "two.ndjson", &list, false).await;
        assert_eq!(
            (lenient.services.created, lenient.services.rejected),
            (1, 1),
            "{lenient}"
        );
        assert_eq!(count().await, before + 1);
    })
    .await;
}

#[tokio::test]
async fn imported_services_are_searchable_and_placed_in_their_neighbourhood() {
    on_both_backends(false, |catalog, _| async move {
        // The example moved to Overvecht (Utrecht): its location gets buurt, wijk and gemeente.
        let moved = service_with(|v| {
            for pointer in [
                "/service_at_locations/0/location",
                "/organization/locations/0",
            ] {
                let loc = v.pointer_mut(pointer).unwrap();
                loc["latitude"] = 52.1165.into();
                loc["longitude"] = 5.1135.into();
            }
        });
        let r = import_text(&catalog, "moved.json", &moved, false).await;
        // The example's service area has the placeholder extent "extent": said, and kept.
        assert!(r.problems.is_empty(), "{r}");
        assert!(
            r.warnings.len() == 1 && r.warnings[0].field == "/service_areas/0/extent",
            "{r}"
        );
        catalog
            .indexer
            .catch_up(&mut Default::default())
            .await
            .unwrap();
        let found = catalog
            .search_request(wijkwijzer::search::SearchRequest {
                text: Some("counselling".into()),
                area_code: Some("WK034403".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(found.total, 1);
        let loc = &found.hits[0].summary.locations[0];
        assert_eq!(loc.placement.wijk.as_deref(), Some("WK034403"));
        assert!(
            loc.placement
                .buurt
                .as_deref()
                .is_some_and(|b| b.starts_with("BU034403"))
        );
    })
    .await;
}

/// Rows of one CSV file as (header → cell) maps.
fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

fn same_cell(a: &str, b: &str) -> bool {
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

#[tokio::test]
async fn the_spec_csv_example_survives_import_and_export_cell_by_cell() {
    on_both_backends(false, |catalog, _| async move {
        let source = example("csv");
        let report = import(&catalog, &source, false).await;
        // The example's attribute and metadata rows point at ids that are in no table, and a
        // table description belongs to nothing: those three are reported, all else goes in.
        let rejected: Vec<String> = report.problems.iter().map(|p| p.file.clone()).collect();
        assert_eq!(report.problems.len(), 3, "{report}");
        for file in [
            "attributes.csv",
            "metadata.csv",
            "meta_table_descriptions.csv",
        ] {
            assert!(
                rejected.iter().any(|f| f.ends_with(file)),
                "{file}: {report}"
            );
        }
        assert_eq!(report.services.created, 1, "{report}");

        let out = tempfile::tempdir().unwrap();
        wijkwijzer::hsds::export::export_path(&catalog, Format::Csv, out.path())
            .await
            .unwrap();
        assert!(out.path().join("datapackage.json").exists());
        let mut compared = 0;
        for entry in std::fs::read_dir(&source).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if !name.ends_with(".csv") || rejected.iter().any(|f| f.ends_with(&name)) {
                continue;
            }
            let exported = csv_rows(&out.path().join(&name));
            for row in csv_rows(&path) {
                let id = &row["id"];
                let other = exported
                    .iter()
                    .find(|r| r.get("id") == Some(id))
                    .unwrap_or_else(|| panic!("{name}: row {id} lost"));
                for (column, cell) in &row {
                    if cell.is_empty() {
                        continue;
                    }
                    let got = other.get(column).map(String::as_str).unwrap_or("");
                    assert!(
                        same_cell(cell, got),
                        "{name} {id} {column}: {cell:?} became {got:?}"
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 100, "{compared} cells compared");

        // The export reads back in: nothing new, nothing rejected.
        let again = import(&catalog, out.path(), false).await;
        assert!(again.problems.is_empty(), "{again}");
        assert_eq!(
            again.services.created + again.services.rejected,
            0,
            "{again}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_csv_with_a_wrong_header_is_refused_with_the_column_named() {
    on_both_backends(false, |catalog, _| async move {
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(example("csv")).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
        let services = dir.path().join("services.csv");
        let text = std::fs::read_to_string(&services).unwrap();
        std::fs::write(&services, text.replacen("minimum_age", "min_leeftijd", 1)).unwrap();
        let before = catalog.store.service_count().await.unwrap();
        let report = import(&catalog, dir.path(), false).await;
        assert!(report.aborted, "{report}");
        let p = &report.problems[0];
        assert!(
            p.file.ends_with("services.csv") && p.place == "header",
            "{report}"
        );
        assert_eq!(p.field, "min_leeftijd");
        assert!(p.message.contains("not a field of service"), "{report}");
        assert_eq!(catalog.store.service_count().await.unwrap(), before);
    })
    .await;
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[tokio::test]
async fn the_foreign_feed_fixture_imports_with_every_location_in_its_buurt() {
    on_both_backends(false, |catalog, _| async move {
        let report = import(&catalog, &fixture("foreign-feed.json"), false).await;
        assert!(
            report.problems.is_empty() && report.warnings.is_empty(),
            "{report}"
        );
        let created = |c: wijkwijzer::hsds::import::Counts| c.created;
        assert_eq!(
            (
                created(report.organizations),
                created(report.locations),
                created(report.services),
                created(report.taxonomy_terms),
            ),
            (4, 12, 33, 11),
            "{report}"
        );
        catalog
            .indexer
            .catch_up(&mut Default::default())
            .await
            .unwrap();

        // The script drew each point inside the buurt its location is named after.
        let feed: Value =
            serde_json::from_str(&std::fs::read_to_string(fixture("foreign-feed.json")).unwrap())
                .unwrap();
        let ids: Vec<uuid::Uuid> = feed
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|o| o["locations"].as_array().unwrap())
            .map(|l| uuid::Uuid::parse_str(l["id"].as_str().unwrap()).unwrap())
            .collect();
        let locations = catalog.store.load_locations(&ids).await.unwrap();
        assert_eq!(locations.len(), 12);
        for loc in &locations {
            let buurt = loc.placement.buurt.as_deref().expect("placed in a buurt");
            let name = &catalog.geo.get(buurt).unwrap().name;
            assert!(
                loc.name.as_deref().unwrap().ends_with(name.as_str()),
                "{:?} placed in {buurt} {name}",
                loc.name
            );
        }

        let found = catalog
            .search_request(wijkwijzer::search::SearchRequest {
                text: Some("taalcafé".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(found.total >= 2, "{} taalcafés", found.total);
    })
    .await;
}

/// The fixture's services as (name → document).
fn fixture_services() -> std::collections::HashMap<String, Value> {
    let feed: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("foreign-feed.json")).unwrap())
            .unwrap();
    feed.as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["services"].as_array().unwrap().clone())
        .map(|s| (s["name"].as_str().unwrap().to_string(), s))
        .collect()
}

fn carries(service: &Value, term_code: &str) -> bool {
    service["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["taxonomy_term"]["code"] == term_code)
}

/// Imports the fixture and brings the index up to date.
async fn import_fixture(catalog: &Catalog) -> Report {
    let report = import(catalog, &fixture("foreign-feed.json"), false).await;
    assert!(report.problems.is_empty(), "{report}");
    catalog
        .indexer
        .catch_up(&mut Default::default())
        .await
        .unwrap();
    report
}

/// Names of the services a search finds (all of them).
async fn found_names(catalog: &Catalog, request: wijkwijzer::search::SearchRequest) -> Vec<String> {
    let page = catalog
        .search_request(wijkwijzer::search::SearchRequest {
            limit: 100,
            ..request
        })
        .await
        .unwrap();
    assert!(page.total <= 100);
    page.hits.into_iter().map(|h| h.summary.name).collect()
}

#[tokio::test]
async fn foreign_terms_map_to_our_categories_for_filter_and_facets_and_export_unchanged() {
    on_both_backends(false, |catalog, _| async move {
        let report = import_fixture(&catalog).await;
        let services = fixture_services();

        // Mapped by the file for RM-021 "Schuldhulpverlening" → geld/schuldhulp.
        let mut expected: Vec<&String> = services
            .iter()
            .filter(|(_, s)| carries(s, "RM-021"))
            .map(|(name, _)| name)
            .collect();
        expected.sort();
        assert!(expected.len() >= 5);
        let mut by_filter = found_names(
            &catalog,
            wijkwijzer::search::SearchRequest {
                categories: vec!["geld".into()],
                ..Default::default()
            },
        )
        .await;
        by_filter.sort();
        assert_eq!(by_filter.iter().collect::<Vec<_>>(), expected);

        // The facet counts them under the sub-category and its parent, and the target group
        // RM-D01 → mantelzorgers.
        let all = catalog
            .search_request(wijkwijzer::search::SearchRequest::default())
            .await
            .unwrap();
        let facet = |list: &[wijkwijzer::search::FacetCount], code: &str| {
            list.iter().find(|f| f.code == code).map_or(0, |f| f.count)
        };
        assert_eq!(
            facet(&all.facets.categories, "geld/schuldhulp"),
            expected.len() as u64
        );
        assert_eq!(facet(&all.facets.categories, "geld"), expected.len() as u64);
        let carers = services.values().filter(|s| carries(s, "RM-D01")).count();
        assert_eq!(
            facet(&all.facets.target_groups, "mantelzorgers"),
            carers as u64
        );
        let lonely = services.values().filter(|s| carries(s, "RM-012")).count();
        assert_eq!(facet(&all.facets.categories, "eenzaamheid"), lonely as u64);

        // Terms that map to nothing are listed with how many services carry them.
        let unmapped: Vec<(String, Option<String>, usize)> = report
            .unmapped_terms
            .iter()
            .map(|t| (t.name.clone(), t.code.clone(), t.services))
            .collect();
        assert_eq!(
            unmapped,
            [
                (
                    "Overige activiteiten".to_string(),
                    Some("RM-099".to_string()),
                    2
                ),
                ("Huisdierenzorg".to_string(), Some("RM-095".to_string()), 1),
            ],
            "{report}"
        );
        assert!(
            report
                .unmapped_terms
                .iter()
                .all(|t| t.taxonomy == "Sociale kaart Regio Midden")
        );
        assert!(
            report
                .to_string()
                .contains("RM-095 \"Huisdierenzorg\" (1 service)"),
            "{report}"
        );

        // Export: every original attribute (and every other field) comes back unchanged.
        let exported = export(&catalog, Format::Json).await;
        let mut lost = Vec::new();
        for original in services.values() {
            let out = exported
                .iter()
                .flat_map(|o| o["services"].as_array().unwrap())
                .find(|s| s["id"] == original["id"])
                .expect("service exported");
            lost_fields(original, out, original["name"].as_str().unwrap(), &mut lost);
        }
        assert!(lost.is_empty(), "{lost:#?}");

        // Importing again changes nothing.
        let again = import(&catalog, &fixture("foreign-feed.json"), false).await;
        assert_eq!(again.services.unchanged, 33, "{again}");
        assert_eq!(
            again.services.created + again.services.updated,
            0,
            "{again}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_geojson_extent_serves_the_neighbourhoods_it_covers_and_no_more() {
    on_both_backends(false, |catalog, _| async move {
        import_fixture(&catalog).await;
        let in_area = |code: &'static str| {
            let catalog = catalog.clone();
            async move {
                found_names(
                    &catalog,
                    wijkwijzer::search::SearchRequest {
                        area_code: Some(code.into()),
                        ..Default::default()
                    },
                )
                .await
            }
        };
        let has = |names: &[String], name: &str| names.iter().any(|n| n == name);

        // Noordwest as another system drew it: Noordwest and its buurten only.
        let noordwest = "Maatjesproject Noordwest";
        assert!(has(&in_area("WK034402").await, noordwest));
        for buurt in catalog.geo.children("WK034402") {
            let code: &'static str = Box::leak(buurt.code.clone().into_boxed_str());
            assert!(has(&in_area(code).await, noordwest), "{code}");
        }
        for other in ["WK034403", "WK034408", "WK034401", "BU03440321"] {
            assert!(!has(&in_area(other).await, noordwest), "{other}");
        }
        // Near a postcode in Overvecht, as the search page asks: not served there.
        let m = catalog.geo.postcode("3562").unwrap();
        let near = found_names(
            &catalog,
            wijkwijzer::search::SearchRequest {
                near: Some(wijkwijzer::search::Near {
                    point: wijkwijzer::search::GeoPoint {
                        latitude: m.latitude,
                        longitude: m.longitude,
                    },
                    radius_m: Some(1_000.0),
                    covering_codes: m.placement.codes().iter().map(|c| c.to_string()).collect(),
                }),
                ..Default::default()
            },
        )
        .await;
        assert!(!has(&near, noordwest), "{near:?}");
        assert!(has(&near, "Huisbezoek ouderen Overvecht"), "{near:?}");

        // Two buurten of Oost: those two (and, lying in it, Oost), not a third buurt of Oost.
        let klussen = "Klussendienst Wittevrouwen en Oudwijk";
        for code in ["BU03440511", "BU03440512", "WK034405"] {
            assert!(has(&in_area(code).await, klussen), "{code}");
        }
        assert!(!has(&in_area("BU03440522").await, klussen));
        assert!(!has(&in_area("WK034406").await, klussen));

        // Exactly wijk Zuid: its touching neighbours do not count.
        let zuid = "Wandelgroep Lunetten en Hoograven";
        assert!(has(&in_area("WK034407").await, zuid));
        for neighbour in ["WK034405", "WK034406", "WK034408"] {
            assert!(!has(&in_area(neighbour).await, zuid), "{neighbour}");
        }

        // CBS codes written in a service area's name, uri or description.
        assert!(has(
            &in_area("BU03440321").await,
            "Huisbezoek ouderen Overvecht"
        ));
        assert!(has(&in_area("WK034408").await, "Geldcafé Kanaleneiland"));
        assert!(!has(&in_area("WK034407").await, "Geldcafé Kanaleneiland"));
        assert!(has(
            &in_area("WK034409").await,
            "Voorleesouders Leidsche Rijn"
        ));
        assert!(
            has(&in_area("WK034403").await, "Thuisadministratie"),
            "GM0344 in the name"
        );
        assert!(!has(&in_area("GM0307").await, "Thuisadministratie"));

        // The feed's own way of naming the area comes back as it was (no URN added).
        let exported = export(&catalog, Format::Json).await;
        let geldcafe = exported
            .iter()
            .flat_map(|o| o["services"].as_array().unwrap())
            .find(|s| s["name"] == "Geldcafé Kanaleneiland")
            .unwrap();
        assert_eq!(
            geldcafe["service_areas"][0]["uri"],
            "https://www.cbs.nl/nl-nl/gebieden/WK034408"
        );
    })
    .await;
}

/// A location nested under a service may name an organisation that the file describes only
/// later (our own export does that): no warning then. An organisation the file never
/// describes is warned about once, at the place that named it, after the whole file is read.
#[tokio::test]
async fn a_location_whose_organisation_comes_later_is_no_warning_one_that_never_comes_is() {
    on_both_backends(false, |catalog, _| async move {
        let later_org = "a1a1a1a1-0000-4000-8000-000000000001";
        let location_id = "a1a1a1a1-0000-4000-8000-0000000000aa";
        let location = serde_json::json!({
            "id": location_id,
            "organization_id": later_org,
            "location_type": "physical",
            "name": "Buurthuis De Later",
            "latitude": 52.09,
            "longitude": 5.12,
        });
        let service = service_with(|v| {
            v["service_at_locations"][0]["location"] = location.clone();
        });
        let org = serde_json::json!({
            "id": later_org,
            "name": "Stichting Later",
            "description": "Komt na de dienst in het bestand.",
            "locations": [location],
        });

        let r = import_text(
            &catalog,
            "later.ndjson",
            &format!("{service}\n{org}\n"),
            false,
        )
        .await;
        // (The spec's example brings two warnings of its own, about other fields.)
        assert!(
            r.problems.is_empty() && !r.warnings.iter().any(|w| w.message.contains(later_org)),
            "an organisation described later is no warning: {r}"
        );
        let stored = catalog
            .store
            .load_locations(&[location_id.parse().unwrap()])
            .await
            .unwrap();
        assert_eq!(
            stored[0].organization_id,
            Some(later_org.parse().unwrap()),
            "the organisation's own description set it"
        );

        let never = "a1a1a1a1-0000-4000-8000-000000000002";
        let service = service_with(|v| {
            v["service_at_locations"][0]["location"] = serde_json::json!({
                "id": "a1a1a1a1-0000-4000-8000-0000000000dd",
                "organization_id": never,
                "location_type": "physical",
                "name": "Nergens",
            });
        });
        let r = import_text(&catalog, "never.ndjson", &format!("{service}\n"), false).await;
        let about_it: Vec<_> = r
            .warnings
            .iter()
            .filter(|w| w.message.contains(never))
            .collect();
        assert_eq!(
            about_it.len(),
            1,
            "one warning for the missing organisation: {r}"
        );
        assert_eq!(about_it[0].place, "line 1");
        assert!(about_it[0].field.ends_with("/organization_id"), "{r}");
    })
    .await;
}
