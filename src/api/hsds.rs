//! The Open Referral HSDS 3.0 read API under `/hsds/`: public, `Access-Control-Allow-Origin: *`,
//! lists in the spec's `Page` shape. Text search goes through the tantivy index; every other
//! filter is an index filter too, so all of them combine with AND and page correctly.
//! `format=ndjson` streams: see `dump.rs`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::catalog::Catalog;
use crate::domain::ServiceRecord;
use crate::error::{ApiResult, AppError};
use crate::hsds::export::{load_sources, load_terms, organization_documents};
use crate::hsds::render::{self, Shape, Terms};
use crate::hsds::{HSDS_PROFILE, HSDS_VERSION};
use crate::search::{GeoPoint, Near, OpenWindow, SearchRequest, SortOrder};

use super::dump;

const DEFAULT_PER_PAGE: usize = 20;
const MAX_PER_PAGE: usize = 100;

/// Query parameters of the HSDS list endpoints (each endpoint uses those that apply).
#[allow(dead_code)] // Documents the parameters; handlers parse the raw query themselves.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Words to search for (through the search index).
    search: Option<String>,
    /// Only services carrying this taxonomy term (our categories include their sub-terms).
    taxonomy_term_id: Option<Uuid>,
    /// Only services carrying a term of this taxonomy.
    taxonomy_id: Option<Uuid>,
    /// Only services of this organization.
    organization_id: Option<Uuid>,
    /// Only services changed at or after this moment (RFC 3339, or a date).
    modified_after: Option<String>,
    /// `true`: only each object's own fields.
    minimal: Option<bool>,
    /// `true`: everything, nested (as the single-object endpoint).
    full: Option<bool>,
    /// Page number, from 1.
    page: Option<usize>,
    /// Items per page, 1–100 (default 20).
    per_page: Option<usize>,
    /// `ndjson`: every matching item, one per line, unpaginated.
    format: Option<String>,
    /// A Dutch postcode (PC4 or PC6; a PC6 counts as its PC4). Alone: services that have a
    /// location in the postcode's neighbourhood or whose service area covers it. "The
    /// postcode's neighbourhood" is the most specific CBS neighbourhood (the buurt in gemeente
    /// Utrecht, elsewhere the wijk) that holds the PC4's centroid: we have no PC4 outlines, so
    /// this stands in for "in that postcode". With `proximity`: see there.
    postcode: Option<String>,
    /// Metres around the centroid of `postcode` (which it needs): only services with a
    /// location within that distance. Service areas do not count here.
    proximity: Option<f64>,
    /// UK profile: services for people of at least this age.
    minimum_age: Option<u8>,
    /// UK profile: services for people of at most this age.
    maximum_age: Option<u8>,
    /// UK profile: a weekday (`monday` … `sunday`, or `MO` … `SU`).
    day: Option<String>,
    /// UK profile: open at some moment from this time (`HH:MM`).
    start_time: Option<String>,
    /// UK profile: open at some moment before this time (`HH:MM`).
    end_time: Option<String>,
    /// A CBS code (GM/WK/BU): services located in it or serving it.
    neighbourhood: Option<String>,
    /// Taxonomy terms: only children of this term.
    parent_id: Option<Uuid>,
    /// Taxonomy terms: only terms without a parent.
    top_only: Option<bool>,
}

/// Parsed list parameters.
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

fn pairs(raw: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

fn boolean(name: &str, v: &str) -> Result<bool, AppError> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(AppError::bad_param(
            name,
            format!("{name} must be true or false"),
        )),
    }
}

