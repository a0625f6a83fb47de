//! The search parameters people and programs send, parsed and checked once for both the HTML
//! pages and the JSON API. Every problem names the parameter and says what is allowed.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::domain::{Vocabulary, parse_language, parse_weekday};
use crate::error::AppError;
use crate::geo::{Geography, Level};
use crate::params::{Language, QueryParams};
use crate::search::{AccessFilter, GeoPoint, Near, OpenWindow, SearchRequest, SortOrder};

pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_PAGE: usize = 500;
pub const MAX_PER_PAGE: usize = 100;
pub const DEFAULT_PER_PAGE: usize = 20;
pub const MAX_RADIUS_KM: f64 = 100.0;
pub const MAX_AGE: u8 = 120;

/// A part of the day, as people ask for it ("op dinsdagochtend"). Parameter `dagdeel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dagdeel {
    Ochtend,
    Middag,
    Avond,
}

impl Dagdeel {
    pub const ALL: [Dagdeel; 3] = [Dagdeel::Ochtend, Dagdeel::Middag, Dagdeel::Avond];

    /// Dutch (`ochtend`, `morgen`, `middag`, `avond`) or English (`morning`, `afternoon`,
    /// `evening`), any case.
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim().to_lowercase().as_str() {
            "ochtend" | "morgen" | "morning" => Some(Self::Ochtend),
            "middag" | "afternoon" => Some(Self::Middag),
            "avond" | "evening" => Some(Self::Avond),
            _ => None,
        }
    }

    /// The value the form sends.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ochtend => "ochtend",
            Self::Middag => "middag",
            Self::Avond => "avond",
        }
    }

    /// "ochtend (6–12 uur)".
    pub fn label(self) -> &'static str {
        match self {
            Self::Ochtend => "ochtend (6–12 uur)",
            Self::Middag => "middag (12–18 uur)",
            Self::Avond => "avond (18–24 uur)",
        }
    }

    /// Minutes since midnight: `[from, to)`.
    pub fn minutes(self) -> (u16, u16) {
        match self {
            Self::Ochtend => (6 * 60, 12 * 60),
            Self::Middag => (12 * 60, 18 * 60),
            Self::Avond => (18 * 60, 24 * 60),
        }
    }
}

/// The one time window searched for these parts of the day: from the earliest start to the
/// latest end. The index filters on a single window, so "ochtend + avond" (not adjacent)
/// becomes 06:00–24:00 and includes the afternoon: showing a few offers too many is better
/// than hiding some, and the page says which hours were searched.
pub fn dagdeel_window(parts: &[Dagdeel]) -> Option<(u16, u16)> {
    let from = parts.iter().map(|p| p.minutes().0).min()?;
    let to = parts.iter().map(|p| p.minutes().1).max()?;
    Some((from, to))
}

/// True when the parts of the day leave a gap (ochtend + avond), so that the searched window
/// is wider than what was ticked.
pub fn dagdelen_have_gap(parts: &[Dagdeel]) -> bool {
    let covered: u16 = {
        let mut unique = parts.to_vec();
        unique.sort();
        unique.dedup();
        unique.iter().map(|p| p.minutes().1 - p.minutes().0).sum()
    };
    dagdeel_window(parts).is_some_and(|(from, to)| to - from > covered)
}

/// Where distances are measured from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// "postcode 3562" or "52.1100, 5.1100".
    pub label: String,
    pub point: GeoPoint,
    pub covering_codes: Vec<String>,
}

/// A neighbourhood filter, resolved.
#[derive(Debug, Clone)]
pub struct AreaRef {
    pub code: String,
    pub name: String,
    pub level: Level,
}

#[derive(Debug, Clone)]
pub struct ParsedSearch {
    pub request: SearchRequest,
    pub text: String,
    pub area: Option<AreaRef>,
    pub origin: Option<Origin>,
    pub radius_km: Option<f64>,
    /// ISO weekdays asked for (any of them), sorted, each once.
    pub days: Vec<u8>,
    /// Parts of the day asked for, sorted, each once.
    pub dagdelen: Vec<Dagdeel>,
    pub page: usize,
    pub per_page: usize,
    /// The parameters as given (minus paging), to build links that add or drop one filter.
    pub pairs: Vec<(String, String)>,
}

