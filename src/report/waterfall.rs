//! `pipedeck report waterfall`: how the period's open pipeline moved between
//! two snapshots, for the team, per rep, and deal by deal.

use super::{Column, Input, Report, Table};
use crate::domain::period::Calendar;
use crate::domain::waterfall::{MoveKind, Waterfall, waterfall};
use crate::domain::{Money, RepId, Snapshot, Taken};
use chrono::NaiveDate;
use serde::Serialize;

/// Why a waterfall cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaterfallError {
    #[error(
        "the waterfall needs two forecast snapshots; {0} found (run `pipedeck snapshot` on two days)"
    )]
    TooFewSnapshots(usize),
    #[error("no forecast snapshot taken on or before {0}")]
    NoSnapshotBy(NaiveDate),
    #[error("the start snapshot ({from}) is not before the end snapshot ({to})")]
    NotBefore { from: NaiveDate, to: NaiveDate },
}

/// The waterfall report. JSON: `{currency, period, from, to, start, new,
/// pulled_in, pushed_out, won, lost, amount_changes, end, start_count,
/// end_count, without_amount, moves: [...], reps: [...]}`.
#[derive(Debug, Clone, Serialize)]
pub struct WaterfallReport {
    pub currency: String,
    #[serde(flatten)]
    pub waterfall: Waterfall,
    /// Per owner of a moved deal, by name.
    pub reps: Vec<RepParts>,
    /// The ends (`from`, `to` days) that had no stored snapshot and were
    /// rebuilt from history (`to` is the data as it is now when it is today).
    pub rebuilt_from_history: Vec<NaiveDate>,
}

/// The snapshot standing for `day`: the latest stored one taken in the
/// seven days up to it, else the open pipeline rebuilt from history as it
/// stood at the end of `day` (`true`: rebuilt).
pub fn snapshot_for(input: &Input, day: NaiveDate) -> (Snapshot, bool) {
    if let Some(s) = stored_for(input.snapshots, day) {
        return (s.clone(), false);
    }
    (rebuilt_for(input, day), true)
}

/// The open pipeline rebuilt from history as it stood at the end of `day`.
fn rebuilt_for(input: &Input, day: NaiveDate) -> Snapshot {
    let end = input.cal.end_of(day);
    // The deals alone, rewound: a copy of the whole dataset is not needed.
    let past = crate::domain::asof::Rewind::new(input.data, input.snapshots).open_at(end);
    let mut snap = crate::domain::snapshot::snapshot_of(&past, input.cal, end);
    snap.taken_on = day;
    snap
}

/// The stored snapshot standing for `day` ([`snapshot_for`]): the latest
/// one taken in the seven days up to it.
fn stored_for<T: Taken>(snapshots: &[T], day: NaiveDate) -> Option<&T> {
    let week_before = day - chrono::Days::new(6);
    snapshots
        .iter()
        .filter(|s| s.taken_on() <= day && s.taken_on() >= week_before)
        .max_by_key(|s| s.taken_at())
}

/// The snapshots [`snapshot_for`] reads for `day`: the stored one standing
/// for it, else the one the rebuilt deals without history take.
fn read_for<'s, T: Taken>(cal: &Calendar, snapshots: &'s [T], day: NaiveDate) -> Option<&'s T> {
    stored_for(snapshots, day).or_else(|| {
        let end = cal.end_of(day);
        crate::domain::asof::overlay_source(snapshots, end)
    })
}

/// The snapshots [`WaterfallReport::between`] reads (from the stored ones,
/// oldest first): those standing for `from` and, unless it is today, `to`.
pub fn read_between<'s, T: Taken>(
    cal: &Calendar,
    today: NaiveDate,
    snapshots: &'s [T],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<&'s T> {
    let mut ends = vec![from];
    if to < today {
        ends.push(to);
    }
    ends.into_iter()
        .filter_map(|d| read_for(cal, snapshots, d))
        .collect()
}

/// The snapshots [`WaterfallReport::build`] reads (from the stored ones,
/// oldest first): the two [`pick`] chooses, else what the waterfall
/// rebuilt between the two days reads.
pub fn read_by_build<'s, T: Taken>(
    cal: &Calendar,
    today: NaiveDate,
    snapshots: &'s [T],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Vec<&'s T> {
    if let Ok((a, b)) = pick(snapshots, from, to) {
        return vec![a, b];
    }
    let (from, to) = rebuilt_days(today, from, to);
    read_between(cal, today, snapshots, from, to)
}

