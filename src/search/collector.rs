//! One collector that does everything after matching, in a single pass over the matching
//! documents: the radius rule, total, facet counts and the top-k page.
//!
//! Why one custom collector instead of `(Count, TopDocs, FacetCollector…)`: the radius filter
//! ("nearest point within r **or** serves the caller's area") is not a query, and total and
//! facets must be computed *after* it. Doing it all here also means each matching document is
//! visited once, with no allocation per document:
//! - facet counts are per-segment `Vec<u32>` indexed by the fast field's term ordinal; strings
//!   are resolved once per segment in `harvest`;
//! - "serves your area" is a per-segment bitset built from the postings of the covering codes;
//! - the top-k heap is ordered by (primary key, name ordinal, doc id). Name ordinals are only
//!   comparable inside a segment; across segments `merge_fruits` compares the 16-byte name
//!   prefix stored as two u64 fast fields, and reads the name strings only for entries whose
//!   prefixes tie (string dictionary lookups decompress a block each, so they are avoided).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader};
use tantivy::{TERMINATED, Term};

use super::schema::{NO_POINT, SEVERAL_POINTS, names, unpack_point};
use super::{FacetCount, Facets, GeoPoint, SortOrder};

/// Mean earth radius in metres (IUGG).
pub(crate) const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Facet fields, in the order of the [`Facets`] fields.
const FACET_FIELDS: [&str; 6] = [
    names::CATEGORY_CODES,
    names::TARGET_GROUP_CODES,
    names::FACET_WIJKEN,
    names::ACCESS_ROUTE,
    names::COST,
    names::LANGUAGE_CODES,
];

/// Relevance blended with distance ("Beste match" with a postcode): a hit's score is multiplied
/// by `BLEND_FLOOR + (1 − BLEND_FLOOR) · ½^(d / BLEND_HALF_DISTANCE_M)`, an exponential decay
/// as in Elasticsearch's `function_score` — on the doorstep ×1, at 2 km ×0.625, far away ×0.25.
/// So a postcode changes the order, yet a much better match further away still beats a weak
/// one next door. `d` is the effective distance of [`effective_distance_m`].
pub(crate) const BLEND_FLOOR: f64 = 0.25;
pub(crate) const BLEND_HALF_DISTANCE_M: f64 = 2_000.0;
/// Effective distance of a service that serves the origin's whole gemeente but has no location
/// nearer: it works here, but is not as local as one that serves the resident's own wijk.
pub(crate) const GEMEENTE_SERVICE_DISTANCE_M: f64 = 3_000.0;

/// The distance that ranks a hit near an origin: a service that serves the origin's own buurt or
/// wijk counts as on the doorstep ("werkt in uw wijk"), one that serves its gemeente as at most
/// [`GEMEENTE_SERVICE_DISTANCE_M`]; otherwise its nearest location (`None`: unknown, ranks
/// last).
pub(crate) fn effective_distance_m(
    nearest_m: Option<f64>,
    serves_area: bool,
    serves_local: bool,
) -> Option<f64> {
    if serves_local {
        Some(0.0)
    } else if serves_area {
        Some(nearest_m.map_or(GEMEENTE_SERVICE_DISTANCE_M, |d| {
            d.min(GEMEENTE_SERVICE_DISTANCE_M)
        }))
    } else {
        nearest_m
    }
}

/// The multiplier of [`BLEND_FLOOR`]'s formula; an unknown distance gets the floor.
pub(crate) fn distance_decay(effective_m: Option<f64>) -> f64 {
    match effective_m {
        Some(d) => {
            BLEND_FLOOR + (1.0 - BLEND_FLOOR) * 0.5f64.powf(d.max(0.0) / BLEND_HALF_DISTANCE_M)
        }
        None => BLEND_FLOOR,
    }
}

/// A stale listing's relevance score is multiplied by this (see
/// [`super::SearchRequest::stale_before`]): it needs a 25 % better match to rank beside a fresh
/// one, so a stale listing that matches much better still comes first — the information may
/// well still be right, it is only unconfirmed. Stronger penalties would bury the only
/// listing of a rare offer.
///
/// Cost: one read of a bit-packed i64 fast-field value per matching document, only for text
/// searches sorted by relevance that keep hits — a few nanoseconds next to the BM25 scoring
/// of the same document, and nothing for counting-only (`limit = 0`), name or distance
/// searches.
pub const STALE_RANK_FACTOR: f64 = 0.8;

