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
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ")
        .map(|n| n.and_utc())
        .map_err(|_| StorageError::BadValue(format!("instant {s:?}")))
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