/// The search parameters of the pages and `GET /api/v1/search`: what the handlers receive and
/// what `/openapi.json` documents (all optional, all combinable). Values are trimmed and an empty
/// value counts as not given. Ranges and codes are checked by [`check`].
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words, in plain Dutch; life questions such as "ik voel me alleen" are understood. At most 200 characters.
    #[param(max_length = 200, example = "ik voel me alleen")]
    pub q: Option<String>,
    /// A CBS code of a gemeente (GM0344), wijk (WK034403) or buurt (BU03440300), any case. A
    /// service matches when one of its locations lies inside it or its service area overlaps it.
    /// A code we do not know is a 400.
    #[param(example = "WK034403")]
    pub area: Option<String>,
    /// Where the resident is: a postcode (PC4 "3562" or PC6 "3562 AB"; its PC4 centroid counts).
    /// It does not filter by itself: it measures distances, ranks nearby offers and offers that
    /// serve the postcode's buurt or wijk higher (relevance blended with distance:
    /// score × (0.25 + 0.75 · ½^(d / 2 km)); an offer serving the resident's own buurt or wijk
    /// counts as d = 0 and is marked `serves_your_area`), and makes `sort=distance` possible.
    /// A postcode we do not know is a 400.
    #[param(example = "3562")]
    pub postcode: Option<String>,
    /// Latitude to measure distance from (with `lon`; instead of `postcode`).
    #[param(minimum = -90, maximum = 90, example = 52.1)]
    pub lat: Option<f64>,
    /// Longitude to measure distance from (with `lat`).
    #[param(minimum = -180, maximum = 180, example = 5.12)]
    pub lon: Option<f64>,
    /// Keeps offers with a location within this many kilometres (more than 0, at most 100) of the
    /// postcode or point, **or** that serve the buurt, wijk or gemeente the postcode or point lies
    /// in (they come to the resident, wherever their office is); other offers are left out.
    /// Needs `postcode` or `lat`+`lon`.
    #[param(exclusive_minimum = 0, maximum = 100, example = 2)]
    pub radius_km: Option<f64>,
    /// Category code (repeatable: any of them); a top-level code includes its sub-terms. Codes:
    /// `/hsds/taxonomy_terms`. An unknown code is a 400.
    #[serde(default)]
    #[param(example = json!(["eenzaamheid"]))]
    pub category: Vec<String>,
    /// Target-group code (repeatable: any of them). An unknown code is a 400.
    #[serde(default)]
    #[param(example = json!(["ouderen-65"]))]
    pub target_group: Vec<String>,
    /// Only free services (also `ja`/`nee`, `1`/`0`).
    #[serde(default, deserialize_with = "crate::params::flag")]
    pub free: Option<bool>,
    /// `open` (no referral needed) or `referral` (also `verwijzing`).
    #[param(inline)]
    pub access: Option<AccessParam>,
    /// Only Welzijn op Recept (social prescribing) offerings (`false`: none of them).
    #[serde(default, deserialize_with = "crate::params::flag")]
    pub wor: Option<bool>,
    /// Leave out temporarily closed offers (also `ja`/`nee`, `1`/`0`). By default they are
    /// found, after the open ones when sorting by relevance or distance.
    #[serde(default, deserialize_with = "crate::params::flag")]
    pub hide_closed: Option<bool>,
    /// Day of the week (repeatable: any of them): 1–7, a Dutch or English name or abbreviation
    /// (`dinsdag`, `di`, `tuesday`, `TU`, `2`), any case.
    #[serde(default)]
    #[param(example = json!(["di"]))]
    pub day: Vec<String>,
    /// Language the offer is given in (repeatable: any of them): an ISO 639 code (`ar`) or its
    /// name (`Arabisch`, `arabic`).
    #[serde(default)]
    #[param(example = json!(["ar"]))]
    pub language: Vec<String>,
    /// Part of the day (repeatable): `ochtend` (06:00–12:00), `middag` (12:00–18:00), `avond`
    /// (18:00–24:00); also `morgen`, `morning`, `afternoon`, `evening`, any case. Offers open at
    /// some moment in it, on the chosen days. Several parts make one window from the earliest
    /// start to the latest end.
    #[serde(default)]
    #[param(example = json!(["ochtend"]))]
    pub dagdeel: Vec<String>,
    /// The resident's age (0–120).
    #[param(minimum = 0, maximum = 120)]
    pub age: Option<u8>,
    /// `relevance` (default with words), `distance` (default with a postcode or point; needs
    /// one) or `name` (default otherwise).
    #[param(inline)]
    pub sort: Option<SortParam>,
    /// Page number, from 1 to 500 (default 1). A page beyond the last answers no results, with
    /// the total.
    #[param(minimum = 1, maximum = 500)]
    pub page: Option<usize>,
    /// Results per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<usize>,
}

