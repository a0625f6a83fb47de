//! The tantivy schema, its version, and the conversion of a [`SearchDocument`] into a tantivy
//! document.
//!
//! Field choices (all for the per-query cost at 100k documents):
//! - Searchable text lives in four Dutch-analysed fields (name incl. alternate name, labels,
//!   organisation, description) so each can get its own boost. Positions are indexed for
//!   multi-word synonyms ("rood staan"). Of them only `description` is stored (for snippets).
//! - Every code used as a filter is a raw `STRING` field (exact term). Codes that are counted
//!   as facets are also `FAST`: the collector counts per-segment term ordinals and resolves the
//!   strings once per segment, never per document.
//! - `name_sort` (fast string column: the folded name, then the service id) orders names
//!   exactly inside a segment, and equal names by id; `name_key_hi/lo`
//!   (the first 16 bytes of the same key as integers) order them across segments without
//!   dictionary lookups. `service_id`, `description` (for snippets) and the caller's
//!   `summary` are stored and read only for the returned page (`matching_ids` reads
//!   `service_id` of every match).
//! - `points` is a multi-valued u64 fast field; each value packs an f32 latitude (high 32
//!   bits) and an f32 longitude (low 32 bits). f32 is ~0.5 m precise at Utrecht's latitude.
//!   `sole_point` repeats it, single-valued and present for every document, for the common
//!   case of one location (see [`sole_point`]): reading a multi-valued column costs an index
//!   lookup per document, and the radius test reads it for every text match.
//! - `location_count` (fast): the service's (service, location) pairs, so that a page of
//!   HSDS `/service_at_locations` and its total come from one pass of the collector, without
//!   resolving every matching service in the database.
//! - `assured_day` (fast i64: the Julian day of the service's last check, [`NEVER_ASSURED`]
//!   when never) lets the collector rank stale listings lower against a cut-off given with
//!   each query, so a listing turns stale by the calendar without being re-indexed.
//!   `temporarily_closed` (indexed and fast) ranks closed services after open ones and hides
//!   them on request; `withdrawn` (indexed) keeps inactive and defunct services out of public
//!   searches while the HSDS API still lists them.
//! - `spatial_key` orders the index (see `spatial.rs`); `several_points` marks the documents
//!   whose other points that key does not describe.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, NumericOptions, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

use super::analysis::{Analysis, FOLD_TOKENIZER, NL_TOKENIZER};
use super::spatial;
use super::{GeoPoint, SearchDocument};

/// Bump whenever the schema, the analyzer chain or what is written into a field changes.
/// An index on disk with another version is wiped and reported as `IndexState::Incompatible`.
pub(crate) const SCHEMA_VERSION: u32 = 10;

/// Bytes per doc-store block. Every hit shown reads its stored fields, which reads the whole
/// block it lies in: tantivy's default of 16 KiB holds ~10 of our documents, so with LZ4 nine
/// tenths of the decompression was thrown away (~17 % of a search request's instructions).
/// The blocks are now also left uncompressed (`index_settings`): that saves another ~6 % of a
/// request's instructions for ~25 % more index on disk (58 → 73 MB at 100k services).
const DOC_STORE_BLOCK_BYTES: usize = 4096;

/// The settings every index is created with. An index on disk with other settings is rebuilt.
pub(crate) fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: DOC_STORE_BLOCK_BYTES,
        docstore_compression: tantivy::store::Compressor::None,
        // Neighbours in space are neighbours in doc ids (see `spatial.rs`).
        sort_by_field: Some(tantivy::IndexSortByField {
            field: names::SPATIAL_KEY.to_string(),
            order: tantivy::Order::Asc,
        }),
        ..tantivy::IndexSettings::default()
    }
}

/// A new index with our schema and settings.
pub(crate) fn index_builder(schema: Schema) -> tantivy::IndexBuilder {
    tantivy::Index::builder()
        .schema(schema)
        .settings(index_settings())
}

