//! Referrals, their events, the audit log of reads and the intake points per area
//! (migration 0012). The personal fields arrive here sealed (`crate::privacy`): this layer
//! stores and erases bytes, it never sees a name or a phone number.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{Store, StoreResult, col, on_pool, parse_uuid, text};

/// A new referral, checked and sealed by the use case.
#[derive(Debug, Clone)]
pub struct NewReferral<'a> {
    pub id: Uuid,
    pub code: &'a str,
    pub service_id: Uuid,
    pub organization_id: Uuid,
    pub route: &'a str,
    pub via_intake: bool,
    pub referrer_id: Option<Uuid>,
    pub referrer_role: &'a str,
    pub referrer_organisation: &'a str,
    pub wijk_code: Option<&'a str>,
    pub preferred_channel: &'a str,
    pub categories: &'a [String],
    pub consent_version: &'a str,
    pub at: OffsetDateTime,
    pub sealed: SealedFields,
    pub duplicate_tag: Vec<u8>,
}

/// A referral's personal data as stored: sealed bytes and the wrapped key that opens them.
/// All `None` once purged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedFields {
    pub master_key_id: Option<String>,
    pub wrapped_key: Option<Vec<u8>>,
    pub name: Option<Vec<u8>>,
    pub contact: Option<Vec<u8>>,
    pub moments: Option<Vec<u8>>,
    pub note: Option<Vec<u8>>,
}

/// The anonymous facts of a referral, with the names of the services involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    pub id: Uuid,
    pub code: String,
    pub service_id: Uuid,
    /// `None` when the service was removed since.
    pub service_name: Option<String>,
    pub organization_id: Uuid,
    pub organization_name: Option<String>,
    pub route: String,
    pub via_intake: bool,
    pub referrer_id: Option<Uuid>,
    pub referrer_role: String,
    pub referrer_organisation: String,
    pub wijk_code: Option<String>,
    pub preferred_channel: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub matched_service_id: Option<Uuid>,
    pub matched_service_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub first_response_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
    pub consent_at: OffsetDateTime,
    pub consent_version: String,
    pub consent_withdrawn_at: Option<OffsetDateTime>,
    pub receiver_reminded_at: Option<OffsetDateTime>,
    pub referrer_reminded_at: Option<OffsetDateTime>,
    pub purged_at: Option<OffsetDateTime>,
    pub categories: Vec<String>,
}

/// One step in a referral's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralEventRow {
    pub status: String,
    pub reason: Option<String>,
    pub matched_service_id: Option<Uuid>,
    pub matched_service_name: Option<String>,
    pub sealed_note: Option<Vec<u8>>,
    pub by_role: String,
    pub at: OffsetDateTime,
}

/// A status change (or a match, which keeps the status), applied only while the referral is
/// still in `from`: two people working the same referral cannot overwrite each other.
#[derive(Debug, Clone)]
pub struct StatusChange<'a> {
    pub referral: Uuid,
    pub from: &'a str,
    pub to: &'a str,
    pub reason: Option<&'a str>,
    pub matched_service_id: Option<Uuid>,
    pub sealed_note: Option<Vec<u8>>,
    pub by_user: Option<Uuid>,
    pub by_role: &'a str,
    pub at: OffsetDateTime,
    /// The first answer of the receiver: sets `first_response_at`.
    pub first_response: bool,
    /// A closing status: sets `closed_at`.
    pub closes: bool,
}

/// One read of personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub referral_id: Uuid,
    pub referral_code: String,
    pub actor_id: Option<Uuid>,
    /// The reader's e-mail address, when it was a person with an account.
    pub actor_email: Option<String>,
    pub actor_role: String,
    pub purpose: String,
    pub at: OffsetDateTime,
}

/// A new line of the audit log.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub referral_id: Uuid,
    pub organization_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_role: &'a str,
    pub purpose: &'a str,
    pub at: OffsetDateTime,
}

/// A service as a receiver of referrals.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiverRow {
    pub service_id: Uuid,
    pub service_name: String,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub accepts_referrals: bool,
    /// Whether the organisation has someone to work its inbox.
    pub has_editors: bool,
    /// Its first located place, for "the nearest intake".
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// The intake point of an area.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeRow {
    pub area_code: String,
    pub receiver: ReceiverRow,
}

