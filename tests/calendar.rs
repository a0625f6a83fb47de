//! The activity calendar through the real server, on SQLite and PostgreSQL: entries added
//! through the use cases appear on the neighbourhood's agenda page, in the neighbourhood's and
//! the service's iCalendar feeds (parsed back, local times checked), cancellations as "gaat
//! niet door" and STATUS:CANCELLED; bad week and date parameters get a 400 page with the
//! message next to the field.

mod common;

use std::sync::OnceLock;

use chrono::TimeZone;
use icalendar::{Component, EventLike};
use time::{Date, Duration};
use uuid::Uuid;

use common::TestServer;
use wijkwijzer::auth::Actor;
use wijkwijzer::calendar::NewActivity;
use wijkwijzer::demo::DemoFile;
use wijkwijzer::domain::calendar::{expand, format_clock, today_local};
use wijkwijzer::domain::{GroupFormat, Origin, Service};

tokio::task_local! {
    static APP: String;
}

/// What the setup added, for the tests to look for (the same on both servers: the demo data
/// and the choice are the same).
struct Added {
    area: String,
    /// The group activity whose calendar got the entries.
    service: Uuid,
    service_name: String,
    /// The date and start of the regular session that was cancelled, and its UID.
    cancelled_date: Date,
    cancelled_uid: String,
    today: Date,
}

const TITLE: &str = "Kalendertest <b>appeltaart</b> & koffie";

static ADDED: OnceLock<Added> = OnceLock::new();

fn added() -> &'static Added {
    ADDED.get().expect("the setup ran")
}

/// A group activity of the demo with weekly times whose location lies in a wijk, with that
/// wijk: the place on the map the test writes to.
fn chosen(catalog: &wijkwijzer::catalog::Catalog) -> (Service, String) {
    let demo = DemoFile::embedded().expect("demo data");
    // Not one the demo's own calendar entries touch: their notes would mix with ours.
    let demo_entries = demo.calendar(today_local());
    demo.services
        .iter()
        .filter(|s| s.group_format == GroupFormat::Group)
        .filter(|s| !demo_entries.iter().any(|e| e.service_id == s.id))
        .filter(|s| {
            s.schedules
                .iter()
                .any(|sc| sc.byday.as_deref() == Some("TU,TH"))
        })
        .find_map(|s| {
            let location = demo
                .locations
                .iter()
                .find(|l| s.location_ids.first() == Some(&l.id))?;
            let (lat, lon) = location.point()?;
            let wijk = catalog.geo.locate(lat, lon).wijk?;
            let mut s = s.clone();
            s.fill_child_ids();
            Some((s, wijk))
        })
        .expect("a demo group activity on tuesdays and thursdays in a wijk")
}

fn add_entries(
    catalog: wijkwijzer::catalog::Catalog,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move {
        let today = today_local();
        let (service, area) = chosen(&catalog);
        let activity = catalog
            .add_event(
                &Actor::System,
                service.id,
                NewActivity {
                    date: Some(today),
                    starts_at: time::Time::from_hms(7, 30, 0).ok(),
                    ends_at: time::Time::from_hms(9, 45, 0).ok(),
                    title: TITLE.into(),
                    location: Some("Buurthuis De Boog, zaal 2".into()),
                    note: None,
                },
            )
            .await
            .expect("the activity is added");
        // The first regular session from today on (tuesday or thursday: within 7 days).
        let next = expand(
            service.id,
            &service.schedules,
            &[],
            today,
            today + Duration::days(6),
        )
        .into_iter()
        .find(|o| o.origin == Origin::Regular)
        .expect("a session this week");
        catalog
            .cancel_occurrence(
                &Actor::System,
                service.id,
                next.date,
                Some(next.source_id),
                Some("Zaal bezet door de verkiezingen".into()),
            )
            .await
            .expect("the session is cancelled");
        let stamp = |d: Date| d.to_string().replace('-', "");
        let _ = ADDED.set(Added {
            area,
            service: service.id,
            service_name: service.name.clone(),
            cancelled_date: next.date,
            cancelled_uid: format!("{}-{}@wijkwijzer", next.source_id, stamp(next.date)),
            today,
        });
        add_editors(&catalog, service.organization_id).await;
        // The activity's UID differs per server (a new id each time): keep this server's.
        ACTIVITY_UIDS.lock().expect("lock").push(format!(
            "{}-{}@wijkwijzer",
            activity.id,
            stamp(today)
        ));
    })
}

static ACTIVITY_UIDS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

