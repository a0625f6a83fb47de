//! Reading a CBS *wijk- en buurtkaart* (GeoJSON) so that a region gets buurten too:
//! `wijkwijzer geo import FILE`.
//!
//! The national layer we ship stops at wijken (only gemeente Utrecht has buurten built in).
//! A region that wants buurt-level filtering downloads the CBS buurt layer for its gemeenten
//! and imports it; the buurten are stored in the database and join the embedded data at every
//! start ([`super::Geography::load_embedded_with`]).
//!
//! Files in the wild differ, so the reader is liberal: the code may be in `statcode` (PDOK's
//! generalised layer), `buurtcode` or `BU_CODE`; the name in `statnaam`, `name`, `buurtnaam`
//! or `BU_NAAM`. Every feature that is not used is reported with the reason, never silently
//! dropped.

use std::collections::HashSet;

use geo::{BoundingRect, Centroid, MultiPolygon};
use geojson::{Feature, GeoJson};

use super::{Geography, Level, Neighbourhood, UTRECHT_GEMEENTE};

/// Property names that may hold the CBS code, in the order they are tried.
const CODE_KEYS: [&str; 5] = ["statcode", "buurtcode", "BU_CODE", "code", "wijkcode"];
/// Property names that may hold the display name, in the order they are tried.
const NAME_KEYS: [&str; 6] = [
    "statnaam",
    "name",
    "naam",
    "buurtnaam",
    "BU_NAAM",
    "wijknaam",
];

/// A feature we did not take, with the reason in plain Dutch.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// 1-based position of the feature in the file.
    pub feature: usize,
    pub code: Option<String>,
    pub reason: String,
}

/// What a file yielded.
#[derive(Debug, Default)]
pub struct BuurtFile {
    pub buurten: Vec<Neighbourhood>,
    pub skipped: Vec<Skipped>,
}

/// Why a buurt cannot join the geography, or `None` when it fits: it must be a buurt code, not
/// be built in (`is_known` answers for the embedded codes), and lie in a known wijk (`is_wijk`)
/// whose code it extends (BU08550110 lies in WK085501).
pub(super) fn misfit(
    n: &Neighbourhood,
    is_known: impl Fn(&str) -> bool,
    is_wijk: impl Fn(&str) -> bool,
) -> Option<String> {
    if n.level != Level::Buurt || Level::from_code(&n.code) != Some(Level::Buurt) {
        return Some("geen buurtcode".into());
    }
    if n.code[2..6] == UTRECHT_GEMEENTE[2..] || is_known(&n.code) {
        return Some("deze buurt zit al in Wijkwijzer (gemeente Utrecht)".into());
    }
    let wijk = format!("WK{}", &n.code[2..8]);
    if n.parent.as_deref() != Some(wijk.as_str()) {
        return Some(format!("hoort niet bij wijk {wijk}"));
    }
    if !is_wijk(&wijk) {
        return Some(format!("wijk {wijk} kennen we niet"));
    }
    None
}

/// Reads a GeoJSON FeatureCollection (or a single Feature) and keeps the buurten that fit
/// `geography`. A buurt imported before may be imported again (it is replaced). Errors only
/// when the text is not GeoJSON at all.
pub fn read_buurtkaart(text: &str, geography: &Geography) -> Result<BuurtFile, String> {
    let features = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(c)) => c.features,
        Ok(GeoJson::Feature(f)) => vec![f],
        Ok(GeoJson::Geometry(_)) => {
            return Err("het bestand is één losse geometrie, geen kaart met buurten".into());
        }
        Err(e) => return Err(format!("het bestand is geen geldige GeoJSON: {e}")),
    };
    let mut out = BuurtFile::default();
    let mut seen = HashSet::new();
    for (i, feature) in features.iter().enumerate() {
        let skip = |code: Option<&str>, reason: String| Skipped {
            feature: i + 1,
            code: code.map(str::to_string),
            reason,
        };
        let Some(code) = first_text(feature, &CODE_KEYS).map(|c| c.trim().to_ascii_uppercase())
        else {
            out.skipped
                .push(skip(None, "geen code (statcode of buurtcode)".into()));
            continue;
        };
        match Level::from_code(&code) {
            Some(Level::Buurt) => {}
            Some(level) => {
                out.skipped.push(skip(
                    Some(&code),
                    format!("een {level}, geen buurt: gemeenten en wijken zitten al in Wijkwijzer"),
                ));
                continue;
            }
            None => {
                out.skipped
                    .push(skip(Some(&code), "geen geldige CBS-buurtcode".into()));
                continue;
            }
        }
        let name = first_text(feature, &NAME_KEYS)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(code.as_str())
            .to_string();
        let geometry = match multipolygon(feature) {
            Ok(g) => g,
            Err(reason) => {
                out.skipped.push(skip(Some(&code), reason));
                continue;
            }
        };
        let Some(centroid) = geometry.centroid() else {
            out.skipped
                .push(skip(Some(&code), "de geometrie is leeg".into()));
            continue;
        };
        let n = Neighbourhood {
            parent: Some(format!("WK{}", &code[2..8])),
            code: code.clone(),
            name,
            level: Level::Buurt,
            geometry,
            centroid: (centroid.y(), centroid.x()),
        };
        let embedded = |c: &str| {
            // Buurten outside gemeente Utrecht can only be there from an earlier import,
            // which this one replaces.
            geography
                .get(c)
                .is_some_and(|n| n.code[2..6] == UTRECHT_GEMEENTE[2..])
        };
        let wijk = |c: &str| geography.get(c).is_some_and(|n| n.level == Level::Wijk);
        if let Some(reason) = misfit(&n, embedded, wijk) {
            out.skipped.push(skip(Some(&code), reason));
        } else if !seen.insert(code.clone()) {
            out.skipped
                .push(skip(Some(&code), "staat er dubbel in".into()));
        } else {
            out.buurten.push(n);
        }
    }
    Ok(out)
}

