//! "Wat heeft elke wijk nodig" (issue 14, part 5): for moderators and administrators (the
//! policy's [`Action::ViewNeedsReport`]), per wijk of one gemeente of the region and per
//! top-level category: the offerings in or for the wijk, the referrals of its residents (why,
//! by which route, how many were accepted and completed, how fast the first answer came), the
//! stale listings, and the gaps ("witte vlekken"). Aggregates only, never a person.
//!
//! Suppression ([`crate::domain::suppression`]): every count of referrals (people) is shown
//! through [`suppress`], with complementary suppression over the table's row and column
//! totals; a share or median computed from fewer than [`THRESHOLD`] referrals is "te weinig".
//! Counts of offerings and stale listings are facts about public listings (anyone can count
//! them in the search), not about residents, and are shown as they are: the gap view needs
//! "0" and "1" there.
//!
//! The gap rule ([`gaps`]): a wijk × category is a gap when its count of referrals is shown
//! (so at least [`THRESHOLD`]; a hidden count is never listed, since listing it would tell
//! that it is not zero) and at most [`GAP_MAX_OFFERINGS`] offerings of that category are in or
//! for the wijk. Gaps are sorted by referrals per offering, no offering at all first.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use time::{Date, OffsetDateTime};

use crate::auth::{Action, Actor, Denied, authorize};
use crate::domain::Vocabulary;
use crate::domain::freshness::Freshness;
use crate::domain::suppression::{Shown, SuppressedTable, THRESHOLD, suppress};
use crate::domain::vocabulary::CATEGORY_TAXONOMY;
use crate::geo::{Geography, Level};
use crate::store::{NeedsOfferingRow, NeedsReferralRow, Store, StoreError};

/// A category with at most this many offerings in or for a wijk counts as a gap there.
pub const GAP_MAX_OFFERINGS: u64 = 1;

/// How residents came, in the order of the tables (`referral.route`).
pub const ROUTES: [(&str, &str); 3] = [
    ("zelf", "Zelf aangemeld"),
    ("welzijn", "Via welzijn of buurtteam"),
    ("zorg", "Via de zorg"),
];

/// Statuses that close a referral as done.
const COMPLETED: &str = "completed";

#[derive(Debug, thiserror::Error)]
pub enum NeedsError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// A parameter that does not fit: `field` is the query parameter, `message` for people.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for NeedsError {
    fn from(err: StoreError) -> Self {
        NeedsError::Internal(err.into())
    }
}

/// The report's parameters as given (query string).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NeedsQuery {
    /// CBS gemeente code; the region's first gemeente when empty.
    #[serde(default)]
    pub gemeente: String,
    /// First day of the period (`2026-01-31`), inclusive.
    #[serde(default)]
    pub van: String,
    /// Last day of the period, inclusive.
    #[serde(default)]
    pub tot: String,
}

/// A checked period: referrals made on `from` .. `to` (both inclusive, UTC days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Period {
    /// Parses `van` and `tot` (each optional), with messages for people.
    pub fn parse(van: &str, tot: &str) -> Result<Period, NeedsError> {
        let date = |field: &'static str, text: &str| -> Result<Option<Date>, NeedsError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            let format = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(text, format)
                .map(Some)
                .map_err(|_| NeedsError::Invalid {
                    field,
                    message: format!(
                        "“{}” is geen datum. Schrijf de datum als jaar-maand-dag, bijvoorbeeld \
                     2026-01-31.",
                        text.chars().take(20).collect::<String>()
                    ),
                })
        };
        let period = Period {
            from: date("van", van)?,
            to: date("tot", tot)?,
        };
        if let (Some(from), Some(to)) = (period.from, period.to)
            && to < from
        {
            return Err(NeedsError::Invalid {
                field: "tot",
                message: "De einddatum ligt vóór de begindatum.".into(),
            });
        }
        Ok(period)
    }

    fn bounds(self) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
        (
            self.from.map(|d| d.midnight().assume_utc()),
            self.to
                .and_then(|d| d.next_day())
                .map(|d| d.midnight().assume_utc()),
        )
    }
}

/// A wijk or category as a table heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub code: String,
    pub name: String,
}

/// The raw counts, before suppression (never shown as such).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    /// `[wijk][category]`: referrals naming a category of that top-level category (a referral
    /// with two reasons counts in two columns).
    pub reasons: Vec<Vec<u64>>,
    /// `[wijk][route]`: referrals (each once).
    pub routes: Vec<Vec<u64>>,
    pub accepted: Vec<u64>,
    pub completed: Vec<u64>,
    /// Days from referral to first answer, per wijk.
    pub response_days: Vec<Vec<f64>>,
    /// `[wijk][category]`: offerings of the category in or for the wijk.
    pub offerings: Vec<Vec<u64>>,
    /// Offerings in or for the wijk (each once) and how many of them are stale.
    pub offerings_total: Vec<u64>,
    pub stale: Vec<u64>,
    /// Offerings per category in the whole gemeente (each once).
    pub offerings_per_category: Vec<u64>,
}

