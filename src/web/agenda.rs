//! The activity calendar on the web: a neighbourhood's day-by-day agenda (printable as one A4
//! for a community centre's notice board), the short "Deze week in …" lists on neighbourhood
//! and service pages, and the iCalendar feeds (RFC 5545) phone calendars subscribe to.
//!
//! # Why the feeds list occurrences, not RRULEs
//! Each feed holds every occurrence of a bounded window ([`crate::calendar::feed_window`]) as
//! its own VEVENT in UTC, rather than one VEVENT per schedule with an RRULE and EXDATEs:
//! - a cancelled session must stay visible as cancelled (STATUS:CANCELLED, with the reason),
//!   which an EXDATE cannot say; with RRULEs that needs RECURRENCE-ID overrides, which
//!   subscribed calendars handle unevenly;
//! - an RRULE in local time needs a VTIMEZONE block (the `icalendar` crate writes none), and
//!   one in UTC drifts an hour at every change of summer time; an occurrence converted on its
//!   own date (src/domain/calendar.rs) is right on both sides of the change;
//! - "elke tweede woensdag", extra sessions and changed times come out exactly as the pages
//!   show them: one expansion for both.
//!
//! The price is the window: subscribed calendars fetch the feed again every few hours to a
//! day, so it moves along. Each occurrence's UID is its schedule or event id with its date, so
//! a cancellation or a change of time updates the same entry (with a higher SEQUENCE) instead
//! of adding one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use icalendar::{Component, EventLike};
use time::{Date, Duration, Month};
use uuid::Uuid;

use crate::calendar::{Agenda, AgendaEntry, feed_window};
use crate::catalog::Catalog;
use crate::domain::WEEKDAYS_NL;
use crate::domain::calendar::{format_clock, today_local, week_start};
use crate::domain::{Occurrence, Origin, ServiceRecord};
use crate::error::AppError;
use crate::params::{Language, decode};

/// One line of an agenda as the pages show it.
pub struct AgendaItem {
    /// "10:00–12:00", "vanaf 14:00" or "hele dag".
    pub time: String,
    /// For `<time datetime>`: the local date and start.
    pub datetime: String,
    pub title: String,
    pub href: String,
    pub organization: String,
    pub place: Option<String>,
    pub cancelled: bool,
    /// "Extra keer", "Eenmalig" or "Andere tijd (normaal 10:00–12:00)".
    pub label: Option<String>,
    pub note: Option<String>,
}

/// One day of an agenda.
pub struct AgendaDay {
    pub id: String,
    /// "dinsdag 8 december".
    pub label: String,
    pub is_today: bool,
    pub items: Vec<AgendaItem>,
}

fn time_span(start: Option<time::Time>, end: Option<time::Time>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!("{}–{}", format_clock(s), format_clock(e)),
        (Some(s), None) => format!("vanaf {}", format_clock(s)),
        (None, _) => "hele dag".into(),
    }
}

/// "dinsdag 8 december".
pub fn day_label(date: Date) -> String {
    format!(
        "{} {} {}",
        WEEKDAYS_NL[usize::from(date.weekday().number_days_from_monday())],
        date.day(),
        super::views::month_name(date.month())
    )
}

fn label_of(o: &Occurrence) -> Option<String> {
    if let Some((start, end)) = o.moved_from {
        return Some(format!("Andere tijd (normaal {})", time_span(start, end)));
    }
    match o.origin {
        Origin::Regular => None,
        Origin::Extra => Some("Extra keer".into()),
        Origin::OneOff => Some("Eenmalig".into()),
    }
}

impl AgendaItem {
    pub fn new(entry: &AgendaEntry) -> Self {
        let o = &entry.occurrence;
        Self {
            time: time_span(o.starts_at, o.ends_at),
            datetime: match o.starts_at {
                Some(t) => format!("{}T{}", o.date, format_clock(t)),
                None => o.date.to_string(),
            },
            title: entry.title.clone(),
            href: format!("/aanbod/{}", o.service_id),
            organization: entry.organization.clone(),
            place: entry.place.clone(),
            cancelled: o.cancelled,
            label: label_of(o),
            note: o.note.clone(),
        }
    }
}

/// The agenda's entries grouped per day; with `every_day`, days without entries are listed
/// too (a week on a notice board shows all seven).
pub fn days_of(agenda: &Agenda, every_day: bool) -> Vec<AgendaDay> {
    let today = today_local();
    let mut days = Vec::new();
    let mut date = agenda.from;
    while date <= agenda.to {
        let items: Vec<AgendaItem> = agenda
            .entries
            .iter()
            .filter(|e| e.occurrence.date == date)
            .map(AgendaItem::new)
            .collect();
        if every_day || !items.is_empty() {
            days.push(AgendaDay {
                id: format!("dag-{date}"),
                label: day_label(date),
                is_today: date == today,
                items,
            });
        }
        match date.next_day() {
            Some(next) => date = next,
            None => break,
        }
    }
    days
}

