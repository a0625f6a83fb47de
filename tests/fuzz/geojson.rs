//! The GeoJSON buurt loader of `wijkwijzer geo import` (`geo::import::read_buurtkaart`, and for
//! some accepted files the whole `geo_import::import_buurten`: store, reload the geography,
//! re-place locations).
//!
//! Inputs are buurt and wijk maps (the synthetic Tilburg buurten, subsets of Utrecht's buurten
//! and of the national wijken) mutated as JSON — codes, names, coordinates, rings, geometry
//! types — and as bytes. Properties: no panic, an error is a value, and what the reader accepts
//! can be imported.

use serde_json::Value;
use wijkwijzer::catalog::Catalog;
use wijkwijzer::geo::Geography;
use wijkwijzer::geo::import::read_buurtkaart;
use wijkwijzer::geo_import::import_buurten;

use crate::engine::{File, Fuzz, JsonDictionary, Rng, mutate_bytes, mutate_json, repo_file};

const MAX_BYTES: usize = 256 * 1024;

struct Corpus {
    /// Feature collections.
    maps: Vec<Value>,
    dictionary: JsonDictionary,
}

fn corpus() -> Corpus {
    let read = |path: &str| -> Value {
        serde_json::from_slice(&repo_file(path)).expect("the map is JSON")
    };
    let tilburg = read("tests/fixtures/tilburg_synthetic_buurten.geojson");
    let utrecht = read("assets/geo/utrecht_buurten_cbscodes.geojson");
    let wijken = read("assets/geo/provincie_utrecht_wijken_2024.geojson");
    let mut maps = vec![tilburg];
    // Small collections cut from the large maps, so that a case stays fast.
    for (source, take) in [(&utrecht, 4), (&wijken, 3)] {
        let features = source["features"].as_array().cloned().unwrap_or_default();
        for chunk in features.chunks(take).step_by(7).take(6) {
            let mut map = source.clone();
            map["features"] = Value::Array(chunk.to_vec());
            maps.push(map);
        }
    }
    let dictionary = JsonDictionary::from_corpus(&maps);
    Corpus { maps, dictionary }
}

fn generate(rng: &mut Rng, corpus: &Corpus) -> File {
    let mut value = rng.pick(&corpus.maps).clone();
    let other = rng.pick(&corpus.maps);
    if rng.chance(1, 4)
        && let Some(features) = value["features"].as_array()
        && !features.is_empty()
    {
        // A single Feature instead of a collection.
        value = features[rng.below(features.len())].clone();
    }
    if rng.chance(4, 5) {
        mutate_json(rng, &mut value, &corpus.dictionary, other);
    }
    let mut bytes = serde_json::to_vec(&value).unwrap();
    if rng.chance(1, 4) {
        let other = serde_json::to_vec(other).unwrap();
        let dictionary: Vec<&[u8]> = vec![
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b",",
            b"[[[",
            b"]]]",
            b"1e999",
            b"-0",
            b"null",
            b"\"Polygon\"",
            b"\"MultiPolygon\"",
            b"\"GeometryCollection\"",
            b"\"coordinates\":",
        ];
        mutate_bytes(rng, &mut bytes, &dictionary, &other, MAX_BYTES);
    }
    bytes.truncate(MAX_BYTES);
    File {
        name: "buurten.geojson".into(),
        bytes,
    }
}

/// Reads the file; now and then (when buurten were accepted) imports it as the command does.
pub fn check(geo: &Geography, catalog: &Catalog, file: &File, import: bool) -> Result<(), String> {
    // The command reads the file as text first; bytes that are not UTF-8 stop it there.
    let Ok(text) = std::str::from_utf8(&file.bytes) else {
        return Ok(());
    };
    let Ok(read) = read_buurtkaart(text, geo) else {
        return Ok(());
    };
    for buurt in &read.buurten {
        let (lat, lon) = buurt.centroid;
        if !(lat.is_finite() && lon.is_finite()) {
            return Err(format!(
                "buurt {} was accepted with centroid {lat}, {lon}",
                buurt.code
            ));
        }
    }
    if import && !read.buurten.is_empty() {
        let report = crate::runtime()
            .block_on(import_buurten(catalog, text))
            .map_err(|e| format!("the reader accepted buurten that do not import: {e:#}"))?;
        let _ = report.to_string();
    }
    Ok(())
}

#[test]
fn fuzz_geojson_buurten() {
    let corpus = corpus();
    let geo = Geography::load_embedded().expect("embedded geography");
    let work = tempfile::tempdir().unwrap();
    let catalog = crate::catalog(work.path(), false);
    let cases = Fuzz::new("fuzz_geojson_buurten", 300).run(
        |rng| {
            // Importing reloads the whole geography: only one case in twenty goes that far.
            let import = rng.chance(1, 20);
            (generate(rng, &corpus), import)
        },
        |(file, import)| check(&geo, &catalog, file, *import),
    );
    assert!(cases > 0, "no case ran");
}
