//! The week-over-week waterfall (SPEC §8): how the open pipeline closing in a
//! period moved from snapshot A to snapshot B.
//!
//! A deal is *in the period* in a snapshot when its row's close date falls in
//! the period. Each deal in A's period or B's period lands in exactly one part:
//! - in both periods → **amount change** += amount_B − amount_A;
//! - in B's period only, in A outside the period → **pulled in** += amount_B;
//! - in B's period only, not in A at all → **new** += amount_B (created or re-opened);
//! - in A's period only, in B outside the period → **pushed out** += amount_A;
//! - in A's period only, not in B: **won** / **lost** += amount_A when the
//!   dataset shows it won / lost by the time B was taken (at or before B's
//!   instant, or on B's local date: a snapshot may be dated by the end of its
//!   day); otherwise (still open, deleted, or closed later) **pushed out**.
//!
//! So end − start = new + pulled_in − pushed_out − won − lost + amount_changes
//! holds to the cent by construction. Unknown amounts count as 0 here; the
//! deals without an amount are counted beside.

use super::model::{Dataset, OppId, RepId, Snapshot, SnapshotRow, Status};
use super::money::Money;
use super::period::{Calendar, Period};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Which part of the waterfall a deal's move belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    New,
    PulledIn,
    PushedOut,
    Won,
    Lost,
    AmountChange,
}

impl MoveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::New => "new",
            MoveKind::PulledIn => "pulled in",
            MoveKind::PushedOut => "pushed out",
            MoveKind::Won => "won",
            MoveKind::Lost => "lost",
            MoveKind::AmountChange => "amount change",
        }
    }
}

/// One deal's contribution to a part (unsigned for every part but amount changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    pub opportunity_id: OppId,
    pub owner_id: RepId,
    pub kind: MoveKind,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub amount: Money,
    /// The deal has no amount in A or B (counted here as 0).
    pub amount_unknown: bool,
}

/// The waterfall from A to B over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waterfall {
    pub period: Period,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub start: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub new: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub pulled_in: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub pushed_out: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub won: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub lost: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub amount_changes: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub end: Money,
    pub start_count: u64,
    pub end_count: u64,
    /// Deals in A's or B's period with an unknown amount in either (counted as 0).
    pub without_amount: u64,
    /// Every deal that moved, by part then by id; amount changes of 0 are left out.
    pub moves: Vec<Move>,
}

impl Waterfall {
    /// new + pulled_in − pushed_out − won − lost + amount_changes.
    pub fn net(&self) -> Money {
        self.new + self.pulled_in - self.pushed_out - self.won - self.lost + self.amount_changes
    }

    /// Σ amount of one part over the deals of one owner (the drill-down).
    pub fn part_for(&self, kind: MoveKind, owner: &RepId) -> Money {
        self.moves
            .iter()
            .filter(|m| m.kind == kind && &m.owner_id == owner)
            .map(|m| m.amount)
            .sum()
    }
}

