//! Sign-up and claim requests (migration 0010), the rate limit of the public forms that make
//! them, and switching accounts off and roles away (user admin).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::Role;

use super::{Store, StoreError, StoreResult, col, on_pool, parse_uuid, text};

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// List an organisation that is not on the map yet.
    SignUp,
    /// Make the sender an editor of an organisation that is on the map.
    Claim,
}

impl RequestKind {
    fn as_str(self) -> &'static str {
        match self {
            RequestKind::SignUp => "signup",
            RequestKind::Claim => "claim",
        }
    }

    fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "signup" => Ok(RequestKind::SignUp),
            "claim" => Ok(RequestKind::Claim),
            other => Err(StoreError::Corrupt(format!("request kind {other:?}"))),
        }
    }
}

/// A request as it was sent (validated by `crate::claims`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestDetails {
    pub organization_name: String,
    pub description: String,
    pub kvk_number: Option<String>,
    pub website: Option<String>,
    pub postcode: Option<String>,
    pub place: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_function: Option<String>,
    pub message: Option<String>,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: Uuid,
    pub kind: RequestKind,
    pub organization: Option<Uuid>,
    pub service: Option<Uuid>,
    /// Where a sign-up's postcode lies (CBS gemeente code).
    pub gemeente: Option<String>,
    pub details: RequestDetails,
    pub created_at: OffsetDateTime,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approved,
    Rejected,
}

macro_rules! request_from_row {
    ($row:expr) => {{
        let row = $row;
        let organization: Option<String> = col!(row, "organization_id");
        let service: Option<String> = col!(row, "service_id");
        RequestRow {
            id: parse_uuid(&text!(row, "id"))?,
            kind: RequestKind::parse(&text!(row, "kind"))?,
            organization: organization.as_deref().map(parse_uuid).transpose()?,
            service: service.as_deref().map(parse_uuid).transpose()?,
            gemeente: col!(row, "gemeente_code"),
            details: RequestDetails {
                organization_name: col!(row, "organization_name"),
                description: col!(row, "description"),
                kvk_number: col!(row, "kvk_number"),
                website: col!(row, "website"),
                postcode: col!(row, "postcode"),
                place: col!(row, "place"),
                contact_name: col!(row, "contact_name"),
                contact_email: col!(row, "contact_email"),
                contact_function: col!(row, "contact_function"),
                message: col!(row, "message"),
            },
            created_at: col!(row, "created_at"),
        }
    }};
}

/// The columns [`request_from_row!`] reads (a macro, so that queries stay literals).
macro_rules! request_columns {
    () => {
        "id, kind, organization_id, service_id, gemeente_code, organization_name, description, \
         kvk_number, website, postcode, place, contact_name, contact_email, contact_function, \
         message, created_at"
    };
}

