//! The calendar of a service for its editors, `/beheer/aanbod/{id}/agenda`: the coming
//! sessions (each can be called off, "gaat niet door", with a reason), forms to add a one-off
//! activity or an extra session, and the dated entries with a button to remove one. Every
//! change goes through the calendar use cases (`crate::calendar`), which ask the policy.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::{Date, Duration, Time};
use uuid::Uuid;

use crate::accounts::AccountError;
use crate::calendar::{CalendarError, NewActivity};
use crate::catalog::Catalog;
use crate::domain::calendar::{format_clock, today_local};
use crate::domain::{CalendarEvent, EventKind, Invalid};
use crate::error::AppError;
use crate::web::account::{Field, html, refused, see_other};
use crate::web::agenda::{day_label, parse_date};
use crate::web::claims::path_id;
use crate::web::session::{CsrfForm, Visit};

/// How far ahead the page shows sessions.
const WEEKS_AHEAD: i64 = 6;

/// A coming session, with what its "gaat niet door" form sends.
pub struct SessionLine {
    pub key: String,
    pub day: String,
    pub time: String,
    pub title: String,
    pub cancelled: bool,
    pub date: String,
    pub target: String,
    pub reason: String,
    pub error: Option<String>,
}

/// A dated entry that can be removed.
pub struct EntryLine {
    pub id: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "calendar/edit.html")]
struct CalendarEditPage {
    path: String,
    name: String,
    organization: String,
    notice: Option<String>,
    sessions: Vec<SessionLine>,
    entries: Vec<EntryLine>,
    activity: Vec<Field>,
    extra: Vec<Field>,
    csrf: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActivityForm {
    datum: String,
    begin: String,
    eind: String,
    titel: String,
    beschrijving: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExtraForm {
    #[serde(rename = "extra-datum")]
    datum: String,
    #[serde(rename = "extra-begin")]
    begin: String,
    #[serde(rename = "extra-eind")]
    eind: String,
    #[serde(rename = "extra-notitie")]
    notitie: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CancelForm {
    datum: String,
    doel: String,
    reden: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    entry: String,
}

fn activity_fields(typed: &ActivityForm) -> Vec<Field> {
    vec![
        Field::new("datum", "Datum", "date").value(&typed.datum),
        Field::new("begin", "Begintijd (niet verplicht)", "time")
            .optional()
            .value(&typed.begin),
        Field::new("eind", "Eindtijd (niet verplicht)", "time")
            .optional()
            .value(&typed.eind),
        Field::new("titel", "Wat is er te doen?", "text")
            .hint("Bijvoorbeeld: Kerstmarkt in het buurthuis.")
            .value(&typed.titel),
        Field::new("beschrijving", "Beschrijving (niet verplicht)", "textarea")
            .optional()
            .value(&typed.beschrijving),
    ]
}

fn extra_fields(typed: &ExtraForm) -> Vec<Field> {
    vec![
        Field::new("extra-datum", "Datum", "date").value(&typed.datum),
        Field::new("extra-begin", "Begintijd", "time").value(&typed.begin),
        Field::new("extra-eind", "Eindtijd (niet verplicht)", "time")
            .optional()
            .value(&typed.eind),
        Field::new("extra-notitie", "Opmerking (niet verplicht)", "text")
            .optional()
            .value(&typed.notitie),
    ]
}

fn clock_span(start: Option<Time>, end: Option<Time>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!("{}–{}", format_clock(s), format_clock(e)),
        (Some(s), None) => format!("vanaf {}", format_clock(s)),
        (None, _) => "hele dag".into(),
    }
}

fn describe(event: &CalendarEvent) -> String {
    let when = format!(
        "{}, {}",
        day_label(event.date),
        clock_span(event.starts_at, event.ends_at)
    );
    let note = event
        .note
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    match event.kind {
        EventKind::Activity => format!(
            "Activiteit “{}”: {when}{note}",
            event.title.as_deref().unwrap_or("")
        ),
        EventKind::Extra => format!("Extra keer: {when}{note}"),
        EventKind::Cancelled => format!("Gaat niet door: {}{note}", day_label(event.date)),
        EventKind::Changed => format!("Andere tijd: {when}{note}"),
    }
}

async fn page_of(
    catalog: &Catalog,
    visit: &Visit,
    id: Uuid,
) -> Result<CalendarEditPage, CalendarError> {
    let today = today_local();
    let (record, agenda, events) = catalog
        .calendar_for_editing(
            &visit.actor,
            id,
            today,
            today + Duration::weeks(WEEKS_AHEAD),
        )
        .await?;
    let sessions = agenda
        .entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let o = &entry.occurrence;
            SessionLine {
                key: i.to_string(),
                day: day_label(o.date),
                time: clock_span(o.starts_at, o.ends_at),
                title: entry.title.clone(),
                cancelled: o.cancelled,
                date: o.date.to_string(),
                target: o.source_id.to_string(),
                reason: String::new(),
                error: None,
            }
        })
        .collect();
    Ok(CalendarEditPage {
        path: format!("/beheer/aanbod/{id}/agenda"),
        name: record.service.name,
        organization: record.organization.name,
        notice: None,
        sessions,
        entries: events
            .iter()
            .map(|e| EntryLine {
                id: e.id.to_string(),
                what: describe(e),
            })
            .collect(),
        activity: activity_fields(&ActivityForm::default()),
        extra: extra_fields(&ExtraForm::default()),
        csrf: visit.csrf_token(),
    })
}

