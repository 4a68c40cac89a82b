//! Money as an integer number of minor units (cents), one currency per database.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in minor units (cents) of the database currency.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Money(pub i64);

/// Why a decimal string is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not a decimal amount: {0:?}")]
    NotDecimal(String),
    #[error("more than two decimal places: {0:?}")]
    TooPrecise(String),
    #[error("amount out of range: {0:?}")]
    OutOfRange(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    /// The largest amount pipedeck keeps: 100 billion major units. Imports
    /// and edits refuse more, so no sum over a realistic database can wrap
    /// (and sums saturate rather than wrap anyway).
    pub const MAX: Money = Money(10_000_000_000_000);

    pub fn from_major(units: i64) -> Money {
        Money(units * 100)
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// The amount in major units, as JSON wants it (`12500.5`).
    pub fn as_major_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// [`Money::parse`] of an amount as the screen shows it, its thousands
    /// grouped by commas before the point (`12,500.50`).
    pub fn parse_grouped(text: &str) -> Result<Money, MoneyError> {
        match ungrouped(text.trim()) {
            Some(plain) => Money::parse(&plain),
            None => Money::parse(text),
        }
    }

    /// Parses a decimal in major units: `12500`, `12500.5`, `12500.50`, `-3.2`.
    /// Thousands separators and currency symbols are not accepted.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let t = text.trim();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && frac.is_empty() || !all_digits(whole) || !all_digits(frac) {
            return Err(MoneyError::NotDecimal(text.to_string()));
        }
        if frac.len() > 2 {
            // Accept trailing zeros beyond cents ("12.500"), reject real sub-cent values.
            if frac[2..].bytes().any(|b| b != b'0') {
                return Err(MoneyError::TooPrecise(text.to_string()));
            }
        }
        let whole_v: i64 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| MoneyError::OutOfRange(text.to_string()))?
        };
        let mut cents_str: String = frac.chars().take(2).collect();
        while cents_str.len() < 2 {
            cents_str.push('0');
        }
        let cents_v: i64 = cents_str.parse().unwrap_or(0);
        let total = whole_v
            .checked_mul(100)
            .and_then(|v| v.checked_add(cents_v))
            .ok_or_else(|| MoneyError::OutOfRange(text.to_string()))?;
        if total > Money::MAX.0 {
            return Err(MoneyError::OutOfRange(text.to_string()));
        }
        Ok(Money(if neg { -total } else { total }))
    }

    /// Canonical decimal text in major units: `12500` when whole, else `12500.50`.
    pub fn to_decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        if abs.is_multiple_of(100) {
            format!("{sign}{}", abs / 100)
        } else {
            format!("{sign}{}.{:02}", abs / 100, abs % 100)
        }
    }
}

impl fmt::Display for Money {
    /// Grouped major units for screens: `12,500` or `12,500.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        if abs.is_multiple_of(100) {
            write!(f, "{sign}{grouped}")
        } else {
            write!(f, "{sign}{grouped}.{:02}", abs % 100)
        }
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl std::ops::SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 = self.0.saturating_sub(rhs.0);
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.fold(0i64, |a, m| a.saturating_add(m.0)))
    }
}

/// `t` without the commas that group its thousands (`1,234,567.50` →
/// `1234567.50`); `None` when a comma is anywhere else (`12,50`, a decimal
/// comma `1.234,50`).
pub fn ungrouped(t: &str) -> Option<String> {
    if !t.contains(',') {
        return Some(t.to_string());
    }
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let int = int.strip_prefix('-').unwrap_or(int);
    let groups: Vec<&str> = int.split(',').collect();
    let grouped = !frac.contains(',')
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3);
    grouped.then(|| t.replace(',', ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimals() {
        let rows = [
            ("12500", 1_250_000),
            ("12500.5", 1_250_050),
            ("12500.50", 1_250_050),
            ("0.07", 7),
            ("-3.2", -320),
            (".5", 50),
            ("1.500", 150),
        ];
        for (text, cents) in rows {
            assert_eq!(Money::parse(text), Ok(Money(cents)), "{text}");
        }
    }

    #[test]
    fn rejects_bad_decimals() {
        for text in ["", "abc", "1,000", "$5", "1.234", "1.2.3", "-"] {
            assert!(Money::parse(text).is_err(), "{text} should fail");
        }
    }

    #[test]
    fn refuses_amounts_past_the_bound_and_never_wraps() {
        // The amount of the issue: it used to import and wrap pipeline value.
        assert!(matches!(
            Money::parse("92233720368547758"),
            Err(MoneyError::OutOfRange(_))
        ));
        assert_eq!(Money::parse("100000000000"), Ok(Money::MAX));
        assert!(Money::parse("100000000000.01").is_err());
        let big = Money(i64::MAX - 1);
        assert_eq!(big + Money(5), Money(i64::MAX));
        assert_eq!([big, big].into_iter().sum::<Money>(), Money(i64::MAX));
    }

    #[test]
    fn formats() {
        assert_eq!(Money(1_250_000).to_decimal(), "12500");
        assert_eq!(Money(1_250_050).to_decimal(), "12500.50");
        assert_eq!(Money(-5).to_decimal(), "-0.05");
        assert_eq!(Money(123_456_789).to_string(), "1,234,567.89");
        assert_eq!(Money(100_000).to_string(), "1,000");
    }
}

/// Serializes money as major units (`12500.5`), as the JSON contract of SPEC §11 wants:
/// `#[serde(serialize_with = "crate::domain::money::major::serialize")]`.
pub mod major {
    use crate::domain::Money;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(m.as_major_f64())
    }

    pub mod opt {
        use crate::domain::Money;
        use serde::Serializer;

        pub fn serialize<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
            match m {
                Some(m) => s.serialize_f64(m.as_major_f64()),
                None => s.serialize_none(),
            }
        }
    }
}
