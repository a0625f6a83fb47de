//! Which neighbourhoods a service area covers: by the share of each neighbourhood's area that
//! lies inside a GeoJSON extent, and by CBS codes written in a service area's text.
//!
//! # The rule (also in README.md, "Neighbourhoods")
//!
//! An extent **covers** a neighbourhood when at least a substantial share of the
//! neighbourhood's area lies inside it:
//!
//! * a buurt or wijk: at least [`NEIGHBOURHOOD_SHARE`] (50 %);
//! * a gemeente: at least [`GEMEENTE_SHARE`] (90 %).
//!
//! Touching (a shared boundary, a sliver along an edge) never counts. Why shares and not
//! "intersects": another system draws the same wijk with other vertices, simplified or from
//! another year, so its polygon pokes a little into every neighbour and — if touching counted —
//! into the gemeente, which made a group for one wijk city-wide. Half a neighbourhood is the
//! natural middle: a wijk drawn a bit too small still counts, its neighbours do not. A gemeente
//! needs far more, because "serves the whole gemeente" is a strong promise (every wijk of it
//! matches), and an extent of one or two large wijken can reach a good part of a small gemeente.
//!
//! Shares are computed on longitude/latitude as planar coordinates. Both areas of a share lie at
//! the same latitude, so the east-west scale (cos latitude) cancels out; within a region the
//! error is far below the layers' own precision (see the module documentation of `geo`).

use geo::{Area, BooleanOps, BoundingRect, Geometry, MultiPolygon};
use rstar::AABB;

use super::{Geography, Level};

/// The share of a buurt's or wijk's area an extent must cover for the area to count.
pub const NEIGHBOURHOOD_SHARE: f64 = 0.5;
/// The share of a gemeente's area an extent must cover for the whole gemeente to count.
pub const GEMEENTE_SHARE: f64 = 0.9;

/// The share of its area a neighbourhood of `level` needs covered.
pub fn required_share(level: Level) -> f64 {
    match level {
        Level::Gemeente => GEMEENTE_SHARE,
        Level::Wijk | Level::Buurt => NEIGHBOURHOOD_SHARE,
    }
}

/// The areal part of a geometry as one multipolygon: polygons, multipolygons, rectangles,
/// triangles and collections of them. `None` when nothing in it has an area (a point, a line):
/// such an extent covers nothing.
pub fn areal(geometry: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
    let mut polygons = Vec::new();
    collect_polygons(geometry, &mut polygons);
    let multi = MultiPolygon::new(polygons);
    (multi.unsigned_area() > 0.0).then_some(multi)
}

fn collect_polygons(geometry: &Geometry<f64>, out: &mut Vec<geo::Polygon<f64>>) {
    match geometry {
        Geometry::Polygon(p) => out.push(p.clone()),
        Geometry::MultiPolygon(m) => out.extend(m.0.iter().cloned()),
        Geometry::Rect(r) => out.push(r.to_polygon()),
        Geometry::Triangle(t) => out.push(t.to_polygon()),
        Geometry::GeometryCollection(c) => {
            for g in c {
                collect_polygons(g, out);
            }
        }
        Geometry::Point(_)
        | Geometry::Line(_)
        | Geometry::LineString(_)
        | Geometry::MultiPoint(_)
        | Geometry::MultiLineString(_) => {}
    }
}

impl Geography {
    /// Codes of every gemeente, wijk and buurt that `extent` (WGS84, `x` = longitude) covers by
    /// the rule of this module: ordered gemeenten, wijken, buurten, each by code. Empty for an
    /// extent without area.
    pub fn codes_covered(&self, extent: &Geometry<f64>) -> Vec<String> {
        let Some(extent) = areal(extent) else {
            return Vec::new();
        };
        let Some(bounds) = extent.bounding_rect() else {
            return Vec::new();
        };
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_corners(
                [bounds.min().x, bounds.min().y],
                [bounds.max().x, bounds.max().y],
            ))
            .map(|entry| entry.data)
            .filter(|&i| self.share_covered(i, &extent) >= required_share(self.items[i].level))
            .collect();
        // Items are sorted by (level, code).
        hits.sort_unstable();
        hits.into_iter()
            .map(|i| self.items[i].code.clone())
            .collect()
    }

    /// The share (0–1) of the area of neighbourhood `code` that lies inside `extent`; `None`
    /// for an unknown code. For tests and diagnostics.
    pub fn share_of_code_covered(&self, code: &str, extent: &Geometry<f64>) -> Option<f64> {
        let &i = self.by_code.get(code)?;
        Some(areal(extent).map_or(0.0, |e| self.share_covered(i, &e)))
    }

    fn share_covered(&self, i: usize, extent: &MultiPolygon<f64>) -> f64 {
        let own = &self.items[i].geometry;
        let total = own.unsigned_area();
        if total <= 0.0 {
            return 0.0;
        }
        own.intersection(extent).unsigned_area() / total
    }
}

impl Geography {
    /// The CBS codes written in a text; see [`codes_in_text`].
    pub fn codes_in_text(text: &str) -> Vec<String> {
        codes_in_text(text)
    }

    /// The areal part of an extent; see [`areal`]. `None`: it covers nothing.
    pub fn covered_area_of(extent: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
        areal(extent)
    }
}