fn calendar_refused(err: CalendarError, path: &str) -> Response {
    match err {
        CalendarError::Denied(denied) => refused(AccountError::Denied(denied), path),
        other => AppError::from(other).into_response(),
    }
}

fn no_such_service() -> Response {
    AppError::not_found("Dit aanbod").into_response()
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    klaar: Option<String>,
}

pub async fn page(
    State(catalog): State<Catalog>,
    visit: Visit,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return no_such_service();
    };
    match page_of(&catalog, &visit, id).await {
        Ok(mut page) => {
            page.notice = query
                .klaar
                .as_deref()
                .and_then(|what| {
                    Some(match what {
                        "activiteit" => "De activiteit staat in de agenda.",
                        "extra" => "De extra keer staat in de agenda.",
                        "afgezegd" => "In de agenda staat nu: gaat niet door.",
                        "verwijderd" => "Verwijderd uit de agenda.",
                        _ => return None,
                    })
                })
                .map(str::to_string);
            visit.respond(html(StatusCode::OK, &page))
        }
        Err(err) => calendar_refused(err, &format!("/beheer/aanbod/{id}/agenda")),
    }
}

/// The message of a use case's complaint, as a sentence.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

fn parse_clock(field: &'static str, text: &str) -> Result<Option<Time>, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let parsed = text.split_once(':').and_then(|(h, m)| {
        let (h, m) = (h.parse::<u8>().ok()?, m.get(..2)?.parse::<u8>().ok()?);
        Time::from_hms(h, m, 0).ok()
    });
    parsed
        .map(Some)
        .ok_or_else(|| Invalid::new(field, "schrijf de tijd als uur:minuten, zoals 14:30"))
}

fn parse_day(field: &'static str, text: &str) -> Result<Option<Date>, Invalid> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_date(text).map(Some).map_err(|message| Invalid {
        field: field.into(),
        message: message.trim_end_matches('.').to_string(),
    })
}

/// After a change: back to the page (post/redirect/get), with a word of what happened.
fn done(id: Uuid, what: &str) -> Response {
    see_other(&format!("/beheer/aanbod/{id}/agenda?klaar={what}"))
}

/// Shows the page again with the form's problem next to its field (`prefix` + the domain's
/// field name, mapped to the form's).
async fn again(
    catalog: &Catalog,
    visit: &Visit,
    id: Uuid,
    err: CalendarError,
    show: impl FnOnce(&mut CalendarEditPage, Invalid),
) -> Response {
    let path = format!("/beheer/aanbod/{id}/agenda");
    let CalendarError::Invalid(invalid) = err else {
        return calendar_refused(err, &path);
    };
    match page_of(catalog, visit, id).await {
        Ok(mut page) => {
            show(&mut page, invalid);
            visit.respond(html(StatusCode::BAD_REQUEST, &page))
        }
        Err(err) => calendar_refused(err, &path),
    }
}

