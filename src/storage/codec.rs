//! Text forms of domain values in SQLite columns.

use super::{Result, StorageError};
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::str::FromStr;

/// Instants are stored as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), which sorts as text.
pub fn instant_to_sql(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    // Written by position (an import writes millions; chrono's formatter
    // parses its format string each time); chrono for what that cannot write.
    let (y, n) = (t.year(), t.nanosecond());
    if !(0..=9999).contains(&y) || n >= 1_000_000_000 {
        return t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    let mut b = *b"0000-00-00T00:00:00Z";
    digits(&mut b[0..4], y as u32);
    digits(&mut b[5..7], t.month());
    digits(&mut b[8..10], t.day());
    digits(&mut b[11..13], t.hour());
    digits(&mut b[14..16], t.minute());
    digits(&mut b[17..19], t.second());
    String::from_utf8(b.to_vec()).expect("ASCII digits")
}

/// `n` in decimal, zero-padded to fill `out`.
fn digits(out: &mut [u8], mut n: u32) {
    for c in out.iter_mut().rev() {
        *c = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

pub fn instant_from_sql(s: &str) -> Result<DateTime<Utc>> {
    fixed_instant(s.as_bytes())
        .ok_or(())
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").map(|n| n.and_utc()))
        .map_err(|_| StorageError::BadValue(format!("instant {s:?}")))
}

/// A row of a key (column 0) and a stored instant (column 1): a deal's or
/// an account's touch.
pub fn keyed_instant<K: rusqlite::types::FromSql>(
    r: &rusqlite::Row<'_>,
) -> Result<(K, DateTime<Utc>)> {
    Ok((
        r.get::<_, K>(0)?,
        instant_from_sql(&r.get::<_, String>(1)?)?,
    ))
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
    let num = |r: std::ops::Range<usize>| num(&b[r]);
    fixed_date(&b[..10])?
        .and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)
        .map(|n| n.and_utc())
}

/// The digits of `b` as a number; `None` if any is not a digit.
fn num(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD` read by position (as [`fixed_instant`]; a snapshot's rows
/// carry a close date each).
fn fixed_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(num(&b[0..4])? as i32, num(&b[5..7])?, num(&b[8..10])?)
}

/// The month of `d` as `snapshot_owner_months` keys it: the first seven
/// characters of its stored form (`YYYY-MM` for the years 0 to 9999).
pub fn month_key(d: NaiveDate) -> String {
    date_to_sql(d)[..7].to_string()
}

pub fn date_to_sql(d: NaiveDate) -> String {
    use chrono::Datelike;
    let y = d.year();
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut b = *b"0000-00-00";
    digits(&mut b[0..4], y as u32);
    digits(&mut b[5..7], d.month());
    digits(&mut b[8..10], d.day());
    String::from_utf8(b.to_vec()).expect("ASCII digits")
}

pub fn date_from_sql(s: &str) -> Result<NaiveDate> {
    fixed_date(s.as_bytes())
        .ok_or(())
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
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

pub fn opt_enum<T: FromStr<Err = String>>(s: Option<&str>) -> Result<Option<T>> {
    s.map(parse_enum).transpose()
}

/// Column `i` of a row as text, borrowed from SQLite (no copy): for values
/// parsed at once (enums, instants) on the hot read paths.
pub fn text_at<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str> {
    opt_text_at(r, i)?.ok_or_else(|| StorageError::BadValue(format!("column {i}: NULL")))
}

/// Column `i` as text, `None` for NULL (see [`text_at`]).
pub fn opt_text_at<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<Option<&'r str>> {
    r.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| StorageError::BadValue(format!("column {i}: {e}")))
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
    fn instants_and_dates_are_written_as_chrono_writes_them() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            instant_to_sql(t("0999-01-02T03:04:05Z")),
            "0999-01-02T03:04:05Z"
        );
        assert_eq!(
            instant_to_sql(t("2026-12-31T23:59:59.9Z")),
            "2026-12-31T23:59:59Z"
        );
        let far = NaiveDate::from_ymd_opt(10000, 1, 1).unwrap();
        let far_t = far.and_hms_opt(0, 0, 0).unwrap().and_utc();
        assert_eq!(
            instant_to_sql(far_t),
            far_t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        );
        assert_eq!(date_to_sql(far), far.format("%Y-%m-%d").to_string());
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(date_to_sql(d(2026, 3, 9)), "2026-03-09");
        assert_eq!(date_to_sql(d(7, 1, 1)), "0007-01-01");
    }

    #[test]
    fn dates_read_by_position_and_impossible_ones_refused() {
        assert_eq!(
            date_from_sql("2026-02-28").unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
        assert_eq!(
            date_from_sql("0999-12-31").unwrap(),
            NaiveDate::from_ymd_opt(999, 12, 31).unwrap()
        );
        for bad in ["2026-02-29", "2026-13-01", "2026/01/01", "", "2026-01-01x"] {
            assert!(date_from_sql(bad).is_err(), "{bad}");
        }
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

/// The id types are stored as text and read without a copy to the heap
/// (ids are short and kept inline, see `domain::model`).
macro_rules! id_sql {
    ($($name:ident),*) => {$(
        impl rusqlite::types::FromSql for crate::domain::model::$name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                v.as_str().map(crate::domain::model::$name::from)
            }
        }

        impl rusqlite::ToSql for crate::domain::model::$name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.as_str().to_sql()
            }
        }
    )*};
}

id_sql!(RepId, AccountId, ContactId, OppId, ActivityId);
