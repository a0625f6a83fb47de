//! The results page: the search form again, removable filters, facet counts, results.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};

use super::views::{AreaOptions, ResultCard};
use crate::catalog::{Catalog, FoundPage};
use crate::domain::{AccessRoute, CostKind};
use crate::error::AppError;
use crate::query::{self, ParsedSearch};
use crate::search::FacetCount;

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

#[derive(Template, WebTemplate)]
#[template(path = "results.html")]
pub struct ResultsPage {
    pub text: String,
    pub postcode: String,
    pub radius_km: String,
    pub areas: AreaOptions,
    pub total: usize,
    pub heading: String,
    pub understood: Vec<String>,
    /// Words were typed but none could be searched (only punctuation or very common words).
    pub no_searchable_words: bool,
    pub filters: Vec<ActiveFilter>,
    pub facets: Vec<FacetGroup>,
    pub cards: Vec<ResultCard>,
    pub suggestions: Vec<Suggestion>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub page: usize,
    pub pages: usize,
    pub sort_links: Vec<FacetItem>,
}

fn href(query: String) -> String {
    if query.is_empty() {
        "/zoeken".to_string()
    } else {
        format!("/zoeken?{query}")
    }
}

pub async fn results(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<crate::config::Config>>,
    RawQuery(raw): RawQuery,
) -> Result<ResultsPage, AppError> {
    let raw = raw.unwrap_or_default();
    let parsed = query::parse(&raw, &catalog.geo, &catalog.vocabulary)?;
    let found = catalog.search(&parsed).await?;
    Ok(build(&catalog, &config.region, &parsed, &found))
}

fn build(
    catalog: &Catalog,
    region: &crate::config::Region,
    parsed: &ParsedSearch,
    found: &FoundPage,
) -> ResultsPage {
    let geo = &catalog.geo;
    let vocab = &catalog.vocabulary;
    let mut filters = Vec::new();
    let mut remove = |label: String, key: &str, value: Option<&str>| {
        filters.push(ActiveFilter {
            label,
            remove_href: href(parsed.query_without(&[(key, value)])),
        });
    };
    if !parsed.text.is_empty() {
        remove(format!("Zoekwoorden: {}", parsed.text), "q", None);
    }
    if let Some(area) = &parsed.area {
        remove(
            format!("{}: {}", area.level.label(), area.name),
            "area",
            None,
        );
    }
    if let Some(origin) = &parsed.origin {
        remove(format!("Vanaf {}", origin.label), "postcode", None);
    }
    if let Some(r) = parsed.radius_km {
        remove(format!("Binnen {r} km"), "radius_km", None);
    }
    for c in &parsed.request.categories {
        if let Some(t) = vocab.category(c) {
            remove(format!("Categorie: {}", t.name), "category", Some(c));
        }
    }
    for c in &parsed.request.target_groups {
        if let Some(t) = vocab.target_group(c) {
            remove(format!("Voor: {}", t.name), "target_group", Some(c));
        }
    }
    if parsed.request.free_only {
        remove("Gratis".into(), "free", None);
    }
    if let Some(a) = &parsed.request.access {
        let label = match a {
            crate::search::AccessFilter::OpenToAll => "Zonder verwijzing",
            crate::search::AccessFilter::NeedsReferral => "Met verwijzing",
        };
        remove(label.into(), "access", None);
    }
    if parsed.request.welzijn_op_recept == Some(true) {
        remove("Welzijn op Recept".into(), "wor", None);
    }
    for d in &parsed.request.days {
        let name = crate::domain::WEEKDAYS_NL[usize::from(d - 1)];
        // The chip removes the value as it was sent (`di`, `2`, `dinsdag` …).
        let sent = parsed
            .pairs
            .iter()
            .find(|(k, v)| k == "day" && crate::domain::parse_weekday(v) == Some(*d))
            .map(|(_, v)| v.clone());
        remove(format!("Op {name}"), "day", sent.as_deref());
    }
    for code in &parsed.request.languages {
        let sent = parsed
            .pairs
            .iter()
            .find(|(k, v)| k == "language" && crate::domain::parse_language(v) == Some(code))
            .map(|(_, v)| v.clone());
        remove(
            format!("In het {}", crate::domain::language_label(code)),
            "language",
            sent.as_deref(),
        );
    }
    if let Some(a) = parsed.request.age {
        remove(format!("Leeftijd {a}"), "age", None);
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
    for item in &mut facets[3].items {
        let open = item.label == AccessRoute::Open.label();
        item.href = add("access", if open { "open" } else { "referral" });
    }
    facets[4]
        .items
        .retain(|i| i.label == CostKind::Free.label());
    for item in &mut facets[4].items {
        item.href = add("free", "ja");
    }
    facets.retain(|g| !g.items.is_empty());

    let cards: Vec<ResultCard> = found
        .hits
        .iter()
        .map(|h| ResultCard::new(h, geo, vocab))
        .collect();
    let pages = found.total.div_ceil(parsed.per_page).max(1);
    let prev_href = (parsed.page > 1).then(|| href(parsed.query_for_page(parsed.page - 1)));
    let next_href = (parsed.page < pages).then(|| href(parsed.query_for_page(parsed.page + 1)));

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
                ("relevance", crate::search::SortOrder::Relevance)
                    | ("name", crate::search::SortOrder::Name)
                    | ("distance", crate::search::SortOrder::Distance)
            ),
        })
        .collect();

    ResultsPage {
        text: parsed.text.clone(),
        postcode: parsed
            .pairs
            .iter()
            .find(|(k, _)| k == "postcode")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        radius_km: parsed.radius_km.map(|r| r.to_string()).unwrap_or_default(),
        areas: AreaOptions::new(geo, region, parsed.area.as_ref().map(|a| a.code.as_str())),
        total: found.total,
        heading,
        understood: understood(catalog, found),
        no_searchable_words: found.interpreted.no_searchable_words,
        filters,
        facets,
        cards,
        suggestions,
        prev_href,
        next_href,
        page: parsed.page,
        pages,
        sort_links,
    }
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
