//! RFC 3339 timestamps in UTC, whole seconds (`2026-03-01T09:30:00Z`).
//!
//! Written here rather than taken from a date crate: the only conversion needed is from
//! seconds since the Unix epoch to a proleptic Gregorian date in UTC, which is a loop over
//! years and months (at most a few thousand steps) that the tests below check day by day
//! against an independent count. No time zones, no parsing, no leap-second tables (Unix time
//! has none), so a dependency would bring far more than it gives.

use std::time::{SystemTime, UNIX_EPOCH};

/// Why a time cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("the time is before 1970-01-01T00:00:00Z")]
    BeforeEpoch,
    #[error("the time is after 9999-12-31T23:59:59Z")]
    AfterYear9999,
}

const SECONDS_PER_DAY: u64 = 86_400;

/// The time as RFC 3339 in UTC, truncated to whole seconds.
pub fn rfc3339(time: SystemTime) -> Result<String, TimeError> {
    let seconds = time.duration_since(UNIX_EPOCH).map_err(|_| TimeError::BeforeEpoch)?.as_secs();
    let (year, month, day) = civil_date(seconds / SECONDS_PER_DAY).ok_or(TimeError::AfterYear9999)?;
    let of_day = seconds % SECONDS_PER_DAY;
    let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    Ok(format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z"))
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Year, month (1-12) and day (1-31) of the day `days` after 1970-01-01; `None` after 9999.
fn civil_date(mut days: u64) -> Option<(u64, u64, u64)> {
    let mut year = 1970;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
        if year > 9999 {
            return None;
        }
    }
    let mut month = 1;
    while days >= days_in_month(year, month) {
        days -= days_in_month(year, month);
        month += 1;
    }
    Some((year, month, days + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(seconds: u64) -> String {
        rfc3339(UNIX_EPOCH + Duration::from_secs(seconds)).unwrap()
    }

    #[test]
    fn known_instants() {
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(951_868_799), "2000-02-29T23:59:59Z");
        assert_eq!(at(1_709_208_000), "2024-02-29T12:00:00Z");
        assert_eq!(at(1_735_689_599), "2024-12-31T23:59:59Z");
        assert_eq!(at(4_102_444_800), "2100-01-01T00:00:00Z");
        assert_eq!(at(4_107_456_000), "2100-02-28T00:00:00Z");
        assert_eq!(at(4_107_542_400), "2100-03-01T00:00:00Z", "2100 is not a leap year");
        assert_eq!(at(253_402_300_799), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn fractions_are_truncated_and_out_of_range_times_refused() {
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_millis(1_999)).unwrap(), "1970-01-01T00:00:01Z");
        assert_eq!(rfc3339(UNIX_EPOCH - Duration::from_secs(1)), Err(TimeError::BeforeEpoch));
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(253_402_300_799) + Duration::from_secs(1)),
            Err(TimeError::AfterYear9999)
        );
    }

    /// Every day from 1970 to 2500 follows the one before it in the calendar, and the
    /// weekday (1970-01-01 was a Thursday) matches Zeller's congruence for the date.
    #[test]
    fn every_day_follows_the_one_before() {
        let mut previous = civil_date(0).unwrap();
        assert_eq!(previous, (1970, 1, 1));
        for day in 1..(531 * 366) {
            let Some(date) = civil_date(day) else { break };
            let (y, m, d) = previous;
            let expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            assert_eq!(date, expected, "day {day}");
            let (zy, zm) = if date.1 < 3 { (date.0 - 1, date.1 + 12) } else { (date.0, date.1) };
            let zeller = (date.2 + 13 * (zm + 1) / 5 + zy + zy / 4 - zy / 100 + zy / 400) % 7; // 0 = Saturday
            let unix_weekday = (day + 4) % 7; // 0 = Sunday, 1970-01-01 = 4 (Thursday)
            assert_eq!((zeller + 6) % 7, unix_weekday, "{date:?}");
            previous = date;
        }
    }
}
