//! The Open Referral HSDS 3.0 read API under `/hsds/`: public, `Access-Control-Allow-Origin: *`,
//! lists in the spec's `Page` shape. Text search goes through the tantivy index; every other
//! filter is an index filter too, so all of them combine with AND and page correctly.
//! `format=ndjson` streams: see `dump.rs`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::{ApiId, ApiQuery};
use crate::catalog::Catalog;
use crate::domain::ServiceRecord;
use crate::error::{ApiResult, AppError, Problem};
use crate::hsds::export::{load_sources, load_terms, organization_documents};
use crate::hsds::render::{self, Shape, Terms};
use crate::hsds::{HSDS_PROFILE, HSDS_VERSION};
use crate::params::{Language, QueryParams};
use crate::search::{GeoPoint, Near, OpenWindow, SearchRequest, SortOrder};

use super::dump;

const DEFAULT_PER_PAGE: usize = 20;
const MAX_PER_PAGE: usize = 100;
const MAX_PAGE: usize = 100_000;
const MAX_SEARCH_CHARS: usize = 200;
const MAX_PROXIMITY_M: f64 = 100_000.0;
const MAX_AGE: u8 = 120;

/// `format`: a page of JSON, or every matching item as ndjson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Ndjson,
}

/// Query parameters of `/hsds/services` and `/hsds/service_at_locations`: what the handlers
/// receive and what the OpenAPI document lists. All filters combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceListParams {
    /// Words to search for (through the search index, as `/api/v1/search` `q`). At most 200
    /// characters.
    #[param(max_length = 200, example = "koffie")]
    search: Option<String>,
    /// Only services carrying this taxonomy term (our categories include their sub-terms). A
    /// term we do not have is a 400.
    taxonomy_term_id: Option<Uuid>,
    /// Only services carrying a term of this taxonomy. A taxonomy we do not have is a 400.
    taxonomy_id: Option<Uuid>,
    /// Only services of this organization.
    organization_id: Option<Uuid>,
    /// Only services changed at or after this moment: RFC 3339 (`2026-01-31T12:00:00Z`) or a
    /// date (`2026-01-31`, midnight UTC).
    #[param(example = "2026-01-31T12:00:00Z")]
    modified_after: Option<String>,
    /// `true`: only each object's own fields.
    minimal: Option<bool>,
    /// `true`: everything, nested (as the single-object endpoint).
    full: Option<bool>,
    /// Page number, from 1 (default 1). A page beyond the last is empty.
    #[param(minimum = 1, maximum = 100000)]
    page: Option<usize>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<usize>,
    /// `ndjson`: every matching item, one per line, unpaginated (`page`, `per_page` ignored).
    #[param(inline)]
    format: Option<Format>,
    /// A Dutch postcode (PC4 or PC6; a PC6 counts as its PC4). Alone: services that have a
    /// location in the postcode's neighbourhood or whose service area covers it. "The
    /// postcode's neighbourhood" is the most specific CBS neighbourhood (the buurt in gemeente
    /// Utrecht, elsewhere the wijk) that holds the PC4's centroid: we have no PC4 outlines, so
    /// this stands in for "in that postcode". With `proximity`: see there. A postcode we do not
    /// know is a 400.
    #[param(example = "3562")]
    postcode: Option<String>,
    /// Metres (more than 0, at most 100000) around the centroid of `postcode` (which it needs):
    /// only services with a location within that distance. Service areas do not count here.
    #[param(exclusive_minimum = 0, maximum = 100000, example = 1000)]
    proximity: Option<f64>,
    /// UK profile: services whose age range overlaps `minimum_age`–`maximum_age` (0–120).
    #[param(minimum = 0, maximum = 120)]
    minimum_age: Option<u8>,
    /// UK profile: see `minimum_age` (at least `minimum_age`).
    #[param(minimum = 0, maximum = 120)]
    maximum_age: Option<u8>,
    /// UK profile: a weekday (`monday` … `sunday`, `MO` … `SU`, `maandag` … `zondag` or
    /// `1` … `7`, any case). Alone: services that run on it; with a time: open then on it.
    #[param(example = "tuesday")]
    day: Option<String>,
    /// UK profile: open at some moment from this time (`HH:MM` or `HH:MM:SS`).
    #[param(example = "09:00")]
    start_time: Option<String>,
    /// UK profile: open at some moment before this time (`HH:MM` or `HH:MM:SS`; after
    /// `start_time`).
    #[param(example = "17:00")]
    end_time: Option<String>,
    /// A CBS code (GM/WK/BU, any case): services located in it or serving it. A code we do not
    /// know is a 400.
    #[param(example = "WK034403")]
    neighbourhood: Option<String>,
}

