//! CBS neighbourhoods of the Netherlands: which gemeente, wijk and buurt a point or a postcode
//! lies in, the hierarchy between them, and small derived views (service-area intersection, SVG
//! outlines, sample points).
//!
//! # Data
//!
//! Everything is compiled into the binary from `assets/geo/` (see its `README.md` for
//! provenance and licences), parsed once by [`Geography::load_embedded`] and then shared
//! read-only, typically as `Arc<Geography>`:
//!
//! * 342 **gemeenten**: CBS/Kadaster 2024 outlines, dissolved from the wijken, generalised to
//!   about 100 m;
//! * 3,393 **wijken**: CBS/Kadaster 2024 (generalised) for the whole country, except that for
//!   gemeente Utrecht (`GM0344`) the city's own detailed 2013 polygons are used instead,
//!   because its buurten nest in them;
//! * 111 **buurten** of gemeente Utrecht, plus any buurten an instance imported later with
//!   `wijkwijzer geo import` (kept in the database and handed to
//!   [`Geography::load_embedded_with`] at start);
//! * about 4,700 national **PC4 postcode** centroids.
//!
//! The layers come from different sources and years, so near a boundary they can disagree by
//! up to ~100 m (and up to ~1 km in Leidsche Rijn and Vleuten-De Meern, whose boundaries moved
//! after 2013). That is good enough to assign listings to neighbourhoods and to filter on them;
//! it is not a cadastral truth.
//!
//! # Coordinates
//!
//! The public API speaks latitude/longitude (WGS84) in that order, as people and HSDS do;
//! geometries inside are `geo` types in GeoJSON order, `x` = longitude, `y` = latitude.

mod codes;
mod coverage;
pub mod import;
mod load;
mod svg;
pub use svg::Shade;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::time::Instant;

use geo::{Area, BoundingRect, Contains, Intersects, MultiPolygon, Point, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};

pub use codes::{normalise_code, normalise_postcode};

use load::{Pc4Centroid, UTRECHT_GEMEENTE};

/// The three CBS levels, from largest to smallest. The order (`Ord`) is that nesting order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Gemeente,
    Wijk,
    Buurt,
}

impl Level {
    /// All levels, largest first.
    pub const ALL: [Level; 3] = [Level::Gemeente, Level::Wijk, Level::Buurt];

    /// Stable lowercase identifier, as stored in the database and used in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Gemeente => "gemeente",
            Level::Wijk => "wijk",
            Level::Buurt => "buurt",
        }
    }

    /// Dutch label for people, capitalised for use at the start of a line or heading.
    pub fn label(self) -> &'static str {
        match self {
            Level::Gemeente => "Gemeente",
            Level::Wijk => "Wijk",
            Level::Buurt => "Buurt",
        }
    }

    /// Parses [`Level::as_str`] back (exact, lowercase), e.g. from a query parameter.
    pub fn from_name(name: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// The level a CBS code denotes, if the code has exactly the CBS shape (`GM` + 4 digits,
    /// `WK` + 6 characters, `BU` + 8, uppercase). The gemeente number is always 4 digits; the
    /// wijk and buurt parts are digits too, except in Amsterdam, whose wijken CBS numbers with
    /// letters (`WK0363AA`, `BU0363AA01`). Use [`normalise_code`] first for user input.
    pub fn from_code(code: &str) -> Option<Level> {
        let level = match code.get(..2)? {
            "GM" => Level::Gemeente,
            "WK" => Level::Wijk,
            "BU" => Level::Buurt,
            _ => return None,
        };
        let digits = &code.as_bytes()[2..];
        let shaped = digits.len() == codes::digits_for(level)
            && digits[..4].iter().all(u8::is_ascii_digit)
            && digits[4..]
                .iter()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
        shaped.then_some(level)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A gemeente, wijk or buurt.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbourhood {
    /// CBS code: `GM0344`, `WK034403`, `BU03440321`.
    pub code: String,
    /// Display name: `"Utrecht"`, `"Overvecht"` (CBS's `"Wijk 03 "` prefix removed),
    /// `"Zamenhofdreef en omgeving"`.
    pub name: String,
    pub level: Level,
    /// Code of the enclosing neighbourhood: a wijk's gemeente, a buurt's wijk; `None` for a
    /// gemeente.
    pub parent: Option<String>,
    /// The boundary, WGS84, `x` = longitude.
    pub geometry: MultiPolygon<f64>,
    /// Area centroid as (latitude, longitude). For a concave shape it may lie just outside the
    /// polygon; it is meant for centring maps and ordering by distance, not for placement.
    pub centroid: (f64, f64),
}

impl Neighbourhood {
    /// The geometry as a GeoJSON geometry object (text), e.g. for storing in the database.
    pub fn geometry_geojson(&self) -> String {
        geojson::Geometry::from(&self.geometry).to_string()
    }
}

/// Great-circle distance in kilometres between two points (WGS84 degrees).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    use geo::{Distance, Haversine, Point};
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2)) / 1000.0
}

