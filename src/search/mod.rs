//! Full-text and faceted search over services ("aanbod") for the sociale kaart.
//!
//! A tantivy index holds one document per service. The caller owns the truth (the database) and
//! feeds the index with [`SearchIndex::apply`] (incremental, from a change log with a sequence
//! number, the *cursor*) or [`SearchIndex::begin_rebuild`] (wipe and refill). The cursor is
//! stored atomically with every commit, in tantivy's commit payload, together with the schema
//! version, so after a restart the caller knows where to resume.
//!
//! Searching ([`SearchIndex::search`]) is synchronous and CPU-bound: run it in
//! `spawn_blocking`. What it does:
//! - Dutch analysis (lowercase, accent folding, stop words, stemming) — see `analysis.rs`;
//! - query interpretation with life questions and synonyms from the versioned files in
//!   `index/` — see `query.rs`, `vocabulary.rs` and `index/README.md`;
//! - field boosts name 4 > labels 3 > organisation 2 > description 1;
//! - filters as non-scoring clauses; the distance radius, facets, total and paging in one
//!   custom collector — see `collector.rs`;
//! - freshness and status in the ranking: stale listings (checked before the request's
//!   `stale_before`, or never) score ×[`STALE_RANK_FACTOR`]; temporarily closed ones come
//!   after the open ones; inactive and defunct ones only with `include_withdrawn`;
//! - plain-text snippets (never HTML).
//!
//! Request limits (documented behaviour, not errors): `limit` is clamped to [`MAX_LIMIT`];
//! `limit == 0` returns total and facets only; an `offset` beyond [`MAX_OFFSET`] returns no hits
//! (but the correct total) — [`SearchIndex::matching_ids`] lists every match for complete
//! listings; user text beyond 500 characters and words beyond 12 concepts are
//! ignored and reported in [`Interpretation::truncated`].

mod analysis;
mod collector;
mod lexicon;
mod query;
mod schema;
mod spatial;
mod vocabulary;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, Occur};
use tantivy::schema::Value;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use uuid::Uuid;

use analysis::{Analysis, FOLD_TOKENIZER, NL_TOKENIZER};
use collector::{NearSpec, SearchCollector};
pub use collector::{STALE_RANK_FACTOR, within_radius};
use schema::{Fields, SCHEMA_VERSION};
use vocabulary::Vocabulary;

/// Largest page size; larger requests are clamped.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset served; deeper pages return no hits (total and facets stay correct).
pub const MAX_OFFSET: usize = 10_000;
/// Approximate snippet length in characters.
pub const SNIPPET_CHARS: usize = 160;
/// Memory budget of the single index writer.
const WRITER_HEAP_BYTES: usize = 50_000_000;
/// Searchable segments above which [`SearchIndex::compact_if_fragmented`] merges them all into
/// one. Every segment costs each query its own set-up (weights, scorers, fast-field columns);
/// tantivy's merge policy keeps the count low while a process lives, but merges still running
/// when a command ends are lost, so a directory fed by a hundred `import` runs was left with 200
/// segments and searched 20× slower (BENCHMARKS.md).
pub const MAX_SEGMENTS: usize = 8;

/// WGS84 coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub latitude: f64,
    pub longitude: f64,
}

/// Everything the index needs to know about one service, denormalised by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    pub service_id: Uuid,
    pub name: String,
    pub alternate_name: Option<String>,
    pub organization_name: String,
    pub description: String,
    /// Term codes including parents: `["eenzaamheid", "eenzaamheid/maatjes"]`.
    pub category_codes: Vec<String>,
    /// Dutch names of those terms.
    pub category_labels: Vec<String>,
    pub target_group_codes: Vec<String>,
    pub target_group_labels: Vec<String>,
    /// ISO 639 codes of the languages it is offered in (filter and facet).
    pub language_codes: Vec<String>,
    /// Their Dutch names ("Arabisch"), searchable like the category labels.
    pub language_labels: Vec<String>,
    /// Every CBS code (GM/WK/BU) the service matches for the neighbourhood filter; already
    /// expanded by the caller.
    pub area_codes: Vec<String>,
    /// Wijk codes for the neighbourhood facet.
    pub facet_wijken: Vec<String>,
    /// Codes listed in the service's service areas (not expanded); used for the "serves your
    /// area" rule of distance search.
    pub served_area_codes: Vec<String>,
    /// Coordinates of its locations (0..n). Invalid coordinates are skipped with a warning.
    pub points: Vec<GeoPoint>,
    /// How many locations it is offered at (with or without coordinates): its HSDS
    /// service-at-locations.
    pub location_count: u32,
    /// For a service without locations: a point of the area it serves (e.g. its centre). Only
    /// orders the index, so that it sits beside the services of that area.
    pub area_anchor: Option<GeoPoint>,
    /// `"open" | "buurtteam" | "huisarts" | "wmo"`.
    pub access_route: String,
    /// `"free" | "contribution" | "price"`.
    pub cost: String,
    pub welzijn_op_recept: bool,
    pub accepts_referrals: bool,
    /// ISO weekdays 1 = Monday … 7 = Sunday on which it runs/opens.
    pub days: Vec<u8>,
    pub minimum_age: Option<u8>,
    pub maximum_age: Option<u8>,
    pub organization_id: Uuid,
    /// Ids of every taxonomy term the service carries (ours with their parents, and imported
    /// ones), for the HSDS `taxonomy_term_id` / `taxonomy_id` filters.
    pub taxonomy_term_ids: Vec<String>,
    /// Last change, Unix seconds (HSDS `modified_after`).
    pub last_modified: i64,
    /// The caller's version of the data the document was made from (the indexer: the newest
    /// change-log seq of the service when it was loaded); read back by [`SearchIndex::versions`].
    pub version: i64,
    /// Weekly opening times, for the HSDS `start_time` / `end_time` filters.
    pub sessions: Vec<Session>,
    /// The caller's list view of the service (opaque bytes), stored verbatim and handed back with
    /// each hit so that a results page needs no second lookup; the index never reads it.
    pub summary: Vec<u8>,
    /// When the service was last checked (`None`: never). Relevance ranks listings checked
    /// before [`SearchRequest::stale_before`] lower.
    #[serde(default)]
    pub assured_date: Option<time::Date>,
    /// Temporarily closed: found, but ranked after open services (see [`SearchRequest`]).
    #[serde(default)]
    pub temporarily_closed: bool,
    /// No longer offered (inactive, defunct): only found with
    /// [`SearchRequest::include_withdrawn`].
    #[serde(default)]
    pub withdrawn: bool,
}