impl QueryParams for ServiceListParams {
    const LANGUAGE: Language = Language::English;
}

/// Query parameters of `/hsds/organizations`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationListParams {
    /// Only organizations whose name contains these characters (case ignored). At most 200
    /// characters.
    #[param(max_length = 200, example = "wijk")]
    search: Option<String>,
    /// `true`: each organization with its services and locations nested.
    full: Option<bool>,
    /// Page number, from 1 (default 1). A page beyond the last is empty.
    #[param(minimum = 1, maximum = 100000)]
    page: Option<usize>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<usize>,
    /// `ndjson`: every matching item, one per line, unpaginated.
    #[param(inline)]
    format: Option<Format>,
}

impl QueryParams for OrganizationListParams {
    const LANGUAGE: Language = Language::English;
}

/// Query parameters of `/hsds/taxonomies`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaxonomyListParams {
    /// Only taxonomies whose name contains these characters (case ignored). At most 200
    /// characters.
    #[param(max_length = 200, example = "wijk")]
    search: Option<String>,
    /// Page number, from 1 (default 1). A page beyond the last is empty.
    #[param(minimum = 1, maximum = 100000)]
    page: Option<usize>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<usize>,
    /// `ndjson`: every matching item, one per line, unpaginated.
    #[param(inline)]
    format: Option<Format>,
}

impl QueryParams for TaxonomyListParams {
    const LANGUAGE: Language = Language::English;
}

/// Query parameters of `/hsds/taxonomy_terms`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermListParams {
    /// Only terms whose name contains these characters (case ignored). At most 200 characters.
    #[param(max_length = 200, example = "wijk")]
    search: Option<String>,
    /// Only terms of this taxonomy.
    taxonomy_id: Option<Uuid>,
    /// Only children of this term.
    parent_id: Option<Uuid>,
    /// `true`: only terms without a parent.
    top_only: Option<bool>,
    /// Page number, from 1 (default 1). A page beyond the last is empty.
    #[param(minimum = 1, maximum = 100000)]
    page: Option<usize>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<usize>,
    /// `ndjson`: every matching item, one per line, unpaginated.
    #[param(inline)]
    format: Option<Format>,
}

impl QueryParams for TermListParams {
    const LANGUAGE: Language = Language::English;
}

/// Checked list parameters.
#[derive(Debug, Default)]
struct List {
    request: SearchRequest,
    minimal: bool,
    full: bool,
    page: usize,
    per_page: usize,
    ndjson: bool,
    parent_id: Option<Uuid>,
    top_only: bool,
    taxonomy_id: Option<Uuid>,
    search: Option<String>,
    /// The filters exclude everything (e.g. a postcode outside our geography).
    nothing: bool,
}