/// `assured_day` of a service never checked: older than any date.
pub(crate) const NEVER_ASSURED: i64 = i64::MIN;

/// Stored when `maximum_age` is absent (`u8::MAX` is older than anyone).
pub(crate) const AGE_UNBOUNDED_MAX: u64 = u8::MAX as u64;

pub(crate) mod names {
    pub const SERVICE_ID: &str = "service_id";
    pub const NAME: &str = "name";
    pub const LABELS: &str = "labels";
    pub const ORGANIZATION: &str = "organization";
    pub const DESCRIPTION: &str = "description";
    pub const CATEGORY_CODES: &str = "category_codes";
    pub const TARGET_GROUP_CODES: &str = "target_group_codes";
    pub const AREA_CODES: &str = "area_codes";
    pub const SERVED_AREA_CODES: &str = "served_area_codes";
    pub const FACET_WIJKEN: &str = "facet_wijken";
    pub const ACCESS_ROUTE: &str = "access_route";
    pub const COST: &str = "cost";
    pub const WELZIJN_OP_RECEPT: &str = "welzijn_op_recept";
    pub const ACCEPTS_REFERRALS: &str = "accepts_referrals";
    pub const DAYS: &str = "days";
    pub const MIN_AGE: &str = "min_age";
    pub const MAX_AGE: &str = "max_age";
    pub const POINTS: &str = "points";
    pub const SOLE_POINT: &str = "sole_point";
    pub const LOCATION_COUNT: &str = "location_count";
    pub const SEVERAL_POINTS: &str = "several_points";
    pub const SPATIAL_KEY: &str = "spatial_key";
    pub const NAME_SORT: &str = "name_sort";
    pub const NAME_KEY_HI: &str = "name_key_hi";
    pub const NAME_KEY_LO: &str = "name_key_lo";
    pub const ORGANIZATION_ID: &str = "organization_id";
    pub const TERM_IDS: &str = "term_ids";
    pub const MODIFIED: &str = "modified";
    pub const VERSION: &str = "version";
    pub const OPEN_SLOTS: &str = "open_slots";
    pub const SUMMARY: &str = "summary";
    pub const SURFACE: &str = "surface";
    pub const LANGUAGE_CODES: &str = "language_codes";
    pub const ASSURED_DAY: &str = "assured_day";
    pub const TEMPORARILY_CLOSED: &str = "temporarily_closed";
    pub const WITHDRAWN: &str = "withdrawn";
}

/// Resolved field handles.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub service_id: Field,
    pub name: Field,
    pub labels: Field,
    pub organization: Field,
    pub description: Field,
    pub category_codes: Field,
    pub target_group_codes: Field,
    pub area_codes: Field,
    pub served_area_codes: Field,
    pub facet_wijken: Field,
    pub access_route: Field,
    pub cost: Field,
    pub welzijn_op_recept: Field,
    pub accepts_referrals: Field,
    pub days: Field,
    pub min_age: Field,
    pub max_age: Field,
    pub points: Field,
    pub sole_point: Field,
    pub location_count: Field,
    pub several_points: Field,
    pub spatial_key: Field,
    pub name_sort: Field,
    pub name_key_hi: Field,
    pub name_key_lo: Field,
    pub organization_id: Field,
    pub term_ids: Field,
    pub modified: Field,
    /// [`super::SearchDocument::version`], read for every document by reconciliation.
    pub version: Field,
    pub open_slots: Field,
    pub summary: Field,
    /// All searchable text as written (lowercased, accents folded, no stop words removed, no
    /// stemming): the index's own vocabulary for typo tolerance on words as typed, compounds
    /// and "Bedoelde u …?".
    pub surface: Field,
    pub language_codes: Field,
    pub assured_day: Field,
    pub temporarily_closed: Field,
    pub withdrawn: Field,
}

