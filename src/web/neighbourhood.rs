//! Neighbourhood pages: what is on offer in e.g. Overvecht, by category, with its buurten.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use super::views::ResultCard;
use crate::catalog::Catalog;
use crate::error::AppError;
use crate::geo::Level;

pub struct Link {
    pub label: String,
    pub href: String,
}

pub struct CategoryCount {
    pub name: String,
    pub count: u64,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "neighbourhood.html")]
pub struct NeighbourhoodPage {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parents: Vec<Link>,
    pub children_title: String,
    pub children: Vec<Link>,
    pub total: usize,
    pub search_href: String,
    pub categories: Vec<CategoryCount>,
    pub missing: Vec<String>,
    pub recent: Vec<ResultCard>,
    pub outline_svg: Option<String>,
    /// "Deze week in …": the next seven days, shortened.
    pub this_week: Vec<super::agenda::AgendaDay>,
    pub this_week_more: usize,
    pub agenda_href: String,
}

/// Lines of "Deze week in …" on a neighbourhood page; the agenda page has the rest.
const THIS_WEEK_LINES: usize = 8;

pub async fn page(
    State(catalog): State<Catalog>,
    Path(code): Path<String>,
) -> Result<NeighbourhoodPage, AppError> {
    let geo = &catalog.geo;
    let n = geo
        .parse_code(&code)
        .map_err(|e| AppError::bad_param("code", e.to_string()))?;
    let parsed = crate::query::parse_pairs(
        vec![
            ("area".into(), n.code.clone()),
            ("per_page".into(), "6".into()),
        ],
        geo,
        &catalog.vocabulary,
    )?;
    let found = catalog.search(&parsed).await?;
    let categories: Vec<CategoryCount> = catalog
        .vocabulary
        .top_categories()
        .map(|t| CategoryCount {
            name: t.name.clone(),
            count: found
                .facets
                .categories
                .iter()
                .find(|f| f.code == t.code)
                .map_or(0, |f| f.count),
            href: format!("/zoeken?area={}&category={}", n.code, t.code),
        })
        .collect();
    // Blank spots (witte vlekken): themes with no offer at all in this area.
    let missing = categories
        .iter()
        .filter(|c| c.count == 0)
        .map(|c| c.name.clone())
        .collect();
    let (this_week, this_week_more) =
        super::agenda::coming_week(&catalog, &n.code, THIS_WEEK_LINES).await?;
    let children_title = match n.level {
        Level::Gemeente => "Wijken",
        Level::Wijk => "Buurten",
        Level::Buurt => "",
    }
    .to_string();
    Ok(NeighbourhoodPage {
        code: n.code.clone(),
        name: n.name.clone(),
        level: n.level.label().to_string(),
        parents: geo
            .ancestors(&n.code)
            .into_iter()
            .rev()
            .map(|p| Link {
                label: p.name.clone(),
                href: format!("/wijk/{}", p.code),
            })
            .collect(),
        children_title,
        children: geo
            .children(&n.code)
            .into_iter()
            .map(|c| Link {
                label: c.name.clone(),
                href: format!("/wijk/{}", c.code),
            })
            .collect(),
        total: found.total,
        search_href: format!("/zoeken?area={}", n.code),
        categories,
        missing,
        recent: found
            .hits
            .iter()
            .map(|h| ResultCard::new(h, geo, &catalog.vocabulary, catalog.freshness))
            .collect(),
        outline_svg: geo.svg_outline(&n.code, 320, 240),
        this_week,
        this_week_more,
        agenda_href: format!("/wijk/{}/agenda", n.code),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "neighbourhoods.html")]
pub struct NeighbourhoodIndex {
    pub gemeenten: Vec<(Link, Vec<Link>)>,
    /// The region's gemeenten on one small map.
    pub map_svg: Option<String>,
}

pub async fn index(
    State(catalog): State<Catalog>,
    State(config): State<std::sync::Arc<crate::config::Config>>,
) -> NeighbourhoodIndex {
    let geo = &catalog.geo;
    // The region's gemeenten, its main city first.
    let mut gemeenten = geo.gemeenten_in(&config.region.gemeenten);
    let first = gemeenten.first().map(|g| g.code.clone());
    gemeenten.sort_by_key(|g| (Some(&g.code) != first.as_ref(), g.name.clone()));
    let region = &config.region;
    NeighbourhoodIndex {
        map_svg: geo.svg_region(&region.label, &region.gemeenten, 320, 240),
        gemeenten: gemeenten
            .into_iter()
            .map(|g| {
                (
                    Link {
                        label: g.name.clone(),
                        href: format!("/wijk/{}", g.code),
                    },
                    geo.children(&g.code)
                        .into_iter()
                        .map(|w| Link {
                            label: w.name.clone(),
                            href: format!("/wijk/{}", w.code),
                        })
                        .collect(),
                )
            })
            .collect(),
    }
}