/// Distance parameters, validated by the caller.
#[derive(Debug, Clone)]
pub(crate) struct NearSpec {
    pub origin: GeoPoint,
    pub radius_m: Option<f64>,
    /// Terms on `served_area_codes` for the codes covering the origin.
    pub covering_terms: Vec<Term>,
    /// The subset of `covering_terms` for the origin's buurt and wijk (not its gemeente).
    pub local_terms: Vec<Term>,
    pub served_area_field: Field,
}

pub(crate) struct SearchCollector {
    pub sort: SortOrder,
    /// Only true for relevance sorting of a text query; otherwise tantivy can skip scoring.
    pub scoring: bool,
    /// Multiply scores by the distance decay (relevance sorting with an origin).
    pub blend: bool,
    pub near: Option<NearSpec>,
    /// offset + limit: how many entries each segment must keep.
    pub keep: usize,
    /// Count each hit's HSDS service-at-locations (see [`SearchSegmentCollector::pairs_of`]);
    /// hits without any are then counted in `total` but not kept.
    pub count_pairs: bool,
    /// Julian day before which a listing is stale; `Some` only when scoring.
    pub stale_before_day: Option<i64>,
}

/// One ranked entry, comparable across segments.
#[derive(Clone)]
pub(crate) struct RankedHit {
    /// 1 for temporarily closed services when sorting by relevance or distance: they come
    /// after every open one. Compared before `primary`.
    tier: u8,
    primary: f64,
    name_key: (u64, u64),
    name_ord: u64,
    /// To read the full name when two prefixes from different segments tie.
    name_column: Option<StrColumn>,
    pub address: DocAddress,
    pub score: Score,
    pub distance_m: Option<f64>,
    pub serves_area: bool,
    pub serves_local: bool,
    /// Its service-at-locations, when the collector counts them (else 0).
    pub pairs: u32,
}

impl RankedHit {
    /// Order without reading strings: exact inside a segment; across segments exact unless
    /// the 16-byte name prefixes tie (see [`resolve_name_ties`]).
    fn cmp_fast(&self, other: &Self) -> Ordering {
        self.tier
            .cmp(&other.tier)
            .then_with(|| self.primary.total_cmp(&other.primary))
            .then_with(|| self.name_key.cmp(&other.name_key))
            .then_with(|| self.address.segment_ord.cmp(&other.address.segment_ord))
            .then_with(|| self.name_ord.cmp(&other.name_ord))
            .then_with(|| self.address.doc_id.cmp(&other.address.doc_id))
    }

    fn same_rank_prefix(&self, other: &Self) -> bool {
        self.tier == other.tier
            && self.primary.total_cmp(&other.primary) == Ordering::Equal
            && self.name_key == other.name_key
    }

    fn full_name(&self) -> String {
        let mut name = String::new();
        if let Some(column) = &self.name_column
            && let Err(error) = column.ord_to_str(self.name_ord, &mut name)
        {
            tracing::warn!(%error, "name_sort niet leesbaar");
        }
        name
    }
}

pub(crate) struct SegmentFruit {
    total: u64,
    pairs_total: u64,
    facets: [Vec<(String, u64)>; 6],
    hits: Vec<RankedHit>,
}

/// Merged result.
pub(crate) struct CollectedResults {
    pub total: u64,
    /// The service-at-locations of all hits, when the collector counts them (else 0).
    pub pairs_total: u64,
    pub facets: Facets,
    /// All kept hits in final order (`keep` of them at most); the caller applies the offset.
    pub hits: Vec<RankedHit>,
}

impl Collector for SearchCollector {
    type Fruit = CollectedResults;
    type Child = SearchSegmentCollector;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = segment.fast_fields();
        let facet_columns = FACET_FIELDS.map(|name| fast.str(name));
        let mut facets: [Option<(StrColumn, Vec<u32>)>; 6] = Default::default();
        for (slot, column) in facets.iter_mut().zip(facet_columns) {
            *slot = column?.map(|column| {
                let counts = vec![0u32; column.num_terms()];
                (column, counts)
            });
        }

