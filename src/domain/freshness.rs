//! How fresh a listing is: when it was last checked (`assured_date`, HSDS) and whether that is
//! so long ago that visitors should be warned ("Mogelijk verouderd") and search should rank it
//! lower. Staleness is always judged against *today* when a page or search is served, never
//! stored: a listing becomes stale by the calendar alone, without a write or a re-index.

use time::{Date, Duration};

/// The default stale period: half a year. Small volunteer groups change their times and
/// contacts often; a listing not confirmed for six months is more likely wrong than right.
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 180;

/// The operator's stale period (`--stale-after-days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    pub stale_after_days: u32,
}

impl Default for Freshness {
    fn default() -> Self {
        Self {
            stale_after_days: DEFAULT_STALE_AFTER_DAYS,
        }
    }
}

impl Freshness {
    pub fn new(stale_after_days: u32) -> Self {
        Self { stale_after_days }
    }

    /// Listings last checked before this date are stale on `today`.
    pub fn stale_before(self, today: Date) -> Date {
        today
            .checked_sub(Duration::days(i64::from(self.stale_after_days)))
            .unwrap_or(Date::MIN)
    }

    /// Whether a listing last checked on `assured` (never: `None`) is stale on `today`. A
    /// listing nobody ever checked counts as stale: nothing vouches for it.
    pub fn is_stale(self, assured: Option<Date>, today: Date) -> bool {
        assured.is_none_or(|date| date < self.stale_before(today))
    }
}

/// Today in the Netherlands' calendar is what visitors read dates in; UTC is at most two hours
/// off, which for a period counted in months does not matter. One place, so tests and pages
/// agree.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn stale_means_checked_longer_ago_than_the_period_or_never() {
        let f = Freshness::new(180);
        let today = date!(2026 - 12 - 02);
        assert_eq!(f.stale_before(today), date!(2026 - 06 - 05));
        assert!(
            !f.is_stale(Some(date!(2026 - 06 - 05)), today),
            "exactly 180 days"
        );
        assert!(f.is_stale(Some(date!(2026 - 06 - 04)), today), "181 days");
        assert!(!f.is_stale(Some(today), today));
        assert!(f.is_stale(None, today), "never checked");
        assert!(!Freshness::new(400).is_stale(Some(date!(2026 - 01 - 01)), today));
    }
}