/// The two days a waterfall rebuilds its ends on when [`pick`] finds no
/// pair: `to` (default today), and `from` (default a week before `to`).
pub fn rebuilt_days(
    today: NaiveDate,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> (NaiveDate, NaiveDate) {
    let to = to.unwrap_or(today);
    (from.unwrap_or(to - chrono::Days::new(7)), to)
}

/// One owner's parts of the waterfall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepParts {
    pub rep_id: RepId,
    pub name: String,
    #[serde(serialize_with = "crate::report::money_major::serialize")]
    pub new: Money,
    #[serde(serialize_with = "crate::report::money_major::serialize")]
    pub pulled_in: Money,
    #[serde(serialize_with = "crate::report::money_major::serialize")]
    pub pushed_out: Money,
    #[serde(serialize_with = "crate::report::money_major::serialize")]
    pub won: Money,
    #[serde(serialize_with = "crate::report::money_major::serialize")]
    pub lost: Money,
    #[serde(serialize_with = "crate::report::money_major::serialize")]
    pub amount_changes: Money,
}

/// The latest snapshot taken on or before `day`.
fn by<T: Taken>(snaps: &[&T], day: NaiveDate) -> Result<usize, WaterfallError> {
    snaps
        .iter()
        .rposition(|s| s.taken_on() <= day)
        .ok_or(WaterfallError::NoSnapshotBy(day))
}

