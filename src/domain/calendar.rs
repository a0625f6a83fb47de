//! The activity calendar: one-off events and exceptions to a service's weekly times, and the
//! expansion of both into concrete occurrences on dates in Europe/Amsterdam.
//!
//! A service's [`Schedule`]s say when it runs as a rule ("elke dinsdag 10:00–12:00", or with
//! an ordinal such as `2WE` under `MONTHLY`: "elke tweede woensdag"). A [`CalendarEvent`] adds
//! to that rule or makes an exception on one date: an activity of its own, an extra session,
//! a cancelled session or a session at another time. [`expand`] turns the rule and the events
//! into what actually happens on each date of a range.
//!
//! Times are local wall-clock times (what people read on a notice board); they become instants
//! only through [`local_to_utc`], which knows the daylight-saving changes.

use chrono::TimeZone;
use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};
use uuid::Uuid;

use super::{Invalid, Schedule};

/// The time zone every date and time of the calendar is meant in.
pub const TIME_ZONE: chrono_tz::Tz = chrono_tz::Europe::Amsterdam;

/// The longest range one agenda request may cover: a quarter. Longer lists help nobody and
/// make the expansion (and a feed) unboundedly large.
pub const MAX_RANGE_DAYS: i64 = 92;

const MAX_TITLE: usize = 200;
const MAX_PLACE: usize = 200;
const MAX_NOTE: usize = 1000;

/// What a [`CalendarEvent`] does on its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A one-off activity with its own title ("Kerstmarkt in het buurthuis").
    Activity,
    /// One more session of the service's regular activity.
    Extra,
    /// The regular session(s) of that date do not take place.
    Cancelled,
    /// The regular session(s) of that date take place at other times.
    Changed,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::Activity,
        EventKind::Extra,
        EventKind::Cancelled,
        EventKind::Changed,
    ];

    /// The stable code, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Activity => "activity",
            EventKind::Extra => "extra",
            EventKind::Cancelled => "cancelled",
            EventKind::Changed => "changed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == code)
    }
}

/// A dated addition to, or exception from, a service's weekly times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    pub id: Uuid,
    pub service_id: Uuid,
    pub kind: EventKind,
    pub date: Date,
    /// Local start; `None` for a cancellation, or an activity that lasts the whole day.
    pub starts_at: Option<Time>,
    pub ends_at: Option<Time>,
    /// For [`EventKind::Cancelled`] and [`EventKind::Changed`]: the schedule (or, for a
    /// cancellation, the one-off event) it concerns; `None` means every regular session of
    /// the date.
    pub target_id: Option<Uuid>,
    /// What: required for an activity; the service's name is used otherwise.
    pub title: Option<String>,
    /// Where, when not at the service's usual location.
    pub location: Option<String>,
    /// A short note, such as why a session is cancelled.
    pub note: Option<String>,
}

impl CalendarEvent {
    /// Checks what needs no database. `today` bounds the dates: an event may be entered up to
    /// a year late (to correct the record) and at most two years ahead (a typo such as 2062
    /// should not become a silent entry nobody ever sees).
    pub fn validate(&self, today: Date) -> Result<(), Invalid> {
        let earliest = today - Duration::days(366);
        let latest = today + Duration::days(2 * 366);
        if self.date < earliest || self.date > latest {
            return Err(Invalid::new(
                "date",
                "moet binnen een jaar terug en twee jaar vooruit liggen",
            ));
        }
        for (field, value, max) in [
            ("title", &self.title, MAX_TITLE),
            ("location", &self.location, MAX_PLACE),
            ("note", &self.note, MAX_NOTE),
        ] {
            if let Some(v) = value
                && v.chars().count() > max
            {
                return Err(Invalid::new(
                    field,
                    format!("is te lang (meer dan {max} tekens)"),
                ));
            }
        }
        match self.kind {
            EventKind::Activity => {
                if self.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
                    return Err(Invalid::new("title", "vul in wat er te doen is"));
                }
                if self.ends_at.is_some() && self.starts_at.is_none() {
                    return Err(Invalid::new("starts_at", "vul ook een begintijd in"));
                }
            }
            EventKind::Extra | EventKind::Changed => {
                if self.starts_at.is_none() {
                    return Err(Invalid::new("starts_at", "vul een begintijd in"));
                }
            }
            EventKind::Cancelled => {
                if self.starts_at.is_some() || self.ends_at.is_some() {
                    return Err(Invalid::new(
                        "starts_at",
                        "een afgelaste keer heeft geen nieuwe tijd",
                    ));
                }
            }
        }
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at)
            && end <= start
        {
            return Err(Invalid::new("ends_at", "moet later zijn dan de begintijd"));
        }
        Ok(())
    }
}