/// The neighbourhoods a point lies in, as CBS codes. Always consistent: if `buurt` is set its
/// parent is `wijk`, and if `wijk` is set its parent is `gemeente`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Placement {
    pub gemeente: Option<String>,
    pub wijk: Option<String>,
    /// Only set where we have buurt polygons: gemeente Utrecht, and wijken whose buurten were
    /// imported with `wijkwijzer geo import`.
    pub buurt: Option<String>,
}

impl Placement {
    /// The codes that are set, **most general first**: gemeente, wijk, buurt.
    pub fn codes(&self) -> Vec<&str> {
        [&self.gemeente, &self.wijk, &self.buurt]
            .into_iter()
            .filter_map(|c| c.as_deref())
            .collect()
    }

    /// The most specific code that is set (buurt, else wijk, else gemeente).
    pub fn most_specific(&self) -> Option<&str> {
        self.codes().last().copied()
    }

    /// True when the point lies outside the country (or in a gap between polygons).
    pub fn is_empty(&self) -> bool {
        self.gemeente.is_none() && self.wijk.is_none() && self.buurt.is_none()
    }
}

/// The result of a postcode lookup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostcodeMatch {
    /// The four-digit postcode the input was reduced to.
    pub pc4: String,
    /// Approximate centroid of the PC4 area. PO-box-only postcodes share one point per town.
    pub latitude: f64,
    pub longitude: f64,
    pub woonplaats: String,
    /// Where the centroid lies; empty for the few centroids in a gap between wijk polygons.
    pub placement: Placement,
}

/// What can go wrong. The `Display` texts are plain Dutch (B1) and safe to show to the person
/// who typed the input: they never echo raw input, only normalised codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeoError {
    /// Not shaped like a postcode at all (a typo): ask the person to correct it.
    #[error(
        "Dit is geen geldige postcode. Een postcode heeft 4 cijfers en soms 2 letters, \
         zoals 3562 of 3562 AB."
    )]
    MalformedPostcode,
    /// A well-formed postcode that is not in our table (not issued, or too new).
    #[error("Postcode {pc4} kennen we niet. Kijk of de cijfers kloppen.")]
    PostcodeNotFound { pc4: String },
    /// Not shaped like a CBS code.
    #[error(
        "Dit is geen geldige code van een gemeente, wijk of buurt. \
         Zo'n code ziet eruit als GM0344, WK034403 of BU03440321."
    )]
    MalformedCode,
    /// A well-formed CBS code we have no polygon for: not (or no longer) in use, or a buurt
    /// outside gemeente Utrecht that was never imported.
    #[error("We kennen geen gemeente, wijk of buurt met code {code}.")]
    UnknownCode { code: String },
    /// The embedded data could not be read: a build or data-update mistake, never user input.
    #[error("De kaartgegevens kloppen niet ({file}): {detail}")]
    Data { file: &'static str, detail: String },
}

impl GeoError {
    /// The input is not shaped right (HTTP 400 material).
    pub fn is_malformed(&self) -> bool {
        matches!(self, GeoError::MalformedPostcode | GeoError::MalformedCode)
    }

