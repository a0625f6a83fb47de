//! Spatial order of the index, and the coarse "near this point" filter it makes cheap.
//!
//! Every document carries a `spatial_key`: the Morton (Z-order) code of one representative
//! point (its location, or the centre of the area it serves). The index is sorted by that key
//! (tantivy's `sort_by_field`), so services that lie close together get neighbouring doc ids.
//!
//! Why: tantivy evaluates a text query's union of term scorers in windows of 4,096 doc ids.
//! With documents in arrival order, the services of one wijk are spread over the whole index
//! and a neighbourhood filter still makes every window of the union be evaluated. Sorted, a
//! wijk is a few runs of doc ids and the intersection skips the windows in between. Likewise a
//! radius search no longer has to test the distance of every text match in the province: the
//! Z-order cells around the circle are a few doc-id runs, found by binary search per segment
//! ([`KeyRangesQuery`]), and only those (plus the services that serve the caller's area or
//! have several locations) reach the exact test in the collector.

use std::ops::Range;
use std::sync::Arc;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError};

use super::collector::Radius;

/// The box over which keys are spread: the Netherlands with a margin. A point outside it is
/// clamped onto its edge; clamping and quantising keep the order on each axis, so a box that
/// contains a point still covers that point's key (see [`covering_ranges`]).
const MIN_LAT: f64 = 50.5;
const MAX_LAT: f64 = 53.7;
const MIN_LON: f64 = 3.2;
const MAX_LON: f64 = 7.3;
/// Bits per axis: 2¹⁶ steps of ~5 m (latitude) and ~4 m (longitude).
const BITS: u32 = 16;
const STEPS: f64 = ((1u32 << BITS) - 1) as f64;
/// Cells used to cover a box: the finest grid level that needs at most this many. More cells
/// fit the circle more tightly; each costs two binary searches per segment.
const MAX_COVER_CELLS: u64 = 32;
/// Key of a document without any point (sorted last; never inside a covering range).
pub(crate) const NO_ANCHOR: u64 = u64::MAX;

fn quantize(value: f64, min: f64, max: f64) -> u32 {
    // `clamp` keeps NaN, and `NaN as u32` is 0: still a valid (if meaningless) key.
    (((value - min) / (max - min)).clamp(0.0, 1.0) * STEPS).floor() as u32
}

/// Spreads the 16 low bits of `v` over the even bit positions.
fn spread(v: u32) -> u64 {
    let mut x = u64::from(v & 0xFFFF);
    x = (x | (x << 8)) & 0x00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333;
    x = (x | (x << 1)) & 0x5555_5555;
    x
}

fn cell_key(x: u32, y: u32) -> u64 {
    spread(x) | (spread(y) << 1)
}

/// The grid step `(x, y)` of a point: its key's two axes. Keys and covers both use it, so a
/// box's cover holds the key of every point in the box.
fn grid_step(latitude: f64, longitude: f64) -> (u32, u32) {
    (
        quantize(longitude, MIN_LON, MAX_LON),
        quantize(latitude, MIN_LAT, MAX_LAT),
    )
}

/// The key of a point.
pub(crate) fn spatial_key(latitude: f64, longitude: f64) -> u64 {
    let (x, y) = grid_step(latitude, longitude);
    cell_key(x, y)
}

/// A latitude/longitude box in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GeoBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

/// Degrees added on every side, for rounding (points are stored as f32: ~0.5 m).
const BOX_MARGIN_DEG: f64 = 1e-4;

/// A box that contains every point within `metres` (great-circle) of the origin, by the same
/// bounds as the collector's exact test ([`Radius`]); `None` where no useful box exists
/// (near a pole, or across the antimeridian).
pub(crate) fn radius_box(latitude: f64, longitude: f64, metres: f64) -> Option<GeoBox> {
    let radius = Radius::around(latitude.to_radians(), metres);
    let max_dlon_rad = radius.max_dlon_rad?;
    let dlat = radius.max_dlat_rad.to_degrees() + BOX_MARGIN_DEG;
    let dlon = max_dlon_rad.to_degrees() + BOX_MARGIN_DEG;
    let area = GeoBox {
        min_lat: latitude - dlat,
        max_lat: latitude + dlat,
        min_lon: longitude - dlon,
        max_lon: longitude + dlon,
    };
    let finite = [area.min_lat, area.max_lat, area.min_lon, area.max_lon]
        .iter()
        .all(|v| v.is_finite());
    (finite && area.min_lon >= -180.0 && area.max_lon <= 180.0).then_some(area)
}