fn first_text<'a>(feature: &'a Feature, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|key| feature.property(key).and_then(|v| v.as_str()))
}

/// A (multi)polygon in WGS84 longitude/latitude; anything else is a reason to skip.
fn multipolygon(feature: &Feature) -> Result<MultiPolygon<f64>, String> {
    let geometry = feature
        .geometry
        .as_ref()
        .ok_or_else(|| "heeft geen geometrie".to_string())?;
    let geometry = to_geo(&geometry.value).map_err(|e| format!("onleesbare geometrie: {e}"))?;
    let multi = match geometry {
        geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        geo::Geometry::MultiPolygon(m) => m,
        _ => return Err("de geometrie is geen (multi)polygoon".into()),
    };
    let Some(bounds) = multi.bounding_rect() else {
        return Err("de geometrie is leeg".into());
    };
    // The Netherlands lies within about 3–7.3° E, 50.7–53.6° N. Coordinates far outside are
    // almost always Rijksdriehoek metres (EPSG:28992), which PDOK also offers.
    let inside = |x: f64, y: f64| (2.0..=8.0).contains(&x) && (50.0..=54.0).contains(&y);
    if !(inside(bounds.min().x, bounds.min().y) && inside(bounds.max().x, bounds.max().y)) {
        return Err(
            "de coördinaten liggen niet in Nederland in WGS84 (lengte/breedte); \
             is het bestand in RD (EPSG:28992)? Vraag de kaart op in WGS84 (EPSG:4326)"
                .into(),
        );
    }
    Ok(multi)
}

/// A GeoJSON geometry as a `geo` geometry, or why not.
///
/// Every position must hold a longitude and a latitude: the geojson crate reads `[]` and
/// `[5.1]` as positions but panics when it converts them (found by tests/fuzz), so they are
/// refused here first. Use this (or [`parse_geometry`]) for every geometry from outside.
pub fn to_geo(value: &geojson::GeometryValue) -> Result<geo::Geometry<f64>, String> {
    if !positions_complete(value) {
        return Err("een positie zonder lengte en breedte".into());
    }
    geo::Geometry::<f64>::try_from(value).map_err(|e| e.to_string())
}

/// GeoJSON geometry text (a stored boundary, a service area's extent) as a `geo` geometry;
/// `None` when it is not one we can read (see [`to_geo`]).
pub fn parse_geometry(text: &str) -> Option<geo::Geometry<f64>> {
    let geometry: geojson::Geometry = text.parse().ok()?;
    to_geo(&geometry.value).ok()
}

fn positions_complete(value: &geojson::GeometryValue) -> bool {
    use geojson::GeometryValue as G;
    let whole = |p: &geojson::Position| p.len() >= 2;
    match value {
        G::Point { coordinates } => whole(coordinates),
        G::MultiPoint { coordinates } | G::LineString { coordinates } => {
            coordinates.iter().all(whole)
        }
        G::MultiLineString { coordinates } | G::Polygon { coordinates } => {
            coordinates.iter().flatten().all(whole)
        }
        G::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().all(whole),
        G::GeometryCollection { geometries } => {
            geometries.iter().all(|g| positions_complete(&g.value))
        }
    }
}

/// A stored neighbourhood (geometry as GeoJSON text) back as a [`Neighbourhood`]; `None` when
/// the text is not a (multi)polygon.
pub fn from_stored(
    code: String,
    name: String,
    level: Level,
    parent: Option<String>,
    geometry_geojson: &str,
) -> Option<Neighbourhood> {
    let geometry = match parse_geometry(geometry_geojson)? {
        geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
        geo::Geometry::MultiPolygon(m) => m,
        _ => return None,
    };
    let centroid = geometry.centroid()?;
    Some(Neighbourhood {
        code,
        name,
        level,
        parent,
        geometry,
        centroid: (centroid.y(), centroid.x()),
    })
}
