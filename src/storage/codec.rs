//! Text forms of domain values in SQLite columns.

use super::{Result, StorageError};
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::str::FromStr;

/// Instants are stored as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), which sorts as text.
pub fn instant_to_sql(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn instant_from_sql(s: &str) -> Result<DateTime<Utc>> {
    fixed_instant(s.as_bytes())
        .ok_or(())
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").map(|n| n.and_utc()))
        .map_err(|_| StorageError::BadValue(format!("instant {s:?}")))
}

/// The stored form read by position, without a format parser: reports read
/// hundreds of thousands of instants, and chrono's `parse_from_str` was a
/// tenth of a report's time. `None` for anything not exactly that form (the
/// caller falls back to chrono, which says what is wrong).
fn fixed_instant(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?
        .and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)
        .map(|n| n.and_utc())
}

pub fn date_to_sql(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn date_from_sql(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StorageError::BadValue(format!("date {s:?}")))
}

pub fn opt_instant(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(instant_from_sql).transpose()
}

pub fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(date_from_sql).transpose()
}

pub fn opt_money(c: Option<i64>) -> Option<Money> {
    c.map(Money)
}

pub fn parse_enum<T: FromStr<Err = String>>(s: &str) -> Result<T> {
    T::from_str(s).map_err(StorageError::BadValue)
}

pub fn opt_enum<T: FromStr<Err = String>>(s: Option<String>) -> Result<Option<T>> {
    s.as_deref().map(parse_enum).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_by_position_match_the_stored_form() {
        let t = instant_from_sql("2026-11-24T09:05:07Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-24T09:05:07+00:00");
        assert_eq!(instant_to_sql(t), "2026-11-24T09:05:07Z");
        assert_eq!(
            instant_from_sql("0999-01-01T00:00:00Z")
                .unwrap()
                .to_rfc3339(),
            "0999-01-01T00:00:00+00:00"
        );
    }

    #[test]
    fn impossible_instants_are_errors() {
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-11-24T24:00:00Z",
            "2026-11-24 09:05:07Z",
            "2026-11-24T09:05:07",
            "2026-1a-24T09:05:07Z",
            "",
        ] {
            assert!(instant_from_sql(bad).is_err(), "{bad}");
        }
    }
}
