//! Moderation (migration 0008): listing versions, trusted organisations, change requests and
//! the per-field history of published changes. History rows and a request's decision are
//! written through [`WriteTx`], in the same transaction as the change they describe.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{Address, Location, Placement};

use super::directory::{LOCATION_SQL, fetch_in, location_from_row};
use super::{Store, StoreResult, WriteTx, col, on_pool, on_tx, parse_uuid, text};

/// Which kind of listing a request or history row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Service,
    Location,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Service => "service",
            Entity::Location => "location",
        }
    }

    fn parse(s: &str) -> Entity {
        if s == "location" {
            Entity::Location
        } else {
            Entity::Service
        }
    }

    /// The table whose `version` column counts this kind's published writes.
    fn table(self) -> &'static str {
        self.as_str()
    }
}

/// Where a change request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Withdrawn => "withdrawn",
        }
    }

    fn parse(s: &str) -> RequestStatus {
        match s {
            "approved" => RequestStatus::Approved,
            "rejected" => RequestStatus::Rejected,
            "withdrawn" => RequestStatus::Withdrawn,
            _ => RequestStatus::Pending,
        }
    }
}

/// A stored change request; `proposed` and `changes` are JSON the use cases read.
#[derive(Debug, Clone)]
pub struct ChangeRequestRow {
    pub id: Uuid,
    pub entity: Entity,
    pub listing_id: Uuid,
    pub organization_id: Uuid,
    pub base_version: Option<i64>,
    pub proposed: String,
    pub changes: String,
    pub status: RequestStatus,
    pub proposed_by: Uuid,
    pub proposed_role: String,
    pub proposed_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
    pub reason: Option<String>,
}

/// One field of one published change.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub entity: Entity,
    pub listing_id: Uuid,
    pub organization_id: Uuid,
    pub field: String,
    pub label: String,
    pub old_value: String,
    pub new_value: String,
    pub changed_by: Option<Uuid>,
    pub changed_role: String,
    /// "create" or "update".
    pub action: String,
    pub changed_at: OffsetDateTime,
    pub approved_by: Option<Uuid>,
}

macro_rules! request_from_row {
    ($row:expr) => {{
        let row = $row;
        ChangeRequestRow {
            id: parse_uuid(&text!(row, "id"))?,
            entity: Entity::parse(&text!(row, "entity")),
            listing_id: parse_uuid(&text!(row, "listing_id"))?,
            organization_id: parse_uuid(&text!(row, "organization_id"))?,
            base_version: col!(row, "base_version"),
            proposed: col!(row, "proposed"),
            changes: col!(row, "changes"),
            status: RequestStatus::parse(&text!(row, "status")),
            proposed_by: parse_uuid(&text!(row, "proposed_by"))?,
            proposed_role: col!(row, "proposed_role"),
            proposed_at: col!(row, "proposed_at"),
            decided_at: col!(row, "decided_at"),
            reason: col!(row, "reason"),
        }
    }};
}

macro_rules! history_from_row {
    ($row:expr) => {{
        let row = $row;
        let changed_by: Option<String> = col!(row, "changed_by");
        let approved_by: Option<String> = col!(row, "approved_by");
        HistoryRow {
            entity: Entity::parse(&text!(row, "entity")),
            listing_id: parse_uuid(&text!(row, "listing_id"))?,
            organization_id: parse_uuid(&text!(row, "organization_id"))?,
            field: col!(row, "field"),
            label: col!(row, "label"),
            old_value: col!(row, "old_value"),
            new_value: col!(row, "new_value"),
            changed_by: changed_by.as_deref().map(parse_uuid).transpose()?,
            changed_role: col!(row, "changed_role"),
            action: col!(row, "action"),
            changed_at: col!(row, "changed_at"),
            approved_by: approved_by.as_deref().map(parse_uuid).transpose()?,
        }
    }};
}

const REQUEST_COLUMNS: &str = "select id, entity, listing_id, organization_id, base_version, \
     proposed, changes, status, proposed_by, proposed_role, proposed_at, decided_at, reason \
     from change_request ";

