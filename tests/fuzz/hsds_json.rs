//! The HSDS JSON importer (`import_path` on a `.json` file: the streaming reader, the checks
//! against the HSDS schema and our rules, staging and writing, and the indexer after it).
//!
//! Inputs are the specification's examples and the foreign test feed, mutated as JSON (so the
//! checks behind the parser run) and as bytes, and written as one document, an array, a list
//! page or ndjson. Properties: no panic in any thread; an error is a value; the report renders.

use std::path::Path;

use serde_json::Value;
use wijkwijzer::catalog::Catalog;
use wijkwijzer::hsds::import::{Options, import_path};

use crate::engine::{File, Fuzz, JsonDictionary, Rng, mutate_bytes, mutate_json, repo_file};

/// Largest generated feed: big enough for several records, small enough to stay fast.
const MAX_BYTES: usize = 256 * 1024;

pub struct Corpus {
    pub values: Vec<Value>,
    pub dictionary: JsonDictionary,
}

pub fn corpus() -> Corpus {
    let mut values = Vec::new();
    for name in [
        "service_full.json",
        "organization_full.json",
        "service_at_location_full.json",
        "location.json",
        "organization_list.json",
        "service_list.json",
        "service_at_location_list.json",
        "taxonomy.json",
        "taxonomy_list.json",
        "taxonomy_term.json",
        "taxonomy_term_list.json",
        "base.json",
    ] {
        let text = repo_file(&format!("assets/hsds/examples/{name}"));
        values.push(serde_json::from_slice(&text).expect("example is JSON"));
    }
    let feed: Value = serde_json::from_slice(&repo_file("tests/fixtures/foreign-feed.json"))
        .expect("foreign feed is JSON");
    values.push(feed);
    let dictionary = JsonDictionary::from_corpus(&values);
    Corpus { values, dictionary }
}

/// A feed: one or more (mutated) records in one of the shapes the reader accepts.
fn generate(rng: &mut Rng, corpus: &Corpus) -> File {
    let mut value = rng.pick(&corpus.values).clone();
    let other = rng.pick(&corpus.values);
    if rng.chance(3, 4) {
        mutate_json(rng, &mut value, &corpus.dictionary, other);
    }
    let records: Vec<Value> = match &value {
        Value::Array(list) => list.clone(),
        one => vec![one.clone()],
    };
    let (name, mut bytes) = match rng.below(5) {
        0 => ("feed.json", serde_json::to_vec_pretty(&value).unwrap()),
        1 => (
            "feed.json",
            serde_json::to_vec(&Value::Array(records)).unwrap(),
        ),
        2 => {
            let page = serde_json::json!({
                "total_items": records.len(),
                "page_number": 1,
                "contents": records,
            });
            ("feed.json", serde_json::to_vec(&page).unwrap())
        }
        _ => {
            let mut lines = Vec::new();
            for r in &records {
                lines.extend(serde_json::to_vec(r).unwrap());
                lines.extend_from_slice(*rng.pick(&[b"\n".as_slice(), b"\r\n", b"\n\n"]));
            }
            ("feed.ndjson", lines)
        }
    };
    if rng.chance(1, 3) {
        let other = serde_json::to_vec(other).unwrap();
        let dictionary: Vec<&[u8]> = [
            b"{".as_slice(),
            b"}",
            b"[",
            b"]",
            b"\"",
            b":",
            b",",
            b"null",
            b"1e999",
            b"-0",
            b"\"\\ud800\"",
            b"\"\\u0000\"",
            b"\xEF\xBB\xBF",
            b"\n",
            b"\"id\":",
            b"\"total_items\":1,\"contents\":",
        ]
        .to_vec();
        mutate_bytes(rng, &mut bytes, &dictionary, &other, MAX_BYTES);
    }
    bytes.truncate(MAX_BYTES);
    File {
        name: name.into(),
        bytes,
    }
}

/// Imports one feed file; strict and lenient alike must end in a report or an error value.
pub fn check(catalog: &Catalog, dir: &Path, file: &File, strict: bool) -> Result<(), String> {
    let path = dir.join(&file.name);
    std::fs::write(&path, &file.bytes).map_err(|e| e.to_string())?;
    let options = Options {
        strict,
        progress: None,
    };
    let outcome = crate::runtime().block_on(async {
        let report = import_path(catalog, &path, &options).await;
        // Index what was written: the indexer reads the imported values too.
        let settled = catalog.indexer.settle().await;
        (report, settled)
    });
    match outcome {
        (Ok(report), Ok(())) => {
            let _ = report.to_string();
            Ok(())
        }
        (Err(e), _) => {
            let message = format!("{e:#}");
            // A task that panicked comes back as an error: that is a crash, not a value.
            if message.contains("panicked") {
                Err(format!("the import crashed: {message}"))
            } else {
                Ok(())
            }
        }
        (Ok(_), Err(e)) => Err(format!("the indexer failed after the import: {e:#}")),
    }
}

#[test]
fn fuzz_hsds_json_import() {
    let corpus = corpus();
    let work = tempfile::tempdir().unwrap();
    let mut catalog = crate::catalog(&work.path().join("db0"), false);
    let mut count = 0usize;
    let cases = Fuzz::new("fuzz_hsds_json_import", 150).run(
        |rng| {
            let strict = rng.chance(1, 3);
            (generate(rng, &corpus), strict)
        },
        |(file, strict)| {
            count += 1;
            // A fresh database now and then, so that long runs do not slow down as it fills.
            if count % 500 == 0 {
                crate::runtime().block_on(catalog.store.close());
                catalog = crate::catalog(&work.path().join(format!("db{count}")), false);
            }
            check(&catalog, work.path(), file, *strict)
        },
    );
    assert!(cases > 0, "no case ran");
}
