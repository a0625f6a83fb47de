//! Reports by anyone about a listing ("Klopt er iets niet?") and the claims of reminder mails
//! about stale listings (migration 0009).

use time::OffsetDateTime;
use uuid::Uuid;

use super::{Store, StoreResult, col, on_pool, parse_uuid, text};

/// A report as stored, with the names of its listing and organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: Uuid,
    pub service_id: Uuid,
    pub service_name: String,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// The stored code of `crate::reports::ReportKind`.
    pub kind: String,
    pub details: String,
    /// Erased when the report is closed.
    pub reporter_name: Option<String>,
    pub reporter_contact: Option<String>,
    pub created_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
    /// The stored code of `crate::reports::ReportOutcome`.
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
}

/// A new report, checked by the use case.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub service_id: Uuid,
    pub kind: &'a str,
    pub details: &'a str,
    pub reporter_name: Option<&'a str>,
    pub reporter_contact: Option<&'a str>,
}

const REPORT_COLUMNS: &str = "select r.id, r.service_id, s.name as service_name, \
     s.organization_id, o.name as organization_name, r.kind, r.details, r.reporter_name, \
     r.reporter_contact, r.created_at, r.closed_at, r.outcome, r.outcome_note \
     from listing_report r join service s on s.id = r.service_id \
     join organization o on o.id = s.organization_id";

macro_rules! report_from_row {
    ($row:expr) => {{
        let row = $row;
        ReportRow {
            id: parse_uuid(&text!(row, "id"))?,
            service_id: parse_uuid(&text!(row, "service_id"))?,
            service_name: col!(row, "service_name"),
            organization_id: parse_uuid(&text!(row, "organization_id"))?,
            organization_name: col!(row, "organization_name"),
            kind: col!(row, "kind"),
            details: col!(row, "details"),
            reporter_name: col!(row, "reporter_name"),
            reporter_contact: col!(row, "reporter_contact"),
            created_at: col!(row, "created_at"),
            closed_at: col!(row, "closed_at"),
            outcome: col!(row, "outcome"),
            outcome_note: col!(row, "outcome_note"),
        }
    }};
}

impl Store {
    /// Stores a report; `None` when there is no such service.
    pub async fn create_report(&self, report: &NewReport<'_>) -> StoreResult<Option<Uuid>> {
        let id = Uuid::new_v4();
        let now = OffsetDateTime::now_utc();
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "insert into listing_report (id, service_id, kind, details, reporter_name, \
                 reporter_contact, created_at) \
                 select $1, id, $2, $3, $4, $5, $6 from service where id = $7",
            )
            .bind(id.to_string())
            .bind(report.kind)
            .bind(report.details)
            .bind(report.reporter_name)
            .bind(report.reporter_contact)
            .bind(now)
            .bind(report.service_id.to_string())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok((done > 0).then_some(id))
    }

    /// Open reports, oldest first (a queue), or closed ones, last closed first; at most `limit`.
    pub async fn reports(&self, closed: bool, limit: i64) -> StoreResult<Vec<ReportRow>> {
        on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(REPORT_COLUMNS);
            qb.push(if closed {
                " where r.closed_at is not null order by r.closed_at desc, r.id limit "
            } else {
                " where r.closed_at is null order by r.created_at, r.id limit "
            })
            .push_bind(limit);
            let rows = qb.build().fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(report_from_row!(row));
            }
            Ok(out)
        })
    }

    pub async fn report(&self, id: Uuid) -> StoreResult<Option<ReportRow>> {
        on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(REPORT_COLUMNS);
            qb.push(" where r.id = ").push_bind(id.to_string());
            Ok(match qb.build().fetch_optional(pool).await? {
                Some(row) => Some(report_from_row!(&row)),
                None => None,
            })
        })
    }

    /// Closes an open report with its outcome and erases the reporter's name and contact.
    /// False when there is no such open report (unknown, or closed meanwhile).
    pub async fn close_report(
        &self,
        id: Uuid,
        closed_by: Option<Uuid>,
        outcome: &str,
        note: Option<&str>,
    ) -> StoreResult<bool> {
        let now = OffsetDateTime::now_utc();
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "update listing_report set closed_at = $1, closed_by = $2, outcome = $3, \
                 outcome_note = $4, reporter_name = null, reporter_contact = null \
                 where id = $5 and closed_at is null",
            )
            .bind(now)
            .bind(closed_by.map(|u| u.to_string()))
            .bind(outcome)
            .bind(note)
            .bind(id.to_string())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done > 0)
    }

    /// The e-mail addresses of an organisation's editors.
    pub async fn editor_emails(&self, organization: Uuid) -> StoreResult<Vec<String>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "select distinct u.email from role_grant g \
                 join user_account u on u.id = g.user_id \
                 where g.role = 'editor' and g.organization_id = $1 order by u.email",
            )
            .bind(organization.to_string())
            .fetch_all(pool)
            .await?)
        })
    }

    /// Claims the reminder about `service` for the period after the check `checked`: true
    /// when this call inserted the claim, false when some instance (this one or another on
    /// the same database) already had. The database's primary key decides, so two instances
    /// racing cannot both win.
    pub async fn claim_reminder(&self, service: Uuid, checked: &str) -> StoreResult<bool> {
        let now = OffsetDateTime::now_utc();
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "insert into stale_reminder (service_id, checked, sent_at) values ($1, $2, $3) \
                 on conflict (service_id, checked) do nothing",
            )
            .bind(service.to_string())
            .bind(checked)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done > 0)
    }

    /// Gives a claim back (its mail could not be sent), so that a later run tries again.
    pub async fn release_reminder(&self, service: Uuid, checked: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from stale_reminder where service_id = $1 and checked = $2")
                .bind(service.to_string())
                .bind(checked)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The reminders sent about these services: (service, period, when).
    pub async fn reminders_sent(
        &self,
        services: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, String, OffsetDateTime)>> {
        let mut out = Vec::new();
        for chunk in services.chunks(super::LOG_CHUNK) {
            on_pool!(self, |pool| {
                let rows = super::directory::fetch_in!(
                    pool,
                    "select service_id, checked, sent_at from stale_reminder where service_id in ",
                    chunk
                );
                for row in &rows {
                    out.push((
                        parse_uuid(&text!(row, "service_id"))?,
                        col!(row, "checked"),
                        col!(row, "sent_at"),
                    ));
                }
            });
        }
        Ok(out)
    }
}