const PASSWORD: &str = "een lange zin als wachtwoord";
/// Edits the organisation of the service with the entries.
const EDITOR: &str = "agenda-redacteur@example.org";
/// Edits another organisation.
const OTHER_EDITOR: &str = "andere-redacteur@example.org";

async fn add_editors(catalog: &wijkwijzer::catalog::Catalog, organization: Uuid) {
    use wijkwijzer::auth::Role;
    use wijkwijzer::auth::secrets::{PasswordCost, hash_password};
    let hash = hash_password(PASSWORD, PasswordCost::TestsOnly).expect("hash");
    let other = catalog
        .store
        .organisations_named("", 2)
        .await
        .expect("organisations")
        .into_iter()
        .map(|(id, _)| id)
        .find(|id| *id != organization)
        .expect("another organisation");
    for (email, organization) in [(EDITOR, organization), (OTHER_EDITOR, other)] {
        let user = catalog
            .store
            .create_user(email, email, Some(&hash))
            .await
            .expect("user");
        catalog
            .store
            .grant_role(user, &Role::OrganisationEditor { organization }, None)
            .await
            .expect("role");
    }
}

fn sqlite_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| common::spawn_server(None, add_entries))
}

fn postgres_server() -> Option<&'static TestServer> {
    static SERVER: OnceLock<Option<TestServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let url = common::pg_database("wijkwijzer_calendar_suite")?;
            Some(common::spawn_server(Some(url), add_entries))
        })
        .as_ref()
}

async fn get(path: &str) -> reqwest::Response {
    let base = APP.with(|b| b.clone());
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("request")
}

async fn page(path: &str) -> (u16, String) {
    let response = get(path).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

async fn feed(path: &str) -> icalendar::Calendar {
    let response = get(path).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8",
        "{path}"
    );
    let text = response.text().await.expect("body");
    assert!(
        text.contains("\r\nDTSTAMP:"),
        "{path}: every event has a DTSTAMP"
    );
    text.parse::<icalendar::Calendar>()
        .unwrap_or_else(|e| panic!("{path} does not parse as iCalendar: {e}\n{text}"))
}

/// The event with this UID, with its start in Amsterdam local time.
fn event_in<'a>(
    calendar: &'a icalendar::Calendar,
    uid: &str,
) -> Option<(&'a icalendar::Event, chrono::NaiveDateTime)> {
    let event = calendar.events().find(|e| e.get_uid() == Some(uid))?;
    let start = match event.get_start()? {
        icalendar::DatePerhapsTime::DateTime(dt) => dt.try_into_utc()?,
        icalendar::DatePerhapsTime::Date(_) => panic!("{uid} should have a time"),
    };
    Some((
        event,
        chrono_tz::Europe::Amsterdam
            .from_utc_datetime(&start.naive_utc())
            .naive_local(),
    ))
}

fn local(date: Date, hour: u32, minute: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(
        date.year(),
        u8::from(date.month()).into(),
        date.day().into(),
    )
    .and_then(|d| d.and_hms_opt(hour, minute, 0))
    .expect("a valid local time")
}

fn this_servers_activity_uid(calendar: &icalendar::Calendar) -> String {
    let uids = ACTIVITY_UIDS.lock().expect("lock").clone();
    uids.into_iter()
        .find(|uid| calendar.events().any(|e| e.get_uid() == Some(uid)))
        .unwrap_or_else(|| panic!("none of the added activities is in the feed"))
}

async fn an_added_activity_is_on_the_wijk_agenda_page() {
    let a = added();
    let (status, html) = page(&format!("/wijk/{}/agenda?vanaf={}", a.area, a.today)).await;
    assert_eq!(status, 200);
    // Under today's heading, with its time and place, and escaped. (Early in the day, so that
    // it is also among the first lines of the wijk page's "Deze week".)
    let today = html
        .split(&format!("id=\"dag-{}\"", a.today))
        .nth(1)
        .expect("a section for today");
    let today = today.split("<section").next().unwrap_or(today);
    assert!(
        today.contains("Kalendertest &#60;b&#62;appeltaart&#60;/b&#62; &#38; koffie")
            || today.contains("Kalendertest &lt;b&gt;appeltaart&lt;/b&gt; &amp; koffie"),
        "the title, escaped, under today: {today}"
    );
    assert!(!html.contains("<b>appeltaart</b>"), "never unescaped");
    assert!(today.contains("07:30–09:45"), "{today}");
    assert!(today.contains("Buurthuis De Boog, zaal 2"), "{today}");
    assert!(today.contains("Eenmalig"), "{today}");
    // The wijk page itself says what is on this week, and links to the agenda.
    let (status, wijk) = page(&format!("/wijk/{}", a.area)).await;
    assert_eq!(status, 200);
    assert!(wijk.contains("Deze week in"), "{wijk}");
    assert!(wijk.contains(&format!("href=\"/wijk/{}/agenda\"", a.area)));
    assert!(
        wijk.contains("appeltaart"),
        "the activity is in this week's list"
    );
}

