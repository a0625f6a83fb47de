//! Small view models shared by several pages.

use crate::catalog::Found;
use crate::config::Region;
use crate::domain::vocabulary::CATEGORY_TAXONOMY;
use crate::domain::{Cost, ServiceSummary, Vocabulary};
use crate::geo::{Geography, Level};
use crate::query::{Dagdeel, FieldError, ParsedSearch};

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

/// One checkbox of a group ("dinsdag", "ochtend").
pub struct Choice {
    pub id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The search form as the person left it: on the home page empty, on the results page filled
/// with the current search, and after a mistake with exactly what was typed and the messages
/// next to the fields.
pub struct SearchForm {
    pub text: String,
    pub postcode: String,
    pub radius_km: String,
    pub days: Vec<Choice>,
    pub dagdelen: Vec<Choice>,
    /// Active filters that have no field of their own (category, target group, …), sent
    /// along so that new words keep them.
    pub hidden: Vec<(String, String)>,
    pub errors: Vec<FieldError>,
}

/// Parameters the form shows as fields; everything else active travels as a hidden input.
const FORM_FIELDS: [&str; 6] = ["q", "postcode", "area", "radius_km", "day", "dagdeel"];
/// Parameters that would not survive new words or a new postcode: the page (a new search
/// starts at 1), the sort order (the default follows what is asked; "distance" without a
/// postcode would be an error) and the coordinates once a postcode is given.
const NOT_CARRIED: [&str; 3] = ["page", "per_page", "sort"];

impl SearchForm {
    pub fn empty() -> Self {
        Self {
            text: String::new(),
            postcode: String::new(),
            radius_km: String::new(),
            days: day_choices(&[]),
            dagdelen: dagdeel_choices(&[]),
            hidden: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The form for a search; `typed` are the parameters as sent (so that a wrong value is
    /// shown again as typed, not as the nearest valid one).
    pub fn for_search(
        parsed: &ParsedSearch,
        typed: &[(String, String)],
        errors: Vec<FieldError>,
    ) -> Self {
        let typed_value = |key: &str| {
            typed
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let has_postcode = !typed_value("postcode").is_empty();
        let hidden = parsed
            .pairs
            .iter()
            .filter(|(k, _)| {
                let k = k.as_str();
                let shown = FORM_FIELDS.contains(&k);
                let replaced = has_postcode && matches!(k, "lat" | "lon");
                !shown && !NOT_CARRIED.contains(&k) && !replaced
            })
            .cloned()
            .collect();
        Self {
            text: typed_value("q"),
            postcode: typed_value("postcode"),
            radius_km: parsed.radius_km.map(|r| r.to_string()).unwrap_or_default(),
            days: day_choices(&parsed.days),
            dagdelen: dagdeel_choices(&parsed.dagdelen),
            hidden,
            errors,
        }
    }

    /// The message for this parameter, if it was wrong.
    pub fn error(&self, param: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.param == param)
            .map(|e| e.message.as_str())
    }

    /// The id of the element that shows the message for `param` (for `aria-describedby`).
    pub fn error_id(&self, param: &str) -> String {
        format!("fout-{param}")
    }
}

fn day_choices(checked: &[u8]) -> Vec<Choice> {
    crate::domain::WEEKDAYS_NL
        .iter()
        .zip(1u8..)
        .map(|(name, day)| Choice {
            id: format!("dag-{day}"),
            value: (*name).to_string(),
            label: (*name).to_string(),
            checked: checked.contains(&day),
        })
        .collect()
}

fn dagdeel_choices(checked: &[Dagdeel]) -> Vec<Choice> {
    Dagdeel::ALL
        .iter()
        .map(|d| Choice {
            id: format!("dagdeel-{}", d.code()),
            value: d.code().to_string(),
            label: d.label().to_string(),
            checked: checked.contains(d),
        })
        .collect()
}

/// One entry of the numbered page list: a page number or a gap ("…").
pub struct PageLink {
    pub number: Option<usize>,
    pub href: String,
    pub current: bool,
}

/// Page numbers to show: the first, the last and two on each side of the current one, with
/// gaps in between ("1 … 4 5 6 7 8 … 20").
pub fn page_numbers(current: usize, pages: usize) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    let mut last_shown = 0;
    for n in 1..=pages {
        let near = n + 2 >= current && n <= current + 2;
        if n == 1 || n == pages || near {
            if n > last_shown + 1 {
                out.push(None);
            }
            out.push(Some(n));
            last_shown = n;
        }
    }
    out
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

/// A `tel:` link for a phone number as people write it ("030 - 700 00 06" → "tel:0307000006").
pub fn tel_href(phone: &str) -> String {
    let digits: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{digits}")
}

/// "€ 2,50".
pub fn format_euro(amount: f64) -> String {
    format!("€ {amount:.2}").replace('.', ",")
}

/// The months in Dutch, January first.
pub const MONTHS_NL: [&str; 12] = [
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

/// The Dutch name of a month ("september").
pub fn month_name(month: time::Month) -> &'static str {
    MONTHS_NL[usize::from(u8::from(month)) - 1]
}

/// A Dutch date like "14 september 2026".
pub fn format_date(date: time::Date) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month()),
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
    /// The service's phone number, else its organisation's.
    pub phone: Option<String>,
    /// The languages it is offered in, by name ("Arabisch").
    pub languages: Vec<String>,
    /// It serves the searched postcode's own buurt or wijk ("werkt in uw wijk").
    pub serves_your_area: bool,
    pub snippet: Vec<crate::search::SnippetPart>,
    /// "3 maart 2026": when it was last checked.
    pub assured: Option<String>,
    /// Not checked within the stale period ("Mogelijk verouderd"), judged today.
    pub stale: bool,
    /// `Some(reason)` when temporarily closed (the reason may be empty).
    pub closed: Option<String>,
}

impl ResultCard {
    pub fn new(
        found: &Found,
        geo: &Geography,
        vocabulary: &Vocabulary,
        freshness: crate::domain::Freshness,
    ) -> Self {
        Self::for_days(found, geo, vocabulary, freshness, &[])
    }

