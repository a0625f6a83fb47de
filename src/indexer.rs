//! Keeps the search index in step with the database, which is the one source of truth.
//!
//! Every write appends to the change log in its own transaction ([`crate::store`]); this module
//! reads the log from the cursor stored inside the index, reloads the changed services and
//! applies them to tantivy in batches, committing the new cursor atomically with the documents.
//! Each service instance has its own index and cursor, so several instances can follow one
//! PostgreSQL database independently.
//!
//! Why nothing is missed:
//! - Write transactions commit in change-log order on both databases (`store::changes`), so
//!   a hole in the sequence is a rolled-back transaction, never one still to come, and a
//!   rebuild may start from `max(seq)` read before the data.
//! - What the log cannot carry is in the index's *reference*, a fingerprint of the vocabulary
//!   and geography its documents were built with: when a start brings other ones (a new
//!   release, `geo import`), the index is rebuilt.
//! - And should anything slip through all the same (a write path that forgot the log, a
//!   restored backup), [`Indexer::reconcile`] compares every document's version with the
//!   database every few minutes, re-indexes what differs and says so in the log.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::domain::vocabulary::{CATEGORY_TAXONOMY, TARGET_GROUP_TAXONOMY};
use crate::domain::{ServiceRecord, ServiceSummary, Vocabulary};
use crate::geo::Geography;
use crate::search::{GeoPoint, SearchDocument, SearchIndex, Session};
use crate::store::{Change, Store};

/// How many services are loaded and indexed per commit.
const BATCH: usize = 1_000;
/// How many (id, version) pairs reconciliation reads per query.
const RECONCILE_BATCH: i64 = 5_000;
/// How often the log is polled when no local write has signalled (other instances' writes).
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// How often the whole index is compared with the database ([`Indexer::reconcile`]): a few
/// hundred milliseconds at 100,000 services, so often enough that a miss lives minutes.
pub const RECONCILE_INTERVAL: Duration = Duration::from_secs(300);
/// The soonest a hole in the log brings the next reconciliation forward to (holes are
/// rollbacks and lose nothing, but a check after one is cheap reassurance).
const RECONCILE_AFTER_HOLE: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Indexer {
    store: Store,
    index: SearchIndex,
    geo: Arc<Geography>,
    vocabulary: Arc<Vocabulary>,
    wake: Arc<Notify>,
    /// One of catch-up, rebuild and reconciliation at a time: each reads the cursor, loads
    /// services and commits documents with a cursor, and interleaved they could commit
    /// documents loaded before another one's newer ones.
    gate: Arc<tokio::sync::Mutex<()>>,
    /// [`reference_fingerprint`] of `geo` and `vocabulary`.
    reference: Arc<str>,
    counters: Arc<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    holes_stepped_over: AtomicU64,
    reconciliations: AtomicU64,
    repaired: AtomicU64,
    hole_seen: AtomicBool,
    last_compared: AtomicU64,
    last_elapsed_ms: AtomicU64,
}

/// What this process's indexer has done since it started (for tests and logs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexerStats {
    /// Missing sequence numbers stepped over (rolled-back transactions).
    pub holes_stepped_over: u64,
    /// Completed reconciliations.
    pub reconciliations: u64,
    /// Services that reconciliation found missing, outdated or deleted in the index and
    /// re-indexed: 0 unless something bypassed the change log.
    pub repaired: u64,
    /// Services compared by the last reconciliation, and how long it took: its cost grows
    /// with the directory, so an operator can see it (`/healthz`).
    pub last_reconciliation_compared: u64,
    pub last_reconciliation_ms: u64,
}

/// What one [`Indexer::reconcile`] found (and re-indexed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// Services compared (in the database).
    pub compared: u64,
    /// In the database, not in the index.
    pub missing: u64,
    /// In the index with a version older than the database's, though the log says the
    /// index should have the newer one.
    pub outdated: u64,
    /// In the index, gone from the database.
    pub gone: u64,
}

impl Reconciliation {
    pub fn repaired(&self) -> u64 {
        self.missing + self.outdated + self.gone
    }
}

impl Indexer {
    pub fn new(
        store: Store,
        index: SearchIndex,
        geo: Arc<Geography>,
        vocabulary: Arc<Vocabulary>,
    ) -> Self {
        let reference = reference_fingerprint(&geo, &vocabulary).into();
        Self {
            store,
            index,
            geo,
            vocabulary,
            wake: Arc::new(Notify::new()),
            gate: Arc::new(tokio::sync::Mutex::new(())),
            reference,
            counters: Arc::new(Counters::default()),
        }
    }