/// Picks the two snapshots: by default week over week — the latest, and the
/// latest one taken at least 7 days before it (the one before it when none
/// is that old; the cockpit's daily snapshots would otherwise make the
/// default day over day). `from`/`to` pick the latest snapshot taken on or
/// before each date (`from` alone: to the latest; `to` alone: from a week
/// before it, by the same rule).
pub fn pick<T: Taken>(
    snapshots: &[T],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(&T, &T), WaterfallError> {
    let mut snaps: Vec<&T> = snapshots.iter().collect();
    snaps.sort_by_key(|s| s.taken_on());
    if snaps.len() < 2 {
        return Err(WaterfallError::TooFewSnapshots(snaps.len()));
    }
    let b = match to {
        Some(d) => by(&snaps, d)?,
        None => snaps.len() - 1,
    };
    let a = match from {
        Some(d) => by(&snaps, d)?,
        None if b > 0 => {
            let week_before = snaps[b].taken_on() - chrono::Days::new(7);
            by(&snaps[..b], week_before).unwrap_or(b - 1)
        }
        None => return Err(WaterfallError::TooFewSnapshots(1)),
    };
    if a >= b {
        return Err(WaterfallError::NotBefore {
            from: snaps[a].taken_on(),
            to: snaps[b].taken_on(),
        });
    }
    Ok((snaps[a], snaps[b]))
}

impl WaterfallReport {
    /// The waterfall over `input.period` (default: the fiscal quarter of the
    /// end snapshot) between the snapshots [`pick`] chooses.
    pub fn build(
        input: &Input,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<WaterfallReport, WaterfallError> {
        let (a, b) = match pick(input.snapshots, from, to) {
            Ok(x) => x,
            // Too few snapshots: both ends are rebuilt from history.
            Err(_) => {
                let (from, to) = rebuilt_days(input.today, from, to);
                if from >= to {
                    return Err(WaterfallError::NotBefore { from, to });
                }
                return Ok(WaterfallReport::between(input, from, to));
            }
        };
        Ok(WaterfallReport::from_snapshots(input, a, b, Vec::new()))
    }

    /// The waterfall from the end of `from` to the end of `to`, each end the
    /// snapshot [`snapshot_for`] gives; when `to` is today the end is the
    /// data as it is now (edits made today included), and when the stored
    /// snapshot standing for `from` stands for `to` too, `to` is rebuilt
    /// from history.
    pub fn between(input: &Input, from: NaiveDate, to: NaiveDate) -> WaterfallReport {
        WaterfallReport::between_for(input, from, to, None)
    }

    /// [`WaterfallReport::between`] over one owner's deals only.
    pub fn between_for(
        input: &Input,
        from: NaiveDate,
        to: NaiveDate,
        owner: Option<&RepId>,
    ) -> WaterfallReport {
        let (mut a, ra) = snapshot_for(input, from);
        let (mut b, rb) = if to >= input.today {
            let now = input.cal.end_of(input.today);
            let mut s = crate::domain::snapshot::take_snapshot(input.data, input.cal, now);
            s.taken_on = input.today;
            (s, false)
        } else {
            match snapshot_for(input, to) {
                // One stored snapshot standing for both days would compare
                // it with itself (nothing moved, said of days things moved
                // on): the later end is rebuilt from history instead.
                (s, false) if !ra && s.taken_at == a.taken_at => (rebuilt_for(input, to), true),
                other => other,
            }
        };
        if let Some(me) = owner {
            a.rows.retain(|r| &r.owner_id == me);
            b.rows.retain(|r| &r.owner_id == me);
        }
        let mut rebuilt = Vec::new();
        if ra {
            rebuilt.push(from);
        }
        if rb {
            rebuilt.push(to);
        }
        WaterfallReport::from_snapshots(input, &a, &b, rebuilt)
    }

    fn from_snapshots(
        input: &Input,
        a: &Snapshot,
        b: &Snapshot,
        rebuilt_from_history: Vec<NaiveDate>,
    ) -> WaterfallReport {
        let period = input
            .period
            .unwrap_or_else(|| input.cal.quarter_containing(b.taken_on));
        let w = waterfall(a, b, input.data, input.cal, period);
        let mut owners: Vec<&RepId> = w.moves.iter().map(|m| &m.owner_id).collect();
        owners.sort();
        owners.dedup();
        let mut reps: Vec<RepParts> = owners
            .into_iter()
            .map(|id| RepParts {
                rep_id: id.clone(),
                name: input
                    .data
                    .rep(id)
                    .map_or_else(|| id.0.to_string(), |r| r.name.clone()),
                new: w.part_for(MoveKind::New, id),
                pulled_in: w.part_for(MoveKind::PulledIn, id),
                pushed_out: w.part_for(MoveKind::PushedOut, id),
                won: w.part_for(MoveKind::Won, id),
                lost: w.part_for(MoveKind::Lost, id),
                amount_changes: w.part_for(MoveKind::AmountChange, id),
            })
            .collect();
        reps.sort_by(|x, y| x.name.cmp(&y.name).then_with(|| x.rep_id.cmp(&y.rep_id)));
        WaterfallReport {
            currency: input.settings.currency.clone(),
            waterfall: w,
            reps,
            rebuilt_from_history,
        }
    }
}

fn columns() -> Vec<Column> {
    vec![
        Column::left("who"),
        Column::left("step"),
        Column::right("amount"),
        Column::right("deals"),
        Column::left("deal"),
    ]
}

fn signed(kind: MoveKind, m: Money) -> String {
    match kind {
        _ if m.0 == 0 => "0".to_string(),
        MoveKind::New | MoveKind::PulledIn => format!("+{m}"),
        MoveKind::PushedOut | MoveKind::Won | MoveKind::Lost => format!("-{m}"),
        MoveKind::AmountChange if m.0 >= 0 => format!("+{m}"),
        MoveKind::AmountChange => m.to_string(),
    }
}

impl Report for WaterfallReport {
    fn tables(&self) -> Vec<Table> {
        let w = &self.waterfall;
        let count = |k: MoveKind| w.moves.iter().filter(|m| m.kind == k).count().to_string();
        let mut team = Table::new(
            Some(format!(
                "Pipeline waterfall {} from {} to {}",
                w.period, w.from, w.to
            )),
            columns(),
        );
        let row = |step: &str, amount: String, deals: String| {
            vec!["Team".into(), step.into(), amount, deals, String::new()]
        };
        team.rows
            .push(row("start", w.start.to_string(), w.start_count.to_string()));
        for (k, m) in [
            (MoveKind::New, w.new),
            (MoveKind::PulledIn, w.pulled_in),
            (MoveKind::PushedOut, w.pushed_out),
            (MoveKind::Won, w.won),
            (MoveKind::Lost, w.lost),
            (MoveKind::AmountChange, w.amount_changes),
        ] {
            team.rows.push(row(k.as_str(), signed(k, m), count(k)));
        }
        team.rows
            .push(row("end", w.end.to_string(), w.end_count.to_string()));
        for d in &self.rebuilt_from_history {
            team.notes.push(format!(
                "No snapshot of its own near {d}: the pipeline of that day is rebuilt from history."
            ));
        }
        if w.without_amount > 0 {
            team.notes.push(format!(
                "{} deals have no amount and count as 0 here.",
                w.without_amount
            ));
        }
        let mut by_rep = Table::new(Some("Waterfall by rep".to_string()), columns());
        for r in &self.reps {
            for (k, m) in [
                (MoveKind::New, r.new),
                (MoveKind::PulledIn, r.pulled_in),
                (MoveKind::PushedOut, r.pushed_out),
                (MoveKind::Won, r.won),
                (MoveKind::Lost, r.lost),
                (MoveKind::AmountChange, r.amount_changes),
            ] {
                let n = w
                    .moves
                    .iter()
                    .filter(|x| x.kind == k && x.owner_id == r.rep_id)
                    .count();
                if n > 0 {
                    by_rep.rows.push(vec![
                        r.name.clone(),
                        k.as_str().into(),
                        signed(k, m),
                        n.to_string(),
                        String::new(),
                    ]);
                }
            }
        }
        let mut deals = Table::new(Some("Deals that moved".to_string()), columns());
        for m in &w.moves {
            let who = self
                .reps
                .iter()
                .find(|r| r.rep_id == m.owner_id)
                .map_or_else(|| m.owner_id.0.to_string(), |r| r.name.clone());
            deals.rows.push(vec![
                who.to_string(),
                m.kind.as_str().into(),
                signed(m.kind, m.amount),
                "1".into(),
                if m.amount_unknown {
                    format!("{} (no amount)", m.opportunity_id)
                } else {
                    m.opportunity_id.0.to_string()
                },
            ]);
        }
        vec![team, by_rep, deals]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn snap(day: &str) -> Snapshot {
        let taken_on: NaiveDate = day.parse().expect("date");
        Snapshot {
            taken_on,
            taken_at: chrono::Utc
                .from_local_datetime(&taken_on.and_hms_opt(18, 0, 0).expect("time"))
                .unwrap(),
            rows: Vec::new(),
        }
    }

    fn picked(snaps: &[Snapshot], from: Option<&str>, to: Option<&str>) -> (String, String) {
        let day = |s: Option<&str>| s.map(|s| s.parse::<NaiveDate>().expect("date"));
        let (a, b) = pick(snaps, day(from), day(to)).expect("two snapshots");
        (a.taken_on.to_string(), b.taken_on.to_string())
    }

    #[test]
    fn the_default_is_week_over_week_even_with_daily_snapshots() {
        // Mondays 11-02, 11-09, 11-16, 11-23, and the cockpit's daily one on Tue 11-24.
        let snaps: Vec<Snapshot> = [
            "2026-11-02",
            "2026-11-09",
            "2026-11-16",
            "2026-11-23",
            "2026-11-24",
        ]
        .into_iter()
        .map(snap)
        .collect();
        // Latest 11-24; at least 7 days before it (≤ 11-17): 11-16.
        assert_eq!(
            picked(&snaps, None, None),
            ("2026-11-16".into(), "2026-11-24".into())
        );
        // To 11-23 (a Monday): ≤ 11-16 → 11-16.
        assert_eq!(
            picked(&snaps, None, Some("2026-11-23")),
            ("2026-11-16".into(), "2026-11-23".into())
        );
        // Explicit bounds are taken as given.
        assert_eq!(
            picked(&snaps, Some("2026-11-23"), None),
            ("2026-11-23".into(), "2026-11-24".into())
        );
        // Two snapshots a day apart and nothing older: the one before.
        let two: Vec<Snapshot> = ["2026-11-23", "2026-11-24"].into_iter().map(snap).collect();
        assert_eq!(
            picked(&two, None, None),
            ("2026-11-23".into(), "2026-11-24".into())
        );
    }
}
