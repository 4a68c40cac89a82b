//! Calibration, not faith (SPEC §15): every deal closed (won or lost) in a
//! period is replayed as it stood at the end of the day `days` before the
//! day it closed — the `--as-of` rule of `domain/asof.rs`, applied to that
//! deal alone with its own history — and scored with the same rules on that
//! day. Per score band (0–20, 20–40, 40–60, 60–80, 80–100; a score of 100
//! falls in the last) the deals won, lost and the win rate with its sample
//! size. Deals created after the replay day, or not open on it, are counted
//! as skipped.

use super::ScoreIndex;
use crate::domain::asof::opportunity_as_of;
use crate::domain::model::Status;
use crate::domain::period::{Period, join_spans};
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// The bands' lower bounds; each band is 20 wide.
pub const BAND_FROM: [u32; 5] = [0, 20, 40, 60, 80];

/// One score band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    pub from: u32,
    pub to: u32,
    pub won: u32,
    pub lost: u32,
    /// won ÷ (won + lost); `None` when the band is empty.
    pub win_rate: Option<f64>,
    pub n: u32,
}

/// The calibration of the score over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    pub period: Period,
    /// Replayed this many days before each close.
    pub days: i64,
    pub bands: Vec<Band>,
    /// Closed in the period but not open on its replay day (created later).
    pub skipped: u32,
}

/// The band index of a score.
pub fn band_of(score: u32) -> usize {
    ((score / 20) as usize).min(BAND_FROM.len() - 1)
}

/// Replays and scores every deal closed in `period` (see the module doc).
pub fn calibrate(ix: &ScoreIndex<'_>, period: Period, days: i64) -> Calibration {
    tally(ix, period, days).calibration(period, days)
}

/// What a replay counted: per band the deals won and lost, the deals
/// skipped, and the first and last day a deal closed. Tallies of disjoint
/// periods add up to the tally of their union: the report over every close
/// is read a slice of the calendar at a time (`app::calibration`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    won: [u32; 5],
    lost: [u32; 5],
    skipped: u32,
    /// The first and last close day of the deals closed in the period.
    closed: Option<(NaiveDate, NaiveDate)>,
}

impl std::ops::AddAssign for Tally {
    /// Both tallies together.
    fn add_assign(&mut self, other: Tally) {
        for i in 0..BAND_FROM.len() {
            self.won[i] += other.won[i];
            self.lost[i] += other.lost[i];
        }
        self.skipped += other.skipped;
        self.closed = join_spans(self.closed, other.closed);
    }
}

impl Tally {
    /// The calibration over every day on which a deal closed, `[first,
    /// last + 1)`, or over `day` when none did (a tally of every day up to
    /// `day`).
    pub fn over_every_close(&self, day: NaiveDate, days: i64) -> Calibration {
        let (from, last) = self.closed.unwrap_or((day, day));
        let period = Period {
            from,
            to: last + Days::new(1),
        };
        self.calibration(period, days)
    }

    /// The calibration of `period` from these counts.
    pub fn calibration(&self, period: Period, days: i64) -> Calibration {
        let bands = BAND_FROM
            .iter()
            .enumerate()
            .map(|(i, from)| {
                let n = self.won[i] + self.lost[i];
                Band {
                    from: *from,
                    to: from + 20,
                    won: self.won[i],
                    lost: self.lost[i],
                    win_rate: (n > 0).then(|| self.won[i] as f64 / n as f64),
                    n,
                }
            })
            .collect();
        Calibration {
            period,
            days,
            bands,
            skipped: self.skipped,
        }
    }
}

/// Replays and scores every deal closed in `period`, and counts them.
pub fn tally(ix: &ScoreIndex<'_>, period: Period, days: i64) -> Tally {
    let mut t = Tally::default();
    for o in &ix.data.opportunities {
        let Some(closed) = o.closed_at else { continue };
        if o.status == Status::Open {
            continue;
        }
        let closed_day = ix.cal.local_date(closed);
        if !period.contains(closed_day) {
            continue;
        }
        t.closed = join_spans(t.closed, Some((closed_day, closed_day)));
        let Some(day) = closed_day.checked_sub_days(Days::new(days.max(0) as u64)) else {
            t.skipped += 1;
            continue;
        };
        let then = opportunity_as_of(o, ix.history(&o.id), ix.cal.end_of(day));
        let Some(then) = then.filter(|t| t.status == Status::Open) else {
            t.skipped += 1;
            continue;
        };
        let b = band_of(ix.score(&then, day).value);
        match o.status {
            Status::Won => t.won[b] += 1,
            _ => t.lost[b] += 1,
        }
    }
    t
}
