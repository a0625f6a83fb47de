//! The search parameters people and programs send, parsed and checked once for both the HTML
//! pages and the JSON API. Every problem names the parameter and says what is allowed.

use crate::domain::{Vocabulary, parse_language, parse_weekday};
use crate::error::AppError;
use crate::geo::{Geography, Level};
use crate::search::{AccessFilter, GeoPoint, Near, OpenWindow, SearchRequest, SortOrder};

pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_PAGE: usize = 500;
pub const MAX_PER_PAGE: usize = 100;
pub const DEFAULT_PER_PAGE: usize = 20;
pub const MAX_RADIUS_KM: f64 = 100.0;

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

fn flag(param: &str, value: &str) -> Result<bool, AppError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "ja" | "yes" => Ok(true),
        "0" | "false" | "off" | "nee" | "no" | "" => Ok(false),
        _ => Err(AppError::bad_param(
            param,
            format!("'{param}' moet ja of nee (true/false) zijn"),
        )),
    }
}

fn number<T: std::str::FromStr>(param: &str, value: &str, what: &str) -> Result<T, AppError> {
    value
        .trim()
        .parse()
        .map_err(|_| AppError::bad_param(param, format!("'{param}' moet {what} zijn")))
}

/// Parses a raw query string.
pub fn parse(
    raw_query: &str,
    geo: &Geography,
    vocabulary: &Vocabulary,
) -> Result<ParsedSearch, AppError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parse_pairs(pairs, geo, vocabulary)
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
/// next to the field, instead of an error page.
pub fn parse_forgiving(
    raw_query: &str,
    geo: &Geography,
    vocabulary: &Vocabulary,
) -> Result<(ParsedSearch, Vec<FieldError>), AppError> {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
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

pub fn parse_pairs(
    pairs: Vec<(String, String)>,
    geo: &Geography,
    vocabulary: &Vocabulary,
) -> Result<ParsedSearch, AppError> {
    let pairs = last_of_single_valued(pairs);
    let mut request = SearchRequest {
        limit: DEFAULT_PER_PAGE,
        ..SearchRequest::default()
    };
    let mut text = String::new();
    let mut area = None;
    let mut origin: Option<Origin> = None;
    let mut radius_km: Option<f64> = None;
    let mut lat: Option<f64> = None;
    let mut lon: Option<f64> = None;
    let mut sort: Option<String> = None;
    let mut days: Vec<u8> = Vec::new();
    let mut dagdelen: Vec<Dagdeel> = Vec::new();
    let mut page = 1usize;
    let mut per_page = DEFAULT_PER_PAGE;
    let mut kept = Vec::new();

    for (key, value) in pairs {
        let v = value.trim();
        let keep = !matches!(key.as_str(), "page" | "per_page");
        match key.as_str() {
            "q" => {
                if v.chars().count() > MAX_QUERY_CHARS {
                    return Err(AppError::bad_param(
                        "q",
                        format!(
                            "De zoekvraag is te lang. Gebruik hoogstens {MAX_QUERY_CHARS} tekens."
                        ),
                    ));
                }
                text = v.to_string();
            }
            "area" if !v.is_empty() => {
                let n = geo
                    .parse_code(v)
                    .map_err(|e| AppError::bad_param(&key, e.to_string()))?;
                area = Some(AreaRef {
                    code: n.code.clone(),
                    name: n.name.clone(),
                    level: n.level,
                });
            }
            "postcode" if !v.is_empty() => {
                let m = geo
                    .postcode(v)
                    .map_err(|e| AppError::bad_param("postcode", e.to_string()))?;
                origin = Some(Origin {
                    label: format!("postcode {}", m.pc4),
                    point: GeoPoint {
                        latitude: m.latitude,
                        longitude: m.longitude,
                    },
                    covering_codes: m.placement.codes().iter().map(|c| c.to_string()).collect(),
                });
            }
            "lat" if !v.is_empty() => {
                lat = Some(number("lat", v, "een breedtegraad tussen -90 en 90")?)
            }
            "lon" if !v.is_empty() => {
                lon = Some(number("lon", v, "een lengtegraad tussen -180 en 180")?)
            }
            "radius_km" if !v.is_empty() => {
                let r: f64 = number(&key, v, "een afstand in kilometers")?;
                if !(r > 0.0 && r <= MAX_RADIUS_KM) {
                    return Err(AppError::bad_param(
                        &key,
                        format!("De afstand moet meer dan 0 en hoogstens {MAX_RADIUS_KM} km zijn."),
                    ));
                }
                radius_km = Some(r);
            }
            "category" if !v.is_empty() => {
                if vocabulary.category(v).is_none() {
                    return Err(AppError::bad_param(&key, "Deze categorie kennen we niet."));
                }
                request.categories.push(v.to_string());
            }
            "target_group" if !v.is_empty() => {
                if vocabulary.target_group(v).is_none() {
                    return Err(AppError::bad_param(&key, "Deze doelgroep kennen we niet."));
                }
                request.target_groups.push(v.to_string());
            }
            "free" => request.free_only = flag(&key, v)?,
            "access" if !v.is_empty() => {
                request.access = Some(match v {
                    "open" => AccessFilter::OpenToAll,
                    "referral" | "verwijzing" => AccessFilter::NeedsReferral,
                    _ => {
                        return Err(AppError::bad_param(
                            &key,
                            "Kies 'open' (voor iedereen) of 'referral' (met verwijzing).",
                        ));
                    }
                })
            }
            "wor" if !v.is_empty() => request.welzijn_op_recept = Some(flag(&key, v)?),
            "day" if !v.is_empty() => days.push(parse_weekday(v).ok_or_else(|| {
                AppError::bad_param(
                    &key,
                    "Kies een dag: maandag t/m zondag (ook: ma, di, … of 1 t/m 7).",
                )
            })?),
            "dagdeel" if !v.is_empty() => dagdelen.push(Dagdeel::parse(v).ok_or_else(|| {
                AppError::bad_param(&key, "Kies een dagdeel: ochtend, middag of avond.")
            })?),
            "language" if !v.is_empty() => {
                let code = parse_language(v).ok_or_else(|| {
                    AppError::bad_param(
                        &key,
                        "Deze taal kennen we niet. Geef de naam (Arabisch) of de code (ar).",
                    )
                })?;
                if !request.languages.iter().any(|l| l == code) {
                    request.languages.push(code.to_string());
                }
            }
            "age" if !v.is_empty() => {
                let age: u8 = number(&key, v, "een leeftijd van 0 tot 120")?;
                if age > 120 {
                    return Err(AppError::bad_param(
                        &key,
                        "'age' moet een leeftijd van 0 tot 120 zijn",
                    ));
                }
                request.age = Some(age);
            }
            "sort" if !v.is_empty() => sort = Some(v.to_string()),
            "page" if !v.is_empty() => {
                page = number("page", v, "een paginanummer vanaf 1")?;
                if page == 0 || page > MAX_PAGE {
                    return Err(AppError::bad_param(
                        "page",
                        format!("'page' moet tussen 1 en {MAX_PAGE} liggen"),
                    ));
                }
            }
            "per_page" if !v.is_empty() => {
                per_page = number("per_page", v, "een getal van 1 tot 100")?;
                if per_page == 0 || per_page > MAX_PER_PAGE {
                    return Err(AppError::bad_param(
                        "per_page",
                        format!("'per_page' moet tussen 1 en {MAX_PER_PAGE} liggen"),
                    ));
                }
            }
            // Unknown parameters are ignored, as browsers and crawlers add their own.
            _ => {}
        }
        if keep && !v.is_empty() {
            kept.push((key, v.to_string()));
        }
    }

    match (lat, lon) {
        (Some(latitude), Some(longitude)) => {
            if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
                return Err(AppError::bad_param("lat", "Deze coördinaten bestaan niet."));
            }
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
        _ => return Err(AppError::bad_param("lat", "Geef zowel 'lat' als 'lon'.")),
    }
    if radius_km.is_some() && origin.is_none() {
        return Err(AppError::bad_param(
            "radius_km",
            "Geef ook een postcode (of lat en lon) om vanaf te meten.",
        ));
    }

    request.sort = match sort.as_deref() {
        None => {
            if !text.is_empty() {
                SortOrder::Relevance
            } else if origin.is_some() {
                SortOrder::Distance
            } else {
                SortOrder::Name
            }
        }
        Some("relevance") => SortOrder::Relevance,
        Some("name") => SortOrder::Name,
        Some("distance") if origin.is_some() => SortOrder::Distance,
        Some("distance") => {
            return Err(AppError::bad_param(
                "sort",
                "Sorteren op afstand kan alleen met een postcode (of lat en lon).",
            ));
        }
        Some(_) => {
            return Err(AppError::bad_param(
                "sort",
                "Kies 'relevance', 'distance' of 'name'.",
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
        pairs: kept,
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
