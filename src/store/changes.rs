//! The change log (outbox) that feeds the search index.
//!
//! Writers append `(seq, service_id)` in the same transaction as the change itself, so the
//! index can never miss a committed write. Each service instance reads the log from its own
//! cursor (stored inside its index), so any number of instances can follow one database.
//!
//! Write transactions commit in seq order on both databases (SQLite has one writer at a time;
//! on PostgreSQL every write takes one advisory lock until commit: migration 0004). So a reader
//! that sees seq 11 has seen every committed seq below it, a hole is a rolled-back
//! transaction for good, and `max(seq)` is a cursor that hides nothing still to come.
//!
//! The newest seq logged for a service is the *version* of its search document: a document
//! loaded after reading version v holds every change up to v, so an index whose document is
//! older than the log says has missed something (see `Indexer::reconcile`).

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{Store, StoreResult, col, on_pool, parse_uuid, text};
use sqlx::QueryBuilder;

/// Ids per `in (…)` list.
const CHUNK: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub service_id: Uuid,
}

impl Store {
    /// Changes after `cursor`, oldest first.
    pub async fn changes_after(&self, cursor: i64, limit: i64) -> StoreResult<Vec<Change>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select seq, service_id from change_log where seq > $1 order by seq limit $2",
            )
            .bind(cursor)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(Change {
                        seq: col!(row, "seq"),
                        service_id: parse_uuid(&text!(row, "service_id"))?,
                    })
                })
                .collect()
        })
    }

    /// The newest sequence number, or 0 for an empty log. A rebuilt index starts from here
    /// (read before the data: every seq up to it has committed or rolled back, see above).
    pub async fn latest_change(&self) -> StoreResult<i64> {
        on_pool!(self, |pool| {
            let seq: Option<i64> = sqlx::query_scalar("select max(seq) from change_log")
                .fetch_one(pool)
                .await?;
            Ok(seq.unwrap_or(0))
        })
    }

    /// The oldest sequence number still kept, if any: an index whose cursor is older than
    /// this has missed pruned changes and must be rebuilt.
    pub async fn oldest_change(&self) -> StoreResult<Option<i64>> {
        on_pool!(self, |pool| {
            let seq: Option<i64> = sqlx::query_scalar("select min(seq) from change_log")
                .fetch_one(pool)
                .await?;
            Ok(seq)
        })
    }

    /// Drops log rows older than `before`, always keeping the newest row so that the sequence
    /// (and with it every instance's cursor) stays meaningful.
    pub async fn prune_changes(&self, before: OffsetDateTime) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "delete from change_log where changed_at < $1 \
                 and seq < (select max(seq) from change_log)",
            )
            .bind(before)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// The newest seq logged for each of `ids` (the version of its search document); a service
    /// without log rows (never logged, or pruned) is absent.
    pub async fn change_versions(&self, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, i64>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            on_pool!(self, |pool| {
                let mut query = QueryBuilder::new(
                    "select service_id, max(seq) as version from change_log where service_id in (",
                );
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(id.to_string());
                }
                query.push(") group by service_id");
                for row in query.build().fetch_all(pool).await? {
                    let row = &row;
                    out.insert(parse_uuid(&text!(row, "service_id"))?, col!(row, "version"));
                }
            });
        }
        Ok(out)
    }

    /// Services in id order after `after`, each with the newest seq logged for it (0 when it
    /// has none), for comparing the whole directory with a search index in batches.
    pub async fn service_versions_after(
        &self,
        after: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<(Uuid, i64)>> {
        let after = after.map(|a| a.to_string()).unwrap_or_default();
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select s.id, (select max(c.seq) from change_log c where c.service_id = s.id) \
                 as version from service s where s.id > $1 order by s.id limit $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    let version: Option<i64> = col!(row, "version");
                    Ok((parse_uuid(&text!(row, "id"))?, version.unwrap_or(0)))
                })
                .collect()
        })
    }
}