impl Store {
    /// Stores a new, open request and returns its id.
    pub async fn create_request(
        &self,
        kind: RequestKind,
        organization: Option<Uuid>,
        service: Option<Uuid>,
        gemeente: Option<&str>,
        details: &RequestDetails,
    ) -> StoreResult<Uuid> {
        let id = Uuid::new_v4();
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into listing_request (id, kind, organization_id, service_id, \
                 gemeente_code, organization_name, description, kvk_number, website, postcode, \
                 place, contact_name, contact_email, contact_function, message, status, \
                 created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                 $14, $15, 'open', $16)",
            )
            .bind(id.to_string())
            .bind(kind.as_str())
            .bind(organization.map(|o| o.to_string()))
            .bind(service.map(|s| s.to_string()))
            .bind(gemeente)
            .bind(&details.organization_name)
            .bind(&details.description)
            .bind(&details.kvk_number)
            .bind(&details.website)
            .bind(&details.postcode)
            .bind(&details.place)
            .bind(&details.contact_name)
            .bind(&details.contact_email)
            .bind(&details.contact_function)
            .bind(&details.message)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(id)
    }

    /// Every request still waiting for a decision, oldest first.
    pub async fn open_requests(&self) -> StoreResult<Vec<RequestRow>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(concat!(
                "select ",
                request_columns!(),
                " from listing_request where status = 'open' order by created_at, id"
            ))
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(request_from_row!(row));
            }
            Ok(out)
        })
    }

    /// One request that is still open.
    pub async fn open_request(&self, id: Uuid) -> StoreResult<Option<RequestRow>> {
        on_pool!(self, |pool| {
            let row = sqlx::query(concat!(
                "select ",
                request_columns!(),
                " from listing_request where id = $1 and status = 'open'"
            ))
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?;
            Ok(match row {
                Some(row) => Some(request_from_row!(&row)),
                None => None,
            })
        })
    }

    /// Closes an open request; false when it was not open any more (decided meanwhile by
    /// someone else), so that one request is never decided twice.
    pub async fn decide_request(
        &self,
        id: Uuid,
        decision: Decision,
        reason: Option<&str>,
        decided_by: Option<Uuid>,
    ) -> StoreResult<bool> {
        let status = match decision {
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
        };
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "update listing_request set status = $2, reason = $3, decided_at = $4, \
                 decided_by = $5 where id = $1 and status = 'open'",
            )
            .bind(id.to_string())
            .bind(status)
            .bind(reason)
            .bind(now)
            .bind(decided_by.map(|u| u.to_string()))
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Records the organisation an approved sign-up made.
    pub async fn link_request_organisation(&self, id: Uuid, organization: Uuid) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("update listing_request set organization_id = $2 where id = $1")
                .bind(id.to_string())
                .bind(organization.to_string())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Counts a post of a public form under `key` and says how many there were since
    /// `since` (this one included). Rows older than `since` go on the way: the table only
    /// ever holds one window.
    pub async fn count_form_post(&self, key: &str, since: OffsetDateTime) -> StoreResult<i64> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            sqlx::query("delete from public_form_post where posted_at <= $1")
                .bind(since)
                .execute(pool)
                .await?;
            sqlx::query("insert into public_form_post (throttle_key, posted_at) values ($1, $2)")
                .bind(key)
                .bind(now)
                .execute(pool)
                .await?;
            Ok(sqlx::query_scalar(
                "select count(*) from public_form_post where throttle_key = $1 and posted_at > $2",
            )
            .bind(key)
            .bind(since)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Organisations whose name contains `part` (any case), by name; at most `limit`.
    pub async fn organisations_named(
        &self,
        part: &str,
        limit: i64,
    ) -> StoreResult<Vec<(Uuid, String)>> {
        let pattern = format!(
            "%{}%",
            part.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select id, name from organization where lower(name) like $1 escape '\\' \
                 order by name, id limit $2",
            )
            .bind(&pattern)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push((parse_uuid(&text!(row, "id"))?, col!(row, "name")));
            }
            Ok(out)
        })
    }

    /// Takes a role away; false when the person did not have it.
    pub async fn revoke_role(&self, user: Uuid, role: &Role) -> StoreResult<bool> {
        let (kind, organization, gemeente) = role.to_columns();
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "delete from role_grant where user_id = $1 and role = $2 \
                 and coalesce(organization_id, '') = $3 and coalesce(gemeente_code, '') = $4",
            )
            .bind(user.to_string())
            .bind(kind)
            .bind(organization.map(|o| o.to_string()).unwrap_or_default())
            .bind(gemeente.unwrap_or_default())
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Switches an account off: it cannot sign in, and its sessions and unused links end.
    /// False when there is no such account.
    pub async fn disable_user(&self, user: Uuid) -> StoreResult<bool> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "update user_account set disabled_at = coalesce(disabled_at, $2) where id = $1",
            )
            .bind(user.to_string())
            .bind(now)
            .execute(pool)
            .await?;
            for sql in [
                "delete from user_session where user_id = $1",
                "delete from one_time_token where user_id = $1",
            ] {
                sqlx::query(sql)
                    .bind(user.to_string())
                    .execute(pool)
                    .await?;
            }
            Ok(done.rows_affected() > 0)
        })
    }

    /// Whether an account was switched off.
    pub async fn user_disabled(&self, user: Uuid) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let disabled: Option<Option<OffsetDateTime>> =
                sqlx::query_scalar("select disabled_at from user_account where id = $1")
                    .bind(user.to_string())
                    .fetch_optional(pool)
                    .await?;
            Ok(matches!(disabled, Some(Some(_))))
        })
    }
}