        let (served, served_local, origin) = match &self.near {
            Some(near) => {
                let inverted = segment.inverted_index(near.served_area_field)?;
                let postings_of = |terms: &[Term]| -> tantivy::Result<BitSet> {
                    let mut bitset = BitSet::with_max_value(segment.max_doc());
                    for term in terms {
                        if let Some(mut postings) =
                            inverted.read_postings(term, IndexRecordOption::Basic)?
                        {
                            let mut doc = postings.doc();
                            while doc != TERMINATED {
                                bitset.insert(doc);
                                doc = postings.advance();
                            }
                        }
                    }
                    Ok(bitset)
                };
                (
                    Some(postings_of(&near.covering_terms)?),
                    Some(postings_of(&near.local_terms)?),
                    Some(Origin::new(&near.origin)),
                )
            }
            None => (None, None, None),
        };

        Ok(SearchSegmentCollector {
            segment_ord,
            sort: self.sort,
            keep: self.keep,
            radius: match (&self.near, &origin) {
                (Some(near), Some(origin)) => {
                    near.radius_m.map(|m| Radius::around(origin.lat_rad, m))
                }
                _ => None,
            },
            blend: self.blend,
            origin,
            served,
            served_local,
            points: fast.column_opt::<u64>(names::POINTS)?,
            sole_point: fast.column_opt::<u64>(names::SOLE_POINT)?,
            location_count: if self.count_pairs {
                fast.column_opt::<u64>(names::LOCATION_COUNT)?
            } else {
                None
            },
            count_pairs: self.count_pairs,
            pairs_total: 0,
            stale_before_day: self.stale_before_day,
            assured_day: match self.stale_before_day {
                Some(_) => fast.column_opt::<i64>(names::ASSURED_DAY)?,
                None => None,
            },
            // Name order is alphabetical whatever the status; the other orders put closed
            // services last.
            temporarily_closed: match self.sort {
                SortOrder::Name => None,
                SortOrder::Relevance | SortOrder::Distance => {
                    fast.column_opt::<bool>(names::TEMPORARILY_CLOSED)?
                }
            },
            name_sort: fast.str(names::NAME_SORT)?,
            name_key_hi: fast.column_opt::<u64>(names::NAME_KEY_HI)?,
            name_key_lo: fast.column_opt::<u64>(names::NAME_KEY_LO)?,
            facets,
            total: 0,
            heap: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<CollectedResults> {
        let mut total = 0;
        let mut pairs_total = 0;
        let mut merged: [HashMap<String, u64>; 6] = Default::default();
        let mut hits = Vec::new();
        for fruit in fruits {
            total += fruit.total;
            pairs_total += fruit.pairs_total;
            for (into, from) in merged.iter_mut().zip(fruit.facets) {
                for (code, count) in from {
                    *into.entry(code).or_default() += count;
                }
            }
            hits.extend(fruit.hits);
        }
        hits.sort_by(RankedHit::cmp_fast);
        resolve_name_ties(&mut hits, self.keep);
        hits.truncate(self.keep);
        let [
            categories,
            target_groups,
            wijken,
            access_routes,
            costs,
            languages,
        ] = merged.map(sorted_counts);
        Ok(CollectedResults {
            total,
            pairs_total,
            facets: Facets {
                categories,
                target_groups,
                wijken,
                access_routes,
                costs,
                languages,
            },
            hits,
        })
    }
}

/// Within runs of equal (primary, name prefix) that span several segments, order by the full
/// name. Names are read once per hit and only for runs that reach into the kept page range.
fn resolve_name_ties(hits: &mut [RankedHit], keep: usize) {
    let mut start = 0;
    while start < hits.len().min(keep) {
        let mut end = start + 1;
        while end < hits.len() && hits[start].same_rank_prefix(&hits[end]) {
            end += 1;
        }
        let run = &mut hits[start..end];
        let first_segment = run[0].address.segment_ord;
        if run.iter().any(|h| h.address.segment_ord != first_segment) {
            let mut named: Vec<(String, RankedHit)> =
                run.iter().map(|h| (h.full_name(), h.clone())).collect();
            named.sort_by(|(a_name, a), (b_name, b)| {
                a_name.cmp(b_name).then_with(|| a.address.cmp(&b.address))
            });
            for (slot, (_, hit)) in run.iter_mut().zip(named) {
                *slot = hit;
            }
        }
        start = end;
    }
}

fn sorted_counts(counts: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts
        .into_iter()
        .map(|(code, count)| FacetCount { code, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    out
}

/// The search origin with its latitude pre-converted, for haversine.
#[derive(Debug, Clone, Copy)]
struct Origin {
    lat_rad: f64,
    lon_rad: f64,
    cos_lat: f64,
}

impl Origin {
    fn new(point: &GeoPoint) -> Self {
        let lat_rad = point.latitude.to_radians();
        Self {
            lat_rad,
            lon_rad: point.longitude.to_radians(),
            cos_lat: lat_rad.cos(),
        }
    }

    /// Haversine "a" term; monotonic in distance, so minima can be taken before `asin`.
    fn haversine_a(&self, lat: f64, lon: f64) -> f64 {
        let lat_rad = lat.to_radians();
        let half_dlat = (lat_rad - self.lat_rad) * 0.5;
        let half_dlon = (lon.to_radians() - self.lon_rad) * 0.5;
        let s_lat = half_dlat.sin();
        let s_lon = half_dlon.sin();
        s_lat * s_lat + self.cos_lat * lat_rad.cos() * s_lon * s_lon
    }

    fn metres_from_a(a: f64) -> f64 {
        2.0 * EARTH_RADIUS_M * a.clamp(0.0, 1.0).sqrt().asin()
    }
}

/// Whether `point` lies within `metres` of `origin`, by the collector's own test and at the
/// precision the index holds points (f32), so that callers filtering locations from the
/// database agree with what the collector counted.
pub fn within_radius(origin: GeoPoint, point: GeoPoint, metres: f64) -> bool {
    let origin = Origin::new(&origin);
    let radius = Radius::around(origin.lat_rad, metres);
    let lat = f64::from(point.latitude as f32);
    let lon = f64::from(point.longitude as f32);
    !radius.clearly_outside(&origin, lat, lon) && origin.haversine_a(lat, lon) <= radius.max_a
}

/// Great-circle distance in metres between two points.
#[cfg(test)]
pub(crate) fn haversine_m(a: &GeoPoint, b: &GeoPoint) -> f64 {
    Origin::metres_from_a(Origin::new(a).haversine_a(b.latitude, b.longitude))
}

/// Entry kept in the per-segment heap. Ordered so that "greater" = "ranks lower": the heap's
/// top is the worst kept entry and is evicted first.
#[derive(Debug, Clone, Copy)]
struct SegmentEntry {
    tier: u8,
    primary: f64,
    name_ord: u64,
    doc: DocId,
    score: Score,
    distance_m: Option<f64>,
    serves_area: bool,
    serves_local: bool,
    pairs: u32,
}

impl PartialEq for SegmentEntry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for SegmentEntry {}
impl PartialOrd for SegmentEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SegmentEntry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.tier
            .cmp(&other.tier)
            .then_with(|| self.primary.total_cmp(&other.primary))
            .then_with(|| self.name_ord.cmp(&other.name_ord))
            .then_with(|| self.doc.cmp(&other.doc))
    }
}

pub(crate) struct SearchSegmentCollector {
    segment_ord: SegmentOrdinal,
    sort: SortOrder,
    keep: usize,
    radius: Option<Radius>,
    blend: bool,
    origin: Option<Origin>,
    served: Option<BitSet>,
    served_local: Option<BitSet>,
    points: Option<Column<u64>>,
    sole_point: Option<Column<u64>>,
    location_count: Option<Column<u64>>,
    count_pairs: bool,
    pairs_total: u64,
    stale_before_day: Option<i64>,
    assured_day: Option<Column<i64>>,
    temporarily_closed: Option<Column<bool>>,
    name_sort: Option<StrColumn>,
    name_key_hi: Option<Column<u64>>,
    name_key_lo: Option<Column<u64>>,
    facets: [Option<(StrColumn, Vec<u32>)>; 6],
    total: u64,
    heap: BinaryHeap<SegmentEntry>,
}

impl SearchSegmentCollector {
    /// A hit's HSDS service-at-locations: with a radius, its locations within it (HSDS
    /// `proximity`: each pair's own location counts, `dump::pairs_within` applies the same
    /// test); otherwise all its locations.
    fn pairs_of(&self, doc: DocId) -> u32 {
        match (self.radius, self.origin.as_ref()) {
            (Some(radius), Some(origin)) => {
                let inside = |packed: u64| {
                    let (lat, lon) = unpack_point(packed);
                    !radius.clearly_outside(origin, lat, lon)
                        && origin.haversine_a(lat, lon) <= radius.max_a
                };
                match self
                    .sole_point
                    .as_ref()
                    .and_then(|column| column.first(doc))
                {
                    Some(NO_POINT) => 0,
                    Some(packed) if packed != SEVERAL_POINTS => u32::from(inside(packed)),
                    _ => self.points.as_ref().map_or(0, |column| {
                        column.values_for_doc(doc).filter(|p| inside(*p)).count() as u32
                    }),
                }
            }
            _ => self
                .location_count
                .as_ref()
                .and_then(|column| column.first(doc))
                .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        }
    }

    /// Nearest-point distance in metres, `None` without origin or points.
    fn nearest_m(&self, doc: DocId) -> Option<f64> {
        self.nearest_a(doc, None).map(Origin::metres_from_a)
    }

    /// Haversine "a" of the nearest point, `None` without origin or points. With a radius,
    /// only points inside it count, and points that a bounding box already puts outside are
    /// skipped before any trigonometry (for a radius of a few kilometres, most of the
    /// province).
    fn nearest_a(&self, doc: DocId, within: Option<Radius>) -> Option<f64> {
        let origin = self.origin.as_ref()?;
        let a_within = |packed: u64| {
            let (lat, lon) = unpack_point(packed);
            if within.is_some_and(|radius| radius.clearly_outside(origin, lat, lon)) {
                return None;
            }
            let a = origin.haversine_a(lat, lon);
            match within {
                Some(radius) if a > radius.max_a => None,
                _ => Some(a),
            }
        };
        // The single-valued column answers for documents with one point or none; only the
        // others (and an index without the column) need the multi-valued lookup.
        match self
            .sole_point
            .as_ref()
            .and_then(|column| column.first(doc))
        {
            Some(NO_POINT) => None,
            Some(packed) if packed != SEVERAL_POINTS => a_within(packed),
            _ => self
                .points
                .as_ref()?
                .values_for_doc(doc)
                .filter_map(a_within)
                .min_by(f64::total_cmp),
        }
    }
}

/// A distance limit in the forms the collector compares against, computed once per search.
/// The coarse box of the query (`spatial::radius_box`) is drawn from the same bounds, so the
/// box always holds what the exact test accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Radius {
    /// Largest haversine "a" inside the radius (`a` grows with distance).
    max_a: f64,
    /// The radius as an angle: the largest latitude difference inside it.
    pub max_dlat_rad: f64,
    /// The largest longitude difference inside it, for points that passed the latitude test;
    /// `None` near the poles, where there is no useful bound.
    pub max_dlon_rad: Option<f64>,
}

impl Radius {
    /// `metres` around a point at latitude `lat_rad`.
    pub(crate) fn around(lat_rad: f64, metres: f64) -> Self {
        let angle = metres / EARTH_RADIUS_M;
        let half_sin = (angle * 0.5).min(std::f64::consts::FRAC_PI_2).sin();
        // a = sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2) ≥ c² · sin²(Δλ/2), with c the smallest
        // cosine of a latitude within `angle` of the origin's. So sin(Δλ/2) > √max_a / c
        // means outside.
        let widest_lat = lat_rad.abs() + angle;
        let max_dlon_rad = (widest_lat < std::f64::consts::FRAC_PI_2)
            .then(|| half_sin / widest_lat.cos())
            .filter(|s| *s < 1.0)
            .map(|s| 2.0 * s.asin());
        Self {
            max_a: half_sin * half_sin,
            max_dlat_rad: angle,
            max_dlon_rad,
        }
    }