/// Puts `invalid` next to the field of `fields` it names (domain names mapped to the form's).
fn put(fields: &mut [Field], invalid: Invalid, prefix: &str) {
    let name = match invalid.field.as_str() {
        "date" | "datum" => "datum",
        "starts_at" | "begin" => "begin",
        "ends_at" | "eind" => "eind",
        "title" | "titel" => "titel",
        _ => "beschrijving",
    };
    let wanted = format!("{prefix}{name}");
    let message = sentence(&invalid.message);
    match fields.iter_mut().find(|f| f.name == wanted) {
        Some(field) => field.error = Some(message),
        None => {
            if let Some(last) = fields.last_mut() {
                last.error = Some(message);
            }
        }
    }
}

pub async fn add_activity(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<ActivityForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return no_such_service();
    };
    let result: Result<_, CalendarError> = async {
        let activity = NewActivity {
            date: parse_day("datum", &form.datum)?,
            starts_at: parse_clock("begin", &form.begin)?,
            ends_at: parse_clock("eind", &form.eind)?,
            title: form.titel.clone(),
            location: None,
            note: Some(form.beschrijving.clone()),
        };
        catalog.add_event(&visit.actor, id, activity).await
    }
    .await;
    match result {
        Ok(_) => done(id, "activiteit"),
        Err(err) => {
            again(&catalog, &visit, id, err, |page, invalid| {
                page.activity = activity_fields(&form);
                put(&mut page.activity, invalid, "");
            })
            .await
        }
    }
}

pub async fn add_extra(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<ExtraForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return no_such_service();
    };
    let result: Result<_, CalendarError> = async {
        let date = parse_day("datum", &form.datum)?
            .ok_or_else(|| Invalid::new("datum", "vul een datum in"))?;
        let starts_at = parse_clock("begin", &form.begin)?
            .ok_or_else(|| Invalid::new("begin", "vul een begintijd in"))?;
        let ends_at = parse_clock("eind", &form.eind)?;
        catalog
            .add_extra_session(
                &visit.actor,
                id,
                date,
                starts_at,
                ends_at,
                Some(form.notitie.clone()),
            )
            .await
    }
    .await;
    match result {
        Ok(_) => done(id, "extra"),
        Err(err) => {
            again(&catalog, &visit, id, err, |page, invalid| {
                page.extra = extra_fields(&form);
                put(&mut page.extra, invalid, "extra-");
            })
            .await
        }
    }
}

pub async fn cancel(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<CancelForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return no_such_service();
    };
    let result: Result<_, CalendarError> = async {
        let date = parse_day("datum", &form.datum)?
            .ok_or_else(|| Invalid::new("datum", "kies een keer die niet doorgaat"))?;
        let target = Uuid::parse_str(form.doel.trim())
            .map_err(|_| Invalid::new("datum", "kies een keer die niet doorgaat"))?;
        catalog
            .cancel_occurrence(
                &visit.actor,
                id,
                date,
                Some(target),
                Some(form.reden.clone()),
            )
            .await
    }
    .await;
    match result {
        Ok(_) => done(id, "afgezegd"),
        Err(err) => {
            again(&catalog, &visit, id, err, |page, invalid| {
                let (date, target) = (form.datum.trim(), form.doel.trim());
                if let Some(line) = page
                    .sessions
                    .iter_mut()
                    .find(|s| s.date == date && s.target == target)
                {
                    line.reason = form.reden.clone();
                    line.error = Some(sentence(&invalid.message));
                } else {
                    page.notice = Some(sentence(&invalid.message));
                }
            })
            .await
        }
    }
}

pub async fn remove(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    CsrfForm { visit, form }: CsrfForm<RemoveForm>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return no_such_service();
    };
    let Ok(entry) = Uuid::parse_str(form.entry.trim()) else {
        return AppError::not_found("Deze activiteit").into_response();
    };
    match catalog.remove_event(&visit.actor, entry).await {
        Ok(()) => done(id, "verwijderd"),
        Err(err) => calendar_refused(err, &format!("/beheer/aanbod/{id}/agenda")),
    }
}