impl QueryParams for SearchParams {}

/// Parameter `access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccessParam {
    Open,
    #[serde(alias = "verwijzing")]
    Referral,
}

/// Parameter `sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortParam {
    Relevance,
    Distance,
    Name,
}

/// Parses a raw query string (strictly: see [`crate::params::decode`]).
pub fn parse(
    raw_query: &str,
    geo: &Geography,
    vocabulary: &Vocabulary,
) -> Result<ParsedSearch, AppError> {
    parse_pairs(
        crate::params::decode(raw_query, Language::Dutch)?,
        geo,
        vocabulary,
    )
}

/// A parameter that could not be used, with the message for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub param: String,
    pub message: String,
}

/// For the pages: parses what it can. Each wrong parameter is left out, with what depends on
/// it (a wrong postcode also takes the radius and the distance sort along), and its message is
/// kept, so that the page can show the form again with everything as typed and the message
/// next to the field, instead of an error page. A query that is not text at all (not UTF-8,
/// control characters) is an error: there is nothing to show again.
pub fn parse_forgiving(
    raw_query: &str,
    geo: &Geography,
    vocabulary: &Vocabulary,
) -> Result<(ParsedSearch, Vec<FieldError>), AppError> {
    let mut pairs = crate::params::decode(raw_query, Language::Dutch)?;
    let mut errors: Vec<FieldError> = Vec::new();
    // Each round drops at least one parameter name, so this ends.
    loop {
        match parse_pairs(pairs.clone(), geo, vocabulary) {
            Ok(parsed) => return Ok((parsed, errors)),
            Err(AppError::BadRequest {
                param: Some(param),
                detail,
            }) => {
                let before = pairs.len();
                let origin_lost = matches!(param.as_str(), "postcode" | "lat" | "lon");
                pairs.retain(|(k, v)| {
                    let k = k.as_str();
                    let depends = origin_lost
                        && (matches!(k, "radius_km" | "lat" | "lon")
                            || (k == "sort" && v == "distance"));
                    k != param && !depends
                });
                if pairs.len() == before {
                    return Err(AppError::bad_param(&param, detail));
                }
                errors.push(FieldError {
                    param,
                    message: detail,
                });
            }
            Err(other) => return Err(other),
        }
    }
}

/// Parameters that hold one value (the others, such as `category` and `day`, repeat).
const SINGLE_VALUED: &[&str] = &[
    "q",
    "area",
    "postcode",
    "lat",
    "lon",
    "radius_km",
    "free",
    "access",
    "wor",
    "hide_closed",
    "age",
    "sort",
    "page",
    "per_page",
];

/// A parameter that holds one value but was given more than once (`q=a&q=b`, or a form whose
/// hidden field repeats a visible one): the last non-empty value counts, and only that one is
/// kept, so that the links of a page (next page, remove a filter) repeat the search it shows.
fn last_of_single_valued(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let single = |k: &str| SINGLE_VALUED.contains(&k);
    let last: Vec<Option<usize>> = SINGLE_VALUED
        .iter()
        .map(|name| {
            pairs
                .iter()
                .rposition(|(k, v)| k == name && !v.trim().is_empty())
        })
        .collect();
    pairs
        .into_iter()
        .enumerate()
        .filter(|(i, (k, _))| {
            !single(k)
                || SINGLE_VALUED
                    .iter()
                    .zip(&last)
                    .any(|(name, at)| name == k && *at == Some(*i))
        })
        .map(|(_, pair)| pair)
        .collect()
}

