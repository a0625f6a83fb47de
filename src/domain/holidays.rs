//! Dutch public holidays (the days most services close): Nieuwjaarsdag, Eerste en Tweede
//! Paasdag, Koningsdag, Bevrijdingsdag, Hemelvaartsdag, Eerste en Tweede Pinksterdag and
//! Eerste en Tweede Kerstdag. A schedule marked "gesloten op feestdagen" skips them.
//!
//! Bevrijdingsdag counts every year: many employers give it off only once every five years,
//! but buurthuizen and welzijn close on it as on the other days. Goede Vrijdag does not count:
//! it is no general day off.

use time::{Date, Duration, Month, Weekday};

/// Easter Sunday of `year` (Gregorian calendar), by the anonymous Gregorian computus
/// (Meeus/Jones/Butcher).
pub fn easter(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = if month == 3 {
        Month::March
    } else {
        Month::April
    };
    Date::from_calendar_date(year, month, day as u8).expect("Easter is a real date")
}

/// The name of the public holiday on `date`, if it is one.
pub fn public_holiday(date: Date) -> Option<&'static str> {
    let year = date.year();
    let on = |month: Month, day: u8| Date::from_calendar_date(year, month, day).ok();
    let easter = easter(year);
    let kings_day = match on(Month::April, 27) {
        // On a Sunday it moves to the Saturday before.
        Some(d) if d.weekday() == Weekday::Sunday => on(Month::April, 26),
        other => other,
    };
    let fixed = [
        (on(Month::January, 1), "Nieuwjaarsdag"),
        (kings_day, "Koningsdag"),
        (on(Month::May, 5), "Bevrijdingsdag"),
        (on(Month::December, 25), "Eerste Kerstdag"),
        (on(Month::December, 26), "Tweede Kerstdag"),
    ];
    let moving = [
        (0, "Eerste Paasdag"),
        (1, "Tweede Paasdag"),
        (39, "Hemelvaartsdag"),
        (49, "Eerste Pinksterdag"),
        (50, "Tweede Pinksterdag"),
    ];
    fixed
        .into_iter()
        .find(|(day, _)| *day == Some(date))
        .map(|(_, name)| name)
        .or_else(|| {
            moving
                .into_iter()
                .find(|(offset, _)| easter + Duration::days(*offset) == date)
                .map(|(_, name)| name)
        })
}

/// Whether people work on `date`: a weekday that is no public holiday.
pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && public_holiday(date).is_none()
}

/// The day `days` working days after `date` (10 working days after a Friday is the Friday two
/// weeks on; public holidays do not count). Deadlines for answering referrals use it.
pub fn add_working_days(date: Date, days: u32) -> Date {
    let mut day = date;
    let mut left = days;
    while left > 0 {
        day = day.next_day().unwrap_or(day);
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn easter_by_the_computus() {
        assert_eq!(easter(2024), date!(2024 - 03 - 31));
        assert_eq!(easter(2025), date!(2025 - 04 - 20));
        assert_eq!(easter(2026), date!(2026 - 04 - 05));
        assert_eq!(easter(2027), date!(2027 - 03 - 28));
        assert_eq!(easter(2038), date!(2038 - 04 - 25));
    }

    #[test]
    fn the_holidays_of_2026() {
        for (day, name) in [
            (date!(2026 - 01 - 01), "Nieuwjaarsdag"),
            (date!(2026 - 04 - 05), "Eerste Paasdag"),
            (date!(2026 - 04 - 06), "Tweede Paasdag"),
            (date!(2026 - 04 - 27), "Koningsdag"),
            (date!(2026 - 05 - 05), "Bevrijdingsdag"),
            (date!(2026 - 05 - 14), "Hemelvaartsdag"),
            (date!(2026 - 05 - 24), "Eerste Pinksterdag"),
            (date!(2026 - 05 - 25), "Tweede Pinksterdag"),
            (date!(2026 - 12 - 25), "Eerste Kerstdag"),
            (date!(2026 - 12 - 26), "Tweede Kerstdag"),
        ] {
            assert_eq!(public_holiday(day), Some(name), "{day}");
        }
        assert_eq!(public_holiday(date!(2026 - 04 - 03)), None, "Goede Vrijdag");
        assert_eq!(public_holiday(date!(2026 - 04 - 28)), None);
        // 27 April 2025 was a Sunday: Koningsdag on the 26th.
        assert_eq!(public_holiday(date!(2025 - 04 - 26)), Some("Koningsdag"));
        assert_eq!(public_holiday(date!(2025 - 04 - 27)), None);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        use time::macros::date;
        // Friday 4 December 2026 + 10 working days = Friday 18 December.
        assert_eq!(
            add_working_days(date!(2026 - 12 - 04), 10),
            date!(2026 - 12 - 18)
        );
        // Across Christmas: Thursday 24 December + 1 = Monday 28 December.
        assert_eq!(
            add_working_days(date!(2026 - 12 - 24), 1),
            date!(2026 - 12 - 28)
        );
        assert_eq!(
            add_working_days(date!(2026 - 12 - 24), 0),
            date!(2026 - 12 - 24)
        );
        assert!(!is_working_day(date!(2027 - 04 - 27)), "Koningsdag");
        assert!(is_working_day(date!(2027 - 04 - 28)));
    }
}