async fn a_cancelled_session_is_struck_through_with_gaat_niet_door() {
    let a = added();
    let (status, html) = page(&format!("/wijk/{}/agenda?vanaf={}", a.area, a.today)).await;
    assert_eq!(status, 200);
    let day = html
        .split(&format!("id=\"dag-{}\"", a.cancelled_date))
        .nth(1)
        .expect("a section for the cancelled day");
    let day = day.split("<section").next().unwrap_or(day);
    let line = day
        .split("<li class=\"agenda-item")
        .find(|li| li.contains(&format!("/aanbod/{}", a.service)) && li.starts_with(" cancelled"))
        .unwrap_or_else(|| panic!("a cancelled line for {}: {day}", a.service_name));
    assert!(line.contains("<del>"), "{line}");
    assert!(line.contains("gaat niet door"), "{line}");
    assert!(line.contains("Zaal bezet door de verkiezingen"), "{line}");
    // The service page lists it among the exceptions.
    let (status, service) = page(&format!("/aanbod/{}", a.service)).await;
    assert_eq!(status, 200);
    assert!(service.contains("Anders dan anders"), "{service}");
    assert!(service.contains("gaat niet door"));
    assert!(service.contains(&format!("/aanbod/{}/agenda.ics", a.service)));
    assert!(service.contains("webcal://127.0.0.1:"), "a subscribe link");
}

async fn the_wijk_feed_holds_the_activity_and_the_cancellation_at_local_times() {
    let a = added();
    let calendar = feed(&format!("/wijk/{}/agenda.ics", a.area)).await;
    let uid = this_servers_activity_uid(&calendar);
    let (event, start) = event_in(&calendar, &uid).expect("the activity");
    assert_eq!(start, local(a.today, 7, 30), "07:30 in Amsterdam");
    assert_eq!(event.get_summary(), Some(TITLE));
    assert_eq!(event.get_location(), Some("Buurthuis De Boog, zaal 2"));
    assert_eq!(event.get_status(), Some(icalendar::EventStatus::Confirmed));
    let end = event.get_end().expect("an end");
    let icalendar::DatePerhapsTime::DateTime(end) = end else {
        panic!("a timed end")
    };
    let end = chrono_tz::Europe::Amsterdam
        .from_utc_datetime(&end.try_into_utc().expect("UTC").naive_utc())
        .naive_local();
    assert_eq!(end, local(a.today, 9, 45));

    let (cancelled, _) = event_in(&calendar, &a.cancelled_uid).expect("the cancelled session");
    assert_eq!(
        cancelled.get_status(),
        Some(icalendar::EventStatus::Cancelled)
    );
    assert!(
        cancelled
            .get_summary()
            .is_some_and(|s| s.starts_with("Gaat niet door")),
        "{:?}",
        cancelled.get_summary()
    );
    assert_eq!(cancelled.property_value("SEQUENCE"), Some("1"));
    // UIDs are unique in a feed: a subscribed calendar updates, never doubles.
    let mut uids: Vec<&str> = calendar.events().filter_map(|e| e.get_uid()).collect();
    let all = uids.len();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), all);
}

async fn the_service_feed_repeats_the_weekly_times_in_local_time() {
    let a = added();
    let calendar = feed(&format!("/aanbod/{}/agenda.ics", a.service)).await;
    let uid = this_servers_activity_uid(&calendar);
    let (_, start) = event_in(&calendar, &uid).expect("the activity");
    assert_eq!(start, local(a.today, 7, 30));
    // Every regular session starts at its schedule's local time, summer or winter.
    let demo = DemoFile::embedded().expect("demo");
    let mut service = demo
        .services
        .iter()
        .find(|s| s.id == a.service)
        .expect("demo service")
        .clone();
    service.fill_child_ids();
    let (from, to) = wijkwijzer::calendar::feed_window(today_local());
    let expected = expand(service.id, &service.schedules, &[], from, to);
    assert!(expected.len() >= 20, "twice a week for three months");
    for o in &expected {
        let uid = format!(
            "{}-{}@wijkwijzer",
            o.source_id,
            o.date.to_string().replace('-', "")
        );
        let (_, start) = event_in(&calendar, &uid).unwrap_or_else(|| panic!("{uid} in the feed"));
        let clock = format_clock(o.starts_at.expect("a start"));
        assert_eq!(start.format("%H:%M").to_string(), clock, "{uid}");
        assert_eq!(start.date().to_string(), o.date.to_string());
    }
}

