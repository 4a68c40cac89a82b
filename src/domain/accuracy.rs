//! Forecast accuracy of past quarters (SPEC §8), per rep and for the team.
//!
//! For a closed fiscal quarter Q (Q ends on or before `today`) and a snapshot
//! S taken in Q:
//! - **call at S** = Σ amount of deals won from Q's start until S was taken
//!   (at or before S's instant, or on S's local date, and not among S's rows:
//!   a snapshot may be dated by the end of its day) + Σ amount of S's rows in
//!   category `commit` closing in Q;
//! - **actual** = Σ amount of deals won with a closed date in Q;
//! - **error** = (call − actual) ÷ actual, undefined when actual is 0;
//! - **flagged** when |error| > 25 %; a **red flag** when the quarter's
//!   headline is flagged and so was the previous quarter's.
//! - **headline**: the call of the earliest snapshot taken in Q's first 7 days
//!   ("the first day of the quarter", which with weekly snapshots is the first
//!   one); none when no snapshot was taken then.
//! - **band** of the headline error: worse than ±40 %, within ±40 %, ±15 %,
//!   ±10 %, ±5 % (bounds inclusive: exactly 15 % is within ±15 %).
//!
//! Only quarters that contain a snapshot are reported. Unknown amounts are not
//! summed; the count of won deals without an amount is shown beside.

use super::model::{Dataset, ForecastCategory, OppId, PeriodKind, RepId, Snapshot, Status};
use super::money::Money;
use super::period::{Calendar, Period};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Errors worse than this (in absolute value) are flagged.
pub const FLAG_THRESHOLD: f64 = 0.25;

/// The bands a maturing team moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// |error| > 40 %.
    Over40,
    /// 15 % < |error| ≤ 40 %.
    Within40,
    /// 10 % < |error| ≤ 15 %.
    Within15,
    /// 5 % < |error| ≤ 10 %.
    Within10,
    /// |error| ≤ 5 %.
    Within5,
}

impl Band {
    pub fn of(error: f64) -> Band {
        let e = error.abs();
        if e > 0.40 {
            Band::Over40
        } else if e > 0.15 {
            Band::Within40
        } else if e > 0.10 {
            Band::Within15
        } else if e > 0.05 {
            Band::Within10
        } else {
            Band::Within5
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Over40 => "worse than ±40%",
            Band::Within40 => "±40%",
            Band::Within15 => "±15%",
            Band::Within10 => "±10%",
            Band::Within5 => "±5%",
        }
    }
}

/// (call − actual) ÷ actual; `None` when actual is 0.
pub fn forecast_error(call: Money, actual: Money) -> Option<f64> {
    (actual.0 != 0).then(|| (call.0 - actual.0) as f64 / actual.0 as f64)
}

/// Whether an error is worse than ±25 %.
pub fn is_flagged(error: Option<f64>) -> bool {
    error.is_some_and(|e| e.abs() > FLAG_THRESHOLD)
}

/// The call made at one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotCall {
    pub taken_on: NaiveDate,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub call: Money,
    pub error: Option<f64>,
    pub flagged: bool,
}

/// Accuracy of one quarter for one rep or the team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterAccuracy {
    /// Rep id, or `team`.
    pub key: String,
    pub label: String,
    pub quarter: Period,
    /// `2026-Q1`.
    pub quarter_label: String,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub actual: Money,
    pub actual_without_amount: u64,
    /// The first-day-of-quarter call (see module doc), if a snapshot was taken then.
    pub headline: Option<SnapshotCall>,
    pub flagged: bool,
    pub red_flag: bool,
    pub band: Option<Band>,
    /// Every snapshot's call in the quarter, oldest first.
    pub calls: Vec<SnapshotCall>,
}

/// Accuracy of every closed quarter that has a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accuracy {
    /// The team, oldest quarter first.
    pub team: Vec<QuarterAccuracy>,
    /// Per rep, oldest quarter first, then by rep name.
    pub reps: Vec<QuarterAccuracy>,
}