/// One weekly opening: ISO weekday and minutes since midnight, `opens < closes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub day: u8,
    pub opens: u16,
    pub closes: u16,
}

impl Session {
    /// The quarter-hours of the week this session covers.
    pub(crate) fn slots(&self) -> impl Iterator<Item = u64> + use<> {
        let first = schema::slot(self.day, self.opens);
        let last = schema::slot(self.day, self.closes.saturating_sub(1).max(self.opens));
        first..=last
    }
}

/// "Open at some moment between `from` and `to` (minutes since midnight), on one of `days` (ISO
/// weekdays; empty = any day)."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenWindow {
    pub days: Vec<u8>,
    pub from: u16,
    pub to: u16,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Best match first; without text (all scores equal) this is by name.
    #[default]
    Relevance,
    /// Nearest first (requires `near`); services without location last, then by name.
    Distance,
    /// Case- and accent-insensitive by name.
    Name,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessFilter {
    /// `access_route == "open"`.
    OpenToAll,
    /// `access_route != "open"`.
    NeedsReferral,
}

/// Distance search around a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Near {
    pub point: GeoPoint,
    /// Keep only services whose nearest location is within this many metres **or** that serve
    /// one of `covering_codes`.
    pub radius_m: Option<f64>,
    /// The buurt/wijk/gemeente codes that contain `point` (given by the caller).
    pub covering_codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    pub text: Option<String>,
    pub area_code: Option<String>,
    /// Any of these category codes (a parent code matches its sub-terms).
    pub categories: Vec<String>,
    /// Any of these target-group codes.
    pub target_groups: Vec<String>,
    pub free_only: bool,
    pub access: Option<AccessFilter>,
    pub welzijn_op_recept: Option<bool>,
    /// ISO weekdays 1..=7: services that run on any of them (empty = no day filter).
    pub days: Vec<u8>,
    /// ISO 639 codes: services offered in any of these languages.
    pub languages: Vec<String>,
    /// Keep services with `minimum_age <= age <= maximum_age` (missing bound = unbounded).
    pub age: Option<u8>,
    pub near: Option<Near>,
    /// Only services of this organisation.
    pub organization_id: Option<Uuid>,
    /// Only services carrying any of these taxonomy term ids; `Some(empty)` matches nothing.
    pub taxonomy_term_ids: Option<Vec<String>>,
    /// Only services changed at or after this Unix time.
    pub modified_after: Option<i64>,
    /// Only services whose age range overlaps `[min, max]` (HSDS `minimum_age`/`maximum_age`).
    pub ages: Option<(u8, u8)>,
    /// Only services open at some moment in this window.
    pub open_window: Option<OpenWindow>,
    pub sort: SortOrder,
    pub offset: usize,
    /// Clamped to [`MAX_LIMIT`]; 0 = total and facets only.
    pub limit: usize,
    /// Services no longer offered (inactive, defunct) are left out unless this is set (the
    /// HSDS API and exports set it: harvesters must learn that a service ended).
    pub include_withdrawn: bool,
    /// Leave out temporarily closed services (by default they are kept, ranked after the
    /// open ones when sorting by relevance or distance).
    pub hide_temporarily_closed: bool,
    /// Relevance ranking of a text search multiplies the score of services last checked
    /// before this date (or never) by [`STALE_RANK_FACTOR`]. Given per query (the caller's
    /// today minus its stale period), so staleness needs no re-indexing. `None`: no penalty.
    pub stale_before: Option<time::Date>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        Self {
            text: None,
            area_code: None,
            categories: Vec::new(),
            target_groups: Vec::new(),
            free_only: false,
            access: None,
            welzijn_op_recept: None,
            days: Vec::new(),
            languages: Vec::new(),
            age: None,
            near: None,
            organization_id: None,
            taxonomy_term_ids: None,
            modified_after: None,
            ages: None,
            open_window: None,
            sort: SortOrder::Relevance,
            offset: 0,
            limit: 20,
            include_withdrawn: false,
            hide_temporarily_closed: false,
            stale_before: None,
        }
    }
}

/// A page of HSDS service-at-locations ([`SearchIndex::pair_page`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairPage {
    /// Pairs of all matching services.
    pub total: usize,
    /// The services whose pairs make up the page, in order.
    pub services: Vec<Uuid>,
    /// Pairs of the first of them that belong to the previous page.
    pub skip: usize,
}

/// A piece of a snippet. Plain text: the HTML layer escapes it and marks `highlighted` parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnippetPart {
    pub text: String,
    pub highlighted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub service_id: Uuid,
    /// Relevance score (0 when not ranking by relevance).
    pub score: f32,
    /// Metres to the nearest location when `near` was given; `None` without locations.
    pub distance_m: Option<f64>,
    /// True when `near` was given and the service lists one of the covering codes as a
    /// service area (its buurt, wijk or gemeente).
    pub serves_area: bool,
    /// True when it serves the origin's own buurt or wijk ("werkt in uw wijk"), not only the
    /// gemeente as a whole.
    pub serves_local: bool,
    pub snippet: Vec<SnippetPart>,
    /// [`SearchDocument::summary`] as indexed.
    pub summary: Vec<u8>,
    /// [`SearchDocument::description`] as indexed (read for the snippet anyway).
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub code: String,
    pub count: u64,
}

/// Counts over the whole filtered result set, each sorted by count (desc), then code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Top-level and sub-category codes.
    pub categories: Vec<FacetCount>,
    pub target_groups: Vec<FacetCount>,
    pub wijken: Vec<FacetCount>,
    pub access_routes: Vec<FacetCount>,
    pub costs: Vec<FacetCount>,
    /// ISO 639 language codes.
    pub languages: Vec<FacetCount>,
}

/// A life-question phrase recognised in the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecognizedLifeQuestion {
    /// The words as typed (normalised).
    pub matched: String,
    /// The phrase from `index/life_questions.txt`.
    pub phrase: String,
    pub category_codes: Vec<String>,
}

/// A word or phrase that was expanded with synonyms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecognizedSynonym {
    pub term: String,
    pub alternatives: Vec<String>,
}