/// Types decoded pairs as [`SearchParams`] and checks them; the pairs (minus paging) are kept to
/// build links that add or drop one filter.
pub fn parse_pairs(
    pairs: Vec<(String, String)>,
    geo: &Geography,
    vocabulary: &Vocabulary,
) -> Result<ParsedSearch, AppError> {
    let pairs = last_of_single_valued(pairs);
    let params: SearchParams = crate::params::typed(&pairs)?;
    let kept = pairs
        .into_iter()
        .filter(|(k, v)| !matches!(k.as_str(), "page" | "per_page") && !v.trim().is_empty())
        .collect();
    check(params, kept, geo, vocabulary)
}

/// The domain rules of a search, on the typed parameters: ranges, known codes, what needs
/// what. Every problem names the parameter.
pub fn check(
    params: SearchParams,
    pairs: Vec<(String, String)>,
    geo: &Geography,
    vocabulary: &Vocabulary,
) -> Result<ParsedSearch, AppError> {
    let mut request = SearchRequest {
        limit: DEFAULT_PER_PAGE,
        ..SearchRequest::default()
    };
    let text = params.q.as_deref().unwrap_or("").trim().to_string();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::bad_param(
            "q",
            format!("De zoekvraag is te lang. Gebruik hoogstens {MAX_QUERY_CHARS} tekens."),
        ));
    }
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    let area = match given(&params.area) {
        Some(v) => {
            let n = geo
                .parse_code(v)
                .map_err(|e| AppError::bad_param("area", e.to_string()))?;
            Some(AreaRef {
                code: n.code.clone(),
                name: n.name.clone(),
                level: n.level,
            })
        }
        None => None,
    };
    let mut origin = match given(&params.postcode) {
        Some(v) => {
            let m = geo
                .postcode(v)
                .map_err(|e| AppError::bad_param("postcode", e.to_string()))?;
            Some(Origin {
                label: format!("postcode {}", m.pc4),
                point: GeoPoint {
                    latitude: m.latitude,
                    longitude: m.longitude,
                },
                covering_codes: m.placement.codes().iter().map(|c| c.to_string()).collect(),
            })
        }
        None => None,
    };
    match (params.lat, params.lon) {
        (Some(latitude), Some(longitude)) => {
            if !(-90.0..=90.0).contains(&latitude) {
                return Err(AppError::bad_param(
                    "lat",
                    "'lat' moet een breedtegraad tussen -90 en 90 zijn.",
                ));
            }
            if !(-180.0..=180.0).contains(&longitude) {
                return Err(AppError::bad_param(
                    "lon",
                    "'lon' moet een lengtegraad tussen -180 en 180 zijn.",
                ));
            }
            // The point, when given beside a postcode, is the more precise place.
            let placement = geo.locate(latitude, longitude);
            origin = Some(Origin {
                label: format!("{latitude:.4}, {longitude:.4}"),
                point: GeoPoint {
                    latitude,
                    longitude,
                },
                covering_codes: placement.codes().iter().map(|c| c.to_string()).collect(),
            });
        }
        (None, None) => {}
        // Named after `lat` either way: the page shows the message at the place field.
        _ => return Err(AppError::bad_param("lat", "Geef zowel 'lat' als 'lon'.")),
    }
    let radius_km = match params.radius_km {
        Some(r) if !(r > 0.0 && r <= MAX_RADIUS_KM) => {
            return Err(AppError::bad_param(
                "radius_km",
                format!("De afstand moet meer dan 0 en hoogstens {MAX_RADIUS_KM} km zijn."),
            ));
        }
        Some(_) if origin.is_none() => {
            return Err(AppError::bad_param(
                "radius_km",
                "Geef ook een postcode (of lat en lon) om vanaf te meten.",
            ));
        }
        r => r,
    };
    for v in params
        .category
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        if vocabulary.category(v).is_none() {
            return Err(AppError::bad_param(
                "category",
                "Deze categorie kennen we niet.",
            ));
        }
        request.categories.push(v.to_string());
    }
    for v in params
        .target_group
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        if vocabulary.target_group(v).is_none() {
            return Err(AppError::bad_param(
                "target_group",
                "Deze doelgroep kennen we niet.",
            ));
        }
        request.target_groups.push(v.to_string());
    }
    request.free_only = params.free.unwrap_or(false);
    request.access = params.access.map(|a| match a {
        AccessParam::Open => AccessFilter::OpenToAll,
        AccessParam::Referral => AccessFilter::NeedsReferral,
    });
    request.welzijn_op_recept = params.wor;
    request.hide_temporarily_closed = params.hide_closed.unwrap_or(false);
    let mut days: Vec<u8> = Vec::new();
    for v in params
        .day
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        days.push(parse_weekday(v).ok_or_else(|| {
            AppError::bad_param(
                "day",
                "Kies een dag: maandag t/m zondag (ook: ma, di, … of 1 t/m 7).",
            )
        })?);
    }
    for v in params
        .language
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        let code = parse_language(v).ok_or_else(|| {
            AppError::bad_param(
                "language",
                "Deze taal kennen we niet. Geef de naam (Arabisch) of de code (ar).",
            )
        })?;
        if !request.languages.iter().any(|l| l == code) {
            request.languages.push(code.to_string());
        }
    }
    let mut dagdelen: Vec<Dagdeel> = Vec::new();
    for v in params
        .dagdeel
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        dagdelen.push(Dagdeel::parse(v).ok_or_else(|| {
            AppError::bad_param("dagdeel", "Kies een dagdeel: ochtend, middag of avond.")
        })?);
    }
    if let Some(age) = params.age {
        if age > MAX_AGE {
            return Err(AppError::bad_param(
                "age",
                format!("'age' moet een leeftijd van 0 tot {MAX_AGE} zijn"),
            ));
        }
        request.age = Some(age);
    }
    let page = params.page.unwrap_or(1);
    if page == 0 || page > MAX_PAGE {
        return Err(AppError::bad_param(
            "page",
            format!("'page' moet tussen 1 en {MAX_PAGE} liggen"),
        ));
    }
    let per_page = params.per_page.unwrap_or(DEFAULT_PER_PAGE);
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(AppError::bad_param(
            "per_page",
            format!("'per_page' moet tussen 1 en {MAX_PER_PAGE} liggen"),
        ));
    }

    request.sort = match params.sort {
        None => {
            if !text.is_empty() {
                SortOrder::Relevance
            } else if origin.is_some() {
                SortOrder::Distance
            } else {
                SortOrder::Name
            }
        }
        Some(SortParam::Relevance) => SortOrder::Relevance,
        Some(SortParam::Name) => SortOrder::Name,
        Some(SortParam::Distance) if origin.is_some() => SortOrder::Distance,
        Some(SortParam::Distance) => {
            return Err(AppError::bad_param(
                "sort",
                "Sorteren op afstand kan alleen met een postcode (of lat en lon).",
            ));
        }
    };
    request.text = (!text.is_empty()).then(|| text.clone());
    request.area_code = area.as_ref().map(|a: &AreaRef| a.code.clone());
    request.near = origin.as_ref().map(|o| Near {
        point: o.point,
        radius_m: radius_km.map(|km| km * 1000.0),
        covering_codes: o.covering_codes.clone(),
    });
    request.offset = (page - 1) * per_page;
    request.limit = per_page;
    days.sort_unstable();
    days.dedup();
    dagdelen.sort_unstable();
    dagdelen.dedup();
    apply_time_filters(&mut request, &days, &dagdelen);

    Ok(ParsedSearch {
        request,
        text,
        area,
        origin,
        radius_km,
        days,
        dagdelen,
        page,
        per_page,
        pairs,
    })
}