/// Where an occurrence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The service's weekly (or monthly) rule.
    Regular,
    /// An extra session.
    Extra,
    /// A one-off activity.
    OneOff,
}

/// One concrete session on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub service_id: Uuid,
    /// The schedule or event it comes from: with [`Self::date`] it names the occurrence for
    /// good, also after a cancellation or a change of time (the iCalendar UID is made of it).
    pub source_id: Uuid,
    pub date: Date,
    pub starts_at: Option<Time>,
    pub ends_at: Option<Time>,
    pub origin: Origin,
    pub title: Option<String>,
    pub location: Option<String>,
    pub note: Option<String>,
    pub cancelled: bool,
    /// The usual times, when this date's session was moved to other times.
    pub moved_from: Option<(Option<Time>, Option<Time>)>,
}

impl Occurrence {
    /// The start as an instant; an all-day occurrence starts at local midnight.
    pub fn start_utc(&self) -> OffsetDateTime {
        local_to_utc(self.date, self.starts_at.unwrap_or(Time::MIDNIGHT))
    }

    /// The end as an instant: the given end, else an hour after the start, else the next
    /// local midnight. An end before the start (an evening that runs past midnight) is read
    /// as on the next day.
    pub fn end_utc(&self) -> OffsetDateTime {
        match (self.starts_at, self.ends_at) {
            (Some(start), Some(end)) if end > start => local_to_utc(self.date, end),
            (Some(_), Some(end)) => local_to_utc(self.date.next_day().unwrap_or(self.date), end),
            (Some(_), None) => self.start_utc() + Duration::hours(1),
            (None, _) => local_to_utc(self.date.next_day().unwrap_or(self.date), Time::MIDNIGHT),
        }
    }
}

/// The local date and time in Europe/Amsterdam as an instant. A time that does not exist (the
/// hour skipped when summer time starts) is read as one hour later, as a clock that was not
/// moved forward shows it; a time that exists twice (the hour repeated in autumn) as its first
/// appearance.
pub fn local_to_utc(date: Date, at: Time) -> OffsetDateTime {
    let naive = chrono::NaiveDate::from_ymd_opt(
        date.year(),
        u32::from(u8::from(date.month())),
        u32::from(date.day()),
    )
    .and_then(|d| d.and_hms_opt(u32::from(at.hour()), u32::from(at.minute()), 0));
    let Some(naive) = naive else {
        // Unreachable for a valid `time::Date`; UTC is the least surprising fallback.
        return date.with_time(at).assume_utc();
    };
    let local = TIME_ZONE
        .from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            TIME_ZONE
                .from_local_datetime(&(naive + chrono::TimeDelta::hours(1)))
                .earliest()
        });
    match local.and_then(|l| OffsetDateTime::from_unix_timestamp(l.timestamp()).ok()) {
        Some(instant) => instant,
        None => date.with_time(at).assume_utc(),
    }
}

/// Today's date in Europe/Amsterdam (not in UTC: between midnight and two at night they
/// differ, and "deze week" must turn over at local midnight).
pub fn today_local() -> Date {
    use chrono::Datelike;
    let now = chrono::Utc::now().with_timezone(&TIME_ZONE).date_naive();
    u8::try_from(now.month())
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .and_then(|m| Date::from_calendar_date(now.year(), m, u8::try_from(now.day()).ok()?).ok())
        .unwrap_or_else(|| OffsetDateTime::now_utc().date())
}

/// The Monday of the ISO week `date` lies in.
pub fn week_start(date: Date) -> Date {
    date - Duration::days(i64::from(date.weekday().number_days_from_monday()))
}

/// Parses "HH:MM" as stored in schedules.
pub fn parse_clock(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

/// "HH:MM", the form of schedules and of the pages.
pub fn format_clock(at: Time) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// When a schedule runs: on weekdays, or on the n-th (from the end when negative) weekday of
/// each month.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    EveryDay,
    Weekdays(Vec<Weekday>),
    NthWeekdays(Vec<(i8, Weekday)>),
}