    /// Asks the background task to look at the log now (after a local write).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    pub fn stats(&self) -> IndexerStats {
        IndexerStats {
            holes_stepped_over: self.counters.holes_stepped_over.load(Ordering::Relaxed),
            reconciliations: self.counters.reconciliations.load(Ordering::Relaxed),
            repaired: self.counters.repaired.load(Ordering::Relaxed),
            last_reconciliation_compared: self.counters.last_compared.load(Ordering::Relaxed),
            last_reconciliation_ms: self.counters.last_elapsed_ms.load(Ordering::Relaxed),
        }
    }

    /// The fingerprint of the vocabulary and geography this indexer builds documents with.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// Empties the index and refills it from the database.
    pub async fn rebuild(&self) -> anyhow::Result<usize> {
        let _gate = self.gate.lock().await;
        let started = Instant::now();
        // Read before the data: every seq up to here has committed or rolled back (writes
        // commit in log order, `store::changes`), so the data read next holds them all; what
        // is written meanwhile comes after the cursor and is applied again (idempotent).
        let cursor = self.store.latest_change().await?;
        let mut rebuild = self.index.begin_rebuild()?;
        rebuild.set_reference(self.reference.to_string());
        let mut after: Option<Uuid> = None;
        let mut total = 0;
        loop {
            let ids = self.store.service_ids_after(after, BATCH as i64).await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            let (docs, _) = self.load_documents(&ids).await?;
            total += docs.len();
            rebuild =
                tokio::task::spawn_blocking(move || rebuild.add_batch(docs).map(|()| rebuild))
                    .await??;
            after = Some(last);
        }
        tokio::task::spawn_blocking(move || rebuild.finish(cursor)).await??;
        tracing::info!(
            services = total,
            cursor,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index rebuilt"
        );
        Ok(total)
    }

    /// Makes sure the index exists, matches this version, was built with this vocabulary and
    /// geography and has not fallen behind a pruned log; rebuilds when not, then catches up.
    pub async fn prepare(&self, needs_rebuild: bool) -> anyhow::Result<()> {
        let behind = match (self.index.cursor(), self.store.oldest_change().await?) {
            (Some(cursor), Some(oldest)) => cursor + 1 < oldest,
            (None, _) => true,
            _ => false,
        };
        let built_with = self.index.reference();
        let reference_changed = built_with.as_deref() != Some(&*self.reference);
        if reference_changed && !needs_rebuild && !behind {
            tracing::info!(
                was = built_with.as_deref().unwrap_or("-"),
                now = &*self.reference,
                "vocabulary or geography changed since the index was built: rebuilding it"
            );
        }
        if needs_rebuild || behind || reference_changed {
            self.rebuild().await?;
        }
        self.catch_up(&mut GapTracker::default()).await?;
        Ok(())
    }

    /// Applies every change after the index's cursor. Returns how many changes were applied.
    pub async fn catch_up(&self, gaps: &mut GapTracker) -> anyhow::Result<usize> {
        let _gate = self.gate.lock().await;
        self.catch_up_locked(gaps).await
    }

    async fn catch_up_locked(&self, gaps: &mut GapTracker) -> anyhow::Result<usize> {
        let mut applied = 0;
        loop {
            let cursor = self.index.cursor().unwrap_or(0);
            let changes = self.store.changes_after(cursor, BATCH as i64).await?;
            let Some(last) = changes.last() else {
                return Ok(applied);
            };
            let new_cursor = last.seq;
            let holes = gaps.step_over(cursor, &changes);
            if holes > 0 {
                // Rolled back: a transaction still open holds back every later seq.
                self.counters
                    .holes_stepped_over
                    .fetch_add(holes, Ordering::Relaxed);
                self.counters.hole_seen.store(true, Ordering::Relaxed);
                tracing::debug!(
                    holes,
                    after = cursor,
                    up_to = new_cursor,
                    "change log: stepped over the numbers of rolled-back transactions"
                );
            }
            let ids: BTreeSet<Uuid> = changes.iter().map(|c| c.service_id).collect();
            let ids: Vec<Uuid> = ids.into_iter().collect();
            self.index_services(&ids, new_cursor)
                .await
                .context("applying changes to the search index")?;
            applied += changes.len();
            if changes.len() < BATCH {
                return Ok(applied);
            }
        }
    }

    /// Loads `ids` and writes their documents (deleting those no longer in the database) in
    /// one commit with `cursor`.
    async fn index_services(&self, ids: &[Uuid], cursor: i64) -> anyhow::Result<()> {
        let (docs, present) = self.load_documents(ids).await?;
        let deletes: Vec<Uuid> = ids
            .iter()
            .filter(|id| !present.contains(id))
            .copied()
            .collect();
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.apply(docs, &deletes, cursor)).await??;
        Ok(())
    }

    /// The documents of those of `ids` the database has, with their versions, and which
    /// ids those were.
    async fn load_documents(
        &self,
        ids: &[Uuid],
    ) -> anyhow::Result<(Vec<SearchDocument>, BTreeSet<Uuid>)> {
        // Versions first: data loaded after reading version v holds every change up to v,
        // so a document is never marked newer than what it holds.
        let versions = self.store.change_versions(ids).await?;
        let records = self.store.load_services(ids).await?;
        let present = records.iter().map(|r| r.service.id).collect();
        let docs = records
            .iter()
            .map(|r| {
                let mut doc = self.document(r);
                doc.version = versions.get(&r.service.id).copied().unwrap_or(0);
                doc
            })
            .collect();
        Ok((docs, present))
    }

    /// Compares every document in the index with the database and re-indexes the services
    /// whose document is missing, older than the change log says it should be, or of a
    /// service that is gone. Changes after the cursor are left to catch-up (they are not
    /// missed, only not applied yet). Logs a warning and counts when it repaired anything:
    /// that means some write bypassed the change log.
    pub async fn reconcile(&self) -> anyhow::Result<Reconciliation> {
        let started = Instant::now();
        let _gate = self.gate.lock().await;
        self.catch_up_locked(&mut GapTracker::default()).await?;
        let cursor = self.index.cursor().unwrap_or(0);
        // The index before the database: a document in it came from a committed write, so if
        // the database no longer has that service afterwards, it was deleted.
        let index = self.index.clone();
        let mut indexed = tokio::task::spawn_blocking(move || index.versions()).await??;
        let mut outcome = Reconciliation::default();
        let mut suspects = Vec::new();
        let mut after = None;
        loop {
            let batch = self
                .store
                .service_versions_after(after, RECONCILE_BATCH)
                .await?;
            let Some(&(last, _)) = batch.last() else {
                break;
            };
            for (id, version) in batch {
                outcome.compared += 1;
                match compare(indexed.remove(&id), version, cursor) {
                    Some(Finding::Missing) => outcome.missing += 1,
                    Some(Finding::Outdated) => outcome.outdated += 1,
                    None => continue,
                }
                suspects.push(id);
            }
            after = Some(last);
        }
        // What is left is in the index but not in the database.
        let gone: Vec<Uuid> = indexed.into_keys().collect();
        let gone_versions = self.store.change_versions(&gone).await?;
        for id in gone {
            // A deletion after the cursor is not missed, only not applied yet.
            if gone_versions.get(&id).copied().unwrap_or(0) <= cursor {
                outcome.gone += 1;
                suspects.push(id);
            }
        }
        for chunk in suspects.chunks(BATCH) {
            self.index_services(chunk, cursor).await?;
        }
        self.counters
            .reconciliations
            .fetch_add(1, Ordering::Relaxed);
        self.counters
            .repaired
            .fetch_add(outcome.repaired(), Ordering::Relaxed);
        let elapsed_ms = started.elapsed().as_millis() as u64;
        self.counters
            .last_compared
            .store(outcome.compared, Ordering::Relaxed);
        self.counters
            .last_elapsed_ms
            .store(elapsed_ms, Ordering::Relaxed);
        if outcome.repaired() > 0 {
            tracing::warn!(
                compared = outcome.compared,
                missing = outcome.missing,
                outdated = outcome.outdated,
                gone = outcome.gone,
                elapsed_ms,
                "reconciliation re-indexed services the change log had not brought in"
            );
        } else {
            tracing::debug!(
                compared = outcome.compared,
                elapsed_ms,
                "reconciliation: index and database agree"
            );
        }
        Ok(outcome)
    }

    /// Applies every change after the cursor, then merges a fragmented index: what a command
    /// that wrote to the database does before it ends (merges still running in the background
    /// when a process ends are lost).
    pub async fn settle(&self) -> anyhow::Result<()> {
        self.catch_up(&mut GapTracker::default()).await?;
        self.compact_if_fragmented().await?;
        Ok(())
    }

    /// Merges the index's segments when it has become fragmented (see
    /// [`SearchIndex::compact_if_fragmented`]); the commands that write call it before they end,
    /// the service whenever it is idle.
    pub async fn compact_if_fragmented(&self) -> anyhow::Result<bool> {
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.compact_if_fragmented())
            .await?
            .context("merging the search index's segments")
    }

    /// Runs until `shutdown` resolves: catches up after every nudge and at every poll,
    /// reconciles soon after the start and every [`RECONCILE_INTERVAL`] (sooner after a hole
    /// in the log), and merges a fragmented index when there was nothing to apply.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let mut gaps = GapTracker::default();
        let mut next_reconcile = Instant::now();
        tokio::pin!(shutdown);
        loop {
            match self.catch_up(&mut gaps).await {
                Ok(0) => {
                    if let Err(err) = self.compact_if_fragmented().await {
                        tracing::warn!(error = ?err, "could not merge the search index");
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::error!(error = ?err, "indexer could not apply changes; will retry")
                }
            }
            if self.counters.hole_seen.swap(false, Ordering::Relaxed) {
                next_reconcile = next_reconcile.min(Instant::now() + RECONCILE_AFTER_HOLE);
            }
            if Instant::now() >= next_reconcile {
                if let Err(err) = self.reconcile().await {
                    tracing::error!(error = ?err, "could not compare the index with the database; will retry");
                }
                next_reconcile = Instant::now() + RECONCILE_INTERVAL;
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.wake.notified() => {},
                _ = tokio::time::sleep(POLL_INTERVAL) => {},
            }
        }
    }

    /// The search document of one service: what it is called, what it is about, and every
    /// neighbourhood code under which it should be found (version 0: the caller sets it).
    pub fn document(&self, record: &ServiceRecord) -> SearchDocument {
        build_document(record, &self.geo, &self.vocabulary)
    }
}