/// Days alone keep services that run on any of them; with parts of the day, services open at
/// some moment of that window on any of those days (or on any day when none was ticked).
fn apply_time_filters(request: &mut SearchRequest, days: &[u8], dagdelen: &[Dagdeel]) {
    match dagdeel_window(dagdelen) {
        Some((from, to)) => {
            request.open_window = Some(OpenWindow {
                days: days.to_vec(),
                from,
                to,
            })
        }
        None => request.days = days.to_vec(),
    }
}

impl ParsedSearch {
    /// The query string of this search without the parameters named in `drop` (and the page).
    pub fn query_without(&self, drop: &[(&str, Option<&str>)]) -> String {
        self.query_without_matching(|k, v| {
            drop.iter()
                .any(|(dk, dv)| *dk == k && dv.is_none_or(|dv| dv == v))
        })
    }

    /// The query string of this search without the pairs for which `drop(key, value)` is true
    /// (and without the page).
    pub fn query_without_matching(&self, drop: impl Fn(&str, &str) -> bool) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            if !drop(k, v) {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }

    /// The query string without the place distances are measured from, and without what only
    /// makes sense with it (the radius and sorting by distance), so that removing the postcode
    /// never leads to an error page.
    pub fn query_without_origin(&self) -> String {
        self.query_without_matching(|k, v| {
            matches!(k, "postcode" | "lat" | "lon" | "radius_km")
                || (k == "sort" && v == "distance")
        })
    }