/// Text fields with their boosts: a hit in the name outranks one in the category/target-group
/// labels, which outranks the organisation name, which outranks the description.
pub(crate) fn text_fields(fields: &Fields) -> [(Field, f32); 4] {
    [
        (fields.name, 4.0),
        (fields.labels, 3.0),
        (fields.organization, 2.0),
        (fields.description, 1.0),
    ]
}

pub(crate) fn build_schema() -> (Schema, Fields) {
    use names::*;
    let mut builder = Schema::builder();
    let analysed = |tokenizer: &str, stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let text = |stored: bool| analysed(NL_TOKENIZER, stored);
    let fields = Fields {
        service_id: builder.add_text_field(SERVICE_ID, STRING | STORED),
        name: builder.add_text_field(NAME, text(false)),
        labels: builder.add_text_field(LABELS, text(false)),
        organization: builder.add_text_field(ORGANIZATION, text(false)),
        description: builder.add_text_field(DESCRIPTION, text(true)),
        category_codes: builder.add_text_field(CATEGORY_CODES, STRING | FAST),
        target_group_codes: builder.add_text_field(TARGET_GROUP_CODES, STRING | FAST),
        area_codes: builder.add_text_field(AREA_CODES, STRING),
        served_area_codes: builder.add_text_field(SERVED_AREA_CODES, STRING),
        facet_wijken: builder.add_text_field(FACET_WIJKEN, STRING | FAST),
        access_route: builder.add_text_field(ACCESS_ROUTE, STRING | FAST),
        cost: builder.add_text_field(COST, STRING | FAST),
        welzijn_op_recept: builder.add_bool_field(WELZIJN_OP_RECEPT, INDEXED),
        accepts_referrals: builder.add_bool_field(ACCEPTS_REFERRALS, INDEXED),
        days: builder.add_u64_field(DAYS, INDEXED),
        min_age: builder.add_u64_field(MIN_AGE, NumericOptions::default().set_fast()),
        max_age: builder.add_u64_field(MAX_AGE, NumericOptions::default().set_fast()),
        points: builder.add_u64_field(POINTS, FAST),
        sole_point: builder.add_u64_field(SOLE_POINT, FAST),
        location_count: builder.add_u64_field(LOCATION_COUNT, FAST),
        several_points: builder.add_bool_field(SEVERAL_POINTS, INDEXED),
        spatial_key: builder.add_u64_field(SPATIAL_KEY, FAST),
        name_sort: builder.add_text_field(NAME_SORT, STRING | FAST),
        name_key_hi: builder.add_u64_field(NAME_KEY_HI, FAST),
        name_key_lo: builder.add_u64_field(NAME_KEY_LO, FAST),
        organization_id: builder.add_text_field(ORGANIZATION_ID, STRING),
        term_ids: builder.add_text_field(TERM_IDS, STRING),
        modified: builder.add_i64_field(MODIFIED, INDEXED),
        version: builder.add_i64_field(VERSION, NumericOptions::default().set_fast()),
        open_slots: builder.add_u64_field(OPEN_SLOTS, INDEXED),
        summary: builder.add_bytes_field(SUMMARY, STORED),
        surface: builder.add_text_field(SURFACE, analysed(FOLD_TOKENIZER, false)),
        language_codes: builder.add_text_field(LANGUAGE_CODES, STRING | FAST),
        assured_day: builder.add_i64_field(ASSURED_DAY, FAST),
        temporarily_closed: builder.add_bool_field(TEMPORARILY_CLOSED, INDEXED | FAST),
        withdrawn: builder.add_bool_field(WITHDRAWN, INDEXED),
    };
    (builder.build(), fields)
}

/// Pack a point into one u64 (see module docs). `None` for coordinates that are not finite or
/// out of range: such a point is skipped rather than poisoning distance sorting.
/// Opening times are indexed as quarter-hours of the week, so "open at some time between 10:00
/// and 12:00 (on Tuesday)" is one range query per day.
pub(crate) const SLOTS_PER_DAY: u64 = 96;

