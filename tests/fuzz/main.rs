//! Fuzz targets for what people and feeds hand us: the search parameters (`query::parse`,
//! `parse_forgiving`) and the words of a search, the HSDS JSON/ndjson importer, the HSDS CSV
//! (tabular) importer and the GeoJSON buurt loader of `wijkwijzer geo import`.
//!
//! Each target mutates real files (the HSDS examples, the foreign test feed, the CSV example
//! package, buurt maps) and checks that nothing panics, nothing hangs, bad input comes back as
//! an error value — and, for the search parameters, that what a parse keeps parses again to the
//! same search. `cargo test` runs a short, fixed budget; FUZZING.md says how to run long.

// `*rng.pick(&["a", "b"])`: clippy asks to drop the `*`, but then the element type can no
// longer be inferred (its suggestion does not compile).
#![allow(clippy::explicit_auto_deref)]

mod engine;
mod geojson;
mod hsds_csv;
mod hsds_json;
mod query;
mod regressions;

use std::sync::OnceLock;

/// One multi-threaded runtime for the targets that need the database (two workers: the machine
/// has two cores).
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// A fresh SQLite-backed directory in `dir` (no demo data unless asked).
pub fn catalog(dir: &std::path::Path, demo: bool) -> wijkwijzer::catalog::Catalog {
    let mut config = wijkwijzer::config::Config::for_tests(dir.to_path_buf(), None);
    config.demo_data = Some(demo);
    runtime()
        .block_on(wijkwijzer::app::prepare(&config))
        .expect("the app prepares")
}