    /// The value of a parameter as it was typed (the first, for repeatable ones).
    pub fn typed(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The query string of this search on another page.
    pub fn query_for_page(&self, page: usize) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            s.append_pair(k, v);
        }
        if self.per_page != DEFAULT_PER_PAGE {
            s.append_pair("per_page", &self.per_page.to_string());
        }
        s.append_pair("page", &page.to_string());
        s.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(q: &str) -> ParsedSearch {
        let geo = Geography::load_embedded().unwrap();
        let vocab = Vocabulary::embedded().unwrap();
        parse(q, &geo, &vocab).unwrap()
    }

    fn parse_err(q: &str) -> AppError {
        let geo = Geography::load_embedded().unwrap();
        let vocab = Vocabulary::embedded().unwrap();
        parse(q, &geo, &vocab).unwrap_err()
    }

    #[test]
    fn defaults_follow_what_was_asked() {
        assert_eq!(parse_ok("").request.sort, SortOrder::Name);
        assert_eq!(parse_ok("q=koffie").request.sort, SortOrder::Relevance);
        assert_eq!(parse_ok("postcode=3562").request.sort, SortOrder::Distance);
        let p = parse_ok("q=eenzaam&area=wk034403&postcode=3562+AB&radius_km=2&page=3&per_page=10");
        assert_eq!(p.area.as_ref().unwrap().code, "WK034403");
        assert_eq!(p.request.offset, 20);
        let near = p.request.near.unwrap();
        assert_eq!(near.radius_m, Some(2000.0));
        assert!(near.covering_codes.contains(&"WK034403".to_string()));
    }

    #[test]
    fn removing_one_filter_keeps_the_others() {
        let p = parse_ok("q=eenzaam&category=geld&category=eenzaamheid&free=ja&page=2");
        assert_eq!(
            p.query_without(&[("category", Some("geld"))]),
            "q=eenzaam&category=eenzaamheid&free=ja"
        );
        assert_eq!(
            p.query_without(&[("q", None)]),
            "category=geld&category=eenzaamheid&free=ja"
        );
        assert_eq!(
            p.query_for_page(3),
            "q=eenzaam&category=geld&category=eenzaamheid&free=ja&page=3"
        );
    }

    #[test]
    fn a_radius_must_be_above_zero_and_at_most_the_maximum() {
        let within = parse_ok(&format!("postcode=3562&radius_km={MAX_RADIUS_KM}"));
        assert_eq!(within.radius_km, Some(MAX_RADIUS_KM));
        for radius in ["0", "-1", "100.5", "nan", "inf"] {
            match parse_err(&format!("postcode=3562&radius_km={radius}")) {
                AppError::BadRequest {
                    param: Some(param),
                    detail,
                } => {
                    assert_eq!(param, "radius_km", "{radius}");
                    // The message states the rule that refused the value (0 itself is refused).
                    assert_eq!(
                        detail, "De afstand moet meer dan 0 en hoogstens 100 km zijn.",
                        "{radius}"
                    );
                }
                other => panic!("{radius}: {other:?}"),
            }
        }
    }