/// The links to a feed: the plain address (for downloading or pasting into a calendar app)
/// and a `webcal://` one that phones open in their calendar app to subscribe.
pub struct FeedLinks {
    pub href: String,
    pub webcal: Option<String>,
}

impl FeedLinks {
    fn new(path: String, headers: &HeaderMap) -> Self {
        // The Host header names this site as the visitor reached it; it is only echoed into a
        // link, escaped, and only when it looks like a host name.
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            });
        Self {
            webcal: host.map(|h| format!("webcal://{h}{path}")),
            href: path,
        }
    }
}

/// The form above the agenda: a week or a start date, with the message next to the field
/// that was wrong and what was typed kept.
#[derive(Default)]
pub struct WeekForm {
    pub week: String,
    pub vanaf: String,
    pub week_error: Option<String>,
    pub vanaf_error: Option<String>,
}

/// Which week the agenda shows: `?week=2026-W49` (ISO week) or `?vanaf=2026-12-07` (seven
/// days from that date), else the current week.
fn chosen_week(pairs: &[(String, String)], form: &mut WeekForm) -> Option<Date> {
    let value = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if let Some(week) = value("week") {
        form.week = week.clone();
        return match parse_iso_week(&week) {
            Ok(monday) => Some(monday),
            Err(message) => {
                form.week_error = Some(message);
                None
            }
        };
    }
    if let Some(vanaf) = value("vanaf") {
        form.vanaf = vanaf.clone();
        return match parse_date(&vanaf) {
            Ok(date) => Some(date),
            Err(message) => {
                form.vanaf_error = Some(message);
                None
            }
        };
    }
    Some(week_start(today_local()))
}

/// Years the agenda can be asked for: wider than anything stored, narrow enough that a typo
/// such as 20266 gets a clear answer rather than an empty week.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// "2026-W49" (also "2026w49") to the Monday of that ISO week.
pub fn parse_iso_week(text: &str) -> Result<Date, String> {
    let shape = "Schrijf de week als jaar-W-weeknummer, bijvoorbeeld 2026-W49.";
    let upper = text.trim().to_ascii_uppercase();
    let (year, week) = upper.split_once('W').ok_or(shape)?;
    let year: i32 = year
        .trim_end_matches('-')
        .parse()
        .map_err(|_| shape.to_string())?;
    let week: u8 = week.parse().map_err(|_| shape.to_string())?;
    if !YEARS.contains(&year) {
        return Err(format!(
            "Kies een jaar van {} tot en met {}.",
            YEARS.start(),
            YEARS.end()
        ));
    }
    Date::from_iso_week_date(year, week, time::Weekday::Monday).map_err(|_| {
        format!(
            "Week {week} bestaat niet in {year}: kies 1 tot en met {}.",
            time::util::weeks_in_year(year)
        )
    })
}

/// "2026-12-07" to a date.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let shape = "Schrijf de datum als jaar-maand-dag, bijvoorbeeld 2026-12-07.";
    let mut parts = text.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(shape.into());
    };
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>())
    else {
        return Err(shape.into());
    };
    if !YEARS.contains(&year) {
        return Err(format!(
            "Kies een jaar van {} tot en met {}.",
            YEARS.start(),
            YEARS.end()
        ));
    }
    let month = Month::try_from(month).map_err(|_| "Een maand is 1 tot en met 12.".to_string())?;
    Date::from_calendar_date(year, month, day).map_err(|_| {
        format!(
            "Die dag bestaat niet in {} {year}.",
            super::views::month_name(month)
        )
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "agenda.html")]
pub struct AgendaPage {
    pub code: String,
    pub name: String,
    pub level: String,
    pub area_href: String,
    /// "week 49 · 30 november tot en met 6 december 2026".
    pub range_label: String,
    pub days: Vec<AgendaDay>,
    pub has_entries: bool,
    pub previous_href: String,
    pub next_href: String,
    pub this_week_href: String,
    pub feed: FeedLinks,
    pub form: WeekForm,
}

impl AgendaPage {
    fn has_errors(&self) -> bool {
        self.form.week_error.is_some() || self.form.vanaf_error.is_some()
    }
}

fn iso_week(date: Date) -> String {
    let (year, week, _) = date.to_iso_week_date();
    format!("{year}-W{week:02}")
}

fn week_href(code: &str, monday: Date) -> String {
    if monday == week_start(monday) {
        format!("/wijk/{code}/agenda?week={}", iso_week(monday))
    } else {
        format!("/wijk/{code}/agenda?vanaf={monday}")
    }
}

/// The neighbourhood an agenda is for.
struct Area {
    code: String,
    name: String,
    level: &'static str,
}