/// What reconciliation makes of one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finding {
    Missing,
    Outdated,
}

/// A service with database `version` (newest seq logged for it, 0 if none) against its
/// document's version in the index (`None`: no document), for an index at `cursor`.
fn compare(indexed: Option<i64>, version: i64, cursor: i64) -> Option<Finding> {
    if version > cursor {
        // Catch-up has not got there yet: pending, not missed.
        return None;
    }
    match indexed {
        None => Some(Finding::Missing),
        Some(indexed) if indexed < version => Some(Finding::Outdated),
        Some(_) => None,
    }
}

/// Counts the holes in the log that catch-up stepped over. Since write transactions commit
/// in log order (`store::changes`), a hole a reader sees is a rolled-back transaction for
/// good: nothing to wait for.
#[derive(Default, Debug)]
pub struct GapTracker {
    stepped_over: u64,
}

impl GapTracker {
    /// Holes stepped over so far.
    pub fn stepped_over(&self) -> u64 {
        self.stepped_over
    }

    /// The number of seqs missing between `cursor` and the end of `changes` (oldest first);
    /// all of `changes` can be applied.
    fn step_over(&mut self, cursor: i64, changes: &[Change]) -> u64 {
        let mut expected = cursor + 1;
        let mut holes = 0;
        for change in changes {
            holes += u64::try_from(change.seq - expected).unwrap_or(0);
            expected = change.seq + 1;
        }
        self.stepped_over += holes;
        holes
    }
}

