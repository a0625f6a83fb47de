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

        // 50 MB: refused before reading, with its size.
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(50 * 1024 * 1024).unwrap();
        let r = import(&catalog, &big, false).await;
        assert!(
            r.aborted && r.problems[0].message.contains("50.0 MB"),
            "{r}"
        );

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
        assert!(r.problems.is_empty() && r.warnings.is_empty(), "{r}");
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