fn uuid(name: &str, v: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(v).map_err(|_| AppError::bad_param(name, format!("{name} must be a UUID")))
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

async fn parse_list(catalog: &Catalog, raw: &Option<String>) -> Result<List, AppError> {
    let mut list = List {
        page: 1,
        per_page: DEFAULT_PER_PAGE,
        ..Default::default()
    };
    let (mut postcode, mut proximity) = (None, None);
    let (mut min_age, mut max_age) = (None, None);
    let (mut day, mut start, mut end) = (None, None, None);
    for (key, v) in pairs(raw) {
        let v = v.trim();
        match key.as_str() {
            "search" => {
                if v.chars().count() > 200 {
                    return Err(AppError::bad_param(
                        "search",
                        "search is at most 200 characters",
                    ));
                }
                list.request.text = Some(v.to_string());
                list.search = Some(v.to_string());
            }
            "taxonomy_term_id" => {
                let id = uuid(&key, v)?;
                let terms = catalog.store.taxonomy_terms().await?;
                if !terms.iter().any(|t| t.id == id) {
                    return Err(AppError::bad_param(&key, "unknown taxonomy term"));
                }
                list.request.taxonomy_term_ids = Some(vec![id.to_string()]);
            }
            "taxonomy_id" => {
                let id = uuid(&key, v)?;
                if !catalog.store.taxonomies().await?.iter().any(|t| t.id == id) {
                    return Err(AppError::bad_param(&key, "unknown taxonomy"));
                }
                list.taxonomy_id = Some(id);
            }
            "organization_id" => list.request.organization_id = Some(uuid(&key, v)?),
            "modified_after" => {
                use time::format_description::well_known::Rfc3339;
                let at = time::OffsetDateTime::parse(v, &Rfc3339)
                    .or_else(|_| {
                        time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]"))
                            .map(|d| d.midnight().assume_utc())
                    })
                    .map_err(|_| {
                        AppError::bad_param(&key, "modified_after must be a date-time like 2026-01-31T12:00:00Z or a date")
                    })?;
                list.request.modified_after = Some(at.unix_timestamp());
            }
            "minimal" => list.minimal = boolean(&key, v)?,
            "full" => list.full = boolean(&key, v)?,
            "top_only" => list.top_only = boolean(&key, v)?,
            "parent_id" => list.parent_id = Some(uuid(&key, v)?),
            "page" => {
                list.page = v
                    .parse()
                    .ok()
                    .filter(|p| (1..=100_000).contains(p))
                    .ok_or_else(|| {
                        AppError::bad_param(&key, "page must be a whole number from 1")
                    })?
            }
            "per_page" => {
                list.per_page = v
                    .parse()
                    .ok()
                    .filter(|p| (1..=MAX_PER_PAGE).contains(p))
                    .ok_or_else(|| {
                        AppError::bad_param(
                            &key,
                            format!("per_page must be from 1 to {MAX_PER_PAGE}"),
                        )
                    })?
            }
            "format" => match v {
                "ndjson" => list.ndjson = true,
                "json" => {}
                _ => return Err(AppError::bad_param(&key, "format must be json or ndjson")),
            },
            "postcode" => postcode = Some(v.to_string()),
            "proximity" => {
                proximity = Some(
                    v.parse::<f64>()
                        .ok()
                        .filter(|m| m.is_finite() && *m > 0.0 && *m <= 100_000.0)
                        .ok_or_else(|| {
                            AppError::bad_param(&key, "proximity must be metres, from 1 to 100000")
                        })?,
                )
            }
            "minimum_age" | "maximum_age" => {
                let age: u8 = v.parse().ok().filter(|a| *a <= 120).ok_or_else(|| {
                    AppError::bad_param(&key, format!("{key} must be an age from 0 to 120"))
                })?;
                if key == "minimum_age" {
                    min_age = Some(age)
                } else {
                    max_age = Some(age)
                }
            }
            "day" => day = Some(weekday(v)?),
            "start_time" => start = Some(time_of_day(&key, v)?),
            "end_time" => end = Some(time_of_day(&key, v)?),
            "neighbourhood" => {
                let n = catalog
                    .geo
                    .parse_code(v)
                    .map_err(|e| AppError::bad_param(&key, e.to_string()))?;
                list.request.area_code = Some(n.code.clone());
            }
            // Unknown parameters are ignored, as HSDS clients send profile-specific ones.
            _ => {}
        }
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
    match (postcode, proximity) {
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
    if min_age.is_some() || max_age.is_some() {
        let (lo, hi) = (min_age.unwrap_or(0), max_age.unwrap_or(120));
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

/// The HSDS `Page` object.
fn page(total: usize, list: &List, contents: Vec<Value>) -> Value {
    let total_pages = total.div_ceil(list.per_page).max(1);
    json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": list.page,
        "size": contents.len(),
        "first_page": list.page == 1,
        "last_page": list.page >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
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
    responses((status = 200, description = "version, profile and openapi_url")))]
pub async fn about() -> Response {
    cors(Json(json!({
        "version": HSDS_VERSION,
        "profile": HSDS_PROFILE,
        "openapi_url": "/openapi.json",
    })))
}

/// Services, paged, filtered (all filters combine with AND).
#[utoipa::path(get, path = "/hsds/services", tag = "hsds", params(ListParams),
    responses((status = 200, description = "An HSDS Page of services"),
              (status = 400, description = "A bad parameter; the problem document names it")))]
pub async fn services(
    State(catalog): State<Catalog>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let mut list = parse_list(&catalog, &raw).await?;
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
    responses((status = 200, description = "The service"), (status = 404, description = "No such service")))]