/// A fingerprint of everything besides the database that goes into a document: the
/// vocabulary's terms (labels, parents) and the geography (codes, parents, shapes). An index
/// built with another one is rebuilt at start. FNV-1a: stable across Rust releases, unlike
/// the standard library's hasher.
pub fn reference_fingerprint(geo: &Geography, vocabulary: &Vocabulary) -> String {
    let mut hash = Fnv1a::default();
    for term in vocabulary.terms() {
        hash.text(&term.taxonomy_code);
        hash.text(&term.code);
        hash.text(&term.name);
        hash.text(term.parent_code.as_deref().unwrap_or(""));
    }
    for n in geo.all() {
        hash.text(&n.code);
        hash.text(n.level.as_str());
        hash.text(n.parent.as_deref().unwrap_or(""));
        hash.number(n.centroid.0);
        hash.number(n.centroid.1);
        for polygon in &n.geometry.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                hash.bytes(b"ring");
                for c in &ring.0 {
                    hash.number(c.x);
                    hash.number(c.y);
                }
            }
        }
    }
    format!("v1-{:016x}", hash.0)
}

struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
    fn text(&mut self, text: &str) {
        self.bytes(&(text.len() as u64).to_le_bytes());
        self.bytes(text.as_bytes());
    }

    fn number(&mut self, x: f64) {
        self.bytes(&x.to_bits().to_le_bytes());
    }
}

