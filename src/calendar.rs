//! The activity calendar's use cases: adding one-off activities and exceptions to a service's
//! weekly times, and listing what is on for a service or a neighbourhood over a range of dates
//! (the agenda pages and the iCalendar feeds read these).
//!
//! Every write goes through one [`WriteTx`](crate::store::WriteTx), which logs the service in
//! the change log at commit. The search document does not show dated entries today, so the
//! re-index this causes changes nothing visible; it keeps the rule "every write to a listing
//! is in the log" (for history and for a future "deze week" field in the index) without a
//! special case.

use time::{Date, Duration, Time};
use uuid::Uuid;

use crate::auth::Actor;
use crate::catalog::Catalog;
use crate::domain::calendar::{self, MAX_RANGE_DAYS};
use crate::domain::{CalendarEvent, EventKind, Invalid, Occurrence, Origin, ServiceRecord};
use crate::error::AppError;
use crate::store::StoreError;

/// Decides whether `actor` may change the calendar of `service`: the one policy
/// ([`crate::auth::authorize`], `EditOrganisation` of the service's organisation).
async fn authorize(
    catalog: &Catalog,
    actor: &Actor,
    service: &ServiceRecord,
) -> Result<(), CalendarError> {
    catalog
        .may_edit_organisation(actor, service.service.organization_id)
        .await?
        .map_err(CalendarError::Denied)
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// Input that cannot be stored, with the field it concerns.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("service {0} does not exist")]
    UnknownService(Uuid),
    #[error("calendar entry {0} does not exist")]
    UnknownEvent(Uuid),
    /// The actor may not change this service's calendar.
    #[error("not allowed: {0}")]
    Denied(crate::auth::Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<CalendarError> for AppError {
    fn from(err: CalendarError) -> Self {
        match err {
            CalendarError::Invalid(invalid) => AppError::Invalid(invalid),
            CalendarError::UnknownService(_) => AppError::not_found("Dit aanbod"),
            CalendarError::UnknownEvent(_) => AppError::not_found("Deze activiteit"),
            CalendarError::Denied(denied) => denied.into(),
            CalendarError::Store(e) => e.into(),
            CalendarError::Other(e) => AppError::Internal(e),
        }
    }
}

/// A one-off activity as an editor enters it.
#[derive(Debug, Clone, Default)]
pub struct NewActivity {
    pub date: Option<Date>,
    pub starts_at: Option<Time>,
    pub ends_at: Option<Time>,
    pub title: String,
    pub location: Option<String>,
    pub note: Option<String>,
}

/// One line of an agenda: an occurrence with what it is called and where it is.
#[derive(Debug, Clone)]
pub struct AgendaEntry {
    pub occurrence: Occurrence,
    /// The occurrence's own title, else the service's name.
    pub title: String,
    pub service_name: String,
    pub organization: String,
    /// The occurrence's own location, else the service's first location (name, street).
    pub place: Option<String>,
}

/// What is on between two dates (both included), in order.
#[derive(Debug, Clone)]
pub struct Agenda {
    pub from: Date,
    pub to: Date,
    pub entries: Vec<AgendaEntry>,
}

/// Checks a requested range of dates: in order, and at most [`MAX_RANGE_DAYS`] long.
pub fn check_range(from: Date, to: Date) -> Result<(), Invalid> {
    if to < from {
        return Err(Invalid::new("tot", "ligt vóór de begindatum"));
    }
    if (to - from).whole_days() >= MAX_RANGE_DAYS {
        return Err(Invalid::new(
            "tot",
            format!("kies hoogstens {MAX_RANGE_DAYS} dagen"),
        ));
    }
    Ok(())
}

/// The window the iCalendar feeds cover: from the Monday of last week to twelve weeks ahead.
///
/// Bounded because the feeds list expanded occurrences rather than RRULEs (see
/// `src/web/agenda.rs` for why); calendar apps fetch a subscription again every few hours to a
/// day, so the window moves along with them.
pub fn feed_window(today: Date) -> (Date, Date) {
    let from = calendar::week_start(today) - Duration::days(7);
    (from, from + Duration::days(MAX_RANGE_DAYS - 1))
}

fn place_of(record: &ServiceRecord) -> Option<String> {
    let location = record.locations.first()?;
    let street = location.address.as_ref().map(|a| a.address_1.clone());
    match (location.name.clone(), street) {
        (Some(name), Some(street)) => Some(format!("{name}, {street}")),
        (name, street) => name.or(street),
    }
}

fn entries_of(record: &ServiceRecord, occurrences: Vec<Occurrence>) -> Vec<AgendaEntry> {
    let service = &record.service;
    occurrences
        .into_iter()
        .map(|o| AgendaEntry {
            title: o.title.clone().unwrap_or_else(|| service.name.clone()),
            service_name: service.name.clone(),
            organization: record.organization.name.clone(),
            place: o.location.clone().or_else(|| place_of(record)),
            occurrence: o,
        })
        .collect()
}

impl Catalog {
    /// Adds a one-off activity to a service's calendar ("Kerstmarkt", 19 december 14:00).
    pub async fn add_event(
        &self,
        acting: &Actor,
        service_id: Uuid,
        activity: NewActivity,
    ) -> Result<CalendarEvent, CalendarError> {
        let date = activity
            .date
            .ok_or_else(|| Invalid::new("date", "vul een datum in"))?;
        let event = CalendarEvent {
            id: Uuid::new_v4(),
            service_id,
            kind: EventKind::Activity,
            date,
            starts_at: activity.starts_at,
            ends_at: activity.ends_at,
            target_id: None,
            title: Some(activity.title.trim().to_string()),
            location: trimmed(activity.location),
            note: trimmed(activity.note),
        };
        self.record_event(acting, event).await
    }

    /// Adds one more session of the service's activity on `date`.
    pub async fn add_extra_session(
        &self,
        acting: &Actor,
        service_id: Uuid,
        date: Date,
        starts_at: Time,
        ends_at: Option<Time>,
        note: Option<String>,
    ) -> Result<CalendarEvent, CalendarError> {
        let event = CalendarEvent {
            id: Uuid::new_v4(),
            service_id,
            kind: EventKind::Extra,
            date,
            starts_at: Some(starts_at),
            ends_at,
            target_id: None,
            title: None,
            location: None,
            note: trimmed(note),
        };
        self.record_event(acting, event).await
    }

    /// Calls off what takes place on `date`: the session of one schedule or one dated entry
    /// (`target`), or every regular session of that date (`None`). `note` says why.
    pub async fn cancel_occurrence(
        &self,
        acting: &Actor,
        service_id: Uuid,
        date: Date,
        target: Option<Uuid>,
        note: Option<String>,
    ) -> Result<CalendarEvent, CalendarError> {
        let event = CalendarEvent {
            id: Uuid::new_v4(),
            service_id,
            kind: EventKind::Cancelled,
            date,
            starts_at: None,
            ends_at: None,
            target_id: target,
            title: None,
            location: None,
            note: trimmed(note),
        };
        self.record_event(acting, event).await
    }

    /// Moves the regular session(s) of `date` (of one schedule, or all) to other times.
    #[allow(clippy::too_many_arguments)] // One use case, one call per form; a struct adds nothing.
    pub async fn change_occurrence_time(
        &self,
        acting: &Actor,
        service_id: Uuid,
        date: Date,
        schedule: Option<Uuid>,
        starts_at: Time,
        ends_at: Option<Time>,
        note: Option<String>,
    ) -> Result<CalendarEvent, CalendarError> {
        let event = CalendarEvent {
            id: Uuid::new_v4(),
            service_id,
            kind: EventKind::Changed,
            date,
            starts_at: Some(starts_at),
            ends_at,
            target_id: schedule,
            title: None,
            location: None,
            note: trimmed(note),
        };
        self.record_event(acting, event).await
    }

    /// Validates and stores a calendar entry of any kind; the writes above and the demo data
    /// (which brings its own ids) come through here. An exception must concern something that
    /// takes place on its date.
    pub async fn record_event(
        &self,
        acting: &Actor,
        event: CalendarEvent,
    ) -> Result<CalendarEvent, CalendarError> {
        event.validate(calendar::today_local())?;
        let record = self
            .store
            .load_service(event.service_id)
            .await?
            .ok_or(CalendarError::UnknownService(event.service_id))?;
        authorize(self, acting, &record).await?;
        if matches!(event.kind, EventKind::Cancelled | EventKind::Changed) {
            let existing = self
                .store
                .events_between(&[event.service_id], event.date, event.date)
                .await?;
            let on_the_day = calendar::expand(
                event.service_id,
                &record.service.schedules,
                &existing,
                event.date,
                event.date,
            );
            let concerned = on_the_day.iter().any(|o| match event.target_id {
                Some(target) => {
                    o.source_id == target
                        && (event.kind == EventKind::Cancelled || o.origin == Origin::Regular)
                }
                None => o.origin == Origin::Regular,
            });
            if !concerned {
                let field = if event.target_id.is_some() {
                    "target_id"
                } else {
                    "date"
                };
                return Err(Invalid::new(field, "op deze dag is er niets om te veranderen").into());
            }
        }
        let mut tx = self.store.begin().await?;
        // Checked again inside the transaction: the service may have gone meanwhile.
        if !tx.service_exists(event.service_id).await? {
            return Err(CalendarError::UnknownService(event.service_id));
        }
        tx.insert_event(&event).await?;
        tx.commit().await?;
        self.indexer.nudge();
        Ok(event)
    }

    /// Removes a calendar entry (an activity, or an exception, which restores the usual time).
    pub async fn remove_event(&self, acting: &Actor, id: Uuid) -> Result<(), CalendarError> {
        let event = self
            .store
            .event(id)
            .await?
            .ok_or(CalendarError::UnknownEvent(id))?;
        let record = self
            .store
            .load_service(event.service_id)
            .await?
            .ok_or(CalendarError::UnknownService(event.service_id))?;
        authorize(self, acting, &record).await?;
        let mut tx = self.store.begin().await?;
        tx.delete_event(&event).await?;
        tx.commit().await?;
        self.indexer.nudge();
        Ok(())
    }

    /// The service and what it has on between `from` and `to`; `None` for an unknown service.
    pub async fn service_agenda(
        &self,
        service_id: Uuid,
        from: Date,
        to: Date,
    ) -> Result<Option<(ServiceRecord, Agenda)>, CalendarError> {
        check_range(from, to)?;
        let Some(record) = self.store.load_service(service_id).await? else {
            return Ok(None);
        };
        let agenda = self.agenda_of(&record, from, to).await?;
        Ok(Some((record, agenda)))
    }

    /// A service's calendar for its editors: what is on from `from` to `to`, and the dated
    /// entries of that time (to remove one). Only for those who may change the calendar.
    pub async fn calendar_for_editing(
        &self,
        acting: &Actor,
        service_id: Uuid,
        from: Date,
        to: Date,
    ) -> Result<(ServiceRecord, Agenda, Vec<CalendarEvent>), CalendarError> {
        check_range(from, to)?;
        let record = self
            .store
            .load_service(service_id)
            .await?
            .ok_or(CalendarError::UnknownService(service_id))?;
        authorize(self, acting, &record).await?;
        let events = self.store.events_between(&[service_id], from, to).await?;
        let occurrences =
            calendar::expand(service_id, &record.service.schedules, &events, from, to);
        let agenda = Agenda {
            from,
            to,
            entries: entries_of(&record, occurrences),
        };
        Ok((record, agenda, events))
    }

    /// [`Self::service_agenda`] of a service already loaded (the service page has it).
    pub async fn agenda_of(
        &self,
        record: &ServiceRecord,
        from: Date,
        to: Date,
    ) -> Result<Agenda, CalendarError> {
        check_range(from, to)?;
        let service_id = record.service.id;
        let events = self.store.events_between(&[service_id], from, to).await?;
        let occurrences =
            calendar::expand(service_id, &record.service.schedules, &events, from, to);
        let entries = entries_of(record, occurrences);
        Ok(Agenda { from, to, entries })
    }

    /// What is on in a neighbourhood (`code` as on `/wijk/{code}`) between `from` and `to`:
    /// the services the neighbourhood page counts (located in the area or serving it, decided
    /// by the same search filter), of which the group activities and the dated entries.
    pub async fn area_agenda(
        &self,
        code: &str,
        from: Date,
        to: Date,
    ) -> Result<Agenda, CalendarError> {
        check_range(from, to)?;
        let parsed = crate::query::parse_pairs(
            vec![("area".into(), code.to_string())],
            &self.geo,
            &self.vocabulary,
        )
        .map_err(|e| anyhow::anyhow!("area {code}: {e}"))?;
        let ids = self.matching_ids(parsed.request).await?;
        let ids = self.store.agenda_services(&ids, from, to).await?;
        let records = self.store.load_services(&ids).await?;
        let events = self.store.events_between(&ids, from, to).await?;
        let mut entries = Vec::new();
        for record in &records {
            let service = &record.service;
            let occurrences = calendar::expand(service.id, &service.schedules, &events, from, to);
            entries.extend(entries_of(record, occurrences));
        }
        entries.sort_by(|a, b| {
            let key = |e: &AgendaEntry| (e.occurrence.date, e.occurrence.starts_at);
            key(a)
                .cmp(&key(b))
                .then_with(|| a.title.cmp(&b.title))
                .then_with(|| a.occurrence.source_id.cmp(&b.occurrence.source_id))
        });
        Ok(Agenda { from, to, entries })
    }
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}