/// How the text was understood, so the UI can say "Bedoelt u: Eenzaamheid & sociaal netwerk".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Interpretation {
    /// The words of the query, lowercased and accent-folded.
    pub normalized: String,
    pub life_questions: Vec<RecognizedLifeQuestion>,
    pub synonyms: Vec<RecognizedSynonym>,
    /// Plain words searched for (outside recognised phrases).
    pub terms: Vec<String>,
    /// Filler words skipped (`index/fillers.txt`: "de laatste tijd", "hallo").
    pub ignored: Vec<String>,
    /// Words for which typo tolerance was used (rare or unknown in the index).
    pub fuzzy_terms: Vec<String>,
    /// Part of the text was ignored (over 500 characters or over 12 concepts).
    pub truncated: bool,
    /// Text was given but had nothing searchable (only stop words or punctuation): the
    /// results are those of the filters alone.
    pub no_searchable_words: bool,
    /// All words together found nothing, so some were left out (see [`Relaxation`]).
    pub relaxed: Option<Relaxation>,
    /// Words found through typo tolerance, with the word of the index they were taken for.
    pub corrections: Vec<Correction>,
    /// Nothing matched at all: the query with each unknown word replaced by the closest word
    /// of the index ("Bedoelde u …?"). `None` when no better spelling was found.
    pub did_you_mean: Option<String>,
}

/// What a relaxed search kept and dropped. Words are the typed words (folded); a recognised
/// phrase counts as one entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Relaxation {
    pub used: Vec<String>,
    pub dropped: Vec<String>,
}

/// A typed word and the index word typo tolerance took it for ("eenzaamhied" → "eenzaamheid").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub typed: String,
    pub found: String,
}

impl Interpretation {
    /// Category codes suggested by recognised life questions, without duplicates, in order.
    pub fn suggested_categories(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for code in self.life_questions.iter().flat_map(|l| &l.category_codes) {
            if !out.contains(code) {
                out.push(code.clone());
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
    pub interpreted: Interpretation,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("zoekindex: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("zoekindex (bestanden): {0}")]
    Io(#[from] std::io::Error),
    #[error("ongeldige zoekvraag: {0}")]
    InvalidRequest(String),
    #[error("zoekwoordenlijst {file}, regel {line}: {message}")]
    Vocabulary {
        file: &'static str,
        line: usize,
        message: String,
    },
    #[error("de zoekindex wordt opnieuw opgebouwd")]
    RebuildInProgress,
    #[error("zoekindex: vergrendeling beschadigd na een eerdere fout")]
    Poisoned,
    #[error("zoekindex: {0}")]
    Internal(String),
    #[error(
        "de zoekindex is in gebruik door een ander wijkwijzer-proces (draait `wijkwijzer serve` \
         nog met deze --data-dir?); stop dat eerst, of geef dit commando een eigen --data-dir"
    )]
    InUse,
}

/// What [`SearchIndex::open_or_create`] found on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexState {
    /// Just created (or created earlier but never committed): empty, the caller rebuilds.
    Fresh,
    /// Compatible index; resume the change log after `cursor`.
    Current { cursor: i64 },
    /// Another schema version, or unreadable: it was wiped and recreated empty; the caller
    /// rebuilds.
    Incompatible,
}

/// Stored in tantivy's commit payload, atomically with the commit.
#[derive(Debug, Serialize, Deserialize)]
struct CommitPayload {
    schema_version: u32,
    cursor: i64,
    /// What the caller built the documents with, beside the data (the indexer: a fingerprint
    /// of the vocabulary and the geography); see [`SearchIndex::reference`].
    #[serde(default)]
    reference: Option<String>,
}

struct WriterState {
    writer: IndexWriter,
    /// A [`Rebuild`] is running: its uncommitted delete-all must not be committed by `apply`.
    rebuilding: bool,
}

struct Inner {
    reader: IndexReader,
    writer: Mutex<WriterState>,
    fields: Fields,
    analysis: Analysis,
    vocabulary: Vocabulary,
    cursor: RwLock<Option<i64>>,
    reference: RwLock<Option<String>>,
}

/// The search index. Cheap to clone (shared state); `Send + Sync`.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("docs", &self.doc_count())
            .field("cursor", &self.cursor())
            .finish()
    }
}

impl SearchIndex {
    /// Open the index in `dir` (created if missing). The directory must be dedicated to the
    /// index: when the index is incompatible its contents are deleted.
    pub fn open_or_create(dir: &Path) -> Result<(Self, IndexState), SearchError> {
        std::fs::create_dir_all(dir)?;
        let (schema, _) = schema::build_schema();
        let existing = if dir.join("meta.json").exists() {
            Some(inspect_existing(dir, &schema))
        } else {
            None
        };
        let (index, state, committed) = match existing {
            Some(Ok((index, committed))) => {
                let state = match &committed {
                    Some((cursor, _)) => IndexState::Current { cursor: *cursor },
                    None => IndexState::Fresh,
                };
                (index, state, committed)
            }
            Some(Err(reason)) => {
                tracing::warn!(dir = %dir.display(), %reason, "zoekindex onbruikbaar; wordt gewist");
                wipe_dir(dir)?;
                let index = schema::index_builder(schema).create_in_dir(dir)?;
                (index, IndexState::Incompatible, None)
            }
            None => (
                schema::index_builder(schema).create_in_dir(dir)?,
                IndexState::Fresh,
                None,
            ),
        };
        Ok((Self::from_index(index, committed)?, state))
    }

    /// An empty index in memory (tests, tools).
    pub fn in_ram() -> Result<Self, SearchError> {
        let (schema, _) = schema::build_schema();
        Self::from_index(schema::index_builder(schema).create_in_ram()?, None)
    }