/// The first day of every closed quarter (ended on or before `today`) with
/// no snapshot in its first 7 days, from the first quarter that starts with
/// data (`first`: the day the first deal was created; before it there was
/// no call): the quarters whose call is rebuilt from history.
/// `snapshot_days` in any order.
pub fn quarters_to_rebuild(
    cal: &Calendar,
    first: NaiveDate,
    snapshot_days: &[NaiveDate],
    today: NaiveDate,
) -> Vec<NaiveDate> {
    let mut q = cal.quarter_containing(first);
    if q.from < first {
        q = cal.shift(PeriodKind::Quarter, q, 1);
    }
    let mut out = Vec::new();
    while q.to <= today {
        let week = q.from + chrono::Days::new(7);
        if !snapshot_days.iter().any(|d| *d >= q.from && *d < week) {
            out.push(q.from);
        }
        q = cal.shift(PeriodKind::Quarter, q, 1);
    }
    out
}

/// What the accuracy reads of one snapshot S, in the quarter Q containing
/// its day: when it was taken, every owner with a row and the amount of
/// their rows in category `commit` closing in Q (zero when none), and the
/// deals won in Q by S ([`Won::by`]) that are among its rows (a deal is in
/// a call once: through the rows). Built from a snapshot's rows by
/// [`calls_of`], or read from the sums kept beside the stored rows
/// (`app::accuracy`); the two give the same.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFacts {
    pub taken_on: NaiveDate,
    pub taken_at: DateTime<Utc>,
    pub commit: BTreeMap<RepId, Money>,
    pub won_among_rows: BTreeSet<OppId>,
}

/// A deal won in a quarter.
#[derive(Debug, Clone, Copy)]
pub struct Won<'a> {
    pub at: DateTime<Utc>,
    /// The local day of `at`.
    pub day: NaiveDate,
    pub amount: Option<Money>,
    pub id: &'a OppId,
    pub owner: &'a RepId,
}

impl Won<'_> {
    /// Whether it was won by the time a snapshot was taken: at or before
    /// its instant, or on or before its day (a snapshot may be dated by the
    /// end of its day).
    pub fn by(&self, taken_at: DateTime<Utc>, taken_on: NaiveDate) -> bool {
        self.at <= taken_at || self.day <= taken_on
    }
}

/// The deals won in `q` (closed won, the closed instant's day in `q`), in
/// the dataset's order.
pub fn won_in<'a>(data: &'a Dataset, cal: &Calendar, q: Period) -> Vec<Won<'a>> {
    data.opportunities
        .iter()
        .filter(|o| o.status == Status::Won)
        .filter_map(|o| {
            let at = o.closed_at?;
            let day = cal.local_date(at);
            q.contains(day).then_some(Won {
                at,
                day,
                amount: o.amount,
                id: &o.id,
                owner: &o.owner_id,
            })
        })
        .collect()
}

/// The facts of each snapshot, in their order, from their rows.
pub fn calls_of<'s>(
    data: &Dataset,
    snapshots: impl IntoIterator<Item = &'s Snapshot>,
    cal: &Calendar,
) -> Vec<CallFacts> {
    let mut won: HashMap<Period, HashMap<&OppId, Won<'_>>> = HashMap::new();
    snapshots
        .into_iter()
        .map(|s| {
            let q = cal.quarter_containing(s.taken_on);
            let won = won.entry(q).or_insert_with(|| {
                won_in(data, cal, q)
                    .into_iter()
                    .map(|w| (w.id, w))
                    .collect()
            });
            let mut commit = BTreeMap::new();
            for r in &s.rows {
                let owner = commit.entry(r.owner_id.clone()).or_insert(Money(0));
                if r.forecast_category == Some(ForecastCategory::Commit)
                    && r.close_date.is_some_and(|d| q.contains(d))
                    && let Some(a) = r.amount
                {
                    *owner += a;
                }
            }
            CallFacts {
                taken_on: s.taken_on,
                taken_at: s.taken_at,
                commit,
                won_among_rows: s
                    .rows
                    .iter()
                    .filter(|r| {
                        won.get(&r.opportunity_id)
                            .is_some_and(|w| w.by(s.taken_at, s.taken_on))
                    })
                    .map(|r| r.opportunity_id.clone())
                    .collect(),
            }
        })
        .collect()
}

/// Accuracy on `today`; `snapshots` in any order.
pub fn accuracy<'s>(
    data: &Dataset,
    snapshots: impl IntoIterator<Item = &'s Snapshot>,
    cal: &Calendar,
    today: NaiveDate,
) -> Accuracy {
    accuracy_of(data, calls_of(data, snapshots, cal), cal, today)
}

