//! Freshness and status writes ("klopt nog", closing a listing) and the moderators' list of
//! listings not checked for a long time. The writes go through [`WriteTx`], so the change log
//! re-indexes the service at commit like any other write.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::domain::ServiceStatus;

use super::{Store, StoreResult, WriteTx, col, on_pool, on_tx, parse_enum, parse_uuid, text};

/// One line of the moderators' list of stale listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleService {
    pub id: Uuid,
    pub name: String,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// `None`: never checked (listed first).
    pub assured_date: Option<Date>,
    pub status: ServiceStatus,
}

impl Store {
    /// The organisation a service belongs to (`None`: no such service), for the authorisation
    /// of changes to it.
    pub async fn organization_of_service(&self, id: Uuid) -> StoreResult<Option<Uuid>> {
        let org: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar("select organization_id from service where id = $1")
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        org.as_deref().map(parse_uuid).transpose()
    }
}

impl WriteTx {
    /// Sets when a service was last checked. Returns false when there is no such service.
    pub async fn set_assured_date(&mut self, id: Uuid, date: Date) -> StoreResult<bool> {
        let now = OffsetDateTime::now_utc();
        let done = on_tx!(self, |tx| {
            sqlx::query("update service set assured_date = $1, last_modified = $2 where id = $3")
                .bind(date)
                .bind(now)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        if done > 0 {
            self.changed.services.push(id);
        }
        Ok(done > 0)
    }

    /// Sets a service's status and the reason shown with it (`None` clears it). Returns false
    /// when there is no such service.
    pub async fn set_status(
        &mut self,
        id: Uuid,
        status: ServiceStatus,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        let now = OffsetDateTime::now_utc();
        let done = on_tx!(self, |tx| {
            sqlx::query(
                "update service set status = $1, status_reason = $2, last_modified = $3, \
                 version = version + 1 where id = $4",
            )
            .bind(status.as_str())
            .bind(reason)
            .bind(now)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        if done > 0 {
            self.changed.services.push(id);
        }
        Ok(done > 0)
    }
}

impl Store {
    /// Services still offered (active or temporarily closed) that were last checked before
    /// `checked_before`, or never: never checked first, then the oldest check first, then by
    /// name; at most `limit`. With `gemeente` (a CBS code such as `GM0344`), only services with
    /// a location in it or serving it or a wijk or buurt of it (CBS wijk and buurt codes carry
    /// their gemeente's number: `WK0344..`, `BU0344....`).
    pub async fn stale_services(
        &self,
        gemeente: Option<&str>,
        checked_before: Date,
        limit: i64,
    ) -> StoreResult<Vec<StaleService>> {
        let number = gemeente.map(|g| g.trim_start_matches("GM").to_string());
        on_pool!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "select s.id, s.name, s.organization_id, o.name as organization_name, \
                 s.assured_date, s.status from service s \
                 join organization o on o.id = s.organization_id \
                 where s.status in ('active', 'temporarily closed') \
                 and (s.assured_date is null or s.assured_date < ",
            );
            qb.push_bind(checked_before).push(")");
            if let (Some(gemeente), Some(number)) = (gemeente, &number) {
                qb.push(
                    " and (exists (select 1 from service_at_location sal \
                     join location l on l.id = sal.location_id \
                     where sal.service_id = s.id and l.gemeente_code = ",
                )
                .push_bind(gemeente.to_string())
                .push(
                    ") or exists (select 1 from service_area a where a.service_id = s.id \
                     and (a.area_code = ",
                )
                .push_bind(gemeente.to_string())
                .push(" or a.area_code like ")
                .push_bind(format!("WK{number}%"))
                .push(" or a.area_code like ")
                .push_bind(format!("BU{number}%"))
                .push(")))");
            }
            qb.push(" order by s.assured_date is not null, s.assured_date, s.name, s.id limit ")
                .push_bind(limit);
            let rows = qb.build().fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(StaleService {
                    id: parse_uuid(&text!(row, "id"))?,
                    name: col!(row, "name"),
                    organization_id: parse_uuid(&text!(row, "organization_id"))?,
                    organization_name: col!(row, "organization_name"),
                    assured_date: col!(row, "assured_date"),
                    status: parse_enum(&text!(row, "status"))?,
                });
            }
            Ok(out)
        })
    }
}