/// The paging every list shares, checked.
fn paging(
    page: Option<usize>,
    per_page: Option<usize>,
    format: Option<Format>,
    search: Option<String>,
) -> Result<List, AppError> {
    let page = page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(AppError::bad_param(
            "page",
            format!("page must be a whole number from 1 to {MAX_PAGE}"),
        ));
    }
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(AppError::bad_param(
            "per_page",
            format!("per_page must be from 1 to {MAX_PER_PAGE}"),
        ));
    }
    let search = search
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if search
        .as_deref()
        .is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS)
    {
        return Err(AppError::bad_param(
            "search",
            format!("search is at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    Ok(List {
        // HSDS lists every service with its `status`, including those no longer offered:
        // harvesters must learn that a service ended, not lose sight of it.
        request: SearchRequest {
            include_withdrawn: true,
            ..SearchRequest::default()
        },
        page,
        per_page,
        ndjson: format == Some(Format::Ndjson),
        search,
        ..Default::default()
    })
}

fn time_of_day(name: &str, v: &str) -> Result<u16, AppError> {
    crate::indexer::minutes(v)
        .filter(|_| v.len() == 5 || v.len() == 8)
        .ok_or_else(|| AppError::bad_param(name, format!("{name} must be a time like 09:30")))
}

/// The same day names as the pages and `/api/v1/search` (one parser, `parse_weekday`).
fn weekday(v: &str) -> Result<u8, AppError> {
    crate::domain::parse_weekday(v).ok_or_else(|| {
        AppError::bad_param(
            "day",
            "day must be a weekday: monday … sunday, MO … SU, maandag … zondag or 1 … 7",
        )
    })
}

impl OrganizationListParams {
    fn check(self) -> Result<List, AppError> {
        let mut list = paging(self.page, self.per_page, self.format, self.search)?;
        list.full = self.full.unwrap_or(false);
        Ok(list)
    }
}

impl TaxonomyListParams {
    fn check(self) -> Result<List, AppError> {
        paging(self.page, self.per_page, self.format, self.search)
    }
}

impl TermListParams {
    fn check(self) -> Result<List, AppError> {
        let mut list = paging(self.page, self.per_page, self.format, self.search)?;
        list.taxonomy_id = self.taxonomy_id;
        list.parent_id = self.parent_id;
        list.top_only = self.top_only.unwrap_or(false);
        Ok(list)
    }
}

impl ServiceListParams {
    /// The domain rules of the service lists: known terms, taxonomies and neighbourhoods,
    /// dates, times, ages, and what needs what. Every problem names the parameter.
    async fn check(self, catalog: &Catalog) -> Result<List, AppError> {
        let mut list = paging(self.page, self.per_page, self.format, self.search)?;
        list.minimal = self.minimal.unwrap_or(false);
        list.full = self.full.unwrap_or(false);
        list.request.text = list.search.clone();
        if let Some(id) = self.taxonomy_term_id {
            let terms = catalog.store.taxonomy_terms().await?;
            if !terms.iter().any(|t| t.id == id) {
                return Err(AppError::bad_param(
                    "taxonomy_term_id",
                    "unknown taxonomy term",
                ));
            }
            list.request.taxonomy_term_ids = Some(vec![id.to_string()]);
        }
        if let Some(id) = self.taxonomy_id {
            if !catalog.store.taxonomies().await?.iter().any(|t| t.id == id) {
                return Err(AppError::bad_param("taxonomy_id", "unknown taxonomy"));
            }
            list.taxonomy_id = Some(id);
        }
        list.request.organization_id = self.organization_id;
        if let Some(v) = self.modified_after.as_deref() {
            use time::format_description::well_known::Rfc3339;
            let at = time::OffsetDateTime::parse(v, &Rfc3339)
                .or_else(|_| {
                    time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]"))
                        .map(|d| d.midnight().assume_utc())
                })
                .map_err(|_| {
                    AppError::bad_param(
                        "modified_after",
                        "modified_after must be a date-time like 2026-01-31T12:00:00Z or a date",
                    )
                })?;
            list.request.modified_after = Some(at.unix_timestamp());
        }
        let proximity = match self.proximity {
            Some(m) if !(m.is_finite() && m > 0.0 && m <= MAX_PROXIMITY_M) => {
                return Err(AppError::bad_param(
                    "proximity",
                    "proximity must be metres, more than 0 and at most 100000",
                ));
            }
            m => m,
        };
        for (name, age) in [
            ("minimum_age", self.minimum_age),
            ("maximum_age", self.maximum_age),
        ] {
            if age.is_some_and(|a| a > MAX_AGE) {
                return Err(AppError::bad_param(
                    name,
                    format!("{name} must be an age from 0 to {MAX_AGE}"),
                ));
            }
        }
        let day = self.day.as_deref().map(weekday).transpose()?;
        let start = self
            .start_time
            .as_deref()
            .map(|v| time_of_day("start_time", v))
            .transpose()?;
        let end = self
            .end_time
            .as_deref()
            .map(|v| time_of_day("end_time", v))
            .transpose()?;
        if let Some(v) = self.neighbourhood.as_deref() {
            let n = catalog
                .geo
                .parse_code(v)
                .map_err(|e| AppError::bad_param("neighbourhood", e.to_string()))?;
            list.request.area_code = Some(n.code.clone());
        }
        if let Some(id) = list.taxonomy_id {
            let of_taxonomy: Vec<String> = catalog
                .store
                .taxonomy_terms()
                .await?
                .into_iter()
                .filter(|t| t.taxonomy_id == Some(id))
                .map(|t| t.id.to_string())
                .collect();
            // Both filters given: a term must satisfy both.
            list.request.taxonomy_term_ids = Some(match list.request.taxonomy_term_ids.take() {
                Some(given) => given
                    .into_iter()
                    .filter(|t| of_taxonomy.contains(t))
                    .collect(),
                None => of_taxonomy,
            });
        }
        match (self.postcode, proximity) {
            (Some(pc), Some(metres)) => {
                let m = catalog
                    .geo
                    .postcode(&pc)
                    .map_err(|e| AppError::bad_param("postcode", e.to_string()))?;
                // HSDS: a location within the distance; what a service says it serves does not
                // count (no covering codes).
                list.request.near = Some(Near {
                    point: GeoPoint {
                        latitude: m.latitude,
                        longitude: m.longitude,
                    },
                    radius_m: Some(metres),
                    covering_codes: Vec::new(),
                });
            }
            (Some(pc), None) => {
                let m = catalog
                    .geo
                    .postcode(&pc)
                    .map_err(|e| AppError::bad_param("postcode", e.to_string()))?;
                // Located in the postcode's neighbourhood or serving it: the neighbourhood filter
                // (which also matches services serving the wijk or gemeente around it).
                match m.placement.most_specific() {
                    Some(code) => narrow_area(catalog, &mut list, code),
                    None => list.nothing = true,
                }
            }
            (None, Some(_)) => {
                return Err(AppError::bad_param(
                    "proximity",
                    "proximity needs a postcode",
                ));
            }
            (None, None) => {}
        }
        if self.minimum_age.is_some() || self.maximum_age.is_some() {
            let (lo, hi) = (
                self.minimum_age.unwrap_or(0),
                self.maximum_age.unwrap_or(MAX_AGE),
            );
            if lo > hi {
                return Err(AppError::bad_param(
                    "maximum_age",
                    "maximum_age is below minimum_age",
                ));
            }
            list.request.ages = Some((lo, hi));
        }
        match (start, end) {
            (None, None) => list.request.days = day.into_iter().collect(),
            (start, end) => {
                let (from, to) = (start.unwrap_or(0), end.unwrap_or(24 * 60));
                if from >= to {
                    return Err(AppError::bad_param(
                        "end_time",
                        "end_time must be after start_time",
                    ));
                }
                list.request.open_window = Some(OpenWindow {
                    days: day.into_iter().collect(),
                    from,
                    to,
                });
            }
        }
        list.request.sort = if list.request.text.is_some() {
            SortOrder::Relevance
        } else {
            SortOrder::Name
        };
        Ok(list)
    }
}