/// What decides where an offering works, for [`aggregate`].
pub struct Places<'a> {
    pub gemeente: &'a str,
    pub wijken: &'a [Heading],
    /// The wijk a wijk or buurt code lies in (`None` for a gemeente or unknown code).
    pub wijk_of: &'a dyn Fn(&str) -> Option<String>,
}

/// Counts referrals and offerings per wijk and top-level category. `top_of` gives the index
/// of a category code's top-level category (`None`: not a category we know).
pub fn aggregate(
    places: &Places<'_>,
    categories: usize,
    top_of: &dyn Fn(&str) -> Option<usize>,
    referrals: &[NeedsReferralRow],
    offerings: &[NeedsOfferingRow],
    stale: &dyn Fn(Option<Date>) -> bool,
) -> Figures {
    let rows = places.wijken.len();
    let index: HashMap<&str, usize> = places
        .wijken
        .iter()
        .enumerate()
        .map(|(i, w)| (w.code.as_str(), i))
        .collect();
    let mut f = Figures {
        reasons: vec![vec![0; categories]; rows],
        routes: vec![vec![0; ROUTES.len()]; rows],
        accepted: vec![0; rows],
        completed: vec![0; rows],
        response_days: vec![Vec::new(); rows],
        offerings: vec![vec![0; categories]; rows],
        offerings_total: vec![0; rows],
        stale: vec![0; rows],
        offerings_per_category: vec![0; categories],
    };
    for r in referrals {
        let Some(&w) = index.get(r.wijk_code.as_str()) else {
            continue;
        };
        let Some(route) = ROUTES.iter().position(|(code, _)| *code == r.route) else {
            continue;
        };
        f.routes[w][route] += 1;
        let tops: BTreeSet<usize> = r.categories.iter().filter_map(|c| top_of(c)).collect();
        for c in tops {
            f.reasons[w][c] += 1;
        }
        if r.accepted {
            f.accepted[w] += 1;
        }
        if r.status == COMPLETED {
            f.completed[w] += 1;
        }
        if let Some(first) = r.first_response_at {
            let seconds = (first - r.created_at).whole_seconds().max(0);
            f.response_days[w].push(seconds as f64 / 86_400.0);
        }
    }
    for o in offerings {
        let whole_gemeente = o.area_codes.iter().any(|a| a == places.gemeente);
        let mut served: BTreeSet<usize> = BTreeSet::new();
        if whole_gemeente {
            served.extend(0..rows);
        }
        for code in o.location_wijken.iter().chain(&o.area_codes) {
            if let Some(w) = (places.wijk_of)(code).and_then(|w| index.get(w.as_str()).copied()) {
                served.insert(w);
            }
        }
        let tops: BTreeSet<usize> = o.categories.iter().filter_map(|c| top_of(c)).collect();
        for &c in &tops {
            f.offerings_per_category[c] += 1;
        }
        let is_stale = stale(o.assured_date);
        for &w in &served {
            f.offerings_total[w] += 1;
            if is_stale {
                f.stale[w] += 1;
            }
            for &c in &tops {
                f.offerings[w][c] += 1;
            }
        }
    }
    f
}

/// The median of some numbers (`None` when empty).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// A share as a whole percentage, or "te weinig" below the threshold.
pub fn share(part: u64, of: u64) -> String {
    if of < THRESHOLD {
        "te weinig".into()
    } else {
        format!("{}%", (part * 100 + of / 2) / of)
    }
}

/// A median number of days, or "te weinig" when fewer than the threshold answered.
pub fn median_days(days: &[f64]) -> String {
    match median(days) {
        Some(m) if days.len() as u64 >= THRESHOLD => format!("{m:.1}").replace('.', ","),
        _ => "te weinig".into(),
    }
}

/// One gap: a wijk × category with referrals and (almost) no offerings.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub wijk: usize,
    pub category: usize,
    pub referrals: u64,
    pub offerings: u64,
}

impl Gap {
    /// Referrals per offering; infinite without any offering.
    pub fn pressure(&self) -> f64 {
        if self.offerings == 0 {
            f64::INFINITY
        } else {
            self.referrals as f64 / self.offerings as f64
        }
    }
}

