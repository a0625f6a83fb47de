//! Accounts (migration 0005): people, their role grants, sessions, single-use links, failed
//! sign-ins and organisations' API tokens. Secrets arrive here already hashed
//! (`crate::auth::secrets`); nothing in this file sees a password or a raw token.

use std::collections::BTreeSet;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::Role;

use super::{Store, StoreError, StoreResult, col, on_pool, parse_uuid, text};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: Uuid,
    /// Lower case.
    pub email: String,
    pub name: String,
    /// The argon2 PHC string; `None` until a password has been set.
    pub password_hash: Option<String>,
}

/// What a single-use link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    PasswordReset,
    /// Set name and password for an account made by an invitation (or `admin create`).
    Invitation,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::PasswordReset => "reset",
            LinkPurpose::Invitation => "invitation",
        }
    }
}

/// An organisation's API token as its managers see it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub organization: Uuid,
    pub label: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

macro_rules! user_from_row {
    ($row:expr) => {{
        let row = $row;
        UserRow {
            id: parse_uuid(&text!(row, "id"))?,
            email: col!(row, "email"),
            name: col!(row, "name"),
            password_hash: col!(row, "password_hash"),
        }
    }};
}

macro_rules! role_from_row {
    ($row:expr) => {{
        let row = $row;
        let kind: String = col!(row, "role");
        let organization: Option<String> = col!(row, "organization_id");
        let organization = organization.as_deref().map(parse_uuid).transpose()?;
        let gemeente: Option<String> = col!(row, "gemeente_code");
        Role::from_columns(&kind, organization, gemeente)
            .ok_or_else(|| StoreError::Corrupt(format!("role grant {kind:?} is incomplete")))?
    }};
}