/// Adds a neighbourhood to the area filter, which holds one code: both must hold, so the more
/// specific one stays when one lies inside the other, and nothing matches when they are apart.
fn narrow_area(catalog: &Catalog, list: &mut List, code: &str) {
    match list.request.area_code.as_deref() {
        None => list.request.area_code = Some(code.to_string()),
        Some(given) if given == code => {}
        Some(given) => {
            let inside = |inner: &str, outer: &str| {
                catalog.geo.ancestors(inner).iter().any(|a| a.code == outer)
            };
            if inside(code, given) {
                list.request.area_code = Some(code.to_string());
            } else if !inside(given, code) {
                list.nothing = true;
            }
        }
    }
}

/// An HSDS 3.0 object (service, organization, location, taxonomy, term, …) in the shape the
/// HSDS schemas describe: <https://docs.openreferral.org/en/latest/hsds/schema_reference.html>.
/// Documented as a free-form object: the HSDS shapes are large and defined there.
#[derive(ToSchema)]
#[schema(value_type = Object)]
pub struct HsdsObject(#[allow(dead_code)] Value);

/// The HSDS `Page` object: one page of a list.
#[derive(Serialize, ToSchema)]
pub struct HsdsPage {
    /// All matching items, on every page.
    pub total_items: usize,
    /// At least 1 (an empty list has one, empty, page).
    pub total_pages: usize,
    /// The page asked for (from 1).
    pub page_number: usize,
    /// How many items this page holds.
    pub size: usize,
    pub first_page: bool,
    pub last_page: bool,
    pub empty: bool,
    #[schema(value_type = Vec<HsdsObject>)]
    pub contents: Vec<Value>,
}

/// `GET /hsds/`.
#[derive(Serialize, ToSchema)]
pub struct HsdsAbout {
    /// The HSDS version served.
    pub version: &'static str,
    /// The profile (URL) this API follows.
    pub profile: &'static str,
    /// Where the OpenAPI document of this API is.
    pub openapi_url: &'static str,
}

/// The HSDS `Page` object.
fn page(total: usize, list: &List, contents: Vec<Value>) -> HsdsPage {
    let total_pages = total.div_ceil(list.per_page).max(1);
    HsdsPage {
        total_items: total,
        total_pages,
        page_number: list.page,
        size: contents.len(),
        first_page: list.page == 1,
        last_page: list.page >= total_pages,
        empty: contents.is_empty(),
        contents,
    }
}

/// An empty list, as a page or as ndjson.
fn empty(list: &List) -> Response {
    if list.ndjson {
        dump::values("empty list", Vec::new())
    } else {
        cors(Json(page(0, list, Vec::new())))
    }
}

/// Only makes a response now: CORS headers come from the `CorsLayer` for all of the public
/// API (`limits::public_api_cors`), errors included. Rewritten handlers can drop this call.
fn cors(response: impl IntoResponse) -> Response {
    response.into_response()
}

async fn render_services(
    catalog: &Catalog,
    records: &[ServiceRecord],
    shape: Shape,
    terms: &Terms,
) -> Result<Vec<Value>, AppError> {
    let sources = load_sources(catalog, records, &[], &[]).await?;
    Ok(records
        .iter()
        .map(|r| render::service_json(r, shape, &sources, terms, &catalog.vocabulary))
        .collect())
}

fn shape(list: &List) -> Shape {
    if list.minimal {
        Shape::Minimal
    } else if list.full {
        Shape::Full
    } else {
        Shape::List
    }
}

/// About this API: the HSDS version, profile and where its OpenAPI document is.
#[utoipa::path(get, path = "/hsds/", tag = "hsds",
    responses((status = 200, description = "version, profile and openapi_url", body = HsdsAbout)))]
