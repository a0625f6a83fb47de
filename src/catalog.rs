//! The directory's use cases, combining the store, the neighbourhoods and the search index:
//! writing listings (assigning neighbourhoods on the way) and searching (lists straight from the
//! index, whole records from the database).

use std::sync::Arc;

use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::auth::{Action, Actor, Denied, OrgRef, authorize};
use crate::domain::{
    Freshness, Invalid, Location, Organization, Service, ServiceRecord, ServiceStatus,
    ServiceSummary, Vocabulary,
};
use crate::geo::Geography;
use crate::indexer::Indexer;
use crate::query::ParsedSearch;
use crate::search::{
    Facets, Interpretation, PairPage, SearchError, SearchIndex, SearchRequest, SearchResults,
    SnippetPart,
};
use crate::store::{StaleService, Store};

#[derive(Clone)]
pub struct Catalog {
    pub store: Store,
    pub search: SearchIndex,
    pub geo: Arc<Geography>,
    pub vocabulary: Arc<Vocabulary>,
    pub indexer: Indexer,
    /// The operator's stale period: pages and cards mark listings not checked within it, and
    /// searches rank them lower (the cut-off is computed per query from today).
    pub freshness: Freshness,
    /// Two permits per core for the CPU-bound index searches. Without them every waiting
    /// request got its own blocking thread and the scheduler time-sliced thirty of them on two
    /// cores: the same throughput, but each request finished only when nearly all of them did.
    /// Waiting in line (the semaphore is fair) narrows that spread; one permit per core left
    /// cores idle between hand-offs (BENCHMARKS.md). The permit travels with the blocking task,
    /// so a request that times out or disconnects frees its slot only when the work is done.
    search_slots: Arc<Semaphore>,
    /// One permit per core for loading and rendering a chunk of a dump (`src/api/dump.rs`).
    /// Eight dumps at once each held a chunk of records, stored documents and rendered text
    /// (about 20 MB of heap a dump at 100,000 services, 261 MB in all); they cannot render
    /// faster than the cores anyway, so the others wait with nothing loaded.
    dump_slots: Arc<Semaphore>,
}

/// One result as a list shows it.
#[derive(Debug, Clone)]
pub struct Found {
    pub summary: ServiceSummary,
    pub distance_m: Option<f64>,
    /// Serves the search origin's buurt, wijk or gemeente.
    pub serves_area: bool,
    /// Serves the search origin's own buurt or wijk ("werkt in uw wijk").
    pub serves_local: bool,
    pub snippet: Vec<SnippetPart>,
}

#[derive(Debug, Clone)]
pub struct FoundPage {
    pub total: usize,
    pub hits: Vec<Found>,
    pub facets: Facets,
    pub interpreted: Interpretation,
}