    /// True when the point is certainly outside, judged without trigonometry.
    fn clearly_outside(&self, origin: &Origin, lat: f64, lon: f64) -> bool {
        if (lat.to_radians() - origin.lat_rad).abs() > self.max_dlat_rad {
            return true;
        }
        self.max_dlon_rad.is_some_and(|max| {
            let d = (lon.to_radians() - origin.lon_rad).abs() % std::f64::consts::TAU;
            d.min(std::f64::consts::TAU - d) > max
        })
    }
}

impl SegmentCollector for SearchSegmentCollector {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let serves_area = self.served.as_ref().is_some_and(|s| s.contains(doc));
        let serves_local = self.served_local.as_ref().is_some_and(|s| s.contains(doc));
        // Distance is needed per matching doc only for the radius rule, distance sorting and
        // blending; otherwise it is computed in `harvest` for the kept entries.
        let nearest_a = match self.radius {
            // Serving the origin's area keeps a service whatever its distance.
            Some(radius) if !serves_area => match self.nearest_a(doc, Some(radius)) {
                Some(a) => Some(a),
                None => return,
            },
            _ if self.sort == SortOrder::Distance || (self.blend && self.keep > 0) => {
                self.nearest_a(doc, None)
            }
            _ => None,
        };
        let distance_m = nearest_a.map(Origin::metres_from_a);