async fn bad_weeks_and_dates_get_a_400_page_with_the_message_by_the_field() {
    let a = added();
    for (query, field, message) in [
        ("week=2026-W60", "week", "Week 60 bestaat niet in 2026"),
        ("week=volgende", "week", "bijvoorbeeld 2026-W49"),
        (
            "vanaf=2026-02-30",
            "vanaf",
            "Die dag bestaat niet in februari 2026",
        ),
        ("vanaf=7+december", "vanaf", "bijvoorbeeld 2026-12-07"),
        (
            "vanaf=1850-01-01",
            "vanaf",
            "Kies een jaar van 2000 tot en met 2100",
        ),
    ] {
        let (status, html) = page(&format!("/wijk/{}/agenda?{query}", a.area)).await;
        assert_eq!(status, 400, "{query}");
        let error = html
            .split(&format!("id=\"{field}-fout\""))
            .nth(1)
            .unwrap_or_else(|| panic!("{query}: a message by the {field} field: {html}"));
        assert!(
            error.split("</p>").next().unwrap_or("").contains(message),
            "{query}: {error}"
        );
        let typed = query.split_once('=').expect("pair").1.replace('+', " ");
        assert!(
            html.contains(&format!("value=\"{typed}\"")),
            "{query}: what was typed is kept"
        );
        assert!(html.contains("aria-invalid=\"true\""), "{query}");
    }
    let (status, _) = page("/wijk/WK999999/agenda").await;
    assert_eq!(status, 400, "an unknown wijk");
    let (status, _) = page("/aanbod/00000000-0000-0000-0000-000000000000/agenda.ics").await;
    assert_eq!(status, 404);
    let (status, _) = page("/wijk/XX/agenda.ics").await;
    assert_eq!(status, 400);
}

async fn a_week_parameter_shows_that_week_from_monday_to_sunday() {
    let a = added();
    let (year, week, _) = a.today.to_iso_week_date();
    let (status, html) = page(&format!("/wijk/{}/agenda?week={year}-W{week:02}", a.area)).await;
    assert_eq!(status, 200);
    let monday = wijkwijzer::domain::calendar::week_start(a.today);
    let sections = html.matches("<section class=\"agenda-day").count();
    assert_eq!(sections, 7, "seven days");
    assert!(html.contains(&format!("id=\"dag-{monday}\"")));
    assert!(html.contains(&format!("id=\"dag-{}\"", monday + Duration::days(6))));
    assert!(html.contains("appeltaart"));
    assert!(html.contains("Vorige week") && html.contains("Volgende week"));
}

async fn signed_in(email: &str) -> common::web::Browser {
    let base = APP.with(|b| b.clone());
    let mut browser = common::web::Browser::new(&base, "10.0.0.1");
    let page = browser.login(email, PASSWORD).await;
    assert_eq!(page.status.as_u16(), 303, "{email}: {}", page.body);
    browser
}

/// The (date, target) of every "gaat niet door" form on the editing page, in order.
fn cancel_forms(html: &str) -> Vec<(String, String)> {
    html.split("/afzeggen\"")
        .skip(1)
        .filter_map(|form| {
            Some((
                common::web::field_value(form, "datum")?,
                common::web::field_value(form, "doel")?,
            ))
        })
        .collect()
}

