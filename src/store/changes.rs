//! The change log (outbox) that feeds the search index.
//!
//! Writers append `(seq, service_id)` in the same transaction as the change itself, so the
//! index can never miss a committed write. Each service instance reads the log from its own
//! cursor (stored inside its index), so any number of instances can follow one database.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{Store, StoreResult, col, on_pool, parse_uuid, text};

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

    /// The newest sequence number, or 0 for an empty log. A rebuilt index starts from here.
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
}