    fn from_index(
        index: Index,
        committed: Option<(i64, Option<String>)>,
    ) -> Result<Self, SearchError> {
        let (cursor, reference) = match committed {
            Some((cursor, reference)) => (Some(cursor), reference),
            None => (None, None),
        };
        let analysis = Analysis::new()?;
        index
            .tokenizers()
            .register(NL_TOKENIZER, analysis.index_analyzer());
        index
            .tokenizers()
            .register(FOLD_TOKENIZER, analysis.fold_analyzer());
        let vocabulary = Vocabulary::embedded(&analysis)?;
        let fields = resolve_fields(&index)?;
        // One writer per index directory: a second process (an `import` beside a running
        // `serve`) gets a message it can act on instead of tantivy's lock error.
        let writer = index
            .writer(WRITER_HEAP_BYTES)
            .map_err(|error| match error {
                tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                ) => SearchError::InUse,
                other => other.into(),
            })?;
        // Segments with many deleted documents (a steady trickle of edits) are merged too, not
        // only by size.
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_del_docs_ratio_before_merge(0.3);
        writer.set_merge_policy(Box::new(policy));
        // Manual reload: every commit goes through this type, which reloads right after, so a
        // search after `apply` returns always sees the change.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            inner: Arc::new(Inner {
                reader,
                writer: Mutex::new(WriterState {
                    writer,
                    rebuilding: false,
                }),
                fields,
                analysis,
                vocabulary,
                cursor: RwLock::new(cursor),
                reference: RwLock::new(reference),
            }),
        })
    }

    /// Last change-log sequence number committed, `None` if never committed.
    pub fn cursor(&self) -> Option<i64> {
        self.inner.cursor.read().map(|c| *c).unwrap_or(None)
    }

    /// What the last rebuild was made with (see [`Rebuild::set_reference`]); `None` for an
    /// index that never had one.
    pub fn reference(&self) -> Option<String> {
        self.inner
            .reference
            .read()
            .map(|r| r.clone())
            .unwrap_or(None)
    }

    /// Every indexed service with its [`SearchDocument::version`], as searches see them now.
    /// Walks the service-id terms of each segment (no stored documents are read), so it is
    /// cheap enough to run every few minutes on 100,000 services. Synchronous.
    pub fn versions(&self) -> Result<HashMap<Uuid, i64>, SearchError> {
        let searcher = self.inner.reader.searcher();
        let mut out = HashMap::with_capacity(searcher.num_docs() as usize);
        for segment in searcher.segment_readers() {
            let versions = segment
                .fast_fields()
                .i64(schema::names::VERSION)
                .map_err(|e| SearchError::Internal(e.to_string()))?;
            let alive = segment.alive_bitset();
            let inverted = segment.inverted_index(self.inner.fields.service_id)?;
            let mut terms = inverted.terms().stream()?;
            while terms.advance() {
                let Some(id) = std::str::from_utf8(terms.key())
                    .ok()
                    .and_then(|k| Uuid::parse_str(k).ok())
                else {
                    continue;
                };
                let mut postings = inverted.read_postings_from_terminfo(
                    terms.value(),
                    tantivy::schema::IndexRecordOption::Basic,
                )?;
                let mut doc = postings.doc();
                while doc != tantivy::TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        out.insert(id, versions.first(doc).unwrap_or(0));
                    }
                    doc = postings.advance();
                }
            }
        }
        Ok(out)
    }

    /// Number of (live) services in the index as seen by searches.
    pub fn doc_count(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Number of segments searches go through.
    pub fn segment_count(&self) -> usize {
        self.inner.reader.searcher().segment_readers().len()
    }

    /// Merges all segments into one when there are more than [`MAX_SEGMENTS`], so that search
    /// stays as fast however the index was fed (one big import, many small ones, a trickle of
    /// edits). Returns whether it merged. Synchronous and slow (seconds at 100k services): run
    /// it off the async threads. Searches and `apply` go on meanwhile; the writer lock is held
    /// only to start the merge.
    pub fn compact_if_fragmented(&self) -> Result<bool, SearchError> {
        if self.segment_count() <= MAX_SEGMENTS {
            return Ok(false);
        }
        let inner = &*self.inner;
        let started = std::time::Instant::now();
        let before = self.segment_count();
        {
            let mut state = inner.lock_writer()?;
            if state.rebuilding {
                return Ok(false);
            }
            merge_all_segments(&mut state.writer)?;
        }
        inner.reader.reload()?;
        tracing::info!(
            segments_before = before,
            segments_after = self.segment_count(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "zoekindex samengevoegd"
        );
        Ok(true)
    }

    /// Apply one batch from the change log in one commit: replace every upserted service,
    /// remove every deleted one, store `cursor`. Visible to searches when this returns.
    /// Fails with [`SearchError::RebuildInProgress`] while a [`Rebuild`] is open.
    pub fn apply(
        &self,
        upserts: Vec<SearchDocument>,
        deletes: &[Uuid],
        cursor: i64,
    ) -> Result<(), SearchError> {
        let inner = &*self.inner;
        let upserts = last_per_id(upserts);
        let mut analysis = inner.analysis.clone();
        let docs: Vec<TantivyDocument> = upserts
            .iter()
            .map(|doc| schema::to_tantivy(doc, &inner.fields, &mut analysis))
            .collect();

        let mut state = inner.lock_writer()?;
        if state.rebuilding {
            return Err(SearchError::RebuildInProgress);
        }
        let result = (|| {
            let writer = &mut state.writer;
            for id in upserts.iter().map(|d| &d.service_id).chain(deletes) {
                writer.delete_term(service_term(&inner.fields, id));
            }
            for doc in docs {
                writer.add_document(doc)?;
            }
            commit_with_cursor(writer, cursor, inner.reference_now())
        })();
        if let Err(error) = result {
            // Drop the half-applied batch so a later commit cannot publish it.
            if let Err(rollback_error) = state.writer.rollback() {
                tracing::error!(%rollback_error, "rollback van zoekindex mislukt");
            }
            return Err(error);
        }
        drop(state);
        inner.set_cursor(cursor);
        inner.reader.reload()?;
        Ok(())
    }

    /// Start a wipe-and-refill. Searches keep seeing the old contents until
    /// [`Rebuild::finish`]; dropping the `Rebuild` without finishing rolls everything back.
    /// `apply` is refused meanwhile. The returned value is `Send`, so it can be held across
    /// `.await` while batches are loaded from the database.
    pub fn begin_rebuild(&self) -> Result<Rebuild, SearchError> {
        let mut state = self.inner.lock_writer()?;
        if state.rebuilding {
            return Err(SearchError::RebuildInProgress);
        }
        state.writer.delete_all_documents()?;
        state.rebuilding = true;
        Ok(Rebuild {
            index: self.clone(),
            seen: std::collections::HashSet::new(),
            finished: false,
            reference: self.reference(),
        })
    }

    /// Convenience: rebuild from an iterator of batches and set `cursor`.
    pub fn rebuild<I>(&self, batches: I, cursor: i64) -> Result<(), SearchError>
    where
        I: IntoIterator<Item = Vec<SearchDocument>>,
    {
        let mut rebuild = self.begin_rebuild()?;
        for batch in batches {
            rebuild.add_batch(batch)?;
        }
        rebuild.finish(cursor)
    }

    /// Run a search. Synchronous and CPU-bound.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let limit = request.limit.min(MAX_LIMIT);
        let keep = if request.offset > MAX_OFFSET {
            0
        } else {
            request.offset + limit
        };
        let Collected {
            searcher,
            text_query: snippet_query,
            interpretation,
            results: collected,
        } = self.collect(request, keep, false)?;
        let fields = &self.inner.fields;

        let snippets = match &snippet_query {
            Some(q) => Some(self.snippet_generator(&searcher, q.as_ref())?),
            None => None,
        };
        let mut hits = Vec::new();
        for hit in collected.hits.into_iter().skip(request.offset).take(limit) {
            let doc: TantivyDocument = searcher.doc(hit.address)?;
            let stored_id = doc
                .get_first(fields.service_id)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let Ok(service_id) = Uuid::parse_str(stored_id) else {
                tracing::warn!(service_id = stored_id, "ongeldige service_id in zoekindex");
                continue;
            };
            let description = doc
                .get_first(fields.description)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let summary = doc
                .get_first(fields.summary)
                .and_then(|v| v.as_bytes())
                .unwrap_or_default()
                .to_vec();
            let snippet = match &snippets {
                Some(generator) => {
                    highlighted_snippet(&generator.snippet(&description), &description)
                }
                None => None,
            }
            .unwrap_or_else(|| leading_snippet(&description));
            hits.push(SearchHit {
                service_id,
                score: hit.score,
                distance_m: hit.distance_m,
                serves_area: hit.serves_area,
                serves_local: hit.serves_local,
                snippet,
                summary,
                description,
            });
        }

        Ok(SearchResults {
            total: usize::try_from(collected.total).unwrap_or(usize::MAX),
            hits,
            facets: collected.facets,
            interpreted: interpretation,
        })
    }

    /// Every service id matching `request`, in the request's order, with no page size and no
    /// depth limit (`offset` and `limit` are ignored): for complete listings such as the HSDS
    /// ndjson stream. Costs one stored-document read per match, in index order (see
    /// [`Self::service_ids`]); 16 bytes a match are what stays.
    pub fn matching_ids(&self, request: &SearchRequest) -> Result<Vec<Uuid>, SearchError> {
        // `keep` only bounds the collector's heaps (nothing is allocated up front), so "all" is
        // simply the largest number; counting documents first could race with a reload.
        let Collected {
            searcher, results, ..
        } = self.collect(request, usize::MAX, false)?;
        let addresses: Vec<tantivy::DocAddress> =
            results.hits.into_iter().map(|hit| hit.address).collect();
        self.service_ids(&searcher, &addresses)
    }

    /// One page of the matching service ids at any depth (`offset` beyond [`MAX_OFFSET`]
    /// too), with the total: the collector keeps `offset + limit` entries, and only the page's
    /// ids are read. For the deep pages of HSDS lists, which used to resolve every match.
    pub fn page_ids(
        &self,
        request: &SearchRequest,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<Uuid>), SearchError> {
        let limit = limit.min(MAX_LIMIT);
        let Collected {
            searcher, results, ..
        } = self.collect(request, offset.saturating_add(limit), false)?;
        let addresses: Vec<tantivy::DocAddress> = results
            .hits
            .iter()
            .skip(offset)
            .take(limit)
            .map(|hit| hit.address)
            .collect();
        let total = usize::try_from(results.total).unwrap_or(usize::MAX);
        Ok((total, self.service_ids(&searcher, &addresses)?))
    }

    /// One page of HSDS service-at-locations: a service stands for as many (service,
    /// location) pairs as it has locations (with `near` and a radius: locations within it),
    /// in the request's order of services. Work is proportional to the page's depth, not to
    /// all matches: the collector counts every match's pairs from a fast field for the
    /// total, keeps the first services up to the page (each has at least one pair, so
    /// `offset + limit` of them suffice), and only the page's services are resolved.
    pub fn pair_page(
        &self,
        request: &SearchRequest,
        offset: usize,
        limit: usize,
    ) -> Result<PairPage, SearchError> {
        let Collected {
            searcher, results, ..
        } = self.collect(request, offset.saturating_add(limit), true)?;
        let mut before = 0usize;
        let mut skip = 0;
        let mut addresses = Vec::new();
        for hit in &results.hits {
            let pairs = hit.pairs as usize;
            if addresses.is_empty() {
                if before + pairs <= offset {
                    before += pairs;
                    continue;
                }
                skip = offset - before;
            }
            addresses.push(hit.address);
            before += pairs;
            if before >= offset.saturating_add(limit) {
                break;
            }
        }
        Ok(PairPage {
            total: usize::try_from(results.pairs_total).unwrap_or(usize::MAX),
            services: self.service_ids(&searcher, &addresses)?,
            skip,
        })
    }

    /// The stored service ids of `addresses`, in their order. Read in index order: the doc
    /// store decompresses a block per read unless the block is cached, and hits in name or
    /// relevance order lie all over the index, so reading them as they come decompressed a
    /// block per hit.
    fn service_ids(
        &self,
        searcher: &tantivy::Searcher,
        addresses: &[tantivy::DocAddress],
    ) -> Result<Vec<Uuid>, SearchError> {
        let field = self.inner.fields.service_id;
        let mut by_address: Vec<(tantivy::DocAddress, usize)> = addresses
            .iter()
            .enumerate()
            .map(|(i, address)| (*address, i))
            .collect();
        by_address.sort_unstable();
        let mut ids: Vec<Option<Uuid>> = vec![None; addresses.len()];
        for (address, i) in by_address {
            let doc: TantivyDocument = searcher.doc(address)?;
            let stored = doc
                .get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            match Uuid::parse_str(stored) {
                Ok(id) => ids[i] = Some(id),
                Err(_) => tracing::warn!(service_id = stored, "ongeldige service_id in zoekindex"),
            }
        }
        Ok(ids.into_iter().flatten().collect())
    }

    /// What `SnippetGenerator::create` builds, but with the memoised snippet analyzer: the
    /// query's description terms, each weighted by rarity as tantivy does.
    fn snippet_generator(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn tantivy::query::Query,
    ) -> Result<SnippetGenerator, SearchError> {
        let field = self.inner.fields.description;
        let mut terms = std::collections::BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                terms.insert(term.clone());
            }
        });
        let mut weighted = std::collections::BTreeMap::new();
        for term in terms {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let doc_freq = searcher.doc_freq(&term)?;
            if doc_freq > 0 {
                weighted.insert(text.to_string(), 1.0 / (1.0 + doc_freq as f32));
            }
        }
        Ok(SnippetGenerator::new(
            weighted,
            self.inner.analysis.snippet_analyzer(),
            field,
            SNIPPET_CHARS,
        ))
    }

    /// Interprets the request and runs the collector, keeping the first `keep` hits in order.
    /// `count_pairs`: also count each hit's service-at-locations (see [`Self::pair_page`]).
    fn collect(
        &self,
        request: &SearchRequest,
        keep: usize,
        count_pairs: bool,
    ) -> Result<Collected, SearchError> {
        validate(request)?;
        let inner = &*self.inner;
        let fields = &inner.fields;
        let searcher = inner.reader.searcher();

        let text = request
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let (concepts, mut interpretation) = match text {
            Some(text) => {
                let mut analysis = inner.analysis.clone();
                let built =
                    query::text_query(text, &mut analysis, &inner.vocabulary, fields, &searcher)?;
                let mut interpretation = built.interpretation;
                interpretation.no_searchable_words = built.concepts.is_empty();
                (built.concepts, interpretation)
            }
            None => (Vec::new(), Interpretation::default()),
        };

        let near = request.near.as_ref().map(|near| NearSpec {
            origin: near.point,
            radius_m: near.radius_m,
            covering_terms: near
                .covering_codes
                .iter()
                .map(|code| Term::from_field_text(fields.served_area_codes, code))
                .collect(),
            local_terms: near
                .covering_codes
                .iter()
                .filter(|code| !code.starts_with("GM"))
                .map(|code| Term::from_field_text(fields.served_area_codes, code))
                .collect(),
            served_area_field: fields.served_area_codes,
        });
        let scoring = request.sort == SortOrder::Relevance && !concepts.is_empty();
        let collector = |keep: usize| SearchCollector {
            sort: request.sort,
            scoring,
            blend: scoring && near.is_some(),
            near: near.clone(),
            keep,
            count_pairs,
            stale_before_day: request
                .stale_before
                .filter(|_| scoring)
                .map(|d| i64::from(d.to_julian_day())),
        };
        // The exclusion clause only when there is something to exclude: almost always there
        // is not, and a bare query keeps tantivy's fast paths (one term lookup per search).
        let exclude_withdrawn = !request.include_withdrawn
            && searcher.doc_freq(&Term::from_field_bool(fields.withdrawn, true))? > 0;
        let run = |text: Option<Box<dyn tantivy::query::Query>>, keep: usize| {
            let query = query::full_query(text, request, fields, exclude_withdrawn);
            searcher.search(query.as_ref(), &collector(keep))
        };

        let mut text_query = query::all_of(concepts.iter().map(|c| c.query.box_clone()).collect());
        let mut results = run(text_query.as_ref().map(|q| q.box_clone()), keep)?;
        if results.total == 0 && !concepts.is_empty() {
            let count = |query: Box<dyn tantivy::query::Query>| -> Result<u64, SearchError> {
                Ok(run(Some(query), 0)?.total)
            };
            if let Some(relaxed) = relax(&concepts, count)? {
                let mut clauses: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
                for &i in &relaxed.kept {
                    clauses.push((Occur::Must, concepts[i].query.box_clone()));
                }
                // Results that also match words left out rank first.
                for &i in &relaxed.optional {
                    clauses.push((Occur::Should, concepts[i].query.box_clone()));
                }
                let query: Box<dyn tantivy::query::Query> = Box::new(BooleanQuery::new(clauses));
                results = run(Some(query.box_clone()), keep)?;
                text_query = Some(query);
                let labels = |indexes: &[usize]| -> Vec<String> {
                    indexes.iter().map(|&i| concepts[i].label.clone()).collect()
                };
                let mut dropped = relaxed.optional.clone();
                dropped.extend(&relaxed.unmatched);
                dropped.sort_unstable();
                interpretation.relaxed = Some(Relaxation {
                    used: labels(&relaxed.kept),
                    dropped: labels(&dropped),
                });
            }
            if results.total == 0 {
                interpretation.did_you_mean =
                    self.did_you_mean(&interpretation, &searcher, |q| Ok(run(Some(q), 0)?.total))?;
            }
        }
        Ok(Collected {
            searcher,
            text_query,
            interpretation,
            results,
        })
    }

    /// "Bedoelde u …?": the typed words with each word the index does not know replaced by the
    /// closest word it does know (a typo away; or, for an unfinished word, the most common word
    /// it begins), kept only when that query finds something.
    fn did_you_mean(
        &self,
        interpretation: &Interpretation,
        searcher: &tantivy::Searcher,
        count: impl Fn(Box<dyn tantivy::query::Query>) -> Result<u64, SearchError>,
    ) -> Result<Option<String>, SearchError> {
        let inner = &*self.inner;
        let lexicon = lexicon::Lexicon::new(searcher, inner.fields.surface);
        let mut changed = false;
        let mut words = Vec::new();
        for word in interpretation.normalized.split_whitespace() {
            let chars = word.chars().count();
            if chars < lexicon::MIN_PART_CHARS || lexicon.contains(word)? {
                words.push(word.to_string());
                continue;
            }
            let distance = if chars <= 4 { 1 } else { 2 };
            let better = match lexicon.near(word, distance, 1)?.into_iter().next() {
                Some((near, _)) => Some(near),
                None => lexicon
                    .extensions(word, 1, 1)?
                    .into_iter()
                    .next()
                    .map(|(longer, _)| longer),
            };
            match better {
                Some(better) => {
                    changed = true;
                    words.push(better);
                }
                None => words.push(word.to_string()),
            }
        }
        if !changed {
            return Ok(None);
        }
        let suggestion = words.join(" ");
        let mut analysis = inner.analysis.clone();
        let built = query::text_query(
            &suggestion,
            &mut analysis,
            &inner.vocabulary,
            &inner.fields,
            searcher,
        )?;
        let Some(query) = query::all_of(built.concepts.into_iter().map(|c| c.query).collect())
        else {
            return Ok(None);
        };
        Ok((count(query)? > 0).then_some(suggestion))
    }
}