fn weekday_from_iso(n: u8) -> Option<Weekday> {
    Some(match n {
        1 => Weekday::Monday,
        2 => Weekday::Tuesday,
        3 => Weekday::Wednesday,
        4 => Weekday::Thursday,
        5 => Weekday::Friday,
        6 => Weekday::Saturday,
        7 => Weekday::Sunday,
        _ => return None,
    })
}

/// The rule of an HSDS-style schedule (`freq`, `byday` with optional ordinals such as `1TU`
/// or `-1FR`), or `None` when it names no days it can be placed on (a description only, such
/// as "op afspraak", or a frequency we do not expand).
fn rule_of(schedule: &Schedule) -> Option<Rule> {
    let freq = schedule
        .freq
        .as_deref()
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| "WEEKLY".into());
    let tokens: Vec<&str> = schedule
        .byday
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.is_empty() {
        return (freq == "DAILY").then_some(Rule::EveryDay);
    }
    if !matches!(freq.as_str(), "WEEKLY" | "MONTHLY" | "DAILY") {
        return None;
    }
    let mut plain = Vec::new();
    let mut nth = Vec::new();
    for token in tokens {
        let day = weekday_from_iso(super::weekday_from_byday(token)?)?;
        let digits = &token[..token.len().saturating_sub(2)];
        match digits {
            "" => plain.push(day),
            // An ordinal only means something per month (RFC 5545 BYDAY); under WEEKLY it
            // is read the same way rather than dropped, as that is what the writer meant.
            n => {
                let n: i8 = n.trim_start_matches('+').parse().ok()?;
                if n == 0 || !(-5..=5).contains(&n) {
                    return None;
                }
                nth.push((n, day));
            }
        }
    }
    if !nth.is_empty() {
        // A mix ("1TU,WE") is rare; the plain days then count as every such day of the month.
        nth.extend(plain.into_iter().flat_map(|d| (1..=5).map(move |n| (n, d))));
        Some(Rule::NthWeekdays(nth))
    } else {
        Some(Rule::Weekdays(plain))
    }
}

fn days_in_month(year: i32, month: Month) -> u8 {
    time::util::days_in_month(month, year)
}

impl Rule {
    fn matches(&self, date: Date) -> bool {
        match self {
            Rule::EveryDay => true,
            Rule::Weekdays(days) => days.contains(&date.weekday()),
            Rule::NthWeekdays(days) => {
                let from_start = ((date.day() - 1) / 7 + 1) as i8;
                let from_end =
                    -(((days_in_month(date.year(), date.month()) - date.day()) / 7 + 1) as i8);
                days.iter()
                    .any(|&(n, day)| day == date.weekday() && (n == from_start || n == from_end))
            }
        }
    }
}

/// Whether a schedule can be placed on dates at all (it has days the calendar understands).
pub fn is_dated(schedule: &Schedule) -> bool {
    rule_of(schedule).is_some()
}

