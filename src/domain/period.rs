//! Periods (SPEC §3): half-open date ranges `[from, to)` in the configured
//! time zone, with weeks starting on the configured day and quarters
//! following the fiscal year start month.

use super::model::PeriodKind;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A half-open range of local dates `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The calendar rules a period is read with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calendar {
    pub week_start: Weekday,
    /// 1–12: the month a fiscal year starts. Fiscal year Y starts in that month of calendar year Y.
    pub fiscal_year_start_month: u32,
    pub tz: Tz,
}

impl Default for Calendar {
    fn default() -> Calendar {
        Calendar {
            week_start: Weekday::Mon,
            fiscal_year_start_month: 1,
            tz: Tz::UTC,
        }
    }
}

impl Calendar {
    /// The local date of an instant.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The first instant of a local date (midnight skipped by a DST jump:
    /// the first instant after the jump).
    pub fn start_of(&self, d: NaiveDate) -> DateTime<Utc> {
        self.instant_of(d.and_hms_opt(0, 0, 0).expect("midnight exists"))
    }

    /// The instant of a local wall-clock time: the earlier one of an hour
    /// repeated when clocks go back; one in an hour skipped when they go
    /// forward is read with the offset before the jump, so it lands as far
    /// after the jump (02:30 in New York on 8 March → 03:30 EDT, 07:30Z),
    /// never in the day before.
    pub fn instant_of(&self, n: chrono::NaiveDateTime) -> DateTime<Utc> {
        use chrono::Offset;
        if let Some(t) = self.tz.from_local_datetime(&n).earliest() {
            return t.with_timezone(&Utc);
        }
        let before = (1..=48).find_map(|h| {
            self.tz
                .from_local_datetime(&(n - chrono::Duration::hours(h)))
                .earliest()
        });
        let offset = before.map_or(0, |b| b.offset().fix().local_minus_utc());
        (n - chrono::Duration::seconds(offset.into())).and_utc()
    }

    /// The end of a local date: the first instant of the next day (exclusive).
    pub fn end_of(&self, d: NaiveDate) -> DateTime<Utc> {
        self.start_of(d + Days::new(1))
    }

    pub fn week_containing(&self, d: NaiveDate) -> Period {
        let back =
            (7 + d.weekday().num_days_from_monday() - self.week_start.num_days_from_monday()) % 7;
        let from = d - Days::new(back as u64);
        Period {
            from,
            to: from + Days::new(7),
        }
    }

    pub fn month_containing(&self, d: NaiveDate) -> Period {
        let from = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).expect("first of month");
        Period {
            from,
            to: from + Months::new(1),
        }
    }

    pub fn quarter_containing(&self, d: NaiveDate) -> Period {
        let start_month = self.fiscal_year_start_month.clamp(1, 12);
        // Months since the most recent fiscal-year start, then down to the quarter.
        let offset = (d.month() + 12 - start_month) % 12;
        let q_offset = offset - offset % 3;
        let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).expect("first of month");
        let from = first - Months::new(offset - q_offset);
        Period {
            from,
            to: from + Months::new(3),
        }
    }

    /// The period of `kind` containing `d`.
    pub fn containing(&self, kind: PeriodKind, d: NaiveDate) -> Period {
        match kind {
            PeriodKind::Week => self.week_containing(d),
            PeriodKind::Month => self.month_containing(d),
            PeriodKind::Quarter => self.quarter_containing(d),
        }
    }

    /// Fiscal quarter `q` (1–4) of fiscal year `year`.
    pub fn fiscal_quarter(&self, year: i32, q: u32) -> Option<Period> {
        if !(1..=4).contains(&q) {
            return None;
        }
        let start = NaiveDate::from_ymd_opt(year, self.fiscal_year_start_month.clamp(1, 12), 1)?;
        let from = start + Months::new((q - 1) * 3);
        Some(Period {
            from,
            to: from + Months::new(3),
        })
    }

    /// The fiscal year and quarter number (1–4) of a quarter starting on `from`.
    pub fn fiscal_label(&self, from: NaiveDate) -> (i32, u32) {
        let start_month = self.fiscal_year_start_month.clamp(1, 12);
        let offset = (from.month() + 12 - start_month) % 12;
        let year = if from.month() >= start_month {
            from.year()
        } else {
            from.year() - 1
        };
        (year, offset / 3 + 1)
    }

    /// Parses a period (SPEC §11): `2017-Q2`, `2017-05`, `2017-W19`, `this-week`,
    /// `last-week`, `this-month`, `last-month`, `this-quarter`, `last-quarter`,
    /// `mtd`, `qtd`, `last-N-weeks`, `FROM..TO` (dates, TO exclusive).
    pub fn parse_period(&self, text: &str, today: NaiveDate) -> Result<Period, String> {
        let t = text.trim().to_ascii_lowercase();
        let tomorrow = today + Days::new(1);
        let week = self.week_containing(today);
        let month = self.month_containing(today);
        let quarter = self.quarter_containing(today);
        let period = match t.as_str() {
            "this-week" => week,
            "last-week" => self.shift(PeriodKind::Week, week, -1),
            "this-month" => month,
            "last-month" => self.shift(PeriodKind::Month, month, -1),
            "this-quarter" => quarter,
            "last-quarter" => self.shift(PeriodKind::Quarter, quarter, -1),
            "mtd" => Period {
                from: month.from,
                to: tomorrow,
            },
            "qtd" => Period {
                from: quarter.from,
                to: tomorrow,
            },
            "wtd" => Period {
                from: week.from,
                to: tomorrow,
            },
            _ => {
                // Every date pipedeck keeps runs from 1900 to 2199: a period
                // outside them names no data (and its arithmetic would
                // leave chrono's range).
                let first = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
                let end = NaiveDate::from_ymd_opt(2200, 1, 1).unwrap_or(NaiveDate::MAX);
                return self
                    .parse_explicit(&t, week)
                    .filter(|p| p.from >= first && p.to <= end)
                    .ok_or_else(|| bad_period(text));
            }
        };
        Ok(period)
    }

    fn parse_explicit(&self, t: &str, this_week: Period) -> Option<Period> {
        if let Some(n) = t
            .strip_prefix("last-")
            .and_then(|r| r.strip_suffix("-weeks"))
        {
            let n: u64 = n.parse().ok().filter(|n| *n > 0)?;
            let days = n.checked_mul(7)?;
            return Some(Period {
                from: this_week.from.checked_sub_days(Days::new(days))?,
                to: this_week.from,
            });
        }
        if let Some((a, b)) = t.split_once("..") {
            let from = NaiveDate::parse_from_str(a, "%Y-%m-%d").ok()?;
            let to = NaiveDate::parse_from_str(b, "%Y-%m-%d").ok()?;
            return (from < to).then_some(Period { from, to });
        }
        let (year, rest) = t.split_once('-')?;
        let year: i32 = year.parse().ok().filter(|y| (1900..=2199).contains(y))?;
        if let Some(q) = rest.strip_prefix('q') {
            return self.fiscal_quarter(year, q.parse().ok()?);
        }
        if let Some(w) = rest.strip_prefix('w') {
            let monday = NaiveDate::from_isoywd_opt(year, w.parse().ok()?, Weekday::Mon)?;
            return Some(self.week_containing(
                monday + Days::new(self.week_start.num_days_from_monday() as u64),
            ));
        }
        let m: u32 = rest.parse().ok()?;
        let from = NaiveDate::from_ymd_opt(year, m, 1)?;
        Some(Period {
            from,
            to: from + Months::new(1),
        })
    }

    /// The period `n` steps of `kind` away (negative: earlier).
    pub fn shift(&self, kind: PeriodKind, p: Period, n: i32) -> Period {
        let step = |d: NaiveDate| -> NaiveDate {
            match kind {
                PeriodKind::Week => {
                    if n >= 0 {
                        d + Days::new(7 * n as u64)
                    } else {
                        d - Days::new(7 * n.unsigned_abs() as u64)
                    }
                }
                PeriodKind::Month | PeriodKind::Quarter => {
                    let months = if kind == PeriodKind::Month { 1 } else { 3 } * n.unsigned_abs();
                    if n >= 0 {
                        d + Months::new(months)
                    } else {
                        d - Months::new(months)
                    }
                }
            }
        };
        Period {
            from: step(p.from),
            to: step(p.to),
        }
    }
}

fn bad_period(text: &str) -> String {
    format!(
        "{text:?} is not a period; use 2017-Q2, 2017-05, 2017-W19, this-week, last-week, \
         this-month, last-month, this-quarter, last-quarter, mtd, qtd, last-4-weeks or \
         2017-04-01..2017-07-01, within 1900-2199"
    )
}

impl Period {
    /// Whether a local date falls in `[from, to)`.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d < self.to
    }

    /// Whether an instant falls in the period, read in the calendar's zone.
    pub fn contains_instant(&self, cal: &Calendar, t: DateTime<Utc>) -> bool {
        self.contains(cal.local_date(t))
    }

    /// The last day inside the period.
    pub fn last_day(&self) -> NaiveDate {
        self.to - Days::new(1)
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days()
    }
}

/// The span from the earlier first to the later last of two spans
/// `(first, last)`, either of which may be none.
pub fn join_spans<T: Ord + Copy>(a: Option<(T, T)>, b: Option<(T, T)>) -> Option<(T, T)> {
    match (a, b) {
        (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
        (x, y) => x.or(y),
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn parses_every_form() {
        let cal = Calendar::default();
        let today = d("2026-11-24"); // a Tuesday
        let rows = [
            ("2017-Q2", "2017-04-01", "2017-07-01"),
            ("2017-05", "2017-05-01", "2017-06-01"),
            ("2017-W19", "2017-05-08", "2017-05-15"),
            ("this-week", "2026-11-23", "2026-11-30"),
            ("last-week", "2026-11-16", "2026-11-23"),
            ("mtd", "2026-11-01", "2026-11-25"),
            ("qtd", "2026-10-01", "2026-11-25"),
            ("last-4-weeks", "2026-10-26", "2026-11-23"),
            ("last-quarter", "2026-07-01", "2026-10-01"),
            ("2017-04-01..2017-07-01", "2017-04-01", "2017-07-01"),
        ];
        for (text, from, to) in rows {
            let p = cal.parse_period(text, today).unwrap();
            assert_eq!((p.from, p.to), (d(from), d(to)), "{text}");
        }
    }

    #[test]
    fn rejects_nonsense() {
        let cal = Calendar::default();
        for text in [
            "2017-Q5",
            "soon",
            "2017-13",
            "2017-07-01..2017-04-01",
            "last-0-weeks",
            // Outside 1900-2199, or past chrono's range (they panicked).
            "last-99999999-weeks",
            "last-2635249153387078803-weeks",
            "last-7000-weeks",
            "+262142-12-01..+262142-12-31",
            "-262143-01-01..-262143-02-01",
            "1899-12-01..1900-01-02",
            "2199-12-01..2200-01-02",
            "2200-Q1",
            "9999-Q4",
        ] {
            assert!(cal.parse_period(text, d("2026-11-24")).is_err(), "{text}");
        }
    }

    #[test]
    fn fiscal_quarters_follow_the_start_month() {
        let cal = Calendar {
            fiscal_year_start_month: 2,
            ..Calendar::default()
        };
        // FY2026 starts 2026-02-01; 2027-01-15 is in its Q4 (Nov–Jan).
        let q = cal.quarter_containing(d("2027-01-15"));
        assert_eq!((q.from, q.to), (d("2026-11-01"), d("2027-02-01")));
        assert_eq!(cal.fiscal_label(q.from), (2026, 4));
        let q1 = cal.fiscal_quarter(2026, 1).unwrap();
        assert_eq!((q1.from, q1.to), (d("2026-02-01"), d("2026-05-01")));
    }

    #[test]
    fn weeks_follow_the_start_day() {
        let cal = Calendar {
            week_start: Weekday::Sun,
            ..Calendar::default()
        };
        let w = cal.week_containing(d("2026-11-24"));
        assert_eq!((w.from, w.to), (d("2026-11-22"), d("2026-11-29")));
    }

    #[test]
    fn local_dates_use_the_zone() {
        let cal = Calendar {
            tz: "America/New_York".parse().unwrap(),
            ..Calendar::default()
        };
        let t = d("2026-11-25").and_hms_opt(3, 0, 0).unwrap().and_utc();
        assert_eq!(cal.local_date(t), d("2026-11-24"));
        assert_eq!(
            cal.start_of(d("2026-11-24")),
            d("2026-11-24").and_hms_opt(5, 0, 0).unwrap().and_utc()
        );
    }

    #[test]
    fn wall_clock_times_around_dst_jumps() {
        let cal = Calendar {
            tz: "America/New_York".parse().unwrap(),
            ..Calendar::default()
        };
        let at = |day: &str, h, m| cal.instant_of(d(day).and_hms_opt(h, m, 0).unwrap());
        let utc = |day: &str, h, m| d(day).and_hms_opt(h, m, 0).unwrap().and_utc();
        // 8 March 2026, 02:00 → 03:00: 01:59 EST, then the skipped 02:00 and
        // 02:30 read as EST (03:00 and 03:30 EDT), then 03:00 EDT.
        assert_eq!(at("2026-03-08", 1, 59), utc("2026-03-08", 6, 59));
        assert_eq!(at("2026-03-08", 2, 0), utc("2026-03-08", 7, 0));
        assert_eq!(at("2026-03-08", 2, 30), utc("2026-03-08", 7, 30));
        assert_eq!(at("2026-03-08", 3, 0), utc("2026-03-08", 7, 0));
        // 1 November 2026, 01:30 happens twice: the first (EDT).
        assert_eq!(at("2026-11-01", 1, 30), utc("2026-11-01", 5, 30));
        // A zone that skips midnight (Santiago, 6 September 2026): the day
        // starts when the clocks read 01:00.
        let scl = Calendar {
            tz: "America/Santiago".parse().unwrap(),
            ..Calendar::default()
        };
        assert_eq!(scl.start_of(d("2026-09-06")), utc("2026-09-06", 4, 0));
    }
}