/// The outcome of [`relax`], as indexes into the concepts.
struct Relaxed {
    /// Together they find something: every result matches all of them.
    kept: Vec<usize>,
    /// Left out to find something, but each matches something on its own: results that match
    /// them too rank first.
    optional: Vec<usize>,
    /// Match nothing at all (with the filters).
    unmatched: Vec<usize>,
}

/// When all concepts together find nothing, leave out the least important ones until something
/// is found (as Meilisearch's matching strategy does), instead of answering zero. Least
/// important, left out first: concepts that match nothing at all; then single words before
/// recognised life questions and synonym phrases (those say most clearly what was meant); among
/// those, the one matching the most services (it tells the least, like a low IDF); on a tie the
/// later word (people type what matters most first). `None`
/// when no concept matches anything on its own.
fn relax(
    concepts: &[query::Concept],
    count: impl Fn(Box<dyn tantivy::query::Query>) -> Result<u64, SearchError>,
) -> Result<Option<Relaxed>, SearchError> {
    let mut alone = Vec::with_capacity(concepts.len());
    for concept in concepts {
        alone.push(count(concept.query.box_clone())?);
    }
    let (mut kept, unmatched): (Vec<usize>, Vec<usize>) =
        (0..concepts.len()).partition(|&i| alone[i] > 0);
    if kept.is_empty() {
        return Ok(None);
    }
    let mut optional = Vec::new();
    // With every concept matching something the whole set is already known to find nothing.
    let mut known_empty = unmatched.is_empty();
    loop {
        if !known_empty {
            let together = query::all_of(
                kept.iter()
                    .map(|&i| concepts[i].query.box_clone())
                    .collect(),
            );
            if let Some(query) = together
                && count(query)? > 0
            {
                break;
            }
        }
        known_empty = false;
        let Some(least) = kept
            .iter()
            .copied()
            .max_by_key(|&i| (!concepts[i].recognised, alone[i], i))
        else {
            break;
        };
        if kept.len() == 1 {
            // One concept that matches on its own always finds something; not reached.
            break;
        }
        kept.retain(|&i| i != least);
        optional.push(least);
    }
    optional.sort_unstable();
    Ok(Some(Relaxed {
        kept,
        optional,
        unmatched,
    }))
}

