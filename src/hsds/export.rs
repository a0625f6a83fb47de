//! `wijkwijzer export --format json|ndjson PATH`: the whole directory as HSDS 3.0
//! organisations, each with its services and locations nested, as `GET /organizations/{id}`
//! shows them. Also the loaders the HSDS API shares with the export.

use std::io::Write;
use std::path::Path;

use serde_json::Value;
use uuid::Uuid;

use super::render::{self, Sources, Terms};
use crate::catalog::Catalog;
use crate::domain::{Location, ServiceRecord};
use crate::store::{TaxonomyRow, TermRow};

/// Organisations per round trip to the database.
const BATCH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Ndjson,
    /// The tabular form: a directory of CSV files and a `datapackage.json`.
    Csv,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "json" => Ok(Format::Json),
            "ndjson" => Ok(Format::Ndjson),
            "csv" => Ok(Format::Csv),
            other => Err(format!("unknown format {other:?}: use json, ndjson or csv")),
        }
    }
}

/// All taxonomies and terms with their kept documents.
pub async fn load_terms(catalog: &Catalog) -> anyhow::Result<Terms> {
    let store = &catalog.store;
    let taxonomies = store.taxonomies().await?;
    let terms = store.taxonomy_terms().await?;
    let term_ids: Vec<Uuid> = terms.iter().map(|t| t.id).collect();
    let taxonomy_ids: Vec<Uuid> = taxonomies.iter().map(|t| t.id).collect();
    Ok(Terms {
        term_sources: Sources::parse(&store.hsds_sources("taxonomy_term", &term_ids).await?),
        taxonomy_sources: Sources::parse(&store.hsds_sources("taxonomy", &taxonomy_ids).await?),
        taxonomies,
        terms,
    })
}

/// The kept documents of these services, their organisations and locations (and `extra`
/// locations).
pub async fn load_sources(
    catalog: &Catalog,
    records: &[ServiceRecord],
    extra_organizations: &[Uuid],
    extra_locations: &[Location],
) -> anyhow::Result<Sources> {
    let store = &catalog.store;
    let services: Vec<Uuid> = records.iter().map(|r| r.service.id).collect();
    let mut orgs: Vec<Uuid> = records.iter().map(|r| r.organization.id).collect();
    orgs.extend_from_slice(extra_organizations);
    orgs.sort();
    orgs.dedup();
    let mut locations: Vec<Uuid> = records
        .iter()
        .flat_map(|r| r.locations.iter().map(|l| l.id))
        .chain(extra_locations.iter().map(|l| l.id))
        .collect();
    locations.sort();
    locations.dedup();
    Ok(Sources {
        services: Sources::parse(&store.hsds_sources("service", &services).await?),
        organizations: Sources::parse(&store.hsds_sources("organization", &orgs).await?),
        locations: Sources::parse(&store.hsds_sources("location", &locations).await?),
        history: store.histories_of(&services).await?.into_iter().fold(
            std::collections::HashMap::new(),
            |mut by_service, row| {
                by_service
                    .entry(row.listing_id)
                    .or_insert_with(Vec::new)
                    .push(row);
                by_service
            },
        ),
    })
}

/// Whole organisations (`GET /organizations/{id}` shape), in the order of `ids`.
pub async fn organization_documents(
    catalog: &Catalog,
    ids: &[Uuid],
    terms: &Terms,
) -> anyhow::Result<Vec<Value>> {
    let store = &catalog.store;
    let orgs = store.load_organizations(ids).await?;
    let service_ids = store.service_ids_of_organizations(ids).await?;
    let location_ids = store.location_ids_of_organizations(ids).await?;
    let all_services: Vec<Uuid> = service_ids.values().flatten().copied().collect();
    let mut records = store.load_services(&all_services).await?;
    records.sort_by(|a, b| {
        a.service
            .name
            .cmp(&b.service.name)
            .then(a.service.id.cmp(&b.service.id))
    });
    let all_locations: Vec<Uuid> = location_ids.values().flatten().copied().collect();
    let locations = store.load_locations(&all_locations).await?;
    let sources = load_sources(catalog, &records, ids, &locations).await?;
    Ok(orgs
        .iter()
        .map(|org| {
            let services: Vec<ServiceRecord> = records
                .iter()
                .filter(|r| r.organization.id == org.id)
                .cloned()
                .collect();
            let mut locs: Vec<Location> = locations
                .iter()
                .filter(|l| l.organization_id == Some(org.id))
                .cloned()
                .collect();
            locs.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
            render::organization_full_json(
                org,
                &services,
                &locs,
                &sources,
                terms,
                &catalog.vocabulary,
            )
        })
        .collect())
}