/// Half-open key ranges, sorted and disjoint, that contain the key of every point inside
/// `area`: the Z-order cells of the finest grid level that covers it with at most
/// [`MAX_COVER_CELLS`] cells. An aligned cell of 2ᵏ × 2ᵏ steps is one contiguous run of 4ᵏ keys.
pub(crate) fn covering_ranges(area: &GeoBox) -> Vec<Range<u64>> {
    let (x0, y0) = grid_step(area.min_lat, area.min_lon);
    let (x1, y1) = grid_step(area.max_lat, area.max_lon);
    let cells = |level: u32| {
        u64::from((x1 >> level) - (x0 >> level) + 1) * u64::from((y1 >> level) - (y0 >> level) + 1)
    };
    let mut level = 0;
    while level < BITS && cells(level) > MAX_COVER_CELLS {
        level += 1;
    }
    let mut ranges: Vec<Range<u64>> = Vec::new();
    for cy in (y0 >> level)..=(y1 >> level) {
        for cx in (x0 >> level)..=(x1 >> level) {
            let start = cell_key(cx << level, cy << level);
            ranges.push(start..start + (1u64 << (2 * level)));
        }
    }
    ranges.sort_unstable_by_key(|r| r.start);
    let mut merged: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Documents whose `spatial_key` lies in one of the ranges. Relies on every segment being
/// sorted by that key (the index settings, see `schema::index_builder`): the matching doc ids
/// of a range are then one run, found by binary search. Matches score a constant.
#[derive(Clone, Debug)]
pub(crate) struct KeyRangesQuery {
    field_name: &'static str,
    ranges: Arc<Vec<Range<u64>>>,
}

impl KeyRangesQuery {
    pub(crate) fn new(field_name: &'static str, ranges: Vec<Range<u64>>) -> Self {
        Self {
            field_name,
            ranges: Arc::new(ranges),
        }
    }

    /// The runs of doc ids in this segment whose key lies in the ranges.
    fn runs(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Range<DocId>>> {
        let column = reader.fast_fields().u64(self.field_name)?;
        let max_doc = reader.max_doc();
        // Every document is written with a key (`schema::to_tantivy`). Were one missing,
        // tantivy would sort it first, so it is read as the smallest key to keep the order.
        let key = |doc: DocId| column.first(doc).unwrap_or(0);
        // First doc id in [from, max_doc) whose key is >= bound.
        let lower_bound = |from: DocId, bound: u64| {
            let (mut lo, mut hi) = (from, max_doc);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if key(mid) < bound {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let mut runs: Vec<Range<DocId>> = Vec::with_capacity(self.ranges.len());
        let mut from = 0;
        for range in self.ranges.iter() {
            let start = lower_bound(from, range.start);
            let end = lower_bound(start, range.end);
            if start < end {
                match runs.last_mut() {
                    Some(last) if last.end == start => last.end = end,
                    _ => runs.push(start..end),
                }
            }
            from = end;
        }
        Ok(runs)
    }
}

impl Query for KeyRangesQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for KeyRangesQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(RunsScorer::new(self.runs(reader)?, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.runs(reader)?.iter().any(|run| run.contains(&doc)) {
            Ok(Explanation::new("KeyRangesQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} is outside the key ranges"
            )))
        }
    }
}

/// Doc ids in sorted, disjoint runs.
struct RunsScorer {
    runs: Vec<Range<DocId>>,
    run: usize,
    doc: DocId,
    score: Score,
}

impl RunsScorer {
    fn new(runs: Vec<Range<DocId>>, score: Score) -> Self {
        let doc = runs.first().map_or(TERMINATED, |run| run.start);
        Self {
            runs,
            run: 0,
            doc,
            score,
        }
    }

    /// Positions on the first doc >= `target`, from the current run on.
    fn move_to(&mut self, target: DocId) -> DocId {
        while self.run < self.runs.len() && self.runs[self.run].end <= target {
            self.run += 1;
        }
        self.doc = match self.runs.get(self.run) {
            Some(run) => target.max(run.start),
            None => TERMINATED,
        };
        self.doc
    }
}

impl DocSet for RunsScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.move_to(self.doc + 1)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc {
            return self.doc;
        }
        self.move_to(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.runs.iter().map(|run| run.end - run.start).sum()
    }
}

impl Scorer for RunsScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}

#[cfg(test)]
mod tests {
    use super::super::collector::EARTH_RADIUS_M;
    use super::*;

    #[test]
    fn keys_keep_the_order_of_each_axis() {
        // Same latitude, growing longitude (and the reverse) give growing keys.
        let west = spatial_key(52.09, 5.10);
        let east = spatial_key(52.09, 5.12);
        let south = spatial_key(52.08, 5.10);
        let north = spatial_key(52.10, 5.10);
        assert!(west < east, "{west} < {east}");
        assert!(south < north, "{south} < {north}");
        // Clamped onto the box's edge, not wrapped into other bits.
        assert_eq!(spatial_key(52.0, 9.0), spatial_key(52.0, MAX_LON));
        assert_eq!(spatial_key(60.0, 5.0), spatial_key(MAX_LAT, 5.0));
        assert_eq!(spatial_key(40.0, -20.0), spatial_key(MIN_LAT, MIN_LON));
        assert_ne!(spatial_key(52.09, 5.11), NO_ANCHOR);
    }

    #[test]
    fn covering_ranges_contain_every_point_of_the_box() {
        let area = GeoBox {
            min_lat: 52.07,
            max_lat: 52.11,
            min_lon: 5.08,
            max_lon: 5.15,
        };
        let ranges = covering_ranges(&area);
        assert!(!ranges.is_empty() && ranges.len() as u64 <= MAX_COVER_CELLS);
        assert!(
            ranges.windows(2).all(|w| w[0].end < w[1].start),
            "{ranges:?}"
        );
        let inside = |key: u64| ranges.iter().any(|r| r.contains(&key));
        for i in 0..=40 {
            for j in 0..=40 {
                let lat = area.min_lat + (area.max_lat - area.min_lat) * f64::from(i) / 40.0;
                let lon = area.min_lon + (area.max_lon - area.min_lon) * f64::from(j) / 40.0;
                assert!(inside(spatial_key(lat, lon)), "{lat} {lon}");
            }
        }
        // The cover is coarse but local: Amersfoort and Amsterdam are outside it.
        assert!(!inside(spatial_key(52.156, 5.387)));
        assert!(!inside(spatial_key(52.37, 4.90)));
        assert!(!inside(NO_ANCHOR));
    }

    #[test]
    fn radius_box_holds_the_circle() {
        // 2 km around Utrecht Centraal: a point 1.99 km due east, north, south-west is inside.
        let (lat, lon) = (52.0894, 5.1101);
        let area = radius_box(lat, lon, 2_000.0).expect("a box");
        let metres_per_deg_lat = EARTH_RADIUS_M.to_radians();
        let metres_per_deg_lon = metres_per_deg_lat * lat.to_radians().cos();
        assert!(area.max_lat >= lat + 1_990.0 / metres_per_deg_lat);
        assert!(area.min_lat <= lat - 1_990.0 / metres_per_deg_lat);
        assert!(area.max_lon >= lon + 1_990.0 / metres_per_deg_lon);
        assert!(area.min_lon <= lon - 1_990.0 / metres_per_deg_lon);
        // ... and not much more than the circle.
        assert!(area.max_lat < lat + 2_100.0 / metres_per_deg_lat);
        assert!(area.max_lon < lon + 2_100.0 / metres_per_deg_lon);
        assert_eq!(radius_box(89.99, 0.0, 5_000.0), None);
        assert_eq!(radius_box(52.0, 179.99, 5_000.0), None);
    }

    #[test]
    fn runs_scorer_advances_and_seeks_across_runs() {
        let mut scorer = RunsScorer::new(vec![2..4, 10..11, 20..23], 1.0);
        let mut seen = vec![scorer.doc()];
        while scorer.advance() != TERMINATED {
            seen.push(scorer.doc());
        }
        assert_eq!(seen, vec![2, 3, 10, 20, 21, 22]);
        assert_eq!(scorer.size_hint(), 6);

        let mut scorer = RunsScorer::new(vec![2..4, 10..11, 20..23], 1.0);
        assert_eq!(scorer.seek(3), 3);
        assert_eq!(scorer.seek(5), 10);
        assert_eq!(scorer.seek(10), 10);
        assert_eq!(scorer.seek(21), 21);
        assert_eq!(scorer.seek(23), TERMINATED);
        assert_eq!(RunsScorer::new(Vec::new(), 1.0).doc(), TERMINATED);
    }
}
