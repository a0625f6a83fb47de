//! Keeps the search index in step with the database, which is the one source of truth.
//!
//! Every write appends to the change log in its own transaction ([`crate::store`]); this module
//! reads the log from the cursor stored inside the index, reloads the changed services and
//! applies them to tantivy in batches, committing the new cursor atomically with the documents.
//! Each service instance has its own index and cursor, so several instances can follow one
//! PostgreSQL database independently.

use std::collections::BTreeSet;
use std::sync::Arc;
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
/// How long a hole in the sequence is waited for before it is taken to be a rolled-back
/// transaction. PostgreSQL hands out sequence numbers before commit, so a later number can
/// become visible before an earlier one; skipping the hole at once would lose that change.
const GAP_PATIENCE: Duration = Duration::from_secs(30);
/// How often the log is polled when no local write has signalled (other instances' writes).
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

#[derive(Clone)]
pub struct Indexer {
    store: Store,
    index: SearchIndex,
    geo: Arc<Geography>,
    vocabulary: Arc<Vocabulary>,
    wake: Arc<Notify>,
}

impl Indexer {
    pub fn new(
        store: Store,
        index: SearchIndex,
        geo: Arc<Geography>,
        vocabulary: Arc<Vocabulary>,
    ) -> Self {
        Self {
            store,
            index,
            geo,
            vocabulary,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Asks the background task to look at the log now (after a local write).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Empties the index and refills it from the database.
    pub async fn rebuild(&self) -> anyhow::Result<usize> {
        let started = Instant::now();
        // Taken before reading: anything written meanwhile is applied again afterwards, which
        // is harmless because applying a change is idempotent.
        let cursor = self.store.latest_change().await?;
        let mut rebuild = self.index.begin_rebuild()?;
        let mut after: Option<Uuid> = None;
        let mut total = 0;
        loop {
            let ids = self.store.service_ids_after(after, BATCH as i64).await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            let records = self.store.load_services(&ids).await?;
            let docs: Vec<SearchDocument> = records.iter().map(|r| self.document(r)).collect();
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

    /// Makes sure the index exists, matches this version and has not fallen behind a pruned
    /// log; rebuilds when not, then catches up.
    pub async fn prepare(&self, needs_rebuild: bool) -> anyhow::Result<()> {
        let behind = match (self.index.cursor(), self.store.oldest_change().await?) {
            (Some(cursor), Some(oldest)) => cursor + 1 < oldest,
            (None, _) => true,
            _ => false,
        };
        if needs_rebuild || behind {
            self.rebuild().await?;
        }
        self.catch_up(&mut GapTracker::default()).await?;
        Ok(())
    }

    /// Applies every change after the index's cursor. Returns how many changes were applied.
    pub async fn catch_up(&self, gaps: &mut GapTracker) -> anyhow::Result<usize> {
        let mut applied = 0;
        loop {
            let cursor = self.index.cursor().unwrap_or(0);
            let changes = self.store.changes_after(cursor, BATCH as i64).await?;
            if changes.is_empty() {
                gaps.clear();
                return Ok(applied);
            }
            let usable = gaps.usable_prefix(cursor, &changes);
            if usable == 0 {
                return Ok(applied);
            }
            let batch = &changes[..usable];
            let new_cursor = batch[usable - 1].seq;
            let ids: BTreeSet<Uuid> = batch.iter().map(|c| c.service_id).collect();
            let ids: Vec<Uuid> = ids.into_iter().collect();
            let records = self.store.load_services(&ids).await?;
            let present: BTreeSet<Uuid> = records.iter().map(|r| r.service.id).collect();
            let deletes: Vec<Uuid> = ids
                .iter()
                .filter(|id| !present.contains(id))
                .copied()
                .collect();
            let docs: Vec<SearchDocument> = records.iter().map(|r| self.document(r)).collect();
            let index = self.index.clone();
            tokio::task::spawn_blocking(move || index.apply(docs, &deletes, new_cursor))
                .await?
                .context("applying changes to the search index")?;
            applied += usable;
            if usable < changes.len() {
                return Ok(applied);
            }
        }
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

    /// Runs until `shutdown` resolves: catches up after every nudge and at every poll, and
    /// merges a fragmented index when there was nothing to apply.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let mut gaps = GapTracker::default();
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
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.wake.notified() => {},
                _ = tokio::time::sleep(POLL_INTERVAL) => {},
            }
        }
    }

    /// The search document of one service: what it is called, what it is about, and every
    /// neighbourhood code under which it should be found.
    pub fn document(&self, record: &ServiceRecord) -> SearchDocument {
        build_document(record, &self.geo, &self.vocabulary)
    }
}

/// Remembers since when the log has had a hole right after the cursor.
#[derive(Default, Debug)]
pub struct GapTracker {
    since: Option<(i64, Instant)>,
}

impl GapTracker {
    fn clear(&mut self) {
        self.since = None;
    }

    /// How many of `changes` can be applied now: all up to the first hole in the sequence,
    /// unless that hole has been there longer than [`GAP_PATIENCE`].
    fn usable_prefix(&mut self, cursor: i64, changes: &[Change]) -> usize {
        let mut expected = cursor + 1;
        for (i, change) in changes.iter().enumerate() {
            if change.seq != expected {
                let waited = match self.since {
                    Some((at, since)) if at == expected => since.elapsed(),
                    _ => {
                        self.since = Some((expected, Instant::now()));
                        Duration::ZERO
                    }
                };
                if waited < GAP_PATIENCE {
                    return i;
                }
                // An old hole: a rolled-back transaction. Step over it.
                self.since = None;
            }
            expected = change.seq + 1;
        }
        changes.len()
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
    fn a_fresh_hole_stops_the_cursor_before_it() {
        let mut gaps = GapTracker::default();
        assert_eq!(gaps.usable_prefix(0, &changes(&[1, 2, 3])), 3);
        assert_eq!(gaps.usable_prefix(3, &changes(&[4, 6, 7])), 1);
        assert_eq!(gaps.usable_prefix(4, &changes(&[6, 7])), 0);
    }

    #[test]
    fn an_old_hole_is_stepped_over() {
        let mut gaps = GapTracker {
            since: Some((5, Instant::now() - GAP_PATIENCE - Duration::from_secs(1))),
        };
        assert_eq!(gaps.usable_prefix(4, &changes(&[6, 7])), 2);
    }
}