/// What [`SearchIndex::collect`] hands to the callers that read the hits.
struct Collected {
    searcher: tantivy::Searcher,
    /// The scoring part alone (for snippets).
    text_query: Option<Box<dyn tantivy::query::Query>>,
    interpretation: Interpretation,
    results: collector::CollectedResults,
}

impl Inner {
    fn lock_writer(&self) -> Result<MutexGuard<'_, WriterState>, SearchError> {
        self.writer.lock().map_err(|_| SearchError::Poisoned)
    }

    fn reference_now(&self) -> Option<String> {
        self.reference.read().map(|r| r.clone()).unwrap_or(None)
    }

    fn set_reference(&self, reference: Option<String>) {
        match self.reference.write() {
            Ok(mut guard) => *guard = reference,
            Err(poisoned) => *poisoned.into_inner() = reference,
        }
    }

    fn set_cursor(&self, cursor: i64) {
        match self.cursor.write() {
            Ok(mut guard) => *guard = Some(cursor),
            Err(poisoned) => *poisoned.into_inner() = Some(cursor),
        }
    }
}

/// A wipe-and-refill in progress; see [`SearchIndex::begin_rebuild`].
pub struct Rebuild {
    index: SearchIndex,
    seen: std::collections::HashSet<Uuid>,
    finished: bool,
    reference: Option<String>,
}