impl Area {
    fn find(catalog: &Catalog, code: &str) -> Result<Self, AppError> {
        let n = catalog
            .geo
            .parse_code(code)
            .map_err(|e| AppError::bad_param("code", e.to_string()))?;
        Ok(Self {
            code: n.code.clone(),
            name: n.name.clone(),
            level: n.level.label(),
        })
    }
}

/// `/wijk/{code}/agenda`: a week of what is on in the neighbourhood, per day.
pub async fn page(
    State(catalog): State<Catalog>,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let n = Area::find(&catalog, &code)?;
    let pairs = decode(query.as_deref().unwrap_or(""), Language::Dutch)?;
    let mut form = WeekForm::default();
    let start = chosen_week(&pairs, &mut form);
    let feed = FeedLinks::new(format!("/wijk/{}/agenda.ics", n.code), &headers);
    let this_week = week_start(today_local());
    let Some(from) = start else {
        let page = AgendaPage {
            code: n.code.clone(),
            name: n.name.clone(),
            level: n.level.to_string(),
            area_href: format!("/wijk/{}", n.code),
            range_label: String::new(),
            days: Vec::new(),
            has_entries: false,
            previous_href: week_href(&n.code, this_week - Duration::days(7)),
            next_href: week_href(&n.code, this_week + Duration::days(7)),
            this_week_href: week_href(&n.code, this_week),
            feed,
            form,
        };
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    };
    let to = from + Duration::days(6);
    let agenda = catalog.area_agenda(&n.code, from, to).await?;
    let (_, week, _) = from.to_iso_week_date();
    let range_label = if from == week_start(from) {
        format!(
            "week {week} · {} tot en met {} {}",
            day_label(from).split_once(' ').map_or("", |(_, d)| d),
            day_label(to).split_once(' ').map_or("", |(_, d)| d),
            to.year()
        )
    } else {
        format!(
            "{} tot en met {} {}",
            day_label(from),
            day_label(to),
            to.year()
        )
    };
    let page = AgendaPage {
        code: n.code.clone(),
        name: n.name.clone(),
        level: n.level.to_string(),
        area_href: format!("/wijk/{}", n.code),
        range_label,
        has_entries: !agenda.entries.is_empty(),
        days: days_of(&agenda, true),
        previous_href: week_href(&n.code, from - Duration::days(7)),
        next_href: week_href(&n.code, from + Duration::days(7)),
        this_week_href: week_href(&n.code, this_week),
        feed,
        form,
    };
    Ok(page.into_response())
}

/// The "Deze week in …" list of a neighbourhood page: the next seven days, at most `limit`
/// lines, and how many more there are.
pub async fn coming_week(
    catalog: &Catalog,
    code: &str,
    limit: usize,
) -> Result<(Vec<AgendaDay>, usize), AppError> {
    let today = today_local();
    let mut agenda = catalog
        .area_agenda(code, today, today + Duration::days(6))
        .await?;
    let more = agenda.entries.len().saturating_sub(limit);
    agenda.entries.truncate(limit);
    Ok((days_of(&agenda, false), more))
}

/// What a service page shows of its calendar: the next sessions, and the exceptions (extra,
/// cancelled, moved, one-off) of the coming weeks.
pub struct ServiceCalendar {
    pub next: Vec<AgendaDay>,
    pub exceptions: Vec<(String, AgendaItem)>,
    pub feed: FeedLinks,
}

pub async fn service_calendar(
    catalog: &Catalog,
    record: &ServiceRecord,
    headers: &HeaderMap,
) -> Result<ServiceCalendar, AppError> {
    let id = record.service.id;
    let today = today_local();
    let agenda = catalog
        .agenda_of(record, today, today + Duration::days(55))
        .await?;
    let exceptions = agenda
        .entries
        .iter()
        .filter(|e| {
            e.occurrence.cancelled
                || e.occurrence.moved_from.is_some()
                || e.occurrence.origin != Origin::Regular
        })
        .map(|e| (day_label(e.occurrence.date), AgendaItem::new(e)))
        .collect();
    let next = Agenda {
        entries: agenda.entries.iter().take(6).cloned().collect(),
        ..agenda
    };
    Ok(ServiceCalendar {
        next: days_of(&next, false),
        exceptions,
        feed: FeedLinks::new(format!("/aanbod/{id}/agenda.ics"), headers),
    })
}