impl Catalog {
    pub fn new(
        store: Store,
        search: SearchIndex,
        geo: Arc<Geography>,
        vocabulary: Arc<Vocabulary>,
        indexer: Indexer,
    ) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            store,
            search,
            geo,
            vocabulary,
            indexer,
            freshness: Freshness::default(),
            search_slots: Arc::new(Semaphore::new(cores * 2)),
            dump_slots: Arc::new(Semaphore::new(cores)),
        }
    }

    /// Waits for a turn to load and render one chunk of a dump; the turn ends when the permit
    /// is dropped.
    pub async fn dump_slot(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.dump_slots
            .acquire()
            .await
            .expect("the dump semaphore is never closed")
    }

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
        let loc = self.placed(loc);
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
        self.check_service(service)?;
        self.store
            .upsert_service(service, &self.vocabulary, source)
            .await?;
        self.indexer.nudge();
        Ok(())
    }

    /// Everything a service must satisfy before it is stored: its own rules and known
    /// neighbourhood codes.
    pub fn check_service(&self, service: &Service) -> Result<(), Invalid> {
        service.validate(&self.vocabulary)?;
        for (i, area) in service.service_areas.iter().enumerate() {
            if let Some(code) = &area.code
                && self.geo.get(code).is_none()
            {
                return Err(Invalid::new(
                    format!("service_areas[{i}].code"),
                    "onbekende wijkcode",
                ));
            }
        }
        Ok(())
    }

    /// `loc` with its buurt, wijk and gemeente assigned by point-in-polygon.
    pub fn placed(&self, loc: &Location) -> Location {
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
        loc
    }

    pub async fn service(&self, id: Uuid) -> anyhow::Result<Option<ServiceRecord>> {
        Ok(self.store.load_service(id).await?)
    }

    /// "Klopt nog": the listing was checked and is still right on `today`. Sets its
    /// `assured_date` directly, without moderation (confirming changes nothing a visitor could
    /// be misled by), through a write transaction, so the change log re-indexes it and the
    /// stale badge and ranking penalty go within the indexer's delay.
    ///
    /// Authorisation: the caller must be an editor of the service's organisation or a
    /// moderator of its area. Accounts land separately; until then no route calls this, only
    /// code and tests do. The check belongs in `authorise_listing_change` (below).
    pub async fn confirm_still_correct(
        &self,
        actor: &Actor,
        service_id: Uuid,
        today: time::Date,
    ) -> Result<(), ListingChangeError> {
        let organization = self.authorise_listing_change(actor, service_id).await?;
        let before = self
            .service(service_id)
            .await?
            .map(|r| r.service.assured_date);
        let change = crate::domain::FieldChange {
            field: "assured_date".into(),
            label: "Laatst gecontroleerd".into(),
            old: before
                .flatten()
                .map(crate::hsds::iso_date)
                .unwrap_or_default(),
            new: crate::hsds::iso_date(today),
        };
        let history = self
            .direct_history(actor, organization, service_id, &[change])
            .await?;
        let mut tx = self.store.begin().await.map_err(anyhow::Error::from)?;
        if !tx
            .set_assured_date(service_id, today)
            .await
            .map_err(anyhow::Error::from)?
        {
            return Err(ListingChangeError::NoSuchService);
        }
        tx.record_history(&history)
            .await
            .map_err(anyhow::Error::from)?;
        tx.commit().await.map_err(anyhow::Error::from)?;
        self.indexer.nudge();
        Ok(())
    }

    /// Sets a listing's HSDS status with the reason visitors read ("Verbouwing tot 1 april";
    /// blank: none). Inactive and defunct listings disappear from public pages and search,
    /// temporarily closed ones get a banner and rank after open ones. Same authorisation hook
    /// as [`Self::confirm_still_correct`].
    pub async fn set_status(
        &self,
        actor: &Actor,
        service_id: Uuid,
        status: ServiceStatus,
        reason: Option<&str>,
    ) -> Result<(), ListingChangeError> {
        let organization = self.authorise_listing_change(actor, service_id).await?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason
            && r.chars().count() > crate::domain::service::MAX_REASON
        {
            return Err(ListingChangeError::Invalid(Invalid::new(
                "status_reason",
                format!(
                    "is te lang (meer dan {} tekens)",
                    crate::domain::service::MAX_REASON
                ),
            )));
        }
        let before = self
            .service(service_id)
            .await?
            .ok_or(ListingChangeError::NoSuchService)?
            .service;
        let mut after = before.clone();
        after.status = status;
        after.status_reason = reason.map(str::to_string);
        let changes = crate::domain::diff_services(Some(&before), &after);
        let history = self
            .direct_history(actor, organization, service_id, &changes)
            .await?;
        let mut tx = self.store.begin().await.map_err(anyhow::Error::from)?;
        if !tx
            .set_status(service_id, status, reason)
            .await
            .map_err(anyhow::Error::from)?
        {
            return Err(ListingChangeError::NoSuchService);
        }
        tx.record_history(&history)
            .await
            .map_err(anyhow::Error::from)?;
        tx.commit().await.map_err(anyhow::Error::from)?;
        self.indexer.nudge();
        Ok(())
    }

    /// Whether `actor` may change the listings of `organization` (the policy in
    /// [`crate::auth::authorize`]: its editors, its API token, moderators of a gemeente where
    /// it has a place, administrators). Every use case that changes a listing asks this.
    pub async fn may_edit_organisation(
        &self,
        actor: &Actor,
        organization: Uuid,
    ) -> anyhow::Result<Result<(), Denied>> {
        let gemeenten = self.store.organization_gemeenten(organization).await?;
        Ok(authorize(
            actor,
            &Action::EditOrganisation(OrgRef {
                id: organization,
                gemeenten,
            }),
        ))
    }

    /// Every change to a listing's freshness or status passes here; returns the service's
    /// organisation.
    async fn authorise_listing_change(
        &self,
        actor: &Actor,
        service_id: Uuid,
    ) -> Result<Uuid, ListingChangeError> {
        let organization = self
            .store
            .organization_of_service(service_id)
            .await
            .map_err(anyhow::Error::from)?
            .ok_or(ListingChangeError::NoSuchService)?;
        self.may_edit_organisation(actor, organization)
            .await?
            .map_err(ListingChangeError::Denied)?;
        Ok(organization)
    }

    /// The moderators' list: listings still offered that were last checked more than the
    /// stale period before `today` (or never), oldest first; optionally only those of one
    /// gemeente (CBS code). `limit` bounds the page.
    pub async fn stale_services(
        &self,
        gemeente: Option<&str>,
        today: time::Date,
        limit: i64,
    ) -> anyhow::Result<Vec<StaleService>> {
        self.stale_services_before(gemeente, self.freshness.stale_before(today), limit)
            .await
    }

    /// [`Self::stale_services`] with an explicit cut-off: checked before `older_than`.
    pub async fn stale_services_before(
        &self,
        gemeente: Option<&str>,
        older_than: time::Date,
        limit: i64,
    ) -> anyhow::Result<Vec<StaleService>> {
        Ok(self
            .store
            .stale_services(gemeente, older_than, limit)
            .await?)
    }

    /// Whether a listing checked on `assured` shows as possibly outdated today.
    pub fn is_stale(&self, assured: Option<time::Date>) -> bool {
        self.freshness
            .is_stale(assured, crate::domain::freshness::today())
    }

    /// The request with this instance's stale cut-off for today, unless the caller set one.
    fn with_freshness(&self, mut request: SearchRequest) -> SearchRequest {
        if request.stale_before.is_none() {
            request.stale_before = Some(
                self.freshness
                    .stale_before(crate::domain::freshness::today()),
            );
        }
        request
    }

    /// Runs a search and returns the page as lists show it: everything comes from the index
    /// (see [`ServiceSummary`] for why), so a page of results costs no database query.
    pub async fn search(&self, parsed: &ParsedSearch) -> anyhow::Result<FoundPage> {
        self.search_request(parsed.request.clone()).await
    }

    /// [`Self::search`] for a request built by other means.
    pub async fn search_request(&self, request: SearchRequest) -> anyhow::Result<FoundPage> {
        let SearchResults {
            total,
            hits,
            facets,
            interpreted,
        } = self.search_index(request).await?;
        let hits = hits
            .into_iter()
            .filter_map(|hit| match ServiceSummary::from_stored(&hit.summary) {
                Ok(mut summary) => {
                    summary.description = hit.description;
                    Some(Found {
                        summary,
                        distance_m: hit.distance_m,
                        serves_area: hit.serves_area,
                        serves_local: hit.serves_local,
                        snippet: hit.snippet,
                    })
                }
                Err(error) => {
                    // Only an index written by another build could hold this; `reindex` mends it.
                    tracing::warn!(service_id = %hit.service_id, %error, "onleesbare samenvatting in zoekindex");
                    None
                }
            })
            .collect();
        Ok(FoundPage {
            total,
            hits,
            facets,
            interpreted,
        })
    }

    /// Runs a search, then loads the page's services in full from the database (for the HSDS
    /// API, which shows whole records). Services deleted since the index last caught up are
    /// left out.
    pub async fn search_records(
        &self,
        request: SearchRequest,
    ) -> anyhow::Result<(SearchResults, Vec<ServiceRecord>)> {
        let results = self.search_index(request).await?;
        let ids: Vec<Uuid> = results.hits.iter().map(|h| h.service_id).collect();
        Ok((results, self.services_in_order(&ids).await?))
    }

    /// These services from the database, in the order of `ids`; ids no longer there are left
    /// out.
    pub async fn services_in_order(&self, ids: &[Uuid]) -> anyhow::Result<Vec<ServiceRecord>> {
        let mut records = self.store.load_services(ids).await?;
        let rank: std::collections::HashMap<Uuid, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        records.sort_by_key(|r| rank.get(&r.service.id).copied());
        Ok(records)
    }

    /// Every service id matching the request, in its order, without page limits (for complete
    /// listings such as the HSDS ndjson stream).
    pub async fn matching_ids(&self, request: SearchRequest) -> anyhow::Result<Vec<Uuid>> {
        let request = self.with_freshness(request);
        self.in_search_slot(move |index| index.matching_ids(&request))
            .await
    }

    /// One page of matching service ids at any depth, with the total (deep HSDS pages).
    pub async fn page_ids(
        &self,
        request: SearchRequest,
        offset: usize,
        limit: usize,
    ) -> anyhow::Result<(usize, Vec<Uuid>)> {
        let request = self.with_freshness(request);
        self.in_search_slot(move |index| index.page_ids(&request, offset, limit))
            .await
    }

    /// One page of HSDS service-at-locations: which services make it up (see
    /// [`SearchIndex::pair_page`]).
    pub async fn pair_page(
        &self,
        request: SearchRequest,
        offset: usize,
        limit: usize,
    ) -> anyhow::Result<PairPage> {
        let request = self.with_freshness(request);
        self.in_search_slot(move |index| index.pair_page(&request, offset, limit))
            .await
    }

    /// The bare index search (hits carry ids, snippets and summaries), off the async threads.
    pub async fn search_index(&self, request: SearchRequest) -> anyhow::Result<SearchResults> {
        let request = self.with_freshness(request);
        self.in_search_slot(move |index| index.search(&request))
            .await
    }

    /// Runs CPU-bound index work on a blocking thread once a search slot is free; the slot is
    /// held until the work ends, even if the request is dropped meanwhile.
    async fn in_search_slot<T: Send + 'static>(
        &self,
        work: impl FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
    ) -> anyhow::Result<T> {
        let slot = self.search_slots.clone().acquire_owned().await?;
        let index = self.search.clone();
        Ok(tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work(&index)
        })
        .await??)
    }
}

