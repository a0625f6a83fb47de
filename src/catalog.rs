//! The directory's use cases, combining the store, the neighbourhoods and the search index:
//! writing listings (assigning neighbourhoods on the way) and searching (index first, then the
//! database for what to show).

use std::sync::Arc;

use uuid::Uuid;

use crate::domain::{Invalid, Location, Organization, Service, ServiceRecord, Vocabulary};
use crate::geo::Geography;
use crate::indexer::Indexer;
use crate::query::ParsedSearch;
use crate::search::{Facets, SearchIndex, SearchRequest, SearchResults, SnippetPart};
use crate::store::Store;

#[derive(Clone)]
pub struct Catalog {
    pub store: Store,
    pub search: SearchIndex,
    pub geo: Arc<Geography>,
    pub vocabulary: Arc<Vocabulary>,
    pub indexer: Indexer,
}

/// One result, with the full record from the database.
#[derive(Debug, Clone)]
pub struct Found {
    pub record: ServiceRecord,
    pub distance_m: Option<f64>,
    pub snippet: Vec<SnippetPart>,
}

#[derive(Debug, Clone)]
pub struct FoundPage {
    pub total: usize,
    pub hits: Vec<Found>,
    pub facets: Facets,
    pub results: SearchResults,
}

impl Catalog {
    pub async fn save_organization(&self, org: &Organization) -> anyhow::Result<()> {
        self.save_organization_with_source(org, None).await
    }

    /// Like [`Self::save_organization`], keeping the HSDS document it was imported from.
    pub async fn save_organization_with_source(
        &self,
        org: &Organization,
        source: Option<&str>,
    ) -> anyhow::Result<()> {
        org.validate()?;
        self.store.upsert_organization(org, source).await?;
        self.indexer.nudge();
        Ok(())
    }

    /// Validates a location, assigns its buurt, wijk and gemeente by point-in-polygon, stores it.
    pub async fn save_location(&self, loc: &Location) -> anyhow::Result<()> {
        self.save_location_with_source(loc, None).await
    }

    pub async fn save_location_with_source(
        &self,
        loc: &Location,
        source: Option<&str>,
    ) -> anyhow::Result<()> {
        loc.validate()?;
        let mut loc = loc.clone();
        loc.placement = match loc.point() {
            Some((lat, lon)) => {
                let p = self.geo.locate(lat, lon);
                crate::domain::Placement {
                    gemeente: p.gemeente,
                    wijk: p.wijk,
                    buurt: p.buurt,
                }
            }
            None => Default::default(),
        };
        self.store.upsert_location(&loc, source).await?;
        self.indexer.nudge();
        Ok(())
    }

    pub async fn save_service(&self, service: &Service) -> anyhow::Result<()> {
        self.save_service_with_source(service, None).await
    }

    pub async fn save_service_with_source(
        &self,
        service: &Service,
        source: Option<&str>,
    ) -> anyhow::Result<()> {
        service.validate(&self.vocabulary)?;
        for (i, area) in service.service_areas.iter().enumerate() {
            if let Some(code) = &area.code
                && self.geo.get(code).is_none()
            {
                return Err(
                    Invalid::new(format!("service_areas[{i}].code"), "onbekende wijkcode").into(),
                );
            }
        }
        self.store
            .upsert_service(service, &self.vocabulary, source)
            .await?;
        self.indexer.nudge();
        Ok(())
    }

    pub async fn service(&self, id: Uuid) -> anyhow::Result<Option<ServiceRecord>> {
        Ok(self.store.load_service(id).await?)
    }

    /// Runs a search on the index, then loads the page's services from the database.
    pub async fn search(&self, parsed: &ParsedSearch) -> anyhow::Result<FoundPage> {
        self.search_request(parsed.request.clone()).await
    }

    /// [`Self::search`] for a request built by other means (e.g. the HSDS API).
    pub async fn search_request(&self, request: SearchRequest) -> anyhow::Result<FoundPage> {
        let index = self.search.clone();
        let results = tokio::task::spawn_blocking(move || index.search(&request)).await??;
        let ids: Vec<Uuid> = results.hits.iter().map(|h| h.service_id).collect();
        let records = self.store.load_services(&ids).await?;
        let hits = results
            .hits
            .iter()
            .filter_map(|hit| {
                // A service deleted since the index last caught up is simply left out.
                records
                    .iter()
                    .find(|r| r.service.id == hit.service_id)
                    .map(|r| Found {
                        record: r.clone(),
                        distance_m: hit.distance_m,
                        snippet: hit.snippet.clone(),
                    })
            })
            .collect();
        Ok(FoundPage {
            total: results.total,
            hits,
            facets: results.facets.clone(),
            results,
        })
    }
}