pub async fn about() -> Response {
    cors(Json(HsdsAbout {
        version: HSDS_VERSION,
        profile: HSDS_PROFILE,
        openapi_url: "/openapi.json",
    }))
}

/// Services, paged, filtered (all filters combine with AND).
#[utoipa::path(get, path = "/hsds/services", tag = "hsds", params(ServiceListParams),
    responses((status = 200, description = "An HSDS Page of services (with `format=ndjson`: every matching item, one JSON object per line)",
        content((HsdsPage = "application/json"), (String = "application/x-ndjson")))))]
pub async fn services(
    State(catalog): State<Catalog>,
    ApiQuery(params): ApiQuery<ServiceListParams>,
) -> ApiResult<Response> {
    let mut list = params.check(&catalog).await?;
    if list.nothing {
        return Ok(empty(&list));
    }
    let terms = load_terms(&catalog).await?;
    if list.ndjson {
        // Only the ordered ids now; the records follow chunk by chunk in the body.
        let ids = catalog.matching_ids(list.request.clone()).await?;
        return Ok(dump::services(catalog, ids, shape(&list), terms));
    }
    let offset = (list.page - 1) * list.per_page;
    let (total, records) = if offset <= crate::search::MAX_OFFSET {
        list.request.offset = offset;
        list.request.limit = list.per_page;
        let (found, records) = catalog.search_records(list.request.clone()).await?;
        (found.total, records)
    } else {
        // Deeper than the index serves pages (with snippets and summaries): only the page's
        // ids, so a deep page costs its depth, not all matches.
        let (total, ids) = catalog
            .page_ids(list.request.clone(), offset, list.per_page)
            .await?;
        (total, catalog.services_in_order(&ids).await?)
    };
    let contents = render_services(&catalog, &records, shape(&list), &terms).await?;
    Ok(cors(Json(page(total, &list, contents))))
}