/// Every organisation id in export order: by name, then id, compared in Rust rather than by
/// the database, whose collation differs between SQLite and PostgreSQL — so the same
/// directory exports the same file from either.
async fn organization_ids_in_order(catalog: &Catalog) -> anyhow::Result<Vec<Uuid>> {
    let ids = catalog.store.organization_ids().await?;
    let mut named: Vec<(String, Uuid)> = catalog
        .store
        .load_organizations(&ids)
        .await?
        .into_iter()
        .map(|o| (o.name, o.id))
        .collect();
    named.sort();
    Ok(named.into_iter().map(|(_, id)| id).collect())
}

/// Writes every organisation to `out`; returns how many.
pub async fn export_to(
    catalog: &Catalog,
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let terms = load_terms(catalog).await?;
    let ids = organization_ids_in_order(catalog).await?;
    if format == Format::Json {
        out.write_all(b"[")?;
    }
    let mut written = 0;
    for chunk in ids.chunks(BATCH) {
        for doc in organization_documents(catalog, chunk, &terms).await? {
            match format {
                Format::Json => {
                    out.write_all(if written == 0 { b"\n" } else { b",\n" })?;
                    serde_json::to_writer_pretty(&mut *out, &doc)?;
                }
                Format::Ndjson | Format::Csv => {
                    serde_json::to_writer(&mut *out, &doc)?;
                    out.write_all(b"\n")?;
                }
            }
            written += 1;
        }
    }
    if format == Format::Json {
        out.write_all(b"\n]\n")?;
    }
    out.flush()?;
    Ok(written)
}

/// Writes the tabular form into directory `dir`: every organisation with what hangs under it,
/// and every taxonomy and term. Returns how many organisations.
pub async fn export_csv(catalog: &Catalog, dir: &Path) -> anyhow::Result<usize> {
    let terms = load_terms(catalog).await?;
    let ids = organization_ids_in_order(catalog).await?;
    let mut tables = super::tabular::TableWriter::default();
    for chunk in ids.chunks(BATCH) {
        for doc in organization_documents(catalog, chunk, &terms).await? {
            tables.add_object("organizations.csv", &doc);
        }
    }
    // Taxonomies by name and terms in their taxonomy's order (ours as the vocabulary lists
    // them), sorted here for the same reason as the organisations.
    let mut taxonomies: Vec<&TaxonomyRow> = terms.taxonomies.iter().collect();
    taxonomies.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    let mut term_rows: Vec<&TermRow> = terms.terms.iter().collect();
    term_rows.sort_by_cached_key(|t| {
        let taxonomy = t
            .taxonomy_id
            .and_then(|id| taxonomies.iter().position(|x| x.id == id))
            .unwrap_or(usize::MAX);
        let order = catalog
            .vocabulary
            .term_by_id(t.id)
            .map_or(usize::MAX, |ours| ours.order);
        (taxonomy, order, t.name.clone(), t.id)
    });
    for t in taxonomies {
        tables.add_object("taxonomies.csv", &render::taxonomy_json(t, &terms));
    }
    for t in term_rows {
        tables.add_object("taxonomy_terms.csv", &render::term_json(t, &terms));
    }
    tables.write(dir)?;
    Ok(ids.len())
}

/// Writes the export to a file (written beside it first, then renamed into place), or for
/// CSV into a directory.
pub async fn export_path(catalog: &Catalog, format: Format, path: &Path) -> anyhow::Result<usize> {
    if format == Format::Csv {
        return export_csv(catalog, path).await;
    }
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial)?;
    let mut out = std::io::BufWriter::new(file);
    let count = export_to(catalog, format, &mut out).await?;
    drop(out);
    std::fs::rename(&partial, path)?;
    Ok(count)
}