impl Store {
    /// The published version of a listing; `None` when it does not exist.
    pub async fn listing_version(&self, entity: Entity, id: Uuid) -> StoreResult<Option<i64>> {
        let sql = format!("select version from {} where id = $1", entity.table());
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?)
        })
    }

    /// One location as stored, with its placement.
    pub async fn load_location(&self, id: Uuid) -> StoreResult<Option<Location>> {
        on_pool!(self, |pool| {
            let rows = fetch_in!(pool, LOCATION_SQL, [id]);
            match rows.first() {
                Some(row) => Ok(Some(location_from_row!(row))),
                None => Ok(None),
            }
        })
    }

    pub async fn organization_trusted(&self, id: Uuid) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let trusted: Option<bool> =
                sqlx::query_scalar("select trusted from organization where id = $1")
                    .bind(id.to_string())
                    .fetch_optional(pool)
                    .await?;
            Ok(trusted.unwrap_or(false))
        })
    }

    /// Marks an organisation trusted or not; false when there is no such organisation. Not a
    /// change to any listing's content, so nothing is re-indexed.
    pub async fn set_organization_trusted(&self, id: Uuid, trusted: bool) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let done = sqlx::query("update organization set trusted = $1 where id = $2")
                .bind(trusted)
                .bind(id.to_string())
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn change_request(&self, id: Uuid) -> StoreResult<Option<ChangeRequestRow>> {
        let sql = format!("{REQUEST_COLUMNS} where id = $1");
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?;
            match row {
                Some(row) => Ok(Some(request_from_row!(&row))),
                None => Ok(None),
            }
        })
    }

    /// The pending request of `proposer` on this listing (at most one: a new proposal
    /// replaces it).
    pub async fn pending_request_of(
        &self,
        proposer: Uuid,
        listing: Uuid,
    ) -> StoreResult<Option<ChangeRequestRow>> {
        let sql = format!(
            "{REQUEST_COLUMNS} where proposed_by = $1 and listing_id = $2 and status = 'pending' \
             order by proposed_at desc"
        );
        on_pool!(self, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(proposer.to_string())
                .bind(listing.to_string())
                .fetch_optional(pool)
                .await?;
            match row {
                Some(row) => Ok(Some(request_from_row!(&row))),
                None => Ok(None),
            }
        })
    }

    /// Every pending request, grouped per listing (oldest first within one).
    pub async fn pending_requests(&self) -> StoreResult<Vec<ChangeRequestRow>> {
        let sql = format!(
            "{REQUEST_COLUMNS} where status = 'pending' order by listing_id, proposed_at, id"
        );
        self.requests(sql, None).await
    }

    /// The requests of one proposer, newest first (at most `limit`).
    pub async fn requests_by(
        &self,
        proposer: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<ChangeRequestRow>> {
        let sql = format!(
            "{REQUEST_COLUMNS} where proposed_by = $1 order by proposed_at desc, id limit {limit}"
        );
        self.requests(sql, Some(proposer)).await
    }

    async fn requests(
        &self,
        sql: String,
        proposer: Option<Uuid>,
    ) -> StoreResult<Vec<ChangeRequestRow>> {
        on_pool!(self, |pool| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            if let Some(p) = proposer {
                query = query.bind(p.to_string());
            }
            let rows = query.fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(request_from_row!(row));
            }
            Ok(out)
        })
    }

    /// Stores a new pending request, or replaces the proposal of `replaces` (the proposer's
    /// own pending request on the listing) when it is still pending.
    pub async fn save_change_request(
        &self,
        request: &ChangeRequestRow,
        replaces: Option<Uuid>,
    ) -> StoreResult<Uuid> {
        on_pool!(self, |pool| {
            if let Some(id) = replaces {
                let done = sqlx::query(
                    "update change_request set base_version = $1, proposed = $2, changes = $3, \
                     proposed_at = $4 where id = $5 and status = 'pending'",
                )
                .bind(request.base_version)
                .bind(&request.proposed)
                .bind(&request.changes)
                .bind(request.proposed_at)
                .bind(id.to_string())
                .execute(pool)
                .await?;
                if done.rows_affected() > 0 {
                    return Ok(id);
                }
            }
            sqlx::query(
                "insert into change_request (id, entity, listing_id, organization_id, \
                 base_version, proposed, changes, status, proposed_by, proposed_role, proposed_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10)",
            )
            .bind(request.id.to_string())
            .bind(request.entity.as_str())
            .bind(request.listing_id.to_string())
            .bind(request.organization_id.to_string())
            .bind(request.base_version)
            .bind(&request.proposed)
            .bind(&request.changes)
            .bind(request.proposed_by.to_string())
            .bind(&request.proposed_role)
            .bind(request.proposed_at)
            .execute(pool)
            .await?;
            Ok(request.id)
        })
    }

    /// Closes a pending request (rejected or withdrawn); false when it was not pending.
    pub async fn close_change_request(
        &self,
        id: Uuid,
        status: RequestStatus,
        decided_by: Option<Uuid>,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "update change_request set status = $1, decided_by = $2, decided_at = $3, \
                 reason = $4 where id = $5 and status = 'pending'",
            )
            .bind(status.as_str())
            .bind(decided_by.map(|d| d.to_string()))
            .bind(now)
            .bind(reason)
            .bind(id.to_string())
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// A listing's history, newest first.
    pub async fn history_of(&self, listing: Uuid) -> StoreResult<Vec<HistoryRow>> {
        self.histories_of(&[listing]).await
    }

    /// The history of several listings, newest first (for HSDS `metadata`).
    pub async fn histories_of(&self, listings: &[Uuid]) -> StoreResult<Vec<HistoryRow>> {
        let mut out = Vec::new();
        for chunk in listings.chunks(500) {
            on_pool!(self, |pool| {
                let mut qb =
                    sqlx::QueryBuilder::new("select * from listing_history where listing_id in (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(id.to_string());
                }
                qb.push(") order by changed_at desc, field");
                for row in &qb.build().fetch_all(pool).await? {
                    out.push(history_from_row!(row));
                }
            });
        }
        Ok(out)
    }
}

