//! Salesforce cell values: the Data Export forms (`yyyy-MM-dd HH:mm:ss` in
//! UTC, ISO `T…Z` / `.000+0000`, booleans `0`/`1`, empty lookups
//! `000000000000000AAA`) and the spreadsheet-resaved forms (`MM/DD/YY`,
//! `MM/DD/YY hh:mm AM/PM` in local time, `TRUE`/`FALSE`).

use crate::domain::model::ForecastCategory;
use crate::domain::period::Calendar;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// The lookup Salesforce writes for "none".
pub const EMPTY_LOOKUP: &str = "000000000000000AAA";

/// An id cell: empty and the empty lookup are no id; a 15-character id is
/// given in its 18-character form ([`eighteen`]).
pub fn id(v: Option<&str>) -> Option<String> {
    v.filter(|v| *v != EMPTY_LOOKUP).map(eighteen)
}

/// A Salesforce record id in its 18-character form. Reports show the
/// 15-character, case-sensitive id; Data Export and the API the same id
/// with three characters that encode the case of its letters: both forms
/// must name one record (a deal imported from each would land twice).
/// Anything but 15 ASCII letters and digits is kept as it is.
pub fn eighteen(v: &str) -> String {
    if v.len() != 15 || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return v.to_string();
    }
    const CODES: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let mut out = v.to_string();
    for chunk in v.as_bytes().chunks(5) {
        let flags = chunk
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_uppercase())
            .fold(0usize, |f, (i, _)| f | 1 << i);
        out.push(CODES[flags] as char);
    }
    out
}

pub fn boolean(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(format!("{v:?} is not a boolean (0/1, true/false)")),
    }
}