/// The CBS codes written in a text (a service area's `name`, `uri` or `description`):
/// `GM` + 4 digits, `WK` + 6, `BU` + 8, not glued to other letters or digits ("Overvecht
/// (WK034403)", `https://…/gebieden/WK034403`, `urn:nl-cbs:BU03440321`). Letters in either
/// case; returned uppercase, in order of appearance, without repeats. Whether a code exists is
/// for the caller to check.
pub fn codes_in_text(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 2 <= bytes.len() {
        let glued_before = i > 0 && bytes[i - 1].is_ascii_alphanumeric();
        let prefix = [
            bytes[i].to_ascii_uppercase(),
            bytes[i + 1].to_ascii_uppercase(),
        ];
        let digits = match &prefix {
            b"GM" => 4,
            b"WK" => 6,
            b"BU" => 8,
            _ => 0,
        };
        if digits > 0 && !glued_before {
            let end = i + 2 + digits;
            let shaped = end <= bytes.len()
                && bytes[i + 2..end].iter().all(u8::is_ascii_digit)
                && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
            if shaped {
                // ASCII only, so the byte range is a char boundary.
                let code = text[i..end].to_ascii_uppercase();
                if !found.contains(&code) {
                    found.push(code);
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, LineString, Polygon};

    fn geography() -> &'static Geography {
        static GEO: std::sync::OnceLock<Geography> = std::sync::OnceLock::new();
        GEO.get_or_init(|| Geography::load_embedded().expect("embedded geography"))
    }

    fn scaled(code: &str, factor: f64) -> Geometry<f64> {
        let n = geography().get(code).unwrap();
        let (cy, cx) = n.centroid;
        let polygons = n
            .geometry
            .0
            .iter()
            .map(|p| {
                let ring = |l: &LineString<f64>| {
                    LineString::new(
                        l.0.iter()
                            .map(|c| Coord {
                                x: cx + (c.x - cx) * factor,
                                y: cy + (c.y - cy) * factor,
                            })
                            .collect(),
                    )
                };
                Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())
            })
            .collect();
        Geometry::MultiPolygon(MultiPolygon::new(polygons))
    }

    #[test]
    fn a_wijk_covers_itself_and_its_buurten_but_not_its_neighbours_or_gemeente() {
        let g = geography();
        let extent = Geometry::MultiPolygon(g.get("WK034403").unwrap().geometry.clone());
        let codes = g.codes_covered(&extent);
        assert!(codes.contains(&"WK034403".to_string()), "{codes:?}");
        let buurten: Vec<_> = g
            .children("WK034403")
            .iter()
            .map(|b| b.code.clone())
            .collect();
        for b in &buurten {
            assert!(codes.contains(b), "{b} missing from {codes:?}");
        }
        // Exactly the wijk and its buurten: touching neighbours and the gemeente do not count.
        assert_eq!(codes.len(), 1 + buurten.len(), "{codes:?}");
    }

    #[test]
    fn a_slightly_smaller_or_larger_drawing_of_a_wijk_still_means_that_wijk_only() {
        let g = geography();
        for factor in [0.95, 1.03] {
            let codes = g.codes_covered(&scaled("WK034402", factor));
            let wijken: Vec<_> = codes.iter().filter(|c| c.starts_with("WK")).collect();
            assert_eq!(wijken, ["WK034402"], "factor {factor}: {codes:?}");
            assert!(!codes.iter().any(|c| c.starts_with("GM")), "{codes:?}");
        }
    }

    #[test]
    fn the_gemeente_counts_only_when_nearly_all_of_it_is_covered() {
        let g = geography();
        let utrecht = g.get("GM0344").unwrap();
        let whole = Geometry::MultiPolygon(utrecht.geometry.clone());
        assert!(g.codes_covered(&whole).contains(&"GM0344".to_string()));
        // A tenth less (scaled to ~81 % of its area) is no longer the whole gemeente.
        let most = g.codes_covered(&scaled("GM0344", 0.9));
        assert!(!most.contains(&"GM0344".to_string()), "{most:?}");
        let share = g.share_of_code_covered("GM0344", &scaled("GM0344", 0.9));
        assert!(share.is_some_and(|s| (0.7..0.9).contains(&s)), "{share:?}");
    }

    #[test]
    fn extents_without_area_cover_nothing() {
        let g = geography();
        let point = Geometry::Point(geo::Point::new(5.1135, 52.1165));
        assert!(g.codes_covered(&point).is_empty());
        let line = Geometry::LineString(LineString::from(vec![(5.10, 52.10), (5.12, 52.12)]));
        assert!(g.codes_covered(&line).is_empty());
        assert_eq!(g.share_of_code_covered("WK034403", &point), Some(0.0));
        assert_eq!(g.share_of_code_covered("WK999999", &point), None);
    }

    #[test]
    fn cbs_codes_are_found_in_names_uris_and_descriptions() {
        assert_eq!(codes_in_text("Overvecht (WK034403)"), ["WK034403"]);
        assert_eq!(
            codes_in_text("https://www.cbs.nl/nl-nl/gebieden/wk034408"),
            ["WK034408"]
        );
        assert_eq!(codes_in_text("urn:nl-cbs:BU03440321"), ["BU03440321"]);
        assert_eq!(
            codes_in_text("GM0344 en WK034403, nog eens GM0344"),
            ["GM0344", "WK034403"]
        );
        // Wrong length, glued to letters or digits: not a code.
        for text in [
            "WK03440",
            "WK0344031",
            "XWK034403",
            "GM03441",
            "BUREAU",
            "gm",
        ] {
            assert!(codes_in_text(text).is_empty(), "{text}");
        }
        assert!(codes_in_text("").is_empty());
        assert_eq!(codes_in_text("é GM0344 ü"), ["GM0344"]);
    }
}