impl Store {
    /// The instance secret called `name`, made from `fresh` at the first call on this
    /// database; every instance sharing the database gets the same one.
    pub async fn instance_secret(&self, name: &str, fresh: &str) -> StoreResult<String> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into instance_secret (name, value) values ($1, $2) \
                 on conflict (name) do nothing",
            )
            .bind(name)
            .bind(fresh)
            .execute(pool)
            .await?;
            Ok(
                sqlx::query_scalar("select value from instance_secret where name = $1")
                    .bind(name)
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Makes an account; [`StoreError::Conflict`] when the (lower-cased) e-mail is taken.
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<&str>,
    ) -> StoreResult<Uuid> {
        let id = Uuid::new_v4();
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "insert into user_account (id, email, name, password_hash, created_at) \
                 values ($1, $2, $3, $4, $5) on conflict (email) do nothing",
            )
            .bind(id.to_string())
            .bind(email)
            .bind(name)
            .bind(password_hash)
            .bind(now)
            .execute(pool)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(
                    "an account with this e-mail exists".into(),
                ));
            }
        });
        Ok(id)
    }

    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "select id, email, name, password_hash from user_account where email = $1",
            )
            .bind(email)
            .fetch_optional(pool)
            .await?;
            Ok(match row {
                Some(row) => Some(user_from_row!(&row)),
                None => None,
            })
        })
    }

    pub async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRow>> {
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "select id, email, name, password_hash from user_account where id = $1",
            )
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?;
            Ok(match row {
                Some(row) => Some(user_from_row!(&row)),
                None => None,
            })
        })
    }

    /// Sets the password hash, and the name when given.
    pub async fn set_credentials(
        &self,
        user: Uuid,
        name: Option<&str>,
        password_hash: &str,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update user_account set password_hash = $2, name = coalesce($3, name) \
                 where id = $1",
            )
            .bind(user.to_string())
            .bind(password_hash)
            .bind(name)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Grants a role; granting one the person already has changes nothing (returns false).
    pub async fn grant_role(
        &self,
        user: Uuid,
        role: &Role,
        granted_by: Option<Uuid>,
    ) -> StoreResult<bool> {
        let (kind, organization, gemeente) = role.to_columns();
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "insert into role_grant \
                 (id, user_id, role, organization_id, gemeente_code, granted_at, granted_by) \
                 values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
            )
            .bind(Uuid::new_v4().to_string())
            .bind(user.to_string())
            .bind(kind)
            .bind(organization.map(|o| o.to_string()))
            .bind(gemeente)
            .bind(now)
            .bind(granted_by.map(|g| g.to_string()))
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn roles_of(&self, user: Uuid) -> StoreResult<Vec<Role>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select role, organization_id, gemeente_code from role_grant where user_id = $1",
            )
            .bind(user.to_string())
            .fetch_all(pool)
            .await?;
            let mut roles = Vec::with_capacity(rows.len());
            for row in &rows {
                roles.push(role_from_row!(row));
            }
            roles.sort();
            Ok(roles)
        })
    }

    /// Every account with its roles, by e-mail.
    pub async fn users_with_roles(&self) -> StoreResult<Vec<(UserRow, Vec<Role>)>> {
        let users: Vec<UserRow> = on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select id, email, name, password_hash from user_account order by email",
            )
            .fetch_all(pool)
            .await?;
            let mut users = Vec::with_capacity(rows.len());
            for row in &rows {
                users.push(user_from_row!(row));
            }
            users
        });
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            let roles = self.roles_of(user.id).await?;
            out.push((user, roles));
        }
        Ok(out)
    }

    pub async fn create_session(
        &self,
        id_hash: &str,
        user: Uuid,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into user_session (id_hash, user_id, created_at, last_seen_at, expires_at) \
                 values ($1, $2, $3, $3, $4)",
            )
            .bind(id_hash)
            .bind(user.to_string())
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The account of a live session: not expired, and seen after `idle_since`. Marks it seen
    /// now when it was last seen more than a minute ago (one write a minute, not per request).
    pub async fn session_user(
        &self,
        id_hash: &str,
        idle_since: OffsetDateTime,
    ) -> StoreResult<Option<Uuid>> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "select user_id, last_seen_at from user_session \
                 where id_hash = $1 and expires_at > $2 and last_seen_at > $3 \
                 and user_id in (select id from user_account where disabled_at is null)",
            )
            .bind(id_hash)
            .bind(now)
            .bind(idle_since)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let row = &row;
            let last_seen: OffsetDateTime = col!(row, "last_seen_at");
            if now - last_seen > time::Duration::minutes(1) {
                sqlx::query("update user_session set last_seen_at = $2 where id_hash = $1")
                    .bind(id_hash)
                    .bind(now)
                    .execute(pool)
                    .await?;
            }
            Ok(Some(parse_uuid(&text!(row, "user_id"))?))
        })
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from user_session where id_hash = $1")
                .bind(id_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends every session of an account ("overal uitloggen", and after a password change).
    pub async fn delete_sessions_of(&self, user: Uuid) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            let done = sqlx::query("delete from user_session where user_id = $1")
                .bind(user.to_string())
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }

    pub async fn session_count_of(&self, user: Uuid) -> StoreResult<i64> {
        on_pool!(self, |pool| {
            Ok(
                sqlx::query_scalar("select count(*) from user_session where user_id = $1")
                    .bind(user.to_string())
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Drops ended sessions and links that can no longer be used (hourly, with the change log);
    /// returns how many rows went.
    pub async fn prune_accounts(&self, now: OffsetDateTime) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            let sessions = sqlx::query("delete from user_session where expires_at < $1")
                .bind(now)
                .execute(pool)
                .await?;
            let links = sqlx::query(
                "delete from one_time_token where expires_at < $1 or used_at is not null",
            )
            .bind(now)
            .execute(pool)
            .await?;
            Ok(sessions.rows_affected() + links.rows_affected())
        })
    }

    /// Stores a single-use link (by its hash) for an account.
    pub async fn create_link(
        &self,
        token_hash: &str,
        user: Uuid,
        purpose: LinkPurpose,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into one_time_token (token_hash, user_id, purpose, created_at, expires_at) \
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user.to_string())
            .bind(purpose.as_str())
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The account a link is for, while it is unused and unexpired (the link stays usable).
    pub async fn peek_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
    ) -> StoreResult<Option<Uuid>> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let id: Option<String> = sqlx::query_scalar(
                "select user_id from one_time_token where token_hash = $1 and purpose = $2 \
                 and used_at is null and expires_at > $3",
            )
            .bind(token_hash)
            .bind(purpose.as_str())
            .bind(now)
            .fetch_optional(pool)
            .await?;
            id.as_deref().map(parse_uuid).transpose()
        })
    }

    /// Uses a link: marks it used and returns its account, in one statement, so that two
    /// requests racing with the same link cannot both succeed.
    pub async fn use_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
    ) -> StoreResult<Option<Uuid>> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let id: Option<String> = sqlx::query_scalar(
                "update one_time_token set used_at = $3 where token_hash = $1 and purpose = $2 \
                 and used_at is null and expires_at > $3 returning user_id",
            )
            .bind(token_hash)
            .bind(purpose.as_str())
            .bind(now)
            .fetch_optional(pool)
            .await?;
            id.as_deref().map(parse_uuid).transpose()
        })
    }

    /// Makes every unused link of an account for `purpose` unusable (a newer one replaces it).
    pub async fn expire_links_of(&self, user: Uuid, purpose: LinkPurpose) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            sqlx::query(
                "update one_time_token set used_at = $3 where user_id = $1 and purpose = $2 \
                 and used_at is null",
            )
            .bind(user.to_string())
            .bind(purpose.as_str())
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Counts a failed sign-in for each of `keys` (the account's and the address's).
    pub async fn record_login_failure(&self, keys: &[&str]) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            for key in keys {
                sqlx::query("insert into login_failure (throttle_key, failed_at) values ($1, $2)")
                    .bind(*key)
                    .bind(now)
                    .execute(pool)
                    .await?;
            }
        });
        Ok(())
    }

    /// Failed sign-ins for `key` since `since`, and when the latest was.
    pub async fn login_failures(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> StoreResult<(i64, Option<OffsetDateTime>)> {
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "select count(*) as n, max(failed_at) as latest from login_failure \
                 where throttle_key = $1 and failed_at > $2",
            )
            .bind(key)
            .bind(since)
            .fetch_one(pool)
            .await?;
            let row = &row;
            Ok((col!(row, "n"), col!(row, "latest")))
        })
    }

    /// Forgets failures of `key` (an account after a good sign-in), and everyone's older
    /// than `before`.
    pub async fn clear_login_failures(&self, key: &str, before: OffsetDateTime) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from login_failure where throttle_key = $1 or failed_at < $2")
                .bind(key)
                .bind(before)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The organisation's name, when it exists.
    pub async fn organization_name(&self, id: Uuid) -> StoreResult<Option<String>> {
        on_pool!(self, |pool| {
            Ok(
                sqlx::query_scalar("select name from organization where id = $1")
                    .bind(id.to_string())
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// The gemeenten (CBS codes) of an organisation's located places.
    pub async fn organization_gemeenten(&self, id: Uuid) -> StoreResult<BTreeSet<String>> {
        on_pool!(self, |pool| {
            let codes: Vec<Option<String>> = sqlx::query_scalar(
                "select distinct gemeente_code from location where organization_id = $1",
            )
            .bind(id.to_string())
            .fetch_all(pool)
            .await?;
            Ok(codes.into_iter().flatten().collect())
        })
    }

    pub async fn create_api_token(
        &self,
        organization: Uuid,
        label: &str,
        token_hash: &str,
        created_by: Option<Uuid>,
    ) -> StoreResult<Uuid> {
        let id = Uuid::new_v4();
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into api_token (id, organization_id, label, token_hash, created_at, \
                 created_by) values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.to_string())
            .bind(organization.to_string())
            .bind(label)
            .bind(token_hash)
            .bind(now)
            .bind(created_by.map(|u| u.to_string()))
            .execute(pool)
            .await?;
        });
        Ok(id)
    }

    /// An organisation's tokens, newest first, revoked ones included.
    pub async fn api_tokens_of(&self, organization: Uuid) -> StoreResult<Vec<ApiTokenRow>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select id, organization_id, label, created_at, last_used_at, revoked_at \
                 from api_token where organization_id = $1 order by created_at desc",
            )
            .bind(organization.to_string())
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(ApiTokenRow {
                    id: parse_uuid(&text!(row, "id"))?,
                    organization: parse_uuid(&text!(row, "organization_id"))?,
                    label: col!(row, "label"),
                    created_at: col!(row, "created_at"),
                    last_used_at: col!(row, "last_used_at"),
                    revoked_at: col!(row, "revoked_at"),
                });
            }
            Ok(out)
        })
    }

    /// Revokes a token of this organisation; false when it has no such live token (the
    /// organisation is part of the condition, so a token id of another organisation does
    /// nothing).
    pub async fn revoke_api_token(&self, organization: Uuid, id: Uuid) -> StoreResult<bool> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let done = sqlx::query(
                "update api_token set revoked_at = $3 where id = $1 and organization_id = $2 \
                 and revoked_at is null",
            )
            .bind(id.to_string())
            .bind(organization.to_string())
            .bind(now)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// The live token with this hash: (token id, organisation). Marks it used (at most once a
    /// minute, like sessions).
    pub async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<(Uuid, Uuid)>> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "select id, organization_id, last_used_at from api_token \
                 where token_hash = $1 and revoked_at is null",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let row = &row;
            let id = text!(row, "id");
            let last_used: Option<OffsetDateTime> = col!(row, "last_used_at");
            if last_used.is_none_or(|t| now - t > time::Duration::minutes(1)) {
                sqlx::query("update api_token set last_used_at = $2 where id = $1")
                    .bind(&id)
                    .bind(now)
                    .execute(pool)
                    .await?;
            }
            Ok(Some((
                parse_uuid(&id)?,
                parse_uuid(&text!(row, "organization_id"))?,
            )))
        })
    }
}