/// `MM/DD/YY` or `MM/DD/YYYY`; two-digit years are 20YY.
fn us_date(v: &str) -> Option<NaiveDate> {
    let mut parts = v.split('/');
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    let y_text = parts.next()?;
    if parts.next().is_some() || !(y_text.len() == 2 || y_text.len() == 4) {
        return None;
    }
    let mut y: i32 = y_text.parse().ok()?;
    if y_text.len() == 2 {
        y += 2000;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// `hh:mm AM/PM` or `hh:mm:ss AM/PM`.
fn us_time(v: &str) -> Option<NaiveTime> {
    let v = v.trim().to_ascii_uppercase();
    ["%I:%M %p", "%I:%M:%S %p"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(&v, f).ok())
}

/// How a date or instant cell was written.
enum Stamp {
    /// An absolute instant (UTC forms and ISO with an offset).
    Utc(DateTime<Utc>),
    /// A wall-clock time with no zone (spreadsheet AM/PM): local time.
    Local(NaiveDateTime),
    /// A date alone.
    Date(NaiveDate),
}

fn stamp(v: &str) -> Option<Stamp> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(Stamp::Utc(t.with_timezone(&Utc)));
    }
    if let Ok(t) = DateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(Stamp::Utc(t.with_timezone(&Utc)));
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(v, f) {
            return Some(Stamp::Utc(n.and_utc()));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Some(Stamp::Date(d));
    }
    let (date_part, time_part) = match v.split_once(' ') {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let d = us_date(date_part)?;
    match time_part {
        None => Some(Stamp::Date(d)),
        Some(t) => us_time(t).map(|t| Stamp::Local(d.and_time(t))),
    }
}

const FORMS: &str = "yyyy-MM-dd, yyyy-MM-dd HH:mm:ss, ISO 8601, MM/DD/YY or MM/DD/YY hh:mm AM/PM";

/// An instant: UTC forms as written; a spreadsheet wall-clock time in the
/// configured time zone; a date alone at the start of that local day.
pub fn instant(v: &str, cal: &Calendar) -> Result<DateTime<Utc>, String> {
    match stamp(v) {
        Some(Stamp::Utc(t)) => Ok(t),
        Some(Stamp::Date(d)) => Ok(cal.start_of(d)),
        Some(Stamp::Local(n)) => Ok(cal.instant_of(n)),
        None => Err(format!("{v:?} is not a date or time ({FORMS})")),
    }
}

/// A date; a time part (Salesforce writes `2023-09-06 00:00:00` for dates) is dropped.
pub fn date(v: &str) -> Result<NaiveDate, String> {
    match stamp(v) {
        Some(Stamp::Utc(t)) => Ok(t.date_naive()),
        Some(Stamp::Local(n)) => Ok(n.date()),
        Some(Stamp::Date(d)) => Ok(d),
        None => Err(format!("{v:?} is not a date ({FORMS})")),
    }
}

/// Forecast category labels and API values (`Best Case` / `BestCase`, …).
pub fn category(v: &str) -> Result<ForecastCategory, String> {
    let key: String = v
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match key.as_str() {
        "pipeline" => Ok(ForecastCategory::Pipeline),
        "bestcase" => Ok(ForecastCategory::BestCase),
        "commit" | "mostlikely" => Ok(ForecastCategory::Commit),
        "omitted" => Ok(ForecastCategory::Omitted),
        "closed" => Ok(ForecastCategory::Closed),
        _ => Err(format!(
            "{v:?} is not a forecast category (Pipeline, Best Case, Commit, Omitted, Closed)"
        )),
    }
}

/// A probability in percent (`10`, `10.0`) as a share 0.0–1.0.
pub fn probability(v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
        .map(|p| p / 100.0)
        .ok_or_else(|| format!("{v:?} is not a probability in percent (0–100)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Settings;

    #[test]
    fn a_fifteen_character_id_gets_its_case_suffix() {
        // Worked by hand: 006Hp|00001|5Yh7k → H at 3 (8, I), none (A), Y at
        // 1 (2, C); AbCdE has A, C, E at 0, 2, 4: 1 + 4 + 16 = 21, V.
        assert_eq!(eighteen("006Hp000015Yh7k"), "006Hp000015Yh7kIAC");
        assert_eq!(eighteen("0065g00000AbCdE"), "0065g00000AbCdEAAV");
        assert_eq!(eighteen("ZZZZZZZZZZZZZZZ"), "ZZZZZZZZZZZZZZZ555");
        for kept in [
            "006Hp000015Yh7kIAC",
            "0061",
            "ann-lee-acme-com",
            "Ann Lee 1234567",
        ] {
            assert_eq!(eighteen(kept), kept);
        }
        assert_eq!(id(Some(EMPTY_LOOKUP)), None);
        assert_eq!(
            id(Some("001Hp00002g1VGe")).as_deref(),
            Some("001Hp00002g1VGeIAM")
        );
    }

    fn fmt(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    #[test]
    fn reads_every_instant_form() {
        let utc = Settings::default().calendar().unwrap();
        let ny = Settings {
            time_zone: "America/New_York".into(),
            ..Settings::default()
        }
        .calendar()
        .unwrap();
        // (input, in UTC config, in New York config) — New York is UTC−5 in
        // February (EST), so local wall-clock and local midnights move by 5 h.
        let cases = [
            (
                "2023-10-28 20:45:25",
                "2023-10-28T20:45:25Z",
                "2023-10-28T20:45:25Z",
            ),
            (
                "2023-10-28T20:45:25.000Z",
                "2023-10-28T20:45:25Z",
                "2023-10-28T20:45:25Z",
            ),
            (
                "2023-10-28T20:45:25.000+0000",
                "2023-10-28T20:45:25Z",
                "2023-10-28T20:45:25Z",
            ),
            ("2026-02-23", "2026-02-23T00:00:00Z", "2026-02-23T05:00:00Z"),
            ("02/23/26", "2026-02-23T00:00:00Z", "2026-02-23T05:00:00Z"),
            (
                "02/23/26 08:55 PM",
                "2026-02-23T20:55:00Z",
                "2026-02-24T01:55:00Z",
            ),
            (
                "02/23/26 12:05 AM",
                "2026-02-23T00:05:00Z",
                "2026-02-23T05:05:00Z",
            ),
            ("02/23/2026", "2026-02-23T00:00:00Z", "2026-02-23T05:00:00Z"),
        ];
        for (input, want_utc, want_ny) in cases {
            assert_eq!(fmt(instant(input, &utc).unwrap()), want_utc, "{input}");
            assert_eq!(fmt(instant(input, &ny).unwrap()), want_ny, "{input}");
        }
        for bad in ["13/01/26", "2026-02-30", "02/23/26 25:00 PM", "soon"] {
            assert!(instant(bad, &utc).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_dates_and_drops_time_parts() {
        let d = |s: &str| date(s).map(|d| d.to_string());
        assert_eq!(d("2023-09-06 00:00:00"), Ok("2023-09-06".into()));
        assert_eq!(d("01/27/21"), Ok("2021-01-27".into()));
        assert_eq!(d("02/03/24"), Ok("2024-02-03".into()));
        assert_eq!(d("2023-09-06"), Ok("2023-09-06".into()));
        assert!(d("2023-9-6x").is_err());
    }

    #[test]
    fn reads_booleans_lookups_categories_and_probabilities() {
        for (v, want) in [("0", false), ("1", true), ("TRUE", true), ("false", false)] {
            assert_eq!(boolean(v), Ok(want), "{v}");
        }
        assert!(boolean("yes").is_err());
        assert_eq!(id(Some("000000000000000AAA")), None);
        assert_eq!(id(Some("001x")), Some("001x".into()));
        let cats = [
            ("Best Case", ForecastCategory::BestCase),
            ("BestCase", ForecastCategory::BestCase),
            ("Commit", ForecastCategory::Commit),
            ("Pipeline", ForecastCategory::Pipeline),
            ("Omitted", ForecastCategory::Omitted),
            ("Closed", ForecastCategory::Closed),
        ];
        for (v, want) in cats {
            assert_eq!(category(v), Ok(want), "{v}");
        }
        assert_eq!(probability("90"), Ok(0.9));
        assert!(probability("120").is_err());
    }
}