/// An editor adds a one-off activity through the form: it is on the wijk agenda page and in
/// the wijk's feed (parsed back); a session called off through the form is no longer
/// offered and is cancelled in the service's feed; the activity can be removed again.
/// Another organisation's editor gets 403, a visitor the sign-in page, and a post without
/// a form token changes nothing.
async fn an_editor_keeps_the_calendar_through_the_forms() {
    let a = added();
    let path = format!("/aanbod/{}/agenda", a.service).replace("/aanbod/", "/beheer/aanbod/");
    let mut editor = signed_in(EDITOR).await;
    let form = editor.get(&path).await;
    assert_eq!(form.status.as_u16(), 200, "{}", form.body);
    let title = "Formuliertest <i>soep</i> & brood";
    let bad = editor
        .submit(
            &path,
            &format!("{path}/activiteit"),
            &[("datum", "morgen"), ("titel", title)],
        )
        .await;
    assert_eq!(bad.status.as_u16(), 400);
    assert!(bad.body.contains("id=\"fout-datum\""), "{}", bad.body);
    assert!(
        bad.body.contains("Formuliertest &#60;i&#62;soep"),
        "typed title kept, escaped"
    );
    let date = a.today.to_string();
    let added = editor
        .submit(
            &path,
            &format!("{path}/activiteit"),
            &[
                ("datum", &date),
                ("begin", "06:15"),
                ("eind", "07:00"),
                ("titel", title),
                ("beschrijving", "Neem een kom mee."),
            ],
        )
        .await;
    assert_eq!(added.status.as_u16(), 303, "{}", added.body);
    let (_, agenda) = page(&format!("/wijk/{}/agenda?vanaf={}", a.area, a.today)).await;
    assert!(
        agenda.contains("Formuliertest &#60;i&#62;soep&#60;/i&#62;"),
        "{agenda}"
    );
    assert!(!agenda.contains("<i>soep"));
    let calendar = feed(&format!("/wijk/{}/agenda.ics", a.area)).await;
    let event = calendar
        .events()
        .find(|e| e.get_summary() == Some(title))
        .expect("the activity in the wijk feed");
    let icalendar::DatePerhapsTime::DateTime(start) = event.get_start().expect("a start") else {
        panic!("a timed start")
    };
    let start = chrono_tz::Europe::Amsterdam
        .from_utc_datetime(&start.try_into_utc().expect("UTC").naive_utc())
        .naive_local();
    assert_eq!(start, local(a.today, 6, 15));

    // Call off the first regular session after today.
    let page_now = editor.get(&path).await;
    let (day, target) = cancel_forms(&page_now.body)
        .into_iter()
        .find(|(day, _)| *day != date)
        .expect("a session after today");
    let cancelled = editor
        .submit(
            &path,
            &format!("{path}/afzeggen"),
            &[
                ("datum", &day),
                ("doel", &target),
                ("reden", "Buurthuis dicht"),
            ],
        )
        .await;
    assert_eq!(cancelled.status.as_u16(), 303, "{}", cancelled.body);
    let page_after = editor.get(&path).await;
    assert!(
        !cancel_forms(&page_after.body).contains(&(day.clone(), target.clone())),
        "no longer offered"
    );
    let uid = format!("{target}-{}@wijkwijzer", day.replace('-', ""));
    let service_feed = feed(&format!("/aanbod/{}/agenda.ics", a.service)).await;
    let (session, _) = event_in(&service_feed, &uid).expect("the session in the feed");
    assert_eq!(
        session.get_status(),
        Some(icalendar::EventStatus::Cancelled)
    );

    // Someone else's calendar: 403; a visitor: the sign-in page.
    let mut other = signed_in(OTHER_EDITOR).await;
    assert_eq!(other.get(&path).await.status.as_u16(), 403);
    let refused = other
        .submit(
            "/account",
            &format!("{path}/activiteit"),
            &[("datum", &date), ("titel", "Niet van mij")],
        )
        .await;
    assert_eq!(refused.status.as_u16(), 403);
    let base = APP.with(|b| b.clone());
    let mut visitor = common::web::Browser::new(&base, "10.0.0.2");
    let visit = visitor.get(&path).await;
    assert_eq!(visit.status.as_u16(), 303);
    assert!(visit.location().starts_with("/inloggen"));
    let forged = editor
        .post(
            &format!("{path}/activiteit"),
            &[("datum", &date), ("titel", "Vervalst")],
        )
        .await;
    assert_eq!(forged.status.as_u16(), 403);

    // Remove the activity again.
    let listed = page_after
        .body
        .split("Formuliertest")
        .nth(2)
        .expect("in the entries list");
    let entry = common::web::field_value(listed, "entry").expect("its remove form");
    let removed = editor
        .submit(&path, &format!("{path}/verwijderen"), &[("entry", &entry)])
        .await;
    assert_eq!(removed.status.as_u16(), 303);
    let (_, agenda) = page(&format!("/wijk/{}/agenda?vanaf={}", a.area, a.today)).await;
    assert!(!agenda.contains("Formuliertest"), "removed");
    assert_eq!(
        editor
            .get("/beheer/aanbod/geen-id/agenda")
            .await
            .status
            .as_u16(),
        404
    );
}

common::tests_on_both_servers!(
    an_editor_keeps_the_calendar_through_the_forms,
    an_added_activity_is_on_the_wijk_agenda_page,
    a_cancelled_session_is_struck_through_with_gaat_niet_door,
    the_wijk_feed_holds_the_activity_and_the_cancellation_at_local_times,
    the_service_feed_repeats_the_weekly_times_in_local_time,
    bad_weeks_and_dates_get_a_400_page_with_the_message_by_the_field,
    a_week_parameter_shows_that_week_from_monday_to_sunday,
);
