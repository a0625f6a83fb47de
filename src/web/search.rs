//! The results page: the search form again (with a filter panel that opens on a phone),
//! removable filters, facet counts, numbered pages, results — and, when nothing fits, the
//! buurtteam or intake that serves the area. A wrong value never leads to a bare error page:
//! the form comes back as typed, with the message next to the field.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::views::{AreaOptions, PageLink, ResultCard, SearchForm, page_numbers};
use crate::catalog::{Catalog, FoundPage};
use crate::config::Region;
use crate::domain::{AccessRoute, CostKind, WEEKDAYS_NL, parse_weekday};
use crate::error::AppError;
use crate::geo::Level;
use crate::query::{self, Dagdeel, FieldError, ParsedSearch};
use crate::search::{FacetCount, SearchRequest, SortOrder};

pub struct ActiveFilter {
    pub label: String,
    pub remove_href: String,
}

pub struct FacetItem {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub active: bool,
}

pub struct FacetGroup {
    pub title: &'static str,
    pub items: Vec<FacetItem>,
}

pub struct Suggestion {
    pub label: String,
    pub href: String,
}

/// Which words a relaxed search used and which it left out.
pub struct RelaxedNote {
    pub used: String,
    pub dropped: String,
}

/// A buurtteam or intake desk shown when nothing was found.
pub struct IntakeCard {
    pub name: String,
    pub organization: String,
    pub href: String,
    pub phone: Option<String>,
    pub place: Option<String>,
}

/// A message about a parameter that has no field of its own (a link from an old bookmark).
pub struct PageError {
    pub message: String,
    /// The id of the field it belongs to, when the form has one.
    pub field_id: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "results.html")]
pub struct ResultsPage {
    pub form: SearchForm,
    pub areas: AreaOptions,
    pub errors: Vec<PageError>,
    pub total: usize,
    pub heading: String,
    pub understood: Vec<String>,
    /// Words were typed but none could be searched (only punctuation or very common words).
    pub no_searchable_words: bool,
    /// "We zochten met: … Weggelaten: …" when all words together found nothing.
    pub relaxed: Option<RelaxedNote>,
    /// "Bedoelde u …?" when nothing matched and a better spelling exists.
    pub did_you_mean: Option<Suggestion>,
    /// Words also searched for through typo tolerance ("eenzaamheid").
    pub corrections: Vec<String>,
    /// "We zochten van 6 tot 24 uur" when the ticked parts of the day leave a gap.
    pub time_note: Option<String>,
    pub filters: Vec<ActiveFilter>,
    /// The filter panel starts open only when something in it is wrong.
    pub filters_open: bool,
    pub facets: Vec<FacetGroup>,
    pub cards: Vec<ResultCard>,
    pub suggestions: Vec<Suggestion>,
    /// The buurtteam or intake of the area, when nothing was found.
    pub intake: Vec<IntakeCard>,
    pub intake_area: Option<String>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub page_links: Vec<PageLink>,
    pub pages: usize,
    /// "resultaat 1–20 van 83".
    pub range: String,
    /// The link to the last page, when the page asked for lies beyond it.
    pub last_page_href: Option<String>,
    pub sort_links: Vec<FacetItem>,
    /// "Verberg tijdelijk gesloten aanbod", when this page shows some.
    pub hide_closed_href: Option<String>,
}

fn href(query: String) -> String {
    if query.is_empty() {
        "/zoeken".to_string()
    } else {
        format!("/zoeken?{query}")
    }
}

/// The form field a parameter's message belongs to.
fn field_of(param: &str) -> Option<&'static str> {
    match param {
        "q" => Some("q"),
        "postcode" | "lat" | "lon" => Some("postcode"),
        "area" => Some("area"),
        "radius_km" => Some("radius_km"),
        "day" => Some("day"),
        "dagdeel" => Some("dagdeel"),
        _ => None,
    }
}