impl Rebuild {
    /// What the new contents are made with (kept in the commit, read by
    /// [`SearchIndex::reference`]); unless set, the index's current one is kept.
    pub fn set_reference(&mut self, reference: String) {
        self.reference = Some(reference);
    }

    /// Add one batch of services (any size; the writer flushes to disk as its heap fills).
    pub fn add_batch(&mut self, batch: Vec<SearchDocument>) -> Result<(), SearchError> {
        let inner = &*self.index.inner;
        let mut analysis = inner.analysis.clone();
        let docs: Vec<(Uuid, TantivyDocument)> = batch
            .iter()
            .map(|doc| {
                (
                    doc.service_id,
                    schema::to_tantivy(doc, &inner.fields, &mut analysis),
                )
            })
            .collect();
        let state = inner.lock_writer()?;
        for (id, doc) in docs {
            if !self.seen.insert(id) {
                // Same service twice: the last one wins, as in `apply`.
                state.writer.delete_term(service_term(&inner.fields, &id));
            }
            state.writer.add_document(doc)?;
        }
        Ok(())
    }

    /// Commit the new contents with `cursor` and make them visible.
    pub fn finish(mut self, cursor: i64) -> Result<(), SearchError> {
        let inner = &*self.index.inner;
        let mut state = inner.lock_writer()?;
        self.finished = true;
        state.rebuilding = false;
        if let Err(error) = commit_with_cursor(&mut state.writer, cursor, self.reference.clone()) {
            if let Err(rollback_error) = state.writer.rollback() {
                tracing::error!(%rollback_error, "rollback van zoekindex mislukt");
            }
            return Err(error);
        }
        // Merge into one segment: per-query cost grows with the number of segments (weights,
        // scorers and fast-field columns are set up per segment), and the default merge
        // policy leaves a handful of large segments alone. Merges keep the commit payload.
        if let Err(error) = merge_all_segments(&mut state.writer) {
            tracing::warn!(%error, "samenvoegen van segmenten na herbouw mislukt");
        }
        drop(state);
        inner.set_cursor(cursor);
        inner.set_reference(self.reference.take());
        inner.reader.reload()?;
        Ok(())
    }

    /// Abandon the rebuild; the index keeps its previous contents.
    pub fn abort(self) {
        drop(self);
    }
}

impl Drop for Rebuild {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        match self.index.inner.lock_writer() {
            Ok(mut state) => {
                if let Err(error) = state.writer.rollback() {
                    tracing::error!(%error, "rollback van afgebroken herbouw mislukt");
                }
                state.rebuilding = false;
            }
            Err(error) => tracing::error!(%error, "afgebroken herbouw niet teruggedraaid"),
        }
    }
}

fn service_term(fields: &Fields, id: &Uuid) -> Term {
    Term::from_field_text(fields.service_id, &id.to_string())
}