/// Accuracy on `today` from the facts of the snapshots, in any order (ties
/// of the instant taken keep their order).
pub fn accuracy_of(
    data: &Dataset,
    mut calls: Vec<CallFacts>,
    cal: &Calendar,
    today: NaiveDate,
) -> Accuracy {
    calls.sort_by_key(|s| s.taken_at);
    let mut quarters: Vec<Period> = calls
        .iter()
        .map(|s| cal.quarter_containing(s.taken_on))
        .filter(|q| q.to <= today)
        .collect();
    quarters.dedup();
    let mut team = Vec::new();
    let mut reps = Vec::new();
    for &q in &quarters {
        let in_q: Vec<&CallFacts> = calls.iter().filter(|s| q.contains(s.taken_on)).collect();
        let won = won_in(data, cal, q);
        team.push(quarter_accuracy(data, &won, &in_q, cal, q, None));
        let mut by_owner: BTreeMap<&RepId, Vec<Won<'_>>> = in_q
            .iter()
            .flat_map(|s| s.commit.keys())
            .map(|o| (o, Vec::new()))
            .collect();
        for w in &won {
            by_owner.entry(w.owner).or_default().push(*w);
        }
        let mut lines: Vec<QuarterAccuracy> = by_owner
            .iter()
            .map(|(&id, won)| quarter_accuracy(data, won, &in_q, cal, q, Some(id)))
            .collect();
        lines.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.key.cmp(&b.key)));
        reps.extend(lines);
    }
    mark_red_flags(&mut team, cal);
    mark_red_flags(&mut reps, cal);
    Accuracy { team, reps }
}

/// A red flag: flagged this quarter and the previous quarter, same key.
fn mark_red_flags(lines: &mut [QuarterAccuracy], cal: &Calendar) {
    let flagged: HashSet<(String, NaiveDate)> = lines
        .iter()
        .filter(|l| l.flagged)
        .map(|l| (l.key.clone(), l.quarter.from))
        .collect();
    for l in lines.iter_mut() {
        let prev = cal.shift(PeriodKind::Quarter, l.quarter, -1);
        l.red_flag = l.flagged && flagged.contains(&(l.key.clone(), prev.from));
    }
}

/// The accuracy of the team (`owner` none, `won` every deal won in `q`)
/// or of one owner (`won` theirs).
fn quarter_accuracy(
    data: &Dataset,
    won: &[Won<'_>],
    calls: &[&CallFacts],
    cal: &Calendar,
    q: Period,
    owner: Option<&RepId>,
) -> QuarterAccuracy {
    let actual: Money = won.iter().filter_map(|w| w.amount).sum();
    let calls: Vec<SnapshotCall> = calls
        .iter()
        .map(|s| {
            let won_so_far: Money = won
                .iter()
                .filter(|w| w.by(s.taken_at, s.taken_on) && !s.won_among_rows.contains(w.id))
                .filter_map(|w| w.amount)
                .sum();
            let commit: Money = match owner {
                Some(o) => s.commit.get(o).copied().unwrap_or(Money(0)),
                None => s.commit.values().copied().sum(),
            };
            let call = won_so_far + commit;
            let error = forecast_error(call, actual);
            SnapshotCall {
                taken_on: s.taken_on,
                call,
                error,
                flagged: is_flagged(error),
            }
        })
        .collect();
    let first_week_end = q.from + Days::new(7);
    let headline = calls
        .iter()
        .find(|c| c.taken_on >= q.from && c.taken_on < first_week_end)
        .cloned();
    let error = headline.as_ref().and_then(|h| h.error);
    let (y, n) = cal.fiscal_label(q.from);
    let (key, label) = match owner {
        None => ("team".to_string(), "Team".to_string()),
        Some(id) => (
            id.0.to_string(),
            data.rep(id)
                .map_or_else(|| id.0.to_string(), |r| r.name.clone()),
        ),
    };
    QuarterAccuracy {
        key,
        label,
        quarter: q,
        quarter_label: format!("{y}-Q{n}"),
        actual,
        actual_without_amount: won.iter().filter(|w| w.amount.is_none()).count() as u64,
        flagged: is_flagged(error),
        red_flag: false,
        band: error.map(Band::of),
        headline,
        calls,
    }
}

#[cfg(test)]
mod tests;