/// One service, with everything nested.
#[utoipa::path(get, path = "/hsds/services/{id}", tag = "hsds",
    params(("id" = Uuid, Path, description = "The service id")),
    responses((status = 200, description = "The service", body = HsdsObject),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json")))]
pub async fn service(State(catalog): State<Catalog>, ApiId(id): ApiId) -> ApiResult<Response> {
    let record = catalog
        .service(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("service {id}")))?;
    let terms = load_terms(&catalog).await?;
    let mut docs = render_services(&catalog, &[record], Shape::Full, &terms).await?;
    Ok(cors(Json(docs.remove(0))))
}

/// Services at their locations, paged and filtered like `/services`.
#[utoipa::path(get, path = "/hsds/service_at_locations", tag = "hsds", params(ServiceListParams),
    responses((status = 200, description = "An HSDS Page of service-at-locations (with `format=ndjson`: every matching item, one JSON object per line)",
        content((HsdsPage = "application/json"), (String = "application/x-ndjson")))))]
pub async fn service_at_locations(
    State(catalog): State<Catalog>,
    ApiQuery(params): ApiQuery<ServiceListParams>,
) -> ApiResult<Response> {
    let list = params.check(&catalog).await?;
    if list.nothing {
        return Ok(empty(&list));
    }
    let terms = load_terms(&catalog).await?;
    // `postcode` + `proximity`: each pair's own location within the distance (a service
    // found by one near location does not bring its far ones).
    let near = list
        .request
        .near
        .as_ref()
        .and_then(|near| Some((near.point, near.radius_m?)));
    if list.ndjson {
        let ids = catalog.matching_ids(list.request.clone()).await?;
        return Ok(dump::service_at_locations(
            catalog, ids, near, list.full, terms,
        ));
    }
    // The index counts every match's pairs and names the services of this page only.
    let offset = (list.page - 1) * list.per_page;
    let found = catalog
        .pair_page(list.request.clone(), offset, list.per_page)
        .await?;
    let mut pairs = dump::service_location_pairs(&catalog, &found.services).await?;
    if let Some((point, radius)) = near {
        pairs = dump::pairs_within(&catalog, pairs, point, radius).await?;
    }
    let start = found.skip.min(pairs.len());
    let end = (start + list.per_page).min(pairs.len());
    let contents = dump::render_pairs(&catalog, &pairs[start..end], list.full, &terms).await?;
    Ok(cors(Json(page(found.total, &list, contents))))
}