/// The iCalendar text of an agenda (see the module documentation for its shape).
pub fn ical(name: &str, description: &str, agenda: &Agenda, origin: Option<&str>) -> String {
    let mut cal = icalendar::Calendar::empty();
    for (key, value) in [
        ("VERSION", "2.0"),
        ("PRODID", "-//Wijkwijzer//Activiteitenkalender//NL"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
    ] {
        cal.append_property(icalendar::Property::new(key, value));
    }
    cal.name(name)
        .description(description)
        .timezone(crate::domain::calendar::TIME_ZONE)
        .ttl(&chrono::Duration::hours(6));
    let now = chrono::Utc::now();
    for entry in &agenda.entries {
        let o = &entry.occurrence;
        let mut event = icalendar::Event::new();
        event
            .uid(&format!(
                "{}-{}@wijkwijzer",
                o.source_id,
                o.date.to_string().replace('-', "")
            ))
            .timestamp(now)
            // A changed or cancelled occurrence is a newer version of the same entry.
            .sequence(u32::from(o.cancelled) + u32::from(o.moved_from.is_some()))
            .summary(&if o.cancelled {
                format!("Gaat niet door: {}", entry.title)
            } else {
                entry.title.clone()
            });
        let mut text = vec![format!("{} ({})", entry.service_name, entry.organization)];
        if let Some(label) = label_of(o) {
            text.push(label);
        }
        if let Some(note) = &o.note {
            text.push(note.clone());
        }
        event.description(&text.join("\n"));
        if let Some(place) = &entry.place {
            event.location(place);
        }
        if let Some(origin) = origin {
            event.url(&format!("{origin}/aanbod/{}", o.service_id));
        }
        if o.starts_at.is_some() {
            event.starts(utc(o.start_utc())).ends(utc(o.end_utc()));
        } else if let Some(day) = naive(o.date) {
            event.all_day(day);
        }
        if o.cancelled {
            event.status(icalendar::EventStatus::Cancelled);
        } else {
            event.status(icalendar::EventStatus::Confirmed);
        }
        cal.push(event.done());
    }
    cal.done().to_string()
}

fn utc(instant: time::OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(instant.unix_timestamp(), 0).unwrap_or_default()
}

fn naive(date: Date) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(
        date.year(),
        u32::from(u8::from(date.month())),
        u32::from(date.day()),
    )
}

fn calendar_response(body: String, file: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "public, max-age=900".to_string()),
        ],
        body,
    )
        .into_response()
}

fn origin_of(headers: &HeaderMap) -> Option<String> {
    FeedLinks::new(String::new(), headers)
        .webcal
        .map(|w| w.replacen("webcal://", "https://", 1))
}

/// `/wijk/{code}/agenda.ics`.
pub async fn area_feed(
    State(catalog): State<Catalog>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let n = Area::find(&catalog, &code)?;
    let (from, to) = feed_window(today_local());
    let agenda = catalog.area_agenda(&n.code, from, to).await?;
    let body = ical(
        &format!("Wijkwijzer: {}", n.name),
        &format!("Wat er te doen is in {} ({})", n.name, n.level),
        &agenda,
        origin_of(&headers).as_deref(),
    );
    Ok(calendar_response(body, &format!("agenda-{}.ics", n.code)))
}

/// `/aanbod/{id}/agenda.ics`.
pub async fn service_feed(
    State(catalog): State<Catalog>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::not_found("Dit aanbod"))?;
    let (from, to) = feed_window(today_local());
    let (record, agenda) = catalog
        .service_agenda(id, from, to)
        .await?
        .ok_or_else(|| AppError::not_found("Dit aanbod"))?;
    let body = ical(
        &format!("Wijkwijzer: {}", record.service.name),
        &format!("{} ({})", record.service.name, record.organization.name),
        &agenda,
        origin_of(&headers).as_deref(),
    );
    Ok(calendar_response(body, &format!("agenda-{id}.ics")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn weeks_and_dates_parse_or_say_what_is_wrong() {
        assert_eq!(parse_iso_week("2026-W49"), Ok(date!(2026 - 11 - 30)));
        assert_eq!(parse_iso_week("2026w49"), Ok(date!(2026 - 11 - 30)));
        assert_eq!(parse_iso_week("2026-W53"), Ok(date!(2026 - 12 - 28)));
        assert!(
            parse_iso_week("2027-W53")
                .unwrap_err()
                .contains("bestaat niet")
        );
        assert!(
            parse_iso_week("volgende week")
                .unwrap_err()
                .contains("2026-W49")
        );
        assert!(parse_iso_week("20266-W01").unwrap_err().contains("jaar"));
        assert_eq!(parse_date("2026-12-07"), Ok(date!(2026 - 12 - 07)));
        assert!(parse_date("2026-02-30").unwrap_err().contains("februari"));
        assert!(parse_date("2026-13-01").unwrap_err().contains("maand"));
        assert!(parse_date("7 december").unwrap_err().contains("2026-12-07"));
    }

    #[test]
    fn days_are_named_in_dutch() {
        assert_eq!(day_label(date!(2026 - 12 - 08)), "dinsdag 8 december");
        assert_eq!(iso_week(date!(2026 - 12 - 28)), "2026-W53");
    }
}