        self.total += 1;
        let pairs = if self.count_pairs {
            let pairs = self.pairs_of(doc);
            self.pairs_total += u64::from(pairs);
            pairs
        } else {
            0
        };
        for (column, counts) in self.facets.iter_mut().flatten() {
            for ord in column.term_ords(doc) {
                if let Some(count) = counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }

        if self.keep == 0 || (self.count_pairs && pairs == 0) {
            return;
        }
        let freshness = match (self.stale_before_day, &self.assured_day) {
            (Some(cutoff), Some(column))
                if column.first(doc).unwrap_or(super::schema::NEVER_ASSURED) < cutoff =>
            {
                STALE_RANK_FACTOR
            }
            _ => 1.0,
        };
        let tier = u8::from(
            self.temporarily_closed
                .as_ref()
                .and_then(|column| column.first(doc))
                .unwrap_or(false),
        );
        let primary = match self.sort {
            SortOrder::Relevance if self.blend => {
                let effective = effective_distance_m(distance_m, serves_area, serves_local);
                -f64::from(score) * distance_decay(effective) * freshness
            }
            SortOrder::Relevance => -f64::from(score) * freshness,
            SortOrder::Distance => {
                effective_distance_m(distance_m, serves_area, serves_local).unwrap_or(f64::INFINITY)
            }
            SortOrder::Name => 0.0,
        };
        let name_ord = self
            .name_sort
            .as_ref()
            .and_then(|c| c.ords().first(doc))
            .unwrap_or(u64::MAX);
        let entry = SegmentEntry {
            tier,
            primary,
            name_ord,
            doc,
            score,
            distance_m,
            serves_area,
            serves_local,
            pairs,
        };
        if self.heap.len() < self.keep {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry < *worst
        {
            *worst = entry;
        }
    }

    fn harvest(self) -> SegmentFruit {
        let facets = self.facets.each_ref().map(|slot| match slot {
            Some((column, counts)) => {
                // Ordinals are ascending, so one streaming pass over the dictionary resolves
                // them all (instead of one block decompression per code).
                let ords: Vec<u64> = (0..counts.len() as u64)
                    .filter(|ord| counts[*ord as usize] > 0)
                    .collect();
                let mut codes = Vec::with_capacity(ords.len());
                let resolved = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                    codes.push(String::from_utf8_lossy(bytes).into_owned())
                });
                if let Err(error) = resolved {
                    tracing::warn!(%error, "facetcodes niet leesbaar");
                }
                codes
                    .into_iter()
                    .zip(&ords)
                    .map(|(code, ord)| (code, u64::from(counts[*ord as usize])))
                    .collect()
            }
            None => Vec::new(),
        });
        let key = |column: &Option<Column<u64>>, doc: DocId| {
            column
                .as_ref()
                .and_then(|c| c.first(doc))
                .unwrap_or(u64::MAX)
        };
        let mut hits = Vec::with_capacity(self.heap.len());
        for entry in &self.heap {
            let distance_m = entry.distance_m.or_else(|| self.nearest_m(entry.doc));
            hits.push(RankedHit {
                tier: entry.tier,
                primary: entry.primary,
                name_key: (
                    key(&self.name_key_hi, entry.doc),
                    key(&self.name_key_lo, entry.doc),
                ),
                name_ord: entry.name_ord,
                name_column: self.name_sort.clone(),
                address: DocAddress::new(self.segment_ord, entry.doc),
                score: entry.score,
                distance_m,
                serves_area: entry.serves_area,
                serves_local: entry.serves_local,
                pairs: entry.pairs,
            });
        }
        SegmentFruit {
            total: self.total,
            pairs_total: self.pairs_total,
            facets,
            hits,
        }
    }
}
