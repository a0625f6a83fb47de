//! `wijkwijzer geo import FILE`: adds the buurten of a CBS wijk- en buurtkaart to the
//! database, places every stored location again and lets the search index follow through the
//! change log, so that a region outside gemeente Utrecht can filter by buurt too.
//!
//! Services that are already running keep the geography they started with: restart them
//! after an import (the README says so).

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::domain::Placement;
use crate::geo::import::{Skipped, read_buurtkaart};
use crate::indexer::Indexer;
use crate::store::NeighbourhoodRow;

/// What an import did, for the command's output and for tests.
#[derive(Debug, Default)]
pub struct GeoImportReport {
    /// Codes of the buurten stored (new or replaced).
    pub imported: Vec<String>,
    pub skipped: Vec<Skipped>,
    /// Locations whose buurt, wijk or gemeente changed.
    pub relocated: usize,
    /// Services queued for re-indexing (their locations moved, or their service area may now
    /// cover the new buurten).
    pub services_queued: u64,
    /// Search-index changes applied before the command ended.
    pub indexed: usize,
}

impl fmt::Display for GeoImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} buurten ingelezen", self.imported.len())?;
        if !self.skipped.is_empty() {
            writeln!(f, "{} overgeslagen:", self.skipped.len())?;
            for s in &self.skipped {
                writeln!(
                    f,
                    "  object {} ({}): {}",
                    s.feature,
                    s.code.as_deref().unwrap_or("zonder code"),
                    s.reason
                )?;
            }
        }
        writeln!(f, "{} locaties opnieuw ingedeeld", self.relocated)?;
        writeln!(f, "{} wijzigingen in de zoekindex verwerkt", self.indexed)
    }
}

/// Imports the buurten in `text` (GeoJSON). Fails only on a file that is not GeoJSON at all or
/// on a database error; features that do not fit are listed in the report.
pub async fn import_buurten(catalog: &Catalog, text: &str) -> anyhow::Result<GeoImportReport> {
    let file = read_buurtkaart(text, &catalog.geo).map_err(|e| anyhow::anyhow!(e))?;
    let mut report = GeoImportReport {
        skipped: file.skipped,
        ..Default::default()
    };
    if file.buurten.is_empty() {
        return Ok(report);
    }
    let rows: Vec<NeighbourhoodRow> = file
        .buurten
        .iter()
        .map(|n| NeighbourhoodRow {
            code: n.code.clone(),
            name: n.name.clone(),
            level: n.level.as_str(),
            parent_code: n.parent.clone(),
            geometry_geojson: n.geometry_geojson(),
        })
        .collect();
    catalog.store.upsert_imported_neighbourhoods(&rows).await?;
    report.imported = rows.into_iter().map(|r| r.code).collect();

    // The geography as the next start will see it: built-in data plus every import so far.
    let geo = Arc::new(crate::app::load_geography(&catalog.store).await?);
    let mut moved = Vec::new();
    for loc in catalog.store.located_locations().await? {
        let p = geo.locate(loc.latitude, loc.longitude);
        let placement = Placement {
            gemeente: p.gemeente,
            wijk: p.wijk,
            buurt: p.buurt,
        };
        if placement != loc.placement {
            moved.push((loc.id, placement));
        }
    }
    report.relocated = moved.len();
    catalog.store.reassign_locations(&moved).await?;

    // A service serving a wijk (or its gemeente) is indexed with the buurten inside it.
    let mut affected = BTreeSet::new();
    for n in &file.buurten {
        for a in geo.ancestors(&n.code) {
            affected.insert(a.code.clone());
        }
    }
    let affected: Vec<String> = affected.into_iter().collect();
    report.services_queued = catalog.store.log_services_serving(&affected).await?;

    let indexer = Indexer::new(
        catalog.store.clone(),
        catalog.search.clone(),
        geo,
        catalog.vocabulary.clone(),
    );
    report.indexed = indexer.catch_up(&mut Default::default()).await?;
    Ok(report)
}