pub async fn results(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<crate::config::Config>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let raw = raw.unwrap_or_default();
    let typed: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let (parsed, errors) = query::parse_forgiving(&raw, &catalog.geo, &catalog.vocabulary)?;
    if !errors.is_empty() {
        let page = form_again(&catalog, &config.region, &parsed, &typed, errors);
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    let mut found = catalog.search(&parsed).await?;
    let pages = found.total.div_ceil(parsed.per_page).max(1);
    if parsed.page > pages {
        // Nothing to show on this page; the counts and facets of the search still hold.
        found.hits.clear();
    }
    let intake = if found.total == 0 {
        intake_for(&catalog, &parsed).await?
    } else {
        (None, Vec::new())
    };
    Ok(build(&catalog, &config.region, &parsed, &typed, &found, intake).into_response())
}

/// After a mistake: the form as typed, each message next to its field, no results (status 400).
fn form_again(
    catalog: &Catalog,
    region: &Region,
    parsed: &ParsedSearch,
    typed: &[(String, String)],
    errors: Vec<FieldError>,
) -> ResultsPage {
    let page_errors = errors
        .iter()
        .map(|e| PageError {
            message: e.message.clone(),
            field_id: field_of(&e.param).map(|f| {
                if matches!(f, "day" | "dagdeel") {
                    format!("{f}-groep")
                } else {
                    f.to_string()
                }
            }),
        })
        .collect();
    let form = SearchForm::for_search(
        parsed,
        typed,
        errors
            .into_iter()
            .map(|e| FieldError {
                param: field_of(&e.param).unwrap_or("").to_string(),
                message: e.message,
            })
            .collect(),
    );
    ResultsPage {
        form,
        areas: area_options(catalog, region, parsed),
        errors: page_errors,
        total: 0,
        heading: "Controleer wat u invulde".into(),
        understood: Vec::new(),
        no_searchable_words: false,
        relaxed: None,
        did_you_mean: None,
        corrections: Vec::new(),
        time_note: None,
        filters: Vec::new(),
        filters_open: true,
        facets: Vec::new(),
        cards: Vec::new(),
        suggestions: Vec::new(),
        intake: Vec::new(),
        intake_area: None,
        prev_href: None,
        next_href: None,
        page_links: Vec::new(),
        pages: 1,
        range: String::new(),
        last_page_href: None,
        sort_links: Vec::new(),
        hide_closed_href: None,
    }
}

/// The buurtteam that serves the searched area (or the postcode's wijk), else the gemeente's
/// Wmo-loket; without any place, the region's Wmo-loketten. At most two.
async fn intake_for(
    catalog: &Catalog,
    parsed: &ParsedSearch,
) -> Result<(Option<String>, Vec<IntakeCard>), AppError> {
    let geo = &catalog.geo;
    // The wijk (or buurt, or gemeente) to look in: the one chosen, else the postcode's wijk.
    let area = parsed.area.as_ref().map(|a| a.code.clone()).or_else(|| {
        let codes = &parsed.origin.as_ref()?.covering_codes;
        codes
            .iter()
            .find(|c| geo.get(c).is_some_and(|n| n.level == Level::Wijk))
            .or_else(|| codes.first())
            .cloned()
    });
    let gemeente = area.as_deref().and_then(|code| {
        geo.ancestors(code)
            .last()
            .map(|g| g.code.clone())
            .or_else(|| Some(code.to_string()))
    });
    let attempts = [
        ("toegang/buurtteam", area.clone()),
        ("toegang/wmo-loket", gemeente.clone().or(area.clone())),
        ("toegang/wmo-loket", None),
    ];
    for (category, area_code) in attempts {
        let request = SearchRequest {
            categories: vec![category.to_string()],
            area_code: area_code.clone(),
            near: parsed.request.near.clone(),
            sort: if parsed.request.near.is_some() {
                SortOrder::Distance
            } else {
                SortOrder::Name
            },
            limit: 2,
            ..SearchRequest::default()
        };
        let found = catalog.search_request(request).await?;
        if found.hits.is_empty() {
            continue;
        }
        let cards = found
            .hits
            .iter()
            .map(|h| IntakeCard {
                name: h.summary.name.clone(),
                organization: h.summary.organization_name.clone(),
                href: format!("/aanbod/{}", h.summary.id),
                phone: h.summary.phone.clone(),
                place: super::views::place_summary(&h.summary, geo),
            })
            .collect();
        let area_name = area_code.and_then(|c| geo.get(&c).map(|n| n.name.clone()));
        return Ok((area_name, cards));
    }
    Ok((None, Vec::new()))
}

fn build(
    catalog: &Catalog,
    region: &Region,
    parsed: &ParsedSearch,
    typed: &[(String, String)],
    found: &FoundPage,
    (intake_area, intake): (Option<String>, Vec<IntakeCard>),
) -> ResultsPage {
    let geo = &catalog.geo;
    let vocab = &catalog.vocabulary;
    let mut filters = Vec::new();
    let mut remove = |label: String, query: String| {
        filters.push(ActiveFilter {
            label,
            remove_href: href(query),
        });
    };
    if !parsed.text.is_empty() {
        remove(
            format!("Zoekwoorden: {}", parsed.text),
            parsed.query_without(&[("q", None)]),
        );
    }
    if let Some(area) = &parsed.area {
        remove(
            format!("{}: {}", area.level.label(), area.name),
            parsed.query_without(&[("area", None)]),
        );
    }
    if let Some(origin) = &parsed.origin {
        // The radius and the distance sort need the origin: they go with it.
        remove(
            format!("Vanaf {}", origin.label),
            parsed.query_without_origin(),
        );
    }
    if let Some(r) = parsed.radius_km {
        remove(
            format!("Binnen {r} km"),
            parsed.query_without(&[("radius_km", None)]),
        );
    }
    for c in &parsed.request.categories {
        if let Some(t) = vocab.category(c) {
            remove(
                format!("Categorie: {}", t.name),
                parsed.query_without(&[("category", Some(c))]),
            );
        }
    }
    for c in &parsed.request.target_groups {
        if let Some(t) = vocab.target_group(c) {
            remove(
                format!("Voor: {}", t.name),
                parsed.query_without(&[("target_group", Some(c))]),
            );
        }
    }
    if parsed.request.free_only {
        remove("Gratis".into(), parsed.query_without(&[("free", None)]));
    }
    if let Some(a) = &parsed.request.access {
        let label = match a {
            crate::search::AccessFilter::OpenToAll => "Zonder verwijzing",
            crate::search::AccessFilter::NeedsReferral => "Met verwijzing",
        };
        remove(label.into(), parsed.query_without(&[("access", None)]));
    }
    if parsed.request.hide_temporarily_closed {
        remove(
            "Zonder tijdelijk gesloten".into(),
            parsed.query_without(&[("hide_closed", None)]),
        );
    }
    if parsed.request.welzijn_op_recept == Some(true) {
        remove(
            "Welzijn op Recept".into(),
            parsed.query_without(&[("wor", None)]),
        );
    }
    for &d in &parsed.days {
        // However the day was written (di, 2, TU), each spelling of it goes.
        remove(
            format!("Op {}", WEEKDAYS_NL[usize::from(d - 1)]),
            parsed.query_without_matching(|k, v| k == "day" && parse_weekday(v) == Some(d)),
        );
    }
    for &part in &parsed.dagdelen {
        remove(
            format!("In de {}", part.label()),
            parsed.query_without_matching(|k, v| k == "dagdeel" && Dagdeel::parse(v) == Some(part)),
        );
    }
    for code in &parsed.request.languages {
        // However the language was written (ar, Arabisch), each spelling of it goes.
        remove(
            format!("In het {}", crate::domain::language_label(code)),
            parsed.query_without_matching(|k, v| {
                k == "language" && crate::domain::parse_language(v) == Some(code.as_str())
            }),
        );
    }
    if let Some(a) = parsed.request.age {
        remove(
            format!("Leeftijd {a}"),
            parsed.query_without(&[("age", None)]),
        );
    }

    let add = |key: &str, value: &str| {
        let mut q = parsed.query_without(&[(key, None)]);
        if !q.is_empty() {
            q.push('&');
        }
        q.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .append_pair(key, value)
                .finish(),
        );
        href(q)
    };
    let group = |title: &'static str,
                 counts: &[FacetCount],
                 key: &str,
                 label: &dyn Fn(&str) -> Option<String>,
                 active: &dyn Fn(&str) -> bool| FacetGroup {
        title,
        items: counts
            .iter()
            .filter_map(|fc| {
                label(&fc.code).map(|l| FacetItem {
                    label: l,
                    count: fc.count,
                    href: add(key, &fc.code),
                    active: active(&fc.code),
                })
            })
            .collect(),
    };
    let f = &found.facets;
    let mut facets = vec![
        group(
            "Onderwerp",
            &f.categories,
            "category",
            &|c| {
                vocab
                    .category(c)
                    .filter(|t| t.is_top_level())
                    .map(|t| t.name.clone())
            },
            &|c| parsed.request.categories.iter().any(|x| x == c),
        ),
        group(
            "Wijk",
            &f.wijken,
            "area",
            &|c| geo.get(c).map(|n| n.name.clone()),
            &|c| parsed.area.as_ref().is_some_and(|a| a.code == c),
        ),
        group(
            "Voor wie",
            &f.target_groups,
            "target_group",
            &|c| vocab.target_group(c).map(|t| t.name.clone()),
            &|c| parsed.request.target_groups.iter().any(|x| x == c),
        ),
        group(
            "Taal",
            &f.languages,
            "language",
            &|c| crate::domain::language_name(c).map(str::to_string),
            &|c| parsed.request.languages.iter().any(|x| x == c),
        ),
        group(
            "Toegang",
            &f.access_routes,
            "access",
            &|c| c.parse::<AccessRoute>().ok().map(|a| a.label().to_string()),
            &|_| false,
        ),
        group(
            "Kosten",
            &f.costs,
            "free",
            &|c| c.parse::<CostKind>().ok().map(|k| k.label().to_string()),
            &|_| false,
        ),
    ];
    // Access routes filter as open / needs referral; costs as free or not. Show the facet
    // counts as they are but link to the filters that exist.
    for item in &mut facets[4].items {
        let open = item.label == AccessRoute::Open.label();
        item.href = add("access", if open { "open" } else { "referral" });
    }
    facets[5]
        .items
        .retain(|i| i.label == CostKind::Free.label());
    for item in &mut facets[5].items {
        item.href = add("free", "ja");
    }
    facets.retain(|g| !g.items.is_empty());

    let cards: Vec<ResultCard> = found
        .hits
        .iter()
        .map(|h| ResultCard::for_days(h, geo, vocab, catalog.freshness, &parsed.days))
        .collect();
    let hide_closed_href = cards
        .iter()
        .any(|card| card.closed.is_some())
        .then(|| add("hide_closed", "ja"));
    let pages = found.total.div_ceil(parsed.per_page).max(1);
    let beyond = parsed.page > pages;
    let last_page_href = (beyond && found.total > 0).then(|| href(parsed.query_for_page(pages)));
    let prev_href =
        (parsed.page > 1 && !beyond).then(|| href(parsed.query_for_page(parsed.page - 1)));
    let next_href = (parsed.page < pages).then(|| href(parsed.query_for_page(parsed.page + 1)));
    let page_links = if pages > 1 && !beyond {
        page_numbers(parsed.page, pages)
            .into_iter()
            .map(|n| PageLink {
                number: n,
                href: n
                    .map(|n| href(parsed.query_for_page(n)))
                    .unwrap_or_default(),
                current: n == Some(parsed.page),
            })
            .collect()
    } else {
        Vec::new()
    };
    let range = match (found.total, cards.len()) {
        (0, _) | (_, 0) => String::new(),
        (1, _) => "resultaat 1 van 1".to_string(),
        (total, shown) => {
            let first = (parsed.page - 1) * parsed.per_page + 1;
            format!("resultaat {first}–{} van {total}", first + shown - 1)
        }
    };

    let mut suggestions = Vec::new();
    if found.total == 0 {
        for filter in &filters {
            suggestions.push(Suggestion {
                label: format!("Zonder “{}”", filter.label),
                href: filter.remove_href.clone(),
            });
        }
        if parsed.radius_km.is_some() {
            suggestions.push(Suggestion {
                label: "Zoek verder weg (25 km)".into(),
                href: add("radius_km", "25"),
            });
        }
        suggestions.push(Suggestion {
            label: "Alle onderwerpen bekijken".into(),
            href: "/".into(),
        });
    }

    let heading = match (found.total, parsed.area.as_ref()) {
        (0, _) => "Niets gevonden".to_string(),
        (1, Some(a)) => format!("1 resultaat in {}", a.name),
        (n, Some(a)) => format!("{n} resultaten in {}", a.name),
        (1, None) => "1 resultaat".to_string(),
        (n, None) => format!("{n} resultaten"),
    };
    let mut sort_links = vec![("relevance", "Beste match"), ("name", "Naam")];
    if parsed.origin.is_some() {
        sort_links.push(("distance", "Dichtbij"));
    }
    let current = parsed.request.sort;
    let sort_links = sort_links
        .into_iter()
        .map(|(code, label)| FacetItem {
            label: label.to_string(),
            count: 0,
            href: add("sort", code),
            active: matches!(
                (code, current),
                ("relevance", SortOrder::Relevance)
                    | ("name", SortOrder::Name)
                    | ("distance", SortOrder::Distance)
            ),
        })
        .collect();
    let time_note = query::dagdelen_have_gap(&parsed.dagdelen).then(|| {
        let (from, to) = query::dagdeel_window(&parsed.dagdelen).unwrap_or((0, 0));
        format!(
            "U koos dagdelen met een pauze ertussen. We zochten van {} tot {} uur, dus ook ertussen.",
            from / 60,
            to / 60
        )
    });
    let interpreted = &found.interpreted;
    let quoted = |words: &[String]| {
        words
            .iter()
            .map(|w| format!("“{w}”"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let relaxed = interpreted
        .relaxed
        .as_ref()
        .filter(|r| !r.dropped.is_empty())
        .map(|r| RelaxedNote {
            used: quoted(&r.used),
            dropped: quoted(&r.dropped),
        });
    let did_you_mean = interpreted.did_you_mean.as_ref().map(|text| {
        let query = parsed.query_without(&[("q", None)]);
        let mut q = form_urlencoded::Serializer::new(query);
        q.append_pair("q", text);
        Suggestion {
            label: text.clone(),
            href: href(q.finish()),
        }
    });
    let mut corrections: Vec<String> = interpreted
        .corrections
        .iter()
        .map(|c| c.found.clone())
        .collect();
    corrections.dedup();
    // Closed on the results (the chips show what is chosen, and on a phone the results would
    // start a screen lower); open after a mistake, when something in it must be changed.
    let filters_open = false;

    ResultsPage {
        form: SearchForm::for_search(parsed, typed, Vec::new()),
        areas: area_options(catalog, region, parsed),
        errors: Vec::new(),
        total: found.total,
        heading,
        understood: understood(catalog, found),
        no_searchable_words: found.interpreted.no_searchable_words,
        relaxed,
        did_you_mean,
        corrections,
        time_note,
        filters,
        filters_open,
        facets,
        cards,
        suggestions,
        intake,
        intake_area,
        prev_href,
        next_href,
        page_links,
        pages,
        range,
        last_page_href,
        sort_links,
        hide_closed_href,
    }
}

fn area_options(catalog: &Catalog, region: &Region, parsed: &ParsedSearch) -> AreaOptions {
    AreaOptions::new(
        &catalog.geo,
        region,
        parsed.area.as_ref().map(|a| a.code.as_str()),
    )
}

/// The categories the search recognised in the words, e.g. "Eenzaamheid & sociaal netwerk".
fn understood(catalog: &Catalog, found: &FoundPage) -> Vec<String> {
    found
        .interpreted
        .suggested_categories()
        .iter()
        .filter_map(|c| catalog.vocabulary.category(c).map(|t| t.name.clone()))
        .collect()
}