    /// The input is well-formed but refers to nothing we know (HTTP 404 or a "not found" hint).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            GeoError::PostcodeNotFound { .. } | GeoError::UnknownCode { .. }
        )
    }
}

/// An R-tree entry: a bounding box and the index of what it bounds.
type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Give up sampling after this many misses; only a degenerate polygon gets near it (a wijk
/// typically fills 30–70 % of its bounding box).
const MAX_SAMPLING_ATTEMPTS: usize = 100_000;

/// All neighbourhoods and postcodes, indexed. Immutable after loading, hence `Send + Sync`;
/// build it once at start-up and share it behind an `Arc`.
pub struct Geography {
    /// Sorted by (level, code): gemeenten, then wijken, then buurten.
    items: Vec<Neighbourhood>,
    /// Bounding box of each item, for a cheap rejection before the exact polygon test.
    envelopes: Vec<Rect<f64>>,
    by_code: HashMap<String, usize>,
    /// Children of each item, sorted by name.
    children: Vec<Vec<usize>>,
    /// Gemeenten, sorted by name.
    gemeenten: Vec<usize>,
    /// Bounding boxes of every item's geometry, all levels together.
    tree: RTree<Entry>,
    /// Area of each item's geometry (square degrees: only ever compared), for deciding between
    /// overlapping wijken.
    areas: Vec<f64>,
    /// Gemeente Utrecht's generalised 2024 wijk polygons, paired with the item index of the
    /// (detailed) wijk they stand for; only consulted for points in none of the detailed
    /// polygons, i.e. where the city grew or the boundaries moved after 2013.
    utrecht_generalised: Vec<(usize, MultiPolygon<f64>, Rect<f64>)>,
    postcodes: HashMap<String, Pc4Centroid>,
}

impl fmt::Debug for Geography {
    /// Summarises instead of dumping some 30,000 coordinates into a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Geography")
            .field("neighbourhoods", &self.items.len())
            .field("postcodes", &self.postcodes.len())
            .finish_non_exhaustive()
    }
}

impl Geography {
    /// Parses and indexes the data compiled into the binary. Takes a few hundred milliseconds
    /// for the whole country (see `assets/geo/README.md`); call it once at start-up.
    ///
    /// Fails only if the embedded files are inconsistent (a data-update mistake that the unit
    /// tests catch), so callers may reasonably treat an error as fatal.
    pub fn load_embedded() -> Result<Self, GeoError> {
        Self::load_embedded_with(Vec::new())
    }

    /// [`Geography::load_embedded`] plus buurten imported earlier (`wijkwijzer geo import`,
    /// stored in the database). An imported buurt is added only when it fits: a buurt code, not
    /// already embedded, inside a known wijk that its code belongs to. Anything else is logged
    /// and left out rather than failing the start, because the database may have been written
    /// by another version of the data.
    pub fn load_embedded_with(imported: Vec<Neighbourhood>) -> Result<Self, GeoError> {
        let started = Instant::now();
        let mut raw = load::parse_embedded()?;
        let known: std::collections::HashSet<String> =
            raw.neighbourhoods.iter().map(|n| n.code.clone()).collect();
        let wijken: std::collections::HashSet<&str> = raw
            .neighbourhoods
            .iter()
            .filter(|n| n.level == Level::Wijk)
            .map(|n| n.code.as_str())
            .collect();
        let mut accepted = Vec::with_capacity(imported.len());
        let mut seen = std::collections::HashSet::new();
        for n in imported {
            match import::misfit(
                &n,
                |code| known.contains(code),
                |code| wijken.contains(code),
            ) {
                None if seen.insert(n.code.clone()) => accepted.push(n),
                None => tracing::warn!(code = %n.code, "geïmporteerde buurt staat er dubbel in"),
                Some(reason) => {
                    tracing::warn!(code = %n.code, %reason, "geïmporteerde buurt overgeslagen");
                }
            }
        }
        let imported_buurten = accepted.len();
        raw.neighbourhoods.extend(accepted);
        let geography = Self::from_raw(raw)?;
        tracing::info!(
            neighbourhoods = geography.items.len(),
            imported_buurten,
            postcodes = geography.postcodes.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "CBS-buurtgegevens geladen"
        );
        Ok(geography)
    }