/// Merges every committed segment into one. The writer's merge policy may already be merging
/// some of them in the background; tantivy then refuses a merge that names them ("could not
/// be found in the SegmentManager"), so ask again with the segments as they are now. Bounded:
/// a merge that does not happen costs query speed, not correctness.
fn merge_all_segments(writer: &mut IndexWriter) -> Result<(), SearchError> {
    const ATTEMPTS: usize = 40;
    let mut attempt = 0;
    loop {
        let segment_ids = writer.index().searchable_segment_ids()?;
        if segment_ids.len() <= 1 {
            return Ok(());
        }
        match writer.merge(&segment_ids).wait() {
            Ok(_) => return Ok(()),
            Err(error) if attempt + 1 >= ATTEMPTS => return Err(error.into()),
            Err(_) => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
        }
    }
}

fn commit_with_cursor(
    writer: &mut IndexWriter,
    cursor: i64,
    reference: Option<String>,
) -> Result<(), SearchError> {
    let payload = serde_json::to_string(&CommitPayload {
        schema_version: SCHEMA_VERSION,
        cursor,
        reference,
    })
    .map_err(|e| SearchError::Internal(e.to_string()))?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

/// Keep the last upsert for each service id, in first-seen order.
fn last_per_id(upserts: Vec<SearchDocument>) -> Vec<SearchDocument> {
    let mut position: HashMap<Uuid, usize> = HashMap::with_capacity(upserts.len());
    let mut out: Vec<SearchDocument> = Vec::with_capacity(upserts.len());
    for doc in upserts {
        match position.get(&doc.service_id) {
            Some(&i) => out[i] = doc,
            None => {
                position.insert(doc.service_id, out.len());
                out.push(doc);
            }
        }
    }
    out
}

fn resolve_fields(index: &Index) -> Result<Fields, SearchError> {
    // The schema we build is the schema of the index (checked in `inspect_existing`), so the
    // handles from `build_schema` are valid; still resolve by name to fail loudly otherwise.
    let (expected, fields) = schema::build_schema();
    if index.schema() != expected {
        return Err(SearchError::Internal(
            "schema van de index wijkt af".to_string(),
        ));
    }
    Ok(fields)
}

/// Open an existing index and read its payload. `Ok((index, Some((cursor, reference))))` if
/// usable (`None`: created but never committed), `Err(reason)` if it must be wiped.
#[allow(clippy::type_complexity)]
fn inspect_existing(
    dir: &Path,
    schema: &tantivy::schema::Schema,
) -> Result<(Index, Option<(i64, Option<String>)>), String> {
    let index = Index::open_in_dir(dir).map_err(|e| format!("openen mislukt: {e}"))?;
    if index.schema() != *schema {
        return Err("ander schema".to_string());
    }
    // Settings are fixed at creation. The radius filter's binary search relies on every segment
    // being sorted by spatial key, and the doc-store settings are chosen for search speed.
    if *index.settings() != schema::index_settings() {
        return Err("andere indexinstellingen".to_string());
    }
    let metas = index
        .load_metas()
        .map_err(|e| format!("meta.json onleesbaar: {e}"))?;
    match metas.payload.as_deref() {
        None if metas.segments.is_empty() => Ok((index, None)),
        None => Err("geen commit-payload".to_string()),
        Some(payload) => {
            let payload: CommitPayload = serde_json::from_str(payload)
                .map_err(|e| format!("commit-payload onleesbaar: {e}"))?;
            if payload.schema_version != SCHEMA_VERSION {
                return Err(format!(
                    "schemaversie {} (verwacht {SCHEMA_VERSION})",
                    payload.schema_version
                ));
            }
            Ok((index, Some((payload.cursor, payload.reference))))
        }
    }
}

/// Delete the contents of `dir` (not `dir` itself: it may be a mount point).
fn wipe_dir(dir: &Path) -> Result<(), SearchError> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn validate(request: &SearchRequest) -> Result<(), SearchError> {
    let invalid = |message: &str| Err(SearchError::InvalidRequest(message.to_string()));
    let window_days = request.open_window.iter().flat_map(|w| &w.days);
    if request
        .days
        .iter()
        .chain(window_days)
        .any(|day| !(1..=7).contains(day))
    {
        return invalid("dag moet 1 (maandag) t/m 7 (zondag) zijn");
    }
    if let Some(near) = &request.near {
        let GeoPoint {
            latitude,
            longitude,
        } = near.point;
        // NaN and infinities are outside the ranges too.
        if !((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)) {
            return invalid("ongeldige coördinaat");
        }
        if let Some(radius) = near.radius_m
            && (!radius.is_finite() || radius < 0.0)
        {
            return invalid("straal moet een positief aantal meters zijn");
        }
    } else if request.sort == SortOrder::Distance {
        return invalid("sorteren op afstand vraagt een locatie");
    }
    Ok(())
}

/// Turn a tantivy snippet into parts; `None` when nothing in the description matched.
fn highlighted_snippet(snippet: &Snippet, text: &str) -> Option<Vec<SnippetPart>> {
    if snippet.highlighted().is_empty() {
        return None;
    }
    let fragment = snippet.fragment();
    let range = snippet.fragment_range();
    let mut parts = Vec::new();
    let mut push = |text: &str, highlighted: bool| {
        if !text.is_empty() {
            parts.push(SnippetPart {
                text: text.to_string(),
                highlighted,
            });
        }
    };
    if range.start > 0 {
        push("…", false);
    }
    let mut at = 0;
    for highlight in snippet.highlighted() {
        let (start, end) = (highlight.start.max(at), highlight.end.min(fragment.len()));
        if start >= end {
            continue;
        }
        push(fragment.get(at..start)?, false);
        push(fragment.get(start..end)?, true);
        at = end;
    }
    push(fragment.get(at..)?, false);
    if range.end < text.trim_end().len() {
        push("…", false);
    }
    Some(parts)
}

/// The first ~[`SNIPPET_CHARS`] characters, cut at a word boundary.
fn leading_snippet(text: &str) -> Vec<SnippetPart> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let snippet = match text.char_indices().nth(SNIPPET_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => {
            let head = &text[..cut];
            let head = match head.rfind(char::is_whitespace) {
                Some(space) if space > cut / 2 => &head[..space],
                _ => head,
            };
            format!("{}…", head.trim_end())
        }
    };
    vec![SnippetPart {
        text: snippet,
        highlighted: false,
    }]
}