pub async fn service(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = uuid("id", &id)?;
    let record = catalog
        .service(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("service {id}")))?;
    let terms = load_terms(&catalog).await?;
    let mut docs = render_services(&catalog, &[record], Shape::Full, &terms).await?;
    Ok(cors(Json(docs.remove(0))))
}

/// Services at their locations, paged and filtered like `/services`.
#[utoipa::path(get, path = "/hsds/service_at_locations", tag = "hsds", params(ListParams),
    responses((status = 200, description = "An HSDS Page of service-at-locations"),
              (status = 400, description = "A bad parameter; the problem document names it")))]
pub async fn service_at_locations(
    State(catalog): State<Catalog>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let list = parse_list(&catalog, &raw).await?;
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
    responses((status = 200, description = "The service at its location"), (status = 404, description = "Not found")))]
pub async fn service_at_location(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = uuid("id", &id)?;
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
#[utoipa::path(get, path = "/hsds/organizations", tag = "hsds", params(ListParams),
    responses((status = 200, description = "An HSDS Page of organizations")))]
pub async fn organizations(
    State(catalog): State<Catalog>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let list = parse_list(&catalog, &raw).await?;
    let ids = catalog.store.organization_ids().await?;
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
    responses((status = 200, description = "The organization"), (status = 404, description = "Not found")))]
pub async fn organization(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = uuid("id", &id)?;
    let terms = load_terms(&catalog).await?;
    let mut docs = organization_documents(&catalog, &[id], &terms).await?;
    if docs.is_empty() {
        return Err(AppError::not_found(format!("organization {id}")).into());
    }
    Ok(cors(Json(docs.remove(0))))
}

/// Taxonomies.
#[utoipa::path(get, path = "/hsds/taxonomies", tag = "hsds", params(ListParams),
    responses((status = 200, description = "An HSDS Page of taxonomies")))]
pub async fn taxonomies(
    State(catalog): State<Catalog>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let list = parse_list(&catalog, &raw).await?;
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
    responses((status = 200, description = "The taxonomy"), (status = 404, description = "Not found")))]
pub async fn taxonomy(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = uuid("id", &id)?;
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
#[utoipa::path(get, path = "/hsds/taxonomy_terms", tag = "hsds", params(ListParams),
    responses((status = 200, description = "An HSDS Page of taxonomy terms")))]
pub async fn taxonomy_terms(
    State(catalog): State<Catalog>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let list = parse_list(&catalog, &raw).await?;
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
    responses((status = 200, description = "The term"), (status = 404, description = "Not found")))]
pub async fn taxonomy_term(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = uuid("id", &id)?;
    let terms = load_terms(&catalog).await?;
    let t = terms
        .term(id)
        .ok_or_else(|| AppError::not_found(format!("taxonomy_term {id}")))?;
    Ok(cors(Json(render::term_json(t, &terms))))
}