pub(crate) fn slot(day: u8, minute: u16) -> u64 {
    u64::from(day.clamp(1, 7) - 1) * SLOTS_PER_DAY + u64::from(minute.min(24 * 60 - 1)) / 15
}

pub(crate) fn pack_point(point: &GeoPoint) -> Option<u64> {
    let valid = point.latitude.is_finite()
        && point.longitude.is_finite()
        && (-90.0..=90.0).contains(&point.latitude)
        && (-180.0..=180.0).contains(&point.longitude);
    if !valid {
        return None;
    }
    let lat = (point.latitude as f32).to_bits() as u64;
    let lon = (point.longitude as f32).to_bits() as u64;
    Some((lat << 32) | lon)
}

pub(crate) fn unpack_point(packed: u64) -> (f64, f64) {
    let lat = f32::from_bits((packed >> 32) as u32) as f64;
    let lon = f32::from_bits(packed as u32) as f64;
    (lat, lon)
}

/// The folded name, then the service id: services with the same name (and the same score or
/// distance) come out in the order of their ids, whatever their doc ids. Doc ids depend on
/// arrival, segments and merges, and differ between instances that build their own index, so
/// without this a tie on a page boundary could show one service twice, or never, to someone
/// paging through results served by two instances. `\u{1}` sorts below every printable
/// character, so "Buurtcafé" still comes before "Buurtcafé Noord".
fn name_order_key(analysis: &mut Analysis, doc: &SearchDocument) -> String {
    format!("{}\u{1}{}", analysis.sort_key(&doc.name), doc.service_id)
}

/// The first 16 bytes of a sort key as two big-endian integers (zero-padded), so that names
/// can be compared across segments without reading the string dictionary (whose blocks are
/// compressed: one lookup costs a block decompression). Only names that share these 16 bytes
/// need the string itself.
pub(crate) fn name_prefix_keys(sort_key: &str) -> (u64, u64) {
    let mut bytes = [0u8; 16];
    for (slot, byte) in bytes.iter_mut().zip(sort_key.as_bytes()) {
        *slot = *byte;
    }
    let mut hi = [0u8; 8];
    let mut lo = [0u8; 8];
    hi.copy_from_slice(&bytes[..8]);
    lo.copy_from_slice(&bytes[8..]);
    (u64::from_be_bytes(hi), u64::from_be_bytes(lo))
}