/// The waterfall from snapshot `a` to snapshot `b` over `period`; `data`
/// tells which deals of A were won or lost by the time B was taken.
pub fn waterfall(
    a: &Snapshot,
    b: &Snapshot,
    data: &Dataset,
    cal: &Calendar,
    period: Period,
) -> Waterfall {
    let in_period = |r: &SnapshotRow| r.close_date.is_some_and(|d| period.contains(d));
    let rows_a: HashMap<&OppId, &SnapshotRow> =
        a.rows.iter().map(|r| (&r.opportunity_id, r)).collect();
    let rows_b: HashMap<&OppId, &SnapshotRow> =
        b.rows.iter().map(|r| (&r.opportunity_id, r)).collect();
    let ids: BTreeSet<&OppId> = a
        .rows
        .iter()
        .chain(&b.rows)
        .filter(|r| in_period(r))
        .map(|r| &r.opportunity_id)
        .collect();
    let amt = |r: &SnapshotRow| r.amount.unwrap_or(Money::ZERO);
    let mut w = Waterfall {
        period,
        from: a.taken_on,
        to: b.taken_on,
        start: Money::ZERO,
        new: Money::ZERO,
        pulled_in: Money::ZERO,
        pushed_out: Money::ZERO,
        won: Money::ZERO,
        lost: Money::ZERO,
        amount_changes: Money::ZERO,
        end: Money::ZERO,
        start_count: 0,
        end_count: 0,
        without_amount: 0,
        moves: Vec::new(),
    };
    let deals = data.opportunities_by_id();
    for id in ids {
        let ra = rows_a.get(id).copied();
        let rb = rows_b.get(id).copied();
        let a_in = ra.filter(|r| in_period(r));
        let b_in = rb.filter(|r| in_period(r));
        if let Some(r) = a_in {
            w.start += amt(r);
            w.start_count += 1;
        }
        if let Some(r) = b_in {
            w.end += amt(r);
            w.end_count += 1;
        }
        let unknown =
            a_in.is_some_and(|r| r.amount.is_none()) || b_in.is_some_and(|r| r.amount.is_none());
        if unknown {
            w.without_amount += 1;
        }
        let (kind, amount, owner) = match (a_in, b_in) {
            (Some(x), Some(y)) => (MoveKind::AmountChange, amt(y) - amt(x), &y.owner_id),
            (None, Some(y)) if ra.is_some() => (MoveKind::PulledIn, amt(y), &y.owner_id),
            (None, Some(y)) => (MoveKind::New, amt(y), &y.owner_id),
            (Some(x), None) if rb.is_some() => (MoveKind::PushedOut, amt(x), &x.owner_id),
            (Some(x), None) => {
                let closed = deals
                    .get(id)
                    .filter(|o| {
                        o.closed_at
                            .is_some_and(|t| t <= b.taken_at || cal.local_date(t) <= b.taken_on)
                    })
                    .map(|o| o.status);
                let kind = match closed {
                    Some(Status::Won) => MoveKind::Won,
                    Some(Status::Lost) => MoveKind::Lost,
                    _ => MoveKind::PushedOut,
                };
                (kind, amt(x), &x.owner_id)
            }
            (None, None) => continue,
        };
        match kind {
            MoveKind::New => w.new += amount,
            MoveKind::PulledIn => w.pulled_in += amount,
            MoveKind::PushedOut => w.pushed_out += amount,
            MoveKind::Won => w.won += amount,
            MoveKind::Lost => w.lost += amount,
            MoveKind::AmountChange => w.amount_changes += amount,
        }
        if kind != MoveKind::AmountChange || amount != Money::ZERO {
            w.moves.push(Move {
                opportunity_id: id.clone(),
                owner_id: owner.clone(),
                kind,
                amount,
                amount_unknown: unknown,
            });
        }
    }
    w.moves.sort_by(|x, y| {
        x.kind
            .cmp(&y.kind)
            .then_with(|| x.opportunity_id.cmp(&y.opportunity_id))
    });
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn at(m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, 8, 0, 0).unwrap()
    }

    fn row(id: &str, amount: Option<i64>, close: NaiveDate) -> SnapshotRow {
        SnapshotRow {
            opportunity_id: OppId(id.into()),
            owner_id: RepId(if id == "i" { "bob" } else { "ann" }.into()),
            stage: "Demo".into(),
            amount: amount.map(Money::from_major),
            close_date: Some(close),
            forecast_category: None,
        }
    }

    fn closed(id: &str, status: Status, when: DateTime<Utc>) -> Opportunity {
        Opportunity {
            id: OppId(id.into()),
            name: id.into(),
            account_id: None,
            owner_id: RepId("ann".into()),
            source_rep_id: None,
            created_at: None,
            stage: "x".into(),
            amount: None,
            close_date: None,
            forecast_category: None,
            status,
            closed_at: Some(when),
            loss_reason: None,
            next_step: None,
            next_step_date: None,
            list_amount: None,
            channel: None,
        }
    }

    /// Q1 2026; A on 2 Mar, B on 9 Mar. By hand:
    /// start = a 100 + b 200 + c 300 + d 400 + e 500 + f 600 + g (unknown) + k 50 = 2150
    /// end   = a 150 + b 200 + h 700 + i 800 + g 50 = 1900
    /// new = h 700 (not in A); pulled in = i 800 (A: 2 Apr); pushed out = c 300
    /// (B: 10 Apr) + f 600 (gone, closed after B's day) = 900; won = d 400;
    /// lost = e 500 + k 50 (lost on B's day, after B's instant) = 550;
    /// amount changes = a +50, b 0, g +50 (unknown in A) = 100.
    /// 700 + 800 − 900 − 400 − 550 + 100 = −250 = 1900 − 2150.
    #[test]
    fn parts_add_up_on_a_hand_worked_fixture() {
        let a = Snapshot {
            taken_on: day(3, 2),
            taken_at: at(3, 2),
            rows: vec![
                row("a", Some(100), day(3, 20)),
                row("b", Some(200), day(2, 1)),
                row("c", Some(300), day(3, 30)),
                row("d", Some(400), day(3, 5)),
                row("e", Some(500), day(3, 6)),
                row("f", Some(600), day(3, 7)),
                row("k", Some(50), day(3, 9)),
                row("g", None, day(3, 8)),
                row("i", Some(800), day(4, 2)),
                row("z", Some(5000), day(5, 1)),
            ],
        };
        let b = Snapshot {
            taken_on: day(3, 9),
            taken_at: at(3, 9),
            rows: vec![
                row("a", Some(150), day(3, 20)),
                row("b", Some(200), day(2, 2)),
                row("c", Some(300), day(4, 10)),
                row("g", Some(50), day(3, 8)),
                row("h", Some(700), day(3, 31)),
                row("i", Some(800), day(3, 31)),
                row("z", Some(9000), day(5, 1)),
            ],
        };
        let data = Dataset {
            opportunities: vec![
                closed("d", Status::Won, at(3, 4)),
                closed("e", Status::Lost, at(3, 6)),
                // f closed after B's day: at B it was gone without closing.
                closed("f", Status::Won, at(3, 10)),
                // k closed on B's day after B's instant (08:00): B may be dated by
                // the end of its day, so it counts as lost.
                closed(
                    "k",
                    Status::Lost,
                    Utc.with_ymd_and_hms(2026, 3, 9, 20, 0, 0).unwrap(),
                ),
            ],
            ..Dataset::default()
        };
        let q1 = Period {
            from: day(1, 1),
            to: day(4, 1),
        };
        let w = waterfall(&a, &b, &data, &Calendar::default(), q1);
        let major = |m: Money| m.0 / 100;
        assert_eq!(
            [
                major(w.start),
                major(w.new),
                major(w.pulled_in),
                major(w.pushed_out),
                major(w.won),
                major(w.lost),
                major(w.amount_changes),
                major(w.end)
            ],
            [2150, 700, 800, 900, 400, 550, 100, 1900]
        );
        assert_eq!((w.start_count, w.end_count, w.without_amount), (8, 5, 1));
        assert_eq!(w.net(), w.end - w.start);
        // b's amount didn't change: no move listed; everything else is.
        let listed: Vec<(&str, MoveKind)> = w
            .moves
            .iter()
            .map(|m| (m.opportunity_id.as_str(), m.kind))
            .collect();
        assert_eq!(
            listed,
            vec![
                ("h", MoveKind::New),
                ("i", MoveKind::PulledIn),
                ("c", MoveKind::PushedOut),
                ("f", MoveKind::PushedOut),
                ("d", MoveKind::Won),
                ("e", MoveKind::Lost),
                ("k", MoveKind::Lost),
                ("a", MoveKind::AmountChange),
                ("g", MoveKind::AmountChange),
            ]
        );
        // Drill-down: bob owns i (pulled in 800).
        assert_eq!(
            w.part_for(MoveKind::PulledIn, &RepId("bob".into())).0,
            80_000
        );
        assert_eq!(w.part_for(MoveKind::PulledIn, &RepId("ann".into())).0, 0);
    }
}