    #[test]
    fn days_and_parts_of_the_day_in_every_spelling() {
        for tuesday in ["dinsdag", "di", "TU", "tuesday", "2", "Dinsdag", "DI"] {
            let p = parse_ok(&format!("day={tuesday}"));
            assert_eq!(p.days, vec![2], "{tuesday}");
        }
        let p = parse_ok("day=di&day=2&day=donderdag&dagdeel=ochtend");
        assert_eq!(p.days, vec![2, 4], "each day once");
        assert_eq!(p.dagdelen, vec![Dagdeel::Ochtend]);
        let window = p.request.open_window.expect("a time window");
        assert_eq!((window.from, window.to), (6 * 60, 12 * 60));
        assert_eq!(
            dagdeel_window(&[Dagdeel::Ochtend, Dagdeel::Middag]),
            Some((360, 1080))
        );
        assert!(!dagdelen_have_gap(&[Dagdeel::Ochtend, Dagdeel::Middag]));
        assert_eq!(
            dagdeel_window(&[Dagdeel::Avond, Dagdeel::Ochtend]),
            Some((360, 1440))
        );
        assert!(dagdelen_have_gap(&[Dagdeel::Avond, Dagdeel::Ochtend]));
        assert_eq!(dagdeel_window(&[]), None);
        assert!(parse_ok("dagdeel=AVOND").request.open_window.is_some());
    }

    #[test]
    fn forgiving_parse_keeps_the_rest_and_names_each_wrong_field() {
        let geo = Geography::load_embedded().unwrap();
        let vocab = Vocabulary::embedded().unwrap();
        let (parsed, errors) = parse_forgiving(
            "q=eenzaam&postcode=35620&radius_km=2&sort=distance&day=blursday&area=WK034403",
            &geo,
            &vocab,
        )
        .unwrap();
        let params: Vec<&str> = errors.iter().map(|e| e.param.as_str()).collect();
        assert_eq!(params, ["postcode", "day"], "the radius is not blamed");
        assert_eq!(parsed.text, "eenzaam");
        assert_eq!(parsed.area.unwrap().code, "WK034403");
        assert!(parsed.origin.is_none() && parsed.radius_km.is_none());
        let (_, none) = parse_forgiving("q=eenzaam", &geo, &vocab).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn removing_the_origin_drops_what_depends_on_it() {
        let p = parse_ok("q=a&postcode=3562&radius_km=2&sort=distance&free=ja");
        assert_eq!(p.query_without_origin(), "q=a&free=ja");
        let p = parse_ok("lat=52.1&lon=5.1&radius_km=2&sort=name");
        assert_eq!(p.query_without_origin(), "sort=name");
    }

    #[test]
    fn a_repeated_single_parameter_counts_once_and_links_repeat_the_search() {
        // Found by the fuzzer (tests/fuzz): the last `q` was blank, so the page searched
        // nothing, but its links carried the first `q` and so searched something else.
        let p = parse_ok("q=eenzaam&free=ja&q=+++&free=&area=GM0344&area=WK034403");
        assert_eq!(p.text, "eenzaam");
        assert!(p.request.free_only);
        assert_eq!(p.area.as_ref().unwrap().code, "WK034403");
        assert_eq!(
            p.query_for_page(1),
            "q=eenzaam&free=ja&area=WK034403&page=1"
        );
        let p = parse_ok("q=a&q=b&day=di&day=wo&page=3&page=2");
        assert_eq!(
            (p.text.as_str(), p.days.as_slice(), p.page),
            ("b", &[2, 3][..], 2)
        );
        assert_eq!(p.pairs.iter().filter(|(k, _)| k == "q").count(), 1);
    }

    #[test]
    fn errors_name_the_parameter() {
        for (q, param) in [
            ("area=XX", "area"),
            ("postcode=1", "postcode"),
            ("day=8", "day"),
            ("dagdeel=nacht", "dagdeel"),
            ("free=misschien", "free"),
            ("access=soms", "access"),
            ("lat=52", "lat"),
            ("sort=random", "sort"),
        ] {
            match parse_err(q) {
                AppError::BadRequest { param: Some(p), .. } => assert_eq!(p, param, "{q}"),
                other => panic!("{q}: {other:?}"),
            }
        }
    }
}
