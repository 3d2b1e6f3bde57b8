//! Calendar arithmetic shared by the parser, casts and formatting: dates are
//! days since 2000-01-01, times milliseconds since midnight, timestamps
//! nanoseconds since 2000-01-01T00:00:00 (proleptic Gregorian, UTC).

/// Days from 1970-01-01 to 2000-01-01.
const EPOCH_2000_FROM_1970: i64 = 10_957;
pub const NS_PER_DAY: i64 = 86_400_000_000_000;
pub const MS_PER_DAY: i64 = 86_400_000;

/// Days since 2000-01-01 of a civil date (month 1..=12, day 1..=31; days
/// past the month's end roll over into the next month).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 - EPOCH_2000_FROM_1970
}

/// Civil (year, month, day) of days since 2000-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + EPOCH_2000_FROM_1970 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Day of week, Monday = 1 ... Sunday = 7.
pub fn weekday(days: i64) -> i64 {
    // 2000-01-01 was a Saturday (6).
    (days + 5).rem_euclid(7) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(2000, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 1, 15), 8780);
        assert_eq!(civil_from_days(8780), (2024, 1, 15));
        assert_eq!(days_from_civil(2024, 2, 30), days_from_civil(2024, 3, 1));
        assert_eq!(civil_from_days(-1), (1999, 12, 31));
        assert_eq!(weekday(0), 6);
        assert_eq!(weekday(days_from_civil(2024, 3, 15)), 5);
    }
}
