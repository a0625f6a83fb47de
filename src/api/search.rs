//! `GET /api/v1/search`.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::ApiQuery;
use crate::catalog::{Catalog, Found};
use crate::domain::vocabulary::{CATEGORY_TAXONOMY, TARGET_GROUP_TAXONOMY};
use crate::error::{ApiResult, Problem};
use crate::query::{self, SearchParams};
use crate::search::FacetCount;

#[derive(Serialize, ToSchema)]
pub struct Neighbourhoods {
    pub gemeente: Option<String>,
    pub wijk: Option<String>,
    pub buurt: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ResultLocation {
    pub id: Uuid,
    pub name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub postal_code: Option<String>,
    pub neighbourhoods: Neighbourhoods,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    pub id: Uuid,
    pub name: String,
    pub organization: String,
    pub description: String,
    pub categories: Vec<String>,
    pub target_groups: Vec<String>,
    pub access_route: String,
    pub accepts_referrals: bool,
    pub welzijn_op_recept: bool,
    pub cost: String,
    /// Metres from the given postcode or point to the nearest location.
    pub distance_m: Option<f64>,
    /// With a postcode or point: the offer serves that place's buurt or wijk ("werkt in uw wijk").
    pub serves_your_area: bool,
    /// ISO 639 codes of the languages it is offered in.
    pub languages: Vec<String>,
    pub locations: Vec<ResultLocation>,
    /// CBS codes of the areas the service works in.
    pub service_areas: Vec<String>,
    /// The page for people.
    pub url: String,
    /// Plain text with the matched words between `[[` and `]]`.
    pub snippet: String,
    /// When the listing was last checked (HSDS `assured_date`, `YYYY-MM-DD`); null: never.
    pub assured_date: Option<String>,
    /// Not checked within this instance's stale period (default 180 days), or never: shown
    /// to people as "Mogelijk verouderd". Such listings rank a little lower.
    pub possibly_outdated: bool,
    /// HSDS status: `active` or `temporarily closed` (listings no longer offered are not
    /// found here; the HSDS API still lists them).
    pub status: String,
    /// Why it is temporarily closed, in Dutch.
    pub status_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Facet {
    pub code: String,
    pub label: String,
    pub count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct SearchFacets {
    pub categories: Vec<Facet>,
    pub target_groups: Vec<Facet>,
    pub wijken: Vec<Facet>,
    pub access_routes: Vec<Facet>,
    pub costs: Vec<Facet>,
    pub languages: Vec<Facet>,
}

/// How the words were understood.
#[derive(Serialize, ToSchema)]
pub struct Understood {
    /// All words together found nothing, so these were left out (the results use the others).
    pub words_left_out: Vec<String>,
    /// Words found through typo tolerance: the typed word and the word it was taken for.
    pub corrections: Vec<UnderstoodCorrection>,
    /// Nothing was found: a better spelled query from the directory's own words, if any.
    pub did_you_mean: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UnderstoodCorrection {
    pub typed: String,
    pub found: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub total_pages: usize,
    /// Categories recognised in the words (life questions and synonyms).
    pub understood_categories: Vec<String>,
    pub understood: Understood,
    pub results: Vec<SearchResult>,
    pub facets: SearchFacets,
}

/// Search services by words, neighbourhood, filters and distance.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Results, facet counts and the total", body = SearchResponse),
        (status = 400, description = "A parameter is malformed or unknown; `parameter` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn search(
    State(catalog): State<Catalog>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<impl IntoResponse> {
    let parsed = query::check(params, Vec::new(), &catalog.geo, &catalog.vocabulary)?;
    let found = catalog.search(&parsed).await?;
    let vocab = &catalog.vocabulary;
    let label = |f: &[FacetCount], name: &dyn Fn(&str) -> Option<String>| -> Vec<Facet> {
        f.iter()
            .map(|c| Facet {
                code: c.code.clone(),
                label: name(&c.code).unwrap_or_else(|| c.code.clone()),
                count: c.count,
            })
            .collect()
    };
    let f = &found.facets;
    let body = SearchResponse {
        total: found.total,
        page: parsed.page,
        per_page: parsed.per_page,
        total_pages: found.total.div_ceil(parsed.per_page),
        understood_categories: found.interpreted.suggested_categories(),
        understood: Understood {
            words_left_out: found
                .interpreted
                .relaxed
                .as_ref()
                .map(|r| r.dropped.clone())
                .unwrap_or_default(),
            corrections: found
                .interpreted
                .corrections
                .iter()
                .map(|c| UnderstoodCorrection {
                    typed: c.typed.clone(),
                    found: c.found.clone(),
                })
                .collect(),
            did_you_mean: found.interpreted.did_you_mean.clone(),
        },
        results: found
            .hits
            .iter()
            .map(|hit| result(hit, catalog.freshness))
            .collect(),
        facets: SearchFacets {
            categories: label(&f.categories, &|c| {
                vocab.term(CATEGORY_TAXONOMY, c).map(|t| t.name.clone())
            }),
            target_groups: label(&f.target_groups, &|c| {
                vocab.term(TARGET_GROUP_TAXONOMY, c).map(|t| t.name.clone())
            }),
            wijken: label(&f.wijken, &|c| catalog.geo.get(c).map(|n| n.name.clone())),
            access_routes: label(&f.access_routes, &|c| {
                c.parse::<crate::domain::AccessRoute>()
                    .ok()
                    .map(|a| a.label().to_string())
            }),
            costs: label(&f.costs, &|c| {
                c.parse::<crate::domain::CostKind>()
                    .ok()
                    .map(|a| a.label().to_string())
            }),
            languages: label(&f.languages, &|c| {
                crate::domain::language_name(c).map(str::to_string)
            }),
        },
    };
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(body)))
}

fn result(found: &Found, freshness: crate::domain::Freshness) -> SearchResult {
    let s = &found.summary;
    SearchResult {
        id: s.id,
        name: s.name.clone(),
        organization: s.organization_name.clone(),
        description: s.description.clone(),
        categories: s.categories.clone(),
        target_groups: s.target_groups.clone(),
        access_route: s.access_route.as_str().to_string(),
        accepts_referrals: s.accepts_referrals,
        welzijn_op_recept: s.welzijn_op_recept,
        cost: s.cost.kind.as_str().to_string(),
        distance_m: found.distance_m.map(|d| d.round()),
        serves_your_area: found.serves_local,
        languages: s.languages.clone(),
        locations: s
            .locations
            .iter()
            .map(|l| ResultLocation {
                id: l.id,
                name: l.name.clone(),
                latitude: l.latitude,
                longitude: l.longitude,
                postal_code: l.postal_code.clone(),
                neighbourhoods: Neighbourhoods {
                    gemeente: l.placement.gemeente.clone(),
                    wijk: l.placement.wijk.clone(),
                    buurt: l.placement.buurt.clone(),
                },
            })
            .collect(),
        service_areas: s.service_area_codes.clone(),
        url: format!("/aanbod/{}", s.id),
        snippet: found
            .snippet
            .iter()
            .map(|p| {
                if p.highlighted {
                    format!("[[{}]]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect(),
        assured_date: s.assured_date.map(crate::hsds::iso_date),
        possibly_outdated: freshness.is_stale(s.assured_date, crate::domain::freshness::today()),
        status: s.status.as_str().to_string(),
        status_reason: s.status_reason.clone(),
    }
}