/// One service at one location.
#[utoipa::path(get, path = "/hsds/service_at_locations/{id}", tag = "hsds",
    params(("id" = Uuid, Path, description = "The service-at-location id")),
    responses((status = 200, description = "The service at its location", body = HsdsObject),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json")))]
pub async fn service_at_location(
    State(catalog): State<Catalog>,
    ApiId(id): ApiId,
) -> ApiResult<Response> {
    let pair = catalog
        .store
        .find_service_at_location(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("service_at_location {id}")))?;
    let terms = load_terms(&catalog).await?;
    let mut docs = dump::render_pairs(&catalog, &[pair], true, &terms).await?;
    if docs.is_empty() {
        return Err(AppError::not_found(format!("service_at_location {id}")).into());
    }
    Ok(cors(Json(docs.remove(0))))
}

/// Organizations, by name.
#[utoipa::path(get, path = "/hsds/organizations", tag = "hsds", params(OrganizationListParams),
    responses((status = 200, description = "An HSDS Page of organizations (with `format=ndjson`: every matching item, one JSON object per line)",
        content((HsdsPage = "application/json"), (String = "application/x-ndjson")))))]
pub async fn organizations(
    State(catalog): State<Catalog>,
    ApiQuery(params): ApiQuery<OrganizationListParams>,
) -> ApiResult<Response> {
    let list = params.check()?;
    let mut ids = catalog.store.organization_ids().await?;
    if list.search.is_some() {
        // By name, like taxonomies and terms: organizations are few next to services, so
        // their names are read once rather than kept in the search index.
        let named = catalog.store.load_organizations(&ids).await?;
        ids = named
            .iter()
            .filter(|o| matches_search(&list, &o.name))
            .map(|o| o.id)
            .collect();
    }
    if list.ndjson {
        let terms = load_terms(&catalog).await?;
        return Ok(dump::organizations(catalog, ids, list.full, terms));
    }
    let slice: Vec<Uuid> = ids
        .iter()
        .skip((list.page - 1) * list.per_page)
        .take(list.per_page)
        .copied()
        .collect();
    let contents = if list.full {
        let terms = load_terms(&catalog).await?;
        organization_documents(&catalog, &slice, &terms).await?
    } else {
        dump::organization_list_documents(&catalog, &slice).await?
    };
    Ok(cors(Json(page(ids.len(), &list, contents))))
}

/// One organization, with its services and locations.
#[utoipa::path(get, path = "/hsds/organizations/{id}", tag = "hsds",
    params(("id" = Uuid, Path, description = "The organization id")),
    responses((status = 200, description = "The organization", body = HsdsObject),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json")))]
pub async fn organization(State(catalog): State<Catalog>, ApiId(id): ApiId) -> ApiResult<Response> {
    let terms = load_terms(&catalog).await?;
    let mut docs = organization_documents(&catalog, &[id], &terms).await?;
    if docs.is_empty() {
        return Err(AppError::not_found(format!("organization {id}")).into());
    }
    Ok(cors(Json(docs.remove(0))))
}

/// Taxonomies.
#[utoipa::path(get, path = "/hsds/taxonomies", tag = "hsds", params(TaxonomyListParams),
    responses((status = 200, description = "An HSDS Page of taxonomies (with `format=ndjson`: every matching item, one JSON object per line)",
        content((HsdsPage = "application/json"), (String = "application/x-ndjson")))))]