impl WriteTx {
    /// The version of a listing as this transaction sees it (after its own writes).
    pub async fn listing_version(&mut self, entity: Entity, id: Uuid) -> StoreResult<Option<i64>> {
        let sql = format!("select version from {} where id = $1", entity.table());
        on_tx!(self, |tx| {
            Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?)
        })
    }

    /// Records the fields of one published change.
    pub async fn record_history(&mut self, rows: &[HistoryRow]) -> StoreResult<()> {
        for h in rows {
            on_tx!(self, |tx| {
                sqlx::query(
                    "insert into listing_history (id, entity, listing_id, organization_id, field, \
                     label, old_value, new_value, changed_by, changed_role, action, changed_at, \
                     approved_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(Uuid::new_v4().to_string())
                .bind(h.entity.as_str())
                .bind(h.listing_id.to_string())
                .bind(h.organization_id.to_string())
                .bind(&h.field)
                .bind(&h.label)
                .bind(&h.old_value)
                .bind(&h.new_value)
                .bind(h.changed_by.map(|c| c.to_string()))
                .bind(&h.changed_role)
                .bind(&h.action)
                .bind(h.changed_at)
                .bind(h.approved_by.map(|a| a.to_string()))
                .execute(&mut *tx)
                .await?;
            });
        }
        Ok(())
    }

    /// Marks a pending request approved; false when it was no longer pending.
    pub async fn approve_change_request(
        &mut self,
        id: Uuid,
        by: Option<Uuid>,
    ) -> StoreResult<bool> {
        let now = OffsetDateTime::now_utc();
        on_tx!(self, |tx| {
            let done = sqlx::query(
                "update change_request set status = 'approved', decided_by = $1, decided_at = $2 \
                 where id = $3 and status = 'pending'",
            )
            .bind(by.map(|d| d.to_string()))
            .bind(now)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}