    /// Indexes parsed data and checks the hierarchy (unique codes, every parent exists and is
    /// one level up).
    fn from_raw(raw: load::RawData) -> Result<Self, GeoError> {
        let hierarchy_error = |detail: String| GeoError::Data {
            file: "samenhang tussen de bestanden",
            detail,
        };

        let mut items = raw.neighbourhoods;
        items.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));

        let mut by_code = HashMap::with_capacity(items.len());
        for (i, n) in items.iter().enumerate() {
            if by_code.insert(n.code.clone(), i).is_some() {
                return Err(hierarchy_error(format!(
                    "code {} staat er dubbel in",
                    n.code
                )));
            }
        }

        let mut children = vec![Vec::new(); items.len()];
        for (i, n) in items.iter().enumerate() {
            let expected_parent_level = match n.level {
                Level::Gemeente => None,
                Level::Wijk => Some(Level::Gemeente),
                Level::Buurt => Some(Level::Wijk),
            };
            match (&n.parent, expected_parent_level) {
                (None, None) => {}
                (Some(parent), Some(level)) => {
                    let p = by_code
                        .get(parent)
                        .copied()
                        .filter(|&p| items[p].level == level)
                        .ok_or_else(|| {
                            hierarchy_error(format!("{} hoort bij onbekende {parent}", n.code))
                        })?;
                    children[p].push(i);
                }
                _ => {
                    return Err(hierarchy_error(format!(
                        "{} heeft een verkeerde ouder",
                        n.code
                    )));
                }
            }
        }
        for list in &mut children {
            list.sort_by(|&a, &b| {
                (&items[a].name, &items[a].code).cmp(&(&items[b].name, &items[b].code))
            });
        }

        let mut gemeenten: Vec<usize> = (0..items.len())
            .filter(|&i| items[i].level == Level::Gemeente)
            .collect();
        gemeenten.sort_by(|&a, &b| {
            (&items[a].name, &items[a].code).cmp(&(&items[b].name, &items[b].code))
        });

        let envelopes = items
            .iter()
            .map(|n| {
                n.geometry
                    .bounding_rect()
                    .ok_or_else(|| hierarchy_error(format!("{} heeft een lege geometrie", n.code)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let areas = items.iter().map(|n| n.geometry.unsigned_area()).collect();
        let tree = RTree::bulk_load(
            envelopes
                .iter()
                .enumerate()
                .map(|(i, r)| Entry::new(rectangle(r), i))
                .collect(),
        );

        let mut utrecht_generalised = Vec::with_capacity(raw.utrecht_generalised.len());
        for (code, geometry) in raw.utrecht_generalised {
            let (Some(&i), Some(rect)) = (by_code.get(&code), geometry.bounding_rect()) else {
                return Err(hierarchy_error(format!(
                    "{code} staat wel in de landelijke kaart maar niet in de stadskaart"
                )));
            };
            utrecht_generalised.push((i, geometry, rect));
        }

        Ok(Geography {
            items,
            envelopes,
            by_code,
            children,
            gemeenten,
            tree,
            areas,
            utrecht_generalised,
            postcodes: raw.postcodes,
        })
    }

    /// The neighbourhood with exactly this (normalised, uppercase) code.
    pub fn get(&self, code: &str) -> Option<&Neighbourhood> {
        self.by_code.get(code).map(|&i| &self.items[i])
    }

    /// Looks up a code typed or linked by a person: trims and uppercases first. Distinguishes a
    /// malformed code ([`GeoError::MalformedCode`]) from a well-formed one we do not know
    /// ([`GeoError::UnknownCode`]).
    pub fn parse_code(&self, input: &str) -> Result<&Neighbourhood, GeoError> {
        let code = normalise_code(input)?;
        self.get(&code).ok_or(GeoError::UnknownCode { code })
    }

    /// Places a point (WGS84) in a gemeente, wijk and buurt.
    ///
    /// * The wijk is the one whose polygon contains the point (boundary included). Inside gemeente
    ///   Utrecht that is the detailed city layer; where the city's 2013 polygons leave a gap, the
    ///   generalised 2024 polygon of the same wijk decides. Where a detailed Utrecht polygon and
    ///   a neighbouring municipality's generalised one overlap, the detailed one wins (it is the
    ///   more precise of the two). Where two generalised wijken overlap, the smaller one wins:
    ///   generalisation sometimes drops the hole a small wijk leaves in a big one (Centrum
    ///   Ermelo lies wholly inside its neighbour's generalised polygon), and the smaller
    ///   polygon is then the more specific answer. Remaining ties go to the lowest code, so the
    ///   answer is deterministic.
    /// * The buurt is looked for only within the wijk found (so only in gemeente Utrecht and in
    ///   wijken with imported buurten).
    /// * The gemeente is the wijk's parent, or, for a point in no wijk, the gemeente outline that
    ///   contains it.
    ///
    /// Points outside the country, and non-finite input, give an empty [`Placement`].
    pub fn locate(&self, latitude: f64, longitude: f64) -> Placement {
        if !(latitude.is_finite() && longitude.is_finite()) {
            return Placement::default();
        }
        let point = Point::new(longitude, latitude);
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([longitude, latitude]))
            .map(|entry| entry.data)
            .filter(|&i| self.items[i].geometry.intersects(&point))
            .collect();
        // Items are sorted by (level, code), so this orders hits the same way.
        hits.sort_unstable();

        let of_level = |level: Level| {
            hits.iter()
                .copied()
                .filter(move |&i| self.items[i].level == level)
        };
        let generalised = |i: usize| self.items[i].parent.as_deref() != Some(UTRECHT_GEMEENTE);
        let wijk = of_level(Level::Wijk)
            .min_by(|&a, &b| {
                generalised(a)
                    .cmp(&generalised(b))
                    .then(self.areas[a].total_cmp(&self.areas[b]))
                    .then(a.cmp(&b))
            })
            .or_else(|| {
                self.utrecht_generalised
                    .iter()
                    .find(|(_, geometry, rect)| {
                        rect.intersects(&point) && geometry.intersects(&point)
                    })
                    .map(|(i, _, _)| *i)
            });

        let Some(wijk) = wijk else {
            return Placement {
                gemeente: of_level(Level::Gemeente)
                    .next()
                    .map(|i| self.items[i].code.clone()),
                wijk: None,
                buurt: None,
            };
        };
        let wijk = &self.items[wijk];
        let buurt = of_level(Level::Buurt)
            .map(|i| &self.items[i])
            .find(|b| b.parent.as_deref() == Some(wijk.code.as_str()));
        Placement {
            gemeente: wijk.parent.clone(),
            wijk: Some(wijk.code.clone()),
            buurt: buurt.map(|b| b.code.clone()),
        }
    }

    /// The chain of enclosing neighbourhoods, nearest first (a buurt gives its wijk, then its
    /// gemeente). Excludes `code` itself; empty for a gemeente or an unknown code.
    pub fn ancestors(&self, code: &str) -> Vec<&Neighbourhood> {
        let mut chain = Vec::new();
        let mut current = self.get(code);
        while let Some(parent) = current
            .and_then(|n| n.parent.as_deref())
            .and_then(|p| self.get(p))
        {
            chain.push(parent);
            current = Some(parent);
        }
        chain
    }

    /// The neighbourhoods directly inside `code`, sorted by name. Empty for a buurt, for a
    /// wijk without buurt data (outside gemeente Utrecht, unless imported) and for an unknown
    /// code.
    pub fn children(&self, code: &str) -> Vec<&Neighbourhood> {
        self.by_code
            .get(code)
            .map(|&i| self.children[i].iter().map(|&c| &self.items[c]).collect())
            .unwrap_or_default()
    }

    /// Everything inside `code`, at any depth, in depth-first order with siblings by name (a
    /// gemeente, then: wijk A, its buurten, wijk B, its buurten, ...). Excludes `code` itself.
    pub fn descendants(&self, code: &str) -> Vec<&Neighbourhood> {
        let mut out = Vec::new();
        let Some(&root) = self.by_code.get(code) else {
            return out;
        };
        // Reversed onto the stack so they pop in name order.
        let mut stack: Vec<usize> = self.children[root].iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            out.push(&self.items[i]);
            stack.extend(self.children[i].iter().rev().copied());
        }
        out
    }

    /// Every gemeente in the country (342 in 2024), sorted by name. A region's own gemeenten
    /// are [`Geography::gemeenten_in`].
    pub fn gemeenten(&self) -> Vec<&Neighbourhood> {
        self.gemeenten.iter().map(|&i| &self.items[i]).collect()
    }

    /// The gemeenten with these codes that exist, in the order given (unknown codes and
    /// codes of other levels are left out).
    pub fn gemeenten_in<'a>(&'a self, codes: &[String]) -> Vec<&'a Neighbourhood> {
        codes
            .iter()
            .filter_map(|code| self.get(code))
            .filter(|n| n.level == Level::Gemeente)
            .collect()
    }

    /// Every neighbourhood: gemeenten, then wijken, then buurten, each by code. Handy for
    /// writing them to the database (parents always come before their children).
    pub fn all(&self) -> impl Iterator<Item = &Neighbourhood> {
        self.items.iter()
    }

    /// Looks up a postcode (`3562`, `3562 AB`, `3562ab`, ` 3562-AB `) and places its PC4
    /// centroid with [`Geography::locate`]. A PC6 is reduced to its PC4: we only have PC4
    /// centroids, so two addresses in one PC4 get the same point.
    ///
    /// Postcodes and neighbourhoods of the whole country are known.
    pub fn postcode(&self, input: &str) -> Result<PostcodeMatch, GeoError> {
        let pc4 = normalise_postcode(input)?;
        let Some(centroid) = self.postcodes.get(&pc4) else {
            return Err(GeoError::PostcodeNotFound { pc4 });
        };
        Ok(PostcodeMatch {
            placement: self.locate(centroid.latitude, centroid.longitude),
            latitude: centroid.latitude,
            longitude: centroid.longitude,
            woonplaats: centroid.woonplaats.clone(),
            pc4,
        })
    }

    /// Codes of every gemeente, wijk and buurt whose polygon intersects `geometry` (WGS84,
    /// `x` = longitude), e.g. a service's GeoJSON service-area extent. Ordered gemeenten, wijken,
    /// buurten, each by code. Touching a boundary counts as intersecting.
    ///
    /// Note that generalised and detailed layers meet imprecisely, so an extent that reaches to
    /// the edge of gemeente Utrecht may also pick up a sliver of a neighbouring wijk.
    pub fn codes_intersecting(&self, geometry: &geo::Geometry<f64>) -> Vec<String> {
        let Some(bounds) = geometry.bounding_rect() else {
            return Vec::new();
        };
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&aabb(&bounds))
            .map(|entry| entry.data)
            .filter(|&i| self.items[i].geometry.intersects(geometry))
            .collect();
        hits.sort_unstable();
        hits.into_iter()
            .map(|i| self.items[i].code.clone())
            .collect()
    }

    /// Whether the point lies in (or on the boundary of) the polygon of `code`. False for an
    /// unknown code. Unlike [`Geography::locate`] this tests one polygon only, so near a
    /// boundary both neighbours may answer true.
    pub fn contains(&self, code: &str, latitude: f64, longitude: f64) -> bool {
        let Some(&i) = self.by_code.get(code) else {
            return false;
        };
        let point = Point::new(longitude, latitude);
        self.envelopes[i].intersects(&point) && self.items[i].geometry.intersects(&point)
    }

    /// A pseudo-random point (latitude, longitude) inside `code`, the same for the same seed on
    /// every machine and run: for generating demo and benchmark data without a `rand` dependency.
    ///
    /// Samples uniformly in the bounding box and keeps the first point that lies strictly inside
    /// the polygon *and* that [`Geography::locate`] places in `code` (where layers overlap, a
    /// point can be inside a polygon yet be placed in the neighbour), so a generated location
    /// always ends up in the neighbourhood it was generated for. `None` for an unknown code.
    pub fn random_point_in(&self, code: &str, rng_seed: u64) -> Option<(f64, f64)> {
        let &i = self.by_code.get(code)?;
        let (n, bounds) = (&self.items[i], self.envelopes[i]);
        let mut rng = XorShift64::new(rng_seed);
        for _ in 0..MAX_SAMPLING_ATTEMPTS {
            let longitude = bounds.min().x + rng.next_f64() * bounds.width();
            let latitude = bounds.min().y + rng.next_f64() * bounds.height();
            if n.geometry.contains(&Point::new(longitude, latitude))
                && self.locate(latitude, longitude).codes().contains(&code)
            {
                return Some((latitude, longitude));
            }
        }
        tracing::warn!(code, "geen willekeurig punt gevonden binnen de polygoon");
        None
    }

    /// A complete `<svg>` element, `width` × `height` pixels, showing the neighbourhood's outline
    /// with its children drawn inside (a gemeente's wijken, a Utrecht wijk's buurten),
    /// simplified to sub-pixel precision so it stays a few kilobytes at most. Built only from
    /// embedded data, with names XML-escaped, so it can be inlined in a page as is.
    /// `None` for an unknown code or a zero size.
    pub fn svg_outline(&self, code: &str, width: u32, height: u32) -> Option<String> {
        let n = self.get(code)?;
        svg::render(n, &self.children(code), width, height)
    }

    /// Like [`Geography::svg_outline`], with each child filled as `shade` says (a map of the
    /// wijken shaded by a figure), `title` and `desc` as its accessible name and description,
    /// and `defs` (patterns, trusted markup of the caller) inside `<defs>`.
    pub fn svg_shaded(
        &self,
        code: &str,
        size: (u32, u32),
        text: (&str, &str),
        defs: &str,
        shade: &dyn Fn(&Neighbourhood) -> Shade,
    ) -> Option<String> {
        let n = self.get(code)?;
        svg::render_shaded(n, &self.children(code), size, text, defs, shade)
    }

    /// Like [`Geography::svg_outline`], for a region: these gemeenten drawn together (the
    /// default map of an instance). `None` when none of the codes is a known gemeente.
    pub fn svg_region(
        &self,
        label: &str,
        gemeenten: &[String],
        width: u32,
        height: u32,
    ) -> Option<String> {
        let parts = self.gemeenten_in(gemeenten);
        let first = parts.first()?;
        let region = Neighbourhood {
            code: "regio".into(),
            name: label.into(),
            level: Level::Gemeente,
            parent: None,
            geometry: MultiPolygon::new(
                parts
                    .iter()
                    .flat_map(|g| g.geometry.0.iter().cloned())
                    .collect(),
            ),
            centroid: first.centroid,
        };
        svg::render(&region, &parts, width, height)
    }
}

fn rectangle(r: &Rect<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

fn aabb(r: &Rect<f64>) -> AABB<[f64; 2]> {
    AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

/// Marsaglia's xorshift64* generator: tiny, fast and fully deterministic, which is all sample
/// data needs (it is not for anything security-related).
pub struct XorShift64(u64);

impl XorShift64 {
    pub fn new(seed: u64) -> Self {
        // SplitMix64 scrambles the seed so that seeds 0, 1, 2, ... give unrelated streams, and
        // the `| 1` keeps the state non-zero (zero is xorshift's one fixed point).
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        XorShift64((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, n)` (n ≥ 1); the modulo bias is irrelevant for test data.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in `[0, 1)`, from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