pub async fn taxonomies(
    State(catalog): State<Catalog>,
    ApiQuery(params): ApiQuery<TaxonomyListParams>,
) -> ApiResult<Response> {
    let list = params.check()?;
    let terms = load_terms(&catalog).await?;
    let all: Vec<Value> = terms
        .taxonomies
        .iter()
        .filter(|t| matches_search(&list, &t.name))
        .map(|t| render::taxonomy_json(t, &terms))
        .collect();
    Ok(paged(all, &list))
}

/// One taxonomy.
#[utoipa::path(get, path = "/hsds/taxonomies/{id}", tag = "hsds",
    params(("id" = Uuid, Path, description = "The taxonomy id")),
    responses((status = 200, description = "The taxonomy", body = HsdsObject),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json")))]
pub async fn taxonomy(State(catalog): State<Catalog>, ApiId(id): ApiId) -> ApiResult<Response> {
    let terms = load_terms(&catalog).await?;
    let t = terms
        .taxonomy(id)
        .ok_or_else(|| AppError::not_found(format!("taxonomy {id}")))?;
    Ok(cors(Json(render::taxonomy_json(t, &terms))))
}

fn matches_search(list: &List, name: &str) -> bool {
    list.search
        .as_deref()
        .is_none_or(|s| name.to_lowercase().contains(&s.to_lowercase()))
}

fn paged(all: Vec<Value>, list: &List) -> Response {
    if list.ndjson {
        return dump::values("taxonomy list", all);
    }
    let total = all.len();
    let contents = all
        .into_iter()
        .skip((list.page - 1) * list.per_page)
        .take(list.per_page)
        .collect();
    cors(Json(page(total, list, contents)))
}

/// Taxonomy terms (filter with `taxonomy_id`, `parent_id`, `top_only`, `search` on the name).
#[utoipa::path(get, path = "/hsds/taxonomy_terms", tag = "hsds", params(TermListParams),
    responses((status = 200, description = "An HSDS Page of taxonomy terms (with `format=ndjson`: every matching item, one JSON object per line)",
        content((HsdsPage = "application/json"), (String = "application/x-ndjson")))))]
pub async fn taxonomy_terms(
    State(catalog): State<Catalog>,
    ApiQuery(params): ApiQuery<TermListParams>,
) -> ApiResult<Response> {
    let list = params.check()?;
    let terms = load_terms(&catalog).await?;
    // The parent as shown: an imported term may name a parent that is not in the directory.
    let parent = |t: &crate::store::TermRow| -> Option<String> {
        t.parent_id.map(|p| p.to_string()).or_else(|| {
            terms
                .term_sources
                .get(&t.id)
                .and_then(|s| s.get("parent_id")?.as_str().map(str::to_string))
        })
    };
    let all: Vec<Value> = terms
        .terms
        .iter()
        .filter(|t| list.taxonomy_id.is_none_or(|id| t.taxonomy_id == Some(id)))
        .filter(|t| {
            list.parent_id
                .is_none_or(|id| parent(t) == Some(id.to_string()))
        })
        .filter(|t| !list.top_only || parent(t).is_none())
        .filter(|t| matches_search(&list, &t.name))
        .map(|t| render::term_json(t, &terms))
        .collect();
    Ok(paged(all, &list))
}

/// One taxonomy term.
#[utoipa::path(get, path = "/hsds/taxonomy_terms/{id}", tag = "hsds",
    params(("id" = Uuid, Path, description = "The taxonomy term id")),
    responses((status = 200, description = "The term", body = HsdsObject),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json")))]
pub async fn taxonomy_term(
    State(catalog): State<Catalog>,
    ApiId(id): ApiId,
) -> ApiResult<Response> {
    let terms = load_terms(&catalog).await?;
    let t = terms
        .term(id)
        .ok_or_else(|| AppError::not_found(format!("taxonomy_term {id}")))?;
    Ok(cors(Json(render::term_json(t, &terms))))
}
