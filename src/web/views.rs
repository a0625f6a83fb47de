//! Small view models shared by several pages.

use crate::catalog::Found;
use crate::config::Region;
use crate::domain::vocabulary::CATEGORY_TAXONOMY;
use crate::domain::{Cost, ServiceSummary, Vocabulary};
use crate::geo::{Geography, Level};

/// The neighbourhood picker: the region's gemeenten (its main city first, then by name), each
/// with its wijken and, where we have them, their buurten.
pub struct AreaOptions {
    /// "Hele regio Utrecht": the empty choice, which searches everything.
    pub whole_region: String,
    pub groups: Vec<AreaGroup>,
}

pub struct AreaGroup {
    pub label: String,
    pub options: Vec<AreaOption>,
}

pub struct AreaOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

impl AreaOptions {
    pub fn new(geo: &Geography, region: &Region, selected: Option<&str>) -> Self {
        let mut groups = Vec::new();
        let mut gemeenten = geo.gemeenten_in(&region.gemeenten);
        // The region's first gemeente first: most of its residents and offers are there.
        let first = gemeenten.first().map(|g| g.code.clone());
        gemeenten.sort_by_key(|g| (Some(&g.code) != first.as_ref(), g.name.clone()));
        let mut listed = false;
        for g in gemeenten {
            let mut options = vec![AreaOption {
                code: g.code.clone(),
                label: format!("Heel {}", g.name),
                selected: selected == Some(g.code.as_str()),
            }];
            for w in geo.children(&g.code) {
                options.push(AreaOption {
                    code: w.code.clone(),
                    label: w.name.clone(),
                    selected: selected == Some(w.code.as_str()),
                });
                for b in geo.children(&w.code) {
                    options.push(AreaOption {
                        code: b.code.clone(),
                        label: format!("— {}", b.name),
                        selected: selected == Some(b.code.as_str()),
                    });
                }
            }
            listed |= options.iter().any(|o| o.selected);
            groups.push(AreaGroup {
                label: g.name.clone(),
                options,
            });
        }
        // A link can name an area outside the region; keep it chosen rather than silently
        // switching the form to the whole region.
        if let Some(n) = selected.and_then(|code| geo.get(code)).filter(|_| !listed) {
            groups.insert(
                0,
                AreaGroup {
                    label: "Gekozen".into(),
                    options: vec![AreaOption {
                        code: n.code.clone(),
                        label: n.name.clone(),
                        selected: true,
                    }],
                },
            );
        }
        Self {
            whole_region: format!("Hele regio {}", region.label),
            groups,
        }
    }
}

pub struct CategoryTile {
    pub code: String,
    pub name: String,
    pub href: String,
}

impl CategoryTile {
    pub fn all(vocabulary: &Vocabulary) -> Vec<Self> {
        vocabulary
            .top_categories()
            .map(|t| CategoryTile {
                code: t.code.clone(),
                name: t.name.clone(),
                href: format!("/zoeken?category={}", t.code),
            })
            .collect()
    }
}

/// "350 m" or "2,4 km", the way Dutch people write it.
pub fn format_distance(metres: f64) -> String {
    if metres < 950.0 {
        format!("{} m", ((metres / 50.0).round() * 50.0).max(50.0) as u32)
    } else {
        format!("{:.1} km", metres / 1000.0).replace('.', ",")
    }
}

/// "€ 2,50".
pub fn format_euro(amount: f64) -> String {
    format!("€ {amount:.2}").replace('.', ",")
}

/// A Dutch date like "14 september 2026".
pub fn format_date(date: time::Date) -> String {
    const MONTHS: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[usize::from(u8::from(date.month())) - 1],
        date.year()
    )
}

/// One result in a list.
pub struct ResultCard {
    pub href: String,
    pub name: String,
    pub organization: String,
    pub categories: Vec<String>,
    pub place: Option<String>,
    pub distance: Option<String>,
    pub when: Vec<String>,
    pub cost: String,
    pub access: String,
    pub needs_referral: bool,
    pub welzijn_op_recept: bool,
    pub informal: bool,
    pub snippet: Vec<crate::search::SnippetPart>,
}

impl ResultCard {
    pub fn new(found: &Found, geo: &Geography, vocabulary: &Vocabulary) -> Self {
        let s = &found.summary;
        Self {
            href: format!("/aanbod/{}", s.id),
            name: s.name.clone(),
            organization: s.organization_name.clone(),
            categories: top_category_names(&s.categories, vocabulary),
            place: place_summary(s, geo),
            distance: found.distance_m.map(format_distance),
            when: s
                .schedules
                .iter()
                .map(|sc| sc.summary())
                .filter(|t| !t.is_empty())
                .take(2)
                .collect(),
            cost: cost_summary(&s.cost),
            access: s.access_route.label().to_string(),
            needs_referral: s.access_route != crate::domain::AccessRoute::Open,
            welzijn_op_recept: s.welzijn_op_recept,
            informal: s.formality == crate::domain::Formality::Informal,
            snippet: found.snippet.clone(),
        }
    }
}

/// The top-level category names of these category codes, each once.
pub fn top_category_names(categories: &[String], vocabulary: &Vocabulary) -> Vec<String> {
    let mut names: Vec<String> = categories
        .iter()
        .filter_map(|c| {
            vocabulary
                .with_ancestors(CATEGORY_TAXONOMY, c)
                .first()
                .map(|t| t.name.clone())
        })
        .collect();
    names.dedup();
    names
}

pub fn cost_summary(c: &Cost) -> String {
    match (&c.description, c.amount) {
        (Some(d), _) => d.clone(),
        (None, Some(a)) => format!("{} ({})", c.kind.label(), format_euro(a)),
        (None, None) => c.kind.label().to_string(),
    }
}

/// "Buurthuis De Boog, Overvecht" or "Werkt in heel Overvecht".
pub fn place_summary(s: &ServiceSummary, geo: &Geography) -> Option<String> {
    if let Some(loc) = s.locations.first() {
        let area = loc
            .placement
            .wijk
            .as_deref()
            .and_then(|c| geo.get(c))
            .map(|n| n.name.clone());
        let name = loc.name.clone().or_else(|| loc.address_1.clone());
        return match (name, area) {
            (Some(n), Some(a)) => Some(format!("{n}, {a}")),
            (Some(n), None) => Some(n),
            (None, a) => a,
        };
    }
    let areas: Vec<String> = s
        .service_area_codes
        .iter()
        .filter_map(|c| geo.get(c))
        .map(|n| match n.level {
            Level::Gemeente => format!("heel {}", n.name),
            _ => n.name.clone(),
        })
        .collect();
    (!areas.is_empty()).then(|| format!("Werkt in {}", areas.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_money_read_the_dutch_way() {
        assert_eq!(format_distance(12.0), "50 m");
        assert_eq!(format_distance(349.0), "350 m");
        assert_eq!(format_distance(2440.0), "2,4 km");
        assert_eq!(format_euro(2.5), "€ 2,50");
        assert_eq!(
            format_date(time::macros::date!(2026 - 09 - 14)),
            "14 september 2026"
        );
    }
}