pub fn build_document(
    record: &ServiceRecord,
    geo: &Geography,
    vocabulary: &Vocabulary,
) -> SearchDocument {
    let s = &record.service;
    let mut term_ids: BTreeSet<String> = s.other_term_ids.iter().map(Uuid::to_string).collect();
    let mut categories = BTreeSet::new();
    for code in &s.categories {
        for term in vocabulary.with_ancestors(CATEGORY_TAXONOMY, code) {
            categories.insert((term.code.clone(), term.name.clone()));
            term_ids.insert(term.id.to_string());
        }
    }
    let mut groups = BTreeSet::new();
    for code in &s.target_groups {
        if let Some(term) = vocabulary.term(TARGET_GROUP_TAXONOMY, code) {
            groups.insert((term.code.clone(), term.name.clone()));
            term_ids.insert(term.id.to_string());
        }
    }

    // Located services match their point's buurt, wijk and gemeente; an area served matches
    // itself, everything inside it and everything it lies inside (the areas overlap).
    let mut areas = BTreeSet::new();
    for loc in &record.locations {
        areas.extend(loc.placement.codes().map(str::to_string));
    }
    let mut served = BTreeSet::new();
    let mut area_anchor = None;
    for area in &s.service_areas {
        let mut codes: Vec<String> = Vec::new();
        if let Some(code) = &area.code {
            codes.push(code.clone());
        }
        if let Some(extent) = &area.extent
            && let Some(g) = crate::geo::import::parse_geometry(extent)
        {
            // Only neighbourhoods the extent covers for a substantial share (src/geo/coverage.rs).
            codes.extend(geo.codes_covered(&g));
        }
        for code in codes {
            let Some(neighbourhood) = geo.get(&code) else {
                continue;
            };
            let (latitude, longitude) = neighbourhood.centroid;
            area_anchor.get_or_insert(GeoPoint {
                latitude,
                longitude,
            });
            served.insert(code.clone());
            areas.extend(geo.ancestors(&code).iter().map(|n| n.code.clone()));
            areas.extend(geo.descendants(&code).iter().map(|n| n.code.clone()));
            areas.insert(code);
        }
    }
    let facet_wijken = areas
        .iter()
        .filter(|c| c.starts_with("WK"))
        .cloned()
        .collect();

    SearchDocument {
        service_id: s.id,
        name: s.name.clone(),
        alternate_name: s.alternate_name.clone(),
        organization_name: record.organization.name.clone(),
        description: s.description.clone(),
        category_codes: categories.iter().map(|(c, _)| c.clone()).collect(),
        category_labels: categories.into_iter().map(|(_, n)| n).collect(),
        target_group_codes: groups.iter().map(|(c, _)| c.clone()).collect(),
        target_group_labels: groups.into_iter().map(|(_, n)| n).collect(),
        language_codes: s.languages.iter().map(|c| c.to_ascii_lowercase()).collect(),
        language_labels: s
            .languages
            .iter()
            .filter_map(|c| crate::domain::language_name(c))
            .map(str::to_string)
            .collect(),
        area_codes: areas.into_iter().collect(),
        facet_wijken,
        served_area_codes: served.into_iter().collect(),
        points: record
            .locations
            .iter()
            .filter_map(|l| l.point())
            .map(|(latitude, longitude)| GeoPoint {
                latitude,
                longitude,
            })
            .collect(),
        location_count: u32::try_from(record.locations.len()).unwrap_or(u32::MAX),
        area_anchor,
        access_route: s.access_route.as_str().to_string(),
        cost: s.cost.kind.as_str().to_string(),
        welzijn_op_recept: s.welzijn_op_recept,
        accepts_referrals: s.accepts_referrals,
        days: s.weekdays(),
        minimum_age: s.minimum_age,
        maximum_age: s.maximum_age,
        organization_id: s.organization_id,
        taxonomy_term_ids: term_ids.into_iter().collect(),
        last_modified: record.last_modified.unix_timestamp(),
        version: 0,
        sessions: s
            .schedules
            .iter()
            .flat_map(|schedule| {
                let opens = schedule.opens_at.as_deref().and_then(minutes);
                let closes = schedule.closes_at.as_deref().and_then(minutes);
                let days = schedule.weekdays();
                match (opens, closes) {
                    (Some(opens), Some(closes)) if opens < closes => days
                        .into_iter()
                        .map(|day| Session { day, opens, closes })
                        .collect(),
                    _ => Vec::new(),
                }
            })
            .collect(),
        summary: stored_summary(record),
        assured_date: s.assured_date,
        temporarily_closed: s.status == crate::domain::ServiceStatus::TemporarilyClosed,
        withdrawn: s.status.is_withdrawn(),
    }
}