/// The gap rule (module documentation): over the *shown* counts of referrals only.
pub fn gaps(reasons: &SuppressedTable, offerings: &[Vec<u64>]) -> Vec<Gap> {
    let mut out = Vec::new();
    for (w, row) in reasons.cells.iter().enumerate() {
        for (c, shown) in row.iter().enumerate() {
            let Shown::Count(n) = *shown else { continue };
            let have = offerings[w][c];
            if n >= THRESHOLD && have <= GAP_MAX_OFFERINGS {
                out.push(Gap {
                    wijk: w,
                    category: c,
                    referrals: n,
                    offerings: have,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.pressure()
            .total_cmp(&a.pressure())
            .then(b.referrals.cmp(&a.referrals))
            .then((a.wijk, a.category).cmp(&(b.wijk, b.category)))
    });
    out
}

/// The report as shown: every count of referrals suppressed.
#[derive(Debug, Clone)]
pub struct NeedsReport {
    pub gemeente: Heading,
    pub period: Period,
    pub wijken: Vec<Heading>,
    pub categories: Vec<Heading>,
    /// Wijk × category, reasons of referrals.
    pub reasons: SuppressedTable,
    /// Wijk × route, referrals; its row totals are the referrals per wijk.
    pub routes: SuppressedTable,
    /// Per wijk: accepted share, completed share, median days to a first answer (text).
    pub accepted: Vec<String>,
    pub completed: Vec<String>,
    pub response: Vec<String>,
    /// The same over the whole gemeente.
    pub accepted_all: String,
    pub completed_all: String,
    pub response_all: String,
    /// Exact (public listings).
    pub offerings: Vec<Vec<u64>>,
    pub offerings_total: Vec<u64>,
    pub stale: Vec<u64>,
    pub offerings_per_category: Vec<u64>,
    pub gaps: Vec<Gap>,
}

impl NeedsReport {
    /// Applies suppression and the gap rule to raw figures.
    pub fn from_figures(
        gemeente: Heading,
        period: Period,
        wijken: Vec<Heading>,
        categories: Vec<Heading>,
        f: &Figures,
    ) -> Self {
        let reasons = suppress(&f.reasons, THRESHOLD);
        let routes = suppress(&f.routes, THRESHOLD);
        let referrals: Vec<u64> = f.routes.iter().map(|r| r.iter().sum()).collect();
        let all: u64 = referrals.iter().sum();
        let all_days: Vec<f64> = f.response_days.iter().flatten().copied().collect();
        let gaps = gaps(&reasons, &f.offerings);
        NeedsReport {
            accepted: (0..wijken.len())
                .map(|w| share(f.accepted[w], referrals[w]))
                .collect(),
            completed: (0..wijken.len())
                .map(|w| share(f.completed[w], referrals[w]))
                .collect(),
            response: f.response_days.iter().map(|d| median_days(d)).collect(),
            accepted_all: share(f.accepted.iter().sum(), all),
            completed_all: share(f.completed.iter().sum(), all),
            response_all: median_days(&all_days),
            gemeente,
            period,
            wijken,
            categories,
            reasons,
            routes,
            offerings: f.offerings.clone(),
            offerings_total: f.offerings_total.clone(),
            stale: f.stale.clone(),
            offerings_per_category: f.offerings_per_category.clone(),
            gaps,
        }
    }
}

/// The use case.
#[derive(Clone)]
pub struct Needs {
    store: Store,
    geo: Arc<Geography>,
    vocabulary: Arc<Vocabulary>,
    freshness: Freshness,
    gemeenten: Vec<String>,
}

impl Needs {
    /// `gemeenten`: the region's (CBS codes), the first one the default.
    pub fn new(
        store: Store,
        geo: Arc<Geography>,
        vocabulary: Arc<Vocabulary>,
        freshness: Freshness,
        gemeenten: Vec<String>,
    ) -> Self {
        Needs {
            store,
            geo,
            vocabulary,
            freshness,
            gemeenten,
        }
    }

    /// The region's gemeenten that have wijken, as (code, name), for the choice on the page.
    pub fn gemeenten(&self) -> Vec<Heading> {
        self.geo
            .gemeenten_in(&self.gemeenten)
            .into_iter()
            .map(|g| Heading {
                code: g.code.clone(),
                name: g.name.clone(),
            })
            .collect()
    }

    pub fn geography(&self) -> &Geography {
        &self.geo
    }

    /// The report for one gemeente and period, as of `today` (for staleness).
    pub async fn report(
        &self,
        actor: &Actor,
        query: &NeedsQuery,
        today: Date,
    ) -> Result<NeedsReport, NeedsError> {
        authorize(actor, &Action::ViewNeedsReport)?;
        let code = query.gemeente.trim();
        let gemeente = if code.is_empty() {
            self.gemeenten().into_iter().next()
        } else {
            self.gemeenten().into_iter().find(|g| g.code == code)
        }
        .ok_or_else(|| NeedsError::Invalid {
            field: "gemeente",
            message: "Kies een gemeente uit de lijst.".into(),
        })?;
        let period = Period::parse(&query.van, &query.tot)?;
        let wijken: Vec<Heading> = self
            .geo
            .children(&gemeente.code)
            .into_iter()
            .filter(|n| n.level == Level::Wijk)
            .map(|n| Heading {
                code: n.code.clone(),
                name: n.name.clone(),
            })
            .collect();
        let tops: Vec<Heading> = self
            .vocabulary
            .top_categories()
            .map(|t| Heading {
                code: t.code.clone(),
                name: t.name.clone(),
            })
            .collect();
        let (from, to) = period.bounds();
        let number = gemeente.code.trim_start_matches("GM");
        let referrals = self
            .store
            .needs_referrals(&format!("WK{number}"), from, to)
            .await?;
        let offerings = self.store.needs_offerings(&gemeente.code).await?;
        let vocabulary = &self.vocabulary;
        let top_index: HashMap<&str, usize> = tops
            .iter()
            .enumerate()
            .map(|(i, t)| (t.code.as_str(), i))
            .collect();
        let top_of = |code: &str| -> Option<usize> {
            let chain = vocabulary.with_ancestors(CATEGORY_TAXONOMY, code);
            chain
                .first()
                .and_then(|t| top_index.get(t.code.as_str()).copied())
        };
        let geo = &self.geo;
        let wijk_of = |code: &str| -> Option<String> {
            let n = geo.get(code)?;
            match n.level {
                Level::Wijk => Some(n.code.clone()),
                Level::Buurt => n.parent.clone(),
                Level::Gemeente => None,
            }
        };
        let freshness = self.freshness;
        let figures = aggregate(
            &Places {
                gemeente: &gemeente.code,
                wijken: &wijken,
                wijk_of: &wijk_of,
            },
            tops.len(),
            &top_of,
            &referrals,
            &offerings,
            &|assured| freshness.is_stale(assured, today),
        );
        Ok(NeedsReport::from_figures(
            gemeente, period, wijken, tops, &figures,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn heading(code: &str) -> Heading {
        Heading {
            code: code.into(),
            name: code.into(),
        }
    }

    fn referral(wijk: &str, route: &str, status: &str, categories: &[&str]) -> NeedsReferralRow {
        NeedsReferralRow {
            wijk_code: wijk.into(),
            route: route.into(),
            status: status.into(),
            accepted: status != "requested" && status != "rejected",
            created_at: datetime!(2026-11-02 09:00 UTC),
            first_response_at: (status != "requested").then_some(datetime!(2026-11-04 09:00 UTC)),
            categories: categories.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn top_of(code: &str) -> Option<usize> {
        match code.split('/').next()? {
            "eenzaamheid" => Some(0),
            "bewegen" => Some(1),
            _ => None,
        }
    }

    fn wijk_of(code: &str) -> Option<String> {
        match code {
            "WK1" | "BU1a" => Some("WK1".into()),
            "WK2" => Some("WK2".into()),
            _ => None,
        }
    }

    fn figures(referrals: &[NeedsReferralRow], offerings: &[NeedsOfferingRow]) -> Figures {
        let wijken = [heading("WK1"), heading("WK2")];
        aggregate(
            &Places {
                gemeente: "GM1",
                wijken: &wijken,
                wijk_of: &wijk_of,
            },
            2,
            &top_of,
            referrals,
            offerings,
            &|assured| assured.is_none(),
        )
    }

    #[test]
    fn referrals_count_once_per_top_category_and_route() {
        let f = figures(
            &[
                referral(
                    "WK1",
                    "zorg",
                    "completed",
                    &["eenzaamheid", "eenzaamheid/maatjes", "bewegen"],
                ),
                referral("WK1", "zelf", "requested", &["bewegen"]),
                referral("WK2", "welzijn", "accepted", &["onbekend"]),
                referral("WK9", "zorg", "accepted", &["bewegen"]),
            ],
            &[],
        );
        assert_eq!(f.reasons, vec![vec![1, 2], vec![0, 0]]);
        assert_eq!(f.routes, vec![vec![1, 0, 1], vec![0, 1, 0]]);
        assert_eq!(f.accepted, vec![1, 1]);
        assert_eq!(f.completed, vec![1, 0]);
        assert_eq!(f.response_days[0], vec![2.0]);
    }

    #[test]
    fn offerings_count_where_they_are_and_where_they_work() {
        let located = NeedsOfferingRow {
            assured_date: Some(date!(2026 - 11 - 01)),
            categories: vec!["bewegen/wandelen".into()],
            location_wijken: vec!["WK1".into()],
            area_codes: vec![],
        };
        let whole_gemeente = NeedsOfferingRow {
            assured_date: None,
            categories: vec!["eenzaamheid".into()],
            location_wijken: vec![],
            area_codes: vec!["GM1".into()],
        };
        let buurt = NeedsOfferingRow {
            assured_date: None,
            categories: vec!["bewegen".into()],
            location_wijken: vec![],
            area_codes: vec!["BU1a".into()],
        };
        let f = figures(&[], &[located, whole_gemeente, buurt]);
        assert_eq!(f.offerings, vec![vec![1, 2], vec![1, 0]]);
        assert_eq!(f.offerings_total, vec![3, 1]);
        assert_eq!(f.stale, vec![2, 1]);
        assert_eq!(f.offerings_per_category, vec![1, 2]);
    }

    #[test]
    fn a_gap_needs_a_shown_count_and_few_offerings_and_the_emptiest_comes_first() {
        let reasons = suppress(&[vec![12, 6, 40], vec![3, 20, 9]], THRESHOLD);
        let offerings = vec![vec![1, 0, 5], vec![0, 1, 0]];
        let found = gaps(&reasons, &offerings);
        // 3 is below the threshold (hidden): never a gap, whatever its offerings.
        assert!(found.iter().all(|g| !(g.wijk == 1 && g.category == 0)));
        // Every gap listed has a shown count and at most one offering.
        for g in &found {
            assert_eq!(reasons.cells[g.wijk][g.category], Shown::Count(g.referrals));
            assert!(g.offerings <= GAP_MAX_OFFERINGS);
        }
        // No offering at all before one offering; (0,2) has 5 offerings: no gap.
        assert!(found.iter().all(|g| !(g.wijk == 0 && g.category == 2)));
        let pressures: Vec<f64> = found.iter().map(Gap::pressure).collect();
        let mut sorted = pressures.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(pressures, sorted);
        assert!(!found.is_empty());
    }

    #[test]
    fn shares_and_medians_need_enough_referrals() {
        assert_eq!(share(1, 4), "te weinig");
        assert_eq!(share(3, 6), "50%");
        assert_eq!(share(2, 3 * THRESHOLD), "13%");
        assert_eq!(median_days(&[1.0, 2.0, 3.0, 4.0]), "te weinig");
        assert_eq!(median_days(&[1.0, 2.0, 3.0, 4.0, 10.0]), "3,0");
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn periods_are_checked() {
        assert_eq!(Period::parse("", "").unwrap(), Period::default());
        let p = Period::parse("2026-01-01", "2026-01-31").unwrap();
        assert_eq!(p.bounds().1, Some(datetime!(2026-02-01 00:00 UTC)));
        assert!(matches!(
            Period::parse("31-01-2026", ""),
            Err(NeedsError::Invalid { field: "van", .. })
        ));
        assert!(matches!(
            Period::parse("2026-02-01", "2026-01-01"),
            Err(NeedsError::Invalid { field: "tot", .. })
        ));
    }
    /// The shape the integration test plants (tests/needs.rs): in a sparse table (most cells
    /// 0, which suppression hides too) a cell of 6 stays visible when its row and its column
    /// each have another count of at least 5 to hide instead, and the small cell of 2 and the
    /// cells that protect it are hidden.
    #[test]
    fn a_big_cell_in_a_sparse_table_shows_when_its_row_and_column_can_hide_another() {
        let mut cells = vec![vec![0u64; 14]; 10];
        let (g, h, s, cg, c2) = (2, 5, 7, 3, 9);
        cells[g][cg] = 6;
        cells[g][c2] = 5;
        cells[h][cg] = 5;
        cells[h][c2] = 6;
        cells[s][cg] = 2;
        let table = suppress(&cells, THRESHOLD);
        assert_eq!(table.cells[g][cg], Shown::Count(6), "{table:?}");
        assert_eq!(table.cells[s][cg], Shown::Small);
        assert_eq!(table.row_totals[s], Shown::Small);
        let found = gaps(&table, &vec![vec![0; 14]; 10]);
        assert!(found.iter().any(|gap| (gap.wijk, gap.category) == (g, cg)));
        assert!(found.iter().all(|gap| gap.wijk != s));
    }
}
