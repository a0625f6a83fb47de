//! The activity calendar's dated entries (migration 0006): one-off activities and exceptions to
//! a service's weekly times. Writes go through [`WriteTx`], so the service they belong to is in
//! the change log like for any other change to its listing.

use time::Date;
use uuid::Uuid;

use crate::domain::calendar::{format_clock, parse_clock};
use crate::domain::{CalendarEvent, EventKind};

use super::{Store, StoreError, StoreResult, WriteTx, col, on_pool, on_tx, parse_uuid, text};

/// Ids per `in (…)` list.
const CHUNK: usize = 500;

/// Maps a `service_event` row to a [`CalendarEvent`].
macro_rules! event_from_row {
    ($row:expr) => {{
        let row = $row;
        let kind = text!(row, "kind");
        let target: Option<String> = col!(row, "target_id");
        let starts_at: Option<String> = col!(row, "starts_at");
        let ends_at: Option<String> = col!(row, "ends_at");
        CalendarEvent {
            id: parse_uuid(&text!(row, "id"))?,
            service_id: parse_uuid(&text!(row, "service_id"))?,
            kind: EventKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown event kind {kind:?}")))?,
            date: col!(row, "event_date"),
            starts_at: clock(starts_at)?,
            ends_at: clock(ends_at)?,
            target_id: target.as_deref().map(parse_uuid).transpose()?,
            title: col!(row, "title"),
            location: col!(row, "location"),
            note: col!(row, "note"),
        }
    }};
}

fn clock(text: Option<String>) -> StoreResult<Option<time::Time>> {
    text.map(|t| parse_clock(&t).ok_or_else(|| StoreError::Corrupt(format!("bad time {t:?}"))))
        .transpose()
}

impl WriteTx {
    /// Stores a new calendar entry (an existing id is left as it is, so that loading the same
    /// demo entries twice writes nothing twice) and logs its service as changed.
    pub async fn insert_event(&mut self, event: &CalendarEvent) -> StoreResult<()> {
        let now = time::OffsetDateTime::now_utc();
        on_tx!(self, |tx| {
            sqlx::query(
                "insert into service_event (id, service_id, kind, event_date, starts_at, ends_at, \
                 target_id, title, location, note, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (id) do nothing",
            )
            .bind(event.id.to_string())
            .bind(event.service_id.to_string())
            .bind(event.kind.as_str())
            .bind(event.date)
            .bind(event.starts_at.map(format_clock))
            .bind(event.ends_at.map(format_clock))
            .bind(event.target_id.map(|t| t.to_string()))
            .bind(&event.title)
            .bind(&event.location)
            .bind(&event.note)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                    StoreError::MissingReference {
                        entity: "service",
                        id: event.service_id.to_string(),
                    }
                }
                _ => e.into(),
            })?;
        });
        self.changed.services.push(event.service_id);
        Ok(())
    }

    /// Removes a calendar entry; whether there was one.
    pub async fn delete_event(&mut self, event: &CalendarEvent) -> StoreResult<bool> {
        let done = on_tx!(self, |tx| {
            sqlx::query("delete from service_event where id = $1")
                .bind(event.id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        if done > 0 {
            self.changed.services.push(event.service_id);
        }
        Ok(done > 0)
    }

    /// Whether the service exists, read inside this transaction (so it cannot vanish before
    /// the entry is written).
    pub async fn service_exists(&mut self, id: Uuid) -> StoreResult<bool> {
        on_tx!(self, |tx| {
            let found: Option<String> = sqlx::query_scalar("select id from service where id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            Ok(found.is_some())
        })
    }
}

impl Store {
    /// One calendar entry.
    pub async fn event(&self, id: Uuid) -> StoreResult<Option<CalendarEvent>> {
        on_pool!(self, |pool| {
            let row = sqlx::query("select * from service_event where id = $1")
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?;
            match row {
                Some(row) => Ok(Some(event_from_row!(&row))),
                None => Ok(None),
            }
        })
    }

    /// The calendar entries of these services dated `from..=to`, by date.
    pub async fn events_between(
        &self,
        service_ids: &[Uuid],
        from: Date,
        to: Date,
    ) -> StoreResult<Vec<CalendarEvent>> {
        let mut out = Vec::new();
        for chunk in service_ids.chunks(CHUNK) {
            on_pool!(self, |pool| {
                let mut qb =
                    sqlx::QueryBuilder::new("select * from service_event where event_date >= ");
                qb.push_bind(from)
                    .push(" and event_date <= ")
                    .push_bind(to)
                    .push(" and service_id in (");
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(id.to_string());
                }
                qb.push(") order by event_date, id");
                for row in qb.build().fetch_all(pool).await? {
                    out.push(event_from_row!(&row));
                }
            });
        }
        out.sort_by_key(|e| (e.date, e.id));
        Ok(out)
    }

    /// Of these services, the ones an area's agenda shows between `from` and `to`: group
    /// activities with weekly times, and any service with a dated entry in the range.
    /// Individual help with office hours stays off the agenda (a neighbourhood's notice board
    /// lists what one can join, not every consulting hour), but has its own service feed.
    pub async fn agenda_services(
        &self,
        service_ids: &[Uuid],
        from: Date,
        to: Date,
    ) -> StoreResult<Vec<Uuid>> {
        let mut out = Vec::new();
        for chunk in service_ids.chunks(CHUNK) {
            on_pool!(self, |pool| {
                let mut qb = sqlx::QueryBuilder::new(
                    "select s.id from service s where (exists (select 1 from service_event e \
                     where e.service_id = s.id and e.event_date >= ",
                );
                qb.push_bind(from)
                    .push(" and e.event_date <= ")
                    .push_bind(to)
                    .push(
                        ") or (s.group_format in ('group', 'both') and exists (select 1 from \
                         schedule sc where sc.service_id = s.id and sc.byday is not null))) \
                         and s.id in (",
                    );
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(id.to_string());
                }
                qb.push(")");
                for row in qb.build().fetch_all(pool).await? {
                    out.push(parse_uuid(&text!(&row, "id"))?);
                }
            });
        }
        Ok(out)
    }
}
