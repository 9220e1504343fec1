//! Calendar dates, without a time zone database: UTC days only.

/// A calendar date (proleptic Gregorian), for suppression expiries and evidence timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// How many days `month` (1-12) of `year` has; 0 for a month that does not exist.
    pub fn days_in_month(year: i32, month: u32) -> u32 {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        }
    }

    /// The date `days` days after 1970-01-01 (the proleptic Gregorian calendar; Howard
    /// Hinnant's `civil_from_days` algorithm).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        // In range by construction: day 1..=31, month 1..=12.
        let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
        let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
        let year = i32::try_from(yoe + era * 400 + i64::from(month <= 2)).unwrap_or(i32::MAX);
        Date { year, month, day }
    }

    /// `YYYY-MM-DD`, a real day of the calendar.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            bytes.get(range.clone()).filter(|b| b.iter().all(u8::is_ascii_digit))?;
            text.get(range)?.parse::<u32>().ok()
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?.cast_signed(), digits(5..7)?, digits(8..10)?);
        (1..=Date::days_in_month(year, month)).contains(&day).then_some(Date { year, month, day })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly_and_convert_from_days() {
        assert_eq!(Date::parse("2024-02-29"), Some(Date { year: 2024, month: 2, day: 29 }));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "2024-01-00",
            "2024-01-32",
            "２０２４-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_414).to_string(), "2025-11-22");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
        assert_eq!(Date::from_days(-1).to_string(), "1969-12-31");
    }

    /// Every day from 1970 to 2500 follows the one before it in the calendar, and the
    /// weekday (1970-01-01 was a Thursday) matches Zeller's congruence for the date.
    #[test]
    fn every_day_follows_the_one_before() {
        let mut previous = Date::from_days(0);
        assert_eq!(previous, Date { year: 1970, month: 1, day: 1 });
        for day in 1..(531 * 366) {
            let date = Date::from_days(day);
            let Date { year: y, month: m, day: d } = previous;
            let expected = if d < Date::days_in_month(y, m) {
                Date { year: y, month: m, day: d + 1 }
            } else if m < 12 {
                Date { year: y, month: m + 1, day: 1 }
            } else {
                Date { year: y + 1, month: 1, day: 1 }
            };
            assert_eq!(date, expected, "day {day}");
            let (zy, zm) =
                if date.month < 3 { (date.year - 1, date.month + 12) } else { (date.year, date.month) };
            let (zy, zm, zd) = (i64::from(zy), i64::from(zm), i64::from(date.day));
            let zeller = (zd + 13 * (zm + 1) / 5 + zy + zy / 4 - zy / 100 + zy / 400) % 7; // 0 = Saturday
            let unix_weekday = (day + 4) % 7; // 0 = Sunday, 1970-01-01 = 4 (Thursday)
            assert_eq!((zeller + 6) % 7, unix_weekday, "{date:?}");
            previous = date;
        }
    }
}