/// Every occurrence of the service on the dates `from..=to`: its schedules expanded, its
/// extra sessions and activities added, its cancellations and changes of time applied.
/// Sorted by date, then start (all-day first), then title. Schedules without an id are not
/// placed (stored schedules always have one).
pub fn expand(
    service_id: Uuid,
    schedules: &[Schedule],
    events: &[CalendarEvent],
    from: Date,
    to: Date,
) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let rules: Vec<(Uuid, Rule, &Schedule)> = schedules
        .iter()
        .filter_map(|s| Some((s.id?, rule_of(s)?, s)))
        .collect();
    if !rules.is_empty() {
        let mut date = from;
        while date <= to {
            let holiday = super::holidays::public_holiday(date).is_some();
            for (id, rule, schedule) in &rules {
                if rule.matches(date) && !(holiday && schedule.closed_on_holidays) {
                    out.push(Occurrence {
                        service_id,
                        source_id: *id,
                        date,
                        starts_at: schedule.opens_at.as_deref().and_then(parse_clock),
                        ends_at: schedule.closes_at.as_deref().and_then(parse_clock),
                        origin: Origin::Regular,
                        title: None,
                        location: None,
                        note: None,
                        cancelled: false,
                        moved_from: None,
                    });
                }
            }
            match date.next_day() {
                Some(next) => date = next,
                None => break,
            }
        }
    }
    let in_range: Vec<&CalendarEvent> = events
        .iter()
        .filter(|e| e.service_id == service_id && e.date >= from && e.date <= to)
        .collect();
    for event in &in_range {
        let origin = match event.kind {
            EventKind::Activity => Origin::OneOff,
            EventKind::Extra => Origin::Extra,
            EventKind::Cancelled | EventKind::Changed => continue,
        };
        out.push(Occurrence {
            service_id,
            source_id: event.id,
            date: event.date,
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            origin,
            title: event.title.clone(),
            location: event.location.clone(),
            note: event.note.clone(),
            cancelled: false,
            moved_from: None,
        });
    }
    // Changes before cancellations: a session that was moved and then called off is off.
    for kind in [EventKind::Changed, EventKind::Cancelled] {
        for event in in_range.iter().filter(|e| e.kind == kind) {
            let concerned = |o: &Occurrence| {
                o.date == event.date
                    && match event.target_id {
                        Some(target) => o.source_id == target,
                        None => o.origin == Origin::Regular,
                    }
            };
            for o in out.iter_mut().filter(|o| concerned(o)) {
                if kind == EventKind::Changed {
                    o.moved_from.get_or_insert((o.starts_at, o.ends_at));
                    o.starts_at = event.starts_at;
                    o.ends_at = event.ends_at;
                    if event.location.is_some() {
                        o.location = event.location.clone();
                    }
                } else {
                    o.cancelled = true;
                }
                if event.note.is_some() {
                    o.note = event.note.clone();
                }
            }
        }
    }
    out.sort_by(|a, b| {
        (a.date, a.starts_at, &a.title, a.source_id).cmp(&(
            b.date,
            b.starts_at,
            &b.title,
            b.source_id,
        ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    const SERVICE: Uuid = Uuid::from_u128(1);
    const TUESDAYS: Uuid = Uuid::from_u128(2);

    fn weekly(id: Uuid, byday: &str, opens: &str, closes: &str) -> Schedule {
        Schedule {
            id: Some(id),
            freq: Some("WEEKLY".into()),
            byday: Some(byday.into()),
            opens_at: Some(opens.into()),
            closes_at: Some(closes.into()),
            description: None,
            closed_on_holidays: false,
        }
    }

    fn event(kind: EventKind, on: Date) -> CalendarEvent {
        CalendarEvent {
            id: Uuid::from_u128(100 + kind as u128),
            service_id: SERVICE,
            kind,
            date: on,
            starts_at: None,
            ends_at: None,
            target_id: None,
            title: None,
            location: None,
            note: None,
        }
    }

    #[test]
    fn a_weekly_schedule_gives_one_occurrence_per_matching_day() {
        let s = [weekly(TUESDAYS, "TU,TH", "10:00", "12:00")];
        let found = expand(
            SERVICE,
            &s,
            &[],
            date!(2026 - 12 - 07),
            date!(2026 - 12 - 20),
        );
        let dates: Vec<Date> = found.iter().map(|o| o.date).collect();
        assert_eq!(
            dates,
            [
                date!(2026 - 12 - 08),
                date!(2026 - 12 - 10),
                date!(2026 - 12 - 15),
                date!(2026 - 12 - 17)
            ]
        );
        assert!(found.iter().all(|o| o.starts_at == Some(time!(10:00))
            && o.ends_at == Some(time!(12:00))
            && o.origin == Origin::Regular));
    }

    #[test]
    fn ordinals_mean_the_nth_weekday_of_the_month() {
        let mut first_tuesday = weekly(TUESDAYS, "1TU", "19:00", "21:00");
        first_tuesday.freq = Some("MONTHLY".into());
        let mut last_friday = weekly(Uuid::from_u128(3), "-1FR", "15:00", "16:00");
        last_friday.freq = Some("MONTHLY".into());
        let found = expand(
            SERVICE,
            &[first_tuesday, last_friday],
            &[],
            date!(2026 - 11 - 01),
            date!(2027 - 01 - 31),
        );
        let dates: Vec<Date> = found.iter().map(|o| o.date).collect();
        assert_eq!(
            dates,
            [
                date!(2026 - 11 - 03),
                date!(2026 - 11 - 27),
                date!(2026 - 12 - 01),
                date!(2026 - 12 - 25),
                date!(2027 - 01 - 05),
                date!(2027 - 01 - 29)
            ]
        );
    }

    #[test]
    fn schedules_closed_on_holidays_skip_them() {
        let mut last_friday = weekly(TUESDAYS, "-1FR", "15:00", "16:00");
        last_friday.freq = Some("MONTHLY".into());
        last_friday.closed_on_holidays = true;
        let mut mondays = weekly(Uuid::from_u128(3), "MO", "10:00", "11:00");
        mondays.closed_on_holidays = true;
        let dates = |schedule: &Schedule, from: Date, to: Date| -> Vec<Date> {
            expand(SERVICE, std::slice::from_ref(schedule), &[], from, to)
                .iter()
                .map(|o| o.date)
                .collect()
        };
        // 25 December 2026 is the last Friday of the month, and Eerste Kerstdag.
        assert_eq!(
            dates(&last_friday, date!(2026 - 11 - 01), date!(2027 - 01 - 31)),
            [date!(2026 - 11 - 27), date!(2027 - 01 - 29)]
        );
        // Tweede Paasdag and Tweede Pinksterdag 2026 are Mondays.
        let april = dates(&mondays, date!(2026 - 04 - 01), date!(2026 - 05 - 31));
        assert!(!april.contains(&date!(2026 - 04 - 06)));
        assert!(!april.contains(&date!(2026 - 05 - 25)));
        assert!(april.contains(&date!(2026 - 04 - 13)));
    }

    #[test]
    fn schedules_without_days_are_not_placed() {
        let by_appointment = Schedule {
            id: Some(TUESDAYS),
            description: Some("op afspraak".into()),
            ..Default::default()
        };
        assert!(!is_dated(&by_appointment));
        assert!(
            expand(
                SERVICE,
                &[by_appointment],
                &[],
                date!(2026 - 12 - 01),
                date!(2026 - 12 - 31)
            )
            .is_empty()
        );
    }

    #[test]
    fn local_times_keep_their_wall_clock_across_daylight_saving_changes() {
        // Summer time ends on Sunday 25 October 2026 and starts on Sunday 28 March 2027.
        let s = [weekly(TUESDAYS, "SA,MO", "10:00", "12:00")];
        let found = expand(
            SERVICE,
            &s,
            &[],
            date!(2026 - 10 - 24),
            date!(2026 - 10 - 26),
        );
        assert_eq!(found[0].start_utc().hour(), 8, "CEST: UTC+2");
        assert_eq!(found[1].start_utc().hour(), 9, "CET: UTC+1");
        let found = expand(
            SERVICE,
            &s,
            &[],
            date!(2027 - 03 - 27),
            date!(2027 - 03 - 29),
        );
        assert_eq!(found[0].start_utc().hour(), 9);
        assert_eq!(found[1].start_utc().hour(), 8);
        assert_eq!(found[1].end_utc().hour(), 10);
    }

    #[test]
    fn skipped_and_repeated_hours_have_one_reading() {
        // 02:30 does not exist on 28 March 2027: read as 03:30 CEST = 01:30 UTC.
        let skipped = local_to_utc(date!(2027 - 03 - 28), time!(02:30));
        assert_eq!((skipped.hour(), skipped.minute()), (1, 30));
        // 02:30 exists twice on 25 October 2026: the first is 02:30 CEST = 00:30 UTC.
        let twice = local_to_utc(date!(2026 - 10 - 25), time!(02:30));
        assert_eq!((twice.hour(), twice.minute()), (0, 30));
    }

    #[test]
    fn an_evening_past_midnight_ends_the_next_day() {
        let s = [weekly(TUESDAYS, "FR", "22:00", "01:00")];
        let found = expand(
            SERVICE,
            &s,
            &[],
            date!(2026 - 12 - 11),
            date!(2026 - 12 - 11),
        );
        assert_eq!(
            found[0].end_utc() - found[0].start_utc(),
            Duration::hours(3)
        );
    }

    #[test]
    fn exceptions_cancel_add_and_move_sessions() {
        let s = [weekly(TUESDAYS, "TU", "10:00", "12:00")];
        let cancelled = CalendarEvent {
            note: Some("Buurthuis gesloten".into()),
            ..event(EventKind::Cancelled, date!(2026 - 12 - 08))
        };
        let moved = CalendarEvent {
            starts_at: Some(time!(13:00)),
            ends_at: Some(time!(15:00)),
            target_id: Some(TUESDAYS),
            ..event(EventKind::Changed, date!(2026 - 12 - 15))
        };
        let extra = CalendarEvent {
            starts_at: Some(time!(10:00)),
            ends_at: Some(time!(12:00)),
            ..event(EventKind::Extra, date!(2026 - 12 - 17))
        };
        let activity = CalendarEvent {
            title: Some("Kerstlunch".into()),
            starts_at: Some(time!(12:30)),
            location: Some("Wijkcentrum De Dreef".into()),
            ..event(EventKind::Activity, date!(2026 - 12 - 18))
        };
        let found = expand(
            SERVICE,
            &s,
            &[cancelled, moved, extra, activity],
            date!(2026 - 12 - 07),
            date!(2026 - 12 - 20),
        );
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].cancelled);
        assert_eq!(found[0].note.as_deref(), Some("Buurthuis gesloten"));
        assert_eq!(found[1].starts_at, Some(time!(13:00)));
        assert_eq!(
            found[1].moved_from,
            Some((Some(time!(10:00)), Some(time!(12:00))))
        );
        assert_eq!(
            found[1].source_id, TUESDAYS,
            "a moved session keeps its identity"
        );
        assert_eq!(found[2].origin, Origin::Extra);
        assert_eq!(found[3].origin, Origin::OneOff);
        assert_eq!(found[3].title.as_deref(), Some("Kerstlunch"));
        assert!(!found[1].cancelled && !found[2].cancelled && !found[3].cancelled);
    }

    #[test]
    fn a_cancellation_aimed_at_a_one_off_cancels_only_that() {
        let s = [weekly(TUESDAYS, "TU", "10:00", "12:00")];
        let activity = CalendarEvent {
            title: Some("Extra uitje".into()),
            starts_at: Some(time!(14:00)),
            ..event(EventKind::Activity, date!(2026 - 12 - 08))
        };
        let cancel = CalendarEvent {
            target_id: Some(activity.id),
            ..event(EventKind::Cancelled, date!(2026 - 12 - 08))
        };
        let found = expand(
            SERVICE,
            &s,
            &[activity, cancel],
            date!(2026 - 12 - 08),
            date!(2026 - 12 - 08),
        );
        assert_eq!(found.len(), 2);
        assert!(!found[0].cancelled, "the regular session stays");
        assert!(found[1].cancelled);
    }

    #[test]
    fn validation_names_the_field() {
        let today = date!(2026 - 12 - 02);
        let mut e = event(EventKind::Activity, date!(2026 - 12 - 10));
        assert_eq!(e.validate(today).unwrap_err().field, "title");
        e.title = Some("Kerstmarkt".into());
        e.starts_at = Some(time!(14:00));
        e.ends_at = Some(time!(13:00));
        assert_eq!(e.validate(today).unwrap_err().field, "ends_at");
        e.ends_at = Some(time!(17:00));
        e.validate(today).unwrap();
        e.date = date!(2062 - 12 - 10);
        assert_eq!(e.validate(today).unwrap_err().field, "date");
        let mut c = event(EventKind::Cancelled, date!(2026 - 12 - 10));
        c.validate(today).unwrap();
        c.starts_at = Some(time!(10:00));
        assert_eq!(c.validate(today).unwrap_err().field, "starts_at");
        let x = event(EventKind::Extra, date!(2026 - 12 - 10));
        assert_eq!(x.validate(today).unwrap_err().field, "starts_at");
    }

    #[test]
    fn weeks_start_on_monday_and_clocks_round_trip() {
        assert_eq!(week_start(date!(2026 - 12 - 06)), date!(2026 - 11 - 30));
        assert_eq!(week_start(date!(2026 - 12 - 07)), date!(2026 - 12 - 07));
        assert_eq!(parse_clock("09:30"), Some(time!(09:30)));
        assert_eq!(parse_clock("9:30"), None);
        assert_eq!(parse_clock("25:00"), None);
        assert_eq!(format_clock(time!(09:05)), "09:05");
        let today = today_local();
        assert!(
            (today - OffsetDateTime::now_utc().date())
                .whole_days()
                .abs()
                <= 1
        );
    }
}