    /// A card whose times show first the schedules that run on one of `days` (the days
    /// searched for), so that "dinsdag" is visible when Tuesday was asked.
    pub fn for_days(
        found: &Found,
        geo: &Geography,
        vocabulary: &Vocabulary,
        freshness: crate::domain::Freshness,
        days: &[u8],
    ) -> Self {
        let s = &found.summary;
        let mut schedules: Vec<&crate::domain::Schedule> = s.schedules.iter().collect();
        schedules.sort_by_key(|sc| !sc.weekdays().iter().any(|d| days.contains(d)));
        Self {
            href: format!("/aanbod/{}", s.id),
            name: s.name.clone(),
            organization: s.organization_name.clone(),
            categories: top_category_names(&s.categories, vocabulary),
            place: place_summary(s, geo),
            distance: found.distance_m.map(format_distance),
            when: schedules
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
            phone: s.phone.clone(),
            // Dutch goes without saying; name the languages only when there is another one.
            languages: if s.languages.iter().all(|code| code == "nl") {
                Vec::new()
            } else {
                s.languages
                    .iter()
                    .map(|code| crate::domain::language_label(code))
                    .collect()
            },
            serves_your_area: found.serves_local,
            snippet: found.snippet.clone(),
            assured: s.assured_date.map(format_date),
            stale: freshness.is_stale(s.assured_date, crate::domain::freshness::today()),
            closed: (s.status == crate::domain::ServiceStatus::TemporarilyClosed)
                .then(|| s.status_reason.clone().unwrap_or_default()),
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
    fn page_numbers_show_the_ends_and_the_neighbourhood_of_the_current_page() {
        let shown = |c, p| {
            page_numbers(c, p)
                .into_iter()
                .map(|n| n.map_or("…".to_string(), |n| n.to_string()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(shown(1, 1), "1");
        assert_eq!(shown(1, 4), "1 2 3 4");
        assert_eq!(shown(6, 20), "1 … 4 5 6 7 8 … 20");
        assert_eq!(shown(1, 20), "1 2 3 … 20");
        assert_eq!(shown(20, 20), "1 … 18 19 20");
        assert_eq!(shown(4, 7), "1 2 3 4 5 6 7");
    }

    #[test]
    fn distances_and_money_read_the_dutch_way() {
        assert_eq!(format_distance(12.0), "50 m");
        assert_eq!(format_distance(349.0), "350 m");
        assert_eq!(format_distance(2440.0), "2,4 km");
        assert_eq!(format_euro(2.5), "€ 2,50");
        assert_eq!(tel_href("030 - 700 00 06"), "tel:0307000006");
        assert_eq!(tel_href("+31 30 700 00 06"), "tel:+31307000006");
        assert_eq!(
            format_date(time::macros::date!(2026 - 09 - 14)),
            "14 september 2026"
        );
    }
}