/// Why a change to a listing's freshness or status was refused.
#[derive(Debug, thiserror::Error)]
pub enum ListingChangeError {
    #[error("dit aanbod bestaat niet")]
    NoSuchService,
    #[error("{0}")]
    Invalid(Invalid),
    /// The proposal was based on another version than the published one: someone changed the
    /// listing meanwhile (`current`: its version now, `None` when it is gone). Never
    /// overwritten: the editor starts again from the current version.
    #[error("iemand anders heeft dit aanbod intussen gewijzigd")]
    Conflict {
        current: Option<crate::listings::Version>,
    },
    #[error("deze wijziging bestaat niet")]
    NoSuchRequest,
    #[error("deze organisatie bestaat niet")]
    NoSuchOrganisation,
    /// The change request was already approved, rejected or withdrawn.
    #[error("over deze wijziging is al besloten")]
    NotPending,
    /// The actor may not change this listing (or is not signed in).
    #[error("u mag dit aanbod niet wijzigen")]
    Denied(Denied),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ListingChangeError> for crate::error::AppError {
    fn from(error: ListingChangeError) -> Self {
        match error {
            ListingChangeError::NoSuchService => Self::not_found("Dit aanbod"),
            ListingChangeError::Invalid(invalid) => Self::Invalid(invalid),
            ListingChangeError::Conflict { .. } => Self::Conflict {
                detail: "Iemand anders heeft dit aanbod intussen gewijzigd. Open het opnieuw en \
                         breng uw wijziging nog eens aan."
                    .into(),
            },
            ListingChangeError::NoSuchRequest => Self::not_found("Deze wijziging"),
            ListingChangeError::NoSuchOrganisation => Self::not_found("Deze organisatie"),
            ListingChangeError::NotPending => Self::Conflict {
                detail: "Over deze wijziging is al besloten, of hij is ingetrokken.".into(),
            },
            ListingChangeError::Denied(denied) => denied.into(),
            ListingChangeError::Internal(error) => Self::Internal(error),
        }
    }
}
