//! The HSDS CSV (tabular) importer: `import_path` on a directory of CSV tables
//! (`tabular::read_datapackage`, then the same checks and writes as JSON).
//!
//! Inputs are the specification's CSV example package with one to three tables mutated cell by
//! cell (values from other cells and tables, so ids link up in new ways; rows duplicated or
//! dropped; columns removed, swapped or added) and byte by byte. Properties: no panic in any
//! thread, no hang, an error is a value, the report renders.

use std::path::Path;

use wijkwijzer::catalog::Catalog;
use wijkwijzer::hsds::import::{Options, import_path};

use crate::engine::{Files, Fuzz, INTERESTING_STRINGS, Rng, mutate_bytes, random_char, repo_file};

const MAX_TABLE_BYTES: usize = 64 * 1024;

pub fn package() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/hsds/examples/csv");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("the CSV example package")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".csv"))
        .map(|name| {
            let bytes = repo_file(&format!("assets/hsds/examples/csv/{name}"));
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

fn rows_of(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

fn to_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        let _ = writer.write_record(row);
    }
    writer.into_inner().unwrap_or_default()
}

/// Cell-level mutations of one table, drawing values from every table of the package.
fn mutate_table(rng: &mut Rng, rows: &mut Vec<Vec<String>>, cells: &[String]) {
    for _ in 0..1 + rng.below(6) {
        let n = rows.len();
        match rng.below(9) {
            0..=2 if n > 0 => {
                let r = rng.below(n);
                let width = rows[r].len();
                if width == 0 {
                    continue;
                }
                let c = rng.below(width);
                rows[r][c] = match rng.below(4) {
                    0 | 1 if !cells.is_empty() => rng.pick(cells).clone(),
                    2 => rng.pick(INTERESTING_STRINGS).to_string(),
                    _ => (0..rng.below(12)).map(|_| random_char(rng)).collect(),
                };
            }
            3 if n > 1 => {
                // The same row again (duplicate ids), now and then many times.
                let r = 1 + rng.below(n - 1);
                let row = rows[r].clone();
                let times = if rng.chance(1, 6) {
                    1 + rng.below(40)
                } else {
                    1
                };
                for _ in 0..times {
                    rows.insert(1 + rng.below(rows.len()), row.clone());
                }
            }
            4 if n > 1 => {
                rows.remove(1 + rng.below(n - 1));
            }
            5 if n > 0 => {
                // A column dropped, or two swapped, in every row.
                let width = rows[0].len().max(1);
                let c = rng.below(width);
                let d = rng.below(width);
                let drop = rng.chance(1, 2);
                for row in rows.iter_mut() {
                    if drop && c < row.len() {
                        row.remove(c);
                    } else if c < row.len() && d < row.len() {
                        row.swap(c, d);
                    }
                }
            }
            6 if n > 0 => {
                // A row of another length, which a strict CSV reader refuses.
                let r = rng.below(n);
                if rng.chance(1, 2) {
                    rows[r].pop();
                } else {
                    rows[r].push(rng.pick(INTERESTING_STRINGS).to_string());
                }
            }
            7 => {
                let width = rows.first().map_or(3, Vec::len);
                let row = (0..width)
                    .map(|_| {
                        if cells.is_empty() {
                            String::new()
                        } else {
                            rng.pick(cells).clone()
                        }
                    })
                    .collect();
                rows.push(row);
            }
            _ => rows.truncate(rng.below(n + 1)),
        }
    }
}

fn generate(rng: &mut Rng, base: &[(String, Vec<u8>)], cells: &[String]) -> Files {
    let mut files = base.to_vec();
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(files.len());
        match rng.below(10) {
            0..=5 => {
                let mut rows = rows_of(&files[i].1);
                mutate_table(rng, &mut rows, cells);
                files[i].1 = to_csv(&rows);
            }
            6..=8 => {
                let other = rng.pick(base).1.clone();
                let dictionary: Vec<&[u8]> = vec![
                    b",",
                    b"\"",
                    b"\"\"",
                    b"\n",
                    b"\r\n",
                    b"\r",
                    b",,,,",
                    b"\xEF\xBB\xBF",
                    b"\xFF",
                    b"id",
                    b"true",
                    b"-1",
                ];
                mutate_bytes(rng, &mut files[i].1, &dictionary, &other, MAX_TABLE_BYTES);
            }
            _ => {
                files.remove(i);
            }
        }
        if files.is_empty() {
            break;
        }
    }
    Files(files)
}

/// Every cell of the package: ids, codes and values to recombine.
pub fn cells(base: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut cells: Vec<String> = base
        .iter()
        .flat_map(|(_, bytes)| rows_of(bytes).into_iter().flatten())
        .collect();
    cells.sort();
    cells.dedup();
    cells
}

/// Writes the package into a fresh folder under `dir` and imports it.
pub fn check(catalog: &Catalog, dir: &Path, files: &Files, strict: bool) -> Result<(), String> {
    let package = dir.join("package");
    let _ = std::fs::remove_dir_all(&package);
    std::fs::create_dir_all(&package).map_err(|e| e.to_string())?;
    for (name, bytes) in &files.0 {
        std::fs::write(package.join(name), bytes).map_err(|e| e.to_string())?;
    }
    let options = Options {
        strict,
        progress: None,
    };
    let outcome = crate::runtime().block_on(async {
        let report = import_path(catalog, &package, &options).await;
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
fn fuzz_hsds_csv_import() {
    let base = package();
    let cells = cells(&base);
    let work = tempfile::tempdir().unwrap();
    let mut catalog = crate::catalog(&work.path().join("db0"), false);
    let mut count = 0usize;
    let cases = Fuzz::new("fuzz_hsds_csv_import", 150).run(
        |rng| {
            let strict = rng.chance(1, 3);
            (generate(rng, &base, &cells), strict)
        },
        |(files, strict)| {
            count += 1;
            if count % 500 == 0 {
                crate::runtime().block_on(catalog.store.close());
                catalog = crate::catalog(&work.path().join(format!("db{count}")), false);
            }
            check(&catalog, work.path(), files, *strict)
        },
    );
    assert!(cases > 0, "no case ran");
}