/// The list view stored with the document (see [`ServiceSummary`]).
fn stored_summary(record: &ServiceRecord) -> Vec<u8> {
    ServiceSummary::from(record)
        .to_stored()
        .unwrap_or_else(|error| {
            // Not reachable with these plain types; a hit without summary is left out of lists.
            tracing::error!(service_id = %record.service.id, %error, "samenvatting niet te maken");
            Vec::new()
        })
}

/// "14:30" (or "14:30:00") → minutes since midnight.
pub fn minutes(time: &str) -> Option<u16> {
    let mut parts = time.split(':');
    let hours: u16 = parts.next()?.parse().ok()?;
    let mins: u16 = parts.next()?.parse().ok()?;
    (hours < 24 && mins < 60).then_some(hours * 60 + mins)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(seqs: &[i64]) -> Vec<Change> {
        seqs.iter()
            .map(|&seq| Change {
                seq,
                service_id: Uuid::nil(),
            })
            .collect()
    }

    #[test]
    fn holes_are_stepped_over_at_once_and_counted() {
        let mut gaps = GapTracker::default();
        assert_eq!(gaps.step_over(0, &changes(&[1, 2, 3])), 0);
        // 5 rolled back: the writer of 6 could only draw it after 5's transaction ended.
        assert_eq!(gaps.step_over(3, &changes(&[4, 6, 7])), 1);
        assert_eq!(gaps.step_over(7, &changes(&[10, 11, 15])), 5);
        assert_eq!(gaps.stepped_over(), 6);
    }

    #[test]
    fn reconciliation_tells_missed_from_pending() {
        // At cursor 100: the log says the index should hold version 90.
        assert_eq!(compare(None, 90, 100), Some(Finding::Missing));
        assert_eq!(compare(Some(80), 90, 100), Some(Finding::Outdated));
        assert_eq!(compare(Some(90), 90, 100), None);
        // Loaded later than its last logged change: newer, fine.
        assert_eq!(compare(Some(95), 90, 100), None);
        // A change after the cursor is for catch-up, not a miss.
        assert_eq!(compare(None, 101, 100), None);
        assert_eq!(compare(Some(80), 101, 100), None);
        // No log rows left (pruned): a document must exist, any version will do.
        assert_eq!(compare(None, 0, 100), Some(Finding::Missing));
        assert_eq!(compare(Some(42), 0, 100), None);
    }

    #[test]
    fn the_reference_fingerprint_follows_vocabulary_and_geography() {
        let geo = Geography::load_embedded_with(Vec::new()).unwrap();
        let vocabulary = Vocabulary::embedded().unwrap();
        let fingerprint = reference_fingerprint(&geo, &vocabulary);
        assert_eq!(fingerprint, reference_fingerprint(&geo, &vocabulary));

        let json = include_str!("../assets/taxonomies.json");
        let renamed = json.replacen("\"Eenzaamheid & sociaal netwerk\"", "\"Alleen zijn\"", 1);
        assert_ne!(renamed, json, "the fixture names a term Eenzaamheid");
        let other = Vocabulary::from_json(&renamed).unwrap();
        assert_ne!(fingerprint, reference_fingerprint(&geo, &other));

        let buurten = crate::geo::import::read_buurtkaart(
            include_str!("../tests/fixtures/tilburg_synthetic_buurten.geojson"),
            &geo,
        )
        .unwrap();
        assert!(!buurten.buurten.is_empty());
        let more = Geography::load_embedded_with(buurten.buurten).unwrap();
        assert_ne!(fingerprint, reference_fingerprint(&more, &vocabulary));
    }
}