/// What the public response figures of one service are made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFacts {
    pub created_at: OffsetDateTime,
    pub first_response_at: OffsetDateTime,
    /// The first answer was to accept.
    pub accepted: bool,
}

const REFERRAL_COLUMNS: &str = "select r.id, r.code, r.service_id, s.name as service_name, \
     r.organization_id, o.name as organization_name, r.route, r.via_intake, r.referrer_id, \
     r.referrer_role, r.referrer_organisation, r.wijk_code, r.preferred_channel, r.status, \
     r.status_reason, r.matched_service_id, m.name as matched_service_name, r.created_at, \
     r.first_response_at, r.closed_at, r.consent_at, r.consent_version, \
     r.consent_withdrawn_at, r.receiver_reminded_at, r.referrer_reminded_at, r.purged_at \
     from referral r left join service s on s.id = r.service_id \
     left join organization o on o.id = r.organization_id \
     left join service m on m.id = r.matched_service_id";

macro_rules! referral_from_row {
    ($row:expr) => {{
        let row = $row;
        let referrer: Option<String> = col!(row, "referrer_id");
        let matched: Option<String> = col!(row, "matched_service_id");
        ReferralRow {
            id: parse_uuid(&text!(row, "id"))?,
            code: col!(row, "code"),
            service_id: parse_uuid(&text!(row, "service_id"))?,
            service_name: col!(row, "service_name"),
            organization_id: parse_uuid(&text!(row, "organization_id"))?,
            organization_name: col!(row, "organization_name"),
            route: col!(row, "route"),
            via_intake: col!(row, "via_intake"),
            referrer_id: referrer.as_deref().map(parse_uuid).transpose()?,
            referrer_role: col!(row, "referrer_role"),
            referrer_organisation: col!(row, "referrer_organisation"),
            wijk_code: col!(row, "wijk_code"),
            preferred_channel: col!(row, "preferred_channel"),
            status: col!(row, "status"),
            status_reason: col!(row, "status_reason"),
            matched_service_id: matched.as_deref().map(parse_uuid).transpose()?,
            matched_service_name: col!(row, "matched_service_name"),
            created_at: col!(row, "created_at"),
            first_response_at: col!(row, "first_response_at"),
            closed_at: col!(row, "closed_at"),
            consent_at: col!(row, "consent_at"),
            consent_version: col!(row, "consent_version"),
            consent_withdrawn_at: col!(row, "consent_withdrawn_at"),
            receiver_reminded_at: col!(row, "receiver_reminded_at"),
            referrer_reminded_at: col!(row, "referrer_reminded_at"),
            purged_at: col!(row, "purged_at"),
            categories: Vec::new(),
        }
    }};
}

const RECEIVER_COLUMNS: &str = "select s.id as service_id, s.name as service_name, \
     s.organization_id, o.name as organization_name, s.accepts_referrals, \
     exists (select 1 from role_grant g where g.role = 'editor' \
             and g.organization_id = s.organization_id) as has_editors, \
     (select l.latitude from service_at_location sl join location l on l.id = sl.location_id \
      where sl.service_id = s.id and l.latitude is not null order by l.id limit 1) as latitude, \
     (select l.longitude from service_at_location sl join location l on l.id = sl.location_id \
      where sl.service_id = s.id and l.latitude is not null order by l.id limit 1) as longitude \
     from service s join organization o on o.id = s.organization_id";

macro_rules! receiver_from_row {
    ($row:expr) => {{
        let row = $row;
        ReceiverRow {
            service_id: parse_uuid(&text!(row, "service_id"))?,
            service_name: col!(row, "service_name"),
            organization_id: parse_uuid(&text!(row, "organization_id"))?,
            organization_name: col!(row, "organization_name"),
            accepts_referrals: col!(row, "accepts_referrals"),
            has_editors: col!(row, "has_editors"),
            latitude: col!(row, "latitude"),
            longitude: col!(row, "longitude"),
        }
    }};
}