/// Convert a document. Needs `&mut Analysis` for the name sort key.
pub(crate) fn to_tantivy(
    doc: &SearchDocument,
    fields: &Fields,
    analysis: &mut Analysis,
) -> TantivyDocument {
    let mut out = TantivyDocument::new();
    out.add_text(fields.service_id, doc.service_id.to_string());
    out.add_text(fields.name, &doc.name);
    if let Some(alternate) = doc
        .alternate_name
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        out.add_text(fields.name, alternate);
    }
    let sort_key = name_order_key(analysis, doc);
    let (hi, lo) = name_prefix_keys(&sort_key);
    out.add_u64(fields.name_key_hi, hi);
    out.add_u64(fields.name_key_lo, lo);
    out.add_text(fields.name_sort, sort_key);
    let labels = doc
        .category_labels
        .iter()
        .chain(&doc.target_group_labels)
        .chain(&doc.language_labels);
    for label in labels.clone() {
        out.add_text(fields.labels, label);
    }
    out.add_text(fields.organization, &doc.organization_name);
    out.add_text(fields.description, &doc.description);
    // The same texts once more as written, for the vocabulary lookups (see `Fields::surface`).
    let surface = [Some(&doc.name), doc.alternate_name.as_ref()]
        .into_iter()
        .flatten()
        .chain(labels)
        .chain([&doc.organization_name, &doc.description]);
    for text in surface {
        out.add_text(fields.surface, text);
    }
    for (field, values) in [
        (fields.category_codes, &doc.category_codes),
        (fields.target_group_codes, &doc.target_group_codes),
        (fields.area_codes, &doc.area_codes),
        (fields.served_area_codes, &doc.served_area_codes),
        (fields.facet_wijken, &doc.facet_wijken),
        (fields.term_ids, &doc.taxonomy_term_ids),
        (fields.language_codes, &doc.language_codes),
    ] {
        // Duplicates would be counted twice by the facet collector.
        let mut seen: Vec<&str> = Vec::with_capacity(values.len());
        for value in values {
            if !seen.contains(&value.as_str()) {
                seen.push(value);
                out.add_text(field, value);
            }
        }
    }
    out.add_text(fields.organization_id, doc.organization_id.to_string());
    if !doc.summary.is_empty() {
        out.add_bytes(fields.summary, &doc.summary);
    }
    out.add_i64(fields.modified, doc.last_modified);
    out.add_i64(
        fields.assured_day,
        doc.assured_date
            .map_or(NEVER_ASSURED, |d| i64::from(d.to_julian_day())),
    );
    out.add_bool(fields.temporarily_closed, doc.temporarily_closed);
    out.add_bool(fields.withdrawn, doc.withdrawn);
    out.add_i64(fields.version, doc.version);
    let mut slots: Vec<u64> = doc
        .sessions
        .iter()
        .flat_map(super::Session::slots)
        .collect();
    slots.sort_unstable();
    slots.dedup();
    for slot in slots {
        out.add_u64(fields.open_slots, slot);
    }
    out.add_text(fields.access_route, &doc.access_route);
    out.add_text(fields.cost, &doc.cost);
    out.add_bool(fields.welzijn_op_recept, doc.welzijn_op_recept);
    out.add_bool(fields.accepts_referrals, doc.accepts_referrals);
    let mut days = doc.days.clone();
    days.sort_unstable();
    days.dedup();
    for day in days {
        out.add_u64(fields.days, u64::from(day));
    }
    out.add_u64(fields.min_age, doc.minimum_age.map_or(0, u64::from));
    out.add_u64(
        fields.max_age,
        doc.maximum_age.map_or(AGE_UNBOUNDED_MAX, u64::from),
    );
    let mut packed_points = Vec::with_capacity(doc.points.len());
    for point in &doc.points {
        match pack_point(point) {
            Some(packed) => {
                out.add_u64(fields.points, packed);
                packed_points.push(packed);
            }
            None => tracing::warn!(
                service_id = %doc.service_id,
                latitude = point.latitude,
                longitude = point.longitude,
                "ongeldige coördinaat overgeslagen"
            ),
        }
    }
    let sole = sole_point(&packed_points);
    out.add_u64(fields.sole_point, sole);
    out.add_u64(fields.location_count, u64::from(doc.location_count));
    if sole == SEVERAL_POINTS {
        // The spatial key holds one point only; the coarse radius filter lets these through.
        out.add_bool(fields.several_points, true);
    }
    let anchor = match packed_points.first() {
        Some(packed) => Some(unpack_point(*packed)),
        None => doc.area_anchor.map(|p| (p.latitude, p.longitude)),
    };
    out.add_u64(
        fields.spatial_key,
        anchor.map_or(spatial::NO_ANCHOR, |(lat, lon)| {
            spatial::spatial_key(lat, lon)
        }),
    );
    out
}

/// `sole_point` for a document without points.
pub(crate) const NO_POINT: u64 = 0;
/// `sole_point` for a document whose points must be read from `points`.
pub(crate) const SEVERAL_POINTS: u64 = 1;

/// The `sole_point` value: the packed point of a document with exactly one, else a marker. A
/// point that packs to one of the markers (only possible at latitude 0°) is left to `points`.
pub(crate) fn sole_point(packed: &[u64]) -> u64 {
    match packed {
        [] => NO_POINT,
        [one] if *one > SEVERAL_POINTS => *one,
        _ => SEVERAL_POINTS,
    }
}
