//! RFC 3339 timestamps in UTC, whole seconds (`2026-03-01T09:30:00Z`).
//!
//! Written here rather than taken from a date crate: the only conversion needed is from
//! seconds since the Unix epoch to a UTC date ([`rampart_model::Date`], checked day by day
//! there) and a time of day. No time zones, no parsing, no leap-second tables (Unix time has
//! none), so a dependency would bring far more than it gives.

use std::time::{SystemTime, UNIX_EPOCH};

use rampart_model::Date;

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
    let days = i64::try_from(seconds / SECONDS_PER_DAY).map_err(|_| TimeError::AfterYear9999)?;
    let Date { year, month, day } = Date::from_days(days);
    if year > 9999 {
        return Err(TimeError::AfterYear9999);
    }
    let of_day = seconds % SECONDS_PER_DAY;
    let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    Ok(format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z"))
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
}