impl Store {
    /// Stores a referral with its categories and its first event, in one transaction.
    pub async fn insert_referral(&self, new: &NewReferral<'_>) -> StoreResult<()> {
        let id = new.id.to_string();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "insert into referral (id, code, service_id, organization_id, route, \
                 via_intake, referrer_id, referrer_role, referrer_organisation, wijk_code, \
                 preferred_channel, status, created_at, consent_at, consent_version, \
                 master_key_id, wrapped_key, sealed_name, sealed_contact, sealed_moments, \
                 sealed_note, duplicate_tag) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                 $10, $11, 'requested', $12, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
            )
            .bind(&id)
            .bind(new.code)
            .bind(new.service_id.to_string())
            .bind(new.organization_id.to_string())
            .bind(new.route)
            .bind(new.via_intake)
            .bind(new.referrer_id.map(|u| u.to_string()))
            .bind(new.referrer_role)
            .bind(new.referrer_organisation)
            .bind(new.wijk_code)
            .bind(new.preferred_channel)
            .bind(new.at)
            .bind(new.consent_version)
            .bind(new.sealed.master_key_id.as_deref())
            .bind(new.sealed.wrapped_key.as_deref())
            .bind(new.sealed.name.as_deref())
            .bind(new.sealed.contact.as_deref())
            .bind(new.sealed.moments.as_deref())
            .bind(new.sealed.note.as_deref())
            .bind(&new.duplicate_tag)
            .execute(&mut *tx)
            .await?;
            for category in new.categories {
                sqlx::query(
                    "insert into referral_category (referral_id, category_code) values ($1, $2) \
                     on conflict do nothing",
                )
                .bind(&id)
                .bind(category)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "insert into referral_event (id, referral_id, status, by_user, by_role, at) \
                 values ($1, $2, 'requested', $3, $4, $5)",
            )
            .bind(Uuid::new_v4().to_string())
            .bind(&id)
            .bind(new.referrer_id.map(|u| u.to_string()))
            .bind(new.referrer_role)
            .bind(new.at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Whether a reference code is taken (codes are random; the use case draws again).
    pub async fn referral_code_taken(&self, code: &str) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            Ok(
                sqlx::query_scalar::<_, String>("select id from referral where code = $1")
                    .bind(code)
                    .fetch_optional(pool)
                    .await?
                    .is_some(),
            )
        })
    }

    async fn referrals_where(
        &self,
        filter: &str,
        bind: Option<String>,
        limit: i64,
    ) -> StoreResult<Vec<ReferralRow>> {
        let mut out = on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(REFERRAL_COLUMNS);
            qb.push(" where ").push(filter);
            if let Some(value) = bind {
                qb.push_bind(value);
            }
            qb.push(" order by r.created_at desc, r.id limit ")
                .push_bind(limit);
            let rows = qb.build().fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(referral_from_row!(row));
            }
            out
        });
        self.attach_categories(&mut out).await?;
        Ok(out)
    }

    async fn attach_categories(&self, rows: &mut [ReferralRow]) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let pairs: Vec<(String, String)> = on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "select referral_id, category_code from referral_category where referral_id in (",
            );
            let mut list = qb.separated(", ");
            for row in rows.iter() {
                list.push_bind(row.id.to_string());
            }
            qb.push(") order by category_code");
            qb.build_query_as().fetch_all(pool).await?
        });
        // One pass over the pairs, not one per referral (a list holds up to 500).
        let mut by_referral: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for (referral, category) in pairs {
            by_referral.entry(referral).or_default().push(category);
        }
        for row in rows.iter_mut() {
            row.categories = by_referral.remove(&row.id.to_string()).unwrap_or_default();
        }
        Ok(())
    }

    pub async fn referral(&self, id: Uuid) -> StoreResult<Option<ReferralRow>> {
        Ok(self
            .referrals_where("r.id = ", Some(id.to_string()), 1)
            .await?
            .pop())
    }

    pub async fn referral_by_code(&self, code: &str) -> StoreResult<Option<ReferralRow>> {
        Ok(self
            .referrals_where("r.code = ", Some(code.to_string()), 1)
            .await?
            .pop())
    }

    /// The referrals an organisation received, newest first.
    pub async fn referrals_received(
        &self,
        organization: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<ReferralRow>> {
        self.referrals_where(
            "r.organization_id = ",
            Some(organization.to_string()),
            limit,
        )
        .await
    }

    /// The referrals a person sent, newest first.
    pub async fn referrals_sent(&self, user: Uuid, limit: i64) -> StoreResult<Vec<ReferralRow>> {
        self.referrals_where("r.referrer_id = ", Some(user.to_string()), limit)
            .await
    }

    /// Open referrals still waiting for a first answer since before `before`.
    pub async fn unanswered_referrals(
        &self,
        before: OffsetDateTime,
    ) -> StoreResult<Vec<ReferralRow>> {
        let mut out = on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(REFERRAL_COLUMNS);
            qb.push(" where r.status = 'requested' and r.created_at < ")
                .push_bind(before)
                .push(" order by r.created_at");
            let rows = qb.build().fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(referral_from_row!(row));
            }
            out
        });
        self.attach_categories(&mut out).await?;
        Ok(out)
    }

    /// Closed referrals whose personal data is still there, closed before `before`.
    pub async fn referrals_to_purge(&self, before: OffsetDateTime) -> StoreResult<Vec<Uuid>> {
        let ids: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select id from referral where purged_at is null and closed_at is not null \
                 and closed_at < $1 order by closed_at",
            )
            .bind(before)
            .fetch_all(pool)
            .await?
        });
        ids.iter().map(|id| parse_uuid(id)).collect()
    }

    pub async fn referral_sealed(&self, id: Uuid) -> StoreResult<SealedFields> {
        on_pool!(self, |pool| {
            let row = sqlx::query(
                "select master_key_id, wrapped_key, sealed_name, sealed_contact, \
                 sealed_moments, sealed_note from referral where id = $1",
            )
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?;
            Ok(match row {
                Some(row) => SealedFields {
                    master_key_id: col!(&row, "master_key_id"),
                    wrapped_key: col!(&row, "wrapped_key"),
                    name: col!(&row, "sealed_name"),
                    contact: col!(&row, "sealed_contact"),
                    moments: col!(&row, "sealed_moments"),
                    note: col!(&row, "sealed_note"),
                },
                None => SealedFields::default(),
            })
        })
    }

    /// Whether an open, not purged referral to `service` carries this duplicate tag.
    pub async fn open_referral_with_tag(&self, service: Uuid, tag: &[u8]) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            // The open statuses of `ReferralStatus`.
            Ok(sqlx::query_scalar::<_, String>(
                "select id from referral where service_id = $1 and duplicate_tag = $2 \
                 and purged_at is null \
                 and status in ('requested', 'accepted', 'in-progress', 'on-hold') limit 1",
            )
            .bind(service.to_string())
            .bind(tag)
            .fetch_optional(pool)
            .await?
            .is_some())
        })
    }

    pub async fn referral_events(&self, id: Uuid) -> StoreResult<Vec<ReferralEventRow>> {
        Ok(self
            .referral_events_of(&[id])
            .await?
            .into_iter()
            .map(|(_, event)| event)
            .collect())
    }

    /// The events of several referrals in one query (a list page), each with its referral's
    /// id, in order of time per referral.
    pub async fn referral_events_of(
        &self,
        ids: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, ReferralEventRow)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "select e.referral_id, e.status, e.reason, e.matched_service_id, \
                 m.name as matched_service_name, e.sealed_note, e.by_role, e.at \
                 from referral_event e left join service m on m.id = e.matched_service_id \
                 where e.referral_id in (",
            );
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(id.to_string());
            }
            qb.push(") order by e.referral_id, e.at, e.id");
            let rows = qb.build().fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let matched: Option<String> = col!(row, "matched_service_id");
                let referral = parse_uuid(&text!(row, "referral_id"))?;
                out.push((
                    referral,
                    ReferralEventRow {
                        status: col!(row, "status"),
                        reason: col!(row, "reason"),
                        matched_service_id: matched.as_deref().map(parse_uuid).transpose()?,
                        matched_service_name: col!(row, "matched_service_name"),
                        sealed_note: col!(row, "sealed_note"),
                        by_role: col!(row, "by_role"),
                        at: col!(row, "at"),
                    },
                ));
            }
            Ok(out)
        })
    }

    /// Applies a status change while the referral is still in `change.from`; false when it
    /// is not (someone else changed it meanwhile).
    pub async fn change_referral_status(&self, change: &StatusChange<'_>) -> StoreResult<bool> {
        let id = change.referral.to_string();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut qb = sqlx::QueryBuilder::new("update referral set status = ");
            qb.push_bind(change.to);
            if change.from != change.to {
                qb.push(", status_reason = ").push_bind(change.reason);
            }
            if let Some(matched) = change.matched_service_id {
                qb.push(", matched_service_id = ")
                    .push_bind(matched.to_string());
            }
            if change.first_response {
                qb.push(", first_response_at = coalesce(first_response_at, ")
                    .push_bind(change.at)
                    .push(")");
            }
            if change.closes {
                qb.push(", closed_at = ").push_bind(change.at);
            }
            qb.push(" where id = ")
                .push_bind(&id)
                .push(" and status = ")
                .push_bind(change.from);
            let done = qb.build().execute(&mut *tx).await?.rows_affected();
            if done == 0 {
                return Ok(false);
            }
            sqlx::query(
                "insert into referral_event (id, referral_id, status, reason, \
                 matched_service_id, sealed_note, by_user, by_role, at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(Uuid::new_v4().to_string())
            .bind(&id)
            .bind(change.to)
            .bind(change.reason)
            .bind(change.matched_service_id.map(|u| u.to_string()))
            .bind(change.sealed_note.as_deref())
            .bind(change.by_user.map(|u| u.to_string()))
            .bind(change.by_role)
            .bind(change.at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Erases a referral's personal data: the wrapped key (without which nothing sealed can
    /// be opened) and every sealed value, also on its events. Its anonymous facts stay.
    /// `consent_withdrawn` also records when consent was withdrawn.
    pub async fn purge_referral(
        &self,
        id: Uuid,
        at: OffsetDateTime,
        consent_withdrawn: bool,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "update referral set master_key_id = null, wrapped_key = null, \
                 sealed_name = null, sealed_contact = null, sealed_moments = null, \
                 sealed_note = null, duplicate_tag = null, purged_at = coalesce(purged_at, $1), \
                 consent_withdrawn_at = case when $2 then coalesce(consent_withdrawn_at, $1) \
                 else consent_withdrawn_at end where id = $3",
            )
            .bind(at)
            .bind(consent_withdrawn)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query("update referral_event set sealed_note = null where referral_id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done > 0)
        })
    }

    /// After erasing: on SQLite, moves the WAL into the database file and empties it, so that
    /// the old page images (with the wrapped keys just erased) do not stay in the `-wal` file;
    /// the database file itself holds no freed bytes (`secure_delete`, see [`Store::connect`]).
    /// Best effort: a busy checkpoint is retried by the next purge. PostgreSQL keeps old row
    /// versions until VACUUM reuses their space; the wrapped key is gone from every live row.
    pub async fn scrub_erased(&self) -> StoreResult<()> {
        if let super::Pool::Sqlite(pool) = &self.pool {
            sqlx::query("pragma wal_checkpoint(truncate)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Claims the reminder to the receiver (true: this call set it, so it sends the mail).
    pub async fn claim_receiver_reminder(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<bool> {
        self.claim_referral_reminder(
            id,
            at,
            "update referral set receiver_reminded_at = $1 where id = $2 \
             and receiver_reminded_at is null and status = 'requested'",
        )
        .await
    }

    /// Claims the reminder to the referrer.
    pub async fn claim_referrer_reminder(&self, id: Uuid, at: OffsetDateTime) -> StoreResult<bool> {
        self.claim_referral_reminder(
            id,
            at,
            "update referral set referrer_reminded_at = $1 where id = $2 \
             and referrer_reminded_at is null and status = 'requested'",
        )
        .await
    }

    async fn claim_referral_reminder(
        &self,
        id: Uuid,
        at: OffsetDateTime,
        sql: &'static str,
    ) -> StoreResult<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(sql)
                .bind(at)
                .bind(id.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    pub async fn append_referral_audit(&self, audit: &NewAudit<'_>) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into referral_audit (id, referral_id, organization_id, actor_id, \
                 actor_role, purpose, at) values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(Uuid::new_v4().to_string())
            .bind(audit.referral_id.to_string())
            .bind(audit.organization_id.to_string())
            .bind(audit.actor_id.map(|u| u.to_string()))
            .bind(audit.actor_role)
            .bind(audit.purpose)
            .bind(audit.at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The reads of personal data of referrals an organisation received, newest first;
    /// `referral` narrows it to one.
    pub async fn referral_audit(
        &self,
        organization: Uuid,
        referral: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<AuditRow>> {
        on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "select a.referral_id, r.code, a.actor_id, u.email, a.actor_role, a.purpose, a.at \
                 from referral_audit a join referral r on r.id = a.referral_id \
                 left join user_account u on u.id = a.actor_id where a.organization_id = ",
            );
            qb.push_bind(organization.to_string());
            if let Some(referral) = referral {
                qb.push(" and a.referral_id = ")
                    .push_bind(referral.to_string());
            }
            qb.push(" order by a.at desc, a.id limit ").push_bind(limit);
            let rows = qb.build().fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let actor: Option<String> = col!(row, "actor_id");
                out.push(AuditRow {
                    referral_id: parse_uuid(&text!(row, "referral_id"))?,
                    referral_code: col!(row, "code"),
                    actor_id: actor.as_deref().map(parse_uuid).transpose()?,
                    actor_email: col!(row, "email"),
                    actor_role: col!(row, "actor_role"),
                    purpose: col!(row, "purpose"),
                    at: col!(row, "at"),
                });
            }
            Ok(out)
        })
    }

    pub async fn referral_receiver(&self, service: Uuid) -> StoreResult<Option<ReceiverRow>> {
        on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(RECEIVER_COLUMNS);
            qb.push(" where s.id = ").push_bind(service.to_string());
            Ok(match qb.build().fetch_optional(pool).await? {
                Some(row) => Some(receiver_from_row!(&row)),
                None => None,
            })
        })
    }

    /// Every intake point, by area code.
    pub async fn referral_intakes(&self) -> StoreResult<Vec<IntakeRow>> {
        on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new("select i.area_code, q.* from (");
            qb.push(RECEIVER_COLUMNS).push(
                ") q join referral_intake i on i.service_id = q.service_id order by i.area_code",
            );
            let rows = qb.build().fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(IntakeRow {
                    area_code: col!(row, "area_code"),
                    receiver: receiver_from_row!(row),
                });
            }
            Ok(out)
        })
    }

    /// Makes `service` the intake point of `area` (replacing the one it had).
    pub async fn set_referral_intake(
        &self,
        area: &str,
        service: Uuid,
        by: Option<Uuid>,
    ) -> StoreResult<()> {
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into referral_intake (area_code, service_id, set_by, set_at) \
                 values ($1, $2, $3, $4) on conflict (area_code) do update set \
                 service_id = excluded.service_id, set_by = excluded.set_by, \
                 set_at = excluded.set_at",
            )
            .bind(area)
            .bind(service.to_string())
            .bind(by.map(|u| u.to_string()))
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn remove_referral_intake(&self, area: &str) -> StoreResult<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query("delete from referral_intake where area_code = $1")
                .bind(area)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    /// The first answers to referrals to `service` (for "reageert meestal binnen …").
    pub async fn referral_response_facts(&self, service: Uuid) -> StoreResult<Vec<ResponseFacts>> {
        on_pool!(self, |pool| {
            let rows = sqlx::query(
                "select r.created_at, r.first_response_at, \
                 exists (select 1 from referral_event e where e.referral_id = r.id \
                         and e.status = 'accepted') as accepted \
                 from referral r where r.service_id = $1 and r.first_response_at is not null",
            )
            .bind(service.to_string())
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(ResponseFacts {
                    created_at: col!(row, "created_at"),
                    first_response_at: col!(row, "first_response_at"),
                    accepted: col!(row, "accepted"),
                });
            }
            Ok(out)
        })
    }

    /// The e-mail address of an account, to tell a referrer (mails carry links only).
    pub async fn account_email(&self, user: Uuid) -> StoreResult<Option<String>> {
        on_pool!(self, |pool| {
            Ok(
                sqlx::query_scalar("select email from user_account where id = $1")
                    .bind(user.to_string())
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }
}
